/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-common.h — what every fuzz target shares: a broken promise aborts, so libFuzzer
 * reports it as a crash and keeps the input; a critical from GLib counts as one too. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

G_BEGIN_DECLS

G_NORETURN static inline void
fuzz_fail (const char *file, int line, const char *what)
{
  fprintf (stderr, "%s:%d: broken promise: %s\n", file, line, what);
  abort ();
}

#define FUZZ_CHECK(expr)                                                                           \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (!(expr))                                                                                   \
      fuzz_fail (__FILE__, __LINE__, #expr);                                                       \
  }                                                                                                \
  G_STMT_END

/* Defined in fuzz-common.c: libFuzzer calls it once before the first input. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

G_END_DECLS
