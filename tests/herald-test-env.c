/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-test-env.c — see herald-test-env.h. Tests talk to a real Secret Service
 * (gnome-keyring-daemon) on a private bus so nothing touches the developer's keyring. */
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "herald-test-env.h"

#define KEYRING_PASSWORD "herald-test-password"

static char *
make_dir (const char *root, const char *name)
{
  char *path = g_build_filename (root, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

void
herald_test_env_wait_for_name (const char *name, guint timeout_ms)
{
  g_autoptr (GDBusConnection) connection = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  /* A private connection: the shared one would keep g_test_dbus_down() waiting. */
  connection = g_dbus_connection_new_for_address_sync (
    g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
        connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "NameHasOwner", g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
        -1, NULL, NULL);
      gboolean has_owner = FALSE;

      if (reply != NULL)
        g_variant_get (reply, "(b)", &has_owner);
      if (has_owner)
        {
          g_dbus_connection_close_sync (connection, NULL, NULL);
          return;
        }
      g_usleep (50 * 1000);
    }
  g_error ("%s did not appear on the test bus within %u ms", name, timeout_ms);
}

gboolean
herald_test_run_in_child (guint timeout_s)
{
  if (g_test_subprocess ())
    return FALSE;
  g_test_trap_subprocess (NULL, timeout_s * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return TRUE;
}

HeraldTestEnv *
herald_test_env_new (HeraldTestEnvFlags flags)
{
  g_autoptr (GError) error = NULL;
  HeraldTestEnv *env = g_new0 (HeraldTestEnv, 1);

  env->root = g_dir_make_tmp ("herald-test-XXXXXX", &error);
  g_assert_no_error (error);
  env->config_home = make_dir (env->root, "config");
  env->data_home = make_dir (env->root, "data");
  env->cache_home = make_dir (env->root, "cache");
  env->runtime_dir = make_dir (env->root, "runtime");
  env->keyring_home = make_dir (env->root, "keyring");

  g_setenv ("XDG_CONFIG_HOME", env->config_home, TRUE);
  g_setenv ("XDG_DATA_HOME", env->data_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", env->cache_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", env->runtime_dir, TRUE);

  /* GTestDBus gives a bus without service files, so nothing gets D-Bus-activated behind
   * our back: the keyring exists exactly when the test starts one. */
  env->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (env->bus);

  if (flags & HERALD_TEST_ENV_KEYRING)
    {
      g_autoptr (GSubprocessLauncher) launcher = NULL;
      g_autoptr (GOutputStream) input = NULL;

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                            | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                            | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      /* The keyring keeps its files apart from Herald's, so a search of Herald's
       * directories for a key is a search of what Herald wrote. */
      g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", env->keyring_home, TRUE);
      g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", env->keyring_home, TRUE);
      env->keyring
        = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                       "--unlock", "--components=secrets", NULL);
      g_assert_no_error (error);
      input = g_object_ref (g_subprocess_get_stdin_pipe (env->keyring));
      g_output_stream_write_all (input, KEYRING_PASSWORD, strlen (KEYRING_PASSWORD), NULL, NULL,
                                 &error);
      g_assert_no_error (error);
      g_output_stream_close (input, NULL, &error);
      g_assert_no_error (error);
      herald_test_env_wait_for_name ("org.freedesktop.secrets", 20000);
    }
  return env;
}

void
herald_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }
  /* A test may have made it read-only to see a write fail. */
  g_chmod (path, 0700);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      herald_test_remove_tree (child);
    }
  g_rmdir (path);
}

void
herald_test_env_free (HeraldTestEnv *env)
{
  if (env->keyring != NULL)
    {
      g_subprocess_send_signal (env->keyring, SIGTERM);
      g_subprocess_wait (env->keyring, NULL, NULL);
      g_clear_object (&env->keyring);
    }
  /* Let pending D-Bus replies and disposals run, so the bus connection can go away. */
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_test_dbus_down (env->bus);
  g_clear_object (&env->bus);
  herald_test_remove_tree (env->root);
  g_free (env->root);
  g_free (env->config_home);
  g_free (env->data_home);
  g_free (env->cache_home);
  g_free (env->runtime_dir);
  g_free (env->keyring_home);
  g_free (env);
}

char **
herald_test_env_get_environ (HeraldTestEnv *env)
{
  /* g_test_dbus_up() and herald_test_env_new() already updated this process's variables. */
  return g_get_environ ();
}

int
herald_test_env_run (HeraldTestEnv *env, const char *const *argv, const char *const *extra_env,
                     const char *stdin_text, char **out_stdout, char **out_stderr)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) environ = herald_test_env_get_environ (env);
  char *child_stdout = NULL;
  char *child_stderr = NULL;

  launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    environ = g_environ_setenv (environ, extra_env[i], extra_env[i + 1], TRUE), i++;
  g_subprocess_launcher_set_environ (launcher, environ);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, stdin_text ? stdin_text : "", NULL, &child_stdout,
                                 &child_stderr, &error);
  g_assert_no_error (error);

  if (out_stdout)
    *out_stdout = child_stdout;
  else
    g_free (child_stdout);
  if (out_stderr)
    *out_stderr = child_stderr;
  else
    g_free (child_stderr);

  if (!g_subprocess_get_if_exited (child))
    return -1;
  return g_subprocess_get_exit_status (child);
}

int
herald_test_env_run_herald (HeraldTestEnv *env, const char *stdin_text, char **out_stdout,
                            char **out_stderr, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer)g_getenv ("HERALD_BIN"));
  va_start (args, out_stderr);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return herald_test_env_run (env, (const char *const *)argv->pdata, NULL, stdin_text, out_stdout,
                              out_stderr);
}

char *
herald_test_env_keyring_lookup (HeraldTestEnv *env, const char *account, const char *field)
{
  const char *argv[]
    = { "secret-tool", "lookup", "xdg:schema", "io.github.heraldapp.Herald.Credential",
        "account",     account,  "field",      field,
        NULL };
  g_autofree char *out = NULL;
  int status;

  status = herald_test_env_run (env, argv, NULL, NULL, &out, NULL);
  if (status != 0)
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
herald_test_tree_contains (const char *path, const char *needle)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (herald_test_tree_contains (child, needle))
            return TRUE;
          continue;
        }
      /* memmem, not strstr: a file may hold NULs (SQLite), so search every byte. */
      if (g_file_get_contents (child, &contents, &length, NULL)
          && memmem (contents, length, needle, strlen (needle)) != NULL)
        return TRUE;
    }
  return FALSE;
}

guint
herald_test_count_lines (const char *text)
{
  guint lines = 0;

  if (text == NULL || *text == '\0')
    return 0;
  for (const char *p = text; *p; p++)
    if (*p == '\n')
      lines++;
  if (text[strlen (text) - 1] != '\n')
    lines++;
  return lines;
}
