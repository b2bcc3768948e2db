/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-dimes-feed.c — the Dimes protocol (PROTOCOLS.md, seed 003): one Socket.IO namespace per
 * gateway, each event a position change `{id, type, created_at, data: <Position>}`.
 *
 * Dedupe id: the envelope's `id` ("evt_…"), as the seed asks: delivery is at least once and a
 * re-sent event carries the same id. Position events without one are malformed. Event names
 * Herald does not know, and `error` events, are kept; without an `id` they are keyed
 * "raw:<SHA-256 of the frame>", so a re-sent copy still collapses into one. */
#define G_LOG_DOMAIN "herald-dimes"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-dimes-feed.h"
#include "herald-format.h"
#include "herald-money.h"
#include "herald-jwt.h"
#include "herald-timeout.h"

#define MAX_MARKET_CHARS 120
#define MAX_TICKER_CHARS 60
#define MAX_SIDE_CHARS 16
#define MAX_TYPE_CHARS 64
#define MAX_ERROR_CHARS 200
/* Longer ids are not Dimes ids; a history key has no business being kilobytes long. */
#define MAX_ID_BYTES 256

struct _HeraldDimesFeed
{
  HeraldSocketioFeed parent_instance;

  gint64 token_expiry; /* the customer token's "exp", Unix seconds; 0 when unknown */
  guint expiry_source;
};

G_DEFINE_FINAL_TYPE (HeraldDimesFeed, herald_dimes_feed, HERALD_TYPE_SOCKETIO_FEED)

typedef enum
{
  POSITION_CREATED,
  POSITION_OPENING,
  POSITION_OPENED,
  POSITION_CLOSE_REQUESTED,
  POSITION_CLOSED,
  POSITION_SETTLED,
  POSITION_LIQUIDATED,
  POSITION_FORCE_UNWOUND,
  POSITION_REVERTED,
  POSITION_CANCELLED,
} PositionAction;

static const struct
{
  const char *type;
  PositionAction action;
  HeraldSeverity severity;
} position_types[] = {
  { "position.created", POSITION_CREATED, HERALD_SEVERITY_INFO },
  { "position.opening", POSITION_OPENING, HERALD_SEVERITY_INFO },
  { "position.opened", POSITION_OPENED, HERALD_SEVERITY_INFO },
  { "position.close_requested", POSITION_CLOSE_REQUESTED, HERALD_SEVERITY_INFO },
  { "position.closed", POSITION_CLOSED, HERALD_SEVERITY_INFO },
  { "position.settled", POSITION_SETTLED, HERALD_SEVERITY_INFO },
  { "position.liquidated", POSITION_LIQUIDATED, HERALD_SEVERITY_CRITICAL },
  { "position.force_unwound", POSITION_FORCE_UNWOUND, HERALD_SEVERITY_WARNING },
  { "position.reverted", POSITION_REVERTED, HERALD_SEVERITY_WARNING },
  { "position.cancelled", POSITION_CANCELLED, HERALD_SEVERITY_WARNING },
};

static gboolean
is_customer_gateway (HeraldFeed *feed)
{
  return g_strcmp0 (herald_account_get_option (herald_feed_get_account (feed), "gateway"),
                    "customer")
         == 0;
}

/* A JSON string literal written straight into @out, so that the secret it carries exists in one
 * buffer only, which the caller wipes. */
static void
append_json_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar)*p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char)c);
    }
  g_string_append_c (out, '"');
}

static char *
format_local_time (gint64 unix_seconds)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (unix_seconds);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* Refuses a customer token that has lapsed, or will within the margin, before any socket opens:
 * the server would only refuse it, and the user has to paste a new one either way. */
