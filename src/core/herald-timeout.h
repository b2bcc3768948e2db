/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-timeout.h — timers on the calling thread's own main context, so the engine keeps its
 * timers on whichever thread runs it (the hub's receiver thread, or the UI's in tests). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* g_timeout_add () on g_main_context_ref_thread_default () instead of the global default
 * context. Returns the source id within that context. */
guint herald_timeout_add_local (guint interval_ms, GSourceFunc function, gpointer data);

/* Removes a source that herald_timeout_add_local () added on this same thread, and sets *id to
 * 0; nothing when *id is 0. g_source_remove () would look in the global default context. */
void herald_source_clear_local (guint *id);

G_END_DECLS
