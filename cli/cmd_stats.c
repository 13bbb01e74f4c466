/* stats: placeholder until it lands. */
#include "cli.h"

int cmd_stats(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("stats: not implemented yet");
    return EXIT_BAD;
}
