/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-connection.c — the connection engine against a scripted WebSocket server on loopback,
 * driving the real Pally feed: liveness, close codes, backoff, refusals, bad frames, network. */
#include "config.h"

#include <string.h>

#include "herald-providers.h"
#include "herald-test-feed.h"
#include "herald-test-monitor.h"

typedef struct
{
  SoupServer *server;
  guint port;
  guint connections;
  gboolean answer_pings;
  guint pings_received;
  GPtrArray *sockets; /* open server-side sockets, newest last */
} TestServer;

typedef struct
{
  TestServer srv;
  HeraldTestMonitor *monitor;
  HeraldTestLive *live;
} Fixture;

static const char *
tip_frame (const char *id)
{
  static char frame[1024];

  g_snprintf (frame, sizeof frame,
              "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{\"createdAt\":\"2024-"
              "03-13T18:02:33.743Z\","
              "\"displayName\":\"Someone\",\"grossAmountInCents\":500,\"id\":\"%s\",\"message\":"
              "\"Great stream!\","
              "\"netAmountInCents\":500,\"processingFeeInCents\":0},\"page\":{\"id\":\"1\","
              "\"slug\":\"pally\","
              "\"title\":\"Pally.gg's Team Page\",\"url\":\"https://pally.gg/p/pally\"}}}",
              id);
  return frame;
}

static void
server_message_cb (SoupWebsocketConnection *socket, gint type, GBytes *message, gpointer user_data)
{
  TestServer *srv = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (length == 4 && memcmp (data, "ping", 4) == 0)
    {
      srv->pings_received++;
      if (srv->answer_pings)
        soup_websocket_connection_send_text (socket, "pong");
    }
}

static void
server_closed_cb (SoupWebsocketConnection *socket, gpointer user_data)
{
  TestServer *srv = user_data;

  g_ptr_array_remove (srv->sockets, socket);
}

static void
websocket_cb (SoupServer *server, SoupServerMessage *msg, const char *path,
              SoupWebsocketConnection *socket, gpointer user_data)
{
  TestServer *srv = user_data;

  srv->connections++;
  g_signal_connect (socket, "message", G_CALLBACK (server_message_cb), srv);
  g_signal_connect (socket, "closed", G_CALLBACK (server_closed_cb), srv);
  g_ptr_array_add (srv->sockets, g_object_ref (socket));
}

static void
refuse_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
           gpointer user_data)
{
  TestServer *srv = user_data;

  srv->connections++;
  if (g_str_equal (path, "/refuse-429"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "2");
      soup_server_message_set_status (msg, 429, NULL);
      return;
    }
  soup_server_message_set_status (msg, g_str_equal (path, "/refuse-401") ? 401 : 503, NULL);
}

static void
server_start (TestServer *srv)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  srv->server = soup_server_new (NULL, NULL);
  srv->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  srv->answer_pings = TRUE;
  soup_server_add_websocket_handler (srv->server, "/feed", NULL, NULL, websocket_cb, srv, NULL);
  soup_server_add_handler (srv->server, "/refuse-401", refuse_cb, srv, NULL);
  soup_server_add_handler (srv->server, "/refuse-503", refuse_cb, srv, NULL);
  soup_server_add_handler (srv->server, "/refuse-429", refuse_cb, srv, NULL);
  soup_server_listen_local (srv->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (srv->server);
  srv->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
}

static SoupWebsocketConnection *
server_socket (TestServer *srv)
{
  g_assert_cmpuint (srv->sockets->len, >, 0);
  return g_ptr_array_index (srv->sockets, srv->sockets->len - 1);
}

