/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-money.c — amounts of money read exactly and shown as a person reads them:
 * decimal digits in, decimal digits out, rounded by hand under one rule. */
#define G_LOG_DOMAIN "herald-money"

#include "config.h"

#include <limits.h>
#include <locale.h>
#include <string.h>

#include "herald-money.h"

typedef enum
{
  BEFORE, /* "$5.00", unless the locale puts its currency symbol after the amount: "5,00 $" */
  AFTER,  /* "5.00 USDC", whatever the locale */
} Placement;

typedef struct
{
  const char *code;
  const char *symbol; /* NULL: the code is shown */
  guint8 min_digits;  /* fraction digits always shown */
  guint8 max_digits;  /* fraction digits at most; more are rounded */
  Placement placement;
} Currency;

/* The one table. Fiat with a symbol shows it before the amount unless the locale puts its own
 * after; fiat without a well-known symbol and tokens show their code after it. Tokens keep the
 * digits they were sent with, up to the unit the chain counts in (satoshi, lamport, wei) or,
 * for dollar stablecoins, their contracts' 6 decimals; stablecoins read as money: 2 at least. */
static const Currency currencies[] = {
  { "USD", "$", 2, 2, BEFORE }, { "EUR", "€", 2, 2, BEFORE },  { "GBP", "£", 2, 2, BEFORE },
  { "JPY", "¥", 0, 0, BEFORE }, { "CAD", NULL, 2, 2, AFTER },  { "AUD", NULL, 2, 2, AFTER },
  { "CHF", NULL, 2, 2, AFTER }, { "USDC", NULL, 2, 6, AFTER }, { "USDT", NULL, 2, 6, AFTER },
  { "DAI", NULL, 2, 6, AFTER }, { "BTC", NULL, 0, 8, AFTER },  { "ETH", NULL, 0, 18, AFTER },
  { "SOL", NULL, 0, 9, AFTER },
};

/* What a code the table does not know gets: it may be fiat or a token. */
#define OTHER_MIN_DIGITS 2
#define OTHER_MAX_DIGITS 8
#define OTHER_MAX_CODE 10
/* Shown for a currency that is not a code: the generic currency sign, never the text. */
#define NEUTRAL_CODE "¤"
/* A bare number (no currency) keeps its digits up to the finest unit a feed counts in. */
#define BARE_MAX_DIGITS 18

typedef struct
{
  const char *symbol;            /* NULL: code is shown */
  char code[OTHER_MAX_CODE + 1]; /* empty for a bare number */
  guint min_digits;
  guint max_digits;
  Placement placement;
} Resolved;

static void
resolve_currency (const char *currency, Resolved *out)
{
  gsize len;

  out->symbol = NULL;
  out->code[0] = '\0';
  out->placement = AFTER;
  if (currency == NULL)
    {
      out->min_digits = 0;
      out->max_digits = BARE_MAX_DIGITS;
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++)
    if (g_ascii_strcasecmp (currency, currencies[i].code) == 0)
      {
        out->symbol = currencies[i].symbol;
        g_strlcpy (out->code, currencies[i].code, sizeof out->code);
        out->min_digits = currencies[i].min_digits;
        out->max_digits = currencies[i].max_digits;
        out->placement = currencies[i].placement;
        return;
      }

  out->min_digits = OTHER_MIN_DIGITS;
  out->max_digits = OTHER_MAX_DIGITS;
  /* Feeds' text: only a short run of ASCII letters and digits is shown as a code. */
  len = strlen (currency);
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (currency[i]))
      len = 0;
  if (len >= 2 && len <= OTHER_MAX_CODE)
    {
      for (gsize i = 0; i < len; i++)
        out->code[i] = g_ascii_toupper (currency[i]);
      out->code[len] = '\0';
    }
  else
    g_strlcpy (out->code, NEUTRAL_CODE, sizeof out->code);
}

/* The locale's conventions for money, read at every call: a desktop session may change its
 * locale, and the read is a few pointer loads beside the allocation of the text. */
typedef struct
{
  const char *decimal_point;
  const char *thousands_sep;
  const char *grouping;
  gboolean symbol_after;
} Conventions;

static gboolean
is_usable_separator (const char *text)
{
  /* A locale in a legacy charset could hand over bytes that are not UTF-8. */
  return text != NULL && *text != '\0' && strlen (text) <= 8 && g_utf8_validate (text, -1, NULL);
}

