/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-notify-worker.c — the notifier's thread: libnotify objects live and die here, one per
 * notification on screen, keyed by what they stand for so they can be updated and withdrawn. */
#define G_LOG_DOMAIN "herald-notify"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "herald-notify-worker.h"

/* Event notifications the worker keeps so that a click on one still reaches Herald and a later
 * status of its object can replace it; older ones are forgotten (a later status then stacks). */
#define MAX_LIVE_NOTIFICATIONS 32
/* Ids of earlier statuses a notification remembers, for "Mark as read". */
#define MAX_EARLIER_IDS 16
/* How long stopping waits for the thread to finish what was queued. */
#define WORKER_EXIT_WAIT_US (G_USEC_PER_SEC / 2)

typedef HeraldNotifyJob Job;
typedef struct _HeraldNotifyWorker Worker;

/* Shared by the owner (main context) and the thread. Fields below the marker belong to
 * the worker thread alone: every libnotify object lives and dies there, since libnotify
 * keeps process-wide state without locks. */
struct _HeraldNotifyWorker
{
  gatomicrefcount ref_count;
  HeraldNotifyActionFunc action_func;
  GMainContext *main_context;
  GWeakRef owner;
  GAsyncQueue *jobs;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond finished_cond;
  gboolean finished; /* under lock */

  /* worker thread only */
  gboolean initted_here;
  gboolean server_known;
  /* The server's capabilities (org.freedesktop.Notifications.GetCapabilities). */
  gboolean actions;
  gboolean body_markup;
  gboolean persistence;
  gboolean sound;
  gboolean portal;
  gboolean warned;
  gboolean quitting;
  GQueue live;         /* NotifyNotification of events, oldest first, owned */
  GHashTable *objects; /* "account\nobject id" → NotifyNotification in live, unowned */
  GHashTable *slots;   /* slot name → NotifyNotification (summaries, attention) */
};

/* What a notification on screen stands for, as qdata on it (worker thread only). */
typedef struct
{
  char *account_id;
  HeraldEvent *event;     /* NULL: a burst summary or an account's warning */
  char *object_key;       /* NULL: not a status of a provider's object */
  GPtrArray *earlier_ids; /* ids of the statuses it showed before event, same object */
} Shown;

static GQuark shown_quark (void);
G_DEFINE_QUARK (herald - notify - shown, shown)

static void
job_free (Job *job)
{
  g_free (job->slot);
  g_free (job->summary);
  g_free (job->body);
  g_free (job->account_id);
  g_free (job->event_id);
  g_clear_pointer (&job->event, herald_event_unref);
  g_clear_object (&job->task);
  g_free (job);
}

static Worker *
worker_ref (Worker *worker)
{
  g_atomic_ref_count_inc (&worker->ref_count);
  return worker;
}

static void
worker_unref (Worker *worker)
{
  if (!g_atomic_ref_count_dec (&worker->ref_count))
    return;
  g_async_queue_unref (worker->jobs);
  g_main_loop_unref (worker->loop);
  g_main_context_unref (worker->context);
  g_main_context_unref (worker->main_context);
  g_weak_ref_clear (&worker->owner);
  g_mutex_clear (&worker->lock);
  g_cond_clear (&worker->finished_cond);
  g_free (worker);
}

static void
shown_free (gpointer data)
{
  Shown *shown = data;

  g_free (shown->account_id);
  g_clear_pointer (&shown->event, herald_event_unref);
  g_free (shown->object_key);
  g_clear_pointer (&shown->earlier_ids, g_ptr_array_unref);
  g_free (shown);
}

static Shown *
get_shown (NotifyNotification *notification)
{
  return g_object_get_qdata (G_OBJECT (notification), shown_quark ());
}

static gboolean
has_cap (GList *caps, const char *cap)
{
  return g_list_find_custom (caps, cap, (GCompareFunc)g_strcmp0) != NULL;
}

/* Asks once, at start (and again after a failure), what the server can do. libnotify's own
 * caps call warns when no server answers; the server-info call fails quietly, and once it
 * has succeeded libnotify keeps the proxy it made. */
