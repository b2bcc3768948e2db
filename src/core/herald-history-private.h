/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-history-private.h — what the parts of HeraldHistory share: the object's fields, the
 * writer's operations, and the few calls one part makes into another. Never installed. */
#pragma once

#include <sqlite3.h>

#include "herald-history.h"

G_BEGIN_DECLS

#define HISTORY_DEFAULT_LIMIT 10000
/* Ops per transaction. Large enough that a commit is a small share of the cost of a burst,
 * small enough that the first callbacks of a burst are not held back for long. */
#define HISTORY_BATCH_MAX 4096
/* Ops added and not yet written beyond which herald_history_add() holds back a thread that may
 * wait (see herald-history.h): the batch being written and two full ones behind it. */
#define HISTORY_BACKLOG_MAX (3 * HISTORY_BATCH_MAX)
#define HISTORY_BUSY_TIMEOUT_MS 5000

#define HISTORY_EVENT_COLUMNS                                                                      \
  "account, id, provider, type, category, severity, title, body, link, occurred, received, raw, "  \
  "read"

typedef enum
{
  HISTORY_OP_ADD,
  HISTORY_OP_MARK_READ,
  HISTORY_OP_FORGET,
  HISTORY_OP_PRUNE,
  HISTORY_OP_RELEASE_MEMORY,
} HistoryOpKind;

typedef struct
{
  HistoryOpKind kind;
  gboolean read;                /* MARK_READ */
  gboolean changed;             /* MARK_READ, once written: some event's flag changed */
  HeraldHistoryOutcome outcome; /* ADD, once written */
  HeraldEvent *event;
  HeraldHistoryAddedFunc callback;
  gpointer user_data;
  char *account;
  char *id;
} HistoryOp;

typedef struct _HistoryBatch HistoryBatch;

/* The writer's prepared statements, on write_db. */
enum
{
  STMT_INSERT,
  STMT_FORGET,
  STMT_PRUNE_BOUND,
  STMT_PRUNE,
  STMT_DATA_VERSION,
  STMT_COUNT,
  STMT_MARK_ALL,
  STMT_MARK_ACCOUNT,
  STMT_MARK_ID,
  STMT_MARK_ONE,
  N_STMTS
};

struct _HeraldHistory
{
  GObject parent_instance;

  char *path;
  char *moved_aside_path;
  GMainContext *context; /* callbacks and signals are dispatched here */
  GThread *home;         /* the thread that opened the store */
  GSource *dispatch_source;
  guint limit; /* atomic: set on any thread, read by the writer */

  /* Owned by the writer thread once it runs. */
  sqlite3 *write_db;
  sqlite3_stmt *stmts[N_STMTS];
  gint64 row_count;    /* rows in the store, for the cap */
  gint64 data_version; /* PRAGMA data_version when row_count was last right */
  gboolean write_failing;

  GMutex read_lock;
  sqlite3 *read_db;

  GMutex lock;
  GCond writer_cond;
  GCond flush_cond;
  GCond progress_cond;  /* the writer finished a batch */
  GPtrArray *spare_ops; /* GArray of HistoryOp, empty, for reuse */
  guint adders_waiting;
  GQueue pending; /* HistoryBatch: queued, not yet taken by the writer */
  GQueue done;    /* HistoryBatch: written, callbacks not yet dispatched */
  guint64 enqueued_seq;
  guint64 written_seq;
  guint64 dispatched_seq;
  guint undelivered; /* batches in done plus the one being delivered */
  guint flush_waiters;
  gboolean writer_waiting;
  gboolean stopping;
  GThread *writer;

  /* Only touched on the callback context's thread. */
  HistoryBatch *delivering;
  guint delivering_index;
};

/* herald-history-schema.c: the file, its schema and its recovery. */
gboolean _herald_history_open_store (HeraldHistory *self, GError **error);
void _herald_history_close_store (HeraldHistory *self);
const char *_herald_history_describe_error (int rc);
void _herald_history_bind_text (sqlite3_stmt *stmt, int index, const char *text);

/* herald-history-writer.c: the queue, the writer thread and the callbacks' delivery. */
void _herald_history_queue_init (HeraldHistory *self);
void _herald_history_queue_clear (HeraldHistory *self);
int _herald_history_prepare_writer (HeraldHistory *self);
gboolean _herald_history_start_writer (HeraldHistory *self, GError **error);
void _herald_history_stop_writer (HeraldHistory *self);
void _herald_history_request_prune (HeraldHistory *self);

/* herald-history-query.c: the read connection. */
int _herald_history_prepare_reader (sqlite3 *db);

/* herald-history.c */
void _herald_history_emit_read_changed (HeraldHistory *self, const char *account, const char *id,
                                        gboolean read);

G_END_DECLS
