/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-preferences.c — the Preferences window in a real X window (Xvfb), with a real keyring on
 * a private bus and a loopback simulator, driven as a user would: widgets are found by the
 * accessible names a screen reader hears, then typed into and clicked.
 *
 * Each test runs in a child process: libsecret keeps process-wide references to the session
 * bus, so only a fresh process per private bus lets the bus go down cleanly. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "herald-account-test-private.h"
#include "herald-autostart.h"
#include "herald-pause.h"
#include "herald-preferences-window.h"
#include "herald-simulator.h"
#include "herald-test-env.h"
#include "herald-test-feed.h"
#include "herald-test-monitor.h"

/* The simulator's Pally key in every test, so the parent can look for it in the child's log. */
#define PALLY_KEY "pally_HeraldTestKeyXq7Wm3Rz9Kp2Lv8Ns4"

/* The X display, kept before any GTestDBus unsets it. */
static char *display;

typedef struct _Fixture Fixture;
typedef void (*TestFunc) (Fixture *fixture);

struct _Fixture
{
  HeraldSimulator *simulator;
  HeraldAccountStore *store;
  HeraldHistory *history;
  HeraldHub *hub;
  GNetworkMonitor *monitor;
  GSettings *settings;
  HeraldPreferencesWindow *window;
};

/* ---- finding widgets the way assistive technology does --------------------------------- */

typedef struct
{
  const char *name;
  GType type;
  GtkWidget *found;
} Search;

static void
search_cb (GtkWidget *widget, gpointer user_data)
{
  Search *search = user_data;
  AtkObject *accessible;

  if (search->found != NULL || !gtk_widget_get_visible (widget))
    return;
  accessible = gtk_widget_get_accessible (widget);
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, search->type) && accessible != NULL
      && g_strcmp0 (atk_object_get_name (accessible), search->name) == 0
      && gtk_widget_get_mapped (widget))
    {
      search->found = widget;
      return;
    }
  if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), search_cb, search);
}

/* The first visible widget of `type` named `name` in any toplevel, or NULL. */
static GtkWidget *
find (const char *name, GType type)
{
  Search search = { name, type, NULL };
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL && search.found == NULL; l = l->next)
    search_cb (l->data, &search);
  return search.found;
}

static GtkWidget *
wait_for (const char *name, GType type)
{
  HERALD_TEST_WAIT_UNTIL (find (name, type) != NULL, 5000);
  return find (name, type);
}

static void
type_into (const char *name, const char *text)
{
  GtkWidget *entry = wait_for (name, GTK_TYPE_ENTRY);

  gtk_widget_grab_focus (entry);
  gtk_entry_set_text (GTK_ENTRY (entry), text);
}

static void
click (const char *name)
{
  GtkWidget *button = wait_for (name, GTK_TYPE_BUTTON);

  if (!gtk_widget_is_sensitive (button))
    g_error ("The button “%s” cannot be clicked now", name);
  gtk_button_clicked (GTK_BUTTON (button));
}

/* Every label text in the widget tree under root, for checks on what is shown. */
static void
collect_texts_cb (GtkWidget *widget, gpointer user_data)
{
  GString *texts = user_data;

  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (texts, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  if (GTK_IS_ENTRY (widget))
    g_string_append_printf (texts, "%s\n", gtk_entry_get_text (GTK_ENTRY (widget)));
  if (GTK_IS_CONTAINER (widget))
    gtk_container_forall (GTK_CONTAINER (widget), collect_texts_cb, texts);
}

static char *
shown_texts (void)
{
  GString *texts = g_string_new (NULL);
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    collect_texts_cb (l->data, texts);
  return g_string_free (texts, FALSE);
}

static void
screenshot (GtkWidget *widget, const char *name)
{
  g_autofree char *dir = g_build_filename (HERALD_TEST_BUILDDIR, "tests", "screenshots", NULL);
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError) error = NULL;
  GdkWindow *window = gtk_widget_get_window (gtk_widget_get_toplevel (widget));

  /* Let it draw. */
  herald_test_spin (400);
  g_mkdir_with_parents (dir, 0755);
  pixbuf = gdk_pixbuf_get_from_window (window, 0, 0, gdk_window_get_width (window),
                                       gdk_window_get_height (window));
  g_assert_nonnull (pixbuf);
  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

/* ---- fixture -------------------------------------------------------------------------- */

/* secret-tool, a client that is not Herald's code, on the private bus this child inherited. */
static char *
keyring_lookup (const char *account, const char *field)
{
  const char *argv[]
    = { "secret-tool", "lookup", "xdg:schema", "io.github.heraldapp.Herald.Credential",
        "account",     account,  "field",      field,
        NULL };
  g_autofree char *out = NULL;
  /* Its own debug output would land in the answer. */
  g_auto (GStrv) envp = g_environ_unsetenv (g_get_environ (), "G_MESSAGES_DEBUG");
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **)argv, envp,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                               NULL, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    return NULL;
  return g_strstrip (g_steal_pointer (&out));
}

static gboolean
keyring_has (const char *account, const char *field)
{
  g_autofree char *secret = keyring_lookup (account, field);

  return secret != NULL;
}

static gboolean
herald_files_contain (const char *needle)
{
  return herald_test_tree_contains (g_get_user_config_dir (), needle)
         || herald_test_tree_contains (g_get_user_data_dir (), needle)
         || herald_test_tree_contains (g_get_user_cache_dir (), needle);
}

