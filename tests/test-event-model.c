/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-event-model.c — the UI's event list against a real history on disk and a real hub fed by
 * the simulator: pages, filters over the whole history, live batches and read state. */
#include "config.h"

#include <string.h>

#include "herald-event-model.h"
#include "herald-provider-info.h"
#include "herald-simulator.h"
#include "herald-test-env.h"
#include "herald-test-feed.h"
#include "herald-test-monitor.h"

#define WAIT_MS 15000

typedef struct
{
  char *dir;
  HeraldHistory *history;
  GListStore *accounts;
  HeraldTestMonitor *monitor;
  SoupSession *session;
  HeraldHub *hub;
  HeraldSimulator *sim;
  HeraldEventModel *model;
  GPtrArray *mirror;  /* HeraldEventItem: the list as "items-changed" described it */
  guint changes;      /* "items-changed" emissions */
  guint emptied;      /* emissions that left the list empty */
  guint replaced;     /* emissions that replaced the whole list in one step */
  guint max_items;    /* the most items the model held at any emission */
  GArray *last;       /* guint position, removed, added of the last emission */
  guint announced;    /* the hub's "event-added" */
  GPtrArray *arrived; /* HeraldEvent, in "event-added" order */
} Fixture;

/* --- set-up --- */

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  fx->dir = g_dir_make_tmp ("herald-event-model-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fx->dir, "history.db", NULL);
  fx->history = herald_history_open (path, &error);
  g_assert_no_error (error);
  fx->accounts = g_list_store_new (HERALD_TYPE_ACCOUNT);
  fx->monitor = herald_test_monitor_new (TRUE);
  fx->session = soup_session_new ();
  fx->hub = herald_hub_new (G_LIST_MODEL (fx->accounts), fx->history, fx->session,
                            G_NETWORK_MONITOR (fx->monitor));
  herald_hub_set_use_keyring (fx->hub, FALSE);
  fx->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  fx->last = g_array_new (FALSE, TRUE, sizeof (guint));
  fx->arrived = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  herald_hub_stop (fx->hub);
  herald_history_flush (fx->history);
  if (fx->model != NULL)
    {
      /* Reads on their way hold the model; let them answer so it goes. */
      HERALD_TEST_WAIT_UNTIL (!herald_event_model_get_loading (fx->model), WAIT_MS);
      herald_test_spin (50);
      g_object_add_weak_pointer (G_OBJECT (fx->model), (gpointer *)&fx->model);
      g_object_unref (fx->model);
      g_assert_null (fx->model);
    }
  g_signal_handlers_disconnect_by_data (fx->hub, fx);
  g_clear_object (&fx->hub);
  g_clear_object (&fx->accounts);
  g_clear_object (&fx->history);
  g_clear_object (&fx->session);
  g_clear_object (&fx->monitor);
  g_clear_object (&fx->sim);
  g_ptr_array_unref (fx->mirror);
  g_array_unref (fx->last);
  g_ptr_array_unref (fx->arrived);
  herald_test_drain ();
  herald_test_remove_tree (fx->dir);
  g_free (fx->dir);
}

/* --- the model as a list view sees it --- */

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  Fixture *fx = data;
  guint n = g_list_model_get_n_items (model);

  fx->changes++;
  fx->max_items = MAX (fx->max_items, n);
  if (n == 0 && removed > 0)
    fx->emptied++;
  if (position == 0 && removed > 0 && removed == fx->mirror->len && added == n)
    fx->replaced++;
  g_array_set_size (fx->last, 0);
  g_array_append_val (fx->last, position);
  g_array_append_val (fx->last, removed);
  g_array_append_val (fx->last, added);

  /* What a view does: drop the removed rows, build the added ones. */
  g_assert_cmpuint (position + removed, <=, fx->mirror->len);
  g_ptr_array_remove_range (fx->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (fx->mirror, position + i, g_list_model_get_item (model, position + i));
  g_assert_cmpuint (fx->mirror->len, ==, n);
}

static void
event_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer data)
{
  Fixture *fx = data;

  fx->announced++;
  if (fx->arrived->len < 1000)
    g_ptr_array_add (fx->arrived, herald_event_ref (event));
}

static HeraldEvent *
model_event (Fixture *fx, guint position)
{
  g_autoptr (HeraldEventItem) item = g_list_model_get_item (G_LIST_MODEL (fx->model), position);

  g_assert_nonnull (item);
  /* The list keeps its own reference. */
  return herald_event_item_get_event (item);
}

