/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-store.c — accounts.ini as the list of accounts: load, save, watch.
 * The GKeyFile is the source of truth, so keys and groups Herald does not know survive saves. */
#define G_LOG_DOMAIN "herald-account-store"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "herald-account-store.h"

#define GROUP_PREFIX "Account "
#define KEY_PROVIDER "provider"
#define KEY_LABEL "label"
#define KEY_ENDPOINT "endpoint"
#define KEY_ENABLED "enabled"

/* Long enough to gather the events of one rewrite (a temporary file renamed over the old one)
 * into a single reload, short enough to feel immediate. */
#define RELOAD_DELAY_MS 100

struct _HeraldAccountStore
{
  GObject parent_instance;

  char *path;
  /* The file as last read or written. Only the keys Herald knows are ever changed in it. */
  GKeyFile *key_file;
  /* Its bytes, to tell a real change from the echo of our own save; NULL = no file. */
  GBytes *contents;
  gboolean loaded;

  GPtrArray *accounts; /* HeraldAccount, in the order they were added */
  char *moved_aside_path;

  GFileMonitor *monitor;
  guint reload_source;
};

static void herald_account_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeraldAccountStore, herald_account_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      herald_account_store_list_model_init))

enum
{
  PROP_0,
  PROP_PATH,
  PROP_MOVED_ASIDE_PATH,
  N_PROPS
};

enum
{
  ACCOUNT_ADDED,
  ACCOUNT_REMOVED,
  ACCOUNT_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
bytes_equal0 (GBytes *a, GBytes *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_bytes_equal (a, b);
}

static char *
group_for_id (const char *id)
{
  return g_strconcat (GROUP_PREFIX, id, NULL);
}

/* Ids arrive from command lines: only repeat one in a message when it is a plain id. */
static void
set_not_found (GError **error, const char *id)
{
  if (herald_account_id_is_valid (id))
    g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_NOT_FOUND,
                 _ ("There is no account “%s”"), id);
  else
    g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_NOT_FOUND,
                 _ ("There is no account with that id"));
}

static HeraldAccount *
find_in (GPtrArray *accounts, const char *id, guint *out_index)
{
  for (guint i = 0; i < accounts->len; i++)
    {
      HeraldAccount *account = g_ptr_array_index (accounts, i);

      if (g_str_equal (herald_account_get_id (account), id))
        {
          if (out_index != NULL)
            *out_index = i;
          return account;
        }
    }
  return NULL;
}

static HeraldAccount *
account_from_group (GKeyFile *key_file, const char *group, GError **error)
{
  const char *id = group + strlen (GROUP_PREFIX);
  const HeraldProviderInfo *info;
  g_autoptr (HeraldAccount) account = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *label = NULL;

  if (!herald_account_id_is_valid (id))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED,
                   "the id is not made of letters, digits, “-”, “_” and “.”");
      return NULL;
    }

  provider = g_key_file_get_string (key_file, group, KEY_PROVIDER, error);
  if (provider == NULL)
    return NULL;
  info = herald_provider_info_lookup (provider);
  if (info == NULL)
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_UNKNOWN_PROVIDER,
                   "unknown provider “%s”", provider);
      return NULL;
    }

  account = herald_account_new (info->kind, id);

  label = g_key_file_get_string (key_file, group, KEY_LABEL, error);
  if (label == NULL)
    return NULL;
  herald_account_set_label (account, label);

  if (g_key_file_has_key (key_file, group, KEY_ENDPOINT, NULL))
    {
      g_autofree char *endpoint = g_key_file_get_string (key_file, group, KEY_ENDPOINT, error);

      if (endpoint == NULL)
        return NULL;
      herald_account_set_endpoint (account, endpoint);
    }

  if (g_key_file_has_key (key_file, group, KEY_ENABLED, NULL))
    {
      g_autoptr (GError) local_error = NULL;
      gboolean enabled = g_key_file_get_boolean (key_file, group, KEY_ENABLED, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      herald_account_set_enabled (account, enabled);
    }

  for (guint i = 0; i < info->n_options; i++)
    {
      const HeraldProviderOption *option = &info->options[i];
      g_auto (GStrv) values = NULL;

      if (!g_key_file_has_key (key_file, group, option->key, NULL))
        continue;
      if (option->repeatable)
        values = g_key_file_get_string_list (key_file, group, option->key, NULL, error);
      else
        {
          char *value = g_key_file_get_string (key_file, group, option->key, error);

          if (value != NULL)
            {
              values = g_new0 (char *, 2);
              values[0] = value;
            }
        }
      if (values == NULL)
        return NULL;
      herald_account_set_option_values (account, option->key, (const char *const *)values);
    }

  if (!herald_account_validate (account, error))
    return NULL;

  return g_steal_pointer (&account);
}