static void
setup (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *history_path = herald_history_default_path ();

  fixture->simulator = herald_simulator_new ();
  g_assert_true (
    herald_simulator_parse_scenario (fixture->simulator, NULL, "trickle:interval=100", &error));
  g_assert_true (herald_simulator_listen (fixture->simulator, 0, &error));
  g_assert_true (
    herald_simulator_set_credential (fixture->simulator, "pally", "api-key", PALLY_KEY, &error));

  fixture->store = herald_account_store_new (NULL);
  g_assert_true (herald_account_store_load (fixture->store, &error));
  fixture->history = herald_history_open (history_path, &error);
  g_assert_no_error (error);
  /* Not the default monitor: the one for this machine may hold the private bus. */
  fixture->monitor = G_NETWORK_MONITOR (herald_test_monitor_new (TRUE));
  fixture->hub
    = herald_hub_new (G_LIST_MODEL (fixture->store), fixture->history, NULL, fixture->monitor);
  herald_hub_start (fixture->hub);
  fixture->settings = g_settings_new (HERALD_APP_ID);
  /* As the application does. */
  herald_pause_follow (fixture->settings);

  fixture->window = herald_preferences_window_new (NULL, fixture->store, fixture->settings);
  herald_preferences_window_set_hub (fixture->window, fixture->hub);
  gtk_widget_show (GTK_WIDGET (fixture->window));
  HERALD_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)), 5000);
}

static void
teardown (Fixture *fixture)
{
  g_autoptr (GList) toplevels = NULL;
  g_autofree char *accounts = herald_account_store_default_path ();
  g_autofree char *history = herald_history_default_path ();

  gtk_widget_destroy (GTK_WIDGET (fixture->window));
  /* Dialogs the test left open. */
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (GTK_IS_DIALOG (l->data))
      gtk_widget_destroy (l->data);
  herald_hub_stop (fixture->hub);
  herald_history_flush (fixture->history);
  herald_test_drain ();
  g_clear_object (&fixture->hub);
  g_clear_object (&fixture->monitor);
  g_clear_object (&fixture->history);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->simulator);
  g_remove (accounts);
  for (const char *suffix = ""; suffix != NULL; suffix = *suffix ? NULL : "-wal")
    {
      g_autofree char *path = g_strconcat (history, suffix, NULL);

      g_remove (path);
    }
  {
    g_autofree char *shm = g_strconcat (history, "-shm", NULL);

    g_remove (shm);
  }
}

/* Adds a Pally account through the form, as a user would, and returns its id. */
static char *
add_pally (Fixture *fixture, const char *label, const char *key)
{
  g_autofree char *endpoint = herald_simulator_get_endpoint (fixture->simulator, "pally");
  GtkWidget *provider;
  HeraldAccount *account;

  click ("Add Account…");
  provider = wait_for ("Provider", GTK_TYPE_COMBO_BOX);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (provider), "pally");
  type_into ("Label", label);
  type_into ("Endpoint", endpoint);
  type_into ("API key", key);
  click ("Add");
  HERALD_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)) == 1, 10000);
  account = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  g_object_unref (account);
  g_assert_cmpstr (herald_account_get_label (account), ==, label);
  return g_strdup (herald_account_get_id (account));
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_add_pally (Fixture *fixture)
{
  const char *key = herald_simulator_get_credential (fixture->simulator, "pally", "api-key");
  g_autofree char *endpoint = herald_simulator_get_endpoint (fixture->simulator, "pally");
  g_autofree char *id = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *texts = NULL;
  g_autofree char *copied = NULL;
  GtkClipboard *clipboard;
  GtkWidget *add, *entry;

  screenshot (GTK_WIDGET (fixture->window), "preferences-accounts-empty");

  /* Save stays disabled until the form is valid. */
  click ("Add Account…");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (wait_for ("Provider", GTK_TYPE_COMBO_BOX)), "pally");
  add = wait_for ("Add", GTK_TYPE_BUTTON);
  g_assert_false (gtk_widget_is_sensitive (add));
  type_into ("Label", "My Pally");
  type_into ("Endpoint", "http://example.com/");
  type_into ("API key", key);
  g_assert_false (gtk_widget_is_sensitive (add));
  /* The account's own validation message shows next to the field. */
  texts = shown_texts ();
  g_assert_nonnull (strstr (texts, "must be reached over https:// or wss://"));
  type_into ("Endpoint", endpoint);
  g_assert_true (gtk_widget_is_sensitive (add));
  /* The key is masked while typed, and can be shown on request. */
  entry = find ("API key", GTK_TYPE_ENTRY);
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (entry)));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find ("Show API key", GTK_TYPE_TOGGLE_BUTTON)),
                                TRUE);
  g_assert_true (gtk_entry_get_visibility (GTK_ENTRY (entry)));
  /* Shown or not, it never reaches the clipboard. */
  clipboard = gtk_widget_get_clipboard (entry, GDK_SELECTION_CLIPBOARD);
  gtk_clipboard_set_text (clipboard, "before", -1);
  gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
  g_signal_emit_by_name (entry, "copy-clipboard");
  g_signal_emit_by_name (entry, "cut-clipboard");
  copied = gtk_clipboard_wait_for_text (clipboard);
  g_assert_cmpstr (copied, ==, "before");
  g_assert_cmpstr (gtk_entry_get_text (GTK_ENTRY (entry)), ==, key);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (find ("Show API key", GTK_TYPE_TOGGLE_BUTTON)),
                                FALSE);
  screenshot (add, "preferences-add-pally");
  click ("Cancel");
  HERALD_TEST_WAIT_UNTIL (find ("Add", GTK_TYPE_BUTTON) == NULL, 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 0);

  id = add_pally (fixture, "My Pally", key);

  /* The key is in the keyring, under the account, and in no file Herald writes. */
  stored = keyring_lookup (id, "api-key");
  g_assert_cmpstr (stored, ==, key);
  g_assert_false (herald_files_contain (key));

  /* The running hub connects, and the list says so. */
  HERALD_TEST_WAIT_UNTIL (
    herald_hub_get_state (fixture->hub, id, NULL) == HERALD_CONNECTION_CONNECTED, 10000);
  HERALD_TEST_WAIT_UNTIL (find ("Enable My Pally", GTK_TYPE_SWITCH) != NULL, 5000);
  g_free (texts);
  texts = shown_texts ();
  g_assert_nonnull (strstr (texts, "My Pally\nConnected\n"));
  screenshot (GTK_WIDGET (fixture->window), "preferences-accounts");

  /* The switch turns it off, live. */
  gtk_switch_set_active (GTK_SWITCH (find ("Enable My Pally", GTK_TYPE_SWITCH)), FALSE);
  g_assert_false (herald_account_get_enabled (herald_account_store_lookup (fixture->store, id)));
  HERALD_TEST_WAIT_UNTIL (
    herald_hub_get_state (fixture->hub, id, NULL) == HERALD_CONNECTION_DISABLED, 5000);
}

