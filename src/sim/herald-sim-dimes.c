/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-sim-dimes.c — Dimes as the simulator speaks it: Engine.IO 4 / Socket.IO over one
 * WebSocket, framed by hand, with the partner and customer position namespaces. */
#define G_LOG_DOMAIN "herald-sim"

#include "config.h"

#include <string.h>

#include "herald-sim-private.h"

#define NS_PARTNER "/v1/ws/prediction-markets/positions"
#define NS_CUSTOMER "/v1/ws/prediction-markets/customer-positions"
#define MAX_PAYLOAD 1000000
/* Every third event asks the client for an acknowledgement. */
#define ACK_EVERY 3
#define N_WALLETS 3
#define ROUND 12

/* Guess: the refusal texts are not published; these read like Socket.IO middleware errors. */
#define ERROR_BAD_NAMESPACE "Invalid namespace"
#define ERROR_PARTNER_AUTH "Unauthorized: invalid API key"
#define ERROR_CUSTOMER_AUTH "Unauthorized: invalid or expired token"

enum
{
  JOINED_PARTNER = 1 << 0,
  JOINED_CUSTOMER = 1 << 1,
};

typedef struct
{
  guint joined;
  char *authorization;
  guint next_ack;
  GHashTable *pending_acks;
  GSource *ping;
  GSource *pong_timeout;
} DimesConn;

static const struct
{
  const char *ticker;
  const char *title;
} markets[] = {
  { "FED-25DEC-CUT25", "Will the Fed cut rates by 25 bps in December?" },
  { "BTC-31DEC-100K", "Will Bitcoin close above $100,000 on December 31?" },
  { "NBA-FINALS-BOS", "Will the Celtics win the NBA Finals?" },
  { "RAIN-NYC-15AUG", "Will it rain in New York City on August 15?" },
  { "EURO28-ESP", "Will Spain win Euro 2028?" },
  { "OSCARS-BP-DUNE2", "Will “Dune: Part Two” win Best Picture?" },
};

static void
dimes_setup (SimFeed *feed)
{
  SimRng rng;
  char key[33];
  g_autofree char *api_key = NULL;
  g_autofree char *token = NULL;
  GStrv wallets = g_new0 (char *, N_WALLETS + 1);

  sim_rng_init (&rng, sim_feed_seed (feed), feed->id, 1);
  sim_rng_alnum (&rng, key, 32);
  api_key = g_strconcat ("dm_sbx_skey_", key, NULL);
  sim_feed_set_credential (feed, "api-key", api_key);

  for (guint i = 0; i < N_WALLETS; i++)
    {
      wallets[i] = g_malloc (43);
      wallets[i][0] = '0';
      wallets[i][1] = 'x';
      sim_rng_hex (&rng, wallets[i] + 2, 40);
    }
  /* Customer tokens from POST /tokens last an hour and belong to one wallet. */
  token = sim_jwt_make (wallets[0], g_get_real_time () / G_USEC_PER_SEC + 3600, "wallet_address",
                        wallets[0]);
  sim_feed_set_credential (feed, "token", token);
  sim_feed_set_scopes (feed, wallets);
}

/* Engine.IO answers a handshake it cannot serve with a small JSON body. */
static gboolean
dimes_check_upgrade (SimFeed *feed, SoupServerMessage *msg, GHashTable *query, char **protocol)
{
  const char *eio = query != NULL ? g_hash_table_lookup (query, "EIO") : NULL;
  const char *transport = query != NULL ? g_hash_table_lookup (query, "transport") : NULL;
  const char *body = NULL;

  if (g_strcmp0 (eio, "4") != 0)
    body = "{\"code\":5,\"message\":\"Unsupported protocol version\"}";
  else if (g_strcmp0 (transport, "websocket") != 0)
    body = "{\"code\":0,\"message\":\"Transport unknown\"}";
  if (body == NULL)
    return TRUE;

  soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body,
                                    strlen (body));
  return FALSE;
}

static void
send_packet (SimConn *conn, const char *ns, const char *type, const char *payload)
{
  g_string_truncate (conn->frame, 0);
  g_string_append (conn->frame, type);
  g_string_append (conn->frame, ns);
  g_string_append_c (conn->frame, ',');
  if (payload != NULL)
    g_string_append (conn->frame, payload);
  sim_conn_send_text (conn, conn->frame->str);
}

static gboolean ping_cb (gpointer user_data);

