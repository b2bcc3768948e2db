/* herald-skinshark-feed.c — the SkinShark protocol (PROTOCOLS.md, seed 000): a ws-token minted
 * over REST, a read-only socket that must never be written to, trade and deposit pushes.
 *
 * Dedupe ids, built from SkinShark's own ids so a replayed push maps to the same event:
 *   trade.<status>   "trade:<trade id>:<status>"
 *   deposit.<stage>  "deposit:<fundingId, or depositId for self-hosted crypto>:<event name>"
 *   system.notice    "notice:<ts>:<first 12 hex digits of the SHA-256 of the message>"
 *   anything else    "raw:<SHA-256 of the frame>"
 *
 * Liveness: the server's WebSocket pings are answered inside libsoup and never reach us, and
 * we may not send pings of our own (any frame closes the socket with 4002). So the feed's
 * timing asks the engine for TCP keepalive and for a transport silence window: the kernel's
 * "last data received", which the server's pings keep fresh, must stay within it.
 *
 * Renewal: SkinShark checks a token only on the upgrade and has no catch-up, so a healthy
 * socket is never closed to renew one. Shortly before the token lapses the next one is minted
 * in the background on the connection's own session and kept for the next attempt; the open
 * socket stays. Should the server then close it with 4001 because the old token lapsed, the
 * socket reconnects with the ready token at once. */
#define G_LOG_DOMAIN "herald-skinshark"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-secret.h"
#include "herald-format.h"
#include "herald-json.h"
#include "herald-skinshark-feed.h"

#define CLOSE_TOKEN_REFUSED 4001
#define CLOSE_READ_ONLY 4002

#define MINT_PATH "/auth/ws-token"
#define SOCKET_PATH "/ws"
#define BEARER_PREFIX "bearer."

/* A token is renewed this long before it lapses (a quarter of its life when that is shorter). */
#define RENEW_MARGIN_S 60
/* What an unreadable expiresIn is taken to mean: the documented ~1 h. */
#define DEFAULT_LIFETIME_S 3600
#define DEFAULT_RETRY_AFTER_S 60
#define MAX_RETRY_AFTER_S 3600
/* A renewal that failed is tried again after a quarter of the margin, within these bounds:
 * several tries before the old token lapses, and never a burst against the mint. */
#define MIN_RENEW_RETRY_S 1
#define MAX_RENEW_RETRY_S 15

/* How often the heartbeat looks whether the token is due for renewal. */
#define CHECK_INTERVAL_MS 5000
/* Guess: SkinShark does not publish its ping interval. 30 s is the usual server default, so
 * 75 s without a single byte means at least two pings went missing. */
#define SILENCE_LIMIT_MS 75000
#define TCP_KEEPALIVE_IDLE_S 45

#define MAX_NAME_CHARS 80
#define MAX_TEXT_CHARS 300
#define MAX_ID_CHARS 200

struct _HeraldSkinsharkFeed
{
  HeraldFeed parent_instance;

  char *token;
  gint64 renew_at_us;   /* wall clock, so a suspended laptop still renews in time */
  gboolean token_stale; /* refused, on a socket or by a renewal's mint: mint anew */
  gboolean token_fresh; /* minted for the attempt in progress, or never offered to the server */
  guint token_serial;   /* counts the tokens taken, to tell them apart without a copy */
  guint socket_serial;  /* the token the latest upgrade request carried */
  gboolean use_query;   /* the server ignored the subprotocol: the documented ?token= fallback */

  SoupSession *session;     /* the connection's, from prepare_async: renewals go through it */
  GCancellable *renewing;   /* a background renewal in flight */
  gboolean minting;         /* prepare_async's own mint in flight */
  gint64 renew_retry_at_us; /* wall clock: no renewal before then, after one failed */
  guint renew_retry_s;

  gboolean accepted; /* the server's "connected" frame came on this socket */
  guint refusals;    /* 4001s without a working session in between */
};

G_DEFINE_FINAL_TYPE (HeraldSkinsharkFeed, herald_skinshark_feed, HERALD_TYPE_FEED)

/* --- small readers --- */

/* A provider id as text: strings as sent (cleaned), integers in decimal; NULL otherwise. */
static char *
dup_id (HeraldJsonNode node)
{
  g_autofree char *raw = NULL;
  g_autofree char *text = NULL;
  gint64 number;

  if (herald_json_node_get_int64 (node, &number))
    return g_strdup_printf ("%" G_GINT64_FORMAT, number);
  raw = herald_json_node_dup_string (node);
  if (raw == NULL)
    return NULL;
  text = herald_format_clean_text (raw, MAX_ID_CHARS);
  return *text ? g_steal_pointer (&text) : NULL;
}

static char *
dup_clean (HeraldJsonNode node, guint max_chars)
{
  g_autofree char *raw = herald_json_node_dup_string (node);

  if (raw == NULL)
    return NULL;
  return herald_format_clean_text (raw, max_chars);
}

/* ISO 8601 text, or Unix milliseconds as SkinShark's `ts` is. */
static gboolean
read_time (HeraldJsonNode node, gint64 *out_us)
{
  g_autofree char *text = NULL;
  double ms;

  if (herald_json_node_type (node) == HERALD_JSON_NUMBER)
    {
      if (!herald_json_node_get_double (node, &ms) || ms <= 0 || ms > 253402300799000.0)
        return FALSE;
      *out_us = (gint64)ms * 1000;
      return TRUE;
    }
  text = herald_json_node_dup_string (node);
  return herald_parse_iso8601 (text, out_us);
}

