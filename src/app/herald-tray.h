/* herald-tray.h — the tray icon and its menu: the latest events, accounts that need
 * attention, pause, open the history, quit. */
#pragma once

#include <gtk/gtk.h>

#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_TRAY (herald_tray_get_type ())
G_DECLARE_FINAL_TYPE (HeraldTray, herald_tray, HERALD, TRAY, GObject)

/* NULL when Herald was built without a tray library. */
HeraldTray *herald_tray_new (GApplication *application);
void herald_tray_set_hub (HeraldTray *self, HeraldHub *hub);
/* TRUE while a tray host (a StatusNotifierWatcher) shows the icon; notifies "visible". */
gboolean herald_tray_get_visible (HeraldTray *self);

G_END_DECLS
