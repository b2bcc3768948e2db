/* SPDX-License-Identifier: GPL-3.0-or-later */
/* herald-test-env.h — a throwaway home for integration tests: temporary XDG directories,
 * a private D-Bus session bus and, on request, a real unlocked GNOME Keyring on it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char *root;
  char *config_home;
  char *data_home;
  char *cache_home;
  char *runtime_dir;
  char *keyring_home;
  GTestDBus *bus;
  GSubprocess *keyring;
} HeraldTestEnv;

typedef enum
{
  HERALD_TEST_ENV_KEYRING = 1 << 0,
} HeraldTestEnvFlags;

/* Creates the directories and the bus; with HERALD_TEST_ENV_KEYRING also starts
 * gnome-keyring-daemon, unlocked, and waits until it owns org.freedesktop.secrets.
 * Points this process's XDG_* variables at the temporary directories. */
HeraldTestEnv *herald_test_env_new (HeraldTestEnvFlags flags);
void herald_test_env_free (HeraldTestEnv *env);

/* The environment to spawn a child in: this process's, with the bus and XDG dirs. */
char **herald_test_env_get_environ (HeraldTestEnv *env);

/* Runs argv (NULL-terminated) with stdin_text on standard input and waits for it. */
int herald_test_env_run (HeraldTestEnv *env, const char *const *argv, const char *const *extra_env,
                         const char *stdin_text, char **out_stdout, char **out_stderr);

/* Runs Herald's command-line binary ($HERALD_BIN) with the arguments that follow (a
 * NULL-terminated list) through herald_test_env_run(); returns its exit status. */
int herald_test_env_run_herald (HeraldTestEnv *env, const char *stdin_text, char **out_stdout,
                                char **out_stderr, ...) G_GNUC_NULL_TERMINATED;

/* Looks a credential up with secret-tool, a client that is not Herald's code.
 * Returns NULL when the keyring has no such item. */
char *herald_test_env_keyring_lookup (HeraldTestEnv *env, const char *account, const char *field);

/* Waits until name has an owner on the session bus this process was given (a service the test
 * started); after timeout_ms the test fails. */
void herald_test_env_wait_for_name (const char *name, guint timeout_ms);

/* For tests that need a bus of their own, as libsecret, libnotify and GDBus keep one
 * session-bus connection per process: in the parent, runs this test's body in a child (at most
 * timeout_s seconds), requires that it passed and returns TRUE; in the child returns FALSE,
 * so the body goes on there. */
gboolean herald_test_run_in_child (guint timeout_s);

/* Deletes path and, when it is a directory, everything below it (read-only directories
 * included), without following links. */
void herald_test_remove_tree (const char *path);

/* TRUE when any regular file below dir contains needle. */
gboolean herald_test_tree_contains (const char *dir, const char *needle);

/* Number of lines in text (a final line without newline counts). */
guint herald_test_count_lines (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeraldTestEnv, herald_test_env_free)

G_END_DECLS
