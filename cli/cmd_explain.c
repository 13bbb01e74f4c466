/* explain: placeholder until it lands. */
#include "cli.h"

int cmd_explain(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("explain: not implemented yet");
    return EXIT_BAD;
}
