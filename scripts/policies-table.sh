#!/bin/sh
# policies-table.sh: regenerates the regret table of docs/policies.md (between
# its compare-table markers) from `spotbench compare` over the bundled suite.
# tests/cli/test_compare.sh runs the same command and fails when they differ.
set -eu
cd "$(dirname "$0")/.."
SB=${SB:-build/spotbench}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$SB" compare -j 2 --db "$TMP/t.db" | grep -v '^sweeps:' >"$TMP/table.txt"
python3 - docs/policies.md "$TMP/table.txt" <<'PY'
import re, sys
doc, table = sys.argv[1], open(sys.argv[2]).read()
s = open(doc).read()
begin = s.index("<!-- compare-table:begin")
begin = s.index("\n", begin) + 1
end = s.index("<!-- compare-table:end")
s = s[:begin] + "```\n" + table + "```\n" + s[end:]
open(doc, "w").write(s)
PY
echo "docs/policies.md: table regenerated"
