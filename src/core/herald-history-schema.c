/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-history-schema.c — the history's file: opening it, checking it, migrating its schema,
 * and moving a damaged one aside so that a fresh store can start in its place. */
#define G_LOG_DOMAIN "herald-history"

#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "herald-history-private.h"

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
  "INSERT INTO events_2 (seq, " HISTORY_EVENT_COLUMNS ") SELECT seq, " HISTORY_EVENT_COLUMNS
  " FROM events;"
  "DROP TABLE events;"
  "ALTER TABLE events_2 RENAME TO events;"
  "CREATE INDEX events_occurred ON events (occurred);",

  /* The same table without its UNIQUE (id, account) key. Keeping that b-tree in order cost
   * every insert and every pruned row a search by text: about a fifth of the writer's time in
   * a burst. The writer of this schema deduped against an index of the keys it kept in memory
   * and in step with every row it added or deleted; schema 4 gives the job back to SQLite. */
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
  "INSERT INTO events_3 (seq, " HISTORY_EVENT_COLUMNS ") SELECT seq, " HISTORY_EVENT_COLUMNS
  " FROM events;"
  "DROP TABLE events;"
  "ALTER TABLE events_3 RENAME TO events;"
  "CREATE INDEX events_occurred ON events (occurred);",

  /* SQLite dedupes again, through a UNIQUE index on (account, id): the in-memory index of
   * schema 3 had to be kept in step with the table by hand, and it bound only this build's
   * writer. A constraint in the file holds for every writer, an older Herald still running
   * beside the migrated store included. Copies of a pair that got in meanwhile are merged
   * first: the earliest stored row stays, read if any copy was, and every other row is kept.
   * Account first this time: the index then also serves filtering by an account, counting
   * its unread events and forgetting it, which schema 2 had to do by reading the whole table.
   * The GROUP BYs sort once; a correlated lookup per row would be quadratic here, with no
   * index on the pair yet. */
  "UPDATE events SET read = 1 WHERE read = 0 AND (account, id) IN"
  " (SELECT account, id FROM events GROUP BY account, id HAVING max (read) != 0);"
  "DELETE FROM events WHERE seq NOT IN (SELECT min (seq) FROM events GROUP BY account, id);"
  "CREATE UNIQUE INDEX events_key ON events (account, id);",
};

#define SCHEMA_VERSION ((int)G_N_ELEMENTS (migrations))

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
                 _ ("Could not open the history “%s”: %s"), path,
                 _herald_history_describe_error (rc));
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
  sqlite3_busy_timeout (self->write_db, HISTORY_BUSY_TIMEOUT_MS);

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

  /* A store that claims the current schema but lacks a column or the key fails here, and is
   * moved aside like any other damage. */
  rc = _herald_history_prepare_writer (self);
  if (rc != SQLITE_OK)
    return set_open_error (error, self->write_db, rc, path, "preparing statements");

  rc = sqlite3_open_v2 (path, &self->read_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (self->read_db, HISTORY_BUSY_TIMEOUT_MS);
      rc = sqlite3_exec (self->read_db, "PRAGMA query_only = ON", NULL, NULL, NULL);
    }
  if (rc == SQLITE_OK)
    rc = _herald_history_prepare_reader (self->read_db);
  if (rc != SQLITE_OK)
    {
      /* The store itself checked out above: whatever failed here is not damage. */
      g_debug ("%s: read connection: %s", path,
               self->read_db ? sqlite3_errmsg (self->read_db) : sqlite3_errstr (rc));
      g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED,
                   _ ("Could not open the history “%s”: %s"), path,
                   _herald_history_describe_error (rc));
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

const char *
_herald_history_describe_error (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      /* TRANSLATORS: this and the reasons below end "Could not open the history “%s”: %s" */
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

void
_herald_history_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  /* STATIC: the strings outlive the step, which copies them into the page. */
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

void
_herald_history_close_store (HeraldHistory *self)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->write_db, sqlite3_close);
  g_clear_pointer (&self->read_db, sqlite3_close);
}

/* Opens self->path; a damaged file is moved aside and a fresh store opened in its place. */
gboolean
_herald_history_open_store (HeraldHistory *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *aside = NULL;

  if (open_connections (self, &local_error))
    return TRUE;
  _herald_history_close_store (self);
  if (!g_error_matches (local_error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_DAMAGED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!move_aside (self->path, &aside, error))
    return FALSE;
  g_warning ("The history “%s” was damaged; it was moved to “%s” and a new one started", self->path,
             aside);
  self->moved_aside_path = g_steal_pointer (&aside);

  g_clear_error (&local_error);
  if (!open_connections (self, &local_error))
    {
      _herald_history_close_store (self);
      /* A brand new file that fails is not the file's fault. */
      local_error->code = HERALD_HISTORY_ERROR_FAILED;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
