/* herald-history.c — the event history in SQLite: one writer thread that batches inserts into
 * transactions, a separate read connection for queries, and callbacks back on the opener's context.
 */
#define G_LOG_DOMAIN "herald-history"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "herald-history.h"
#include "herald-history-keys.h"

#define DEFAULT_LIMIT 10000
/* Ops per transaction. Large enough that a commit is a small share of the cost of a burst,
 * small enough that the first callbacks of a burst are not held back for long. */
#define BATCH_MAX 4096
/* Full batches queued for the writer before herald_history_add() waits for it: enough to keep
 * it busy, few enough that a slow disk holds a burst back through TCP rather than in memory. */
#define PENDING_MAX 2
/* Op arrays kept for reuse: a burst would otherwise free (and malloc_consolidate) a
 * BATCH_MAX array per batch, on the main thread. */
#define SPARE_MAX 2
#define BUSY_TIMEOUT_MS 5000

#define EVENT_COLUMNS                                                                              \
  "account, id, provider, type, category, severity, title, body, link, occurred, received, raw, "  \
  "read"

typedef enum
{
  OP_ADD,
  OP_MARK_READ,
  OP_FORGET,
  OP_PRUNE,
} OpKind;

typedef struct
{
  OpKind kind;
  gboolean read;                /* OP_MARK_READ */
  HeraldHistoryOutcome outcome; /* OP_ADD, once written */
  HeraldEvent *event;
  HeraldHistoryAddedFunc callback;
  gpointer user_data;
  char *account;
  char *id;
} Op;

typedef struct
{
  GArray *ops;      /* of Op */
  guint64 last_seq; /* sequence number of the last op in it */
  gboolean has_callbacks;
} Batch;

/* Holds the history weakly: a dispatch racing with the last unref must not revive it. */
typedef struct
{
  GSource source;
  GWeakRef history;
} DispatchSource;

enum
{
  STMT_INSERT,
  STMT_SAME_ROW,
  STMT_KEYS,
  STMT_FORGET_KEYS,
  STMT_FORGET,
  STMT_PRUNE_BOUND,
  STMT_PRUNE_KEYS,
  STMT_PRUNE,
  STMT_DATA_VERSION,
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
  GMainContext *context;
  GThread *home; /* the thread that opened the store: callbacks run there, never elsewhere */
  GSource *dispatch_source;
  guint limit; /* atomic: set on any thread, read by the writer */

  /* Owned by the writer thread once it runs. */
  sqlite3 *write_db;
  sqlite3_stmt *stmts[N_STMTS];
  gint64 row_count;
  gint64 data_version;
  gboolean write_failing;
  HeraldHistoryKeys *keys; /* the dedupe keys of the rows in the store */
  gboolean keys_stale;     /* reload them before the next write */

  GMutex read_lock;
  sqlite3 *read_db;

  GMutex lock;
  GCond writer_cond;
  GCond flush_cond;
  GCond progress_cond;  /* the writer took a batch from pending */
  GPtrArray *spare_ops; /* GArray of Op, empty, for batch_new () */
  guint adders_waiting;
  GQueue pending; /* Batch: queued, not yet taken by the writer */
  GQueue done;    /* Batch: written, callbacks not yet dispatched */
  guint64 enqueued_seq;
  guint64 dispatched_seq;
  guint undelivered; /* batches in done plus the one being delivered */
  guint flush_waiters;
  gboolean writer_waiting;
  gboolean stopping;
  GThread *writer;

  /* Only touched on the callback context's thread. */
  Batch *delivering;
  guint delivering_index;
};

G_DEFINE_TYPE (HeraldHistory, herald_history, G_TYPE_OBJECT)

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

/* Index i takes a store from user_version i to i + 1, inside one transaction. Append only:
 * a released step is never edited, or stores already past it would differ from new ones. */
