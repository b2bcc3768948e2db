/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-backoff.c — reconnect delays: spread over the whole window, capped, reset. */
#include "config.h"

#include "herald-backoff.h"

static void
test_backoff_ceiling_doubles_to_cap (void)
{
  HeraldBackoff backoff;
  const guint expected[]
    = { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000 };

  herald_backoff_init (&backoff, 1000, 300000, 42);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpuint (herald_backoff_ceiling_ms (&backoff), ==, expected[i]);
      g_assert_cmpuint (herald_backoff_next_ms (&backoff), <=, expected[i]);
    }
  /* However many attempts pile up, the ceiling stays at the cap. */
  for (guint i = 0; i < 10000; i++)
    g_assert_cmpuint (herald_backoff_next_ms (&backoff), <=, 300000);
  g_assert_cmpuint (herald_backoff_ceiling_ms (&backoff), ==, 300000);
  herald_backoff_clear (&backoff);
}

/* Full jitter: delays fill [0, ceiling] evenly, so many clients do not retry in step. */
static void
test_backoff_full_jitter_spread (void)
{
  HeraldBackoff backoff;
  guint buckets[10] = { 0 };
  const guint n = 20000;
  guint below_tenth = 0;

  herald_backoff_init (&backoff, 1000, 300000, 7);
  for (guint i = 0; i < n; i++)
    {
      guint delay;

      backoff.attempt = 20; /* at the cap */
      delay = herald_backoff_next_ms (&backoff);
      g_assert_cmpuint (delay, <=, 300000);
      buckets[MIN (delay / 30000, 9)]++;
      if (delay < 30000)
        below_tenth++;
    }
  /* Each tenth of the window gets about a tenth of the delays (binomial: ±5σ ≈ ±212). */
  for (guint i = 0; i < G_N_ELEMENTS (buckets); i++)
    {
      g_assert_cmpuint (buckets[i], >, n / 10 - 250);
      g_assert_cmpuint (buckets[i], <, n / 10 + 250);
    }
  g_assert_cmpuint (below_tenth, ==, buckets[0]);
  herald_backoff_clear (&backoff);
}

static void
test_backoff_reset (void)
{
  HeraldBackoff backoff;

  herald_backoff_init (&backoff, 1000, 300000, 1);
  for (guint i = 0; i < 8; i++)
    herald_backoff_next_ms (&backoff);
  g_assert_cmpuint (herald_backoff_ceiling_ms (&backoff), ==, 256000);
  herald_backoff_reset (&backoff);
  g_assert_cmpuint (herald_backoff_ceiling_ms (&backoff), ==, 1000);
  g_assert_cmpuint (herald_backoff_next_ms (&backoff), <=, 1000);
  herald_backoff_clear (&backoff);
}

static void
test_backoff_seeded_is_repeatable (void)
{
  HeraldBackoff a, b;

  herald_backoff_init (&a, 1000, 300000, 99);
  herald_backoff_init (&b, 1000, 300000, 99);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpuint (herald_backoff_next_ms (&a), ==, herald_backoff_next_ms (&b));
  herald_backoff_clear (&a);
  herald_backoff_clear (&b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/backoff/ceiling-doubles-to-cap", test_backoff_ceiling_doubles_to_cap);
  g_test_add_func ("/backoff/full-jitter-spread", test_backoff_full_jitter_spread);
  g_test_add_func ("/backoff/reset", test_backoff_reset);
  g_test_add_func ("/backoff/seeded-is-repeatable", test_backoff_seeded_is_repeatable);
  return g_test_run ();
}
