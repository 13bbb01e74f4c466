/* chat: placeholder until it lands. */
#include "cli.h"

int cmd_chat(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("chat: not implemented yet");
    return EXIT_BAD;
}
