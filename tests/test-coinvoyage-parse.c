/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-coinvoyage-parse.c — CoinVoyage frames through the feed's receive() with a test sink:
 * order events, subscriptions after connect, refusals, the signature, and bad input. */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-coinvoyage-feed.h"
#include "herald-providers.h"
#include "herald-test-feed.h"

#define API_KEY "cv_pk_test_key"
#define API_SECRET "cv_sk_test_secret"

typedef HeraldTestParse Fixture;

static void
fixture_setup_with_orders (Fixture *fx, const char *const *orders)
{
  HeraldAccount *account = herald_account_new (HERALD_PROVIDER_COINVOYAGE, "coinvoyage-test");

  herald_account_set_option_values (account, "order", orders);
  herald_test_parse_init (fx, account, HERALD_TYPE_COINVOYAGE_FEED);
  herald_feed_set_credential (fx->feed, "api-key", API_KEY);
  herald_feed_set_credential (fx->feed, "api-secret", API_SECRET);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fixture_setup_with_orders (fx, NULL);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  /* The CoinVoyage feed never asks its connection to reconnect. */
  g_assert_cmpuint (fx->sink->reconnects, ==, 0);
  herald_test_parse_teardown (fx, data);
}

/* --- frames that make events --- */

static const HeraldTestEventCase cases[] = {
  { "completed",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_Q2x9LmN4pR7sT1vW3yZ5aB8c\",\"type\":\"payorder_"
    "completed\","
    "\"status\":\"COMPLETED\",\"payorder_id\":\"8c1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f\","
    "\"created_at\":\"2024-05-02T19:42:00.000Z\",\"metadata\":{\"reference\":\"INV-4821\","
    "\"customer\":\"Zoë "
    "Müller\"},\"payment_data\":{\"dst\":{\"chain_id\":8453,\"currency\":\"USDC\",\"amount\":\"125."
    "50\","
    "\"address\":\"0xab\"},\"src\":{\"chain_id\":1,\"currency\":\"USDT\",\"amount\":\"126.75\","
    "\"address\":\"0xcd\"},"
    "\"tx_hash\":\"0xef\"}}}",
    "payorder_completed", "evt_Q2x9LmN4pR7sT1vW3yZ5aB8c", "Payment completed: 125.50 USDC",
    "Order 8c1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f", HERALD_CATEGORY_ORDER, HERALD_SEVERITY_INFO,
    "2024-05-02T19:42:00Z" },
  { "error-with-reason",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_2\",\"type\":\"payorder_error\",\"status\":"
    "\"FAILED\","
    "\"payorder_id\":\"po_2\",\"error\":\"Destination call "
    "reverted\",\"created_at\":\"2024-05-02T19:42:00Z\","
    "\"payment_data\":{\"dst\":{\"currency\":\"USD\",\"amount\":\"12.5\"}}}}",
    "payorder_error", "evt_2", "Payment failed: $12.50", "Order po_2\nDestination call reverted",
    HERALD_CATEGORY_ORDER, HERALD_SEVERITY_CRITICAL, "2024-05-02T19:42:00Z" },
  { "error-object",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_8\",\"type\":\"payorder_error\",\"payorder_id\":"
    "\"po_8\","
    "\"error\":{\"code\":17,\"message\":\"Quote "
    "expired\"},\"created_at\":\"2024-05-02T19:42:00Z\"}}",
    "payorder_error", "evt_8", "Payment failed", "Order po_8\nQuote expired", HERALD_CATEGORY_ORDER,
    HERALD_SEVERITY_CRITICAL, "2024-05-02T19:42:00Z" },
  /* Token amounts keep all their digits. */
  { "refunded-source-amount",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_3\",\"type\":\"payorder_refunded\",\"status\":"
    "\"REFUNDED\","
    "\"payorder_id\":\"po_3\",\"payment_data\":{\"src\":{\"currency\":\"ETH\",\"amount\":0.00042}},"
    "\"created_at\":\"2024-05-02T19:42:00Z\"}}",
    "payorder_refunded", "evt_3", "Payment refunded: 0.00042 ETH", "Order po_3",
    HERALD_CATEGORY_ORDER, HERALD_SEVERITY_WARNING, "2024-05-02T19:42:00Z" },
  { "expired",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_4\",\"type\":\"payorder_expired\",\"status\":"
    "\"EXPIRED\","
    "\"payorder_id\":\"po_4\",\"created_at\":\"2024-05-02T19:42:00Z\"}}",
    "payorder_expired", "evt_4", "Payment expired", "Order po_4", HERALD_CATEGORY_ORDER,
    HERALD_SEVERITY_WARNING, "2024-05-02T19:42:00Z" },
  { "created-flat-amount",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_9\",\"type\":\"payorder_created\",\"status\":"
    "\"PENDING\","
    "\"payorder_id\":\"po_9\",\"payment_data\":{\"amount\":\"99.99\",\"currency\":\"eur\"},"
    "\"created_at\":\"2024-05-02T19:42:00Z\"}}",
    "payorder_created", "evt_9", "Payment order created: €99.99", "Order po_9",
    HERALD_CATEGORY_ORDER, HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  /* Exact rounding, half away from zero (floating point made "$0.28"); a token amount sent
   * as a JSON number with an exponent keeps its digits. */
  { "exact-rounding",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_10\",\"type\":\"payorder_completed\","
    "\"payorder_id\":\"po_10\",\"payment_data\":{\"dst\":{\"currency\":\"USD\",\"amount\":"
    "\"0.285\"}},\"created_at\":\"2024-05-02T19:42:00Z\"}}",
    "payorder_completed", "evt_10", "Payment completed: $0.29", "Order po_10",
    HERALD_CATEGORY_ORDER, HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  { "token-exponent",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_11\",\"type\":\"payorder_refunded\","
    "\"payorder_id\":\"po_11\",\"payment_data\":{\"src\":{\"currency\":\"ETH\",\"amount\":"
    "4.2e-4}},\"created_at\":\"2024-05-02T19:42:00Z\"}}",
    "payorder_refunded", "evt_11", "Payment refunded: 0.00042 ETH", "Order po_11",
    HERALD_CATEGORY_ORDER, HERALD_SEVERITY_WARNING, "2024-05-02T19:42:00Z" },
  /* Without an event id the order and its stage make the id. */
  { "no-event-id",
    "{\"type\":\"event\",\"data\":{\"type\":\"payorder_started\",\"status\":\"AWAITING_PAYMENT\","
    "\"payorder_id\":\"po_5\",\"created_at\":\"2024-05-02T19:42:00Z\"}}",
    "payorder_started", "payorder:po_5:payorder_started", "Awaiting payment", "Order po_5",
    HERALD_CATEGORY_ORDER, HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  { "status-only",
    "{\"type\":\"event\",\"data\":{\"status\":\"COMPLETED\",\"payorder_id\":\"po_6\",\"timestamp\":"
    "1714678920}}",
    "payorder_completed", "payorder:po_6:COMPLETED", "Payment completed", "Order po_6",
    HERALD_CATEGORY_ORDER, HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  { "unknown-stage",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_7\",\"type\":\"payorder_paused\",\"payorder_id\":"
    "\"po_7\"}}",
    "payorder_paused", "evt_7", "Payment order update: payorder_paused", "Order po_7",
    HERALD_CATEGORY_ORDER, HERALD_SEVERITY_INFO, NULL },
  { "unknown-type-kept",
    "{\"type\":\"announcement\",\"data\":{\"message\":\"Scheduled maintenance\"}}", "announcement",
    HERALD_TEST_RAW_DEDUPE, "CoinVoyage: announcement", "", HERALD_CATEGORY_SYSTEM,
    HERALD_SEVERITY_INFO, NULL },
  { "subscription-is-no-event",
    "{\"type\":\"subscription\",\"data\":{\"scope\":\"organization\",\"status\":\"subscribed\"}}",
    NULL },
};

static void
test_case (Fixture *fx, gconstpointer data)
{
  /* These cases, and no other, are of a kind Herald does not know. */
  static const char *const unknown_titles[] = {
    "Payment order update: payorder_paused",
    "CoinVoyage: announcement",
    NULL,
  };
  HeraldEvent *event = herald_test_parse_check (fx, data, unknown_titles);

  if (event != NULL)
    g_assert_cmpstr (herald_event_get_provider (event), ==, "coinvoyage");
}

/* --- frames that are refused --- */

static const HeraldTestFrameCase bad_cases[] = {
  { "truncated", "{\"type\":\"event\",\"data\":{\"id\":\"evt_" },
  { "not-json", "hello" },
  { "array", "[{\"type\":\"event\"}]" },
  { "no-type", "{\"data\":{\"id\":\"evt_1\"}}" },
  { "type-number", "{\"type\":3}" },
  { "type-empty", "{\"type\":\"\"}" },
  { "event-without-data", "{\"type\":\"event\"}" },
  { "event-data-string", "{\"type\":\"event\",\"data\":\"evt_1\"}" },
  { "event-without-ids", "{\"type\":\"event\",\"data\":{\"type\":\"payorder_completed\"}}" },
  { "event-order-without-stage", "{\"type\":\"event\",\"data\":{\"payorder_id\":\"po_1\"}}" },
  { "event-id-object",
    "{\"type\":\"event\",\"data\":{\"id\":{\"v\":1},\"type\":\"payorder_completed\"}}" },
  { "error-without-message", "{\"type\":\"error\",\"data\":{}}" },
  /* Errors that are not refusals are counted and the socket stays. */
  { "error-unknown-type", "{\"type\":\"error\",\"data\":{\"message\":\"unknown message type\"}}" },
  { "error-already-authenticated",
    "{\"type\":\"error\",\"data\":{\"message\":\"already authenticated\"}}" },
};

static void
test_bad_case (Fixture *fx, gconstpointer data)
{
  const HeraldTestFrameCase *c = data;

  herald_test_parse_check_refused (fx, c->frame);
}

/* --- refusals --- */

typedef struct
{
  const char *name;
  const char *frame;
  const char *message;
} RefusalCase;

static const RefusalCase refusal_cases[] = {
  { "invalid-key", "{\"type\":\"error\",\"data\":{\"message\":\"invalid api_key\"}}",
    "CoinVoyage refused the API key (invalid api_key)" },
  { "invalid-signature",
    "{\"type\":\"error\",\"data\":{\"message\":\"invalid authorization_signature\"}}",
    "CoinVoyage refused the signature (invalid authorization_signature)" },
  { "not-authenticated", "{\"type\":\"error\",\"data\":{\"message\":\"not authenticated\"}}",
    "CoinVoyage refused the API key (not authenticated)" },
  { "access-denied", "{\"type\":\"error\",\"data\":{\"message\":\"access denied\"}}",
    "CoinVoyage refused the API key (access denied)" },
  { "data-is-text", "{\"type\":\"error\",\"data\":\"Unauthorized\"}",
    "CoinVoyage refused the API key (Unauthorized)" },
  /* Server text is cleaned, and withheld when it repeats a secret. */
  { "control-characters",
    "{\"type\":\"error\",\"data\":{\"message\":\"invalid api_key\\n\\u0007now\"}}",
    "CoinVoyage refused the API key (invalid api_key now)" },
  { "echoes-the-key", "{\"type\":\"error\",\"data\":{\"message\":\"invalid api_key " API_KEY "\"}}",
    "CoinVoyage refused the API key" },
  { "echoes-the-secret",
    "{\"type\":\"error\",\"data\":{\"message\":\"bad signature for " API_SECRET "\"}}",
    "CoinVoyage refused the signature" },
};

static void
test_refusal_case (Fixture *fx, gconstpointer data)
{
  const RefusalCase *c = data;

  herald_test_parse_receive (fx, c->frame);
  g_assert_error (fx->sink->failure, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION);
  g_assert_cmpstr (fx->sink->failure->message, ==, c->message);
  g_assert_cmpuint (fx->sink->events->len, ==, 0);
}

/* --- subscriptions --- */

static void
assert_subscribe (const char *text, const char *order)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root;
  JsonObject *data;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "type"), ==, "subscribe");
  data = json_object_get_object_member (root, "data");
  g_assert_nonnull (data);
  if (order == NULL)
    g_assert_cmpuint (json_object_get_size (data), ==, 0);
  else
    {
      g_assert_cmpuint (json_object_get_size (data), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (data, "order_id"), ==, order);
    }
}

static void
test_subscribe_organization (Fixture *fx, gconstpointer data)
{
  herald_test_parse_receive (fx,
                             "{\"type\":\"connected\",\"data\":{\"status\":\"authenticated\"}}");
  g_assert_cmpuint (fx->sink->sent->len, ==, 1);
  assert_subscribe (g_ptr_array_index (fx->sink->sent, 0), NULL);
  g_assert_cmpuint (fx->sink->events->len, ==, 0);
}

static void
test_subscribe_orders (Fixture *fx, gconstpointer data)
{
  fixture_teardown (fx, NULL);
  memset (fx, 0, sizeof *fx);
  fixture_setup_with_orders (fx, (const char *const[]){ "po_a", "po_b", NULL });

  herald_test_parse_receive (fx,
                             "{\"type\":\"connected\",\"data\":{\"status\":\"authenticated\"}}");
  g_assert_cmpuint (fx->sink->sent->len, ==, 2);
  assert_subscribe (g_ptr_array_index (fx->sink->sent, 0), "po_a");
  assert_subscribe (g_ptr_array_index (fx->sink->sent, 1), "po_b");
}

/* --- close codes --- */

static void
test_close_policy (Fixture *fx, gconstpointer data)
{
  HeraldFeedClass *klass = HERALD_FEED_GET_CLASS (fx->feed);
  g_autofree char *reason = NULL;

  /* A policy close that answers our connect is a refusal… */
  g_assert_cmpint (
    klass->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "invalid api_key", &reason), ==,
    HERALD_CLOSE_ATTENTION);
  g_assert_cmpstr (reason, ==, "CoinVoyage refused the API key");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (klass->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_ABNORMAL, NULL, &reason), ==,
                   HERALD_CLOSE_RECONNECT);

  /* …but not once the session was accepted. */
  herald_test_parse_receive (fx,
                             "{\"type\":\"connected\",\"data\":{\"status\":\"authenticated\"}}");
  g_assert_cmpint (klass->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL, &reason),
                   ==, HERALD_CLOSE_RECONNECT);
  g_assert_null (reason);
}

