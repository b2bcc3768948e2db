/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-skinshark-feed.c — the SkinShark protocol (PROTOCOLS.md, seed 000): a ws-token minted
 * over REST, a read-only socket that must never be written to, trade and deposit pushes.
 * This file is the feed class: the upgrade request, the socket's life and its close codes. It
 * ties together herald-skinshark-token.c (minting and renewal) and herald-skinshark-parse.c
 * (frames into events).
 *
 * Liveness: the server's WebSocket pings are answered inside libsoup and never reach us, and
 * we may not send pings of our own (any frame closes the socket with 4002). So the feed's
 * timing asks the engine for TCP keepalive and for a transport silence window: the kernel's
 * "last data received", which the server's pings keep fresh, must stay within it. */
#define G_LOG_DOMAIN "herald-skinshark"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-secret.h"
#include "herald-skinshark-private.h"

#define CLOSE_TOKEN_REFUSED 4001
#define CLOSE_READ_ONLY 4002

#define SOCKET_PATH "/ws"
/* The upgrade offers the token as the subprotocol "bearer.<token>". */
#define BEARER_PREFIX "bearer."

/* How often the heartbeat looks whether the token is due for renewal. */
#define CHECK_INTERVAL_MS 5000
/* Guess: SkinShark does not publish its ping interval. 30 s is the usual server default, so
 * 75 s without a single byte means at least two pings went missing. */
#define SILENCE_LIMIT_MS 75000
#define TCP_KEEPALIVE_IDLE_S 45

G_DEFINE_FINAL_TYPE (HeraldSkinsharkFeed, herald_skinshark_feed, HERALD_TYPE_FEED)

/* --- the upgrade --- */

/* A subprotocol must be an HTTP token; a JWT always is. */
static gboolean
token_fits_subprotocol (const char *token)
{
  for (const char *p = token; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.~!#$&'*+^`|", *p) == NULL)
      return FALSE;
  return TRUE;
}

static SoupMessage *
herald_skinshark_feed_build_request (HeraldFeed *feed, char ***out_protocols, GError **error)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);
  g_autofree char *uri = NULL;
  SoupMessage *message;

  if (self->token == NULL)
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_PROTOCOL,
                           _ ("SkinShark answered without an access token"));
      return NULL;
    }
  *out_protocols = NULL;
  self->socket_serial = self->token_serial;
  /* The subprotocol keeps the token out of proxies' and servers' access logs. */
  if (self->use_query || !token_fits_subprotocol (self->token))
    uri = herald_feed_build_uri (feed, TRUE, SOCKET_PATH, "token", self->token, NULL);
  else
    {
      uri = herald_feed_build_uri (feed, TRUE, SOCKET_PATH, NULL, NULL);
      *out_protocols = g_new0 (char *, 2);
      (*out_protocols)[0] = g_strconcat (BEARER_PREFIX, self->token, NULL);
    }
  message = uri ? soup_message_new (SOUP_METHOD_GET, uri) : NULL;
  if (uri != NULL)
    explicit_bzero (uri, strlen (uri));
  if (message == NULL)
    {
      g_clear_pointer (out_protocols, g_strfreev);
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account’s endpoint is not a valid address"));
    }
  return message;
}

/* --- the socket --- */

static void
herald_skinshark_feed_receive (HeraldFeed *feed, const char *data, gsize length)
{
  /* A handler downstream of an emitted event may drop the last other reference. */
  g_autoptr (HeraldSkinsharkFeed) self = g_object_ref (HERALD_SKINSHARK_FEED (feed));

  switch (herald_skinshark_parse_frame (feed, data, length))
    {
    case HERALD_SKINSHARK_FRAME_CONNECTED:
      self->accepted = TRUE;
      g_debug ("%s: the server accepted the token", herald_feed_get_account_id (feed));
      break;
    case HERALD_SKINSHARK_FRAME_MESSAGE:
      /* A message on this socket: its session works, so a later 4001 starts a new count. */
      self->refusals = 0;
      break;
    case HERALD_SKINSHARK_FRAME_NONE:
    default:
      break;
    }
}

static gboolean
herald_skinshark_feed_opened (HeraldFeed *feed, SoupWebsocketConnection *socket, GError **error)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);
  const char *protocol = soup_websocket_connection_get_protocol (socket);

  self->accepted = FALSE;
  if (!self->use_query && (protocol == NULL || !g_str_has_prefix (protocol, BEARER_PREFIX)))
    {
      g_debug (
        "%s: the server did not take the bearer subprotocol; next time the token goes in the query",
        herald_feed_get_account_id (feed));
      self->use_query = TRUE;
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_PROTOCOL,
                           _ ("SkinShark did not take the access token; trying its other way"));
      return FALSE;
    }
  /* The socket opening is SkinShark's authentication: prepare minted the token over REST and
   * the server accepted the upgrade that carried it, so the session is confirmed. */
  herald_feed_authenticated (feed);
  return TRUE;
}