/* A three-letter ISO 4217 code, upper-cased; NULL for anything else. */
static char *
dup_currency (HeraldJsonNode node)
{
  g_autofree char *raw = herald_json_node_dup_string (node);

  if (raw == NULL || strlen (raw) != 3 || !g_ascii_isalpha (raw[0]) || !g_ascii_isalpha (raw[1])
      || !g_ascii_isalpha (raw[2]))
    return NULL;
  return g_ascii_strup (raw, -1);
}

/* A decimal amount in major units, as a JSON number or string. */
static char *
format_decimal_node (HeraldJsonNode node, const char *currency)
{
  g_autofree char *text = NULL;
  const char *raw;
  gsize len;

  if (herald_json_node_type (node) == HERALD_JSON_STRING)
    text = herald_json_node_dup_string (node);
  else if (herald_json_node_type (node) == HERALD_JSON_NUMBER
           && (raw = herald_json_node_raw (node, &len)))
    text = g_strndup (raw, len);
  return herald_format_decimal (text, currency);
}

/* ASSUMPTION — the one place it is made: SkinShark does not document the unit of a trade's
 * totalPrice. A whole JSON number is read as minor units (cents); a number with a fraction
 * or a string as a decimal amount in major units ("21.50"). A trade without a currency is in
 * US dollars, the API's default. */
static char *
format_trade_money (HeraldJsonNode amount, const char *currency)
{
  gint64 cents;

  if (herald_json_node_get_int64 (amount, &cents))
    return herald_format_cents (cents, currency);
  return format_decimal_node (amount, currency);
}

static char *
short_hash (const char *text)
{
  g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

  return g_strndup (checksum, 12);
}

/* The first @n_facts parts on one line joined with " · ", each later part on a line of its
 * own (an error, a reason). NULL when there are none. */
static char *
join_lines (GPtrArray *parts, guint n_facts)
{
  GString *body = g_string_new (NULL);

  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        g_string_append (body, i < n_facts ? " · " : "\n");
      g_string_append (body, g_ptr_array_index (parts, i));
    }
  if (body->len == 0)
    {
      g_string_free (body, TRUE);
      return NULL;
    }
  return g_string_free (body, FALSE);
}

/* --- events --- */

/* The title for a trade status with its severity; NULL for a status Herald does not know. */
static char *
trade_title (const char *status, const char *items, HeraldSeverity *severity)
{
#define TITLE(with_items, plain)                                                                   \
  (items != NULL ? g_strdup_printf (with_items, items) : g_strdup (plain))
  *severity = HERALD_SEVERITY_INFO;
  if (g_str_equal (status, "initiated"))
    /* TRANSLATORS: %s names the items traded: "AK-47 | Redline (Field-Tested) and 2 more" */
    return TITLE (_ ("Trade started: %s"), _ ("Trade started"));
  if (g_str_equal (status, "pending"))
    return TITLE (_ ("Trade pending: %s"), _ ("Trade pending"));
  if (g_str_equal (status, "active"))
    return TITLE (_ ("Trade active: %s"), _ ("Trade active"));
  if (g_str_equal (status, "completed"))
    return TITLE (_ ("Trade completed: %s"), _ ("Trade completed"));
  *severity = HERALD_SEVERITY_WARNING;
  if (g_str_equal (status, "hold"))
    return TITLE (_ ("Trade on hold: %s"), _ ("Trade on hold"));
  if (g_str_equal (status, "canceled") || g_str_equal (status, "cancelled"))
    return TITLE (_ ("Trade canceled: %s"), _ ("Trade canceled"));
  if (g_str_equal (status, "declined"))
    return TITLE (_ ("Trade declined: %s"), _ ("Trade declined"));
  *severity = HERALD_SEVERITY_CRITICAL;
  if (g_str_equal (status, "failed"))
    return TITLE (_ ("Trade failed: %s"), _ ("Trade failed"));
  if (g_str_equal (status, "reverted"))
    return TITLE (_ ("Trade reverted: %s"), _ ("Trade reverted"));
  *severity = HERALD_SEVERITY_INFO;
  return NULL;
#undef TITLE
}

static char *
dup_item_name (HeraldJsonNode item)
{
  char *name = dup_clean (herald_json_node_member (item, "name"), MAX_NAME_CHARS);

  if (name == NULL || *name == '\0')
    {
      g_free (name);
      name = dup_clean (herald_json_node_member (item, "marketHashName"), MAX_NAME_CHARS);
    }
  if (name != NULL && *name == '\0')
    g_clear_pointer (&name, g_free);
  return name;
}

