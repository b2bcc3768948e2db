/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-skinshark-parse.c — SkinShark's pushes read into HeraldEvents: trades, deposits,
 * notices, and whatever else the server sends, from one frame at a time.
 *
 * Dedupe ids, built from SkinShark's own ids so a replayed push maps to the same event:
 *   trade.<status>   "trade:<trade id>:<status>"
 *   deposit.<stage>  "deposit:<fundingId, or depositId for self-hosted crypto>:<event name>"
 *   system.notice    "notice:<ts>:<first 12 hex digits of the SHA-256 of the message>"
 *   anything else    "raw:<SHA-256 of the frame>" */
#define G_LOG_DOMAIN "herald-skinshark"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-format.h"
#include "herald-money.h"
#include "herald-skinshark-private.h"

#define MAX_NAME_CHARS 80
#define MAX_TEXT_CHARS 300
#define MAX_ID_CHARS 200

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
  return herald_money_format_text (text, -1, currency, HERALD_MONEY_FORMAT_NONE);
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
    return herald_money_format_cents (cents, currency, HERALD_MONEY_FORMAT_NONE);
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
emit_trade (HeraldFeed *feed, const char *name, HeraldJsonNode data, gint64 ts_us,
            const char *frame, gsize length)
{
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
  herald_event_take_object_id (event, g_strconcat ("trade:", id, NULL));
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
emit_deposit (HeraldFeed *feed, const char *name, HeraldJsonNode data, gint64 ts_us,
              const char *frame, gsize length)
{
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
    amount = herald_money_format_cents (cents, "USD", HERALD_MONEY_FORMAT_NONE);
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
    transfer_amount = herald_money_format_text (raw, raw_len, NULL, HERALD_MONEY_FORMAT_NONE);

  dedupe = g_strdup_printf ("deposit:%s:%s", id, name);
  event = herald_feed_new_event (feed, name, dedupe, frame, length);
  herald_event_take_object_id (event, g_strconcat ("deposit:", id, NULL));
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
emit_notice (HeraldFeed *feed, HeraldJsonNode data, HeraldJsonNode ts, gint64 ts_us,
             const char *frame, gsize length)
{
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
emit_unknown (HeraldFeed *feed, const char *name, gint64 ts_us, const char *frame, gsize length)
{
  HeraldEvent *event = herald_feed_new_unknown_event (feed, name, frame, length);

  if (ts_us > 0)
    herald_event_set_occurred (event, ts_us);
  herald_feed_emit (feed, event);
}

HeraldSkinsharkFrame
herald_skinshark_parse_frame (HeraldFeed *feed, const char *data, gsize length)
{
  g_autofree char *raw_name = NULL;
  g_autofree char *name = NULL;
  HeraldJsonNode root;
  HeraldJsonNode payload;
  HeraldJsonNode ts;
  gint64 ts_us = 0;

  g_return_val_if_fail (HERALD_IS_FEED (feed), HERALD_SKINSHARK_FRAME_NONE);
  g_return_val_if_fail (data != NULL || length == 0, HERALD_SKINSHARK_FRAME_NONE);

  root = herald_feed_parse_json (feed, data, length);
  if (herald_json_node_type (root) == HERALD_JSON_NONE)
    return HERALD_SKINSHARK_FRAME_NONE;
  raw_name = herald_json_node_dup_member_string (root, "event");
  name = herald_format_clean_text (raw_name, 64);
  if (*name == '\0')
    {
      herald_feed_malformed (feed, "message without an event name");
      return HERALD_SKINSHARK_FRAME_NONE;
    }
  payload = herald_json_node_member (root, "data");
  ts = herald_json_node_member (root, "ts");
  if (!read_time (ts, &ts_us))
    ts_us = 0;

  if (g_str_equal (name, "connected"))
    return HERALD_SKINSHARK_FRAME_CONNECTED;
  if (g_str_has_prefix (name, "trade."))
    emit_trade (feed, name, payload, ts_us, data, length);
  else if (g_str_has_prefix (name, "deposit.") && name[strlen ("deposit.")] != '\0')
    emit_deposit (feed, name, payload, ts_us, data, length);
  else if (g_str_equal (name, "system.notice"))
    emit_notice (feed, payload, ts, ts_us, data, length);
  else
    emit_unknown (feed, name, ts_us, data, length);
  return HERALD_SKINSHARK_FRAME_MESSAGE;
}
