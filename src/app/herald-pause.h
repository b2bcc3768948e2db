/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-pause.h — ends a timed pause of notifications: "paused" goes back to false when
 * "paused-until" comes, and a pause ended by hand forgets its end. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Follows the settings for as long as they live. Calling it again on the same settings
 * does nothing. */
void herald_pause_follow (GSettings *settings);

G_END_DECLS
