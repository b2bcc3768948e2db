/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-hub.c — the hub end to end: real simulator, connections and history on disk, checked
 * through what the tray and window see ("event-added", "state-changed"). */
#include "config.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include <glib/gstdio.h>

#include "herald-account-store.h"
#include "herald-hub.h"
#include "herald-secret.h"
#include "herald-simulator.h"
#include "herald-test-env.h"
#include "herald-test-feed.h"
#include "herald-test-monitor.h"

#define WAIT_TIMEOUT_MS 15000
/* Fast enough for a short test, slow enough that a stopped stream is easy to tell apart. */
#define TRICKLE "trickle:interval=20"

typedef struct
{
  HeraldTestEnv *env; /* keyring tests: owned by the parent process */
  char *dir;
  HeraldSimulator *sim;
  HeraldTestMonitor *monitor;
  SoupSession *session;
  HeraldHistory *history;
  GListStore *accounts;
  HeraldHub *hub;
  GPtrArray *added;      /* HeraldEvent, in "event-added" order */
  GHashTable *states;    /* account id → GArray of HeraldConnectionState, in signal order */
  GHashTable *reasons;   /* account id → the reason of its last "state-changed" */
  gboolean check_stored; /* "event-added" checks that the history already holds the event */
} Fixture;

/* --- waiting --- */

static void dump_states (Fixture *fx);

/* Runs the main loop until cond holds; fails the test after timeout_ms. */
#define WAIT_UNTIL_MS(fx, cond, timeout_ms)                                                        \
  G_STMT_START                                                                                     \
  {                                                                                                \
    HERALD_TEST_ITERATE_UNTIL (cond, timeout_ms);                                                  \
    if (!(cond))                                                                                   \
      {                                                                                            \
        dump_states (fx);                                                                          \
        g_error ("timed out after %u ms waiting for: %s", (guint)(timeout_ms), #cond);             \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END
#define WAIT_UNTIL(fx, cond) WAIT_UNTIL_MS (fx, cond, WAIT_TIMEOUT_MS)

/* --- signal recorders --- */

static void
event_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  Fixture *fx = user_data;

  if (fx->check_stored)
    {
      HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) stored = NULL;
      gboolean found = FALSE;

      query.account = herald_event_get_account (event);
      stored = herald_history_query (fx->history, &query, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < stored->len && !found; i++)
        found = g_str_equal (herald_event_get_id (g_ptr_array_index (stored, i)),
                             herald_event_get_id (event));
      /* Announced only after the insert: a window that reloads on the signal finds it. */
      g_assert_true (found);
    }
  g_ptr_array_add (fx->added, herald_event_ref (event));
}

static void
state_changed_cb (HeraldHub *hub, const char *account_id, HeraldConnectionState state,
                  const char *reason, gpointer user_data)
{
  Fixture *fx = user_data;
  GArray *seen = g_hash_table_lookup (fx->states, account_id);

  if (seen == NULL)
    {
      seen = g_array_new (FALSE, FALSE, sizeof (HeraldConnectionState));
      g_hash_table_insert (fx->states, g_strdup (account_id), seen);
    }
  g_array_append_val (seen, state);
  g_hash_table_insert (fx->reasons, g_strdup (account_id), g_strdup (reason));
}

static void
dump_states (Fixture *fx)
{
  GHashTableIter iter;
  gpointer id, seen;

  g_test_message ("%u events announced", fx->added->len);
  g_hash_table_iter_init (&iter, fx->states);
  while (g_hash_table_iter_next (&iter, &id, &seen))
    {
      g_autoptr (GString) text = g_string_new (NULL);
      GArray *states = seen;

      for (guint i = 0; i < states->len; i++)
        g_string_append_printf (
          text, " %s",
          herald_connection_state_to_string (g_array_index (states, HeraldConnectionState, i)));
      g_test_message ("%s:%s (%s)", (const char *)id, text->str,
                      (const char *)g_hash_table_lookup (fx->reasons, id));
    }
}

/* --- looking at what the user sees --- */

static HeraldConnectionState
hub_state (Fixture *fx, const char *account_id)
{
  return herald_hub_get_state (fx->hub, account_id, NULL);
}

static const char *
hub_reason (Fixture *fx, const char *account_id)
{
  const char *reason = NULL;

  herald_hub_get_state (fx->hub, account_id, &reason);
  return reason;
}

/* Whether "state-changed" ever reported state for the account. */
static gboolean
announced_state (Fixture *fx, const char *account_id, HeraldConnectionState state)
{
  GArray *seen = g_hash_table_lookup (fx->states, account_id);

  for (guint i = 0; seen != NULL && i < seen->len; i++)
    if (g_array_index (seen, HeraldConnectionState, i) == state)
      return TRUE;
  return FALSE;
}

static HeraldConnectionState
last_announced_state (Fixture *fx, const char *account_id)
{
  GArray *seen = g_hash_table_lookup (fx->states, account_id);

  g_assert_nonnull (seen);
  g_assert_cmpuint (seen->len, >, 0);
  return g_array_index (seen, HeraldConnectionState, seen->len - 1);
}

static guint
count_added (Fixture *fx, const char *account_id)
{
  guint n = 0;

  for (guint i = 0; i < fx->added->len; i++)
    n += g_str_equal (herald_event_get_account (g_ptr_array_index (fx->added, i)), account_id);
  return n;
}

static guint
sim_counter (HeraldSimulator *sim, const char *feed, const char *counter)
{
  return herald_simulator_get_counter (sim, feed, counter);
}

static GPtrArray *
query_history (Fixture *fx, const char *account_id)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;
  g_autoptr (GError) error = NULL;
  GPtrArray *events;

  query.account = account_id;
  events = herald_history_query (fx->history, &query, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

static char *
event_key (HeraldEvent *event)
{
  return g_strconcat (herald_event_get_account (event), "\n", herald_event_get_id (event), NULL);
}

/* The set of "account\nid" of events, asserting that none appears twice. */
static GHashTable *
unique_keys (GPtrArray *events, const char *what)
{
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < events->len; i++)
    {
      char *key = event_key (g_ptr_array_index (events, i));

      if (!g_hash_table_add (keys, key))
        g_error ("%s holds %s twice", what, key);
    }
  return keys;
}

static void
assert_same_keys (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (b, key))
      g_error ("%s is in one list and not the other", (const char *)key);
}

