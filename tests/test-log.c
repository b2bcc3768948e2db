/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-log.c — libsoup's debug messages stay out of the way unless someone asks for them. */
#include "config.h"

#include "herald-log.h"

static guint default_handler_calls;

static void
count_default (const char *log_domain, GLogLevelFlags log_level, const char *message,
               gpointer user_data)
{
  default_handler_calls++;
  g_log_default_handler (log_domain, log_level, message, user_data);
}

static void
log_all_levels (void)
{
  g_log_set_default_handler (count_default, NULL);
  herald_log_drop_libsoup_debug ();
  g_log ("libsoup", G_LOG_LEVEL_DEBUG, "soup-frame-debug");
  /* GLib's default handler would drop it too; what saves the time is not reaching it. */
  g_print ("the default handler saw it: %s\n", default_handler_calls > 0 ? "yes" : "no");
  g_log ("libsoup", G_LOG_LEVEL_MESSAGE, "soup-message");
  g_log ("herald-connection", G_LOG_LEVEL_DEBUG, "herald-debug");
}

static void
run_child (const char *messages_debug)
{
  if (messages_debug != NULL)
    g_setenv ("G_MESSAGES_DEBUG", messages_debug, TRUE);
  else
    g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_trap_subprocess ("/log/child", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_child (void)
{
  if (g_test_subprocess ())
    log_all_levels ();
}

static void
test_dropped_by_default (void)
{
  run_child (NULL);
  g_test_trap_assert_stdout ("*the default handler saw it: no*");
  g_test_trap_assert_stdout_unmatched ("*soup-frame-debug*");
  g_test_trap_assert_stderr_unmatched ("*soup-frame-debug*");
  /* Only debug messages: anything louder still reaches the user. */
  g_test_trap_assert_stderr ("*soup-message*");
}

static void
test_shown_when_asked (void)
{
  run_child ("libsoup");
  g_test_trap_assert_stdout ("*the default handler saw it: yes*");
  g_test_trap_assert_stdout ("*soup-frame-debug*");
  g_test_trap_assert_stdout_unmatched ("*herald-debug*");

  run_child ("all");
  g_test_trap_assert_stdout ("*soup-frame-debug*");
  g_test_trap_assert_stdout ("*herald-debug*");
}

static void
test_other_domains_untouched (void)
{
  run_child ("herald-connection");
  g_test_trap_assert_stdout ("*the default handler saw it: no*");
  g_test_trap_assert_stdout ("*herald-debug*");
  g_test_trap_assert_stdout_unmatched ("*soup-frame-debug*");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log/child", test_child);
  g_test_add_func ("/log/libsoup-debug/dropped-by-default", test_dropped_by_default);
  g_test_add_func ("/log/libsoup-debug/shown-when-asked", test_shown_when_asked);
  g_test_add_func ("/log/libsoup-debug/other-domains-untouched", test_other_domains_untouched);

  return g_test_run ();
}
