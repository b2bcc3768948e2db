/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-hashi-feed.c — the Hashi feed through a real HeraldConnection against the simulator:
 * lobby subscriptions, events, ping/pong, stalls and drops, refused and lapsing tokens. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-hashi-feed-private.h"
#include "herald-providers.h"
#include "herald-test-feed.h"

#define WAIT_TIMEOUT_MS 10000

typedef struct
{
  HeraldSimulator *sim;
  HeraldTestLive *live;
  guint n_lobbies;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->sim = herald_test_sim_new ();
  /* Fast enough for a short test, slow enough that a subscription lands before the next event. */
  herald_test_sim_scenario (fx->sim, "hashi", "trickle:interval=20");
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  herald_test_sim_teardown (&fx->live, &fx->sim);
}

static void
scenario (Fixture *fx, const char *spec)
{
  herald_test_sim_scenario (fx->sim, "hashi", spec);
}

/* Listens, builds the account (following the first n_lobbies of the simulator's lobbies)
 * and its connection, ready to start. token NULL: the simulator's own. */
static void
prepare (Fixture *fx, guint n_lobbies, const char *token)
{
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (HeraldFeed) feed = NULL;
  const char *const *scopes;
  const HeraldFeedTiming timing = {
    .heartbeat_ms = 100,
    .reply_deadline_ms = 300,
  };

  account = herald_test_sim_account_new (fx->sim, "hashi");
  scopes = herald_simulator_get_scopes (fx->sim, "hashi");
  g_assert_cmpuint (g_strv_length ((char **)scopes), >=, n_lobbies);
  for (guint i = 0; i < n_lobbies; i++)
    herald_account_add_option_value (account, "lobby", scopes[i]);
  fx->n_lobbies = n_lobbies;

  feed = herald_test_sim_feed_new (fx->sim, account);
  g_assert_true (HERALD_IS_HASHI_FEED (feed));
  if (token != NULL)
    herald_feed_set_credential (feed, "token", token);
  herald_feed_set_timing (feed, &timing);
  fx->live = herald_test_live_new (feed, NULL);
}

static guint
sim_counter (Fixture *fx, const char *name)
{
  return herald_simulator_get_counter (fx->sim, "hashi", name);
}

static guint
count_category (Fixture *fx, HeraldCategory category)
{
  guint n = 0;

  for (guint i = 0; i < fx->live->events->len; i++)
    n += herald_event_get_category (g_ptr_array_index (fx->live->events, i)) == category;
  return n;
}

static gboolean
subscribed_to_all (Fixture *fx)
{
  return sim_counter (fx, "subscriptions") >= fx->n_lobbies;
}

static gboolean
has_every_category (Fixture *fx)
{
  return count_category (fx, HERALD_CATEGORY_LOBBY) > 0
         && count_category (fx, HERALD_CATEGORY_CONTRACT) > 0
         && count_category (fx, HERALD_CATEGORY_STORAGE) > 0;
}

static gboolean
has_lobby_event (Fixture *fx)
{
  return count_category (fx, HERALD_CATEGORY_LOBBY) > 0;
}

static gboolean
has_twelve_events (Fixture *fx)
{
  return fx->live->events->len >= 12;
}

/* What the dedupe id must be, read from the frame independently of the feed. */
static void
expect_from_frame (const char *frame, char **out_dedupe, gint64 *out_occurred)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *data;
  const char *kind;
  const char *subject_field;

  g_assert_true (json_parser_load_from_data (parser, frame, -1, &error));
  g_assert_no_error (error);
  kind
    = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "type");
  data
    = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "data");
  subject_field = g_str_equal (kind, "contract:event") ? "contractId"
                  : g_str_equal (kind, "lobby:event")  ? "lobbyId"
                                                       : "storageId";
  *out_dedupe = g_strdup_printf ("%s:%s:%s", json_object_get_string_member (data, "type"),
                                 json_object_get_string_member (data, subject_field),
                                 json_object_get_string_member (data, "timestamp"));
  g_assert_true (
    herald_parse_iso8601 (json_object_get_string_member (data, "timestamp"), out_occurred));
}

