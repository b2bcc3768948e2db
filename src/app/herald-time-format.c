/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-time-format.c — when an event happened, worded for a person: relative in the list
 * and the tray menu, absolute in the details. */
#include "config.h"

#include <glib/gi18n.h>

#include "herald-time-format.h"

static GDateTime *
to_zone (gint64 us, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

  return utc ? g_date_time_to_timezone (utc, tz) : NULL;
}

/* Calendar days, so "Yesterday" holds across a new year (and a leap day). */
static guint32
julian_day (GDateTime *time)
{
  int year, month, day;
  GDate date;

  g_date_time_get_ymd (time, &year, &month, &day);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay)day, (GDateMonth)month, (GDateYear)year);
  return g_date_get_julian (&date);
}

char *
herald_format_relative_time (gint64 occurred_us, GTimeZone *tz, gint64 now_us)
{
  g_autoptr (GDateTime) when = to_zone (occurred_us, tz);
  g_autoptr (GDateTime) now = to_zone (now_us, tz);
  gint64 ago_s = (now_us - occurred_us) / G_USEC_PER_SEC;
  int days;

  if (when == NULL || now == NULL)
    return g_strdup ("");
  /* A clock a little ahead of ours is still "just now", not "in 3 s". */
  if (ago_s < 60)
    return g_strdup (_ ("just now"));
  if (ago_s < 3600)
    /* TRANSLATORS: a short relative time */
    return g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%d min ago", "%d min ago", (gulong)(ago_s / 60)),
      (int)(ago_s / 60));
  days = (int)(julian_day (now) - julian_day (when));
  if (days == 0)
    return g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%d h ago", "%d h ago", (gulong)(ago_s / 3600)),
      (int)(ago_s / 3600));
  if (days == 1)
    return g_strdup (_ ("Yesterday"));
  if (days < 7)
    /* TRANSLATORS: the weekday of an event this week, see g_date_time_format() */
    return g_date_time_format (when, _ ("%A"));
  if (g_date_time_get_year (now) == g_date_time_get_year (when))
    /* TRANSLATORS: the date of an event this year, see g_date_time_format() */
    return g_date_time_format (when, _ ("%-d %b"));
  /* TRANSLATORS: the date of an older event, see g_date_time_format() */
  return g_date_time_format (when, _ ("%-d %b %Y"));
}

char *
herald_format_absolute_time (gint64 occurred_us, GTimeZone *tz)
{
  g_autoptr (GDateTime) when = to_zone (occurred_us, tz);

  /* %c: the locale's own date and time. */
  return when ? g_date_time_format (when, "%c") : g_strdup ("");
}
