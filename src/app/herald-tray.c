/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-tray.c — an AppIndicator (StatusNotifierItem) with a GtkMenu exported over dbusmenu,
 * or a GtkStatusIcon on X11 while no StatusNotifierWatcher is on the bus. */
#define G_LOG_DOMAIN "herald-tray"

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/gdkx.h>
#endif

#if HAVE_APPINDICATOR
#include <libayatana-appindicator/app-indicator.h>
#endif

#include "herald-event-model.h"
#include "herald-format.h"
#include "herald-pause.h"
#include "herald-provider-info.h"
#include "herald-time-format.h"
#include "herald-tray-private.h"

/* The menu lists this many events: the event model's page. */
#define MENU_EVENTS 10
/* A burst of events, read marks or state changes costs one rebuild per this delay. */
#define REBUILD_DELAY_MS 250
#define MAX_LABEL_CHARS 60
#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define ICON_NAME HERALD_APP_ID "-symbolic"
/* No icon of its own yet: the theme's standard "something new" icon stands for attention. */
#define ATTENTION_ICON_NAME "mail-unread-symbolic"

struct _HeraldTray
{
  GObject parent_instance;

  GApplication *application;
  GSettings *settings;
  HeraldHub *hub;
  HeraldEventModel *model; /* the newest MENU_EVENTS events, no filters */
  GSimpleActionGroup *actions;
  GtkWidget *menu;
  GCancellable *cancellable;
  guint rebuild_source;
  guint tick_source;
  guint watch_id;
  guint unread;
  gboolean counting;
  gboolean count_due;
  gboolean attention;
  gboolean visible;
#if HAVE_APPINDICATOR
  AppIndicator *indicator;
  gboolean indicator_connected;
#endif
  GtkStatusIcon *status_icon;
};

G_DEFINE_FINAL_TYPE (HeraldTray, herald_tray, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_VISIBLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#if HAVE_APPINDICATOR
/* The library's own fallback makes a GtkStatusIcon that can only pop the menu up; Herald makes
 * its own (a click shows the window), so the library's is turned off by overriding it. */
typedef AppIndicator HeraldIndicator;
typedef AppIndicatorClass HeraldIndicatorClass;
GType herald_indicator_get_type (void);

G_DEFINE_TYPE (HeraldIndicator, herald_indicator, APP_INDICATOR_TYPE)

static GtkStatusIcon *
herald_indicator_fallback (AppIndicator *indicator)
{
  return NULL;
}

static void
herald_indicator_unfallback (AppIndicator *indicator, GtkStatusIcon *status_icon)
{
}

static void
herald_indicator_class_init (HeraldIndicatorClass *klass)
{
  klass->fallback = herald_indicator_fallback;
  klass->unfallback = herald_indicator_unfallback;
}

static void
herald_indicator_init (HeraldIndicator *self)
{
}
#endif

/* The one place that names a feed's icon. */
static void
append (GtkWidget *menu, GtkWidget *item)
{
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);
}

static GtkWidget *
action_item (const char *mnemonic_label, const char *action, GVariant *target)
{
  GtkWidget *item = gtk_menu_item_new_with_mnemonic (mnemonic_label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (item), action);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (item), target);
  return item;
}

/* Labels come from untrusted text: their underscores are escaped, so none becomes a mnemonic
 * (in GTK and, through dbusmenu, in the tray host alike), and markup is never parsed. */
static GtkWidget *
text_item (const char *untrusted)
{
  g_autofree char *clean = herald_format_clean_text (untrusted, 2 * MAX_LABEL_CHARS);
  g_autofree char *escaped = herald_format_escape_mnemonic (clean);

  return gtk_menu_item_new_with_mnemonic (escaped);
}

/* dbusmenu-gtk3 (18.10) exports the image of a GtkImageMenuItem as the item's icon-name, and
 * none of a plain GtkMenuItem holding a box of image and label: the deprecated one is the one
 * whose icon a panel shows. Activating the item shows the event in the window, where its link,
 * details and read state are: a tray menu stays a list. */
