/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-socketio-feed.c — a Socket.IO v4 client session run by the connection engine: open
 * packet → namespace connect with auth → events and acks, server pings answered and watched. */
#define G_LOG_DOMAIN "herald-socketio"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-format.h"
#include "herald-socketio-feed.h"
#include "herald-socketio-packet.h"
#include "herald-timeout.h"

#define MAX_REFUSAL_CHARS 200

/* What Socket.IO servers answer when the namespace does not exist: no credential can fix that. */
#define INVALID_NAMESPACE_MESSAGE "Invalid namespace"

typedef struct
{
  guint handshake_timeout_ms;

  /* Built by build_request for one attempt, sent after the open packet, then wiped. */
  char *auth;

  /* The window the timing held before an open packet replaced it, restored for the next
   * connection; applied_window_ms is what was written, so a value set since is left alone. */
  guint default_window_ms;
  guint applied_window_ms;
  gboolean window_from_server;

  /* One connection's state: reset_connection() clears all of it. */
  guint generation;
  SoupWebsocketConnection *socket; /* weak */
  char *nsp;
  gboolean open_received;
  gboolean joined;
  guint server_window_ms;
  guint handshake_source;
  guint ping_source;
} HeraldSocketioFeedPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (HeraldSocketioFeed, herald_socketio_feed, HERALD_TYPE_FEED)

static void
wipe_string (char **text)
{
  if (*text == NULL)
    return;
  explicit_bzero (*text, strlen (*text));
  g_clear_pointer (text, g_free);
}

static void
reset_connection (HeraldSocketioFeed *self)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);

  priv->generation++;
  g_clear_weak_pointer (&priv->socket);
  g_clear_pointer (&priv->nsp, g_free);
  priv->open_received = FALSE;
  priv->joined = FALSE;
  priv->server_window_ms = 0;
  herald_source_clear_local (&priv->handshake_source);
  herald_source_clear_local (&priv->ping_source);
}

static void
apply_server_window (HeraldSocketioFeed *self, guint window_ms)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  HeraldFeedTiming timing = *herald_feed_get_timing (HERALD_FEED (self));

  if (!priv->window_from_server)
    priv->default_window_ms = timing.liveness_ms;
  timing.liveness_ms = window_ms;
  herald_feed_set_timing (HERALD_FEED (self), &timing);
  priv->applied_window_ms = window_ms;
  priv->window_from_server = TRUE;
}

/* The engine reads the window when a socket opens and at every check, so the default must be
 * back before the next socket and until its open packet arrives. */
static void
restore_default_window (HeraldSocketioFeed *self)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  HeraldFeedTiming timing = *herald_feed_get_timing (HERALD_FEED (self));

  if (!priv->window_from_server)
    return;
  priv->window_from_server = FALSE;
  if (timing.liveness_ms != priv->applied_window_ms)
    return;
  timing.liveness_ms = priv->default_window_ms;
  herald_feed_set_timing (HERALD_FEED (self), &timing);
}

/* A timer may outlive its socket when the engine drops it on its own (liveness, stop). */
static gboolean
connection_is_open (HeraldSocketioFeed *self)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);

  return priv->socket != NULL
         && soup_websocket_connection_get_state (priv->socket) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
end_and_reconnect (HeraldSocketioFeed *self, const char *why)
{
  reset_connection (self);
  herald_feed_reconnect (HERALD_FEED (self), FALSE, why);
}

static void
end_and_fail (HeraldSocketioFeed *self, GError *error)
{
  reset_connection (self);
  herald_feed_fail (HERALD_FEED (self), error);
}

static gboolean
handshake_overdue_cb (gpointer user_data)
{
  HeraldSocketioFeed *self = user_data;
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  g_autofree char *why = NULL;
  guint seconds;

  priv->handshake_source = 0;
  if (!connection_is_open (self))
    return G_SOURCE_REMOVE;
  g_debug ("%s: no Socket.IO handshake after %u ms (open packet %s)",
           herald_feed_get_account_id (HERALD_FEED (self)), priv->handshake_timeout_ms,
           priv->open_received ? "received" : "missing");
  seconds = (priv->handshake_timeout_ms + 999) / 1000;
  /* TRANSLATORS: %u is a number of seconds */
  why = g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE,
                 "The server did not complete the Socket.IO handshake within %u second",
                 "The server did not complete the Socket.IO handshake within %u seconds", seconds),
    seconds);
  end_and_reconnect (self, why);
  return G_SOURCE_REMOVE;
}

static gboolean
ping_overdue_cb (gpointer user_data)
{
  HeraldSocketioFeed *self = user_data;
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  g_autofree char *why = NULL;
  guint seconds;

  priv->ping_source = 0;
  if (!connection_is_open (self))
    return G_SOURCE_REMOVE;
  seconds = (priv->server_window_ms + 999) / 1000;
  /* TRANSLATORS: %u is a number of seconds */
  why = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The server sent no heartbeat for %u second",
                                      "The server sent no heartbeat for %u seconds", seconds),
                         seconds);
  end_and_reconnect (self, why);
  return G_SOURCE_REMOVE;
}

