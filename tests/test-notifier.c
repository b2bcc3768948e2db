/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-notifier.c — the notifier against a real notification server on a private bus
 * (python-dbusmock's notification_daemon template), checked through the Notify calls it got. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "herald-hub.h"
#include "herald-notifier.h"
#include "herald-test-env.h"
#include "herald-test-feed.h"

#define WAIT_TIMEOUT_US (15 * G_USEC_PER_SEC)
/* libnotify and GDBus keep one session-bus connection per process, and each test has a bus and
 * a server of its own: each body runs in a child, given this long. */
#define CHILD_TIMEOUT_S 60
#define MOCK_PATH "/org/freedesktop/Notifications"
#define MOCK_NAME "org.freedesktop.Notifications"
/* U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE around an account's name. */
#define ISOLATED(s) "\u2068" s "\u2069"

/* What a test wants on the bus: the mock's capabilities, or no server at all. */
typedef enum
{
  SERVER_DEFAULT, /* what GNOME Shell offers: actions, body markup, persistence, sound */
  SERVER_NO_MARKUP,
  SERVER_NO_ACTIONS,
  SERVER_NONE,
} ServerKind;

typedef struct
{
  HeraldTestEnv *env; /* parent process only */
  GSubprocess *mock;
} Fixture;

/* The child's side: the notifier over a hub that is not started, plus what it raised. */
typedef struct
{
  GSettings *settings;
  GListStore *accounts;
  HeraldHistory *history;
  HeraldHub *hub;
  HeraldNotifier *notifier;
  GDBusConnection *bus;
  guint n_events;
} World;

typedef struct
{
  char *app_name;
  guint32 replaces_id;
  char *app_icon;
  char *summary;
  char *body;
  char **actions;
  GVariant *hints;
  guint32 id; /* the id the mock answered with */
} NotifyCall;

/* --- the parent: a bus, and the server on it --- */

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  ServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;

  /* Each test body runs in a child (see herald_test_run_in_child()); the parent owns bus and
   * server. */
  if (g_test_subprocess ())
    return;
  fixture->env = herald_test_env_new (0);
  if (kind == SERVER_NONE)
    return;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  /* A parent that fails an assertion skips teardown: the server must not outlive it, or it
   * keeps the bus and the test harness's pipes open. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fixture->mock = g_subprocess_launcher_spawn (
    launcher, &error, "/usr/bin/python3", "-m", "dbusmock", "--template", "notification_daemon",
    "-p",
    kind == SERVER_NO_MARKUP    ? "{\"capabilities\": \"body actions\"}"
    : kind == SERVER_NO_ACTIONS ? "{\"capabilities\": \"body body-markup persistence sound\"}"
                                : "{\"capabilities\": \"actions body body-markup icon-static "
                                  "persistence sound\"}",
    NULL);
  g_assert_no_error (error);
  herald_test_env_wait_for_name (MOCK_NAME, WAIT_TIMEOUT_US / 1000);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->mock != NULL)
    {
      g_subprocess_send_signal (fixture->mock, SIGTERM);
      g_subprocess_wait (fixture->mock, NULL, NULL);
      g_clear_object (&fixture->mock);
    }
  if (fixture->env != NULL)
    herald_test_env_free (fixture->env);
}

/* --- the child: waiting --- */

static void
flushed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (herald_notifier_flush_finish (HERALD_NOTIFIER (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *)user_data = TRUE;
}

/* Returns once the worker has handed everything decided so far to the server. */
static void
flush (World *world)
{
  gboolean done = FALSE;
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  herald_notifier_flush_async (world->notifier, NULL, flushed_cb, &done);
  while (!done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (done);
}

/* --- the child: the world --- */

static World *
world_new (void)
{
  World *world = g_new0 (World, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("XDG_DATA_HOME"), "history.db", NULL);
  const struct
  {
    const char *id;
    const char *label;
  } accounts[] = { { "main", "Main" }, { "alt", "Side_Account" } };

  /* GSETTINGS_BACKEND=memory: every child starts from the schema's defaults. */
  world->settings = g_settings_new (HERALD_APP_ID);
  world->accounts = g_list_store_new (HERALD_TYPE_ACCOUNT);
  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_autoptr (HeraldAccount) account
        = herald_account_new (HERALD_PROVIDER_SKINSHARK, accounts[i].id);

      herald_account_set_label (account, accounts[i].label);
      g_list_store_append (world->accounts, account);
    }
  world->history = herald_history_open (path, &error);
  g_assert_no_error (error);
  world->hub = herald_hub_new (G_LIST_MODEL (world->accounts), world->history, NULL, NULL);
  world->notifier = herald_notifier_new (world->hub, world->settings);
  world->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  return world;
}

static void
world_free (World *world)
{
  g_clear_object (&world->notifier);
  g_clear_object (&world->hub);
  g_clear_object (&world->history);
  g_clear_object (&world->accounts);
  g_clear_object (&world->settings);
  g_clear_object (&world->bus);
  g_free (world);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (World, world_free)

/* Announces a new event the way the hub does after storing it. */
static HeraldEvent *
add_event (World *world, const char *account, HeraldCategory category, HeraldSeverity severity,
           const char *title, const char *body)
{
  g_autofree char *id = g_strdup_printf ("event-%u", ++world->n_events);
  HeraldEvent *event = herald_event_new (account, "skinshark", "trade.completed", id);

  herald_event_set_category (event, category);
  herald_event_set_severity (event, severity);
  herald_event_set_title (event, title);
  herald_event_set_body (event, body);
  g_signal_emit_by_name (world->hub, "event-added", event);
  return event;
}

static void
add_trade (World *world, const char *account, const char *title)
{
  herald_event_unref (add_event (world, account, HERALD_CATEGORY_TRADE, HERALD_SEVERITY_INFO, title,
                                 "Trade completed"));
}

static void
set_state (World *world, const char *account, HeraldConnectionState state, const char *reason)
{
  g_signal_emit_by_name (world->hub, "state-changed", account, state, reason);
}

/* --- the child: what the server saw --- */

static void
notify_call_free (NotifyCall *call)
{
  g_free (call->app_name);
  g_free (call->app_icon);
  g_free (call->summary);
  g_free (call->body);
  g_strfreev (call->actions);
  g_variant_unref (call->hints);
  g_free (call);
}

static GVariant *
mock_method_calls (World *world, const char *method)
{
  g_autoptr (GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (
    world->bus, MOCK_NAME, MOCK_PATH, "org.freedesktop.DBus.Mock", "GetMethodCalls",
    g_variant_new ("(s)", method), G_VARIANT_TYPE ("(a(tav))"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
    &error);

  g_assert_no_error (error);
  return reply;
}

static GVariant *
arg_value (GVariant *args, gsize i)
{
  g_autoptr (GVariant) boxed = g_variant_get_child_value (args, i);

  return g_variant_get_variant (boxed);
}

static char *
arg_string (GVariant *args, gsize i)
{
  g_autoptr (GVariant) value = arg_value (args, i);

  return g_variant_dup_string (value, NULL);
}

/* Every Notify call so far, oldest first, each with the id the mock gave back (the
 * template answers replaces_id when it is set, else the next of 1, 2, 3…). */
static GPtrArray *
get_notify_calls (World *world)
{
  g_autoptr (GVariant) reply = mock_method_calls (world, "Notify");
  g_autoptr (GVariant) list = g_variant_get_child_value (reply, 0);
  GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify)notify_call_free);
  guint32 next_id = 1;

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr (GVariant) entry = g_variant_get_child_value (list, i);
      g_autoptr (GVariant) args = g_variant_get_child_value (entry, 1);
      g_autoptr (GVariant) replaces = NULL;
      g_autoptr (GVariant) actions = NULL;
      NotifyCall *call = g_new0 (NotifyCall, 1);

      g_assert_cmpuint (g_variant_n_children (args), ==, 8);
      call->app_name = arg_string (args, 0);
      replaces = arg_value (args, 1);
      call->replaces_id = g_variant_get_uint32 (replaces);
      call->app_icon = arg_string (args, 2);
      call->summary = arg_string (args, 3);
      call->body = arg_string (args, 4);
      actions = arg_value (args, 5);
      call->actions = g_variant_dup_strv (actions, NULL);
      call->hints = arg_value (args, 6);
      call->id = call->replaces_id != 0 ? call->replaces_id : next_id++;
      g_ptr_array_add (calls, call);
    }
  return calls;
}

static guint
count_notify_calls (World *world)
{
  g_autoptr (GPtrArray) calls = get_notify_calls (world);

  return calls->len;
}

/* Waits until the server has seen at least n Notify calls, then returns them all. */
static GPtrArray *
wait_for_notify_calls (World *world, guint n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline)
    {
      GPtrArray *calls = get_notify_calls (world);

      if (calls->len >= n)
        return calls;
      g_ptr_array_unref (calls);
      herald_test_spin (50);
    }
  g_error ("the server did not get %u notifications in time", n);
}

/* The ids of every CloseNotification call so far. */
static GArray *
get_closed_ids (World *world)
{
  g_autoptr (GVariant) reply = mock_method_calls (world, "CloseNotification");
  g_autoptr (GVariant) list = g_variant_get_child_value (reply, 0);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr (GVariant) entry = g_variant_get_child_value (list, i);
      g_autoptr (GVariant) args = g_variant_get_child_value (entry, 1);
      g_autoptr (GVariant) id = arg_value (args, 0);
      /* The spec says u; the template declares i. */
      guint32 value = g_variant_is_of_type (id, G_VARIANT_TYPE_INT32)
                        ? (guint32)g_variant_get_int32 (id)
                        : g_variant_get_uint32 (id);

      g_array_append_val (ids, value);
    }
  return ids;
}

