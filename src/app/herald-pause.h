/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-pause.h — ends a timed pause of notifications: "paused" goes back to false when
 * "paused-until" comes, and a pause ended by hand forgets its end. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Follows the settings for as long as they live. Calling it again on the same settings
 * does nothing. */
void herald_pause_follow (GSettings *settings);

/* Pauses notifications until @until (seconds since 1970, UTC), or until resumed when 0. One
 * place sets the two keys, in the order herald_pause_follow() reads them. */
void herald_pause_until (GSettings *settings, gint64 until);
/* "Until tomorrow": when the next working day starts, 08:00 local time tomorrow. */
gint64 herald_pause_tomorrow_morning (void);

G_END_DECLS
