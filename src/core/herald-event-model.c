/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-model.c — the UI's list of events: history pages read on a worker, the hub's new
 * events merged in batches, read state followed from the history. See the header for the rules. */
#define G_LOG_DOMAIN "herald-event-model"

#include "config.h"

#include "herald-event-model.h"

#define DEFAULT_PAGE_SIZE 200
/* About a frame at 10 Hz: often enough to look live, rare enough that a burst of thousands of
 * events costs the UI a handful of updates a second. */
#define BATCH_INTERVAL_MS 100

struct _HeraldEventItem
{
  GObject parent_instance;

  HeraldEvent *event;
  gboolean fresh; /* added by the batch being applied */
  /* The read state this item was last announced with. The event itself may be shared with
   * another model (the tray's and the window's hold the same live events), which can have set
   * its flag first: the flag alone cannot tell this model that its view is out of date. */
  gboolean announced_read;
};

struct _HeraldEventModel
{
  GObject parent_instance;

  HeraldHub *hub;
  HeraldHistory *history;

  GPtrArray *items; /* HeraldEventItem, in the history's order */
  GHashTable *keys; /* "account\nid" of the items: a live event already loaded is not added */
  guint page_size;
  guint pages; /* loaded: the model holds at most page_size × pages items */
  guint total;
  gboolean counted; /* total is this generation's count (plus the live events since) */
  gboolean has_more;

  char *account;
  int category;
  char *text;
  gboolean unread_only;

  /* Reads on their way; a new generation (filters changed) cancels them and ignores answers. */
  GCancellable *cancellable;
  guint generation;
  guint reads; /* page reads on their way: "loading" */

  GPtrArray *pending; /* HeraldEvent from "event-added", not yet applied */
  guint batch_source;
};

typedef enum
{
  READ_FIRST_PAGE,
  READ_NEXT_PAGE,
  READ_COUNT,
} ReadKind;

typedef struct
{
  HeraldEventModel *self; /* owned */
  ReadKind kind;
  guint generation;
  HeraldEventItem *cursor; /* READ_NEXT_PAGE: the tail the page continues from */
} ReadData;

static void herald_event_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE (HeraldEventItem, herald_event_item, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE_WITH_CODE (HeraldEventModel, herald_event_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      herald_event_model_list_model_init))

enum
{
  PROP_0,
  PROP_HUB,
  PROP_PAGE_SIZE,
  PROP_ACCOUNT,
  PROP_CATEGORY,
  PROP_TEXT,
  PROP_UNREAD_ONLY,
  PROP_N_ITEMS,
  PROP_TOTAL,
  PROP_LOADING,
  PROP_HAS_MORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- the item --- */

static void
herald_event_item_finalize (GObject *object)
{
  HeraldEventItem *self = HERALD_EVENT_ITEM (object);

  herald_event_unref (self->event);
  G_OBJECT_CLASS (herald_event_item_parent_class)->finalize (object);
}

static void
herald_event_item_class_init (HeraldEventItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = herald_event_item_finalize;
}

static void
herald_event_item_init (HeraldEventItem *self)
{
}

static HeraldEventItem *
item_new (HeraldEvent *event)
{
  HeraldEventItem *item = g_object_new (HERALD_TYPE_EVENT_ITEM, NULL);

  item->event = herald_event_ref (event);
  item->announced_read = herald_event_get_read (event);
  return item;
}

HeraldEvent *
herald_event_item_get_event (HeraldEventItem *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_ITEM (self), NULL);

  return self->event;
}

/* --- helpers --- */

static char *
event_key (const HeraldEvent *event)
{
  return g_strconcat (herald_event_get_account (event), "\n", herald_event_get_id (event), NULL);
}

static HeraldEvent *
item_event (GPtrArray *items, guint i)
{
  return ((HeraldEventItem *)g_ptr_array_index (items, i))->event;
}

static void
fill_query (HeraldEventModel *self, HeraldHistoryQuery *query)
{
  *query = (HeraldHistoryQuery)HERALD_HISTORY_QUERY_INIT;
  query->account = self->account;
  query->category = self->category;
  query->text = self->text;
  query->unread_only = self->unread_only;
}

