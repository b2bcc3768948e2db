/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-socketio-packet.h — Engine.IO 4 / Socket.IO 5 text packets over one WebSocket.
 * Pure functions: one text frame in, one decoded packet out, and the few frames a client sends. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HERALD_SOCKETIO_ERROR (herald_socketio_error_quark ())

typedef enum
{
  HERALD_SOCKETIO_ERROR_MALFORMED,   /* not a packet this protocol allows */
  HERALD_SOCKETIO_ERROR_UNSUPPORTED, /* valid, but Herald does not speak it (binary, upgrade) */
} HeraldSocketioError;

typedef enum
{
  HERALD_EIO_OPEN = 0,
  HERALD_EIO_CLOSE,
  HERALD_EIO_PING,
  HERALD_EIO_PONG,
  HERALD_EIO_MESSAGE,
  HERALD_EIO_UPGRADE,
  HERALD_EIO_NOOP,
} HeraldEioType;

typedef enum
{
  HERALD_SIO_CONNECT = 0,
  HERALD_SIO_DISCONNECT,
  HERALD_SIO_EVENT,
  HERALD_SIO_ACK,
  HERALD_SIO_CONNECT_ERROR,
  HERALD_SIO_BINARY_EVENT,
  HERALD_SIO_BINARY_ACK,
} HeraldSioType;

typedef struct
{
  HeraldEioType eio_type;

  /* OPEN: the session id, and the timings in ms; max_payload is 0 when the server sent none. */
  char *sid;
  gint64 ping_interval_ms;
  gint64 ping_timeout_ms;
  gint64 max_payload;

  /* PING/PONG: the text after the type digit ("probe"), NULL when there is none. */
  char *probe_data;

  /* MESSAGE: the Socket.IO packet. */
  HeraldSioType sio_type;
  char *nsp;     /* "/" when absent */
  gint64 ack_id; /* -1 when none */
  guint n_attachments;
  char *payload_json; /* the JSON after the header, already validated; NULL when there is none */
} HeraldSocketioPacket;

GQuark herald_socketio_error_quark (void);

/* Decodes one WebSocket text frame (frame[0..len), need not be NUL-terminated) into @out, which
 * the caller provides uninitialised and must release with herald_socketio_packet_clear() whatever
 * the result. Payloads are checked against the packet type: CONNECT → object or none,
 * DISCONNECT → none, EVENT → array starting with the event name (a string), ACK → array with
 * an ack id, CONNECT_ERROR → object; OPEN needs sid, pingInterval and pingTimeout.
 * MALFORMED for anything else. UNSUPPORTED for the UPGRADE packet (Herald opens the WebSocket
 * directly and never probes) and for binary packets (45x/46x): for those @out still carries the
 * header (types, nsp, ack_id, n_attachments) so the caller can log what it skipped. */
gboolean herald_socketio_packet_parse (const char *frame, gsize len, HeraldSocketioPacket *out,
                                       GError **error);
/* Frees the strings and resets @out to an empty packet (ack_id -1); safe to call twice. */
void herald_socketio_packet_clear (HeraldSocketioPacket *packet);

/* Frames the client sends. @nsp is "/" or NULL for the main namespace, else "/name" (no ',').
 * JSON arguments are inserted as given: the caller passes a serialised object / array. */
char *herald_socketio_encode_connect (const char *nsp, const char *auth_json);
char *herald_socketio_encode_event (const char *nsp, gint64 ack_id, const char *args_json_array);
char *herald_socketio_encode_ack (const char *nsp, gint64 ack_id, const char *args_json_array);
char *herald_socketio_encode_disconnect (const char *nsp);
/* The answer to the server's "2". */
const char *herald_socketio_encode_pong (void);

G_END_DECLS
