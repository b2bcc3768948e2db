/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-bench.c — Herald's ingest benchmark: a producer pushes N Pally tips over one socket
 * into the hub, the engine alone, libsoup alone or another program, and the cost is reported. */
#define G_LOG_DOMAIN "herald-bench"

#include "config.h"

/* sched_setaffinity () and RUSAGE_THREAD. */
#define _GNU_SOURCE

#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "herald-account.h"
#include "herald-bench.h"
#include "herald-connection.h"
#include "herald-history.h"
#include "herald-hub.h"
#include "herald-log.h"
#include "herald-providers.h"

/* A developer's tool that is never installed: its output is pasted into BENCHMARKS.md, so
 * its messages are not marked for translation. */

#define DEFAULT_EVENTS 200000
#define DEFAULT_CAP 10000
#define DEFAULT_TIMEOUT_S 600
#define DEFAULT_SETTLE_S 30
#define ACCOUNT_ID "bench-pally"
#define BLASTER_KEY "unused-by-the-blaster"

typedef struct
{
  const Options *opts;
  GMainLoop *loop;
  guint64 count;
  gboolean ended;                  /* raw: the END frame arrived */
  char *failure;                   /* set when the run cannot finish */
  SoupWebsocketConnection *socket; /* raw */
  gint64 start_us;
  gint trace_emitted;     /* atomic: events the feed produced */
  HeraldHistory *history; /* hub: the feed runs on the hub's thread; its backlog is read here */
  gint trace_done;        /* atomic: events counted as done */
  gint trace_stop;
  gint trace_turn_ms; /* atomic: when the main loop last ran ticked_cb, in ms since the start */
  gint64 trace_last_tick_us;
  gint64 trace_max_stall_us;
} Run;

static const char *const mode_names[] = {
  [MODE_RAW] = "raw", [MODE_ENGINE] = "engine", [MODE_HUB] = "hub",       [MODE_EXEC] = "exec",
  [MODE_APP] = "app", [MODE_REPORT] = "report", [MODE_RECORD] = "record", [MODE_SERVE] = "serve",
};

static const char *const producer_names[] = {
  [PRODUCER_SIMULATOR] = "simulator",
  [PRODUCER_BLASTER] = "blaster",
  [PRODUCER_REPLAY] = "replay",
};

/* --- small helpers --- */

static double
timeval_s (const struct timeval *tv)
{
  return tv->tv_sec + tv->tv_usec / 1e6;
}

static glong
proc_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;
  gsize field_len = strlen (field);

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  for (line = status; line != NULL && *line != '\0'; line = strchr (line, '\n'))
    {
      if (*line == '\n')
        line++;
      if (strncmp (line, field, field_len) == 0 && line[field_len] == ':')
        return strtol (line + field_len + 1, NULL, 10);
    }
  return -1;
}

static void
pin_to_cpu (pid_t pid, int cpu)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  if (sched_setaffinity (pid, sizeof set, &set) != 0)
    g_warning ("could not pin process %d to CPU %d: %s", (int)pid, cpu, g_strerror (errno));
}

/* Pinned runs put the producer on the first CPU and the consumer on the last one. */
static int
consumer_cpu (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);

  return n > 1 ? (int)n - 1 : 0;
}

static void
pin_producer_cb (gpointer user_data)
{
  pin_to_cpu (0, 0);
}

static void
pin_consumer_cb (gpointer user_data)
{
  pin_to_cpu (0, consumer_cpu ());
}

char *
read_until (int fd, gboolean line_only, gint64 deadline_us, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left_ms = (deadline_us - g_get_monotonic_time ()) / 1000;
      char buf[4096];
      ssize_t n;
      int rc;

      if (left_ms <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out after reading “%s”",
                       text->str);
          return NULL;
        }
      rc = poll (&pfd, 1, (int)MIN (left_ms, G_MAXINT));
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "poll: %s",
                       g_strerror (errno));
          return NULL;
        }
      if (rc == 0)
        continue;
      n = read (fd, buf, line_only ? 1 : sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "read: %s",
                       g_strerror (errno));
          return NULL;
        }
      if (n == 0)
        {
          if (line_only)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "the program exited before printing a line (got “%s”)", text->str);
              return NULL;
            }
          return g_string_free (g_steal_pointer (&text), FALSE);
        }
      if (line_only && buf[0] == '\n')
        return g_string_free (g_steal_pointer (&text), FALSE);
      g_string_append_len (text, buf, n);
    }
}

/* --- replay: the simulator's stream, recorded once and sent back at memory speed --- */

/* RFC 6455's fixed GUID for Sec-WebSocket-Accept. */
#define WEBSOCKET_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/* The text frame "END" as a server sends it: FIN + text, unmasked, length 3. */
static const char end_frame[] = { (char)0x81, 0x03, 'E', 'N', 'D' };

static gboolean
send_all (GSocket *socket, const char *data, gsize length, GError **error)
{
  while (length > 0)
    {
      gssize sent = g_socket_send (socket, data, length, NULL, error);

      if (sent < 0)
        return FALSE;
      data += sent;
      length -= sent;
    }
  return TRUE;
}

/* Reads an HTTP head up to the blank line; whatever came after it is left in *out_rest. */
static char *
receive_head (GSocket *socket, GByteArray **out_rest, GError **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  for (;;)
    {
      char buf[4096];
      gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, error);
      const char *end;

      if (n < 0)
        return NULL;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               "the peer closed the socket during the handshake");
          return NULL;
        }
      g_byte_array_append (bytes, (const guint8 *)buf, n);
      end = g_strstr_len ((const char *)bytes->data, bytes->len, "\r\n\r\n");
      if (end != NULL)
        {
          gsize head_len = end + 4 - (const char *)bytes->data;
          char *head = g_strndup ((const char *)bytes->data, head_len);

          if (out_rest != NULL)
            {
              *out_rest = g_byte_array_new ();
              g_byte_array_append (*out_rest, bytes->data + head_len, bytes->len - head_len);
            }
          return head;
        }
      if (bytes->len > 64 * 1024)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "no end to the HTTP head");
          return NULL;
        }
    }
}

