/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c — the history window in a real X window (Xvfb), over a real history file and a
 * real hub (on the in-process simulator where accounts connect). Controls are found by their
 * accessible names, as a screen reader or a user would; the link is opened through GIO's real
 * default-handler lookup, answered by a test .desktop file. Screenshots go to the build tree. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "herald-event-row.h"
#include "herald-time-format.h"
#include "herald-simulator.h"
#include "herald-test-env.h"
#include "herald-test-feed.h"
#include "herald-window-private.h"

#define N_STORED 1000
#define PAGE 50

typedef struct
{
  char *dir;
  HeraldSimulator *simulator;
  HeraldHistory *history;
  GListStore *accounts;
  HeraldHub *hub;
  HeraldWindow *window;
} Fixture;

/* The test browser's home, removed after the run, and where it writes the URI it was asked to
 * open. */
static char *browser_home;
static char *opened_path;

static void
add_account (Fixture *fixture, const char *feed, const char *key_override,
             const char *endpoint_override)
{
  const HeraldProviderInfo *info = herald_provider_info_lookup (feed);
  g_autofree char *id = g_strdup_printf ("test-%s", feed);
  g_autofree char *endpoint = herald_simulator_get_endpoint (fixture->simulator, feed);
  g_autoptr (HeraldAccount) account = herald_account_new (info->kind, id);
  const HeraldCredentialSpec *specs;
  guint n_specs;

  herald_account_set_label (account, info->name);
  herald_account_set_endpoint (account, endpoint_override ? endpoint_override : endpoint);
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
  g_remove (opened_path);
}

/* The window over what the history holds now, shown and with its first page read. */
static gboolean rows_caught_up (Fixture *fixture);

static void
open_window (Fixture *fixture)
{
  fixture->window = herald_window_new (NULL);
  herald_window_set_hub (fixture->window, fixture->hub);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 680);
  gtk_widget_show (GTK_WIDGET (fixture->window));
  HERALD_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)), 5000);
  HERALD_TEST_WAIT_UNTIL (
    !herald_event_model_get_loading (herald_window_get_model (fixture->window)), 5000);
  HERALD_TEST_WAIT_UNTIL (rows_caught_up (fixture), 5000);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->window != NULL)
    gtk_widget_destroy (GTK_WIDGET (fixture->window));
  herald_hub_stop (fixture->hub);
  herald_history_flush (fixture->history);
  g_clear_object (&fixture->hub);
  g_clear_object (&fixture->accounts);
  g_clear_object (&fixture->history);
  g_clear_object (&fixture->simulator);
  herald_test_drain ();
  herald_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* --- finding things as a user would --------------------------------------------------------- */

typedef struct
{
  const char *name;
  GType type;
  GtkWidget *found;
} Search;

static void find_in (GtkWidget *widget, gpointer user_data);

static void
find_in (GtkWidget *widget, gpointer user_data)
{
  Search *search = user_data;
  AtkObject *accessible;
  GtkWidget *popover;

  if (search->found != NULL)
    return;
  if (g_type_is_a (G_OBJECT_TYPE (widget), search->type))
    {
      accessible = gtk_widget_get_accessible (widget);
      if (g_strcmp0 (atk_object_get_name (accessible), search->name) == 0
          || (GTK_IS_LABEL (widget)
              && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), search->name) == 0))
        {
          search->found = widget;
          return;
        }
    }
  if (GTK_IS_MENU_BUTTON (widget)
      && (popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget)))) != NULL)
    find_in (popover, search);
  if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), find_in, search);
}

/* The widget of @type whose accessible name (or, for a label, its text) is @name. */
static GtkWidget *
find (Fixture *fixture, GType type, const char *name)
{
  Search search = { name, type, NULL };

  find_in (GTK_WIDGET (fixture->window), &search);
  if (search.found == NULL)
    g_error ("No %s named “%s” in the window", g_type_name (type), name);
  return search.found;
}

static gboolean
shown (GtkWidget *widget)
{
  return gtk_widget_is_visible (widget) && gtk_widget_get_mapped (widget);
}

static GtkListBox *
event_list (Fixture *fixture)
{
  return GTK_LIST_BOX (find (fixture, GTK_TYPE_LIST_BOX, "Events"));
}

static guint
count_rows (Fixture *fixture)
{
  GList *rows = gtk_container_get_children (GTK_CONTAINER (event_list (fixture)));
  guint n = g_list_length (rows);

  g_list_free (rows);
  return n;
}

/* Rows for the first page are built over a few frames: TRUE once every loaded event has one. */
static gboolean
rows_caught_up (Fixture *fixture)
{
  return count_rows (fixture) == herald_window_get_n_events (fixture->window);
}

static void
collect_labels (GtkWidget *widget, gpointer user_data)
{
  GPtrArray *texts = user_data;

  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, (gpointer)gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), collect_labels, texts);
}