/* Engine.IO's rule: no ping within pingInterval + pingTimeout means the server is gone. Only
 * pings rearm it (every pingInterval), so events alone do not keep a dead session alive. */
static void
arm_ping_deadline (HeraldSocketioFeed *self)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);

  herald_source_clear_local (&priv->ping_source);
  priv->ping_source = herald_timeout_add_local (priv->server_window_ms, ping_overdue_cb, self);
}

static void
send_connect (HeraldSocketioFeed *self)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  char *frame = herald_socketio_encode_connect (priv->nsp, priv->auth);

  herald_feed_send_text (HERALD_FEED (self), frame);
  wipe_string (&frame);
  wipe_string (&priv->auth);
}

static void
handle_open (HeraldSocketioFeed *self, const HeraldSocketioPacket *packet)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  guint64 window = (guint64)packet->ping_interval_ms + (guint64)packet->ping_timeout_ms;

  if (priv->open_received)
    {
      herald_feed_malformed (HERALD_FEED (self), "a second Engine.IO open packet");
      return;
    }
  priv->open_received = TRUE;
  priv->server_window_ms = MIN (window, HERALD_SOCKETIO_MAX_WINDOW_MS);
  g_debug ("%s: Engine.IO session open, ping interval %" G_GINT64_FORMAT
           " ms, timeout %" G_GINT64_FORMAT " ms",
           herald_feed_get_account_id (HERALD_FEED (self)), packet->ping_interval_ms,
           packet->ping_timeout_ms);
  apply_server_window (self, priv->server_window_ms);
  arm_ping_deadline (self);
  send_connect (self);
}

/* The object payload of a CONNECT / CONNECT_ERROR packet, member @name as a string; a bare
 * string payload (older servers' refusals) is taken as that member. */
static char *
dup_payload_member (HeraldSocketioFeed *self, const HeraldSocketioPacket *packet, const char *name)
{
  HeraldJsonDoc *doc = herald_feed_get_json_doc (HERALD_FEED (self));
  HeraldJsonNode root;

  if (packet->payload_json == NULL
      || !herald_json_doc_parse (doc, packet->payload_json, strlen (packet->payload_json), NULL))
    return NULL;
  root = herald_json_doc_root (doc);
  if (herald_json_node_type (root) == HERALD_JSON_STRING)
    return herald_json_node_dup_string (root);
  return herald_json_node_dup_member_string (root, name);
}

static void
handle_connect (HeraldSocketioFeed *self, const HeraldSocketioPacket *packet)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  g_autofree char *sid = NULL;

  if (priv->joined)
    {
      herald_feed_malformed (HERALD_FEED (self), "a second connect for namespace %s", priv->nsp);
      return;
    }
  priv->joined = TRUE;
  herald_source_clear_local (&priv->handshake_source);
  sid = dup_payload_member (self, packet, "sid");
  g_debug ("%s: joined namespace %s", herald_feed_get_account_id (HERALD_FEED (self)), priv->nsp);
  /* The namespace CONNECT ack is where a Socket.IO server accepts the auth payload (Dimes'
   * token); the Engine.IO open before it says nothing about the credentials. */
  herald_feed_authenticated (HERALD_FEED (self));
  HERALD_SOCKETIO_FEED_GET_CLASS (self)->connected (self, sid);
}

static void
handle_connect_error (HeraldSocketioFeed *self, const HeraldSocketioPacket *packet)
{
  HeraldFeed *feed = HERALD_FEED (self);
  g_autofree char *raw_message = dup_payload_member (self, packet, "message");
  g_autofree char *message = herald_format_clean_text (raw_message, MAX_REFUSAL_CHARS);
  const char *provider = herald_account_get_provider_info (herald_feed_get_account (feed))->name;
  gboolean no_namespace = g_strcmp0 (raw_message, INVALID_NAMESPACE_MESSAGE) == 0;

  g_debug ("%s: the server refused namespace %s", herald_feed_get_account_id (feed), packet->nsp);
  end_and_fail (
    self,
    g_error_new (HERALD_FEED_ERROR,
                 no_namespace ? HERALD_FEED_ERROR_CONFIGURATION : HERALD_FEED_ERROR_AUTHENTICATION,
                 /* TRANSLATORS: "Dimes refused the connection: Invalid API key" */
                 _ ("%s refused the connection: %s"), provider,
                 *message ? message : _ ("no reason given")));
}

