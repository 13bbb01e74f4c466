/* compare: placeholder until it lands. */
#include "cli.h"

int cmd_compare(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("compare: not implemented yet");
    return EXIT_BAD;
}
