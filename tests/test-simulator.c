/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-simulator.c — herald-simulator against plain libsoup clients: each feed's handshake
 * and refusals as documented, and the scripted misbehaviour scenarios. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "herald-simulator.h"
#include "herald-test-feed.h"

#define WAIT_MS 3000

typedef struct
{
  HeraldSimulator *sim;
  SoupSession *session;
} Fixture;

typedef struct
{
  SoupWebsocketConnection *ws;
  GQueue texts; /* char *, in arrival order */
  guint n_binary;
  gboolean closed;
  gushort close_code;
  char *close_data;
} Client;

/* --- fixture --- */

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->sim = herald_simulator_new ();
  herald_simulator_set_recording (f->sim, TRUE);
  g_assert_true (herald_simulator_listen (f->sim, 0, &error));
  g_assert_no_error (error);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->sim);
  herald_test_spin (20);
}

static void
scenario (Fixture *f, const char *feed, const char *spec)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (herald_simulator_parse_scenario (f->sim, feed, spec, &error));
  g_assert_no_error (error);
}

/* --- WebSocket clients --- */

static void
client_message_cb (SoupWebsocketConnection *ws, int type, GBytes *message, gpointer user_data)
{
  Client *client = user_data;
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);

  if (type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      client->n_binary++;
      return;
    }
  g_assert_true (g_utf8_validate (data, (gssize)len, NULL));
  g_queue_push_tail (&client->texts, g_strndup (data, len));
}

static void
client_closed_cb (SoupWebsocketConnection *ws, gpointer user_data)
{
  Client *client = user_data;

  client->closed = TRUE;
  client->close_code = soup_websocket_connection_get_close_code (ws);
  client->close_data = g_strdup (soup_websocket_connection_get_close_data (ws));
}

typedef struct
{
  gboolean done;
  SoupWebsocketConnection *ws;
  GError *error;
} ConnectResult;

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ConnectResult *r = user_data;

  r->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &r->error);
  r->done = TRUE;
}

static Client *
client_try_connect (Fixture *f, const char *url, const char *protocol, guint *http_status,
                    GError **error)
{
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  char *protocols[] = { (char *)protocol, NULL };
  ConnectResult r = { FALSE, NULL, NULL };
  Client *client;

  g_assert_nonnull (msg);
  soup_session_websocket_connect_async (f->session, msg, NULL, protocol != NULL ? protocols : NULL,
                                        G_PRIORITY_DEFAULT, NULL, connected_cb, &r);
  HERALD_TEST_WAIT_UNTIL (r.done, WAIT_MS);
  if (http_status != NULL)
    *http_status = soup_message_get_status (msg);
  if (r.ws == NULL)
    {
      g_propagate_error (error, r.error);
      return NULL;
    }

  client = g_new0 (Client, 1);
  client->ws = r.ws;
  /* The oversized scenario sends megabytes in one frame. */
  soup_websocket_connection_set_max_incoming_payload_size (client->ws, 0);
  g_signal_connect (client->ws, "message", G_CALLBACK (client_message_cb), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (client_closed_cb), client);
  return client;
}

static Client *
client_connect (Fixture *f, const char *url, const char *protocol)
{
  g_autoptr (GError) error = NULL;
  Client *client = client_try_connect (f, url, protocol, NULL, &error);

  g_assert_no_error (error);
  return client;
}

static void
client_free (Client *client)
{
  g_signal_handlers_disconnect_by_data (client->ws, client);
  if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (client->ws);
  g_queue_clear_full (&client->texts, g_free);
  g_free (client->close_data);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

/* The next text frame, or NULL once the socket closed or @ms passed. */
static char *
client_next (Client *client, guint ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, herald_test_flag_cb, &timed_out);

  while (g_queue_is_empty (&client->texts) && !client->closed && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return g_queue_pop_head (&client->texts);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

/* The next frame as a JSON object; fails the test if it is not one. */
static JsonObject *
client_next_object (Client *client, JsonNode **holder)
{
  g_autofree char *text = client_next (client, WAIT_MS);

  g_assert_nonnull (text);
  *holder = parse_json (text);
  g_assert_nonnull (*holder);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*holder));
  return json_node_get_object (*holder);
}

static void
client_send (Client *client, const char *text)
{
  soup_websocket_connection_send_text (client->ws, text);
}

static void
client_wait_closed (Client *client, guint ms)
{
  HERALD_TEST_WAIT_UNTIL (client->closed, ms);
}

static const char *
object_path_string (JsonObject *object, const char *first, const char *second)
{
  JsonNode *node = json_object_get_member (object, first);

  if (second != NULL)
    {
      g_assert_nonnull (node);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      node = json_object_get_member (json_node_get_object (node), second);
    }
  g_assert_nonnull (node);
  return json_node_get_string (node);
}

static char *
endpoint_url (Fixture *f, const char *feed, const char *suffix)
{
  g_autofree char *endpoint = herald_simulator_get_endpoint (f->sim, feed);
  g_autofree char *url = g_strconcat (endpoint, suffix, NULL);

  if (g_str_has_prefix (url, "http://"))
    return g_strconcat ("ws://", url + strlen ("http://"), NULL);
  return g_steal_pointer (&url);
}

/* --- HTTP --- */

typedef struct
{
  gboolean done;
  GBytes *body;
} PostResult;

static void
posted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PostResult *r = user_data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  r->done = TRUE;
}

/* POSTs to SkinShark's mint; @headers are name/value pairs ending in NULL. */
static JsonObject *
mint (Fixture *f, JsonNode **holder, guint *status, char **retry_after, ...)
{
  g_autofree char *endpoint = herald_simulator_get_endpoint (f->sim, "skinshark");
  g_autofree char *url = g_strconcat (endpoint, "/auth/ws-token", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  PostResult r = { FALSE, NULL };
  const char *name;
  va_list args;

  va_start (args, retry_after);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), name,
                                 va_arg (args, const char *));
  va_end (args);

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, posted_cb, &r);
  HERALD_TEST_WAIT_UNTIL (r.done, WAIT_MS);
  g_assert_nonnull (r.body);
  *status = soup_message_get_status (msg);
  g_assert_cmpstr (
    soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL), ==,
    "application/json");
  if (retry_after != NULL)
    *retry_after = g_strdup (
      soup_message_headers_get_one (soup_message_get_response_headers (msg), "retry-after"));
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body));

    *holder = parse_json (text);
  }
  g_bytes_unref (r.body);
  g_assert_nonnull (*holder);
  return json_node_get_object (*holder);
}

