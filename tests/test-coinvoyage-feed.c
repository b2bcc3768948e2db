/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-coinvoyage-feed.c — the CoinVoyage feed through a real HeraldConnection against the
 * simulator: signed organization scope, order scope, refusals, keepalive, drops, bad frames. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-coinvoyage-feed.h"
#include "herald-providers.h"
#include "herald-test-feed.h"

#define WAIT_TIMEOUT_MS 15000

typedef struct
{
  HeraldSimulator *sim;
  HeraldTestLive *live;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->sim = herald_test_sim_new ();
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  herald_test_sim_teardown (&fx->live, &fx->sim);
}

static void
scenario (Fixture *fx, const char *spec)
{
  herald_test_sim_scenario (fx->sim, "coinvoyage", spec);
}

#define SIM_KEY NULL
#define NO_SECRET ""

/* Listens and builds the account (following the first n_orders of the simulator's orders,
 * none: the organization) and its connection. api_key/api_secret NULL: the simulator's own;
 * NO_SECRET: none stored. */
static void
prepare (Fixture *fx, guint n_orders, const char *api_key, const char *api_secret,
         const HeraldFeedTiming *timing)
{
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (HeraldFeed) feed = NULL;
  const char *const *scopes;

  account = herald_test_sim_account_new (fx->sim, "coinvoyage");
  scopes = herald_simulator_get_scopes (fx->sim, "coinvoyage");
  g_assert_cmpuint (g_strv_length ((char **)scopes), >=, n_orders);
  for (guint i = 0; i < n_orders; i++)
    herald_account_add_option_value (account, "order", scopes[i]);

  feed = herald_test_sim_feed_new (fx->sim, account);
  g_assert_true (HERALD_IS_COINVOYAGE_FEED (feed));
  if (api_key != NULL)
    herald_feed_set_credential (feed, "api-key", api_key);
  if (api_secret != NULL && *api_secret == '\0')
    herald_feed_set_credential (feed, "api-secret", NULL);
  else if (api_secret != NULL)
    herald_feed_set_credential (feed, "api-secret", api_secret);
  if (timing != NULL)
    herald_feed_set_timing (feed, timing);
  fx->live = herald_test_live_new (feed, NULL);
}

static guint
sim_counter (Fixture *fx, const char *name)
{
  return herald_simulator_get_counter (fx->sim, "coinvoyage", name);
}

static gboolean
has_24_events (Fixture *fx)
{
  return fx->live->events->len >= 24;
}

static gboolean
has_ten_events (Fixture *fx)
{
  return fx->live->events->len >= 10;
}

static gboolean
resubscribed (Fixture *fx)
{
  return sim_counter (fx, "connections") >= 2 && sim_counter (fx, "subscriptions") >= 2
         && fx->live->events->len >= 8 && herald_test_live_connected (fx->live);
}

static gboolean
reconnected (Fixture *fx)
{
  return sim_counter (fx, "connections") >= 2 && herald_test_live_connected (fx->live);
}

static gboolean
malformed_and_unknown_seen (Fixture *fx)
{
  return herald_test_live_saw_event_type (fx->live, "announcement")
         && herald_connection_get_counters (fx->live->connection)->malformed >= 4;
}

/* What the event must say, read from the frame independently of the feed. */
static void
assert_order_event (HeraldEvent *event, char **out_order)
{
  static const struct
  {
    const char *type;
    const char *title;
    HeraldSeverity severity;
  } expected[] = {
    { "payorder_created", "Payment order created: ", HERALD_SEVERITY_INFO },
    { "payorder_started", "Awaiting payment: ", HERALD_SEVERITY_INFO },
    { "payorder_confirming", "Payment confirming: ", HERALD_SEVERITY_INFO },
    { "payorder_executing", "Payment processing: ", HERALD_SEVERITY_INFO },
    { "payorder_completed", "Payment completed: ", HERALD_SEVERITY_INFO },
    { "payorder_error", "Payment failed: ", HERALD_SEVERITY_CRITICAL },
    { "payorder_refunded", "Payment refunded: ", HERALD_SEVERITY_WARNING },
    { "payorder_expired", "Payment expired: ", HERALD_SEVERITY_WARNING },
  };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  JsonObject *data;
  JsonObject *dst;
  const char *type;
  gint64 occurred;
  guint i;

  g_assert_true (json_parser_load_from_data (parser, herald_event_get_raw (event), -1, &error));
  g_assert_no_error (error);
  data
    = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "data");
  type = json_object_get_string_member (data, "type");
  for (i = 0; i < G_N_ELEMENTS (expected) && !g_str_equal (expected[i].type, type); i++)
    ;
  g_assert_cmpuint (i, <, G_N_ELEMENTS (expected));

  dst = json_object_get_object_member (json_object_get_object_member (data, "payment_data"), "dst");
  title
    = g_strdup_printf ("%s%s %s", expected[i].title, json_object_get_string_member (dst, "amount"),
                       json_object_get_string_member (dst, "currency"));
  body = g_strdup_printf ("Order %s", json_object_get_string_member (data, "payorder_id"));
  g_assert_cmpstr (herald_event_get_event_type (event), ==, type);
  g_assert_cmpstr (herald_event_get_id (event), ==, json_object_get_string_member (data, "id"));
  g_assert_cmpstr (herald_event_get_title (event), ==, title);
  g_assert_cmpstr (herald_event_get_body (event), ==, body);
  g_assert_cmpint (herald_event_get_severity (event), ==, expected[i].severity);
  g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_ORDER);
  g_assert_true (
    herald_parse_iso8601 (json_object_get_string_member (data, "created_at"), &occurred));
  g_assert_cmpint (herald_event_get_occurred (event), ==, occurred);
  if (out_order != NULL)
    *out_order = g_strdup (json_object_get_string_member (data, "payorder_id"));
}

