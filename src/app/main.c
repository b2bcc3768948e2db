/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — the herald executable: command-line subcommands run without a display,
 * everything else starts (or presents) the tray application. */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "herald-application.h"
#include "herald-cli.h"
#include "herald-log.h"

int
main (int argc, char **argv)
{
  g_autoptr (HeraldApplication) application = NULL;
  const char *localedir = g_getenv ("HERALD_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* An uninstalled build (the demo script, the translation test) points this at <build>/po,
   * where meson compiles the catalogues in the same <lang>/LC_MESSAGES layout. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  herald_log_drop_libsoup_debug ();

  if (herald_cli_handles (argc, argv))
    return herald_cli_run (argc, argv);

  g_set_application_name (_ ("Herald"));
  application = herald_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