static const char *
test_result (void)
{
  return gtk_label_get_text (GTK_LABEL (find ("Test result", GTK_TYPE_LABEL)));
}

static void
test_edit_does_not_reveal (Fixture *fixture)
{
  const char *key = herald_simulator_get_credential (fixture->simulator, "pally", "api-key");
  g_autofree char *id = add_pally (fixture, "Tips", key);
  g_autofree char *texts = NULL;
  g_autofree char *stored = NULL;

  click ("Edit Tips");
  wait_for ("Replace API key", GTK_TYPE_BUTTON);
  texts = shown_texts ();
  g_assert_nonnull (strstr (texts, "API key: stored in the keyring"));
  g_assert_null (strstr (texts, key));
  screenshot (find ("Replace API key", GTK_TYPE_BUTTON), "preferences-edit-pally");

  /* Test uses the key kept in the keyring, without showing it. */
  click ("Test");
  HERALD_TEST_WAIT_UNTIL (!g_str_has_prefix (test_result (), "Connecting"), 20000);
  g_assert_cmpstr (test_result (), ==, "Pally accepted the key and sent a test tip back.");

  /* Renaming alone keeps the key, and the account connects again with it. */
  type_into ("Label", "Stream tips");
  click ("Save");
  /* The form closes once the account is saved. */
  HERALD_TEST_WAIT_UNTIL (find ("Save", GTK_TYPE_BUTTON) == NULL, 10000);
  HERALD_TEST_WAIT_UNTIL (
    g_str_equal (herald_account_get_label (herald_account_store_lookup (fixture->store, id)),
                 "Stream tips"),
    10000);
  stored = keyring_lookup (id, "api-key");
  g_assert_cmpstr (stored, ==, key);
  HERALD_TEST_WAIT_UNTIL (
    herald_hub_get_state (fixture->hub, id, NULL) == HERALD_CONNECTION_CONNECTED, 10000);

  /* Replacing shows an empty field, never the stored key. */
  click ("Edit Stream tips");
  click ("Replace API key");
  g_assert_cmpstr (gtk_entry_get_text (GTK_ENTRY (wait_for ("API key", GTK_TYPE_ENTRY))), ==, "");
  g_free (texts);
  texts = shown_texts ();
  g_assert_null (strstr (texts, key));
  g_assert_false (gtk_widget_is_sensitive (find ("Save", GTK_TYPE_BUTTON)));

  /* A new key alone applies at once: the running account reads it and is refused. */
  type_into ("API key", "pk_replaced_key");
  click ("Save");
  HERALD_TEST_WAIT_UNTIL (find ("Save", GTK_TYPE_BUTTON) == NULL, 10000);
  g_free (stored);
  stored = keyring_lookup (id, "api-key");
  g_assert_cmpstr (stored, ==, "pk_replaced_key");
  HERALD_TEST_WAIT_UNTIL (
    herald_hub_get_state (fixture->hub, id, NULL) == HERALD_CONNECTION_NEEDS_ATTENTION, 10000);
  /* The list announces the account by its new name. */
  HERALD_TEST_WAIT_UNTIL (find ("Edit Stream tips", GTK_TYPE_BUTTON) != NULL, 5000);
  g_assert_null (find ("Edit Tips", GTK_TYPE_BUTTON));
}

static guint
count_events (Fixture *fixture, const char *account_id)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;
  g_autoptr (GPtrArray) events = NULL;

  herald_history_flush (fixture->history);
  query.account = account_id;
  events = herald_history_query (fixture->history, &query, NULL);
  return events ? events->len : 0;
}

static void
remove_account (Fixture *fixture, const char *label, gboolean forget_history)
{
  g_autofree char *remove_name = g_strdup_printf ("Remove %s", label);
  GtkWidget *check;

  click (remove_name);
  check = wait_for ("Also delete its history", GTK_TYPE_CHECK_BUTTON);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (check), forget_history);
  screenshot (check, forget_history ? "preferences-remove" : "preferences-remove-keep");
  click ("Remove");
  HERALD_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)) == 0, 10000);
}

static void
test_remove (Fixture *fixture)
{
  const char *key = herald_simulator_get_credential (fixture->simulator, "pally", "api-key");
  g_autofree char *kept = add_pally (fixture, "Kept history", key);
  g_autofree char *forgotten = NULL;
  g_autofree char *stored = NULL;

  HERALD_TEST_WAIT_UNTIL (count_events (fixture, kept) > 0, 10000);
  remove_account (fixture, "Kept history", FALSE);
  stored = keyring_lookup (kept, "api-key");
  g_assert_null (stored);
  g_assert_cmpuint (count_events (fixture, kept), >, 0);

  forgotten = add_pally (fixture, "Forgotten", key);
  HERALD_TEST_WAIT_UNTIL (count_events (fixture, forgotten) > 0, 10000);
  remove_account (fixture, "Forgotten", TRUE);
  stored = keyring_lookup (forgotten, "api-key");
  g_assert_null (stored);
  HERALD_TEST_WAIT_UNTIL (count_events (fixture, forgotten) == 0, 5000);
  /* The other account's history is untouched. */
  g_assert_cmpuint (count_events (fixture, kept), >, 0);
}

