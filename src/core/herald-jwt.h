/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-jwt.h — reading the claims of a JSON Web Token that a user pasted, without
 * verifying it: Herald only needs to know when the token lapses, the server checks the rest. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HERALD_JWT_ERROR (herald_jwt_error_quark ())

typedef enum
{
  HERALD_JWT_ERROR_MALFORMED, /* not header.payload.signature with JSON objects inside */
  HERALD_JWT_ERROR_NO_EXPIRY, /* a well-formed token without an "exp" claim */
} HeraldJwtError;

GQuark herald_jwt_error_quark (void);

/* The "exp" claim in Unix seconds (a fractional NumericDate is rounded down). The signature
 * is NOT checked. Error messages never repeat the token. */
gboolean herald_jwt_read_expiry (const char *jwt, gint64 *out_exp_unix_seconds, GError **error);

/* Both claims at once: "exp" as above and "sub" (NULL when absent) in @out_subject, which may
 * be NULL. Fails as herald_jwt_read_expiry() does, so a token without "exp" is NO_EXPIRY. */
gboolean herald_jwt_read_claims (const char *jwt, gint64 *out_exp_unix_seconds, char **out_subject,
                                 GError **error);

G_END_DECLS
