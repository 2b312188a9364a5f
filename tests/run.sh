#!/bin/sh
# run.sh: runs the unit test binaries given as arguments, every CLI test
# script in tests/cli/ and every Python test in tests/aws/, then prints one
# closing line "suites: N passed, N failed, N skipped".
# Each binary or script counts as one suite; its own output shows the cases.
# A suite that passes but printed a line starting "SKIPPED" (a tool it
# needs is missing: installed, it would run) counts as skipped, and is
# named. A line starting "NOT COVERED" is a check no machine runs here, by
# design (moto does not create that resource type): the suite counts as
# passed and is named on a line of its own. With SPOTBENCH_NO_SKIP=1 (CI,
# where every tool is installed) a skip fails; a NOT COVERED does not.
# The Python tests run under Debian's /usr/bin/python3, which has the
# python3-botocore the fake AWS endpoint needs (the python3 first on PATH
# may be another one without it).
set -u
BUILD=${BUILD:-build}
export BUILD
PY=/usr/bin/python3
passed=0
failed=0
skipped=0
skipped_names=""
partial_names=""
LOG=$(mktemp)
trap 'rm -f "$LOG" "$LOG.rc" "$LOG.skips"' EXIT
for t in "$@" tests/cli/test_*.sh tests/aws/test_*.py; do
    [ -e "$t" ] || continue
    echo "== $t"
    case $t in
    *.py) runner=$PY ;;
    *) runner= ;;
    esac
    start=$(date +%s)
    # $runner unquoted on purpose: empty means "run $t itself".
    { $runner "$t"; echo $? >"$LOG.rc"; } 2>&1 | tee "$LOG"
    if [ "$(cat "$LOG.rc")" -ne 0 ]; then
        echo "FAILED: $t"
        failed=$((failed + 1))
    elif grep -q '^ *SKIPPED' "$LOG"; then
        skipped=$((skipped + 1))
        skipped_names="$skipped_names $t"
        grep '^ *SKIPPED' "$LOG" | sed "s|^ *|   ($t) |" >>"$LOG.skips"
    else
        passed=$((passed + 1))
        grep -q '^ *NOT COVERED' "$LOG" && partial_names="$partial_names $t"
    fi
    secs=$(($(date +%s) - start))
    [ "$secs" -gt 0 ] && echo "   ($t: $secs s)"
done
[ -n "$partial_names" ] &&
    echo "not covered by design (NOT COVERED lines; passed the rest):$partial_names"
[ -n "$skipped_names" ] && echo "skipped (passed what they could run):$skipped_names"
echo "suites: $passed passed, $failed failed, $skipped skipped"
if [ "${SPOTBENCH_NO_SKIP:-0}" = 1 ] && [ "$skipped" -gt 0 ]; then
    echo "FAILED: SPOTBENCH_NO_SKIP=1 and $skipped suites skipped:"
    cat "$LOG.skips"
    exit 1
fi
[ "$failed" -eq 0 ]
