/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-skinshark-token.c — SkinShark's ws-token: minted over REST for each attempt that has
 * no usable one, its expiry read, and the next one minted in the background before it lapses.
 *
 * Renewal: SkinShark checks a token only on the upgrade and has no catch-up, so a healthy
 * socket is never closed to renew one. Shortly before the token lapses the next one is minted
 * in the background on the connection's own session and kept for the next attempt; the open
 * socket stays. Should the server then close it with 4001 because the old token lapsed, the
 * socket reconnects with the ready token at once (herald-skinshark-feed.c). */
#define G_LOG_DOMAIN "herald-skinshark"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-format.h"
#include "herald-secret.h"
#include "herald-skinshark-private.h"

#define MINT_PATH "/auth/ws-token"

/* A token is renewed this long before it lapses (a quarter of its life when that is shorter). */
#define RENEW_MARGIN_S 60
/* What an unreadable expiresIn is taken to mean: the documented ~1 h. */
#define DEFAULT_LIFETIME_S 3600
#define DEFAULT_RETRY_AFTER_S 60
#define MAX_RETRY_AFTER_S 3600
/* A renewal that failed is tried again after a quarter of the margin, within these bounds:
 * several tries before the old token lapses, and never a burst against the mint. */
#define MIN_RENEW_RETRY_S 1
#define MAX_RENEW_RETRY_S 15

gboolean
herald_skinshark_parse_lifetime (const char *text, guint64 *out_seconds)
{
  guint64 total = 0;
  const char *p = text;

  g_return_val_if_fail (out_seconds != NULL, FALSE);

  if (text == NULL || *text == '\0')
    return FALSE;
  if (g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, out_seconds, NULL))
    return TRUE;
  while (*p != '\0')
    {
      guint64 value = 0;
      guint64 unit;
      const char *start = p;

      while (g_ascii_isdigit (*p))
        {
          value = value * 10 + (guint64)(*p - '0');
          if (value > G_MAXUINT32)
            return FALSE;
          p++;
        }
      if (p == start)
        return FALSE;
      switch (*p)
        {
        case 'd':
          unit = 86400;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'm':
          unit = 60;
          break;
        case 's':
          unit = 1;
          break;
        default:
          return FALSE;
        }
      p++;
      total += value * unit;
      if (total > G_MAXUINT32)
        return FALSE;
    }
  if (total == 0)
    return FALSE;
  *out_seconds = total;
  return TRUE;
}

static void
take_token (HeraldSkinsharkFeed *self, char *token, guint64 lifetime_s)
{
  guint64 margin_s = MIN (RENEW_MARGIN_S, lifetime_s / 4);

  herald_secret_wipe_free (self->token);
  self->token = token;
  self->renew_at_us = g_get_real_time () + (gint64)(lifetime_s - margin_s) * G_USEC_PER_SEC;
  self->renew_retry_at_us = 0;
  self->renew_retry_s = (guint)CLAMP (margin_s / 4, MIN_RENEW_RETRY_S, MAX_RENEW_RETRY_S);
  self->token_stale = FALSE;
  self->token_fresh = TRUE;
  self->token_serial++;
}

gboolean
herald_skinshark_token_usable (HeraldSkinsharkFeed *self)
{
  return self->token != NULL && !self->token_stale && g_get_real_time () < self->renew_at_us;
}

/* Guess: SkinShark publishes its error envelope and 1005 RATE_LIMITED, not the keys of its
 * authentication errors; these are the words such keys are made of. 401/403 are certain. */
