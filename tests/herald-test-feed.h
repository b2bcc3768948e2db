/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-test-feed.h — what the feed and connection tests share: waiting on the main loop,
 * a sink that records what a feed tells its connection, and a connection whose doings are kept. */
#pragma once

#include "herald-connection.h"
#include "herald-feed-private.h"
#include "herald-simulator.h"

G_BEGIN_DECLS

/* --- the main loop --- */

/* For g_timeout_add: sets the gboolean that data points to, once. */
gboolean herald_test_flag_cb (gpointer data);

/* Iterates the default main context until cond holds; after timeout_ms the test fails with the
 * text of cond. cond must be something the main loop changes (a callback, a signal). */
#define HERALD_TEST_WAIT_UNTIL(cond, timeout_ms) HERALD_TEST_WAIT_UNTIL_ (cond, timeout_ms, NULL)

/* The same for a HeraldTestLive: the failure also says the connection's state and reason. */
#define HERALD_TEST_LIVE_WAIT_UNTIL(live, cond, timeout_ms)                                        \
  HERALD_TEST_WAIT_UNTIL_ (cond, timeout_ms, (live)->connection)

#define HERALD_TEST_WAIT_UNTIL_(cond, timeout_ms, connection)                                      \
  G_STMT_START                                                                                     \
  {                                                                                                \
    HERALD_TEST_ITERATE_UNTIL (cond, timeout_ms);                                                  \
    if (!(cond))                                                                                   \
      herald_test_wait_failed (#cond, (timeout_ms), (connection));                                 \
  }                                                                                                \
  G_STMT_END

/* Iterates the default main context until cond holds or timeout_ms passed, and leaves it to the
 * caller to check cond: for a test that says more when it fails. */
#define HERALD_TEST_ITERATE_UNTIL(cond, timeout_ms)                                                \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gboolean timed_out_ = FALSE;                                                                   \
    guint source_ = g_timeout_add ((timeout_ms), herald_test_flag_cb, &timed_out_);                \
    while (!(cond) && !timed_out_)                                                                 \
      g_main_context_iteration (NULL, TRUE);                                                       \
    if (!timed_out_)                                                                               \
      g_source_remove (source_);                                                                   \
  }                                                                                                \
  G_STMT_END

G_NORETURN void herald_test_wait_failed (const char *cond, guint timeout_ms,
                                         HeraldConnection *connection);

/* Runs the main loop for ms whatever happens: for what must NOT happen meanwhile. */
void herald_test_spin (guint ms);

/* Runs what the main context has ready without blocking, so that closing sockets finish
 * before the next test. */
void herald_test_drain (void);

/* --- a feed driven by hand --- */

/* Everything a feed told its connection, for tests that call its class methods directly. */
typedef struct
{
  HeraldFeed *feed;
  GPtrArray *events;       /* HeraldEvent *, in the order they were emitted */
  GPtrArray *sent;         /* char *, the text frames the feed sent */
  GError *failure;         /* the last herald_feed_fail(); a second one while this is set fails
                            * the test, so clear it once checked */
  guint failures;          /* every herald_feed_fail() */
  guint malformed;         /* every herald_feed_malformed() */
  guint reconnects;        /* every herald_feed_reconnect() */
  gboolean reauthenticate; /* the last reconnect's */
  char *reconnect_reason;  /* the last reconnect's; a reconnect without one fails the test */
  guint expected_replies;  /* every herald_feed_expect_reply() */
  guint replies;           /* every herald_feed_reply_received() */
} HeraldTestSink;

/* Installs a new sink on feed (keeping a reference to it). */
HeraldTestSink *herald_test_sink_attach (HeraldFeed *feed);
/* Takes the sink off its feed and frees it. */
void herald_test_sink_free (HeraldTestSink *sink);

/* Hands frame to the feed's receive() as an exact-size copy with no terminating NUL, as
 * AddressSanitizer then catches any read past the frame. */
void herald_test_feed_receive (HeraldFeed *feed, const char *frame);

/* In expected-event tables: the id of a message without one of its own, "raw:" + the
 * SHA-256 of the frame, which herald_test_assert_event() computes itself. */
#define HERALD_TEST_RAW_DEDUPE "raw"

/* Checks what every feed fills in from one frame: type, dedupe id, title, body, category,
 * severity, and the frame kept as raw. */
