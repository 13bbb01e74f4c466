/* manpage: tokscope --man -- the manual page, tokscope(1), in roff, written from the same
 * command and option tables as --help (options.h): one section per command with every option.
 * make builds build/tokscope.1 with it and make install installs that. */
#include "render.h"

#include <string.h>

/* Text for roff: lines as they are (roff fills them), an empty line a new paragraph; a
 * backslash, a minus and a leading '.' or '\'' escaped; characters beyond ASCII as \[uXXXX],
 * which needs no input encoding. */
static void roff(FILE *f, const char *s)
{
    bool bol = true;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (bol && c == '\n') {
            fputs(".PP\n", f);
            i++;
            continue;
        }
        if (bol && (c == '.' || c == '\''))
            fputs("\\&", f);
        bol = c == '\n';
        if (c == '\\')
            fputs("\\e", f);
        else if (c == '-')
            fputs("\\-", f);
        else if (c < 0x80)
            fputc(c, f);
        else {
            uint32_t cp;
            size_t l = utf8_next(s + i, n - i, &cp, NULL);
            if (!l) { /* the tables are UTF-8; nothing to draw for a stray byte */
                cp = 0xFFFD;
                l = 1;
            }
            fprintf(f, "\\[u%04X]", (unsigned)cp);
            i += l;
            continue;
        }
        i++;
    }
    if (!bol)
        fputc('\n', f);
}

/* s without its line breaks, for a macro argument or a line of its own */
static void roff_line(FILE *f, const char *s)
{
    char buf[512];
    size_t n = 0;
    for (; *s && n + 1 < sizeof buf; s++)
        buf[n++] = *s == '\n' ? ' ' : *s;
    buf[n] = 0;
    while (n && buf[n - 1] == ' ')
        buf[--n] = 0;
    roff(f, buf);
}

/* A name or value inside a line: its minus signs as \- (what to type, not hyphens). */
static void roff_span(FILE *f, const char *s)
{
    for (; *s; s++)
        if (*s == '-' || *s == '\\')
            fputs(*s == '-' ? "\\-" : "\\e", f);
        else
            fputc(*s, f);
}

static void option(FILE *f, const cli_opt *o)
{
    fputs(".TP\n", f);
    if (o->letter)
        fprintf(f, "\\fB\\-%c\\fR, ", o->letter);
    fputs("\\fB\\-\\-", f);
    roff_span(f, o->name);
    fputs("\\fR", f);
    if (o->arg) {
        fputs(o->implied ? "[=\\fI" : " \\fI", f);
        roff_span(f, o->arg);
        fputs(o->implied ? "\\fR]" : "\\fR", f);
    }
    fputc('\n', f);
    roff(f, o->help);
}

static void command(FILE *f, const cli_command *c)
{
    fprintf(f, ".SS \"%s\"\n", c->name);
    const char *u = c->usage;
    while (*u) {
        const char *nl = strchr(u, '\n');
        size_t l = nl ? (size_t)(nl - u) : strlen(u);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)l, u);
        const char *rest = strchr(line, ' ');
        fprintf(f, "\\fBtokscope %s\\fR", c->name);
        if (rest) {
            fputc(' ', f);
            roff(f, rest + 1);
        } else {
            fputc('\n', f);
        }
        fputs(".br\n", f);
        u += l + (nl != NULL);
    }
    fputs(".PP\n", f);
    roff(f, c->about);
    for (size_t i = 0; i < c->n_opts; i++)
        option(f, &c->opts[i]);
    fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nthis help\n", f);
    if (c->footer) {
        fputs(".PP\n", f);
        roff(f, c->footer);
    }
}

