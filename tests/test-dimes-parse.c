/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dimes-parse.c — the Dimes feed driven frame by frame through a test sink: Socket.IO
 * session handling, position events as the seed shapes them, and frames it must refuse. */
#include "config.h"

#include <string.h>

#include "herald-dimes-feed.h"
#include "herald-providers.h"
#include "herald-test-feed.h"

#define NS HERALD_DIMES_PARTNER_NAMESPACE
#define API_KEY "dm_sbx_skey_k3y\"with\\quirks"
#define OPEN_FRAME                                                                                 \
  "0{\"sid\":\"eio1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"               \
  "\"maxPayload\":1000000}"

typedef HeraldTestParse Fixture;

static SoupMessage *
feed_build_request (Fixture *fixture, GError **error)
{
  g_auto (GStrv) protocols = NULL;
  SoupMessage *message
    = HERALD_FEED_GET_CLASS (fixture->feed)->build_request (fixture->feed, &protocols, error);

  g_assert_null (protocols);
  return message;
}

static void
feed_open (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (HERALD_FEED_GET_CLASS (fixture->feed)->opened (fixture->feed, NULL, &error));
  g_assert_no_error (error);
}

static void
make_feed (Fixture *fixture, const char *gateway, const char *field, const char *secret)
{
  HeraldAccount *account = herald_account_new (HERALD_PROVIDER_DIMES, "dimes-test");

  if (gateway != NULL)
    herald_account_add_option_value (account, "gateway", gateway);
  herald_test_parse_init (fixture, account, HERALD_TYPE_DIMES_FEED);
  if (secret != NULL)
    herald_feed_set_credential (fixture->feed, field, secret);
}

/* A partner feed that has completed the handshake and joined its namespace. */
static void
fixture_setup_joined (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GError) error = NULL;

  make_feed (fixture, NULL, "api-key", API_KEY);
  message = feed_build_request (fixture, &error);
  g_assert_no_error (error);
  feed_open (fixture);
  herald_test_parse_receive (fixture, OPEN_FRAME);
  herald_test_parse_receive (fixture, "40" NS ",{\"sid\":\"sio1\"}");
  g_assert_true (herald_socketio_feed_get_joined (HERALD_SOCKETIO_FEED (fixture->feed)));
  g_ptr_array_set_size (fixture->sink->sent, 0);
  g_assert_cmpuint (fixture->sink->malformed, ==, 0);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  /* Engine.IO heartbeats come from the server: the feed never waits for a reply. */
  if (fixture->sink != NULL)
    g_assert_cmpuint (fixture->sink->expected_replies, ==, 0);
  herald_test_parse_teardown (fixture, data);
}

/* An unsigned JWT like the customer tokens Dimes mints; exp_offset_s from now, or no "exp". */
static char *
make_jwt (gboolean with_exp, gint64 exp_offset_s)
{
  g_autofree char *claims = NULL;

  if (with_exp)
    claims = g_strdup_printf ("{\"sub\":\"0xabc\",\"exp\":%" G_GINT64_FORMAT "}",
                              g_get_real_time () / G_USEC_PER_SEC + exp_offset_s);
  else
    claims = g_strdup ("{\"sub\":\"0xabc\"}");
  return herald_test_jwt_new (NULL, claims, NULL);
}

/* --- the session --- */

static void
test_request_and_handshake (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = NULL;

  make_feed (fixture, NULL, "api-key", API_KEY);
  message = feed_build_request (fixture, &error);
  g_assert_no_error (error);
  uri = g_uri_to_string (soup_message_get_uri (message));
  g_assert_cmpstr (uri, ==, "wss://api.dimes.fi/socket.io/?EIO=4&transport=websocket");
  /* The key travels only in the handshake body, never in the URL. */
  g_assert_null (strstr (uri, "skey"));

  feed_open (fixture);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 0);
  g_assert_cmpuint (herald_feed_get_timing (fixture->feed)->liveness_ms, ==,
                    HERALD_SOCKETIO_DEFAULT_WINDOW_MS);

  herald_test_parse_receive (fixture, OPEN_FRAME);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sink->sent, 0), ==,
                   "40" NS ",{\"apiKey\":\"dm_sbx_skey_k3y\\\"with\\\\quirks\"}");
  g_assert_cmpuint (herald_feed_get_timing (fixture->feed)->liveness_ms, ==, 45000);

  herald_test_parse_receive (fixture, "40" NS ",{\"sid\":\"sio1\"}");
  herald_test_parse_receive (fixture, "2");
  g_assert_cmpuint (fixture->sink->sent->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->sink->sent, 1), ==, "3");
  g_assert_cmpuint (fixture->sink->malformed, ==, 0);
  g_assert_null (fixture->sink->failure);
  g_assert_cmpuint (fixture->sink->reconnects, ==, 0);
}

