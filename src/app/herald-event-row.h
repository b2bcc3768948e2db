/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-row.h — one cheap row of the history list. */
#pragma once

#include <gtk/gtk.h>

#include "herald-event-model.h"

G_BEGIN_DECLS

#define HERALD_TYPE_EVENT_ROW (herald_event_row_get_type ())
G_DECLARE_FINAL_TYPE (HeraldEventRow, herald_event_row, HERALD, EVENT_ROW, GtkListBoxRow)

/* @tz: the zone relative times are reckoned in, read once by the window. */
GtkWidget *herald_event_row_new (HeraldEventItem *item, GTimeZone *tz, gint64 now_us);
/* Shows another event in the same widgets (@event is referenced). */
void herald_event_row_set_event (HeraldEventRow *self, HeraldEvent *event, GTimeZone *tz,
                                 gint64 now_us);
/* transfer none */
HeraldEvent *herald_event_row_get_event (HeraldEventRow *self);
/* Rewords the relative time for @now_us; the label changes only when its text does. */
void herald_event_row_update_time (HeraldEventRow *self, GTimeZone *tz, gint64 now_us);
const char *herald_event_row_get_time_text (HeraldEventRow *self);

G_END_DECLS
