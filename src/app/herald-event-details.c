/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-details.c — the details pane. The message as received is pretty-printed when it
 * is JSON and shown as it came otherwise; every text is plain (never markup). */
#define G_LOG_DOMAIN "herald-window"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "herald-event-details.h"
#include "herald-event-row.h"
#include "herald-time-format.h"

struct _HeraldEventDetails
{
  GtkBox parent_instance;

  GtkLabel *title_label;
  GtkLabel *body_label;
  GtkLabel *account_label;
  GtkLabel *time_label;
  GtkLabel *severity_label;
  GtkButton *open_button;
  GtkButton *read_button;
  GtkTextView *raw_view;

  HeraldHub *hub;
  HeraldEvent *event;
  GTimeZone *tz;
  gint64 now_us;
};

G_DEFINE_FINAL_TYPE (HeraldEventDetails, herald_event_details, GTK_TYPE_BOX)

static char *
pretty_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) generator = NULL;

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

/* JSON is pretty-printed. A Socket.IO packet ("42/namespace,[...]") keeps its header on a line
 * of its own above its pretty JSON; anything else is shown as it came. */
static char *
pretty_raw (const char *raw)
{
  const char *json_start;
  char *pretty;

  if (raw == NULL || *raw == '\0')
    return g_strdup ("");
  if ((pretty = pretty_json (raw)) != NULL)
    return pretty;
  json_start = strpbrk (raw, "[{");
  if (json_start != NULL && json_start != raw)
    {
      g_autofree char *body = pretty_json (json_start);

      if (body != NULL)
        return g_strdup_printf ("%.*s\n%s", (int)(json_start - raw), raw, body);
    }
  return g_strdup (raw);
}

static const char *
severity_text (HeraldSeverity severity)
{
  switch (severity)
    {
    case HERALD_SEVERITY_WARNING:
      return _ ("Warning");
    case HERALD_SEVERITY_CRITICAL:
      return _ ("Critical");
    case HERALD_SEVERITY_INFO:
    default:
      return _ ("Information");
    }
}

/* The account's label; the hub knows its accounts by id only once it runs, the list always. */
static const char *
account_label (HeraldEventDetails *self, const char *account_id)
{
  GListModel *accounts;

  if (self->hub == NULL)
    return account_id;
  accounts = herald_hub_get_accounts (self->hub);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (accounts, i);

      if (g_str_equal (herald_account_get_id (account), account_id))
        return herald_account_get_label (account);
    }
  return account_id;
}

static void
update_read_button (HeraldEventDetails *self)
{
  gboolean read = self->event != NULL && herald_event_get_read (self->event);
  AtkObject *accessible = gtk_widget_get_accessible (GTK_WIDGET (self->read_button));

  gtk_button_set_label (self->read_button, read ? _ ("Mark as _Unread") : _ ("Mark as _Read"));
  atk_object_set_name (accessible, read ? _ ("Mark as unread") : _ ("Mark as read"));
}

static void
update_times (HeraldEventDetails *self)
{
  g_autofree char *absolute = NULL;
  g_autofree char *relative = NULL;
  g_autofree char *text = NULL;

  if (self->event == NULL || self->tz == NULL)
    return;
  absolute = herald_format_absolute_time (herald_event_get_occurred (self->event), self->tz);
  relative
    = herald_format_relative_time (herald_event_get_occurred (self->event), self->tz, self->now_us);
  /* TRANSLATORS: "<date and time> (<5 min ago>)" */
  text = g_strdup_printf (_ ("%s (%s)"), absolute, relative);
  if (g_strcmp0 (text, gtk_label_get_text (self->time_label)) != 0)
    gtk_label_set_text (self->time_label, text);
}

static gboolean
release_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
open_clicked_cb (HeraldEventDetails *self)
{
  g_autoptr (GError) error = NULL;
  GtkWidget *toplevel = gtk_widget_get_toplevel (GTK_WIDGET (self));
  const char *link = self->event ? herald_event_get_link (self->event) : NULL;

  if (link == NULL)
    return;
  /* Through the OpenURI portal inside Flatpak, the default handler outside. */
  if (!gtk_show_uri_on_window (GTK_IS_WINDOW (toplevel) ? GTK_WINDOW (toplevel) : NULL, link,
                               gtk_get_current_event_time (), &error))
    g_warning ("Could not open %s: %s", link, error->message);
  else if (GTK_IS_WINDOW (toplevel))
    /* GTK finishes the launch asynchronously with the window it was given, unreferenced: keep
     * it alive a while so a window closed at once is not used after it is freed. */
    g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 10, release_cb, g_object_ref (toplevel),
                                g_object_unref);
}

