/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-simulator.h — a loopback SoupServer that speaks the five feeds Herald follows,
 * with scripted misbehaviour (bursts, drops, stalls, bad frames) for demos, tests and benchmarks.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HERALD_SIMULATOR_ERROR (herald_simulator_error_quark ())

typedef enum
{
  HERALD_SIMULATOR_ERROR_UNKNOWN_FEED,
  HERALD_SIMULATOR_ERROR_UNKNOWN_SCENARIO,
  HERALD_SIMULATOR_ERROR_BAD_OPTION,
  HERALD_SIMULATOR_ERROR_UNSUPPORTED,
  HERALD_SIMULATOR_ERROR_LISTEN_FAILED,
} HeraldSimulatorError;

GQuark herald_simulator_error_quark (void);

#define HERALD_TYPE_SIMULATOR (herald_simulator_get_type ())

G_DECLARE_FINAL_TYPE (HeraldSimulator, herald_simulator, HERALD, SIMULATOR, GObject)

HeraldSimulator *herald_simulator_new (void);

/* "skinshark", "hashi", "coinvoyage", "dimes", "pally". */
const char *const *herald_simulator_get_feeds (void);

/* Event ids and credentials derive from the seed (default 1); set it before listening. */
void herald_simulator_set_seed (HeraldSimulator *self, guint64 seed);
guint64 herald_simulator_get_seed (HeraldSimulator *self);

/* @spec is "NAME[:KEY=VALUE[,KEY=VALUE…]]", e.g. "burst:count=1000", "drop:after=5",
 * "trickle:interval=200". Pacing scenarios (trickle, burst, idle) replace each other;
 * the others add to them. @feed NULL applies the scenario to every feed that supports it. */
gboolean herald_simulator_parse_scenario (HeraldSimulator *self, const char *feed, const char *spec,
                                          GError **error);
/* Stop each connection of @feed (NULL = all) after @count events; 0 = no limit. */
void herald_simulator_set_event_limit (HeraldSimulator *self, const char *feed, guint count);

/* Listens on 127.0.0.1; @port 0 picks a free port. Uses the thread-default main context. */
gboolean herald_simulator_listen (HeraldSimulator *self, guint16 port, GError **error);
guint16 herald_simulator_get_port (HeraldSimulator *self);

/* The endpoint an account should be given, e.g. "ws://127.0.0.1:40123/hashi";
 * NULL before listening or for an unknown feed. */
char *herald_simulator_get_endpoint (HeraldSimulator *self, const char *feed);

/* What the simulator accepts. Fields: skinshark "api-key", "expires-in" (lifetime of
 * the ws-tokens it mints: "45s", "30m", "1h"); hashi "token"; coinvoyage "api-key",
 * "api-secret"; dimes "api-key" (partner), "token" (customer JWT); pally "api-key". */
const char *herald_simulator_get_credential (HeraldSimulator *self, const char *feed,
                                             const char *field);
gboolean herald_simulator_set_credential (HeraldSimulator *self, const char *feed,
                                          const char *field, const char *value, GError **error);

/* The rooms an account can ask for: Hashi lobby ids, Pally page slugs, CoinVoyage order
 * ids (the first few orders), Dimes wallets (the first is the customer token's). */
const char *const *herald_simulator_get_scopes (HeraldSimulator *self, const char *feed);

/* One line of JSON with every feed's endpoint, credentials and scopes. */
char *herald_simulator_describe (HeraldSimulator *self);

/* Counters: "connections", "auth-failures", "mints", "rate-limited", "events",
 * "duplicates", "client-frames", "pings" (app-level pings answered), "pongs" (Engine.IO
 * pongs received), "heartbeats" (Engine.IO pings sent), "acks", "subscriptions",
 * "malformed", "oversized", "drops", "stalls", "expired". @feed NULL sums every feed. */
guint herald_simulator_get_counter (HeraldSimulator *self, const char *feed, const char *counter);

/* With recording on, the simulator keeps the id of every event frame it sends (a
 * duplicate copy appears twice) and the text of every frame. Off by default: a long
 * burst would otherwise keep every frame in memory. */
void herald_simulator_set_recording (HeraldSimulator *self, gboolean recording);
GPtrArray *herald_simulator_get_sent_ids (HeraldSimulator *self, const char *feed);
GPtrArray *herald_simulator_get_sent_frames (HeraldSimulator *self, const char *feed);

/* Cuts every open connection without a close frame. */
void herald_simulator_disconnect_all (HeraldSimulator *self);

/* An unsigned test JWT (header.payload.signature, base64url) with "sub" and "exp"
 * (Unix seconds), shaped like the tokens the feeds hand out. */
char *herald_simulator_make_test_jwt (const char *sub, gint64 exp_unix);

G_END_DECLS
