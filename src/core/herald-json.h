/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-json.h — a strict, allocation-light JSON reader for the feed hot path.
 * One pass over the message into a flat token array that is reused between parses.
 *
 * Why Herald keeps its own reader rather than json-glib's JsonParser for incoming frames:
 * every frame of every feed is parsed on the main loop, and json-glib builds a tree of
 * GObjects, hash tables and string copies for each one. Measured with tests/bench-json.c
 * (`_build/tests/bench-json 200000`: CPU time per message, a 429-byte Pally tip parsed and
 * five fields read; Debian 12, json-glib 1.6.6), two single runs on a busy 2-core machine:
 * json-glib 9.9 µs against 0.69 µs here (14.5×), then 11.3 µs against 0.62 µs (18.2×), so
 * json-glib is about 15× slower per message. json-glib stays for building and generating JSON,
 * where speed does not matter. The price is this file, which tests/test-json.c checks against
 * json-glib. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HERALD_JSON_ERROR (herald_json_error_quark ())

typedef enum
{
  HERALD_JSON_ERROR_SYNTAX,
  HERALD_JSON_ERROR_TOO_DEEP,
  HERALD_JSON_ERROR_TOO_LARGE,
  HERALD_JSON_ERROR_INVALID_UTF8,
} HeraldJsonError;

typedef enum
{
  HERALD_JSON_NONE, /* missing member / element, or a NONE node */
  HERALD_JSON_NULL,
  HERALD_JSON_FALSE,
  HERALD_JSON_TRUE,
  HERALD_JSON_NUMBER,
  HERALD_JSON_STRING,
  HERALD_JSON_ARRAY,
  HERALD_JSON_OBJECT,
} HeraldJsonType;

/* Nesting limit: 64 containers deep parse, the 65th is HERALD_JSON_ERROR_TOO_DEEP. */
#define HERALD_JSON_MAX_DEPTH 64
/* A document of more than this many values (object keys count too) is TOO_LARGE. */
#define HERALD_JSON_MAX_TOKENS 1000000

typedef struct _HeraldJsonDoc HeraldJsonDoc;

/* A value inside a parsed document, passed by value. index < 0 is the NONE node; every
 * accessor accepts NONE and returns its "absent" result, so lookups can be chained without
 * checks in between. A node also carries the generation of the parse that made it: a node
 * left over from an earlier parse on the same document reads as absent too, whatever the new
 * document holds at its index (as long as the document itself has not been freed). */
typedef struct
{
  const HeraldJsonDoc *doc;
  gint index;
  guint32 generation;
} HeraldJsonNode;

#define HERALD_JSON_NODE_NONE ((HeraldJsonNode){ NULL, -1, 0 })

GQuark herald_json_error_quark (void);

HeraldJsonDoc *herald_json_doc_new (void);
void herald_json_doc_free (HeraldJsonDoc *doc);

/* Parses data[0..len) (need not be NUL-terminated) as exactly one RFC 8259 value with optional
 * whitespace around it. The document references @data without copying: nodes stay valid until
 * the next parse on @doc (after which they read as absent) or until @data is freed. Token
 * storage is reused between parses.
 * Rejected: trailing commas, comments, NaN/Infinity, numbers outside the grammar ("01", "+1",
 * ".5", "1."), unknown escapes, raw control characters below 0x20 in strings, input that is not
 * valid UTF-8 (INVALID_UTF8), nesting deeper than HERALD_JSON_MAX_DEPTH (TOO_DEEP), more than
 * HERALD_JSON_MAX_TOKENS values or more than 4 GiB of input (TOO_LARGE). The error reports the
 * first problem found reading left to right. After a failed parse the root is NONE. */
gboolean herald_json_doc_parse (HeraldJsonDoc *doc, const char *data, gsize len, GError **error);

HeraldJsonNode herald_json_doc_root (const HeraldJsonDoc *doc);

HeraldJsonType herald_json_node_type (HeraldJsonNode node);

/* NONE when @object is not an object or has no such member. When a name appears more than once
 * the LAST occurrence wins, as with JavaScript's JSON.parse (which produced most of these feeds)
 * and json-glib, so Herald reads the same value the sender's own tooling would. */
HeraldJsonNode herald_json_node_member (HeraldJsonNode object, const char *name);
/* Element @index of an array (a walk over the preceding siblings, each skipped in O(1)). */
HeraldJsonNode herald_json_node_element (HeraldJsonNode array, guint index);
/* Number of elements of an array or members of an object (duplicates counted); 0 otherwise. */
guint herald_json_node_length (HeraldJsonNode node);
/* The i-th member in source order (duplicates included): its value, and its name node in
 * @out_name when not NULL. NONE (both) when out of range or not an object. */
HeraldJsonNode herald_json_node_member_at (HeraldJsonNode object, guint i,
                                           HeraldJsonNode *out_name);

/* The unescaped string, always valid UTF-8 without embedded NUL: "\u0000" and unpaired
 * surrogate escapes become U+FFFD rather than truncating or producing invalid UTF-8.
 * NULL unless @node is a STRING. */
char *herald_json_node_dup_string (HeraldJsonNode node);
/* TRUE when @node is a STRING whose unescaped value (as dup_string returns it) equals @str.
 * Does not allocate. */
gboolean herald_json_node_string_equal (HeraldJsonNode node, const char *str);
/* Integers written without fraction or exponent that fit in gint64; FALSE otherwise. */
gboolean herald_json_node_get_int64 (HeraldJsonNode node, gint64 *out);
/* Any NUMBER whose value fits in a double (underflow rounds towards 0; overflow to
 * infinity returns FALSE). Locale-independent. */
gboolean herald_json_node_get_double (HeraldJsonNode node, double *out);
/* TRUE and the value for TRUE/FALSE nodes; FALSE otherwise. */
gboolean herald_json_node_get_boolean (HeraldJsonNode node, gboolean *out);
/* The node's exact text in the parsed data (strings include their quotes); NULL for NONE. */
const char *herald_json_node_raw (HeraldJsonNode node, gsize *out_len);

/* herald_json_node_dup_string (herald_json_node_member (object, name)). */
char *herald_json_node_dup_member_string (HeraldJsonNode object, const char *name);
/* Follows member names, e.g. herald_json_node_path (root, "payload", "campaignTip", "id", NULL);
 * NONE as soon as one is missing. */
HeraldJsonNode herald_json_node_path (HeraldJsonNode node, ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeraldJsonDoc, herald_json_doc_free)

G_END_DECLS
