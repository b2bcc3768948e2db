/* herald-history-keys.h — which rows of the history hold which (account, id) pairs, kept in
 * memory by the history's writer so that deduplication needs no index in the store.
 *
 * It maps a 64-bit hash of the pair to the row's seq. Two pairs may share a hash, so a hit is
 * only a candidate: the writer compares the row it names before calling an event a duplicate.
 * Sixteen bytes a slot, at most three slots in four taken: 256 KiB for the default cap of
 * 10 000 events, 32 MiB for the largest the settings allow, a million. The table does not
 * shrink when the cap is lowered until the keys are next loaded (when Herald starts). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HeraldHistoryKeys HeraldHistoryKeys;

HeraldHistoryKeys *herald_history_keys_new (void);
void herald_history_keys_free (HeraldHistoryKeys *keys);

/* The hash every other call takes; never 0. */
guint64 herald_history_keys_hash (const char *account, const char *id);

/* seq is the row's seq in the store, which SQLite assigns from 1 up. */
void herald_history_keys_add (HeraldHistoryKeys *keys, guint64 hash, gint64 seq);
/* FALSE when no row seq was added under hash. */
gboolean herald_history_keys_remove (HeraldHistoryKeys *keys, guint64 hash, gint64 seq);
/* Forgets every row, keeping room for expected_rows. */
void herald_history_keys_reset (HeraldHistoryKeys *keys, gsize expected_rows);
gsize herald_history_keys_get_size (HeraldHistoryKeys *keys);

/* Walks the rows added under hash: set *cursor to 0, then call until it returns FALSE. Adding or
 * removing rows ends a walk. */
gboolean herald_history_keys_next (HeraldHistoryKeys *keys, guint64 hash, gsize *cursor,
                                   gint64 *out_seq);

G_END_DECLS