static void
test_start_at_login (Fixture *fixture)
{
  g_autofree char *path = herald_autostart_get_path ();
  g_autofree char *contents = NULL;
  GtkWidget *sw;

  g_assert_true (g_str_has_prefix (path, g_getenv ("XDG_CONFIG_HOME")));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  click ("Notifications");
  screenshot (GTK_WIDGET (fixture->window), "preferences-notifications");
  click ("General");
  sw = wait_for ("Start at login", GTK_TYPE_SWITCH);
  gtk_switch_set_active (GTK_SWITCH (sw), TRUE);
  /* The switch's state follows once the change is real. */
  HERALD_TEST_WAIT_UNTIL (gtk_switch_get_state (GTK_SWITCH (sw)), 5000);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Exec=herald --background\n"));
  g_assert_true (g_settings_get_boolean (fixture->settings, "start-at-login"));
  screenshot (sw, "preferences-general");

  gtk_switch_set_active (GTK_SWITCH (sw), FALSE);
  HERALD_TEST_WAIT_UNTIL (!gtk_switch_get_state (GTK_SWITCH (sw)), 5000);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_settings_get_boolean (fixture->settings, "start-at-login"));
}

/* Test connects once with the form's values, saves nothing, and names what failed. */
static void
test_test_button (Fixture *fixture)
{
  const char *key = herald_simulator_get_credential (fixture->simulator, "pally", "api-key");
  g_autofree char *endpoint = herald_simulator_get_endpoint (fixture->simulator, "pally");

  click ("Add Account…");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (wait_for ("Provider", GTK_TYPE_COMBO_BOX)), "pally");
  type_into ("Label", "Tested");
  type_into ("Endpoint", endpoint);
  type_into ("API key", "pk_wrong_key");
  click ("Test");
  HERALD_TEST_WAIT_UNTIL (g_str_has_prefix (test_result (), "Test failed"), 20000);
  g_assert_cmpstr (test_result (), ==, "Test failed: Pally refused the API key");
  screenshot (find ("Test result", GTK_TYPE_LABEL), "preferences-test-wrong-key");

  /* Nothing listens there: the host cannot be reached. */
  type_into ("Endpoint", "ws://127.0.0.1:9/pally");
  click ("Test");
  HERALD_TEST_WAIT_UNTIL (g_str_has_prefix (test_result (), "Test failed"), 20000);
  g_assert_cmpstr (test_result (), ==, "Test failed: The server refused the connection");

  /* The right key: Pally echoes a test tip back. */
  type_into ("Endpoint", endpoint);
  type_into ("API key", key);
  click ("Test");
  HERALD_TEST_WAIT_UNTIL (!g_str_has_prefix (test_result (), "Connecting"), 20000);
  g_assert_cmpstr (test_result (), ==, "Pally accepted the key and sent a test tip back.");

  /* Testing saved nothing. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 0);
  g_assert_false (herald_files_contain (key));
  click ("Cancel");
}

/* The switches write the settings the notifier reads. */
static void
test_notification_settings (Fixture *fixture)
{
  g_auto (GStrv) muted = NULL;
  g_autofree char *severity = NULL;
  g_autoptr (GDateTime) end_time = NULL;
  g_autofree char *end = NULL;
  g_autofree char *shown = NULL;
  GtkComboBox *pause;
  gint64 until;

  click ("Notifications");
  pause = GTK_COMBO_BOX (wait_for ("Pause notifications", GTK_TYPE_COMBO_BOX));
  gtk_switch_set_active (GTK_SWITCH (wait_for ("Trades", GTK_TYPE_SWITCH)), FALSE);
  muted = g_settings_get_strv (fixture->settings, "muted-categories");
  g_assert_true (g_strv_contains ((const char *const *)muted, "trade"));
  g_assert_cmpuint (g_strv_length (muted), ==, 1);
  gtk_switch_set_active (GTK_SWITCH (find ("Play a sound", GTK_TYPE_SWITCH)), FALSE);
  g_assert_false (g_settings_get_boolean (fixture->settings, "notification-sound"));
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (find ("Minimum severity", GTK_TYPE_COMBO_BOX)),
                               "critical");
  severity = g_settings_get_string (fixture->settings, "notify-minimum-severity");
  g_assert_cmpstr (severity, ==, "critical");

  /* And the other way: a change made elsewhere (gsettings, the tray) shows here. */
  g_settings_set_strv (fixture->settings, "muted-categories", NULL);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (find ("Trades", GTK_TYPE_SWITCH))));
  g_settings_set_boolean (fixture->settings, "paused", TRUE);
  g_assert_cmpstr (gtk_combo_box_get_active_id (pause), ==, "resume");
  g_settings_set_boolean (fixture->settings, "paused", FALSE);
  g_assert_cmpstr (gtk_combo_box_get_active_id (pause), ==, "off");

  /* A timed pause says when it ends, and ends by itself. */
  gtk_combo_box_set_active_id (pause, "hour");
  g_assert_true (g_settings_get_boolean (fixture->settings, "paused"));
  until = g_settings_get_int64 (fixture->settings, "paused-until");
  g_assert_cmpint (until, >=, g_get_real_time () / G_USEC_PER_SEC + 3590);
  g_assert_cmpstr (gtk_combo_box_get_active_id (pause), ==, "until");
  end_time = g_date_time_new_from_unix_local (until);
  /* "Until 14:30", or with the day when it ends on another one. */
  end = g_date_time_format (end_time, "%H:%M");
  shown = gtk_combo_box_text_get_active_text (GTK_COMBO_BOX_TEXT (pause));
  g_assert_true (g_str_has_prefix (shown, "Until "));
  g_assert_true (g_str_has_suffix (shown, end));
  screenshot (GTK_WIDGET (pause), "preferences-notifications-paused");
  g_settings_set_int64 (fixture->settings, "paused-until", g_get_real_time () / G_USEC_PER_SEC + 1);
  HERALD_TEST_WAIT_UNTIL (!g_settings_get_boolean (fixture->settings, "paused"), 5000);
  g_assert_cmpstr (gtk_combo_box_get_active_id (pause), ==, "off");
  g_assert_cmpint (g_settings_get_int64 (fixture->settings, "paused-until"), ==, 0);

  /* Turned off by hand (the tray), a later pause has no end. */
  gtk_combo_box_set_active_id (pause, "8h");
  g_settings_set_boolean (fixture->settings, "paused", FALSE);
  g_settings_set_boolean (fixture->settings, "paused", TRUE);
  g_assert_cmpint (g_settings_get_int64 (fixture->settings, "paused-until"), ==, 0);
  g_assert_cmpstr (gtk_combo_box_get_active_id (pause), ==, "resume");
}

