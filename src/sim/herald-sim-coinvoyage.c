/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-sim-coinvoyage.c — CoinVoyage's order-status socket as the simulator speaks it:
 * a connect message (API key, optional HMAC signature), per-order or organization scope. */
#define G_LOG_DOMAIN "herald-sim"

#include "config.h"

#include <string.h>

#include "herald-sim-private.h"

/* Error texts the docs name; the close that follows a refused connect is our choice. */
#define ERROR_NOT_AUTHENTICATED "not authenticated"
#define ERROR_INVALID_KEY "invalid api_key"
#define ERROR_INVALID_SIGNATURE "invalid authorization_signature"
#define ERROR_ACCESS_DENIED "access denied"
#define ERROR_ALREADY_AUTHENTICATED "already authenticated"
#define ERROR_INVALID_MESSAGE "invalid message"
#define ERROR_UNKNOWN_TYPE "unknown message type"
#define SIGNATURE_WINDOW_S 300

#define ROUND 12
#define N_SCOPE_ORDERS 3

typedef struct
{
  gboolean authenticated;
  gboolean signed_connect;
  gboolean organization;
  GHashTable *orders;
} VoyageConn;

/* Guess: the event payload is undocumented. It mirrors the webhook body; the status
 * names for each type are ours. Keep the shape in this table and write_event(). */
static const struct
{
  const char *type;
  const char *status;
} order_events[] = {
  { "payorder_created", "PENDING" },
  { "payorder_started", "AWAITING_PAYMENT" },
  { "payorder_confirming", "AWAITING_CONFIRMATION" },
  { "payorder_executing", "EXECUTING_ORDER" },
  { "payorder_completed", "COMPLETED" },
  { "payorder_error", "FAILED" },
  { "payorder_refunded", "REFUNDED" },
  { "payorder_expired", "EXPIRED" },
};

enum
{
  CREATED,
  STARTED,
  CONFIRMING,
  EXECUTING,
  COMPLETED,
  ERROR,
  REFUNDED,
  EXPIRED,
};

static const char *const customers[] = {
  "Zoë Müller", "Ana Lucía Pérez", "李小龙", "Jean-Luc O'Connor", "Kwame Mensah", "Åsa Lindqvist",
};

static const char *const products[] = {
  "Pro plan (annual)",   "Conference ticket — Early bird", "Hoodie, size M", "Gift card 50 €",
  "API credits ×10 000",
};

static void
order_id (SimStream *stream, guint64 round, guint slot, char out[37])
{
  SimRng rng;

  sim_rng_init (&rng, stream->salt, round, 0x0d0 + slot);
  sim_rng_uuid (&rng, out);
}

static void
coinvoyage_setup (SimFeed *feed)
{
  SimRng rng;
  char key[25];
  char secret[41];
  g_autofree char *api_key = NULL;
  g_autofree char *api_secret = NULL;
  GStrv orders = g_new0 (char *, N_SCOPE_ORDERS + 1);
  SimStream stream = { 0 };

  sim_rng_init (&rng, sim_feed_seed (feed), feed->id, 1);
  sim_rng_alnum (&rng, key, 24);
  sim_rng_alnum (&rng, secret, 40);
  api_key = g_strconcat ("cv_pk_", key, NULL);
  api_secret = g_strconcat ("cv_sk_", secret, NULL);
  sim_feed_set_credential (feed, "api-key", api_key);
  sim_feed_set_credential (feed, "api-secret", api_secret);

  /* The orders of the first round of the feed's only stream. */
  stream.salt = sim_feed_stream_salt (feed, "");
  for (guint i = 0; i < N_SCOPE_ORDERS; i++)
    {
      orders[i] = g_malloc (37);
      order_id (&stream, 0, i, orders[i]);
    }
  sim_feed_set_scopes (feed, orders);
}

static void
send_error (SimConn *conn, const char *message)
{
  g_string_truncate (conn->frame, 0);
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "type", "error");
  sim_json_key (conn->frame, "data");
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "message", message);
  sim_json_end_object (conn->frame);
  sim_json_end_object (conn->frame);
  sim_conn_send_text (conn, conn->frame->str);
}

