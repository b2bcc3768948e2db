/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-hashi-feed.c — the Hashi protocol (PROTOCOLS.md, seed 001): contract, lobby and
 * storage events over JSON, a pasted Privy JWT that is watched so the user hears before it lapses.
 *
 * Dedupe ids. Hashi sends no event id, so an event is named by what it is about and when:
 *   "<data.type>:<subject>:<data.timestamp>", the subject being data.contractId for
 *   contract:event, data.lobbyId for lobby:event and data.storageId for storage:event, every
 *   part as the server sent it. A re-sent event carries the same three values; two different
 *   events about the same thing differ in name or time.
 * Server messages of a type Herald does not know: "raw:<SHA-256 of the frame>".
 * The expiry warning: "token-expiry:<exp>", so one token is warned about once. */
#define G_LOG_DOMAIN "herald-hashi"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "herald-format.h"
#include "herald-money.h"
#include "herald-hashi-feed-private.h"
#include "herald-json.h"
#include "herald-jwt.h"
#include "herald-timeout.h"

/* Hashi documents the ping but not its period; 25 s keeps common proxies' idle timers
 * (30–60 s) from closing the socket. The pong gets 10 s. */
#define PING_INTERVAL_MS (25 * 1000)
#define PONG_DEADLINE_MS (10 * 1000)

/* How long before the token's "exp" the user is warned: time enough to log in again. */
#define EXPIRY_LEAD_MS (10 * 60 * 1000)
/* Timeouts run on the monotonic clock, which stops while the machine sleeps: look at the
 * wall clock at least this often so a resumed laptop notices a lapsed token. */
#define EXPIRY_CHECK_MAX_MS (60 * 1000)

/* GUESS (PROTOCOLS.md): Hashi names the client's subscribe message but not its field. */
#define SUBSCRIBE_LOBBY_FIELD "lobbyId"

/* GUESS: the Contract and Lobby objects in "payload" are documented only as "full object".
 * These names are the likely ones (and the simulator's); whatever is missing is left out. */
#define WAGER_GAME_FIELD "game"
#define WAGER_STAKE_FIELD "stakeAmount"
#define WAGER_PAYOUT_FIELD "payoutAmount"
#define WAGER_CURRENCY_FIELD "currency"

#define MAX_LABEL_CHARS 32
#define MAX_GAME_CHARS 60
#define MAX_WHOLE_ID_CHARS 12
#define MAX_SHORT_ID_CHARS 8
#define MAX_TYPE_CHARS 64

struct _HeraldHashiFeed
{
  HeraldFeed parent_instance;

  SoupWebsocketConnection *socket; /* weak: the connection owns it */

  gboolean has_expiry;
  gint64 expiry;        /* the token's "exp", Unix seconds */
  gint64 warned_expiry; /* the "exp" the user was already warned about */
  gboolean warned;
  guint expiry_lead_ms;
  guint expiry_source;
};

G_DEFINE_FINAL_TYPE (HeraldHashiFeed, herald_hashi_feed, HERALD_TYPE_FEED)

static void schedule_expiry_check (HeraldHashiFeed *self);

/* GUESS: Hashi documents no answer to subscribe/unsubscribe; these are the likely ones. The
 * answer to our own request is not news for the user, so it is not kept as an event. */
static gboolean
is_subscription_answer (HeraldJsonNode type)
{
  return herald_json_node_string_equal (type, "subscribed")
         || herald_json_node_string_equal (type, "unsubscribed");
}

/* GUESS: Hashi documents no close codes; 4001/4003 are what servers of this kind send for
 * a refused token. 1008 is left out on purpose: it may mean our guessed subscribe
 * message was refused, which a new token would not fix. */
static gboolean
close_code_means_refused (gushort code)
{
  return code == 4001 || code == 4003;
}

/* Today's times as "14:05", others with their date, in the user's time zone. */
static char *
format_local_time (gint64 unix_seconds)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (unix_seconds);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, unix_seconds);
  if (g_date_time_get_year (when) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* TRANSLATORS: a time of day in g_date_time_format() syntax */
    return g_date_time_format (when, _ ("%H:%M"));
  /* TRANSLATORS: a date and time in g_date_time_format() syntax */
  return g_date_time_format (when, _ ("%Y-%m-%d %H:%M"));
}

