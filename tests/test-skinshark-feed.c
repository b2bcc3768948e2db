/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-skinshark-feed.c — the SkinShark feed through a real HeraldConnection against the
 * simulator: token minting and renewal, refusals, rate limits, silence, drops, and no writes. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-providers.h"
#include "herald-skinshark-feed.h"
#include "herald-test-feed.h"

#define WAIT_TIMEOUT_MS 15000
#define SUB_USER "user_42"

typedef struct
{
  HeraldSimulator *sim;
  HeraldTestLive *live;
  guint upgrades;       /* WebSocket upgrade requests the session made */
  guint refuse_upgrade; /* turn the simulator's auth-failure on at this upgrade (1-based) */
  gint64 rate_limited_at_us;
  gint64 second_mint_at_us;
  guint mint_requests;
  /* The world as it was when the second upgrade request went out. */
  guint mints_at_upgrade_2;
  guint expired_at_upgrade_2;
  guint events_at_upgrade_2;
  gboolean saw_attention;
} Fixture;

/* Notes when the connection first said SkinShark asked it to slow down. */
static void
state_cb (HeraldConnection *connection, GParamSpec *pspec, gpointer user_data)
{
  Fixture *fx = user_data;
  const char *reason = herald_connection_get_reason (connection);

  fx->saw_attention
    |= herald_connection_get_state (connection) == HERALD_CONNECTION_NEEDS_ATTENTION;
  if (g_str_has_prefix (reason, "SkinShark asks to slow down") && fx->rate_limited_at_us == 0)
    fx->rate_limited_at_us = g_get_monotonic_time ();
}

static void
request_queued_cb (SoupSession *session, SoupMessage *message, gpointer user_data)
{
  Fixture *fx = user_data;
  GUri *uri = soup_message_get_uri (message);
  g_autoptr (GError) error = NULL;

  if (!g_str_has_suffix (g_uri_get_path (uri), "/ws"))
    {
      fx->mint_requests++;
      if (fx->rate_limited_at_us != 0 && fx->second_mint_at_us == 0)
        fx->second_mint_at_us = g_get_monotonic_time ();
      return;
    }
  fx->upgrades++;
  if (fx->upgrades == 2)
    {
      fx->mints_at_upgrade_2 = herald_simulator_get_counter (fx->sim, "skinshark", "mints");
      fx->expired_at_upgrade_2 = herald_simulator_get_counter (fx->sim, "skinshark", "expired");
      fx->events_at_upgrade_2 = fx->live->events->len;
    }
  if (fx->upgrades == fx->refuse_upgrade)
    {
      g_assert_true (
        herald_simulator_parse_scenario (fx->sim, "skinshark", "auth-failure", &error));
      g_assert_no_error (error);
    }
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->sim = herald_test_sim_new ();
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->live != NULL)
    {
      g_signal_handlers_disconnect_by_data (fx->live->connection, fx);
      g_signal_handlers_disconnect_by_data (fx->live->session, fx);
    }
  herald_test_sim_teardown (&fx->live, &fx->sim);
}

static void
scenario (Fixture *fx, const char *spec)
{
  herald_test_sim_scenario (fx->sim, "skinshark", spec);
}

/* Listens and builds the account and its connection, ready to start. api_key NULL: the
 * simulator's own. */
static void
prepare (Fixture *fx, const char *api_key, guint heartbeat_ms)
{
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (HeraldFeed) feed = NULL;
  const HeraldFeedTiming timing = {
    .heartbeat_ms = heartbeat_ms,
  };

  account = herald_test_sim_account_new (fx->sim, "skinshark");
  herald_account_set_option_values (account, "sub-user", (const char *const[]){ SUB_USER, NULL });

  feed = herald_test_sim_feed_new (fx->sim, account);
  g_assert_true (HERALD_IS_SKINSHARK_FEED (feed));
  if (api_key != NULL)
    herald_feed_set_credential (feed, "api-key", api_key);
  herald_feed_set_timing (feed, &timing);
  fx->live = herald_test_live_new (feed, NULL);
  g_signal_connect (fx->live->session, "request-queued", G_CALLBACK (request_queued_cb), fx);
  g_signal_connect (fx->live->connection, "notify::state", G_CALLBACK (state_cb), fx);
}

