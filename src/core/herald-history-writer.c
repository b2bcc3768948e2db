/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-history-writer.c — the history's writes: a queue of operations, one thread that writes
 * them in batches of one transaction each, the cap, and the callbacks back on the opener's context.
 */
#define G_LOG_DOMAIN "herald-history"

#include "config.h"

#if HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

#include <glib/gi18n-lib.h>

#include "herald-history-private.h"

/* Op arrays kept for reuse: a burst would otherwise free (and malloc_consolidate) a
 * HISTORY_BATCH_MAX array per batch, on the main thread. */
#define SPARE_MAX 2

struct _HistoryBatch
{
  GArray *ops;      /* of HistoryOp */
  guint64 last_seq; /* sequence number of the last op in it */
  gboolean has_callbacks;
};

/* Holds the history weakly: a dispatch racing with the last unref must not revive it. */
typedef struct
{
  GSource source;
  GWeakRef history;
} DispatchSource;

static const char *const write_statements[N_STMTS] = {
  /* Whether an event is new is the store's own answer: the UNIQUE (account, id) index turns a
   * stored pair into a change count of 0, whoever stored it. Only that conflict is absorbed;
   * any other failure still fails the batch. */
  [STMT_INSERT] = "INSERT INTO events (" HISTORY_EVENT_COLUMNS ")"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  " ON CONFLICT (account, id) DO NOTHING",
  [STMT_FORGET] = "DELETE FROM events WHERE account = ?1",
  /* The newest row to go, then a one-pass range delete along the occurred index: cheaper
   * than collecting the rows to go into a temporary table and looking each one up again. */
  [STMT_PRUNE_BOUND] = "SELECT occurred, seq FROM events ORDER BY occurred ASC, seq ASC"
                       " LIMIT 1 OFFSET ?1",
  [STMT_PRUNE] = "DELETE FROM events WHERE (occurred, seq) <= (?1, ?2)",
  [STMT_DATA_VERSION] = "PRAGMA data_version",
  [STMT_COUNT] = "SELECT count(*) FROM events",
  /* Each leaves rows already in the wanted state alone, so that the change count says whether
   * anything changed, and "read-changed" is not announced for nothing. */
  [STMT_MARK_ALL] = "UPDATE events SET read = ?1 WHERE read != ?1",
  [STMT_MARK_ACCOUNT] = "UPDATE events SET read = ?1 WHERE account = ?2 AND read != ?1",
  [STMT_MARK_ID] = "UPDATE events SET read = ?1 WHERE id = ?3 AND read != ?1",
  [STMT_MARK_ONE] = "UPDATE events SET read = ?1 WHERE account = ?2 AND id = ?3 AND read != ?1",
};

static void
op_clear (gpointer data)
{
  HistoryOp *op = data;

  g_clear_pointer (&op->event, herald_event_unref);
  g_clear_pointer (&op->account, g_free);
  g_clear_pointer (&op->id, g_free);
}

/* Called with self->lock held. */
static HistoryBatch *
batch_new_locked (HeraldHistory *self)
{
  HistoryBatch *batch = g_new0 (HistoryBatch, 1);

  if (self->spare_ops->len > 0)
    batch->ops = g_ptr_array_steal_index_fast (self->spare_ops, self->spare_ops->len - 1);
  else
    {
      batch->ops = g_array_sized_new (FALSE, FALSE, sizeof (HistoryOp), 64);
      g_array_set_clear_func (batch->ops, op_clear);
    }
  return batch;
}

static void
batch_free (HistoryBatch *batch)
{
  g_clear_pointer (&batch->ops, g_array_unref);
  g_free (batch);
}

/* Frees @batch but keeps its op array for a later batch. Not under self->lock: clearing the
 * ops drops thousands of event references, which adders should not wait for. */
static void
batch_recycle (HeraldHistory *self, HistoryBatch *batch)
{
  g_array_set_size (batch->ops, 0);
  g_mutex_lock (&self->lock);
  if (self->spare_ops->len < SPARE_MAX)
    g_ptr_array_add (self->spare_ops, g_steal_pointer (&batch->ops));
  g_mutex_unlock (&self->lock);
  batch_free (batch);
}