static guint
call_urgency (NotifyCall *call)
{
  guchar urgency = 255;

  g_assert_true (g_variant_lookup (call->hints, "urgency", "y", &urgency));
  return urgency;
}

/* NULL when the call has no category hint. */
static const char *
call_category (NotifyCall *call)
{
  const char *category = NULL;

  if (!g_variant_lookup (call->hints, "category", "&s", &category))
    return NULL;
  return category;
}

#define CALL(calls, i) ((NotifyCall *)g_ptr_array_index ((calls), (i)))

static gboolean
has_action (NotifyCall *call, const char *action)
{
  /* actions alternate id and label */
  for (guint i = 0; call->actions[i] != NULL && call->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (call->actions[i], action))
      return TRUE;
  return FALSE;
}

static NotifyCall *
find_call (GPtrArray *calls, const char *summary)
{
  for (guint i = 0; i < calls->len; i++)
    if (g_str_equal (CALL (calls, i)->summary, summary))
      return CALL (calls, i);
  g_error ("no notification titled \"%s\"", summary);
}

/* --- tests --- */

static void
test_event (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  NotifyCall *call;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  herald_event_unref (add_event (world, "main", HERALD_CATEGORY_DEPOSIT, HERALD_SEVERITY_INFO,
                                 "Deposit of $12.50", "From the mobile app"));
  herald_event_unref (add_event (world, "main", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_WARNING,
                                 "Trade on hold", "AK-47 | Redline"));
  herald_event_unref (add_event (world, "alt", HERALD_CATEGORY_SYSTEM, HERALD_SEVERITY_CRITICAL,
                                 "Withdrawal failed", "Contact support"));
  calls = wait_for_notify_calls (world, 3);
  g_assert_cmpuint (calls->len, ==, 3);

  /* One account's events arrive in the order they happened. */
  call = CALL (calls, 0);
  g_assert_cmpstr (call->summary, ==, "Deposit of $12.50");
  g_assert_cmpstr (call->body, ==, "From the mobile app");
  g_assert_cmpstr (call->app_name, ==, "Herald");
  /* The app's own icon: a feed's icon file is invisible to the server from inside Flatpak. */
  g_assert_cmpstr (call->app_icon, ==, HERALD_APP_ID);
  g_assert_cmpuint (call->replaces_id, ==, 0);
  g_assert_cmpuint (call_urgency (call), ==, 1);
  g_assert_cmpstr (call_category (call), ==, "transfer.complete");
  g_assert_true (has_action (call, "default"));
  g_assert_cmpstr (CALL (calls, 1)->summary, ==, "Trade on hold");
  g_assert_cmpstr (CALL (calls, 1)->body, ==, "AK-47 | Redline");
  g_assert_cmpuint (call_urgency (CALL (calls, 1)), ==, 1);
  g_assert_cmpstr (call_category (CALL (calls, 1)), ==, "transfer");

  call = find_call (calls, "Withdrawal failed");
  g_assert_cmpstr (call->body, ==, "Contact support");
  g_assert_cmpuint (call_urgency (call), ==, 2);
  g_assert_null (call_category (call));
  g_assert_cmpuint (call->replaces_id, ==, 0);

  /* Three events from two accounts are no burst: no summary follows. */
  herald_test_spin (1500);
  flush (world);
  g_assert_cmpuint (count_notify_calls (world), ==, 3);
}

