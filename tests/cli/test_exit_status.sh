#!/bin/sh
# test_exit_status.sh: the exit statuses of docs/overview.md ("Exit
# statuses") are what the commands do. Runs the example of every row of the
# table with the fixtures its text names and checks the status the row
# gives; and every command of `spotbench --help` has a row naming it with a
# failure (1 or 2).
. "$(dirname "$0")/lib.sh"
DOC=docs/overview.md
SB=$(cd "$(dirname "$SB")" && pwd)/$(basename "$SB")
ROOT=$(pwd)

# The fixtures the table's text names.
SC=$ROOT/traces/scenarios/all-outbid-3h/scenario.json
BAD=$TMP/bad.json
NOTADB=$TMP/notadb
LINK=$TMP/link
DB=$TMP/db.db
CASES=$TMP/cases
EMPTY=$TMP/empty
CLOSED=$ROOT/tests/fixtures/live-closed-port.json
printf '{"mode": ' >"$BAD"
echo "not a database" >"$NOTADB"
echo "the link's target" >"$TMP/target"
ln -s "$TMP/target" "$LINK"
mkdir "$EMPTY" "$CASES" "$CASES/fails"
cp "$ROOT"/traces/scenarios/all-outbid-3h/* "$CASES/fails/"
echo '{"guarded": {"od_cost_max": 0.01}}' >"$CASES/fails/bounds.json"
"$SB" run "$SC" --policy guarded --db "$DB" >/dev/null || bad "fixture: a run"
"$SB" sweep "$SC" --policy guarded --grid confirm=1,2 --db "$DB" --quiet >/dev/null ||
    bad "fixture: a sweep"
export SB SC BAD NOTADB LINK DB CASES EMPTY CLOSED TMP
# No credentials from the machine: the live row's tick must fail on its own.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
export HOME="$TMP" AWS_EC2_METADATA_DISABLED=true

# The table's rows: "exit<TAB>example<TAB>first column".
python3 - "$DOC" >"$TMP/rows" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- exit statuses: [^>]*-->\n(.*?)<!-- /exit statuses -->", text, re.S)
if not m:
    sys.exit("no exit-status table")
for line in m.group(1).splitlines()[2:]:
    cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
    if len(cells) != 4:
        sys.exit("a row without 4 cells: " + line)
    ex = re.fullmatch(r"`([^`]+)`", cells[3])
    if not ex:
        sys.exit("a row without its example: " + line)
    print(f"{cells[2]}\t{ex.group(1)}\t{cells[0]}")
PY
[ -s "$TMP/rows" ] && ok || bad "the table has no rows"

n=0
while IFS="$(printf '\t')" read -r want example who; do
    n=$((n + 1))
    (cd "$TMP" && timeout 120 sh -c "$example") >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    [ "$rc" -eq "$want" ] && ok ||
        bad "row $n ($who): exit $rc, the table says $want: $example: $(head -c 300 "$TMP/err")"
done <"$TMP/rows"

# The output-path row holds for every command that writes a file: a link
# and a missing directory are refused with 2, before any work.
for out in "$LINK" /nonexistent/out.png; do
    for cmd in "trace import $ROOT/tests/fixtures/spot-c4.large-2021-05-30.json -o" \
        "trace gen demand --start 2017-03-01T00:00:00Z --end 2017-03-02T00:00:00Z --base 32 --amplitude 8 -o" \
        "plot frontier --sweep 1 --db $DB -o" \
        "deploy live-config $SC --policy guarded -o" \
        "deploy cloudformation $SC --policy guarded -o" \
        "best --sweep 1 --min-coverage 50 --db $DB --live-config" \
        "tune $SC --policy karpenter --min-coverage 50 --budget 4 --db $TMP/t.db --live-config" \
        "compare $CASES --policy guarded --db $TMP/c.db --plot" \
        "live --config $CLOSED --once --heartbeat" \
        "live --config $CLOSED --once --record"; do
        # shellcheck disable=SC2086
        run timeout 120 "$SB" $cmd "$out"
        expect_rc "output refused: $cmd $out" 2
    done
done
[ "$(cat "$TMP/target")" = "the link's target" ] && ok || bad "a command wrote through the link"

# Every command has a failure row naming it (in backticks in the first
# column), or is covered by an "every command" row only for success.
cmds=$("$SB" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}')
for c in $cmds; do
    awk -F '\t' -v c="\`$c\`" '$1 != 0 && index($3, c) {found = 1} END {exit !found}' \
        "$TMP/rows" && ok || bad "command $c has no failure row in $DOC"
done
finish