static guint
last_change (Fixture *fx, guint i)
{
  g_assert_cmpuint (fx->last->len, ==, 3);
  return g_array_index (fx->last, guint, i);
}

/* Waits for the next "items-changed" after the first @changes, then checks that it came alone
 * and was (@position, @removed, @added). */
static void
assert_one_change (Fixture *fx, guint changes, guint position, guint removed, guint added)
{
  HERALD_TEST_WAIT_UNTIL (fx->changes > changes, WAIT_MS);
  herald_test_spin (150);
  g_assert_cmpuint (fx->changes, ==, changes + 1);
  g_assert_cmpuint (last_change (fx, 0), ==, position);
  g_assert_cmpuint (last_change (fx, 1), ==, removed);
  g_assert_cmpuint (last_change (fx, 2), ==, added);
}

/* "id,id,…" of what the model holds, checked against what its signals described. */
static char *
model_ids (Fixture *fx)
{
  GListModel *list = G_LIST_MODEL (fx->model);
  g_autoptr (GString) ids = g_string_new (NULL);
  guint n = g_list_model_get_n_items (list);

  g_assert_cmpuint (fx->mirror->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (HeraldEventItem) item = g_list_model_get_item (list, i);

      g_assert_true (g_ptr_array_index (fx->mirror, i) == item);
      g_string_append_printf (ids, "%s%s", i ? "," : "",
                              herald_event_get_id (herald_event_item_get_event (item)));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
history_ids (Fixture *fx, const HeraldHistoryQuery *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = herald_history_query (fx->history, query, &error);
  g_autoptr (GString) ids = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (ids, "%s%s", i ? "," : "",
                            herald_event_get_id (g_ptr_array_index (events, i)));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static guint
history_count (Fixture *fx, const HeraldHistoryQuery *query)
{
  g_autoptr (GError) error = NULL;
  guint count = herald_history_count (fx->history, query, &error);

  g_assert_no_error (error);
  return count;
}

static void
make_model (Fixture *fx, guint page_size)
{
  fx->model = g_object_new (HERALD_TYPE_EVENT_MODEL, "hub", fx->hub, "page-size", page_size, NULL);
  g_signal_connect (fx->model, "items-changed", G_CALLBACK (items_changed_cb), fx);
}

/* Waits until the model read its page and counted: total == @total and nothing is loading. */
static void
wait_settled (Fixture *fx, guint total)
{
  HERALD_TEST_WAIT_UNTIL (!herald_event_model_get_loading (fx->model)
                            && herald_event_model_get_total (fx->model) == total,
                          WAIT_MS);
}

/* --- stored events --- */

static void
store (Fixture *fx, const char *account, const char *id, gint64 occurred_s, HeraldCategory category,
       const char *title, gboolean read)
{
  g_autoptr (HeraldEvent) event = herald_event_new (account, "pally", "tip", id);

  herald_event_set_occurred (event, occurred_s * G_USEC_PER_SEC);
  herald_event_set_category (event, category);
  herald_event_set_title (event, title);
  herald_history_add (fx->history, event, NULL, NULL);
  if (read)
    herald_history_mark_read (fx->history, account, id, TRUE);
}

/* 1 000 events, one a second, two with the time of their neighbour (ties). */
static void
store_thousand (Fixture *fx)
{
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *id = g_strdup_printf ("e%04u", i);
      g_autofree char *title = g_strdup_printf ("Tip %u", i);

      store (fx, "main", id, 1000 + (i == 500 || i == 900 ? i - 1 : i), HERALD_CATEGORY_TIP, title,
             FALSE);
    }
  herald_history_flush (fx->history);
}

/* --- tests --- */

static void
test_pages (Fixture *fx, gconstpointer data)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;
  g_autofree char *first = NULL;
  g_autofree char *all = NULL;
  g_autofree char *ids = NULL;

  store_thousand (fx);
  make_model (fx, 0 + 200);
  g_assert_true (herald_event_model_get_loading (fx->model));
  wait_settled (fx, 1000);

  /* The newest 200, in the history's order, ties newest stored first. */
  query.limit = 200;
  first = history_ids (fx, &query);
  ids = model_ids (fx);
  g_assert_cmpstr (ids, ==, first);
  g_assert_cmpstr (herald_event_get_id (model_event (fx, 0)), ==, "e0999");
  g_assert_true (g_str_has_prefix (ids, "e0999,e0998,e0997,e0996,e0995,e0994,e0993,e0992,e0991,"
                                        "e0990,e0989,e0988,e0987,e0986,e0985,e0984,e0983,e0982,"
                                        "e0981,e0980,e0979,e0978,e0977,e0976,e0975,e0974,e0973,"
                                        "e0972,e0971,e0970,e0969,e0968,e0967,e0966,e0965,e0964,"
                                        "e0963,e0962,e0961,e0960,e0959,e0958,e0957,e0956,e0955,"
                                        "e0954,e0953,e0952,e0951,e0950,e0949"));
  g_assert_nonnull (strstr (ids, "e0901,e0900,e0899,e0898"));
  g_assert_true (herald_event_model_get_has_more (fx->model));

  /* Each load_more appends the next older page, until the whole history is listed. */
  for (guint page = 2; page <= 5; page++)
    {
      herald_event_model_load_more (fx->model);
      g_assert_true (herald_event_model_get_loading (fx->model));
      /* A second call while one is on its way does nothing. */
      herald_event_model_load_more (fx->model);
      HERALD_TEST_WAIT_UNTIL (!herald_event_model_get_loading (fx->model), WAIT_MS);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->model)), ==, page * 200);
    }
  g_assert_false (herald_event_model_get_has_more (fx->model));
  query.limit = 0;
  all = history_ids (fx, &query);
  g_clear_pointer (&ids, g_free);
  ids = model_ids (fx);
  g_assert_cmpstr (ids, ==, all);
  g_assert_cmpstr (herald_event_get_id (model_event (fx, 999)), ==, "e0000");
  g_assert_nonnull (strstr (ids, "e0501,e0500,e0499,e0498"));
  g_assert_cmpuint (herald_event_model_get_total (fx->model), ==, 1000);

  /* Nothing more to load: no read starts. */
  herald_event_model_load_more (fx->model);
  g_assert_false (herald_event_model_get_loading (fx->model));
}

