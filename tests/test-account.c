/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-account.c — HeraldAccount and the provider table: every validation rule with its exact
 * error code, the endpoint policy, ids, options, credentials and change notification. */
#include "config.h"

#include <locale.h>

#include "herald-account.h"

#define VALID (-1)

#define X10 "xxxxxxxxxx"
#define X50 X10 X10 X10 X10 X10
#define X100 X50 X50
#define X200 X100 X100
#define E10 "éééééééééé"
#define E100 E10 E10 E10 E10 E10 E10 E10 E10 E10 E10

/* Short names keep one case per line in the table below. */
#define SKINSHARK HERALD_PROVIDER_SKINSHARK
#define HASHI HERALD_PROVIDER_HASHI
#define COINVOYAGE HERALD_PROVIDER_COINVOYAGE
#define DIMES HERALD_PROVIDER_DIMES
#define PALLY HERALD_PROVIDER_PALLY
#define INVALID_LABEL HERALD_ACCOUNT_ERROR_INVALID_LABEL
#define INVALID_ENDPOINT HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT
#define INSECURE_ENDPOINT HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT
#define UNKNOWN_OPTION HERALD_ACCOUNT_ERROR_UNKNOWN_OPTION
#define INVALID_OPTION HERALD_ACCOUNT_ERROR_INVALID_OPTION
#define MISSING_OPTION HERALD_ACCOUNT_ERROR_MISSING_OPTION

typedef struct
{
  const char *name;
  HeraldProviderKind provider;
  const char *label;      /* NULL: a valid label */
  const char *endpoint;   /* NULL: the provider's default */
  const char *options[5]; /* "key=value", one entry per value */
  int code;               /* a HeraldAccountError, or VALID */
} ValidateCase;