/* Signed connect, then the whole organization: every event the server sends arrives. */
static void
test_organization (Fixture *fx, gconstpointer data)
{
  GPtrArray *sent;

  scenario (fx, "trickle:interval=15");
  prepare (fx, 0, SIM_KEY, NULL, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_24_events (fx), WAIT_TIMEOUT_MS);
  herald_connection_stop (fx->live->connection);

  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "subscriptions"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 0);
  sent = herald_simulator_get_sent_ids (fx->sim, "coinvoyage");
  g_assert_cmpuint (sent->len, >=, fx->live->events->len);
  for (guint i = 0; i < fx->live->events->len; i++)
    {
      HeraldEvent *event = g_ptr_array_index (fx->live->events, i);

      assert_order_event (event, NULL);
      g_assert_cmpstr (herald_event_get_id (event), ==, g_ptr_array_index (sent, i));
    }
}

/* Unsigned connect, two orders: only their events come, one subscription each. */
static void
test_order_scope (Fixture *fx, gconstpointer data)
{
  const char *const *scopes;

  scenario (fx, "trickle:interval=15");
  prepare (fx, 2, SIM_KEY, NO_SECRET, NULL);
  scopes = herald_simulator_get_scopes (fx->sim, "coinvoyage");
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_ten_events (fx), WAIT_TIMEOUT_MS);
  herald_test_spin (300);

  g_assert_cmpuint (sim_counter (fx, "subscriptions"), ==, 2);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 0);
  g_assert_cmpuint (fx->live->events->len, ==, 10);
  for (guint i = 0; i < fx->live->events->len; i++)
    {
      g_autofree char *order = NULL;

      assert_order_event (g_ptr_array_index (fx->live->events, i), &order);
      g_assert_true (g_str_equal (order, scopes[0]) || g_str_equal (order, scopes[1]));
    }
}

static void
test_bad_signature (Fixture *fx, gconstpointer data)
{
  prepare (fx, 0, SIM_KEY, "cv_sk_not_the_right_secret", NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);

  g_assert_cmpstr (herald_connection_get_reason (fx->live->connection), ==,
                   "CoinVoyage refused the signature (invalid authorization_signature)");
  herald_test_spin (1500);
  g_assert_true (herald_test_live_needs_attention (fx->live));
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 1);
  g_assert_cmpuint (fx->live->events->len, ==, 0);
  g_assert_false (herald_feed_is_authenticated (fx->live->feed));
}

static void
test_bad_key (Fixture *fx, gconstpointer data)
{
  prepare (fx, 1, "cv_pk_not_the_right_key", NO_SECRET, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);

  g_assert_cmpstr (herald_connection_get_reason (fx->live->connection), ==,
                   "CoinVoyage refused the API key (invalid api_key)");
  herald_test_spin (1500);
  g_assert_true (herald_test_live_needs_attention (fx->live));
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 1);
}

/* The answer to connect is what confirms the session, announced to listeners once per socket. */
static void
test_authenticated_on_connect_answer (Fixture *fx, gconstpointer data)
{
  guint authenticated = 0;

  scenario (fx, "idle");
  prepare (fx, 1, SIM_KEY, NULL, NULL);
  herald_test_count_authenticated (fx->live->feed, &authenticated);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, authenticated > 0, WAIT_TIMEOUT_MS);
  g_assert_true (herald_test_live_connected (fx->live));
  g_assert_true (herald_feed_is_authenticated (fx->live->feed));
  herald_test_spin (300);
  g_assert_cmpuint (authenticated, ==, 1);
}

