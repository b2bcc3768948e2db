/* herald-notifier.c — decides on the main context what to notify (settings, bursts, accounts
 * that need attention) and talks to the notification server from one worker thread. */
#define G_LOG_DOMAIN "herald-notify"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libnotify/notify.h>

#include "herald-format.h"
#include "herald-notifier.h"

/* Servers cut long text anyway; a tipper's essay should not fill the screen first. */
#define SUMMARY_MAX_CHARS 120
#define BODY_MAX_CHARS 400
#define LABEL_MAX_CHARS 60
/* A burst's summary is shown again at most this often. */
#define SUMMARY_INTERVAL_US G_USEC_PER_SEC
/* Notifications the worker keeps so that a click on one still reaches Herald. */
#define MAX_LIVE_NOTIFICATIONS 32
/* How long disposing the notifier waits for its thread to finish what was queued. */
#define WORKER_EXIT_WAIT_US (G_USEC_PER_SEC / 2)

typedef enum
{
  JOB_SHOW,
  JOB_CLOSE,
  JOB_FLUSH,
  JOB_QUIT,
} JobKind;

/* One thing for the worker to do. Strings are already clean plain text. */
typedef struct
{
  JobKind kind;
  char *slot;     /* NULL: a notification of its own; else the one kept under this name */
  gboolean fresh; /* a new notification in slot, not an update of the one there */
  char *summary;
  char *body; /* escaped on the worker when the server reads markup */
  const char *category;
  NotifyUrgency urgency;
  gboolean sound; /* ask the server for the freedesktop "message-new-instant" sound */
  char *account_id;
  HeraldEvent *event;
  GTask *task;
} Job;

/* Shared by the notifier (main context) and its thread. Fields below the marker belong to
 * the worker thread alone: every libnotify object lives and dies there, since libnotify
 * keeps process-wide state without locks. */
typedef struct
{
  gatomicrefcount ref_count;
  GMainContext *main_context;
  GWeakRef notifier;
  GAsyncQueue *jobs;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond finished_cond;
  gboolean finished; /* under lock */

  /* worker thread only */
  gboolean initted_here;
  gboolean server_known;
  gboolean body_markup;
  gboolean portal;
  gboolean warned;
  gboolean quitting;
  GQueue live;       /* NotifyNotification, oldest first */
  GHashTable *slots; /* slot name → NotifyNotification */
} Worker;

typedef struct
{
  gint64 time;
  HeraldCategory category;
  HeraldSeverity severity;
} Recent;

typedef struct
{
  HeraldNotifier *self; /* unowned: the notifier owns its accounts */
  char *id;
  HeraldConnectionState state;
  gboolean attention_shown;
  GArray *recent;  /* Recent, of events that passed the filters, within burst-window */
  GPtrArray *held; /* HeraldEvent waiting for the hold to end */
  GSource *tick;
  gboolean tick_is_quiet_check;
  gint64 last_event;
  gboolean in_burst;
  guint burst_count;
  guint shown_count;
  guint category_mask;
  HeraldSeverity burst_severity;
  char *latest_title;
  gint64 last_show;
} AccountState;

struct _HeraldNotifier
{
  GObject parent_instance;

  HeraldHub *hub;
  GSettings *settings;
  Worker *worker;
  GHashTable *accounts; /* id → AccountState */
};

G_DEFINE_FINAL_TYPE (HeraldNotifier, herald_notifier, G_TYPE_OBJECT)

