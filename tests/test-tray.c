/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-tray.c — the tray as a panel sees it: a StatusNotifierWatcher of the test's own on the
 * bus takes the item, reads its properties and its dbusmenu layout, and clicks its entries. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <gtk/gtk.h>

#include "herald-simulator.h"
#include "herald-test-env.h"
#include "herald-test-feed.h"
#include "herald-tray-private.h"

#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define ITEM_IFACE "org.kde.StatusNotifierItem"
#define MENU_IFACE "com.canonical.dbusmenu"

static const char watcher_xml[]
  = "<node><interface name='org.kde.StatusNotifierWatcher'>"
    "<method name='RegisterStatusNotifierItem'><arg type='s' direction='in'/></method>"
    "<method name='RegisterStatusNotifierHost'><arg type='s' direction='in'/></method>"
    "<property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
    "<property name='ProtocolVersion' type='i' access='read'/>"
    "<property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
    "</interface></node>";

/* A panel, as far as the StatusNotifierItem protocol goes: it owns the watcher name on a
 * connection of its own and remembers the item that registered. */
typedef struct
{
  GDBusConnection *connection;
  guint object_id;
  guint owner_id;
  char *item_bus;  /* the registering connection's unique name */
  char *item_path; /* the object path it gave */
  guint registrations;
} Watcher;

typedef struct
{
  char *dir;
  HeraldSimulator *simulator;
  HeraldHistory *history;
  GListStore *accounts;
  HeraldHub *hub;
  GtkApplication *application;
  GSettings *settings;
  HeraldTray *tray;
  Watcher *watcher;
  char *shown_account; /* what app.show-event was last activated with */
  char *shown_id;
  guint windows_shown; /* app.show-window activations */
  GPtrArray *lines;    /* the last layout read: one string per item, submenus indented */
  GArray *ids;         /* the dbusmenu id of each line */
} Fixture;