static char *
mint_token (Fixture *f, const char *sub)
{
  g_autoptr (JsonNode) holder = NULL;
  guint status = 0;
  JsonObject *reply = mint (f, &holder, &status, NULL, "api-key",
                            herald_simulator_get_credential (f->sim, "skinshark", "api-key"),
                            "On-Behalf-Of", sub, NULL);

  g_assert_cmpuint (status, ==, 200);
  return g_strdup (object_path_string (reply, "data", "token"));
}

/* --- scenario parsing --- */

typedef struct
{
  const char *feed;
  const char *spec;
  int code;
} BadSpec;

static const BadSpec bad_specs[] = {
  { NULL, "teleport", HERALD_SIMULATOR_ERROR_UNKNOWN_SCENARIO },
  { NULL, "", HERALD_SIMULATOR_ERROR_UNKNOWN_SCENARIO },
  { "nosuchfeed", "burst", HERALD_SIMULATOR_ERROR_UNKNOWN_FEED },
  { NULL, "burst:count=0", HERALD_SIMULATOR_ERROR_BAD_OPTION },
  { NULL, "burst:count=many", HERALD_SIMULATOR_ERROR_BAD_OPTION },
  { NULL, "drop:after", HERALD_SIMULATOR_ERROR_BAD_OPTION },
  { NULL, "drop:when=3", HERALD_SIMULATOR_ERROR_BAD_OPTION },
  { NULL, "trickle:interval=-5", HERALD_SIMULATOR_ERROR_BAD_OPTION },
  { NULL, "oversized:size=10", HERALD_SIMULATOR_ERROR_BAD_OPTION },
  { NULL, "out-of-order:window=1", HERALD_SIMULATOR_ERROR_BAD_OPTION },
  { NULL, "idle:count=3", HERALD_SIMULATOR_ERROR_BAD_OPTION },
  { "pally", "rate-limit", HERALD_SIMULATOR_ERROR_UNSUPPORTED },
  { "hashi", "heartbeat:interval=100", HERALD_SIMULATOR_ERROR_UNSUPPORTED },
};

static void
test_scenario_bad_spec (gconstpointer data)
{
  const BadSpec *bad = data;
  g_autoptr (HeraldSimulator) sim = herald_simulator_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (herald_simulator_parse_scenario (sim, bad->feed, bad->spec, &error));
  g_assert_error (error, HERALD_SIMULATOR_ERROR, bad->code);
}

static void
test_credential_bad_input (void)
{
  g_autoptr (HeraldSimulator) sim = herald_simulator_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (herald_simulator_set_credential (sim, "nosuchfeed", "api-key", "k", &error));
  g_assert_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_UNKNOWN_FEED);
  g_clear_error (&error);
  g_assert_false (herald_simulator_set_credential (sim, "pally", "password", "k", &error));
  g_assert_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_BAD_OPTION);
  g_clear_error (&error);
  g_assert_false (herald_simulator_set_credential (sim, "skinshark", "expires-in", "soon", &error));
  g_assert_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_BAD_OPTION);
  g_clear_error (&error);
  g_assert_cmpstr (herald_simulator_get_credential (sim, "skinshark", "expires-in"), ==, "1h");
  g_assert_true (herald_simulator_set_credential (sim, "pally", "api-key", "mine", &error));
  g_assert_cmpstr (herald_simulator_get_credential (sim, "pally", "api-key"), ==, "mine");
}

/* --- SkinShark --- */

static void
test_skinshark_mint (Fixture *f, gconstpointer data)
{
  const char *key = herald_simulator_get_credential (f->sim, "skinshark", "api-key");
  g_autoptr (JsonNode) ok = NULL;
  g_autoptr (JsonNode) wrong = NULL;
  g_autoptr (JsonNode) legacy = NULL;
  g_autoptr (JsonNode) no_sub = NULL;
  g_autoptr (JsonNode) short_lived = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) parts = NULL;
  JsonObject *reply;
  guint status = 0;

  reply = mint (f, &ok, &status, NULL, "api-key", key, "On-Behalf-Of", "user_42", NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_object_get_boolean_member (reply, "success"));
  g_assert_cmpstr (object_path_string (reply, "requestId", NULL), !=, "");
  g_assert_cmpstr (object_path_string (reply, "data", "expiresIn"), ==, "1h");
  parts = g_strsplit (object_path_string (reply, "data", "token"), ".", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);

  reply
    = mint (f, &wrong, &status, NULL, "api-key", "sk_live_wrong", "On-Behalf-Of", "user_42", NULL);
  g_assert_cmpuint (status, ==, 401);
  g_assert_false (json_object_get_boolean_member (reply, "success"));
  g_assert_cmpstr (object_path_string (reply, "error", "key"), !=, "");
  g_assert_true (json_object_has_member (json_object_get_object_member (reply, "error"), "code"));

  /* The old header name is not read any more. */
  reply = mint (f, &legacy, &status, NULL, "X-API-Key", key, "On-Behalf-Of", "user_42", NULL);
  g_assert_cmpuint (status, ==, 401);

  reply = mint (f, &no_sub, &status, NULL, "api-key", key, NULL);
  g_assert_cmpuint (status, ==, 400);
  g_assert_false (json_object_get_boolean_member (reply, "success"));

  g_assert_true (
    herald_simulator_set_credential (f->sim, "skinshark", "expires-in", "45s", &error));
  reply = mint (f, &short_lived, &status, NULL, "api-key", key, "On-Behalf-Of", "user_42", NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (object_path_string (reply, "data", "expiresIn"), ==, "45s");
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "skinshark", "mints"), ==, 2);
}

static void
test_skinshark_rate_limit (Fixture *f, gconstpointer data)
{
  const char *key = herald_simulator_get_credential (f->sim, "skinshark", "api-key");
  g_autoptr (JsonNode) limited = NULL;
  g_autoptr (JsonNode) later = NULL;
  g_autofree char *retry_after = NULL;
  JsonObject *reply;
  guint status = 0;

  scenario (f, "skinshark", "rate-limit:count=1,retry-after=7");
  reply = mint (f, &limited, &status, &retry_after, "api-key", key, "On-Behalf-Of", "u1", NULL);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpstr (retry_after, ==, "7");
  g_assert_cmpint (
    json_object_get_int_member (json_object_get_object_member (reply, "error"), "code"), ==, 1005);
  g_assert_cmpstr (object_path_string (reply, "error", "key"), ==, "RATE_LIMITED");

  reply = mint (f, &later, &status, NULL, "api-key", key, "On-Behalf-Of", "u1", NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "skinshark", "rate-limited"), ==, 1);
}

