/* herald-hub.c — one entry per account: read its credentials, build its feed and connection,
 * store what it receives. Signals: "event-added" (new events only, after the history
 * insert) and "state-changed" (account id, HeraldConnectionState, reason). */
#define G_LOG_DOMAIN "herald-hub"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-hub.h"
#include "herald-providers.h"
#include "herald-secret.h"

typedef struct
{
  HeraldHub *hub; /* unowned: the hub owns its entries */
  HeraldAccount *account;
  HeraldAccount *started_as; /* a copy of the account as the entry was last started */
  gulong changed_handler;
  HeraldConnection *connection;
  GCancellable *cancellable;
  GHashTable *credentials;
  guint pending_lookups;
  gboolean lookup_failed;
  HeraldConnectionState state;
  char *reason;
  gint64 retry_time; /* monotonic µs of the next attempt while backing off, else 0 */
} HubEntry;

struct _HeraldHub
{
  GObject parent_instance;

  GListModel *accounts;
  HeraldHistory *history;
  SoupSession *session;
  GNetworkMonitor *monitor;
  gboolean use_keyring;
  gboolean running;
  GHashTable *memory_credentials; /* "account\nfield" → secret */
  GHashTable *entries;            /* account id → HubEntry */
  GHashTable *announced_unstored; /* "account\nid" of events announced though the write failed */
};

G_DEFINE_FINAL_TYPE (HeraldHub, herald_hub, G_TYPE_OBJECT)

/* While writes fail, events announced anyway are remembered so a replaying feed does not
 * announce them again; bounded, since a long outage must not grow memory. */
#define MAX_UNSTORED_REMEMBERED 4096

enum
{
  SIGNAL_EVENT_ADDED,
  SIGNAL_STATE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void entry_start (HubEntry *entry);

static void
entry_set_state (HubEntry *entry, HeraldConnectionState state, const char *reason)
{
  if (entry->state == state && g_strcmp0 (entry->reason, reason) == 0)
    return;
  entry->state = state;
  g_free (entry->reason);
  entry->reason = g_strdup (reason);
  g_signal_emit (entry->hub, signals[SIGNAL_STATE_CHANGED], 0,
                 herald_account_get_id (entry->account), state, reason);
}

static void
entry_stop (HubEntry *entry)
{
  g_cancellable_cancel (entry->cancellable);
  g_clear_object (&entry->cancellable);
  g_clear_pointer (&entry->credentials, g_hash_table_unref);
  entry->pending_lookups = 0;
  entry->lookup_failed = FALSE;
  if (entry->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (entry->connection, entry);
      herald_connection_set_event_func (entry->connection, NULL, NULL);
      herald_connection_stop (entry->connection);
      g_clear_object (&entry->connection);
    }
}

static void
entry_free (HubEntry *entry)
{
  entry_stop (entry);
  g_clear_signal_handler (&entry->changed_handler, entry->account);
  g_clear_object (&entry->account);
  g_clear_object (&entry->started_as);
  g_free (entry->reason);
  g_free (entry);
}

static void
history_added_cb (HeraldHistory *history, HeraldEvent *event, HeraldHistoryOutcome outcome,
                  gpointer user_data)
{
  g_autoptr (HeraldHub) self = user_data;
  g_autofree char *key = NULL;
  HubEntry *entry;

  switch (outcome)
    {
    case HERALD_HISTORY_STORED:
      g_signal_emit (self, signals[SIGNAL_EVENT_ADDED], 0, event);
      break;
    case HERALD_HISTORY_NOT_STORED:
      /* The disk failed us, the user should not be failed too: announce it, once. */
      key = g_strconcat (herald_event_get_account (event), "\n", herald_event_get_id (event), NULL);
      if (g_hash_table_size (self->announced_unstored) >= MAX_UNSTORED_REMEMBERED)
        g_hash_table_remove_all (self->announced_unstored);
      if (g_hash_table_add (self->announced_unstored, g_steal_pointer (&key)))
        g_signal_emit (self, signals[SIGNAL_EVENT_ADDED], 0, event);
      break;
    case HERALD_HISTORY_DUPLICATE:
    default:
      entry = g_hash_table_lookup (self->entries, herald_event_get_account (event));
      if (entry != NULL && entry->connection != NULL)
        herald_connection_note_duplicate (entry->connection);
      break;
    }
}

static void
connection_event_cb (HeraldConnection *connection, HeraldEvent *event, gpointer user_data)
{
  HubEntry *entry = user_data;

  /* The history answers on this main context; the hub must outlive the answer. */
  herald_history_add (entry->hub->history, event, history_added_cb, g_object_ref (entry->hub));
}

static void
connection_state_cb (HeraldConnection *connection, GParamSpec *pspec, gpointer user_data)
{
  HubEntry *entry = user_data;
  HeraldConnectionState state = herald_connection_get_state (connection);

  /* Set before the signal, so its handlers can already say "retrying in N s". */
  entry->retry_time
    = state == HERALD_CONNECTION_BACKING_OFF
        ? g_get_monotonic_time () + (gint64)herald_connection_get_retry_delay_ms (connection) * 1000
        : 0;
  entry_set_state (entry, state, herald_connection_get_reason (connection));
}

static void
entry_connect (HubEntry *entry)
{
  HeraldHub *self = entry->hub;
  g_autoptr (HeraldFeed) feed = herald_feed_new_for_account (entry->account);
  GHashTableIter iter;
  gpointer field, secret;

  if (feed == NULL)
    {
      entry_set_state (entry, HERALD_CONNECTION_NEEDS_ATTENTION,
                       _ ("This provider is not supported yet"));
      return;
    }
  g_hash_table_iter_init (&iter, entry->credentials);
  while (g_hash_table_iter_next (&iter, &field, &secret))
    herald_feed_set_credential (feed, field, secret);
  g_clear_pointer (&entry->credentials, g_hash_table_unref);

  entry->connection = herald_connection_new (feed, self->session, self->monitor);
  herald_connection_set_event_func (entry->connection, connection_event_cb, entry);
  g_signal_connect (entry->connection, "notify::state", G_CALLBACK (connection_state_cb), entry);
  g_signal_connect (entry->connection, "notify::reason", G_CALLBACK (connection_state_cb), entry);
  herald_connection_start (entry->connection);
}

typedef struct
{
  HubEntry *entry;
  char *field;
  gboolean optional;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->field);
  g_free (lookup);
}

