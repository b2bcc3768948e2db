/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-test-history.h — what the history's tests share: a store in a temporary folder, a
 * recorder of add() callbacks, events made to order, and raw SQLite access to the file. */
#pragma once

#include <sqlite3.h>

#include "herald-history.h"

G_BEGIN_DECLS

typedef struct
{
  char *dir;
  char *path; /* dir/herald/history.db: one level the store has to create itself */
  HeraldHistory *history;
} Fixture;

typedef struct
{
  GThread *thread;
  GPtrArray *seen;  /* "account/id" in callback order */
  GArray *outcomes; /* HeraldHistoryOutcome, same order */
  gboolean wrong_context;
} Recorder;

void fixture_set_up (Fixture *fixture, gconstpointer data);
void fixture_open (Fixture *fixture);
void fixture_tear_down (Fixture *fixture, gconstpointer data);

void recorder_init (Recorder *recorder);
void recorder_clear (Recorder *recorder);
/* A HeraldHistoryAddedFunc; user_data is the Recorder. */
void record_added (HeraldHistory *history, HeraldEvent *event, HeraldHistoryOutcome outcome,
                   gpointer user_data);
HeraldHistoryOutcome recorder_outcome (Recorder *recorder, guint index);
gboolean recorder_is_new (Recorder *recorder, guint index);

/* A trade titled "Trade <id>" that occurred at occurred_s seconds. */
HeraldEvent *make_event (const char *account, const char *id, gint64 occurred_s);
/* Adds make_event (...), recorded by rec when not NULL. */
void add (HeraldHistory *history, const char *account, const char *id, gint64 occurred_s,
          Recorder *rec);
GPtrArray *query (HeraldHistory *history, const HeraldHistoryQuery *q);
/* "id,id,id" of a query's result, for compact assertions. */
char *query_ids (HeraldHistory *history, const HeraldHistoryQuery *q);
guint count_unread (HeraldHistory *history, const char *account);

sqlite3 *open_raw (const char *path);
void exec_raw (sqlite3 *db, const char *sql);
gint64 user_version (const char *path);

G_END_DECLS
