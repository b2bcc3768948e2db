/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-transport.h — the TCP socket beneath a libsoup WebSocket, for the connection engine's
 * liveness: find it, arm keepalive on it, read how long it has received nothing. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The GSocket under socket's streams (plain or TLS); NULL when they are not made that way.
 * transfer none: valid while socket is. */
GSocket *herald_transport_find_socket (SoupWebsocketConnection *socket);

/* Turns TCP keepalive on: the first probe after idle_s seconds without traffic, then one every
 * interval_s, and the kernel drops the connection after count unanswered. FALSE with error
 * when the system would not take the timing (keepalive may still be on, at its own timing). */
gboolean herald_transport_set_keepalive (GSocket *socket, guint idle_s, guint interval_s,
                                         guint count, GError **error);

/* Milliseconds since the kernel last received data on socket, control frames such as the
 * peer's WebSocket pings included; FALSE where it cannot tell (not TCP, not Linux, closed). */
gboolean herald_transport_get_silence_ms (GSocket *socket, guint *out_ms);

G_END_DECLS
