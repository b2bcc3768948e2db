/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-form.c — every field comes from the provider table, so the form and the
 * command line never disagree; errors are the account's own validation messages. */
#define G_LOG_DOMAIN "herald-account-form"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "herald-account-form.h"
#include "herald-account-save.h"
#include "herald-account-test.h"
#include "herald-form-field.h"
#include "herald-secret.h"

/* Longest credential accepted, as on the command line: JWTs run to a few KiB. */
#define MAX_CREDENTIAL_LENGTH 16384

typedef struct
{
  const HeraldProviderOption *option;
  GtkWidget *box;
  GtkWidget *widget; /* GtkComboBoxText for choices, else GtkEntry */
  GtkWidget *error;
  gboolean touched;
} OptionField;

typedef struct
{
  const HeraldCredentialSpec *spec;
  GtkWidget *entry_box;
  GtkWidget *entry;
  GtkWidget *stored_box;
  GtkWidget *error;
  gboolean replacing; /* editing: the user chose to replace the stored one */
  gboolean touched;
} CredentialField;

struct _HeraldAccountForm
{
  GtkDialog parent_instance;

  HeraldAccountStore *store;
  HeraldHub *hub;
  HeraldAccount *original; /* NULL when adding */
  const HeraldProviderInfo *info;

  GtkWidget *provider_combo;
  GtkWidget *label_entry;
  GtkWidget *label_error;
  gboolean label_touched;
  GtkWidget *endpoint_combo;
  GtkWidget *endpoint_error;
  gboolean endpoint_touched;
  GtkWidget *options_box;
  GtkWidget *credentials_box;
  GtkWidget *status_label;
  GtkWidget *save_button;
  GtkWidget *test_button;
  GtkWidget *test_spinner;
  GtkWidget *test_result;
  GString *option_keys;   /* mnemonic letters the option fields took */
  GPtrArray *options;     /* OptionField */
  GPtrArray *credentials; /* CredentialField */

  GCancellable *cancellable;
  gboolean busy;
  gboolean testing;
  gboolean closed; /* disposed while a save was still running */
};

G_DEFINE_FINAL_TYPE (HeraldAccountForm, herald_account_form, GTK_TYPE_DIALOG)

enum
{
  PRESET_COLUMN_URI,
  PRESET_COLUMN_NAME,
};

static void validate (HeraldAccountForm *self);

static void
set_status (HeraldAccountForm *self, const char *message, gboolean is_error)
{
  GtkStyleContext *style = gtk_widget_get_style_context (self->status_label);

  gtk_label_set_text (GTK_LABEL (self->status_label), message ? message : "");
  gtk_widget_set_visible (self->status_label, message != NULL);
  if (is_error)
    gtk_style_context_add_class (style, "error");
  else
    gtk_style_context_remove_class (style, "error");
}

/* Letters the fixed parts of the form use: Provider, Label, Endpoint, Cancel, Test, Add/Save. */
#define FIXED_MNEMONICS "plectas"

/* ---- Reading the form ------------------------------------------------------------------ */

static const char *
endpoint_text (HeraldAccountForm *self)
{
  return gtk_entry_get_text (GTK_ENTRY (gtk_bin_get_child (GTK_BIN (self->endpoint_combo))));
}

/* A list option is typed as "a, b c": commas or spaces separate the values. */
static char **
split_values (const char *text)
{
  g_auto (GStrv) parts = g_strsplit_set (text, ", \t", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

static char *
option_text (OptionField *field)
{
  if (GTK_IS_COMBO_BOX (field->widget))
    return g_strdup (gtk_combo_box_get_active_id (GTK_COMBO_BOX (field->widget)));
  return g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (field->widget))));
}

static OptionField *
find_option (HeraldAccountForm *self, const char *key)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      OptionField *field = g_ptr_array_index (self->options, i);

      if (g_str_equal (field->option->key, key))
        return field;
    }
  return NULL;
}

/* An option that depends on another applies only while that one has the value it needs. */
static gboolean
option_applies (HeraldAccountForm *self, OptionField *field)
{
  OptionField *controller;
  g_autofree char *value = NULL;

  if (field->option->depends_on == NULL)
    return TRUE;
  controller = find_option (self, field->option->depends_on);
  value = controller ? option_text (controller) : NULL;
  return g_strcmp0 (value, field->option->depends_value) == 0;
}

