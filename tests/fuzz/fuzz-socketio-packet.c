/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-socketio-packet.c — libFuzzer target: one frame through the Socket.IO packet decoder,
 * checked against what herald-socketio-packet.h promises, and decode(encode(x)) round trips. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "herald-json.h"
#include "herald-socketio-packet.h"

static HeraldJsonType
json_kind (const char *json, HeraldJsonType *first_element)
{
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  HeraldJsonNode root;

  if (!herald_json_doc_parse (doc, json, strlen (json), NULL))
    return HERALD_JSON_NONE;
  root = herald_json_doc_root (doc);
  if (first_element != NULL)
    *first_element = herald_json_node_type (herald_json_node_element (root, 0));
  return herald_json_node_type (root);
}

/* Whether the header allows this payload (NULL: none) for this packet type. */
static gboolean
payload_fits (HeraldSioType type, const char *payload)
{
  HeraldJsonType first = HERALD_JSON_NONE;
  HeraldJsonType kind;

  if (payload == NULL)
    return type == HERALD_SIO_CONNECT || type == HERALD_SIO_DISCONNECT;
  kind = json_kind (payload, &first);
  switch (type)
    {
    case HERALD_SIO_CONNECT:
      return kind == HERALD_JSON_OBJECT;
    case HERALD_SIO_CONNECT_ERROR:
      return kind == HERALD_JSON_OBJECT || kind == HERALD_JSON_STRING;
    case HERALD_SIO_EVENT:
      return kind == HERALD_JSON_ARRAY && first == HERALD_JSON_STRING;
    case HERALD_SIO_ACK:
      return kind == HERALD_JSON_ARRAY;
    case HERALD_SIO_DISCONNECT:
    case HERALD_SIO_BINARY_EVENT:
    case HERALD_SIO_BINARY_ACK:
    default:
      return FALSE;
    }
}

static gboolean
is_empty (const HeraldSocketioPacket *p)
{
  return p->sid == NULL && p->probe_data == NULL && p->nsp == NULL && p->payload_json == NULL
         && p->ack_id == -1 && p->n_attachments == 0 && p->ping_interval_ms == 0
         && p->ping_timeout_ms == 0 && p->max_payload == 0;
}

static void
check_decoded (const char *frame, gsize len, const HeraldSocketioPacket *p)
{
  switch (p->eio_type)
    {
    case HERALD_EIO_OPEN:
      FUZZ_CHECK (p->sid != NULL && p->sid[0] != '\0' && g_utf8_validate (p->sid, -1, NULL));
      FUZZ_CHECK (p->ping_interval_ms > 0 && p->ping_timeout_ms > 0 && p->max_payload >= 0);
      FUZZ_CHECK (p->nsp == NULL && p->payload_json == NULL && p->ack_id == -1);
      break;
    case HERALD_EIO_CLOSE:
    case HERALD_EIO_NOOP:
      FUZZ_CHECK (len == 1 && is_empty (p));
      break;
    case HERALD_EIO_PING:
    case HERALD_EIO_PONG:
      if (len == 1)
        FUZZ_CHECK (p->probe_data == NULL);
      else
        FUZZ_CHECK (p->probe_data != NULL && strlen (p->probe_data) == len - 1
                    && memcmp (p->probe_data, frame + 1, len - 1) == 0
                    && g_utf8_validate (p->probe_data, -1, NULL));
      break;
    case HERALD_EIO_MESSAGE:
      FUZZ_CHECK (p->sid == NULL && p->probe_data == NULL);
      FUZZ_CHECK (p->nsp != NULL && p->nsp[0] == '/' && strchr (p->nsp, ',') == NULL
                  && g_utf8_validate (p->nsp, -1, NULL));
      FUZZ_CHECK (p->sio_type <= HERALD_SIO_CONNECT_ERROR);
      FUZZ_CHECK (p->n_attachments == 0);
      FUZZ_CHECK (payload_fits (p->sio_type, p->payload_json));
      /* The payload is the rest of the frame, as sent. */
      if (p->payload_json != NULL)
        {
          gsize n = strlen (p->payload_json);

          FUZZ_CHECK (n <= len && memcmp (frame + len - n, p->payload_json, n) == 0);
        }
      if (p->sio_type == HERALD_SIO_ACK)
        FUZZ_CHECK (p->ack_id >= 0);
      else if (p->sio_type != HERALD_SIO_EVENT)
        FUZZ_CHECK (p->ack_id == -1);
      else
        FUZZ_CHECK (p->ack_id >= -1);
      break;
    case HERALD_EIO_UPGRADE:
    default:
      FUZZ_CHECK (!"decoded a packet type Herald does not speak");
    }
}

/* The client's own packets: NULL for a type without an encoder. */
static char *
encode (HeraldSioType type, const char *nsp, gint64 ack_id, const char *payload)
{
  switch (type)
    {
    case HERALD_SIO_CONNECT:
      return herald_socketio_encode_connect (nsp, payload);
    case HERALD_SIO_DISCONNECT:
      return herald_socketio_encode_disconnect (nsp);
    case HERALD_SIO_EVENT:
      return herald_socketio_encode_event (nsp, ack_id, payload);
    case HERALD_SIO_ACK:
      return herald_socketio_encode_ack (nsp, ack_id, payload);
    case HERALD_SIO_CONNECT_ERROR:
    case HERALD_SIO_BINARY_EVENT:
    case HERALD_SIO_BINARY_ACK:
    default:
      return NULL;
    }
}