static void
send_subscription (SimConn *conn, const char *order, const char *status)
{
  g_string_truncate (conn->frame, 0);
  sim_json_begin_object (conn->frame);
  sim_json_member_string (conn->frame, "type", "subscription");
  sim_json_key (conn->frame, "data");
  sim_json_begin_object (conn->frame);
  if (order != NULL)
    sim_json_member_string (conn->frame, "order_id", order);
  sim_json_member_string (conn->frame, "scope", order != NULL ? "order" : "organization");
  sim_json_member_string (conn->frame, "status", status);
  sim_json_end_object (conn->frame);
  sim_json_end_object (conn->frame);
  sim_conn_send_text (conn, conn->frame->str);
}

static void
refuse (SimConn *conn, const char *message)
{
  sim_count (conn->feed, SIM_COUNTER_AUTH_FAILURES);
  send_error (conn, message);
  sim_conn_close (conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, message);
}

static void
coinvoyage_opened (SimConn *conn, SoupServerMessage *msg)
{
  VoyageConn *data = g_new0 (VoyageConn, 1);

  data->orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  conn->data = data;
}

static const char *
string_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* "APIKey=K,signature=S,timestamp=T" with S = hex(HMAC-SHA256(secret, "GET" + "/ws" + T)). */
static gboolean
signature_valid (SimFeed *feed, const char *api_key, const char *header)
{
  g_auto (GStrv) parts = g_strsplit (header, ",", -1);
  const char *key = NULL, *signature = NULL, *timestamp = NULL;
  const char *secret = sim_feed_credential (feed, "api-secret");
  g_autofree char *message = NULL;
  g_autofree char *expected = NULL;
  gint64 when;
  char *end = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (g_str_has_prefix (part, "APIKey="))
        key = part + strlen ("APIKey=");
      else if (g_str_has_prefix (part, "signature="))
        signature = part + strlen ("signature=");
      else if (g_str_has_prefix (part, "timestamp="))
        timestamp = part + strlen ("timestamp=");
    }
  if (key == NULL || signature == NULL || timestamp == NULL || !g_str_equal (key, api_key))
    return FALSE;
  when = g_ascii_strtoll (timestamp, &end, 10);
  if (end == timestamp || *end != '\0')
    return FALSE;
  if (ABS (g_get_real_time () / G_USEC_PER_SEC - when) > SIGNATURE_WINDOW_S)
    return FALSE;

  message = g_strconcat ("GET", "/ws", timestamp, NULL);
  expected = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *)secret, strlen (secret),
                                        message, -1);
  return g_ascii_strcasecmp (expected, signature) == 0;
}

static void
handle_connect (SimConn *conn, JsonObject *data_object)
{
  SimFeed *feed = conn->feed;
  VoyageConn *data = conn->data;
  const char *api_key = string_member (data_object, "api_key");
  const char *signature = string_member (data_object, "authorization_signature");

  if (data->authenticated)
    {
      send_error (conn, ERROR_ALREADY_AUTHENTICATED);
      return;
    }
  if (feed->scenario.auth_failure || api_key == NULL
      || !g_str_equal (api_key, sim_feed_credential (feed, "api-key")))
    {
      refuse (conn, ERROR_INVALID_KEY);
      return;
    }
  if (signature != NULL && !signature_valid (feed, api_key, signature))
    {
      refuse (conn, ERROR_INVALID_SIGNATURE);
      return;
    }

  data->authenticated = TRUE;
  data->signed_connect = signature != NULL;
  g_string_truncate (conn->frame, 0);
  g_string_append (conn->frame, "{\"type\":\"connected\",\"data\":{\"status\":\"authenticated\"}}");
  sim_conn_send_text (conn, conn->frame->str);
}