/* The open packet's window applies to its connection only: the next starts from the default. */
static void
test_window_follows_open_packet (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SoupMessage) first = NULL;
  g_autoptr (SoupMessage) second = NULL;

  make_feed (fixture, NULL, "api-key", API_KEY);
  first = feed_build_request (fixture, NULL);
  feed_open (fixture);
  herald_test_parse_receive (
    fixture, "0{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200}");
  g_assert_cmpuint (herald_feed_get_timing (fixture->feed)->liveness_ms, ==, 500);
  g_assert_cmpuint (
    herald_socketio_feed_get_server_window_ms (HERALD_SOCKETIO_FEED (fixture->feed)), ==, 500);

  second = feed_build_request (fixture, NULL);
  g_assert_cmpuint (herald_feed_get_timing (fixture->feed)->liveness_ms, ==,
                    HERALD_SOCKETIO_DEFAULT_WINDOW_MS);
  feed_open (fixture);
  g_assert_cmpuint (
    herald_socketio_feed_get_server_window_ms (HERALD_SOCKETIO_FEED (fixture->feed)), ==, 0);

  /* An absurd announcement cannot switch liveness off. */
  herald_test_parse_receive (
    fixture, "0{\"sid\":\"b\",\"upgrades\":[],\"pingInterval\":9000000000,\"pingTimeout\":1}");
  g_assert_cmpuint (herald_feed_get_timing (fixture->feed)->liveness_ms, ==,
                    HERALD_SOCKETIO_MAX_WINDOW_MS);
}

static void
test_refused (Fixture *fixture, gconstpointer data)
{
  herald_test_parse_receive (fixture, "44" NS ",{\"message\":\"Unauthorized: invalid API key\"}");
  g_assert_error (fixture->sink->failure, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  g_assert_cmpstr (fixture->sink->failure->message, ==,
                   "Dimes refused the connection: Unauthorized: invalid API key");
  g_assert_cmpuint (fixture->sink->events->len, ==, 0);
}

static void
test_refused_namespace (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SoupMessage) message = NULL;

  make_feed (fixture, NULL, "api-key", API_KEY);
  message = feed_build_request (fixture, NULL);
  feed_open (fixture);
  herald_test_parse_receive (fixture, OPEN_FRAME);
  /* Refused before the join: no credential fixes a namespace the server does not have. */
  herald_test_parse_receive (fixture, "44" NS ",{\"message\":\"Invalid namespace\"}");
  g_assert_error (fixture->sink->failure, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION);
  g_clear_error (&fixture->sink->failure);

  /* The refusal ended that session; the next connection gets a fresh one. A control
   * character in the server's message must not reach the user. */
  feed_open (fixture);
  herald_test_parse_receive (fixture, OPEN_FRAME);
  herald_test_parse_receive (fixture, "44" NS ",{\"message\":\"bad\\u0007 key\\n\"}");
  g_assert_error (fixture->sink->failure, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  g_assert_cmpstr (fixture->sink->failure->message, ==, "Dimes refused the connection: bad key");
  g_clear_error (&fixture->sink->failure);

  /* python-socketio refuses with a bare string: still a refusal, with its words. */
  feed_open (fixture);
  herald_test_parse_receive (fixture, OPEN_FRAME);
  herald_test_parse_receive (fixture, "44" NS ",\"Unable to connect\"");
  g_assert_error (fixture->sink->failure, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  g_assert_cmpstr (fixture->sink->failure->message, ==,
                   "Dimes refused the connection: Unable to connect");
}

static void
test_server_disconnects (Fixture *fixture, gconstpointer data)
{
  /* Another namespace's goodbye is not ours. */
  herald_test_parse_receive (fixture, "41/other,");
  herald_test_parse_receive (fixture, "41");
  g_assert_cmpuint (fixture->sink->reconnects, ==, 0);

  herald_test_parse_receive (fixture, "41" NS ",");
  g_assert_cmpuint (fixture->sink->reconnects, ==, 1);
  g_assert_false (fixture->sink->reauthenticate);

  herald_test_parse_receive (fixture, "1");
  g_assert_cmpuint (fixture->sink->reconnects, ==, 2);
  g_assert_null (fixture->sink->failure);
  g_assert_cmpuint (fixture->sink->malformed, ==, 0);
}

static void
test_acks (Fixture *fixture, gconstpointer data)
{
  herald_test_parse_receive (
    fixture,
    "42" NS ",12[\"position.opened\",{\"id\":\"evt_ack\",\"type\":\"position.opened\","
    "\"created_at\":\"2025-03-01T12:00:00Z\",\"data\":{\"id\":\"dm_pos_1\",\"side\":\"no\"}}]");
  g_assert_cmpuint (fixture->sink->events->len, ==, 1);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sink->sent, 0), ==, "43" NS ",12[]");

  /* No ack id, no ack; an event for another namespace is neither shown nor acked. */
  herald_test_parse_receive (fixture,
                             "42" NS ",[\"position.opened\",{\"id\":\"evt_noack\",\"data\":{}}]");
  herald_test_parse_receive (fixture,
                             "42/other,5[\"position.opened\",{\"id\":\"evt_other\",\"data\":{}}]");
  herald_test_parse_receive (fixture, "427[\"position.opened\",{\"id\":\"evt_main\",\"data\":{}}]");
  g_assert_cmpuint (fixture->sink->events->len, ==, 2);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  g_assert_cmpuint (fixture->sink->malformed, ==, 0);
}