static void
test_markup_escaped (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  /* The feeds clean their text, but the notifier does not count on it. */
  herald_event_unref (add_event (world, "main", HERALD_CATEGORY_TIP, HERALD_SEVERITY_INFO,
                                 "Tip\a from <i>Alice</i>\nnow",
                                 "<b>gg</b> & \"thanks\" <a href='http://x.test'>me</a> \xff"));
  calls = wait_for_notify_calls (world, 1);
  /* The summary is plain text by the spec: sent as written, minus control characters. */
  g_assert_cmpstr (CALL (calls, 0)->summary, ==, "Tip from <i>Alice</i> now");
  /* The server reads body markup: a tipper's tags must show as text, not act. */
  g_assert_cmpstr (
    CALL (calls, 0)->body, ==,
    "&lt;b&gt;gg&lt;/b&gt; &amp; &quot;thanks&quot; &lt;a href=&apos;http://x.test&apos;&gt;"
    "me&lt;/a&gt; \xef\xbf\xbd");
}

static void
test_markup_plain (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  herald_event_unref (add_event (world, "main", HERALD_CATEGORY_TIP, HERALD_SEVERITY_INFO,
                                 "Tip from Alice", "<b>gg</b> & \"thanks\""));
  calls = wait_for_notify_calls (world, 1);
  /* No body-markup: the server shows the body as it is, so escaping would show "&amp;". */
  g_assert_cmpstr (CALL (calls, 0)->body, ==, "<b>gg</b> & \"thanks\"");
}

