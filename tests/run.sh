#!/bin/sh
# Run the unit tests and the end-to-end cases against one build.
#   tests/run.sh BIN_DIR BUILD_DIR TALLY_FILE [FILTER]
# Appends "passed failed" to TALLY_FILE.  FILTER (make check T=...) keeps the
# unit test binaries and cases whose name contains it.
#
# An end-to-end case is a directory tests/cases/<program>/<case>/ with
#   cmd              shell commands, run in the case directory with $BIN (the
#                    programs), $OUT (an empty scratch directory), $TOP, $BUILD
#                    (the build directory, for test helpers such as
#                    $BUILD/tests/faultshim.so and the fuzz replay drivers in
#                    $BUILD/fuzz) and $NOTES (a file: each line written to it is
#                    shown with the case's name, pass or fail)
#   exit             expected exit status (default 0)
#   expected-stderr  expected stderr, exactly ($OUT in it stands for the path)
#   expected-stdout  expected stdout, exactly (optional)
#   expected-files   files that must exist in $OUT afterwards, one per line;
#                    without it $OUT must be empty: a failed run leaves nothing
#   check            optional extra commands run afterwards; must exit 0
#
# CANDOUR_TESTS_EXCLUDE (space-separated case-name prefixes, e.g. "faults/")
# leaves those cases out, saying how many (make valgrind uses it).
#
# CANDOUR_BLESS=1 (e.g. CANDOUR_BLESS=1 make check T=stats/shared-base)
# regenerates goldens: a case whose exit status is right but whose stderr or
# stdout differs gets this run's output written to expected-stderr /
# expected-stdout, and still counts as failed this once; review the change
# with git diff (for numbers, tests/numbers_only_changed.py).
set -u
# One locale for every case, whatever the machine's: messages, sorting and
# number formats must not depend on it.
LC_ALL=C
export LC_ALL
BIN_DIR=$(cd "$1" && pwd)
BUILD_DIR=$2
mkdir -p "$BUILD_DIR"
BUILD_ABS=$(cd "$BUILD_DIR" && pwd)
EXCLUDE=${CANDOUR_TESTS_EXCLUDE:-}
excluded=0
TALLY=$3
FILTER=${4:-}
TOP=$(pwd)
passed=0
failed=0
label=$(basename "$BUILD_DIR")
[ "$label" = build ] && label=normal

fail() {
    failed=$((failed + 1))
    echo "FAIL [$label] $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /' | head -40
}

# ---- unit tests (cmocka) ----
for t in "$BUILD_DIR"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    case "$name" in *"$FILTER"*) ;; *) continue ;; esac
    out=$("$t" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    passed=$((passed + p))
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
        [ "$f" -eq 0 ] && f=1
        failed=$((failed + f))
        echo "FAIL [$label] unit $name (exit $rc)"
        printf '%s\n' "$out" | grep -E 'FAILED|ERROR|error|Sanitizer|runtime error' | head -20 | sed 's/^/    /'
    fi
done

# ---- end-to-end cases ----
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
for dir in "$TOP"/tests/cases/*/*/; do
    [ -f "$dir/cmd" ] || continue
    dir=${dir%/}
    name=$(echo "$dir" | sed "s|^$TOP/tests/cases/||")
    case "$name" in *"$FILTER"*) ;; *) continue ;; esac
    skip=""
    for prefix in $EXCLUDE; do
        case "$name" in "$prefix"*) skip=1 ;; esac
    done
    if [ -n "$skip" ]; then
        excluded=$((excluded + 1))
        continue
    fi
    OUT="$SCRATCH/out"
    rm -rf "$OUT"
    mkdir -p "$OUT"
    : >"$SCRATCH/notes"
    (cd "$dir" && BIN="$BIN_DIR" OUT="$OUT" TOP="$TOP" BUILD="$BUILD_ABS" NOTES="$SCRATCH/notes" \
        sh ./cmd >"$SCRATCH/stdout" 2>"$SCRATCH/stderr")
    rc=$?
    sed "s|^|NOTE [$label] $name: |" "$SCRATCH/notes"
    want_rc=0
    [ -f "$dir/exit" ] && want_rc=$(cat "$dir/exit")
    sed "s|$OUT|\$OUT|g" "$SCRATCH/stderr" >"$SCRATCH/stderr.norm"
    sed "s|$OUT|\$OUT|g" "$SCRATCH/stdout" >"$SCRATCH/stdout.norm"
    problem=""
    if [ "$rc" != "$want_rc" ]; then
        problem="exit status $rc, expected $want_rc; stderr ends:
$(tail -n 15 "$SCRATCH/stderr.norm")"
    elif [ -n "${CANDOUR_BLESS:-}" ] && { { [ -f "$dir/expected-stderr" ] && ! cmp -s "$dir/expected-stderr" "$SCRATCH/stderr.norm"; } ||
        { [ -f "$dir/expected-stdout" ] && ! cmp -s "$dir/expected-stdout" "$SCRATCH/stdout.norm"; }; }; then
        [ -f "$dir/expected-stderr" ] && cp "$SCRATCH/stderr.norm" "$dir/expected-stderr"
        [ -f "$dir/expected-stdout" ] && cp "$SCRATCH/stdout.norm" "$dir/expected-stdout"
        problem="CANDOUR_BLESS: expected-stderr / expected-stdout rewritten from this run"
    elif [ -f "$dir/expected-stderr" ] && ! cmp -s "$dir/expected-stderr" "$SCRATCH/stderr.norm"; then
        problem="stderr differs:
$(diff "$dir/expected-stderr" "$SCRATCH/stderr.norm")"
    elif [ -f "$dir/expected-stdout" ] && ! cmp -s "$dir/expected-stdout" "$SCRATCH/stdout.norm"; then
        problem="stdout differs:
$(diff "$dir/expected-stdout" "$SCRATCH/stdout.norm" | head -20)"
    else
        want_files=""
        [ -f "$dir/expected-files" ] && want_files=$(sort "$dir/expected-files" | tr '\n' ' ')
        have_files=$(cd "$OUT" && find . -mindepth 1 | sed 's|^\./||' | sort | tr '\n' ' ')
        if [ "$want_files" != "$have_files" ]; then
            problem="files in \$OUT: '$have_files', expected '$want_files'"
        elif [ -f "$dir/check" ]; then
            if ! check_out=$(cd "$dir" && BIN="$BIN_DIR" BUILD="$BUILD_ABS" OUT="$OUT" TOP="$TOP" sh ./check 2>&1); then
                problem="check failed:
$check_out"
            fi
        fi
    fi
    if [ -n "$problem" ]; then
        fail "$name" "$problem"
    else
        passed=$((passed + 1))
    fi
done

[ "$excluded" -gt 0 ] && echo "[$label] $excluded cases not run here (prefixes: $EXCLUDE)"
echo "[$label] $passed passed, $failed failed"
echo "$passed $failed" >>"$TALLY"
