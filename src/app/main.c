/* main.c — the herald executable: command-line subcommands run without a display,
 * everything else starts (or presents) the tray application. */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "herald-cli.h"

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (herald_cli_handles (argc, argv))
    return herald_cli_run (argc, argv);

  g_printerr ("herald: the tray application is not built yet\n");
  return 1;
}
