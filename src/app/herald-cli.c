/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-cli.c — `herald account …`, `herald history …`, `--help` and `--version`.
 * Exit status: 0 done, 1 the request failed, 2 the request itself was wrong. One line per error. */
#define G_LOG_DOMAIN "herald-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "herald-account-store.h"
#include "herald-cli.h"
#include "herald-history.h"
#include "herald-secret.h"

enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

/* Longest credential line accepted: JWTs run to a few KiB, nothing real is longer. */
#define MAX_CREDENTIAL_LENGTH 16384
#define DEFAULT_HISTORY_LIMIT 100

static int fail (int status, const char *format, ...) G_GNUC_PRINTF (2, 3);

static int
fail (int status, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* One line, whatever the message carried. */
  g_strdelimit (message, "\r\n", ' ');
  g_printerr ("herald: %s\n", message);
  return status;
}

/* Waits on the default context for one async call: the CLI has no UI to keep responsive. */
static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
result_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
store_secret_sync (const char *account_id, const char *field, const char *label, const char *secret,
                   GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  herald_secret_store_async (account_id, field, label, secret, NULL, result_ready_cb, &result);
  return herald_secret_store_finish (wait_for_result (&result), error);
}

static gboolean
clear_secrets_sync (const char *account_id, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  herald_secret_clear_async (account_id, NULL, NULL, result_ready_cb, &result);
  return herald_secret_clear_finish (wait_for_result (&result), error);
}

static void
print_usage (void)
{
  g_print ("%s\n", _ ("Usage:"));
  g_print ("  herald                       %s\n", _ ("Start Herald in the tray"));
  g_print ("  herald --demo                %s\n",
           _ ("Start Herald with demo accounts and a built-in simulator"));
  g_print ("  herald --preferences         %s\n",
           _ ("Open the preferences (in the running Herald, if there is one)"));
  g_print ("  herald --background          %s\n", _ ("Start quietly in the tray"));
  g_print ("  herald --version             %s\n", _ ("Print the version"));
  g_print ("  herald account list [--json]\n");
  g_print ("  herald account add PROVIDER --label TEXT [--endpoint URL] [--disabled] [OPTIONS]\n");
  g_print ("  herald account remove ID\n");
  g_print ("  herald history [--json] [--limit N] [--account ID] [--category NAME] [--search TEXT] "
           "[--unread]\n");
  g_print ("\n%s\n", _ ("Providers and their options:"));
  for (guint i = 0; i < HERALD_N_PROVIDERS; i++)
    {
      const HeraldProviderInfo *info = herald_provider_info_get (i);

      g_print ("  %-11s", info->id);
      if (info->n_options == 0)
        g_print (" %s", _ ("(no options)"));
      for (guint j = 0; j < info->n_options; j++)
        {
          const HeraldProviderOption *option = &info->options[j];

          if (option->choices != NULL)
            {
              g_autofree char *choices = g_strjoinv ("|", (char **)option->choices);
              g_print (" --%s %s", option->key, choices);
            }
          else
            g_print (" --%s %s", option->key, option->value_name ? option->value_name : "VALUE");
          if (option->repeatable)
            g_print ("…");
        }
      g_print ("\n");
    }
  g_print ("\n%s\n", _ ("Credentials are read from standard input, one per line (typed without "
                        "echo on a terminal)."));
  g_print ("%s\n", _ ("herald history prints the newest 100 events unless --limit says otherwise; "
                      "--json prints JSON Lines."));
}

static HeraldAccountStore *
open_account_store (int *status)
{
  g_autoptr (HeraldAccountStore) store = herald_account_store_new (NULL);
  g_autoptr (GError) error = NULL;
  const char *moved;

  if (!herald_account_store_load (store, &error))
    {
      *status = fail (EXIT_FAILED, "%s", error->message);
      return NULL;
    }
  moved = herald_account_store_get_moved_aside_path (store);
  if (moved != NULL)
    g_printerr (_ ("herald: the accounts file was damaged; it was moved to %s and Herald starts "
                   "with no accounts\n"),
                moved);
  return g_steal_pointer (&store);
}