static void
test_skinshark_socket (Fixture *f, gconstpointer data)
{
  g_autofree char *token = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *url = endpoint_url (f, "skinshark", "/ws");
  g_autoptr (Client) client = NULL;
  g_autoptr (JsonNode) first = NULL;
  g_autoptr (JsonNode) second = NULL;
  JsonObject *frame;
  const char *event;

  scenario (f, "skinshark", "trickle:interval=20");
  token = mint_token (f, "8d3f1c52-8a1e-4c63-9a5e-2f7a7d0c9b11");
  protocol = g_strconcat ("bearer.", token, NULL);
  client = client_connect (f, url, protocol);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (client->ws), ==, protocol);

  frame = client_next_object (client, &first);
  g_assert_cmpstr (object_path_string (frame, "event", NULL), ==, "connected");
  g_assert_cmpstr (object_path_string (frame, "data", "userId"), ==,
                   "8d3f1c52-8a1e-4c63-9a5e-2f7a7d0c9b11");
  g_assert_true (json_object_get_int_member (frame, "ts") > 0);

  frame = client_next_object (client, &second);
  event = object_path_string (frame, "event", NULL);
  g_assert_true (g_str_has_prefix (event, "trade.") || g_str_has_prefix (event, "deposit.")
                 || g_str_equal (event, "system.notice"));

  client_send (client, "{\"hello\":1}");
  client_wait_closed (client, WAIT_MS);
  g_assert_cmpuint (client->close_code, ==, 4002);
  g_assert_cmpstr (client->close_data, ==, "Read-only");
}

static void
test_skinshark_bad_token (Fixture *f, gconstpointer data)
{
  g_autofree char *url = endpoint_url (f, "skinshark", "/ws");
  g_autofree char *token = NULL;
  g_autofree char *fallback_url = NULL;
  g_autoptr (Client) bogus = NULL;
  g_autoptr (Client) missing = NULL;
  g_autoptr (Client) fallback = NULL;
  g_autoptr (JsonNode) connected = NULL;

  scenario (f, "skinshark", "idle");
  bogus = client_connect (f, url, "bearer.not-a-minted-token");
  client_wait_closed (bogus, WAIT_MS);
  g_assert_cmpuint (bogus->close_code, ==, 4001);
  g_assert_cmpstr (bogus->close_data, ==, "Invalid token");
  g_assert_true (g_queue_is_empty (&bogus->texts));

  missing = client_connect (f, url, NULL);
  client_wait_closed (missing, WAIT_MS);
  g_assert_cmpuint (missing->close_code, ==, 4001);
  g_assert_cmpstr (missing->close_data, ==, "Missing token");

  token = mint_token (f, "user_7");
  fallback_url = g_strconcat (url, "?token=", token, NULL);
  fallback = client_connect (f, fallback_url, NULL);
  g_assert_cmpstr (object_path_string (client_next_object (fallback, &connected), "event", NULL),
                   ==, "connected");
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "skinshark", "auth-failures"), ==, 2);
}

static void
test_skinshark_expiry (Fixture *f, gconstpointer data)
{
  g_autofree char *url = endpoint_url (f, "skinshark", "/ws");
  g_autofree char *token = NULL;
  g_autofree char *protocol = NULL;
  g_autoptr (Client) client = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start;

  scenario (f, "skinshark", "idle");
  g_assert_true (herald_simulator_set_credential (f->sim, "skinshark", "expires-in", "1s", &error));
  token = mint_token (f, "user_9");
  protocol = g_strconcat ("bearer.", token, NULL);
  start = g_get_monotonic_time ();
  client = client_connect (f, url, protocol);
  client_wait_closed (client, WAIT_MS);
  g_assert_cmpuint (client->close_code, ==, 4001);
  g_assert_cmpstr (client->close_data, ==, "Invalid token");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2500 * 1000);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "skinshark", "expired"), ==, 1);
}

/* --- Hashi --- */

static char *
hashi_url (Fixture *f, const char *token)
{
  g_autofree char *base = endpoint_url (f, "hashi", NULL);

  return g_strconcat (base, "?token=", token, NULL);
}

static void
test_hashi_ping (Fixture *f, gconstpointer data)
{
  g_autofree char *url = hashi_url (f, herald_simulator_get_credential (f->sim, "hashi", "token"));
  g_autoptr (Client) client = NULL;
  g_autoptr (JsonNode) connected = NULL;
  g_autoptr (JsonNode) pong = NULL;

  scenario (f, "hashi", "idle");
  client = client_connect (f, url, NULL);
  g_assert_cmpstr (object_path_string (client_next_object (client, &connected), "type", NULL), ==,
                   "connected");
  client_send (client, "{\"type\":\"ping\"}");
  g_assert_cmpstr (object_path_string (client_next_object (client, &pong), "type", NULL), ==,
                   "pong");
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "hashi", "pings"), ==, 1);
}

static void
assert_hashi_refused (Fixture *f, const char *token)
{
  g_autofree char *url = hashi_url (f, token);
  g_autoptr (Client) client = client_connect (f, url, NULL);
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *frame = client_next_object (client, &holder);

  g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "error");
  g_assert_cmpstr (object_path_string (frame, "data", "code"), ==, "AUTH_ERROR");
  g_assert_cmpstr (object_path_string (frame, "data", "message"), ==, "Authentication failed");
  client_wait_closed (client, WAIT_MS);
  g_assert_cmpuint (client->close_code, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
}

static void
test_hashi_auth (Fixture *f, gconstpointer data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *expired = herald_simulator_make_test_jwt ("did:privy:old", now - 10);
  g_autofree char *fresh = herald_simulator_make_test_jwt ("did:privy:new", now + 600);
  g_autoptr (GError) error = NULL;

  scenario (f, "hashi", "idle");
  assert_hashi_refused (f, "eyJhbGciOiJub25lIn0.e30.c2ln");

  /* Accepted as the configured token, but its exp has passed. */
  g_assert_true (herald_simulator_set_credential (f->sim, "hashi", "token", expired, &error));
  assert_hashi_refused (f, expired);

  /* A fresh, configured token is refused too while the feed plays auth-failure. */
  g_assert_true (herald_simulator_set_credential (f->sim, "hashi", "token", fresh, &error));
  scenario (f, "hashi", "auth-failure");
  assert_hashi_refused (f, herald_simulator_get_credential (f->sim, "hashi", "token"));
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "hashi", "auth-failures"), ==, 3);
}

