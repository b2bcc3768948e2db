/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-hashi-parse.c — the Hashi feed without a network: every message shape from the seed
 * into events (title, body, category, severity, dedupe id, time), control messages, bad input. */
#include "config.h"

#include <string.h>

#include "herald-hashi-feed.h"
#include "herald-providers.h"
#include "herald-test-feed.h"

typedef HeraldTestParse Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  const char *const lobbies[] = { "lobby-1", "ABC123", NULL };
  HeraldAccount *account = herald_account_new (HERALD_PROVIDER_HASHI, "hashi-test");

  herald_account_set_label (account, "Main");
  herald_account_set_option_values (account, "lobby", lobbies);
  herald_test_parse_init (fx, account, HERALD_TYPE_HASHI_FEED);
}

/* --- events from the seed's shapes --- */

typedef struct
{
  const char *frame;
  const char *type;
  HeraldCategory category;
  HeraldSeverity severity;
  const char *title;
  const char *body;
  const char *dedupe_id;
  const char *occurred;
} EventCase;

#define UUID "550e8400-e29b-41d4-a716-446655440000"
#define STORAGE_UUID "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define TS "2024-01-15T10:30:00.000Z"

#define CONTRACT(name, lobby_member)                                                               \
  "{\"type\":\"contract:event\",\"data\":{\"type\":\"" name "\",\"contractId\":\"" UUID            \
  "\"" lobby_member ",\"timestamp\":\"" TS "\",\"payload\":{\"id\":\"" UUID "\"}}}"
#define IN_LOBBY ",\"lobbyId\":\"ABC123\""

