/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-skinshark-feed.h — SkinShark trades and deposits for one sub-user: a REST-minted
 * ws-token offered as a subprotocol, a read-only socket, and a close-code policy for 4001/4002. */
#pragma once

#include "herald-feed.h"

G_BEGIN_DECLS

#define HERALD_TYPE_SKINSHARK_FEED (herald_skinshark_feed_get_type ())
G_DECLARE_FINAL_TYPE (HeraldSkinsharkFeed, herald_skinshark_feed, HERALD, SKINSHARK_FEED,
                      HeraldFeed)

/* How long the socket may receive nothing at all, not even the server's WebSocket pings,
 * before it is dropped and made again: the timing's transport_silence_ms, which the engine
 * checks. Tests shorten it; 0 turns the check off. */
void herald_skinshark_feed_set_silence_limit (HeraldSkinsharkFeed *self, guint silence_ms);

/* The token lifetimes SkinShark writes in expiresIn: "1h", "30m", "45s", "1h30m", or a plain
 * number of seconds ("3600"). FALSE for anything else, including zero. */
gboolean herald_skinshark_parse_lifetime (const char *text, guint64 *out_seconds);

G_END_DECLS
