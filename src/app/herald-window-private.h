/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-window-private.h — what UI tests read off the window, as a user would see it. */
#pragma once

#include "herald-event-model.h"
#include "herald-window.h"

G_BEGIN_DECLS

/* "3 of 5 accounts connected" */
const char *herald_window_get_status_text (HeraldWindow *self);
/* NULL while the attention bar is hidden. */
const char *herald_window_get_attention_text (HeraldWindow *self);
/* The model the list is bound to: tests wait for its reads to land. */
HeraldEventModel *herald_window_get_model (HeraldWindow *self);

G_END_DECLS
