/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-sim-skinshark.c — SkinShark as the simulator speaks it: the REST ws-token mint,
 * a read-only socket authenticated by subprotocol, and one sub-user's trades and deposits. */
#define G_LOG_DOMAIN "herald-sim"

#include "config.h"

#include <string.h>

#include "herald-sim-private.h"

#define CLOSE_TOKEN 4001
#define CLOSE_READ_ONLY 4002
#define BEARER_PREFIX "bearer."

/* Error bodies. Only 1005 RATE_LIMITED is documented (reference/rate-limits); the other
 * codes and keys are guesses that keep the documented shape. */
typedef struct
{
  guint status;
  int code;
  const char *key;
  const char *message;
} SkinsharkError;

static const SkinsharkError error_missing_key
  = { 401, 1001, "UNAUTHORIZED", "Missing api-key header" };
static const SkinsharkError error_invalid_key = { 401, 1002, "INVALID_API_KEY", "Invalid API key" };
static const SkinsharkError error_missing_sub_user
  = { 400, 1003, "VALIDATION_ERROR", "On-Behalf-Of header is required" };
static const SkinsharkError error_rate_limited
  = { 429, 1005, "RATE_LIMITED", "Too many requests, slow down" };
static const SkinsharkError error_not_found = { 404, 1404, "NOT_FOUND", "Route not found" };
static const SkinsharkError error_method
  = { 405, 1405, "METHOD_NOT_ALLOWED", "Method not allowed" };

typedef struct
{
  char *sub;
  gint64 exp_unix;
} Ticket;

typedef struct
{
  GHashTable *tickets; /* token → Ticket */
  guint rate_limited;
  guint64 requests;
} SkinsharkState;

typedef struct
{
  GSource *expiry;
} SkinsharkConn;

static const struct
{
  const char *name;
  gint64 cents;
} items[] = {
  { "AK-47 | Redline (Field-Tested)", 2150 },
  { "AWP | Asiimov (Battle-Scarred)", 6899 },
  { "M4A1-S | Printstream (Minimal Wear)", 24500 },
  { "★ Karambit | Doppler (Factory New)", 118000 },
  { "Glock-18 | Water Elemental (Field-Tested)", 395 },
  { "USP-S | Kill Confirmed (Minimal Wear)", 5420 },
  { "Desert Eagle | Blaze (Factory New)", 61000 },
  { "StatTrak™ M4A4 | Howl (Field-Tested)", 395000 },
  { "Sticker | Crown (Foil)", 81250 },
  { "★ Sport Gloves | Pandora's Box (Well-Worn)", 132075 },
  { "P250 | See Ya Later (Minimal Wear)", 612 },
  { "Operation Breakout Weapon Case", 489 },
};

static const char *const chains[] = { "ethereum", "polygon", "base", "arbitrum" };

static const struct
{
  const char *severity;
  const char *message;
} notices[] = {
  { "info", "Scheduled maintenance on Sunday 03:00–03:30 UTC." },
  { "warning", "Steam trade offers are delayed; expect up to 10 minutes." },
  { "critical", "Withdrawals on Ethereum are paused due to network congestion." },
  { "info", "New: EUR settlement is now available for all merchants." },
};

#define ROUND 12

static void
ticket_free (Ticket *ticket)
{
  g_free (ticket->sub);
  g_free (ticket);
}

static void
state_free (SkinsharkState *state)
{
  g_hash_table_unref (state->tickets);
  g_free (state);
}

static SkinsharkState *
feed_state (SimFeed *feed)
{
  return feed->data;
}

static void
skinshark_setup (SimFeed *feed)
{
  SimRng rng;
  char key[33];
  g_autofree char *api_key = NULL;
  SkinsharkState *state;

  sim_rng_init (&rng, sim_feed_seed (feed), feed->id, 1);
  sim_rng_alnum (&rng, key, 32);
  api_key = g_strconcat ("sk_live_", key, NULL);
  sim_feed_set_credential (feed, "api-key", api_key);
  sim_feed_set_credential (feed, "expires-in", "1h");

  if (feed->data != NULL)
    feed->data_free (feed->data);
  state = g_new0 (SkinsharkState, 1);
  state->tickets
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)ticket_free);
  feed->data = state;
  feed->data_free = (GDestroyNotify)state_free;
}