static void
test_subscribe_and_events (Fixture *fx, gconstpointer data)
{
  GPtrArray *frames;
  const HeraldConnectionCounters *counters;

  prepare (fx, 3, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, subscribed_to_all (fx), WAIT_TIMEOUT_MS);
  g_assert_cmpuint (sim_counter (fx, "subscriptions"), ==, 3);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_every_category (fx), WAIT_TIMEOUT_MS);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_twelve_events (fx), WAIT_TIMEOUT_MS);
  herald_connection_stop (fx->live->connection);

  /* Everything the server sent arrived, in order, and nothing else (no subscribe answers). */
  frames = herald_simulator_get_sent_frames (fx->sim, "hashi");
  g_assert_nonnull (frames);
  g_assert_cmpuint (fx->live->events->len, >=, 12);
  for (guint i = 0, f = 0; i < fx->live->events->len; i++, f++)
    {
      HeraldEvent *event = g_ptr_array_index (fx->live->events, i);
      const char *raw = herald_event_get_raw (event);
      const char *type = herald_event_get_event_type (event);
      g_autofree char *dedupe = NULL;
      gint64 occurred;

      /* The sent frames include the server's control messages; skip to this event's. */
      while (f < frames->len && strstr (g_ptr_array_index (frames, f), ":event\"") == NULL)
        f++;
      g_assert_cmpuint (f, <, frames->len);
      g_assert_cmpstr (raw, ==, g_ptr_array_index (frames, f));

      g_assert_cmpstr (herald_event_get_account (event), ==, "hashi-sim");
      g_assert_cmpstr (herald_event_get_provider (event), ==, "hashi");
      g_assert_cmpstr (herald_event_get_title (event), !=, "");
      g_assert_cmpstr (herald_event_get_body (event), !=, "");
      expect_from_frame (raw, &dedupe, &occurred);
      g_assert_cmpstr (herald_event_get_id (event), ==, dedupe);
      g_assert_cmpint (herald_event_get_occurred (event), ==, occurred);
      if (g_str_has_prefix (type, "contract."))
        g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_CONTRACT);
      else if (g_str_has_prefix (type, "lobby."))
        g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_LOBBY);
      else
        {
          g_assert_true (g_str_has_prefix (type, "storage."));
          g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_STORAGE);
        }
    }

  counters = herald_connection_get_counters (fx->live->connection);
  g_assert_cmpuint (counters->connects, ==, 1);
  g_assert_cmpuint (counters->malformed, ==, 0);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
}

static gboolean
has_eight_events (Fixture *fx)
{
  return fx->live->events->len >= 8;
}

static void
test_no_lobbies_only_contracts (Fixture *fx, gconstpointer data)
{
  prepare (fx, 0, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_eight_events (fx), WAIT_TIMEOUT_MS);

  /* Lobby rooms are for members: without a subscription only the global events come. */
  g_assert_cmpuint (sim_counter (fx, "subscriptions"), ==, 0);
  g_assert_cmpuint (count_category (fx, HERALD_CATEGORY_CONTRACT), ==, fx->live->events->len);
}

static void
test_one_lobby_only_its_events (Fixture *fx, gconstpointer data)
{
  const char *lobby;

  prepare (fx, 1, NULL);
  lobby = herald_simulator_get_scopes (fx->sim, "hashi")[0];
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_lobby_event (fx), WAIT_TIMEOUT_MS);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_twelve_events (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "subscriptions"), ==, 1);
  for (guint i = 0; i < fx->live->events->len; i++)
    {
      HeraldEvent *event = g_ptr_array_index (fx->live->events, i);

      if (herald_event_get_category (event) != HERALD_CATEGORY_CONTRACT)
        g_assert_nonnull (strstr (herald_event_get_raw (event), lobby));
    }
}

static gboolean
answered_ten_pings (Fixture *fx)
{
  return sim_counter (fx, "pings") >= 10;
}