/* The trade's error, else the first item's: a string or an object with a message. */
static char *
dup_trade_error (HeraldJsonNode trade, HeraldJsonNode items)
{
  HeraldJsonNode error = herald_json_node_member (trade, "error");
  guint n_items = herald_json_node_length (items);
  char *text;

  if (herald_json_node_type (error) == HERALD_JSON_OBJECT)
    error = herald_json_node_member (error, "message");
  text = dup_clean (error, MAX_TEXT_CHARS);
  for (guint i = 0; (text == NULL || *text == '\0') && i < n_items; i++)
    {
      g_free (text);
      text = dup_clean (herald_json_node_member (herald_json_node_element (items, i), "error"),
                        MAX_TEXT_CHARS);
    }
  if (text != NULL && *text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static void
emit_trade (HeraldSkinsharkFeed *self, const char *name, HeraldJsonNode data, gint64 ts_us,
            const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode items = herald_json_node_member (data, "items");
  g_autofree char *id = dup_id (herald_json_node_member (data, "id"));
  g_autofree char *status = g_ascii_strdown (name + strlen ("trade."), -1);
  g_autofree char *first_item = NULL;
  g_autofree char *items_text = NULL;
  g_autofree char *side = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *total = NULL;
  g_autofree char *error = NULL;
  g_autofree char *dedupe = NULL;
  g_autofree char *title = NULL;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  HeraldSeverity severity;
  HeraldEvent *event;
  guint n_items = 0;
  guint n_lines;
  gint64 occurred;

  if (herald_json_node_type (data) != HERALD_JSON_OBJECT || id == NULL)
    {
      herald_feed_malformed (feed, "%s without a trade id", name);
      return;
    }
  if (*status == '\0')
    {
      g_free (status);
      status = dup_clean (herald_json_node_member (data, "status"), 32);
      if (status == NULL || *status == '\0')
        {
          herald_feed_malformed (feed, "trade event without a status");
          return;
        }
    }

  if (herald_json_node_type (items) == HERALD_JSON_ARRAY)
    n_items = herald_json_node_length (items);
  for (guint i = 0; first_item == NULL && i < n_items; i++)
    first_item = dup_item_name (herald_json_node_element (items, i));
  if (first_item != NULL && n_items > 1)
    /* TRANSLATORS: "AK-47 | Redline (Field-Tested) and 2 more" */
    items_text = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%s and %u more", "%s and %u more", n_items - 1), first_item,
      n_items - 1);
  else
    items_text = g_steal_pointer (&first_item);

  dedupe = g_strdup_printf ("trade:%s:%s", id, status);
  event = herald_feed_new_event (feed, name, dedupe, frame, length);
  herald_event_set_category (event, HERALD_CATEGORY_TRADE);
  title = trade_title (status, items_text, &severity);
  if (title == NULL)
    {
      /* A status Herald does not know: its message is kept, it is all there is to know. */
      herald_event_set_unknown_type (event, TRUE);
      title = items_text != NULL
                /* TRANSLATORS: first %s is a trade status SkinShark sent, second the items */
                ? g_strdup_printf (_ ("Trade %s: %s"), status, items_text)
                /* TRANSLATORS: %s is a trade status SkinShark sent */
                : g_strdup_printf (_ ("Trade %s"), status);
    }
  herald_event_take_title (event, g_steal_pointer (&title));
  herald_event_set_severity (event, severity);

  side = herald_json_node_dup_member_string (data, "type");
  if (g_strcmp0 (side, "buy") == 0)
    g_ptr_array_add (parts, g_strdup (_ ("Buy")));
  else if (g_strcmp0 (side, "sell") == 0)
    g_ptr_array_add (parts, g_strdup (_ ("Sell")));
  currency = herald_json_node_type (herald_json_node_member (data, "currency")) == HERALD_JSON_NONE
               ? g_strdup ("USD")
               : dup_currency (herald_json_node_member (data, "currency"));
  if (currency != NULL
      && (total = format_trade_money (herald_json_node_member (data, "totalPrice"), currency)))
    /* TRANSLATORS: %s is an amount of money, "$21.50" */
    g_ptr_array_add (parts, g_strdup_printf (_ ("Total %s"), total));
  if (n_items > 0)
    g_ptr_array_add (
      parts,
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u item", "%u items", n_items), n_items));
  error = dup_trade_error (data, items);
  n_lines = parts->len;
  if (error != NULL)
    g_ptr_array_add (parts, g_steal_pointer (&error));
  herald_event_take_body (event, join_lines (parts, n_lines));

  if (read_time (herald_json_node_member (data, "updatedAt"), &occurred)
      || read_time (herald_json_node_member (data, "createdAt"), &occurred))
    herald_event_set_occurred (event, occurred);
  else if (ts_us > 0)
    herald_event_set_occurred (event, ts_us);
  herald_feed_emit (feed, event);
}

/* The title for a deposit stage with its severity; NULL for a stage Herald does not know. */
static char *
deposit_title (const char *stage, const char *amount, HeraldSeverity *severity)
{
#define TITLE(with_amount, plain)                                                                  \
  (amount != NULL ? g_strdup_printf (with_amount, amount) : g_strdup (plain))
  *severity = HERALD_SEVERITY_INFO;
  if (g_str_equal (stage, "transfer"))
    /* TRANSLATORS: %s is an amount of money, "$25.00" */
    return TITLE (_ ("Deposit on its way: %s"), _ ("Deposit on its way"));
  if (g_str_equal (stage, "pending"))
    return TITLE (_ ("Deposit pending: %s"), _ ("Deposit pending"));
  if (g_str_equal (stage, "completed"))
    return TITLE (_ ("Deposit completed: %s"), _ ("Deposit completed"));
  *severity = HERALD_SEVERITY_WARNING;
  if (g_str_equal (stage, "refunded"))
    return TITLE (_ ("Deposit refunded: %s"), _ ("Deposit refunded"));
  *severity = HERALD_SEVERITY_CRITICAL;
  if (g_str_equal (stage, "failed"))
    return TITLE (_ ("Deposit failed: %s"), _ ("Deposit failed"));
  *severity = HERALD_SEVERITY_INFO;
  return NULL;
#undef TITLE
}

/* Gateway deposits carry fundingId and USD amounts; self-hosted crypto carries depositId,
 * chain, token and cents (the seed's table). */
static void
emit_deposit (HeraldSkinsharkFeed *self, const char *name, HeraldJsonNode data, gint64 ts_us,
              const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode transfer = herald_json_node_member (data, "transfer");
  g_autofree char *id = dup_id (herald_json_node_member (data, "fundingId"));
  g_autofree char *amount = NULL;
  g_autofree char *chain = NULL;
  g_autofree char *token = NULL;
  g_autofree char *transfer_amount = NULL;
  g_autofree char *tx_hash = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *dedupe = NULL;
  g_autofree char *title = NULL;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *stage = name + strlen ("deposit.");
  HeraldSeverity severity;
  HeraldEvent *event;
  guint n_lines;
  gint64 cents;
  gint64 occurred;
  const char *raw;
  gsize raw_len;

  if (id == NULL)
    id = dup_id (herald_json_node_member (data, "depositId"));
  if (herald_json_node_type (data) != HERALD_JSON_OBJECT || id == NULL)
    {
      herald_feed_malformed (feed, "%s without a fundingId or depositId", name);
      return;
    }

  if (herald_json_node_get_int64 (herald_json_node_member (data, "amountUsdCents"), &cents))
    amount = herald_format_cents (cents, "USD");
  else
    amount = format_decimal_node (herald_json_node_member (data, "receiveAmountUsd"), "USD");

  chain = dup_clean (herald_json_node_member (data, "chain"), 40);
  token = dup_clean (herald_json_node_member (data, "token"), 20);
  if (chain == NULL)
    chain = dup_clean (herald_json_node_member (transfer, "chain"), 40);
  tx_hash = dup_clean (herald_json_node_member (transfer, "txHash"), MAX_NAME_CHARS);
  if (tx_hash == NULL)
    tx_hash = dup_clean (herald_json_node_member (data, "txHash"), MAX_NAME_CHARS);
  /* The transfer's amount is in the paying token, whose unit SkinShark does not name. */
  raw = herald_json_node_type (herald_json_node_member (transfer, "amount")) == HERALD_JSON_NUMBER
          ? herald_json_node_raw (herald_json_node_member (transfer, "amount"), &raw_len)
          : NULL;
  if (raw != NULL)
    transfer_amount = g_strndup (raw, raw_len);

  dedupe = g_strdup_printf ("deposit:%s:%s", id, name);
  event = herald_feed_new_event (feed, name, dedupe, frame, length);
  herald_event_set_category (event, HERALD_CATEGORY_DEPOSIT);
  title = deposit_title (stage, amount, &severity);
  if (title == NULL)
    {
      herald_event_set_unknown_type (event, TRUE);
      /* TRANSLATORS: %s is a deposit stage SkinShark sent */
      title = g_strdup_printf (_ ("Deposit update: %s"), stage);
    }
  herald_event_take_title (event, g_steal_pointer (&title));
  herald_event_set_severity (event, severity);

  if (transfer_amount != NULL && chain != NULL)
    /* TRANSLATORS: "25.5 on polygon": an amount and the blockchain it moves on */
    g_ptr_array_add (parts, g_strdup_printf (_ ("%s on %s"), transfer_amount, chain));
  else if (token != NULL && chain != NULL)
    /* TRANSLATORS: "USDC on polygon": a token and the blockchain it moves on */
    g_ptr_array_add (parts, g_strdup_printf (_ ("%s on %s"), token, chain));
  else if (chain != NULL)
    g_ptr_array_add (parts, g_strdup (chain));
  if (tx_hash != NULL)
    /* TRANSLATORS: %s is a blockchain transaction hash */
    g_ptr_array_add (parts, g_strdup_printf (_ ("Transaction %s"), tx_hash));
  reason = dup_clean (herald_json_node_member (data, "reason"), MAX_TEXT_CHARS);
  n_lines = parts->len;
  if (reason != NULL && *reason != '\0')
    g_ptr_array_add (parts, g_steal_pointer (&reason));
  herald_event_take_body (event, join_lines (parts, n_lines));

  if (read_time (herald_json_node_member (data, "completedAt"), &occurred))
    herald_event_set_occurred (event, occurred);
  else if (ts_us > 0)
    herald_event_set_occurred (event, ts_us);
  herald_feed_emit (feed, event);
}

static void
emit_notice (HeraldSkinsharkFeed *self, HeraldJsonNode data, HeraldJsonNode ts, gint64 ts_us,
             const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  g_autofree char *raw_message = herald_json_node_dup_member_string (data, "message");
  g_autofree char *severity = herald_json_node_dup_member_string (data, "severity");
  g_autofree char *message = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *dedupe = NULL;
  HeraldEvent *event;
  gint64 ts_ms = 0;

  if (raw_message == NULL || *raw_message == '\0')
    {
      herald_feed_malformed (feed, "system.notice without a message");
      return;
    }
  message = herald_format_clean_text (raw_message, MAX_TEXT_CHARS);
  hash = short_hash (raw_message);
  if (!herald_json_node_get_int64 (ts, &ts_ms))
    ts_ms = 0;
  dedupe = g_strdup_printf ("notice:%" G_GINT64_FORMAT ":%s", ts_ms, hash);

  event = herald_feed_new_event (feed, "system.notice", dedupe, frame, length);
  herald_event_set_category (event, HERALD_CATEGORY_SYSTEM);
  if (g_strcmp0 (severity, "critical") == 0)
    {
      herald_event_set_severity (event, HERALD_SEVERITY_CRITICAL);
      herald_event_set_title (event, _ ("SkinShark alert"));
    }
  else if (g_strcmp0 (severity, "warning") == 0)
    {
      herald_event_set_severity (event, HERALD_SEVERITY_WARNING);
      herald_event_set_title (event, _ ("SkinShark warning"));
    }
  else
    herald_event_set_title (event, _ ("SkinShark notice"));
  herald_event_set_body (event, message);
  if (ts_us > 0)
    herald_event_set_occurred (event, ts_us);
  herald_feed_emit (feed, event);
}

/* An event Herald does not know yet is kept, not dropped: the user may care. */
static void
emit_unknown (HeraldSkinsharkFeed *self, const char *name, gint64 ts_us, const char *frame,
              gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldEvent *event = herald_feed_new_unknown_event (feed, name, frame, length);

  if (ts_us > 0)
    herald_event_set_occurred (event, ts_us);
  herald_feed_emit (feed, event);
}

static void
herald_skinshark_feed_receive (HeraldFeed *feed, const char *data, gsize length)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);
  g_autofree char *raw_name = NULL;
  g_autofree char *name = NULL;
  HeraldJsonNode root;
  HeraldJsonNode payload;
  HeraldJsonNode ts;
  gint64 ts_us = 0;

  root = herald_feed_parse_json (feed, data, length);
  if (herald_json_node_type (root) == HERALD_JSON_NONE)
    return;
  raw_name = herald_json_node_dup_member_string (root, "event");
  name = herald_format_clean_text (raw_name, 64);
  if (*name == '\0')
    {
      herald_feed_malformed (feed, "message without an event name");
      return;
    }
  payload = herald_json_node_member (root, "data");
  ts = herald_json_node_member (root, "ts");
  if (!read_time (ts, &ts_us))
    ts_us = 0;

  if (g_str_equal (name, "connected"))
    {
      self->accepted = TRUE;
      g_debug ("%s: the server accepted the token", herald_feed_get_account_id (feed));
      return;
    }
  self->refusals = 0;
  if (g_str_has_prefix (name, "trade."))
    emit_trade (self, name, payload, ts_us, data, length);
  else if (g_str_has_prefix (name, "deposit.") && name[strlen ("deposit.")] != '\0')
    emit_deposit (self, name, payload, ts_us, data, length);
  else if (g_str_equal (name, "system.notice"))
    emit_notice (self, payload, ts, ts_us, data, length);
  else
    emit_unknown (self, name, ts_us, data, length);
}

