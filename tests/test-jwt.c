/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-jwt.c — reading a pasted token's expiry without verifying it: real token shapes,
 * fractional and missing "exp", and pastes that are not JWTs at all. */
#include "config.h"

#include <string.h>

#include "herald-jwt.h"
#include "herald-test-feed.h"

#define ES256_HEADER "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"abc\"}"
#define SIGNATURE "MEUCIQDx3b0yv_Qk2kq8rJcP7mG5xW3s1nO0aV9uYt2lHf4ZpQ"

static void
test_jwt_privy_shape (void)
{
  /* What Privy hands out: ES256, sid/iss/iat/aud/sub/exp. */
  g_autofree char *token
    = herald_test_jwt_new (ES256_HEADER,
                           "{\"sid\":\"cm5abc\",\"iss\":\"privy.io\",\"iat\":1705312800,"
                           "\"aud\":\"cm4app\",\"sub\":\"did:privy:cm4xyz\",\"exp\":1705316400}",
                           SIGNATURE);
  g_autoptr (GError) error = NULL;
  g_autofree char *subject = NULL;
  gint64 exp = 0;

  g_assert_true (herald_jwt_read_expiry (token, &exp, &error));
  g_assert_no_error (error);
  g_assert_cmpint (exp, ==, 1705316400);

  exp = 0;
  g_assert_true (herald_jwt_read_claims (token, &exp, &subject, &error));
  g_assert_no_error (error);
  g_assert_cmpint (exp, ==, 1705316400);
  g_assert_cmpstr (subject, ==, "did:privy:cm4xyz");
}

typedef struct
{
  const char *claims;
  const char *signature;
  gint64 exp;
  const char *subject;
} GoodCase;

static const GoodCase good_cases[] = {
  /* RFC 7519 NumericDate may carry a fraction: rounded down. */
  { "{\"exp\":1700000000.75}", SIGNATURE, 1700000000, NULL },
  { "{\"exp\":-1.5}", SIGNATURE, -2, NULL },
  { "{\"exp\":1.7e9,\"sub\":\"user-1\"}", SIGNATURE, 1700000000, "user-1" },
  /* A non-string "sub" is not one Herald can use, but the expiry still counts. */
  { "{\"exp\":0,\"sub\":42}", SIGNATURE, 0, NULL },
  /* Unsecured tokens have an empty signature; padding some encoders add is tolerated. */
  { "{\"exp\":1893456000}", "", 1893456000, NULL },
  { "{\"exp\":1893456000}", "abcd==", 1893456000, NULL },
};

static void
test_jwt_good (gconstpointer data)
{
  const GoodCase *c = data;
  g_autofree char *token = herald_test_jwt_new (ES256_HEADER, c->claims, c->signature);
  g_autoptr (GError) error = NULL;
  g_autofree char *subject = NULL;
  gint64 exp = G_MININT64;

  g_assert_true (herald_jwt_read_claims (token, &exp, &subject, &error));
  g_assert_no_error (error);
  g_assert_cmpint (exp, ==, c->exp);
  g_assert_cmpstr (subject, ==, c->subject);
}

static void
test_jwt_padded_parts (void)
{
  /* Some hand-made tokens keep base64 padding in header and claims too. */
  g_autofree char *header = g_base64_encode ((const guchar *)"{\"alg\":\"none\"}", 14);
  g_autofree char *claims = g_base64_encode ((const guchar *)"{\"exp\":12}", 10);
  g_autofree char *token = g_strdup_printf ("%s.%s.", header, claims);
  gint64 exp = 0;

  g_assert_nonnull (strchr (header, '='));
  g_assert_true (herald_jwt_read_expiry (token, &exp, NULL));
  g_assert_cmpint (exp, ==, 12);
}

typedef struct
{
  const char *header; /* NULL: the token below is used as it is */
  const char *claims;
  const char *signature;
  const char *token;
  int code;
} BadCase;

#define MALFORMED HERALD_JWT_ERROR_MALFORMED
#define NO_EXPIRY HERALD_JWT_ERROR_NO_EXPIRY