static void
read_conventions (Conventions *out)
{
  /* Feeds run on the main thread, the only one that reads the locale this way. */
  const struct lconv *lc = localeconv ();

  out->decimal_point = ".";
  if (is_usable_separator (lc->mon_decimal_point))
    out->decimal_point = lc->mon_decimal_point;
  else if (is_usable_separator (lc->decimal_point))
    out->decimal_point = lc->decimal_point;
  out->thousands_sep = NULL;
  out->grouping = NULL;
  if (is_usable_separator (lc->mon_thousands_sep) && lc->mon_grouping != NULL
      && lc->mon_grouping[0] > 0 && lc->mon_grouping[0] != CHAR_MAX)
    {
      out->thousands_sep = lc->mon_thousands_sep;
      out->grouping = lc->mon_grouping;
    }
  /* CHAR_MAX: the locale does not say (C), and the table's placement stands. */
  out->symbol_after = lc->p_cs_precedes == 0;
}

/* Appends the integer digits with the locale's grouping: sizes from the right, the last size
 * repeating, CHAR_MAX ending the grouping (as localeconv () describes mon_grouping). */
static void
append_grouped (GString *out, const char *digits, gsize n, const Conventions *conv)
{
  gsize breaks[HERALD_MONEY_MAX_DIGITS + 2];
  guint n_breaks = 0;
  const char *g = conv->grouping;
  gsize from_right = 0;
  gsize start = 0;

  if (conv->thousands_sep != NULL)
    {
      int size = (guchar)*g;

      for (;;)
        {
          if (size <= 0 || size == CHAR_MAX || from_right + size >= n)
            break;
          from_right += size;
          breaks[n_breaks++] = n - from_right;
          if (g[1] != '\0')
            size = (guchar) * ++g;
        }
    }
  /* breaks[] runs right to left; the digits are written left to right. */
  while (n_breaks > 0)
    {
      gsize at = breaks[--n_breaks];

      g_string_append_len (out, digits + start, at - start);
      g_string_append (out, conv->thousands_sep);
      start = at;
    }
  g_string_append_len (out, digits + start, n - start);
}

gboolean
herald_money_parse (const char *text, gssize length, HeraldMoney *out)
{
  const char *p;
  const char *end;
  gboolean seen_digit = FALSE;
  gboolean seen_point = FALSE;
  guint n = 0;
  guint scale = 0;
  gint64 exponent = 0;
  gint64 new_scale;

  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  p = text;
  end = text + (length < 0 ? strlen (text) : (gsize)length);
  out->negative = FALSE;
  if (p < end && (*p == '+' || *p == '-'))
    out->negative = *p++ == '-';

  for (; p < end; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          seen_digit = TRUE;
          if (seen_point && ++scale > HERALD_MONEY_MAX_DIGITS)
            return FALSE;
          if (n == 0 && *p == '0')
            continue; /* leading zeros carry no value */
          if (n == HERALD_MONEY_MAX_DIGITS)
            return FALSE;
          out->digits[n++] = *p;
        }
      else if (*p == '.' && !seen_point)
        seen_point = TRUE;
      else
        break;
    }
  if (!seen_digit)
    return FALSE;

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      gboolean negative_exponent = FALSE;
      gboolean seen_exponent_digit = FALSE;

      p++;
      if (p < end && (*p == '+' || *p == '-'))
        negative_exponent = *p++ == '-';
      for (; p < end && g_ascii_isdigit (*p); p++)
        {
          seen_exponent_digit = TRUE;
          exponent = exponent * 10 + (*p - '0');
          if (exponent > HERALD_MONEY_MAX_DIGITS)
            return FALSE; /* also keeps the arithmetic far from overflowing */
        }
      if (!seen_exponent_digit)
        return FALSE;
      if (negative_exponent)
        exponent = -exponent;
    }
  if (p != end)
    return FALSE;

  /* digits × 10^-scale × 10^exponent, kept as digits and a scale of at least zero. */
  new_scale = (gint64)scale - exponent;
  if (new_scale > HERALD_MONEY_MAX_DIGITS)
    return FALSE;
  if (new_scale < 0)
    {
      if (n > 0)
        {
          if (n - new_scale > HERALD_MONEY_MAX_DIGITS)
            return FALSE;
          memset (out->digits + n, '0', -new_scale);
          n += -new_scale;
        }
      new_scale = 0;
    }
  out->digits[n] = '\0';
  out->n_digits = n;
  out->scale = new_scale;
  return TRUE;
}