static const char *const migrations[] = {
  "CREATE TABLE events ("
  " seq INTEGER PRIMARY KEY," /* insertion order; an alias of rowid so VACUUM keeps it */
  " account TEXT NOT NULL,"
  " id TEXT NOT NULL,"
  " provider TEXT NOT NULL,"
  " type TEXT NOT NULL,"
  " category TEXT NOT NULL,"
  " severity TEXT NOT NULL,"
  " title TEXT NOT NULL,"
  " body TEXT NOT NULL,"
  " link TEXT,"
  " occurred INTEGER NOT NULL,"
  " received INTEGER NOT NULL,"
  " raw TEXT NOT NULL,"
  " read INTEGER NOT NULL DEFAULT 0,"
  " UNIQUE (account, id));"
  /* (occurred, seq) is both the newest-first order and the pruning order. */
  "CREATE INDEX events_occurred ON events (occurred);",

  /* The same table with the dedupe key the other way round, (id, account): every event of an
   * account shares the account text, so with it first each comparison in the key's b-tree
   * read it through before it got to the id that tells events apart. seq is copied, so the
   * insertion order survives. The price: nothing indexes the account alone any more, so
   * forgetting an account or filtering by one reads the whole table. At the default cap of
   * 10 000 rows that takes milliseconds; an index of its own would cost every insert. */
  "CREATE TABLE events_2 ("
  " seq INTEGER PRIMARY KEY,"
  " account TEXT NOT NULL,"
  " id TEXT NOT NULL,"
  " provider TEXT NOT NULL,"
  " type TEXT NOT NULL,"
  " category TEXT NOT NULL,"
  " severity TEXT NOT NULL,"
  " title TEXT NOT NULL,"
  " body TEXT NOT NULL,"
  " link TEXT,"
  " occurred INTEGER NOT NULL,"
  " received INTEGER NOT NULL,"
  " raw TEXT NOT NULL,"
  " read INTEGER NOT NULL DEFAULT 0,"
  " UNIQUE (id, account));"
  "INSERT INTO events_2 (seq, " EVENT_COLUMNS ") SELECT seq, " EVENT_COLUMNS " FROM events;"
  "DROP TABLE events;"
  "ALTER TABLE events_2 RENAME TO events;"
  "CREATE INDEX events_occurred ON events (occurred);",

  /* The same table without its UNIQUE (id, account) key. Keeping that b-tree in order cost
   * every insert and every pruned row a search by text: about a fifth of the writer's time in
   * a burst. The writer now dedupes against HeraldHistoryKeys, which it loads from this table
   * and keeps in step with every row it adds or deletes. When another connection has written
   * to the store, PRAGMA data_version tells the writer, which then loads the keys again. */
  "CREATE TABLE events_3 ("
  " seq INTEGER PRIMARY KEY,"
  " account TEXT NOT NULL,"
  " id TEXT NOT NULL,"
  " provider TEXT NOT NULL,"
  " type TEXT NOT NULL,"
  " category TEXT NOT NULL,"
  " severity TEXT NOT NULL,"
  " title TEXT NOT NULL,"
  " body TEXT NOT NULL,"
  " link TEXT,"
  " occurred INTEGER NOT NULL,"
  " received INTEGER NOT NULL,"
  " raw TEXT NOT NULL,"
  " read INTEGER NOT NULL DEFAULT 0);"
  "INSERT INTO events_3 (seq, " EVENT_COLUMNS ") SELECT seq, " EVENT_COLUMNS " FROM events;"
  "DROP TABLE events;"
  "ALTER TABLE events_3 RENAME TO events;"
  "CREATE INDEX events_occurred ON events (occurred);",
};

#define SCHEMA_VERSION ((int)G_N_ELEMENTS (migrations))

static const char *const write_statements[N_STMTS] = {
  [STMT_INSERT] = "INSERT INTO events (" EVENT_COLUMNS ")"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  [STMT_SAME_ROW] = "SELECT 1 FROM events WHERE seq = ?1 AND account = ?2 AND id = ?3",
  [STMT_KEYS] = "SELECT seq, account, id FROM events",
  /* Each DELETE comes with a SELECT of the keys of the rows it is about to delete, for
   * HeraldHistoryKeys. (DELETE … RETURNING says the same in one statement, but collects its
   * rows in a temporary table first: it made pruning three times as expensive.) */
  [STMT_FORGET_KEYS] = "SELECT seq, account, id FROM events WHERE account = ?1",
  [STMT_FORGET] = "DELETE FROM events WHERE account = ?1",
  /* The newest row to go, then a one-pass range delete along the occurred index: cheaper
   * than collecting the rows to go into a temporary table and looking each one up again. */
  [STMT_PRUNE_BOUND] = "SELECT occurred, seq FROM events ORDER BY occurred ASC, seq ASC"
                       " LIMIT 1 OFFSET ?1",
  [STMT_PRUNE_KEYS] = "SELECT seq, account, id FROM events WHERE (occurred, seq) <= (?1, ?2)",
  [STMT_PRUNE] = "DELETE FROM events WHERE (occurred, seq) <= (?1, ?2)",
  [STMT_DATA_VERSION] = "PRAGMA data_version",
  [STMT_MARK_ALL] = "UPDATE events SET read = ?1 WHERE read != ?1",
  [STMT_MARK_ACCOUNT] = "UPDATE events SET read = ?1 WHERE account = ?2 AND read != ?1",
  [STMT_MARK_ID] = "UPDATE events SET read = ?1 WHERE id = ?3 AND read != ?1",
  [STMT_MARK_ONE] = "UPDATE events SET read = ?1 WHERE account = ?2 AND id = ?3",
};

static void
op_clear (gpointer data)
{
  Op *op = data;

  g_clear_pointer (&op->event, herald_event_unref);
  g_clear_pointer (&op->account, g_free);
  g_clear_pointer (&op->id, g_free);
}

/* Called with self->lock held. */
static Batch *
batch_new_locked (HeraldHistory *self)
{
  Batch *batch = g_new0 (Batch, 1);

  if (self->spare_ops->len > 0)
    batch->ops = g_ptr_array_steal_index_fast (self->spare_ops, self->spare_ops->len - 1);
  else
    {
      batch->ops = g_array_sized_new (FALSE, FALSE, sizeof (Op), 64);
      g_array_set_clear_func (batch->ops, op_clear);
    }
  return batch;
}

static void
batch_free (Batch *batch)
{
  g_clear_pointer (&batch->ops, g_array_unref);
  g_free (batch);
}

/* Frees @batch but keeps its op array for a later batch. Not under self->lock: clearing the
 * ops drops thousands of event references, which adders should not wait for. */
static void
batch_recycle (HeraldHistory *self, Batch *batch)
{
  g_array_set_size (batch->ops, 0);
  g_mutex_lock (&self->lock);
  if (self->spare_ops->len < SPARE_MAX)
    g_ptr_array_add (self->spare_ops, g_steal_pointer (&batch->ops));
  g_mutex_unlock (&self->lock);
  batch_free (batch);
}

/* Errors that say something about the machine, not the file: never a reason to move it aside. */
static gboolean
is_environmental (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_INTERRUPT:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return TRUE;
    default:
      return FALSE;
    }
}

