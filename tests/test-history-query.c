/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-history-query.c — reading HeraldHistory: newest-first order, stored fields, filters and
 * text search, paging by offset and by cursor, counts, one event by its key, async reads, and
 * reads racing the writer. */
#include "config.h"

#include "herald-test-history.h"

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
  /* A known one is kept as Herald shows it, every field of it, and with its message too: the
   * details view shows what the provider sent. */
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
  g_assert_cmpstr (herald_event_get_raw (stored), ==, "{\"type\":\"campaigntip.notify\"}");
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
  g_autoptr (GPtrArray) all = NULL;
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
  all = query (fixture->history, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ids = NULL;
      g_autoptr (GString) matching = g_string_new (NULL);

      q.account = cases[i].account;
      q.category = cases[i].category;
      q.text = cases[i].text;
      q.unread_only = cases[i].unread_only;
      q.limit = cases[i].limit;
      ids = query_ids (fixture->history, &q);
      g_test_message ("case %u", i);
      g_assert_cmpstr (ids, ==, cases[i].expected);

      /* A live event is held to the same rule as the SQL (the UI's list relies on it). */
      for (guint j = 0; j < all->len; j++)
        if (herald_history_query_matches (&q, g_ptr_array_index (all, j)))
          g_string_append_printf (matching, "%s%s", matching->len ? "," : "",
                                  herald_event_get_id (g_ptr_array_index (all, j)));
      if (cases[i].limit == 0)
        g_assert_cmpstr (matching->str, ==, cases[i].expected);
    }
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

/* Ten events, alternating accounts and categories, the even ones read, times 0..9 s. */
static void
add_ten (HeraldHistory *history)
{
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("p%u", i);
      g_autofree char *body = g_strdup_printf ("%s item %u", i % 3 == 0 ? "Ümlaut" : "plain", i);

      add_full (history, i % 2 ? "alt" : "main", id, i,
                i % 2 ? HERALD_CATEGORY_TIP : HERALD_CATEGORY_TRADE, "Title", body);
      if (i % 2 == 0)
        herald_history_mark_read (history, i % 2 ? "alt" : "main", id, TRUE);
    }
}

static char *
page_ids (HeraldHistory *history, guint limit, guint offset, const char *after_account,
          const char *after_id)
{
  HeraldHistoryQuery q = HERALD_HISTORY_QUERY_INIT;

  q.limit = limit;
  q.offset = offset;
  q.after_account = after_account;
  q.after_id = after_id;
  return query_ids (history, &q);
}

static void
assert_page (HeraldHistory *history, guint limit, guint offset, const char *after_account,
             const char *after_id, const char *expected)
{
  g_autofree char *ids = page_ids (history, limit, offset, after_account, after_id);

  g_assert_cmpstr (ids, ==, expected);
}

/* Pages by offset and by cursor. New events at the top shift an offset's page and not a
 * cursor's; equal times page in the same order as the whole list. */
static void
test_paging (Fixture *fixture, gconstpointer data)
{
  HeraldHistoryQuery q = HERALD_HISTORY_QUERY_INIT;
  g_autofree char *ids = NULL;

  fixture_open (fixture);
  add_ten (fixture->history);
  herald_history_flush (fixture->history);

  assert_page (fixture->history, 3, 0, NULL, NULL, "p9,p8,p7");
  assert_page (fixture->history, 3, 3, NULL, NULL, "p6,p5,p4");
  assert_page (fixture->history, 3, 9, NULL, NULL, "p0");
  assert_page (fixture->history, 3, 10, NULL, NULL, "");
  assert_page (fixture->history, 0, 8, NULL, NULL, "p1,p0");
  assert_page (fixture->history, 3, 0, "alt", "p7", "p6,p5,p4");
  assert_page (fixture->history, 0, 0, "main", "p2", "p1,p0");
  assert_page (fixture->history, 2, 1, "alt", "p7", "p5,p4");
  assert_page (fixture->history, 3, 0, "main", "p0", "");
  /* The key is the pair: p7 is alt's, not main's. */
  assert_page (fixture->history, 3, 0, "main", "p7", "");

  /* Two newer events arrive: the offset's page moves, the cursor's does not. */
  add (fixture->history, "main", "n1", 10, NULL);
  add (fixture->history, "main", "n2", 11, NULL);
  herald_history_flush (fixture->history);
  assert_page (fixture->history, 3, 3, NULL, NULL, "p8,p7,p6");
  assert_page (fixture->history, 3, 0, "alt", "p7", "p6,p5,p4");

  /* Equal times: the cursor follows insertion order as the list does. */
  add (fixture->history, "tie", "t1", 20, NULL);
  add (fixture->history, "tie", "t2", 20, NULL);
  add (fixture->history, "tie", "t3", 20, NULL);
  herald_history_flush (fixture->history);
  assert_page (fixture->history, 3, 0, NULL, NULL, "t3,t2,t1");
  assert_page (fixture->history, 2, 0, "tie", "t3", "t2,t1");
  assert_page (fixture->history, 2, 0, "tie", "t2", "t1,n2");

  /* With filters: the cursor need not match them itself. */
  q.account = "alt";
  q.limit = 2;
  q.after_account = "main";
  q.after_id = "p6";
  ids = query_ids (fixture->history, &q);
  g_assert_cmpstr (ids, ==, "p5,p3");
}

