/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dimes-feed.c — the Dimes feed through a real HeraldConnection against the simulator's
 * Socket.IO endpoint: both gateways, acks, refusals, lapsing tokens, stalls, drops, replays. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-dimes-feed.h"
#include "herald-providers.h"
#include "herald-test-feed.h"

#define WAIT_TIMEOUT_MS 10000

typedef struct
{
  HeraldSimulator *sim;
  HeraldTestLive *live;
} Fixture;

static void
scenario (Fixture *fx, const char *spec)
{
  herald_test_sim_scenario (fx->sim, "dimes", spec);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->sim = herald_test_sim_new ();
  scenario (fx, "trickle:interval=20");
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  herald_test_sim_teardown (&fx->live, &fx->sim);
}

/* Listens and builds the account and its connection, ready to start. secret NULL: the
 * simulator's own credential for the gateway. */
static void
prepare (Fixture *fx, const char *gateway, const char *secret)
{
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (HeraldFeed) feed = NULL;
  const char *field = g_str_equal (gateway, "customer") ? "token" : "api-key";

  account = herald_test_sim_account_new (fx->sim, "dimes");
  herald_account_add_option_value (account, "gateway", gateway);

  feed = herald_test_sim_feed_new (fx->sim, account);
  g_assert_true (HERALD_IS_DIMES_FEED (feed));
  if (secret != NULL)
    herald_feed_set_credential (feed, field, secret);
  fx->live = herald_test_live_new (feed, NULL);
}

static guint
sim_counter (Fixture *fx, const char *name)
{
  return herald_simulator_get_counter (fx->sim, "dimes", name);
}

static const HeraldConnectionCounters *
counters (Fixture *fx)
{
  return herald_connection_get_counters (fx->live->connection);
}

static gboolean
has_a_round (Fixture *fx)
{
  return fx->live->events->len >= 12;
}

static gboolean
has_some_events (Fixture *fx)
{
  return fx->live->events->len >= 3;
}

static gboolean
reconnected_with_events (Fixture *fx)
{
  return counters (fx)->connects >= 2 && fx->live->events->len >= 8
         && herald_test_live_connected (fx->live);
}

static gboolean
frame_was_sent (Fixture *fx, const char *frame)
{
  GPtrArray *frames = herald_simulator_get_sent_frames (fx->sim, "dimes");

  for (guint i = 0; i < frames->len; i++)
    if (g_str_equal (g_ptr_array_index (frames, i), frame))
      return TRUE;
  return FALSE;
}

/* Checks an event against its own frame, read with json-glib (not the feed's reader): the
 * title, severity, id and time a user sees must follow from what the server said. */
static void
check_position_event (Fixture *fx, HeraldEvent *event, const char *namespace, const char *wallet)
{
  static const struct
  {
    const char *type;
    const char *verb;
    HeraldSeverity severity;
  } expected[] = {
    { "position.created", "Position created", HERALD_SEVERITY_INFO },
    { "position.opening", "Position opening", HERALD_SEVERITY_INFO },
    { "position.opened", "Position opened", HERALD_SEVERITY_INFO },
    { "position.close_requested", "Position close requested", HERALD_SEVERITY_INFO },
    { "position.closed", "Position closed", HERALD_SEVERITY_INFO },
    { "position.settled", "Position settled", HERALD_SEVERITY_INFO },
    { "position.liquidated", "Position liquidated", HERALD_SEVERITY_CRITICAL },
    { "position.force_unwound", "Position partly unwound", HERALD_SEVERITY_WARNING },
    { "position.reverted", "Position reverted", HERALD_SEVERITY_WARNING },
    { "position.cancelled", "Position cancelled", HERALD_SEVERITY_WARNING },
  };
  const char *raw = herald_event_get_raw (event);
  g_autofree char *prefix = g_strdup_printf ("42%s,", namespace);
  const char *json;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *side = NULL;
  g_autofree char *title = NULL;
  JsonArray *array;
  JsonObject *envelope, *position, *entry;
  gint64 created_at;
  guint i;

  g_assert_true (frame_was_sent (fx, raw));
  g_assert_true (g_str_has_prefix (raw, prefix));
  json = raw + strlen (prefix);
  while (g_ascii_isdigit (*json))
    json++;
  root = json_from_string (json, &error);
  g_assert_no_error (error);
  array = json_node_get_array (root);
  envelope = json_array_get_object_element (array, 1);
  position = json_object_get_object_member (envelope, "data");
  entry = json_object_get_object_member (position, "entry");

  g_assert_cmpstr (herald_event_get_event_type (event), ==,
                   json_array_get_string_element (array, 0));
  g_assert_cmpstr (herald_event_get_id (event), ==, json_object_get_string_member (envelope, "id"));
  g_assert_true (
    herald_parse_iso8601 (json_object_get_string_member (envelope, "created_at"), &created_at));
  g_assert_cmpint (herald_event_get_occurred (event), ==, created_at);
  g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_POSITION);
  if (wallet != NULL)
    g_assert_cmpstr (json_object_get_string_member (position, "wallet_address"), ==, wallet);

  for (i = 0; i < G_N_ELEMENTS (expected); i++)
    if (g_str_equal (expected[i].type, herald_event_get_event_type (event)))
      break;
  g_assert_cmpuint (i, <, G_N_ELEMENTS (expected));
  side = g_ascii_strup (json_object_get_string_member (position, "side"), -1);
  title = g_strdup_printf ("%s: %s on %s", expected[i].verb, side,
                           json_object_get_string_member (position, "market_title"));
  g_assert_cmpstr (herald_event_get_title (event), ==, title);
  g_assert_cmpint (herald_event_get_severity (event), ==, expected[i].severity);
  /* Every shape carries the entry; its collateral leads the body, in dollars. */
  g_assert_true (g_str_has_prefix (herald_event_get_body (event), "Collateral $"));
  g_assert_nonnull (json_object_get_string_member (entry, "collateral_usd"));
  if (json_object_has_member (position, "result"))
    g_assert_nonnull (strstr (herald_event_get_body (event), "Realized P&L "));
}

