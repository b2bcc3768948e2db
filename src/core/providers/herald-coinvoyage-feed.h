/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-coinvoyage-feed.h — CoinVoyage pay-order status: a connect message with the API key
 * (HMAC-signed when the secret is known), then one subscription per order or the organization. */
#pragma once

#include "herald-feed.h"

G_BEGIN_DECLS

#define HERALD_TYPE_COINVOYAGE_FEED (herald_coinvoyage_feed_get_type ())
G_DECLARE_FINAL_TYPE (HeraldCoinvoyageFeed, herald_coinvoyage_feed, HERALD, COINVOYAGE_FEED,
                      HeraldFeed)

/* The `signature` part of authorization_signature: lowercase hex of
 * HMAC-SHA256(key = api_secret, message = "GET" + "/ws" + timestamp). */
char *herald_coinvoyage_sign (const char *api_secret, const char *timestamp);

G_END_DECLS
