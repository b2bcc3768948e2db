/* herald-window.h — the history window: recent events newest first, search, and which
 * accounts need attention. */
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
/* Rows currently listed (for tests). */
guint herald_window_get_n_events (HeraldWindow *self);
void herald_window_mark_all_read (HeraldWindow *self);
/* Presents the window showing the event (@account, @id): app.show-event lands here. */
void herald_window_show_event (HeraldWindow *self, const char *account, const char *id);

G_END_DECLS
