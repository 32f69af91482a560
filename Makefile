# CRS top-level Makefile. See README.md.
#   make            userspace (libcrsnl, crs-tool, selftests) and crs.ko for every kernel in KVERS
#   make run        boot a guest with crs.ko, crsd and crun; from the host, over crsd's
#                   forwarded API: create a policy, apply it to an image, start a
#                   container of it, see its denials blocked and reported (STAY=1: stay up)
#   make check      every test: host unit tests, dkms build, guest selftests on each kernel,
#                   then on the debug kernel (KASAN, lockdep, kmemleak, ...) with the
#                   netlink fuzzer, and a bounded libFuzzer run of the policy parser
#   make fuzz       the fuzzers for longer (FUZZ_SECONDS, FUZZ_ITERS)
#   make debug-kernel   build (or find cached) the debug guest kernel
#   make bench      overhead ratios in an instruction-counting guest, crsd's event
#                   ingestion there, and crsd's HTTP API under wrk on the host
#   make vm-run KVER=... SCRIPT=path   run any script in the guest, print its output, exit with its status
#   make crsd-test  crsd's API tests on the host: a real crsd on a temporary socket and database
#   make ui-test    the web console in Debian's chromium (playwright-core) against a real crsd
#   make ui-kernel-test the web console against crsd with crs.ko: the make run guest, a real
#                   container, its live events, its mode in crs.ko, learning (KVER, CRS_UI_KERNEL_PORT)
#   make screenshots    the console's pages as docs/screenshots/*.png (for the README)

SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
BUILD ?= build
HOST := $(BUILD)/host
CC ?= gcc
CRS_VERSION := 0.1.0
# Debian kernels we build and test against: every installed Debian amd64 header tree.
KVERS ?= $(shell scripts/kernels.sh list)
KVER ?= $(firstword $(KVERS))
# The debug guest kernel (scripts/debug-kernel/): its name, and its build tree
# in the cache (outside the git tree; the path changes with its configuration).
DEBUG_KVER := 6.1-debug
DEBUG_KDIR := $(shell scripts/debug-kernel/build.sh --dir 2>/dev/null)

PKGS := libnl-genl-3.0 libnl-3.0 json-c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	  -D_GNU_SOURCE -Ikmod/uapi -Ilibcrsnl -I$(HOST)/gen $(PKG_CFLAGS) -DCRS_VERSION='"$(CRS_VERSION)"'
# System call tables of the installed uapi headers (linux-libc-dev), generated
# into the build tree for libcrsnl/syscalls.c; never committed.
ASM_UAPI ?= /usr/include/x86_64-linux-gnu/asm
GEN_SYSCALLS := $(HOST)/gen/crs_syscalls.h

