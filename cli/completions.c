/* completions: tokscope completions bash|zsh|fish -- shell completion scripts written from the
 * option tables (options.h), with the names tokscope knows (encodings, models, providers)
 * written in, so that a script and the binary that wrote it always agree. make install puts
 * them where bash-completion, zsh and fish look. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* ---- the words a value can take ---- */

typedef struct names {
    tok_registry *reg;
} names;

/* Print the words for values v, separated by spaces. */
static void put_words(FILE *f, names *nm, cli_values v, const char *choices)
{
    if (v == CLI_V_ENCODING) {
        for (size_t i = 0; i < tok_builtin_count(); i++)
            fprintf(f, "%s%s", i ? " " : "", tok_builtin_name(i));
        return;
    }
    if (choices) {
        for (const char *p = choices; *p; p++)
            fputc(*p == '|' ? ' ' : *p, f);
        return;
    }
    if (!nm->reg) {
        tok_error err;
        if (tok_registry_open(&nm->reg, &err) != TOK_OK) {
            warn_err(NULL, &err);
            exit(EXIT_BAD);
        }
    }
    size_t n = tok_registry_count(nm->reg), shown = 0;
    for (size_t i = 0; i < n; i++) {
        const tok_model *m = tok_registry_model(nm->reg, i);
        const char *word = m->id, *enc;
        if (v == CLI_V_OPENAI_MODEL && tok_encoding_for_model(m->id, &enc, NULL) != TOK_OK)
            continue;
        if (v == CLI_V_PROVIDER) { /* each provider once, at its first model */
            word = m->provider;
            bool seen = !*word;
            for (size_t k = 0; k < i && !seen; k++)
                seen = !strcmp(tok_registry_model(nm->reg, k)->provider, word);
            if (seen)
                continue;
        }
        fprintf(f, "%s%s", shown++ ? " " : "", word);
    }
}

static bool has_words(const cli_opt *o)
{
    return o->kind == CLI_CHOICE || o->values == CLI_V_ENCODING || o->values == CLI_V_MODEL ||
           o->values == CLI_V_OPENAI_MODEL || o->values == CLI_V_PROVIDER;
}

/* Print s with each character of `special` preceded by a backslash and each ' written as
 * quote (the way to write ' inside the shell's single quotes). */
static void put_quoted(FILE *f, const char *s, const char *special, const char *quote)
{
    for (; *s; s++) {
        if (*s == '\'')
            fputs(quote, f);
        else {
            if (strchr(special, *s))
                fputc('\\', f);
            fputc(*s, f);
        }
    }
}

/* ---- bash ---- */

/* The kind of value completion, as _tokscope_values understands it. */
static const char *bash_kind(const cli_opt *o)
{
    if (has_words(o))
        return "words";
    return o->values == CLI_V_FILE ? "file" : o->values == CLI_V_DIR ? "dir" : "none";
}

