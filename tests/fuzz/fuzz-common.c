/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-common.c — set-up shared by every fuzz target: GLib's criticals and warnings abort,
 * since a g_return_if_fail() that input can trip is a bug in Herald's code. */
#include "config.h"

#include "fuzz-common.h"

/* abort() rather than GLib's own fatal handling, which raises SIGTRAP on Linux: libFuzzer does
 * not catch that signal, so it would neither report the crash nor keep the input. */
static void
log_cb (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      fprintf (stderr, "%s: %s\n", domain ? domain : "(no domain)", message);
      abort ();
    }
}

static GLogWriterOutput
log_writer_cb (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (level, fields, n_fields, data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_default_handler (log_cb, NULL);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  return 0;
}
