# ngx_pylon build.
#
#   make          build/ngx_pylon_module.so (against Debian's nginx, nginx-dev)
#                 plus the command-line tools build/pylon-*
#   make test     C unit tests (TAP, prove), fuzzing, the pytest suite in t/,
#                 then its HTTP, writes and fault part under ASan+UBSan
#   make demo     a local chain (chopsticks) and nginx with the module
#   make bench    benchmarks (wrk, same-run ratios)
#   make test-asan  the pytest suite against an ASan+UBSan build of the
#                 module (build-asan/), libasan preloaded into nginx
#
# The module is compiled by nginx's own build with Debian's flags (-Werror).
# The pure C layers (src/chain, src/crypto, src/bittensor, src/store) are
# also compiled here into static libraries for the unit tests (ASan+UBSan)
# and the tools (optimised).

SHELL := /bin/bash
.DEFAULT_GOAL := all

NGX_SRC   ?= /usr/share/nginx/src
B         := build
PYTHON    ?= /usr/bin/python3
export PYLON_SHARED ?= $(abspath ../shared)
export PYLON_ROOT   := $(CURDIR)

CC        ?= gcc
WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wpointer-arith
CFLAGS_T  := -std=gnu11 -g -O1 $(WARN) -Isrc -fno-omit-frame-pointer \
             -fsanitize=address,undefined -fno-sanitize-recover=all
CFLAGS_O  := -std=gnu11 -g -O2 $(WARN) -Isrc -D_FORTIFY_SOURCE=2 \
             -fstack-protector-strong
LIBS      := -lsodium -ljansson -lxxhash -llmdb -ldeflate -lssl -lcrypto -lm

LIB_DIRS  := src/chain src/crypto src/bittensor src/store src/evm
LIB_SRCS  := $(shell find $(LIB_DIRS) -name '*.c' 2>/dev/null | sort)
HDRS      := $(shell find src -name '*.h' | sort)
MOD_SRCS  := ngx_pylon_module.c \
             $(shell find src -name '*.c' -not -path 'src/tools/*' | sort)
TOOL_SRCS := $(wildcard src/tools/pylon-*.c)
TOOLS     := $(TOOL_SRCS:src/tools/%.c=$(B)/%)
UNIT_SRCS := $(wildcard t/unit/test_*.c)
UNITS     := $(UNIT_SRCS:t/unit/%.c=$(B)/t/%.t)
BENCH_SRCS:= $(wildcard t/bench/bench_*.c)
BENCHES   := $(BENCH_SRCS:t/bench/%.c=$(B)/bench/%)

OBJS_T    := $(LIB_SRCS:%.c=$(B)/asan/%.o)
OBJS_O    := $(LIB_SRCS:%.c=$(B)/obj/%.o)

.PHONY: all module tools units test unit fuzz pytest demo bench deps clean FORCE \
        asan-module test-asan

all: module tools units

module: $(B)/ngx_pylon_module.so
tools: $(TOOLS)
units: $(UNITS)

# --- the nginx module ----------------------------------------------------

$(B)/srcs.list: FORCE
	@mkdir -p $(B)
	@echo '$(MOD_SRCS) $(HDRS)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(B)/nginx/Makefile: config $(B)/srcs.list
	@mkdir -p $(B)/nginx
	cd $(NGX_SRC) && . ./conf_flags && ./configure \
	  --with-cc-opt="$$(dpkg-buildflags --get CFLAGS) -fPIC \
	    $$(dpkg-buildflags --get CPPFLAGS) $(EXTRA_CFLAGS)" \
	  --with-ld-opt="$$(dpkg-buildflags --get LDFLAGS) -fPIC \
	    $(EXTRA_LDFLAGS)" \
	  "$${NGX_CONF_FLAGS[@]}" \
	  --add-dynamic-module=$(CURDIR) --builddir=$(CURDIR)/$(B)/nginx \
	  > $(CURDIR)/$(B)/nginx/configure.log || \
	  { cat $(CURDIR)/$(B)/nginx/configure.log; exit 1; }

# a dynamic module links with unresolved symbols: load it once to be sure;
# replaced by rename, never rewritten in place under a running nginx
$(B)/ngx_pylon_module.so: $(B)/nginx/Makefile $(MOD_SRCS) $(HDRS)
	$(MAKE) -s -f $(CURDIR)/$(B)/nginx/Makefile -C $(NGX_SRC) modules
	printf 'load_module %s;\nevents {}\n' \
	  $(CURDIR)/$(B)/nginx/ngx_pylon_module.so > $(B)/loadcheck.conf
	$(NGX_PRELOAD) nginx -q -t -e stderr -p $(CURDIR)/$(B)/ \
	  -c $(CURDIR)/$(B)/loadcheck.conf
	cp $(B)/nginx/ngx_pylon_module.so $@.tmp && mv -f $@.tmp $@