static void
handle_event (HeraldSocketioFeed *self, const HeraldSocketioPacket *packet, const char *data,
              gsize length)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  g_autofree char *name = NULL;
  HeraldJsonNode root;
  guint generation;

  if (!priv->joined)
    {
      herald_feed_malformed (HERALD_FEED (self), "an event before the namespace was joined");
      return;
    }
  root = herald_feed_parse_json (HERALD_FEED (self), packet->payload_json,
                                 strlen (packet->payload_json));
  if (herald_json_node_type (root) == HERALD_JSON_NONE)
    return;
  name = herald_json_node_dup_string (herald_json_node_element (root, 0));

  /* The subclass may end the connection, and a handler downstream may drop the last reference. */
  g_object_ref (self);
  generation = priv->generation;
  HERALD_SOCKETIO_FEED_GET_CLASS (self)->event (self, name, root, data, length);
  if (packet->ack_id >= 0 && generation == priv->generation)
    {
      g_autofree char *ack = herald_socketio_encode_ack (priv->nsp, packet->ack_id, "[]");

      herald_feed_send_text (HERALD_FEED (self), ack);
    }
  g_object_unref (self);
}

static void
handle_message (HeraldSocketioFeed *self, const HeraldSocketioPacket *packet, const char *data,
                gsize length)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  HeraldFeed *feed = HERALD_FEED (self);

  if (!priv->open_received)
    {
      herald_feed_malformed (feed, "a Socket.IO packet before the Engine.IO open packet");
      return;
    }
  if (g_strcmp0 (packet->nsp, priv->nsp) != 0)
    {
      g_debug ("%s: ignored a packet for namespace %s", herald_feed_get_account_id (feed),
               packet->nsp);
      return;
    }

  switch (packet->sio_type)
    {
    case HERALD_SIO_CONNECT:
      handle_connect (self, packet);
      break;
    case HERALD_SIO_CONNECT_ERROR:
      handle_connect_error (self, packet);
      break;
    case HERALD_SIO_DISCONNECT:
      end_and_reconnect (self, _ ("The server ended the Socket.IO session"));
      break;
    case HERALD_SIO_EVENT:
      handle_event (self, packet, data, length);
      break;
    case HERALD_SIO_ACK:
      /* Herald never asks the server for an ack. */
      g_debug ("%s: ignored an ack nobody asked for", herald_feed_get_account_id (feed));
      break;
    case HERALD_SIO_BINARY_EVENT:
    case HERALD_SIO_BINARY_ACK:
    default:
      herald_feed_malformed (feed, "Socket.IO packet type %d", packet->sio_type);
      break;
    }
}

/* What the codec could not decode. Binary packets are well-formed but refused: their header is
 * logged, and their attachments (binary frames) are dropped by the engine as they come. */
static void
handle_undecodable (HeraldSocketioFeed *self, const HeraldSocketioPacket *packet,
                    const GError *error)
{
  HeraldFeed *feed = HERALD_FEED (self);

  if (g_error_matches (error, HERALD_SOCKETIO_ERROR, HERALD_SOCKETIO_ERROR_UNSUPPORTED)
      && packet->eio_type == HERALD_EIO_MESSAGE && packet->nsp != NULL)
    herald_feed_malformed (feed, "binary Socket.IO packet on %s with %u attachment(s) skipped",
                           packet->nsp, packet->n_attachments);
  else
    herald_feed_malformed (feed, "%s", error->message);
}

static SoupMessage *
herald_socketio_feed_build_request (HeraldFeed *feed, char ***out_protocols, GError **error)
{
  HeraldSocketioFeed *self = HERALD_SOCKETIO_FEED (feed);
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  HeraldSocketioFeedClass *klass = HERALD_SOCKETIO_FEED_GET_CLASS (self);
  const char *nsp = klass->get_namespace (self);
  g_autoptr (GError) auth_error = NULL;
  g_autofree char *uri = NULL;
  SoupMessage *message;

  if (nsp != NULL && (nsp[0] != '/' || strchr (nsp, ',') != NULL))
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The feed’s Socket.IO namespace is not valid"));
      return NULL;
    }

  restore_default_window (self);
  wipe_string (&priv->auth);
  priv->auth = klass->build_auth (self, &auth_error);
  if (auth_error != NULL)
    {
      wipe_string (&priv->auth);
      g_propagate_error (error, g_steal_pointer (&auth_error));
      return NULL;
    }

  /* socket.io-client's default path; the namespace travels inside the session, not in the URL. */
  uri
    = herald_feed_build_uri (feed, TRUE, "/socket.io/", "EIO", "4", "transport", "websocket", NULL);
  message = uri ? soup_message_new (SOUP_METHOD_GET, uri) : NULL;
  if (message == NULL)
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account’s endpoint is not a valid address"));
      return NULL;
    }
  *out_protocols = NULL;
  return message;
}

