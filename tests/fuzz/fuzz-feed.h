/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-feed.h — one frame into a provider's receive(), as the connection would hand it over,
 * with a sink that checks what the feed tells its connection. Shared by the feed targets. */
#pragma once

#include "fuzz-common.h"
#include "herald-feed-private.h"

G_BEGIN_DECLS

/* Hands data to feed's receive() if it is a frame libsoup would deliver (valid UTF-8), and
 * checks every event, failure, reconnect and sent frame that comes of it. */
void fuzz_feed_receive (HeraldFeed *feed, const guint8 *data, size_t size);

G_END_DECLS
