/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-form-field.c — the parts a form is laid out with, to the GNOME HIG: a mnemonic label
 * above its control, an explanation, and an error shown under the field it is about. */
#include "config.h"

#include <string.h>

#include "herald-form-field.h"

void
herald_form_set_accessible_name (GtkWidget *widget, const char *name)
{
  atk_object_set_name (gtk_widget_get_accessible (widget), name);
}

void
herald_form_set_error (GtkWidget *label, const char *message, gboolean shown)
{
  gtk_label_set_text (GTK_LABEL (label), message ? message : "");
  gtk_widget_set_visible (label, shown && message != NULL);
}

GtkWidget *
herald_form_error_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "error");
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "caption");
  gtk_widget_set_no_show_all (label, TRUE);
  return label;
}

/* A field: its mnemonic label above the control, an explanation, then its error. */
GtkWidget *
herald_form_field_box (const char *mnemonic, const char *explanation, GtkWidget *control,
                       GtkWidget *error, GtkWidget **out_label)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), control);
  herald_form_set_accessible_name (control, gtk_label_get_text (GTK_LABEL (label)));
  gtk_container_add (GTK_CONTAINER (box), label);
  gtk_container_add (GTK_CONTAINER (box), control);
  if (explanation != NULL)
    {
      GtkWidget *text = gtk_label_new (explanation);

      gtk_label_set_xalign (GTK_LABEL (text), 0);
      gtk_label_set_line_wrap (GTK_LABEL (text), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (text), 50);
      gtk_style_context_add_class (gtk_widget_get_style_context (text), "dim-label");
      gtk_style_context_add_class (gtk_widget_get_style_context (text), "caption");
      gtk_container_add (GTK_CONTAINER (box), text);
    }
  if (error != NULL)
    gtk_container_add (GTK_CONTAINER (box), error);
  if (out_label != NULL)
    *out_label = label;
  return box;
}

/* A mnemonic label for text from the provider table: the first letter no other field of the
 * form uses yet, so each Alt+letter reaches exactly one field. */
char *
herald_form_take_mnemonic (GString *used, const char *text)
{
  GString *label = g_string_new (NULL);
  gboolean placed = FALSE;

  for (const char *p = text; *p; p++)
    {
      char lower = g_ascii_tolower (*p);

      if (!placed && g_ascii_isalnum (*p) && strchr (used->str, lower) == NULL)
        {
          g_string_append_c (label, '_');
          g_string_append_c (used, lower);
          placed = TRUE;
        }
      if (*p == '_')
        g_string_append_c (label, '_');
      g_string_append_c (label, *p);
    }
  return g_string_free (label, FALSE);
}

void
herald_form_clear (GtkWidget *container)
{
  g_autoptr (GList) children = gtk_container_get_children (GTK_CONTAINER (container));

  for (GList *l = children; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
}
