/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-cli.h — the non-graphical half of the herald command: account and history
 * management for scripts and terminals. Never touches GTK or a display. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when argv asks for something herald_cli_run() answers (a subcommand, --help, --version). */
gboolean herald_cli_handles (int argc, char **argv);
int herald_cli_run (int argc, char **argv);

G_END_DECLS
