/* tokscope: the command. main only picks the command; each lives in cmd_<name>.c. */
#include "cli.h"

#include <string.h>

static const char usage[] =
    "Usage: tokscope COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Count, encode and decode tokens with exactly the ids of OpenAI's tiktoken.\n"
    "\n"
    "Commands:\n"
    "  count [FILE|DIR|-]...   count tokens, one row per file (wc-style)\n"
    "  encode [TEXT|-f FILE]   print token ids (--jsonl: one JSON string per input line)\n"
    "  decode [ID...]          print the text of token ids\n"
    "  encodings               list the built-in encodings\n"
    "  cost [FILE|-] -m MODEL  tokens, window fit and price of a prompt for one or more models\n"
    "  models                  the model registry: windows, prices, tokenizers, data date\n"
    "  show [TEXT|-f FILE]     the text with every token marked (terminal, --html, --json)\n"
    "  explain WORD...         how words and numbers split into tokens\n"
    "  compare [FILE...]       one row per tokenizer: tokens, characters per token, ratio\n"
    "  vocab ID...             token ids to bytes and text; --find TEXT, --longest N\n"
    "  stats [FILE...]         characters, words and bytes per token, next to the rules of thumb\n"
    "  truncate -n N [FILE]    the first (or last) N tokens as text\n"
    "  chunk -n N [FILE...]    split into chunks of at most N tokens (JSON Lines)\n"
    "  chat [FILE.json]        count a chat conversation the way the API bills it\n"
    "\n"
    "Tokenizer (every command): -e NAME built-in encoding (default o200k_base),\n"
    "  -m MODEL OpenAI model name (gpt-4o, gpt-4, ...), -t PATH tokenizer file.\n"
    "\n"
    "  tokscope COMMAND --help   options of one command\n"
    "  tokscope --version\n"
    "\n"
    "cost and models: -m MODEL is a model of the registry (tokscope models), any provider.\n"
    "\n"
    "Exit status: 0 success, 1 a count is over --limit (cost: does not fit a model's window),\n"
    "2 usage, input or file error.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_BAD;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        check_stdout();
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("tokscope %s\n", tok_version());
        check_stdout();
        return EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {
        {"count", cmd_count},
        {"encode", cmd_encode},
        {"decode", cmd_decode},
        {"encodings", cmd_encodings},
        {"cost", cmd_cost},
        {"models", cmd_models},
        {"show", cmd_show},
        {"explain", cmd_explain},
        {"compare", cmd_compare},
        {"vocab", cmd_vocab},
        {"stats", cmd_stats},
        {"truncate", cmd_truncate},
        {"chunk", cmd_chunk},
        {"chat", cmd_chat},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name))
            return cmds[i].run(argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
