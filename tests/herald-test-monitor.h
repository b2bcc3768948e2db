/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-test-monitor.h — a GNetworkMonitor whose answer the test sets, so network loss and
 * return can be played against a connection without touching the machine's network. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HERALD_TYPE_TEST_MONITOR (herald_test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (HeraldTestMonitor, herald_test_monitor, HERALD, TEST_MONITOR, GObject)

HeraldTestMonitor *herald_test_monitor_new (gboolean available);
/* Changes the answer and emits GNetworkMonitor::network-changed. */
void herald_test_monitor_set_available (HeraldTestMonitor *self, gboolean available);

G_END_DECLS
