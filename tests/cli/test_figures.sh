#!/bin/sh
# test_figures.sh: every figure the docs and the README state is made again
# by the command written beside it (scripts/figures.py) and must come out the
# same; the checker itself must catch a changed figure.
. "$(dirname "$0")/lib.sh"
SB=$(cd "$(dirname "$SB")" && pwd)/$(basename "$SB")
export SB
run python3 scripts/figures.py
expect_rc "docs figures as the runs print them" 0
expect_out "docs figures" "0 differ or fail"
# A doc whose figure was edited by hand is caught, with the place and a diff.
mkdir -p "$TMP/docs"
cat >"$TMP/docs/x.md" <<'D'
Before.
<!-- figure code: "$SB" run traces/scenarios/all-outbid-3h/scenario.json --policy oracle --db "$DB" | grep 'total cost' -->
```
total cost                                    $1.00
```
<!-- /figure -->
D
run python3 scripts/figures.py "$TMP/docs/x.md"
expect_rc "a hand-edited figure" 1
expect_err "a hand-edited figure" "x.md:2: the figure differs from what"
expect_err "a hand-edited figure" '-total cost                                    $1.00'
run python3 scripts/figures.py --update "$TMP/docs/x.md"
expect_rc "update" 0
run python3 scripts/figures.py "$TMP/docs/x.md"
expect_rc "updated figure checks" 0
grep -q '^Before\.$' "$TMP/docs/x.md" && ok || bad "update changed text outside the figure"
finish
