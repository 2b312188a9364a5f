#!/bin/sh
# run.sh: runs the unit test binaries given as arguments and every CLI test
# script in tests/cli/, then prints one closing line "N passed, N failed".
# Each binary or script counts as one suite; its own output shows the cases.
set -u
BUILD=${BUILD:-build}
export BUILD
passed=0
failed=0
for t in "$@" tests/cli/test_*.sh; do
    [ -e "$t" ] || continue
    echo "== $t"
    if "$t"; then
        passed=$((passed + 1))
    else
        echo "FAILED: $t"
        failed=$((failed + 1))
    fi
done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
