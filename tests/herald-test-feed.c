/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-test-feed.c — see herald-test-feed.h. Shared by the provider, Socket.IO, connection,
 * simulator and window tests, so each keeps only what is its own. */
#define G_LOG_DOMAIN "herald-test"
#include "config.h"

#include <string.h>

#include "herald-providers.h"
#include "herald-test-feed.h"

/* --- the main loop --- */

gboolean
herald_test_flag_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

void
herald_test_wait_failed (const char *cond, guint timeout_ms, HeraldConnection *connection)
{
  if (connection == NULL)
    g_error ("timed out after %u ms waiting for: %s", timeout_ms, cond);
  g_error ("timed out after %u ms waiting for: %s (state %s: %s)", timeout_ms, cond,
           herald_connection_state_to_string (herald_connection_get_state (connection)),
           herald_connection_get_reason (connection));
}

void
herald_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, herald_test_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
herald_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* --- a feed driven by hand --- */

static void
sink_send_text (gpointer data, const char *text)
{
  HeraldTestSink *sink = data;

  g_ptr_array_add (sink->sent, g_strdup (text));
}

static void
sink_emit (gpointer data, HeraldEvent *event)
{
  HeraldTestSink *sink = data;

  g_ptr_array_add (sink->events, herald_event_ref (event));
}

static void
sink_malformed (gpointer data, const char *why)
{
  HeraldTestSink *sink = data;

  sink->malformed++;
}

static void
sink_fail (gpointer data, GError *error)
{
  HeraldTestSink *sink = data;

  /* A feed fails once per connection: a second failure the test has not looked at is a bug. */
  g_assert_null (sink->failure);
  sink->failure = error;
  sink->failures++;
}

static void
sink_reconnect (gpointer data, gboolean reauthenticate, const char *reason)
{
  HeraldTestSink *sink = data;

  /* The connection shows the reason to the user. */
  g_assert_nonnull (reason);
  sink->reconnects++;
  sink->reauthenticate = reauthenticate;
  g_free (sink->reconnect_reason);
  sink->reconnect_reason = g_strdup (reason);
}

static void
sink_expect_reply (gpointer data)
{
  HeraldTestSink *sink = data;

  sink->expected_replies++;
}

static void
sink_reply_received (gpointer data)
{
  HeraldTestSink *sink = data;

  sink->replies++;
}

static const HeraldFeedSink test_sink = {
  sink_send_text, sink_emit,         sink_malformed,      sink_fail,
  sink_reconnect, sink_expect_reply, sink_reply_received,
};

HeraldTestSink *
herald_test_sink_attach (HeraldFeed *feed)
{
  HeraldTestSink *sink = g_new0 (HeraldTestSink, 1);

  sink->feed = g_object_ref (feed);
  sink->events = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
  sink->sent = g_ptr_array_new_with_free_func (g_free);
  herald_feed_set_sink (feed, &test_sink, sink);
  return sink;
}

void
herald_test_sink_free (HeraldTestSink *sink)
{
  herald_feed_set_sink (sink->feed, NULL, NULL);
  g_object_unref (sink->feed);
  g_ptr_array_unref (sink->events);
  g_ptr_array_unref (sink->sent);
  g_clear_error (&sink->failure);
  g_free (sink->reconnect_reason);
  g_free (sink);
}

void
herald_test_feed_receive (HeraldFeed *feed, const char *frame)
{
  gsize length = strlen (frame);
  g_autofree char *copy = g_malloc (MAX (length, 1));

  memcpy (copy, frame, length);
  HERALD_FEED_GET_CLASS (feed)->receive (feed, copy, length);
}

static void
prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

