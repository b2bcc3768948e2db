/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-history.c — HeraldHistory: dedupe, order, filters, paging, read state and its signal,
 * cap, callback delivery, back-pressure and concurrency. `--throughput N [CAP]` measures
 * inserts/s. The file, its schema and migrations: test-history-migrate.c. */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "herald-test-env.h"
#include "herald-test-history.h"

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

typedef struct
{
  GPtrArray *seen; /* "account/id/read", "*" for NULL */
  GArray *unread;  /* count_unread (NULL) as the handler saw it */
  GThread *thread; /* the opener's */
  gboolean wrong_context;
} ReadChanges;

static void
read_changed_cb (HeraldHistory *history, const char *account, const char *id, gboolean read,
                 gpointer user_data)
{
  ReadChanges *changes = user_data;
  guint unread = count_unread (history, NULL);

  if (g_thread_self () != changes->thread || !g_main_context_is_owner (g_main_context_default ()))
    changes->wrong_context = TRUE;
  g_ptr_array_add (changes->seen,
                   g_strdup_printf ("%s/%s/%d", account ? account : "*", id ? id : "*", read));
  g_array_append_val (changes->unread, unread);
}

static gpointer
mark_from_worker (gpointer history)
{
  herald_history_mark_read (history, "main", "m3", FALSE);
  return NULL;
}

static char *
take_seen (ReadChanges *changes)
{
  g_autofree char *joined = NULL;

  g_ptr_array_add (changes->seen, NULL);
  joined = g_strjoinv (" ", (char **)changes->seen->pdata);
  g_ptr_array_set_size (changes->seen, 0);
  return g_steal_pointer (&joined);
}

/* "read-changed" follows every mark that changed something, once written, on the opener's
 * context: a handler's own query already sees the change. Marks that change nothing are not
 * announced. */
static void
test_read_changed (Fixture *fixture, gconstpointer data)
{
  ReadChanges changes = { 0 };
  char *seen;

  changes.seen = g_ptr_array_new_with_free_func (g_free);
  changes.unread = g_array_new (FALSE, FALSE, sizeof (guint));
  changes.thread = g_thread_self ();
  fixture_open (fixture);
  add (fixture->history, "main", "m1", 1, NULL);
  add (fixture->history, "main", "m2", 2, NULL);
  add (fixture->history, "alt", "a1", 3, NULL);
  herald_history_flush (fixture->history);
  g_signal_connect (fixture->history, "read-changed", G_CALLBACK (read_changed_cb), &changes);

  herald_history_mark_read (fixture->history, "main", "m1", TRUE);
  /* Not yet: the mark is queued behind the writer. */
  g_assert_cmpuint (changes.seen->len, ==, 0);
  herald_history_flush (fixture->history);
  seen = take_seen (&changes);
  g_assert_cmpstr (seen, ==, "main/m1/1");
  g_free (seen);
  g_assert_cmpuint (g_array_index (changes.unread, guint, 0), ==, 2);

  /* Already read, no such event, no such account: nothing changed, nothing said. */
  herald_history_mark_read (fixture->history, "main", "m1", TRUE);
  herald_history_mark_read (fixture->history, "main", "nothing", TRUE);
  herald_history_mark_read (fixture->history, "nobody", NULL, TRUE);
  herald_history_flush (fixture->history);
  g_assert_cmpuint (changes.seen->len, ==, 0);

  /* Bulk marks carry NULL where they meant "every"; in the order they were made. */
  herald_history_mark_read (fixture->history, "alt", NULL, TRUE);
  herald_history_mark_read (fixture->history, NULL, NULL, FALSE);
  herald_history_mark_read (fixture->history, NULL, "m2", TRUE);
  herald_history_flush (fixture->history);
  seen = take_seen (&changes);
  g_assert_cmpstr (seen, ==, "alt/*/1 */*/0 */m2/1");
  g_free (seen);
  /* The last one at least sees the state the marks left (an earlier one may already see a
   * later mark, written in the same batch). */
  g_assert_cmpuint (g_array_index (changes.unread, guint, 3), ==, 2);

  /* An event marked read in the batch that stores it. */
  add (fixture->history, "main", "m3", 4, NULL);
  herald_history_mark_read (fixture->history, "main", "m3", TRUE);
  herald_history_flush (fixture->history);
  seen = take_seen (&changes);
  g_assert_cmpstr (seen, ==, "main/m3/1");
  g_free (seen);

  /* Marked on another thread, announced on the opener's. */
  g_thread_join (g_thread_new ("marker", mark_from_worker, fixture->history));
  herald_history_flush (fixture->history);
  seen = take_seen (&changes);
  g_assert_cmpstr (seen, ==, "main/m3/0");
  g_free (seen);

  g_assert_false (changes.wrong_context);
  g_ptr_array_unref (changes.seen);
  g_array_unref (changes.unread);
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

typedef struct
{
  HeraldHistory *history;
  guint n;
  gint added;
} BurstData;

static gpointer
burst_from_worker (gpointer user_data)
{
  BurstData *data = user_data;

  for (guint i = 0; i < data->n; i++)
    {
      g_autofree char *id = g_strdup_printf ("w%u", i);

      add (data->history, "main", id, i, NULL);
      g_atomic_int_inc (&data->added);
    }
  return NULL;
}

/* The opener's thread is the UI's: however far the writer falls behind, an add there returns
 * at once, and no event is lost. Another connection holds the write lock, so the writer can
 * write nothing while the UI adds five batches' worth. */
static void
test_main_thread_never_waits (Fixture *fixture, gconstpointer data)
{
  const guint n = 5 * 4096;
  guint counts[2] = { 0, 0 };
  sqlite3 *blocker;

  fixture_open (fixture);
  herald_history_set_limit (fixture->history, n);
  herald_history_flush (fixture->history);

  blocker = open_raw (fixture->path);
  exec_raw (blocker, "BEGIN IMMEDIATE");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", i);
      g_autoptr (HeraldEvent) event = make_event ("main", id, i);

      herald_history_add (fixture->history, event, count_added, counts);
    }
  /* Every add returned while nothing could be written. */
  g_assert_cmpuint (herald_history_get_backlog (fixture->history), ==, n);
  exec_raw (blocker, "ROLLBACK");
  sqlite3_close (blocker);

  herald_history_flush (fixture->history);
  g_assert_cmpuint (counts[1], ==, n);
  g_assert_cmpuint (counts[0], ==, 0);
  g_assert_cmpuint (herald_history_get_backlog (fixture->history), ==, 0);
  g_assert_cmpuint (herald_history_count (fixture->history, NULL, NULL), ==, n);
}

