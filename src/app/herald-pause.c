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

static void update (Pause *pause);

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
  update (pause);
  return G_SOURCE_REMOVE;
}

static void
update (Pause *pause)
{
  gint64 until = g_settings_get_int64 (pause->settings, "paused-until");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_clear_handle_id (&pause->source, g_source_remove);
  if (!g_settings_get_boolean (pause->settings, "paused"))
    {
      /* Ended by hand (the tray, gsettings): the next pause starts without an end. */
      if (until != 0)
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
  update (user_data);
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
  update (pause);
}
