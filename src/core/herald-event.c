/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event.c — the event record shared by feeds, hub, history and UI.
 * Strings are owned by the event; once handed to the hub it is treated as immutable. */
#define G_LOG_DOMAIN "herald-event"

#include "config.h"

#include "herald-event.h"

#include <string.h>

struct _HeraldEvent
{
  gatomicrefcount ref_count;
  /* Fixed at creation, and stored in the same allocation as the event, after it: feeds make
   * tens of thousands of events a second in a burst, and every allocation fewer counts. The
   * raw text given at creation is stored there too. */
  const char *id;
  const char *account;
  const char *provider;
  const char *type;
  HeraldCategory category;
  HeraldSeverity severity;
  char *title;
  char *body;
  char *link;
  char *object_id;
  gint64 occurred;
  gint64 received;
  char *raw;
  gsize raw_length;
  gboolean raw_inline; /* raw is in identity[], not an allocation of its own */
  gboolean unknown_type;
  gboolean read;
  char identity[]; /* id, account, provider, type and raw, each with its nul */
};

G_DEFINE_BOXED_TYPE (HeraldEvent, herald_event, herald_event_ref, herald_event_unref)

/* Title, body and raw are never NULL. Unset ones share this instead of an allocation each:
 * feeds replace them at once, thousands of times a second in a burst. Never written to. */
static char empty_text[] = "";

static void
text_free (char *text)
{
  if (text != empty_text)
    g_free (text);
}

static const char *const category_nicks[] = {
  [HERALD_CATEGORY_DEPOSIT] = "deposit",   [HERALD_CATEGORY_TRADE] = "trade",
  [HERALD_CATEGORY_LOBBY] = "lobby",       [HERALD_CATEGORY_CONTRACT] = "contract",
  [HERALD_CATEGORY_STORAGE] = "storage",   [HERALD_CATEGORY_ORDER] = "order",
  [HERALD_CATEGORY_POSITION] = "position", [HERALD_CATEGORY_TIP] = "tip",
  [HERALD_CATEGORY_SYSTEM] = "system",
};

static const char *const severity_nicks[] = {
  [HERALD_SEVERITY_INFO] = "info",
  [HERALD_SEVERITY_WARNING] = "warning",
  [HERALD_SEVERITY_CRITICAL] = "critical",
};

/* Copies length bytes of text to *cursor, ends them with a nul and moves the cursor past it. */
static char *
place (char **cursor, const char *text, gsize length)
{
  char *placed = *cursor;

  memcpy (placed, text, length);
  placed[length] = '\0';
  *cursor += length + 1;
  return placed;
}

static void
raw_free (HeraldEvent *self)
{
  if (!self->raw_inline)
    text_free (self->raw);
  self->raw_inline = FALSE;
}

/* Text ends at a nul, as it did in every reader before the length was kept. */
static gsize
raw_text_length (const char *raw, gssize len)
{
  if (raw == NULL)
    return 0;
  return len < 0 ? strlen (raw) : strnlen (raw, len);
}

HeraldEvent *
herald_event_new (const char *account_id, const char *provider, const char *type,
                  const char *dedupe_id)
{
  return herald_event_new_with_raw (account_id, provider, type, dedupe_id, NULL, 0);
}

HeraldEvent *
herald_event_new_with_raw (const char *account_id, const char *provider, const char *type,
                           const char *dedupe_id, const char *raw, gssize raw_length)
{
  gsize id_length, account_length, provider_length, type_length;
  HeraldEvent *self;
  char *cursor;

  g_return_val_if_fail (account_id != NULL, NULL);
  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (dedupe_id != NULL, NULL);

  id_length = strlen (dedupe_id);
  account_length = strlen (account_id);
  provider_length = strlen (provider);
  type_length = strlen (type);
  raw_length = raw_text_length (raw, raw_length);
  self = g_malloc (sizeof (HeraldEvent) + id_length + account_length + provider_length + type_length
                   + raw_length + 5);
  g_atomic_ref_count_init (&self->ref_count);
  cursor = self->identity;
  self->id = place (&cursor, dedupe_id, id_length);
  self->account = place (&cursor, account_id, account_length);
  self->provider = place (&cursor, provider, provider_length);
  self->type = place (&cursor, type, type_length);
  self->raw_length = raw_length;
  self->raw_inline = raw_length > 0;
  self->raw = raw_length > 0 ? place (&cursor, raw, raw_length) : empty_text;
  self->category = HERALD_CATEGORY_SYSTEM;
  self->severity = HERALD_SEVERITY_INFO;
  self->title = empty_text;
  self->body = empty_text;
  self->link = NULL;
  self->object_id = NULL;
  self->unknown_type = FALSE;
  self->read = FALSE;
  self->received = g_get_real_time ();
  self->occurred = self->received;
  return self;
}

