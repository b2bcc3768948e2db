/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-coinvoyage-feed.c — the CoinVoyage protocol (PROTOCOLS.md, seed 002): connect with the
 * API key (signed for the organization scope), subscribe, turn pay-order events into events.
 *
 * Dedupe ids:
 *   event          the payload's own id (one per delivery, e.g. "evt_…"); without one,
 *                  "payorder:<payorder_id>:<type, else status>"
 *   anything else  "raw:<SHA-256 of the frame>"
 *
 * The socket URL is the account's endpoint as it stands. Its default,
 * wss://api.coinvoyage.io/v2/ws, is INFERRED from the REST base (the docs do not state it) and
 * lives in herald-provider-info.c. */
#define G_LOG_DOMAIN "herald-coinvoyage"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "herald-secret.h"
#include "herald-coinvoyage-feed.h"
#include "herald-format.h"
#include "herald-money.h"
#include "herald-json.h"

/* The request the organization signature covers, as the docs state it ("GET /ws"). */
#define SIGNED_METHOD "GET"
#define SIGNED_PATH "/ws"

/* No application heartbeat is documented: WebSocket pings every 30 s, and the pongs (or any
 * frame) must come within 75 s. */
#define KEEPALIVE_S 30
#define LIVENESS_MS 75000

#define MAX_ID_CHARS 200
#define MAX_TEXT_CHARS 300

struct _HeraldCoinvoyageFeed
{
  HeraldFeed parent_instance;
  gboolean authenticated; /* "connected" arrived on this socket */
};

G_DEFINE_FINAL_TYPE (HeraldCoinvoyageFeed, herald_coinvoyage_feed, HERALD_TYPE_FEED)

typedef enum
{
  REFUSAL_NONE,
  REFUSAL_KEY,
  REFUSAL_SIGNATURE,
} Refusal;

/* --- helpers --- */

static char *
dup_clean (HeraldJsonNode node, guint max_chars)
{
  g_autofree char *raw = herald_json_node_dup_string (node);
  g_autofree char *clean = NULL;

  if (raw == NULL)
    return NULL;
  clean = herald_format_clean_text (raw, max_chars);
  return *clean ? g_steal_pointer (&clean) : NULL;
}

static char *
dup_id (HeraldJsonNode node)
{
  gint64 number;

  if (herald_json_node_get_int64 (node, &number))
    return g_strdup_printf ("%" G_GINT64_FORMAT, number);
  return dup_clean (node, MAX_ID_CHARS);
}

/* The server's words for the user: cleaned, short, and never when a secret of ours is in them. */
static char *
dup_server_text (HeraldFeed *feed, const char *raw)
{
  const char *fields[] = { "api-key", "api-secret" };
  g_autofree char *clean = NULL;

  if (raw == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *secret = herald_feed_get_credential (feed, fields[i]);

      if (secret != NULL && *secret != '\0' && strstr (raw, secret) != NULL)
        return NULL;
    }
  clean = herald_format_clean_text (raw, 160);
  return *clean ? g_steal_pointer (&clean) : NULL;
}

char *
herald_coinvoyage_sign (const char *api_secret, const char *timestamp)
{
  g_autofree char *message = NULL;
  char *signature;

  g_return_val_if_fail (api_secret != NULL, NULL);
  g_return_val_if_fail (timestamp != NULL, NULL);

  message = g_strconcat (SIGNED_METHOD, SIGNED_PATH, timestamp, NULL);
  signature = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *)api_secret,
                                         strlen (api_secret), message, -1);
  return signature;
}

static char *
build_message (const char *type, const char *member, const char *value, const char *member2,
               const char *value2)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  if (member != NULL)
    {
      json_builder_set_member_name (builder, member);
      json_builder_add_string_value (builder, value);
    }
  if (member2 != NULL)
    {
      json_builder_set_member_name (builder, member2);
      json_builder_add_string_value (builder, value2);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* --- the handshake --- */

static SoupMessage *
herald_coinvoyage_feed_build_request (HeraldFeed *feed, char ***out_protocols, GError **error)
{
  const char *key = herald_feed_get_credential (feed, "api-key");
  const char *secret = herald_feed_get_credential (feed, "api-secret");
  const char *const *orders
    = herald_account_get_option_values (herald_feed_get_account (feed), "order");
  g_autofree char *uri = NULL;
  SoupMessage *message;

  if (key == NULL || *key == '\0')
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account has no API key"));
      return NULL;
    }
  /* The organization scope needs a signed connect: without the secret it would be refused. */
  if (orders[0] == NULL && (secret == NULL || *secret == '\0'))
    {
      g_set_error_literal (
        error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
        _ ("Following the whole organization needs the API secret; add it, or name "
           "the orders to follow"));
      return NULL;
    }
  uri = herald_feed_build_uri (feed, TRUE, NULL, NULL, NULL);
  message = uri ? soup_message_new (SOUP_METHOD_GET, uri) : NULL;
  if (message == NULL)
    g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                         _ ("The account’s endpoint is not a valid address"));
  *out_protocols = NULL;
  return message;
}

