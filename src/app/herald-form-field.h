/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-form-field.h — laying out a form's labelled fields and their errors. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The name a screen reader announces for @widget. */
void herald_form_set_accessible_name (GtkWidget *widget, const char *name);
/* Shows @message under its field when @shown and there is a message; hides it otherwise. */
void herald_form_set_error (GtkWidget *label, const char *message, gboolean shown);
/* An error label, hidden until herald_form_set_error() shows a message in it. */
GtkWidget *herald_form_error_label (void);
/* A field: its mnemonic label above @control (which the label names for screen readers), an
 * optional @explanation, then @error (or NULL). @out_label: the label, or NULL. */
GtkWidget *herald_form_field_box (const char *mnemonic, const char *explanation, GtkWidget *control,
                                  GtkWidget *error, GtkWidget **out_label);
/* A mnemonic label for @text: its first letter not in @used yet, which is added to @used. */
char *herald_form_take_mnemonic (GString *used, const char *text);
/* Destroys every child of @container. */
void herald_form_clear (GtkWidget *container);

G_END_DECLS
