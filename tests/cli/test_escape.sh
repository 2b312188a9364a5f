#!/bin/sh
# test_escape.sh: text from outside never reaches a terminal or a log raw
# (issue 24): a control character in a key or value of an input file is
# escaped in the message that echoes it (one function, trc_esc: \n, \x1b,
# ...), and one in an identifier (an instance type) is refused, not copied
# into what spotbench writes. Server text is the unit tests' (test_aws_live:
# server_text_escaped, token_prefix_redacted).
. "$(dirname "$0")/lib.sh"
ESC=$(printf '\033')
# no_raw NAME: stderr holds no ESC byte and no line starting with "FORGED".
no_raw() {
    if grep -q "$ESC" "$TMP/err" || grep -q '^FORGED' "$TMP/err"; then
        bad "$1: a raw control character reached stderr: $(od -c "$TMP/err" | head -5)"
    else
        ok
    fi
}

# A key of the live config, the observation JSON Lines and a scenario.
printf '{"regi\\u001b[31mon\\nFORGED": "us-east-1"}' >"$TMP/live.json"
run "$SB" live --config "$TMP/live.json" --once
expect_rc "live config key" 2
expect_err "live config key" "unknown key 'regi\\x1b[31mon\\nFORGED'"
no_raw "live config key"
printf '{"now": 1488369600, "metr\\u001b]0;x\\u0007ics\\nFORGED": {}}\n' >"$TMP/obs.jsonl"
run "$SB" policy eval --policy guarded "$TMP/obs.jsonl"
expect_rc "observation key" 2
expect_err "observation key" 'metr\x1b]0;x\x07ics\nFORGED: unknown field'
no_raw "observation key"
python3 - traces/scenarios/all-outbid-3h/scenario.json "$TMP/sc" <<'PY'
import json, os, shutil, sys
src = os.path.dirname(sys.argv[1])
shutil.copytree(src, sys.argv[2])
sc = json.load(open(sys.argv[1]))
bad = dict(sc, **{"fle\u001b[2Jet\nFORGED": 1})
json.dump(bad, open(os.path.join(sys.argv[2], "key.json"), "w"))
spec = sc["fleet"]["LaunchSpecifications"][0]
sc["fleet"]["LaunchSpecifications"][0] = dict(spec, InstanceType="c4.x\u001b[31mlarge")
json.dump(sc, open(os.path.join(sys.argv[2], "type.json"), "w"))
PY
run "$SB" run "$TMP/sc/key.json" --db "$TMP/r.db"
expect_rc "scenario key" 2
expect_err "scenario key" 'fle\x1b[2Jet\nFORGED: unknown field'
no_raw "scenario key"
# Identifiers are refused: an instance type in a scenario and in an import.
run "$SB" run "$TMP/sc/type.json" --db "$TMP/r.db"
expect_rc "scenario InstanceType" 2
expect_err "scenario InstanceType" \
    "fleet.LaunchSpecifications[0].InstanceType: must not hold control characters"
no_raw "scenario InstanceType"
printf '{"SpotPriceHistory": [{"AvailabilityZone": "us-east-1a", "InstanceType": "c4.\\u001b[2Jlarge", "ProductDescription": "Linux/UNIX", "SpotPrice": "0.1", "Timestamp": "2017-03-01T00:00:00Z"}]}' >"$TMP/hist.json"
run "$SB" trace import "$TMP/hist.json" -o "$TMP/prices.csv"
expect_rc "import InstanceType" 2
expect_err "import InstanceType" "InstanceType: must not hold control characters"
no_raw "import InstanceType"
[ ! -e "$TMP/prices.csv" ] && ok || bad "a refused import wrote $(od -c "$TMP/prices.csv" | head -3)"
# A --set value echoed in a message.
run "$SB" run traces/scenarios/all-outbid-3h/scenario.json --db "$TMP/r.db" \
    --set "fleet.TargetCapacity=1${ESC}[2J
FORGED"
expect_rc "--set value" 2
no_raw "--set value"
finish
