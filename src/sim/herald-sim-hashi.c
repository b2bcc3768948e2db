/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-sim-hashi.c — Hashi as the simulator speaks it: a Privy JWT in ?token=, JSON ping
 * and lobby subscriptions, contract events for everyone and lobby/storage events per room. */
#define G_LOG_DOMAIN "herald-sim"

#include "config.h"

#include <string.h>

#include "herald-sim-private.h"

/* Guess: Hashi does not publish the subscribe body. {"type":"subscribe","data":{"lobbyId":…}}
 * and the "subscribed"/"unsubscribed" answers are ours; change them here. */
#define SUBSCRIBE_FIELD "lobbyId"
#define SUBSCRIBED_TYPE "subscribed"
#define UNSUBSCRIBED_TYPE "unsubscribed"

#define AUTH_ERROR_MESSAGE "Authentication failed"
#define AUTH_ERROR_CODE "AUTH_ERROR"
/* Guess: the codes for messages the server cannot use are not documented. */
#define BAD_MESSAGE_CODE "INVALID_MESSAGE"
#define UNKNOWN_TYPE_CODE "UNKNOWN_TYPE"

#define N_LOBBIES 3
#define ROUND 12

typedef struct
{
  GHashTable *lobbies;
} HashiConn;

static const char *const games[] = {
  "Counter-Strike 2", "Chess (Blitz 5+0)", "Rocket League 1v1", "Street Fighter 6", "EA FC 25",
};

static void
hashi_setup (SimFeed *feed)
{
  SimRng rng;
  char privy_id[26];
  g_autofree char *sub = NULL;
  g_autofree char *token = NULL;
  GStrv lobbies = g_new0 (char *, N_LOBBIES + 1);

  sim_rng_init (&rng, sim_feed_seed (feed), feed->id, 1);
  sim_rng_alnum (&rng, privy_id, 25);
  sub = g_strconcat ("did:privy:", privy_id, NULL);
  /* Privy access tokens last an hour. */
  token = sim_jwt_make (sub, g_get_real_time () / G_USEC_PER_SEC + 3600, "aud", "herald-demo");
  sim_feed_set_credential (feed, "token", token);

  for (guint i = 0; i < N_LOBBIES; i++)
    {
      lobbies[i] = g_malloc (37);
      sim_rng_uuid (&rng, lobbies[i]);
    }
  sim_feed_set_scopes (feed, lobbies);
}

static void
send_error (SimConn *conn, const char *message, const char *code)
{
  g_string_truncate (conn->frame, 0);
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "type", "error");
  sim_json_key (conn->frame, "data");
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "message", message);
  sim_json_member_string (conn->frame, "code", code);
  sim_json_end_object (conn->frame);
  sim_json_end_object (conn->frame);
  sim_conn_send_text (conn, conn->frame->str);
}

static void
send_simple (SimConn *conn, const char *type, const char *lobby_id)
{
  g_string_truncate (conn->frame, 0);
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "type", type);
  if (lobby_id != NULL)
    {
      sim_json_key (conn->frame, "data");
      sim_json_begin_object (conn->frame);
      sim_json_member_string (conn->frame, SUBSCRIBE_FIELD, lobby_id);
      sim_json_end_object (conn->frame);
    }
  sim_json_end_object (conn->frame);
  sim_conn_send_text (conn, conn->frame->str);
}

static void
hashi_opened (SimConn *conn, SoupServerMessage *msg)
{
  SimFeed *feed = conn->feed;
  HashiConn *data = g_new0 (HashiConn, 1);
  const char *token = g_hash_table_lookup (conn->query, "token");
  g_autofree char *sub = NULL;
  g_autofree char *connection_id = NULL;
  gint64 exp_unix = 0;

  data->lobbies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  conn->data = data;

  if (feed->scenario.auth_failure || token == NULL
      || g_strcmp0 (token, sim_feed_credential (feed, "token")) != 0
      || !sim_jwt_read (token, &sub, &exp_unix) || exp_unix <= g_get_real_time () / G_USEC_PER_SEC)
    {
      sim_count (feed, SIM_COUNTER_AUTH_FAILURES);
      send_error (conn, AUTH_ERROR_MESSAGE, AUTH_ERROR_CODE);
      sim_conn_close (conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, AUTH_ERROR_MESSAGE);
      return;
    }

  /* Guess: the connected payload is undocumented; these fields are plausible ones. */
  connection_id = sim_conn_next_id (conn, "conn_");
  g_string_truncate (conn->frame, 0);
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "type", "connected");
  sim_json_key (conn->frame, "data");
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "playerId", sub);
  sim_json_member_string (conn->frame, "connectionId", connection_id);
  sim_json_member_time (conn->frame, "timestamp", g_get_real_time () / 1000);
  sim_json_end_object (conn->frame);
  sim_json_end_object (conn->frame);
  sim_conn_send_text (conn, conn->frame->str);

  sim_conn_start_stream (conn, "");
}