/* --- REST --- */

static void
respond_json (SoupServerMessage *msg, guint status, GString *body)
{
  gsize len = body->len;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (body, FALSE), len);
}

static void
write_request_id (SimFeed *feed, GString *out)
{
  SkinsharkState *state = feed_state (feed);
  SimRng rng;
  char id[37];

  sim_rng_init (&rng, sim_feed_seed (feed), 0x5e9, ++state->requests);
  sim_rng_uuid (&rng, id);
  sim_json_member_string (out, "requestId", id);
}

static void
respond_error (SimFeed *feed, SoupServerMessage *msg, const SkinsharkError *error)
{
  GString *body = g_string_new (NULL);

  sim_json_begin_object (body);
  write_request_id (feed, body);
  sim_json_member_bool (body, "success", FALSE);
  sim_json_key (body, "error");
  sim_json_begin_object (body);
  sim_json_member_int (body, "code", error->code);
  sim_json_member_string (body, "key", error->key);
  sim_json_member_string (body, "message", error->message);
  sim_json_end_object (body);
  sim_json_end_object (body);
  respond_json (msg, error->status, body);
}

static void
mint_token (SimFeed *feed, SoupServerMessage *msg)
{
  SkinsharkState *state = feed_state (feed);
  const SimScenario *sc = &feed->scenario;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *api_key = soup_message_headers_get_one (headers, "api-key");
  const char *sub = soup_message_headers_get_one (headers, "On-Behalf-Of");
  const char *expires_in = sim_feed_credential (feed, "expires-in");
  gint64 lifetime = 3600;
  gint64 exp_unix;
  g_autofree char *jti = NULL;
  g_autofree char *retry_after = NULL;
  char *token;
  Ticket *ticket;
  GString *body;
  SimRng rng;

  /* X-API-Key is not read: the current API rejects it like a missing key. */
  if (api_key == NULL || *api_key == '\0')
    {
      sim_count (feed, SIM_COUNTER_AUTH_FAILURES);
      respond_error (feed, msg, &error_missing_key);
      return;
    }
  if (sc->auth_failure || !g_str_equal (api_key, sim_feed_credential (feed, "api-key")))
    {
      sim_count (feed, SIM_COUNTER_AUTH_FAILURES);
      respond_error (feed, msg, &error_invalid_key);
      return;
    }
  if (sc->rate_limit && (sc->rate_limit_count == 0 || state->rate_limited < sc->rate_limit_count))
    {
      state->rate_limited++;
      sim_count (feed, SIM_COUNTER_RATE_LIMITED);
      retry_after = g_strdup_printf ("%u", sc->retry_after);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "retry-after",
                                    retry_after);
      respond_error (feed, msg, &error_rate_limited);
      return;
    }
  if (sub == NULL || *sub == '\0')
    {
      respond_error (feed, msg, &error_missing_sub_user);
      return;
    }

  sim_parse_duration (expires_in, &lifetime);
  exp_unix = g_get_real_time () / G_USEC_PER_SEC + lifetime;
  sim_rng_init (&rng, sim_feed_seed (feed), 0x1d, state->requests + 1);
  jti = g_malloc (17);
  sim_rng_hex (&rng, jti, 16);
  token = sim_jwt_make (sub, exp_unix, "jti", jti);
  ticket = g_new0 (Ticket, 1);
  ticket->sub = g_strdup (sub);
  ticket->exp_unix = exp_unix;
  g_hash_table_insert (state->tickets, token, ticket);
  sim_count (feed, SIM_COUNTER_MINTS);

  body = g_string_new (NULL);
  sim_json_begin_object (body);
  write_request_id (feed, body);
  sim_json_member_bool (body, "success", TRUE);
  sim_json_key (body, "data");
  sim_json_begin_object (body);
  sim_json_member_string (body, "token", token);
  sim_json_member_string (body, "expiresIn", expires_in);
  sim_json_end_object (body);
  sim_json_end_object (body);
  respond_json (msg, SOUP_STATUS_OK, body);
}

