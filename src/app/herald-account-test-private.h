/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-test-private.h — for tests only: a shorter bound on the Test button, so a
 * test of a server that never completes its handshake need not wait the full time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Replaces HERALD_ACCOUNT_TEST_TIMEOUT_S for the tests started after it, process-wide. */
void herald_account_test_set_timeout_s (guint seconds);

G_END_DECLS