/* --- configuration --- */

typedef struct
{
  const char *name;
  const char *api_key;
  const char *api_secret;
  gboolean with_orders;
  gboolean valid;
} ConfigCase;

static const ConfigCase config_cases[] = {
  { "no-api-key", NULL, API_SECRET, TRUE, FALSE },
  { "empty-api-key", "", API_SECRET, FALSE, FALSE },
  { "organization-without-secret", API_KEY, NULL, FALSE, FALSE },
  { "organization-empty-secret", API_KEY, "", FALSE, FALSE },
  { "orders-without-secret", API_KEY, NULL, TRUE, TRUE },
  { "organization-with-secret", API_KEY, API_SECRET, FALSE, TRUE },
};

static void
test_config_case (gconstpointer data)
{
  const ConfigCase *c = data;
  g_autoptr (HeraldAccount) account
    = herald_account_new (HERALD_PROVIDER_COINVOYAGE, "coinvoyage-test");
  g_autoptr (HeraldFeed) feed = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) protocols = NULL;
  g_autofree char *uri = NULL;

  herald_account_set_endpoint (account, "wss://voyage.example/v2/ws");
  if (c->with_orders)
    herald_account_set_option_values (account, "order", (const char *const[]){ "po_1", NULL });
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "api-key", c->api_key);
  herald_feed_set_credential (feed, "api-secret", c->api_secret);
  message = HERALD_FEED_GET_CLASS (feed)->build_request (feed, &protocols, &error);
  if (!c->valid)
    {
      g_assert_null (message);
      g_assert_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_null (protocols);
  /* The key travels in the first message, never in the URL. */
  uri = g_uri_to_string (soup_message_get_uri (message));
  g_assert_cmpstr (uri, ==, "wss://voyage.example/v2/ws");
}

