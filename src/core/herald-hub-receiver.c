/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-hub-receiver.c — the thread the hub's connections live on. Commands come in through a
 * mailbox on its context; state changes go out through one on the owner's. Events go straight
 * to the history, which calls back on the owner's context in batches: nothing per event crosses
 * threads otherwise, and the history's back-pressure slows this thread, and so the socket. */
#define G_LOG_DOMAIN "herald-hub"

#include "config.h"

#include <glib/gi18n-lib.h>
#if HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "herald-hub-receiver.h"
#include "herald-mailbox.h"
#include "herald-providers.h"
#include "herald-secret.h"

/* Added to the process's nice value for the receiver thread. */
#define RECEIVER_NICE 5

struct _HeraldHubReceiver
{
  GThread *thread;
  GMainContext *context; /* the thread's: it drops the last reference, so whatever is still
                          * attached is destroyed there, not on the owner's thread */
  HeraldMailbox *inbox;  /* on the receiver's context */
  HeraldMailbox *outbox; /* on the owner's context */
  GObject *owner;
  HeraldHubReceiverStateFunc state_func;
  HeraldHistoryAddedFunc added;

  /* Stops asked for and not yet carried out. A command waits for the receiver's loop, and
   * libsoup's reader holds that loop for as long as a burst keeps the socket full: the event
   * path looks here and closes a socket that is going anyway, so the stop takes effect at the
   * next event instead of after the burst. */
  GMutex stop_lock;
  GHashTable *stopping; /* account id → stops pending */
  gint n_stopping;      /* atomic: stops pending, any account; checked per event */
  gboolean quitting;    /* under stop_lock: every account is stopping */

  /* The receiver thread's alone from here on. */
  HeraldHistory *history;
  SoupSession *session;
  GNetworkMonitor *monitor;
  GHashTable *links; /* account id → Link */
  gboolean quit;
};

/* One account on the receiver: what HubEntry is on the owner's side. */
typedef struct
{
  HeraldHubReceiver *receiver;
  HeraldAccount *account; /* a copy: the owner's objects stay on the owner's thread */
  guint generation;
  HeraldHubBackoff backoff;
  HeraldConnection *connection;
  GCancellable *cancellable;
  GHashTable *credentials;
  guint pending_lookups;
  gboolean lookup_failed;
} Link;

/* --- state, out to the owner --- */

typedef struct
{
  HeraldHubReceiver *receiver;
  char *account_id;
  guint generation;
  HeraldConnectionState state;
  char *reason;
  gint64 retry_at_us;
} StateNote;

static void
state_note_free (gpointer data)
{
  StateNote *note = data;

  g_free (note->account_id);
  g_free (note->reason);
  g_free (note);
}

static void
state_note_deliver (gpointer data)
{
  StateNote *note = data;

  note->receiver->state_func (note->receiver->owner, note->account_id, note->generation,
                              note->state, note->reason, note->retry_at_us);
}

static void
link_set_state_full (Link *link, HeraldConnectionState state, const char *reason,
                     gint64 retry_at_us)
{
  StateNote *note = g_new0 (StateNote, 1);

  note->receiver = link->receiver;
  note->account_id = g_strdup (herald_account_get_id (link->account));
  note->generation = link->generation;
  note->state = state;
  note->reason = g_strdup (reason);
  note->retry_at_us = retry_at_us;
  herald_mailbox_post (link->receiver->outbox, state_note_deliver, note, state_note_free);
}

static void
link_set_state (Link *link, HeraldConnectionState state, const char *reason)
{
  link_set_state_full (link, state, reason, 0);
}

/* --- one account --- */

static void
link_free (Link *link)
{
  g_cancellable_cancel (link->cancellable);
  g_clear_object (&link->cancellable);
  g_clear_pointer (&link->credentials, g_hash_table_unref);
  if (link->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (link->connection, link);
      herald_connection_set_event_func (link->connection, NULL, NULL);
      herald_connection_stop (link->connection);
      g_clear_object (&link->connection);
    }
  g_clear_object (&link->account);
  g_free (link);
}

static gboolean
link_is_stopping (Link *link)
{
  HeraldHubReceiver *receiver = link->receiver;
  gboolean stopping;

  g_mutex_lock (&receiver->stop_lock);
  stopping = receiver->quitting
             || g_hash_table_contains (receiver->stopping, herald_account_get_id (link->account));
  g_mutex_unlock (&receiver->stop_lock);
  return stopping;
}

