/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-money.c — amounts as a user reads them: exact rounding, every currency of the table,
 * garbage refused, and the separator of a German desktop. */
#include "config.h"

#include <locale.h>

#include "herald-money.h"

#define DE "de_DE.UTF-8"
#define PLUS HERALD_MONEY_FORMAT_PLUS_SIGN

typedef struct
{
  const char *name;
  const char *text;     /* the amount as a feed sends it; NULL: cents below */
  gssize length;        /* 0: the whole text */
  gint64 cents;         /* when text is NULL */
  const char *currency; /* NULL: a bare number */
  HeraldMoneyFormatFlags flags;
  const char *locale;   /* NULL: the tests' C.UTF-8 */
  const char *expected; /* NULL: the text is refused */
} Case;

#define TEXT(name, text, currency, expected)                                                       \
  {                                                                                                \
    name, text, 0, 0, currency, 0, NULL, expected                                                  \
  }
#define CENTS(name, cents, currency, expected)                                                     \
  {                                                                                                \
    name, NULL, 0, cents, currency, 0, NULL, expected                                              \
  }
#define SIGNED(name, text, expected)                                                               \
  {                                                                                                \
    name, text, 0, 0, "USD", PLUS, NULL, expected                                                  \
  }
#define GERMAN(name, text, currency, expected)                                                     \
  {                                                                                                \
    name, text, 0, 0, currency, 0, DE, expected                                                    \
  }
#define REFUSED(name, text)                                                                        \
  {                                                                                                \
    name, text, 0, 0, "USD", 0, NULL, NULL                                                         \
  }

