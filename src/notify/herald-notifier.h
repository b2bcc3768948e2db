/* herald-notifier.h — turns the hub's new events and accounts that need attention into
 * desktop notifications, following the user's notification settings. */
#pragma once

#include <gio/gio.h>

#include "herald-event.h"
#include "herald-hub.h"

G_BEGIN_DECLS

#define HERALD_TYPE_NOTIFIER (herald_notifier_get_type ())
G_DECLARE_FINAL_TYPE (HeraldNotifier, herald_notifier, HERALD, NOTIFIER, GObject)

/* Follows the hub's "event-added" and "state-changed" signals and the keys of settings
 * (schema io.github.heraldapp.Herald). Notifications are sent from a worker thread of the
 * notifier's own, in the order they were decided; the thread-default main context at
 * construction is where "activated" is emitted.
 *
 * What is shown:
 * - one notification per new event of at least notify-minimum-severity, while
 *   notifications-enabled is on and paused is off;
 * - from burst-threshold events of one account within burst-window seconds on, one summary
 *   notification per account ("12 new trades on Main"), updated in place at most once a
 *   second until the account has been quiet for burst-window seconds. Events that arrive
 *   within HERALD_NOTIFIER_HOLD_MS of each other are counted together, so a backlog
 *   delivered at once shows as one summary, not as single notifications first. This is also
 *   the rate limit: outside a burst an account raises at most burst-threshold − 1
 *   notifications per burst-window;
 * - one notification each time an account goes into needs-attention, withdrawn when the
 *   account connects again.
 *
 * Signal "activated" (const char *account_id, HeraldEvent *event): the user clicked a
 * notification; event is NULL for a burst summary and for an account that needs attention.
 * The application presents its window. */
HeraldNotifier *herald_notifier_new (HeraldHub *hub, GSettings *settings);

#define HERALD_NOTIFIER_HOLD_MS 400

/* Completes once every notification decided before the call has been handed to the
 * notification server (or has failed to be). Summaries still waiting for their timer are
 * not included. */
void herald_notifier_flush_async (HeraldNotifier *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean herald_notifier_flush_finish (HeraldNotifier *self, GAsyncResult *result, GError **error);

G_END_DECLS
