/* chunk: placeholder until it lands. */
#include "cli.h"

int cmd_chunk(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("chunk: not implemented yet");
    return EXIT_BAD;
}