/* set_str () is newer than the GLib Herald supports. */
static gboolean
set_str (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
notify_n_items (HeraldEventModel *self, guint before)
{
  if (self->items->len != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
set_total (HeraldEventModel *self, guint total)
{
  if (self->total == total)
    return;
  self->total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

static void
set_has_more (HeraldEventModel *self, gboolean has_more)
{
  if (self->has_more == has_more)
    return;
  self->has_more = has_more;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MORE]);
}

static void
reads_changed (HeraldEventModel *self, int delta)
{
  gboolean was_loading = self->reads > 0;

  self->reads += delta;
  if (was_loading != (self->reads > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
read_data_free (ReadData *data)
{
  g_object_unref (data->self);
  g_clear_object (&data->cursor);
  g_free (data);
}

static ReadData *
read_data_new (HeraldEventModel *self, ReadKind kind)
{
  ReadData *data = g_new0 (ReadData, 1);

  data->self = g_object_ref (self);
  data->kind = kind;
  data->generation = self->generation;
  return data;
}

/* The place of an event by the history's order. The batch is merged newest arrival first (see
 * apply_batch ()), so among items of the same time the event goes after the batch's own, which
 * were stored after it, and before the loaded ones, stored before it. */
static guint
insert_position (GPtrArray *items, gint64 occurred)
{
  guint low = 0, high = items->len;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;
      HeraldEventItem *item = g_ptr_array_index (items, mid);
      gint64 item_occurred = herald_event_get_occurred (item->event);

      if (item_occurred > occurred || (item_occurred == occurred && item->fresh))
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

static void schedule_batch (HeraldEventModel *self);

/* --- live events --- */

/* Merges the pending events into a copy of the list, then changes the list in two steps the
 * UI can follow cheaply: the old items cut off at the tail go, then the new ones arrive (in
 * one step when none of the old ones stay). */
static void
apply_batch (HeraldEventModel *self)
{
  g_autoptr (GPtrArray) pending = g_steal_pointer (&self->pending);
  g_autoptr (GPtrArray) merged = NULL;
  guint limit = self->page_size * self->pages;
  guint old_n = self->items->len;
  guint old_dropped = 0, matched = 0, keep, prefix = 0, suffix = 0;
  gboolean has_more = self->has_more;

  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
  merged = g_ptr_array_new_full (self->items->len + 1, g_object_unref);
  for (guint i = 0; i < self->items->len; i++)
    g_ptr_array_add (merged, g_object_ref (g_ptr_array_index (self->items, i)));

  /* Newest arrival first: in a burst the newest fill the window, and the rest fall past its
   * edge at the cost of a comparison, without an item made for each only to be cut. */
  for (guint i = pending->len; i-- > 0;)
    {
      HeraldEvent *event = g_ptr_array_index (pending, i);
      g_autofree char *key = NULL;
      HeraldEventItem *item, *last;
      guint position;

      /* The other filters were applied as it was queued; only its read flag can have changed. */
      if (self->unread_only && herald_event_get_read (event))
        continue;
      position = insert_position (merged, herald_event_get_occurred (event));
      /* Past the loaded edge: it belongs to a page not yet loaded, which will bring it. (A
       * loaded event would sort before the edge: no need to look it up.) */
      if (position == merged->len && (has_more || merged->len >= limit))
        {
          matched++;
          has_more = TRUE;
          continue;
        }
      key = event_key (event);
      if (g_hash_table_contains (self->keys, key))
        continue; /* a page read after it was stored holds it already */
      matched++;
      item = item_new (event);
      item->fresh = TRUE;
      g_ptr_array_insert (merged, position, item);
      g_hash_table_add (self->keys, g_steal_pointer (&key));
      if (merged->len <= limit)
        continue;
      last = g_ptr_array_steal_index (merged, merged->len - 1);
      has_more = TRUE;
      if (!last->fresh)
        old_dropped++;
      g_hash_table_remove (self->keys, (key = event_key (last->event)));
      g_object_unref (last);
    }

  /* The survivors of the old list are a prefix of it: only the tail was cut. When nothing
   * survives (a burst pushed the whole page out), one change replaces the page, so a view can
   * show the new items in the rows it has. */
  if (old_dropped == old_n)
    old_dropped = 0;
  keep = old_n - old_dropped;
  if (old_dropped > 0)
    {
      g_ptr_array_remove_range (self->items, keep, old_dropped);
      g_list_model_items_changed (G_LIST_MODEL (self), keep, old_dropped, 0);
    }
  while (prefix < keep && prefix < merged->len
         && g_ptr_array_index (merged, prefix) == g_ptr_array_index (self->items, prefix))
    prefix++;
  while (suffix < keep - prefix && suffix < merged->len - prefix
         && g_ptr_array_index (merged, merged->len - 1 - suffix)
              == g_ptr_array_index (self->items, keep - 1 - suffix))
    suffix++;
  for (guint i = 0; i < merged->len; i++)
    ((HeraldEventItem *)g_ptr_array_index (merged, i))->fresh = FALSE;

  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&merged);
  if (keep - prefix - suffix > 0 || self->items->len - prefix - suffix > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, keep - prefix - suffix,
                                self->items->len - prefix - suffix);

  notify_n_items (self, old_n);
  set_has_more (self, has_more);
  set_total (self, self->total + matched);
}

static gboolean
batch_cb (gpointer user_data)
{
  HeraldEventModel *self = user_data;

  self->batch_source = 0;
  /* A page on its way would not know of these: they wait for it (see page_read_cb). */
  if (self->reads == 0)
    apply_batch (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_batch (HeraldEventModel *self)
{
  if (self->batch_source == 0 && self->pending->len > 0)
    self->batch_source = g_timeout_add (BATCH_INTERVAL_MS, batch_cb, self);
}

static void
event_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  HeraldEventModel *self = user_data;
  HeraldHistoryQuery query;

  /* Filtered now, so a burst of what is not shown is not kept: changing a filter reloads. */
  fill_query (self, &query);
  if (!herald_history_query_matches (&query, event))
    return;
  g_ptr_array_add (self->pending, herald_event_ref (event));
  schedule_batch (self);
}

/* --- reading the history --- */

static void
count_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReadData *data = user_data;
  g_autoptr (GError) error = NULL;
  guint count = herald_history_count_finish (HERALD_HISTORY (source), result, &error);

  if (error == NULL && data->generation == data->self->generation)
    {
      HeraldEventModel *self = data->self;

      self->counted = TRUE;
      set_total (self, count);
      /* The last page was full, but it was the last. */
      if (self->reads == 0 && self->items->len >= self->total)
        set_has_more (self, FALSE);
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not count the events: %s", error->message);
  read_data_free (data);
}

static void
replace_items (HeraldEventModel *self, GPtrArray *events)
{
  guint old_n = self->items->len;

  g_ptr_array_set_size (self->items, 0);
  g_hash_table_remove_all (self->keys);
  for (guint i = 0; i < events->len; i++)
    {
      HeraldEvent *event = g_ptr_array_index (events, i);

      g_ptr_array_add (self->items, item_new (event));
      g_hash_table_add (self->keys, event_key (event));
    }
  self->pages = 1;
  if (old_n > 0 || self->items->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->items->len);
  notify_n_items (self, old_n);
}

static void
append_items (HeraldEventModel *self, GPtrArray *events)
{
  guint old_n = self->items->len;

  for (guint i = 0; i < events->len; i++)
    {
      HeraldEvent *event = g_ptr_array_index (events, i);
      char *key = event_key (event);

      if (g_hash_table_add (self->keys, key))
        g_ptr_array_add (self->items, item_new (event));
    }
  self->pages++;
  if (self->items->len > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, self->items->len - old_n);
  notify_n_items (self, old_n);
}

/* A full page may be followed by more; the count tells when it is not. */
static gboolean
page_has_more (HeraldEventModel *self, GPtrArray *events)
{
  return events->len >= self->page_size && !(self->counted && self->items->len >= self->total);
}

static void
page_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReadData *data = user_data;
  HeraldEventModel *self = data->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;

  events = herald_history_query_finish (HERALD_HISTORY (source), result, &error);
  if (data->generation != self->generation)
    {
      read_data_free (data); /* filters changed: reload() already counted this read out */
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ; /* disposed: nothing to show it in */
  else if (error != NULL)
    g_warning ("Could not read the history: %s", error->message);
  else if (data->kind == READ_FIRST_PAGE)
    {
      replace_items (self, events);
      set_has_more (self, page_has_more (self, events));
    }
  /* The tail moved meanwhile (a batch cut it): the page would leave a gap; the UI asks again. */
  else if (self->items->len > 0
           && g_ptr_array_index (self->items, self->items->len - 1) == data->cursor)
    {
      append_items (self, events);
      set_has_more (self, page_has_more (self, events));
    }
  reads_changed (self, -1);
  if (self->reads == 0 && self->batch_source == 0 && self->pending->len > 0)
    apply_batch (self);
  read_data_free (data);
}

static void
start_first_page (HeraldEventModel *self)
{
  HeraldHistoryQuery query;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->counted = FALSE;
  /* Stored before they were announced, so the new reads see every one of them. */
  g_ptr_array_set_size (self->pending, 0);
  reads_changed (self, 1 - (int)self->reads);

  fill_query (self, &query);
  herald_history_count_async (self->history, &query, self->cancellable, count_read_cb,
                              read_data_new (self, READ_COUNT));
  query.limit = self->page_size;
  herald_history_query_async (self->history, &query, self->cancellable, page_read_cb,
                              read_data_new (self, READ_FIRST_PAGE));
}

/* --- read state --- */

static gboolean
key_matches (const HeraldEvent *event, const char *account, const char *id)
{
  return (account == NULL || g_str_equal (account, herald_event_get_account (event)))
         && (id == NULL || g_str_equal (id, herald_event_get_id (event)));
}

static void
read_changed_cb (HeraldHistory *history, const char *account, const char *id, gboolean read,
                 gpointer user_data)
{
  HeraldEventModel *self = user_data;
  guint first = G_MAXUINT, last = 0, changed = 0, old_n = self->items->len;

  for (guint i = 0; i < self->pending->len; i++)
    if (key_matches (g_ptr_array_index (self->pending, i), account, id))
      herald_event_set_read (g_ptr_array_index (self->pending, i), read);

  /* Events that became unread may be anywhere in the history, loaded or not. */
  if (self->unread_only && !read)
    {
      herald_event_model_reload (self);
      return;
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      HeraldEventItem *item = g_ptr_array_index (self->items, i);

      if (!key_matches (item->event, account, id) || item->announced_read == read)
        continue;
      herald_event_set_read (item->event, read);
      item->announced_read = read;
      first = MIN (first, i);
      last = i;
      changed++;
    }
  if (changed == 0)
    return;

  if (!self->unread_only)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), first, last - first + 1, last - first + 1);
      return;
    }

  /* Unread only, and these were read: they leave, in one emission. */
  for (guint i = last + 1; i-- > first;)
    {
      HeraldEventItem *item = g_ptr_array_index (self->items, i);
      g_autofree char *key = NULL;

      if (!herald_event_get_read (item->event))
        continue;
      key = event_key (item->event);
      g_hash_table_remove (self->keys, key);
      g_ptr_array_remove_index (self->items, i);
    }
  g_list_model_items_changed (G_LIST_MODEL (self), first, last - first + 1,
                              last - first + 1 - changed);
  notify_n_items (self, old_n);
  /* Exact for a single event; a bulk mark may also touch events not loaded. */
  if (id != NULL && account != NULL)
    set_total (self, self->total >= changed ? self->total - changed : 0);
  else
    {
      HeraldHistoryQuery query;

      fill_query (self, &query);
      herald_history_count_async (self->history, &query, self->cancellable, count_read_cb,
                                  read_data_new (self, READ_COUNT));
    }
}

/* --- GListModel --- */

static GType
herald_event_model_get_item_type (GListModel *list)
{
  return HERALD_TYPE_EVENT_ITEM;
}

static guint
herald_event_model_get_n_items (GListModel *list)
{
  return HERALD_EVENT_MODEL (list)->items->len;
}

static gpointer
herald_event_model_get_item (GListModel *list, guint position)
{
  HeraldEventModel *self = HERALD_EVENT_MODEL (list);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
herald_event_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = herald_event_model_get_item_type;
  iface->get_n_items = herald_event_model_get_n_items;
  iface->get_item = herald_event_model_get_item;
}

/* --- GObject --- */

static void
herald_event_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HeraldEventModel *self = HERALD_EVENT_MODEL (object);

  switch (prop_id)
    {
    case PROP_HUB:
      g_value_set_object (value, self->hub);
      break;
    case PROP_PAGE_SIZE:
      g_value_set_uint (value, self->page_size);
      break;
    case PROP_ACCOUNT:
      g_value_set_string (value, self->account);
      break;
    case PROP_CATEGORY:
      g_value_set_int (value, self->category);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_UNREAD_ONLY:
      g_value_set_boolean (value, self->unread_only);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->reads > 0);
      break;
    case PROP_HAS_MORE:
      g_value_set_boolean (value, self->has_more);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_event_model_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  HeraldEventModel *self = HERALD_EVENT_MODEL (object);

  switch (prop_id)
    {
    case PROP_HUB:
      self->hub = g_value_dup_object (value);
      break;
    case PROP_PAGE_SIZE:
      herald_event_model_set_page_size (self, g_value_get_uint (value));
      break;
    case PROP_ACCOUNT:
      herald_event_model_set_account (self, g_value_get_string (value));
      break;
    case PROP_CATEGORY:
      herald_event_model_set_category (self, g_value_get_int (value));
      break;
    case PROP_TEXT:
      herald_event_model_set_text (self, g_value_get_string (value));
      break;
    case PROP_UNREAD_ONLY:
      herald_event_model_set_unread_only (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_event_model_constructed (GObject *object)
{
  HeraldEventModel *self = HERALD_EVENT_MODEL (object);

  G_OBJECT_CLASS (herald_event_model_parent_class)->constructed (object);

  g_return_if_fail (HERALD_IS_HUB (self->hub));
  self->history = g_object_ref (herald_hub_get_history (self->hub));
  g_signal_connect (self->hub, "event-added", G_CALLBACK (event_added_cb), self);
  g_signal_connect (self->history, "read-changed", G_CALLBACK (read_changed_cb), self);
  start_first_page (self);
}

static void
herald_event_model_dispose (GObject *object)
{
  HeraldEventModel *self = HERALD_EVENT_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->batch_source, g_source_remove);
  if (self->hub != NULL)
    g_signal_handlers_disconnect_by_data (self->hub, self);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);
  g_clear_object (&self->hub);
  G_OBJECT_CLASS (herald_event_model_parent_class)->dispose (object);
}

static void
herald_event_model_finalize (GObject *object)
{
  HeraldEventModel *self = HERALD_EVENT_MODEL (object);

  g_ptr_array_unref (self->items);
  g_hash_table_unref (self->keys);
  g_ptr_array_unref (self->pending);
  g_free (self->account);
  g_free (self->text);
  G_OBJECT_CLASS (herald_event_model_parent_class)->finalize (object);
}

static void
herald_event_model_class_init (HeraldEventModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = herald_event_model_get_property;
  object_class->set_property = herald_event_model_set_property;
  object_class->constructed = herald_event_model_constructed;
  object_class->dispose = herald_event_model_dispose;
  object_class->finalize = herald_event_model_finalize;

  properties[PROP_HUB] = g_param_spec_object (
    "hub", "Hub", "The hub whose history and events are listed", HERALD_TYPE_HUB,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE_SIZE] = g_param_spec_uint ("page-size", "Page size", "Events read at a time",
                                                  1, G_MAXUINT / 1024, DEFAULT_PAGE_SIZE, rw);
  properties[PROP_ACCOUNT] = g_param_spec_string (
    "account", "Account", "Only this account's events, or NULL for all", NULL, rw);
  properties[PROP_CATEGORY]
    = g_param_spec_int ("category", "Category", "Only this HeraldCategory, or -1 for all", -1,
                        HERALD_CATEGORY_SYSTEM, -1, rw);
  properties[PROP_TEXT] = g_param_spec_string (
    "text", "Text", "Only events whose title or body contains this, case-insensitively", NULL, rw);
  properties[PROP_UNREAD_ONLY]
    = g_param_spec_boolean ("unread-only", "Unread only", "Only unread events", FALSE, rw);
  properties[PROP_N_ITEMS]
    = g_param_spec_uint ("n-items", "Items", "Events loaded", 0, G_MAXUINT, 0, ro);
  properties[PROP_TOTAL] = g_param_spec_uint (
    "total", "Total", "Events in the history that match the filters", 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADING]
    = g_param_spec_boolean ("loading", "Loading", "A page is being read", FALSE, ro);
  properties[PROP_HAS_MORE] = g_param_spec_boolean (
    "has-more", "Has more", "Older matching events are not loaded", FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
herald_event_model_init (HeraldEventModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
  self->page_size = DEFAULT_PAGE_SIZE;
  self->pages = 1;
  self->category = -1;
}

/* --- public API --- */

HeraldEventModel *
herald_event_model_new (HeraldHub *hub)
{
  g_return_val_if_fail (HERALD_IS_HUB (hub), NULL);

  return g_object_new (HERALD_TYPE_EVENT_MODEL, "hub", hub, NULL);
}

HeraldHub *
herald_event_model_get_hub (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), NULL);

  return self->hub;
}

guint
herald_event_model_get_page_size (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), 0);

  return self->page_size;
}

void
herald_event_model_set_page_size (HeraldEventModel *self, guint page_size)
{
  g_return_if_fail (HERALD_IS_EVENT_MODEL (self));
  g_return_if_fail (page_size > 0 && page_size <= G_MAXUINT / 1024);

  if (self->page_size == page_size)
    return;
  self->page_size = page_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_SIZE]);
  herald_event_model_reload (self);
}