static const char *
describe_sqlite_error (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return _ ("the disk is full");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return _ ("permission denied");
    case SQLITE_CANTOPEN:
      return _ ("the file cannot be opened");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return _ ("another program is using it");
    case SQLITE_NOMEM:
      return _ ("out of memory");
    case SQLITE_IOERR:
      return _ ("an input/output error occurred");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return _ ("the file is damaged");
    default:
      return _ ("an unexpected database error occurred");
    }
}

/* Classifies a failure while opening: damage (move the file aside) or anything else. */
static gboolean
set_open_error (GError **error, sqlite3 *db, int rc, const char *path, const char *what)
{
  /* Our own verdicts (a failed quick_check) leave nothing in errmsg. */
  if (db != NULL && (sqlite3_errcode (db) & 0xff) == (rc & 0xff))
    g_debug ("%s: %s: %s", path, what, sqlite3_errmsg (db));
  else
    g_debug ("%s: %s: %s", path, what, sqlite3_errstr (rc));
  if (is_environmental (rc))
    g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED,
                 _ ("Could not open the history “%s”: %s"), path, describe_sqlite_error (rc));
  else
    g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_DAMAGED,
                 _ ("The history “%s” is damaged"), path);
  return FALSE;
}

static int
query_int64 (sqlite3 *db, const char *sql, gint64 *out_value)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_value = sqlite3_column_int64 (stmt, 0);
      rc = SQLITE_OK;
    }
  else if (rc == SQLITE_DONE)
    {
      rc = SQLITE_ERROR;
    }
  sqlite3_finalize (stmt);
  return rc;
}

/* SQLITE_CORRUPT when quick_check reports anything but "ok". */
static int
check_integrity (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *verdict = (const char *)sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (verdict, "ok") == 0)
        {
          rc = SQLITE_OK;
        }
      else
        {
          /* The report can run to thousands of lines; its start is enough for a log. */
          g_debug ("quick_check: %.200s", verdict ? verdict : "(nothing)");
          rc = SQLITE_CORRUPT;
        }
    }
  else if (rc == SQLITE_DONE)
    {
      rc = SQLITE_CORRUPT;
    }
  sqlite3_finalize (stmt);
  return rc;
}

static int
migrate (sqlite3 *db)
{
  for (;;)
    {
      g_autofree char *set_version = NULL;
      gint64 version = 0;
      int rc;

      /* IMMEDIATE, and the version read inside it, so two processes never run one step twice. */
      rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        return rc;
      rc = query_int64 (db, "PRAGMA user_version", &version);
      if (rc == SQLITE_OK && version >= SCHEMA_VERSION)
        return sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      if (rc == SQLITE_OK && version < 0)
        rc = SQLITE_CORRUPT;
      if (rc == SQLITE_OK)
        {
          g_debug ("migrating the history from schema %" G_GINT64_FORMAT, version);
          rc = sqlite3_exec (db, migrations[version], NULL, NULL, NULL);
        }
      if (rc == SQLITE_OK)
        {
          set_version = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, version + 1);
          rc = sqlite3_exec (db, set_version, NULL, NULL, NULL);
        }
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          g_debug ("migration failed: %s", sqlite3_errmsg (db));
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return rc;
        }
    }
}

static void
close_connections (HeraldHistory *self)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->write_db, sqlite3_close);
  g_clear_pointer (&self->read_db, sqlite3_close);
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar)*p >= 0x80)
      return FALSE;
  return TRUE;
}

/* Case folding plus compatibility composition, so "Ǆ", "ǆ" and "DŽ" all meet. */
static char *
fold (const char *text)
{
  g_autofree char *valid = NULL;
  g_autofree char *folded = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  folded = g_utf8_casefold (text, -1);
  return g_utf8_normalize (folded, -1, G_NORMALIZE_ALL_COMPOSE);
}

/* @needle is already lower case ASCII. */
static gboolean
ascii_contains (const char *haystack, const char *needle)
{
  size_t needle_len = strlen (needle);

  for (const char *h = haystack; *h; h++)
    {
      size_t i = 0;

      while (i < needle_len && h[i] && g_ascii_tolower (h[i]) == needle[i])
        i++;
      if (i == needle_len)
        return TRUE;
    }
  return needle_len == 0;
}

static gboolean
contains_folded (const char *haystack, const char *needle)
{
  g_autofree char *folded = NULL;

  /* Most titles are ASCII: skip the allocations there. */
  if (is_ascii (haystack) && is_ascii (needle))
    return ascii_contains (haystack, needle);
  folded = fold (haystack);
  return folded != NULL && strstr (folded, needle) != NULL;
}

/* herald_match(title, body, folded_needle): a literal, case-insensitive substring test.
 * LIKE would treat % and _ as wildcards and only fold ASCII. */
static void
match_sql_func (sqlite3_context *context, int argc, sqlite3_value **argv)
{
  const char *needle = (const char *)sqlite3_value_text (argv[2]);
  gboolean found = FALSE;

  if (needle == NULL)
    {
      sqlite3_result_int (context, 0);
      return;
    }
  for (int i = 0; i < 2 && !found; i++)
    {
      const char *haystack = (const char *)sqlite3_value_text (argv[i]);

      found = haystack != NULL && contains_folded (haystack, needle);
    }
  sqlite3_result_int (context, found);
}

