/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-end-to-end.c — Herald as a new user meets it: accounts added with the real `herald`
 * command against a separately running herald-simulator, the real tray application
 * receiving through drops and duplicates, and `herald history --json` read back. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "herald-test-env.h"
#include "herald-test-feed.h"

typedef struct
{
  HeraldTestEnv *env;
  GSubprocess *simulator;
  JsonParser *description; /* the simulator's first line: endpoints and credentials */
} Fixture;

/* GTestDBus unsets DISPLAY (against X11 autolaunch of buses); the app gets it back. */
static char *display;

static void
start_simulator (Fixture *fx, const char *const *scenario_args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, (gpointer)g_getenv ("HERALD_SIMULATOR_BIN"));
  g_ptr_array_add (argv, (gpointer) "--port=0");
  for (guint i = 0; scenario_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)scenario_args[i]);
  g_ptr_array_add (argv, NULL);
  fx->simulator
    = g_subprocess_newv ((const char *const *)argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fx->simulator));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  fx->description = json_parser_new ();
  json_parser_load_from_data (fx->description, line, -1, &error);
  g_assert_no_error (error);
}

static const char *
sim_value (Fixture *fx, const char *feed, const char *field)
{
  JsonObject *feeds = json_object_get_object_member (
    json_node_get_object (json_parser_get_root (fx->description)), "feeds");
  JsonObject *one = json_object_get_object_member (feeds, feed);

  if (g_str_equal (field, "endpoint"))
    return json_object_get_string_member (one, "endpoint");
  return json_object_get_string_member (json_object_get_object_member (one, "credentials"), field);
}

static char *
add_account (Fixture *fx, const char *feed, const char *label, const char *credentials)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (herald_test_env_run_herald (fx->env, credentials, &out, NULL, "account", "add",
                                               feed, "--label", label, "--endpoint",
                                               sim_value (fx, feed, "endpoint"), NULL),
                   ==, 0);
  g_strchomp (out);
  return g_steal_pointer (&out);
}

static GSubprocess *
start_app (Fixture *fx, const char *first_arg)
{
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_auto (GStrv) environ = herald_test_env_get_environ (fx->env);
  g_autoptr (GError) error = NULL;
  GSubprocess *app;

  environ = g_environ_setenv (environ, "DISPLAY", display, TRUE);
  g_subprocess_launcher_set_environ (launcher, environ);
  app = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("HERALD_BIN"), first_arg, NULL);
  g_assert_no_error (error);
  return app;
}

static void
stop_app (GSubprocess *app)
{
  g_autoptr (GError) error = NULL;

  /* SIGTERM is how a session ends Herald: it must quit cleanly, its history flushed. */
  g_subprocess_send_signal (app, SIGTERM);
  g_subprocess_wait (app, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (app));
  g_assert_cmpint (g_subprocess_get_exit_status (app), ==, 0);
}

/* The history as `herald history --json` prints it: account id → ids, each id once. */
static GHashTable *
read_history (Fixture *fx)
{
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  GHashTable *by_account
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);

  g_assert_cmpint (herald_test_env_run_herald (fx->env, NULL, &out, NULL, "history", "--json",
                                               "--limit", "100000", NULL),
                   ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      JsonObject *event;
      GHashTable *ids;
      const char *account;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      event = json_node_get_object (json_parser_get_root (parser));
      for (guint j = 0; j < 8; j++)
        {
          static const char *const fields[]
            = { "id", "account", "provider", "type", "title", "body", "time", "severity" };

          g_assert_true (json_object_has_member (event, fields[j]));
        }
      account = json_object_get_string_member (event, "account");
      ids = g_hash_table_lookup (by_account, account);
      if (ids == NULL)
        {
          ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (by_account, g_strdup (account), ids);
        }
      /* Stored once: a second line with the same id would be a duplicate that got through. */
      g_assert_true (
        g_hash_table_add (ids, g_strdup (json_object_get_string_member (event, "id"))));
    }
  return by_account;
}

static guint
count_for (GHashTable *history, const char *account)
{
  GHashTable *ids = g_hash_table_lookup (history, account);

  return ids ? g_hash_table_size (ids) : 0;
}

static void
setup (Fixture *fx, gconstpointer data)
{
  fx->env = herald_test_env_new (HERALD_TEST_ENV_KEYRING);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->simulator != NULL)
    {
      g_subprocess_send_signal (fx->simulator, SIGTERM);
      g_subprocess_wait (fx->simulator, NULL, NULL);
      g_clear_object (&fx->simulator);
    }
  g_clear_object (&fx->description);
  herald_test_env_free (fx->env);
}