static void
watcher_method_cb (GDBusConnection *connection, const char *sender, const char *path,
                   const char *iface, const char *method, GVariant *parameters,
                   GDBusMethodInvocation *invocation, gpointer user_data)
{
  Watcher *watcher = user_data;
  const char *service;

  g_variant_get (parameters, "(&s)", &service);
  if (g_str_equal (method, "RegisterStatusNotifierItem"))
    {
      watcher->registrations++;
      g_free (watcher->item_bus);
      g_free (watcher->item_path);
      /* The protocol allows a bus name or an object path on the sender's connection. */
      watcher->item_bus = g_strdup (service[0] == '/' ? sender : service);
      watcher->item_path = g_strdup (service[0] == '/' ? service : "/StatusNotifierItem");
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_get_property_cb (GDBusConnection *connection, const char *sender, const char *path,
                         const char *iface, const char *property, GError **error,
                         gpointer user_data)
{
  Watcher *watcher = user_data;

  if (g_str_equal (property, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);
  if (g_str_equal (property, "ProtocolVersion"))
    return g_variant_new_int32 (0);
  if (watcher->item_bus == NULL)
    return g_variant_new_strv (NULL, 0);
  return g_variant_new_strv ((const char *[]){ watcher->item_bus }, 1);
}

static Watcher *
watcher_new (void)
{
  static const GDBusInterfaceVTable vtable = { watcher_method_cb, watcher_get_property_cb, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (watcher_xml, &error);
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  Watcher *watcher = g_new0 (Watcher, 1);

  g_assert_no_error (error);
  watcher->connection = g_dbus_connection_new_for_address_sync (
    address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);
  watcher->object_id
    = g_dbus_connection_register_object (watcher->connection, "/StatusNotifierWatcher",
                                         info->interfaces[0], &vtable, watcher, NULL, &error);
  g_assert_no_error (error);
  watcher->owner_id = g_bus_own_name_on_connection (
    watcher->connection, WATCHER_NAME, G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  return watcher;
}

static void
watcher_free (Watcher *watcher)
{
  g_bus_unown_name (watcher->owner_id);
  g_dbus_connection_unregister_object (watcher->connection, watcher->object_id);
  g_dbus_connection_close_sync (watcher->connection, NULL, NULL);
  g_object_unref (watcher->connection);
  g_free (watcher->item_bus);
  g_free (watcher->item_path);
  g_free (watcher);
}

static void
got_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

/* The item lives on this process's main loop: every call waits by running it. */
static GVariant *
call (Fixture *fx, const char *path, const char *iface, const char *method, GVariant *args,
      const char *reply_type)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GVariant *reply;

  g_assert_nonnull (fx->watcher->item_bus);
  g_dbus_connection_call (fx->watcher->connection, fx->watcher->item_bus, path, iface, method, args,
                          G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
                          got_reply_cb, &result);
  HERALD_TEST_WAIT_UNTIL (result != NULL, 10000);
  reply = g_dbus_connection_call_finish (fx->watcher->connection, result, &error);
  g_assert_no_error (error);
  return reply;
}

static char *
item_property (Fixture *fx, const char *name)
{
  g_autoptr (GVariant) reply = call (fx, fx->watcher->item_path, "org.freedesktop.DBus.Properties",
                                     "Get", g_variant_new ("(ss)", ITEM_IFACE, name), "(v)");
  g_autoptr (GVariant) value = NULL;

  g_variant_get (reply, "(v)", &value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
      || g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    return g_variant_dup_string (value, NULL);
  return g_variant_print (value, FALSE);
}

static gboolean
item_property_is (Fixture *fx, const char *name, const char *expected)
{
  g_autofree char *value = item_property (fx, name);

  return g_strcmp0 (value, expected) == 0;
}

/* "label", "label {icon}", "label (insensitive)", "---" for a separator; children indented. */
static void
flatten_layout (Fixture *fx, GVariant *node, guint depth)
{
  g_autoptr (GVariant) props = NULL;
  g_autoptr (GVariant) children = NULL;
  const char *type = NULL, *label = "", *icon = NULL;
  gboolean enabled = TRUE, visible = TRUE;
  int id;
  GVariantIter iter;
  GVariant *child;

  g_variant_get (node, "(i@a{sv}@av)", &id, &props, &children);
  g_variant_lookup (props, "type", "&s", &type);
  g_variant_lookup (props, "label", "&s", &label);
  g_variant_lookup (props, "icon-name", "&s", &icon);
  g_variant_lookup (props, "enabled", "b", &enabled);
  g_variant_lookup (props, "visible", "b", &visible);
  if (depth > 0 && visible)
    {
      GString *line = g_string_new (NULL);

      for (guint i = 1; i < depth; i++)
        g_string_append (line, "  ");
      g_string_append (line, g_strcmp0 (type, "separator") == 0 ? "---" : label);
      if (icon != NULL)
        g_string_append_printf (line, " {%s}", icon);
      if (!enabled)
        g_string_append (line, " (insensitive)");
      g_ptr_array_add (fx->lines, g_string_free (line, FALSE));
      g_array_append_val (fx->ids, id);
    }
  g_variant_iter_init (&iter, children);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (child);

      flatten_layout (fx, inner, depth + 1);
      g_variant_unref (child);
    }
}

static void
read_layout (Fixture *fx)
{
  g_autofree char *menu_path = item_property (fx, "Menu");
  g_autoptr (GVariant) reply
    = call (fx, menu_path, MENU_IFACE, "GetLayout",
            g_variant_new ("(ii@as)", 0, -1, g_variant_new_strv (NULL, 0)), "(u(ia{sv}av))");
  g_autoptr (GVariant) root = g_variant_get_child_value (reply, 1);

  g_ptr_array_set_size (fx->lines, 0);
  g_array_set_size (fx->ids, 0);
  flatten_layout (fx, root, 0);
}

static gboolean
layout_has (Fixture *fx, const char *line)
{
  read_layout (fx);
  return g_ptr_array_find_with_equal_func (fx->lines, line, g_str_equal, NULL);
}

/* What a panel sends when the user clicks the entry that reads @line. */
static void
click (Fixture *fx, const char *line)
{
  g_autofree char *menu_path = item_property (fx, "Menu");
  g_autoptr (GVariant) reply = NULL;
  guint index;

  read_layout (fx);
  if (!g_ptr_array_find_with_equal_func (fx->lines, line, g_str_equal, &index))
    g_error ("no menu entry \"%s\"", line);
  reply = call (fx, menu_path, MENU_IFACE, "Event",
                g_variant_new ("(isvu)", g_array_index (fx->ids, int, index), "clicked",
                               g_variant_new_int32 (0), 0u),
                "()");
}

static GtkApplication *application;
static Fixture *current; /* the running test's, for the application's actions */

static void
show_event_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  Fixture *fx = current;

  g_clear_pointer (&fx->shown_account, g_free);
  g_clear_pointer (&fx->shown_id, g_free);
  g_variant_get (parameter, "(ss)", &fx->shown_account, &fx->shown_id);
}

static void
show_window_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  current->windows_shown++;
}

static void
nothing_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
}

/* A Pally account on the simulator, or on @endpoint; @key NULL: the key the simulator takes. */
static void
add_account (Fixture *fx, const char *id, const char *label, const char *endpoint, const char *key)
{
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_PALLY, id);
  g_autofree char *sim_endpoint = herald_simulator_get_endpoint (fx->simulator, "pally");
  const HeraldCredentialSpec *specs;
  guint n_specs;

  herald_account_set_label (account, label);
  herald_account_set_endpoint (account, endpoint ? endpoint : sim_endpoint);
  specs = herald_account_get_credentials (account, &n_specs);
  g_assert_cmpuint (n_specs, >=, 1);
  herald_hub_set_memory_credential (
    fx->hub, id, specs[0].field,
    key ? key : herald_simulator_get_credential (fx->simulator, "pally", specs[0].field));
  g_list_store_append (fx->accounts, account);
}

