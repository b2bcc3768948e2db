/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-skinshark-private.h — what the SkinShark feed's three files share: the instance
 * struct, the token calls the feed class makes, and the frame parser. */
#pragma once

#include "herald-skinshark-feed.h"

G_BEGIN_DECLS

struct _HeraldSkinsharkFeed
{
  HeraldFeed parent_instance;

  /* The token (herald-skinshark-token.c). */
  char *token;
  gint64 renew_at_us;   /* wall clock, so a suspended laptop still renews in time */
  gboolean token_stale; /* refused, on a socket or by a renewal's mint: mint anew */
  gboolean token_fresh; /* minted for the attempt in progress, or never offered to the server */
  guint token_serial;   /* counts the tokens taken, to tell them apart without a copy */
  guint socket_serial;  /* the token the latest upgrade request carried */

  SoupSession *session;     /* the connection's, from prepare_async: renewals go through it */
  GCancellable *renewing;   /* a background renewal in flight */
  gboolean minting;         /* prepare_async's own mint in flight */
  gint64 renew_retry_at_us; /* wall clock: no renewal before then, after one failed */
  guint renew_retry_s;

  /* The socket (herald-skinshark-feed.c). */
  gboolean use_query; /* the server ignored the subprotocol: the documented ?token= fallback */
  gboolean accepted;  /* the server's "connected" frame came on this socket */
  guint refusals;     /* 4001s without a working session in between */
};

/* --- herald-skinshark-token.c --- */

/* The feed's prepare_async: mints a token unless the one held is still good. */
void herald_skinshark_token_prepare_async (HeraldFeed *feed, SoupSession *session,
                                           GCancellable *cancellable, GAsyncReadyCallback callback,
                                           gpointer user_data);
gboolean herald_skinshark_token_prepare_finish (HeraldFeed *feed, GAsyncResult *result,
                                                GError **error);
/* A token is held, not refused, and not yet due for renewal. */
gboolean herald_skinshark_token_usable (HeraldSkinsharkFeed *self);
/* Starts minting the next token in the background when the one held is due; the open socket
 * stays. Only while a socket is open, so a stopped account never mints. */
void herald_skinshark_token_renew_if_due (HeraldSkinsharkFeed *self);
void herald_skinshark_token_cancel_renewal (HeraldSkinsharkFeed *self);

/* --- herald-skinshark-parse.c --- */

typedef enum
{
  HERALD_SKINSHARK_FRAME_NONE,      /* not a SkinShark message: counted as malformed */
  HERALD_SKINSHARK_FRAME_CONNECTED, /* the server's "connected": it took the token */
  HERALD_SKINSHARK_FRAME_MESSAGE,   /* a named message: its event emitted, or it was malformed */
} HeraldSkinsharkFrame;

/* Reads one frame and emits what it says through feed. */
HeraldSkinsharkFrame herald_skinshark_parse_frame (HeraldFeed *feed, const char *data,
                                                   gsize length);

G_END_DECLS