/* Checks that the model lists the newest page of what @query matches in the whole history. */
static void
assert_like_history (Fixture *fx, HeraldHistoryQuery *query, guint expected_total)
{
  g_autofree char *model = NULL;
  g_autofree char *history = NULL;

  g_assert_cmpuint (history_count (fx, query), ==, expected_total);
  wait_settled (fx, expected_total);
  query->limit = herald_event_model_get_page_size (fx->model);
  history = history_ids (fx, query);
  model = model_ids (fx);
  g_assert_cmpstr (model, ==, history);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->model)), ==,
                    MIN (expected_total, query->limit));
  query->limit = 0;
}

static void
test_filters (Fixture *fx, gconstpointer data)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;

  /* 300 events; what the filters single out is old, beyond the first page of 20. */
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *id = g_strdup_printf ("f%03u", i);
      g_autofree char *title = NULL;

      title = i == 7 || i == 40 ? g_strdup_printf ("Ünïcode NEEDLE_%u", i)
                                : g_strdup_printf ("Tip %u", i);
      store (fx, i % 30 == 0 ? "alt" : "main", id, 5000 + i,
             i % 50 == 3 ? HERALD_CATEGORY_TRADE : HERALD_CATEGORY_TIP, title, i >= 20);
    }
  herald_history_flush (fx->history);
  make_model (fx, 20);
  assert_like_history (fx, &query, 300);

  herald_event_model_set_account (fx->model, "alt");
  g_assert_true (herald_event_model_get_loading (fx->model));
  query.account = "alt";
  assert_like_history (fx, &query, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpstr (herald_event_get_account (model_event (fx, i)), ==, "alt");
  herald_event_model_set_account (fx->model, NULL);
  query.account = NULL;
  assert_like_history (fx, &query, 300);

  g_object_set (fx->model, "category", HERALD_CATEGORY_TRADE, NULL);
  query.category = HERALD_CATEGORY_TRADE;
  assert_like_history (fx, &query, 6);
  g_assert_cmpstr (herald_event_get_id (model_event (fx, 5)), ==, "f003");
  g_object_set (fx->model, "category", -1, NULL);
  query.category = -1;

  /* Case-insensitive, beyond ASCII, literal: "_" is no wildcard. */
  g_object_set (fx->model, "text", "ünÏcode needle_", NULL);
  query.text = "ünÏcode needle_";
  assert_like_history (fx, &query, 2);
  g_assert_cmpstr (herald_event_get_id (model_event (fx, 0)), ==, "f040");
  g_assert_cmpstr (herald_event_get_id (model_event (fx, 1)), ==, "f007");
  g_object_set (fx->model, "text", "needle%", NULL);
  query.text = "needle%";
  assert_like_history (fx, &query, 0);
  g_object_set (fx->model, "text", "", NULL);
  query.text = NULL;
  assert_like_history (fx, &query, 300);

  herald_event_model_set_unread_only (fx->model, TRUE);
  query.unread_only = TRUE;
  assert_like_history (fx, &query, 20);
  g_assert_cmpstr (herald_event_get_id (model_event (fx, 0)), ==, "f019");

  /* Filters combine. */
  herald_event_model_set_account (fx->model, "alt");
  query.account = "alt";
  assert_like_history (fx, &query, 1);
  g_assert_cmpstr (herald_event_get_id (model_event (fx, 0)), ==, "f000");
}

