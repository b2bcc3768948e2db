/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-connection.c — the engine shared by all feeds. Everything a feed has in common
 * lives here: connect, liveness, backoff with full jitter, network changes, state, counters.
 * Hot path: message_cb → feed receive; nothing else runs per frame.
 *
 * Liveness, at the level each feed's timing asks for: the feed's own heartbeat and its reply
 * deadline; silence between frames (liveness_ms); WebSocket pings (keepalive_s); and beneath
 * the WebSocket, for servers whose only sign of life is a ping libsoup answers without telling
 * anyone, TCP keepalive and the kernel's count of time since the last byte arrived
 * (tcp_keepalive_s, transport_silence_ms). Only the engine looks beneath the WebSocket,
 * through herald-transport.h. */
#define G_LOG_DOMAIN "herald-connection"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "herald-backoff.h"
#include "herald-connection.h"
#include "herald-feed-private.h"
#include "herald-timeout.h"
#include "herald-transport.h"

struct _HeraldConnection
{
  GObject parent_instance;

  HeraldFeed *feed;
  HeraldConnectionEventFunc event_func;
  gpointer event_func_data;
  SoupSession *session;
  GNetworkMonitor *monitor;
  struct NetworkWatch *network_watch;
  gboolean loopback; /* a loopback endpoint is reachable whatever the network does */
  gboolean network_was_available;
  gint64 not_before_us; /* a server's "retry after": no attempt before this (monotonic) */

  HeraldConnectionState state;
  char *reason;
  HeraldConnectionCounters counters;

  HeraldBackoff backoff;
  guint stable_ms;
  guint64 max_payload;
  guint retry_delay_ms;

  gboolean running;
  GCancellable *cancellable;
  SoupMessage *handshake;
  SoupWebsocketConnection *socket;
  GSocket *tcp; /* the socket beneath, when the feed's timing looks at it */

  guint retry_source;
  guint heartbeat_source;
  guint liveness_source;
  guint stable_source;
  guint reply_source;
  guint transport_source;

  /* Liveness without per-frame timer work: frames bump a counter, a periodic check reads it. */
  guint64 activity;
  guint64 activity_at_check;
  gint64 last_activity_us;
};

G_DEFINE_FINAL_TYPE (HeraldConnection, herald_connection, G_TYPE_OBJECT)

/* TCP keepalive once the idle time the feed asks for has passed: a probe every 10 s, and
 * the kernel drops the connection after 3 unanswered ones. */
#define TCP_KEEPALIVE_INTERVAL_S 10
#define TCP_KEEPALIVE_COUNT 3
/* The transport is looked at often enough to notice silence within an eighth of the window
 * after it runs out, and at least every 5 s. */
#define TRANSPORT_CHECK_MAX_MS 5000

/* A 429 on the handshake without a usable Retry-After, and the most we will honour. */
#define DEFAULT_RETRY_AFTER_S 30
#define MAX_RETRY_AFTER_S (60 * 60)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_REASON,
  N_PROPS
};

