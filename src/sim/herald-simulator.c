/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-simulator.c — the simulator's core: one SoupServer on loopback, the WebSocket
 * upgrade shared by all feeds, scenario parsing and the pacing engine that feeds each socket. */
#define G_LOG_DOMAIN "herald-sim"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-sim-private.h"

struct _HeraldSimulator
{
  GObject parent_instance;

  GMainContext *context;
  SoupServer *server;
  guint16 port;
  guint64 seed;
  gboolean recording;
  SimFeed feeds[SIM_N_FEEDS];
  GList *conns;
};

G_DEFINE_FINAL_TYPE (HeraldSimulator, herald_simulator, G_TYPE_OBJECT)

/* The quark name is stringified: spaces that clang-format would add would change it. */
/* clang-format off */
G_DEFINE_QUARK (herald-simulator-error-quark, herald_simulator_error)
/* clang-format on */

/* Defaults a demo looks good with: one event every 1.5 s per feed, bursts of 1000. */
#define DEFAULT_INTERVAL_MS 1500
#define DEFAULT_BURST_COUNT 1000
#define DEFAULT_BURST_CHUNK 256
#define DEFAULT_OVERSIZED_SIZE (2 * 1024 * 1024)
#define DEFAULT_SKINSHARK_KEEPALIVE_MS 30000
#define DEFAULT_DIMES_PING_INTERVAL_MS 25000
#define DEFAULT_DIMES_PING_TIMEOUT_MS 20000
/* A burst whose connection has nothing in scope for this many chunks stops looking. */
#define MAX_EMPTY_DISPATCHES 16
#define PADDING_MEMBER ",\"padding\":\"\""

static const SimFeedClass *const feed_classes[SIM_N_FEEDS] = {
  [SIM_FEED_SKINSHARK] = &sim_skinshark_class,   [SIM_FEED_HASHI] = &sim_hashi_class,
  [SIM_FEED_COINVOYAGE] = &sim_coinvoyage_class, [SIM_FEED_DIMES] = &sim_dimes_class,
  [SIM_FEED_PALLY] = &sim_pally_class,
};

static const char *const counter_names[SIM_N_COUNTERS] = {
  [SIM_COUNTER_CONNECTIONS] = "connections",
  [SIM_COUNTER_AUTH_FAILURES] = "auth-failures",
  [SIM_COUNTER_MINTS] = "mints",
  [SIM_COUNTER_RATE_LIMITED] = "rate-limited",
  [SIM_COUNTER_EVENTS] = "events",
  [SIM_COUNTER_DUPLICATES] = "duplicates",
  [SIM_COUNTER_CLIENT_FRAMES] = "client-frames",
  [SIM_COUNTER_PINGS] = "pings",
  [SIM_COUNTER_PONGS] = "pongs",
  [SIM_COUNTER_HEARTBEATS] = "heartbeats",
  [SIM_COUNTER_ACKS] = "acks",
  [SIM_COUNTER_SUBSCRIPTIONS] = "subscriptions",
  [SIM_COUNTER_MALFORMED] = "malformed",
  [SIM_COUNTER_OVERSIZED] = "oversized",
  [SIM_COUNTER_DROPS] = "drops",
  [SIM_COUNTER_STALLS] = "stalls",
  [SIM_COUNTER_EXPIRED] = "expired",
};

/* --- scenario table --- */

typedef struct
{
  const char *key;
  gsize offset; /* of a guint in SimScenario */
  guint min;
  guint max;
} SimOption;

typedef struct
{
  const char *name;
  int pace;    /* a SimPace, or -1 for a modifier */
  gssize flag; /* offset of the gboolean the scenario turns on, or -1 */
  guint feeds; /* bit mask of SimFeedId; 0 = every feed */
  SimOption options[4];
} SimScenarioSpec;

#define OPT(key, field, min, max)                                                                  \
  {                                                                                                \
    key, G_STRUCT_OFFSET (SimScenario, field), min, max                                            \
  }
#define FEED_BIT(id) (1u << (id))

