/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-money.h — amounts of money read exactly and shown as a person reads them:
 * no floating point anywhere between the feed's text and the notification. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Significant digits an amount may carry, and fraction digits it may be written with. More is
 * refused, never cut: 64 digits hold any real amount, in wei too, with room to spare. */
#define HERALD_MONEY_MAX_DIGITS 64

/* An exact decimal amount: (negative ? -1 : 1) × digits × 10^-scale. digits has no leading
 * zeros and is empty for zero; scale keeps the fraction digits as sent ("25.50" has scale 2),
 * so an amount in a token is shown with the digits it came with. */
typedef struct
{
  gboolean negative;
  guint n_digits;
  guint scale;
  char digits[HERALD_MONEY_MAX_DIGITS + 1];
} HeraldMoney;

typedef enum
{
  HERALD_MONEY_FORMAT_NONE = 0,
  /* A gain: "+$3.10". Nothing is added to an amount that rounds to zero. */
  HERALD_MONEY_FORMAT_PLUS_SIGN = 1 << 0,
} HeraldMoneyFormatFlags;

/* Reads a decimal amount the way feeds send it, as a JSON string or the raw text of a JSON
 * number: an optional sign ('+' or '-'), digits with at most one '.', at least one digit, and
 * an optional exponent ("2.5e-3", "1E6") of at most HERALD_MONEY_MAX_DIGITS either way. Nothing
 * else: no whitespace, no thousands separators, no hexadecimal, "NaN" or "inf". An amount that
 * needs more than HERALD_MONEY_MAX_DIGITS digits or fraction digits ("1e309") is refused too.
 * length -1: text is nul-terminated. FALSE, with out unspecified, for anything refused. */
gboolean herald_money_parse (const char *text, gssize length, HeraldMoney *out);

/* A whole number of hundredths ("grossAmountInCents", "amountUsdCents"). */
void herald_money_set_cents (HeraldMoney *out, gint64 cents);

/* The amount as text in the current locale, for a title or a body.
 *
 * Rounding: the one rule is round half away from zero, to the currency's largest number of
 * fraction digits (2 for USD: 1.005 → 1.01, -1.005 → -1.01, 0.285 → 0.29), done on the
 * decimal digits themselves. An amount with fewer fraction digits than the currency shows
 * gets zeros ("12.5" USD → "$12.50"); a token amount between the two keeps its own
 * ("0.00042" ETH → "0.00042 ETH"). A negative amount that rounds to zero shows as zero.
 *
 * Currency: code → symbol, digits and placement come from one table in herald-money.c
 * (USD "$", EUR "€", GBP "£", JPY "¥"; CAD, AUD, CHF and the tokens USDC, USDT, DAI, BTC,
 * ETH, SOL shown by their code after the amount). The code is matched without regard to
 * case. Another code made of 2 to 10 ASCII letters and digits is shown upper-cased after the
 * amount, with 2 to 8 fraction digits; any other text is untrusted and shown as "¤".
 * currency NULL: a bare number, with the digits it was sent with.
 *
 * Locale (LC_MONETARY, read at every call): the decimal separator, thousands grouping, and
 * whether a symbol goes after the amount ("1.234,56 €" in de_DE, "$1,234.56" in en_US,
 * "$1234.56" in C). The sign always leads: "-$1.50", "-1,50 €". */
char *herald_money_format (const HeraldMoney *amount, const char *currency,
                           HeraldMoneyFormatFlags flags);

/* herald_money_parse () then herald_money_format (); NULL when the text is refused. */
char *herald_money_format_text (const char *text, gssize length, const char *currency,
                                HeraldMoneyFormatFlags flags);

/* herald_money_set_cents () then herald_money_format (). */
char *herald_money_format_cents (gint64 cents, const char *currency, HeraldMoneyFormatFlags flags);

G_END_DECLS
