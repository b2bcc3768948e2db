/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-feed.h — what one provider's protocol is: the base class every feed derives from.
 * A feed builds the request, answers messages and heartbeats, and judges close codes; the
 * connection engine (HeraldConnection) owns the socket, timers, liveness, backoff and state. */
#pragma once

#include <libsoup/soup.h>

#include "herald-account.h"
#include "herald-event.h"
#include "herald-json.h"

G_BEGIN_DECLS

#define HERALD_FEED_ERROR (herald_feed_error_quark ())

typedef enum
{
  HERALD_FEED_ERROR_AUTHENTICATION, /* the provider refused the credentials: stop, the user must act
                                     */
  HERALD_FEED_ERROR_CONFIGURATION, /* the account's settings cannot work: stop, the user must act */
  HERALD_FEED_ERROR_RATE_LIMITED,  /* try again, not before herald_feed_get_retry_after_ms() */
  HERALD_FEED_ERROR_PROTOCOL,      /* the server did something unexpected: reconnect */
  HERALD_FEED_ERROR_UNAVAILABLE,   /* network or server trouble: reconnect */
} HeraldFeedError;

GQuark herald_feed_error_quark (void);

typedef enum
{
  HERALD_CLOSE_RECONNECT,      /* back off, then connect again */
  HERALD_CLOSE_REAUTHENTICATE, /* the credential lapsed: renew it and connect again soon */
  HERALD_CLOSE_ATTENTION,      /* stop retrying: the user must act */
} HeraldCloseAction;

#define HERALD_TYPE_FEED (herald_feed_get_type ())
G_DECLARE_DERIVABLE_TYPE (HeraldFeed, herald_feed, HERALD, FEED, GObject)

struct _HeraldFeedClass
{
  GObjectClass parent_class;

  /* Optional work before each attempt, such as minting a token. Default: nothing. */
  void (*prepare_async) (HeraldFeed *self, SoupSession *session, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*prepare_finish) (HeraldFeed *self, GAsyncResult *result, GError **error);

  /* The upgrade request, and the subprotocols to offer (NULL for none). */
  SoupMessage *(*build_request) (HeraldFeed *self, char ***out_protocols, GError **error);

  /* The socket is up: check the handshake (its subprotocol, say) and send what the feed
   * expects first. Also where per-connection state is reset. The streams beneath the socket
   * are the engine's: what a feed needs from them it asks for in its HeraldFeedTiming. */
  gboolean (*opened) (HeraldFeed *self, SoupWebsocketConnection *socket, GError **error);

  /* One text frame, valid UTF-8 (libsoup enforces it). Hot path: parse once, no copies. */
  void (*receive) (HeraldFeed *self, const char *data, gsize length);

  /* Every heartbeat interval while connected (see herald_feed_set_timing()). */
  void (*heartbeat) (HeraldFeed *self);

  /* The server closed the socket. *out_reason may be set to a sentence for the user. */
  HeraldCloseAction (*closed) (HeraldFeed *self, gushort code, const char *reason,
                               char **out_reason);

  gpointer padding[8];
};

HeraldAccount *herald_feed_get_account (HeraldFeed *self);
const char *herald_feed_get_account_id (HeraldFeed *self);
const char *herald_feed_get_provider_id (HeraldFeed *self);

/* Credentials live only in memory here, wiped when the feed goes away. */
void herald_feed_set_credential (HeraldFeed *self, const char *field, const char *secret);
const char *herald_feed_get_credential (HeraldFeed *self, const char *field);
/* text with every credential of this feed cut out: for reasons and log lines that quote
 * a server, which might echo a key back. */
char *herald_feed_redact (HeraldFeed *self, const char *text);

/* How the engine keeps a connection honest. Liveness is the engine's at every level: a feed
 * says here what its protocol needs and never looks beneath the WebSocket itself. */