static gboolean
token_has_lapsed (HeraldHashiFeed *self)
{
  return self->has_expiry && g_get_real_time () >= self->expiry * G_USEC_PER_SEC;
}

static GError *
new_expired_error (gint64 expiry)
{
  g_autofree char *when = format_local_time (expiry);

  return g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                      /* TRANSLATORS: %s is a time such as "14:05" or "2024-01-15 10:30" */
                      _ ("The Hashi access token expired at %s; paste a new one"), when);
}

static gboolean
is_connected (HeraldHashiFeed *self)
{
  return self->socket != NULL
         && soup_websocket_connection_get_state (self->socket) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
emit_expiry_warning (HeraldHashiFeed *self)
{
  HeraldFeed *feed = HERALD_FEED (self);
  g_autofree char *dedupe = g_strdup_printf ("token-expiry:%" G_GINT64_FORMAT, self->expiry);
  g_autofree char *when = format_local_time (self->expiry);
  HeraldEvent *event = herald_feed_new_event (feed, "token.expiring", dedupe, NULL, 0);

  herald_event_set_category (event, HERALD_CATEGORY_SYSTEM);
  herald_event_set_severity (event, HERALD_SEVERITY_WARNING);
  herald_event_set_title (event, _ ("Hashi access token expires soon"));
  /* TRANSLATORS: %s is a time such as "14:05" */
  herald_event_take_body (event, g_strdup_printf (_ ("It expires at %s. Paste a new token into the "
                                                     "account’s settings to stay connected."),
                                                  when));
  herald_feed_emit (feed, event);
}

static gboolean
expiry_check_cb (gpointer user_data)
{
  HeraldHashiFeed *self = user_data;
  gint64 now = g_get_real_time ();
  gint64 expiry_us = self->expiry * G_USEC_PER_SEC;

  self->expiry_source = 0;
  /* A lost socket re-arms the check when the next one opens. */
  if (!self->has_expiry || !is_connected (self))
    return G_SOURCE_REMOVE;

  if (now >= expiry_us)
    {
      /* The server would drop us any moment; the user must act either way. */
      herald_feed_fail (HERALD_FEED (self), new_expired_error (self->expiry));
      return G_SOURCE_REMOVE;
    }
  if (!(self->warned && self->warned_expiry == self->expiry)
      && now >= expiry_us - (gint64)self->expiry_lead_ms * 1000)
    {
      self->warned = TRUE;
      self->warned_expiry = self->expiry;
      emit_expiry_warning (self);
    }
  schedule_expiry_check (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_expiry_check (HeraldHashiFeed *self)
{
  gint64 expiry_us = self->expiry * G_USEC_PER_SEC;
  gint64 due = expiry_us;
  gint64 delay_ms;

  herald_source_clear_local (&self->expiry_source);
  if (!self->has_expiry)
    return;
  if (!(self->warned && self->warned_expiry == self->expiry))
    due = MIN (due, expiry_us - (gint64)self->expiry_lead_ms * 1000);
  /* Rounded up, so the check never runs just before it is due and spins. */
  delay_ms = (due - g_get_real_time () + 999) / 1000;
  delay_ms = CLAMP (delay_ms, 0, EXPIRY_CHECK_MAX_MS);
  self->expiry_source = herald_timeout_add_local ((guint)delay_ms, expiry_check_cb, self);
}

static void
herald_hashi_feed_prepare_async (HeraldFeed *feed, SoupSession *session, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  HeraldHashiFeed *self = HERALD_HASHI_FEED (feed);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  const char *token = herald_feed_get_credential (feed, "token");
  gint64 expiry = 0;

  g_task_set_source_tag (task, herald_hashi_feed_prepare_async);
  herald_source_clear_local (&self->expiry_source);
  self->has_expiry = FALSE;

  if (token == NULL || *token == '\0')
    {
      g_task_return_new_error (
        task, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION, "%s",
        _ ("The account has no Hashi access token; paste one in its settings"));
      return;
    }
  if (!herald_jwt_read_expiry (token, &expiry, &error))
    {
      if (g_error_matches (error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_NO_EXPIRY))
        {
          /* Privy tokens always carry one; without it, the server is the judge. */
          g_debug ("%s: the access token has no expiry", herald_feed_get_account_id (feed));
          g_task_return_boolean (task, TRUE);
          return;
        }
      g_debug ("%s: the access token cannot be read: %s", herald_feed_get_account_id (feed),
               error->message);
      g_task_return_new_error (task, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION, "%s",
                               _ ("The Hashi access token is not a valid JWT; paste it again"));
      return;
    }
  /* The server would refuse it: do not even try. */
  if (g_get_real_time () >= expiry * G_USEC_PER_SEC)
    {
      g_task_return_error (task, new_expired_error (expiry));
      return;
    }
  self->has_expiry = TRUE;
  self->expiry = expiry;
  g_task_return_boolean (task, TRUE);
}

static gboolean
herald_hashi_feed_prepare_finish (HeraldFeed *feed, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, feed), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static SoupMessage *
herald_hashi_feed_build_request (HeraldFeed *feed, char ***out_protocols, GError **error)
{
  const char *token = herald_feed_get_credential (feed, "token");
  g_autofree char *uri = NULL;

  if (token == NULL || *token == '\0')
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account has no Hashi access token; paste one in its settings"));
      return NULL;
    }
  /* Hashi takes the token only in the query; the URI is never logged. */
  uri = herald_feed_build_uri (feed, TRUE, NULL, "token", token, NULL);
  *out_protocols = NULL;
  return soup_message_new (SOUP_METHOD_GET, uri);
}

static gboolean
herald_hashi_feed_opened (HeraldFeed *feed, SoupWebsocketConnection *socket, GError **error)
{
  HeraldHashiFeed *self = HERALD_HASHI_FEED (feed);

  g_set_weak_pointer (&self->socket, socket);
  schedule_expiry_check (self);
  return TRUE;
}

static void
herald_hashi_feed_heartbeat (HeraldFeed *feed)
{
  herald_feed_send_text (feed, "{\"type\":\"ping\"}");
  herald_feed_expect_reply (feed);
}

static char *
build_subscribe (const char *lobby_id)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "subscribe");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, SUBSCRIBE_LOBBY_FIELD);
  json_builder_add_string_value (builder, lobby_id);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Rooms are per socket on the server, so every `connected` asks for them again. */
