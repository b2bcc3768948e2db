/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-preferences-window.h — the Preferences window: accounts (add, edit, remove, enable),
 * notification settings and general settings (history size, start at login). */
#pragma once

#include <gtk/gtk.h>

#include "herald-account-store.h"
#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_PREFERENCES_WINDOW (herald_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (HeraldPreferencesWindow, herald_preferences_window, HERALD,
                      PREFERENCES_WINDOW, GtkWindow)

/* `store` NULL: the accounts cannot be changed (the demo); they are listed from the hub.
 * `application` may be NULL (tests). */
HeraldPreferencesWindow *herald_preferences_window_new (GtkApplication *application,
                                                        HeraldAccountStore *store,
                                                        GSettings *settings);
/* The hub gives the live state of each account and the history; it may come later than the
 * window, as the history opens off the main thread. */
void herald_preferences_window_set_hub (HeraldPreferencesWindow *self, HeraldHub *hub);

G_END_DECLS