void cli_manpage(FILE *f)
{
    fprintf(f, ".\\\" tokscope(1), written by `tokscope --man` from its command and option tables.\n"
               ".TH TOKSCOPE 1 \"\" \"tokscope %s\" \"User Commands\"\n"
               ".nh\n" /* no hyphenation: names and flags are copied from here */
               ".ad l\n"
               ".SH NAME\n"
               "tokscope \\- count, show, split and price the tokens of text, exactly\n"
               ".SH SYNOPSIS\n"
               ".B tokscope\n"
               ".I command\n"
               ".RI [ options ]\n"
               ".RI [ arguments ]\n"
               ".br\n"
               ".B tokscope\n"
               ".BR \\-\\-help \" | \" \\-\\-version \" | \" \\-\\-man\n"
               ".SH DESCRIPTION\n",
            tok_version());
    roff(f, "tokscope counts tokens before an API call, shows how text splits into tokens, turns\n"
            "ids back into text, fits and splits text to token budgets and prices prompts for many\n"
            "models. Its ids are exactly those of the reference implementations: OpenAI tiktoken\n"
            "for the built-in encodings, Hugging Face tokenizers for tokenizer.json files and\n"
            "sentencepiece for .model files.\n"
            "\n"
            "The tokenizer: -e NAME a built-in encoding (tokscope encodings lists them; the\n"
            "default is o200k_base), -m MODEL an OpenAI model name (mapped to its encoding as\n"
            "tiktoken's encoding_for_model does), -t PATH a tokenizer file (.tiktoken,\n"
            "tokenizer.json or a SentencePiece .model; the format is read from the content).\n"
            "Commands that compare take several, in the order given. cost and models take\n"
            "-m MODEL as a model of the registry (tokscope models), of any provider.\n"
            "\n"
            "Options: --name=VALUE or --name VALUE; a long name may be shortened to any unique\n"
            "prefix; -xVALUE or -x VALUE; letters without values can be bundled (-rq). Options may\n"
            "come before or after the operands; -- ends them. A FILE of -, or none where a\n"
            "command reads one, is standard input. Results go to standard output, messages to\n"
            "standard error; a closed pipe ends a command quietly.\n");
    fputs(".SH COMMANDS\n", f);
    for (size_t i = 0; i < cli_n_commands; i++)
        command(f, cli_commands[i]);
    fputs(".SH \"EXIT STATUS\"\n"
          ".TP\n.B 0\nsuccess\n"
          ".TP\n.B 1\n", f);
    roff_line(f, "a count is over --limit; cost: the request does not fit a model's window;\n"
                 "truncate --strict: the text was cut");
    fputs(".TP\n.B 2\n", f);
    roff_line(f, "a usage error, or input, a file or a tokenizer that could not be read or used\n"
                 "(the message names the file and the position)");
    fputs(".PP\n", f);
    roff(f, "A run with several problems exits 2 if any input failed, else 1 if any count was\n"
            "over a limit. Nothing is hidden: each failed file has its message, the other files\n"
            "are still counted and checked against the limit, and a summary line says how many\n"
            "failed and how many counts were over the limit. Files a walk (count -r) leaves out\n"
            "because they are not text are not failures; a line says how many and why.\n");
    fputs(".SH ENVIRONMENT\n"
          ".TP\n.B NO_COLOR\n", f);
    roff_line(f, "set and not empty: no colour with --color=auto");
    fputs(".TP\n.B TERM\n", f);
    roff_line(f, "dumb: no colour with --color=auto");
    fputs(".TP\n.B TOKSCOPE_TOKENIZER_PATH\n", f);
    roff_line(f, "directories, separated by ':', where cost looks for the tokenizer files the\n"
                 "registry names, after those of --tokenizer-dir");
    fputs(".SH \"SHELL COMPLETION\"\n", f);
    roff(f, "tokscope completions bash, zsh or fish prints the completion script for that shell,\n"
            "written from the same tables as this page. make install installs them as\n"
            "share/bash-completion/completions/tokscope, share/zsh/site-functions/_tokscope\n"
            "and share/fish/vendor_completions.d/tokscope.fish under its PREFIX.\n");
    fputs(".SH \"SEE ALSO\"\n", f);
    roff(f, "The README of tokscope: the guide, with an example of every command, the tokenizer\n"
            "file formats, the library and how exactness is checked.\n");
}
