/* truncate: placeholder until it lands. */
#include "cli.h"

int cmd_truncate(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("truncate: not implemented yet");
    return EXIT_BAD;
}
