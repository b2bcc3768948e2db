/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-notifier.c — decides on the main context what to notify (settings, bursts, accounts
 * that need attention) and talks to the notification server from one worker thread. */
#define G_LOG_DOMAIN "herald-notify"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "herald-format.h"
#include "herald-notifier.h"
#include "herald-notify-settings.h"
#include "herald-notify-worker.h"

/* Servers cut long text anyway; a tipper's essay should not fill the screen first. */
#define SUMMARY_MAX_CHARS 120
#define BODY_MAX_CHARS 400
#define LABEL_MAX_CHARS 60
/* A burst's summary is shown again at most this often. */
#define SUMMARY_INTERVAL_US G_USEC_PER_SEC

typedef HeraldNotifyJob Job;

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
  HeraldHistory *history;
  GSettings *settings;
  HeraldNotifySettings config; /* followed through "changed", never read per event */
  HeraldNotifyWorker *worker;
  GHashTable *accounts;   /* id → AccountState */
  char *activation_token; /* while a click's signal is emitted */
};

G_DEFINE_FINAL_TYPE (HeraldNotifier, herald_notifier, G_TYPE_OBJECT)

enum
{
  SIGNAL_ACTIVATED,
  SIGNAL_OPEN_LINK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void account_tick_schedule (AccountState *account, gint64 delay_us, gboolean quiet_check);

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
  return self->config.enabled && !self->config.paused;
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
  gint64 window = (gint64)account->self->config.burst_window_s * G_USEC_PER_SEC;
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

  if (self->config.show_message)
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

  job->kind = HERALD_NOTIFY_JOB_SHOW;
  job->summary = g_steal_pointer (&summary);
  job->body = g_steal_pointer (&body);
  job->category = category_hint (herald_event_get_category (event));
  job->urgency = urgency_for (herald_event_get_severity (event));
  job->sound = self->config.sound;
  job->account_id = g_strdup (herald_event_get_account (event));
  job->event = herald_event_ref (event);
  herald_notify_worker_push (self->worker, job);
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

  job->kind = HERALD_NOTIFY_JOB_SHOW;
  job->slot = g_strconcat ("burst\n", account->id, NULL);
  job->fresh = account->shown_count == 0;
  job->summary = burst_summary (account->burst_count, single, category, isolated);
  if (self->config.show_message && account->latest_title != NULL && *account->latest_title != '\0')
    /* TRANSLATORS: body of a burst summary; %s is the newest event's title */
    job->body = g_strdup_printf (_ ("Latest: %s"), account->latest_title);
  job->category = single ? category_hint (category) : NULL;
  job->urgency = urgency_for (account->burst_severity);
  job->account_id = g_strdup (account->id);
  /* An update of the summary on screen stays quiet: one sound per burst. */
  job->sound = job->fresh && self->config.sound;
  herald_notify_worker_push (self->worker, job);

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
  guint threshold = self->config.burst_threshold;
  gint64 window = (gint64)self->config.burst_window_s * G_USEC_PER_SEC;

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
  gint64 window = (gint64)account->self->config.burst_window_s * G_USEC_PER_SEC;

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
  g_source_attach (account->tick, herald_notify_worker_get_main_context (account->self->worker));
}

static void
event_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  HeraldNotifier *self = user_data;
  AccountState *account;
  Recent recent;
  gint64 now;

  if (!notifications_wanted (self) || herald_event_get_severity (event) < self->config.minimum
      || (self->config.muted_categories & (1u << herald_event_get_category (event))) != 0)
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
state_changed_cb (HeraldHub *hub, const char *account_id, HeraldConnectionState state,
                  const char *reason, gpointer user_data)
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
      job->kind = HERALD_NOTIFY_JOB_SHOW;
      job->slot = g_steal_pointer (&slot);
      job->fresh = TRUE;
      /* TRANSLATORS: %s is an account's name; its feed stopped until the user acts */
      job->summary = g_strdup_printf (_ ("%s needs attention"), isolated);
      job->body = *body != '\0' ? g_steal_pointer (&body)
                                : g_strdup (_ ("Open Herald to see what is wrong."));
      job->category = "network.error";
      /* Nothing arrives from this account until someone acts: it must not slip by. */
      job->urgency = NOTIFY_URGENCY_CRITICAL;
      job->sound = self->config.sound;
      job->account_id = g_strdup (account_id);
      herald_notify_worker_push (self->worker, job);
      account->attention_shown = TRUE;
    }
  else if (state == HERALD_CONNECTION_CONNECTED && account->attention_shown)
    {
      Job *job = g_new0 (Job, 1);

      /* Fixed: the warning on screen would now be wrong. */
      account->attention_shown = FALSE;
      job->kind = HERALD_NOTIFY_JOB_CLOSE;
      job->slot = g_steal_pointer (&slot);
      herald_notify_worker_push (self->worker, job);
    }
}

static void
settings_changed_cb (GSettings *settings, const char *key, gpointer user_data)
{
  HeraldNotifier *self = user_data;

  herald_notify_settings_update (&self->config, settings, key);
}

