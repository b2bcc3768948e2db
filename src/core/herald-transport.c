/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-transport.c — what the connection engine reads beneath a WebSocket: the TCP socket
 * under libsoup's streams, its keepalive, and the kernel's time since data last arrived. */
#define G_LOG_DOMAIN "herald-connection"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "herald-transport.h"

/* libsoup 3.2's SoupIOStream exposes "base-iostream", TLS connections "base-io-stream"; a few
 * steps reach the GSocketConnection. Found by property so that no private libsoup type is
 * named here. */
GSocket *
herald_transport_find_socket (SoupWebsocketConnection *socket)
{
  GIOStream *stream;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (socket), NULL);

  stream = soup_websocket_connection_get_io_stream (socket);
  for (guint depth = 0; stream != NULL && depth < 4; depth++)
    {
      GParamSpec *pspec;
      GIOStream *base = NULL;

      if (G_IS_SOCKET_CONNECTION (stream))
        return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream");
      if (pspec == NULL)
        pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-io-stream");
      if (pspec == NULL || !(pspec->flags & G_PARAM_READABLE)
          || !g_type_is_a (pspec->value_type, G_TYPE_IO_STREAM))
        return NULL;
      g_object_get (stream, pspec->name, &base, NULL);
      /* The outer stream keeps its base alive for as long as we look at it. */
      if (base != NULL)
        g_object_unref (base);
      stream = base;
    }
  return NULL;
}

gboolean
herald_transport_set_keepalive (GSocket *socket, guint idle_s, guint interval_s, guint count,
                                GError **error)
{
  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);
  g_return_val_if_fail (idle_s > 0 && interval_s > 0 && count > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_socket_set_keepalive (socket, TRUE);
  /* The kernel refuses an idle time above 32767 s. */
  return g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPIDLE, (gint)MIN (idle_s, G_MAXINT16),
                              error)
         && g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPINTVL,
                                 (gint)MIN (interval_s, G_MAXINT16), error)
         && g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPCNT, (gint)MIN (count, 127), error);
}

gboolean
herald_transport_get_silence_ms (GSocket *socket, guint *out_ms)
{
#ifdef TCP_INFO
  struct tcp_info info;
  socklen_t len = sizeof info;
  int fd;

  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);
  g_return_val_if_fail (out_ms != NULL, FALSE);

  fd = g_socket_get_fd (socket);
  memset (&info, 0, sizeof info);
  if (fd < 0 || getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0
      || (gsize)len < G_STRUCT_OFFSET (struct tcp_info, tcpi_last_data_recv)
                        + sizeof info.tcpi_last_data_recv)
    return FALSE;
  *out_ms = info.tcpi_last_data_recv;
  return TRUE;
#else
  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);
  g_return_val_if_fail (out_ms != NULL, FALSE);
  return FALSE;
#endif
}
