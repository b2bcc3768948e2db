/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-time-format.h — when an event happened, worded for a person: the history list, its
 * details and the tray menu say it the same way. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "just now", "5 min ago", "3 h ago", "Yesterday", "Mon", "12 Mar", "12 Mar 2024", reckoned in
 * @tz (read once by the caller, not per event). */
char *herald_format_relative_time (gint64 occurred_us, GTimeZone *tz, gint64 now_us);
/* The full local date and time, in the locale's own format. */
char *herald_format_absolute_time (gint64 occurred_us, GTimeZone *tz);

G_END_DECLS
