/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-feed.c — the feed base class: credentials, timing, and the calls a provider makes
 * into its connection. Providers override the class methods; see herald-feed.h. */
#define G_LOG_DOMAIN "herald-feed"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-secret.h"
#include "herald-feed-private.h"

typedef struct
{
  HeraldAccount *account;
  GHashTable *credentials;
  HeraldFeedTiming timing;
  HeraldJsonDoc *doc; /* created on first use: a feed that never parses holds no tokens */
  guint retry_after_ms;
  gboolean authenticated; /* the current socket's handshake has confirmed the session */
  const HeraldFeedSink *sink;
  gpointer sink_data;
} HeraldFeedPrivate;

/* The quark name is stringified: spaces that clang-format would add would change it. */
/* clang-format off */
G_DEFINE_QUARK (herald-feed-error-quark, herald_feed_error)
/* clang-format on */
G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (HeraldFeed, herald_feed, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ACCOUNT,
  PROP_AUTHENTICATED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
default_prepare_async (HeraldFeed *self, SoupSession *session, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, default_prepare_async);
  g_task_return_boolean (task, TRUE);
}

static gboolean
default_prepare_finish (HeraldFeed *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
default_opened (HeraldFeed *self, SoupWebsocketConnection *socket, GError **error)
{
  return TRUE;
}

static void
default_heartbeat (HeraldFeed *self)
{
}

static HeraldCloseAction
default_closed (HeraldFeed *self, gushort code, const char *reason, char **out_reason)
{
  return HERALD_CLOSE_RECONNECT;
}

static void
herald_feed_finalize (GObject *object)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (HERALD_FEED (object));

  g_clear_object (&priv->account);
  g_clear_pointer (&priv->credentials, g_hash_table_unref);
  g_clear_pointer (&priv->doc, herald_json_doc_free);
  G_OBJECT_CLASS (herald_feed_parent_class)->finalize (object);
}

static void
herald_feed_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (HERALD_FEED (object));

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, priv->account);
      break;
    case PROP_AUTHENTICATED:
      g_value_set_boolean (value, priv->authenticated);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_feed_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (HERALD_FEED (object));

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      priv->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
herald_feed_class_init (HeraldFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = herald_feed_finalize;
  object_class->get_property = herald_feed_get_property;
  object_class->set_property = herald_feed_set_property;

  klass->prepare_async = default_prepare_async;
  klass->prepare_finish = default_prepare_finish;
  klass->opened = default_opened;
  klass->heartbeat = default_heartbeat;
  klass->closed = default_closed;

  properties[PROP_ACCOUNT]
    = g_param_spec_object ("account", NULL, NULL, HERALD_TYPE_ACCOUNT,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTHENTICATED] = g_param_spec_boolean ("authenticated", NULL, NULL, FALSE,
                                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
herald_feed_init (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  priv->credentials
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, herald_secret_wipe_free);
}

HeraldAccount *
herald_feed_get_account (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);

  return priv->account;
}

const char *
herald_feed_get_account_id (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);

  return herald_account_get_id (priv->account);
}

const char *
herald_feed_get_provider_id (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);

  return herald_account_get_provider_info (priv->account)->id;
}

void
herald_feed_set_credential (HeraldFeed *self, const char *field, const char *secret)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_FEED (self));
  g_return_if_fail (field != NULL);

  if (secret == NULL)
    g_hash_table_remove (priv->credentials, field);
  else
    g_hash_table_replace (priv->credentials, g_strdup (field), g_strdup (secret));
}

const char *
herald_feed_get_credential (HeraldFeed *self, const char *field)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  return g_hash_table_lookup (priv->credentials, field);
}

char *
herald_feed_redact (HeraldFeed *self, const char *text)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);
  g_autoptr (GString) redacted = g_string_new (text ? text : "");
  GHashTableIter iter;
  gpointer secret;

  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);

  g_hash_table_iter_init (&iter, priv->credentials);
  while (g_hash_table_iter_next (&iter, NULL, &secret))
    /* Very short values would match ordinary words; no real key is that short. */
    if (strlen (secret) >= 6)
      g_string_replace (redacted, secret, "…", 0);
  return g_string_free (g_steal_pointer (&redacted), FALSE);
}

