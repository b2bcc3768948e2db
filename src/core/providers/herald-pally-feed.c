/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-pally-feed.c — the Pally protocol (PROTOCOLS.md, seed 004): tips arrive as
 * campaigntip.notify; the client keeps the socket alive with the literal text "ping". */
#define G_LOG_DOMAIN "herald-pally"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "herald-format.h"
#include "herald-money.h"
#include "herald-json.h"
#include "herald-pally-feed.h"

/* The documented keepalive: a ping every 60 s; we give the pong 10 s. */
#define PING_INTERVAL_MS (60 * 1000)
#define PONG_DEADLINE_MS (10 * 1000)

#define MAX_NAME_CHARS 80
#define MAX_MESSAGE_CHARS 500

struct _HeraldPallyFeed
{
  HeraldFeed parent_instance;
  /* Translated once: a catalog lookup for every tip of a burst costs more than the rest of
   * the title. Herald never changes its language while running. */
  const char *tipped;
  const char *someone;
};

G_DEFINE_FINAL_TYPE (HeraldPallyFeed, herald_pally_feed, HERALD_TYPE_FEED)

static SoupMessage *
herald_pally_feed_build_request (HeraldFeed *feed, char ***out_protocols, GError **error)
{
  HeraldAccount *account = herald_feed_get_account (feed);
  const char *key = herald_feed_get_credential (feed, "api-key");
  const char *channel = herald_account_get_option (account, "channel");
  gboolean activity_feed = g_strcmp0 (channel, "activity-feed") == 0;
  g_autofree char *uri = NULL;

  if (key == NULL)
    {
      g_set_error_literal (error, HERALD_FEED_ERROR, HERALD_FEED_ERROR_CONFIGURATION,
                           _ ("The account has no API key"));
      return NULL;
    }
  /* The key travels in the query, as Pally documents; the URI is never logged. */
  uri = herald_feed_build_uri (
    feed, TRUE, NULL, "auth", key, "channel", activity_feed ? "activity-feed" : "firehose", "room",
    activity_feed ? herald_account_get_option (account, "room") : NULL, NULL);
  *out_protocols = NULL;
  return soup_message_new (SOUP_METHOD_GET, uri);
}

static gboolean
herald_pally_feed_opened (HeraldFeed *feed, SoupWebsocketConnection *socket, GError **error)
{
  /* Pally has no handshake message: the key rides in the upgrade, and the socket opening is
   * all the confirmation it gives (a refusal is a close just after; the Test button proves
   * the key with an echo round trip on top). */
  herald_feed_authenticated (feed);
  return TRUE;
}

static void
herald_pally_feed_heartbeat (HeraldFeed *feed)
{
  herald_feed_send_text (feed, "ping");
  herald_feed_expect_reply (feed);
}

static void
emit_tip (HeraldPallyFeed *self, HeraldJsonNode root, const char *data, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  HeraldJsonNode tip = herald_json_node_path (root, "payload", "campaignTip", NULL);
  HeraldJsonNode page = herald_json_node_path (root, "payload", "page", NULL);
  g_autofree char *id = herald_json_node_dup_member_string (tip, "id");
  g_autofree char *raw_name = herald_json_node_dup_member_string (tip, "displayName");
  g_autofree char *raw_message = herald_json_node_dup_member_string (tip, "message");
  g_autofree char *created_at = herald_json_node_dup_member_string (tip, "createdAt");
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *url = NULL;
  g_autofree char *isolated_name = NULL;
  HeraldEvent *event;
  gint64 cents = 0;
  gint64 occurred;

  if (id == NULL || *id == '\0')
    {
      herald_feed_malformed (feed, "campaigntip.notify without a tip id");
      return;
    }
  if (!herald_json_node_get_int64 (herald_json_node_member (tip, "grossAmountInCents"), &cents))
    herald_json_node_get_int64 (herald_json_node_member (tip, "netAmountInCents"), &cents);

  name = herald_format_take_clean_text (g_steal_pointer (&raw_name), MAX_NAME_CHARS);
  message = herald_format_take_clean_text (g_steal_pointer (&raw_message), MAX_MESSAGE_CHARS);
  amount = herald_money_format_cents (cents, "USD", HERALD_MONEY_FORMAT_NONE);
  url = herald_json_node_dup_member_string (page, "url");

  event = herald_feed_new_event (feed, "campaigntip.notify", id, data, length);
  herald_event_set_category (event, HERALD_CATEGORY_TIP);
  isolated_name = herald_format_isolate (*name ? name : self->someone);
  herald_event_take_title (event, herald_format_fill (self->tipped, isolated_name, amount, NULL));
  if (*message)
    herald_event_take_body (event, g_steal_pointer (&message));
  else
    {
      g_autofree char *page_title = herald_format_take_clean_text (
        herald_json_node_dup_member_string (page, "title"), MAX_NAME_CHARS);

      if (*page_title)
        /* TRANSLATORS: %s is the title of the creator's page */
        herald_event_take_body (event, herald_format_fill (_ ("On %s"), page_title, NULL));
    }
  herald_event_take_link (event, g_steal_pointer (&url));
  if (herald_parse_iso8601 (created_at, &occurred))
    herald_event_set_occurred (event, occurred);
  herald_feed_emit (feed, event);
}

