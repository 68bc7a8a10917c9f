# candour: plain GNU make. `make` builds bin/, `make check` runs every test twice
# (normal build, then AddressSanitizer + UndefinedBehaviorSanitizer build).

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
BIN     ?= bin
VERSION := 0.1.0

CC      ?= cc
CSTD    := -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes -Wvla
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  ?=
LDFLAGS ?=

# libcsv ships no pkg-config file on Debian: use one if a distribution provides it,
# otherwise the Debian layout (csv.h in the default include path, -lcsv).
PKGS        := gsl zlib
CSV_CFLAGS  := $(shell pkg-config --cflags libcsv 2>/dev/null)
CSV_LIBS    := $(shell pkg-config --libs libcsv 2>/dev/null || echo -lcsv)
# libdeflate (whole-buffer deflate and CRC-32, for dataset blocks) the same
# way, in case its .pc is missing.
DEFLATE_CFLAGS := $(shell pkg-config --cflags libdeflate 2>/dev/null)
DEFLATE_LIBS   := $(shell pkg-config --libs libdeflate 2>/dev/null || echo -ldeflate)
# ISA-L (igzip: candour-stats --gzip) likewise: Debian's libisal-dev ships
# libisal.pc, with <isa-l/igzip_lib.h> in the default include path.
ISAL_CFLAGS := $(shell pkg-config --cflags libisal 2>/dev/null)
ISAL_LIBS   := $(shell pkg-config --libs libisal 2>/dev/null || echo -lisal)
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CSV_CFLAGS) $(DEFLATE_CFLAGS) \
               $(ISAL_CFLAGS)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(CSV_LIBS) $(DEFLATE_LIBS) $(ISAL_LIBS) \
               -lpthread -lm
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)

ALL_CFLAGS  = $(CSTD) $(WARN) $(OPT) $(SAN) -Ilib -DCANDOUR_VERSION='"$(VERSION)"' \
              $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

