# spotbench build.
#   make            build libspotbench.a and the spotbench binary (build/)
#   make examples   the loadable C policy of examples/policies/ (build/examples/)
#   make test       unit tests (cmocka), CLI tests and tests/aws/test_*.py
#   make test SAN=1 the same under AddressSanitizer + UBSan (build-san/)
#   make fuzz       libFuzzer on every parser, FUZZ_TIME seconds each (clang;
#                   tests/fuzz/README.md)
#   make demo       run the bundled default scenario
#   make bench      benchmarks (figures printed, never pass/fail)
# Missing Debian packages are installed by scripts/install-deps.sh when run as
# root; otherwise the build stops with the exact apt-get line. Plain `make`
# needs the build's packages only; `make demo` adds gnuplot and sqlite3,
# `make test` every test's (cmocka, Slurm, munge, umoci, chromium, ...).

SAN ?= 0
CC ?= cc
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined,float-cast-overflow \
            -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
OPT := -O1
else ifeq ($(SAN),fuzz)
# The libFuzzer build of `make fuzz` (scripts/fuzz.sh): clang only.
BUILD ?= build-fuzz
CC := clang
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow \
            -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1
else
BUILD ?= build
SANFLAGS :=
OPT := -O2
# The binary is optimised across modules (link-time): the simulator's event
# loop calls the queue, the accounting and the policies millions of times a
# run. The objects also carry ordinary code ("fat"): tests and bench tools
# link against the same library without the link-time step (-fno-lto). GCC's
# flags (Debian's cc): another compiler builds without it.
ifneq ($(findstring Free Software Foundation,$(shell $(CC) --version 2>/dev/null)),)
LTO := -flto=auto -ffat-lto-objects
LTO_LINK := -flto=auto $(OPT)
NO_LTO := -fno-lto
endif
endif

# libcurl and libxml2 are compiled against (their headers type the
# function tables of aws/http.c and aws/xml.c) but not linked: aws/dl.c
# loads them when a command first talks to AWS, so the simulation commands
# do not pay ~14 ms of dynamic loading (libcurl's thirty-odd dependencies)
# at every start (docs/overview.md).
PKGS := sqlite3 libcjson zlib
DL_PKGS := libcurl libxml-2.0
# Recursive (=) so pkg-config runs only after the dependency check.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(DL_PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)

CFLAGS := -std=c11 -pthread -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g $(OPT) \
          $(SANFLAGS) -I. -I$(BUILD)
LDFLAGS := -pthread $(SANFLAGS)
LDLIBS = $(PKG_LIBS) -lm

