/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-backoff.c — "full jitter": spreading reconnects of many clients uniformly over the
 * whole window keeps a provider's recovering server from being hit in synchronized waves. */
#define G_LOG_DOMAIN "herald-backoff"

#include "config.h"

#include "herald-backoff.h"

void
herald_backoff_init (HeraldBackoff *self, guint base_ms, guint cap_ms, guint32 seed)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (base_ms > 0 && cap_ms >= base_ms);

  self->attempt = 0;
  self->base_ms = base_ms;
  self->cap_ms = cap_ms;
  self->rand = seed ? g_rand_new_with_seed (seed) : g_rand_new ();
}

void
herald_backoff_clear (HeraldBackoff *self)
{
  g_return_if_fail (self != NULL);
  g_clear_pointer (&self->rand, g_rand_free);
}

guint
herald_backoff_ceiling_ms (const HeraldBackoff *self)
{
  guint64 ceiling;

  g_return_val_if_fail (self != NULL, 0);

  ceiling = self->base_ms;
  /* Stop doubling once past the cap: no overflow however many attempts pile up. */
  for (guint i = 0; i < self->attempt && ceiling < self->cap_ms; i++)
    ceiling *= 2;
  return (guint)MIN (ceiling, (guint64)self->cap_ms);
}

guint
herald_backoff_next_ms (HeraldBackoff *self)
{
  guint ceiling;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (self->rand != NULL, 0);

  ceiling = herald_backoff_ceiling_ms (self);
  if (self->attempt < G_MAXUINT)
    self->attempt++;
  return (guint)g_rand_int_range (self->rand, 0, (gint32)MIN (ceiling, (guint)G_MAXINT32 - 1) + 1);
}

void
herald_backoff_reset (HeraldBackoff *self)
{
  g_return_if_fail (self != NULL);
  self->attempt = 0;
}
