/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account.c — an account's fields and options, and the rules that make it usable.
 * Validation lives here so the command line, the store and the preferences agree. */
#define G_LOG_DOMAIN "herald-account"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "herald-account.h"

struct _HeraldAccount
{
  GObject parent_instance;

  char *id;
  HeraldProviderKind provider;
  char *label;
  char *endpoint;
  gboolean enabled;
  /* key → non-empty GStrv; a cleared option has no entry, so "unset" and "empty" agree. */
  GHashTable *options;

  /* herald_account_assign() batches several changes into one "changed". */
  guint changes_frozen;
  gboolean change_pending;
};

G_DEFINE_FINAL_TYPE (HeraldAccount, herald_account, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (herald-account-error-quark, herald_account_error)
/* clang-format on */

enum
{
  PROP_0,
  PROP_ID,
  PROP_PROVIDER,
  PROP_LABEL,
  PROP_ENDPOINT,
  PROP_ENABLED,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char *const no_values[] = { NULL };

/* Long enough to recognise a value in an error message, short enough to keep it one line. */
#define DISPLAY_MAX_CHARS 40

/* g_set_str() is GLib 2.76; Herald builds against 2.74. */
static gboolean
replace_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static void
emit_changed (HeraldAccount *self)
{
  if (self->changes_frozen > 0)
    self->change_pending = TRUE;
  else
    g_signal_emit (self, signals[CHANGED], 0);
}

static char *
generate_id (HeraldProviderKind provider)
{
  guint32 value;

  /* getrandom() rather than g_random_*(): ids must not repeat across processes started in
   * the same instant, and GRand's seeding gives no such promise. */
  if (getrandom (&value, sizeof value, 0) != (ssize_t)sizeof value)
    {
      g_debug ("getrandom failed (%s); falling back to GRand", g_strerror (errno));
      value = g_random_int ();
    }
  return g_strdup_printf ("%s-%08" G_GINT32_MODIFIER "x", herald_provider_info_get (provider)->id,
                          value);
}

/* A copy of untrusted text that is safe to put in a one-line error message. */
static char *
display_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (n == DISPLAY_MAX_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_LINE_SEPARATOR
          || g_unichar_type (c) == G_UNICODE_PARAGRAPH_SEPARATOR)
        g_string_append_unichar (out, 0xFFFD);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Line and paragraph separators count too: labels are shown on one line in menus. */
static gboolean
has_control_character (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_CONTROL || type == G_UNICODE_LINE_SEPARATOR
          || type == G_UNICODE_PARAGRAPH_SEPARATOR)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static gboolean
validate_label (const char *label, GError **error)
{
  if (!g_utf8_validate (label, -1, NULL))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_LABEL,
                   _ ("The label is not valid UTF-8"));
      return FALSE;
    }
  if (is_blank (label))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_LABEL,
                   _ ("The label is empty"));
      return FALSE;
    }
  if (g_utf8_strlen (label, -1) > HERALD_ACCOUNT_LABEL_MAX)
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_LABEL,
                   _ ("The label is longer than %d characters"), HERALD_ACCOUNT_LABEL_MAX);
      return FALSE;
    }
  if (has_control_character (label))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_LABEL,
                   _ ("The label contains a control character"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
herald_endpoint_validate (const char *uri, GError **error)
{
  g_autoptr (GUri) parsed = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *scheme;
  const char *host;
  gboolean secure;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (uri == NULL || *uri == '\0')
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _ ("The endpoint is empty"));
      return FALSE;
    }

  /* GUri lets these through, but no URL may contain them and a host with a space in it
   * would only fail later, at connection time, with a less helpful message. */
  for (const char *p = uri; *p != '\0'; p++)
    if ((guchar)*p <= 0x20 || *p == 0x7f)
      {
        g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT,
                     _ ("The endpoint contains spaces or control characters"));
        return FALSE;
      }
  if (!g_utf8_validate (uri, -1, NULL))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _ ("The endpoint is not valid UTF-8"));
      return FALSE;
    }

  /* ENCODED: the URL is used as written, so it is checked as written. */
  parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, &local_error);
  if (parsed == NULL)
    {
      /* GLib's message quotes the whole URL, query and all: keep it out of the user's view. */
      g_debug ("Endpoint does not parse as a URL");
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _ ("The endpoint is not a valid URL"));
      return FALSE;
    }

  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    secure = TRUE;
  else if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    secure = FALSE;
  else
    {
      g_autofree char *shown = display_text (scheme);

      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _ ("The endpoint must be an https:// or wss:// URL, not “%s:”"), shown);
      return FALSE;
    }

  host = g_uri_get_host (parsed);
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _ ("The endpoint has no host name"));
      return FALSE;
    }

  if (g_uri_get_password (parsed) != NULL)
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _ ("The endpoint must not contain a password; credentials are asked for "
                      "separately"));
      return FALSE;
    }

  if (!secure && !host_is_loopback (host))
    {
      g_autofree char *shown = display_text (host);

      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT,
                   _ ("The endpoint host “%s” must be reached over https:// or wss://; "
                      "unencrypted connections are only allowed to this computer"),
                   shown);
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_free_text (const char *key, const char *value, GError **error)
{
  if (*value == '\0')
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                   _ ("The “%s” value is empty"), key);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                   _ ("The “%s” value is not valid UTF-8"), key);
      return FALSE;
    }
  if (g_utf8_strlen (value, -1) > HERALD_ACCOUNT_OPTION_VALUE_MAX)
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                   _ ("The “%s” value is longer than %d characters"), key,
                   HERALD_ACCOUNT_OPTION_VALUE_MAX);
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c)
          || g_unichar_type (c) == G_UNICODE_LINE_SEPARATOR
          || g_unichar_type (c) == G_UNICODE_PARAGRAPH_SEPARATOR)
        {
          g_autofree char *shown = display_text (value);

          g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                       _ ("The “%s” value “%s” contains spaces or control characters"), key, shown);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate_option (HeraldAccount *self, const HeraldProviderOption *option, GError **error)
{
  const HeraldProviderInfo *info = herald_account_get_provider_info (self);
  const char *const *values = herald_account_get_option_values (self, option->key);
  guint n_values = g_strv_length ((char **)values);

  if (option->depends_on != NULL)
    {
      gboolean applies
        = g_strcmp0 (herald_account_get_option (self, option->depends_on), option->depends_value)
          == 0;

      if (!applies && n_values > 0)
        {
          g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                       _ ("The “%s” option only applies when “%s” is “%s”"), option->key,
                       option->depends_on, option->depends_value);
          return FALSE;
        }
      if (applies && option->required && n_values == 0)
        {
          g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_MISSING_OPTION,
                       _ ("The “%s” option is needed when “%s” is “%s”"), option->key,
                       option->depends_on, option->depends_value);
          return FALSE;
        }
    }
  else if (option->required && n_values == 0 && option->default_value == NULL)
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_MISSING_OPTION,
                   _ ("%s accounts need the “%s” option"), info->name, option->key);
      return FALSE;
    }

  if (!option->repeatable && n_values > 1)
    {
      g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                   _ ("The “%s” option can be given only once"), option->key);
      return FALSE;
    }

  for (guint i = 0; i < n_values; i++)
    {
      if (option->choices != NULL)
        {
          if (!herald_provider_option_allows (option, values[i]))
            {
              g_autofree char *shown = display_text (values[i]);
              g_autofree char *allowed = g_strjoinv (", ", (char **)option->choices);

              g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                           _ ("“%s” is not a valid “%s” value; allowed values: %s"), shown,
                           option->key, allowed);
              return FALSE;
            }
        }
      else if (!validate_free_text (option->key, values[i], error))
        return FALSE;

      for (guint j = 0; j < i; j++)
        if (g_str_equal (values[i], values[j]))
          {
            g_autofree char *shown = display_text (values[i]);

            g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_INVALID_OPTION,
                         _ ("“%s” is given twice for “%s”"), shown, option->key);
            return FALSE;
          }
    }

  return TRUE;
}