/* The texts a row shows: title, time, body, in the grid's order. */
static GtkListBoxRow *
row_at (Fixture *fixture, guint n)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (event_list (fixture), (int)n);

  g_assert_nonnull (row);
  return row;
}

static gboolean
row_shows (GtkListBoxRow *row, const char *text)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new ();

  if (row == NULL)
    return FALSE;
  collect_labels (GTK_WIDGET (row), texts);
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (g_ptr_array_index (texts, i), text))
      return TRUE;
  return FALSE;
}

static gboolean
row_is_unread (GtkListBoxRow *row)
{
  return gtk_style_context_has_class (gtk_widget_get_style_context (GTK_WIDGET (row)), "unread");
}

/* A key press as the window receives it from the keyboard, to whatever has the focus. */
static void
send_key (Fixture *fixture, guint keyval, GdkModifierType state)
{
  GdkEvent *event = gdk_event_new (GDK_KEY_PRESS);
  GdkKeymapKey *keys = NULL;
  int n_keys = 0;

  event->key.window = g_object_ref (gtk_widget_get_window (GTK_WIDGET (fixture->window)));
  event->key.send_event = TRUE;
  event->key.time = GDK_CURRENT_TIME;
  event->key.keyval = keyval;
  event->key.state = state;
  if (gdk_keymap_get_entries_for_keyval (gdk_keymap_get_for_display (gdk_display_get_default ()),
                                         keyval, &keys, &n_keys)
      && n_keys > 0)
    event->key.hardware_keycode = (guint16)keys[0].keycode;
  g_free (keys);
  gdk_event_set_device (
    event, gdk_seat_get_keyboard (gdk_display_get_default_seat (gdk_display_get_default ())));
  gtk_main_do_event (event);
  gdk_event_free (event);
  herald_test_spin (50);
}

static const char *
label_text (Fixture *fixture, const char *accessible_name)
{
  return gtk_label_get_text (GTK_LABEL (find (fixture, GTK_TYPE_LABEL, accessible_name)));
}

static void
screenshot (Fixture *fixture, const char *name)
{
  const char *builddir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *dir
    = g_build_filename (builddir ? builddir : HERALD_TEST_BUILDDIR, "screenshots", NULL);
  g_autofree char *file = g_strdup_printf ("window-%s.png", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  GdkWindow *window = gtk_widget_get_window (GTK_WIDGET (fixture->window));
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError) error = NULL;

  /* Let every pending frame be drawn first. */
  herald_test_spin (400);
  pixbuf = gdk_pixbuf_get_from_window (window, 0, 0, gdk_window_get_width (window),
                                       gdk_window_get_height (window));
  g_assert_nonnull (pixbuf);
  g_mkdir_with_parents (dir, 0755);
  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

/* --- stored events ------------------------------------------------------------------------- */

static const char *raw_payload
  = "{\"event\":\"trade.completed\",\"data\":{\"id\":\"T-7\",\"amount\":"
    "\"12.50\",\"note\":\"<b>bold</b>\"}}";

static HeraldEvent *
make_event (const char *account, const char *id, const char *title, const char *body,
            gint64 occurred)
{
  HeraldEvent *event
    = herald_event_new_with_raw (account, g_str_equal (account, "test-pally") ? "pally" : "dimes",
                                 "campaigntip.notify", id, raw_payload, -1);

  herald_event_set_title (event, title);
  herald_event_set_body (event, body);
  herald_event_set_occurred (event, occurred);
  return event;
}

/* N_STORED events, one a minute up to now: "Event 0" the oldest; even ones tips of Pally, odd
 * ones trades of Dimes; every third one read. "Event 0" alone says "zebra". */
static void
store_events (Fixture *fixture)
{
  const gint64 now = g_get_real_time ();

  for (guint i = 0; i < N_STORED; i++)
    {
      g_autofree char *id = g_strdup_printf ("e%04u", i);
      g_autofree char *title = g_strdup_printf ("Event %u", i);
      const char *account = i % 2 == 0 ? "test-pally" : "test-dimes";
      g_autoptr (HeraldEvent) event
        = make_event (account, id, title, i == 0 ? "a zebra crossed" : "an ordinary day",
                      now - (gint64)(N_STORED - i) * 60 * G_USEC_PER_SEC);

      herald_event_set_category (event, i % 2 == 0 ? HERALD_CATEGORY_TIP : HERALD_CATEGORY_TRADE);
      herald_event_set_read (event, i % 3 == 0);
      herald_history_add (fixture->history, event, NULL, NULL);
    }
  herald_history_flush (fixture->history);
  for (guint i = 0; i < N_STORED; i += 3)
    {
      g_autofree char *id = g_strdup_printf ("e%04u", i);

      herald_history_mark_read (fixture->history, i % 2 == 0 ? "test-pally" : "test-dimes", id,
                                TRUE);
    }
  herald_history_flush (fixture->history);
}

static void
wait_for_model (Fixture *fixture)
{
  HeraldEventModel *model = herald_window_get_model (fixture->window);

  /* The search entry reports text 150 ms after the last key; the read then runs on a worker. */
  herald_test_spin (250);
  HERALD_TEST_WAIT_UNTIL (!herald_event_model_get_loading (model), 5000);
  HERALD_TEST_WAIT_UNTIL (rows_caught_up (fixture), 5000);
  herald_test_spin (50);
}

/* --- tests --------------------------------------------------------------------------------- */

/* The newest listed event of @account. */
static HeraldEvent *
first_event_of (Fixture *fixture, const char *account)
{
  GListModel *model = G_LIST_MODEL (herald_window_get_model (fixture->window));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (HeraldEventItem) item = g_list_model_get_item (model, i);
      HeraldEvent *event = herald_event_item_get_event (item);

      if (g_str_equal (herald_event_get_account (event), account))
        return event; /* the model holds it */
    }
  g_error ("No event of %s listed", account);
}