/* Changing the filter while a read is on its way: the stale answer never reaches the list. */
static void
test_stale_answer (Fixture *fx, gconstpointer data)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;

  store_thousand (fx);
  store (fx, "alt", "a1", 1, HERALD_CATEGORY_TRADE, "Old", FALSE);
  herald_history_flush (fx->history);
  fx->model = g_object_new (HERALD_TYPE_EVENT_MODEL, "hub", fx->hub, "page-size", 2000, "account",
                            "alt", NULL);
  g_signal_connect (fx->model, "items-changed", G_CALLBACK (items_changed_cb), fx);
  query.account = "alt";
  assert_like_history (fx, &query, 1);

  /* Every account, and back before that answer came: its 1 001 events are never shown. */
  herald_event_model_set_account (fx->model, NULL);
  herald_event_model_set_account (fx->model, "alt");
  assert_like_history (fx, &query, 1);
  herald_test_spin (300);
  g_assert_cmpuint (fx->max_items, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->model)), ==, 1);
  g_assert_cmpuint (herald_event_model_get_total (fx->model), ==, 1);
}

/* --- live events from a real feed --- */

static void
start_pally (Fixture *fx, const char *scenario)
{
  const HeraldProviderInfo *info = herald_provider_info_lookup ("pally");
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldAccount) account = NULL;
  g_autofree char *endpoint = NULL;
  const HeraldCredentialSpec *specs;
  guint n_specs;

  fx->sim = herald_test_sim_new ();
  /* Pacing first; a scenario that is not one adds to it. */
  herald_test_sim_scenario (fx->sim, "pally", "trickle:interval=20");
  herald_test_sim_scenario (fx->sim, "pally", scenario);
  g_assert_true (herald_simulator_listen (fx->sim, 0, &error));
  g_assert_no_error (error);
  endpoint = herald_simulator_get_endpoint (fx->sim, "pally");
  account = herald_account_new (info->kind, "pally-tips");
  herald_account_set_label (account, "Tips");
  herald_account_set_endpoint (account, endpoint);
  g_assert_true (herald_account_validate (account, &error));
  specs = herald_account_get_credentials (account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    herald_hub_set_memory_credential (
      fx->hub, "pally-tips", specs[i].field,
      herald_simulator_get_credential (fx->sim, "pally", specs[i].field));
  g_list_store_append (fx->accounts, account);
  g_signal_connect (fx->hub, "event-added", G_CALLBACK (event_added_cb), fx);
  herald_hub_start (fx->hub);
}

