/* test-history.c — HeraldHistory: dedupe, order, filters, read state, cap, schema, damaged and
 * newer stores, callback delivery and concurrency. `--throughput N [CAP]` measures inserts/s. */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "herald-history.h"

typedef struct
{
  char *dir;
  char *path;
  HeraldHistory *history;
} Fixture;

typedef struct
{
  GThread *thread;
  GPtrArray *seen;  /* "account/id" in callback order */
  GArray *outcomes; /* HeraldHistoryOutcome, same order */
  gboolean wrong_context;
} Recorder;

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
    }
  g_remove (path);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("herald-history-XXXXXX", &error);
  g_assert_no_error (error);
  /* One level the store has to create itself. */
  fixture->path = g_build_filename (fixture->dir, "herald", "history.db", NULL);
}

static void
fixture_open (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  fixture->history = herald_history_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->history);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->history);
  remove_tree (fixture->dir);
  g_assert_false (g_file_test (fixture->dir, G_FILE_TEST_EXISTS));
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
recorder_init (Recorder *recorder)
{
  recorder->thread = g_thread_self ();
  recorder->seen = g_ptr_array_new_with_free_func (g_free);
  recorder->outcomes = g_array_new (FALSE, FALSE, sizeof (HeraldHistoryOutcome));
  recorder->wrong_context = FALSE;
}

static void
recorder_clear (Recorder *recorder)
{
  g_ptr_array_unref (recorder->seen);
  g_array_unref (recorder->outcomes);
}

static void
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

static HeraldHistoryOutcome
recorder_outcome (Recorder *recorder, guint index)
{
  g_assert_cmpuint (index, <, recorder->outcomes->len);
  return g_array_index (recorder->outcomes, HeraldHistoryOutcome, index);
}

static gboolean
recorder_is_new (Recorder *recorder, guint index)
{
  return recorder_outcome (recorder, index) == HERALD_HISTORY_STORED;
}

static HeraldEvent *
make_event (const char *account, const char *id, gint64 occurred_s)
{
  HeraldEvent *event = herald_event_new (account, "skinshark", "trade.completed", id);

  herald_event_set_occurred (event, occurred_s * G_USEC_PER_SEC);
  herald_event_take_title (event, g_strdup_printf ("Trade %s", id));
  return event;
}

static void
add (HeraldHistory *history, const char *account, const char *id, gint64 occurred_s, Recorder *rec)
{
  g_autoptr (HeraldEvent) event = make_event (account, id, occurred_s);

  herald_history_add (history, event, rec ? record_added : NULL, rec);
}

static GPtrArray *
query (HeraldHistory *history, const HeraldHistoryQuery *q)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *events = herald_history_query (history, q, &error);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  return events;
}

/* "id,id,id" of a query's result, for compact assertions. */
static char *
query_ids (HeraldHistory *history, const HeraldHistoryQuery *q)
{
  g_autoptr (GPtrArray) events = query (history, q);
  g_autoptr (GString) ids = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (ids, "%s%s", i ? "," : "",
                            herald_event_get_id (g_ptr_array_index (events, i)));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static guint
count_unread (HeraldHistory *history, const char *account)
{
  g_autoptr (GError) error = NULL;
  guint count = herald_history_count_unread (history, account, &error);

  g_assert_no_error (error);
  return count;
}

static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  return db;
}

static void
exec_raw (sqlite3 *db, const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
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

static void
test_dedupe (Fixture *fixture, gconstpointer data)
{
  Recorder rec;
  sqlite3 *blocker;
  guint new_count = 0;

  recorder_init (&rec);
  fixture_open (fixture);

  add (fixture->history, "main", "t1", 100, &rec);
  herald_history_flush (fixture->history);
  add (fixture->history, "main", "t1", 100, &rec); /* a later batch */
  herald_history_flush (fixture->history);
  g_assert_cmpuint (rec.seen->len, ==, 2);
  g_assert_true (recorder_is_new (&rec, 0));
  g_assert_false (recorder_is_new (&rec, 1));

  /* Hold the write lock so the writer stalls on its first batch and the pairs below queue up
   * together, most of them in one batch. */
  blocker = open_raw (fixture->path);
  exec_raw (blocker, "BEGIN IMMEDIATE");
  add (fixture->history, "main", "warm-up", 100, &rec);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *id = g_strdup_printf ("d%u", i);

      add (fixture->history, "main", id, 200 + i, &rec);
      add (fixture->history, "main", id, 200 + i, &rec);
    }
  exec_raw (blocker, "ROLLBACK");
  sqlite3_close (blocker);
  herald_history_flush (fixture->history);

  g_assert_cmpuint (rec.seen->len, ==, 2 + 1 + 2000);
  g_assert_true (recorder_is_new (&rec, 2));
  for (guint i = 0; i < 1000; i++)
    {
      g_assert_true (recorder_is_new (&rec, 3 + 2 * i));
      g_assert_false (recorder_is_new (&rec, 3 + 2 * i + 1));
    }
  for (guint i = 0; i < rec.outcomes->len; i++)
    new_count += recorder_is_new (&rec, i);
  g_assert_cmpuint (new_count, ==, 1 + 1 + 1000);
  g_assert_false (rec.wrong_context);
  recorder_clear (&rec);
}

