/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-tray-private.h — what tests look at inside the tray: which presenter it chose and the
 * menu it built. */
#pragma once

#include "herald-tray.h"

G_BEGIN_DECLS

/* TRUE while the tray shows a GtkStatusIcon because no StatusNotifierWatcher is on the bus. */
gboolean herald_tray_get_uses_fallback (HeraldTray *self);
/* That GtkStatusIcon, or NULL. transfer none */
GtkStatusIcon *herald_tray_get_status_icon (HeraldTray *self);
/* The menu as last built (exported over dbusmenu, or popped up by the fallback). transfer none */
GtkMenu *herald_tray_get_menu (HeraldTray *self);
/* Builds the menu and asks the unread count now instead of after the coalescing delay. */
void herald_tray_rebuild_now (HeraldTray *self);

G_END_DECLS