static void
skinshark_handle_http (SimFeed *feed, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  if (!g_str_equal (path, "/skinshark/auth/ws-token"))
    {
      respond_error (feed, msg, &error_not_found);
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "POST");
      respond_error (feed, msg, &error_method);
      return;
    }
  mint_token (feed, msg);
}

/* --- socket --- */

static char *
find_bearer_protocol (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                      "Sec-WebSocket-Protocol");
  GSList *list;
  char *found = NULL;

  if (header == NULL)
    return NULL;
  list = soup_header_parse_list (header);
  for (GSList *l = list; l != NULL && found == NULL; l = l->next)
    if (g_str_has_prefix (l->data, BEARER_PREFIX))
      found = g_strdup (l->data);
  soup_header_free_list (list);
  return found;
}

/* The bearer subprotocol is echoed even for a token about to be refused: a browser
 * fails an upgrade that drops a requested subprotocol, and would never see the 4001. */
static gboolean
skinshark_check_upgrade (SimFeed *feed, SoupServerMessage *msg, GHashTable *query, char **protocol)
{
  *protocol = find_bearer_protocol (msg);
  return TRUE;
}

static void
write_user_id (SimFeed *feed, const char *sub, char out[37])
{
  SimRng rng;

  if (g_uuid_string_is_valid (sub))
    {
      g_strlcpy (out, sub, 37);
      return;
    }
  sim_rng_init (&rng, sim_feed_seed (feed), 0x05e7, sim_string_hash64 (sub));
  sim_rng_uuid (&rng, out);
}

static gboolean
expiry_cb (gpointer user_data)
{
  SimConn *conn = user_data;
  SkinsharkConn *data = conn->data;

  /* Real servers notice an expired ticket on their next check; closing exactly at
   * expiry makes the moment predictable for tests. */
  g_clear_pointer (&data->expiry, g_source_unref);
  sim_count (conn->feed, SIM_COUNTER_EXPIRED);
  sim_conn_close (conn, CLOSE_TOKEN, "Invalid token");
  return G_SOURCE_REMOVE;
}

static void
skinshark_opened (SimConn *conn, SoupServerMessage *msg)
{
  SimFeed *feed = conn->feed;
  SkinsharkState *state = feed_state (feed);
  SkinsharkConn *data = g_new0 (SkinsharkConn, 1);
  const char *protocol = soup_websocket_connection_get_protocol (conn->ws);
  const char *token = NULL;
  Ticket *ticket;
  gint64 now_unix = g_get_real_time () / G_USEC_PER_SEC;
  guint keepalive_s;
  char user_id[37];

  conn->data = data;
  if (protocol != NULL && g_str_has_prefix (protocol, BEARER_PREFIX))
    token = protocol + strlen (BEARER_PREFIX);
  else
    token = g_hash_table_lookup (conn->query, "token");

  if (token == NULL || *token == '\0')
    {
      sim_count (feed, SIM_COUNTER_AUTH_FAILURES);
      sim_conn_close (conn, CLOSE_TOKEN, "Missing token");
      return;
    }
  ticket = g_hash_table_lookup (state->tickets, token);
  if (feed->scenario.auth_failure || ticket == NULL || ticket->exp_unix <= now_unix)
    {
      sim_count (feed, SIM_COUNTER_AUTH_FAILURES);
      sim_conn_close (conn, CLOSE_TOKEN, "Invalid token");
      return;
    }

  write_user_id (feed, ticket->sub, user_id);
  g_string_truncate (conn->frame, 0);
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "event", "connected");
  sim_json_key (conn->frame, "data");
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "userId", user_id);
  sim_json_end_object (conn->frame);
  sim_json_member_int (conn->frame, "ts", g_get_real_time () / 1000);
  sim_json_end_object (conn->frame);
  sim_conn_send_text (conn, conn->frame->str);

  keepalive_s = (feed->scenario.heartbeat_interval_ms + 999) / 1000;
  soup_websocket_connection_set_keepalive_interval (conn->ws, keepalive_s);
  data->expiry = sim_timeout_add (feed, (guint)MIN ((ticket->exp_unix - now_unix) * 1000, G_MAXINT),
                                  expiry_cb, conn);
  sim_conn_start_stream (conn, ticket->sub);
}