LIB_SRCS := $(wildcard libcrsnl/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(HOST)/%.o)
LIB := $(HOST)/libcrsnl.a
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(HOST)/%.o)
TOOL := $(HOST)/crs-tool
KSFT_DIR := $(BUILD)/kselftest
SELFTEST_SRCS := $(wildcard selftests/*_test.c)
SELFTESTS := $(SELFTEST_SRCS:selftests/%.c=$(HOST)/selftests/%)
# Programs the guest tests drive (not tests themselves: run_guest.sh runs only *_test).
SELFTEST_PROGS := $(HOST)/selftests/learn_probe
BENCH := $(HOST)/bench/crs_bench
UNIT_SRCS := $(wildcard libcrsnl/tests/*_test.c)
UNITS := $(UNIT_SRCS:libcrsnl/tests/%.c=$(HOST)/unit/%)
CRSD_SRCS := $(wildcard crsd/*.c)
CRSD_OBJS := $(CRSD_SRCS:crsd/%.c=$(HOST)/crsd-objs/%.o) $(HOST)/crsd-objs/ui_assets.o
# The web console's files (ui/, not its tests), embedded into crsd as a generated C source.
UI_FILES := $(wildcard ui/*.html ui/*.css ui/*.js ui/*.svg)
UI_ASSETS_C := $(HOST)/gen/ui_assets.c
CRSD := $(HOST)/crsd
CRSD_HOOK := $(HOST)/crsd-hook
CRSD_PKGS := libmicrohttpd sqlite3
KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h kmod/compat/*.h kmod/uapi/linux/*.h) Kbuild

.PHONY: debug-kernel debug-modules fuzz fuzz-build
.PHONY: all userspace modules check check-only run run-only bench bench-only vm-run unit dkms-check clean deps
.PHONY: crsd-test ui-test ui-kernel-test screenshots
all: userspace modules

userspace: $(LIB) $(TOOL) $(CRSD) $(CRSD_HOOK) $(SELFTESTS) $(SELFTEST_PROGS) $(UNITS) $(BENCH)

$(HOST)/%.o: %.c $(wildcard libcrsnl/*.h) kmod/uapi/linux/crs.h kmod/pattern_core.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(GEN_SYSCALLS): scripts/gen-syscalls.sh $(wildcard $(ASM_UAPI)/unistd_64.h $(ASM_UAPI)/unistd_32.h $(ASM_UAPI)/unistd_x32.h)
	@mkdir -p $(dir $@)
	scripts/gen-syscalls.sh $@ $(ASM_UAPI)
$(HOST)/libcrsnl/syscalls.o: $(GEN_SYSCALLS)

$(LIB): $(LIB_OBJS)
	ar rcs $@ $^

$(TOOL): $(TOOL_OBJS) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(TOOL_OBJS) $(LIB) $(PKG_LIBS)

# crsd: the daemon (libmicrohttpd, SQLite) on libcrsnl.
# (objects beside, not under, build/host/crsd: that name is the binary)
$(HOST)/crsd-objs/%.o: crsd/%.c crsd/crsd.h $(wildcard libcrsnl/*.h) kmod/uapi/linux/crs.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags $(CRSD_PKGS) 2>/dev/null) -c -o $@ $<
$(UI_ASSETS_C): scripts/gen-ui-assets.sh $(UI_FILES)
	@mkdir -p $(dir $@)
	scripts/gen-ui-assets.sh $@ ui
$(HOST)/crsd-objs/ui_assets.o: $(UI_ASSETS_C) crsd/crsd.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icrsd $(shell pkg-config --cflags $(CRSD_PKGS) 2>/dev/null) -c -o $@ $<
$(CRSD): $(CRSD_OBJS) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(CRSD_OBJS) $(LIB) $(PKG_LIBS) $(shell pkg-config --libs $(CRSD_PKGS) 2>/dev/null) -lpthread
# The OCI hook that registers containers with crsd.
$(CRSD_HOOK): crsd/hook/crsd-hook.c $(HOST)/crsd-objs/imageref.o $(HOST)/crsd-objs/oci.o crsd/crsd.h $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(HOST)/crsd-objs/imageref.o $(HOST)/crsd-objs/oci.o $(LIB) $(PKG_LIBS)

# crsd's API against a real crsd process and SQLite file; no kernel module needed.
$(HOST)/crsd-tests/rawhttp: crsd/tests/rawhttp.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<
# The event export path (store, then export) fed as kernel.c feeds it: crsd without main.o.
$(HOST)/crsd-tests/export_test: crsd/tests/export_test.c $(filter-out %/main.o,$(CRSD_OBJS)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(filter-out %/main.o,$(CRSD_OBJS)) $(LIB) $(PKG_LIBS) $(shell pkg-config --libs $(CRSD_PKGS) 2>/dev/null) -lpthread
# Learning's store side (store_learn_ingest) fed as learn.c feeds it: crsd without main.o.
$(HOST)/crsd-tests/learn_store_test: crsd/tests/learn_store_test.c $(filter-out %/main.o,$(CRSD_OBJS)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(filter-out %/main.o,$(CRSD_OBJS)) $(LIB) $(PKG_LIBS) $(shell pkg-config --libs $(CRSD_PKGS) 2>/dev/null) -lpthread
crsd-test: $(CRSD) $(CRSD_HOOK) $(HOST)/crsd-tests/rawhttp $(HOST)/crsd-tests/export_test $(HOST)/crsd-tests/learn_store_test
	crsd/tests/api_test.sh $(CRSD) $(HOST)/crsd-tests/rawhttp $(CRSD_HOOK) $(HOST)/crsd-tests/export_test
	crsd/tests/learn_api_test.sh $(CRSD) $(HOST)/crsd-tests/learn_store_test

# The web console (docs/console.md): browser tests against a real crsd on loopback TCP;
# playwright-core is installed by npm ci into $(BUILD)/ui-tests, never into the repository.
ui-test: $(CRSD)
	BUILD=$(BUILD) ui/tests/run.sh $(CRSD)
screenshots: $(CRSD)
	BUILD=$(BUILD) ui/tests/run.sh $(CRSD) docs/screenshots
# The console against a real crsd with crs.ko, in the guest of make run (ui/tests/kernel.sh).
ui-kernel-test: all
	BUILD=$(BUILD) KVER=$(KVER) ui/tests/kernel.sh

# kselftest harness headers come from Debian's linux-source package at build time.
$(KSFT_DIR)/kselftest_harness.h:
	scripts/kselftest-headers.sh $(KSFT_DIR)

$(HOST)/selftests/%: selftests/%.c $(wildcard selftests/*.h) $(LIB) $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(KSFT_DIR) -Iselftests -o $@ $< $(LIB) $(PKG_LIBS) -lmnl -lpthread

$(HOST)/unit/%: libcrsnl/tests/%.c $(LIB) $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(KSFT_DIR) -o $@ $< $(LIB) $(PKG_LIBS)

# crs.ko for each kernel, each built in its own copy of the sources under
# build/kmod/KVER (Kbuild's clean deletes every *.ko below M=, so never M=. ).
# The debug kernel's crs.ko is built against its own tree (and again when that changes).
kdir = $(if $(filter $(DEBUG_KVER),$(1)),$(DEBUG_KDIR)/linux,/usr/src/linux-headers-$(1))
modules: $(KVERS:%=$(BUILD)/kmod/%/crs.ko)
$(BUILD)/kmod/%/crs.ko: $(KMOD_SRCS)
	rm -rf $(BUILD)/kmod/$* && mkdir -p $(BUILD)/kmod/$*
	cp -r Kbuild kmod $(BUILD)/kmod/$*/
	$(MAKE) -C $(call kdir,$*) M=$(CURDIR)/$(BUILD)/kmod/$* CRS_VERSION=$(CRS_VERSION) modules

debug-kernel:
	scripts/debug-kernel/build.sh >/dev/null
debug-modules: $(BUILD)/kmod/$(DEBUG_KVER)/crs.ko
$(BUILD)/kmod/$(DEBUG_KVER)/crs.ko: $(DEBUG_KDIR)/.done
$(DEBUG_KDIR)/.done:
	scripts/debug-kernel/build.sh >/dev/null

$(BENCH): bench/crs_bench.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

# libFuzzer target of the policy parser, with ASan and UBSan (clang); its own
# copy of libcrsnl built with the same instrumentation.
FUZZ_DIR := $(BUILD)/fuzz
POLICY_FUZZER := $(FUZZ_DIR)/policy_fuzz
FUZZ_CC ?= clang
FUZZ_SAN := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := $(filter-out -O2 -g,$(CFLAGS)) $(FUZZ_SAN)
FUZZ_OBJS := $(LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_SECONDS ?= 600
FUZZ_ITERS ?= 1000000

$(FUZZ_DIR)/obj/%.o: %.c $(wildcard libcrsnl/*.h) kmod/uapi/linux/crs.h kmod/pattern_core.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(POLICY_FUZZER): libcrsnl/fuzz/policy_fuzz.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)
# The profile parser and templates (seeds in libcrsnl/fuzz/profile-corpus); run by hand:
# build/fuzz/profile_fuzz -max_total_time=600 WORKDIR libcrsnl/fuzz/profile-corpus
PROFILE_FUZZER := $(FUZZ_DIR)/profile_fuzz
$(PROFILE_FUZZER): libcrsnl/fuzz/profile_fuzz.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)
fuzz-build: $(POLICY_FUZZER) $(PROFILE_FUZZER)

# make fuzz: the policy fuzzer for FUZZ_SECONDS, then the netlink fuzzer with
# FUZZ_ITERS requests in the debug guest (KASAN, lockdep, ...), then kmemleak.
fuzz:
	scripts/deps.sh
	$(MAKE) all
	$(MAKE) debug-modules fuzz-build
	libcrsnl/fuzz/run.sh $(POLICY_FUZZER) $(FUZZ_SECONDS)
	CRS_VM_APPEND="panic_on_warn=1 $(CRS_VM_APPEND)" BUILD=$(BUILD) scripts/vm/run-guest.sh \
		--kernel $(DEBUG_KVER) --memory 2048 --timeout 7200 --env CRS_FUZZ_ITERS=$(FUZZ_ITERS) \
		--keep-log $(BUILD)/logs/fuzz-$(DEBUG_KVER).log --script scripts/debug-kernel/guest.sh -- nlfuzz_test

unit: $(UNITS) $(TOOL)
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done
	@echo "== tools/tests/template_cmd.sh"; tools/tests/template_cmd.sh $(TOOL)

dkms-check:
	BUILD=$(BUILD) scripts/dkms-check.sh $(CRS_VERSION) $(KVERS)

# check, run and bench work on a fresh Debian 12 machine: they install what is
# missing first (scripts/deps.sh is idempotent), then re-enter make so that
# KVERS and the pkg-config flags are computed with everything installed.
# CRS_VM_TIMEOUT=SEC overrides the 600 s limit of each guest.
check:
	scripts/deps.sh
	$(MAKE) all
	$(MAKE) debug-modules fuzz-build
	$(MAKE) check-only

# check-only runs the debug kernel's stages when its crs.ko is built (make check builds it).
check-only:
	BUILD=$(BUILD) CRS_DEBUG_KVER=$(if $(wildcard $(BUILD)/kmod/$(DEBUG_KVER)/crs.ko),$(DEBUG_KVER)) \
		CRS_POLICY_FUZZER=$(wildcard $(POLICY_FUZZER)) scripts/check.sh $(KVERS)

run:
	scripts/deps.sh
	$(MAKE) all
	$(MAKE) run-only

# make run STAY=1 keeps the guest (and its forwarded API) up until Ctrl-C.
run-only:
	BUILD=$(BUILD) KVER=$(KVER) CRS_RUN_STAY=$(if $(STAY),1,0) scripts/run.sh

bench:
	scripts/deps.sh
	$(MAKE) all
	$(MAKE) bench-only

# The guest's table (hook overhead, crsd's event ingestion), then the host's
# (crsd's HTTP API under wrk on loopback).
bench-only:
	BUILD=$(BUILD) scripts/vm/run-guest.sh --kernel $(KVER) --bench --timeout 3000 \
		--add bench/crsd_events.sh:/crs/bench/crsd_events.sh --script bench/run.sh
	bench/crsd_http.sh $(CRSD)

# make vm-run KVER=6.1.0-56-amd64 SCRIPT=path/to/script.sh [ARGS='a b'] [VM_OPTS='--timeout 60 --keep-log f']
vm-run: all
	@test -n "$(SCRIPT)" || { echo "usage: make vm-run KVER=<kver> SCRIPT=<path> [ARGS='...'] [VM_OPTS='...']" >&2; exit 2; }
	BUILD=$(BUILD) scripts/vm/run-guest.sh --kernel $(KVER) $(VM_OPTS) --script $(SCRIPT) $(if $(ARGS),-- $(ARGS))

deps:
	scripts/deps.sh

clean:
	rm -rf $(BUILD)

# The libFuzzer build's copy of libcrsnl needs the generated tables too.
$(BUILD)/fuzz/obj/libcrsnl/syscalls.o: $(GEN_SYSCALLS)

# make install (as root): crs-tool, crsd, crsd-hook, crsd's systemd unit, the
# podman/CRI-O hooks.d files, crs.ko's autoload, and crs.ko through DKMS: its
# sources in /usr/src/crs-VERSION, then dkms add, and build and install for
# each of DKMS_KVERS. With DESTDIR only the files are staged (no dkms, no
# systemctl). make uninstall reverses it; /var/lib/crsd stays.
# See docs/crsd.md "Installing".
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/crs
UNITDIR ?= $(PREFIX)/lib/systemd/system
HOOKSDIR ?= /usr/share/containers/oci/hooks.d
MODLOADDIR ?= /etc/modules-load.d
DKMS_SRCDIR := /usr/src/crs-$(CRS_VERSION)
DKMS_KVERS ?= $(shell uname -r)
PKG_OUT := $(BUILD)/packaging
# only when there is a running systemd to tell
SYSTEMCTL = $(if $(DESTDIR),,if [ -d /run/systemd/system ]; then systemctl $(1); fi)
DKMS_FORGET = if [ -n "$$(dkms status -m crs -v $(CRS_VERSION))" ]; then dkms remove -m crs -v $(CRS_VERSION) --all; fi
.PHONY: install uninstall install-check

install: $(TOOL) $(CRSD) $(CRSD_HOOK)
	@mkdir -p $(PKG_OUT)
	for f in crsd.service crsd-create.json crsd-delete.json; do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' packaging/$$f.in > $(PKG_OUT)/$$f || exit 1; \
	done
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(HOOKSDIR) $(DESTDIR)$(MODLOADDIR)
	install -m 0755 $(TOOL) $(DESTDIR)$(BINDIR)/crs-tool
	install -m 0755 $(CRSD) $(DESTDIR)$(SBINDIR)/crsd
	install -m 0755 $(CRSD_HOOK) $(DESTDIR)$(LIBEXECDIR)/crsd-hook
	install -m 0644 $(PKG_OUT)/crsd.service $(DESTDIR)$(UNITDIR)/crsd.service
	install -m 0644 $(PKG_OUT)/crsd-create.json $(PKG_OUT)/crsd-delete.json $(DESTDIR)$(HOOKSDIR)/
	install -m 0644 packaging/modules-load.conf $(DESTDIR)$(MODLOADDIR)/crs.conf
	$(if $(DESTDIR),,$(DKMS_FORGET))
	scripts/dkms-stage.sh $(CRS_VERSION) $(DESTDIR)$(DKMS_SRCDIR)
	$(if $(DESTDIR),,dkms add -m crs -v $(CRS_VERSION))
	$(if $(DESTDIR),,for k in $(DKMS_KVERS); do \
		dkms build -m crs -v $(CRS_VERSION) -k $$k && dkms install -m crs -v $(CRS_VERSION) -k $$k || exit 1; done)
	$(call SYSTEMCTL,daemon-reload)

uninstall:
	$(call SYSTEMCTL,disable --now crsd.service || true)
	$(if $(DESTDIR),,$(DKMS_FORGET))
	rm -f $(DESTDIR)$(BINDIR)/crs-tool $(DESTDIR)$(SBINDIR)/crsd $(DESTDIR)$(LIBEXECDIR)/crsd-hook \
		$(DESTDIR)$(UNITDIR)/crsd.service $(DESTDIR)$(HOOKSDIR)/crsd-create.json \
		$(DESTDIR)$(HOOKSDIR)/crsd-delete.json $(DESTDIR)$(MODLOADDIR)/crs.conf
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	[ ! -d $(DESTDIR)$(LIBEXECDIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(LIBEXECDIR)
	$(call SYSTEMCTL,daemon-reload)

# make install and uninstall into a temporary DESTDIR, checked (a make check stage).
install-check: $(TOOL) $(CRSD) $(CRSD_HOOK)
	BUILD=$(BUILD) scripts/install-check.sh
