/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-history-query.c — reading the history: filtered, paged, newest-first queries, counts,
 * one event by its key, and the text search, on a read connection of its own. */
#define G_LOG_DOMAIN "herald-history"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-history-private.h"

typedef enum
{
  READ_QUERY,
  READ_COUNT,
  READ_LOOKUP,
} ReadKind;

/* An async read's arguments, copied: the caller's strings may be gone when the thread runs. */
typedef struct
{
  ReadKind kind;
  HeraldHistoryQuery query;
  char *account;
  char *id; /* READ_LOOKUP */
  char *text;
  char *after_account;
  char *after_id;
} ReadData;

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

static void
set_read_error (GError **error, sqlite3 *db, int rc)
{
  g_debug ("history query: %s", sqlite3_errmsg (db));
  g_set_error (error, HERALD_HISTORY_ERROR, HERALD_HISTORY_ERROR_FAILED,
               _ ("Could not read the history: %s"), _herald_history_describe_error (rc));
}

static void
bind_named_text (sqlite3_stmt *stmt, const char *name, const char *text)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    _herald_history_bind_text (stmt, index, text);
}

static void
bind_named_int64 (sqlite3_stmt *stmt, const char *name, gint64 value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    sqlite3_bind_int64 (stmt, index, value);
}

static gboolean
query_is_valid (const HeraldHistoryQuery *query)
{
  return query->category >= -1 && query->category <= HERALD_CATEGORY_SYSTEM
         && (query->after_account == NULL) == (query->after_id == NULL);
}

/* "SELECT <what> FROM events WHERE <the query's filters>", and with @paged its cursor, order,
 * limit and offset. Bound by bind_query (). */
static char *
build_sql (const char *what, const HeraldHistoryQuery *query, gboolean paged)
{
  GString *sql = g_string_new ("SELECT ");

  g_string_append (sql, what);
  g_string_append (sql, " FROM events WHERE 1");
  if (query->account != NULL)
    g_string_append (sql, " AND account = :account");
  if (query->category >= 0)
    g_string_append (sql, " AND category = :category");
  if (query->unread_only)
    g_string_append (sql, " AND read = 0");
  if (query->text != NULL && *query->text != '\0')
    g_string_append (sql, " AND herald_match (title, body, :text)");
  if (!paged)
    return g_string_free (sql, FALSE);

  /* The key index finds the cursor's row; a row that is gone compares as NULL: no rows. */
  if (query->after_account != NULL)
    g_string_append (sql, " AND (occurred, seq) < (SELECT occurred, seq FROM events"
                          " WHERE account = :after_account AND id = :after_id)");
  g_string_append (sql, " ORDER BY occurred DESC, seq DESC");
  if (query->limit > 0 || query->offset > 0)
    g_string_append (sql, " LIMIT :limit OFFSET :offset");
  return g_string_free (sql, FALSE);
}

static void
bind_query (sqlite3_stmt *stmt, const HeraldHistoryQuery *query, const char *needle)
{
  bind_named_text (stmt, ":account", query->account);
  if (query->category >= 0)
    bind_named_text (stmt, ":category", herald_category_to_string (query->category));
  bind_named_text (stmt, ":text", needle);
  bind_named_text (stmt, ":after_account", query->after_account);
  bind_named_text (stmt, ":after_id", query->after_id);
  /* SQLite takes a negative limit for none. */
  bind_named_int64 (stmt, ":limit", query->limit > 0 ? (gint64)query->limit : -1);
  bind_named_int64 (stmt, ":offset", query->offset);
}

static char *
needle_for (const HeraldHistoryQuery *query)
{
  return query->text != NULL && *query->text != '\0' ? fold (query->text) : NULL;
}

static void
read_data_free (ReadData *data)
{
  g_free (data->account);
  g_free (data->id);
  g_free (data->text);
  g_free (data->after_account);
  g_free (data->after_id);
  g_free (data);
}

static ReadData *
read_data_new (ReadKind kind, const HeraldHistoryQuery *query)
{
  static const HeraldHistoryQuery everything = HERALD_HISTORY_QUERY_INIT;
  ReadData *data = g_new0 (ReadData, 1);

  data->kind = kind;
  data->query = query ? *query : everything;
  data->query.account = data->account = g_strdup (data->query.account);
  data->query.text = data->text = g_strdup (data->query.text);
  data->query.after_account = data->after_account = g_strdup (data->query.after_account);
  data->query.after_id = data->after_id = g_strdup (data->query.after_id);
  return data;
}

static void
read_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  HeraldHistory *self = HERALD_HISTORY (source_object);
  ReadData *data = task_data;
  GError *error = NULL;
  gpointer result = NULL;
  guint count;

  if (g_task_return_error_if_cancelled (task))
    return;
  switch (data->kind)
    {
    case READ_QUERY:
      result = herald_history_query (self, &data->query, &error);
      if (result != NULL)
        g_task_return_pointer (task, result, (GDestroyNotify)g_ptr_array_unref);
      break;
    case READ_COUNT:
      count = herald_history_count (self, &data->query, &error);
      if (error == NULL)
        g_task_return_int (task, count);
      break;
    case READ_LOOKUP:
      result = herald_history_lookup (self, data->account, data->id, &error);
      if (error == NULL)
        g_task_return_pointer (task, result, (GDestroyNotify)herald_event_unref);
      break;
    }
  if (error != NULL)
    g_task_return_error (task, error);
}