static const EventCase event_cases[] = {
  /* The seed's own example. */
  { CONTRACT ("contract.initialized", IN_LOBBY), "contract.initialized", HERALD_CATEGORY_CONTRACT,
    HERALD_SEVERITY_INFO, "Contract confirmed on-chain", "Contract 550e8400… in lobby ABC123",
    "contract.initialized:" UUID ":" TS, TS },
  { CONTRACT ("contract.created", IN_LOBBY), "contract.created", HERALD_CATEGORY_CONTRACT,
    HERALD_SEVERITY_INFO, "Contract created", "Contract 550e8400… in lobby ABC123",
    "contract.created:" UUID ":" TS, TS },
  { CONTRACT ("contract.initializing", ""), "contract.initializing", HERALD_CATEGORY_CONTRACT,
    HERALD_SEVERITY_INFO, "Contract submitted on-chain", "Contract 550e8400…",
    "contract.initializing:" UUID ":" TS, TS },
  { CONTRACT ("contract.payment_transferred", IN_LOBBY), "contract.payment_transferred",
    HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_INFO, "Contract funded",
    "Contract 550e8400… in lobby ABC123", "contract.payment_transferred:" UUID ":" TS, TS },
  { CONTRACT ("contract.outcome_attested", IN_LOBBY), "contract.outcome_attested",
    HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_INFO, "Outcome submitted",
    "Contract 550e8400… in lobby ABC123", "contract.outcome_attested:" UUID ":" TS, TS },
  { CONTRACT ("contract.decision_contested", IN_LOBBY), "contract.decision_contested",
    HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_WARNING, "Mediation decision contested",
    "Contract 550e8400… in lobby ABC123", "contract.decision_contested:" UUID ":" TS, TS },
  { CONTRACT ("contract.mediation_submitted", IN_LOBBY), "contract.mediation_submitted",
    HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_INFO, "Mediator submitted a decision",
    "Contract 550e8400… in lobby ABC123", "contract.mediation_submitted:" UUID ":" TS, TS },
  { CONTRACT ("contract.admin_decision", IN_LOBBY), "contract.admin_decision",
    HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_WARNING, "Admin made the final decision",
    "Contract 550e8400… in lobby ABC123", "contract.admin_decision:" UUID ":" TS, TS },
  { CONTRACT ("contract.deleted", ""), "contract.deleted", HERALD_CATEGORY_CONTRACT,
    HERALD_SEVERITY_WARNING, "Contract rolled back", "Contract 550e8400…",
    "contract.deleted:" UUID ":" TS, TS },
  { CONTRACT ("contract.payout_finalized", IN_LOBBY), "contract.payout_finalized",
    HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_INFO, "Payout finalized",
    "Contract 550e8400… in lobby ABC123", "contract.payout_finalized:" UUID ":" TS, TS },
  /* A contract event Herald does not know yet is kept, with its name in the title. */
  { CONTRACT ("contract.renegotiated", IN_LOBBY), "contract.renegotiated", HERALD_CATEGORY_CONTRACT,
    HERALD_SEVERITY_INFO, "Contract update: contract.renegotiated",
    "Contract 550e8400… in lobby ABC123", "contract.renegotiated:" UUID ":" TS, TS },

  /* The payload's Contract object, where it names the game and the money (names guessed). */
  { "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.payment_transferred\","
    "\"contractId\":\"" UUID "\","
    "\"lobbyId\":\"ABC123\",\"timestamp\":\"" TS "\",\"payload\":{\"id\":\"" UUID
    "\",\"game\":\"Chess (Blitz 5+0)\","
    "\"stakeAmount\":\"25.00\",\"currency\":\"USDC\"}}}",
    "contract.payment_transferred", HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_INFO,
    "Contract funded", "Chess (Blitz 5+0), 25.00 USDC stake · Contract 550e8400… in lobby ABC123",
    "contract.payment_transferred:" UUID ":" TS, TS },
  { "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.payout_finalized\",\"contractId\":"
    "\"" UUID "\","
    "\"timestamp\":\"" TS
    "\",\"payload\":{\"game\":\"Chess (Blitz 5+0)\",\"stakeAmount\":\"25.00\","
    "\"payoutAmount\":\"47.50\",\"currency\":\"USDC\"}}}",
    "contract.payout_finalized", HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_INFO, "Payout finalized",
    "Chess (Blitz 5+0), 47.50 USDC paid out · Contract 550e8400…",
    "contract.payout_finalized:" UUID ":" TS, TS },
  { "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.created\",\"contractId\":\"c-17\","
    "\"timestamp\":\"" TS "\",\"payload\":{\"stakeAmount\":25,\"currency\":\"USD\"}}}",
    "contract.created", HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_INFO, "Contract created",
    "$25.00 stake · Contract c-17", "contract.created:c-17:" TS, TS },
  /* A currency that is not a code is not shown, nor the amount without it. */
  { "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.created\",\"contractId\":\"c-17\","
    "\"timestamp\":\"" TS
    "\",\"payload\":{\"game\":\"Chess\\n\",\"stakeAmount\":\"25\",\"currency\":\"<b>\"}}}",
    "contract.created", HERALD_CATEGORY_CONTRACT, HERALD_SEVERITY_INFO, "Contract created",
    "Chess · Contract c-17", "contract.created:c-17:" TS, TS },

  /* The seed's lobby example. */
  { "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.joined\",\"lobbyId\":\"" UUID
    "\",\"lobbyCode\":\"ABC123\","
    "\"timestamp\":\"" TS "\",\"payload\":{\"lobby\":{\"id\":\"" UUID "\"},\"playerId\":\"p-9\","
    "\"participantCount\":2}}}",
    "lobby.joined", HERALD_CATEGORY_LOBBY, HERALD_SEVERITY_INFO, "Player joined lobby ABC123",
    "2 players in the lobby", "lobby.joined:" UUID ":" TS, TS },
  { "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.left\",\"lobbyId\":\"" UUID
    "\",\"lobbyCode\":\"ABC123\","
    "\"timestamp\":\"2024-01-15T10:31:05.250Z\",\"payload\":{\"participantCount\":1}}}",
    "lobby.left", HERALD_CATEGORY_LOBBY, HERALD_SEVERITY_INFO, "Player left lobby ABC123",
    "1 player in the lobby", "lobby.left:" UUID ":2024-01-15T10:31:05.250Z",
    "2024-01-15T10:31:05.250Z" },
  { "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.deleted\",\"lobbyId\":\"" UUID
    "\",\"lobbyCode\":\"ABC123\","
    "\"timestamp\":\"" TS "\",\"payload\":{}}}",
    "lobby.deleted", HERALD_CATEGORY_LOBBY, HERALD_SEVERITY_INFO, "Lobby ABC123 closed",
    "The last player left", "lobby.deleted:" UUID ":" TS, TS },
  { "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.joined\",\"lobbyId\":\"" UUID
    "\",\"lobbyCode\":\"QX7R2M\","
    "\"timestamp\":\"" TS "\",\"payload\":{\"lobby\":{\"id\":\"" UUID
    "\",\"game\":\"Rocket League 1v1\","
    "\"stakeAmount\":\"10.00\",\"currency\":\"USDC\"},\"participantCount\":2}}}",
    "lobby.joined", HERALD_CATEGORY_LOBBY, HERALD_SEVERITY_INFO, "Player joined lobby QX7R2M",
    "2 players in the lobby · Rocket League 1v1, 10.00 USDC stake", "lobby.joined:" UUID ":" TS,
    TS },
  /* Without a code the id names the lobby: short ones whole, UUIDs shortened. */
  { "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.created\",\"lobbyId\":\"L-42\","
    "\"timestamp\":\"" TS "\","
    "\"payload\":{\"participantCount\":1}}}",
    "lobby.created", HERALD_CATEGORY_LOBBY, HERALD_SEVERITY_INFO, "Lobby L-42 created",
    "1 player in the lobby", "lobby.created:L-42:" TS, TS },
  { "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.created\",\"lobbyId\":\"" UUID
    "\",\"timestamp\":\"" TS "\"}}",
    "lobby.created", HERALD_CATEGORY_LOBBY, HERALD_SEVERITY_INFO, "Lobby 550e8400… created", "",
    "lobby.created:" UUID ":" TS, TS },
  { "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.renamed\",\"lobbyId\":\"" UUID
    "\",\"lobbyCode\":\"ABC123\","
    "\"timestamp\":\"" TS "\",\"payload\":{\"participantCount\":\"many\"}}}",
    "lobby.renamed", HERALD_CATEGORY_LOBBY, HERALD_SEVERITY_INFO, "Lobby ABC123: lobby.renamed", "",
    "lobby.renamed:" UUID ":" TS, TS },
  /* Untrusted text: control characters and bidi overrides go, line breaks fold. */
  { "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.joined\",\"lobbyId\":\"L-7\","
    "\"lobbyCode\":"
    "\"AB\\u0007C\\u202e\\nD\",\"timestamp\":\"" TS "\",\"payload\":{\"participantCount\":3}}}",
    "lobby.joined", HERALD_CATEGORY_LOBBY, HERALD_SEVERITY_INFO, "Player joined lobby ABC D",
    "3 players in the lobby", "lobby.joined:L-7:" TS, TS },

  /* The seed's storage example, and the rest of the storage names. */
  { "{\"type\":\"storage:event\",\"data\":{\"type\":\"storage.presigned_url_created\","
    "\"storageId\":\"" STORAGE_UUID "\",\"contractId\":\"" UUID
    "\",\"lobbyId\":\"ABC123\",\"playerId\":\"p-1\",\"timestamp\":\"" TS "\","
    "\"payload\":{\"storage\":{}}}}",
    "storage.presigned_url_created", HERALD_CATEGORY_STORAGE, HERALD_SEVERITY_INFO,
    "Upload link created", "For contract 550e8400…",
    "storage.presigned_url_created:" STORAGE_UUID ":" TS, TS },
  { "{\"type\":\"storage:event\",\"data\":{\"type\":\"storage.external_url_created\",\"storageId\":"
    "\"s-1\","
    "\"contractId\":\"c-1\",\"timestamp\":\"" TS "\"}}",
    "storage.external_url_created", HERALD_CATEGORY_STORAGE, HERALD_SEVERITY_INFO,
    "External link saved", "For contract c-1", "storage.external_url_created:s-1:" TS, TS },
  { "{\"type\":\"storage:event\",\"data\":{\"type\":\"storage.multipart_completed\",\"storageId\":"
    "\"s-1\","
    "\"contractId\":\"c-1\",\"timestamp\":\"" TS "\"}}",
    "storage.multipart_completed", HERALD_CATEGORY_STORAGE, HERALD_SEVERITY_INFO,
    "Upload completed", "For contract c-1", "storage.multipart_completed:s-1:" TS, TS },
  { "{\"type\":\"storage:event\",\"data\":{\"type\":\"storage.multipart_aborted\",\"storageId\":"
    "\"s-1\","
    "\"contractId\":\"c-1\",\"timestamp\":\"" TS "\"}}",
    "storage.multipart_aborted", HERALD_CATEGORY_STORAGE, HERALD_SEVERITY_WARNING, "Upload aborted",
    "For contract c-1", "storage.multipart_aborted:s-1:" TS, TS },
  { "{\"type\":\"storage:event\",\"data\":{\"type\":\"storage.deleted\",\"storageId\":\"s-2\","
    "\"timestamp\":\"" TS "\"}}",
    "storage.deleted", HERALD_CATEGORY_STORAGE, HERALD_SEVERITY_INFO, "Stored file deleted", "",
    "storage.deleted:s-2:" TS, TS },
  { "{\"type\":\"storage:event\",\"data\":{\"type\":\"storage.scanned\",\"storageId\":\"s-2\","
    "\"timestamp\":\"" TS "\"}}",
    "storage.scanned", HERALD_CATEGORY_STORAGE, HERALD_SEVERITY_INFO,
    "Storage update: storage.scanned", "", "storage.scanned:s-2:" TS, TS },
};

