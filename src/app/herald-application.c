/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-application.c — startup order: settings, accounts (or the demo), the history
 * opened off the main thread, then the hub. A first launch lives in the tray; a second
 * launch (or the tray's "Show History") presents the window. */
#define G_LOG_DOMAIN "herald-app"

#include "config.h"

/* g_memory_settings_backend_new(), for the demo's throwaway settings. */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "herald-account-store.h"
#include "herald-application.h"
#include "herald-notifier.h"
#include "herald-pause.h"
#include "herald-preferences-window.h"
#include "herald-providers.h"
#include "herald-simulator.h"
#include "herald-tray.h"
#include "herald-window.h"

struct _HeraldApplication
{
  GtkApplication parent_instance;

  gboolean demo;
  GSettings *settings;
  HeraldAccountStore *store;
  GListStore *demo_accounts;
  HeraldSimulator *simulator;
  char *demo_dir;
  HeraldHistory *history;
  HeraldHub *hub;
  HeraldNotifier *notifier;
  HeraldTray *tray;
  HeraldWindow *window;
  HeraldPreferencesWindow *preferences;
  gboolean background;
  gboolean open_preferences;
  gboolean activated_once;
  gboolean held_for_tray;
  guint tray_grace_source;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HeraldApplication, herald_application, GTK_TYPE_APPLICATION)

/* How long a first launch waits for a tray host before it shows the window instead. */
#define TRAY_GRACE_S 3

static const GOptionEntry option_entries[]
  = { { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
        N_ ("Run against the built-in simulator with five demo accounts; nothing is saved"), NULL },
      { "preferences", 0, 0, G_OPTION_ARG_NONE, NULL,
        N_ ("Open the preferences (in the running Herald, if there is one)"), NULL },
      /* What the autostart entry runs: no window at login, only the tray icon. */
      { "background", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Start quietly in the tray"), NULL },
      { NULL } };

/* Closing the window keeps Herald in the tray when there is one to come back from. */
static gboolean
window_delete_cb (GtkWidget *window, GdkEvent *event, gpointer user_data)
{
  HeraldApplication *self = user_data;

  if (!herald_tray_get_visible (self->tray))
    return GDK_EVENT_PROPAGATE;
  gtk_widget_hide (window);
  return GDK_EVENT_STOP;
}

static HeraldWindow *
ensure_window (HeraldApplication *self)
{
  if (self->window == NULL)
    {
      self->window = herald_window_new (GTK_APPLICATION (self));
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *)&self->window);
      herald_window_set_demo (self->window, self->demo);
      g_signal_connect (self->window, "delete-event", G_CALLBACK (window_delete_cb), self);
      if (self->hub != NULL)
        herald_window_set_hub (self->window, self->hub);
    }
  return self->window;
}

static void
present_window (HeraldApplication *self)
{
  gtk_window_present (GTK_WINDOW (ensure_window (self)));
}

static void
present_preferences (HeraldApplication *self)
{
  if (self->preferences == NULL)
    {
      self->preferences
        = herald_preferences_window_new (GTK_APPLICATION (self), self->store, self->settings);
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *)&self->preferences);
      if (self->hub != NULL)
        herald_preferences_window_set_hub (self->preferences, self->hub);
    }
  gtk_window_present (GTK_WINDOW (self->preferences));
}

/* The tray is what keeps a windowless Herald alive; when it goes (the panel restarts, no
 * host at all), the window comes back rather than Herald vanishing. */
static void
tray_visible_cb (HeraldTray *tray, GParamSpec *pspec, gpointer user_data)
{
  HeraldApplication *self = user_data;
  gboolean visible = herald_tray_get_visible (tray);

  if (visible && !self->held_for_tray)
    {
      g_application_hold (G_APPLICATION (self));
      self->held_for_tray = TRUE;
    }
  else if (!visible && self->held_for_tray)
    {
      if (self->window == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->window)))
        present_window (self);
      g_application_release (G_APPLICATION (self));
      self->held_for_tray = FALSE;
    }
}

static gboolean
tray_grace_over_cb (gpointer user_data)
{
  HeraldApplication *self = user_data;

  self->tray_grace_source = 0;
  if (!herald_tray_get_visible (self->tray))
    present_window (self);
  return G_SOURCE_REMOVE;
}

