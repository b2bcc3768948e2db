/* herald-tray.c — an AppIndicator (StatusNotifierItem) with a GtkMenu exported over
 * dbusmenu. Labels come from untrusted text, so their mnemonic underscores are escaped.
 * The menu is rebuilt at most once per REBUILD_DELAY_MS, so bursts cost one rebuild. */
#define G_LOG_DOMAIN "herald-tray"

#include "config.h"

#include <glib/gi18n.h>

#if HAVE_APPINDICATOR
#include <libayatana-appindicator/app-indicator.h>
#endif

#include "herald-format.h"
#include "herald-tray.h"

#define RECENT_ITEMS 5
#define REBUILD_DELAY_MS 250
#define MAX_LABEL_CHARS 60

struct _HeraldTray
{
  GObject parent_instance;

  GApplication *application;
  HeraldHub *hub;
  GQueue recent; /* HeraldEvent, newest first */
  guint rebuild_source;
  gboolean visible;
#if HAVE_APPINDICATOR
  AppIndicator *indicator;
#endif
};

G_DEFINE_FINAL_TYPE (HeraldTray, herald_tray, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_VISIBLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
action_item (const char *mnemonic_label, const char *action, GVariant *target)
{
  GtkWidget *item = gtk_menu_item_new_with_mnemonic (mnemonic_label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (item), action);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (item), target);
  return item;
}

static GtkWidget *
text_item (const char *untrusted)
{
  g_autofree char *clean = herald_format_clean_text (untrusted, MAX_LABEL_CHARS);
  g_autofree char *escaped = herald_format_escape_mnemonic (clean);

  return gtk_menu_item_new_with_mnemonic (escaped);
}

static void
rebuild_menu (HeraldTray *self)
{
#if HAVE_APPINDICATOR
  GtkWidget *menu = gtk_menu_new ();
  GtkWidget *item;
  GtkWidget *pause;
  GVariant *paused_state;

  if (g_queue_is_empty (&self->recent))
    {
      item = gtk_menu_item_new_with_label (_ ("No events yet"));
      gtk_widget_set_sensitive (item, FALSE);
      gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);
    }
  for (GList *l = self->recent.head; l != NULL; l = l->next)
    {
      HeraldEvent *event = l->data;

      item = text_item (herald_event_get_title (event));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (item), "app.show-window");
      gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);
    }

  if (self->hub != NULL)
    {
      GListModel *accounts = herald_hub_get_accounts (self->hub);
      gboolean separated = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
        {
          g_autoptr (HeraldAccount) account = g_list_model_get_item (accounts, i);
          const char *reason = NULL;
          g_autofree char *text = NULL;

          if (herald_hub_get_state (self->hub, herald_account_get_id (account), &reason)
              != HERALD_CONNECTION_NEEDS_ATTENTION)
            continue;
          if (!separated)
            gtk_menu_shell_append (GTK_MENU_SHELL (menu), gtk_separator_menu_item_new ());
          separated = TRUE;
          /* TRANSLATORS: tray menu entry for an account whose key was refused, etc. */
          text = g_strdup_printf (_ ("%s needs attention: %s"), herald_account_get_label (account),
                                  reason);
          item = text_item (text);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (item), "app.show-window");
          gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);
        }
    }

  gtk_menu_shell_append (GTK_MENU_SHELL (menu), gtk_separator_menu_item_new ());
  gtk_menu_shell_append (GTK_MENU_SHELL (menu),
                         action_item (_ ("Show _History"), "app.show-window", NULL));
  pause = gtk_check_menu_item_new_with_mnemonic (_ ("_Pause Notifications"));
  paused_state = g_action_group_get_action_state (G_ACTION_GROUP (self->application), "paused");
  if (paused_state != NULL)
    {
      gtk_check_menu_item_set_active (GTK_CHECK_MENU_ITEM (pause),
                                      g_variant_get_boolean (paused_state));
      g_variant_unref (paused_state);
    }
  gtk_actionable_set_action_name (GTK_ACTIONABLE (pause), "app.paused");
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), pause);
  gtk_menu_shell_append (GTK_MENU_SHELL (menu),
                         action_item (_ ("P_references"), "app.preferences", NULL));
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), action_item (_ ("_Quit"), "app.quit", NULL));

  gtk_widget_insert_action_group (menu, "app", G_ACTION_GROUP (self->application));
  gtk_widget_show_all (menu);
  app_indicator_set_menu (self->indicator, GTK_MENU (menu));
  app_indicator_set_status (self->indicator, APP_INDICATOR_STATUS_ACTIVE);