/* --- the token --- */

gboolean
herald_skinshark_parse_lifetime (const char *text, guint64 *out_seconds)
{
  guint64 total = 0;
  const char *p = text;

  if (text == NULL || *text == '\0')
    return FALSE;
  if (g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, out_seconds, NULL))
    return TRUE;
  while (*p != '\0')
    {
      guint64 value = 0;
      guint64 unit;
      const char *start = p;

      while (g_ascii_isdigit (*p))
        {
          value = value * 10 + (guint64)(*p - '0');
          if (value > G_MAXUINT32)
            return FALSE;
          p++;
        }
      if (p == start)
        return FALSE;
      switch (*p)
        {
        case 'd':
          unit = 86400;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'm':
          unit = 60;
          break;
        case 's':
          unit = 1;
          break;
        default:
          return FALSE;
        }
      p++;
      total += value * unit;
      if (total > G_MAXUINT32)
        return FALSE;
    }
  if (total == 0)
    return FALSE;
  *out_seconds = total;
  return TRUE;
}

static void
take_token (HeraldSkinsharkFeed *self, char *token, guint64 lifetime_s)
{
  guint64 margin_s = MIN (RENEW_MARGIN_S, lifetime_s / 4);

  herald_secret_wipe_free (self->token);
  self->token = token;
  self->renew_at_us = g_get_real_time () + (gint64)(lifetime_s - margin_s) * G_USEC_PER_SEC;
  self->renew_retry_at_us = 0;
  self->renew_retry_s = (guint)CLAMP (margin_s / 4, MIN_RENEW_RETRY_S, MAX_RENEW_RETRY_S);
  self->token_stale = FALSE;
  self->token_fresh = TRUE;
  self->token_serial++;
}

