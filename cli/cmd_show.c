/* show: placeholder until it lands. */
#include "cli.h"

int cmd_show(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("show: not implemented yet");
    return EXIT_BAD;
}