static void
apply_options (HeraldAccountForm *self, HeraldAccount *account)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      OptionField *field = g_ptr_array_index (self->options, i);
      g_autofree char *text = option_text (field);

      if (!option_applies (self, field) || text == NULL || *text == '\0')
        herald_account_set_option_values (account, field->option->key, NULL);
      else if (field->option->repeatable)
        {
          g_auto (GStrv) values = split_values (text);

          herald_account_set_option_values (account, field->option->key,
                                            (const char *const *)values);
        }
      else
        {
          const char *values[] = { text, NULL };

          herald_account_set_option_values (account, field->option->key, values);
        }
    }
}

/* The account the form describes. `id` NULL: a new id (adding); editing keeps the original's. */
static HeraldAccount *
build_account (HeraldAccountForm *self)
{
  HeraldAccount *account;
  const char *endpoint = endpoint_text (self);

  if (self->original != NULL)
    account = herald_account_copy (self->original);
  else
    account = herald_account_new (self->info->kind, NULL);
  herald_account_set_label (account, gtk_entry_get_text (GTK_ENTRY (self->label_entry)));
  herald_account_set_endpoint (account, endpoint);
  apply_options (self, account);
  return account;
}

static const char *
credential_text (CredentialField *field)
{
  if (field->entry == NULL || (field->stored_box != NULL && !field->replacing))
    return NULL;
  return gtk_entry_get_text (GTK_ENTRY (field->entry));
}

/* Keys and tokens are printable text without spaces: anything else was pasted by mistake. */
static const char *
credential_problem (CredentialField *field, const char *text)
{
  if (text == NULL || *text == '\0')
    return field->spec->optional ? NULL : _ ("This is needed");
  if (strlen (text) > MAX_CREDENTIAL_LENGTH)
    return _ ("This is too long to be a key or token");
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        return _ ("Keys and tokens have no spaces or line breaks; check what was pasted");
    }
  return NULL;
}

/* ---- Validation ----------------------------------------------------------------------- */

static gboolean
error_is (GError *error, int code)
{
  return error != NULL && g_error_matches (error, HERALD_ACCOUNT_ERROR, code);
}

/* The option an option error is about: the one whose quoted key comes first in the message. */
static OptionField *
option_for_error (HeraldAccountForm *self, GError *error)
{
  OptionField *best = NULL;
  const char *best_at = NULL;

  for (guint i = 0; i < self->options->len; i++)
    {
      OptionField *field = g_ptr_array_index (self->options, i);
      g_autofree char *quoted = g_strdup_printf ("“%s”", field->option->key);
      const char *at = strstr (error->message, quoted);

      if (at != NULL && (best_at == NULL || at < best_at))
        {
          best = field;
          best_at = at;
        }
    }
  if (best == NULL && self->options->len > 0)
    best = g_ptr_array_index (self->options, 0);
  return best;
}