enum
{
  SIGNAL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void account_tick_schedule (AccountState *account, gint64 delay_us, gboolean quiet_check);

/* The worker */

static void
job_free (Job *job)
{
  g_free (job->slot);
  g_free (job->summary);
  g_free (job->body);
  g_free (job->account_id);
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
  g_weak_ref_clear (&worker->notifier);
  g_mutex_clear (&worker->lock);
  g_cond_clear (&worker->finished_cond);
  g_free (worker);
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
  worker->body_markup = g_list_find_custom (caps, "body-markup", (GCompareFunc)g_strcmp0) != NULL;
  g_list_free_full (caps, g_free);
  worker->server_known = TRUE;
  g_debug ("Notification server %s, spec %s, body markup %s", name, spec_version,
           worker->body_markup ? "yes" : "no");
}

typedef struct
{
  Worker *worker;
  char *account_id;
  HeraldEvent *event;
} Activation;

static void
activation_free (gpointer data)
{
  Activation *activation = data;

  worker_unref (activation->worker);
  g_free (activation->account_id);
  g_clear_pointer (&activation->event, herald_event_unref);
  g_free (activation);
}

static gboolean
emit_activated_cb (gpointer data)
{
  Activation *activation = data;
  g_autoptr (HeraldNotifier) self = g_weak_ref_get (&activation->worker->notifier);

  if (self != NULL)
    g_signal_emit (self, signals[SIGNAL_ACTIVATED], 0, activation->account_id, activation->event);
  return G_SOURCE_REMOVE;
}

/* Runs on the worker: libnotify's proxy delivers its signals to the context that was the
 * thread default when it was made, which is the worker's. */
static void
default_action_cb (NotifyNotification *notification, char *action, gpointer user_data)
{
  Activation *template = user_data;
  Activation *activation = g_new0 (Activation, 1);
  GSource *source = g_idle_source_new ();

  activation->worker = worker_ref (template->worker);
  activation->account_id = g_strdup (template->account_id);
  activation->event = template->event ? herald_event_ref (template->event) : NULL;
  g_source_set_callback (source, emit_activated_cb, activation, activation_free);
  g_source_attach (source, template->worker->main_context);
  g_source_unref (source);
}

static void
action_template_free (gpointer data)
{
  Activation *template = data;

  g_free (template->account_id);
  g_clear_pointer (&template->event, herald_event_unref);
  g_free (template);
}

static void
notification_closed_cb (NotifyNotification *notification, gpointer user_data)
{
  Worker *worker = user_data;

  /* Slots keep theirs: a dismissed summary comes back as a new one on its next update. */
  if (g_queue_remove (&worker->live, notification))
    g_object_unref (notification);
}

static void
worker_keep_live (Worker *worker, NotifyNotification *notification)
{
  g_queue_push_tail (&worker->live, notification);
  while (g_queue_get_length (&worker->live) > MAX_LIVE_NOTIFICATIONS)
    g_object_unref (g_queue_pop_head (&worker->live));
}

static void
worker_show (Worker *worker, Job *job)
{
  NotifyNotification *notification = NULL;
  g_autofree char *body = NULL;
  g_autoptr (GError) error = NULL;
  const char *icon;
  Activation *template;

  if (!worker->server_known)
    worker_query_server (worker);
  icon = worker->portal ? NULL : HERALD_APP_ID;
  if (job->body != NULL && worker->body_markup)
    body = g_markup_escape_text (job->body, -1);
  else
    body = g_strdup (job->body);

  if (job->slot != NULL && !job->fresh)
    notification = g_hash_table_lookup (worker->slots, job->slot);
  if (notification != NULL)
    {
      /* Same object, so libnotify sends its id as replaces_id: updated, not stacked. */
      notify_notification_update (notification, job->summary, body, icon);
      notify_notification_clear_hints (notification);
      notify_notification_clear_actions (notification);
    }
  else
    {
      notification = notify_notification_new (job->summary, body, icon);
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
        worker_keep_live (worker, notification);
    }

  notify_notification_set_urgency (notification, job->urgency);
  /* Set as a hint, not with set_category(), which logs a message per call under the portal. */
  if (job->category != NULL)
    notify_notification_set_hint (notification, "category", g_variant_new_string (job->category));
  if (job->sound)
    notify_notification_set_hint (notification, "sound-name",
                                  g_variant_new_string ("message-new-instant"));
  template = g_new0 (Activation, 1);
  template->worker = worker;
  template->account_id = g_strdup (job->account_id);
  template->event = job->event ? herald_event_ref (job->event) : NULL;
  notify_notification_add_action (notification, "default", _ ("Open Herald"), default_action_cb,
                                  template, action_template_free);

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
worker_close (Worker *worker, Job *job)
{
  NotifyNotification *notification = g_hash_table_lookup (worker->slots, job->slot);
  g_autoptr (GError) error = NULL;
  int id = 0;

  if (notification == NULL)
    return;
  g_object_get (notification, "id", &id, NULL);
  if (id != 0 && !notify_notification_close (notification, &error))
    g_debug ("Notification not withdrawn: %s", error->message);
  g_hash_table_remove (worker->slots, job->slot);
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
        case JOB_SHOW:
          worker_show (worker, job);
          break;
        case JOB_CLOSE:
          worker_close (worker, job);
          break;
        case JOB_FLUSH:
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
        case JOB_QUIT:
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
  if (!notify_is_initted ())
    worker->initted_here = notify_init ("Herald");
  worker_query_server (worker);

  g_main_loop_run (worker->loop);

  /* Notifications on screen stay there; only Herald's handles on them go. */
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

static Worker *
worker_new (HeraldNotifier *notifier)
{
  Worker *worker = g_new0 (Worker, 1);
  GThread *thread;

  g_atomic_ref_count_init (&worker->ref_count);
  worker->main_context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&worker->notifier, notifier);
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

static void
worker_push (Worker *worker, Job *job)
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
static void
worker_stop (Worker *worker)
{
  Job *job = g_new0 (Job, 1);
  gint64 deadline = g_get_monotonic_time () + WORKER_EXIT_WAIT_US;

  job->kind = JOB_QUIT;
  worker_push (worker, job);
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

/* Text */

static char *
dup_account_label (HeraldNotifier *self, const char *account_id)
{
  GListModel *accounts = herald_hub_get_accounts (self->hub);
  g_autofree char *label = NULL;

  /* From the hub's list, not herald_hub_get_account(): that knows started accounts only. */
  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (accounts, i);

      if (g_strcmp0 (herald_account_get_id (account), account_id) == 0)
        {
          label = herald_format_clean_text (herald_account_get_label (account), LABEL_MAX_CHARS);
          break;
        }
    }
  if (label == NULL || *label == '\0')
    {
      g_free (label);
      label = herald_format_clean_text (account_id, LABEL_MAX_CHARS);
    }
  return g_steal_pointer (&label);
}

/* Freedesktop notification categories; none where no standard one fits. */
static const char *
category_hint (HeraldCategory category)
{
  switch (category)
    {
    case HERALD_CATEGORY_DEPOSIT:
    case HERALD_CATEGORY_TIP:
      return "transfer.complete";
    case HERALD_CATEGORY_TRADE:
    case HERALD_CATEGORY_ORDER:
      return "transfer";
    case HERALD_CATEGORY_LOBBY:
    case HERALD_CATEGORY_CONTRACT:
    case HERALD_CATEGORY_STORAGE:
    case HERALD_CATEGORY_POSITION:
    case HERALD_CATEGORY_SYSTEM:
    default:
      return NULL;
    }
}

static NotifyUrgency
urgency_for (HeraldSeverity severity)
{
  return severity == HERALD_SEVERITY_CRITICAL ? NOTIFY_URGENCY_CRITICAL : NOTIFY_URGENCY_NORMAL;
}

/* "12 new trades on Main"; label is already isolated. */
static char *
burst_summary (guint count, gboolean single, HeraldCategory category, const char *label)
{
  if (!single)
    /* TRANSLATORS: a summary of many events; %u is how many, %s an account's name */
    return g_strdup_printf (ngettext ("%u new event on %s", "%u new events on %s", count), count,
                            label);
  switch (category)
    {
    case HERALD_CATEGORY_DEPOSIT:
      /* TRANSLATORS: %u is how many, %s an account's name */
      return g_strdup_printf (ngettext ("%u new deposit on %s", "%u new deposits on %s", count),
                              count, label);
    case HERALD_CATEGORY_TRADE:
      /* TRANSLATORS: %u is how many, %s an account's name */
      return g_strdup_printf (ngettext ("%u new trade on %s", "%u new trades on %s", count), count,
                              label);
    case HERALD_CATEGORY_LOBBY:
      /* TRANSLATORS: game lobbies; %u is how many, %s an account's name */
      return g_strdup_printf (
        ngettext ("%u new lobby update on %s", "%u new lobby updates on %s", count), count, label);
    case HERALD_CATEGORY_CONTRACT:
      /* TRANSLATORS: %u is how many, %s an account's name */
      return g_strdup_printf (
        ngettext ("%u new contract update on %s", "%u new contract updates on %s", count), count,
        label);
    case HERALD_CATEGORY_STORAGE:
      /* TRANSLATORS: %u is how many, %s an account's name */
      return g_strdup_printf (
        ngettext ("%u new storage update on %s", "%u new storage updates on %s", count), count,
        label);
    case HERALD_CATEGORY_ORDER:
      /* TRANSLATORS: payment orders; %u is how many, %s an account's name */
      return g_strdup_printf (
        ngettext ("%u new order update on %s", "%u new order updates on %s", count), count, label);
    case HERALD_CATEGORY_POSITION:
      /* TRANSLATORS: trading positions; %u is how many, %s an account's name */
      return g_strdup_printf (
        ngettext ("%u new position update on %s", "%u new position updates on %s", count), count,
        label);
    case HERALD_CATEGORY_TIP:
      /* TRANSLATORS: %u is how many, %s an account's name */
      return g_strdup_printf (ngettext ("%u new tip on %s", "%u new tips on %s", count), count,
                              label);
    case HERALD_CATEGORY_SYSTEM:
    default:
      /* TRANSLATORS: a summary of many events; %u is how many, %s an account's name */
      return g_strdup_printf (ngettext ("%u new event on %s", "%u new events on %s", count), count,
                              label);
    }
}

/* Decisions, on the main context */

static gboolean
notifications_wanted (HeraldNotifier *self)
{
  return g_settings_get_boolean (self->settings, "notifications-enabled")
         && !g_settings_get_boolean (self->settings, "paused");
}

static void
account_tick_cancel (AccountState *account)
{
  if (account->tick != NULL)
    {
      g_source_destroy (account->tick);
      g_clear_pointer (&account->tick, g_source_unref);
    }
}

static void
account_state_free (AccountState *account)
{
  account_tick_cancel (account);
  g_free (account->id);
  g_array_unref (account->recent);
  g_ptr_array_unref (account->held);
  g_free (account->latest_title);
  g_free (account);
}

static AccountState *
ensure_account (HeraldNotifier *self, const char *account_id)
{
  AccountState *account = g_hash_table_lookup (self->accounts, account_id);

  if (account == NULL)
    {
      account = g_new0 (AccountState, 1);
      account->self = self;
      account->id = g_strdup (account_id);
      account->state = HERALD_CONNECTION_DISABLED;
      account->recent = g_array_new (FALSE, FALSE, sizeof (Recent));
      account->held = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
      g_hash_table_insert (self->accounts, account->id, account);
    }
  return account;
}

static void
prune_recent (AccountState *account, gint64 now)
{
  gint64 window
    = (gint64)g_settings_get_uint (account->self->settings, "burst-window") * G_USEC_PER_SEC;
  guint keep_from = 0;

  while (keep_from < account->recent->len
         && now - g_array_index (account->recent, Recent, keep_from).time >= window)
    keep_from++;
  if (keep_from > 0)
    g_array_remove_range (account->recent, 0, keep_from);
}

static void
show_event (HeraldNotifier *self, HeraldEvent *event)
{
  Job *job = g_new0 (Job, 1);
  g_autofree char *label = dup_account_label (self, herald_event_get_account (event));
  g_autofree char *summary
    = herald_format_clean_text (herald_event_get_title (event), SUMMARY_MAX_CHARS);
  g_autofree char *body = NULL;

  if (g_settings_get_boolean (self->settings, "notification-show-message"))
    body = herald_format_clean_text (herald_event_get_body (event), BODY_MAX_CHARS);
  if (body == NULL || *body == '\0')
    {
      g_free (body);
      body = g_strdup (label);
    }
  if (*summary == '\0')
    {
      g_autofree char *isolated = herald_format_isolate (label);

      g_free (summary);
      /* TRANSLATORS: shown when an event has no title; %s is an account's name */
      summary = g_strdup_printf (_ ("New event on %s"), isolated);
    }

  job->kind = JOB_SHOW;
  job->summary = g_steal_pointer (&summary);
  job->body = g_steal_pointer (&body);
  job->category = category_hint (herald_event_get_category (event));
  job->urgency = urgency_for (herald_event_get_severity (event));
  job->account_id = g_strdup (herald_event_get_account (event));
  job->event = herald_event_ref (event);
  job->sound = g_settings_get_boolean (self->settings, "notification-sound");
  worker_push (self->worker, job);
}

static void
show_burst (AccountState *account)
{
  HeraldNotifier *self = account->self;
  Job *job = g_new0 (Job, 1);
  g_autofree char *label = dup_account_label (self, account->id);
  g_autofree char *isolated = herald_format_isolate (label);
  gboolean single
    = account->category_mask != 0 && (account->category_mask & (account->category_mask - 1)) == 0;
  HeraldCategory category
    = single ? (HeraldCategory)g_bit_nth_lsf (account->category_mask, -1) : HERALD_CATEGORY_SYSTEM;

  job->kind = JOB_SHOW;
  job->slot = g_strconcat ("burst\n", account->id, NULL);
  job->fresh = account->shown_count == 0;
  job->summary = burst_summary (account->burst_count, single, category, isolated);
  if (g_settings_get_boolean (self->settings, "notification-show-message")
      && account->latest_title != NULL && *account->latest_title != '\0')
    /* TRANSLATORS: body of a burst summary; %s is the newest event's title */
    job->body = g_strdup_printf (_ ("Latest: %s"), account->latest_title);
  job->category = single ? category_hint (category) : NULL;
  job->urgency = urgency_for (account->burst_severity);
  job->account_id = g_strdup (account->id);
  /* An update of the summary on screen stays quiet: one sound per burst. */
  job->sound = job->fresh && g_settings_get_boolean (self->settings, "notification-sound");
  worker_push (self->worker, job);

  account->shown_count = account->burst_count;
  account->last_show = g_get_monotonic_time ();
}

static void
burst_add (AccountState *account, HeraldCategory category, HeraldSeverity severity,
           const char *title)
{
  account->burst_count++;
  account->category_mask |= 1u << category;
  account->burst_severity = MAX (account->burst_severity, severity);
  if (title != NULL)
    {
      g_free (account->latest_title);
      account->latest_title = herald_format_clean_text (title, SUMMARY_MAX_CHARS);
    }
}

static void
burst_end (AccountState *account)
{
  account->in_burst = FALSE;
  account->burst_count = 0;
  account->shown_count = 0;
  account->category_mask = 0;
  account->burst_severity = HERALD_SEVERITY_INFO;
  g_clear_pointer (&account->latest_title, g_free);
}

/* The end of a hold: either each held event on its own, or the start of a burst. */
static void
release_held (AccountState *account, gint64 now)
{
  HeraldNotifier *self = account->self;
  guint threshold = g_settings_get_uint (self->settings, "burst-threshold");
  gint64 window = (gint64)g_settings_get_uint (self->settings, "burst-window") * G_USEC_PER_SEC;

  prune_recent (account, now);
  if (account->recent->len < threshold)
    {
      for (guint i = 0; i < account->held->len; i++)
        show_event (self, g_ptr_array_index (account->held, i));
      g_ptr_array_set_size (account->held, 0);
      return;
    }

  /* The summary counts every event of the window, the ones already shown on their own too:
   * "12 new trades" is what arrived, not what is left. */
  account->in_burst = TRUE;
  for (guint i = 0; i < account->recent->len; i++)
    {
      Recent *recent = &g_array_index (account->recent, Recent, i);

      burst_add (account, recent->category, recent->severity, NULL);
    }
  if (account->held->len > 0)
    {
      HeraldEvent *newest = g_ptr_array_index (account->held, account->held->len - 1);

      g_free (account->latest_title);
      account->latest_title
        = herald_format_clean_text (herald_event_get_title (newest), SUMMARY_MAX_CHARS);
    }
  g_ptr_array_set_size (account->held, 0);
  show_burst (account);
  account_tick_schedule (account, account->last_event + window - now, TRUE);
}

static gboolean
account_tick_cb (gpointer user_data)
{
  AccountState *account = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 window
    = (gint64)g_settings_get_uint (account->self->settings, "burst-window") * G_USEC_PER_SEC;

  g_clear_pointer (&account->tick, g_source_unref);
  /* Paused or switched off while events waited: they stay in the history only. */
  if (!notifications_wanted (account->self))
    {
      g_ptr_array_set_size (account->held, 0);
      burst_end (account);
      return G_SOURCE_REMOVE;
    }
  if (!account->in_burst)
    release_held (account, now);
  else if (account->burst_count > account->shown_count)
    {
      show_burst (account);
      account_tick_schedule (account, account->last_event + window - now, TRUE);
    }
  else if (now - account->last_event >= window)
    burst_end (account);
  else
    account_tick_schedule (account, account->last_event + window - now, TRUE);
  return G_SOURCE_REMOVE;
}

static void
account_tick_schedule (AccountState *account, gint64 delay_us, gboolean quiet_check)
{
  account_tick_cancel (account);
  account->tick_is_quiet_check = quiet_check;
  account->tick = g_timeout_source_new ((guint)(MAX (delay_us, 0) / 1000));
  g_source_set_callback (account->tick, account_tick_cb, account, NULL);
  g_source_set_name (account->tick, "[herald] notifier tick");
  /* The same context as "activated": the one the notifier was made on. */
  g_source_attach (account->tick, account->self->worker->main_context);
}

static gboolean
category_muted (HeraldNotifier *self, HeraldCategory category)
{
  g_auto (GStrv) muted = g_settings_get_strv (self->settings, "muted-categories");

  return g_strv_contains ((const char *const *)muted, herald_category_to_string (category));
}

static void
event_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  HeraldNotifier *self = user_data;
  AccountState *account;
  Recent recent;
  gint64 now;

  if (!notifications_wanted (self)
      || (int)herald_event_get_severity (event)
           < g_settings_get_enum (self->settings, "notify-minimum-severity")
      || category_muted (self, herald_event_get_category (event)))
    return;

  now = g_get_monotonic_time ();
  account = ensure_account (self, herald_event_get_account (event));
  prune_recent (account, now);
  recent.time = now;
  recent.category = herald_event_get_category (event);
  recent.severity = herald_event_get_severity (event);
  g_array_append_val (account->recent, recent);
  account->last_event = now;

  if (account->in_burst)
    {
      burst_add (account, recent.category, recent.severity, herald_event_get_title (event));
      /* A waiting quiet check would show this one only at the window's end. */
      if (account->tick == NULL || account->tick_is_quiet_check)
        account_tick_schedule (account, account->last_show + SUMMARY_INTERVAL_US - now, FALSE);
      return;
    }
  g_ptr_array_add (account->held, herald_event_ref (event));
  if (account->tick == NULL)
    account_tick_schedule (account, HERALD_NOTIFIER_HOLD_MS * 1000, FALSE);
}

static void
state_changed_cb (HeraldHub *hub, const char *account_id, int state, const char *reason,
                  gpointer user_data)
{
  HeraldNotifier *self = user_data;
  AccountState *account = ensure_account (self, account_id);
  HeraldConnectionState previous = account->state;
  g_autofree char *slot = g_strconcat ("attention\n", account_id, NULL);

  account->state = state;
  if (state == HERALD_CONNECTION_NEEDS_ATTENTION && previous != HERALD_CONNECTION_NEEDS_ATTENTION)
    {
      Job *job;
      g_autofree char *label = NULL;
      g_autofree char *isolated = NULL;
      g_autofree char *body = NULL;

      if (!notifications_wanted (self))
        return;
      label = dup_account_label (self, account_id);
      isolated = herald_format_isolate (label);
      body = herald_format_clean_text (reason, BODY_MAX_CHARS);
      job = g_new0 (Job, 1);
      job->kind = JOB_SHOW;
      job->slot = g_steal_pointer (&slot);
      job->fresh = TRUE;
      /* TRANSLATORS: %s is an account's name; its feed stopped until the user acts */
      job->summary = g_strdup_printf (_ ("%s needs attention"), isolated);
      job->body = *body != '\0' ? g_steal_pointer (&body)
                                : g_strdup (_ ("Open Herald to see what is wrong."));
      job->category = "network.error";
      /* Nothing arrives from this account until someone acts: it must not slip by. */
      job->urgency = NOTIFY_URGENCY_CRITICAL;
      job->account_id = g_strdup (account_id);
      job->sound = g_settings_get_boolean (self->settings, "notification-sound");
      worker_push (self->worker, job);
      account->attention_shown = TRUE;
    }
  else if (state == HERALD_CONNECTION_CONNECTED && account->attention_shown)
    {
      Job *job = g_new0 (Job, 1);

      /* Fixed: the warning on screen would now be wrong. */
      account->attention_shown = FALSE;
      job->kind = JOB_CLOSE;
      job->slot = g_steal_pointer (&slot);
      worker_push (self->worker, job);
    }
}

/* GObject */

static void
herald_notifier_dispose (GObject *object)
{
  HeraldNotifier *self = HERALD_NOTIFIER (object);

  if (self->hub != NULL)
    g_signal_handlers_disconnect_by_data (self->hub, self);
  g_clear_object (&self->hub);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->accounts, g_hash_table_unref);
  /* After everything queued so far: what was decided still gets shown. */
  g_clear_pointer (&self->worker, worker_stop);
  G_OBJECT_CLASS (herald_notifier_parent_class)->dispose (object);
}

static void
herald_notifier_class_init (HeraldNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = herald_notifier_dispose;

  signals[SIGNAL_ACTIVATED]
    = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 2, G_TYPE_STRING, HERALD_TYPE_EVENT);
}

static void
herald_notifier_init (HeraldNotifier *self)
{
  self->accounts
    = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)account_state_free);
}

/* Public API */

HeraldNotifier *
herald_notifier_new (HeraldHub *hub, GSettings *settings)
{
  HeraldNotifier *self;

  g_return_val_if_fail (HERALD_IS_HUB (hub), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HERALD_TYPE_NOTIFIER, NULL);
  self->hub = g_object_ref (hub);
  self->settings = g_object_ref (settings);
  self->worker = worker_new (self);
  g_signal_connect (hub, "event-added", G_CALLBACK (event_added_cb), self);
  g_signal_connect (hub, "state-changed", G_CALLBACK (state_changed_cb), self);
  return self;
}

void
herald_notifier_flush_async (HeraldNotifier *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job;

  g_return_if_fail (HERALD_IS_NOTIFIER (self));

  job = g_new0 (Job, 1);
  job->kind = JOB_FLUSH;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, herald_notifier_flush_async);
  worker_push (self->worker, job);
}

gboolean
herald_notifier_flush_finish (HeraldNotifier *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