static guint
count (HeraldHistory *history, const HeraldHistoryQuery *q)
{
  g_autoptr (GError) error = NULL;
  guint n = herald_history_count (history, q, &error);

  g_assert_no_error (error);
  return n;
}

/* The count is the length of the whole filtered list, whatever the page. */
static void
test_count (Fixture *fixture, gconstpointer data)
{
  HeraldHistoryQuery q = HERALD_HISTORY_QUERY_INIT;

  fixture_open (fixture);
  g_assert_cmpuint (count (fixture->history, NULL), ==, 0);
  add_ten (fixture->history);
  herald_history_flush (fixture->history);

  g_assert_cmpuint (count (fixture->history, NULL), ==, 10);
  q.limit = 2;
  q.offset = 3;
  q.after_account = "alt";
  q.after_id = "p9";
  g_assert_cmpuint (count (fixture->history, &q), ==, 10);
  q.account = "main";
  g_assert_cmpuint (count (fixture->history, &q), ==, 5);
  q.account = NULL;
  q.category = HERALD_CATEGORY_TIP;
  g_assert_cmpuint (count (fixture->history, &q), ==, 5);
  q.category = -1;
  q.unread_only = TRUE;
  g_assert_cmpuint (count (fixture->history, &q), ==, 5);
  q.unread_only = FALSE;
  /* p0, p3, p6, p9: folded, so the case of the search does not matter. */
  q.text = "ümlaut";
  g_assert_cmpuint (count (fixture->history, &q), ==, 4);
  q.account = "alt";
  g_assert_cmpuint (count (fixture->history, &q), ==, 2);
  q.unread_only = TRUE;
  g_assert_cmpuint (count (fixture->history, &q), ==, 2);
  q.category = HERALD_CATEGORY_TRADE;
  g_assert_cmpuint (count (fixture->history, &q), ==, 0);
}

static HeraldEvent *
lookup (HeraldHistory *history, const char *account, const char *id)
{
  g_autoptr (GError) error = NULL;
  HeraldEvent *event = herald_history_lookup (history, account, id, &error);

  g_assert_no_error (error);
  return event;
}

static void
test_lookup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HeraldEvent) event = NULL;
  g_autoptr (HeraldEvent) missing = NULL;

  fixture_open (fixture);
  add_ten (fixture->history);
  add (fixture->history, "other", "p3", 100, NULL);
  herald_history_flush (fixture->history);

  event = lookup (fixture->history, "alt", "p3");
  g_assert_nonnull (event);
  g_assert_cmpstr (herald_event_get_account (event), ==, "alt");
  g_assert_cmpstr (herald_event_get_body (event), ==, "Ümlaut item 3");
  g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_TIP);
  g_assert_cmpint (herald_event_get_occurred (event), ==, 3 * G_USEC_PER_SEC);
  g_assert_false (herald_event_get_read (event));
  g_clear_pointer (&event, herald_event_unref);

  event = lookup (fixture->history, "main", "p4");
  g_assert_nonnull (event);
  g_assert_true (herald_event_get_read (event));
  g_clear_pointer (&event, herald_event_unref);

  /* Not stored: NULL, and no error. */
  missing = lookup (fixture->history, "main", "p3");
  g_assert_null (missing);
  missing = lookup (fixture->history, "nobody", "p1");
  g_assert_null (missing);

  /* Gone once forgotten; the same id elsewhere stays. */
  herald_history_forget_account (fixture->history, "alt");
  herald_history_flush (fixture->history);
  missing = lookup (fixture->history, "alt", "p3");
  g_assert_null (missing);
  event = lookup (fixture->history, "other", "p3");
  g_assert_nonnull (event);
}

static void
test_async_count_lookup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (HeraldEvent) event = NULL;
  HeraldHistoryQuery q = HERALD_HISTORY_QUERY_INIT;
  char account[] = "alt";
  char id[] = "p5";

  fixture_open (fixture);
  add_ten (fixture->history);
  herald_history_flush (fixture->history);

  /* Copied like the query: the caller's buffers may change right after the call. */
  q.account = account;
  herald_history_count_async (fixture->history, &q, NULL, async_done, &result);
  account[0] = 'X';
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (herald_history_count_finish (fixture->history, result, &error), ==, 5);
  g_assert_no_error (error);
  g_clear_object (&result);

  account[0] = 'a';
  herald_history_lookup_async (fixture->history, account, id, NULL, async_done, &result);
  account[0] = 'X';
  id[1] = '0';
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  event = herald_history_lookup_finish (fixture->history, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  g_assert_cmpstr (herald_event_get_account (event), ==, "alt");
  g_assert_cmpstr (herald_event_get_id (event), ==, "p5");
  g_clear_object (&result);
  g_clear_pointer (&event, herald_event_unref);

  herald_history_lookup_async (fixture->history, "alt", "nothing", NULL, async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  event = herald_history_lookup_finish (fixture->history, result, &error);
  g_assert_no_error (error);
  g_assert_null (event);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/history/query/newest-first", test_order);
  ADD ("/history/query/round-trip", test_round_trip);
  ADD ("/history/query/filters", test_filters);
  ADD ("/history/query/paging", test_paging);
  ADD ("/history/query/count", test_count);
  ADD ("/history/query/lookup", test_lookup);
  ADD ("/history/query/async", test_async);
  ADD ("/history/query/async-count-lookup", test_async_count_lookup);
  ADD ("/history/query/concurrent", test_concurrent_query);
#undef ADD

  return g_test_run ();
}
