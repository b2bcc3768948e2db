/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-skinshark-parse.c — SkinShark frames turned into events, driven through the feed's
 * receive() with a test sink: titles, bodies, severities, dedupe ids, and what gets refused. */
#include "config.h"

#include "herald-providers.h"
#include "herald-skinshark-feed.h"
#include "herald-test-feed.h"

typedef HeraldTestParse Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  HeraldAccount *account = herald_account_new (HERALD_PROVIDER_SKINSHARK, "skinshark-test");

  herald_account_set_option_values (account, "sub-user", (const char *const[]){ "user_42", NULL });
  herald_test_parse_init (fx, account, HERALD_TYPE_SKINSHARK_FEED);
}

/* --- frames that make events --- */

static const HeraldTestEventCase cases[] = {
  { "trade-completed",
    "{\"event\":\"trade.completed\",\"data\":{\"id\":\"3f1c9a52-8d4e-4b6a-9b1e-2c7d5e8f0a13\","
    "\"type\":\"sell\","
    "\"status\":\"completed\",\"externalId\":\"order-10442\",\"items\":[{\"name\":\"AK-47 | "
    "Redline (Field-Tested)\","
    "\"marketHashName\":\"AK-47 | Redline "
    "(Field-Tested)\",\"price\":21.5,\"status\":\"completed\"}],"
    "\"totalPrice\":21.5,\"currency\":\"USD\",\"createdAt\":\"2024-05-02T19:40:00.000Z\","
    "\"updatedAt\":\"2024-05-02T19:42:15.500Z\"},\"ts\":1714678935500}",
    "trade.completed", "trade:3f1c9a52-8d4e-4b6a-9b1e-2c7d5e8f0a13:completed",
    "Trade completed: AK-47 | Redline (Field-Tested)", "Sell · Total $21.50 · 1 item",
    HERALD_CATEGORY_TRADE, HERALD_SEVERITY_INFO, "2024-05-02T19:42:15.500000Z" },
  /* Whole numbers are minor units; the trade's error beats an item's. */
  { "trade-failed-several-items",
    "{\"event\":\"trade.failed\",\"data\":{\"id\":\"t-2\",\"type\":\"buy\",\"status\":\"failed\","
    "\"items\":["
    "{\"name\":\"AWP | Asiimov "
    "(Battle-Scarred)\",\"price\":6899,\"status\":\"failed\",\"error\":\"Item no longer listed\"},"
    "{\"name\":\"Sticker | Crown (Foil)\",\"price\":81250,\"status\":\"failed\"},"
    "{\"marketHashName\":\"Operation Breakout Weapon Case\",\"price\":489,\"status\":\"failed\"}],"
    "\"totalPrice\":88638,\"currency\":\"EUR\",\"createdAt\":\"2024-05-02T19:40:00Z\","
    "\"error\":\"Steam trade offer expired before it was accepted\"},\"ts\":1714678920000}",
    "trade.failed", "trade:t-2:failed", "Trade failed: AWP | Asiimov (Battle-Scarred) and 2 more",
    "Buy · Total €886.38 · 3 items\nSteam trade offer expired before it was accepted",
    HERALD_CATEGORY_TRADE, HERALD_SEVERITY_CRITICAL, "2024-05-02T19:40:00Z" },
  { "trade-hold-no-items",
    "{\"event\":\"trade.hold\",\"data\":{\"id\":991,\"type\":\"buy\",\"status\":\"hold\",\"items\":"
    "[],"
    "\"totalPrice\":\"9.99\"},\"ts\":1714678920000}",
    "trade.hold", "trade:991:hold", "Trade on hold", "Buy · Total $9.99", HERALD_CATEGORY_TRADE,
    HERALD_SEVERITY_WARNING, "2024-05-02T19:42:00Z" },
  { "trade-reverted-item-error",
    "{\"event\":\"trade.reverted\",\"data\":{\"id\":\"t-4\",\"type\":\"sell\",\"status\":"
    "\"reverted\",\"items\":["
    "{\"name\":\"Desert Eagle | Blaze (Factory New)\",\"price\":610.0,\"status\":\"reverted\","
    "\"error\":\"Trade rolled back by Steam\"}],\"totalPrice\":610.0,\"currency\":\"USD\","
    "\"updatedAt\":\"2024-05-02T19:42:00Z\"},\"ts\":1714678999000}",
    "trade.reverted", "trade:t-4:reverted", "Trade reverted: Desert Eagle | Blaze (Factory New)",
    "Sell · Total $610.00 · 1 item\nTrade rolled back by Steam", HERALD_CATEGORY_TRADE,
    HERALD_SEVERITY_CRITICAL, "2024-05-02T19:42:00Z" },
  { "trade-declined",
    "{\"event\":\"trade.declined\",\"data\":{\"id\":\"t-5\",\"type\":\"sell\",\"status\":"
    "\"declined\",\"items\":["
    "{\"name\":\"Glock-18 | Water Elemental (Field-Tested)\",\"price\":3.95}],\"totalPrice\":3.95,"
    "\"currency\":\"USD\"},\"ts\":1714678920000}",
    "trade.declined", "trade:t-5:declined",
    "Trade declined: Glock-18 | Water Elemental (Field-Tested)", "Sell · Total $3.95 · 1 item",
    HERALD_CATEGORY_TRADE, HERALD_SEVERITY_WARNING, "2024-05-02T19:42:00Z" },
  /* Exact rounding, half away from zero: floating point made "$1.00" of 1.005. */
  { "trade-exact-rounding",
    "{\"event\":\"trade.declined\",\"data\":{\"id\":\"t-10\",\"type\":\"sell\",\"status\":"
    "\"declined\",\"items\":[{\"name\":\"Sticker\"}],\"totalPrice\":1.005,\"currency\":\"USD\"},"
    "\"ts\":1714678920000}",
    "trade.declined", "trade:t-10:declined", "Trade declined: Sticker",
    "Sell · Total $1.01 · 1 item", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_WARNING,
    "2024-05-02T19:42:00Z" },
  { "trade-cancelled",
    "{\"event\":\"trade.cancelled\",\"data\":{\"id\":\"t-6\",\"type\":\"buy\",\"items\":[{\"name\":"
    "\"A\"},"
    "{\"name\":\"B\"}],\"totalPrice\":1000,\"currency\":\"EUR\"},\"ts\":1714678920000}",
    "trade.cancelled", "trade:t-6:cancelled", "Trade canceled: A and 1 more",
    "Buy · Total €10.00 · 2 items", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_WARNING,
    "2024-05-02T19:42:00Z" },
  { "trade-unknown-status",
    "{\"event\":\"trade.escrowed\",\"data\":{\"id\":\"t-7\",\"items\":[{\"name\":\"P250 | See Ya "
    "Later (Minimal "
    "Wear)\"}]},\"ts\":1714678920000}",
    "trade.escrowed", "trade:t-7:escrowed", "Trade escrowed: P250 | See Ya Later (Minimal Wear)",
    "1 item", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  /* Item names are untrusted: line breaks fold, control and bidi characters go. */
  { "trade-untrusted-name",
    "{\"event\":\"trade.pending\",\"data\":{\"id\":\"t-8\",\"items\":[{\"name\":"
    "\"Evil\\nName\\u0007\\u202eX\"}],"
    "\"currency\":\"usd\",\"totalPrice\":100},\"ts\":1714678920000}",
    "trade.pending", "trade:t-8:pending", "Trade pending: Evil NameX", "Total $1.00 · 1 item",
    HERALD_CATEGORY_TRADE, HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  /* A currency that is not a code hides the amount rather than show it in dollars. */
  { "trade-unreadable-currency",
    "{\"event\":\"trade.active\",\"data\":{\"id\":\"t-9\",\"items\":[{\"name\":\"Hoodie\"}],"
    "\"currency\":\"US Dollar\",\"totalPrice\":100},\"ts\":1714678920000}",
    "trade.active", "trade:t-9:active", "Trade active: Hoodie", "1 item", HERALD_CATEGORY_TRADE,
    HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  { "deposit-transfer",
    "{\"event\":\"deposit.transfer\",\"data\":{\"fundingId\":\"fnd_8xK2\",\"status\":\"pending\","
    "\"transfer\":"
    "{\"txHash\":\"0x9f2c\",\"amount\":25.5,\"chain\":\"polygon\"}},\"ts\":1714678920000}",
    "deposit.transfer", "deposit:fnd_8xK2:deposit.transfer", "Deposit on its way",
    "25.5 on polygon · Transaction 0x9f2c", HERALD_CATEGORY_DEPOSIT, HERALD_SEVERITY_INFO,
    "2024-05-02T19:42:00Z" },
  { "deposit-completed-gateway",
    "{\"event\":\"deposit.completed\",\"data\":{\"fundingId\":\"fnd_8xK2\",\"status\":"
    "\"completed\","
    "\"payAmountToken\":25.5,\"receiveAmountUsd\":25.37,\"completedAt\":\"2024-05-02T19:45:00."
    "000Z\"},"
    "\"ts\":1714679100000}",
    "deposit.completed", "deposit:fnd_8xK2:deposit.completed", "Deposit completed: $25.37", "",
    HERALD_CATEGORY_DEPOSIT, HERALD_SEVERITY_INFO, "2024-05-02T19:45:00Z" },
  { "deposit-completed-crypto",
    "{\"event\":\"deposit.completed\",\"data\":{\"depositId\":\"dep_41\",\"status\":\"completed\","
    "\"chain\":\"base\","
    "\"token\":\"USDC\",\"txHash\":\"0x77aa\",\"amountWei\":\"25000000\",\"amountUsdCents\":2500,"
    "\"confirmations\":12,\"completedAt\":\"2024-05-02T19:45:00Z\"},\"ts\":1714679100000}",
    "deposit.completed", "deposit:dep_41:deposit.completed", "Deposit completed: $25.00",
    "USDC on base · Transaction 0x77aa", HERALD_CATEGORY_DEPOSIT, HERALD_SEVERITY_INFO,
    "2024-05-02T19:45:00Z" },
  { "deposit-failed-gateway",
    "{\"event\":\"deposit.failed\",\"data\":{\"fundingId\":\"fnd_9\",\"status\":\"failed\","
    "\"reason\":\"Payment window expired before funds arrived\"},\"ts\":1714678920000}",
    "deposit.failed", "deposit:fnd_9:deposit.failed", "Deposit failed",
    "Payment window expired before funds arrived", HERALD_CATEGORY_DEPOSIT,
    HERALD_SEVERITY_CRITICAL, "2024-05-02T19:42:00Z" },
  { "deposit-failed-crypto",
    "{\"event\":\"deposit.failed\",\"data\":{\"depositId\":\"dep_42\",\"status\":\"failed\","
    "\"chain\":\"ethereum\","
    "\"token\":\"USDC\",\"txHash\":\"0x55\",\"reason\":\"Transaction reverted "
    "on-chain\",\"confirmations\":3},"
    "\"ts\":1714678920000}",
    "deposit.failed", "deposit:dep_42:deposit.failed", "Deposit failed",
    "USDC on ethereum · Transaction 0x55\nTransaction reverted on-chain", HERALD_CATEGORY_DEPOSIT,
    HERALD_SEVERITY_CRITICAL, "2024-05-02T19:42:00Z" },
  { "deposit-refunded",
    "{\"event\":\"deposit.refunded\",\"data\":{\"fundingId\":\"fnd_9\",\"status\":\"refunded\"},"
    "\"ts\":1714678920000}",
    "deposit.refunded", "deposit:fnd_9:deposit.refunded", "Deposit refunded", "",
    HERALD_CATEGORY_DEPOSIT, HERALD_SEVERITY_WARNING, "2024-05-02T19:42:00Z" },
  { "deposit-pending",
    "{\"event\":\"deposit.pending\",\"data\":{\"depositId\":\"dep_43\",\"chain\":\"arbitrum\","
    "\"token\":\"USDC\","
    "\"txHash\":\"0x12\",\"amountWei\":\"5000000\"},\"ts\":1714678920000}",
    "deposit.pending", "deposit:dep_43:deposit.pending", "Deposit pending",
    "USDC on arbitrum · Transaction 0x12", HERALD_CATEGORY_DEPOSIT, HERALD_SEVERITY_INFO,
    "2024-05-02T19:42:00Z" },
  { "notice-critical",
    "{\"event\":\"system.notice\",\"data\":{\"severity\":\"critical\",\"message\":\"Withdrawals on "
    "Ethereum are "
    "paused due to network congestion.\"},\"ts\":1714678920000}",
    "system.notice", "notice:1714678920000:56c686dea934", "SkinShark alert",
    "Withdrawals on Ethereum are paused due to network congestion.", HERALD_CATEGORY_SYSTEM,
    HERALD_SEVERITY_CRITICAL, "2024-05-02T19:42:00Z" },
  { "notice-warning",
    "{\"event\":\"system.notice\",\"data\":{\"severity\":\"warning\",\"message\":\"Steam trade "
    "offers are delayed; "
    "expect up to 10 minutes.\"},\"ts\":1714678920000}",
    "system.notice", "notice:1714678920000:271a272db811", "SkinShark warning",
    "Steam trade offers are delayed; expect up to 10 minutes.", HERALD_CATEGORY_SYSTEM,
    HERALD_SEVERITY_WARNING, "2024-05-02T19:42:00Z" },
  { "notice-unknown-severity",
    "{\"event\":\"system.notice\",\"data\":{\"severity\":\"maintenance\",\"message\":\"Scheduled "
    "maintenance on "
    "Sunday 03:00–03:30 UTC.\"},\"ts\":1714678920000}",
    "system.notice", "notice:1714678920000:b6b2d91099b2", "SkinShark notice",
    "Scheduled maintenance on Sunday 03:00–03:30 UTC.", HERALD_CATEGORY_SYSTEM,
    HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  { "unknown-event-kept",
    "{\"event\":\"inventory.synced\",\"data\":{\"count\":3},\"ts\":1714678920000}",
    "inventory.synced", HERALD_TEST_RAW_DEDUPE, "SkinShark: inventory.synced", "",
    HERALD_CATEGORY_SYSTEM, HERALD_SEVERITY_INFO, "2024-05-02T19:42:00Z" },
  { "connected-is-no-event",
    "{\"event\":\"connected\",\"data\":{\"userId\":\"0e9d6a3c-1b2f-4c5d-8e7f-9a0b1c2d3e4f\"},"
    "\"ts\":1714678920000}",
    NULL },
};

static void
test_case (Fixture *fx, gconstpointer data)
{
  /* These cases, and no other, are of a kind Herald does not know. */
  static const char *const unknown_titles[] = {
    "Trade escrowed: P250 | See Ya Later (Minimal Wear)",
    "SkinShark: inventory.synced",
    NULL,
  };
  const HeraldTestEventCase *c = data;
  HeraldEvent *event;

  /* Every SkinShark push says when it happened. */
  g_assert_true (c->type == NULL || c->occurred != NULL);
  event = herald_test_parse_check (fx, c, unknown_titles);
  if (event == NULL)
    return;
  g_assert_cmpstr (herald_event_get_account (event), ==, "skinshark-test");
  g_assert_cmpstr (herald_event_get_provider (event), ==, "skinshark");
}

/* --- frames that are refused --- */

static const HeraldTestFrameCase bad_cases[] = {
  { "truncated", "{\"event\":\"trade.completed\",\"data\":{\"id\":\"" },
  { "trailing-comma", "{\"event\":\"connected\",}" },
  { "not-json", "ping" },
  { "array", "[{\"event\":\"trade.completed\"}]" },
  { "no-event-name", "{\"data\":{},\"ts\":1714678920000}" },
  { "event-name-number", "{\"event\":5,\"data\":{}}" },
  { "event-name-empty", "{\"event\":\"\",\"data\":{}}" },
  { "trade-without-data", "{\"event\":\"trade.completed\",\"ts\":1714678920000}" },
  { "trade-data-string", "{\"event\":\"trade.completed\",\"data\":\"t-1\"}" },
  { "trade-without-id", "{\"event\":\"trade.completed\",\"data\":{\"status\":\"completed\"}}" },
  { "trade-id-object", "{\"event\":\"trade.completed\",\"data\":{\"id\":{\"x\":1}}}" },
  { "trade-id-empty", "{\"event\":\"trade.completed\",\"data\":{\"id\":\"\"}}" },
  { "trade-without-status", "{\"event\":\"trade.\",\"data\":{\"id\":\"t-1\"}}" },
  { "deposit-without-ids",
    "{\"event\":\"deposit.completed\",\"data\":{\"status\":\"completed\"}}" },
  { "deposit-data-array", "{\"event\":\"deposit.failed\",\"data\":[\"fnd_1\"]}" },
  { "notice-without-message", "{\"event\":\"system.notice\",\"data\":{\"severity\":\"info\"}}" },
  { "notice-message-number", "{\"event\":\"system.notice\",\"data\":{\"message\":42}}" },
};

static void
test_bad_case (Fixture *fx, gconstpointer data)
{
  const HeraldTestFrameCase *c = data;

  herald_test_parse_check_refused (fx, c->frame);
}

/* A replayed push is the same event; the next status of the same trade is another. */
static void
test_replay_same_id (Fixture *fx, gconstpointer data)
{
  const char *pending
    = "{\"event\":\"trade.pending\",\"data\":{\"id\":\"t-1\"},\"ts\":1714678920000}";
  const char *replay
    = "{\"event\":\"trade.pending\",\"data\":{\"id\":\"t-1\"},\"ts\":1714678921000}";
  const char *completed
    = "{\"event\":\"trade.completed\",\"data\":{\"id\":\"t-1\"},\"ts\":1714678922000}";

  herald_test_parse_receive (fx, pending);
  herald_test_parse_receive (fx, replay);
  herald_test_parse_receive (fx, completed);
  g_assert_cmpuint (fx->sink->events->len, ==, 3);
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->sink->events, 0)), ==,
                   herald_event_get_id (g_ptr_array_index (fx->sink->events, 1)));
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (fx->sink->events, 2)), !=,
                   herald_event_get_id (g_ptr_array_index (fx->sink->events, 0)));
}

