/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pally-parse.c — Pally frames through the feed's receive() with a test sink: tips as the
 * user sees them (title, body, link, time), untrusted text, unknown types, bad input, pong. */
#define G_LOG_DOMAIN "herald-test"
#include "config.h"

#include <string.h>

#include "herald-pally-feed.h"
#include "herald-providers.h"
#include "herald-test-feed.h"

typedef HeraldTestParse Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  herald_test_parse_init (fx, herald_account_new (HERALD_PROVIDER_PALLY, "pally-test"),
                          HERALD_TYPE_PALLY_FEED);
  herald_feed_set_credential (fx->feed, "api-key", "pally_test_key");
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  /* Nothing a Pally frame says is a reason to drop the socket or to give up. */
  g_assert_cmpuint (fx->sink->reconnects, ==, 0);
  g_assert_null (fx->sink->failure);
  herald_test_parse_teardown (fx, data);
}

/* --- frames as the seed documents them --- */

#define TIP_ID "b1w2pjwjtb9fx0v1se9ex4n2"
#define PAGE_URL "https://pally.gg/p/pally"
/* createdAt as herald_format_iso8601() writes it back. */
#define CREATED "2024-03-13T18:02:33.743000Z"

#define FRAME(tip, page)                                                                           \
  "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{" tip "},\"page\":{" page "}}}"
#define ID_AND_TIMES                                                                               \
  "\"id\":\"" TIP_ID "\",\"createdAt\":\"2024-03-13T18:02:33.743Z\","                              \
  "\"updatedAt\":\"2024-03-13T18:02:33.743Z\""
#define AMOUNTS "\"grossAmountInCents\":500,\"netAmountInCents\":470,\"processingFeeInCents\":30"
#define PAGE_WITH(title_and_url)                                                                   \
  "\"id\":\"1627451579049x550722173620715500\",\"slug\":\"pally\"" title_and_url
#define PAGE PAGE_WITH (",\"title\":\"Pally.gg's Team Page\",\"url\":\"" PAGE_URL "\"")
/* A tip with the usual id, times, amounts and page; the rest is the case's. */
#define TIP(members) FRAME (ID_AND_TIMES "," AMOUNTS "," members, PAGE)
#define NAMED(name, message) "\"displayName\":\"" name "\",\"message\":\"" message "\""

/* Pally may add fields anywhere; they change nothing. */
#define EXTRA_FIELDS_FRAME                                                                         \
  "{\"type\":\"campaigntip.notify\",\"version\":2,\"payload\":{\"campaignTip\":{" ID_AND_TIMES     \
  "," AMOUNTS ",\"displayName\":\"Alice\",\"message\":\"Great stream!\",\"currency\":\"usd\","     \
  "\"meta\":{\"a\":[1,2]}},\"page\":{" PAGE                                                        \
  ",\"avatar\":null},\"sentAt\":\"2030-01-01T00:00:00Z\"}}"

/* What the user reads: the name between directional isolates, then the amount. */
#define TITLE(name, amount) "\u2068" name "\u2069 tipped " amount

#define X10 "xxxxxxxxxx"
#define X80 X10 X10 X10 X10 X10 X10 X10 X10
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define X500 X100 X100 X100 X100 X100
#define E10 "éééééééééé"
#define E100 E10 E10 E10 E10 E10 E10 E10 E10 E10 E10
#define E500 E100 E100 E100 E100 E100

typedef struct
{
  const char *name;
  const char *frame;
  const char *type;
  const char *dedupe;
  const char *title;
  const char *body;
  HeraldCategory category;
  const char *link;     /* NULL: no link */
  const char *occurred; /* NULL: when it was received */
} Case;