static const SimScenarioSpec scenario_specs[] = {
  { "trickle",
    SIM_PACE_TRICKLE,
    -1,
    0,
    { OPT ("interval", interval_ms, 1, 3600000), OPT ("count", count, 0, G_MAXUINT) } },
  { "burst",
    SIM_PACE_BURST,
    -1,
    0,
    { OPT ("count", count, 1, G_MAXUINT), OPT ("chunk", chunk, 1, 65536),
      OPT ("end", burst_end, 0, 1) } },
  { "idle", SIM_PACE_IDLE, -1, 0, { { NULL } } },
  { "duplicates",
    -1,
    G_STRUCT_OFFSET (SimScenario, duplicates),
    0,
    { OPT ("replay", replay, 0, 100000) } },
  { "out-of-order",
    -1,
    G_STRUCT_OFFSET (SimScenario, out_of_order),
    0,
    { OPT ("window", window, 2, 1000) } },
  { "auth-failure", -1, G_STRUCT_OFFSET (SimScenario, auth_failure), 0, { { NULL } } },
  { "rate-limit",
    -1,
    G_STRUCT_OFFSET (SimScenario, rate_limit),
    FEED_BIT (SIM_FEED_SKINSHARK),
    { OPT ("count", rate_limit_count, 0, G_MAXUINT), OPT ("retry-after", retry_after, 1, 86400) } },
  { "drop",
    -1,
    G_STRUCT_OFFSET (SimScenario, drop),
    0,
    { OPT ("after", drop_after, 0, G_MAXUINT) } },
  { "stall",
    -1,
    G_STRUCT_OFFSET (SimScenario, stall),
    0,
    { OPT ("after", stall_after, 0, G_MAXUINT) } },
  { "oversized",
    -1,
    G_STRUCT_OFFSET (SimScenario, oversized),
    0,
    { OPT ("after", oversized_after, 0, G_MAXUINT),
      OPT ("size", oversized_size, 64, 64 * 1024 * 1024) } },
  { "malformed",
    -1,
    G_STRUCT_OFFSET (SimScenario, malformed),
    0,
    { OPT ("every", malformed_every, 1, 100000) } },
  /* Server-side keepalive: SkinShark's WebSocket pings, Dimes' Engine.IO ping/timeout. */
  { "heartbeat",
    -1,
    -1,
    FEED_BIT (SIM_FEED_SKINSHARK) | FEED_BIT (SIM_FEED_DIMES),
    { OPT ("interval", heartbeat_interval_ms, 1, 3600000),
      OPT ("timeout", heartbeat_timeout_ms, 1, 3600000) } },
};

/* --- helpers --- */

static SimFeed *
lookup_feed (HeraldSimulator *self, const char *name)
{
  if (name == NULL)
    return NULL;
  for (guint i = 0; i < SIM_N_FEEDS; i++)
    if (g_str_equal (feed_classes[i]->name, name))
      return &self->feeds[i];
  return NULL;
}

static void
scenario_init (SimScenario *sc, SimFeedId id)
{
  memset (sc, 0, sizeof *sc);
  sc->pace = SIM_PACE_TRICKLE;
  sc->interval_ms = DEFAULT_INTERVAL_MS;
  sc->chunk = DEFAULT_BURST_CHUNK;
  sc->replay = 3;
  sc->window = 8;
  sc->rate_limit_count = 1;
  sc->retry_after = 2;
  sc->drop_after = 5;
  sc->stall_after = 5;
  sc->oversized_after = 5;
  sc->oversized_size = DEFAULT_OVERSIZED_SIZE;
  sc->malformed_every = 3;
  sc->heartbeat_interval_ms
    = id == SIM_FEED_DIMES ? DEFAULT_DIMES_PING_INTERVAL_MS : DEFAULT_SKINSHARK_KEEPALIVE_MS;
  sc->heartbeat_timeout_ms = DEFAULT_DIMES_PING_TIMEOUT_MS;
}

guint64
sim_feed_seed (SimFeed *feed)
{
  return feed->sim->seed;
}

const char *
sim_feed_credential (SimFeed *feed, const char *field)
{
  return g_hash_table_lookup (feed->credentials, field);
}

void
sim_feed_set_credential (SimFeed *feed, const char *field, const char *value)
{
  g_hash_table_insert (feed->credentials, g_strdup (field), g_strdup (value));
}

void
sim_feed_set_scopes (SimFeed *feed, GStrv scopes)
{
  g_strfreev (feed->scopes);
  feed->scopes = scopes;
}

void
sim_count (SimFeed *feed, SimCounter counter)
{
  feed->counters[counter]++;
}