enum
{
  SIGNAL_EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void attempt (HeraldConnection *self);

static const char *const state_names[] = {
  [HERALD_CONNECTION_DISABLED] = "disabled",
  [HERALD_CONNECTION_CONNECTING] = "connecting",
  [HERALD_CONNECTION_CONNECTED] = "connected",
  [HERALD_CONNECTION_BACKING_OFF] = "backing-off",
  [HERALD_CONNECTION_OFFLINE] = "offline",
  [HERALD_CONNECTION_NEEDS_ATTENTION] = "needs-attention",
};

const char *
herald_connection_state_to_string (HeraldConnectionState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

static void
set_state (HeraldConnection *self, HeraldConnectionState state, const char *unsafe_reason)
{
  /* Reasons quote servers, and a server may echo a key back: cut credentials out. */
  g_autofree char *reason = herald_feed_redact (self->feed, unsafe_reason);
  gboolean state_changed = self->state != state;
  gboolean reason_changed = g_strcmp0 (self->reason, reason) != 0;

  g_debug ("%s: %s — %s", herald_feed_get_account_id (self->feed), state_names[state], reason);
  self->state = state;
  if (reason_changed)
    {
      g_free (self->reason);
      self->reason = g_strdup (reason);
    }
  /* Reason first, so a handler of notify::state reads the new reason. */
  if (reason_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
  if (state_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
network_available (HeraldConnection *self)
{
  return self->loopback || g_network_monitor_get_network_available (self->monitor);
}

static void
clear_timers (HeraldConnection *self)
{
  herald_source_clear_local (&self->retry_source);
  herald_source_clear_local (&self->heartbeat_source);
  herald_source_clear_local (&self->liveness_source);
  herald_source_clear_local (&self->stable_source);
  herald_source_clear_local (&self->reply_source);
  herald_source_clear_local (&self->transport_source);
}

static void
release_closed_socket (SoupWebsocketConnection *socket, gpointer user_data)
{
  g_object_unref (socket);
}

/* Lets go of the socket. The close handshake, if any, finishes on its own; a hard close
 * also shuts the stream, for a peer that has stopped answering. */
static void
abandon_socket (HeraldConnection *self, gushort code, gboolean hard)
{
  SoupWebsocketConnection *socket = g_steal_pointer (&self->socket);

  herald_source_clear_local (&self->heartbeat_source);
  herald_source_clear_local (&self->liveness_source);
  herald_source_clear_local (&self->stable_source);
  herald_source_clear_local (&self->reply_source);
  herald_source_clear_local (&self->transport_source);
  g_clear_object (&self->tcp);
  if (socket == NULL)
    return;

  g_signal_handlers_disconnect_by_data (socket, self);
  if (soup_websocket_connection_get_state (socket) == SOUP_WEBSOCKET_STATE_CLOSED)
    {
      g_object_unref (socket);
      return;
    }
  g_signal_connect (socket, "closed", G_CALLBACK (release_closed_socket), NULL);
  if (soup_websocket_connection_get_state (socket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (socket, code, NULL);
  /* Asynchronously: a TLS close with a full send buffer could otherwise block. */
  if (hard)
    g_io_stream_close_async (soup_websocket_connection_get_io_stream (socket), G_PRIORITY_DEFAULT,
                             NULL, NULL, NULL);
}

static void
cancel_attempt (HeraldConnection *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->handshake);
}

static gboolean
retry_cb (gpointer user_data)
{
  g_autoptr (HeraldConnection) self = g_object_ref (user_data);

  self->retry_source = 0;
  attempt (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (HeraldConnection *self, guint delay_ms, const char *why)
{
  g_autofree char *reason = NULL;

  herald_source_clear_local (&self->retry_source);
  if (!self->running)
    return;
  if (!network_available (self))
    {
      set_state (self, HERALD_CONNECTION_OFFLINE, _ ("Waiting for the network"));
      return;
    }
  self->retry_delay_ms = delay_ms;
  reason = g_strdup_printf (
    /* TRANSLATORS: %s is why the connection ended; %u the seconds until the next attempt */
    g_dngettext (GETTEXT_PACKAGE, "%s — trying again in %u second",
                 "%s — trying again in %u seconds", (delay_ms + 999) / 1000),
    why, (delay_ms + 999) / 1000);
  set_state (self, HERALD_CONNECTION_BACKING_OFF, reason);
  self->retry_source = herald_timeout_add_local (delay_ms, retry_cb, self);
}

static void
needs_attention (HeraldConnection *self, const char *why)
{
  cancel_attempt (self);
  abandon_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, FALSE);
  clear_timers (self);
  set_state (self, HERALD_CONNECTION_NEEDS_ATTENTION, why);
}

/* One place decides what a failure means: stop and ask the user, or try again later. */
static void
handle_failure (HeraldConnection *self, const GError *error)
{
  guint delay;

  if (g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION)
      || g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION))
    {
      needs_attention (self, error->message);
      return;
    }
  delay = herald_backoff_next_ms (&self->backoff);
  if (g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_RATE_LIMITED))
    {
      guint retry_after_ms = herald_feed_get_retry_after_ms (self->feed);

      delay = MAX (delay, retry_after_ms);
      self->not_before_us = g_get_monotonic_time () + (gint64)retry_after_ms * 1000;
    }
  schedule_retry (self, delay, error->message);
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  g_autoptr (HeraldConnection) self = g_object_ref (user_data);

  HERALD_FEED_GET_CLASS (self->feed)->heartbeat (self->feed);
  return G_SOURCE_CONTINUE;
}

static gboolean
liveness_cb (gpointer user_data)
{
  g_autoptr (HeraldConnection) self = g_object_ref (user_data);
  gint64 now = g_get_monotonic_time ();
  guint window_ms = herald_feed_get_timing (self->feed)->liveness_ms;
  g_autofree char *why = NULL;

  if (self->activity != self->activity_at_check)
    {
      self->activity_at_check = self->activity;
      self->last_activity_us = now;
      return G_SOURCE_CONTINUE;
    }
  if (now - self->last_activity_us < (gint64)window_ms * 1000)
    return G_SOURCE_CONTINUE;

  self->liveness_source = 0;
  self->counters.drops++;
  /* TRANSLATORS: %u is a number of seconds */
  why = g_strdup_printf (_ ("The feed went silent for %u seconds"), (window_ms + 999) / 1000);
  abandon_socket (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, TRUE);
  schedule_retry (self, herald_backoff_next_ms (&self->backoff), why);
  return G_SOURCE_REMOVE;
}

static gboolean
reply_overdue_cb (gpointer user_data)
{
  g_autoptr (HeraldConnection) self = g_object_ref (user_data);
  guint deadline_ms = herald_feed_get_timing (self->feed)->reply_deadline_ms;
  g_autofree char *why = NULL;

  self->reply_source = 0;
  self->counters.drops++;
  /* TRANSLATORS: %u is a number of seconds */
  why = g_strdup_printf (_ ("The feed did not answer a heartbeat within %u seconds"),
                         (deadline_ms + 999) / 1000);
  abandon_socket (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, TRUE);
  schedule_retry (self, herald_backoff_next_ms (&self->backoff), why);
  return G_SOURCE_REMOVE;
}

static gboolean
stable_cb (gpointer user_data)
{
  HeraldConnection *self = user_data;

  self->stable_source = 0;
  herald_backoff_reset (&self->backoff);
  return G_SOURCE_REMOVE;
}

static void
message_cb (SoupWebsocketConnection *socket, gint type, GBytes *message, gpointer user_data)
{
  /* A handler downstream (the hub, the UI) may drop this connection while it runs. */
  g_autoptr (HeraldConnection) self = g_object_ref (user_data);
  const char *data;
  gsize length;

  self->counters.messages++;
  self->activity++;
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      herald_feed_malformed (self->feed, "binary frame of %" G_GSIZE_FORMAT " bytes",
                             g_bytes_get_size (message));
      return;
    }
  data = g_bytes_get_data (message, &length);
  HERALD_FEED_GET_CLASS (self->feed)->receive (self->feed, data, length);
}

static void
pong_cb (SoupWebsocketConnection *socket, GBytes *message, gpointer user_data)
{
  HeraldConnection *self = user_data;

  self->activity++;
}

static void
socket_error_cb (SoupWebsocketConnection *socket, GError *error, gpointer user_data)
{
  HeraldConnection *self = user_data;

  /* Oversized frames (1009) and invalid UTF-8 (1007) end here; libsoup closes the socket
   * itself and "closed" follows. */
  g_debug ("%s: socket error: %s", herald_feed_get_account_id (self->feed), error->message);
}

static void
closed_cb (SoupWebsocketConnection *socket, gpointer user_data)
{
  HeraldConnection *self = user_data;
  gushort code = soup_websocket_connection_get_close_code (socket);
  const char *data = soup_websocket_connection_get_close_data (socket);
  g_autofree char *why = NULL;
  HeraldCloseAction action;

  g_object_ref (self);
  abandon_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, FALSE);
  self->counters.drops++;

  action = HERALD_FEED_GET_CLASS (self->feed)->closed (self->feed, code, data, &why);
  if (why == NULL)
    why = code ? g_strdup_printf (_ ("The server closed the connection (code %u)"), code)
               : g_strdup (_ ("The connection was lost"));
  switch (action)
    {
    case HERALD_CLOSE_ATTENTION:
      needs_attention (self, why);
      break;
    case HERALD_CLOSE_REAUTHENTICATE:
      schedule_retry (self, HERALD_REAUTHENTICATE_DELAY_MS, why);
      break;
    case HERALD_CLOSE_RECONNECT:
    default:
      schedule_retry (self, herald_backoff_next_ms (&self->backoff), why);
      break;
    }
  g_object_unref (self);
}

/* Drops the socket when nothing at all has arrived on it for the feed's transport window.
 * TRUE when it did. */
static gboolean
check_transport (HeraldConnection *self)
{
  guint window_ms = herald_feed_get_timing (self->feed)->transport_silence_ms;
  g_autofree char *why = NULL;
  guint silent_ms;

  if (self->tcp == NULL || window_ms == 0
      || !herald_transport_get_silence_ms (self->tcp, &silent_ms) || silent_ms < window_ms)
    return FALSE;

  g_debug ("%s: nothing received for %u ms", herald_feed_get_account_id (self->feed), silent_ms);
  self->counters.drops++;
  /* TRANSLATORS: %u is a number of seconds */
  why = g_strdup_printf (_ ("The feed went silent for %u seconds"), (silent_ms + 999) / 1000);
  abandon_socket (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, TRUE);
  schedule_retry (self, herald_backoff_next_ms (&self->backoff), why);
  return TRUE;
}

static gboolean
transport_cb (gpointer user_data)
{
  g_autoptr (HeraldConnection) self = g_object_ref (user_data);

  if (!check_transport (self))
    return G_SOURCE_CONTINUE;
  /* abandon_socket() removed this source already. */
  return G_SOURCE_REMOVE;
}

/* Looks beneath the WebSocket only for a feed whose timing asks for it. */
static void
watch_transport (HeraldConnection *self, const HeraldFeedTiming *timing)
{
  g_autoptr (GError) error = NULL;
  GSocket *tcp;

  if (timing->tcp_keepalive_s == 0 && timing->transport_silence_ms == 0)
    return;
  tcp = herald_transport_find_socket (self->socket);
  if (tcp == NULL)
    {
      g_debug ("%s: no TCP socket under the connection; liveness rests on the server closing it",
               herald_feed_get_account_id (self->feed));
      return;
    }
  g_set_object (&self->tcp, tcp);
  if (timing->tcp_keepalive_s > 0
      && !herald_transport_set_keepalive (tcp, timing->tcp_keepalive_s, TCP_KEEPALIVE_INTERVAL_S,
                                          TCP_KEEPALIVE_COUNT, &error))
    g_debug ("%s: TCP keepalive left at the system's timing: %s",
             herald_feed_get_account_id (self->feed), error->message);
  if (timing->transport_silence_ms > 0)
    self->transport_source = herald_timeout_add_local (
      CLAMP (timing->transport_silence_ms / 8, 10, TRANSPORT_CHECK_MAX_MS), transport_cb, self);
}

static void
socket_opened (HeraldConnection *self, SoupWebsocketConnection *socket)
{
  g_autoptr (GError) error = NULL;
  const HeraldFeedTiming *timing = herald_feed_get_timing (self->feed);
  guint heartbeat_ms = timing->heartbeat_ms;
  guint liveness_ms = timing->liveness_ms;

  if (self->socket != NULL)
    abandon_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, FALSE);
  self->socket = socket;
  soup_websocket_connection_set_max_incoming_payload_size (socket, self->max_payload);
  soup_websocket_connection_set_keepalive_interval (socket, timing->keepalive_s);
  g_signal_connect (socket, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (socket, "pong", G_CALLBACK (pong_cb), self);
  g_signal_connect (socket, "error", G_CALLBACK (socket_error_cb), self);
  g_signal_connect (socket, "closed", G_CALLBACK (closed_cb), self);
  self->counters.connects++;

  herald_feed_reset_authenticated (self->feed);
  if (!HERALD_FEED_GET_CLASS (self->feed)->opened (self->feed, socket, &error))
    {
      abandon_socket (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, FALSE);
      self->counters.drops++;
      handle_failure (self, error);
      return;
    }
  /* The feed may have given up already (a refused handshake). */
  if (self->socket == NULL)
    return;

  set_state (self, HERALD_CONNECTION_CONNECTED, _ ("Connected"));
  self->activity_at_check = self->activity;
  self->last_activity_us = g_get_monotonic_time ();
  if (heartbeat_ms > 0)
    self->heartbeat_source = herald_timeout_add_local (heartbeat_ms, heartbeat_cb, self);
  if (liveness_ms > 0)
    self->liveness_source = herald_timeout_add_local (MAX (liveness_ms / 4, 10), liveness_cb, self);
  watch_transport (self, timing);
  self->stable_source = herald_timeout_add_local (self->stable_ms, stable_cb, self);
}

/* Handshake failures that no retry can fix go to the user; the rest back off. */
static GError *
classify_connect_error (HeraldFeed *feed, SoupMessage *handshake, const GError *error)
{
  guint status = handshake ? soup_message_get_status (handshake) : 0;

  g_debug ("websocket connect failed: %s (status %u)", error->message, status);
  if (error->domain == G_TLS_ERROR
      || (handshake && soup_message_get_tls_peer_certificate_errors (handshake) != 0))
    return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                                _ ("The server’s security certificate could not be verified"));
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    return g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                        _ ("The server refused the credentials (HTTP %u)"), status);
  if (status == 429 /* Too Many Requests: libsoup 3.2 has no name for it */)
    {
      const char *retry_after = soup_message_headers_get_one (
        soup_message_get_response_headers (handshake), "Retry-After");
      guint64 seconds = DEFAULT_RETRY_AFTER_S;

      if (retry_after == NULL
          || !g_ascii_string_to_unsigned (retry_after, 10, 0, MAX_RETRY_AFTER_S, &seconds, NULL))
        seconds = DEFAULT_RETRY_AFTER_S;
      herald_feed_set_retry_after_ms (feed, (guint)seconds * 1000);
      return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_RATE_LIMITED,
                                  _ ("The server asks to slow down"));
    }
  if (status >= 300)
    return g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                        _ ("The server answered HTTP %u instead of opening the feed"), status);
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND)
      || g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE))
    return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                                _ ("The server’s name could not be found"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                                _ ("The server refused the connection"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                                _ ("The server did not answer in time"));
  return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                              _ ("Could not connect"));
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HeraldConnection) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) failure = NULL;
  SoupWebsocketConnection *socket;

  socket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->running)
    {
      g_clear_object (&socket);
      return;
    }
  if (socket == NULL)
    {
      failure = classify_connect_error (self->feed, self->handshake, error);
      g_clear_object (&self->handshake);
      handle_failure (self, failure);
      return;
    }
  g_clear_object (&self->handshake);
  socket_opened (self, socket);
}

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HeraldConnection) self = user_data;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) protocols = NULL;
  HeraldFeedClass *klass = HERALD_FEED_GET_CLASS (self->feed);

  if (!klass->prepare_finish (self->feed, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->running)
        handle_failure (self, error);
      return;
    }
  if (!self->running || self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  self->handshake = klass->build_request (self->feed, &protocols, &error);
  if (self->handshake == NULL)
    {
      handle_failure (self, error);
      return;
    }
  soup_session_websocket_connect_async (self->session, self->handshake, NULL, protocols,
                                        G_PRIORITY_DEFAULT, self->cancellable, connected_cb,
                                        g_object_ref (self));
}

