/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-preferences-window.c — plain GTK 3 (a GtkStack with a switcher), not libhandy:
 * the GNOME 51 Flatpak runtime no longer ships libhandy. Every change applies at once. */
#define G_LOG_DOMAIN "herald-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "herald-account-form.h"
#include "herald-autostart.h"
#include "herald-event.h"
#include "herald-form-field.h"
#include "herald-pause.h"
#include "herald-preferences-window.h"
#include "herald-provider-info.h"
#include "herald-secret.h"

struct _HeraldPreferencesWindow
{
  GtkWindow parent_instance;

  GtkStack *stack;
  GtkStackSwitcher *switcher;
  GtkButton *add_button;
  GtkListBox *accounts_list;
  GtkBox *notifications_page;
  GtkBox *general_page;

  GtkComboBoxText *pause_combo;
  GtkLabel *pause_label;
  gboolean pause_until_listed;
  GtkLabel *history_count_label;
  GtkWidget *clear_history_button;
  GtkSwitch *login_switch;

  HeraldAccountStore *store;
  HeraldHub *hub;
  GSettings *settings;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HeraldPreferencesWindow, herald_preferences_window, GTK_TYPE_WINDOW)

static const struct
{
  HeraldCategory category;
  const char *mnemonic;
} categories[] = {
  { HERALD_CATEGORY_DEPOSIT, N_ ("_Deposits") },   { HERALD_CATEGORY_TRADE, N_ ("_Trades") },
  { HERALD_CATEGORY_LOBBY, N_ ("_Lobbies") },      { HERALD_CATEGORY_CONTRACT, N_ ("_Contracts") },
  { HERALD_CATEGORY_STORAGE, N_ ("St_orage") },    { HERALD_CATEGORY_ORDER, N_ ("O_rders") },
  { HERALD_CATEGORY_POSITION, N_ ("Pos_itions") }, { HERALD_CATEGORY_TIP, N_ ("Ti_ps") },
  { HERALD_CATEGORY_SYSTEM, N_ ("S_ystem") },
};

static void
show_message (GtkWindow *parent, const char *primary, const char *secondary)
{
  GtkWidget *dialog
    = gtk_message_dialog_new (parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                              GTK_MESSAGE_WARNING, GTK_BUTTONS_CLOSE, "%s", primary);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_widget_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A titled group of rows, as GNOME Settings lays them out. */
static GtkListBox *
add_section (GtkBox *page, const char *title)
{
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *list = gtk_list_box_new ();
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  gtk_label_set_attributes (GTK_LABEL (heading), attrs);
  pango_attr_list_unref (attrs);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  if (gtk_container_get_children (GTK_CONTAINER (page)) != NULL)
    gtk_widget_set_margin_top (heading, 12);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  herald_form_set_accessible_name (list, title);
  gtk_container_add (GTK_CONTAINER (frame), list);
  gtk_container_add (GTK_CONTAINER (page), heading);
  gtk_container_add (GTK_CONTAINER (page), frame);
  gtk_widget_show_all (heading);
  gtk_widget_show_all (frame);
  return GTK_LIST_BOX (list);
}

/* A row with a mnemonic title, an optional explanation, and the control it labels. Returns the
 * explanation label (or NULL) so callers can keep it current. */
static GtkLabel *
add_row (GtkListBox *list, const char *mnemonic, const char *subtitle, GtkWidget *control)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new_with_mnemonic (mnemonic);
  GtkWidget *sub = NULL;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_container_set_border_width (GTK_CONTAINER (box), 12);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_line_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (title), control);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_container_add (GTK_CONTAINER (text), title);
  if (subtitle != NULL)
    {
      sub = gtk_label_new (subtitle);
      gtk_label_set_xalign (GTK_LABEL (sub), 0);
      gtk_label_set_line_wrap (GTK_LABEL (sub), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (sub), 50);
      gtk_style_context_add_class (gtk_widget_get_style_context (sub), "dim-label");
      gtk_style_context_add_class (gtk_widget_get_style_context (sub), "caption");
      gtk_container_add (GTK_CONTAINER (text), sub);
    }
  gtk_widget_set_valign (control, GTK_ALIGN_CENTER);
  herald_form_set_accessible_name (control, gtk_label_get_text (GTK_LABEL (title)));
  gtk_container_add (GTK_CONTAINER (box), text);
  gtk_container_add (GTK_CONTAINER (box), control);
  gtk_container_add (GTK_CONTAINER (row), box);
  gtk_container_add (GTK_CONTAINER (list), row);
  gtk_widget_show_all (row);
  return sub ? GTK_LABEL (sub) : NULL;
}

