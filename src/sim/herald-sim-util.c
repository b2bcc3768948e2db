/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-sim-util.c — the simulator's small tools: a seeded generator that makes every
 * event a pure function of its index, a streaming JSON writer, and unsigned test JWTs. */
#define G_LOG_DOMAIN "herald-sim"

#include "config.h"

#include <string.h>

#include "herald-sim-private.h"

/* splitmix64: tiny, fast and well mixed, so (seed, stream, index) → event needs no state. */
static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

guint64
sim_hash (guint64 a, guint64 b)
{
  guint64 state = a ^ (b * G_GUINT64_CONSTANT (0xD6E8FEB86659FD93));

  splitmix64 (&state);
  return splitmix64 (&state);
}

void
sim_rng_init (SimRng *rng, guint64 a, guint64 b, guint64 c)
{
  rng->state = sim_hash (sim_hash (a, b), c);
}

guint64
sim_rng_next (SimRng *rng)
{
  return splitmix64 (&rng->state);
}

guint
sim_rng_below (SimRng *rng, guint n)
{
  return n == 0 ? 0 : (guint)(sim_rng_next (rng) % n);
}

gboolean
sim_rng_chance (SimRng *rng, guint percent)
{
  return sim_rng_below (rng, 100) < percent;
}

void
sim_rng_alnum (SimRng *rng, char *out, gsize len)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

  for (gsize i = 0; i < len; i++)
    out[i] = alphabet[sim_rng_below (rng, sizeof alphabet - 1)];
  out[len] = '\0';
}