static void
test_burst (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  NotifyCall *summary;
  guint32 summary_id;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  for (guint i = 1; i <= 20; i++)
    {
      g_autofree char *title = g_strdup_printf ("Trade %u completed", i);

      add_trade (world, "main", title);
    }
  calls = wait_for_notify_calls (world, 1);
  /* Give any stragglers (single notifications, a second summary) time to show up. */
  herald_test_spin (1500);
  flush (world);
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = get_notify_calls (world);
  g_assert_cmpuint (calls->len, <=, 2);
  summary = CALL (calls, calls->len - 1);
  g_assert_cmpstr (summary->summary, ==, "20 new trades on " ISOLATED ("Main"));
  g_assert_cmpstr (summary->body, ==, "Latest: Trade 20 completed");
  g_assert_cmpstr (call_category (summary), ==, "transfer");
  g_assert_cmpuint (call_urgency (summary), ==, 1);
  g_assert_true (has_action (summary, "default"));
  summary_id = summary->id;

  /* More in the same burst update that summary in place instead of stacking a new one;
   * a tip among them makes them "events". Another account is not part of the burst. */
  for (guint i = 21; i <= 24; i++)
    {
      g_autofree char *title = g_strdup_printf ("Trade %u completed", i);

      add_trade (world, "main", title);
    }
  herald_event_unref (
    add_event (world, "main", HERALD_CATEGORY_TIP, HERALD_SEVERITY_CRITICAL, "A big tip", "wow"));
  add_trade (world, "alt", "Trade on the side");
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 3);
  herald_test_spin (1500);
  flush (world);
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = get_notify_calls (world);
  g_assert_cmpuint (calls->len, ==, 3);
  {
    NotifyCall *update = find_call (calls, "25 new events on " ISOLATED ("Main"));
    NotifyCall *single = find_call (calls, "Trade on the side");

    g_assert_cmpuint (update->replaces_id, ==, summary_id);
    g_assert_cmpstr (update->body, ==, "Latest: A big tip");
    /* The burst holds a critical event. */
    g_assert_cmpuint (call_urgency (update), ==, 2);
    g_assert_null (call_category (update));
    g_assert_cmpuint (single->replaces_id, ==, 0);
  }
}

static void
test_burst_threshold (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  g_settings_set_uint (world->settings, "burst-threshold", 3);
  /* Below the threshold within the window: each on its own. */
  add_trade (world, "main", "First");
  add_trade (world, "main", "Second");
  calls = wait_for_notify_calls (world, 2);
  g_assert_cmpstr (CALL (calls, 0)->summary, ==, "First");
  g_assert_cmpstr (CALL (calls, 1)->summary, ==, "Second");
  /* The third within burst-window seconds makes a burst, counting all three. */
  herald_test_spin (600);
  add_trade (world, "main", "Third");
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 3);
  g_assert_cmpstr (CALL (calls, 2)->summary, ==, "3 new trades on " ISOLATED ("Main"));
  g_assert_cmpuint (CALL (calls, 2)->replaces_id, ==, 0);
}

static void
test_paused (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  g_settings_set_boolean (world->settings, "paused", TRUE);
  for (guint i = 0; i < 6; i++)
    add_trade (world, "main", "Paused trade");
  set_state (world, "alt", HERALD_CONNECTION_NEEDS_ATTENTION, "The key was refused");
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 600);
  flush (world);
  g_assert_cmpuint (count_notify_calls (world), ==, 0);

  /* Switched off altogether: the same. */
  g_settings_set_boolean (world->settings, "paused", FALSE);
  g_settings_set_boolean (world->settings, "notifications-enabled", FALSE);
  add_trade (world, "main", "Unwanted trade");
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 600);
  flush (world);
  g_assert_cmpuint (count_notify_calls (world), ==, 0);

  /* Paused while an event was still held: it stays in the history only. */
  g_settings_set_boolean (world->settings, "notifications-enabled", TRUE);
  add_trade (world, "main", "Caught by the pause");
  g_settings_set_boolean (world->settings, "paused", TRUE);
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 600);
  flush (world);
  g_assert_cmpuint (count_notify_calls (world), ==, 0);

  /* And back on: the server is there and listening. */
  g_settings_set_boolean (world->settings, "paused", FALSE);
  add_trade (world, "main", "Welcome back");
  calls = wait_for_notify_calls (world, 1);
  g_assert_cmpuint (calls->len, ==, 1);
  g_assert_cmpstr (CALL (calls, 0)->summary, ==, "Welcome back");
}

static void
test_minimum_severity (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  g_settings_set_string (world->settings, "notify-minimum-severity", "warning");
  herald_event_unref (
    add_event (world, "main", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_INFO, "Info", "i"));
  herald_event_unref (
    add_event (world, "main", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_WARNING, "Warning", "w"));
  herald_event_unref (
    add_event (world, "main", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_CRITICAL, "Critical", "c"));
  calls = wait_for_notify_calls (world, 2);
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 600);
  flush (world);
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = get_notify_calls (world);
  g_assert_cmpuint (calls->len, ==, 2);
  g_assert_cmpstr (CALL (calls, 0)->summary, ==, "Warning");
  g_assert_cmpuint (call_urgency (CALL (calls, 0)), ==, 1);
  g_assert_cmpstr (CALL (calls, 1)->summary, ==, "Critical");
  g_assert_cmpuint (call_urgency (CALL (calls, 1)), ==, 2);

  g_settings_set_string (world->settings, "notify-minimum-severity", "critical");
  herald_event_unref (
    add_event (world, "alt", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_WARNING, "Warning 2", "w"));
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 600);
  flush (world);
  g_assert_cmpuint (count_notify_calls (world), ==, 2);
}