static GPtrArray *
accounts_from_key_file (HeraldAccountStore *self, GKeyFile *key_file)
{
  GPtrArray *accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) groups = g_key_file_get_groups (key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      HeraldAccount *account;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        continue;

      account = account_from_group (key_file, groups[i], &error);
      if (account == NULL)
        {
          /* Likely written by a newer Herald or edited by hand: keep it for them. */
          g_warning ("Skipping [%s] in %s, kept unchanged: %s", groups[i], self->path,
                     error->message);
          continue;
        }
      if (find_in (accounts, herald_account_get_id (account), NULL) != NULL)
        {
          g_warning ("Skipping [%s] in %s: the group appears twice", groups[i], self->path);
          g_object_unref (account);
          continue;
        }
      g_ptr_array_add (accounts, account);
    }

  return accounts;
}

static void
account_to_group (GKeyFile *key_file, HeraldAccount *account)
{
  const HeraldProviderInfo *info = herald_account_get_provider_info (account);
  g_autofree char *group = group_for_id (herald_account_get_id (account));

  g_key_file_set_string (key_file, group, KEY_PROVIDER, info->id);
  g_key_file_set_string (key_file, group, KEY_LABEL, herald_account_get_label (account));
  /* The default is left out so accounts follow it if a provider moves its service. */
  if (g_str_equal (herald_account_get_endpoint (account), info->default_endpoint))
    g_key_file_remove_key (key_file, group, KEY_ENDPOINT, NULL);
  else
    g_key_file_set_string (key_file, group, KEY_ENDPOINT, herald_account_get_endpoint (account));
  g_key_file_set_boolean (key_file, group, KEY_ENABLED, herald_account_get_enabled (account));

  for (guint i = 0; i < info->n_options; i++)
    {
      const HeraldProviderOption *option = &info->options[i];
      const char *const *values = herald_account_get_option_values (account, option->key);

      if (values[0] == NULL)
        g_key_file_remove_key (key_file, group, option->key, NULL);
      else if (option->repeatable)
        g_key_file_set_string_list (key_file, group, option->key, values,
                                    g_strv_length ((char **)values));
      else
        g_key_file_set_string (key_file, group, option->key, values[0]);
    }
}

static gboolean
read_contents (HeraldAccountStore *self, GBytes **out_contents, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  char *data = NULL;
  gsize length = 0;

  *out_contents = NULL;
  if (!g_file_get_contents (self->path, &data, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED,
                   _ ("Could not read the account list: %s"), local_error->message);
      return FALSE;
    }
  *out_contents = g_bytes_new_take (data, length);
  return TRUE;
}

static gboolean
move_aside (HeraldAccountStore *self, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", self->path, stamp);
  int saved_errno;

  /* Never overwrite an earlier damaged copy: it may be the only one left. */
  for (guint n = 2; g_file_test (target, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK); n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", self->path, stamp, n);
    }

  if (g_rename (self->path, target) != 0)
    {
      saved_errno = errno;
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED,
                   _ ("The account list “%s” is damaged and could not be moved aside: %s"),
                   self->path, g_strerror (saved_errno));
      return FALSE;
    }

  g_warning ("%s is not a valid key file; moved it to %s", self->path, target);
  g_free (self->moved_aside_path);
  self->moved_aside_path = g_steal_pointer (&target);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MOVED_ASIDE_PATH]);
  return TRUE;
}

static void
remove_at (HeraldAccountStore *self, guint position)
{
  g_autoptr (HeraldAccount) account = g_ptr_array_steal_index (self->accounts, position);

  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_signal_emit (self, signals[ACCOUNT_REMOVED], 0, account);
}

static void
append (HeraldAccountStore *self, HeraldAccount *account)
{
  g_ptr_array_add (self->accounts, g_object_ref (account));
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account);
}

/* Brings the list in line with `fresh`, keeping the objects of accounts that stay so that
 * whoever holds them sees the change. `keep_id` is an account being saved from memory: its
 * in-memory values win over the file's. */
