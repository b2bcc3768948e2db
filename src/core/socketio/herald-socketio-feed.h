/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-socketio-feed.h — the client half of Socket.IO v4 over one WebSocket, as a feed base
 * class: Engine.IO handshake and heartbeat, one namespace joined with an auth payload, events,
 * acks. */
#pragma once

#include "herald-feed.h"
#include "herald-json.h"

G_BEGIN_DECLS

/* How long a socket may stay silent before the open packet tells the real window:
 * the Engine.IO defaults, pingInterval 25 s + pingTimeout 20 s. */
#define HERALD_SOCKETIO_DEFAULT_WINDOW_MS (45 * 1000)
/* The open packet and the namespace's answer must both arrive within this (socket.io-client's
 * default connection timeout). */
#define HERALD_SOCKETIO_HANDSHAKE_TIMEOUT_MS (20 * 1000)
/* A server's announced window is capped so that a bogus open packet cannot switch liveness off. */
#define HERALD_SOCKETIO_MAX_WINDOW_MS (10 * 60 * 1000)

#define HERALD_TYPE_SOCKETIO_FEED (herald_socketio_feed_get_type ())
G_DECLARE_DERIVABLE_TYPE (HeraldSocketioFeed, herald_socketio_feed, HERALD, SOCKETIO_FEED,
                          HeraldFeed)

struct _HeraldSocketioFeedClass
{
  HeraldFeedClass parent_class;

  /* The namespace to join: "/name" without a comma, or NULL / "/" for the main namespace.
   * Read once per connection. Required. */
  const char *(*get_namespace) (HeraldSocketioFeed *self);

  /* The auth payload, a serialised JSON object, or NULL for none. Called before each
   * connection attempt, so a refusal here (AUTHENTICATION, CONFIGURATION) stops the attempt
   * before any socket opens. The string is wiped and freed once sent. Default: NULL. */
  char *(*build_auth) (HeraldSocketioFeed *self, GError **error);

  /* The server accepted the namespace. @sid is the Socket.IO session id, or NULL.
   * Default: nothing. */
  void (*connected) (HeraldSocketioFeed *self, const char *sid);

  /* One event on the joined namespace. @args is the packet's array: element 0 is the event
   * name (@name), the arguments follow; it stays valid until this returns. @frame is the whole
   * text frame, for herald_feed_new_event(). When the server asked for an ack, it is sent after
   * this returns. Required. */
  void (*event) (HeraldSocketioFeed *self, const char *name, HeraldJsonNode args, const char *frame,
                 gsize length);

  gpointer padding[8];
};

/* How long the open packet and the namespace's answer may take; 0 restores the default.
 * Takes effect at the next connection (tests shorten it). */
void herald_socketio_feed_set_handshake_timeout (HeraldSocketioFeed *self, guint timeout_ms);

/* TRUE once the server accepted the namespace, until this feed or the server ends the session
 * or the next socket opens. */
gboolean herald_socketio_feed_get_joined (HeraldSocketioFeed *self);

/* The liveness window the open packet announced (pingInterval + pingTimeout, capped);
 * 0 before the first open packet of the current connection. */
guint herald_socketio_feed_get_server_window_ms (HeraldSocketioFeed *self);

G_END_DECLS