static void
show_error (HeraldApplication *self, const char *primary, const char *secondary)
{
  GtkWidget *dialog;

  g_printerr ("herald: %s: %s\n", primary, secondary);
  dialog
    = gtk_message_dialog_new (GTK_WINDOW (ensure_window (self)), GTK_DIALOG_DESTROY_WITH_PARENT,
                              GTK_MESSAGE_WARNING, GTK_BUTTONS_CLOSE, "%s", primary);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_widget_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A click on a notification shows its event; a burst summary or an account's warning just
 * brings the window up (the rebuilt window may filter it to account_id). */
static void
notification_activated_cb (HeraldNotifier *notifier, const char *account_id, HeraldEvent *event,
                           gpointer user_data)
{
  HeraldApplication *self = user_data;
  const char *token = herald_notifier_get_activation_token (notifier);

  /* The click's token: without it a compositor may refuse the window the focus. */
  if (token != NULL)
    gtk_window_set_startup_id (GTK_WINDOW (ensure_window (self)), token);
  if (event == NULL)
    present_window (self);
  else
    herald_window_show_event (ensure_window (self), herald_event_get_account (event),
                              herald_event_get_id (event));
}

/* "Open" on a notification. GTK opens it, not the notifier: the launch gets the window (when
 * shown) and a startup id, and inside Flatpak it goes through the OpenURI portal. */
static void
notification_open_link_cb (HeraldNotifier *notifier, HeraldEvent *event, const char *uri,
                           gpointer user_data)
{
  HeraldApplication *self = user_data;
  g_autoptr (GError) error = NULL;
  GtkWindow *parent = self->window != NULL && gtk_widget_get_visible (GTK_WIDGET (self->window))
                        ? GTK_WINDOW (self->window)
                        : NULL;

  if (!gtk_show_uri_on_window (parent, uri, GDK_CURRENT_TIME, &error))
    g_warning ("Could not open %s: %s", uri, error->message);
}

static void
start_hub (HeraldApplication *self, GListModel *accounts)
{
  self->hub = herald_hub_new (accounts, self->history, NULL, NULL);
  self->notifier = herald_notifier_new (self->hub, self->settings);
  g_signal_connect_object (self->notifier, "activated", G_CALLBACK (notification_activated_cb),
                           self, 0);
  g_signal_connect_object (self->notifier, "open-link", G_CALLBACK (notification_open_link_cb),
                           self, 0);
  if (self->demo)
    herald_hub_set_use_keyring (self->hub, FALSE);
  if (self->tray != NULL)
    herald_tray_set_hub (self->tray, self->hub);
  if (self->window != NULL)
    herald_window_set_hub (self->window, self->hub);
  if (self->preferences != NULL)
    herald_preferences_window_set_hub (self->preferences, self->hub);
}

/* Five accounts, one per feed, pointed at the in-process simulator, with credentials held
 * in memory only. */
static void
add_demo_accounts (HeraldApplication *self)
{
  const char *const *feeds = herald_simulator_get_feeds ();
  gint64 month_ahead = g_get_real_time () / G_USEC_PER_SEC + 30 * 24 * 3600;
  g_autofree char *hashi_token = herald_simulator_make_test_jwt ("demo-player", month_ahead);

  /* The simulator's default tokens lapse after an hour; a demo may run longer. */
  herald_simulator_set_credential (self->simulator, "hashi", "token", hashi_token, NULL);

  for (guint i = 0; feeds[i] != NULL; i++)
    {
      const HeraldProviderInfo *info = herald_provider_info_lookup (feeds[i]);
      g_autofree char *id = g_strdup_printf ("demo-%s", feeds[i]);
      g_autofree char *endpoint = herald_simulator_get_endpoint (self->simulator, feeds[i]);
      g_autofree char *label = NULL;
      g_autoptr (HeraldAccount) account = NULL;
      const char *const *scopes = herald_simulator_get_scopes (self->simulator, feeds[i]);
      const HeraldCredentialSpec *specs;
      guint n_specs;

      if (info == NULL)
        continue;
      account = herald_account_new (info->kind, id);
      /* TRANSLATORS: label of a demo account, %s is a provider such as "Pally" */
      label = g_strdup_printf (_ ("Demo %s"), info->name);
      herald_account_set_label (account, label);
      herald_account_set_endpoint (account, endpoint);
      if (info->kind == HERALD_PROVIDER_SKINSHARK)
        herald_account_add_option_value (account, "sub-user", "demo-user");
      else if (info->kind == HERALD_PROVIDER_HASHI && scopes != NULL)
        for (guint j = 0; scopes[j] != NULL && j < 2; j++)
          herald_account_add_option_value (account, "lobby", scopes[j]);

      specs = herald_account_get_credentials (account, &n_specs);
      for (guint j = 0; j < n_specs; j++)
        {
          const char *secret
            = herald_simulator_get_credential (self->simulator, feeds[i], specs[j].field);

          if (secret != NULL)
            herald_hub_set_memory_credential (self->hub, id, specs[j].field, secret);
        }
      g_list_store_append (self->demo_accounts, account);
    }
}

static gboolean
start_demo (HeraldApplication *self, GError **error)
{
  g_autofree char *history_path = NULL;

  self->simulator = herald_simulator_new ();
  herald_simulator_set_seed (self->simulator, (guint64)g_get_real_time ());
  if (!herald_simulator_parse_scenario (self->simulator, NULL, "trickle:interval=4000", error)
      || !herald_simulator_listen (self->simulator, 0, error))
    return FALSE;

  /* The demo's history lives in a scratch directory removed at exit. */
  self->demo_dir = g_dir_make_tmp ("herald-demo-XXXXXX", error);
  if (self->demo_dir == NULL)
    return FALSE;
  history_path = g_build_filename (self->demo_dir, "history.db", NULL);
  self->history = herald_history_open (history_path, error);
  if (self->history == NULL)
    return FALSE;

  self->demo_accounts = g_list_store_new (HERALD_TYPE_ACCOUNT);
  start_hub (self, G_LIST_MODEL (self->demo_accounts));
  add_demo_accounts (self);
  herald_hub_start (self->hub);
  return TRUE;
}

static void
history_opened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HeraldApplication) self = user_data;
  g_autoptr (GError) error = NULL;
  HeraldHistory *history = herald_history_open_finish (result, &error);

  if (history == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _ ("The history could not be opened"), error->message);
      return;
    }
  self->history = history;
  g_settings_bind (self->settings, "history-limit", self->history, "limit", G_SETTINGS_BIND_GET);
  if (herald_history_get_moved_aside_path (history) != NULL)
    {
      g_autofree char *message
        = g_strdup_printf (_ ("It was moved to %s and a new history was started."),
                           herald_history_get_moved_aside_path (history));

      show_error (self, _ ("The history was damaged"), message);
    }
  start_hub (self, G_LIST_MODEL (self->store));
  herald_hub_start (self->hub);
}