static guint
sim_counter (Fixture *fx, const char *name)
{
  return herald_simulator_get_counter (fx->sim, "skinshark", name);
}

static gboolean
has_24_events (Fixture *fx)
{
  return fx->live->events->len >= 24;
}

static gboolean
reconnected_twice (Fixture *fx)
{
  return sim_counter (fx, "connections") >= 3 && herald_test_live_connected (fx->live)
         && fx->live->events->len >= 10;
}

static gboolean
reconnected (Fixture *fx)
{
  return sim_counter (fx, "connections") >= 2 && herald_test_live_connected (fx->live);
}

static gboolean
second_mint_done (Fixture *fx)
{
  return sim_counter (fx, "mints") >= 2;
}

static gboolean
old_socket_expired (Fixture *fx)
{
  return sim_counter (fx, "expired") >= 1;
}

/* On the second socket, and events came over it. */
static gboolean
flowing_after_renewal (Fixture *fx)
{
  return sim_counter (fx, "connections") >= 2 && herald_test_live_connected (fx->live)
         && fx->live->events->len >= fx->events_at_upgrade_2 + 5;
}

static gboolean
minted_after_limit (Fixture *fx)
{
  return sim_counter (fx, "mints") >= 1 && herald_test_live_connected (fx->live);
}

static gboolean
malformed_and_unknown_seen (Fixture *fx)
{
  return herald_test_live_saw_event_type (fx->live, "inventory.synced")
         && herald_connection_get_counters (fx->live->connection)->malformed >= 4;
}

static gboolean
has_one_event_and_connected (Fixture *fx)
{
  return fx->live->events->len >= 1 && herald_test_live_connected (fx->live);
}

static gboolean
has_ten_events (Fixture *fx)
{
  return fx->live->events->len >= 10;
}

/* The simulator's name for an event: our dedupe id without its kind prefix, for the
 * trades and deposits whose ids both sides derive from SkinShark's own. */
static const char *
sim_id_of (HeraldEvent *event)
{
  const char *id = herald_event_get_id (event);

  if (g_str_has_prefix (id, "trade:"))
    return id + strlen ("trade:");
  if (g_str_has_prefix (id, "deposit:"))
    return id + strlen ("deposit:");
  return NULL;
}

/* The title names the first item and the body carries the total in the trade's currency,
 * read from the frame independently of the feed. */
static void
assert_trade_content (HeraldEvent *event)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *data;
  JsonArray *items;
  const char *currency;

  g_assert_true (json_parser_load_from_data (parser, herald_event_get_raw (event), -1, &error));
  g_assert_no_error (error);
  data
    = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "data");
  items = json_object_get_array_member (data, "items");
  currency = json_object_get_string_member (data, "currency");
  g_assert_true (g_str_has_prefix (herald_event_get_title (event), "Trade "));
  g_assert_nonnull (
    strstr (herald_event_get_title (event),
            json_object_get_string_member (json_array_get_object_element (items, 0), "name")));
  g_assert_nonnull (
    strstr (herald_event_get_body (event), g_str_equal (currency, "EUR") ? "Total €" : "Total $"));
  g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_TRADE);
}

static void
test_events (Fixture *fx, gconstpointer data)
{
  GPtrArray *sent;
  guint trades = 0;
  guint deposits = 0;

  scenario (fx, "trickle:interval=15");
  prepare (fx, NULL, 100);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_24_events (fx), WAIT_TIMEOUT_MS);
  herald_connection_stop (fx->live->connection);

  /* One token, one socket, the bearer subprotocol taken at once, and not a frame from us. */
  g_assert_cmpuint (sim_counter (fx, "mints"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 0);
  g_assert_cmpuint (sim_counter (fx, "client-frames"), ==, 0);

  sent = herald_simulator_get_sent_ids (fx->sim, "skinshark");
  g_assert_cmpuint (sent->len, >=, fx->live->events->len);
  for (guint i = 0; i < fx->live->events->len; i++)
    {
      HeraldEvent *event = g_ptr_array_index (fx->live->events, i);
      const char *sim_id = sim_id_of (event);

      g_assert_cmpstr (herald_event_get_account (event), ==, "skinshark-sim");
      g_assert_cmpstr (herald_event_get_title (event), !=, "");
      if (sim_id != NULL)
        g_assert_cmpstr (sim_id, ==, g_ptr_array_index (sent, i));
      if (herald_event_get_category (event) == HERALD_CATEGORY_TRADE)
        {
          assert_trade_content (event);
          trades++;
        }
      deposits += herald_event_get_category (event) == HERALD_CATEGORY_DEPOSIT;
    }
  g_assert_cmpuint (trades, >, 0);
  g_assert_cmpuint (deposits, >, 0);
}