/* Every status of one trade or deposit names the same object; a notice names none. */
static const HeraldTestObjectCase object_cases[] = {
  { "trade-pending", "{\"event\":\"trade.pending\",\"data\":{\"id\":\"t-1\"},\"ts\":1714678920000}",
    "trade:t-1" },
  { "trade-completed-number-id",
    "{\"event\":\"trade.completed\",\"data\":{\"id\":991},\"ts\":1714678920000}", "trade:991" },
  { "deposit-funding",
    "{\"event\":\"deposit.pending\",\"data\":{\"fundingId\":\"fnd_1\"},\"ts\":1714678920000}",
    "deposit:fnd_1" },
  { "deposit-self-hosted",
    "{\"event\":\"deposit.completed\",\"data\":{\"depositId\":\"dep_9\"},\"ts\":1714678920000}",
    "deposit:dep_9" },
  { "notice",
    "{\"event\":\"system.notice\",\"data\":{\"message\":\"Maintenance\"},\"ts\":1714678920000}",
    NULL },
};

static void
test_object_id (Fixture *fx, gconstpointer data)
{
  herald_test_parse_check_object_id (fx, data);
}

/* --- close codes --- */

static void
test_close_policy (Fixture *fx, gconstpointer data)
{
  HeraldFeedClass *klass = HERALD_FEED_GET_CLASS (fx->feed);
  g_autofree char *reason = NULL;

  /* A token that was not minted for this attempt is renewed once. */
  g_assert_cmpint (klass->closed (fx->feed, 4001, "Invalid token", &reason), ==,
                   HERALD_CLOSE_REAUTHENTICATE);
  g_assert_cmpstr (reason, ==, "SkinShark asked for a new access token");
  g_clear_pointer (&reason, g_free);

  g_assert_cmpint (klass->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_ABNORMAL, NULL, &reason), ==,
                   HERALD_CLOSE_RECONNECT);
  g_assert_null (reason);
  g_assert_cmpint (klass->closed (fx->feed, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "restart", &reason),
                   ==, HERALD_CLOSE_RECONNECT);

  /* 4002 means we wrote to a read-only socket: a bug worth a warning, then reconnect. */
  g_test_expect_message ("herald-skinshark", G_LOG_LEVEL_WARNING, "*4002*");
  g_assert_cmpint (klass->closed (fx->feed, 4002, "Read-only", &reason), ==,
                   HERALD_CLOSE_RECONNECT);
  g_test_assert_expected_messages ();
}

