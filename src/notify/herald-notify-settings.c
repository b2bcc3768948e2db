/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-notify-settings.c — a table of the keys the notifier follows: one row per key, so
 * honouring a new key is one row and one field. */
#define G_LOG_DOMAIN "herald-notify"

#include "config.h"

#include "herald-notify-settings.h"

typedef void (*ReadFunc) (GSettings *settings, const char *key, gpointer field);

static void
read_boolean (GSettings *settings, const char *key, gpointer field)
{
  *(gboolean *)field = g_settings_get_boolean (settings, key);
}

static void
read_uint (GSettings *settings, const char *key, gpointer field)
{
  *(guint *)field = g_settings_get_uint (settings, key);
}

static void
read_severity (GSettings *settings, const char *key, gpointer field)
{
  *(HeraldSeverity *)field = (HeraldSeverity)g_settings_get_enum (settings, key);
}

/* A list of category nicks → a bit per category; unknown nicks are ignored. */
static void
read_category_set (GSettings *settings, const char *key, gpointer field)
{
  g_auto (GStrv) nicks = g_settings_get_strv (settings, key);
  guint mask = 0;

  for (guint i = 0; nicks[i] != NULL; i++)
    {
      HeraldCategory category;

      if (herald_category_from_string (nicks[i], &category))
        mask |= 1u << category;
    }
  *(guint *)field = mask;
}

static const struct
{
  const char *key;
  ReadFunc read;
  gsize offset;
} keys[] = {
  { "notifications-enabled", read_boolean, G_STRUCT_OFFSET (HeraldNotifySettings, enabled) },
  { "paused", read_boolean, G_STRUCT_OFFSET (HeraldNotifySettings, paused) },
  { "notify-minimum-severity", read_severity, G_STRUCT_OFFSET (HeraldNotifySettings, minimum) },
  { "notification-show-message", read_boolean,
    G_STRUCT_OFFSET (HeraldNotifySettings, show_message) },
  { "burst-window", read_uint, G_STRUCT_OFFSET (HeraldNotifySettings, burst_window_s) },
  { "burst-threshold", read_uint, G_STRUCT_OFFSET (HeraldNotifySettings, burst_threshold) },
  /* Preferences' keys: followed once the schema has them. */
  { "muted-categories", read_category_set,
    G_STRUCT_OFFSET (HeraldNotifySettings, muted_categories) },
  { "notification-sound", read_boolean, G_STRUCT_OFFSET (HeraldNotifySettings, sound) },
};

static gboolean
schema_has_key (GSettings *settings, const char *key)
{
  g_autoptr (GSettingsSchema) schema = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key);
}

void
herald_notify_settings_init (HeraldNotifySettings *snapshot, GSettings *settings)
{
  g_return_if_fail (G_IS_SETTINGS (settings));

  *snapshot = (HeraldNotifySettings){
    .enabled = TRUE,
    .minimum = HERALD_SEVERITY_INFO,
    .show_message = TRUE,
    .burst_window_s = 10,
    .burst_threshold = 4,
  };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    herald_notify_settings_update (snapshot, settings, keys[i].key);
}

void
herald_notify_settings_update (HeraldNotifySettings *snapshot, GSettings *settings, const char *key)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (key != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].key, key))
      {
        /* Reading a key the schema lacks aborts: an older schema leaves the default. */
        if (schema_has_key (settings, key))
          keys[i].read (settings, key, G_STRUCT_MEMBER_P (snapshot, keys[i].offset));
        return;
      }
}