static void
connection_event_cb (HeraldConnection *connection, HeraldEvent *event, gpointer user_data)
{
  Link *link = user_data;
  HeraldHubReceiver *receiver = link->receiver;

  /* Stopping it from inside its own hand-over is allowed: the connection stops reading. */
  if (g_atomic_int_get (&receiver->n_stopping) > 0 && link_is_stopping (link))
    {
      herald_connection_stop (connection);
      return;
    }

  /* Waits here while the writer is far behind: the socket then waits in the kernel. */
  herald_history_add (receiver->history, event, receiver->added, g_object_ref (receiver->owner));
}

static void
connection_state_cb (HeraldConnection *connection, GParamSpec *pspec, gpointer user_data)
{
  HeraldConnectionState state = herald_connection_get_state (connection);
  gint64 retry_at_us = 0;

  /* As a time, not a delay: the owner may hear of it a little later. */
  if (state == HERALD_CONNECTION_BACKING_OFF)
    retry_at_us
      = g_get_monotonic_time () + herald_connection_get_retry_delay_ms (connection) * (gint64)1000;
  link_set_state_full (user_data, state, herald_connection_get_reason (connection), retry_at_us);
}

static void
link_connect (Link *link)
{
  HeraldHubReceiver *receiver = link->receiver;
  g_autoptr (HeraldFeed) feed = herald_feed_new_for_account (link->account);
  GHashTableIter iter;
  gpointer field, secret;

  if (feed == NULL)
    {
      link_set_state (link, HERALD_CONNECTION_NEEDS_ATTENTION,
                      _ ("This provider is not supported yet"));
      return;
    }
  g_hash_table_iter_init (&iter, link->credentials);
  while (g_hash_table_iter_next (&iter, &field, &secret))
    herald_feed_set_credential (feed, field, secret);
  g_clear_pointer (&link->credentials, g_hash_table_unref);

  link->connection = herald_connection_new (feed, receiver->session, receiver->monitor);
  if (link->backoff.set)
    herald_connection_set_backoff (link->connection, link->backoff.base_ms, link->backoff.cap_ms,
                                   link->backoff.stable_ms, link->backoff.seed);
  herald_connection_set_event_func (link->connection, connection_event_cb, link);
  g_signal_connect (link->connection, "notify::state", G_CALLBACK (connection_state_cb), link);
  g_signal_connect (link->connection, "notify::reason", G_CALLBACK (connection_state_cb), link);
  herald_connection_start (link->connection);
}

