/* herald-window.c — the history window. Rows are plain-text labels (never markup), so a
 * tipper's message cannot style or break the window. At most MAX_ROWS rows stay listed;
 * the history itself keeps everything up to its cap. */
#define G_LOG_DOMAIN "herald-window"

#include "config.h"

#include <glib/gi18n.h>

#include "herald-window-private.h"

#define MAX_ROWS 300

struct _HeraldWindow
{
  GtkApplicationWindow parent_instance;

  GtkHeaderBar *header_bar;
  GtkToggleButton *search_button;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkInfoBar *attention_bar;
  GtkLabel *attention_label;
  GtkStack *stack;
  GtkLabel *empty_hint;
  GtkWidget *add_account_button;
  GtkListBox *event_list;
  GtkLabel *status_label;

  HeraldHub *hub;
  GCancellable *cancellable;
  char *search_folded;
  /* "account\nid" of every listed event: the first history query and the live signal
   * can both deliver an event stored while the query ran. */
  GHashTable *listed;
  guint n_rows;
  gboolean demo;
};

G_DEFINE_FINAL_TYPE (HeraldWindow, herald_window, GTK_TYPE_APPLICATION_WINDOW)

static HeraldEvent *
row_get_event (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "herald-event");
}

static char *
format_time (gint64 occurred_us)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (occurred_us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) when = utc ? g_date_time_to_local (utc) : NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (when) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* TRANSLATORS: time of an event today, see strftime */
    return g_date_time_format (when, _ ("%H:%M"));
  /* TRANSLATORS: date and time of an older event, see strftime */
  return g_date_time_format (when, _ ("%b %-d, %H:%M"));
}

static GtkWidget *
make_row (HeraldWindow *self, HeraldEvent *event)
{
  HeraldAccount *account
    = self->hub ? herald_hub_get_account (self->hub, herald_event_get_account (event)) : NULL;
  /* Named after the app id, the one prefix Flatpak exports to the host's icon theme. */
  g_autofree char *icon_name = herald_provider_dup_icon_name (herald_event_get_provider (event));
  g_autofree char *time = format_time (herald_event_get_occurred (event));
  g_autofree char *meta = NULL;
  GtkWidget *row, *box, *text, *title, *body, *meta_label, *icon;

  meta = g_strdup_printf (
    "%s · %s", account ? herald_account_get_label (account) : herald_event_get_account (event),
    time);

  row = gtk_list_box_row_new ();
  gtk_style_context_add_class (gtk_widget_get_style_context (row), "herald-event-row");
  if (!herald_event_get_read (event))
    gtk_style_context_add_class (gtk_widget_get_style_context (row), "unread");
  g_object_set_data_full (G_OBJECT (row), "herald-event", herald_event_ref (event),
                          (GDestroyNotify)herald_event_unref);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  icon = gtk_image_new_from_icon_name (icon_name, GTK_ICON_SIZE_LARGE_TOOLBAR);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_container_add (GTK_CONTAINER (box), icon);

  text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (text, TRUE);
  /* gtk_label_new() takes plain text: no markup, no mnemonics. */
  title = gtk_label_new (herald_event_get_title (event));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_style_context_add_class (gtk_widget_get_style_context (title), "herald-event-title");
  if (herald_event_get_severity (event) != HERALD_SEVERITY_INFO)
    gtk_style_context_add_class (gtk_widget_get_style_context (title),
                                 herald_severity_to_string (herald_event_get_severity (event)));
  gtk_container_add (GTK_CONTAINER (text), title);

  if (*herald_event_get_body (event))
    {
      body = gtk_label_new (herald_event_get_body (event));
      gtk_label_set_xalign (GTK_LABEL (body), 0);
      gtk_label_set_line_wrap (GTK_LABEL (body), TRUE);
      gtk_label_set_lines (GTK_LABEL (body), 2);
      gtk_label_set_ellipsize (GTK_LABEL (body), PANGO_ELLIPSIZE_END);
      gtk_style_context_add_class (gtk_widget_get_style_context (body), "herald-event-body");
      gtk_container_add (GTK_CONTAINER (text), body);
    }
  meta_label = gtk_label_new (meta);
  gtk_label_set_xalign (GTK_LABEL (meta_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (meta_label), PANGO_ELLIPSIZE_END);
  gtk_style_context_add_class (gtk_widget_get_style_context (meta_label), "herald-event-meta");
  gtk_style_context_add_class (gtk_widget_get_style_context (meta_label), "caption");
  gtk_container_add (GTK_CONTAINER (text), meta_label);
  gtk_container_add (GTK_CONTAINER (box), text);

  gtk_container_add (GTK_CONTAINER (row), box);
  gtk_widget_show_all (row);
  return row;
}

/* Newest first by the provider's own time: a late, older event slots in below. */
static int
sort_rows (GtkListBoxRow *a, GtkListBoxRow *b, gpointer user_data)
{
  gint64 ta = herald_event_get_occurred (row_get_event (a));
  gint64 tb = herald_event_get_occurred (row_get_event (b));

  return ta < tb ? 1 : ta > tb ? -1 : 0;
}

static gboolean
text_matches (const char *text, const char *folded_needle)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);

  return strstr (folded, folded_needle) != NULL;
}