static void bash(FILE *f, names *nm)
{
    fprintf(f, "# bash completion for tokscope                                  -*- shell-script -*-\n"
               "# Written by `tokscope completions bash` (tokscope %s) from its option tables.\n"
               "\n"
               "# _tokscope_values KIND WORDS PREFIX CUR: COMPREPLY for a value (KIND file, dir,\n"
               "# words or none), each reply after PREFIX (\"--opt=\" when completing --opt=VALUE).\n"
               "_tokscope_values()\n"
               "{\n"
               "    case $1 in\n"
               "    file | dir)\n"
               "        type compopt &>/dev/null && compopt -o filenames 2>/dev/null\n"
               "        local IFS=$'\\n'\n"
               "        COMPREPLY=($(compgen -\"${1:0:1}\" -- \"$4\")) ;;\n"
               "    words) COMPREPLY=($(compgen -W \"$2\" -- \"$4\")) ;;\n"
               "    *) COMPREPLY=() ;;\n"
               "    esac\n"
               "    [[ -n $3 ]] && COMPREPLY=(\"${COMPREPLY[@]/#/$3}\")\n"
               "    return 0\n"
               "}\n"
               "\n"
               "_tokscope()\n"
               "{\n"
               "    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} opt= pre= i\n"
               "    local kind= words= opts= operands=none operand_words= only_operands=\n"
               "    COMPREPLY=()\n"
               "    if ((COMP_CWORD == 1)); then\n"
               "        COMPREPLY=($(compgen -W '",
            tok_version());
    for (size_t i = 0; i < cli_n_commands; i++)
        fprintf(f, "%s ", cli_commands[i]->name);
    fputs("--help --version --man' -- \"$cur\"))\n"
          "        return 0\n"
          "    fi\n"
          "    # the option whose value this word is: --opt=VALUE ('=' is a word of its own when\n"
          "    # it is in COMP_WORDBREAKS, as by default), --opt VALUE, -x VALUE\n"
          "    if [[ $cur == = ]]; then\n"
          "        opt=${COMP_WORDS[COMP_CWORD-1]} cur=\n"
          "    elif [[ ${COMP_WORDS[COMP_CWORD-1]} == = ]]; then\n"
          "        opt=${COMP_WORDS[COMP_CWORD-2]}\n"
          "    elif [[ $cur == --*=* ]]; then\n"
          "        opt=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}\n"
          "    elif ((COMP_CWORD > 2)); then\n"
          "        opt=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    fi\n"
          "    for ((i = 2; i < COMP_CWORD; i++)); do\n"
          "        [[ ${COMP_WORDS[i]} == -- ]] && only_operands=1\n"
          "    done\n"
          "    [[ -n $only_operands ]] && opt=\n"
          "    case $cmd in\n", f);
    for (size_t c = 0; c < cli_n_commands; c++) {
        const cli_command *cmd = cli_commands[c];
        fprintf(f, "    %s)\n        opts='", cmd->name);
        for (size_t i = 0; i < cmd->n_opts; i++)
            fprintf(f, "--%s ", cmd->opts[i].name);
        for (size_t i = 0; i < cmd->n_opts; i++)
            if (cmd->opts[i].letter)
                fprintf(f, "-%c ", cmd->opts[i].letter);
        fputs("--help -h'\n", f);
        const char *operands = cmd->operands == CLI_V_FILE ? "file"
                               : cmd->operands == CLI_V_DIR ? "dir"
                               : cmd->operands == CLI_V_WORDS ? "words" : "none";
        fprintf(f, "        operands=%s", operands);
        if (cmd->operands == CLI_V_WORDS) {
            fputs(" operand_words='", f);
            put_words(f, nm, CLI_V_NONE, cmd->operand_words);
            fputc('\'', f);
        }
        fputs("\n        case $opt in\n", f);
        for (size_t i = 0; i < cmd->n_opts; i++) {
            const cli_opt *o = &cmd->opts[i];
            if (o->kind == CLI_FLAG || o->implied) /* a value only as --name=VALUE */
                continue;
            fputs("        ", f);
            if (o->letter)
                fprintf(f, "-%c | ", o->letter);
            fprintf(f, "--%s) kind=%s", o->name, bash_kind(o));
            if (has_words(o)) {
                fputs(" words='", f);
                put_words(f, nm, o->values, o->kind == CLI_CHOICE ? o->choices : NULL);
                fputc('\'', f);
            }
            fputs(" ;;\n", f);
        }
        fputs("        esac ;;\n", f);
    }
    fputs("    *) return 0 ;;\n"
          "    esac\n"
          "    if [[ -n $kind ]]; then\n"
          "        _tokscope_values \"$kind\" \"$words\" \"$pre\" \"$cur\"\n"
          "    elif [[ -z $only_operands && $cur == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    else\n"
          "        _tokscope_values \"$operands\" \"$operand_words\" \"\" \"$cur\"\n"
          "    fi\n"
          "    return 0\n"
          "}\n"
          "complete -F _tokscope tokscope\n", f);
}

/* ---- zsh ---- */