static void
test_event (Fixture *fx, gconstpointer data)
{
  const EventCase *c = data;
  HeraldEvent *event;
  gint64 occurred = 0;

  herald_test_parse_receive (fx, c->frame);

  g_assert_cmpuint (fx->sink->malformed, ==, 0);
  g_assert_cmpuint (fx->sink->failures, ==, 0);
  g_assert_cmpuint (fx->sink->events->len, ==, 1);
  event = g_ptr_array_index (fx->sink->events, 0);
  g_assert_cmpstr (herald_event_get_account (event), ==, "hashi-test");
  g_assert_cmpstr (herald_event_get_provider (event), ==, "hashi");
  herald_test_assert_event (event, c->frame, c->type, c->dedupe_id, c->title, c->body, c->category,
                            c->severity);
  /* These cases, and no other, are of a kind Herald does not know. */
  {
    static const char *const unknown_titles[] = {
      "Contract update: contract.renegotiated",
      "Lobby ABC123: lobby.renamed",
      "Storage update: storage.scanned",
      NULL,
    };

    herald_test_assert_unknown_type (event, unknown_titles);
  }
  g_assert_true (herald_parse_iso8601 (c->occurred, &occurred));
  g_assert_cmpint (herald_event_get_occurred (event), ==, occurred);
  g_assert_null (herald_event_get_link (event));
}