static gboolean
mint_refused (guint status, const char *key)
{
  static const char *const words[]
    = { "AUTH", "API_KEY", "APIKEY", "UNAUTHORI", "FORBIDDEN", "INVALID_KEY" };
  g_autofree char *upper = key ? g_ascii_strup (key, -1) : NULL;

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    return TRUE;
  for (guint i = 0; upper != NULL && i < G_N_ELEMENTS (words); i++)
    if (strstr (upper, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

static guint
read_retry_after_ms (SoupMessage *message)
{
  const char *value
    = soup_message_headers_get_one (soup_message_get_response_headers (message), "retry-after");
  g_autofree char *text = g_strstrip (g_strdup (value ? value : ""));
  g_autoptr (GDateTime) when = NULL;
  g_autoptr (GDateTime) now = NULL;
  guint64 seconds = DEFAULT_RETRY_AFTER_S;

  /* Seconds, or an HTTP date; anything else keeps the default. */
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &seconds, NULL)
      && (when = soup_date_time_new_from_http_string (text)) != NULL)
    {
      now = g_date_time_new_now_utc ();
      seconds = (guint64)MAX (g_date_time_difference (when, now) / G_USEC_PER_SEC, 0);
    }
  return (guint)MIN (seconds, MAX_RETRY_AFTER_S) * 1000;
}

/* The server's own words, shown only cleaned, short, and when no secret of ours is in them. */
static char *
dup_server_message (HeraldSkinsharkFeed *self, const char *raw)
{
  const char *key = herald_feed_get_credential (HERALD_FEED (self), "api-key");
  g_autofree char *clean = NULL;

  if (raw == NULL || (key != NULL && *key != '\0' && strstr (raw, key) != NULL)
      || (self->token != NULL && strstr (raw, self->token) != NULL))
    return NULL;
  clean = herald_format_clean_text (raw, 160);
  return *clean ? g_steal_pointer (&clean) : NULL;
}

/* Reads the mint's answer: NULL once a token is stored, else why not. */
static GError *
read_mint_answer (HeraldSkinsharkFeed *self, SoupMessage *message, GBytes *body)
{
  HeraldJsonDoc *doc = herald_feed_get_json_doc (HERALD_FEED (self));
  g_autofree char *key = NULL;
  g_autofree char *raw_message = NULL;
  g_autofree char *server_message = NULL;
  g_autofree char *expires_text = NULL;
  char *token;
  guint status = soup_message_get_status (message);
  HeraldJsonNode root = HERALD_JSON_NODE_NONE;
  HeraldJsonNode error;
  HeraldJsonNode expires;
  gboolean success = FALSE;
  gint64 code = 0;
  gint64 number;
  guint64 lifetime = DEFAULT_LIFETIME_S;
  gsize size;
  const char *bytes = g_bytes_get_data (body, &size);

  if (bytes != NULL && herald_json_doc_parse (doc, bytes, size, NULL))
    root = herald_json_doc_root (doc);
  herald_json_node_get_boolean (herald_json_node_member (root, "success"), &success);
  error = herald_json_node_member (root, "error");
  key = herald_json_node_dup_member_string (error, "key");
  herald_json_node_get_int64 (herald_json_node_member (error, "code"), &code);
  raw_message = herald_json_node_dup_member_string (error, "message");
  server_message = dup_server_message (self, raw_message);
  g_debug ("%s: ws-token answer HTTP %u, success %d, error %" G_GINT64_FORMAT " %s",
           herald_feed_get_account_id (HERALD_FEED (self)), status, success, code, key ? key : "-");

  if (status == 429 /* Too Many Requests */ || code == 1005 || g_strcmp0 (key, "RATE_LIMITED") == 0)
    {
      herald_feed_set_retry_after_ms (HERALD_FEED (self), read_retry_after_ms (message));
      return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_RATE_LIMITED,
                                  _ ("SkinShark asks to slow down"));
    }
  if (mint_refused (status, key))
    return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION,
                                _ ("SkinShark refused the API key"));
  if (status >= 500 || status == SOUP_STATUS_REQUEST_TIMEOUT || status < 200 || status >= 300)
    {
      if (status >= 400 && status < 500 && status != SOUP_STATUS_REQUEST_TIMEOUT)
        /* The request itself is wrong (an unknown sub-user, say): retrying cannot help. */
        return server_message
                 ? g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                                /* TRANSLATORS: %s is SkinShark's own explanation */
                                _ ("SkinShark would not issue an access token: %s"), server_message)
                 : g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                                _ ("SkinShark would not issue an access token (HTTP %u)"), status);
      return g_error_new (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                          _ ("SkinShark could not issue an access token (HTTP %u)"), status);
    }

  token = herald_json_node_dup_string (herald_json_node_path (root, "data", "token", NULL));
  if (!success || token == NULL || *token == '\0')
    {
      herald_secret_wipe_free (token);
      return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_PROTOCOL,
                                  _ ("SkinShark answered without an access token"));
    }
  expires = herald_json_node_path (root, "data", "expiresIn", NULL);
  expires_text = herald_json_node_dup_string (expires);
  if (herald_json_node_get_int64 (expires, &number) && number > 0)
    lifetime = (guint64)MIN (number, G_MAXUINT32);
  else if (!herald_skinshark_parse_lifetime (expires_text, &lifetime))
    {
      g_debug ("unreadable expiresIn; assuming %u s", DEFAULT_LIFETIME_S);
      lifetime = DEFAULT_LIFETIME_S;
    }
  take_token (self, token, lifetime);
  return NULL;
}

