/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-history-migrate.c — HeraldHistory's file: reopening, upgrading stores written by earlier
 * releases (schema 1, and schema 3 with its duplicates), the key that binds every writer, and
 * damaged, newer and unopenable stores. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "herald-test-history.h"

static void
test_reopen (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  g_autofree char *ids = NULL;
  GStatBuf st;
  gint64 version;
  Recorder rec;

  recorder_init (&rec);
  fixture_open (fixture);
  g_assert_null (herald_history_get_moved_aside_path (fixture->history));
  add (fixture->history, "main", "r1", 1, NULL);
  add (fixture->history, "main", "r2", 2, NULL);
  herald_history_mark_read (fixture->history, "main", "r1", TRUE);
  herald_history_flush (fixture->history);
  g_clear_object (&fixture->history);

  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  version = user_version (fixture->path);
  g_assert_cmpint (version, >, 0);

  fixture_open (fixture);
  g_assert_null (herald_history_get_moved_aside_path (fixture->history));
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "r2,r1");
  g_assert_cmpuint (count_unread (fixture->history, NULL), ==, 1);
  /* Dedupe survives the restart. */
  add (fixture->history, "main", "r1", 1, &rec);
  herald_history_flush (fixture->history);
  g_assert_false (recorder_is_new (&rec, 0));
  g_clear_object (&fixture->history);
  g_assert_cmpint (user_version (fixture->path), ==, version);
  recorder_clear (&rec);
}

/* A store as the first release wrote it (schema 1), rows put in by hand: insertion order
 * (seq) differs from time order, one row is read, two accounts share an id. */
static void
write_schema_1_store (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  sqlite3 *db;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = open_raw (path);
  exec_raw (db, "PRAGMA page_size = 16384;"
                "PRAGMA journal_mode = WAL;"
                "BEGIN;"
                "CREATE TABLE events ("
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
                " UNIQUE (account, id));"
                "CREATE INDEX events_occurred ON events (occurred);"
                "INSERT INTO events VALUES"
                " (3, 'main', 'v1', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'Trade v1', 'first body', 'https://example.com/v1', 5000000, 5000001,"
                "  '{\"id\":\"v1\"}', 1),"
                " (7, 'main', 'v2', 'skinshark', 'trade.completed', 'trade', 'warning',"
                "  'Trade v2', '', NULL, 5000000, 5000002, '{}', 0),"
                " (9, 'alt', 'v1', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'Trade alt v1', '', NULL, 4000000, 4000001, '{}', 0),"
                " (12, 'main', 'v0', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'Trade v0', '', NULL, 1000000, 1000001, '{}', 0);"
                "PRAGMA user_version = 1;"
                "COMMIT;");
  sqlite3_close (db);
}

/* A store from the first release is upgraded in place: every row is found, in the same
 * order, with its fields and read flag, and dedupe still tells accounts apart. */