static void
test_accounts (Fixture *fixture, gconstpointer data)
{
  Recorder rec;
  g_autofree char *ids = NULL;

  recorder_init (&rec);
  fixture_open (fixture);
  add (fixture->history, "main", "same", 10, &rec);
  add (fixture->history, "alt", "same", 20, &rec);
  add (fixture->history, "alt", "same", 20, &rec);
  herald_history_flush (fixture->history);

  g_assert_cmpuint (rec.seen->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (rec.seen, 0), ==, "main/same");
  g_assert_true (recorder_is_new (&rec, 0));
  g_assert_cmpstr (g_ptr_array_index (rec.seen, 1), ==, "alt/same");
  g_assert_true (recorder_is_new (&rec, 1));
  g_assert_false (recorder_is_new (&rec, 2));
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "same,same");
  recorder_clear (&rec);
}

static void
test_order (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) events = NULL;
  g_autofree char *ids = NULL;
  HeraldEvent *first;

  fixture_open (fixture);
  add (fixture->history, "main", "b", 200, NULL);
  add (fixture->history, "main", "d", 400, NULL);
  add (fixture->history, "main", "a", 100, NULL);
  herald_history_flush (fixture->history);
  add (fixture->history, "main", "c", 300, NULL);
  /* Same time as "d" but stored later: insertion order breaks the tie. */
  add (fixture->history, "main", "d2", 400, NULL);
  herald_history_flush (fixture->history);

  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "d2,d,c,b,a");

  /* A stored event comes back whole. */
  events = query (fixture->history, NULL);
  first = g_ptr_array_index (events, 0);
  g_assert_cmpstr (herald_event_get_account (first), ==, "main");
  g_assert_cmpstr (herald_event_get_provider (first), ==, "skinshark");
  g_assert_cmpstr (herald_event_get_event_type (first), ==, "trade.completed");
  g_assert_cmpstr (herald_event_get_title (first), ==, "Trade d2");
  g_assert_cmpint (herald_event_get_occurred (first), ==, 400 * G_USEC_PER_SEC);
  g_assert_false (herald_event_get_read (first));
}

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldEvent) event = herald_event_new ("acc", "pally", "campaigntip.notify", "tip-9");
  g_autoptr (HeraldEvent) unknown = herald_event_new_with_raw (
    "acc", "pally", "campaign.ended", "raw:1", "{\"type\":\"campaign.ended\"}", -1);
  g_autoptr (GPtrArray) events = NULL;
  HeraldEvent *stored;

  herald_event_set_category (event, HERALD_CATEGORY_TIP);
  herald_event_set_severity (event, HERALD_SEVERITY_WARNING);
  herald_event_set_title (event, "New tip");
  herald_event_set_body (event, "5 € from “Ann”");
  herald_event_set_link (event, "https://example.org/tips/9");
  herald_event_set_occurred (event, G_GINT64_CONSTANT (1710352953743001));
  herald_event_set_received (event, G_GINT64_CONSTANT (1710352954000000));
  herald_event_set_raw (event, "{\"type\":\"campaigntip.notify\"}", -1);
  herald_event_set_unknown_type (unknown, TRUE);
  herald_event_set_occurred (unknown, G_GINT64_CONSTANT (1710352999000000));

  fixture_open (fixture);
  herald_history_add (fixture->history, event, NULL, NULL);
  herald_history_add (fixture->history, unknown, NULL, NULL);
  herald_history_flush (fixture->history);

  events = query (fixture->history, NULL);
  g_assert_cmpuint (events->len, ==, 2);
  /* A message of unknown type keeps its message: it is all there is to know about it. */
  stored = g_ptr_array_index (events, 0);
  g_assert_cmpstr (herald_event_get_id (stored), ==, "raw:1");
  g_assert_cmpstr (herald_event_get_raw (stored), ==, "{\"type\":\"campaign.ended\"}");
  /* A known one is kept as Herald shows it, every field of it, without the message. */
  stored = g_ptr_array_index (events, 1);
  g_assert_cmpstr (herald_event_get_id (stored), ==, "tip-9");
  g_assert_cmpstr (herald_event_get_account (stored), ==, "acc");
  g_assert_cmpstr (herald_event_get_provider (stored), ==, "pally");
  g_assert_cmpstr (herald_event_get_event_type (stored), ==, "campaigntip.notify");
  g_assert_cmpint (herald_event_get_category (stored), ==, HERALD_CATEGORY_TIP);
  g_assert_cmpint (herald_event_get_severity (stored), ==, HERALD_SEVERITY_WARNING);
  g_assert_cmpstr (herald_event_get_title (stored), ==, "New tip");
  g_assert_cmpstr (herald_event_get_body (stored), ==, "5 € from “Ann”");
  g_assert_cmpstr (herald_event_get_link (stored), ==, "https://example.org/tips/9");
  g_assert_cmpint (herald_event_get_occurred (stored), ==, G_GINT64_CONSTANT (1710352953743001));
  g_assert_cmpint (herald_event_get_received (stored), ==, G_GINT64_CONSTANT (1710352954000000));
  g_assert_cmpstr (herald_event_get_raw (stored), ==, "");
}

static void
add_full (HeraldHistory *history, const char *account, const char *id, gint64 occurred_s,
          HeraldCategory category, const char *title, const char *body)
{
  g_autoptr (HeraldEvent) event = make_event (account, id, occurred_s);

  herald_event_set_category (event, category);
  herald_event_set_title (event, title);
  herald_event_set_body (event, body);
  herald_history_add (history, event, NULL, NULL);
}

