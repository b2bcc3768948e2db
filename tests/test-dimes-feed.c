/* test-dimes-feed.c — the Dimes feed through a real HeraldConnection against the simulator's
 * Socket.IO endpoint: both gateways, acks, refusals, lapsing tokens, stalls, drops, replays. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-connection.h"
#include "herald-dimes-feed.h"
#include "herald-providers.h"
#include "herald-simulator.h"

#define WAIT_TIMEOUT_MS 10000

typedef struct
{
  HeraldSimulator *sim;
  HeraldAccount *account;
  HeraldFeed *feed;
  SoupSession *session;
  HeraldConnection *connection;
  GPtrArray *events;
  GPtrArray *reasons; /* the reason of every state the connection went through */
  gint64 dropped_at;
} Fixture;

static void
event_cb (HeraldConnection *connection, HeraldEvent *event, gpointer user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->events, herald_event_ref (event));
}

static void
state_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Fixture *fx = user_data;
  HeraldConnectionState state = herald_connection_get_state (fx->connection);

  g_ptr_array_add (fx->reasons, g_strdup (herald_connection_get_reason (fx->connection)));
  if (state == HERALD_CONNECTION_BACKING_OFF && fx->dropped_at == 0)
    fx->dropped_at = g_get_monotonic_time ();
}

