# loa — plain Makefile, pkg-config for every library, warnings are errors.
# `make` builds build/loa; `make check` runs every test (installing what is
# missing first); `make check SANITIZE=1` runs them under ASan+UBSan.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

PKGS     = alsa sndfile libconfig sqlite3 nettle libebur128 libsystemd libsodium jansson
# Compiled against, loaded at first use (util/dynlib.h) by the one door
# that needs each: libmicrohttpd (loa web), libcurl (loa upstream) and
# FFmpeg (a relay). Linked, they cost every loa process 24 MiB mapped.
FFMPEG   = libavformat libavcodec libswresample libavutil
DLPKGS   = libmicrohttpd libcurl $(FFMPEG)
TESTPKGS = cmocka

WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wwrite-strings -Wundef -Werror
CFLAGS ?= -O2 -g
# 64-bit time_t and file offsets on 32-bit ARM (armhf) too: a box
# installed today is still on air after 2038-01-19, where a 32-bit time_t
# ends. A no-op on 64-bit systems.
CFLAGS += -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 $(WARN) -I. -MMD -MP
CFLAGS += $(shell pkg-config --cflags $(PKGS) $(DLPKGS)) -pthread
LDLIBS += $(shell pkg-config --libs $(PKGS)) -lm -pthread
# The sonames of the libraries loaded at first use (util/dynlib.h), read
# from the -dev packages' links, and their Debian packages (libcurl.so.4:
# libcurl4): the ABI the build compiled against.
soname = $(shell readelf -d $$(pkg-config --variable=libdir $(1))/$(1).so 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
SONAME_CURL := $(call soname,libcurl)
SONAME_MHD  := $(call soname,libmicrohttpd)
LOCALEDIR ?= $(PREFIX)/share/locale
CFLAGS += -DLOCALEDIR='"$(LOCALEDIR)"'

ifeq ($(SANITIZE),1)
BUILD   := build-san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

# `make fuzz` builds the fuzz targets with clang's libFuzzer into build/fuzz.
ifeq ($(FUZZ),1)
BUILD   := build/fuzz
CC      := clang
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=fuzzer,address,undefined
endif

# Every module outside cli/ goes into one archive that the binary and every
# test link, so a test exercises exactly the code the daemon runs.
LIB_SRCS  = $(wildcard util/*.c db/*.c config/*.c content/*.c auth/*.c ledger/*.c audio/*.c scheduler/*.c report/*.c)
# The front doors: the command line, the web console and the province link
# (`loa upstream run`, a process of its own), in the one binary.
CLI_SRCS  = $(wildcard cli/*.c web/*.c upstream/*.c)
TEST_SRCS = $(wildcard tests/test_*.c)
FUZZ_TARGETS = config probe time cli upstream schedule

LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS  = $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BINS = $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
LIBLOA    = $(BUILD)/libloa.a
# The command line without main(), for the fuzzer of its parsing.
CLI_LIB_OBJS = $(filter-out $(BUILD)/obj/cli/loa.o,$(CLI_OBJS))
FUZZ_OBJS = $(BUILD)/obj/tests/fuzz/fuzz_util.o $(CLI_LIB_OBJS) $(LIBLOA)
REPLAY_BINS = $(FUZZ_TARGETS:%=$(BUILD)/replay/fuzz_%)

# Message catalogues: po/LANG.po compiled into BUILD/locale, where the tests
# point LOA_LOCALEDIR; `make install` puts them under LOCALEDIR.
LINGUAS  = $(basename $(notdir $(wildcard po/*.po)))
MO_FILES = $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/loa.mo)

all: $(BUILD)/loa $(BUILD)/mkaudio $(MO_FILES)

$(BUILD)/locale/%/LC_MESSAGES/loa.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# After changing messages: refresh the template and merge it into every
# translation, then translate what msgmerge marks new or fuzzy.
XGETTEXT = xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --add-comments=TRANSLATORS --add-location=file \
	  --package-name=loa --msgid-bugs-address=loa@example.org -f po/POTFILES
pot:
	$(XGETTEXT) -o po/loa.pot
	for l in $(LINGUAS); do msgmerge --quiet --update --backup=none po/$$l.po po/loa.pot; done

# No message slips out untranslated: every source file that marks messages
# is in po/POTFILES, po/loa.pot is what the sources say (its date aside),
# and every translation has every message, none fuzzy. `make pot` and a
# translator fix what this finds.
MARKED_SRCS = ${shell grep -lE '(^|[^A-Za-z0-9_])(N?_|ngettext)[(]' $(LIB_SRCS) $(CLI_SRCS)}
check-po:
	@missing=$$(for f in $(MARKED_SRCS); do grep -qxF "$$f" po/POTFILES || echo "$$f"; done); \
	[ -z "$$missing" ] || { echo "po/POTFILES lacks files with messages: $$missing; add them, then make pot" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@$(XGETTEXT) -o $(BUILD)/loa.pot
	@grep -v '^"POT-Creation-Date:' po/loa.pot >$(BUILD)/loa.pot.committed
	@grep -v '^"POT-Creation-Date:' $(BUILD)/loa.pot | cmp -s - $(BUILD)/loa.pot.committed || { \
	  echo "po/loa.pot is out of date with the sources: run make pot, then translate" >&2; exit 1; }
	@for l in $(LINGUAS); do \
	  msgcmp po/$$l.po po/loa.pot || { echo "po/$$l.po: messages above are untranslated or fuzzy" >&2; exit 1; }; \
	  [ -z "$$(msgattrib --only-fuzzy --no-obsolete po/$$l.po)" ] || { echo "po/$$l.po has fuzzy entries" >&2; exit 1; }; \
	done
	@echo "po: every message translated ($(LINGUAS))"

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/upstream/libcurl.o: CPPFLAGS += -DLOA_SONAME_CURL='"$(SONAME_CURL)"' \
	-DLOA_PACKAGE_CURL='"$(subst .so.,,$(SONAME_CURL))"'
$(BUILD)/obj/web/libmhd.o: CPPFLAGS += -DLOA_SONAME_MHD='"$(SONAME_MHD)"' \
	-DLOA_PACKAGE_MHD='"$(subst .so.,,$(SONAME_MHD))"'

# The packages of what is loaded at first use, which dpkg-shlibdeps cannot
# see (debian/rules puts them in Depends).
print-dlopen-packages:
	@echo $(foreach l,$(DLPKGS),$(subst .so.,,$(call soname,$(l))))

# LOCALEDIR is compiled into i18n.o: `make install PREFIX=/usr` after a
# plain `make` must rebuild it, or the installed binary would look for its
# catalogues under /usr/local. The stamp changes only when LOCALEDIR does.
$(BUILD)/localedir.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(LOCALEDIR)' | cmp -s - $@ || echo '$(LOCALEDIR)' >$@
$(BUILD)/obj/util/i18n.o: $(BUILD)/localedir.stamp
FORCE:

$(LIBLOA): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/loa: $(CLI_OBJS) $(LIBLOA)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Test fixtures are generated, never committed: mkaudio writes every good and
# bad kind of audio file the tests need.
$(BUILD)/mkaudio: $(BUILD)/obj/tests/mkaudio.o $(LIBLOA)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs $(TESTPKGS)) -o $@

# The command line's parsers live in cli/args.c, outside the archive: the
# test links that one object of the binary's.
$(BUILD)/tests/test_cli: $(BUILD)/obj/tests/test_cli.o $(BUILD)/obj/cli/args.o $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs $(TESTPKGS)) -o $@

# The console's test links the web front door: the command line without main().
$(BUILD)/tests/test_web: $(BUILD)/obj/tests/test_web.o $(CLI_LIB_OBJS) $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs $(TESTPKGS)) -o $@

# The import test runs `loa import` in-process: the command line without main().
$(BUILD)/tests/test_import: $(BUILD)/obj/tests/test_import.o $(CLI_LIB_OBJS) $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs $(TESTPKGS)) -o $@

# The province link's test builds its records and reads its replies with
# upstream/, a front door's code: the command line's objects without main().
$(BUILD)/tests/test_upstream: $(BUILD)/obj/tests/test_upstream.o $(CLI_LIB_OBJS) $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs $(TESTPKGS)) -o $@
$(BUILD)/tests/test_schedule: $(BUILD)/obj/tests/test_schedule.o $(CLI_LIB_OBJS) $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs $(TESTPKGS)) -o $@

# The accounts test counts libsodium's password checks rather than timing
# them (a timed assertion fails on a busy machine): the call is wrapped.
$(BUILD)/tests/test_auth: LDFLAGS += -Wl,--wrap=crypto_pwhash_str_verify

$(BUILD)/obj/tests/%.o: CFLAGS += $(shell pkg-config --cflags $(TESTPKGS))

deps:
	@./deps.sh

unit: $(TEST_BINS) $(BUILD)/mkaudio
	@failed=0; for t in $(TEST_BINS); do \
	  LOA_MKAUDIO=$(BUILD)/mkaudio $$t || failed=1; done; exit $$failed

# Under SANITIZE=1 the leaks the libraries make on their own (tests/lsan.supp)
# are not loa's to answer for.
e2e: $(BUILD)/loa $(BUILD)/mkaudio $(MO_FILES)
	@LSAN_OPTIONS=$(LIB_LSAN) LOA_LOCALEDIR=$(abspath $(BUILD)/locale) LOA=$(BUILD)/loa MKAUDIO=$(BUILD)/mkaudio \
	  LOA_SCREENSHOTS=$(abspath $(BUILD)/screenshots) tests/e2e/run.sh

check: deps
	@$(MAKE) --no-print-directory check-po unit fuzz-replay e2e

# The fuzz targets linked with tests/fuzz/replay.c instead of libFuzzer:
# `make check` feeds each its seed corpus and every input that once
# crashed it (tests/fuzz/corpus/NAME, tests/fuzz/regress/NAME).
$(BUILD)/replay/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay.o $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Leaks the libraries make on their own error paths (see the file).
FUZZ_LSAN = suppressions=$(abspath tests/fuzz/lsan.supp):print_suppressions=0
LIB_LSAN = suppressions=$(abspath tests/lsan.supp):print_suppressions=0

fuzz-replay: $(REPLAY_BINS)
	@failed=0; for t in $(FUZZ_TARGETS); do \
	  LSAN_OPTIONS=$(FUZZ_LSAN) $(BUILD)/replay/fuzz_$$t $$(ls -d tests/fuzz/corpus/$$t tests/fuzz/regress/$$t 2>/dev/null) || failed=1; \
	done; exit $$failed

# libFuzzer (clang, ASan+UBSan) runs each target FUZZ_SECONDS (or only
# those in FUZZ_TARGETS=...). New inputs go to build/fuzz/corpus/NAME, the
# repository's corpus and regression inputs are only read; a crash is kept
# in build/fuzz/crashes/NAME/ and named at the end. Not part of `make check`.
# A small quarantine: the leak check after each input that the libraries
# leak in (lsan.supp) scans the whole heap, which ASan's default 256 MB
# quarantine made 15 times slower.
FUZZ_SECONDS ?= 60
FUZZ_BINS = $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

build/fuzz/fuzz_%: build/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJS)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

fuzz:
	@./deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_BINS)
	@crashed=""; for t in $(FUZZ_TARGETS); do \
	  rm -rf build/fuzz/crashes/$$t; mkdir -p build/fuzz/corpus/$$t build/fuzz/crashes/$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s, log in build/fuzz/fuzz_$$t.log"; \
	  LSAN_OPTIONS=$(FUZZ_LSAN) ASAN_OPTIONS=quarantine_size_mb=16 build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=30 -close_fd_mask=3 \
	    -artifact_prefix=build/fuzz/crashes/$$t/ build/fuzz/corpus/$$t \
	    $$(ls -d tests/fuzz/corpus/$$t tests/fuzz/regress/$$t 2>/dev/null) >build/fuzz/fuzz_$$t.log 2>&1 \
	    || crashed="$$crashed $$t"; \
	  grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' build/fuzz/fuzz_$$t.log | tail -n 1; \
	done; \
	if [ -n "$$crashed" ]; then \
	  for t in $$crashed; do echo "fuzz_$$t crashed: $$(ls build/fuzz/crashes/$$t/ | head -n 3 | sed "s|^|build/fuzz/crashes/$$t/|")"; done; \
	  echo "fuzz: crashed:$$crashed (see the logs; keep each input in tests/fuzz/regress/NAME/)"; exit 1; \
	fi; echo "fuzz: no crash in $(FUZZ_SECONDS) s each ($(FUZZ_TARGETS))"

# The fault suite (tests/faults/t_*.sh): power cuts, a card pulled mid-item,
# damaged databases, clock steps, against the real binary (installing what
# is missing first: User-Mode Linux for the clock); FAULTS_ONLY=name runs
# the matching tests. The damaged-database test fills a database with
# bench/gen.
check-faults:
	@./deps.sh faults
	@$(MAKE) --no-print-directory $(BUILD)/loa $(BUILD)/mkaudio $(BUILD)/bench/gen $(MO_FILES)
	@LOA_LOCALEDIR=$(abspath $(BUILD)/locale) LOA=$(BUILD)/loa MKAUDIO=$(BUILD)/mkaudio \
	  GEN=$(abspath $(BUILD)/bench/gen) tests/faults/run.sh

# valgrind over the unit tests: zero errors, zero leaks.
check-valgrind: $(TEST_BINS) $(BUILD)/mkaudio
# A test that loads libhwy (through FFmpeg's codecs, which no test links
# since they are loaded at first use) dies under valgrind 3.19 in libhwy's
# own start-up (SIGILL in hwy::platform::TimerResolution, before any loa
# code runs): it would run natively here, and under ASan in
# `make check SANITIZE=1`.
	@failed=0; for t in $(TEST_BINS); do \
	  if ldd $$t | grep -q libhwy; then \
	    echo "check-valgrind: $$t loads libhwy, which valgrind cannot start: run without it"; \
	    LOA_MKAUDIO=$(BUILD)/mkaudio $$t || failed=1; continue; fi; \
	  LOA_MKAUDIO=$(BUILD)/mkaudio valgrind -q --error-exitcode=9 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect $$t || failed=1; done; exit $$failed

# The demo station: a slot a minute or two ahead, demo audio made here, the
# default ALSA device or $LOA_DEMO_DEVICE.
demo: deps
	@$(MAKE) --no-print-directory all
	@./demo.sh

# Everything a station needs, under DESTDIR: the binary, the units of the
# daemon, of the web console and of the province link (their ExecStart
# pointed at BINDIR), sysusers.d and tmpfiles.d entries, the man pages,
# bash completion, and /etc/loa/loa.conf unless one is there already.
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR  ?= /etc

install: $(BUILD)/loa $(MO_FILES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	  $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(SYSCONFDIR)/loa
	install -m 0755 $(BUILD)/loa $(DESTDIR)$(BINDIR)/loa
	for u in loa loa-web loa-upstream; do sed 's|/usr/bin/loa|$(BINDIR)/loa|' systemd/$$u.service >$(DESTDIR)$(UNITDIR)/$$u.service; \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.service; done
	install -m 0644 systemd/loa.sysusers $(DESTDIR)$(SYSUSERSDIR)/loa.conf
	install -m 0644 systemd/loa.tmpfiles $(DESTDIR)$(TMPFILESDIR)/loa.conf
	install -m 0644 doc/loa.1 $(DESTDIR)$(MANDIR)/man1/loa.1
	install -m 0644 doc/loa.conf.5 $(DESTDIR)$(MANDIR)/man5/loa.conf.5
	install -m 0644 doc/loa.bash-completion $(DESTDIR)$(COMPLETIONDIR)/loa
	for l in $(LINGUAS); do install -D -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/loa.mo \
	  $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/loa.mo; done
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/loa/loa.conf ]; then \
	  echo "keeping $(DESTDIR)$(SYSCONFDIR)/loa/loa.conf; the example is systemd/loa.conf"; \
	else install -m 0644 systemd/loa.conf $(DESTDIR)$(SYSCONFDIR)/loa/loa.conf; fi
	@if [ -z "$(DESTDIR)" ]; then \
	  echo "next, as root: systemd-sysusers loa.conf && systemd-tmpfiles --create loa.conf &&"; \
	  echo "  systemctl daemon-reload && systemctl enable --now loa loa-web loa-upstream"; fi

# The station's config and its evidence (/var/lib/loa) stay.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/loa $(DESTDIR)$(UNITDIR)/loa.service $(DESTDIR)$(UNITDIR)/loa-web.service \
	  $(DESTDIR)$(UNITDIR)/loa-upstream.service \
	  $(DESTDIR)$(SYSUSERSDIR)/loa.conf $(DESTDIR)$(TMPFILESDIR)/loa.conf \
	  $(DESTDIR)$(MANDIR)/man1/loa.1 $(DESTDIR)$(MANDIR)/man5/loa.conf.5 \
	  $(DESTDIR)$(COMPLETIONDIR)/loa
	for l in $(LINGUAS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/loa.mo; done

# The Debian package, built by dpkg-buildpackage in a copy of the tree
# (build/deb/loa/), so its by-products stay out of the work tree:
# build/deb/loa_<version>_<arch>.deb, then lintian's verdict on it. In a git
# checkout the copy is the committed HEAD: a package is what a commit says,
# never what happened to be half-edited in the work tree.
# DEBARCH=arm64 or armhf cross-builds the package for a Raspberry Pi with
# Debian's cross toolchain (deps.sh ARCH) into build/deb-ARCH/; its unit
# tests run under qemu-user in `make cross-check`, not here.
DEBARCH ?= $(shell dpkg --print-architecture)
NATIVE_ARCH := $(shell dpkg --print-architecture)
DEBDIR = $(if $(filter $(NATIVE_ARCH),$(DEBARCH)),build/deb,build/deb-$(DEBARCH))
DEB_CROSS = $(if $(filter $(NATIVE_ARCH),$(DEBARCH)),,-a$(DEBARCH) --build-profiles=cross,nocheck)
deb:
	@./deps.sh deb
	@$(if $(DEB_CROSS),./deps.sh $(DEBARCH))
	rm -rf $(DEBDIR) && mkdir -p $(DEBDIR)/loa
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then git archive HEAD | tar -xf - -C $(DEBDIR)/loa; \
	else tar --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . | tar -xf - -C $(DEBDIR)/loa; fi
	cd $(DEBDIR)/loa && $(if $(DEB_CROSS),DEB_BUILD_OPTIONS=nocheck) dpkg-buildpackage -us -uc -b $(DEB_CROSS)
	lintian --fail-on error,warning $(DEBDIR)/*.changes
	@ls $(DEBDIR)/*.deb

# The package on a fresh Debian 12 (debootstrap, chroot; needs root):
# install, the user, the state folder, the unit, remove and purge.
deb-check: deb
	@tests/deb-install.sh

# Cross-build for a Raspberry Pi (ARCH=arm64 or armhf) with Debian's cross
# toolchain and multiarch -dev packages into build-ARCH/, then run the unit
# tests under qemu-user, pinned to one CPU: qemu-user 7.2 here cannot start
# a thread, and a process allowed one CPU makes none (the ledger walk reads
# and hashes in turn then). Fixtures come from the native mkaudio. On armhf
# the 64-bit time_t is checked first: tests/arm/time-abi.py fails if loa
# calls a library function whose interface carries a time_t (doc/arm.md).
ARCH ?= arm64
CROSS_MAKE = triplet=$$(dpkg-architecture -a$(ARCH) -qDEB_HOST_GNU_TYPE 2>/dev/null) && \
	PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=/usr/lib/$$triplet/pkgconfig:/usr/share/pkgconfig \
	$(MAKE) --no-print-directory BUILD=build-$(ARCH) CC=$$triplet-gcc AR=$$triplet-ar
cross-check: $(BUILD)/mkaudio
	@./deps.sh $(ARCH)
	@$(CROSS_MAKE) build-$(ARCH)/loa $(TEST_SRCS:tests/%.c=build-$(ARCH)/tests/%)
	@if [ "$(ARCH)" = armhf ]; then tests/arm/time-abi.py build-armhf/loa; fi
	@triplet=$$(dpkg-architecture -a$(ARCH) -qDEB_HOST_GNU_TYPE 2>/dev/null) && \
	qemu=qemu-$$(dpkg-architecture -a$(ARCH) -qDEB_HOST_GNU_CPU 2>/dev/null) && \
	cpu=$$(taskset -pc $$$$ | sed 's/.*: //; s/[-,].*//') && \
	failed=0 && \
	for t in $(TEST_SRCS:tests/%.c=build-$(ARCH)/tests/%); do \
	  LOA_TEST_EMULATED=1 LOA_MKAUDIO=$(BUILD)/mkaudio timeout 900 taskset -c "$$cpu" $$qemu -L /usr/$$triplet $$t || failed=1; \
	done; exit $$failed

# The whole station on ARCH (arm64 or armhf; root): the package cross-built,
# a Debian 12 of ARCH with its own kernel booted in qemu-system, the package
# installed with apt in it and a slot aired by loa.service, the e2e tests
# that need no JACK run in it (tests/arm/arm-check.sh, doc/arm.md). Not in
# CI: see doc/arm.md for how long it takes; `make weekly` runs it.
arm-check: $(BUILD)/mkaudio
	@./deps.sh arm-check $(ARCH)
	@$(MAKE) --no-print-directory deb DEBARCH=$(ARCH)
	@$(CROSS_MAKE) build-$(ARCH)/mkaudio build-$(ARCH)/tests/test_engine
	@tests/arm/arm-check.sh $(ARCH)

# What is too long for CI's 90 minutes, to run once a week: the whole
# station on arm64 and on armhf.
weekly:
	@$(MAKE) --no-print-directory arm-check ARCH=arm64
	@$(MAKE) --no-print-directory arm-check ARCH=armhf

# Benchmarks (issue #8), not part of `make check`: bench/run.sh measures
# loa and what a station would use instead, prints the table and writes
# bench/results.md and bench/results.json; its scratch goes to BUILD/bench.
BENCH_BINS = $(BUILD)/bench/gen $(BUILD)/bench/decode_floor $(BUILD)/bench/walk_floor $(BUILD)/bench/ready $(BUILD)/bench/firstframe.so \
	     $(BUILD)/bench/stream_floor $(BUILD)/bench/limiter_null $(BUILD)/bench/ear

# The null test of issue #20: today's limiter beside the one before it.
$(BUILD)/bench/limiter_null: $(BUILD)/obj/bench/limiter_null.o $(BUILD)/obj/bench/limiter_ref.o $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The stream floor calls FFmpeg itself, linked.
$(BUILD)/bench/stream_floor: $(BUILD)/obj/bench/stream_floor.o $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs $(FFMPEG)) -o $@

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBLOA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The ear is a JACK client (bench/heard.sh), and links libjack alone.
$(BUILD)/bench/ear: bench/ear.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(shell pkg-config --cflags jack) $< -o $@ $(shell pkg-config --libs jack)

# The shim is loaded into other programs (aplay, Liquidsoap) as well as loa.
$(BUILD)/bench/firstframe.so: bench/firstframe.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared $< -o $@ -ldl

bench:
	@./deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/loa $(BUILD)/mkaudio $(BENCH_BINS)
	@BUILD=$(abspath $(BUILD)) bench/run.sh

# Relays run in real time, so they are a bench of their own (about 6 min):
# bench/results-relay.json.
bench-relay:
	@./deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/loa $(BUILD)/bench/firstframe.so $(BUILD)/bench/stream_floor
	@BUILD=$(abspath $(BUILD)) bench/relay.sh

# The console's figures alone (bench/web.sh, a few minutes), merged into
# bench/results.json and .md beside those of the last `make bench`.
bench-web:
	@./deps.sh
	@$(MAKE) --no-print-directory $(BUILD)/loa $(BUILD)/mkaudio $(BUILD)/bench/gen
	@BUILD=$(abspath $(BUILD)) BENCH_WEB_MERGE=$(abspath bench/results.json) bench/web.sh $(BUILD)/bench/web.tsv
	@cat bench/results.md

clean:
	rm -rf build build-san build-arm64 build-armhf


.PHONY: FORCE print-dlopen-packages pot check-po all deps unit e2e check fuzz-replay fuzz check-faults check-valgrind demo install uninstall deb deb-check cross-check arm-check weekly bench bench-relay bench-web clean
.PRECIOUS: $(BUILD)/obj/tests/%.o $(BUILD)/obj/bench/%.o
.SECONDARY: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/fuzz/*.c))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