static void
test_upgrade_from_1 (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) events = NULL;
  g_autofree char *ids = NULL;
  HeraldEvent *first;
  Recorder rec;

  write_schema_1_store (fixture->path);
  fixture_open (fixture);
  g_assert_null (herald_history_get_moved_aside_path (fixture->history));
  g_assert_cmpint (user_version (fixture->path), >, 1);

  /* Equal times keep their insertion order: v2 (seq 7) before v1 (seq 3). */
  events = query (fixture->history, NULL);
  g_assert_cmpuint (events->len, ==, 4);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "v2,v1,v1,v0");
  first = g_ptr_array_index (events, 1);
  g_assert_cmpstr (herald_event_get_account (first), ==, "main");
  g_assert_cmpstr (herald_event_get_title (first), ==, "Trade v1");
  g_assert_cmpstr (herald_event_get_body (first), ==, "first body");
  g_assert_cmpstr (herald_event_get_link (first), ==, "https://example.com/v1");
  g_assert_cmpstr (herald_event_get_raw (first), ==, "{\"id\":\"v1\"}");
  g_assert_cmpint (herald_event_get_occurred (first), ==, 5000000);
  g_assert_cmpint (herald_event_get_received (first), ==, 5000001);
  g_assert_cmpint (herald_event_get_category (first), ==, HERALD_CATEGORY_TRADE);
  g_assert_true (herald_event_get_read (first));
  g_assert_cmpint (herald_event_get_severity (g_ptr_array_index (events, 0)), ==,
                   HERALD_SEVERITY_WARNING);
  g_assert_cmpuint (count_unread (fixture->history, NULL), ==, 3);
  g_assert_cmpuint (count_unread (fixture->history, "alt"), ==, 1);

  /* Stored pairs are still known; a known id on a new account is new. New rows come after
   * the old ones in insertion order. */
  recorder_init (&rec);
  add (fixture->history, "main", "v1", 5, &rec);
  add (fixture->history, "alt", "v1", 4, &rec);
  add (fixture->history, "other", "v1", 5, &rec);
  herald_history_flush (fixture->history);
  g_assert_cmpint (recorder_outcome (&rec, 0), ==, HERALD_HISTORY_DUPLICATE);
  g_assert_cmpint (recorder_outcome (&rec, 1), ==, HERALD_HISTORY_DUPLICATE);
  g_assert_cmpint (recorder_outcome (&rec, 2), ==, HERALD_HISTORY_STORED);
  recorder_clear (&rec);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "v1,v2,v1,v1,v0");

  /* The cap goes by the old rows' times and order too. */
  herald_history_set_limit (fixture->history, 3);
  herald_history_flush (fixture->history);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "v1,v2,v1");

  /* And the upgraded store opens again as it is. */
  g_clear_object (&fixture->history);
  fixture_open (fixture);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "v1,v2,v1");
}

typedef void (*DamageFunc) (Fixture *fixture);

static void
damage_garbage (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  guint8 bytes[16384];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = g_random_int_range (0, 256);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (fixture->path, (const char *)bytes, sizeof bytes, &error);
  g_assert_no_error (error);
}

/* A real SQLite file at version 0 whose "events" table is not ours: migration fails. */
static void
damage_unmigratable (Fixture *fixture)
{
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  sqlite3 *db;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = open_raw (fixture->path);
  exec_raw (db, "CREATE TABLE events (something_else TEXT); INSERT INTO events VALUES ('x')");
  sqlite3_close (db);
}

/* A good store with one table page overwritten in the middle: the header, the schema and
 * the indexes still read fine, so only the integrity check notices. */
static void
damage_pages (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  sqlite3_stmt *stmt = NULL;
  gint64 page_size, page;
  sqlite3 *db;

  fixture_open (fixture);
  herald_history_set_limit (fixture->history, 100000);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *id = g_strdup_printf ("p%u", i);
      add (fixture->history, "main", id, i, NULL);
    }
  herald_history_flush (fixture->history);
  g_clear_object (&fixture->history);

  db = open_raw (fixture->path);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT pageno, (SELECT page_size FROM pragma_page_size)"
                                       " FROM dbstat WHERE name = 'events' AND pagetype = 'leaf'"
                                       " ORDER BY pageno LIMIT 1 OFFSET 5",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  page = sqlite3_column_int64 (stmt, 0);
  page_size = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_file_get_contents (fixture->path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (page, >, 1);
  g_assert_cmpuint (length, >=, page * page_size);
  memset (contents + (page - 1) * page_size, 0x5a, page_size);
  g_file_set_contents (fixture->path, contents, length, &error);
  g_assert_no_error (error);
}

static const DamageFunc damages[] = { damage_garbage, damage_unmigratable, damage_pages };