static gboolean
check_token_expiry (HeraldDimesFeed *self, const char *token, GError **error)
{
  g_autoptr (GError) jwt_error = NULL;
  g_autofree char *when = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 exp = 0;

  if (!herald_jwt_read_expiry (token, &exp, &jwt_error))
    {
      /* A token without "exp" is the server's to judge. */
      if (g_error_matches (jwt_error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_NO_EXPIRY))
        return TRUE;
      g_debug ("%s: customer token: %s", herald_feed_get_account_id (HERALD_FEED (self)),
               jwt_error->message);
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                           _ ("The customer token is not a valid access token; add a new one"));
      return FALSE;
    }
  if (exp - HERALD_DIMES_TOKEN_MARGIN_S > now)
    {
      self->token_expiry = exp;
      return TRUE;
    }
  when = format_local_time (exp);
  if (exp <= now)
    g_set_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                 /* TRANSLATORS: %s is a date and time */
                 _ ("The customer token expired at %s; add a new one"), when);
  else
    g_set_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                 /* TRANSLATORS: %s is a date and time, less than a minute away */
                 _ ("The customer token expires at %s; add a new one"), when);
  return FALSE;
}

static gboolean
token_expiring_cb (gpointer user_data)
{
  HeraldDimesFeed *self = user_data;

  self->expiry_source = 0;
  /* Reconnecting reads the credential again: a renewed token carries on, the old one is
   * refused by check_token_expiry() and the account asks for attention. */
  herald_feed_reconnect (HERALD_FEED (self), TRUE, _ ("The customer token is about to expire"));
  return G_SOURCE_REMOVE;
}

/* --- event helpers --- */

/* The cleaned side and market of a position: "YES on Will it rain in New York?". */
static char *
position_subject (HeraldJsonNode position)
{
  g_autofree char *raw_side = herald_json_node_dup_member_string (position, "side");
  g_autofree char *raw_title = herald_json_node_dup_member_string (position, "market_title");
  g_autofree char *raw_ticker = herald_json_node_dup_member_string (position, "market_ticker");
  g_autofree char *clean_side = herald_format_clean_text (raw_side, MAX_SIDE_CHARS);
  g_autofree char *side = g_utf8_strup (clean_side, -1);
  g_autofree char *market = herald_format_clean_text (raw_title, MAX_MARKET_CHARS);

  if (*market == '\0')
    {
      g_free (market);
      market = herald_format_clean_text (raw_ticker, MAX_TICKER_CHARS);
    }
  if (*side != '\0' && *market != '\0')
    /* TRANSLATORS: a position's side and market, e.g. "YES on Will it rain in New York?" */
    return g_strdup_printf (_ ("%s on %s"), side, market);
  if (*market != '\0')
    return g_steal_pointer (&market);
  if (*side != '\0')
    return g_steal_pointer (&side);
  /* TRANSLATORS: stands in for the market in "Position opened: %s" when Dimes named none */
  return g_strdup (_ ("a position"));
}

/* Money arrives as decimal strings (`*_usd`); a bare number is read too. */
static char *
dup_amount (HeraldJsonNode object, const char *member)
{
  HeraldJsonNode node = herald_json_node_member (object, member);
  const char *raw;
  gsize len;

  switch (herald_json_node_type (node))
    {
    case HERALD_JSON_STRING:
      return herald_json_node_dup_string (node);
    case HERALD_JSON_NUMBER:
      raw = herald_json_node_raw (node, &len);
      return g_strndup (raw, len);
    default:
      return NULL;
    }
}

static char *
format_usd (HeraldJsonNode object, const char *member)
{
  g_autofree char *amount = dup_amount (object, member);

  return herald_money_format_text (amount, -1, "USD", HERALD_MONEY_FORMAT_NONE);
}

/* A gain reads "+$3.10", a loss "-$3.10", nothing at all "$0.00". */
static char *
format_signed_usd (HeraldJsonNode object, const char *member)
{
  g_autofree char *amount = dup_amount (object, member);

  return herald_money_format_text (amount, -1, "USD", HERALD_MONEY_FORMAT_PLUS_SIGN);
}

/* "Collateral $25.00 · Entry price $0.42 · Realized P&L +$3.10 · Proceeds $28.10", from whatever
 * the position carries: the open shape has no result, the closed shape has one. */
