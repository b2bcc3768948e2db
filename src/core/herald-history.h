/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-history.h — the searchable event history: an SQLite file that dedupes, caps and
 * answers newest-first queries, written from a thread of its own so the main loop never waits. */
#pragma once

#include <gio/gio.h>

#include "herald-event.h"

G_BEGIN_DECLS

#define HERALD_HISTORY_ERROR (herald_history_error_quark ())

typedef enum
{
  HERALD_HISTORY_ERROR_FAILED,
  HERALD_HISTORY_ERROR_DAMAGED,
  HERALD_HISTORY_ERROR_TOO_NEW,
} HeraldHistoryError;

GQuark herald_history_error_quark (void);

#define HERALD_TYPE_HISTORY (herald_history_get_type ())

G_DECLARE_FINAL_TYPE (HeraldHistory, herald_history, HERALD, HISTORY, GObject)

/* Signals:
 * "read-changed" (HeraldHistory *, const char *account, const char *id, gboolean read): a
 *   herald_history_mark_read() was written and changed something; @account and @id as it was
 *   called, NULL for "every". Emitted on the callback context. Window, tray and notifier follow
 *   read state through it instead of telling one another. */

/* Opens the store, creating the directory (0700) and the file (0600) as needed, checks it with
 * PRAGMA quick_check and migrates its schema. A file that is not a database, fails the check or
 * cannot be migrated is renamed with its -wal/-shm to "<path>.damaged-YYYYmmdd-HHMMSS" and a
 * fresh store is created; herald_history_get_moved_aside_path() then names the renamed file so
 * the user can be told. A file from a newer Herald is left alone: NULL with
 * HERALD_HISTORY_ERROR_TOO_NEW. Anything else (no permission, disk full, locked) is
 * HERALD_HISTORY_ERROR_FAILED and nothing is moved.
 *
 * The callbacks of herald_history_add() are dispatched on the thread-default main context of
 * the thread that called herald_history_open() or herald_history_open_async().
 *
 * herald_history_open() does disk I/O: call it from the CLI or a worker, not the main loop. */