const char *
herald_event_model_get_account (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), NULL);

  return self->account;
}

void
herald_event_model_set_account (HeraldEventModel *self, const char *account)
{
  g_return_if_fail (HERALD_IS_EVENT_MODEL (self));

  if (set_str (&self->account, account))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
      herald_event_model_reload (self);
    }
}

int
herald_event_model_get_category (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), -1);

  return self->category;
}

void
herald_event_model_set_category (HeraldEventModel *self, int category)
{
  g_return_if_fail (HERALD_IS_EVENT_MODEL (self));
  g_return_if_fail (category >= -1 && category <= HERALD_CATEGORY_SYSTEM);

  if (self->category == category)
    return;
  self->category = category;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATEGORY]);
  herald_event_model_reload (self);
}

const char *
herald_event_model_get_text (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), NULL);

  return self->text;
}

void
herald_event_model_set_text (HeraldEventModel *self, const char *text)
{
  g_return_if_fail (HERALD_IS_EVENT_MODEL (self));

  /* "" and NULL filter alike: a cleared search entry is no change. */
  if (text != NULL && *text == '\0')
    text = NULL;
  if (set_str (&self->text, text))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
      herald_event_model_reload (self);
    }
}

gboolean
herald_event_model_get_unread_only (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), FALSE);

  return self->unread_only;
}