static GtkWidget *
switch_for (HeraldPreferencesWindow *self, const char *key)
{
  GtkWidget *sw = gtk_switch_new ();

  g_settings_bind (self->settings, key, sw, "active", G_SETTINGS_BIND_DEFAULT);
  return sw;
}

/* ---- Accounts ------------------------------------------------------------------------- */

static GListModel *
accounts_model (HeraldPreferencesWindow *self)
{
  if (self->store != NULL)
    return G_LIST_MODEL (self->store);
  return self->hub ? herald_hub_get_accounts (self->hub) : NULL;
}

static char *
state_text (HeraldPreferencesWindow *self, HeraldAccount *account)
{
  const char *reason = NULL;
  HeraldConnectionState state;

  if (!herald_account_get_enabled (account))
    return g_strdup (_ ("Disabled"));
  if (self->hub == NULL)
    return g_strdup (_ ("Starting…"));
  state = herald_hub_get_state (self->hub, herald_account_get_id (account), &reason);
  switch (state)
    {
    case HERALD_CONNECTION_CONNECTED:
      return g_strdup (_ ("Connected"));
    case HERALD_CONNECTION_CONNECTING:
      return g_strdup (_ ("Connecting…"));
    case HERALD_CONNECTION_NEEDS_ATTENTION:
      /* TRANSLATORS: %s says why, e.g. "Pally refused the API key" */
      return g_strdup_printf (_ ("Needs attention: %s"), reason ? reason : "");
    case HERALD_CONNECTION_BACKING_OFF:
    case HERALD_CONNECTION_OFFLINE:
      /* The reason already says when the next attempt is. */
      return g_strdup (reason ? reason : "");
    case HERALD_CONNECTION_DISABLED:
    default:
      return g_strdup (_ ("Disabled"));
    }
}