static void
start_normal (HeraldApplication *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *history_path = herald_history_default_path ();

  self->store = herald_account_store_new (NULL);
  if (!herald_account_store_load (self->store, &error))
    show_error (self, _ ("Your accounts could not be read"), error->message);
  else if (herald_account_store_get_moved_aside_path (self->store) != NULL)
    {
      g_autofree char *message
        = g_strdup_printf (_ ("It was moved to %s; Herald starts with no accounts."),
                           herald_account_store_get_moved_aside_path (self->store));

      show_error (self, _ ("The accounts file was damaged"), message);
    }
  /* Accounts added or removed with `herald account …` while Herald runs are followed. */
  herald_account_store_watch (self->store);
  herald_history_open_async (history_path, self->cancellable, history_opened_cb,
                             g_object_ref (self));
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
show_window_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  present_window (HERALD_APPLICATION (user_data));
}

/* (ss): account id, event id. From the tray's menu and notifications. */
static void
show_event_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  const char *account, *id;

  g_variant_get (parameter, "(&s&s)", &account, &id);
  herald_window_show_event (ensure_window (HERALD_APPLICATION (user_data)), account, id);
}

static void
preferences_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  present_preferences (HERALD_APPLICATION (user_data));
}

static void
mark_all_read_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  HeraldApplication *self = user_data;

  if (self->history != NULL)
    herald_history_mark_read (self->history, NULL, NULL, TRUE);
  if (self->window != NULL)
    herald_window_mark_all_read (self->window);
}

