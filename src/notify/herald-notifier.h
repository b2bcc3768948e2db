/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-notifier.h — turns the hub's new events and accounts that need attention into
 * desktop notifications, following the user's notification settings. */
#pragma once

#include <gio/gio.h>

#include "herald-event.h"
#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_NOTIFIER (herald_notifier_get_type ())
G_DECLARE_FINAL_TYPE (HeraldNotifier, herald_notifier, HERALD, NOTIFIER, GObject)

/* Follows the hub's "event-added" and "state-changed" signals, the "read-changed" signal of the
 * hub's history and the keys of settings (schema io.github.heraldapp.Herald). Notifications are
 * sent from a worker thread of the notifier's own, in the order they were decided; the
 * thread-default main context at construction is where "activated" and "open-link" are emitted.
 *
 * What is shown:
 * - one notification per new event of at least notify-minimum-severity and of a category not
 *   in muted-categories, while notifications-enabled is on and paused is off;
 * - from burst-threshold events of one account within burst-window seconds on, one summary
 *   notification per account ("12 new trades on Main"), updated in place at most once a
 *   second until the account has been quiet for burst-window seconds. Events that arrive
 *   within HERALD_NOTIFIER_HOLD_MS of each other are counted together, so a backlog
 *   delivered at once shows as one summary, not as single notifications first. This is also
 *   the rate limit: outside a burst an account raises at most burst-threshold − 1
 *   notifications per burst-window;
 * - an event that names a provider's object (herald_event_get_object_id()) replaces the
 *   notification of that object's earlier status through replaces-id instead of stacking; once
 *   the server reports the notification closed, a later status opens a new one. A status older
 *   (by occurred time) than the one shown is not shown;
 * - one notification each time an account goes into needs-attention, withdrawn when the
 *   account connects again.
 *
 * The server's capabilities decide the rest: actions only where it has "actions", an escaped
 * body where it reads "body-markup", sound hints only where it plays "sound". Settings are read
 * once and followed through "changed" (see herald-notify-settings.h).
 *
 * An event's notification has the default action (a click on it), "Open" where the event has a
 * link and "Mark as read". Mark as read marks the event read in the hub's history (and the
 * earlier statuses the notification replaced) and withdraws the notification. Read state is the
 * history's: on its "read-changed" the notifications of events now read are withdrawn, with
 * every event of an account read its burst summary too, whoever marked them.
 *
 * Signal "activated" (const char *account_id, HeraldEvent *event): the user clicked a
 * notification; event is NULL for a burst summary and for an account that needs attention.
 * The application shows that event in its window, else presents the window.
 *
 * Signal "open-link" (HeraldEvent *event, const char *uri): the user chose "Open"; the
 * application opens uri. A signal, not a launch from here, so the launch carries the window
 * and the startup notification GTK gives it (gtk_show_uri_on_window()), and the notifier
 * stays free of GTK. */
HeraldNotifier *herald_notifier_new (HeraldHub *hub, GSettings *settings);

/* During "activated" and "open-link": the XDG activation token the server gave for the click
 * (notification spec 1.2), which lets the application's window take the focus on Wayland;
 * NULL when the server gave none. */
const char *herald_notifier_get_activation_token (HeraldNotifier *self);

#define HERALD_NOTIFIER_HOLD_MS 400

/* Completes once every notification decided before the call has been handed to the
 * notification server (or has failed to be). Summaries still waiting for their timer are
 * not included. */
void herald_notifier_flush_async (HeraldNotifier *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean herald_notifier_flush_finish (HeraldNotifier *self, GAsyncResult *result, GError **error);

G_END_DECLS