static void
update_row (HeraldPreferencesWindow *self, GtkWidget *row)
{
  HeraldAccount *account = g_object_get_data (G_OBJECT (row), "herald-account");
  GtkLabel *title = g_object_get_data (G_OBJECT (row), "herald-title");
  GtkLabel *state = g_object_get_data (G_OBJECT (row), "herald-state");
  GtkSwitch *sw = g_object_get_data (G_OBJECT (row), "herald-switch");
  GtkWidget *edit = g_object_get_data (G_OBJECT (row), "herald-edit");
  GtkWidget *remove = g_object_get_data (G_OBJECT (row), "herald-remove");
  const char *label = herald_account_get_label (account);
  g_autofree char *text = state_text (self, account);
  g_autofree char *switch_name = NULL;
  g_autofree char *edit_name = NULL;
  g_autofree char *remove_name = NULL;

  gtk_label_set_text (title, herald_account_get_label (account));
  gtk_label_set_text (state, text);
  g_signal_handlers_block_matched (sw, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_switch_set_active (sw, herald_account_get_enabled (account));
  g_signal_handlers_unblock_matched (sw, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  /* TRANSLATORS: accessible name of an account's switch; %s is the account's label */
  switch_name = g_strdup_printf (_ ("Enable %s"), label);
  herald_form_set_accessible_name (GTK_WIDGET (sw), switch_name);
  /* Renamed accounts are announced by their new name. */
  /* TRANSLATORS: accessible names of an account's buttons; %s is the account's label */
  edit_name = g_strdup_printf (_ ("Edit %s"), label);
  remove_name = g_strdup_printf (_ ("Remove %s"), label);
  herald_form_set_accessible_name (edit, edit_name);
  gtk_widget_set_tooltip_text (edit, edit_name);
  herald_form_set_accessible_name (remove, remove_name);
  gtk_widget_set_tooltip_text (remove, remove_name);
}

static void
update_rows (HeraldPreferencesWindow *self)
{
  g_autoptr (GList) rows = gtk_container_get_children (GTK_CONTAINER (self->accounts_list));

  for (GList *l = rows; l != NULL; l = l->next)
    if (g_object_get_data (l->data, "herald-account") != NULL)
      update_row (self, l->data);
}

static void
enable_switched_cb (GtkSwitch *sw, GParamSpec *pspec, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;
  HeraldAccount *account = g_object_get_data (G_OBJECT (sw), "herald-account");
  g_autoptr (HeraldAccount) copy = herald_account_copy (account);
  g_autoptr (GError) error = NULL;

  herald_account_set_enabled (copy, gtk_switch_get_active (sw));
  /* A copy, so a failed save leaves the stored account as it was. */
  if (!herald_account_store_update (self->store, copy, &error))
    {
      show_message (GTK_WINDOW (self), _ ("The account could not be changed"), error->message);
      update_rows (self);
    }
}

static void
edit_clicked_cb (GtkButton *button, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;
  HeraldAccount *account = g_object_get_data (G_OBJECT (button), "herald-account");
  HeraldAccountForm *form
    = herald_account_form_new (GTK_WINDOW (self), self->store, self->hub, account);

  gtk_window_present (GTK_WINDOW (form));
}

typedef struct
{
  HeraldPreferencesWindow *self;
  char *account_id;
  gboolean forget_history;
} Removal;

static void
removal_free (Removal *removal)
{
  g_object_unref (removal->self);
  g_free (removal->account_id);
  g_free (removal);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Removal, removal_free)

static void
secrets_cleared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Removal) removal = user_data;
  HeraldPreferencesWindow *self = removal->self;
  g_autoptr (GError) error = NULL;

  /* Keys first, as the command line does: keys left without their account would linger in
   * the keyring unseen, while the account is still there to retry. */
  if (!herald_secret_clear_finish (result, &error))
    {
      show_message (GTK_WINDOW (self),
                    _ ("The account was kept because its keys could not be removed"),
                    error->message);
      return;
    }
  if (!herald_account_store_remove (self->store, removal->account_id, &error))
    {
      show_message (GTK_WINDOW (self), _ ("The account could not be removed"), error->message);
      return;
    }
  if (removal->forget_history && self->hub != NULL)
    herald_history_forget_account (herald_hub_get_history (self->hub), removal->account_id);
}

static void
remove_response_cb (GtkDialog *dialog, int response, gpointer user_data)
{
  g_autoptr (Removal) removal = user_data;
  GtkToggleButton *check = g_object_get_data (G_OBJECT (dialog), "herald-check");

  removal->forget_history = gtk_toggle_button_get_active (check);
  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (response != GTK_RESPONSE_ACCEPT)
    return;
  {
    Removal *owned = g_steal_pointer (&removal);

    herald_secret_clear_async (owned->account_id, NULL, owned->self->cancellable,
                               secrets_cleared_cb, owned);
  }
}

static void
remove_clicked_cb (GtkButton *button, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;
  HeraldAccount *account = g_object_get_data (G_OBJECT (button), "herald-account");
  GtkWidget *dialog, *check, *remove;
  Removal *removal;

  dialog
    = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                              GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                              /* TRANSLATORS: %s is the account's label */
                              _ ("Remove “%s”?"), herald_account_get_label (account));
  gtk_message_dialog_format_secondary_text (
    GTK_MESSAGE_DIALOG (dialog), "%s",
    _ ("Herald stops following it and deletes its keys from the keyring."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _ ("_Cancel"), GTK_RESPONSE_CANCEL);
  remove = gtk_dialog_add_button (GTK_DIALOG (dialog), _ ("_Remove"), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (remove), "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  check = gtk_check_button_new_with_mnemonic (_ ("Also _delete its history"));
  gtk_widget_show (check);
  gtk_container_add (
    GTK_CONTAINER (gtk_message_dialog_get_message_area (GTK_MESSAGE_DIALOG (dialog))), check);
  g_object_set_data (G_OBJECT (dialog), "herald-check", check);

  removal = g_new0 (Removal, 1);
  removal->self = g_object_ref (self);
  removal->account_id = g_strdup (herald_account_get_id (account));
  g_signal_connect (dialog, "response", G_CALLBACK (remove_response_cb), removal);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
icon_button (const char *icon_name, HeraldAccount *account)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name, GTK_ICON_SIZE_BUTTON);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "herald-account", g_object_ref (account),
                          g_object_unref);
  return button;
}