static void
validate (HeraldAccountForm *self)
{
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (HeraldAccount) probe = NULL;
  g_autoptr (GError) label_error = NULL;
  g_autoptr (GError) endpoint_error = NULL;
  g_autoptr (GError) option_error = NULL;
  gboolean valid = TRUE;
  gboolean whole_organization = FALSE;
  OptionField *culprit = NULL;

  if (self->info == NULL)
    return;
  account = build_account (self);

  /* Each field is checked on its own, with valid stand-ins for the others, so every field
   * shows its own message and not only the first problem of the whole account. */
  probe = herald_account_new (self->info->kind, "probe");
  herald_account_set_label (probe, herald_account_get_label (account));
  herald_account_validate (probe, &label_error);
  if (!error_is (label_error, HERALD_ACCOUNT_ERROR_INVALID_LABEL))
    g_clear_error (&label_error);
  g_clear_object (&probe);

  probe = herald_account_new (self->info->kind, "probe");
  herald_account_set_label (probe, "probe");
  herald_account_set_endpoint (probe, endpoint_text (self));
  herald_account_validate (probe, &endpoint_error);
  if (!error_is (endpoint_error, HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT)
      && !error_is (endpoint_error, HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT))
    g_clear_error (&endpoint_error);
  g_clear_object (&probe);

  probe = herald_account_new (self->info->kind, "probe");
  herald_account_set_label (probe, "probe");
  apply_options (self, probe);
  if (!herald_account_validate (probe, &option_error))
    culprit = option_for_error (self, option_error);

  herald_form_set_error (self->label_error, label_error ? label_error->message : NULL,
                         self->label_touched);
  herald_form_set_error (self->endpoint_error, endpoint_error ? endpoint_error->message : NULL,
                         self->endpoint_touched);
  for (guint i = 0; i < self->options->len; i++)
    {
      OptionField *field = g_ptr_array_index (self->options, i);

      gtk_widget_set_sensitive (field->box, option_applies (self, field));
      herald_form_set_error (field->error, field == culprit ? option_error->message : NULL,
                             field->touched || label_error == NULL);
    }
  valid = label_error == NULL && endpoint_error == NULL && option_error == NULL;

  /* The CoinVoyage organization-wide subscription is signed with the API secret. */
  whole_organization = self->info->kind == HERALD_PROVIDER_COINVOYAGE
                       && herald_account_get_option_values (account, "order")[0] == NULL;
  for (guint i = 0; i < self->credentials->len; i++)
    {
      CredentialField *field = g_ptr_array_index (self->credentials, i);
      const char *text = credential_text (field);
      const char *problem = NULL;
      gboolean shown = field->touched;

      if (field->stored_box != NULL && !field->replacing)
        continue;
      problem = credential_problem (field, text);
      if (problem == NULL && whole_organization && self->original == NULL
          && g_str_equal (field->spec->field, "api-secret") && (text == NULL || *text == '\0'))
        {
          /* Said at once: an optional field is not one anybody would think to fill in. */
          problem = _ ("Following a whole organization needs the API secret; or name orders "
                       "above");
          shown = TRUE;
        }
      herald_form_set_error (field->error, problem, shown);
      if (problem != NULL)
        valid = FALSE;
    }
  gtk_widget_set_sensitive (self->save_button, valid && !self->busy && !self->testing);
  gtk_widget_set_sensitive (self->test_button, valid && !self->busy && !self->testing);
}

static void
field_changed_cb (GtkWidget *widget, gpointer user_data)
{
  HeraldAccountForm *self = HERALD_ACCOUNT_FORM (user_data);
  gboolean *touched = g_object_get_data (G_OBJECT (widget), "herald-touched");

  if (touched != NULL)
    *touched = TRUE;
  set_status (self, NULL, FALSE);
  gtk_label_set_text (GTK_LABEL (self->test_result), "");
  validate (self);
}

/* ---- Building the form ---------------------------------------------------------------- */

static void
reveal_toggled_cb (GtkToggleButton *toggle, gpointer user_data)
{
  gtk_entry_set_visibility (GTK_ENTRY (user_data), gtk_toggle_button_get_active (toggle));
}

/* A secret never goes to the clipboard, not even while shown. */
static void
block_clipboard_cb (GtkEntry *entry, gpointer user_data)
{
  g_signal_stop_emission_by_name (entry, user_data);
}

static void
replace_clicked_cb (GtkButton *button, gpointer user_data)
{
  CredentialField *field = user_data;
  HeraldAccountForm *self = HERALD_ACCOUNT_FORM (gtk_widget_get_toplevel (GTK_WIDGET (button)));

  field->replacing = TRUE;
  gtk_widget_hide (field->stored_box);
  gtk_widget_show (field->entry_box);
  gtk_widget_grab_focus (field->entry);
  validate (self);
}