static gboolean
herald_coinvoyage_feed_opened (HeraldFeed *feed, SoupWebsocketConnection *socket, GError **error)
{
  HeraldCoinvoyageFeed *self = HERALD_COINVOYAGE_FEED (feed);
  const char *key = herald_feed_get_credential (feed, "api-key");
  const char *secret = herald_feed_get_credential (feed, "api-secret");
  char *authorization = NULL;
  char *text;

  self->authenticated = FALSE;
  if (secret != NULL && *secret != '\0')
    {
      g_autofree char *timestamp
        = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
      g_autofree char *signature = herald_coinvoyage_sign (secret, timestamp);

      authorization
        = g_strdup_printf ("APIKey=%s,signature=%s,timestamp=%s", key, signature, timestamp);
    }
  text = build_message ("connect", "api_key", key, authorization ? "authorization_signature" : NULL,
                        authorization);
  herald_feed_send_text (feed, text);
  herald_secret_wipe_free (text);
  herald_secret_wipe_free (authorization);
  return TRUE;
}

static void
subscribe (HeraldCoinvoyageFeed *self)
{
  HeraldFeed *feed = HERALD_FEED (self);
  const char *const *orders
    = herald_account_get_option_values (herald_feed_get_account (feed), "order");
  guint n = 0;

  for (guint i = 0; orders[i] != NULL; i++)
    {
      g_autofree char *text = NULL;

      if (*orders[i] == '\0')
        continue;
      text = build_message ("subscribe", "order_id", orders[i], NULL, NULL);
      herald_feed_send_text (feed, text);
      n++;
    }
  if (n == 0)
    {
      g_autofree char *text = build_message ("subscribe", NULL, NULL, NULL, NULL);

      herald_feed_send_text (feed, text);
    }
  g_debug ("%s: subscribed to %s", herald_feed_get_account_id (feed),
           n ? "orders" : "the organization");
}

/* --- messages --- */

/* Guess: the docs give "invalid api_key", "not authenticated" and "access denied" as examples
 * of errors and nothing more; refusals are recognised by the words they are made of. */
static Refusal
classify_error (const char *text)
{
  static const char *const key_words[] = {
    "api_key",      "api key",   "apikey",        "not authenticated", "unauthenticated",
    "unauthorized", "forbidden", "access denied", "credential",        "authentication failed",
  };
  g_autofree char *lower = g_ascii_strdown (text, -1);

  if (strstr (lower, "signature") != NULL)
    return REFUSAL_SIGNATURE;
  for (guint i = 0; i < G_N_ELEMENTS (key_words); i++)
    if (strstr (lower, key_words[i]) != NULL)
      return REFUSAL_KEY;
  return REFUSAL_NONE;
}

static void
handle_error (HeraldCoinvoyageFeed *self, HeraldJsonNode root)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode data = herald_json_node_member (root, "data");
  g_autofree char *raw = herald_json_node_dup_string (data);
  g_autofree char *text = NULL;
  Refusal refusal;

  if (raw == NULL)
    raw = herald_json_node_dup_member_string (data, "message");
  if (raw == NULL)
    raw = herald_json_node_dup_member_string (data, "error");
  if (raw == NULL)
    raw = herald_json_node_dup_member_string (root, "message");
  if (raw == NULL)
    {
      herald_feed_malformed (feed, "error without a message");
      return;
    }
  text = dup_server_text (feed, raw);
  refusal = classify_error (raw);
  if (refusal == REFUSAL_NONE)
    {
      /* Counted like a malformed message, and the socket stays: the feed itself still works. */
      herald_feed_malformed (feed, "CoinVoyage error: %s", text ? text : "(withheld)");
      return;
    }
  if (refusal == REFUSAL_SIGNATURE)
    herald_feed_fail (
      feed, text ? g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                                /* TRANSLATORS: %s is CoinVoyage's own explanation */
                                _ ("CoinVoyage refused the signature (%s)"), text)
                 : g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                                        _ ("CoinVoyage refused the signature")));
  else
    herald_feed_fail (
      feed, text ? g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                                /* TRANSLATORS: %s is CoinVoyage's own explanation */
                                _ ("CoinVoyage refused the API key (%s)"), text)
                 : g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                                        _ ("CoinVoyage refused the API key")));
}