static char *
raw_text (Fixture *fixture)
{
  GtkTextView *raw = GTK_TEXT_VIEW (find (fixture, GTK_TYPE_TEXT_VIEW, "Message as received"));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (raw), &start, &end);
  return gtk_text_buffer_get_text (gtk_text_view_get_buffer (raw), &start, &end, FALSE);
}

static void
test_events_flow_in (Fixture *fixture, gconstpointer data)
{
  const char *const *feeds = herald_simulator_get_feeds ();
  g_autofree char *raw = NULL;

  for (guint i = 0; feeds[i] != NULL; i++)
    add_account (fixture, feeds[i], NULL, NULL);
  open_window (fixture);
  herald_hub_start (fixture->hub);

  HERALD_TEST_WAIT_UNTIL (
    g_str_equal (herald_window_get_status_text (fixture->window), "5 of 5 accounts connected"),
    10000);
  HERALD_TEST_WAIT_UNTIL (count_rows (fixture) >= 10 && rows_caught_up (fixture), 10000);
  g_assert_null (herald_window_get_attention_text (fixture->window));
  /* Fresh events say so. */
  g_assert_true (row_shows (row_at (fixture, 0), "just now"));
  screenshot (fixture, "live");
  /* Socket.IO feeds: the packet's header stays, its JSON is pretty-printed. */
  herald_window_show_event (fixture->window, "test-dimes",
                            herald_event_get_id (first_event_of (fixture, "test-dimes")));
  HERALD_TEST_WAIT_UNTIL (shown (find (fixture, GTK_TYPE_LABEL, "Event title")), 5000);
  raw = raw_text (fixture);
  if (!g_str_has_prefix (raw, "42/") || strstr (raw, "\n[\n  \"") == NULL)
    g_error ("Not a Socket.IO header above pretty JSON: %s", raw);
  screenshot (fixture, "live-details");
}