/* Terminals interpret escape sequences: untrusted text never reaches one raw. */
static char *
printable (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
add_account_options_json (JsonBuilder *builder, HeraldAccount *account)
{
  const HeraldProviderInfo *info = herald_account_get_provider_info (account);

  for (guint i = 0; i < info->n_options; i++)
    {
      const HeraldProviderOption *option = &info->options[i];

      json_builder_set_member_name (builder, option->key);
      if (option->repeatable)
        {
          const char *const *values = herald_account_get_option_values (account, option->key);

          json_builder_begin_array (builder);
          for (guint j = 0; values[j] != NULL; j++)
            json_builder_add_string_value (builder, values[j]);
          json_builder_end_array (builder);
        }
      else
        {
          const char *value = herald_account_get_option (account, option->key);

          if (value != NULL)
            json_builder_add_string_value (builder, value);
          else
            json_builder_add_null_value (builder);
        }
    }
}

static char *
node_to_text (JsonNode *root)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static int
account_list (int argc, char **argv)
{
  g_autoptr (HeraldAccountStore) store = NULL;
  gboolean as_json = FALSE;
  int status = EXIT_OK;
  guint n_accounts;

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        as_json = TRUE;
      else
        return fail (EXIT_USAGE, _ ("Unknown argument “%s” for “account list”"), argv[i]);
    }

  store = open_account_store (&status);
  if (store == NULL)
    return status;
  n_accounts = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (as_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n_accounts; i++)
        {
          g_autoptr (HeraldAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, herald_account_get_id (account));
          json_builder_set_member_name (builder, "provider");
          json_builder_add_string_value (builder, herald_account_get_provider_info (account)->id);
          json_builder_set_member_name (builder, "label");
          json_builder_add_string_value (builder, herald_account_get_label (account));
          json_builder_set_member_name (builder, "endpoint");
          json_builder_add_string_value (builder, herald_account_get_endpoint (account));
          json_builder_set_member_name (builder, "enabled");
          json_builder_add_boolean_value (builder, herald_account_get_enabled (account));
          add_account_options_json (builder, account);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      text = node_to_text (root);
      g_print ("%s\n", text);
      return EXIT_OK;
    }

  if (n_accounts == 0)
    {
      g_print ("%s\n",
               _ ("No accounts yet. Add one with “herald account add PROVIDER --label TEXT”."));
      return EXIT_OK;
    }
  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr (HeraldAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *label = printable (herald_account_get_label (account));

      g_print ("%-22s %-11s %-9s %s  (%s)\n", herald_account_get_id (account),
               herald_account_get_provider_info (account)->id,
               /* TRANSLATORS: a column of "herald account list": the account is on or off */
               herald_account_get_enabled (account) ? _ ("enabled") : _ ("disabled"), label,
               herald_account_get_endpoint (account));
    }
  return EXIT_OK;
}

/* Keys and tokens are printable ASCII-ish text: whitespace or control characters mean the
 * wrong thing was pasted (or piped), and would only fail later, less clearly. */
static gboolean
credential_is_plausible (const char *secret)
{
  if (!g_utf8_validate (secret, -1, NULL))
    return FALSE;
  for (const char *p = secret; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        return FALSE;
    }
  return TRUE;
}

/* Reads one credential line; on a terminal, prompts on stderr with echo turned off. */
static char *
read_credential (FILE *input, const HeraldCredentialSpec *spec, gboolean interactive,
                 GError **error)
{
  struct termios saved, quiet;
  gboolean echo_off = FALSE;
  char *line = NULL;
  char *secret;
  size_t capacity = 0;
  ssize_t length;

  if (interactive)
    {
      g_printerr ("%s%s: ", _ (spec->prompt),
                  /* TRANSLATORS: follows the prompt for an optional credential, such as
                   * "API secret (optional; needed for organization scope)" */
                  spec->optional ? _ (" — Enter to skip") : "");
      if (tcgetattr (fileno (input), &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t)ECHO;
          quiet.c_lflag |= ECHONL;
          echo_off = tcsetattr (fileno (input), TCSAFLUSH, &quiet) == 0;
        }
    }
  length = getline (&line, &capacity, input);
  if (echo_off)
    tcsetattr (fileno (input), TCSAFLUSH, &saved);

  if (length < 0)
    length = 0;
  while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
    length--;

  if (length == 0)
    {
      free (line);
      if (!spec->optional)
        g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_MISSING_OPTION,
                     /* TRANSLATORS: %s names a credential, such as "API key" */
                     _ ("No %s was given on standard input"), _ (spec->prompt));
      return NULL;
    }

  /* Own copy in GLib's allocator; stdio's buffer is wiped at once. */
  secret = g_strndup (line, length);
  explicit_bzero (line, capacity);
  free (line);

  if (length > MAX_CREDENTIAL_LENGTH || !credential_is_plausible (secret))
    {
      herald_secret_wipe_free (secret);
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                   /* TRANSLATORS: %s names a credential, such as "API key" */
                   _ ("The %s on standard input is not a valid credential"), _ (spec->prompt));
      return NULL;
    }
  return secret;
}

