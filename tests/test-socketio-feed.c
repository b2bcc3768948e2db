/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-socketio-feed.c — HeraldSocketioFeed through a real HeraldConnection against a Socket.IO
 * server this project did not write (python3-socketio, tests/socketio-server.py). */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-socketio-feed.h"
#include "herald-test-feed.h"

#define PYTHON "/usr/bin/python3"
#define GOOD_TOKEN "good-token"
/* Short enough for quick tests; the server times out a client that does not pong as fast. */
#define PING_INTERVAL_MS 300
#define PING_TIMEOUT_MS 300
#define WINDOW_MS (PING_INTERVAL_MS + PING_TIMEOUT_MS)
#define WAIT_MS 10000

/* --- a minimal feed on top of the class under test --- */

#define TEST_TYPE_SIO_FEED (test_sio_feed_get_type ())
G_DECLARE_FINAL_TYPE (TestSioFeed, test_sio_feed, TEST, SIO_FEED, HeraldSocketioFeed)

struct _TestSioFeed
{
  HeraldSocketioFeed parent_instance;
  char *nsp;
  GPtrArray *names; /* event names, in arrival order */
  GPtrArray *args;  /* each event's first argument, as JSON text */
  guint joins;
};

G_DEFINE_FINAL_TYPE (TestSioFeed, test_sio_feed, HERALD_TYPE_SOCKETIO_FEED)

static const char *
test_sio_feed_get_namespace (HeraldSocketioFeed *sio)
{
  return TEST_SIO_FEED (sio)->nsp;
}

static char *
test_sio_feed_build_auth (HeraldSocketioFeed *sio, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, herald_feed_get_credential (HERALD_FEED (sio), "token"));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
test_sio_feed_connected (HeraldSocketioFeed *sio, const char *sid)
{
  g_assert_nonnull (sid);
  TEST_SIO_FEED (sio)->joins++;
}

static void
test_sio_feed_event (HeraldSocketioFeed *sio, const char *name, HeraldJsonNode args,
                     const char *frame, gsize length)
{
  TestSioFeed *self = TEST_SIO_FEED (sio);
  gsize len = 0;
  const char *raw = herald_json_node_raw (herald_json_node_element (args, 1), &len);

  g_ptr_array_add (self->names, g_strdup (name));
  g_ptr_array_add (self->args, raw != NULL ? g_strndup (raw, len) : g_strdup (""));
}

static void
test_sio_feed_finalize (GObject *object)
{
  TestSioFeed *self = TEST_SIO_FEED (object);

  g_free (self->nsp);
  g_ptr_array_unref (self->names);
  g_ptr_array_unref (self->args);
  G_OBJECT_CLASS (test_sio_feed_parent_class)->finalize (object);
}

static void
test_sio_feed_class_init (TestSioFeedClass *klass)
{
  HeraldSocketioFeedClass *sio_class = HERALD_SOCKETIO_FEED_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_sio_feed_finalize;
  sio_class->get_namespace = test_sio_feed_get_namespace;
  sio_class->build_auth = test_sio_feed_build_auth;
  sio_class->connected = test_sio_feed_connected;
  sio_class->event = test_sio_feed_event;
}

static void
test_sio_feed_init (TestSioFeed *self)
{
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->args = g_ptr_array_new_with_free_func (g_free);
}

/* --- fixture --- */

typedef struct
{
  const char *nsp;   /* NULL: the main namespace */
  const char *token; /* NULL: the good one */
} Options;

typedef struct
{
  GSubprocess *server;
  GOutputStream *server_in;
  GDataInputStream *server_out;
  guint16 port;

  /* For the handshake tests: an in-process server that never completes the handshake. */
  SoupServer *mute_server;
  GPtrArray *mute_sockets;
  gboolean mute_sends_open;

  TestSioFeed *feed;
  HeraldTestLive *live;

  /* When the connection last left CONNECTED, and with what reason. */
  gint64 dropped_at;
  char *drop_reason;
} Fixture;

static void
line_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **line = user_data;
  g_autoptr (GError) error = NULL;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                     &error);
  g_assert_no_error (error);
  g_assert_nonnull (*line);
}