static GtkWidget *
event_item (HeraldEvent *event, GTimeZone *tz, gint64 now)
{
  g_autofree char *title
    = herald_format_clean_text (herald_event_get_title (event), MAX_LABEL_CHARS);
  g_autofree char *when = herald_format_relative_time (herald_event_get_occurred (event), tz, now);
  /* TRANSLATORS: a tray menu entry: an event's title and how long ago it happened */
  g_autofree char *text = g_strdup_printf (_ ("%s · %s"), title, when);
  g_autofree char *escaped = herald_format_escape_mnemonic (text);
  const char *icon = herald_provider_get_icon_name (herald_event_get_provider (event));
  GtkWidget *item;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  item = gtk_image_menu_item_new_with_mnemonic (escaped);
  gtk_image_menu_item_set_image (GTK_IMAGE_MENU_ITEM (item),
                                 gtk_image_new_from_icon_name (icon, GTK_ICON_SIZE_MENU));
  gtk_image_menu_item_set_always_show_image (GTK_IMAGE_MENU_ITEM (item), TRUE);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_actionable_set_action_name (GTK_ACTIONABLE (item), "app.show-event");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (item), "(ss)", herald_event_get_account (event),
                                    herald_event_get_id (event));
  return item;
}

/* "Main — reconnecting in 12 s"; sets *counting_down when the line will need a refresh. */
static char *
account_line (HeraldTray *self, HeraldAccount *account, gboolean *counting_down)
{
  const char *id = herald_account_get_id (account);
  const char *label = herald_account_get_label (account);
  const char *reason = NULL;
  gint64 retry;

  switch (herald_hub_get_state (self->hub, id, &reason))
    {
    case HERALD_CONNECTION_CONNECTED:
      /* TRANSLATORS: tray menu line of an account, %s its name */
      return g_strdup_printf (_ ("%s — connected"), label);
    case HERALD_CONNECTION_CONNECTING:
      return g_strdup_printf (_ ("%s — connecting"), label);
    case HERALD_CONNECTION_BACKING_OFF:
      retry = herald_hub_get_retry_time (self->hub, id) - g_get_monotonic_time ();
      *counting_down = TRUE;
      /* TRANSLATORS: tray menu line of an account: its name, seconds before the next attempt */
      return g_strdup_printf (_ ("%s — reconnecting in %d s"), label,
                              (int)((MAX (retry, 0) + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
    case HERALD_CONNECTION_OFFLINE:
      return g_strdup_printf (_ ("%s — offline"), label);
    case HERALD_CONNECTION_NEEDS_ATTENTION:
      /* TRANSLATORS: tray menu line of an account: its name and why it cannot connect */
      return g_strdup_printf (_ ("%s — needs attention: %s"), label, reason ? reason : "");
    case HERALD_CONNECTION_DISABLED:
    default:
      return g_strdup_printf (_ ("%s — off"), label);
    }
}

static gint64
paused_until (HeraldTray *self)
{
  return g_settings_get_boolean (self->settings, "paused")
           ? MAX (g_settings_get_int64 (self->settings, "paused-until"), 0)
           : -1;
}

static char *
paused_line (gint64 until)
{
  g_autoptr (GDateTime) end = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = NULL;

  if (until == 0)
    return g_strdup (_ ("Paused until turned off"));
  end = g_date_time_new_from_unix_local (until);
  if (g_date_time_get_day_of_year (end) == g_date_time_get_day_of_year (now)
      && g_date_time_get_year (end) == g_date_time_get_year (now))
    /* TRANSLATORS: a time of day, see g_date_time_format */
    time = g_date_time_format (end, _ ("%H:%M"));
  else
    /* TRANSLATORS: a day and time, as in "Tue 08:00"; see g_date_time_format */
    time = g_date_time_format (end, _ ("%a %H:%M"));
  /* TRANSLATORS: tray menu line while notifications are paused, %s a time */
  return g_strdup_printf (_ ("Paused until %s"), time);
}

static GtkWidget *
pause_submenu (HeraldTray *self)
{
  GtkWidget *submenu = gtk_menu_new ();
  GtkWidget *item = gtk_menu_item_new_with_mnemonic (_ ("_Pause Notifications"));

  append (submenu, action_item (_ ("For 1 _Hour"), "tray.pause", g_variant_new_string ("hour")));
  append (submenu,
          action_item (_ ("Until _Tomorrow"), "tray.pause", g_variant_new_string ("tomorrow")));
  /* "tray.resume" is enabled only while paused. */
  append (submenu, action_item (_ ("_Off"), "tray.resume", NULL));
  gtk_menu_item_set_submenu (GTK_MENU_ITEM (item), submenu);
  return item;
}

static void
update_status (HeraldTray *self, gboolean account_attention)
{
  g_autofree char *title = NULL;

  self->attention = self->unread > 0 || account_attention;
  /* libayatana exports no StatusNotifierItem ToolTip: panels show the Title in its place. */
  if (self->unread > 0)
    /* TRANSLATORS: the tray icon's title (its tooltip) while events are unread */
    title = g_strdup_printf (
      ngettext ("Herald — %u unread event", "Herald — %u unread events", self->unread),
      self->unread);
  else
    title = g_strdup (_ ("Herald"));
#if HAVE_APPINDICATOR
  app_indicator_set_title (self->indicator, title);
  app_indicator_set_status (self->indicator, self->attention ? APP_INDICATOR_STATUS_ATTENTION
                                                             : APP_INDICATOR_STATUS_ACTIVE);
#endif
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (self->status_icon != NULL)
    {
      gtk_status_icon_set_tooltip_text (self->status_icon, title);
      gtk_status_icon_set_from_icon_name (self->status_icon,
                                          self->attention ? ATTENTION_ICON_NAME : ICON_NAME);
    }
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void queue_rebuild (HeraldTray *self);
static void count_unread (HeraldTray *self);

static gboolean
tick_cb (gpointer user_data)
{
  HeraldTray *self = user_data;

  self->tick_source = 0;
  queue_rebuild (self);
  return G_SOURCE_REMOVE;
}

static void
destroy_widget (GtkWidget *widget, gpointer user_data)
{
  gtk_widget_destroy (widget);
}

static void
rebuild_menu (HeraldTray *self)
{
  GtkWidget *menu = self->menu;
  gint64 now = g_get_real_time ();
  guint n_events = self->model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  gboolean counting_down = FALSE;
  gboolean account_attention = FALSE;
  gint64 until = paused_until (self);
  GtkWidget *item;

  /* The same menu is refilled, never replaced: the indicator registers with the watcher again
   * on every app_indicator_set_menu(), while dbusmenu follows insertions and removals. */
  gtk_container_foreach (GTK_CONTAINER (menu), destroy_widget, NULL);

  if (n_events == 0)
    {
      item = gtk_menu_item_new_with_label (_ ("No events yet"));
      gtk_widget_set_sensitive (item, FALSE);
      append (menu, item);
    }
  if (n_events > 0)
    {
      /* Read once per rebuild, not per event. */
      g_autoptr (GTimeZone) tz = g_time_zone_new_local ();

      for (guint i = 0; i < MIN (n_events, MENU_EVENTS); i++)
        {
          g_autoptr (HeraldEventItem) event = g_list_model_get_item (G_LIST_MODEL (self->model), i);

          append (menu, event_item (herald_event_item_get_event (event), tz, now));
        }
    }

  if (self->hub != NULL)
    {
      GListModel *accounts = herald_hub_get_accounts (self->hub);
      guint n_accounts = g_list_model_get_n_items (accounts);

      if (n_accounts > 0)
        append (menu, gtk_separator_menu_item_new ());
      for (guint i = 0; i < n_accounts; i++)
        {
          g_autoptr (HeraldAccount) account = g_list_model_get_item (accounts, i);
          g_autofree char *line = account_line (self, account, &counting_down);
          gboolean needs_attention
            = herald_hub_get_state (self->hub, herald_account_get_id (account), NULL)
              == HERALD_CONNECTION_NEEDS_ATTENTION;

          item = text_item (line);
          /* Only what the user can fix leads somewhere: the window tells what to do. */
          if (needs_attention)
            gtk_actionable_set_action_name (GTK_ACTIONABLE (item), "app.show-window");
          else
            gtk_widget_set_sensitive (item, FALSE);
          account_attention |= needs_attention;
          append (menu, item);
        }
    }

  append (menu, gtk_separator_menu_item_new ());
  if (until >= 0)
    {
      g_autofree char *line = paused_line (until);

      item = gtk_menu_item_new_with_label (line);
      gtk_widget_set_sensitive (item, FALSE);
      append (menu, item);
    }
  append (menu, pause_submenu (self));
  append (menu, gtk_separator_menu_item_new ());
  append (menu, action_item (_ ("Show _History"), "app.show-window", NULL));
  append (menu, action_item (_ ("P_references"), "app.preferences", NULL));
  append (menu, action_item (_ ("_Quit"), "app.quit", NULL));

  gtk_widget_show_all (menu);
  update_status (self, account_attention);

  /* Relative times and countdowns stay current through one timer for the whole menu. */
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (counting_down || n_events > 0)
    self->tick_source = g_timeout_add_seconds (counting_down ? 1 : 60, tick_cb, self);
}

static gboolean
rebuild_cb (gpointer user_data)
{
  HeraldTray *self = user_data;

  self->rebuild_source = 0;
  /* Not under the user's pointer: a menu popped up on the status icon waits until it closes. */
  if (self->menu != NULL && gtk_widget_get_mapped (self->menu))
    {
      self->rebuild_source = g_timeout_add (REBUILD_DELAY_MS, rebuild_cb, self);
      return G_SOURCE_REMOVE;
    }
  rebuild_menu (self);
  if (self->count_due)
    count_unread (self);
  return G_SOURCE_REMOVE;
}

static void
queue_rebuild (HeraldTray *self)
{
  if (self->rebuild_source == 0)
    self->rebuild_source = g_timeout_add (REBUILD_DELAY_MS, rebuild_cb, self);
}

static void
counted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HeraldTray) self = user_data;
  g_autoptr (GError) error = NULL;
  guint unread = herald_history_count_finish (HERALD_HISTORY (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->counting = FALSE;
  if (error != NULL)
    g_debug ("Counting unread events failed: %s", error->message);
  else if (unread != self->unread)
    {
      self->unread = unread;
      queue_rebuild (self);
    }
  /* Changes while the count was on its way are counted once more, not once each. */
  if (self->count_due)
    count_unread (self);
}

static void
count_unread (HeraldTray *self)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;

  if (self->hub == NULL || self->counting)
    return;
  query.unread_only = TRUE;
  self->counting = TRUE;
  self->count_due = FALSE;
  herald_history_count_async (herald_hub_get_history (self->hub), &query, self->cancellable,
                              counted_cb, g_object_ref (self));
}

static void
changed_cb (gpointer user_data)
{
  queue_rebuild (user_data);
}

static void
unread_changed_cb (gpointer user_data)
{
  HeraldTray *self = user_data;

  self->count_due = TRUE;
  queue_rebuild (self);
}

static void
resume (HeraldTray *self)
{
  g_settings_set_int64 (self->settings, "paused-until", 0);
  g_settings_set_boolean (self->settings, "paused", FALSE);
}

/* herald_pause_follow() ends a pause that has an end, whoever set it; the tray only shows it. */
static void
pause_changed_cb (GSettings *settings, const char *key, gpointer user_data)
{
  HeraldTray *self = user_data;

  g_simple_action_set_enabled (
    G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "resume")),
    paused_until (self) >= 0);
  queue_rebuild (self);
}

static void
pause_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  HeraldTray *self = user_data;
  const char *how = g_variant_get_string (parameter, NULL);

  herald_pause_until (self->settings, g_str_equal (how, "hour")
                                        ? g_get_real_time () / G_USEC_PER_SEC + 3600
                                        : herald_pause_tomorrow_morning ());
}