static void
run_async (HeraldHistory *self, ReadData *data, gpointer source_tag, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify)read_data_free);
  g_task_run_in_thread (task, read_thread);
}

int
_herald_history_prepare_reader (sqlite3 *db)
{
  return sqlite3_create_function_v2 (db, "herald_match", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                     NULL, match_sql_func, NULL, NULL, NULL);
}

GPtrArray *
herald_history_query (HeraldHistory *self, const HeraldHistoryQuery *query, GError **error)
{
  static const HeraldHistoryQuery everything = HERALD_HISTORY_QUERY_INIT;
  g_autoptr (GPtrArray) events = NULL;
  g_autofree char *needle = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (HERALD_IS_HISTORY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (query == NULL)
    query = &everything;
  g_return_val_if_fail (query_is_valid (query), NULL);

  sql = build_sql (HISTORY_EVENT_COLUMNS, query, TRUE);
  needle = needle_for (query);
  events = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);

  g_mutex_lock (&self->read_lock);
  rc = sqlite3_prepare_v2 (self->read_db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_query (stmt, query, needle);
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
  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (query == NULL || query_is_valid (query));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_async (self, read_data_new (READ_QUERY, query), herald_history_query_async, cancellable,
             callback, user_data);
}

GPtrArray *
herald_history_query_finish (HeraldHistory *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == herald_history_query_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
herald_history_query_matches (const HeraldHistoryQuery *query, const HeraldEvent *event)
{
  g_autofree char *needle = NULL;

  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (query_is_valid (query), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  if (query->account != NULL && g_strcmp0 (query->account, herald_event_get_account (event)) != 0)
    return FALSE;
  if (query->category >= 0 && (HeraldCategory)query->category != herald_event_get_category (event))
    return FALSE;
  if (query->unread_only && herald_event_get_read (event))
    return FALSE;
  needle = needle_for (query);
  return needle == NULL || contains_folded (herald_event_get_title (event), needle)
         || contains_folded (herald_event_get_body (event), needle);
}

guint
herald_history_count (HeraldHistory *self, const HeraldHistoryQuery *query, GError **error)
{
  static const HeraldHistoryQuery everything = HERALD_HISTORY_QUERY_INIT;
  g_autofree char *needle = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  guint count = 0;
  int rc;

  g_return_val_if_fail (HERALD_IS_HISTORY (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);
  if (query == NULL)
    query = &everything;
  g_return_val_if_fail (query_is_valid (query), 0);

  sql = build_sql ("count(*)", query, FALSE);
  needle = needle_for (query);

  g_mutex_lock (&self->read_lock);
  rc = sqlite3_prepare_v2 (self->read_db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_query (stmt, query, needle);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          count = (guint)CLAMP (sqlite3_column_int64 (stmt, 0), 0, G_MAXUINT);
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
herald_history_count_async (HeraldHistory *self, const HeraldHistoryQuery *query,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (query == NULL || query_is_valid (query));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_async (self, read_data_new (READ_COUNT, query), herald_history_count_async, cancellable,
             callback, user_data);
}

guint
herald_history_count_finish (HeraldHistory *self, GAsyncResult *result, GError **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == herald_history_count_async, 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count < 0 ? 0 : (guint)count;
}

HeraldEvent *
herald_history_lookup (HeraldHistory *self, const char *account, const char *id, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  HeraldEvent *event = NULL;
  int rc;

  g_return_val_if_fail (HERALD_IS_HISTORY (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->read_lock);
  rc = sqlite3_prepare_v2 (
    self->read_db, "SELECT " HISTORY_EVENT_COLUMNS " FROM events WHERE account = ?1 AND id = ?2",
    -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      _herald_history_bind_text (stmt, 1, account);
      _herald_history_bind_text (stmt, 2, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        event = event_from_row (stmt);
      if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    set_read_error (error, self->read_db, rc);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->read_lock);
  return event;
}

void
herald_history_lookup_async (HeraldHistory *self, const char *account, const char *id,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  ReadData *data;

  g_return_if_fail (HERALD_IS_HISTORY (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = read_data_new (READ_LOOKUP, NULL);
  data->account = g_strdup (account);
  data->id = g_strdup (id);
  run_async (self, data, herald_history_lookup_async, cancellable, callback, user_data);
}

HeraldEvent *
herald_history_lookup_finish (HeraldHistory *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == herald_history_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
herald_history_count_unread (HeraldHistory *self, const char *account, GError **error)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;

  g_return_val_if_fail (HERALD_IS_HISTORY (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  query.account = account;
  query.unread_only = TRUE;
  return herald_history_count (self, &query, error);
}