static void
test_hashi_subscribe (Fixture *f, gconstpointer data)
{
  const char *lobby = herald_simulator_get_scopes (f->sim, "hashi")[0];
  g_autofree char *url = hashi_url (f, herald_simulator_get_credential (f->sim, "hashi", "token"));
  g_autofree char *subscribe = NULL;
  g_autoptr (Client) client = NULL;
  g_autoptr (JsonNode) connected = NULL;
  guint room_events = 0;
  gboolean answered = FALSE;

  scenario (f, "hashi", "trickle:interval=3");
  client = client_connect (f, url, NULL);
  g_assert_cmpstr (object_path_string (client_next_object (client, &connected), "type", NULL), ==,
                   "connected");

  /* Before subscribing only the global contract events arrive. */
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr (JsonNode) holder = NULL;

      g_assert_cmpstr (object_path_string (client_next_object (client, &holder), "type", NULL), ==,
                       "contract:event");
    }

  subscribe = g_strdup_printf ("{\"type\":\"subscribe\",\"data\":{\"lobbyId\":\"%s\"}}", lobby);
  client_send (client, subscribe);
  while (room_events < 4)
    {
      g_autoptr (JsonNode) holder = NULL;
      JsonObject *frame = client_next_object (client, &holder);
      const char *type = object_path_string (frame, "type", NULL);

      if (g_str_equal (type, "subscribed"))
        {
          g_assert_cmpstr (object_path_string (frame, "data", "lobbyId"), ==, lobby);
          answered = TRUE;
        }
      else if (g_str_equal (type, "lobby:event") || g_str_equal (type, "storage:event"))
        {
          g_assert_true (answered);
          g_assert_cmpstr (object_path_string (frame, "data", "lobbyId"), ==, lobby);
          room_events++;
        }
      else
        g_assert_cmpstr (type, ==, "contract:event");
    }
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "hashi", "subscriptions"), ==, 1);
}

/* --- CoinVoyage --- */

static char *
signed_connect (const char *key, const char *secret, gint64 when)
{
  g_autofree char *timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, when);
  g_autofree char *message = g_strconcat ("GET/ws", timestamp, NULL);
  g_autofree char *signature = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *)secret,
                                                          strlen (secret), message, -1);

  return g_strdup_printf ("{\"type\":\"connect\",\"data\":{\"api_key\":\"%s\","
                          "\"authorization_signature\":\"APIKey=%s,signature=%s,timestamp=%s\"}}",
                          key, key, signature, timestamp);
}

static const char *
next_type (Client *client, JsonNode **holder)
{
  return object_path_string (client_next_object (client, holder), "type", NULL);
}

static void
test_coinvoyage_handshake (Fixture *f, gconstpointer data)
{
  const char *key = herald_simulator_get_credential (f->sim, "coinvoyage", "api-key");
  const char *order = herald_simulator_get_scopes (f->sim, "coinvoyage")[0];
  g_autofree char *url = endpoint_url (f, "coinvoyage", NULL);
  g_autofree char *connect
    = g_strdup_printf ("{\"type\":\"connect\",\"data\":{\"api_key\":\"%s\"}}", key);
  g_autofree char *subscribe_order
    = g_strdup_printf ("{\"type\":\"subscribe\",\"data\":{\"order_id\":\"%s\"}}", order);
  g_autoptr (Client) early = NULL;
  g_autoptr (Client) plain = NULL;
  g_autoptr (JsonNode) h1 = NULL, h2 = NULL, h3 = NULL, h4 = NULL, h5 = NULL, h6 = NULL;
  JsonObject *frame;

  scenario (f, "coinvoyage", "trickle:interval=3");

  early = client_connect (f, url, NULL);
  client_send (early, "{\"type\":\"subscribe\",\"data\":{}}");
  frame = client_next_object (early, &h1);
  g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "error");
  g_assert_cmpstr (object_path_string (frame, "data", "message"), ==, "not authenticated");
  client_send (early, "{\"type\":\"connect\",\"data\":{\"api_key\":\"cv_pk_wrong\"}}");
  frame = client_next_object (early, &h2);
  g_assert_cmpstr (object_path_string (frame, "data", "message"), ==, "invalid api_key");
  client_wait_closed (early, WAIT_MS);

  plain = client_connect (f, url, NULL);
  client_send (plain, connect);
  frame = client_next_object (plain, &h3);
  g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "connected");
  g_assert_cmpstr (object_path_string (frame, "data", "status"), ==, "authenticated");

  /* The organization needs a signed connect. */
  client_send (plain, "{\"type\":\"subscribe\",\"data\":{}}");
  frame = client_next_object (plain, &h4);
  g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "error");
  g_assert_cmpstr (object_path_string (frame, "data", "message"), ==, "access denied");

  client_send (plain, subscribe_order);
  frame = client_next_object (plain, &h5);
  g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "subscription");
  g_assert_cmpstr (object_path_string (frame, "data", "scope"), ==, "order");
  g_assert_cmpstr (object_path_string (frame, "data", "order_id"), ==, order);
  frame = client_next_object (plain, &h6);
  g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "event");
  g_assert_cmpstr (object_path_string (frame, "data", "payorder_id"), ==, order);
  g_assert_cmpstr (object_path_string (frame, "data", "type"), ==, "payorder_created");
}

static void
test_coinvoyage_signature (Fixture *f, gconstpointer data)
{
  const char *key = herald_simulator_get_credential (f->sim, "coinvoyage", "api-key");
  const char *secret = herald_simulator_get_credential (f->sim, "coinvoyage", "api-secret");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *url = endpoint_url (f, "coinvoyage", NULL);
  g_autofree char *good = signed_connect (key, secret, now);
  g_autofree char *wrong_secret = signed_connect (key, "cv_sk_not_the_secret", now);
  g_autofree char *stale = signed_connect (key, secret, now - 1000);
  const char *refused[] = { wrong_secret, stale };
  g_autoptr (Client) client = NULL;
  g_autoptr (GHashTable) orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (JsonNode) h1 = NULL, h2 = NULL;
  JsonObject *frame;

  scenario (f, "coinvoyage", "trickle:interval=3");
  client = client_connect (f, url, NULL);
  client_send (client, good);
  g_assert_cmpstr (next_type (client, &h1), ==, "connected");
  client_send (client, "{\"type\":\"subscribe\",\"data\":{}}");
  frame = client_next_object (client, &h2);
  g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "subscription");
  g_assert_cmpstr (object_path_string (frame, "data", "scope"), ==, "organization");
  g_assert_false (
    json_object_has_member (json_object_get_object_member (frame, "data"), "order_id"));

  /* The whole organization: events of several orders. */
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr (JsonNode) holder = NULL;

      frame = client_next_object (client, &holder);
      g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "event");
      g_hash_table_add (orders, g_strdup (object_path_string (frame, "data", "payorder_id")));
    }
  g_assert_cmpuint (g_hash_table_size (orders), >, 1);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (Client) bad = client_connect (f, url, NULL);
      g_autoptr (JsonNode) holder = NULL;

      client_send (bad, refused[i]);
      frame = client_next_object (bad, &holder);
      g_assert_cmpstr (object_path_string (frame, "type", NULL), ==, "error");
      g_assert_cmpstr (object_path_string (frame, "data", "message"), ==,
                       "invalid authorization_signature");
      client_wait_closed (bad, WAIT_MS);
    }
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "coinvoyage", "auth-failures"), ==, 2);
}