/* The stage of a pay order: the type without "payorder_" (webhook docs), else the one its
 * status names (the PayOrder status table). NULL when neither is known. */
static const char *
order_stage (const char *type, const char *status)
{
  static const char *const stages[] = { "created",   "started", "confirming", "executing",
                                        "completed", "error",   "refunded",   "expired" };
  static const struct
  {
    const char *status;
    const char *stage;
  } statuses[] = {
    { "PENDING", "created" },
    { "AWAITING_PAYMENT", "started" },
    { "AWAITING_CONFIRMATION", "confirming" },
    { "OPTIMISTIC_CONFIRMED", "confirming" },
    { "EXECUTING_ORDER", "executing" },
    { "COMPLETED", "completed" },
    { "FAILED", "error" },
    { "ERROR", "error" },
    { "REFUNDED", "refunded" },
    { "EXPIRED", "expired" },
  };

  if (type != NULL)
    {
      for (guint i = 0; g_str_has_prefix (type, "payorder_") && i < G_N_ELEMENTS (stages); i++)
        if (g_str_equal (type + strlen ("payorder_"), stages[i]))
          return stages[i];
      return NULL;
    }
  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (statuses); i++)
    if (g_ascii_strcasecmp (statuses[i].status, status) == 0)
      return statuses[i].stage;
  return NULL;
}

/* The title for a stage with its severity; NULL for a stage Herald does not know. */
static char *
order_title (const char *stage, const char *amount, HeraldSeverity *severity)
{
#define TITLE(with_amount, plain)                                                                  \
  (amount != NULL ? g_strdup_printf (with_amount, amount) : g_strdup (plain))
  *severity = HERALD_SEVERITY_INFO;
  if (stage == NULL)
    return NULL;
  if (g_str_equal (stage, "created"))
    /* TRANSLATORS: %s is an amount, "$12.50" or "12.50 USDC" */
    return TITLE (_ ("Payment order created: %s"), _ ("Payment order created"));
  if (g_str_equal (stage, "started"))
    return TITLE (_ ("Awaiting payment: %s"), _ ("Awaiting payment"));
  if (g_str_equal (stage, "confirming"))
    return TITLE (_ ("Payment confirming: %s"), _ ("Payment confirming"));
  if (g_str_equal (stage, "executing"))
    return TITLE (_ ("Payment processing: %s"), _ ("Payment processing"));
  if (g_str_equal (stage, "completed"))
    return TITLE (_ ("Payment completed: %s"), _ ("Payment completed"));
  *severity = HERALD_SEVERITY_WARNING;
  if (g_str_equal (stage, "refunded"))
    return TITLE (_ ("Payment refunded: %s"), _ ("Payment refunded"));
  if (g_str_equal (stage, "expired"))
    return TITLE (_ ("Payment expired: %s"), _ ("Payment expired"));
  *severity = HERALD_SEVERITY_CRITICAL;
  if (g_str_equal (stage, "error"))
    return TITLE (_ ("Payment failed: %s"), _ ("Payment failed"));
  *severity = HERALD_SEVERITY_INFO;
  return NULL;
#undef TITLE
}

/* ISO 8601 text, or a Unix time in seconds or (when that large) milliseconds. */
static gboolean
read_time (HeraldJsonNode node, gint64 *out_us)
{
  g_autofree char *text = NULL;
  gint64 number;

  if (herald_json_node_get_int64 (node, &number))
    {
      if (number <= 0 || number > G_GINT64_CONSTANT (253402300799999))
        return FALSE;
      *out_us = number < G_GINT64_CONSTANT (100000000000) ? number * G_USEC_PER_SEC : number * 1000;
      return TRUE;
    }
  text = herald_json_node_dup_string (node);
  return herald_parse_iso8601 (text, out_us);
}

/* A currency code: fiat ISO 4217 or a token ticker ("USDC"), upper-cased. */
static char *
dup_currency (HeraldJsonNode node)
{
  g_autofree char *raw = herald_json_node_dup_string (node);
  gsize len = raw ? strlen (raw) : 0;

  if (len < 2 || len > 10)
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (raw[i]))
      return NULL;
  return g_ascii_strup (raw, -1);
}