static void
test_binary_refused (Fixture *fixture, gconstpointer data)
{
  herald_test_parse_receive (fixture,
                             "451-" NS ",[\"position.opened\",{\"_placeholder\":true,\"num\":0}]");
  herald_test_parse_receive (fixture, "461-" NS ",3[{\"_placeholder\":true,\"num\":0}]");
  g_assert_cmpuint (fixture->sink->malformed, ==, 2);
  g_assert_cmpuint (fixture->sink->events->len, ==, 0);
  g_assert_null (fixture->sink->failure);
  g_assert_cmpuint (fixture->sink->reconnects, ==, 0);

  /* The session carries on. */
  herald_test_parse_receive (fixture,
                             "42" NS ",[\"position.opened\",{\"id\":\"evt_after\",\"data\":{}}]");
  g_assert_cmpuint (fixture->sink->events->len, ==, 1);
}

static void
test_out_of_sequence (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SoupMessage) message = NULL;

  make_feed (fixture, NULL, "api-key", API_KEY);
  message = feed_build_request (fixture, NULL);
  feed_open (fixture);

  /* Before the open packet: nothing Socket.IO counts. */
  herald_test_parse_receive (fixture,
                             "42" NS ",[\"position.opened\",{\"id\":\"evt_early\",\"data\":{}}]");
  g_assert_cmpuint (fixture->sink->malformed, ==, 1);
  herald_test_parse_receive (fixture, OPEN_FRAME);
  /* Before the namespace answered. */
  herald_test_parse_receive (fixture,
                             "42" NS ",[\"position.opened\",{\"id\":\"evt_early\",\"data\":{}}]");
  g_assert_cmpuint (fixture->sink->malformed, ==, 2);
  herald_test_parse_receive (fixture, OPEN_FRAME);
  g_assert_cmpuint (fixture->sink->malformed, ==, 3);
  herald_test_parse_receive (fixture, "40" NS ",{\"sid\":\"s\"}");
  herald_test_parse_receive (fixture, "40" NS ",{\"sid\":\"s\"}");
  g_assert_cmpuint (fixture->sink->malformed, ==, 4);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  g_assert_cmpuint (fixture->sink->events->len, ==, 0);
  g_assert_null (fixture->sink->failure);
  g_assert_cmpuint (fixture->sink->reconnects, ==, 0);
}

/* --- position events --- */

typedef struct
{
  const char *path;
  const char *frame;
  const char *type;
  const char *id;
  const char *title;
  const char *body;
  HeraldCategory category;
  HeraldSeverity severity;
  const char *occurred; /* NULL: the time it was received */
} EventCase;

#define POSITION_OPEN_SHAPE(side)                                                                  \
  "\"data\":{\"id\":\"dm_pos_7Hq\",\"status\":\"open\",\"side\":\"" side "\",\"market_ticker\":"   \
  "\"RAIN-NYC-15AUG\",\"market_title\":\"Will it rain in New York City on August 15?\",\"entry\":" \
  "{\"collateral_usd\":\"25.00\",\"collateral_usd_pips\":\"250000\",\"price_usd\":\"0.42\"},"      \
  "\"current\":{\"price_usd\":\"0.47\",\"value_usd\":\"29.76\"}}"

