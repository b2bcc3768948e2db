/* herald-format.c — amounts and untrusted text for titles and bodies of events.
 * Escaping for markup belongs to whoever renders markup (the notifier, the menu). */
#define G_LOG_DOMAIN "herald-format"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "herald-format.h"

static const char *
currency_symbol (const char *currency)
{
  if (currency == NULL || g_ascii_strcasecmp (currency, "USD") == 0)
    return "$";
  if (g_ascii_strcasecmp (currency, "EUR") == 0)
    return "€";
  if (g_ascii_strcasecmp (currency, "GBP") == 0)
    return "£";
  return NULL;
}

static char *
format_minor_units (gint64 cents, const char *currency)
{
  const char *symbol = currency_symbol (currency);
  const char *sign = cents < 0 ? "-" : "";
  guint64 magnitude = cents < 0 ? (guint64)(-(cents + 1)) + 1 : (guint64)cents;

  if (symbol != NULL)
    return g_strdup_printf ("%s%s%" G_GUINT64_FORMAT ".%02u", sign, symbol, magnitude / 100,
                            (guint)(magnitude % 100));
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u %s", sign, magnitude / 100,
                          (guint)(magnitude % 100), currency);
}

char *
herald_format_cents (gint64 cents, const char *currency)
{
  return format_minor_units (cents, currency);
}

char *
herald_format_decimal (const char *amount, const char *currency)
{
  char *end = NULL;
  double value;

  if (amount == NULL || *amount == '\0')
    return NULL;
  value = g_ascii_strtod (amount, &end);
  if (end == amount || *end != '\0' || !isfinite (value) || fabs (value) > 1e15)
    return NULL;
  return format_minor_units ((gint64)llround (value * 100.0), currency);
}

char *
herald_format_clean_text (const char *text, guint max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid));
  guint n_chars = 0;
  gboolean pending_space = FALSE;

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == '\r' || c == '\t' || g_unichar_type (c) == G_UNICODE_LINE_SEPARATOR
          || g_unichar_type (c) == G_UNICODE_PARAGRAPH_SEPARATOR || c == ' ')
        {
          pending_space = n_chars > 0;
          continue;
        }
      /* Control characters and bidi overrides can disguise text; joiners stay (emoji). */
      if (g_unichar_iscntrl (c) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
          || c == 0x200E || c == 0x200F)
        continue;
      if (max_chars > 0 && n_chars + (pending_space ? 1 : 0) >= max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (pending_space)
        {
          g_string_append_c (out, ' ');
          n_chars++;
          pending_space = FALSE;
        }
      g_string_append_unichar (out, c);
      n_chars++;
    }
  return g_string_free (out, FALSE);
}

char *
herald_format_escape_mnemonic (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text ? text : ""; *p; p++)
    {
      if (*p == '_')
        g_string_append_c (out, '_');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
herald_format_isolate (const char *text)
{
  return g_strconcat ("\u2068", text ? text : "", "\u2069", NULL);
}