static gboolean
herald_socketio_feed_opened (HeraldFeed *feed, SoupWebsocketConnection *socket, GError **error)
{
  HeraldSocketioFeed *self = HERALD_SOCKETIO_FEED (feed);
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  const char *nsp = HERALD_SOCKETIO_FEED_GET_CLASS (self)->get_namespace (self);

  reset_connection (self);
  restore_default_window (self);
  g_set_weak_pointer (&priv->socket, socket);
  priv->nsp = g_strdup (nsp != NULL ? nsp : "/");
  /* The server speaks first; it must do so, and accept the namespace, in good time. */
  priv->handshake_source
    = herald_timeout_add_local (priv->handshake_timeout_ms, handshake_overdue_cb, self);
  return TRUE;
}

static void
herald_socketio_feed_receive (HeraldFeed *feed, const char *data, gsize length)
{
  HeraldSocketioFeed *self = HERALD_SOCKETIO_FEED (feed);
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  g_autoptr (GError) error = NULL;
  HeraldSocketioPacket packet;

  if (!herald_socketio_packet_parse (data, length, &packet, &error))
    {
      handle_undecodable (self, &packet, error);
      herald_socketio_packet_clear (&packet);
      return;
    }

  switch (packet.eio_type)
    {
    case HERALD_EIO_OPEN:
      handle_open (self, &packet);
      break;
    case HERALD_EIO_CLOSE:
      end_and_reconnect (self, _ ("The server ended the Socket.IO session"));
      break;
    case HERALD_EIO_PING:
      herald_feed_send_text (feed, herald_socketio_encode_pong ());
      if (priv->open_received)
        arm_ping_deadline (self);
      break;
    case HERALD_EIO_MESSAGE:
      handle_message (self, &packet, data, length);
      break;
    case HERALD_EIO_PONG:
    case HERALD_EIO_NOOP:
    case HERALD_EIO_UPGRADE:
    default:
      /* Herald never pings nor upgrades, so a pong or noop is stray but harmless. */
      g_debug ("%s: ignored Engine.IO packet type %d", herald_feed_get_account_id (feed),
               packet.eio_type);
      break;
    }
  herald_socketio_packet_clear (&packet);
}

static HeraldCloseAction
herald_socketio_feed_closed (HeraldFeed *feed, gushort code, const char *reason, char **out_reason)
{
  reset_connection (HERALD_SOCKETIO_FEED (feed));
  return HERALD_FEED_CLASS (herald_socketio_feed_parent_class)
    ->closed (feed, code, reason, out_reason);
}

static char *
herald_socketio_feed_real_build_auth (HeraldSocketioFeed *self, GError **error)
{
  return NULL;
}

static void
herald_socketio_feed_real_connected (HeraldSocketioFeed *self, const char *sid)
{
}

static void
herald_socketio_feed_dispose (GObject *object)
{
  HeraldSocketioFeed *self = HERALD_SOCKETIO_FEED (object);
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);

  reset_connection (self);
  wipe_string (&priv->auth);
  G_OBJECT_CLASS (herald_socketio_feed_parent_class)->dispose (object);
}

static void
herald_socketio_feed_class_init (HeraldSocketioFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HeraldFeedClass *feed_class = HERALD_FEED_CLASS (klass);

  object_class->dispose = herald_socketio_feed_dispose;
  feed_class->build_request = herald_socketio_feed_build_request;
  feed_class->opened = herald_socketio_feed_opened;
  feed_class->receive = herald_socketio_feed_receive;
  feed_class->closed = herald_socketio_feed_closed;
  klass->build_auth = herald_socketio_feed_real_build_auth;
  klass->connected = herald_socketio_feed_real_connected;
}

static void
herald_socketio_feed_init (HeraldSocketioFeed *self)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);
  /* No client heartbeat: the server pings, Herald answers. */
  const HeraldFeedTiming timing = {
    .liveness_ms = HERALD_SOCKETIO_DEFAULT_WINDOW_MS,
  };

  priv->handshake_timeout_ms = HERALD_SOCKETIO_HANDSHAKE_TIMEOUT_MS;
  herald_feed_set_timing (HERALD_FEED (self), &timing);
}

void
herald_socketio_feed_set_handshake_timeout (HeraldSocketioFeed *self, guint timeout_ms)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_SOCKETIO_FEED (self));
  priv->handshake_timeout_ms = timeout_ms > 0 ? timeout_ms : HERALD_SOCKETIO_HANDSHAKE_TIMEOUT_MS;
}

gboolean
herald_socketio_feed_get_joined (HeraldSocketioFeed *self)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_SOCKETIO_FEED (self), FALSE);
  return priv->joined;
}

guint
herald_socketio_feed_get_server_window_ms (HeraldSocketioFeed *self)
{
  HeraldSocketioFeedPrivate *priv = herald_socketio_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_SOCKETIO_FEED (self), 0);
  return priv->server_window_ms;
}
