#!/bin/sh
# test_compare.sh: `spotbench compare` against the same runs made one by one
# with `spotbench run --json` (regret and the suite's aggregates computed
# here, independently), its sweeps in the database, --plot and its errors.
# (The table docs/policies.md shows is checked by scripts/figures.py.)
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/suite"
for c in all-outbid-3h late-missing-datapoints v100-availability-2023; do
    ln -s "$PWD/traces/scenarios/$c" "$TMP/suite/$c"
done
run "$SB" compare "$TMP/suite" --policy classic --policy hedge --policy none \
    --policy karpenter --json -j 2 --db "$TMP/c.db" --plot "$TMP/c.png" --seeds 1
expect_rc "compare --json" 0
# One draw: said, since the cases draw delays at random.
expect_err "one seed" "spotbench: note: one draw (seed 1) decides every figure"
cp "$TMP/out" "$TMP/cmp.json"
: >"$TMP/runs.jsonl"
for c in all-outbid-3h late-missing-datapoints v100-availability-2023; do
    for p in classic hedge none karpenter; do
        "$SB" run "traces/scenarios/$c/scenario.json" --policy $p --json --db "$TMP/r.db" |
            python3 -c "import json,sys; d=json.load(sys.stdin); d['case']='$c'; print(json.dumps(d))" \
            >>"$TMP/runs.jsonl" || bad "run $c $p"
    done
done
python3 - "$TMP/cmp.json" "$TMP/runs.jsonl" <<'PY' && ok || bad "compare's figures differ from the runs'"
import json, sys
cmp = json.load(open(sys.argv[1]))
runs = [json.loads(l) for l in open(sys.argv[2])]
errs = []
def close(a, b, what):
    if abs(a - b) > 1e-6 * max(1, abs(b)):
        errs.append("%s: %r != %r" % (what, a, b))
assert cmp["policies"] == ["classic", "hedge", "none", "karpenter"], cmp["policies"]
by = {(r["case"], r["policy"]): r["summary"] for r in runs}
cases = [c["case"] for c in cmp["cases"]]
assert cases == ["all-outbid-3h", "late-missing-datapoints", "v100-availability-2023"], cases
saw_na = 0
for c in cmp["cases"]:
    for p, x in c["runs"].items():
        s = by[(c["case"], p)]
        close(x["total_cost"], s["total_cost"], c["case"] + " " + p + " cost")
        close(x["coverage_pct"], s["coverage_pct"], c["case"] + " " + p + " coverage")
        close(x["shortfall_unit_hours"], s["shortfall_unit_hours"], "shortfall")
        for k in ("fallback_latency_median_s", "fallback_latency_max_s",
                  "return_delay_median_s", "return_delay_max_s", "flaps"):
            close(x[k], s[k], k)
        gap = s["total_cost"] - s["oracle_cost"]
        if gap < -0.005:
            # cheaper than the bound: it must cover less, and no regret is given
            saw_na += 1
            if x["regret"] is not None or s["coverage_pct"] >= 100:
                errs.append("%s %s: regret %r for a run below the bound" % (c["case"], p, x["regret"]))
        else:
            close(x["regret"], max(gap, 0), c["case"] + " " + p + " regret")
            close(x["regret_pct"], 100 * max(gap, 0) / s["oracle_cost"], "regret %")
            if x["regret"] < 0:
                errs.append("negative regret")
        # The own regret: above the reactive bound, n/a below it.
        close(x["reactive_cost"], s["reactive_cost"], "reactive cost")
        close(x["reactive_coverage_pct"], s["reactive_coverage_pct"], "reactive coverage")
        own = s["total_cost"] - s["reactive_cost"]
        if own < -0.005:
            if x["own_regret"] is not None:
                errs.append("%s %s: own regret for a run below the reactive bound" % (c["case"], p))
        else:
            close(x["own_regret"], max(own, 0), c["case"] + " " + p + " own regret")