static const char *
lobby_of (JsonObject *object)
{
  JsonObject *data;
  JsonNode *node;

  if (!json_object_has_member (object, "data"))
    return NULL;
  node = json_object_get_member (object, "data");
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  data = json_node_get_object (node);
  node = json_object_get_member (data, SUBSCRIBE_FIELD);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return *json_node_get_string (node) != '\0' ? json_node_get_string (node) : NULL;
}

static void
hashi_message (SimConn *conn, SoupWebsocketDataType type, GBytes *message)
{
  HashiConn *data = conn->data;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *type_node;
  const char *kind;
  const char *lobby;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || (root = sim_json_parse (message)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      send_error (conn, "Invalid message format", BAD_MESSAGE_CODE);
      return;
    }
  object = json_node_get_object (root);
  type_node = json_object_get_member (object, "type");
  kind = type_node != NULL && json_node_get_value_type (type_node) == G_TYPE_STRING
           ? json_node_get_string (type_node)
           : "";

  if (g_str_equal (kind, "ping"))
    {
      sim_count (conn->feed, SIM_COUNTER_PINGS);
      send_simple (conn, "pong", NULL);
    }
  else if (g_str_equal (kind, "subscribe") || g_str_equal (kind, "unsubscribe"))
    {
      gboolean subscribe = g_str_equal (kind, "subscribe");

      lobby = lobby_of (object);
      if (lobby == NULL)
        {
          send_error (conn, SUBSCRIBE_FIELD " is required", BAD_MESSAGE_CODE);
          return;
        }
      if (subscribe)
        {
          g_hash_table_add (data->lobbies, g_strdup (lobby));
          sim_count (conn->feed, SIM_COUNTER_SUBSCRIPTIONS);
        }
      else
        g_hash_table_remove (data->lobbies, lobby);
      send_simple (conn, subscribe ? SUBSCRIBED_TYPE : UNSUBSCRIBED_TYPE, lobby);
    }
  else
    send_error (conn, "Unknown message type", UNKNOWN_TYPE_CODE);
}

static gboolean
hashi_in_scope (SimConn *conn, const SimEventInfo *info)
{
  HashiConn *data = conn->data;

  return info->scope[0] == '\0' || g_hash_table_contains (data->lobbies, info->scope);
}

static void
hashi_conn_free (SimConn *conn)
{
  HashiConn *data = conn->data;

  if (data == NULL)
    return;
  g_hash_table_unref (data->lobbies);
  g_clear_pointer (&conn->data, g_free);
}

/* --- events --- */

typedef struct
{
  const char *lobby;
  char code[7];
  char host[36];
  char challenger[36];
  char contract[37];
  char storage[37];
  guint game;
  gint64 stake_cents;
  gboolean contested;
  gboolean deleted;
  gboolean created;
  guint storage_outcome;
  gboolean host_wins;
} Round;

static void
player_id (guint64 a, guint64 b, char out[36])
{
  SimRng rng;
  char tail[26];

  sim_rng_init (&rng, a, b, 0x91a7);
  sim_rng_alnum (&rng, tail, 25);
  g_snprintf (out, 36, "did:privy:%s", tail);
}

static gboolean
round_deleted (SimStream *stream, guint64 round, gboolean *contested)
{
  SimRng rng;
  gboolean is_contested;

  sim_rng_init (&rng, stream->salt, round, 0xc0);
  is_contested = sim_rng_chance (&rng, 25);
  if (contested != NULL)
    *contested = is_contested;
  return !is_contested && sim_rng_chance (&rng, 25);
}

