#!/bin/sh
# test_fuzz_corpus.sh: every fuzz harness of tests/fuzz/ (built with the
# corpus replayer by make test, with whatever compiler, under ASan+UBSan with
# SAN=1) runs over its seed corpus tests/fuzz/corpus/NAME/, which also keeps
# every input that once crashed a parser: a fixed crash stays fixed. Each
# harness has a corpus and each corpus a harness.
. "$(dirname "$0")/lib.sh"
B=${BUILD:-build}/tests/fuzz
for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    if [ ! -d "tests/fuzz/corpus/$name" ] || [ -z "$(ls "tests/fuzz/corpus/$name")" ]; then
        bad "fuzz_$name has no seed corpus"
        continue
    fi
    run "$B/fuzz_$name" "tests/fuzz/corpus/$name"
    expect_rc "fuzz_$name corpus" 0
    n=$(ls "tests/fuzz/corpus/$name" | wc -l)
    expect_out "fuzz_$name corpus" "replayed $n inputs"
done
for d in tests/fuzz/corpus/*/; do
    name=$(basename "$d")
    [ -f "tests/fuzz/fuzz_$name.c" ] && ok || bad "corpus $name has no harness"
done
finish