static void
apply_differences (HeraldAccountStore *self, GPtrArray *fresh, const char *keep_id)
{
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->accounts->len; i++)
    {
      HeraldAccount *old = g_ptr_array_index (self->accounts, i);
      HeraldAccount *new = find_in (fresh, herald_account_get_id (old), NULL);

      /* The provider is fixed at construction: a changed one makes a different account. */
      if (new == NULL || herald_account_get_provider (new) != herald_account_get_provider (old))
        g_ptr_array_add (gone, g_object_ref (old));
    }
  for (guint i = 0; i < gone->len; i++)
    {
      guint position;

      if (g_ptr_array_find (self->accounts, g_ptr_array_index (gone, i), &position))
        remove_at (self, position);
    }

  for (guint i = 0; i < fresh->len; i++)
    {
      HeraldAccount *new = g_ptr_array_index (fresh, i);
      HeraldAccount *old = find_in (self->accounts, herald_account_get_id (new), NULL);

      if (old == NULL)
        append (self, new);
      else if (g_strcmp0 (keep_id, herald_account_get_id (old)) != 0
               && !herald_account_equal (old, new))
        {
          g_autoptr (HeraldAccount) hold = g_object_ref (old);

          herald_account_assign (old, new);
          g_signal_emit (self, signals[ACCOUNT_CHANGED], 0, old);
        }
    }
}

/* Picks up what is on disk now. With `move_corrupt` FALSE an unparsable file is left alone and
 * the store keeps what it has: a watcher may see an editor's half-written file. */
static gboolean
sync_from_disk (HeraldAccountStore *self, const char *keep_id, gboolean move_corrupt,
                GError **error)
{
  g_autoptr (GBytes) contents = NULL;
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (GPtrArray) fresh = NULL;

  if (!read_contents (self, &contents, error))
    return FALSE;
  if (self->loaded && bytes_equal0 (contents, self->contents))
    return TRUE;

  if (contents != NULL)
    {
      g_autoptr (GError) parse_error = NULL;
      gsize size;
      const char *data = g_bytes_get_data (contents, &size);

      if (!g_key_file_load_from_data (key_file, data, size,
                                      G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                      &parse_error))
        {
          g_debug ("%s does not parse: %s", self->path, parse_error->message);
          if (!move_corrupt)
            {
              g_warning ("%s is not a valid key file (%s); ignoring it until it changes again",
                         self->path, parse_error->message);
              return TRUE;
            }
          if (!move_aside (self, error))
            return FALSE;
          g_clear_pointer (&contents, g_bytes_unref);
          g_clear_pointer (&key_file, g_key_file_unref);
          key_file = g_key_file_new ();
        }
    }

  fresh = accounts_from_key_file (self, key_file);

  g_clear_pointer (&self->key_file, g_key_file_unref);
  self->key_file = g_steal_pointer (&key_file);
  g_clear_pointer (&self->contents, g_bytes_unref);
  self->contents = g_steal_pointer (&contents);
  self->loaded = TRUE;

  apply_differences (self, fresh, keep_id);
  return TRUE;
}

/* A GKeyFile cannot be copied; going through its text keeps comments and unknown keys.
 * GKeyFile reads back what it wrote, but the text began as a file a person may have edited:
 * should a round trip ever fail, the change is refused rather than the program stopped. */
static GKeyFile *
dup_key_file (HeraldAccountStore *self, GError **error)
{
  g_autoptr (GKeyFile) copy = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  data = g_key_file_to_data (self->key_file, &length, NULL);
  if (!g_key_file_load_from_data (
        copy, data, length, G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, &local_error))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED,
                   _ ("Could not change the account list: %s"), local_error->message);
      return NULL;
    }
  return g_steal_pointer (&copy);
}

/* Writes `key_file` in place of the file; on success it becomes the store's key file. */
static gboolean
save (HeraldAccountStore *self, GKeyFile *key_file, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *data = NULL;
  gsize length;

  data = g_key_file_to_data (key_file, &length, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED,
                   _ ("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* The file holds no secret, but which services someone uses is nobody else's business. */
  if (!g_file_set_contents_full (self->path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600,
                                 &local_error))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED,
                   _ ("Could not save the account list: %s"), local_error->message);
      return FALSE;
    }

  g_clear_pointer (&self->key_file, g_key_file_unref);
  self->key_file = g_key_file_ref (key_file);
  g_clear_pointer (&self->contents, g_bytes_unref);
  self->contents = g_bytes_new_take (g_steal_pointer (&data), length);
  return TRUE;
}