static gboolean
token_usable (HeraldSkinsharkFeed *self)
{
  return self->token != NULL && !self->token_stale && g_get_real_time () < self->renew_at_us;
}

/* Guess: SkinShark publishes its error envelope and 1005 RATE_LIMITED, not the keys of its
 * authentication errors; these are the words such keys are made of. 401/403 are certain. */
static gboolean
mint_refused (guint status, const char *key)
{
  static const char *const words[]
    = { "AUTH", "API_KEY", "APIKEY", "UNAUTHORI", "FORBIDDEN", "INVALID_KEY" };
  g_autofree char *upper = key ? g_ascii_strup (key, -1) : NULL;

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    return TRUE;
  for (guint i = 0; upper != NULL && i < G_N_ELEMENTS (words); i++)
    if (strstr (upper, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

static guint
read_retry_after_ms (SoupMessage *message)
{
  const char *value
    = soup_message_headers_get_one (soup_message_get_response_headers (message), "retry-after");
  g_autofree char *text = g_strstrip (g_strdup (value ? value : ""));
  g_autoptr (GDateTime) when = NULL;
  g_autoptr (GDateTime) now = NULL;
  guint64 seconds = DEFAULT_RETRY_AFTER_S;

  /* Seconds, or an HTTP date; anything else keeps the default. */
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &seconds, NULL)
      && (when = soup_date_time_new_from_http_string (text)) != NULL)
    {
      now = g_date_time_new_now_utc ();
      seconds = (guint64)MAX (g_date_time_difference (when, now) / G_USEC_PER_SEC, 0);
    }
  return (guint)MIN (seconds, MAX_RETRY_AFTER_S) * 1000;
}

/* The server's own words, shown only cleaned, short, and when no secret of ours is in them. */
static char *
dup_server_message (HeraldSkinsharkFeed *self, const char *raw)
{
  const char *key = herald_feed_get_credential (HERALD_FEED (self), "api-key");
  g_autofree char *clean = NULL;

  if (raw == NULL || (key != NULL && *key != '\0' && strstr (raw, key) != NULL)
      || (self->token != NULL && strstr (raw, self->token) != NULL))
    return NULL;
  clean = herald_format_clean_text (raw, 160);
  return *clean ? g_steal_pointer (&clean) : NULL;
}

/* Reads the mint's answer: NULL once a token is stored, else why not. */
static GError *
read_mint_answer (HeraldSkinsharkFeed *self, SoupMessage *message, GBytes *body)
{
  HeraldJsonDoc *doc = herald_feed_get_json_doc (HERALD_FEED (self));
  g_autofree char *key = NULL;
  g_autofree char *raw_message = NULL;
  g_autofree char *server_message = NULL;
  g_autofree char *expires_text = NULL;
  char *token;
  guint status = soup_message_get_status (message);
  HeraldJsonNode root = HERALD_JSON_NODE_NONE;
  HeraldJsonNode error;
  HeraldJsonNode expires;
  gboolean success = FALSE;
  gint64 code = 0;
  gint64 number;
  guint64 lifetime = DEFAULT_LIFETIME_S;
  gsize size;
  const char *bytes = g_bytes_get_data (body, &size);

  if (bytes != NULL && herald_json_doc_parse (doc, bytes, size, NULL))
    root = herald_json_doc_root (doc);
  herald_json_node_get_boolean (herald_json_node_member (root, "success"), &success);
  error = herald_json_node_member (root, "error");
  key = herald_json_node_dup_member_string (error, "key");
  herald_json_node_get_int64 (herald_json_node_member (error, "code"), &code);
  raw_message = herald_json_node_dup_member_string (error, "message");
  server_message = dup_server_message (self, raw_message);
  g_debug ("%s: ws-token answer HTTP %u, success %d, error %" G_GINT64_FORMAT " %s",
           herald_feed_get_account_id (HERALD_FEED (self)), status, success, code, key ? key : "-");

  if (status == 429 /* Too Many Requests */ || code == 1005 || g_strcmp0 (key, "RATE_LIMITED") == 0)
    {
      herald_feed_set_retry_after_ms (HERALD_FEED (self), read_retry_after_ms (message));
      return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_RATE_LIMITED,
                                  _ ("SkinShark asks to slow down"));
    }
  if (mint_refused (status, key))
    return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                                _ ("SkinShark refused the API key"));
  if (status >= 500 || status == SOUP_STATUS_REQUEST_TIMEOUT || status < 200 || status >= 300)
    {
      if (status >= 400 && status < 500 && status != SOUP_STATUS_REQUEST_TIMEOUT)
        /* The request itself is wrong (an unknown sub-user, say): retrying cannot help. */
        return server_message
                 ? g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                                /* TRANSLATORS: %s is SkinShark's own explanation */
                                _ ("SkinShark would not issue an access token: %s"), server_message)
                 : g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                                _ ("SkinShark would not issue an access token (HTTP %u)"), status);
      return g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                          _ ("SkinShark could not issue an access token (HTTP %u)"), status);
    }

  token = herald_json_node_dup_string (herald_json_node_path (root, "data", "token", NULL));
  if (!success || token == NULL || *token == '\0')
    {
      herald_secret_wipe_free (token);
      return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_PROTOCOL,
                                  _ ("SkinShark answered without an access token"));
    }
  expires = herald_json_node_path (root, "data", "expiresIn", NULL);
  expires_text = herald_json_node_dup_string (expires);
  if (herald_json_node_get_int64 (expires, &number) && number > 0)
    lifetime = (guint64)MIN (number, G_MAXUINT32);
  else if (!herald_skinshark_parse_lifetime (expires_text, &lifetime))
    {
      g_debug ("unreadable expiresIn; assuming %u s", DEFAULT_LIFETIME_S);
      lifetime = DEFAULT_LIFETIME_S;
    }
  take_token (self, token, lifetime);
  return NULL;
}