static void
attempt (HeraldConnection *self)
{
  g_autoptr (GCancellable) cancellable = NULL;

  if (!self->running)
    return;
  herald_source_clear_local (&self->retry_source);
  cancel_attempt (self);
  abandon_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, FALSE);

  if (!network_available (self))
    {
      set_state (self, HERALD_CONNECTION_OFFLINE, _ ("Waiting for the network"));
      return;
    }

  /* A server's "retry after" holds even when something else (a network change) asks. */
  if (g_get_monotonic_time () < self->not_before_us)
    {
      guint wait_ms = (guint)((self->not_before_us - g_get_monotonic_time ()) / 1000) + 1;

      schedule_retry (self, wait_ms, _ ("The server asked to wait"));
      return;
    }

  /* The attempt exists before anyone hears of it: a handler of notify::state that calls
   * back into the engine finds it and replaces it, instead of racing it. */
  cancellable = g_cancellable_new ();
  self->cancellable = g_object_ref (cancellable);
  set_state (self, HERALD_CONNECTION_CONNECTING, _ ("Connecting…"));
  if (self->cancellable != cancellable)
    return;
  HERALD_FEED_GET_CLASS (self->feed)
    ->prepare_async (self->feed, self->session, cancellable, prepared_cb, g_object_ref (self));
}