/* A type Herald does not know yet is kept, not dropped: the user may care. */
static void
emit_unknown (HeraldPallyFeed *self, HeraldJsonNode root, const char *data, gsize length)
{
  HeraldFeed *feed = HERALD_FEED (self);
  g_autofree char *type = herald_json_node_dup_member_string (root, "type");
  g_autofree char *clean_type = herald_format_clean_text (type, 64);

  if (*clean_type == '\0')
    {
      herald_feed_malformed (feed, "message with a blank type");
      return;
    }
  herald_feed_emit (feed, herald_feed_new_unknown_event (feed, clean_type, data, length));
}

static void
herald_pally_feed_receive (HeraldFeed *feed, const char *data, gsize length)
{
  HeraldPallyFeed *self = HERALD_PALLY_FEED (feed);
  HeraldJsonNode root;
  HeraldJsonNode type;

  if (length == 4 && memcmp (data, "pong", 4) == 0)
    {
      herald_feed_reply_received (feed);
      return;
    }
  root = herald_feed_parse_json (feed, data, length);
  if (herald_json_node_type (root) == HERALD_JSON_NONE)
    return;
  type = herald_json_node_member (root, "type");
  if (herald_json_node_type (type) != HERALD_JSON_STRING)
    {
      herald_feed_malformed (feed, "message without a type");
      return;
    }
  if (herald_json_node_string_equal (type, "campaigntip.notify"))
    emit_tip (self, root, data, length);
  else
    emit_unknown (self, root, data, length);
}

static HeraldCloseAction
herald_pally_feed_closed (HeraldFeed *feed, gushort code, const char *reason, char **out_reason)
{
  /* Pally does not document its refusal; policy violation and the 4xxx auth codes are
   * what such servers send. Kept here, in one place, so it is easy to change. */
  if (code == SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION || code == 4001 || code == 4003)
    {
      *out_reason = g_strdup (_ ("Pally refused the API key"));
      return HERALD_CLOSE_ATTENTION;
    }
  return HERALD_CLOSE_RECONNECT;
}

static void
herald_pally_feed_class_init (HeraldPallyFeedClass *klass)
{
  HeraldFeedClass *feed_class = HERALD_FEED_CLASS (klass);

  feed_class->build_request = herald_pally_feed_build_request;
  feed_class->opened = herald_pally_feed_opened;
  feed_class->heartbeat = herald_pally_feed_heartbeat;
  feed_class->receive = herald_pally_feed_receive;
  feed_class->closed = herald_pally_feed_closed;
}

static void
herald_pally_feed_init (HeraldPallyFeed *self)
{
  const HeraldFeedTiming timing = {
    .heartbeat_ms = PING_INTERVAL_MS,
    .reply_deadline_ms = PONG_DEADLINE_MS,
  };

  /* TRANSLATORS: the title of a tip, "Alice tipped $5.00" */
  self->tipped = _ ("%s tipped %s");
  /* TRANSLATORS: who tipped, when the tipper gave no name */
  self->someone = _ ("Someone");
  herald_feed_set_timing (HERALD_FEED (self), &timing);
}

void
herald_pally_feed_send_test_event (HeraldPallyFeed *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *id = g_strdup_printf ("herald-test-%08x", g_random_int ());
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;

  g_return_if_fail (HERALD_IS_PALLY_FEED (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "echo");
  json_builder_set_member_name (builder, "payload");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "campaigntip.notify");
  json_builder_set_member_name (builder, "payload");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "campaignTip");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "createdAt");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, "Herald");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, _ ("This is a test tip sent by Herald"));
  json_builder_set_member_name (builder, "grossAmountInCents");
  json_builder_add_int_value (builder, 100);
  json_builder_set_member_name (builder, "netAmountInCents");
  json_builder_add_int_value (builder, 100);
  json_builder_set_member_name (builder, "processingFeeInCents");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  herald_feed_send_text (HERALD_FEED (self), text);
}