static GError *
classify_transport_error (const GError *error, SoupMessage *message)
{
  g_debug ("ws-token request failed: %s", error->message);
  if (error->domain == G_TLS_ERROR || soup_message_get_tls_peer_certificate_errors (message) != 0)
    return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                                _ ("The server’s security certificate could not be verified"));
  return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                              _ ("Could not reach SkinShark for an access token"));
}

static void
minted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  HeraldSkinsharkFeed *self = g_task_get_source_object (task);
  SoupMessage *message = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  GError *failure;

  self->minting = FALSE;
  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, classify_transport_error (error, message));
      return;
    }
  failure = read_mint_answer (self, message, body);
  if (failure != NULL)
    g_task_return_error (task, failure);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
header_value_valid (const char *value)
{
  for (const char *p = value; *p; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* The POST that mints a ws-token for the account's sub-user. */
static SoupMessage *
new_mint_message (HeraldSkinsharkFeed *self, GError **error)
{
  HeraldFeed *feed = HERALD_FEED (self);
  const char *key = herald_feed_get_credential (feed, "api-key");
  const char *sub_user = herald_account_get_option (herald_feed_get_account (feed), "sub-user");
  g_autofree char *uri = NULL;
  SoupMessage *message;
  SoupMessageHeaders *headers;

  if (key == NULL || *key == '\0' || !header_value_valid (key))
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account has no API key"));
      return NULL;
    }
  if (sub_user == NULL || *sub_user == '\0' || !header_value_valid (sub_user))
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account names no sub-user to follow"));
      return NULL;
    }
  uri = herald_feed_build_uri (feed, FALSE, MINT_PATH, NULL, NULL);
  message = uri ? soup_message_new (SOUP_METHOD_POST, uri) : NULL;
  if (message == NULL)
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account’s endpoint is not a valid address"));
      return NULL;
    }
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "api-key", key);
  soup_message_headers_replace (headers, "On-Behalf-Of", sub_user);
  soup_message_headers_replace (headers, "Accept", "application/json");
  return message;
}

