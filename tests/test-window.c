/* test-window.c — the history window in a real X window (Xvfb), fed by a real hub on the
 * in-process simulator: what a user sees as events arrive, when a key is refused, when
 * they search, and when a tipper writes markup. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "herald-simulator.h"
#include "herald-test-feed.h"
#include "herald-window-private.h"

typedef struct
{
  char *dir;
  HeraldSimulator *simulator;
  HeraldHistory *history;
  GListStore *accounts;
  HeraldHub *hub;
  HeraldWindow *window;
} Fixture;

static void
add_account (Fixture *fixture, const char *feed, const char *key_override)
{
  const HeraldProviderInfo *info = herald_provider_info_lookup (feed);
  g_autofree char *id = g_strdup_printf ("test-%s", feed);
  g_autofree char *endpoint = herald_simulator_get_endpoint (fixture->simulator, feed);
  g_autoptr (HeraldAccount) account = herald_account_new (info->kind, id);
  const HeraldCredentialSpec *specs;
  guint n_specs;

  herald_account_set_label (account, info->name);
  herald_account_set_endpoint (account, endpoint);
  if (info->kind == HERALD_PROVIDER_SKINSHARK)
    herald_account_add_option_value (account, "sub-user", "user-1");
  specs = herald_account_get_credentials (account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      const char *secret
        = herald_simulator_get_credential (fixture->simulator, feed, specs[i].field);

      if (key_override != NULL && i == 0)
        secret = key_override;
      if (secret != NULL)
        herald_hub_set_memory_credential (fixture->hub, id, specs[i].field, secret);
    }
  g_list_store_append (fixture->accounts, account);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("herald-window-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "history.db", NULL);
  fixture->history = herald_history_open (path, &error);
  g_assert_no_error (error);

  fixture->simulator = herald_simulator_new ();
  g_assert_true (
    herald_simulator_parse_scenario (fixture->simulator, NULL, "trickle:interval=50", &error));
  g_assert_true (herald_simulator_listen (fixture->simulator, 0, &error));

  fixture->accounts = g_list_store_new (HERALD_TYPE_ACCOUNT);
  fixture->hub = herald_hub_new (G_LIST_MODEL (fixture->accounts), fixture->history, NULL, NULL);
  herald_hub_set_use_keyring (fixture->hub, FALSE);
  fixture->window = herald_window_new (NULL);
  herald_window_set_hub (fixture->window, fixture->hub);
  gtk_widget_show (GTK_WIDGET (fixture->window));
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (fixture->dir, "/history.db-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->dir, "/history.db-shm", NULL);
  g_autofree char *db = g_strconcat (fixture->dir, "/history.db", NULL);

  gtk_widget_destroy (GTK_WIDGET (fixture->window));
  herald_hub_stop (fixture->hub);
  herald_history_flush (fixture->history);
  g_clear_object (&fixture->hub);
  g_clear_object (&fixture->accounts);
  g_clear_object (&fixture->history);
  g_clear_object (&fixture->simulator);
  g_remove (wal);
  g_remove (shm);
  g_remove (db);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static void
test_events_flow_in (Fixture *fixture, gconstpointer data)
{
  const char *const *feeds = herald_simulator_get_feeds ();

  for (guint i = 0; feeds[i] != NULL; i++)
    add_account (fixture, feeds[i], NULL);
  herald_hub_start (fixture->hub);

  HERALD_TEST_WAIT_UNTIL (
    g_str_equal (herald_window_get_status_text (fixture->window), "5 of 5 accounts connected"),
    10000);
  HERALD_TEST_WAIT_UNTIL (herald_window_get_n_events (fixture->window) >= 10, 10000);
  g_assert_null (herald_window_get_attention_text (fixture->window));
  g_assert_cmpuint (herald_window_count_visible_rows (fixture->window), ==,
                    herald_window_get_n_events (fixture->window));
}

static void
test_refused_key_shows_attention (Fixture *fixture, gconstpointer data)
{
  add_account (fixture, "pally", "pk_wrong_key");
  herald_hub_start (fixture->hub);

  HERALD_TEST_WAIT_UNTIL (herald_window_get_attention_text (fixture->window) != NULL, 10000);
  g_assert_cmpstr (herald_window_get_attention_text (fixture->window), ==,
                   "Pally: Pally refused the API key");
  g_assert_cmpstr (herald_window_get_status_text (fixture->window), ==, "0 of 1 account connected");
}

static HeraldEvent *
make_event (const char *id, const char *title, const char *body, gint64 occurred)
{
  HeraldEvent *event = herald_event_new ("test-pally", "pally", "campaigntip.notify", id);

  herald_event_set_title (event, title);
  herald_event_set_body (event, body);
  herald_event_set_occurred (event, occurred);
  return event;
}

static void
test_search_order_and_plain_text (Fixture *fixture, gconstpointer data)
{
  const gint64 now = g_get_real_time ();
  g_autoptr (HeraldEvent) older = make_event ("a", "Ann tipped $5.00", "<b>bold</b> & _under_",
                                              now - G_GINT64_CONSTANT (60) * G_USEC_PER_SEC);
  g_autoptr (HeraldEvent) newer = make_event ("b", "Bob tipped $2.00", "Great stream", now);
  g_autoptr (HeraldEvent) late = make_event ("c", "Cy tipped $1.00", "late but older",
                                             now - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  const char *title, *body;

  herald_hub_start (fixture->hub);
  /* The hub's own signal drives the window, as if the events had just been stored. */
  g_signal_emit_by_name (fixture->hub, "event-added", older);
  g_signal_emit_by_name (fixture->hub, "event-added", newer);
  g_signal_emit_by_name (fixture->hub, "event-added", late);
  g_assert_cmpuint (herald_window_get_n_events (fixture->window), ==, 3);
  /* The same event delivered twice (history query and live signal) is listed once. */
  g_signal_emit_by_name (fixture->hub, "event-added", newer);
  g_assert_cmpuint (herald_window_get_n_events (fixture->window), ==, 3);

  /* Newest first by the provider's time, whatever the arrival order. */
  g_assert_true (herald_window_get_row_texts (fixture->window, 0, &title, &body));
  g_assert_cmpstr (title, ==, "Bob tipped $2.00");
  g_assert_true (herald_window_get_row_texts (fixture->window, 1, &title, &body));
  g_assert_cmpstr (title, ==, "Ann tipped $5.00");
  /* Markup shows as typed, never interpreted. */
  g_assert_cmpstr (body, ==, "<b>bold</b> & _under_");
  g_assert_true (herald_window_get_row_texts (fixture->window, 2, &title, &body));
  g_assert_cmpstr (title, ==, "Cy tipped $1.00");

  herald_window_search (fixture->window, "STREAM");
  g_assert_cmpuint (herald_window_count_visible_rows (fixture->window), ==, 1);
  herald_window_search (fixture->window, "tipped");
  g_assert_cmpuint (herald_window_count_visible_rows (fixture->window), ==, 3);
  herald_window_search (fixture->window, "nothing like this");
  g_assert_cmpuint (herald_window_count_visible_rows (fixture->window), ==, 0);
  herald_window_search (fixture->window, "");
  g_assert_cmpuint (herald_window_count_visible_rows (fixture->window), ==, 3);
}

