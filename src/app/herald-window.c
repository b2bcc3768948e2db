/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-window.c — the history window: a list bound to the event model (rows exist only for
 * the pages loaded), its search and filters, the details pane, and the accounts' states. */
#define G_LOG_DOMAIN "herald-window"

#include "config.h"

#include <glib/gi18n.h>

#include "herald-account-status.h"
#include "herald-event-details.h"
#include "herald-event-model.h"
#include "herald-event-list.h"
#include "herald-event-row.h"
#include "herald-window-private.h"

/* Opening an event marks it read after it has been shown this long, as mail readers do
 * (Evolution, Geary): moving through the list with the arrow keys does not mark everything
 * passed on the way, and a glance at details is enough. "Mark as Unread" undoes it and stays. */
#define MARK_READ_DELAY_MS 1500
/* Relative times ("5 min ago") are reworded by one timer for the whole window. */
#define TIME_TICK_S 30

#define WINDOW_PAGE_SIZE 50

struct _HeraldWindow
{
  GtkApplicationWindow parent_instance;

  GtkHeaderBar *header_bar;
  GtkMenuButton *status_button;
  GtkLabel *status_label;
  GtkToggleButton *search_button;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkInfoBar *attention_bar;
  GtkLabel *attention_label;
  GtkBox *filter_box;
  GtkComboBoxText *account_combo;
  GtkComboBoxText *category_combo;
  GtkToggleButton *unread_toggle;
  GtkStack *stack;
  GtkScrolledWindow *scroller;
  GtkListBox *event_list;
  GtkLabel *empty_hint;
  GtkLabel *results_label;
  GtkStack *details_stack;
  HeraldEventDetails *details;
  GtkButton *demo_button;

  HeraldHub *hub;
  HeraldEventModel *model;
  HeraldEventList *rows; /* the list box's rows, following the model */
  HeraldAccountStatus *account_status;
  GCancellable *cancellable;
  /* Read once: a row's time is worded without asking the system for the zone. */
  GTimeZone *tz;
  guint tick_source;
  guint mark_read_source;
  /* Rows come and go, or show other events, as the model changes; the shown event is
   * selected again quietly. */
  gboolean reselecting;
  /* While the user reads further down, new events land above: the row at the top of the view
   * and its offset, to keep it in place once the new rows are laid out. */
  HeraldEvent *anchor;
  int anchor_offset;
  gboolean filling_accounts;
  /* A herald_window_show_event() that came before the hub (the history still opening). */
  char *pending_account;
  char *pending_id;
  gboolean demo;
};

G_DEFINE_FINAL_TYPE (HeraldWindow, herald_window, GTK_TYPE_APPLICATION_WINDOW)

static const struct
{
  HeraldCategory category;
  const char *name;
} categories[] = {
  { HERALD_CATEGORY_DEPOSIT, N_ ("Deposits") },   { HERALD_CATEGORY_TRADE, N_ ("Trades") },
  { HERALD_CATEGORY_LOBBY, N_ ("Lobbies") },      { HERALD_CATEGORY_CONTRACT, N_ ("Contracts") },
  { HERALD_CATEGORY_STORAGE, N_ ("Storage") },    { HERALD_CATEGORY_ORDER, N_ ("Orders") },
  { HERALD_CATEGORY_POSITION, N_ ("Positions") }, { HERALD_CATEGORY_TIP, N_ ("Tips") },
  { HERALD_CATEGORY_SYSTEM, N_ ("System") },
};

static gboolean
filters_active (HeraldWindow *self)
{
  const char *text = herald_event_model_get_text (self->model);

  return (text != NULL && *text != '\0') || herald_event_model_get_account (self->model) != NULL
         || herald_event_model_get_category (self->model) != -1
         || herald_event_model_get_unread_only (self->model);
}