static void
worker_query_server (Worker *worker)
{
  g_autofree char *name = NULL;
  g_autofree char *spec_version = NULL;
  GList *caps;

  if (!notify_get_server_info (&name, NULL, NULL, &spec_version))
    {
      g_debug ("No notification server answers yet");
      return;
    }
  /* Inside Flatpak libnotify goes through the notification portal, which names itself so.
   * The portal shows the app's own icon and logs a message for each one given. */
  worker->portal = g_strcmp0 (name, "Portal Notification") == 0;
  caps = notify_get_server_caps ();
  worker->actions = has_cap (caps, "actions");
  worker->body_markup = has_cap (caps, "body-markup");
  worker->persistence = has_cap (caps, "persistence");
  worker->sound = has_cap (caps, "sound");
  g_list_free_full (caps, g_free);
  worker->server_known = TRUE;
  g_debug ("Notification server %s, spec %s: actions %d, body markup %d, persistence %d, sound %d",
           name, spec_version, worker->actions, worker->body_markup, worker->persistence,
           worker->sound);
}

/* A click, on its way from the worker to the main context. */
typedef struct
{
  Worker *worker;
  HeraldNotifyAction kind;
  char *account_id;
  HeraldEvent *event;
  GPtrArray *earlier_ids;
  char *activation_token;
} Activation;

static void
activation_free (gpointer data)
{
  Activation *activation = data;

  worker_unref (activation->worker);
  g_free (activation->account_id);
  g_clear_pointer (&activation->event, herald_event_unref);
  g_clear_pointer (&activation->earlier_ids, g_ptr_array_unref);
  g_free (activation->activation_token);
  g_free (activation);
}

static gboolean
dispatch_action_cb (gpointer data)
{
  Activation *activation = data;
  g_autoptr (GObject) owner = g_weak_ref_get (&activation->worker->owner);

  if (owner != NULL)
    activation->worker->action_func (owner, activation->kind, activation->account_id,
                                     activation->event, activation->earlier_ids,
                                     activation->activation_token);
  return G_SOURCE_REMOVE;
}

/* Runs on the worker: libnotify's proxy delivers its signals to the context that was the
 * thread default when it was made, which is the worker's. What the notification stands for is
 * read at the click, so an update in place (a later status) is what gets acted on. */
static void
action_cb (NotifyNotification *notification, char *action, gpointer user_data)
{
  Worker *worker = user_data;
  Shown *shown = get_shown (notification);
  Activation *activation;
  GSource *source;

  if (shown == NULL)
    return;
  activation = g_new0 (Activation, 1);
  activation->worker = worker_ref (worker);
  if (g_str_equal (action, "open"))
    activation->kind = HERALD_NOTIFY_ACTION_OPEN;
  else if (g_str_equal (action, "mark-read"))
    activation->kind = HERALD_NOTIFY_ACTION_MARK_READ;
  else
    activation->kind = HERALD_NOTIFY_ACTION_DEFAULT;
  activation->account_id = g_strdup (shown->account_id);
  activation->event = shown->event ? herald_event_ref (shown->event) : NULL;
  /* A copy: the worker goes on changing its own as later statuses come. */
  activation->earlier_ids = g_ptr_array_new_full (shown->earlier_ids->len, g_free);
  for (guint i = 0; i < shown->earlier_ids->len; i++)
    g_ptr_array_add (activation->earlier_ids, g_strdup (g_ptr_array_index (shown->earlier_ids, i)));
#if NOTIFY_CHECK_VERSION(0, 7, 10)
  /* The server's token for this click (spec 1.2): with it the window may take the focus. */
  activation->activation_token = g_strdup (notify_notification_get_activation_token (notification));
#endif
  source = g_idle_source_new ();
  g_source_set_callback (source, dispatch_action_cb, activation, activation_free);
  g_source_attach (source, worker->main_context);
  g_source_unref (source);
}

/* Drops Herald's handle on an event's notification; the object's next status opens a new one. */
static void
worker_forget (Worker *worker, NotifyNotification *notification)
{
  Shown *shown = get_shown (notification);

  if (shown != NULL && shown->object_key != NULL
      && g_hash_table_lookup (worker->objects, shown->object_key) == notification)
    g_hash_table_remove (worker->objects, shown->object_key);
  if (g_queue_remove (&worker->live, notification))
    g_object_unref (notification);
}

