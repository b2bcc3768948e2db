/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-tray.h — the tray icon and its menu: the newest events, every account's state,
 * pause, open the history, preferences, quit. */
#pragma once

#include <gtk/gtk.h>

#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_TRAY (herald_tray_get_type ())
G_DECLARE_FINAL_TYPE (HeraldTray, herald_tray, HERALD, TRAY, GObject)

/* NULL when Herald was built without a tray library. The menu activates the application's
 * actions app.show-event (ss: account, id), app.show-window, app.preferences and app.quit;
 * Pause writes @settings' "paused" and "paused-until". */
HeraldTray *herald_tray_new (GApplication *application, GSettings *settings);
void herald_tray_set_hub (HeraldTray *self, HeraldHub *hub);
/* TRUE while a tray host (a StatusNotifierWatcher, or an X11 system tray holding the
 * fallback GtkStatusIcon) shows the icon; notifies "visible". */
gboolean herald_tray_get_visible (HeraldTray *self);

G_END_DECLS