static GSocket *
connect_loopback (guint16 port, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_connect (socket, address, NULL, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static gboolean producer_start (Producer *producer, const Options *opts, GError **error);
static void producer_stop (Producer *producer);

/* Reads frames from a WebSocket already upgraded until the END frame ends the stream. */
static gboolean
receive_until_end (GSocket *socket, GByteArray *stream, GError **error)
{
  while (stream->len < sizeof end_frame
         || memcmp (stream->data + stream->len - sizeof end_frame, end_frame, sizeof end_frame)
              != 0)
    {
      guint8 buf[256 * 1024];
      gssize n = g_socket_receive (socket, (char *)buf, sizeof buf, NULL, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               "the simulator closed the socket before END");
          return FALSE;
        }
      g_byte_array_append (stream, buf, n);
    }
  return TRUE;
}

static gboolean
record_from (const Producer *producer, const char *path, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (producer->url, G_URI_FLAGS_ENCODED, error);
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GByteArray) stream = NULL;
  g_autofree char *request = NULL;
  g_autofree char *head = NULL;
  g_autofree char *partial = g_strconcat (path, ".part", NULL);

  if (uri == NULL)
    return FALSE;
  socket = connect_loopback ((guint16)g_uri_get_port (uri), error);
  if (socket == NULL)
    return FALSE;
  request = g_strdup_printf ("GET %s?%s HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%d\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: aGVyYWxkLWJlbmNoLXJlYw==\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n",
                             g_uri_get_path (uri), g_uri_get_query (uri), g_uri_get_port (uri));
  if (!send_all (socket, request, strlen (request), error))
    return FALSE;
  head = receive_head (socket, &stream, error);
  if (head == NULL)
    return FALSE;
  if (!g_str_has_prefix (head, "HTTP/1.1 101"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the simulator answered %.40s", head);
      return FALSE;
    }
  if (!receive_until_end (socket, stream, error)
      || !g_file_set_contents (partial, (const char *)stream->data, stream->len, error))
    return FALSE;
  if (g_rename (partial, path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* What the simulator sends on one firehose socket, every frame byte for byte up to and
 * including END, into @path. */
static gboolean
record_stream (const Options *opts, const char *path, GError **error)
{
  Options simulator_opts = *opts;
  Producer producer;
  gboolean ok;

  simulator_opts.producer = PRODUCER_SIMULATOR;
  ok = producer_start (&producer, &simulator_opts, error) && record_from (&producer, path, error);
  producer_stop (&producer);
  return ok;
}

/* One client: the WebSocket handshake, then the recorded frames in large writes. */
static gboolean
serve_client (GSocket *client, GMappedFile *file, GError **error)
{
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_autofree char *head = receive_head (client, NULL, error);
  g_autofree char *accept = NULL;
  g_autofree char *response = NULL;
  g_auto (GStrv) lines = NULL;
  const char *key = NULL;
  const char *data = g_mapped_file_get_contents (file);
  gsize length = g_mapped_file_get_length (file);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  if (head == NULL)
    return FALSE;
  lines = g_strsplit (head, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], "Sec-WebSocket-Key:", 18) == 0)
      key = g_strstrip (lines[i] + 18);
  if (key == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no Sec-WebSocket-Key");
      return FALSE;
    }
  g_checksum_update (sha1, (const guchar *)key, -1);
  g_checksum_update (sha1, (const guchar *)WEBSOCKET_GUID, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  accept = g_base64_encode (digest, digest_len);
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n\r\n",
                              accept);
  if (!send_all (client, response, strlen (response), error))
    return FALSE;
  for (gsize at = 0; at < length; at += 1024 * 1024)
    if (!send_all (client, data + at, MIN (length - at, 1024 * 1024), error))
      return FALSE;
  return TRUE;
}

/* The replay producer's process: prints "ready PORT", serves one client, and stays until
 * the client hangs up or it is told to stop. */
static int
serve (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, &error);
  g_autoptr (GSocket) listener = NULL;
  g_autoptr (GSocket) client = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  char sink[4096];

  if (file != NULL)
    listener
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (listener != NULL && g_socket_bind (listener, any, TRUE, &error)
      && g_socket_listen (listener, &error))
    bound = g_socket_get_local_address (listener, &error);
  if (bound == NULL)
    {
      g_printerr ("herald-bench serve: %s\n", error->message);
      return EXIT_FAILURE;
    }
  g_print ("ready %u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fflush (stdout);

  client = g_socket_accept (listener, NULL, &error);
  if (client == NULL || !serve_client (client, file, &error))
    {
      g_printerr ("herald-bench serve: %s\n", error->message);
      return EXIT_FAILURE;
    }
  /* Nothing but a close frame is expected now: answer it, as clients wait for the answer. */
  while (g_socket_receive (client, sink, sizeof sink, NULL, NULL) > 0)
    if ((sink[0] & 0x0f) == 0x08)
      {
        static const char close_frame[] = { (char)0x88, 0x00 };

        send_all (client, close_frame, sizeof close_frame, NULL);
        break;
      }
  return EXIT_SUCCESS;
}

/* --- producer --- */

static guint16
free_port (GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_bind (socket, any, FALSE, error))
    return 0;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
parse_simulator_line (Producer *producer, const char *line, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonObject *feeds;
  JsonObject *pally;
  JsonObject *credentials;
  const char *endpoint;
  const char *key;

  if (!json_parser_load_from_data (parser, line, -1, error))
    return FALSE;
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
           ? json_node_get_object (json_parser_get_root (parser))
           : NULL;
  feeds = root && json_object_has_member (root, "feeds")
            ? json_object_get_object_member (root, "feeds")
            : NULL;
  pally = feeds && json_object_has_member (feeds, "pally")
            ? json_object_get_object_member (feeds, "pally")
            : NULL;
  credentials = pally && json_object_has_member (pally, "credentials")
                  ? json_object_get_object_member (pally, "credentials")
                  : NULL;
  endpoint = pally ? json_object_get_string_member_with_default (pally, "endpoint", NULL) : NULL;
  key = credentials ? json_object_get_string_member_with_default (credentials, "api-key", NULL)
                    : NULL;
  if (endpoint == NULL || key == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the simulator did not describe a Pally endpoint and key: %s", line);
      return FALSE;
    }
  producer->endpoint = g_strdup (endpoint);
  producer->api_key = g_strdup (key);
  /* The query the Pally feed builds for a firehose account, so every consumer asks alike. */
  producer->url = g_strdup_printf ("%s?auth=%s&channel=firehose", endpoint, key);
  return TRUE;
}

static gboolean
producer_start (Producer *producer, const Options *opts, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint16 port = 0;

  memset (producer, 0, sizeof *producer);
  producer->out_fd = -1;
  if (opts->producer == PRODUCER_SIMULATOR)
    {
      g_ptr_array_add (argv, g_strdup (opts->simulator));
      g_ptr_array_add (argv, g_strdup ("--port=0"));
      g_ptr_array_add (argv, g_strdup ("--feed=pally"));
      if (opts->chunk > 0)
        g_ptr_array_add (argv, g_strdup_printf ("--scenario=burst:count=%" G_GUINT64_FORMAT
                                                ",chunk=%u,end=1",
                                                opts->events, opts->chunk));
      else
        g_ptr_array_add (
          argv,
          g_strdup_printf ("--scenario=burst:count=%" G_GUINT64_FORMAT ",end=1", opts->events));
    }
  else if (opts->producer == PRODUCER_REPLAY)
    {
      g_autofree char *self_path = g_file_read_link ("/proc/self/exe", error);

      if (self_path == NULL)
        return FALSE;
      g_ptr_array_add (argv, g_steal_pointer (&self_path));
      g_ptr_array_add (argv, g_strdup ("serve"));
      g_ptr_array_add (argv, g_strdup (opts->replay));
    }
  else
    {
      port = free_port (error);
      if (port == 0)
        return FALSE;
      g_ptr_array_add (argv, g_strdup ("node"));
      g_ptr_array_add (argv, g_strdup (opts->blaster));
      g_ptr_array_add (argv, g_strdup_printf ("%u", port));
      g_ptr_array_add (argv, g_strdup_printf ("%" G_GUINT64_FORMAT, opts->events));
    }
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_async_with_pipes (NULL, (char **)argv->pdata, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                 opts->pin ? pin_producer_cb : NULL, NULL, &producer->pid, NULL,
                                 &producer->out_fd, NULL, error))
    return FALSE;

  line = read_until (producer->out_fd, TRUE, deadline, error);
  if (line == NULL)
    return FALSE;
  if (opts->producer == PRODUCER_SIMULATOR)
    return parse_simulator_line (producer, line, error);
  if (opts->producer == PRODUCER_REPLAY)
    {
      guint64 replay_port = 0;

      if (!g_str_has_prefix (line, "ready ")
          || !g_ascii_string_to_unsigned (line + 6, 10, 1, G_MAXUINT16, &replay_port, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the replay said “%s”", line);
          return FALSE;
        }
      /* The replay serves whatever path and query it is asked for. */
      producer->endpoint = g_strdup_printf ("ws://127.0.0.1:%u/pally", (guint)replay_port);
      producer->api_key = g_strdup ("unused-by-the-replay");
      producer->url
        = g_strdup_printf ("%s?auth=%s&channel=firehose", producer->endpoint, producer->api_key);
      return TRUE;
    }

  if (!g_str_has_prefix (line, "ready"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the blaster said “%s”", line);
      return FALSE;
    }
  /* The blaster serves every path and ignores the query. */
  producer->url = g_strdup_printf ("ws://127.0.0.1:%u/", port);
  producer->endpoint = g_strdup_printf ("ws://127.0.0.1:%u/pally", port);
  producer->api_key = g_strdup (BLASTER_KEY);
  return TRUE;
}

static void
producer_stop (Producer *producer)
{
  int status;

  if (producer->pid > 0 && !producer->reaped)
    {
      kill (producer->pid, SIGTERM);
      while (wait4 (producer->pid, &status, 0, &producer->usage) < 0 && errno == EINTR)
        ;
      producer->reaped = TRUE;
    }
  if (producer->out_fd >= 0)
    g_close (producer->out_fd, NULL);
  producer->out_fd = -1;
  g_clear_pointer (&producer->url, g_free);
  g_clear_pointer (&producer->endpoint, g_free);
  g_clear_pointer (&producer->api_key, g_free);
}

/* --- in-process runs --- */

static void run_fail (Run *run, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
run_fail (Run *run, const char *format, ...)
{
  va_list args;

  if (run->failure == NULL)
    {
      va_start (args, format);
      run->failure = g_strdup_vprintf (format, args);
      va_end (args);
    }
  g_main_loop_quit (run->loop);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  Run *run = user_data;

  run_fail (run, "gave up after %u s with %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
            run->opts->timeout_s, run->count, run->opts->events);
  return G_SOURCE_REMOVE;
}

static gboolean
linger_done_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

/* --trace: a thread samples progress and memory every 50 ms, so it sees through stalls of
 * the main loop (a timer on the loop would not run during one). */
static gpointer
trace_thread (gpointer user_data)
{
  Run *run = user_data;

  while (!g_atomic_int_get (&run->trace_stop))
    {
      struct mallinfo2 heap = mallinfo2 ();
      gint done = g_atomic_int_get (&run->trace_done);
      gint emitted = run->history ? done + (gint)herald_history_get_backlog (run->history)
                                  : g_atomic_int_get (&run->trace_emitted);
      gint64 now = g_get_monotonic_time ();
      gint64 turn = run->start_us + g_atomic_int_get (&run->trace_turn_ms) * (gint64)1000;

      g_printerr ("trace %6.2f s  emitted %8d  done %8d  backlog %7d  main loop idle for %5.0f ms"
                  "  VmRSS %6.1f MiB  malloc: in use %6.1f MiB, free %6.1f MiB\n",
                  (now - run->start_us) / 1e6, emitted, done, emitted - done, (now - turn) / 1e3,
                  proc_status_kib ("VmRSS") / 1024.0, (heap.uordblks + heap.hblkhd) / 1048576.0,
                  heap.fordblks / 1048576.0);
      g_usleep (50 * 1000);
    }
  return NULL;
}

/* Runs on the main loop every 5 ms: how long the loop goes without turning shows a dispatch
 * that does not return (a socket read that keeps finding data, a long run of callbacks). */
static gboolean
ticked_cb (gpointer user_data)
{
  Run *run = user_data;
  gint64 now = g_get_monotonic_time ();

  if (run->trace_last_tick_us != 0)
    run->trace_max_stall_us = MAX (run->trace_max_stall_us, now - run->trace_last_tick_us);
  run->trace_last_tick_us = now;
  g_atomic_int_set (&run->trace_turn_ms, (gint)((now - run->start_us) / 1000));
  return G_SOURCE_CONTINUE;
}

static void
trace_event_emitted_cb (HeraldConnection *connection, HeraldEvent *event, gpointer user_data)
{
  Run *run = user_data;

  g_atomic_int_inc (&run->trace_emitted);
}

static void
raw_message_received_cb (SoupWebsocketConnection *socket, gint type, GBytes *message,
                         gpointer user_data)
{
  Run *run = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (length == 3 && memcmp (data, "END", 3) == 0)
    {
      run->ended = TRUE;
      g_main_loop_quit (run->loop);
      return;
    }
  run->count++;
}

static void
raw_closed_cb (SoupWebsocketConnection *socket, gpointer user_data)
{
  Run *run = user_data;

  if (!run->ended)
    run_fail (run, "the producer closed the socket (code %u)",
              soup_websocket_connection_get_close_code (socket));
}

static void
raw_connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *socket;

  socket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (socket == NULL)
    {
      run_fail (run, "connect: %s", error->message);
      return;
    }
  /* The engine's limit, so both receive paths do the same work per frame. */
  soup_websocket_connection_set_max_incoming_payload_size (socket, HERALD_MAX_INCOMING_PAYLOAD);
  g_signal_connect (socket, "message", G_CALLBACK (raw_message_received_cb), run);
  g_signal_connect (socket, "closed", G_CALLBACK (raw_closed_cb), run);
  run->socket = socket;
}

/* One more event taken in; the run ends at the last one. */
static void
count_event (Run *run)
{
  if (run->opts->trace)
    g_atomic_int_inc (&run->trace_done);
  if (++run->count == run->opts->events)
    g_main_loop_quit (run->loop);
}

static void
engine_event_emitted_cb (HeraldConnection *connection, HeraldEvent *event, gpointer user_data)
{
  count_event (user_data);
}

static void
engine_state_changed_cb (HeraldConnection *connection, GParamSpec *pspec, gpointer user_data)
{
  Run *run = user_data;
  HeraldConnectionState state = herald_connection_get_state (connection);

  if (state == HERALD_CONNECTION_BACKING_OFF || state == HERALD_CONNECTION_NEEDS_ATTENTION)
    run_fail (run, "connection %s: %s", herald_connection_state_to_string (state),
              herald_connection_get_reason (connection));
}

static void
hub_event_added_cb (HeraldHub *hub, HeraldEvent *event, gpointer user_data)
{
  count_event (user_data);
}

static void
hub_state_changed_cb (HeraldHub *hub, const char *account_id, HeraldConnectionState state,
                      const char *reason, gpointer user_data)
{
  Run *run = user_data;

  if (state == HERALD_CONNECTION_BACKING_OFF || state == HERALD_CONNECTION_NEEDS_ATTENTION)
    run_fail (run, "account %s: %s: %s", account_id, herald_connection_state_to_string (state),
              reason);
}

static SoupSession *
new_session (void)
{
  g_autofree char *user_agent = g_strdup_printf ("Herald/%s", PACKAGE_VERSION);

  /* As the hub makes its own. */
  return soup_session_new_with_options ("user-agent", user_agent, "timeout", 30, NULL);
}

static HeraldAccount *
new_account (const Producer *producer)
{
  HeraldAccount *account = herald_account_new (HERALD_PROVIDER_PALLY, ACCOUNT_ID);

  herald_account_set_label (account, "Benchmark");
  herald_account_set_endpoint (account, producer->endpoint);
  return account;
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
collect_usage (Result *result)
{
  struct rusage self, thread;

  getrusage (RUSAGE_SELF, &self);
  getrusage (RUSAGE_THREAD, &thread);
  result->cpu_user_s = timeval_s (&self.ru_utime);
  result->cpu_sys_s = timeval_s (&self.ru_stime);
  result->main_thread_cpu_s = timeval_s (&thread.ru_utime) + timeval_s (&thread.ru_stime);
  result->peak_rss_kib = self.ru_maxrss;
  result->end_rss_kib = proc_status_kib ("VmRSS");
}

static gboolean
run_in_process (const Options *opts, const Producer *producer, Result *result, GError **error)
{
  Run run = { .opts = opts };
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) handshake = NULL;
  g_autoptr (HeraldAccount) account = NULL;
  g_autoptr (HeraldFeed) feed = NULL;
  g_autoptr (HeraldConnection) connection = NULL;
  g_autoptr (GListStore) accounts = NULL;
  g_autoptr (HeraldHistory) history = NULL;
  g_autoptr (HeraldHub) hub = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  HeraldConnectionCounters counters = { 0 };
  gboolean have_counters = FALSE;
  gint64 start_us;
  guint timeout_id;
  GThread *tracer = NULL;
  guint tick_id = 0;

  run.loop = loop;
  result->rows = -1;

  if (opts->mode == MODE_HUB)
    {
      dir = opts->dir ? g_strdup (opts->dir) : g_dir_make_tmp ("herald-bench-XXXXXX", error);
      if (dir == NULL)
        return FALSE;
      path = g_build_filename (dir, "history.db", NULL);
      history = herald_history_open (path, error);
      if (history == NULL)
        return FALSE;
      herald_history_set_limit (history, opts->cap);
    }

  /* The clock starts where a running Herald would be: store open, about to connect. */
  start_us = run.start_us = g_get_monotonic_time ();
  timeout_id = g_timeout_add_seconds (opts->timeout_s, timed_out_cb, &run);
  switch (opts->mode)
    {
    case MODE_RAW:
      session = new_session ();
      handshake = soup_message_new (SOUP_METHOD_GET, producer->url);
      soup_session_websocket_connect_async (session, handshake, NULL, NULL, G_PRIORITY_DEFAULT,
                                            NULL, raw_connected_cb, &run);
      break;
    case MODE_ENGINE:
      session = new_session ();
      account = new_account (producer);
      feed = herald_feed_new_for_account (account);
      herald_feed_set_credential (feed, "api-key", producer->api_key);
      connection = herald_connection_new (feed, session, NULL);
      g_signal_connect (connection, "event", G_CALLBACK (engine_event_emitted_cb), &run);
      g_signal_connect (connection, "notify::state", G_CALLBACK (engine_state_changed_cb), &run);
      herald_connection_start (connection);
      break;
    case MODE_HUB:
      account = new_account (producer);
      accounts = g_list_store_new (HERALD_TYPE_ACCOUNT);
      g_list_store_append (accounts, account);
      hub = herald_hub_new (G_LIST_MODEL (accounts), history, NULL, NULL);
      herald_hub_set_use_keyring (hub, FALSE);
      herald_hub_set_memory_credential (hub, ACCOUNT_ID, "api-key", producer->api_key);
      g_signal_connect (hub, "event-added", G_CALLBACK (hub_event_added_cb), &run);
      g_signal_connect (hub, "state-changed", G_CALLBACK (hub_state_changed_cb), &run);
      herald_hub_start (hub);
      break;
    case MODE_EXEC:
    case MODE_REPORT:
    default:
      g_assert_not_reached ();
    }

  if (opts->trace)
    {
      run.history = history;
      if (connection != NULL)
        g_signal_connect (connection, "event", G_CALLBACK (trace_event_emitted_cb), &run);
      tick_id = g_timeout_add (5, ticked_cb, &run);
      tracer = g_thread_new ("bench-trace", trace_thread, &run);
    }
  if (run.failure == NULL)
    g_main_loop_run (loop);
  /* event-added follows the commit already; the flush makes "stored" hold by contract. */
  if (history != NULL && run.failure == NULL)
    herald_history_flush (history);
  result->wall_s = (g_get_monotonic_time () - start_us) / 1e6;
  collect_usage (result);
  g_source_remove (timeout_id);
  /* After the figures: only the trace sees this. */
  if (run.failure == NULL && opts->linger_s > 0)
    {
      g_timeout_add_seconds (opts->linger_s, linger_done_cb, loop);
      g_main_loop_run (loop);
    }
  if (tracer != NULL)
    {
      g_atomic_int_set (&run.trace_stop, TRUE);
      g_thread_join (tracer);
      g_clear_handle_id (&tick_id, g_source_remove);
      g_printerr ("trace: the main loop went up to %.0f ms without turning\n",
                  run.trace_max_stall_us / 1e3);
      malloc_stats ();
    }

  result->received = run.count;
  if (hub != NULL)
    have_counters = herald_hub_get_counters (hub, ACCOUNT_ID, &counters);
  else if (connection != NULL)
    {
      counters = *herald_connection_get_counters (connection);
      have_counters = TRUE;
    }
  if (have_counters)
    {
      result->messages = counters.messages;
      result->malformed = counters.malformed;
      result->duplicates = counters.duplicates;
    }
  else
    result->messages = run.count + (run.ended ? 1 : 0);

  if (run.failure == NULL && opts->mode == MODE_RAW && run.count != opts->events)
    run.failure = g_strdup_printf ("received %" G_GUINT64_FORMAT
                                   " frames before END, sent %" G_GUINT64_FORMAT,
                                   run.count, opts->events);
  /* Counted after the usage figures: the query's own memory must not show as the peak. */
  if (history != NULL)
    {
      g_autoptr (GPtrArray) rows = herald_history_query (history, NULL, NULL);

      result->rows = rows ? (gint64)rows->len : -1;
    }

  if (run.socket != NULL)
    {
      g_signal_handlers_disconnect_by_data (run.socket, &run);
      g_clear_object (&run.socket);
    }
  if (hub != NULL)
    herald_hub_stop (hub);
  if (connection != NULL)
    herald_connection_stop (connection);
  g_clear_object (&hub);
  g_clear_object (&history);
  if (dir != NULL && opts->dir == NULL)
    remove_tree (dir);

  result->ok = run.failure == NULL;
  result->failure = g_steal_pointer (&run.failure);
  return TRUE;
}

/* --- another program as the consumer --- */

static char **
substitute_url (char **command, const char *url)
{
  guint n = g_strv_length (command);
  char **argv = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) parts = g_strsplit (command[i], "{url}", -1);

      argv[i] = g_strjoinv (url, parts);
    }
  return argv;
}

/* The last number the program printed: how many messages it counted. */
static guint64
last_number (const char *text)
{
  g_auto (GStrv) words = g_strsplit_set (text, " \t\r\n", -1);
  guint64 value = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      guint64 parsed;

      if (g_ascii_string_to_unsigned (words[i], 10, 0, G_MAXUINT64, &parsed, NULL))
        value = parsed;
    }
  return value;
}