static void
test_burst (Fixture *fx, gconstpointer data)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;
  g_autofree char *model = NULL;
  g_autofree char *history = NULL;
  gint64 start, elapsed_ms;
  guint changes;

  make_model (fx, 100);
  wait_settled (fx, 0);
  changes = fx->changes;

  start = g_get_monotonic_time ();
  start_pally (fx, "burst:count=5000");
  HERALD_TEST_WAIT_UNTIL (herald_event_model_get_total (fx->model) == 5000, WAIT_MS);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_cmpuint (fx->announced, ==, 5000);

  /* A handful of updates, not one per event: at most two (the tail cut, the new ones) per
   * 100 ms. */
  g_test_message ("%u items-changed for 5000 events in %" G_GINT64_FORMAT " ms",
                  fx->changes - changes, elapsed_ms);
  g_assert_cmpuint (fx->changes - changes, <=, 2 * (elapsed_ms / 100 + 1));
  /* However the burst fell into batches, the list was never emptied on the way. */
  g_assert_cmpuint (fx->emptied, ==, 0);
  /* The window stayed one page: the burst did not grow the model. */
  g_assert_cmpuint (fx->max_items, <=, 100);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->model)), ==, 100);
  g_assert_true (herald_event_model_get_has_more (fx->model));

  /* It shows the newest of them, as the history lists them. */
  herald_history_flush (fx->history);
  query.limit = 100;
  history = history_ids (fx, &query);
  model = model_ids (fx);
  g_assert_cmpstr (model, ==, history);
  g_assert_cmpuint (history_count (fx, NULL), ==, 5000);
}

static void
test_out_of_order (Fixture *fx, gconstpointer data)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;
  g_autofree char *model = NULL;
  g_autofree char *history = NULL;
  g_autoptr (HeraldEventModel) other = NULL;
  g_autoptr (HeraldEventModel) titled = NULL;
  guint inversions = 0, changes;

  make_model (fx, 200);
  wait_settled (fx, 0);
  /* Lists with filters, beside it: live events are held to them. */
  other = g_object_new (HERALD_TYPE_EVENT_MODEL, "hub", fx->hub, "account", "nobody", NULL);
  titled = g_object_new (HERALD_TYPE_EVENT_MODEL, "hub", fx->hub, "text", "ZOË", NULL);
  HERALD_TEST_WAIT_UNTIL (
    !herald_event_model_get_loading (other) && !herald_event_model_get_loading (titled), WAIT_MS);
  changes = fx->changes;
  start_pally (fx, "out-of-order:window=8");
  HERALD_TEST_WAIT_UNTIL (fx->announced >= 40, WAIT_MS);
  herald_hub_stop (fx->hub);
  herald_history_flush (fx->history);
  HERALD_TEST_WAIT_UNTIL (herald_event_model_get_total (fx->model) == fx->announced, WAIT_MS);

  /* They did arrive out of order… */
  for (guint i = 1; i < fx->arrived->len; i++)
    inversions += herald_event_get_occurred (g_ptr_array_index (fx->arrived, i))
                  < herald_event_get_occurred (g_ptr_array_index (fx->arrived, i - 1));
  g_assert_cmpuint (inversions, >, 0);
  g_assert_cmpuint (fx->changes, >, changes);

  /* …and each landed at its place by time, as in the history. */
  history = history_ids (fx, &query);
  model = model_ids (fx);
  g_assert_cmpstr (model, ==, history);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->model)), ==, fx->announced);

  g_assert_cmpuint (herald_event_model_get_total (other), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 0);
  query.text = "ZOË";
  g_assert_cmpuint (history_count (fx, &query), >, 0);
  g_assert_cmpuint (history_count (fx, &query), <, fx->announced);
  HERALD_TEST_WAIT_UNTIL (herald_event_model_get_total (titled) == history_count (fx, &query),
                          WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (titled)), ==,
                    history_count (fx, &query));
}

/* What the hub does with an event from a feed: store it, announce it once stored. */
static void
announce_stored_cb (HeraldHistory *history, HeraldEvent *event, HeraldHistoryOutcome outcome,
                    gpointer user_data)
{
  Fixture *fx = user_data;

  g_assert_cmpint (outcome, ==, HERALD_HISTORY_STORED);
  g_signal_emit_by_name (fx->hub, "event-added", event);
}

static void
announce (Fixture *fx, const char *id, gint64 occurred_s)
{
  g_autoptr (HeraldEvent) event = herald_event_new ("main", "pally", "tip", id);

  herald_event_set_occurred (event, occurred_s * G_USEC_PER_SEC);
  herald_event_set_title (event, "Tip");
  herald_history_add (fx->history, event, announce_stored_cb, fx);
}

/* A batch that pushes the whole page out replaces it in one change, never emptying it first:
 * a view can show the new events in the rows it has. */