/* The Preferences' per-category switches and "Play a sound" reach the notifications. */
static void
test_categories_and_sound (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  const char *muted[] = { "trade", NULL };
  const char *sound = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  g_settings_set_strv (world->settings, "muted-categories", muted);
  herald_event_unref (
    add_event (world, "main", HERALD_CATEGORY_TRADE, HERALD_SEVERITY_INFO, "Trade", "t"));
  herald_event_unref (
    add_event (world, "alt", HERALD_CATEGORY_TIP, HERALD_SEVERITY_INFO, "Tip", "p"));
  calls = wait_for_notify_calls (world, 1);
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 600);
  flush (world);
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = get_notify_calls (world);
  g_assert_cmpuint (calls->len, ==, 1);
  g_assert_cmpstr (CALL (calls, 0)->summary, ==, "Tip");
  g_assert_true (g_variant_lookup (CALL (calls, 0)->hints, "sound-name", "&s", &sound));
  g_assert_cmpstr (sound, ==, "message-new-instant");

  g_settings_set_boolean (world->settings, "notification-sound", FALSE);
  herald_event_unref (
    add_event (world, "third", HERALD_CATEGORY_TIP, HERALD_SEVERITY_INFO, "Quiet tip", "q"));
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 2);
  g_assert_cmpstr (CALL (calls, 1)->summary, ==, "Quiet tip");
  g_assert_false (g_variant_lookup (CALL (calls, 1)->hints, "sound-name", "&s", &sound));
}

static void
test_needs_attention (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (GArray) closed = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  set_state (world, "main", HERALD_CONNECTION_CONNECTING, "Connecting");
  set_state (world, "main", HERALD_CONNECTION_NEEDS_ATTENTION, "The API key was refused");
  /* Still there, with another reason: no second notification. */
  set_state (world, "main", HERALD_CONNECTION_NEEDS_ATTENTION, "The API key was refused again");
  calls = wait_for_notify_calls (world, 1);
  flush (world);
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = get_notify_calls (world);
  g_assert_cmpuint (calls->len, ==, 1);
  g_assert_cmpstr (CALL (calls, 0)->summary, ==, ISOLATED ("Main") " needs attention");
  g_assert_cmpstr (CALL (calls, 0)->body, ==, "The API key was refused");
  g_assert_cmpuint (call_urgency (CALL (calls, 0)), ==, 2);
  g_assert_cmpstr (call_category (CALL (calls, 0)), ==, "network.error");

  /* A retry that fails again is a new transition: one more. */
  set_state (world, "main", HERALD_CONNECTION_CONNECTING, "Connecting");
  set_state (world, "main", HERALD_CONNECTION_NEEDS_ATTENTION, "The API key expired");
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 2);
  g_assert_cmpuint (calls->len, ==, 2);
  g_assert_cmpstr (CALL (calls, 1)->body, ==, "The API key expired");
  g_assert_cmpuint (CALL (calls, 1)->replaces_id, ==, 0);

  /* Connected again: the warning on screen is withdrawn. */
  set_state (world, "main", HERALD_CONNECTION_CONNECTING, "Connecting");
  set_state (world, "main", HERALD_CONNECTION_CONNECTED, NULL);
  flush (world);
  closed = get_closed_ids (world);
  g_assert_cmpuint (closed->len, ==, 1);
  g_assert_cmpuint (g_array_index (closed, guint32, 0), ==, CALL (calls, 1)->id);
  g_assert_cmpuint (count_notify_calls (world), ==, 2);
}

static void
test_hidden_message (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  g_settings_set_boolean (world->settings, "notification-show-message", FALSE);
  herald_event_unref (add_event (world, "main", HERALD_CATEGORY_TIP, HERALD_SEVERITY_INFO,
                                 "$5.00 tip", "my private message"));
  calls = wait_for_notify_calls (world, 1);
  /* Only the account's name: nothing that someone else wrote. */
  g_assert_cmpstr (CALL (calls, 0)->summary, ==, "$5.00 tip");
  g_assert_cmpstr (CALL (calls, 0)->body, ==, "Main");

  /* A burst's summary leaves out the newest event as well. */
  for (guint i = 0; i < 5; i++)
    herald_event_unref (add_event (world, "alt", HERALD_CATEGORY_TIP, HERALD_SEVERITY_INFO,
                                   "secret title", "secret message"));
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 2);
  g_assert_cmpstr (CALL (calls, 1)->summary, ==, "5 new tips on " ISOLATED ("Side_Account"));
  g_assert_cmpstr (CALL (calls, 1)->body, ==, "");
}

static void
activated_cb (HeraldNotifier *notifier, const char *account_id, HeraldEvent *event,
              gpointer user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (
    seen, g_strdup_printf ("%s/%s", account_id, event ? herald_event_get_id (event) : "(summary)"));
}