static gboolean
credential_was_stored (HeraldAccountForm *self, const HeraldCredentialSpec *spec)
{
  const HeraldCredentialSpec *specs;
  guint n_specs;

  if (self->original == NULL)
    return FALSE;
  specs = herald_account_get_credentials (self->original, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    if (g_str_equal (specs[i].field, spec->field))
      return TRUE;
  return FALSE;
}

static void
build_credentials (HeraldAccountForm *self)
{
  g_autoptr (HeraldAccount) account = build_account (self);
  g_autoptr (GString) used = g_string_new (FIXED_MNEMONICS);
  const HeraldCredentialSpec *specs;
  guint n_specs;

  g_string_append (used, self->option_keys->str);
  herald_form_clear (self->credentials_box);
  g_ptr_array_set_size (self->credentials, 0);
  specs = herald_account_get_credentials (account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      CredentialField *field = g_new0 (CredentialField, 1);
      g_autofree char *mnemonic = herald_form_take_mnemonic (used, _ (specs[i].prompt));
      g_autofree char *reveal_name = NULL;
      GtkWidget *row, *reveal, *box, *label;

      field->spec = &specs[i];
      field->error = herald_form_error_label ();
      field->entry = gtk_entry_new ();
      gtk_entry_set_visibility (GTK_ENTRY (field->entry), FALSE);
      gtk_entry_set_input_purpose (GTK_ENTRY (field->entry), GTK_INPUT_PURPOSE_PASSWORD);
      gtk_entry_set_activates_default (GTK_ENTRY (field->entry), TRUE);
      gtk_widget_set_hexpand (field->entry, TRUE);
      g_signal_connect (field->entry, "copy-clipboard", G_CALLBACK (block_clipboard_cb),
                        (gpointer) "copy-clipboard");
      g_signal_connect (field->entry, "cut-clipboard", G_CALLBACK (block_clipboard_cb),
                        (gpointer) "cut-clipboard");
      g_object_set_data (G_OBJECT (field->entry), "herald-touched", &field->touched);
      g_signal_connect (field->entry, "changed", G_CALLBACK (field_changed_cb), self);

      /* TRANSLATORS: accessible name of the button that shows a typed key; %s is e.g. "API key" */
      reveal_name = g_strdup_printf (_ ("Show %s"), _ (specs[i].prompt));
      reveal = gtk_toggle_button_new ();
      gtk_container_add (GTK_CONTAINER (reveal), gtk_image_new_from_icon_name (
                                                   "view-reveal-symbolic", GTK_ICON_SIZE_BUTTON));
      gtk_widget_set_tooltip_text (reveal, reveal_name);
      herald_form_set_accessible_name (reveal, reveal_name);
      g_signal_connect (reveal, "toggled", G_CALLBACK (reveal_toggled_cb), field->entry);

      row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_container_add (GTK_CONTAINER (row), field->entry);
      gtk_container_add (GTK_CONTAINER (row), reveal);
      field->entry_box = herald_form_field_box (mnemonic, NULL, row, field->error, &label);
      /* The label names the entry, not the box around it. */
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), field->entry);
      herald_form_set_accessible_name (field->entry, _ (specs[i].prompt));
      gtk_container_add (GTK_CONTAINER (self->credentials_box), field->entry_box);
      gtk_widget_show_all (field->entry_box);

      if (credential_was_stored (self, &specs[i]))
        {
          GtkWidget *stored, *replace;
          g_autofree char *text = NULL;
          g_autofree char *replace_name = NULL;

          /* TRANSLATORS: %s is a credential such as "API key" */
          text = g_strdup_printf (_ ("%s: stored in the keyring"), _ (specs[i].prompt));
          stored = gtk_label_new (text);
          gtk_label_set_xalign (GTK_LABEL (stored), 0);
          gtk_label_set_line_wrap (GTK_LABEL (stored), TRUE);
          gtk_widget_set_hexpand (stored, TRUE);
          replace = gtk_button_new_with_mnemonic (_ ("_Replace…"));
          /* TRANSLATORS: accessible name of the button; %s is a credential such as "API key" */
          replace_name = g_strdup_printf (_ ("Replace %s"), _ (specs[i].prompt));
          herald_form_set_accessible_name (replace, replace_name);
          g_signal_connect (replace, "clicked", G_CALLBACK (replace_clicked_cb), field);
          box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
          gtk_container_add (GTK_CONTAINER (box), stored);
          gtk_container_add (GTK_CONTAINER (box), replace);
          field->stored_box = box;
          gtk_container_add (GTK_CONTAINER (self->credentials_box), box);
          gtk_widget_show_all (box);
          gtk_widget_hide (field->entry_box);
        }
      g_ptr_array_add (self->credentials, field);
    }
}

static void
gateway_changed_cb (GtkComboBox *combo, gpointer user_data)
{
  HeraldAccountForm *self = HERALD_ACCOUNT_FORM (user_data);

  /* Dimes asks for a partner key or a customer token depending on the gateway. */
  build_credentials (self);
  validate (self);
}