static gboolean
run_program (const Options *opts, const Producer *producer, Result *result, GError **error)
{
  g_auto (GStrv) argv = substitute_url (opts->command, producer->url);
  g_autofree char *output = NULL;
  g_autoptr (GError) read_error = NULL;
  struct rusage usage;
  gint64 start_us = g_get_monotonic_time ();
  GPid pid;
  int out_fd;
  int status = 0;

  result->rows = -1;
  /* Its peak RSS comes from wait4 (), which also counts this process's pages at the exec
   * (the kernel keeps the larger of the two): harmless while we stay the smaller one. */
  result->rss_floor_kib = proc_status_kib ("VmRSS");
  if (!g_spawn_async_with_pipes (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                 opts->pin ? pin_consumer_cb : NULL, NULL, &pid, NULL, &out_fd,
                                 NULL, error))
    return FALSE;
  output
    = read_until (out_fd, FALSE, start_us + (gint64)opts->timeout_s * G_USEC_PER_SEC, &read_error);
  if (output == NULL)
    kill (pid, SIGKILL);
  while (wait4 (pid, &status, 0, &usage) < 0 && errno == EINTR)
    ;
  result->wall_s = (g_get_monotonic_time () - start_us) / 1e6;
  g_close (out_fd, NULL);

  result->cpu_user_s = timeval_s (&usage.ru_utime);
  result->cpu_sys_s = timeval_s (&usage.ru_stime);
  result->main_thread_cpu_s = -1;
  result->peak_rss_kib = usage.ru_maxrss;
  result->end_rss_kib = -1;
  result->received = output ? last_number (output) : 0;
  result->messages = result->received;
  if (output == NULL)
    result->failure = g_strdup (read_error->message);
  else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    result->failure = g_strdup_printf ("%s exited with status %d", argv[0], status);
  else if (result->received != opts->events)
    result->failure = g_strdup_printf ("%s counted %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
                                       argv[0], result->received, opts->events);
  result->ok = result->failure == NULL;
  return TRUE;
}

