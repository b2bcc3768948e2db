/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-save.c — see herald-account-save.h. The rule is the command line's: keys
 * first, since an account whose key could not be stored must not be added. */
#define G_LOG_DOMAIN "herald-account-save"

#include "config.h"

#include <glib/gi18n.h>

#include "herald-account-save.h"
#include "herald-secret.h"

typedef struct
{
  HeraldAccountStore *store;
  HeraldHub *hub;
  HeraldAccount *account;
  gboolean is_new;
  GPtrArray *fields;  /* char *, credential field names */
  GPtrArray *secrets; /* char *, wiped when freed */
  guint next;
  GError *error; /* kept while a new account's keys are taken back */
} Save;

static void
save_free (Save *save)
{
  g_object_unref (save->store);
  g_clear_object (&save->hub);
  g_object_unref (save->account);
  g_ptr_array_unref (save->fields);
  g_ptr_array_unref (save->secrets);
  g_clear_error (&save->error);
  g_free (save);
}

static void store_next_secret (GTask *task);

static void
rolled_back_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Save *save = g_task_get_task_data (task);

  herald_secret_clear_finish (result, NULL);
  g_task_return_error (task, g_steal_pointer (&save->error));
}

/* Takes back the keys of a new account that is not there: nothing half-added. */
static void
fail (GTask *task, GError *error)
{
  Save *save = g_task_get_task_data (task);

  if (save->is_new && save->next > 0)
    {
      save->error = error;
      herald_secret_clear_async (herald_account_get_id (save->account), NULL, NULL, rolled_back_cb,
                                 task);
      return;
    }
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* An edit can change which keys an account takes (the Dimes gateway: a partner key or a
 * customer token); the one it no longer uses must not linger in the keyring unseen. */
static void
clear_unused_credentials (HeraldAccount *account)
{
  const HeraldProviderInfo *info = herald_account_get_provider_info (account);
  const char *const gateways[] = { "partner", "customer" };
  const HeraldCredentialSpec *used;
  guint n_used;

  used = herald_account_get_credentials (account, &n_used);
  for (guint g = 0; g < G_N_ELEMENTS (gateways); g++)
    {
      const HeraldCredentialSpec *specs;
      guint n_specs;

      specs = herald_provider_info_get_credentials (info, gateways[g], &n_specs);
      for (guint i = 0; i < n_specs; i++)
        {
          gboolean in_use = FALSE;

          for (guint j = 0; j < n_used; j++)
            in_use = in_use || g_str_equal (used[j].field, specs[i].field);
          /* Clearing what is not there is no error; a failure only leaves a key unused. */
          if (!in_use)
            herald_secret_clear_async (herald_account_get_id (account), specs[i].field, NULL, NULL,
                                       NULL);
        }
    }
}

static void
finish_save (GTask *task)
{
  Save *save = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (save->is_new)
    ok = herald_account_store_add (save->store, save->account, &error);
  else
    ok = herald_account_store_update (save->store, save->account, &error);
  if (!ok)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (!save->is_new)
    clear_unused_credentials (save->account);
  /* New keys for an account that was already running: it reads them again now. */
  if (!save->is_new && save->secrets->len > 0 && save->hub != NULL)
    herald_hub_retry (save->hub, herald_account_get_id (save->account));
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
secret_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Save *save = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!herald_secret_store_finish (result, &error))
    {
      g_debug ("Storing a credential failed: %s", error->message);
      /* This one was not stored: only the ones before it are taken back. */
      save->next--;
      fail (task, g_steal_pointer (&error));
      return;
    }
  store_next_secret (task);
}

static void
store_next_secret (GTask *task)
{
  Save *save = g_task_get_task_data (task);
  const HeraldCredentialSpec *specs;
  const char *field, *secret;
  const char *prompt = NULL;
  g_autofree char *label = NULL;
  guint n_specs;

  if (save->next >= save->fields->len)
    {
      finish_save (task);
      return;
    }
  field = g_ptr_array_index (save->fields, save->next);
  secret = g_ptr_array_index (save->secrets, save->next);
  save->next++;
  specs = herald_account_get_credentials (save->account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    if (g_str_equal (specs[i].field, field))
      prompt = _ (specs[i].prompt);
  /* TRANSLATORS: keyring item label: account label, provider name, credential name */
  label = g_strdup_printf (_ ("%s on %s: %s (Herald)"), herald_account_get_label (save->account),
                           herald_account_get_provider_info (save->account)->name,
                           prompt ? prompt : field);
  herald_secret_store_async (herald_account_get_id (save->account), field, label, secret, NULL,
                             secret_stored_cb, task);
}

void
herald_account_save_async (HeraldAccountStore *store, HeraldHub *hub, HeraldAccount *account,
                           gboolean is_new, GHashTable *credentials, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task;
  Save *save;
  GHashTableIter iter;
  gpointer field, secret;

  g_return_if_fail (HERALD_IS_ACCOUNT_STORE (store));
  g_return_if_fail (hub == NULL || HERALD_IS_HUB (hub));
  g_return_if_fail (HERALD_IS_ACCOUNT (account));

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, herald_account_save_async);
  save = g_new0 (Save, 1);
  save->store = g_object_ref (store);
  save->hub = hub ? g_object_ref (hub) : NULL;
  save->account = g_object_ref (account);
  save->is_new = is_new;
  save->fields = g_ptr_array_new_with_free_func (g_free);
  save->secrets = g_ptr_array_new_with_free_func (herald_secret_wipe_free);
  if (credentials != NULL)
    {
      g_hash_table_iter_init (&iter, credentials);
      while (g_hash_table_iter_next (&iter, &field, &secret))
        {
          g_ptr_array_add (save->fields, g_strdup (field));
          g_ptr_array_add (save->secrets, g_strdup (secret));
        }
    }
  g_task_set_task_data (task, save, (GDestroyNotify)save_free);
  store_next_secret (task);
}

gboolean
herald_account_save_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
