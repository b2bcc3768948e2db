/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-hub.c — one entry per account: read its credentials, build its feed and connection,
 * store what it receives. Signals: "event-added" (new events only, after the history
 * insert) and "state-changed" (account id, HeraldConnectionState, reason).
 *
 * Threads: the hub, its entries, the accounts and the signals stay on the thread that made the
 * hub (the UI's). Connections, feeds, their timers and keyring lookups live on the receiver
 * thread (herald-hub-receiver.c), so a burst is read and parsed off the UI's loop. Commands go
 * there in order (start, stop); state changes come back in order, each tagged with the
 * generation of the start it belongs to, and the entry mirrors them. Events reach the history
 * from the receiver and come back through its batched callbacks. */
#define G_LOG_DOMAIN "herald-hub"

#include "config.h"

#include <string.h>
#if HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

#include <glib/gi18n-lib.h>

#include "herald-hub-receiver.h"
#include "herald-hub.h"
#include "herald-secret.h"
#include "herald-timeout.h"

typedef struct
{
  HeraldHub *hub; /* unowned: the hub owns its entries */
  HeraldAccount *account;
  HeraldAccount *started_as; /* a copy of the account as the entry was last started */
  gulong changed_handler;
  /* Bumped by every start and stop: a state change of an earlier start is stale. */
  guint generation;
  gboolean started; /* handed to the receiver since the last stop */
  HeraldConnectionState state;
  char *reason;
  gint64 retry_at_us; /* while backing off: when the next attempt is due (monotonic) */
  guint64 duplicates; /* the history's answers, counted here since the last start */
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
  HeraldHubReceiver *receiver;
  HeraldHubBackoff backoff;
  guint64 answers;         /* history answers since the last trim */
  guint64 answers_checked; /* …as seen by the last quiet check */
  guint quiet_source;
};

G_DEFINE_FINAL_TYPE (HeraldHub, herald_hub, G_TYPE_OBJECT)

/* While writes fail, events announced anyway are remembered so a replaying feed does not
 * announce them again; bounded, since a long outage must not grow memory. */
#define MAX_UNSTORED_REMEMBERED 4096

/* After a burst, once the history has answered nothing for this long, free heap memory goes
 * back to the system: glibc keeps it otherwise, and a burst leaves tens of MiB. */
#define QUIET_BEFORE_TRIM_MS 3000
#define TRIM_AFTER_EVENTS 1000

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
  if (state != HERALD_CONNECTION_BACKING_OFF)
    entry->retry_at_us = 0;
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
  entry->generation++;
  if (!entry->started)
    return;
  entry->started = FALSE;
  if (entry->hub->receiver != NULL)
    herald_hub_receiver_stop (entry->hub->receiver, herald_account_get_id (entry->account));
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

static gboolean
quiet_check_cb (gpointer user_data)
{
  HeraldHub *self = user_data;

  if (self->answers != self->answers_checked)
    {
      self->answers_checked = self->answers;
      return G_SOURCE_CONTINUE;
    }
  self->quiet_source = 0;
  if (self->answers >= TRIM_AFTER_EVENTS && self->receiver != NULL)
    {
      herald_history_release_memory (self->history);
      herald_hub_receiver_trim (self->receiver);
    }
  self->answers = self->answers_checked = 0;
  return G_SOURCE_REMOVE;
}

static void
history_added_cb (HeraldHistory *history, HeraldEvent *event, HeraldHistoryOutcome outcome,
                  gpointer user_data)
{
  g_autoptr (HeraldHub) self = user_data;
  g_autofree char *key = NULL;
  HubEntry *entry;

  /* Answers after dispose (the receiver had queued them): nobody to tell. */
  if (self->entries == NULL)
    return;
  /* One timer per quiet spell, not per event: it comes back while answers keep coming. */
  if (self->answers++ == 0 && self->quiet_source == 0)
    self->quiet_source = herald_timeout_add_local (QUIET_BEFORE_TRIM_MS, quiet_check_cb, self);
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
      if (entry != NULL)
        entry->duplicates++;
      break;
    }
}

static void
receiver_state_cb (gpointer owner, const char *account_id, guint generation,
                   HeraldConnectionState state, const char *reason, gint64 retry_at_us)
{
  HeraldHub *self = owner;
  HubEntry *entry = g_hash_table_lookup (self->entries, account_id);

  /* Stale: from a start the entry has since stopped or replaced. */
  if (entry == NULL || entry->generation != generation || !entry->started)
    return;
  /* Set first: a "state-changed" handler asks for it. */
  entry->retry_at_us = retry_at_us;
  entry_set_state (entry, state, reason);
}