HeraldHistory *herald_history_open (const char *path, GError **error);
void herald_history_open_async (const char *path, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
HeraldHistory *herald_history_open_finish (GAsyncResult *result, GError **error);

/* g_get_user_data_dir()/herald/history.db */
char *herald_history_default_path (void);
/* The name the damaged file was moved to at open, or NULL when nothing was moved. */
const char *herald_history_get_moved_aside_path (HeraldHistory *self);

typedef enum
{
  HERALD_HISTORY_STORED,     /* new: the (account, id) pair was not stored before */
  HERALD_HISTORY_DUPLICATE,  /* the pair was already stored; nothing changed */
  HERALD_HISTORY_NOT_STORED, /* the write failed (disk full, I/O error): new or not, unknown */
} HeraldHistoryOutcome;

typedef void (*HeraldHistoryAddedFunc) (HeraldHistory *history, HeraldEvent *event,
                                        HeraldHistoryOutcome outcome, gpointer user_data);

/* Queues @event (a reference is taken); callable from any thread. A writer thread stores queued
 * events in batches, one transaction each, and then calls @callback (may be NULL) for each event
 * in the order they were added, with the outcome of its insert. Whether an event is new is the
 * store's own answer (a UNIQUE (account, id) key), so it holds for every process on the file.
 *
 * Back-pressure, the rule: on the callback thread (the opener's thread, or any thread while it
 * runs the callback context) and on a thread running the default main context (the UI's) it
 * never waits for the writer: the queue grows instead, and no event is ever dropped, so a burst
 * cannot freeze the UI. On any other thread it waits while 12 288 operations (three batches)
 * are not yet written, until the writer finishes a batch (never for a main loop or a
 * callback), so a socket read there is slowed down through TCP instead of the queue growing.
 * herald_history_get_backlog() tells how far behind the writer is.
 *
 * On the opener's thread while it owns the callback context, and not inside one of these
 * callbacks, it first runs the callbacks of batches already written: a burst delivered in one
 * long main-loop dispatch then does not keep the written events waiting for the loop.
 * When a batch cannot be written (disk full, I/O error) a warning is logged, the batch is rolled
 * back and its events are reported HERALD_HISTORY_NOT_STORED, so a caller can still tell the
 * user; the store keeps running and later batches are tried again.
 *
 * Dropping the last reference to the history still writes everything queued, but callbacks not
 * yet dispatched are dropped: call herald_history_flush() first to receive them. */
void herald_history_add (HeraldHistory *self, HeraldEvent *event, HeraldHistoryAddedFunc callback,
                         gpointer user_data);

/* Blocks until everything queued so far is written and its callbacks dispatched. On the
 * opener's thread, or a thread running the callback context, it iterates that context itself;
 * any other thread waits for the context to be run there (so do not block that thread on the
 * caller). For the CLI, tests and shutdown. */
void herald_history_flush (HeraldHistory *self);

/* Rows beyond the limit are deleted oldest first (by occurred time, ties by insertion order)
 * after each batch, in the batch's transaction. Default 10 000, at least 1. */
void herald_history_set_limit (HeraldHistory *self, guint limit);
guint herald_history_get_limit (HeraldHistory *self);

/* Operations (events, marks, forgets) queued and not yet written. Any thread; cheap. */
guint herald_history_get_backlog (HeraldHistory *self);

typedef struct
{
  const char *account; /* NULL: every account */
  int category;        /* -1: every category, else a HeraldCategory */
  const char *text;    /* NULL or "": no filter; else a case-insensitive substring of title or
                        * body, taken literally (% and _ are not wildcards) */
  gboolean unread_only;
  guint limit;  /* 0: no limit */
  guint offset; /* events skipped before the first one returned */
  /* A cursor, both or neither: only the events listed after the stored event (after_account,
   * after_id), i.e. older ones. Unlike an offset, new events do not shift it. When that event is
   * no longer stored the result is empty. */
  const char *after_account;
  const char *after_id;
} HeraldHistoryQuery;

#define HERALD_HISTORY_QUERY_INIT                                                                  \
  {                                                                                                \
    NULL, -1, NULL, FALSE, 0, 0, NULL, NULL                                                        \
  }

/* Newest first by occurred time (ties: newest insertion first). Returns an array of
 * HeraldEvent that carry their read flag. Callable from any thread; runs on a read connection
 * of its own so it does not wait for the writer, but it does do disk I/O and takes a lock other
 * reads share: on the main loop use the _async variants. Sees everything herald_history_flush()
 * has waited for. A NULL @query means HERALD_HISTORY_QUERY_INIT. */
GPtrArray *herald_history_query (HeraldHistory *self, const HeraldHistoryQuery *query,
                                 GError **error);
void herald_history_query_async (HeraldHistory *self, const HeraldHistoryQuery *query,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
GPtrArray *herald_history_query_finish (HeraldHistory *self, GAsyncResult *result, GError **error);

/* Whether @event passes @query's filters (account, category, text, unread_only; its limit,
 * offset and cursor are ignored), by the very rule the queries apply in SQL: a live event
 * shown beside a query's answer is shown exactly when the query would have returned it. */
gboolean herald_history_query_matches (const HeraldHistoryQuery *query, const HeraldEvent *event);

/* How many events match @query's filters (account, category, text, unread_only): its limit,
 * offset and cursor are ignored, so this is the length of the whole list being paged. 0 on
 * error. */
guint herald_history_count (HeraldHistory *self, const HeraldHistoryQuery *query, GError **error);
void herald_history_count_async (HeraldHistory *self, const HeraldHistoryQuery *query,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
guint herald_history_count_finish (HeraldHistory *self, GAsyncResult *result, GError **error);

/* The stored event (@account, @id) with its read flag, or NULL without an error when it is not
 * stored (never was, pruned, forgotten). */
HeraldEvent *herald_history_lookup (HeraldHistory *self, const char *account, const char *id,
                                    GError **error);
void herald_history_lookup_async (HeraldHistory *self, const char *account, const char *id,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
HeraldEvent *herald_history_lookup_finish (HeraldHistory *self, GAsyncResult *result,
                                           GError **error);

/* Unread events of @account, or of every account when @account is NULL. */
guint herald_history_count_unread (HeraldHistory *self, const char *account, GError **error);

/* Queued behind the adds before it. @account NULL: every account; @id NULL: every event of
 * the account(s). Once written, if it changed any event's flag, "read-changed" is emitted with
 * the same @account, @id and @read on the callback context (see herald_history_add()), after
 * the callbacks of the events added before it: a handler's queries already see the change
 * (and perhaps later ones, written since).
 * A mark that changed nothing (already in that state, or no such event) emits nothing. */
void herald_history_mark_read (HeraldHistory *self, const char *account, const char *id,
                               gboolean read);
/* Queued behind the adds before it: once they are written, the memory SQLite keeps as page
 * cache for this store goes back to the system. For a burst that has ended. */
void herald_history_release_memory (HeraldHistory *self);

/* Deletes every event of @account (the account was removed). Queued like the others. */
void herald_history_forget_account (HeraldHistory *self, const char *account);

G_END_DECLS