/* --- Dimes --- */

#define NS_PARTNER "/v1/ws/prediction-markets/positions"
#define NS_CUSTOMER "/v1/ws/prediction-markets/customer-positions"

static char *
dimes_url (Fixture *f, const char *query)
{
  return endpoint_url (f, "dimes", query);
}

static void
test_dimes_refusals (Fixture *f, gconstpointer data)
{
  g_autofree char *eio3 = dimes_url (f, "/socket.io/?EIO=3&transport=websocket");
  g_autofree char *polling_url = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) polling = NULL;
  Client *client;
  guint status = 0;
  PostResult r = { FALSE, NULL };

  client = client_try_connect (f, eio3, NULL, &status, &error);
  g_assert_null (client);
  g_assert_nonnull (error);
  g_assert_cmpuint (status, ==, 400);

  polling_url = g_strdup_printf ("http://127.0.0.1:%u/dimes/socket.io/?EIO=4&transport=polling",
                                 herald_simulator_get_port (f->sim));
  polling = soup_message_new ("GET", polling_url);
  soup_session_send_and_read_async (f->session, polling, G_PRIORITY_DEFAULT, NULL, posted_cb, &r);
  HERALD_TEST_WAIT_UNTIL (r.done, WAIT_MS);
  g_assert_cmpuint (soup_message_get_status (polling), ==, 400);
  g_assert_nonnull (r.body);
  g_assert_nonnull (
    g_strstr_len (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body), "Transport unknown"));
  g_bytes_unref (r.body);
}

static void
dimes_open (Client *client, JsonNode **holder)
{
  g_autofree char *open = client_next (client, WAIT_MS);
  JsonObject *packet;

  g_assert_nonnull (open);
  g_assert_cmpint (open[0], ==, '0');
  *holder = parse_json (open + 1);
  g_assert_nonnull (*holder);
  packet = json_node_get_object (*holder);
  g_assert_cmpstr (json_object_get_string_member (packet, "sid"), !=, "");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (packet, "upgrades")), ==,
                    0);
  g_assert_cmpint (json_object_get_int_member (packet, "maxPayload"), ==, 1000000);
}

static void
test_dimes_namespaces (Fixture *f, gconstpointer data)
{
  g_autofree char *url = dimes_url (f, "/socket.io/?EIO=4&transport=websocket");
  g_autofree char *partner_connect = NULL;
  g_autofree char *customer_connect = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *refusal = NULL;
  g_autofree char *error_event = NULL;
  g_autofree char *disconnect = NULL;
  const char *wallet = herald_simulator_get_scopes (f->sim, "dimes")[0];
  g_autoptr (Client) partner = NULL;
  g_autoptr (Client) intruder = NULL;
  g_autoptr (Client) customer = NULL;
  g_autoptr (JsonNode) open1 = NULL, open2 = NULL, open3 = NULL, sid = NULL;
  JsonObject *packet;

  scenario (f, "dimes", "trickle:interval=3");
  partner = client_connect (f, url, NULL);
  dimes_open (partner, &open1);
  packet = json_node_get_object (open1);
  g_assert_cmpint (json_object_get_int_member (packet, "pingInterval"), ==, 25000);
  g_assert_cmpint (json_object_get_int_member (packet, "pingTimeout"), ==, 20000);
  partner_connect = g_strdup_printf ("40" NS_PARTNER ",{\"apiKey\":\"%s\"}",
                                     herald_simulator_get_credential (f->sim, "dimes", "api-key"));
  client_send (partner, partner_connect);
  reply = client_next (partner, WAIT_MS);
  g_assert_true (g_str_has_prefix (reply, "40" NS_PARTNER ","));
  sid = parse_json (reply + strlen ("40" NS_PARTNER ","));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sid), "sid"), !=, "");

  intruder = client_connect (f, url, NULL);
  dimes_open (intruder, &open2);
  client_send (intruder, "40" NS_CUSTOMER ",{\"token\":\"forged\"}");
  refusal = client_next (intruder, WAIT_MS);
  g_assert_true (g_str_has_prefix (refusal, "44" NS_CUSTOMER ",{\"message\":\""));
  error_event = client_next (intruder, WAIT_MS);
  g_assert_true (g_str_has_prefix (error_event, "42" NS_CUSTOMER ",[\"error\","));
  disconnect = client_next (intruder, WAIT_MS);
  g_assert_cmpstr (disconnect, ==, "41" NS_CUSTOMER ",");
  client_wait_closed (intruder, WAIT_MS);

  /* The customer gateway only carries its own wallet's positions. */
  customer = client_connect (f, url, NULL);
  dimes_open (customer, &open3);
  customer_connect = g_strdup_printf ("40" NS_CUSTOMER ",{\"token\":\"%s\"}",
                                      herald_simulator_get_credential (f->sim, "dimes", "token"));
  client_send (customer, customer_connect);
  g_free (client_next (customer, WAIT_MS));
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *event = client_next (customer, WAIT_MS);
      g_autoptr (JsonNode) array = NULL;
      const char *json;
      JsonObject *argument;

      g_assert_nonnull (event);
      g_assert_true (g_str_has_prefix (event, "42" NS_CUSTOMER ","));
      json = event + strlen ("42" NS_CUSTOMER ",");
      while (g_ascii_isdigit (*json))
        json++;
      array = parse_json (json);
      g_assert_nonnull (array);
      argument = json_array_get_object_element (json_node_get_array (array), 1);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (argument, "id"), "evt_"));
      g_assert_cmpstr (json_array_get_string_element (json_node_get_array (array), 0), ==,
                       json_object_get_string_member (argument, "type"));
      g_assert_cmpstr (object_path_string (argument, "data", "wallet_address"), ==, wallet);
      g_assert_true (g_str_has_prefix (object_path_string (argument, "data", "id"), "dm_pos_"));
    }
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "dimes", "auth-failures"), ==, 1);
}

static void
test_dimes_heartbeat (Fixture *f, gconstpointer data)
{
  g_autofree char *url = dimes_url (f, "/socket.io/?EIO=4&transport=websocket");
  g_autoptr (Client) silent = NULL;
  g_autoptr (Client) lively = NULL;
  g_autoptr (JsonNode) open1 = NULL, open2 = NULL;
  g_autofree char *ping = NULL;
  gint64 deadline;

  scenario (f, "dimes", "idle");
  scenario (f, "dimes", "heartbeat:interval=60,timeout=80");

  silent = client_connect (f, url, NULL);
  dimes_open (silent, &open1);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (open1), "pingInterval"), ==,
                   60);
  ping = client_next (silent, WAIT_MS);
  g_assert_cmpstr (ping, ==, "2");
  /* No pong: the server gives up after pingTimeout. */
  client_wait_closed (silent, 1000);

  lively = client_connect (f, url, NULL);
  dimes_open (lively, &open2);
  deadline = g_get_monotonic_time () + 500 * 1000;
  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *packet = client_next (lively, 100);

      if (g_strcmp0 (packet, "2") == 0)
        client_send (lively, "3");
    }
  g_assert_false (lively->closed);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "dimes", "pongs"), >=, 3);
}

