/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-row.c — a history row: feed icon, title, a line of the body and the time, built
 * in code from plain-text labels (never markup), so a tipper's message cannot style the list. */
#define G_LOG_DOMAIN "herald-window"

#include "config.h"

#include <glib/gi18n.h>

#include "herald-event-row.h"
#include "herald-provider-info.h"
#include "herald-time-format.h"

struct _HeraldEventRow
{
  GtkListBoxRow parent_instance;

  HeraldEvent *event;
  GtkImage *icon;
  GtkLabel *title_label;
  GtkLabel *time_label;
  GtkWidget *unread_dot;
  GtkLabel *body_label;
  AtkObject *accessible; /* once a screen reader asked for it; then kept named */
};

G_DEFINE_FINAL_TYPE (HeraldEventRow, herald_event_row, GTK_TYPE_LIST_BOX_ROW)

static void
herald_event_row_finalize (GObject *object)
{
  HeraldEventRow *self = HERALD_EVENT_ROW (object);

  g_clear_pointer (&self->event, herald_event_unref);
  G_OBJECT_CLASS (herald_event_row_parent_class)->finalize (object);
}

static void
name_accessible (HeraldEventRow *self)
{
  g_autofree char *description = NULL;

  if (herald_event_get_read (self->event))
    atk_object_set_name (self->accessible, herald_event_get_title (self->event));
  else
    {
      /* TRANSLATORS: accessible name of an unread event's row: "<title>, unread" */
      g_autofree char *name
        = g_strdup_printf (_ ("%s, unread"), herald_event_get_title (self->event));

      atk_object_set_name (self->accessible, name);
    }
  /* TRANSLATORS: accessible description of a row: "<message>, <5 min ago>" */
  description = g_strdup_printf (_ ("%s, %s"), herald_event_get_body (self->event),
                                 gtk_label_get_text (self->time_label));
  atk_object_set_description (self->accessible, description);
}

/* Named for screen readers when one first asks: a row costs nothing for it otherwise. */
static AtkObject *
herald_event_row_get_accessible (GtkWidget *widget)
{
  HeraldEventRow *self = HERALD_EVENT_ROW (widget);
  AtkObject *accessible = GTK_WIDGET_CLASS (herald_event_row_parent_class)->get_accessible (widget);

  if (self->accessible == NULL && self->event != NULL)
    {
      self->accessible = accessible;
      name_accessible (self);
    }
  return accessible;
}

static void
herald_event_row_class_init (HeraldEventRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = herald_event_row_finalize;
  GTK_WIDGET_CLASS (klass)->get_accessible = herald_event_row_get_accessible;
}

static GtkLabel *
add_label (GtkGrid *grid, const char *style_class, int column, int row, int width)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), style_class);
  gtk_grid_attach (grid, label, column, row, width, 1);
  return GTK_LABEL (label);
}

/* One grid, no nested boxes: the fewest widgets for a row. */
static void
herald_event_row_init (HeraldEventRow *self)
{
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());

  gtk_style_context_add_class (gtk_widget_get_style_context (GTK_WIDGET (self)),
                               "herald-event-row");
  gtk_grid_set_column_spacing (grid, 10);
  gtk_grid_set_row_spacing (grid, 2);

  self->icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->icon), GTK_ALIGN_START);
  gtk_grid_attach (grid, GTK_WIDGET (self->icon), 0, 0, 1, 2);

  self->title_label = add_label (grid, "herald-event-title", 1, 0, 1);
  gtk_widget_set_hexpand (GTK_WIDGET (self->title_label), TRUE);

  self->time_label = add_label (grid, "herald-event-time", 2, 0, 1);
  gtk_label_set_ellipsize (self->time_label, PANGO_ELLIPSIZE_NONE);
  gtk_style_context_add_class (gtk_widget_get_style_context (GTK_WIDGET (self->time_label)),
                               "caption");

  /* The unread dot keeps its place on read rows too (transparent), so times line up. */
  self->unread_dot = gtk_image_new_from_icon_name ("media-record-symbolic", GTK_ICON_SIZE_MENU);
  gtk_style_context_add_class (gtk_widget_get_style_context (self->unread_dot),
                               "herald-unread-dot");
  gtk_widget_set_valign (self->unread_dot, GTK_ALIGN_CENTER);
  gtk_grid_attach (grid, self->unread_dot, 3, 0, 1, 1);

  /* One line of the body: the details show the rest. */
  self->body_label = add_label (grid, "herald-event-body", 1, 1, 3);
  gtk_label_set_single_line_mode (self->body_label, TRUE);

  gtk_container_add (GTK_CONTAINER (self), GTK_WIDGET (grid));
  gtk_widget_show_all (GTK_WIDGET (self));
}

static void
set_style_class (GtkWidget *widget, const char *style_class, gboolean set)
{
  GtkStyleContext *style = gtk_widget_get_style_context (widget);

  if (set)
    gtk_style_context_add_class (style, style_class);
  else
    gtk_style_context_remove_class (style, style_class);
}

/* Shows @event: the widgets stay, only what differs from the event shown before changes, so a
 * batch that replaces the page relabels rows instead of building new ones. */
void
herald_event_row_set_event (HeraldEventRow *self, HeraldEvent *event, GTimeZone *tz, gint64 now_us)
{
  const char *body;

  g_return_if_fail (HERALD_IS_EVENT_ROW (self));
  g_return_if_fail (event != NULL);

  herald_event_ref (event);
  g_clear_pointer (&self->event, herald_event_unref);
  self->event = event;

  set_style_class (GTK_WIDGET (self), "unread", !herald_event_get_read (event));
  gtk_image_set_from_icon_name (self->icon,
                                herald_provider_get_icon_name (herald_event_get_provider (event)),
                                GTK_ICON_SIZE_LARGE_TOOLBAR);
  gtk_label_set_text (self->title_label, herald_event_get_title (event));
  for (HeraldSeverity severity = HERALD_SEVERITY_WARNING; severity <= HERALD_SEVERITY_CRITICAL;
       severity++)
    set_style_class (GTK_WIDGET (self->title_label), herald_severity_to_string (severity),
                     herald_event_get_severity (event) == severity);
  herald_event_row_update_time (self, tz, now_us);
  gtk_widget_set_opacity (self->unread_dot, herald_event_get_read (event) ? 0.0 : 1.0);
  body = herald_event_get_body (event);
  gtk_label_set_text (self->body_label, body);
  gtk_widget_set_visible (GTK_WIDGET (self->body_label), *body != '\0');
  if (self->accessible != NULL)
    name_accessible (self);
}

GtkWidget *
herald_event_row_new (HeraldEventItem *item, GTimeZone *tz, gint64 now_us)
{
  HeraldEventRow *self = g_object_new (HERALD_TYPE_EVENT_ROW, NULL);

  herald_event_row_set_event (self, herald_event_item_get_event (item), tz, now_us);
  return GTK_WIDGET (self);
}

HeraldEvent *
herald_event_row_get_event (HeraldEventRow *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_ROW (self), NULL);
  return self->event;
}

void
herald_event_row_update_time (HeraldEventRow *self, GTimeZone *tz, gint64 now_us)
{
  g_autofree char *when = NULL;

  g_return_if_fail (HERALD_IS_EVENT_ROW (self));
  when = herald_format_relative_time (herald_event_get_occurred (self->event), tz, now_us);

  if (g_strcmp0 (when, gtk_label_get_text (self->time_label)) != 0)
    gtk_label_set_text (self->time_label, when);
}

const char *
herald_event_row_get_time_text (HeraldEventRow *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_ROW (self), NULL);
  return gtk_label_get_text (self->time_label);
}
