/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-test.c — see herald-account-test.h. It runs the same HeraldConnection and
 * feed as the hub, so a test fails exactly as the running account would. */
#define G_LOG_DOMAIN "herald-account-test"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "herald-account-test.h"
#include "herald-account-test-private.h"
#include "herald-connection.h"
#include "herald-pally-feed.h"
#include "herald-providers.h"
#include "herald-secret.h"

/* No retry may start while the test waits: the first failure is the answer. */
#define NO_RETRY_MS (10 * 60 * 1000)
#define IO_TIMEOUT_S (HERALD_ACCOUNT_TEST_TIMEOUT_S - 5)

static guint timeout_s = HERALD_ACCOUNT_TEST_TIMEOUT_S;

typedef struct
{
  HeraldAccount *account;
  GHashTable *credentials; /* field → secret, wiped when freed */
  GPtrArray *keyring_fields;
  HeraldConnection *connection;
  SoupSession *session;
  guint timeout_source;
  gulong cancelled_handler;
  HeraldEvent *event;
} TestData;

static void
test_data_free (TestData *data)
{
  g_clear_handle_id (&data->timeout_source, g_source_remove);
  if (data->connection != NULL)
    {
      /* Also when the task never finished (it holds the only reference to this data). */
      herald_connection_stop (data->connection);
    }
  g_clear_object (&data->connection);
  g_clear_object (&data->session);
  g_clear_pointer (&data->event, herald_event_unref);
  g_clear_object (&data->account);
  g_clear_pointer (&data->credentials, g_hash_table_unref);
  g_clear_pointer (&data->keyring_fields, g_ptr_array_unref);
  g_free (data);
}

/* Ends the test: the connection is stopped before anyone hears the answer. */
static void
finish (GTask *task, GError *error)
{
  TestData *data = g_task_get_task_data (task);

  g_clear_handle_id (&data->timeout_source, g_source_remove);
  if (data->cancelled_handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), data->cancelled_handler);
  data->cancelled_handler = 0;
  if (data->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (data->connection, task);
      g_signal_handlers_disconnect_by_data (herald_connection_get_feed (data->connection), task);
      herald_connection_stop (data->connection);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* The connection's reason without the "— trying again in N seconds" it adds while backing
 * off: the test does not try again. Built from the same message, so it holds translated. */
static char *
reason_without_retry (HeraldConnection *connection)
{
  const char *reason = herald_connection_get_reason (connection);
  guint seconds = (herald_connection_get_retry_delay_ms (connection) + 999) / 1000;
  g_autofree char *suffix
    = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s — trying again in %u second",
                                    "%s — trying again in %u seconds", seconds),
                       "", seconds);

  if (reason == NULL)
    return g_strdup (_ ("Could not connect"));
  if (*suffix != '\0' && g_str_has_suffix (reason, suffix))
    return g_strndup (reason, strlen (reason) - strlen (suffix));
  return g_strdup (reason);
}

static gboolean
authenticated_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  TestData *data = g_task_get_task_data (task);

  /* Still up and still confirmed: a refusal in the meantime has already finished the test. */
  if (!g_task_get_completed (task) && data->connection != NULL
      && herald_connection_get_state (data->connection) == HERALD_CONNECTION_CONNECTED
      && herald_feed_is_authenticated (herald_connection_get_feed (data->connection)))
    finish (task, NULL);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* The feed's own handshake confirmed the session: that, not a socket merely staying open, is
 * the answer. Pally proves more with an echoed test tip, so it waits for that instead. */
static void
authenticated_cb (HeraldFeed *feed, GParamSpec *pspec, gpointer user_data)
{
  if (!herald_feed_is_authenticated (feed) || HERALD_IS_PALLY_FEED (feed))
    return;
  /* From an idle: the feed may be inside opened() or receive(), where the connection must
   * not be stopped under it. */
  g_idle_add (authenticated_idle_cb, g_object_ref (user_data));
}

static void
event_cb (HeraldConnection *connection, HeraldEvent *event, gpointer user_data)
{
  GTask *task = user_data;
  TestData *data = g_task_get_task_data (task);

  if (data->event == NULL && HERALD_IS_PALLY_FEED (herald_connection_get_feed (connection)))
    {
      data->event = herald_event_ref (event);
      finish (task, NULL);
    }
}

static void
state_cb (HeraldConnection *connection, GParamSpec *pspec, gpointer user_data)
{
  GTask *task = user_data;
  HeraldFeed *feed = herald_connection_get_feed (connection);

  switch (herald_connection_get_state (connection))
    {
    case HERALD_CONNECTION_CONNECTED:
      if (HERALD_IS_PALLY_FEED (feed))
        herald_pally_feed_send_test_event (HERALD_PALLY_FEED (feed));
      break;
    case HERALD_CONNECTION_NEEDS_ATTENTION:
      finish (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                         herald_connection_get_reason (connection)));
      break;
    case HERALD_CONNECTION_BACKING_OFF:
    case HERALD_CONNECTION_OFFLINE:
      {
        g_autofree char *why = reason_without_retry (connection);

        finish (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, why));
      }
      break;
    case HERALD_CONNECTION_CONNECTING:
    case HERALD_CONNECTION_DISABLED:
    default:
      break;
    }
}

