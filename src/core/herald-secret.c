/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-secret.c — libsecret's secret_password_* API behind Herald's own error domain.
 * libsecret's raw errors go to the debug log; users get one translated sentence. */
#define G_LOG_DOMAIN "herald-secret"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-secret.h"

/* The quark name is stringified: spaces that clang-format would add would change it. */
/* clang-format off */
G_DEFINE_QUARK (herald-secret-error-quark, herald_secret_error)
/* clang-format on */

static const SecretSchema credential_schema = {
  "io.github.heraldapp.Herald.Credential",
  SECRET_SCHEMA_NONE,
  {
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "field", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

const SecretSchema *
herald_secret_get_schema (void)
{
  return &credential_schema;
}

static gboolean
is_no_service_error (const GError *error)
{
  /* No session bus at all, or a bus on which nothing provides org.freedesktop.secrets. */
  if (error->domain == G_DBUS_ERROR)
    return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
           || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
           || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER)
           || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED)
           || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND)
           || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED)
           || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED)
           || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_INVALID)
           || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED);
  /* g_bus_get() fails with an I/O error when no session bus address can be found. */
  return error->domain == G_IO_ERROR && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Turns whatever libsecret or D-Bus said into a sentence a user can act on. */
static GError *
translate_error (GError *low_level, const char *what)
{
  GError *error;

  g_debug ("Secret Service %s failed: %s (%s, %d)", what, low_level->message,
           g_quark_to_string (low_level->domain), low_level->code);

  if (g_error_matches (low_level, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    error
      = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("The operation was cancelled"));
  else if (g_error_matches (low_level, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    error = g_error_new_literal (HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_LOCKED,
                                 _ ("The keyring is locked: unlock it and try again"));
  else if (is_no_service_error (low_level))
    error = g_error_new_literal (HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NO_SERVICE,
                                 _ ("No keyring is available: Herald keeps API keys only in a "
                                    "Secret Service such as GNOME Keyring, and none is running"));
  else
    error = g_error_new_literal (HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_FAILED,
                                 _ ("The keyring refused the request"));
  g_error_free (low_level);
  return error;
}

static void
store_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, translate_error (error, "store"));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
herald_secret_store_async (const char *account_id, const char *field, const char *label,
                           const char *secret, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (account_id != NULL && *account_id != '\0');
  g_return_if_fail (field != NULL && *field != '\0');
  g_return_if_fail (secret != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, herald_secret_store_async);
  secret_password_store (&credential_schema, SECRET_COLLECTION_DEFAULT, label, secret, cancellable,
                         store_done_cb, task, "account", account_id, "field", field, NULL);
}

gboolean
herald_secret_store_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_nonpageable_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, translate_error (error, "lookup"));
      return;
    }
  if (secret == NULL)
    {
      g_task_return_new_error (task, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NOT_FOUND,
                               _ ("The keyring holds no credential for this account"));
      return;
    }
  g_task_return_pointer (task, secret, (GDestroyNotify)secret_password_free);
}

void
herald_secret_lookup_async (const char *account_id, const char *field, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (account_id != NULL && field != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, herald_secret_lookup_async);
  secret_password_lookup (&credential_schema, cancellable, lookup_done_cb, task, "account",
                          account_id, "field", field, NULL);
}

char *
herald_secret_lookup_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error only means there was nothing to remove. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    {
      g_task_return_error (task, translate_error (error, "clear"));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
herald_secret_clear_async (const char *account_id, const char *field, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (account_id != NULL && *account_id != '\0');

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, herald_secret_clear_async);

  /* Copies: libsecret keeps the table until the items are found, after the caller may have
   * freed its strings. */
  attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (attributes, (gpointer) "account", g_strdup (account_id));
  if (field != NULL)
    g_hash_table_insert (attributes, (gpointer) "field", g_strdup (field));
  /* Matching by schema name too keeps us from touching another program's items. */
  secret_password_clearv (&credential_schema, attributes, cancellable, clear_done_cb, task);
}

gboolean
herald_secret_clear_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
herald_secret_free (char *secret)
{
  if (secret != NULL)
    secret_password_free (secret);
}

void
herald_secret_wipe_free (gpointer secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}