/* The frames the simulator sent with an ack id: "42/ns,7[…]". */
static guint
count_ack_requests (Fixture *fx)
{
  guint n = 0;

  for (guint i = 0; i < fx->live->events->len; i++)
    {
      const char *raw = herald_event_get_raw (g_ptr_array_index (fx->live->events, i));
      const char *comma = strchr (raw, ',');

      n += comma != NULL && g_ascii_isdigit (comma[1]);
    }
  return n;
}

/* --- tests --- */

static void
test_partner_events (Fixture *fx, gconstpointer data)
{
  guint acks_wanted;

  prepare (fx, "partner", NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_a_round (fx), WAIT_TIMEOUT_MS);

  for (guint i = 0; i < fx->live->events->len; i++)
    check_position_event (fx, g_ptr_array_index (fx->live->events, i),
                          HERALD_DIMES_PARTNER_NAMESPACE, NULL);
  /* Every type of the round came through: three positions, each with its own ending. */
  g_assert_cmpuint (sim_counter (fx, "subscriptions"), ==, 1);
  g_assert_cmpuint (counters (fx)->malformed, ==, 0);
  g_assert_cmpuint (counters (fx)->connects, ==, 1);

  /* Each ack the server asked for came back. */
  acks_wanted = count_ack_requests (fx);
  g_assert_cmpuint (acks_wanted, >=, 3);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, sim_counter (fx, "acks") >= count_ack_requests (fx),
                               WAIT_TIMEOUT_MS);
}

static void
test_customer_events (Fixture *fx, gconstpointer data)
{
  const char *const *wallets;

  prepare (fx, "customer", NULL);
  wallets = herald_simulator_get_scopes (fx->sim, "dimes");
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_some_events (fx), WAIT_TIMEOUT_MS);
  /* Only the token's own wallet, on the customer namespace. */
  for (guint i = 0; i < fx->live->events->len; i++)
    check_position_event (fx, g_ptr_array_index (fx->live->events, i),
                          HERALD_DIMES_CUSTOMER_NAMESPACE, wallets[0]);
}

static void
test_refused (Fixture *fx, gconstpointer data)
{
  const char *expected = data;

  if (g_str_has_suffix (expected, "token"))
    prepare (fx, "customer", NULL);
  else
    prepare (fx, "partner", g_str_has_prefix (expected, "wrong") ? "dm_sbx_skey_wrong" : NULL);
  if (!g_str_has_prefix (expected, "wrong"))
    scenario (fx, "auth-failure");
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);
  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->live->connection),
                                   "Dimes refused the connection: "));
  g_assert_cmpuint (fx->live->events->len, ==, 0);

  /* No retry storm: the simulator sees no second attempt. */
  herald_test_spin (1000);
  g_assert_cmpint (herald_connection_get_state (fx->live->connection), ==,
                   HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (counters (fx)->connects, ==, 1);
  g_assert_false (herald_feed_is_authenticated (fx->live->feed));
}