static const Case cases[] = {
  /* The seed's own example: no message, so the page names where the tip went. */
  { "seed-example",
    FRAME (ID_AND_TIMES ",\"displayName\":\"Someone\",\"grossAmountInCents\":500,\"message\":\"\","
                        "\"netAmountInCents\":500,\"processingFeeInCents\":0",
           PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Someone", "$5.00"), "On Pally.gg's Team Page",
    HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "normal", TIP (NAMED ("Alice", "Great stream!")), "campaigntip.notify", TIP_ID,
    TITLE ("Alice", "$5.00"), "Great stream!", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "extra-fields", EXTRA_FIELDS_FRAME, "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"),
    "Great stream!", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "right-to-left-name", TIP (NAMED ("مريم", "شكرا")), "campaigntip.notify", TIP_ID,
    TITLE ("مريم", "$5.00"), "شكرا", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },

  /* --- the amount --- */
  { "net-without-gross",
    FRAME (ID_AND_TIMES ",\"netAmountInCents\":1234," NAMED ("Alice", "hi"), PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$12.34"), "hi", HERALD_CATEGORY_TIP, PAGE_URL,
    CREATED },
  { "gross-null",
    FRAME (ID_AND_TIMES
           ",\"grossAmountInCents\":null,\"netAmountInCents\":250," NAMED ("Alice", "hi"),
           PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$2.50"), "hi", HERALD_CATEGORY_TIP, PAGE_URL,
    CREATED },
  { "no-amounts", FRAME (ID_AND_TIMES "," NAMED ("Alice", "hi"), PAGE), "campaigntip.notify",
    TIP_ID, TITLE ("Alice", "$0.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "cents-only",
    FRAME (ID_AND_TIMES ",\"grossAmountInCents\":7,\"netAmountInCents\":0," NAMED ("Alice", "hi"),
           PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$0.07"), "hi", HERALD_CATEGORY_TIP, PAGE_URL,
    CREATED },
  { "large-amount",
    FRAME (ID_AND_TIMES ",\"grossAmountInCents\":123456789," NAMED ("Alice", "hi"), PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$1234567.89"), "hi", HERALD_CATEGORY_TIP,
    PAGE_URL, CREATED },

  /* --- the body --- */
  { "no-message", TIP ("\"displayName\":\"Alice\""), "campaigntip.notify", TIP_ID,
    TITLE ("Alice", "$5.00"), "On Pally.gg's Team Page", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "message-only-blanks", TIP (NAMED ("Alice", " \\n\\t\\u0007 ")), "campaigntip.notify", TIP_ID,
    TITLE ("Alice", "$5.00"), "On Pally.gg's Team Page", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "page-title-cleaned",
    FRAME (ID_AND_TIMES "," AMOUNTS ",\"displayName\":\"Alice\"",
           PAGE_WITH (",\"title\":\"\\u202eBig\\nStream\\u0000\",\"url\":\"" PAGE_URL "\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "On Big Stream\uFFFD",
    HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "page-title-cut",
    FRAME (ID_AND_TIMES "," AMOUNTS ",\"displayName\":\"Alice\"",
           PAGE_WITH (",\"title\":\"" X80 "yz\",\"url\":\"" PAGE_URL "\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "On " X80 "…", HERALD_CATEGORY_TIP,
    PAGE_URL, CREATED },
  { "no-message-no-page-title",
    FRAME (ID_AND_TIMES "," AMOUNTS ",\"displayName\":\"Alice\"",
           PAGE_WITH (",\"url\":\"" PAGE_URL "\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "", HERALD_CATEGORY_TIP, PAGE_URL,
    CREATED },
  { "no-page",
    "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{" ID_AND_TIMES "," AMOUNTS
    ",\"displayName\":\"Alice\"}}}",
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "", HERALD_CATEGORY_TIP, NULL,
    CREATED },

  /* --- the name --- */
  { "no-name", TIP ("\"message\":\"hi\""), "campaigntip.notify", TIP_ID, TITLE ("Someone", "$5.00"),
    "hi", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "empty-name", TIP (NAMED ("", "hi")), "campaigntip.notify", TIP_ID, TITLE ("Someone", "$5.00"),
    "hi", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "blank-name", TIP (NAMED (" \\u202e\\r\\n ", "hi")), "campaigntip.notify", TIP_ID,
    TITLE ("Someone", "$5.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "name-null", TIP ("\"displayName\":null,\"message\":\"hi\""), "campaigntip.notify", TIP_ID,
    TITLE ("Someone", "$5.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "name-not-text", TIP ("\"displayName\":42,\"message\":\"hi\""), "campaigntip.notify", TIP_ID,
    TITLE ("Someone", "$5.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },

  /* --- untrusted text --- */
  /* An override in the name would turn the rest of the title around; only our isolates stay. */
  { "name-bidi-stripped", TIP (NAMED ("\\u202eevil\\u2066\\u2069\\u200f Bob", "hi")),
    "campaigntip.notify", TIP_ID, TITLE ("evil Bob", "$5.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL,
    CREATED },
  { "message-control-stripped", TIP (NAMED ("Alice", "hi\\u0007 there\\u001b[31m\\u007f!")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi there[31m!", HERALD_CATEGORY_TIP,
    PAGE_URL, CREATED },
  { "message-newlines-folded",
    TIP (NAMED ("Ali\\nce", "  line one\\nline two\\r\\n\\tthree\\u2028four  ")),
    "campaigntip.notify", TIP_ID, TITLE ("Ali ce", "$5.00"), "line one line two three four",
    HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  /* Escaping is the renderer's job: the text keeps what the tipper typed. */
  { "markup-kept-as-text",
    TIP (NAMED ("<i>Bob</i> & _co_", "<b>bold</b> &amp; _under_ <a href=\\\"x\\\">link</a>")),
    "campaigntip.notify", TIP_ID, TITLE ("<i>Bob</i> & _co_", "$5.00"),
    "<b>bold</b> &amp; _under_ <a href=\"x\">link</a>", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  /* Placeholders in a name are text, not part of the sentence being filled. */
  { "placeholders-in-name", TIP (NAMED ("100%s %1$s %d %%", "50% off %s")), "campaigntip.notify",
    TIP_ID, TITLE ("100%s %1$s %d %%", "$5.00"), "50% off %s", HERALD_CATEGORY_TIP, PAGE_URL,
    CREATED },
  { "emoji-kept", TIP (NAMED ("\\ud83d\\udc69\\u200d\\ud83d\\udcbb Dev", "🎉 thanks 👍🏽")),
    "campaigntip.notify", TIP_ID, TITLE ("👩‍💻 Dev", "$5.00"), "🎉 thanks 👍🏽",
    HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  /* Escapes that name no character arrive as U+FFFD, never as broken UTF-8. */
  { "invalid-utf8-replaced", TIP (NAMED ("A\\ud800l", "a\\udc00b\\u0000c")), "campaigntip.notify",
    TIP_ID, TITLE ("A\uFFFDl", "$5.00"), "a\uFFFDb\uFFFDc", HERALD_CATEGORY_TIP, PAGE_URL,
    CREATED },
  { "message-at-limit", TIP (NAMED ("Alice", X500)), "campaigntip.notify", TIP_ID,
    TITLE ("Alice", "$5.00"), X500, HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "message-cut", TIP (NAMED ("Alice", X500 "yz")), "campaigntip.notify", TIP_ID,
    TITLE ("Alice", "$5.00"), X500 "…", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  /* The limit counts characters, not bytes. */
  { "message-cut-characters", TIP (NAMED ("Alice", E500 "é")), "campaigntip.notify", TIP_ID,
    TITLE ("Alice", "$5.00"), E500 "…", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "name-at-limit", TIP (NAMED (X80, "hi")), "campaigntip.notify", TIP_ID, TITLE (X80, "$5.00"),
    "hi", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },
  { "name-cut", TIP (NAMED (X80 "y", "hi")), "campaigntip.notify", TIP_ID, TITLE (X80 "…", "$5.00"),
    "hi", HERALD_CATEGORY_TIP, PAGE_URL, CREATED },

  /* --- the link --- */
  { "link-http",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"),
           PAGE_WITH (",\"url\":\"http://pally.gg/p/pally\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP,
    "http://pally.gg/p/pally", CREATED },
  { "link-javascript",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"),
           PAGE_WITH (",\"url\":\"javascript:alert(1)//https://pally.gg\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, NULL,
    CREATED },
  { "link-with-controls-and-markup",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"),
           PAGE_WITH (",\"url\":\"https://pally.gg/p/x\\n\\u0007 <b>evil\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, NULL,
    CREATED },
  { "link-without-host",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"), PAGE_WITH (",\"url\":\"https://\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, NULL,
    CREATED },
  { "link-file",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"),
           PAGE_WITH (",\"url\":\"file:///etc/passwd\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, NULL,
    CREATED },
  { "link-data",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"),
           PAGE_WITH (",\"url\":\"data:text/html,<script>x</script>\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, NULL,
    CREATED },
  { "link-relative",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"), PAGE_WITH (",\"url\":\"/p/pally\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, NULL,
    CREATED },
  { "link-empty",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"), PAGE_WITH (",\"url\":\"\"")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, NULL,
    CREATED },
  { "link-not-text",
    FRAME (ID_AND_TIMES "," AMOUNTS "," NAMED ("Alice", "hi"),
           PAGE_WITH (",\"url\":{\"href\":\"" PAGE_URL "\"}")),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, NULL,
    CREATED },

  /* --- when --- */
  { "created-with-offset",
    FRAME ("\"id\":\"" TIP_ID "\",\"createdAt\":\"2024-03-13T19:02:33+01:00\"," AMOUNTS
           "," NAMED ("Alice", "hi"),
           PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL,
    "2024-03-13T18:02:33Z" },
  { "created-missing", FRAME ("\"id\":\"" TIP_ID "\"," AMOUNTS "," NAMED ("Alice", "hi"), PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL,
    NULL },
  { "created-unparsable",
    FRAME ("\"id\":\"" TIP_ID "\",\"createdAt\":\"yesterday\"," AMOUNTS "," NAMED ("Alice", "hi"),
           PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL,
    NULL },
  { "created-number",
    FRAME ("\"id\":\"" TIP_ID "\",\"createdAt\":1710352953," AMOUNTS "," NAMED ("Alice", "hi"),
           PAGE),
    "campaigntip.notify", TIP_ID, TITLE ("Alice", "$5.00"), "hi", HERALD_CATEGORY_TIP, PAGE_URL,
    NULL },

  /* --- types Herald does not know --- */
  { "unknown-type-kept",
    "{\"type\":\"campaign.ended\",\"payload\":{\"page\":{\"slug\":\"pally\"}}}", "campaign.ended",
    HERALD_TEST_RAW_DEDUPE, "Pally: campaign.ended", "", HERALD_CATEGORY_SYSTEM, NULL, NULL },
  { "unknown-type-without-payload", "{\"type\":\"maintenance\"}", "maintenance",
    HERALD_TEST_RAW_DEDUPE, "Pally: maintenance", "", HERALD_CATEGORY_SYSTEM, NULL, NULL },
  /* The type is server text too. */
  { "unknown-type-cleaned", "{\"type\":\"camp\\u202eaign\\u0007\\nended\",\"payload\":{}}",
    "campaign ended", HERALD_TEST_RAW_DEDUPE, "Pally: campaign ended", "", HERALD_CATEGORY_SYSTEM,
    NULL, NULL },
};

static void
test_case (Fixture *fx, gconstpointer data)
{
  const Case *c = data;
  HeraldEvent *event;
  gint64 before = g_get_real_time ();

  herald_test_parse_receive (fx, c->frame);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);
  g_assert_cmpuint (fx->sink->replies, ==, 0);
  g_assert_cmpuint (fx->sink->sent->len, ==, 0);
  g_assert_cmpuint (fx->sink->events->len, ==, 1);
  event = g_ptr_array_index (fx->sink->events, 0);

  herald_test_assert_event (event, c->frame, c->type, c->dedupe, c->title, c->body, c->category,
                            HERALD_SEVERITY_INFO);
  g_assert_cmpstr (herald_event_get_link (event), ==, c->link);
  /* Pally's only system events are the types Herald does not know: their message is kept. */
  g_assert_cmpint (herald_event_is_unknown_type (event), ==, c->category == HERALD_CATEGORY_SYSTEM);
  g_assert_cmpstr (herald_event_get_provider (event), ==, "pally");
  g_assert_cmpstr (herald_event_get_account (event), ==, "pally-test");
  g_assert_true (g_utf8_validate (herald_event_get_title (event), -1, NULL));
  g_assert_true (g_utf8_validate (herald_event_get_body (event), -1, NULL));
  if (c->occurred != NULL)
    {
      g_autofree char *occurred = herald_format_iso8601 (herald_event_get_occurred (event));

      g_assert_cmpstr (occurred, ==, c->occurred);
    }
  else
    {
      g_assert_cmpint (herald_event_get_occurred (event), ==, herald_event_get_received (event));
      g_assert_cmpint (herald_event_get_received (event), >=, before);
      g_assert_cmpint (herald_event_get_received (event), <=, g_get_real_time ());
    }
}

/* --- frames that are refused --- */

static const HeraldTestFrameCase bad_cases[] = {
  { "empty", "" },
  { "not-json", "hello" },
  { "truncated", "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":{\"id\":\"b1" },
  { "trailing-garbage", TIP (NAMED ("Alice", "hi")) "x" },
  { "two-documents", TIP (NAMED ("Alice", "hi")) TIP (NAMED ("Alice", "hi")) },
  /* The reader refuses a frame that is not UTF-8 whole rather than guess at it. */
  { "raw-invalid-utf8", TIP (NAMED ("Alice", "hi \xff\xfe there")) },
  { "array", "[{\"type\":\"campaigntip.notify\"}]" },
  { "string", "\"campaigntip.notify\"" },
  { "number", "42" },
  { "null", "null" },
  { "no-type", "{\"payload\":{\"campaignTip\":{\"id\":\"" TIP_ID "\"}}}" },
  { "type-null", "{\"type\":null}" },
  { "type-empty", "{\"type\":\"\"}" },
  { "type-blank", "{\"type\":\" \\t\\u202e \"}" },
  { "type-number", "{\"type\":7}" },
  { "type-object", "{\"type\":{\"name\":\"campaigntip.notify\"}}" },
  { "tip-without-id",
    FRAME ("\"createdAt\":\"2024-03-13T18:02:33.743Z\"," AMOUNTS "," NAMED ("Alice", "hi"), PAGE) },
  { "tip-empty-id", FRAME ("\"id\":\"\"," AMOUNTS "," NAMED ("Alice", "hi"), PAGE) },
  { "tip-id-number", FRAME ("\"id\":12345," AMOUNTS "," NAMED ("Alice", "hi"), PAGE) },
  { "tip-without-campaign-tip",
    "{\"type\":\"campaigntip.notify\",\"payload\":{\"page\":{" PAGE "}}}" },
  { "tip-without-payload", "{\"type\":\"campaigntip.notify\"}" },
  { "tip-payload-string", "{\"type\":\"campaigntip.notify\",\"payload\":\"" TIP_ID "\"}" },
  { "tip-campaign-tip-array",
    "{\"type\":\"campaigntip.notify\",\"payload\":{\"campaignTip\":[{\"id\":\"" TIP_ID "\"}]}}" },
  /* Only the literal text is the keepalive answer. */
  { "pong-in-quotes", "\"pong\"" },
};

static void
test_bad_case (Fixture *fx, gconstpointer data)
{
  const HeraldTestFrameCase *c = data;

  herald_test_parse_check_refused (fx, c->frame);
  g_assert_cmpuint (fx->sink->replies, ==, 0);
}

/* --- the keepalive --- */

static void
test_keepalive (Fixture *fx, gconstpointer data)
{
  HERALD_FEED_GET_CLASS (fx->feed)->heartbeat (fx->feed);
  g_assert_cmpuint (fx->sink->sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->sink->sent, 0), ==, "ping");
  g_assert_cmpuint (fx->sink->expected_replies, ==, 1);

  herald_test_parse_receive (fx, "pong");
  g_assert_cmpuint (fx->sink->replies, ==, 1);
  g_assert_cmpuint (fx->sink->events->len, ==, 0);
  g_assert_cmpuint (fx->sink->malformed, ==, 0);
  /* Answering is the client's part, never the feed's. */
  g_assert_cmpuint (fx->sink->sent->len, ==, 1);
}

/* --- several frames on one feed --- */

/* The feed reuses its parser between frames and the frame is freed after receive(): every
 * event must own its text. A replay keeps the tip id, so the hub can drop it. */
static void
test_burst (Fixture *fx, gconstpointer data)
{
  const char *first
    = FRAME ("\"id\":\"tip-1\",\"createdAt\":\"2024-03-13T18:02:33.743Z\",\"grossAmountInCents\":"
             "100," NAMED ("Alice", "first"),
             PAGE);
  const char *second = FRAME ("\"id\":\"tip-2\",\"netAmountInCents\":250,\"displayName\":\"Bob\"",
                              PAGE_WITH (",\"title\":\"Other Page\""));

  herald_test_parse_receive (fx, first);
  herald_test_parse_receive (fx, "not json");
  herald_test_parse_receive (fx, second);
  herald_test_parse_receive (fx, "pong");
  herald_test_parse_receive (fx, first);
  g_assert_cmpuint (fx->sink->malformed, ==, 1);
  g_assert_cmpuint (fx->sink->replies, ==, 1);
  g_assert_cmpuint (fx->sink->events->len, ==, 3);

  herald_test_assert_event (g_ptr_array_index (fx->sink->events, 0), first, "campaigntip.notify",
                            "tip-1", TITLE ("Alice", "$1.00"), "first", HERALD_CATEGORY_TIP,
                            HERALD_SEVERITY_INFO);
  g_assert_cmpstr (herald_event_get_link (g_ptr_array_index (fx->sink->events, 0)), ==, PAGE_URL);
  herald_test_assert_event (g_ptr_array_index (fx->sink->events, 1), second, "campaigntip.notify",
                            "tip-2", TITLE ("Bob", "$2.50"), "On Other Page", HERALD_CATEGORY_TIP,
                            HERALD_SEVERITY_INFO);
  g_assert_null (herald_event_get_link (g_ptr_array_index (fx->sink->events, 1)));
  herald_test_assert_event (g_ptr_array_index (fx->sink->events, 2), first, "campaigntip.notify",
                            "tip-1", TITLE ("Alice", "$1.00"), "first", HERALD_CATEGORY_TIP,
                            HERALD_SEVERITY_INFO);
}

/* A tip is a thing of its own: nothing to update in place. */
static const HeraldTestObjectCase object_cases[] = {
  { "tip", TIP (NAMED ("Alice", "Great stream!")), NULL },
};

static void
test_object_id (Fixture *fx, gconstpointer data)
{
  herald_test_parse_check_object_id (fx, data);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  HERALD_TEST_ADD_TABLE ("/pally/parse", Fixture, cases, fixture_setup, test_case,
                         fixture_teardown);
  HERALD_TEST_ADD_TABLE ("/pally/malformed", Fixture, bad_cases, fixture_setup, test_bad_case,
                         fixture_teardown);
  HERALD_TEST_ADD_TABLE ("/pally/object-id", Fixture, object_cases, fixture_setup, test_object_id,
                         fixture_teardown);
  g_test_add ("/pally/keepalive", Fixture, NULL, fixture_setup, test_keepalive, fixture_teardown);
  g_test_add ("/pally/burst", Fixture, NULL, fixture_setup, test_burst, fixture_teardown);
  return g_test_run ();
}
