/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-details.h — everything about one event: its text, account, times, severity, its
 * link, the message as received, and its read state. */
#pragma once

#include <gtk/gtk.h>

#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_EVENT_DETAILS (herald_event_details_get_type ())
G_DECLARE_FINAL_TYPE (HeraldEventDetails, herald_event_details, HERALD, EVENT_DETAILS, GtkBox)

GtkWidget *herald_event_details_new (void);
/* Follows the hub's history for read state and names accounts by their labels. */
void herald_event_details_set_hub (HeraldEventDetails *self, HeraldHub *hub);
/* NULL: nothing shown. The event's read flag is kept in step with the history from here on. */
void herald_event_details_set_event (HeraldEventDetails *self, HeraldEvent *event);
/* transfer none; NULL when none is shown. */
HeraldEvent *herald_event_details_get_event (HeraldEventDetails *self);
/* Rewords the relative time ("5 min ago"), from the window's one timer. */
void herald_event_details_update_time (HeraldEventDetails *self, GTimeZone *tz, gint64 now_us);

G_END_DECLS