static void
test_unknown_message_kept (Fixture *fx, gconstpointer data)
{
  static const char frame[]
    = "{\"type\":\"bounty:event\",\"data\":{\"type\":\"bounty.claimed\",\"bountyId\":\"b-1\"}}";
  g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, frame, -1);
  g_autofree char *dedupe = g_strconcat ("raw:", checksum, NULL);
  HeraldEvent *event;

  herald_test_parse_receive (fx, frame);
  herald_test_parse_receive (fx, frame);

  g_assert_cmpuint (fx->sink->malformed, ==, 0);
  g_assert_cmpuint (fx->sink->events->len, ==, 2);
  event = g_ptr_array_index (fx->sink->events, 0);
  g_assert_cmpstr (herald_event_get_event_type (event), ==, "bounty:event");
  g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_SYSTEM);
  g_assert_cmpint (herald_event_get_severity (event), ==, HERALD_SEVERITY_INFO);
  g_assert_cmpstr (herald_event_get_title (event), ==, "Hashi: bounty:event");
  g_assert_cmpstr (herald_event_get_id (event), ==, dedupe);
  g_assert_cmpstr (herald_event_get_raw (event), ==, frame);
  /* The same frame again is the same event to the history. */
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->sink->events, 1)), ==, dedupe);
}

