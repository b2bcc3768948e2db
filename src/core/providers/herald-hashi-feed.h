/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-hashi-feed.h — Hashi game lobbies and wager contracts: a pasted Privy JWT in
 * `?token=`, JSON ping/pong, global contract events and per-lobby room subscriptions. */
#pragma once

#include "herald-feed.h"

G_BEGIN_DECLS

#define HERALD_TYPE_HASHI_FEED (herald_hashi_feed_get_type ())
G_DECLARE_FINAL_TYPE (HeraldHashiFeed, herald_hashi_feed, HERALD, HASHI_FEED, HeraldFeed)

G_END_DECLS