static GtkWidget *
create_account_row (gpointer item, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;
  HeraldAccount *account = item;
  const HeraldProviderInfo *info = herald_account_get_provider_info (account);
  const char *icon_name = herald_provider_get_icon_name (info->id);
  GtkWidget *row, *box, *icon, *text, *title, *state, *sw, *edit, *remove;

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_container_set_border_width (GTK_CONTAINER (box), 12);
  icon = gtk_image_new_from_icon_name (icon_name, GTK_ICON_SIZE_LARGE_TOOLBAR);
  herald_form_set_accessible_name (icon, info->name);
  gtk_container_add (GTK_CONTAINER (box), icon);

  text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  state = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (state), 0);
  gtk_label_set_line_wrap (GTK_LABEL (state), TRUE);
  gtk_style_context_add_class (gtk_widget_get_style_context (state), "dim-label");
  gtk_style_context_add_class (gtk_widget_get_style_context (state), "caption");
  gtk_container_add (GTK_CONTAINER (text), title);
  gtk_container_add (GTK_CONTAINER (text), state);
  gtk_container_add (GTK_CONTAINER (box), text);

  sw = gtk_switch_new ();
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (sw), "herald-account", g_object_ref (account), g_object_unref);
  gtk_container_add (GTK_CONTAINER (box), sw);

  edit = icon_button ("document-edit-symbolic", account);
  remove = icon_button ("user-trash-symbolic", account);
  gtk_container_add (GTK_CONTAINER (box), edit);
  gtk_container_add (GTK_CONTAINER (box), remove);
  if (self->store == NULL)
    {
      /* The demo's accounts live in memory only. */
      gtk_widget_set_sensitive (sw, FALSE);
      gtk_widget_set_sensitive (edit, FALSE);
      gtk_widget_set_sensitive (remove, FALSE);
    }
  else
    {
      g_signal_connect (sw, "notify::active", G_CALLBACK (enable_switched_cb), self);
      g_signal_connect (edit, "clicked", G_CALLBACK (edit_clicked_cb), self);
      g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
    }

  gtk_container_add (GTK_CONTAINER (row), box);
  g_object_set_data_full (G_OBJECT (row), "herald-account", g_object_ref (account), g_object_unref);
  g_object_set_data (G_OBJECT (row), "herald-title", title);
  g_object_set_data (G_OBJECT (row), "herald-state", state);
  g_object_set_data (G_OBJECT (row), "herald-switch", sw);
  g_object_set_data (G_OBJECT (row), "herald-edit", edit);
  g_object_set_data (G_OBJECT (row), "herald-remove", remove);
  update_row (self, row);
  gtk_widget_show_all (row);
  return row;
}

static void
bind_accounts (HeraldPreferencesWindow *self)
{
  GListModel *model = accounts_model (self);

  if (model != NULL)
    gtk_list_box_bind_model (self->accounts_list, model, create_account_row, self, NULL);
}

static void
add_clicked_cb (GtkButton *button, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;
  HeraldAccountForm *form
    = herald_account_form_new (GTK_WINDOW (self), self->store, self->hub, NULL);

  gtk_window_present (GTK_WINDOW (form));
}

static void
account_changed_cb (HeraldAccountStore *store, HeraldAccount *account, gpointer user_data)
{
  update_rows (user_data);
}

static void
state_changed_cb (HeraldHub *hub, const char *account_id, int state, const char *reason,
                  gpointer user_data)
{
  update_rows (user_data);
}

static void
build_accounts_page (HeraldPreferencesWindow *self)
{
  GtkWidget *placeholder = gtk_label_new (_ ("No accounts yet. Add one to start receiving "
                                             "notifications."));

  gtk_label_set_line_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_set_margin_top (placeholder, 24);
  gtk_widget_set_margin_bottom (placeholder, 24);
  gtk_style_context_add_class (gtk_widget_get_style_context (placeholder), "dim-label");
  gtk_widget_show (placeholder);
  gtk_list_box_set_placeholder (self->accounts_list, placeholder);

  if (self->store == NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), FALSE);
  else
    g_signal_connect_object (self->store, "account-changed", G_CALLBACK (account_changed_cb), self,
                             0);
  g_signal_connect (self->add_button, "clicked", G_CALLBACK (add_clicked_cb), self);
  bind_accounts (self);
}