/* "12.50" USD → "$12.50"; token amounts keep the digits they were sent with: "0.00042 BTC". */
static char *
format_amount (HeraldJsonNode amount, HeraldJsonNode currency_node)
{
  g_autofree char *currency = dup_currency (currency_node);
  g_autofree char *text = NULL;
  const char *raw;
  gsize len;

  if (currency == NULL)
    return NULL;
  if (herald_json_node_type (amount) == HERALD_JSON_STRING)
    text = herald_json_node_dup_string (amount);
  else if (herald_json_node_type (amount) == HERALD_JSON_NUMBER
           && (raw = herald_json_node_raw (amount, &len)))
    text = g_strndup (raw, len);
  return herald_money_format_text (text, -1, currency, HERALD_MONEY_FORMAT_NONE);
}

/* GUESS — everything about the event payload is here. It is undocumented; PROTOCOLS.md reads it
 * as the webhook body {id, type:"payorder_<stage>", status, payorder_id, metadata, payment_data}.
 * The amount is taken from payment_data's destination (what the merchant receives), else its
 * source, else payment_data itself; a payorder_error's explanation from "error" or
 * "error_message"; the time from created_at, timestamp or updated_at. */
static void
emit_order_event (HeraldCoinvoyageFeed *self, HeraldJsonNode data, const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode payment = herald_json_node_member (data, "payment_data");
  HeraldJsonNode error_node = herald_json_node_member (data, "error");
  g_autofree char *id = dup_id (herald_json_node_member (data, "id"));
  g_autofree char *order = dup_id (herald_json_node_member (data, "payorder_id"));
  g_autofree char *type = dup_clean (herald_json_node_member (data, "type"), 64);
  g_autofree char *status = dup_clean (herald_json_node_member (data, "status"), 64);
  g_autofree char *dedupe = NULL;
  g_autofree char *event_type = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *error = NULL;
  const char *sides[] = { "dst", "src" };
  const char *time_members[] = { "created_at", "timestamp", "updated_at" };
  g_autofree char *title = NULL;
  const char *stage;
  HeraldSeverity severity;
  HeraldEvent *event;
  gint64 occurred;

  if (herald_json_node_type (data) != HERALD_JSON_OBJECT)
    {
      herald_feed_malformed (feed, "event without a payload");
      return;
    }
  if (order == NULL)
    order = dup_id (herald_json_node_member (data, "order_id"));
  if (id == NULL && (order == NULL || (type == NULL && status == NULL)))
    {
      herald_feed_malformed (feed, "event without an id or an order");
      return;
    }
  dedupe = id ? g_strdup (id) : g_strdup_printf ("payorder:%s:%s", order, type ? type : status);

  stage = order_stage (type, status);
  if (type != NULL)
    event_type = g_strdup (type);
  else if (stage != NULL)
    event_type = g_strconcat ("payorder_", stage, NULL);
  else
    event_type = g_strdup ("event");

  for (guint i = 0; amount == NULL && i < G_N_ELEMENTS (sides); i++)
    {
      HeraldJsonNode side = herald_json_node_member (payment, sides[i]);

      amount = format_amount (herald_json_node_member (side, "amount"),
                              herald_json_node_member (side, "currency"));
    }
  if (amount == NULL)
    amount = format_amount (herald_json_node_member (payment, "amount"),
                            herald_json_node_member (payment, "currency"));

  event = herald_feed_new_event (feed, event_type, dedupe, frame, length);
  if (order != NULL)
    herald_event_take_object_id (event, g_strconcat ("payorder:", order, NULL));
  herald_event_set_category (event, HERALD_CATEGORY_ORDER);
  title = order_title (stage, amount, &severity);
  if (title == NULL)
    {
      /* A stage Herald does not know: its message is kept, it is all there is to know. */
      herald_event_set_unknown_type (event, TRUE);
      /* TRANSLATORS: %s is an event type or status CoinVoyage sent */
      title = g_strdup_printf (_ ("Payment order update: %s"), type ? type : status);
    }
  herald_event_take_title (event, g_steal_pointer (&title));
  herald_event_set_severity (event, severity);

  if (herald_json_node_type (error_node) == HERALD_JSON_OBJECT)
    error_node = herald_json_node_member (error_node, "message");
  error = dup_clean (error_node, MAX_TEXT_CHARS);
  if (error == NULL)
    error = dup_clean (herald_json_node_member (data, "error_message"), MAX_TEXT_CHARS);
  if (order != NULL && error != NULL)
    /* TRANSLATORS: first %s is a pay order id, second what went wrong */
    herald_event_take_body (event, g_strdup_printf (_ ("Order %s\n%s"), order, error));
  else if (order != NULL)
    /* TRANSLATORS: %s is a pay order id */
    herald_event_take_body (event, g_strdup_printf (_ ("Order %s"), order));
  else if (error != NULL)
    herald_event_set_body (event, error);

  for (guint i = 0; i < G_N_ELEMENTS (time_members); i++)
    if (read_time (herald_json_node_member (data, time_members[i]), &occurred))
      {
        herald_event_set_occurred (event, occurred);
        break;
      }
  herald_feed_emit (feed, event);
}