static char *
money_summary (HeraldJsonNode position)
{
  HeraldJsonNode entry = herald_json_node_member (position, "entry");
  HeraldJsonNode result = herald_json_node_member (position, "result");
  g_autofree char *collateral = format_usd (entry, "collateral_usd");
  g_autofree char *price = format_usd (entry, "price_usd");
  g_autofree char *pnl = format_signed_usd (result, "realized_pnl_usd");
  g_autofree char *proceeds = format_usd (result, "proceeds_usd");
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (collateral != NULL)
    /* TRANSLATORS: %s is an amount of money, e.g. "$25.00" */
    g_ptr_array_add (parts, g_strdup_printf (_ ("Collateral %s"), collateral));
  if (price != NULL)
    /* TRANSLATORS: %s is the price paid per share, e.g. "$0.42" */
    g_ptr_array_add (parts, g_strdup_printf (_ ("Entry price %s"), price));
  if (pnl != NULL)
    /* TRANSLATORS: %s is a signed amount of money, e.g. "+$3.10" */
    g_ptr_array_add (parts, g_strdup_printf (_ ("Realized P&L %s"), pnl));
  if (proceeds != NULL)
    /* TRANSLATORS: %s is an amount of money, e.g. "$28.10" */
    g_ptr_array_add (parts, g_strdup_printf (_ ("Proceeds %s"), proceeds));
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **)parts->pdata);
}

static char *
position_title (PositionAction action, const char *subject)
{
  /* TRANSLATORS: in the position titles below, %s is a side and a market, e.g.
   * "YES on Will it rain in New York?" */
  switch (action)
    {
    case POSITION_CREATED:
      return g_strdup_printf (_ ("Position created: %s"), subject);
    case POSITION_OPENING:
      return g_strdup_printf (_ ("Position opening: %s"), subject);
    case POSITION_OPENED:
      return g_strdup_printf (_ ("Position opened: %s"), subject);
    case POSITION_CLOSE_REQUESTED:
      return g_strdup_printf (_ ("Position close requested: %s"), subject);
    case POSITION_CLOSED:
      return g_strdup_printf (_ ("Position closed: %s"), subject);
    case POSITION_SETTLED:
      return g_strdup_printf (_ ("Position settled: %s"), subject);
    case POSITION_LIQUIDATED:
      return g_strdup_printf (_ ("Position liquidated: %s"), subject);
    case POSITION_FORCE_UNWOUND:
      return g_strdup_printf (_ ("Position partly unwound: %s"), subject);
    case POSITION_REVERTED:
      return g_strdup_printf (_ ("Position reverted: %s"), subject);
    case POSITION_CANCELLED:
    default:
      return g_strdup_printf (_ ("Position cancelled: %s"), subject);
    }
}

/* The envelope's id when it is one Herald can key on; NULL otherwise. */
static char *
dup_event_id (HeraldJsonNode envelope)
{
  g_autofree char *id = herald_json_node_dup_member_string (envelope, "id");

  if (id == NULL || *id == '\0' || strlen (id) > MAX_ID_BYTES)
    return NULL;
  return g_steal_pointer (&id);
}

/* "position:<data.id>": the events of one position are states of it, which a notification
 * follows in place. NULL without a usable id. */
static char *
dup_position_object_id (HeraldJsonNode position)
{
  g_autofree char *id = herald_json_node_dup_member_string (position, "id");

  if (id == NULL || *id == '\0' || strlen (id) > MAX_ID_BYTES)
    return NULL;
  return g_strconcat ("position:", id, NULL);
}

static void
set_occurred (HeraldEvent *event, HeraldJsonNode envelope)
{
  g_autofree char *created_at = herald_json_node_dup_member_string (envelope, "created_at");
  gint64 occurred;

  /* Delivery is unordered: the provider's time puts the event in its place in the history. */
  if (herald_parse_iso8601 (created_at, &occurred))
    herald_event_set_occurred (event, occurred);
}