/* ---- Notifications -------------------------------------------------------------------- */

/* One switch per category over the "muted-categories" list: on means not in the list. */
static gboolean
category_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *nick = user_data;
  g_autofree const char **muted = g_variant_get_strv (variant, NULL);

  g_value_set_boolean (value, !g_strv_contains (muted, nick));
  return TRUE;
}

typedef struct
{
  GSettings *settings;
  const char *nick;
} CategoryBinding;

static GVariant *
category_set_cb (const GValue *value, const GVariantType *expected_type, gpointer user_data)
{
  CategoryBinding *binding = user_data;
  g_auto (GStrv) muted = g_settings_get_strv (binding->settings, "muted-categories");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) result = NULL;

  for (guint i = 0; muted[i] != NULL; i++)
    if (!g_str_equal (muted[i], binding->nick))
      g_strv_builder_add (builder, muted[i]);
  if (!g_value_get_boolean (value))
    g_strv_builder_add (builder, binding->nick);
  result = g_strv_builder_end (builder);
  return g_variant_new_strv ((const char *const *)result, -1);
}

static gboolean
category_get_cb (GValue *value, GVariant *variant, gpointer user_data)
{
  CategoryBinding *binding = user_data;

  return category_get_mapping (value, variant, (gpointer)binding->nick);
}

/* The pause: off, until resumed, or until a time, which the combo then shows. */
#define PAUSE_UNTIL_POSITION 5

static char *
format_pause_end (gint64 until)
{
  g_autoptr (GDateTime) end = g_date_time_new_from_unix_local (until);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  if (end == NULL)
    return g_strdup ("");
  if (g_date_time_get_day_of_year (end) == g_date_time_get_day_of_year (now)
      && g_date_time_get_year (end) == g_date_time_get_year (now))
    /* TRANSLATORS: when a pause ends today, see strftime */
    return g_date_time_format (end, _ ("%H:%M"));
  /* TRANSLATORS: when a pause ends on another day, see strftime */
  return g_date_time_format (end, _ ("%A %H:%M"));
}

static void
pause_changed_cb (GtkComboBox *combo, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;
  const char *id = gtk_combo_box_get_active_id (combo);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 until = 0;

  if (id == NULL || g_str_equal (id, "until"))
    return;
  if (g_str_equal (id, "off"))
    {
      g_settings_set_boolean (self->settings, "paused", FALSE);
      return;
    }
  if (g_str_equal (id, "hour"))
    until = now + 3600;
  else if (g_str_equal (id, "8h"))
    until = now + 8 * 3600;
  else if (g_str_equal (id, "tomorrow"))
    until = herald_pause_tomorrow_morning ();
  herald_pause_until (self->settings, until);
}

static void
update_pause (HeraldPreferencesWindow *self)
{
  gboolean paused = g_settings_get_boolean (self->settings, "paused");
  gint64 until = g_settings_get_int64 (self->settings, "paused-until");
  g_autofree char *end = NULL;
  g_autofree char *text = NULL;

  g_signal_handlers_block_by_func (self->pause_combo, pause_changed_cb, self);
  if (self->pause_until_listed)
    gtk_combo_box_text_remove (self->pause_combo, PAUSE_UNTIL_POSITION);
  self->pause_until_listed = FALSE;
  if (!paused)
    {
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->pause_combo), "off");
      gtk_label_set_text (self->pause_label,
                          _ ("Connections stay open and events are still recorded."));
    }
  else if (until == 0)
    {
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->pause_combo), "resume");
      gtk_label_set_text (self->pause_label, _ ("Paused until you turn notifications on again."));
    }
  else
    {
      end = format_pause_end (until);
      /* TRANSLATORS: %s is when the pause ends, e.g. "14:30" */
      text = g_strdup_printf (_ ("Until %s"), end);
      gtk_combo_box_text_append (self->pause_combo, "until", text);
      self->pause_until_listed = TRUE;
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->pause_combo), "until");
      g_free (text);
      /* TRANSLATORS: %s is when the pause ends, e.g. "14:30" */
      text
        = g_strdup_printf (_ ("Paused until %s; notifications come back on by themselves."), end);
      gtk_label_set_text (self->pause_label, text);
    }
  g_signal_handlers_unblock_by_func (self->pause_combo, pause_changed_cb, self);
}

