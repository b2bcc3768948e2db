/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — the herald-simulator command: serves the five feeds on 127.0.0.1, prints their
 * endpoints and credentials as one line of JSON, and runs until SIGINT or SIGTERM. */
#define G_LOG_DOMAIN "herald-sim"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "herald-simulator.h"

typedef struct
{
  char *feed;
  char *spec;
} ScenarioArg;

static char *current_feed;
static GPtrArray *scenario_args;

static void
scenario_arg_free (ScenarioArg *arg)
{
  g_free (arg->feed);
  g_free (arg->spec);
  g_free (arg);
}

static gboolean
is_feed (const char *name)
{
  return g_strv_contains ((const char *const *)herald_simulator_get_feeds (), name);
}

static gboolean
feed_cb (const char *option, const char *value, gpointer data, GError **error)
{
  if (!g_str_equal (value, "all") && !is_feed (value))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _ ("Unknown feed “%s”"), value);
      return FALSE;
    }
  g_free (current_feed);
  current_feed = g_str_equal (value, "all") ? NULL : g_strdup (value);
  return TRUE;
}

/* Scenarios apply to the feed named by the --feed before them. */
static gboolean
scenario_cb (const char *option, const char *value, gpointer data, GError **error)
{
  ScenarioArg *arg = g_new0 (ScenarioArg, 1);

  arg->feed = g_strdup (current_feed);
  arg->spec = g_strdup (value);
  g_ptr_array_add (scenario_args, arg);
  return TRUE;
}

static gboolean
apply_credential (HeraldSimulator *sim, const char *text, GError **error)
{
  const char *dot = strchr (text, '.');
  const char *equals = dot != NULL ? strchr (dot, '=') : NULL;
  g_autofree char *feed = NULL;
  g_autofree char *field = NULL;

  if (dot == NULL || equals == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("Expected FEED.FIELD=VALUE, got “%s”"), text);
      return FALSE;
    }
  feed = g_strndup (text, dot - text);
  field = g_strndup (dot + 1, equals - dot - 1);
  return herald_simulator_set_credential (sim, feed, field, equals + 1, error);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldSimulator) sim = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autofree char *description = NULL;
  g_autofree char *seed_text = NULL;
  g_auto (GStrv) credentials = NULL;
  int port = 0;
  int count = -1;
  gboolean verbose = FALSE;
  guint64 seed = 1;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_ ("TCP port on 127.0.0.1 (0 picks a free one)"),
      N_ ("PORT") },
    { "feed", 'f', 0, G_OPTION_ARG_CALLBACK, feed_cb,
      N_ ("Feed the following --scenario options apply to (default: all)"), N_ ("FEED") },
    { "scenario", 's', 0, G_OPTION_ARG_CALLBACK, scenario_cb,
      N_ ("Scenario such as trickle:interval=500 or drop:after=5 (repeatable)"), N_ ("SPEC") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      N_ ("Seed for event ids and credentials (default 1)"), N_ ("N") },
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_ ("Events per connection before going quiet"),
      N_ ("N") },
    { "credential", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &credentials,
      N_ ("Accept this credential, e.g. pally.api-key=KEY or skinshark.expires-in=45s"),
      N_ ("FEED.FIELD=VALUE") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_ ("Log connections and refusals"), NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  scenario_args = g_ptr_array_new_with_free_func ((GDestroyNotify)scenario_arg_free);
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _ ("Serve simulated SkinShark, Hashi, CoinVoyage, Dimes and Pally "
                                   "feeds on 127.0.0.1 for demos, tests and benchmarks."));
  description = g_strdup_printf (
    "%s\n  %s\n  %s\n  %s\n\n%s", _ ("Scenarios (NAME[:KEY=VALUE,…]):"),
    /* TRANSLATORS: this line and the next two are the simulator's scenario syntax: keep the
     * names and keys as they are, only the upper-case placeholders may be translated */
    _ ("trickle:interval=MS,count=N   burst:count=N,chunk=N,end=1   idle"),
    _ ("duplicates:replay=N   out-of-order:window=N   auth-failure   "
       "rate-limit:count=N,retry-after=S"),
    _ ("drop:after=N   stall:after=N   oversized:after=N,size=BYTES   malformed:every=N   "
       "heartbeat:interval=MS,timeout=MS"),
    _ ("The first line on standard output is a JSON object with each feed's endpoint and the "
       "credentials it accepts."));
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("herald-simulator: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (argc > 1)
    {
      g_printerr ("herald-simulator: %s\n", _ ("Unexpected argument"));
      return EXIT_FAILURE;
    }
  if (port < 0 || port > G_MAXUINT16)
    {
      g_printerr ("herald-simulator: %s\n", _ ("The port must be from 0 to 65535"));
      return EXIT_FAILURE;
    }
  if (seed_text != NULL
      && !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT64, &seed, &error))
    {
      g_printerr ("herald-simulator: %s\n", _ ("The seed must be a whole number"));
      return EXIT_FAILURE;
    }
  if (verbose)
    g_log_set_debug_enabled (TRUE);

  sim = herald_simulator_new ();
  /* The seed first: it resets the default credentials. */
  herald_simulator_set_seed (sim, seed);
  for (guint i = 0; i < scenario_args->len; i++)
    {
      ScenarioArg *arg = g_ptr_array_index (scenario_args, i);

      if (!herald_simulator_parse_scenario (sim, arg->feed, arg->spec, &error))
        {
          g_printerr ("herald-simulator: %s\n", error->message);
          return EXIT_FAILURE;
        }
    }
  if (count >= 0)
    herald_simulator_set_event_limit (sim, current_feed, (guint)count);
  for (guint i = 0; credentials != NULL && credentials[i] != NULL; i++)
    if (!apply_credential (sim, credentials[i], &error))
      {
        g_printerr ("herald-simulator: %s\n", error->message);
        return EXIT_FAILURE;
      }

  if (!herald_simulator_listen (sim, (guint16)port, &error))
    {
      g_printerr ("herald-simulator: %s\n", error->message);
      return EXIT_FAILURE;
    }

  /* Catch the signals before saying we are ready, so a caller may stop us at once. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  {
    g_autofree char *json = herald_simulator_describe (sim);

    g_print ("%s\n", json);
    fflush (stdout);
  }
  g_main_loop_run (loop);

  g_ptr_array_unref (scenario_args);
  g_clear_pointer (&current_feed, g_free);
  return EXIT_SUCCESS;
}
