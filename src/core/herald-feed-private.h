/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-feed-private.h — the link from a feed back to the connection that runs it.
 * Only HeraldConnection (and tests that drive a feed by hand) install a sink. */
#pragma once

#include "herald-feed.h"

G_BEGIN_DECLS

typedef struct
{
  void (*send_text) (gpointer data, const char *text);
  void (*emit) (gpointer data, HeraldEvent *event);
  void (*malformed) (gpointer data, const char *why);
  void (*fail) (gpointer data, GError *error);
  void (*reconnect) (gpointer data, gboolean reauthenticate, const char *reason);
  void (*expect_reply) (gpointer data);
  void (*reply_received) (gpointer data);
} HeraldFeedSink;

void herald_feed_set_sink (HeraldFeed *self, const HeraldFeedSink *sink, gpointer data);
/* A new socket is opening: what the last one's handshake confirmed no longer holds. */
void herald_feed_reset_authenticated (HeraldFeed *self);

G_END_DECLS
