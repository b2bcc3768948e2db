/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-status.c — one row per account, rebuilt when an account's state or the list
 * changes (rare); while the popover is open one timer counts every backoff down each second. */
#define G_LOG_DOMAIN "herald-window"

#include "config.h"

#include <glib/gi18n.h>

#include "herald-account-status.h"
#include "herald-provider-info.h"
#include "herald-event-row.h"

struct _HeraldAccountStatus
{
  GtkPopover parent_instance;

  GtkGrid *grid;
  HeraldHub *hub;
  /* account id → its state label, for the countdown */
  GHashTable *state_labels;
  guint tick_source;
};

G_DEFINE_FINAL_TYPE (HeraldAccountStatus, herald_account_status, GTK_TYPE_POPOVER)

char *
herald_account_status_describe (HeraldHub *hub, const char *account_id, gint64 now_us)
{
  const char *reason = NULL;
  HeraldConnectionState state = herald_hub_get_state (hub, account_id, &reason);

  switch (state)
    {
    case HERALD_CONNECTION_CONNECTED:
      return g_strdup (_ ("Connected"));
    case HERALD_CONNECTION_CONNECTING:
      return g_strdup (_ ("Connecting…"));
    case HERALD_CONNECTION_OFFLINE:
      return g_strdup (_ ("Offline: waiting for the network"));
    case HERALD_CONNECTION_NEEDS_ATTENTION:
      /* TRANSLATORS: "Needs attention: <why>" */
      return g_strdup_printf (_ ("Needs attention: %s"), reason ? reason : _ ("unknown"));
    case HERALD_CONNECTION_BACKING_OFF:
      {
        gint64 due = herald_hub_get_retry_time (hub, account_id);
        gint64 left_s = due > now_us ? (due - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC : 0;

        if (left_s == 0)
          return g_strdup (_ ("Reconnecting…"));
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Reconnecting in %d s",
                                             "Reconnecting in %d s", (gulong)left_s),
                                (int)left_s);
      }
    case HERALD_CONNECTION_DISABLED:
    default:
      return g_strdup (_ ("Not connected"));
    }
}

static void
retry_clicked_cb (GtkButton *button, gpointer user_data)
{
  HeraldAccountStatus *self = user_data;
  const char *id = g_object_get_data (G_OBJECT (button), "herald-account-id");

  if (self->hub != NULL)
    herald_hub_retry (self->hub, id);
}

