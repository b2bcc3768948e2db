/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli.c — the real `herald` binary in a temporary home, with a real keyring on a
 * private bus: what a user or a script sees from `herald account …` and `herald history`. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "herald-history.h"
#include "herald-test-env.h"

typedef struct
{
  HeraldTestEnv *env;
  char *accounts_path;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->env = herald_test_env_new (GPOINTER_TO_INT (data) ? HERALD_TEST_ENV_KEYRING : 0);
  fixture->accounts_path
    = g_build_filename (fixture->env->config_home, "herald", "accounts.ini", NULL);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  herald_test_env_free (fixture->env);
  g_free (fixture->accounts_path);
}

/* Runs `herald ARGS…` (NULL-terminated) with stdin_text; returns the exit status. */
#define herald(fixture, stdin_text, out, err, ...)                                                 \
  herald_test_env_run_herald ((fixture)->env, stdin_text, out, err, __VA_ARGS__)

static JsonArray *
list_accounts (Fixture *fixture, JsonParser *parser)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (herald (fixture, NULL, &out, &err, "account", "list", "--json", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_node_get_array (json_parser_get_root (parser));
}

static void
assert_id_shape (const char *id, const char *provider)
{
  g_autofree char *pattern = g_strdup_printf ("^%s-[0-9a-f]{8}\n$", provider);

  g_assert_true (g_regex_match_simple (pattern, id, 0, 0));
}

static void
test_version_and_help (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *help = NULL;

  g_assert_cmpint (herald (fixture, NULL, &out, NULL, "--version", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "herald " PACKAGE_VERSION "\n");
  g_assert_cmpint (herald (fixture, NULL, &help, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (help, "herald account add PROVIDER"));
  g_assert_nonnull (strstr (help, "--channel firehose|activity-feed"));
  g_assert_nonnull (strstr (help, "herald history [--json]"));
  g_assert_nonnull (strstr (help, "herald --preferences"));
}

/* The issue's own acceptance check, and where the key ends up. */
static void
test_add_pally_key_only_in_keyring (Fixture *fixture, gconstpointer data)
{
  const char *key = "pk_live_9f8e7d6c5b4a";
  const char *debug_env[] = { "G_MESSAGES_DEBUG", "all", NULL };
  const char *argv[] = { g_getenv ("HERALD_BIN"),
                         "account",
                         "add",
                         "pally",
                         "--label",
                         "Tips",
                         "--channel",
                         "firehose",
                         NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *id = NULL;
  g_autofree char *list_out = NULL;
  JsonArray *accounts;
  JsonObject *account;

  g_assert_cmpint (
    herald_test_env_run (fixture->env, argv, debug_env, "pk_live_9f8e7d6c5b4a\n", &out, &err), ==,
    0);
  assert_id_shape (out, "pally");
  id = g_strndup (out, strlen (out) - 1);
  g_assert_null (strstr (err, key));

  accounts = list_accounts (fixture, parser);
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);
  account = json_array_get_object_element (accounts, 0);
  g_assert_cmpstr (json_object_get_string_member (account, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (account, "provider"), ==, "pally");
  g_assert_cmpstr (json_object_get_string_member (account, "label"), ==, "Tips");
  g_assert_cmpstr (json_object_get_string_member (account, "endpoint"), ==,
                   "wss://events.pally.gg");
  g_assert_true (json_object_get_boolean_member (account, "enabled"));
  g_assert_cmpstr (json_object_get_string_member (account, "channel"), ==, "firehose");

  stored = herald_test_env_keyring_lookup (fixture->env, id, "api-key");
  g_assert_cmpstr (stored, ==, key);
  g_assert_false (herald_test_tree_contains (fixture->env->config_home, key));
  g_assert_false (herald_test_tree_contains (fixture->env->data_home, key));
  g_assert_false (herald_test_tree_contains (fixture->env->cache_home, key));

  /* The human listing shows the account and no key either. */
  g_assert_cmpint (herald (fixture, NULL, &list_out, NULL, "account", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (list_out, id));
  g_assert_null (strstr (list_out, key));
}

static void
test_add_every_provider (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *skinshark = NULL, *hashi = NULL, *coinvoyage = NULL, *dimes = NULL,
                  *pally = NULL;
  g_autofree char *secret = NULL;
  JsonArray *accounts;

  g_assert_cmpint (herald (fixture, "sk_live_abc\n", &skinshark, NULL, "account", "add",
                           "skinshark", "--label", "Main", "--sub-user", "user_42", NULL),
                   ==, 0);
  g_assert_cmpint (herald (fixture, "eyJ.a.b\n", &hashi, NULL, "account", "add", "hashi", "--label",
                           "Lobbies", "--lobby", "ABC123", "--lobby=XYZ789", NULL),
                   ==, 0);
  g_assert_cmpint (herald (fixture, "cv_key\ncv_secret\n", &coinvoyage, NULL, "account", "add",
                           "coinvoyage", "--label", "Shop", NULL),
                   ==, 0);
  g_assert_cmpint (herald (fixture, "eyJ.c.d\n", &dimes, NULL, "account", "add", "dimes", "--label",
                           "Bets", "--gateway", "customer", "--endpoint",
                           "https://api-sandbox.dimes.fi", NULL),
                   ==, 0);
  g_assert_cmpint (herald (fixture, "pk\n", &pally, NULL, "account", "add", "pally", "--label",
                           "Page", "--channel", "activity-feed", "--room", "my-page", "--disabled",
                           NULL),
                   ==, 0);
  assert_id_shape (skinshark, "skinshark");
  assert_id_shape (hashi, "hashi");
  assert_id_shape (coinvoyage, "coinvoyage");
  assert_id_shape (dimes, "dimes");
  assert_id_shape (pally, "pally");

  accounts = list_accounts (fixture, parser);
  g_assert_cmpuint (json_array_get_length (accounts), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);
      const char *provider = json_object_get_string_member (account, "provider");

      if (g_str_equal (provider, "skinshark"))
        g_assert_cmpstr (json_object_get_string_member (account, "sub-user"), ==, "user_42");
      else if (g_str_equal (provider, "hashi"))
        {
          JsonArray *lobbies = json_object_get_array_member (account, "lobby");

          g_assert_cmpuint (json_array_get_length (lobbies), ==, 2);
          g_assert_cmpstr (json_array_get_string_element (lobbies, 0), ==, "ABC123");
          g_assert_cmpstr (json_array_get_string_element (lobbies, 1), ==, "XYZ789");
        }
      else if (g_str_equal (provider, "coinvoyage"))
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (account, "order")),
                          ==, 0);
      else if (g_str_equal (provider, "dimes"))
        {
          g_assert_cmpstr (json_object_get_string_member (account, "gateway"), ==, "customer");
          g_assert_cmpstr (json_object_get_string_member (account, "endpoint"), ==,
                           "https://api-sandbox.dimes.fi");
        }
      else
        {
          g_assert_cmpstr (provider, ==, "pally");
          g_assert_cmpstr (json_object_get_string_member (account, "channel"), ==, "activity-feed");
          g_assert_cmpstr (json_object_get_string_member (account, "room"), ==, "my-page");
          g_assert_false (json_object_get_boolean_member (account, "enabled"));
        }
    }

  /* The customer gateway stores a token, CoinVoyage its key and its secret. */
  dimes[strlen (dimes) - 1] = '\0';
  coinvoyage[strlen (coinvoyage) - 1] = '\0';
  secret = herald_test_env_keyring_lookup (fixture->env, dimes, "token");
  g_assert_cmpstr (secret, ==, "eyJ.c.d");
  g_clear_pointer (&secret, g_free);
  secret = herald_test_env_keyring_lookup (fixture->env, coinvoyage, "api-secret");
  g_assert_cmpstr (secret, ==, "cv_secret");
  g_assert_false (herald_test_tree_contains (fixture->env->config_home, "cv_secret"));
}

typedef struct
{
  const char *name;
  const char *stdin_text;
  const char *args[12];
  const char *message_part; /* what the one error line must mention */
} BadAdd;

static const BadAdd bad_adds[] = {
  { "unknown-provider", "k\n", { "account", "add", "twitch", "--label", "x" }, "twitch" },
  { "no-provider", "k\n", { "account", "add" }, "provider" },
  { "no-label", "k\n", { "account", "add", "pally" }, "--label" },
  { "option-of-another-provider",
    "k\n",
    { "account", "add", "pally", "--label", "x", "--lobby", "A" },
    "lobby" },
  { "bad-gateway",
    "k\n",
    { "account", "add", "dimes", "--label", "x", "--gateway", "admin" },
    "admin" },
  { "room-missing",
    "k\n",
    { "account", "add", "pally", "--label", "x", "--channel", "activity-feed" },
    "room" },
  { "room-with-firehose",
    "k\n",
    { "account", "add", "pally", "--label", "x", "--room", "p" },
    "room" },
  { "insecure-endpoint",
    "k\n",
    { "account", "add", "pally", "--label", "x", "--endpoint", "ws://example.org/feed?auth=1" },
    "example.org" },
  { "plain-http-lan",
    "k\n",
    { "account", "add", "dimes", "--label", "x", "--endpoint", "http://192.168.1.20" },
    "192.168.1.20" },
  { "ftp-endpoint",
    "k\n",
    { "account", "add", "hashi", "--label", "x", "--endpoint", "ftp://x.org" },
    "ftp" },
  { "sub-user-missing", "k\n", { "account", "add", "skinshark", "--label", "x" }, "sub-user" },
  { "option-without-value",
    "k\n",
    { "account", "add", "skinshark", "--label", "x", "--sub-user" },
    "sub-user" },
  { "no-key-on-stdin", "", { "account", "add", "pally", "--label", "x" }, "API key" },
  { "key-with-spaces", "two words\n", { "account", "add", "pally", "--label", "x" }, "API key" },
  { "organization-without-secret",
    "key-only\n",
    { "account", "add", "coinvoyage", "--label", "x" },
    "secret" },
  { "empty-label", "k\n", { "account", "add", "pally", "--label", "  " }, "abel" },
};

static void
test_bad_add (Fixture *fixture, gconstpointer data)
{
  const BadAdd *bad = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *listing = NULL;
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (bad_adds); i++)
    if (g_str_has_suffix (g_test_get_path (), bad_adds[i].name))
      bad = &bad_adds[i];
  g_assert_nonnull (bad);

  g_ptr_array_add (argv, (gpointer)g_getenv ("HERALD_BIN"));
  for (guint i = 0; bad->args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)bad->args[i]);
  g_ptr_array_add (argv, NULL);

  status = herald_test_env_run (fixture->env, (const char *const *)argv->pdata, NULL,
                                bad->stdin_text, &out, &err);
  g_assert_cmpint (status, !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (herald_test_count_lines (err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "herald: "));
  g_assert_nonnull (strstr (err, bad->message_part));
  /* The query string of a refused endpoint may carry a key: never echoed. */
  g_assert_null (strstr (err, "auth=1"));

  /* Nothing half-written: no accounts file, nothing in the keyring. */
  g_assert_false (g_file_test (fixture->accounts_path, G_FILE_TEST_EXISTS));
  herald_test_env_run (fixture->env,
                       (const char *[]){ "secret-tool", "search", "--all", "xdg:schema",
                                         "io.github.heraldapp.Herald.Credential", NULL },
                       NULL, NULL, &listing, NULL);
  g_assert_cmpstr (listing, ==, "");
}

static void
test_no_keyring (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (herald (fixture, "pk_live_nokeyring\n", &out, &err, "account", "add", "pally",
                           "--label", "Tips", NULL),
                   ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (herald_test_count_lines (err), ==, 1);
  g_assert_nonnull (strstr (err, "keyring"));
  g_assert_null (strstr (err, "pk_live_nokeyring"));
  g_assert_false (g_file_test (fixture->accounts_path, G_FILE_TEST_EXISTS));
  g_assert_false (herald_test_tree_contains (fixture->env->root, "pk_live_nokeyring"));
}

static void
test_remove (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *first = NULL, *second = NULL, *err = NULL, *secret = NULL;

  g_assert_cmpint (
    herald (fixture, "key-one\n", &first, NULL, "account", "add", "pally", "--label", "One", NULL),
    ==, 0);
  g_assert_cmpint (
    herald (fixture, "key-two\n", &second, NULL, "account", "add", "pally", "--label", "Two", NULL),
    ==, 0);
  first[strlen (first) - 1] = '\0';
  second[strlen (second) - 1] = '\0';

  g_assert_cmpint (herald (fixture, NULL, NULL, NULL, "account", "remove", first, NULL), ==, 0);
  g_assert_null (herald_test_env_keyring_lookup (fixture->env, first, "api-key"));
  secret = herald_test_env_keyring_lookup (fixture->env, second, "api-key");
  g_assert_cmpstr (secret, ==, "key-two");
  g_assert_cmpuint (json_array_get_length (list_accounts (fixture, parser)), ==, 1);

  g_assert_cmpint (herald (fixture, NULL, NULL, &err, "account", "remove", "pally-00000000", NULL),
                   !=, 0);
  g_assert_cmpuint (herald_test_count_lines (err), ==, 1);
  g_assert_nonnull (strstr (err, "pally-00000000"));
}

static void
test_corrupt_accounts_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (fixture->accounts_path);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GDir) listing = NULL;
  const char *name;
  gboolean moved = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (fixture->accounts_path,
                                      "[Account x\nthis is not = an ini [file", -1, NULL));
  g_assert_cmpint (herald (fixture, NULL, &out, &err, "account", "list", "--json", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[]\n");
  g_assert_nonnull (strstr (err, "moved"));

  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "accounts.ini.corrupt-"))
      moved = TRUE;
  g_assert_true (moved);
}