void
herald_event_model_set_unread_only (HeraldEventModel *self, gboolean unread_only)
{
  g_return_if_fail (HERALD_IS_EVENT_MODEL (self));

  unread_only = !!unread_only;
  if (self->unread_only == unread_only)
    return;
  self->unread_only = unread_only;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_ONLY]);
  herald_event_model_reload (self);
}

guint
herald_event_model_get_total (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), 0);

  return self->total;
}

gboolean
herald_event_model_get_loading (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), FALSE);

  return self->reads > 0;
}

gboolean
herald_event_model_get_has_more (HeraldEventModel *self)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), FALSE);

  return self->has_more;
}

void
herald_event_model_load_more (HeraldEventModel *self)
{
  HeraldHistoryQuery query;
  ReadData *data;
  HeraldEvent *tail;

  g_return_if_fail (HERALD_IS_EVENT_MODEL (self));

  if (self->reads > 0 || !self->has_more)
    return;
  /* Everything loaded left (read, in an unread-only list): no tail to go on from. */
  if (self->items->len == 0)
    {
      herald_event_model_reload (self);
      return;
    }
  fill_query (self, &query);
  data = read_data_new (self, READ_NEXT_PAGE);
  data->cursor = g_object_ref (g_ptr_array_index (self->items, self->items->len - 1));
  tail = data->cursor->event;
  query.limit = self->page_size;
  query.after_account = herald_event_get_account (tail);
  query.after_id = herald_event_get_id (tail);
  reads_changed (self, 1);
  herald_history_query_async (self->history, &query, self->cancellable, page_read_cb, data);
}

void
herald_event_model_reload (HeraldEventModel *self)
{
  g_return_if_fail (HERALD_IS_EVENT_MODEL (self));

  /* During construction: constructed() reads the first page once every property is set. */
  if (self->history == NULL)
    return;
  start_first_page (self);
}

gboolean
herald_event_model_find (HeraldEventModel *self, const char *account, const char *id,
                         guint *out_position)
{
  g_return_val_if_fail (HERALD_IS_EVENT_MODEL (self), FALSE);
  g_return_val_if_fail (account != NULL && id != NULL, FALSE);

  for (guint i = 0; i < self->items->len; i++)
    {
      HeraldEvent *event = item_event (self->items, i);

      if (g_str_equal (herald_event_get_id (event), id)
          && g_str_equal (herald_event_get_account (event), account))
        {
          if (out_position != NULL)
            *out_position = i;
          return TRUE;
        }
    }
  return FALSE;
}
