/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-socketio-packet.c — decodes Engine.IO 4 frames carrying Socket.IO 5 packets and encodes
 * the client's side (connect, event, ack, disconnect, pong). No I/O and no state. */
#define G_LOG_DOMAIN "herald-socketio"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "herald-json.h"
#include "herald-socketio-packet.h"

/* The quark name is stringified tokens: keep clang-format from spacing the hyphens. */
/* clang-format off */
G_DEFINE_QUARK (herald-socketio-error-quark, herald_socketio_error)
/* clang-format on */

/* Every payload is validated; reusing one token store per thread keeps that allocation-free on
 * the event path. */
static HeraldJsonDoc *
thread_json_doc (void)
{
  static GPrivate doc_key = G_PRIVATE_INIT ((GDestroyNotify)herald_json_doc_free);
  HeraldJsonDoc *doc = g_private_get (&doc_key);

  if (doc == NULL)
    {
      doc = herald_json_doc_new ();
      g_private_set (&doc_key, doc);
    }
  return doc;
}

static gboolean
malformed (GError **error, const char *reason)
{
  g_set_error (error, HERALD_SOCKETIO_ERROR, HERALD_SOCKETIO_ERROR_MALFORMED,
               _ ("Malformed Socket.IO packet: %s"), _ (reason));
  return FALSE;
}

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* Reads the decimal digits at *p (at least one) into a value no larger than max. */
static gboolean
read_decimal (const char **p, const char *end, guint64 max, guint64 *out)
{
  const char *s = *p;
  guint64 value = 0;

  if (s >= end || !is_digit (*s))
    return FALSE;
  for (; s < end && is_digit (*s); s++)
    {
      guint digit = *s - '0';

      if (value > (max - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }
  *p = s;
  *out = value;
  return TRUE;
}

static gboolean
parse_open (const char *json, gsize len, HeraldSocketioPacket *out, GError **error)
{
  HeraldJsonDoc *doc = thread_json_doc ();
  HeraldJsonNode root, max_payload;
  g_autoptr (GError) json_error = NULL;

  if (!herald_json_doc_parse (doc, json, len, &json_error))
    {
      g_debug ("Engine.IO open packet: %s", json_error->message);
      /* TRANSLATORS: this and the reasons below end "Malformed Socket.IO packet: %s" */
      return malformed (error, N_ ("the open packet is not valid JSON"));
    }
  root = herald_json_doc_root (doc);
  out->sid = herald_json_node_dup_member_string (root, "sid");
  if (out->sid == NULL || out->sid[0] == '\0')
    return malformed (error, N_ ("the open packet has no session id"));
  if (!herald_json_node_get_int64 (herald_json_node_member (root, "pingInterval"),
                                   &out->ping_interval_ms)
      || out->ping_interval_ms <= 0
      || !herald_json_node_get_int64 (herald_json_node_member (root, "pingTimeout"),
                                      &out->ping_timeout_ms)
      || out->ping_timeout_ms <= 0)
    return malformed (error, N_ ("the open packet has no valid ping interval and timeout"));

  /* Engine.IO servers before 5.0 do not announce a limit. */
  max_payload = herald_json_node_member (root, "maxPayload");
  if (herald_json_node_type (max_payload) != HERALD_JSON_NONE
      && (!herald_json_node_get_int64 (max_payload, &out->max_payload) || out->max_payload < 0))
    return malformed (error, N_ ("the open packet has an invalid maxPayload"));

  return TRUE;
}

static gboolean
check_payload (HeraldSioType type, const char *json, gsize len, GError **error)
{
  HeraldJsonDoc *doc;
  HeraldJsonNode root;
  HeraldJsonType kind;
  g_autoptr (GError) json_error = NULL;

  if (len == 0)
    {
      switch (type)
        {
        case HERALD_SIO_CONNECT:
        case HERALD_SIO_DISCONNECT:
          return TRUE;
        default:
          return malformed (error, N_ ("the packet has no payload"));
        }
    }

  if (type == HERALD_SIO_DISCONNECT)
    return malformed (error, N_ ("a disconnect packet carries no payload"));

  doc = thread_json_doc ();
  if (!herald_json_doc_parse (doc, json, len, &json_error))
    {
      g_debug ("Socket.IO payload: %s", json_error->message);
      return malformed (error, N_ ("the payload is not valid JSON"));
    }
  root = herald_json_doc_root (doc);
  kind = herald_json_node_type (root);

  switch (type)
    {
    case HERALD_SIO_CONNECT:
      if (kind != HERALD_JSON_OBJECT)
        return malformed (error, N_ ("the payload is not an object"));
      break;
    case HERALD_SIO_CONNECT_ERROR:
      /* v5 servers send {"message": …}; python-socketio still sends a bare string for an
       * unknown namespace (44/ns,"Unable to connect"). Both are refusals. */
      if (kind != HERALD_JSON_OBJECT && kind != HERALD_JSON_STRING)
        return malformed (error, N_ ("a connect error carries an object or a string"));
      break;
    case HERALD_SIO_EVENT:
      if (kind != HERALD_JSON_ARRAY
          || herald_json_node_type (herald_json_node_element (root, 0)) != HERALD_JSON_STRING)
        return malformed (error, N_ ("an event payload must be an array starting with its name"));
      break;
    case HERALD_SIO_ACK:
      if (kind != HERALD_JSON_ARRAY)
        return malformed (error, N_ ("an ack payload must be an array"));
      break;
    default:
      /* parse_message() turns the binary types away before this; any other type is a
       * mistake here, and the frame is dropped as malformed rather than the program stopped. */
      g_warn_if_reached ();
      return malformed (error, N_ ("unknown Socket.IO packet type"));
    }
  return TRUE;
}

/* *keep_header is set when the packet is valid but unsupported (binary): the header stays in
 * @out so the caller can say what it skipped. */
static gboolean
parse_message (const char *p, const char *end, HeraldSocketioPacket *out, gboolean *keep_header,
               GError **error)
{
  gboolean binary;
  guint64 value;

  if (p >= end)
    return malformed (error, N_ ("the message is empty"));
  if (*p < '0' || *p > '6')
    return malformed (error, N_ ("unknown Socket.IO packet type"));
  out->sio_type = *p++ - '0';
  binary = out->sio_type == HERALD_SIO_BINARY_EVENT || out->sio_type == HERALD_SIO_BINARY_ACK;

  if (binary)
    {
      if (!read_decimal (&p, end, G_MAXUINT, &value) || p >= end || *p != '-')
        return malformed (error, N_ ("invalid attachment count"));
      out->n_attachments = value;
      p++;
    }

  if (p < end && *p == '/')
    {
      const char *comma = memchr (p, ',', end - p);

      if (comma == NULL)
        return malformed (error, N_ ("the namespace is not followed by a comma"));
      if (!g_utf8_validate_len (p, comma - p, NULL))
        return malformed (error, N_ ("the namespace is not valid UTF-8"));
      out->nsp = g_strndup (p, comma - p);
      p = comma + 1;
    }
  else
    out->nsp = g_strdup ("/");

  if (out->sio_type == HERALD_SIO_EVENT || out->sio_type == HERALD_SIO_ACK || binary)
    {
      if (p < end && is_digit (*p))
        {
          if (!read_decimal (&p, end, G_MAXINT64, &value))
            return malformed (error, N_ ("the ack id is out of range"));
          out->ack_id = value;
        }
      else if (out->sio_type == HERALD_SIO_ACK || out->sio_type == HERALD_SIO_BINARY_ACK)
        return malformed (error, N_ ("an ack packet has no ack id"));
    }

  if (binary)
    {
      *keep_header = TRUE;
      g_set_error (error, HERALD_SOCKETIO_ERROR, HERALD_SOCKETIO_ERROR_UNSUPPORTED,
                   _ ("Binary Socket.IO packets are not supported"));
      return FALSE;
    }

  if (!check_payload (out->sio_type, p, end - p, error))
    return FALSE;
  if (p < end)
    out->payload_json = g_strndup (p, end - p);
  return TRUE;
}

static void
packet_init (HeraldSocketioPacket *packet)
{
  memset (packet, 0, sizeof *packet);
  packet->ack_id = -1;
}

gboolean
herald_socketio_packet_parse (const char *frame, gsize len, HeraldSocketioPacket *out,
                              GError **error)
{
  const char *end = frame + len;
  gboolean keep_header = FALSE;
  gboolean ok;

  g_return_val_if_fail (frame != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  packet_init (out);
  if (len == 0)
    return malformed (error, N_ ("the frame is empty"));

  if (frame[0] < '0' || frame[0] > '6')
    return malformed (error, N_ ("unknown Engine.IO packet type"));
  out->eio_type = frame[0] - '0';

  switch (out->eio_type)
    {
    case HERALD_EIO_OPEN:
      ok = parse_open (frame + 1, len - 1, out, error);
      break;

    case HERALD_EIO_CLOSE:
    case HERALD_EIO_NOOP:
      ok = len == 1 || malformed (error, N_ ("unexpected data after the packet type"));
      break;

    case HERALD_EIO_PING:
    case HERALD_EIO_PONG:
      ok = TRUE;
      if (len > 1)
        {
          if (!g_utf8_validate_len (frame + 1, len - 1, NULL))
            ok = malformed (error, N_ ("the ping data is not valid UTF-8"));
          else
            out->probe_data = g_strndup (frame + 1, len - 1);
        }
      break;

    case HERALD_EIO_MESSAGE:
      ok = parse_message (frame + 1, end, out, &keep_header, error);
      break;

    case HERALD_EIO_UPGRADE:
    default:
      g_set_error (error, HERALD_SOCKETIO_ERROR, HERALD_SOCKETIO_ERROR_UNSUPPORTED,
                   _ ("Engine.IO transport upgrades are not supported"));
      ok = FALSE;
      break;
    }

  if (!ok && !keep_header)
    herald_socketio_packet_clear (out);
  return ok;
}

void
herald_socketio_packet_clear (HeraldSocketioPacket *packet)
{
  g_return_if_fail (packet != NULL);

  g_free (packet->sid);
  g_free (packet->probe_data);
  g_free (packet->nsp);
  g_free (packet->payload_json);
  packet_init (packet);
}

static gboolean
namespace_is_valid (const char *nsp)
{
  return nsp == NULL || (nsp[0] == '/' && strchr (nsp, ',') == NULL);
}

/* The main namespace "/" is implied by its absence; any other is written "/name,". */
static GString *
begin_packet (HeraldSioType type, const char *nsp)
{
  GString *s = g_string_sized_new (64);

  g_string_append_c (s, '0' + HERALD_EIO_MESSAGE);
  g_string_append_c (s, '0' + type);
  if (nsp != NULL && strcmp (nsp, "/") != 0)
    {
      g_string_append (s, nsp);
      g_string_append_c (s, ',');
    }
  return s;
}

char *
herald_socketio_encode_connect (const char *nsp, const char *auth_json)
{
  GString *s;

  g_return_val_if_fail (namespace_is_valid (nsp), NULL);

  s = begin_packet (HERALD_SIO_CONNECT, nsp);
  if (auth_json != NULL)
    g_string_append (s, auth_json);
  return g_string_free (s, FALSE);
}

char *
herald_socketio_encode_event (const char *nsp, gint64 ack_id, const char *args_json_array)
{
  GString *s;

  g_return_val_if_fail (namespace_is_valid (nsp), NULL);
  g_return_val_if_fail (ack_id >= -1, NULL);
  g_return_val_if_fail (args_json_array != NULL && args_json_array[0] == '[', NULL);

  s = begin_packet (HERALD_SIO_EVENT, nsp);
  if (ack_id >= 0)
    g_string_append_printf (s, "%" G_GINT64_FORMAT, ack_id);
  g_string_append (s, args_json_array);
  return g_string_free (s, FALSE);
}

char *
herald_socketio_encode_ack (const char *nsp, gint64 ack_id, const char *args_json_array)
{
  GString *s;

  g_return_val_if_fail (namespace_is_valid (nsp), NULL);
  g_return_val_if_fail (ack_id >= 0, NULL);
  g_return_val_if_fail (args_json_array != NULL && args_json_array[0] == '[', NULL);

  s = begin_packet (HERALD_SIO_ACK, nsp);
  g_string_append_printf (s, "%" G_GINT64_FORMAT, ack_id);
  g_string_append (s, args_json_array);
  return g_string_free (s, FALSE);
}

char *
herald_socketio_encode_disconnect (const char *nsp)
{
  g_return_val_if_fail (namespace_is_valid (nsp), NULL);

  return g_string_free (begin_packet (HERALD_SIO_DISCONNECT, nsp), FALSE);
}

const char *
herald_socketio_encode_pong (void)
{
  return "3";
}