/* --- output --- */

static void
add_int_member (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_double_member (JsonBuilder *builder, const char *name, double value)
{
  json_builder_set_member_name (builder, name);
  if (isnan (value))
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, value);
}

static void
print_app_members (JsonBuilder *builder, const Options *opts, const Result *result)
{
  json_builder_set_member_name (builder, "window");
  json_builder_add_boolean_value (builder, result->window_shown);
  add_double_member (builder, "idle_cpu_s", result->idle_cpu_s);
  add_double_member (builder, "stall_max_ms", result->stall_max_ms);
  add_double_member (builder, "stall_p99_ms", result->stall_p99_ms);
  add_double_member (builder, "idle_probe_max_ms", result->idle_probe_max_ms);
  add_int_member (builder, "probes", result->probes);
  add_int_member (builder, "slow_probes", result->slow_probes);
  add_int_member (builder, "probe_errors", result->probe_errors);
  add_int_member (builder, "rss_idle_kib", result->rss_idle_kib);
  add_int_member (builder, "anon_idle_kib", result->anon_idle_kib);
  add_int_member (builder, "anon_end_kib", result->anon_end_kib);
  add_int_member (builder, "anon_settled_kib", result->anon_settled_kib);
  add_int_member (builder, "settle_s", opts->settle_s);
  add_int_member (builder, "rss_settled_kib", result->rss_settled_kib);
}