static void
test_account_states (Fixture *fixture, gconstpointer data)
{
  GtkWidget *popover;

  add_account (fixture, "pally", "pk_wrong_key", NULL);
  /* Nothing listens there: the account backs off and counts down. */
  add_account (fixture, "dimes", NULL, "ws://127.0.0.1:9/");
  open_window (fixture);
  herald_hub_start (fixture->hub);

  HERALD_TEST_WAIT_UNTIL (herald_window_get_attention_text (fixture->window) != NULL, 10000);
  g_assert_cmpstr (herald_window_get_attention_text (fixture->window), ==,
                   "Pally: Pally refused the API key");
  g_assert_cmpstr (herald_window_get_status_text (fixture->window), ==,
                   "0 of 2 accounts connected");

  g_assert_cmpstr (atk_object_get_description (gtk_widget_get_accessible (
                     find (fixture, GTK_TYPE_MENU_BUTTON, "Account states"))),
                   ==, "0 of 2 accounts connected");
  gtk_button_clicked (GTK_BUTTON (find (fixture, GTK_TYPE_MENU_BUTTON, "Account states")));
  popover = find (fixture, GTK_TYPE_POPOVER, "Account states");
  HERALD_TEST_WAIT_UNTIL (shown (popover), 5000);
  g_assert_true (
    shown (find (fixture, GTK_TYPE_LABEL, "Needs attention: Pally refused the API key")));
  g_assert_true (shown (find (fixture, GTK_TYPE_BUTTON, "Retry Pally")));
  HERALD_TEST_WAIT_UNTIL (herald_hub_get_state (fixture->hub, "test-dimes", NULL)
                            == HERALD_CONNECTION_BACKING_OFF,
                          10000);
  herald_test_spin (1100);
  {
    g_autofree char *expected = NULL;
    gint64 left = herald_hub_get_retry_time (fixture->hub, "test-dimes") - g_get_monotonic_time ();
    GtkWidget *dimes_state = NULL;
    Search search = { NULL, GTK_TYPE_LABEL, NULL };

    g_assert_cmpint (left, >, 0);
    /* The countdown label reads "Reconnecting in N s" with N the seconds left, rounded up. */
    for (int s = 1; s <= 120 && dimes_state == NULL; s++)
      {
        g_free (expected);
        expected = g_strdup_printf ("Reconnecting in %d s", s);
        search.name = expected;
        search.found = NULL;
        find_in (popover, &search);
        dimes_state = search.found;
      }
    g_assert_nonnull (dimes_state);
    screenshot (fixture, "accounts");
  }
  /* Retry reads the key again and reconnects now: the account leaves "needs attention" at once. */
  gtk_button_clicked (GTK_BUTTON (find (fixture, GTK_TYPE_BUTTON, "Retry Pally")));
  g_assert_cmpint (herald_hub_get_state (fixture->hub, "test-pally", NULL), !=,
                   HERALD_CONNECTION_NEEDS_ATTENTION);
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
test_pages_and_load_more (Fixture *fixture, gconstpointer data)
{
  GtkScrolledWindow *scroller;
  GtkAdjustment *adjustment;

  store_events (fixture);
  open_window (fixture);

  /* The newest page only: rows exist for what is loaded, not for the 1 000 stored. */
  g_assert_cmpuint (herald_window_get_n_events (fixture->window), ==, PAGE);
  g_assert_cmpuint (count_rows (fixture), ==, PAGE);
  g_assert_cmpstr (label_text (fixture, "Results"), ==, "1000 events");
  g_assert_true (row_shows (row_at (fixture, 0), "Event 999"));
  g_assert_true (row_shows (row_at (fixture, 0), "1 min ago"));
  g_assert_true (row_shows (row_at (fixture, PAGE - 1), "Event 950"));
  screenshot (fixture, "list");

  /* Scrolling to the end loads the next page, and only that. */
  scroller = GTK_SCROLLED_WINDOW (
    gtk_widget_get_ancestor (GTK_WIDGET (event_list (fixture)), GTK_TYPE_SCROLLED_WINDOW));
  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  HERALD_TEST_WAIT_UNTIL (count_rows (fixture) == 2 * PAGE, 5000);
  herald_test_spin (300);
  g_assert_cmpuint (count_rows (fixture), ==, 2 * PAGE);
  g_assert_true (row_shows (row_at (fixture, 2 * PAGE - 1), "Event 900"));
}

static void
test_search_whole_history (Fixture *fixture, gconstpointer data)
{
  GtkWidget *entry;

  store_events (fixture);
  open_window (fixture);
  entry = find (fixture, GTK_TYPE_SEARCH_ENTRY, "Search events");

  /* Ctrl+F opens the search bar with the entry focused. */
  gtk_widget_grab_focus (GTK_WIDGET (event_list (fixture)));
  g_assert_false (shown (entry));
  send_key (fixture, GDK_KEY_f, GDK_CONTROL_MASK);
  HERALD_TEST_WAIT_UNTIL (shown (entry) && gtk_widget_is_focus (entry), 5000);

  /* "Event 0" is the oldest of 1 000, far outside the loaded page: the history is searched. */
  gtk_entry_set_text (GTK_ENTRY (entry), "ZEBRA");
  wait_for_model (fixture);
  g_assert_cmpuint (count_rows (fixture), ==, 1);
  g_assert_true (row_shows (row_at (fixture, 0), "Event 0"));
  g_assert_cmpstr (label_text (fixture, "Results"), ==, "1 matching event");
  /* Enter opens the first result. */
  g_signal_emit_by_name (entry, "activate");
  HERALD_TEST_WAIT_UNTIL (shown (find (fixture, GTK_TYPE_LABEL, "Event title")), 5000);
  g_assert_cmpstr (label_text (fixture, "Event title"), ==, "Event 0");
  g_assert_true (gtk_widget_is_focus (GTK_WIDGET (row_at (fixture, 0))));
  screenshot (fixture, "search");

  gtk_widget_grab_focus (entry);
  gtk_entry_set_text (GTK_ENTRY (entry), "nothing like this");
  wait_for_model (fixture);
  g_assert_cmpuint (count_rows (fixture), ==, 0);
  g_assert_true (shown (find (fixture, GTK_TYPE_LABEL, "No matching events")));
  screenshot (fixture, "no-match");

  /* Escape closes the search and lists everything again. */
  send_key (fixture, GDK_KEY_Escape, 0);
  wait_for_model (fixture);
  g_assert_cmpuint (count_rows (fixture), ==, PAGE);

  /* Type to search: a letter typed in the list starts a search with it. */
  gtk_widget_grab_focus (GTK_WIDGET (row_at (fixture, 0)));
  send_key (fixture, GDK_KEY_z, 0);
  HERALD_TEST_WAIT_UNTIL (shown (entry), 5000);
  g_assert_cmpstr (gtk_entry_get_text (GTK_ENTRY (entry)), ==, "z");
  wait_for_model (fixture);
  g_assert_cmpuint (count_rows (fixture), ==, 1);
}

static void
test_filters (Fixture *fixture, gconstpointer data)
{
  GtkComboBox *accounts, *categories;
  GtkToggleButton *unread;

  add_account (fixture, "pally", NULL, NULL);
  add_account (fixture, "dimes", NULL, NULL);
  store_events (fixture);
  open_window (fixture);
  accounts = GTK_COMBO_BOX (find (fixture, GTK_TYPE_COMBO_BOX, "Account filter"));
  categories = GTK_COMBO_BOX (find (fixture, GTK_TYPE_COMBO_BOX, "Category filter"));
  unread = GTK_TOGGLE_BUTTON (find (fixture, GTK_TYPE_TOGGLE_BUTTON, "Unread only"));

  g_assert_true (gtk_combo_box_set_active_id (accounts, "test-dimes"));
  wait_for_model (fixture);
  g_assert_cmpstr (label_text (fixture, "Results"), ==, "500 matching events");
  g_assert_true (row_shows (row_at (fixture, 0), "Event 999"));
  g_assert_true (row_shows (row_at (fixture, 1), "Event 997"));

  g_assert_true (gtk_combo_box_set_active_id (accounts, ""));
  g_assert_true (gtk_combo_box_set_active_id (categories, "tip"));
  wait_for_model (fixture);
  g_assert_cmpstr (label_text (fixture, "Results"), ==, "500 matching events");
  g_assert_true (row_shows (row_at (fixture, 0), "Event 998"));

  /* Unread tips: even numbers not divisible by 3. */
  gtk_toggle_button_set_active (unread, TRUE);
  wait_for_model (fixture);
  g_assert_cmpstr (label_text (fixture, "Results"), ==, "333 matching events");
  g_assert_true (row_shows (row_at (fixture, 0), "Event 998"));
  g_assert_true (row_shows (row_at (fixture, 1), "Event 994"));
  g_assert_true (row_is_unread (row_at (fixture, 0)));
}

static char *
read_opened (void)
{
  char *contents = NULL;

  g_file_get_contents (opened_path, &contents, NULL, NULL);
  return contents;
}

static void
test_details_and_link (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldEvent) event = make_event ("test-pally", "t7", "Trade T-7 completed",
                                              "You sold 2 items for $12.50", g_get_real_time ());
  GtkTextView *raw;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *copied = NULL;

  add_account (fixture, "pally", NULL, NULL);
  herald_event_set_link (event, "https://pally.example/trades/T-7");
  herald_event_set_severity (event, HERALD_SEVERITY_WARNING);
  herald_history_add (fixture->history, event, NULL, NULL);
  herald_history_flush (fixture->history);
  open_window (fixture);

  g_assert_false (shown (find (fixture, GTK_TYPE_LABEL, "Event title")));
  gtk_list_box_select_row (event_list (fixture), row_at (fixture, 0));
  g_signal_emit_by_name (event_list (fixture), "row-activated", row_at (fixture, 0));
  HERALD_TEST_WAIT_UNTIL (shown (find (fixture, GTK_TYPE_LABEL, "Event title")), 5000);
  g_assert_cmpstr (label_text (fixture, "Event title"), ==, "Trade T-7 completed");
  g_assert_cmpstr (label_text (fixture, "Event message"), ==, "You sold 2 items for $12.50");
  g_assert_cmpstr (label_text (fixture, "Account"), ==, "Pally");
  g_assert_cmpstr (label_text (fixture, "Severity"), ==, "Warning");
  g_assert_true (g_str_has_suffix (label_text (fixture, "Time"), "(just now)"));

  /* The message as received, pretty-printed. */
  raw = GTK_TEXT_VIEW (find (fixture, GTK_TYPE_TEXT_VIEW, "Message as received"));
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (raw), &start, &end);
  text = gtk_text_buffer_get_text (gtk_text_view_get_buffer (raw), &start, &end, FALSE);
  g_assert_nonnull (strstr (text, "\"data\" : {\n"));
  g_assert_nonnull (strstr (text, "    \"amount\" : \"12.50\""));
  screenshot (fixture, "details");

  /* Copy puts it on the clipboard. */
  gtk_button_clicked (GTK_BUTTON (find (fixture, GTK_TYPE_BUTTON, "Copy message")));
  copied = gtk_clipboard_wait_for_text (gtk_clipboard_get (GDK_SELECTION_CLIPBOARD));
  g_assert_cmpstr (copied, ==, text);

  /* Open hands the link to the desktop's handler for https (a test .desktop file here). */
  gtk_button_clicked (GTK_BUTTON (find (fixture, GTK_TYPE_BUTTON, "Open link")));
  HERALD_TEST_WAIT_UNTIL (g_file_test (opened_path, G_FILE_TEST_EXISTS), 10000);
  opened = read_opened ();
  g_assert_cmpstr (opened, ==, "https://pally.example/trades/T-7");
}

