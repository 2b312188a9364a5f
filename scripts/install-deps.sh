#!/bin/sh
# install-deps.sh: installs, idempotently, the Debian 12 packages spotbench
# needs: to build it (plain `make`), and with --demo or --test also what
# the demo and the plots, or the tests, use. Packages already present are
# left alone; nothing is downloaded when all of them are installed.
#
#   scripts/install-deps.sh          the build's packages (needs root)
#   scripts/install-deps.sh --demo   also gnuplot and sqlite3 (make demo)
#   scripts/install-deps.sh --test   also every test's: cmocka, botocore, the
#                                    AWS CLI, umoci, Slurm and munge, chromium
#                                    (make test)
#   scripts/install-deps.sh --fuzz   also clang and libFuzzer, for `make fuzz`
#                                    only (make test replays the fuzz corpus
#                                    with any compiler)
#   scripts/install-deps.sh --lambda also zip and the CA bundle (make lambda)
#   ... --check                      list what is missing, exit 1 if anything is
#   ... --print                      print the packages named, one a line
set -eu

# libcurl4 and libxml2 come with their -dev packages, but are named too: the
# binary does not link them (ldd does not show them); it loads libcurl.so.4
# and libxml2.so.2 at run time for the AWS commands (aws/dl.c).
PACKAGES="build-essential pkg-config libsqlite3-dev libcjson-dev
libcurl4-openssl-dev libcurl4 libxml2-dev libxml2 zlib1g-dev"
DEMO_PACKAGES="gnuplot-nox sqlite3"
# chromium: tests/cli/test_report.sh renders the HTML report in it, and
# prints it to PDF (read back with poppler-utils' pdfinfo and pdftoppm).
TEST_PACKAGES="$DEMO_PACKAGES libcmocka-dev python3 python3-botocore python3-simpy3
awscli time curl zip ca-certificates umoci slurmctld slurmd slurm-client munge chromium
poppler-utils"
FUZZ_PACKAGES="clang libclang-rt-14-dev"
LAMBDA_PACKAGES="zip ca-certificates"

while [ $# -gt 0 ]; do
    case $1 in
    --demo) PACKAGES="$PACKAGES $DEMO_PACKAGES" ;;
    --test) PACKAGES="$PACKAGES $TEST_PACKAGES" ;;
    --fuzz) PACKAGES="$PACKAGES $FUZZ_PACKAGES" ;;
    --lambda) PACKAGES="$PACKAGES $LAMBDA_PACKAGES" ;;
    --check) check=1 ;;
    --print) print=1 ;;
    *) echo "install-deps: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

if [ "${print:-0}" = 1 ]; then
    # shellcheck disable=SC2086
    printf '%s\n' $PACKAGES | sort -u
    exit 0
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ "${check:-0}" = 1 ]; then
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
