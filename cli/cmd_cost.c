/* cost: placeholder until the cost estimator lands. */
#include "cli.h"

int cmd_cost(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("cost: not implemented yet");
    return EXIT_BAD;
}

int cmd_models(int argc, char **argv)
{
    (void)argc, (void)argv;
    warnx_("models: not implemented yet");
    return EXIT_BAD;
}
