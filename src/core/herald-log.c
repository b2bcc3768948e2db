/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-log.c — how Herald's programs set up GLib's logging. */
#include "config.h"

#include "herald-log.h"

static void
drop_message (const char *log_domain, GLogLevelFlags log_level, const char *message,
              gpointer user_data)
{
}

void
herald_log_drop_libsoup_debug (void)
{
  /* Decided once: whoever wants them sets G_MESSAGES_DEBUG before starting Herald. */
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, "libsoup"))
    return;
  g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_message, NULL);
}