/* --- the signature --- */

static void
test_signature (void)
{
  /* Known answer, worked out separately: HMAC-SHA256(key, "GET/ws1714678920") in hex. */
  g_autofree char *signature = herald_coinvoyage_sign (API_SECRET, "1714678920");
  g_autofree char *other = herald_coinvoyage_sign (API_SECRET, "1714678921");

  g_assert_cmpstr (signature, ==,
                   "f9afd5bc9669f2e64b9ef50ac057da73c96049bf545f7141a3d7e6fbbd3da2a3");
  g_assert_cmpstr (other, !=, signature);
}

/* Every stage of one pay order names it. */
static const HeraldTestObjectCase object_cases[] = {
  { "with-event-id",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_o1\",\"type\":\"payorder_started\","
    "\"payorder_id\":\"po_7\"}}",
    "payorder:po_7" },
  { "order-id-member",
    "{\"type\":\"event\",\"data\":{\"type\":\"payorder_completed\",\"order_id\":\"po_8\"}}",
    "payorder:po_8" },
  { "without-order",
    "{\"type\":\"event\",\"data\":{\"id\":\"evt_o3\",\"type\":\"payorder_created\"}}", NULL },
};

static void
test_object_id (Fixture *fx, gconstpointer data)
{
  herald_test_parse_check_object_id (fx, data);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  HERALD_TEST_ADD_TABLE ("/coinvoyage/parse", Fixture, cases, fixture_setup, test_case,
                         fixture_teardown);
  HERALD_TEST_ADD_TABLE ("/coinvoyage/malformed", Fixture, bad_cases, fixture_setup, test_bad_case,
                         fixture_teardown);
  HERALD_TEST_ADD_TABLE ("/coinvoyage/refusal", Fixture, refusal_cases, fixture_setup,
                         test_refusal_case, fixture_teardown);
  HERALD_TEST_ADD_DATA_TABLE ("/coinvoyage/configuration", config_cases, test_config_case);
  HERALD_TEST_ADD_TABLE ("/coinvoyage/object-id", Fixture, object_cases, fixture_setup,
                         test_object_id, fixture_teardown);
  g_test_add ("/coinvoyage/subscribe/organization", Fixture, NULL, fixture_setup,
              test_subscribe_organization, fixture_teardown);
  g_test_add ("/coinvoyage/subscribe/orders", Fixture, NULL, fixture_setup, test_subscribe_orders,
              fixture_teardown);
  g_test_add ("/coinvoyage/close-policy", Fixture, NULL, fixture_setup, test_close_policy,
              fixture_teardown);
  g_test_add_func ("/coinvoyage/signature", test_signature);
  return g_test_run ();
}
