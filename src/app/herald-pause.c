/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-pause.c — see herald-pause.h. "paused" stays the one switch everyone reads (the
 * notifier, the tray's check item); "paused-until" only says when to turn it off. */
#define G_LOG_DOMAIN "herald-pause"

#include "config.h"

#include "herald-pause.h"

typedef struct
{
  GSettings *settings; /* unowned: this lives as data on it */
  guint source;
} Pause;

static void update (Pause *pause, gboolean end_may_be_new);

static void
pause_free (Pause *pause)
{
  g_clear_handle_id (&pause->source, g_source_remove);
  g_free (pause);
}

static gboolean
pause_over_cb (gpointer user_data)
{
  Pause *pause = user_data;

  pause->source = 0;
  g_settings_set_boolean (pause->settings, "paused", FALSE);
  update (pause, FALSE);
  return G_SOURCE_REMOVE;
}

/* end_may_be_new: "paused-until" itself changed, so an end set while not yet paused is a pause
 * being set up (its end is written first, by whoever writes the keys in that order), not one
 * left over from a pause that was ended. */
static void
update (Pause *pause, gboolean end_may_be_new)
{
  gint64 until = g_settings_get_int64 (pause->settings, "paused-until");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_clear_handle_id (&pause->source, g_source_remove);
  if (!g_settings_get_boolean (pause->settings, "paused"))
    {
      /* Ended by hand (the tray, gsettings): the next pause starts without an end. */
      if (until != 0 && !end_may_be_new)
        g_settings_set_int64 (pause->settings, "paused-until", 0);
      return;
    }
  if (until == 0)
    return;
  if (until <= now)
    {
      /* It ended while Herald was not running. */
      g_settings_set_boolean (pause->settings, "paused", FALSE);
      return;
    }
  pause->source
    = g_timeout_add_seconds ((guint)MIN (until - now, G_MAXUINT32 / 1000), pause_over_cb, pause);
}

static void
changed_cb (GSettings *settings, const char *key, gpointer user_data)
{
  update (user_data, g_str_equal (key, "paused-until"));
}

void
herald_pause_follow (GSettings *settings)
{
  Pause *pause;

  g_return_if_fail (G_IS_SETTINGS (settings));

  if (g_object_get_data (G_OBJECT (settings), "herald-pause") != NULL)
    return;
  pause = g_new0 (Pause, 1);
  pause->settings = settings;
  g_object_set_data_full (G_OBJECT (settings), "herald-pause", pause, (GDestroyNotify)pause_free);
  g_signal_connect (settings, "changed::paused", G_CALLBACK (changed_cb), pause);
  g_signal_connect (settings, "changed::paused-until", G_CALLBACK (changed_cb), pause);
  update (pause, FALSE);
}

void
herald_pause_until (GSettings *settings, gint64 until)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (until >= 0);

  /* "paused" first: turning it on keeps a zero end, and the end then follows. The other order
   * would read as a pause ended by hand and forget the end. */
  g_settings_set_boolean (settings, "paused", TRUE);
  g_settings_set_int64 (settings, "paused-until", until);
}

gint64
herald_pause_tomorrow_morning (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) morning
    = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                             g_date_time_get_day_of_month (now), 8, 0, 0);
  g_autoptr (GDateTime) next = g_date_time_add_days (morning, 1);

  return g_date_time_to_unix (next);
}
