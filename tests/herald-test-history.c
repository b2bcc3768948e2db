/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-test-history.c — the history tests' shared set-up and helpers; see the header. */
#include "config.h"

#include "herald-test-env.h"
#include "herald-test-history.h"

void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("herald-history-XXXXXX", &error);
  g_assert_no_error (error);
  /* One level the store has to create itself. */
  fixture->path = g_build_filename (fixture->dir, "herald", "history.db", NULL);
}

void
fixture_open (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  fixture->history = herald_history_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->history);
}

void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->history);
  herald_test_remove_tree (fixture->dir);
  g_assert_false (g_file_test (fixture->dir, G_FILE_TEST_EXISTS));
  g_free (fixture->dir);
  g_free (fixture->path);
}

void
recorder_init (Recorder *recorder)
{
  recorder->thread = g_thread_self ();
  recorder->seen = g_ptr_array_new_with_free_func (g_free);
  recorder->outcomes = g_array_new (FALSE, FALSE, sizeof (HeraldHistoryOutcome));
  recorder->wrong_context = FALSE;
}

void
recorder_clear (Recorder *recorder)
{
  g_ptr_array_unref (recorder->seen);
  g_array_unref (recorder->outcomes);
}

void
record_added (HeraldHistory *history, HeraldEvent *event, HeraldHistoryOutcome outcome,
              gpointer user_data)
{
  Recorder *recorder = user_data;

  if (g_thread_self () != recorder->thread || !g_main_context_is_owner (g_main_context_default ()))
    recorder->wrong_context = TRUE;
  g_ptr_array_add (recorder->seen, g_strdup_printf ("%s/%s", herald_event_get_account (event),
                                                    herald_event_get_id (event)));
  g_array_append_val (recorder->outcomes, outcome);
}

HeraldHistoryOutcome
recorder_outcome (Recorder *recorder, guint index)
{
  g_assert_cmpuint (index, <, recorder->outcomes->len);
  return g_array_index (recorder->outcomes, HeraldHistoryOutcome, index);
}

gboolean
recorder_is_new (Recorder *recorder, guint index)
{
  return recorder_outcome (recorder, index) == HERALD_HISTORY_STORED;
}

HeraldEvent *
make_event (const char *account, const char *id, gint64 occurred_s)
{
  HeraldEvent *event = herald_event_new (account, "skinshark", "trade.completed", id);

  herald_event_set_occurred (event, occurred_s * G_USEC_PER_SEC);
  herald_event_take_title (event, g_strdup_printf ("Trade %s", id));
  return event;
}

void
add (HeraldHistory *history, const char *account, const char *id, gint64 occurred_s, Recorder *rec)
{
  g_autoptr (HeraldEvent) event = make_event (account, id, occurred_s);

  herald_history_add (history, event, rec ? record_added : NULL, rec);
}

GPtrArray *
query (HeraldHistory *history, const HeraldHistoryQuery *q)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *events = herald_history_query (history, q, &error);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

/* "id,id,id" of a query's result, for compact assertions. */
char *
query_ids (HeraldHistory *history, const HeraldHistoryQuery *q)
{
  g_autoptr (GPtrArray) events = query (history, q);
  g_autoptr (GString) ids = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (ids, "%s%s", i ? "," : "",
                            herald_event_get_id (g_ptr_array_index (events, i)));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

guint
count_unread (HeraldHistory *history, const char *account)
{
  g_autoptr (GError) error = NULL;
  guint count = herald_history_count_unread (history, account, &error);

  g_assert_no_error (error);
  return count;
}

sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  return db;
}

void
exec_raw (sqlite3 *db, const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

gint64
user_version (const char *path)
{
  sqlite3 *db = open_raw (path);
  sqlite3_stmt *stmt = NULL;
  gint64 version;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return version;
}
