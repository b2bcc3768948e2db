/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-notify-settings.h — the notification settings the notifier decides with, read once and
 * kept current through GSettings' "changed" signal, so that no event pays for a settings read. */
#pragma once

#include <gio/gio.h>

#include "herald-event.h"

G_BEGIN_DECLS

/* Keys of io.github.heraldapp.Herald, as plain values. A field not backed by a key of the
 * schema in use keeps the default herald_notify_settings_init() gives it. */
typedef struct
{
  gboolean enabled;       /* notifications-enabled */
  gboolean paused;        /* paused */
  HeraldSeverity minimum; /* notify-minimum-severity */
  gboolean show_message;  /* notification-show-message */
  guint burst_window_s;   /* burst-window */
  guint burst_threshold;  /* burst-threshold */
  guint muted_categories; /* muted-categories: bit 1 << HeraldCategory */
  gboolean sound;         /* notification-sound: ask the server for a sound */
} HeraldNotifySettings;

/* Defaults as the schema has them, then every key @settings has. */
void herald_notify_settings_init (HeraldNotifySettings *snapshot, GSettings *settings);
/* Reads @key again; a key the snapshot does not follow is ignored. For "changed". */
void herald_notify_settings_update (HeraldNotifySettings *snapshot, GSettings *settings,
                                    const char *key);

G_END_DECLS