static void
update_page (HeraldWindow *self)
{
  guint n = self->model ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  /* No model yet: the history is still being opened, which is not "no events". */
  gboolean loading = self->model == NULL || herald_event_model_get_loading (self->model);
  const char *page = "events";
  g_autofree char *results = NULL;

  if (n == 0 && !loading)
    page = filters_active (self) ? "no-match" : "empty";
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), page) != 0)
    gtk_stack_set_visible_child_name (self->stack, page);
  /* Nothing stored at all: nothing to filter either. */
  gtk_widget_set_visible (GTK_WIDGET (self->filter_box), !g_str_equal (page, "empty"));
  /* Nothing listed, nothing to detail: the placeholder gets the whole window. */
  gtk_widget_set_visible (GTK_WIDGET (self->details_stack),
                          g_str_equal (page, "events")
                            || herald_event_details_get_event (self->details) != NULL);

  if (self->model == NULL)
    results = g_strdup ("");
  else if (loading && n == 0)
    results = g_strdup (_ ("Loading…"));
  else if (filters_active (self))
    results
      = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u matching event", "%u matching events",
                                      herald_event_model_get_total (self->model)),
                         herald_event_model_get_total (self->model));
  else
    results = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event", "%u events",
                                            herald_event_model_get_total (self->model)),
                               herald_event_model_get_total (self->model));
  if (g_strcmp0 (results, gtk_label_get_text (self->results_label)) != 0)
    gtk_label_set_text (self->results_label, results);
}

static void
update_status (HeraldWindow *self)
{
  g_autoptr (GString) attention = g_string_new (NULL);
  GListModel *accounts;
  guint n_accounts, n_connected = 0;

  if (self->hub == NULL)
    return;
  accounts = herald_hub_get_accounts (self->hub);
  n_accounts = g_list_model_get_n_items (accounts);
  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (accounts, i);
      const char *reason = NULL;
      HeraldConnectionState state
        = herald_hub_get_state (self->hub, herald_account_get_id (account), &reason);

      if (state == HERALD_CONNECTION_CONNECTED)
        n_connected++;
      else if (state == HERALD_CONNECTION_NEEDS_ATTENTION)
        {
          if (attention->len > 0)
            g_string_append_c (attention, '\n');
          /* TRANSLATORS: "<account label>: <why it needs attention>" */
          g_string_append_printf (attention, _ ("%s: %s"), herald_account_get_label (account),
                                  reason ? reason : "");
        }
    }

  gtk_label_set_text (self->attention_label, attention->str);
  gtk_widget_set_visible (GTK_WIDGET (self->attention_bar), attention->len > 0);

  if (n_accounts == 0)
    gtk_label_set_text (self->status_label, _ ("No accounts"));
  else
    {
      g_autofree char *status =
        /* TRANSLATORS: "3 of 5 accounts connected" */
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u account connected",
                                      "%u of %u accounts connected", n_accounts),
                         n_connected, n_accounts);

      gtk_label_set_text (self->status_label, status);
    }
  /* A screen reader says the button's name ("Account states") and then what it shows. */
  atk_object_set_description (gtk_widget_get_accessible (GTK_WIDGET (self->status_button)),
                              gtk_label_get_text (self->status_label));
  if (n_accounts == 0)
    gtk_label_set_text (self->empty_hint,
                        _ ("Add an account to hear about deposits, trades, lobbies, orders, "
                           "positions and tips, or try Herald with simulated accounts."));
  else
    gtk_label_set_text (
      self->empty_hint,
      _ ("New deposits, trades, lobbies, orders, positions and tips appear here."));
}

static void account_combo_changed_cb (GtkComboBox *combo, gpointer user_data);

static void
fill_account_combo (HeraldWindow *self)
{
  const char *current = herald_event_model_get_account (self->model);
  g_autofree char *keep = g_strdup (current);
  GListModel *accounts = herald_hub_get_accounts (self->hub);

  /* Refilling passes through "no account"; the model should only hear the end result. */
  self->filling_accounts = TRUE;
  gtk_combo_box_text_remove_all (self->account_combo);
  gtk_combo_box_text_append (self->account_combo, "", _ ("All accounts"));
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (accounts, i);

      gtk_combo_box_text_append (self->account_combo, herald_account_get_id (account),
                                 herald_account_get_label (account));
    }
  if (keep == NULL || !gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->account_combo), keep))
    gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->account_combo), "");
  self->filling_accounts = FALSE;
  account_combo_changed_cb (GTK_COMBO_BOX (self->account_combo), self);
}

