/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-notify-worker.h — the notifier's thread, the only place that talks to the notification
 * server through libnotify: shows, updates in place and withdraws what the notifier decided,
 * and hands the user's clicks back to the main context. Private to src/notify. */
#pragma once

#include <gio/gio.h>
#include <libnotify/notify.h>

#include "herald-event.h"

G_BEGIN_DECLS

typedef enum
{
  HERALD_NOTIFY_JOB_SHOW,
  HERALD_NOTIFY_JOB_CLOSE,
  HERALD_NOTIFY_JOB_WITHDRAW_READ,
  HERALD_NOTIFY_JOB_FLUSH,
  HERALD_NOTIFY_JOB_QUIT,
} HeraldNotifyJobKind;

/* One thing for the worker to do. Strings are already clean plain text. The worker frees it. */
typedef struct
{
  HeraldNotifyJobKind kind;
  /* SHOW: NULL for an event's notification (updated in place when a later status of the same
   * object comes); else the summary or warning kept under this name. CLOSE: the one to close. */
  char *slot;
  gboolean fresh; /* a new notification in slot, not an update of the one there */
  char *summary;
  char *body; /* escaped on the worker when the server reads markup */
  const char *category;
  NotifyUrgency urgency;
  gboolean sound;   /* ask for a sound, where the server plays them */
  char *account_id; /* WITHDRAW_READ: NULL for every account */
  char *event_id;   /* WITHDRAW_READ: NULL for every event of the account(s) */
  HeraldEvent *event;
  GTask *task; /* FLUSH: returned on the main context */
} HeraldNotifyJob;

typedef enum
{
  HERALD_NOTIFY_ACTION_DEFAULT,
  HERALD_NOTIFY_ACTION_OPEN,
  HERALD_NOTIFY_ACTION_MARK_READ,
} HeraldNotifyAction;

/* A click, called on the main context while owner lives. event is NULL for a summary or an
 * account's warning; earlier_ids (may be NULL) are the ids of the statuses of event's object
 * the notification showed before it; activation_token is the server's XDG activation token
 * for the click, or NULL. */
typedef void (*HeraldNotifyActionFunc) (GObject *owner, HeraldNotifyAction action,
                                        const char *account_id, HeraldEvent *event,
                                        GPtrArray *earlier_ids, const char *activation_token);

typedef struct _HeraldNotifyWorker HeraldNotifyWorker;

/* Starts the thread. The thread-default main context now is where func and flushes run. */
HeraldNotifyWorker *herald_notify_worker_new (GObject *owner, HeraldNotifyActionFunc func);
GMainContext *herald_notify_worker_get_main_context (HeraldNotifyWorker *worker);
/* Any thread; jobs run in the order pushed. Takes job. */
void herald_notify_worker_push (HeraldNotifyWorker *worker, HeraldNotifyJob *job);
/* Lets the thread finish what is queued, waiting for it briefly, and drops the caller's
 * reference. */
void herald_notify_worker_stop (HeraldNotifyWorker *worker);

G_END_DECLS
