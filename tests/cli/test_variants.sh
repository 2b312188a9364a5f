#!/bin/sh
# test_variants.sh: named variants (--policy NAME@KEY=VALUE,...[:LABEL]): a
# variant's figures are its policy's with those values given by --set (run
# independently here), both settings share one compare table under their
# labels, runs and sweeps store the variant with its parameters, and bad
# variants are refused with exact messages and exit status 2.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/suite"
for c in all-outbid-3h seed-week; do
    ln -s "$PWD/traces/scenarios/$c" "$TMP/suite/$c"
done
run "$SB" compare "$TMP/suite" --policy karpenter --policy 'karpenter@fallback_wait=180:wait' \
    --json --seeds 1 -j 2 --db "$TMP/c.db"
expect_rc "compare with a variant" 0
cp "$TMP/out" "$TMP/cmp.json"
: >"$TMP/runs.jsonl"
for c in all-outbid-3h seed-week; do
    for w in 180 0; do
        "$SB" run "traces/scenarios/$c/scenario.json" --policy karpenter --set seed=1 \
            --set fallback_wait=$w --json --db "$TMP/r.db" |
            python3 -c "import json,sys; d=json.load(sys.stdin); d['case']='$c'; d['w']=$w; print(json.dumps(d))" \
            >>"$TMP/runs.jsonl" || bad "run $c $w"
    done
done
python3 - "$TMP/cmp.json" "$TMP/runs.jsonl" <<'PY' && ok || bad "a variant's figures differ from --set's"
import json, sys
cmp = json.load(open(sys.argv[1]))
runs = [json.loads(l) for l in open(sys.argv[2])]
assert cmp["policies"] == ["karpenter", "wait"], cmp["policies"]
by = {(r["case"], r["w"]): r["summary"] for r in runs}
for c in cmp["cases"]:
    for label, w in (("karpenter", 0), ("wait", 180)):
        got, want = c["runs"][label], by[(c["case"], w)]
        for k in ("total_cost", "coverage_pct", "shortfall_unit_hours", "flaps",
                  "fallback_latency_max_s", "return_delay_max_s"):
            assert abs(got[k] - want[k]) <= 1e-9 * max(1, abs(want[k])), (c["case"], label, k)
# The two settings differ somewhere (else the test proves nothing).
a = cmp["all_cases"]
assert a["karpenter"]["total_cost"] != a["wait"]["total_cost"]
PY
# The table prints both rows under their labels.
run "$SB" compare "$TMP/suite" --policy karpenter --policy 'karpenter@fallback_wait=180:wait' \
    --seeds 1 --db "$TMP/c.db"
expect_rc "compare table" 0
[ "$(grep -c '^  karpenter ' "$TMP/out")" -eq 4 ] && ok || bad "karpenter rows: $(cat "$TMP/out")"
[ "$(grep -c '^  wait ' "$TMP/out")" -eq 4 ] && ok || bad "wait rows"
grep -qE '^sweeps: karpenter=[0-9]+ wait=[0-9]+$' "$TMP/out" && ok || bad "sweeps line"