/* Runs stmt, which returns no rows, and resets it. */
static int
step_keeping_bindings (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  /* reset () repeats a step error; the step's own code is the one to report. */
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
step_once (sqlite3_stmt *stmt)
{
  int rc = step_keeping_bindings (stmt);

  sqlite3_clear_bindings (stmt);
  return rc;
}

/* Runs stmt, which returns one integer. */
static int
step_int64 (sqlite3_stmt *stmt, gint64 *out_value)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      *out_value = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_OK;
    }
  else if (rc == SQLITE_DONE)
    {
      rc = SQLITE_ERROR;
    }
  sqlite3_reset (stmt);
  return rc;
}

static int
run_insert (HeraldHistory *self, HistoryOp *op)
{
  sqlite3_stmt *stmt = self->stmts[STMT_INSERT];
  HeraldEvent *event = op->event;
  int rc;

  _herald_history_bind_text (stmt, 1, herald_event_get_account (event));
  _herald_history_bind_text (stmt, 2, herald_event_get_id (event));
  _herald_history_bind_text (stmt, 3, herald_event_get_provider (event));
  _herald_history_bind_text (stmt, 4, herald_event_get_event_type (event));
  _herald_history_bind_text (stmt, 5,
                             herald_category_to_string (herald_event_get_category (event)));
  _herald_history_bind_text (stmt, 6,
                             herald_severity_to_string (herald_event_get_severity (event)));
  _herald_history_bind_text (stmt, 7, herald_event_get_title (event));
  _herald_history_bind_text (stmt, 8, herald_event_get_body (event));
  _herald_history_bind_text (stmt, 9, herald_event_get_link (event));
  sqlite3_bind_int64 (stmt, 10, herald_event_get_occurred (event));
  sqlite3_bind_int64 (stmt, 11, herald_event_get_received (event));
  /* The message as the provider sent it: the details view shows it, and for an event of a type
   * Herald does not know it is all there is. Its length is known, so SQLite need not measure it. */
  if (herald_event_get_raw (event) != NULL)
    sqlite3_bind_text64 (stmt, 12, herald_event_get_raw (event),
                         herald_event_get_raw_length (event), SQLITE_STATIC, SQLITE_UTF8);
  else
    sqlite3_bind_text (stmt, 12, "", 0, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 13, herald_event_get_read (event));

  /* Every insert binds all parameters anew, so they are not cleared after each one;
   * write_batch () clears them once the batch is done, before its events can go away. */
  rc = step_keeping_bindings (stmt);
  if (rc != SQLITE_OK)
    {
      op->outcome = HERALD_HISTORY_NOT_STORED;
      return rc;
    }
  if (sqlite3_changes (self->write_db) > 0)
    {
      self->row_count++;
      op->outcome = HERALD_HISTORY_STORED;
    }
  else
    {
      op->outcome = HERALD_HISTORY_DUPLICATE;
    }
  return SQLITE_OK;
}

static int
run_mark_read (HeraldHistory *self, HistoryOp *op)
{
  static const int variants[] = { STMT_MARK_ALL, STMT_MARK_ACCOUNT, STMT_MARK_ID, STMT_MARK_ONE };
  sqlite3_stmt *stmt = self->stmts[variants[(op->account ? 1 : 0) | (op->id ? 2 : 0)]];
  int rc;

  sqlite3_bind_int (stmt, 1, op->read);
  if (op->account != NULL)
    _herald_history_bind_text (stmt, 2, op->account);
  if (op->id != NULL)
    _herald_history_bind_text (stmt, 3, op->id);
  rc = step_once (stmt);
  op->changed = rc == SQLITE_OK && sqlite3_changes (self->write_db) > 0;
  return rc;
}

static int
run_forget (HeraldHistory *self, HistoryOp *op)
{
  sqlite3_stmt *stmt = self->stmts[STMT_FORGET];
  int rc;

  _herald_history_bind_text (stmt, 1, op->account);
  rc = step_once (stmt);
  if (rc == SQLITE_OK)
    self->row_count -= sqlite3_changes (self->write_db);
  return rc;
}

static int
prune (HeraldHistory *self)
{
  guint limit = g_atomic_int_get (&self->limit);
  sqlite3_stmt *bound = self->stmts[STMT_PRUNE_BOUND];
  sqlite3_stmt *stmt = self->stmts[STMT_PRUNE];
  gint64 excess = self->row_count - limit;
  gint64 occurred, seq;
  int rc;

  if (excess <= 0)
    return SQLITE_OK;
  sqlite3_bind_int64 (bound, 1, excess - 1);
  rc = sqlite3_step (bound);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (bound);
      /* Fewer rows than counted: cannot happen while the count is exact, and then there is
       * nothing to delete either. */
      return rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
  occurred = sqlite3_column_int64 (bound, 0);
  seq = sqlite3_column_int64 (bound, 1);
  sqlite3_reset (bound);

  sqlite3_bind_int64 (stmt, 1, occurred);
  sqlite3_bind_int64 (stmt, 2, seq);
  rc = step_once (stmt);
  if (rc == SQLITE_OK)
    self->row_count -= sqlite3_changes (self->write_db);
  return rc;
}

