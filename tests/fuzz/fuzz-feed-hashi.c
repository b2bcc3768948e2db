/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-feed-hashi.c — libFuzzer target: one frame into the Hashi feed's receive(), on a feed
 * with two lobbies to subscribe to, as its parse test sets it up. */
#include "config.h"

#include "fuzz-feed.h"
#include "herald-providers.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  const char *const lobbies[] = { "lobby-1", "ABC123", NULL };
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_HASHI, "hashi-fuzz");
  g_autoptr (HeraldFeed) feed = NULL;

  herald_account_set_label (account, "Main");
  herald_account_set_option_values (account, "lobby", lobbies);
  feed = herald_feed_new_for_account (account);
  fuzz_feed_receive (feed, data, size);
  return 0;
}
