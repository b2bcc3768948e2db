/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-bench.h — what herald-bench.c (producers, in-process cases, results and report)
 * shares with herald-bench-app.c (the real herald application as the consumer). */
#pragma once

#include <sys/resource.h>

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MODE_RAW,
  MODE_ENGINE,
  MODE_HUB,
  MODE_EXEC,
  MODE_APP,
  MODE_REPORT,
  MODE_RECORD,
  MODE_SERVE, /* internal: the replay producer's own process */
} Mode;

typedef enum
{
  PRODUCER_SIMULATOR,
  PRODUCER_BLASTER,
  PRODUCER_REPLAY,
} ProducerKind;

typedef struct
{
  Mode mode;
  ProducerKind producer;
  char *name;
  guint64 events;
  guint cap;
  guint chunk;
  guint timeout_s;
  guint linger_s; /* hub: the loop runs on this long after the last event (memory after a burst) */
  gboolean pin;
  gboolean trace;
  char *simulator;
  char *blaster;
  char *replay;
  char *dir;
  char **command;
  /* app mode */
  char *herald;     /* the herald executable */
  char *schema_dir; /* where its compiled GSettings schema is */
  gboolean window;  /* the history window shown during the burst */
  guint settle_s;   /* how long after the burst the resident memory is read again */
} Options;

/* The process that sends the tips: herald-simulator, the replay, or shared/bench/blaster.js. */
typedef struct
{
  GPid pid;
  int out_fd;
  char *url;      /* what a bare WebSocket client connects to */
  char *endpoint; /* what a Herald account is given */
  char *api_key;
  struct rusage usage;
  gboolean reaped;
} Producer;

typedef struct
{
  gboolean ok;
  char *failure;
  guint64 received;
  double wall_s;
  double cpu_user_s;
  double cpu_sys_s;
  double main_thread_cpu_s; /* in-process modes: the thread that runs the main loop */
  glong peak_rss_kib;
  glong end_rss_kib;
  gint64 rows;         /* hub: rows in the history at the end; -1 otherwise */
  glong rss_floor_kib; /* exec: our own RSS at the fork, a floor under the program's peak */
  guint64 messages;
  guint64 malformed;
  guint64 duplicates;
  double producer_cpu_s;
  /* app mode: cpu_user_s and cpu_sys_s are what the herald process spent during the burst,
   * idle_cpu_s the part of it that its idle rate accounts for (subtracted per event). */
  double idle_cpu_s;
  double stall_max_ms; /* the slowest answer to a probe sent during the burst */
  double stall_p99_ms;
  double idle_probe_max_ms; /* the same before the burst, for comparison */
  guint probes;             /* probes sent during the burst */
  guint slow_probes;        /* of which answered in more than 50 ms */
  guint probe_errors;
  glong rss_idle_kib;
  glong rss_settled_kib; /* settle_s after the end of the burst */
  glong anon_idle_kib;   /* RssAnon at the same moments: the heap, which a burst grows */
  glong anon_end_kib;
  glong anon_settled_kib;
  gboolean window_shown;
} Result;

/* Reads from @fd until a newline (@line_only) or end of file, or until @deadline_us. */
char *read_until (int fd, gboolean line_only, gint64 deadline_us, GError **error);

/* Runs the herald executable, in a private session of its own, as the producer's consumer. */
gboolean run_app (const Options *opts, const Producer *producer, Result *result, GError **error);

G_END_DECLS