GSource *
sim_timeout_add (SimFeed *feed, guint ms, GSourceFunc func, gpointer data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, feed->sim->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* --- streams --- */

static void
stream_free (SimStream *stream)
{
  g_free (stream->key);
  g_array_unref (stream->segments);
  g_free (stream);
}

guint64
sim_feed_stream_salt (SimFeed *feed, const char *key)
{
  return sim_hash (sim_hash (feed->sim->seed, feed->id + 1), sim_string_hash64 (key));
}

static SimStream *
stream_get (SimFeed *feed, const char *key)
{
  SimStream *stream = g_hash_table_lookup (feed->streams, key);

  if (stream != NULL)
    return stream;
  stream = g_new0 (SimStream, 1);
  stream->key = g_strdup (key);
  stream->salt = sim_feed_stream_salt (feed, key);
  stream->segments = g_array_new (FALSE, FALSE, sizeof (SimSegment));
  g_hash_table_insert (feed->streams, stream->key, stream);
  return stream;
}

gint64
sim_stream_ts (SimStream *stream, guint64 index)
{
  for (guint i = stream->segments->len; i > 0; i--)
    {
      const SimSegment *segment = &g_array_index (stream->segments, SimSegment, i - 1);

      if (segment->start <= index)
        return segment->epoch_ms + (gint64)(index - segment->start) * segment->tick_ms;
    }
  return g_get_real_time () / 1000;
}

/* Keeps event times moving forward and close to the wall clock: a stream that resumes
 * after a gap (or at another pace) starts a new segment at its next unsent index. */
static void
stream_resume (SimStream *stream, guint tick_ms)
{
  gint64 now_ms = g_get_real_time () / 1000;
  SimSegment segment = { stream->next, now_ms, tick_ms };

  if (stream->segments->len > 0)
    {
      const SimSegment *last
        = &g_array_index (stream->segments, SimSegment, stream->segments->len - 1);
      gint64 projected = last->epoch_ms + (gint64)(stream->next - last->start) * last->tick_ms;

      if (last->tick_ms == tick_ms && projected >= now_ms - 1000)
        return;
      segment.epoch_ms = MAX (now_ms, projected);
    }
  g_array_append_val (stream->segments, segment);
}

/* --- sending --- */

static gboolean
conn_is_open (SimConn *conn)
{
  return !conn->dead && soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

void
sim_conn_send_text (SimConn *conn, const char *text)
{
  if (!conn_is_open (conn))
    return;
  soup_websocket_connection_send_text (conn->ws, text);
  if (conn->feed->sim->recording)
    g_ptr_array_add (conn->feed->sent_frames, g_strdup (text));
}

void
sim_conn_send_binary (SimConn *conn, gconstpointer data, gsize len)
{
  if (!conn_is_open (conn))
    return;
  soup_websocket_connection_send_binary (conn->ws, data, len);
}

static void
conn_stop_pacing (SimConn *conn)
{
  clear_source (&conn->pace_source);
}

void
sim_conn_close (SimConn *conn, gushort code, const char *reason)
{
  conn_stop_pacing (conn);
  if (conn_is_open (conn))
    soup_websocket_connection_close (conn->ws, code, reason);
}

char *
sim_conn_next_id (SimConn *conn, const char *prefix)
{
  SimRng rng;
  char tail[21];

  sim_rng_init (&rng, sim_hash (conn->feed->sim->seed, sim_string_hash64 (prefix)),
                conn->feed->id + 100, conn->serial);
  sim_rng_alnum (&rng, tail, 20);
  return g_strconcat (prefix, tail, NULL);
}

/* Grows @frame to exactly conn->pad_to bytes with an extra member in its last object,
 * so the oversized frame stays valid JSON of the feed's usual shape. */
void
sim_conn_pad_frame (SimConn *conn, GString *frame)
{
  const char *last_brace;
  gsize member = strlen (PADDING_MEMBER);
  gsize fill;
  g_autofree char *padding = NULL;

  if (conn->pad_to == 0)
    return;
  last_brace = strrchr (frame->str, '}');
  if (last_brace == NULL || frame->len + member > conn->pad_to)
    return;
  fill = conn->pad_to - frame->len - member;
  padding = g_malloc (member + fill + 1);
  memcpy (padding, ",\"padding\":\"", member - 1);
  memset (padding + member - 1, 'x', fill);
  padding[member - 1 + fill] = '"';
  padding[member + fill] = '\0';
  g_string_insert_len (frame, last_brace - frame->str, padding, (gssize)(member + fill));
}

static void
conn_send_event (SimConn *conn, const SimEventInfo *info, gboolean duplicate)
{
  SimFeed *feed = conn->feed;

  if (feed->klass->send_event != NULL)
    feed->klass->send_event (conn, info, conn->scratch);
  else
    {
      if (conn->pad_to > 0 && conn->scratch->len < conn->pad_to)
        sim_conn_pad_frame (conn, conn->scratch);
      sim_conn_send_text (conn, conn->scratch->str);
    }
  sim_count (feed, duplicate ? SIM_COUNTER_DUPLICATES : SIM_COUNTER_EVENTS);
  if (feed->sim->recording)
    g_ptr_array_add (feed->sent_ids, g_strdup (info->id));
}

static void
conn_send_malformed (SimConn *conn)
{
  static const guint8 binary[] = { 0x00, 0xff, 0x7b, 0x22, 0x80, 0x7d, 0x0a, 0xfe };
  guint kind = conn->malformed_kind++ % 5;

  sim_count (conn->feed, SIM_COUNTER_MALFORMED);
  if (kind == 4)
    {
      sim_conn_send_binary (conn, binary, sizeof binary);
      return;
    }
  g_string_truncate (conn->frame, 0);
  conn->feed->klass->malformed (conn, kind, conn->frame);
  sim_conn_send_text (conn, conn->frame->str);
}

/* --- misbehaviour --- */

static gboolean
drop_ready_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  SimConn *conn = user_data;

  g_debug ("%s: cutting connection %" G_GUINT64_FORMAT " without a close frame",
           conn->feed->klass->name, conn->serial);
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
  g_clear_pointer (&conn->drop_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Waits for libsoup's queue to reach the kernel first (its output source runs at default
 * priority, ours at low), so the client gets every event sent before the cut. */
static void
conn_drop (SimConn *conn)
{
  conn_stop_pacing (conn);
  if (conn->drop_source != NULL || conn->socket == NULL)
    return;
  sim_count (conn->feed, SIM_COUNTER_DROPS);
  conn->drop_source = g_socket_create_source (conn->socket, G_IO_OUT, NULL);
  g_source_set_priority (conn->drop_source, G_PRIORITY_LOW);
  g_source_set_callback (conn->drop_source, (GSourceFunc)G_CALLBACK (drop_ready_cb), conn, NULL);
  g_source_attach (conn->drop_source, conn->feed->sim->context);
}

static void
conn_stall (SimConn *conn)
{
  conn_stop_pacing (conn);
  if (conn->stalled)
    return;
  conn->stalled = TRUE;
  sim_count (conn->feed, SIM_COUNTER_STALLS);
  soup_websocket_connection_set_keepalive_interval (conn->ws, 0);
  if (conn->feed->klass->stalled != NULL)
    conn->feed->klass->stalled (conn);
}

/* --- pacing --- */

static guint64
conn_next_index (SimConn *conn)
{
  const SimScenario *sc = &conn->feed->scenario;
  guint64 window;
  guint offset;

  if (!sc->out_of_order)
    return conn->start + conn->consumed;

  window = conn->consumed / sc->window;
  offset = (guint)(conn->consumed % sc->window);
  if (conn->window_perm == NULL || conn->window_perm_for != window)
    {
      SimRng rng;

      /* Fisher–Yates from the seed, so a test can predict the order. */
      conn->window_perm = g_renew (guint, conn->window_perm, sc->window);
      conn->window_perm_for = window;
      for (guint i = 0; i < sc->window; i++)
        conn->window_perm[i] = i;
      sim_rng_init (&rng, conn->stream->salt, conn->start, window);
      for (guint i = sc->window - 1; i > 0; i--)
        {
          guint j = sim_rng_below (&rng, i + 1);
          guint tmp = conn->window_perm[i];

          conn->window_perm[i] = conn->window_perm[j];
          conn->window_perm[j] = tmp;
        }
    }
  return conn->start + window * sc->window + conn->window_perm[offset];
}

static void
conn_finish_events (SimConn *conn)
{
  conn_stop_pacing (conn);
  if (conn->finished)
    return;
  conn->finished = TRUE;
  /* The reference consumers in shared/bench stop at the text "END". */
  if (conn->feed->scenario.pace == SIM_PACE_BURST && conn->feed->scenario.burst_end)
    sim_conn_send_text (conn, "END");
}

/* Consumes one index of the stream; FALSE once this connection has nothing more to do.
 * Returns through @sent whether a frame went out. */
static gboolean
conn_step (SimConn *conn, gboolean *sent)
{
  SimFeed *feed = conn->feed;
  const SimScenario *sc = &feed->scenario;
  SimEventInfo info;
  guint64 index;

  *sent = FALSE;
  if (conn->dead || conn->stalled || conn->stream == NULL || conn->drop_source != NULL)
    return FALSE;
  if (sc->drop && conn->sent >= sc->drop_after)
    {
      conn_drop (conn);
      return FALSE;
    }
  if (sc->stall && conn->sent >= sc->stall_after)
    {
      conn_stall (conn);
      return FALSE;
    }
  if (sc->count > 0 && conn->sent >= sc->count)
    {
      conn_finish_events (conn);
      return FALSE;
    }
  if (sc->malformed && conn->sent > 0 && conn->sent % sc->malformed_every == 0
      && conn->malformed_at != conn->sent)
    {
      conn->malformed_at = conn->sent;
      conn_send_malformed (conn);
      *sent = TRUE;
      return TRUE;
    }

  index = conn_next_index (conn);
  conn->consumed++;
  conn->stream->next = MAX (conn->stream->next, index + 1);

  memset (&info, 0, sizeof info);
  g_string_truncate (conn->scratch, 0);
  feed->klass->generate (feed, conn->stream, index, &info, conn->scratch);
  if (feed->klass->in_scope != NULL && !feed->klass->in_scope (conn, &info))
    return TRUE;

  if (sc->oversized && !conn->oversized_done && conn->sent >= sc->oversized_after)
    {
      conn->oversized_done = TRUE;
      conn->pad_to = sc->oversized_size;
      sim_count (feed, SIM_COUNTER_OVERSIZED);
    }
  conn_send_event (conn, &info, FALSE);
  if (sc->duplicates)
    conn_send_event (conn, &info, TRUE);
  conn->pad_to = 0;
  conn->sent++;
  *sent = TRUE;

  /* Act at once rather than a trickle interval later. */
  if (sc->drop && conn->sent >= sc->drop_after)
    {
      conn_drop (conn);
      return FALSE;
    }
  if (sc->stall && conn->sent >= sc->stall_after)
    {
      conn_stall (conn);
      return FALSE;
    }
  if (sc->count > 0 && conn->sent >= sc->count)
    {
      conn_finish_events (conn);
      return FALSE;
    }
  return TRUE;
}

static gboolean
trickle_cb (gpointer user_data)
{
  SimConn *conn = user_data;
  gboolean sent;

  if (conn_step (conn, &sent))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&conn->pace_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Runs only when the socket can take more and libsoup's own (higher priority) output
 * source has nothing queued, so a burst of any length holds at most one chunk in memory. */
static gboolean
burst_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  SimConn *conn = user_data;
  guint chunk = conn->feed->scenario.chunk;
  gboolean any = FALSE;

  for (guint i = 0; i < chunk; i++)
    {
      gboolean sent;

      if (!conn_step (conn, &sent))
        {
          g_clear_pointer (&conn->pace_source, g_source_unref);
          return G_SOURCE_REMOVE;
        }
      any |= sent;
    }

  conn->empty_dispatches = any ? 0 : conn->empty_dispatches + 1;
  if (conn->empty_dispatches >= MAX_EMPTY_DISPATCHES)
    {
      g_debug ("%s: nothing in scope for connection %" G_GUINT64_FORMAT ", ending the burst",
               conn->feed->klass->name, conn->serial);
      conn->finished = TRUE;
      g_clear_pointer (&conn->pace_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
burst_idle_cb (gpointer user_data)
{
  return burst_cb (NULL, G_IO_OUT, user_data);
}

void
sim_conn_start_stream (SimConn *conn, const char *key)
{
  SimFeed *feed = conn->feed;
  const SimScenario *sc = &feed->scenario;
  SimStream *stream;

  if (conn->stream != NULL || conn->dead)
    return;
  stream = stream_get (feed, key != NULL ? key : "");
  conn->stream = stream;
  conn->start = stream->next;
  if (sc->duplicates)
    conn->start = stream->next > sc->replay ? stream->next - sc->replay : 0;
  stream_resume (stream, sc->pace == SIM_PACE_BURST ? 1 : sc->interval_ms);

  switch (sc->pace)
    {
    case SIM_PACE_TRICKLE:
      conn->pace_source = sim_timeout_add (feed, sc->interval_ms, trickle_cb, conn);
      break;
    case SIM_PACE_BURST:
      if (conn->socket != NULL)
        {
          conn->pace_source = g_socket_create_source (conn->socket, G_IO_OUT, NULL);
          g_source_set_callback (conn->pace_source, (GSourceFunc)G_CALLBACK (burst_cb), conn, NULL);
        }
      else
        {
          /* No socket to watch (not expected from SoupServer): pace without backpressure. */
          conn->pace_source = g_idle_source_new ();
          g_source_set_callback (conn->pace_source, burst_idle_cb, conn, NULL);
        }
      g_source_set_priority (conn->pace_source, G_PRIORITY_LOW);
      g_source_attach (conn->pace_source, feed->sim->context);
      break;
    case SIM_PACE_IDLE:
    default:
      break;
    }
}

/* --- connections --- */

static void
conn_free (SimConn *conn)
{
  conn_stop_pacing (conn);
  clear_source (&conn->drop_source);
  if (conn->feed->klass->conn_free != NULL)
    conn->feed->klass->conn_free (conn);
  g_clear_signal_handler (&conn->message_handler, conn->ws);
  g_clear_signal_handler (&conn->closed_handler, conn->ws);
  g_clear_object (&conn->ws);
  g_clear_object (&conn->socket);
  g_clear_pointer (&conn->query, g_hash_table_unref);
  g_string_free (conn->scratch, TRUE);
  g_string_free (conn->frame, TRUE);
  g_free (conn->window_perm);
  g_free (conn);
}

static void
conn_message_cb (SoupWebsocketConnection *ws, SoupWebsocketDataType type, GBytes *message,
                 gpointer user_data)
{
  SimConn *conn = user_data;

  sim_count (conn->feed, SIM_COUNTER_CLIENT_FRAMES);
  /* A stalled server reads but never answers: that is what makes it a stall. */
  if (conn->stalled || conn->dead)
    return;
  conn->feed->klass->message (conn, type, message);
}

static void
conn_closed_cb (SoupWebsocketConnection *ws, gpointer user_data)
{
  SimConn *conn = user_data;
  HeraldSimulator *self = conn->feed->sim;

  g_debug ("%s: connection %" G_GUINT64_FORMAT " closed (code %u)", conn->feed->klass->name,
           conn->serial, soup_websocket_connection_get_close_code (ws));
  conn->dead = TRUE;
  self->conns = g_list_remove (self->conns, conn);
  /* libsoup holds its own reference while it emits "closed". */
  conn_free (conn);
}

static void
upgrade_written_cb (SoupServerMessage *msg, gpointer user_data)
{
  HeraldSimulator *self = user_data;
  SimFeed *feed = g_object_get_data (G_OBJECT (msg), "herald-sim-feed");
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  GSocket *socket = soup_server_message_get_socket (msg);
  g_autoptr (GIOStream) stream = NULL;
  SimConn *conn;

  if (feed == NULL || soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;

  conn = g_new0 (SimConn, 1);
  conn->feed = feed;
  conn->serial = ++feed->serial;
  conn->socket = socket != NULL ? g_object_ref (socket) : NULL;
  conn->query = g_uri_get_query (uri) != NULL ? soup_form_decode (g_uri_get_query (uri))
                                              : g_hash_table_new (g_str_hash, g_str_equal);
  conn->scratch = g_string_sized_new (1024);
  conn->frame = g_string_sized_new (1024);

  stream = soup_server_message_steal_connection (msg);
  conn->ws = soup_websocket_connection_new (
    stream, uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
    soup_message_headers_get_one (request_headers, "Origin"),
    soup_message_headers_get_one (response_headers, "Sec-WebSocket-Protocol"), NULL);
  conn->message_handler
    = g_signal_connect (conn->ws, "message", G_CALLBACK (conn_message_cb), conn);
  conn->closed_handler = g_signal_connect (conn->ws, "closed", G_CALLBACK (conn_closed_cb), conn);
  self->conns = g_list_prepend (self->conns, conn);
  sim_count (feed, SIM_COUNTER_CONNECTIONS);
  g_debug ("%s: connection %" G_GUINT64_FORMAT " open", feed->klass->name, conn->serial);

  feed->klass->opened (conn, msg);
}

static void
handle_upgrade (SimFeed *feed, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *protocol = NULL;
  char *protocols[2] = { NULL, NULL };

  if (feed->klass->check_upgrade != NULL
      && !feed->klass->check_upgrade (feed, msg, query, &protocol))
    return;
  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      static const char body[] = "Expected a WebSocket upgrade\n";

      g_debug ("%s: refused a request that is not a WebSocket upgrade: %s", feed->klass->name,
               error->message);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body,
                                        sizeof body - 1);
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }

  protocols[0] = protocol;
  if (!soup_websocket_server_process_handshake (msg, NULL, protocol != NULL ? protocols : NULL,
                                                NULL, NULL))
    return;
  g_object_set_data (G_OBJECT (msg), "herald-sim-feed", feed);
  g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (upgrade_written_cb), feed->sim,
                           0);
}

static void
server_request_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                   gpointer user_data)
{
  SimFeed *feed = user_data;
  g_autofree char *trimmed = g_strdup (path);
  gsize len = strlen (trimmed);

  if (len > 1 && trimmed[len - 1] == '/')
    trimmed[len - 1] = '\0';

  if (g_str_equal (trimmed, feed->klass->socket_path))
    handle_upgrade (feed, msg, query);
  else if (feed->klass->handle_http != NULL)
    feed->klass->handle_http (feed, msg, trimmed, query);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* --- GObject --- */

static void
herald_simulator_dispose (GObject *object)
{
  HeraldSimulator *self = HERALD_SIMULATOR (object);

  while (self->conns != NULL)
    {
      SimConn *conn = self->conns->data;

      self->conns = g_list_delete_link (self->conns, self->conns);
      conn->dead = TRUE;
      if (conn->socket != NULL)
        g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
      conn_free (conn);
    }
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (herald_simulator_parent_class)->dispose (object);
}

static void
herald_simulator_finalize (GObject *object)
{
  HeraldSimulator *self = HERALD_SIMULATOR (object);

  for (guint i = 0; i < SIM_N_FEEDS; i++)
    {
      SimFeed *feed = &self->feeds[i];

      g_hash_table_unref (feed->credentials);
      g_hash_table_unref (feed->streams);
      g_strfreev (feed->scopes);
      g_ptr_array_unref (feed->sent_ids);
      g_ptr_array_unref (feed->sent_frames);
      if (feed->data_free != NULL)
        g_clear_pointer (&feed->data, feed->data_free);
    }
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (herald_simulator_parent_class)->finalize (object);
}

static void
herald_simulator_class_init (HeraldSimulatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = herald_simulator_dispose;
  object_class->finalize = herald_simulator_finalize;
}

static void
setup_feeds (HeraldSimulator *self)
{
  for (guint i = 0; i < SIM_N_FEEDS; i++)
    {
      SimFeed *feed = &self->feeds[i];

      g_hash_table_remove_all (feed->credentials);
      g_hash_table_remove_all (feed->streams);
      feed->klass->setup (feed);
    }
}

static void
herald_simulator_init (HeraldSimulator *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->seed = 1;
  for (guint i = 0; i < SIM_N_FEEDS; i++)
    {
      SimFeed *feed = &self->feeds[i];

      feed->sim = self;
      feed->id = i;
      feed->klass = feed_classes[i];
      scenario_init (&feed->scenario, i);
      feed->credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      feed->streams
        = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)stream_free);
      feed->sent_ids = g_ptr_array_new_with_free_func (g_free);
      feed->sent_frames = g_ptr_array_new_with_free_func (g_free);
    }
  setup_feeds (self);
}

/* --- public API --- */

HeraldSimulator *
herald_simulator_new (void)
{
  return g_object_new (HERALD_TYPE_SIMULATOR, NULL);
}

const char *const *
herald_simulator_get_feeds (void)
{
  static const char *const names[] = { "skinshark", "hashi", "coinvoyage", "dimes", "pally", NULL };

  return names;
}

void
herald_simulator_set_seed (HeraldSimulator *self, guint64 seed)
{
  g_return_if_fail (HERALD_IS_SIMULATOR (self));
  /* Streams and credentials derive from the seed: changing it under live sockets would
   * pull their streams away. */
  g_return_if_fail (self->server == NULL);

  if (self->seed == seed)
    return;
  self->seed = seed;
  /* Default credentials and scopes derive from the seed. */
  setup_feeds (self);
}

guint64
herald_simulator_get_seed (HeraldSimulator *self)
{
  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), 0);

  return self->seed;
}