/* A message type Herald does not know yet is kept, not dropped: the user may care. */
static void
emit_unknown (HeraldCoinvoyageFeed *self, const char *type, const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);

  herald_feed_emit (feed, herald_feed_new_unknown_event (feed, type, frame, length));
}

static void
herald_coinvoyage_feed_receive (HeraldFeed *feed, const char *data, gsize length)
{
  HeraldCoinvoyageFeed *self = HERALD_COINVOYAGE_FEED (feed);
  g_autofree char *type = NULL;
  HeraldJsonNode root;
  HeraldJsonNode type_node;

  root = herald_feed_parse_json (feed, data, length);
  if (herald_json_node_type (root) == HERALD_JSON_NONE)
    return;
  type_node = herald_json_node_member (root, "type");
  if (herald_json_node_type (type_node) != HERALD_JSON_STRING)
    {
      herald_feed_malformed (feed, "message without a type");
      return;
    }

  if (herald_json_node_string_equal (type_node, "event"))
    emit_order_event (self, herald_json_node_member (root, "data"), data, length);
  else if (herald_json_node_string_equal (type_node, "connected"))
    {
      /* Once per socket: a repeated "connected" must not double the subscriptions. */
      if (!self->authenticated)
        subscribe (self);
      self->authenticated = TRUE;
      /* The answer to our connect: CoinVoyage took the key (and the signature, if sent). */
      herald_feed_authenticated (feed);
    }
  else if (herald_json_node_string_equal (type_node, "subscription"))
    {
      g_autofree char *scope = dup_clean (herald_json_node_path (root, "data", "scope", NULL), 32);
      g_autofree char *status
        = dup_clean (herald_json_node_path (root, "data", "status", NULL), 32);

      g_debug ("%s: %s subscription %s", herald_feed_get_account_id (feed), scope ? scope : "?",
               status ? status : "?");
    }
  else if (herald_json_node_string_equal (type_node, "error"))
    handle_error (self, root);
  else
    {
      type = dup_clean (type_node, 64);
      if (type == NULL)
        {
          herald_feed_malformed (feed, "message with an empty type");
          return;
        }
      emit_unknown (self, type, data, length);
    }
}

static HeraldCloseAction
herald_coinvoyage_feed_closed (HeraldFeed *feed, gushort code, const char *reason,
                               char **out_reason)
{
  HeraldCoinvoyageFeed *self = HERALD_COINVOYAGE_FEED (feed);

  /* Guess: a close before "connected" answers our connect, the only thing we sent; with a
   * policy or auth code it is a refusal even when no error message came first. */
  if (!self->authenticated
      && (code == SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION || code == 4001 || code == 4003))
    {
      *out_reason = g_strdup (_ ("CoinVoyage refused the API key"));
      return HERALD_CLOSE_ATTENTION;
    }
  return HERALD_CLOSE_RECONNECT;
}

static void
herald_coinvoyage_feed_class_init (HeraldCoinvoyageFeedClass *klass)
{
  HeraldFeedClass *feed_class = HERALD_FEED_CLASS (klass);

  feed_class->build_request = herald_coinvoyage_feed_build_request;
  feed_class->opened = herald_coinvoyage_feed_opened;
  feed_class->receive = herald_coinvoyage_feed_receive;
  feed_class->closed = herald_coinvoyage_feed_closed;
}

static void
herald_coinvoyage_feed_init (HeraldCoinvoyageFeed *self)
{
  const HeraldFeedTiming timing = {
    .liveness_ms = LIVENESS_MS,
    .keepalive_s = KEEPALIVE_S,
  };

  herald_feed_set_timing (HERALD_FEED (self), &timing);
}