typedef struct
{
  Link *link;
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
  Link *link = lookup->link;

  /* Cancelled: the link is gone; touch nothing of it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      herald_secret_free (secret);
      lookup_free (lookup);
      return;
    }
  link->pending_lookups--;
  if (secret != NULL)
    {
      g_hash_table_replace (link->credentials, g_strdup (lookup->field), g_strdup (secret));
      herald_secret_free (secret);
    }
  else if (!(lookup->optional
             && g_error_matches (error, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NOT_FOUND))
           && !link->lookup_failed)
    {
      link->lookup_failed = TRUE;
      if (g_error_matches (error, HERALD_SECRET_ERROR, HERALD_SECRET_ERROR_NOT_FOUND))
        link_set_state (link, HERALD_CONNECTION_NEEDS_ATTENTION,
                        _ ("The keyring holds no key for this account: add it again"));
      else
        link_set_state (link, HERALD_CONNECTION_NEEDS_ATTENTION, error->message);
    }
  lookup_free (lookup);

  if (link->pending_lookups == 0 && !link->lookup_failed)
    link_connect (link);
}

/* --- commands, in from the owner --- */

typedef struct
{
  HeraldHubReceiver *receiver;
  HeraldAccount *account;
  guint generation;
  GHashTable *credentials;
  char **keyring_fields;
  char **optional_fields;
  HeraldHubBackoff backoff;
} StartCommand;

static void
start_command_free (gpointer data)
{
  StartCommand *command = data;

  g_clear_object (&command->account);
  g_clear_pointer (&command->credentials, g_hash_table_unref);
  g_strfreev (command->keyring_fields);
  g_strfreev (command->optional_fields);
  g_free (command);
}

static void
start_command_run (gpointer data)
{
  StartCommand *command = data;
  HeraldHubReceiver *receiver = command->receiver;
  Link *link = g_new0 (Link, 1);

  link->receiver = receiver;
  link->account = g_steal_pointer (&command->account);
  link->generation = command->generation;
  link->backoff = command->backoff;
  link->credentials = g_steal_pointer (&command->credentials);
  link->cancellable = g_cancellable_new ();
  g_hash_table_replace (receiver->links, g_strdup (herald_account_get_id (link->account)), link);

  for (guint i = 0; command->keyring_fields[i] != NULL; i++)
    {
      Lookup *lookup = g_new0 (Lookup, 1);

      lookup->link = link;
      lookup->field = g_strdup (command->keyring_fields[i]);
      lookup->optional
        = g_strv_contains ((const char *const *)command->optional_fields, lookup->field);
      link->pending_lookups++;
      herald_secret_lookup_async (herald_account_get_id (link->account), lookup->field,
                                  link->cancellable, secret_looked_up_cb, lookup);
    }
  if (link->pending_lookups == 0)
    link_connect (link);
}

typedef struct
{
  HeraldHubReceiver *receiver;
  char *account_id;
} StopCommand;

static void
stop_command_free (gpointer data)
{
  StopCommand *command = data;

  g_free (command->account_id);
  g_free (command);
}

static void
stop_command_run (gpointer data)
{
  StopCommand *command = data;
  HeraldHubReceiver *receiver = command->receiver;
  guint pending;

  g_hash_table_remove (receiver->links, command->account_id);
  g_mutex_lock (&receiver->stop_lock);
  pending = GPOINTER_TO_UINT (g_hash_table_lookup (receiver->stopping, command->account_id));
  if (pending > 1)
    g_hash_table_insert (receiver->stopping, g_strdup (command->account_id),
                         GUINT_TO_POINTER (pending - 1));
  else
    g_hash_table_remove (receiver->stopping, command->account_id);
  g_mutex_unlock (&receiver->stop_lock);
  g_atomic_int_dec_and_test (&receiver->n_stopping);
}

typedef struct
{
  HeraldHubReceiver *receiver;
  const char *account_id;
  HeraldConnectionCounters counters;
  gboolean found;
  gboolean done;
  GMutex lock;
  GCond cond;
} CountersQuery;

static void
counters_query_run (gpointer data)
{
  CountersQuery *query = data;
  Link *link;

  if (query->account_id == NULL)
    return;
  link = g_hash_table_lookup (query->receiver->links, query->account_id);

  if (link != NULL && link->connection != NULL)
    {
      query->counters = *herald_connection_get_counters (link->connection);
      query->found = TRUE;
    }
}

/* Also when the query is dropped undelivered: the asker must not wait forever. */
static void
counters_query_answered (gpointer data)
{
  CountersQuery *query = data;

  g_mutex_lock (&query->lock);
  query->done = TRUE;
  g_cond_signal (&query->cond);
  g_mutex_unlock (&query->lock);
}

static void
trim_run (gpointer data)
{
#if HAVE_MALLOC_TRIM
  /* Every arena, not only this thread's: the burst's memory was freed on several threads. */
  malloc_trim (0);
#endif
}

static void
quit_run (gpointer data)
{
  HeraldHubReceiver *receiver = data;

  receiver->quit = TRUE;
}

/* --- the thread --- */

static gpointer
receiver_thread (gpointer data)
{
  HeraldHubReceiver *self = data;

  g_main_context_push_thread_default (self->context);
#ifdef __linux__
  /* When the CPUs are busy the UI's thread should get them first, and a burst wait: on Linux a
   * thread has a nice value of its own. */
  if (setpriority (PRIO_PROCESS, (id_t)syscall (SYS_gettid),
                   MIN (getpriority (PRIO_PROCESS, 0) + RECEIVER_NICE, 19))
      != 0)
    g_debug ("the receiver thread keeps the process's priority: %s", g_strerror (errno));
#endif
  if (self->session == NULL)
    {
      g_autofree char *user_agent = g_strdup_printf ("Herald/%s", PACKAGE_VERSION);

      self->session = soup_session_new_with_options ("user-agent", user_agent, "timeout", 30, NULL);
    }
  while (!self->quit)
    g_main_context_iteration (self->context, TRUE);

  /* Closing frames and cancellations get a few turns to go out, not a wait. */
  g_hash_table_remove_all (self->links);
  for (guint i = 0; i < 100 && g_main_context_iteration (self->context, FALSE); i++)
    ;
  g_clear_object (&self->session);
  g_clear_pointer (&self->links, g_hash_table_unref);
  herald_mailbox_close (self->inbox);
  g_main_context_pop_thread_default (self->context);
  g_main_context_unref (self->context);
  return NULL;
}

HeraldHubReceiver *
herald_hub_receiver_new (GObject *owner, HeraldHistory *history, SoupSession *session,
                         GNetworkMonitor *monitor, HeraldHistoryAddedFunc added,
                         HeraldHubReceiverStateFunc state_func)
{
  HeraldHubReceiver *self = g_new0 (HeraldHubReceiver, 1);
  g_autoptr (GMainContext) here = g_main_context_ref_thread_default ();

  self->owner = owner;
  self->history = g_object_ref (history);
  self->session = session ? g_object_ref (session) : NULL;
  self->monitor = monitor ? g_object_ref (monitor) : NULL;
  self->added = added;
  self->state_func = state_func;
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)link_free);
  g_mutex_init (&self->stop_lock);
  self->stopping = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->context = g_main_context_new ();
  self->inbox = herald_mailbox_new (self->context, "HeraldHub commands");
  self->outbox = herald_mailbox_new (here, "HeraldHub states");
  self->thread = g_thread_new ("herald-receiver", receiver_thread, self);
  return self;
}