#define POSITION_CLOSED_SHAPE(reason, pnl, proceeds)                                               \
  "\"data\":{\"id\":\"dm_pos_7Hq\",\"status\":\"closed\",\"side\":\"yes\",\"market_ticker\":"      \
  "\"FED-25DEC-CUT25\",\"market_title\":\"Will the Fed cut rates by 25 bps in December?\","        \
  "\"close_reason\":\"" reason "\",\"entry\":{\"collateral_usd\":\"40\",\"price_usd\":\"0.55\"},"  \
  "\"result\":{\"realized_pnl_usd\":\"" pnl "\",\"proceeds_usd\":\"" proceeds "\","                \
  "\"closed_at\":\"2025-03-02T09:30:00Z\"}}"

#define EVENT(type, id, when, data)                                                                \
  "42" NS ",[\"" type "\",{\"id\":\"" id "\",\"type\":\"" type "\",\"created_at\":\"" when         \
  "\"," data "}]"

#define FED "YES on Will the Fed cut rates by 25 bps in December?"
#define RAIN "YES on Will it rain in New York City on August 15?"

static const EventCase event_cases[] = {
  { "/dimes/event/created",
    EVENT ("position.created", "evt_c1", "2025-03-01T11:59:00Z", POSITION_OPEN_SHAPE ("yes")),
    "position.created", "evt_c1", "Position created: " RAIN,
    "Collateral $25.00 · Entry price $0.42", HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO,
    "2025-03-01T11:59:00Z" },
  { "/dimes/event/opening",
    EVENT ("position.opening", "evt_c2", "2025-03-01T11:59:30Z", POSITION_OPEN_SHAPE ("yes")),
    "position.opening", "evt_c2", "Position opening: " RAIN,
    "Collateral $25.00 · Entry price $0.42", HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO,
    "2025-03-01T11:59:30Z" },
  { "/dimes/event/opened",
    EVENT ("position.opened", "evt_01", "2025-03-01T12:00:00.250Z", POSITION_OPEN_SHAPE ("yes")),
    "position.opened", "evt_01", "Position opened: " RAIN, "Collateral $25.00 · Entry price $0.42",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO, "2025-03-01T12:00:00.250Z" },
  { "/dimes/event/close-requested",
    EVENT ("position.close_requested", "evt_02", "2025-03-01T12:10:00Z",
           POSITION_OPEN_SHAPE ("no")),
    "position.close_requested", "evt_02",
    "Position close requested: NO on Will it rain in New York City on August 15?",
    "Collateral $25.00 · Entry price $0.42", HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO,
    "2025-03-01T12:10:00Z" },
  { "/dimes/event/closed",
    EVENT ("position.closed", "evt_03", "2025-03-02T09:30:00Z",
           POSITION_CLOSED_SHAPE ("closed", "3.1", "43.1")),
    "position.closed", "evt_03", "Position closed: " FED,
    "Collateral $40.00 · Entry price $0.55 · Realized P&L +$3.10 · Proceeds $43.10",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO, "2025-03-02T09:30:00Z" },
  { "/dimes/event/settled",
    EVENT ("position.settled", "evt_04", "2025-03-03T00:00:00Z",
           POSITION_CLOSED_SHAPE ("settled", "-12.5", "27.5")),
    "position.settled", "evt_04", "Position settled: " FED,
    "Collateral $40.00 · Entry price $0.55 · Realized P&L -$12.50 · Proceeds $27.50",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO, "2025-03-03T00:00:00Z" },
  { "/dimes/event/liquidated",
    EVENT ("position.liquidated", "evt_05", "2025-03-02T14:00:00Z",
           POSITION_CLOSED_SHAPE ("liquidated", "-40.00", "0.00")),
    "position.liquidated", "evt_05", "Position liquidated: " FED,
    "Collateral $40.00 · Entry price $0.55 · Realized P&L -$40.00 · Proceeds $0.00",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_CRITICAL, "2025-03-02T14:00:00Z" },
  { "/dimes/event/force-unwound",
    EVENT ("position.force_unwound", "evt_06", "2025-03-02T13:00:00Z", POSITION_OPEN_SHAPE ("no")),
    "position.force_unwound", "evt_06",
    "Position partly unwound: NO on Will it rain in New York City on August 15?",
    "Collateral $25.00 · Entry price $0.42", HERALD_CATEGORY_POSITION, HERALD_SEVERITY_WARNING,
    "2025-03-02T13:00:00Z" },
  { "/dimes/event/reverted",
    EVENT ("position.reverted", "evt_07", "2025-03-01T12:00:05Z",
           POSITION_CLOSED_SHAPE ("reverted", "0", "40")),
    "position.reverted", "evt_07", "Position reverted: " FED,
    "Collateral $40.00 · Entry price $0.55 · Realized P&L $0.00 · Proceeds $40.00",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_WARNING, "2025-03-01T12:00:05Z" },
  { "/dimes/event/cancelled",
    EVENT ("position.cancelled", "evt_08", "2025-03-01T12:00:06Z",
           POSITION_CLOSED_SHAPE ("reverted", "0.00", "40.00")),
    "position.cancelled", "evt_08", "Position cancelled: " FED,
    "Collateral $40.00 · Entry price $0.55 · Realized P&L $0.00 · Proceeds $40.00",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_WARNING, "2025-03-01T12:00:06Z" },
  /* Amounts rounded exactly, half away from zero: floating point made "$1.00" and "$0.28" of
   * these, and a P&L that rounds to nothing has no sign. */
  { "/dimes/event/exact-rounding",
    EVENT ("position.closed", "evt_20", "2025-03-02T09:30:00Z",
           POSITION_CLOSED_SHAPE ("closed", "1.005", "0.285")),
    "position.closed", "evt_20", "Position closed: " FED,
    "Collateral $40.00 · Entry price $0.55 · Realized P&L +$1.01 · Proceeds $0.29",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO, "2025-03-02T09:30:00Z" },
  { "/dimes/event/loss-rounds-to-zero",
    EVENT ("position.closed", "evt_21", "2025-03-02T09:30:00Z",
           POSITION_CLOSED_SHAPE ("closed", "-0.004", "39.996")),
    "position.closed", "evt_21", "Position closed: " FED,
    "Collateral $40.00 · Entry price $0.55 · Realized P&L $0.00 · Proceeds $40.00",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO, "2025-03-02T09:30:00Z" },
  /* Untrusted text is cleaned; with no market title the ticker names the market. */
  { "/dimes/event/untrusted-text",
    EVENT ("position.opened", "evt_09", "2025-03-01T12:00:00Z",
           "\"data\":{\"id\":\"dm_pos_x\",\"side\":\"yes\",\"market_title\":\"Rain\\u202e?\\n\\tin "
           "<b>NYC</b>\\u0000\"}"),
    "position.opened", "evt_09", "Position opened: YES on Rain? in <b>NYC</b>\xef\xbf\xbd", NULL,
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO, "2025-03-01T12:00:00Z" },
  { "/dimes/event/ticker-only",
    EVENT ("position.opened", "evt_10", "2025-03-01T12:00:00Z",
           "\"data\":{\"id\":\"dm_pos_x\",\"market_ticker\":\"BTC-31DEC-100K\",\"entry\":{"
           "\"collateral_usd\":12}}"),
    "position.opened", "evt_10", "Position opened: BTC-31DEC-100K", "Collateral $12.00",
    HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO, "2025-03-01T12:00:00Z" },
  /* A missing or unreadable time falls back to when Herald received the event. */
  { "/dimes/event/no-created-at",
    "42" NS ",[\"position.opened\",{\"id\":\"evt_11\",\"type\":\"position.opened\",\"data\":{}}]",
    "position.opened", "evt_11", "Position opened: a position", NULL, HERALD_CATEGORY_POSITION,
    HERALD_SEVERITY_INFO, NULL },
  { "/dimes/event/bad-created-at",
    EVENT ("position.opened", "evt_12", "yesterday", "\"data\":{\"side\":\"yes\"}"),
    "position.opened", "evt_12", "Position opened: YES", NULL, HERALD_CATEGORY_POSITION,
    HERALD_SEVERITY_INFO, NULL },
  /* Types Herald does not know are kept. */
  { "/dimes/event/unknown-position-type",
    EVENT ("position.partial_close_requested", "evt_13", "2025-03-04T08:00:00Z",
           POSITION_OPEN_SHAPE ("yes")),
    "position.partial_close_requested", "evt_13", "Dimes: position.partial_close_requested",
    RAIN " · Collateral $25.00 · Entry price $0.42", HERALD_CATEGORY_POSITION, HERALD_SEVERITY_INFO,
    "2025-03-04T08:00:00Z" },
  { "/dimes/event/unknown-type",
    "42" NS ",[\"market.halted\",{\"id\":\"evt_14\",\"created_at\":\"2025-03-04T08:00:00Z\"}]",
    "market.halted", "evt_14", "Dimes: market.halted", NULL, HERALD_CATEGORY_SYSTEM,
    HERALD_SEVERITY_INFO, "2025-03-04T08:00:00Z" },
  { "/dimes/event/unknown-without-id", "42" NS ",[\"hello\"]", "hello",
    "raw:", /* prefix: the rest is the frame's SHA-256 */
    "Dimes: hello", NULL, HERALD_CATEGORY_SYSTEM, HERALD_SEVERITY_INFO, NULL },
  { "/dimes/event/error-not-auth", "42" NS ",[\"error\",{\"message\":\"Rate limit exceeded\"}]",
    "error", "raw:", "Dimes reported an error", "Rate limit exceeded", HERALD_CATEGORY_SYSTEM,
    HERALD_SEVERITY_WARNING, NULL },
};