static void
resume_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  resume (user_data);
}

static void
set_visible (HeraldTray *self, gboolean visible)
{
  if (self->visible == visible)
    return;
  self->visible = visible;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE]);
}

static void
update_visible (HeraldTray *self)
{
  gboolean visible = FALSE;

#if HAVE_APPINDICATOR
  visible = self->indicator_connected;
#endif
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (self->status_icon != NULL)
    visible = visible || gtk_status_icon_is_embedded (self->status_icon);
  G_GNUC_END_IGNORE_DEPRECATIONS
  set_visible (self, visible);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
status_icon_activate_cb (GtkStatusIcon *icon, gpointer user_data)
{
  HeraldTray *self = user_data;

  g_action_group_activate_action (G_ACTION_GROUP (self->application), "show-window", NULL);
}

static void
status_icon_popup_menu_cb (GtkStatusIcon *icon, guint button, guint activate_time,
                           gpointer user_data)
{
  HeraldTray *self = user_data;

  gtk_menu_popup (GTK_MENU (self->menu), NULL, NULL, gtk_status_icon_position_menu, icon, button,
                  activate_time);
}

static void
status_icon_embedded_cb (GtkStatusIcon *icon, GParamSpec *pspec, gpointer user_data)
{
  update_visible (user_data);
}

/* Like network-manager-applet: with no StatusNotifierWatcher to take an AppIndicator, an X11
 * session may still have an XEmbed system tray. */
static void
start_fallback (HeraldTray *self)
{
  if (self->status_icon != NULL)
    return;
#ifdef GDK_WINDOWING_X11
  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    return;
  self->status_icon = gtk_status_icon_new_from_icon_name (ICON_NAME);
  gtk_status_icon_set_name (self->status_icon, HERALD_APP_ID);
  gtk_status_icon_set_title (self->status_icon, _ ("Herald"));
  g_signal_connect (self->status_icon, "activate", G_CALLBACK (status_icon_activate_cb), self);
  g_signal_connect (self->status_icon, "popup-menu", G_CALLBACK (status_icon_popup_menu_cb), self);
  g_signal_connect (self->status_icon, "notify::embedded", G_CALLBACK (status_icon_embedded_cb),
                    self);
  g_debug ("No StatusNotifierWatcher: showing a GtkStatusIcon");
  queue_rebuild (self);
#endif
}

static void
stop_fallback (HeraldTray *self)
{
  if (self->status_icon == NULL)
    return;
  gtk_status_icon_set_visible (self->status_icon, FALSE);
  g_signal_handlers_disconnect_by_data (self->status_icon, self);
  g_clear_object (&self->status_icon);
  update_visible (self);
}

G_GNUC_END_IGNORE_DEPRECATIONS

static void
watcher_appeared_cb (GDBusConnection *connection, const char *name, const char *owner,
                     gpointer user_data)
{
  stop_fallback (user_data);
}

static void
watcher_vanished_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  start_fallback (user_data);
}