static void
test_filters (Fixture *fixture, gconstpointer data)
{
  HeraldHistoryQuery q = HERALD_HISTORY_QUERY_INIT;
  struct
  {
    const char *account;
    int category;
    const char *text;
    gboolean unread_only;
    guint limit;
    const char *expected;
  } cases[] = {
    { NULL, -1, NULL, FALSE, 0, "e6,e5,e4,e3,e2,e1" },
    { "main", -1, NULL, FALSE, 0, "e5,e3,e1" },
    { "nobody", -1, NULL, FALSE, 0, "" },
    { NULL, HERALD_CATEGORY_TIP, NULL, FALSE, 0, "e4,e2" },
    { "alt", HERALD_CATEGORY_TIP, NULL, FALSE, 0, "e4,e2" },
    { "main", HERALD_CATEGORY_TIP, NULL, FALSE, 0, "" },
    { NULL, -1, "", FALSE, 0, "e6,e5,e4,e3,e2,e1" },
    /* % and _ are literal: "50%_off" must not match "50 and off" nor "500xoff". */
    { NULL, -1, "50%_off", FALSE, 0, "e3" },
    { NULL, -1, "%", FALSE, 0, "e3" },
    { NULL, -1, "_", FALSE, 0, "e3" },
    /* Case-insensitive, in the title or the body, ASCII and not. */
    { NULL, -1, "REDLINE", FALSE, 0, "e5,e1" },
    { NULL, -1, "ÉTÉ", FALSE, 0, "e6" },
    { NULL, -1, "straße", FALSE, 0, "e4" },
    { NULL, -1, "no such text", FALSE, 0, "" },
    { NULL, -1, "redline", FALSE, 1, "e5" },
    { NULL, -1, NULL, FALSE, 2, "e6,e5" },
    { NULL, -1, NULL, TRUE, 0, "e6,e4,e3,e2,e1" },
    { "main", -1, NULL, TRUE, 0, "e3,e1" },
    { NULL, HERALD_CATEGORY_TIP, NULL, TRUE, 1, "e4" },
  };

  fixture_open (fixture);
  add_full (fixture->history, "main", "e1", 1, HERALD_CATEGORY_TRADE, "AK-47 | Redline", "sold");
  add_full (fixture->history, "alt", "e2", 2, HERALD_CATEGORY_TIP, "Tip", "500xoff and 50 and off");
  add_full (fixture->history, "main", "e3", 3, HERALD_CATEGORY_DEPOSIT, "Promo", "50%_off today");
  add_full (fixture->history, "alt", "e4", 4, HERALD_CATEGORY_TIP, "Tip", "from STRASSE 5");
  add_full (fixture->history, "main", "e5", 5, HERALD_CATEGORY_TRADE, "Sold", "M4A4 REDLINE");
  add_full (fixture->history, "alt", "e6", 6, HERALD_CATEGORY_LOBBY, "Lobby été", "joined");
  herald_history_mark_read (fixture->history, "main", "e5", TRUE);
  herald_history_flush (fixture->history);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ids = NULL;

      q.account = cases[i].account;
      q.category = cases[i].category;
      q.text = cases[i].text;
      q.unread_only = cases[i].unread_only;
      q.limit = cases[i].limit;
      ids = query_ids (fixture->history, &q);
      g_test_message ("case %u", i);
      g_assert_cmpstr (ids, ==, cases[i].expected);
    }
}

static void
test_mark_read (Fixture *fixture, gconstpointer data)
{
  HeraldHistoryQuery unread = HERALD_HISTORY_QUERY_INIT;
  g_autofree char *ids = NULL;

  unread.unread_only = TRUE;
  fixture_open (fixture);
  add (fixture->history, "main", "m1", 1, NULL);
  add (fixture->history, "main", "m2", 2, NULL);
  add (fixture->history, "alt", "a1", 3, NULL);
  add (fixture->history, "alt", "m1", 4, NULL);
  herald_history_flush (fixture->history);
  g_assert_cmpuint (count_unread (fixture->history, NULL), ==, 4);

  /* One event: the same id on another account stays unread. */
  herald_history_mark_read (fixture->history, "main", "m1", TRUE);
  herald_history_flush (fixture->history);
  g_assert_cmpuint (count_unread (fixture->history, NULL), ==, 3);
  g_assert_cmpuint (count_unread (fixture->history, "main"), ==, 1);
  g_assert_cmpuint (count_unread (fixture->history, "alt"), ==, 2);
  ids = query_ids (fixture->history, &unread);
  g_assert_cmpstr (ids, ==, "m1,a1,m2");

  /* A whole account. */
  herald_history_mark_read (fixture->history, "alt", NULL, TRUE);
  herald_history_flush (fixture->history);
  g_assert_cmpuint (count_unread (fixture->history, "alt"), ==, 0);
  g_assert_cmpuint (count_unread (fixture->history, "main"), ==, 1);

  /* Back to unread, then everything read. */
  herald_history_mark_read (fixture->history, "alt", "a1", FALSE);
  herald_history_flush (fixture->history);
  g_assert_cmpuint (count_unread (fixture->history, "alt"), ==, 1);
  herald_history_mark_read (fixture->history, NULL, NULL, TRUE);
  herald_history_flush (fixture->history);
  g_assert_cmpuint (count_unread (fixture->history, NULL), ==, 0);

  /* An id on every account. */
  herald_history_mark_read (fixture->history, NULL, "m1", FALSE);
  herald_history_flush (fixture->history);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, &unread);
  g_assert_cmpstr (ids, ==, "m1,m1");

  /* Queued behind the add before it: the new event is marked too. */
  add (fixture->history, "main", "m3", 5, NULL);
  herald_history_mark_read (fixture->history, "main", "m3", TRUE);
  herald_history_flush (fixture->history);
  g_assert_cmpuint (count_unread (fixture->history, "main"), ==, 1);
}

