/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-window.h — the history window: every stored event newest first, searched and filtered
 * over the whole history, an event's details, and each account's state. */
#pragma once

#include <gtk/gtk.h>

#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_WINDOW (herald_window_get_type ())
G_DECLARE_FINAL_TYPE (HeraldWindow, herald_window, HERALD, WINDOW, GtkApplicationWindow)

HeraldWindow *herald_window_new (GtkApplication *application);
/* The window shows the hub's history and follows its new events and account states. */
void herald_window_set_hub (HeraldWindow *self, HeraldHub *hub);
void herald_window_set_demo (HeraldWindow *self, gboolean demo);
/* Events loaded in the list (a page or a few; for tests). */
guint herald_window_get_n_events (HeraldWindow *self);
/* Marks every event read in the history; the list follows its "read-changed". */
void herald_window_mark_all_read (HeraldWindow *self);
/* Presents the window with the event (@account_id, @event_id) selected and its details shown:
 * from a notification or the tray. Filters that hide it are cleared; an event older than the
 * loaded pages is read from the history for the details. */
void herald_window_show_event (HeraldWindow *self, const char *account_id, const char *event_id);

G_END_DECLS