static const SimScenarioSpec *
lookup_scenario (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (scenario_specs); i++)
    if (g_str_equal (scenario_specs[i].name, name))
      return &scenario_specs[i];
  return NULL;
}

static gboolean
apply_scenario (const SimScenarioSpec *spec, GHashTable *options, SimScenario *sc, GError **error)
{
  GHashTableIter iter;
  gpointer key, value;

  if (spec->pace >= 0)
    {
      sc->pace = spec->pace;
      sc->count = spec->pace == SIM_PACE_BURST ? DEFAULT_BURST_COUNT : 0;
      sc->burst_end = FALSE;
    }
  if (spec->flag >= 0)
    G_STRUCT_MEMBER (gboolean, sc, spec->flag) = TRUE;

  g_hash_table_iter_init (&iter, options);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const SimOption *option = NULL;
      guint64 number;

      for (guint i = 0; i < G_N_ELEMENTS (spec->options) && spec->options[i].key != NULL; i++)
        if (g_str_equal (spec->options[i].key, key))
          option = &spec->options[i];
      if (option == NULL)
        {
          g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_BAD_OPTION,
                       _ ("Scenario “%s” has no option “%s”"), spec->name, (const char *)key);
          return FALSE;
        }
      if (!g_ascii_string_to_unsigned (value, 10, option->min, option->max, &number, NULL))
        {
          g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_BAD_OPTION,
                       _ ("Option “%s” of scenario “%s” must be a whole number from %u to %u"),
                       option->key, spec->name, option->min, option->max);
          return FALSE;
        }
      G_STRUCT_MEMBER (guint, sc, option->offset) = (guint)number;
    }
  return TRUE;
}