static void
test_ping_pong_keeps_alive (Fixture *fx, gconstpointer data)
{
  const HeraldConnectionCounters *counters;

  scenario (fx, "idle");
  prepare (fx, 0, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, answered_ten_pings (fx), WAIT_TIMEOUT_MS);

  /* Ten heartbeats with a 300 ms deadline each, all answered: never dropped. */
  counters = herald_connection_get_counters (fx->live->connection);
  g_assert_true (herald_test_live_connected (fx->live));
  g_assert_cmpuint (counters->connects, ==, 1);
  g_assert_cmpuint (counters->drops, ==, 0);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (fx->live->events->len, ==, 0);
}

static gboolean
resubscribed_after_reconnect (Fixture *fx)
{
  return sim_counter (fx, "connections") >= 2
         && sim_counter (fx, "subscriptions") >= 2 * fx->n_lobbies
         && herald_test_live_connected (fx->live);
}

static void
test_stall_reconnects (Fixture *fx, gconstpointer data)
{
  const HeraldConnectionCounters *counters;

  /* After two events the server stops answering anything, pings included. */
  scenario (fx, "stall:after=2");
  prepare (fx, 2, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, resubscribed_after_reconnect (fx), WAIT_TIMEOUT_MS);

  counters = herald_connection_get_counters (fx->live->connection);
  g_assert_cmpuint (sim_counter (fx, "stalls"), >=, 1);
  g_assert_cmpuint (counters->drops, >=, 1);
  g_assert_cmpuint (counters->connects, >=, 2);
  g_assert_true (herald_test_live_saw_state (fx->live, HERALD_CONNECTION_BACKING_OFF));
  /* Every socket asked for every lobby again. */
  g_assert_cmpuint (sim_counter (fx, "subscriptions"), >=, 2 * 2);
}

static gboolean
events_after_drop (Fixture *fx)
{
  return sim_counter (fx, "connections") >= 2 && fx->live->events->len >= 6;
}

static void
test_drop_reconnects_and_flows (Fixture *fx, gconstpointer data)
{
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  scenario (fx, "drop:after=3");
  prepare (fx, 3, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, events_after_drop (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "drops"), >=, 1);
  g_assert_cmpuint (herald_connection_get_counters (fx->live->connection)->drops, >=, 1);
  /* The stream resumes where it stopped: new events, not the old ones again. */
  for (guint i = 0; i < fx->live->events->len; i++)
    g_assert_true (g_hash_table_add (
      ids, (gpointer)herald_event_get_id (g_ptr_array_index (fx->live->events, i))));
}

static void
test_duplicates_same_id (Fixture *fx, gconstpointer data)
{
  scenario (fx, "duplicates");
  prepare (fx, 3, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_eight_events (fx), WAIT_TIMEOUT_MS);

  /* Each event comes twice, back to back: the history must see one event. */
  for (guint i = 0; i + 1 < fx->live->events->len; i += 2)
    {
      HeraldEvent *first = g_ptr_array_index (fx->live->events, i);
      HeraldEvent *second = g_ptr_array_index (fx->live->events, i + 1);

      g_assert_cmpstr (herald_event_get_id (first), ==, herald_event_get_id (second));
      g_assert_cmpstr (herald_event_get_raw (first), ==, herald_event_get_raw (second));
    }
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->live->events, 0)), !=,
                   herald_event_get_id (g_ptr_array_index (fx->live->events, 2)));
}

static gboolean
malformed_twice (Fixture *fx)
{
  return herald_connection_get_counters (fx->live->connection)->malformed >= 2
         && fx->live->events->len >= 6;
}

static void
test_malformed_kept_alive (Fixture *fx, gconstpointer data)
{
  const HeraldConnectionCounters *counters;

  scenario (fx, "malformed:every=2");
  prepare (fx, 3, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, malformed_twice (fx), WAIT_TIMEOUT_MS);

  counters = herald_connection_get_counters (fx->live->connection);
  g_assert_cmpuint (counters->connects, ==, 1);
  g_assert_cmpuint (counters->drops, ==, 0);
  g_assert_true (herald_test_live_connected (fx->live));
}

