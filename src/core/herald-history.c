/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-history.c — the event history object: opening it, its cap and its signal. The file and
 * schema, the writer and the queries each live in a herald-history-*.c of their own. */
#define G_LOG_DOMAIN "herald-history"

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "herald-history-private.h"

typedef struct
{
  char *path;
  GMainContext *context;
  GThread *home;
} OpenData;

G_DEFINE_FINAL_TYPE (HeraldHistory, herald_history, G_TYPE_OBJECT)

/* The quark name is stringified: clang-format's spaces would change it. */
/* clang-format off */
G_DEFINE_QUARK (herald-history-error-quark, herald_history_error)
/* clang-format on */

enum
{
  PROP_0,
  PROP_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_READ_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
open_data_free (OpenData *data)
{
  g_free (data->path);
  g_main_context_unref (data->context);
  g_thread_unref (data->home);
  g_free (data);
}

static HeraldHistory *
history_open (const char *path, GMainContext *context, GThread *home, GError **error)
{
  g_autoptr (HeraldHistory) self = NULL;
  g_autofree char *dir = NULL;

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED,
                   _ ("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (HERALD_TYPE_HISTORY, NULL);
  self->path = g_strdup (path);
  self->context = g_main_context_ref (context);
  self->home = g_thread_ref (home);

  if (!_herald_history_open_store (self, error) || !_herald_history_start_writer (self, error))
    return NULL;

  g_debug ("opened %s: %" G_GINT64_FORMAT " events", path, self->row_count);
  return g_steal_pointer (&self);
}

static void
open_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  HeraldHistory *history;

  if (g_task_return_error_if_cancelled (task))
    return;
  history = history_open (data->path, data->context, data->home, &error);
  if (history == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, history, g_object_unref);
}

static void
herald_history_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HeraldHistory *self = HERALD_HISTORY (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      g_value_set_uint (value, herald_history_get_limit (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_history_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  HeraldHistory *self = HERALD_HISTORY (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      herald_history_set_limit (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_history_dispose (GObject *object)
{
  HeraldHistory *self = HERALD_HISTORY (object);

  /* May run twice if something revives the object; each step is idempotent. */
  _herald_history_stop_writer (self);

  G_OBJECT_CLASS (herald_history_parent_class)->dispose (object);
}

static void
herald_history_finalize (GObject *object)
{
  HeraldHistory *self = HERALD_HISTORY (object);

  _herald_history_queue_clear (self);
  _herald_history_close_store (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->home, g_thread_unref);
  g_free (self->path);
  g_free (self->moved_aside_path);
  g_mutex_clear (&self->read_lock);

  G_OBJECT_CLASS (herald_history_parent_class)->finalize (object);
}

static void
herald_history_class_init (HeraldHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = herald_history_get_property;
  object_class->set_property = herald_history_set_property;
  object_class->dispose = herald_history_dispose;
  object_class->finalize = herald_history_finalize;

  properties[PROP_LIMIT] = g_param_spec_uint (
    "limit", "Limit", "The most events the history keeps", 1, G_MAXUINT, HISTORY_DEFAULT_LIMIT,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * HeraldHistory::read-changed:
   * @account: (nullable): the account, or %NULL for every account
   * @id: (nullable): the event's id, or %NULL for every event of @account
   * @read: the new state
   *
   * See herald_history_mark_read().
   */
  signals[SIGNAL_READ_CHANGED]
    = g_signal_new ("read-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 3, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                    G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_BOOLEAN);
}

static void
herald_history_init (HeraldHistory *self)
{
  self->limit = HISTORY_DEFAULT_LIMIT;
  g_mutex_init (&self->read_lock);
  _herald_history_queue_init (self);
}

void
_herald_history_emit_read_changed (HeraldHistory *self, const char *account, const char *id,
                                   gboolean read)
{
  g_signal_emit (self, signals[SIGNAL_READ_CHANGED], 0, account, id, read);
}

HeraldHistory *
herald_history_open (const char *path, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return history_open (path, context, g_thread_self (), error);
}

void
herald_history_open_async (const char *path, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (OpenData, 1);
  data->path = g_strdup (path);
  /* Captured here: the worker thread's own default context is not the caller's. */
  data->context = g_main_context_ref_thread_default ();
  data->home = g_thread_ref (g_thread_self ());

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, herald_history_open_async);
  g_task_set_task_data (task, data, (GDestroyNotify)open_data_free);
  g_task_run_in_thread (task, open_thread);
}

HeraldHistory *
herald_history_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == herald_history_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
herald_history_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "herald", "history.db", NULL);
}

const char *
herald_history_get_moved_aside_path (HeraldHistory *self)
{
  g_return_val_if_fail (HERALD_IS_HISTORY (self), NULL);

  return self->moved_aside_path;
}

void
herald_history_set_limit (HeraldHistory *self, guint limit)
{
  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (limit >= 1);

  if ((guint)g_atomic_int_exchange (&self->limit, limit) == limit)
    return;
  /* A lower cap takes effect now, not with the next event. */
  _herald_history_request_prune (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
}

guint
herald_history_get_limit (HeraldHistory *self)
{
  g_return_val_if_fail (HERALD_IS_HISTORY (self), 0);

  return g_atomic_int_get (&self->limit);
}