static void
secret_looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  g_autoptr (GError) error = NULL;
  char *secret = herald_secret_lookup_finish (result, &error);
  HubEntry *entry = lookup->entry;

  /* Cancelled: the entry was stopped or is gone; touch nothing of it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      lookup_free (lookup);
      return;
    }
  entry->pending_lookups--;
  if (secret != NULL)
    {
      g_hash_table_replace (entry->credentials, g_strdup (lookup->field), g_strdup (secret));
      herald_secret_free (secret);
    }
  else if (!(lookup->optional
             && g_error_matches (error, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NOT_FOUND))
           && !entry->lookup_failed)
    {
      entry->lookup_failed = TRUE;
      if (g_error_matches (error, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NOT_FOUND))
        entry_set_state (entry, HERALD_CONNECTION_NEEDS_ATTENTION,
                         _ ("The keyring holds no key for this account: add it again"));
      else
        entry_set_state (entry, HERALD_CONNECTION_NEEDS_ATTENTION, error->message);
    }
  lookup_free (lookup);

  if (entry->pending_lookups == 0 && !entry->lookup_failed)
    entry_connect (entry);
}

static void
entry_start (HubEntry *entry)
{
  HeraldHub *self = entry->hub;
  const HeraldCredentialSpec *specs;
  guint n_specs;

  entry_stop (entry);
  g_clear_object (&entry->started_as);
  entry->started_as = herald_account_copy (entry->account);
  if (!self->running || !herald_account_get_enabled (entry->account))
    {
      entry_set_state (entry, HERALD_CONNECTION_DISABLED, _ ("Disabled"));
      return;
    }

  entry->credentials
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, herald_secret_wipe_free);
  entry->cancellable = g_cancellable_new ();
  specs = herald_account_get_credentials (entry->account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      g_autofree char *key
        = g_strconcat (herald_account_get_id (entry->account), "\n", specs[i].field, NULL);
      const char *secret = g_hash_table_lookup (self->memory_credentials, key);
      Lookup *lookup;

      if (secret != NULL)
        {
          g_hash_table_replace (entry->credentials, g_strdup (specs[i].field), g_strdup (secret));
          continue;
        }
      if (!self->use_keyring)
        {
          if (!specs[i].optional)
            {
              entry_set_state (entry, HERALD_CONNECTION_NEEDS_ATTENTION,
                               _ ("The account has no key"));
              entry_stop (entry);
              return;
            }
          continue;
        }
      lookup = g_new0 (Lookup, 1);
      lookup->entry = entry;
      lookup->field = g_strdup (specs[i].field);
      lookup->optional = specs[i].optional;
      entry->pending_lookups++;
      herald_secret_lookup_async (herald_account_get_id (entry->account), specs[i].field,
                                  entry->cancellable, secret_looked_up_cb, lookup);
    }
  if (entry->pending_lookups == 0)
    entry_connect (entry);
  else
    entry_set_state (entry, HERALD_CONNECTION_CONNECTING, _ ("Reading the keys from the keyring…"));
}

/* TRUE when only the label differs: nothing the connection is built from. */
static gboolean
same_but_label (HeraldAccount *account, HeraldAccount *started_as)
{
  g_autoptr (HeraldAccount) relabelled = NULL;

  if (started_as == NULL)
    return FALSE;
  relabelled = herald_account_copy (started_as);
  herald_account_set_label (relabelled, herald_account_get_label (account));
  return herald_account_equal (account, relabelled);
}