/* NotificationClosed: expired, dismissed, or withdrawn by Herald. */
static void
notification_closed_cb (NotifyNotification *notification, gpointer user_data)
{
  /* Slots keep theirs: a dismissed summary comes back as a new one on its next update. */
  worker_forget (user_data, notification);
}

static void
worker_keep_live (Worker *worker, NotifyNotification *notification)
{
  g_queue_push_tail (&worker->live, notification);
  while (g_queue_get_length (&worker->live) > MAX_LIVE_NOTIFICATIONS)
    worker_forget (worker, g_queue_peek_head (&worker->live));
}

static void
worker_set_actions (Worker *worker, NotifyNotification *notification, Shown *shown)
{
  notify_notification_clear_actions (notification);
  /* A server without actions would show none, or show them as text: add none. */
  if (!worker->actions)
    return;
  if (shown->event == NULL)
    {
      notify_notification_add_action (notification, "default", _ ("Open Herald"), action_cb, worker,
                                      NULL);
      return;
    }
  /* The default action is the click on the notification itself: it shows the event. */
  notify_notification_add_action (notification, "default", _ ("Show"), action_cb, worker, NULL);
  if (herald_event_get_link (shown->event) != NULL)
    /* TRANSLATORS: a notification's button that opens the event's web page */
    notify_notification_add_action (notification, "open", _ ("Open"), action_cb, worker, NULL);
  notify_notification_add_action (notification, "mark-read", _ ("Mark as Read"), action_cb, worker,
                                  NULL);
}

/* The notification to show job in, new or the one to update in place; NULL when job is an
 * older status than the one its object's notification shows (unordered feeds), which is then
 * only remembered. */
static NotifyNotification *
worker_find_notification (Worker *worker, Job *job, const char *object_key, const char *body,
                          const char *icon)
{
  NotifyNotification *notification = NULL;
  Shown *shown;

  if (job->slot != NULL && !job->fresh)
    notification = g_hash_table_lookup (worker->slots, job->slot);
  else if (object_key != NULL)
    notification = g_hash_table_lookup (worker->objects, object_key);

  if (notification != NULL)
    {
      shown = get_shown (notification);
      if (job->event != NULL && shown->event != NULL)
        {
          gboolean older
            = herald_event_get_occurred (job->event) < herald_event_get_occurred (shown->event);
          HeraldEvent *earlier = older ? job->event : shown->event;

          if (shown->earlier_ids->len >= MAX_EARLIER_IDS)
            g_ptr_array_remove_index (shown->earlier_ids, 0);
          g_ptr_array_add (shown->earlier_ids, g_strdup (herald_event_get_id (earlier)));
          if (older)
            return NULL;
          herald_event_unref (shown->event);
          shown->event = herald_event_ref (job->event);
        }
      /* Same object, so libnotify sends its id as replaces_id: updated, not stacked. */
      notify_notification_update (notification, job->summary, body, icon);
      notify_notification_clear_hints (notification);
      return notification;
    }

  notification = notify_notification_new (job->summary, body, icon);
  shown = g_new0 (Shown, 1);
  shown->account_id = g_strdup (job->account_id);
  shown->event = job->event ? herald_event_ref (job->event) : NULL;
  shown->object_key = g_strdup (object_key);
  shown->earlier_ids = g_ptr_array_new_with_free_func (g_free);
  g_object_set_qdata_full (G_OBJECT (notification), shown_quark (), shown, shown_free);
  g_signal_connect (notification, "closed", G_CALLBACK (notification_closed_cb), worker);
  if (job->slot != NULL)
    {
      NotifyNotification *old = g_hash_table_lookup (worker->slots, job->slot);

      /* The previous one may still be on screen: it stays clickable. */
      if (old != NULL)
        worker_keep_live (worker, g_object_ref (old));
      g_hash_table_replace (worker->slots, g_strdup (job->slot), notification);
    }
  else
    {
      if (object_key != NULL)
        g_hash_table_replace (worker->objects, g_strdup (object_key), notification);
      worker_keep_live (worker, notification);
    }
  return notification;
}