static HeraldEvent *
make_event (const char *id, const char *title, gint64 occurred)
{
  HeraldEvent *event = herald_event_new ("test-main", "pally", "campaigntip.notify", id);

  herald_event_set_title (event, title);
  herald_event_set_occurred (event, occurred);
  return event;
}

static void
setup (Fixture *fx, gconstpointer data)
{
  static const GActionEntry entries[] = {
    { "show-event", show_event_activated, "(ss)", NULL, NULL },
    { "show-window", show_window_activated, NULL, NULL, NULL },
    { "preferences", nothing_activated, NULL, NULL, NULL },
    { "quit", nothing_activated, NULL, NULL, NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  fx->dir = g_dir_make_tmp ("herald-tray-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fx->dir, "history.db", NULL);
  fx->history = herald_history_open (path, &error);
  g_assert_no_error (error);
  fx->simulator = herald_simulator_new ();
  g_assert_true (herald_simulator_parse_scenario (fx->simulator, NULL, "idle", &error));
  g_assert_true (herald_simulator_listen (fx->simulator, 0, &error));
  fx->accounts = g_list_store_new (HERALD_TYPE_ACCOUNT);
  fx->hub = herald_hub_new (G_LIST_MODEL (fx->accounts), fx->history, NULL, NULL);
  herald_hub_set_use_keyring (fx->hub, FALSE);

  /* One application for the process, as in Herald: it stays registered on the bus. */
  if (application == NULL)
    {
      application = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
      g_action_map_add_action_entries (G_ACTION_MAP (application), entries, G_N_ELEMENTS (entries),
                                       NULL);
      /* The menu reaches the actions the way it does in Herald: on a registered application. */
      g_application_register (G_APPLICATION (application), NULL, &error);
      g_assert_no_error (error);
    }
  current = fx;
  fx->application = application;
  fx->settings = g_settings_new (HERALD_APP_ID);
  g_settings_reset (fx->settings, "paused");
  g_settings_reset (fx->settings, "paused-until");
  fx->lines = g_ptr_array_new_with_free_func (g_free);
  fx->ids = g_array_new (FALSE, FALSE, sizeof (int));
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->tray);
  g_clear_pointer (&fx->watcher, watcher_free);
  herald_hub_stop (fx->hub);
  herald_history_flush (fx->history);
  g_clear_object (&fx->hub);
  g_clear_object (&fx->accounts);
  g_clear_object (&fx->history);
  g_clear_object (&fx->simulator);
  g_clear_object (&fx->settings);
  current = NULL;
  herald_test_drain ();
  herald_test_remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->shown_account);
  g_free (fx->shown_id);
  g_ptr_array_unref (fx->lines);
  g_array_unref (fx->ids);
}

static void
start_tray (Fixture *fx)
{
  fx->tray = herald_tray_new (G_APPLICATION (fx->application), fx->settings);
  g_assert_nonnull (fx->tray);
  herald_tray_set_hub (fx->tray, fx->hub);
}

/* Twelve events a minute apart, the newest a minute old; one title is hostile. */
static void
store_events (Fixture *fx)
{
  const gint64 now = g_get_real_time ();

  for (int i = 1; i <= 12; i++)
    {
      g_autofree char *id = g_strdup_printf ("e%02d", i);
      g_autofree char *title
        = i == 11 ? g_strdup ("Tip_for <b>you</b> & co") : g_strdup_printf ("Event %02d", i);
      g_autoptr (HeraldEvent) event
        = make_event (id, title, now - (13 - i) * 60 * G_USEC_PER_SEC - 5 * G_USEC_PER_SEC);

      herald_history_add (fx->history, event, NULL, NULL);
    }
  herald_history_flush (fx->history);
}

/* Shows the very menu the panel reads in the X server and saves what it drew. A popup needs a
 * pointer grab that Xvfb with nobody at it does not give, so the menu's own popup window is
 * shown where it would drop down. */
static void
save_screenshot (Fixture *fx, const char *name)
{
  g_autofree char *path = g_build_filename (HERALD_TEST_BUILDDIR, "tests", name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) shot = NULL;
  GtkWidget *menu;
  GtkWidget *popup;
  GdkWindow *window;

  /* A countdown rebuilds the menu every second: shoot within one. */
  herald_tray_rebuild_now (fx->tray);
  menu = GTK_WIDGET (herald_tray_get_menu (fx->tray));
  gtk_widget_show (menu);
  popup = gtk_widget_get_toplevel (menu);
  g_assert_true (GTK_IS_WINDOW (popup));
  gtk_window_move (GTK_WINDOW (popup), 40, 30);
  gtk_widget_show (popup);
  HERALD_TEST_WAIT_UNTIL (gtk_widget_get_mapped (menu), 5000);
  herald_test_spin (300);
  g_assert_true (menu == GTK_WIDGET (herald_tray_get_menu (fx->tray)));
  window = gtk_widget_get_window (popup);
  shot = gdk_pixbuf_get_from_window (window, 0, 0, gdk_window_get_width (window),
                                     gdk_window_get_height (window));
  g_assert_nonnull (shot);
  gdk_pixbuf_save (shot, path, "png", &error, NULL);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
  gtk_widget_hide (popup);
}

/* With no StatusNotifierWatcher the tray falls back to a GtkStatusIcon; once a watcher
 * appears the item registers with it and the status icon goes; without it again, it is back. */
static void
test_fallback_follows_watcher (Fixture *fx, gconstpointer data)
{
  start_tray (fx);
  HERALD_TEST_WAIT_UNTIL (herald_tray_get_uses_fallback (fx->tray), 5000);
  /* Xvfb has no system tray to embed it: nothing shows Herald, and it says so. */
  g_assert_false (herald_tray_get_visible (fx->tray));
  /* A click on the status icon shows the window. */
  g_signal_emit_by_name (herald_tray_get_status_icon (fx->tray), "activate");
  g_assert_cmpuint (fx->windows_shown, ==, 1);

  fx->watcher = watcher_new ();
  HERALD_TEST_WAIT_UNTIL (fx->watcher->item_bus != NULL, 5000);
  HERALD_TEST_WAIT_UNTIL (!herald_tray_get_uses_fallback (fx->tray), 5000);
  HERALD_TEST_WAIT_UNTIL (herald_tray_get_visible (fx->tray), 5000);
  g_assert_true (item_property_is (fx, "Id", HERALD_APP_ID));

  g_clear_pointer (&fx->watcher, watcher_free);
  HERALD_TEST_WAIT_UNTIL (herald_tray_get_uses_fallback (fx->tray), 5000);
  HERALD_TEST_WAIT_UNTIL (!herald_tray_get_visible (fx->tray), 5000);
}

/* "Away — reconnecting in N s", N a count of seconds within the backoff's reach. */
static gboolean
account_line_is_countdown (Fixture *fx)
{
  const char *prefix = "Away — reconnecting in ";

  for (guint i = 0; i < fx->lines->len; i++)
    {
      const char *line = g_ptr_array_index (fx->lines, i);
      char *end = NULL;
      guint64 seconds;

      if (!g_str_has_prefix (line, prefix))
        continue;
      seconds = g_ascii_strtoull (line + strlen (prefix), &end, 10);
      if (end != line + strlen (prefix) && seconds <= 120 && g_str_equal (end, " s (insensitive)"))
        return TRUE;
    }
  return FALSE;
}

/* The menu a panel reads: the ten newest events in order, escaped, with their feed's icon;
 * each account's state; Pause; the application's entries. */
static void
test_menu_layout (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldSimulator) gone = herald_simulator_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *gone_endpoint = NULL;
  const char *expected_events[10];
  const char *expected_rest[] = {
    "---",
    "Main — connected (insensitive)",
    "Broken — needs attention: Pally refused the API key",
    NULL, /* Away's countdown, checked on its own */
    "---",
    "_Pause Notifications",
    "  For 1 _Hour",
    "  Until _Tomorrow",
    "  _Off (insensitive)",
    "---",
    "Show _History",
    "P_references",
    "_Quit",
  };

  /* An endpoint nothing listens on any more: that account keeps backing off. */
  g_assert_true (herald_simulator_listen (gone, 0, &error));
  gone_endpoint = herald_simulator_get_endpoint (gone, "pally");
  g_clear_object (&gone);

  store_events (fx);
  add_account (fx, "test-main", "Main", NULL, NULL);
  add_account (fx, "test-broken", "Broken", NULL, "pk_wrong_key");
  add_account (fx, "test-away", "Away", gone_endpoint, NULL);
  fx->watcher = watcher_new ();
  start_tray (fx);
  herald_hub_start (fx->hub);
  HERALD_TEST_WAIT_UNTIL (fx->watcher->item_bus != NULL, 5000);

  HERALD_TEST_WAIT_UNTIL (layout_has (fx, "Main — connected (insensitive)")
                            && layout_has (fx, expected_rest[2]) && account_line_is_countdown (fx)
                            && fx->lines->len >= 23,
                          15000);
  for (guint i = 0; i < fx->lines->len; i++)
    g_test_message ("menu: %s", (const char *)g_ptr_array_index (fx->lines, i));

  expected_events[0] = "Event 12 · 1 min ago {io.github.heraldapp.Herald-pally-symbolic}";
  /* The underscore is doubled, so it is no mnemonic and shows as typed; markup stays text. */
  expected_events[1]
    = "Tip__for <b>you</b> & co · 2 min ago {io.github.heraldapp.Herald-pally-symbolic}";
  for (int i = 2; i < 10; i++)
    expected_events[i] = NULL;
  g_assert_cmpuint (fx->lines->len, ==, 10 + G_N_ELEMENTS (expected_rest));
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *expected
        = expected_events[i] != NULL
            ? g_strdup (expected_events[i])
            : g_strdup_printf (
              "Event %02u · %u min ago {io.github.heraldapp.Herald-pally-symbolic}", 12 - i, i + 1);

      g_assert_cmpstr (g_ptr_array_index (fx->lines, i), ==, expected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (expected_rest); i++)
    if (expected_rest[i] != NULL)
      g_assert_cmpstr (g_ptr_array_index (fx->lines, 10 + i), ==, expected_rest[i]);

  /* Everything read, the refused key still asks for attention; the title has no count. */
  herald_history_mark_read (fx->history, NULL, NULL, TRUE);
  HERALD_TEST_WAIT_UNTIL (item_property_is (fx, "Title", "Herald"), 5000);
  g_assert_true (item_property_is (fx, "Status", "NeedsAttention"));

  /* Rebuilt every second of the countdown, the item still registered once: a panel that
   * re-creates its icon on each registration does not flicker. */
  g_assert_cmpuint (fx->watcher->registrations, ==, 1);

  save_screenshot (fx, "tray-menu.png");
}