static void
test_every_event_once (Fixture *fx, gconstpointer data)
{
  /* Pally repeats events and cuts the socket every 15 events; Hashi trickles with its
   * ping/pong and subscriptions; Dimes speaks Socket.IO with a refused customer elsewhere. */
  const char *const scenarios[] = { "--feed=pally",
                                    "--scenario=trickle:interval=20",
                                    "--scenario=duplicates",
                                    "--scenario=drop:after=15",
                                    "--feed=hashi",
                                    "--scenario=trickle:interval=40",
                                    "--feed=dimes",
                                    "--scenario=trickle:interval=40",
                                    NULL };
  g_autofree char *pally = NULL, *hashi = NULL, *dimes = NULL, *refused = NULL;
  g_autofree char *pally_key = NULL, *hashi_token = NULL, *dimes_key = NULL;
  g_autoptr (GSubprocess) app = NULL;
  g_autoptr (GHashTable) history = NULL;
  gint64 deadline;

  start_simulator (fx, scenarios);
  pally_key = g_strconcat (sim_value (fx, "pally", "api-key"), "\n", NULL);
  hashi_token = g_strconcat (sim_value (fx, "hashi", "token"), "\n", NULL);
  dimes_key = g_strconcat (sim_value (fx, "dimes", "api-key"), "\n", NULL);
  pally = add_account (fx, "pally", "Tips", pally_key);
  hashi = add_account (fx, "hashi", "Lobbies", hashi_token);
  dimes = add_account (fx, "dimes", "Bets", dimes_key);
  refused = add_account (fx, "pally", "Old key", "pk_revoked_key\n");

  app = start_app (fx, NULL);
  deadline = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
  do
    {
      herald_test_spin (500);
      g_clear_pointer (&history, g_hash_table_unref);
      history = read_history (fx);
    }
  while ((count_for (history, pally) < 60 || count_for (history, hashi) < 10
          || count_for (history, dimes) < 10)
         && g_get_monotonic_time () < deadline);
  stop_app (app);

  /* 60 distinct tips means at least three sockets (15 events each): the app came back
   * after every cut, and kept each repeated tip once. */
  g_clear_pointer (&history, g_hash_table_unref);
  history = read_history (fx);
  g_assert_cmpuint (count_for (history, pally), >=, 60);
  g_assert_cmpuint (count_for (history, hashi), >=, 10);
  g_assert_cmpuint (count_for (history, dimes), >=, 10);
  /* The refused key brought nothing in. */
  g_assert_cmpuint (count_for (history, refused), ==, 0);
}

static void
test_demo_leaves_no_trace (Fixture *fx, gconstpointer data)
{
  g_autoptr (GSubprocess) app = start_app (fx, "--demo");
  g_autofree char *config = g_build_filename (fx->env->config_home, "herald", NULL);
  g_autofree char *history = g_build_filename (fx->env->data_home, "herald", NULL);
  g_autofree char *secrets = NULL;

  herald_test_spin (4000);
  stop_app (app);
  /* Nothing in the user's config, data or keyring. */
  g_assert_false (g_file_test (config, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (history, G_FILE_TEST_EXISTS));
  herald_test_env_run (fx->env,
                       (const char *[]){ "secret-tool", "search", "--all", "xdg:schema",
                                         "io.github.heraldapp.Herald.Credential", NULL },
                       NULL, NULL, &secrets, NULL);
  g_assert_cmpstr (secrets, ==, "");
}

/* Whether the X server shows a window with this title that belongs to this process (xwininfo
 * and xprop, not Herald's code). Other tests may show windows of the same name on the same
 * display meanwhile. */
static gboolean
window_shown (Fixture *fx, const char *title, GSubprocess *app)
{
  const char *argv[] = { "xwininfo", "-root", "-tree", NULL };
  const char *extra[] = { "DISPLAY", display, NULL };
  g_autofree char *out = NULL;
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", title);
  g_autofree char *pid_line
    = g_strdup_printf ("_NET_WM_PID(CARDINAL) = %s", g_subprocess_get_identifier (app));
  g_auto (GStrv) lines = NULL;

  if (herald_test_env_run (fx->env, argv, extra, NULL, &out, NULL) != 0)
    return FALSE;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = NULL;
      g_autofree char *props = NULL;
      const char *xprop[] = { "xprop", "-id", NULL, "_NET_WM_PID", NULL };

      if (strstr (lines[i], quoted) == NULL)
        continue;
      words = g_strsplit (g_strstrip (lines[i]), " ", 2);
      xprop[2] = words[0];
      if (herald_test_env_run (fx->env, xprop, extra, NULL, &props, NULL) == 0
          && strstr (props, pid_line) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* `herald --preferences` opens the Preferences of the Herald already running, and exits. */
static void
test_preferences_in_running_instance (Fixture *fx, gconstpointer data)
{
  g_autoptr (GSubprocess) app = start_app (fx, NULL);
  g_autofree char *out = NULL;
  guint waited = 0;

  /* Without accounts the first launch shows its window: then it is on the bus too. */
  while (!window_shown (fx, "Herald", app) && waited < 10000)
    {
      herald_test_spin (100);
      waited += 100;
    }
  g_assert_true (window_shown (fx, "Herald", app));
  g_assert_false (window_shown (fx, "Herald Preferences", app));

  g_assert_cmpint (herald_test_env_run_herald (fx->env, NULL, &out, NULL, "--preferences", NULL),
                   ==, 0);
  for (waited = 0; !window_shown (fx, "Herald Preferences", app) && waited < 10000; waited += 100)
    herald_test_spin (100);
  g_assert_true (window_shown (fx, "Herald Preferences", app));
  stop_app (app);
}

int
main (int argc, char **argv)
{
  display = g_strdup (g_getenv ("DISPLAY"));
  if (display == NULL)
    {
      g_print ("1..0 # SKIP no display: run under Xvfb (build-aux/run-tests.sh does)\n");
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/end-to-end/every-event-once", Fixture, NULL, setup, test_every_event_once,
              teardown);
  g_test_add ("/end-to-end/demo-leaves-no-trace", Fixture, NULL, setup, test_demo_leaves_no_trace,
              teardown);
  g_test_add ("/end-to-end/preferences-in-running-instance", Fixture, NULL, setup,
              test_preferences_in_running_instance, teardown);
  return g_test_run ();
}
