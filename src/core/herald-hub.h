/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-hub.h — accounts → connections → history. Follows the account list as it changes,
 * dedupes through the history, and tells the UI about each new event and state change.
 * Used from one thread, the one that made it, where its signals are emitted; its connections
 * run on a receiver thread of its own, so the UI's loop never waits on a socket. */
#pragma once

#include <libsoup/soup.h>

#include "herald-account.h"
#include "herald-connection.h"
#include "herald-history.h"

G_BEGIN_DECLS

#define HERALD_TYPE_HUB (herald_hub_get_type ())
G_DECLARE_FINAL_TYPE (HeraldHub, herald_hub, HERALD, HUB, GObject)

/* accounts: a GListModel of HeraldAccount (the account store, or a list of demo accounts).
 * session and monitor may be NULL for the defaults. */
HeraldHub *herald_hub_new (GListModel *accounts, HeraldHistory *history, SoupSession *session,
                           GNetworkMonitor *monitor);

/* FALSE: credentials come only from herald_hub_set_memory_credential() (demo mode, tests);
 * the keyring is never asked. Default TRUE. Set before herald_hub_start(). */
void herald_hub_set_use_keyring (HeraldHub *self, gboolean use_keyring);
void herald_hub_set_memory_credential (HeraldHub *self, const char *account_id, const char *field,
                                       const char *secret);

void herald_hub_start (HeraldHub *self);
/* Returns once every connection is closed: no event is queued on the history after it. */
void herald_hub_stop (HeraldHub *self);

/* The account's connection counters, duplicates included. FALSE while the account has no
 * connection (disabled, keys missing, …). The connections live on the hub's receiver thread:
 * this waits for it to answer, so it is for tests, benchmarks and diagnostics, not per event. */
gboolean herald_hub_get_counters (HeraldHub *self, const char *account_id,
                                  HeraldConnectionCounters *out);
/* Tuning for tests and benchmarks: the backoff of the connections started from now on (see
 * herald_connection_set_backoff()). */
void herald_hub_set_backoff (HeraldHub *self, guint base_ms, guint cap_ms, guint stable_ms,
                             guint32 seed);
HeraldConnectionState herald_hub_get_state (HeraldHub *self, const char *account_id,
                                            const char **out_reason);
/* While the account is backing off, the g_get_monotonic_time () at which it tries again (for a
 * "reconnecting in N s" that counts down); else 0. */
gint64 herald_hub_get_retry_time (HeraldHub *self, const char *account_id);
/* Reads the credentials again and reconnects now: after the user fixed what was wrong. */
void herald_hub_retry (HeraldHub *self, const char *account_id);

HeraldHistory *herald_hub_get_history (HeraldHub *self);
/* The accounts the hub follows. transfer none */
GListModel *herald_hub_get_accounts (HeraldHub *self);
/* The account the hub knows by that id, or NULL. transfer none */
HeraldAccount *herald_hub_get_account (HeraldHub *self, const char *account_id);

G_END_DECLS