static void
scenario (Fixture *fx, const char *spec)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (herald_simulator_parse_scenario (fx->sim, "dimes", spec, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->sim = herald_simulator_new ();
  herald_simulator_set_recording (fx->sim, TRUE);
  fx->events = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
  fx->reasons = g_ptr_array_new_with_free_func (g_free);
  scenario (fx, "trickle:interval=20");
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->connection != NULL)
    {
      herald_connection_stop (fx->connection);
      g_signal_handlers_disconnect_by_data (fx->connection, fx);
    }
  g_clear_object (&fx->connection);
  g_clear_object (&fx->feed);
  g_clear_object (&fx->account);
  g_clear_object (&fx->session);
  g_clear_object (&fx->sim);
  g_ptr_array_unref (fx->events);
  g_ptr_array_unref (fx->reasons);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Listens and builds the account and its connection, ready to start. secret NULL: the
 * simulator's own credential for the gateway. */
static void
prepare (Fixture *fx, const char *gateway, const char *secret)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *endpoint = NULL;
  const char *field = g_str_equal (gateway, "customer") ? "token" : "api-key";

  g_assert_true (herald_simulator_listen (fx->sim, 0, &error));
  g_assert_no_error (error);
  endpoint = herald_simulator_get_endpoint (fx->sim, "dimes");
  g_assert_nonnull (endpoint);

  fx->account = herald_account_new (HERALD_PROVIDER_DIMES, "dimes-sim");
  herald_account_set_label (fx->account, "Sim");
  herald_account_set_endpoint (fx->account, endpoint);
  herald_account_add_option_value (fx->account, "gateway", gateway);
  g_assert_true (herald_account_validate (fx->account, &error));
  g_assert_no_error (error);

  fx->feed = herald_feed_new_for_account (fx->account);
  g_assert_true (HERALD_IS_DIMES_FEED (fx->feed));
  herald_feed_set_credential (
    fx->feed, field, secret ? secret : herald_simulator_get_credential (fx->sim, "dimes", field));

  fx->session = soup_session_new ();
  fx->connection = herald_connection_new (fx->feed, fx->session, NULL);
  herald_connection_set_backoff (fx->connection, 50, 200, 60000, 1);
  g_signal_connect (fx->connection, "event", G_CALLBACK (event_cb), fx);
  g_signal_connect (fx->connection, "notify::state", G_CALLBACK (state_cb), fx);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (Fixture *fx);

static void
wait_until (Fixture *fx, Condition condition, const char *what)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (WAIT_TIMEOUT_MS, timeout_cb, &timed_out);

  while (!condition (fx) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("timed out waiting for %s (state %s: %s)", what,
             herald_connection_state_to_string (herald_connection_get_state (fx->connection)),
             herald_connection_get_reason (fx->connection));
  g_source_remove (source);
}

/* Runs the main loop for a while whatever happens: for things that must NOT happen. */
static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static guint
sim_counter (Fixture *fx, const char *name)
{
  return herald_simulator_get_counter (fx->sim, "dimes", name);
}

static const HeraldConnectionCounters *
counters (Fixture *fx)
{
  return herald_connection_get_counters (fx->connection);
}

static gboolean
is_connected (Fixture *fx)
{
  return herald_connection_get_state (fx->connection) == HERALD_CONNECTION_CONNECTED;
}

static gboolean
needs_attention (Fixture *fx)
{
  return herald_connection_get_state (fx->connection) == HERALD_CONNECTION_NEEDS_ATTENTION;
}

static gboolean
has_a_round (Fixture *fx)
{
  return fx->events->len >= 12;
}

static gboolean
has_some_events (Fixture *fx)
{
  return fx->events->len >= 3;
}

static gboolean
reconnected_with_events (Fixture *fx)
{
  return counters (fx)->connects >= 2 && fx->events->len >= 8 && is_connected (fx);
}

static gboolean
was_reason (Fixture *fx, const char *prefix)
{
  for (guint i = 0; i < fx->reasons->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (fx->reasons, i), prefix))
      return TRUE;
  return FALSE;
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

  for (guint i = 0; i < fx->events->len; i++)
    {
      const char *raw = herald_event_get_raw (g_ptr_array_index (fx->events, i));
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
  gboolean timed_out = FALSE;
  guint source;

  prepare (fx, "partner", NULL);
  herald_connection_start (fx->connection);
  wait_until (fx, has_a_round, "a round of position events");

  for (guint i = 0; i < fx->events->len; i++)
    check_position_event (fx, g_ptr_array_index (fx->events, i), HERALD_DIMES_PARTNER_NAMESPACE,
                          NULL);
  /* Every type of the round came through: three positions, each with its own ending. */
  g_assert_cmpuint (sim_counter (fx, "subscriptions"), ==, 1);
  g_assert_cmpuint (counters (fx)->malformed, ==, 0);
  g_assert_cmpuint (counters (fx)->connects, ==, 1);

  /* Each ack the server asked for came back. */
  acks_wanted = count_ack_requests (fx);
  g_assert_cmpuint (acks_wanted, >=, 3);
  source = g_timeout_add (WAIT_TIMEOUT_MS, timeout_cb, &timed_out);
  while (sim_counter (fx, "acks") < count_ack_requests (fx) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
}

static void
test_customer_events (Fixture *fx, gconstpointer data)
{
  const char *const *wallets;

  prepare (fx, "customer", NULL);
  wallets = herald_simulator_get_scopes (fx->sim, "dimes");
  herald_connection_start (fx->connection);
  wait_until (fx, has_some_events, "the customer's position events");
  /* Only the token's own wallet, on the customer namespace. */
  for (guint i = 0; i < fx->events->len; i++)
    check_position_event (fx, g_ptr_array_index (fx->events, i), HERALD_DIMES_CUSTOMER_NAMESPACE,
                          wallets[0]);
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
  herald_connection_start (fx->connection);
  wait_until (fx, needs_attention, "the refusal");
  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->connection),
                                   "Dimes refused the connection: "));
  g_assert_cmpuint (fx->events->len, ==, 0);

  /* No retry storm: the simulator sees no second attempt. */
  run_for (1000);
  g_assert_cmpint (herald_connection_get_state (fx->connection), ==,
                   HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (counters (fx)->connects, ==, 1);
}