gboolean
herald_simulator_parse_scenario (HeraldSimulator *self, const char *feed_name,
                                 const char *spec_text, GError **error)
{
  g_autoptr (GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *name = NULL;
  const char *colon;
  const SimScenarioSpec *spec;
  SimFeed *only = NULL;
  SimScenario updated[SIM_N_FEEDS];
  gboolean targets[SIM_N_FEEDS] = { FALSE };

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), FALSE);
  g_return_val_if_fail (spec_text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (feed_name != NULL)
    {
      only = lookup_feed (self, feed_name);
      if (only == NULL)
        {
          g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_UNKNOWN_FEED,
                       _ ("Unknown feed “%s”"), feed_name);
          return FALSE;
        }
    }

  colon = strchr (spec_text, ':');
  name = colon != NULL ? g_strndup (spec_text, colon - spec_text) : g_strdup (spec_text);
  spec = lookup_scenario (name);
  if (spec == NULL)
    {
      g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_UNKNOWN_SCENARIO,
                   _ ("Unknown scenario “%s”"), name);
      return FALSE;
    }

  if (colon != NULL)
    {
      g_auto (GStrv) pairs = g_strsplit (colon + 1, ",", -1);

      for (guint i = 0; pairs[i] != NULL; i++)
        {
          const char *equals = strchr (pairs[i], '=');

          if (equals == NULL || equals == pairs[i])
            {
              g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_BAD_OPTION,
                           _ ("Expected KEY=VALUE in scenario “%s”, got “%s”"), name, pairs[i]);
              return FALSE;
            }
          g_hash_table_replace (options, g_strndup (pairs[i], equals - pairs[i]),
                                g_strdup (equals + 1));
        }
    }

  if (only != NULL && spec->feeds != 0 && (spec->feeds & FEED_BIT (only->id)) == 0)
    {
      g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_UNSUPPORTED,
                   _ ("Feed “%s” has no scenario “%s”"), feed_name, name);
      return FALSE;
    }

  /* Validate against every target before changing any, so a bad spec changes nothing. */
  for (guint i = 0; i < SIM_N_FEEDS; i++)
    {
      if (only != NULL && only != &self->feeds[i])
        continue;
      if (spec->feeds != 0 && (spec->feeds & FEED_BIT (i)) == 0)
        continue;
      updated[i] = self->feeds[i].scenario;
      if (!apply_scenario (spec, options, &updated[i], error))
        return FALSE;
      targets[i] = TRUE;
    }
  for (guint i = 0; i < SIM_N_FEEDS; i++)
    if (targets[i])
      self->feeds[i].scenario = updated[i];
  return TRUE;
}