/* NeedsAttention with its icon while something is unread, Active once it is all read; the
 * title (what panels show as the tooltip) counts the unread events. */
static void
test_attention_follows_unread (Fixture *fx, gconstpointer data)
{
  g_autoptr (HeraldEvent) fresh = make_event ("fresh", "Zed tipped $3.00", g_get_real_time ());

  store_events (fx);
  fx->watcher = watcher_new ();
  start_tray (fx);
  HERALD_TEST_WAIT_UNTIL (fx->watcher->item_bus != NULL, 5000);
  HERALD_TEST_WAIT_UNTIL (item_property_is (fx, "Title", "Herald — 12 unread events"), 5000);
  g_assert_true (item_property_is (fx, "Status", "NeedsAttention"));
  g_assert_true (item_property_is (fx, "AttentionIconName", "mail-unread-symbolic"));
  g_assert_true (item_property_is (fx, "IconName", HERALD_APP_ID "-symbolic"));

  herald_history_mark_read (fx->history, NULL, NULL, TRUE);
  HERALD_TEST_WAIT_UNTIL (item_property_is (fx, "Status", "Active"), 5000);
  g_assert_true (item_property_is (fx, "Title", "Herald"));

  /* A new event arrives as the hub tells of it: stored, then announced. */
  herald_history_add (fx->history, fresh, NULL, NULL);
  herald_history_flush (fx->history);
  g_signal_emit_by_name (fx->hub, "event-added", fresh);
  HERALD_TEST_WAIT_UNTIL (item_property_is (fx, "Status", "NeedsAttention"), 5000);
  g_assert_true (item_property_is (fx, "Title", "Herald — 1 unread event"));
  HERALD_TEST_WAIT_UNTIL (
    layout_has (fx, "Zed tipped $3.00 · just now {io.github.heraldapp.Herald-pally-symbolic}"),
    5000);
  g_assert_cmpstr (g_ptr_array_index (fx->lines, 0), ==,
                   "Zed tipped $3.00 · just now {io.github.heraldapp.Herald-pally-symbolic}");

  herald_history_mark_read (fx->history, "test-main", "fresh", TRUE);
  HERALD_TEST_WAIT_UNTIL (item_property_is (fx, "Status", "Active"), 5000);
  g_assert_true (item_property_is (fx, "Title", "Herald"));
}