static void
subscribe_lobbies (HeraldHashiFeed *self)
{
  HeraldFeed *feed = HERALD_FEED (self);
  const char *const *lobbies
    = herald_account_get_option_values (herald_feed_get_account (feed), "lobby");

  for (guint i = 0; lobbies[i] != NULL; i++)
    {
      g_autofree char *text = NULL;

      if (*lobbies[i] == '\0')
        continue;
      text = build_subscribe (lobbies[i]);
      herald_feed_send_text (feed, text);
    }
}

static void
handle_error (HeraldHashiFeed *self, HeraldJsonNode root)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode data = herald_json_node_member (root, "data");
  g_autofree char *code = herald_json_node_dup_member_string (data, "code");
  g_autofree char *message = herald_json_node_dup_member_string (data, "message");
  g_autofree char *clean_code = NULL;
  g_autofree char *clean_message = NULL;

  if (g_strcmp0 (code, "AUTH_ERROR") == 0)
    {
      if (token_has_lapsed (self))
        herald_feed_fail (feed, new_expired_error (self->expiry));
      else
        herald_feed_fail (feed,
                          g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                                               _ ("Hashi refused the access token")));
      return;
    }
  /* Anything else is about one request (a subscribe, most likely): keep the socket. */
  clean_code = herald_format_clean_text (code, MAX_TYPE_CHARS);
  clean_message = herald_format_clean_text (message, 200);
  herald_feed_malformed (feed, "server error %s: %s", *clean_code ? clean_code : "(no code)",
                         clean_message);
}

/* Codes and short ids whole; a UUID as its first eight digits, enough to tell them apart. */
static char *
short_id (const char *id)
{
  char *clean = herald_format_clean_text (id, 0);

  if (g_utf8_strlen (clean, -1) <= MAX_WHOLE_ID_CHARS)
    return clean;
  g_free (clean);
  return herald_format_clean_text (id, MAX_SHORT_ID_CHARS);
}

