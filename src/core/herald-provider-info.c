/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-provider-info.c — the provider table behind accounts, the command line and the UI.
 * The facts come from DESIGN.md and PROTOCOLS.md; change them here and nowhere else. */
#define G_LOG_DOMAIN "herald-provider-info"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "herald-provider-info.h"

static const char *const dimes_gateways[] = { "partner", "customer", NULL };
static const char *const pally_channels[] = { "firehose", "activity-feed", NULL };

static const HeraldProviderOption skinshark_options[] = {
  {
    .key = "sub-user",
    .value_name = "ID",
    .description = N_ ("Sub-user whose trades and deposits to follow (UUID or external id)"),
    .required = TRUE,
  },
};

static const HeraldProviderOption hashi_options[] = {
  {
    .key = "lobby",
    .repeatable = TRUE,
    .value_name = "ID",
    .description = N_ ("Lobby to follow besides the contract events (repeat for several)"),
  },
};

static const HeraldProviderOption coinvoyage_options[] = {
  {
    .key = "order",
    .repeatable = TRUE,
    .value_name = "ID",
    .description = N_ ("Pay order to follow (repeat for several; none follows the whole "
                       "organization)"),
  },
};

static const HeraldProviderOption dimes_options[] = {
  {
    .key = "gateway",
    .choices = dimes_gateways,
    .default_value = "partner",
    .value_name = "partner|customer",
    .description = N_ ("Follow every position (partner) or one wallet’s positions (customer)"),
  },
};

static const HeraldProviderOption pally_options[] = {
  {
    .key = "channel",
    .choices = pally_channels,
    .default_value = "firehose",
    .value_name = "firehose|activity-feed",
    .description = N_ ("Tips for all your pages (firehose) or for one page (activity-feed)"),
  },
  {
    .key = "room",
    .value_name = "SLUG",
    .description = N_ ("Page slug to follow on the activity-feed channel"),
    .required = TRUE,
    .depends_on = "channel",
    .depends_value = "activity-feed",
  },
};

/* PROTOCOLS.md: the sandbox takes its own keys (dm_sbx_skey_…). */
static const HeraldEndpointPreset dimes_presets[] = {
  { N_ ("Production"), "https://api.dimes.fi" },
  { N_ ("Sandbox"), "https://api-sandbox.dimes.fi" },
};

static const HeraldProviderInfo providers[HERALD_N_PROVIDERS] = {
  [HERALD_PROVIDER_SKINSHARK] = {
    .kind = HERALD_PROVIDER_SKINSHARK,
    .id = "skinshark",
    .name = "SkinShark",
    /* The REST base: the token is minted there and the socket lives at /ws. */
    .default_endpoint = "https://api.skinshark.gg",
    .options = skinshark_options,
    .n_options = G_N_ELEMENTS (skinshark_options),
  },
  [HERALD_PROVIDER_HASHI] = {
    .kind = HERALD_PROVIDER_HASHI,
    .id = "hashi",
    .name = "Hashi",
    /* The only documented host; a production one is not published. */
    .default_endpoint = "wss://socket.dev.hashi.gg",
    .options = hashi_options,
    .n_options = G_N_ELEMENTS (hashi_options),
  },
  [HERALD_PROVIDER_COINVOYAGE] = {
    .kind = HERALD_PROVIDER_COINVOYAGE,
    .id = "coinvoyage",
    .name = "CoinVoyage",
    /* Inferred from the REST base; the docs do not state the socket URL. */
    .default_endpoint = "wss://api.coinvoyage.io/v2/ws",
    .options = coinvoyage_options,
    .n_options = G_N_ELEMENTS (coinvoyage_options),
  },
  [HERALD_PROVIDER_DIMES] = {
    .kind = HERALD_PROVIDER_DIMES,
    .id = "dimes",
    .name = "Dimes",
    .default_endpoint = "https://api.dimes.fi",
    .options = dimes_options,
    .n_options = G_N_ELEMENTS (dimes_options),
    .presets = dimes_presets,
    .n_presets = G_N_ELEMENTS (dimes_presets),
  },
  [HERALD_PROVIDER_PALLY] = {
    .kind = HERALD_PROVIDER_PALLY,
    .id = "pally",
    .name = "Pally",
    .default_endpoint = "wss://events.pally.gg",
    .options = pally_options,
    .n_options = G_N_ELEMENTS (pally_options),
  },
};