/* An option's spec for _arguments. */
static void zsh_opt(FILE *f, names *nm, const cli_opt *o)
{
    bool repeat = o->many || o->kind == CLI_TOKENIZER, value = o->kind != CLI_FLAG;
    char brief[256];
    cli_opt_brief(o, brief, sizeof brief);
    fputs("    ", f);
    if (repeat)
        fputs("'*'", f);
    else if (o->letter)
        fprintf(f, "'(-%c --%s)'", o->letter, o->name);
    if (o->letter)
        fprintf(f, "{-%c%s,--%s%s}'[", o->letter, value ? "+" : "", o->name, value ? "=" : "");
    else
        fprintf(f, "'--%s%s[", o->name, !value ? "" : o->implied ? "=-" : "=");
    put_quoted(f, brief, "[]\\", "'\\''");
    fputc(']', f);
    if (value) {
        fputc(':', f);
        put_quoted(f, o->arg, ":\\", "'\\''");
        fputc(':', f);
        if (has_words(o)) {
            fputc('(', f);
            put_words(f, nm, o->values, o->kind == CLI_CHOICE ? o->choices : NULL);
            fputc(')', f);
        } else {
            fputs(o->values == CLI_V_FILE ? "_files" : o->values == CLI_V_DIR ? "_files -/" : " ", f);
        }
    }
    fputs("' \\\n", f);
}

static void zsh(FILE *f, names *nm)
{
    fprintf(f, "#compdef tokscope\n"
               "# zsh completion for tokscope, written by `tokscope completions zsh` (tokscope %s)\n"
               "# from its option tables.\n"
               "\n"
               "_tokscope() {\n"
               "  local curcontext=$curcontext\n"
               "  if (( CURRENT == 2 )); then\n"
               "    if [[ $PREFIX == -* ]]; then\n"
               "      compadd -- --help --version --man\n"
               "      return\n"
               "    fi\n"
               "    local -a commands\n"
               "    commands=(\n",
            tok_version());
    for (size_t c = 0; c < cli_n_commands; c++) {
        fprintf(f, "      '%s:", cli_commands[c]->name);
        put_quoted(f, cli_commands[c]->summary, ":", "'\\''");
        fputs("'\n", f);
    }
    fputs("    )\n"
          "    _describe -t commands 'tokscope command' commands\n"
          "    return\n"
          "  fi\n"
          "  local cmd=$words[2]\n"
          "  shift words\n"
          "  (( CURRENT-- ))\n"
          "  curcontext=\"${curcontext%:*:*}:tokscope-$cmd:\"\n"
          "  case $cmd in\n", f);
    for (size_t c = 0; c < cli_n_commands; c++) {
        const cli_command *cmd = cli_commands[c];
        fprintf(f, "  %s)\n    _arguments -s -S : \\\n", cmd->name);
        for (size_t i = 0; i < cmd->n_opts; i++)
            zsh_opt(f, nm, &cmd->opts[i]);
        fputs("    '(- *)'{-h,--help}'[this help]'", f);
        if (cmd->operands == CLI_V_FILE)
            fputs(" \\\n    '*:file:_files'", f);
        else if (cmd->operands == CLI_V_WORDS) {
            fputs(" \\\n    ':word:(", f);
            put_words(f, nm, CLI_V_NONE, cmd->operand_words);
            fputs(")'", f);
        }
        fputs("\n    ;;\n", f);
    }
    fputs("  esac\n"
          "}\n"
          "\n"
          "_tokscope \"$@\"\n", f);
}

/* ---- fish ---- */