/* --- renewal while the socket stays open --- */

typedef struct
{
  HeraldSkinsharkFeed *self; /* not a reference: dispose cancels the renewal first */
  SoupMessage *message;
  GCancellable *cancellable;
} Renewal;

static void
renewal_free (Renewal *renewal)
{
  g_object_unref (renewal->message);
  g_object_unref (renewal->cancellable);
  g_free (renewal);
}

static void
cancel_renewal (HeraldSkinsharkFeed *self)
{
  if (self->renewing == NULL)
    return;
  g_cancellable_cancel (self->renewing);
  g_clear_object (&self->renewing);
}

static void
renewed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Renewal *renewal = user_data;
  HeraldSkinsharkFeed *self = renewal->self;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  guint delay_s;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  /* Cancelled by dispose (self is gone) or by an attempt that mints for itself. */
  if (g_cancellable_is_cancelled (renewal->cancellable))
    {
      renewal_free (renewal);
      return;
    }
  g_clear_object (&self->renewing);
  if (body != NULL)
    {
      g_clear_error (&error);
      error = read_mint_answer (self, renewal->message, body);
    }
  renewal_free (renewal);
  if (error == NULL)
    {
      g_debug ("%s: next ws-token ready; the open socket stays",
               herald_feed_get_account_id (HERALD_FEED (self)));
      return;
    }

  if (g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION)
      || g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION))
    {
      /* Retrying will not help. The socket works until the server says otherwise; the next
       * attempt mints for itself and tells the user what the mint says. */
      g_debug ("%s: renewal refused: %s", herald_feed_get_account_id (HERALD_FEED (self)),
               error->message);
      self->token_stale = TRUE;
      return;
    }
  delay_s = self->renew_retry_s;
  if (g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_RATE_LIMITED))
    delay_s = MAX (delay_s, herald_feed_get_retry_after_ms (HERALD_FEED (self)) / 1000);
  g_debug ("%s: renewal failed, trying again in %u s: %s",
           herald_feed_get_account_id (HERALD_FEED (self)), delay_s, error->message);
  self->renew_retry_at_us = g_get_real_time () + (gint64)delay_s * G_USEC_PER_SEC;
}

static gboolean
renewal_due (HeraldSkinsharkFeed *self)
{
  gint64 now = g_get_real_time ();

  return self->token != NULL && !self->token_stale && self->session != NULL
         && self->renewing == NULL && !self->minting && now >= self->renew_at_us
         && now >= self->renew_retry_at_us;
}

static void
start_renewal (HeraldSkinsharkFeed *self)
{
  g_autoptr (GError) error = NULL;
  SoupMessage *message = new_mint_message (self, &error);
  Renewal *renewal;

  if (message == NULL)
    {
      /* The settings changed under a working socket: the next attempt says so. */
      g_debug ("%s: cannot renew: %s", herald_feed_get_account_id (HERALD_FEED (self)),
               error->message);
      self->token_stale = TRUE;
      return;
    }
  renewal = g_new0 (Renewal, 1);
  renewal->self = self;
  renewal->message = message;
  renewal->cancellable = g_cancellable_new ();
  self->renewing = g_object_ref (renewal->cancellable);
  g_debug ("%s: minting the next ws-token", herald_feed_get_account_id (HERALD_FEED (self)));
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT,
                                    renewal->cancellable, renewed_cb, renewal);
}

/* --- preparing an attempt --- */

static void
herald_skinshark_feed_prepare_async (HeraldFeed *feed, SoupSession *session,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  SoupMessage *message;

  g_task_set_source_tag (task, herald_skinshark_feed_prepare_async);
  g_set_object (&self->session, session);

  message = new_mint_message (self, &error);
  if (message == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (token_usable (self))
    {
      g_object_unref (message);
      /* A renewed token not yet offered to the server counts as minted for this attempt. */
      self->token_fresh = self->token_serial != self->socket_serial;
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Never two mints at once: this attempt's own replaces a renewal still under way. */
  cancel_renewal (self);
  g_task_set_task_data (task, message, g_object_unref);
  g_debug ("%s: minting a ws-token", herald_feed_get_account_id (feed));
  self->minting = TRUE;
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, cancellable, minted_cb,
                                    g_steal_pointer (&task));
}

static gboolean
herald_skinshark_feed_prepare_finish (HeraldFeed *feed, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A subprotocol must be an HTTP token; a JWT always is. */
static gboolean
token_fits_subprotocol (const char *token)
{
  for (const char *p = token; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.~!#$&'*+^`|", *p) == NULL)
      return FALSE;
  return TRUE;
}

static SoupMessage *
herald_skinshark_feed_build_request (HeraldFeed *feed, char ***out_protocols, GError **error)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);
  g_autofree char *uri = NULL;
  SoupMessage *message;

  if (self->token == NULL)
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_PROTOCOL,
                           _ ("SkinShark answered without an access token"));
      return NULL;
    }
  *out_protocols = NULL;
  self->socket_serial = self->token_serial;
  /* The subprotocol keeps the token out of proxies' and servers' access logs. */
  if (self->use_query || !token_fits_subprotocol (self->token))
    uri = herald_feed_build_uri (feed, TRUE, SOCKET_PATH, "token", self->token, NULL);
  else
    {
      uri = herald_feed_build_uri (feed, TRUE, SOCKET_PATH, NULL, NULL);
      *out_protocols = g_new0 (char *, 2);
      (*out_protocols)[0] = g_strconcat (BEARER_PREFIX, self->token, NULL);
    }
  message = uri ? soup_message_new (SOUP_METHOD_GET, uri) : NULL;
  if (uri != NULL)
    explicit_bzero (uri, strlen (uri));
  if (message == NULL)
    {
      g_clear_pointer (out_protocols, g_strfreev);
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account’s endpoint is not a valid address"));
    }
  return message;
}

