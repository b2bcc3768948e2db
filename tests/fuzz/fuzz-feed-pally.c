/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-feed-pally.c — libFuzzer target: one frame into the Pally feed's receive(), on a feed
 * with an API key, as its parse test sets it up. */
#include "config.h"

#include "fuzz-feed.h"
#include "herald-providers.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_PALLY, "pally-fuzz");
  g_autoptr (HeraldFeed) feed = herald_feed_new_for_account (account);

  herald_feed_set_credential (feed, "api-key", "pally_fuzz_key");
  fuzz_feed_receive (feed, data, size);
  return 0;
}
