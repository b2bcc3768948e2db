/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-autostart.h — "Start at login": an XDG autostart entry outside Flatpak, the
 * Background portal inside it (detected at run time by /.flatpak-info). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* $XDG_CONFIG_HOME/autostart/io.github.heraldapp.Herald.desktop */
char *herald_autostart_get_path (void);

/* Writes or removes the entry (or asks the portal). Fails with a translated message, and then
 * nothing was changed. */
void herald_autostart_set_async (gboolean enabled, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean herald_autostart_set_finish (GAsyncResult *result, GError **error);

G_END_DECLS