void
herald_feed_set_timing (HeraldFeed *self, const HeraldFeedTiming *timing)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_FEED (self));
  g_return_if_fail (timing != NULL);

  priv->timing = *timing;
}

const HeraldFeedTiming *
herald_feed_get_timing (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);

  return &priv->timing;
}

void
herald_feed_set_retry_after_ms (HeraldFeed *self, guint retry_after_ms)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_FEED (self));

  priv->retry_after_ms = retry_after_ms;
}

guint
herald_feed_get_retry_after_ms (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_FEED (self), 0);

  return priv->retry_after_ms;
}

static void
set_authenticated (HeraldFeed *self, gboolean authenticated)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  if (priv->authenticated == authenticated)
    return;
  priv->authenticated = authenticated;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTHENTICATED]);
}

void
herald_feed_authenticated (HeraldFeed *self)
{
  g_return_if_fail (HERALD_IS_FEED (self));

  if (!herald_feed_is_authenticated (self))
    g_debug ("%s: the server confirmed the session", herald_feed_get_account_id (self));
  set_authenticated (self, TRUE);
}

gboolean
herald_feed_is_authenticated (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_val_if_fail (HERALD_IS_FEED (self), FALSE);

  return priv->authenticated;
}

void
herald_feed_reset_authenticated (HeraldFeed *self)
{
  g_return_if_fail (HERALD_IS_FEED (self));

  set_authenticated (self, FALSE);
}

void
herald_feed_set_sink (HeraldFeed *self, const HeraldFeedSink *sink, gpointer data)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_FEED (self));

  priv->sink = sink;
  priv->sink_data = data;
}

void
herald_feed_send_text (HeraldFeed *self, const char *text)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_FEED (self));
  g_return_if_fail (text != NULL);

  if (priv->sink != NULL)
    priv->sink->send_text (priv->sink_data, text);
}

void
herald_feed_emit (HeraldFeed *self, HeraldEvent *event)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (event != NULL);
  g_return_if_fail (HERALD_IS_FEED (self));

  if (priv->sink != NULL)
    priv->sink->emit (priv->sink_data, event);
  herald_event_unref (event);
}

void
herald_feed_malformed (HeraldFeed *self, const char *format, ...)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);
  g_autofree char *why = NULL;
  va_list args;

  g_return_if_fail (HERALD_IS_FEED (self));
  g_return_if_fail (format != NULL);

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("%s: dropped a message: %s", herald_feed_get_account_id (self), why);
  if (priv->sink != NULL)
    priv->sink->malformed (priv->sink_data, why);
}

void
herald_feed_fail (HeraldFeed *self, GError *error)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (error != NULL);
  g_return_if_fail (HERALD_IS_FEED (self));

  if (priv->sink != NULL)
    priv->sink->fail (priv->sink_data, error);
  else
    g_error_free (error);
}

void
herald_feed_reconnect (HeraldFeed *self, gboolean reauthenticate, const char *reason)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_FEED (self));

  if (priv->sink != NULL)
    priv->sink->reconnect (priv->sink_data, reauthenticate, reason);
}

void
herald_feed_expect_reply (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_FEED (self));

  if (priv->sink != NULL)
    priv->sink->expect_reply (priv->sink_data);
}

void
herald_feed_reply_received (HeraldFeed *self)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);

  g_return_if_fail (HERALD_IS_FEED (self));

  if (priv->sink != NULL)
    priv->sink->reply_received (priv->sink_data);
}

HeraldJsonDoc *
herald_feed_get_json_doc (HeraldFeed *self)
{
  HeraldFeedPrivate *priv;

  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);

  priv = herald_feed_get_instance_private (self);
  if (priv->doc == NULL)
    priv->doc = herald_json_doc_new ();
  return priv->doc;
}