static const Case cases[] = {
  /* Round half away from zero, on the digits: binary floating point holds 1.005 as
   * 1.00499999999999989…, and 1.005 × 100 rounds to 100. */
  TEXT ("half-1.005", "1.005", "USD", "$1.01"),
  TEXT ("half-0.285", "0.285", "USD", "$0.29"),
  TEXT ("half-1.015", "1.015", "USD", "$1.02"),
  TEXT ("half-2.675", "2.675", "USD", "$2.68"),
  TEXT ("half-0.125-not-to-even", "0.125", "USD", "$0.13"),
  TEXT ("half-negative-1.005", "-1.005", "USD", "-$1.01"),
  TEXT ("half-negative-0.285", "-0.285", "USD", "-$0.29"),
  TEXT ("below-half", "1.00499999999999999999", "USD", "$1.00"),
  TEXT ("above-half", "0.2850000000000000000001", "USD", "$0.29"),
  TEXT ("carry", "0.995", "USD", "$1.00"),
  TEXT ("carry-all-the-way", "999.995", "USD", "$1000.00"),
  TEXT ("negative-rounds-to-zero", "-0.004", "USD", "$0.00"),
  TEXT ("negative-half-cent", "-0.005", "USD", "-$0.01"),
  TEXT ("negative-zero", "-0", "USD", "$0.00"),
  TEXT ("padded", "12.5", "USD", "$12.50"),
  TEXT ("rounded-down", "0.333", "USD", "$0.33"),
  TEXT ("rounded-up-negative", "-3.336", "USD", "-$3.34"),
  TEXT ("whole", "100", "USD", "$100.00"),
  TEXT ("zero", "0", "USD", "$0.00"),
  TEXT ("leading-plus", "+5", "USD", "$5.00"),
  TEXT ("leading-point", ".5", "USD", "$0.50"),
  TEXT ("trailing-point", "5.", "USD", "$5.00"),
  TEXT ("leading-zeros",
        "000000000000000000000000000000000000000000000000000000000000000000000001.5", "USD",
        "$1.50"),
  /* Exponents are read exactly, within HERALD_MONEY_MAX_DIGITS either way. */
  TEXT ("exponent", "1e2", "USD", "$100.00"),
  TEXT ("exponent-plus", "1E+3", "USD", "$1000.00"),
  TEXT ("exponent-negative-half", "1005e-3", "USD", "$1.01"),
  TEXT ("exponent-token", "4.2e-4", "ETH", "0.00042 ETH"),
  TEXT ("exponent-of-zero", "0e50", "USD", "$0.00"),
  /* Many digits: no overflow, no precision lost. */
  TEXT ("30-digits", "123456789012345678901234567890.125", "USD",
        "$123456789012345678901234567890.13"),
  TEXT ("30-digits-negative", "-123456789012345678901234567890.124", "EUR",
        "-€123456789012345678901234567890.12"),
  TEXT ("30-digits-carry", "99999999999999999999999999999.995", "USD",
        "$100000000000000000000000000000.00"),
  TEXT ("64-digits", "1234567890123456789012345678901234567890123456789012345678901234", "USD",
        "$1234567890123456789012345678901234567890123456789012345678901234.00"),
  REFUSED ("65-digits", "12345678901234567890123456789012345678901234567890123456789012345"),
  REFUSED ("65-fraction-digits",
           "0.00000000000000000000000000000000000000000000000000000000000000001"),
  CENTS ("cents-min", G_MININT64, "USD", "-$92233720368547758.08"),
  CENTS ("cents-max", G_MAXINT64, "USD", "$92233720368547758.07"),
  /* Garbage is refused, not guessed at. */
  REFUSED ("empty", ""),
  REFUSED ("word", "abc"),
  REFUSED ("null", NULL),
  REFUSED ("space-before", " 5"),
  REFUSED ("space-after", "5 "),
  REFUSED ("space-inside", "1 000"),
  REFUSED ("nan", "NaN"),
  REFUSED ("nan-lower", "nan"),
  REFUSED ("inf", "inf"),
  REFUSED ("minus-infinity", "-Infinity"),
  REFUSED ("exponent-too-large", "1e309"),
  REFUSED ("exponent-too-small", "1e-309"),
  REFUSED ("exponent-digits-65", "1e64"),
  REFUSED ("two-points", "1.2.3"),
  REFUSED ("two-minus", "--1"),
  REFUSED ("plus-minus", "+-1"),
  REFUSED ("sign-only", "-"),
  REFUSED ("point-only", "."),
  REFUSED ("exponent-only", "e5"),
  REFUSED ("exponent-without-digits", "1e"),
  REFUSED ("exponent-sign-only", "1e+"),
  REFUSED ("hexadecimal", "0x10"),
  REFUSED ("unit-after", "12.5usd"),
  REFUSED ("comma", "1,5"),
  REFUSED ("symbol", "$5"),
  REFUSED ("arabic-digits", "\xd9\xa1\xd9\xa2"),
  { "embedded-nul", "5\0001", 3, 0, "USD", 0, NULL, NULL },
  { "length-stops-early", "12.5xyz", 4, 0, "USD", 0, NULL, "$12.50" },
  /* Each currency of the table. */
  CENTS ("usd", 500, "USD", "$5.00"),
  CENTS ("usd-one-cent", 1, "USD", "$0.01"),
  CENTS ("usd-no-cent", 0, "USD", "$0.00"),
  CENTS ("eur-millions", 123456789, "eur", "€1234567.89"),
  CENTS ("eur", -150, "EUR", "-€1.50"),
  TEXT ("eur-lower-case", "99.99", "eur", "€99.99"),
  CENTS ("gbp", 999, "GBP", "£9.99"),
  TEXT ("jpy", "1234.5", "JPY", "¥1235"),
  CENTS ("jpy-cents", 123449, "JPY", "¥1234"),
  CENTS ("cad", 2500, "CAD", "25.00 CAD"),
  TEXT ("aud", "7.125", "AUD", "7.13 AUD"),
  CENTS ("chf", -5, "CHF", "-0.05 CHF"),
  TEXT ("usdc", "125.50", "USDC", "125.50 USDC"),
  TEXT ("usdc-whole", "25", "USDC", "25.00 USDC"),
  TEXT ("usdc-six-digits", "1.1234565", "USDC", "1.123457 USDC"),
  TEXT ("usdt", "126.75", "usdt", "126.75 USDT"),
  TEXT ("dai", "0.5", "DAI", "0.50 DAI"),
  TEXT ("btc", "0.00042", "BTC", "0.00042 BTC"),
  TEXT ("btc-satoshi", "1.123456785", "BTC", "1.12345679 BTC"),
  TEXT ("btc-whole", "1", "BTC", "1 BTC"),
  TEXT ("eth-wei", "0.000000000000000001", "ETH", "0.000000000000000001 ETH"),
  TEXT ("eth-below-wei", "1.0000000000000000005", "ETH", "1.000000000000000001 ETH"),
  TEXT ("sol-lamport", "0.0000000015", "SOL", "0.000000002 SOL"),
  TEXT ("sol", "2.5", "SOL", "2.5 SOL"),
  /* Codes the table does not know, and text that is no code. */
  TEXT ("other-code", "5", "xyz", "5.00 XYZ"),
  TEXT ("other-code-digits", "0.123456785", "POL2", "0.12345679 POL2"),
  TEXT ("other-code-longest", "5", "ABCDEFGHIJ", "5.00 ABCDEFGHIJ"),
  TEXT ("not-a-code-markup", "5", "<b>", "5.00 ¤"),
  TEXT ("not-a-code-too-long", "5", "ABCDEFGHIJK", "5.00 ¤"),
  TEXT ("not-a-code-one-letter", "5", "A", "5.00 ¤"),
  TEXT ("not-a-code-empty", "5", "", "5.00 ¤"),
  TEXT ("not-a-code-symbol", "5", "€", "5.00 ¤"),
  TEXT ("not-a-code-space", "5", "US D", "5.00 ¤"),
  TEXT ("bare-number", "25.5", NULL, "25.5"),
  TEXT ("bare-whole", "25", NULL, "25"),
  /* A gain and a loss, as a profit and loss line shows them. */
  SIGNED ("gain", "3.10", "+$3.10"),
  SIGNED ("loss", "-12.5", "-$12.50"),
  SIGNED ("nothing", "0", "$0.00"),
  SIGNED ("gain-rounds-to-zero", "0.004", "$0.00"),
  SIGNED ("gain-half-cent", "0.005", "+$0.01"),
  /* A German desktop: comma for the decimal, full stop between thousands, symbol after. */
  GERMAN ("de-eur", "1234567.891", "EUR", "1.234.567,89 €"),
  GERMAN ("de-usd", "1234.5", "USD", "1.234,50 $"),
  GERMAN ("de-negative", "-1.005", "EUR", "-1,01 €"),
  GERMAN ("de-small", "999", "EUR", "999,00 €"),
  GERMAN ("de-thousand", "1000", "EUR", "1.000,00 €"),
  GERMAN ("de-token", "0.00042", "ETH", "0,00042 ETH"),
  GERMAN ("de-token-thousands", "12345.5", "USDC", "12.345,50 USDC"),
  GERMAN ("de-bare", "25.5", NULL, "25,5"),
  GERMAN ("de-30-digits", "123456789012345678901234567890", "EUR",
          "123.456.789.012.345.678.901.234.567.890,00 €"),
};

