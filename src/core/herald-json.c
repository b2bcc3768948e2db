/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-json.c — strict RFC 8259 reader that parses a feed message in one pass into a flat,
 * reusable token array; json-glib stays for building and generating JSON elsewhere. */
#define G_LOG_DOMAIN "herald-json"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-json.h"

/* Each value is one token, in document order; an object's members are stored as name token,
 * value token pairs. `end` is the index just past the token's subtree, which lets lookups skip
 * a whole nested value in O(1). Offsets are 32-bit to keep a token at 20 bytes. */
typedef struct
{
  guint32 start; /* byte offset of the value's first byte (a string's opening quote) */
  guint32 len;   /* byte length of the value's text */
  guint32 end;   /* index of the first token after this subtree */
  guint32 count; /* elements of an array, members of an object */
  guint8 type;   /* HeraldJsonType */
  guint8 flags;
} Token;

enum
{
  TOKEN_ESCAPED = 1 << 0,  /* string: contains a backslash escape */
  TOKEN_INTEGRAL = 1 << 1, /* number: no fraction, no exponent */
};

struct _HeraldJsonDoc
{
  Token *tokens;
  guint32 n_tokens;
  guint32 capacity;
  guint32 generation; /* bumped by every parse: nodes carry it, a stale one reads as absent */
  const char *data;
  gsize len;
};

/* Big documents are rare on the feeds; give their token storage back instead of holding
 * megabytes for the life of a connection. */
#define KEEP_CAPACITY 4096
#define INITIAL_CAPACITY 64

enum
{
  CLASS_PLAIN,
  CLASS_QUOTE,
  CLASS_BACKSLASH,
  CLASS_CONTROL,
  CLASS_NON_ASCII,
};

/* How a byte inside a string is handled; CLASS_PLAIN bytes are copied through. */
static const guint8 string_class[256] = {
  [0x00 ... 0x1f] = CLASS_CONTROL,
  ['"'] = CLASS_QUOTE,
  ['\\'] = CLASS_BACKSLASH,
  [0x80 ... 0xff] = CLASS_NON_ASCII,
};

