/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-autostart.c — see herald-autostart.h. Inside Flatpak a file in the host's autostart
 * directory is out of reach, and only the portal may arrange a launch at login. */
#define G_LOG_DOMAIN "herald-autostart"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "herald-autostart.h"

/* Starts in the tray without a window: see --background in herald-application.c. */
#define BACKGROUND_FLAG "--background"

#define PORTAL_BUS_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_BACKGROUND "org.freedesktop.portal.Background"
#define PORTAL_REQUEST "org.freedesktop.portal.Request"

typedef struct
{
  gboolean enabled;
  GDBusConnection *connection;
  guint response_subscription;
} PortalRequest;

static void
portal_request_free (PortalRequest *request)
{
  if (request->response_subscription != 0)
    g_dbus_connection_signal_unsubscribe (request->connection, request->response_subscription);
  g_clear_object (&request->connection);
  g_free (request);
}

char *
herald_autostart_get_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", HERALD_APP_ID ".desktop", NULL);
}

static gboolean
in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static gboolean
write_entry (GError **error)
{
  g_autoptr (GKeyFile) entry = g_key_file_new ();
  g_autofree char *path = herald_autostart_get_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize length;
  const char *group = G_KEY_FILE_DESKTOP_GROUP;

  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_TYPE, "Application");
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_NAME, _ ("Herald"));
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_COMMENT,
                         _ ("Watch your event feeds from the tray"));
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_ICON, HERALD_APP_ID);
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_EXEC, "herald " BACKGROUND_FLAG);
  g_key_file_set_boolean (entry, group, G_KEY_FILE_DESKTOP_KEY_TERMINAL, FALSE);
  g_key_file_set_boolean (entry, group, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);
  g_key_file_set_boolean (entry, group, "X-GNOME-Autostart-enabled", TRUE);
  data = g_key_file_to_data (entry, &length, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0
      || !g_file_set_contents_full (path, data, (gssize)length, G_FILE_SET_CONTENTS_CONSISTENT,
                                    0644, &local_error))
    {
      int saved_errno = errno;

      g_debug ("Could not write %s: %s", path,
               local_error ? local_error->message : g_strerror (saved_errno));
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _ ("The autostart entry %s could not be written: %s"), path,
                   local_error ? local_error->message : g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
remove_entry (GError **error)
{
  g_autofree char *path = herald_autostart_get_path ();

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("The autostart entry %s could not be removed: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
portal_response_cb (GDBusConnection *connection, const char *sender, const char *object_path,
                    const char *interface, const char *signal, GVariant *parameters,
                    gpointer user_data)
{
  /* Our own reference: unsubscribing drops the subscription's. */
  g_autoptr (GTask) task = g_object_ref (user_data);
  PortalRequest *request = g_task_get_task_data (task);
  g_autoptr (GVariant) results = NULL;
  gboolean autostart = FALSE;
  guint32 response;

  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_dbus_connection_signal_unsubscribe (connection, request->response_subscription);
  request->response_subscription = 0;
  g_variant_lookup (results, "autostart", "b", &autostart);
  if (response != 0 || autostart != request->enabled)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s",
                               _ ("The system did not allow Herald to change whether it starts "
                                  "at login"));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
portal_called_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      PortalRequest *request = g_task_get_task_data (task);

      /* No Response will come: the subscription's reference must go now. */
      g_dbus_connection_signal_unsubscribe (request->connection, request->response_subscription);
      request->response_subscription = 0;
      g_debug ("RequestBackground failed: %s", error->message);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _ ("The background portal could not be reached: %s"),
                               error->message);
      return;
    }
  /* The answer comes with the Response signal, which holds its own reference. */
}

static void
request_background (GTask *task, gboolean enabled)
{
  PortalRequest *request = g_new0 (PortalRequest, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *token = g_strdup_printf ("herald%u", g_random_int ());
  g_autofree char *sender = NULL;
  g_autofree char *handle = NULL;
  GVariantBuilder options;
  const char *commandline[] = { "herald", BACKGROUND_FLAG, NULL };

  request->enabled = enabled;
  request->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_task_set_task_data (task, request, (GDestroyNotify)portal_request_free);
  if (request->connection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* Subscribed before the call, so a quick answer cannot be missed. */
  sender = g_strdup (g_dbus_connection_get_unique_name (request->connection) + 1);
  g_strdelimit (sender, ".", '_');
  handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender, token);
  request->response_subscription = g_dbus_connection_signal_subscribe (
    request->connection, PORTAL_BUS_NAME, PORTAL_REQUEST, "Response", handle, NULL,
    G_DBUS_SIGNAL_FLAGS_NO_MATCH_RULE, portal_response_cb, g_object_ref (task), g_object_unref);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_ ("Herald shows notifications from your "
                                                  "feeds while you are logged in.")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (enabled));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (
    request->connection, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH, PORTAL_BACKGROUND,
    "RequestBackground", g_variant_new ("(sa{sv})", "", &options), G_VARIANT_TYPE ("(o)"),
    G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task), portal_called_cb, task);
}

void
herald_autostart_set_async (gboolean enabled, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;

  g_task_set_source_tag (task, herald_autostart_set_async);
  if (in_flatpak ())
    {
      request_background (task, enabled);
      return;
    }
  if (enabled ? write_entry (&error) : remove_entry (&error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
  g_object_unref (task);
}

gboolean
herald_autostart_set_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