static void
build_option (HeraldAccountForm *self, const HeraldProviderOption *option)
{
  OptionField *field = g_new0 (OptionField, 1);
  g_autofree char *name = NULL;
  g_autofree char *mnemonic = NULL;
  const char *const *values = NULL;

  field->option = option;
  field->error = herald_form_error_label ();
  if (option->choices != NULL)
    {
      const char *current = self->original ? herald_account_get_option (self->original, option->key)
                                           : option->default_value;

      field->widget = gtk_combo_box_text_new ();
      for (guint i = 0; option->choices[i] != NULL; i++)
        gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (field->widget), option->choices[i],
                                   option->choices[i]);
      if (current == NULL || !gtk_combo_box_set_active_id (GTK_COMBO_BOX (field->widget), current))
        gtk_combo_box_set_active (GTK_COMBO_BOX (field->widget), 0);
      if (g_str_equal (option->key, "gateway"))
        g_signal_connect (field->widget, "changed", G_CALLBACK (gateway_changed_cb), self);
    }
  else
    {
      field->widget = gtk_entry_new ();
      gtk_entry_set_activates_default (GTK_ENTRY (field->widget), TRUE);
      if (option->repeatable)
        gtk_entry_set_placeholder_text (GTK_ENTRY (field->widget),
                                        _ ("Separate several with commas"));
      if (self->original != NULL)
        values = herald_account_get_option_values (self->original, option->key);
      if (values != NULL && values[0] != NULL)
        {
          g_autofree char *joined = g_strjoinv (", ", (char **)values);

          gtk_entry_set_text (GTK_ENTRY (field->widget), joined);
        }
    }
  g_object_set_data (G_OBJECT (field->widget), "herald-touched", &field->touched);
  g_signal_connect (field->widget, "changed", G_CALLBACK (field_changed_cb), self);

  /* The key is what the command line and the file call it; the form capitalizes it. */
  name = g_strdup_printf ("%c%s", g_ascii_toupper (option->key[0]), option->key + 1);
  g_strdelimit (name, "-", ' ');
  mnemonic = herald_form_take_mnemonic (self->option_keys, name);
  field->box
    = herald_form_field_box (mnemonic, _ (option->description), field->widget, field->error, NULL);
  gtk_container_add (GTK_CONTAINER (self->options_box), field->box);
  gtk_widget_show_all (field->box);
  g_ptr_array_add (self->options, field);
}

static void
build_endpoint_presets (HeraldAccountForm *self)
{
  GtkListStore *model
    = GTK_LIST_STORE (gtk_combo_box_get_model (GTK_COMBO_BOX (self->endpoint_combo)));

  gtk_list_store_clear (model);
  if (self->info->n_presets == 0)
    gtk_list_store_insert_with_values (model, NULL, -1, PRESET_COLUMN_URI,
                                       self->info->default_endpoint, PRESET_COLUMN_NAME,
                                       _ ("Default"), -1);
  for (guint i = 0; i < self->info->n_presets; i++)
    gtk_list_store_insert_with_values (model, NULL, -1, PRESET_COLUMN_URI,
                                       self->info->presets[i].uri, PRESET_COLUMN_NAME,
                                       _ (self->info->presets[i].name), -1);
}

static void
build_provider_fields (HeraldAccountForm *self)
{
  GtkEntry *endpoint_entry = GTK_ENTRY (gtk_bin_get_child (GTK_BIN (self->endpoint_combo)));

  herald_form_clear (self->options_box);
  g_ptr_array_set_size (self->options, 0);
  g_string_assign (self->option_keys, FIXED_MNEMONICS);
  build_endpoint_presets (self);
  g_signal_handlers_block_by_func (endpoint_entry, field_changed_cb, self);
  gtk_entry_set_text (endpoint_entry, self->original ? herald_account_get_endpoint (self->original)
                                                     : self->info->default_endpoint);
  g_signal_handlers_unblock_by_func (endpoint_entry, field_changed_cb, self);
  for (guint i = 0; i < self->info->n_options; i++)
    build_option (self, &self->info->options[i]);
  build_credentials (self);
  validate (self);
}

static void
provider_changed_cb (GtkComboBox *combo, gpointer user_data)
{
  HeraldAccountForm *self = HERALD_ACCOUNT_FORM (user_data);
  const HeraldProviderInfo *info
    = herald_provider_info_lookup (gtk_combo_box_get_active_id (combo));

  if (info == NULL || info == self->info)
    return;
  self->info = info;
  build_provider_fields (self);
}

/* ---- Testing -------------------------------------------------------------------------- */