/* A cut connection is made again with the same token; events keep flowing. */
static void
test_drop (Fixture *fx, gconstpointer data)
{
  scenario (fx, "trickle:interval=15");
  scenario (fx, "drop:after=4");
  prepare (fx, NULL, 100);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, reconnected_twice (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "drops"), >=, 2);
  g_assert_cmpuint (sim_counter (fx, "mints"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "client-frames"), ==, 0);
  g_assert_cmpuint (herald_connection_get_counters (fx->live->connection)->drops, >=, 2);
}

/* The server's pings stop with its events: the feed notices the silence without sending. */
static void
test_stall (Fixture *fx, gconstpointer data)
{
  scenario (fx, "trickle:interval=15");
  scenario (fx, "stall:after=3");
  scenario (fx, "heartbeat:interval=500");
  prepare (fx, NULL, 100);
  herald_skinshark_feed_set_silence_limit (HERALD_SKINSHARK_FEED (fx->live->feed), 1800);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, reconnected (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "stalls"), >=, 1);
  g_assert_true (herald_test_live_saw_reason (fx->live, "The feed went silent"));
  g_assert_cmpuint (sim_counter (fx, "mints"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "client-frames"), ==, 0);
}

/* With no events at all, the server's pings alone keep a healthy socket. */
static void
test_pings_keep_alive (Fixture *fx, gconstpointer data)
{
  scenario (fx, "idle");
  scenario (fx, "heartbeat:interval=500");
  prepare (fx, NULL, 100);
  herald_skinshark_feed_set_silence_limit (HERALD_SKINSHARK_FEED (fx->live->feed), 2000);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_connected (fx->live), WAIT_TIMEOUT_MS);
  herald_test_spin (4000);

  g_assert_true (herald_test_live_connected (fx->live));
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (herald_connection_get_counters (fx->live->connection)->drops, ==, 0);
  g_assert_cmpuint (sim_counter (fx, "client-frames"), ==, 0);
}

static void
test_key_refused (Fixture *fx, gconstpointer data)
{
  prepare (fx, "sk_live_not_the_right_key", 100);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);

  g_assert_cmpstr (herald_connection_get_reason (fx->live->connection), ==,
                   "SkinShark refused the API key");
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 1);
  herald_test_spin (1500);
  g_assert_true (herald_test_live_needs_attention (fx->live));
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "mints"), ==, 0);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 0);
  g_assert_false (herald_feed_is_authenticated (fx->live->feed));
}

/* SkinShark has no handshake message: the minted token accepted with the upgrade is the
 * session, so the feed reports it authenticated as the socket opens, once. */
static void
test_authenticated_on_open (Fixture *fx, gconstpointer data)
{
  guint authenticated = 0;

  scenario (fx, "idle");
  prepare (fx, NULL, 100);
  herald_test_count_authenticated (fx->live->feed, &authenticated);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_connected (fx->live), WAIT_TIMEOUT_MS);
  g_assert_true (herald_feed_is_authenticated (fx->live->feed));
  g_assert_cmpuint (authenticated, ==, 1);
  g_assert_cmpuint (sim_counter (fx, "mints"), ==, 1);
}

/* The token lapses on the server (4001): one new token is minted. When the server refuses
 * that one too, the user must act, and nothing more is tried. */