/* Builds a Pally account at path on the test server, with short timings. */
static void
make_connection (Fixture *fixture, const char *path, GNetworkMonitor *monitor)
{
  g_autofree char *endpoint = g_strdup_printf ("ws://127.0.0.1:%u%s", fixture->srv.port, path);
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_PALLY, "pally-00c0ffee");
  g_autoptr (HeraldFeed) feed = NULL;
  HeraldFeedTiming timing = { .heartbeat_ms = 100, .reply_deadline_ms = 150 };

  herald_account_set_label (account, "Tips");
  herald_account_set_endpoint (account, endpoint);
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "api-key", "pk_test_secret");
  herald_feed_set_timing (feed, &timing);
  fixture->live = herald_test_live_new (feed, monitor);
  herald_connection_set_backoff (fixture->live->connection, 20, 80, 60000, 1234);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  server_start (&fixture->srv);
  fixture->monitor = herald_test_monitor_new (TRUE);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->live, herald_test_live_free);
  g_clear_object (&fixture->monitor);
  g_ptr_array_unref (fixture->srv.sockets);
  soup_server_disconnect (fixture->srv.server);
  g_clear_object (&fixture->srv.server);
  herald_test_drain ();
}

#define STATE(f) herald_connection_get_state ((f)->live->connection)
#define COUNTERS(f) herald_connection_get_counters ((f)->live->connection)

static void
test_connect_and_receive (Fixture *fixture, gconstpointer data)
{
  HeraldEvent *event;

  make_connection (fixture, "/feed", NULL);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  g_assert_cmpstr (herald_connection_get_reason (fixture->live->connection), ==, "Connected");

  soup_websocket_connection_send_text (server_socket (&fixture->srv), tip_frame ("tip-1"));
  HERALD_TEST_WAIT_UNTIL (fixture->live->events->len == 1, 5000);
  event = g_ptr_array_index (fixture->live->events, 0);
  g_assert_cmpstr (herald_event_get_id (event), ==, "tip-1");
  g_assert_cmpstr (herald_event_get_account (event), ==, "pally-00c0ffee");
  /* The tipper's name is isolated, so a right-to-left name cannot reorder the sentence. */
  g_assert_cmpstr (herald_event_get_title (event), ==, "\u2068Someone\u2069 tipped $5.00");
  g_assert_cmpstr (herald_event_get_body (event), ==, "Great stream!");
  g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_TIP);
  g_assert_cmpuint (COUNTERS (fixture)->connects, ==, 1);
  g_assert_cmpuint (COUNTERS (fixture)->messages, ==, 1);
  g_assert_cmpuint (COUNTERS (fixture)->events, ==, 1);

  /* Heartbeats go out and their answers keep the socket up. */
  HERALD_TEST_WAIT_UNTIL (fixture->srv.pings_received >= 3, 5000);
  g_assert_cmpuint (COUNTERS (fixture)->drops, ==, 0);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
}