static void
test_redelivery_same_id (Fixture *fx, gconstpointer data)
{
  /* A re-sent event dedupes; the same contract moving on does not. */
  herald_test_parse_receive (fx, CONTRACT ("contract.payment_transferred", IN_LOBBY));
  herald_test_parse_receive (fx, CONTRACT ("contract.payment_transferred", IN_LOBBY));
  herald_test_parse_receive (
    fx, "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.payment_transferred\","
        "\"contractId\":\"" UUID "\",\"timestamp\":\"2024-01-15T10:35:00.000Z\"}}");
  herald_test_parse_receive (fx, CONTRACT ("contract.payout_finalized", IN_LOBBY));

  g_assert_cmpuint (fx->sink->events->len, ==, 4);
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->sink->events, 0)), ==,
                   herald_event_get_id (g_ptr_array_index (fx->sink->events, 1)));
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->sink->events, 1)), !=,
                   herald_event_get_id (g_ptr_array_index (fx->sink->events, 2)));
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->sink->events, 0)), !=,
                   herald_event_get_id (g_ptr_array_index (fx->sink->events, 3)));
}

/* --- bad input: dropped and counted, the connection kept --- */

static const char *const malformed_cases[] = {
  "not json",
  "{\"type\":\"contract:event\",\"data\":{",
  "[\"contract:event\",{}]",
  "{}",
  "{\"type\":5,\"data\":{}}",
  "{\"type\":null}",
  /* A blank type names nothing to show, as with the other feeds. */
  "{\"type\":\"\",\"data\":{}}",
  "{\"type\":\" \\t\",\"data\":{}}",
  "{\"type\":\"contract:event\"}",
  "{\"type\":\"contract:event\",\"data\":[]}",
  "{\"type\":\"contract:event\",\"data\":\"contract.created\"}",
  "{\"type\":\"contract:event\",\"data\":{\"contractId\":\"c-1\",\"timestamp\":\"" TS "\"}}",
  "{\"type\":\"contract:event\",\"data\":{\"type\":7,\"contractId\":\"c-1\",\"timestamp\":\"" TS
  "\"}}",
  "{\"type\":\"contract:event\",\"data\":{\"type\":\"\",\"contractId\":\"c-1\",\"timestamp\":\"" TS
  "\"}}",
  "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.created\",\"timestamp\":\"" TS "\"}}",
  "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.created\",\"contractId\":\"\","
  "\"timestamp\":\"" TS "\"}}",
  "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.created\",\"contractId\":42,"
  "\"timestamp\":\"" TS "\"}}",
  "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.created\",\"contractId\":\"c-1\"}}",
  "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.created\",\"contractId\":\"c-1\","
  "\"timestamp\":\"yesterday\"}}",
  "{\"type\":\"contract:event\",\"data\":{\"type\":\"contract.created\",\"contractId\":\"c-1\","
  "\"timestamp\":1705314600}}",
  /* The subject must be the one for the message type, not just any id. */
  "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.joined\",\"contractId\":\"c-1\","
  "\"timestamp\":\"" TS "\"}}",
  "{\"type\":\"storage:event\",\"data\":{\"type\":\"storage.deleted\",\"contractId\":\"c-1\","
  "\"timestamp\":\"" TS "\"}}",
  /* Errors that are not about the token concern one request: counted, socket kept. */
  "{\"type\":\"error\",\"data\":{\"message\":\"Lobby not found\",\"code\":\"NOT_FOUND\"}}",
  "{\"type\":\"error\",\"data\":{}}",
  "{\"type\":\"error\"}",
};

static void
test_malformed (Fixture *fx, gconstpointer data)
{
  herald_test_parse_check_refused (fx, data);
}

/* --- control messages --- */

