/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-json.c — HeraldJsonDoc: what it accepts and how it reads it, what it refuses and why,
 * and a fixed-seed mutation run cross-checked against json-glib. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-json.h"

/* Parses from an exact-size copy so that AddressSanitizer catches any read past the end. */
static gboolean
parse_exact (HeraldJsonDoc *doc, const char *data, gsize len, char **out_copy, GError **error)
{
  char *copy = g_malloc (MAX (len, 1));

  memcpy (copy, data, len);
  *out_copy = copy;
  return herald_json_doc_parse (doc, copy, len, error);
}

/* Writes the parsed tree back in one canonical form (no spaces, numbers as written, strings
 * decoded then re-escaped minimally) so expectations can be spelled out as plain JSON. */
static void
canonical_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (; *s; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_printf (out, "\\%c", *s);
      else if ((guchar)*s < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar)*s);
      else
        g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

static void
canonical (GString *out, HeraldJsonNode node)
{
  const char *raw;
  gsize raw_len;

  switch (herald_json_node_type (node))
    {
    case HERALD_JSON_NONE:
      g_assert_not_reached ();
    case HERALD_JSON_NULL:
      g_string_append (out, "null");
      break;
    case HERALD_JSON_FALSE:
      g_string_append (out, "false");
      break;
    case HERALD_JSON_TRUE:
      g_string_append (out, "true");
      break;
    case HERALD_JSON_NUMBER:
      raw = herald_json_node_raw (node, &raw_len);
      g_string_append_len (out, raw, raw_len);
      break;
    case HERALD_JSON_STRING:
      {
        g_autofree char *s = herald_json_node_dup_string (node);

        g_assert_true (g_utf8_validate (s, -1, NULL));
        canonical_string (out, s);
      }
      break;
    case HERALD_JSON_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < herald_json_node_length (node); i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          canonical (out, herald_json_node_element (node, i));
        }
      g_string_append_c (out, ']');
      break;
    case HERALD_JSON_OBJECT:
      g_string_append_c (out, '{');
      for (guint i = 0; i < herald_json_node_length (node); i++)
        {
          HeraldJsonNode name;
          HeraldJsonNode value = herald_json_node_member_at (node, i, &name);

          if (i > 0)
            g_string_append_c (out, ',');
          canonical (out, name);
          g_string_append_c (out, ':');
          canonical (out, value);
        }
      g_string_append_c (out, '}');
      break;
    }
}

static gunichar
hex4_at (const char *s)
{
  gunichar value = 0;

  for (guint k = 0; k < 4; k++)
    value = value * 16 + g_ascii_xdigit_value (s[k]);
  return value;
}

/* Escapes json-glib 1.6 reads differently on purpose: it cuts strings at \u0000 and refuses
 * unpaired surrogates, where Herald writes U+FFFD. Only called on input Herald accepted, so
 * every backslash starts a complete escape. */
static gboolean
has_lossy_escape (const char *data, gsize len)
{
  for (gsize i = 0; i + 1 < len; i++)
    {
      gunichar cp;

      if (data[i] != '\\')
        continue;
      if (data[i + 1] != 'u')
        {
          i++;
          continue;
        }
      cp = hex4_at (data + i + 2);
      if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
        return TRUE;
      if (cp >= 0xd800 && cp <= 0xdbff)
        {
          gunichar low = 0;

          if (i + 12 <= len && data[i + 6] == '\\' && data[i + 7] == 'u')
            low = hex4_at (data + i + 8);
          if (low < 0xdc00 || low > 0xdfff)
            return TRUE;
          i += 6;
        }
      i += 5;
    }
  return FALSE;
}

static gboolean
node_has_lossy_escape (HeraldJsonNode node)
{
  gsize len;
  const char *raw = herald_json_node_raw (node, &len);

  return has_lossy_escape (raw, len);
}

