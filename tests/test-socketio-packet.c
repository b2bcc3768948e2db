/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-socketio-packet.c — Engine.IO 4 / Socket.IO 5 frames as servers send them, the frames
 * Herald must refuse (with the exact code), and encode → parse round trips. */
#include "config.h"

#include <string.h>

#include "herald-socketio-packet.h"

/* Parses from an exact-size copy so that AddressSanitizer catches any read past the end. */
static gboolean
parse_exact (const char *frame, gsize len, HeraldSocketioPacket *out, GError **error)
{
  g_autofree char *copy = g_malloc (MAX (len, 1));

  memcpy (copy, frame, len);
  return herald_socketio_packet_parse (copy, len, out, error);
}

typedef struct
{
  const char *path;
  const char *frame;
  HeraldEioType eio_type;
  const char *sid;
  gint64 ping_interval_ms, ping_timeout_ms, max_payload;
  const char *probe_data;
  HeraldSioType sio_type;
  const char *nsp;
  gint64 ack_id;
  const char *payload_json;
} ValidFrame;

#define OPEN_FRAME                                                                                 \
  "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":"     \
  "20000,\"maxPayload\":1000000}"

static const ValidFrame valid_frames[] = {
  { "/socketio/valid/open", OPEN_FRAME, HERALD_EIO_OPEN, "lv_VI97HAXpY6yYWAAAC", 25000, 20000,
    1000000, NULL, 0, NULL, -1, NULL },
  { "/socketio/valid/open-without-max-payload",
    "0{\"sid\":\"abc\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,\"pingTimeout\":200}",
    HERALD_EIO_OPEN, "abc", 300, 200, 0, NULL, 0, NULL, -1, NULL },
  { "/socketio/valid/close", "1", HERALD_EIO_CLOSE, NULL, 0, 0, 0, NULL, 0, NULL, -1, NULL },
  { "/socketio/valid/ping", "2", HERALD_EIO_PING, NULL, 0, 0, 0, NULL, 0, NULL, -1, NULL },
  { "/socketio/valid/pong", "3", HERALD_EIO_PONG, NULL, 0, 0, 0, NULL, 0, NULL, -1, NULL },
  { "/socketio/valid/ping-probe", "2probe", HERALD_EIO_PING, NULL, 0, 0, 0, "probe", 0, NULL, -1,
    NULL },
  { "/socketio/valid/noop", "6", HERALD_EIO_NOOP, NULL, 0, 0, 0, NULL, 0, NULL, -1, NULL },
  { "/socketio/valid/connect-main", "40", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_CONNECT, "/", -1, NULL },
  { "/socketio/valid/connect-main-auth", "40{\"token\":\"abc\"}", HERALD_EIO_MESSAGE, NULL, 0, 0, 0,
    NULL, HERALD_SIO_CONNECT, "/", -1, "{\"token\":\"abc\"}" },
  { "/socketio/valid/connect-ns-sid", "40/ns,{\"sid\":\"x\"}", HERALD_EIO_MESSAGE, NULL, 0, 0, 0,
    NULL, HERALD_SIO_CONNECT, "/ns", -1, "{\"sid\":\"x\"}" },
  { "/socketio/valid/connect-ns-empty", "40/ns,", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_CONNECT, "/ns", -1, NULL },
  { "/socketio/valid/disconnect-ns", "41/ns,", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_DISCONNECT, "/ns", -1, NULL },
  { "/socketio/valid/disconnect-main", "41", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_DISCONNECT, "/", -1, NULL },
  { "/socketio/valid/event-main", "42[\"ev\",{}]", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_EVENT, "/", -1, "[\"ev\",{}]" },
  { "/socketio/valid/event-ns", "42/ns,[\"ev\",1]", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_EVENT, "/ns", -1, "[\"ev\",1]" },
  { "/socketio/valid/event-ns-ack", "42/ns,17[\"ev\"]", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_EVENT, "/ns", 17, "[\"ev\"]" },
  { "/socketio/valid/event-main-ack", "4217[\"ev\",\"x\"]", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_EVENT, "/", 17, "[\"ev\",\"x\"]" },
  { "/socketio/valid/event-ack-max", "42/ns,9223372036854775807[\"ev\"]", HERALD_EIO_MESSAGE, NULL,
    0, 0, 0, NULL, HERALD_SIO_EVENT, "/ns", G_MAXINT64, "[\"ev\"]" },
  { "/socketio/valid/event-slash-comma", "42/,[\"ev\"]", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_EVENT, "/", -1, "[\"ev\"]" },
  { "/socketio/valid/event-dimes",
    "42/v1/ws/prediction-markets/positions,[\"position.opened\",{\"id\":\"evt_1\",\"type\":"
    "\"position.opened\",\"data\":{\"id\":\"dm_pos_1\",\"status\":\"open\"}}]",
    HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL, HERALD_SIO_EVENT,
    "/v1/ws/prediction-markets/positions", -1,
    "[\"position.opened\",{\"id\":\"evt_1\",\"type\":\"position.opened\",\"data\":{\"id\":"
    "\"dm_pos_1\",\"status\":\"open\"}}]" },
  { "/socketio/valid/ack-ns", "43/ns,17[]", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL, HERALD_SIO_ACK,
    "/ns", 17, "[]" },
  { "/socketio/valid/ack-main-zero", "430[\"ok\",2]", HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL,
    HERALD_SIO_ACK, "/", 0, "[\"ok\",2]" },
  { "/socketio/valid/connect-error-ns", "44/ns,{\"message\":\"not authorized\"}",
    HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL, HERALD_SIO_CONNECT_ERROR, "/ns", -1,
    "{\"message\":\"not authorized\"}" },
  { "/socketio/valid/connect-error-main-data", "44{\"message\":\"x\",\"data\":{\"code\":1}}",
    HERALD_EIO_MESSAGE, NULL, 0, 0, 0, NULL, HERALD_SIO_CONNECT_ERROR, "/", -1,
    "{\"message\":\"x\",\"data\":{\"code\":1}}" },
  /* python-socketio's refusal of an unknown namespace. */
  { "/socketio/valid/connect-error-string", "44/nope,\"Unable to connect\"", HERALD_EIO_MESSAGE,
    NULL, 0, 0, 0, NULL, HERALD_SIO_CONNECT_ERROR, "/nope", -1, "\"Unable to connect\"" },
};

