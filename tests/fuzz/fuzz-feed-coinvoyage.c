/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-feed-coinvoyage.c — libFuzzer target: one frame into the CoinVoyage feed's receive(),
 * on a feed with an API key and secret (organization scope), as its parse test has it. */
#include "config.h"

#include "fuzz-feed.h"
#include "herald-providers.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (HeraldAccount) account
    = herald_account_new (HERALD_PROVIDER_COINVOYAGE, "coinvoyage-fuzz");
  g_autoptr (HeraldFeed) feed = herald_feed_new_for_account (account);

  herald_feed_set_credential (feed, "api-key", "cv_pk_fuzz_key");
  herald_feed_set_credential (feed, "api-secret", "cv_sk_fuzz_secret");
  fuzz_feed_receive (feed, data, size);
  return 0;
}