static void
invoke_action (World *world, guint32 id, const char *action)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  GVariantBuilder args;

  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", g_variant_new_uint32 (id));
  g_variant_builder_add (&args, "v", g_variant_new_string (action));
  reply = g_dbus_connection_call_sync (
    world->bus, MOCK_NAME, MOCK_PATH, "org.freedesktop.DBus.Mock", "EmitSignal",
    g_variant_new ("(sssav)", MOCK_NAME, "ActionInvoked", "us", &args), NULL,
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
test_activated (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  g_signal_connect (world->notifier, "activated", G_CALLBACK (activated_cb), seen);
  add_trade (world, "main", "Click me");
  for (guint i = 0; i < 4; i++)
    add_trade (world, "alt", "Part of a burst");
  calls = wait_for_notify_calls (world, 2);

  /* The user clicks the single notification, then the summary. */
  invoke_action (world, find_call (calls, "Click me")->id, "default");
  deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;
  while (seen->len < 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "main/event-1");

  invoke_action (world, find_call (calls, "4 new trades on " ISOLATED ("Side_Account"))->id,
                 "default");
  while (seen->len < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "alt/(summary)");
}

/* A status of trade trade_id, stored in the history first as the hub does, then announced. */
static HeraldEvent *
add_trade_status (World *world, const char *account, const char *trade_id, const char *status,
                  gint64 occurred_s)
{
  g_autofree char *id = g_strdup_printf ("trade:%s:%s", trade_id, status);
  g_autofree char *object = g_strconcat ("trade:", trade_id, NULL);
  g_autofree char *title = g_strdup_printf ("%s %s on %s", trade_id, status, account);
  HeraldEvent *event = herald_event_new (account, "skinshark", "trade.x", id);

  herald_event_set_category (event, HERALD_CATEGORY_TRADE);
  herald_event_set_title (event, title);
  herald_event_set_object_id (event, object);
  herald_event_set_occurred (event, occurred_s * G_USEC_PER_SEC);
  herald_history_add (world->history, event, NULL, NULL);
  herald_history_flush (world->history);
  g_signal_emit_by_name (world->hub, "event-added", event);
  return event;
}

static void
emit_mock_signal (World *world, const char *name, const char *signature, GVariant *arg0,
                  GVariant *arg1)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  GVariantBuilder args;

  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", arg0);
  g_variant_builder_add (&args, "v", arg1);
  reply = g_dbus_connection_call_sync (world->bus, MOCK_NAME, MOCK_PATH,
                                       "org.freedesktop.DBus.Mock", "EmitSignal",
                                       g_variant_new ("(sssav)", MOCK_NAME, name, signature, &args),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* The user dismissed notification id (reason 2), as the server reports it. */
static void
emit_closed (World *world, guint32 id)
{
  emit_mock_signal (world, "NotificationClosed", "uu", g_variant_new_uint32 (id),
                    g_variant_new_uint32 (2));
  /* The signal reaches the worker on its own context; let it be handled. */
  herald_test_spin (300);
  flush (world);
}

/* Waits until CloseNotification was called for id. */
static void
wait_for_closed (World *world, guint32 id)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr (GArray) closed = get_closed_ids (world);

      for (guint i = 0; i < closed->len; i++)
        if (g_array_index (closed, guint32, i) == id)
          return;
      herald_test_spin (50);
    }
  g_error ("notification %u was not withdrawn", id);
}

static gboolean
is_read (World *world, const char *account, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HeraldEvent) stored = herald_history_lookup (world->history, account, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return herald_event_get_read (stored);
}

static void
open_link_cb (HeraldNotifier *notifier, HeraldEvent *event, const char *uri, gpointer user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup_printf ("%s %s", herald_event_get_id (event), uri));
}

static void
wait_for_len (GPtrArray *array, guint n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  while (array->len < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (array->len, ==, n);
}

/* Every event offers "Mark as read", and "Open" where it has a link; a summary only the click. */
static void
test_actions (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HeraldEvent) linked = NULL;
  NotifyCall *call;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  g_signal_connect (world->notifier, "open-link", G_CALLBACK (open_link_cb), seen);
  linked = herald_event_new ("main", "pally", "campaigntip.notify", "tip-1");
  herald_event_set_category (linked, HERALD_CATEGORY_TIP);
  herald_event_set_title (linked, "Tip with a page");
  herald_event_set_link (linked, "https://pally.gg/p/team");
  g_signal_emit_by_name (world->hub, "event-added", linked);
  add_trade (world, "alt", "Trade without a link");
  calls = wait_for_notify_calls (world, 2);

  call = find_call (calls, "Tip with a page");
  g_assert_true (has_action (call, "default"));
  g_assert_true (has_action (call, "open"));
  g_assert_true (has_action (call, "mark-read"));
  call = find_call (calls, "Trade without a link");
  g_assert_true (has_action (call, "default"));
  g_assert_false (has_action (call, "open"));
  g_assert_true (has_action (call, "mark-read"));

  /* "Open" hands the link to the application, which opens it with the window's context. */
  invoke_action (world, find_call (calls, "Tip with a page")->id, "open");
  wait_for_len (seen, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "tip-1 https://pally.gg/p/team");

  /* A summary stands for many events: nothing to open or mark but the window. */
  for (guint i = 0; i < 4; i++)
    add_trade (world, "third", "Part of a burst");
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 3);
  call = find_call (calls, "4 new trades on " ISOLATED ("third"));
  g_assert_true (has_action (call, "default"));
  g_assert_false (has_action (call, "mark-read"));
  g_assert_false (has_action (call, "open"));
}

/* A server without actions gets none: it could not offer them, some would show them as text. */
static void
test_no_actions (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  herald_event_unref (add_trade_status (world, "main", "t-1", "pending", 1000));
  calls = wait_for_notify_calls (world, 1);
  g_assert_cmpuint (g_strv_length (CALL (calls, 0)->actions), ==, 0);
  g_assert_cmpstr (CALL (calls, 0)->body, ==, "Main");
}

