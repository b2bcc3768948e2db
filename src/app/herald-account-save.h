/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-save.h — saving an account from the Preferences: its keys into the keyring
 * first, then the account into the store; a new account is added whole or not at all. */
#pragma once

#include "herald-account-store.h"
#include "herald-hub.h"

G_BEGIN_DECLS

/* `account`: a new account (is_new) or an edited herald_account_copy() of a stored one.
 * `credentials`: credential field → secret to store (copied; the copies are wiped), may be
 * NULL or empty when editing leaves the stored keys alone. `hub` (nullable) reconnects an
 * edited account whose keys were replaced. */
void herald_account_save_async (HeraldAccountStore *store, HeraldHub *hub, HeraldAccount *account,
                                gboolean is_new, GHashTable *credentials,
                                GAsyncReadyCallback callback, gpointer user_data);
/* FALSE with the keyring's or the store's own error. When a new account fails, the keys
 * stored for it so far have been cleared again. */
gboolean herald_account_save_finish (GAsyncResult *result, GError **error);

G_END_DECLS
