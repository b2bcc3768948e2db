/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-status.h — the popover behind "N of M connected": each account's state, why it
 * needs attention, a countdown to its next attempt, and Retry. */
#pragma once

#include <gtk/gtk.h>

#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_ACCOUNT_STATUS (herald_account_status_get_type ())
G_DECLARE_FINAL_TYPE (HeraldAccountStatus, herald_account_status, HERALD, ACCOUNT_STATUS,
                      GtkPopover)

GtkWidget *herald_account_status_new (void);
void herald_account_status_set_hub (HeraldAccountStatus *self, HeraldHub *hub);

/* "Connected", "Reconnecting in 5 s", "Needs attention: …" for one account, at @now_us
 * (g_get_monotonic_time ()). */
char *herald_account_status_describe (HeraldHub *hub, const char *account_id, gint64 now_us);

G_END_DECLS