/* clang-format off */
static const ValidateCase validate_cases[] = {
  /* Labels */
  { "label-plain", PALLY, "Main", NULL, { NULL }, VALID },
  { "label-padded", PALLY, "  Main  ", NULL, { NULL }, VALID },
  { "label-empty", PALLY, "", NULL, { NULL }, INVALID_LABEL },
  { "label-spaces", PALLY, "   ", NULL, { NULL }, INVALID_LABEL },
  { "label-blank-mixed", PALLY, " \t\u00a0 ", NULL, { NULL }, INVALID_LABEL },
  { "label-100", PALLY, X100, NULL, { NULL }, VALID },
  { "label-101", PALLY, X100 "y", NULL, { NULL }, INVALID_LABEL },
  /* Counted in characters, not bytes. */
  { "label-100-accented", PALLY, E100, NULL, { NULL }, VALID },
  { "label-101-accented", PALLY, E100 "é", NULL, { NULL }, INVALID_LABEL },
  { "label-newline", PALLY, "Main\nSecond", NULL, { NULL }, INVALID_LABEL },
  { "label-tab", PALLY, "Main\tSecond", NULL, { NULL }, INVALID_LABEL },
  { "label-escape", PALLY, "Main\033[31m", NULL, { NULL }, INVALID_LABEL },
  { "label-delete", PALLY, "Main\x7f", NULL, { NULL }, INVALID_LABEL },
  { "label-c1", PALLY, "Main\xc2\x85", NULL, { NULL }, INVALID_LABEL },
  { "label-line-separator", PALLY, "Main\u2028Second", NULL, { NULL }, INVALID_LABEL },
  { "label-bad-utf8", PALLY, "Main\xff", NULL, { NULL }, INVALID_LABEL },
  { "label-unicode", PALLY, "Ünïcødé ✓ 主账户", NULL, { NULL }, VALID },

  /* Endpoints, through the account */
  { "endpoint-custom-wss", PALLY, NULL, "wss://staging.pally.gg", { NULL }, VALID },
  { "endpoint-loopback-ws", PALLY, NULL, "ws://127.0.0.1:8080", { NULL }, VALID },
  { "endpoint-plain-remote", PALLY, NULL, "ws://events.pally.gg", { NULL }, INSECURE_ENDPOINT },
  { "endpoint-garbage", HASHI, NULL, "not a url", { NULL }, INVALID_ENDPOINT },
  { "endpoint-empty", HASHI, NULL, "", { NULL }, INVALID_ENDPOINT },

  /* SkinShark: sub-user, required, single, free text */
  { "skinshark-ok", SKINSHARK, NULL, NULL, { "sub-user=0f1e2d3c-aaaa" }, VALID },
  { "skinshark-missing-sub-user", SKINSHARK, NULL, NULL, { NULL }, MISSING_OPTION },
  { "skinshark-two-sub-users", SKINSHARK, NULL, NULL, { "sub-user=a", "sub-user=b" }, INVALID_OPTION },
  { "skinshark-empty-sub-user", SKINSHARK, NULL, NULL, { "sub-user=" }, INVALID_OPTION },
  { "skinshark-sub-user-space", SKINSHARK, NULL, NULL, { "sub-user=a b" }, INVALID_OPTION },
  { "skinshark-sub-user-tab", SKINSHARK, NULL, NULL, { "sub-user=a\tb" }, INVALID_OPTION },
  { "skinshark-sub-user-nbsp", SKINSHARK, NULL, NULL, { "sub-user=a\u00a0b" }, INVALID_OPTION },
  { "skinshark-sub-user-control", SKINSHARK, NULL, NULL, { "sub-user=a\x01" }, INVALID_OPTION },
  { "skinshark-sub-user-bad-utf8", SKINSHARK, NULL, NULL, { "sub-user=a\xc3" }, INVALID_OPTION },
  { "skinshark-sub-user-200", SKINSHARK, NULL, NULL, { "sub-user=" X200 }, VALID },
  { "skinshark-sub-user-201", SKINSHARK, NULL, NULL, { "sub-user=" X200 "y" }, INVALID_OPTION },
  { "skinshark-lobby", SKINSHARK, NULL, NULL, { "sub-user=a", "lobby=l1" }, UNKNOWN_OPTION },
  /* A misspelt option is reported as such, not as the missing one it was meant to be. */
  { "skinshark-misspelt", SKINSHARK, NULL, NULL, { "subuser=a" }, UNKNOWN_OPTION },

  /* Hashi: lobby, repeatable, optional */
  { "hashi-no-lobby", HASHI, NULL, NULL, { NULL }, VALID },
  { "hashi-lobbies", HASHI, NULL, NULL, { "lobby=l1", "lobby=l2", "lobby=l3" }, VALID },
  { "hashi-duplicate-lobby", HASHI, NULL, NULL, { "lobby=l1", "lobby=l2", "lobby=l1" }, INVALID_OPTION },
  { "hashi-empty-lobby", HASHI, NULL, NULL, { "lobby=l1", "lobby=" }, INVALID_OPTION },
  { "hashi-lobby-newline", HASHI, NULL, NULL, { "lobby=l1\n" }, INVALID_OPTION },
  { "hashi-gateway", HASHI, NULL, NULL, { "gateway=partner" }, UNKNOWN_OPTION },

  /* CoinVoyage: order, repeatable; none = organization */
  { "coinvoyage-organization", COINVOYAGE, NULL, NULL, { NULL }, VALID },
  { "coinvoyage-orders", COINVOYAGE, NULL, NULL, { "order=ord_1", "order=ord_2" }, VALID },
  { "coinvoyage-duplicate-order", COINVOYAGE, NULL, NULL, { "order=ord_1", "order=ord_1" }, INVALID_OPTION },
  { "coinvoyage-order-201", COINVOYAGE, NULL, NULL, { "order=" X200 "y" }, INVALID_OPTION },
  { "coinvoyage-room", COINVOYAGE, NULL, NULL, { "room=x" }, UNKNOWN_OPTION },

  /* Dimes: gateway partner|customer, default partner */
  { "dimes-default", DIMES, NULL, NULL, { NULL }, VALID },
  { "dimes-partner", DIMES, NULL, NULL, { "gateway=partner" }, VALID },
  { "dimes-customer", DIMES, NULL, NULL, { "gateway=customer" }, VALID },
  { "dimes-bad-gateway", DIMES, NULL, NULL, { "gateway=wallet" }, INVALID_OPTION },
  { "dimes-gateway-case", DIMES, NULL, NULL, { "gateway=Partner" }, INVALID_OPTION },
  { "dimes-two-gateways", DIMES, NULL, NULL, { "gateway=partner", "gateway=customer" }, INVALID_OPTION },
  { "dimes-order", DIMES, NULL, NULL, { "order=o1" }, UNKNOWN_OPTION },

  /* Pally: channel firehose|activity-feed (default firehose), room with activity-feed only */
  { "pally-default", PALLY, NULL, NULL, { NULL }, VALID },
  { "pally-firehose", PALLY, NULL, NULL, { "channel=firehose" }, VALID },
  { "pally-activity-feed", PALLY, NULL, NULL, { "channel=activity-feed", "room=my-page" }, VALID },
  { "pally-activity-feed-no-room", PALLY, NULL, NULL, { "channel=activity-feed" }, MISSING_OPTION },
  { "pally-room-default-channel", PALLY, NULL, NULL, { "room=my-page" }, INVALID_OPTION },
  { "pally-room-firehose", PALLY, NULL, NULL, { "channel=firehose", "room=my-page" }, INVALID_OPTION },
  { "pally-two-rooms", PALLY, NULL, NULL, { "channel=activity-feed", "room=a", "room=b" }, INVALID_OPTION },
  { "pally-room-space", PALLY, NULL, NULL, { "channel=activity-feed", "room=my page" }, INVALID_OPTION },
  { "pally-bad-channel", PALLY, NULL, NULL, { "channel=all" }, INVALID_OPTION },
  { "pally-two-channels", PALLY, NULL, NULL, { "channel=firehose", "channel=firehose" }, INVALID_OPTION },
  { "pally-lobby", PALLY, NULL, NULL, { "lobby=l1" }, UNKNOWN_OPTION },
};
/* clang-format on */