#if HAVE_APPINDICATOR
/* The library tells whether a tray host took the icon; without one (stock GNOME, say)
 * nothing shows it, and Herald must keep a window instead. */
static void
connection_changed_cb (AppIndicator *indicator, gboolean connected, gpointer user_data)
{
  HeraldTray *self = user_data;

  self->indicator_connected = connected;
  update_visible (self);
}
#endif

static void
herald_tray_dispose (GObject *object)
{
  HeraldTray *self = HERALD_TRAY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  stop_fallback (self);
  if (self->hub != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->hub, self);
      g_signal_handlers_disconnect_by_data (herald_hub_get_history (self->hub), self);
    }
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->model);
  g_clear_object (&self->hub);
  g_clear_object (&self->settings);
  g_clear_object (&self->actions);
#if HAVE_APPINDICATOR
  g_clear_object (&self->indicator);
#endif
  if (self->menu != NULL)
    gtk_widget_destroy (self->menu);
  g_clear_object (&self->menu);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (herald_tray_parent_class)->dispose (object);
}

static void
herald_tray_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_VISIBLE:
      g_value_set_boolean (value, HERALD_TRAY (object)->visible);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_tray_class_init (HeraldTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = herald_tray_dispose;
  object_class->get_property = herald_tray_get_property;
  properties[PROP_VISIBLE]
    = g_param_spec_boolean ("visible", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
herald_tray_init (HeraldTray *self)
{
  static const GActionEntry entries[] = {
    { "pause", pause_activated, "s", NULL, NULL },
    { "resume", resume_activated, NULL, NULL, NULL },
  };

  self->cancellable = g_cancellable_new ();
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries),
                                   self);
}