MODULES := policy traces sim store lab aws plot deploy
LIB_SRCS := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
CLI_SRCS := $(wildcard cli/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard bench/*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS := $(TEST_SRCS:%.c=$(BUILD)/%)
FUZZ_BINS := $(FUZZ_SRCS:%.c=$(BUILD)/%)
# A harness gets libFuzzer's main under SAN=fuzz, else the corpus replayer.
ifeq ($(SAN),fuzz)
FUZZ_MAIN := -fsanitize=fuzzer
FUZZ_DEPS :=
else
FUZZ_DEPS := $(BUILD)/tests/fuzz/replay.o
FUZZ_MAIN := $(FUZZ_DEPS)
endif
BENCH_BINS := $(BENCH_SRCS:%.c=$(BUILD)/%)
LIB := $(BUILD)/libspotbench.a
BIN := $(BUILD)/spotbench
DEPS_OK := $(BUILD)/.deps-ok
DEMO_DEPS_OK := $(BUILD)/.deps-demo-ok
TEST_DEPS_OK := $(BUILD)/.deps-test-ok
LAMBDA_DEPS_OK := $(BUILD)/.deps-lambda-ok

.PHONY: all deps test demo bench clean fuzz fuzz-bins examples lambda install uninstall image
all: $(BIN)

# Installs (as root) or names the missing Debian packages.
$(DEPS_OK): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@scripts/install-deps.sh
	@touch $@
$(DEMO_DEPS_OK): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@scripts/install-deps.sh --demo
	@touch $@
$(TEST_DEPS_OK): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@scripts/install-deps.sh --test
	@touch $@
$(LAMBDA_DEPS_OK): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@scripts/install-deps.sh --lambda
	@touch $@
deps:
	@scripts/install-deps.sh --test

# The version header changes only when the git revision does.
GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(BUILD)/version.h: FORCE | $(DEPS_OK)
	@printf '#define SPOTBENCH_GIT_REV "%s"\n' "$(GIT_REV)" > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
FORCE:
$(BUILD)/cli/main.o: $(BUILD)/version.h

# Objects are rebuilt when the compiler or its flags change, so that a new
# optimisation setting reaches an existing build directory (the file is
# rewritten only when its line differs).
FLAGS_LINE = $(CC) $(CFLAGS) $(LTO) | $(LTO_LINK)
$(BUILD)/.flags: FORCE | $(DEPS_OK)
	@printf '%s\n' '$(FLAGS_LINE)' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/%.o: %.c $(BUILD)/.flags | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LTO) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIB)
	$(CC) $(LDFLAGS) $(LTO_LINK) -o $@ $(CLI_OBJS) $(LIB) $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB) | $(TEST_DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(NO_LTO) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) -MMD -MP -o $@ $< $(LIB) \
	    $(CMOCKA_LIBS) $(LDLIBS)

$(BUILD)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS) $(LIB) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(NO_LTO) $(PKG_CFLAGS) -MMD -MP -o $@ $< $(FUZZ_MAIN) $(LIB) $(LDLIBS)

fuzz-bins: $(FUZZ_BINS)

# The loadable C policy of examples/policies/ (policy/policy_abi.h): its
# file and the policy module, position-independent, exporting only the two
# symbols of POL_EXPORT_POLICY, optimised across its files as the binary
# is (the helpers inlined into the policy). Never sanitized: any binary
# loads it.
EXAMPLE_SO := $(BUILD)/examples/karpenter.so
POLICY_SRCS := $(wildcard policy/*.c)
$(EXAMPLE_SO): examples/policies/karpenter_so.c $(POLICY_SRCS) $(wildcard policy/*.h) \
    | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 -fPIC -shared \
	    -fvisibility=hidden $(if $(LTO),-flto=auto) -I. -o $@ \
	    examples/policies/karpenter_so.c $(POLICY_SRCS) -lm
examples: $(EXAMPLE_SO)

$(BUILD)/bench/%: bench/%.c $(LIB) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(NO_LTO) $(PKG_CFLAGS) -MMD -MP -o $@ $< $(LIB) $(LDLIBS)

# The Lambda function's zip (docs/deploy.md): bootstrap, the binary, every
# library it needs with glibc and the loader, a CA bundle. The bootstrap is
# static and never sanitized: it only execs the loader.
LAMBDA_ZIP := $(BUILD)/spotbench-lambda.zip
$(BUILD)/lambda/bootstrap: deploy/lambda/bootstrap.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 -static -o $@ $<
$(LAMBDA_ZIP): $(BIN) $(BUILD)/lambda/bootstrap scripts/build-lambda.sh \
    scripts/runtime-libs.sh scripts/lambda-stubs.sh | $(LAMBDA_DEPS_OK)
	@scripts/build-lambda.sh $(BIN) $(BUILD)/lambda/bootstrap $@
lambda: $(LAMBDA_ZIP)
	@mkdir -p results
	cp $(LAMBDA_ZIP) results/spotbench-lambda.zip

# ---- install (docs/deploy.md) ----
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/spotbench
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR ?= /etc
LOGROTATEDIR ?= $(SYSCONFDIR)/logrotate.d
MAN := $(BUILD)/spotbench.1
EXAMPLES := deploy/examples/live.json deploy/examples/aws.env
SCENARIO_EXAMPLE := $(wildcard traces/scenarios/seed-week/*)

$(MAN): $(BIN) scripts/build-man.py scripts/build-manual.py $(wildcard docs/*.md)
	python3 scripts/build-man.py $(BIN) $@

# bash completion, from the binary's help (scripts/build-completion.py).
COMPLETION := $(BUILD)/spotbench.bash
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
$(COMPLETION): $(BIN) scripts/build-completion.py
	python3 scripts/build-completion.py $(BIN) $@

install: $(BIN) $(MAN) $(COMPLETION)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(COMPLETIONDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(LOGROTATEDIR) \
	    $(DESTDIR)$(DOCDIR)/examples/seed-week
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/spotbench
	install -m 644 $(MAN) $(DESTDIR)$(MANDIR)/man1/spotbench.1
	install -m 644 $(COMPLETION) $(DESTDIR)$(COMPLETIONDIR)/spotbench
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    deploy/systemd/spotbench-live.service > $(DESTDIR)$(UNITDIR)/spotbench-live.service
	chmod 644 $(DESTDIR)$(UNITDIR)/spotbench-live.service
	install -m 644 deploy/systemd/spotbench-live.timer $(DESTDIR)$(UNITDIR)/
	install -m 644 deploy/systemd/spotbench.sysusers $(DESTDIR)$(SYSUSERSDIR)/spotbench.conf
	install -m 644 deploy/systemd/spotbench.logrotate $(DESTDIR)$(LOGROTATEDIR)/spotbench
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 $(SCENARIO_EXAMPLE) $(DESTDIR)$(DOCDIR)/examples/seed-week/
	@echo "installed under $(DESTDIR)$(PREFIX); for the timer (docs/deploy.md):"
	@echo "  systemd-sysusers $(SYSUSERSDIR)/spotbench.conf"
	@echo "  install -m 640 -g spotbench $(DOCDIR)/examples/live.json $(SYSCONFDIR)/spotbench/live.json"
	@echo "  systemctl daemon-reload && systemctl enable --now spotbench-live.timer"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/spotbench $(DESTDIR)$(MANDIR)/man1/spotbench.1 \
	    $(DESTDIR)$(COMPLETIONDIR)/spotbench \
	    $(DESTDIR)$(UNITDIR)/spotbench-live.service $(DESTDIR)$(UNITDIR)/spotbench-live.timer \
	    $(DESTDIR)$(SYSUSERSDIR)/spotbench.conf $(DESTDIR)$(LOGROTATEDIR)/spotbench
	rm -rf $(DESTDIR)$(DOCDIR)

# An OCI image from the install tree, offline (umoci; docs/deploy.md).
image: $(BIN) $(MAN)
	rm -rf $(BUILD)/image-tree
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(BUILD)/image-tree PREFIX=/usr/local >/dev/null
	scripts/build-image.sh $(BUILD)/image-tree results/spotbench-oci.tar

test: $(TEST_DEPS_OK) $(BIN) $(TEST_BINS) $(FUZZ_BINS) $(LAMBDA_ZIP) $(MAN) $(COMPLETION) \
      $(EXAMPLE_SO)
	@BUILD=$(BUILD) tests/run.sh $(TEST_BINS)

fuzz:
	@scripts/fuzz.sh

demo: $(BIN) | $(DEMO_DEPS_OK)
	@BUILD=$(BUILD) scripts/demo.sh

bench:
	@$(MAKE) --no-print-directory SAN=0 build/spotbench $(BENCH_SRCS:%.c=build/%) \
	    build/examples/karpenter.so
	@bench/run.sh

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
