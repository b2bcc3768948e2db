/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-json.c — libFuzzer target: HeraldJsonDoc against a strict grammar check written here and
 * against json-glib, on everything herald-json.h promises. Any disagreement aborts. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "herald-json.h"

/* --- the grammar, checked a second way --- */

/* A recursive-descent reading of RFC 8259 with herald-json.h's depth limit. It only says
 * whether the text is one JSON value, and what the first problem is: TOO_DEEP when the 65th
 * container opens before any other problem, INVALID_UTF8 when the first problem is a malformed
 * sequence inside a string, SYNTAX for the rest. */
typedef struct
{
  const guchar *s;
  const guchar *end;
  HeraldJsonError code;
} Ref;

static gboolean
ref_fail (Ref *r, HeraldJsonError code)
{
  r->code = code;
  return FALSE;
}

static void
ref_whitespace (Ref *r)
{
  while (r->s < r->end && (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r'))
    r->s++;
}

static gboolean
ref_literal (Ref *r, const char *word)
{
  gsize n = strlen (word);

  if ((gsize)(r->end - r->s) < n || memcmp (r->s, word, n) != 0)
    return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
  r->s += n;
  return TRUE;
}

static gboolean
ref_digits (Ref *r)
{
  if (r->s >= r->end || !g_ascii_isdigit (*r->s))
    return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
  while (r->s < r->end && g_ascii_isdigit (*r->s))
    r->s++;
  return TRUE;
}

static gboolean
ref_number (Ref *r)
{
  if (*r->s == '-')
    r->s++;
  if (r->s < r->end && *r->s == '0')
    r->s++;
  else if (r->s >= r->end || *r->s < '1' || *r->s > '9' || !ref_digits (r))
    return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
  if (r->s < r->end && *r->s == '.')
    {
      r->s++;
      if (!ref_digits (r))
        return FALSE;
    }
  if (r->s < r->end && (*r->s == 'e' || *r->s == 'E'))
    {
      r->s++;
      if (r->s < r->end && (*r->s == '+' || *r->s == '-'))
        r->s++;
      if (!ref_digits (r))
        return FALSE;
    }
  return TRUE;
}

static gboolean
ref_string (Ref *r)
{
  r->s++;
  while (r->s < r->end)
    {
      guchar c = *r->s;

      if (c == '"')
        {
          r->s++;
          return TRUE;
        }
      if (c < 0x20)
        return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
      if (c == '\\')
        {
          if (r->end - r->s < 2)
            return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
          if (r->s[1] == 'u')
            {
              for (guint i = 2; i < 6; i++)
                if (r->s + i >= r->end || !g_ascii_isxdigit (r->s[i]))
                  return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
              r->s += 6;
            }
          else if (r->s[1] != '\0' && strchr ("\"\\/bfnrt", r->s[1]) != NULL)
            r->s += 2;
          else
            return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
        }
      else if (c < 0x80)
        r->s++;
      else
        {
          /* GLib's own decoder: a third opinion on what well-formed UTF-8 is. */
          gunichar u = g_utf8_get_char_validated ((const char *)r->s, r->end - r->s);

          if (u == (gunichar)-1 || u == (gunichar)-2)
            return ref_fail (r, HERALD_JSON_ERROR_INVALID_UTF8);
          r->s += g_unichar_to_utf8 (u, NULL);
        }
    }
  return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
}

static gboolean
ref_value (Ref *r, guint depth)
{
  gboolean object;

  ref_whitespace (r);
  if (r->s >= r->end)
    return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
  switch (*r->s)
    {
    case '"':
      return ref_string (r);
    case 't':
      return ref_literal (r, "true");
    case 'f':
      return ref_literal (r, "false");
    case 'n':
      return ref_literal (r, "null");
    case '-':
    case '0' ... '9':
      return ref_number (r);
    case '[':
    case '{':
      break;
    default:
      return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
    }

  if (depth == HERALD_JSON_MAX_DEPTH)
    return ref_fail (r, HERALD_JSON_ERROR_TOO_DEEP);
  object = *r->s++ == '{';
  ref_whitespace (r);
  if (r->s < r->end && *r->s == (object ? '}' : ']'))
    {
      r->s++;
      return TRUE;
    }
  for (;;)
    {
      if (object)
        {
          ref_whitespace (r);
          if (r->s >= r->end || *r->s != '"')
            return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
          if (!ref_string (r))
            return FALSE;
          ref_whitespace (r);
          if (r->s >= r->end || *r->s != ':')
            return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
          r->s++;
        }
      if (!ref_value (r, depth + 1))
        return FALSE;
      ref_whitespace (r);
      if (r->s < r->end && *r->s == ',')
        {
          r->s++;
          continue;
        }
      if (r->s < r->end && *r->s == (object ? '}' : ']'))
        {
          r->s++;
          return TRUE;
        }
      return ref_fail (r, HERALD_JSON_ERROR_SYNTAX);
    }
}

static gboolean
ref_document (const guchar *data, gsize len, HeraldJsonError *code)
{
  Ref r = { data, data + len, HERALD_JSON_ERROR_SYNTAX };

  if (!ref_value (&r, 0))
    {
      *code = r.code;
      return FALSE;
    }
  ref_whitespace (&r);
  *code = HERALD_JSON_ERROR_SYNTAX;
  return r.s == r.end;
}

/* --- json-glib's reading of the same document --- */

static gboolean
is_high_surrogate (gunichar u)
{
  return u >= 0xd800 && u <= 0xdbff;
}

static gboolean
is_low_surrogate (gunichar u)
{
  return u >= 0xdc00 && u <= 0xdfff;
}

static gunichar
read_hex4 (const guchar *s)
{
  gunichar u = 0;

  for (guint i = 0; i < 4; i++)
    u = (u << 4) | g_ascii_xdigit_value (s[i]);
  return u;
}

/* A copy of a valid document in which every "\u0000" and unpaired surrogate escape is written
 * "\uFFFD", the same six bytes. json-glib cuts a string at U+0000, emits unpaired surrogates as
 * invalid UTF-8 and refuses a high surrogate followed by another escape; herald-json.h promises
 * U+FFFD for these, so json-glib reads the copy and must then agree exactly. */
static char *
replace_unrepresentable_escapes (const guchar *data, gsize len)
{
  char *copy = g_malloc (len + 1);
  gboolean in_string = FALSE;

  memcpy (copy, data, len);
  copy[len] = '\0';
  for (gsize i = 0; i < len; i++)
    {
      gunichar u;

      if (data[i] == '"')
        in_string = !in_string;
      if (!in_string || data[i] != '\\')
        continue;
      if (data[i + 1] != 'u')
        {
          i++;
          continue;
        }
      u = read_hex4 (data + i + 2);
      if (is_high_surrogate (u) && i + 12 <= len && data[i + 6] == '\\' && data[i + 7] == 'u'
          && is_low_surrogate (read_hex4 (data + i + 8)))
        {
          i += 11;
          continue;
        }
      if (u == 0 || is_high_surrogate (u) || is_low_surrogate (u))
        memcpy (copy + i + 2, "FFFD", 4);
      i += 5;
    }
  return copy;
}

/* --- the promises of herald-json.h, node by node --- */

/* What every accessor must answer for a node that is not of its type. */
static void
check_absent_accessors (HeraldJsonNode h, HeraldJsonType type)
{
  gint64 i64;
  double d;
  gboolean b;

  if (type != HERALD_JSON_STRING)
    {
      FUZZ_CHECK (herald_json_node_dup_string (h) == NULL);
      FUZZ_CHECK (!herald_json_node_string_equal (h, ""));
    }
  if (type != HERALD_JSON_NUMBER)
    {
      FUZZ_CHECK (!herald_json_node_get_int64 (h, &i64));
      FUZZ_CHECK (!herald_json_node_get_double (h, &d));
    }
  if (type != HERALD_JSON_TRUE && type != HERALD_JSON_FALSE)
    FUZZ_CHECK (!herald_json_node_get_boolean (h, &b));
  if (type != HERALD_JSON_ARRAY && type != HERALD_JSON_OBJECT)
    FUZZ_CHECK (herald_json_node_length (h) == 0);
  if (type != HERALD_JSON_ARRAY)
    FUZZ_CHECK (herald_json_node_type (herald_json_node_element (h, 0)) == HERALD_JSON_NONE);
  if (type != HERALD_JSON_OBJECT)
    {
      HeraldJsonNode name = { NULL, 0 };

      FUZZ_CHECK (herald_json_node_type (herald_json_node_member (h, "")) == HERALD_JSON_NONE);
      FUZZ_CHECK (herald_json_node_type (herald_json_node_member_at (h, 0, &name))
                  == HERALD_JSON_NONE);
      FUZZ_CHECK (name.index < 0);
    }
}

static void check_node (HeraldJsonNode h, JsonNode *g, const guchar *data, gsize len);

static void
check_number (HeraldJsonNode h, JsonNode *g, const char *raw, gsize raw_len)
{
  g_autofree char *text = g_strndup (raw, raw_len);
  gboolean integral = strpbrk (text, ".eE") == NULL;
  gint64 value, expected;
  double d;
  gboolean fits;
  g_autoptr (GError) error = NULL;

  /* The token must be a number by itself. */
  {
    HeraldJsonError code;

    FUZZ_CHECK (ref_document ((const guchar *)raw, raw_len, &code));
    FUZZ_CHECK (raw[0] == '-' || g_ascii_isdigit (raw[0]));
  }

  fits = integral && g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &expected, &error);
  FUZZ_CHECK (herald_json_node_get_int64 (h, &value) == fits);
  if (fits)
    {
      FUZZ_CHECK (value == expected);
      FUZZ_CHECK (json_node_get_value_type (g) == G_TYPE_INT64);
      FUZZ_CHECK (json_node_get_int (g) == value);
    }

  /* Overflow to infinity is the only number get_double refuses. */
  if (herald_json_node_get_double (h, &d))
    {
      FUZZ_CHECK (isfinite (d));
      FUZZ_CHECK (d == g_ascii_strtod (text, NULL));
      if (fits)
        FUZZ_CHECK (d == (double)value);
      else if (!integral)
        FUZZ_CHECK (d == json_node_get_double (g));
    }
  else
    FUZZ_CHECK (isinf (g_ascii_strtod (text, NULL)));
}

static void
check_string (HeraldJsonNode h, JsonNode *g, const char *raw, gsize raw_len)
{
  g_autofree char *value = herald_json_node_dup_string (h);
  g_autofree char *longer = NULL;
  gsize n;

  FUZZ_CHECK (raw_len >= 2 && raw[0] == '"' && raw[raw_len - 1] == '"');
  FUZZ_CHECK (value != NULL);
  n = strlen (value);
  /* Valid UTF-8 without embedded NUL, never longer than its escaped form. */
  FUZZ_CHECK (g_utf8_validate (value, -1, NULL));
  FUZZ_CHECK (n <= raw_len - 2);
  FUZZ_CHECK (g_strcmp0 (value, json_node_get_string (g)) == 0);

  FUZZ_CHECK (herald_json_node_string_equal (h, value));
  longer = g_strconcat (value, "x", NULL);
  FUZZ_CHECK (!herald_json_node_string_equal (h, longer));
  if (n > 0)
    {
      value[n - 1] = '\0';
      FUZZ_CHECK (!herald_json_node_string_equal (h, value));
    }
}

static void
check_array (HeraldJsonNode h, JsonNode *g, const guchar *data, gsize len)
{
  JsonArray *array = json_node_get_array (g);
  guint n = herald_json_node_length (h);

  FUZZ_CHECK (n == json_array_get_length (array));
  for (guint i = 0; i < n; i++)
    check_node (herald_json_node_element (h, i), json_array_get_element (array, i), data, len);
  FUZZ_CHECK (herald_json_node_type (herald_json_node_element (h, n)) == HERALD_JSON_NONE);
}

static void
check_object (HeraldJsonNode h, JsonNode *g, const guchar *data, gsize len)
{
  JsonObject *object = json_node_get_object (g);
  guint n = herald_json_node_length (h);
  /* name → index of its last occurrence: the one that wins. */
  g_autoptr (GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  HeraldJsonNode name;
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < n; i++)
    {
      HeraldJsonNode member = herald_json_node_member_at (h, i, &name);

      FUZZ_CHECK (herald_json_node_type (member) != HERALD_JSON_NONE);
      FUZZ_CHECK (herald_json_node_type (name) == HERALD_JSON_STRING);
      g_hash_table_insert (last, herald_json_node_dup_string (name), GUINT_TO_POINTER (i));
    }
  FUZZ_CHECK (herald_json_node_type (herald_json_node_member_at (h, n, &name)) == HERALD_JSON_NONE);
  FUZZ_CHECK (name.index < 0);

  /* json-glib keeps one member per name. */
  FUZZ_CHECK (g_hash_table_size (last) == json_object_get_size (object));
  g_hash_table_iter_init (&iter, last);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      HeraldJsonNode by_name = herald_json_node_member (h, key);
      HeraldJsonNode by_index = herald_json_node_member_at (h, GPOINTER_TO_UINT (value), NULL);
      JsonNode *g_member = json_object_get_member (object, key);

      FUZZ_CHECK (by_name.doc == by_index.doc && by_name.index == by_index.index);
      FUZZ_CHECK (g_member != NULL);
      check_node (by_name, g_member, data, len);
    }
}