/* "Mark as read" marks the event read in the history and withdraws its notification. */
static void
test_mark_read (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (HeraldEvent) first = NULL;
  g_autoptr (HeraldEvent) other = NULL;
  gint64 deadline;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  first = add_trade_status (world, "main", "t-1", "pending", 1000);
  other = add_trade_status (world, "main", "t-2", "pending", 1001);
  calls = wait_for_notify_calls (world, 2);
  g_assert_false (is_read (world, "main", "trade:t-1:pending"));

  invoke_action (world, find_call (calls, "t-1 pending on main")->id, "mark-read");
  deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;
  while (!is_read (world, "main", "trade:t-1:pending") && g_get_monotonic_time () < deadline)
    {
      herald_test_spin (50);
      herald_history_flush (world->history);
    }
  g_assert_true (is_read (world, "main", "trade:t-1:pending"));
  wait_for_closed (world, find_call (calls, "t-1 pending on main")->id);
  /* Only that one. */
  g_assert_false (is_read (world, "main", "trade:t-2:pending"));
  herald_test_spin (300);
  flush (world);
  {
    g_autoptr (GArray) closed = get_closed_ids (world);

    g_assert_cmpuint (closed->len, ==, 1);
  }
}

/* Read elsewhere (the window, the tray): the history says so, and the notification goes. */
static void
test_read_elsewhere (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (HeraldEvent) first = NULL;
  g_autoptr (HeraldEvent) second = NULL;
  g_autoptr (HeraldEvent) third = NULL;
  g_autoptr (GArray) closed = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  first = add_trade_status (world, "main", "t-1", "pending", 1000);
  second = add_trade_status (world, "main", "t-2", "pending", 1001);
  third = add_trade_status (world, "alt", "t-3", "pending", 1002);
  calls = wait_for_notify_calls (world, 3);

  herald_history_mark_read (world->history, "main", "trade:t-2:pending", TRUE);
  wait_for_closed (world, find_call (calls, "t-2 pending on main")->id);
  /* Every event of an account. */
  herald_history_mark_read (world->history, "alt", NULL, TRUE);
  wait_for_closed (world, find_call (calls, "t-3 pending on alt")->id);
  herald_test_spin (300);
  flush (world);
  closed = get_closed_ids (world);
  g_assert_cmpuint (closed->len, ==, 2);
}

/* pending → active → completed is one notification, updated in place. */
static void
test_replaces (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  const char *statuses[] = { "pending", "active", "completed" };
  gint64 deadline;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  /* Five statuses of one account within the window: no burst here. */
  g_settings_set_uint (world->settings, "burst-threshold", 10);
  g_signal_connect (world->notifier, "activated", G_CALLBACK (activated_cb), seen);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      herald_event_unref (add_trade_status (world, "main", "t-1", statuses[i], 1000 + i));
      g_clear_pointer (&calls, g_ptr_array_unref);
      calls = wait_for_notify_calls (world, i + 1);
      /* Apart, as a trade's statuses come: not one burst. */
      herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 100);
    }
  /* The same trade on another account is another object. */
  herald_event_unref (add_trade_status (world, "alt", "t-1", "pending", 2000));
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 4);
  g_assert_cmpuint (calls->len, ==, 4);
  g_assert_cmpuint (CALL (calls, 0)->replaces_id, ==, 0);
  g_assert_cmpuint (CALL (calls, 1)->replaces_id, ==, CALL (calls, 0)->id);
  g_assert_cmpstr (CALL (calls, 1)->summary, ==, "t-1 active on main");
  g_assert_cmpuint (CALL (calls, 2)->replaces_id, ==, CALL (calls, 0)->id);
  g_assert_cmpstr (CALL (calls, 2)->summary, ==, "t-1 completed on main");
  g_assert_cmpuint (CALL (calls, 3)->replaces_id, ==, 0);

  /* A status older than the one shown (feeds may deliver out of order) changes nothing. */
  herald_event_unref (add_trade_status (world, "main", "t-1", "initiated", 999));
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 300);
  flush (world);
  g_assert_cmpuint (count_notify_calls (world), ==, 4);

  /* A click on it shows the newest status. */
  invoke_action (world, CALL (calls, 0)->id, "default");
  deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;
  while (seen->len < 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "main/trade:t-1:completed");
}

/* Once the server closed it, the next status is a notification of its own. */
static void
test_closed_then_fresh (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  herald_event_unref (add_trade_status (world, "main", "t-1", "pending", 1000));
  calls = wait_for_notify_calls (world, 1);
  emit_closed (world, CALL (calls, 0)->id);
  herald_event_unref (add_trade_status (world, "main", "t-1", "active", 1001));
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 2);
  g_assert_cmpuint (CALL (calls, 1)->replaces_id, ==, 0);
  g_assert_cmpuint (CALL (calls, 1)->id, !=, CALL (calls, 0)->id);
  /* And that one is followed in place again. */
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 100);
  herald_event_unref (add_trade_status (world, "main", "t-1", "completed", 1002));
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = wait_for_notify_calls (world, 3);
  g_assert_cmpuint (CALL (calls, 2)->replaces_id, ==, CALL (calls, 1)->id);
}