static void
print_result (const Options *opts, const Result *result)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *json = NULL;
  /* app: net of what herald spends idle over the same time (idle_cpu_s is 0 otherwise). */
  double cpu_s = result->cpu_user_s + result->cpu_sys_s - result->idle_cpu_s;
  double rate = result->wall_s > 0 ? result->received / result->wall_s : 0;
  double per_event_us = result->received > 0 ? cpu_s / result->received * 1e6 : 0;
  double producer_us = result->received > 0 ? result->producer_cpu_s / result->received * 1e6 : 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "case");
  json_builder_add_string_value (builder, opts->name);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, mode_names[opts->mode]);
  json_builder_set_member_name (builder, "producer");
  json_builder_add_string_value (builder, producer_names[opts->producer]);
  json_builder_set_member_name (builder, "pinned");
  json_builder_add_boolean_value (builder, opts->pin);
  json_builder_set_member_name (builder, "events");
  json_builder_add_int_value (builder, (gint64)opts->events);
  json_builder_set_member_name (builder, "received");
  json_builder_add_int_value (builder, (gint64)result->received);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, result->ok);
  if (result->failure != NULL)
    {
      json_builder_set_member_name (builder, "failure");
      json_builder_add_string_value (builder, result->failure);
    }
  json_builder_set_member_name (builder, "wall_s");
  json_builder_add_double_value (builder, result->wall_s);
  json_builder_set_member_name (builder, "events_per_s");
  json_builder_add_double_value (builder, rate);
  json_builder_set_member_name (builder, "cpu_s");
  json_builder_add_double_value (builder, cpu_s);
  json_builder_set_member_name (builder, "cpu_user_s");
  json_builder_add_double_value (builder, result->cpu_user_s);
  json_builder_set_member_name (builder, "cpu_sys_s");
  json_builder_add_double_value (builder, result->cpu_sys_s);
  if (result->main_thread_cpu_s >= 0)
    {
      json_builder_set_member_name (builder, "main_thread_cpu_s");
      json_builder_add_double_value (builder, result->main_thread_cpu_s);
    }
  json_builder_set_member_name (builder, "cpu_us_per_event");
  json_builder_add_double_value (builder, per_event_us);
  json_builder_set_member_name (builder, "peak_rss_kib");
  json_builder_add_int_value (builder, result->peak_rss_kib);
  if (opts->mode == MODE_EXEC)
    {
      json_builder_set_member_name (builder, "rss_floor_kib");
      json_builder_add_int_value (builder, result->rss_floor_kib);
    }
  if (result->end_rss_kib >= 0)
    {
      json_builder_set_member_name (builder, "end_rss_kib");
      json_builder_add_int_value (builder, result->end_rss_kib);
    }
  if (opts->mode == MODE_HUB)
    {
      json_builder_set_member_name (builder, "cap");
      json_builder_add_int_value (builder, opts->cap);
      json_builder_set_member_name (builder, "rows");
      json_builder_add_int_value (builder, result->rows);
      json_builder_set_member_name (builder, "duplicates");
      json_builder_add_int_value (builder, (gint64)result->duplicates);
    }
  if (opts->mode == MODE_HUB || opts->mode == MODE_ENGINE)
    {
      json_builder_set_member_name (builder, "frames");
      json_builder_add_int_value (builder, (gint64)result->messages);
      json_builder_set_member_name (builder, "malformed");
      json_builder_add_int_value (builder, (gint64)result->malformed);
    }
  if (opts->mode == MODE_APP)
    print_app_members (builder, opts, result);
  json_builder_set_member_name (builder, "producer_cpu_s");
  json_builder_add_double_value (builder, result->producer_cpu_s);
  json_builder_set_member_name (builder, "producer_cpu_us_per_event");
  json_builder_add_double_value (builder, producer_us);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  g_print ("%s\n", json);
  fflush (stdout);

  g_printerr ("%-14s N=%-8" G_GUINT64_FORMAT " %s  wall %6.2f s  %8.0f events/s  CPU %6.2f s"
              "  %5.2f µs/event  peak RSS %6.1f MiB  producer %5.2f µs/event",
              opts->name, opts->events, result->ok ? "ok  " : "FAIL", result->wall_s, rate, cpu_s,
              per_event_us, result->peak_rss_kib / 1024.0, producer_us);
  if (opts->mode == MODE_HUB)
    g_printerr ("  rows %" G_GINT64_FORMAT, result->rows);
  if (opts->mode == MODE_APP)
    g_printerr ("  stall max %.0f ms, p99 %.0f ms (%u probes)  RSS idle %.1f, end %.1f, +%u s "
                "%.1f MiB",
                result->stall_max_ms, result->stall_p99_ms, result->probes,
                result->rss_idle_kib / 1024.0, result->end_rss_kib / 1024.0, opts->settle_s,
                result->rss_settled_kib / 1024.0);
  if (result->failure != NULL)
    g_printerr ("  (%s)", result->failure);
  g_printerr ("\n");
}

/* --- report: medians of a run.sh session as Markdown --- */

/* What the app mode adds to a result line, in the order of the application table. */
enum
{
  APP_STALL_MAX,
  APP_STALL_P99,
  APP_SLOW,
  APP_PROBES,
  APP_RSS_IDLE,
  APP_RSS_PEAK,
  APP_RSS_END,
  APP_RSS_SETTLED,
  APP_SETTLE_S,
  APP_ANON_IDLE,
  APP_ANON_END,
  APP_ANON_SETTLED,
  N_APP_FIGURES
};

static const char *const app_figure_members[N_APP_FIGURES] = {
  [APP_STALL_MAX] = "stall_max_ms", [APP_STALL_P99] = "stall_p99_ms",
  [APP_SLOW] = "slow_probes",       [APP_PROBES] = "probes",
  [APP_RSS_IDLE] = "rss_idle_kib",  [APP_RSS_PEAK] = "peak_rss_kib",
  [APP_RSS_END] = "end_rss_kib",    [APP_RSS_SETTLED] = "rss_settled_kib",
  [APP_SETTLE_S] = "settle_s",      [APP_ANON_IDLE] = "anon_idle_kib",
  [APP_ANON_END] = "anon_end_kib",  [APP_ANON_SETTLED] = "anon_settled_kib",
};

typedef struct
{
  char *producer;
  char *name;
  gint64 events;
  GArray *wall; /* of double */
  GArray *cpu;
  GArray *rss;
  GArray *producer_cpu;
  GArray *main_cpu; /* in-process cases only */
  GArray *rows;     /* hub only */
  gboolean app;     /* the herald executable: a table of its own */
  GArray *app_figures[N_APP_FIGURES];
  guint failures;
} Group;