#endif
}

static gboolean
rebuild_cb (gpointer user_data)
{
  HeraldTray *self = user_data;

  self->rebuild_source = 0;
  rebuild_menu (self);
  return G_SOURCE_REMOVE;
}

static void
queue_rebuild (HeraldTray *self)
{
  if (self->rebuild_source == 0)
    self->rebuild_source = g_timeout_add (REBUILD_DELAY_MS, rebuild_cb, self);
}

static void
event_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  HeraldTray *self = user_data;

  g_queue_push_head (&self->recent, herald_event_ref (event));
  while (g_queue_get_length (&self->recent) > RECENT_ITEMS)
    herald_event_unref (g_queue_pop_tail (&self->recent));
  queue_rebuild (self);
}

static void
state_changed_cb (HeraldHub *hub, const char *account_id, int state, const char *reason,
                  gpointer user_data)
{
  queue_rebuild (user_data);
}

static void
paused_changed_cb (GActionGroup *group, const char *name, GVariant *state, gpointer user_data)
{
  queue_rebuild (user_data);
}

static void
herald_tray_dispose (GObject *object)
{
  HeraldTray *self = HERALD_TRAY (object);

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  if (self->hub != NULL)
    g_signal_handlers_disconnect_by_data (self->hub, self);
  if (self->application != NULL)
    g_signal_handlers_disconnect_by_data (self->application, self);
  g_clear_object (&self->hub);
  g_queue_clear_full (&self->recent, (GDestroyNotify)herald_event_unref);
#if HAVE_APPINDICATOR
  g_clear_object (&self->indicator);
#endif
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
  g_queue_init (&self->recent);
}

#if HAVE_APPINDICATOR
/* The library tells whether a tray host took the icon; without one (stock GNOME, say)
 * nothing shows it, and Herald must keep a window instead. */
static void
connection_changed_cb (AppIndicator *indicator, gboolean connected, gpointer user_data)
{
  HeraldTray *self = user_data;

  if (self->visible == connected)
    return;
  self->visible = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE]);
}
#endif

HeraldTray *
herald_tray_new (GApplication *application)
{
#if HAVE_APPINDICATOR
  HeraldTray *self = g_object_new (HERALD_TYPE_TRAY, NULL);

  self->application = application;
  self->indicator = app_indicator_new (HERALD_APP_ID, HERALD_APP_ID "-symbolic",
                                       APP_INDICATOR_CATEGORY_COMMUNICATIONS);
  app_indicator_set_title (self->indicator, _ ("Herald"));
  g_signal_connect (self->indicator, "connection-changed", G_CALLBACK (connection_changed_cb),
                    self);
  g_signal_connect (application, "action-state-changed::paused", G_CALLBACK (paused_changed_cb),
                    self);
  rebuild_menu (self);
  return self;
#else
  return NULL;
#endif
}

void
herald_tray_set_hub (HeraldTray *self, HeraldHub *hub)
{
  g_return_if_fail (HERALD_IS_TRAY (self));

  g_set_object (&self->hub, hub);
  g_signal_connect (hub, "event-added", G_CALLBACK (event_added_cb), self);
  g_signal_connect (hub, "state-changed", G_CALLBACK (state_changed_cb), self);
  queue_rebuild (self);
}

gboolean
herald_tray_get_visible (HeraldTray *self)
{
  return self != NULL && self->visible;
}