/* Row times: rows in view now, so a long scroll never shows a stale "just now" for long. */
static void
update_visible_times (HeraldWindow *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double top = gtk_adjustment_get_value (adjustment);
  double bottom = top + gtk_adjustment_get_page_size (adjustment);
  GtkListBoxRow *first = gtk_list_box_get_row_at_y (self->event_list, (int)top);
  GtkListBoxRow *last = gtk_list_box_get_row_at_y (self->event_list, (int)bottom);
  gint64 now = g_get_real_time ();
  int from, to;

  if (first == NULL)
    return;
  from = gtk_list_box_row_get_index (first);
  to = last ? gtk_list_box_row_get_index (last) : from + 50;
  for (int i = from; i <= to; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->event_list, i);

      if (row == NULL)
        break;
      herald_event_row_update_time (HERALD_EVENT_ROW (row), self->tz, now);
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  HeraldWindow *self = user_data;

  update_visible_times (self);
  herald_event_details_update_time (self->details, self->tz, g_get_real_time ());
  return G_SOURCE_CONTINUE;
}

static void
maybe_load_more (HeraldWindow *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double page = gtk_adjustment_get_page_size (adjustment);

  /* While the rows of what is loaded are still being built, the list is not yet as long as it
   * will be: the adjustment changes again when they are in. */
  if (self->model == NULL || !herald_event_model_get_has_more (self->model)
      || herald_event_model_get_loading (self->model) || page <= 0
      || herald_event_list_is_building (self->rows))
    return;
  /* Within a screen of the bottom: the next page arrives before the user gets there. */
  if (gtk_adjustment_get_value (adjustment) + 2 * page >= gtk_adjustment_get_upper (adjustment))
    herald_event_model_load_more (self->model);
}

static gboolean
mark_read_cb (gpointer user_data)
{
  HeraldWindow *self = user_data;
  HeraldEvent *event = herald_event_details_get_event (self->details);

  self->mark_read_source = 0;
  if (event != NULL && !herald_event_get_read (event) && self->hub != NULL)
    herald_history_mark_read (herald_hub_get_history (self->hub), herald_event_get_account (event),
                              herald_event_get_id (event), TRUE);
  return G_SOURCE_REMOVE;
}

static void
show_details (HeraldWindow *self, HeraldEvent *event, gboolean mark_read)
{
  g_clear_handle_id (&self->mark_read_source, g_source_remove);
  herald_event_details_set_event (self->details, event);
  herald_event_details_update_time (self->details, self->tz, g_get_real_time ());
  gtk_stack_set_visible_child_name (self->details_stack, event ? "details" : "none");
  if (event != NULL)
    gtk_widget_show (GTK_WIDGET (self->details_stack));
  if (mark_read && event != NULL && !herald_event_get_read (event))
    self->mark_read_source = g_timeout_add (MARK_READ_DELAY_MS, mark_read_cb, self);
}

static void
scroll_to_row (HeraldWindow *self, GtkListBoxRow *row)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  GtkAllocation allocation;

  gtk_widget_get_allocation (GTK_WIDGET (row), &allocation);
  if (allocation.height <= 1)
    return;
  gtk_adjustment_clamp_page (adjustment, allocation.y, allocation.y + allocation.height);
}

static void
row_allocated_cb (GtkWidget *row, GdkRectangle *allocation, gpointer user_data)
{
  HeraldWindow *self = user_data;

  g_signal_handlers_disconnect_by_func (row, row_allocated_cb, self);
  scroll_to_row (self, GTK_LIST_BOX_ROW (row));
}

/* Selects the shown event's row when it is loaded; FALSE when it is not. */
static gboolean
select_shown_event (HeraldWindow *self, gboolean scroll)
{
  HeraldEvent *event = herald_event_details_get_event (self->details);
  GtkListBoxRow *row;
  guint position;

  if (event == NULL || self->model == NULL
      || !herald_event_model_find (self->model, herald_event_get_account (event),
                                   herald_event_get_id (event), &position))
    return FALSE;
  row = gtk_list_box_get_row_at_index (self->event_list, (int)position);
  if (row == NULL)
    return FALSE;
  self->reselecting = TRUE;
  gtk_list_box_select_row (self->event_list, row);
  self->reselecting = FALSE;
  if (scroll)
    {
      g_signal_connect (row, "size-allocate", G_CALLBACK (row_allocated_cb), self);
      scroll_to_row (self, row);
    }
  return TRUE;
}

