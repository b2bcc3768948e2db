/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-form.h — the dialog that adds or edits one account: a form built from the
 * provider table, credentials stored in the keyring, the account saved through the store. */
#pragma once

#include <gtk/gtk.h>

#include "herald-account-store.h"
#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_ACCOUNT_FORM (herald_account_form_get_type ())
G_DECLARE_FINAL_TYPE (HeraldAccountForm, herald_account_form, HERALD, ACCOUNT_FORM, GtkDialog)

/* `account` NULL adds a new account; otherwise the form edits a copy of it, and a stored
 * credential is never read back: it can only be replaced. `hub` may be NULL. The dialog saves
 * by itself, answers GTK_RESPONSE_ACCEPT once the account is saved, and destroys itself on any
 * response. */
HeraldAccountForm *herald_account_form_new (GtkWindow *parent, HeraldAccountStore *store,
                                            HeraldHub *hub, HeraldAccount *account);

G_END_DECLS