/* Same tree, same typed values as json-glib, apart from its documented lapses. */
static void
compare_with_json_glib (HeraldJsonNode ours, JsonNode *theirs)
{
  g_assert_nonnull (theirs);

  switch (herald_json_node_type (ours))
    {
    case HERALD_JSON_NONE:
      g_assert_not_reached ();
    case HERALD_JSON_NULL:
      g_assert_true (JSON_NODE_HOLDS_NULL (theirs));
      break;
    case HERALD_JSON_FALSE:
    case HERALD_JSON_TRUE:
      {
        gboolean b;

        g_assert_true (herald_json_node_get_boolean (ours, &b));
        g_assert_cmpuint (json_node_get_value_type (theirs), ==, G_TYPE_BOOLEAN);
        g_assert_cmpint (b, ==, json_node_get_boolean (theirs));
      }
      break;
    case HERALD_JSON_NUMBER:
      {
        gint64 i;
        double d;
        gsize len;
        const char *raw = herald_json_node_raw (ours, &len);
        gboolean integral
          = !memchr (raw, '.', len) && !memchr (raw, 'e', len) && !memchr (raw, 'E', len);

        if (herald_json_node_get_int64 (ours, &i))
          {
            g_assert_true (integral);
            g_assert_cmpuint (json_node_get_value_type (theirs), ==, G_TYPE_INT64);
            g_assert_cmpint (i, ==, json_node_get_int (theirs));
          }
        else if (!integral)
          {
            /* json-glib 1.6 wraps integers beyond gint64, so only fractions compare. */
            g_assert_cmpuint (json_node_get_value_type (theirs), ==, G_TYPE_DOUBLE);
            if (herald_json_node_get_double (ours, &d))
              g_assert_cmpfloat (d, ==, json_node_get_double (theirs));
            else
              g_assert_true (isinf (json_node_get_double (theirs)));
          }
        /* Integers beyond gint64 still read as doubles, up to the double range. */
        g_assert_true (herald_json_node_get_double (ours, &d) || !integral || len > 300);
      }
      break;
    case HERALD_JSON_STRING:
      {
        g_autofree char *s = herald_json_node_dup_string (ours);

        g_assert_cmpuint (json_node_get_value_type (theirs), ==, G_TYPE_STRING);
        if (!node_has_lossy_escape (ours))
          {
            g_assert_cmpstr (s, ==, json_node_get_string (theirs));
            g_assert_true (herald_json_node_string_equal (ours, json_node_get_string (theirs)));
          }
      }
      break;
    case HERALD_JSON_ARRAY:
      {
        JsonArray *array;

        g_assert_true (JSON_NODE_HOLDS_ARRAY (theirs));
        array = json_node_get_array (theirs);
        g_assert_cmpuint (herald_json_node_length (ours), ==, json_array_get_length (array));
        for (guint i = 0; i < herald_json_node_length (ours); i++)
          compare_with_json_glib (herald_json_node_element (ours, i),
                                  json_array_get_element (array, i));
      }
      break;
    case HERALD_JSON_OBJECT:
      {
        g_autoptr (GHashTable) names
          = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        gboolean lossy_names = FALSE;
        JsonObject *object;

        g_assert_true (JSON_NODE_HOLDS_OBJECT (theirs));
        object = json_node_get_object (theirs);
        for (guint i = 0; i < herald_json_node_length (ours); i++)
          {
            HeraldJsonNode name_node;
            char *name;

            herald_json_node_member_at (ours, i, &name_node);
            if (node_has_lossy_escape (name_node))
              {
                lossy_names = TRUE;
                continue;
              }
            name = herald_json_node_dup_string (name_node);
            g_assert_true (herald_json_node_string_equal (name_node, name));
            /* Duplicates: both sides keep the last one. */
            compare_with_json_glib (herald_json_node_member (ours, name),
                                    json_object_get_member (object, name));
            g_hash_table_add (names, name);
          }
        if (!lossy_names)
          g_assert_cmpuint (g_hash_table_size (names), ==, json_object_get_size (object));
      }
      break;
    }
}

static void
cross_check (HeraldJsonDoc *doc, const char *data, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) error = NULL;

  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      if (has_lossy_escape (data, len))
        return;
      g_error ("json-glib refused what Herald accepted: %s\n%.*s", error->message, (int)len, data);
    }
  compare_with_json_glib (herald_json_doc_root (doc), json_parser_get_root (parser));
}

/* ---- valid documents ------------------------------------------------------------------- */

typedef struct
{
  const char *path;
  const char *json;
  const char *expected; /* canonical form */
} ValidCase;