static void
test_token_refused_after_renewal (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  scenario (fx, "trickle:interval=50");
  g_assert_true (
    herald_simulator_set_credential (fx->sim, "skinshark", "expires-in", "3s", &error));
  g_assert_no_error (error);
  /* No heartbeat: the feed must not renew on its own before the server closes. */
  prepare (fx, NULL, 0);
  fx->refuse_upgrade = 2;
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);

  g_assert_cmpstr (herald_connection_get_reason (fx->live->connection), ==,
                   "SkinShark refused the token even after renewing it");
  g_assert_true (herald_test_live_saw_reason (fx->live, "SkinShark asked for a new access token"));
  g_assert_cmpuint (sim_counter (fx, "expired"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "mints"), ==, 2);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 2);
  g_assert_cmpuint (fx->upgrades, ==, 2);
  herald_test_spin (1500);
  g_assert_true (herald_test_live_needs_attention (fx->live));
  g_assert_cmpuint (sim_counter (fx, "mints"), ==, 2);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 2);
  g_assert_cmpuint (sim_counter (fx, "client-frames"), ==, 0);
}

/* The next token is minted before the first lapses while the socket stays open: pushes keep
 * coming over it. The simulator then closes the old socket at its token's expiry (4001), and
 * the feed reconnects with the token it already has, minting nothing more. */
static void
test_renewal (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint events_before_expiry;

  scenario (fx, "trickle:interval=50");
  g_assert_true (
    herald_simulator_set_credential (fx->sim, "skinshark", "expires-in", "4s", &error));
  g_assert_no_error (error);
  prepare (fx, NULL, 100);
  herald_connection_start (fx->live->connection);

  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, second_mint_done (fx), WAIT_TIMEOUT_MS);
  g_assert_cmpuint (sim_counter (fx, "expired"), ==, 0);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_true (herald_test_live_connected (fx->live));
  g_assert_cmpuint (herald_connection_get_counters (fx->live->connection)->drops, ==, 0);

  /* Until the simulator's expiry close, the first socket carries on. */
  events_before_expiry = fx->live->events->len;
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, old_socket_expired (fx), WAIT_TIMEOUT_MS);
  g_assert_cmpuint (fx->live->events->len, >, events_before_expiry);
  g_assert_cmpuint (fx->upgrades, ==, 1);

  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, flowing_after_renewal (fx), WAIT_TIMEOUT_MS);
  herald_connection_stop (fx->live->connection);

  g_assert_cmpuint (fx->upgrades, ==, 2);
  g_assert_cmpuint (fx->expired_at_upgrade_2, ==, 1);
  g_assert_cmpuint (fx->mints_at_upgrade_2, ==, 2);
  g_assert_cmpuint (fx->mint_requests, ==, 2);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 2);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 0);
  g_assert_true (
    herald_test_live_saw_reason (fx->live, "Reconnecting with the renewed SkinShark access token"));
  g_assert_false (herald_test_live_saw_reason (fx->live, "SkinShark asked for a new access token"));
  g_assert_false (herald_test_live_saw_reason (fx->live, "SkinShark refused"));
  g_assert_false (fx->saw_attention);
  g_assert_cmpuint (sim_counter (fx, "client-frames"), ==, 0);
}

/* A 429 from the mint: the next attempt waits for retry-after, however short the backoff. */
static void
test_rate_limited (Fixture *fx, gconstpointer data)
{
  scenario (fx, "rate-limit:count=1,retry-after=2");
  prepare (fx, NULL, 100);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, minted_after_limit (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "rate-limited"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "mints"), ==, 1);
  g_assert_cmpuint (herald_connection_get_retry_delay_ms (fx->live->connection), ==, 2000);
  g_assert_true (herald_test_live_saw_reason (fx->live, "SkinShark asks to slow down"));
  g_assert_cmpint (fx->rate_limited_at_us, >, 0);
  g_assert_cmpint (fx->second_mint_at_us - fx->rate_limited_at_us, >=, 2000 * 1000 - 5000);
}

/* The same push sent twice carries the same dedupe id. */
static void
test_duplicates (Fixture *fx, gconstpointer data)
{
  scenario (fx, "trickle:interval=15");
  scenario (fx, "duplicates");
  prepare (fx, NULL, 100);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_ten_events (fx), WAIT_TIMEOUT_MS);

  for (guint i = 0; i + 1 < fx->live->events->len; i += 2)
    g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->live->events, i)), ==,
                     herald_event_get_id (g_ptr_array_index (fx->live->events, i + 1)));
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->live->events, 0)), !=,
                   herald_event_get_id (g_ptr_array_index (fx->live->events, 2)));
}