static void
row_selected_cb (GtkListBox *list, GtkListBoxRow *row, gpointer user_data)
{
  HeraldWindow *self = user_data;

  /* NULL when the selected row went or now shows another event: the details stay. */
  if (row == NULL || self->reselecting)
    return;
  show_details (self, herald_event_row_get_event (HERALD_EVENT_ROW (row)), TRUE);
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  HeraldWindow *self = user_data;

  /* A removed row takes the selection and the keyboard focus with it: both go to the shown
   * event's row, where it is still listed, so reading on with the arrow keys keeps working. */
  gboolean focus_lost = gtk_window_get_focus (GTK_WINDOW (self)) == NULL;

  if (gtk_list_box_get_selected_row (self->event_list) == NULL && select_shown_event (self, FALSE)
      && focus_lost && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_selected_row (self->event_list)));
  update_page (self);
}

static void
model_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  HeraldWindow *self = user_data;

  update_page (self);
  if (!herald_event_model_get_loading (self->model))
    {
      if (gtk_list_box_get_selected_row (self->event_list) == NULL)
        select_shown_event (self, TRUE);
      /* More is loaded from the adjustment's "changed", once the new rows are laid out. */
    }
}

static void
items_changing_cb (GListModel *model, guint position, guint removed, guint added,
                   gpointer user_data)
{
  HeraldWindow *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double value = gtk_adjustment_get_value (adjustment);
  GtkListBoxRow *top;
  GtkAllocation allocation;

  /* At the very top the newest events simply show; further down, what is read stays put. */
  if (self->anchor != NULL || value <= 0)
    return;
  top = gtk_list_box_get_row_at_y (self->event_list, (int)value);
  if (top == NULL || (guint)gtk_list_box_row_get_index (top) < position)
    return;
  gtk_widget_get_allocation (GTK_WIDGET (top), &allocation);
  self->anchor = herald_event_ref (herald_event_row_get_event (HERALD_EVENT_ROW (top)));
  self->anchor_offset = allocation.y - (int)value;
}

static void
restore_anchor (HeraldWindow *self, GtkAdjustment *adjustment)
{
  g_autoptr (HeraldEvent) anchor = g_steal_pointer (&self->anchor);
  GtkListBoxRow *row;
  GtkAllocation allocation;
  guint position;

  if (!herald_event_model_find (self->model, herald_event_get_account (anchor),
                                herald_event_get_id (anchor), &position)
      || (row = gtk_list_box_get_row_at_index (self->event_list, (int)position)) == NULL)
    return;
  gtk_widget_get_allocation (GTK_WIDGET (row), &allocation);
  if (allocation.height <= 1)
    {
      self->anchor = g_steal_pointer (&anchor); /* not laid out yet */
      return;
    }
  gtk_adjustment_set_value (adjustment, allocation.y - self->anchor_offset);
}

/* After the list laid its rows out: their places are current (the adjustment's "changed" comes
 * before, with the old ones). */
static void
list_allocated_cb (GtkWidget *list, GdkRectangle *allocation, gpointer user_data)
{
  HeraldWindow *self = user_data;

  if (self->anchor != NULL && self->model != NULL)
    restore_anchor (self, gtk_scrolled_window_get_vadjustment (self->scroller));
}

static void
adjustment_changed_cb (GtkAdjustment *adjustment, gpointer user_data)
{
  HeraldWindow *self = user_data;

  maybe_load_more (self);
  update_visible_times (self);
}

static void
edge_reached_cb (GtkScrolledWindow *scroller, GtkPositionType position, gpointer user_data)
{
  HeraldWindow *self = user_data;

  if (position == GTK_POS_BOTTOM && self->model != NULL)
    herald_event_model_load_more (self->model);
}

static void
search_changed_cb (GtkSearchEntry *entry, gpointer user_data)
{
  HeraldWindow *self = user_data;

  /* GtkSearchEntry already waits 150 ms after the last key: one query per pause in typing. */
  if (self->model != NULL)
    herald_event_model_set_text (self->model, gtk_entry_get_text (GTK_ENTRY (entry)));
}

/* Enter or Down in the search entry moves on to the results, for the keyboard. */
static void
focus_first_result (HeraldWindow *self, gboolean select)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->event_list, 0);

  if (first == NULL)
    return;
  if (select)
    gtk_list_box_select_row (self->event_list, first);
  gtk_widget_grab_focus (GTK_WIDGET (first));
}

static void
search_activate_cb (GtkEntry *entry, gpointer user_data)
{
  focus_first_result (HERALD_WINDOW (user_data), TRUE);
}

static gboolean
search_key_pressed_cb (GtkWidget *entry, GdkEventKey *event, gpointer user_data)
{
  if (event->keyval != GDK_KEY_Down && event->keyval != GDK_KEY_KP_Down)
    return GDK_EVENT_PROPAGATE;
  focus_first_result (HERALD_WINDOW (user_data), FALSE);
  return GDK_EVENT_STOP;
}

