/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-format.c — untrusted text as a user reads it (money: test-money.c). */
#include "config.h"

#include "herald-format.h"

static void
test_format_clean_text (void)
{
  static const struct
  {
    const char *input;
    guint max_chars;
    const char *expected;
  } cases[] = {
    { "plain", 0, "plain" },
    { "  two\nlines\r\n and\ttabs  ", 0, "two lines and tabs" },
    { "bell\a and escape\x1b[31mred", 0, "bell and escape[31mred" },
    { "<b>bold</b> & _mnemonic_", 0,
      "<b>bold</b> & _mnemonic_" }, /* escaping is the renderer's job */
    { "abc\xff\xfe"
      "def",
      0,
      "abc\xef\xbf\xbd\xef\xbf\xbd"
      "def" },
    { "right\xe2\x80\xaeleft", 0, "rightleft" }, /* U+202E RIGHT-TO-LEFT OVERRIDE */
    { "family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", 0,
      "family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9" },
    { "abcdefghij", 5, "abcde…" },
    { "abcde", 5, "abcde" },
    { "héllo wörld", 7, "héllo w…" },
    { NULL, 0, "" },
    { "", 3, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = herald_format_clean_text (cases[i].input, cases[i].max_chars);

      g_assert_cmpstr (text, ==, cases[i].expected);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

static void
test_format_take_clean_text (void)
{
  char *clean = g_strdup ("Alice");
  char *same = clean;
  g_autofree char *cleaned = NULL;

  /* Clean text comes back as it went in, with no copy; other text is cleaned as above. */
  clean = herald_format_take_clean_text (clean, 10);
  g_assert_true (clean == same);
  g_free (clean);
  cleaned = herald_format_take_clean_text (g_strdup ("  bell\a \xff"), 0);
  g_assert_cmpstr (cleaned, ==, "bell \xef\xbf\xbd");
  g_free (g_steal_pointer (&cleaned));
  cleaned = herald_format_take_clean_text (g_strdup ("abcdefghij"), 5);
  g_assert_cmpstr (cleaned, ==, "abcde…");
  g_free (g_steal_pointer (&cleaned));
  cleaned = herald_format_take_clean_text (NULL, 5);
  g_assert_cmpstr (cleaned, ==, "");
}

static void
test_format_fill (void)
{
  static const struct
  {
    const char *template;
    const char *expected;
  } cases[] = {
    { "%s tipped %s", "Alice tipped $5.00" },
    { "%2$s von %1$s", "$5.00 von Alice" }, /* a translator's reordering */
    { "%1$s, %1$s!", "Alice, Alice!" },
    { "100%% %s", "100% Alice" },
    { "no placeholders", "no placeholders" },
    { "", "" },
    /* Broken translations show as they are, and never read past the two arguments. */
    { "%d and %s", "%d and Alice" },
    { "%3$s %s %s %s", "%3$s Alice $5.00 %s" },
    { "trailing %", "trailing %" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = herald_format_fill (cases[i].template, "Alice", "$5.00", NULL);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_format_escape_mnemonic (void)
{
  static const char *const cases[][2] = {
    { "plain", "plain" },
    { "_thanks_", "__thanks__" },
    { "a__b", "a____b" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = herald_format_escape_mnemonic (cases[i][0]);

      g_assert_cmpstr (text, ==, cases[i][1]);
    }
}

static void
test_format_isolate (void)
{
  g_autofree char *isolated = herald_format_isolate ("\xd9\x85\xd8\xad\xd9\x85\xd8\xaf");
  g_autofree char *empty = herald_format_isolate (NULL);

  g_assert_cmpstr (isolated, ==, "\xe2\x81\xa8\xd9\x85\xd8\xad\xd9\x85\xd8\xaf\xe2\x81\xa9");
  g_assert_cmpstr (empty, ==, "\xe2\x81\xa8\xe2\x81\xa9");
  /* Isolates from outside are stripped by clean_text, so only ours remain. */
  g_autofree char *cleaned = herald_format_clean_text ("\xe2\x81\xa8x\xe2\x81\xa9", 0);
  g_assert_cmpstr (cleaned, ==, "x");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/format/clean-text", test_format_clean_text);
  g_test_add_func ("/format/take-clean-text", test_format_take_clean_text);
  g_test_add_func ("/format/fill", test_format_fill);
  g_test_add_func ("/format/escape-mnemonic", test_format_escape_mnemonic);
  g_test_add_func ("/format/isolate", test_format_isolate);
  return g_test_run ();
}
