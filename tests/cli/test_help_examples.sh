#!/bin/sh
# test_help_examples.sh: every example in `spotbench help COMMAND` runs as
# written, from the top of a checkout: each command's example block runs
# with sh -e in a fresh folder holding the checkout's traces/ and tests/,
# with spotbench on PATH, and must exit 0 (and the plots it names exist).
. "$(dirname "$0")/lib.sh"
ROOT=$(pwd)
mkdir "$TMP/bin"
ln -s "$ROOT/$SB" "$TMP/bin/spotbench" 2>/dev/null || ln -s "$SB" "$TMP/bin/spotbench"
n=0
for c in $("$SB" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
    "$SB" help "$c" >"$TMP/help.txt" || bad "help $c"
    # The block: the lines after "example:" / "examples:" (with an optional
    # note before the colon), two spaces in, up to the first line that is not.
    awk 'body && /^  / { print substr($0, 3); next }
         body { exit }
         /^examples?( .*)?:$/ { body = 1 }' "$TMP/help.txt" >"$TMP/ex-$c.sh"
    [ -s "$TMP/ex-$c.sh" ] || continue
    n=$((n + 1))
    d="$TMP/run-$c"
    mkdir "$d"
    ln -s "$ROOT/traces" "$ROOT/tests" "$d/"
    (cd "$d" && PATH="$TMP/bin:$PATH" timeout 300 sh -e "$TMP/ex-$c.sh" >out 2>err)
    rc=$?
    [ $rc -eq 0 ] && ok || bad "help $c: the example exits $rc: $(tail -3 "$d/err") -- $(cat "$TMP/ex-$c.sh")"
    for f in $(grep -o -- '-o [^ ]*\.\(png\|svg\)' "$TMP/ex-$c.sh" | cut -c4-); do
        [ -s "$d/$f" ] && ok || bad "help $c: the example made no $f"
    done
done
# Commands whose help has an example: most of them.
[ "$n" -ge 10 ] && ok || bad "only $n commands have an example"
finish