/* Without a Secret Service the account is not added, and the dialog says why. */
static void
test_no_keyring (Fixture *fixture)
{
  g_autofree char *endpoint = herald_simulator_get_endpoint (fixture->simulator, "pally");
  g_autofree char *texts = NULL;
  g_autofree char *accounts = herald_account_store_default_path ();

  click ("Add Account…");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (wait_for ("Provider", GTK_TYPE_COMBO_BOX)), "pally");
  type_into ("Label", "Nowhere to keep it");
  type_into ("Endpoint", endpoint);
  type_into ("API key", PALLY_KEY);
  click ("Add");
  HERALD_TEST_WAIT_UNTIL (gtk_widget_is_sensitive (find ("Add", GTK_TYPE_BUTTON)), 20000);
  texts = shown_texts ();
  g_assert_nonnull (strstr (texts, "The account was not added: No keyring is available"));
  screenshot (find ("Add", GTK_TYPE_BUTTON), "preferences-no-keyring");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 0);
  g_assert_false (g_file_test (accounts, G_FILE_TEST_EXISTS));
  g_assert_false (herald_files_contain (PALLY_KEY));
  click ("Cancel");
}

static void
expect_test_failure (const char *expected)
{
  click ("Test");
  HERALD_TEST_WAIT_UNTIL (g_str_has_prefix (test_result (), "Test failed"), 20000);
  g_assert_cmpstr (test_result (), ==, expected);
}

static gboolean
answer_plain_text_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
                      gpointer user_data)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

  g_output_stream_write_all (out, reply, sizeof reply - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* A Hashi token past its "exp", a SkinShark key the mint refuses, TLS to a server that does
 * not speak it, and a server that never answers. */
static void
test_precise_failures (Fixture *fixture)
{
  g_autofree char *hashi = herald_simulator_get_endpoint (fixture->simulator, "hashi");
  g_autofree char *skinshark = herald_simulator_get_endpoint (fixture->simulator, "skinshark");
  g_autofree char *expired
    = herald_simulator_make_test_jwt ("player-1", g_get_real_time () / G_USEC_PER_SEC - 3600);
  g_autofree char *tls = NULL;
  g_autoptr (GSocketService) service = NULL;
  g_autoptr (GError) error = NULL;
  guint16 port;

  click ("Add Account…");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (wait_for ("Provider", GTK_TYPE_COMBO_BOX)), "hashi");
  type_into ("Label", "Lobbies");
  type_into ("Endpoint", hashi);
  type_into ("Privy access token (JWT)", expired);
  click ("Test");
  HERALD_TEST_WAIT_UNTIL (g_str_has_prefix (test_result (), "Test failed"), 20000);
  g_test_message ("expired token: %s", test_result ());
  g_assert_nonnull (strstr (test_result (), "expired"));

  /* SkinShark refuses to mint a token for a wrong key. */
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (find ("Provider", GTK_TYPE_COMBO_BOX)), "skinshark");
  type_into ("Label", "Trades");
  type_into ("Endpoint", skinshark);
  type_into ("Sub user", "user-1");
  type_into ("API key", "sk_wrong_key");
  expect_test_failure ("Test failed: SkinShark refused the API key");

  /* A server that answers a TLS hello with plain text fails the TLS handshake. */
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (find ("Provider", GTK_TYPE_COMBO_BOX)), "pally");
  type_into ("Label", "Secure");
  service = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (answer_plain_text_cb), NULL);
  tls = g_strdup_printf ("wss://127.0.0.1:%u/pally", port);
  type_into ("Endpoint", tls);
  type_into ("API key", PALLY_KEY);
  expect_test_failure ("Test failed: The server’s security certificate could not be verified");

  /* The simulator speaks plain WebSocket and waits for a TLS-wrapped request that never
   * comes: the test gives up within its bounded time and says so. */
  g_free (tls);
  tls
    = g_strdup_printf ("wss://127.0.0.1:%u/pally", herald_simulator_get_port (fixture->simulator));
  type_into ("Endpoint", tls);
  expect_test_failure ("Test failed: The server did not answer in time");
  g_socket_service_stop (service);
  click ("Cancel");
}

/* For a feed with a handshake of its own, Test succeeds on that handshake, not on a socket that
 * merely opened: a server that opens it and never says Hashi's "connected" is a failure. */