static void
skinshark_message (SimConn *conn, SoupWebsocketDataType type, GBytes *message)
{
  sim_conn_close (conn, CLOSE_READ_ONLY, "Read-only");
}

static void
skinshark_stalled (SimConn *conn)
{
  SkinsharkConn *data = conn->data;

  if (data != NULL && data->expiry != NULL)
    {
      g_source_destroy (data->expiry);
      g_clear_pointer (&data->expiry, g_source_unref);
    }
}

static void
skinshark_conn_free (SimConn *conn)
{
  skinshark_stalled (conn);
  g_clear_pointer (&conn->data, g_free);
}

/* --- events --- */

typedef struct
{
  char id[37];
  gboolean sell;
  gboolean has_external;
  guint external;
  guint n_items;
  guint item[3];
  gint64 price[3];
  gboolean eur;
} Trade;

static void
trade_init (Trade *trade, SimStream *stream, guint64 round, guint slot)
{
  SimRng rng;

  sim_rng_init (&rng, stream->salt, round, slot);
  sim_rng_uuid (&rng, trade->id);
  trade->sell = sim_rng_chance (&rng, 40);
  trade->has_external = sim_rng_chance (&rng, 70);
  trade->external = 10000 + sim_rng_below (&rng, 90000);
  trade->n_items = 1 + sim_rng_below (&rng, 3);
  for (guint i = 0; i < trade->n_items; i++)
    {
      trade->item[i] = sim_rng_below (&rng, G_N_ELEMENTS (items));
      /* ±10 % around the list price, like a live market. */
      trade->price[i] = items[trade->item[i]].cents * (90 + (gint64)sim_rng_below (&rng, 21)) / 100;
    }
  trade->eur = sim_rng_chance (&rng, 20);
}

static const char *
trade_final_status (SimStream *stream, guint64 round, guint slot)
{
  SimRng rng;
  guint roll;

  sim_rng_init (&rng, stream->salt, round, slot + 10);
  roll = sim_rng_below (&rng, 100);
  switch (slot)
    {
    case 0:
      return roll < 60 ? "completed" : roll < 80 ? "failed" : roll < 90 ? "hold" : "reverted";
    case 1:
      return roll < 50 ? "completed" : roll < 70 ? "declined" : roll < 90 ? "canceled" : "failed";
    default:
      return roll < 70 ? "completed" : "failed";
    }
}

static void
write_trade (GString *out, SimStream *stream, guint64 round, guint slot, guint64 created_index,
             const char *status, gint64 ts, SimEventInfo *info)
{
  Trade trade;
  gint64 total = 0;
  gboolean failed = g_str_equal (status, "failed");

  trade_init (&trade, stream, round, slot);
  g_snprintf (info->type, sizeof info->type, "trade.%s", status);
  g_snprintf (info->id, sizeof info->id, "%s:%s", trade.id, status);

  sim_json_member_string (out, "event", info->type);
  sim_json_key (out, "data");
  sim_json_begin_object (out);
  sim_json_member_string (out, "id", trade.id);
  sim_json_member_string (out, "type", trade.sell ? "sell" : "buy");
  sim_json_member_string (out, "status", status);
  if (trade.has_external)
    {
      char external[24];

      g_snprintf (external, sizeof external, "order-%u", trade.external);
      sim_json_member_string (out, "externalId", external);
    }
  sim_json_key (out, "items");
  sim_json_begin_array (out);
  for (guint i = 0; i < trade.n_items; i++)
    {
      sim_json_begin_object (out);
      sim_json_member_string (out, "name", items[trade.item[i]].name);
      sim_json_member_string (out, "marketHashName", items[trade.item[i]].name);
      sim_json_key (out, "price");
      sim_json_decimal (out, trade.price[i]);
      sim_json_member_string (out, "status", status);
      if (failed && i == 0)
        sim_json_member_string (out, "error", "Trade offer was declined by the partner");
      sim_json_end_object (out);
      total += trade.price[i];
    }
  sim_json_end_array (out);
  sim_json_key (out, "totalPrice");
  sim_json_decimal (out, total);
  sim_json_member_string (out, "currency", trade.eur ? "EUR" : "USD");
  sim_json_member_time (out, "createdAt", sim_stream_ts (stream, created_index));
  sim_json_member_time (out, "updatedAt", ts);
  if (failed)
    sim_json_member_string (out, "error", "Steam trade offer expired before it was accepted");
  sim_json_end_object (out);
}