/* Monitors emit "network-changed" for every route or VPN change; only a real change of
 * availability means anything here, so a chatty monitor cannot defeat the backoff. */
static void
network_changed (HeraldConnection *self)
{
  gboolean available = g_network_monitor_get_network_available (self->monitor);

  if (available == self->network_was_available)
    return;
  self->network_was_available = available;
  if (!self->running || self->loopback)
    return;

  if (available)
    {
      if (self->state == HERALD_CONNECTION_OFFLINE || self->state == HERALD_CONNECTION_BACKING_OFF)
        attempt (self);
      else if (self->state == HERALD_CONNECTION_CONNECTED)
        {
          /* The socket may have died with the old network: look and ask, rather than wait
           * for the liveness deadline. */
          if (check_transport (self))
            return;
          if (herald_feed_get_timing (self->feed)->heartbeat_ms > 0)
            HERALD_FEED_GET_CLASS (self->feed)->heartbeat (self->feed);
        }
    }
  else if (self->state == HERALD_CONNECTION_BACKING_OFF
           || self->state == HERALD_CONNECTION_CONNECTING)
    {
      /* An open socket is left alone: monitors can be wrong, and liveness will tell. */
      herald_source_clear_local (&self->retry_source);
      cancel_attempt (self);
      set_state (self, HERALD_CONNECTION_OFFLINE, _ ("Waiting for the network"));
    }
}

