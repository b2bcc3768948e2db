/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-json.c — CPU time per parse of a ~420-byte Pally tip (the shape bench/blaster.js sends),
 * HeraldJsonDoc against json-glib's JsonParser; run with `meson test --benchmark json-parse`. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-glib/json-glib.h>

#include "herald-json.h"

#define N_MESSAGES 256

typedef struct
{
  char *data[N_MESSAGES];
  gsize len[N_MESSAGES];
} Messages;

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Same fields and order as JSON.stringify produces in blaster.js, varied per message. */
static void
make_messages (Messages *m)
{
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      guint n = 150000 + i * 37;

      m->data[i] = g_strdup_printf (
        "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{\"createdAt\":"
        "\"2024-03-13T18:02:33.743Z\",\"displayName\":\"Someone %u\",\"grossAmountInCents\":%u,"
        "\"id\":\"tip-%u-%08x\",\"message\":\"thanks for the stream!\",\"netAmountInCents\":500,"
        "\"processingFeeInCents\":0,\"updatedAt\":\"2024-03-13T18:02:33.743Z\"},\"page\":{\"id\":"
        "\"1627451579049x550722173620715500\",\"slug\":\"pally\",\"title\":\"Pally.gg's Team "
        "Page\",\"url\":\"https://pally.gg/p/pally\"}}}",
        n, 500 + n % 100, n, n * 2654435761u);
      m->len[i] = strlen (m->data[i]);
    }
}

/* What a feed does with a tip: check the type, then take the fields a notification needs. */
static gsize
herald_extract (HeraldJsonDoc *doc)
{
  HeraldJsonNode root = herald_json_doc_root (doc);
  HeraldJsonNode tip = herald_json_node_path (root, "payload", "campaignTip", NULL);
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  gint64 cents = 0;

  if (!herald_json_node_string_equal (herald_json_node_member (root, "type"), "campaigntip.notify"))
    return 0;
  id = herald_json_node_dup_member_string (tip, "id");
  name = herald_json_node_dup_member_string (tip, "displayName");
  message = herald_json_node_dup_member_string (tip, "message");
  herald_json_node_get_int64 (herald_json_node_member (tip, "grossAmountInCents"), &cents);
  return strlen (id) + strlen (name) + strlen (message) + cents;
}

static gsize
glib_extract (JsonParser *parser)
{
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  JsonObject *tip;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  gint64 cents;

  if (g_strcmp0 (json_object_get_string_member (root, "type"), "campaigntip.notify") != 0)
    return 0;
  tip = json_object_get_object_member (json_object_get_object_member (root, "payload"),
                                       "campaignTip");
  id = g_strdup (json_object_get_string_member (tip, "id"));
  name = g_strdup (json_object_get_string_member (tip, "displayName"));
  message = g_strdup (json_object_get_string_member (tip, "message"));
  cents = json_object_get_int_member (tip, "grossAmountInCents");
  return strlen (id) + strlen (name) + strlen (message) + cents;
}

int
main (int argc, char *argv[])
{
  Messages m;
  g_autoptr (HeraldJsonDoc) doc = herald_json_doc_new ();
  g_autoptr (JsonParser) parser = json_parser_new (); /* as bench/soup_consumer.c */
  guint64 iterations = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  gsize sink_herald = 0, sink_glib = 0, total_bytes = 0;
  double t0, herald_parse, herald_full, glib_parse, glib_full;

  if (iterations == 0)
    iterations = 1000000;
  make_messages (&m);
  for (guint i = 0; i < N_MESSAGES; i++)
    total_bytes += m.len[i];

  t0 = cpu_seconds ();
  for (guint64 k = 0; k < iterations; k++)
    if (!herald_json_doc_parse (doc, m.data[k % N_MESSAGES], m.len[k % N_MESSAGES], NULL))
      g_error ("herald_json refused a benchmark message");
  herald_parse = cpu_seconds () - t0;

  t0 = cpu_seconds ();
  for (guint64 k = 0; k < iterations; k++)
    {
      herald_json_doc_parse (doc, m.data[k % N_MESSAGES], m.len[k % N_MESSAGES], NULL);
      sink_herald += herald_extract (doc);
    }
  herald_full = cpu_seconds () - t0;

  t0 = cpu_seconds ();
  for (guint64 k = 0; k < iterations; k++)
    if (!json_parser_load_from_data (parser, m.data[k % N_MESSAGES], m.len[k % N_MESSAGES], NULL))
      g_error ("json-glib refused a benchmark message");
  glib_parse = cpu_seconds () - t0;

  t0 = cpu_seconds ();
  for (guint64 k = 0; k < iterations; k++)
    {
      json_parser_load_from_data (parser, m.data[k % N_MESSAGES], m.len[k % N_MESSAGES], NULL);
      sink_glib += glib_extract (parser);
    }
  glib_full = cpu_seconds () - t0;

  /* Both readers must have read the same values for the comparison to mean anything. */
  if (sink_herald != sink_glib || sink_herald == 0)
    g_error ("herald_json and json-glib extracted different values");

  printf ("message: %.0f bytes on average, %" G_GUINT64_FORMAT " parses each (CPU time)\n",
          (double)total_bytes / N_MESSAGES, iterations);
  printf ("herald_json parse:                   %7.3f us\n", herald_parse * 1e6 / iterations);
  printf ("herald_json parse + 5 fields:        %7.3f us\n", herald_full * 1e6 / iterations);
  printf ("json_parser_load_from_data:          %7.3f us\n", glib_parse * 1e6 / iterations);
  printf ("json_parser_load_from_data + fields: %7.3f us\n", glib_full * 1e6 / iterations);
  printf ("speed-up: parse %.1fx, parse + fields %.1fx\n", glib_parse / herald_parse,
          glib_full / herald_full);

  for (guint i = 0; i < N_MESSAGES; i++)
    g_free (m.data[i]);
  return EXIT_SUCCESS;
}