static void
test_event (Fixture *fixture, gconstpointer data)
{
  const EventCase *c = data;
  HeraldEvent *event;

  herald_test_parse_receive (fixture, c->frame);
  g_assert_cmpuint (fixture->sink->malformed, ==, 0);
  g_assert_null (fixture->sink->failure);
  g_assert_cmpuint (fixture->sink->events->len, ==, 1);
  event = g_ptr_array_index (fixture->sink->events, 0);

  g_assert_cmpstr (herald_event_get_account (event), ==, "dimes-test");
  g_assert_cmpstr (herald_event_get_provider (event), ==, "dimes");
  herald_test_assert_event (event, c->frame, c->type,
                            g_str_equal (c->id, "raw:") ? HERALD_TEST_RAW_DEDUPE : c->id, c->title,
                            c->body ? c->body : "", c->category, c->severity);
  /* These cases, and no other, are of a kind Herald does not know. */
  {
    static const char *const unknown_titles[] = {
      "Dimes: position.partial_close_requested",
      "Dimes: market.halted",
      "Dimes: hello",
      NULL,
    };

    herald_test_assert_unknown_type (event, unknown_titles);
  }
  g_assert_null (herald_event_get_link (event));
  if (c->occurred != NULL)
    {
      gint64 expected;

      g_assert_true (herald_parse_iso8601 (c->occurred, &expected));
      g_assert_cmpint (herald_event_get_occurred (event), ==, expected);
    }
  else
    g_assert_cmpint (herald_event_get_occurred (event), ==, herald_event_get_received (event));
}