static int
compare_newest_first (gconstpointer a, gconstpointer b)
{
  gint64 ta = herald_event_get_occurred (*(HeraldEvent *const *)a);
  gint64 tb = herald_event_get_occurred (*(HeraldEvent *const *)b);

  return ta < tb ? 1 : ta > tb ? -1 : 0;
}

/* A copy of events, newest first by their own time. */
static GPtrArray *
sorted_newest_first (GPtrArray *events)
{
  GPtrArray *sorted = g_ptr_array_new_full (events->len, (GDestroyNotify)herald_event_unref);

  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (sorted, herald_event_ref (g_ptr_array_index (events, i)));
  g_ptr_array_sort (sorted, compare_newest_first);
  return sorted;
}

/* --- building accounts --- */

/* An account for one of the simulator's feeds, as a user would add it, with the options the
 * feed needs to produce events. */
static HeraldAccount *
make_account (HeraldSimulator *sim, const char *feed, const char *id)
{
  const HeraldProviderInfo *info = herald_provider_info_lookup (feed);
  g_autoptr (GError) error = NULL;
  g_autofree char *endpoint = herald_simulator_get_endpoint (sim, feed);
  HeraldAccount *account;

  g_assert_nonnull (info);
  g_assert_nonnull (endpoint);
  account = herald_account_new (info->kind, id);
  herald_account_set_label (account, id);
  herald_account_set_endpoint (account, endpoint);
  if (g_str_equal (feed, "skinshark"))
    herald_account_add_option_value (account, "sub-user", "user_42");
  else if (g_str_equal (feed, "hashi"))
    herald_account_add_option_value (account, "lobby", herald_simulator_get_scopes (sim, feed)[0]);
  /* CoinVoyage without orders follows the organization (it needs the optional secret), Dimes
   * uses the partner gateway and Pally the firehose: the defaults. */
  g_assert_true (herald_account_validate (account, &error));
  g_assert_no_error (error);
  return account;
}

/* Gives the hub, in memory, every credential the account needs, as the simulator expects. */
static void
give_credentials (Fixture *fx, HeraldAccount *account, HeraldSimulator *sim, const char *feed)
{
  const HeraldCredentialSpec *specs;
  guint n_specs;

  specs = herald_account_get_credentials (account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      const char *secret = herald_simulator_get_credential (sim, feed, specs[i].field);

      g_assert_nonnull (secret);
      herald_hub_set_memory_credential (fx->hub, herald_account_get_id (account), specs[i].field,
                                        secret);
    }
}

/* Adds an account of the fixture's simulator to the list, with its credentials in memory. */
static void
add_account (Fixture *fx, const char *feed, const char *id)
{
  g_autoptr (HeraldAccount) account = make_account (fx->sim, feed, id);

  give_credentials (fx, account, fx->sim, feed);
  g_list_store_append (fx->accounts, account);
}

static HeraldAccount *
account_at (Fixture *fx, const char *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (fx->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (G_LIST_MODEL (fx->accounts), i);

      if (g_str_equal (herald_account_get_id (account), id))
        return account; /* the list keeps its reference */
    }
  g_assert_not_reached ();
}

static void
remove_account (Fixture *fx, const char *id)
{
  guint position;

  g_assert_true (g_list_store_find (fx->accounts, account_at (fx, id), &position));
  g_list_store_remove (fx->accounts, position);
}

/* Short backoff for the connections the hub starts from now on, so a scripted drop costs
 * milliseconds. */
static void
speed_up (Fixture *fx)
{
  herald_hub_set_backoff (fx->hub, 20, 100, 60000, 7);
}

/* Whether the hub runs a connection for the account (on its receiver thread). */
static gboolean
has_connection (Fixture *fx, const char *id)
{
  return herald_hub_get_counters (fx->hub, id, NULL);
}

static HeraldConnectionCounters
counters_of (Fixture *fx, const char *id)
{
  HeraldConnectionCounters counters = { 0 };

  g_assert_true (herald_hub_get_counters (fx->hub, id, &counters));
  return counters;
}

/* Lets the socket's close reach the simulator, then checks that the feed stays quiet. */
static void
assert_stream_stopped (HeraldSimulator *sim, const char *feed)
{
  guint events;

  herald_test_spin (200);
  events = sim_counter (sim, feed, "events");
  herald_test_spin (300);
  g_assert_cmpuint (sim_counter (sim, feed, "events"), ==, events);
}

/* --- fixture --- */

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  fx->dir = g_dir_make_tmp ("herald-hub-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fx->dir, "history.db", NULL);
  fx->history = herald_history_open (path, &error);
  g_assert_no_error (error);

  fx->sim = herald_test_sim_new ();
  g_assert_true (herald_simulator_listen (fx->sim, 0, &error));
  g_assert_no_error (error);
  herald_test_sim_scenario (fx->sim, NULL, TRICKLE);

  /* A monitor the test controls: the machine's own network plays no part. */
  fx->monitor = herald_test_monitor_new (TRUE);
  fx->session = soup_session_new ();
  fx->accounts = g_list_store_new (HERALD_TYPE_ACCOUNT);
  fx->added = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
  fx->states
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
  fx->reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fx->hub = herald_hub_new (G_LIST_MODEL (fx->accounts), fx->history, fx->session,
                            G_NETWORK_MONITOR (fx->monitor));
  herald_hub_set_use_keyring (fx->hub, FALSE);
  g_signal_connect (fx->hub, "event-added", G_CALLBACK (event_added_cb), fx);
  g_signal_connect (fx->hub, "state-changed", G_CALLBACK (state_changed_cb), fx);
}

/* Keyring tests run their body in a child (see herald_test_run_in_child()): the parent owns the bus
 * and the keyring, the child everything else. */
static void
setup_keyring (Fixture *fx, gconstpointer data)
{
  if (!g_test_subprocess ())
    fx->env = herald_test_env_new (HERALD_TEST_ENV_KEYRING);
  else
    setup (fx, data);
}

