#!/bin/sh
# test_style.sh: the mechanical style rule (scripts/check-style.py) holds on
# every tracked source, and the checker does fail on each fault it names.
. "$(dirname "$0")/lib.sh"

run python3 scripts/check-style.py
expect_rc "the tree follows the rule" 0
expect_out "the tree follows the rule" "0 faults"
[ "$rc" -eq 0 ] || head -20 "$TMP/out"

# Each fault, in a file of its own: file, line and what is wrong.
long=$(python3 -c 'print("int x = 0; /* " + "x" * 90 + " */")')
printf '%s\nint y;\n' "$long" >"$TMP/long.c"
printf '\tint a;\n' >"$TMP/tab.c"
printf 'int b; \n' >"$TMP/space.h"
printf 'int c;\r\n' >"$TMP/cr.c"
printf 'int d;' >"$TMP/nonl.c"
run python3 scripts/check-style.py "$TMP/long.c" "$TMP/tab.c" "$TMP/space.h" "$TMP/cr.c" \
    "$TMP/nonl.c"
expect_rc "faults found" 1
expect_out "long line" "$TMP/long.c:1: 107 columns, more than 100"
expect_out "tab" "$TMP/tab.c:1: tab character (indent with spaces)"
expect_out "trailing blank" "$TMP/space.h:1: trailing whitespace"
expect_out "carriage return" "$TMP/cr.c:1: carriage return"
expect_out "no final newline" "$TMP/nonl.c:1: no newline at the end of the file"
expect_err "count" "style: 5 fault(s) in 5 files"

finish
