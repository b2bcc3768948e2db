/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-backoff.h — when to try again: exponential backoff with full jitter.
 * Pure arithmetic with an injectable random source, so tests can check spread and cap. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint attempt;
  guint base_ms;
  guint cap_ms;
  GRand *rand;
} HeraldBackoff;

/* seed 0 → seeded from the system's randomness. */
void herald_backoff_init (HeraldBackoff *backoff, guint base_ms, guint cap_ms, guint32 seed);
void herald_backoff_clear (HeraldBackoff *backoff);

/* The ceiling for the next attempt: min (cap, base · 2^attempt). */
guint herald_backoff_ceiling_ms (const HeraldBackoff *backoff);
/* A uniformly random delay in [0, ceiling], then the attempt count goes up. */
guint herald_backoff_next_ms (HeraldBackoff *backoff);
/* After a connection has stayed up long enough to call it stable. */
void herald_backoff_reset (HeraldBackoff *backoff);

G_END_DECLS