HeraldEvent *
herald_event_ref (HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
herald_event_unref (HeraldEvent *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  text_free (self->title);
  text_free (self->body);
  g_free (self->link);
  g_free (self->object_id);
  raw_free (self);
  g_free (self);
}

const char *
herald_event_get_id (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->id;
}

const char *
herald_event_get_account (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->account;
}

const char *
herald_event_get_provider (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->provider;
}

const char *
herald_event_get_event_type (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->type;
}

HeraldCategory
herald_event_get_category (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, HERALD_CATEGORY_SYSTEM);
  return self->category;
}

void
herald_event_set_category (HeraldEvent *self, HeraldCategory category)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (category <= HERALD_CATEGORY_SYSTEM);
  self->category = category;
}

HeraldSeverity
herald_event_get_severity (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, HERALD_SEVERITY_INFO);
  return self->severity;
}

void
herald_event_set_severity (HeraldEvent *self, HeraldSeverity severity)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (severity <= HERALD_SEVERITY_CRITICAL);
  self->severity = severity;
}

const char *
herald_event_get_title (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->title;
}

void
herald_event_set_title (HeraldEvent *self, const char *title)
{
  g_return_if_fail (self != NULL);
  herald_event_take_title (self, (title && *title) ? g_strdup (title) : NULL);
}

void
herald_event_take_title (HeraldEvent *self, char *title)
{
  g_return_if_fail (self != NULL);

  text_free (self->title);
  self->title = title ? title : empty_text;
}

const char *
herald_event_get_body (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->body;
}

void
herald_event_set_body (HeraldEvent *self, const char *body)
{
  g_return_if_fail (self != NULL);
  herald_event_take_body (self, (body && *body) ? g_strdup (body) : NULL);
}

void
herald_event_take_body (HeraldEvent *self, char *body)
{
  g_return_if_fail (self != NULL);

  text_free (self->body);
  self->body = body ? body : empty_text;
}

const char *
herald_event_get_link (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->link;
}

/* Links come from the feeds' untrusted text and end up behind a click. Kept: an http(s) address
 * with a host, in plain ASCII (no look-alike letters in a host name), without spaces, controls or
 * the characters that end an address in text and markup, and without user information before
 * the host, which can make "https://bank.example@elsewhere.example/" look like the bank. A hand
 * check, as a GUri parse would cost an allocation per event in a burst. */
static gboolean
is_web_link (const char *link)
{
  const char *rest;
  gsize authority_length;

  if (g_ascii_strncasecmp (link, "https://", 8) == 0)
    rest = link + 8;
  else if (g_ascii_strncasecmp (link, "http://", 7) == 0)
    rest = link + 7;
  else
    return FALSE;
  authority_length = strcspn (rest, "/?#");
  if (authority_length == 0 || *rest == ':' || memchr (rest, '@', authority_length) != NULL)
    return FALSE;
  for (const char *p = rest; *p; p++)
    if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f || strchr ("<>\"\\", *p) != NULL)
      return FALSE;
  return TRUE;
}

void
herald_event_set_link (HeraldEvent *self, const char *link)
{
  g_return_if_fail (self != NULL);
  herald_event_take_link (self, g_strdup (link));
}

void
herald_event_take_link (HeraldEvent *self, char *link)
{
  g_return_if_fail (self != NULL);

  g_free (self->link);
  self->link = link;
  if (link != NULL && !is_web_link (link))
    g_clear_pointer (&self->link, g_free);
}

const char *
herald_event_get_object_id (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->object_id;
}

void
herald_event_set_object_id (HeraldEvent *self, const char *object_id)
{
  g_return_if_fail (self != NULL);
  herald_event_take_object_id (self, g_strdup (object_id));
}

void
herald_event_take_object_id (HeraldEvent *self, char *object_id)
{
  g_return_if_fail (self != NULL);

  g_free (self->object_id);
  self->object_id = object_id;
  if (object_id != NULL && *object_id == '\0')
    g_clear_pointer (&self->object_id, g_free);
}

gint64
herald_event_get_occurred (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->occurred;
}

void
herald_event_set_occurred (HeraldEvent *self, gint64 occurred_us)
{
  g_return_if_fail (self != NULL);
  self->occurred = occurred_us;
}

gint64
herald_event_get_received (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->received;
}

void
herald_event_set_received (HeraldEvent *self, gint64 received_us)
{
  g_return_if_fail (self != NULL);
  self->received = received_us;
}

const char *
herald_event_get_raw (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->raw;
}

void
herald_event_set_raw (HeraldEvent *self, const char *raw, gssize len)
{
  g_return_if_fail (self != NULL);

  raw_free (self);
  self->raw_length = raw_text_length (raw, len);
  self->raw = self->raw_length == 0 ? empty_text : g_strndup (raw, self->raw_length);
}

gsize
herald_event_get_raw_length (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->raw_length;
}

gboolean
herald_event_is_unknown_type (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->unknown_type;
}

void
herald_event_set_unknown_type (HeraldEvent *self, gboolean unknown_type)
{
  g_return_if_fail (self != NULL);
  self->unknown_type = !!unknown_type;
}

gboolean
herald_event_get_read (const HeraldEvent *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->read;
}