static void
test_forget (Fixture *fixture, gconstpointer data)
{
  g_autofree char *ids = NULL;
  Recorder rec;

  recorder_init (&rec);
  fixture_open (fixture);
  add (fixture->history, "main", "x1", 1, NULL);
  add (fixture->history, "gone", "x2", 2, NULL);
  add (fixture->history, "gone", "x3", 3, NULL);
  herald_history_forget_account (fixture->history, "gone");
  herald_history_flush (fixture->history);

  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "x1");
  g_assert_cmpuint (count_unread (fixture->history, "gone"), ==, 0);
  g_assert_cmpuint (count_unread (fixture->history, NULL), ==, 1);

  /* The account's events no longer count against the cap. */
  herald_history_set_limit (fixture->history, 2);
  add (fixture->history, "gone", "x2", 4, &rec);
  herald_history_flush (fixture->history);
  g_assert_true (recorder_is_new (&rec, 0));
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "x2,x1");
  recorder_clear (&rec);
}

static void
limit_notified (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *)user_data)++;
}

static void
test_cap (Fixture *fixture, gconstpointer data)
{
  static const gint64 times[] = { 5, 1, 8, 3, 7, 2, 6, 4 };
  g_autofree char *ids = NULL;
  guint notified = 0;
  guint limit = 0;

  fixture_open (fixture);
  g_assert_cmpuint (herald_history_get_limit (fixture->history), ==, 10000);
  g_signal_connect (fixture->history, "notify::limit", G_CALLBACK (limit_notified), &notified);
  g_object_set (fixture->history, "limit", 5, NULL);
  g_object_get (fixture->history, "limit", &limit, NULL);
  g_assert_cmpuint (limit, ==, 5);
  g_assert_cmpuint (notified, ==, 1);
  herald_history_set_limit (fixture->history, 5);
  g_assert_cmpuint (notified, ==, 1);

  /* The first three each in a batch of their own, the rest together: the cap holds both ways
   * and goes by occurred time, not by arrival. */
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *id = g_strdup_printf ("t%" G_GINT64_FORMAT, times[i]);

      add (fixture->history, "main", id, times[i], NULL);
      if (i < 3)
        herald_history_flush (fixture->history);
    }
  herald_history_flush (fixture->history);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "t8,t7,t6,t5,t4");

  /* Lowering the cap prunes at once, ties going to the older insertion. */
  add (fixture->history, "main", "same-a", 9, NULL);
  add (fixture->history, "main", "same-b", 9, NULL);
  add (fixture->history, "main", "same-c", 9, NULL);
  herald_history_flush (fixture->history);
  herald_history_set_limit (fixture->history, 2);
  herald_history_flush (fixture->history);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "same-c,same-b");

  /* Raising it keeps what is there and lets the history grow again. */
  herald_history_set_limit (fixture->history, 3);
  add (fixture->history, "main", "t10", 10, NULL);
  herald_history_flush (fixture->history);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "t10,same-c,same-b");
}

/* The cap's cut falls inside a run of equal occurred times whose insertion order is not their
 * time order: exactly the rows before the cut in (occurred, insertion) order go. */
static void
test_cap_ties (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    const char *id;
    gint64 occurred_s;
  } rows[] = { { "x1", 2 }, { "x2", 1 }, { "x3", 2 }, { "x4", 1 }, { "x5", 2 }, { "x6", 3 } };
  g_autofree char *ids = NULL;

  fixture_open (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    add (fixture->history, "main", rows[i].id, rows[i].occurred_s, NULL);
  herald_history_flush (fixture->history);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "x6,x5,x3,x1,x4,x2");

  /* Oldest first: x2, x4 (time 1), then x1, the first inserted at time 2. x4 came after x1
   * but is older, so it goes; x3 has x1's time but came after it, so it stays. */
  herald_history_set_limit (fixture->history, 3);
  herald_history_flush (fixture->history);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "x6,x5,x3");

  /* After the next batch the cap holds again, with no slack: x7 shares x3's and x5's time
   * but came last, so of the three it stays. */
  add (fixture->history, "main", "x7", 2, NULL);
  add (fixture->history, "main", "x8", 4, NULL);
  herald_history_flush (fixture->history);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "x8,x6,x7");
}

/* A second store on the same file (another Herald process) deletes rows behind the first
 * one's back: the cap must not then prune more than it should. */