void
herald_simulator_set_event_limit (HeraldSimulator *self, const char *feed_name, guint count)
{
  g_return_if_fail (HERALD_IS_SIMULATOR (self));

  for (guint i = 0; i < SIM_N_FEEDS; i++)
    if (feed_name == NULL || g_str_equal (feed_name, feed_classes[i]->name))
      self->feeds[i].scenario.count = count;
}

gboolean
herald_simulator_listen (HeraldSimulator *self, guint16 port, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  GSList *uris;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->server = soup_server_new ("server-header", "herald-simulator ", NULL);
  for (guint i = 0; i < SIM_N_FEEDS; i++)
    soup_server_add_handler (self->server, feed_classes[i]->prefix, server_request_cb,
                             &self->feeds[i], NULL);

  if (!soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &local_error))
    {
      g_debug ("listen on 127.0.0.1:%u failed: %s", port, local_error->message);
      g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_LISTEN_FAILED,
                   _ ("Could not listen on port %u: %s"), port, local_error->message);
      g_clear_object (&self->server);
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  self->port = uris != NULL ? (guint16)g_uri_get_port (uris->data) : port;
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return TRUE;
}

guint16
herald_simulator_get_port (HeraldSimulator *self)
{
  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), 0);

  return self->port;
}

char *
herald_simulator_get_endpoint (HeraldSimulator *self, const char *feed_name)
{
  SimFeed *feed;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), NULL);

  feed = lookup_feed (self, feed_name);
  if (feed == NULL || self->port == 0)
    return NULL;
  /* endpoint is "scheme:path"; the authority goes between. */
  {
    const char *colon = strchr (feed->klass->endpoint, ':');
    g_autofree char *scheme = g_strndup (feed->klass->endpoint, colon - feed->klass->endpoint);

    return g_strdup_printf ("%s://127.0.0.1:%u%s", scheme, self->port, colon + 1);
  }
}