static void
test_bad_frames_are_dropped (Fixture *fixture, gconstpointer data)
{
  static const char *const bad[] = {
    "{\"type\":\"campaigntip.notify\"",                                   /* truncated */
    "[1,2,3]",                                                            /* not an object */
    "{\"type\":42}",                                                      /* type not a string */
    "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{}}}", /* no tip id */
    "",                                                                   /* empty */
    "{\"type\":\"campaigntip.notify\"} trailing",
  };
  g_autoptr (GBytes) binary = g_bytes_new_static ("\x00\x01\x02", 3);
  /* A complete unmasked text frame (FIN + opcode 1, 14 bytes) whose payload is not UTF-8:
   * libsoup will not send one, so it goes straight onto the server's stream. */
  static const char invalid_utf8_frame[] = "\x81\x0e{\"type\":\"x\xff\xfe\"}";
  GOutputStream *raw;
  SoupWebsocketConnection *socket;

  make_connection (fixture, "/feed", NULL);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  socket = server_socket (&fixture->srv);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    soup_websocket_connection_send_text (socket, bad[i]);
  soup_websocket_connection_send_binary (socket, g_bytes_get_data (binary, NULL), 3);
  soup_websocket_connection_send_text (socket, "{\"type\":\"campaign.ended\",\"payload\":{}}");
  soup_websocket_connection_send_text (socket, tip_frame ("tip-after-garbage"));

  HERALD_TEST_WAIT_UNTIL (fixture->live->events->len == 2, 5000);
  /* Nonsense is counted and dropped; the unknown type is kept; the socket stays up. */
  g_assert_cmpuint (COUNTERS (fixture)->malformed, ==, G_N_ELEMENTS (bad) + 1);
  g_assert_cmpstr (herald_event_get_event_type (g_ptr_array_index (fixture->live->events, 0)), ==,
                   "campaign.ended");
  g_assert_cmpstr (herald_event_get_title (g_ptr_array_index (fixture->live->events, 0)), ==,
                   "Pally: campaign.ended");
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fixture->live->events, 1)), ==,
                   "tip-after-garbage");
  g_assert_cmpuint (COUNTERS (fixture)->drops, ==, 0);
  g_assert_cmpint (STATE (fixture), ==, HERALD_CONNECTION_CONNECTED);

  /* Invalid UTF-8 in a text frame breaks the WebSocket protocol itself: libsoup closes
   * that socket (1007); the engine reconnects and events flow again. */
  raw = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (socket));
  g_assert_true (g_output_stream_write_all (raw, invalid_utf8_frame, 16, NULL, NULL, NULL));
  HERALD_TEST_WAIT_UNTIL (
    fixture->srv.connections == 2 && STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  soup_websocket_connection_send_text (server_socket (&fixture->srv), tip_frame ("tip-after-utf8"));
  HERALD_TEST_WAIT_UNTIL (fixture->live->events->len == 3, 5000);
  g_assert_cmpuint (COUNTERS (fixture)->drops, ==, 1);
}

static void
test_oversized_frame_reconnects (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GString) huge = g_string_new ("{\"type\":\"campaigntip.notify\",\"pad\":\"");

  while (huge->len < 200 * 1024)
    g_string_append (huge, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  g_string_append (huge, "\"}");

  make_connection (fixture, "/feed", NULL);
  herald_connection_set_max_payload (fixture->live->connection, 64 * 1024);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  soup_websocket_connection_send_text (server_socket (&fixture->srv), huge->str);

  /* The client refuses the frame (1009) and comes back. */
  HERALD_TEST_WAIT_UNTIL (
    fixture->srv.connections == 2 && STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  g_assert_cmpuint (COUNTERS (fixture)->drops, ==, 1);
  g_assert_cmpuint (fixture->live->events->len, ==, 0);
  soup_websocket_connection_send_text (server_socket (&fixture->srv),
                                       tip_frame ("tip-after-oversized"));
  HERALD_TEST_WAIT_UNTIL (fixture->live->events->len == 1, 5000);
}

static void
test_unanswered_heartbeat_reconnects (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/feed", NULL);
  fixture->srv.answer_pings = FALSE;
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);

  /* 100 ms heartbeat, 150 ms deadline: the silent server is dropped and dialled again. */
  HERALD_TEST_WAIT_UNTIL (fixture->srv.connections >= 2, 5000);
  g_assert_cmpuint (COUNTERS (fixture)->drops, >=, 1);
  g_assert_true (herald_test_live_saw_state (fixture->live, HERALD_CONNECTION_BACKING_OFF));

  /* Once the server answers again, the connection stays. */
  fixture->srv.answer_pings = TRUE;
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  {
    guint connections = fixture->srv.connections;

    herald_test_spin (600);
    g_assert_cmpuint (fixture->srv.connections, ==, connections);
    g_assert_cmpint (STATE (fixture), ==, HERALD_CONNECTION_CONNECTED);
  }
}

static void
test_silence_past_liveness_reconnects (Fixture *fixture, gconstpointer data)
{
  HeraldFeedTiming timing = { .liveness_ms = 200 };

  make_connection (fixture, "/feed", NULL);
  herald_feed_set_timing (fixture->live->feed, &timing); /* no heartbeat: only the deadline */
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);

  /* Frames keep it alive... */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("tip-%u", i);

      soup_websocket_connection_send_text (server_socket (&fixture->srv), tip_frame (id));
      herald_test_spin (80);
    }
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
  /* ...silence does not. */
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_BACKING_OFF, 5000);
  g_assert_nonnull (
    strstr (herald_connection_get_reason (fixture->live->connection), "went silent"));
  HERALD_TEST_WAIT_UNTIL (fixture->srv.connections == 2, 5000);
  g_assert_cmpuint (COUNTERS (fixture)->drops, ==, 1);
}

