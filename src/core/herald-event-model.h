/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-model.h — the events the UI lists: a GListModel over the history, newest first,
 * filtered and paged off the main thread, with the hub's new events added in batches. */
#pragma once

#include <gio/gio.h>

#include "herald-hub.h"

G_BEGIN_DECLS

/* The model's item: one HeraldEvent in a GObject, as GListModel (and GtkListBox) need. */
#define HERALD_TYPE_EVENT_ITEM (herald_event_item_get_type ())
G_DECLARE_FINAL_TYPE (HeraldEventItem, herald_event_item, HERALD, EVENT_ITEM, GObject)

/* transfer none. Its read flag follows the history (see "read-changed" below). */
HeraldEvent *herald_event_item_get_event (HeraldEventItem *self);

#define HERALD_TYPE_EVENT_MODEL (herald_event_model_get_type ())
G_DECLARE_FINAL_TYPE (HeraldEventModel, herald_event_model, HERALD, EVENT_MODEL, GObject)

/* A GListModel of HeraldEventItem, in the history's order: newest first by occurred time, ties
 * newest stored first. It shows a window of the history that matches its filters: the newest
 * page, and one more page per herald_event_model_load_more(). Every read runs on a worker
 * through the history's _async API; an answer that arrives after the filters changed is dropped.
 *
 * Properties: "hub" (construct-only), "page-size" (default 200), the filters "account"
 * (NULL: every account), "category" (-1: every category, else a HeraldCategory), "text" (NULL or
 * "": none; the history's case-insensitive literal substring of title or body) and "unread-only";
 * and read-only "n-items", "total" (events in the whole history that match the filters),
 * "loading" (a read is on its way) and "has-more" (older matching events are not loaded).
 * Setting a filter reads the first page again; every property notifies only on a change.
 *
 * New events: the hub's "event-added" is queued and applied at most every 100 ms, in one go:
 * at most two "items-changed" per batch (the insertions, then the tail cut off), never one per
 * event. An event is shown when it matches the filters (herald_history_query_matches()) and
 * lands at its place by time, so late events sort in. The model never holds more than
 * page-size × pages loaded: a burst pushes the oldest out at the tail (has-more becomes TRUE).
 * "total" counts every new matching event, shown or not.
 *
 * Read state: mark events read or unread with herald_history_mark_read() on the hub's history;
 * the model follows the history's "read-changed": "items-changed" for the changed positions
 * (one emission for a bulk mark), read items leave an unread-only model, and a mark as unread
 * reloads an unread-only model (the events that come back need not be loaded). The flag is set
 * on the HeraldEvent itself, which others holding it (the hub's listeners) see too.
 *
 * Unread count: the model keeps none. The tray asks the history, herald_history_count_async()
 * with unread_only, again on "read-changed" and on the hub's "event-added" (coalesced as it
 * likes): one source of truth, no cache to go stale.
 *
 * Account removal: the hub has no signal for it and does not forget the account's events. The
 * code that calls herald_history_forget_account() calls herald_event_model_reload() after it. */
HeraldEventModel *herald_event_model_new (HeraldHub *hub);

HeraldHub *herald_event_model_get_hub (HeraldEventModel *self);

guint herald_event_model_get_page_size (HeraldEventModel *self);
void herald_event_model_set_page_size (HeraldEventModel *self, guint page_size);

const char *herald_event_model_get_account (HeraldEventModel *self);
void herald_event_model_set_account (HeraldEventModel *self, const char *account);
int herald_event_model_get_category (HeraldEventModel *self);
void herald_event_model_set_category (HeraldEventModel *self, int category);
const char *herald_event_model_get_text (HeraldEventModel *self);
void herald_event_model_set_text (HeraldEventModel *self, const char *text);
gboolean herald_event_model_get_unread_only (HeraldEventModel *self);
void herald_event_model_set_unread_only (HeraldEventModel *self, gboolean unread_only);

guint herald_event_model_get_total (HeraldEventModel *self);
gboolean herald_event_model_get_loading (HeraldEventModel *self);
gboolean herald_event_model_get_has_more (HeraldEventModel *self);

/* Loads the next older page, for a list that reached its end. Does nothing while a read is on
 * its way or when nothing more matches. */
void herald_event_model_load_more (HeraldEventModel *self);
/* Drops what is loaded and reads the first page again. */
void herald_event_model_reload (HeraldEventModel *self);

/* TRUE with its position when the event (@account, @id) is loaded. */
gboolean herald_event_model_find (HeraldEventModel *self, const char *account, const char *id,
                                  guint *out_position);

G_END_DECLS