static void
worker_show (Worker *worker, Job *job)
{
  NotifyNotification *notification;
  g_autofree char *body = NULL;
  g_autofree char *object_key = NULL;
  g_autoptr (GError) error = NULL;
  const char *icon;

  if (!worker->server_known)
    worker_query_server (worker);
  icon = worker->portal ? NULL : HERALD_APP_ID;
  if (job->body != NULL && worker->body_markup)
    body = g_markup_escape_text (job->body, -1);
  else
    body = g_strdup (job->body);
  if (job->slot == NULL && job->event != NULL && herald_event_get_object_id (job->event) != NULL)
    object_key = g_strconcat (herald_event_get_account (job->event), "\n",
                              herald_event_get_object_id (job->event), NULL);

  notification = worker_find_notification (worker, job, object_key, body, icon);
  if (notification == NULL)
    return;

  notify_notification_set_urgency (notification, job->urgency);
  /* Set as a hint, not with set_category(), which logs a message per call under the portal. */
  if (job->category != NULL)
    notify_notification_set_hint (notification, "category", g_variant_new_string (job->category));
  /* Only a server that plays sounds is asked, or told to keep quiet. */
  if (worker->sound && job->sound)
    notify_notification_set_hint (notification, "sound-name",
                                  g_variant_new_string ("message-new-instant"));
  else if (worker->sound)
    notify_notification_set_hint (notification, "suppress-sound", g_variant_new_boolean (TRUE));
  worker_set_actions (worker, notification, get_shown (notification));

  if (!notify_notification_show (notification, &error))
    {
      /* Once per outage: a missing server must not flood the journal, one line per event. */
      if (!worker->warned)
        g_warning ("Notifications cannot be shown: %s", error->message);
      else
        g_debug ("Notification not shown: %s", error->message);
      worker->warned = TRUE;
      worker->server_known = FALSE;
      return;
    }
  worker->warned = FALSE;
}

static void
worker_withdraw (NotifyNotification *notification)
{
  g_autoptr (GError) error = NULL;
  int id = 0;

  g_object_get (notification, "id", &id, NULL);
  if (id != 0 && !notify_notification_close (notification, &error))
    g_debug ("Notification not withdrawn: %s", error->message);
}

static void
worker_close (Worker *worker, Job *job)
{
  NotifyNotification *notification = g_hash_table_lookup (worker->slots, job->slot);

  if (notification == NULL)
    return;
  worker_withdraw (notification);
  g_hash_table_remove (worker->slots, job->slot);
}

/* Events now read need no notification: those showing them go, and with every event of an
 * account read, its burst summary too. */
static void
worker_withdraw_read (Worker *worker, Job *job)
{
  GList *link = worker->live.head;
  GHashTableIter iter;
  gpointer key, value;

  while (link != NULL)
    {
      NotifyNotification *notification = link->data;
      Shown *shown = get_shown (notification);

      link = link->next;
      if (shown->event == NULL
          || (job->account_id != NULL && g_strcmp0 (shown->account_id, job->account_id) != 0)
          || (job->event_id != NULL
              && g_strcmp0 (herald_event_get_id (shown->event), job->event_id) != 0))
        continue;
      worker_withdraw (notification);
      worker_forget (worker, notification);
    }
  if (job->event_id != NULL)
    return;
  g_hash_table_iter_init (&iter, worker->slots);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Shown *shown = get_shown (value);

      if (g_str_has_prefix (key, "burst\n")
          && (job->account_id == NULL || g_strcmp0 (shown->account_id, job->account_id) == 0))
        {
          worker_withdraw (value);
          g_hash_table_iter_remove (&iter);
        }
    }
}