static gboolean
reload_cb (gpointer user_data)
{
  HeraldAccountStore *self = user_data;
  g_autoptr (GError) error = NULL;

  self->reload_source = 0;
  if (!sync_from_disk (self, NULL, FALSE, &error))
    g_warning ("Could not reload %s: %s", self->path, error->message);
  return G_SOURCE_REMOVE;
}

static void
file_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other_file, GFileMonitorEvent event,
                 gpointer user_data)
{
  HeraldAccountStore *self = user_data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_RENAMED:
      g_clear_handle_id (&self->reload_source, g_source_remove);
      self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
      break;
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    case G_FILE_MONITOR_EVENT_MOVED:
    default:
      break;
    }
}

static GType
herald_account_store_get_item_type (GListModel *model)
{
  return HERALD_TYPE_ACCOUNT;
}

static guint
herald_account_store_get_n_items (GListModel *model)
{
  return HERALD_ACCOUNT_STORE (model)->accounts->len;
}

static gpointer
herald_account_store_get_item (GListModel *model, guint position)
{
  HeraldAccountStore *self = HERALD_ACCOUNT_STORE (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
herald_account_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = herald_account_store_get_item_type;
  iface->get_n_items = herald_account_store_get_n_items;
  iface->get_item = herald_account_store_get_item;
}

static void
herald_account_store_constructed (GObject *object)
{
  HeraldAccountStore *self = HERALD_ACCOUNT_STORE (object);

  G_OBJECT_CLASS (herald_account_store_parent_class)->constructed (object);

  if (self->path == NULL)
    self->path = herald_account_store_default_path ();
}

static void
herald_account_store_dispose (GObject *object)
{
  HeraldAccountStore *self = HERALD_ACCOUNT_STORE (object);

  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, file_changed_cb, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  g_ptr_array_set_size (self->accounts, 0);

  G_OBJECT_CLASS (herald_account_store_parent_class)->dispose (object);
}

static void
herald_account_store_finalize (GObject *object)
{
  HeraldAccountStore *self = HERALD_ACCOUNT_STORE (object);

  g_free (self->path);
  g_free (self->moved_aside_path);
  g_clear_pointer (&self->key_file, g_key_file_unref);
  g_clear_pointer (&self->contents, g_bytes_unref);
  g_ptr_array_unref (self->accounts);

  G_OBJECT_CLASS (herald_account_store_parent_class)->finalize (object);
}

static void
herald_account_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HeraldAccountStore *self = HERALD_ACCOUNT_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_MOVED_ASIDE_PATH:
      g_value_set_string (value, self->moved_aside_path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_account_store_set_property (GObject *object, guint prop_id, const GValue *value,
                                   GParamSpec *pspec)
{
  HeraldAccountStore *self = HERALD_ACCOUNT_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_account_store_class_init (HeraldAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = herald_account_store_constructed;
  object_class->dispose = herald_account_store_dispose;
  object_class->finalize = herald_account_store_finalize;
  object_class->get_property = herald_account_store_get_property;
  object_class->set_property = herald_account_store_set_property;

  properties[PROP_PATH] = g_param_spec_string (
    "path", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MOVED_ASIDE_PATH]
    = g_param_spec_string ("moved-aside-path", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACCOUNT_ADDED]
    = g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, HERALD_TYPE_ACCOUNT);
  signals[ACCOUNT_REMOVED]
    = g_signal_new ("account-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, HERALD_TYPE_ACCOUNT);
  signals[ACCOUNT_CHANGED]
    = g_signal_new ("account-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, HERALD_TYPE_ACCOUNT);
}

static void
herald_account_store_init (HeraldAccountStore *self)
{
  self->key_file = g_key_file_new ();
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
}

char *
herald_account_store_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "herald", "accounts.ini", NULL);
}

HeraldAccountStore *
herald_account_store_new (const char *path)
{
  return g_object_new (HERALD_TYPE_ACCOUNT_STORE, "path", path, NULL);
}

const char *
herald_account_store_get_path (HeraldAccountStore *self)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT_STORE (self), NULL);
  return self->path;
}