typedef struct
{
  guint heartbeat_ms;      /* how often heartbeat() runs while connected; 0: never */
  guint reply_deadline_ms; /* how long the answer to herald_feed_expect_reply() may take */
  guint liveness_ms;       /* how long the socket may go without a frame or a pong; 0: forever */
  guint keepalive_s;       /* WebSocket-level pings, for servers that answer them; 0: none */
  /* Beneath the WebSocket, for servers whose only sign of life is their own WebSocket pings,
   * which libsoup answers without telling anyone, and which may not be pinged back. */
  guint tcp_keepalive_s;      /* TCP keepalive: first probe after this many idle seconds (then
                               * every 10 s, 3 unanswered drop it); 0: left as the system has it */
  guint transport_silence_ms; /* how long the socket may receive no byte at all, pings included
                               * (the kernel's count, TCP_INFO; unchecked where it cannot tell),
                               * before it is made again; 0: forever */
} HeraldFeedTiming;

/* Feeds set their protocol's timing in init; tests shorten it. Read when a socket opens (the
 * windows also at every check, so a feed may change them while connected). */
void herald_feed_set_timing (HeraldFeed *self, const HeraldFeedTiming *timing);
const HeraldFeedTiming *herald_feed_get_timing (HeraldFeed *self);

void herald_feed_set_retry_after_ms (HeraldFeed *self, guint retry_after_ms);
guint herald_feed_get_retry_after_ms (HeraldFeed *self);

/* The feed's protocol has confirmed this socket's session (its key accepted, its "connected"
 * or namespace ack arrived): a feed calls it once per socket, at that point. Cleared when a
 * new socket opens, before the feed's opened() runs. Listeners watch notify::authenticated,
 * so nobody has to poll or guess from a socket merely staying open. */
void herald_feed_authenticated (HeraldFeed *self);
gboolean herald_feed_is_authenticated (HeraldFeed *self);

/* What a feed tells its connection. */
void herald_feed_send_text (HeraldFeed *self, const char *text);
/* transfer full */
void herald_feed_emit (HeraldFeed *self, HeraldEvent *event);
/* A message that made no sense: dropped, counted, logged at debug level. Never closes the socket.
 */
void herald_feed_malformed (HeraldFeed *self, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Ends the connection: HERALD_FEED_ERROR_AUTHENTICATION/CONFIGURATION stop the retries with
 * error->message shown to the user; anything else reconnects. transfer full. */
void herald_feed_fail (HeraldFeed *self, GError *error);
/* A heartbeat went out: unless herald_feed_reply_received() follows within the reply
 * deadline, the connection is dropped and made again. */
void herald_feed_expect_reply (HeraldFeed *self);
void herald_feed_reply_received (HeraldFeed *self);
/* Ends the connection and connects again (after a short pause when reauthenticating). */
void herald_feed_reconnect (HeraldFeed *self, gboolean reauthenticate, const char *reason);

/* The feed's one JSON document, reused from message to message and shared by everything the
 * feed parses (frames, payloads, REST answers), so no provider keeps one of its own. A parse on
 * it makes the nodes of the one before read as absent: read what a message holds before
 * parsing the next. transfer none. */
HeraldJsonDoc *herald_feed_get_json_doc (HeraldFeed *self);
/* Parses data[0..length) into the feed's document and returns its root. A message that is
 * not JSON is counted as malformed (herald_feed_malformed) and NONE comes back. The nodes
 * point into data, which must outlive them. */
HeraldJsonNode herald_feed_parse_json (HeraldFeed *self, const char *data, gsize length);

/* A new event stamped with this feed's account and provider, keeping the frame it came from
 * (NULL when it came from none) as its raw text. */
HeraldEvent *herald_feed_new_event (HeraldFeed *self, const char *type, const char *dedupe_id,
                                    const char *frame, gsize length);

/* The dedupe id of a message without an id of its own: "raw:<SHA-256 of the frame>", so a
 * copy sent again collapses into one. */
char *herald_feed_raw_dedupe_id (const char *frame, gsize length);

/* A message of a type Herald does not know yet: kept, not dropped, since the user may care.
 * Category system, title "<Provider>: <type>", the raw dedupe id and the frame as raw.
 * type must already be clean text (herald_format_clean_text). */
HeraldEvent *herald_feed_new_unknown_event (HeraldFeed *self, const char *type, const char *frame,
                                            gsize length);

/* The account's endpoint with http→ws / https→wss, path_suffix appended to its path
 * (NULL for none) and the query parameters added (NULL-terminated name, value pairs;
 * values are escaped). */
char *herald_feed_build_uri (HeraldFeed *self, gboolean websocket, const char *path_suffix,
                             const char *first_param, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
