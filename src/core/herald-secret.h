/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-secret.h — an account's credentials in the Secret Service, through libsecret.
 * Never in a file, an argv, a log line or an error message. */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define HERALD_SECRET_ERROR (herald_secret_error_quark ())

typedef enum
{
  HERALD_SECRET_ERROR_NO_SERVICE,
  HERALD_SECRET_ERROR_LOCKED,
  HERALD_SECRET_ERROR_NOT_FOUND,
  HERALD_SECRET_ERROR_FAILED,
} HeraldSecretError;

GQuark herald_secret_error_quark (void);

/* Schema "io.github.heraldapp.Herald.Credential", attributes "account" and "field". */
const SecretSchema *herald_secret_get_schema (void);

void herald_secret_store_async (const char *account_id, const char *field, const char *label,
                                const char *secret, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean herald_secret_store_finish (GAsyncResult *result, GError **error);

/* The secret comes back in non-pageable memory: free it with herald_secret_free(). */
void herald_secret_lookup_async (const char *account_id, const char *field,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
char *herald_secret_lookup_finish (GAsyncResult *result, GError **error);

/* field NULL clears every credential of the account. Clearing nothing is not an error. */
void herald_secret_clear_async (const char *account_id, const char *field,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean herald_secret_clear_finish (GAsyncResult *result, GError **error);

void herald_secret_free (char *secret);

/* For copies of secrets in ordinary memory (read from stdin, held by a feed): overwritten,
 * then freed. NULL is fine. A gpointer, so it serves as a GDestroyNotify too. */
void herald_secret_wipe_free (gpointer secret);

G_END_DECLS
