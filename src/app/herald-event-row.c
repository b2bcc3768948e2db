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
  GtkLabel *time_label;
  gboolean accessible_named;
};

G_DEFINE_FINAL_TYPE (HeraldEventRow, herald_event_row, GTK_TYPE_LIST_BOX_ROW)

static void
herald_event_row_finalize (GObject *object)
{
  HeraldEventRow *self = HERALD_EVENT_ROW (object);

  g_clear_pointer (&self->event, herald_event_unref);
  G_OBJECT_CLASS (herald_event_row_parent_class)->finalize (object);
}

/* Named for screen readers when one first asks: a row costs nothing for it otherwise. */
static AtkObject *
herald_event_row_get_accessible (GtkWidget *widget)
{
  HeraldEventRow *self = HERALD_EVENT_ROW (widget);
  AtkObject *accessible = GTK_WIDGET_CLASS (herald_event_row_parent_class)->get_accessible (widget);

  if (!self->accessible_named && self->event != NULL)
    {
      g_autofree char *description = NULL;

      self->accessible_named = TRUE;
      if (herald_event_get_read (self->event))
        atk_object_set_name (accessible, herald_event_get_title (self->event));
      else
        {
          /* TRANSLATORS: accessible name of an unread event's row: "<title>, unread" */
          g_autofree char *name
            = g_strdup_printf (_ ("%s, unread"), herald_event_get_title (self->event));

          atk_object_set_name (accessible, name);
        }
      /* TRANSLATORS: accessible description of a row: "<message>, <5 min ago>" */
      description = g_strdup_printf (_ ("%s, %s"), herald_event_get_body (self->event),
                                     gtk_label_get_text (self->time_label));
      atk_object_set_description (accessible, description);
    }
  return accessible;
}

static void
herald_event_row_class_init (HeraldEventRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = herald_event_row_finalize;
  GTK_WIDGET_CLASS (klass)->get_accessible = herald_event_row_get_accessible;
}

static void
herald_event_row_init (HeraldEventRow *self)
{
}

GtkWidget *
herald_event_row_new (HeraldEventItem *item, GTimeZone *tz, gint64 now_us)
{
  HeraldEventRow *self = g_object_new (HERALD_TYPE_EVENT_ROW, NULL);
  HeraldEvent *event = herald_event_item_get_event (item);
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self));
  g_autofree char *when
    = herald_format_relative_time (herald_event_get_occurred (event), tz, now_us);
  GtkWidget *grid, *icon, *title, *dot;

  self->event = herald_event_ref (event);
  gtk_style_context_add_class (style, "herald-event-row");
  if (!herald_event_get_read (event))
    gtk_style_context_add_class (style, "unread");

  /* One grid, no nested boxes: the fewest widgets for a row. */
  grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (grid), 10);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  icon = gtk_image_new_from_icon_name (
    herald_provider_get_icon_name (herald_event_get_provider (event)), GTK_ICON_SIZE_LARGE_TOOLBAR);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_grid_attach (GTK_GRID (grid), icon, 0, 0, 1, 2);

  title = gtk_label_new (herald_event_get_title (event));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_style_context_add_class (gtk_widget_get_style_context (title), "herald-event-title");
  if (herald_event_get_severity (event) != HERALD_SEVERITY_INFO)
    gtk_style_context_add_class (gtk_widget_get_style_context (title),
                                 herald_severity_to_string (herald_event_get_severity (event)));
  gtk_grid_attach (GTK_GRID (grid), title, 1, 0, 1, 1);

  self->time_label = GTK_LABEL (gtk_label_new (when));
  gtk_style_context_add_class (gtk_widget_get_style_context (GTK_WIDGET (self->time_label)),
                               "herald-event-time");
  gtk_style_context_add_class (gtk_widget_get_style_context (GTK_WIDGET (self->time_label)),
                               "caption");
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (self->time_label), 2, 0, 1, 1);

  /* The unread dot keeps its place on read rows too (transparent), so times line up. */
  dot = gtk_image_new_from_icon_name ("media-record-symbolic", GTK_ICON_SIZE_MENU);
  gtk_style_context_add_class (gtk_widget_get_style_context (dot), "herald-unread-dot");
  gtk_widget_set_opacity (dot, herald_event_get_read (event) ? 0.0 : 1.0);
  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_grid_attach (GTK_GRID (grid), dot, 3, 0, 1, 1);

  if (*herald_event_get_body (event) != '\0')
    {
      GtkWidget *body = gtk_label_new (herald_event_get_body (event));

      /* One line of the body: the details show the rest. */
      gtk_label_set_xalign (GTK_LABEL (body), 0);
      gtk_label_set_ellipsize (GTK_LABEL (body), PANGO_ELLIPSIZE_END);
      gtk_label_set_single_line_mode (GTK_LABEL (body), TRUE);
      gtk_style_context_add_class (gtk_widget_get_style_context (body), "herald-event-body");
      gtk_grid_attach (GTK_GRID (grid), body, 1, 1, 3, 1);
    }

  gtk_container_add (GTK_CONTAINER (self), grid);
  gtk_widget_show_all (GTK_WIDGET (self));
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
  g_autofree char *when
    = herald_format_relative_time (herald_event_get_occurred (self->event), tz, now_us);

  if (g_strcmp0 (when, gtk_label_get_text (self->time_label)) != 0)
    gtk_label_set_text (self->time_label, when);
}

const char *
herald_event_row_get_time_text (HeraldEventRow *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_ROW (self), NULL);
  return gtk_label_get_text (self->time_label);
}