/* The lobby as players know it: its code when the event has one, else its id. */
static char *
lobby_label (HeraldJsonNode data)
{
  g_autofree char *code = herald_json_node_dup_member_string (data, "lobbyCode");
  g_autofree char *id = NULL;

  if (code != NULL && *code != '\0')
    return herald_format_clean_text (code, MAX_LABEL_CHARS);
  id = herald_json_node_dup_member_string (data, "lobbyId");
  return short_id (id);
}

/* ISO 4217-like codes and token tickers ("USD", "USDC"); anything else is not shown. */
static gboolean
is_currency_code (const char *code)
{
  gsize len = code != NULL ? strlen (code) : 0;

  if (len < 2 || len > 10)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isupper (code[i]) && !g_ascii_isdigit (code[i]))
      return FALSE;
  return TRUE;
}

/* A decimal amount sent as a string ("25.00") or a number, with the object's currency. */
static char *
format_amount (HeraldJsonNode object, const char *field)
{
  HeraldJsonNode amount = herald_json_node_member (object, field);
  g_autofree char *currency = herald_json_node_dup_member_string (object, WAGER_CURRENCY_FIELD);
  g_autofree char *text = NULL;
  const char *raw;
  gsize raw_len;

  if (!is_currency_code (currency))
    return NULL;
  if (herald_json_node_type (amount) == HERALD_JSON_STRING)
    text = herald_json_node_dup_string (amount);
  else if (herald_json_node_type (amount) == HERALD_JSON_NUMBER
           && (raw = herald_json_node_raw (amount, &raw_len)))
    text = g_strndup (raw, raw_len);
  return herald_money_format_text (text, -1, currency, HERALD_MONEY_FORMAT_NONE);
}

/* "Chess (Blitz 5+0), 25.00 USDC stake", or as much of it as the object tells; NULL for none. */
static char *
describe_wager (HeraldJsonNode object, gboolean paid_out)
{
  g_autofree char *raw_game = herald_json_node_dup_member_string (object, WAGER_GAME_FIELD);
  g_autofree char *game = herald_format_clean_text (raw_game, MAX_GAME_CHARS);
  g_autofree char *payout = paid_out ? format_amount (object, WAGER_PAYOUT_FIELD) : NULL;
  g_autofree char *stake = payout == NULL ? format_amount (object, WAGER_STAKE_FIELD) : NULL;

  if (payout != NULL)
    /* TRANSLATORS: "Chess (Blitz 5+0), 47.50 USDC paid out"; the game may be missing */
    return *game ? g_strdup_printf (_ ("%s, %s paid out"), game, payout)
                 : g_strdup_printf (_ ("%s paid out"), payout);
  if (stake != NULL)
    /* TRANSLATORS: "Chess (Blitz 5+0), 25.00 USDC stake"; the game may be missing */
    return *game ? g_strdup_printf (_ ("%s, %s stake"), game, stake)
                 : g_strdup_printf (_ ("%s stake"), stake);
  return *game ? g_steal_pointer (&game) : NULL;
}

/* Parts of a body, the empty ones left out, joined on one line. */
static void
take_body_parts (HeraldEvent *event, char *first, char *second)
{
  g_autofree char *a = first;
  g_autofree char *b = second;

  if (a != NULL && *a && b != NULL && *b)
    herald_event_take_body (event, g_strconcat (a, " · ", b, NULL));
  else if (a != NULL && *a)
    herald_event_take_body (event, g_steal_pointer (&a));
  else if (b != NULL && *b)
    herald_event_take_body (event, g_steal_pointer (&b));
}