/* --- settings that cannot work --- */

typedef struct
{
  const char *name;
  const char *api_key;  /* NULL: none stored */
  const char *sub_user; /* NULL: option unset */
} ConfigCase;

static const ConfigCase config_cases[] = {
  { "no-api-key", NULL, "user_42" },
  { "empty-api-key", "", "user_42" },
  { "no-sub-user", "sk_live_abc", NULL },
  { "sub-user-with-line-break", "sk_live_abc", "user\r\nX-Injected: 1" },
};

static void
test_config_case (gconstpointer data)
{
  const ConfigCase *c = data;
  g_autoptr (HeraldAccount) account
    = herald_account_new (HERALD_PROVIDER_SKINSHARK, "skinshark-test");
  g_autoptr (HeraldFeed) feed = NULL;
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (GError) error = NULL;

  if (c->sub_user != NULL)
    herald_account_set_option_values (account, "sub-user",
                                      (const char *const[]){ c->sub_user, NULL });
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "api-key", c->api_key);
  g_assert_false (herald_test_feed_prepare (feed, session, &error));
  g_assert_error (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION);
}

/* --- expiresIn --- */

typedef struct
{
  const char *text;
  gboolean valid;
  guint64 seconds;
} LifetimeCase;

static const LifetimeCase lifetime_cases[] = {
  { "1h", TRUE, 3600 },   { "30m", TRUE, 1800 },  { "45s", TRUE, 45 }, { "1h30m", TRUE, 5400 },
  { "2d", TRUE, 172800 }, { "3600", TRUE, 3600 }, { "", FALSE, 0 },    { "h", FALSE, 0 },
  { "1x", FALSE, 0 },     { "0s", FALSE, 0 },     { "0", FALSE, 0 },   { "-5", FALSE, 0 },
  { "1.5h", FALSE, 0 },   { " 1h", FALSE, 0 },    { "1h ", FALSE, 0 }, { "99999999999h", FALSE, 0 },
};