/* The monitor emits on the thread that made it (the UI's, for the default one) while the
 * connection may live on another (the hub's receiver): the change is carried over to the
 * connection's own context. The watch holds the connection weakly, so neither a late emission
 * nor a carried-over change can keep a connection alive or touch one being disposed. */
typedef struct NetworkWatch
{
  GWeakRef connection;
  GMainContext *context;
} NetworkWatch;

static NetworkWatch *
network_watch_new (HeraldConnection *connection)
{
  NetworkWatch *watch = g_atomic_rc_box_new0 (NetworkWatch);

  g_weak_ref_init (&watch->connection, connection);
  watch->context = g_main_context_ref_thread_default ();
  return watch;
}

static void
network_watch_clear (NetworkWatch *watch)
{
  g_weak_ref_clear (&watch->connection);
  g_main_context_unref (watch->context);
}

static void
network_watch_unref (gpointer watch)
{
  g_atomic_rc_box_release_full (watch, (GDestroyNotify)network_watch_clear);
}

static void
network_watch_closure_free (gpointer watch, GClosure *closure)
{
  network_watch_unref (watch);
}

static gboolean
network_changed_in_context_cb (gpointer user_data)
{
  NetworkWatch *watch = user_data;
  g_autoptr (HeraldConnection) self = g_weak_ref_get (&watch->connection);

  if (self != NULL)
    network_changed (self);
  return G_SOURCE_REMOVE;
}