/* Another connection (a second HeraldHistory on the same file, in this process or another) may
 * have added or deleted rows since our last commit, and the cap trusts the running count: count
 * again then. Called inside the batch's write transaction, so nobody else changes the table
 * until COMMIT. */
static int
refresh_count (HeraldHistory *self)
{
  gint64 data_version = 0;
  int rc;

  rc = step_int64 (self->stmts[STMT_DATA_VERSION], &data_version);
  if (rc != SQLITE_OK || data_version == self->data_version)
    return rc;
  rc = step_int64 (self->stmts[STMT_COUNT], &self->row_count);
  if (rc == SQLITE_OK)
    {
      g_debug ("the history was changed by another connection: %" G_GINT64_FORMAT " events",
               self->row_count);
      self->data_version = data_version;
    }
  return rc;
}

/* After a burst: the pages SQLite caches for both connections (the writer's up to 8 MiB) go
 * back to the allocator, and the allocator gives its free memory back to the system. */
static void
release_memory (HeraldHistory *self)
{
  sqlite3_db_release_memory (self->write_db);
  if (self->read_db != NULL)
    sqlite3_db_release_memory (self->read_db);
#if HAVE_MALLOC_TRIM
  malloc_trim (0);
#endif
}

static void
write_batch (HeraldHistory *self, HistoryBatch *batch)
{
  gint64 row_count = self->row_count;
  gboolean release = FALSE;
  int rc;

  rc = sqlite3_exec (self->write_db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = refresh_count (self);
  if (rc == SQLITE_OK)
    row_count = self->row_count;
  for (guint i = 0; rc == SQLITE_OK && i < batch->ops->len; i++)
    {
      HistoryOp *op = &g_array_index (batch->ops, HistoryOp, i);

      switch (op->kind)
        {
        case HISTORY_OP_ADD:
          rc = run_insert (self, op);
          break;
        case HISTORY_OP_MARK_READ:
          rc = run_mark_read (self, op);
          break;
        case HISTORY_OP_FORGET:
          rc = run_forget (self, op);
          break;
        case HISTORY_OP_PRUNE:
          break;
        case HISTORY_OP_RELEASE_MEMORY:
          release = TRUE;
          break;
        }
    }
  /* The insert's bindings point into the batch's events (SQLITE_STATIC). */
  sqlite3_clear_bindings (self->stmts[STMT_INSERT]);
  if (rc == SQLITE_OK)
    rc = prune (self);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (self->write_db, "COMMIT", NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    {
      if (self->write_failing)
        g_debug ("writing to the history works again");
      self->write_failing = FALSE;
      if (release)
        release_memory (self);
      return;
    }

  /* One warning per run of failures: a full disk under a burst must not flood the journal. */
  if (!self->write_failing)
    g_warning ("Could not write %u events to the history: %s", batch->ops->len,
               sqlite3_errmsg (self->write_db));
  else
    g_debug ("could not write %u events to the history: %s", batch->ops->len,
             sqlite3_errmsg (self->write_db));
  self->write_failing = TRUE;
  if (!sqlite3_get_autocommit (self->write_db))
    sqlite3_exec (self->write_db, "ROLLBACK", NULL, NULL, NULL);
  /* Nobody else wrote inside our transaction: the count from its start is right again. */
  self->row_count = row_count;
  for (guint i = 0; i < batch->ops->len; i++)
    {
      HistoryOp *op = &g_array_index (batch->ops, HistoryOp, i);

      op->outcome = HERALD_HISTORY_NOT_STORED;
      op->changed = FALSE;
    }
}

/* Called with self->lock held. */
static void
mark_dispatched_locked (HeraldHistory *self, guint64 seq)
{
  self->dispatched_seq = seq;
  if (self->flush_waiters > 0)
    {
      g_cond_broadcast (&self->flush_cond);
      /* A flush may be blocked in g_main_context_iteration () rather than on the cond. */
      g_main_context_wakeup (self->context);
    }
}

static void
hand_over (HeraldHistory *self, HistoryBatch *batch)
{
  g_mutex_lock (&self->lock);
  self->written_seq = batch->last_seq;
  if (self->adders_waiting > 0)
    g_cond_broadcast (&self->progress_cond);
  if (!batch->has_callbacks && self->undelivered == 0)
    {
      /* Nothing to call and nothing before it still waiting: done without a main loop turn. */
      mark_dispatched_locked (self, batch->last_seq);
      g_mutex_unlock (&self->lock);
      batch_recycle (self, batch);
      return;
    }
  g_queue_push_tail (&self->done, batch);
  self->undelivered++;
  g_source_set_ready_time (self->dispatch_source, 0);
  g_mutex_unlock (&self->lock);
}

static gpointer
writer_thread (gpointer data)
{
  HeraldHistory *self = data;

  for (;;)
    {
      HistoryBatch *batch;

      g_mutex_lock (&self->lock);
      while (g_queue_is_empty (&self->pending) && !self->stopping)
        {
          self->writer_waiting = TRUE;
          g_cond_wait (&self->writer_cond, &self->lock);
        }
      self->writer_waiting = FALSE;
      /* Stopping still drains what was queued before. */
      batch = g_queue_pop_head (&self->pending);
      g_mutex_unlock (&self->lock);

      if (batch == NULL)
        break;
      write_batch (self, batch);
      hand_over (self, batch);
    }
  return NULL;
}

/* One dispatch of the callbacks runs at most this long, then lets the loop turn: a main loop
 * that fell behind a burst would otherwise catch up in one dispatch of several batches. */
#define DELIVER_BUDGET_US (8 * 1000)
/* The clock is read once every this many callbacks. */
#define DELIVER_CLOCK_EVERY 256

/* Runs the callbacks of written batches, in order, and announces their read-state changes,
 * until @deadline_us (monotonic; 0: until none is left). Re-entrant: a callback that flushes
 * iterates the context, which may dispatch this again; the position lives in self. */
static void
deliver (HeraldHistory *self, gint64 deadline_us)
{
  guint since_clock = 0;

  for (;;)
    {
      HistoryBatch *batch = self->delivering;

      /* Stopping leaves the source ready: the rest goes at the next turn of the loop. */
      if (deadline_us != 0 && ++since_clock >= DELIVER_CLOCK_EVERY)
        {
          since_clock = 0;
          if (g_get_monotonic_time () >= deadline_us)
            return;
        }

      if (batch == NULL)
        {
          g_mutex_lock (&self->lock);
          batch = g_queue_pop_head (&self->done);
          if (batch == NULL)
            g_source_set_ready_time (self->dispatch_source, -1);
          g_mutex_unlock (&self->lock);
          if (batch == NULL)
            return;
          self->delivering = batch;
          self->delivering_index = 0;
        }

      if (self->delivering_index < batch->ops->len)
        {
          HistoryOp *op = &g_array_index (batch->ops, HistoryOp, self->delivering_index++);

          if (op->kind == HISTORY_OP_ADD && op->callback != NULL)
            op->callback (self, op->event, op->outcome, op->user_data);
          else if (op->kind == HISTORY_OP_MARK_READ && op->changed)
            _herald_history_emit_read_changed (self, op->account, op->id, op->read);
          continue;
        }

      self->delivering = NULL;
      g_mutex_lock (&self->lock);
      self->undelivered--;
      mark_dispatched_locked (self, batch->last_seq);
      g_mutex_unlock (&self->lock);
      batch_recycle (self, batch);
    }
}

static gboolean
dispatch_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  DispatchSource *dispatch = (DispatchSource *)source;
  g_autoptr (HeraldHistory) self = g_weak_ref_get (&dispatch->history);

  if (self == NULL)
    {
      g_source_set_ready_time (source, -1);
      return G_SOURCE_REMOVE;
    }
  deliver (self, g_get_monotonic_time () + DELIVER_BUDGET_US);
  return G_SOURCE_CONTINUE;
}

static void
dispatch_source_finalize (GSource *source)
{
  DispatchSource *dispatch = (DispatchSource *)source;

  g_weak_ref_clear (&dispatch->history);
}

static GSourceFuncs dispatch_source_funcs = {
  .dispatch = dispatch_source_dispatch,
  .finalize = dispatch_source_finalize,
};

/* The thread the user looks at: the one that opened the store, or whichever runs its context.
 * It must never wait for the disk. */
static gboolean
is_callback_thread (HeraldHistory *self)
{
  return g_thread_self () == self->home || g_main_context_is_owner (self->context);
}

/* Takes @op over. Returns FALSE when the store is closed. */
static gboolean
enqueue (HeraldHistory *self, HistoryOp *op)
{
  /* Nor the thread running the default context, GTK's, should the store be opened elsewhere. */
  gboolean may_wait
    = !is_callback_thread (self) && !g_main_context_is_owner (g_main_context_default ());
  HistoryBatch *batch;

  g_mutex_lock (&self->lock);
  /* Back-pressure, on the threads that may wait: with HISTORY_BACKLOG_MAX ops not yet written,
   * wait until the writer finishes a batch. The writer never waits for another thread (its
   * callbacks are handed over, not run), so this cannot deadlock. The callback thread is never
   * held back: there a wait would freeze the UI, and it alone could deliver the callbacks
   * the writer hands over. Its ops are queued whatever the backlog, so none is ever lost.
   * Stopping ends the wait; the writer itself never adds. */
  while (may_wait && !self->stopping && g_thread_self () != self->writer
         && self->enqueued_seq - self->written_seq >= HISTORY_BACKLOG_MAX)
    {
      self->adders_waiting++;
      g_cond_wait (&self->progress_cond, &self->lock);
      self->adders_waiting--;
    }
  if (self->stopping || self->writer == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_critical ("%s: the history is closed", G_STRFUNC);
      op_clear (op);
      return FALSE;
    }
  batch = g_queue_peek_tail (&self->pending);
  if (batch == NULL || batch->ops->len >= HISTORY_BATCH_MAX)
    {
      batch = batch_new_locked (self);
      g_queue_push_tail (&self->pending, batch);
    }
  g_array_append_vals (batch->ops, op, 1);
  /* Read-state changes are announced on the callback context, so their batch goes there. */
  batch->has_callbacks |= op->callback != NULL || op->kind == HISTORY_OP_MARK_READ;
  batch->last_seq = ++self->enqueued_seq;
  /* Signal only a sleeping writer: a futex wake per event would cost more than the insert. */
  if (self->writer_waiting)
    {
      self->writer_waiting = FALSE;
      g_cond_signal (&self->writer_cond);
    }
  g_mutex_unlock (&self->lock);
  return TRUE;
}

void
_herald_history_queue_init (HeraldHistory *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->writer_cond);
  g_cond_init (&self->flush_cond);
  g_cond_init (&self->progress_cond);
  self->spare_ops = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  g_queue_init (&self->pending);
  g_queue_init (&self->done);
}

