#!/bin/sh
# test_sensitivity.sh: `spotbench sensitivity` against the same runs made one
# by one with `spotbench run --set` (min, median and max computed here), and
# `best --worst-case` on its sweep.
. "$(dirname "$0")/lib.sh"

SC=traces/scenarios/all-outbid-3h/scenario.json
run "$SB" sensitivity "$SC" --policy classic --delays 0,60 --offsets 0,30 -j 2 --db "$TMP/s.db"
expect_rc sensitivity 0
cp "$TMP/out" "$TMP/sens.out"
grep '^classic' "$TMP/sens.out" >"$TMP/line" && ok || bad "no classic line: $(cat "$TMP/sens.out")"

# The same four runs, one by one.
: >"$TMP/runs.jsonl"
for d in 0 60; do
    for o in 0 30; do
        "$SB" run "$SC" --policy classic --set cloudwatch.IngestionDelay=$d \
            --set controller.Offset=$o --set controller.Jitter=0 --json \
            --db "$TMP/r.db" >>"$TMP/runs.jsonl" || bad "run d=$d o=$o"
    done
done
python3 - "$TMP/runs.jsonl" "$TMP/line" <<'PY' && ok || bad "sensitivity figures differ from the runs'"
import json, sys
runs = [json.loads(l)["summary"] for l in open(sys.argv[1])]
cost = sorted(r["total_cost"] for r in runs)
cov = sorted(r["coverage_pct"] for r in runs)
# median: the lower of the two middle values
want = ["$%.2f" % cost[0], "$%.2f" % cost[1], "$%.2f" % cost[3],
        "%.3f" % cov[0], "%.3f" % cov[1], "%.3f" % cov[3]]
got = open(sys.argv[2]).read().split()[2:8]
if got != want:
    print("got", got, "want", want)
    sys.exit(1)
PY
# Classic falls back on a late datapoint: with the delay (60 s) past the
# schedule's second it costs more in the worst case than at delay 0.
ID=$(awk '/^classic/ {print $2}' "$TMP/sens.out")
run "$SB" best --sweep "$ID" --min-coverage 0 --db "$TMP/s.db" \
    --worst-case cloudwatch.IngestionDelay,controller.Offset
expect_rc "best --worst-case" 0
expect_out "best --worst-case" "over 4 values of cloudwatch.IngestionDelay,controller.Offset"
WORST=$(awk '/^classic/ {print $5}' "$TMP/sens.out")
expect_out "best --worst-case" "total cost  $WORST worst"
run "$SB" best --sweep "$ID" --min-coverage 0 --db "$TMP/s.db" --worst-case asg.MaxSize
expect_rc "best --worst-case unknown axis" 2
expect_err "best --worst-case unknown axis" "asg.MaxSize: not a --grid axis of this sweep"
# Two policies: the point-by-point line against the same runs made one by one.
run "$SB" sensitivity "$SC" --policy classic --policy guarded --delays 0,60 --offsets 0,30 \
    -j 2 --db "$TMP/s2.db"
expect_rc "two policies" 0
grep '^classic against guarded' "$TMP/out" >"$TMP/pair" && ok || bad "no pair line"
: >"$TMP/g.jsonl"
for d in 0 60; do
    for o in 0 30; do
        "$SB" run "$SC" --policy guarded --set cloudwatch.IngestionDelay=$d \
            --set controller.Offset=$o --set controller.Jitter=0 --json \
            --db "$TMP/r.db" >>"$TMP/g.jsonl" || bad "guarded run d=$d o=$o"
    done
done
python3 - "$TMP/runs.jsonl" "$TMP/g.jsonl" "$TMP/pair" <<'PY' && ok || bad "pair line differs from the runs'"
import json, sys
c = [json.loads(l)["summary"] for l in open(sys.argv[1])]
g = [json.loads(l)["summary"] for l in open(sys.argv[2])]
n = lambda f: sum(1 for x, y in zip(c, g) if f(x, y))
want = ("classic against guarded, point by point: cheaper at %d, dearer at %d; covers more "
        "at %d, less at %d (of 4)" % (
            n(lambda x, y: x["total_cost"] < y["total_cost"] - 0.005),
            n(lambda x, y: x["total_cost"] > y["total_cost"] + 0.005),
            n(lambda x, y: x["coverage_pct"] > y["coverage_pct"] + 0.0005),
            n(lambda x, y: x["coverage_pct"] < y["coverage_pct"] - 0.0005)))
got = open(sys.argv[3]).read().strip()
if got != want:
    print("got ", got)
    print("want", want)
    sys.exit(1)