/* An open socket is not a session: without the answer to connect the feed does not claim one. */
static void
test_not_authenticated_before_answer (Fixture *fx, gconstpointer data)
{
  HeraldTestSilentServer *silent = herald_test_silent_server_new (NULL);
  g_autoptr (HeraldAccount) account
    = herald_account_new (HERALD_PROVIDER_COINVOYAGE, "coinvoyage-silent");
  g_autoptr (HeraldFeed) feed = NULL;

  herald_account_set_endpoint (account, silent->endpoint);
  herald_account_add_option_value (account, "order", "order-1");
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "api-key", "cv_pk_silent");
  g_assert_false (herald_test_silent_authenticates (silent, feed));
  herald_test_silent_server_free (silent);
  herald_test_drain ();
}

/* The organization without the secret cannot work: said before any connection is made. */
static void
test_organization_needs_secret (Fixture *fx, gconstpointer data)
{
  prepare (fx, 0, SIM_KEY, NO_SECRET, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live),
                               WAIT_TIMEOUT_MS);

  g_assert_true (g_str_has_prefix (herald_connection_get_reason (fx->live->connection),
                                   "Following the whole organization needs the API secret"));
  herald_test_spin (500);
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 0);
}

/* A cut connection is made again: connect and subscribe are sent anew, events go on. */
static void
test_drop_resubscribes (Fixture *fx, gconstpointer data)
{
  scenario (fx, "trickle:interval=15");
  scenario (fx, "drop:after=4");
  prepare (fx, 0, SIM_KEY, NULL, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, resubscribed (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "drops"), >=, 1);
  g_assert_cmpuint (sim_counter (fx, "auth-failures"), ==, 0);
  g_assert_cmpuint (herald_connection_get_counters (fx->live->connection)->drops, >=, 1);
}

/* With no events, the pongs to our WebSocket pings keep the socket for good… */
static void
test_pongs_keep_alive (Fixture *fx, gconstpointer data)
{
  const HeraldFeedTiming timing = { .keepalive_s = 1, .liveness_ms = 2500 };

  scenario (fx, "idle");
  prepare (fx, 0, SIM_KEY, NULL, &timing);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_connected (fx->live), WAIT_TIMEOUT_MS);
  herald_test_spin (4500);

  g_assert_true (herald_test_live_connected (fx->live));
  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_cmpuint (herald_connection_get_counters (fx->live->connection)->drops, ==, 0);
}

/* …while a socket where nothing at all comes back is dropped and made again. */
static void
test_silence_reconnects (Fixture *fx, gconstpointer data)
{
  const HeraldFeedTiming timing = { .keepalive_s = 0, .liveness_ms = 1000 };

  scenario (fx, "trickle:interval=15");
  scenario (fx, "stall:after=3");
  prepare (fx, 0, SIM_KEY, NULL, &timing);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, reconnected (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "stalls"), >=, 1);
  g_assert_true (herald_test_live_saw_reason (fx->live, "The feed went silent"));
}

static void
test_duplicates (Fixture *fx, gconstpointer data)
{
  scenario (fx, "trickle:interval=15");
  scenario (fx, "duplicates");
  prepare (fx, 0, SIM_KEY, NULL, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, has_ten_events (fx), WAIT_TIMEOUT_MS);

  for (guint i = 0; i + 1 < fx->live->events->len; i += 2)
    g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->live->events, i)), ==,
                     herald_event_get_id (g_ptr_array_index (fx->live->events, i + 1)));
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->live->events, 0)), !=,
                   herald_event_get_id (g_ptr_array_index (fx->live->events, 2)));
}

static void
test_malformed (Fixture *fx, gconstpointer data)
{
  scenario (fx, "trickle:interval=15");
  scenario (fx, "malformed:every=2");
  prepare (fx, 0, SIM_KEY, NULL, NULL);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, malformed_and_unknown_seen (fx), WAIT_TIMEOUT_MS);

  g_assert_cmpuint (sim_counter (fx, "connections"), ==, 1);
  g_assert_true (herald_test_live_connected (fx->live));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/coinvoyage-feed/organization", test_organization);
  ADD ("/coinvoyage-feed/order-scope", test_order_scope);
  ADD ("/coinvoyage-feed/bad-signature", test_bad_signature);
  ADD ("/coinvoyage-feed/bad-key", test_bad_key);
  ADD ("/coinvoyage-feed/authenticated-on-connect-answer", test_authenticated_on_connect_answer);
  ADD ("/coinvoyage-feed/not-authenticated-before-answer", test_not_authenticated_before_answer);
  ADD ("/coinvoyage-feed/organization-needs-secret", test_organization_needs_secret);
  ADD ("/coinvoyage-feed/drop-resubscribes", test_drop_resubscribes);
  ADD ("/coinvoyage-feed/pongs-keep-alive", test_pongs_keep_alive);
  ADD ("/coinvoyage-feed/silence-reconnects", test_silence_reconnects);
  ADD ("/coinvoyage-feed/duplicates", test_duplicates);
  ADD ("/coinvoyage-feed/malformed", test_malformed);
#undef ADD
  return g_test_run ();
}