static void
test_auth_error_needs_attention (Fixture *fx, gconstpointer data)
{
  scenario (fx, "auth-failure");
  prepare (fx, 1, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);

  g_assert_cmpstr (herald_connection_get_reason (fx->live->connection), ==,
                   "Hashi refused the access token");
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 1);

  /* Many backoff periods later: still one attempt, still waiting for the user. */
  herald_test_spin (600);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_true (herald_test_live_needs_attention (fx->live));
  g_assert_cmpuint (fx->live->events->len, ==, 0);
  g_assert_false (herald_feed_is_authenticated (fx->live->feed));
}

/* Hashi's "connected" is what confirms the session, announced to listeners once per socket. */
static void
test_authenticated_on_connected (Fixture *fx, gconstpointer data)
{
  guint authenticated = 0;

  prepare (fx, 1, NULL);
  herald_test_count_authenticated (fx->live->feed, &authenticated);
  g_assert_false (herald_feed_is_authenticated (fx->live->feed));
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, authenticated > 0 && subscribed_to_all (fx),
                               WAIT_TIMEOUT_MS);
  g_assert_true (herald_feed_is_authenticated (fx->live->feed));
  g_assert_cmpuint (authenticated, ==, 1);
}

/* An open socket is not a session: without "connected" the feed does not claim one. */
static void
test_not_authenticated_before_connected (Fixture *fx, gconstpointer data)
{
  HeraldTestSilentServer *silent = herald_test_silent_server_new (NULL);
  g_autofree char *token
    = herald_simulator_make_test_jwt ("did:privy:sim", g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_HASHI, "hashi-silent");
  g_autoptr (HeraldFeed) feed = NULL;

  herald_account_set_endpoint (account, silent->endpoint);
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "token", token);
  g_assert_false (herald_test_silent_authenticates (silent, feed));
  herald_test_silent_server_free (silent);
  herald_test_drain ();
}

static void
test_expired_token_never_connects (Fixture *fx, gconstpointer data)
{
  gint64 expired = g_get_real_time () / G_USEC_PER_SEC - 60;
  g_autofree char *token = herald_simulator_make_test_jwt ("did:privy:sim", expired);

  prepare (fx, 1, token);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);

  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->live->connection),
                                   "The Hashi access token expired at "));
  g_assert_true (
    g_str_has_suffix (herald_connection_get_reason (fx->live->connection), "; paste a new one"));
  herald_test_spin (300);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 0);
  g_assert_true (herald_test_live_needs_attention (fx->live));
}

static void
test_not_a_jwt_never_connects (Fixture *fx, gconstpointer data)
{
  prepare (fx, 1, "paste-went-wrong");
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);

  g_assert_cmpstr (herald_connection_get_reason (fx->live->connection), ==,
                   "The Hashi access token is not a valid JWT; paste it again");
  herald_test_spin (300);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 0);
}

static gboolean
has_event (Fixture *fx)
{
  return fx->live->events->len > 0;
}

