/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-hashi-feed-private.h — knobs of the Hashi feed that only tests turn:
 * how long before the access token lapses the user is warned. */
#pragma once

#include "herald-hashi-feed.h"

G_BEGIN_DECLS

/* The warning goes out this long before the token's "exp"; the default is ten minutes. */
void herald_hashi_feed_set_expiry_lead_ms (HeraldHashiFeed *self, guint lead_ms);

G_END_DECLS