static void
account_combo_changed_cb (GtkComboBox *combo, gpointer user_data)
{
  HeraldWindow *self = user_data;
  const char *id = gtk_combo_box_get_active_id (combo);

  if (self->model != NULL && !self->filling_accounts)
    herald_event_model_set_account (self->model, id && *id ? id : NULL);
}

static void
category_combo_changed_cb (GtkComboBox *combo, gpointer user_data)
{
  HeraldWindow *self = user_data;
  const char *id = gtk_combo_box_get_active_id (combo);
  HeraldCategory category;

  if (self->model == NULL)
    return;
  if (id != NULL && herald_category_from_string (id, &category))
    herald_event_model_set_category (self->model, (int)category);
  else
    herald_event_model_set_category (self->model, -1);
}

static void
unread_toggled_cb (GtkToggleButton *toggle, gpointer user_data)
{
  HeraldWindow *self = user_data;

  if (self->model != NULL)
    herald_event_model_set_unread_only (self->model, gtk_toggle_button_get_active (toggle));
}

static void
clear_filters (HeraldWindow *self)
{
  gtk_entry_set_text (GTK_ENTRY (self->search_entry), "");
  gtk_toggle_button_set_active (self->search_button, FALSE);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->account_combo), "");
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->category_combo), "");
  gtk_toggle_button_set_active (self->unread_toggle, FALSE);
  /* The entry tells its change only after its delay: the model follows at once. */
  if (self->model != NULL)
    herald_event_model_set_text (self->model, NULL);
}

static void
clear_filters_clicked_cb (HeraldWindow *self)
{
  clear_filters (self);
}

static void
demo_clicked_cb (HeraldWindow *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *installed = g_build_filename (HERALD_BINDIR, "herald", NULL);
  g_autoptr (GSubprocess) demo = NULL;

  /* A separate instance (--demo is never unique), so the user's own Herald is untouched. */
  demo = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_path ? self_path : installed,
                           "--demo", NULL);
  if (demo == NULL)
    g_warning ("Could not start the demo: %s", error->message);
}

static void
state_changed_cb (HeraldHub *hub, const char *account_id, HeraldConnectionState state,
                  const char *reason, gpointer user_data)
{
  update_status (HERALD_WINDOW (user_data));
}

static void
accounts_changed_cb (GListModel *accounts, guint position, guint removed, guint added,
                     gpointer user_data)
{
  HeraldWindow *self = user_data;

  update_status (self);
  fill_account_combo (self);
}

static gboolean
focus_is_text_entry (HeraldWindow *self)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));

  return GTK_IS_ENTRY (focus) || GTK_IS_TEXT_VIEW (focus);
}

static gboolean
herald_window_key_press_event (GtkWidget *widget, GdkEventKey *event)
{
  HeraldWindow *self = HERALD_WINDOW (widget);
  GdkModifierType mods = event->state & gtk_accelerator_get_default_mod_mask ();

  if (mods == GDK_CONTROL_MASK && (event->keyval == GDK_KEY_f || event->keyval == GDK_KEY_F))
    {
      gtk_toggle_button_set_active (self->search_button, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      return GDK_EVENT_STOP;
    }
  /* Type to search, unless the keys are for a text field of their own. */
  if (!focus_is_text_entry (self)
      && gtk_search_bar_handle_event (self->search_bar, (GdkEvent *)event))
    return GDK_EVENT_STOP;
  return GTK_WIDGET_CLASS (herald_window_parent_class)->key_press_event (widget, event);
}

static void
herald_window_map (GtkWidget *widget)
{
  HeraldWindow *self = HERALD_WINDOW (widget);

  GTK_WIDGET_CLASS (herald_window_parent_class)->map (widget);
  /* Only while the window can be seen: a hidden window costs no wakeups. */
  if (self->tick_source == 0)
    self->tick_source = g_timeout_add_seconds (TIME_TICK_S, tick_cb, self);
  tick_cb (self);
}

static void
herald_window_unmap (GtkWidget *widget)
{
  HeraldWindow *self = HERALD_WINDOW (widget);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  GTK_WIDGET_CLASS (herald_window_parent_class)->unmap (widget);
}

static void
herald_window_dispose (GObject *object)
{
  HeraldWindow *self = HERALD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->mark_read_source, g_source_remove);
  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->model, self);
      g_clear_pointer (&self->rows, herald_event_list_unbind);
    }
  g_clear_object (&self->model);
  if (self->hub != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->hub, self);
      g_signal_handlers_disconnect_by_data (herald_hub_get_accounts (self->hub), self);
    }
  g_clear_object (&self->hub);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->anchor, herald_event_unref);
  g_clear_pointer (&self->pending_account, g_free);
  g_clear_pointer (&self->pending_id, g_free);
  G_OBJECT_CLASS (herald_window_parent_class)->dispose (object);
}