static void
account_changed_cb (HeraldAccount *account, gpointer user_data)
{
  HubEntry *entry = user_data;

  /* A rename keeps the socket: reconnecting would lose what a feed without replay sends
   * in the gap. */
  if (same_but_label (account, entry->started_as))
    return;
  /* Endpoint, options or the enabled switch changed: the simplest correct answer is a
   * fresh start with the account as it is now. */
  entry_start (entry);
}

static void
sync_entries (HeraldHub *self)
{
  guint n = g_list_model_get_n_items (self->accounts);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer id;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (self->accounts, i);
      const char *account_id = herald_account_get_id (account);
      HubEntry *entry = g_hash_table_lookup (self->entries, account_id);

      g_hash_table_add (seen, (gpointer)account_id);
      if (entry != NULL && entry->account == account)
        continue;
      if (entry != NULL)
        g_hash_table_remove (self->entries, account_id);

      entry = g_new0 (HubEntry, 1);
      entry->hub = self;
      entry->account = g_object_ref (account);
      entry->state = HERALD_CONNECTION_DISABLED;
      entry->changed_handler
        = g_signal_connect (account, "changed", G_CALLBACK (account_changed_cb), entry);
      g_hash_table_insert (self->entries, g_strdup (account_id), entry);
      entry_start (entry);
    }

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (seen, id))
      g_hash_table_iter_remove (&iter);
}

static void
accounts_changed_cb (GListModel *model, guint position, guint removed, guint added,
                     gpointer user_data)
{
  HeraldHub *self = user_data;

  if (self->running)
    sync_entries (self);
}

static void
herald_hub_dispose (GObject *object)
{
  HeraldHub *self = HERALD_HUB (object);

  self->running = FALSE;
  if (self->accounts != NULL)
    g_signal_handlers_disconnect_by_data (self->accounts, self);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->accounts);
  g_clear_object (&self->history);
  g_clear_object (&self->session);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->memory_credentials, g_hash_table_unref);
  g_clear_pointer (&self->announced_unstored, g_hash_table_unref);
  G_OBJECT_CLASS (herald_hub_parent_class)->dispose (object);
}

static void
herald_hub_class_init (HeraldHubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = herald_hub_dispose;

  signals[SIGNAL_EVENT_ADDED] = g_signal_new (
    "event-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
    g_cclosure_marshal_VOID__BOXED, G_TYPE_NONE, 1, HERALD_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* Typed marshallers: the generic one goes through libffi, once per event in a burst. */
  g_signal_set_va_marshaller (signals[SIGNAL_EVENT_ADDED], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);
  signals[SIGNAL_STATE_CHANGED] = g_signal_new (
    "state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
    3, G_TYPE_STRING, HERALD_TYPE_CONNECTION_STATE, G_TYPE_STRING);
}

static void
herald_hub_init (HeraldHub *self)
{
  self->use_keyring = TRUE;
  self->memory_credentials
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, herald_secret_wipe_free);
  self->entries
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)entry_free);
  self->announced_unstored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

HeraldHub *
herald_hub_new (GListModel *accounts, HeraldHistory *history, SoupSession *session,
                GNetworkMonitor *monitor)
{
  HeraldHub *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (accounts), NULL);
  g_return_val_if_fail (HERALD_IS_HISTORY (history), NULL);

  self = g_object_new (HERALD_TYPE_HUB, NULL);
  self->accounts = g_object_ref (accounts);
  self->history = g_object_ref (history);
  if (session != NULL)
    self->session = g_object_ref (session);
  else
    {
      g_autofree char *user_agent = g_strdup_printf ("Herald/%s", PACKAGE_VERSION);

      self->session = soup_session_new_with_options ("user-agent", user_agent, "timeout", 30, NULL);
    }
  /* NULL stays NULL: each connection then uses the default monitor its own way. */
  self->monitor = monitor ? g_object_ref (monitor) : NULL;
  g_signal_connect (accounts, "items-changed", G_CALLBACK (accounts_changed_cb), self);
  return self;
}