static void
pause_settings_changed_cb (GSettings *settings, const char *key, gpointer user_data)
{
  update_pause (user_data);
}

static void
build_notifications_page (HeraldPreferencesWindow *self)
{
  GtkListBox *list = add_section (self->notifications_page, _ ("Notifications"));
  GtkWidget *severity, *burst;

  add_row (list, _ ("_Show notifications"), _ ("Events are kept in the history either way."),
           switch_for (self, "notifications-enabled"));
  self->pause_combo = GTK_COMBO_BOX_TEXT (gtk_combo_box_text_new ());
  gtk_combo_box_text_append (self->pause_combo, "off", _ ("Off"));
  gtk_combo_box_text_append (self->pause_combo, "hour", _ ("For one hour"));
  gtk_combo_box_text_append (self->pause_combo, "8h", _ ("For eight hours"));
  gtk_combo_box_text_append (self->pause_combo, "tomorrow", _ ("Until tomorrow morning"));
  gtk_combo_box_text_append (self->pause_combo, "resume", _ ("Until I resume"));
  self->pause_label
    = add_row (list, _ ("P_ause notifications"), "", GTK_WIDGET (self->pause_combo));
  g_signal_connect (self->pause_combo, "changed", G_CALLBACK (pause_changed_cb), self);
  g_signal_connect_object (self->settings, "changed::paused",
                           G_CALLBACK (pause_settings_changed_cb), self, 0);
  g_signal_connect_object (self->settings, "changed::paused-until",
                           G_CALLBACK (pause_settings_changed_cb), self, 0);
  update_pause (self);
  add_row (list, _ ("Show _message text"),
           _ ("Tippers’ messages and item names appear in notifications."),
           switch_for (self, "notification-show-message"));
  add_row (list, _ ("Play a so_und"), NULL, switch_for (self, "notification-sound"));

  severity = gtk_combo_box_text_new ();
  gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (severity), "info", _ ("Everything"));
  gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (severity), "warning",
                             _ ("Warnings and critical events"));
  gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (severity), "critical", _ ("Critical events only"));
  g_settings_bind (self->settings, "notify-minimum-severity", severity, "active-id",
                   G_SETTINGS_BIND_DEFAULT);
  add_row (list, _ ("Minimum se_verity"), NULL, severity);

  burst = gtk_spin_button_new_with_range (1, 300, 1);
  g_settings_bind (self->settings, "burst-window", burst, "value", G_SETTINGS_BIND_DEFAULT);
  add_row (list, _ ("_Burst window (seconds)"),
           _ ("Events that arrive close together are summed up in one notification."), burst);

  list = add_section (self->notifications_page, _ ("Categories"));
  for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
    {
      GtkWidget *sw = gtk_switch_new ();
      CategoryBinding *binding = g_new0 (CategoryBinding, 1);

      binding->settings = self->settings;
      binding->nick = herald_category_to_string (categories[i].category);
      g_settings_bind_with_mapping (self->settings, "muted-categories", sw, "active",
                                    G_SETTINGS_BIND_DEFAULT, category_get_cb, category_set_cb,
                                    binding, g_free);
      add_row (list, _ (categories[i].mnemonic), NULL, sw);
    }
}

/* ---- General -------------------------------------------------------------------------- */

static void
count_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GPtrArray) events
    = herald_history_query_finish (HERALD_HISTORY (source), result, NULL);
  HeraldPreferencesWindow *self;
  g_autofree char *text = NULL;

  if (events == NULL)
    return;
  self = HERALD_PREFERENCES_WINDOW (user_data);
  /* TRANSLATORS: how many events the history holds now */
  text = g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE, "%u event stored now", "%u events stored now", events->len),
    events->len);
  gtk_label_set_text (self->history_count_label, text);
  gtk_widget_set_sensitive (self->clear_history_button, events->len > 0);
}

static void
update_history_count (HeraldPreferencesWindow *self)
{
  if (self->hub == NULL)
    return;
  herald_history_query_async (herald_hub_get_history (self->hub), NULL, self->cancellable,
                              count_loaded_cb, self);
}