static void
test_history_is_listed_on_open (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldEvent) stored
    = make_event ("kept", "Dee tipped $9.00", "from before", g_get_real_time ());
  HeraldWindow *second;

  herald_history_add (fixture->history, stored, NULL, NULL);
  herald_history_flush (fixture->history);

  /* A window opened later lists what the history already holds. */
  second = herald_window_new (NULL);
  herald_window_set_hub (second, fixture->hub);
  gtk_widget_show (GTK_WIDGET (second));
  HERALD_TEST_WAIT_UNTIL (herald_window_get_n_events (second) == 1, 5000);
  gtk_widget_destroy (GTK_WIDGET (second));
}

/* A click on a notification lands on the event's row. */
static void
test_show_event (Fixture *fixture, gconstpointer data)
{
  const gint64 now = g_get_real_time ();
  g_autoptr (HeraldEvent) first = make_event ("one", "Ann tipped $5.00", "", now - 60);
  g_autoptr (HeraldEvent) second = make_event ("two", "Bob tipped $2.00", "", now);

  herald_hub_start (fixture->hub);
  g_signal_emit_by_name (fixture->hub, "event-added", first);
  g_signal_emit_by_name (fixture->hub, "event-added", second);
  herald_window_search (fixture->window, "Bob");
  g_assert_null (herald_window_get_shown_event (fixture->window));

  herald_window_show_event (fixture->window, "test-pally", "one");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));
  g_assert_nonnull (herald_window_get_shown_event (fixture->window));
  g_assert_cmpstr (herald_event_get_id (herald_window_get_shown_event (fixture->window)), ==,
                   "one");
  /* The search that hid it is cleared. */
  g_assert_cmpuint (herald_window_count_visible_rows (fixture->window), ==, 2);
  /* An event no longer listed: the window is just presented. */
  herald_window_show_event (fixture->window, "test-pally", "gone");
  g_assert_cmpstr (herald_event_get_id (herald_window_get_shown_event (fixture->window)), ==,
                   "one");
}