static void
group_free (Group *group)
{
  g_free (group->producer);
  g_free (group->name);
  g_array_unref (group->wall);
  g_array_unref (group->cpu);
  g_array_unref (group->rss);
  g_array_unref (group->producer_cpu);
  g_array_unref (group->main_cpu);
  g_array_unref (group->rows);
  for (guint i = 0; i < N_APP_FIGURES; i++)
    g_array_unref (group->app_figures[i]);
  g_free (group);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
minimum (GArray *values)
{
  double least = INFINITY;

  for (guint i = 0; i < values->len; i++)
    least = MIN (least, g_array_index (values, double, i));
  return values->len > 0 ? least : NAN;
}

static double
median (GArray *values)
{
  g_autoptr (GArray) sorted = NULL;
  guint n = values->len;

  if (n == 0)
    return NAN;
  sorted = g_array_copy (values);
  g_array_sort (sorted, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

static Group *
find_group (GPtrArray *groups, const char *producer, const char *name, gint64 events)
{
  for (guint i = 0; i < groups->len; i++)
    {
      Group *group = g_ptr_array_index (groups, i);

      if (group->events == events && g_str_equal (group->name, name)
          && g_str_equal (group->producer, producer))
        return group;
    }
  return NULL;
}

static void
add_line (GPtrArray *groups, JsonObject *object)
{
  const char *producer = json_object_get_string_member_with_default (object, "producer", "?");
  const char *name = json_object_get_string_member_with_default (object, "case", "?");
  gint64 events = json_object_get_int_member_with_default (object, "events", 0);
  Group *group = find_group (groups, producer, name, events);
  double value;

  if (group == NULL)
    {
      group = g_new0 (Group, 1);
      group->producer = g_strdup (producer);
      group->name = g_strdup (name);
      group->events = events;
      group->wall = g_array_new (FALSE, FALSE, sizeof (double));
      group->cpu = g_array_new (FALSE, FALSE, sizeof (double));
      group->rss = g_array_new (FALSE, FALSE, sizeof (double));
      group->producer_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      group->main_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      group->rows = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint i = 0; i < N_APP_FIGURES; i++)
        group->app_figures[i] = g_array_new (FALSE, FALSE, sizeof (double));
      group->app
        = g_strcmp0 (json_object_get_string_member_with_default (object, "mode", ""), "app") == 0;
      g_ptr_array_add (groups, group);
    }
  if (!json_object_get_boolean_member_with_default (object, "ok", FALSE))
    {
      group->failures++;
      return;
    }
  value = json_object_get_double_member_with_default (object, "wall_s", NAN);
  g_array_append_val (group->wall, value);
  value = json_object_get_double_member_with_default (object, "cpu_s", NAN);
  g_array_append_val (group->cpu, value);
  value = json_object_get_int_member_with_default (object, "peak_rss_kib", 0) / 1024.0;
  g_array_append_val (group->rss, value);
  value = json_object_get_double_member_with_default (object, "producer_cpu_s", NAN);
  g_array_append_val (group->producer_cpu, value);
  if (json_object_has_member (object, "main_thread_cpu_s"))
    {
      value = json_object_get_double_member (object, "main_thread_cpu_s");
      g_array_append_val (group->main_cpu, value);
    }
  for (guint i = 0; group->app && i < N_APP_FIGURES; i++)
    {
      JsonNode *node = json_object_get_member (object, app_figure_members[i]);

      value = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : NAN;
      if (g_str_has_suffix (app_figure_members[i], "_kib"))
        value /= 1024.0;
      g_array_append_val (group->app_figures[i], value);
    }
  if (json_object_has_member (object, "rows"))
    {
      value = json_object_get_int_member (object, "rows");
      g_array_append_val (group->rows, value);
    }
}

typedef struct
{
  double rate;         /* events per second, net of the startup run */
  double fastest_rate; /* the same for the quickest run: the least disturbed by a shared host */
  double cpu_us;       /* CPU per event, net of the startup run */
  double rss_mib;
  double producer_us;
  double main_us;        /* NAN when not measured */
  double startup_cpu_ms; /* NAN without a one-event run */
  double rows;           /* NAN when not a hub */
  guint runs;
} Figures;

/* Net figures: what N events cost beyond the same case with one event (process start,
 * connect, store open, exit), so interpreters are not charged their start-up per event. */
static gboolean
figures_for (GPtrArray *groups, Group *group, Figures *out)
{
  Group *base = find_group (groups, group->producer, group->name, 1);
  double wall = median (group->wall), cpu = median (group->cpu);
  double producer_cpu = median (group->producer_cpu);
  double main_cpu = median (group->main_cpu);
  double base_wall = 0, base_cpu = NAN, base_producer = 0, base_main = 0;
  gint64 n = group->events;

  if (group->wall->len == 0)
    return FALSE;
  if (base != NULL && base->wall->len > 0 && n > 1)
    {
      base_wall = median (base->wall);
      base_cpu = median (base->cpu);
      base_producer = median (base->producer_cpu);
      base_main = base->main_cpu->len > 0 ? median (base->main_cpu) : 0;
      n -= 1;
    }
  out->rate = n / (wall - base_wall);
  out->fastest_rate = n / (minimum (group->wall) - base_wall);
  out->cpu_us = (cpu - (isnan (base_cpu) ? 0 : base_cpu)) / n * 1e6;
  out->producer_us = (producer_cpu - base_producer) / n * 1e6;
  out->main_us = (main_cpu - base_main) / n * 1e6;
  out->rows = median (group->rows);
  out->rss_mib = median (group->rss);
  out->startup_cpu_ms = base_cpu * 1e3;
  out->runs = group->wall->len;
  return TRUE;
}

/* Adds the JSON lines of one results file to groups. */
static gboolean
load_results (const char *path, GPtrArray *groups)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      g_printerr ("herald-bench: %s\n", error->message);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (lines[i][0] != '{')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      root = json_parser_get_root (parser);
      if (JSON_NODE_HOLDS_OBJECT (root))
        add_line (groups, json_node_get_object (root));
    }
  return TRUE;
}

/* The host's speed drifts between sessions, so a pooled median mixes fast and slow minutes.
 * Session by session, python (whose code never changes) measures the host, and the ratio to
 * it is what compares across sessions. */
static void
print_sessions (char **files)
{
  g_print ("\n`hub-pinned` session by session, with `python` from the same session as the "
           "measure of the host's speed.\n\n");
  g_print ("| session | producer | N | hub-pinned events/s (fastest) | µs CPU/event | python "
           "events/s | hub-pinned ÷ python |\n");
  g_print ("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint f = 0; files[f] != NULL; f++)
    {
      g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify)group_free);
      g_autofree char *session = g_path_get_basename (files[f]);

      if (!load_results (files[f], groups))
        continue;
      for (guint i = 0; i < groups->len; i++)
        {
          Group *group = g_ptr_array_index (groups, i);
          Group *python;
          Figures hub, reference;
          g_autofree char *python_rate = NULL;
          g_autofree char *ratio = NULL;

          if (!g_str_equal (group->name, "hub-pinned") || group->events <= 1
              || !figures_for (groups, group, &hub))
            continue;
          python = find_group (groups, group->producer, "python", group->events);
          if (python != NULL && figures_for (groups, python, &reference))
            {
              python_rate = g_strdup_printf ("%.0f", reference.rate);
              ratio = g_strdup_printf ("%.2f", hub.rate / reference.rate);
            }
          g_print ("| %s | %s | %" G_GINT64_FORMAT " | %.0f (%.0f) | %.2f | %s | %s |\n", session,
                   group->producer, group->events, hub.rate, hub.fastest_rate, hub.cpu_us,
                   python_rate ? python_rate : "–", ratio ? ratio : "–");
        }
    }
}

