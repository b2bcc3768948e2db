/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-sim-pally.c — Pally's tip feed as the simulator speaks it: ?auth= key, firehose or
 * one page's activity feed, literal ping/pong, echo, and tips full of awkward text. */
#define G_LOG_DOMAIN "herald-sim"

#include "config.h"

#include <string.h>

#include "herald-sim-private.h"

/* Guess: the docs do not say how a bad key is refused. We accept the upgrade and close
 * with 1008 (policy violation); change it here. */
#define CLOSE_UNAUTHORIZED SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION
#define UNAUTHORIZED_REASON "Unauthorized"
#define BAD_CHANNEL_REASON "Invalid channel"

typedef struct
{
  gboolean firehose;
  char *room;
} PallyConn;

static const struct
{
  const char *id;
  const char *slug;
  const char *title;
} pages[] = {
  { "1627451579049x550722173620715500", "pally", "Pally.gg's Team Page" },
  { "1701234567890x112233445566778800", "cozy-streams", "Cozy Streams ☕ — Charity Marathon" },
  { "1711111111111x998877665544332200", "zoe-plays", "Zoë plays <Elden Ring> & more" },
};

static const char *const display_names[] = {
  "Someone",
  "Zoë 🎉",
  "山田太郎",
  "<b>wow</b> & _thanks_",
  "Анна К.",
  "O'Brien & Sons",
  "DJ_Ünicorn",
  "🦊",
  "\"Quoted\" Name",
  "a_very_long_display_name_that_keeps_going_and_going_well_past_any_sensible_limit_for_a_menu",
  "Anonymous",
  "محمد",
};

static const char *const messages[] = {
  "",
  "thanks for the stream!",
  "<b>wow</b> & _thanks_",
  "gg 🎮🔥",
  "Ça va ? Très bien — merci !",
  "Line one\nLine two",
  "<script>alert(1)</script>",
  "1 < 2 && 3 > 2",
  "日本語のメッセージです",
  "مرحبا بالجميع",
  "ding\adong",
  "👍🏽 keep it up",
  "**bold?** _italic?_ [link](https://example.org)",
  "",
};

static const gint64 amounts[] = { 100, 250, 420, 500, 500, 1000, 1337, 2000, 2500, 5000, 10000 };

static void
pally_setup (SimFeed *feed)
{
  SimRng rng;
  char key[33];
  g_autofree char *api_key = NULL;
  GStrv slugs = g_new0 (char *, G_N_ELEMENTS (pages) + 1);

  sim_rng_init (&rng, sim_feed_seed (feed), feed->id, 1);
  sim_rng_alnum (&rng, key, 32);
  api_key = g_strconcat ("pally_", key, NULL);
  sim_feed_set_credential (feed, "api-key", api_key);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    slugs[i] = g_strdup (pages[i].slug);
  sim_feed_set_scopes (feed, slugs);
}

static gboolean
known_room (const char *room)
{
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (g_str_equal (pages[i].slug, room))
      return TRUE;
  return FALSE;
}

static void
pally_opened (SimConn *conn, SoupServerMessage *msg)
{
  SimFeed *feed = conn->feed;
  PallyConn *data = g_new0 (PallyConn, 1);
  const char *auth = g_hash_table_lookup (conn->query, "auth");
  const char *channel = g_hash_table_lookup (conn->query, "channel");
  const char *room = g_hash_table_lookup (conn->query, "room");

  conn->data = data;
  if (feed->scenario.auth_failure || g_strcmp0 (auth, sim_feed_credential (feed, "api-key")) != 0)
    {
      sim_count (feed, SIM_COUNTER_AUTH_FAILURES);
      sim_conn_close (conn, CLOSE_UNAUTHORIZED, UNAUTHORIZED_REASON);
      return;
    }
  if (g_strcmp0 (channel, "firehose") == 0)
    data->firehose = TRUE;
  else if (g_strcmp0 (channel, "activity-feed") == 0 && room != NULL && *room != '\0')
    data->room = g_strdup (room);
  else
    {
      sim_conn_close (conn, CLOSE_UNAUTHORIZED, BAD_CHANNEL_REASON);
      return;
    }

  /* A page the account does not own stays quiet rather than being refused. */
  if (data->firehose || known_room (data->room))
    sim_conn_start_stream (conn, "");
}

