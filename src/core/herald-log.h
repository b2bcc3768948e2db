/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-log.h — how Herald's programs set up GLib's logging. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* libsoup logs two debug messages for every WebSocket frame. GLib 2.74 formats each one and
 * then hands it to its default handler, which looks up G_MESSAGES_DEBUG again before dropping
 * it: a tenth of a busy feed's receive time. Unless G_MESSAGES_DEBUG asks for libsoup's debug
 * messages, this drops them in a handler of their own instead. Call once, early in main (). */
void herald_log_drop_libsoup_debug (void);

G_END_DECLS