static void
check_node (HeraldJsonNode h, JsonNode *g, const guchar *data, gsize len)
{
  HeraldJsonType type = herald_json_node_type (h);
  gsize raw_len = 0;
  const char *raw = herald_json_node_raw (h, &raw_len);
  gboolean b;

  FUZZ_CHECK (raw != NULL && raw_len > 0);
  FUZZ_CHECK ((const guchar *)raw >= data && (const guchar *)raw + raw_len <= data + len);
  check_absent_accessors (h, type);

  switch (type)
    {
    case HERALD_JSON_NULL:
      FUZZ_CHECK (JSON_NODE_HOLDS_NULL (g));
      FUZZ_CHECK (raw_len == 4 && memcmp (raw, "null", 4) == 0);
      break;
    case HERALD_JSON_TRUE:
    case HERALD_JSON_FALSE:
      FUZZ_CHECK (json_node_get_value_type (g) == G_TYPE_BOOLEAN);
      FUZZ_CHECK (herald_json_node_get_boolean (h, &b));
      FUZZ_CHECK (b == (type == HERALD_JSON_TRUE));
      FUZZ_CHECK (!b == !json_node_get_boolean (g));
      FUZZ_CHECK (b ? raw_len == 4 && memcmp (raw, "true", 4) == 0
                    : raw_len == 5 && memcmp (raw, "false", 5) == 0);
      break;
    case HERALD_JSON_NUMBER:
      FUZZ_CHECK (json_node_get_value_type (g) == G_TYPE_INT64
                  || json_node_get_value_type (g) == G_TYPE_DOUBLE);
      check_number (h, g, raw, raw_len);
      break;
    case HERALD_JSON_STRING:
      FUZZ_CHECK (json_node_get_value_type (g) == G_TYPE_STRING);
      check_string (h, g, raw, raw_len);
      break;
    case HERALD_JSON_ARRAY:
      FUZZ_CHECK (JSON_NODE_HOLDS_ARRAY (g));
      FUZZ_CHECK (raw[0] == '[' && raw[raw_len - 1] == ']');
      check_array (h, g, data, len);
      break;
    case HERALD_JSON_OBJECT:
      FUZZ_CHECK (JSON_NODE_HOLDS_OBJECT (g));
      FUZZ_CHECK (raw[0] == '{' && raw[raw_len - 1] == '}');
      check_object (h, g, data, len);
      break;
    case HERALD_JSON_NONE:
    default:
      FUZZ_CHECK (!"a node of a parsed document is NONE");
    }
}