static gboolean
validate_options (HeraldAccount *self, GError **error)
{
  const HeraldProviderInfo *info = herald_account_get_provider_info (self);
  g_auto (GStrv) keys = herald_account_dup_option_keys (self);

  /* Unknown keys first: a misspelt option explains the "missing" one after it. */
  for (guint i = 0; keys[i] != NULL; i++)
    if (herald_provider_info_find_option (info, keys[i]) == NULL)
      {
        g_autofree char *shown = display_text (keys[i]);

        g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_UNKNOWN_OPTION,
                     _ ("%s accounts have no “%s” option"), info->name, shown);
        return FALSE;
      }

  for (guint i = 0; i < info->n_options; i++)
    if (!validate_option (self, &info->options[i], error))
      return FALSE;

  return TRUE;
}

static void
herald_account_constructed (GObject *object)
{
  HeraldAccount *self = HERALD_ACCOUNT (object);

  G_OBJECT_CLASS (herald_account_parent_class)->constructed (object);

  if (self->id == NULL)
    self->id = generate_id (self->provider);
  if (self->endpoint == NULL)
    self->endpoint = g_strdup (herald_provider_info_get (self->provider)->default_endpoint);
}

static void
herald_account_finalize (GObject *object)
{
  HeraldAccount *self = HERALD_ACCOUNT (object);

  g_free (self->id);
  g_free (self->label);
  g_free (self->endpoint);
  g_hash_table_unref (self->options);

  G_OBJECT_CLASS (herald_account_parent_class)->finalize (object);
}