static void
set_testing (HeraldAccountForm *self, gboolean testing, const char *result, gboolean is_error)
{
  GtkStyleContext *style = gtk_widget_get_style_context (self->test_result);

  self->testing = testing;
  gtk_widget_set_visible (self->test_spinner, testing);
  if (testing)
    gtk_spinner_start (GTK_SPINNER (self->test_spinner));
  else
    gtk_spinner_stop (GTK_SPINNER (self->test_spinner));
  gtk_label_set_text (GTK_LABEL (self->test_result), result ? result : "");
  if (is_error)
    gtk_style_context_add_class (style, "error");
  else
    gtk_style_context_remove_class (style, "error");
  validate (self);
}

/* The echoed test tip shows as a notification, as a real one would. */
static void
notify_test_event (HeraldEvent *event)
{
  GApplication *application = g_application_get_default ();
  g_autoptr (GNotification) notification = NULL;

  if (application == NULL)
    return;
  notification = g_notification_new (herald_event_get_title (event));
  g_notification_set_body (notification, herald_event_get_body (event));
  g_application_send_notification (application, "herald-account-test", notification);
}

static void
tested_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HeraldAccountForm) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldEvent) event = NULL;
  g_autofree char *text = NULL;

  if (!herald_account_test_finish (result, &event, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* TRANSLATORS: %s says what failed, e.g. "Pally refused the API key" */
      text = g_strdup_printf (_ ("Test failed: %s"), error->message);
      set_testing (self, FALSE, text, TRUE);
      return;
    }
  if (event != NULL)
    {
      /* TRANSLATORS: %s is a provider such as "Pally" */
      text
        = g_strdup_printf (_ ("%s accepted the key and sent a test tip back."), self->info->name);
      notify_test_event (event);
    }
  else
    /* TRANSLATORS: %s is a provider such as "Dimes" */
    text = g_strdup_printf (_ ("Connected: %s accepted the credentials."), self->info->name);
  set_testing (self, FALSE, text, FALSE);
}

static void
test_clicked_cb (GtkButton *button, gpointer user_data)
{
  HeraldAccountForm *self = HERALD_ACCOUNT_FORM (user_data);
  g_autoptr (HeraldAccount) account = build_account (self);
  g_autoptr (GHashTable) credentials
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, herald_secret_wipe_free);
  g_autoptr (GStrvBuilder) kept = g_strv_builder_new ();
  g_auto (GStrv) keyring_fields = NULL;

  for (guint i = 0; i < self->credentials->len; i++)
    {
      CredentialField *field = g_ptr_array_index (self->credentials, i);
      const char *text = credential_text (field);

      if (text != NULL && *text != '\0')
        g_hash_table_insert (credentials, g_strdup (field->spec->field), g_strdup (text));
      else if (field->stored_box != NULL && !field->replacing)
        /* Kept in the keyring: read there for this test only, never into the form. */
        g_strv_builder_add (kept, field->spec->field);
    }
  keyring_fields = g_strv_builder_end (kept);
  set_status (self, NULL, FALSE);
  set_testing (self, TRUE, _ ("Connecting…"), FALSE);
  herald_account_test_async (account, credentials, (const char *const *)keyring_fields,
                             self->cancellable, tested_cb, g_object_ref (self));
}

/* ---- Saving --------------------------------------------------------------------------- */

static void
set_busy (HeraldAccountForm *self, gboolean busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (gtk_dialog_get_content_area (GTK_DIALOG (self)), !busy);
  validate (self);
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HeraldAccountForm) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean saved = herald_account_save_finish (result, &error);

  if (self->closed)
    return;
  set_busy (self, FALSE);
  if (saved)
    {
      gtk_dialog_response (GTK_DIALOG (self), GTK_RESPONSE_ACCEPT);
      return;
    }
  /* TRANSLATORS: %s says why, e.g. the keyring's own error */
  text = g_strdup_printf (self->original ? _ ("The account was not changed: %s")
                                         : _ ("The account was not added: %s"),
                          error->message);
  set_status (self, text, TRUE);
}

static void
save (HeraldAccountForm *self)
{
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (GHashTable) credentials = NULL;

  if (!gtk_widget_get_sensitive (self->save_button))
    return;
  account = build_account (self);
  credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, herald_secret_wipe_free);
  for (guint i = 0; i < self->credentials->len; i++)
    {
      CredentialField *field = g_ptr_array_index (self->credentials, i);
      const char *text = credential_text (field);

      if (text != NULL && *text != '\0')
        g_hash_table_insert (credentials, g_strdup (field->spec->field), g_strdup (text));
    }
  set_status (self, NULL, FALSE);
  set_busy (self, TRUE);
  herald_account_save_async (self->store, self->hub, account, self->original == NULL, credentials,
                             saved_cb, g_object_ref (self));
}