static void
entry_start (HubEntry *entry)
{
  HeraldHub *self = entry->hub;
  const HeraldCredentialSpec *specs;
  guint n_specs;

  g_autoptr (GHashTable) credentials = NULL;
  g_autoptr (GPtrArray) keyring_fields = NULL;
  g_autoptr (GPtrArray) optional_fields = NULL;

  entry_stop (entry);
  g_clear_object (&entry->started_as);
  entry->started_as = herald_account_copy (entry->account);
  entry->duplicates = 0;
  if (!self->running || !herald_account_get_enabled (entry->account))
    {
      entry_set_state (entry, HERALD_CONNECTION_DISABLED, _ ("Disabled"));
      return;
    }

  /* What needs no I/O is decided here, at once; the keyring is read on the receiver. */
  credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, herald_secret_wipe_free);
  keyring_fields = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  optional_fields = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  specs = herald_account_get_credentials (entry->account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      g_autofree char *key
        = g_strconcat (herald_account_get_id (entry->account), "\n", specs[i].field, NULL);
      const char *secret = g_hash_table_lookup (self->memory_credentials, key);

      if (secret != NULL)
        {
          g_hash_table_replace (credentials, g_strdup (specs[i].field), g_strdup (secret));
          continue;
        }
      if (!self->use_keyring)
        {
          if (!specs[i].optional)
            {
              entry_set_state (entry, HERALD_CONNECTION_NEEDS_ATTENTION,
                               _ ("The account has no key"));
              return;
            }
          continue;
        }
      g_ptr_array_add (keyring_fields, g_strdup (specs[i].field));
      if (specs[i].optional)
        g_ptr_array_add (optional_fields, g_strdup (specs[i].field));
    }
  entry->started = TRUE;
  herald_hub_receiver_start (self->receiver, entry->account, entry->generation,
                             g_steal_pointer (&credentials),
                             (const char *const *)keyring_fields->pdata,
                             (const char *const *)optional_fields->pdata, &self->backoff);
  /* Said at once, not when the receiver first reports: a Retry clicked in the window or the
   * tray shows its effect before the next frame. */
  entry_set_state (entry, HERALD_CONNECTION_CONNECTING,
                   keyring_fields->len > 0 ? _ ("Reading the keys from the keyring…")
                                           : _ ("Connecting…"));
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
  /* Connections close and the thread is joined before anything they use goes. */
  g_clear_pointer (&self->receiver, herald_hub_receiver_free);
  herald_source_clear_local (&self->quiet_source);
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
  /* NULL: the receiver makes the session on its own thread, where it is used. */
  self->session = session ? g_object_ref (session) : NULL;
  /* NULL stays NULL: each connection then uses the default monitor its own way. It is made
   * here all the same, so that it reports on this thread's context, not the receiver's. */
  self->monitor = monitor ? g_object_ref (monitor) : NULL;
  if (monitor == NULL)
    g_network_monitor_get_default ();
  self->receiver = herald_hub_receiver_new (G_OBJECT (self), history, self->session, self->monitor,
                                            history_added_cb, receiver_state_cb);
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
      if (entry != NULL && !entry->started)
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
  /* Stopped means stopped: no event is queued once this returns (a herald_history_flush ()
   * then sees the last of them). A socket in a burst is closed at its next event, so this is
   * a short wait. */
  if (self->receiver != NULL)
    herald_hub_receiver_sync (self->receiver);
}

gboolean
herald_hub_get_counters (HeraldHub *self, const char *account_id, HeraldConnectionCounters *out)
{
  HubEntry *entry;
  HeraldConnectionCounters counters = { 0 };

  g_return_val_if_fail (HERALD_IS_HUB (self), FALSE);
  g_return_val_if_fail (account_id != NULL, FALSE);

  entry = g_hash_table_lookup (self->entries, account_id);
  if (entry == NULL || !entry->started
      || !herald_hub_receiver_get_counters (self->receiver, account_id, &counters))
    return FALSE;
  /* Duplicates are the history's answer, which comes back here, not to the connection. */
  counters.duplicates = entry->duplicates;
  if (out != NULL)
    *out = counters;
  return TRUE;
}

void
herald_hub_set_backoff (HeraldHub *self, guint base_ms, guint cap_ms, guint stable_ms, guint32 seed)
{
  g_return_if_fail (HERALD_IS_HUB (self));

  self->backoff.set = TRUE;
  self->backoff.base_ms = base_ms;
  self->backoff.cap_ms = cap_ms;
  self->backoff.stable_ms = stable_ms;
  self->backoff.seed = seed;
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
  return entry && entry->state == HERALD_CONNECTION_BACKING_OFF ? entry->retry_at_us : 0;
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
