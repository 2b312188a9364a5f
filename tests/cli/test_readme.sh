#!/bin/sh
# test_readme.sh: README.md is a front page, not the manual: at most 200
# lines, showing every command `spotbench --help` lists (each answering its
# own help and documented in docs/); the whole manual still builds from
# docs/ (scripts/build-manual.py).
. "$(dirname "$0")/lib.sh"
n=$(wc -l <README.md)
[ "$n" -le 200 ] && ok || bad "README.md has $n lines, at most 200 wanted"
# The commands of --help, and those the README has always shown (so a
# command that drops out of --help is noticed too).
cmds=$( ("$SB" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'
         echo run regress sweep best merge plot trace policy live) |
       tr ' ' '\n' | grep -v '^help$' | sort -u)
[ "$(echo "$cmds" | wc -l)" -ge 14 ] && ok || bad "only $(echo $cmds) found in --help"
for c in $cmds; do
    grep -q "spotbench $c" README.md && ok || bad "README does not show spotbench $c"
    grep -q "spotbench $c" docs/*.md && ok || bad "no page of docs/ shows spotbench $c"
    run "$SB" help "$c"
    expect_rc "help $c" 0
done
# The manual: every page of docs/ in one file, each under its heading.
run python3 scripts/build-manual.py -o "$TMP/MANUAL.md"
expect_rc "build the manual" 0
/usr/bin/python3 - "$TMP/MANUAL.md" <<'PYEOF' && ok || bad "the manual lacks a page of docs/"
import importlib.util, sys
spec = importlib.util.spec_from_file_location("bm", "scripts/build-manual.py")
bm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bm)
manual = open(sys.argv[1], encoding="utf-8").read()
assert manual.startswith("# spotbench\n"), manual[:40]
for name, title in bm.PARTS:
    assert "\n## " + (title or "Going live") + "\n" in manual, (name, title)
PYEOF
finish