static GError *
classify_transport_error (const GError *error, SoupMessage *message)
{
  g_debug ("ws-token request failed: %s", error->message);
  if (error->domain == G_TLS_ERROR || soup_message_get_tls_peer_certificate_errors (message) != 0)
    return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                                _ ("The server’s security certificate could not be verified"));
  return g_error_new_literal (HERALD_FEED_ERROR, HERALD_FEED_ERROR_UNAVAILABLE,
                              _ ("Could not reach SkinShark for an access token"));
}

static void
minted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  HeraldSkinsharkFeed *self = g_task_get_source_object (task);
  SoupMessage *message = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  GError *failure;

  self->minting = FALSE;
  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, classify_transport_error (error, message));
      return;
    }
  failure = read_mint_answer (self, message, body);
  if (failure != NULL)
    g_task_return_error (task, failure);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
header_value_valid (const char *value)
{
  for (const char *p = value; *p; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* The POST that mints a ws-token for the account's sub-user. */
static SoupMessage *
new_mint_message (HeraldSkinsharkFeed *self, GError **error)
{
  HeraldFeed *feed = HERALD_FEED (self);
  const char *key = herald_feed_get_credential (feed, "api-key");
  const char *sub_user = herald_account_get_option (herald_feed_get_account (feed), "sub-user");
  g_autofree char *uri = NULL;
  SoupMessage *message;
  SoupMessageHeaders *headers;

  if (key == NULL || *key == '\0' || !header_value_valid (key))
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account has no API key"));
      return NULL;
    }
  if (sub_user == NULL || *sub_user == '\0' || !header_value_valid (sub_user))
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account names no sub-user to follow"));
      return NULL;
    }
  uri = herald_feed_build_uri (feed, FALSE, MINT_PATH, NULL, NULL);
  message = uri ? soup_message_new (SOUP_METHOD_POST, uri) : NULL;
  if (message == NULL)
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account’s endpoint is not a valid address"));
      return NULL;
    }
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "api-key", key);
  soup_message_headers_replace (headers, "On-Behalf-Of", sub_user);
  soup_message_headers_replace (headers, "Accept", "application/json");
  return message;
}

/* --- renewal while the socket stays open --- */

typedef struct
{
  HeraldSkinsharkFeed *self; /* not a reference: dispose cancels the renewal first */
  SoupMessage *message;
  GCancellable *cancellable;
} Renewal;

static void
renewal_free (Renewal *renewal)
{
  g_object_unref (renewal->message);
  g_object_unref (renewal->cancellable);
  g_free (renewal);
}

void
herald_skinshark_token_cancel_renewal (HeraldSkinsharkFeed *self)
{
  if (self->renewing == NULL)
    return;
  g_cancellable_cancel (self->renewing);
  g_clear_object (&self->renewing);
}