/* Nonsense frames are counted and dropped; unknown events kept; the socket stays. */
static void
test_malformed (Fixture *fx, gconstpointer data)
{
  scenario (fx, "trickle:interval=15");
  scenario (fx, "malformed:every=2");
  prepare (fx, NULL, 100);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, malformed_and_unknown_seen (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_true (herald_test_live_connected (fx->live));
}

/* --- a server that ignores the subprotocol: the documented ?token= fallback --- */

typedef struct
{
  guint upgrades;
  gboolean first_had_protocol;
  gboolean second_had_query;
  GPtrArray *sockets;
} FallbackServer;

static void
fallback_mint_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                  gpointer data)
{
  static const char body[]
    = "{\"requestId\":\"r1\",\"success\":true,\"data\":{\"token\":\"tok.abc.def\","
      "\"expiresIn\":\"1h\"}}";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body,
                                    sizeof body - 1);
}

static void
fallback_socket_cb (SoupServer *server, SoupServerMessage *msg, const char *path,
                    SoupWebsocketConnection *connection, gpointer data)
{
  FallbackServer *fs = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));

  fs->upgrades++;
  if (fs->upgrades == 1)
    fs->first_had_protocol
      = g_strcmp0 (soup_message_headers_get_one (headers, "Sec-WebSocket-Protocol"),
                   "bearer.tok.abc.def")
        == 0;
  else
    fs->second_had_query
      = g_strcmp0 (query, "token=tok.abc.def") == 0
        && soup_message_headers_get_one (headers, "Sec-WebSocket-Protocol") == NULL;
  g_ptr_array_add (fs->sockets, g_object_ref (connection));
  soup_websocket_connection_send_text (
    connection, "{\"event\":\"connected\",\"data\":{\"userId\":\"u\"},\"ts\":1}");
  soup_websocket_connection_send_text (
    connection, "{\"event\":\"trade.completed\",\"data\":{\"id\":\"t-1\",\"items\":"
                "[{\"name\":\"Hoodie\"}]},\"ts\":1714678920000}");
}

/* Starts a SkinShark account against server, which has its handlers already, on loopback. */
static void
start_against (Fixture *fx, SoupServer *server, const char *account_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *endpoint = NULL;
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (HeraldFeed) feed = NULL;
  GSList *uris;
  const HeraldFeedTiming timing = { .heartbeat_ms = 100 };

  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  endpoint = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  account = herald_account_new (HERALD_PROVIDER_SKINSHARK, account_id);
  herald_account_set_endpoint (account, endpoint);
  herald_account_set_option_values (account, "sub-user", (const char *const[]){ SUB_USER, NULL });
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "api-key", "sk_live_x");
  herald_feed_set_timing (feed, &timing);
  fx->live = herald_test_live_new (feed, NULL);
  herald_connection_start (fx->live->connection);
}

static void
test_query_fallback (Fixture *fx, gconstpointer data)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  FallbackServer fs = { 0 };
  guint authenticated = 0;

  fs.sockets = g_ptr_array_new_with_free_func (g_object_unref);
  soup_server_add_handler (server, "/auth/ws-token", fallback_mint_cb, &fs, NULL);
  /* No subprotocols: the server answers without one, whatever the client offers. */
  soup_server_add_websocket_handler (server, "/ws", NULL, NULL, fallback_socket_cb, &fs, NULL);
  start_against (fx, server, "skinshark-fallback");
  herald_test_count_authenticated (fx->live->feed, &authenticated);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_one_event_and_connected (fx), WAIT_TIMEOUT_MS);
  /* The socket that did not take the token was no session; only the second one was. */
  g_assert_cmpuint (authenticated, ==, 1);
  g_assert_true (herald_feed_is_authenticated (fx->live->feed));

  g_assert_cmpuint (fs.upgrades, ==, 2);
  g_assert_true (fs.first_had_protocol);
  g_assert_true (fs.second_had_query);
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->live->events, 0)), ==,
                   "trade:t-1:completed");
  herald_connection_stop (fx->live->connection);
  g_ptr_array_unref (fs.sockets);
}

/* --- a mint that fails to renew, under a server that never closes on expiry --- */

typedef struct
{
  guint mints;
  guint upgrades;
  SoupWebsocketConnection *socket;
} RenewServer;

