/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-dimes-feed.h — Dimes prediction-market positions over Socket.IO: the partner gateway
 * (every position, API key) or the customer gateway (one wallet, an expiring JWT). */
#pragma once

#include "herald-socketio-feed.h"

G_BEGIN_DECLS

/* The gateways' namespaces (seed 003); the `gateway` account option picks one. */
#define HERALD_DIMES_PARTNER_NAMESPACE "/v1/ws/prediction-markets/positions"
#define HERALD_DIMES_CUSTOMER_NAMESPACE "/v1/ws/prediction-markets/customer-positions"

/* A customer token is treated as lapsed this long before its "exp": the feed reconnects then,
 * and refuses it as needing attention rather than waiting for the server to. */
#define HERALD_DIMES_TOKEN_MARGIN_S 60

#define HERALD_TYPE_DIMES_FEED (herald_dimes_feed_get_type ())
G_DECLARE_FINAL_TYPE (HeraldDimesFeed, herald_dimes_feed, HERALD, DIMES_FEED, HeraldSocketioFeed)

G_END_DECLS
