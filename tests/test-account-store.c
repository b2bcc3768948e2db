/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-account-store.c — accounts.ini through HeraldAccountStore: round trips, what survives a
 * save, failures that must leave the file alone, damaged files, permissions and watching. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "herald-account-store.h"
#include "herald-test-env.h"

#define STORE_DOMAIN "herald-account-store"

typedef struct
{
  char *dir;
  char *config_dir; /* dir/config/herald: created by the store */
  char *path;
} Fixture;

typedef struct
{
  guint added;
  guint removed;
  guint changed;
  guint items_changed;
  GString *log;
} Recorder;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("herald-account-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->config_dir = g_build_filename (fixture->dir, "config", "herald", NULL);
  fixture->path = g_build_filename (fixture->config_dir, "accounts.ini", NULL);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  herald_test_remove_tree (fixture->dir);
  g_assert_false (g_file_test (fixture->dir, G_FILE_TEST_EXISTS));
  g_free (fixture->path);
  g_free (fixture->config_dir);
  g_free (fixture->dir);
}

static void
write_file (const char *path, const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize length = 0;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, length);
}

static GKeyFile *
read_key_file (const char *path)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  g_key_file_load_from_file (key_file, path,
                             G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&key_file);
}

static void
assert_key (GKeyFile *key_file, const char *group, const char *key, const char *expected)
{
  g_autofree char *value = g_key_file_get_string (key_file, group, key, NULL);

  g_assert_cmpstr (value, ==, expected);
}

static void
account_added_cb (HeraldAccountStore *store, HeraldAccount *account, Recorder *recorder)
{
  recorder->added++;
  g_string_append_printf (recorder->log, "+%s ", herald_account_get_id (account));
  /* The list already holds what the signal announces. */
  g_assert_true (herald_account_store_lookup (store, herald_account_get_id (account)) == account);
}

static void
account_removed_cb (HeraldAccountStore *store, HeraldAccount *account, Recorder *recorder)
{
  recorder->removed++;
  g_string_append_printf (recorder->log, "-%s ", herald_account_get_id (account));
  g_assert_null (herald_account_store_lookup (store, herald_account_get_id (account)));
}

static void
account_changed_cb (HeraldAccountStore *store, HeraldAccount *account, Recorder *recorder)
{
  recorder->changed++;
  g_string_append_printf (recorder->log, "~%s ", herald_account_get_id (account));
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, Recorder *recorder)
{
  recorder->items_changed++;
  g_string_append_printf (recorder->log, "@%u-%u+%u ", position, removed, added);
}

static void
recorder_attach (Recorder *recorder, HeraldAccountStore *store)
{
  memset (recorder, 0, sizeof *recorder);
  recorder->log = g_string_new (NULL);
  g_signal_connect (store, "account-added", G_CALLBACK (account_added_cb), recorder);
  g_signal_connect (store, "account-removed", G_CALLBACK (account_removed_cb), recorder);
  g_signal_connect (store, "account-changed", G_CALLBACK (account_changed_cb), recorder);
  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), recorder);
}

static void
recorder_clear (Recorder *recorder)
{
  g_string_free (recorder->log, TRUE);
}

static HeraldAccount *
new_account (HeraldProviderKind provider, const char *id, const char *label)
{
  HeraldAccount *account = herald_account_new (provider, id);

  herald_account_set_label (account, label);
  if (provider == HERALD_PROVIDER_SKINSHARK)
    herald_account_add_option_value (account, "sub-user", "sub-1");
  return account;
}

static void
add_ok (HeraldAccountStore *store, HeraldAccount *account)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (herald_account_store_add (store, account, &error));
  g_assert_no_error (error);
}