/* Connected first, so it runs before anyone else hears of the response. */
static void
response_cb (GtkDialog *dialog, int response, gpointer user_data)
{
  HeraldAccountForm *self = HERALD_ACCOUNT_FORM (dialog);

  if (response == GTK_RESPONSE_APPLY)
    {
      g_signal_stop_emission_by_name (dialog, "response");
      save (self);
      return;
    }
  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
herald_account_form_dispose (GObject *object)
{
  HeraldAccountForm *self = HERALD_ACCOUNT_FORM (object);

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->hub);
  g_clear_object (&self->original);
  g_clear_pointer (&self->options, g_ptr_array_unref);
  if (self->option_keys != NULL)
    g_string_free (g_steal_pointer (&self->option_keys), TRUE);
  g_clear_pointer (&self->credentials, g_ptr_array_unref);
  G_OBJECT_CLASS (herald_account_form_parent_class)->dispose (object);
}

static void
herald_account_form_class_init (HeraldAccountFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = herald_account_form_dispose;
}

static void
herald_account_form_init (HeraldAccountForm *self)
{
  self->cancellable = g_cancellable_new ();
  self->options = g_ptr_array_new_with_free_func (g_free);
  self->option_keys = g_string_new (FIXED_MNEMONICS);
  self->credentials = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
}

static void
build_common (HeraldAccountForm *self)
{
  GtkWidget *content = gtk_dialog_get_content_area (GTK_DIALOG (self));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkListStore *presets = gtk_list_store_new (2, G_TYPE_STRING, G_TYPE_STRING);
  GtkCellRenderer *name_cell = gtk_cell_renderer_text_new ();
  GtkWidget *endpoint_entry, *endpoint_label, *test_box;

  gtk_container_set_border_width (GTK_CONTAINER (box), 18);
  gtk_container_add (GTK_CONTAINER (content), box);

  self->status_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->status_label), 0);
  gtk_label_set_line_wrap (GTK_LABEL (self->status_label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->status_label), 50);
  gtk_label_set_selectable (GTK_LABEL (self->status_label), TRUE);
  gtk_widget_set_no_show_all (self->status_label, TRUE);
  gtk_container_add (GTK_CONTAINER (box), self->status_label);

  if (self->original == NULL)
    {
      self->provider_combo = gtk_combo_box_text_new ();
      for (guint i = 0; i < HERALD_N_PROVIDERS; i++)
        gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (self->provider_combo),
                                   herald_provider_info_get (i)->id,
                                   herald_provider_info_get (i)->name);
      gtk_container_add (
        GTK_CONTAINER (box),
        herald_form_field_box (_ ("_Provider"), NULL, self->provider_combo, NULL, NULL));
    }

  self->label_entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (self->label_entry), TRUE);
  gtk_entry_set_max_length (GTK_ENTRY (self->label_entry), HERALD_ACCOUNT_LABEL_MAX + 1);
  if (self->original != NULL)
    gtk_entry_set_text (GTK_ENTRY (self->label_entry), herald_account_get_label (self->original));
  self->label_error = herald_form_error_label ();
  g_object_set_data (G_OBJECT (self->label_entry), "herald-touched", &self->label_touched);
  g_signal_connect (self->label_entry, "changed", G_CALLBACK (field_changed_cb), self);
  gtk_container_add (GTK_CONTAINER (box),
                     herald_form_field_box (_ ("_Label"), _ ("How the account is named in Herald"),
                                            self->label_entry, self->label_error, NULL));

  self->endpoint_combo = gtk_combo_box_new_with_model_and_entry (GTK_TREE_MODEL (presets));
  g_object_unref (presets);
  gtk_combo_box_set_entry_text_column (GTK_COMBO_BOX (self->endpoint_combo), PRESET_COLUMN_URI);
  gtk_cell_layout_pack_start (GTK_CELL_LAYOUT (self->endpoint_combo), name_cell, FALSE);
  gtk_cell_layout_add_attribute (GTK_CELL_LAYOUT (self->endpoint_combo), name_cell, "text",
                                 PRESET_COLUMN_NAME);
  g_object_set (name_cell, "foreground", "gray", NULL);
  endpoint_entry = gtk_bin_get_child (GTK_BIN (self->endpoint_combo));
  gtk_entry_set_activates_default (GTK_ENTRY (endpoint_entry), TRUE);
  self->endpoint_error = herald_form_error_label ();
  g_object_set_data (G_OBJECT (endpoint_entry), "herald-touched", &self->endpoint_touched);
  g_signal_connect (endpoint_entry, "changed", G_CALLBACK (field_changed_cb), self);
  gtk_container_add (GTK_CONTAINER (box),
                     herald_form_field_box (_ ("_Endpoint"), NULL, self->endpoint_combo,
                                            self->endpoint_error, &endpoint_label));
  /* The mnemonic and the name belong to the entry one types in. */
  gtk_label_set_mnemonic_widget (GTK_LABEL (endpoint_label), endpoint_entry);
  herald_form_set_accessible_name (endpoint_entry, gtk_label_get_text (GTK_LABEL (endpoint_label)));

  self->options_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  self->credentials_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_container_add (GTK_CONTAINER (box), self->options_box);
  gtk_container_add (GTK_CONTAINER (box), self->credentials_box);

  /* Test: one connection with what the form says, nothing saved. */
  test_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->test_button = gtk_button_new_with_mnemonic (_ ("_Test"));
  gtk_widget_set_tooltip_text (self->test_button,
                               _ ("Connect once with these values, without saving them"));
  gtk_widget_set_valign (self->test_button, GTK_ALIGN_START);
  g_signal_connect (self->test_button, "clicked", G_CALLBACK (test_clicked_cb), self);
  self->test_spinner = gtk_spinner_new ();
  gtk_widget_set_no_show_all (self->test_spinner, TRUE);
  self->test_result = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->test_result), 0);
  gtk_label_set_line_wrap (GTK_LABEL (self->test_result), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->test_result), 40);
  gtk_label_set_selectable (GTK_LABEL (self->test_result), TRUE);
  gtk_widget_set_hexpand (self->test_result, TRUE);
  herald_form_set_accessible_name (self->test_result, _ ("Test result"));
  gtk_container_add (GTK_CONTAINER (test_box), self->test_button);
  gtk_container_add (GTK_CONTAINER (test_box), self->test_spinner);
  gtk_container_add (GTK_CONTAINER (test_box), self->test_result);
  gtk_container_add (GTK_CONTAINER (box), test_box);
  gtk_widget_show_all (box);
}

