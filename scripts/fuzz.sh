#!/bin/sh
# fuzz.sh: `make fuzz`. Builds every harness of tests/fuzz/ with clang and
# libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer (make
# SAN=fuzz, in build-fuzz/) and runs each for FUZZ_TIME seconds (default
# 60), starting from its seed corpus (tests/fuzz/corpus/NAME/). What the
# fuzzer learns is kept in build-fuzz/corpus/NAME/; a crash is saved as
# build-fuzz/crashes/NAME-crash-... and ends the run with exit status 1.
#
#   make fuzz                         every target, 60 s each
#   FUZZ_TIME=3600 make fuzz          an hour each
#   FUZZ_TARGETS="csv obs" make fuzz  these targets only
#   FUZZ_KEEP=1 make fuzz             and then fold into tests/fuzz/corpus/NAME/
#                                     the inputs of the run that reach code the
#                                     seeds did not (libFuzzer's -merge=1), to
#                                     be committed: the corpora that grow are
#                                     kept and replayed by make test
#
# Without clang and libFuzzer (Debian: clang, libclang-rt-14-dev), the
# packages are installed through scripts/install-deps.sh --fuzz when run as
# root; otherwise it says so and skips (exit 0). See tests/fuzz/README.md.
set -u
cd "$(dirname "$0")/.."
FUZZ_TIME=${FUZZ_TIME:-60}
OUT=build-fuzz

have_libfuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    d=$(mktemp -d)
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$d/t.c"
    clang -fsanitize=fuzzer,address,undefined "$d/t.c" -o "$d/t" >/dev/null 2>&1
    ok=$?
    rm -rf "$d"
    return $ok
}

if ! have_libfuzzer; then
    scripts/install-deps.sh --fuzz || true
fi
if ! have_libfuzzer; then
    echo "SKIPPED: make fuzz: clang with libFuzzer is not installed" \
        "(run scripts/install-deps.sh --fuzz as root, or apt-get install clang libclang-rt-14-dev)"
    exit 0
fi

make --no-print-directory -j2 SAN=fuzz fuzz-bins || exit 1
mkdir -p "$OUT/crashes"
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/corpus)}
failed=""
for t in $targets; do
    bin="$OUT/tests/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "fuzz: no target '$t'"; failed="$failed $t"; continue; }
    mkdir -p "$OUT/corpus/$t"
    echo "== fuzz_$t: $FUZZ_TIME s"
    "$bin" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$OUT/crashes/$t-" -print_final_stats=1 \
        "$OUT/corpus/$t" "tests/fuzz/corpus/$t" >"$OUT/$t.log" 2>&1
    rc=$?
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$OUT/$t.log" | tail -3
    if [ $rc -ne 0 ]; then
        echo "fuzz_$t: FAILED (exit $rc); see $OUT/$t.log and $OUT/crashes/"
        grep -E 'ERROR:|runtime error|SUMMARY' "$OUT/$t.log" | head -5
        failed="$failed $t"
    elif [ "${FUZZ_KEEP:-0}" = 1 ]; then
        before=$(ls "tests/fuzz/corpus/$t" | wc -l)
        "$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 "tests/fuzz/corpus/$t" \
            "$OUT/corpus/$t" >"$OUT/$t.merge.log" 2>&1 ||
            { echo "fuzz_$t: merge FAILED; see $OUT/$t.merge.log"; failed="$failed $t"; }
        echo "fuzz_$t: corpus $before -> $(ls "tests/fuzz/corpus/$t" | wc -l) inputs" \
            "(tests/fuzz/corpus/$t: commit the new ones)"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: failures in:$failed"
    exit 1
fi
echo "fuzz: no crash in $FUZZ_TIME s per target"