static void
add_event (HeraldHistory *history, const char *account, const char *id, gint64 occurred,
           HeraldSeverity severity, const char *title)
{
  g_autoptr (HeraldEvent) event = herald_event_new (account, "pally", "campaigntip.notify", id);

  herald_event_set_category (event, HERALD_CATEGORY_TIP);
  herald_event_set_severity (event, severity);
  herald_event_set_title (event, title);
  herald_event_set_body (event, "Thanks for the stream");
  herald_event_set_occurred (event, occurred);
  herald_event_set_raw (event, "{\"type\":\"campaigntip.notify\"}", -1);
  herald_history_add (history, event, NULL, NULL);
}

static void
test_history_json (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->env->data_home, "herald", "history.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *limited = NULL;
  g_autofree char *only_b = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  HeraldHistory *history;
  const gint64 t0 = G_GINT64_CONSTANT (1710352953000000); /* 2024-03-13T18:02:33Z */

  /* Nothing stored yet: nothing printed, and no database created by reading. */
  g_assert_cmpint (herald (fixture, NULL, &out, NULL, "history", "--json", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);

  history = herald_history_open (path, &error);
  g_assert_no_error (error);
  add_event (history, "acc-a", "tip-1", t0, HERALD_SEVERITY_INFO, "Tip from Ann");
  add_event (history, "acc-b", "tip-2", t0 + 2 * G_USEC_PER_SEC, HERALD_SEVERITY_WARNING,
             "Tip from Bob");
  add_event (history, "acc-a", "tip-3", t0 + G_USEC_PER_SEC, HERALD_SEVERITY_CRITICAL,
             "Tip from <Cy>");
  herald_history_flush (history);
  g_object_unref (history);

  g_assert_cmpint (herald (fixture, NULL, &out, &err, "history", "--json", NULL), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4); /* three lines and the empty rest */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *object;
      static const char *const ids[] = { "tip-2", "tip-3", "tip-1" };
      static const char *const times[]
        = { "2024-03-13T18:02:35Z", "2024-03-13T18:02:34Z", "2024-03-13T18:02:33Z" };
      static const char *const severities[] = { "warning", "critical", "info" };

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, ids[i]);
      g_assert_cmpstr (json_object_get_string_member (object, "provider"), ==, "pally");
      g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "campaigntip.notify");
      g_assert_cmpstr (json_object_get_string_member (object, "body"), ==, "Thanks for the stream");
      g_assert_cmpstr (json_object_get_string_member (object, "time"), ==, times[i]);
      g_assert_cmpstr (json_object_get_string_member (object, "severity"), ==, severities[i]);
      g_assert_true (json_object_has_member (object, "account"));
      g_assert_true (json_object_has_member (object, "title"));
    }
  g_assert_nonnull (strstr (lines[1], "\"title\":\"Tip from <Cy>\""));

  g_assert_cmpint (
    herald (fixture, NULL, &limited, NULL, "history", "--json", "--limit", "1", NULL), ==, 0);
  g_assert_cmpuint (herald_test_count_lines (limited), ==, 1);
  g_assert_nonnull (strstr (limited, "\"tip-2\""));
  g_assert_cmpint (
    herald (fixture, NULL, &only_b, NULL, "history", "--json", "--account", "acc-a", NULL), ==, 0);
  g_assert_cmpuint (herald_test_count_lines (only_b), ==, 2);
  g_assert_null (strstr (only_b, "acc-b"));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (herald (fixture, NULL, NULL, &err, "history", "--limit", "0", NULL), ==, 2);
  g_assert_cmpuint (herald_test_count_lines (err), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (herald (fixture, NULL, NULL, &err, "history", "--category", "memes", NULL), ==,
                   2);
  g_assert_nonnull (strstr (err, "memes"));
}

