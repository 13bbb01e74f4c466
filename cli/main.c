/* tokscope: the command. main only picks the command (commands.c lists them); each lives in
 * cmd_<name>.c and declares its options for the shared parser (options.h). */
#include "cli.h"

#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(stderr);
        return EXIT_BAD;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        cli_usage(stdout);
        check_stdout();
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("tokscope %s\n", tok_version());
        check_stdout();
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--man")) {
        cli_manpage(stdout);
        check_stdout();
        return EXIT_OK;
    }
    for (size_t i = 0; i < cli_n_commands; i++)
        if (!strcmp(cmd, cli_commands[i]->name))
            return cli_main(cli_commands[i], argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
