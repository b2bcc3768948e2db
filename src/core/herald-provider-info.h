/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-provider-info.h — static facts about the five feeds Herald speaks: ids, names,
 * default endpoints, the options an account of each takes and the credentials it needs. */
#pragma once

#include <glib-object.h>

#include "herald-enums.h"

G_BEGIN_DECLS

typedef enum
{
  HERALD_PROVIDER_SKINSHARK,
  HERALD_PROVIDER_HASHI,
  HERALD_PROVIDER_COINVOYAGE,
  HERALD_PROVIDER_DIMES,
  HERALD_PROVIDER_PALLY,
  HERALD_N_PROVIDERS /*< skip >*/
} HeraldProviderKind;

/* One account option; also a command-line flag (`--KEY VALUE`) and a key in accounts.ini.
 * `description` is marked with N_(): translate it with _() when showing it. */
typedef struct
{
  const char *key;
  gboolean repeatable;
  const char *const *choices; /* NULL-terminated, or NULL for free text (ids, slugs) */
  const char *default_value;  /* nullable */
  const char *value_name;     /* placeholder for --help: "ID", "SLUG", "partner|customer" */
  const char *description;    /* N_() */
  /* Without depends_on: the option must be given. With it: required only while the
   * depends_on option has the value depends_value. */
  gboolean required;
  /* When set, the option applies only while option `depends_on` has the value
   * `depends_value` and is refused otherwise (Pally's room needs the activity-feed channel). */
  const char *depends_on;
  const char *depends_value;
} HeraldProviderOption;

/* One credential, read from standard input in table order and kept in the Secret Service
 * under attribute `field`. `prompt` is marked with N_(). */
typedef struct
{
  const char *field;  /* secret schema attribute, e.g. "api-key" */
  const char *prompt; /* N_("API key") */
  gboolean optional;
} HeraldCredentialSpec;

/* A named endpoint offered besides typing one; `name` is marked with N_(). */
typedef struct
{
  const char *name;
  const char *uri;
} HeraldEndpointPreset;

typedef struct
{
  HeraldProviderKind kind;
  const char *id;   /* "skinshark": the provider's name in files, on the command line, in JSON */
  const char *name; /* "SkinShark": shown to people, not translated (a brand) */
  const char *default_endpoint;
  const HeraldProviderOption *options;
  guint n_options;
  /* Endpoints to offer; the first is the default one. NULL for providers with only the
   * default. */
  const HeraldEndpointPreset *presets;
  guint n_presets;
} HeraldProviderInfo;

const HeraldProviderInfo *herald_provider_info_get (HeraldProviderKind kind);
/* NULL when `id` names no provider this Herald knows (e.g. one from a newer version). */
const HeraldProviderInfo *herald_provider_info_lookup (const char *id);
/* NULL when the provider has no option `key`. */
const HeraldProviderOption *herald_provider_info_find_option (const HeraldProviderInfo *info,
                                                              const char *key);
/* The credentials an account needs, in the order they are read. `gateway` is the Dimes
 * gateway ("partner" or "customer", NULL = the default); other providers ignore it. */
const HeraldCredentialSpec *herald_provider_info_get_credentials (const HeraldProviderInfo *info,
                                                                  const char *gateway,
                                                                  guint *n_specs);

/* The symbolic icon of a provider's feed, named with the application id as prefix as Flatpak
 * requires ("io.github.heraldapp.Herald-pally-symbolic"): the tray, the window and the
 * Preferences all ask for it here. Interned: a handful of feeds, asked for once per row. */
const char *herald_provider_get_icon_name (const char *provider_id);

/* TRUE when `value` is one of the option's choices (always TRUE for free-text options). */
gboolean herald_provider_option_allows (const HeraldProviderOption *option, const char *value);

G_END_DECLS