static void
test_customer_token_expired (Fixture *fx, gconstpointer data)
{
  g_autofree char *token
    = herald_simulator_make_test_jwt ("0xabc", g_get_real_time () / G_USEC_PER_SEC - 30);

  prepare (fx, "customer", token);
  herald_connection_start (fx->connection);
  wait_until (fx, needs_attention, "the lapsed token to be flagged");
  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->connection),
                                   "The customer token expired at "));
  /* Flagged before connecting: the server never saw it. */
  run_for (300);
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
  herald_feed_set_credential (fx->feed, "token", token);

  herald_connection_start (fx->connection);
  wait_until (fx, is_connected, "the customer session");
  wait_until (fx, needs_attention, "the lapsing token to be flagged");
  g_assert_true (was_reason (fx, "The customer token is about to expire"));
  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->connection),
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
  herald_connection_start (fx->connection);
  wait_until (fx, reconnected_with_events, "a reconnection after the stall");
  g_assert_cmpuint (sim_counter (fx, "stalls"), >=, 1);
  g_assert_true (was_reason (fx, "The server sent no heartbeat for 1 second "));
  g_assert_cmpuint (counters (fx)->malformed, ==, 0);
}

static void
test_heartbeat_answered (Fixture *fx, gconstpointer data)
{
  scenario (fx, "heartbeat:interval=100,timeout=100");
  prepare (fx, "partner", NULL);
  herald_connection_start (fx->connection);
  wait_until (fx, is_connected, "the session");
  run_for (1200);
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
  herald_connection_start (fx->connection);
  wait_until (fx, reconnected_with_events, "events after the drop");
  g_assert_cmpuint (sim_counter (fx, "drops"), >=, 1);
  /* The stream carries on where it stopped: no event twice, none lost in between. */
  for (guint i = 0; i < fx->events->len; i++)
    g_assert_true (
      g_hash_table_add (seen, (gpointer)herald_event_get_id (g_ptr_array_index (fx->events, i))));
  for (guint i = 0; i < fx->events->len; i++)
    g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->events, i)), ==,
                     g_ptr_array_index (herald_simulator_get_sent_ids (fx->sim, "dimes"), i));
  g_hash_table_unref (seen);
}

static void
test_duplicates (Fixture *fx, gconstpointer data)
{
  scenario (fx, "duplicates:replay=2");
  prepare (fx, "partner", NULL);
  herald_connection_start (fx->connection);
  wait_until (fx, has_some_events, "events");
  /* Each event came twice; both copies carry the same dedupe id, so the history keeps one. */
  for (guint i = 0; i + 1 < fx->events->len; i += 2)
    {
      HeraldEvent *first = g_ptr_array_index (fx->events, i);
      HeraldEvent *copy = g_ptr_array_index (fx->events, i + 1);

      g_assert_cmpstr (herald_event_get_id (first), ==, herald_event_get_id (copy));
      g_assert_cmpstr (herald_event_get_title (first), ==, herald_event_get_title (copy));
      g_assert_cmpint (herald_event_get_occurred (first), ==, herald_event_get_occurred (copy));
    }
  g_assert_cmpuint (sim_counter (fx, "duplicates"), >=, 1);
}

static gboolean
has_malformed_and_more (Fixture *fx)
{
  return counters (fx)->malformed >= 4 && fx->events->len >= 8;
}

static void
test_malformed (Fixture *fx, gconstpointer data)
{
  guint unknown = 0;

  scenario (fx, "malformed:every=2");
  prepare (fx, "partner", NULL);
  herald_connection_start (fx->connection);
  wait_until (fx, has_malformed_and_more, "bad frames among good ones");
  /* Bad frames are dropped one by one; the session stays up. */
  g_assert_cmpuint (counters (fx)->connects, ==, 1);
  g_assert_cmpint (herald_connection_get_state (fx->connection), ==, HERALD_CONNECTION_CONNECTED);
  for (guint i = 0; i < fx->events->len; i++)
    {
      HeraldEvent *event = g_ptr_array_index (fx->events, i);

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