/* Sends one command line and returns the server's one-line JSON answer, parsed. */
static JsonNode *
server_command (Fixture *fixture, const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strconcat (command, "\n", NULL);
  g_autofree char *line = NULL;
  JsonNode *answer;

  g_output_stream_write_all (fixture->server_in, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_data_input_stream_read_line_async (fixture->server_out, G_PRIORITY_DEFAULT, NULL, line_read_cb,
                                       &line);
  HERALD_TEST_WAIT_UNTIL (line != NULL, WAIT_MS);
  answer = json_from_string (line, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  g_assert_false (json_object_has_member (json_node_get_object (answer), "error"));
  return answer;
}

static void
server_do (Fixture *fixture, const char *command)
{
  g_autoptr (JsonNode) answer = server_command (fixture, command);
}

static gint64
server_stat (Fixture *fixture, const char *name)
{
  g_autoptr (JsonNode) stats = server_command (fixture, "stats");
  JsonObject *object = json_node_get_object (stats);

  if (g_str_equal (name, "acks"))
    return json_array_get_length (json_object_get_array_member (object, "acks"));
  return json_object_get_int_member (object, name);
}

static void
wait_for_server_stat (Fixture *fixture, const char *name, gint64 at_least)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (server_stat (fixture, name) < at_least)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for the server's %s to reach %" G_GINT64_FORMAT, name,
                 at_least);
      herald_test_spin (50);
    }
}

static void
state_changed_cb (HeraldConnection *connection, GParamSpec *pspec, gpointer user_data)
{
  Fixture *fixture = user_data;

  if (herald_connection_get_state (connection) == HERALD_CONNECTION_BACKING_OFF
      || herald_connection_get_state (connection) == HERALD_CONNECTION_NEEDS_ATTENTION)
    {
      fixture->dropped_at = g_get_monotonic_time ();
      g_free (fixture->drop_reason);
      fixture->drop_reason = g_strdup (herald_connection_get_reason (connection));
    }
}

static void
start_python_server (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "socketio-server.py", NULL);
  g_autofree char *interval = g_strdup_printf ("%g", PING_INTERVAL_MS / 1000.0);
  g_autofree char *timeout = g_strdup_printf ("%g", PING_TIMEOUT_MS / 1000.0);
  g_autofree char *line = NULL;
  guint64 port = 0;

  fixture->server = g_subprocess_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, PYTHON, script,
    "--ping-interval", interval, "--ping-timeout", timeout, NULL);
  g_assert_no_error (error);
  fixture->server_in = g_object_ref (g_subprocess_get_stdin_pipe (fixture->server));
  fixture->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->server));
  line = g_data_input_stream_read_line_utf8 (fixture->server_out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("the Socket.IO server did not start: it needs python3-socketio and python3-aiohttp "
             "(build-aux/deps.sh test)");
  g_assert_true (g_ascii_string_to_unsigned (line, 10, 1, G_MAXUINT16, &port, NULL));
  fixture->port = (guint16)port;
}

static void
make_connection (Fixture *fixture, const Options *options)
{
  g_autofree char *endpoint = g_strdup_printf ("http://127.0.0.1:%u", fixture->port);
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_DIMES, "sio-test");

  herald_account_set_endpoint (account, endpoint);
  fixture->feed = g_object_new (TEST_TYPE_SIO_FEED, "account", account, NULL);
  fixture->feed->nsp = g_strdup (options ? options->nsp : "/test");
  herald_feed_set_credential (HERALD_FEED (fixture->feed), "token",
                              options && options->token ? options->token : GOOD_TOKEN);
  fixture->live = herald_test_live_new (HERALD_FEED (fixture->feed), NULL);
  herald_connection_set_backoff (fixture->live->connection, 100, 400, 60000, 1);
  g_signal_connect (fixture->live->connection, "notify::state", G_CALLBACK (state_changed_cb),
                    fixture);
}

/* data: the Options, or NULL for the defaults. */
static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  start_python_server (fixture);
  make_connection (fixture, data);
}

/* data belongs to the test (a server command). */
static void
fixture_setup_default (Fixture *fixture, gconstpointer data)
{
  fixture_setup (fixture, NULL);
}

