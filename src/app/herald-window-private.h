/* herald-window-private.h — what UI tests read off the window, as a user would see it. */
#pragma once

#include "herald-window.h"

G_BEGIN_DECLS

const char *herald_window_get_status_text (HeraldWindow *self);
/* NULL while the attention bar is hidden. */
const char *herald_window_get_attention_text (HeraldWindow *self);
void herald_window_search (HeraldWindow *self, const char *text);
/* Rows the user can see (the search filter applied), and the texts of row n. */
guint herald_window_count_visible_rows (HeraldWindow *self);
gboolean herald_window_get_row_texts (HeraldWindow *self, guint n, const char **title,
                                      const char **body);
/* The event herald_window_show_event() last showed, or NULL. */
HeraldEvent *herald_window_get_shown_event (HeraldWindow *self);

G_END_DECLS