void herald_test_assert_event (HeraldEvent *event, const char *frame, const char *type,
                               const char *dedupe_id, const char *title, const char *body,
                               HeraldCategory category, HeraldSeverity severity);

/* Only what Herald does not know keeps its message in the history: checks that event is marked
 * as of unknown type exactly when its title is one of unknown_titles (NULL-terminated), the
 * titles a parse test's table gives its unknown cases. */
void herald_test_assert_unknown_type (HeraldEvent *event, const char *const *unknown_titles);

/* Runs the feed's prepare_async() on the default main context to completion and returns what
 * prepare_finish() says: TRUE when the feed would go on to connect. session may be NULL. */
gboolean herald_test_feed_prepare (HeraldFeed *feed, SoupSession *session, GError **error);

/* An unsigned JWT, each part base64url-encoded: header NULL is {"alg":"ES256","typ":"JWT"},
 * signature NULL a fixed stand-in. Nothing checks the signature of a pasted token. */
char *herald_test_jwt_new (const char *header, const char *claims, const char *signature);

/* --- a provider's parse tests --- */

/* The fixture of every parse test: an account, its feed and a sink on the feed. */
typedef struct
{
  HeraldAccount *account;
  HeraldFeed *feed;
  HeraldTestSink *sink;
} HeraldTestParse;

/* Takes account (with the options the test wants), makes its feed, checks that the feed is a
 * feed_type and attaches a sink. Set credentials on fx->feed afterwards. */
void herald_test_parse_init (HeraldTestParse *fx, HeraldAccount *account, GType feed_type);
/* Frees what herald_test_parse_init() made, if anything; fits g_test_add()'s teardown. */
void herald_test_parse_teardown (HeraldTestParse *fx, gconstpointer data);

/* herald_test_feed_receive() on the fixture's feed. */
void herald_test_parse_receive (HeraldTestParse *fx, const char *frame);

/* A row of a parse table: a frame and the event it makes. */
typedef struct
{
  const char *name;
  const char *frame;
  const char *type; /* NULL: no event */
  const char *dedupe;
  const char *title;
  const char *body;
  HeraldCategory category;
  HeraldSeverity severity;
  const char *occurred; /* ISO 8601; NULL: when it was received */
} HeraldTestEventCase;

/* Feeds c's frame to fx and checks that nothing was malformed, failed or sent, and that it made
 * the event c describes (herald_test_assert_event(), the time, and
 * herald_test_assert_unknown_type() against unknown_titles), or none when c->type is NULL.
 * Returns the event, owned by the sink, or NULL. */
HeraldEvent *herald_test_parse_check (HeraldTestParse *fx, const HeraldTestEventCase *c,
                                      const char *const *unknown_titles);

/* A row of a table of frames a feed must refuse. */
typedef struct
{
  const char *name;
  const char *frame;
} HeraldTestFrameCase;

/* Feeds frame to fx and checks that it was counted as malformed and did nothing else: no event,
 * no failure, no reconnect, nothing sent. */
void herald_test_parse_check_refused (HeraldTestParse *fx, const char *frame);

/* A row of a table of frames and the object their event is a status of. */
typedef struct
{
  const char *name;
  const char *frame;
  const char *object_id; /* NULL: the event stands alone */
} HeraldTestObjectCase;

/* Feeds c's frame to fx and checks that it made one event, whose object id is c's. */
void herald_test_parse_check_object_id (HeraldTestParse *fx, const HeraldTestObjectCase *c);

/* Adds one test per row of table, a static array whose rows start with `const char *name`, at
 * path prefix/name, with the row as the test's data. */
