/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-pally-feed.h — Pally creator tips: `?auth=` key, firehose or one page's
 * activity feed, literal text ping/pong, and an echo request for testing. */
#pragma once

#include "herald-feed.h"

G_BEGIN_DECLS

#define HERALD_TYPE_PALLY_FEED (herald_pally_feed_get_type ())
G_DECLARE_FINAL_TYPE (HeraldPallyFeed, herald_pally_feed, HERALD, PALLY_FEED, HeraldFeed)

/* Asks the server to push a sample tip back ("echo"), so a user can see a notification
 * arrive end to end. Does nothing unless connected. */
void herald_pally_feed_send_test_event (HeraldPallyFeed *self);

G_END_DECLS
