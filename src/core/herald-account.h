/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account.h — one configured feed account: provider, label, endpoint, options.
 * Holds no secret; its credentials live in the Secret Service under its id. */
#pragma once

#include <glib-object.h>

#include "herald-provider-info.h"

G_BEGIN_DECLS

#define HERALD_ACCOUNT_ERROR (herald_account_error_quark ())
GQuark herald_account_error_quark (void);

typedef enum
{
  HERALD_ACCOUNT_ERROR_UNKNOWN_PROVIDER,
  HERALD_ACCOUNT_ERROR_INVALID_LABEL,
  HERALD_ACCOUNT_ERROR_INVALID_ENDPOINT,
  HERALD_ACCOUNT_ERROR_INSECURE_ENDPOINT,
  HERALD_ACCOUNT_ERROR_UNKNOWN_OPTION,
  HERALD_ACCOUNT_ERROR_INVALID_OPTION,
  HERALD_ACCOUNT_ERROR_MISSING_OPTION,
  HERALD_ACCOUNT_ERROR_NOT_FOUND,
  HERALD_ACCOUNT_ERROR_DUPLICATE,
  HERALD_ACCOUNT_ERROR_FAILED,
} HeraldAccountError;

/* Limits enforced by herald_account_validate(), in characters. */
#define HERALD_ACCOUNT_LABEL_MAX 100
#define HERALD_ACCOUNT_OPTION_VALUE_MAX 200
#define HERALD_ACCOUNT_ID_MAX 64

#define HERALD_TYPE_ACCOUNT (herald_account_get_type ())
G_DECLARE_FINAL_TYPE (HeraldAccount, herald_account, HERALD, ACCOUNT, GObject)

/* `id` NULL generates "<provider>-<8 lowercase hex digits>" from the kernel's random source.
 * A given id must satisfy herald_account_id_is_valid(). */
HeraldAccount *herald_account_new (HeraldProviderKind provider, const char *id);
/* A new account with the same id, provider, fields and options. */
HeraldAccount *herald_account_copy (HeraldAccount *self);
/* Makes `self` equal to `source` (same id and provider required): notifies each property
 * that really changed and emits "changed" at most once. */
void herald_account_assign (HeraldAccount *self, HeraldAccount *source);

/* herald_provider_info_lookup() for input from people: UNKNOWN_PROVIDER names the known ones. */
const HeraldProviderInfo *herald_account_parse_provider (const char *id, GError **error);

/* 1–64 characters from [A-Za-z0-9._-]: safe in a key-file group name, a secret attribute,
 * a command-line argument and a file name. */
gboolean herald_account_id_is_valid (const char *id);

const char *herald_account_get_id (HeraldAccount *self);
HeraldProviderKind herald_account_get_provider (HeraldAccount *self);
const HeraldProviderInfo *herald_account_get_provider_info (HeraldAccount *self);

/* "" until set. */
const char *herald_account_get_label (HeraldAccount *self);
void herald_account_set_label (HeraldAccount *self, const char *label);
/* The provider's default endpoint until set; setting NULL restores it. */
const char *herald_account_get_endpoint (HeraldAccount *self);
void herald_account_set_endpoint (HeraldAccount *self, const char *endpoint);
gboolean herald_account_get_enabled (HeraldAccount *self);
void herald_account_set_enabled (HeraldAccount *self, gboolean enabled);

/* The first value, else the option's default, else NULL. */
const char *herald_account_get_option (HeraldAccount *self, const char *key);
/* Never NULL: an empty array when the option is not set. */
const char *const *herald_account_get_option_values (HeraldAccount *self, const char *key);
/* NULL or an empty array clears the option. Any key is accepted here; validation refuses the
 * ones the provider does not have, so a command line can report them. */
void herald_account_set_option_values (HeraldAccount *self, const char *key,
                                       const char *const *values);
void herald_account_add_option_value (HeraldAccount *self, const char *key, const char *value);
/* The keys of every option that has values, sorted. Free with g_strfreev(). */
char **herald_account_dup_option_keys (HeraldAccount *self);

/* Depends on the provider and, for Dimes, the gateway. */
const HeraldCredentialSpec *herald_account_get_credentials (HeraldAccount *self, guint *n_specs);

/* Checks label, endpoint and options; the error names the first problem found. */
gboolean herald_account_validate (HeraldAccount *self, GError **error);
/* Same id, provider, label, endpoint, enabled flag and option values (in order). */
gboolean herald_account_equal (HeraldAccount *a, HeraldAccount *b);

/* https/wss anywhere; http/ws only to a loopback host (127.0.0.0/8, ::1, localhost).
 * Error messages never repeat the query string, user info or path: keys travel there. */
gboolean herald_endpoint_validate (const char *uri, GError **error);

G_END_DECLS