static void
test_mark_read_and_unread (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldEvent) event = make_event ("test-pally", "u1", "Bob tipped $2.00",
                                              "<b>bold</b> & _under_", g_get_real_time ());
  GtkWidget *button;

  herald_history_add (fixture->history, event, NULL, NULL);
  herald_history_flush (fixture->history);
  open_window (fixture);
  /* Markup shows as typed, never interpreted. */
  g_assert_true (row_shows (row_at (fixture, 0), "<b>bold</b> & _under_"));
  g_assert_true (row_is_unread (row_at (fixture, 0)));

  /* Opening it marks it read after a moment, in the history and in the list. */
  gtk_widget_grab_focus (GTK_WIDGET (row_at (fixture, 0)));
  gtk_list_box_select_row (event_list (fixture), row_at (fixture, 0));
  herald_test_spin (500);
  g_assert_true (row_is_unread (row_at (fixture, 0)));
  HERALD_TEST_WAIT_UNTIL (!row_is_unread (row_at (fixture, 0)), 5000);
  g_assert_cmpuint (herald_history_count_unread (fixture->history, NULL, NULL), ==, 0);
  /* The row now shows it as read: it is still selected and still has the keyboard focus. */
  g_assert_true (gtk_list_box_get_selected_row (event_list (fixture)) == row_at (fixture, 0));
  g_assert_true (gtk_widget_is_focus (GTK_WIDGET (row_at (fixture, 0))));

  /* Mark as Unread in the details: the row turns unread and stays so. */
  button = find (fixture, GTK_TYPE_BUTTON, "Mark as unread");
  gtk_button_clicked (GTK_BUTTON (button));
  HERALD_TEST_WAIT_UNTIL (row_is_unread (row_at (fixture, 0)), 5000);
  herald_test_spin (2500);
  g_assert_true (row_is_unread (row_at (fixture, 0)));
  g_assert_cmpuint (herald_history_count_unread (fixture->history, NULL, NULL), ==, 1);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Mark as _Read");
  /* The details still show it, and its row is still the selected one. */
  g_assert_cmpstr (label_text (fixture, "Event title"), ==, "Bob tipped $2.00");
  g_assert_true (gtk_list_box_get_selected_row (event_list (fixture)) == row_at (fixture, 0));

  gtk_button_clicked (GTK_BUTTON (find (fixture, GTK_TYPE_BUTTON, "Mark as read")));
  HERALD_TEST_WAIT_UNTIL (!row_is_unread (row_at (fixture, 0)), 5000);
}