static void
test_lifetime (void)
{
  guint64 seconds;

  for (guint i = 0; i < G_N_ELEMENTS (lifetime_cases); i++)
    {
      const LifetimeCase *c = &lifetime_cases[i];

      seconds = 0;
      g_test_message ("expiresIn “%s”", c->text);
      g_assert_cmpint (herald_skinshark_parse_lifetime (c->text, &seconds), ==, c->valid);
      if (c->valid)
        g_assert_cmpuint (seconds, ==, c->seconds);
    }
  g_assert_false (herald_skinshark_parse_lifetime (NULL, &seconds));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  HERALD_TEST_ADD_TABLE ("/skinshark/parse", Fixture, cases, fixture_setup, test_case,
                         herald_test_parse_teardown);
  HERALD_TEST_ADD_TABLE ("/skinshark/malformed", Fixture, bad_cases, fixture_setup, test_bad_case,
                         herald_test_parse_teardown);
  HERALD_TEST_ADD_DATA_TABLE ("/skinshark/configuration", config_cases, test_config_case);
  HERALD_TEST_ADD_TABLE ("/skinshark/object-id", Fixture, object_cases, fixture_setup,
                         test_object_id, herald_test_parse_teardown);
  g_test_add ("/skinshark/replay-same-id", Fixture, NULL, fixture_setup, test_replay_same_id,
              herald_test_parse_teardown);
  g_test_add ("/skinshark/close-policy", Fixture, NULL, fixture_setup, test_close_policy,
              herald_test_parse_teardown);
  g_test_add_func ("/skinshark/lifetime", test_lifetime);
  return g_test_run ();
}