static void
herald_account_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HeraldAccount *self = HERALD_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PROVIDER:
      g_value_set_enum (value, self->provider);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_ENDPOINT:
      g_value_set_string (value, self->endpoint);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_account_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  HeraldAccount *self = HERALD_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      {
        const char *id = g_value_get_string (value);

        if (id != NULL && !herald_account_id_is_valid (id))
          g_critical ("Invalid account id; generating one instead");
        else
          self->id = g_strdup (id);
      }
      break;
    case PROP_PROVIDER:
      self->provider = g_value_get_enum (value);
      break;
    case PROP_LABEL:
      herald_account_set_label (self, g_value_get_string (value));
      break;
    case PROP_ENDPOINT:
      herald_account_set_endpoint (self, g_value_get_string (value));
      break;
    case PROP_ENABLED:
      herald_account_set_enabled (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_account_class_init (HeraldAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = herald_account_constructed;
  object_class->finalize = herald_account_finalize;
  object_class->get_property = herald_account_get_property;
  object_class->set_property = herald_account_set_property;

  properties[PROP_ID] = g_param_spec_string (
    "id", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROVIDER] = g_param_spec_enum (
    "provider", NULL, NULL, HERALD_TYPE_PROVIDER_KIND, HERALD_PROVIDER_SKINSHARK,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] = g_param_spec_string (
    "label", NULL, NULL, "", G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENDPOINT]
    = g_param_spec_string ("endpoint", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENABLED]
    = g_param_spec_boolean ("enabled", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Once per setter call that changed something (property or option), so a single handler
   * can save or redraw without listening to every notify. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);
}

static void
herald_account_init (HeraldAccount *self)
{
  self->label = g_strdup ("");
  self->enabled = TRUE;
  self->options
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
}

HeraldAccount *
herald_account_new (HeraldProviderKind provider, const char *id)
{
  g_return_val_if_fail ((guint)provider < HERALD_N_PROVIDERS, NULL);
  g_return_val_if_fail (id == NULL || herald_account_id_is_valid (id), NULL);

  return g_object_new (HERALD_TYPE_ACCOUNT, "provider", provider, "id", id, NULL);
}

HeraldAccount *
herald_account_copy (HeraldAccount *self)
{
  HeraldAccount *copy;

  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), NULL);

  copy = herald_account_new (self->provider, self->id);
  herald_account_assign (copy, self);
  return copy;
}