static void
test_show_event (Fixture *fixture, gconstpointer data)
{
  GtkListBoxRow *selected;

  store_events (fixture);
  open_window (fixture);

  /* Loaded: selected, with its details. Rows are named for screen readers. */
  herald_window_show_event (fixture->window, "test-dimes", "e0961");
  g_assert_cmpstr (label_text (fixture, "Event title"), ==, "Event 961");
  selected = gtk_list_box_get_selected_row (event_list (fixture));
  g_assert_true (GTK_WIDGET (selected)
                 == find (fixture, GTK_TYPE_LIST_BOX_ROW, "Event 961, unread"));
  g_assert_true (row_shows (selected, "Event 961"));

  /* Older than the loaded page: read from the history for the details. */
  herald_window_show_event (fixture->window, "test-pally", "e0010");
  HERALD_TEST_WAIT_UNTIL (g_str_equal (label_text (fixture, "Event title"), "Event 10"), 5000);

  /* Hidden by a filter: the filters are cleared and the event selected. */
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (find (fixture, GTK_TYPE_COMBO_BOX, "Account filter")),
                               "test-dimes");
  wait_for_model (fixture);
  herald_window_show_event (fixture->window, "test-pally", "e0998");
  HERALD_TEST_WAIT_UNTIL (g_str_equal (label_text (fixture, "Event title"), "Event 998"), 5000);
  wait_for_model (fixture);
  g_assert_cmpstr (label_text (fixture, "Results"), ==, "1000 events");
  selected = gtk_list_box_get_selected_row (event_list (fixture));
  g_assert_nonnull (selected);
  g_assert_true (row_shows (selected, "Event 998"));
}

/* A notification clicked while Herald starts: the window exists before the history is open. */
static void
test_show_event_before_history (Fixture *fixture, gconstpointer data)
{
  store_events (fixture);
  fixture->window = herald_window_new (NULL);
  herald_window_show_event (fixture->window, "test-pally", "e0998");
  HERALD_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)), 5000);
  /* Not "No events yet" while the history is still opening. */
  g_assert_false (shown (find (fixture, GTK_TYPE_LABEL, "No events yet")));
  herald_window_set_hub (fixture->window, fixture->hub);
  HERALD_TEST_WAIT_UNTIL (shown (find (fixture, GTK_TYPE_LABEL, "Event title")), 5000);
  g_assert_cmpstr (label_text (fixture, "Event title"), ==, "Event 998");
  HERALD_TEST_WAIT_UNTIL (gtk_list_box_get_selected_row (event_list (fixture)) != NULL, 5000);
  g_assert_true (row_shows (gtk_list_box_get_selected_row (event_list (fixture)), "Event 998"));
}