void
herald_hub_receiver_start (HeraldHubReceiver *self, HeraldAccount *account, guint generation,
                           GHashTable *credentials, const char *const *keyring_fields,
                           const char *const *optional_fields, const HeraldHubBackoff *backoff)
{
  StartCommand *command = g_new0 (StartCommand, 1);

  command->receiver = self;
  command->account = herald_account_copy (account);
  command->generation = generation;
  command->credentials = credentials;
  /* An empty GPtrArray's pdata may be NULL: both stand for "none". */
  command->keyring_fields
    = keyring_fields ? g_strdupv ((char **)keyring_fields) : g_new0 (char *, 1);
  command->optional_fields
    = optional_fields ? g_strdupv ((char **)optional_fields) : g_new0 (char *, 1);
  command->backoff = *backoff;
  herald_mailbox_post (self->inbox, start_command_run, command, start_command_free);
}

void
herald_hub_receiver_stop (HeraldHubReceiver *self, const char *account_id)
{
  StopCommand *command = g_new0 (StopCommand, 1);
  guint pending;

  g_mutex_lock (&self->stop_lock);
  pending = GPOINTER_TO_UINT (g_hash_table_lookup (self->stopping, account_id));
  g_hash_table_insert (self->stopping, g_strdup (account_id), GUINT_TO_POINTER (pending + 1));
  g_mutex_unlock (&self->stop_lock);
  g_atomic_int_inc (&self->n_stopping);

  command->receiver = self;
  command->account_id = g_strdup (account_id);
  herald_mailbox_post (self->inbox, stop_command_run, command, stop_command_free);
}

gboolean
herald_hub_receiver_get_counters (HeraldHubReceiver *self, const char *account_id,
                                  HeraldConnectionCounters *out)
{
  CountersQuery query = { self, account_id };

  g_mutex_init (&query.lock);
  g_cond_init (&query.cond);
  herald_mailbox_post (self->inbox, counters_query_run, &query, counters_query_answered);
  g_mutex_lock (&query.lock);
  while (!query.done)
    g_cond_wait (&query.cond, &query.lock);
  g_mutex_unlock (&query.lock);
  g_mutex_clear (&query.lock);
  g_cond_clear (&query.cond);
  if (query.found && out != NULL)
    *out = query.counters;
  return query.found;
}

void
herald_hub_receiver_sync (HeraldHubReceiver *self)
{
  herald_hub_receiver_get_counters (self, NULL, NULL);
}

void
herald_hub_receiver_trim (HeraldHubReceiver *self)
{
  herald_mailbox_post (self->inbox, trim_run, NULL, NULL);
}

void
herald_hub_receiver_free (HeraldHubReceiver *self)
{
  g_mutex_lock (&self->stop_lock);
  self->quitting = TRUE;
  g_mutex_unlock (&self->stop_lock);
  g_atomic_int_inc (&self->n_stopping);
  herald_mailbox_post (self->inbox, quit_run, self, NULL);
  g_thread_join (self->thread);
  /* State changes not yet delivered are dropped: the owner is going. */
  herald_mailbox_close (self->outbox);
  g_clear_object (&self->history);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->stopping, g_hash_table_unref);
  g_mutex_clear (&self->stop_lock);
  g_free (self);
}