/* Clicking an event in the panel's menu shows that event. */
static void
test_click_shows_event (Fixture *fx, gconstpointer data)
{
  store_events (fx);
  fx->watcher = watcher_new ();
  start_tray (fx);
  HERALD_TEST_WAIT_UNTIL (fx->watcher->item_bus != NULL, 5000);
  HERALD_TEST_WAIT_UNTIL (
    layout_has (fx, "Event 10 · 3 min ago {io.github.heraldapp.Herald-pally-symbolic}"), 5000);

  click (fx, "Event 10 · 3 min ago {io.github.heraldapp.Herald-pally-symbolic}");
  HERALD_TEST_WAIT_UNTIL (fx->shown_id != NULL, 5000);
  g_assert_cmpstr (fx->shown_account, ==, "test-main");
  g_assert_cmpstr (fx->shown_id, ==, "e10");
}

/* Pause for an hour from the panel: paused, ending an hour from now, and the menu says until
 * when; Off ends it. */
static void
test_pause_for_an_hour (Fixture *fx, gconstpointer data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (GDateTime) end = NULL;
  g_autoptr (GDateTime) today = g_date_time_new_now_local ();
  g_autoptr (GDateTime) tomorrow = NULL;
  g_autoptr (GDateTime) morning = NULL;
  g_autofree char *end_text = NULL;
  g_autofree char *line = NULL;

  fx->watcher = watcher_new ();
  start_tray (fx);
  HERALD_TEST_WAIT_UNTIL (fx->watcher->item_bus != NULL, 5000);
  HERALD_TEST_WAIT_UNTIL (layout_has (fx, "  For 1 _Hour"), 5000);

  click (fx, "  For 1 _Hour");
  HERALD_TEST_WAIT_UNTIL (g_settings_get_boolean (fx->settings, "paused"), 5000);
  g_assert_cmpint (g_settings_get_int64 (fx->settings, "paused-until"), >=, now + 3600);
  g_assert_cmpint (g_settings_get_int64 (fx->settings, "paused-until"), <=,
                   g_get_real_time () / G_USEC_PER_SEC + 3600);

  end = g_date_time_new_from_unix_local (g_settings_get_int64 (fx->settings, "paused-until"));
  /* The time of day, and the day too when the hour ends after midnight. */
  end_text = g_date_time_format (
    end, g_date_time_get_day_of_year (end) == g_date_time_get_day_of_year (today) ? "%H:%M"
                                                                                  : "%a %H:%M");
  line = g_strdup_printf ("Paused until %s (insensitive)", end_text);
  HERALD_TEST_WAIT_UNTIL (layout_has (fx, line), 5000);
  g_assert_true (layout_has (fx, "  _Off"));

  click (fx, "  _Off");
  HERALD_TEST_WAIT_UNTIL (!g_settings_get_boolean (fx->settings, "paused"), 5000);
  g_assert_cmpint (g_settings_get_int64 (fx->settings, "paused-until"), ==, 0);
  HERALD_TEST_WAIT_UNTIL (!layout_has (fx, line), 5000);
  g_assert_true (layout_has (fx, "  _Off (insensitive)"));

  /* Until tomorrow: until 08:00 local time on the next day. */
  click (fx, "  Until _Tomorrow");
  HERALD_TEST_WAIT_UNTIL (g_settings_get_boolean (fx->settings, "paused"), 5000);
  tomorrow = g_date_time_add_days (today, 1);
  morning
    = g_date_time_new_local (g_date_time_get_year (tomorrow), g_date_time_get_month (tomorrow),
                             g_date_time_get_day_of_month (tomorrow), 8, 0, 0);
  g_assert_cmpint (g_settings_get_int64 (fx->settings, "paused-until"), ==,
                   g_date_time_to_unix (morning));
}