gboolean
herald_test_feed_prepare (HeraldFeed *feed, SoupSession *session, GError **error)
{
  HeraldFeedClass *klass = HERALD_FEED_GET_CLASS (feed);
  g_autoptr (GAsyncResult) result = NULL;

  klass->prepare_async (feed, session, NULL, prepared_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return klass->prepare_finish (feed, result, error);
}

static char *
base64url (const char *text)
{
  char *out = g_base64_encode ((const guchar *)text, strlen (text));
  char *padding = strchr (out, '=');

  g_strdelimit (out, "+", '-');
  g_strdelimit (out, "/", '_');
  if (padding != NULL)
    *padding = '\0';
  return out;
}

char *
herald_test_jwt_new (const char *header, const char *claims, const char *signature)
{
  g_autofree char *h = base64url (header ? header : "{\"alg\":\"ES256\",\"typ\":\"JWT\"}");
  g_autofree char *c = base64url (claims);

  return g_strdup_printf ("%s.%s.%s", h, c, signature ? signature : "c2lnbmF0dXJl");
}

/* --- a provider's parse tests --- */

void
herald_test_parse_init (HeraldTestParse *fx, HeraldAccount *account, GType feed_type)
{
  fx->account = account;
  fx->feed = herald_feed_new_for_account (fx->account);
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (fx->feed, feed_type));
  fx->sink = herald_test_sink_attach (fx->feed);
}

void
herald_test_parse_teardown (HeraldTestParse *fx, gconstpointer data)
{
  g_clear_pointer (&fx->sink, herald_test_sink_free);
  g_clear_object (&fx->feed);
  g_clear_object (&fx->account);
}

void
herald_test_parse_receive (HeraldTestParse *fx, const char *frame)
{
  herald_test_feed_receive (fx->feed, frame);
}

HeraldEvent *
herald_test_parse_check (HeraldTestParse *fx, const HeraldTestEventCase *c,
                         const char *const *unknown_titles)
{
  gint64 before = g_get_real_time ();
  HeraldEvent *event;

  herald_test_parse_receive (fx, c->frame);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);
  g_assert_null (fx->sink->failure);
  g_assert_cmpuint (fx->sink->sent->len, ==, 0);
  if (c->type == NULL)
    {
      g_assert_cmpuint (fx->sink->events->len, ==, 0);
      return NULL;
    }
  g_assert_cmpuint (fx->sink->events->len, ==, 1);
  event = g_ptr_array_index (fx->sink->events, 0);

  herald_test_assert_event (event, c->frame, c->type, c->dedupe, c->title, c->body, c->category,
                            c->severity);
  herald_test_assert_unknown_type (event, unknown_titles);
  if (c->occurred != NULL)
    {
      g_autofree char *occurred = herald_format_iso8601 (herald_event_get_occurred (event));

      g_assert_cmpstr (occurred, ==, c->occurred);
    }
  else
    {
      g_assert_cmpint (herald_event_get_occurred (event), >=, before);
      g_assert_cmpint (herald_event_get_occurred (event), <=, g_get_real_time ());
    }
  return event;
}

void
herald_test_parse_check_refused (HeraldTestParse *fx, const char *frame)
{
  herald_test_parse_receive (fx, frame);
  g_assert_cmpuint (fx->sink->malformed, ==, 1);
  g_assert_cmpuint (fx->sink->events->len, ==, 0);
  g_assert_null (fx->sink->failure);
  g_assert_cmpuint (fx->sink->failures, ==, 0);
  g_assert_cmpuint (fx->sink->reconnects, ==, 0);
  g_assert_cmpuint (fx->sink->sent->len, ==, 0);
}

/* --- a feed on a real connection --- */

static void
live_event_cb (HeraldConnection *connection, HeraldEvent *event, gpointer user_data)
{
  HeraldTestLive *live = user_data;

  g_ptr_array_add (live->events, herald_event_ref (event));
}

static void
live_state_cb (HeraldConnection *connection, GParamSpec *pspec, gpointer user_data)
{
  HeraldTestLive *live = user_data;

  g_ptr_array_add (live->states, GINT_TO_POINTER (herald_connection_get_state (connection)));
  g_ptr_array_add (live->reasons, g_strdup (herald_connection_get_reason (connection)));
}

HeraldTestLive *
herald_test_live_new (HeraldFeed *feed, GNetworkMonitor *monitor)
{
  HeraldTestLive *live = g_new0 (HeraldTestLive, 1);

  live->account = g_object_ref (herald_feed_get_account (feed));
  live->feed = g_object_ref (feed);
  live->session = soup_session_new ();
  live->connection = herald_connection_new (feed, live->session, monitor);
  herald_connection_set_backoff (live->connection, 50, 200, 60000, 1);
  live->events = g_ptr_array_new_with_free_func ((GDestroyNotify)herald_event_unref);
  live->states = g_ptr_array_new ();
  live->reasons = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (live->connection, "event", G_CALLBACK (live_event_cb), live);
  g_signal_connect (live->connection, "notify::state", G_CALLBACK (live_state_cb), live);
  return live;
}