static void
mute_websocket_cb (SoupServer *server, SoupServerMessage *msg, const char *path,
                   SoupWebsocketConnection *connection, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->mute_sockets, g_object_ref (connection));
  /* An Engine.IO session that opens but never answers the namespace; pings far apart, so
   * only the handshake deadline can end it. */
  if (fixture->mute_sends_open)
    soup_websocket_connection_send_text (
      connection,
      "0{\"sid\":\"mute\",\"upgrades\":[],\"pingInterval\":60000,\"pingTimeout\":60000}");
}

static void
fixture_setup_mute (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  fixture->mute_sends_open = GPOINTER_TO_INT (data);
  fixture->mute_sockets = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->mute_server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (fixture->mute_server, "/socket.io", NULL, NULL,
                                     mute_websocket_cb, fixture, NULL);
  soup_server_listen_local (fixture->mute_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->mute_server);
  fixture->port = (guint16)g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  make_connection (fixture, NULL);
}

static void
server_exited_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->live, herald_test_live_free);
  g_clear_object (&fixture->feed);

  if (fixture->server != NULL)
    {
      gboolean done = FALSE;
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

      /* The server exits when its standard input closes. */
      g_subprocess_wait_async (fixture->server, NULL, server_exited_cb, &done);
      g_output_stream_close (fixture->server_in, NULL, NULL);
      while (!done && g_get_monotonic_time () < deadline)
        herald_test_spin (20);
      if (!done)
        {
          g_subprocess_force_exit (fixture->server);
          while (!done)
            g_main_context_iteration (NULL, TRUE);
        }
    }
  g_clear_object (&fixture->server_in);
  g_clear_object (&fixture->server_out);
  g_clear_object (&fixture->server);

  g_clear_pointer (&fixture->mute_sockets, g_ptr_array_unref);
  g_clear_object (&fixture->mute_server);
  g_free (fixture->drop_reason);
}

/* --- conditions --- */

static gboolean
joined_once (Fixture *fixture)
{
  return fixture->feed->joins >= 1
         && herald_connection_get_state (fixture->live->connection) == HERALD_CONNECTION_CONNECTED;
}

static gboolean
joined_twice (Fixture *fixture)
{
  return fixture->feed->joins >= 2
         && herald_connection_get_state (fixture->live->connection) == HERALD_CONNECTION_CONNECTED;
}

static gboolean
dropped (Fixture *fixture)
{
  return fixture->dropped_at != 0;
}

static gboolean
needs_attention (Fixture *fixture)
{
  return herald_connection_get_state (fixture->live->connection)
         == HERALD_CONNECTION_NEEDS_ATTENTION;
}

static gboolean
has_three_events (Fixture *fixture)
{
  return fixture->feed->names->len >= 3;
}

static gboolean
has_one_event (Fixture *fixture)
{
  return fixture->feed->names->len >= 1;
}

static void
connect_and_join (Fixture *fixture)
{
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, joined_once (fixture), WAIT_MS);
  g_assert_true (herald_socketio_feed_get_joined (HERALD_SOCKETIO_FEED (fixture->feed)));
  g_assert_cmpuint (
    herald_socketio_feed_get_server_window_ms (HERALD_SOCKETIO_FEED (fixture->feed)), ==,
    WINDOW_MS);
  g_assert_cmpuint (herald_feed_get_timing (HERALD_FEED (fixture->feed))->liveness_ms, ==,
                    WINDOW_MS);
}

/* --- tests --- */

static void
test_events_and_heartbeat (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) arg = NULL;
  JsonObject *object;

  connect_and_join (fixture);
  server_do (fixture, "emit demo {\"n\": 1, \"text\": \"h\\u00e9llo \\\"you\\\"\"}");
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, has_one_event (fixture), WAIT_MS);
  g_assert_cmpstr (g_ptr_array_index (fixture->feed->names, 0), ==, "demo");
  arg = json_from_string (g_ptr_array_index (fixture->feed->args, 0), NULL);
  g_assert_nonnull (arg);
  object = json_node_get_object (arg);
  g_assert_cmpint (json_object_get_int_member (object, "n"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "text"), ==, "héllo \"you\"");

  /* The server drops a client that leaves a ping unanswered for PING_TIMEOUT_MS: several ping
   * intervals later, the same session must still be up. */
  herald_test_spin (6 * PING_INTERVAL_MS);
  g_assert_cmpint (herald_connection_get_state (fixture->live->connection), ==,
                   HERALD_CONNECTION_CONNECTED);
  g_assert_cmpuint (herald_connection_get_counters (fixture->live->connection)->connects, ==, 1);
  g_assert_cmpint (server_stat (fixture, "disconnects"), ==, 0);
  g_assert_cmpint (server_stat (fixture, "attempts"), ==, 1);
  g_assert_cmpuint (fixture->feed->joins, ==, 1);
  g_assert_cmpuint (herald_connection_get_counters (fixture->live->connection)->malformed, ==, 0);
}

