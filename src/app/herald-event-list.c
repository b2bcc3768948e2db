/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-list.c — keeps the history window's GtkListBox in step with the event model,
 * as gtk_list_box_bind_model() would, but reuses rows. Where a change replaces items in place
 * (a burst that pushed the whole page out, a read state that changed, a new filter) the rows
 * already there are relabelled with the new events instead of being destroyed and built
 * again: creating, styling and realizing a row's widgets was most of what a burst's batch
 * cost the main loop. Only the difference in length adds or removes rows, and rows that
 * arrive at the end of the list are built a few per frame. */
#define G_LOG_DOMAIN "herald-window"

#include "config.h"

#include "herald-event-list.h"
#include "herald-event-row.h"

/* Rows built in one frame when many arrive at the end of the list (the first page, a page
 * loaded at the edge): the window fills over a few frames instead of stalling for one. */
#define ROWS_PER_FRAME 10

struct _HeraldEventList
{
  GtkListBox *list;
  HeraldEventModel *model;
  GTimeZone *tz;
  /* Rows show the model's first n_rows items; the items after them get rows frame by frame. */
  guint n_rows;
  guint build_tick;
};

static GtkWidget *
new_row (HeraldEventList *self, guint position, gint64 now)
{
  g_autoptr (HeraldEventItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  return herald_event_row_new (item, self->tz, now);
}

static gboolean
build_rows_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  HeraldEventList *self = user_data;
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < ROWS_PER_FRAME && self->n_rows < n_items; i++, self->n_rows++)
    gtk_list_box_insert (self->list, new_row (self, self->n_rows, now), -1);
  if (self->n_rows < n_items)
    return G_SOURCE_CONTINUE;
  self->build_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
schedule_build (HeraldEventList *self)
{
  if (self->build_tick == 0 && self->n_rows < g_list_model_get_n_items (G_LIST_MODEL (self->model)))
    self->build_tick
      = gtk_widget_add_tick_callback (GTK_WIDGET (self->list), build_rows_cb, self, NULL);
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  HeraldEventList *self = user_data;
  gint64 now = g_get_real_time ();
  /* Only rows that exist change now; a change that reaches past them leaves its new items to
   * the frames that build the rest. */
  gboolean reaches_unbuilt = position + removed >= self->n_rows;
  guint removed_rows = position < self->n_rows ? MIN (removed, self->n_rows - position) : 0;
  guint relabelled = MIN (removed_rows, added);

  for (guint i = 0; i < relabelled; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, (int)(position + i));
      g_autoptr (HeraldEventItem) item = g_list_model_get_item (model, position + i);
      HeraldEvent *event = herald_event_item_get_event (item);

      /* A selected row that now shows another event is no longer the one chosen. */
      if (gtk_list_box_row_is_selected (row)
          && herald_event_row_get_event (HERALD_EVENT_ROW (row)) != event)
        gtk_list_box_unselect_row (self->list, row);
      herald_event_row_set_event (HERALD_EVENT_ROW (row), event, self->tz, now);
    }
  for (guint i = relabelled; i < removed_rows; i++, self->n_rows--)
    gtk_widget_destroy (
      GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, (int)(position + relabelled))));
  if (!reaches_unbuilt)
    for (guint i = relabelled; i < added; i++, self->n_rows++)
      gtk_list_box_insert (self->list, new_row (self, position + i, now), (int)(position + i));
  schedule_build (self);
}

HeraldEventList *
herald_event_list_bind (GtkListBox *list, HeraldEventModel *model, GTimeZone *tz)
{
  HeraldEventList *self;

  g_return_val_if_fail (GTK_IS_LIST_BOX (list), NULL);
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (model), NULL);
  g_return_val_if_fail (tz != NULL, NULL);

  self = g_new0 (HeraldEventList, 1);
  self->list = g_object_ref (list);
  self->model = g_object_ref (model);
  self->tz = g_time_zone_ref (tz);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), self);
  schedule_build (self);
  return self;
}

gboolean
herald_event_list_is_building (HeraldEventList *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->build_tick != 0;
}

void
herald_event_list_unbind (HeraldEventList *self)
{
  GList *rows;

  if (self == NULL)
    return;
  g_signal_handlers_disconnect_by_func (self->model, items_changed_cb, self);
  if (self->build_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list), self->build_tick);
  rows = gtk_container_get_children (GTK_CONTAINER (self->list));
  for (GList *l = rows; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  g_list_free (rows);
  g_object_unref (self->list);
  g_object_unref (self->model);
  g_time_zone_unref (self->tz);
  g_free (self);
}