static void
test_burst_keeps_rows_bounded (Fixture *fixture, gconstpointer data)
{
  const gint64 now = g_get_real_time ();
  guint most = 0;

  open_window (fixture);
  herald_hub_start (fixture->hub);
  /* The hub's own signal, as for events just stored: 3 000 in one go. */
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%u", i);
      g_autoptr (HeraldEvent) event = make_event ("test-pally", id, "Burst", "", now + i);

      g_signal_emit_by_name (fixture->hub, "event-added", event);
      if (i % 100 == 0)
        {
          g_main_context_iteration (NULL, FALSE);
          most = MAX (most, count_rows (fixture));
        }
    }
  for (guint i = 0; i < 20; i++)
    {
      herald_test_spin (60);
      most = MAX (most, count_rows (fixture));
    }
  /* Never more rows than one page, however many events came. */
  g_assert_cmpuint (most, <=, PAGE);
  g_assert_cmpuint (count_rows (fixture), ==, PAGE);
}

static void
test_reading_stays_put (Fixture *fixture, gconstpointer data)
{
  const gint64 now = g_get_real_time ();
  GtkAdjustment *adjustment;
  GtkAllocation allocation;
  GtkListBoxRow *top;

  store_events (fixture);
  open_window (fixture);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (
    gtk_widget_get_ancestor (GTK_WIDGET (event_list (fixture)), GTK_TYPE_SCROLLED_WINDOW)));
  herald_test_spin (300); /* laid out */
  gtk_widget_get_allocation (GTK_WIDGET (row_at (fixture, 10)), &allocation);
  gtk_adjustment_set_value (adjustment, allocation.y);
  herald_test_spin (200);
  top
    = gtk_list_box_get_row_at_y (event_list (fixture), (int)gtk_adjustment_get_value (adjustment));
  g_assert_true (row_shows (top, "Event 989"));

  /* New events arrive above while the user reads further down. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("n%u", i);
      g_autofree char *title = g_strdup_printf ("New %u", i);
      g_autoptr (HeraldEvent) event = make_event ("test-pally", id, title, "", now + i);

      g_signal_emit_by_name (fixture->hub, "event-added", event);
    }
  HERALD_TEST_WAIT_UNTIL (row_shows (row_at (fixture, 0), "New 19"), 5000);

  /* What they were reading has not moved, once the new rows are laid out (which takes a
   * while on a slow build: a fixed pause failed under AddressSanitizer). */
  HERALD_TEST_WAIT_UNTIL (
    row_shows (
      gtk_list_box_get_row_at_y (event_list (fixture), (int)gtk_adjustment_get_value (adjustment)),
      "Event 989"),
    5000);
  top
    = gtk_list_box_get_row_at_y (event_list (fixture), (int)gtk_adjustment_get_value (adjustment));
  gtk_widget_get_allocation (GTK_WIDGET (top), &allocation);
  g_assert_cmpint (allocation.y, ==, (int)gtk_adjustment_get_value (adjustment));
}

static void
test_empty_state (Fixture *fixture, gconstpointer data)
{
  open_window (fixture);
  g_assert_true (shown (find (fixture, GTK_TYPE_LABEL, "No events yet")));
  g_assert_true (shown (find (fixture, GTK_TYPE_BUTTON, "Add an Account")));
  g_assert_cmpstr (gtk_actionable_get_action_name (
                     GTK_ACTIONABLE (find (fixture, GTK_TYPE_BUTTON, "Add an Account"))),
                   ==, "app.preferences");
  g_assert_true (shown (find (fixture, GTK_TYPE_BUTTON, "Try the Demo")));
  g_assert_cmpstr (label_text (fixture, "Results"), ==, "0 events");
  screenshot (fixture, "empty");
}

/* The wording of row times, in a fixed zone so the test does not depend on the machine's. */
static void
test_relative_times (void)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("Europe/Paris");
  g_autoptr (GDateTime) noon = g_date_time_new (tz, 2024, 3, 13, 12, 0, 0);
  const gint64 now = g_date_time_to_unix (noon) * G_USEC_PER_SEC;
  const gint64 min = 60 * G_USEC_PER_SEC;
  struct
  {
    gint64 ago;
    const char *text;
  } cases[] = {
    { 0, "just now" },
    { 59 * G_USEC_PER_SEC, "just now" },
    { -30 * G_USEC_PER_SEC, "just now" }, /* a clock a little ahead */
    { 1 * min, "1 min ago" },
    { 59 * min, "59 min ago" },
    { 60 * min, "1 h ago" },
    { 11 * 60 * min, "11 h ago" },
    { 13 * 60 * min, "Yesterday" }, /* 23:00 the day before */
    { 3 * 24 * 60 * min, "Sunday" },
    { 30 * 24 * 60 * min, "12 Feb" },
    { 400 * 24 * 60 * min, "7 Feb 2023" },
  };
  /* Across a leap year's end: 31 December 2024 is "Yesterday" on 1 January. */
  g_autoptr (GDateTime) new_year = g_date_time_new (tz, 2025, 1, 1, 10, 0, 0);
  g_autoptr (GDateTime) eve = g_date_time_new (tz, 2024, 12, 31, 20, 0, 0);
  g_autofree char *yesterday
    = herald_format_relative_time (g_date_time_to_unix (eve) * G_USEC_PER_SEC, tz,
                                   g_date_time_to_unix (new_year) * G_USEC_PER_SEC);

  g_assert_cmpstr (yesterday, ==, "Yesterday");

  g_assert_nonnull (tz);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = herald_format_relative_time (now - cases[i].ago, tz, now);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* A browser for the test: the desktop's default handler for https, which writes down the
 * address it was given. GIO reads these before its first lookup, so before GTK starts. */