static void
test_acks (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) stats = NULL;
  JsonArray *acks;

  connect_and_join (fixture);
  server_do (fixture, "emit-ack first {\"id\": \"evt_1\"}");
  server_do (fixture, "emit plain {\"id\": \"evt_2\"}");
  server_do (fixture, "emit-ack third {\"id\": \"evt_3\"}");
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, has_three_events (fixture), WAIT_MS);
  wait_for_server_stat (fixture, "acks", 2);

  /* Each ack the server asked for came back once, on the right namespace, and only those. */
  herald_test_spin (200);
  stats = server_command (fixture, "stats");
  acks = json_object_get_array_member (json_node_get_object (stats), "acks");
  g_assert_cmpuint (json_array_get_length (acks), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *ack = json_array_get_object_element (acks, i);

      g_assert_cmpstr (json_object_get_string_member (ack, "name"), ==, i == 0 ? "first" : "third");
      g_assert_cmpstr (json_object_get_string_member (ack, "namespace"), ==, "/test");
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (ack, "args")), ==, 0);
    }
  g_assert_cmpstr (g_ptr_array_index (fixture->feed->names, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (fixture->feed->names, 1), ==, "plain");
  g_assert_cmpstr (g_ptr_array_index (fixture->feed->names, 2), ==, "third");
}

static void
test_main_namespace (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) stats = NULL;
  JsonObject *ack;

  connect_and_join (fixture);
  server_do (fixture, "emit-ack hello {\"n\": 2}");
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, has_one_event (fixture), WAIT_MS);
  wait_for_server_stat (fixture, "acks", 1);
  stats = server_command (fixture, "stats");
  ack = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (stats), "acks"), 0);
  g_assert_cmpstr (json_object_get_string_member (ack, "namespace"), ==, "/");
  g_assert_cmpstr (g_ptr_array_index (fixture->feed->names, 0), ==, "hello");
}

static void
test_auth_refused (Fixture *fixture, gconstpointer data)
{
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, needs_attention (fixture), WAIT_MS);
  g_assert_cmpstr (herald_connection_get_reason (fixture->live->connection), ==,
                   "Dimes refused the connection: invalid token");
  g_assert_cmpuint (fixture->feed->joins, ==, 0);

  /* No retry storm: nothing more reaches the server. */
  herald_test_spin (1500);
  g_assert_cmpint (herald_connection_get_state (fixture->live->connection), ==,
                   HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpuint (herald_connection_get_counters (fixture->live->connection)->connects, ==, 1);
  g_assert_cmpint (server_stat (fixture, "attempts"), ==, 1);
  g_assert_cmpint (server_stat (fixture, "refused"), ==, 1);
}

static void
test_ping_timeout (Fixture *fixture, gconstpointer data)
{
  gint64 stalled_at;

  connect_and_join (fixture);
  server_do (fixture, "stall");
  stalled_at = g_get_monotonic_time ();
  fixture->dropped_at = 0;
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, dropped (fixture), WAIT_MS);

  /* At most one ping already on its way, then one window, plus scheduling slack. */
  g_assert_cmpint (fixture->dropped_at - stalled_at, <=,
                   (PING_INTERVAL_MS + WINDOW_MS + 400) * 1000);
  /* The client noticed, not the server: it would have closed the socket instead. */
  g_assert_true (
    g_str_has_prefix (fixture->drop_reason, "The server sent no heartbeat for 1 second "));

  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, joined_twice (fixture), WAIT_MS);
  wait_for_server_stat (fixture, "joins", 2);
  g_assert_cmpuint (herald_connection_get_counters (fixture->live->connection)->connects, ==, 2);
}

