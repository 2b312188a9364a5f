#!/bin/sh
# test_readme.sh: README.md is the one built from docs/ (scripts/build-readme.py),
# and every command it lists answers its own help.
. "$(dirname "$0")/lib.sh"
run python3 scripts/build-readme.py --check
expect_rc "README up to date" 0
for c in run regress sweep best merge plot trace policy live; do
    grep -q "spotbench $c" README.md && ok || bad "README does not show spotbench $c"
    run "$SB" help "$c"
    expect_rc "help $c" 0
done
finish