/* Encodes x and decodes the frame: when x's payload is what its type allows, it comes back as x. */
static void
check_round_trip (HeraldSioType type, const char *nsp, gint64 ack_id, const char *payload)
{
  g_autofree char *frame = encode (type, nsp, ack_id, payload);
  g_autoptr (GError) error = NULL;
  HeraldSocketioPacket p;
  gboolean ok;

  if (frame == NULL)
    return;
  ok = herald_socketio_packet_parse (frame, strlen (frame), &p, &error);
  /* Arguments that are not the serialised JSON the encoder asks for promise nothing (an
   * "auth" of "/x,{}" reads back as a namespace); the frame still goes through the decoder. */
  if (payload_fits (type, payload))
    {
      FUZZ_CHECK (ok && error == NULL);
      check_decoded (frame, strlen (frame), &p);
      FUZZ_CHECK (p.eio_type == HERALD_EIO_MESSAGE && p.sio_type == type);
      FUZZ_CHECK (g_strcmp0 (p.nsp, nsp != NULL ? nsp : "/") == 0);
      FUZZ_CHECK (p.ack_id == ack_id);
      FUZZ_CHECK (g_strcmp0 (p.payload_json, payload) == 0);
    }
  herald_socketio_packet_clear (&p);
  herald_socketio_packet_clear (&p);
  FUZZ_CHECK (is_empty (&p));
}

/* The input read as a packet to send: the first byte picks the type and ack id, the text up to
 * the first newline names the namespace (after its '/'), the rest is the payload. */
static void
check_encoding_of_input (const guint8 *data, size_t size)
{
  static const HeraldSioType types[]
    = { HERALD_SIO_CONNECT, HERALD_SIO_DISCONNECT, HERALD_SIO_EVENT, HERALD_SIO_ACK };
  HeraldSioType type;
  gint64 ack_id;
  const char *text, *newline;
  g_autofree char *nsp = NULL;
  g_autofree char *payload = NULL;
  gsize text_len;
  guint pick;

  if (size < 1)
    return;
  type = types[data[0] % 4];
  pick = data[0] / 4;
  ack_id = pick == 0 ? -1 : pick == 63 ? G_MAXINT64 : (gint64)(pick - 1) * 1000003;
  if (type == HERALD_SIO_ACK && ack_id < 0)
    ack_id = 0;
  else if (type != HERALD_SIO_EVENT && type != HERALD_SIO_ACK)
    ack_id = -1;

  text = (const char *)data + 1;
  text_len = size - 1;
  /* Valid UTF-8 without NUL, as strings handed to the encoder are. */
  if (!g_utf8_validate_len (text, text_len, NULL))
    return;
  newline = memchr (text, '\n', text_len);
  if (newline == NULL)
    return;
  nsp = g_strdup_printf ("/%.*s", (int)(newline - text), text);
  /* The encoder's contract: a namespace has no ','; array arguments start with '['. */
  if (strchr (nsp, ',') != NULL)
    return;
  if (newline + 1 < text + text_len)
    payload = g_strndup (newline + 1, text + text_len - newline - 1);
  if ((type == HERALD_SIO_EVENT || type == HERALD_SIO_ACK)
      && (payload == NULL || payload[0] != '['))
    return;
  if (type == HERALD_SIO_DISCONNECT)
    g_clear_pointer (&payload, g_free);

  check_round_trip (type, nsp, ack_id, payload);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  const char *frame = (const char *)data;
  g_autoptr (GError) error = NULL;
  HeraldSocketioPacket p;

  if (herald_socketio_packet_parse (frame, size, &p, &error))
    {
      FUZZ_CHECK (error == NULL);
      check_decoded (frame, size, &p);
      /* decode(encode(decode(frame))) is decode(frame), where the encoder takes the payload
       * as it came: it wants array arguments to start with '[', not with white space. */
      if (p.eio_type == HERALD_EIO_MESSAGE
          && (p.payload_json == NULL || p.payload_json[0] == '['
              || (p.sio_type != HERALD_SIO_EVENT && p.sio_type != HERALD_SIO_ACK)))
        check_round_trip (p.sio_type, p.nsp, p.ack_id, p.payload_json);
    }
  else
    {
      FUZZ_CHECK (error != NULL && error->domain == HERALD_SOCKETIO_ERROR);
      if (error->code == HERALD_SOCKETIO_ERROR_UNSUPPORTED)
        {
          /* An upgrade, or a binary packet whose header is kept for the log. */
          FUZZ_CHECK (size >= 1 && (frame[0] == '5' || frame[0] == '4'));
          if (frame[0] == '4')
            FUZZ_CHECK (
              (p.sio_type == HERALD_SIO_BINARY_EVENT || p.sio_type == HERALD_SIO_BINARY_ACK)
              && p.nsp != NULL && p.nsp[0] == '/' && p.payload_json == NULL);
          else
            FUZZ_CHECK (is_empty (&p));
        }
      else
        {
          FUZZ_CHECK (error->code == HERALD_SOCKETIO_ERROR_MALFORMED);
          FUZZ_CHECK (is_empty (&p));
        }
    }
  herald_socketio_packet_clear (&p);
  FUZZ_CHECK (is_empty (&p));

  check_encoding_of_input (data, size);
  return 0;
}