static void
pally_message (SimConn *conn, SoupWebsocketDataType type, GBytes *message)
{
  gsize len = 0;
  const char *text = g_bytes_get_data (message, &len);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *kind;
  JsonNode *payload;
  g_autofree char *echoed = NULL;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  if (len == 4 && memcmp (text, "ping", 4) == 0)
    {
      sim_count (conn->feed, SIM_COUNTER_PINGS);
      sim_conn_send_text (conn, "pong");
      return;
    }

  root = sim_json_parse (message);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);
  kind = json_object_get_member (object, "type");
  payload = json_object_get_member (object, "payload");
  if (kind == NULL || json_node_get_value_type (kind) != G_TYPE_STRING
      || !g_str_equal (json_node_get_string (kind), "echo") || payload == NULL)
    return;
  echoed = sim_json_to_string (payload);
  sim_conn_send_text (conn, echoed);
}

static gboolean
pally_in_scope (SimConn *conn, const SimEventInfo *info)
{
  PallyConn *data = conn->data;

  return data->firehose || g_strcmp0 (data->room, info->scope) == 0;
}

static void
pally_conn_free (SimConn *conn)
{
  PallyConn *data = conn->data;

  if (data == NULL)
    return;
  g_free (data->room);
  g_clear_pointer (&conn->data, g_free);
}

/* Every event is a new tip; a third of donors cover the card fee. */
static void
pally_generate (SimFeed *feed, SimStream *stream, guint64 index, SimEventInfo *info, GString *out)
{
  SimRng rng;
  char id[25];
  guint page;
  gint64 gross, fee;
  gint64 ts = sim_stream_ts (stream, index);
  char url[96];

  sim_rng_init (&rng, stream->salt, index, 0x71b);
  /* cuid2-style ids: a letter, then lower-case letters and digits. */
  sim_rng_alnum (&rng, id, 24);
  id[0] = "abcdefghijklmnopqrstuvwxyz"[sim_rng_below (&rng, 26)];
  page = sim_rng_chance (&rng, 50) ? 0 : 1 + sim_rng_below (&rng, G_N_ELEMENTS (pages) - 1);
  gross = amounts[sim_rng_below (&rng, G_N_ELEMENTS (amounts))];
  fee = sim_rng_chance (&rng, 33) ? 0 : gross * 29 / 1000 + 30;
  fee = MIN (fee, gross);

  g_strlcpy (info->id, id, sizeof info->id);
  g_strlcpy (info->type, "campaigntip.notify", sizeof info->type);
  g_strlcpy (info->scope, pages[page].slug, sizeof info->scope);
  g_snprintf (url, sizeof url, "https://pally.gg/p/%s", pages[page].slug);

  sim_json_begin_object (out);
  sim_json_member_string (out, "type", "campaigntip.notify");
  sim_json_key (out, "payload");
  sim_json_begin_object (out);
  sim_json_key (out, "campaignTip");
  sim_json_begin_object (out);
  sim_json_member_time (out, "createdAt", ts);
  sim_json_member_string (out, "displayName",
                          display_names[sim_rng_below (&rng, G_N_ELEMENTS (display_names))]);
  sim_json_member_int (out, "grossAmountInCents", gross);
  sim_json_member_string (out, "id", id);
  sim_json_member_string (out, "message", messages[sim_rng_below (&rng, G_N_ELEMENTS (messages))]);
  sim_json_member_int (out, "netAmountInCents", gross - fee);
  sim_json_member_int (out, "processingFeeInCents", fee);
  sim_json_member_time (out, "updatedAt", ts);
  sim_json_end_object (out);
  sim_json_key (out, "page");
  sim_json_begin_object (out);
  sim_json_member_string (out, "id", pages[page].id);
  sim_json_member_string (out, "slug", pages[page].slug);
  sim_json_member_string (out, "title", pages[page].title);
  sim_json_member_string (out, "url", url);
  sim_json_end_object (out);
  sim_json_end_object (out);
  sim_json_end_object (out);
}

static void
pally_malformed (SimConn *conn, guint kind, GString *out)
{
  switch (kind)
    {
    case 0:
      g_string_append (out,
                       "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{\"id\":\"");
      break;
    case 1:
      g_string_append (out, "[{\"type\":\"campaigntip.notify\"}]");
      break;
    case 2:
      g_string_append (
        out, "{\"type\":\"campaigntip.notify\",\"payload\":{\"page\":{\"slug\":\"pally\"}}}");
      break;
    default:
      g_string_append (out,
                       "{\"type\":\"campaign.updated\",\"payload\":{\"campaign\":{\"id\":\"c1\","
                       "\"goalInCents\":100000}}}");
      break;
    }
}

const SimFeedClass sim_pally_class = {
  .name = "pally",
  .prefix = "/pally",
  .socket_path = "/pally",
  .endpoint = "ws:/pally",
  .setup = pally_setup,
  .opened = pally_opened,
  .message = pally_message,
  .generate = pally_generate,
  .in_scope = pally_in_scope,
  .malformed = pally_malformed,
  .conn_free = pally_conn_free,
};