static void
install_test_browser (void)
{
  g_autoptr (GError) error = NULL;
  const char *home = browser_home = g_dir_make_tmp ("herald-window-home-XXXXXX", &error);
  g_autofree char *apps = g_build_filename (home, "data", "applications", NULL);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *script = g_build_filename (home, "browser.sh", NULL);
  g_autofree char *script_text = NULL;
  g_autofree char *desktop = NULL;
  g_autofree char *desktop_path = g_build_filename (apps, "herald-test-browser.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (config, "mimeapps.list", NULL);
  g_autofree char *data_home = g_build_filename (home, "data", NULL);

  g_assert_no_error (error);
  opened_path = g_build_filename (home, "opened", NULL);
  g_mkdir_with_parents (apps, 0700);
  g_mkdir_with_parents (config, 0700);
  script_text = g_strdup_printf ("#!/bin/sh\nprintf '%%s' \"$1\" > '%s.tmp' && mv '%s.tmp' '%s'\n",
                                 opened_path, opened_path, opened_path);
  g_assert_true (g_file_set_contents (script, script_text, -1, NULL));
  g_chmod (script, 0755);
  desktop = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Test Browser\n"
                             "Exec=%s %%u\nMimeType=x-scheme-handler/https;\n",
                             script);
  g_assert_true (g_file_set_contents (desktop_path, desktop, -1, NULL));
  g_assert_true (g_file_set_contents (
    mimeapps, "[Default Applications]\nx-scheme-handler/https=herald-test-browser.desktop\n", -1,
    NULL));
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  /* Only ours: a system browser must not answer instead. */
  g_setenv ("XDG_CONFIG_DIRS", config, TRUE);
}

int
main (int argc, char **argv)
{
  g_autoptr (GtkCssProvider) css = NULL;
  g_autofree char *icons = NULL;
  int status;

  install_test_browser ();
  if (!gtk_init_check (&argc, &argv))
    {
      /* A TAP plan of zero with a reason: reported as skipped, not as passed. */
      g_print ("1..0 # SKIP no display: run under Xvfb (build-aux/run-tests.sh does)\n");
      herald_test_remove_tree (browser_home);
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  /* What HeraldApplication's startup does: the styles, and the feed icons (from the source). */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/heraldapp/Herald/ui/herald.css");
  gtk_style_context_add_provider_for_screen (gdk_screen_get_default (), GTK_STYLE_PROVIDER (css),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  icons = g_test_build_filename (G_TEST_DIST, "..", "data", "icons", NULL);
  gtk_icon_theme_append_search_path (gtk_icon_theme_get_default (), icons);

  g_test_add_func ("/window/relative-times", test_relative_times);
  g_test_add ("/window/events-flow-in", Fixture, NULL, setup, test_events_flow_in, teardown);
  g_test_add ("/window/account-states", Fixture, NULL, setup, test_account_states, teardown);
  g_test_add ("/window/pages-and-load-more", Fixture, NULL, setup, test_pages_and_load_more,
              teardown);
  g_test_add ("/window/search-whole-history", Fixture, NULL, setup, test_search_whole_history,
              teardown);
  g_test_add ("/window/filters", Fixture, NULL, setup, test_filters, teardown);
  g_test_add ("/window/details-and-link", Fixture, NULL, setup, test_details_and_link, teardown);
  g_test_add ("/window/mark-read-and-unread", Fixture, NULL, setup, test_mark_read_and_unread,
              teardown);
  g_test_add ("/window/show-event", Fixture, NULL, setup, test_show_event, teardown);
  g_test_add ("/window/show-event-before-history", Fixture, NULL, setup,
              test_show_event_before_history, teardown);
  g_test_add ("/window/burst-keeps-rows-bounded", Fixture, NULL, setup,
              test_burst_keeps_rows_bounded, teardown);
  g_test_add ("/window/reading-stays-put", Fixture, NULL, setup, test_reading_stays_put, teardown);
  g_test_add ("/window/empty-state", Fixture, NULL, setup, test_empty_state, teardown);
  status = g_test_run ();
  herald_test_remove_tree (browser_home);
  return status;
}