static void
test_handshake_required (Fixture *fixture)
{
  g_autofree char *hashi = herald_simulator_get_endpoint (fixture->simulator, "hashi");
  const char *token = herald_simulator_get_credential (fixture->simulator, "hashi", "token");
  HeraldTestSilentServer *silent = herald_test_silent_server_new (NULL);

  /* Short, so the silent case does not take the full bound; still well past any handshake. */
  herald_account_test_set_timeout_s (3);
  click ("Add Account…");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (wait_for ("Provider", GTK_TYPE_COMBO_BOX)), "hashi");
  type_into ("Label", "Lobbies");
  type_into ("Endpoint", hashi);
  type_into ("Privy access token (JWT)", token);
  click ("Test");
  HERALD_TEST_WAIT_UNTIL (g_str_has_prefix (test_result (), "Connected")
                            || g_str_has_prefix (test_result (), "Test failed"),
                          10000);
  g_assert_cmpstr (test_result (), ==, "Connected: Hashi accepted the credentials.");

  type_into ("Endpoint", silent->endpoint);
  expect_test_failure ("Test failed: No answer from the server within 3 seconds");
  /* The test left no connection behind: the server sees its one socket closed. */
  g_assert_cmpuint (silent->sockets->len, ==, 1);
  HERALD_TEST_WAIT_UNTIL (
    soup_websocket_connection_get_state (g_ptr_array_index (silent->sockets, 0))
      == SOUP_WEBSOCKET_STATE_CLOSED,
    5000);
  click ("Cancel");
  herald_test_silent_server_free (silent);
}

static gboolean
texts_contain (const char *needle)
{
  g_autofree char *texts = shown_texts ();

  return strstr (texts, needle) != NULL;
}

/* The General page counts the stored events; Clear History deletes them after asking. */
static void
test_clear_history (Fixture *fixture)
{
  g_autofree char *id = add_pally (fixture, "Chatty", PALLY_KEY);

  HERALD_TEST_WAIT_UNTIL (count_events (fixture, id) >= 3, 10000);
  /* No more events while the history is cleared. */
  gtk_switch_set_active (GTK_SWITCH (wait_for ("Enable Chatty", GTK_TYPE_SWITCH)), FALSE);
  HERALD_TEST_WAIT_UNTIL (
    herald_hub_get_state (fixture->hub, id, NULL) == HERALD_CONNECTION_DISABLED, 5000);
  herald_history_flush (fixture->history);
  click ("General");
  HERALD_TEST_WAIT_UNTIL (texts_contain (" events stored now") && !texts_contain ("\n0 events"),
                          5000);
  screenshot (GTK_WIDGET (fixture->window), "preferences-general-history");

  /* Cancel keeps everything. */
  click ("Clear History…");
  click ("Cancel");
  g_assert_cmpuint (count_events (fixture, id), >, 0);

  click ("Clear History…");
  click ("Clear History");
  HERALD_TEST_WAIT_UNTIL (texts_contain ("\n0 events stored now\n"), 5000);
  g_assert_cmpuint (count_events (fixture, NULL), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (find ("Clear History…", GTK_TYPE_BUTTON)));
}

/* Presses a key (with modifiers) as a user would, into the focused window of widget. */
static void
send_key_event (GtkWidget *window, GdkEventType type, guint keyval, GdkModifierType modifiers)
{
  GdkEvent *event = gdk_event_new (type);
  GdkKeymap *keymap = gdk_keymap_get_for_display (gtk_widget_get_display (window));
  g_autofree GdkKeymapKey *keys = NULL;
  int n_keys = 0;

  event->key.window = g_object_ref (gtk_widget_get_window (window));
  event->key.send_event = TRUE;
  event->key.time = GDK_CURRENT_TIME;
  event->key.state = modifiers;
  event->key.keyval = keyval;
  if (gdk_keymap_get_entries_for_keyval (keymap, keyval, &keys, &n_keys) && n_keys > 0)
    event->key.hardware_keycode = (guint16)keys[0].keycode;
  gdk_event_set_device (
    event, gdk_seat_get_keyboard (gdk_display_get_default_seat (gtk_widget_get_display (window))));
  gtk_main_do_event (event);
  gdk_event_free (event);
}

/* A key press and release, delivered to the window as the X server would deliver them. */
static void
press (GtkWidget *widget, guint keyval, GdkModifierType modifiers)
{
  GtkWidget *window = gtk_widget_get_toplevel (widget);

  send_key_event (window, GDK_KEY_PRESS, keyval, modifiers);
  send_key_event (window, GDK_KEY_RELEASE, keyval, modifiers);
  herald_test_spin (50);
}

static void
type_keys (GtkWidget *widget, const char *text)
{
  for (const char *p = text; *p; p++)
    press (widget, gdk_unicode_to_keyval ((guchar)*p), 0);
}

/* The dialog works from the keyboard alone: mnemonics reach the fields and the pages,
 * Escape closes the form. */
static void
test_keyboard (Fixture *fixture)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  GtkWidget *label, *form;
  GtkStack *stack;
  GtkSwitch *login;
  g_autofree char *autostart = herald_autostart_get_path ();

  /* Alt+A: "Add Account…". */
  press (window, GDK_KEY_a, GDK_MOD1_MASK);
  label = wait_for ("Label", GTK_TYPE_ENTRY);
  form = gtk_widget_get_toplevel (label);
  HERALD_TEST_WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (form)) || gtk_widget_get_mapped (form),
                          5000);
  /* Alt+L: the Label field, then typing goes there. */
  press (form, GDK_KEY_l, GDK_MOD1_MASK);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (form)) == label);
  type_keys (form, "Keys");
  g_assert_cmpstr (gtk_entry_get_text (GTK_ENTRY (label)), ==, "Keys");
  /* Alt+E: the endpoint's entry. */
  press (form, GDK_KEY_e, GDK_MOD1_MASK);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (form)) == find ("Endpoint", GTK_TYPE_ENTRY));
  /* Escape closes the form without adding anything. */
  press (form, GDK_KEY_Escape, 0);
  HERALD_TEST_WAIT_UNTIL (find ("Label", GTK_TYPE_ENTRY) == NULL, 5000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 0);

  /* Alt+F and Alt+G: the Notifications and General pages; Alt+L there: Start at login. */
  stack
    = GTK_STACK (gtk_widget_get_ancestor (find ("Add Account…", GTK_TYPE_BUTTON), GTK_TYPE_STACK));
  press (window, GDK_KEY_f, GDK_MOD1_MASK);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "notifications");
  /* While the pages cross-fade, both are on screen, with their mnemonics. */
  HERALD_TEST_WAIT_UNTIL (!gtk_stack_get_transition_running (stack), 2000);
  press (window, GDK_KEY_g, GDK_MOD1_MASK);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "general");
  HERALD_TEST_WAIT_UNTIL (!gtk_stack_get_transition_running (stack), 2000);
  /* A mnemonic on a switch flips it, as on a check box. */
  press (window, GDK_KEY_l, GDK_MOD1_MASK);
  login = GTK_SWITCH (find ("Start at login", GTK_TYPE_SWITCH));
  HERALD_TEST_WAIT_UNTIL (gtk_switch_get_state (login), 5000);
  g_assert_true (g_file_test (autostart, G_FILE_TEST_EXISTS));
  screenshot (window, "preferences-general-keyboard");
  press (window, GDK_KEY_l, GDK_MOD1_MASK);
  HERALD_TEST_WAIT_UNTIL (!gtk_switch_get_state (login), 5000);
  g_assert_false (g_file_test (autostart, G_FILE_TEST_EXISTS));
}