static void
test_damaged (Fixture *fixture, gconstpointer data)
{
  DamageFunc damage = *(const DamageFunc *)data;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *ids = NULL;
  gsize before_len = 0;
  gsize after_len = 0;
  const char *aside;
  Recorder rec;

  damage (fixture);
  g_file_get_contents (fixture->path, &before, &before_len, &error);
  g_assert_no_error (error);

  g_test_expect_message ("herald-history", G_LOG_LEVEL_WARNING, "*damaged*moved to*");
  fixture_open (fixture);
  g_test_assert_expected_messages ();

  aside = herald_history_get_moved_aside_path (fixture->history);
  g_assert_nonnull (aside);
  prefix = g_strconcat (fixture->path, ".damaged-", NULL);
  g_assert_true (g_str_has_prefix (aside, prefix));
  g_assert_true (g_file_test (aside, G_FILE_TEST_IS_REGULAR));
  /* Moved, not rewritten: the user can still try to recover it. */
  g_file_get_contents (aside, &after, &after_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (before, before_len, after, after_len);

  /* A fresh, working store in its place. */
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "");
  recorder_init (&rec);
  add (fixture->history, "main", "p1", 1, &rec);
  herald_history_flush (fixture->history);
  g_assert_true (recorder_is_new (&rec, 0));
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "p1");
  recorder_clear (&rec);
}

static void
test_too_new (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldHistory) history = NULL;
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len = 0;
  gsize after_len = 0;
  g_autoptr (GDir) listing = NULL;
  const char *name;
  sqlite3 *db;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = open_raw (fixture->path);
  exec_raw (db, "CREATE TABLE events (future TEXT); INSERT INTO events VALUES ('kept');"
                "PRAGMA user_version = 999");
  sqlite3_close (db);
  g_file_get_contents (fixture->path, &before, &before_len, NULL);

  history = herald_history_open (fixture->path, &error);
  g_assert_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_TOO_NEW);
  g_assert_null (history);

  g_file_get_contents (fixture->path, &after, &after_len, NULL);
  g_assert_cmpmem (before, before_len, after, after_len);
  g_assert_cmpint (user_version (fixture->path), ==, 999);
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_assert_null (strstr (name, "damaged"));
}

static void
test_open_failed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldHistory) history = NULL;
  g_autofree char *blocker = g_build_filename (fixture->dir, "not-a-dir", NULL);
  g_autofree char *path = g_build_filename (blocker, "history.db", NULL);

  /* A file where the folder should be: the machine's problem, not a damaged store. */
  g_file_set_contents (blocker, "x", 1, &error);
  g_assert_no_error (error);
  history = herald_history_open (path, &error);
  g_assert_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED);
  g_assert_null (history);
  g_clear_error (&error);

  /* A directory where the file should be. */
  g_assert_cmpint (g_mkdir_with_parents (fixture->path, 0700), ==, 0);
  history = herald_history_open (fixture->path, &error);
  g_assert_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED);
  g_assert_null (history);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_DIR));
}

/* A store as schema 3 left it: no UNIQUE key, so copies of a pair could get in (an older
 * instance beside a newer one, the upgrade window). Rows by hand: two pairs stored three and
 * two times, the first copy unread in one case and read in the other, plus 1 000 generated rows
 * over 700 pairs. */
