/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-format.c — untrusted text for titles and bodies of events (money: herald-money.c).
 * Escaping for markup belongs to whoever renders markup (the notifier, the menu). */
#define G_LOG_DOMAIN "herald-format"

#include "config.h"

#include <string.h>

#include "herald-format.h"

/* Control characters and bidi overrides can disguise text; joiners stay (emoji). */
static inline gboolean
is_dropped (gunichar c, GUnicodeType type)
{
  return type == G_UNICODE_CONTROL || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
         || c == 0x200E || c == 0x200F;
}

/* Most names and messages need no cleaning; one pass over valid UTF-8 proves it, and the text
 * is then copied whole instead of character by character. */
static gboolean
is_clean (const char *text, guint max_chars)
{
  gboolean after_space = TRUE; /* so a leading space is not clean */
  guint n_chars = 0;

  for (const char *p = text; *p; n_chars++)
    {
      guchar b = (guchar)*p;

      if (b < 0x80)
        {
          if (b == ' ')
            {
              if (after_space)
                return FALSE;
              after_space = TRUE;
            }
          else if (b < 0x20 || b == 0x7f)
            return FALSE;
          else
            after_space = FALSE;
          p++;
        }
      else
        {
          gunichar c = g_utf8_get_char (p);
          GUnicodeType type = g_unichar_type (c);

          if (type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR
              || is_dropped (c, type))
            return FALSE;
          after_space = FALSE;
          p = g_utf8_next_char (p);
        }
    }
  return !(after_space && n_chars > 0) && (max_chars == 0 || n_chars <= max_chars);
}

/* The cleaned copy of text that is_clean () refused or that is not valid UTF-8. */
static char *
clean_copy (const char *text, guint max_chars)
{
  g_autofree char *valid = NULL;
  char *out;
  char *end;
  guint n_chars = 0;
  gboolean pending_space = FALSE;
  const char *next;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  /* Cleaning only drops and folds, so the text never grows but for the ellipsis (3 bytes). */
  out = end = g_malloc (strlen (text) + sizeof "…");
  for (const char *p = text; *p; p = next)
    {
      guchar b = (guchar)*p;
      gboolean space;

      if (b < 0x80)
        {
          next = p + 1;
          space = b == '\n' || b == '\r' || b == '\t' || b == ' ';
          if (!space && (b < 0x20 || b == 0x7f))
            continue;
        }
      else
        {
          gunichar c = g_utf8_get_char (p);
          GUnicodeType type = g_unichar_type (c);

          next = g_utf8_next_char (p);
          space = type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR;
          if (!space && is_dropped (c, type))
            continue;
        }
      if (space)
        {
          pending_space = n_chars > 0;
          continue;
        }
      if (max_chars > 0 && n_chars + (pending_space ? 1 : 0) >= max_chars)
        {
          end = g_stpcpy (end, "…");
          break;
        }
      if (pending_space)
        {
          *end++ = ' ';
          n_chars++;
          pending_space = FALSE;
        }
      /* Valid UTF-8 here: the sequence is copied as it is, not decoded and encoded again. */
      memcpy (end, p, next - p);
      end += next - p;
      n_chars++;
    }
  *end = '\0';
  return out;
}

static gboolean
is_valid_and_clean (const char *text, guint max_chars)
{
  return g_utf8_validate (text, -1, NULL) && is_clean (text, max_chars);
}

char *
herald_format_clean_text (const char *text, guint max_chars)
{
  if (text == NULL)
    text = "";
  return is_valid_and_clean (text, max_chars) ? g_strdup (text) : clean_copy (text, max_chars);
}

char *
herald_format_take_clean_text (char *text, guint max_chars)
{
  char *clean;

  if (text == NULL)
    return g_strdup ("");
  if (is_valid_and_clean (text, max_chars))
    return text;
  clean = clean_copy (text, max_chars);
  g_free (text);
  return clean;
}

/* Where a placeholder of the template ends and which argument it takes, or FALSE when p does
 * not start one. */
static gboolean
parse_placeholder (const char *p, guint *in_out_next, guint *out_index, const char **out_end)
{
  if (p[1] == 's')
    {
      *out_index = (*in_out_next)++;
      *out_end = p + 2;
      return TRUE;
    }
  /* "%2$s": translators reorder arguments, as with printf. */
  if (p[1] >= '1' && p[1] <= '9' && p[2] == '$' && p[3] == 's')
    {
      *out_index = p[1] - '1';
      *out_end = p + 4;
      return TRUE;
    }
  return FALSE;
}

/* Writes the filled template to out, or only measures it when out is NULL; returns its length.
 * Two passes make one allocation of the exact size: titles live as long as their event. */
static gsize
fill_into (const char *template, const char *const *args, guint n_args, char *out)
{
  gsize length = 0;
  guint next = 0;

  for (const char *p = template, *end; *p; p = end)
    {
      const char *piece = p;
      gsize piece_length;
      guint index;

      if (*p != '%')
        {
          end = strchr (p, '%');
          if (end == NULL)
            end = p + strlen (p);
          piece_length = end - p;
        }
      else if (p[1] == '%')
        {
          piece_length = 1;
          end = p + 2;
        }
      else if (parse_placeholder (p, &next, &index, &end) && index < n_args)
        {
          piece = args[index];
          piece_length = strlen (piece);
        }
      else
        {
          /* A broken translation shows as it is rather than reading past the arguments. */
          piece_length = 1;
          end = p + 1;
        }
      if (out != NULL)
        memcpy (out + length, piece, piece_length);
      length += piece_length;
    }
  return length;
}

char *
herald_format_fill (const char *template, ...)
{
  const char *args[9];
  const char *arg;
  guint n_args = 0;
  gsize length;
  char *out;
  va_list ap;

  g_return_val_if_fail (template != NULL, NULL);

  va_start (ap, template);
  while (n_args < G_N_ELEMENTS (args) && (arg = va_arg (ap, const char *)) != NULL)
    args[n_args++] = arg;
  va_end (ap);

  length = fill_into (template, args, n_args, NULL);
  out = g_malloc (length + 1);
  fill_into (template, args, n_args, out);
  out[length] = '\0';
  return out;
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