/* Read state is the history's: whoever marked events read (window, tray, a notification), their
 * notifications go. Events still held for the hold are not shown at all. */
static void
read_changed_cb (HeraldHistory *history, const char *account_id, const char *id, gboolean read,
                 gpointer user_data)
{
  HeraldNotifier *self = user_data;
  GHashTableIter iter;
  AccountState *account;
  Job *job;

  if (!read)
    return;
  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&account))
    {
      if (account_id != NULL && g_strcmp0 (account->id, account_id) != 0)
        continue;
      for (guint i = account->held->len; i > 0; i--)
        {
          HeraldEvent *held = g_ptr_array_index (account->held, i - 1);

          if (id == NULL || g_strcmp0 (herald_event_get_id (held), id) == 0)
            g_ptr_array_remove_index (account->held, i - 1);
        }
    }
  job = g_new0 (Job, 1);
  job->kind = HERALD_NOTIFY_JOB_WITHDRAW_READ;
  job->account_id = g_strdup (account_id);
  job->event_id = g_strdup (id);
  herald_notify_worker_push (self->worker, job);
}

/* A click on a notification, back on the main context. */
static void
mark_read (HeraldNotifier *self, HeraldEvent *event, GPtrArray *earlier_ids)
{
  const char *account = herald_event_get_account (event);
  Job *job;

  /* The earlier statuses of the object went with it: the notification stood for them all. */
  if (self->history != NULL)
    {
      for (guint i = 0; earlier_ids != NULL && i < earlier_ids->len; i++)
        herald_history_mark_read (self->history, account, g_ptr_array_index (earlier_ids, i), TRUE);
      herald_history_mark_read (self->history, account, herald_event_get_id (event), TRUE);
    }
  /* At once, not only through "read-changed": an event read already changes nothing there. */
  job = g_new0 (Job, 1);
  job->kind = HERALD_NOTIFY_JOB_WITHDRAW_READ;
  job->account_id = g_strdup (account);
  job->event_id = g_strdup (herald_event_get_id (event));
  herald_notify_worker_push (self->worker, job);
}

static void
action_cb (GObject *owner, HeraldNotifyAction action, const char *account_id, HeraldEvent *event,
           GPtrArray *earlier_ids, const char *activation_token)
{
  HeraldNotifier *self = HERALD_NOTIFIER (owner);

  /* Disposed, not yet finalized: Herald is going away. */
  if (self->worker == NULL)
    return;
  g_free (self->activation_token);
  self->activation_token = g_strdup (activation_token);

  switch (action)
    {
    case HERALD_NOTIFY_ACTION_DEFAULT:
      g_signal_emit (self, signals[SIGNAL_ACTIVATED], 0, account_id, event);
      break;
    case HERALD_NOTIFY_ACTION_OPEN:
      if (event != NULL && herald_event_get_link (event) != NULL)
        g_signal_emit (self, signals[SIGNAL_OPEN_LINK], 0, event, herald_event_get_link (event));
      break;
    case HERALD_NOTIFY_ACTION_MARK_READ:
      if (event != NULL)
        mark_read (self, event, earlier_ids);
      break;
    }
  g_clear_pointer (&self->activation_token, g_free);
}

/* GObject */

static void
herald_notifier_dispose (GObject *object)
{
  HeraldNotifier *self = HERALD_NOTIFIER (object);

  if (self->hub != NULL)
    g_signal_handlers_disconnect_by_data (self->hub, self);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->hub);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->accounts, g_hash_table_unref);
  /* After everything queued so far: what was decided still gets shown. */
  g_clear_pointer (&self->worker, herald_notify_worker_stop);
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
  signals[SIGNAL_OPEN_LINK]
    = g_signal_new ("open-link", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 2, HERALD_TYPE_EVENT, G_TYPE_STRING);
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
  /* Connected before the keys are read: GSettings reports changes of keys read since. */
  g_signal_connect (settings, "changed", G_CALLBACK (settings_changed_cb), self);
  herald_notify_settings_init (&self->config, settings);
  self->worker = herald_notify_worker_new (G_OBJECT (self), action_cb);
  g_signal_connect (hub, "event-added", G_CALLBACK (event_added_cb), self);
  g_signal_connect (hub, "state-changed", G_CALLBACK (state_changed_cb), self);
  self->history = herald_hub_get_history (hub);
  if (self->history != NULL)
    {
      g_object_ref (self->history);
      g_signal_connect (self->history, "read-changed", G_CALLBACK (read_changed_cb), self);
    }
  return self;
}

void
herald_notifier_flush_async (HeraldNotifier *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job;

  g_return_if_fail (HERALD_IS_NOTIFIER (self));

  job = g_new0 (Job, 1);
  job->kind = HERALD_NOTIFY_JOB_FLUSH;
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, herald_notifier_flush_async);
  herald_notify_worker_push (self->worker, job);
}

gboolean
herald_notifier_flush_finish (HeraldNotifier *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (HERALD_IS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
herald_notifier_get_activation_token (HeraldNotifier *self)
{
  g_return_val_if_fail (HERALD_IS_NOTIFIER (self), NULL);

  return self->activation_token;
}