static const BadCase bad_cases[] = {
  { NULL, NULL, NULL, "", MALFORMED },
  { NULL, NULL, NULL, "sk_live_0123456789abcdef", MALFORMED },
  { NULL, NULL, NULL, "abc.def", MALFORMED },
  { NULL, NULL, NULL, "a.b.c.d", MALFORMED },
  { NULL, NULL, NULL, "..", MALFORMED },
  { NULL, NULL, NULL, "!!!!.e30.sig", MALFORMED },
  /* One character too many for base64 to mean anything. */
  { NULL, NULL, NULL, "eyJhbGciOiJub25lIn0.e.sig", MALFORMED },
  { ES256_HEADER, "not json", SIGNATURE, NULL, MALFORMED },
  { ES256_HEADER, "[1,2,3]", SIGNATURE, NULL, MALFORMED },
  { ES256_HEADER, "\"exp\"", SIGNATURE, NULL, MALFORMED },
  { "{\"typ\":\"JWT\"}", "{\"exp\":1}", SIGNATURE, NULL, MALFORMED },
  { "[]", "{\"exp\":1}", SIGNATURE, NULL, MALFORMED },
  { ES256_HEADER, "{\"exp\":1}", "sig with spaces", NULL, MALFORMED },
  { ES256_HEADER, "{\"exp\":1}", "sig\n", NULL, MALFORMED },
  { ES256_HEADER, "{\"exp\":\"1705316400\"}", SIGNATURE, NULL, MALFORMED },
  { ES256_HEADER, "{\"exp\":true}", SIGNATURE, NULL, MALFORMED },
  { ES256_HEADER, "{\"exp\":1e300}", SIGNATURE, NULL, MALFORMED },
  { ES256_HEADER, "{\"exp\":{}}", SIGNATURE, NULL, MALFORMED },
  { ES256_HEADER, "{\"sub\":\"did:privy:x\"}", SIGNATURE, NULL, NO_EXPIRY },
  { ES256_HEADER, "{\"exp\":null}", SIGNATURE, NULL, NO_EXPIRY },
  { ES256_HEADER, "{}", SIGNATURE, NULL, NO_EXPIRY },
};

static void
test_jwt_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *made
    = c->header ? herald_test_jwt_new (c->header, c->claims, c->signature) : NULL;
  const char *token = made ? made : c->token;
  g_autoptr (GError) error = NULL;
  gint64 exp = 77;

  g_assert_false (herald_jwt_read_expiry (token, &exp, &error));
  g_assert_error (error, HERALD_JWT_ERROR, c->code);
  g_assert_cmpint (exp, ==, 77);
  /* The token is a credential: never part of a message that may be shown or logged. */
  if (*token != '\0')
    g_assert_null (strstr (error->message, token));
}

static void
test_jwt_null_and_huge (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *claims = NULL;
  g_autofree char *token = NULL;
  GString *padding = g_string_new (NULL);

  g_assert_false (herald_jwt_read_expiry (NULL, NULL, &error));
  g_assert_error (error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_MALFORMED);
  g_clear_error (&error);

  /* A paste of a whole file, not a token. */
  for (guint i = 0; i < 20000; i++)
    g_string_append_c (padding, 'x');
  claims = g_strdup_printf ("{\"exp\":1,\"pad\":\"%s\"}", padding->str);
  token = herald_test_jwt_new (ES256_HEADER, claims, SIGNATURE);
  g_string_free (padding, TRUE);
  g_assert_false (herald_jwt_read_expiry (token, NULL, &error));
  g_assert_error (error, HERALD_JWT_ERROR, HERALD_JWT_ERROR_MALFORMED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jwt/privy-shape", test_jwt_privy_shape);
  g_test_add_func ("/jwt/padded-parts", test_jwt_padded_parts);
  g_test_add_func ("/jwt/null-and-huge", test_jwt_null_and_huge);
  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/jwt/good/%u", i);

      g_test_add_data_func (path, &good_cases[i], test_jwt_good);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/jwt/bad/%u", i);

      g_test_add_data_func (path, &bad_cases[i], test_jwt_bad);
    }
  return g_test_run ();
}