static void
emit_position (HeraldDimesFeed *self, guint kind, const char *name, HeraldJsonNode envelope,
               const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode position = herald_json_node_member (envelope, "data");
  g_autofree char *id = dup_event_id (envelope);
  g_autofree char *subject = NULL;
  HeraldEvent *event;

  if (id == NULL)
    {
      herald_feed_malformed (feed, "%s without a usable event id", position_types[kind].type);
      return;
    }
  if (herald_json_node_type (position) != HERALD_JSON_OBJECT)
    {
      herald_feed_malformed (feed, "%s without a position object", position_types[kind].type);
      return;
    }

  subject = position_subject (position);
  event = herald_feed_new_event (feed, name, id, frame, length);
  herald_event_take_object_id (event, dup_position_object_id (position));
  herald_event_set_category (event, HERALD_CATEGORY_POSITION);
  herald_event_set_severity (event, position_types[kind].severity);
  herald_event_take_title (event, position_title (position_types[kind].action, subject));
  herald_event_take_body (event, money_summary (position));
  set_occurred (event, envelope);
  herald_feed_emit (feed, event);
}

/* A name Herald does not know yet (the demo UI lists partial_close_* and
 * settlement_state_changed) is kept, described as far as its payload allows. */
static void
emit_unknown (HeraldDimesFeed *self, const char *name, HeraldJsonNode envelope, const char *frame,
              gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode position = herald_json_node_member (envelope, "data");
  gboolean has_position = herald_json_node_type (position) == HERALD_JSON_OBJECT;
  g_autofree char *type = herald_format_clean_text (name, MAX_TYPE_CHARS);
  g_autofree char *id = dup_event_id (envelope);
  HeraldEvent *event;

  if (id == NULL)
    id = herald_feed_raw_dedupe_id (frame, length);
  event = herald_feed_new_event (feed, type, id, frame, length);
  herald_event_set_unknown_type (event, TRUE);
  herald_event_set_category (event,
                             has_position ? HERALD_CATEGORY_POSITION : HERALD_CATEGORY_SYSTEM);
  herald_event_take_title (
    event,
    /* TRANSLATORS: %s is an event name such as "position.partial_close_requested" */
    g_strdup_printf (_ ("Dimes: %s"), *type ? type : _ ("unnamed event")));
  if (has_position)
    {
      g_autofree char *subject = position_subject (position);
      g_autofree char *money = money_summary (position);

      herald_event_take_object_id (event, dup_position_object_id (position));
      herald_event_take_body (event, money != NULL ? g_strconcat (subject, " · ", money, NULL)
                                                   : g_steal_pointer (&subject));
    }
  set_occurred (event, envelope);
  herald_feed_emit (feed, event);
}

/* Guess: the seed says a refused connection gets an `error` event, but not its wording. Any
 * message that speaks of authorisation, keys or tokens is taken as a refusal of the credentials. */