static gpointer
open_elsewhere (gpointer path)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GError) error = NULL;
  HeraldHistory *history;

  g_main_context_push_thread_default (context);
  history = herald_history_open (path, &error);
  g_main_context_pop_thread_default (context);
  g_assert_no_error (error);
  return history;
}

/* Opened on a worker with a context of its own, the store still never holds back the thread
 * that runs the default main context, the UI's. */
static void
test_ui_thread_never_waits (Fixture *fixture, gconstpointer data)
{
  const guint n = 4 * 4096;
  sqlite3 *blocker;

  fixture->history = g_thread_join (g_thread_new ("opener", open_elsewhere, fixture->path));
  herald_history_set_limit (fixture->history, n);
  herald_history_flush (fixture->history);

  g_assert_true (g_main_context_acquire (g_main_context_default ()));
  blocker = open_raw (fixture->path);
  exec_raw (blocker, "BEGIN IMMEDIATE");
  for (guint i = 0; i < n; i++)
    add (fixture->history, "main", "u", 0, NULL);
  g_assert_cmpuint (herald_history_get_backlog (fixture->history), ==, n);
  exec_raw (blocker, "ROLLBACK");
  sqlite3_close (blocker);
  g_main_context_release (g_main_context_default ());

  herald_history_flush (fixture->history);
  g_assert_cmpuint (herald_history_get_backlog (fixture->history), ==, 0);
  g_assert_cmpuint (herald_history_count (fixture->history, NULL, NULL), ==, 1);
}

/* Any other thread (a feed read off the main loop) is held back once three batches wait, so a
 * burst there is slowed through TCP instead of growing the queue; it goes on once the writer
 * catches up, and nothing is lost. */
static void
test_worker_held_back (Fixture *fixture, gconstpointer data)
{
  const guint held_at = 3 * 4096;
  BurstData burst = { 0 };
  GThread *thread;
  sqlite3 *blocker;

  fixture_open (fixture);
  burst.history = fixture->history;
  burst.n = held_at + 1000;
  herald_history_set_limit (fixture->history, burst.n);
  herald_history_flush (fixture->history);

  blocker = open_raw (fixture->path);
  exec_raw (blocker, "BEGIN IMMEDIATE");
  thread = g_thread_new ("burst", burst_from_worker, &burst);
  for (guint waited = 0; (guint)g_atomic_int_get (&burst.added) < held_at && waited < 4000;
       waited++)
    g_usleep (G_TIME_SPAN_MILLISECOND);
  /* Time to run past the mark, were it not held. */
  g_usleep (200 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (g_atomic_int_get (&burst.added), ==, held_at);
  g_assert_cmpuint (herald_history_get_backlog (fixture->history), ==, held_at);
  exec_raw (blocker, "ROLLBACK");
  sqlite3_close (blocker);

  g_thread_join (thread);
  g_assert_cmpuint (g_atomic_int_get (&burst.added), ==, burst.n);
  herald_history_flush (fixture->history);
  g_assert_cmpuint (herald_history_count (fixture->history, NULL, NULL), ==, burst.n);
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
  herald_test_remove_tree (dir);
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
  ADD ("/history/mark-read", test_mark_read);
  ADD ("/history/read-changed", test_read_changed);
  ADD ("/history/forget-account", test_forget);
  ADD ("/history/cap", test_cap);
  ADD ("/history/cap-ties", test_cap_ties);
  ADD ("/history/cap-shared-file", test_cap_shared_file);
  ADD ("/history/callbacks/main-context", test_callbacks_main_context);
  ADD ("/history/callbacks/from-worker", test_callbacks_from_worker);
  ADD ("/history/callbacks/flush-inside", test_flush_in_callback);
  ADD ("/history/add-never-blocks", test_add_never_blocks);
  ADD ("/history/main-thread-never-waits", test_main_thread_never_waits);
  ADD ("/history/ui-thread-never-waits", test_ui_thread_never_waits);
  ADD ("/history/worker-held-back", test_worker_held_back);
  ADD ("/history/write-failure", test_write_failure);
#undef ADD
  g_test_add_func ("/history/default-path", test_default_path);

  return g_test_run ();
}