static void
token_cb (HeraldNotifier *notifier, const char *account_id, HeraldEvent *event, gpointer user_data)
{
  GPtrArray *seen = user_data;
  const char *token = herald_notifier_get_activation_token (notifier);

  g_ptr_array_add (seen, g_strdup (token ? token : "(none)"));
}

/* The server's activation token for the click reaches the application, which needs it for its
 * window to take the focus on Wayland. */
static void
test_activation_token (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  guint32 id;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  g_signal_connect (world->notifier, "activated", G_CALLBACK (token_cb), seen);
  herald_event_unref (add_trade_status (world, "main", "t-1", "pending", 1000));
  calls = wait_for_notify_calls (world, 1);
  id = CALL (calls, 0)->id;
  /* Spec 1.2: ActivationToken comes just before ActionInvoked. */
  emit_mock_signal (world, "ActivationToken", "us", g_variant_new_uint32 (id),
                    g_variant_new_string ("token-for-the-click"));
  invoke_action (world, id, "default");
  wait_for_len (seen, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "token-for-the-click");
  /* Only during the click's signal. */
  g_assert_null (herald_notifier_get_activation_token (world->notifier));
}

static void
test_no_server (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  gint64 start;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  /* One warning for the outage, not one per event. */
  g_test_expect_message ("herald-notify", G_LOG_LEVEL_WARNING, "Notifications cannot be shown*");
  start = g_get_monotonic_time ();
  add_trade (world, "main", "Nobody listens");
  add_trade (world, "main", "Still nobody");
  add_trade (world, "alt", "Nobody here either");
  set_state (world, "alt", HERALD_CONNECTION_NEEDS_ATTENTION, "The key was refused");
  herald_test_spin (HERALD_NOTIFIER_HOLD_MS + 200);
  flush (world);
  g_test_assert_expected_messages ();
  /* Failing fast: the main loop never waited, and the worker did not hang either. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* A server that takes its time must hold up neither the main loop nor Herald's exit. */
static void
test_slow_server (Fixture *fixture, gconstpointer data)
{
  g_autoptr (World) world = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start;

  if (herald_test_run_in_child (CHILD_TIMEOUT_S))
    return;
  world = world_new ();
  reply = g_dbus_connection_call_sync (
    world->bus, MOCK_NAME, MOCK_PATH, "org.freedesktop.DBus.Mock", "AddMethod",
    g_variant_new ("(sssss)", "", "Notify", "susssasa{sv}i", "u", "time.sleep(1.5)\nret = 7"), NULL,
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  add_trade (world, "main", "Slow one");
  add_trade (world, "alt", "Slow two");
  /* The hold ends and both are handed over while the main loop keeps its pace. */
  for (guint i = 0; i < 10; i++)
    {
      start = g_get_monotonic_time ();
      herald_test_spin (100);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 400 * 1000);
    }
  /* Quitting with a call still under way waits briefly, not for the server. */
  start = g_get_monotonic_time ();
  g_clear_object (&world->notifier);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1500 * 1000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The parent's only assertion is a child's verdict. A failed one must still reach
   * teardown: GTestDBus's watcher does not notice the death of a parent that ran several
   * buses, so the bus would stay up and keep the test runner waiting for its pipes. */
  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();
  g_test_add ("/notifier/event", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup, test_event,
              teardown);
  g_test_add ("/notifier/markup-escaped", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_markup_escaped, teardown);
  g_test_add ("/notifier/markup-plain", Fixture, GINT_TO_POINTER (SERVER_NO_MARKUP), setup,
              test_markup_plain, teardown);
  g_test_add ("/notifier/burst", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup, test_burst,
              teardown);
  g_test_add ("/notifier/burst-threshold", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_burst_threshold, teardown);
  g_test_add ("/notifier/paused", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup, test_paused,
              teardown);
  g_test_add ("/notifier/minimum-severity", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_minimum_severity, teardown);
  g_test_add ("/notifier/categories-and-sound", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_categories_and_sound, teardown);
  g_test_add ("/notifier/needs-attention", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_needs_attention, teardown);
  g_test_add ("/notifier/hidden-message", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_hidden_message, teardown);
  g_test_add ("/notifier/activated", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_activated, teardown);
  g_test_add ("/notifier/actions", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup, test_actions,
              teardown);
  g_test_add ("/notifier/no-actions", Fixture, GINT_TO_POINTER (SERVER_NO_ACTIONS), setup,
              test_no_actions, teardown);
  g_test_add ("/notifier/mark-read", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_mark_read, teardown);
  g_test_add ("/notifier/read-elsewhere", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_read_elsewhere, teardown);
  g_test_add ("/notifier/replaces", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup, test_replaces,
              teardown);
  g_test_add ("/notifier/closed-then-fresh", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_closed_then_fresh, teardown);
  g_test_add ("/notifier/activation-token", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_activation_token, teardown);
  g_test_add ("/notifier/slow-server", Fixture, GINT_TO_POINTER (SERVER_DEFAULT), setup,
              test_slow_server, teardown);
  g_test_add ("/notifier/no-server", Fixture, GINT_TO_POINTER (SERVER_NONE), setup, test_no_server,
              teardown);
  return g_test_run ();
}
