/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event-list.h — the history window's list box kept in step with the event model. */
#pragma once

#include <gtk/gtk.h>

#include "herald-event-model.h"

G_BEGIN_DECLS

typedef struct _HeraldEventList HeraldEventList;

/* Fills @list with a row for each item of @model and follows the model's "items-changed"
 * from now on (handlers the caller connects later run after the rows have changed).
 * @tz: the zone the rows' relative times are reckoned in. */
HeraldEventList *herald_event_list_bind (GtkListBox *list, HeraldEventModel *model, GTimeZone *tz);
/* TRUE while some of the model's items still wait for their rows (built a few per frame). */
gboolean herald_event_list_is_building (HeraldEventList *self);
/* Stops following the model and removes the rows. */
void herald_event_list_unbind (HeraldEventList *self);

G_END_DECLS
