# Helpers for the tests/cases/faults cases (sourced by their cmd; needs $BIN,
# $TOP, $BUILD and $NOTES from tests/run.sh).  Work files go to a private
# directory, $W, removed on exit.
#
# The every-call and kill cases run a program once to list the calls it makes
# on its output directory (the LD_PRELOAD shim, tests/faults/faultshim.c),
# then once per call K with that call failing or the program killed there,
# each time from the same previous output, and check what is left.

SHIM=$BUILD/tests/faultshim.so
[ -f "$SHIM" ] || { echo "no $SHIM: build it with make check" >&2; exit 2; }
# fsync is what takes time on a disk: scratch in /dev/shm (tmpfs) when there
# is one that allows running programs (containers often mount it noexec, and
# the cases run copies of the programs and a stand-in gnuplot from $W).
W=$(mktemp -d -p /dev/shm 2>/dev/null) &&
    printf '#!/bin/sh\n' >"$W/exec-test" && chmod +x "$W/exec-test" && "$W/exec-test" 2>/dev/null ||
    { [ -n "$W" ] && rm -rf "$W"; W=$(mktemp -d) || exit 2; }
rm -f "$W/exec-test"
trap 'chmod -R u+rwX "$W" 2>/dev/null; rm -rf "$W"' EXIT
W=$(cd "$W" && pwd -P) # the shim compares resolved paths
problems=0
NL='
'

problem() {
    problems=$((problems + 1))
    [ "$problems" -le 20 ] && echo "$*" >&2
}

# snapshot DIR FILE: every entry under DIR, hidden ones too, with the CRC and
# size of each regular file, sorted by name.
snapshot() {
    find "$1" -mindepth 1 \( -type f -exec cksum {} + \) -o -printf 'other - %p\n' |
        LC_ALL=C sort -k3 >"$2"
}

# inject K ACTION ERRNO CMD...: run CMD (a program, or a shell function that
# runs one) with the shim watching $FDIR and failing (ACTION fail) or killing
# the program at (ACTION kill) counted call K; K 0 lists every call in
# $W/calls.  With PERSIST=1, every counted call from K on fails (a disk that
# stays broken).  Output in $W/stdout and $W/stderr.
inject() {
    k=$1 action=$2 errno=$3
    shift 3
    rm -f "$W/calls"
    (
        export LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
            FAULT_DIR="$FDIR" FAULT_AT="$k" FAULT_ACTION="$action" FAULT_ERRNO="$errno" \
            FAULT_REPORT="$W/calls" FAULT_PERSIST="${PERSIST:-0}"
        "$@"
    ) >"$W/stdout" 2>"$W/stderr"
}

# restore DIR: DIR as it was when prepare_previous saved it.
restore() {
    rm -rf "$1" && cp -a "$W/previous" "$1" || exit 2
}

# prepare_previous DIR: save DIR (the previous output) for restore and
# compare.  Every file in it should differ from what the run will write, so
# that an old and a new file can be told apart.
prepare_previous() {
    rm -rf "$W/previous"
    cp -a "$1" "$W/previous" && snapshot "$1" "$W/previous.snap" || exit 2
}

# count_calls CMD...: the clean run under the shim: $n calls, listed in
# $W/all-calls and by kind in $kinds, its stderr kept in $W/clean.stderr and
# its output snapshot in $W/new.snap (then the previous output is put back).
count_calls() {
    restore "$FDIR"
    if ! inject 0 fail ENOSPC "$@"; then
        cat "$W/stderr" >&2
        echo "the clean run failed" >&2
        exit 1
    fi
    cp "$W/stderr" "$W/clean.stderr" && cp "$W/calls" "$W/all-calls" || exit 2
    snapshot "$FDIR" "$W/new.snap"
    n=$(sed -n 's/^calls //p' "$W/calls")
    kinds=$(grep -v '^calls ' "$W/calls" | awk '{print $2}' | sort | uniq -c |
        awk '{printf "%s%s %s", sep, $2, $1; sep = ", "}')
    [ "${n:-0}" -gt 0 ] || { echo "the shim counted no call" >&2; exit 1; }
    restore "$FDIR"
}

# faulted_call K: $call, the line of $W/calls for call K ("K CALL PATH"), or
# empty when the run did not reach it.  (Builtins only: the loops below run
# hundreds of times, and forks are most of their cost.)
faulted_call() {
    call=""
    [ -f "$W/calls" ] && IFS= read -r call <"$W/calls"
    case "$call" in "$1 "*) ;; *) call="" ;; esac
}

# every_call CMD...: for K = 1..$n, call K fails (ENOSPC for odd K, EIO for
# even K).  Each run must exit non-zero (not by a signal), print exactly one
# line the clean run did not, naming a file in $FDIR and the error, and leave
# $FDIR exactly as before: the previous files byte for byte, no temporary
# file.
every_call() {
    k=1 changed=0
    while [ "$k" -le "$n" ]; do
        if [ $((k % 2)) -eq 1 ]; then
            errno=ENOSPC text="No space left on device"
        else
            errno=EIO text="Input/output error"
        fi
        [ "${changed:-0}" -eq 0 ] || restore "$FDIR"
        inject "$k" fail "$errno" "$@"
        rc=$?
        faulted_call "$k"
        if [ -z "$call" ]; then
            problem "call $k: not reached (the runs differ)"
        elif [ "$rc" -eq 0 ] || [ "$rc" -gt 125 ]; then
            problem "$call ($errno): exit status $rc"
        fi
        # the lines the clean run did not print: exactly one, and clear
        message=$(grep -vxF -f "$W/clean.stderr" "$W/stderr")
        case "$message" in
        "" | *"$NL"*) problem "$call ($errno): not one new line on stderr but: '$message'" ;;
        candour-*": $FDIR/"*": $text") ;;
        *) problem "$call ($errno): unclear message: $message" ;;
        esac
        snapshot "$FDIR" "$W/after.snap"
        changed=0
        if ! cmp -s "$W/previous.snap" "$W/after.snap"; then
            changed=1
            problem "$call ($errno): $FDIR changed: $(diff "$W/previous.snap" "$W/after.snap" | grep '^[<>]' | tr '\n' ' ')"
        fi
        k=$((k + 1))
    done
}