static void
copy_clicked_cb (HeraldEventDetails *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->raw_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  gtk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self), GDK_SELECTION_CLIPBOARD),
                          text, -1);
}

static void
read_clicked_cb (HeraldEventDetails *self)
{
  if (self->event == NULL || self->hub == NULL)
    return;
  /* The history announces the change; the list and this pane follow its "read-changed". */
  herald_history_mark_read (
    herald_hub_get_history (self->hub), herald_event_get_account (self->event),
    herald_event_get_id (self->event), !herald_event_get_read (self->event));
}

static void
read_changed_cb (HeraldHistory *history, const char *account, const char *id, gboolean read,
                 gpointer user_data)
{
  HeraldEventDetails *self = user_data;

  if (self->event == NULL)
    return;
  if ((account == NULL || g_str_equal (account, herald_event_get_account (self->event)))
      && (id == NULL || g_str_equal (id, herald_event_get_id (self->event))))
    {
      herald_event_set_read (self->event, read);
      update_read_button (self);
    }
}

static void
herald_event_details_dispose (GObject *object)
{
  HeraldEventDetails *self = HERALD_EVENT_DETAILS (object);

  g_clear_object (&self->hub);
  g_clear_pointer (&self->event, herald_event_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  G_OBJECT_CLASS (herald_event_details_parent_class)->dispose (object);
}

static void
herald_event_details_class_init (HeraldEventDetailsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = herald_event_details_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/heraldapp/Herald/ui/herald-event-details.ui");
  gtk_widget_class_bind_template_child (widget_class, HeraldEventDetails, title_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldEventDetails, body_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldEventDetails, account_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldEventDetails, time_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldEventDetails, severity_label);
  gtk_widget_class_bind_template_child (widget_class, HeraldEventDetails, open_button);
  gtk_widget_class_bind_template_child (widget_class, HeraldEventDetails, read_button);
  gtk_widget_class_bind_template_child (widget_class, HeraldEventDetails, raw_view);
  gtk_widget_class_bind_template_callback (widget_class, open_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, read_clicked_cb);
}

static void
herald_event_details_init (HeraldEventDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_read_button (self);
}

GtkWidget *
herald_event_details_new (void)
{
  return g_object_new (HERALD_TYPE_EVENT_DETAILS, NULL);
}

void
herald_event_details_set_hub (HeraldEventDetails *self, HeraldHub *hub)
{
  g_return_if_fail (HERALD_IS_EVENT_DETAILS (self));
  g_return_if_fail (self->hub == NULL);

  self->hub = g_object_ref (hub);
  g_signal_connect_object (herald_hub_get_history (hub), "read-changed",
                           G_CALLBACK (read_changed_cb), self, 0);
}

void
herald_event_details_set_event (HeraldEventDetails *self, HeraldEvent *event)
{
  g_autofree char *raw = NULL;
  const char *link;

  g_return_if_fail (HERALD_IS_EVENT_DETAILS (self));

  if (event != NULL)
    herald_event_ref (event);
  g_clear_pointer (&self->event, herald_event_unref);
  self->event = event;
  if (event == NULL)
    return;

  gtk_label_set_text (self->title_label, herald_event_get_title (event));
  gtk_label_set_text (self->body_label, herald_event_get_body (event));
  gtk_widget_set_visible (GTK_WIDGET (self->body_label), *herald_event_get_body (event) != '\0');
  gtk_label_set_text (self->account_label, account_label (self, herald_event_get_account (event)));
  gtk_label_set_text (self->severity_label, severity_text (herald_event_get_severity (event)));
  link = herald_event_get_link (event);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), link != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->open_button),
                               link ? link : _ ("This event has no link"));
  raw = pretty_raw (herald_event_get_raw (event));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->raw_view), raw, -1);
  update_read_button (self);
  update_times (self);
}

HeraldEvent *
herald_event_details_get_event (HeraldEventDetails *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_DETAILS (self), NULL);
  return self->event;
}

void
herald_event_details_update_time (HeraldEventDetails *self, GTimeZone *tz, gint64 now_us)
{
  g_return_if_fail (HERALD_IS_EVENT_DETAILS (self));

  if (self->tz != tz)
    {
      g_clear_pointer (&self->tz, g_time_zone_unref);
      self->tz = g_time_zone_ref (tz);
    }
  self->now_us = now_us;
  update_times (self);
}