static gboolean
endpoint_offers (const char *uri)
{
  GtkComboBox *combo = GTK_COMBO_BOX (find ("Endpoint", GTK_TYPE_COMBO_BOX));
  GtkTreeModel *model = gtk_combo_box_get_model (combo);
  GtkTreeIter iter;
  gboolean found = FALSE;

  for (gboolean more = gtk_tree_model_get_iter_first (model, &iter); more && !found;
       more = gtk_tree_model_iter_next (model, &iter))
    {
      g_autofree char *offered = NULL;

      gtk_tree_model_get (model, &iter, 0, &offered, -1);
      found = g_strcmp0 (offered, uri) == 0;
    }
  return found;
}

/* The form is the provider table's: each provider's options and credentials, Dimes' presets
 * and its gateway deciding which credential it takes, Pally's room only with its channel. */
static void
test_form_from_provider_table (Fixture *fixture)
{
  GtkComboBox *provider;

  click ("Add Account…");
  provider = GTK_COMBO_BOX (wait_for ("Provider", GTK_TYPE_COMBO_BOX));

  gtk_combo_box_set_active_id (provider, "skinshark");
  g_assert_nonnull (find ("Sub user", GTK_TYPE_ENTRY));
  g_assert_nonnull (find ("API key", GTK_TYPE_ENTRY));
  g_assert_cmpstr (gtk_entry_get_text (GTK_ENTRY (find ("Endpoint", GTK_TYPE_ENTRY))), ==,
                   "https://api.skinshark.gg");

  gtk_combo_box_set_active_id (provider, "hashi");
  g_assert_nonnull (find ("Lobby", GTK_TYPE_ENTRY));
  g_assert_nonnull (find ("Privy access token (JWT)", GTK_TYPE_ENTRY));
  g_assert_null (find ("Sub user", GTK_TYPE_ENTRY));

  gtk_combo_box_set_active_id (provider, "coinvoyage");
  g_assert_nonnull (find ("Order", GTK_TYPE_ENTRY));
  g_assert_nonnull (find ("API secret (optional; needed for organization scope)", GTK_TYPE_ENTRY));
  /* Without orders it follows the whole organization, which needs the secret; with an order
   * it does not. */
  type_into ("Label", "Payments");
  type_into ("API key", "cv_key");
  g_assert_true (texts_contain ("Following a whole organization needs the API secret"));
  g_assert_false (gtk_widget_is_sensitive (find ("Add", GTK_TYPE_BUTTON)));
  type_into ("Order", "ord_1, ord_2");
  g_assert_false (texts_contain ("Following a whole organization needs the API secret"));
  g_assert_true (gtk_widget_is_sensitive (find ("Add", GTK_TYPE_BUTTON)));

  gtk_combo_box_set_active_id (provider, "dimes");
  g_assert_true (endpoint_offers ("https://api.dimes.fi"));
  g_assert_true (endpoint_offers ("https://api-sandbox.dimes.fi"));
  g_assert_nonnull (find ("Partner API key", GTK_TYPE_ENTRY));
  screenshot (find ("Gateway", GTK_TYPE_COMBO_BOX), "preferences-add-dimes");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (find ("Gateway", GTK_TYPE_COMBO_BOX)), "customer");
  g_assert_nonnull (find ("Customer access token (JWT)", GTK_TYPE_ENTRY));
  g_assert_null (find ("Partner API key", GTK_TYPE_ENTRY));

  gtk_combo_box_set_active_id (provider, "pally");
  g_assert_false (gtk_widget_is_sensitive (find ("Room", GTK_TYPE_ENTRY)));
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (find ("Channel", GTK_TYPE_COMBO_BOX)),
                               "activity-feed");
  g_assert_true (gtk_widget_is_sensitive (find ("Room", GTK_TYPE_ENTRY)));
  /* The room is now needed: the form says so and cannot be saved without it. */
  type_into ("Label", "One page");
  type_into ("API key", PALLY_KEY);
  g_assert_false (gtk_widget_is_sensitive (find ("Add", GTK_TYPE_BUTTON)));
  g_assert_true (texts_contain ("The “room” option is needed when “channel” is “activity-feed”"));
  type_into ("Room", "my-page");
  g_assert_true (gtk_widget_is_sensitive (find ("Add", GTK_TYPE_BUTTON)));
  click ("Cancel");
}

/* A Dimes account switched to the customer gateway takes a token, and its partner key
 * leaves the keyring. */