/* A feed whose timing asks for it is judged by what reaches the socket beneath the WebSocket:
 * the server's pings, which libsoup answers by itself and no frame reports, keep it alive; a
 * server that stops sending even those is dropped and connected again. */
static void
test_transport_silence_reconnects (Fixture *fixture, gconstpointer data)
{
  /* Pings come every second; the window is three times that, so a loaded machine that
   * schedules the in-process server late cannot pass for silence. */
  HeraldFeedTiming timing = { .tcp_keepalive_s = 30, .transport_silence_ms = 3000 };

  make_connection (fixture, "/feed", NULL);
  herald_feed_set_timing (fixture->live->feed, &timing); /* no heartbeat, no frame deadline */
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);

  /* Pings every second, no frame at all: alive, well past the window. */
  soup_websocket_connection_set_keepalive_interval (server_socket (&fixture->srv), 1);
  herald_test_spin (5000);
  g_assert_cmpint (STATE (fixture), ==, HERALD_CONNECTION_CONNECTED);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
  g_assert_cmpuint (COUNTERS (fixture)->messages, ==, 0);

  /* Nothing, not even a ping: dropped. */
  soup_websocket_connection_set_keepalive_interval (server_socket (&fixture->srv), 0);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_BACKING_OFF, 10000);
  g_assert_nonnull (
    strstr (herald_connection_get_reason (fixture->live->connection), "went silent"));
  HERALD_TEST_WAIT_UNTIL (fixture->srv.connections == 2, 5000);
  g_assert_cmpuint (COUNTERS (fixture)->drops, ==, 1);
}

static void
test_policy_close_needs_attention (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/feed", NULL);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  soup_websocket_connection_close (server_socket (&fixture->srv),
                                   SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "Unauthorized");

  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_NEEDS_ATTENTION, 5000);
  g_assert_cmpstr (herald_connection_get_reason (fixture->live->connection), ==,
                   "Pally refused the API key");
  /* No retry storm: nothing more happens until the user acts. */
  herald_test_spin (500);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
  g_assert_cmpint (STATE (fixture), ==, HERALD_CONNECTION_NEEDS_ATTENTION);

  herald_connection_retry_now (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  g_assert_cmpuint (fixture->srv.connections, ==, 2);
}

static void
test_normal_close_reconnects (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/feed", NULL);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  soup_websocket_connection_close (server_socket (&fixture->srv), SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                   "restart");
  HERALD_TEST_WAIT_UNTIL (
    fixture->srv.connections == 2 && STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  g_assert_cmpuint (COUNTERS (fixture)->drops, ==, 1);
  g_assert_cmpuint (COUNTERS (fixture)->connects, ==, 2);
}

/* Pally's key rides in the upgrade, so its session is confirmed as the socket opens. What
 * one socket confirmed is cleared when the next opens: each new socket is confirmed anew. */
static void
test_authenticated_per_socket (Fixture *fixture, gconstpointer data)
{
  guint authenticated = 0;

  make_connection (fixture, "/feed", NULL);
  herald_test_count_authenticated (fixture->live->feed, &authenticated);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  g_assert_true (herald_feed_is_authenticated (fixture->live->feed));
  g_assert_cmpuint (authenticated, ==, 1);

  soup_websocket_connection_close (server_socket (&fixture->srv), SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                   "restart");
  HERALD_TEST_WAIT_UNTIL (
    fixture->srv.connections == 2 && STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  g_assert_true (herald_feed_is_authenticated (fixture->live->feed));
  /* Reported again, so it was cleared in between. */
  g_assert_cmpuint (authenticated, ==, 2);
}

static void
test_http_401_needs_attention (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/refuse-401", NULL);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_NEEDS_ATTENTION, 5000);
  g_assert_cmpstr (herald_connection_get_reason (fixture->live->connection), ==,
                   "The server refused the credentials (HTTP 401)");
  herald_test_spin (300);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
}

static void
test_unavailable_backs_off (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/refuse-503", NULL);
  herald_connection_start (fixture->live->connection);
  /* Base 20 ms, cap 80 ms: several attempts, each delay within the cap. */
  HERALD_TEST_WAIT_UNTIL (fixture->srv.connections >= 6, 5000);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_BACKING_OFF, 5000);
  g_assert_cmpuint (herald_connection_get_retry_delay_ms (fixture->live->connection), <=, 80);
  g_assert_nonnull (strstr (herald_connection_get_reason (fixture->live->connection), "HTTP 503"));
  g_assert_cmpuint (COUNTERS (fixture)->connects, ==, 0);
}

static void
test_refused_port_backs_off (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/feed", NULL);
  /* Nothing listens there any more. */
  soup_server_disconnect (fixture->srv.server);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_BACKING_OFF, 5000);
  g_assert_nonnull (
    strstr (herald_connection_get_reason (fixture->live->connection), "refused the connection"));
}