static void
test_page_replaced (Fixture *fx, gconstpointer data)
{
  g_autofree char *ids = NULL;
  guint changes;

  make_model (fx, 5);
  wait_settled (fx, 0);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("a%u", i);

      announce (fx, id, 100 + i);
    }
  herald_history_flush (fx->history);
  HERALD_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (fx->model)) == 5, WAIT_MS);
  herald_test_spin (150);

  changes = fx->changes;
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%u", i);

      announce (fx, id, 200 + i);
    }
  herald_history_flush (fx->history);
  assert_one_change (fx, changes, 0, 5, 5);
  g_assert_cmpuint (fx->replaced, ==, 1);
  g_assert_cmpuint (fx->emptied, ==, 0);
  ids = model_ids (fx);
  g_assert_cmpstr (ids, ==, "b7,b6,b5,b4,b3");
}

/* Events of the same time, loaded and live, in one batch and across batches: newest stored
 * first, as the history lists them. */
static void
test_live_ties (Fixture *fx, gconstpointer data)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;
  g_autofree char *model = NULL;
  g_autofree char *history = NULL;
  guint changes;

  store (fx, "main", "old-a", 50, HERALD_CATEGORY_TIP, "Tip", FALSE);
  store (fx, "main", "old-b", 50, HERALD_CATEGORY_TIP, "Tip", FALSE);
  store (fx, "main", "old-c", 40, HERALD_CATEGORY_TIP, "Tip", FALSE);
  herald_history_flush (fx->history);
  make_model (fx, 200);
  wait_settled (fx, 3);
  changes = fx->changes;

  announce (fx, "t1", 50);
  announce (fx, "t2", 60);
  announce (fx, "t3", 50);
  announce (fx, "t4", 45);
  announce (fx, "t5", 50);
  announce (fx, "t6", 60);
  herald_history_flush (fx->history);
  HERALD_TEST_WAIT_UNTIL (herald_event_model_get_total (fx->model) == 9, WAIT_MS);
  /* One batch: one emission. */
  g_assert_cmpuint (fx->changes, ==, changes + 1);
  announce (fx, "t7", 50);
  herald_history_flush (fx->history);
  HERALD_TEST_WAIT_UNTIL (herald_event_model_get_total (fx->model) == 10, WAIT_MS);

  history = history_ids (fx, &query);
  model = model_ids (fx);
  g_assert_cmpstr (history, ==, "t6,t2,t7,t5,t3,t1,old-b,old-a,t4,old-c");
  g_assert_cmpstr (model, ==, history);
}

/* --- read state --- */

static void
store_ten (Fixture *fx)
{
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("r%u", i);

      store (fx, i < 5 ? "main" : "alt", id, 100 + i, HERALD_CATEGORY_TIP, "Tip", FALSE);
    }
  herald_history_flush (fx->history);
}

static void
test_read_one (Fixture *fx, gconstpointer data)
{
  guint changes, position = 0;

  store_ten (fx);
  make_model (fx, 200);
  wait_settled (fx, 10);
  g_assert_true (herald_event_model_find (fx->model, "main", "r3", &position));
  g_assert_cmpuint (position, ==, 6);
  g_assert_false (herald_event_model_find (fx->model, "alt", "r3", NULL));
  changes = fx->changes;

  herald_history_mark_read (fx->history, "main", "r3", TRUE);
  /* Exactly that item, in place. */
  assert_one_change (fx, changes, 6, 1, 1);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (herald_event_get_read (model_event (fx, i)), ==, i == 6);

  /* Unread only: a read event leaves. */
  herald_event_model_set_unread_only (fx->model, TRUE);
  wait_settled (fx, 9);
  g_assert_false (herald_event_model_find (fx->model, "main", "r3", NULL));
  g_assert_true (herald_event_model_find (fx->model, "main", "r2", &position));
  g_assert_cmpuint (position, ==, 6);
  changes = fx->changes;
  herald_history_mark_read (fx->history, "main", "r2", TRUE);
  assert_one_change (fx, changes, 6, 1, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->model)), ==, 8);
  g_assert_cmpuint (herald_event_model_get_total (fx->model), ==, 8);
  g_assert_false (herald_event_model_find (fx->model, "main", "r2", NULL));

  /* Unread again: it comes back at its place. */
  herald_history_mark_read (fx->history, "main", "r2", FALSE);
  wait_settled (fx, 9);
  HERALD_TEST_WAIT_UNTIL (herald_event_model_find (fx->model, "main", "r2", &position), WAIT_MS);
  g_assert_cmpuint (position, ==, 6);
  g_free (model_ids (fx));
}