static void
test_expiry_warning (Fixture *fx, gconstpointer data)
{
  gint64 expiry = g_get_real_time () / G_USEC_PER_SEC + 3;
  g_autofree char *token = herald_simulator_make_test_jwt ("did:privy:sim", expiry);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (expiry);
  g_autofree char *when = g_date_time_format (local, "%H:%M");
  g_autofree char *dedupe = g_strdup_printf ("token-expiry:%" G_GINT64_FORMAT, expiry);
  HeraldEvent *warning;

  /* The server takes the short-lived token too, so only Herald's own timer can act. */
  scenario (fx, "idle");
  g_assert_true (herald_simulator_set_credential (fx->sim, "hashi", "token", token, &error));
  g_assert_no_error (error);
  prepare (fx, 0, token);
  herald_hashi_feed_set_expiry_lead_ms (HERALD_HASHI_FEED (fx->live->feed), 2000);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_connected (fx->live), WAIT_TIMEOUT_MS);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_event (fx), WAIT_TIMEOUT_MS);

  g_assert_true (herald_test_live_connected (fx->live));
  g_assert_cmpint (g_get_real_time (), <, expiry * G_USEC_PER_SEC);
  warning = g_ptr_array_index (fx->live->events, 0);
  g_assert_cmpstr (herald_event_get_event_type (warning), ==, "token.expiring");
  g_assert_cmpint (herald_event_get_category (warning), ==, HERALD_CATEGORY_SYSTEM);
  g_assert_cmpint (herald_event_get_severity (warning), ==, HERALD_SEVERITY_WARNING);
  g_assert_cmpstr (herald_event_get_id (warning), ==, dedupe);
  g_assert_cmpstr (herald_event_get_title (warning), ==, "Hashi access token expires soon");
  g_assert_nonnull (strstr (herald_event_get_body (warning), when));

  /* At "exp" Herald stops by itself rather than waiting to be thrown out. */
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);
  g_assert_cmpint (g_get_real_time (), >=, expiry * G_USEC_PER_SEC);
  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->live->connection),
                                   "The Hashi access token expired at "));
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 0);
  herald_test_spin (300);
  g_assert_cmpuint (fx->live->events->len, ==, 1);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
}

static gboolean
reconnected_twice (Fixture *fx)
{
  return sim_counter (fx, "connections") >= 3 && herald_test_live_connected (fx->live);
}

static void
test_expiry_warning_once (Fixture *fx, gconstpointer data)
{
  gint64 expiry = g_get_real_time () / G_USEC_PER_SEC + 60;
  g_autofree char *token = herald_simulator_make_test_jwt ("did:privy:sim", expiry);
  g_autoptr (GError) error = NULL;

  /* Inside the warning window from the start, and the socket keeps dropping. */
  scenario (fx, "drop:after=1");
  g_assert_true (herald_simulator_set_credential (fx->sim, "hashi", "token", token, &error));
  g_assert_no_error (error);
  prepare (fx, 0, token);
  herald_hashi_feed_set_expiry_lead_ms (HERALD_HASHI_FEED (fx->live->feed), 120 * 1000);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, reconnected_twice (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (fx->live->events->len, >, 0);
  g_assert_cmpstr (herald_event_get_event_type (g_ptr_array_index (fx->live->events, 0)), ==,
                   "token.expiring");
  for (guint i = 1; i < fx->live->events->len; i++)
    g_assert_cmpstr (herald_event_get_event_type (g_ptr_array_index (fx->live->events, i)), !=,
                     "token.expiring");
}

int
main (int argc, char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/hashi-feed/subscribe-and-events", test_subscribe_and_events);
  ADD ("/hashi-feed/no-lobbies-only-contracts", test_no_lobbies_only_contracts);
  ADD ("/hashi-feed/one-lobby-only-its-events", test_one_lobby_only_its_events);
  ADD ("/hashi-feed/ping-pong-keeps-alive", test_ping_pong_keeps_alive);
  ADD ("/hashi-feed/stall-reconnects", test_stall_reconnects);
  ADD ("/hashi-feed/drop-reconnects-and-flows", test_drop_reconnects_and_flows);
  ADD ("/hashi-feed/duplicates-same-id", test_duplicates_same_id);
  ADD ("/hashi-feed/malformed-kept-alive", test_malformed_kept_alive);
  ADD ("/hashi-feed/auth-error-needs-attention", test_auth_error_needs_attention);
  ADD ("/hashi-feed/authenticated-on-connected", test_authenticated_on_connected);
  ADD ("/hashi-feed/not-authenticated-before-connected", test_not_authenticated_before_connected);
  ADD ("/hashi-feed/expired-token-never-connects", test_expired_token_never_connects);
  ADD ("/hashi-feed/not-a-jwt-never-connects", test_not_a_jwt_never_connects);
  ADD ("/hashi-feed/expiry-warning", test_expiry_warning);
  ADD ("/hashi-feed/expiry-warning-once", test_expiry_warning_once);
#undef ADD
  return g_test_run ();
}
