# loa — plain Makefile, pkg-config for every library, warnings are errors.
# `make` builds build/loa; `make check` runs every test (installing what is
# missing first); `make check SANITIZE=1` runs them under ASan+UBSan.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

PKGS     = alsa sndfile libconfig sqlite3 nettle libebur128
TESTPKGS = cmocka

WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wwrite-strings -Wundef -Werror
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -I. -MMD -MP
CFLAGS += $(shell pkg-config --cflags $(PKGS))
LDLIBS += $(shell pkg-config --libs $(PKGS)) -lm

ifeq ($(SANITIZE),1)
BUILD   := build-san
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

# Every module outside cli/ goes into one archive that the binary and every
# test link, so a test exercises exactly the code the daemon runs.
LIB_SRCS  = $(wildcard util/*.c config/*.c content/*.c ledger/*.c scheduler/*.c audio/*.c)
CLI_SRCS  = $(wildcard cli/*.c)
TEST_SRCS = $(wildcard tests/test_*.c)

LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS  = $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BINS = $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
LIBLOA    = $(BUILD)/libloa.a

all: $(BUILD)/loa $(BUILD)/mkaudio

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

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

$(BUILD)/obj/tests/%.o: CFLAGS += $(shell pkg-config --cflags $(TESTPKGS))

deps:
	@./deps.sh

unit: $(TEST_BINS) $(BUILD)/mkaudio
	@failed=0; for t in $(TEST_BINS); do \
	  LOA_MKAUDIO=$(BUILD)/mkaudio $$t || failed=1; done; exit $$failed

e2e: $(BUILD)/loa $(BUILD)/mkaudio
	@LOA=$(BUILD)/loa MKAUDIO=$(BUILD)/mkaudio tests/e2e/run.sh

check: deps
	@$(MAKE) --no-print-directory unit e2e

# valgrind over the unit tests: zero errors, zero leaks.
check-valgrind: $(TEST_BINS) $(BUILD)/mkaudio
	@failed=0; for t in $(TEST_BINS); do \
	  LOA_MKAUDIO=$(BUILD)/mkaudio valgrind -q --error-exitcode=9 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect $$t || failed=1; done; exit $$failed

# The demo station: a slot a minute or two ahead, demo audio made here, the
# default ALSA device or $LOA_DEMO_DEVICE.
demo: deps
	@$(MAKE) --no-print-directory all
	@./demo.sh

install: $(BUILD)/loa
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/loa $(DESTDIR)$(PREFIX)/bin/loa

clean:
	rm -rf build build-san

.PHONY: all deps unit e2e check check-valgrind demo install clean
.PRECIOUS: $(BUILD)/obj/tests/%.o

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
