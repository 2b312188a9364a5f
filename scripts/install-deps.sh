#!/bin/sh
# install-deps.sh: installs, idempotently, every Debian 12 package that the
# spotbench build, tests, demo and plots use. Packages already present are
# left alone; nothing is downloaded when all of them are installed.
#
#   scripts/install-deps.sh          install what is missing (needs root)
#   scripts/install-deps.sh --check  list what is missing, exit 1 if anything is
#   scripts/install-deps.sh --fuzz   also clang and libFuzzer, for `make fuzz`
#                                    only (make test replays the fuzz corpus
#                                    with any compiler)
set -eu

# libcurl4 and libxml2 come with their -dev packages, but are named too: the
# binary does not link them (ldd does not show them); it loads libcurl.so.4
# and libxml2.so.2 at run time for the AWS commands (aws/dl.c).
PACKAGES="build-essential pkg-config libsqlite3-dev libcjson-dev libcmocka-dev
libcurl4-openssl-dev libcurl4 libxml2-dev libxml2 zlib1g-dev gnuplot-nox sqlite3
python3 python3-botocore python3-simpy3 awscli time curl zip ca-certificates
umoci slurmctld slurmd slurm-client munge"
FUZZ_PACKAGES="clang libclang-rt-14-dev"

if [ "${1:-}" = "--fuzz" ]; then
    PACKAGES="$PACKAGES $FUZZ_PACKAGES"
    shift
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ "${1:-}" = "--check" ]; then
    if [ -n "$missing" ]; then
        echo "missing:$missing"
        exit 1
    fi
    exit 0
fi

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root:  apt-get install -y$missing" >&2
    exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