static void
herald_window_class_init (HeraldWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = herald_window_dispose;
  widget_class->key_press_event = herald_window_key_press_event;
  widget_class->map = herald_window_map;
  widget_class->unmap = herald_window_unmap;

  g_type_ensure (HERALD_TYPE_EVENT_DETAILS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heraldapp/Herald/ui/herald-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, status_button);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, attention_bar);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, attention_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, filter_box);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, account_combo);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, category_combo);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, unread_toggle);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, event_list);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, empty_hint);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, results_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, details_stack);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, details);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, demo_button);
  gtk_widget_class_bind_template_callback (widget_class, clear_filters_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, demo_clicked_cb);
}

static void
herald_window_init (HeraldWindow *self)
{
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->tz = g_time_zone_new_local ();
  self->account_status = HERALD_ACCOUNT_STATUS (herald_account_status_new ());
  gtk_menu_button_set_popover (self->status_button, GTK_WIDGET (self->account_status));

  g_object_bind_property (self->search_button, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL);
  gtk_search_bar_connect_entry (self->search_bar, GTK_ENTRY (self->search_entry));
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect (self->search_entry, "activate", G_CALLBACK (search_activate_cb), self);
  g_signal_connect (self->search_entry, "key-press-event", G_CALLBACK (search_key_pressed_cb),
                    self);

  gtk_combo_box_text_append (self->account_combo, "", _ ("All accounts"));
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->account_combo), "");
  gtk_combo_box_text_append (self->category_combo, "", _ ("All categories"));
  for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
    gtk_combo_box_text_append (self->category_combo,
                               herald_category_to_string (categories[i].category),
                               _ (categories[i].name));
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->category_combo), "");
  g_signal_connect (self->account_combo, "changed", G_CALLBACK (account_combo_changed_cb), self);
  g_signal_connect (self->category_combo, "changed", G_CALLBACK (category_combo_changed_cb), self);
  g_signal_connect (self->unread_toggle, "toggled", G_CALLBACK (unread_toggled_cb), self);

  g_signal_connect (self->event_list, "row-selected", G_CALLBACK (row_selected_cb), self);
  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  gtk_container_set_focus_vadjustment (GTK_CONTAINER (self->event_list), adjustment);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (adjustment_changed_cb), self);
  g_signal_connect (adjustment, "changed", G_CALLBACK (adjustment_changed_cb), self);
  g_signal_connect_after (self->event_list, "size-allocate", G_CALLBACK (list_allocated_cb), self);
  g_signal_connect (self->scroller, "edge-reached", G_CALLBACK (edge_reached_cb), self);
  update_page (self);
  update_status (self);
}

HeraldWindow *
herald_window_new (GtkApplication *application)
{
  return g_object_new (HERALD_TYPE_WINDOW, "application", application, NULL);
}

void
herald_window_set_hub (HeraldWindow *self, HeraldHub *hub)
{
  g_return_if_fail (HERALD_IS_WINDOW (self));
  g_return_if_fail (HERALD_IS_HUB (hub));
  g_return_if_fail (self->hub == NULL);

  self->hub = g_object_ref (hub);
  /* A page a little taller than a tall screen: every batch of a burst rebuilds at most this many
   * rows, so the page size is what bounds the window's stall (200 rows stalled it ~150 ms). */
  self->model
    = g_object_new (HERALD_TYPE_EVENT_MODEL, "hub", hub, "page-size", WINDOW_PAGE_SIZE, NULL);
  /* Before the list's own handler: the anchor is taken while the old rows are still there. */
  g_signal_connect (self->model, "items-changed", G_CALLBACK (items_changing_cb), self);
  self->rows = herald_event_list_bind (self->event_list, self->model, self->tz);
  g_signal_connect_after (self->model, "items-changed", G_CALLBACK (items_changed_cb), self);
  g_signal_connect (self->model, "notify::total", G_CALLBACK (model_notify_cb), self);
  g_signal_connect (self->model, "notify::loading", G_CALLBACK (model_notify_cb), self);
  g_signal_connect_object (hub, "state-changed", G_CALLBACK (state_changed_cb), self, 0);
  g_signal_connect_object (herald_hub_get_accounts (hub), "items-changed",
                           G_CALLBACK (accounts_changed_cb), self, 0);
  herald_event_details_set_hub (self->details, hub);
  herald_account_status_set_hub (self->account_status, hub);
  fill_account_combo (self);
  update_status (self);
  update_page (self);
  if (self->pending_id != NULL)
    {
      g_autofree char *account = g_steal_pointer (&self->pending_account);
      g_autofree char *id = g_steal_pointer (&self->pending_id);

      herald_window_show_event (self, account, id);
    }
}

