# Fuzzing (docs/fuzzing.md), included by the top Makefile.
#
#   make fuzz                     seed, build with clang + libFuzzer, run every target
#                                 for FUZZ_SECONDS (default 1800); -j2 runs two at once
#   make fuzz-run-fuzz_schema     one target
#   make fuzz-seed                rebuild the seed corpora in build/fuzz/corpus/
#
# Each target fuzz/<target>.c defines LLVMFuzzerTestOneInput.  Linked with
# libFuzzer (clang) it is a fuzzer; linked with fuzz/replay.c (any C compiler)
# it is $(BUILD)/fuzz/replay-<target>, which `make check` runs on the
# committed corpus and regression inputs under the normal and sanitizer
# builds (tests/cases/fuzz/).

FUZZ_TARGETS  := fuzz_csv_ingest fuzz_csv_ingest_wide fuzz_schema fuzz_dataset fuzz_csv_diff
FUZZ_SECONDS  ?= 1800
# per-input limit; raise it on a loaded machine, where nice -n 19 starves the run
FUZZ_TIMEOUT  ?= 30
FUZZ_CC       ?= clang
FUZZ_PACKAGES ?= clang libclang-rt-dev
FUZZ_OUT      := build/fuzz
FUZZ_CLANG    := $(FUZZ_OUT)/clang
# Scratch files of the ingest target: tmpfs when there is one, so the
# fsync of every dataset written costs nothing.
FUZZ_TMPDIR   ?= $(if $(wildcard /dev/shm/.),/dev/shm,/tmp)
FUZZ_SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Per target: program code linked besides the library, dictionary, longest input.
FUZZ_OBJS_fuzz_csv_ingest := ingest/ingest.o ingest/wide.o
FUZZ_OBJS_fuzz_csv_ingest_wide := $(FUZZ_OBJS_fuzz_csv_ingest)
FUZZ_OBJS_fuzz_dataset    := ingest/export.o
FUZZ_OBJS_fuzz_schema     :=
FUZZ_OBJS_fuzz_csv_diff   :=
FUZZ_DICT_fuzz_csv_ingest := fuzz/csv.dict
FUZZ_DICT_fuzz_csv_ingest_wide := fuzz/csv.dict
FUZZ_DICT_fuzz_dataset    := fuzz/schema.dict
FUZZ_DICT_fuzz_schema     := fuzz/schema.dict
FUZZ_DICT_fuzz_csv_diff   := fuzz/csv.dict
FUZZ_MAXLEN_fuzz_csv_ingest := 16384
FUZZ_MAXLEN_fuzz_csv_ingest_wide := 16384
FUZZ_MAXLEN_fuzz_dataset    := 32768
FUZZ_MAXLEN_fuzz_schema     := 16384
FUZZ_MAXLEN_fuzz_csv_diff   := 16384

FUZZ_REPLAYS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay-%)
FUZZ_OBJ     := $(patsubst %.c,$(BUILD)/%.o,$(wildcard fuzz/*.c))

$(BUILD)/fuzz/%.o: ALL_CFLAGS += -Iingest
$(BUILD)/fuzz/fuzz_csv_ingest.o: ALL_CFLAGS += -DFUZZ_SCHEMA='"$(CURDIR)/schemas/nss-2023.schema"'
$(BUILD)/fuzz/fuzz_csv_ingest_wide.o: ALL_CFLAGS += \
    -DFUZZ_SCHEMA='"$(CURDIR)/schemas/nss-benchmark-wide.schema"'

# replay-<target>: with the build's compiler; <target>: with libFuzzer (only
# built in the clang build, see fuzz-build).
define FUZZ_RULE
$(BUILD)/fuzz/replay-$(1): $(BUILD)/fuzz/replay.o $(BUILD)/fuzz/harness.o $(BUILD)/fuzz/$(1).o \
        $(addprefix $(BUILD)/,$(FUZZ_OBJS_$(1))) $(LIBCANDOUR)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
$(BUILD)/fuzz/$(1): $(BUILD)/fuzz/harness.o $(BUILD)/fuzz/$(1).o \
        $(addprefix $(BUILD)/,$(FUZZ_OBJS_$(1))) $(LIBCANDOUR)
	$$(CC) $$(ALL_LDFLAGS) -fsanitize=fuzzer -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

# make check replays the corpora (tests/cases/fuzz/<target>/cmd).
check-one: $(FUZZ_REPLAYS)

.PHONY: fuzz fuzz-deps fuzz-build fuzz-seed fuzz-bins $(FUZZ_TARGETS:%=fuzz-run-%)

fuzz-deps:
	@sh scripts/deps.sh $(FUZZ_PACKAGES)

# The library and targets with clang: coverage-instrumented (fuzzer-no-link),
# ASan + UBSan.
fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_CLANG) BIN=$(FUZZ_CLANG)/bin CC=$(FUZZ_CC) \
	    OPT="-O1 -g" SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

fuzz-seed: deps
	@$(MAKE) --no-print-directory all
	@sh fuzz/seed.sh "$(BIN)" $(FUZZ_OUT)/corpus

# One target for FUZZ_SECONDS.  New inputs go to build/fuzz/corpus/<target>
# (the committed corpus is read, not written), crashes to
# build/fuzz/artifacts/<target>/, the log to build/fuzz/<target>.log.
$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%: fuzz-build fuzz-seed
	@mkdir -p $(FUZZ_OUT)/artifacts/$*
	@echo "fuzz: $* for $(FUZZ_SECONDS) s, log $(FUZZ_OUT)/$*.log"
	@TMPDIR=$(FUZZ_TMPDIR) nice -n 19 $(FUZZ_CLANG)/fuzz/$* \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAXLEN_$*) -dict=$(FUZZ_DICT_$*) \
	    -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=2048 -close_fd_mask=3 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_OUT)/artifacts/$*/ \
	    $(FUZZ_OUT)/corpus/$* fuzz/corpus/$* $(wildcard fuzz/regressions/$*) \
	    >$(FUZZ_OUT)/$*.log 2>&1 || { echo "fuzz: $* FAILED, see $(FUZZ_OUT)/$*.log:"; \
	        grep -E 'ERROR|SUMMARY|fuzz: |Test unit written' $(FUZZ_OUT)/$*.log | head -20; exit 1; }

fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)
	@sh fuzz/summary.sh $(FUZZ_OUT) $(FUZZ_TARGETS)

-include $(FUZZ_OBJ:.o=.d)