static void
schedule_ping (SimConn *conn)
{
  DimesConn *data = conn->data;

  if (data->ping != NULL)
    {
      g_source_destroy (data->ping);
      g_source_unref (data->ping);
    }
  data->ping
    = sim_timeout_add (conn->feed, conn->feed->scenario.heartbeat_interval_ms, ping_cb, conn);
}

static gboolean
pong_timeout_cb (gpointer user_data)
{
  SimConn *conn = user_data;
  DimesConn *data = conn->data;

  g_clear_pointer (&data->pong_timeout, g_source_unref);
  g_debug ("dimes: no pong from connection %" G_GUINT64_FORMAT ", closing", conn->serial);
  /* Engine.IO closes the transport with no status on a ping timeout. */
  sim_conn_close (conn, 0, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
ping_cb (gpointer user_data)
{
  SimConn *conn = user_data;
  DimesConn *data = conn->data;

  g_clear_pointer (&data->ping, g_source_unref);
  sim_count (conn->feed, SIM_COUNTER_HEARTBEATS);
  sim_conn_send_text (conn, "2");
  if (data->pong_timeout == NULL)
    data->pong_timeout = sim_timeout_add (conn->feed, conn->feed->scenario.heartbeat_timeout_ms,
                                          pong_timeout_cb, conn);
  return G_SOURCE_REMOVE;
}

static void
stop_heartbeat (DimesConn *data)
{
  GSource **sources[] = { &data->ping, &data->pong_timeout };

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (*sources[i] != NULL)
      {
        g_source_destroy (*sources[i]);
        g_clear_pointer (sources[i], g_source_unref);
      }
}

static void
dimes_opened (SimConn *conn, SoupServerMessage *msg)
{
  DimesConn *data = g_new0 (DimesConn, 1);
  const SimScenario *sc = &conn->feed->scenario;
  g_autofree char *sid = sim_conn_next_id (conn, "");

  data->authorization = g_strdup (
    soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization"));
  data->pending_acks = g_hash_table_new (g_direct_hash, g_direct_equal);
  conn->data = data;

  g_string_truncate (conn->frame, 0);
  /* The packet type touches the JSON: no separator between them. */
  g_string_append (conn->frame, "0{");
  sim_json_member_string (conn->frame, "sid", sid);
  sim_json_key (conn->frame, "upgrades");
  sim_json_begin_array (conn->frame);
  sim_json_end_array (conn->frame);
  sim_json_member_int (conn->frame, "pingInterval", sc->heartbeat_interval_ms);
  sim_json_member_int (conn->frame, "pingTimeout", sc->heartbeat_timeout_ms);
  sim_json_member_int (conn->frame, "maxPayload", MAX_PAYLOAD);
  sim_json_end_object (conn->frame);
  sim_conn_send_text (conn, conn->frame->str);

  schedule_ping (conn);
}

static const char *
auth_value (JsonNode *auth, const char *member, const char *header, const char *scheme)
{
  if (auth != NULL && JSON_NODE_HOLDS_OBJECT (auth))
    {
      JsonNode *node = json_object_get_member (json_node_get_object (auth), member);

      if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
        return json_node_get_string (node);
    }
  /* The docs also allow the credential in an Authorization header (extraHeaders). */
  if (header != NULL && g_str_has_prefix (header, scheme))
    return header + strlen (scheme);
  return NULL;
}

static gboolean
customer_token_valid (SimFeed *feed, const char *token)
{
  gint64 exp_unix = 0;

  return token != NULL && g_str_equal (token, sim_feed_credential (feed, "token"))
         && sim_jwt_read (token, NULL, &exp_unix) && exp_unix > g_get_real_time () / G_USEC_PER_SEC;
}

static void
refuse_namespace (SimConn *conn, const char *ns, const char *message, gboolean disconnect)
{
  g_autoptr (GString) payload = g_string_new (NULL);

  sim_json_begin_object (payload);
  sim_json_member_string (payload, "message", message);
  sim_json_end_object (payload);
  send_packet (conn, ns, "44", payload->str);
  if (!disconnect)
    return;

  /* The docs: "the server emits an error event and disconnects". */
  sim_count (conn->feed, SIM_COUNTER_AUTH_FAILURES);
  g_string_prepend (payload, "[\"error\",");
  g_string_append_c (payload, ']');
  send_packet (conn, ns, "42", payload->str);
  send_packet (conn, ns, "41", NULL);
  sim_conn_close (conn, 0, NULL);
}

static void
handle_connect (SimConn *conn, const char *ns, JsonNode *auth)
{
  SimFeed *feed = conn->feed;
  DimesConn *data = conn->data;
  gboolean partner = g_str_equal (ns, NS_PARTNER);
  gboolean ok;
  g_autofree char *sid = NULL;
  g_autoptr (GString) payload = g_string_new (NULL);

  if (!partner && !g_str_equal (ns, NS_CUSTOMER))
    {
      refuse_namespace (conn, ns, ERROR_BAD_NAMESPACE, FALSE);
      return;
    }
  if (partner)
    {
      const char *key = auth_value (auth, "apiKey", data->authorization, "Api-Key ");

      ok = key != NULL && g_str_equal (key, sim_feed_credential (feed, "api-key"));
    }
  else
    ok = customer_token_valid (feed, auth_value (auth, "token", data->authorization, "Bearer "));
  if (!ok || feed->scenario.auth_failure)
    {
      refuse_namespace (conn, ns, partner ? ERROR_PARTNER_AUTH : ERROR_CUSTOMER_AUTH, TRUE);
      return;
    }

  data->joined |= partner ? JOINED_PARTNER : JOINED_CUSTOMER;
  sid = sim_conn_next_id (conn, partner ? "p" : "c");
  sim_json_begin_object (payload);
  sim_json_member_string (payload, "sid", sid);
  sim_json_end_object (payload);
  send_packet (conn, ns, "40", payload->str);
  sim_count (feed, SIM_COUNTER_SUBSCRIPTIONS);
  sim_conn_start_stream (conn, "");
}

/* One Socket.IO packet inside an Engine.IO message: TYPE [/ns,] [ackid] [json]. */
static void
handle_socketio (SimConn *conn, const char *packet)
{
  DimesConn *data = conn->data;
  char type = packet[0];
  g_autofree char *ns = NULL;
  const char *p = packet + 1;
  guint64 ack_id = 0;
  gboolean has_ack = FALSE;
  g_autoptr (JsonNode) payload = NULL;

  if (type == '\0')
    return;
  if (*p == '/')
    {
      const char *comma = strchr (p, ',');

      ns = comma != NULL ? g_strndup (p, comma - p) : g_strdup (p);
      p = comma != NULL ? comma + 1 : p + strlen (p);
    }
  else
    ns = g_strdup ("/");
  while (g_ascii_isdigit (*p))
    {
      has_ack = TRUE;
      ack_id = ack_id * 10 + (guint64)(*p - '0');
      p++;
    }
  if (*p != '\0')
    {
      g_autoptr (GBytes) bytes = g_bytes_new (p, strlen (p));

      payload = sim_json_parse (bytes);
    }

  switch (type)
    {
    case '0':
      handle_connect (conn, ns, payload);
      break;
    case '1':
      data->joined &= ~(g_str_equal (ns, NS_PARTNER)    ? JOINED_PARTNER
                        : g_str_equal (ns, NS_CUSTOMER) ? JOINED_CUSTOMER
                                                        : 0);
      break;
    case '3':
      if (has_ack && g_hash_table_remove (data->pending_acks, GUINT_TO_POINTER ((guint)ack_id)))
        sim_count (conn->feed, SIM_COUNTER_ACKS);
      break;
    default:
      /* The gateways take no client events. */
      break;
    }
}

static void
dimes_message (SimConn *conn, SoupWebsocketDataType type, GBytes *message)
{
  DimesConn *data = conn->data;
  gsize len = 0;
  const char *text = g_bytes_get_data (message, &len);
  g_autofree char *packet = NULL;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || len == 0)
    return;
  packet = g_strndup (text, len);
  switch (packet[0])
    {
    case '2':
      sim_conn_send_text (conn, g_str_equal (packet, "2probe") ? "3probe" : "3");
      break;
    case '3':
      sim_count (conn->feed, SIM_COUNTER_PONGS);
      if (data->pong_timeout != NULL)
        {
          g_source_destroy (data->pong_timeout);
          g_clear_pointer (&data->pong_timeout, g_source_unref);
        }
      schedule_ping (conn);
      break;
    case '4':
      handle_socketio (conn, packet + 1);
      break;
    case '1':
      sim_conn_close (conn, 0, NULL);
      break;
    case '5':
    case '6':
      break;
    default:
      g_debug ("dimes: unparsable Engine.IO packet, closing");
      sim_conn_close (conn, 0, NULL);
      break;
    }
}

static gboolean
dimes_in_scope (SimConn *conn, const SimEventInfo *info)
{
  DimesConn *data = conn->data;

  return (data->joined & JOINED_PARTNER) != 0
         || ((data->joined & JOINED_CUSTOMER) != 0
             && g_str_equal (info->scope, conn->feed->scopes[0]));
}

static void
send_on (SimConn *conn, const char *ns, const SimEventInfo *info, GString *event)
{
  DimesConn *data = conn->data;

  g_string_truncate (conn->frame, 0);
  g_string_append (conn->frame, "42");
  g_string_append (conn->frame, ns);
  g_string_append_c (conn->frame, ',');
  if (++data->next_ack % ACK_EVERY == 0)
    {
      g_string_append_printf (conn->frame, "%u", data->next_ack);
      g_hash_table_add (data->pending_acks, GUINT_TO_POINTER (data->next_ack));
    }
  /* Not sim_json_begin_array: no separator may come between the ack id and the array. */
  g_string_append_c (conn->frame, '[');
  sim_json_string (conn->frame, info->type);
  sim_json_raw (conn->frame, event->str);
  sim_json_end_array (conn->frame);
  sim_conn_pad_frame (conn, conn->frame);
  sim_conn_send_text (conn, conn->frame->str);
}

static void
dimes_send_event (SimConn *conn, const SimEventInfo *info, GString *event)
{
  DimesConn *data = conn->data;

  if (data->joined & JOINED_PARTNER)
    send_on (conn, NS_PARTNER, info, event);
  if ((data->joined & JOINED_CUSTOMER) && g_str_equal (info->scope, conn->feed->scopes[0]))
    send_on (conn, NS_CUSTOMER, info, event);
}

static void
dimes_stalled (SimConn *conn)
{
  stop_heartbeat (conn->data);
}

static void
dimes_conn_free (SimConn *conn)
{
  DimesConn *data = conn->data;

  if (data == NULL)
    return;
  stop_heartbeat (data);
  g_hash_table_unref (data->pending_acks);
  g_free (data->authorization);
  g_clear_pointer (&conn->data, g_free);
}

/* --- events --- */

typedef struct
{
  char id[28];
  const char *wallet;
  gboolean yes;
  guint market;
  gint64 collateral; /* cents */
  guint leverage;
  gint64 price;      /* cents per share, 1–99 */
  gint64 exit_price; /* cents per share when closed */
  gboolean settled_win;
} Position;

static void
position_init (Position *pos, SimFeed *feed, SimStream *stream, guint64 round, guint slot)
{
  SimRng rng;
  guint wallet;
  gint64 move;

  sim_rng_init (&rng, stream->salt, round, 0x905 + slot);
  memcpy (pos->id, "dm_pos_", 7);
  sim_rng_alnum (&rng, pos->id + 7, 20);
  /* The customer's own wallet gets about half of the positions. */
  wallet = sim_rng_chance (&rng, 50) ? 0 : 1 + sim_rng_below (&rng, N_WALLETS - 1);
  pos->wallet = feed->scopes[wallet];
  pos->yes = sim_rng_chance (&rng, 55);
  pos->market = sim_rng_below (&rng, G_N_ELEMENTS (markets));
  pos->collateral = 1000 + sim_rng_below (&rng, 49) * 500;
  pos->leverage = 1 + sim_rng_below (&rng, 4);
  pos->price = 10 + sim_rng_below (&rng, 80);
  move = (gint64)sim_rng_below (&rng, 31) - 15;
  pos->exit_price = CLAMP (pos->price + move, 1, 99);
  pos->settled_win = sim_rng_chance (&rng, 50);
}

static void
write_pips (GString *out, const char *key, gint64 cents)
{
  char name[64];

  /* 10 000 pips = $1, so a cent is 100 pips. */
  g_snprintf (name, sizeof name, "%s_pips", key);
  sim_json_key (out, name);
  g_string_append_printf (out, "\"%" G_GINT64_FORMAT "\"", cents * 100);
}

static void
write_position (GString *out, const Position *pos, const char *type, gint64 created_ms, gint64 ts)
{
  static const struct
  {
    const char *type;
    const char *status;
    const char *close_reason; /* NULL for the open shape */
  } shapes[] = {
    { "position.created", "pending", NULL },
    { "position.opening", "pending", NULL },
    { "position.opened", "open", NULL },
    { "position.close_requested", "closing", NULL },
    { "position.closed", "closed", "closed" },
    { "position.settled", "settled", "settled" },
    { "position.liquidated", "liquidated", "liquidated" },
    { "position.force_unwound", "open", NULL },
    { "position.reverted", "cancelled", "reverted" },
    { "position.cancelled", "cancelled", "reverted" },
  };
  const char *status = "open";
  const char *close_reason = NULL;
  gint64 notional = pos->collateral * pos->leverage;
  gint64 shares = notional / pos->price;
  gint64 borrowed = notional - pos->collateral;
  gint64 open_fee = notional / 100;
  gboolean unwound = g_str_equal (type, "position.force_unwound");

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    if (g_str_equal (shapes[i].type, type))
      {
        status = shapes[i].status;
        close_reason = shapes[i].close_reason;
      }

  sim_json_begin_object (out);
  sim_json_member_string (out, "id", pos->id);
  sim_json_member_string (out, "status", status);
  sim_json_member_string (out, "side", pos->yes ? "yes" : "no");
  sim_json_member_string (out, "market_ticker", markets[pos->market].ticker);
  sim_json_member_string (out, "market_title", markets[pos->market].title);
  sim_json_member_string (out, "wallet_address", pos->wallet);
  sim_json_member_int (out, "leverage", pos->leverage);
  if (close_reason != NULL)
    sim_json_member_string (out, "close_reason", close_reason);

  sim_json_key (out, "entry");
  sim_json_begin_object (out);
  sim_json_member_money (out, "collateral_usd", pos->collateral);
  write_pips (out, "collateral_usd", pos->collateral);
  sim_json_member_money (out, "price_usd", pos->price);
  sim_json_member_money (out, "notional_usd", notional);
  sim_json_member_int (out, "shares", shares);
  sim_json_end_object (out);

  if (close_reason == NULL)
    {
      gint64 held = unwound ? shares * 6 / 10 : shares;
      gint64 value = held * pos->exit_price;
      gint64 pnl = value - (unwound ? borrowed * 6 / 10 : borrowed)
                   - (unwound ? pos->collateral * 6 / 10 : pos->collateral);

      sim_json_key (out, "current");
      sim_json_begin_object (out);
      sim_json_member_money (out, "price_usd", pos->exit_price);
      sim_json_member_int (out, "shares", held);
      sim_json_member_money (out, "value_usd", value);
      sim_json_member_money (out, "unrealized_pnl_usd", pnl);
      sim_json_end_object (out);
      sim_json_key (out, "risk");
      sim_json_begin_object (out);
      sim_json_member_money (out, "liquidation_price_usd",
                             pos->leverage > 1 ? pos->price * (pos->leverage - 1) / pos->leverage
                                               : 0);
      sim_json_member_string (out, "margin_ratio", unwound ? "0.08" : "0.35");
      sim_json_end_object (out);
      sim_json_key (out, "fees");
      sim_json_begin_object (out);
      sim_json_member_money (out, "open_fee_usd", open_fee);
      sim_json_member_money (out, "borrow_fee_usd", borrowed / 500);
      sim_json_end_object (out);
      sim_json_key (out, "timing");
      sim_json_begin_object (out);
      if (g_str_equal (status, "pending"))
        {
          sim_json_key (out, "opened_at");
          sim_json_raw (out, "null");
        }
      else
        sim_json_member_time (out, "opened_at", created_ms);
      sim_json_member_time (out, "updated_at", ts);
      sim_json_end_object (out);
    }
  else
    {
      gint64 proceeds;
      gboolean liquidated = g_str_equal (close_reason, "liquidated");

      if (g_str_equal (close_reason, "reverted"))
        proceeds = pos->collateral;
      else if (liquidated)
        proceeds = 0;
      else if (g_str_equal (close_reason, "settled"))
        proceeds = MAX (0, (pos->settled_win ? shares * 100 : 0) - borrowed);
      else
        proceeds = MAX (0, shares * pos->exit_price - borrowed);

      sim_json_key (out, "result");
      sim_json_begin_object (out);
      sim_json_member_money (out, "realized_pnl_usd", proceeds - pos->collateral);
      sim_json_member_money (out, "proceeds_usd", proceeds);
      write_pips (out, "proceeds_usd", proceeds);
      if (liquidated)
        {
          sim_json_member_money (out, "collected_liquidation_fee_usd", pos->collateral / 20);
          write_pips (out, "collected_liquidation_fee_usd", pos->collateral / 20);
        }
      sim_json_member_time (out, "closed_at", ts);
      sim_json_end_object (out);
      sim_json_key (out, "fees");
      sim_json_begin_object (out);
      sim_json_member_money (out, "open_fee_usd",
                             g_str_equal (close_reason, "reverted") ? 0 : open_fee);
      sim_json_member_money (out, "close_fee_usd", liquidated ? 0 : proceeds / 100);
      sim_json_end_object (out);
    }
  sim_json_member_time (out, "created_at", created_ms);
  sim_json_member_time (out, "updated_at", ts);
  sim_json_end_object (out);
}

/* One round of twelve: position A opens and is closed; B opens, is force-unwound and then
 * settles or is liquidated; C never opens (reverted, or cancelled). */
static void
dimes_generate (SimFeed *feed, SimStream *stream, guint64 index, SimEventInfo *info, GString *out)
{
  static const struct
  {
    guint slot;
    const char *type;
  } schedule[ROUND] = {
    { 0, "position.created" },
    { 0, "position.opening" },
    { 0, "position.opened" },
    { 1, "position.created" },
    { 1, "position.opening" },
    { 0, "position.close_requested" },
    { 1, "position.opened" },
    { 2, "position.created" },
    { 0, "position.closed" },
    { 1, "position.force_unwound" },
    { 2, NULL /* reverted | cancelled */ },
    { 1, NULL /* settled | liquidated */ },
  };
  static const guint created_at[3] = { 0, 3, 7 };
  guint64 round = index / ROUND;
  guint pos_in_round = (guint)(index % ROUND);
  guint slot = schedule[pos_in_round].slot;
  const char *type = schedule[pos_in_round].type;
  gint64 ts = sim_stream_ts (stream, index);
  char event_id[29] = "evt_";
  Position pos;
  SimRng rng;

  position_init (&pos, feed, stream, round, slot);
  if (type == NULL && slot == 2)
    type = pos.settled_win ? "position.reverted" : "position.cancelled";
  else if (type == NULL)
    type = pos.exit_price < pos.price - 8 ? "position.liquidated" : "position.settled";

  sim_rng_init (&rng, stream->salt, index, 0xe7);
  sim_rng_alnum (&rng, event_id + 4, 24);
  g_strlcpy (info->id, event_id, sizeof info->id);
  g_strlcpy (info->type, type, sizeof info->type);
  g_strlcpy (info->scope, pos.wallet, sizeof info->scope);

  sim_json_begin_object (out);
  sim_json_member_string (out, "id", event_id);
  sim_json_member_string (out, "type", type);
  sim_json_member_time (out, "created_at", ts);
  sim_json_key (out, "data");
  write_position (out, &pos, type, sim_stream_ts (stream, round * ROUND + created_at[slot]), ts);
  sim_json_end_object (out);
}

static void
dimes_malformed (SimConn *conn, guint kind, GString *out)
{
  DimesConn *data = conn->data;
  const char *ns = (data->joined & JOINED_PARTNER) || data->joined == 0 ? NS_PARTNER : NS_CUSTOMER;
  char now[32];

  sim_format_time (now, g_get_real_time () / 1000);
  g_string_append_printf (out, "42%s,", ns);
  switch (kind)
    {
    case 0:
      g_string_append (out, "[\"position.opened\",{\"id\":\"evt_");
      break;
    case 1:
      g_string_append (out, "[\"position.opened\",[1,2,3]]");
      break;
    case 2:
      g_string_append_printf (
        out, "[\"position.opened\",{\"type\":\"position.opened\",\"created_at\":\"%s\"}]", now);
      break;
    default:
      g_string_append_printf (
        out,
        "[\"position.teleported\",{\"id\":\"evt_teleported%" G_GUINT64_FORMAT
        "\",\"type\":\"position.teleported\",\"created_at\":\"%s\",\"data\":{}}]",
        conn->serial, now);
      break;
    }
}

const SimFeedClass sim_dimes_class = {
  .name = "dimes",
  .prefix = "/dimes",
  .socket_path = "/dimes/socket.io",
  .endpoint = "http:/dimes",
  .setup = dimes_setup,
  .check_upgrade = dimes_check_upgrade,
  .opened = dimes_opened,
  .message = dimes_message,
  .generate = dimes_generate,
  .in_scope = dimes_in_scope,
  .send_event = dimes_send_event,
  .malformed = dimes_malformed,
  .stalled = dimes_stalled,
  .conn_free = dimes_conn_free,
};