HeraldAccountForm *
herald_account_form_new (GtkWindow *parent, HeraldAccountStore *store, HeraldHub *hub,
                         HeraldAccount *account)
{
  HeraldAccountForm *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (HERALD_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (account == NULL || HERALD_IS_ACCOUNT (account), NULL);

  if (account != NULL)
    /* TRANSLATORS: title of the dialog editing an account; %s is its label */
    title = g_strdup_printf (_ ("Edit %s"), herald_account_get_label (account));
  self = g_object_new (HERALD_TYPE_ACCOUNT_FORM, "use-header-bar", TRUE, "modal", TRUE,
                       "transient-for", parent, "destroy-with-parent", TRUE, "title",
                       account ? title : _ ("Add Account"), "default-width", 460, NULL);
  self->store = g_object_ref (store);
  self->hub = hub ? g_object_ref (hub) : NULL;
  self->original = account ? herald_account_copy (account) : NULL;
  self->info = account ? herald_account_get_provider_info (account) : herald_provider_info_get (0);

  gtk_dialog_add_button (GTK_DIALOG (self), _ ("_Cancel"), GTK_RESPONSE_CANCEL);
  self->save_button = gtk_dialog_add_button (GTK_DIALOG (self), account ? _ ("_Save") : _ ("_Add"),
                                             GTK_RESPONSE_APPLY);
  gtk_style_context_add_class (gtk_widget_get_style_context (self->save_button),
                               "suggested-action");
  gtk_dialog_set_default_response (GTK_DIALOG (self), GTK_RESPONSE_APPLY);

  build_common (self);
  if (self->provider_combo != NULL)
    {
      gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->provider_combo), self->info->id);
      g_signal_connect (self->provider_combo, "changed", G_CALLBACK (provider_changed_cb), self);
    }
  build_provider_fields (self);
  gtk_widget_grab_focus (self->provider_combo ? self->provider_combo : self->label_entry);
  return self;
}