static void
round_init (Round *r, SimFeed *feed, SimStream *stream, guint64 round)
{
  guint n_lobbies = g_strv_length (feed->scopes);
  guint64 lobby_hash;
  SimRng rng;

  r->lobby = feed->scopes[round % n_lobbies];
  lobby_hash = sim_string_hash64 (r->lobby);
  sim_rng_init (&rng, lobby_hash, 0x10bb, 0);
  for (guint i = 0; i < 6; i++)
    r->code[i] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[sim_rng_below (&rng, 32)];
  r->code[6] = '\0';
  r->game = sim_rng_below (&rng, G_N_ELEMENTS (games));
  player_id (lobby_hash, 1, r->host);
  player_id (stream->salt, round, r->challenger);

  sim_rng_init (&rng, stream->salt, round, 0x1);
  sim_rng_uuid (&rng, r->contract);
  sim_rng_uuid (&rng, r->storage);
  r->stake_cents = (1 + sim_rng_below (&rng, 20)) * 500;
  r->storage_outcome = sim_rng_below (&rng, 5);
  r->host_wins = sim_rng_chance (&rng, 50);
  r->deleted = round_deleted (stream, round, &r->contested);
  r->created = round < n_lobbies || round_deleted (stream, round - n_lobbies, NULL);
}

static void
begin_event (GString *out, const char *frame_type, const char *type)
{
  sim_json_begin_object (out);
  sim_json_member_string (out, "type", frame_type);
  sim_json_key (out, "data");
  sim_json_begin_object (out);
  sim_json_member_string (out, "type", type);
}

static void
write_lobby (GString *out, const Round *r, const char *type, gint64 created_ms)
{
  gboolean gone = g_str_equal (type, "lobby.deleted");

  sim_json_key (out, "lobby");
  sim_json_begin_object (out);
  sim_json_member_string (out, "id", r->lobby);
  sim_json_member_string (out, "code", r->code);
  sim_json_member_string (out, "game", games[r->game]);
  sim_json_member_money (out, "stakeAmount", r->stake_cents);
  sim_json_member_string (out, "currency", "USDC");
  sim_json_member_int (out, "maxPlayers", 2);
  sim_json_member_string (out, "hostId", r->host);
  sim_json_member_string (out, "status",
                          gone                                 ? "closed"
                          : g_str_equal (type, "lobby.joined") ? "full"
                                                               : "open");
  sim_json_key (out, "players");
  sim_json_begin_array (out);
  if (!gone)
    sim_json_string (out, r->host);
  if (g_str_equal (type, "lobby.joined"))
    sim_json_string (out, r->challenger);
  sim_json_end_array (out);
  sim_json_member_time (out, "createdAt", created_ms);
  sim_json_end_object (out);
}

static void
write_lobby_event (GString *out, const Round *r, const char *type, gint64 ts, gint64 created_ms,
                   SimEventInfo *info)
{
  gboolean joined = g_str_equal (type, "lobby.joined");
  gboolean created = g_str_equal (type, "lobby.created");
  const char *player = created ? r->host : r->challenger;
  int participants = joined ? 2 : created ? 1 : g_str_equal (type, "lobby.left") ? 1 : 0;

  g_strlcpy (info->type, type, sizeof info->type);
  g_strlcpy (info->scope, r->lobby, sizeof info->scope);
  g_snprintf (info->id, sizeof info->id, "%s:%s:%s:%s", type, r->lobby, player, r->contract);

  begin_event (out, "lobby:event", type);
  sim_json_member_string (out, "lobbyId", r->lobby);
  sim_json_member_string (out, "lobbyCode", r->code);
  sim_json_member_time (out, "timestamp", ts);
  sim_json_key (out, "payload");
  sim_json_begin_object (out);
  write_lobby (out, r, type, created_ms);
  sim_json_member_string (out, "playerId", player);
  sim_json_member_int (out, "participantCount", participants);
  sim_json_end_object (out);
  sim_json_end_object (out);
  sim_json_end_object (out);
}

