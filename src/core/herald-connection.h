/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-connection.h — one account's live socket, kept alive: connect, liveness deadline,
 * reconnect with backoff, network changes, close-code policy, state and counters. */
#pragma once

#include <libsoup/soup.h>

#include "herald-enums.h"
#include "herald-feed.h"

G_BEGIN_DECLS

typedef enum
{
  HERALD_CONNECTION_DISABLED,
  HERALD_CONNECTION_CONNECTING,
  HERALD_CONNECTION_CONNECTED,
  HERALD_CONNECTION_BACKING_OFF,
  HERALD_CONNECTION_OFFLINE,
  HERALD_CONNECTION_NEEDS_ATTENTION,
} HeraldConnectionState;

typedef struct
{
  guint64 connects;   /* sockets opened */
  guint64 drops;      /* sockets lost, whoever closed them */
  guint64 messages;   /* frames received */
  guint64 malformed;  /* frames dropped as nonsense */
  guint64 duplicates; /* events the history already had */
  guint64 events;     /* events the feed produced */
} HeraldConnectionCounters;

/* The defaults the engine runs with; tests shorten them. */
#define HERALD_BACKOFF_BASE_MS 1000
#define HERALD_BACKOFF_CAP_MS (5 * 60 * 1000)
#define HERALD_STABLE_AFTER_MS (60 * 1000)
#define HERALD_MAX_INCOMING_PAYLOAD (1024 * 1024)
#define HERALD_REAUTHENTICATE_DELAY_MS 1000

#define HERALD_TYPE_CONNECTION (herald_connection_get_type ())
G_DECLARE_FINAL_TYPE (HeraldConnection, herald_connection, HERALD, CONNECTION, GObject)

/* monitor NULL → the default GNetworkMonitor, which is not consulted for loopback endpoints. */
HeraldConnection *herald_connection_new (HeraldFeed *feed, SoupSession *session,
                                         GNetworkMonitor *monitor);

/* The hub's way in: called with every event before the "event" signal is emitted. A burst takes
 * this path tens of thousands of times a second, and a signal emission with a handler costs a
 * few hundred nanoseconds each; the signal stays for everyone else. */
typedef void (*HeraldConnectionEventFunc) (HeraldConnection *connection, HeraldEvent *event,
                                           gpointer user_data);
void herald_connection_set_event_func (HeraldConnection *self, HeraldConnectionEventFunc func,
                                       gpointer user_data);

void herald_connection_start (HeraldConnection *self);
void herald_connection_stop (HeraldConnection *self);
/* Forget the backoff and connect now (the user's "Reconnect"). */
void herald_connection_retry_now (HeraldConnection *self);

HeraldFeed *herald_connection_get_feed (HeraldConnection *self);
HeraldConnectionState herald_connection_get_state (HeraldConnection *self);
/* A translated sentence saying why the connection is in its state. */
const char *herald_connection_get_reason (HeraldConnection *self);
const HeraldConnectionCounters *herald_connection_get_counters (HeraldConnection *self);
void herald_connection_note_duplicate (HeraldConnection *self);
/* The delay chosen for the pending reconnect, in ms (for the UI and tests). */
guint herald_connection_get_retry_delay_ms (HeraldConnection *self);

/* Tuning for tests and benchmarks. seed 0: random. */
void herald_connection_set_backoff (HeraldConnection *self, guint base_ms, guint cap_ms,
                                    guint stable_ms, guint32 seed);
void herald_connection_set_max_payload (HeraldConnection *self, guint64 max_bytes);

const char *herald_connection_state_to_string (HeraldConnectionState state);

G_END_DECLS