typedef struct
{
  const char *name;
  GtkWidget *found;
} Search;

static void
search_cb (GtkWidget *widget, gpointer user_data)
{
  Search *search = user_data;

  if (search->found != NULL)
    return;
  if (GTK_IS_BUTTON (widget) && gtk_widget_is_visible (widget)
      && g_strcmp0 (atk_object_get_name (gtk_widget_get_accessible (widget)), search->name) == 0)
    search->found = widget;
  else if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), search_cb, search);
}

/* A first run without accounts points at the Preferences, and only then. */
static void
test_empty_state_leads_to_preferences (Fixture *fixture, gconstpointer data)
{
  Search search = { "Add an Account…", NULL };

  herald_hub_start (fixture->hub);
  search_cb (GTK_WIDGET (fixture->window), &search);
  g_assert_nonnull (search.found);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (search.found)), ==,
                   "app.preferences");

  add_account (fixture, "pally", NULL);
  HERALD_TEST_WAIT_UNTIL (
    g_str_equal (herald_window_get_status_text (fixture->window), "1 of 1 account connected"),
    10000);
  search.found = NULL;
  search_cb (GTK_WIDGET (fixture->window), &search);
  g_assert_null (search.found);
}

int
main (int argc, char **argv)
{
  if (!gtk_init_check (&argc, &argv))
    {
      /* A TAP plan of zero with a reason: reported as skipped, not as passed. */
      g_print ("1..0 # SKIP no display: run under Xvfb (build-aux/run-tests.sh does)\n");
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/window/events-flow-in", Fixture, NULL, setup, test_events_flow_in, teardown);
  g_test_add ("/window/refused-key-shows-attention", Fixture, NULL, setup,
              test_refused_key_shows_attention, teardown);
  g_test_add ("/window/search-order-and-plain-text", Fixture, NULL, setup,
              test_search_order_and_plain_text, teardown);
  g_test_add ("/window/show-event", Fixture, NULL, setup, test_show_event, teardown);
  g_test_add ("/window/history-is-listed-on-open", Fixture, NULL, setup,
              test_history_is_listed_on_open, teardown);
  g_test_add ("/window/empty-state-leads-to-preferences", Fixture, NULL, setup,
              test_empty_state_leads_to_preferences, teardown);
  return g_test_run ();
}
