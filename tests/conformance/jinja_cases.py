#!/usr/bin/python3
"""jinja_cases.py: write tests/golden/chat-templates/jinja_cases.jsonl, the expected output of
every small template below as Debian's python3-jinja2 renders it in transformers' environment
(chat_template_ref.compile_template). tests/unit/test_template.c renders the same templates with
lib/template and compares.

  /usr/bin/python3 tests/conformance/jinja_cases.py      (from the repository root)

Each case: a name, a template, a context (JSON object of variables). Expected: {"text": ...} or
{"error": {"type", "message"}} (TemplateSyntaxError and TemplateAssertionError are parse errors,
TemplateError from raise_exception carries the template's message, others are render errors).
A case marked "unsupported" is valid Jinja that lib/template refuses on purpose
(TMPL_ERR_UNSUPPORTED): Jinja's answer is recorded for reference and the C test expects the
refusal instead of a different text.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import chat_template_ref as ref  # noqa: E402

OUT = os.path.join(ROOT, "tests", "golden", "chat-templates", "jinja_cases.jsonl")

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}]

CASES = [
    # ---- lexer: data, comments, whitespace control, trim_blocks, lstrip_blocks, raw ----
    ("data_only", "hello\nworld", {}),
    ("trailing_newline_dropped", "a\n", {}),
    ("two_trailing_newlines", "a\n\n", {}),
    ("crlf_normalised", "a\r\nb\rc", {}),
    ("comment", "a{# note #}b", {}),
    ("comment_trim_newline", "a{# note #}\nb", {}),
    ("comment_lstrip", "x\n   {# note #}\ny", {}),
    ("comment_minus", "a   {#- note -#}   b", {}),
    ("var_no_trim", "{{ 1 }}\nx", {}),
    ("block_trim", "{% if true %}\nyes\n{% endif %}\nafter", {}),
    ("block_lstrip", "a\n    {% if true %}\n    in\n    {% endif %}\nb", {}),
    ("lstrip_not_for_var", "a\n    {{ 'v' }}\nb", {}),
    ("lstrip_tabs", "a\n\t \t{% if true %}x{% endif %}", {}),
    ("lstrip_text_before", "a  {% if true %}x{% endif %}", {}),
    ("lstrip_at_start", "   {% if true %}x{% endif %}", {}),
    ("plus_disables_lstrip", "a\n    {%+ if true %}x{% endif %}", {}),
    ("plus_disables_trim", "{% if true +%}\nx{% endif %}", {}),
    ("minus_left", "a  \n  {%- if true %}x{% endif %}", {}),
    ("minus_right", "{% if true -%}  \n  x{% endif %}", {}),
    ("minus_var", "a  {{- 'v' -}}  b", {}),
    ("minus_var_newlines", "a\n\n{{- 'v' -}}\n\nb", {}),
    ("trim_after_var_line", "{% set x = 1 %}\n{{ x }}\n{% set y = 2 %}\n{{ y }}", {}),
    ("line_starting_after_trim", "{% if true %}\n  {% if true %}\nx\n  {% endif %}\n{% endif %}", {}),
    ("raw_block", "{% raw %}{{ not }} {% evaluated %}{% endraw %}", {}),
    ("raw_minus", "a  {%- raw -%}  x  {%- endraw -%}  b", {}),
    ("raw_trim", "{% raw %}\nx\n{% endraw %}\ny", {}),
    ("unicode_data", "héllo 世界 🎉{{ x }}", {"x": "ü"}),
    ("braces_in_data", "a { b } {x} %} }}", {}),
    ("var_with_dict_literal", "{{ {'a': {'b': 1}} }}", {}),
    ("whitespace_unicode_lstrip", "a\n\u3000{% if true %}x{% endif %}", {}),
    # ---- literals and printing (Python str()) ----
    ("print_int", "{{ 42 }} {{ -7 }} {{ 0 }}", {}),
    ("print_float", "{{ 1.5 }} {{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e16 }} {{ 1e15 }} {{ 1.5e-5 }} {{ 0.0001 }} {{ 123456789.125 }}", {}),
    ("print_bools_none", "{{ true }} {{ false }} {{ True }} {{ none }} {{ None }}", {}),
    ("print_list", "{{ [1, 'a', none, true, 1.0, [2]] }}", {}),
    ("print_tuple", "{{ (1,) }} {{ (1, 2) }} {{ () }}", {}),
    ("print_dict", "{{ {'a': 1, 'b': 'x', 'c': [1]} }}", {}),
    ("print_str_repr_quotes", "{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'tab\\tnl\\n'] }}", {}),
    ("print_repr_unicode", "{{ ['é', '世', '\\x07', '\\u00a0', '\\u200b', '😀'] }}", {}),
    ("print_context_values", "{{ i }} {{ f }} {{ big }} {{ neg0 }} {{ s }} {{ n }} {{ b }}", {"i": 3, "f": 3.0, "big": 1e21, "neg0": -0.0, "s": "x", "n": None, "b": False}),
    ("print_tuple_expr", "{{ 1, 2 }}", {}),
    ("string_escapes", "{{ 'a\\nb\\tc\\\\d\\'e\\\"f\\x41\\u00e9\\U0001F600\\101' }}", {}),
    ("string_unknown_escape", "{{ 'a\\db' }}", {}),
    ("string_concat_adjacent", "{{ 'a' 'b' \"c\" }}", {}),
    ("int_literals", "{{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 0 }} {{ 00 }}", {}),
    ("float_literals", "{{ 1_0.5 }} {{ 2e3 }} {{ 2E-3 }} {{ 1.5e+2 }}", {}),
    # ---- operators ----
    ("arith", "{{ 7 + 2 }} {{ 7 - 2 }} {{ 7 * 2 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }}", {}),
    ("arith_negative", "{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ -7.5 // 2 }} {{ -7.5 % 2 }}", {}),
    ("arith_float", "{{ 1 + 1.5 }} {{ 4 / 2 }} {{ 2 ** -1 }} {{ 2.0 ** 3 }} {{ 10 / 4 }}", {}),
    ("pow_left_assoc", "{{ 2 ** 3 ** 2 }}", {}),
    ("bool_arith", "{{ true + 1 }} {{ true * 3 }} {{ false - 1 }}", {}),
    ("precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 * 3 ~ 4 }} {{ (1 + 2) ~ (3 + 4) }} {{ -2 ** 2 }} {{ 10 - 2 - 3 }} {{ 2 * 3 % 4 }}", {}),
    ("unary", "{{ -x }} {{ +x }} {{ - -3 }}", {"x": 5}),
    ("concat", "{{ 'a' ~ 1 ~ none ~ true ~ 1.5 ~ undefined_var ~ [1] }}", {}),
    ("str_plus", "{{ 'a' + 'b' }}", {}),
    ("list_plus", "{{ [1] + [2, 3] }}", {}),
    ("str_times", "{{ 'ab' * 3 }}{{ 3 * '-' }}{{ 'x' * 0 }}{{ 'x' * -1 }}|{{ [1, 2] * 2 }}", {}),
    ("comparisons", "{{ 1 < 2 }} {{ 2 <= 2 }} {{ 3 > 4 }} {{ 'a' < 'b' }} {{ 'B' < 'a' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ 1 != 2 }}", {}),
    ("chained_compare", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 1 == 1 == 1 }}", {}),
    ("eq_types", "{{ 1 == true }} {{ 0 == false }} {{ 'a' == 'a' }} {{ [1] == [1] }} {{ (1,) == [1] }} {{ {'a': 1} == {'a': 1} }} {{ none == none }} {{ none == 0 }}", {}),
    ("in_ops", "{{ 'a' in 'cat' }} {{ 'z' not in 'cat' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }} {{ '' in 'x' }} {{ 1 in [true] }}", {}),
    ("and_or_values", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ '' and 'z' }} {{ none or none }} {{ 'a' or 'b' }}", {}),
    ("not_ops", "{{ not true }} {{ not 0 }} {{ not [] }} {{ not none }} {{ not not 'x' }}", {}),
    ("ternary", "{{ 'y' if true else 'n' }} {{ 'y' if false else 'n' }} [{{ 'y' if false }}] {{ 1 if 0 else 2 if 0 else 3 }}", {}),
    ("truthiness", "{% for v in [0, 1, 0.0, 0.5, '', 'a', [], [0], {}, {'a': 1}, none, true, false] %}{{ 'T' if v else 'F' }}{% endfor %}", {}),
    # ---- errors from operators ----
    ("err_str_plus_none", "{{ 'a' + none }}", {}),
    ("err_none_plus_str", "{{ none + 'a' }}", {}),
    ("err_div_zero", "{{ 1 / 0 }}", {}),
    ("err_floordiv_zero", "{{ 1 // 0 }}", {}),
    ("err_compare_types", "{{ 1 < 'a' }}", {}),
    ("err_undefined_plus", "{{ missing + 1 }}", {}),
    ("err_in_none", "{{ 'a' in none }}", {}),
    ("err_list_plus_str", "{{ [1] + 'a' }}", {}),
    # ---- variables, attributes, items, slicing ----
    ("undefined_prints_empty", "[{{ missing }}]", {}),
    ("attr_and_item", "{{ m.role }} {{ m['content'] }} {{ m.get('role') }} {{ m.get('nope', 'dflt') }} {{ m.get('nope') }}", {"m": {"role": "user", "content": "hi"}}),
    ("missing_attr_empty", "[{{ m.nope }}][{{ m['nope'] }}]", {"m": {}}),
    ("err_attr_of_undefined", "{{ m.nope.deeper }}", {"m": {}}),
    ("err_attr_of_missing_var", "{{ nothing.attr }}", {}),
    ("list_index", "{{ l[0] }} {{ l[-1] }} [{{ l[10] }}] {{ l.1 }}", {"l": [10, 20, 30]}),
    ("str_index", "{{ s[0] }} {{ s[-1] }} {{ s[1] }}", {"s": "héllo"}),
    ("err_slice_undefined_bound", "{{ l[:missing] }}", {"l": [1, 2]}),
    ("err_slice_str_bound", "{{ l['a':] }}", {"l": [1, 2]}),
    ("err_slice_none", "{{ n[1:] }}", {"n": None}),
    ("err_slice_undefined", "{{ missing[1:] }}", {}),
    ("slice_range", "{{ range(5)[1:] | list }} {{ range(5)[::2] | list }} {{ range(5)[1] }}", {}),
    ("slices", "{{ l[1:] }} {{ l[:2] }} {{ l[::-1] }} {{ l[::2] }} {{ l[-2:] }} {{ l[1:-1] }} {{ l[5:] }} {{ l[3:1] }} {{ l[3:1:-1] }}", {"l": [1, 2, 3, 4, 5]}),
    ("str_slices", "{{ s[1:3] }}|{{ s[::-1] }}|{{ s[-3:] }}|{{ s[::2] }}|{{ s[10:] }}", {"s": "añb世c😀"}),
    ("dict_methods", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{{ d.keys() | list }} {{ d.values() | list }}", {"d": {"b": 1, "a": 2}}),
    ("dict_iteration_order", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"z": 1, "a": 2, "m": 3}}),
    ("dict_attr_vs_key", "{{ d.items is defined }} {{ d['items'] }} {{ d.x }}", {"d": {"items": "key", "x": 1}}),
    ("none_attr", "[{{ n.x is defined }}]", {"n": None}),
    ("err_none_attr_call", "{{ n.strip() }}", {"n": None}),
    ("nested_data", "{{ a.b[0].c }} {{ a['b'][0]['c'] }}", {"a": {"b": [{"c": "deep"}]}}),
    ("unsafe_method_undefined", "{{ l.append is defined }}[{{ l.append }}]", {"l": [1]}),
    ("err_unsafe_call", "{{ l.append(2) }}", {"l": [1]}),
    ("err_call_undefined", "{{ missing() }}", {}),
    ("err_call_string", "{{ 'a'() }}", {}),
    # ---- if / for ----
    ("if_elif_else", "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}other{% endif %},{% endfor %}", {}),
    ("if_tuple_test", "{% if 1, 2 %}yes{% endif %}", {}),
    ("for_loop_vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}", {}),
    ("for_prev_next", "{% for x in [1, 2, 3] %}[{{ loop.previtem }}|{{ loop.nextitem }}]{% endfor %}", {}),
    ("for_cycle", "{% for x in range(5) %}{{ loop.cycle('a', 'b', 'c') }}{% endfor %}", {}),
    ("for_changed", "{% for x in [1, 1, 2, 2, 1] %}{{ loop.changed(x) }} {% endfor %}", {}),
    ("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}{% for x in [1] %}x{% else %}empty{% endfor %}", {}),
    ("for_filter", "{% for x in range(10) if x is odd %}{{ x }}{{ loop.index }}/{{ loop.length }} {% endfor %}", {}),
    ("for_filter_else", "{% for x in [1, 3] if x is even %}{{ x }}{% else %}none{% endfor %}", {}),
    ("for_unpack", "{% for a, b in [[1, 2], [3, 4]] %}{{ a }}{{ b }}{% endfor %}{% for k, v in {'x': 1}.items() %}{{ k }}{{ v }}{% endfor %}", {}),
    ("err_for_unpack_count", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", {}),
    ("for_string", "{% for c in 'héllo' %}{{ c }}.{% endfor %}", {}),
    ("for_undefined", "[{% for x in missing %}x{% endfor %}]", {}),
    ("err_for_none", "{% for x in n %}{% endfor %}", {"n": None}),
    ("err_for_int", "{% for x in 5 %}{% endfor %}", {}),
    ("for_nested_loop", "{% for a in [1, 2] %}{% for b in [3, 4] %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }};{% endfor %}", {}),
    ("for_break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("for_scope", "{% set x = 0 %}{% for i in range(3) %}[{{ x }}]{% set x = i %}({{ x }}){% endfor %}{{ x }}", {}),
    ("for_scope_read_before_set", "{% for i in range(3) %}[{{ y }}]{% set y = i %}{% endfor %}", {}),
    ("scope_root_store_shadows_context", "{% for i in [1] %}[{{ s }}]{% endfor %}{% set s = 1 %}[{{ s }}]", {"s": "ctx"}),
    ("scope_root_load_first", "[{{ s }}]{% set s = 1 %}[{{ s }}]{% for i in [1] %}[{{ s }}]{% endfor %}", {"s": "ctx"}),
    ("scope_if_one_branch", "{% for i in [1] %}[{{ s }}]{% endfor %}{% if false %}{% set s = 1 %}{% endif %}[{{ s }}]", {"s": "ctx"}),
    ("scope_if_else_both", "{% for i in [1] %}[{{ s }}]{% endfor %}{% if x %}{% set s = 1 %}{% else %}{% set s = 2 %}{% endif %}", {"s": "ctx"}),
    ("scope_if_elif_else_all", "{% for i in [1] %}[{{ s }}]{% endfor %}{% if x %}{% set s = 1 %}{% elif y %}{% set s = 2 %}{% else %}{% set s = 3 %}{% endif %}[{{ s }}]", {"s": "ctx"}),
    ("scope_nested_loop_before_set", "{% for i in [1] %}{% for j in [1] %}[{{ s }}]{% endfor %}{% set s = 2 %}{% endfor %}", {"s": "ctx"}),
    ("scope_macro_before_root_set", "{% macro m() %}[{{ s }}]{% endmacro %}{{ m() }}{% set s = 1 %}{{ m() }}", {"s": "ctx"}),
    ("scope_filter_block", "{% filter upper %}{% set q = 'in' %}{{ q }}{% endfilter %}[{{ q }}]", {}),
    ("scope_set_block", "{% set b %}{% set q = 1 %}{{ q }}{% endset %}[{{ q }}]{{ b }}", {}),
    ("scope_with", "{% with a = 1 %}{% set s = 3 %}{{ a }}{% endwith %}[{{ s }}][{{ a }}]", {"s": "ctx"}),
    ("scope_for_else", "{% for i in [] %}{% else %}[{{ s }}]{% endfor %}{% set s = 2 %}", {"s": "ctx"}),
    ("scope_loop_branch_set", "{% for i in [1, 2] %}{% if i == 2 %}{% set s = 5 %}{% endif %}[{{ s }}]{% endfor %}", {"s": "ctx"}),
    ("scope_generation_block", "{% generation %}{% set g = 1 %}{{ g }}{% endgeneration %}[{{ g }}]", {}),
    ("scope_set_before_loop", "{% set s = 'root' %}{% for i in [1] %}[{{ s }}]{% endfor %}", {"s": "ctx"}),
    ("if_no_scope", "{% if true %}{% set w = 3 %}{% endif %}{{ w }}", {}),
    ("loop_outside", "[{{ loop }}]", {}),
    ("for_messages", "{% for m in messages %}{{ m.role }}:{{ m.content }}\n{% endfor %}", {"messages": MSGS}),
    ("for_dict_values_loop_last", "{% for m in messages %}{{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}", {"messages": MSGS}),
    ("loop_length_filtered", "{% for m in messages if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}{{ m.role[0] }} {% endfor %}", {"messages": MSGS}),
    # ---- set, namespace, with ----
    ("set_simple", "{% set x = 'a' %}{% set y = x ~ 'b' %}{{ y }}", {}),
    ("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c, d = [3, 4] %}{{ c }}{{ d }}", {}),
    ("set_block", "{% set x %}inner {{ 1 + 1 }}{% endset %}[{{ x }}]", {}),
    ("set_block_filter", "{% set x | upper %}abc{% endset %}{{ x }}", {}),
    ("set_block_filters", "{% set x | trim | upper %}  abc  {% endset %}[{{ x }}]", {}),
    ("namespace", "{% set ns = namespace(count=0, found=false) %}{% for i in range(3) %}{% set ns.count = ns.count + i %}{% endfor %}{{ ns.count }} {{ ns.found }}", {}),
    ("namespace_dict_arg", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{{ ns['a'] }}[{{ ns.c }}]", {}),
    ("namespace_print", "{{ namespace(a=1) }}", {}),
    ("err_set_attr_non_namespace", "{% set d = {} %}{% set d.x = 1 %}", {}),
    ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
    ("dict_global", "{{ dict(a=1, b='x') }}", {}),
    ("range_forms", "{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(10, 0, -3) | list }} {{ range(0) | list }} {{ range(3) | length }}", {}),
    ("err_range_too_big", "{{ range(200000) | length }}", {}),
    # ---- macros, call blocks, filter blocks ----
    ("macro_basic", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bo') }} {{ greet('Al', '?') }} {{ greet(punct='.', name='Cy') }}", {}),
    ("macro_missing_arg", "{% macro f(a, b) %}[{{ a }}|{{ b }}]{% endmacro %}{{ f(1) }}", {}),
    ("macro_default_refers_earlier", "{% macro f(a, b=a ~ 'x') %}{{ b }}{% endmacro %}{{ f('q') }}", {}),
    ("macro_varargs_kwargs", "{% macro f(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ f(1, 2, 3, k='v') }}", {}),
    ("err_macro_too_many_args", "{% macro f(a) %}{{ a }}{% endmacro %}{{ f(1, 2) }}", {}),
    ("err_macro_unknown_kwarg", "{% macro f(a) %}{{ a }}{% endmacro %}{{ f(1, z=2) }}", {}),
    ("macro_sees_globals_at_call", "{% macro m() %}{{ z }}{% endmacro %}{% set z = 1 %}{{ m() }}{% set z = 2 %}{{ m() }}", {}),
    ("macro_closure_loop", "{% for i in range(2) %}{% macro m() %}{{ i }}{% endmacro %}{{ m() }}{% endfor %}", {}),
    ("macro_recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}", {}),
    ("macro_returns_string", "{% macro m() %} x {% endmacro %}[{{ m() | trim }}]{{ m() | length }}", {}),
    ("macro_set_local", "{% set v = 'outer' %}{% macro m() %}{% set v = 'inner' %}{{ v }}{% endmacro %}{{ m() }}{{ v }}", {}),
    ("call_block", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold{% endcall %}", {}),
    ("call_block_args", "{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}", {}),
    ("filter_block", "{% filter upper %}hello {{ 'world' }}{% endfilter %}", {}),
    ("filter_block_chain", "{% filter trim | replace('a', 'o') %}  banana  {% endfilter %}", {}),
    ("generation_block", "a{% generation %}gen {{ 1 }}{% endgeneration %}b", {}),
    ("print_statement", "{% print 'x', 1 %}", {}),
    # ---- tests ----
    ("tests_defined", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ none is defined }}", {"x": 1}),
    ("tests_types", "{% for v in [1, 1.5, 'a', true, none, [1], {'a': 1}] %}{{ v is number }}{{ v is integer }}{{ v is float }}{{ v is string }}{{ v is boolean }}{{ v is none }}{{ v is mapping }}{{ v is iterable }}{{ v is sequence }} {% endfor %}", {}),
    ("tests_undefined_types", "{{ u is iterable }} {{ u is sequence }} {{ u is string }} {{ u is none }} {{ u is mapping }} {{ u is callable }}", {}),
    ("tests_true_false", "{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }}", {}),
    ("tests_numbers", "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ -3 is odd }}", {}),
    ("tests_compare", "{{ 2 is eq 2 }} {{ 2 is equalto 3 }} {{ 2 is ne 3 }} {{ 3 is gt 2 }} {{ 3 is ge 3 }} {{ 1 is lt 2 }} {{ 2 is le 1 }} {{ 5 is greaterthan 1 }} {{ 5 is lessthan 1 }}", {}),
    ("tests_in", "{{ 2 is in [1, 2] }} {{ 'a' is in 'xyz' }} {{ 'k' is in {'k': 0} }}", {}),
    ("tests_not", "{{ x is not none }} {{ x is not string }} {{ not x is string }}", {"x": "s"}),
    ("tests_callable", "{{ range is callable }} {{ 'a'.strip is callable }} {{ 1 is callable }}", {}),
    ("tests_string_case", "{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aBc' is lower }} {{ '123' is lower }}", {}),
    ("tests_sameas", "{{ none is sameas none }} {{ true is sameas true }} {{ false is sameas 0 }}", {}),
    ("tests_filter_test", "{{ 'upper' is filter }} {{ 'nope' is filter }} {{ 'odd' is test }}", {}),
    ("test_in_selectattr", "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}", {"messages": MSGS}),
    ("err_unknown_test", "{{ 1 is frobnicated }}", {}),
    # ---- filters ----
    ("f_tojson_basic", "{{ d | tojson }}", {"d": {"a": [1, 2.5, "é", None, True], "b": {"c": "\"q\" \\ \n\t\u0001\u007f"}}}),
    ("f_tojson_indent", "{{ d | tojson(indent=2) }}|{{ [] | tojson(indent=2) }}|{{ {} | tojson(indent=4) }}|{{ [1, [2, {}]] | tojson(indent=1) }}", {"d": {"a": [1, {"b": 2}], "e": []}}),
    ("f_tojson_indent_zero_str", "{{ [1, 2] | tojson(indent=0) }}|{{ {'a': 1} | tojson(indent='\\t') }}", {}),
    ("f_tojson_separators", "{{ d | tojson(separators=(',', ':')) }} {{ d | tojson(separators=[';', '=']) }}", {"d": {"a": 1, "b": [1, 2]}}),
    ("f_tojson_sort_ascii", "{{ d | tojson(sort_keys=true) }} {{ d | tojson(ensure_ascii=true) }}", {"d": {"zé": 1, "a😀": "世", "B": 2}}),
    ("f_tojson_floats", "{{ [1.0, 0.1, 1e21, 1e-7, -0.0, 100.0, 3.14159, 1e16, 123456789012345678.0] | tojson }}", {}),
    ("f_tojson_scalars", "{{ 'x' | tojson }} {{ 1 | tojson }} {{ none | tojson }} {{ true | tojson }} {{ (1, 2) | tojson }}", {}),
    ("f_tojson_int_keys", "{{ {1: 'a', 2.5: 'b', true: 'c', none: 'd'} | tojson }}", {}),
    ("err_tojson_undefined", "{{ missing | tojson }}", {}),
    ("f_tojson_function_call", "{{ tojson is defined }}", {}),
    ("f_trim", "[{{ '  a b \\n' | trim }}][{{ 'xxaxx' | trim('x') }}][{{ '\\u3000a\\u00a0' | trim }}][{{ missing | trim }}]", {}),
    ("f_length", "{{ 'héllo' | length }} {{ [1, 2] | length }} {{ {'a': 1} | length }} {{ missing | length }} {{ '' | count }}", {}),
    ("err_length_int", "{{ 5 | length }}", {}),
    ("f_default", "{{ missing | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ 'v' | d('d') }} {{ missing | d }}|", {}),
    ("f_first_last", "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} {{ 'abc' | last }} [{{ [] | first }}] {{ {'a': 1, 'b': 2} | first }}", {}),
    ("f_join", "{{ [1, 'a', none] | join }} {{ ['x', 'y'] | join(', ') }} {{ users | join(', ', attribute='name') }} {{ missing | join('-') }}", {"users": [{"name": "a"}, {"name": "b"}]}),
    ("f_list", "{{ 'ab' | list }} {{ {'k': 1} | list }} {{ (1, 2) | list }}", {}),
    ("f_map_attr", "{{ users | map(attribute='name') | list }} {{ users | map(attribute='missing', default='?') | list }} {{ users | map(attribute='tags.0') | list }}", {"users": [{"name": "a", "tags": ["t1"]}, {"name": "b", "tags": ["t2"]}]}),
    ("f_map_filter", "{{ ['a', 'B'] | map('upper') | list }} {{ [' x ', 'y '] | map('trim') | join('|') }} {{ [1, 2] | map('string') | list }} {{ ['ab'] | map('replace', 'a', 'z') | list }}", {}),
    ("f_map_none", "{{ none | map('upper') | list }} {{ missing | map(attribute='x') | list }}", {}),
    ("f_select_reject", "{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('odd') | list }} {{ [0, 1, '', 'a', none] | select | list }} {{ [1, 5, 3] | select('gt', 2) | list }}", {}),
    ("f_selectattr", "{{ msgs | selectattr('role', 'equalto', 'user') | list | length }} {{ msgs | rejectattr('role', 'equalto', 'user') | map(attribute='role') | list }} {{ msgs | selectattr('tool_calls') | list | length }} {{ msgs | selectattr('tool_calls', 'defined') | list | length }}", {"msgs": [{"role": "user"}, {"role": "assistant", "tool_calls": [1]}, {"role": "user", "tool_calls": []}]}),
    ("f_select_none", "{{ none | selectattr('a') | list }} {{ '' | select | list }}", {}),
    ("generator_truthy", "{{ 'T' if ([] | select) else 'F' }} {{ 'T' if ([] | select | list) else 'F' }}", {}),
    ("err_generator_length", "{{ [1] | select | length }}", {}),
    ("f_items", "{% for k, v in {'a': 1, 'b': 2} | items %}{{ k }}{{ v }}{% endfor %}[{% for x in missing | items %}x{% endfor %}]", {}),
    ("err_items_list", "{{ [1] | items | list }}", {}),
    ("f_dictsort", "{{ {'b': 1, 'a': 2, 'C': 0} | dictsort }} {{ {'b': 1, 'a': 2} | dictsort(by='value') }} {{ {'b': 1, 'A': 2, 'a': 3} | dictsort(true) }} {{ {'b': 1, 'a': 2} | dictsort(reverse=true) }}", {}),
    ("f_case", "{{ 'hello World' | upper }} {{ 'HeLLo' | lower }} {{ 'hello world' | capitalize }} {{ 'hello wORLD-foo (bar)[baz] <q>x' | title }}", {}),
    ("f_case_unicode", "{{ 'straße ǆ éa' | upper }} {{ 'ÉÀ İ Σ' | lower }} {{ 'ǆa' | capitalize }} {{ 'éa ǆb' | title }}", {}),
    ("f_replace", "{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 'abc' | replace('', '-') }} {{ 'héllo' | replace('é', 'e') }}", {}),
    ("f_string_safe", "{{ 1 | string }}{{ none | string }}{{ [1] | string }}{{ 'x' | safe }}", {}),
    ("f_int", "{{ '42' | int }} {{ '3.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.9 | int }} {{ -3.9 | int }} {{ '0x1F' | int(0, 16) }} {{ ' 12 ' | int }} {{ true | int }} {{ none | int }} {{ '1_000' | int }}", {}),
    ("f_float", "{{ '1.5' | float }} {{ 'x' | float }} {{ 2 | float }} {{ ' 2e3 ' | float }} {{ 'nan' | float }} {{ 'inf' | float }} {{ none | float(1.5) }}", {}),
    ("f_round", "{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} {{ 1.55 | round(1) }} {{ 2.4 | round(0, 'ceil') }} {{ 2.6 | round(0, 'floor') }} {{ 5 | round }} {{ 1.23456 | round(3, 'floor') }}", {}),
    ("f_abs", "{{ -3 | abs }} {{ -2.5 | abs }} {{ 4 | abs }}", {}),
    ("f_indent", "[{{ 'a\\nb\\n\\nc' | indent }}][{{ 'a\\nb' | indent(2, true) }}][{{ 'a\\n\\nb' | indent(2, blank=true) }}][{{ 'x\\ny\\n' | indent('> ') }}]", {}),
    ("f_unique", "{{ [1, 2, 1, 3, 2] | unique | list }} {{ ['a', 'A', 'b'] | unique | list }} {{ ['a', 'A', 'b'] | unique(true) | list }} {{ users | unique(attribute='g') | map(attribute='n') | list }}", {"users": [{"n": 1, "g": "x"}, {"n": 2, "g": "y"}, {"n": 3, "g": "x"}]}),
    ("f_sort", "{{ [3, 1, 2] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ users | sort(attribute='age') | map(attribute='n') | list }}", {"users": [{"n": "a", "age": 3}, {"n": "b", "age": 1}, {"n": "c", "age": 2}]}),
    ("f_reverse", "{{ 'abc' | reverse }} {{ [1, 2, 3] | reverse | list }} {{ 'añ😀' | reverse }} {{ [1, 2] | select | reverse }} {{ {'a': 1, 'b': 2} | reverse | list }} {{ 'T' if [] | reverse else 'F' }}", {}),
    ("err_reverse_int", "{{ 5 | reverse }}", {}),
    ("reverse_undefined", "[{% for x in missing | reverse %}{{ x }}{% endfor %}]", {}),
    ("unsupported_print_reversed_undefined", "{{ missing | reverse }}", {}, "unsupported"),
    ("unsupported_print_range_slice", "{{ range(5)[1:] }}", {}, "unsupported"),
    ("f_sum_min_max", "{{ [1, 2, 3] | sum }} {{ [1.5, 2] | sum }} {{ users | sum(attribute='a') }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ ['b', 'A'] | min }} {{ users | max(attribute='a') }}", {"users": [{"a": 1}, {"a": 5}]}),
    ("f_batch", "{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3] | batch(2, 'x') | list }}", {}),
    ("f_attr", "{{ d | attr('items') is defined }} {{ d | attr('a') is defined }} {{ namespace(a=3) | attr('a') }}", {"d": {"a": 1}}),
    ("f_wordcount", "{{ 'hello big_world, 42 times' | wordcount }}", {}),
    ("err_unknown_filter", "{{ 1 | frobnicate }}", {}),
    ("filter_chain_precedence", "{{ -3 | abs }} {{ 1 ~ 2 | string }} {{ 'a' ~ 'b' | upper }} {{ [3, 1] | sort | first + 1 }}", {}),
    ("err_filter_binds_tighter", "{{ 1 + 2 | string }}", {}),
    # ---- string methods ----
    ("m_strip", "[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ 'xxaxx'.strip('x') }}][{{ '<a>'.strip('<>') }}][{{ 'abc'.rstrip('cb') }}]", {"s": "  pad  \n"}),
    ("m_split", "{{ 'a,b,,c'.split(',') }} {{ '  a  b \\n c '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ ''.split() }} {{ ''.split(',') }} {{ 'a  b  c'.split(None, 1) }}", {}),
    ("m_splitlines", "{{ 'a\\nb\\r\\nc\\rd'.splitlines() }} {{ 'a\\nb\\n'.splitlines(true) }}", {}),
    ("m_starts_ends", "{{ s.startswith('He') }} {{ s.endswith('!') }} {{ s.startswith(('x', 'H')) }} {{ s.endswith('lo', 0, 5) }} {{ s.startswith('') }}", {"s": "Hello!"}),
    ("m_case", "{{ 'hello world'.title() }} {{ \"they're bill's\".title() }} {{ 'hELLO'.capitalize() }} {{ 'ab'.upper() }} {{ 'AB'.lower() }}", {}),
    ("m_replace_find", "{{ 'aaa'.replace('a', 'b', 1) }} {{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'héllo'.find('l') }} {{ 'banana'.count('an') }}", {}),
    ("m_join", "{{ ', '.join(['a', 'b']) }} {{ '-'.join('xyz') }}", {}),
    ("err_m_join_int", "{{ ','.join([1, 2]) }}", {}),
    ("m_is", "{{ '123'.isdigit() }} {{ 'abc'.isalpha() }} {{ ' \\t'.isspace() }} {{ 'AB'.isupper() }} {{ 'ab'.islower() }} {{ ''.isdigit() }}", {}),
    ("m_on_content", "{% for m in messages %}{{ m['content'].strip().lower()[:3] }}|{% endfor %}", {"messages": MSGS}),
    # ---- globals ----
    ("raise_exception", "{{ raise_exception('Only user and assistant roles are supported!') }}", {}),
    ("raise_in_loop", "{% for m in messages %}{% if m.role == 'assistant' %}{{ raise_exception('no assistant at ' ~ loop.index) }}{% endif %}{% endfor %}", {"messages": MSGS}),
    ("strftime_now", "{{ strftime_now('%Y-%m-%d %H:%M:%S %d %b %Y %A %j') }}", {}),
    ("global_names_defined", "{{ range is defined }} {{ namespace is defined }} {{ raise_exception is defined }} {{ strftime_now is defined }} {{ lipsum is defined }}", {}),
    ("context_overrides_global", "{{ range }}", {"range": "mine"}),
    # ---- parse errors ----
    ("err_syntax_unclosed_if", "{% if true %}x", {}),
    ("err_syntax_unknown_tag", "{% frob %}", {}),
    ("err_syntax_bad_expr", "{{ 1 + }}", {}),
    ("err_syntax_unclosed_var", "{{ x ", {}),
    ("err_syntax_unbalanced", "{{ (1 }}", {}),
    ("err_syntax_endfor_mismatch", "{% for x in y %}{% endif %}", {}),
    ("err_syntax_comment", "{# never closed", {}),
    ("err_syntax_chained_is", "{{ x is defined is defined }}", {}),
    # ---- a real chat template shape ----
    ("chatml_like", "{%- for message in messages %}\n    {{- '<|im_start|>' + message.role + '\\n' + message.content | trim + '<|im_end|>\\n' }}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n", {"messages": MSGS, "add_generation_prompt": True}),
    ("llama_like_system", "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}", {"messages": MSGS, "bos_token": "<s>", "eos_token": "</s>"}),
    # ---- what lib/template refuses on purpose ----
    ("unsupported_str_format", "{{ '{} x'.format(1) }}", {}, "unsupported"),
    ("unsupported_percent_format", "{{ '%s!' % 'hi' }}", {}, "unsupported"),
    ("unsupported_print_generator", "{{ [1, 2] | map('string') }}", {}, "unsupported"),
    ("unsupported_print_items_view", "{{ {'a': 1}.items() }}", {}, "unsupported"),
    ("unsupported_print_macro", "{% macro m() %}{% endmacro %}{{ m }}", {}, "unsupported"),
    ("unsupported_include", "{% include 'x.html' %}", {}, "unsupported"),
    ("unsupported_filter_format", "{{ '%s' | format(1) }}", {}, "unsupported"),
    ("unsupported_cycler", "{{ cycler('a', 'b').next() }}", {}, "unsupported"),
    ("unsupported_markup_plus", "{{ 'a' | safe + '<b>' }}", {}, "unsupported"),
    ("unsupported_big_int", "{{ 2 ** 70 }}", {}, "unsupported"),
]


def expected(template, context):
    try:
        env_template = ref.compile_template(template)
    except Exception as e:  # noqa: BLE001
        return {"error": {"type": type(e).__name__, "message": str(e), "phase": "parse"}}
    try:
        return {"text": env_template.render(**context)}
    except Exception as e:  # noqa: BLE001
        return {"error": {"type": type(e).__name__, "message": str(e), "phase": "render"}}


def main():
    seen = set()
    with open(OUT, "w", encoding="utf-8") as f:
        for case in CASES:
            name, template, context = case[:3]
            assert name not in seen, name
            seen.add(name)
            row = {"name": name, "template": template, "context": context, "expect": expected(template, context)}
            if len(case) > 3:
                row["unsupported"] = True
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} cases -> {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