static void
test_dimes_acks (Fixture *f, gconstpointer data)
{
  g_autofree char *url = dimes_url (f, "/socket.io/?EIO=4&transport=websocket");
  g_autofree char *connect = NULL;
  g_autoptr (Client) client = NULL;
  g_autoptr (JsonNode) open = NULL;
  guint acks = 0;

  scenario (f, "dimes", "burst:count=12");
  client = client_connect (f, url, NULL);
  dimes_open (client, &open);
  connect = g_strdup_printf ("40" NS_PARTNER ",{\"apiKey\":\"%s\"}",
                             herald_simulator_get_credential (f->sim, "dimes", "api-key"));
  client_send (client, connect);
  g_free (client_next (client, WAIT_MS));
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *event = client_next (client, WAIT_MS);
      const char *p;
      guint64 id = 0;

      g_assert_nonnull (event);
      g_assert_true (g_str_has_prefix (event, "42" NS_PARTNER ","));
      p = event + strlen ("42" NS_PARTNER ",");
      if (!g_ascii_isdigit (*p))
        continue;
      while (g_ascii_isdigit (*p))
        id = id * 10 + (guint64)(*p++ - '0');
      g_assert_cmpint (*p, ==, '[');
      {
        g_autofree char *reply = g_strdup_printf ("43" NS_PARTNER ",%" G_GUINT64_FORMAT "[]", id);

        client_send (client, reply);
        acks++;
      }
    }
  g_assert_cmpuint (acks, ==, 4);
  /* An ack for an id never asked for is not counted. */
  client_send (client, "43" NS_PARTNER ",999[]");
  herald_test_spin (100);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "dimes", "acks"), ==, 4);
}

/* --- Pally --- */

static char *
pally_url (Fixture *f, const char *key, const char *channel)
{
  g_autofree char *base = endpoint_url (f, "pally", NULL);

  return g_strdup_printf ("%s?auth=%s&%s", base, key, channel);
}

static void
test_pally_ping_echo (Fixture *f, gconstpointer data)
{
  static const char tip[]
    = "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{\"createdAt\":\"2024-03-"
      "13T18:"
      "02:33.743Z\",\"displayName\":\"Someone\",\"grossAmountInCents\":500,\"id\":"
      "\"b1w2pjwjtb9fx0v1se9ex4n2\",\"message\":\"\",\"netAmountInCents\":500,"
      "\"processingFeeInCents\":0,\"updatedAt\":\"2024-03-13T18:02:33.743Z\"},\"page\":{\"id\":"
      "\"1627451579049x550722173620715500\",\"slug\":\"pally\",\"title\":\"Pally.gg's Team Page\","
      "\"url\":\"https://pally.gg/p/pally\"}}}";
  g_autofree char *url = pally_url (f, herald_simulator_get_credential (f->sim, "pally", "api-key"),
                                    "channel=firehose");
  g_autofree char *echo = g_strdup_printf ("{\"type\":\"echo\",\"payload\":%s}", tip);
  g_autofree char *pong = NULL;
  g_autofree char *echoed = NULL;
  g_autoptr (Client) client = NULL;
  g_autoptr (JsonNode) sent = parse_json (tip);
  g_autoptr (JsonNode) received = NULL;

  scenario (f, "pally", "idle");
  client = client_connect (f, url, NULL);
  client_send (client, "ping");
  pong = client_next (client, WAIT_MS);
  g_assert_cmpstr (pong, ==, "pong");
  client_send (client, echo);
  echoed = client_next (client, WAIT_MS);
  received = parse_json (echoed);
  g_assert_nonnull (received);
  g_assert_true (json_node_equal (sent, received));
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "pally", "pings"), ==, 1);
}

static const char *
tip_slug (const char *frame, JsonNode **holder)
{
  JsonObject *payload;

  *holder = parse_json (frame);
  g_assert_nonnull (*holder);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (*holder), "type"), ==,
                   "campaigntip.notify");
  payload = json_object_get_object_member (json_node_get_object (*holder), "payload");
  return json_object_get_string_member (json_object_get_object_member (payload, "page"), "slug");
}

static void
test_pally_rooms (Fixture *f, gconstpointer data)
{
  const char *key = herald_simulator_get_credential (f->sim, "pally", "api-key");
  g_autofree char *room_url = pally_url (f, key, "channel=activity-feed&room=cozy-streams");
  g_autofree char *firehose_url = pally_url (f, key, "channel=firehose");
  g_autofree char *wrong_url = pally_url (f, "pally_wrong", "channel=firehose");
  g_autoptr (Client) room = NULL;
  g_autoptr (Client) firehose = NULL;
  g_autoptr (Client) wrong = NULL;
  g_autoptr (GHashTable) slugs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  scenario (f, "pally", "burst:count=30");
  room = client_connect (f, room_url, NULL);
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *frame = client_next (room, WAIT_MS);
      g_autoptr (JsonNode) holder = NULL;

      g_assert_cmpstr (tip_slug (frame, &holder), ==, "cozy-streams");
    }

  firehose = client_connect (f, firehose_url, NULL);
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *frame = client_next (firehose, WAIT_MS);
      g_autoptr (JsonNode) holder = NULL;

      g_hash_table_add (slugs, g_strdup (tip_slug (frame, &holder)));
    }
  g_assert_cmpuint (g_hash_table_size (slugs), ==, 3);

  wrong = client_connect (f, wrong_url, NULL);
  client_wait_closed (wrong, WAIT_MS);
  g_assert_cmpuint (wrong->close_code, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_assert_cmpstr (wrong->close_data, ==, "Unauthorized");
  g_assert_true (g_queue_is_empty (&wrong->texts));
}

/* --- scenarios --- */

static const char *
tip_id (JsonNode *tip)
{
  JsonObject *payload = json_object_get_object_member (json_node_get_object (tip), "payload");

  return json_object_get_string_member (json_object_get_object_member (payload, "campaignTip"),
                                        "id");
}

static Client *
pally_firehose (Fixture *f)
{
  g_autofree char *url = pally_url (f, herald_simulator_get_credential (f->sim, "pally", "api-key"),
                                    "channel=firehose");

  return client_connect (f, url, NULL);
}