static gboolean
filter_rows (GtkListBoxRow *row, gpointer user_data)
{
  HeraldWindow *self = user_data;
  HeraldEvent *event = row_get_event (row);

  if (self->search_folded == NULL)
    return TRUE;
  return text_matches (herald_event_get_title (event), self->search_folded)
         || text_matches (herald_event_get_body (event), self->search_folded);
}

static void
update_page (HeraldWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, self->n_rows > 0 ? "events" : "empty");
}

static char *
event_key (HeraldEvent *event)
{
  return g_strconcat (herald_event_get_account (event), "\n", herald_event_get_id (event), NULL);
}

static void
drop_oldest_rows (HeraldWindow *self)
{
  while (self->n_rows > MAX_ROWS)
    {
      GtkListBoxRow *last = gtk_list_box_get_row_at_index (self->event_list, (int)self->n_rows - 1);
      g_autofree char *key = event_key (row_get_event (last));

      g_hash_table_remove (self->listed, key);
      gtk_widget_destroy (GTK_WIDGET (last));
      self->n_rows--;
    }
}

static void
add_event (HeraldWindow *self, HeraldEvent *event)
{
  char *key = event_key (event);

  if (!g_hash_table_add (self->listed, key))
    return;
  gtk_container_add (GTK_CONTAINER (self->event_list), make_row (self, event));
  self->n_rows++;
  drop_oldest_rows (self);
  update_page (self);
}

static void
update_status (HeraldWindow *self)
{
  g_autoptr (GString) attention = g_string_new (NULL);
  GListModel *accounts;
  guint n_accounts = 0, n_connected = 0;

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
  gtk_widget_set_visible (self->add_account_button, n_accounts == 0 && !self->demo);
  if (n_accounts == 0)
    gtk_label_set_text (
      self->empty_hint,
      _ ("Add an account in Preferences, or try “herald --demo” to see Herald at work."));
  else
    gtk_label_set_text (
      self->empty_hint,
      _ ("New deposits, trades, lobbies, orders, positions and tips appear here."));
}

static void
event_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  add_event (HERALD_WINDOW (user_data), event);
}

static void
state_changed_cb (HeraldHub *hub, const char *account_id, HeraldConnectionState state,
                  const char *reason, gpointer user_data)
{
  update_status (HERALD_WINDOW (user_data));
}

static void
history_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events
    = herald_history_query_finish (HERALD_HISTORY (source), result, &error);
  HeraldWindow *self;

  if (events == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the history: %s", error->message);
      return;
    }
  self = HERALD_WINDOW (user_data);
  for (guint i = 0; i < events->len; i++)
    add_event (self, g_ptr_array_index (events, i));
}

static void
search_changed_cb (GtkSearchEntry *entry, gpointer user_data)
{
  HeraldWindow *self = user_data;
  const char *text = gtk_entry_get_text (GTK_ENTRY (entry));

  g_clear_pointer (&self->search_folded, g_free);
  if (text != NULL && *text != '\0')
    self->search_folded = g_utf8_casefold (text, -1);
  gtk_list_box_invalidate_filter (self->event_list);
}

static void
herald_window_dispose (GObject *object)
{
  HeraldWindow *self = HERALD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->hub != NULL)
    g_signal_handlers_disconnect_by_data (self->hub, self);
  g_clear_object (&self->hub);
  g_clear_pointer (&self->search_folded, g_free);
  g_clear_pointer (&self->listed, g_hash_table_unref);
  G_OBJECT_CLASS (herald_window_parent_class)->dispose (object);
}

static void
herald_window_class_init (HeraldWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = herald_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heraldapp/Herald/ui/herald-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, attention_bar);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, attention_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, empty_hint);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, add_account_button);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, event_list);
  gtk_widget_class_bind_template_child (widget_class, HeraldWindow, status_label);
}

static void
herald_window_init (HeraldWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_object_bind_property (self->search_button, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL);
  gtk_search_bar_connect_entry (self->search_bar, GTK_ENTRY (self->search_entry));
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  gtk_list_box_set_sort_func (self->event_list, sort_rows, NULL, NULL);
  gtk_list_box_set_filter_func (self->event_list, filter_rows, self, NULL);
  update_page (self);
}

HeraldWindow *
herald_window_new (GtkApplication *application)
{
  return g_object_new (HERALD_TYPE_WINDOW, "application", application, NULL);
}