/* A pause whose end has passed is turned off, by the tray, without anyone clicking. */
static void
test_pause_ends_by_itself (Fixture *fx, gconstpointer data)
{
  start_tray (fx);
  g_settings_set_int64 (fx->settings, "paused-until", g_get_real_time () / G_USEC_PER_SEC + 1);
  g_settings_set_boolean (fx->settings, "paused", TRUE);
  HERALD_TEST_WAIT_UNTIL (!g_settings_get_boolean (fx->settings, "paused"), 5000);
  g_assert_cmpint (g_settings_get_int64 (fx->settings, "paused-until"), ==, 0);
}

static void
layout_updated_cb (GDBusConnection *connection, const char *sender, const char *path,
                   const char *iface, const char *signal, GVariant *parameters, gpointer user_data)
{
  (*(guint *)user_data)++;
}

static gboolean
emit_batch_cb (gpointer user_data)
{
  Fixture *fx = current;
  guint *batch = user_data;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("burst-%03u-%02u", *batch, i);
      g_autoptr (HeraldEvent) event = make_event (id, id, g_get_real_time ());

      herald_history_add (fx->history, event, NULL, NULL);
      g_signal_emit_by_name (fx->hub, "event-added", event);
    }
  return ++*batch < 100 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* 2 000 events over two seconds, 20 every 20 ms: the panel is told of a new layout a few times
 * a second, not once per event or per batch, and ends up with the newest. */