static void
handle_subscribe (SimConn *conn, JsonObject *data_object, gboolean subscribe)
{
  VoyageConn *data = conn->data;
  const char *order = string_member (data_object, "order_id");

  if (order != NULL && *order == '\0')
    order = NULL;

  if (order != NULL)
    {
      if (subscribe)
        g_hash_table_add (data->orders, g_strdup (order));
      else
        g_hash_table_remove (data->orders, order);
    }
  else if (subscribe && !data->signed_connect)
    {
      send_error (conn, ERROR_ACCESS_DENIED);
      return;
    }
  else
    data->organization = subscribe;

  send_subscription (conn, order, subscribe ? "subscribed" : "unsubscribed");
  if (subscribe)
    {
      sim_count (conn->feed, SIM_COUNTER_SUBSCRIPTIONS);
      /* Events start with the first subscription: before it nothing is in scope. */
      sim_conn_start_stream (conn, "");
    }
}

static void
coinvoyage_message (SimConn *conn, SoupWebsocketDataType type, GBytes *message)
{
  VoyageConn *data = conn->data;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object = NULL;
  JsonObject *data_object = NULL;
  JsonNode *data_node;
  const char *kind;

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    root = sim_json_parse (message);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    object = json_node_get_object (root);
  kind = string_member (object, "type");
  if (kind == NULL)
    {
      send_error (conn, data->authenticated ? ERROR_INVALID_MESSAGE : ERROR_NOT_AUTHENTICATED);
      return;
    }
  data_node = json_object_get_member (object, "data");
  if (data_node != NULL && JSON_NODE_HOLDS_OBJECT (data_node))
    data_object = json_node_get_object (data_node);

  if (g_str_equal (kind, "connect"))
    handle_connect (conn, data_object);
  else if (!data->authenticated)
    send_error (conn, ERROR_NOT_AUTHENTICATED);
  else if (g_str_equal (kind, "subscribe"))
    handle_subscribe (conn, data_object, TRUE);
  else if (g_str_equal (kind, "unsubscribe"))
    handle_subscribe (conn, data_object, FALSE);
  else
    send_error (conn, ERROR_UNKNOWN_TYPE);
}

static gboolean
coinvoyage_in_scope (SimConn *conn, const SimEventInfo *info)
{
  VoyageConn *data = conn->data;

  return data->organization || g_hash_table_contains (data->orders, info->scope);
}

static void
coinvoyage_conn_free (SimConn *conn)
{
  VoyageConn *data = conn->data;

  if (data == NULL)
    return;
  g_hash_table_unref (data->orders);
  g_clear_pointer (&conn->data, g_free);
}

/* --- events --- */

static void
write_address (SimRng *rng, GString *out, const char *key)
{
  char address[43] = "0x";

  sim_rng_hex (rng, address + 2, 40);
  sim_json_member_string (out, key, address);
}

static void
write_event (GString *out, SimStream *stream, guint64 index, guint64 round, guint slot, guint step,
             guint64 created_index, SimEventInfo *info)
{
  SimRng order_rng;
  SimRng event_rng;
  char id[37];
  char event_id[29] = "evt_";
  char reference[24];
  gint64 cents;
  guint customer, product;

  order_id (stream, round, slot, id);
  sim_rng_init (&order_rng, stream->salt, round, 0x0e0 + slot);
  cents = 500 + sim_rng_below (&order_rng, 30000);
  customer = sim_rng_below (&order_rng, G_N_ELEMENTS (customers));
  product = sim_rng_below (&order_rng, G_N_ELEMENTS (products));
  g_snprintf (reference, sizeof reference, "INV-%u", 1000 + sim_rng_below (&order_rng, 9000));
  sim_rng_init (&event_rng, stream->salt, index, 0xe7);
  sim_rng_alnum (&event_rng, event_id + 4, 24);

  g_strlcpy (info->id, event_id, sizeof info->id);
  g_strlcpy (info->type, order_events[step].type, sizeof info->type);
  g_strlcpy (info->scope, id, sizeof info->scope);

  sim_json_begin_object (out);
  sim_json_member_string (out, "type", "event");
  sim_json_key (out, "data");
  sim_json_begin_object (out);
  sim_json_member_string (out, "id", event_id);
  sim_json_member_string (out, "type", order_events[step].type);
  sim_json_member_string (out, "status", order_events[step].status);
  sim_json_member_string (out, "payorder_id", id);
  sim_json_member_time (out, "created_at", sim_stream_ts (stream, index));
  sim_json_key (out, "metadata");
  sim_json_begin_object (out);
  sim_json_member_string (out, "reference", reference);
  sim_json_member_string (out, "customer", customers[customer]);
  sim_json_member_string (out, "description", products[product]);
  sim_json_member_time (out, "order_created_at", sim_stream_ts (stream, created_index));
  sim_json_end_object (out);
  sim_json_key (out, "payment_data");
  sim_json_begin_object (out);
  sim_json_key (out, "dst");
  sim_json_begin_object (out);
  sim_json_member_int (out, "chain_id", 8453);
  sim_json_member_string (out, "currency", "USDC");
  sim_json_member_money (out, "amount", cents);
  write_address (&order_rng, out, "address");
  sim_json_end_object (out);
  if (step != CREATED && step != EXPIRED)
    {
      char tx_hash[67] = "0x";

      sim_json_key (out, "src");
      sim_json_begin_object (out);
      sim_json_member_int (out, "chain_id", 1);
      sim_json_member_string (out, "currency", "USDT");
      sim_json_member_money (out, "amount", cents + cents / 100);
      write_address (&order_rng, out, "address");
      sim_json_end_object (out);
      if (step != STARTED)
        {
          sim_rng_hex (&order_rng, tx_hash + 2, 64);
          sim_json_member_string (out, "tx_hash", tx_hash);
        }
    }
  sim_json_end_object (out);
  sim_json_end_object (out);
  sim_json_end_object (out);
}