#define HERALD_TEST_ADD_TABLE(prefix, Fixture, table, setup, test, teardown)                       \
  G_STMT_START                                                                                     \
  {                                                                                                \
    for (guint i_ = 0; i_ < G_N_ELEMENTS (table); i_++)                                            \
      {                                                                                            \
        g_autofree char *path_ = g_strdup_printf ("%s/%s", (prefix), (table)[i_].name);            \
        g_test_add (path_, Fixture, &(table)[i_], setup, test, teardown);                          \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

/* The same with g_test_add_data_func(), for tests without a fixture. */
#define HERALD_TEST_ADD_DATA_TABLE(prefix, table, test)                                            \
  G_STMT_START                                                                                     \
  {                                                                                                \
    for (guint i_ = 0; i_ < G_N_ELEMENTS (table); i_++)                                            \
      {                                                                                            \
        g_autofree char *path_ = g_strdup_printf ("%s/%s", (prefix), (table)[i_].name);            \
        g_test_add_data_func (path_, &(table)[i_], test);                                          \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

/* --- a feed on a real connection --- */

/* A connection on its own session, with a short backoff (50 ms base, 200 ms cap, seed 1)
 * and everything it emitted kept. Not started. */
typedef struct
{
  HeraldAccount *account;
  HeraldFeed *feed;
  SoupSession *session;
  HeraldConnection *connection;
  GPtrArray *events;  /* HeraldEvent *, as the connection emitted them */
  GPtrArray *states;  /* HeraldConnectionState in GINT_TO_POINTER, one per state change */
  GPtrArray *reasons; /* char *, the reason that came with each state change */
} HeraldTestLive;

/* monitor NULL: the default GNetworkMonitor. */
HeraldTestLive *herald_test_live_new (HeraldFeed *feed, GNetworkMonitor *monitor);
/* Stops the connection and frees it all; run herald_test_drain() when the servers are gone. */
void herald_test_live_free (HeraldTestLive *live);

/* TRUE when the connection is connected / needs the user's attention right now. */
gboolean herald_test_live_connected (HeraldTestLive *live);
gboolean herald_test_live_needs_attention (HeraldTestLive *live);

/* TRUE when the connection went through state / gave a reason starting with prefix. */
gboolean herald_test_live_saw_state (HeraldTestLive *live, HeraldConnectionState state);
gboolean herald_test_live_saw_reason (HeraldTestLive *live, const char *prefix);
/* TRUE when the connection emitted an event of type. */
gboolean herald_test_live_saw_event_type (HeraldTestLive *live, const char *type);

/* --- a feed on a real connection to the simulator --- */

/* A simulator that records what it did, not yet listening: a feed test's fixture starts so. */
HeraldSimulator *herald_test_sim_new (void);
/* Sets the scenario of feed_name on sim (NULL: of every feed); the test fails when spec does not
 * parse. */
void herald_test_sim_scenario (HeraldSimulator *sim, const char *feed_name, const char *spec);
/* Ends a feed test against the simulator: frees *live (which may be NULL) and *sim, clears both,
 * then lets closing sockets finish. */
void herald_test_sim_teardown (HeraldTestLive **live, HeraldSimulator **sim);

/* Starts sim listening on a free port and returns an account "<feed_name>-sim", labelled
 * "Sim", at sim's endpoint for feed_name ("skinshark", "hashi", …). */
HeraldAccount *herald_test_sim_account_new (HeraldSimulator *sim, const char *feed_name);
/* Checks that account is valid and returns its feed, with the credentials sim accepts for
 * every field the account asks for. */
HeraldFeed *herald_test_sim_feed_new (HeraldSimulator *sim, HeraldAccount *account);

/* --- a server that opens the socket and never completes the feed's handshake --- */

typedef struct
{
  SoupServer *server;
  char *endpoint;     /* http://127.0.0.1:PORT */
  char *greeting;     /* sent once on every socket, or NULL (Engine.IO's open, say) */
  GPtrArray *sockets; /* the SoupWebsocketConnections it accepted, kept open */
} HeraldTestSilentServer;

/* Listens on loopback and accepts a WebSocket upgrade on any path, then sends greeting (NULL:
 * nothing) and stays silent: a feed's own handshake never comes. */
HeraldTestSilentServer *herald_test_silent_server_new (const char *greeting);
void herald_test_silent_server_free (HeraldTestSilentServer *silent);
/* Runs feed, whose account's endpoint is silent's, until its socket has been open a while,
 * and returns whether the feed called the session authenticated meanwhile. */
gboolean herald_test_silent_authenticates (HeraldTestSilentServer *silent, HeraldFeed *feed);

/* Counts in *count every time feed reports its session authenticated (notify::authenticated
 * turning TRUE), as a listener such as the Test button would see it. */
void herald_test_count_authenticated (HeraldFeed *feed, guint *count);

/* Drops the debug messages that come once or twice with every WebSocket frame (libsoup's, and
 * an in-process simulator's) unless the test runs with --verbose. GLib's test mode prints debug
 * messages into the TAP log: a burst of 20 000 frames buried it in 40 000 lines, and under the
 * sanitizers writing them took longer than the burst (the hub's burst test timed out on CI).
 * Call after g_test_init(). */
void herald_test_quiet_frame_logs (void);

G_END_DECLS