# --- pure C layers: unit tests (sanitized) and tools (optimised) ---------

$(B)/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_T) -c $< -o $@

$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_O) -c $< -o $@

$(B)/libpylon-asan.a: $(OBJS_T)
	@rm -f $@
	ar rcs $@ $^

$(B)/libpylon.a: $(OBJS_O)
	@rm -f $@
	ar rcs $@ $^

$(B)/t/%.t: t/unit/%.c t/unit/tap.h $(B)/libpylon-asan.a
	@mkdir -p $(B)/t
	$(CC) $(CFLAGS_T) -It/unit $< $(B)/libpylon-asan.a $(LIBS) -o $@

# the helper's head slot is plain C (no nginx types): linked on its own
$(B)/t/test_head_slot.t: t/unit/test_head_slot.c t/unit/tap.h \
    src/helper/ngx_pylon_head_slot.c src/helper/ngx_pylon_head_slot.h
	@mkdir -p $(B)/t
	$(CC) $(CFLAGS_T) -It/unit $< src/helper/ngx_pylon_head_slot.c -o $@

$(B)/pylon-%: src/tools/pylon-%.c $(B)/libpylon.a
	$(CC) $(CFLAGS_O) $< $(B)/libpylon.a $(LIBS) -o $@

$(B)/bench/%: t/bench/%.c $(B)/libpylon.a
	@mkdir -p $(B)/bench
	$(CC) $(CFLAGS_O) $< $(B)/libpylon.a $(LIBS) -o $@

# --- tests ---------------------------------------------------------------

deps:
	t/js/install.sh

test:
	t/bootstrap.sh test
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) fuzz
	$(MAKE) pytest
	$(MAKE) test-asan ASAN_TESTS="$(ASAN_CI_TESTS)"

fuzz:
	t/fuzz/run.sh

unit: units
	ASAN_OPTIONS=detect_leaks=1 prove --exec '' $(UNITS)

pytest: all
	$(PYTHON) -m pytest -q -rs t/

# make test-asan: the pytest suite against the module built with ASan and
# UBSan (build-asan/), loaded into Debian's nginx with libasan preloaded
# into nginx only (master, workers, helper: t/lib/harness.py PYLON_PRELOAD).
# Any report fails the test that saw it (error.log check).  The valgrind
# tests do not mix with ASan and are left out.
BA          := build-asan
ASAN_LIB    ?= $(shell $(CC) -print-file-name=libasan.so)
ASAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
ASAN_TESTS  ?= $(filter-out %valgrind.py,$(wildcard t/test_*.py))
# the part make test runs (HTTP, auth, writes, faults: about 5 minutes);
# make test-asan alone runs them all (35-45 minutes on 2 cores)
ASAN_CI_TESTS := $(addprefix t/test_,$(addsuffix .py,no_crash fuzz_http \
                 identity_auth v2_auth block_latest metrics_http \
                 helper_process data_fakenode gzip_copies evm_logs writes \
                 jobs_budget meta_fakenode reorg_fakenode \
                 writes_reorg_fakenode writes_outcome_fakenode))

asan-module:
	$(MAKE) B=$(BA) EXTRA_CFLAGS="$(ASAN_FLAGS)" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" \
	  NGX_PRELOAD="env LD_PRELOAD=$(ASAN_LIB) ASAN_OPTIONS=detect_leaks=0" \
	  module

test-asan: all asan-module
	PYLON_MODULE=$(CURDIR)/$(BA)/ngx_pylon_module.so \
	PYLON_PRELOAD=$(ASAN_LIB) \
	  $(PYTHON) -m pytest -q -rs -p no:cacheprovider $(ASAN_TESTS)

demo:
	t/bootstrap.sh demo
	$(MAKE) module tools
	t/demo.sh

bench: all $(BENCHES)
	t/bench/run.sh

clean:
	rm -rf $(B) $(BA)

# --- distribution: container image, Debian package (issue 16) ------------
#   make image     the Dockerfile with docker, else podman (chroot isolation)
#   make deb       libnginx-mod-http-pylon_*.deb into build/deb (debian/)
#   make test-dist their tests: image and package installed into a chroot
PYLON_IMAGE ?= ngx-pylon

.PHONY: image deb test-dist
image:
	t/dist/image.sh build $(PYLON_IMAGE)

deb:
	t/dist/deb.sh

test-dist:
	t/bootstrap.sh dist
	PYLON_TEST_DIST=1 $(PYTHON) -m pytest -q -rs -s t/test_dist.py