static void
test_connected_subscribes (Fixture *fx, gconstpointer data)
{
  herald_test_parse_receive (fx,
                             "{\"type\":\"connected\",\"data\":{\"userId\":\"did:privy:abc\"}}");

  g_assert_cmpuint (fx->sink->events->len, ==, 0);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);
  g_assert_cmpuint (fx->sink->sent->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fx->sink->sent, 0), ==,
                   "{\"type\":\"subscribe\",\"data\":{\"lobbyId\":\"lobby-1\"}}");
  g_assert_cmpstr (g_ptr_array_index (fx->sink->sent, 1), ==,
                   "{\"type\":\"subscribe\",\"data\":{\"lobbyId\":\"ABC123\"}}");

  /* The answers to our own requests are not news. */
  herald_test_parse_receive (fx, "{\"type\":\"subscribed\",\"data\":{\"lobbyId\":\"lobby-1\"}}");
  herald_test_parse_receive (fx, "{\"type\":\"unsubscribed\",\"data\":{\"lobbyId\":\"lobby-1\"}}");
  g_assert_cmpuint (fx->sink->events->len, ==, 0);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);

  /* Each `connected` is a new socket on the server: ask again. */
  herald_test_parse_receive (fx, "{\"type\":\"connected\"}");
  g_assert_cmpuint (fx->sink->sent->len, ==, 4);
}

static void
test_connected_without_lobbies (Fixture *fx, gconstpointer data)
{
  herald_account_set_option_values (fx->account, "lobby", NULL);
  herald_test_parse_receive (fx, "{\"type\":\"connected\",\"data\":{}}");

  g_assert_cmpuint (fx->sink->sent->len, ==, 0);
  g_assert_cmpuint (fx->sink->events->len, ==, 0);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);
}

static void
test_heartbeat (Fixture *fx, gconstpointer data)
{
  const HeraldFeedTiming *timing = herald_feed_get_timing (fx->feed);

  g_assert_cmpuint (timing->heartbeat_ms, ==, 25000);
  g_assert_cmpuint (timing->reply_deadline_ms, ==, 10000);

  HERALD_FEED_GET_CLASS (fx->feed)->heartbeat (fx->feed);
  g_assert_cmpuint (fx->sink->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->sink->sent, 0), ==, "{\"type\":\"ping\"}");
  g_assert_cmpuint (fx->sink->expected_replies, ==, 1);
  g_assert_cmpuint (fx->sink->replies, ==, 0);

  herald_test_parse_receive (fx, "{\"type\":\"pong\"}");
  g_assert_cmpuint (fx->sink->replies, ==, 1);
  herald_test_parse_receive (fx, "{\"type\":\"pong\",\"data\":{\"timestamp\":1705314600000}}");
  g_assert_cmpuint (fx->sink->replies, ==, 2);
  g_assert_cmpuint (fx->sink->events->len, ==, 0);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);
}

static void
test_auth_error (Fixture *fx, gconstpointer data)
{
  GError *error;

  herald_test_parse_receive (fx, "{\"type\":\"error\",\"data\":{\"message\":\"Authentication "
                                 "failed\",\"code\":\"AUTH_ERROR\"}}");

  g_assert_cmpuint (fx->sink->failures, ==, 1);
  error = fx->sink->failure;
  g_assert_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  g_assert_cmpstr (error->message, ==, "Hashi refused the access token");
  g_assert_cmpuint (fx->sink->events->len, ==, 0);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);
}

static void
test_close_codes (Fixture *fx, gconstpointer data)
{
  HeraldFeedClass *klass = HERALD_FEED_GET_CLASS (fx->feed);
  char *reason = NULL;

  g_assert_cmpint (klass->closed (fx->feed, 4001, "", &reason), ==, HERALD_CLOSE_ATTENTION);
  g_assert_cmpstr (reason, ==, "Hashi refused the access token");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (klass->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_ABNORMAL, NULL, &reason), ==,
                   HERALD_CLOSE_RECONNECT);
  g_assert_null (reason);
  g_assert_cmpint (klass->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "restart", &reason),
                   ==, HERALD_CLOSE_RECONNECT);
  g_assert_cmpint (klass->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "bad", &reason),
                   ==, HERALD_CLOSE_RECONNECT);
  g_assert_null (reason);
}