static void
renewed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Renewal *renewal = user_data;
  HeraldSkinsharkFeed *self = renewal->self;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  guint delay_s;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  /* Cancelled by dispose (self is gone) or by an attempt that mints for itself. */
  if (g_cancellable_is_cancelled (renewal->cancellable))
    {
      renewal_free (renewal);
      return;
    }
  g_clear_object (&self->renewing);
  if (body != NULL)
    {
      g_clear_error (&error);
      error = read_mint_answer (self, renewal->message, body);
    }
  renewal_free (renewal);
  if (error == NULL)
    {
      g_debug ("%s: next ws-token ready; the open socket stays",
               herald_feed_get_account_id (HERALD_FEED (self)));
      return;
    }

  if (g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_AUTHENTICATION)
      || g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION))
    {
      /* Retrying will not help. The socket works until the server says otherwise; the next
       * attempt mints for itself and tells the user what the mint says. */
      g_debug ("%s: renewal refused: %s", herald_feed_get_account_id (HERALD_FEED (self)),
               error->message);
      self->token_stale = TRUE;
      return;
    }
  delay_s = self->renew_retry_s;
  if (g_error_matches (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_RATE_LIMITED))
    delay_s = MAX (delay_s, herald_feed_get_retry_after_ms (HERALD_FEED (self)) / 1000);
  g_debug ("%s: renewal failed, trying again in %u s: %s",
           herald_feed_get_account_id (HERALD_FEED (self)), delay_s, error->message);
  self->renew_retry_at_us = g_get_real_time () + (gint64)delay_s * G_USEC_PER_SEC;
}

static gboolean
renewal_due (HeraldSkinsharkFeed *self)
{
  gint64 now = g_get_real_time ();

  return self->token != NULL && !self->token_stale && self->session != NULL
         && self->renewing == NULL && !self->minting && now >= self->renew_at_us
         && now >= self->renew_retry_at_us;
}

static void
start_renewal (HeraldSkinsharkFeed *self)
{
  g_autoptr (GError) error = NULL;
  SoupMessage *message = new_mint_message (self, &error);
  Renewal *renewal;

  if (message == NULL)
    {
      /* The settings changed under a working socket: the next attempt says so. */
      g_debug ("%s: cannot renew: %s", herald_feed_get_account_id (HERALD_FEED (self)),
               error->message);
      self->token_stale = TRUE;
      return;
    }
  renewal = g_new0 (Renewal, 1);
  renewal->self = self;
  renewal->message = message;
  renewal->cancellable = g_cancellable_new ();
  self->renewing = g_object_ref (renewal->cancellable);
  g_debug ("%s: minting the next ws-token", herald_feed_get_account_id (HERALD_FEED (self)));
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT,
                                    renewal->cancellable, renewed_cb, renewal);
}

/* --- the token for an attempt --- */

void
herald_skinshark_token_prepare_async (HeraldFeed *feed, SoupSession *session,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  HeraldSkinsharkFeed *self = HERALD_SKINSHARK_FEED (feed);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  SoupMessage *message;

  g_task_set_source_tag (task, herald_skinshark_token_prepare_async);
  g_set_object (&self->session, session);

  message = new_mint_message (self, &error);
  if (message == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (herald_skinshark_token_usable (self))
    {
      g_object_unref (message);
      /* A renewed token not yet offered to the server counts as minted for this attempt. */
      self->token_fresh = self->token_serial != self->socket_serial;
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Never two mints at once: this attempt's own replaces a renewal still under way. */
  herald_skinshark_token_cancel_renewal (self);
  g_task_set_task_data (task, message, g_object_unref);
  g_debug ("%s: minting a ws-token", herald_feed_get_account_id (feed));
  self->minting = TRUE;
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, cancellable, minted_cb,
                                    g_steal_pointer (&task));
}

gboolean
herald_skinshark_token_prepare_finish (HeraldFeed *feed, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
herald_skinshark_token_renew_if_due (HeraldSkinsharkFeed *self)
{
  if (renewal_due (self))
    start_renewal (self);
}
