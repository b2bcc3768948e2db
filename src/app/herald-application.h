/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-application.h — the tray application: owns the accounts, the history, the hub,
 * the tray and the window. With --demo, a built-in simulator and five demo accounts. */
#pragma once

#include <gtk/gtk.h>

#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_APPLICATION (herald_application_get_type ())
G_DECLARE_FINAL_TYPE (HeraldApplication, herald_application, HERALD, APPLICATION, GtkApplication)

HeraldApplication *herald_application_new (void);
/* NULL until the history is open. */
HeraldHub *herald_application_get_hub (HeraldApplication *self);

G_END_DECLS