static gboolean
flush_done_cb (gpointer user_data)
{
  g_task_return_boolean (G_TASK (user_data), TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
worker_drain_cb (gpointer user_data)
{
  Worker *worker = user_data;
  Job *job;

  while (!worker->quitting && (job = g_async_queue_try_pop (worker->jobs)) != NULL)
    {
      switch (job->kind)
        {
        case HERALD_NOTIFY_JOB_SHOW:
          worker_show (worker, job);
          break;
        case HERALD_NOTIFY_JOB_CLOSE:
          worker_close (worker, job);
          break;
        case HERALD_NOTIFY_JOB_WITHDRAW_READ:
          worker_withdraw_read (worker, job);
          break;
        case HERALD_NOTIFY_JOB_FLUSH:
          {
            GSource *source = g_idle_source_new ();

            /* Completed and released on the main context: the last reference to the task,
             * and with it perhaps to the notifier, must not be dropped on this thread. */
            g_source_set_callback (source, flush_done_cb, g_steal_pointer (&job->task),
                                   g_object_unref);
            g_source_attach (source, worker->main_context);
            g_source_unref (source);
          }
          break;
        case HERALD_NOTIFY_JOB_QUIT:
          worker->quitting = TRUE;
          g_main_loop_quit (worker->loop);
          break;
        }
      job_free (job);
    }
  return G_SOURCE_REMOVE;
}

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;

  g_main_context_push_thread_default (worker->context);
  worker->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  worker->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!notify_is_initted ())
    worker->initted_here = notify_init ("Herald");
  worker_query_server (worker);

  g_main_loop_run (worker->loop);

  /* Notifications on screen stay there; only Herald's handles on them go. */
  g_clear_pointer (&worker->objects, g_hash_table_unref);
  g_queue_clear_full (&worker->live, g_object_unref);
  g_clear_pointer (&worker->slots, g_hash_table_unref);
  if (worker->initted_here)
    notify_uninit ();
  /* Let GDBus finish dropping the proxy's subscriptions, which it does on this context. */
  while (g_main_context_iteration (worker->context, FALSE))
    ;
  g_main_context_pop_thread_default (worker->context);
  g_mutex_lock (&worker->lock);
  worker->finished = TRUE;
  g_cond_broadcast (&worker->finished_cond);
  g_mutex_unlock (&worker->lock);
  worker_unref (worker);
  return NULL;
}

HeraldNotifyWorker *
herald_notify_worker_new (GObject *owner, HeraldNotifyActionFunc func)
{
  Worker *worker = g_new0 (Worker, 1);
  GThread *thread;

  g_atomic_ref_count_init (&worker->ref_count);
  worker->main_context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&worker->owner, owner);
  worker->action_func = func;
  worker->jobs = g_async_queue_new_full ((GDestroyNotify)job_free);
  worker->context = g_main_context_new ();
  worker->loop = g_main_loop_new (worker->context, FALSE);
  g_queue_init (&worker->live);
  g_mutex_init (&worker->lock);
  g_cond_init (&worker->finished_cond);
  /* Not joined: a server that stopped answering holds a call for up to 25 s, and quitting
   * Herald must not wait that long (see worker_stop()). The thread holds its own reference. */
  thread = g_thread_new ("herald-notify", worker_main, worker_ref (worker));
  g_thread_unref (thread);
  return worker;
}

void
herald_notify_worker_push (HeraldNotifyWorker *worker, HeraldNotifyJob *job)
{
  GSource *source;

  /* The queue keeps the order; the idle only wakes the thread. An idle of its own, not
   * g_main_context_invoke(), which may run the function on this thread. */
  g_async_queue_push (worker->jobs, job);
  source = g_idle_source_new ();
  g_source_set_callback (source, worker_drain_cb, worker, NULL);
  g_source_attach (source, worker->context);
  g_source_unref (source);
}

/* Asks the thread to finish what is queued and waits a little for it, so that a normal exit
 * does not pull libnotify's state away from under it; a hung server is left behind. */
void
herald_notify_worker_stop (HeraldNotifyWorker *worker)
{
  Job *job = g_new0 (Job, 1);
  gint64 deadline = g_get_monotonic_time () + WORKER_EXIT_WAIT_US;

  job->kind = HERALD_NOTIFY_JOB_QUIT;
  herald_notify_worker_push (worker, job);
  g_mutex_lock (&worker->lock);
  while (!worker->finished)
    if (!g_cond_wait_until (&worker->finished_cond, &worker->lock, deadline))
      {
        g_debug ("The notification thread is still busy; not waiting for it");
        break;
      }
  g_mutex_unlock (&worker->lock);
  worker_unref (worker);
}

GMainContext *
herald_notify_worker_get_main_context (HeraldNotifyWorker *worker)
{
  return worker->main_context;
}
