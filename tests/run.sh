#!/bin/sh
# run.sh: runs the unit test binaries given as arguments, every CLI test
# script in tests/cli/ and every Python test in tests/aws/, then prints one
# closing line "suites: N passed, N failed".
# Each binary or script counts as one suite; its own output shows the cases.
# The Python tests run under Debian's /usr/bin/python3, which has the
# python3-botocore the fake AWS endpoint needs (the python3 first on PATH
# may be another one without it).
set -u
BUILD=${BUILD:-build}
export BUILD
PY=/usr/bin/python3
passed=0
failed=0
for t in "$@" tests/cli/test_*.sh tests/aws/test_*.py; do
    [ -e "$t" ] || continue
    echo "== $t"
    case $t in
    *.py) runner=$PY ;;
    *) runner= ;;
    esac
    start=$(date +%s)
    # $runner unquoted on purpose: empty means "run $t itself".
    if $runner "$t"; then
        passed=$((passed + 1))
    else
        echo "FAILED: $t"
        failed=$((failed + 1))
    fi
    secs=$(($(date +%s) - start))
    [ "$secs" -gt 0 ] && echo "   ($t: $secs s)"
done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