static const ValidCase valid_cases[] = {
  { "/json/valid/null", "null", "null" },
  { "/json/valid/true", " true ", "true" },
  { "/json/valid/false", "\t\r\nfalse\n", "false" },
  { "/json/valid/zero", "0", "0" },
  { "/json/valid/negative-zero", "-0", "-0" },
  { "/json/valid/integer", "1234567890", "1234567890" },
  { "/json/valid/negative", "-17", "-17" },
  { "/json/valid/fraction", "3.25", "3.25" },
  { "/json/valid/exponent", "1e10", "1e10" },
  { "/json/valid/exponent-signed", "-2.5E-3", "-2.5E-3" },
  { "/json/valid/exponent-plus", "6.02e+23", "6.02e+23" },
  { "/json/valid/huge-integer", "123456789012345678901234567890",
    "123456789012345678901234567890" },
  { "/json/valid/empty-string", "\"\"", "\"\"" },
  { "/json/valid/string", "\"hello, world\"", "\"hello, world\"" },
  { "/json/valid/escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
    "\"\\\"\\\\/\\u0008\\u000c\\u000a\\u000d\\u0009\"" },
  { "/json/valid/utf8-raw", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
  { "/json/valid/u-escape", "\"\\u0041\\u00e9\\u20AC\"", "\"A\xc3\xa9\xe2\x82\xac\"" },
  { "/json/valid/surrogate-pair", "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },
  { "/json/valid/surrogate-pair-upper", "\"x\\uD834\\uDD1Ey\"", "\"x\xf0\x9d\x84\x9ey\"" },
  { "/json/valid/lone-high-surrogate", "\"a\\ud800b\"",
    "\"a\xef\xbf\xbd"
    "b\"" },
  { "/json/valid/lone-low-surrogate", "\"\\udc00\"", "\"\xef\xbf\xbd\"" },
  { "/json/valid/high-then-escape", "\"\\ud800\\u0041\"",
    "\"\xef\xbf\xbd"
    "A\"" },
  { "/json/valid/two-highs", "\"\\ud800\\ud83d\\ude00\"", "\"\xef\xbf\xbd\xf0\x9f\x98\x80\"" },
  { "/json/valid/nul-escape", "\"a\\u0000b\"",
    "\"a\xef\xbf\xbd"
    "b\"" },
  { "/json/valid/del-and-noncharacter", "\"\x7f\xef\xbf\xbf\"", "\"\x7f\xef\xbf\xbf\"" },
  { "/json/valid/empty-array", "[]", "[]" },
  { "/json/valid/empty-array-spaces", "[ \n ]", "[]" },
  { "/json/valid/empty-object", "{ }", "{}" },
  { "/json/valid/array", "[1, \"two\", true, false, null, 2.5]",
    "[1,\"two\",true,false,null,2.5]" },
  { "/json/valid/object", "{ \"a\" : 1 , \"b\":\"x\" }", "{\"a\":1,\"b\":\"x\"}" },
  { "/json/valid/nested", "{\"a\":[{\"b\":[[],{}]},[1,[2,[3]]]],\"c\":{\"d\":{\"e\":null}}}",
    "{\"a\":[{\"b\":[[],{}]},[1,[2,[3]]]],\"c\":{\"d\":{\"e\":null}}}" },
  { "/json/valid/escaped-name", "{\"n\\u0061me\":1,\"\":2}", "{\"name\":1,\"\":2}" },
  { "/json/valid/duplicate-names", "{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}" },
  { "/json/valid/pally-tip",
    "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{\"createdAt\":"
    "\"2024-03-13T18:02:33.743Z\",\"displayName\":\"Someone\",\"grossAmountInCents\":500,\"id\":"
    "\"b1w2pjwjtb9fx0v1se9ex4n2\",\"message\":\"\",\"netAmountInCents\":500,"
    "\"processingFeeInCents\":0,\"updatedAt\":\"2024-03-13T18:02:33.743Z\"},\"page\":{\"id\":"
    "\"1627451579049x550722173620715500\",\"slug\":\"pally\",\"title\":\"Pally.gg's Team Page\","
    "\"url\":\"https://pally.gg/p/pally\"}}}",
    "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{\"createdAt\":"
    "\"2024-03-13T18:02:33.743Z\",\"displayName\":\"Someone\",\"grossAmountInCents\":500,\"id\":"
    "\"b1w2pjwjtb9fx0v1se9ex4n2\",\"message\":\"\",\"netAmountInCents\":500,"
    "\"processingFeeInCents\":0,\"updatedAt\":\"2024-03-13T18:02:33.743Z\"},\"page\":{\"id\":"
    "\"1627451579049x550722173620715500\",\"slug\":\"pally\",\"title\":\"Pally.gg's Team Page\","
    "\"url\":\"https://pally.gg/p/pally\"}}}" },
};

static void
test_valid (gconstpointer data)
{
  const ValidCase *c = data;
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *copy = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (c->json));
  gsize len = strlen (c->json), raw_len;
  const char *raw;

  g_assert_true (parse_exact (doc, c->json, len, &copy, &error));
  g_assert_no_error (error);
  canonical (out, herald_json_doc_root (doc));
  g_assert_cmpstr (out->str, ==, c->expected);

  /* The root spans the value exactly, without the surrounding whitespace. */
  raw = herald_json_node_raw (herald_json_doc_root (doc), &raw_len);
  g_assert_true (raw >= copy && raw + raw_len <= copy + len);
  g_assert_cmpuint (raw_len, ==, strlen (trimmed));

  cross_check (doc, copy, len);
}

/* ---- invalid documents ----------------------------------------------------------------- */

typedef struct
{
  const char *path;
  const char *json;
  gssize len; /* -1: strlen */
  HeraldJsonError code;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "/json/invalid/empty", "", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/whitespace-only", " \n\t ", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-object", "{\"a\":1", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-name", "{\"a", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-after-colon", "{\"a\":", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-array", "[1,2", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-after-comma", "[1,", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-string", "\"abc", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-escape", "\"abc\\", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-u-escape", "\"\\u12", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-true", "tru", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-minus", "-", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-exponent", "1e", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/truncated-exponent-sign", "1e+", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/trailing-garbage", "{\"a\":1}x", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/trailing-value", "1 2", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/trailing-nul", "[1]\0", 4, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/trailing-comma-array", "[1,2,]", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/trailing-comma-object", "{\"a\":1,}", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/leading-comma", "[,1]", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/double-comma", "[1,,2]", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/missing-comma", "[1 2]", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/missing-colon", "{\"a\" 1}", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/unquoted-name", "{a:1}", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/number-name", "{1:1}", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/mismatched-close", "[1}", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/extra-close", "[1]]", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/leading-zero", "01", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/leading-zero-in-array", "[00]", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/negative-leading-zero", "-01", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/plus", "+1", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/leading-dot", ".5", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/trailing-dot", "1.", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/dot-exponent", "1.e5", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/hex", "0x10", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/nan", "NaN", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/infinity", "[-Infinity]", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/bare-word", "hello", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/capital-true", "True", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/true-suffix", "truex", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/single-quotes", "'a'", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/single-quoted-name", "{'a':1}", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/block-comment", "/* c */ 1", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/line-comment", "[1] // c", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/control-tab", "\"a\tb\"", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/control-newline", "\"a\nb\"", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/control-nul", "\"a\0b\"", 5, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/escape-x", "\"\\x41\"", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/escape-capital-u", "\"\\U0041\"", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/escape-short-u", "\"\\u12\"", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/escape-bad-hex", "\"\\u12g4\"", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/escape-quote-single", "\"\\'\"", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/bom", "\xef\xbb\xbf{}", -1, HERALD_JSON_ERROR_SYNTAX },
  { "/json/invalid/utf8-overlong-slash", "\"\xc0\xaf\"", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-overlong-3byte", "\"\xe0\x80\xaf\"", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-overlong-4byte", "\"\xf0\x80\x80\xaf\"", -1,
    HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-surrogate", "\"\xed\xa0\x80\"", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-low-surrogate", "\"\xed\xbf\xbf\"", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-above-max", "\"\xf4\x90\x80\x80\"", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-f5", "\"\xf5\x80\x80\x80\"", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-truncated", "\"\xe2\x82\"", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-truncated-at-end", "\"\xe2\x82", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-lone-continuation", "\"\x80\"", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-ff", "[\"a\xff\"]", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-in-name", "{\"\xc3\x28\":1}", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-outside-string", "[1,\xff]", -1, HERALD_JSON_ERROR_INVALID_UTF8 },
  { "/json/invalid/utf8-valid-outside-string", "[1,\xc3\xa9]", -1, HERALD_JSON_ERROR_SYNTAX },
};

static void
test_invalid (gconstpointer data)
{
  const InvalidCase *c = data;
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *copy = NULL;
  gsize len = c->len < 0 ? strlen (c->json) : (gsize)c->len;

  g_assert_false (parse_exact (doc, c->json, len, &copy, &error));
  g_assert_error (error, HERALD_JSON_ERROR, (gint)c->code);
  g_assert_cmpint (herald_json_node_type (herald_json_doc_root (doc)), ==, HERALD_JSON_NONE);
}

static char *
nested (guint depth, const char *open, const char *inner, const char *close)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (s, open);
  g_string_append (s, inner);
  for (guint i = 0; i < depth; i++)
    g_string_append (s, close);
  return g_string_free (s, FALSE);
}

static void
test_depth (void)
{
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  g_autofree char *arrays64 = nested (64, "[", "1", "]");
  g_autofree char *arrays65 = nested (65, "[", "1", "]");
  g_autofree char *objects64 = nested (64, "{\"k\":", "1", "}");
  g_autofree char *objects65 = nested (65, "{\"k\":", "1", "}");
  g_autofree char *mixed65 = nested (33, "[{\"k\":", "[]", "}]");
  g_autofree char *unclosed = nested (1000, "[", "", "");
  HeraldJsonNode node;
  gint64 value;
  GError *error = NULL;

  g_assert_true (herald_json_doc_parse (doc, arrays64, strlen (arrays64), &error));
  g_assert_no_error (error);
  node = herald_json_doc_root (doc);
  for (guint i = 0; i < 64; i++)
    node = herald_json_node_element (node, 0);
  g_assert_true (herald_json_node_get_int64 (node, &value));
  g_assert_cmpint (value, ==, 1);

  g_assert_true (herald_json_doc_parse (doc, objects64, strlen (objects64), &error));
  g_assert_no_error (error);

  g_assert_false (herald_json_doc_parse (doc, arrays65, strlen (arrays65), &error));
  g_assert_error (error, HERALD_JSON_ERROR, HERALD_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
  g_assert_false (herald_json_doc_parse (doc, objects65, strlen (objects65), &error));
  g_assert_error (error, HERALD_JSON_ERROR, HERALD_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
  g_assert_false (herald_json_doc_parse (doc, mixed65, strlen (mixed65), &error));
  g_assert_error (error, HERALD_JSON_ERROR, HERALD_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
  /* Depth is reported before the missing brackets are noticed. */
  g_assert_false (herald_json_doc_parse (doc, unclosed, strlen (unclosed), &error));
  g_assert_error (error, HERALD_JSON_ERROR, HERALD_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
}

static char *
zero_array (guint n)
{
  GString *s = g_string_sized_new (2 * n + 2);

  g_string_append_c (s, '[');
  for (guint i = 0; i < n; i++)
    g_string_append (s, i ? ",0" : "0");
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
test_too_large (void)
{
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  /* The array itself is one token: n elements make n + 1. */
  g_autofree char *at_limit = zero_array (HERALD_JSON_MAX_TOKENS - 1);
  g_autofree char *over_limit = zero_array (HERALD_JSON_MAX_TOKENS);
  GError *error = NULL;

  g_assert_true (herald_json_doc_parse (doc, at_limit, strlen (at_limit), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (herald_json_node_length (herald_json_doc_root (doc)), ==,
                    HERALD_JSON_MAX_TOKENS - 1);

  g_assert_false (herald_json_doc_parse (doc, over_limit, strlen (over_limit), &error));
  g_assert_error (error, HERALD_JSON_ERROR, HERALD_JSON_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* The big token store is given back; small documents still parse. */
  g_assert_true (herald_json_doc_parse (doc, "[1,2]", 5, &error));
  g_assert_cmpuint (herald_json_node_length (herald_json_doc_root (doc)), ==, 2);
}

/* ---- strings and numbers --------------------------------------------------------------- */

static void
test_string_equal (void)
{
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  const char *json = "[\"plain\", \"esc\\u00e9\\n\", \"\\ud83d\\ude00!\", \"a\\u0000\", \"\", 5]";
  HeraldJsonNode root;

  g_assert_true (herald_json_doc_parse (doc, json, strlen (json), NULL));
  root = herald_json_doc_root (doc);

  g_assert_true (herald_json_node_string_equal (herald_json_node_element (root, 0), "plain"));
  g_assert_false (herald_json_node_string_equal (herald_json_node_element (root, 0), "plai"));
  g_assert_false (herald_json_node_string_equal (herald_json_node_element (root, 0), "plainx"));
  g_assert_true (
    herald_json_node_string_equal (herald_json_node_element (root, 1), "esc\xc3\xa9\n"));
  g_assert_false (
    herald_json_node_string_equal (herald_json_node_element (root, 1), "esc\xc3\xa9"));
  g_assert_false (
    herald_json_node_string_equal (herald_json_node_element (root, 1), "esc\\u00e9\\n"));
  g_assert_false (
    herald_json_node_string_equal (herald_json_node_element (root, 1), "esc\xc3\xa9\nmore"));
  g_assert_true (
    herald_json_node_string_equal (herald_json_node_element (root, 2), "\xf0\x9f\x98\x80!"));
  g_assert_true (
    herald_json_node_string_equal (herald_json_node_element (root, 3), "a\xef\xbf\xbd"));
  g_assert_false (herald_json_node_string_equal (herald_json_node_element (root, 3), "a"));
  g_assert_true (herald_json_node_string_equal (herald_json_node_element (root, 4), ""));
  g_assert_false (herald_json_node_string_equal (herald_json_node_element (root, 5), "5"));
  g_assert_false (herald_json_node_string_equal (root, ""));
  g_assert_null (herald_json_node_dup_string (herald_json_node_element (root, 5)));
}

typedef struct
{
  const char *path;
  const char *json;
  gboolean int_ok;
  gint64 int_value;
  gboolean double_ok;
  double double_value;
} NumberCase;

static const NumberCase number_cases[] = {
  { "/json/number/zero", "0", TRUE, 0, TRUE, 0.0 },
  { "/json/number/negative-zero", "-0", TRUE, 0, TRUE, -0.0 },
  { "/json/number/small", "42", TRUE, 42, TRUE, 42.0 },
  { "/json/number/negative", "-42", TRUE, -42, TRUE, -42.0 },
  { "/json/number/int64-max", "9223372036854775807", TRUE, G_MAXINT64, TRUE,
    9223372036854775807.0 },
  { "/json/number/int64-min", "-9223372036854775808", TRUE, G_MININT64, TRUE,
    -9223372036854775808.0 },
  { "/json/number/int64-max-plus-one", "9223372036854775808", FALSE, 0, TRUE,
    9223372036854775808.0 },
  { "/json/number/int64-min-minus-one", "-9223372036854775809", FALSE, 0, TRUE,
    -9223372036854775809.0 },
  { "/json/number/huge", "123456789012345678901234567890", FALSE, 0, TRUE, 1.2345678901234568e29 },
  { "/json/number/fraction", "2.5", FALSE, 0, TRUE, 2.5 },
  { "/json/number/integral-fraction", "1.0", FALSE, 0, TRUE, 1.0 },
  { "/json/number/exponent", "1e3", FALSE, 0, TRUE, 1000.0 },
  { "/json/number/negative-exponent", "-1.5E-2", FALSE, 0, TRUE, -0.015 },
  { "/json/number/big-exponent", "6.02214076e+23", FALSE, 0, TRUE, 6.02214076e23 },
  { "/json/number/underflow", "1e-400", FALSE, 0, TRUE, 0.0 },
  { "/json/number/overflow", "1e400", FALSE, 0, FALSE, 0.0 },
  { "/json/number/negative-overflow", "-1e400", FALSE, 0, FALSE, 0.0 },
  { "/json/number/double-max", "1.7976931348623157e308", FALSE, 0, TRUE, G_MAXDOUBLE },
  { "/json/number/long-mantissa",
    "0.1000000000000000055511151231257827021181583404541015625000000000000000000000000001", FALSE,
    0, TRUE, 0.1 },
};

static void
test_number (gconstpointer data)
{
  const NumberCase *c = data;
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  g_autofree char *copy = NULL;
  g_autofree char *in_array = g_strdup_printf ("[%s]", c->json);
  HeraldJsonNode node;
  gint64 i = 12345;
  double d = 12345.0;
  gboolean b;

  g_assert_true (parse_exact (doc, c->json, strlen (c->json), &copy, NULL));
  node = herald_json_doc_root (doc);
  g_assert_cmpint (herald_json_node_type (node), ==, HERALD_JSON_NUMBER);

  g_assert_cmpint (herald_json_node_get_int64 (node, &i), ==, c->int_ok);
  if (c->int_ok)
    g_assert_cmpint (i, ==, c->int_value);
  else
    g_assert_cmpint (i, ==, 12345);

  g_assert_cmpint (herald_json_node_get_double (node, &d), ==, c->double_ok);
  if (c->double_ok)
    {
      g_assert_cmpfloat (d, ==, c->double_value);
      g_assert_cmpint (signbit (d), ==, signbit (c->double_value));
    }
  else
    g_assert_cmpfloat (d, ==, 12345.0);

  g_assert_false (herald_json_node_get_boolean (node, &b));
  g_assert_null (herald_json_node_dup_string (node));

  /* The number does not run into the bracket after it. */
  g_assert_true (herald_json_doc_parse (doc, in_array, strlen (in_array), NULL));
  g_assert_cmpint (
    herald_json_node_get_double (herald_json_node_element (herald_json_doc_root (doc), 0), &d), ==,
    c->double_ok);

  cross_check (doc, in_array, strlen (in_array));
}

/* ---- lookups, reuse, NONE -------------------------------------------------------------- */

static void
test_lookup (void)
{
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  const char *json = "{\"a\":{\"id\":\"inner\",\"x\":[1,{\"id\":\"deeper\"},[[]]]},"
                     "\"list\":[\"zero\",{\"k\":1},\"two\"],"
                     "\"id\":\"outer\",\"dup\":1,\"dup\":\"last\",\"flag\":true,\"off\":false,"
                     "\"nothing\":null}";
  HeraldJsonNode root, name, value;
  g_autofree char *id = NULL;
  g_autofree char *inner = NULL;
  g_autofree char *dup = NULL;
  gboolean b = FALSE;
  gsize len;
  const char *raw;

  g_assert_true (herald_json_doc_parse (doc, json, strlen (json), NULL));
  root = herald_json_doc_root (doc);
  g_assert_cmpint (herald_json_node_type (root), ==, HERALD_JSON_OBJECT);
  g_assert_cmpuint (herald_json_node_length (root), ==, 8);

  /* Subtrees holding the same name are skipped, not searched. */
  id = herald_json_node_dup_member_string (root, "id");
  g_assert_cmpstr (id, ==, "outer");
  inner = herald_json_node_dup_string (herald_json_node_path (root, "a", "id", NULL));
  g_assert_cmpstr (inner, ==, "inner");
  dup = herald_json_node_dup_member_string (root, "dup");
  g_assert_cmpstr (dup, ==, "last");

  g_assert_true (herald_json_node_get_boolean (herald_json_node_member (root, "flag"), &b));
  g_assert_true (b);
  g_assert_true (herald_json_node_get_boolean (herald_json_node_member (root, "off"), &b));
  g_assert_false (b);
  g_assert_cmpint (herald_json_node_type (herald_json_node_member (root, "nothing")), ==,
                   HERALD_JSON_NULL);

  value = herald_json_node_member (root, "list");
  g_assert_cmpuint (herald_json_node_length (value), ==, 3);
  g_assert_true (herald_json_node_string_equal (herald_json_node_element (value, 2), "two"));
  g_assert_cmpint (herald_json_node_type (herald_json_node_element (value, 3)), ==,
                   HERALD_JSON_NONE);
  raw = herald_json_node_raw (herald_json_node_element (value, 1), &len);
  g_assert_cmpmem (raw, len, "{\"k\":1}", 7);
  raw = herald_json_node_raw (herald_json_node_element (value, 0), &len);
  g_assert_cmpmem (raw, len, "\"zero\"", 6);

  value = herald_json_node_member_at (root, 2, &name);
  g_assert_true (herald_json_node_string_equal (name, "id"));
  g_assert_true (herald_json_node_string_equal (value, "outer"));
  value = herald_json_node_member_at (root, 8, &name);
  g_assert_cmpint (herald_json_node_type (value), ==, HERALD_JSON_NONE);
  g_assert_cmpint (herald_json_node_type (name), ==, HERALD_JSON_NONE);

  /* Wrong kinds give NONE, not a crash or a wrong value. */
  g_assert_cmpint (
    herald_json_node_type (herald_json_node_member (herald_json_node_member (root, "list"), "0")),
    ==, HERALD_JSON_NONE);
  g_assert_cmpint (herald_json_node_type (herald_json_node_element (root, 0)), ==,
                   HERALD_JSON_NONE);
  g_assert_cmpint (herald_json_node_type (herald_json_node_path (root, "a", "x", "id", NULL)), ==,
                   HERALD_JSON_NONE);
  g_assert_cmpint (herald_json_node_type (herald_json_node_path (root, "missing", "id", NULL)), ==,
                   HERALD_JSON_NONE);
  g_assert_cmpint (herald_json_node_type (herald_json_node_path (root, NULL)), ==,
                   HERALD_JSON_OBJECT);
  g_assert_null (herald_json_node_dup_member_string (root, "flag"));
  g_assert_null (herald_json_node_dup_member_string (root, "absent"));
}

static void
test_none_is_safe (void)
{
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  HeraldJsonNode none = HERALD_JSON_NODE_NONE;
  HeraldJsonNode stale, name;
  gint64 i = 7;
  double d = 7.0;
  gboolean b = TRUE;
  gsize len = 99;

  /* A fresh document has no root. */
  g_assert_cmpint (herald_json_node_type (herald_json_doc_root (doc)), ==, HERALD_JSON_NONE);

  g_assert_true (herald_json_doc_parse (doc, "[1,2,3,4,5]", 11, NULL));
  stale = herald_json_node_element (herald_json_doc_root (doc), 4);
  g_assert_true (herald_json_doc_parse (doc, "7", 1, NULL));

  for (guint k = 0; k < 2; k++)
    {
      HeraldJsonNode node = k == 0 ? none : stale;

      g_assert_cmpint (herald_json_node_type (node), ==, HERALD_JSON_NONE);
      g_assert_cmpint (herald_json_node_type (herald_json_node_member (node, "a")), ==,
                       HERALD_JSON_NONE);
      g_assert_cmpint (herald_json_node_type (herald_json_node_element (node, 0)), ==,
                       HERALD_JSON_NONE);
      g_assert_cmpuint (herald_json_node_length (node), ==, 0);
      g_assert_cmpint (herald_json_node_type (herald_json_node_member_at (node, 0, &name)), ==,
                       HERALD_JSON_NONE);
      g_assert_cmpint (herald_json_node_type (name), ==, HERALD_JSON_NONE);
      g_assert_null (herald_json_node_dup_string (node));
      g_assert_false (herald_json_node_string_equal (node, ""));
      g_assert_false (herald_json_node_get_int64 (node, &i));
      g_assert_false (herald_json_node_get_double (node, &d));
      g_assert_false (herald_json_node_get_boolean (node, &b));
      g_assert_null (herald_json_node_raw (node, &len));
      g_assert_cmpuint (len, ==, 0);
      g_assert_null (herald_json_node_dup_member_string (node, "a"));
      g_assert_cmpint (herald_json_node_type (herald_json_node_path (node, "a", "b", NULL)), ==,
                       HERALD_JSON_NONE);
    }
  g_assert_cmpint (i, ==, 7);
  g_assert_cmpfloat (d, ==, 7.0);
  g_assert_true (b);
}

/* A node kept across a parse reads as absent even when the new document is larger, so its
 * index now lands on one of the new tokens. */
static void
test_stale_node_in_larger_document (void)
{
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  static const char small[] = "{\"id\":\"old\"}";
  static const char large[] = "{\"type\":\"new\",\"id\":\"new\",\"amount\":5,\"items\":[1,2]}";
  HeraldJsonNode root, id, name;

  g_assert_true (herald_json_doc_parse (doc, small, strlen (small), NULL));
  root = herald_json_doc_root (doc);
  id = herald_json_node_member (root, "id");
  herald_json_node_member_at (root, 0, &name);
  g_assert_true (herald_json_node_string_equal (id, "old"));

  g_assert_true (herald_json_doc_parse (doc, large, strlen (large), NULL));
  for (guint k = 0; k < 3; k++)
    {
      HeraldJsonNode node = k == 0 ? root : k == 1 ? id : name;

      g_assert_cmpint (herald_json_node_type (node), ==, HERALD_JSON_NONE);
      g_assert_null (herald_json_node_dup_string (node));
      g_assert_null (herald_json_node_raw (node, NULL));
      g_assert_cmpuint (herald_json_node_length (node), ==, 0);
      g_assert_cmpint (herald_json_node_type (herald_json_node_member (node, "id")), ==,
                       HERALD_JSON_NONE);
    }
  /* The new document reads as itself. */
  g_assert_true (herald_json_node_string_equal (
    herald_json_node_member (herald_json_doc_root (doc), "id"), "new"));

  /* A failed parse in between makes earlier nodes absent too. */
  id = herald_json_node_member (herald_json_doc_root (doc), "type");
  g_assert_false (herald_json_doc_parse (doc, "{", 1, NULL));
  g_assert_cmpint (herald_json_node_type (id), ==, HERALD_JSON_NONE);
}

static void
test_reuse (void)
{
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) big = g_string_new ("[");
  g_autoptr (GString) out = g_string_new (NULL);
  /* A sub-span of a larger buffer: nothing past len is read. */
  const char *buffer = "{\"id\":\"a\"}{\"id\":\"b\"}";
  g_autofree char *big_expected = NULL;

  for (guint i = 0; i < 500; i++)
    g_string_append_printf (big, "%s{\"n\":%u}", i ? "," : "", i);
  g_string_append_c (big, ']');

  for (guint round = 0; round < 3; round++)
    {
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;
      gint64 n;

      g_assert_true (herald_json_doc_parse (doc, buffer, 10, &error));
      g_assert_no_error (error);
      first = herald_json_node_dup_member_string (herald_json_doc_root (doc), "id");
      g_assert_cmpstr (first, ==, "a");

      g_assert_true (herald_json_doc_parse (doc, buffer + 10, 10, &error));
      second = herald_json_node_dup_member_string (herald_json_doc_root (doc), "id");
      g_assert_cmpstr (second, ==, "b");

      /* Growing the token store keeps earlier parses' results correct. */
      g_assert_true (herald_json_doc_parse (doc, big->str, big->len, &error));
      g_assert_cmpuint (herald_json_node_length (herald_json_doc_root (doc)), ==, 500);
      g_assert_true (herald_json_node_get_int64 (
        herald_json_node_member (herald_json_node_element (herald_json_doc_root (doc), 499), "n"),
        &n));
      g_assert_cmpint (n, ==, 499);

      /* A failed parse leaves no root behind, and the next one works. */
      g_assert_false (herald_json_doc_parse (doc, buffer, 15, &error));
      g_assert_error (error, HERALD_JSON_ERROR, HERALD_JSON_ERROR_SYNTAX);
      g_clear_error (&error);
      g_assert_cmpint (herald_json_node_type (herald_json_doc_root (doc)), ==, HERALD_JSON_NONE);
    }

  g_assert_true (herald_json_doc_parse (doc, big->str, big->len, &error));
  canonical (out, herald_json_doc_root (doc));
  g_assert_cmpstr (out->str, ==, big->str);
}

/* ---- randomized ------------------------------------------------------------------------ */

static const char *const mutation_seeds[] = {
  "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{\"createdAt\":\"2024-03-13T18:02:"
  "33.743Z\",\"displayName\":\"Some\\u00f6ne \\ud83d\\ude00\",\"grossAmountInCents\":500,\"id\":"
  "\"b1w2\",\"message\":\"tab\\there \\\"quoted\\\" \\\\ done\",\"netAmountInCents\":-12.5e-1},"
  "\"page\":{\"slug\":\"pally\",\"tags\":[true,false,null,[],{}],\"url\":\"https:\\/\\/"
  "pally.gg\"}}}",
  "[0,-0,1.5,-2e10,3E-2,9223372036854775807,-9223372036854775808,12345678901234567890,\"\"]",
  "{\"a\":[{\"b\":[[1,2],{\"c\":\"d\"}]},\"caf\xc3\xa9\",\"\xe2\x82\xac\xf0\x9f\x98\x80\"],\"a\":"
  "0}",
  "  [ { \"k\" : \"v\" } , [ null ] , \"\\u0041\\u00e9\\u20ac\\ud834\\udd1e\" ]  ",
  "\"just a string with \\n escapes \\/ and \\u0000 nul\"",
};

static const char mutation_bytes[]
  = "{}[]:,\"\\-+.0123456789eEtrufalsn \t\n/u\x01\x7f\xc3\xa9\xed\xf0\x80\xff";

static void
test_mutations (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240313);
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  guint accepted = 0, rejected = 0;
  const guint iterations = 4000;

  for (guint iter = 0; iter < iterations; iter++)
    {
      const char *seed = mutation_seeds[g_rand_int_range (rand, 0, G_N_ELEMENTS (mutation_seeds))];
      g_autoptr (GString) bytes = g_string_new (NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *copy = NULL;
      guint n_mutations = g_rand_int_range (rand, 1, 4);

      g_string_append (bytes, seed);
      for (guint m = 0; m < n_mutations; m++)
        {
          guint pos = g_rand_int_range (rand, 0, bytes->len + 1);
          char byte = g_rand_boolean (rand)
                        ? mutation_bytes[g_rand_int_range (rand, 0, sizeof mutation_bytes - 1)]
                        : (char)g_rand_int_range (rand, 0, 256);

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0: /* replace */
              if (pos < bytes->len)
                bytes->str[pos] = byte;
              break;
            case 1: /* insert */
              g_string_insert_c (bytes, pos, byte);
              break;
            case 2: /* delete */
              if (pos < bytes->len)
                g_string_erase (bytes, pos, 1);
              break;
            default: /* truncate */
              g_string_truncate (bytes, pos);
              break;
            }
        }

      if (parse_exact (doc, bytes->str, bytes->len, &copy, &error))
        {
          g_autoptr (GString) out = g_string_new (NULL);

          accepted++;
          canonical (out, herald_json_doc_root (doc));
          cross_check (doc, copy, bytes->len);
        }
      else
        {
          rejected++;
          g_assert_nonnull (error);
          g_assert_true (error->domain == HERALD_JSON_ERROR);
          g_assert_cmpint (error->code, >=, HERALD_JSON_ERROR_SYNTAX);
          g_assert_cmpint (error->code, <=, HERALD_JSON_ERROR_INVALID_UTF8);
          g_assert_cmpint (herald_json_node_type (herald_json_doc_root (doc)), ==,
                           HERALD_JSON_NONE);
        }
    }

  /* Both outcomes must be well exercised for the run to mean anything. */
  g_test_message ("%u mutated documents accepted, %u rejected", accepted, rejected);
  g_assert_cmpuint (accepted, >, iterations / 10);
  g_assert_cmpuint (rejected, >, iterations / 10);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    g_test_add_data_func_full (valid_cases[i].path, (gpointer)&valid_cases[i], test_valid, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    g_test_add_data_func_full (invalid_cases[i].path, (gpointer)&invalid_cases[i], test_invalid,
                               NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (number_cases); i++)
    g_test_add_data_func_full (number_cases[i].path, (gpointer)&number_cases[i], test_number, NULL);

  g_test_add_func ("/json/depth", test_depth);
  g_test_add_func ("/json/too-large", test_too_large);
  g_test_add_func ("/json/string-equal", test_string_equal);
  g_test_add_func ("/json/lookup", test_lookup);
  g_test_add_func ("/json/none-is-safe", test_none_is_safe);
  g_test_add_func ("/json/reuse", test_reuse);
  g_test_add_func ("/json/stale-node-in-larger-document", test_stale_node_in_larger_document);
  g_test_add_func ("/json/mutations", test_mutations);

  return g_test_run ();
}