# every_kill JOURNAL CMD...: for K = 1..$n, SIGKILL at call K.  Every file
# under a final name must be its previous or its new version, whole; other
# files may only be temporary ones (.NAME.tmp.XXXXXX, kept by SIGKILL) or
# JOURNAL.  A mix of previous and new files is allowed only while JOURNAL
# exists (JOURNAL "-": no journal; then a mix only when killed at a rename).
# Whenever JOURNAL is left, the case's function journal_check must succeed
# (the reader refuses the directory).  Counts the outcomes in $all_previous,
# $all_new and $mixed, and the runs that left the journal in $journals.
every_kill() {
    journal=$1
    shift
    all_previous=0 all_new=0 mixed=0 journals=0
    k=1
    while [ "$k" -le "$n" ]; do
        restore "$FDIR"
        inject "$k" kill ENOSPC "$@"
        rc=$?
        faulted_call "$k"
        if [ -z "$call" ]; then
            problem "kill at call $k: not reached"
        elif [ "$rc" -ne 137 ]; then
            problem "kill at $call: exit status $rc, not 137 (SIGKILL)"
        fi
        snapshot "$FDIR" "$W/after.snap"
        awk -v journal="$journal" '
            FILENAME == ARGV[1] { previous[$3] = $1 " " $2; next }
            FILENAME == ARGV[2] { new[$3] = $1 " " $2; next }
            {
                name = $3; seen[name] = 1; sum = $1 " " $2
                base = name; sub(/.*\//, "", base)
                if (name in previous || name in new) {
                    if (name in previous && sum == previous[name]) n_previous++
                    else if (name in new && sum == new[name]) n_new++
                    else bad = bad " partial " name
                } else if (base == journal) {
                    has_journal = 1
                } else if (base !~ /^\..+\.tmp\.[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9](\.old)?$/) {
                    bad = bad " stray " name
                }
            }
            END {
                for (name in previous) if (!(name in seen)) bad = bad " missing " name
                state = n_new == 0 ? "previous" : n_previous == 0 ? "new" : "mixed"
                print state " " (has_journal ? "journal" : "nojournal")
                print bad
            }' "$W/previous.snap" "$W/new.snap" "$W/after.snap" >"$W/verdict"
        { IFS= read -r state && IFS= read -r bad; } <"$W/verdict"
        [ -z "$bad" ] || problem "kill at $call: $bad"
        case "$state" in
        previous*) all_previous=$((all_previous + 1)) ;;
        new*) all_new=$((all_new + 1)) ;;
        mixed*) mixed=$((mixed + 1)) ;;
        esac
        case "$state" in
        *\ journal)
            journals=$((journals + 1))
            journal_check || problem "kill at $call: $journal left, and: $journal_problem"
            ;;
        esac
        case "$state,$journal" in
        mixed\ journal,*) ;;
        mixed\ nojournal,-)
            case "$call" in *" rename "*) ;; *) problem "kill at $call: previous and new files mixed" ;; esac ;;
        mixed\ nojournal,*) problem "kill at $call: previous and new files mixed, no $journal" ;;
        esac
        k=$((k + 1))
    done
}

# world_setup: $W/world, a directory anyone may enter, holding copies of
# the programs (bin/) and of the nss-2023 and wres-hr schemas, so that
# as_nobody can run them wherever the checkout is (root's home is 0700).
world_setup() {
    mkdir -p "$W/world/bin" && chmod 755 "$W" "$W/world" "$W/world/bin" &&
        cp "$BIN"/candour-* "$W/world/bin/" &&
        cp "$TOP/schemas/nss-2023.schema" "$TOP/schemas/wres-hr.schema" "$W/world/" &&
        chmod 644 "$W"/world/*.schema || exit 2
}

# as_nobody CMD...: run CMD as an unprivileged user, so that file permissions
# apply (root passes them by): as root, user and group 65534 (nobody) with no
# supplementary groups, by setpriv (util-linux) or else python3; as anyone
# else, as is.
as_nobody() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v setpriv >/dev/null 2>&1; then
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
    else
        python3 -c 'import os, sys
os.setgroups([]); os.setgid(65534); os.setuid(65534)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
    fi
}

# note TEXT: a line shown with the case's result.
note() {
    echo "$*" >>"$NOTES"
}

# A stand-in for gnuplot: writes a PNG signature or the start of an SVG to
# every 'set output' file, at once.  The every-call case for candour-report
# tests its I/O, not the drawing (the report cases draw with gnuplot).
fake_gnuplot() {
    mkdir -p "$W/fake-bin"
    cat >"$W/fake-bin/gnuplot" <<'EOF'
#!/bin/sh
sed -n "s/^set output '\(.*\)'\$/\1/p" | sed "s/''/'/g" | while IFS= read -r f; do
    case "$f" in
    *.png.tmp.*) printf '\211PNG\r\n\032\n' >"$f" ;;
    *) printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$f" ;;
    esac
done
EOF
    chmod +x "$W/fake-bin/gnuplot"
}

finish() {
    if [ "$problems" -gt 0 ]; then
        echo "$problems problems" >&2
        exit 1
    fi
    exit 0
}