static HeraldAccountStore *
load_store (const char *path)
{
  g_autoptr (HeraldAccountStore) store = herald_account_store_new (path);
  g_autoptr (GError) error = NULL;

  g_assert_true (herald_account_store_load (store, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until *counter reaches target; a missing signal fails, not hangs. */
static void
wait_for (const guint *counter, guint target)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (10, flag_cb, &timed_out);

  while (*counter < target && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out waiting for the store to notice the change");
  g_source_remove (source);
}

/* Gives late or duplicate signals the chance to arrive. */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_missing_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = load_store (fixture->path);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == HERALD_TYPE_ACCOUNT);
  g_assert_null (herald_account_store_get_moved_aside_path (store));
  g_assert_null (herald_account_store_lookup (store, "anything"));
  /* Loading writes nothing. */
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

static void
test_default_path (void)
{
  g_autofree char *expected
    = g_build_filename (g_get_user_config_dir (), "herald", "accounts.ini", NULL);
  g_autofree char *path = herald_account_store_default_path ();
  g_autoptr (HeraldAccountStore) store = herald_account_store_new (NULL);

  g_assert_cmpstr (path, ==, expected);
  g_assert_cmpstr (herald_account_store_get_path (store), ==, expected);
}

static GPtrArray *
every_kind_of_account (void)
{
  GPtrArray *accounts = g_ptr_array_new_with_free_func (g_object_unref);
  HeraldAccount *account;

  account = herald_account_new (HERALD_PROVIDER_SKINSHARK, "ss-1");
  /* Characters that mean something in a key file must come back as they were. */
  herald_account_set_label (account, "Trades; #1 = [main] Ünïcødé \\ ✓");
  herald_account_add_option_value (account, "sub-user", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  herald_account_set_endpoint (account, "https://staging.skinshark.gg");
  herald_account_set_enabled (account, FALSE);
  g_ptr_array_add (accounts, account);

  account = herald_account_new (HERALD_PROVIDER_HASHI, "hashi-1");
  herald_account_set_label (account, "Lobbies");
  herald_account_add_option_value (account, "lobby", "lob;1");
  herald_account_add_option_value (account, "lobby", "lob2");
  herald_account_add_option_value (account, "lobby", "lob\\3");
  g_ptr_array_add (accounts, account);

  account = herald_account_new (HERALD_PROVIDER_COINVOYAGE, "cv-org");
  herald_account_set_label (account, "Whole organization");
  g_ptr_array_add (accounts, account);

  account = herald_account_new (HERALD_PROVIDER_COINVOYAGE, "cv-orders");
  herald_account_set_label (account, "Two orders");
  herald_account_add_option_value (account, "order", "ord_1");
  herald_account_add_option_value (account, "order", "ord_2");
  g_ptr_array_add (accounts, account);

  account = herald_account_new (HERALD_PROVIDER_DIMES, "dimes-c");
  herald_account_set_label (account, "My wallet");
  herald_account_add_option_value (account, "gateway", "customer");
  herald_account_set_endpoint (account, "http://127.0.0.1:8080");
  g_ptr_array_add (accounts, account);

  account = herald_account_new (HERALD_PROVIDER_DIMES, "dimes-p");
  herald_account_set_label (account, "Partner");
  herald_account_add_option_value (account, "gateway", "partner");
  g_ptr_array_add (accounts, account);

  account = herald_account_new (HERALD_PROVIDER_PALLY, "pally-room");
  herald_account_set_label (account, "One page");
  herald_account_add_option_value (account, "channel", "activity-feed");
  herald_account_add_option_value (account, "room", "my-page");
  g_ptr_array_add (accounts, account);

  account = herald_account_new (HERALD_PROVIDER_PALLY, NULL);
  herald_account_set_label (account, "Firehose");
  g_ptr_array_add (accounts, account);

  return accounts;
}

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = load_store (fixture->path);
  g_autoptr (HeraldAccountStore) reloaded = NULL;
  g_autoptr (GPtrArray) accounts = every_kind_of_account ();
  g_autoptr (GString) expected_log = g_string_new (NULL);
  Recorder recorder;
  GStatBuf st;

  recorder_attach (&recorder, store);
  for (guint i = 0; i < accounts->len; i++)
    {
      HeraldAccount *account = g_ptr_array_index (accounts, i);

      add_ok (store, account);
      g_assert_true (herald_account_store_lookup (store, herald_account_get_id (account))
                     == account);
      g_string_append_printf (expected_log, "@%u-0+1 +%s ", i, herald_account_get_id (account));
    }
  g_assert_cmpstr (recorder.log->str, ==, expected_log->str);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, accounts->len);

  /* Private: owner-only file in owner-only folders. */
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (fixture->config_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  reloaded = load_store (fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, accounts->len);
  for (guint i = 0; i < accounts->len; i++)
    {
      HeraldAccount *original = g_ptr_array_index (accounts, i);
      g_autoptr (HeraldAccount) item = g_list_model_get_item (G_LIST_MODEL (reloaded), i);

      g_assert_true (herald_account_equal (original, item));
      g_assert_true (herald_account_equal (
        original, herald_account_store_lookup (reloaded, herald_account_get_id (original))));
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (reloaded), accounts->len));

  recorder_clear (&recorder);
}

static void
test_file_format (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = load_store (fixture->path);
  g_autoptr (GPtrArray) accounts = every_kind_of_account ();
  g_autoptr (GKeyFile) key_file = NULL;
  g_auto (GStrv) lobbies = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < accounts->len; i++)
    add_ok (store, g_ptr_array_index (accounts, i));

  key_file = read_key_file (fixture->path);
  assert_key (key_file, "Account ss-1", "provider", "skinshark");
  assert_key (key_file, "Account ss-1", "sub-user", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  assert_key (key_file, "Account ss-1", "endpoint", "https://staging.skinshark.gg");
  g_assert_false (g_key_file_get_boolean (key_file, "Account ss-1", "enabled", NULL));
  g_assert_true (g_key_file_get_boolean (key_file, "Account pally-room", "enabled", NULL));
  /* A default endpoint is not frozen into the file. */
  g_assert_false (g_key_file_has_key (key_file, "Account pally-room", "endpoint", NULL));
  lobbies = g_key_file_get_string_list (key_file, "Account hashi-1", "lobby", NULL, NULL);
  g_assert_cmpstrv (lobbies, ((const char *const[]){ "lob;1", "lob2", "lob\\3", NULL }));
  g_assert_false (g_key_file_has_key (key_file, "Account cv-org", "order", NULL));

  /* No credential field of any provider ever appears. */
  text = g_key_file_to_data (key_file, NULL, NULL);
  g_assert_null (strstr (text, "api-key"));
  g_assert_null (strstr (text, "token"));
  g_assert_null (strstr (text, "secret"));
}

static const char preserved_file[] = "# Herald accounts, edited by hand\n"
                                     "[General]\n"
                                     "future-setting=42\n"
                                     "\n"
                                     "# my main account\n"
                                     "[Account pally-main]\n"
                                     "provider=pally\n"
                                     "label=Main\n"
                                     "# a key from a newer Herald\n"
                                     "x-future-key=keep me\n"
                                     "label[de]=Haupt\n"
                                     "channel=firehose\n"
                                     "\n"
                                     "[Account future-1]\n"
                                     "provider=newfeed\n"
                                     "label=From the future\n"
                                     "colour=teal\n"
                                     "\n"
                                     "[Account bad-values]\n"
                                     "provider=pally\n"
                                     "label=Broken\n"
                                     "enabled=maybe\n";

static void
test_preserves_unknown (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = herald_account_store_new (fixture->path);
  g_autoptr (HeraldAccount) added = new_account (HERALD_PROVIDER_HASHI, "h1", "Lobbies");
  g_autoptr (HeraldAccount) clash = new_account (HERALD_PROVIDER_PALLY, "future-1", "Clash");
  g_autoptr (GKeyFile) key_file = NULL;
  g_autoptr (GBytes) saved = NULL;
  g_autoptr (GError) error = NULL;
  HeraldAccount *main_account;
  const char *text;
  gsize length;

  write_file (fixture->path, preserved_file);

  /* Groups Herald cannot use are named in a warning and skipped. */
  g_test_expect_message (STORE_DOMAIN, G_LOG_LEVEL_WARNING, "*[Account future-1]*newfeed*");
  g_test_expect_message (STORE_DOMAIN, G_LOG_LEVEL_WARNING, "*[Account bad-values]*");
  g_assert_true (herald_account_store_load (store, &error));
  g_assert_no_error (error);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  main_account = herald_account_store_lookup (store, "pally-main");
  g_assert_nonnull (main_account);
  g_assert_null (herald_account_store_lookup (store, "future-1"));

  herald_account_set_label (main_account, "Renamed");
  g_assert_true (herald_account_store_update (store, main_account, &error));
  g_assert_no_error (error);
  add_ok (store, added);

  /* The skipped group's id is taken: a new account must not overwrite it. */
  g_assert_false (herald_account_store_add (store, clash, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_false (herald_account_store_remove (store, "future-1", &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  saved = read_bytes (fixture->path);
  text = g_bytes_get_data (saved, &length);
  g_assert_nonnull (g_strstr_len (text, length, "# Herald accounts, edited by hand"));
  g_assert_nonnull (g_strstr_len (text, length, "# my main account"));
  g_assert_nonnull (g_strstr_len (text, length, "# a key from a newer Herald"));

  key_file = read_key_file (fixture->path);
  assert_key (key_file, "General", "future-setting", "42");
  assert_key (key_file, "Account pally-main", "label", "Renamed");
  assert_key (key_file, "Account pally-main", "x-future-key", "keep me");
  assert_key (key_file, "Account pally-main", "label[de]", "Haupt");
  assert_key (key_file, "Account future-1", "provider", "newfeed");
  assert_key (key_file, "Account future-1", "label", "From the future");
  assert_key (key_file, "Account future-1", "colour", "teal");
  assert_key (key_file, "Account bad-values", "enabled", "maybe");
  assert_key (key_file, "Account h1", "provider", "hashi");
}

static void
test_remove (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = load_store (fixture->path);
  g_autoptr (HeraldAccountStore) reloaded = NULL;
  g_autoptr (HeraldAccount) first = new_account (HERALD_PROVIDER_PALLY, "p1", "First");
  g_autoptr (HeraldAccount) second = new_account (HERALD_PROVIDER_DIMES, "d1", "Second");
  g_autoptr (GBytes) before = NULL;
  g_autoptr (GBytes) after = NULL;
  g_autoptr (GError) error = NULL;
  Recorder recorder;

  add_ok (store, first);
  add_ok (store, second);
  recorder_attach (&recorder, store);

  g_assert_true (herald_account_store_remove (store, "p1", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (recorder.log->str, ==, "@0-1+0 -p1 ");
  g_assert_null (herald_account_store_lookup (store, "p1"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  reloaded = load_store (fixture->path);
  g_assert_null (herald_account_store_lookup (reloaded, "p1"));
  g_assert_true (herald_account_equal (herald_account_store_lookup (reloaded, "d1"), second));

  before = read_bytes (fixture->path);
  g_assert_false (herald_account_store_remove (store, "p1", &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "p1"));
  g_clear_error (&error);
  g_assert_false (herald_account_store_remove (store, "no such\nid", &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_NOT_FOUND);
  g_assert_null (strchr (error->message, '\n'));
  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpstr (recorder.log->str, ==, "@0-1+0 -p1 ");

  recorder_clear (&recorder);
}

static void
test_failed_add (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = load_store (fixture->path);
  g_autoptr (HeraldAccount) good = new_account (HERALD_PROVIDER_PALLY, "p1", "Tips");
  g_autoptr (HeraldAccount) no_label = new_account (HERALD_PROVIDER_PALLY, "p2", "  ");
  g_autoptr (HeraldAccount) same_id = new_account (HERALD_PROVIDER_HASHI, "p1", "Lobbies");
  g_autoptr (HeraldAccount) bad_option = new_account (HERALD_PROVIDER_PALLY, "p3", "Tips");
  g_autoptr (HeraldAccount) insecure = new_account (HERALD_PROVIDER_HASHI, "h1", "Lobbies");
  g_autoptr (HeraldAccount) unwritable = new_account (HERALD_PROVIDER_HASHI, "h2", "Lobbies");
  g_autoptr (GBytes) before = NULL;
  g_autoptr (GError) error = NULL;
  Recorder recorder;
  const struct
  {
    HeraldAccount *account;
    int code;
  } cases[] = {
    { no_label, HERALD_ACCOUNT_ERROR_INVALID_LABEL },
    { same_id, HERALD_ACCOUNT_ERROR_DUPLICATE },
    { bad_option, HERALD_ACCOUNT_ERROR_UNKNOWN_OPTION },
    { insecure, HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT },
  };

  herald_account_add_option_value (bad_option, "lobby", "l1");
  herald_account_set_endpoint (insecure, "ws://socket.dev.hashi.gg");

  add_ok (store, good);
  before = read_bytes (fixture->path);
  recorder_attach (&recorder, store);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) after = NULL;

      g_assert_false (herald_account_store_add (store, cases[i].account, &error));
      g_assert_error (error, HERALD_ACCOUNT_ERROR, cases[i].code);
      g_clear_error (&error);

      after = read_bytes (fixture->path);
      g_assert_true (g_bytes_equal (before, after));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
      g_assert_true (herald_account_store_lookup (store, "p1") == good);
    }

  /* A write that fails leaves memory as it was too. Root writes anyway: skip that part. */
  if (geteuid () != 0)
    {
      g_autoptr (GBytes) after = NULL;

      g_assert_cmpint (g_chmod (fixture->config_dir, 0500), ==, 0);
      g_assert_false (herald_account_store_add (store, unwritable, &error));
      g_assert_cmpint (g_chmod (fixture->config_dir, 0700), ==, 0);
      g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED);
      g_clear_error (&error);
      g_assert_null (herald_account_store_lookup (store, "h2"));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
      after = read_bytes (fixture->path);
      g_assert_true (g_bytes_equal (before, after));
    }

  g_assert_cmpstr (recorder.log->str, ==, "");
  recorder_clear (&recorder);
}

static void
test_update (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = load_store (fixture->path);
  g_autoptr (HeraldAccountStore) reloaded = NULL;
  g_autoptr (HeraldAccount) stored = new_account (HERALD_PROVIDER_PALLY, "p1", "Tips");
  g_autoptr (HeraldAccount) edited = NULL;
  g_autoptr (HeraldAccount) broken = NULL;
  g_autoptr (HeraldAccount) ghost = new_account (HERALD_PROVIDER_PALLY, "ghost", "Ghost");
  g_autoptr (HeraldAccount) other_provider = new_account (HERALD_PROVIDER_HASHI, "p1", "Tips");
  g_autoptr (GKeyFile) key_file = NULL;
  g_autoptr (GBytes) before = NULL;
  g_autoptr (GBytes) after = NULL;
  g_autoptr (GError) error = NULL;
  Recorder recorder;

  add_ok (store, stored);
  recorder_attach (&recorder, store);

  /* Edit a copy, then save it: the stored object takes the new values. */
  edited = herald_account_copy (stored);
  herald_account_set_label (edited, "One page");
  herald_account_add_option_value (edited, "channel", "activity-feed");
  herald_account_add_option_value (edited, "room", "my-page");
  g_assert_true (herald_account_store_update (store, edited, &error));
  g_assert_no_error (error);
  g_assert_true (herald_account_equal (stored, edited));
  g_assert_cmpstr (recorder.log->str, ==, "~p1 ");

  reloaded = load_store (fixture->path);
  g_assert_true (herald_account_equal (herald_account_store_lookup (reloaded, "p1"), edited));

  /* Edit the stored object itself, then save it. */
  herald_account_set_enabled (stored, FALSE);
  g_assert_true (herald_account_store_update (store, stored, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (recorder.log->str, ==, "~p1 ~p1 ");
  key_file = read_key_file (fixture->path);
  g_assert_false (g_key_file_get_boolean (key_file, "Account p1", "enabled", NULL));

  /* Saving what is already saved is no change. */
  g_assert_true (herald_account_store_update (store, stored, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recorder.changed, ==, 2);

  /* A refused edit changes neither the file nor the stored account. */
  before = read_bytes (fixture->path);
  broken = herald_account_copy (stored);
  herald_account_set_option_values (broken, "room", NULL);
  g_assert_false (herald_account_store_update (store, broken, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_MISSING_OPTION);
  g_clear_error (&error);
  g_assert_cmpstr (herald_account_get_option (stored, "room"), ==, "my-page");

  g_assert_false (herald_account_store_update (store, ghost, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (herald_account_store_update (store, other_provider, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED);
  g_clear_error (&error);

  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpuint (recorder.changed, ==, 2);
  g_assert_cmpuint (recorder.added + recorder.removed, ==, 0);

  recorder_clear (&recorder);
}

/* The command line adds an account while the tray application holds the file: neither
 * save may lose the other's account. */
static void
test_external_changes_kept (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) app = load_store (fixture->path);
  g_autoptr (HeraldAccountStore) cli = NULL;
  g_autoptr (HeraldAccountStore) reloaded = NULL;
  g_autoptr (HeraldAccount) mine = new_account (HERALD_PROVIDER_PALLY, "p1", "Tips");
  g_autoptr (HeraldAccount) theirs = new_account (HERALD_PROVIDER_HASHI, "h1", "Lobbies");
  g_autoptr (HeraldAccount) later = new_account (HERALD_PROVIDER_DIMES, "d1", "Positions");
  g_autoptr (GError) error = NULL;
  Recorder recorder;

  add_ok (app, mine);
  recorder_attach (&recorder, app);

  cli = load_store (fixture->path);
  add_ok (cli, theirs);

  add_ok (app, later);
  g_assert_cmpstr (recorder.log->str, ==, "@1-0+1 +h1 @2-0+1 +d1 ");

  reloaded = load_store (fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 3);

  /* An account removed elsewhere cannot be saved back by accident. */
  g_assert_true (herald_account_store_remove (cli, "p1", &error));
  herald_account_set_label (mine, "Still here?");
  g_assert_false (herald_account_store_update (app, mine, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_NOT_FOUND);
  g_assert_cmpstr (recorder.log->str, ==, "@1-0+1 +h1 @2-0+1 +d1 @0-1+0 -p1 ");

  recorder_clear (&recorder);
}

static void
assert_bytes_at (const char *path, const char *expected, gsize length)
{
  g_autoptr (GBytes) bytes = read_bytes (path);

  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, length);
}

static void
test_corrupt_moved_aside (Fixture *fixture, gconstpointer data)
{
  static const char corrupt[] = "[Account p1\nprovider=pally\ngarbage\x01\xff\n";
  static const char corrupt2[] = "label=before any group\n";
  g_autoptr (HeraldAccountStore) store = herald_account_store_new (fixture->path);
  g_autoptr (HeraldAccountStore) second = herald_account_store_new (fixture->path);
  g_autoptr (HeraldAccount) fresh = new_account (HERALD_PROVIDER_PALLY, "p1", "Tips");
  g_autoptr (GError) error = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *escaped = g_regex_escape_string (fixture->path, -1);
  const char *moved;
  const char *moved2;

  write_file (fixture->path, "");
  g_assert_true (g_file_set_contents (fixture->path, corrupt, sizeof corrupt - 1, NULL));

  g_test_expect_message (STORE_DOMAIN, G_LOG_LEVEL_WARNING, "*not a valid key file*");
  g_assert_true (herald_account_store_load (store, &error));
  g_assert_no_error (error);
  g_test_assert_expected_messages ();

  moved = herald_account_store_get_moved_aside_path (store);
  g_assert_nonnull (moved);
  pattern = g_strdup_printf ("^%s\\.corrupt-[0-9]{8}-[0-9]{6}$", escaped);
  g_assert_true (g_regex_match_simple (pattern, moved, 0, 0));
  assert_bytes_at (moved, corrupt, sizeof corrupt - 1);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  /* A second damaged file in the same second must not replace the first copy. */
  write_file (fixture->path, corrupt2);
  g_test_expect_message (STORE_DOMAIN, G_LOG_LEVEL_WARNING, "*not a valid key file*");
  g_assert_true (herald_account_store_load (second, &error));
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  moved2 = herald_account_store_get_moved_aside_path (second);
  g_assert_nonnull (moved2);
  g_assert_cmpstr (moved, !=, moved2);
  assert_bytes_at (moved, corrupt, sizeof corrupt - 1);
  assert_bytes_at (moved2, corrupt2, sizeof corrupt2 - 1);

  /* The store works on from empty. */
  add_ok (store, fresh);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));
  assert_bytes_at (moved, corrupt, sizeof corrupt - 1);
}

static void
test_unreadable (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = herald_account_store_new (fixture->path);
  g_autoptr (HeraldAccount) account = new_account (HERALD_PROVIDER_PALLY, "p2", "Tips");
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  static const char contents[] = "[Account p1]\nprovider=pally\nlabel=Tips\n";

  if (geteuid () == 0)
    {
      g_test_skip ("root reads files whatever their mode");
      return;
    }

  write_file (fixture->path, contents);
  g_assert_cmpint (g_chmod (fixture->path, 0000), ==, 0);

  g_assert_false (herald_account_store_load (store, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED);
  g_clear_error (&error);
  /* Nor may a save write over the file it could not read. */
  g_assert_false (herald_account_store_add (store, account, &error));
  g_assert_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (fixture->path, 0600), ==, 0);
  g_assert_null (herald_account_store_get_moved_aside_path (store));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  assert_bytes_at (fixture->path, contents, sizeof contents - 1);
  dir = g_dir_open (fixture->config_dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "accounts.ini");
  g_assert_null (g_dir_read_name (dir));
}

static const char watch_one[] = "[Account ext-1]\nprovider=pally\nlabel=One\n";
static const char watch_one_noise[] = "# only a comment and an unknown key differ\n"
                                      "[Account ext-1]\nprovider=pally\nlabel=One\nx-new=1\n";
static const char watch_renamed[] = "[Account ext-1]\nprovider=pally\nlabel=Renamed\n";
static const char watch_swapped[]
  = "[Account ext-2]\nprovider=hashi\nlabel=Lobbies\nlobby=l1;l2;\n";

static void
test_watch (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldAccountStore) store = load_store (fixture->path);
  g_autoptr (HeraldAccount) own = new_account (HERALD_PROVIDER_DIMES, "d1", "Positions");
  HeraldAccount *ext;
  Recorder recorder;

  /* The folder exists, the file not yet: the first write creates it. */
  g_assert_cmpint (g_mkdir_with_parents (fixture->config_dir, 0700), ==, 0);
  recorder_attach (&recorder, store);
  herald_account_store_watch (store);
  herald_account_store_watch (store);

  write_file (fixture->path, watch_one);
  wait_for (&recorder.added, 1);
  spin (400);
  g_assert_cmpstr (recorder.log->str, ==, "@0-0+1 +ext-1 ");
  ext = herald_account_store_lookup (store, "ext-1");
  g_assert_cmpstr (herald_account_get_label (ext), ==, "One");

  /* Nothing an account is made of changed: no signal. */
  write_file (fixture->path, watch_one_noise);
  spin (600);
  g_assert_cmpstr (recorder.log->str, ==, "@0-0+1 +ext-1 ");

  write_file (fixture->path, watch_renamed);
  wait_for (&recorder.changed, 1);
  spin (400);
  g_assert_cmpstr (recorder.log->str, ==, "@0-0+1 +ext-1 ~ext-1 ");
  /* The same object, so whoever holds it sees the change. */
  g_assert_true (herald_account_store_lookup (store, "ext-1") == ext);
  g_assert_cmpstr (herald_account_get_label (ext), ==, "Renamed");

  write_file (fixture->path, watch_swapped);
  wait_for (&recorder.added, 2);
  spin (400);
  g_assert_cmpstr (recorder.log->str, ==, "@0-0+1 +ext-1 ~ext-1 @0-1+0 -ext-1 @0-0+1 +ext-2 ");
  g_assert_cmpstrv (
    herald_account_get_option_values (herald_account_store_lookup (store, "ext-2"), "lobby"),
    ((const char *const[]){ "l1", "l2", NULL }));

  /* Our own save is not reported a second time when the monitor sees it. */
  add_ok (store, own);
  spin (600);
  g_assert_cmpstr (recorder.log->str, ==,
                   "@0-0+1 +ext-1 ~ext-1 @0-1+0 -ext-1 @0-0+1 +ext-2 @1-0+1 +d1 ");

  /* A half-written file is not taken for an empty one: the accounts stay. */
  g_test_expect_message (STORE_DOMAIN, G_LOG_LEVEL_WARNING, "*not a valid key file*");
  write_file (fixture->path, "[Account ext-2\nprovider=");
  spin (600);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_null (herald_account_store_get_moved_aside_path (store));
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));

  recorder_clear (&recorder);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/account-store/default-path", test_default_path);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/account-store/missing-file", test_missing_file);
  ADD ("/account-store/round-trip", test_round_trip);
  ADD ("/account-store/file-format", test_file_format);
  ADD ("/account-store/preserves-unknown", test_preserves_unknown);
  ADD ("/account-store/remove", test_remove);
  ADD ("/account-store/failed-add", test_failed_add);
  ADD ("/account-store/update", test_update);
  ADD ("/account-store/external-changes-kept", test_external_changes_kept);
  ADD ("/account-store/corrupt-moved-aside", test_corrupt_moved_aside);
  ADD ("/account-store/unreadable", test_unreadable);
  ADD ("/account-store/watch", test_watch);
#undef ADD

  return g_test_run ();
}