static char *
ratio_to (GPtrArray *groups, const char *producer, const char *name, gint64 events, double cpu_us)
{
  Group *reference = find_group (groups, producer, name, events);
  Figures figures;

  if (reference == NULL || !figures_for (groups, reference, &figures))
    return g_strdup ("–");
  return g_strdup_printf ("%.1f", cpu_us / figures.cpu_us);
}

/* The herald executable: what a person feels. CPU per event is net of herald's idle rate;
 * the ratios are to the hub and to python in the same results, with the same producer. */
static void
print_app_table (GPtrArray *groups, const char *producer)
{
  gboolean header = FALSE;

  for (guint i = 0; i < groups->len; i++)
    {
      Group *group = g_ptr_array_index (groups, i);
      Figures figures;
      g_autofree char *to_hub = NULL;
      g_autofree char *to_python = NULL;

      if (!group->app || !g_str_equal (group->producer, producer))
        continue;
      if (!header)
        {
          g_print ("\nThe application (the herald executable), producer %s. Medians; CPU per "
                   "event is net of herald's idle CPU over the same time; a probe calls herald "
                   "over D-Bus every 20 ms, and the stalls are its slowest answers during the "
                   "burst.\n\n",
                   producer);
          g_print ("| case | N | runs | µs CPU/event | CPU ÷ hub | CPU ÷ python | longest stall "
                   "ms | p99 stall ms | probes > 50 ms | RSS idle MiB | peak | end of burst | "
                   "after settling | heap MiB idle / end / settled |\n");
          g_print ("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
                   "---: | ---: | ---: |\n");
          header = TRUE;
        }
      if (!figures_for (groups, group, &figures))
        {
          g_print ("| %s | %" G_GINT64_FORMAT " | 0 (%u failed) | | | | | | | | | | | |\n",
                   group->name, group->events, group->failures);
          continue;
        }
      to_hub = ratio_to (groups, producer, "hub", group->events, figures.cpu_us);
      to_python = ratio_to (groups, producer, "python", group->events, figures.cpu_us);
      g_print (
        "| %s | %" G_GINT64_FORMAT " | %u%s | %.1f | %s | %s | %.0f | %.0f | %.0f of %.0f "
        "| %.1f | %.1f | %.1f | %.1f (+%.0f s) | %.1f / %.1f / %.1f |\n",
        group->name, group->events, figures.runs, group->failures ? " (+failed)" : "",
        figures.cpu_us, to_hub, to_python, median (group->app_figures[APP_STALL_MAX]),
        median (group->app_figures[APP_STALL_P99]), median (group->app_figures[APP_SLOW]),
        median (group->app_figures[APP_PROBES]), median (group->app_figures[APP_RSS_IDLE]),
        median (group->app_figures[APP_RSS_PEAK]), median (group->app_figures[APP_RSS_END]),
        median (group->app_figures[APP_RSS_SETTLED]), median (group->app_figures[APP_SETTLE_S]),
        median (group->app_figures[APP_ANON_IDLE]), median (group->app_figures[APP_ANON_END]),
        median (group->app_figures[APP_ANON_SETTLED]));
    }
}

static int
report (char **files)
{
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify)group_free);
  g_autoptr (GPtrArray) producers = g_ptr_array_new ();

  for (guint f = 0; files[f] != NULL; f++)
    if (!load_results (files[f], groups))
      return EXIT_FAILURE;

  for (guint i = 0; i < groups->len; i++)
    {
      Group *group = g_ptr_array_index (groups, i);

      if (!g_ptr_array_find_with_equal_func (producers, group->producer, g_str_equal, NULL))
        g_ptr_array_add (producers, group->producer);
    }

  for (guint p = 0; p < producers->len; p++)
    {
      const char *producer = g_ptr_array_index (producers, p);

      g_print ("\nProducer: %s. Medians, and the fastest run (the least disturbed by a shared "
               "host); rates and CPU per event are net of the same case run with one event "
               "(start-up, connect, exit).\n\n",
               producer);
      g_print ("| case | N | runs | events/s | fastest events/s | µs CPU/event | of which main "
               "thread | peak RSS MiB | rate ÷ raw | CPU ÷ raw | rows kept | start-up CPU ms "
               "| producer µs/event |\n");
      g_print ("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
               "| ---: |\n");
      for (guint i = 0; i < groups->len; i++)
        {
          Group *group = g_ptr_array_index (groups, i);
          Group *raw;
          Figures figures, raw_figures;
          g_autofree char *rate_ratio = NULL;
          g_autofree char *cpu_ratio = NULL;
          g_autofree char *main_us = NULL;
          g_autofree char *rows = NULL;
          g_autofree char *startup = NULL;

          if (!g_str_equal (group->producer, producer) || group->events <= 1 || group->app)
            continue;
          if (!figures_for (groups, group, &figures))
            {
              g_print ("| %s | %" G_GINT64_FORMAT " | 0 (%u failed) | | | | | | | | | | |\n",
                       group->name, group->events, group->failures);
              continue;
            }
          raw = find_group (groups, producer, "raw", group->events);
          if (raw != NULL && figures_for (groups, raw, &raw_figures))
            {
              rate_ratio = g_strdup_printf ("%.2f", figures.rate / raw_figures.rate);
              cpu_ratio = g_strdup_printf ("%.2f", figures.cpu_us / raw_figures.cpu_us);
            }
          if (!isnan (figures.main_us))
            main_us = g_strdup_printf ("%.2f", figures.main_us);
          if (!isnan (figures.rows))
            rows = g_strdup_printf ("%.0f", figures.rows);
          if (!isnan (figures.startup_cpu_ms))
            startup = g_strdup_printf ("%.0f", figures.startup_cpu_ms);
          g_print ("| %s | %" G_GINT64_FORMAT " | %u%s | %.0f | %.0f | %.2f | %s | %.1f | %s | %s "
                   "| %s | %s | %.2f |\n",
                   group->name, group->events, figures.runs, group->failures ? " (+failed)" : "",
                   figures.rate, figures.fastest_rate, figures.cpu_us, main_us ? main_us : "–",
                   figures.rss_mib, rate_ratio ? rate_ratio : "–", cpu_ratio ? cpu_ratio : "–",
                   rows ? rows : "–", startup ? startup : "–", figures.producer_us);
        }
    }
  for (guint p = 0; p < producers->len; p++)
    print_app_table (groups, g_ptr_array_index (producers, p));
  if (files[0] != NULL && files[1] != NULL)
    print_sessions (files);
  return EXIT_SUCCESS;
}

/* --- main --- */

static gboolean
parse_mode (const char *text, Mode *out_mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (mode_names); i++)
    if (g_str_equal (text, mode_names[i]))
      {
        *out_mode = i;
        return TRUE;
      }
  return FALSE;
}