const char *
herald_simulator_get_credential (HeraldSimulator *self, const char *feed_name, const char *field)
{
  SimFeed *feed;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  feed = lookup_feed (self, feed_name);
  return feed != NULL ? sim_feed_credential (feed, field) : NULL;
}

gboolean
herald_simulator_set_credential (HeraldSimulator *self, const char *feed_name, const char *field,
                                 const char *value, GError **error)
{
  SimFeed *feed;
  gint64 seconds;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  feed = lookup_feed (self, feed_name);
  if (feed == NULL)
    {
      g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_UNKNOWN_FEED,
                   _ ("Unknown feed “%s”"), feed_name != NULL ? feed_name : "");
      return FALSE;
    }
  if (sim_feed_credential (feed, field) == NULL)
    {
      g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_BAD_OPTION,
                   _ ("Feed “%s” has no credential “%s”"), feed_name, field);
      return FALSE;
    }
  if (value == NULL || *value == '\0'
      || (g_str_equal (field, "expires-in") && !sim_parse_duration (value, &seconds)))
    {
      g_set_error (error, HERALD_SIMULATOR_ERROR, HERALD_SIMULATOR_ERROR_BAD_OPTION,
                   _ ("“%s” is not a valid value for credential “%s”"), value != NULL ? value : "",
                   field);
      return FALSE;
    }
  sim_feed_set_credential (feed, field, value);
  return TRUE;
}