void
herald_account_assign (HeraldAccount *self, HeraldAccount *source)
{
  g_auto (GStrv) old_keys = NULL;
  g_auto (GStrv) new_keys = NULL;

  g_return_if_fail (HERALD_IS_ACCOUNT (self));
  g_return_if_fail (HERALD_IS_ACCOUNT (source));
  g_return_if_fail (self->provider == source->provider);
  g_return_if_fail (g_str_equal (self->id, source->id));

  if (self == source)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->changes_frozen++;

  herald_account_set_label (self, source->label);
  herald_account_set_endpoint (self, source->endpoint);
  herald_account_set_enabled (self, source->enabled);

  old_keys = herald_account_dup_option_keys (self);
  for (guint i = 0; old_keys[i] != NULL; i++)
    if (!g_hash_table_contains (source->options, old_keys[i]))
      herald_account_set_option_values (self, old_keys[i], NULL);
  new_keys = herald_account_dup_option_keys (source);
  for (guint i = 0; new_keys[i] != NULL; i++)
    herald_account_set_option_values (self, new_keys[i],
                                      herald_account_get_option_values (source, new_keys[i]));

  self->changes_frozen--;
  if (self->change_pending)
    {
      self->change_pending = FALSE;
      emit_changed (self);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const HeraldProviderInfo *
herald_account_parse_provider (const char *id, GError **error)
{
  const HeraldProviderInfo *info = herald_provider_info_lookup (id);
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) names = NULL;
  g_autofree char *known = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (info != NULL)
    return info;

  builder = g_strv_builder_new ();
  for (guint i = 0; i < HERALD_N_PROVIDERS; i++)
    g_strv_builder_add (builder, herald_provider_info_get (i)->id);
  names = g_strv_builder_end (builder);
  known = g_strjoinv (", ", names);
  shown = display_text (id != NULL ? id : "");
  g_set_error (error, HERALD_ACCOUNT_ERROR, HERALD_ACCOUNT_ERROR_UNKNOWN_PROVIDER,
               _ ("Unknown provider “%s”; known providers: %s"), shown, known);
  return NULL;
}

gboolean
herald_account_id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;
  len = strlen (id);
  if (len == 0 || len > HERALD_ACCOUNT_ID_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
      return FALSE;
  return TRUE;
}

const char *
herald_account_get_id (HeraldAccount *self)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), NULL);
  return self->id;
}

HeraldProviderKind
herald_account_get_provider (HeraldAccount *self)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), HERALD_PROVIDER_SKINSHARK);
  return self->provider;
}

const HeraldProviderInfo *
herald_account_get_provider_info (HeraldAccount *self)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), NULL);
  return herald_provider_info_get (self->provider);
}

const char *
herald_account_get_label (HeraldAccount *self)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), NULL);
  return self->label;
}

void
herald_account_set_label (HeraldAccount *self, const char *label)
{
  g_return_if_fail (HERALD_IS_ACCOUNT (self));

  if (label == NULL)
    label = "";
  if (replace_string (&self->label, label))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
      emit_changed (self);
    }
}

const char *
herald_account_get_endpoint (HeraldAccount *self)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), NULL);
  return self->endpoint;
}

void
herald_account_set_endpoint (HeraldAccount *self, const char *endpoint)
{
  g_return_if_fail (HERALD_IS_ACCOUNT (self));

  if (endpoint == NULL)
    endpoint = herald_provider_info_get (self->provider)->default_endpoint;
  if (replace_string (&self->endpoint, endpoint))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDPOINT]);
      emit_changed (self);
    }
}

