/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-event.c — HeraldEvent: defaults, ownership, nick round-trips and time parsing. */
#include "config.h"

#include "herald-event.h"

static void
test_event_defaults (void)
{
  g_autoptr (HeraldEvent) event
    = herald_event_new ("acc-1", "pally", "campaigntip.notify", "tip-1");

  g_assert_cmpstr (herald_event_get_id (event), ==, "tip-1");
  g_assert_cmpstr (herald_event_get_account (event), ==, "acc-1");
  g_assert_cmpstr (herald_event_get_provider (event), ==, "pally");
  g_assert_cmpstr (herald_event_get_event_type (event), ==, "campaigntip.notify");
  g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_SYSTEM);
  g_assert_cmpint (herald_event_get_severity (event), ==, HERALD_SEVERITY_INFO);
  g_assert_cmpstr (herald_event_get_title (event), ==, "");
  g_assert_cmpstr (herald_event_get_body (event), ==, "");
  g_assert_null (herald_event_get_link (event));
  g_assert_null (herald_event_get_object_id (event));
  g_assert_false (herald_event_get_read (event));
  g_assert_cmpint (herald_event_get_occurred (event), ==, herald_event_get_received (event));
  g_assert_cmpint (herald_event_get_received (event), >, 0);
}

static void
test_event_setters (void)
{
  g_autoptr (HeraldEvent) event = herald_event_new ("a", "skinshark", "trade.failed", "t1:failed");
  HeraldEvent *second_ref;

  herald_event_set_category (event, HERALD_CATEGORY_TRADE);
  herald_event_set_severity (event, HERALD_SEVERITY_CRITICAL);
  herald_event_set_title (event, "Trade failed");
  herald_event_take_body (event, g_strdup ("AK-47 | Redline"));
  herald_event_set_link (event, "");
  g_assert_null (herald_event_get_link (event));
  herald_event_set_link (event, "https://example.org/t1");
  herald_event_set_raw (event, "{\"a\":1}xyz", 7);
  herald_event_set_title (event, NULL);
  herald_event_set_object_id (event, "trade:t1");

  g_assert_cmpint (herald_event_get_category (event), ==, HERALD_CATEGORY_TRADE);
  g_assert_cmpint (herald_event_get_severity (event), ==, HERALD_SEVERITY_CRITICAL);
  g_assert_cmpstr (herald_event_get_title (event), ==, "");
  g_assert_cmpstr (herald_event_get_body (event), ==, "AK-47 | Redline");
  g_assert_cmpstr (herald_event_get_link (event), ==, "https://example.org/t1");
  g_assert_cmpstr (herald_event_get_object_id (event), ==, "trade:t1");
  /* "" names no object. */
  herald_event_take_object_id (event, g_strdup (""));
  g_assert_null (herald_event_get_object_id (event));
  g_assert_cmpstr (herald_event_get_raw (event), ==, "{\"a\":1}");
  g_assert_cmpuint (herald_event_get_raw_length (event), ==, 7);
  herald_event_set_raw (event, "{}\0tail", 7);
  g_assert_cmpstr (herald_event_get_raw (event), ==, "{}");
  g_assert_cmpuint (herald_event_get_raw_length (event), ==, 2);
  herald_event_set_raw (event, "[1]", -1);
  g_assert_cmpuint (herald_event_get_raw_length (event), ==, 3);

  /* Links come from untrusted feeds and are clicked: only plain http(s) addresses stay. */
  {
    static const struct
    {
      const char *link;
      gboolean kept;
    } links[] = {
      { "https://pally.gg/p/x?a=1&b=%20#top", TRUE },
      { "HTTP://example.org", TRUE },
      { "http://127.0.0.1:8080/t", TRUE },
      { "javascript:alert(1)", FALSE },
      { "file:///etc/passwd", FALSE },
      { "data:text/html,x", FALSE },
      { "/relative/path", FALSE },
      { "https://", FALSE },
      { "https:///no-host", FALSE },
      { "https://pally.gg/p/x\n\a <b>evil", FALSE },
      { "https://pally.gg/p/\"onclick", FALSE },
      { "https://ex\xc3\xa4mple.org", FALSE }, /* a look-alike host could pass for another */
      { "https://en.wikipedia.org/wiki/Hitchhiker's_Guide", TRUE },
      { "https://example.org/{id}|a^b", TRUE },
      { "https://[::1]:8080/feed", TRUE },
      { "https://bank.example@elsewhere.example/", FALSE },
      { "https://user:pw@example.org/", FALSE },
      { "https://example.org/a@b", TRUE }, /* an @ after the host is only a path */
      { "https://:8080/", FALSE },
      { "https://example.org/a\\b", FALSE },
      { "", FALSE },
      { NULL, FALSE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (links); i++)
      {
        herald_event_set_link (event, "https://example.org/before");
        herald_event_set_link (event, links[i].link);
        g_assert_cmpstr (herald_event_get_link (event), ==, links[i].kept ? links[i].link : NULL);
      }
  }

  /* Raw text given at creation can be replaced like any other. */
  {
    g_autoptr (HeraldEvent) framed
      = herald_event_new_with_raw ("a", "pally", "campaigntip.notify", "tip-2", "{\"x\":1}tail", 7);

    g_assert_cmpstr (herald_event_get_id (framed), ==, "tip-2");
    g_assert_cmpstr (herald_event_get_event_type (framed), ==, "campaigntip.notify");
    g_assert_cmpstr (herald_event_get_raw (framed), ==, "{\"x\":1}");
    g_assert_cmpuint (herald_event_get_raw_length (framed), ==, 7);
    herald_event_set_raw (framed, "[2]", -1);
    g_assert_cmpstr (herald_event_get_raw (framed), ==, "[2]");
    herald_event_set_raw (framed, NULL, 0);
    g_assert_cmpstr (herald_event_get_raw (framed), ==, "");
    g_assert_cmpuint (herald_event_get_raw_length (framed), ==, 0);
  }

  /* The boxed type copies by reference: the copy is the same event. */
  second_ref = g_boxed_copy (HERALD_TYPE_EVENT, event);
  g_assert_true (second_ref == event);
  g_boxed_free (HERALD_TYPE_EVENT, second_ref);
}

static void
test_event_nicks (void)
{
  static const char *categories[]
    = { "deposit", "trade", "lobby", "contract", "storage", "order", "position", "tip", "system" };
  HeraldCategory category;
  HeraldSeverity severity;

  for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
    {
      g_assert_true (herald_category_from_string (categories[i], &category));
      g_assert_cmpint (category, ==, i);
      g_assert_cmpstr (herald_category_to_string (category), ==, categories[i]);
    }
  g_assert_false (herald_category_from_string ("Deposit", &category));
  g_assert_false (herald_category_from_string (NULL, &category));

  g_assert_true (herald_severity_from_string ("critical", &severity));
  g_assert_cmpint (severity, ==, HERALD_SEVERITY_CRITICAL);
  g_assert_cmpstr (herald_severity_to_string (HERALD_SEVERITY_WARNING), ==, "warning");
  g_assert_false (herald_severity_from_string ("fatal", &severity));
}

/* The registered enum types name each value as the history and the command line do, so a
 * property or signal that carries one reads the same wherever it is shown. */
static void
test_event_enum_types (void)
{
  g_autoptr (GEnumClass) categories = g_type_class_ref (HERALD_TYPE_CATEGORY);
  g_autoptr (GEnumClass) severities = g_type_class_ref (HERALD_TYPE_SEVERITY);

  g_assert_cmpuint (categories->n_values, ==, HERALD_CATEGORY_SYSTEM + 1);
  for (guint i = 0; i < categories->n_values; i++)
    g_assert_cmpstr (categories->values[i].value_nick, ==,
                     herald_category_to_string (categories->values[i].value));
  g_assert_cmpuint (severities->n_values, ==, HERALD_SEVERITY_CRITICAL + 1);
  for (guint i = 0; i < severities->n_values; i++)
    g_assert_cmpstr (severities->values[i].value_nick, ==,
                     herald_severity_to_string (severities->values[i].value));
}

/* A caller's mistake (a NULL event, no place for the result) is reported as a critical and
 * answered with a neutral value instead of crashing the notifier. */
static void
test_event_bad_arguments (void)
{
  HeraldCategory category = HERALD_CATEGORY_TIP;

  g_test_expect_message ("herald-event", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
  g_assert_null (herald_event_get_title (NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("herald-event", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
  herald_event_set_severity (NULL, HERALD_SEVERITY_CRITICAL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("herald-event", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
  g_assert_cmpint (herald_event_get_occurred (NULL), ==, 0);
  g_test_assert_expected_messages ();

  g_test_expect_message ("herald-event", G_LOG_LEVEL_CRITICAL, "*out_category != NULL*");
  g_assert_false (herald_category_from_string ("trade", NULL));
  g_test_assert_expected_messages ();
  g_assert_true (herald_category_from_string ("trade", &category));
  g_assert_cmpint (category, ==, HERALD_CATEGORY_TRADE);
}

static void
test_event_iso8601 (void)
{
  gint64 us = 0;
  g_autofree char *whole = NULL;
  g_autofree char *fraction = NULL;

  g_assert_true (herald_parse_iso8601 ("2024-03-13T18:02:33.743Z", &us));
  g_assert_cmpint (us, ==, G_GINT64_CONSTANT (1710352953743000));
  fraction = herald_format_iso8601 (us);
  g_assert_cmpstr (fraction, ==, "2024-03-13T18:02:33.743000Z");

  g_assert_true (herald_parse_iso8601 ("2024-01-15T12:30:00+02:00", &us));
  whole = herald_format_iso8601 (us);
  g_assert_cmpstr (whole, ==, "2024-01-15T10:30:00Z");

  /* The common shape is read without GDateTime; it must agree with it to the microsecond. */
  {
    static const char *const stamps[] = {
      "1970-01-01T00:00:00Z",        "2024-02-29T23:59:59.999999Z",
      "2024-03-13T18:02:33.7Z",      "2000-12-31T00:00:00.1234567Z",
      "1969-07-20T20:17:40Z",        "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59+14:00",   "2024-01-15T12:30:00-09:30",
      "2038-01-19T03:14:08.5+00:00", "2024-03-13t18:02:33Z",
      "2024-03-13 18:02:33Z",        "2024-03-13T18:02:33",
      "2024-03-13T18:02Z",           "2024-03-13T18:02:33.Z",
      "2023-02-29T00:00:00Z",        "2024-13-01T00:00:00Z",
      "2024-03-13T24:00:00Z",        "2024-03-13T18:02:60Z",
      "2024-03-13T18:02:33+2:00",    "2024-03-13T18:02:33Zjunk",
      "+2024-03-13T18:02:33Z",
    };

    for (guint i = 0; i < G_N_ELEMENTS (stamps); i++)
      {
        g_autoptr (GDateTime) reference = g_date_time_new_from_iso8601 (stamps[i], NULL);
        gint64 parsed = 0;

        g_test_message ("%s", stamps[i]);
        g_assert_cmpint (herald_parse_iso8601 (stamps[i], &parsed), ==, reference != NULL);
        if (reference != NULL)
          g_assert_cmpint (parsed, ==,
                           g_date_time_to_unix (reference) * G_USEC_PER_SEC
                             + g_date_time_get_microsecond (reference));
      }
  }

  g_assert_false (herald_parse_iso8601 ("yesterday", &us));
  g_assert_false (herald_parse_iso8601 ("", &us));
  g_assert_false (herald_parse_iso8601 (NULL, &us));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/event/defaults", test_event_defaults);
  g_test_add_func ("/event/setters", test_event_setters);
  g_test_add_func ("/event/nicks", test_event_nicks);
  g_test_add_func ("/event/enum-types", test_event_enum_types);
  g_test_add_func ("/event/bad-arguments", test_event_bad_arguments);
  g_test_add_func ("/event/iso8601", test_event_iso8601);
  return g_test_run ();
}
