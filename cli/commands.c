/* commands: the list of tokscope's commands, and tokscope --help, which lists them. */
#include "cli.h"

const cli_command *const cli_commands[] = {
    &cmd_count, &cmd_encode,  &cmd_decode,  &cmd_encodings, &cmd_cost,     &cmd_models,
    &cmd_show,  &cmd_explain, &cmd_compare, &cmd_vocab,     &cmd_stats,    &cmd_truncate,
    &cmd_chunk, &cmd_chat,    &cmd_pack,      &cmd_completions,
};
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

void cli_usage(FILE *f)
{
    fputs("Usage: tokscope COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "Count, show and price tokens with exactly the ids of the reference tokenizers\n"
          "(OpenAI tiktoken, Hugging Face tokenizers, SentencePiece).\n"
          "\n"
          "Commands:\n", f);
    for (size_t i = 0; i < cli_n_commands; i++) {
        const cli_command *c = cli_commands[i];
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", c->name, c->synopsis[0] ? " " : "", c->synopsis);
        fprintf(f, "  %-22s  %s\n", left, c->summary);
    }
    fputs("\n"
          "Tokenizer (every command): -e NAME built-in encoding (default o200k_base),\n"
          "  -m MODEL any model of 'tokscope models' (gpt-4o, gemini-2.5-pro, llama-3.3-70b,\n"
          "  claude-sonnet-4-5: ~ marks estimates), -t PATH tokenizer file (hf:ORG/NAME: the\n"
          "  local Hugging Face cache).\n"
          "\n"
          "  tokscope COMMAND --help   options of one command\n"
          "  tokscope --version\n"
          "  tokscope --man            the manual page (roff): every command and option\n"
          "\n"

          "Exit status: 0 success, 1 a count is over --limit (cost: does not fit a model's window),\n"
          "2 usage, input or file error.\n", f);
}