/* The namespace CONNECT ack is what confirms the session, announced once per socket. */
static void
test_authenticated_on_namespace_connect (Fixture *fx, gconstpointer data)
{
  guint authenticated = 0;

  scenario (fx, "idle");
  prepare (fx, "partner", NULL);
  herald_test_count_authenticated (fx->live->feed, &authenticated);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, authenticated > 0, WAIT_TIMEOUT_MS);
  g_assert_true (herald_test_live_connected (fx->live));
  g_assert_true (herald_feed_is_authenticated (fx->live->feed));
  g_assert_cmpuint (sim_counter (fx, "subscriptions"), ==, 1);
  herald_test_spin (300);
  g_assert_cmpuint (authenticated, ==, 1);
}

/* Engine.IO's open is not a session: without the namespace ack the feed does not claim one. */
static void
test_not_authenticated_before_namespace_connect (Fixture *fx, gconstpointer data)
{
  HeraldTestSilentServer *silent = herald_test_silent_server_new (
    "0{\"sid\":\"silent\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
    "\"maxPayload\":1000000}");
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_DIMES, "dimes-silent");
  g_autoptr (HeraldFeed) feed = NULL;

  herald_account_set_endpoint (account, silent->endpoint);
  herald_account_add_option_value (account, "gateway", "partner");
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "api-key", "dm_sbx_skey_silent");
  g_assert_false (herald_test_silent_authenticates (silent, feed));
  herald_test_silent_server_free (silent);
  herald_test_drain ();
}

static void
test_customer_token_expired (Fixture *fx, gconstpointer data)
{
  g_autofree char *token
    = herald_simulator_make_test_jwt ("0xabc", g_get_real_time () / G_USEC_PER_SEC - 30);

  prepare (fx, "customer", token);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);
  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->live->connection),
                                   "The customer token expired at "));
  /* Flagged before connecting: the server never saw it. */
  herald_test_spin (300);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 0);
}

/* A token about to lapse: the session ends shortly before, and the account asks for a new
 * token rather than waiting for the server's refusal. */
static void
test_customer_token_lapsing (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *const *wallets;
  g_autofree char *token = NULL;
  gint64 started = g_get_monotonic_time ();

  prepare (fx, "customer", "placeholder");
  wallets = herald_simulator_get_scopes (fx->sim, "dimes");
  token = herald_simulator_make_test_jwt (wallets[0], g_get_real_time () / G_USEC_PER_SEC
                                                        + HERALD_DIMES_TOKEN_MARGIN_S + 2);
  g_assert_true (herald_simulator_set_credential (fx->sim, "dimes", "token", token, &error));
  g_assert_no_error (error);
  herald_feed_set_credential (fx->live->feed, "token", token);

  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_connected (fx->live), WAIT_TIMEOUT_MS);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);
  g_assert_true (herald_test_live_saw_reason (fx->live, "The customer token is about to expire"));
  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->live->connection),
                                   "The customer token expires at "));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 0);
}

static void
test_stall (Fixture *fx, gconstpointer data)
{
  scenario (fx, "heartbeat:interval=200,timeout=200");
  scenario (fx, "stall:after=3");
  prepare (fx, "partner", NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, reconnected_with_events (fx), WAIT_TIMEOUT_MS);
  g_assert_cmpuint (sim_counter (fx, "stalls"), >=, 1);
  g_assert_true (
    herald_test_live_saw_reason (fx->live, "The server sent no heartbeat for 1 second "));
  g_assert_cmpuint (counters (fx)->malformed, ==, 0);
}

static void
test_heartbeat_answered (Fixture *fx, gconstpointer data)
{
  scenario (fx, "heartbeat:interval=100,timeout=100");
  prepare (fx, "partner", NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_connected (fx->live), WAIT_TIMEOUT_MS);
  herald_test_spin (1200);
  /* The simulator closes a session whose ping goes unanswered for 100 ms. */
  g_assert_cmpuint (sim_counter (fx, "heartbeats"), >=, 5);
  g_assert_cmpuint (sim_counter (fx, "pongs"), >=, sim_counter (fx, "heartbeats") - 1);
  g_assert_cmpuint (counters (fx)->connects, ==, 1);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
}

static void
test_drop (Fixture *fx, gconstpointer data)
{
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

  scenario (fx, "drop:after=4");
  prepare (fx, "partner", NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, reconnected_with_events (fx), WAIT_TIMEOUT_MS);
  g_assert_cmpuint (sim_counter (fx, "drops"), >=, 1);
  /* The stream carries on where it stopped: no event twice, none lost in between. */
  for (guint i = 0; i < fx->live->events->len; i++)
    g_assert_true (g_hash_table_add (
      seen, (gpointer)herald_event_get_id (g_ptr_array_index (fx->live->events, i))));
  for (guint i = 0; i < fx->live->events->len; i++)
    g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->live->events, i)), ==,
                     g_ptr_array_index (herald_simulator_get_sent_ids (fx->sim, "dimes"), i));
  g_hash_table_unref (seen);
}