/* --- the token, before any connection --- */

/* Runs prepare_async to completion; TRUE when the feed would go on to connect. */
static gboolean
prepare (Fixture *fx, GError **error)
{
  return herald_test_feed_prepare (fx->feed, NULL, error);
}

static char *
make_jwt (const char *claims)
{
  return herald_test_jwt_new (NULL, claims, NULL);
}

static void
test_token_valid (Fixture *fx, gconstpointer data)
{
  g_autofree char *claims
    = g_strdup_printf ("{\"sub\":\"did:privy:abc\",\"exp\":%" G_GINT64_FORMAT "}",
                       g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autofree char *token = make_jwt (claims);
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autofree char *expected = NULL;
  g_auto (GStrv) protocols = NULL;
  GUri *uri;

  herald_feed_set_credential (fx->feed, "token", token);
  g_assert_true (prepare (fx, &error));
  g_assert_no_error (error);

  message = HERALD_FEED_GET_CLASS (fx->feed)->build_request (fx->feed, &protocols, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_null (protocols);
  uri = soup_message_get_uri (message);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "wss");
  g_assert_cmpstr (g_uri_get_host (uri), ==, "socket.dev.hashi.gg");
  expected = g_strconcat ("token=", token, NULL);
  g_assert_cmpstr (g_uri_get_query (uri), ==, expected);
}

static void
test_token_without_expiry (Fixture *fx, gconstpointer data)
{
  g_autofree char *token = make_jwt ("{\"sub\":\"did:privy:abc\"}");
  g_autoptr (GError) error = NULL;

  /* The server is the judge of a token that does not say. */
  herald_feed_set_credential (fx->feed, "token", token);
  g_assert_true (prepare (fx, &error));
  g_assert_no_error (error);
}

static void
test_token_expired (Fixture *fx, gconstpointer data)
{
  /* 2024-01-15 10:30 UTC; the test runs with TZ=UTC. */
  g_autofree char *token = make_jwt ("{\"sub\":\"did:privy:abc\",\"exp\":1705314600}");
  g_autoptr (GError) error = NULL;

  herald_feed_set_credential (fx->feed, "token", token);
  g_assert_false (prepare (fx, &error));
  g_assert_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  g_assert_cmpstr (error->message, ==,
                   "The Hashi access token expired at 2024-01-15 10:30; paste a new one");
}

static void
test_token_just_lapsed (Fixture *fx, gconstpointer data)
{
  g_autofree char *claims
    = g_strdup_printf ("{\"exp\":%" G_GINT64_FORMAT "}", g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *token = make_jwt (claims);
  g_autoptr (GError) error = NULL;

  herald_feed_set_credential (fx->feed, "token", token);
  g_assert_false (prepare (fx, &error));
  g_assert_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  g_assert_true (g_str_has_prefix (error->message, "The Hashi access token expired at "));
}

static const char *const bad_tokens[] = {
  NULL,
  "",
  "my-password",
  "Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln",
  "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln",
};

static void
test_token_not_jwt (Fixture *fx, gconstpointer data)
{
  const char *token = *(const char *const *)data;
  g_autoptr (GError) error = NULL;

  herald_feed_set_credential (fx->feed, "token", token);
  g_assert_false (prepare (fx, &error));
  g_assert_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION);
  if (token != NULL && *token != '\0')
    g_assert_null (strstr (error->message, token));
  g_assert_cmpuint (fx->sink->failures, ==, 0);
}

static void
test_closed_after_expiry (Fixture *fx, gconstpointer data)
{
  g_autofree char *claims
    = g_strdup_printf ("{\"exp\":%" G_GINT64_FORMAT "}", g_get_real_time () / G_USEC_PER_SEC + 1);
  g_autofree char *token = make_jwt (claims);
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;

  herald_feed_set_credential (fx->feed, "token", token);
  g_assert_true (prepare (fx, &error));
  g_assert_no_error (error);
  g_usleep (1100 * 1000);

  /* Once the token has lapsed, any close is the token's fault; say so and stop. */
  g_assert_cmpint (
    HERALD_FEED_GET_CLASS (fx->feed)->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_NORMAL, "", &reason),
    ==, HERALD_CLOSE_ATTENTION);
  g_assert_true (g_str_has_prefix (reason, "The Hashi access token expired at "));
  herald_test_parse_receive (fx, "{\"type\":\"error\",\"data\":{\"message\":\"Authentication "
                                 "failed\",\"code\":\"AUTH_ERROR\"}}");
  g_assert_cmpuint (fx->sink->failures, ==, 1);
  g_assert_true (
    g_str_has_prefix (fx->sink->failure->message, "The Hashi access token expired at "));
}