static void
network_changed_cb (GNetworkMonitor *monitor, gboolean available, gpointer user_data)
{
  NetworkWatch *watch = user_data;
  g_autoptr (GMainContext) here = g_main_context_ref_thread_default ();

  if (here == watch->context)
    network_changed_in_context_cb (watch);
  else
    g_main_context_invoke_full (watch->context, G_PRIORITY_DEFAULT, network_changed_in_context_cb,
                                g_atomic_rc_box_acquire (watch), network_watch_unref);
}

static void
sink_send_text (gpointer data, const char *text)
{
  HeraldConnection *self = data;

  if (self->socket != NULL
      && soup_websocket_connection_get_state (self->socket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (self->socket, text);
}

static void
sink_emit (gpointer data, HeraldEvent *event)
{
  /* What a signal emission guarantees, kept for the direct call: whatever its consumer does,
   * the connection outlives the hand-over (a feed's timer can emit outside message_cb). */
  g_autoptr (HeraldConnection) self = g_object_ref (data);

  self->counters.events++;
  if (self->event_func != NULL)
    self->event_func (self, event, self->event_func_data);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);
}

static void
sink_malformed (gpointer data, const char *why)
{
  HeraldConnection *self = data;

  self->counters.malformed++;
}

static void
sink_fail (gpointer data, GError *error)
{
  HeraldConnection *self = data;

  /* A feed's timer may fire after the user stopped the account or while it waits for them. */
  if (!self->running || self->state == HERALD_CONNECTION_NEEDS_ATTENTION)
    {
      g_error_free (error);
      return;
    }
  cancel_attempt (self);
  if (self->socket != NULL)
    {
      abandon_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, FALSE);
      self->counters.drops++;
    }
  handle_failure (self, error);
  g_error_free (error);
}