static void
test_cap_shared_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldHistory) other = NULL;
  g_autofree char *ids = NULL;
  Recorder rec;

  fixture_open (fixture);
  herald_history_set_limit (fixture->history, 5);
  add (fixture->history, "main", "k1", 1, NULL);
  add (fixture->history, "gone", "k2", 2, NULL);
  add (fixture->history, "main", "k3", 3, NULL);
  add (fixture->history, "gone", "k4", 4, NULL);
  add (fixture->history, "main", "k5", 5, NULL);
  herald_history_flush (fixture->history);

  other = herald_history_open (fixture->path, &error);
  g_assert_no_error (error);
  herald_history_forget_account (other, "gone");
  herald_history_flush (other);
  g_clear_object (&other);

  add (fixture->history, "main", "k6", 6, NULL);
  add (fixture->history, "main", "k7", 7, NULL);
  herald_history_flush (fixture->history);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "k7,k6,k5,k3,k1");

  /* Nor may dedupe go by what was there before: a forgotten event comes back as new, and one
   * still there is still a duplicate. k2 pushes out k1, the oldest. */
  recorder_init (&rec);
  add (fixture->history, "gone", "k2", 2, &rec);
  add (fixture->history, "main", "k3", 3, &rec);
  herald_history_flush (fixture->history);
  g_assert_cmpint (recorder_outcome (&rec, 0), ==, HERALD_HISTORY_STORED);
  g_assert_cmpint (recorder_outcome (&rec, 1), ==, HERALD_HISTORY_DUPLICATE);
  g_clear_pointer (&ids, g_free);
  ids = query_ids (fixture->history, NULL);
  g_assert_cmpstr (ids, ==, "k7,k6,k5,k3,k2");
  recorder_clear (&rec);

  /* An event the other store wrote is a duplicate here too. */
  other = herald_history_open (fixture->path, &error);
  g_assert_no_error (error);
  add (other, "main", "k8", 8, NULL);
  herald_history_flush (other);
  g_clear_object (&other);
  recorder_init (&rec);
  add (fixture->history, "main", "k8", 8, &rec);
  herald_history_flush (fixture->history);
  g_assert_cmpint (recorder_outcome (&rec, 0), ==, HERALD_HISTORY_DUPLICATE);
  recorder_clear (&rec);
}

/* Dedupe holds while the cap prunes in every batch: an event is a duplicate exactly while the
 * history still holds it, in the same run and after a reopen. */
static void
test_dedupe_under_cap (Fixture *fixture, gconstpointer data)
{
  const guint n = 1000, cap = 100;
  guint duplicates = 0;
  Recorder rec;

  fixture_open (fixture);
  herald_history_set_limit (fixture->history, cap);
  /* Out of time order (i * 7 mod n visits every time once), in batches of every size. */
  for (guint i = 0; i < n; i++)
    {
      guint t = i * 7 % n;
      g_autofree char *id = g_strdup_printf ("e%u", t);

      add (fixture->history, "main", id, t, NULL);
      if (i % 137 == 0)
        herald_history_flush (fixture->history);
    }
  herald_history_flush (fixture->history);

  recorder_init (&rec);
  for (guint t = 0; t < n; t++)
    {
      g_autofree char *id = g_strdup_printf ("e%u", t);

      add (fixture->history, "main", id, t, &rec);
    }
  herald_history_flush (fixture->history);
  g_assert_cmpuint (rec.outcomes->len, ==, n);
  for (guint t = 0; t < n; t++)
    {
      HeraldHistoryOutcome expected
        = t >= n - cap ? HERALD_HISTORY_DUPLICATE : HERALD_HISTORY_STORED;

      if (recorder_outcome (&rec, t) != expected)
        g_error ("e%u: outcome %d, expected %d", t, recorder_outcome (&rec, t), expected);
    }
  recorder_clear (&rec);

  g_clear_object (&fixture->history);
  fixture_open (fixture);
  herald_history_set_limit (fixture->history, cap);
  recorder_init (&rec);
  for (guint t = n - cap; t < n; t++)
    {
      g_autofree char *id = g_strdup_printf ("e%u", t);

      add (fixture->history, "main", id, t, &rec);
    }
  add (fixture->history, "main", "later", n, &rec);
  herald_history_flush (fixture->history);
  for (guint i = 0; i < cap; i++)
    duplicates += recorder_outcome (&rec, i) == HERALD_HISTORY_DUPLICATE;
  g_assert_cmpuint (duplicates, ==, cap);
  g_assert_cmpint (recorder_outcome (&rec, cap), ==, HERALD_HISTORY_STORED);
  recorder_clear (&rec);
}

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

static void
test_callbacks_main_context (Fixture *fixture, gconstpointer data)
{
  Recorder rec;

  recorder_init (&rec);
  fixture_open (fixture);
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", i);
      /* Times run backwards: delivery follows insertion, not time. */
      add (fixture->history, "main", id, 10000 - i, &rec);
    }
  herald_history_flush (fixture->history);

  g_assert_false (rec.wrong_context);
  g_assert_cmpuint (rec.seen->len, ==, 3000);
  for (guint i = 0; i < rec.seen->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("main/c%u", i);

      g_assert_cmpstr (g_ptr_array_index (rec.seen, i), ==, expected);
      g_assert_true (recorder_is_new (&rec, i));
    }
  recorder_clear (&rec);
}

typedef struct
{
  HeraldHistory *history;
  Recorder *rec;
  gint flushing;
  gint done;
  guint seen_after_flush;
} WorkerData;