static void
count_change_cb (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  (*(guint *)data)++;
}

/* The tray's model and the window's hold the same live events: marking one read reaches both
 * views, whichever model hears of it first and sets the shared event's flag. */
static void
test_read_shared_live_event (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldEventModel) first = g_object_new (HERALD_TYPE_EVENT_MODEL, "hub", fx->hub, NULL);
  g_autoptr (HeraldEventItem) first_item = NULL;
  guint first_changes = 0, changes;
  HeraldEvent *event;

  g_signal_connect (first, "items-changed", G_CALLBACK (count_change_cb), &first_changes);
  make_model (fx, 200);
  wait_settled (fx, 0);
  start_pally (fx, "burst:count=3");
  HERALD_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (fx->model)) == 3
                            && g_list_model_get_n_items (G_LIST_MODEL (first)) == 3,
                          WAIT_MS);
  event = model_event (fx, 0);
  first_item = g_list_model_get_item (G_LIST_MODEL (first), 0);
  /* The premise: one event object in both. */
  g_assert_true (herald_event_item_get_event (first_item) == event);
  g_assert_false (herald_event_get_read (event));

  changes = fx->changes;
  first_changes = 0;
  herald_history_mark_read (fx->history, herald_event_get_account (event),
                            herald_event_get_id (event), TRUE);
  HERALD_TEST_WAIT_UNTIL (first_changes > 0 && fx->changes > changes, WAIT_MS);
  g_assert_true (herald_event_get_read (event));
  g_assert_cmpuint (last_change (fx, 0), ==, 0);
  g_assert_cmpuint (last_change (fx, 1), ==, 1);
  g_assert_cmpuint (last_change (fx, 2), ==, 1);
}

static void
test_read_bulk (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldEventModel) unread = NULL;
  guint changes;

  store_ten (fx);
  make_model (fx, 200);
  wait_settled (fx, 10);
  unread = g_object_new (HERALD_TYPE_EVENT_MODEL, "hub", fx->hub, "unread-only", TRUE, NULL);
  HERALD_TEST_WAIT_UNTIL (herald_event_model_get_total (unread) == 10
                            && !herald_event_model_get_loading (unread),
                          WAIT_MS);
  changes = fx->changes;

  /* One account's events: one emission spanning them. */
  herald_history_mark_read (fx->history, "alt", NULL, TRUE);
  assert_one_change (fx, changes, 0, 5, 5);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (herald_event_get_read (model_event (fx, i)), ==, i < 5);
  HERALD_TEST_WAIT_UNTIL (herald_event_model_get_total (unread) == 5, WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unread)), ==, 5);

  /* Everything: one emission, and the unread-only list empties. */
  changes = fx->changes;
  herald_history_mark_read (fx->history, NULL, NULL, TRUE);
  HERALD_TEST_WAIT_UNTIL (fx->changes > changes, WAIT_MS);
  herald_test_spin (150);
  g_assert_cmpuint (fx->changes, ==, changes + 1);
  g_assert_cmpuint (last_change (fx, 0), ==, 5);
  g_assert_cmpuint (last_change (fx, 1), ==, 5);
  for (guint i = 0; i < 10; i++)
    g_assert_true (herald_event_get_read (model_event (fx, i)));
  HERALD_TEST_WAIT_UNTIL (herald_event_model_get_total (unread) == 0, WAIT_MS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (unread)), ==, 0);
  HERALD_TEST_WAIT_UNTIL (!herald_event_model_get_loading (unread), WAIT_MS);
  herald_test_spin (50);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  herald_test_quiet_frame_logs ();

#define ADD(path, test) g_test_add (path, Fixture, NULL, setup, test, teardown)
  ADD ("/event-model/pages", test_pages);
  ADD ("/event-model/filters", test_filters);
  ADD ("/event-model/stale-answer", test_stale_answer);
  ADD ("/event-model/burst", test_burst);
  ADD ("/event-model/out-of-order", test_out_of_order);
  ADD ("/event-model/live-ties", test_live_ties);
  ADD ("/event-model/page-replaced", test_page_replaced);
  ADD ("/event-model/read-one", test_read_one);
  ADD ("/event-model/read-bulk", test_read_bulk);
  ADD ("/event-model/read-shared-live-event", test_read_shared_live_event);
#undef ADD

  return g_test_run ();
}
