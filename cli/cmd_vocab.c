/* vocab: placeholder until it lands. */
#include "cli.h"

int cmd_vocab(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("vocab: not implemented yet");
    return EXIT_BAD;
}