static void
test_history_damaged (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (fixture->env->data_home, "herald", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (
    g_file_set_contents (path, "definitely not an SQLite database, just text", -1, NULL));
  g_assert_cmpint (herald (fixture, NULL, &out, &err, "history", "--json", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "damaged"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/version-and-help", Fixture, NULL, setup, test_version_and_help, teardown);
  g_test_add ("/cli/account/add-pally-key-only-in-keyring", Fixture, GINT_TO_POINTER (TRUE), setup,
              test_add_pally_key_only_in_keyring, teardown);
  g_test_add ("/cli/account/add-every-provider", Fixture, GINT_TO_POINTER (TRUE), setup,
              test_add_every_provider, teardown);
  for (guint i = 0; i < G_N_ELEMENTS (bad_adds); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/account/bad-add/%s", bad_adds[i].name);

      g_test_add (path, Fixture, GINT_TO_POINTER (TRUE), setup, test_bad_add, teardown);
    }
  g_test_add ("/cli/account/no-keyring", Fixture, GINT_TO_POINTER (FALSE), setup, test_no_keyring,
              teardown);
  g_test_add ("/cli/account/remove", Fixture, GINT_TO_POINTER (TRUE), setup, test_remove, teardown);
  g_test_add ("/cli/account/corrupt-file", Fixture, GINT_TO_POINTER (FALSE), setup,
              test_corrupt_accounts_file, teardown);
  g_test_add ("/cli/history/json", Fixture, GINT_TO_POINTER (FALSE), setup, test_history_json,
              teardown);
  g_test_add ("/cli/history/damaged", Fixture, GINT_TO_POINTER (FALSE), setup, test_history_damaged,
              teardown);
  return g_test_run ();
}