void
_herald_history_queue_clear (HeraldHistory *self)
{
  g_queue_clear_full (&self->pending, (GDestroyNotify)batch_free);
  g_queue_clear_full (&self->done, (GDestroyNotify)batch_free);
  g_clear_pointer (&self->delivering, batch_free);
  g_clear_pointer (&self->spare_ops, g_ptr_array_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->writer_cond);
  g_cond_clear (&self->flush_cond);
  g_cond_clear (&self->progress_cond);
}

/* On the freshly opened write connection, before the writer thread exists. */
int
_herald_history_prepare_writer (HeraldHistory *self)
{
  int rc = SQLITE_OK;

  for (guint i = 0; rc == SQLITE_OK && i < N_STMTS; i++)
    rc = sqlite3_prepare_v3 (self->write_db, write_statements[i], -1, SQLITE_PREPARE_PERSISTENT,
                             &self->stmts[i], NULL);
  if (rc == SQLITE_OK)
    rc = step_int64 (self->stmts[STMT_DATA_VERSION], &self->data_version);
  if (rc == SQLITE_OK)
    rc = step_int64 (self->stmts[STMT_COUNT], &self->row_count);
  return rc;
}

gboolean
_herald_history_start_writer (HeraldHistory *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  DispatchSource *dispatch;

  dispatch = (DispatchSource *)g_source_new (&dispatch_source_funcs, sizeof (DispatchSource));
  g_weak_ref_init (&dispatch->history, self);
  self->dispatch_source = (GSource *)dispatch;
  g_source_set_static_name (self->dispatch_source, "HeraldHistory callbacks");
  /* Lets a callback flush: the nested iteration must be able to deliver what follows it. */
  g_source_set_can_recurse (self->dispatch_source, TRUE);
  g_source_attach (self->dispatch_source, self->context);

  self->writer = g_thread_try_new ("herald-history", writer_thread, self, &local_error);
  if (self->writer == NULL)
    {
      g_debug ("history writer thread: %s", local_error->message);
      g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED,
                   _ ("Could not open the history “%s”: %s"), self->path,
                   _herald_history_describe_error (SQLITE_NOMEM));
      return FALSE;
    }
  return TRUE;
}