static void
test_money_case (gconstpointer data)
{
  const Case *c = data;
  locale_t locale = (locale_t)0;
  locale_t previous = (locale_t)0;
  g_autofree char *text = NULL;

  if (c->locale != NULL)
    {
      /* LC_ALL=C.UTF-8 for every test: this one sets its own, on this thread only. */
      locale = newlocale (LC_ALL_MASK, c->locale, (locale_t)0);
      if (locale == (locale_t)0)
        {
          g_autofree char *why = g_strdup_printf (
            "locale %s is not installed (build-aux/deps.sh test makes it)", c->locale);

          g_test_skip (why);
          return;
        }
      previous = uselocale (locale);
    }

  /* A case with neither text nor an expected result is the refused NULL text. */
  if (c->text == NULL && c->expected != NULL)
    text = herald_money_format_cents (c->cents, c->currency, c->flags);
  else
    text
      = herald_money_format_text (c->text, c->length > 0 ? c->length : -1, c->currency, c->flags);

  if (locale != (locale_t)0)
    {
      uselocale (previous);
      freelocale (locale);
    }
  g_assert_cmpstr (text, ==, c->expected);
}

/* The parsed form, which callers that compare or sum amounts rely on: exact digits and scale. */
static void
test_money_parse_exact (void)
{
  HeraldMoney amount;

  g_assert_true (herald_money_parse ("-0012.3400", -1, &amount));
  g_assert_true (amount.negative);
  g_assert_cmpstr (amount.digits, ==, "123400");
  g_assert_cmpuint (amount.n_digits, ==, 6);
  g_assert_cmpuint (amount.scale, ==, 4);

  g_assert_true (herald_money_parse ("2.5e3", -1, &amount));
  g_assert_false (amount.negative);
  g_assert_cmpstr (amount.digits, ==, "2500");
  g_assert_cmpuint (amount.scale, ==, 0);

  g_assert_true (herald_money_parse ("0.000", -1, &amount));
  g_assert_cmpuint (amount.n_digits, ==, 0);
  g_assert_cmpuint (amount.scale, ==, 3);
}

/* The locale is read when an amount is formatted, not once: a case in German, then one in the
 * tests' C locale, on the same thread. */
static void
test_money_locale_per_call (void)
{
  locale_t german = newlocale (LC_ALL_MASK, DE, (locale_t)0);
  locale_t previous;
  g_autofree char *in_german = NULL;
  g_autofree char *in_c = NULL;

  if (german == (locale_t)0)
    {
      g_test_skip ("locale " DE " is not installed (build-aux/deps.sh test makes it)");
      return;
    }
  previous = uselocale (german);
  in_german = herald_money_format_cents (123456, "EUR", 0);
  uselocale (previous);
  freelocale (german);
  in_c = herald_money_format_cents (123456, "EUR", 0);

  g_assert_cmpstr (in_german, ==, "1.234,56 €");
  g_assert_cmpstr (in_c, ==, "€1234.56");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/money/format/", cases[i].name, NULL);

      g_test_add_data_func (path, &cases[i], test_money_case);
    }
  g_test_add_func ("/money/parse/exact", test_money_parse_exact);
  g_test_add_func ("/money/locale/per-call", test_money_locale_per_call);
  return g_test_run ();
}