# Stored with its parameters: the sweep's policy is the whole variant, and
# every run's parameters have fallback_wait 180.
q() { python3 -c "import sqlite3,sys; print('\n'.join('|'.join(map(str, r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))" "$@"; }
[ "$(q "$TMP/c.db" "select distinct policy from sweeps order by policy")" = "karpenter
karpenter@fallback_wait=180:wait" ] && ok || bad "sweeps' policies: $(q "$TMP/c.db" "select policy from sweeps")"
q "$TMP/c.db" "select params from runs where policy = 'karpenter@fallback_wait=180:wait'" >"$TMP/params"
[ -s "$TMP/params" ] && ! grep -v '"fallback_wait": 180,' "$TMP/params" >/dev/null && ok ||
    bad "variant runs' params: $(head -3 "$TMP/params")"

# run: a variant and its label.
run "$SB" run traces/scenarios/seed-week/scenario.json --policy 'karpenter@fallback_wait=0,consolidate_after=600' \
    --json --db "$TMP/r2.db"
expect_rc "run a variant" 0
python3 -c "
import json,sys; d=json.load(open('$TMP/out'))
assert d['policy'] == 'karpenter@fallback_wait=0,consolidate_after=600', d['policy']
assert d['params']['fallback_wait'] == 0 and d['params']['consolidate_after'] == 600, d['params']
" && ok || bad "run --json of a variant: $(head -c 300 "$TMP/out")"

# sensitivity: a row per setting, under its label.
run "$SB" sensitivity traces/scenarios/all-outbid-3h/scenario.json --policy karpenter \
    --policy 'karpenter@fallback_wait=180:wait' --delays 0,60 --offsets 0,30 --db "$TMP/s.db"
expect_rc "sensitivity with a variant" 0
grep -qE '^wait +[0-9]+ ' "$TMP/out" && ok || bad "sensitivity: no wait row: $(cat "$TMP/out")"
expect_out "sensitivity pairs" "karpenter against wait, point by point:"

# deploy live-config: the variant goes live as itself, its values in params.
run "$SB" deploy live-config traces/scenarios/seed-week/scenario.json \
    --policy 'karpenter@fallback_wait=180:wait' -o "$TMP/live.json"
expect_rc "deploy a variant" 0
python3 -c "
import json; d=json.load(open('$TMP/live.json'))
assert d['policy'] == 'karpenter@fallback_wait=180:wait', d['policy']
assert d['params']['fallback_wait'] == 180 and d['params']['consolidate_after'] == 0, d['params']
" && ok || bad "deploy live-config of a variant: $(cat "$TMP/live.json")"

# policy list shows a variant's values as its defaults.
run "$SB" policy list --policy 'karpenter@fallback_wait=180:wait'
expect_rc "policy list --policy" 0
expect_out "label" "wait (karpenter@fallback_wait=180:wait): "
grep -qE '^  fallback_wait +180 s ' "$TMP/out" && ok || bad "fallback_wait 180: $(cat "$TMP/out")"

# Bad variants: exact messages, exit status 2, nothing run.
bad_variant() {
    run "$SB" compare "$TMP/suite" --seeds 1 --db "$TMP/bad.db" --policy karpenter --policy "$1"
    expect_rc "$1" 2
    expect_err "$1" "$2"
}
bad_variant 'karpenter@fallback_wiat=0' \
    "spotbench: --policy karpenter@fallback_wiat=0: unknown parameter 'fallback_wiat' for policy karpenter"
bad_variant 'karpenter@fallback_wait=soon' \
    "spotbench: --policy karpenter@fallback_wait=soon: fallback_wait: 'soon' is not a number"
bad_variant 'karpenter@fallback_wait=-1' \
    "spotbench: --policy karpenter@fallback_wait=-1: fallback_wait: must be between 0 and 86400, got -1"
bad_variant 'karpenter@max_on_demand=2.5' \
    "spotbench: --policy karpenter@max_on_demand=2.5: max_on_demand: must be a whole number, got 2.5"
bad_variant 'karpenter@fallback_wait=0,fallback_wait=60' \
    "spotbench: --policy karpenter@fallback_wait=0,fallback_wait=60: fallback_wait given twice"
bad_variant 'karpenter@fallback_wait' \
    "spotbench: --policy karpenter@fallback_wait: expected KEY=VALUE after '@', got 'fallback_wait'"
bad_variant 'karpenter@fallback_wait=0:karpenter' \
    "spotbench: --policy karpenter@fallback_wait=0:karpenter: the label 'karpenter' is --policy karpenter's already (name each setting: SPEC@KEY=VALUE:LABEL, or SPEC@:LABEL)"
bad_variant 'karpenter@fallback_wait=0:no wait' \
    "spotbench: --policy karpenter@fallback_wait=0:no wait: the label after ':' must be 1 to 32 letters, digits, '_', '-' or '.', got 'no wait'"
bad_variant 'karpentr@fallback_wait=0' \
    "spotbench: --policy karpentr@fallback_wait=0: unknown policy (did you mean 'karpenter'? see 'spotbench policy list')"
bad_variant 'oracle@x=1' "spotbench: --policy oracle@x=1: oracle is computed by the simulator: it has no variants"
[ ! -e "$TMP/bad.db" ] && ok || bad "a refused variant made a database"
# Two variants with one label.
run "$SB" compare "$TMP/suite" --seeds 1 --db "$TMP/bad.db" --policy 'karpenter@fallback_wait=0:k' \
    --policy 'karpenter@fallback_wait=60:k'
expect_rc "duplicate label" 2
expect_err "duplicate label" "spotbench: --policy karpenter@fallback_wait=60:k: the label 'k' is --policy karpenter@fallback_wait=0:k's already"

# The --set rule holds: a variant's own values are not --set's to change,
# its other parameters are, and another policy's key is refused as before.
run "$SB" run traces/scenarios/seed-week/scenario.json --policy 'karpenter@fallback_wait=0:k' \
    --set fallback_wait=60 --db "$TMP/bad.db"
expect_rc "--set on a fixed value" 2
expect_err "--set on a fixed value" "spotbench: --set fallback_wait=60: 'fallback_wait' is fixed by --policy karpenter@fallback_wait=0:k (a variant's values are its own)"
run "$SB" run traces/scenarios/seed-week/scenario.json --policy 'karpenter@fallback_wait=0:k' \
    --set window=900 --db "$TMP/bad.db"
expect_rc "--set another policy's key" 2
expect_err "--set another policy's key" "spotbench: --set window=900: 'window' is a parameter of"
run "$SB" run traces/scenarios/seed-week/scenario.json --policy 'karpenter@fallback_wait=0:k' \
    --set consolidate_after=600 --json --db "$TMP/ok.db"
expect_rc "--set on a free value" 0
python3 -c "
import json; d=json.load(open('$TMP/out'))
assert d['params']['fallback_wait'] == 0 and d['params']['consolidate_after'] == 600, d['params']
" && ok || bad "--set beside a variant's values"
# tune on a variant searches its policy's default ranges but for the
# parameters the variant fixes (karpenter's are fallback_wait,
# consolidate_after and asg.DefaultCooldown: lab/tune.c).
run "$SB" tune traces/scenarios/seed-week/scenario.json --policy 'karpenter@fallback_wait=180:wait' \
    --min-coverage 50 --seeds 1 --budget 4 --db "$TMP/tv.db"
expect_rc "tune on a variant, no --range" 0
run "$SB" ls --json --db "$TMP/tv.db"
python3 -c "
import json; d=json.load(open('$TMP/out'))
assert d[-1]['kind'] == 'tune' and d[-1]['axes'][:2] == ['consolidate_after', 'asg.DefaultCooldown'] and 'fallback_wait' not in d[-1]['axes'], d
" && ok || bad "tune on a variant: its axes: $(head -c 300 "$TMP/out")"
finish
