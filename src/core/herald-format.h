/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-format.h — turning providers' raw values into text a person reads: untrusted strings
 * made safe to show, and sentences filled with them (money is herald-money.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Untrusted text (names, messages, item names): valid UTF-8, no control characters,
 * line breaks and tabs folded to spaces, trimmed. Longer than max_chars characters, it is cut to
 * at most that many (without a space at the cut) followed by "…"; 0: no limit. Never NULL. */
char *herald_format_clean_text (const char *text, guint max_chars);
/* The same, consuming text: returns it as it is when it needed no cleaning, which most names
 * and messages do not. */
char *herald_format_take_clean_text (char *text, guint max_chars);

/* A translated sentence with its placeholders filled: "%s tipped %s", or "%2$s … %1$s" as a
 * translator reorders them, and "%%" for a percent sign. The arguments are strings, ended by
 * NULL (at most nine). Feeds build a title for every event of a burst; printf costs more. */
char *herald_format_fill (const char *template, ...) G_GNUC_NULL_TERMINATED;

/* Wraps untrusted text in Unicode directional isolates (FSI … PDI), so a right-to-left name
 * at the start of a sentence does not turn the sentence around. */
char *herald_format_isolate (const char *text);

/* For menu labels, where "_" marks a mnemonic (GTK and dbusmenu alike): every "_" doubled. */
char *herald_format_escape_mnemonic (const char *text);

G_END_DECLS