void
herald_window_set_demo (HeraldWindow *self, gboolean demo)
{
  g_return_if_fail (HERALD_IS_WINDOW (self));

  self->demo = demo;
  gtk_header_bar_set_subtitle (self->header_bar,
                               demo ? _ ("Demo — simulated accounts, nothing is saved") : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->demo_button), !demo);
}

guint
herald_window_get_n_events (HeraldWindow *self)
{
  g_return_val_if_fail (HERALD_IS_WINDOW (self), 0);
  return self->model ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
}

void
herald_window_mark_all_read (HeraldWindow *self)
{
  g_return_if_fail (HERALD_IS_WINDOW (self));

  /* The list follows the history's "read-changed"; a second mark changes nothing. */
  if (self->hub != NULL)
    herald_history_mark_read (herald_hub_get_history (self->hub), NULL, NULL, TRUE);
}

static void
lookup_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldEvent) event
    = herald_history_lookup_finish (HERALD_HISTORY (source), result, &error);
  HeraldWindow *self;
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the event: %s", error->message);
      return;
    }
  self = HERALD_WINDOW (user_data);
  if (event == NULL)
    return; /* pruned or forgotten since it was announced */

  query.account = herald_event_model_get_account (self->model);
  query.category = herald_event_model_get_category (self->model);
  query.text = herald_event_model_get_text (self->model);
  query.unread_only = herald_event_model_get_unread_only (self->model);
  show_details (self, event, TRUE);
  /* Filtered out: the list shows everything again, and selects it once it is loaded. */
  if (!herald_history_query_matches (&query, event))
    clear_filters (self);
  else if (!select_shown_event (self, TRUE))
    {
      /* Older than the pages loaded: no row of the list is the one shown. */
      self->reselecting = TRUE;
      gtk_list_box_unselect_all (self->event_list);
      self->reselecting = FALSE;
    }
}

void
herald_window_show_event (HeraldWindow *self, const char *account_id, const char *event_id)
{
  guint position;

  g_return_if_fail (HERALD_IS_WINDOW (self));
  g_return_if_fail (account_id != NULL && event_id != NULL);

  gtk_window_present (GTK_WINDOW (self));
  if (self->model == NULL)
    {
      g_free (self->pending_account);
      g_free (self->pending_id);
      self->pending_account = g_strdup (account_id);
      self->pending_id = g_strdup (event_id);
      return;
    }
  if (herald_event_model_find (self->model, account_id, event_id, &position))
    {
      g_autoptr (HeraldEventItem) item
        = g_list_model_get_item (G_LIST_MODEL (self->model), position);

      show_details (self, herald_event_item_get_event (item), TRUE);
      select_shown_event (self, TRUE);
      return;
    }
  /* Not loaded (older, or filtered out): the history has it, unless it was pruned. */
  herald_history_lookup_async (herald_hub_get_history (self->hub), account_id, event_id,
                               self->cancellable, lookup_done_cb, self);
}

const char *
herald_window_get_status_text (HeraldWindow *self)
{
  g_return_val_if_fail (HERALD_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->status_label);
}

const char *
herald_window_get_attention_text (HeraldWindow *self)
{
  g_return_val_if_fail (HERALD_IS_WINDOW (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->attention_bar)))
    return NULL;
  return gtk_label_get_text (self->attention_label);
}

HeraldEventModel *
herald_window_get_model (HeraldWindow *self)
{
  g_return_val_if_fail (HERALD_IS_WINDOW (self), NULL);
  return self->model;
}