static void
setup_no_keyring (Fixture *fx, gconstpointer data)
{
  if (!g_test_subprocess ())
    fx->env = herald_test_env_new (0);
  else
    setup (fx, data);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->hub != NULL)
    {
      HeraldHub *hub = fx->hub;

      herald_hub_stop (fx->hub);
      /* Answers still queued hold the hub; let them arrive so it can go. */
      herald_history_flush (fx->history);
      g_signal_handlers_disconnect_by_data (fx->hub, fx);
      g_object_add_weak_pointer (G_OBJECT (hub), (gpointer *)&hub);
      g_clear_object (&fx->hub);
      g_assert_null (hub);
    }
  g_clear_object (&fx->accounts);
  g_clear_object (&fx->history);
  g_clear_object (&fx->session);
  g_clear_object (&fx->monitor);
  g_clear_object (&fx->sim);
  g_clear_pointer (&fx->added, g_ptr_array_unref);
  g_clear_pointer (&fx->states, g_hash_table_unref);
  g_clear_pointer (&fx->reasons, g_hash_table_unref);
  /* Let closing sockets finish before the next test. */
  herald_test_drain ();
  if (fx->dir != NULL)
    herald_test_remove_tree (fx->dir);
  g_clear_pointer (&fx->dir, g_free);
  if (fx->env != NULL)
    herald_test_env_free (fx->env);
}

/* --- tests --- */

static void
test_five_feeds (Fixture *fx, gconstpointer data)
{
  const char *const *feeds = herald_simulator_get_feeds ();
  g_autoptr (GHashTable) announced = NULL;
  g_autoptr (GHashTable) stored = NULL;
  g_autoptr (GPtrArray) history = NULL;
  guint n_feeds = g_strv_length ((char **)feeds);

  g_assert_cmpuint (n_feeds, ==, 5);
  for (guint i = 0; i < n_feeds; i++)
    {
      g_autofree char *id = g_strconcat (feeds[i], "-main", NULL);

      add_account (fx, feeds[i], id);
    }
  fx->check_stored = TRUE;
  herald_hub_start (fx->hub);

  for (guint i = 0; i < n_feeds; i++)
    {
      g_autofree char *id = g_strconcat (feeds[i], "-main", NULL);

      WAIT_UNTIL (fx, announced_state (fx, id, HERALD_CONNECTION_CONNECTED));
      WAIT_UNTIL (fx, count_added (fx, id) >= 3);
      g_assert_cmpint (hub_state (fx, id), ==, HERALD_CONNECTION_CONNECTED);
      g_assert_cmpstr (hub_reason (fx, id), ==, "Connected");
      g_assert_true (has_connection (fx, id));
      g_assert_cmpuint (sim_counter (fx->sim, feeds[i], "connections"), ==, 1);
    }

  /* Stopping turns every account off and closes every socket. */
  herald_hub_stop (fx->hub);
  for (guint i = 0; i < n_feeds; i++)
    {
      g_autofree char *id = g_strconcat (feeds[i], "-main", NULL);

      g_assert_cmpint (last_announced_state (fx, id), ==, HERALD_CONNECTION_DISABLED);
      g_assert_false (has_connection (fx, id));
    }
  assert_stream_stopped (fx->sim, NULL);

  /* Everything announced is stored, once, and nothing is stored unannounced. */
  herald_history_flush (fx->history);
  history = query_history (fx, NULL);
  announced = unique_keys (fx->added, "event-added");
  stored = unique_keys (history, "the history");
  assert_same_keys (announced, stored);
  for (guint i = 0; i < n_feeds; i++)
    {
      g_autofree char *id = g_strconcat (feeds[i], "-main", NULL);
      g_autoptr (GPtrArray) of_account = query_history (fx, id);

      g_assert_cmpuint (of_account->len, ==, count_added (fx, id));
      g_assert_cmpstr (herald_event_get_provider (g_ptr_array_index (of_account, 0)), ==, feeds[i]);
    }
}

static void
test_dedupe_across_reconnects (Fixture *fx, gconstpointer data)
{
  HeraldConnectionCounters counters;
  GPtrArray *sent;
  g_autoptr (GHashTable) distinct = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) announced = NULL;
  g_autoptr (GHashTable) stored = NULL;
  g_autoptr (GPtrArray) history = NULL;
  guint cut_at;

  /* Every event twice, three events replayed on each new socket, a cut every five events. */
  herald_test_sim_scenario (fx->sim, "pally", "duplicates:replay=3");
  herald_test_sim_scenario (fx->sim, "pally", "drop:after=5");
  add_account (fx, "pally", "pally-tips");
  speed_up (fx);
  herald_hub_start (fx->hub);

  WAIT_UNTIL (fx, sim_counter (fx->sim, "pally", "connections") >= 4);
  /* Sockets opened from now on stay quiet, so the totals below are final. */
  herald_test_sim_scenario (fx->sim, "pally", "idle");
  cut_at = sim_counter (fx->sim, "pally", "connections");
  WAIT_UNTIL (fx, sim_counter (fx->sim, "pally", "connections") > cut_at
                    && hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);

  sent = herald_simulator_get_sent_ids (fx->sim, "pally");
  WAIT_UNTIL (fx, counters_of (fx, "pally-tips").events == sent->len);
  herald_history_flush (fx->history);
  counters = counters_of (fx, "pally-tips");

  /* The same engine kept reconnecting: the hub did not rebuild it (its counters would have
   * started again). */
  g_assert_cmpuint (counters.connects, >, 4);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "drops"), >=, 4);

  for (guint i = 0; i < sent->len; i++)
    g_hash_table_add (distinct, g_ptr_array_index (sent, i));
  /* Repeats beyond the in-socket copies: replays across reconnects happened. */
  g_assert_cmpuint (sent->len - g_hash_table_size (distinct), >,
                    sim_counter (fx->sim, "pally", "duplicates"));

  announced = unique_keys (fx->added, "event-added");
  g_assert_cmpuint (g_hash_table_size (announced), ==, g_hash_table_size (distinct));
  for (guint i = 0; i < fx->added->len; i++)
    g_assert_true (
      g_hash_table_contains (distinct, herald_event_get_id (g_ptr_array_index (fx->added, i))));

  history = query_history (fx, "pally-tips");
  stored = unique_keys (history, "the history");
  assert_same_keys (announced, stored);

  g_assert_cmpuint (counters.duplicates, ==, sent->len - g_hash_table_size (distinct));
  g_assert_cmpuint (counters.duplicates, ==, counters.events - fx->added->len);
}

