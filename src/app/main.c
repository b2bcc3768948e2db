/* main.c — placeholder entry point while the application is being assembled. */
#include "config.h"

#include <glib.h>

int
main (int argc, char **argv)
{
  g_print ("herald %s\n", PACKAGE_VERSION);
  return 0;
}