static void
test_valid (gconstpointer data)
{
  const ValidFrame *c = data;
  HeraldSocketioPacket packet;
  g_autoptr (GError) error = NULL;

  g_assert_true (parse_exact (c->frame, strlen (c->frame), &packet, &error));
  g_assert_no_error (error);

  g_assert_cmpint (packet.eio_type, ==, c->eio_type);
  g_assert_cmpstr (packet.sid, ==, c->sid);
  g_assert_cmpint (packet.ping_interval_ms, ==, c->ping_interval_ms);
  g_assert_cmpint (packet.ping_timeout_ms, ==, c->ping_timeout_ms);
  g_assert_cmpint (packet.max_payload, ==, c->max_payload);
  g_assert_cmpstr (packet.probe_data, ==, c->probe_data);
  g_assert_cmpint (packet.sio_type, ==, c->sio_type);
  g_assert_cmpstr (packet.nsp, ==, c->nsp);
  g_assert_cmpint (packet.ack_id, ==, c->ack_id);
  g_assert_cmpuint (packet.n_attachments, ==, 0);
  g_assert_cmpstr (packet.payload_json, ==, c->payload_json);

  herald_socketio_packet_clear (&packet);
  g_assert_null (packet.nsp);
  g_assert_null (packet.payload_json);
  g_assert_cmpint (packet.ack_id, ==, -1);
  herald_socketio_packet_clear (&packet);
}

typedef struct
{
  const char *path;
  const char *frame;
  gssize len; /* -1: strlen */
  HeraldSocketioError code;
} InvalidFrame;

