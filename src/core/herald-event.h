/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-event.h — one thing that happened on a feed, as Herald stores and shows it.
 * A refcounted boxed type: cheap to pass from the feed through the hub to the history. */
#pragma once

#include <glib-object.h>

#include "herald-enums.h"

G_BEGIN_DECLS

typedef enum
{
  HERALD_CATEGORY_DEPOSIT,
  HERALD_CATEGORY_TRADE,
  HERALD_CATEGORY_LOBBY,
  HERALD_CATEGORY_CONTRACT,
  HERALD_CATEGORY_STORAGE,
  HERALD_CATEGORY_ORDER,
  HERALD_CATEGORY_POSITION,
  HERALD_CATEGORY_TIP,
  HERALD_CATEGORY_SYSTEM,
} HeraldCategory;

typedef enum
{
  HERALD_SEVERITY_INFO,
  HERALD_SEVERITY_WARNING,
  HERALD_SEVERITY_CRITICAL,
} HeraldSeverity;

#define HERALD_TYPE_EVENT (herald_event_get_type ())

typedef struct _HeraldEvent HeraldEvent;

GType herald_event_get_type (void) G_GNUC_CONST;

HeraldEvent *herald_event_new (const char *account_id, const char *provider, const char *type,
                               const char *dedupe_id);
/* The same with its raw text (see herald_event_get_raw()) from the start; raw_length -1: up to
 * its nul. */
HeraldEvent *herald_event_new_with_raw (const char *account_id, const char *provider,
                                        const char *type, const char *dedupe_id, const char *raw,
                                        gssize raw_length);
HeraldEvent *herald_event_ref (HeraldEvent *event);
void herald_event_unref (HeraldEvent *event);

const char *herald_event_get_id (const HeraldEvent *event);
const char *herald_event_get_account (const HeraldEvent *event);
const char *herald_event_get_provider (const HeraldEvent *event);
const char *herald_event_get_event_type (const HeraldEvent *event);

HeraldCategory herald_event_get_category (const HeraldEvent *event);
void herald_event_set_category (HeraldEvent *event, HeraldCategory category);
HeraldSeverity herald_event_get_severity (const HeraldEvent *event);
void herald_event_set_severity (HeraldEvent *event, HeraldSeverity severity);

const char *herald_event_get_title (const HeraldEvent *event);
void herald_event_set_title (HeraldEvent *event, const char *title);
void herald_event_take_title (HeraldEvent *event, char *title);
const char *herald_event_get_body (const HeraldEvent *event);
void herald_event_set_body (HeraldEvent *event, const char *body);
void herald_event_take_body (HeraldEvent *event, char *body);
const char *herald_event_get_link (const HeraldEvent *event);
/* Only an http(s) address with a host is kept; anything else leaves the event without a link. */
void herald_event_set_link (HeraldEvent *event, const char *link);
void herald_event_take_link (HeraldEvent *event, char *link);
/* The provider's own thing this event is a status of, named by the feed and unique within the
 * account: "trade:<id>", "deposit:<id>", "payorder:<id>", "position:<id>", "contract:<id>".
 * Later events about the same object share it, so a notification can be updated instead of
 * stacked. NULL (the default) when the event stands alone (a tip, a notice). Not stored in the
 * history: it matters only while the event is new. "" is taken as NULL. */
const char *herald_event_get_object_id (const HeraldEvent *event);
void herald_event_set_object_id (HeraldEvent *event, const char *object_id);
void herald_event_take_object_id (HeraldEvent *event, char *object_id);

/* Microseconds since the Unix epoch, UTC. "occurred" is the provider's own time when it
 * sends one, else the time Herald received the message. */
gint64 herald_event_get_occurred (const HeraldEvent *event);
void herald_event_set_occurred (HeraldEvent *event, gint64 occurred_us);
gint64 herald_event_get_received (const HeraldEvent *event);
void herald_event_set_received (HeraldEvent *event, gint64 received_us);

/* The message as it came off the wire. The history keeps it with every event: the details view
 * shows it, and for an event of a type Herald does not know it is the one record of what the
 * provider said. */
const char *herald_event_get_raw (const HeraldEvent *event);
/* In bytes, without the nul: so a writer need not measure it again. */
gsize herald_event_get_raw_length (const HeraldEvent *event);
void herald_event_set_raw (HeraldEvent *event, const char *raw, gssize len);

/* A message of a type Herald does not know, kept with a generic title. */
gboolean herald_event_is_unknown_type (const HeraldEvent *event);
void herald_event_set_unknown_type (HeraldEvent *event, gboolean unknown_type);

gboolean herald_event_get_read (const HeraldEvent *event);
void herald_event_set_read (HeraldEvent *event, gboolean read);

const char *herald_category_to_string (HeraldCategory category);
gboolean herald_category_from_string (const char *nick, HeraldCategory *out_category);
const char *herald_severity_to_string (HeraldSeverity severity);
gboolean herald_severity_from_string (const char *nick, HeraldSeverity *out_severity);

/* "2024-03-13T18:02:33.743Z" → µs since epoch; FALSE when it is not ISO 8601. */
gboolean herald_parse_iso8601 (const char *text, gint64 *out_us);
/* µs since epoch → "2024-03-13T18:02:33Z" (UTC, second precision when the fraction is zero). */
char *herald_format_iso8601 (gint64 us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeraldEvent, herald_event_unref)

G_END_DECLS