static gboolean
error_means_auth_failure (const char *message)
{
  static const char *const words[] = {
    "auth", "token", "api key", "apikey", "api-key", "forbidden", "credential", "expired",
  };
  g_autofree char *lower = message != NULL ? g_utf8_strdown (message, -1) : NULL;

  if (lower == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (strstr (lower, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
handle_error_event (HeraldDimesFeed *self, HeraldJsonNode argument, const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  g_autofree char *raw_message = NULL;
  g_autofree char *message = NULL;
  g_autofree char *id = NULL;
  HeraldEvent *event;

  if (herald_json_node_type (argument) == HERALD_JSON_STRING)
    raw_message = herald_json_node_dup_string (argument);
  else
    raw_message = herald_json_node_dup_member_string (argument, "message");
  message = herald_format_clean_text (raw_message, MAX_ERROR_CHARS);

  if (error_means_auth_failure (raw_message))
    {
      herald_feed_fail (feed, g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                                           /* TRANSLATORS: %s is the server's message */
                                           _ ("Dimes refused the credentials: %s"), message));
      return;
    }

  id = herald_feed_raw_dedupe_id (frame, length);
  event = herald_feed_new_event (feed, "error", id, frame, length);
  herald_event_set_category (event, HERALD_CATEGORY_SYSTEM);
  herald_event_set_severity (event, HERALD_SEVERITY_WARNING);
  herald_event_set_title (event, _ ("Dimes reported an error"));
  if (*message != '\0')
    herald_event_set_body (event, message);
  herald_feed_emit (feed, event);
}

/* --- HeraldSocketioFeed --- */

static const char *
herald_dimes_feed_get_namespace (HeraldSocketioFeed *sio)
{
  return is_customer_gateway (HERALD_FEED (sio)) ? HERALD_DIMES_CUSTOMER_NAMESPACE
                                                 : HERALD_DIMES_PARTNER_NAMESPACE;
}

static char *
herald_dimes_feed_build_auth (HeraldSocketioFeed *sio, GError **error)
{
  HeraldDimesFeed *self = HERALD_DIMES_FEED (sio);
  HeraldFeed *feed = HERALD_FEED (sio);
  gboolean customer = is_customer_gateway (feed);
  const char *secret = herald_feed_get_credential (feed, customer ? "token" : "api-key");
  GString *auth;

  herald_source_clear_local (&self->expiry_source);
  self->token_expiry = 0;

  if (secret == NULL || *secret == '\0')
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           customer ? _ ("The account has no customer token")
                                    : _ ("The account has no API key"));
      return NULL;
    }
  if (customer && !check_token_expiry (self, secret, error))
    return NULL;

  /* Sized up front: a reallocation would leave a copy of the secret behind, unwiped. */
  auth = g_string_sized_new (strlen (secret) * 6 + 16);
  g_string_append (auth, customer ? "{\"token\":" : "{\"apiKey\":");
  append_json_string (auth, secret);
  g_string_append_c (auth, '}');
  return g_string_free (auth, FALSE);
}

static void
herald_dimes_feed_connected (HeraldSocketioFeed *sio, const char *sid)
{
  HeraldDimesFeed *self = HERALD_DIMES_FEED (sio);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 delay_s;

  herald_source_clear_local (&self->expiry_source);
  if (self->token_expiry == 0)
    return;
  delay_s = MAX (self->token_expiry - HERALD_DIMES_TOKEN_MARGIN_S - now, 0);
  self->expiry_source = herald_timeout_add_local ((guint)MIN (delay_s * 1000, (gint64)G_MAXUINT),
                                                  token_expiring_cb, self);
}

static void
herald_dimes_feed_event (HeraldSocketioFeed *sio, const char *name, HeraldJsonNode args,
                         const char *frame, gsize length)
{
  HeraldDimesFeed *self = HERALD_DIMES_FEED (sio);
  HeraldJsonNode argument = herald_json_node_element (args, 1);

  if (g_str_equal (name, "error"))
    {
      handle_error_event (self, argument, frame, length);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (position_types); i++)
    if (g_str_equal (name, position_types[i].type))
      {
        emit_position (self, i, name, argument, frame, length);
        return;
      }
  emit_unknown (self, name, argument, frame, length);
}

static void
herald_dimes_feed_dispose (GObject *object)
{
  HeraldDimesFeed *self = HERALD_DIMES_FEED (object);

  herald_source_clear_local (&self->expiry_source);
  G_OBJECT_CLASS (herald_dimes_feed_parent_class)->dispose (object);
}

static void
herald_dimes_feed_class_init (HeraldDimesFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HeraldSocketioFeedClass *sio_class = HERALD_SOCKETIO_FEED_CLASS (klass);

  object_class->dispose = herald_dimes_feed_dispose;
  sio_class->get_namespace = herald_dimes_feed_get_namespace;
  sio_class->build_auth = herald_dimes_feed_build_auth;
  sio_class->connected = herald_dimes_feed_connected;
  sio_class->event = herald_dimes_feed_event;
}

static void
herald_dimes_feed_init (HeraldDimesFeed *self)
{
}
