#!/usr/bin/python3
"""chat_template_ref.py -- render a chat template as Hugging Face transformers' apply_chat_template
does, with Debian 12's python3-jinja2 (3.1.2). transformers itself is not installable here; this
script rebuilds the part of it that decides the rendered text, and nothing else.

Followed (read in the huggingface/transformers sources: chat_template_utils.py at commit 5e43e2e8
of the 4.4x series and on a recent main -- the one with _get_template_variables and
sanitize_special_tokens; the environment and the render call below are the same in both):
  src/transformers/utils/chat_template_utils.py
    _compile_jinja_template: ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
      extensions=[AssistantTracker, jinja2.ext.loopcontrols]); filters["tojson"] replaced by
      json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys);
      globals raise_exception(message) -> jinja2.exceptions.TemplateError(message) and
      strftime_now(format) -> datetime.now().strftime(format). AssistantTracker adds the
      {% generation %}...{% endgeneration %} block, which renders its body unchanged unless
      return_assistant_tokens_mask is asked for (it only records offsets).
    render_jinja_template: compiled.render(messages=chat, tools=tool_schemas, documents=documents,
      add_generation_prompt=add_generation_prompt, **kwargs). Tools given as JSON schemas (dicts)
      pass through unchanged (callables would go through get_json_schema; a request here is JSON,
      so it has none); tools=None stays None; documents must be dicts.
  src/transformers/tokenization_utils_base.py
    apply_chat_template: template_kwargs = {**self.special_tokens_map, **kwargs} -- the special
      tokens are template variables and caller kwargs (enable_thinking=..., date_string=...)
      override them. special_tokens_map holds, for each of bos_token, eos_token, unk_token,
      sep_token, pad_token, cls_token, mask_token, additional_special_tokens, its value as str
      (a list of str for additional_special_tokens) when set and non-empty. A template named by
      the config (a list of {"name", "template"}) is picked by name, "default" when none is asked.
      With tokenize=True the rendered text is encoded with add_special_tokens=False: the template
      writes BOS/EOS itself.

Not reproduced: newer transformers can, on request (sanitize_special_tokens), replace special-token
text inside the conversation by placeholders before rendering; the conversations here hold no
special-token text, so the goldens do not depend on it. continue_final_message is not used.
What this script cannot know and so fixes: the special tokens are read from tokenizer_config.json
alone (a token given as {"content": ...} gives its content); a tokenizer class's Python defaults
for a token the config leaves out are not applied. strftime_now reads a fixed clock (the request's
"now", default 2025-06-15T12:00:00) so goldens do not depend on the day they were made.

Usage:
  chat_template_ref.py TEMPLATE REQUEST.json     print the rendered text (no newline added)
    TEMPLATE: a tokenizer_config.json, or a bare template file (*.jinja)
    REQUEST:  {"messages": [...], "tools": [...], "documents": [...],
               "add_generation_prompt": bool, "template_name": "tool_use",
               "vars": {"enable_thinking": false, ...}, "now": "2025-06-15T12:00:00"}
  On a template error: exit 2 and "TemplateError: <the template's message>" (or the Python
  exception's type and message) on stderr.
"""

import datetime
import json
import sys

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

if jinja2.__version__ != "3.1.2":
    sys.exit(f"chat_template_ref.py: expected Debian 12's python3-jinja2 3.1.2, found {jinja2.__version__}")

SPECIAL_TOKEN_ATTRIBUTES = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
                            "cls_token", "mask_token", "additional_special_tokens")
DEFAULT_NOW = "2025-06-15T12:00:00"


class AssistantTracker(jinja2.ext.Extension):
    """transformers' {% generation %} block, inactive: the body renders as written."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    def _generation_support(self, caller):
        return caller()


def compile_template(source, now=DEFAULT_NOW):
    clock = datetime.datetime.fromisoformat(now)

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return clock.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


def token_text(value):
    if isinstance(value, dict):
        return value.get("content")
    return value


def special_tokens_map(config):
    out = {}
    for attr in SPECIAL_TOKEN_ATTRIBUTES:
        value = config.get(attr)
        if attr == "additional_special_tokens":
            value = [str(token_text(t)) for t in value] if value else None
        else:
            value = token_text(value)
            value = str(value) if value is not None else None
        if value:
            out[attr] = value
    return out


def pick_template(config, name=None):
    """The config's chat_template; a named one from a list, "default" when no name is asked."""
    ct = config.get("chat_template")
    if isinstance(ct, list):
        named = {t["name"]: t["template"] for t in ct}
        key = name if name is not None else "default"
        if key not in named:
            raise KeyError(f"no chat template named {key!r} (have {sorted(named)})")
        return named[key]
    if name is not None and name != "default":
        raise KeyError(f"no chat template named {name!r} (the config has a single template)")
    if not isinstance(ct, str):
        raise KeyError("the config has no chat_template")
    return ct


def render(source, special_tokens, request):
    """The text apply_chat_template(tokenize=False) returns. Raises what the template raises."""
    tools = request.get("tools")
    documents = request.get("documents")
    if tools is not None:
        for tool in tools:
            if not isinstance(tool, dict):
                raise ValueError("Tools should either be a JSON schema, or a callable function with type hints "
                                 "and a docstring suitable for auto-conversion to a schema.")
    if documents is not None:
        for document in documents:
            if not isinstance(document, dict):
                raise TypeError("Documents should be a list of dicts with 'title' and 'text' keys!")
    kwargs = {**special_tokens, **request.get("vars", {})}
    template = compile_template(source, request.get("now", DEFAULT_NOW))
    return template.render(messages=request["messages"], tools=tools, documents=documents,
                           add_generation_prompt=request.get("add_generation_prompt", False), **kwargs)


def load_template(path, template_name=None):
    """(template source, special tokens) from a tokenizer_config.json or a bare template file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        config = json.loads(text)
        return pick_template(config, template_name), special_tokens_map(config)
    return text, {}


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: chat_template_ref.py TEMPLATE REQUEST.json\n")
        return 2
    with open(argv[2], encoding="utf-8") as f:
        request = json.load(f)
    source, special = load_template(argv[1], request.get("template_name"))
    try:
        out = render(source, special, request)
    except jinja2.exceptions.TemplateError as e:
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        return 2
    except Exception as e:  # the template's own Python errors (TypeError, ...) are failures too
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        return 2
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
