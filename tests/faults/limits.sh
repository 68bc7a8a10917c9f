# Helpers for the tests/cases/limits cases (sourced by their cmd; needs $BIN,
# $TOP, $OUT, $BUILD and $NOTES from tests/run.sh).  The inputs are made at test time
# in a private directory (never committed) and removed on exit.

LIMIT_KIB=65536 # the bound on peak memory: 64 MiB
exec 9>&2       # the case's stderr, for measure's complaints whatever CMD's goes to
W=$(mktemp -d) || exit 2
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 2

# make_input KIND FILE: tests/faults/limits.py make KIND FILE.
make_input() {
    python3 "$TOP/tests/faults/limits.py" make "$1" "$2" || exit 2
}

# measure CMD...: run CMD (its stderr and exit status are the case's), note
# its peak resident set size, and complain on stderr when it is over the
# bound.  Two minutes at most: without its cap, a million-column header alone
# keeps candour-ingest busy for more than ten.
measure() {
    "$BUILD/tests/peakrss" "$W/rss" 120 "$@"
    rc=$?
    [ "$rc" -ne 142 ] || echo "still running after 120 s: stopped" >&9
    kib=$(cat "$W/rss")
    echo "peak RSS $((kib / 1024)) MiB ($kib KiB; bound $((LIMIT_KIB / 1024)) MiB)" >>"$NOTES"
    [ "$kib" -lt "$LIMIT_KIB" ] || echo "peak RSS $kib KiB, over the bound of $LIMIT_KIB KiB" >&9
    return $rc
}