static const char *
contract_status (const char *type)
{
  static const struct
  {
    const char *type;
    const char *status;
  } statuses[] = {
    { "contract.created", "created" },
    { "contract.initializing", "initializing" },
    { "contract.initialized", "active" },
    { "contract.payment_transferred", "funding" },
    { "contract.outcome_attested", "attested" },
    { "contract.decision_contested", "contested" },
    { "contract.mediation_submitted", "in_mediation" },
    { "contract.admin_decision", "decided" },
    { "contract.payout_finalized", "paid_out" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (statuses[i].type, type))
      return statuses[i].status;
  return "active";
}

static void
write_contract_event (GString *out, SimStream *stream, const Round *r, const char *type,
                      const char *player, gint64 ts, gint64 created_ms, SimEventInfo *info)
{
  SimRng rng;
  char tx_hash[67] = "0x";
  const char *winner = r->host_wins ? r->host : r->challenger;

  g_strlcpy (info->type, type, sizeof info->type);
  g_snprintf (info->id, sizeof info->id, "%s:%s%s%s", type, r->contract, player ? ":" : "",
              player ? player : "");
  sim_rng_init (&rng, stream->salt, sim_string_hash64 (info->id), 0x7c);
  sim_rng_hex (&rng, tx_hash + 2, 64);

  begin_event (out, "contract:event", type);
  sim_json_member_string (out, "contractId", r->contract);
  /* The docs show a lobby code here but a UUID in lobby events; the UUID lets a client
   * match the two. */
  sim_json_member_string (out, "lobbyId", r->lobby);
  sim_json_member_time (out, "timestamp", ts);
  sim_json_key (out, "payload");
  sim_json_begin_object (out);
  sim_json_member_string (out, "id", r->contract);
  sim_json_member_string (out, "lobbyId", r->lobby);
  sim_json_member_string (out, "status", contract_status (type));
  sim_json_member_string (out, "game", games[r->game]);
  sim_json_member_money (out, "stakeAmount", r->stake_cents);
  sim_json_member_string (out, "currency", "USDC");
  sim_json_member_string (out, "chain", "base");
  sim_json_key (out, "players");
  sim_json_begin_array (out);
  sim_json_string (out, r->host);
  sim_json_string (out, r->challenger);
  sim_json_end_array (out);
  if (player != NULL)
    sim_json_member_string (out, "playerId", player);
  if (!g_str_equal (type, "contract.created"))
    sim_json_member_string (out, "txHash", tx_hash);
  if (g_str_equal (type, "contract.outcome_attested")
      || g_str_equal (type, "contract.admin_decision")
      || g_str_equal (type, "contract.payout_finalized"))
    {
      sim_json_member_string (out, "winnerId", winner);
      sim_json_member_money (out, "payoutAmount", r->stake_cents * 2 * 95 / 100);
    }
  sim_json_member_time (out, "createdAt", created_ms);
  sim_json_member_time (out, "updatedAt", ts);
  sim_json_end_object (out);
  sim_json_end_object (out);
  sim_json_end_object (out);
}

static void
write_storage_event (GString *out, const Round *r, const char *type, gint64 ts, SimEventInfo *info)
{
  const char *status = g_str_equal (type, "storage.multipart_completed")    ? "uploaded"
                       : g_str_equal (type, "storage.multipart_aborted")    ? "aborted"
                       : g_str_equal (type, "storage.deleted")              ? "deleted"
                       : g_str_equal (type, "storage.external_url_created") ? "linked"
                                                                            : "pending";
  const char *player = r->host_wins ? r->host : r->challenger;
  char file_name[64];

  g_strlcpy (info->type, type, sizeof info->type);
  g_strlcpy (info->scope, r->lobby, sizeof info->scope);
  g_snprintf (info->id, sizeof info->id, "%s:%s", type, r->storage);
  g_snprintf (file_name, sizeof file_name, "match-%s.mp4", r->code);

  begin_event (out, "storage:event", type);
  sim_json_member_string (out, "storageId", r->storage);
  sim_json_member_string (out, "contractId", r->contract);
  sim_json_member_string (out, "lobbyId", r->lobby);
  sim_json_member_string (out, "playerId", player);
  sim_json_member_time (out, "timestamp", ts);
  sim_json_key (out, "payload");
  sim_json_begin_object (out);
  sim_json_key (out, "storage");
  sim_json_begin_object (out);
  sim_json_member_string (out, "id", r->storage);
  sim_json_member_string (out, "contractId", r->contract);
  sim_json_member_string (out, "playerId", player);
  sim_json_member_string (out, "kind", "match_proof");
  sim_json_member_string (out, "fileName", file_name);
  sim_json_member_string (out, "contentType", "video/mp4");
  sim_json_member_string (out, "status", status);
  if (g_str_equal (type, "storage.external_url_created"))
    sim_json_member_string (out, "url", "https://clips.example.org/watch?v=hashi-sim");
  sim_json_end_object (out);
  sim_json_end_object (out);
  sim_json_end_object (out);
  sim_json_end_object (out);
}

/* One round of twelve: a challenger joins a lobby, a wager contract is funded, proof is
 * uploaded, the outcome is attested and paid out (or contested and mediated). */
static void
hashi_generate (SimFeed *feed, SimStream *stream, guint64 index, SimEventInfo *info, GString *out)
{
  guint64 round = index / ROUND;
  guint64 base = round * ROUND;
  guint pos = (guint)(index % ROUND);
  gint64 ts = sim_stream_ts (stream, index);
  gint64 round_start = sim_stream_ts (stream, base);
  gint64 contract_start = sim_stream_ts (stream, base + 1);
  Round r;

  round_init (&r, feed, stream, round);
  switch (pos)
    {
    case 0:
      write_lobby_event (out, &r, r.created ? "lobby.created" : "lobby.joined", ts, round_start,
                         info);
      break;
    case 1:
      write_contract_event (out, stream, &r, "contract.created", NULL, ts, contract_start, info);
      break;
    case 2:
      write_contract_event (out, stream, &r, "contract.initializing", NULL, ts, contract_start,
                            info);
      break;
    case 3:
      write_contract_event (out, stream, &r, "contract.initialized", NULL, ts, contract_start,
                            info);
      break;
    case 4:
      write_contract_event (out, stream, &r, "contract.payment_transferred", r.host, ts,
                            contract_start, info);
      break;
    case 5:
      write_contract_event (out, stream, &r, "contract.payment_transferred", r.challenger, ts,
                            contract_start, info);
      break;
    case 6:
      write_storage_event (out, &r, "storage.presigned_url_created", ts, info);
      break;
    case 7:
      write_storage_event (out, &r,
                           r.storage_outcome == 0   ? "storage.multipart_aborted"
                           : r.storage_outcome == 1 ? "storage.external_url_created"
                                                    : "storage.multipart_completed",
                           ts, info);
      break;
    case 8:
      write_contract_event (out, stream, &r, "contract.outcome_attested",
                            r.host_wins ? r.host : r.challenger, ts, contract_start, info);
      break;
    case 9:
      write_contract_event (
        out, stream, &r, r.contested ? "contract.decision_contested" : "contract.payout_finalized",
        NULL, ts, contract_start, info);
      break;
    case 10:
      if (r.contested)
        write_contract_event (out, stream, &r, "contract.mediation_submitted", NULL, ts,
                              contract_start, info);
      else
        write_lobby_event (out, &r, r.deleted ? "lobby.deleted" : "lobby.left", ts, round_start,
                           info);
      break;
    default:
      if (r.contested)
        write_contract_event (out, stream, &r, "contract.admin_decision", NULL, ts, contract_start,
                              info);
      else
        write_storage_event (out, &r, "storage.deleted", ts, info);
      break;
    }
}

static void
hashi_malformed (SimConn *conn, guint kind, GString *out)
{
  char now[32];

  sim_format_time (now, g_get_real_time () / 1000);
  switch (kind)
    {
    case 0:
      g_string_append (
        out, "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.joined\",\"lobbyId\":");
      break;
    case 1:
      g_string_append (out, "[{\"type\":\"contract:event\"}]");
      break;
    case 2:
      g_string_append (out, "{\"type\":\"contract:event\"}");
      break;
    default:
      /* The docs mention bounty updates but document no shape for them. */
      g_string_append_printf (out,
                              "{\"type\":\"bounty:event\",\"data\":{\"type\":\"bounty.created\","
                              "\"bountyId\":\"b-1\",\"timestamp\":\"%s\"}}",
                              now);
      break;
    }
}

const SimFeedClass sim_hashi_class = {
  .name = "hashi",
  .prefix = "/hashi",
  .socket_path = "/hashi",
  .endpoint = "ws:/hashi",
  .setup = hashi_setup,
  .opened = hashi_opened,
  .message = hashi_message,
  .generate = hashi_generate,
  .in_scope = hashi_in_scope,
  .malformed = hashi_malformed,
  .conn_free = hashi_conn_free,
};