/* One round of twelve interleaves three orders: A completes, B fails and is refunded (or
 * completes), C is created and expires unpaid. */
static void
coinvoyage_generate (SimFeed *feed, SimStream *stream, guint64 index, SimEventInfo *info,
                     GString *out)
{
  static const struct
  {
    guint slot;
    guint step;
    guint alternative; /* step when order B goes through instead of failing */
  } schedule[ROUND] = {
    { 0, CREATED, CREATED },       { 0, STARTED, STARTED },     { 1, CREATED, CREATED },
    { 0, CONFIRMING, CONFIRMING }, { 1, STARTED, STARTED },     { 0, EXECUTING, EXECUTING },
    { 1, CONFIRMING, CONFIRMING }, { 0, COMPLETED, COMPLETED }, { 2, CREATED, CREATED },
    { 1, ERROR, EXECUTING },       { 1, REFUNDED, COMPLETED },  { 2, EXPIRED, EXPIRED },
  };
  static const guint created_at[3] = { 0, 2, 8 };
  guint64 round = index / ROUND;
  guint pos = (guint)(index % ROUND);
  guint slot = schedule[pos].slot;
  SimRng rng;

  sim_rng_init (&rng, stream->salt, round, 0xb0);
  write_event (out, stream, index, round, slot,
               sim_rng_chance (&rng, 50) ? schedule[pos].alternative : schedule[pos].step,
               round * ROUND + created_at[slot], info);
}

static void
coinvoyage_malformed (SimConn *conn, guint kind, GString *out)
{
  switch (kind)
    {
    case 0:
      g_string_append (out, "{\"type\":\"event\",\"data\":{\"id\":\"evt_");
      break;
    case 1:
      g_string_append (out, "[{\"type\":\"event\"}]");
      break;
    case 2:
      g_string_append (out, "{\"type\":\"event\",\"data\":{\"type\":\"payorder_completed\"}}");
      break;
    default:
      g_string_append (
        out, "{\"type\":\"announcement\",\"data\":{\"message\":\"Scheduled maintenance\"}}");
      break;
    }
}

const SimFeedClass sim_coinvoyage_class = {
  .name = "coinvoyage",
  .prefix = "/coinvoyage",
  .socket_path = "/coinvoyage/v2/ws",
  .endpoint = "ws:/coinvoyage/v2/ws",
  .setup = coinvoyage_setup,
  .opened = coinvoyage_opened,
  .message = coinvoyage_message,
  .generate = coinvoyage_generate,
  .in_scope = coinvoyage_in_scope,
  .malformed = coinvoyage_malformed,
  .conn_free = coinvoyage_conn_free,
};