/* The first mint works (a 4 s token); the second fails (503); every later one is refused. */
static void
renew_mint_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer data)
{
  static const char minted[]
    = "{\"requestId\":\"r1\",\"success\":true,\"data\":{\"token\":\"tok.one.abc\","
      "\"expiresIn\":\"4s\"}}";
  static const char busy[] = "{\"requestId\":\"r2\",\"success\":false,\"error\":{\"code\":"
                             "1500,\"key\":\"INTERNAL\",\"message\":\"Try later\"}}";
  static const char refused[]
    = "{\"requestId\":\"r3\",\"success\":false,\"error\":{\"code\":1002,\"key\":"
      "\"INVALID_API_KEY\",\"message\":\"Invalid API key\"}}";
  RenewServer *rs = data;

  rs->mints++;
  if (rs->mints == 1)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, minted,
                                        sizeof minted - 1);
    }
  else if (rs->mints == 2)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, busy,
                                        sizeof busy - 1);
    }
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, refused,
                                        sizeof refused - 1);
    }
}

static void
renew_socket_cb (SoupServer *server, SoupServerMessage *msg, const char *path,
                 SoupWebsocketConnection *connection, gpointer data)
{
  RenewServer *rs = data;

  rs->upgrades++;
  g_set_object (&rs->socket, connection);
  soup_websocket_connection_send_text (
    connection, "{\"event\":\"connected\",\"data\":{\"userId\":\"u\"},\"ts\":1}");
}

static gboolean
renewal_refused (RenewServer *rs)
{
  return rs->mints >= 3;
}

static gboolean
socket_seen (Fixture *fx, RenewServer *rs)
{
  return rs->socket != NULL && herald_test_live_connected (fx->live);
}

/* A failed renewal is retried a little later; a refused one is not retried while the
 * socket works, and the next attempt's own mint tells the user. Nothing closes the socket
 * in between, even past the old token's expiry. */
static void
test_renewal_failures (Fixture *fx, gconstpointer data)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  RenewServer rs = { 0 };

  soup_server_add_handler (server, "/auth/ws-token", renew_mint_cb, &rs, NULL);
  soup_server_add_websocket_handler (server, "/ws", NULL, (char *[]){ "bearer.tok.one.abc", NULL },
                                     renew_socket_cb, &rs, NULL);
  start_against (fx, server, "skinshark-renew");
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, socket_seen (fx, &rs), WAIT_TIMEOUT_MS);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, renewal_refused (&rs), WAIT_TIMEOUT_MS);

  /* The old token is past its 4 s by now; this server lets the socket be. */
  herald_test_spin (1500);
  g_assert_cmpuint (rs.mints, ==, 3);
  g_assert_cmpuint (rs.upgrades, ==, 1);
  g_assert_true (herald_test_live_connected (fx->live));
  g_assert_cmpuint (herald_connection_get_counters (fx->live->connection)->drops, ==, 0);

  soup_websocket_connection_close (rs.socket, 4001, "Invalid token");
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);
  g_assert_cmpstr (herald_connection_get_reason (fx->live->connection), ==,
                   "SkinShark refused the API key");
  g_assert_cmpuint (rs.mints, ==, 4);
  g_assert_cmpuint (rs.upgrades, ==, 1);
  herald_connection_stop (fx->live->connection);
  g_clear_object (&rs.socket);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/skinshark-feed/events", test_events);
  ADD ("/skinshark-feed/authenticated-on-open", test_authenticated_on_open);
  ADD ("/skinshark-feed/drop", test_drop);
  ADD ("/skinshark-feed/stall", test_stall);
  ADD ("/skinshark-feed/pings-keep-alive", test_pings_keep_alive);
  ADD ("/skinshark-feed/key-refused", test_key_refused);
  ADD ("/skinshark-feed/token-refused-after-renewal", test_token_refused_after_renewal);
  ADD ("/skinshark-feed/renewal", test_renewal);
  ADD ("/skinshark-feed/renewal-failures", test_renewal_failures);
  ADD ("/skinshark-feed/rate-limited", test_rate_limited);
  ADD ("/skinshark-feed/duplicates", test_duplicates);
  ADD ("/skinshark-feed/malformed", test_malformed);
  ADD ("/skinshark-feed/query-fallback", test_query_fallback);
#undef ADD
  return g_test_run ();
}
