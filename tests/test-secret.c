/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-secret.c — credentials through a real Secret Service (gnome-keyring-daemon on a
 * private bus): store, look up, clear, and the errors a user sees when there is no keyring. */
#include "config.h"

#include "herald-secret.h"
#include "herald-test-env.h"

typedef struct
{
  HeraldTestEnv *env;
} Fixture;

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static gboolean
store (const char *account, const char *field, const char *secret, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  herald_secret_store_async (account, field, "Herald test", secret, NULL, ready_cb, &result);
  return herald_secret_store_finish (wait_for (&result), error);
}

static char *
lookup (const char *account, const char *field, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  herald_secret_lookup_async (account, field, NULL, ready_cb, &result);
  return herald_secret_lookup_finish (wait_for (&result), error);
}

static gboolean
clear (const char *account, const char *field, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  herald_secret_clear_async (account, field, NULL, ready_cb, &result);
  return herald_secret_clear_finish (wait_for (&result), error);
}

/* Each test body runs in a child process (g_test_trap_subprocess): libsecret and GDBus keep
 * process-wide connections to the session bus, and every test gets a bus of its own. The
 * parent owns the bus and the keyring; the child inherits their addresses. */
static void
setup_keyring (Fixture *fixture, gconstpointer data)
{
  if (!g_test_subprocess ())
    fixture->env = herald_test_env_new (HERALD_TEST_ENV_KEYRING);
}

static void
setup_no_keyring (Fixture *fixture, gconstpointer data)
{
  if (!g_test_subprocess ())
    fixture->env = herald_test_env_new (0);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->env != NULL)
    herald_test_env_free (fixture->env);
}

static void
test_store_lookup_clear (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  char *secret;
  g_autofree char *seen_by_secret_tool = NULL;

  if (herald_test_run_in_child (60))
    return;
  g_assert_true (store ("acc-1", "api-key", "sk_live_first", &error));
  g_assert_no_error (error);
  g_assert_true (store ("acc-1", "api-secret", "shh-second", &error));
  g_assert_true (store ("acc-2", "api-key", "sk_live_other", &error));

  secret = lookup ("acc-1", "api-key", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "sk_live_first");
  herald_secret_free (secret);

  /* Another client finds it under the documented schema and attributes. */
  seen_by_secret_tool = herald_test_env_keyring_lookup (fixture->env, "acc-1", "api-secret");
  g_assert_cmpstr (seen_by_secret_tool, ==, "shh-second");

  /* Storing again replaces, it does not duplicate. */
  g_assert_true (store ("acc-1", "api-key", "sk_live_rotated", &error));
  secret = lookup ("acc-1", "api-key", &error);
  g_assert_cmpstr (secret, ==, "sk_live_rotated");
  herald_secret_free (secret);

  /* One field, then the whole account; the other account is untouched. */
  g_assert_true (clear ("acc-1", "api-secret", &error));
  g_assert_null (lookup ("acc-1", "api-secret", &error));
  g_assert_error (error, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  secret = lookup ("acc-1", "api-key", &error);
  g_assert_cmpstr (secret, ==, "sk_live_rotated");
  herald_secret_free (secret);

  g_assert_true (clear ("acc-1", NULL, &error));
  g_assert_no_error (error);
  g_assert_null (herald_test_env_keyring_lookup (fixture->env, "acc-1", "api-key"));
  secret = lookup ("acc-2", "api-key", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "sk_live_other");
  herald_secret_free (secret);

  /* Clearing what is not there is fine. */
  g_assert_true (clear ("never-stored", NULL, &error));
  g_assert_no_error (error);
}

static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      g_string_append_printf (captured_log, "%s\n", (const char *)fields[i].value);
  return G_LOG_WRITER_HANDLED;
}

static void
test_no_secret_in_logs (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  char *secret;

  if (herald_test_run_in_child (60))
    return;
  captured_log = g_string_new (NULL);
  g_log_set_debug_enabled (TRUE);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_assert_true (store ("acc-log", "api-key", "sk_live_must_not_leak", &error));
  secret = lookup ("acc-log", "api-key", &error);
  g_assert_cmpstr (secret, ==, "sk_live_must_not_leak");
  herald_secret_free (secret);
  g_assert_null (lookup ("acc-log", "token", &error));
  g_clear_error (&error);
  g_assert_true (clear ("acc-log", NULL, &error));

  g_assert_null (strstr (captured_log->str, "sk_live_must_not_leak"));
  g_string_free (captured_log, TRUE);
}

static void
test_no_service (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  if (herald_test_run_in_child (60))
    return;
  g_assert_false (store ("acc-1", "api-key", "sk_live_nowhere", &error));
  g_assert_error (error, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NO_SERVICE);
  /* The message names the problem and never the secret. */
  g_assert_nonnull (strstr (error->message, "keyring"));
  g_assert_null (strstr (error->message, "sk_live_nowhere"));
  g_clear_error (&error);

  g_assert_null (lookup ("acc-1", "api-key", &error));
  g_assert_error (error, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NO_SERVICE);
  g_clear_error (&error);

  g_assert_false (clear ("acc-1", NULL, &error));
  g_assert_error (error, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NO_SERVICE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/secret/store-lookup-clear", Fixture, NULL, setup_keyring, test_store_lookup_clear,
              teardown);
  g_test_add ("/secret/no-secret-in-logs", Fixture, NULL, setup_keyring, test_no_secret_in_logs,
              teardown);
  g_test_add ("/secret/no-service", Fixture, NULL, setup_no_keyring, test_no_service, teardown);
  return g_test_run ();
}
