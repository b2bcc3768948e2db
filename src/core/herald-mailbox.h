/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-mailbox.h — work handed from any thread to one main context, delivered there in the
 * order it was posted: how the hub and its receiver thread talk. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HeraldMailbox HeraldMailbox;

typedef void (*HeraldMailboxFunc) (gpointer data);

/* Delivers on @context; @name names its source for profilers. */
HeraldMailbox *herald_mailbox_new (GMainContext *context, const char *name);
/* Any thread. @func (@data) runs on the mailbox's context, then @free_data (@data). Undelivered
 * items get only @free_data, when the mailbox is closed. */
void herald_mailbox_post (HeraldMailbox *self, HeraldMailboxFunc func, gpointer data,
                          GDestroyNotify free_data);
/* Stops delivery (also from inside a delivered item) and frees what is left. No post may
 * follow it. */
void herald_mailbox_close (HeraldMailbox *self);

G_END_DECLS
