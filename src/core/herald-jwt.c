/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-jwt.c — reads "exp" and "sub" out of a compact JWS (RFC 7515/7519) without
 * verifying it, so feeds can warn about a pasted token before the server starts refusing it. */
#define G_LOG_DOMAIN "herald-jwt"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-json.h"
#include "herald-jwt.h"

/* Real tokens are well under 2 KiB; anything this long is a paste gone wrong. */
#define MAX_TOKEN_LENGTH (16 * 1024)

/* The quark name is stringified: spaces that clang-format would add would change it. */
/* clang-format off */
G_DEFINE_QUARK (herald-jwt-error-quark, herald_jwt_error)
/* clang-format on */

static int
base64url_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

/* Strict base64url: only its alphabet, padding tolerated at the end, no whitespace.
 * GLib's decoder skips characters it does not know, which would accept garbage. */
static GBytes *
base64url_decode (const char *text, gsize len)
{
  g_autoptr (GByteArray) out = NULL;
  guint32 bits = 0;
  guint n_bits = 0;

  while (len > 0 && text[len - 1] == '=')
    len--;
  if (len == 0 || len % 4 == 1)
    return NULL;

  out = g_byte_array_sized_new (len * 3 / 4 + 1);
  for (gsize i = 0; i < len; i++)
    {
      int value = base64url_value (text[i]);

      if (value < 0)
        return NULL;
      bits = (bits << 6) | (guint32)value;
      n_bits += 6;
      if (n_bits >= 8)
        {
          guint8 byte = (guint8)(bits >> (n_bits - 8));

          g_byte_array_append (out, &byte, 1);
          n_bits -= 8;
          bits &= (1u << n_bits) - 1;
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Decodes one part and parses it as a JSON object into @doc. The decoded bytes are
 * returned because the document points into them. */
static GBytes *
parse_part (HeraldJsonDoc *doc, const char *text, gsize len)
{
  g_autoptr (GBytes) bytes = base64url_decode (text, len);
  g_autoptr (GError) error = NULL;
  gsize size;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);
  if (!herald_json_doc_parse (doc, data, size, &error))
    {
      g_debug ("token part is not JSON: %s", error->message);
      return NULL;
    }
  if (herald_json_node_type (herald_json_doc_root (doc)) != HERALD_JSON_OBJECT)
    return NULL;
  return g_steal_pointer (&bytes);
}

static gboolean
read_numeric_date (HeraldJsonNode node, gint64 *out)
{
  double value;
  gint64 whole;

  if (herald_json_node_get_int64 (node, out))
    return TRUE;
  /* RFC 7519 allows fractions. The range test also refuses NaN and is far wider than any
   * real expiry; rounding down by hand keeps libm out of the core library. */
  if (!herald_json_node_get_double (node, &value) || !(value > -4.6e18 && value < 4.6e18))
    return FALSE;
  whole = (gint64)value;
  if ((double)whole > value)
    whole--;
  *out = whole;
  return TRUE;
}

gboolean
herald_jwt_read_claims (const char *jwt, gint64 *out_exp_unix_seconds, char **out_subject,
                        GError **error)
{
  g_autoptr (HeraldJsonDoc) doc = NULL;
  g_autoptr (GBytes) header = NULL;
  g_autoptr (GBytes) payload = NULL;
  const char *first_dot;
  const char *second_dot;
  HeraldJsonNode root;
  HeraldJsonNode exp;
  gint64 exp_value = 0;
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  len = jwt != NULL ? strnlen (jwt, MAX_TOKEN_LENGTH + 1) : 0;
  if (len == 0 || len > MAX_TOKEN_LENGTH)
    {
      g_set_error_literal (error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_MALFORMED,
                           len == 0 ? _ ("The token is empty")
                                    : _ ("The token is too long to be a JWT"));
      return FALSE;
    }

  first_dot = strchr (jwt, '.');
  second_dot = first_dot != NULL ? strchr (first_dot + 1, '.') : NULL;
  if (second_dot == NULL || strchr (second_dot + 1, '.') != NULL)
    {
      g_set_error_literal (
        error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_MALFORMED,
        _ ("The token is not a JWT: it must have three parts separated by dots"));
      return FALSE;
    }
  /* The signature is not verified, but it must at least be base64url (it may be empty for
   * an unsecured token): a stray space or quote means the paste went wrong. */
  for (const char *p = second_dot + 1; *p != '\0'; p++)
    if (base64url_value (*p) < 0 && *p != '=')
      {
        g_set_error_literal (
          error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_MALFORMED,
          _ ("The token is not a JWT: it contains characters a JWT cannot have"));
        return FALSE;
      }

  doc = herald_json_doc_new ();
  header = parse_part (doc, jwt, first_dot - jwt);
  if (header == NULL
      || herald_json_node_type (herald_json_node_member (herald_json_doc_root (doc), "alg"))
           != HERALD_JSON_STRING)
    {
      g_set_error_literal (error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_MALFORMED,
                           _ ("The token is not a JWT: its header cannot be read"));
      return FALSE;
    }
  payload = parse_part (doc, first_dot + 1, second_dot - first_dot - 1);
  if (payload == NULL)
    {
      g_set_error_literal (error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_MALFORMED,
                           _ ("The token is not a JWT: its claims cannot be read"));
      return FALSE;
    }

  root = herald_json_doc_root (doc);
  exp = herald_json_node_member (root, "exp");
  if (herald_json_node_type (exp) == HERALD_JSON_NONE
      || herald_json_node_type (exp) == HERALD_JSON_NULL)
    {
      g_set_error_literal (error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_NO_EXPIRY,
                           _ ("The token does not say when it expires"));
      return FALSE;
    }
  if (!read_numeric_date (exp, &exp_value))
    {
      g_set_error_literal (error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_MALFORMED,
                           _ ("The token’s expiry time is not a number"));
      return FALSE;
    }

  if (out_exp_unix_seconds != NULL)
    *out_exp_unix_seconds = exp_value;
  if (out_subject != NULL)
    *out_subject = herald_json_node_dup_member_string (root, "sub");
  return TRUE;
}

gboolean
herald_jwt_read_expiry (const char *jwt, gint64 *out_exp_unix_seconds, GError **error)
{
  return herald_jwt_read_claims (jwt, out_exp_unix_seconds, NULL, error);
}