void
herald_hub_set_use_keyring (HeraldHub *self, gboolean use_keyring)
{
  g_return_if_fail (HERALD_IS_HUB (self));
  self->use_keyring = use_keyring;
}

void
herald_hub_set_memory_credential (HeraldHub *self, const char *account_id, const char *field,
                                  const char *secret)
{
  g_return_if_fail (HERALD_IS_HUB (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (field != NULL);

  g_hash_table_replace (self->memory_credentials, g_strconcat (account_id, "\n", field, NULL),
                        g_strdup (secret));
}

void
herald_hub_start (HeraldHub *self)
{
  g_autoptr (GPtrArray) stopped = NULL;
  GHashTableIter iter;
  gpointer id;

  g_return_if_fail (HERALD_IS_HUB (self));

  if (self->running)
    return;
  self->running = TRUE;
  /* sync_entries() starts only accounts it has not seen, so the entries a herald_hub_stop()
   * left behind are started here. By id: a "state-changed" handler may change the list. */
  stopped = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    g_ptr_array_add (stopped, g_strdup (id));
  sync_entries (self);
  for (guint i = 0; i < stopped->len && self->running; i++)
    {
      HubEntry *entry = g_hash_table_lookup (self->entries, g_ptr_array_index (stopped, i));

      /* Entries sync_entries() just replaced are already on their way. */
      if (entry != NULL && entry->connection == NULL && entry->cancellable == NULL)
        entry_start (entry);
    }
}

void
herald_hub_stop (HeraldHub *self)
{
  GHashTableIter iter;
  gpointer entry;

  g_return_if_fail (HERALD_IS_HUB (self));

  self->running = FALSE;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &entry))
    {
      entry_stop (entry);
      entry_set_state (entry, HERALD_CONNECTION_DISABLED, _ ("Disabled"));
    }
}

HeraldConnection *
herald_hub_get_connection (HeraldHub *self, const char *account_id)
{
  HubEntry *entry;

  g_return_val_if_fail (HERALD_IS_HUB (self), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);

  entry = g_hash_table_lookup (self->entries, account_id);
  return entry ? entry->connection : NULL;
}

HeraldConnectionState
herald_hub_get_state (HeraldHub *self, const char *account_id, const char **out_reason)
{
  HubEntry *entry;

  g_return_val_if_fail (HERALD_IS_HUB (self), HERALD_CONNECTION_DISABLED);
  g_return_val_if_fail (account_id != NULL, HERALD_CONNECTION_DISABLED);

  entry = g_hash_table_lookup (self->entries, account_id);
  if (out_reason != NULL)
    *out_reason = entry ? entry->reason : NULL;
  return entry ? entry->state : HERALD_CONNECTION_DISABLED;
}

gint64
herald_hub_get_retry_time (HeraldHub *self, const char *account_id)
{
  HubEntry *entry;

  g_return_val_if_fail (HERALD_IS_HUB (self), 0);
  g_return_val_if_fail (account_id != NULL, 0);

  entry = g_hash_table_lookup (self->entries, account_id);
  return entry != NULL && entry->state == HERALD_CONNECTION_BACKING_OFF ? entry->retry_time : 0;
}

void
herald_hub_retry (HeraldHub *self, const char *account_id)
{
  HubEntry *entry;

  g_return_if_fail (HERALD_IS_HUB (self));
  g_return_if_fail (account_id != NULL);

  entry = g_hash_table_lookup (self->entries, account_id);
  if (entry != NULL)
    entry_start (entry);
}

HeraldHistory *
herald_hub_get_history (HeraldHub *self)
{
  g_return_val_if_fail (HERALD_IS_HUB (self), NULL);
  return self->history;
}

HeraldAccount *
herald_hub_get_account (HeraldHub *self, const char *account_id)
{
  HubEntry *entry;

  g_return_val_if_fail (HERALD_IS_HUB (self), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);

  entry = g_hash_table_lookup (self->entries, account_id);
  return entry ? entry->account : NULL;
}

GListModel *
herald_hub_get_accounts (HeraldHub *self)
{
  g_return_val_if_fail (HERALD_IS_HUB (self), NULL);
  return self->accounts;
}