static const InvalidFrame invalid_frames[] = {
  { "/socketio/invalid/empty", "", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/eio-9", "9", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/eio-7", "7", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/eio-letter", "b4AAA", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/eio-nul", "\0", 1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/message-empty", "4", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/sio-7", "47", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/sio-letter", "4x[\"ev\"]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/namespace-no-comma", "42/ns", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/namespace-no-comma-payload", "42/ns[\"ev\"]", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/namespace-not-utf8", "42/n\xff,[\"ev\"]", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/namespace-nul", "42/n\0s,[\"ev\"]", 13, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/truncated-json", "42/ns,[", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/trailing-json", "42[\"ev\"]x", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/json-not-utf8", "42[\"\xff\"]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/event-object", "42/ns,{}", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/event-empty-array", "42/ns,[]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/event-number-name", "42[1,2]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/event-no-payload", "42", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/event-ns-no-payload", "42/ns,", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/event-ack-only", "42/ns,5", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/ack-id-overflow", "42/ns,99999999999999999999[\"ev\"]", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/ack-id-overflow-by-one", "42/ns,9223372036854775808[\"ev\"]", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/ack-id-negative", "42/ns,-1[\"ev\"]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/ack-without-id", "43/ns,[]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/ack-without-payload", "43/ns,5", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/ack-object", "43/ns,5{}", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/connect-array", "40/ns,[]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/connect-string", "40\"x\"", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/connect-ack-id", "40/ns,12{}", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/disconnect-payload", "41/ns,{}", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/connect-error-empty", "44/ns,", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/connect-error-array", "44/ns,[\"not authorized\"]", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/binary-no-count", "45/ns,[\"ev\"]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/binary-no-dash", "451/ns,[\"ev\"]", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/binary-count-overflow", "4599999999999-[\"ev\"]", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/open-empty", "0", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/open-not-json", "0{sid:1}", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/open-no-sid", "0{\"pingInterval\":1,\"pingTimeout\":1}", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/open-empty-sid", "0{\"sid\":\"\",\"pingInterval\":1,\"pingTimeout\":1}", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/open-no-ping", "0{\"sid\":\"x\"}", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/open-negative-ping",
    "0{\"sid\":\"x\",\"pingInterval\":-1,\"pingTimeout\":1}", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/open-string-timeout",
    "0{\"sid\":\"x\",\"pingInterval\":1,\"pingTimeout\":\"1\"}", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/open-fraction-max-payload",
    "0{\"sid\":\"x\",\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":1.5}", -1,
    HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/close-with-data", "1x", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/noop-with-data", "6x", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/invalid/ping-not-utf8", "2\xc3", -1, HERALD_SOCKETIO_ERROR_MALFORMED },
  { "/socketio/unsupported/upgrade", "5", -1, HERALD_SOCKETIO_ERROR_UNSUPPORTED },
  { "/socketio/unsupported/binary-event", "451-/ns,[\"ev\",{\"_placeholder\":true,\"num\":0}]", -1,
    HERALD_SOCKETIO_ERROR_UNSUPPORTED },
  { "/socketio/unsupported/binary-ack", "461-/ns,5[{\"_placeholder\":true,\"num\":0}]", -1,
    HERALD_SOCKETIO_ERROR_UNSUPPORTED },
};

static void
test_invalid (gconstpointer data)
{
  const InvalidFrame *c = data;
  HeraldSocketioPacket packet;
  g_autoptr (GError) error = NULL;
  gsize len = c->len < 0 ? strlen (c->frame) : (gsize)c->len;

  g_assert_false (parse_exact (c->frame, len, &packet, &error));
  g_assert_error (error, HERALD_SOCKETIO_ERROR, (gint)c->code);
  g_assert_null (packet.payload_json);
  g_assert_null (packet.sid);
  if (c->code == HERALD_SOCKETIO_ERROR_MALFORMED)
    {
      g_assert_null (packet.nsp);
      g_assert_cmpint (packet.ack_id, ==, -1);
    }
  herald_socketio_packet_clear (&packet);
}

/* A binary packet is refused, but its header says what was skipped (the attachments follow
 * as separate binary frames the caller drops). */
static void
test_binary_header (void)
{
  HeraldSocketioPacket packet;
  g_autoptr (GError) error = NULL;
  const char *event = "452-/ns,[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
                      "\"num\":1}]";
  const char *ack = "461-9[{\"_placeholder\":true,\"num\":0}]";

  g_assert_false (parse_exact (event, strlen (event), &packet, &error));
  g_assert_error (error, HERALD_SOCKETIO_ERROR, HERALD_SOCKETIO_ERROR_UNSUPPORTED);
  g_assert_cmpint (packet.eio_type, ==, HERALD_EIO_MESSAGE);
  g_assert_cmpint (packet.sio_type, ==, HERALD_SIO_BINARY_EVENT);
  g_assert_cmpstr (packet.nsp, ==, "/ns");
  g_assert_cmpuint (packet.n_attachments, ==, 2);
  g_assert_cmpint (packet.ack_id, ==, -1);
  g_assert_null (packet.payload_json);
  herald_socketio_packet_clear (&packet);
  g_clear_error (&error);

  g_assert_false (parse_exact (ack, strlen (ack), &packet, &error));
  g_assert_error (error, HERALD_SOCKETIO_ERROR, HERALD_SOCKETIO_ERROR_UNSUPPORTED);
  g_assert_cmpint (packet.sio_type, ==, HERALD_SIO_BINARY_ACK);
  g_assert_cmpstr (packet.nsp, ==, "/");
  g_assert_cmpuint (packet.n_attachments, ==, 1);
  g_assert_cmpint (packet.ack_id, ==, 9);
  herald_socketio_packet_clear (&packet);
}

/* Parsing a packet after a failed one starts clean, and a NULL error is allowed. */
static void
test_reuse_after_error (void)
{
  HeraldSocketioPacket packet;

  g_assert_false (herald_socketio_packet_parse ("42/ns,{}", 8, &packet, NULL));
  herald_socketio_packet_clear (&packet);
  g_assert_true (herald_socketio_packet_parse ("42/ns,[\"a\"]xyz", 11, &packet, NULL));
  g_assert_cmpstr (packet.payload_json, ==, "[\"a\"]");
  herald_socketio_packet_clear (&packet);
}

typedef struct
{
  const char *path;
  HeraldSioType type;
  const char *nsp;
  gint64 ack_id;
  const char *json;
  const char *expected;
} EncodeCase;

static const EncodeCase encode_cases[] = {
  { "/socketio/encode/connect-main", HERALD_SIO_CONNECT, NULL, -1, NULL, "40" },
  { "/socketio/encode/connect-main-slash", HERALD_SIO_CONNECT, "/", -1, "{\"token\":\"t\"}",
    "40{\"token\":\"t\"}" },
  { "/socketio/encode/connect-ns", HERALD_SIO_CONNECT, "/v1/ws/prediction-markets/positions", -1,
    "{\"apiKey\":\"dm_live_skey_1\"}",
    "40/v1/ws/prediction-markets/positions,{\"apiKey\":\"dm_live_skey_1\"}" },
  { "/socketio/encode/connect-ns-no-auth", HERALD_SIO_CONNECT, "/ns", -1, NULL, "40/ns," },
  { "/socketio/encode/event-main", HERALD_SIO_EVENT, "/", -1, "[\"ev\",1]", "42[\"ev\",1]" },
  { "/socketio/encode/event-ns-ack", HERALD_SIO_EVENT, "/ns", 12, "[\"ev\",{\"a\":[]}]",
    "42/ns,12[\"ev\",{\"a\":[]}]" },
  { "/socketio/encode/event-main-ack", HERALD_SIO_EVENT, NULL, 0, "[\"ev\"]", "420[\"ev\"]" },
  { "/socketio/encode/ack-ns", HERALD_SIO_ACK, "/ns", 12, "[\"ok\"]", "43/ns,12[\"ok\"]" },
  { "/socketio/encode/ack-main", HERALD_SIO_ACK, "/", 7, "[]", "437[]" },
  { "/socketio/encode/disconnect-ns", HERALD_SIO_DISCONNECT, "/ns", -1, NULL, "41/ns," },
  { "/socketio/encode/disconnect-main", HERALD_SIO_DISCONNECT, NULL, -1, NULL, "41" },
};

static void
test_encode (gconstpointer data)
{
  const EncodeCase *c = data;
  HeraldSocketioPacket packet;
  g_autoptr (GError) error = NULL;
  g_autofree char *frame = NULL;

  switch (c->type)
    {
    case HERALD_SIO_CONNECT:
      frame = herald_socketio_encode_connect (c->nsp, c->json);
      break;
    case HERALD_SIO_EVENT:
      frame = herald_socketio_encode_event (c->nsp, c->ack_id, c->json);
      break;
    case HERALD_SIO_ACK:
      frame = herald_socketio_encode_ack (c->nsp, c->ack_id, c->json);
      break;
    case HERALD_SIO_DISCONNECT:
      frame = herald_socketio_encode_disconnect (c->nsp);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_cmpstr (frame, ==, c->expected);

  /* What Herald sends, Herald (like a server) reads back as the same packet. */
  g_assert_true (herald_socketio_packet_parse (frame, strlen (frame), &packet, &error));
  g_assert_no_error (error);
  g_assert_cmpint (packet.eio_type, ==, HERALD_EIO_MESSAGE);
  g_assert_cmpint (packet.sio_type, ==, c->type);
  g_assert_cmpstr (packet.nsp, ==, c->nsp ? c->nsp : "/");
  g_assert_cmpint (packet.ack_id, ==, c->ack_id);
  g_assert_cmpstr (packet.payload_json, ==, c->json);
  herald_socketio_packet_clear (&packet);
}

static void
test_pong (void)
{
  HeraldSocketioPacket packet;
  const char *pong = herald_socketio_encode_pong ();

  g_assert_cmpstr (pong, ==, "3");
  g_assert_true (herald_socketio_packet_parse (pong, strlen (pong), &packet, NULL));
  g_assert_cmpint (packet.eio_type, ==, HERALD_EIO_PONG);
  g_assert_null (packet.probe_data);
  herald_socketio_packet_clear (&packet);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (valid_frames); i++)
    g_test_add_data_func_full (valid_frames[i].path, (gpointer)&valid_frames[i], test_valid, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_frames); i++)
    g_test_add_data_func_full (invalid_frames[i].path, (gpointer)&invalid_frames[i], test_invalid,
                               NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (encode_cases); i++)
    g_test_add_data_func_full (encode_cases[i].path, (gpointer)&encode_cases[i], test_encode, NULL);

  g_test_add_func ("/socketio/binary-header", test_binary_header);
  g_test_add_func ("/socketio/reuse-after-error", test_reuse_after_error);
  g_test_add_func ("/socketio/pong", test_pong);

  return g_test_run ();
}