static void
write_deposit (GString *out, SimStream *stream, guint64 round, gboolean start, gint64 ts,
               SimEventInfo *info)
{
  SimRng rng;
  gboolean gateway;
  char id[32];
  char tail[21];
  char tx_hash[67] = "0x";
  const char *chain;
  gint64 cents;
  guint roll;
  const char *outcome;

  sim_rng_init (&rng, stream->salt, round, 3);
  gateway = sim_rng_chance (&rng, 50);
  sim_rng_alnum (&rng, tail, 20);
  g_snprintf (id, sizeof id, "%s_%s", gateway ? "fnd" : "dep", tail);
  sim_rng_hex (&rng, tx_hash + 2, 64);
  chain = chains[sim_rng_below (&rng, G_N_ELEMENTS (chains))];
  cents = 500 + sim_rng_below (&rng, 50000);
  roll = sim_rng_below (&rng, 100);
  if (gateway)
    outcome = start ? "transfer" : roll < 70 ? "completed" : roll < 85 ? "failed" : "refunded";
  else
    outcome = start ? "pending" : roll < 75 ? "completed" : "failed";

  g_snprintf (info->type, sizeof info->type, "deposit.%s", outcome);
  g_snprintf (info->id, sizeof info->id, "%s:%s", id, info->type);
  sim_json_member_string (out, "event", info->type);
  sim_json_key (out, "data");
  sim_json_begin_object (out);
  if (gateway)
    {
      sim_json_member_string (out, "fundingId", id);
      if (g_str_equal (outcome, "transfer"))
        {
          sim_json_member_string (out, "status", "pending");
          sim_json_key (out, "transfer");
          sim_json_begin_object (out);
          sim_json_member_string (out, "txHash", tx_hash);
          sim_json_key (out, "amount");
          sim_json_decimal (out, cents);
          sim_json_member_string (out, "chain", chain);
          sim_json_end_object (out);
        }
      else if (g_str_equal (outcome, "completed"))
        {
          sim_json_member_string (out, "status", "completed");
          sim_json_key (out, "payAmountToken");
          sim_json_decimal (out, cents);
          sim_json_key (out, "receiveAmountUsd");
          sim_json_decimal (out, cents - cents / 200);
          sim_json_member_time (out, "completedAt", ts);
        }
      else if (g_str_equal (outcome, "failed"))
        {
          sim_json_member_string (out, "status", "failed");
          sim_json_member_string (out, "reason", "Payment window expired before funds arrived");
        }
      else
        sim_json_member_string (out, "status", "refunded");
    }
  else
    {
      char wei[48];

      /* 18-decimal token amounts overflow 64 bits, hence the string. */
      g_snprintf (wei, sizeof wei, "%" G_GINT64_FORMAT "0000000000000000", cents);
      sim_json_member_string (out, "depositId", id);
      if (!g_str_equal (outcome, "pending"))
        sim_json_member_string (out, "status", outcome);
      sim_json_member_string (out, "chain", chain);
      sim_json_member_string (out, "token", "USDC");
      sim_json_member_string (out, "txHash", tx_hash);
      if (!g_str_equal (outcome, "failed"))
        sim_json_member_string (out, "amountWei", wei);
      if (g_str_equal (outcome, "completed"))
        {
          sim_json_member_int (out, "amountUsdCents", cents);
          sim_json_member_int (out, "confirmations", 12);
          sim_json_member_time (out, "completedAt", ts);
        }
      else if (g_str_equal (outcome, "failed"))
        {
          sim_json_member_string (out, "reason", "Transaction reverted on-chain");
          sim_json_member_int (out, "confirmations", 3);
        }
    }
  sim_json_end_object (out);
}