HeraldTray *
herald_tray_new (GApplication *application, GSettings *settings)
{
#if HAVE_APPINDICATOR
  HeraldTray *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HERALD_TYPE_TRAY, NULL);
  self->application = application;
  self->settings = g_object_ref (settings);
  self->indicator = g_object_new (herald_indicator_get_type (), "id", HERALD_APP_ID, "category",
                                  "Communications", "icon-name", ICON_NAME, NULL);
  app_indicator_set_attention_icon_full (self->indicator, ATTENTION_ICON_NAME, _ ("Unread events"));
  g_signal_connect (self->indicator, "connection-changed", G_CALLBACK (connection_changed_cb),
                    self);
  g_signal_connect (settings, "changed::paused", G_CALLBACK (pause_changed_cb), self);
  g_signal_connect (settings, "changed::paused-until", G_CALLBACK (pause_changed_cb), self);
  herald_pause_follow (settings);
  self->watch_id
    = g_bus_watch_name (G_BUS_TYPE_SESSION, WATCHER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                        watcher_appeared_cb, watcher_vanished_cb, self, NULL);
  self->menu = g_object_ref_sink (gtk_menu_new ());
  gtk_widget_insert_action_group (self->menu, "app", G_ACTION_GROUP (application));
  gtk_widget_insert_action_group (self->menu, "tray", G_ACTION_GROUP (self->actions));
  pause_changed_cb (settings, "paused", self);
  rebuild_menu (self);
  app_indicator_set_menu (self->indicator, GTK_MENU (self->menu));
  return self;