void
sim_rng_hex (SimRng *rng, char *out, gsize len)
{
  static const char digits[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    out[i] = digits[sim_rng_below (rng, 16)];
  out[len] = '\0';
}

void
sim_rng_uuid (SimRng *rng, char out[37])
{
  guint64 hi = sim_rng_next (rng);
  guint64 lo = sim_rng_next (rng);

  /* Version 4, RFC 4122 variant, like the ids the real services hand out. */
  g_snprintf (out, 37, "%08x-%04x-4%03x-%04x-%012" G_GINT64_MODIFIER "x", (guint)(hi >> 32),
              (guint)((hi >> 16) & 0xffff), (guint)(hi & 0xfff),
              (guint)(0x8000 | ((lo >> 48) & 0x3fff)), lo & G_GUINT64_CONSTANT (0xffffffffffff));
}

guint64
sim_string_hash64 (const char *s)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (; s != NULL && *s != '\0'; s++)
    {
      h ^= (guchar)*s;
      h *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return h;
}

/* --- JSON writer --- */

static void
json_separate (GString *out)
{
  char last;

  if (out->len == 0)
    return;
  last = out->str[out->len - 1];
  if (last != '{' && last != '[' && last != ':' && last != ',')
    g_string_append_c (out, ',');
}

void
sim_json_begin_object (GString *out)
{
  json_separate (out);
  g_string_append_c (out, '{');
}

void
sim_json_end_object (GString *out)
{
  g_string_append_c (out, '}');
}

void
sim_json_begin_array (GString *out)
{
  json_separate (out);
  g_string_append_c (out, '[');
}

void
sim_json_end_array (GString *out)
{
  g_string_append_c (out, ']');
}

static void
json_append_escaped (GString *out, const char *value)
{
  const char *run = value;
  const char *p;

  g_string_append_c (out, '"');
  for (p = value; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          g_string_append_printf (out, "\\u%04x", c);
          break;
        }
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

void
sim_json_key (GString *out, const char *key)
{
  json_separate (out);
  json_append_escaped (out, key);
  g_string_append_c (out, ':');
}

void
sim_json_string (GString *out, const char *value)
{
  json_separate (out);
  if (value == NULL)
    g_string_append (out, "null");
  else
    json_append_escaped (out, value);
}

void
sim_json_int (GString *out, gint64 value)
{
  json_separate (out);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

void
sim_json_raw (GString *out, const char *raw)
{
  json_separate (out);
  g_string_append (out, raw);
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian, 400-year eras), so a burst
 * of timestamps costs no GDateTime allocation per event. */
static void
civil_from_days (gint64 days, gint64 *year, guint *month, guint *day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  guint doe = (guint)(z - era * 146097);
  guint yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  guint doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  guint mp = (5 * doy + 2) / 153;

  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = (gint64)yoe + era * 400 + (*month <= 2);
}

void
sim_format_time (char out[32], gint64 unix_ms)
{
  gint64 days = unix_ms >= 0 ? unix_ms / 86400000 : -((-unix_ms + 86399999) / 86400000);
  gint64 ms_of_day = unix_ms - days * 86400000;
  gint64 year;
  guint month, day;

  civil_from_days (days, &year, &month, &day);
  g_snprintf (out, 32, "%04" G_GINT64_FORMAT "-%02u-%02uT%02u:%02u:%02u.%03uZ", year, month, day,
              (guint)(ms_of_day / 3600000), (guint)(ms_of_day / 60000 % 60),
              (guint)(ms_of_day / 1000 % 60), (guint)(ms_of_day % 1000));
}

void
sim_json_time (GString *out, gint64 unix_ms)
{
  char text[32];

  sim_format_time (text, unix_ms);
  json_separate (out);
  g_string_append_c (out, '"');
  g_string_append (out, text);
  g_string_append_c (out, '"');
}

/* Money as the decimal strings the APIs use ("12.50"), never a float. */
void
sim_json_money (GString *out, gint64 cents)
{
  json_separate (out);
  g_string_append_printf (out, "\"%s%" G_GINT64_FORMAT ".%02d\"", cents < 0 ? "-" : "",
                          ABS (cents) / 100, (int)(ABS (cents) % 100));
}

/* The same amount as a JSON number ("25.50"), without printf's locale-dependent %f. */
void
sim_json_decimal (GString *out, gint64 cents)
{
  json_separate (out);
  g_string_append_printf (out, "%s%" G_GINT64_FORMAT ".%02d", cents < 0 ? "-" : "",
                          ABS (cents) / 100, (int)(ABS (cents) % 100));
}

void
sim_json_member_string (GString *out, const char *key, const char *value)
{
  sim_json_key (out, key);
  sim_json_string (out, value);
}

void
sim_json_member_int (GString *out, const char *key, gint64 value)
{
  sim_json_key (out, key);
  sim_json_int (out, value);
}

void
sim_json_member_bool (GString *out, const char *key, gboolean value)
{
  sim_json_key (out, key);
  g_string_append (out, value ? "true" : "false");
}

void
sim_json_member_time (GString *out, const char *key, gint64 unix_ms)
{
  sim_json_key (out, key);
  sim_json_time (out, unix_ms);
}

void
sim_json_member_money (GString *out, const char *key, gint64 cents)
{
  sim_json_key (out, key);
  sim_json_money (out, cents);
}

JsonNode *
sim_json_parse (GBytes *bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (data == NULL || len == 0)
    return NULL;
  if (!json_parser_load_from_data (parser, data, (gssize)len, NULL))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

char *
sim_json_to_string (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* --- tokens --- */

char *
sim_base64url_encode (const guint8 *data, gsize len)
{
  char *text = g_base64_encode (data, len);
  char *p;

  for (p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

static guint8 *
base64url_decode (const char *text, gsize len, gsize *out_len)
{
  g_autoptr (GString) padded = g_string_sized_new (len + 4);

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (padded, c);
    }
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  return g_base64_decode (padded->str, out_len);
}

/* Reads (never verifies) the claims Herald cares about, as a server that trusts its own
 * tokens would after checking the signature. */
gboolean
sim_jwt_read (const char *token, char **sub, gint64 *exp_unix)
{
  const char *first_dot;
  const char *second_dot;
  g_autofree guint8 *payload = NULL;
  gsize payload_len = 0;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *claims;

  if (token == NULL)
    return FALSE;
  first_dot = strchr (token, '.');
  if (first_dot == NULL || first_dot == token)
    return FALSE;
  second_dot = strchr (first_dot + 1, '.');
  if (second_dot == NULL || second_dot == first_dot + 1 || second_dot[1] == '\0'
      || strchr (second_dot + 1, '.') != NULL)
    return FALSE;

  payload = base64url_decode (first_dot + 1, second_dot - first_dot - 1, &payload_len);
  if (payload == NULL || payload_len == 0)
    return FALSE;
  bytes = g_bytes_new (payload, payload_len);
  root = sim_json_parse (bytes);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  claims = json_node_get_object (root);
  if (!json_object_has_member (claims, "exp") || !json_object_has_member (claims, "sub"))
    return FALSE;
  if (json_node_get_value_type (json_object_get_member (claims, "exp")) != G_TYPE_INT64
      || json_node_get_value_type (json_object_get_member (claims, "sub")) != G_TYPE_STRING)
    return FALSE;

  if (sub != NULL)
    *sub = g_strdup (json_object_get_string_member (claims, "sub"));
  if (exp_unix != NULL)
    *exp_unix = json_object_get_int_member (claims, "exp");
  return TRUE;
}

char *
sim_jwt_make (const char *sub, gint64 exp_unix, const char *extra_key, const char *extra_value)
{
  static const char header[] = "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"herald-sim\"}";
  g_autoptr (GString) payload = g_string_new (NULL);
  g_autofree char *header_b64 = NULL;
  g_autofree char *payload_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  guint8 signature[64];
  SimRng rng;

  sim_json_begin_object (payload);
  sim_json_member_string (payload, "iss", "herald-simulator");
  sim_json_member_string (payload, "sub", sub);
  sim_json_member_int (payload, "iat", exp_unix - 3600);
  sim_json_member_int (payload, "exp", exp_unix);
  if (extra_key != NULL)
    sim_json_member_string (payload, extra_key, extra_value);
  sim_json_end_object (payload);

  /* Not a real signature: 64 bytes that depend on the payload, so tokens look the part. */
  sim_rng_init (&rng, sim_string_hash64 (payload->str), 0x5167, 0);
  for (gsize i = 0; i < sizeof signature; i++)
    signature[i] = (guint8)sim_rng_next (&rng);

  header_b64 = sim_base64url_encode ((const guint8 *)header, sizeof header - 1);
  payload_b64 = sim_base64url_encode ((const guint8 *)payload->str, payload->len);
  signature_b64 = sim_base64url_encode (signature, sizeof signature);
  return g_strdup_printf ("%s.%s.%s", header_b64, payload_b64, signature_b64);
}

/* "45s", "30m", "1h" — the form SkinShark's expiresIn takes. */
gboolean
sim_parse_duration (const char *text, gint64 *seconds)
{
  guint64 value = 0;
  gsize len;
  gint64 unit;
  g_autofree char *number = NULL;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  if (len < 2)
    return FALSE;
  switch (text[len - 1])
    {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    default:
      return FALSE;
    }
  number = g_strndup (text, len - 1);
  if (!g_ascii_string_to_unsigned (number, 10, 1, G_MAXINT32 / 3600, &value, NULL))
    return FALSE;
  *seconds = (gint64)value * unit;
  return TRUE;
}