static void
test_duplicates (Fixture *fx, gconstpointer data)
{
  scenario (fx, "duplicates:replay=2");
  prepare (fx, "partner", NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_some_events (fx), WAIT_TIMEOUT_MS);
  /* Each event came twice; both copies carry the same dedupe id, so the history keeps one. */
  for (guint i = 0; i + 1 < fx->live->events->len; i += 2)
    {
      HeraldEvent *first = g_ptr_array_index (fx->live->events, i);
      HeraldEvent *copy = g_ptr_array_index (fx->live->events, i + 1);

      g_assert_cmpstr (herald_event_get_id (first), ==, herald_event_get_id (copy));
      g_assert_cmpstr (herald_event_get_title (first), ==, herald_event_get_title (copy));
      g_assert_cmpint (herald_event_get_occurred (first), ==, herald_event_get_occurred (copy));
    }
  g_assert_cmpuint (sim_counter (fx, "duplicates"), >=, 1);
}

static gboolean
has_malformed_and_more (Fixture *fx)
{
  return counters (fx)->malformed >= 4 && fx->live->events->len >= 8;
}

static void
test_malformed (Fixture *fx, gconstpointer data)
{
  guint unknown = 0;

  scenario (fx, "malformed:every=2");
  prepare (fx, "partner", NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_malformed_and_more (fx), WAIT_TIMEOUT_MS);
  /* Bad frames are dropped one by one; the session stays up. */
  g_assert_cmpuint (counters (fx)->connects, ==, 1);
  g_assert_cmpint (herald_connection_get_state (fx->live->connection), ==,
                   HERALD_CONNECTION_CONNECTED);
  for (guint i = 0; i < fx->live->events->len; i++)
    {
      HeraldEvent *event = g_ptr_array_index (fx->live->events, i);

      if (g_str_equal (herald_event_get_event_type (event), "position.teleported"))
        {
          /* A type Herald does not know is kept. */
          g_assert_cmpstr (herald_event_get_title (event), ==, "Dimes: position.teleported");
          unknown++;
        }
      else
        check_position_event (fx, event, HERALD_DIMES_PARTNER_NAMESPACE, NULL);
    }
  g_assert_cmpuint (unknown, >=, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/dimes-feed/partner-events", Fixture, NULL, fixture_setup, test_partner_events,
              fixture_teardown);
  g_test_add ("/dimes-feed/customer-events", Fixture, NULL, fixture_setup, test_customer_events,
              fixture_teardown);
  g_test_add ("/dimes-feed/refused/wrong-key", Fixture, "wrong key", fixture_setup, test_refused,
              fixture_teardown);
  g_test_add ("/dimes-feed/refused/partner", Fixture, "partner key", fixture_setup, test_refused,
              fixture_teardown);
  g_test_add ("/dimes-feed/refused/customer", Fixture, "customer token", fixture_setup,
              test_refused, fixture_teardown);
  g_test_add ("/dimes-feed/token/expired", Fixture, NULL, fixture_setup,
              test_customer_token_expired, fixture_teardown);
  g_test_add ("/dimes-feed/token/lapsing", Fixture, NULL, fixture_setup,
              test_customer_token_lapsing, fixture_teardown);
  g_test_add ("/dimes-feed/authenticated-on-namespace-connect", Fixture, NULL, fixture_setup,
              test_authenticated_on_namespace_connect, fixture_teardown);
  g_test_add ("/dimes-feed/not-authenticated-before-namespace-connect", Fixture, NULL,
              fixture_setup, test_not_authenticated_before_namespace_connect, fixture_teardown);
  g_test_add ("/dimes-feed/stall", Fixture, NULL, fixture_setup, test_stall, fixture_teardown);
  g_test_add ("/dimes-feed/heartbeat-answered", Fixture, NULL, fixture_setup,
              test_heartbeat_answered, fixture_teardown);
  g_test_add ("/dimes-feed/drop", Fixture, NULL, fixture_setup, test_drop, fixture_teardown);
  g_test_add ("/dimes-feed/duplicates", Fixture, NULL, fixture_setup, test_duplicates,
              fixture_teardown);
  g_test_add ("/dimes-feed/malformed", Fixture, NULL, fixture_setup, test_malformed,
              fixture_teardown);

  return g_test_run ();
}