/* --- the socket --- */

static gboolean
herald_skinshark_feed_opened (HeraldFeed *feed, SoupWebsocketConnection *socket, GError **error)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);
  const char *protocol = soup_websocket_connection_get_protocol (socket);

  self->accepted = FALSE;
  if (!self->use_query && (protocol == NULL || !g_str_has_prefix (protocol, BEARER_PREFIX)))
    {
      g_debug (
        "%s: the server did not take the bearer subprotocol; next time the token goes in the query",
        herald_feed_get_account_id (feed));
      self->use_query = TRUE;
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_PROTOCOL,
                           _ ("SkinShark did not take the access token; trying its other way"));
      return FALSE;
    }
  return TRUE;
}

/* Never sends anything: SkinShark closes the socket on any frame from the client. */
static void
herald_skinshark_feed_heartbeat (HeraldFeed *feed)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);

  /* The engine runs this only while a socket is open, so a stopped account or one waiting
   * for the user never mints. */
  if (renewal_due (self))
    start_renewal (self);
}

static HeraldCloseAction
herald_skinshark_feed_closed (HeraldFeed *feed, gushort code, const char *reason, char **out_reason)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);

  if (code == CLOSE_TOKEN_REFUSED && self->socket_serial != self->token_serial
      && token_usable (self))
    {
      /* The socket was made with a token that has since been renewed: the old one lapsed,
       * as it was bound to, and the new one has not been refused. */
      g_debug ("%s: the socket's old token lapsed; the renewed one is ready",
               herald_feed_get_account_id (feed));
      self->refusals = 0;
      *out_reason = g_strdup (_ ("Reconnecting with the renewed SkinShark access token"));
      return HERALD_CLOSE_REAUTHENTICATE;
    }
  if (code == CLOSE_TOKEN_REFUSED)
    {
      self->refusals++;
      /* Whatever follows, this token is done: a retry the user asks for starts with a new one. */
      self->token_stale = TRUE;
      /* A token minted for this very attempt and refused before any session worked will
       * not fare better the next time: the key or the sub-user is wrong. */
      if (self->token_fresh && (!self->accepted || self->refusals >= 2))
        {
          *out_reason = g_strdup (_ ("SkinShark refused the token even after renewing it"));
          return HERALD_CLOSE_ATTENTION;
        }
      *out_reason = g_strdup (_ ("SkinShark asked for a new access token"));
      return HERALD_CLOSE_REAUTHENTICATE;
    }
  self->refusals = 0;
  if (code == CLOSE_READ_ONLY)
    g_warning (
      "%s: SkinShark closed the socket as written to (4002), but Herald sends nothing on it",
      herald_feed_get_account_id (feed));
  return HERALD_CLOSE_RECONNECT;
}

static void
herald_skinshark_feed_dispose (GObject *object)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (object);

  cancel_renewal (self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (herald_skinshark_feed_parent_class)->dispose (object);
}

static void
herald_skinshark_feed_finalize (GObject *object)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (object);

  g_clear_pointer (&self->token, herald_secret_wipe_free);
  G_OBJECT_CLASS (herald_skinshark_feed_parent_class)->finalize (object);
}

static void
herald_skinshark_feed_class_init (HeraldSkinsharkFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HeraldFeedClass *feed_class = HERALD_FEED_CLASS (klass);

  object_class->dispose = herald_skinshark_feed_dispose;
  object_class->finalize = herald_skinshark_feed_finalize;
  feed_class->prepare_async = herald_skinshark_feed_prepare_async;
  feed_class->prepare_finish = herald_skinshark_feed_prepare_finish;
  feed_class->build_request = herald_skinshark_feed_build_request;
  feed_class->opened = herald_skinshark_feed_opened;
  feed_class->receive = herald_skinshark_feed_receive;
  feed_class->heartbeat = herald_skinshark_feed_heartbeat;
  feed_class->closed = herald_skinshark_feed_closed;
}

static void
herald_skinshark_feed_init (HeraldSkinsharkFeed *self)
{
  /* No WebSocket keepalive and no frame-level liveness: both would need frames we may not
   * send or cannot see. The transport beneath tells whether the server's pings still come. */
  const HeraldFeedTiming timing = {
    .heartbeat_ms = CHECK_INTERVAL_MS,
    .tcp_keepalive_s = TCP_KEEPALIVE_IDLE_S,
    .transport_silence_ms = SILENCE_LIMIT_MS,
  };

  herald_feed_set_timing (HERALD_FEED (self), &timing);
}

void
herald_skinshark_feed_set_silence_limit (HeraldSkinsharkFeed *self, guint silence_ms)
{
  HeraldFeedTiming timing;

  g_return_if_fail (HERALD_IS_SKINSHARK_FEED (self));

  timing = *herald_feed_get_timing (HERALD_FEED (self));
  timing.transport_silence_ms = silence_ms;
  herald_feed_set_timing (HERALD_FEED (self), &timing);
}
