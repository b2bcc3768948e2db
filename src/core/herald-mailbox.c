/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-mailbox.c — a queue drained by one GSource: one wake-up for any number of posts, and
 * the posting order kept, which separate g_main_context_invoke () calls would not promise. */
#include "config.h"

#include "herald-mailbox.h"

typedef struct
{
  HeraldMailboxFunc func;
  gpointer data;
  GDestroyNotify free_data;
} Item;

struct _HeraldMailbox
{
  GSource source;
  GMutex lock;
  GQueue items;
};

static void
item_free (Item *item)
{
  if (item->free_data != NULL)
    item->free_data (item->data);
  g_free (item);
}

static gboolean
mailbox_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  HeraldMailbox *self = (HeraldMailbox *)source;

  g_source_set_ready_time (source, -1);
  /* An item may close the mailbox: the source (and so the queue) lives until this returns. */
  while (!g_source_is_destroyed (source))
    {
      Item *item;

      g_mutex_lock (&self->lock);
      item = g_queue_pop_head (&self->items);
      g_mutex_unlock (&self->lock);
      if (item == NULL)
        break;
      item->func (item->data);
      item_free (item);
    }
  return G_SOURCE_CONTINUE;
}

static void
mailbox_finalize (GSource *source)
{
  HeraldMailbox *self = (HeraldMailbox *)source;

  g_queue_clear_full (&self->items, (GDestroyNotify)item_free);
  g_mutex_clear (&self->lock);
}

static GSourceFuncs mailbox_funcs = {
  .dispatch = mailbox_dispatch,
  .finalize = mailbox_finalize,
};

HeraldMailbox *
herald_mailbox_new (GMainContext *context, const char *name)
{
  GSource *source = g_source_new (&mailbox_funcs, sizeof (HeraldMailbox));
  HeraldMailbox *self = (HeraldMailbox *)source;

  g_mutex_init (&self->lock);
  g_queue_init (&self->items);
  g_source_set_static_name (source, name);
  g_source_set_ready_time (source, -1);
  g_source_attach (source, context);
  return self;
}

void
herald_mailbox_post (HeraldMailbox *self, HeraldMailboxFunc func, gpointer data,
                     GDestroyNotify free_data)
{
  Item *item = g_new (Item, 1);
  gboolean was_empty;

  item->func = func;
  item->data = data;
  item->free_data = free_data;
  g_mutex_lock (&self->lock);
  was_empty = g_queue_is_empty (&self->items);
  g_queue_push_tail (&self->items, item);
  g_mutex_unlock (&self->lock);
  /* A wake-up per batch of posts, not per post: a burst of state changes costs one. */
  if (was_empty)
    g_source_set_ready_time (&self->source, 0);
}

void
herald_mailbox_close (HeraldMailbox *self)
{
  GQueue left = G_QUEUE_INIT;

  g_mutex_lock (&self->lock);
  left = self->items;
  g_queue_init (&self->items);
  g_mutex_unlock (&self->lock);
  g_queue_clear_full (&left, (GDestroyNotify)item_free);
  g_source_destroy (&self->source);
  g_source_unref (&self->source);
}