void
herald_window_set_hub (HeraldWindow *self, HeraldHub *hub)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;

  g_return_if_fail (HERALD_IS_WINDOW (self));
  g_return_if_fail (self->hub == NULL);

  self->hub = g_object_ref (hub);
  g_signal_connect_object (hub, "event-added", G_CALLBACK (event_added_cb), self, 0);
  g_signal_connect_object (hub, "state-changed", G_CALLBACK (state_changed_cb), self, 0);
  query.limit = MAX_ROWS;
  herald_history_query_async (herald_hub_get_history (hub), &query, self->cancellable,
                              history_loaded_cb, self);
  update_status (self);
}

void
herald_window_set_demo (HeraldWindow *self, gboolean demo)
{
  self->demo = demo;
  gtk_header_bar_set_subtitle (self->header_bar,
                               demo ? _ ("Demo — simulated accounts, nothing is saved") : NULL);
}

guint
herald_window_get_n_events (HeraldWindow *self)
{
  return self->n_rows;
}

void
herald_window_mark_all_read (HeraldWindow *self)
{
  GList *rows = gtk_container_get_children (GTK_CONTAINER (self->event_list));

  for (GList *l = rows; l != NULL; l = l->next)
    {
      herald_event_set_read (row_get_event (l->data), TRUE);
      gtk_style_context_remove_class (gtk_widget_get_style_context (l->data), "unread");
    }
  g_list_free (rows);
}

const char *
herald_window_get_status_text (HeraldWindow *self)
{
  return gtk_label_get_text (self->status_label);
}

const char *
herald_window_get_attention_text (HeraldWindow *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->attention_bar)))
    return NULL;
  return gtk_label_get_text (self->attention_label);
}

void
herald_window_search (HeraldWindow *self, const char *text)
{
  gtk_toggle_button_set_active (self->search_button, TRUE);
  gtk_entry_set_text (GTK_ENTRY (self->search_entry), text);
  /* The entry reports changes after a delay; the filter follows the text at once here. */
  search_changed_cb (self->search_entry, self);
}

guint
herald_window_count_visible_rows (HeraldWindow *self)
{
  GList *rows = gtk_container_get_children (GTK_CONTAINER (self->event_list));
  guint visible = 0;

  for (GList *l = rows; l != NULL; l = l->next)
    if (gtk_widget_get_child_visible (l->data))
      visible++;
  g_list_free (rows);
  return visible;
}

gboolean
herald_window_get_row_texts (HeraldWindow *self, guint n, const char **title, const char **body)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->event_list, (int)n);
  GList *parts, *labels;
  GtkWidget *text;

  if (row == NULL)
    return FALSE;
  parts = gtk_container_get_children (GTK_CONTAINER (gtk_bin_get_child (GTK_BIN (row))));
  text = g_list_nth_data (parts, 1);
  g_list_free (parts);
  labels = gtk_container_get_children (GTK_CONTAINER (text));
  *title = gtk_label_get_text (labels->data);
  /* Plain text only: markup in a tipper's message must show as typed. */
  g_assert (!gtk_label_get_use_markup (labels->data));
  *body = g_list_length (labels) > 2 ? gtk_label_get_text (labels->next->data) : "";
  g_list_free (labels);
  return TRUE;
}

/* A stub until the window is rebuilt on the event model (issue 9, item 2): it finds the row
 * among those listed and selects it; an event not listed (older than the rows kept) only gets
 * the window presented. */
void
herald_window_show_event (HeraldWindow *self, const char *account, const char *id)
{
  g_autofree char *key = g_strconcat (account, "\n", id, NULL);
  GList *rows = gtk_container_get_children (GTK_CONTAINER (self->event_list));
  GtkListBoxRow *found = NULL;

  g_return_if_fail (HERALD_IS_WINDOW (self));

  gtk_window_present (GTK_WINDOW (self));
  for (GList *l = rows; l != NULL && found == NULL; l = l->next)
    {
      g_autofree char *row_key = event_key (row_get_event (l->data));

      if (g_str_equal (row_key, key))
        found = l->data;
    }
  g_list_free (rows);
  if (found == NULL)
    return;
  /* A search that hides it would hide what was asked for. */
  if (!gtk_widget_get_child_visible (GTK_WIDGET (found)))
    herald_window_search (self, "");
  gtk_list_box_set_selection_mode (self->event_list, GTK_SELECTION_SINGLE);
  gtk_list_box_select_row (self->event_list, found);
  /* Focus moves the list's cursor there, and the list scrolls its viewport to the cursor. */
  gtk_widget_grab_focus (GTK_WIDGET (found));
}

HeraldEvent *
herald_window_get_shown_event (HeraldWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->event_list);

  return row != NULL ? row_get_event (row) : NULL;
}