void
herald_event_set_read (HeraldEvent *self, gboolean read)
{
  g_return_if_fail (self != NULL);
  self->read = !!read;
}

const char *
herald_category_to_string (HeraldCategory category)
{
  g_return_val_if_fail (category < G_N_ELEMENTS (category_nicks), NULL);
  return category_nicks[category];
}

gboolean
herald_category_from_string (const char *nick, HeraldCategory *out_category)
{
  g_return_val_if_fail (out_category != NULL, FALSE);

  for (guint i = 0; nick && i < G_N_ELEMENTS (category_nicks); i++)
    if (g_str_equal (nick, category_nicks[i]))
      {
        *out_category = i;
        return TRUE;
      }
  return FALSE;
}

const char *
herald_severity_to_string (HeraldSeverity severity)
{
  g_return_val_if_fail (severity < G_N_ELEMENTS (severity_nicks), NULL);
  return severity_nicks[severity];
}

gboolean
herald_severity_from_string (const char *nick, HeraldSeverity *out_severity)
{
  g_return_val_if_fail (out_severity != NULL, FALSE);

  for (guint i = 0; nick && i < G_N_ELEMENTS (severity_nicks); i++)
    if (g_str_equal (nick, severity_nicks[i]))
      {
        *out_severity = i;
        return TRUE;
      }
  return FALSE;
}

/* Reads exactly n digits at *p and moves past them. */
static gboolean
read_digits (const char **p, guint n, int *out)
{
  int value = 0;

  for (guint i = 0; i < n; i++, (*p)++)
    {
      if (!g_ascii_isdigit (**p))
        return FALSE;
      value = value * 10 + (**p - '0');
    }
  *out = value;
  return TRUE;
}

static gboolean
expect (const char **p, char c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* The one shape feeds send, "2024-03-13T18:02:33.743Z" or with "+02:00", read without the
 * allocations of a GDateTime: a burst stamps tens of thousands of events a second. FALSE for
 * anything else, which the general parser then takes. */
static gboolean
parse_common_timestamp (const char *p, gint64 *out_us)
{
  int year, month, day, hour, minute, second, offset_hours = 0, offset_minutes = 0;
  gint64 fraction_us = 0;
  int sign = 0;
  GDate date;

  if (!read_digits (&p, 4, &year) || !expect (&p, '-') || !read_digits (&p, 2, &month)
      || !expect (&p, '-') || !read_digits (&p, 2, &day) || !expect (&p, 'T')
      || !read_digits (&p, 2, &hour) || !expect (&p, ':') || !read_digits (&p, 2, &minute)
      || !expect (&p, ':') || !read_digits (&p, 2, &second))
    return FALSE;
  if (*p == '.')
    {
      gint64 scale = G_USEC_PER_SEC;

      if (!g_ascii_isdigit (*++p))
        return FALSE;
      for (; g_ascii_isdigit (*p); p++)
        if (scale > 1)
          {
            scale /= 10;
            fraction_us += (*p - '0') * scale;
          }
    }
  if (*p == 'Z')
    p++;
  else if (*p == '+' || *p == '-')
    {
      sign = *p++ == '+' ? 1 : -1;
      if (!read_digits (&p, 2, &offset_hours) || !expect (&p, ':')
          || !read_digits (&p, 2, &offset_minutes) || offset_hours > 23 || offset_minutes > 59)
        return FALSE;
    }
  else
    return FALSE;
  if (*p != '\0' || year < 1 || !g_date_valid_dmy (day, month, year) || hour > 23 || minute > 59
      || second > 59)
    return FALSE;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  /* GLib counts days from 0001-01-01, which is day 1; 1970-01-01 is day 719163. */
  *out_us = ((((gint64)g_date_get_julian (&date) - 719163) * 24 + hour) * 3600 + minute * 60
             + second - sign * (offset_hours * 3600 + offset_minutes * 60))
              * G_USEC_PER_SEC
            + fraction_us;
  return TRUE;
}

gboolean
herald_parse_iso8601 (const char *text, gint64 *out_us)
{
  g_autoptr (GDateTime) dt = NULL;

  g_return_val_if_fail (out_us != NULL, FALSE);

  if (text == NULL || *text == '\0')
    return FALSE;
  if (parse_common_timestamp (text, out_us))
    return TRUE;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;
  /* GLib 2.74 has no g_date_time_to_unix_usec (). */
  *out_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

char *
herald_format_iso8601 (gint64 us)
{
  gint64 seconds = us / G_USEC_PER_SEC;
  gint64 fraction = us % G_USEC_PER_SEC;
  g_autoptr (GDateTime) whole = NULL;
  g_autoptr (GDateTime) dt = NULL;

  if (fraction < 0)
    {
      seconds -= 1;
      fraction += G_USEC_PER_SEC;
    }
  whole = g_date_time_new_from_unix_utc (seconds);
  dt = whole ? g_date_time_add (whole, fraction) : NULL;

  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  if (fraction == 0)
    return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}