static void
describe_contract (HeraldEvent *event, const char *name, HeraldJsonNode data)
{
  g_autofree char *contract_id = herald_json_node_dup_member_string (data, "contractId");
  g_autofree char *lobby_id = herald_json_node_dup_member_string (data, "lobbyId");
  g_autofree char *contract = short_id (contract_id);
  g_autofree char *lobby = short_id (lobby_id);
  HeraldSeverity severity = HERALD_SEVERITY_INFO;
  char *title;

  if (g_str_equal (name, "contract.created"))
    title = g_strdup (_ ("Contract created"));
  else if (g_str_equal (name, "contract.initializing"))
    title = g_strdup (_ ("Contract submitted on-chain"));
  else if (g_str_equal (name, "contract.initialized"))
    title = g_strdup (_ ("Contract confirmed on-chain"));
  else if (g_str_equal (name, "contract.deleted"))
    {
      title = g_strdup (_ ("Contract rolled back"));
      severity = HERALD_SEVERITY_WARNING;
    }
  else if (g_str_equal (name, "contract.payment_transferred"))
    title = g_strdup (_ ("Contract funded"));
  else if (g_str_equal (name, "contract.outcome_attested"))
    title = g_strdup (_ ("Outcome submitted"));
  else if (g_str_equal (name, "contract.decision_contested"))
    {
      title = g_strdup (_ ("Mediation decision contested"));
      severity = HERALD_SEVERITY_WARNING;
    }
  else if (g_str_equal (name, "contract.mediation_submitted"))
    title = g_strdup (_ ("Mediator submitted a decision"));
  else if (g_str_equal (name, "contract.admin_decision"))
    {
      title = g_strdup (_ ("Admin made the final decision"));
      severity = HERALD_SEVERITY_WARNING;
    }
  else if (g_str_equal (name, "contract.payout_finalized"))
    title = g_strdup (_ ("Payout finalized"));
  else
    {
      g_autofree char *clean_name = herald_format_clean_text (name, MAX_TYPE_CHARS);

      herald_event_set_unknown_type (event, TRUE);

      /* TRANSLATORS: %s is an event name such as "contract.updated" */
      title = g_strdup_printf (_ ("Contract update: %s"), clean_name);
    }

  herald_event_take_title (event, title);
  herald_event_set_severity (event, severity);
  take_body_parts (event,
                   describe_wager (herald_json_node_member (data, "payload"),
                                   g_str_equal (name, "contract.payout_finalized")),
                   *lobby != '\0'
                     /* TRANSLATORS: "Contract 550e8400… in lobby ABC123" */
                     ? g_strdup_printf (_ ("Contract %s in lobby %s"), contract, lobby)
                     : g_strdup_printf (_ ("Contract %s"), contract));
}

static void
describe_lobby (HeraldEvent *event, const char *name, HeraldJsonNode data)
{
  g_autofree char *lobby = lobby_label (data);
  HeraldJsonNode count_node = herald_json_node_path (data, "payload", "participantCount", NULL);
  char *players = NULL;
  gint64 count;
  char *title;

  if (g_str_equal (name, "lobby.created"))
    /* TRANSLATORS: %s is a lobby code such as "ABC123" */
    title = g_strdup_printf (_ ("Lobby %s created"), lobby);
  else if (g_str_equal (name, "lobby.joined"))
    /* TRANSLATORS: %s is a lobby code such as "ABC123" */
    title = g_strdup_printf (_ ("Player joined lobby %s"), lobby);
  else if (g_str_equal (name, "lobby.left"))
    /* TRANSLATORS: %s is a lobby code such as "ABC123" */
    title = g_strdup_printf (_ ("Player left lobby %s"), lobby);
  else if (g_str_equal (name, "lobby.deleted"))
    /* TRANSLATORS: %s is a lobby code such as "ABC123" */
    title = g_strdup_printf (_ ("Lobby %s closed"), lobby);
  else
    {
      g_autofree char *clean_name = herald_format_clean_text (name, MAX_TYPE_CHARS);

      herald_event_set_unknown_type (event, TRUE);

      /* TRANSLATORS: "Lobby ABC123: lobby.updated" */
      title = g_strdup_printf (_ ("Lobby %s: %s"), lobby, clean_name);
    }
  herald_event_take_title (event, title);

  if (herald_json_node_get_int64 (count_node, &count) && count >= 0 && count <= G_MAXINT)
    players = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d player in the lobby",
                                            "%d players in the lobby", (gulong)count),
                               (int)count);
  else if (g_str_equal (name, "lobby.deleted"))
    players = g_strdup (_ ("The last player left"));
  take_body_parts (event, players,
                   describe_wager (herald_json_node_path (data, "payload", "lobby", NULL), FALSE));
}