/* --- the target --- */

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  /* One document reused between inputs, as every feed does: its token storage grows and
   * shrinks across parses. */
  static HeraldJsonDoc *doc;
  g_autoptr (GError) error = NULL;
  HeraldJsonError ref_code;
  gboolean ref_ok = ref_document (data, size, &ref_code);
  gboolean ok;
  HeraldJsonNode earlier;

  if (doc == NULL)
    doc = herald_json_doc_new ();

  FUZZ_CHECK (herald_json_doc_parse (doc, "[1]", 3, NULL));
  earlier = herald_json_node_element (herald_json_doc_root (doc), 0);

  ok = herald_json_doc_parse (doc, (const char *)data, size, &error);
  FUZZ_CHECK (ok == ref_ok);
  if (!ok)
    {
      FUZZ_CHECK (error != NULL && error->domain == HERALD_JSON_ERROR);
      FUZZ_CHECK ((error->code == HERALD_JSON_ERROR_TOO_DEEP)
                  == (ref_code == HERALD_JSON_ERROR_TOO_DEEP));
      if (ref_code == HERALD_JSON_ERROR_INVALID_UTF8)
        FUZZ_CHECK (error->code == HERALD_JSON_ERROR_INVALID_UTF8);
      if (error->code == HERALD_JSON_ERROR_INVALID_UTF8)
        FUZZ_CHECK (!g_utf8_validate_len ((const char *)data, size, NULL));
      FUZZ_CHECK (herald_json_node_type (herald_json_doc_root (doc)) == HERALD_JSON_NONE);
    }
  /* A node from an earlier parse reads as absent, whether this one failed or succeeded, and
   * however large the new document is. */
  FUZZ_CHECK (herald_json_node_type (earlier) == HERALD_JSON_NONE);
  if (!ok)
    return 0;
  FUZZ_CHECK (error == NULL);

  {
    g_autofree char *copy = replace_unrepresentable_escapes (data, size);
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) glib_error = NULL;

    if (!json_parser_load_from_data (parser, copy, size, &glib_error))
      fuzz_fail (__FILE__, __LINE__, glib_error->message);
    FUZZ_CHECK (json_parser_get_root (parser) != NULL);
    check_node (herald_json_doc_root (doc), json_parser_get_root (parser), data, size);
  }
  return 0;
}
