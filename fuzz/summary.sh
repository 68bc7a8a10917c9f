#!/bin/sh
# One line per fuzz target from its libFuzzer log (-print_final_stats=1):
#   fuzz/summary.sh OUT_DIR TARGET...
# reads OUT_DIR/<target>.log and OUT_DIR/artifacts/<target>/; exits 1 when
# any target left a crash, leak, timeout or out-of-memory input.
set -u
OUT=$1
shift
status=0
printf '%-16s %8s %12s %8s %6s %7s %10s %9s\n' target seconds executions exec/s cov ft corpus findings
for t in "$@"; do
    log=$OUT/$t.log
    if [ ! -f "$log" ]; then
        printf '%-16s no log\n' "$t"
        status=1
        continue
    fi
    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
    seconds=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    # the last status line: "#N DONE cov: C ft: F corp: U/SIZE ... MS: mutations"
    last=$(grep -aE '^#[0-9]+' "$log" | grep -a ' cov: ' | tail -n 1 | sed 's/ MS: .*//')
    field() { echo "$last" | awk -v key="$1:" '{for (i = 1; i < NF; i++) if ($i == key) {print $(i + 1); exit}}'; }
    cov=$(field cov)
    ft=$(field ft)
    corp=$(field corp)
    findings=$(find "$OUT/artifacts/$t" -type f 2>/dev/null | wc -l)
    [ "$findings" -gt 0 ] && status=1
    printf '%-16s %8s %12s %8s %6s %7s %10s %9s\n' "$t" "${seconds:--}" \
        "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" "${cov:--}" \
        "${ft:--}" "${corp:--}" "$findings"
done
exit $status