static void
clear_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HeraldHistory *history = HERALD_HISTORY (source);
  g_autoptr (GPtrArray) events = herald_history_query_finish (history, result, NULL);
  g_autoptr (GHashTable) accounts = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer account;

  if (events == NULL)
    return;
  /* Every account that has events, removed ones included. */
  for (guint i = 0; i < events->len; i++)
    g_hash_table_add (accounts, (gpointer)herald_event_get_account (g_ptr_array_index (events, i)));
  g_hash_table_iter_init (&iter, accounts);
  while (g_hash_table_iter_next (&iter, &account, NULL))
    herald_history_forget_account (history, account);
  herald_history_flush (history);
  update_history_count (HERALD_PREFERENCES_WINDOW (user_data));
}

static void
clear_response_cb (GtkDialog *dialog, int response, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;

  gtk_widget_destroy (GTK_WIDGET (dialog));
  if (response != GTK_RESPONSE_ACCEPT || self->hub == NULL)
    return;
  herald_history_query_async (herald_hub_get_history (self->hub), NULL, self->cancellable,
                              clear_loaded_cb, self);
}

static void
clear_clicked_cb (GtkButton *button, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;
  GtkWidget *dialog, *clear;

  dialog = gtk_message_dialog_new (
    GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT, GTK_MESSAGE_QUESTION,
    GTK_BUTTONS_NONE, "%s", _ ("Clear the whole history?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _ ("Every stored event is deleted. This cannot be "
                                               "undone."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _ ("_Cancel"), GTK_RESPONSE_CANCEL);
  clear = gtk_dialog_add_button (GTK_DIALOG (dialog), _ ("C_lear History"), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (clear), "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect (dialog, "response", G_CALLBACK (clear_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
autostart_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = herald_autostart_set_finish (result, &error);
  HeraldPreferencesWindow *self;
  gboolean wanted;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = HERALD_PREFERENCES_WINDOW (user_data);
  wanted = gtk_switch_get_active (self->login_switch);
  if (!ok)
    {
      /* Nothing changed: the switch goes back to what is true. */
      show_message (GTK_WINDOW (self), _ ("Start at login could not be changed"), error->message);
      g_signal_handlers_block_matched (self->login_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                       self);
      gtk_switch_set_active (self->login_switch, !wanted);
      g_signal_handlers_unblock_matched (self->login_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                         self);
      gtk_switch_set_state (self->login_switch, !wanted);
      return;
    }
  g_settings_set_boolean (self->settings, "start-at-login", wanted);
  gtk_switch_set_state (self->login_switch, wanted);
}

/* The switch shows the new position at once and its state once the change is real. */
static gboolean
login_state_set_cb (GtkSwitch *sw, gboolean state, gpointer user_data)
{
  HeraldPreferencesWindow *self = user_data;

  herald_autostart_set_async (state, self->cancellable, autostart_done_cb, self);
  return TRUE;
}

static void
build_general_page (HeraldPreferencesWindow *self)
{
  GtkListBox *list = add_section (self->general_page, _ ("History"));
  GtkWidget *limit = gtk_spin_button_new_with_range (100, 1000000, 100);
  GtkWidget *sw;

  g_settings_bind (self->settings, "history-limit", limit, "value", G_SETTINGS_BIND_DEFAULT);
  self->history_count_label = add_row (list, _ ("_Events kept"), "", limit);
  self->clear_history_button = gtk_button_new_with_mnemonic (_ ("_Clear History…"));
  gtk_style_context_add_class (gtk_widget_get_style_context (self->clear_history_button),
                               "destructive-action");
  gtk_widget_set_sensitive (self->clear_history_button, FALSE);
  g_signal_connect (self->clear_history_button, "clicked", G_CALLBACK (clear_clicked_cb), self);
  add_row (list, _ ("Delete every stored event"), NULL, self->clear_history_button);
  herald_form_set_accessible_name (self->clear_history_button, _ ("Clear History…"));

  list = add_section (self->general_page, _ ("Startup"));
  sw = gtk_switch_new ();
  self->login_switch = GTK_SWITCH (sw);
  gtk_switch_set_active (self->login_switch,
                         g_settings_get_boolean (self->settings, "start-at-login"));
  g_signal_connect (sw, "state-set", G_CALLBACK (login_state_set_cb), self);
  /* The demo saves nothing, the autostart entry included. */
  gtk_widget_set_sensitive (sw, self->store != NULL);
  add_row (list, _ ("Start at _login"), _ ("Herald starts quietly in the tray when you log in."),
           sw);
}

/* ---- GObject -------------------------------------------------------------------------- */

/* GtkStackSwitcher shows page titles without mnemonics; each page gets a letter that no
 * control on any page uses, so Alt+letter always reaches the page. */
static void
add_page_mnemonic_cb (GtkWidget *button, gpointer user_data)
{
  static const struct
  {
    const char *title;
    const char *mnemonic;
  } pages[] = {
    { N_ ("Accounts"), N_ ("Accou_nts") },
    { N_ ("Notifications"), N_ ("Noti_fications") },
    { N_ ("General"), N_ ("_General") },
  };
  GtkWidget *child = GTK_IS_BIN (button) ? gtk_bin_get_child (GTK_BIN (button)) : NULL;

  if (!GTK_IS_LABEL (child))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (g_str_equal (gtk_label_get_text (GTK_LABEL (child)), _ (pages[i].title)))
      {
        gtk_label_set_text_with_mnemonic (GTK_LABEL (child), _ (pages[i].mnemonic));
        gtk_label_set_mnemonic_widget (GTK_LABEL (child), button);
      }
}

/* The count is read when the page is shown, not kept current with every event. */
static void
visible_page_changed_cb (GtkStack *stack, GParamSpec *pspec, gpointer user_data)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "general") == 0)
    update_history_count (HERALD_PREFERENCES_WINDOW (user_data));
}