static void
test_network_monitor (Fixture *fixture, gconstpointer data)
{
  herald_test_monitor_set_available (fixture->monitor, FALSE);
  make_connection (fixture, "/feed", G_NETWORK_MONITOR (fixture->monitor));
  /* A long backoff, so an attempt right after the network returns can only be the
   * immediate one. */
  herald_connection_set_backoff (fixture->live->connection, 10000, 10000, 60000, 5);

  herald_connection_start (fixture->live->connection);
  g_assert_cmpint (STATE (fixture), ==, HERALD_CONNECTION_OFFLINE);
  herald_test_spin (200);
  g_assert_cmpuint (fixture->srv.connections, ==, 0);

  herald_test_monitor_set_available (fixture->monitor, TRUE);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);

  /* Dropped while the network is gone: no attempts until it is back, then one at once. */
  herald_test_monitor_set_available (fixture->monitor, FALSE);
  g_assert_cmpint (STATE (fixture), ==,
                   HERALD_CONNECTION_CONNECTED); /* an open socket is left alone */
  soup_websocket_connection_close (server_socket (&fixture->srv), SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                   NULL);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_OFFLINE, 5000);
  herald_test_spin (300);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
  herald_test_monitor_set_available (fixture->monitor, TRUE);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 2000);
  g_assert_cmpuint (fixture->srv.connections, ==, 2);
}

/* Monitors announce every route or VPN change; only a real return of the network may cut
 * a backoff short. */
static void
test_network_chatter_keeps_backoff (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/refuse-503", G_NETWORK_MONITOR (fixture->monitor));
  herald_connection_set_backoff (fixture->live->connection, 5000, 5000, 60000, 9);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_BACKING_OFF, 5000);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);

  for (guint i = 0; i < 20; i++)
    {
      herald_test_monitor_set_available (fixture->monitor, TRUE);
      herald_test_spin (20);
    }
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
  g_assert_cmpint (STATE (fixture), ==, HERALD_CONNECTION_BACKING_OFF);
}

/* A 429 on the handshake: its own Retry-After decides, and a network that comes back
 * does not override it. */
static void
test_rate_limited_handshake (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/refuse-429", G_NETWORK_MONITOR (fixture->monitor));
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_BACKING_OFF, 5000);
  g_assert_cmpuint (herald_connection_get_retry_delay_ms (fixture->live->connection), >=, 2000);

  herald_test_monitor_set_available (fixture->monitor, FALSE);
  herald_test_monitor_set_available (fixture->monitor, TRUE);
  herald_test_spin (500);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
  HERALD_TEST_WAIT_UNTIL (fixture->srv.connections == 2, 5000);
}