static void
describe_storage (HeraldEvent *event, const char *name, HeraldJsonNode data)
{
  g_autofree char *contract_id = herald_json_node_dup_member_string (data, "contractId");
  g_autofree char *contract = short_id (contract_id);
  HeraldSeverity severity = HERALD_SEVERITY_INFO;
  char *title;

  if (g_str_equal (name, "storage.external_url_created"))
    title = g_strdup (_ ("External link saved"));
  else if (g_str_equal (name, "storage.presigned_url_created"))
    title = g_strdup (_ ("Upload link created"));
  else if (g_str_equal (name, "storage.multipart_completed"))
    title = g_strdup (_ ("Upload completed"));
  else if (g_str_equal (name, "storage.multipart_aborted"))
    {
      title = g_strdup (_ ("Upload aborted"));
      severity = HERALD_SEVERITY_WARNING;
    }
  else if (g_str_equal (name, "storage.deleted"))
    title = g_strdup (_ ("Stored file deleted"));
  else
    {
      g_autofree char *clean_name = herald_format_clean_text (name, MAX_TYPE_CHARS);

      herald_event_set_unknown_type (event, TRUE);

      /* TRANSLATORS: %s is an event name such as "storage.updated" */
      title = g_strdup_printf (_ ("Storage update: %s"), clean_name);
    }

  herald_event_take_title (event, title);
  herald_event_set_severity (event, severity);
  if (*contract != '\0')
    /* TRANSLATORS: %s is a shortened contract id such as "550e8400…" */
    herald_event_take_body (event, g_strdup_printf (_ ("For contract %s"), contract));
}

static void
emit_event (HeraldHashiFeed *self, HeraldJsonNode root, const char *kind, HeraldCategory category,
            const char *subject_field, const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode data = herald_json_node_member (root, "data");
  g_autofree char *name = herald_json_node_dup_member_string (data, "type");
  g_autofree char *subject = herald_json_node_dup_member_string (data, subject_field);
  g_autofree char *timestamp = herald_json_node_dup_member_string (data, "timestamp");
  g_autofree char *dedupe = NULL;
  g_autofree char *clean_name = NULL;
  HeraldEvent *event;
  gint64 occurred;

  if (herald_json_node_type (data) != HERALD_JSON_OBJECT)
    {
      herald_feed_malformed (feed, "%s without a data object", kind);
      return;
    }
  if (name == NULL || *name == '\0')
    {
      herald_feed_malformed (feed, "%s without an event name", kind);
      return;
    }
  /* Both are part of the dedupe id: without them the event cannot be told from others. */
  if (subject == NULL || *subject == '\0')
    {
      herald_feed_malformed (feed, "%s without %s", kind, subject_field);
      return;
    }
  if (timestamp == NULL || !herald_parse_iso8601 (timestamp, &occurred))
    {
      herald_feed_malformed (feed, "%s without a valid timestamp", kind);
      return;
    }

  dedupe = g_strdup_printf ("%s:%s:%s", name, subject, timestamp);
  clean_name = herald_format_clean_text (name, MAX_TYPE_CHARS);
  event = herald_feed_new_event (feed, clean_name, dedupe, frame, length);
  /* A contract goes through states; lobby and storage events are happenings of their own
   * (a player joins, another leaves), each worth its notification. */
  if (category == HERALD_CATEGORY_CONTRACT)
    herald_event_take_object_id (event, g_strconcat ("contract:", subject, NULL));
  herald_event_set_category (event, category);
  switch (category)
    {
    case HERALD_CATEGORY_CONTRACT:
      describe_contract (event, name, data);
      break;
    case HERALD_CATEGORY_LOBBY:
      describe_lobby (event, name, data);
      break;
    case HERALD_CATEGORY_STORAGE:
    default:
      describe_storage (event, name, data);
      break;
    }
  herald_event_set_occurred (event, occurred);
  herald_feed_emit (feed, event);
}

/* A message type Herald does not know yet is kept, not dropped: the user may care. */
static void
emit_unknown (HeraldHashiFeed *self, HeraldJsonNode root, const char *frame, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  g_autofree char *type = herald_json_node_dup_member_string (root, "type");
  g_autofree char *clean_type = herald_format_clean_text (type, MAX_TYPE_CHARS);

  /* A blank type names nothing a person could read: malformed, as SkinShark, CoinVoyage and
   * Pally have it. */
  if (*clean_type == '\0')
    {
      herald_feed_malformed (feed, "message with a blank type");
      return;
    }
  herald_feed_emit (feed, herald_feed_new_unknown_event (feed, clean_type, frame, length));
}