static gboolean
key_pressed_cb (GtkWidget *widget, GdkEventKey *event, gpointer user_data)
{
  if (event->keyval == GDK_KEY_Escape)
    {
      gtk_window_close (GTK_WINDOW (widget));
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
herald_preferences_window_dispose (GObject *object)
{
  HeraldPreferencesWindow *self = HERALD_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->hub != NULL)
    g_signal_handlers_disconnect_by_data (self->hub, self);
  g_clear_object (&self->hub);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (herald_preferences_window_parent_class)->dispose (object);
}

static void
herald_preferences_window_class_init (HeraldPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = herald_preferences_window_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/heraldapp/Herald/ui/herald-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeraldPreferencesWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HeraldPreferencesWindow, switcher);
  gtk_widget_class_bind_template_child (widget_class, HeraldPreferencesWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, HeraldPreferencesWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, HeraldPreferencesWindow, notifications_page);
  gtk_widget_class_bind_template_child (widget_class, HeraldPreferencesWindow, general_page);
}

static void
herald_preferences_window_init (HeraldPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The header bar shows the switcher; the title is still what the window list and screen
   * readers announce. */
  gtk_window_set_title (GTK_WINDOW (self), _ ("Herald Preferences"));
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self, "key-press-event", G_CALLBACK (key_pressed_cb), NULL);
  g_signal_connect (self->stack, "notify::visible-child", G_CALLBACK (visible_page_changed_cb),
                    self);
  gtk_container_foreach (GTK_CONTAINER (self->switcher), add_page_mnemonic_cb, NULL);
}

HeraldPreferencesWindow *
herald_preferences_window_new (GtkApplication *application, HeraldAccountStore *store,
                               GSettings *settings)
{
  HeraldPreferencesWindow *self;

  g_return_val_if_fail (store == NULL || HERALD_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HERALD_TYPE_PREFERENCES_WINDOW, "application", application, NULL);
  self->store = store ? g_object_ref (store) : NULL;
  self->settings = g_object_ref (settings);
  build_accounts_page (self);
  build_notifications_page (self);
  build_general_page (self);
  return self;
}

void
herald_preferences_window_set_hub (HeraldPreferencesWindow *self, HeraldHub *hub)
{
  g_return_if_fail (HERALD_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (HERALD_IS_HUB (hub));

  if (self->hub != NULL)
    g_signal_handlers_disconnect_by_data (self->hub, self);
  g_set_object (&self->hub, hub);
  g_signal_connect_object (hub, "state-changed", G_CALLBACK (state_changed_cb), self, 0);
  if (self->store == NULL)
    bind_accounts (self);
  update_rows (self);
  update_history_count (self);
}