/* Writes what is queued, then ends the writer. Idempotent. */
void
_herald_history_stop_writer (HeraldHistory *self)
{
  if (self->writer != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_signal (&self->writer_cond);
      /* Only a caller without a reference of its own could still be waiting to add. */
      g_cond_broadcast (&self->progress_cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->writer));
    }
  if (self->dispatch_source != NULL)
    {
      g_source_destroy (self->dispatch_source);
      g_clear_pointer (&self->dispatch_source, g_source_unref);
    }
}

void
_herald_history_request_prune (HeraldHistory *self)
{
  HistoryOp op = { .kind = HISTORY_OP_PRUNE };

  if (self->writer != NULL)
    enqueue (self, &op);
}

void
herald_history_release_memory (HeraldHistory *self)
{
  HistoryOp op = { .kind = HISTORY_OP_RELEASE_MEMORY };

  g_return_if_fail (HERALD_IS_HISTORY (self));
  if (self->writer != NULL)
    enqueue (self, &op);
}

void
herald_history_add (HeraldHistory *self, HeraldEvent *event, HeraldHistoryAddedFunc callback,
                    gpointer user_data)
{
  HistoryOp op = { .kind = HISTORY_OP_ADD };

  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (event != NULL);

  op.event = herald_event_ref (event);
  op.callback = callback;
  op.user_data = user_data;
  if (!enqueue (self, &op))
    return;

  /* During a burst the opener's main loop may not turn for seconds: libsoup keeps reading
   * frames in one dispatch for as long as the peer keeps sending, and each becomes an add.
   * Written batches, and the events they hold, would pile up waiting for the dispatch source.
   * So the add itself delivers them when it runs where they belong: the opener's thread,
   * owning the callback context, and not inside a callback (deliver () is re-entrant, but a
   * callback that adds would then run later callbacks before it returns). */
  if (g_thread_self () == self->home && self->delivering == NULL
      && g_main_context_is_owner (self->context))
    {
      g_autoptr (HeraldHistory) hold = g_object_ref (self);

      deliver (self, 0);
    }
}

