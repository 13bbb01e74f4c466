/* tokscope: the command. main only picks the command (commands.c lists them); each lives in
 * cmd_<name>.c and declares its options for the shared parser (options.h). */
#include "cli.h"

#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int main(int argc, char **argv)
{
#ifdef M_MMAP_THRESHOLD
    /* glibc raises its mmap threshold to the size of each mapped block freed (up to 32 MB),
     * after which the big buffers of a long input come from the heap and stay resident when
     * freed: the peak then depends on what loading the tokenizer happened to free (Gemma 3's
     * 4 MB of newlines peaked 3 MB higher after an unrelated change to loading: 4.5x the input
     * above the warm start, 4.1x with these). Fixed, blocks of 512 KB or more are mapped and
     * returned; the heap is trimmed above 4 MB free, not 128 KB, so counting many files does
     * not map and fault its buffers anew for each (at 256 KB and the default trim, 9% slower
     * on the 2,452 files of tests/). The command's choice: a library does not set its host's
     * allocator. */
    mallopt(M_MMAP_THRESHOLD, 512 * 1024);
    mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
#endif
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
