/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-sim-private.h — what the simulator core and its five feed files share:
 * scenario settings, connection state, the per-feed vtable and small JSON/ID helpers. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "herald-simulator.h"

G_BEGIN_DECLS

typedef enum
{
  SIM_FEED_SKINSHARK,
  SIM_FEED_HASHI,
  SIM_FEED_COINVOYAGE,
  SIM_FEED_DIMES,
  SIM_FEED_PALLY,
  SIM_N_FEEDS,
} SimFeedId;

typedef enum
{
  SIM_COUNTER_CONNECTIONS,
  SIM_COUNTER_AUTH_FAILURES,
  SIM_COUNTER_MINTS,
  SIM_COUNTER_RATE_LIMITED,
  SIM_COUNTER_EVENTS,
  SIM_COUNTER_DUPLICATES,
  SIM_COUNTER_CLIENT_FRAMES,
  SIM_COUNTER_PINGS,
  SIM_COUNTER_PONGS,
  SIM_COUNTER_HEARTBEATS,
  SIM_COUNTER_ACKS,
  SIM_COUNTER_SUBSCRIPTIONS,
  SIM_COUNTER_MALFORMED,
  SIM_COUNTER_OVERSIZED,
  SIM_COUNTER_DROPS,
  SIM_COUNTER_STALLS,
  SIM_COUNTER_EXPIRED,
  SIM_N_COUNTERS,
} SimCounter;

typedef enum
{
  SIM_PACE_TRICKLE,
  SIM_PACE_BURST,
  SIM_PACE_IDLE,
} SimPace;

/* Everything a feed's scenarios can change; zero "after"/"count" values are meaningful,
 * so each modifier has its own on/off flag. */
typedef struct
{
  SimPace pace;
  guint interval_ms;
  guint count;
  guint chunk;
  guint burst_end;

  gboolean duplicates;
  guint replay;
  gboolean out_of_order;
  guint window;
  gboolean auth_failure;
  gboolean rate_limit;
  guint rate_limit_count;
  guint retry_after;
  gboolean drop;
  guint drop_after;
  gboolean stall;
  guint stall_after;
  gboolean oversized;
  guint oversized_after;
  guint oversized_size;
  gboolean malformed;
  guint malformed_every;

  guint heartbeat_interval_ms;
  guint heartbeat_timeout_ms;
} SimScenario;

/* Event timestamps are a function of the event's index, so a re-sent event is the same
 * bytes as the first copy; a segment restarts the clock when a stream resumes after a gap. */
typedef struct
{
  guint64 start;
  gint64 epoch_ms;
  guint tick_ms;
} SimSegment;

/* One account's sequence of events (one per SkinShark sub-user, one per other feed). */
typedef struct
{
  char *key;
  guint64 salt;
  guint64 next;
  GArray *segments;
} SimStream;

typedef struct
{
  char id[160];
  char type[64];
  char scope[96]; /* lobby id, page slug, order id or wallet; "" reaches everyone */
} SimEventInfo;

typedef struct _SimFeed SimFeed;
typedef struct _SimConn SimConn;

typedef struct
{
  const char *name;
  const char *prefix;      /* path the feed's handler is registered at */
  const char *socket_path; /* path of its WebSocket, without a trailing slash */
  const char *endpoint;    /* scheme and path appended to 127.0.0.1:PORT */

  /* Fills in the defaults for credentials and scopes from the seed. */
  void (*setup) (SimFeed *feed);
  /* Non-socket requests (SkinShark's REST API); NULL answers 404. */
  void (*handle_http) (SimFeed *feed, SoupServerMessage *msg, const char *path, GHashTable *query);
  /* Before the upgrade: FALSE after setting an HTTP error status, else TRUE with the
   * subprotocol to select (or NULL). */
  gboolean (*check_upgrade) (SimFeed *feed, SoupServerMessage *msg, GHashTable *query,
                             char **protocol);
  void (*opened) (SimConn *conn, SoupServerMessage *msg);
  void (*message) (SimConn *conn, SoupWebsocketDataType type, GBytes *message);
  /* Writes event @index of @stream into @out (a complete frame, except for Dimes where
   * it is the Socket.IO event argument) and describes it in @info. */
  void (*generate) (SimFeed *feed, SimStream *stream, guint64 index, SimEventInfo *info,
                    GString *out);
  gboolean (*in_scope) (SimConn *conn, const SimEventInfo *info);
  /* Sends a generated event; NULL sends @event as the frame. */
  void (*send_event) (SimConn *conn, const SimEventInfo *info, GString *event);
  /* Writes malformed frame @kind (0 bad JSON, 1 array, 2 missing fields, 3 unknown type). */
  void (*malformed) (SimConn *conn, guint kind, GString *out);
  void (*stalled) (SimConn *conn);
  void (*conn_free) (SimConn *conn);
} SimFeedClass;