PY
# --json: one object whose figures are the runs made one by one (computed
# here again, not copied from the table), whose sweeps are in the database.
run "$SB" sensitivity "$SC" --policy classic --policy guarded --delays 0,60 --offsets 0,30 \
    -j 2 --db "$TMP/s3.db" --json
expect_rc "--json" 0
expect_lines "--json" 1
sqlite3 "$TMP/s3.db" "SELECT id FROM sweeps ORDER BY id" >"$TMP/ids" 2>&1 ||
    bad "sqlite3: $(cat "$TMP/ids")"
python3 - "$TMP/out" "$TMP/runs.jsonl" "$TMP/g.jsonl" "$TMP/ids" "$TMP/sens.out" <<'PY' \
    && ok || bad "sensitivity --json differs from the runs'"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["delays"] == [0, 60] and d["offsets"] == [0, 30], d
assert d["scenario"].endswith("all-outbid-3h/scenario.json")
ids = [int(x) for x in open(sys.argv[4]).read().split()]
assert [p["sweep"] for p in d["policies"]] == ids, (d["policies"], ids)
points = [(dl, o) for dl in (0, 60) for o in (0, 30)]  # the order the runs were made
runs = {}
for name, path in (("classic", sys.argv[2]), ("guarded", sys.argv[3])):
    runs[name] = [json.loads(l)["summary"] for l in open(path)]
for p in d["policies"]:
    r = runs[p["policy"]]
    assert len(p["rows"]) == 1 and p["rows"][0]["parameters"] == {}, p
    row = p["rows"][0]
    cost = sorted(x["total_cost"] for x in r)
    cov = sorted(x["coverage_pct"] for x in r)
    # min, lower median, max of 4
    for k, v in (("total_cost", cost), ("coverage_pct", cov)):
        got = row[k]
        assert abs(got["min"] - v[0]) < 1e-6 and abs(got["median"] - v[1]) < 1e-6 \
            and abs(got["max"] - v[3]) < 1e-6, (k, got, v)
    worst = max(range(4), key=lambda i: r[i]["total_cost"])
    w = row["worst_cost_at"]
    assert abs(r[points.index((w["cloudwatch.IngestionDelay"], w["controller.Offset"]))]
               ["total_cost"] - r[worst]["total_cost"]) < 1e-9, (w, worst)
c, g = runs["classic"], runs["guarded"]
n = lambda f: sum(1 for x, y in zip(c, g) if f(x, y))
want = {"a": "classic", "b": "guarded", "points": 4,
        "cheaper": n(lambda x, y: x["total_cost"] < y["total_cost"] - 0.005),
        "dearer": n(lambda x, y: x["total_cost"] > y["total_cost"] + 0.005),
        "covers_more": n(lambda x, y: x["coverage_pct"] > y["coverage_pct"] + 0.0005),
        "covers_less": n(lambda x, y: x["coverage_pct"] < y["coverage_pct"] - 0.0005)}
assert d["pairs"] == [want], (d["pairs"], want)
# and the text table's classic line says the same, rounded as printed
t = [l.split() for l in open(sys.argv[5]) if l.startswith("classic ")][0]
row = d["policies"][0]["rows"][0]
assert t[2:5] == ["$%.2f" % row["total_cost"][k] for k in ("min", "median", "max")], t
PY
# A failure with --json is one JSON error object too.
run "$SB" sensitivity "$SC" --policy nosuch --db "$TMP/s.db" --json
expect_rc "--json unknown policy" 2
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["exit_status"] == 2 and d["error"]' \
    <"$TMP/out" && ok || bad "--json unknown policy: $(cat "$TMP/out")"
run "$SB" sensitivity "$SC" --set nosuch.Field=1 --db "$TMP/s.db" --json
expect_rc "--json unknown field" 2
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["exit_status"] == 2 and "nosuch" in d["error"], d' \
    <"$TMP/out" && ok || bad "--json unknown field: $(cat "$TMP/out") $(cat "$TMP/err")"
run "$SB" sensitivity "$SC" --policy nosuch --db "$TMP/s.db"
expect_rc "unknown policy" 2
run "$SB" sensitivity "$SC" --delays 0,x --db "$TMP/s.db"
expect_rc "bad delays" 2
run "$SB" sensitivity "$SC" --set controller.Jitter --db "$TMP/s.db"
expect_rc "--set without a value" 2
grep -q -- "--set controller.Jitter: expected KEY=VALUE" "$TMP/err" && ok ||
    bad "--set without a value: $(cat "$TMP/err")"
finish
