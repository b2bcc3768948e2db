/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-timeout.c — timers on the calling thread's own main context: a connection hosted on
 * the hub's receiver thread must not schedule its work on the UI's loop. */
#include "config.h"

#include "herald-timeout.h"

guint
herald_timeout_add_local (guint interval_ms, GSourceFunc function, gpointer data)
{
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr (GSource) source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, function, data, NULL);
  return g_source_attach (source, context);
}

void
herald_source_clear_local (guint *id)
{
  g_autoptr (GMainContext) context = NULL;
  GSource *source;

  if (*id == 0)
    return;
  context = g_main_context_ref_thread_default ();
  source = g_main_context_find_source_by_id (context, *id);
  *id = 0;
  if (source != NULL)
    g_source_destroy (source);
}