static const HeraldCredentialSpec api_key_credentials[] = {
  { .field = "api-key", .prompt = N_ ("API key") },
};

static const HeraldCredentialSpec hashi_credentials[] = {
  { .field = "token", .prompt = N_ ("Privy access token (JWT)") },
};

static const HeraldCredentialSpec coinvoyage_credentials[] = {
  { .field = "api-key", .prompt = N_ ("API key") },
  /* Only the organization-wide subscription is signed with it. */
  {
    .field = "api-secret",
    .prompt = N_ ("API secret (optional; needed for organization scope)"),
    .optional = TRUE,
  },
};

static const HeraldCredentialSpec dimes_partner_credentials[] = {
  { .field = "api-key", .prompt = N_ ("Partner API key") },
};

static const HeraldCredentialSpec dimes_customer_credentials[] = {
  { .field = "token", .prompt = N_ ("Customer access token (JWT)") },
};

const HeraldProviderInfo *
herald_provider_info_get (HeraldProviderKind kind)
{
  g_return_val_if_fail ((guint)kind < HERALD_N_PROVIDERS, NULL);
  return &providers[kind];
}

const HeraldProviderInfo *
herald_provider_info_lookup (const char *id)
{
  if (id == NULL)
    return NULL;
  for (guint i = 0; i < HERALD_N_PROVIDERS; i++)
    if (g_str_equal (providers[i].id, id))
      return &providers[i];
  return NULL;
}

const HeraldProviderOption *
herald_provider_info_find_option (const HeraldProviderInfo *info, const char *key)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (key == NULL)
    return NULL;
  for (guint i = 0; i < info->n_options; i++)
    if (g_str_equal (info->options[i].key, key))
      return &info->options[i];
  return NULL;
}

const HeraldCredentialSpec *
herald_provider_info_get_credentials (const HeraldProviderInfo *info, const char *gateway,
                                      guint *n_specs)
{
  const HeraldCredentialSpec *specs = api_key_credentials;
  guint n = G_N_ELEMENTS (api_key_credentials);

  g_return_val_if_fail (info != NULL, NULL);

  switch (info->kind)
    {
    case HERALD_PROVIDER_HASHI:
      specs = hashi_credentials;
      n = G_N_ELEMENTS (hashi_credentials);
      break;
    case HERALD_PROVIDER_COINVOYAGE:
      specs = coinvoyage_credentials;
      n = G_N_ELEMENTS (coinvoyage_credentials);
      break;
    case HERALD_PROVIDER_DIMES:
      if (g_strcmp0 (gateway, "customer") == 0)
        {
          specs = dimes_customer_credentials;
          n = G_N_ELEMENTS (dimes_customer_credentials);
        }
      else
        {
          specs = dimes_partner_credentials;
          n = G_N_ELEMENTS (dimes_partner_credentials);
        }
      break;
    case HERALD_PROVIDER_SKINSHARK:
    case HERALD_PROVIDER_PALLY:
    case HERALD_N_PROVIDERS:
    default:
      break;
    }

  if (n_specs != NULL)
    *n_specs = n;
  return specs;
}

gboolean
herald_provider_option_allows (const HeraldProviderOption *option, const char *value)
{
  g_return_val_if_fail (option != NULL, FALSE);

  if (option->choices == NULL)
    return TRUE;
  return value != NULL && g_strv_contains (option->choices, value);
}

const char *
herald_provider_get_icon_name (const char *provider_id)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (provider_id != NULL, NULL);
  name = g_strdup_printf (HERALD_APP_ID "-%s-symbolic", provider_id);
  return g_intern_string (name);
}