HeraldJsonNode
herald_feed_parse_json (HeraldFeed *self, const char *data, gsize length)
{
  g_autoptr (GError) error = NULL;
  HeraldJsonDoc *doc;

  g_return_val_if_fail (HERALD_IS_FEED (self), HERALD_JSON_NODE_NONE);
  g_return_val_if_fail (data != NULL || length == 0, HERALD_JSON_NODE_NONE);

  doc = herald_feed_get_json_doc (self);
  if (!herald_json_doc_parse (doc, data, length, &error))
    {
      herald_feed_malformed (self, "%s", error->message);
      return HERALD_JSON_NODE_NONE;
    }
  return herald_json_doc_root (doc);
}

HeraldEvent *
herald_feed_new_event (HeraldFeed *self, const char *type, const char *dedupe_id, const char *frame,
                       gsize length)
{
  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (dedupe_id != NULL, NULL);

  return herald_event_new_with_raw (herald_feed_get_account_id (self),
                                    herald_feed_get_provider_id (self), type, dedupe_id, frame,
                                    length);
}

char *
herald_feed_raw_dedupe_id (const char *frame, gsize length)
{
  g_autofree char *checksum
    = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)frame, length);

  g_return_val_if_fail (frame != NULL || length == 0, NULL);

  return g_strconcat ("raw:", checksum, NULL);
}

HeraldEvent *
herald_feed_new_unknown_event (HeraldFeed *self, const char *type, const char *frame, gsize length)
{
  g_autofree char *dedupe = NULL;
  HeraldEvent *event;
  const char *provider;

  g_return_val_if_fail (HERALD_IS_FEED (self), NULL);
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (frame != NULL || length == 0, NULL);

  dedupe = herald_feed_raw_dedupe_id (frame, length);
  event = herald_feed_new_event (self, type, dedupe, frame, length);
  provider = herald_account_get_provider_info (herald_feed_get_account (self))->name;

  herald_event_set_category (event, HERALD_CATEGORY_SYSTEM);
  herald_event_set_unknown_type (event, TRUE);
  /* TRANSLATORS: a provider and an event name Herald does not know, e.g. "Pally: campaign.ended" */
  herald_event_take_title (event, g_strdup_printf (_ ("%s: %s"), provider, type));
  return event;
}

char *
herald_feed_build_uri (HeraldFeed *self, gboolean websocket, const char *path_suffix,
                       const char *first_param, ...)
{
  HeraldFeedPrivate *priv = herald_feed_get_instance_private (self);
  g_autoptr (GUri) base
    = g_uri_parse (herald_account_get_endpoint (priv->account), G_URI_FLAGS_ENCODED, NULL);
  g_autoptr (GString) path = NULL;
  g_autoptr (GString) query = NULL;
  g_autoptr (GUri) uri = NULL;
  const char *scheme;
  const char *name;
  va_list args;

  /* Accounts are validated before they reach a feed; this is only a safety net. */
  g_return_val_if_fail (base != NULL, NULL);

  scheme = g_uri_get_scheme (base);
  if (websocket)
    scheme = (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
               ? "wss"
               : "ws";
  else
    scheme = (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
               ? "https"
               : "http";

  path = g_string_new (g_uri_get_path (base));
  if (path_suffix != NULL)
    {
      while (path->len > 0 && path->str[path->len - 1] == '/')
        g_string_truncate (path, path->len - 1);
      g_string_append (path, path_suffix);
    }
  if (path->len == 0)
    g_string_append_c (path, '/');

  query = g_string_new (g_uri_get_query (base));
  va_start (args, first_param);
  for (name = first_param; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      if (query->len > 0)
        g_string_append_c (query, '&');
      g_string_append_uri_escaped (query, name, NULL, FALSE);
      g_string_append_c (query, '=');
      g_string_append_uri_escaped (query, value, NULL, FALSE);
    }
  va_end (args);

  uri = g_uri_build (G_URI_FLAGS_ENCODED, scheme, NULL, g_uri_get_host (base),
                     g_uri_get_port (base), path->str, query->len > 0 ? query->str : NULL, NULL);
  return g_uri_to_string (uri);
}