/* At-least-once delivery: the copy carries the same id, so the history keeps one. */
static void
test_duplicate_same_id (Fixture *fixture, gconstpointer data)
{
  const char *frame = event_cases[2].frame;
  HeraldEvent *first, *second;

  herald_test_parse_receive (fixture, frame);
  herald_test_parse_receive (fixture, frame);
  herald_test_parse_receive (fixture, event_cases[16].frame);
  herald_test_parse_receive (fixture, event_cases[16].frame);
  g_assert_cmpuint (fixture->sink->events->len, ==, 4);
  first = g_ptr_array_index (fixture->sink->events, 0);
  second = g_ptr_array_index (fixture->sink->events, 1);
  g_assert_cmpstr (herald_event_get_id (first), ==, herald_event_get_id (second));
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fixture->sink->events, 2)), ==,
                   herald_event_get_id (g_ptr_array_index (fixture->sink->events, 3)));
}

static void
test_error_event_auth (Fixture *fixture, gconstpointer data)
{
  herald_test_parse_receive (
    fixture, "42" NS ",[\"error\",{\"message\":\"Unauthorized: invalid API key\"}]");
  g_assert_error (fixture->sink->failure, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  g_assert_cmpstr (fixture->sink->failure->message, ==,
                   "Dimes refused the credentials: Unauthorized: invalid API key");
  g_assert_cmpuint (fixture->sink->events->len, ==, 0);
  g_clear_error (&fixture->sink->failure);

  /* A bare string argument says the same. */
  herald_test_parse_receive (fixture, "42" NS ",[\"error\",\"Authentication failed\"]");
  g_assert_error (fixture->sink->failure, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
}

/* --- frames to refuse --- */

static const struct
{
  const char *path;
  const char *frame;
} bad_frames[] = {
  { "/dimes/malformed/empty", "" },
  { "/dimes/malformed/not-engine-io", "hello" },
  { "/dimes/malformed/unknown-eio-type", "9" },
  { "/dimes/malformed/message-without-type", "4" },
  { "/dimes/malformed/truncated-json", "42" NS ",[\"position.opened\",{\"id\":\"evt_" },
  { "/dimes/malformed/event-not-array", "42" NS ",{\"id\":\"evt_1\"}" },
  { "/dimes/malformed/event-name-not-string", "42" NS ",[7,{\"id\":\"evt_1\"}]" },
  { "/dimes/malformed/missing-id",
    "42" NS ",[\"position.opened\",{\"type\":\"position.opened\",\"data\":{}}]" },
  { "/dimes/malformed/empty-id", "42" NS ",[\"position.opened\",{\"id\":\"\",\"data\":{}}]" },
  { "/dimes/malformed/id-not-string", "42" NS ",[\"position.opened\",{\"id\":5,\"data\":{}}]" },
  { "/dimes/malformed/id-too-long", "42" NS ",[\"position.opened\",{\"id\":\"evt_"
                                    "01234567890123456789012345678901234567890123456789012345678901"
                                    "23456789012345678901234567890123456789"
                                    "01234567890123456789012345678901234567890123456789012345678901"
                                    "23456789012345678901234567890123456789"
                                    "01234567890123456789012345678901234567890123456789012345678901"
                                    "23456789012345678901234567890123456789"
                                    "\",\"data\":{}}]" },
  { "/dimes/malformed/data-not-object",
    "42" NS ",[\"position.opened\",{\"id\":\"evt_1\",\"data\":[1,2]}]" },
  { "/dimes/malformed/no-data", "42" NS ",[\"position.liquidated\",{\"id\":\"evt_1\"}]" },
  { "/dimes/malformed/envelope-array", "42" NS ",[\"position.opened\",[1,2,3]]" },
  { "/dimes/malformed/envelope-missing", "42" NS ",[\"position.opened\"]" },
  { "/dimes/malformed/bad-namespace", "42/v1/ws[\"position.opened\",{}]" },
  { "/dimes/malformed/binary-event",
    "451-" NS ",[\"position.opened\",{\"_placeholder\":true,\"num\":0}]" },
  { "/dimes/malformed/upgrade", "5" },
};

static void
test_malformed (Fixture *fixture, gconstpointer data)
{
  const char *frame = data;

  herald_test_parse_check_refused (fixture, frame);
}

/* --- credentials --- */

static void
test_missing_credential (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GError) error = NULL;

  make_feed (fixture, GPOINTER_TO_INT (data) ? "customer" : "partner", "api-key", NULL);
  message = feed_build_request (fixture, &error);
  g_assert_null (message);
  g_assert_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION);
}