gboolean
herald_account_get_enabled (HeraldAccount *self)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), FALSE);
  return self->enabled;
}

void
herald_account_set_enabled (HeraldAccount *self, gboolean enabled)
{
  g_return_if_fail (HERALD_IS_ACCOUNT (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
  emit_changed (self);
}

const char *
herald_account_get_option (HeraldAccount *self, const char *key)
{
  const char *const *values;
  const HeraldProviderOption *option;

  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  values = herald_account_get_option_values (self, key);
  if (values[0] != NULL)
    return values[0];
  option = herald_provider_info_find_option (herald_account_get_provider_info (self), key);
  return option != NULL ? option->default_value : NULL;
}

const char *const *
herald_account_get_option_values (HeraldAccount *self, const char *key)
{
  const char *const *values;

  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), no_values);
  g_return_val_if_fail (key != NULL, no_values);

  values = g_hash_table_lookup (self->options, key);
  return values != NULL ? values : no_values;
}

void
herald_account_set_option_values (HeraldAccount *self, const char *key, const char *const *values)
{
  g_return_if_fail (HERALD_IS_ACCOUNT (self));
  g_return_if_fail (key != NULL);

  if (values == NULL)
    values = no_values;
  if (g_strv_equal (herald_account_get_option_values (self, key), values))
    return;

  if (values[0] == NULL)
    g_hash_table_remove (self->options, key);
  else
    g_hash_table_insert (self->options, g_strdup (key), g_strdupv ((char **)values));
  emit_changed (self);
}

void
herald_account_add_option_value (HeraldAccount *self, const char *key, const char *value)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) values = NULL;

  g_return_if_fail (HERALD_IS_ACCOUNT (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (value != NULL);

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **)herald_account_get_option_values (self, key));
  g_strv_builder_add (builder, value);
  values = g_strv_builder_end (builder);
  g_hash_table_insert (self->options, g_strdup (key), g_steal_pointer (&values));
  emit_changed (self);
}

char **
herald_account_dup_option_keys (HeraldAccount *self)
{
  g_autofree const char **keys = NULL;
  guint n_keys;

  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), NULL);

  keys = (const char **)g_hash_table_get_keys_as_array (self->options, &n_keys);
  qsort (keys, n_keys, sizeof (char *), compare_strings);
  return g_strdupv ((char **)keys);
}

const HeraldCredentialSpec *
herald_account_get_credentials (HeraldAccount *self, guint *n_specs)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), NULL);

  return herald_provider_info_get_credentials (
    herald_account_get_provider_info (self), herald_account_get_option (self, "gateway"), n_specs);
}

gboolean
herald_account_validate (HeraldAccount *self, GError **error)
{
  g_return_val_if_fail (HERALD_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return validate_label (self->label, error) && herald_endpoint_validate (self->endpoint, error)
         && validate_options (self, error);
}

gboolean
herald_account_equal (HeraldAccount *a, HeraldAccount *b)
{
  GHashTableIter iter;
  gpointer key, values;

  g_return_val_if_fail (HERALD_IS_ACCOUNT (a), FALSE);
  g_return_val_if_fail (HERALD_IS_ACCOUNT (b), FALSE);

  if (a == b)
    return TRUE;
  if (a->provider != b->provider || !g_str_equal (a->id, b->id) || !g_str_equal (a->label, b->label)
      || !g_str_equal (a->endpoint, b->endpoint) || a->enabled != b->enabled
      || g_hash_table_size (a->options) != g_hash_table_size (b->options))
    return FALSE;

  /* Same size and every key of a found in b with equal values: the key sets are equal. */
  g_hash_table_iter_init (&iter, a->options);
  while (g_hash_table_iter_next (&iter, &key, &values))
    if (!g_strv_equal (values, herald_account_get_option_values (b, key)))
      return FALSE;
  return TRUE;
}