void
herald_test_live_free (HeraldTestLive *live)
{
  herald_connection_stop (live->connection);
  g_signal_handlers_disconnect_by_data (live->connection, live);
  g_clear_object (&live->connection);
  g_clear_object (&live->feed);
  g_clear_object (&live->account);
  g_clear_object (&live->session);
  g_ptr_array_unref (live->events);
  g_ptr_array_unref (live->states);
  g_ptr_array_unref (live->reasons);
  g_free (live);
}

gboolean
herald_test_live_connected (HeraldTestLive *live)
{
  return herald_connection_get_state (live->connection) == HERALD_CONNECTION_CONNECTED;
}

gboolean
herald_test_live_needs_attention (HeraldTestLive *live)
{
  return herald_connection_get_state (live->connection) == HERALD_CONNECTION_NEEDS_ATTENTION;
}

gboolean
herald_test_live_saw_state (HeraldTestLive *live, HeraldConnectionState state)
{
  return g_ptr_array_find (live->states, GINT_TO_POINTER (state), NULL);
}

gboolean
herald_test_live_saw_reason (HeraldTestLive *live, const char *prefix)
{
  for (guint i = 0; i < live->reasons->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (live->reasons, i), prefix))
      return TRUE;
  return FALSE;
}

gboolean
herald_test_live_saw_event_type (HeraldTestLive *live, const char *type)
{
  for (guint i = 0; i < live->events->len; i++)
    if (g_str_equal (herald_event_get_event_type (g_ptr_array_index (live->events, i)), type))
      return TRUE;
  return FALSE;
}

HeraldSimulator *
herald_test_sim_new (void)
{
  HeraldSimulator *sim = herald_simulator_new ();

  herald_simulator_set_recording (sim, TRUE);
  return sim;
}

void
herald_test_sim_scenario (HeraldSimulator *sim, const char *feed_name, const char *spec)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (herald_simulator_parse_scenario (sim, feed_name, spec, &error));
  g_assert_no_error (error);
}

void
herald_test_sim_teardown (HeraldTestLive **live, HeraldSimulator **sim)
{
  g_clear_pointer (live, herald_test_live_free);
  g_clear_object (sim);
  herald_test_drain ();
}

HeraldAccount *
herald_test_sim_account_new (HeraldSimulator *sim, const char *feed_name)
{
  const HeraldProviderInfo *info = herald_provider_info_lookup (feed_name);
  g_autoptr (GError) error = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *id = g_strdup_printf ("%s-sim", feed_name);
  HeraldAccount *account;

  g_assert_nonnull (info);
  g_assert_true (herald_simulator_listen (sim, 0, &error));
  g_assert_no_error (error);
  endpoint = herald_simulator_get_endpoint (sim, feed_name);
  g_assert_nonnull (endpoint);

  account = herald_account_new (info->kind, id);
  herald_account_set_label (account, "Sim");
  herald_account_set_endpoint (account, endpoint);
  return account;
}

HeraldFeed *
herald_test_sim_feed_new (HeraldSimulator *sim, HeraldAccount *account)
{
  const char *feed_name = herald_account_get_provider_info (account)->id;
  g_autoptr (GError) error = NULL;
  const HeraldCredentialSpec *specs;
  guint n_specs;
  HeraldFeed *feed;

  g_assert_true (herald_account_validate (account, &error));
  g_assert_no_error (error);
  feed = herald_feed_new_for_account (account);
  specs = herald_account_get_credentials (account, &n_specs);
  for (guint i = 0; i < n_specs; i++)
    herald_feed_set_credential (feed, specs[i].field,
                                herald_simulator_get_credential (sim, feed_name, specs[i].field));
  return feed;
}

