/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-test.h — the Preferences' Test button: one connection with an account's
 * values and credentials, nothing saved, a precise answer within a bounded time. */
#pragma once

#include <gio/gio.h>

#include "herald-account.h"
#include "herald-event.h"

G_BEGIN_DECLS

/* How long a test may take before it gives up. */
#define HERALD_ACCOUNT_TEST_TIMEOUT_S 15

/* `credentials`: credential field → secret; copied, and the copies wiped when done.
 * `keyring_fields` (nullable): fields to read from the keyring under the account's id first,
 * for a stored account whose keys the form did not replace. The connection is closed
 * before the callback runs, whatever the outcome. */
void herald_account_test_async (HeraldAccount *account, GHashTable *credentials,
                                const char *const *keyring_fields, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
/* FALSE with a translated G_IO_ERROR saying what failed: the feed's own refusal of the key,
 * an unreachable host, a certificate, a timeout. On success, `out_event` (nullable) receives
 * the event the feed echoed back, if it has such a request (Pally's test tip). */
gboolean herald_account_test_finish (GAsyncResult *result, HeraldEvent **out_event, GError **error);

G_END_DECLS
