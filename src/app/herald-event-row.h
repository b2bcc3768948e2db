/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-row.h — one cheap row of the history list, and the time and icon wording the
 * list and the details share. */
#pragma once

#include <gtk/gtk.h>

#include "herald-event-model.h"

G_BEGIN_DECLS

#define HERALD_TYPE_EVENT_ROW (herald_event_row_get_type ())
G_DECLARE_FINAL_TYPE (HeraldEventRow, herald_event_row, HERALD, EVENT_ROW, GtkListBoxRow)

/* @tz: the zone relative times are reckoned in, read once by the window. */
GtkWidget *herald_event_row_new (HeraldEventItem *item, GTimeZone *tz, gint64 now_us);
/* transfer none */
HeraldEvent *herald_event_row_get_event (HeraldEventRow *self);
/* Rewords the relative time for @now_us; the label changes only when its text does. */
void herald_event_row_update_time (HeraldEventRow *self, GTimeZone *tz, gint64 now_us);
const char *herald_event_row_get_time_text (HeraldEventRow *self);

/* The one place a feed's icon is named, so a rename of the icons is a one-line change. */
const char *herald_feed_icon_name (const char *provider);

/* "just now", "5 min ago", "3 h ago", "Yesterday", "Mon", "12 Mar", "12 Mar 2024". */
char *herald_format_relative_time (gint64 occurred_us, GTimeZone *tz, gint64 now_us);
/* The full local date and time, in the locale's own format. */
char *herald_format_absolute_time (gint64 occurred_us, GTimeZone *tz);

G_END_DECLS
