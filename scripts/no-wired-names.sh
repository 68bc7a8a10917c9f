#!/bin/sh
# Meaning lives in the schemas (issue #12): no item or theme id of a shipped
# schema, and no WRES grouping or group name, may appear in the C code of
# report/ or stats/ outside comments.  Usage: no-wired-names.sh TOP [DIR...]
# (DIRs default to TOP/report and TOP/stats).  Prints each hit as FILE:
# TEXT (the preprocessed line) and exits 1 when there is any; comments are stripped by the
# preprocessor (gcc -fpreprocessed), so a comment may still name an item.
top=$1
shift
[ $# -gt 0 ] || set -- "$top/report" "$top/stats"
ids=$(sed -n 's/^\(item\|theme\|section\) \([A-Za-z0-9_.-]*\).*/\2/p' "$top"/schemas/*.schema | sort -u)
groups=$(sed -n 's/^wres-grouping \([^ ]*\).*reference=\([^ ]*\).*comparison=\([^ ]*\).*/\1 \2 \3/p' \
    "$top"/schemas/*.schema | tr ' ' '\n' | sort -u)
[ -n "$ids" ] && [ -n "$groups" ] || { echo "no ids or WRES names found in $top/schemas"; exit 2; }
pattern=$(printf '%s\n' $ids $groups | paste -sd'|')
hits=0
for dir in "$@"; do
    for f in "$dir"/*.[ch]; do
        out=$(gcc -fpreprocessed -dD -E -P "$f" | grep -wE "$pattern") || continue
        printf '%s\n' "$out" | sed "s|^|$f: |"
        hits=1
    done
done
exit $hits
