#!/bin/sh
# test_json_errors.sh: every command that takes --json answers a refused
# input with one JSON object on stdout, {"error", "exit_status": 2}, and
# exit 2, the message itself on stderr; and every command of `spotbench
# help --options` that takes --json is among those tried here.
. "$(dirname "$0")/lib.sh"
N=/nonexistent-$$
tried=""
refused() { # COMMAND ARGS...: a refused input under --json
    tried="$tried $1"
    run "$SB" "$@"
    expect_rc "$* (exit)" 2
    python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert set(d) == {"error", "exit_status"} and d["exit_status"] == 2 and d["error"], d
' "$TMP/out" && ok || bad "$*: stdout is not one error object: $(head -c 300 "$TMP/out")"
    [ -s "$TMP/err" ] && ok || bad "$*: nothing on stderr"
}
refused run $N.json --json --db "$TMP/a.db"
refused compare $N --json --db "$TMP/a.db"
refused sweep $N.json --policy classic --grid window=1,2 --json --db "$TMP/a.db"
refused tune $N --policy classic --min-coverage 90 --json --db "$TMP/a.db"
refused best --sweep 1 --min-coverage 99 --db $N.db --json
refused sensitivity $N.json --json --db "$TMP/a.db"
refused ls --db $N/x.db --json
refused regress $N --json
refused merge --json -o "$TMP/m.db" $N.db
refused plot --json --sweep 1 --db $N.db -o "$TMP/p.png"
refused policy eval classic --json $N.jsonl
refused live --config $N.json --json --once
refused deploy live-config $N.json -o "$TMP/l.json" --json
refused trace info $N.csv --json
# A usage error too (an option without its value).
refused run traces/scenarios/seed-week/scenario.json --json --db
# Every command whose options include --json was tried.
missing=""
for c in $("$SB" --help 2>&1 | awk '/^  [a-z]/ {print $1}'); do
    "$SB" help --options "$c" 2>/dev/null | grep -qx -- '--json' || continue
    case " $tried " in *" $c "*) ;; *) missing="$missing $c" ;; esac
done
[ -z "$missing" ] && ok || bad "commands taking --json not tried here:$missing"
[ "$(echo "$tried" | wc -w)" -ge 14 ] && ok || bad "too few commands tried: $tried"
finish