static void
test_customer_token (Fixture *fixture, gconstpointer data)
{
  g_autofree char *token = make_jwt (TRUE, 3600);
  g_autofree char *expected
    = g_strdup_printf ("40%s,{\"token\":\"%s\"}", HERALD_DIMES_CUSTOMER_NAMESPACE, token);
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GError) error = NULL;

  make_feed (fixture, "customer", "token", token);
  message = feed_build_request (fixture, &error);
  g_assert_no_error (error);
  feed_open (fixture);
  herald_test_parse_receive (fixture, OPEN_FRAME);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->sink->sent, 0), ==, expected);
  herald_test_parse_receive (fixture, "40" HERALD_DIMES_CUSTOMER_NAMESPACE ",{\"sid\":\"c1\"}");
  herald_test_parse_receive (fixture, "42" HERALD_DIMES_CUSTOMER_NAMESPACE
                                      ",[\"position.opened\",{\"id\":\"evt_c\",\"data\":{}}]");
  /* The partner namespace is not this account's. */
  herald_test_parse_receive (fixture,
                             "42" NS ",[\"position.opened\",{\"id\":\"evt_p\",\"data\":{}}]");
  g_assert_cmpuint (fixture->sink->events->len, ==, 1);
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fixture->sink->events, 0)), ==, "evt_c");
}

typedef struct
{
  const char *path;
  gboolean with_exp;
  gint64 exp_offset_s;
  const char *literal; /* used instead of a made token when set */
  gboolean accepted;
} TokenCase;