static void
test_burst_rebuilds_rarely (Fixture *fx, gconstpointer data)
{
  guint updates = 0;
  guint batch = 0;
  guint subscription;
  gint64 start;
  double seconds;

  fx->watcher = watcher_new ();
  start_tray (fx);
  HERALD_TEST_WAIT_UNTIL (fx->watcher->item_bus != NULL, 5000);
  HERALD_TEST_WAIT_UNTIL (layout_has (fx, "No events yet (insensitive)"), 5000);
  subscription = g_dbus_connection_signal_subscribe (
    fx->watcher->connection, fx->watcher->item_bus, MENU_IFACE, "LayoutUpdated", NULL, NULL,
    G_DBUS_SIGNAL_FLAGS_NONE, layout_updated_cb, &updates, NULL);

  start = g_get_monotonic_time ();
  g_timeout_add (20, emit_batch_cb, &batch);
  HERALD_TEST_WAIT_UNTIL (batch == 100, 20000);
  seconds = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
  HERALD_TEST_WAIT_UNTIL (
    layout_has (fx, "burst-099-19 · just now {io.github.heraldapp.Herald-pally-symbolic}"), 5000);
  herald_test_spin (500);
  g_test_message ("%u layout updates for 2000 events in %.1f s", updates, seconds);
  g_assert_cmpstr (g_ptr_array_index (fx->lines, 0), ==,
                   "burst-099-19 · just now {io.github.heraldapp.Herald-pally-symbolic}");
  /* Four rebuilds a second, the last events and the unread count: some slack for a busy
   * machine, far below one per batch (100) or per event. */
  g_assert_cmpuint (updates, <=, 5 * seconds + 5);
  g_dbus_connection_signal_unsubscribe (fx->watcher->connection, subscription);
}