static void
write_schema_3_store (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  sqlite3 *db;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  db = open_raw (path);
  exec_raw (db, "PRAGMA page_size = 16384;"
                "PRAGMA journal_mode = WAL;"
                "BEGIN;"
                "CREATE TABLE events ("
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
                "CREATE INDEX events_occurred ON events (occurred);"
                "INSERT INTO events VALUES"
                " (2, 'main', 'v1', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'First v1', 'first body', 'https://example.com/v1', 5000000, 5000001, '', 0),"
                " (4, 'alt', 'v1', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'Alt v1', '', NULL, 4000000, 4000001, '', 0),"
                " (5, 'main', 'v2', 'skinshark', 'trade.completed', 'trade', 'warning',"
                "  'First v2', '', NULL, 6000000, 6000001, '', 1),"
                " (6, 'main', 'v1', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'Second v1', '', NULL, 5000000, 5000002, '', 1),"
                " (8, 'main', 'v3', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'v3', '', NULL, 7000000, 7000001, '', 0),"
                " (9, 'main', 'v1', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'Third v1', '', NULL, 5000000, 5000003, '', 0),"
                " (10, 'main', 'v2', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'Second v2', '', NULL, 6000000, 6000002, '', 0),"
                " (11, 'alt', 'v9', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'v9', '', NULL, 1000000, 1000001, '', 0),"
                " (12, 'main', 'v4', 'skinshark', 'trade.completed', 'trade', 'info',"
                "  'v4', '', NULL, 8000000, 8000001, '', 0);"
                /* bulk/b0 … bulk/b699, then b0 … b299 again with other titles. */
                "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)"
                " INSERT INTO events (account, id, provider, type, category, severity, title,"
                "  body, link, occurred, received, raw, read)"
                " SELECT 'bulk', 'b' || (i % 700), 'pally', 'campaigntip.notify', 'tip', 'info',"
                "  'copy ' || i, '', NULL, 100 + i, 100 + i, '', 0 FROM n;"
                "PRAGMA user_version = 3;"
                "COMMIT;");
  sqlite3_close (db);
}

static void
assert_outcomes (Recorder *rec, const HeraldHistoryOutcome *expected, guint n)
{
  g_assert_cmpuint (rec->outcomes->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_test_message ("%s", (const char *)g_ptr_array_index (rec->seen, i));
      g_assert_cmpint (recorder_outcome (rec, i), ==, expected[i]);
    }
}

/* Migrating from schema 3 keeps every row but the extra copies of a pair: the earliest stored
 * copy stays, read if any copy was. The store then dedupes by itself, across a reopen too. */
static void
test_migrate_from_3 (Fixture *fixture, gconstpointer data)
{
  static const HeraldHistoryOutcome before_reopen[] = {
    HERALD_HISTORY_DUPLICATE, HERALD_HISTORY_DUPLICATE, HERALD_HISTORY_DUPLICATE,
    HERALD_HISTORY_DUPLICATE, HERALD_HISTORY_STORED,
  };
  static const HeraldHistoryOutcome after_reopen[] = {
    HERALD_HISTORY_DUPLICATE,
    HERALD_HISTORY_DUPLICATE,
    HERALD_HISTORY_DUPLICATE,
    HERALD_HISTORY_STORED,
  };
  HeraldHistoryQuery q = HERALD_HISTORY_QUERY_INIT;
  g_autoptr (HeraldEvent) event = NULL;
  g_autofree char *ids = NULL;
  Recorder rec;

  write_schema_3_store (fixture->path);
  fixture_open (fixture);
  g_assert_null (herald_history_get_moved_aside_path (fixture->history));
  g_assert_cmpint (user_version (fixture->path), ==, 4);

  q.account = "bulk";
  g_assert_cmpuint (herald_history_count (fixture->history, &q, NULL), ==, 700);
  /* The first copy of each, by insertion: b5 is i = 5, not 705. */
  event = herald_history_lookup (fixture->history, "bulk", "b5", NULL);
  g_assert_cmpstr (herald_event_get_title (event), ==, "copy 5");
  g_clear_pointer (&event, herald_event_unref);
  event = herald_history_lookup (fixture->history, "bulk", "b699", NULL);
  g_assert_cmpstr (herald_event_get_title (event), ==, "copy 699");
  g_clear_pointer (&event, herald_event_unref);

  q.account = NULL;
  q.limit = 6;
  ids = query_ids (fixture->history, &q);
  g_assert_cmpstr (ids, ==, "v4,v3,v2,v1,v1,v9");
  g_assert_cmpuint (herald_history_count (fixture->history, NULL, NULL), ==, 706);
  event = herald_history_lookup (fixture->history, "main", "v1", NULL);
  g_assert_cmpstr (herald_event_get_title (event), ==, "First v1");
  g_assert_cmpstr (herald_event_get_link (event), ==, "https://example.com/v1");
  g_assert_true (herald_event_get_read (event));
  g_clear_pointer (&event, herald_event_unref);
  event = herald_history_lookup (fixture->history, "main", "v2", NULL);
  g_assert_cmpstr (herald_event_get_title (event), ==, "First v2");
  g_assert_true (herald_event_get_read (event));
  g_clear_pointer (&event, herald_event_unref);
  event = herald_history_lookup (fixture->history, "alt", "v1", NULL);
  g_assert_false (herald_event_get_read (event));
  g_assert_cmpuint (count_unread (fixture->history, "main"), ==, 2);
  g_assert_cmpuint (count_unread (fixture->history, "alt"), ==, 2);

  recorder_init (&rec);
  add (fixture->history, "main", "v1", 5, &rec);
  add (fixture->history, "alt", "v1", 4, &rec);
  add (fixture->history, "main", "v2", 6, &rec);
  add (fixture->history, "bulk", "b42", 1, &rec);
  add (fixture->history, "other", "v1", 9, &rec);
  herald_history_flush (fixture->history);
  assert_outcomes (&rec, before_reopen, G_N_ELEMENTS (before_reopen));
  recorder_clear (&rec);

  g_clear_object (&fixture->history);
  fixture_open (fixture);
  g_assert_cmpint (user_version (fixture->path), ==, 4);
  recorder_init (&rec);
  add (fixture->history, "main", "v1", 5, &rec);
  add (fixture->history, "other", "v1", 9, &rec);
  add (fixture->history, "bulk", "b699", 1, &rec);
  add (fixture->history, "main", "v5", 10, &rec);
  herald_history_flush (fixture->history);
  assert_outcomes (&rec, after_reopen, G_N_ELEMENTS (after_reopen));
  recorder_clear (&rec);
  g_assert_cmpuint (herald_history_count (fixture->history, NULL, NULL), ==, 708);
}

