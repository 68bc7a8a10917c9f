#!/bin/sh
# Refresh the committed corpus of a target from the corpus a run ended with:
#   fuzz/curate.sh TARGET [MAX_BYTES]
# Replaces fuzz/corpus/TARGET with a libFuzzer merge (-merge=1) of
# build/fuzz/corpus/TARGET, done in stages of growing input size and on edge
# coverage only (-use_counters=0), so that the committed set keeps the edges
# with the fewest bytes.  Inputs over MAX_BYTES (default 4096) are left out:
# the committed corpus is replayed by every make check, twice.  Needs the
# libFuzzer build (make fuzz-build).
set -eu
TARGET=$1
MAX=${2:-4096}
FUZZER=build/fuzz/clang/fuzz/$TARGET
SRC=build/fuzz/corpus/$TARGET
DEST=fuzz/corpus/$TARGET
[ -x "$FUZZER" ] || { echo "fuzz/curate.sh: no $FUZZER: run make fuzz-build" >&2; exit 2; }
[ -d "$SRC" ] || { echo "fuzz/curate.sh: no $SRC: run the fuzzer first" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/merged"
for size in 64 256 1024 2048 4096 8192 16384 32768; do
    [ "$size" -gt "$MAX" ] && size=$MAX
    rm -rf "$TMP/stage"
    mkdir "$TMP/stage"
    find "$SRC" -type f -size -$((size + 1))c -exec cp {} "$TMP/stage/" \;
    TMPDIR=${FUZZ_TMPDIR:-/tmp} "$FUZZER" -merge=1 -use_counters=0 -close_fd_mask=3 \
        "$TMP/merged" "$TMP/stage" >"$TMP/merge.log" 2>&1 ||
        { cat "$TMP/merge.log" >&2; exit 1; }
    grep 'MERGE-OUTER: .* new files' "$TMP/merge.log" | sed "s/^/up to $size bytes: /"
    [ "$size" -eq "$MAX" ] && break
done
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$TMP"/merged/* "$DEST/"
echo "$DEST: $(ls "$DEST" | wc -l) inputs, $(du -sk "$DEST" | cut -f1) KB"