LIB_SRC    := $(sort $(wildcard lib/*.c))
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBCANDOUR := $(BUILD)/libcandour.a
PROGRAMS   := ingest stats report
PROG_BINS  := $(PROGRAMS:%=$(BIN)/candour-%)
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
ALL_OBJ    := $(LIB_OBJ) $(foreach p,$(PROGRAMS),$(patsubst %.c,$(BUILD)/%.o,$(wildcard $(p)/*.c)))

.PHONY: all check check-one asan demo bench fuzz valgrind format install uninstall \
        clean deps sample-data
.DEFAULT_GOAL := all

all: $(PROG_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBCANDOUR): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# One program per folder: bin/candour-<folder> from <folder>/*.c and the library.
define PROGRAM_RULE
$(BIN)/candour-$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(1)/*.c)) $(LIBCANDOUR)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call PROGRAM_RULE,$(p))))

# test_stats_disclosure runs disclosure_decide on a whole stats run.
UNIT_DEPS_test_stats_disclosure = $(patsubst %.c,$(BUILD)/%.o,$(filter-out stats/main.c \
                                      stats/disclosure.c,$(wildcard stats/*.c)))
# Unit tests (cmocka): tests/unit/test_<name>.c becomes $(BUILD)/tests/test_<name>,
# linked with the library; test_<module>.c tests lib/<module>.c.  A test of a
# program's own module is named test_<prog>_<module>.c (test_stats_output.c
# tests stats/output.c) and links $(BUILD)/<prog>/<module>.o as well: no rule
# to write.  One that needs more of its program lists the objects, above the
# rule below, in UNIT_DEPS_test_<prog>_<module>, e.g.
#   UNIT_DEPS_test_stats_disclosure = $(BUILD)/stats/model.o
# A test named after a program but no module of it stops make with a message.
unit_module = $(firstword $(foreach p,$(PROGRAMS),$(if $(filter test_$(p)_%,$(1)),$(patsubst \
                  test_$(p)_%,$(p)/%.c,$(1)))))
unit_objs   = $(patsubst %.c,$(BUILD)/%.o,$(call unit_module,$(1))) $(UNIT_DEPS_$(1))
define UNIT_RULE
$(if $(call unit_module,$(1)),$(if $(wildcard $(call unit_module,$(1))),,$(error \
    tests/unit/$(1).c: there is no $(call unit_module,$(1)) for it to test)))
$$(BUILD)/tests/$(1): tests/unit/$(1).c $(call unit_objs,$(1)) $$(LIBCANDOUR)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $$(CMOCKA_CFLAGS) -o $$@ $$< $(call unit_objs,$(1)) $$(LIBCANDOUR) \
	    $$(ALL_LDFLAGS) $$(CMOCKA_LIBS) $$(PKG_LIBS)
endef
$(foreach t,$(UNIT_SRC:tests/unit/%.c=%),$(eval $(call UNIT_RULE,$(t))))

# The fault-injection shim (tests/faults/faultshim.c) is preloaded into the
# programs by the tests/cases/faults cases.  It is built without sanitizers in
# both builds: with the ASan build it sits in front of ASan's interceptors.
# peakrss measures the peak memory of a program for the tests/cases/limits cases.
FAULTSHIM := $(BUILD)/tests/faultshim.so
PEAKRSS   := $(BUILD)/tests/peakrss
$(FAULTSHIM): tests/faults/faultshim.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl
$(PEAKRSS): tests/faults/peakrss.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O2 -g -o $@ $<

include fuzz/fuzz.mk

# ---- tests -------------------------------------------------------------------
# check-one runs the unit tests and the end-to-end cases against one build and
# appends its tally to $(TALLY); `make check` does it for the normal and the
# sanitizer builds and prints the one summary line.  T=name runs matching tests only.
TALLY ?= $(BUILD)/tally
T ?=
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

check: deps
	@rm -f build/tally
	@$(MAKE) --no-print-directory check-one TALLY=$(CURDIR)/build/tally
	@$(MAKE) --no-print-directory check-one BUILD=build/asan BIN=build/asan/bin \
	    OPT="-O1 -g" SAN="$(SAN_FLAGS)" TALLY=$(CURDIR)/build/tally
	@awk '{p+=$$1; f+=$$2} END {printf "%d passed, %d failed\n", p, f; exit f > 0}' build/tally

check-one: $(PROG_BINS) $(UNIT_BINS) $(FAULTSHIM) $(PEAKRSS)
	@mkdir -p $(dir $(TALLY))
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    sh tests/run.sh "$(BIN)" "$(BUILD)" "$(TALLY)" "$(T)"

# The end-to-end cases with every program (and fuzz replay driver) run under valgrind memcheck: any
# error or leak makes the program exit 99, which fails its case, and any
# failed case fails the target (it used to exit 0 regardless).  valgrind is
# named by its full path: some cases run the programs with a bare PATH.  The
# faults/ and limits/ cases are left out (run.sh says how many): they preload
# a shim into the program or measure its own peak memory, which valgrind's
# wrapper would defeat; make check runs them in both builds.
VALGRIND ?= $(shell command -v valgrind 2>/dev/null)
valgrind: all $(FUZZ_REPLAYS)
	@[ -n "$(VALGRIND)" ] || { echo "valgrind not found: apt-get install valgrind" >&2; exit 2; }
	@mkdir -p build/valgrind/bin build/valgrind/fuzz
	@wrap() { \
	    printf '#!/bin/sh\nexec %s -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect %s "$$@"\n' \
	        "$(VALGRIND)" "$(CURDIR)/$$1" >"$$2" && chmod +x "$$2"; }; \
	for p in $(PROGRAMS); do wrap $(BIN)/candour-$$p build/valgrind/bin/candour-$$p; done; \
	for t in $(FUZZ_TARGETS); do wrap $(BUILD)/fuzz/replay-$$t build/valgrind/fuzz/replay-$$t; done
	@rm -f build/valgrind/tally
	@CANDOUR_TESTS_EXCLUDE="faults/ limits/" \
	    sh tests/run.sh build/valgrind/bin build/valgrind build/valgrind/tally "$(T)"
	@awk '{p+=$$1; f+=$$2} END {printf "%d passed, %d failed\n", p, f; exit f > 0}' \
	    build/valgrind/tally

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin OPT="-O1 -g" \
	    SAN="$(SAN_FLAGS)" all

# ---- the main job on the shipped sample data -----------------------------------
demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh "$(BIN)"

# National-scale throughput and memory against the floors (cat, gzip -dc, a
# bare libcsv parse) and DuckDB; ROWS="100000,700000" picks sizes, RUNS=N.
bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@python3 bench/bench.py $(if $(ROWS),--rows $(ROWS)) $(if $(RUNS),--runs $(RUNS))

sample-data:
	python3 sample-data/generate.py sample-data

deps:
	@sh scripts/deps.sh

format:
	clang-format -i lib/*.[ch] ingest/*.[ch] stats/*.[ch] report/*.[ch] tests/unit/*.c fuzz/*.[ch]

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/candour/schemas
	install -m 0755 $(PROG_BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 schemas/*.schema $(DESTDIR)$(PREFIX)/share/candour/schemas/

uninstall:
	rm -f $(PROGRAMS:%=$(DESTDIR)$(PREFIX)/bin/candour-%)
	rm -rf $(DESTDIR)$(PREFIX)/share/candour

clean:
	rm -rf build bin

-include $(ALL_OBJ:.o=.d) $(UNIT_BINS:=.d)