/* An older Herald (schema 3) that was already running when a newer one migrated the file goes
 * on inserting with a plain INSERT, deduped only against its own memory. The key in the file
 * now refuses its copy of a stored pair, so the upgrade window cannot store an event twice. */
static void
test_upgrade_window (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldEvent) event = NULL;
  sqlite3 *old_writer;
  int rc;

  fixture_open (fixture);
  add (fixture->history, "main", "w1", 1, NULL);
  herald_history_flush (fixture->history);

  old_writer = open_raw (fixture->path);
  rc = sqlite3_exec (old_writer,
                     "INSERT INTO events (account, id, provider, type, category, severity, title,"
                     " body, link, occurred, received, raw, read) VALUES ('main', 'w1',"
                     " 'skinshark', 'trade.completed', 'trade', 'info', 'Again', '', NULL, 1, 1,"
                     " '', 0)",
                     NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_extended_errcode (old_writer), ==, SQLITE_CONSTRAINT_UNIQUE);
  sqlite3_close (old_writer);

  g_assert_cmpuint (herald_history_count (fixture->history, NULL, NULL), ==, 1);
  event = herald_history_lookup (fixture->history, "main", "w1", NULL);
  g_assert_cmpstr (herald_event_get_title (event), ==, "Trade w1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/history/reopen", test_reopen);
  ADD ("/history/upgrade-from-1", test_upgrade_from_1);
  ADD ("/history/migrate-from-3", test_migrate_from_3);
  ADD ("/history/upgrade-window", test_upgrade_window);
  ADD ("/history/too-new", test_too_new);
  ADD ("/history/open-failed", test_open_failed);
#undef ADD
  g_test_add ("/history/damaged/garbage", Fixture, &damages[0], fixture_set_up, test_damaged,
              fixture_tear_down);
  g_test_add ("/history/damaged/unmigratable", Fixture, &damages[1], fixture_set_up, test_damaged,
              fixture_tear_down);
  g_test_add ("/history/damaged/pages", Fixture, &damages[2], fixture_set_up, test_damaged,
              fixture_tear_down);

  return g_test_run ();
}