static gpointer
add_from_worker (gpointer user_data)
{
  WorkerData *data = user_data;

  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *id = g_strdup_printf ("w%u", i);
      add (data->history, "main", id, i, data->rec);
    }
  /* The context is free but belongs to the main thread: this must wait for the main thread
   * to run it, not take it and run the callbacks here. */
  g_atomic_int_set (&data->flushing, TRUE);
  herald_history_flush (data->history);
  data->seen_after_flush = data->rec->seen->len;
  g_atomic_int_set (&data->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
test_callbacks_from_worker (Fixture *fixture, gconstpointer data)
{
  WorkerData worker = { 0 };
  GThread *thread;
  Recorder rec;

  recorder_init (&rec);
  fixture_open (fixture);
  worker.history = fixture->history;
  worker.rec = &rec;
  thread = g_thread_new ("adder", add_from_worker, &worker);
  while (!g_atomic_int_get (&worker.flushing))
    g_usleep (G_TIME_SPAN_MILLISECOND);
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  while (!g_atomic_int_get (&worker.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);

  g_assert_cmpuint (worker.seen_after_flush, ==, 500);
  g_assert_false (rec.wrong_context);
  for (guint i = 0; i < rec.seen->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("main/w%u", i);
      g_assert_cmpstr (g_ptr_array_index (rec.seen, i), ==, expected);
    }
  recorder_clear (&rec);
}

static void
flush_from_callback (HeraldHistory *history, HeraldEvent *event, HeraldHistoryOutcome outcome,
                     gpointer data)
{
  Recorder *rec = data;

  record_added (history, event, outcome, rec);
  if (rec->seen->len == 1)
    {
      /* Everything queued so far, including what follows this event, is delivered by now. */
      herald_history_flush (history);
      g_assert_cmpuint (rec->seen->len, ==, 4);
    }
}

static void
test_flush_in_callback (Fixture *fixture, gconstpointer data)
{
  Recorder rec;

  recorder_init (&rec);
  fixture_open (fixture);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (HeraldEvent) event = NULL;
      g_autofree char *id = g_strdup_printf ("f%u", i);

      event = make_event ("main", id, i);
      herald_history_add (fixture->history, event, flush_from_callback, &rec);
    }
  herald_history_flush (fixture->history);
  g_assert_cmpuint (rec.seen->len, ==, 4);
  for (guint i = 0; i < rec.seen->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("main/f%u", i);
      g_assert_cmpstr (g_ptr_array_index (rec.seen, i), ==, expected);
    }
  recorder_clear (&rec);
}

static void
count_added (HeraldHistory *history, HeraldEvent *event, HeraldHistoryOutcome outcome,
             gpointer user_data)
{
  guint *counts = user_data;

  counts[outcome == HERALD_HISTORY_STORED ? 1 : 0]++;
}

static void
test_add_never_blocks (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) events = NULL;
  guint counts[2] = { 0, 0 };
  const guint n = 50000;

  fixture_open (fixture);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("n%u", i);
      g_autoptr (HeraldEvent) event = make_event ("main", id, i);

      herald_history_add (fixture->history, event, count_added, counts);
    }
  /* Nothing was dispatched while adding: no add waited for the writer or the loop. */
  g_assert_cmpuint (counts[0] + counts[1], ==, 0);
  herald_history_flush (fixture->history);

  g_assert_cmpuint (counts[1], ==, n);
  g_assert_cmpuint (counts[0], ==, 0);
  /* Only the default cap's newest remain. */
  events = query (fixture->history, NULL);
  g_assert_cmpuint (events->len, ==, 10000);
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (events, 0)), ==, "n49999");
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (events, 9999)), ==, "n40000");
  g_assert_cmpuint (count_unread (fixture->history, NULL), ==, 10000);
}

static void
count_in_order (HeraldHistory *history, HeraldEvent *event, HeraldHistoryOutcome outcome,
                gpointer user_data)
{
  guint *delivered = user_data;
  g_autofree char *expected = g_strdup_printf ("b%u", *delivered);

  g_assert_cmpstr (herald_event_get_id (event), ==, expected);
  g_assert_cmpint (outcome, ==, HERALD_HISTORY_STORED);
  (*delivered)++;
}

/* A burst arrives inside one long main-loop dispatch (libsoup reads until the socket is
 * empty), so the loop does not turn. The events waiting for their callbacks must not pile up
 * with the burst's length: the adds deliver what is written. */
static void
test_burst_memory_bounded (Fixture *fixture, gconstpointer data)
{
  /* A few batches of 4096 queued, one being written and one handed over since the last add. */
  const guint bound = 5 * 4096;
  const guint n = 8 * 4096;
  GMainContext *context = g_main_context_default ();
  guint delivered = 0;
  guint most_waiting = 0;

  fixture_open (fixture);
  g_assert_true (g_main_context_acquire (context));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%u", i);
      g_autoptr (HeraldEvent) event = make_event ("main", id, i);

      herald_history_add (fixture->history, event, count_in_order, &delivered);
      most_waiting = MAX (most_waiting, i + 1 - delivered);
    }
  g_main_context_release (context);
  g_assert_cmpuint (most_waiting, <=, bound);
  g_assert_cmpuint (delivered, >, 0);

  herald_history_flush (fixture->history);
  g_assert_cmpuint (delivered, ==, n);
}

typedef struct
{
  HeraldHistory *history;
  gint stop;
  guint queries;
  guint max_seen;
  gboolean ok;
} ReaderData;

static gpointer
reader_thread (gpointer user_data)
{
  ReaderData *data = user_data;

  data->ok = TRUE;
  while (!g_atomic_int_get (&data->stop))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) events = herald_history_query (data->history, NULL, &error);

      if (events == NULL || error != NULL)
        {
          data->ok = FALSE;
          break;
        }
      for (guint i = 1; i < events->len; i++)
        if (herald_event_get_occurred (g_ptr_array_index (events, i - 1))
            < herald_event_get_occurred (g_ptr_array_index (events, i)))
          data->ok = FALSE;
      /* Committed batches only ever add here: the count never goes back. */
      if (events->len < data->max_seen)
        data->ok = FALSE;
      data->max_seen = events->len;
      data->queries++;
    }
  return NULL;
}