static void
test_scenario_burst (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) client = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *sent;

  scenario (f, "pally", "burst:count=5000");
  client = pally_firehose (f);
  for (guint i = 0; i < 5000; i++)
    {
      g_autofree char *frame = client_next (client, WAIT_MS);
      g_autoptr (JsonNode) tip = parse_json (frame);

      g_assert_nonnull (tip);
      g_assert_true (g_hash_table_add (ids, g_strdup (tip_id (tip))));
    }
  /* Exactly the count: nothing follows. */
  herald_test_spin (150);
  g_assert_true (g_queue_is_empty (&client->texts));
  g_assert_false (client->closed);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "pally", "events"), ==, 5000);
  sent = herald_simulator_get_sent_ids (f->sim, "pally");
  g_assert_cmpuint (sent->len, ==, 5000);
  for (guint i = 0; i < sent->len; i++)
    g_assert_true (g_hash_table_contains (ids, g_ptr_array_index (sent, i)));
}

static void
test_scenario_duplicates (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) first = NULL;
  g_autoptr (Client) second = NULL;
  g_autoptr (GPtrArray) first_ids = g_ptr_array_new_with_free_func (g_free);

  scenario (f, "pally", "burst:count=10");
  scenario (f, "pally", "duplicates:replay=3");
  first = pally_firehose (f);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *a = client_next (first, WAIT_MS);
      g_autofree char *b = client_next (first, WAIT_MS);
      g_autoptr (JsonNode) tip = parse_json (a);

      /* Each event twice, byte for byte. */
      g_assert_cmpstr (a, ==, b);
      g_ptr_array_add (first_ids, g_strdup (tip_id (tip)));
    }
  client_free (g_steal_pointer (&first));
  herald_test_spin (50);

  /* After a reconnect the last three are sent again before new ones. */
  second = pally_firehose (f);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *a = client_next (second, WAIT_MS);
      g_autofree char *b = client_next (second, WAIT_MS);
      g_autoptr (JsonNode) tip = parse_json (a);

      g_assert_cmpstr (a, ==, b);
      if (i < 3)
        g_assert_cmpstr (tip_id (tip), ==, g_ptr_array_index (first_ids, 7 + i));
      else
        g_assert_false (
          g_ptr_array_find_with_equal_func (first_ids, tip_id (tip), g_str_equal, NULL));
    }
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "pally", "duplicates"), ==,
                    herald_simulator_get_counter (f->sim, "pally", "events"));
}

static void
test_scenario_drop (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) client = NULL;

  scenario (f, "pally", "trickle:interval=5");
  scenario (f, "pally", "drop:after=3");
  client = pally_firehose (f);
  client_wait_closed (client, WAIT_MS);
  g_assert_cmpuint (g_queue_get_length (&client->texts), ==, 3);
  /* No close frame came: libsoup reports no peer close code. */
  g_assert_cmpuint (client->close_code, ==, 0);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "pally", "drops"), ==, 1);
}

static void
test_scenario_oversized (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) client = NULL;
  g_autofree char *small = NULL;
  g_autofree char *big = NULL;
  g_autoptr (JsonNode) tip = NULL;

  scenario (f, "pally", "burst:count=3");
  scenario (f, "pally", "oversized:after=1");
  client = pally_firehose (f);
  small = client_next (client, WAIT_MS);
  big = client_next (client, WAIT_MS);
  g_assert_cmpuint (strlen (small), <, 4096);
  g_assert_cmpuint (strlen (big), ==, 2 * 1024 * 1024);
  tip = parse_json (big);
  g_assert_nonnull (tip);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (tip), "type"), ==,
                   "campaigntip.notify");
  g_free (client_next (client, WAIT_MS));
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "pally", "oversized"), ==, 1);
}

static void
test_scenario_out_of_order (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) client = NULL;
  g_autoptr (GPtrArray) times = g_ptr_array_new_with_free_func (g_free);
  gboolean shuffled = FALSE;

  scenario (f, "pally", "burst:count=16");
  scenario (f, "pally", "out-of-order:window=8");
  client = pally_firehose (f);
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *frame = client_next (client, WAIT_MS);
      g_autoptr (JsonNode) tip = parse_json (frame);
      JsonObject *payload = json_object_get_object_member (json_node_get_object (tip), "payload");

      g_ptr_array_add (times,
                       g_strdup (json_object_get_string_member (
                         json_object_get_object_member (payload, "campaignTip"), "createdAt")));
    }
  for (guint w = 0; w < 2; w++)
    {
      g_autoptr (GPtrArray) sorted = g_ptr_array_new ();

      for (guint i = 0; i < 8; i++)
        {
          const char *t = g_ptr_array_index (times, w * 8 + i);

          g_ptr_array_add (sorted, (gpointer)t);
          if (i > 0 && strcmp (t, g_ptr_array_index (times, w * 8 + i - 1)) < 0)
            shuffled = TRUE;
        }
      /* Every event of window 0 is older than every event of window 1. */
      if (w == 1)
        for (guint i = 0; i < 8; i++)
          for (guint j = 0; j < 8; j++)
            g_assert_cmpstr (g_ptr_array_index (times, i), <, g_ptr_array_index (times, 8 + j));
    }
  g_assert_true (shuffled);
}

static void
test_scenario_stall (Fixture *f, gconstpointer data)
{
  g_autofree char *url = hashi_url (f, herald_simulator_get_credential (f->sim, "hashi", "token"));
  g_autoptr (Client) client = NULL;
  g_autoptr (JsonNode) h1 = NULL, h2 = NULL, h3 = NULL;

  scenario (f, "hashi", "trickle:interval=5");
  scenario (f, "hashi", "stall:after=2");
  client = client_connect (f, url, NULL);
  g_assert_cmpstr (next_type (client, &h1), ==, "connected");
  g_assert_cmpstr (next_type (client, &h2), ==, "contract:event");
  g_assert_cmpstr (next_type (client, &h3), ==, "contract:event");
  client_send (client, "{\"type\":\"ping\"}");
  herald_test_spin (200);
  /* Silent but open: no events, no pong, no close. */
  g_assert_true (g_queue_is_empty (&client->texts));
  g_assert_false (client->closed);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "hashi", "stalls"), ==, 1);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "hashi", "pings"), ==, 0);
}