static inline gint
hex_digit (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* The quark name is stringified tokens: keep clang-format from spacing the hyphens. */
/* clang-format off */
G_DEFINE_QUARK (herald-json-error-quark, herald_json_error)
/* clang-format on */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), 0 when it is not one. */
static inline gsize
utf8_sequence_length (const guchar *s, const guchar *end)
{
  gsize avail = end - s;
  guchar c = s[0];
  guchar lo = 0x80, hi = 0xbf;

  if (c >= 0xc2 && c <= 0xdf)
    return (avail >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;

  if (c >= 0xe0 && c <= 0xef)
    {
      if (c == 0xe0)
        lo = 0xa0;
      else if (c == 0xed)
        hi = 0x9f;
      if (avail < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
        return 0;
      return 3;
    }

  if (c >= 0xf0 && c <= 0xf4)
    {
      if (c == 0xf0)
        lo = 0x90;
      else if (c == 0xf4)
        hi = 0x8f;
      if (avail < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
        return 0;
      return 4;
    }

  return 0;
}

static inline gunichar
hex4 (const guchar *s)
{
  return (hex_digit (s[0]) << 12) | (hex_digit (s[1]) << 8) | (hex_digit (s[2]) << 4)
         | hex_digit (s[3]);
}

#define BYTES_01 G_GUINT64_CONSTANT (0x0101010101010101)
#define BYTES_80 G_GUINT64_CONSTANT (0x8080808080808080)

/* TRUE when none of the 8 bytes in w needs a look: no quote, backslash, control character
 * or non-ASCII byte. Strings are most of a feed message, so they are scanned a word at a time. */
static inline gboolean
word_is_plain (guint64 w)
{
  guint64 quote = w ^ (BYTES_01 * '"');
  guint64 backslash = w ^ (BYTES_01 * '\\');
  guint64 flagged = ((quote - BYTES_01) & ~quote) | ((backslash - BYTES_01) & ~backslash)
                    | (w - BYTES_01 * 0x20) | w;

  return (flagged & BYTES_80) == 0;
}

/* Scans string content from s (just after the opening quote). Returns the position of the
 * closing quote, or NULL with *code and *err_at set. */
static inline const guchar *
scan_string (const guchar *s, const guchar *end, guint8 *flags, HeraldJsonError *code,
             const guchar **err_at)
{
  for (;;)
    {
      gsize n;

      while (end - s >= 8)
        {
          guint64 w;

          memcpy (&w, s, sizeof w);
          if (!word_is_plain (w))
            break;
          s += 8;
        }
      while (s < end && string_class[*s] == CLASS_PLAIN)
        s++;
      if (G_UNLIKELY (s >= end))
        break;

      switch (string_class[*s])
        {
        case CLASS_QUOTE:
          return s;

        case CLASS_BACKSLASH:
          *flags |= TOKEN_ESCAPED;
          if (end - s < 2)
            {
              s = end;
              goto syntax;
            }
          switch (s[1])
            {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
              s += 2;
              break;
            case 'u':
              if (end - s < 6 || hex_digit (s[2]) < 0 || hex_digit (s[3]) < 0
                  || hex_digit (s[4]) < 0 || hex_digit (s[5]) < 0)
                goto syntax;
              s += 6;
              break;
            default:
              goto syntax;
            }
          break;

        case CLASS_CONTROL:
          goto syntax;

        default:
          n = utf8_sequence_length (s, end);
          if (n == 0)
            {
              *code = HERALD_JSON_ERROR_INVALID_UTF8;
              *err_at = s;
              return NULL;
            }
          s += n;
          break;
        }
    }

syntax:
  *code = HERALD_JSON_ERROR_SYNTAX;
  *err_at = s;
  return NULL;
}

static inline gboolean
is_digit (guchar c)
{
  return c >= '0' && c <= '9';
}

/* Scans a number per the RFC 8259 grammar; returns the byte after it or NULL at *err_at. */
static inline const guchar *
scan_number (const guchar *s, const guchar *end, guint8 *flags, const guchar **err_at)
{
  *flags = TOKEN_INTEGRAL;

  if (*s == '-')
    s++;
  if (s >= end)
    goto fail;
  if (*s == '0')
    s++;
  else if (*s >= '1' && *s <= '9')
    {
      s++;
      while (s < end && is_digit (*s))
        s++;
    }
  else
    goto fail;

  if (s < end && *s == '.')
    {
      *flags = 0;
      s++;
      if (s >= end || !is_digit (*s))
        goto fail;
      while (s < end && is_digit (*s))
        s++;
    }

  if (s < end && (*s == 'e' || *s == 'E'))
    {
      *flags = 0;
      s++;
      if (s < end && (*s == '+' || *s == '-'))
        s++;
      if (s >= end || !is_digit (*s))
        goto fail;
      while (s < end && is_digit (*s))
        s++;
    }

  return s;

fail:
  *err_at = s;
  return NULL;
}

static inline const guchar *
skip_whitespace (const guchar *s, const guchar *end)
{
  while (s < end && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
    s++;
  return s;
}

static gboolean
grow_tokens (HeraldJsonDoc *doc)
{
  guint32 capacity;

  if (doc->capacity >= HERALD_JSON_MAX_TOKENS)
    return FALSE;
  capacity = MAX (doc->capacity * 2, INITIAL_CAPACITY);
  capacity = MIN (capacity, HERALD_JSON_MAX_TOKENS);
  doc->tokens = g_renew (Token, doc->tokens, capacity);
  doc->capacity = capacity;
  return TRUE;
}

static void
trim_tokens (HeraldJsonDoc *doc)
{
  if (doc->capacity > KEEP_CAPACITY && doc->n_tokens < doc->capacity / 4)
    {
      doc->capacity = MAX (doc->n_tokens, INITIAL_CAPACITY);
      doc->tokens = g_renew (Token, doc->tokens, doc->capacity);
    }
}

HeraldJsonDoc *
herald_json_doc_new (void)
{
  return g_new0 (HeraldJsonDoc, 1);
}

void
herald_json_doc_free (HeraldJsonDoc *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->tokens);
  g_free (doc);
}

gboolean
herald_json_doc_parse (HeraldJsonDoc *doc, const char *data, gsize len, GError **error)
{
  const guchar *base = (const guchar *)data;
  const guchar *s = base;
  const guchar *end = base + len;
  const guchar *err_at = NULL;
  guint32 stack[HERALD_JSON_MAX_DEPTH];
  guint depth = 0;
  HeraldJsonError code = HERALD_JSON_ERROR_SYNTAX;
  const char *what = NULL;
  guint32 idx;
  Token *tok;
  guint8 flags;

  g_return_val_if_fail (doc != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  doc->n_tokens = 0;
  doc->data = data;
  doc->len = len;
  /* Nodes handed out before this parse must not read the new tokens, whatever their index. */
  doc->generation++;

  if (G_UNLIKELY (len > G_MAXUINT32))
    {
      code = HERALD_JSON_ERROR_TOO_LARGE;
      err_at = base;
      goto fail;
    }

value:
  s = skip_whitespace (s, end);
  if (G_UNLIKELY (s >= end))
    {
      /* TRANSLATORS: this and the reasons below end "Invalid JSON at byte %lu: %s" */
      what = N_ ("expected a value");
      err_at = s;
      goto fail;
    }

  if (G_UNLIKELY (doc->n_tokens == doc->capacity) && !grow_tokens (doc))
    goto too_large;
  idx = doc->n_tokens++;
  tok = &doc->tokens[idx];
  tok->start = s - base;
  tok->end = idx + 1;
  tok->count = 0;
  tok->flags = 0;

  switch (*s)
    {
    case '"':
      {
        const guchar *close = scan_string (s + 1, end, &tok->flags, &code, &err_at);

        if (close == NULL)
          {
            what = N_ ("unterminated string or invalid escape");
            goto fail;
          }
        tok->type = HERALD_JSON_STRING;
        s = close + 1;
        tok->len = s - base - tok->start;
      }
      break;

    case '{':
    case '[':
      if (G_UNLIKELY (depth == HERALD_JSON_MAX_DEPTH))
        {
          code = HERALD_JSON_ERROR_TOO_DEEP;
          err_at = s;
          goto fail;
        }
      stack[depth++] = idx;
      if (*s++ == '{')
        {
          tok->type = HERALD_JSON_OBJECT;
          s = skip_whitespace (s, end);
          if (s < end && *s == '}')
            {
              s++;
              goto close_container;
            }
          tok->count = 1;
          goto member_name;
        }
      tok->type = HERALD_JSON_ARRAY;
      s = skip_whitespace (s, end);
      if (s < end && *s == ']')
        {
          s++;
          goto close_container;
        }
      tok->count = 1;
      goto value;

    case 't':
      if (end - s < 4 || memcmp (s, "true", 4) != 0)
        goto unexpected;
      tok->type = HERALD_JSON_TRUE;
      tok->len = 4;
      s += 4;
      break;

    case 'f':
      if (end - s < 5 || memcmp (s, "false", 5) != 0)
        goto unexpected;
      tok->type = HERALD_JSON_FALSE;
      tok->len = 5;
      s += 5;
      break;

    case 'n':
      if (end - s < 4 || memcmp (s, "null", 4) != 0)
        goto unexpected;
      tok->type = HERALD_JSON_NULL;
      tok->len = 4;
      s += 4;
      break;

    case '-':
    case '0' ... '9':
      {
        const guchar *after = scan_number (s, end, &flags, &err_at);

        if (after == NULL)
          {
            what = N_ ("malformed number");
            goto fail;
          }
        tok->type = HERALD_JSON_NUMBER;
        tok->flags = flags;
        tok->len = after - s;
        s = after;
      }
      break;

    default:
      goto unexpected;
    }

after_value:
  if (depth == 0)
    goto done;
  s = skip_whitespace (s, end);
  if (G_UNLIKELY (s >= end))
    {
      what = N_ ("unexpected end of data");
      err_at = s;
      goto fail;
    }
  tok = &doc->tokens[stack[depth - 1]];
  if (*s == ',')
    {
      s++;
      tok->count++;
      if (tok->type == HERALD_JSON_OBJECT)
        goto member_name;
      goto value;
    }
  if (*s == (tok->type == HERALD_JSON_OBJECT ? '}' : ']'))
    {
      s++;
      goto close_container;
    }
  goto unexpected;

close_container:
  tok = &doc->tokens[stack[--depth]];
  tok->len = s - base - tok->start;
  tok->end = doc->n_tokens;
  goto after_value;

member_name:
  s = skip_whitespace (s, end);
  if (G_UNLIKELY (s >= end || *s != '"'))
    {
      what = N_ ("expected a member name");
      goto unexpected;
    }
  if (G_UNLIKELY (doc->n_tokens == doc->capacity) && !grow_tokens (doc))
    goto too_large;
  idx = doc->n_tokens++;
  tok = &doc->tokens[idx];
  tok->start = s - base;
  tok->end = idx + 1;
  tok->count = 0;
  tok->flags = 0;
  tok->type = HERALD_JSON_STRING;
  {
    const guchar *close = scan_string (s + 1, end, &tok->flags, &code, &err_at);

    if (close == NULL)
      {
        what = N_ ("unterminated string or invalid escape");
        goto fail;
      }
    s = close + 1;
    tok->len = s - base - tok->start;
  }
  s = skip_whitespace (s, end);
  if (G_UNLIKELY (s >= end || *s != ':'))
    {
      what = N_ ("expected ‘:’ after a member name");
      goto unexpected;
    }
  s++;
  goto value;

done:
  s = skip_whitespace (s, end);
  if (G_UNLIKELY (s != end))
    {
      what = N_ ("unexpected data after the value");
      goto unexpected;
    }
  trim_tokens (doc);
  return TRUE;

too_large:
  code = HERALD_JSON_ERROR_TOO_LARGE;
  err_at = s;
  goto fail;

unexpected:
  /* A stray non-ASCII byte is a syntax error if it is at least well-formed UTF-8. */
  err_at = s;
  if (s < end && *s >= 0x80 && utf8_sequence_length (s, end) == 0)
    code = HERALD_JSON_ERROR_INVALID_UTF8;
  else if (s >= end)
    what = N_ ("unexpected end of data");
  else if (what == NULL)
    what = N_ ("unexpected character");

fail:
  doc->n_tokens = 0;
  trim_tokens (doc);
  switch (code)
    {
    case HERALD_JSON_ERROR_TOO_DEEP:
      g_set_error (error, HERALD_JSON_ERROR, code, _ ("JSON is nested more than %d levels deep"),
                   HERALD_JSON_MAX_DEPTH);
      break;
    case HERALD_JSON_ERROR_TOO_LARGE:
      g_set_error (error, HERALD_JSON_ERROR, code, _ ("JSON document is too large"));
      break;
    case HERALD_JSON_ERROR_INVALID_UTF8:
      g_set_error (error, HERALD_JSON_ERROR, code, _ ("Invalid UTF-8 in JSON at byte %lu"),
                   (gulong)(err_at - base));
      break;
    case HERALD_JSON_ERROR_SYNTAX:
    default:
      g_set_error (error, HERALD_JSON_ERROR, HERALD_JSON_ERROR_SYNTAX,
                   _ ("Invalid JSON at byte %lu: %s"), (gulong)(err_at - base),
                   _ (what ? what : N_ ("unexpected character")));
      break;
    }
  return FALSE;
}

static inline const Token *
node_token (HeraldJsonNode node)
{
  if (node.index < 0 || node.doc == NULL || node.generation != node.doc->generation
      || (guint32)node.index >= node.doc->n_tokens)
    return NULL;
  return &node.doc->tokens[node.index];
}

static inline HeraldJsonNode
make_node (const HeraldJsonDoc *doc, guint32 index)
{
  return (HeraldJsonNode){ doc, (gint)index, doc->generation };
}

HeraldJsonNode
herald_json_doc_root (const HeraldJsonDoc *doc)
{
  g_return_val_if_fail (doc != NULL, HERALD_JSON_NODE_NONE);

  if (doc->n_tokens == 0)
    return HERALD_JSON_NODE_NONE;
  return make_node (doc, 0);
}

HeraldJsonType
herald_json_node_type (HeraldJsonNode node)
{
  const Token *t = node_token (node);

  return t ? (HeraldJsonType)t->type : HERALD_JSON_NONE;
}

/* Decodes the escape at *p (a backslash inside string content ending at end) and advances
 * past it. The parser already checked the escape's shape. U+0000 and unpaired surrogates come
 * back as U+FFFD so the result is always NUL-free, valid UTF-8. */
static gunichar
decode_escape (const guchar **p, const guchar *end)
{
  const guchar *s = *p + 1;
  gunichar cp;

  *p = s + 1;
  switch (*s)
    {
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'u':
      break;
    default: /* '"', '\\', '/' */
      return *s;
    }

  cp = hex4 (s + 1);
  s += 5;
  if (cp >= 0xd800 && cp <= 0xdbff)
    {
      gunichar low;

      if (end - s < 6 || s[0] != '\\' || s[1] != 'u')
        cp = 0xfffd;
      else if ((low = hex4 (s + 2)) >= 0xdc00 && low <= 0xdfff)
        {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          s += 6;
        }
      else
        cp = 0xfffd;
    }
  else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0)
    cp = 0xfffd;

  *p = s;
  return cp;
}

static inline const guchar *
string_content (const HeraldJsonDoc *doc, const Token *t, gsize *out_len)
{
  *out_len = t->len - 2;
  return (const guchar *)doc->data + t->start + 1;
}

static gboolean
token_string_equal (const HeraldJsonDoc *doc, const Token *t, const char *str, gsize str_len)
{
  const guchar *p, *end;
  gsize len;

  p = string_content (doc, t, &len);
  if (!(t->flags & TOKEN_ESCAPED))
    return len == str_len && memcmp (p, str, len) == 0;

  /* An escaped string is never longer once decoded. */
  if (str_len > len)
    return FALSE;

  end = p + len;
  while (p < end)
    {
      const guchar *backslash = memchr (p, '\\', end - p);
      gsize run = (backslash ? backslash : end) - p;
      char utf8[6];
      gint n;

      /* String content holds no NUL, so strncmp stops at the end of a shorter str. */
      if (strncmp (str, (const char *)p, run) != 0)
        return FALSE;
      str += run;
      p += run;
      if (p == end)
        break;
      n = g_unichar_to_utf8 (decode_escape (&p, end), utf8);
      if (strncmp (str, utf8, n) != 0)
        return FALSE;
      str += n;
    }
  return *str == '\0';
}

HeraldJsonNode
herald_json_node_member (HeraldJsonNode object, const char *name)
{
  const Token *t = node_token (object);
  const Token *tokens;
  gsize name_len;
  guint32 i;
  gint found = -1;

  g_return_val_if_fail (name != NULL, HERALD_JSON_NODE_NONE);

  if (t == NULL || t->type != HERALD_JSON_OBJECT)
    return HERALD_JSON_NODE_NONE;

  tokens = object.doc->tokens;
  name_len = strlen (name);
  i = object.index + 1;
  for (guint32 k = 0; k < t->count; k++)
    {
      if (token_string_equal (object.doc, &tokens[i], name, name_len))
        found = i + 1;
      i = tokens[i + 1].end;
    }

  if (found < 0)
    return HERALD_JSON_NODE_NONE;
  return make_node (object.doc, found);
}

HeraldJsonNode
herald_json_node_element (HeraldJsonNode array, guint index)
{
  const Token *t = node_token (array);
  guint32 i;

  if (t == NULL || t->type != HERALD_JSON_ARRAY || index >= t->count)
    return HERALD_JSON_NODE_NONE;

  i = array.index + 1;
  for (guint k = 0; k < index; k++)
    i = array.doc->tokens[i].end;
  return make_node (array.doc, i);
}

guint
herald_json_node_length (HeraldJsonNode node)
{
  const Token *t = node_token (node);

  if (t == NULL || (t->type != HERALD_JSON_ARRAY && t->type != HERALD_JSON_OBJECT))
    return 0;
  return t->count;
}

HeraldJsonNode
herald_json_node_member_at (HeraldJsonNode object, guint i, HeraldJsonNode *out_name)
{
  const Token *t = node_token (object);
  guint32 k;

  if (out_name)
    *out_name = HERALD_JSON_NODE_NONE;
  if (t == NULL || t->type != HERALD_JSON_OBJECT || i >= t->count)
    return HERALD_JSON_NODE_NONE;

  k = object.index + 1;
  for (guint m = 0; m < i; m++)
    k = object.doc->tokens[k + 1].end;
  if (out_name)
    *out_name = make_node (object.doc, k);
  return make_node (object.doc, k + 1);
}

char *
herald_json_node_dup_string (HeraldJsonNode node)
{
  const Token *t = node_token (node);
  const guchar *p, *end;
  char *out, *o;
  gsize len;

  if (t == NULL || t->type != HERALD_JSON_STRING)
    return NULL;

  p = string_content (node.doc, t, &len);
  if (!(t->flags & TOKEN_ESCAPED))
    {
      /* Not g_strndup (): its strncpy () looks for a NUL the parser already ruled out. */
      out = g_malloc (len + 1);
      memcpy (out, p, len);
      out[len] = '\0';
      return out;
    }

  /* Every escape decodes to no more bytes than it was written with. */
  o = out = g_malloc (len + 1);
  end = p + len;
  while (p < end)
    {
      const guchar *backslash = memchr (p, '\\', end - p);
      gsize run = (backslash ? backslash : end) - p;

      memcpy (o, p, run);
      o += run;
      p += run;
      if (p == end)
        break;
      o += g_unichar_to_utf8 (decode_escape (&p, end), o);
    }
  *o = '\0';
  return out;
}

gboolean
herald_json_node_string_equal (HeraldJsonNode node, const char *str)
{
  const Token *t = node_token (node);

  if (t == NULL || t->type != HERALD_JSON_STRING || str == NULL)
    return FALSE;
  return token_string_equal (node.doc, t, str, strlen (str));
}

gboolean
herald_json_node_get_int64 (HeraldJsonNode node, gint64 *out)
{
  const Token *t = node_token (node);
  const guchar *p, *end;
  gboolean negative;
  guint64 limit, value = 0;

  if (t == NULL || t->type != HERALD_JSON_NUMBER || !(t->flags & TOKEN_INTEGRAL))
    return FALSE;

  p = (const guchar *)node.doc->data + t->start;
  end = p + t->len;
  negative = *p == '-';
  if (negative)
    p++;
  limit = negative ? (guint64)G_MAXINT64 + 1 : (guint64)G_MAXINT64;
  for (; p < end; p++)
    {
      guint digit = *p - '0';

      if (value > (limit - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }

  if (out)
    {
      if (negative)
        *out = value == (guint64)G_MAXINT64 + 1 ? G_MININT64 : -(gint64)value;
      else
        *out = (gint64)value;
    }
  return TRUE;
}

gboolean
herald_json_node_get_double (HeraldJsonNode node, double *out)
{
  const Token *t = node_token (node);
  char stack_buf[64];
  g_autofree char *heap_buf = NULL;
  char *text, *parse_end;
  double value;

  if (t == NULL || t->type != HERALD_JSON_NUMBER)
    return FALSE;

  /* The source is not NUL-terminated, and strtod must not read past the number. */
  if (t->len < sizeof stack_buf)
    {
      memcpy (stack_buf, node.doc->data + t->start, t->len);
      stack_buf[t->len] = '\0';
      text = stack_buf;
    }
  else
    text = heap_buf = g_strndup (node.doc->data + t->start, t->len);

  errno = 0;
  value = g_ascii_strtod (text, &parse_end);
  if (parse_end != text + t->len || (errno == ERANGE && isinf (value)))
    return FALSE;

  if (out)
    *out = value;
  return TRUE;
}

gboolean
herald_json_node_get_boolean (HeraldJsonNode node, gboolean *out)
{
  const Token *t = node_token (node);

  if (t == NULL || (t->type != HERALD_JSON_TRUE && t->type != HERALD_JSON_FALSE))
    return FALSE;
  if (out)
    *out = t->type == HERALD_JSON_TRUE;
  return TRUE;
}

const char *
herald_json_node_raw (HeraldJsonNode node, gsize *out_len)
{
  const Token *t = node_token (node);

  if (t == NULL)
    {
      if (out_len)
        *out_len = 0;
      return NULL;
    }
  if (out_len)
    *out_len = t->len;
  return node.doc->data + t->start;
}

char *
herald_json_node_dup_member_string (HeraldJsonNode object, const char *name)
{
  return herald_json_node_dup_string (herald_json_node_member (object, name));
}

HeraldJsonNode
herald_json_node_path (HeraldJsonNode node, ...)
{
  const char *name;
  va_list args;

  va_start (args, node);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      node = herald_json_node_member (node, name);
      if (node.index < 0)
        break;
    }
  va_end (args);
  return node;
}
