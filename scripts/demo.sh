#!/bin/sh
# demo.sh: the main job on bundled data. Until the simulator lands it runs
# both policies over the bundled observation sample and prints their
# decisions side by side.
set -eu
cd "$(dirname "$0")/.."
SB=${BUILD:-build}/spotbench
IN=traces/samples/outage.jsonl
echo "== classic vs guarded on $IN"
"$SB" policy eval --policy classic "$IN" >"${TMPDIR:-/tmp}/sb-classic.$$"
"$SB" policy eval --policy guarded "$IN" >"${TMPDIR:-/tmp}/sb-guarded.$$"
paste -d '\n' "${TMPDIR:-/tmp}/sb-classic.$$" "${TMPDIR:-/tmp}/sb-guarded.$$" |
    sed 'n;s/^/  guarded: /' | sed '/^{/s/^/  classic: /'
rm -f "${TMPDIR:-/tmp}/sb-classic.$$" "${TMPDIR:-/tmp}/sb-guarded.$$"