/* Never sends anything: SkinShark closes the socket on any frame from the client. */
static void
herald_skinshark_feed_heartbeat (HeraldFeed *feed)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);

  /* The engine runs this only while a socket is open, so a stopped account or one waiting
   * for the user never mints. */
  herald_skinshark_token_renew_if_due (self);
}

static HeraldCloseAction
herald_skinshark_feed_closed (HeraldFeed *feed, gushort code, const char *reason, char **out_reason)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);

  if (code == CLOSE_TOKEN_REFUSED && self->socket_serial != self->token_serial
      && herald_skinshark_token_usable (self))
    {
      /* The socket was made with a token that has since been renewed: the old one lapsed,
       * as it was bound to, and the new one has not been refused. */
      g_debug ("%s: the socket's old token lapsed; the renewed one is ready",
               herald_feed_get_account_id (feed));
      self->refusals = 0;
      *out_reason = g_strdup (_ ("Reconnecting with the renewed SkinShark access token"));
      return HERALD_CLOSE_REAUTHENTICATE;
    }
  if (code == CLOSE_TOKEN_REFUSED)
    {
      self->refusals++;
      /* Whatever follows, this token is done: a retry the user asks for starts with a new one. */
      self->token_stale = TRUE;
      /* A token minted for this very attempt and refused before any session worked will
       * not fare better the next time: the key or the sub-user is wrong. */
      if (self->token_fresh && (!self->accepted || self->refusals >= 2))
        {
          *out_reason = g_strdup (_ ("SkinShark refused the token even after renewing it"));
          return HERALD_CLOSE_ATTENTION;
        }
      *out_reason = g_strdup (_ ("SkinShark asked for a new access token"));
      return HERALD_CLOSE_REAUTHENTICATE;
    }
  self->refusals = 0;
  if (code == CLOSE_READ_ONLY)
    g_warning (
      "%s: SkinShark closed the socket as written to (4002), but Herald sends nothing on it",
      herald_feed_get_account_id (feed));
  return HERALD_CLOSE_RECONNECT;
}

static void
herald_skinshark_feed_dispose (GObject *object)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (object);

  herald_skinshark_token_cancel_renewal (self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (herald_skinshark_feed_parent_class)->dispose (object);
}

static void
herald_skinshark_feed_finalize (GObject *object)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (object);

  g_clear_pointer (&self->token, herald_secret_wipe_free);
  G_OBJECT_CLASS (herald_skinshark_feed_parent_class)->finalize (object);
}

static void
herald_skinshark_feed_class_init (HeraldSkinsharkFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HeraldFeedClass *feed_class = HERALD_FEED_CLASS (klass);

  object_class->dispose = herald_skinshark_feed_dispose;
  object_class->finalize = herald_skinshark_feed_finalize;
  feed_class->prepare_async = herald_skinshark_token_prepare_async;
  feed_class->prepare_finish = herald_skinshark_token_prepare_finish;
  feed_class->build_request = herald_skinshark_feed_build_request;
  feed_class->opened = herald_skinshark_feed_opened;
  feed_class->receive = herald_skinshark_feed_receive;
  feed_class->heartbeat = herald_skinshark_feed_heartbeat;
  feed_class->closed = herald_skinshark_feed_closed;
}

static void
herald_skinshark_feed_init (HeraldSkinsharkFeed *self)
{
  /* No WebSocket keepalive and no frame-level liveness: both would need frames we may not
   * send or cannot see. The transport beneath tells whether the server's pings still come. */
  const HeraldFeedTiming timing = {
    .heartbeat_ms = CHECK_INTERVAL_MS,
    .tcp_keepalive_s = TCP_KEEPALIVE_IDLE_S,
    .transport_silence_ms = SILENCE_LIMIT_MS,
  };

  herald_feed_set_timing (HERALD_FEED (self), &timing);
}

void
herald_skinshark_feed_set_silence_limit (HeraldSkinsharkFeed *self, guint silence_ms)
{
  HeraldFeedTiming timing;

  g_return_if_fail (HERALD_IS_SKINSHARK_FEED (self));

  timing = *herald_feed_get_timing (HERALD_FEED (self));
  timing.transport_silence_ms = silence_ms;
  herald_feed_set_timing (HERALD_FEED (self), &timing);
}