static void
herald_hashi_feed_receive (HeraldFeed *feed, const char *data, gsize length)
{
  HeraldHashiFeed *self = HERALD_HASHI_FEED (feed);
  HeraldJsonNode root;
  HeraldJsonNode type;

  root = herald_feed_parse_json (feed, data, length);
  if (herald_json_node_type (root) == HERALD_JSON_NONE)
    return;
  type = herald_json_node_member (root, "type");
  if (herald_json_node_type (type) != HERALD_JSON_STRING)
    {
      herald_feed_malformed (feed, "message without a type");
      return;
    }

  if (herald_json_node_string_equal (type, "pong"))
    herald_feed_reply_received (feed);
  else if (herald_json_node_string_equal (type, "contract:event"))
    emit_event (self, root, "contract:event", HERALD_CATEGORY_CONTRACT, "contractId", data, length);
  else if (herald_json_node_string_equal (type, "lobby:event"))
    emit_event (self, root, "lobby:event", HERALD_CATEGORY_LOBBY, "lobbyId", data, length);
  else if (herald_json_node_string_equal (type, "storage:event"))
    emit_event (self, root, "storage:event", HERALD_CATEGORY_STORAGE, "storageId", data, length);
  else if (herald_json_node_string_equal (type, "connected"))
    {
      /* Hashi's own word that it took the JWT; until then the socket proves nothing. */
      herald_feed_authenticated (feed);
      subscribe_lobbies (self);
    }
  else if (herald_json_node_string_equal (type, "error"))
    handle_error (self, root);
  else if (is_subscription_answer (type))
    g_debug ("%s: %.*s", herald_feed_get_account_id (feed), (int)MIN (length, 200), data);
  else
    emit_unknown (self, root, data, length);
}

static HeraldCloseAction
herald_hashi_feed_closed (HeraldFeed *feed, gushort code, const char *reason, char **out_reason)
{
  HeraldHashiFeed *self = HERALD_HASHI_FEED (feed);

  if (token_has_lapsed (self))
    {
      g_autoptr (GError) error = new_expired_error (self->expiry);

      *out_reason = g_strdup (error->message);
      return HERALD_CLOSE_ATTENTION;
    }
  if (close_code_means_refused (code))
    {
      *out_reason = g_strdup (_ ("Hashi refused the access token"));
      return HERALD_CLOSE_ATTENTION;
    }
  return HERALD_CLOSE_RECONNECT;
}

static void
herald_hashi_feed_dispose (GObject *object)
{
  HeraldHashiFeed *self = HERALD_HASHI_FEED (object);

  herald_source_clear_local (&self->expiry_source);
  g_clear_weak_pointer (&self->socket);
  G_OBJECT_CLASS (herald_hashi_feed_parent_class)->dispose (object);
}

static void
herald_hashi_feed_class_init (HeraldHashiFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HeraldFeedClass *feed_class = HERALD_FEED_CLASS (klass);

  object_class->dispose = herald_hashi_feed_dispose;
  feed_class->prepare_async = herald_hashi_feed_prepare_async;
  feed_class->prepare_finish = herald_hashi_feed_prepare_finish;
  feed_class->build_request = herald_hashi_feed_build_request;
  feed_class->opened = herald_hashi_feed_opened;
  feed_class->heartbeat = herald_hashi_feed_heartbeat;
  feed_class->receive = herald_hashi_feed_receive;
  feed_class->closed = herald_hashi_feed_closed;
}

static void
herald_hashi_feed_init (HeraldHashiFeed *self)
{
  const HeraldFeedTiming timing = {
    .heartbeat_ms = PING_INTERVAL_MS,
    .reply_deadline_ms = PONG_DEADLINE_MS,
  };

  self->expiry_lead_ms = EXPIRY_LEAD_MS;
  herald_feed_set_timing (HERALD_FEED (self), &timing);
}

void
herald_hashi_feed_set_expiry_lead_ms (HeraldHashiFeed *self, guint lead_ms)
{
  g_return_if_fail (HERALD_IS_HASHI_FEED (self));

  self->expiry_lead_ms = lead_ms;
  if (is_connected (self))
    schedule_expiry_check (self);
}