static void
test_out_of_order (Fixture *fx, gconstpointer data)
{
  g_autoptr (GPtrArray) history = NULL;
  g_autoptr (GPtrArray) expected = NULL;
  guint inversions = 0;

  herald_test_sim_scenario (fx->sim, "pally", "out-of-order:window=8");
  add_account (fx, "pally", "pally-tips");
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, fx->added->len >= 24);
  herald_hub_stop (fx->hub);
  herald_history_flush (fx->history);

  /* They did arrive out of order… */
  for (guint i = 1; i < fx->added->len; i++)
    inversions += herald_event_get_occurred (g_ptr_array_index (fx->added, i))
                  < herald_event_get_occurred (g_ptr_array_index (fx->added, i - 1));
  g_assert_cmpuint (inversions, >, 0);

  /* …and the history lists them newest first by their own time all the same. */
  expected = sorted_newest_first (fx->added);
  history = query_history (fx, NULL);
  g_assert_cmpuint (history->len, ==, expected->len);
  for (guint i = 0; i < history->len; i++)
    {
      HeraldEvent *event = g_ptr_array_index (history, i);

      g_assert_cmpstr (herald_event_get_id (event), ==,
                       herald_event_get_id (g_ptr_array_index (expected, i)));
      if (i > 0)
        g_assert_cmpint (herald_event_get_occurred (event), <,
                         herald_event_get_occurred (g_ptr_array_index (history, i - 1)));
    }
}

static void
test_follows_list (Fixture *fx, gconstpointer data)
{
  add_account (fx, "pally", "pally-tips");
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);

  /* Added while running: started at once. */
  add_account (fx, "hashi", "hashi-games");
  WAIT_UNTIL (fx, hub_state (fx, "hashi-games") == HERALD_CONNECTION_CONNECTED);
  WAIT_UNTIL (fx, count_added (fx, "hashi-games") >= 3);
  g_assert_true (announced_state (fx, "hashi-games", HERALD_CONNECTION_CONNECTING));
  g_assert_cmpuint (sim_counter (fx->sim, "hashi", "connections"), ==, 1);

  /* Removed: its socket closes and the hub forgets it; the other account is untouched. */
  remove_account (fx, "hashi-games");
  g_assert_false (has_connection (fx, "hashi-games"));
  g_assert_cmpint (hub_state (fx, "hashi-games"), ==, HERALD_CONNECTION_DISABLED);
  assert_stream_stopped (fx->sim, "hashi");
  g_assert_cmpuint (sim_counter (fx->sim, "hashi", "connections"), ==, 1);

  /* Its first connection, never dropped. */
  g_assert_cmpint (hub_state (fx, "pally-tips"), ==, HERALD_CONNECTION_CONNECTED);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 1);
  g_assert_cmpuint (counters_of (fx, "pally-tips").connects, ==, 1);
  g_assert_cmpuint (counters_of (fx, "pally-tips").drops, ==, 0);
}

static void
test_disable_enable (Fixture *fx, gconstpointer data)
{
  HeraldAccount *account;

  add_account (fx, "pally", "pally-tips");
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);
  account = account_at (fx, "pally-tips");

  herald_account_set_enabled (account, FALSE);
  g_assert_cmpint (last_announced_state (fx, "pally-tips"), ==, HERALD_CONNECTION_DISABLED);
  g_assert_cmpstr (g_hash_table_lookup (fx->reasons, "pally-tips"), ==, "Disabled");
  g_assert_false (has_connection (fx, "pally-tips"));
  assert_stream_stopped (fx->sim, "pally");
  g_assert_cmpint (hub_state (fx, "pally-tips"), ==, HERALD_CONNECTION_DISABLED);

  herald_account_set_enabled (account, TRUE);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 2);
}

static void
test_rename_keeps_socket (Fixture *fx, gconstpointer data)
{
  guint n_states;
  guint64 events;

  add_account (fx, "pally", "pally-tips");
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);
  n_states = ((GArray *)g_hash_table_lookup (fx->states, "pally-tips"))->len;

  /* Only shown, never sent: a rename must not cost a reconnect (and the tips in the gap). */
  herald_account_set_label (account_at (fx, "pally-tips"), "Tips on the big stream");
  events = counters_of (fx, "pally-tips").events;
  WAIT_UNTIL (fx, counters_of (fx, "pally-tips").events >= events + 3);
  g_assert_cmpuint (((GArray *)g_hash_table_lookup (fx->states, "pally-tips"))->len, ==, n_states);
  /* The same connection: counting on from before the rename, never dropped. */
  g_assert_cmpuint (counters_of (fx, "pally-tips").connects, ==, 1);
  g_assert_cmpuint (counters_of (fx, "pally-tips").drops, ==, 0);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 1);
}

static void
test_edit_reconnects (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldSimulator) other = herald_simulator_new ();
  g_autoptr (HeraldAccount) edited = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *other_endpoint = NULL;
  HeraldAccount *account;
  guint mark;
  gboolean saw_other_page = FALSE;

  add_account (fx, "pally", "pally-tips");
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, count_added (fx, "pally-tips") >= 8);
  account = account_at (fx, "pally-tips");
  for (guint i = 0; i < fx->added->len; i++)
    saw_other_page |= !g_str_equal (herald_event_get_link (g_ptr_array_index (fx->added, i)),
                                    "https://pally.gg/p/cozy-streams");
  g_assert_true (saw_other_page);

  /* Options, edited on a copy and saved as the preferences dialog does: one page only. */
  edited = herald_account_copy (account);
  herald_account_set_option_values (edited, "channel",
                                    (const char *const[]){ "activity-feed", NULL });
  herald_account_set_option_values (edited, "room", (const char *const[]){ "cozy-streams", NULL });
  g_assert_true (herald_account_validate (edited, &error));
  herald_account_assign (account, edited);
  /* The old socket is gone with its handlers: whatever is announced from here is new. */
  herald_history_flush (fx->history);
  mark = fx->added->len;
  WAIT_UNTIL (fx, fx->added->len >= mark + 4);
  g_assert_cmpint (hub_state (fx, "pally-tips"), ==, HERALD_CONNECTION_CONNECTED);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 2);
  for (guint i = mark; i < fx->added->len; i++)
    g_assert_cmpstr (herald_event_get_link (g_ptr_array_index (fx->added, i)), ==,
                     "https://pally.gg/p/cozy-streams");

  /* The endpoint, moved to another server with another key. */
  herald_simulator_set_seed (other, 2);
  herald_test_sim_scenario (other, NULL, TRICKLE);
  g_assert_true (herald_simulator_listen (other, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (herald_simulator_get_credential (other, "pally", "api-key"), !=,
                   herald_simulator_get_credential (fx->sim, "pally", "api-key"));
  herald_hub_set_memory_credential (fx->hub, "pally-tips", "api-key",
                                    herald_simulator_get_credential (other, "pally", "api-key"));
  other_endpoint = herald_simulator_get_endpoint (other, "pally");
  herald_account_set_endpoint (account, other_endpoint);
  herald_history_flush (fx->history);
  mark = fx->added->len;
  WAIT_UNTIL (fx, sim_counter (other, "pally", "connections") == 1
                    && hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);
  WAIT_UNTIL (fx, fx->added->len >= mark + 3);
  assert_stream_stopped (fx->sim, "pally");
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 2);
  g_assert_cmpuint (sim_counter (other, "pally", "auth-failures"), ==, 0);
  /* It kept the edited options on the new server. */
  for (guint i = mark; i < fx->added->len; i++)
    g_assert_cmpstr (herald_event_get_link (g_ptr_array_index (fx->added, i)), ==,
                     "https://pally.gg/p/cozy-streams");
}