static void fish(FILE *f, names *nm)
{
    fprintf(f, "# fish completion for tokscope, written by `tokscope completions fish` (tokscope %s)\n"
               "# from its option tables.\n"
               "\n"
               "function __fish_tokscope_needs_command\n"
               "    test (count (commandline -opc)) -eq 1\n"
               "end\n"
               "\n"
               "function __fish_tokscope_command --description 'is the command one of $argv?'\n"
               "    set -l words (commandline -opc)\n"
               "    test (count $words) -ge 2; and contains -- $words[2] $argv\n"
               "end\n"
               "\n"
               "complete -c tokscope -f\n"
               "complete -c tokscope -n __fish_tokscope_needs_command -l help -d 'commands and "
               "what they share'\n"
               "complete -c tokscope -n __fish_tokscope_needs_command -l version -d 'the version'\n"
               "complete -c tokscope -n __fish_tokscope_needs_command -l man -d 'the manual page "
               "(roff)'\n",
            tok_version());
    for (size_t c = 0; c < cli_n_commands; c++) {
        fprintf(f, "complete -c tokscope -n __fish_tokscope_needs_command -a %s -d '",
                cli_commands[c]->name);
        put_quoted(f, cli_commands[c]->summary, "\\", "\\'");
        fputs("'\n", f);
    }
    for (size_t c = 0; c < cli_n_commands; c++) {
        const cli_command *cmd = cli_commands[c];
        fputc('\n', f);
        for (size_t i = 0; i <= cmd->n_opts; i++) {
            static const cli_opt help = {"help", 'h', NULL, CLI_FLAG, .help = "this help"};
            const cli_opt *o = i < cmd->n_opts ? &cmd->opts[i] : &help;
            char brief[256];
            cli_opt_brief(o, brief, sizeof brief);
            fprintf(f, "complete -c tokscope -n '__fish_tokscope_command %s'", cmd->name);
            if (o->letter)
                fprintf(f, " -s %c", o->letter);
            fprintf(f, " -l %s", o->name);
            if (o->kind != CLI_FLAG && !o->implied) { /* an implied value: as a flag */
                if (has_words(o)) {
                    fputs(" -x -a '", f);
                    put_words(f, nm, o->values, o->kind == CLI_CHOICE ? o->choices : NULL);
                    fputc('\'', f);
                } else if (o->values == CLI_V_FILE) {
                    fputs(" -r -F", f);
                } else if (o->values == CLI_V_DIR) {
                    fputs(" -x -a '(__fish_complete_directories)'", f);
                } else {
                    fputs(" -x", f);
                }
            }
            fputs(" -d '", f);
            put_quoted(f, brief, "\\", "\\'");
            fputs("'\n", f);
        }
        if (cmd->operands == CLI_V_FILE)
            fprintf(f, "complete -c tokscope -n '__fish_tokscope_command %s' -F\n", cmd->name);
        else if (cmd->operands == CLI_V_WORDS) {
            fprintf(f, "complete -c tokscope -n '__fish_tokscope_command %s' -a '", cmd->name);
            put_words(f, nm, CLI_V_NONE, cmd->operand_words);
            fputs("'\n", f);
        }
    }
}

/* ---- the command ---- */

static int run(const cli_args *a)
{
    static const struct {
        const char *name;
        void (*write)(FILE *, names *);
    } shells[] = {{"bash", bash}, {"zsh", zsh}, {"fish", fish}};
    if (a->n_pos != 1)
        return cli_usage_error(a, "name one shell: bash, zsh or fish");
    for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
        if (!strcmp(a->pos[0], shells[i].name)) {
            names nm = {NULL};
            shells[i].write(stdout, &nm);
            tok_registry_close(nm.reg);
            check_stdout();
            return EXIT_OK;
        }
    return cli_usage_error(a, "no completions for '%s': bash, zsh or fish", a->pos[0]);
}

static const char usage[] =
    "completions bash|zsh|fish\n";

static const char about[] =
    "Print the completion script for a shell: every command, option and value tokscope\n"
    "knows, from the same tables as --help. make install installs all three; to try one:\n"
    "  source <(tokscope completions bash)\n"
    "  tokscope completions fish | source\n";

const cli_command cmd_completions = {
    .name = "completions", .synopsis = "SHELL", .run = run, .opts = NULL,
    .summary = "the completion script for bash, zsh or fish",
    .usage = usage, .about = about, .footer = NULL, .operands = CLI_V_WORDS,
    .operand_words = "bash|zsh|fish",
};