static void
sink_reconnect (gpointer data, gboolean reauthenticate, const char *reason)
{
  HeraldConnection *self = data;

  if (!self->running || self->state == HERALD_CONNECTION_NEEDS_ATTENTION)
    return;
  cancel_attempt (self);
  if (self->socket != NULL)
    {
      abandon_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, FALSE);
      self->counters.drops++;
    }
  schedule_retry (
    self, reauthenticate ? HERALD_REAUTHENTICATE_DELAY_MS : herald_backoff_next_ms (&self->backoff),
    reason);
}

static void
sink_expect_reply (gpointer data)
{
  HeraldConnection *self = data;
  guint deadline_ms = herald_feed_get_timing (self->feed)->reply_deadline_ms;

  /* An earlier heartbeat still waiting keeps its own, earlier deadline. */
  if (self->socket == NULL || self->reply_source != 0 || deadline_ms == 0)
    return;
  self->reply_source = herald_timeout_add_local (deadline_ms, reply_overdue_cb, self);
}

static void
sink_reply_received (gpointer data)
{
  HeraldConnection *self = data;

  herald_source_clear_local (&self->reply_source);
}

static const HeraldFeedSink connection_sink = {
  sink_send_text, sink_emit,         sink_malformed,      sink_fail,
  sink_reconnect, sink_expect_reply, sink_reply_received,
};

static void
herald_connection_dispose (GObject *object)
{
  HeraldConnection *self = HERALD_CONNECTION (object);

  self->running = FALSE;
  cancel_attempt (self);
  abandon_socket (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, FALSE);
  clear_timers (self);
  if (self->monitor != NULL && self->network_watch != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self->network_watch);
  self->network_watch = NULL; /* the handler's closure held it */
  if (self->feed != NULL)
    herald_feed_set_sink (self->feed, NULL, NULL);
  g_clear_object (&self->feed);
  g_clear_object (&self->session);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (herald_connection_parent_class)->dispose (object);
}

static void
herald_connection_finalize (GObject *object)
{
  HeraldConnection *self = HERALD_CONNECTION (object);

  herald_backoff_clear (&self->backoff);
  g_free (self->reason);
  G_OBJECT_CLASS (herald_connection_parent_class)->finalize (object);
}