static int
account_add (int argc, char **argv)
{
  g_autoptr (HeraldAccountStore) store = NULL;
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func (herald_secret_wipe_free);
  const HeraldProviderInfo *info;
  const HeraldCredentialSpec *specs;
  gboolean have_label = FALSE;
  gboolean interactive;
  guint n_specs;
  int status = EXIT_OK;

  if (argc < 1 || g_str_has_prefix (argv[0], "-"))
    return fail (EXIT_USAGE, _ ("Name a provider: skinshark, hashi, coinvoyage, dimes or pally"));
  info = herald_provider_info_lookup (argv[0]);
  if (info == NULL)
    return fail (EXIT_USAGE,
                 _ ("Unknown provider “%s”: use skinshark, hashi, coinvoyage, dimes or pally"),
                 argv[0]);

  account = herald_account_new (info->kind, NULL);
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *key = NULL;
      const char *value;
      const char *eq;

      if (!g_str_has_prefix (argv[i], "--") || argv[i][2] == '\0')
        return fail (EXIT_USAGE, _ ("Unexpected argument “%s”"), argv[i]);
      if (g_str_equal (argv[i], "--disabled"))
        {
          herald_account_set_enabled (account, FALSE);
          continue;
        }
      eq = strchr (argv[i], '=');
      if (eq != NULL)
        {
          key = g_strndup (argv[i] + 2, eq - argv[i] - 2);
          value = eq + 1;
        }
      else
        {
          key = g_strdup (argv[i] + 2);
          if (i + 1 >= argc)
            return fail (EXIT_USAGE, _ ("The option --%s needs a value"), key);
          value = argv[++i];
        }

      if (g_str_equal (key, "label"))
        {
          herald_account_set_label (account, value);
          have_label = TRUE;
        }
      else if (g_str_equal (key, "endpoint"))
        herald_account_set_endpoint (account, value);
      else
        herald_account_add_option_value (account, key, value);
    }
  if (!have_label)
    return fail (EXIT_USAGE, _ ("Give the account a name with --label"));
  if (!herald_account_validate (account, &error))
    return fail (EXIT_USAGE, "%s", error->message);

  store = open_account_store (&status);
  if (store == NULL)
    return status;

  /* Every credential is read before anything is written anywhere. */
  interactive = isatty (STDIN_FILENO);
  specs = herald_account_get_credentials (account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    {
      char *secret = read_credential (stdin, &specs[i], interactive, &error);

      if (error != NULL)
        return fail (EXIT_USAGE, "%s", error->message);
      g_ptr_array_add (secrets, secret);
    }
  if (info->kind == HERALD_PROVIDER_COINVOYAGE
      && herald_account_get_option_values (account, "order")[0] == NULL)
    {
      for (guint i = 0; i < n_specs; i++)
        if (g_str_equal (specs[i].field, "api-secret") && g_ptr_array_index (secrets, i) == NULL)
          return fail (EXIT_USAGE,
                       _ ("Watching a whole CoinVoyage organization needs the API secret "
                          "(the second line on standard input); or name orders with --order"));
    }

  for (guint i = 0; i < n_specs; i++)
    {
      const char *secret = g_ptr_array_index (secrets, i);
      g_autofree char *label = NULL;

      if (secret == NULL)
        continue;
      /* TRANSLATORS: keyring item label: account label, provider name, credential name */
      label = g_strdup_printf (_ ("%s on %s: %s (Herald)"), herald_account_get_label (account),
                               info->name, _ (specs[i].prompt));
      if (!store_secret_sync (herald_account_get_id (account), specs[i].field, label, secret,
                              &error))
        {
          /* Take back what got stored before the failure: nothing half-written. */
          clear_secrets_sync (herald_account_get_id (account), NULL);
          return fail (EXIT_FAILED, _ ("The account was not added: %s"), error->message);
        }
    }

  if (!herald_account_store_add (store, account, &error))
    {
      clear_secrets_sync (herald_account_get_id (account), NULL);
      return fail (EXIT_FAILED, _ ("The account was not added: %s"), error->message);
    }

  g_print ("%s\n", herald_account_get_id (account));
  return EXIT_OK;
}

