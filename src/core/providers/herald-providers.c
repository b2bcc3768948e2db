/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-providers.c — the one place that knows which feed class serves which provider. */
#define G_LOG_DOMAIN "herald-providers"

#include "config.h"

#include "herald-coinvoyage-feed.h"
#include "herald-dimes-feed.h"
#include "herald-hashi-feed.h"
#include "herald-pally-feed.h"
#include "herald-providers.h"
#include "herald-skinshark-feed.h"

HeraldFeed *
herald_feed_new_for_account (HeraldAccount *account)
{
  GType type = G_TYPE_INVALID;

  g_return_val_if_fail (HERALD_IS_ACCOUNT (account), NULL);

  switch (herald_account_get_provider (account))
    {
    case HERALD_PROVIDER_PALLY:
      type = HERALD_TYPE_PALLY_FEED;
      break;
    case HERALD_PROVIDER_HASHI:
      type = HERALD_TYPE_HASHI_FEED;
      break;
    case HERALD_PROVIDER_DIMES:
      type = HERALD_TYPE_DIMES_FEED;
      break;
    case HERALD_PROVIDER_SKINSHARK:
      type = HERALD_TYPE_SKINSHARK_FEED;
      break;
    case HERALD_PROVIDER_COINVOYAGE:
      type = HERALD_TYPE_COINVOYAGE_FEED;
      break;
    case HERALD_N_PROVIDERS:
    default:
      break;
    }
  if (type == G_TYPE_INVALID)
    return NULL;
  return g_object_new (type, "account", account, NULL);
}