typedef struct
{
  const char *uri;
  int code;
} EndpointCase;

static const EndpointCase endpoint_cases[] = {
  { "wss://x", VALID },
  { "https://x", VALID },
  { "wss://events.pally.gg/path?channel=firehose", VALID },
  { "https://user@api.skinshark.gg", VALID },
  { "WSS://EVENTS.PALLY.GG", VALID },
  { "ws://127.0.0.1:8080", VALID },
  { "ws://127.5.5.5", VALID },
  { "http://127.0.0.1:39999/ws", VALID },
  { "ws://[::1]:1", VALID },
  { "ws://localhost", VALID },
  { "http://LocalHost:8080/", VALID },
  { "ws://example.org", HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  { "http://10.0.0.1", HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  { "http://192.168.1.10:8080", HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  { "ws://[::2]", HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  { "ws://[fe80::1]", HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  { "ws://0.0.0.0", HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  { "ws://localhost.example.org", HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  { "ws://127.0.0.1.nip.io", HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  { "ftp://x", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "file:///etc/passwd", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "not a url", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "events.pally.gg", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "//events.pally.gg", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "wss://", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "https:///path", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "wss://x:99999", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "wss://exa mple.org", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { " wss://example.org", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "wss://example.org/\n", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "wss://example.org/\x7f", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "wss://example.org/\xff", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "wss://example.org/%zz", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  { "https://user:pw@api.skinshark.gg", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  /* A password makes it invalid even on loopback. */
  { "ws://user:pw@127.0.0.1", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
};

static HeraldAccount *
account_from_case (const ValidateCase *test)
{
  HeraldAccount *account = herald_account_new (test->provider, NULL);

  herald_account_set_label (account, test->label != NULL ? test->label : "Main");
  if (test->endpoint != NULL)
    herald_account_set_endpoint (account, test->endpoint);
  for (guint i = 0; i < G_N_ELEMENTS (test->options) && test->options[i] != NULL; i++)
    {
      g_auto (GStrv) kv = g_strsplit (test->options[i], "=", 2);

      herald_account_add_option_value (account, kv[0], kv[1]);
    }
  return account;
}

static void
test_validate (gconstpointer data)
{
  const ValidateCase *test = data;
  g_autoptr (HeraldAccount) account = account_from_case (test);
  g_autoptr (GError) error = NULL;
  gboolean ok = herald_account_validate (account, &error);

  if (test->code == VALID)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_error (error, HERALD_ACCOUNT_ERROR, test->code);
      g_assert_false (ok);
      /* One line, for a terminal or a dialog. */
      g_assert_null (strchr (error->message, '\n'));
      g_assert_cmpuint (strlen (error->message), >, 0);
    }
}

static void
test_endpoint (gconstpointer data)
{
  const EndpointCase *test = data;
  g_autoptr (GError) error = NULL;
  gboolean ok = herald_endpoint_validate (test->uri, &error);

  if (test->code == VALID)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_error (error, HERALD_ACCOUNT_ERROR, test->code);
      g_assert_false (ok);
      g_assert_null (strchr (error->message, '\n'));
    }
}

/* Keys travel in query strings and user info: an error must never show them. */
static void
test_endpoint_messages_hide_secrets (void)
{
  static const EndpointCase cases[] = {
    { "ws://example.org/?auth=SECRETKEY123&channel=firehose",
      HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
    { "ftp://example.org/?auth=SECRETKEY123", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "wss://example.org/?auth=SECRETKEY123 with spaces", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "wss://user:SECRETKEY123@example.org", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "wss://?auth=SECRETKEY123", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "SECRETKEY123", HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (herald_endpoint_validate (cases[i].uri, &error));
      g_assert_error (error, HERALD_ACCOUNT_ERROR, cases[i].code);
      g_assert_null (strstr (error->message, "SECRETKEY123"));
    }
}

static void
test_messages_name_the_problem (void)
{
  g_autoptr (HeraldAccount) pally = herald_account_new (HERALD_PROVIDER_PALLY, NULL);
  g_autoptr (HeraldAccount) dimes = herald_account_new (HERALD_PROVIDER_DIMES, NULL);
  g_autoptr (HeraldAccount) skinshark = herald_account_new (HERALD_PROVIDER_SKINSHARK, NULL);
  g_autoptr (GError) error = NULL;

  herald_account_set_label (pally, "Tips");
  herald_account_add_option_value (pally, "lobby", "l1");
  g_assert_false (herald_account_validate (pally, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_UNKNOWN_OPTION);
  g_assert_cmpstr (error->message, ==, "Pally accounts have no “lobby” option");
  g_clear_error (&error);

  herald_account_set_label (dimes, "Positions");
  herald_account_add_option_value (dimes, "gateway", "wallet");
  g_assert_false (herald_account_validate (dimes, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "wallet"));
  g_assert_nonnull (strstr (error->message, "partner, customer"));
  g_clear_error (&error);

  herald_account_set_label (skinshark, "Trades");
  g_assert_false (herald_account_validate (skinshark, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_MISSING_OPTION);
  g_assert_nonnull (strstr (error->message, "sub-user"));
  g_clear_error (&error);

  /* A hostile value cannot break the message onto several lines. */
  herald_account_set_option_values (dimes, "gateway", (const char *const[]){ "a\nb\rc", NULL });
  g_assert_false (herald_account_validate (dimes, &error));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strchr (error->message, '\r'));
}

static void
test_parse_provider (void)
{
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < HERALD_N_PROVIDERS; i++)
    {
      const HeraldProviderInfo *info = herald_provider_info_get (i);

      g_assert_true (herald_account_parse_provider (info->id, &error) == info);
      g_assert_no_error (error);
    }

  g_assert_null (herald_account_parse_provider ("Pally", &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_UNKNOWN_PROVIDER);
  g_assert_nonnull (strstr (error->message, "skinshark, hashi, coinvoyage, dimes, pally"));
  g_clear_error (&error);

  g_assert_null (herald_account_parse_provider (NULL, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_UNKNOWN_PROVIDER);
}

static void
test_provider_table (void)
{
  static const struct
  {
    HeraldProviderKind kind;
    const char *id;
    const char *name;
    const char *endpoint;
    const char *options;
  } expected[] = {
    { HERALD_PROVIDER_SKINSHARK, "skinshark", "SkinShark", "https://api.skinshark.gg", "sub-user" },
    { HERALD_PROVIDER_HASHI, "hashi", "Hashi", "wss://socket.dev.hashi.gg", "lobby" },
    { HERALD_PROVIDER_COINVOYAGE, "coinvoyage", "CoinVoyage", "wss://api.coinvoyage.io/v2/ws",
      "order" },
    { HERALD_PROVIDER_DIMES, "dimes", "Dimes", "https://api.dimes.fi", "gateway" },
    { HERALD_PROVIDER_PALLY, "pally", "Pally", "wss://events.pally.gg", "channel room" },
  };
  g_autoptr (GEnumClass) enum_class = g_type_class_ref (HERALD_TYPE_PROVIDER_KIND);

  g_assert_cmpuint (G_N_ELEMENTS (expected), ==, HERALD_N_PROVIDERS);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const HeraldProviderInfo *info = herald_provider_info_get (expected[i].kind);
      g_autoptr (GString) keys = g_string_new (NULL);

      g_assert_cmpint (info->kind, ==, expected[i].kind);
      g_assert_cmpstr (info->id, ==, expected[i].id);
      g_assert_cmpstr (info->name, ==, expected[i].name);
      g_assert_cmpstr (info->default_endpoint, ==, expected[i].endpoint);
      g_assert_true (herald_provider_info_lookup (expected[i].id) == info);
      g_assert_cmpstr (g_enum_get_value (enum_class, info->kind)->value_nick, ==, info->id);
      g_assert_true (herald_endpoint_validate (info->default_endpoint, NULL));

      for (guint j = 0; j < info->n_options; j++)
        {
          const HeraldProviderOption *option = &info->options[j];

          g_string_append_printf (keys, "%s%s", j > 0 ? " " : "", option->key);
          g_assert_true (herald_provider_info_find_option (info, option->key) == option);
          g_assert_nonnull (option->value_name);
          g_assert_nonnull (option->description);
          if (option->default_value != NULL)
            g_assert_true (herald_provider_option_allows (option, option->default_value));
        }
      g_assert_cmpstr (keys->str, ==, expected[i].options);
    }

  g_assert_null (herald_provider_info_lookup ("newfeed"));
  g_assert_null (herald_provider_info_lookup ("SkinShark"));
  g_assert_null (herald_provider_info_lookup (""));
  g_assert_null (herald_provider_info_lookup (NULL));
  g_assert_null (
    herald_provider_info_find_option (herald_provider_info_get (HERALD_PROVIDER_PALLY), "lobby"));

  {
    const HeraldProviderInfo *hashi = herald_provider_info_get (HERALD_PROVIDER_HASHI);
    const HeraldProviderInfo *coinvoyage = herald_provider_info_get (HERALD_PROVIDER_COINVOYAGE);
    const HeraldProviderInfo *skinshark = herald_provider_info_get (HERALD_PROVIDER_SKINSHARK);
    const HeraldProviderInfo *dimes = herald_provider_info_get (HERALD_PROVIDER_DIMES);
    const HeraldProviderInfo *pally = herald_provider_info_get (HERALD_PROVIDER_PALLY);

    g_assert_true (herald_provider_info_find_option (hashi, "lobby")->repeatable);
    g_assert_true (herald_provider_info_find_option (coinvoyage, "order")->repeatable);
    g_assert_false (herald_provider_info_find_option (skinshark, "sub-user")->repeatable);
    g_assert_true (herald_provider_info_find_option (skinshark, "sub-user")->required);
    g_assert_cmpstr (herald_provider_info_find_option (dimes, "gateway")->default_value, ==,
                     "partner");
    g_assert_cmpstr (herald_provider_info_find_option (pally, "channel")->default_value, ==,
                     "firehose");
    g_assert_cmpstr (herald_provider_info_find_option (pally, "room")->value_name, ==, "SLUG");
  }
}

static void
test_id_generation (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < HERALD_N_PROVIDERS; i++)
    {
      const HeraldProviderInfo *info = herald_provider_info_get (i);
      g_autofree char *pattern = g_strdup_printf ("^%s-[0-9a-f]{8}$", info->id);

      for (guint n = 0; n < 40; n++)
        {
          g_autoptr (HeraldAccount) account = herald_account_new (i, NULL);
          const char *id = herald_account_get_id (account);

          g_assert_true (g_regex_match_simple (pattern, id, 0, 0));
          g_assert_true (herald_account_id_is_valid (id));
          /* 200 ids from 2^32 values: a repeat means the source is not random. */
          g_assert_false (g_hash_table_contains (seen, id));
          g_hash_table_add (seen, g_strdup (id));
        }
    }
}

static void
test_id_given (void)
{
  static const struct
  {
    const char *id;
    gboolean valid;
  } cases[] = {
    { "main", TRUE },
    { "A-b_c.9", TRUE },
    { "pally-0123abcd", TRUE },
    { "x", TRUE },
    { "", FALSE },
    { "a b", FALSE },
    { "a/b", FALSE },
    { "a]b", FALSE },
    { "a\nb", FALSE },
    { "ü", FALSE },
    { X50 "12345678901234", TRUE },
    { X50 "123456789012345", FALSE },
  };
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_HASHI, "my.lobbies_1");

  g_assert_cmpstr (herald_account_get_id (account), ==, "my.lobbies_1");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_true (herald_account_id_is_valid (cases[i].id) == cases[i].valid);
  g_assert_false (herald_account_id_is_valid (NULL));
}

static void
test_defaults (void)
{
  for (guint i = 0; i < HERALD_N_PROVIDERS; i++)
    {
      g_autoptr (HeraldAccount) account = herald_account_new (i, NULL);
      const HeraldProviderInfo *info = herald_provider_info_get (i);
      HeraldProviderKind provider;

      g_assert_cmpint (herald_account_get_provider (account), ==, i);
      g_assert_true (herald_account_get_provider_info (account) == info);
      g_object_get (account, "provider", &provider, NULL);
      g_assert_cmpint (provider, ==, i);
      g_assert_cmpstr (herald_account_get_label (account), ==, "");
      g_assert_cmpstr (herald_account_get_endpoint (account), ==, info->default_endpoint);
      g_assert_true (herald_account_get_enabled (account));

      herald_account_set_endpoint (account, "wss://127.0.0.1:1");
      herald_account_set_endpoint (account, NULL);
      g_assert_cmpstr (herald_account_get_endpoint (account), ==, info->default_endpoint);
    }
}

static void
test_options (void)
{
  g_autoptr (HeraldAccount) dimes = herald_account_new (HERALD_PROVIDER_DIMES, NULL);
  g_autoptr (HeraldAccount) pally = herald_account_new (HERALD_PROVIDER_PALLY, NULL);
  g_autoptr (HeraldAccount) hashi = herald_account_new (HERALD_PROVIDER_HASHI, NULL);
  g_autoptr (HeraldAccount) skinshark = herald_account_new (HERALD_PROVIDER_SKINSHARK, NULL);
  const char *const lobbies[] = { "l1", "l2", NULL };
  const char *const empty[] = { NULL };
  g_auto (GStrv) keys = NULL;

  /* Defaults come through get_option but are not stored values. */
  g_assert_cmpstr (herald_account_get_option (dimes, "gateway"), ==, "partner");
  g_assert_nonnull (herald_account_get_option_values (dimes, "gateway"));
  g_assert_null (herald_account_get_option_values (dimes, "gateway")[0]);
  g_assert_cmpstr (herald_account_get_option (pally, "channel"), ==, "firehose");
  g_assert_null (herald_account_get_option (pally, "room"));
  g_assert_null (herald_account_get_option (skinshark, "sub-user"));
  g_assert_null (herald_account_get_option (skinshark, "no-such-option"));
  g_assert_null (herald_account_get_option_values (skinshark, "no-such-option")[0]);

  herald_account_set_option_values (dimes, "gateway", (const char *const[]){ "customer", NULL });
  g_assert_cmpstr (herald_account_get_option (dimes, "gateway"), ==, "customer");

  herald_account_set_option_values (hashi, "lobby", lobbies);
  herald_account_add_option_value (hashi, "lobby", "l3");
  g_assert_cmpstrv (herald_account_get_option_values (hashi, "lobby"),
                    ((const char *const[]){ "l1", "l2", "l3", NULL }));
  g_assert_cmpstr (herald_account_get_option (hashi, "lobby"), ==, "l1");
  keys = herald_account_dup_option_keys (hashi);
  g_assert_cmpstrv (keys, ((const char *const[]){ "lobby", NULL }));

  herald_account_set_option_values (hashi, "lobby", empty);
  g_assert_null (herald_account_get_option_values (hashi, "lobby")[0]);
  herald_account_set_option_values (hashi, "lobby", lobbies);
  herald_account_set_option_values (hashi, "lobby", NULL);
  g_assert_null (herald_account_get_option_values (hashi, "lobby")[0]);
  g_clear_pointer (&keys, g_strfreev);
  keys = herald_account_dup_option_keys (hashi);
  g_assert_cmpstrv (keys, empty);

  /* Unknown keys are kept so validation can name them. */
  herald_account_add_option_value (pally, "zeta", "1");
  herald_account_add_option_value (pally, "alpha", "2");
  g_clear_pointer (&keys, g_strfreev);
  keys = herald_account_dup_option_keys (pally);
  g_assert_cmpstrv (keys, ((const char *const[]){ "alpha", "zeta", NULL }));
}

static void
test_credentials (void)
{
  static const struct
  {
    HeraldProviderKind provider;
    const char *gateway;
    const char *fields;
    const char *optional;
  } cases[] = {
    { HERALD_PROVIDER_SKINSHARK, NULL, "api-key", "" },
    { HERALD_PROVIDER_HASHI, NULL, "token", "" },
    { HERALD_PROVIDER_COINVOYAGE, NULL, "api-key api-secret", "api-secret" },
    { HERALD_PROVIDER_DIMES, NULL, "api-key", "" },
    { HERALD_PROVIDER_DIMES, "partner", "api-key", "" },
    { HERALD_PROVIDER_DIMES, "customer", "token", "" },
    { HERALD_PROVIDER_PALLY, NULL, "api-key", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (HeraldAccount) account = herald_account_new (cases[i].provider, NULL);
      g_autoptr (GString) fields = g_string_new (NULL);
      g_autoptr (GString) optional = g_string_new (NULL);
      const HeraldCredentialSpec *specs;
      guint n_specs = 0;

      if (cases[i].gateway != NULL)
        herald_account_add_option_value (account, "gateway", cases[i].gateway);
      specs = herald_account_get_credentials (account, &n_specs);
      g_assert_cmpuint (n_specs, >, 0);
      for (guint j = 0; j < n_specs; j++)
        {
          g_string_append_printf (fields, "%s%s", j > 0 ? " " : "", specs[j].field);
          if (specs[j].optional)
            g_string_append (optional, specs[j].field);
          g_assert_nonnull (specs[j].prompt);
        }
      g_assert_cmpstr (fields->str, ==, cases[i].fields);
      g_assert_cmpstr (optional->str, ==, cases[i].optional);
    }

  {
    g_autoptr (HeraldAccount) hashi = herald_account_new (HERALD_PROVIDER_HASHI, NULL);
    g_autoptr (HeraldAccount) dimes = herald_account_new (HERALD_PROVIDER_DIMES, NULL);
    guint n;

    g_assert_cmpstr (herald_account_get_credentials (hashi, &n)[0].prompt, ==,
                     "Privy access token (JWT)");
    herald_account_add_option_value (dimes, "gateway", "customer");
    g_assert_cmpstr (herald_account_get_credentials (dimes, &n)[0].prompt, ==,
                     "Customer access token (JWT)");
    /* Switching the gateway switches the credential. */
    herald_account_set_option_values (dimes, "gateway", NULL);
    g_assert_cmpstr (herald_account_get_credentials (dimes, &n)[0].field, ==, "api-key");
  }
}

typedef struct
{
  guint changed;
  guint label;
  guint endpoint;
  guint enabled;
} Counts;

static void
count_changed_cb (HeraldAccount *account, Counts *counts)
{
  counts->changed++;
}

static void
count_notify_cb (HeraldAccount *account, GParamSpec *pspec, Counts *counts)
{
  if (g_str_equal (pspec->name, "label"))
    counts->label++;
  else if (g_str_equal (pspec->name, "endpoint"))
    counts->endpoint++;
  else if (g_str_equal (pspec->name, "enabled"))
    counts->enabled++;
}

static void
test_change_notification (void)
{
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_PALLY, "p1");
  g_autoptr (HeraldAccount) other = NULL;
  Counts counts = { 0 };
  const HeraldProviderInfo *info = herald_account_get_provider_info (account);

  herald_account_set_label (account, "Tips");
  g_signal_connect (account, "changed", G_CALLBACK (count_changed_cb), &counts);
  g_signal_connect (account, "notify", G_CALLBACK (count_notify_cb), &counts);

  /* Setting what is already there is no change. */
  herald_account_set_label (account, "Tips");
  herald_account_set_endpoint (account, NULL);
  herald_account_set_endpoint (account, info->default_endpoint);
  herald_account_set_enabled (account, TRUE);
  herald_account_set_option_values (account, "channel", NULL);
  g_assert_cmpuint (counts.changed, ==, 0);
  g_assert_cmpuint (counts.label + counts.endpoint + counts.enabled, ==, 0);

  herald_account_set_label (account, "More tips");
  g_assert_cmpuint (counts.label, ==, 1);
  g_assert_cmpuint (counts.changed, ==, 1);
  herald_account_set_enabled (account, FALSE);
  g_assert_cmpuint (counts.enabled, ==, 1);
  g_assert_cmpuint (counts.changed, ==, 2);
  herald_account_set_endpoint (account, "wss://127.0.0.1:9");
  g_assert_cmpuint (counts.endpoint, ==, 1);
  g_assert_cmpuint (counts.changed, ==, 3);
  herald_account_add_option_value (account, "channel", "activity-feed");
  g_assert_cmpuint (counts.changed, ==, 4);
  herald_account_set_option_values (account, "channel",
                                    (const char *const[]){ "activity-feed", NULL });
  g_assert_cmpuint (counts.changed, ==, 4);
  g_object_set (account, "label", "More tips", NULL);
  g_assert_cmpuint (counts.label, ==, 1);
  g_object_set (account, "label", "Via property", NULL);
  g_assert_cmpuint (counts.label, ==, 2);
  g_assert_cmpuint (counts.changed, ==, 5);

  /* A copy starts equal; assigning several differences back is one "changed". */
  other = herald_account_copy (account);
  g_assert_true (herald_account_equal (account, other));
  herald_account_set_label (other, "Edited");
  herald_account_set_enabled (other, TRUE);
  herald_account_add_option_value (other, "room", "my-page");
  herald_account_set_option_values (other, "channel", NULL);
  g_assert_false (herald_account_equal (account, other));

  memset (&counts, 0, sizeof counts);
  herald_account_assign (account, other);
  g_assert_true (herald_account_equal (account, other));
  g_assert_cmpuint (counts.changed, ==, 1);
  g_assert_cmpuint (counts.label, ==, 1);
  g_assert_cmpuint (counts.enabled, ==, 1);
  g_assert_cmpuint (counts.endpoint, ==, 0);
  g_assert_null (herald_account_get_option_values (account, "channel")[0]);
  g_assert_cmpstr (herald_account_get_option (account, "room"), ==, "my-page");

  memset (&counts, 0, sizeof counts);
  herald_account_assign (account, other);
  g_assert_cmpuint (counts.changed, ==, 0);
}

static void
test_equal (void)
{
  g_autoptr (HeraldAccount) a = herald_account_new (HERALD_PROVIDER_HASHI, "h1");
  g_autoptr (HeraldAccount) b = herald_account_new (HERALD_PROVIDER_HASHI, "h1");
  g_autoptr (HeraldAccount) other_id = herald_account_new (HERALD_PROVIDER_HASHI, "h2");
  g_autoptr (HeraldAccount) other_provider = herald_account_new (HERALD_PROVIDER_PALLY, "h1");

  g_assert_true (herald_account_equal (a, b));
  g_assert_false (herald_account_equal (a, other_id));
  g_assert_false (herald_account_equal (a, other_provider));

  herald_account_add_option_value (a, "lobby", "l1");
  herald_account_add_option_value (a, "lobby", "l2");
  herald_account_add_option_value (b, "lobby", "l2");
  herald_account_add_option_value (b, "lobby", "l1");
  g_assert_false (herald_account_equal (a, b));
  herald_account_set_option_values (b, "lobby", herald_account_get_option_values (a, "lobby"));
  g_assert_true (herald_account_equal (a, b));

  herald_account_set_enabled (b, FALSE);
  g_assert_false (herald_account_equal (a, b));
  herald_account_set_enabled (b, TRUE);
  herald_account_set_endpoint (b, "wss://127.0.0.1:1");
  g_assert_false (herald_account_equal (a, b));
  herald_account_set_endpoint (b, NULL);
  herald_account_set_label (b, "x");
  g_assert_false (herald_account_equal (a, b));
  herald_account_set_label (b, NULL);
  g_assert_true (herald_account_equal (a, b));
  herald_account_add_option_value (b, "extra", "1");
  g_assert_false (herald_account_equal (a, b));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (validate_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/account/validate/%s", validate_cases[i].name);

      g_test_add_data_func_full (path, (gpointer)&validate_cases[i], test_validate, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (endpoint_cases); i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *name = g_strdup (endpoint_cases[i].uri);

      g_strcanon (name, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS, '_');
      path = g_strdup_printf ("/account/endpoint/%02u-%s", i, name);
      g_test_add_data_func_full (path, (gpointer)&endpoint_cases[i], test_endpoint, NULL);
    }
  g_test_add_func ("/account/endpoint-messages-hide-secrets", test_endpoint_messages_hide_secrets);
  g_test_add_func ("/account/messages", test_messages_name_the_problem);
  g_test_add_func ("/account/parse-provider", test_parse_provider);
  g_test_add_func ("/account/provider-table", test_provider_table);
  g_test_add_func ("/account/id-generation", test_id_generation);
  g_test_add_func ("/account/id-given", test_id_given);
  g_test_add_func ("/account/defaults", test_defaults);
  g_test_add_func ("/account/options", test_options);
  g_test_add_func ("/account/credentials", test_credentials);
  g_test_add_func ("/account/change-notification", test_change_notification);
  g_test_add_func ("/account/equal", test_equal);

  return g_test_run ();
}