static int
account_remove (int argc, char **argv)
{
  g_autoptr (HeraldAccountStore) store = NULL;
  g_autoptr (GError) error = NULL;
  int status = EXIT_OK;

  if (argc != 1 || g_str_has_prefix (argv[0], "-"))
    return fail (EXIT_USAGE, _ ("Usage: herald account remove ID"));

  store = open_account_store (&status);
  if (store == NULL)
    return status;
  if (herald_account_store_lookup (store, argv[0]) == NULL)
    return fail (EXIT_USAGE, _ ("There is no account “%s”; “herald account list” shows the ids"),
                 argv[0]);

  /* Keys first: an account left without keys asks for them again, while keys left
   * without their account would linger in the keyring unseen. */
  if (!clear_secrets_sync (argv[0], &error))
    return fail (EXIT_FAILED, _ ("The account was kept because its keys could not be removed: %s"),
                 error->message);
  if (!herald_account_store_remove (store, argv[0], &error))
    return fail (EXIT_FAILED, "%s", error->message);
  return EXIT_OK;
}

static void
print_event_json (HeraldEvent *event)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *time = herald_format_iso8601 (herald_event_get_occurred (event));
  g_autofree char *received = herald_format_iso8601 (herald_event_get_received (event));
  g_autofree char *line = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, herald_event_get_id (event));
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, herald_event_get_account (event));
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, herald_event_get_provider (event));
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, herald_event_get_event_type (event));
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder,
                                 herald_category_to_string (herald_event_get_category (event)));
  json_builder_set_member_name (builder, "severity");
  json_builder_add_string_value (builder,
                                 herald_severity_to_string (herald_event_get_severity (event)));
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, herald_event_get_title (event));
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, herald_event_get_body (event));
  json_builder_set_member_name (builder, "link");
  if (herald_event_get_link (event) != NULL)
    json_builder_add_string_value (builder, herald_event_get_link (event));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time);
  json_builder_set_member_name (builder, "received");
  json_builder_add_string_value (builder, received);
  json_builder_set_member_name (builder, "read");
  json_builder_add_boolean_value (builder, herald_event_get_read (event));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  line = node_to_text (root);
  g_print ("%s\n", line);
}

static void
print_event_text (HeraldEvent *event, HeraldAccountStore *store)
{
  HeraldAccount *account
    = store ? herald_account_store_lookup (store, herald_event_get_account (event)) : NULL;
  g_autoptr (GDateTime) utc
    = g_date_time_new_from_unix_utc (herald_event_get_occurred (event) / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
  g_autofree char *who
    = printable (account ? herald_account_get_label (account) : herald_event_get_account (event));
  g_autofree char *title = printable (herald_event_get_title (event));
  g_autofree char *body = printable (herald_event_get_body (event));

  g_print ("%s  %-16s  %s%s%s%s\n", when, who,
           herald_event_get_severity (event) == HERALD_SEVERITY_CRITICAL ? "!! " : "", title,
           *body ? " — " : "", body);
}

static gboolean
parse_limit (const char *text, guint *out_limit)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &value, NULL))
    return FALSE;
  *out_limit = (guint)value;
  return TRUE;
}

