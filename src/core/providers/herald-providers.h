/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-providers.h — from an account to the feed that speaks its provider's protocol. */
#pragma once

#include "herald-feed.h"

G_BEGIN_DECLS

/* A new feed for the account, without credentials yet (herald_feed_set_credential()). */
HeraldFeed *herald_feed_new_for_account (HeraldAccount *account);

G_END_DECLS