void
herald_history_flush (HeraldHistory *self)
{
  guint64 target;

  g_return_if_fail (HERALD_IS_HISTORY (self));

  g_mutex_lock (&self->lock);
  target = self->enqueued_seq;
  self->flush_waiters++;
  g_mutex_unlock (&self->lock);

  for (;;)
    {
      gboolean done;

      g_mutex_lock (&self->lock);
      done = self->dispatched_seq >= target;
      g_mutex_unlock (&self->lock);
      if (done)
        break;

      /* Dispatch ourselves only where callbacks belong: the opener's thread, or whichever
       * thread runs the context right now. Any other thread that took a free context would
       * run callbacks where the caller does not expect them. */
      if (is_callback_thread (self) && g_main_context_acquire (self->context))
        {
          g_main_context_iteration (self->context, TRUE);
          g_main_context_release (self->context);
          continue;
        }

      /* Another thread runs the context, or will: wait for it, waking now and then in case it
       * finished with the context between our check and the wait. */
      g_mutex_lock (&self->lock);
      if (self->dispatched_seq < target)
        g_cond_wait_until (&self->flush_cond, &self->lock,
                           g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND);
      g_mutex_unlock (&self->lock);
    }

  g_mutex_lock (&self->lock);
  self->flush_waiters--;
  g_mutex_unlock (&self->lock);
}

guint
herald_history_get_backlog (HeraldHistory *self)
{
  guint64 backlog;

  g_return_val_if_fail (HERALD_IS_HISTORY (self), 0);

  g_mutex_lock (&self->lock);
  backlog = self->enqueued_seq - self->written_seq;
  g_mutex_unlock (&self->lock);
  return (guint)MIN (backlog, G_MAXUINT);
}

void
herald_history_mark_read (HeraldHistory *self, const char *account, const char *id, gboolean read)
{
  HistoryOp op = { .kind = HISTORY_OP_MARK_READ };

  g_return_if_fail (HERALD_IS_HISTORY (self));

  op.read = !!read;
  op.account = g_strdup (account);
  op.id = g_strdup (id);
  enqueue (self, &op);
}

void
herald_history_forget_account (HeraldHistory *self, const char *account)
{
  HistoryOp op = { .kind = HISTORY_OP_FORGET };

  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (account != NULL);

  op.account = g_strdup (account);
  enqueue (self, &op);
}