int
main (int argc, char **argv)
{
  if (!gtk_init_check (&argc, &argv))
    {
      g_print ("1..0 # SKIP no display: run under Xvfb (build-aux/run-tests.sh does)\n");
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  /* Where Herald finds its feed icons once installed (the application adds its directory). */
  if (g_getenv ("G_TEST_SRCDIR") != NULL)
    {
      g_autofree char *icons
        = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..", "data", "icons", NULL);

      gtk_icon_theme_append_search_path (gtk_icon_theme_get_default (), icons);
    }
  g_test_add ("/tray/fallback-follows-watcher", Fixture, NULL, setup, test_fallback_follows_watcher,
              teardown);
  g_test_add ("/tray/menu-layout", Fixture, NULL, setup, test_menu_layout, teardown);
  g_test_add ("/tray/attention-follows-unread", Fixture, NULL, setup, test_attention_follows_unread,
              teardown);
  g_test_add ("/tray/click-shows-event", Fixture, NULL, setup, test_click_shows_event, teardown);
  g_test_add ("/tray/pause-for-an-hour", Fixture, NULL, setup, test_pause_for_an_hour, teardown);
  g_test_add ("/tray/burst-rebuilds-rarely", Fixture, NULL, setup, test_burst_rebuilds_rarely,
              teardown);
  g_test_add ("/tray/pause-ends-by-itself", Fixture, NULL, setup, test_pause_ends_by_itself,
              teardown);
  return g_test_run ();
}