static void
retry_all_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  HeraldApplication *self = user_data;
  GListModel *accounts;

  if (self->hub == NULL)
    return;
  accounts = herald_hub_get_accounts (self->hub);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (accounts, i);

      if (herald_hub_get_state (self->hub, herald_account_get_id (account), NULL)
          == HERALD_CONNECTION_NEEDS_ATTENTION)
        herald_hub_retry (self->hub, herald_account_get_id (account));
    }
}

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  HeraldApplication *self = user_data;
  const char *authors[] = { _ ("The Herald developers"), NULL };

  gtk_show_about_dialog (
    GTK_WINDOW (ensure_window (self)), "program-name", _ ("Herald"), "logo-icon-name",
    HERALD_APP_ID, "version", PACKAGE_VERSION, "comments",
    _ ("Desktop notifications for deposits, trades, lobbies, payments, positions and tips"),
    "authors", authors, "license-type", GTK_LICENSE_GPL_3_0, "website",
    "https://github.com/heraldapp/herald", NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated, NULL, NULL, NULL },
  { "show-window", show_window_activated, NULL, NULL, NULL },
  { "show-event", show_event_activated, "(ss)", NULL, NULL },
  { "preferences", preferences_activated, NULL, NULL, NULL },
  { "mark-all-read", mark_all_read_activated, NULL, NULL, NULL },
  { "retry-all", retry_all_activated, NULL, NULL, NULL },
  { "about", about_activated, NULL, NULL, NULL },
};

/* SIGTERM (logout, systemd, kill) and SIGINT (Ctrl+C) end Herald the ordinary way, so the
 * history is flushed and the demo's scratch directory removed. */
static gboolean
quit_on_signal_cb (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static int
herald_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  HeraldApplication *self = HERALD_APPLICATION (application);

  if (g_variant_dict_contains (options, "demo"))
    {
      self->demo = TRUE;
      /* A demo is its own instance: it must not present, or be presented by, the real one. */
      g_application_set_flags (application,
                               g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
    }
  if (g_variant_dict_contains (options, "preferences"))
    {
      g_autoptr (GError) error = NULL;

      /* A running Herald opens its own preferences; this process has nothing more to do. */
      if (!g_application_register (application, NULL, &error))
        {
          g_printerr ("herald: %s\n", error->message);
          return 1;
        }
      if (g_application_get_is_remote (application))
        {
          g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
          return 0;
        }
      self->open_preferences = TRUE;
    }
  if (g_variant_dict_contains (options, "background"))
    {
      g_autoptr (GError) error = NULL;

      /* At login, a Herald already running (started by hand) is left as it is. */
      if (!g_application_register (application, NULL, &error))
        {
          g_printerr ("herald: %s\n", error->message);
          return 1;
        }
      if (g_application_get_is_remote (application))
        return 0;
      self->background = TRUE;
    }
  return -1;
}

static gboolean
schema_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema
    = source ? g_settings_schema_source_lookup (source, HERALD_APP_ID, TRUE) : NULL;

  return schema != NULL;
}