static void
rebuild (HeraldAccountStatus *self)
{
  GListModel *accounts;
  GList *children = gtk_container_get_children (GTK_CONTAINER (self->grid));
  gint64 now = g_get_monotonic_time ();
  guint n;

  for (GList *l = children; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  g_list_free (children);
  g_hash_table_remove_all (self->state_labels);
  if (self->hub == NULL)
    return;

  accounts = herald_hub_get_accounts (self->hub);
  n = g_list_model_get_n_items (accounts);
  if (n == 0)
    {
      GtkWidget *none = gtk_label_new (_ ("No accounts yet"));

      gtk_style_context_add_class (gtk_widget_get_style_context (none), "dim-label");
      gtk_grid_attach (self->grid, none, 0, 0, 3, 1);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (accounts, i);
      const char *id = herald_account_get_id (account);
      g_autofree char *text = herald_account_status_describe (self->hub, id, now);
      HeraldConnectionState state = herald_hub_get_state (self->hub, id, NULL);
      GtkWidget *icon, *name, *label;

      icon = gtk_image_new_from_icon_name (
        herald_provider_get_icon_name (herald_account_get_provider_info (account)->id),
        GTK_ICON_SIZE_MENU);
      gtk_grid_attach (self->grid, icon, 0, (int)i, 1, 1);
      name = gtk_label_new (herald_account_get_label (account));
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_style_context_add_class (gtk_widget_get_style_context (name), "heading");
      gtk_grid_attach (self->grid, name, 1, (int)i, 1, 1);
      label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
      gtk_widget_set_hexpand (label, TRUE);
      if (state == HERALD_CONNECTION_NEEDS_ATTENTION)
        gtk_style_context_add_class (gtk_widget_get_style_context (label), "error");
      gtk_grid_attach (self->grid, label, 2, (int)i, 1, 1);
      g_hash_table_insert (self->state_labels, g_strdup (id), label);

      if (state == HERALD_CONNECTION_NEEDS_ATTENTION || state == HERALD_CONNECTION_BACKING_OFF
          || state == HERALD_CONNECTION_OFFLINE)
        {
          GtkWidget *retry = gtk_button_new_with_mnemonic (_ ("_Retry"));
          /* TRANSLATORS: accessible name of the Retry button of one account */
          g_autofree char *accessible
            = g_strdup_printf (_ ("Retry %s"), herald_account_get_label (account));

          atk_object_set_name (gtk_widget_get_accessible (retry), accessible);
          g_object_set_data_full (G_OBJECT (retry), "herald-account-id", g_strdup (id), g_free);
          g_signal_connect (retry, "clicked", G_CALLBACK (retry_clicked_cb), self);
          gtk_grid_attach (self->grid, retry, 3, (int)i, 1, 1);
        }
    }
  gtk_widget_show_all (GTK_WIDGET (self->grid));
}

static gboolean
tick_cb (gpointer user_data)
{
  HeraldAccountStatus *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer id, label;

  g_hash_table_iter_init (&iter, self->state_labels);
  while (g_hash_table_iter_next (&iter, &id, &label))
    {
      g_autofree char *text = herald_account_status_describe (self->hub, id, now);

      if (g_strcmp0 (text, gtk_label_get_text (label)) != 0)
        gtk_label_set_text (label, text);
    }
  return G_SOURCE_CONTINUE;
}

static void
state_changed_cb (HeraldHub *hub, const char *account_id, HeraldConnectionState state,
                  const char *reason, gpointer user_data)
{
  HeraldAccountStatus *self = user_data;

  if (gtk_widget_get_visible (GTK_WIDGET (self)))
    rebuild (self);
}

static void
accounts_changed_cb (GListModel *accounts, guint position, guint removed, guint added,
                     gpointer user_data)
{
  HeraldAccountStatus *self = user_data;

  if (gtk_widget_get_visible (GTK_WIDGET (self)))
    rebuild (self);
}

static void
herald_account_status_show (GtkWidget *widget)
{
  HeraldAccountStatus *self = HERALD_ACCOUNT_STATUS (widget);

  rebuild (self);
  /* One timer for every countdown, and only while someone can read it. */
  if (self->tick_source == 0)
    self->tick_source = g_timeout_add_seconds (1, tick_cb, self);
  GTK_WIDGET_CLASS (herald_account_status_parent_class)->show (widget);
}

static void
herald_account_status_hide (GtkWidget *widget)
{
  HeraldAccountStatus *self = HERALD_ACCOUNT_STATUS (widget);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  GTK_WIDGET_CLASS (herald_account_status_parent_class)->hide (widget);
}

static void
herald_account_status_dispose (GObject *object)
{
  HeraldAccountStatus *self = HERALD_ACCOUNT_STATUS (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_object (&self->hub);
  g_clear_pointer (&self->state_labels, g_hash_table_unref);
  G_OBJECT_CLASS (herald_account_status_parent_class)->dispose (object);
}

static void
herald_account_status_class_init (HeraldAccountStatusClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = herald_account_status_dispose;
  widget_class->show = herald_account_status_show;
  widget_class->hide = herald_account_status_hide;
}

static void
herald_account_status_init (HeraldAccountStatus *self)
{
  self->state_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (self->grid, 8);
  gtk_grid_set_column_spacing (self->grid, 10);
  gtk_container_set_border_width (GTK_CONTAINER (self->grid), 12);
  gtk_container_add (GTK_CONTAINER (self), GTK_WIDGET (self->grid));
  gtk_widget_show (GTK_WIDGET (self->grid));
  atk_object_set_name (gtk_widget_get_accessible (GTK_WIDGET (self)), _ ("Account states"));
}

GtkWidget *
herald_account_status_new (void)
{
  return g_object_new (HERALD_TYPE_ACCOUNT_STATUS, NULL);
}

void
herald_account_status_set_hub (HeraldAccountStatus *self, HeraldHub *hub)
{
  g_return_if_fail (HERALD_IS_ACCOUNT_STATUS (self));
  g_return_if_fail (self->hub == NULL);

  self->hub = g_object_ref (hub);
  g_signal_connect_object (hub, "state-changed", G_CALLBACK (state_changed_cb), self, 0);
  g_signal_connect_object (herald_hub_get_accounts (hub), "items-changed",
                           G_CALLBACK (accounts_changed_cb), self, 0);
}
