#!/bin/sh
# Install the Debian packages candour needs to build, test and demo, if any is
# missing. Does nothing when all are present. apt-get as root, sudo otherwise.
#   scripts/deps.sh          what build, check and demo need
#   scripts/deps.sh bench    also gzip, and node and npm for the DuckDB comparison
#                            (unless a node is already on the PATH)
#   scripts/deps.sh PKG...   also these packages (make fuzz: clang, libFuzzer)
set -eu
PACKAGES="gcc make libc6-dev libcsv-dev libgsl-dev zlib1g-dev libdeflate-dev gnuplot-nox
pkg-config libcmocka-dev python3"
for arg in "$@"; do
    case "$arg" in
    bench)
        PACKAGES="$PACKAGES gzip"
        command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
            PACKAGES="$PACKAGES nodejs npm"
        ;;
    *) PACKAGES="$PACKAGES $arg" ;;
    esac
done
missing=""
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "candour: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "candour: not root and no sudo: install$missing by hand" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