static void
options_clear (Options *opts)
{
  g_free (opts->name);
  g_free (opts->simulator);
  g_free (opts->blaster);
  g_free (opts->replay);
  g_free (opts->dir);
  g_free (opts->herald);
  g_free (opts->schema_dir);
  g_strfreev (opts->command);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) rest = NULL;
  g_autofree char *events_text = NULL;
  g_autofree char *producer_text = NULL;
  g_auto (Options) opts = {
    .events = DEFAULT_EVENTS,
    .cap = DEFAULT_CAP,
    .timeout_s = DEFAULT_TIMEOUT_S,
    .settle_s = DEFAULT_SETTLE_S,
  };
  int settle_s = DEFAULT_SETTLE_S;
  int cap = DEFAULT_CAP;
  int chunk = 0;
  int timeout_s = DEFAULT_TIMEOUT_S;
  Producer producer = { .out_fd = -1 };
  Result result = { 0 };
  gboolean started;
  const GOptionEntry entries[] = {
    { "events", 'n', 0, G_OPTION_ARG_STRING, &events_text, "Events to push (default 200000)", "N" },
    { "cap", 0, 0, G_OPTION_ARG_INT, &cap, "History cap for the hub (default 10000)", "ROWS" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &opts.name, "Name of the case in the output", "TEXT" },
    { "producer", 0, 0, G_OPTION_ARG_STRING, &producer_text,
      "simulator (default), replay (the simulator's stream recorded, then sent at memory "
      "speed) or blaster (shared/bench/blaster.js under node)",
      "KIND" },
    { "simulator", 0, 0, G_OPTION_ARG_FILENAME, &opts.simulator, "The herald-simulator to run",
      "PATH" },
    { "blaster", 0, 0, G_OPTION_ARG_FILENAME, &opts.blaster, "blaster.js for --producer=blaster",
      "PATH" },
    { "replay", 0, 0, G_OPTION_ARG_FILENAME, &opts.replay,
      "The recording --producer=replay sends (made by the record mode)", "FILE" },
    { "chunk", 0, 0, G_OPTION_ARG_INT, &chunk, "The simulator's burst chunk (default: its own)",
      "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &opts.dir,
      "Directory for the history (default: a new temporary one, removed after)", "DIR" },
    { "pin", 0, 0, G_OPTION_ARG_NONE, &opts.pin,
      "Producer on the first CPU, consumer on the last one", NULL },
    { "linger", 0, 0, G_OPTION_ARG_INT, &opts.linger_s,
      "In-process cases: keep the main loop running S seconds after the last event (with "
      "--trace: memory after the burst)",
      "S" },
    { "trace", 0, 0, G_OPTION_ARG_NONE, &opts.trace,
      "Print progress and memory every 50 ms (to standard error)", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "Give up after this many seconds", "S" },
    { "herald", 0, 0, G_OPTION_ARG_FILENAME, &opts.herald,
      "app: the herald executable (default: this build's)", "PATH" },
    { "schema-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts.schema_dir,
      "app: where herald's compiled settings schema is (default: this build's data)", "DIR" },
    { "window", 0, 0, G_OPTION_ARG_NONE, &opts.window,
      "app: show the history window before the burst", NULL },
    { "settle", 0, 0, G_OPTION_ARG_INT, &settle_s,
      "app: read resident memory again this many seconds after the burst (default 30)", "S" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };

  /* Only the character set, for "µs" on standard error: numbers keep their C format. */
  setlocale (LC_CTYPE, "");
  /* As the herald executable does: every case measures libsoup as Herald runs it. */
  herald_log_drop_libsoup_debug ();
  context = g_option_context_new (
    "raw|engine|hub | exec -- COMMAND [ARG…] | app [--window] | record --replay=FILE | "
    "report FILE…");
  g_option_context_set_summary (
    context, "Pushes N Pally tips over one WebSocket and reports events/s, CPU and peak RSS.\n"
             "raw: libsoup only. engine: connection + Pally feed, events dropped.\n"
             "hub: the hub with a history in a temporary directory (end to end: stored).\n"
             "exec: another program; {url} in its arguments becomes the feed's URL, and it\n"
             "must print how many messages it counted.\n"
             "app: the herald executable in a private session (bus, keyring, notification\n"
             "daemon, tray host; needs DISPLAY), with a D-Bus probe every 20 ms.\n"
             "record: saves the simulator's stream of N events for --producer=replay.\n"
             "report: medians of earlier JSON lines as Markdown tables.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("herald-bench: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (rest == NULL || !parse_mode (rest[0], &opts.mode))
    {
      g_printerr ("herald-bench: expected a mode: raw, engine, hub, exec, app, record or report\n");
      return EXIT_FAILURE;
    }
  if (opts.mode == MODE_SERVE)
    {
      int status = rest[1] ? serve (rest[1]) : EXIT_FAILURE;

      return status;
    }
  if (opts.mode == MODE_REPORT)
    {
      int status = rest[1] ? report (rest + 1) : EXIT_FAILURE;

      if (rest[1] == NULL)
        g_printerr ("herald-bench: report needs the files of JSON lines to read\n");
      return status;
    }
  if (opts.mode == MODE_EXEC)
    {
      if (rest[1] == NULL)
        {
          g_printerr ("herald-bench: exec needs a command\n");
          return EXIT_FAILURE;
        }
      opts.command = g_strdupv (rest + 1);
    }
  else if (rest[1] != NULL)
    {
      g_printerr ("herald-bench: unexpected argument “%s”\n", rest[1]);
      return EXIT_FAILURE;
    }
  if (events_text != NULL
      && !g_ascii_string_to_unsigned (events_text, 10, 1, G_MAXUINT32, &opts.events, &error))
    {
      g_printerr ("herald-bench: --events: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (cap < 1 || chunk < 0 || chunk > 65536 || timeout_s < 1 || settle_s < 0)
    {
      g_printerr ("herald-bench: --cap and --timeout must be positive, --settle not negative, "
                  "--chunk 1 to 65536\n");
      return EXIT_FAILURE;
    }
  opts.cap = (guint)cap;
  opts.chunk = (guint)chunk;
  opts.timeout_s = (guint)timeout_s;
  opts.settle_s = (guint)settle_s;
  if (opts.herald == NULL)
    opts.herald = g_strdup (HERALD_APP_PATH);
  if (opts.schema_dir == NULL)
    opts.schema_dir = g_strdup (HERALD_SCHEMA_DIR);
  if (producer_text == NULL || g_str_equal (producer_text, "simulator"))
    opts.producer = PRODUCER_SIMULATOR;
  else if (g_str_equal (producer_text, "blaster"))
    opts.producer = PRODUCER_BLASTER;
  else if (g_str_equal (producer_text, "replay"))
    opts.producer = PRODUCER_REPLAY;
  else
    {
      g_printerr ("herald-bench: --producer is simulator, replay or blaster, not “%s”\n",
                  producer_text);
      return EXIT_FAILURE;
    }
  if (opts.producer == PRODUCER_BLASTER && opts.blaster == NULL)
    {
      g_printerr ("herald-bench: --producer=blaster needs --blaster=PATH\n");
      return EXIT_FAILURE;
    }
  if ((opts.producer == PRODUCER_REPLAY || opts.mode == MODE_RECORD) && opts.replay == NULL)
    {
      g_printerr ("herald-bench: --producer=replay and record need --replay=FILE\n");
      return EXIT_FAILURE;
    }
  if (opts.simulator == NULL)
    opts.simulator = g_strdup (HERALD_SIMULATOR_PATH);
  if (opts.mode == MODE_APP && (g_getenv ("DISPLAY") == NULL || *g_getenv ("DISPLAY") == '\0'))
    {
      g_printerr ("herald-bench: app needs an X display (DISPLAY); run.sh starts an Xvfb\n");
      return EXIT_FAILURE;
    }
  if (opts.mode == MODE_RECORD)
    {
      gboolean recorded = record_stream (&opts, opts.replay, &error);

      if (!recorded)
        g_printerr ("herald-bench: recording %s: %s\n", opts.replay, error->message);
      return recorded ? EXIT_SUCCESS : EXIT_FAILURE;
    }
  if (opts.name == NULL)
    opts.name = g_strdup (mode_names[opts.mode]);

  /* Before any thread exists, so the writer and GLib's own threads inherit it. */
  if (opts.pin && opts.mode != MODE_EXEC && opts.mode != MODE_APP)
    pin_to_cpu (0, consumer_cpu ());

  started = producer_start (&producer, &opts, &error);
  if (started)
    started = opts.mode == MODE_EXEC  ? run_program (&opts, &producer, &result, &error)
              : opts.mode == MODE_APP ? run_app (&opts, &producer, &result, &error)
                                      : run_in_process (&opts, &producer, &result, &error);
  producer_stop (&producer);
  if (!started)
    {
      g_printerr ("herald-bench: %s: %s\n", opts.name, error->message);
      return EXIT_FAILURE;
    }
  result.producer_cpu_s
    = timeval_s (&producer.usage.ru_utime) + timeval_s (&producer.usage.ru_stime);
  print_result (&opts, &result);
  g_free (result.failure);
  return result.ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