static gboolean
timed_out_cb (gpointer user_data)
{
  GTask *task = user_data;
  TestData *data = g_task_get_task_data (task);

  data->timeout_source = 0;
  finish (task,
          g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       g_dngettext (GETTEXT_PACKAGE, "No answer from the server within %u second",
                                    "No answer from the server within %u seconds", timeout_s),
                       timeout_s));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!g_task_get_completed (task))
    finish (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("Cancelled")));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  /* Not from inside the cancellable's own signal, which holds its lock. */
  g_idle_add (cancelled_idle_cb, g_object_ref (user_data));
}

static void
start_connection (GTask *task)
{
  TestData *data = g_task_get_task_data (task);
  g_autoptr (HeraldFeed) feed = herald_feed_new_for_account (data->account);
  g_autofree char *user_agent = g_strdup_printf ("Herald/%s", PACKAGE_VERSION);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GHashTableIter iter;
  gpointer field, secret;

  if (feed == NULL)
    {
      finish (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                         _ ("This provider is not supported yet")));
      return;
    }
  g_hash_table_iter_init (&iter, data->credentials);
  while (g_hash_table_iter_next (&iter, &field, &secret))
    herald_feed_set_credential (feed, field, secret);

  /* I/O gives up first, so a silent server is named as such; the test's own deadline
   * covers the rest (a socket that opens but never completes the feed's handshake). */
  data->session
    = soup_session_new_with_options ("user-agent", user_agent, "timeout", IO_TIMEOUT_S, NULL);
  data->connection = herald_connection_new (feed, data->session, NULL);
  herald_connection_set_backoff (data->connection, NO_RETRY_MS, NO_RETRY_MS, NO_RETRY_MS, 0);
  g_signal_connect (data->connection, "notify::state", G_CALLBACK (state_cb), task);
  g_signal_connect (data->connection, "event", G_CALLBACK (event_cb), task);
  g_signal_connect (feed, "notify::authenticated", G_CALLBACK (authenticated_cb), task);
  data->timeout_source = g_timeout_add_seconds (timeout_s, timed_out_cb, task);
  if (cancellable != NULL)
    data->cancelled_handler
      = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), task, NULL);
  herald_connection_start (data->connection);
}

static void look_up_next (GTask *task);

static void
looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  TestData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  char *secret = herald_secret_lookup_finish (result, &error);

  if (secret == NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  g_hash_table_insert (data->credentials, g_strdup (g_ptr_array_index (data->keyring_fields, 0)),
                       g_strdup (secret));
  herald_secret_free (secret);
  g_ptr_array_remove_index (data->keyring_fields, 0);
  look_up_next (task);
}

static void
look_up_next (GTask *task)
{
  TestData *data = g_task_get_task_data (task);

  if (data->keyring_fields->len == 0)
    {
      start_connection (task);
      return;
    }
  herald_secret_lookup_async (herald_account_get_id (data->account),
                              g_ptr_array_index (data->keyring_fields, 0),
                              g_task_get_cancellable (task), looked_up_cb, task);
}

void
herald_account_test_async (HeraldAccount *account, GHashTable *credentials,
                           const char *const *keyring_fields, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  TestData *data;
  GHashTableIter iter;
  gpointer field, secret;

  g_return_if_fail (HERALD_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, herald_account_test_async);
  data = g_new0 (TestData, 1);
  data->account = g_object_ref (account);
  data->credentials
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, herald_secret_wipe_free);
  if (credentials != NULL)
    {
      g_hash_table_iter_init (&iter, credentials);
      while (g_hash_table_iter_next (&iter, &field, &secret))
        g_hash_table_insert (data->credentials, g_strdup (field), g_strdup (secret));
    }
  data->keyring_fields = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; keyring_fields != NULL && keyring_fields[i] != NULL; i++)
    g_ptr_array_add (data->keyring_fields, g_strdup (keyring_fields[i]));
  g_task_set_task_data (task, data, (GDestroyNotify)test_data_free);
  look_up_next (task);
}

void
herald_account_test_set_timeout_s (guint seconds)
{
  g_return_if_fail (seconds > 0);

  timeout_s = seconds;
}

gboolean
herald_account_test_finish (GAsyncResult *result, HeraldEvent **out_event, GError **error)
{
  TestData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (out_event != NULL)
    *out_event = data->event ? herald_event_ref (data->event) : NULL;
  return TRUE;
}