static gboolean
open_connections (HeraldHistory *self, GError **error)
{
  const char *path = self->path;
  gint64 version = 0;
  int fd;
  int rc;

  /* Created here, not by SQLite, so that it is 0600 from the first byte; SQLite gives the
   * -wal and -shm files the mode of the database. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED,
                   _ ("Could not open the history “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  g_close (fd, NULL);

  rc = sqlite3_open_v2 (path, &self->write_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    return set_open_error (error, self->write_db, rc, path, "open");
  sqlite3_busy_timeout (self->write_db, BUSY_TIMEOUT_MS);

  /* The version first: a newer Herald's store is never judged, let alone moved aside. */
  rc = query_int64 (self->write_db, "PRAGMA user_version", &version);
  if (rc != SQLITE_OK)
    return set_open_error (error, self->write_db, rc, path, "reading the schema version");
  if (version > SCHEMA_VERSION)
    {
      g_debug ("%s: schema %" G_GINT64_FORMAT ", this build knows up to %d", path, version,
               SCHEMA_VERSION);
      g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_TOO_NEW,
                   _ ("The history “%s” was written by a newer version of Herald"), path);
      return FALSE;
    }

  rc = check_integrity (self->write_db);
  if (rc != SQLITE_OK)
    return set_open_error (error, self->write_db, rc, path, "integrity check");

  /* Only takes effect on a new, empty store. Measured when rows carried ~0.5 KiB of raw JSON
   * each: 16 KiB pages roughly doubled the insert rate under the cap compared with 4 KiB. */
  rc = sqlite3_exec (self->write_db, "PRAGMA page_size = 16384", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = migrate (self->write_db);
  if (rc != SQLITE_OK)
    return set_open_error (error, self->write_db, rc, path, "migration");

  /* After the migration, so a store that cannot be migrated is moved aside byte for byte.
   * NORMAL is durable across application crashes in WAL mode; only a power cut can lose the
   * last commits, which is fine for a history. The cache holds a capped store whole; a
   * checkpoint every 2000 pages (32 MiB of WAL) instead of 1000 spares rewriting the same hot
   * pages, and the size limit gives the disk back after a burst. */
  rc = sqlite3_exec (self->write_db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA cache_size = -8192;"
                     "PRAGMA wal_autocheckpoint = 2000;"
                     "PRAGMA journal_size_limit = 33554432",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return set_open_error (error, self->write_db, rc, path, "journal mode");

  rc = query_int64 (self->write_db, "SELECT count(*) FROM events", &self->row_count);
  if (rc == SQLITE_OK)
    rc = query_int64 (self->write_db, "PRAGMA data_version", &self->data_version);
  for (guint i = 0; rc == SQLITE_OK && i < N_STMTS; i++)
    rc = sqlite3_prepare_v3 (self->write_db, write_statements[i], -1, SQLITE_PREPARE_PERSISTENT,
                             &self->stmts[i], NULL);
  if (rc != SQLITE_OK)
    return set_open_error (error, self->write_db, rc, path, "preparing statements");

  rc = sqlite3_open_v2 (path, &self->read_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (self->read_db, BUSY_TIMEOUT_MS);
      rc = sqlite3_exec (self->read_db, "PRAGMA query_only = ON", NULL, NULL, NULL);
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2 (self->read_db, "herald_match", 3,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, match_sql_func, NULL,
                                     NULL, NULL);
  if (rc != SQLITE_OK)
    {
      /* The store itself checked out above: whatever failed here is not damage. */
      g_debug ("%s: read connection: %s", path,
               self->read_db ? sqlite3_errmsg (self->read_db) : sqlite3_errstr (rc));
      g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED,
                   _ ("Could not open the history “%s”: %s"), path, describe_sqlite_error (rc));
      return FALSE;
    }
  return TRUE;
}

static gboolean
move_aside (const char *path, char **out_aside, GError **error)
{
  static const char *const companions[] = { "-wal", "-shm", "-journal" };
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *aside = g_strdup_printf ("%s.damaged-%s", path, stamp);

  for (guint n = 2; g_file_test (aside, G_FILE_TEST_EXISTS); n++)
    {
      g_free (aside);
      aside = g_strdup_printf ("%s.damaged-%s-%u", path, stamp, n);
    }

  if (g_rename (path, aside) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_DAMAGED,
                   _ ("The history “%s” is damaged and could not be moved aside: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  /* A stale -wal left in place would be replayed into the fresh store. */
  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *from = g_strconcat (path, companions[i], NULL);
      g_autofree char *to = g_strconcat (aside, companions[i], NULL);

      if (g_rename (from, to) == 0 || errno == ENOENT)
        continue;
      if (g_unlink (from) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_DAMAGED,
                       _ ("The history “%s” is damaged and could not be moved aside: %s"), path,
                       g_strerror (saved_errno));
          return FALSE;
        }
    }

  *out_aside = g_steal_pointer (&aside);
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  /* STATIC: the strings outlive the step, which copies them into the page. */
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
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

/* Whether the store holds (account, id) already. A row under the same hash is only a
 * candidate; the store says whether it is the same pair. */
static int
is_stored (HeraldHistory *self, guint64 hash, const char *account, const char *id,
           gboolean *out_stored)
{
  sqlite3_stmt *stmt = self->stmts[STMT_SAME_ROW];
  gsize cursor = 0;
  gint64 seq;

  *out_stored = FALSE;
  while (herald_history_keys_next (self->keys, hash, &cursor, &seq))
    {
      int rc;

      sqlite3_bind_int64 (stmt, 1, seq);
      bind_text (stmt, 2, account);
      bind_text (stmt, 3, id);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      if (rc == SQLITE_ROW)
        {
          *out_stored = TRUE;
          return SQLITE_OK;
        }
      if (rc != SQLITE_DONE)
        return rc;
    }
  return SQLITE_OK;
}

/* Reads every row's key into self->keys, and counts the rows on the way. */
static int
load_keys (HeraldHistory *self)
{
  sqlite3_stmt *stmt = self->stmts[STMT_KEYS];
  gint64 rows = 0;
  int rc;

  herald_history_keys_reset (self->keys, MAX (self->row_count, 0));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *account = (const char *)sqlite3_column_text (stmt, 1);
      const char *id = (const char *)sqlite3_column_text (stmt, 2);

      /* NOT NULL in the schema; text() is NULL only when out of memory. */
      if (account == NULL || id == NULL)
        {
          rc = SQLITE_NOMEM;
          break;
        }
      herald_history_keys_add (self->keys, herald_history_keys_hash (account, id),
                               sqlite3_column_int64 (stmt, 0));
      rows++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rc;
  g_debug ("loaded the keys of %" G_GINT64_FORMAT " events", rows);
  self->row_count = rows;
  self->keys_stale = FALSE;
  return SQLITE_OK;
}

/* Takes the rows that keys_stmt (a SELECT of seq, account, id) finds out of self->keys, then
 * deletes them with delete_stmt, which has the same parameters. Both come back reset, their
 * bindings cleared. */
static int
run_delete (HeraldHistory *self, sqlite3_stmt *keys_stmt, sqlite3_stmt *delete_stmt)
{
  int rc;

  while ((rc = sqlite3_step (keys_stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (keys_stmt, 0);
      const char *account = (const char *)sqlite3_column_text (keys_stmt, 1);
      const char *id = (const char *)sqlite3_column_text (keys_stmt, 2);

      if (account == NULL || id == NULL
          || !herald_history_keys_remove (self->keys, herald_history_keys_hash (account, id), seq))
        {
          g_debug ("row %" G_GINT64_FORMAT " had no key: reloading them", seq);
          self->keys_stale = TRUE;
        }
    }
  sqlite3_reset (keys_stmt);
  sqlite3_clear_bindings (keys_stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite3_clear_bindings (delete_stmt);
      return rc;
    }

  rc = step_once (delete_stmt);
  if (rc == SQLITE_OK)
    self->row_count -= sqlite3_changes (self->write_db);
  /* A row without a key means the keys had lost step with the store: the rest of the batch
   * must not dedupe against them. */
  if (rc == SQLITE_OK && self->keys_stale)
    rc = load_keys (self);
  return rc;
}

static int
run_insert (HeraldHistory *self, Op *op)
{
  sqlite3_stmt *stmt = self->stmts[STMT_INSERT];
  HeraldEvent *event = op->event;
  const char *account = herald_event_get_account (event);
  const char *id = herald_event_get_id (event);
  guint64 hash = herald_history_keys_hash (account, id);
  gboolean stored;
  int rc;

  rc = is_stored (self, hash, account, id, &stored);
  if (rc != SQLITE_OK || stored)
    {
      op->outcome = rc != SQLITE_OK ? HERALD_HISTORY_NOT_STORED : HERALD_HISTORY_DUPLICATE;
      return rc;
    }

  bind_text (stmt, 1, account);
  bind_text (stmt, 2, id);
  bind_text (stmt, 3, herald_event_get_provider (event));
  bind_text (stmt, 4, herald_event_get_event_type (event));
  bind_text (stmt, 5, herald_category_to_string (herald_event_get_category (event)));
  bind_text (stmt, 6, herald_severity_to_string (herald_event_get_severity (event)));
  bind_text (stmt, 7, herald_event_get_title (event));
  bind_text (stmt, 8, herald_event_get_body (event));
  bind_text (stmt, 9, herald_event_get_link (event));
  sqlite3_bind_int64 (stmt, 10, herald_event_get_occurred (event));
  sqlite3_bind_int64 (stmt, 11, herald_event_get_received (event));
  /* Only an event of unknown type needs its message: a known one is stored as Herald shows it.
   * The message is most of a row, so this halves what a burst writes. Its length is known, so
   * SQLite need not measure it. */
  if (herald_event_is_unknown_type (event))
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
  herald_history_keys_add (self->keys, hash, sqlite3_last_insert_rowid (self->write_db));
  self->row_count++;
  op->outcome = HERALD_HISTORY_STORED;
  return SQLITE_OK;
}

static int
run_mark_read (HeraldHistory *self, Op *op)
{
  static const int variants[] = { STMT_MARK_ALL, STMT_MARK_ACCOUNT, STMT_MARK_ID, STMT_MARK_ONE };
  sqlite3_stmt *stmt = self->stmts[variants[(op->account ? 1 : 0) | (op->id ? 2 : 0)]];

  sqlite3_bind_int (stmt, 1, op->read);
  if (op->account != NULL)
    bind_text (stmt, 2, op->account);
  if (op->id != NULL)
    bind_text (stmt, 3, op->id);
  return step_once (stmt);
}

static int
run_forget (HeraldHistory *self, Op *op)
{
  sqlite3_stmt *keys_stmt = self->stmts[STMT_FORGET_KEYS];
  sqlite3_stmt *stmt = self->stmts[STMT_FORGET];

  bind_text (keys_stmt, 1, op->account);
  bind_text (stmt, 1, op->account);
  return run_delete (self, keys_stmt, stmt);
}

static int
prune (HeraldHistory *self)
{
  guint limit = g_atomic_int_get (&self->limit);
  sqlite3_stmt *bound = self->stmts[STMT_PRUNE_BOUND];
  sqlite3_stmt *keys_stmt = self->stmts[STMT_PRUNE_KEYS];
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

  sqlite3_bind_int64 (keys_stmt, 1, occurred);
  sqlite3_bind_int64 (keys_stmt, 2, seq);
  sqlite3_bind_int64 (stmt, 1, occurred);
  sqlite3_bind_int64 (stmt, 2, seq);
  return run_delete (self, keys_stmt, stmt);
}

/* Another connection (a second HeraldHistory on the same file, in this process or another) may
 * have changed the table since our last commit; the keys and the running count would then be wrong,
 * and dedupe and pruning trust them. Called inside the batch's write transaction, so nobody else
 * changes it until COMMIT. */
static int
refresh_keys (HeraldHistory *self)
{
  sqlite3_stmt *stmt = self->stmts[STMT_DATA_VERSION];
  gint64 data_version;
  int rc;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return rc == SQLITE_DONE ? SQLITE_ERROR : rc;
    }
  data_version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (data_version != self->data_version)
    {
      g_debug ("the history was changed by another connection");
      self->data_version = data_version;
      self->keys_stale = TRUE;
    }
  return self->keys_stale ? load_keys (self) : SQLITE_OK;
}

#if defined(__GNUC__)
#define PREFETCH(address) __builtin_prefetch (address)
#else
#define PREFETCH(address) ((void)(address))
#endif

/* The events of a batch were made on another thread, long enough ago to have left the
 * caches: without this every insert first waits for memory, field by field. Called one op
 * ahead, for an event whose struct was prefetched one op before that, so reading the
 * pointers here does not wait either. */
static void
prefetch_strings (const Op *op)
{
  const HeraldEvent *event = op->event;
  const char *raw;
  gsize raw_length;

  if (op->kind != OP_ADD)
    return;
  PREFETCH (herald_event_get_id (event));
  PREFETCH (herald_event_get_title (event));
  PREFETCH (herald_event_get_body (event));
  PREFETCH (herald_event_get_link (event));
  if (!herald_event_is_unknown_type (event))
    return;
  raw = herald_event_get_raw (event);
  raw_length = herald_event_get_raw_length (event);
  for (gsize offset = 0; offset < raw_length; offset += 64)
    PREFETCH (raw + offset);
}

static void
write_batch (HeraldHistory *self, Batch *batch)
{
  gboolean began;
  int rc;

  rc = sqlite3_exec (self->write_db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  began = rc == SQLITE_OK;
  if (began)
    rc = refresh_keys (self);
  for (guint i = 0; rc == SQLITE_OK && i < batch->ops->len; i++)
    {
      Op *op = &g_array_index (batch->ops, Op, i);

      if (i + 2 < batch->ops->len)
        PREFETCH (g_array_index (batch->ops, Op, i + 2).event);
      if (i + 1 < batch->ops->len)
        prefetch_strings (&g_array_index (batch->ops, Op, i + 1));
      switch (op->kind)
        {
        case OP_ADD:
          rc = run_insert (self, op);
          break;
        case OP_MARK_READ:
          rc = run_mark_read (self, op);
          break;
        case OP_FORGET:
          rc = run_forget (self, op);
          break;
        case OP_PRUNE:
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
  /* The keys and the count took in what the rollback undid: both are read again. A batch that
   * could not even begin (another writer held the store past the busy timeout) changed
   * nothing, and a full read of the keys at a large cap is worth sparing. */
  if (began)
    self->keys_stale = TRUE;
  for (guint i = 0; i < batch->ops->len; i++)
    g_array_index (batch->ops, Op, i).outcome = HERALD_HISTORY_NOT_STORED;
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
hand_over (HeraldHistory *self, Batch *batch)
{
  g_mutex_lock (&self->lock);
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
      Batch *batch;

      g_mutex_lock (&self->lock);
      while (g_queue_is_empty (&self->pending) && !self->stopping)
        {
          self->writer_waiting = TRUE;
          g_cond_wait (&self->writer_cond, &self->lock);
        }
      self->writer_waiting = FALSE;
      /* Stopping still drains what was queued before. */
      batch = g_queue_pop_head (&self->pending);
      if (self->adders_waiting > 0)
        g_cond_broadcast (&self->progress_cond);
      g_mutex_unlock (&self->lock);

      if (batch == NULL)
        break;
      write_batch (self, batch);
      hand_over (self, batch);
    }
  return NULL;
}

/* Runs the callbacks of written batches, in order. Re-entrant: a callback that flushes
 * iterates the context, which may dispatch this again; the position lives in self. */
static void
deliver (HeraldHistory *self)
{
  for (;;)
    {
      Batch *batch = self->delivering;

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
          Op *op = &g_array_index (batch->ops, Op, self->delivering_index++);

          if (op->kind == OP_ADD && op->callback != NULL)
            op->callback (self, op->event, op->outcome, op->user_data);
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
  deliver (self);
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

/* Returns TRUE when written batches wait for their callbacks. */
static gboolean
enqueue (HeraldHistory *self, Op *op)
{
  Batch *batch;
  gboolean undelivered;

  g_mutex_lock (&self->lock);
  if (self->stopping || self->writer == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_critical ("%s: the history is closed", G_STRFUNC);
      op_clear (op);
      return FALSE;
    }
  /* Back-pressure: with PENDING_MAX full batches queued, wait until the writer takes one. This
   * waits for the writer alone, which never waits for any other thread (its callbacks are
   * handed over, not run), so it cannot deadlock, on the opener's thread included. It must
   * never wait for callbacks to be delivered: on the opener's thread only the caller itself
   * could deliver them. Stopping ends the wait; the writer never adds. */
  for (;;)
    {
      batch = g_queue_peek_tail (&self->pending);
      if (self->stopping || g_thread_self () == self->writer
          || g_queue_get_length (&self->pending) < PENDING_MAX || batch->ops->len < BATCH_MAX)
        break;
      self->adders_waiting++;
      g_cond_wait (&self->progress_cond, &self->lock);
      self->adders_waiting--;
    }
  if (self->stopping)
    {
      g_mutex_unlock (&self->lock);
      g_critical ("%s: the history is closed", G_STRFUNC);
      op_clear (op);
      return FALSE;
    }
  if (batch == NULL || batch->ops->len >= BATCH_MAX)
    {
      batch = batch_new_locked (self);
      g_queue_push_tail (&self->pending, batch);
    }
  g_array_append_vals (batch->ops, op, 1);
  batch->has_callbacks |= op->callback != NULL;
  batch->last_seq = ++self->enqueued_seq;
  /* Signal only a sleeping writer: a futex wake per event would cost more than the insert. */
  if (self->writer_waiting)
    {
      self->writer_waiting = FALSE;
      g_cond_signal (&self->writer_cond);
    }
  undelivered = !g_queue_is_empty (&self->done);
  g_mutex_unlock (&self->lock);
  return undelivered;
}

static HeraldEvent *
event_from_row (sqlite3_stmt *stmt)
{
#define COLUMN_TEXT(i)                                                                             \
  (sqlite3_column_text (stmt, (i)) ? (const char *)sqlite3_column_text (stmt, (i)) : "")
  HeraldEvent *event;
  HeraldCategory category;
  HeraldSeverity severity;

  event = herald_event_new_with_raw (COLUMN_TEXT (0), COLUMN_TEXT (2), COLUMN_TEXT (3),
                                     COLUMN_TEXT (1), COLUMN_TEXT (11), -1);
  if (herald_category_from_string (COLUMN_TEXT (4), &category))
    herald_event_set_category (event, category);
  if (herald_severity_from_string (COLUMN_TEXT (5), &severity))
    herald_event_set_severity (event, severity);
  herald_event_set_title (event, COLUMN_TEXT (6));
  herald_event_set_body (event, COLUMN_TEXT (7));
  herald_event_set_link (event, (const char *)sqlite3_column_text (stmt, 8));
  herald_event_set_occurred (event, sqlite3_column_int64 (stmt, 9));
  herald_event_set_received (event, sqlite3_column_int64 (stmt, 10));
  herald_event_set_read (event, sqlite3_column_int (stmt, 12) != 0);
  return event;
#undef COLUMN_TEXT
}

static gboolean
set_read_error (GError **error, sqlite3 *db, int rc)
{
  g_debug ("history query: %s", sqlite3_errmsg (db));
  g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED,
               _ ("Could not read the history: %s"), describe_sqlite_error (rc));
  return FALSE;
}

static void
bind_named_text (sqlite3_stmt *stmt, const char *name, const char *text)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    bind_text (stmt, index, text);
}

typedef struct
{
  char *account;
  char *text;
  HeraldHistoryQuery query;
} QueryData;

static void
query_data_free (QueryData *data)
{
  g_free (data->account);
  g_free (data->text);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QueryData, query_data_free)

typedef struct
{
  char *path;
  GMainContext *context;
  GThread *home;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->path);
  g_main_context_unref (data->context);
  g_thread_unref (data->home);
  g_free (data);
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

  G_OBJECT_CLASS (herald_history_parent_class)->dispose (object);
}

static void
herald_history_finalize (GObject *object)
{
  HeraldHistory *self = HERALD_HISTORY (object);

  g_queue_clear_full (&self->pending, (GDestroyNotify)batch_free);
  g_queue_clear_full (&self->done, (GDestroyNotify)batch_free);
  g_clear_pointer (&self->delivering, batch_free);
  close_connections (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->home, g_thread_unref);
  g_free (self->path);
  g_free (self->moved_aside_path);
  g_mutex_clear (&self->read_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->writer_cond);
  g_cond_clear (&self->flush_cond);
  g_cond_clear (&self->progress_cond);
  g_clear_pointer (&self->spare_ops, g_ptr_array_unref);
  g_clear_pointer (&self->keys, herald_history_keys_free);

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
    "limit", "Limit", "The most events the history keeps", 1, G_MAXUINT, DEFAULT_LIMIT,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
herald_history_init (HeraldHistory *self)
{
  self->limit = DEFAULT_LIMIT;
  g_mutex_init (&self->read_lock);
  g_mutex_init (&self->lock);
  g_cond_init (&self->writer_cond);
  g_cond_init (&self->flush_cond);
  g_cond_init (&self->progress_cond);
  self->spare_ops = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  self->keys = herald_history_keys_new ();
  /* Loaded by the first batch, on the writer thread. */
  self->keys_stale = TRUE;
  g_queue_init (&self->pending);
  g_queue_init (&self->done);
}

static HeraldHistory *
history_open (const char *path, GMainContext *context, GThread *home, GError **error)
{
  g_autoptr (HeraldHistory) self = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *dir = NULL;
  DispatchSource *dispatch;

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

  if (!open_connections (self, &local_error))
    {
      g_autofree char *aside = NULL;

      close_connections (self);
      if (!g_error_matches (local_error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_DAMAGED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!move_aside (path, &aside, error))
        return NULL;
      g_warning ("The history “%s” was damaged; it was moved to “%s” and a new one started", path,
                 aside);
      self->moved_aside_path = g_steal_pointer (&aside);

      g_clear_error (&local_error);
      if (!open_connections (self, &local_error))
        {
          close_connections (self);
          /* A brand new file that fails is not the file's fault. */
          local_error->code = HERALD_HISTORY_ERROR_FAILED;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

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
                   _ ("Could not open the history “%s”: %s"), path,
                   describe_sqlite_error (SQLITE_NOMEM));
      return NULL;
    }

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
query_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  GPtrArray *events;

  if (g_task_return_error_if_cancelled (task))
    return;
  events = herald_history_query (HERALD_HISTORY (source_object), &data->query, &error);
  if (events == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, events, (GDestroyNotify)g_ptr_array_unref);
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
herald_history_add (HeraldHistory *self, HeraldEvent *event, HeraldHistoryAddedFunc callback,
                    gpointer user_data)
{
  Op op = { .kind = OP_ADD };

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
   * callback that adds would then run later callbacks before it returns). Memory then stays
   * at about PENDING_MAX + 2 batches whatever the burst's length. */
  if (g_thread_self () == self->home && self->delivering == NULL
      && g_main_context_is_owner (self->context))
    {
      g_autoptr (HeraldHistory) hold = g_object_ref (self);

      deliver (self);
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
      if ((g_main_context_is_owner (self->context) || g_thread_self () == self->home)
          && g_main_context_acquire (self->context))
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

void
herald_history_set_limit (HeraldHistory *self, guint limit)
{
  Op op = { .kind = OP_PRUNE };

  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (limit >= 1);

  if ((guint)g_atomic_int_exchange (&self->limit, limit) == limit)
    return;
  /* A lower cap takes effect now, not with the next event. */
  if (self->writer != NULL)
    enqueue (self, &op);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
}

guint
herald_history_get_limit (HeraldHistory *self)
{
  g_return_val_if_fail (HERALD_IS_HISTORY (self), 0);

  return g_atomic_int_get (&self->limit);
}

GPtrArray *
herald_history_query (HeraldHistory *self, const HeraldHistoryQuery *query, GError **error)
{
  static const HeraldHistoryQuery everything = HERALD_HISTORY_QUERY_INIT;
  g_autoptr (GString) sql = g_string_new ("SELECT " EVENT_COLUMNS " FROM events WHERE 1");
  g_autoptr (GPtrArray) events = NULL;
  g_autofree char *needle = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (HERALD_IS_HISTORY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (query == NULL)
    query = &everything;
  g_return_val_if_fail (query->category >= -1 && query->category <= HERALD_CATEGORY_SYSTEM, NULL);

  if (query->account != NULL)
    g_string_append (sql, " AND account = :account");
  if (query->category >= 0)
    g_string_append (sql, " AND category = :category");
  if (query->unread_only)
    g_string_append (sql, " AND read = 0");
  if (query->text != NULL && *query->text != '\0')
    {
      needle = fold (query->text);
      g_string_append (sql, " AND herald_match (title, body, :text)");
    }
  g_string_append (sql, " ORDER BY occurred DESC, seq DESC");
  if (query->limit > 0)
    g_string_append (sql, " LIMIT :limit");

  events = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);

  g_mutex_lock (&self->read_lock);
  rc = sqlite3_prepare_v2 (self->read_db, sql->str, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_named_text (stmt, ":account", query->account);
      if (query->category >= 0)
        bind_named_text (stmt, ":category", herald_category_to_string (query->category));
      bind_named_text (stmt, ":text", needle);
      if (query->limit > 0)
        sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":limit"), query->limit);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (events, event_from_row (stmt));
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    set_read_error (error, self->read_db, rc);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->read_lock);

  if (rc != SQLITE_OK)
    return NULL;
  return g_steal_pointer (&events);
}

void
herald_history_query_async (HeraldHistory *self, const HeraldHistoryQuery *query,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  static const HeraldHistoryQuery everything = HERALD_HISTORY_QUERY_INIT;
  g_autoptr (GTask) task = NULL;
  QueryData *data;

  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  if (query == NULL)
    query = &everything;

  /* The caller's strings may be gone by the time the thread runs. */
  data = g_new0 (QueryData, 1);
  data->query = *query;
  data->account = g_strdup (query->account);
  data->text = g_strdup (query->text);
  data->query.account = data->account;
  data->query.text = data->text;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, herald_history_query_async);
  g_task_set_task_data (task, data, (GDestroyNotify)query_data_free);
  g_task_run_in_thread (task, query_thread);
}

GPtrArray *
herald_history_query_finish (HeraldHistory *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == herald_history_query_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
herald_history_count_unread (HeraldHistory *self, const char *account, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  guint count = 0;
  int rc;

  g_return_val_if_fail (HERALD_IS_HISTORY (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  g_mutex_lock (&self->read_lock);
  rc = sqlite3_prepare_v2 (self->read_db,
                           account ? "SELECT count(*) FROM events WHERE read = 0 AND account = ?1"
                                   : "SELECT count(*) FROM events WHERE read = 0",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (account != NULL)
        bind_text (stmt, 1, account);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          count = (guint)sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    set_read_error (error, self->read_db, rc);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->read_lock);
  return count;
}

void
herald_history_mark_read (HeraldHistory *self, const char *account, const char *id, gboolean read)
{
  Op op = { .kind = OP_MARK_READ };

  g_return_if_fail (HERALD_IS_HISTORY (self));

  op.read = !!read;
  op.account = g_strdup (account);
  op.id = g_strdup (id);
  enqueue (self, &op);
}

void
herald_history_forget_account (HeraldHistory *self, const char *account)
{
  Op op = { .kind = OP_FORGET };

  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (account != NULL);

  op.account = g_strdup (account);
  enqueue (self, &op);
}