static void
test_account_store_watch (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "config", "accounts.ini", NULL);
  g_autoptr (HeraldAccountStore) store = herald_account_store_new (path);
  g_autoptr (HeraldAccountStore) cli = herald_account_store_new (path);
  g_autoptr (HeraldAccount) account = make_account (fx->sim, "pally", "pally-cli");
  g_autoptr (HeraldAccount) edited = NULL;
  g_autoptr (GError) error = NULL;
  HeraldHub *hub;

  g_assert_true (herald_account_store_load (store, &error));
  g_assert_no_error (error);
  herald_account_store_watch (store);

  /* This test's hub follows the store instead of the fixture's list. */
  g_signal_handlers_disconnect_by_data (fx->hub, fx);
  g_clear_object (&fx->hub);
  fx->hub = herald_hub_new (G_LIST_MODEL (store), fx->history, fx->session,
                            G_NETWORK_MONITOR (fx->monitor));
  hub = fx->hub;
  herald_hub_set_use_keyring (hub, FALSE);
  g_signal_connect (hub, "event-added", G_CALLBACK (event_added_cb), fx);
  g_signal_connect (hub, "state-changed", G_CALLBACK (state_changed_cb), fx);
  give_credentials (fx, account, fx->sim, "pally");
  herald_hub_start (hub);

  /* Another process (the command line) adds an account… */
  g_assert_true (herald_account_store_add (cli, account, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (fx, hub_state (fx, "pally-cli") == HERALD_CONNECTION_CONNECTED);
  WAIT_UNTIL (fx, count_added (fx, "pally-cli") >= 2);
  g_assert_nonnull (herald_account_store_lookup (store, "pally-cli"));

  /* …edits it… */
  edited = herald_account_copy (account);
  herald_account_set_option_values (edited, "channel",
                                    (const char *const[]){ "activity-feed", NULL });
  herald_account_set_option_values (edited, "room", (const char *const[]){ "zoe-plays", NULL });
  g_assert_true (herald_account_store_update (cli, edited, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (fx, sim_counter (fx->sim, "pally", "connections") == 2
                    && hub_state (fx, "pally-cli") == HERALD_CONNECTION_CONNECTED);
  g_assert_cmpstr (
    herald_account_get_option (herald_account_store_lookup (store, "pally-cli"), "room"), ==,
    "zoe-plays");

  /* …and removes it: the hub lets go without a restart. */
  g_assert_true (herald_account_store_remove (cli, "pally-cli", &error));
  g_assert_no_error (error);
  WAIT_UNTIL (fx, herald_account_store_lookup (store, "pally-cli") == NULL);
  g_assert_false (herald_hub_get_counters (hub, "pally-cli", NULL));
  g_assert_cmpint (hub_state (fx, "pally-cli"), ==, HERALD_CONNECTION_DISABLED);
  assert_stream_stopped (fx->sim, "pally");
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 2);
}

static void
stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* Stores a credential in the test bus's keyring, as `herald account add` does. */
static void
keyring_store (const char *account_id, const char *field, const char *secret)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  herald_secret_store_async (account_id, field, "Herald test", secret, NULL, stored_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (herald_secret_store_finish (result, &error));
  g_assert_no_error (error);
}

static void
test_keyring_found (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldAccount) pally = NULL;
  g_autoptr (HeraldAccount) voyage = NULL;

  if (herald_test_run_in_child (90))
    return;
  herald_hub_set_use_keyring (fx->hub, TRUE);
  pally = make_account (fx->sim, "pally", "pally-kr");
  keyring_store ("pally-kr", "api-key",
                 herald_simulator_get_credential (fx->sim, "pally", "api-key"));
  /* Following orders needs no secret: the optional one is missing from the keyring. */
  voyage = make_account (fx->sim, "coinvoyage", "coinvoyage-kr");
  for (guint i = 0; i < 3; i++)
    herald_account_add_option_value (voyage, "order",
                                     herald_simulator_get_scopes (fx->sim, "coinvoyage")[i]);
  keyring_store ("coinvoyage-kr", "api-key",
                 herald_simulator_get_credential (fx->sim, "coinvoyage", "api-key"));
  g_list_store_append (fx->accounts, pally);
  g_list_store_append (fx->accounts, voyage);

  herald_hub_start (fx->hub);
  /* Reading the keyring is asynchronous and says so. */
  g_assert_cmpint (hub_state (fx, "pally-kr"), ==, HERALD_CONNECTION_CONNECTING);
  g_assert_cmpstr (hub_reason (fx, "pally-kr"), ==, "Reading the keys from the keyring…");
  WAIT_UNTIL (fx, hub_state (fx, "pally-kr") == HERALD_CONNECTION_CONNECTED);
  WAIT_UNTIL (fx, hub_state (fx, "coinvoyage-kr") == HERALD_CONNECTION_CONNECTED);
  WAIT_UNTIL (fx, count_added (fx, "pally-kr") >= 2 && count_added (fx, "coinvoyage-kr") >= 1);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "auth-failures"), ==, 0);
  g_assert_cmpuint (sim_counter (fx->sim, "coinvoyage", "auth-failures"), ==, 0);
}

static void
test_keyring_missing (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldAccount) account = NULL;

  if (herald_test_run_in_child (90))
    return;
  herald_hub_set_use_keyring (fx->hub, TRUE);
  /* The keyring works and holds keys, only not this account's. */
  keyring_store ("pally-other", "api-key", "pally_not_this_one");
  account = make_account (fx->sim, "pally", "pally-kr");
  g_list_store_append (fx->accounts, account);

  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-kr") == HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpstr (hub_reason (fx, "pally-kr"), ==,
                   "The keyring holds no key for this account: add it again");
  g_assert_cmpint (last_announced_state (fx, "pally-kr"), ==, HERALD_CONNECTION_NEEDS_ATTENTION);
  herald_test_spin (500);
  g_assert_false (has_connection (fx, "pally-kr"));
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 0);
  g_assert_cmpint (hub_state (fx, "pally-kr"), ==, HERALD_CONNECTION_NEEDS_ATTENTION);

  /* The user adds the key again and asks to retry: read afresh, connected. */
  keyring_store ("pally-kr", "api-key",
                 herald_simulator_get_credential (fx->sim, "pally", "api-key"));
  herald_hub_retry (fx->hub, "pally-kr");
  WAIT_UNTIL (fx, hub_state (fx, "pally-kr") == HERALD_CONNECTION_CONNECTED);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 1);
}