static void
herald_connection_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HeraldConnection *self = HERALD_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_connection_class_init (HeraldConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = herald_connection_dispose;
  object_class->finalize = herald_connection_finalize;
  object_class->get_property = herald_connection_get_property;

  properties[PROP_STATE] = g_param_spec_enum (
    "state", NULL, NULL, HERALD_TYPE_CONNECTION_STATE, HERALD_CONNECTION_DISABLED,
    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REASON]
    = g_param_spec_string ("reason", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, g_cclosure_marshal_VOID__BOXED, G_TYPE_NONE, 1,
                                        HERALD_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* Typed marshallers: the generic one goes through libffi, once per event in a burst. */
  g_signal_set_va_marshaller (signals[SIGNAL_EVENT], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);
}

static void
herald_connection_init (HeraldConnection *self)
{
  self->state = HERALD_CONNECTION_DISABLED;
  self->reason = g_strdup (_ ("Disabled"));
  self->stable_ms = HERALD_STABLE_AFTER_MS;
  self->max_payload = HERALD_MAX_INCOMING_PAYLOAD;
  herald_backoff_init (&self->backoff, HERALD_BACKOFF_BASE_MS, HERALD_BACKOFF_CAP_MS, 0);
}

static gboolean
endpoint_is_loopback (const char *endpoint)
{
  g_autoptr (GUri) uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GInetAddress) address = NULL;
  const char *host = uri ? g_uri_get_host (uri) : NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

HeraldConnection *
herald_connection_new (HeraldFeed *feed, SoupSession *session, GNetworkMonitor *monitor)
{
  HeraldConnection *self;

  g_return_val_if_fail (HERALD_IS_FEED (feed), NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);

  self = g_object_new (HERALD_TYPE_CONNECTION, NULL);
  self->feed = g_object_ref (feed);
  self->session = g_object_ref (session);
  self->monitor = g_object_ref (monitor ? monitor : g_network_monitor_get_default ());
  /* The system's monitor reports "no network" on a machine without a default route, yet
   * loopback works there; an injected monitor (tests) is always believed. */
  self->loopback
    = monitor == NULL
      && endpoint_is_loopback (herald_account_get_endpoint (herald_feed_get_account (feed)));
  herald_feed_set_sink (feed, &connection_sink, self);
  self->network_was_available = g_network_monitor_get_network_available (self->monitor);
  self->network_watch = network_watch_new (self);
  g_signal_connect_data (self->monitor, "network-changed", G_CALLBACK (network_changed_cb),
                         self->network_watch, network_watch_closure_free, 0);
  return self;
}

void
herald_connection_set_event_func (HeraldConnection *self, HeraldConnectionEventFunc func,
                                  gpointer user_data)
{
  g_return_if_fail (HERALD_IS_CONNECTION (self));
  self->event_func = func;
  self->event_func_data = user_data;
}

void
herald_connection_start (HeraldConnection *self)
{
  g_return_if_fail (HERALD_IS_CONNECTION (self));

  if (self->running)
    return;
  self->running = TRUE;
  herald_backoff_reset (&self->backoff);
  attempt (self);
}

void
herald_connection_stop (HeraldConnection *self)
{
  g_return_if_fail (HERALD_IS_CONNECTION (self));

  self->running = FALSE;
  cancel_attempt (self);
  abandon_socket (self, SOUP_WEBSOCKET_CLOSE_NORMAL, FALSE);
  clear_timers (self);
  set_state (self, HERALD_CONNECTION_DISABLED, _ ("Disabled"));
}

void
herald_connection_retry_now (HeraldConnection *self)
{
  g_return_if_fail (HERALD_IS_CONNECTION (self));

  self->running = TRUE;
  herald_backoff_reset (&self->backoff);
  attempt (self);
}

HeraldFeed *
herald_connection_get_feed (HeraldConnection *self)
{
  g_return_val_if_fail (HERALD_IS_CONNECTION (self), NULL);
  return self->feed;
}

HeraldConnectionState
herald_connection_get_state (HeraldConnection *self)
{
  g_return_val_if_fail (HERALD_IS_CONNECTION (self), HERALD_CONNECTION_DISABLED);
  return self->state;
}

const char *
herald_connection_get_reason (HeraldConnection *self)
{
  g_return_val_if_fail (HERALD_IS_CONNECTION (self), NULL);
  return self->reason;
}

const HeraldConnectionCounters *
herald_connection_get_counters (HeraldConnection *self)
{
  g_return_val_if_fail (HERALD_IS_CONNECTION (self), NULL);
  return &self->counters;
}

void
herald_connection_note_duplicate (HeraldConnection *self)
{
  g_return_if_fail (HERALD_IS_CONNECTION (self));
  self->counters.duplicates++;
}

guint
herald_connection_get_retry_delay_ms (HeraldConnection *self)
{
  g_return_val_if_fail (HERALD_IS_CONNECTION (self), 0);
  return self->retry_delay_ms;
}

void
herald_connection_set_backoff (HeraldConnection *self, guint base_ms, guint cap_ms, guint stable_ms,
                               guint32 seed)
{
  g_return_if_fail (HERALD_IS_CONNECTION (self));
  g_return_if_fail (base_ms > 0 && cap_ms >= base_ms);

  herald_backoff_clear (&self->backoff);
  herald_backoff_init (&self->backoff, base_ms, cap_ms, seed);
  self->stable_ms = stable_ms;
}

void
herald_connection_set_max_payload (HeraldConnection *self, guint64 max_bytes)
{
  g_return_if_fail (HERALD_IS_CONNECTION (self));
  g_return_if_fail (max_bytes > 0);
  self->max_payload = max_bytes;
}
