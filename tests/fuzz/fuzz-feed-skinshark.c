/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-feed-skinshark.c — libFuzzer target: one frame into the SkinShark feed's receive(),
 * on a feed set up as its parse test sets it up (one sub-user). */
#include "config.h"

#include "fuzz-feed.h"
#include "herald-providers.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (HeraldAccount) account
    = herald_account_new (HERALD_PROVIDER_SKINSHARK, "skinshark-fuzz");
  g_autoptr (HeraldFeed) feed = NULL;

  herald_account_set_option_values (account, "sub-user", (const char *const[]){ "user_42", NULL });
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "api-key", "sk_live_fuzz_key");
  fuzz_feed_receive (feed, data, size);
  return 0;
}