static void
test_concurrent_query (Fixture *fixture, gconstpointer data)
{
  ReaderData reader = { 0 };
  g_autoptr (GPtrArray) events = NULL;
  GThread *thread;

  fixture_open (fixture);
  herald_history_set_limit (fixture->history, 100000);
  reader.history = fixture->history;
  thread = g_thread_new ("reader", reader_thread, &reader);
  for (guint chunk = 0; chunk < 20; chunk++)
    {
      for (guint i = 0; i < 1000; i++)
        {
          g_autofree char *id = g_strdup_printf ("q%u-%u", chunk, i);
          add (fixture->history, "main", id, chunk * 1000 + i, NULL);
        }
      herald_history_flush (fixture->history);
    }
  g_atomic_int_set (&reader.stop, TRUE);
  g_thread_join (thread);

  g_assert_true (reader.ok);
  g_assert_cmpuint (reader.queries, >, 0);
  events = query (fixture->history, NULL);
  g_assert_cmpuint (events->len, ==, 20000);
}

static gboolean
stored (HeraldHistory *history, const char *id)
{
  g_autoptr (GPtrArray) events = query (history, NULL);

  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (herald_event_get_id (g_ptr_array_index (events, i)), id))
      return TRUE;
  return FALSE;
}

static void
test_write_failure (Fixture *fixture, gconstpointer data)
{
  gboolean lost_new, lost_stored;
  Recorder rec;
  sqlite3 *db;

  recorder_init (&rec);
  fixture_open (fixture);
  add (fixture->history, "main", "good-1", 1, &rec);
  herald_history_flush (fixture->history);

  /* Stand-in for a full disk: another connection makes one insert fail. */
  db = open_raw (fixture->path);
  exec_raw (db, "CREATE TRIGGER fail BEFORE INSERT ON events WHEN NEW.id = 'boom'"
                " BEGIN SELECT RAISE (ABORT, 'simulated failure'); END");
  /* Stall the writer on a first op so that "lost" and "boom" queue up in one batch: "lost"
   * then goes in fine and must be rolled back with the batch. */
  exec_raw (db, "BEGIN IMMEDIATE");
  herald_history_mark_read (fixture->history, "nobody", NULL, TRUE);
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  add (fixture->history, "main", "lost", 2, &rec);
  add (fixture->history, "main", "boom", 3, &rec);
  exec_raw (db, "ROLLBACK");
  g_test_expect_message ("herald-history", G_LOG_LEVEL_WARNING, "*simulated failure*");
  herald_history_flush (fixture->history);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (rec.seen->len, ==, 3);
  g_assert_true (recorder_is_new (&rec, 0));
  /* A failed write is reported as such, not as a duplicate: the caller can still tell the user. */
  g_assert_cmpint (recorder_outcome (&rec, 2), ==, HERALD_HISTORY_NOT_STORED);
  g_assert_false (stored (fixture->history, "boom"));
  /* Whatever the batching, "new" is reported exactly for what was stored. */
  lost_new = recorder_is_new (&rec, 1);
  lost_stored = stored (fixture->history, "lost");
  g_assert_cmpint (lost_new, ==, lost_stored);
  if (lost_new)
    g_test_message ("\"lost\" was written in a batch of its own");

  /* The store keeps running. */
  exec_raw (db, "DROP TRIGGER fail");
  sqlite3_close (db);
  add (fixture->history, "main", "good-2", 4, &rec);
  add (fixture->history, "main", "lost", 2, &rec);
  add (fixture->history, "main", "boom", 3, &rec);
  herald_history_flush (fixture->history);

  g_assert_cmpuint (rec.seen->len, ==, 6);
  g_assert_true (recorder_is_new (&rec, 3));
  g_assert_cmpint (recorder_is_new (&rec, 4), ==, !lost_stored);
  g_assert_true (recorder_is_new (&rec, 5));
  g_assert_true (stored (fixture->history, "good-2"));
  g_assert_true (stored (fixture->history, "lost"));
  g_assert_true (stored (fixture->history, "boom"));
  recorder_clear (&rec);
}

static void
async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) events = NULL;
  HeraldHistoryQuery q = HERALD_HISTORY_QUERY_INIT;
  char account[] = "main";

  herald_history_open_async (fixture->path, NULL, async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  fixture->history = herald_history_open_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->history);
  g_clear_object (&result);

  add (fixture->history, "main", "y1", 1, NULL);
  add (fixture->history, "other", "y2", 2, NULL);
  herald_history_flush (fixture->history);

  /* The query is copied: the caller's buffers may change right after the call. */
  q.account = account;
  herald_history_query_async (fixture->history, &q, NULL, async_done, &result);
  account[0] = 'X';
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  events = herald_history_query_finish (fixture->history, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (herald_event_get_id (g_ptr_array_index (events, 0)), ==, "y1");
}

static void
test_default_path (void)
{
  g_autofree char *path = herald_history_default_path ();
  g_autofree char *expected
    = g_build_filename (g_get_user_data_dir (), "herald", "history.db", NULL);

  g_assert_cmpstr (path, ==, expected);
}

/* Not a test: `test-history --throughput N [CAP]` times N stored events of ~420 bytes of raw
 * JSON from the first add to the end of the flush, on a fresh store in a temporary folder. */