struct _SimFeed
{
  HeraldSimulator *sim;
  const SimFeedClass *klass;
  SimFeedId id;
  SimScenario scenario;
  GHashTable *credentials;
  GStrv scopes;
  GHashTable *streams;
  guint counters[SIM_N_COUNTERS];
  GPtrArray *sent_ids;
  GPtrArray *sent_frames;
  guint64 serial;
  gpointer data; /* feed-wide state, e.g. SkinShark's minted tokens */
  GDestroyNotify data_free;
};

struct _SimConn
{
  SimFeed *feed;
  SoupWebsocketConnection *ws;
  GSocket *socket;
  GHashTable *query;
  guint64 serial;

  SimStream *stream;
  gboolean stalled;
  gboolean dead;
  gboolean finished;
  guint64 start;
  guint64 consumed;
  guint sent;
  guint malformed_kind;
  guint malformed_at;
  gboolean oversized_done;
  gsize pad_to;
  guint empty_dispatches;
  guint *window_perm;
  guint64 window_perm_for;

  GSource *pace_source;
  GSource *drop_source;
  GString *scratch;
  GString *frame;

  gpointer data;
  gulong message_handler;
  gulong closed_handler;
};

/* herald-simulator.c */
guint64 sim_feed_seed (SimFeed *feed);
const char *sim_feed_credential (SimFeed *feed, const char *field);
void sim_feed_set_credential (SimFeed *feed, const char *field, const char *value);
void sim_feed_set_scopes (SimFeed *feed, GStrv scopes);
void sim_count (SimFeed *feed, SimCounter counter);
GSource *sim_timeout_add (SimFeed *feed, guint ms, GSourceFunc func, gpointer data);
guint64 sim_feed_stream_salt (SimFeed *feed, const char *key);
gint64 sim_stream_ts (SimStream *stream, guint64 index);

void sim_conn_send_text (SimConn *conn, const char *text);
void sim_conn_send_binary (SimConn *conn, gconstpointer data, gsize len);
void sim_conn_close (SimConn *conn, gushort code, const char *reason);
void sim_conn_start_stream (SimConn *conn, const char *key);
void sim_conn_pad_frame (SimConn *conn, GString *frame);
char *sim_conn_next_id (SimConn *conn, const char *prefix);

/* herald-sim-util.c: deterministic randomness */
typedef struct
{
  guint64 state;
} SimRng;

guint64 sim_hash (guint64 a, guint64 b);
void sim_rng_init (SimRng *rng, guint64 a, guint64 b, guint64 c);
guint64 sim_rng_next (SimRng *rng);
guint sim_rng_below (SimRng *rng, guint n);
gboolean sim_rng_chance (SimRng *rng, guint percent);
void sim_rng_alnum (SimRng *rng, char *out, gsize len);
void sim_rng_hex (SimRng *rng, char *out, gsize len);
void sim_rng_uuid (SimRng *rng, char out[37]);
guint64 sim_string_hash64 (const char *s);

/* herald-sim-util.c: JSON written straight into a GString; commas are inserted as needed */
void sim_json_begin_object (GString *out);
void sim_json_end_object (GString *out);
void sim_json_begin_array (GString *out);
void sim_json_end_array (GString *out);
void sim_json_key (GString *out, const char *key);
void sim_json_string (GString *out, const char *value);
void sim_json_int (GString *out, gint64 value);
void sim_json_raw (GString *out, const char *raw);
void sim_json_time (GString *out, gint64 unix_ms);
void sim_json_money (GString *out, gint64 cents);
void sim_json_decimal (GString *out, gint64 cents);
void sim_json_member_string (GString *out, const char *key, const char *value);
void sim_json_member_int (GString *out, const char *key, gint64 value);
void sim_json_member_bool (GString *out, const char *key, gboolean value);
void sim_json_member_time (GString *out, const char *key, gint64 unix_ms);
void sim_json_member_money (GString *out, const char *key, gint64 cents);
void sim_format_time (char out[32], gint64 unix_ms);
JsonNode *sim_json_parse (GBytes *bytes);
char *sim_json_to_string (JsonNode *node);

/* herald-sim-util.c: tokens */
char *sim_base64url_encode (const guint8 *data, gsize len);
gboolean sim_jwt_read (const char *token, char **sub, gint64 *exp_unix);
char *sim_jwt_make (const char *sub, gint64 exp_unix, const char *extra_key,
                    const char *extra_value);
gboolean sim_parse_duration (const char *text, gint64 *seconds);

/* One vtable per feed file. */
extern const SimFeedClass sim_skinshark_class;
extern const SimFeedClass sim_hashi_class;
extern const SimFeedClass sim_coinvoyage_class;
extern const SimFeedClass sim_dimes_class;
extern const SimFeedClass sim_pally_class;

G_END_DECLS