void
herald_test_assert_event (HeraldEvent *event, const char *frame, const char *type,
                          const char *dedupe_id, const char *title, const char *body,
                          HeraldCategory category, HeraldSeverity severity)
{
  g_autofree char *expected_id = NULL;

  /* Computed here, not with the feed's own helper, so a wrong rule there shows. */
  if (g_str_equal (dedupe_id, HERALD_TEST_RAW_DEDUPE))
    {
      g_autofree char *checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, frame, -1);

      expected_id = g_strconcat ("raw:", checksum, NULL);
    }
  else
    expected_id = g_strdup (dedupe_id);

  g_assert_cmpstr (herald_event_get_event_type (event), ==, type);
  g_assert_cmpstr (herald_event_get_id (event), ==, expected_id);
  g_assert_cmpstr (herald_event_get_title (event), ==, title);
  g_assert_cmpstr (herald_event_get_body (event), ==, body);
  g_assert_cmpstr (herald_category_to_string (herald_event_get_category (event)), ==,
                   herald_category_to_string (category));
  g_assert_cmpstr (herald_severity_to_string (herald_event_get_severity (event)), ==,
                   herald_severity_to_string (severity));
  g_assert_cmpstr (herald_event_get_raw (event), ==, frame);
}

void
herald_test_assert_unknown_type (HeraldEvent *event, const char *const *unknown_titles)
{
  g_assert_cmpint (herald_event_is_unknown_type (event), ==,
                   g_strv_contains (unknown_titles, herald_event_get_title (event)));
}

void
herald_test_parse_check_object_id (HeraldTestParse *fx, const HeraldTestObjectCase *c)
{
  guint before = fx->sink->events->len;

  herald_test_parse_receive (fx, c->frame);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);
  g_assert_cmpuint (fx->sink->events->len, ==, before + 1);
  g_assert_cmpstr (herald_event_get_object_id (g_ptr_array_index (fx->sink->events, before)), ==,
                   c->object_id);
}

static void
silent_socket_cb (SoupServer *server, SoupServerMessage *msg, const char *path,
                  SoupWebsocketConnection *connection, gpointer data)
{
  HeraldTestSilentServer *silent = data;

  g_ptr_array_add (silent->sockets, g_object_ref (connection));
  if (silent->greeting != NULL)
    soup_websocket_connection_send_text (connection, silent->greeting);
}

HeraldTestSilentServer *
herald_test_silent_server_new (const char *greeting)
{
  HeraldTestSilentServer *silent = g_new0 (HeraldTestSilentServer, 1);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  silent->server = soup_server_new (NULL, NULL);
  silent->greeting = g_strdup (greeting);
  silent->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  soup_server_add_websocket_handler (silent->server, NULL, NULL, NULL, silent_socket_cb, silent,
                                     NULL);
  g_assert_true (
    soup_server_listen_local (silent->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (silent->server);
  silent->endpoint = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return silent;
}

void
herald_test_silent_server_free (HeraldTestSilentServer *silent)
{
  for (guint i = 0; i < silent->sockets->len; i++)
    {
      SoupWebsocketConnection *socket = g_ptr_array_index (silent->sockets, i);

      if (soup_websocket_connection_get_state (socket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (socket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    }
  g_ptr_array_unref (silent->sockets);
  soup_server_disconnect (silent->server);
  g_object_unref (silent->server);
  g_free (silent->endpoint);
  g_free (silent->greeting);
  g_free (silent);
}

gboolean
herald_test_silent_authenticates (HeraldTestSilentServer *silent, HeraldFeed *feed)
{
  HeraldTestLive *live = herald_test_live_new (feed, NULL);
  gboolean authenticated;

  herald_connection_start (live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (live, silent->sockets->len > 0 && herald_test_live_connected (live),
                               10000);
  /* Long enough for any frame the feed sent to be answered, had the server answered. */
  herald_test_spin (300);
  g_assert_true (herald_test_live_connected (live));
  authenticated = herald_feed_is_authenticated (feed);
  herald_test_live_free (live);
  return authenticated;
}

static void
count_authenticated_cb (HeraldFeed *feed, GParamSpec *pspec, gpointer data)
{
  guint *count = data;

  if (herald_feed_is_authenticated (feed))
    (*count)++;
}

void
herald_test_count_authenticated (HeraldFeed *feed, guint *count)
{
  g_signal_connect (feed, "notify::authenticated", G_CALLBACK (count_authenticated_cb), count);
}

static void
drop_message_cb (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
}

void
herald_test_quiet_frame_logs (void)
{
  const char *per_frame[] = { "libsoup", "GLib-GIO", "herald-sim" };

  if (g_test_verbose ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (per_frame); i++)
    g_log_set_handler (per_frame[i], G_LOG_LEVEL_DEBUG, drop_message_cb, NULL);
}