static void
write_notice (GString *out, SimStream *stream, guint64 round, guint64 index, SimEventInfo *info)
{
  SimRng rng;
  guint which;

  sim_rng_init (&rng, stream->salt, round, 6);
  which = sim_rng_below (&rng, G_N_ELEMENTS (notices));
  g_strlcpy (info->type, "system.notice", sizeof info->type);
  /* Notices carry no id on the wire; this one is the simulator's own bookkeeping. */
  g_snprintf (info->id, sizeof info->id,
              "system.notice:%016" G_GINT64_MODIFIER "x:%" G_GUINT64_FORMAT, stream->salt, index);
  sim_json_member_string (out, "event", "system.notice");
  sim_json_key (out, "data");
  sim_json_begin_object (out);
  sim_json_member_string (out, "severity", notices[which].severity);
  sim_json_member_string (out, "message", notices[which].message);
  sim_json_end_object (out);
}

static gboolean
round_has_notice (SimStream *stream, guint64 round)
{
  SimRng rng;

  sim_rng_init (&rng, stream->salt, round, 6);
  sim_rng_next (&rng);
  return sim_rng_chance (&rng, 30);
}

/* One round of twelve events interleaves three trades (A, B, C), a deposit (D) and now
 * and then a system notice, each walking a plausible lifecycle. */
static void
skinshark_generate (SimFeed *feed, SimStream *stream, guint64 index, SimEventInfo *info,
                    GString *out)
{
  guint64 round = index / ROUND;
  guint64 base = round * ROUND;
  guint pos = (guint)(index % ROUND);
  gint64 ts = sim_stream_ts (stream, index);

  sim_json_begin_object (out);
  switch (pos)
    {
    case 0:
      write_trade (out, stream, round, 0, base + 0, "initiated", ts, info);
      break;
    case 1:
      write_trade (out, stream, round, 1, base + 1, "initiated", ts, info);
      break;
    case 2:
      write_trade (out, stream, round, 0, base + 0, "pending", ts, info);
      break;
    case 3:
      write_deposit (out, stream, round, TRUE, ts, info);
      break;
    case 4:
      write_trade (out, stream, round, 1, base + 1, "pending", ts, info);
      break;
    case 5:
      write_trade (out, stream, round, 0, base + 0, "active", ts, info);
      break;
    case 6:
      if (round_has_notice (stream, round))
        write_notice (out, stream, round, index, info);
      else
        write_trade (out, stream, round, 1, base + 1, "active", ts, info);
      break;
    case 7:
      write_trade (out, stream, round, 1, base + 1, trade_final_status (stream, round, 1), ts,
                   info);
      break;
    case 8:
      write_trade (out, stream, round, 0, base + 0, trade_final_status (stream, round, 0), ts,
                   info);
      break;
    case 9:
      write_deposit (out, stream, round, FALSE, ts, info);
      break;
    case 10:
      write_trade (out, stream, round, 2, base + 10, "initiated", ts, info);
      break;
    default:
      write_trade (out, stream, round, 2, base + 10, trade_final_status (stream, round, 2), ts,
                   info);
      break;
    }
  sim_json_member_int (out, "ts", ts);
  sim_json_end_object (out);
}

static void
skinshark_malformed (SimConn *conn, guint kind, GString *out)
{
  gint64 now_ms = g_get_real_time () / 1000;

  switch (kind)
    {
    case 0:
      g_string_append (out, "{\"event\":\"trade.completed\",\"data\":{\"id\":\"");
      break;
    case 1:
      g_string_append (out, "[{\"event\":\"trade.completed\"}]");
      break;
    case 2:
      g_string_append_printf (out, "{\"event\":\"trade.completed\",\"ts\":%" G_GINT64_FORMAT "}",
                              now_ms);
      break;
    default:
      g_string_append_printf (
        out, "{\"event\":\"inventory.synced\",\"data\":{\"count\":3},\"ts\":%" G_GINT64_FORMAT "}",
        now_ms);
      break;
    }
}

const SimFeedClass sim_skinshark_class = {
  .name = "skinshark",
  .prefix = "/skinshark",
  .socket_path = "/skinshark/ws",
  .endpoint = "http:/skinshark",
  .setup = skinshark_setup,
  .handle_http = skinshark_handle_http,
  .check_upgrade = skinshark_check_upgrade,
  .opened = skinshark_opened,
  .message = skinshark_message,
  .generate = skinshark_generate,
  .malformed = skinshark_malformed,
  .stalled = skinshark_stalled,
  .conn_free = skinshark_conn_free,
};