gboolean
herald_account_store_load (HeraldAccountStore *self, GError **error)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return sync_from_disk (self, NULL, TRUE, error);
}

const char *
herald_account_store_get_moved_aside_path (HeraldAccountStore *self)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT_STORE (self), NULL);
  return self->moved_aside_path;
}

HeraldAccount *
herald_account_store_lookup (HeraldAccountStore *self, const char *id)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT_STORE (self), NULL);

  if (id == NULL)
    return NULL;
  return find_in (self->accounts, id, NULL);
}

gboolean
herald_account_store_add (HeraldAccountStore *self, HeraldAccount *account, GError **error)
{
  g_autoptr (GKeyFile) key_file = NULL;
  g_autofree char *group = NULL;
  const char *id;

  g_return_val_if_fail (HERALD_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (HERALD_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!herald_account_validate (account, error))
    return FALSE;
  if (!sync_from_disk (self, NULL, TRUE, error))
    return FALSE;

  id = herald_account_get_id (account);
  group = group_for_id (id);
  /* A group we could not read still belongs to someone: do not write over it. */
  if (find_in (self->accounts, id, NULL) != NULL || g_key_file_has_group (self->key_file, group))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_DUPLICATE,
                   _ ("There is already an account “%s”"), id);
      return FALSE;
    }

  key_file = dup_key_file (self, error);
  if (key_file == NULL)
    return FALSE;
  account_to_group (key_file, account);
  if (!save (self, key_file, error))
    return FALSE;

  append (self, account);
  return TRUE;
}

gboolean
herald_account_store_update (HeraldAccountStore *self, HeraldAccount *account, GError **error)
{
  g_autoptr (GKeyFile) key_file = NULL;
  g_autoptr (HeraldAccount) stored = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean values_differ;
  gboolean file_differs;
  const char *id;

  g_return_val_if_fail (HERALD_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (HERALD_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!herald_account_validate (account, error))
    return FALSE;

  id = herald_account_get_id (account);
  if (!sync_from_disk (self, id, TRUE, error))
    return FALSE;

  stored = find_in (self->accounts, id, NULL);
  if (stored == NULL)
    {
      set_not_found (error, id);
      return FALSE;
    }
  g_object_ref (stored);
  if (herald_account_get_provider (stored) != herald_account_get_provider (account))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_FAILED,
                   _ ("The provider of account “%s” cannot be changed"), id);
      return FALSE;
    }

  key_file = dup_key_file (self, error);
  if (key_file == NULL)
    return FALSE;
  account_to_group (key_file, account);
  /* Compared as GKeyFile writes them, so a hand-formatted file alone is no change. */
  before = g_key_file_to_data (self->key_file, NULL, NULL);
  after = g_key_file_to_data (key_file, NULL, NULL);
  file_differs = self->contents == NULL || !g_str_equal (before, after);
  values_differ = stored != account && !herald_account_equal (stored, account);

  if (file_differs && !save (self, key_file, error))
    return FALSE;

  if (values_differ)
    herald_account_assign (stored, account);
  if (file_differs || values_differ)
    g_signal_emit (self, signals[ACCOUNT_CHANGED], 0, stored);
  return TRUE;
}

gboolean
herald_account_store_remove (HeraldAccountStore *self, const char *id, GError **error)
{
  g_autoptr (GKeyFile) key_file = NULL;
  g_autofree char *group = NULL;
  guint position;

  g_return_val_if_fail (HERALD_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!sync_from_disk (self, NULL, TRUE, error))
    return FALSE;
  if (find_in (self->accounts, id, &position) == NULL)
    {
      set_not_found (error, id);
      return FALSE;
    }

  group = group_for_id (id);
  key_file = dup_key_file (self, error);
  if (key_file == NULL)
    return FALSE;
  g_key_file_remove_group (key_file, group, NULL);
  if (!save (self, key_file, error))
    return FALSE;

  remove_at (self, position);
  return TRUE;
}

void
herald_account_store_watch (HeraldAccountStore *self)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (HERALD_IS_ACCOUNT_STORE (self));

  if (self->monitor != NULL)
    return;

  file = g_file_new_for_path (self->path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
  if (self->monitor == NULL)
    {
      g_warning ("Cannot watch %s for changes: %s", self->path, error->message);
      return;
    }
  g_signal_connect (self->monitor, "changed", G_CALLBACK (file_changed_cb), self);
}