static void
test_no_keyring (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldAccount) account = NULL;

  if (herald_test_run_in_child (90))
    return;
  herald_hub_set_use_keyring (fx->hub, TRUE);
  account = make_account (fx->sim, "pally", "pally-kr");
  g_list_store_append (fx->accounts, account);

  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-kr") == HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_true (g_str_has_prefix (hub_reason (fx, "pally-kr"), "No keyring is available"));
  herald_test_spin (300);
  g_assert_false (has_connection (fx, "pally-kr"));
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 0);
}

static void
test_no_key_in_memory (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldAccount) account = make_account (fx->sim, "pally", "pally-tips");

  /* Demo mode never asks the keyring: an account without a key there needs the user. */
  g_list_store_append (fx->accounts, account);
  herald_hub_start (fx->hub);
  g_assert_cmpint (hub_state (fx, "pally-tips"), ==, HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpstr (hub_reason (fx, "pally-tips"), ==, "The account has no key");
  herald_test_spin (300);
  g_assert_false (has_connection (fx, "pally-tips"));
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 0);

  give_credentials (fx, account, fx->sim, "pally");
  herald_hub_retry (fx->hub, "pally-tips");
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);
}

static void
test_auth_failure (Fixture *fx, gconstpointer data)
{
  herald_test_sim_scenario (fx->sim, "pally", "auth-failure");
  add_account (fx, "pally", "pally-tips");
  speed_up (fx);
  herald_hub_start (fx->hub);

  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpstr (hub_reason (fx, "pally-tips"), ==, "Pally refused the API key");
  g_assert_cmpint (last_announced_state (fx, "pally-tips"), ==, HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpstr (g_hash_table_lookup (fx->reasons, "pally-tips"), ==,
                   "Pally refused the API key");
  /* No more attempts: a refused key is not retried behind the user's back. */
  herald_test_spin (1000);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "auth-failures"), ==, 1);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 1);
  g_assert_cmpint (hub_state (fx, "pally-tips"), ==, HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpuint (count_added (fx, "pally-tips"), ==, 0);

  /* Asked to, it tries once more; still refused. */
  herald_hub_retry (fx->hub, "pally-tips");
  WAIT_UNTIL (fx, sim_counter (fx->sim, "pally", "auth-failures") == 2
                    && hub_state (fx, "pally-tips") == HERALD_CONNECTION_NEEDS_ATTENTION);
  herald_test_spin (500);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 2);
}

static void
test_refused_key_retry (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldAccount) account = make_account (fx->sim, "pally", "pally-tips");
  g_autoptr (GError) error = NULL;

  herald_hub_set_memory_credential (fx->hub, "pally-tips", "api-key", "pally_rotated_key");
  g_list_store_append (fx->accounts, account);
  speed_up (fx);
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_NEEDS_ATTENTION);
  g_assert_cmpstr (hub_reason (fx, "pally-tips"), ==, "Pally refused the API key");
  herald_test_spin (500);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "auth-failures"), ==, 1);

  /* The key was rotated on the server side too; the user presses Retry. */
  g_assert_true (
    herald_simulator_set_credential (fx->sim, "pally", "api-key", "pally_rotated_key", &error));
  g_assert_no_error (error);
  herald_hub_retry (fx->hub, "pally-tips");
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);
  WAIT_UNTIL (fx, count_added (fx, "pally-tips") >= 2);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "auth-failures"), ==, 1);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 2);
}

static void
test_history_cap (Fixture *fx, gconstpointer data)
{
  g_autoptr (GPtrArray) history = NULL;
  g_autoptr (GPtrArray) expected = NULL;
  g_autoptr (GHashTable) announced = NULL;

  herald_history_set_limit (fx->history, 50);
  herald_test_sim_scenario (fx->sim, "pally", "burst:count=500");
  add_account (fx, "pally", "pally-tips");
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, fx->added->len >= 500);
  herald_history_flush (fx->history);
  herald_test_spin (200);

  /* Every tip of the burst was announced, once… */
  g_assert_cmpuint (fx->added->len, ==, 500);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "events"), ==, 500);
  announced = unique_keys (fx->added, "event-added");
  g_assert_cmpuint (counters_of (fx, "pally-tips").duplicates, ==, 0);

  /* …and the history kept the newest 50. */
  expected = sorted_newest_first (fx->added);
  history = query_history (fx, NULL);
  g_assert_cmpuint (history->len, ==, 50);
  for (guint i = 0; i < history->len; i++)
    g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (history, i)), ==,
                     herald_event_get_id (g_ptr_array_index (expected, i)));
}

/* Removing an account from inside "event-added", as a window's "Remove" could while a burst
 * is being taken in: the main thread drops the account while the receiver thread is still
 * reading its socket and queueing its events, and the history still holds answers for it.
 * Nothing may be freed under either thread (ASan watches), the other account goes on, and
 * every event announced was stored. */
typedef struct
{
  Fixture *fx;
  guint after;
  gboolean removed;
} RemoveWhen;

static void
remove_when_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  RemoveWhen *when = user_data;

  if (when->removed || count_added (when->fx, "pally-tips") < when->after)
    return;
  when->removed = TRUE;
  remove_account (when->fx, "pally-tips");
}