const char *const *
herald_simulator_get_scopes (HeraldSimulator *self, const char *feed_name)
{
  static const char *const none[] = { NULL };
  SimFeed *feed;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), none);

  feed = lookup_feed (self, feed_name);
  if (feed == NULL || feed->scopes == NULL)
    return none;
  return (const char *const *)feed->scopes;
}

char *
herald_simulator_describe (HeraldSimulator *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, self->port);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, (gint64)self->seed);
  json_builder_set_member_name (builder, "feeds");
  json_builder_begin_object (builder);
  for (guint i = 0; i < SIM_N_FEEDS; i++)
    {
      SimFeed *feed = &self->feeds[i];
      g_autofree char *endpoint = herald_simulator_get_endpoint (self, feed->klass->name);
      g_autoptr (GList) fields = g_hash_table_get_keys (feed->credentials);

      json_builder_set_member_name (builder, feed->klass->name);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "endpoint");
      json_builder_add_string_value (builder, endpoint);
      json_builder_set_member_name (builder, "credentials");
      json_builder_begin_object (builder);
      fields = g_list_sort (fields, (GCompareFunc)g_strcmp0);
      for (GList *l = fields; l != NULL; l = l->next)
        {
          json_builder_set_member_name (builder, l->data);
          json_builder_add_string_value (builder, sim_feed_credential (feed, l->data));
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "scopes");
      json_builder_begin_array (builder);
      for (guint j = 0; feed->scopes != NULL && feed->scopes[j] != NULL; j++)
        json_builder_add_string_value (builder, feed->scopes[j]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return sim_json_to_string (root);
}

guint
herald_simulator_get_counter (HeraldSimulator *self, const char *feed_name, const char *counter)
{
  SimFeed *only = NULL;
  guint total = 0;
  int which = -1;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), 0);
  g_return_val_if_fail (counter != NULL, 0);

  for (guint i = 0; i < SIM_N_COUNTERS; i++)
    if (g_str_equal (counter_names[i], counter))
      which = (int)i;
  g_return_val_if_fail (which >= 0, 0);
  if (feed_name != NULL)
    {
      only = lookup_feed (self, feed_name);
      g_return_val_if_fail (only != NULL, 0);
      return only->counters[which];
    }
  for (guint i = 0; i < SIM_N_FEEDS; i++)
    total += self->feeds[i].counters[which];
  return total;
}

void
herald_simulator_set_recording (HeraldSimulator *self, gboolean recording)
{
  g_return_if_fail (HERALD_IS_SIMULATOR (self));

  self->recording = !!recording;
}

GPtrArray *
herald_simulator_get_sent_ids (HeraldSimulator *self, const char *feed_name)
{
  SimFeed *feed;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), NULL);

  feed = lookup_feed (self, feed_name);
  return feed != NULL ? feed->sent_ids : NULL;
}

GPtrArray *
herald_simulator_get_sent_frames (HeraldSimulator *self, const char *feed_name)
{
  SimFeed *feed;

  g_return_val_if_fail (HERALD_IS_SIMULATOR (self), NULL);

  feed = lookup_feed (self, feed_name);
  return feed != NULL ? feed->sent_frames : NULL;
}

void
herald_simulator_disconnect_all (HeraldSimulator *self)
{
  g_return_if_fail (HERALD_IS_SIMULATOR (self));

  for (GList *l = self->conns; l != NULL; l = l->next)
    {
      SimConn *conn = l->data;

      conn_stop_pacing (conn);
      if (conn->socket != NULL)
        g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
    }
}

char *
herald_simulator_make_test_jwt (const char *sub, gint64 exp_unix)
{
  g_return_val_if_fail (sub != NULL, NULL);

  return sim_jwt_make (sub, exp_unix, NULL, NULL);
}