/* A contract's states name the contract; lobby and storage events stand alone. */
static const HeraldTestObjectCase object_cases[] = {
  { "contract", CONTRACT ("contract.initialized", IN_LOBBY), "contract:" UUID },
  { "contract-unknown-state", CONTRACT ("contract.renegotiated", ""), "contract:" UUID },
  { "lobby",
    "{\"type\":\"lobby:event\",\"data\":{\"type\":\"lobby.joined\",\"lobbyId\":\"ABC123\","
    "\"timestamp\":\"" TS "\"}}",
    NULL },
};

static void
test_object_id (Fixture *fx, gconstpointer data)
{
  herald_test_parse_check_object_id (fx, data);
}

int
main (int argc, char *argv[])
{
  /* Expiry times are shown in local time; pin it so the messages can be compared. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (event_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hashi/event/%u", i);

      g_test_add (path, Fixture, &event_cases[i], fixture_setup, test_event,
                  herald_test_parse_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (malformed_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hashi/malformed/%u", i);

      g_test_add (path, Fixture, malformed_cases[i], fixture_setup, test_malformed,
                  herald_test_parse_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_tokens); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hashi/token/not-jwt/%u", i);

      g_test_add (path, Fixture, &bad_tokens[i], fixture_setup, test_token_not_jwt,
                  herald_test_parse_teardown);
    }
  HERALD_TEST_ADD_TABLE ("/hashi/object-id", Fixture, object_cases, fixture_setup, test_object_id,
                         herald_test_parse_teardown);
  g_test_add ("/hashi/unknown-message-kept", Fixture, NULL, fixture_setup,
              test_unknown_message_kept, herald_test_parse_teardown);
  g_test_add ("/hashi/redelivery-same-id", Fixture, NULL, fixture_setup, test_redelivery_same_id,
              herald_test_parse_teardown);
  g_test_add ("/hashi/connected-subscribes", Fixture, NULL, fixture_setup,
              test_connected_subscribes, herald_test_parse_teardown);
  g_test_add ("/hashi/connected-without-lobbies", Fixture, NULL, fixture_setup,
              test_connected_without_lobbies, herald_test_parse_teardown);
  g_test_add ("/hashi/heartbeat", Fixture, NULL, fixture_setup, test_heartbeat,
              herald_test_parse_teardown);
  g_test_add ("/hashi/auth-error", Fixture, NULL, fixture_setup, test_auth_error,
              herald_test_parse_teardown);
  g_test_add ("/hashi/close-codes", Fixture, NULL, fixture_setup, test_close_codes,
              herald_test_parse_teardown);
  g_test_add ("/hashi/token/valid", Fixture, NULL, fixture_setup, test_token_valid,
              herald_test_parse_teardown);
  g_test_add ("/hashi/token/without-expiry", Fixture, NULL, fixture_setup,
              test_token_without_expiry, herald_test_parse_teardown);
  g_test_add ("/hashi/token/expired", Fixture, NULL, fixture_setup, test_token_expired,
              herald_test_parse_teardown);
  g_test_add ("/hashi/token/just-lapsed", Fixture, NULL, fixture_setup, test_token_just_lapsed,
              herald_test_parse_teardown);
  g_test_add ("/hashi/token/closed-after-expiry", Fixture, NULL, fixture_setup,
              test_closed_after_expiry, herald_test_parse_teardown);
  return g_test_run ();
}
