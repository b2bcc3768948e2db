/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-hub-receiver.h — the hub's receiver thread: its own GMainContext hosts every
 * connection, feed, timer and keyring lookup, so a burst is read and parsed off the UI's loop.
 * Private to the hub. */
#pragma once

#include <libsoup/soup.h>

#include "herald-account.h"
#include "herald-connection.h"
#include "herald-history.h"

G_BEGIN_DECLS

typedef struct _HeraldHubReceiver HeraldHubReceiver;

/* On the owner's context (the thread that made the receiver), in the order they happened.
 * @retry_at_us: g_get_monotonic_time () of the next attempt while backing off, else 0. */
typedef void (*HeraldHubReceiverStateFunc) (gpointer owner, const char *account_id,
                                            guint generation, HeraldConnectionState state,
                                            const char *reason, gint64 retry_at_us);

typedef struct
{
  gboolean set;
  guint base_ms;
  guint cap_ms;
  guint stable_ms;
  guint32 seed;
} HeraldHubBackoff;

/* @owner: a GObject that outlives the receiver; each event is queued on @history with @added
 * and a reference to @owner (the history calls back on its opener's context, the owner's).
 * @session NULL: one is made on the receiver thread. */
HeraldHubReceiver *herald_hub_receiver_new (GObject *owner, HeraldHistory *history,
                                            SoupSession *session, GNetworkMonitor *monitor,
                                            HeraldHistoryAddedFunc added,
                                            HeraldHubReceiverStateFunc state_func);

/* (Re)starts @account on the receiver, replacing what ran for its id. @credentials (field →
 * secret, taken over) holds what is known; the fields of @keyring_fields (NULL-terminated,
 * copied) are read from the keyring there first, @optional_fields among them may be missing. */
void herald_hub_receiver_start (HeraldHubReceiver *self, HeraldAccount *account, guint generation,
                                GHashTable *credentials, const char *const *keyring_fields,
                                const char *const *optional_fields,
                                const HeraldHubBackoff *backoff);
void herald_hub_receiver_stop (HeraldHubReceiver *self, const char *account_id);
/* Waits until the receiver has carried out every command posted before: after stops, no event
 * of those accounts reaches the history any more. */
void herald_hub_receiver_sync (HeraldHubReceiver *self);
/* Waits for the receiver thread to answer. FALSE when the account has no connection. */
gboolean herald_hub_receiver_get_counters (HeraldHubReceiver *self, const char *account_id,
                                           HeraldConnectionCounters *out);
/* Hands free heap memory back to the system, on the receiver thread. */
void herald_hub_receiver_trim (HeraldHubReceiver *self);
/* Closes every connection and joins the thread; no state callback follows. */
void herald_hub_receiver_free (HeraldHubReceiver *self);

G_END_DECLS