static void
test_remove_during_burst (Fixture *fx, gconstpointer data)
{
  RemoveWhen when = { fx, 3000, FALSE };
  g_autoptr (GPtrArray) stored = NULL;
  g_autoptr (GHashTable) announced = NULL;
  guint hashi_seen;

  herald_history_set_limit (fx->history, 100000);
  herald_test_sim_scenario (fx->sim, "pally", "burst:count=20000");
  add_account (fx, "pally", "pally-tips");
  add_account (fx, "hashi", "hashi-games");
  g_signal_connect_after (fx->hub, "event-added", G_CALLBACK (remove_when_cb), &when);
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, when.removed);

  g_assert_false (has_connection (fx, "pally-tips"));
  assert_stream_stopped (fx->sim, "pally");
  hashi_seen = count_added (fx, "hashi-games");
  WAIT_UNTIL (fx, count_added (fx, "hashi-games") > hashi_seen);

  herald_history_flush (fx->history);
  herald_test_spin (100);
  announced = unique_keys (fx->added, "event-added");
  stored = query_history (fx, "pally-tips");
  g_assert_cmpuint (count_added (fx, "pally-tips"), >=, 3000);
  g_assert_cmpuint (count_added (fx, "pally-tips"), <, 20000);
  g_assert_cmpuint (stored->len, ==, count_added (fx, "pally-tips"));
  g_signal_handlers_disconnect_by_func (fx->hub, remove_when_cb, &when);
}

/* A history that cannot write (disk full) must not silence Herald: every event is still
 * announced, once, even when the feed sends it again. */
static void
test_write_failure_still_announces (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "history.db", NULL);
  g_autoptr (GHashTable) announced = NULL;
  sqlite3 *db = NULL;

  /* Another connection makes every insert fail, as a full disk would. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TRIGGER full BEFORE INSERT ON events"
                                 " BEGIN SELECT RAISE (ABORT, 'disk full'); END",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  fx->check_stored = FALSE;
  herald_test_sim_scenario (fx->sim, "pally", "burst:count=40");
  herald_test_sim_scenario (fx->sim, "pally", "duplicates");
  add_account (fx, "pally", "pally-tips");
  g_test_expect_message ("herald-history", G_LOG_LEVEL_WARNING, "*disk full*");
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, fx->added->len >= 40);
  herald_history_flush (fx->history);
  herald_test_spin (200);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (fx->added->len, ==, 40);
  announced = unique_keys (fx->added, "event-added");
  g_assert_cmpuint (g_hash_table_size (announced), ==, 40);
  g_assert_cmpuint (query_history (fx, NULL)->len, ==, 0);
}

static void
test_offline (Fixture *fx, gconstpointer data)
{
  add_account (fx, "pally", "pally-tips");
  speed_up (fx);
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);

  /* The network goes; then the socket does. No attempts while offline. */
  herald_test_monitor_set_available (fx->monitor, FALSE);
  herald_simulator_disconnect_all (fx->sim);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_OFFLINE);
  g_assert_cmpstr (hub_reason (fx, "pally-tips"), ==, "Waiting for the network");
  herald_test_spin (500);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 1);
  g_assert_cmpint (hub_state (fx, "pally-tips"), ==, HERALD_CONNECTION_OFFLINE);

  /* Back: reconnected at once. */
  herald_test_monitor_set_available (fx->monitor, TRUE);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 2);
}

static void
test_stop_start (Fixture *fx, gconstpointer data)
{
  add_account (fx, "pally", "pally-tips");
  add_account (fx, "hashi", "hashi-games");
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED
                    && hub_state (fx, "hashi-games") == HERALD_CONNECTION_CONNECTED);

  herald_hub_stop (fx->hub);
  g_assert_cmpint (hub_state (fx, "pally-tips"), ==, HERALD_CONNECTION_DISABLED);
  g_assert_cmpint (hub_state (fx, "hashi-games"), ==, HERALD_CONNECTION_DISABLED);
  assert_stream_stopped (fx->sim, NULL);

  /* Started again, every account connects again. */
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED
                    && hub_state (fx, "hashi-games") == HERALD_CONNECTION_CONNECTED);
  g_assert_cmpuint (sim_counter (fx->sim, "pally", "connections"), ==, 2);
  g_assert_cmpuint (sim_counter (fx->sim, "hashi", "connections"), ==, 2);
}

/* While an account backs off, the hub tells when it tries again, as a time a countdown can
 * follow; the reason's "trying again in N seconds" agrees with it. */
static void
test_retry_time (Fixture *fx, gconstpointer data)
{
  gint64 retry_at;
  gint64 now;
  g_autofree char *reason = NULL;
  const char *in;
  guint64 seconds;

  herald_test_sim_scenario (fx->sim, "pally", "drop:after=1");
  add_account (fx, "pally", "pally-tips");
  g_assert_cmpint (herald_hub_get_retry_time (fx->hub, "pally-tips"), ==, 0);
  /* Long enough that the test sees the wait; seeded, so always the same wait. */
  herald_hub_set_backoff (fx->hub, 20000, 20000, 60000, 7);
  herald_hub_start (fx->hub);
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_BACKING_OFF);

  now = g_get_monotonic_time ();
  retry_at = herald_hub_get_retry_time (fx->hub, "pally-tips");
  g_test_message ("retrying in %.1f s: %s", (retry_at - now) / 1e6, hub_reason (fx, "pally-tips"));
  g_assert_cmpint (retry_at, >, now);
  g_assert_cmpint (retry_at, <=, now + 20 * G_USEC_PER_SEC);
  /* The reason rounds the same wait up to whole seconds, as it was a moment ago. */
  reason = g_strdup (hub_reason (fx, "pally-tips"));
  in = strstr (reason, "trying again in ");
  g_assert_nonnull (in);
  seconds = g_ascii_strtoull (in + strlen ("trying again in "), NULL, 10);
  g_assert_cmpint (retry_at - now, <=, (gint64)seconds * G_USEC_PER_SEC);
  g_assert_cmpint ((gint64)seconds * G_USEC_PER_SEC - (retry_at - now), <, 2 * G_USEC_PER_SEC);

  /* Connected again: nothing to count down to. */
  herald_test_sim_scenario (fx->sim, "pally", "idle");
  herald_hub_retry (fx->hub, "pally-tips");
  WAIT_UNTIL (fx, hub_state (fx, "pally-tips") == HERALD_CONNECTION_CONNECTED);
  g_assert_cmpint (herald_hub_get_retry_time (fx->hub, "pally-tips"), ==, 0);
}

/* The main loop keeps turning while a burst is taken in: the hub reads and parses it on its own
 * thread, so a 5 ms timer on the main context keeps ticking. The simulator runs in a process of
 * its own, as a real server would, so it sends as fast as the socket takes it. Ratios only: the
 * longest gap between ticks against the burst's duration, and the ticks against what a free
 * loop would have run. */
typedef struct
{
  guint expected;
  guint added;
  gint64 first_us;
  gint64 last_us;
  gint64 last_tick_us;
  gint64 longest_gap_us;
  guint ticks;
} Burst;