for p in cmp["policies"]:
    a = cmp["all_cases"][p]
    ss = [by[(c, p)] for c in cases]
    close(a["total_cost"], sum(s["total_cost"] for s in ss), p + " total")
    req = sum(s["required_unit_hours"] for s in ss)
    close(a["coverage_pct"], 100 * (1 - sum(s["shortfall_unit_hours"] for s in ss) / req), p + " cov")
    ok = [s for s in ss if s["total_cost"] - s["oracle_cost"] >= -0.005]
    close(a["regret"], sum(max(s["total_cost"] - s["oracle_cost"], 0) for s in ok), p + " regret")
    close(a["regret_na_cases"], len(ss) - len(ok), p + " n/a")
    close(a["reactive_cost"], sum(s["reactive_cost"] for s in ss), p + " reactive")
    ok = [s for s in ss if s["total_cost"] - s["reactive_cost"] >= -0.005]
    close(a["own_regret"], sum(max(s["total_cost"] - s["reactive_cost"], 0) for s in ok), p + " own")
    close(a["own_regret_na_cases"], len(ss) - len(ok), p + " own n/a")
    close(a["fallback_latency_max_s"], max(s["fallback_latency_max_s"] for s in ss), "lat max")
    close(a["flaps"], sum(s["flaps"] for s in ss), "flaps")
    # Per case: the median (lower middle) and the worst of the regret %
    # of the cases where it is defined, from the runs one by one.
    pct = sorted((100 * max(s["total_cost"] - s["oracle_cost"], 0) / s["oracle_cost"], c)
                 for c, s in zip(cases, ss) if s["total_cost"] - s["oracle_cost"] >= -0.005)
    pc = a["regret_pct_per_case"]
    if not pct:
        if pc is not None:
            errs.append("%s: a per-case regret with no case defined" % p)
        continue
    close(pc["median"], pct[(len(pct) - 1) // 2][0], p + " per-case median")
    close(pc["worst"], pct[-1][0], p + " per-case worst")
    close(pc["cases"], len(pct), p + " per-case count")
    if pc["worst_case"] != max(pct, key=lambda x: x[0])[1]:
        errs.append("%s: worst case %s" % (p, pc["worst_case"]))
if saw_na == 0:
    errs.append("no run below the bound: the n/a path went untested")
if errs:
    print("\n".join(errs[:10]))
    sys.exit(1)
PY
# The two bounds over the whole bundled suite at 3 seeds, every live policy:
# no run is both cheaper than the reactive bound and covers as much (it is
# a point no policy beats on both), and where the reactive bound covers in
# full it costs at least the oracle's bound.
run "$SB" compare traces/scenarios --policy classic --policy guarded --policy hedge \
    --policy karpenter --policy none --seeds 3 -j 2 --db "$TMP/b.db"
expect_rc "compare the suite" 0
n=$(sqlite3 "$TMP/b.db" "SELECT count(*) FROM summaries")
[ "$n" -ge 300 ] && ok || bad "suite runs: $n"
n=$(sqlite3 "$TMP/b.db" "SELECT count(*) FROM summaries WHERE
        total_cost < reactive_cost - 0.005 AND coverage_pct >= reactive_coverage_pct")
[ "$n" = 0 ] && ok || bad "$n runs beat the reactive bound on cost and coverage"
n=$(sqlite3 "$TMP/b.db" "SELECT count(*) FROM summaries WHERE
        reactive_coverage_pct >= 100 AND reactive_cost < oracle_cost - 0.005")
[ "$n" = 0 ] && ok || bad "$n full-coverage reactive bounds below the oracle's"
n=$(sqlite3 "$TMP/b.db" "SELECT count(*) FROM summaries WHERE reactive_cost IS NULL")
[ "$n" = 0 ] && ok || bad "reactive bound missing from $n runs"

[ -s "$TMP/c.png" ] && ok || bad "no figure"
file "$TMP/c.png" 2>/dev/null | grep -q PNG && ok || head -c 4 "$TMP/c.png" | grep -q PNG && ok || bad "not a PNG"

# One sweep per policy, in order; best works on them.
n=$(sqlite3 "$TMP/c.db" "SELECT count(*) FROM sweeps")
[ "$n" = 4 ] && ok || bad "$n sweeps, wanted 4"
n=$(sqlite3 "$TMP/c.db" "SELECT count(*) FROM sweep_runs")
[ "$n" = 12 ] && ok || bad "$n sweep runs, wanted 12"
ID=$(python3 -c "import json; print(json.load(open('$TMP/cmp.json'))['sweeps']['hedge'])")
run "$SB" best --sweep "$ID" --min-coverage 0 --db "$TMP/c.db"
expect_rc "best on a compare sweep" 0

# The table: the same runs as text; regret never negative.
run "$SB" compare "$TMP/suite" --policy none --policy hedge -j 1 --db "$TMP/c2.db" --seeds 1
expect_rc "compare" 0
expect_out "compare" "ALL 3 CASES"
expect_out "compare" "per case    regret % median            worst  worst case"
expect_out "compare" "n/a (covers"
grep -E '^  (none|hedge) ' "$TMP/out" | awk '{print $4}' | grep -q '^-[0-9]' &&
    bad "a negative regret printed" || ok

# The bundled suite has no two cases alike: each case's runs (every
# policy's total cost and coverage at seed 1) differ from every other's.
run "$SB" compare --seeds 1 --json -j 2 --db "$TMP/all.db"
expect_rc "compare the bundled suite" 0
python3 - "$TMP/out" <<'PY' && ok || bad "two bundled cases give identical results"
import json, sys
d = json.load(open(sys.argv[1]))
seen = {}
for c in d["cases"]:
    key = tuple((p, round(r["total_cost"], 6), round(r["coverage_pct"], 6))
                for p, r in sorted(c["runs"].items()))
    if key in seen:
        print("%s and %s: the same results" % (seen[key], c["case"]))
        sys.exit(1)
    seen[key] = c["case"]
assert len(seen) == len(d["cases"]) >= 20, len(seen)
PY


# --set: a scenario field for all, a parameter only for the policies having it.
run "$SB" compare "$TMP/suite" --policy none --policy hedge --set cold_start=60 \
    --set asg.MaxSize=4 -j 1 --db "$TMP/c3.db" --json --seeds 1
expect_rc "compare --set" 0
n=$(sqlite3 "$TMP/c3.db" "SELECT count(*) FROM runs WHERE sets LIKE '%cold_start=60%'")
[ "$n" = 3 ] && ok || bad "cold_start set on $n runs, wanted 3 (hedge's)"
n=$(sqlite3 "$TMP/c3.db" "SELECT count(*) FROM runs WHERE sets LIKE '%asg.MaxSize=4%'")
[ "$n" = 6 ] && ok || bad "asg.MaxSize set on $n runs, wanted 6"

# Seeds: every figure over the seeds, computed here from `run --set seed=S`;
# the verdict agrees with the per-seed values.
S=traces/scenarios/all-outbid-3h
D='cloudwatch.IngestionDelay={"min":0,"max":30}'
run "$SB" compare "$S" --policy classic --policy guarded --seeds 2-6 --set "$D" --json \
    -j 2 --db "$TMP/s.db"
expect_rc "compare --seeds 2-6" 0
cp "$TMP/out" "$TMP/seeds.json"
: >"$TMP/seeds.jsonl"
for seed in 2 3 4 5 6; do
    for p in classic guarded; do
        "$SB" run "$S/scenario.json" --policy $p --set "$D" --set seed=$seed --json \
            --db "$TMP/sr.db" >>"$TMP/seeds.jsonl" || bad "run seed $seed $p"
    done
done
python3 - "$TMP/seeds.json" "$TMP/seeds.jsonl" <<'PY' && ok || bad "compare's seed figures"
import json, math, sys
cmp = json.load(open(sys.argv[1]))
runs = [json.loads(l) for l in open(sys.argv[2])]
assert cmp["seeds"] == [2, 3, 4, 5, 6], cmp["seeds"]
T975 = {4: 2.776445}  # Student's t, 0.975, 4 degrees of freedom (tables)
def stat(xs):
    n = len(xs); m = sum(xs) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    h = T975[n - 1] * sd / math.sqrt(n)
    return m, m - h, m + h, min(xs), max(xs)
def close(a, b, what):
    assert abs(a - b) <= 1e-9 * max(1, abs(b)), "%s: %r != %r" % (what, a, b)
per = {}
for r in runs:
    per.setdefault(r["policy"], {})[r["seed"]] = r["summary"]
for p in ("classic", "guarded"):
    got = cmp["cases"][0]["runs"][p]["over_seeds"]["total_cost"]
    xs = [per[p][s]["total_cost"] for s in (2, 3, 4, 5, 6)]
    for a, b in zip(got["per_seed"], xs):
        close(a, b, p + " per seed")
    m, lo, hi, mn, mx = stat(xs)
    close(got["mean"], m, p + " mean"); close(got["ci95"][0], lo, p + " lo")
    close(got["ci95"][1], hi, p + " hi"); close(got["min"], mn, "min"); close(got["max"], mx, "max")
    close(cmp["cases"][0]["runs"][p]["total_cost"], m, p + " table's mean")
# The verdict: classic minus guarded, seed by seed.
d = [per["classic"][s]["total_cost"] - per["guarded"][s]["total_cost"] for s in (2, 3, 4, 5, 6)]
v = cmp["verdicts"][0]
assert (v["a"], v["b"]) == ("classic", "guarded"), v
c = v["total_cost_a_minus_b"]
m, lo, hi, _, _ = stat(d)
close(c["mean"], m, "diff mean"); close(c["ci95"][0], lo, "diff lo"); close(c["ci95"][1], hi, "diff hi")
assert c["seeds_lower"] == sum(x < -0.005 for x in d) and c["seeds_higher"] == sum(x > 0.005 for x in d)
want = "lower" if hi < -0.005 else "higher" if lo > 0.005 else "not distinguishable"
assert c["verdict"] == want, (c["verdict"], want)
# classic's two modes: a seed near the bound and one far above it.
r = cmp["cases"][0]["runs"]["classic"]["over_seeds"]["regret_pct"]
assert r["min"] < 10 and r["max"] > 100, r
PY
run "$SB" compare "$S" --policy classic --policy guarded --seeds 2-6 --set "$D" -j 2 \
    --db "$TMP/s2.db"
expect_rc "compare --seeds, text" 0
expect_out "spread" "total \$ mean [95 % CI]"
expect_out "verdict" "classic and guarded: cost not distinguishable at 5 seeds"
run "$SB" compare "$S" --policy classic --seeds 0 --db "$TMP/e.db"
expect_rc "--seeds 0" 2
expect_err "--seeds 0" "--seeds 0: expected N (1 to 1000: seeds 1 to N), A-B or a list"
run "$SB" compare "$S" --policy classic --seeds 3,3 --db "$TMP/e.db"
expect_rc "--seeds 3,3" 2
expect_err "--seeds 3,3" "seed 3 given twice"

# Errors.
run "$SB" compare "$TMP/suite" --policy oracle --db "$TMP/e.db"
expect_rc "oracle refused" 2
expect_err "oracle refused" "the oracle is the bound"
run "$SB" compare "$TMP/suite" --policy nosuch --db "$TMP/e.db"
expect_rc "unknown policy" 2
run "$SB" compare "$TMP/nowhere" --db "$TMP/e.db"
expect_rc "no such folder" 2
expect_err "no such folder" "no such file or folder"
mkdir -p "$TMP/empty"
run "$SB" compare "$TMP/empty" --db "$TMP/e.db"
expect_rc "empty folder" 2
expect_err "empty folder" "no case"
run "$SB" compare "$TMP/suite" --policy hedge --set nosuch.Field=1 --db "$TMP/e.db"
expect_rc "unknown field" 2
run "$SB" compare "$TMP/suite" --policy hedge --plot "$TMP/c.gif" --db "$TMP/e.db"
expect_rc "bad figure name" 2
expect_err "bad figure name" "must end in .png or .svg"

finish