static void
test_scenario_malformed (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) client = NULL;
  guint good = 0, invalid = 0, arrays = 0, missing = 0, unknown = 0;

  scenario (f, "pally", "burst:count=12");
  scenario (f, "pally", "malformed:every=2");
  client = pally_firehose (f);
  /* Twelve tips, a malformed frame after every second one: five, the last is binary. */
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *frame = client_next (client, WAIT_MS);
      g_autoptr (JsonNode) node = parse_json (frame);
      JsonObject *object;

      g_assert_nonnull (frame);
      if (node == NULL)
        {
          invalid++;
          continue;
        }
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          arrays++;
          continue;
        }
      object = json_node_get_object (node);
      if (!g_str_equal (json_object_get_string_member (object, "type"), "campaigntip.notify"))
        unknown++;
      else if (!json_object_has_member (json_object_get_object_member (object, "payload"),
                                        "campaignTip"))
        missing++;
      else
        good++;
    }
  herald_test_spin (100);
  g_assert_cmpuint (good, ==, 12);
  g_assert_cmpuint (invalid, ==, 1);
  g_assert_cmpuint (arrays, ==, 1);
  g_assert_cmpuint (missing, ==, 1);
  g_assert_cmpuint (unknown, ==, 1);
  g_assert_cmpuint (client->n_binary, ==, 1);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "pally", "malformed"), ==, 5);
}

static void
test_scenario_auth_failure (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) pally = NULL;
  g_autoptr (JsonNode) holder = NULL;
  guint status = 0;

  scenario (f, NULL, "auth-failure");
  pally = pally_firehose (f);
  client_wait_closed (pally, WAIT_MS);
  g_assert_cmpuint (pally->close_code, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  mint (f, &holder, &status, NULL, "api-key",
        herald_simulator_get_credential (f->sim, "skinshark", "api-key"), "On-Behalf-Of", "u",
        NULL);
  g_assert_cmpuint (status, ==, 401);
}

static void
test_disconnect_all (Fixture *f, gconstpointer data)
{
  g_autoptr (Client) first = NULL;
  g_autoptr (Client) second = NULL;

  scenario (f, "pally", "idle");
  first = pally_firehose (f);
  second = pally_firehose (f);
  herald_test_spin (20);
  herald_simulator_disconnect_all (f->sim);
  client_wait_closed (first, WAIT_MS);
  client_wait_closed (second, WAIT_MS);
  g_assert_cmpuint (first->close_code, ==, 0);
  g_assert_cmpuint (second->close_code, ==, 0);
  g_assert_cmpuint (herald_simulator_get_counter (f->sim, "pally", "connections"), ==, 2);
}

static GPtrArray *
burst_ids (guint64 seed)
{
  g_autoptr (HeraldSimulator) sim = herald_simulator_new ();
  g_autoptr (GError) error = NULL;
  Fixture f = { NULL, NULL };
  g_autoptr (Client) client = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  herald_simulator_set_seed (sim, seed);
  g_assert_true (herald_simulator_parse_scenario (sim, "pally", "burst:count=20", &error));
  g_assert_true (herald_simulator_listen (sim, 0, &error));
  f.sim = sim;
  f.session = soup_session_new ();
  client = pally_firehose (&f);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *frame = client_next (client, WAIT_MS);
      g_autoptr (JsonNode) tip = parse_json (frame);

      g_ptr_array_add (ids, g_strdup (tip_id (tip)));
    }
  client_free (g_steal_pointer (&client));
  g_object_unref (f.session);
  return ids;
}

static void
test_determinism (void)
{
  g_autoptr (GPtrArray) a = burst_ids (42);
  g_autoptr (GPtrArray) b = burst_ids (42);
  g_autoptr (GPtrArray) c = burst_ids (43);

  for (guint i = 0; i < a->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
      g_assert_cmpstr (g_ptr_array_index (a, i), !=, g_ptr_array_index (c, i));
    }
  herald_test_spin (20);
}

/* --- the command --- */

static void
test_command (void)
{
  const char *argv[] = { HERALD_TEST_BUILDDIR "/src/sim/herald-simulator",
                         "--port",
                         "0",
                         "--scenario",
                         "idle",
                         "--credential",
                         "pally.api-key=from-cli",
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *feeds;
  const char *const *names = herald_simulator_get_feeds ();

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  root = parse_json (line);
  g_assert_nonnull (root);
  feeds = json_object_get_object_member (json_node_get_object (root), "feeds");
  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonObject *feed = json_object_get_object_member (feeds, names[i]);

      g_assert_nonnull (feed);
      g_assert_nonnull (strstr (json_object_get_string_member (feed, "endpoint"), "://127.0.0.1:"));
    }
  g_assert_cmpstr (
    object_path_string (json_object_get_object_member (feeds, "pally"), "credentials", "api-key"),
    ==, "from-cli");

  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  herald_test_quiet_frame_logs ();

  for (guint i = 0; i < G_N_ELEMENTS (bad_specs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/simulator/scenario/bad-spec/%u", i);

      g_test_add_data_func (path, &bad_specs[i], test_scenario_bad_spec);
    }
  g_test_add_func ("/simulator/credential/bad-input", test_credential_bad_input);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/simulator/skinshark/mint", test_skinshark_mint);
  ADD ("/simulator/skinshark/rate-limit", test_skinshark_rate_limit);
  ADD ("/simulator/skinshark/socket", test_skinshark_socket);
  ADD ("/simulator/skinshark/bad-token", test_skinshark_bad_token);
  ADD ("/simulator/skinshark/expiry", test_skinshark_expiry);
  ADD ("/simulator/hashi/ping", test_hashi_ping);
  ADD ("/simulator/hashi/auth", test_hashi_auth);
  ADD ("/simulator/hashi/subscribe", test_hashi_subscribe);
  ADD ("/simulator/coinvoyage/handshake", test_coinvoyage_handshake);
  ADD ("/simulator/coinvoyage/signature", test_coinvoyage_signature);
  ADD ("/simulator/dimes/refusals", test_dimes_refusals);
  ADD ("/simulator/dimes/namespaces", test_dimes_namespaces);
  ADD ("/simulator/dimes/heartbeat", test_dimes_heartbeat);
  ADD ("/simulator/dimes/acks", test_dimes_acks);
  ADD ("/simulator/pally/ping-echo", test_pally_ping_echo);
  ADD ("/simulator/pally/rooms", test_pally_rooms);
  ADD ("/simulator/scenario/burst", test_scenario_burst);
  ADD ("/simulator/scenario/duplicates", test_scenario_duplicates);
  ADD ("/simulator/scenario/drop", test_scenario_drop);
  ADD ("/simulator/scenario/oversized", test_scenario_oversized);
  ADD ("/simulator/scenario/out-of-order", test_scenario_out_of_order);
  ADD ("/simulator/scenario/stall", test_scenario_stall);
  ADD ("/simulator/scenario/malformed", test_scenario_malformed);
  ADD ("/simulator/scenario/auth-failure", test_scenario_auth_failure);
  ADD ("/simulator/disconnect-all", test_disconnect_all);
#undef ADD
  g_test_add_func ("/simulator/determinism", test_determinism);
  g_test_add_func ("/simulator/command", test_command);

  return g_test_run ();
}