#else
  return NULL;
#endif
}

void
herald_tray_set_hub (HeraldTray *self, HeraldHub *hub)
{
  g_return_if_fail (HERALD_IS_TRAY (self));
  g_return_if_fail (HERALD_IS_HUB (hub));
  g_return_if_fail (self->hub == NULL);

  self->hub = g_object_ref (hub);
  self->model = herald_event_model_new (hub);
  herald_event_model_set_page_size (self->model, MENU_EVENTS);
  /* The model hands over the hub's events in batches; the rebuild coalesces them further. */
  g_signal_connect_swapped (self->model, "items-changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (hub, "event-added", G_CALLBACK (unread_changed_cb), self);
  g_signal_connect_swapped (hub, "state-changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (herald_hub_get_history (hub), "read-changed",
                            G_CALLBACK (unread_changed_cb), self);
  self->count_due = TRUE;
  queue_rebuild (self);
}

gboolean
herald_tray_get_visible (HeraldTray *self)
{
  return self != NULL && self->visible;
}

gboolean
herald_tray_get_uses_fallback (HeraldTray *self)
{
  g_return_val_if_fail (HERALD_IS_TRAY (self), FALSE);

  return self->status_icon != NULL;
}

GtkStatusIcon *
herald_tray_get_status_icon (HeraldTray *self)
{
  g_return_val_if_fail (HERALD_IS_TRAY (self), NULL);

  return self->status_icon;
}

GtkMenu *
herald_tray_get_menu (HeraldTray *self)
{
  g_return_val_if_fail (HERALD_IS_TRAY (self), NULL);

  return GTK_MENU (self->menu);
}

void
herald_tray_rebuild_now (HeraldTray *self)
{
  g_return_if_fail (HERALD_IS_TRAY (self));

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  rebuild_cb (self);
}