static void
test_gateway_change_clears_old_key (Fixture *fixture)
{
  g_autofree char *endpoint = herald_simulator_get_endpoint (fixture->simulator, "dimes");
  g_autofree char *key = NULL;
  g_autofree char *token = NULL;
  HeraldAccount *account;
  g_autofree char *id = NULL;

  click ("Add Account…");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (wait_for ("Provider", GTK_TYPE_COMBO_BOX)), "dimes");
  type_into ("Label", "Positions");
  type_into ("Endpoint", endpoint);
  type_into ("Partner API key", "dm_partner_key_1");
  click ("Add");
  HERALD_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)) == 1, 10000);
  HERALD_TEST_WAIT_UNTIL (find ("Add", GTK_TYPE_BUTTON) == NULL, 10000);
  account = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  g_object_unref (account);
  id = g_strdup (herald_account_get_id (account));
  key = keyring_lookup (id, "api-key");
  g_assert_cmpstr (key, ==, "dm_partner_key_1");

  click ("Edit Positions");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (wait_for ("Gateway", GTK_TYPE_COMBO_BOX)),
                               "customer");
  /* The token was never stored: it is asked for, not offered for replacement. */
  g_assert_null (find ("Replace Customer access token (JWT)", GTK_TYPE_BUTTON));
  g_assert_false (gtk_widget_is_sensitive (find ("Save", GTK_TYPE_BUTTON)));
  type_into ("Customer access token (JWT)", "eyJhbGciOiJub25lIn0.e30.");
  click ("Save");
  HERALD_TEST_WAIT_UNTIL (find ("Save", GTK_TYPE_BUTTON) == NULL, 10000);
  g_assert_cmpstr (herald_account_get_option (account, "gateway"), ==, "customer");
  token = keyring_lookup (id, "token");
  g_assert_cmpstr (token, ==, "eyJhbGciOiJub25lIn0.e30.");
  /* The old key is cleared after the save, in the background. */
  HERALD_TEST_WAIT_UNTIL (!keyring_has (id, "api-key"), 5000);
}

typedef struct
{
  const char *path;
  TestFunc func;
  HeraldTestEnvFlags flags;
  /* Run with G_MESSAGES_DEBUG=all and require that the key is in no log line. */
  gboolean check_log;
} Case;

static const Case cases[] = {
  { "/preferences/add-pally", test_add_pally, HERALD_TEST_ENV_KEYRING, TRUE },
  { "/preferences/edit-does-not-reveal", test_edit_does_not_reveal, HERALD_TEST_ENV_KEYRING, TRUE },
  { "/preferences/remove", test_remove, HERALD_TEST_ENV_KEYRING, FALSE },
  { "/preferences/no-keyring", test_no_keyring, 0, TRUE },
  { "/preferences/test-button", test_test_button, HERALD_TEST_ENV_KEYRING, TRUE },
  { "/preferences/test-precise-failures", test_precise_failures, HERALD_TEST_ENV_KEYRING, FALSE },
  { "/preferences/handshake-required", test_handshake_required, HERALD_TEST_ENV_KEYRING, FALSE },
  { "/preferences/notification-settings", test_notification_settings, HERALD_TEST_ENV_KEYRING,
    FALSE },
  { "/preferences/clear-history", test_clear_history, HERALD_TEST_ENV_KEYRING, FALSE },
  { "/preferences/start-at-login", test_start_at_login, HERALD_TEST_ENV_KEYRING, FALSE },
  { "/preferences/keyboard", test_keyboard, HERALD_TEST_ENV_KEYRING, FALSE },
  { "/preferences/gateway-change-clears-old-key", test_gateway_change_clears_old_key,
    HERALD_TEST_ENV_KEYRING, FALSE },
  { "/preferences/form-from-provider-table", test_form_from_provider_table, HERALD_TEST_ENV_KEYRING,
    FALSE },
};

/* In the parent: a private bus (with a keyring unless the case says otherwise) and a
 * temporary home, then the test in a child that inherits them. In the child: the test. */
static void
run_test (gconstpointer data)
{
  const Case *test = data;
  HeraldTestEnv *env;
  GTestSubprocessFlags flags = G_TEST_SUBPROCESS_INHERIT_STDERR;

  if (g_test_subprocess ())
    {
      Fixture fixture = { 0 };
      g_autofree char *icons = g_test_build_filename (G_TEST_DIST, "..", "data", "icons", NULL);

      if (g_getenv ("HERALD_TEST_LOG_ALL") != NULL)
        g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
      g_assert_true (gtk_init_check (NULL, NULL));
      /* The feed icons, as the application finds them once installed. */
      gtk_icon_theme_append_search_path (gtk_icon_theme_get_default (), icons);
      setup (&fixture);
      test->func (&fixture);
      teardown (&fixture);
      return;
    }
  env = herald_test_env_new (test->flags);
  /* GTestDBus unsets DISPLAY (against X11 autolaunch of a bus); the child needs the screen. */
  g_setenv ("DISPLAY", display, TRUE);
  if (test->check_log)
    {
      /* Set in the child only: the parent's own debug output would break its TAP stream. */
      g_setenv ("HERALD_TEST_LOG_ALL", "1", TRUE);
      flags = 0;
    }
  g_test_trap_subprocess (NULL, 90 * G_USEC_PER_SEC, flags);
  g_unsetenv ("HERALD_TEST_LOG_ALL");
  herald_test_env_free (env);
  g_test_trap_assert_passed ();
  /* GLib writes debug messages to standard output, warnings to standard error. */
  if (test->check_log)
    {
      g_test_trap_assert_stdout_unmatched ("*" PALLY_KEY "*");
      g_test_trap_assert_stderr_unmatched ("*" PALLY_KEY "*");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  display = g_strdup (g_getenv ("DISPLAY"));
  if (display == NULL)
    {
      g_print ("1..0 # SKIP no display: run under Xvfb (build-aux/run-tests.sh does)\n");
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_test);
  return g_test_run ();
}
