#!/bin/sh
# Make sure what candour needs to build, test and demo is here, installing the
# missing Debian packages when apt-get is available.  Each need is checked the
# way the build finds it (pkg-config, the compiler, the PATH), not by asking
# dpkg, so a machine without dpkg that has everything passes; a machine missing
# something and without apt-get gets the list of Debian names and exit 2.
#   scripts/deps.sh          what build, check and demo need
#   scripts/deps.sh bench    also gzip, and node and npm for the DuckDB comparison
#   scripts/deps.sh PKG...   also these packages (make fuzz: clang, libFuzzer);
#                            checked with dpkg-query when there is one, else by
#                            a command of that name on the PATH
# apt-get runs as root, or through sudo.
set -eu
PACKAGES="gcc make libc6-dev libcsv-dev libgsl-dev zlib1g-dev libdeflate-dev libisal-dev
gnuplot-nox pkg-config libcmocka-dev python3"
for arg in "$@"; do
    case "$arg" in
    bench) PACKAGES="$PACKAGES gzip nodejs npm" ;;
    *) PACKAGES="$PACKAGES $arg" ;;
    esac
done

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

# Does a program including <header> compile and link with these flags?
compiles() {
    printf '#include <%s>\nint main(void) { return 0; }\n' "$1" >"$SCRATCH/probe.c"
    # shellcheck disable=SC2086
    "${CC:-cc}" "$SCRATCH/probe.c" -o "$SCRATCH/probe" $2
}

# Is the thing Debian package $1 provides here, found the way the Makefile
# (or the scripts) will look for it?
present() {
    case "$1" in
    gcc) command -v "${CC:-cc}" ;;
    nodejs) command -v node ;;
    gnuplot-nox) command -v gnuplot ;;
    libc6-dev) compiles stdio.h "" ;;
    libcsv-dev) compiles csv.h "$(pkg-config --cflags --libs libcsv 2>/dev/null || echo -lcsv)" ;;
    libgsl-dev) pkg-config --exists gsl ;;
    zlib1g-dev) pkg-config --exists zlib ;;
    libdeflate-dev) pkg-config --exists libdeflate || compiles libdeflate.h -ldeflate ;;
    libisal-dev) pkg-config --exists libisal || compiles isa-l/igzip_lib.h -lisal ;;
    libcmocka-dev) pkg-config --exists cmocka ;;
    make | pkg-config | python3 | gzip | npm) command -v "$1" ;;
    *)
        if command -v dpkg-query; then
            dpkg-query -W -f='${Status}' "$1" | grep -q "install ok installed"
        else
            command -v "$1"
        fi
        ;;
    esac >/dev/null 2>&1
}

missing=""
for pkg in $PACKAGES; do
    present "$pkg" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "candour: missing:$missing (Debian package names), and no apt-get here:" \
        "install them by hand" >&2
    exit 2
fi
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