static void
test_server_ends_session (Fixture *fixture, gconstpointer data)
{
  const char *command = data;

  connect_and_join (fixture);
  fixture->dropped_at = 0;
  server_do (fixture, command);
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, dropped (fixture), WAIT_MS);
  g_assert_true (g_str_has_prefix (fixture->drop_reason, "The server ended the Socket.IO session"));
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, joined_twice (fixture), WAIT_MS);
  g_assert_cmpint (server_stat (fixture, "joins"), ==, 2);
  g_assert_cmpuint (herald_connection_get_counters (fixture->live->connection)->connects, ==, 2);
}

static void
test_binary_skipped (Fixture *fixture, gconstpointer data)
{
  connect_and_join (fixture);
  server_do (fixture, "emit-binary blob");
  server_do (fixture, "emit after {\"n\": 3}");
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, has_one_event (fixture), WAIT_MS);
  g_assert_cmpuint (fixture->feed->names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->feed->names, 0), ==, "after");
  /* The binary packet and its attachment frame, each counted and dropped; the socket stays. */
  g_assert_cmpuint (herald_connection_get_counters (fixture->live->connection)->malformed, ==, 2);
  g_assert_cmpuint (herald_connection_get_counters (fixture->live->connection)->connects, ==, 1);
  g_assert_cmpint (herald_connection_get_state (fixture->live->connection), ==,
                   HERALD_CONNECTION_CONNECTED);
}

static gboolean
two_mute_sockets (Fixture *fixture)
{
  return fixture->mute_sockets->len >= 2;
}

static void
test_handshake_deadline (Fixture *fixture, gconstpointer data)
{
  gint64 started;

  herald_socketio_feed_set_handshake_timeout (HERALD_SOCKETIO_FEED (fixture->feed), 300);
  started = g_get_monotonic_time ();
  herald_connection_start (fixture->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, dropped (fixture), WAIT_MS);
  g_assert_cmpint (fixture->dropped_at - started, >=, 300 * 1000);
  g_assert_cmpint (fixture->dropped_at - started, <, 2000 * 1000);
  g_assert_true (g_str_has_prefix (
    fixture->drop_reason, "The server did not complete the Socket.IO handshake within 1 second "));
  g_assert_cmpuint (fixture->feed->joins, ==, 0);
  /* And it tries again. */
  HERALD_TEST_LIVE_WAIT_UNTIL (fixture->live, two_mute_sockets (fixture), WAIT_MS);
}

int
main (int argc, char *argv[])
{
  static const Options main_namespace = { NULL, NULL };
  static const Options bad_token = { "/test", "wrong-token" };

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/socketio-feed/events-and-heartbeat", Fixture, NULL, fixture_setup,
              test_events_and_heartbeat, fixture_teardown);
  g_test_add ("/socketio-feed/acks", Fixture, NULL, fixture_setup, test_acks, fixture_teardown);
  g_test_add ("/socketio-feed/main-namespace", Fixture, &main_namespace, fixture_setup,
              test_main_namespace, fixture_teardown);
  g_test_add ("/socketio-feed/auth-refused", Fixture, &bad_token, fixture_setup, test_auth_refused,
              fixture_teardown);
  g_test_add ("/socketio-feed/ping-timeout", Fixture, NULL, fixture_setup, test_ping_timeout,
              fixture_teardown);
  g_test_add ("/socketio-feed/namespace-disconnect", Fixture, "kick", fixture_setup_default,
              test_server_ends_session, fixture_teardown);
  g_test_add ("/socketio-feed/engine-close", Fixture, "close", fixture_setup_default,
              test_server_ends_session, fixture_teardown);
  g_test_add ("/socketio-feed/binary-skipped", Fixture, NULL, fixture_setup, test_binary_skipped,
              fixture_teardown);
  g_test_add ("/socketio-feed/no-open-packet", Fixture, GINT_TO_POINTER (FALSE), fixture_setup_mute,
              test_handshake_deadline, fixture_teardown);
  g_test_add ("/socketio-feed/no-namespace-answer", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup_mute, test_handshake_deadline, fixture_teardown);

  return g_test_run ();
}