static int
history (int argc, char **argv)
{
  HeraldHistoryQuery query = HERALD_HISTORY_QUERY_INIT;
  g_autoptr (HeraldHistory) history = NULL;
  g_autoptr (HeraldAccountStore) store = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = herald_history_default_path ();
  gboolean as_json = FALSE;

  query.limit = DEFAULT_HISTORY_LIMIT;
  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = (i + 1 < argc) ? argv[i + 1] : NULL;

      if (g_str_equal (arg, "--json"))
        as_json = TRUE;
      else if (g_str_equal (arg, "--unread"))
        query.unread_only = TRUE;
      else if (g_str_equal (arg, "--limit") || g_str_equal (arg, "--account")
               || g_str_equal (arg, "--category") || g_str_equal (arg, "--search"))
        {
          if (value == NULL)
            return fail (EXIT_USAGE, _ ("The option %s needs a value"), arg);
          i++;
          if (g_str_equal (arg, "--limit"))
            {
              if (!parse_limit (value, &query.limit))
                return fail (EXIT_USAGE, _ ("--limit needs a whole number of at least 1, not “%s”"),
                             value);
            }
          else if (g_str_equal (arg, "--account"))
            query.account = value;
          else if (g_str_equal (arg, "--search"))
            query.text = value;
          else
            {
              HeraldCategory category;

              if (!herald_category_from_string (value, &category))
                return fail (
                  EXIT_USAGE,
                  _ ("Unknown category “%s”: use deposit, trade, lobby, contract, storage, "
                     "order, position, tip or system"),
                  value);
              query.category = category;
            }
        }
      else
        return fail (EXIT_USAGE, _ ("Unknown argument “%s” for “history”"), arg);
    }

  /* Reading the history must not create one. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!as_json)
        g_print ("%s\n", _ ("No events yet."));
      return EXIT_OK;
    }

  history = herald_history_open (path, &error);
  if (history == NULL)
    return fail (EXIT_FAILED, "%s", error->message);
  if (herald_history_get_moved_aside_path (history) != NULL)
    g_printerr (
      _ ("herald: the history was damaged; it was moved to %s and a new one was started\n"),
      herald_history_get_moved_aside_path (history));

  events = herald_history_query (history, &query, &error);
  if (events == NULL)
    return fail (EXIT_FAILED, "%s", error->message);

  if (!as_json)
    {
      int ignored;

      store = open_account_store (&ignored);
      if (events->len == 0)
        g_print ("%s\n", _ ("No events yet."));
    }
  for (guint i = 0; i < events->len; i++)
    {
      if (as_json)
        print_event_json (g_ptr_array_index (events, i));
      else
        print_event_text (g_ptr_array_index (events, i), store);
    }
  return EXIT_OK;
}

static int
account_command (int argc, char **argv)
{
  if (argc < 1)
    return fail (EXIT_USAGE, _ ("Usage: herald account list|add|remove …"));
  if (g_str_equal (argv[0], "list"))
    return account_list (argc - 1, argv + 1);
  if (g_str_equal (argv[0], "add"))
    return account_add (argc - 1, argv + 1);
  if (g_str_equal (argv[0], "remove"))
    return account_remove (argc - 1, argv + 1);
  return fail (EXIT_USAGE, _ ("Unknown account command “%s”: use list, add or remove"), argv[0]);
}

gboolean
herald_cli_handles (int argc, char **argv)
{
  if (argc < 2)
    return FALSE;
  return g_str_equal (argv[1], "account") || g_str_equal (argv[1], "history")
         || g_str_equal (argv[1], "--version") || g_str_equal (argv[1], "--help")
         || g_str_equal (argv[1], "-h");
}

int
herald_cli_run (int argc, char **argv)
{
  const char *command = argv[1];

  /* Standard output is for results scripts parse; diagnostics, debug ones included, go to stderr.
   */
  g_log_writer_default_set_use_stderr (TRUE);

  if (g_str_equal (command, "--version"))
    {
      g_print ("herald %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h"))
    {
      print_usage ();
      return EXIT_OK;
    }
  if (g_str_equal (command, "account"))
    return account_command (argc - 2, argv + 2);
  return history (argc - 2, argv + 2);
}