static int
run_throughput (guint n, guint cap)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events
    = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
  g_autoptr (HeraldHistory) history = NULL;
  g_autofree char *dir = g_dir_make_tmp ("herald-throughput-XXXXXX", &error);
  g_autofree char *path = NULL;
  static const char *const accounts[]
    = { "skinshark-1", "hashi-1", "coinvoyage-1", "dimes-1", "pally-1" };
  guint counts[2] = { 0, 0 };
  gint64 base = g_get_real_time ();
  gint64 start, queued, end;
  gsize raw_total = 0;
  struct rusage usage_start, usage_end;
  double cpu;

  g_assert_no_error (error);
  path = g_build_filename (dir, "history.db", NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("trade-%08u", i);
      g_autofree char *raw = NULL;
      HeraldEvent *event = herald_event_new (accounts[i % 5], "skinshark", "trade.completed", id);

      raw = g_strdup_printf (
        "{\"event\":\"trade.completed\",\"data\":{\"id\":\"%s\","
        "\"item\":{\"market_hash_name\":\"AK-47 | Redline (Field-Tested)\",\"float\":0.%08u,"
        "\"asset_id\":\"%010u\",\"class_id\":\"310776560\"},"
        "\"price\":{\"amount\":%u,\"currency\":\"USD\"},\"buyer\":{\"steam_id\":\"7656119%010u\","
        "\"name\":\"buyer_%u\"},\"seller\":{\"steam_id\":\"7656119800000000\",\"name\":\"me\"},"
        "\"created_at\":\"2024-03-13T18:02:33.743Z\",\"updated_at\":\"2024-03-13T18:02:34.102Z\"}}",
        id, g_random_int_range (0, 99999999), i * 7, 1000 + i % 50000, i, i % 977);
      raw_total += strlen (raw);
      herald_event_set_category (event, HERALD_CATEGORY_TRADE);
      herald_event_take_title (event, g_strdup ("Trade completed"));
      herald_event_take_body (event,
                              g_strdup_printf ("AK-47 | Redline (Field-Tested) sold for $%u.%02u",
                                               10 + i % 500, i % 100));
      /* Mostly in order, with some jitter, like several feeds interleaving. */
      herald_event_set_occurred (event, base + (gint64)i * 10 + g_random_int_range (0, 50));
      herald_event_set_raw (event, raw, -1);
      g_ptr_array_add (events, event);
    }

  history = herald_history_open (path, &error);
  g_assert_no_error (error);
  herald_history_set_limit (history, cap);
  herald_history_flush (history);

  getrusage (RUSAGE_SELF, &usage_start);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    herald_history_add (history, g_ptr_array_index (events, i), count_added, counts);
  queued = g_get_monotonic_time ();
  herald_history_flush (history);
  end = g_get_monotonic_time ();
  getrusage (RUSAGE_SELF, &usage_end);
  /* CPU time of all threads: steadier than wall time on a shared machine. */
  cpu = (usage_end.ru_utime.tv_sec - usage_start.ru_utime.tv_sec)
        + (usage_end.ru_stime.tv_sec - usage_start.ru_stime.tv_sec)
        + ((usage_end.ru_utime.tv_usec - usage_start.ru_utime.tv_usec)
           + (usage_end.ru_stime.tv_usec - usage_start.ru_stime.tv_usec))
            / 1e6;

  g_print ("%u events, raw %.0f bytes on average, cap %u\n", n, (double)raw_total / n, cap);
  g_print ("  add() on the caller: %.3f s (%.2f us per event)\n", (queued - start) / 1e6,
           (double)(queued - start) / n);
  g_print ("  stored and dispatched: %.3f s wall, %.3f s CPU: %.0f events/s (%u new, %u dup)\n",
           (end - start) / 1e6, cpu, n / ((end - start) / 1e6), counts[1], counts[0]);

  g_clear_object (&history);
  g_ptr_array_set_size (events, 0);
  remove_tree (dir);
  return counts[1] == n ? 0 : 1;
}

int
main (int argc, char **argv)
{
  if (argc >= 3 && g_str_equal (argv[1], "--throughput"))
    return run_throughput ((guint)g_ascii_strtoull (argv[2], NULL, 10),
                           argc >= 4 ? (guint)g_ascii_strtoull (argv[3], NULL, 10) : G_MAXUINT);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/history/dedupe", test_dedupe);
  ADD ("/history/dedupe-per-account", test_accounts);
  ADD ("/history/dedupe-under-cap", test_dedupe_under_cap);
  ADD ("/history/newest-first", test_order);
  ADD ("/history/round-trip", test_round_trip);
  ADD ("/history/filters", test_filters);
  ADD ("/history/mark-read", test_mark_read);
  ADD ("/history/forget-account", test_forget);
  ADD ("/history/cap", test_cap);
  ADD ("/history/cap-ties", test_cap_ties);
  ADD ("/history/cap-shared-file", test_cap_shared_file);
  ADD ("/history/reopen", test_reopen);
  ADD ("/history/upgrade-from-1", test_upgrade_from_1);
  ADD ("/history/too-new", test_too_new);
  ADD ("/history/open-failed", test_open_failed);
  ADD ("/history/callbacks/main-context", test_callbacks_main_context);
  ADD ("/history/callbacks/from-worker", test_callbacks_from_worker);
  ADD ("/history/callbacks/flush-inside", test_flush_in_callback);
  ADD ("/history/add-never-blocks", test_add_never_blocks);
  ADD ("/history/burst-memory-bounded", test_burst_memory_bounded);
  ADD ("/history/concurrent-query", test_concurrent_query);
  ADD ("/history/write-failure", test_write_failure);
  ADD ("/history/async", test_async);
#undef ADD
  g_test_add ("/history/damaged/garbage", Fixture, &damages[0], fixture_set_up, test_damaged,
              fixture_tear_down);
  g_test_add ("/history/damaged/unmigratable", Fixture, &damages[1], fixture_set_up, test_damaged,
              fixture_tear_down);
  g_test_add ("/history/damaged/pages", Fixture, &damages[2], fixture_set_up, test_damaged,
              fixture_tear_down);
  g_test_add_func ("/history/default-path", test_default_path);

  return g_test_run ();
}
