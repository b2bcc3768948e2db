/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-feed-dimes.c — libFuzzer target: one frame into the Dimes feed's receive(), on a partner
 * feed that has done the Engine.IO handshake and joined its namespace, as when events flow. */
#include "config.h"

#include <string.h>

#include "fuzz-feed.h"
#include "herald-dimes-feed.h"
#include "herald-providers.h"

#define OPEN_FRAME                                                                                 \
  "0{\"sid\":\"eio1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"               \
  "\"maxPayload\":1000000}"
#define JOINED_FRAME "40" HERALD_DIMES_PARTNER_NAMESPACE ",{\"sid\":\"sio1\"}"

static void
receive_text (HeraldFeed *feed, const char *text)
{
  fuzz_feed_receive (feed, (const guint8 *)text, strlen (text));
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (HeraldAccount) account = herald_account_new (HERALD_PROVIDER_DIMES, "dimes-fuzz");
  g_autoptr (HeraldFeed) feed = herald_feed_new_for_account (account);
  g_autoptr (SoupMessage) request = NULL;
  g_auto (GStrv) protocols = NULL;

  herald_feed_set_credential (feed, "api-key", "dm_sbx_skey_fuzz");
  request = HERALD_FEED_GET_CLASS (feed)->build_request (feed, &protocols, NULL);
  FUZZ_CHECK (request != NULL);
  FUZZ_CHECK (HERALD_FEED_GET_CLASS (feed)->opened (feed, NULL, NULL));
  receive_text (feed, OPEN_FRAME);
  receive_text (feed, JOINED_FRAME);
  FUZZ_CHECK (herald_socketio_feed_get_joined (HERALD_SOCKETIO_FEED (feed)));

  fuzz_feed_receive (feed, data, size);
  return 0;
}