static gboolean
burst_tick_cb (gpointer user_data)
{
  Burst *burst = user_data;
  gint64 now = g_get_monotonic_time ();

  /* Only while the burst is being taken in. */
  if (burst->first_us != 0 && burst->added < burst->expected)
    {
      burst->longest_gap_us = MAX (burst->longest_gap_us, now - burst->last_tick_us);
      burst->ticks++;
    }
  burst->last_tick_us = now;
  return G_SOURCE_CONTINUE;
}

static void
burst_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  Burst *burst = user_data;
  gint64 now = g_get_monotonic_time ();

  if (burst->added++ == 0)
    {
      burst->first_us = now;
      /* The gap before the first event is the connect, not the burst. */
      burst->last_tick_us = now;
    }
  burst->last_us = now;
}

static void
test_responsive_during_burst (Fixture *fx, gconstpointer data)
{
  const char *argv[] = { g_getenv ("HERALD_SIMULATOR_BIN"), "--port=0", "--feed=pally",
                         "--scenario=burst:count=20000", NULL };
  g_autoptr (GSubprocess) simulator = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldAccount) account = NULL;
  g_autofree char *line = NULL;
  JsonObject *pally;
  Burst burst = { 20000 };
  guint tick_id;
  double duration_ms;

  g_assert_nonnull (argv[0]);
  simulator = g_subprocess_newv (
    argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (simulator));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  pally = json_object_get_object_member (
    json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "feeds"),
    "pally");

  herald_history_set_limit (fx->history, 100000);
  account = herald_account_new (herald_provider_info_lookup ("pally")->kind, "pally-burst");
  herald_account_set_endpoint (account, json_object_get_string_member (pally, "endpoint"));
  herald_hub_set_memory_credential (
    fx->hub, "pally-burst", "api-key",
    json_object_get_string_member (json_object_get_object_member (pally, "credentials"),
                                   "api-key"));
  g_list_store_append (fx->accounts, account);
  g_signal_connect (fx->hub, "event-added", G_CALLBACK (burst_added_cb), &burst);
  tick_id = g_timeout_add (5, burst_tick_cb, &burst);
  herald_hub_start (fx->hub);
  /* Under the sanitizers the whole burst takes about ten seconds on a quiet machine. */
  WAIT_UNTIL_MS (fx, burst.added >= burst.expected, 6 * WAIT_TIMEOUT_MS);
  g_source_remove (tick_id);
  g_signal_handlers_disconnect_by_func (fx->hub, burst_added_cb, &burst);
  herald_hub_stop (fx->hub);
  g_subprocess_force_exit (simulator);

  duration_ms = (burst.last_us - burst.first_us) / 1e3;
  g_test_message ("burst of %u events: %.0f ms, longest gap between ticks %.1f ms, %u ticks",
                  burst.expected, duration_ms, burst.longest_gap_us / 1e3, burst.ticks);
  /* Too short a burst would prove nothing either way. */
  g_assert_cmpfloat (duration_ms, >=, 100);
  g_assert_cmpfloat (burst.longest_gap_us / 1e3, <, duration_ms / 4);
  /* A free loop would tick every 5 ms or so; a third of that leaves room for a busy machine. */
  g_assert_cmpfloat (burst.ticks, >=, duration_ms / 5 / 3);
}

/* "state-changed" carries the state as the registered enum, so a handler connected through a
 * binding or g_signal_connect's GValue path gets a typed value, not a bare int. */
static void
test_state_changed_signature (void)
{
  g_autoptr (GTypeClass) klass = g_type_class_ref (HERALD_TYPE_HUB);
  GSignalQuery query;

  g_signal_query (g_signal_lookup ("state-changed", HERALD_TYPE_HUB), &query);
  g_assert_cmpuint (query.n_params, ==, 3);
  g_assert_true (query.param_types[0] == G_TYPE_STRING);
  g_assert_true (query.param_types[1] == HERALD_TYPE_CONNECTION_STATE);
  g_assert_true (query.param_types[2] == G_TYPE_STRING);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  herald_test_quiet_frame_logs ();

  g_test_add_func ("/hub/state-changed-signature", test_state_changed_signature);
  g_test_add ("/hub/five-feeds", Fixture, NULL, setup, test_five_feeds, teardown);
  g_test_add ("/hub/dedupe-across-reconnects", Fixture, NULL, setup, test_dedupe_across_reconnects,
              teardown);
  g_test_add ("/hub/out-of-order", Fixture, NULL, setup, test_out_of_order, teardown);
  g_test_add ("/hub/follows-list", Fixture, NULL, setup, test_follows_list, teardown);
  g_test_add ("/hub/remove-during-burst", Fixture, NULL, setup, test_remove_during_burst, teardown);
  g_test_add ("/hub/disable-enable", Fixture, NULL, setup, test_disable_enable, teardown);
  g_test_add ("/hub/rename-keeps-socket", Fixture, NULL, setup, test_rename_keeps_socket, teardown);
  g_test_add ("/hub/edit-reconnects", Fixture, NULL, setup, test_edit_reconnects, teardown);
  g_test_add ("/hub/account-store-watch", Fixture, NULL, setup, test_account_store_watch, teardown);
  g_test_add ("/hub/keyring/found", Fixture, NULL, setup_keyring, test_keyring_found, teardown);
  g_test_add ("/hub/keyring/missing", Fixture, NULL, setup_keyring, test_keyring_missing, teardown);
  g_test_add ("/hub/keyring/none", Fixture, NULL, setup_no_keyring, test_no_keyring, teardown);
  g_test_add ("/hub/no-key-in-memory", Fixture, NULL, setup, test_no_key_in_memory, teardown);
  g_test_add ("/hub/auth-failure", Fixture, NULL, setup, test_auth_failure, teardown);
  g_test_add ("/hub/refused-key-retry", Fixture, NULL, setup, test_refused_key_retry, teardown);
  g_test_add ("/hub/history-cap", Fixture, NULL, setup, test_history_cap, teardown);
  g_test_add ("/hub/write-failure-still-announces", Fixture, NULL, setup,
              test_write_failure_still_announces, teardown);
  g_test_add ("/hub/offline", Fixture, NULL, setup, test_offline, teardown);
  g_test_add ("/hub/stop-start", Fixture, NULL, setup, test_stop_start, teardown);
  g_test_add ("/hub/retry-time", Fixture, NULL, setup, test_retry_time, teardown);
  g_test_add ("/hub/responsive-during-burst", Fixture, NULL, setup, test_responsive_during_burst,
              teardown);
  return g_test_run ();
}
