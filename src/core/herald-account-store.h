/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-account-store.h — the configured accounts, kept in accounts.ini (no secrets there),
 * as a GListModel of HeraldAccount shared by the tray application and the command line. */
#pragma once

#include <gio/gio.h>

#include "herald-account.h"

G_BEGIN_DECLS

#define HERALD_TYPE_ACCOUNT_STORE (herald_account_store_get_type ())
G_DECLARE_FINAL_TYPE (HeraldAccountStore, herald_account_store, HERALD, ACCOUNT_STORE, GObject)

/* g_get_user_config_dir()/herald/accounts.ini */
char *herald_account_store_default_path (void);

/* `path` NULL uses the default path. The store is empty until loaded. */
HeraldAccountStore *herald_account_store_new (const char *path);
const char *herald_account_store_get_path (HeraldAccountStore *self);

/* Reads the file and emits the differences from what the store held. A missing file is an
 * empty store. A file that is not a key file is renamed aside (see get_moved_aside_path) and
 * the store becomes empty, with TRUE returned. Any other read error returns FALSE with
 * HERALD_ACCOUNT_ERROR_FAILED and changes nothing. Account groups this Herald cannot use
 * are skipped with a warning and kept in the file as they are. */
gboolean herald_account_store_load (HeraldAccountStore *self, GError **error);
/* Where the last unreadable file was moved, or NULL. Also the "moved-aside-path" property. */
const char *herald_account_store_get_moved_aside_path (HeraldAccountStore *self);

/* transfer none; NULL when absent. */
HeraldAccount *herald_account_store_lookup (HeraldAccountStore *self, const char *id);

/* Each change below validates, then picks up what other processes wrote to the file (emitting
 * those differences), then writes the whole file atomically. When it fails the store applies
 * nothing of the change, in memory or on disk. A store never loaded is loaded first (moving a
 * damaged file aside as load does), so a save can never write over a file it did not read. */

/* The store keeps a reference to `account`. DUPLICATE when the id is taken. */
gboolean herald_account_store_add (HeraldAccountStore *self, HeraldAccount *account,
                                   GError **error);
/* Saves an account after editing: either the stored object itself, or another object with the
 * same id (an edited herald_account_copy()), whose values are then copied into the stored
 * one. Edit a copy for all-or-nothing: edits made to the stored object stay on it when saving
 * them fails. NOT_FOUND when no stored account has that id; FAILED for a different provider.
 * Emits "account-changed" only when something was really different. */
gboolean herald_account_store_update (HeraldAccountStore *self, HeraldAccount *account,
                                      GError **error);
/* NOT_FOUND for an unknown id. */
gboolean herald_account_store_remove (HeraldAccountStore *self, const char *id, GError **error);

/* Reloads when another process changes the file, emitting only what really changed.
 * Calling it again does nothing. */
void herald_account_store_watch (HeraldAccountStore *self);

/* Signals (each with the HeraldAccount), besides GListModel::items-changed:
 *   "account-added", "account-removed", "account-changed".
 * An account whose provider was changed in the file is removed and a new one added. */

G_END_DECLS