static void
test_reasons_never_carry_a_key (Fixture *fixture, gconstpointer data)
{
  g_autofree char *redacted = NULL;

  make_connection (fixture, "/feed", NULL);
  redacted
    = herald_feed_redact (fixture->live->feed, "refused key pk_test_secret, twice: pk_test_secret");
  g_assert_cmpstr (redacted, ==, "refused key …, twice: …");
  g_assert_null (strstr (redacted, "pk_test_secret"));
}

static void
test_stop_disables (Fixture *fixture, gconstpointer data)
{
  make_connection (fixture, "/feed", NULL);
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  herald_connection_stop (fixture->live->connection);
  g_assert_cmpint (STATE (fixture), ==, HERALD_CONNECTION_DISABLED);
  HERALD_TEST_WAIT_UNTIL (fixture->srv.sockets->len == 0, 5000);
  herald_test_spin (300);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
}

/* The state property carries the registered enum, as bindings and GtkBuilder read it; its
 * nicks are the names the command line and logs print. */
static void
test_state_property_is_typed (Fixture *fixture, gconstpointer data)
{
  g_auto (GValue) value = G_VALUE_INIT;
  g_autoptr (GEnumClass) states = g_type_class_ref (HERALD_TYPE_CONNECTION_STATE);
  HeraldConnectionState state = HERALD_CONNECTION_NEEDS_ATTENTION;

  make_connection (fixture, "/feed", NULL);
  g_object_get_property (G_OBJECT (fixture->live->connection), "state", &value);
  g_assert_true (G_VALUE_HOLDS (&value, HERALD_TYPE_CONNECTION_STATE));
  g_assert_cmpint (g_value_get_enum (&value), ==, HERALD_CONNECTION_DISABLED);

  herald_connection_start (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (STATE (fixture) == HERALD_CONNECTION_CONNECTED, 5000);
  g_object_get (fixture->live->connection, "state", &state, NULL);
  g_assert_cmpint (state, ==, HERALD_CONNECTION_CONNECTED);

  g_assert_cmpuint (states->n_values, ==, HERALD_CONNECTION_NEEDS_ATTENTION + 1);
  for (guint i = 0; i < states->n_values; i++)
    g_assert_cmpstr (states->values[i].value_nick, ==,
                     herald_connection_state_to_string (states->values[i].value));
  herald_connection_stop (fixture->live->connection);
  HERALD_TEST_WAIT_UNTIL (fixture->srv.sockets->len == 0, 5000);
  herald_test_spin (300);
  g_assert_cmpuint (fixture->srv.connections, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/connection/connect-and-receive", test_connect_and_receive);
  ADD ("/connection/bad-frames-are-dropped", test_bad_frames_are_dropped);
  ADD ("/connection/oversized-frame-reconnects", test_oversized_frame_reconnects);
  ADD ("/connection/unanswered-heartbeat-reconnects", test_unanswered_heartbeat_reconnects);
  ADD ("/connection/silence-past-liveness-reconnects", test_silence_past_liveness_reconnects);
  ADD ("/connection/transport-silence-reconnects", test_transport_silence_reconnects);
  ADD ("/connection/policy-close-needs-attention", test_policy_close_needs_attention);
  ADD ("/connection/normal-close-reconnects", test_normal_close_reconnects);
  ADD ("/connection/authenticated-per-socket", test_authenticated_per_socket);
  ADD ("/connection/http-401-needs-attention", test_http_401_needs_attention);
  ADD ("/connection/unavailable-backs-off", test_unavailable_backs_off);
  ADD ("/connection/refused-port-backs-off", test_refused_port_backs_off);
  ADD ("/connection/network-monitor", test_network_monitor);
  ADD ("/connection/network-chatter-keeps-backoff", test_network_chatter_keeps_backoff);
  ADD ("/connection/rate-limited-handshake", test_rate_limited_handshake);
  ADD ("/connection/reasons-never-carry-a-key", test_reasons_never_carry_a_key);
  ADD ("/connection/stop-disables", test_stop_disables);
  ADD ("/connection/state-property-is-typed", test_state_property_is_typed);
#undef ADD
  return g_test_run ();
}