void
herald_money_set_cents (HeraldMoney *out, gint64 cents)
{
  /* -G_MININT64 does not fit a gint64; its magnitude fits a guint64. */
  guint64 magnitude = cents < 0 ? (guint64)(-(cents + 1)) + 1 : (guint64)cents;
  char reversed[24];
  guint n = 0;

  g_return_if_fail (out != NULL);

  while (magnitude > 0)
    {
      reversed[n++] = '0' + magnitude % 10;
      magnitude /= 10;
    }
  for (guint i = 0; i < n; i++)
    out->digits[i] = reversed[n - 1 - i];
  out->digits[n] = '\0';
  out->n_digits = n;
  out->scale = 2;
  out->negative = cents < 0;
}

char *
herald_money_format (const HeraldMoney *amount, const char *currency, HeraldMoneyFormatFlags flags)
{
  /* One spare digit in front for a carry ("9.999" → "10.00"), zeros in front so there is an
   * integer digit, the digits, zeros after up to the shown fraction digits. */
  char buffer[1 + 1 + HERALD_MONEY_MAX_DIGITS + HERALD_MONEY_MAX_DIGITS + BARE_MAX_DIGITS + 1];
  char *w = buffer + 1;
  Resolved cur;
  Conventions conv;
  GString *out;
  guint shown;
  gsize len;
  gsize n_int;
  gsize first;
  gboolean zero = TRUE;
  const char *mark;
  gboolean mark_first;

  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (
    amount->n_digits <= HERALD_MONEY_MAX_DIGITS && amount->scale <= HERALD_MONEY_MAX_DIGITS, NULL);

  resolve_currency (currency, &cur);
  shown = CLAMP (amount->scale, cur.min_digits, cur.max_digits);

  len = amount->n_digits < amount->scale + 1 ? amount->scale + 1 - amount->n_digits : 0;
  memset (w, '0', len);
  memcpy (w + len, amount->digits, amount->n_digits);
  len += amount->n_digits;

  if (amount->scale > shown)
    {
      /* Round half away from zero: on the magnitude, a first dropped digit of 5 or more
       * rounds up, whatever follows it. */
      gsize drop = amount->scale - shown;
      gboolean up = w[len - drop] >= '5';

      len -= drop;
      if (up)
        {
          gsize i = len;

          while (i > 0 && w[i - 1] == '9')
            w[--i] = '0';
          if (i > 0)
            w[i - 1]++;
          else
            {
              *--w = '1';
              len++;
            }
        }
    }
  else
    {
      memset (w + len, '0', shown - amount->scale);
      len += shown - amount->scale;
    }

  for (gsize i = 0; i < len; i++)
    if (w[i] != '0')
      zero = FALSE;
  n_int = len - shown;
  for (first = 0; first + 1 < n_int && w[first] == '0'; first++)
    ;

  read_conventions (&conv);
  mark = cur.symbol != NULL ? cur.symbol : cur.code;
  mark_first = cur.placement == BEFORE && !conv.symbol_after;
  out = g_string_sized_new (len + 16);
  if (!zero && amount->negative)
    g_string_append_c (out, '-');
  else if (!zero && (flags & HERALD_MONEY_FORMAT_PLUS_SIGN))
    g_string_append_c (out, '+');
  if (mark_first)
    g_string_append (out, mark);
  append_grouped (out, w + first, n_int - first, &conv);
  if (shown > 0)
    {
      g_string_append (out, conv.decimal_point);
      g_string_append_len (out, w + n_int, shown);
    }
  if (!mark_first && *mark != '\0')
    g_string_append_printf (out, " %s", mark);
  return g_string_free (out, FALSE);
}

char *
herald_money_format_text (const char *text, gssize length, const char *currency,
                          HeraldMoneyFormatFlags flags)
{
  HeraldMoney amount;

  if (!herald_money_parse (text, length, &amount))
    return NULL;
  return herald_money_format (&amount, currency, flags);
}

char *
herald_money_format_cents (gint64 cents, const char *currency, HeraldMoneyFormatFlags flags)
{
  HeraldMoney amount;

  herald_money_set_cents (&amount, cents);
  return herald_money_format (&amount, currency, flags);
}
