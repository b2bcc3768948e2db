/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-tls.c — the connection engine against a wss:// server on loopback whose certificate is
 * self-signed, made by openssl for this run: the user is asked, and nothing is retried. */
#include "config.h"

#include <glib/gstdio.h>

#include "herald-providers.h"
#include "herald-test-feed.h"

typedef struct
{
  char *dir; /* the key and the certificate, for this run only */
  char *cert_path;
  GTlsCertificate *certificate;
  GSocketService *service;
  SoupServer *server;
  guint port;
  guint attempts;   /* TCP connections accepted, whatever became of them */
  guint websockets; /* those that got as far as the WebSocket handler */
  HeraldTestLive *live;
} Fixture;

/* A fresh self-signed certificate for 127.0.0.1: nothing on the machine vouches for it. */
static void
make_certificate (Fixture *fx)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *key_path = NULL;
  g_autoptr (GError) error = NULL;
  int status = -1;

  if (openssl == NULL)
    g_error ("the openssl command makes this test's certificate: see build-aux/deps.sh test");
  fx->dir = g_dir_make_tmp ("herald-tls-XXXXXX", &error);
  g_assert_no_error (error);
  key_path = g_build_filename (fx->dir, "key.pem", NULL);
  fx->cert_path = g_build_filename (fx->dir, "cert.pem", NULL);
  {
    const char *argv[] = {
      openssl,
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key_path,
      "-out",
      fx->cert_path,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      NULL,
    };

    g_spawn_sync (NULL, (char **)argv, NULL,
                  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_spawn_check_wait_status (status, &error);
    g_assert_no_error (error);
  }
  fx->certificate = g_tls_certificate_new_from_files (fx->cert_path, key_path, &error);
  g_assert_no_error (error);
}

static void
websocket_cb (SoupServer *server, SoupServerMessage *msg, const char *path,
              SoupWebsocketConnection *socket, gpointer user_data)
{
  Fixture *fx = user_data;

  fx->websockets++;
}

/* Every TCP connection is counted before TLS, so an attempt the client gives up on during the
 * handshake still counts; the SoupServer then serves the WebSocket over the TLS stream. */
static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
             gpointer user_data)
{
  Fixture *fx = user_data;
  g_autoptr (GIOStream) tls = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocketAddress) remote = NULL;
  g_autoptr (GError) error = NULL;

  fx->attempts++;
  tls = g_tls_server_connection_new (G_IO_STREAM (connection), fx->certificate, &error);
  g_assert_no_error (error);
  local = g_socket_connection_get_local_address (connection, &error);
  g_assert_no_error (error);
  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  soup_server_accept_iostream (fx->server, tls, local, remote, &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  /* Without a TLS backend every wss:// connect fails as a TLS error too, for another reason. */
  g_assert_true (g_tls_backend_supports_tls (g_tls_backend_get_default ()));
  make_certificate (fx);
  fx->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (fx->server, "/feed", NULL, NULL, websocket_cb, fx, NULL);
  fx->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (fx->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  fx->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (fx->service, "incoming", G_CALLBACK (incoming_cb), fx);
  g_socket_service_start (fx->service);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  g_autofree char *key_path = g_build_filename (fx->dir, "key.pem", NULL);

  g_clear_pointer (&fx->live, herald_test_live_free);
  g_socket_service_stop (fx->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fx->service));
  g_clear_object (&fx->service);
  soup_server_disconnect (fx->server);
  g_clear_object (&fx->server);
  g_clear_object (&fx->certificate);
  herald_test_drain ();
  g_unlink (key_path);
  g_unlink (fx->cert_path);
  g_rmdir (fx->dir);
  g_free (fx->cert_path);
  g_free (fx->dir);
}

/* A Pally account whose endpoint is the wss:// server; started by the test. */
static void
make_connection (Fixture *fx)
{
  g_autofree char *endpoint = g_strdup_printf ("wss://127.0.0.1:%u/feed", fx->port);
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_PALLY, "pally-tls");
  g_autoptr (HeraldFeed) feed = NULL;
  g_autoptr (GError) error = NULL;

  herald_account_set_label (account, "Tips");
  herald_account_set_endpoint (account, endpoint);
  g_assert_true (herald_account_validate (account, &error));
  g_assert_no_error (error);
  feed = herald_feed_new_for_account (account);
  herald_feed_set_credential (feed, "api-key", "pk_test_secret");
  fx->live = herald_test_live_new (feed, NULL);
}

/* The server itself is sound: a client that trusts its certificate gets the feed. Without this
 * the next test could pass on a server that fails every client for some other reason. */
static void
test_trusted_certificate_connects (Fixture *fx, gconstpointer data)
{
  g_autoptr (GTlsDatabase) trusted = NULL;
  g_autoptr (GError) error = NULL;

  make_connection (fx);
  trusted = g_tls_file_database_new (fx->cert_path, &error);
  g_assert_no_error (error);
  soup_session_set_tls_database (fx->live->session, trusted);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_connected (fx->live), 5000);
  g_assert_cmpuint (fx->attempts, ==, 1);
  g_assert_cmpuint (fx->websockets, ==, 1);
}

/* A certificate nobody vouches for is not a passing outage: the user must look (a wrong
 * endpoint, or someone in the way), and retrying would only hammer the server. */
static void
test_self_signed_needs_attention (Fixture *fx, gconstpointer data)
{
  make_connection (fx);
  herald_connection_start (fx->live->connection);
  HERALD_TEST_LIVE_WAIT_UNTIL (fx->live, herald_test_live_needs_attention (fx->live), 5000);
  g_assert_cmpstr (herald_connection_get_reason (fx->live->connection), ==,
                   "The server’s security certificate could not be verified");

  /* 20 times the backoff base (50 ms), 5 times its cap: a retry loop would show by now. */
  herald_test_spin (1000);
  g_assert_true (herald_test_live_needs_attention (fx->live));
  g_assert_cmpuint (fx->attempts, ==, 1);
  g_assert_cmpuint (fx->websockets, ==, 0);
  g_assert_false (herald_test_live_saw_state (fx->live, HERALD_CONNECTION_BACKING_OFF));
  g_assert_false (herald_test_live_saw_state (fx->live, HERALD_CONNECTION_CONNECTED));
  g_assert_cmpuint (herald_connection_get_counters (fx->live->connection)->connects, ==, 0);
  g_assert_cmpuint (fx->live->events->len, ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tls/trusted-certificate-connects", Fixture, NULL, setup,
              test_trusted_certificate_connects, teardown);
  g_test_add ("/tls/self-signed-needs-attention", Fixture, NULL, setup,
              test_self_signed_needs_attention, teardown);
  status = g_test_run ();
  /* The TLS handshakes ran on GLib's worker threads. Let the idle ones end, and give them a
   * moment to be gone, before the process ends: LeakSanitizer's exit-time scan crashed
   * ("Tracer caught signal 11") in about one run of three on a worker that was ending while
   * it stopped the threads, and in none of six runs with this. */
  g_thread_pool_set_max_unused_threads (0);
  g_thread_pool_stop_unused_threads ();
  g_usleep (200 * 1000);
  return status;
}
