/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-feed.c — see fuzz-feed.h. The checks are what a user would notice: an event whose
 * text is not clean, a frame not kept as it came, a failure without a readable reason. */
#include "config.h"

#include <string.h>

#include "fuzz-feed.h"

typedef struct
{
  HeraldFeed *feed;
  const char *frame;
  gsize length;
  guint failures;
} Sink;

/* Text a person reads: valid UTF-8 without control characters or line separators, except the
 * line breaks Herald's own templates put in a body. */
static gboolean
is_readable (const char *text, gboolean allow_newline)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (c == '\n' && allow_newline)
        continue;
      if (type == G_UNICODE_CONTROL || type == G_UNICODE_LINE_SEPARATOR
          || type == G_UNICODE_PARAGRAPH_SEPARATOR)
        return FALSE;
    }
  return TRUE;
}

static void
sink_send_text (gpointer data, const char *text)
{
  /* It goes out as a WebSocket text frame. */
  FUZZ_CHECK (text != NULL && g_utf8_validate (text, -1, NULL));
}

static void
sink_emit (gpointer data, HeraldEvent *event)
{
  Sink *sink = data;
  const char *body = herald_event_get_body (event);
  const char *link = herald_event_get_link (event);

  FUZZ_CHECK (g_strcmp0 (herald_event_get_account (event), herald_feed_get_account_id (sink->feed))
              == 0);
  FUZZ_CHECK (
    g_strcmp0 (herald_event_get_provider (event), herald_feed_get_provider_id (sink->feed)) == 0);
  FUZZ_CHECK (herald_event_get_id (event) != NULL && herald_event_get_id (event)[0] != '\0');
  FUZZ_CHECK (g_utf8_validate (herald_event_get_id (event), -1, NULL));
  /* The type may be empty: Dimes keeps an unnamed event as "Dimes: unnamed event". */
  FUZZ_CHECK (herald_event_get_event_type (event) != NULL
              && is_readable (herald_event_get_event_type (event), FALSE));
  FUZZ_CHECK (herald_event_get_title (event) != NULL && herald_event_get_title (event)[0] != '\0');
  FUZZ_CHECK (is_readable (herald_event_get_title (event), FALSE));
  FUZZ_CHECK (body == NULL || is_readable (body, TRUE));
  FUZZ_CHECK (link == NULL || g_ascii_strncasecmp (link, "https://", 8) == 0
              || g_ascii_strncasecmp (link, "http://", 7) == 0);
  FUZZ_CHECK (herald_category_to_string (herald_event_get_category (event)) != NULL);
  FUZZ_CHECK (herald_severity_to_string (herald_event_get_severity (event)) != NULL);
  /* The frame is kept exactly as it came. */
  FUZZ_CHECK (herald_event_get_raw_length (event) == sink->length);
  FUZZ_CHECK (memcmp (herald_event_get_raw (event), sink->frame, sink->length) == 0);
}

static void
sink_malformed (gpointer data, const char *why)
{
  FUZZ_CHECK (why != NULL && g_utf8_validate (why, -1, NULL));
}

static void
sink_fail (gpointer data, GError *error)
{
  Sink *sink = data;

  /* A feed fails once per connection, with a reason the user can read. */
  FUZZ_CHECK (sink->failures++ == 0);
  FUZZ_CHECK (error != NULL && error->domain == HERALD_FEED_ERROR);
  FUZZ_CHECK (error->message != NULL && is_readable (error->message, TRUE));
  g_error_free (error);
}

static void
sink_reconnect (gpointer data, gboolean reauthenticate, const char *reason)
{
  FUZZ_CHECK (reason != NULL && is_readable (reason, TRUE));
}

static void
sink_expect_reply (gpointer data)
{
}

static void
sink_reply_received (gpointer data)
{
}

static const HeraldFeedSink fuzz_sink = {
  sink_send_text, sink_emit,         sink_malformed,      sink_fail,
  sink_reconnect, sink_expect_reply, sink_reply_received,
};

/* UTF-8 as libsoup checks a text frame: U+0000 is a character like any other. */
static gboolean
is_text_frame (const char *data, gsize size)
{
  const char *end = data + size;

  while (data < end)
    {
      const char *nul = memchr (data, '\0', end - data);
      const char *stop = nul != NULL ? nul : end;

      if (!g_utf8_validate_len (data, stop - data, NULL))
        return FALSE;
      data = stop + (nul != NULL ? 1 : 0);
    }
  return TRUE;
}

void
fuzz_feed_receive (HeraldFeed *feed, const guint8 *data, size_t size)
{
  Sink sink = { feed, (const char *)data, size, 0 };

  /* libsoup hands a feed only text frames that are valid UTF-8. */
  if (!is_text_frame ((const char *)data, size))
    return;
  herald_feed_set_sink (feed, &fuzz_sink, &sink);
  HERALD_FEED_GET_CLASS (feed)->receive (feed, (const char *)data, size);
  herald_feed_set_sink (feed, NULL, NULL);
}
