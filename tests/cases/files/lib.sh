# Helpers for the tests/cases/files cases (sourced by their cmd).
SCHEMA=$TOP/schemas/nss-2023.schema
TINY=$TOP/tests/cases/report/text-tiny-org

# hold DIR [AFTER]: another run (flock(1)) takes DIR's exclusive lock, as a
# writer of DIR would; returns once it holds it.  The holder keeps it until
# release is called, or with AFTER (shell commands) for one second, then runs
# AFTER and lets go.
hold() {
    rm -f "$OUT/.held"
    if [ -n "${2:-}" ]; then
        flock -x "$1" sh -c ': >"$0/.held"; sleep 1; '"$2"'; rm -f "$0/.held"' "$OUT" &
    else
        flock -x "$1" sh -c ': >"$0/.held"; while [ -e "$0/.held" ]; do sleep 0.05; done' "$OUT" &
    fi
    holder=$!
    while [ ! -e "$OUT/.held" ]; do sleep 0.02; done
}

release() {
    rm -f "$OUT/.held"
    wait "$holder"
}