static const TokenCase token_cases[] = {
  { "/dimes/token/valid", TRUE, 3600, NULL, TRUE },
  { "/dimes/token/no-expiry", FALSE, 0, NULL, TRUE },
  { "/dimes/token/expired", TRUE, -10, NULL, FALSE },
  { "/dimes/token/within-margin", TRUE, HERALD_DIMES_TOKEN_MARGIN_S - 5, NULL, FALSE },
  { "/dimes/token/garbage", FALSE, 0, "not-a-jwt", FALSE },
};

static void
test_token_expiry (Fixture *fixture, gconstpointer data)
{
  const TokenCase *c = data;
  g_autofree char *token
    = c->literal ? g_strdup (c->literal) : make_jwt (c->with_exp, c->exp_offset_s);
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GError) error = NULL;

  make_feed (fixture, "customer", "token", token);
  message = feed_build_request (fixture, &error);
  if (c->accepted)
    {
      g_assert_no_error (error);
      g_assert_nonnull (message);
      return;
    }
  g_assert_null (message);
  g_assert_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  /* The message talks about the token without repeating it. */
  g_assert_null (strstr (error->message, token));
}

/* Every event of one position names it, the ones Herald does not know too. */
static const HeraldTestObjectCase object_cases[] = {
  { "opened",
    EVENT ("position.opened", "evt_o1", "2025-03-01T12:00:00Z", POSITION_OPEN_SHAPE ("yes")),
    "position:dm_pos_7Hq" },
  { "unknown-type",
    EVENT ("position.partial_close_requested", "evt_o2", "2025-03-01T12:00:00Z",
           POSITION_OPEN_SHAPE ("no")),
    "position:dm_pos_7Hq" },
  { "without-position-id",
    EVENT ("position.opened", "evt_o3", "2025-03-01T12:00:00Z", "\"data\":{\"side\":\"yes\"}"),
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
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/dimes/session/request-and-handshake", Fixture, NULL, NULL,
              test_request_and_handshake, fixture_teardown);
  g_test_add ("/dimes/session/window", Fixture, NULL, NULL, test_window_follows_open_packet,
              fixture_teardown);
  g_test_add ("/dimes/session/refused", Fixture, NULL, fixture_setup_joined, test_refused,
              fixture_teardown);
  g_test_add ("/dimes/session/refused-namespace", Fixture, NULL, NULL, test_refused_namespace,
              fixture_teardown);
  g_test_add ("/dimes/session/server-disconnects", Fixture, NULL, fixture_setup_joined,
              test_server_disconnects, fixture_teardown);
  g_test_add ("/dimes/session/acks", Fixture, NULL, fixture_setup_joined, test_acks,
              fixture_teardown);
  g_test_add ("/dimes/session/binary-refused", Fixture, NULL, fixture_setup_joined,
              test_binary_refused, fixture_teardown);
  g_test_add ("/dimes/session/out-of-sequence", Fixture, NULL, NULL, test_out_of_sequence,
              fixture_teardown);

  for (guint i = 0; i < G_N_ELEMENTS (event_cases); i++)
    g_test_add (event_cases[i].path, Fixture, &event_cases[i], fixture_setup_joined, test_event,
                fixture_teardown);
  HERALD_TEST_ADD_TABLE ("/dimes/object-id", Fixture, object_cases, fixture_setup_joined,
                         test_object_id, fixture_teardown);
  g_test_add ("/dimes/event/duplicate-same-id", Fixture, NULL, fixture_setup_joined,
              test_duplicate_same_id, fixture_teardown);
  g_test_add ("/dimes/event/error-auth", Fixture, NULL, fixture_setup_joined, test_error_event_auth,
              fixture_teardown);

  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    g_test_add (bad_frames[i].path, Fixture, bad_frames[i].frame, fixture_setup_joined,
                test_malformed, fixture_teardown);

  g_test_add ("/dimes/credentials/partner-missing", Fixture, GINT_TO_POINTER (FALSE), NULL,
              test_missing_credential, fixture_teardown);
  g_test_add ("/dimes/credentials/customer-missing", Fixture, GINT_TO_POINTER (TRUE), NULL,
              test_missing_credential, fixture_teardown);
  g_test_add ("/dimes/credentials/customer-token", Fixture, NULL, NULL, test_customer_token,
              fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (token_cases); i++)
    g_test_add (token_cases[i].path, Fixture, &token_cases[i], NULL, test_token_expiry,
                fixture_teardown);

  return g_test_run ();
}