static void
herald_application_startup (GApplication *application)
{
  HeraldApplication *self = HERALD_APPLICATION (application);
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
  g_autoptr (GAction) paused = NULL;
  g_autoptr (GError) error = NULL;

  G_APPLICATION_CLASS (herald_application_parent_class)->startup (application);

  if (!schema_installed ())
    {
      g_printerr ("herald: %s\n",
                  _ ("Herald’s settings schema is not installed; install Herald, or run it "
                     "with GSETTINGS_SCHEMA_DIR pointing at the build’s data directory"));
      exit (1);
    }
  if (self->demo)
    {
      /* The demo leaves the user's settings alone as well. */
      g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();

      self->settings = g_settings_new_with_backend (HERALD_APP_ID, backend);
    }
  else
    self->settings = g_settings_new (HERALD_APP_ID);

  gtk_css_provider_load_from_resource (css, "/io/github/heraldapp/Herald/ui/herald.css");
  gtk_style_context_add_provider_for_screen (gdk_screen_get_default (), GTK_STYLE_PROVIDER (css),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_append_search_path (gtk_icon_theme_get_default (), HERALD_ICONDIR);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  g_unix_signal_add (SIGTERM, quit_on_signal_cb, self);
  g_unix_signal_add (SIGINT, quit_on_signal_cb, self);
  herald_pause_follow (self->settings);
  paused = g_settings_create_action (self->settings, "paused");
  g_action_map_add_action (G_ACTION_MAP (self), paused);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]){ "<Primary>q", NULL });

  self->tray = herald_tray_new (application, self->settings);
  if (self->tray != NULL)
    g_signal_connect (self->tray, "notify::visible", G_CALLBACK (tray_visible_cb), self);

  if (self->demo)
    {
      if (!start_demo (self, &error))
        {
          g_printerr ("herald: %s: %s\n", _ ("The demo could not start"), error->message);
          exit (1);
        }
    }
  else
    start_normal (self);
}

static gboolean
release_grace_hold_cb (gpointer user_data)
{
  g_autoptr (HeraldApplication) self = user_data;

  g_application_release (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static void
herald_application_activate (GApplication *application)
{
  HeraldApplication *self = HERALD_APPLICATION (application);
  gboolean first = !self->activated_once;

  self->activated_once = TRUE;
  if (self->open_preferences)
    {
      self->open_preferences = FALSE;
      present_preferences (self);
      return;
    }
  /* The first launch of a configured Herald (or one started with --background) goes straight
   * to the tray; the demo, a first run without accounts, a Herald without tray, and every
   * later launch show the window. */
  if (first && self->tray != NULL && !self->demo && self->store != NULL
      && (self->background || g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0))
    {
      /* A tray host takes the icon within moments; if none does, show the window. The
       * application is held meanwhile, or it would quit with nothing open. */
      g_application_hold (application);
      self->tray_grace_source = g_timeout_add_seconds (TRAY_GRACE_S, tray_grace_over_cb, self);
      g_timeout_add_seconds (TRAY_GRACE_S + 1, release_grace_hold_cb, g_object_ref (self));
      return;
    }
  present_window (self);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

static void
herald_application_shutdown (GApplication *application)
{
  HeraldApplication *self = HERALD_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tray_grace_source, g_source_remove);
  if (self->hub != NULL)
    herald_hub_stop (self->hub);
  if (self->history != NULL)
    herald_history_flush (self->history);
  if (self->window != NULL)
    gtk_widget_destroy (GTK_WIDGET (self->window));
  if (self->preferences != NULL)
    gtk_widget_destroy (GTK_WIDGET (self->preferences));
  g_clear_object (&self->tray);
  g_clear_object (&self->notifier);
  g_clear_object (&self->hub);
  g_clear_object (&self->history);
  g_clear_object (&self->simulator);
  if (self->demo_dir != NULL)
    remove_tree (self->demo_dir);
  G_APPLICATION_CLASS (herald_application_parent_class)->shutdown (application);
}

static void
herald_application_finalize (GObject *object)
{
  HeraldApplication *self = HERALD_APPLICATION (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->demo_accounts);
  g_free (self->demo_dir);
  G_OBJECT_CLASS (herald_application_parent_class)->finalize (object);
}

static void
herald_application_class_init (HeraldApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = herald_application_finalize;
  app_class->handle_local_options = herald_application_handle_local_options;
  app_class->startup = herald_application_startup;
  app_class->activate = herald_application_activate;
  app_class->shutdown = herald_application_shutdown;
}

static void
herald_application_init (HeraldApplication *self)
{
  self->cancellable = g_cancellable_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

HeraldApplication *
herald_application_new (void)
{
  return g_object_new (HERALD_TYPE_APPLICATION, "application-id", HERALD_APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, NULL);
}

HeraldHub *
herald_application_get_hub (HeraldApplication *self)
{
  g_return_val_if_fail (HERALD_IS_APPLICATION (self), NULL);
  return self->hub;
}
