#!/bin/sh
# test_tune.sh: `spotbench tune` finds the same point as the whole grid run
# as a sweep and ranked by `best`, in fewer runs; its sweep works with best
# and resumes; its hand-over; its errors.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/suite"
for c in all-outbid-3h capacity-ice; do ln -s "$PWD/traces/scenarios/$c" "$TMP/suite/$c"; done
# One seed here: the search against the grid at the scenarios' own draw.
R="--range fallback_wait=0:300:60 --range consolidate_after=0:1800:600 --range asg.DefaultCooldown=60,300,900 --seeds 1"
run "$SB" tune "$TMP/suite" --policy karpenter --min-coverage 99.5 $R -j 2 --db "$TMP/t.db" \
    --live-config "$TMP/live.json"
expect_rc "tune" 0
cp "$TMP/out" "$TMP/tune.out"
expect_out "tune" "of the grid's 144 runs (" # 6 x 4 x 3 points x 2 cases
expect_out "tune" "converged"
used=$(sed -n 's/^search:  \([0-9]*\) of the grid.*/\1/p' "$TMP/tune.out")
[ -n "$used" ] && [ "$used" -lt 144 ] && ok || bad "tune used $used runs, not fewer than the grid's 144"
[ "$(sqlite3 "$TMP/t.db" 'SELECT count(*) FROM sweep_runs')" = "$used" ] && ok ||
    bad "the sweep does not hold the $used runs the search used"

# The whole grid, as a sweep, ranked by best: the same point and cost.
"$SB" sweep "$TMP/suite/all-outbid-3h/scenario.json" "$TMP/suite/capacity-ice/scenario.json" \
    --policy karpenter --grid fallback_wait=0:300:60 --grid consolidate_after=0:1800:600 \
    --grid asg.DefaultCooldown=60,300,900 -j 2 --quiet --db "$TMP/g.db" >/dev/null || bad "grid sweep"
run "$SB" best --sweep 1 --min-coverage 99.5 --db "$TMP/g.db"
expect_rc "best of the grid" 0
point=$(awk '/^point/ {print $2}' "$TMP/out")
cost=$(awk '/^total cost/ {print $3}' "$TMP/out")
grep -q "^result:  point $point: total $cost," "$TMP/tune.out" && ok ||
    bad "tune found $(grep '^result' "$TMP/tune.out"), the grid point $point at $cost"

# best on the tune's own (partial) sweep names the same point.
run "$SB" best --sweep 1 --min-coverage 99.5 --db "$TMP/t.db"
expect_rc "best on the tune's sweep" 0
expect_out "best on the tune's sweep" "point       $point"

# The regret: its runs' cost above the oracle, summed here from the database.
want=$(sqlite3 "$TMP/t.db" "SELECT printf('%+.2f', sum(max(s.total_cost - s.oracle_cost, 0)))
        FROM sweep_runs w JOIN summaries s ON s.run_id = w.run_id
        WHERE w.point = $point AND s.total_cost >= s.oracle_cost - 0.005")
grep -q "regret $want " "$TMP/tune.out" && ok || bad "regret: wanted $want: $(grep '^result' "$TMP/tune.out")"
# Its own share: the same above the reactive bound.
want=$(sqlite3 "$TMP/t.db" "SELECT printf('%+.2f', sum(max(s.total_cost - s.reactive_cost, 0)))
        FROM sweep_runs w JOIN summaries s ON s.run_id = w.run_id
        WHERE w.point = $point AND s.total_cost >= s.reactive_cost - 0.005")
grep -q "of which its own $want " "$TMP/tune.out" && ok ||
    bad "own regret: wanted $want: $(grep 'of which' "$TMP/tune.out")"

# The hand-over: the settings and a live configuration.
grep -qF "settings: --set fallback_wait=" "$TMP/tune.out" && ok || bad "no settings line"
[ -s "$TMP/live.json" ] && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/live.json" &&
    ok || bad "no live configuration written"

# Resumed: the same tune runs nothing new and says the same.
run "$SB" tune "$TMP/suite" --policy karpenter --min-coverage 99.5 $R -j 2 --db "$TMP/t.db"
expect_rc "tune again" 0
expect_out "tune again" "(resumed)"
expect_out "tune again" ", 0 simulated now,"
grep '^result' "$TMP/out" >"$TMP/r2"
grep '^result' "$TMP/tune.out" | cmp -s - "$TMP/r2" && ok || bad "the resumed tune found another result"

# --json: the same search read back, as one object whose figures are the
# text's (the point, the cost as printed, the settings, the sweep).
run "$SB" tune "$TMP/suite" --policy karpenter --min-coverage 99.5 $R -j 2 --db "$TMP/t.db" --json
expect_rc "tune --json" 0
python3 - "$TMP/out" "$TMP/tune.out" <<'PY' && ok || bad "tune --json differs from the text: $(head -c 400 "$TMP/out")"
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
text = open(sys.argv[2]).read()
m = re.search(r"^result:  point (\d+): total \$([0-9.]+)", text, re.M)
assert d["result"]["point"] == int(m.group(1)), (d["result"], m.group(0))
assert "%.2f" % d["result"]["total_cost"] == m.group(2), (d["result"], m.group(2))
sets = re.search(r"^settings: (.*)$", text, re.M).group(1).split()
want = {kv.split("=", 1)[0]: kv.split("=", 1)[1] for kv in sets if kv != "--set"}
got = {k: ("%g" % v if isinstance(v, (int, float)) else v) for k, v in d["result"]["settings"].items()}
assert got == want, (got, want)
assert d["resumed"] is True and d["policy"] == "karpenter"
assert d["hand_over"][0].startswith("spotbench best --sweep %d " % d["sweep_id"])
PY
run "$SB" tune "$TMP/suite" --policy nosuch --min-coverage 99.5 --json --db "$TMP/t.db"
expect_rc "tune --json, bad input" 2
expect_out "tune --json, bad input" '{"error":"bad arguments (the message is on stderr)","exit_status":2}'

# A budget stops it; a floor nothing meets exits 1.
run "$SB" tune "$TMP/suite" --policy karpenter --min-coverage 99.5 $R --budget 10 -j 2 --db "$TMP/b.db"
expect_out "budget" "stopped by the budget"
n=$(sqlite3 "$TMP/b.db" 'SELECT count(*) FROM sweep_runs')
[ "$n" -le 10 ] && ok || bad "budget 10 ran $n runs"
run "$SB" tune "$TMP/suite/capacity-ice/scenario.json" --policy hedge --min-coverage 100 --seeds 1 \
    --range cold_start=0,300 --range overprovision=0,1 --range recent=0 -j 2 --db "$TMP/u.db"
expect_rc "unreachable floor" 1
expect_out "unreachable floor" "no point found meets 100 %"

# Errors.
run "$SB" tune "$TMP/suite" --policy none --min-coverage 99 --db "$TMP/e.db"
expect_rc "nothing to tune" 2
expect_err "nothing to tune" "has no search ranges"
run "$SB" tune "$TMP/suite" --policy hedge --db "$TMP/e.db"
expect_rc "no floor" 2
run "$SB" tune "$TMP/suite" --policy hedge --min-coverage 99 --range cold_start=x --db "$TMP/e.db"
expect_rc "bad range" 2
run "$SB" tune "$TMP/suite" --policy hedge --min-coverage 99 --range cold_start=0:99999:60 --db "$TMP/e.db"
expect_rc "out-of-range value" 2
expect_err "out-of-range value" "cold_start"
run "$SB" tune "$TMP/suite" --policy oracle --min-coverage 99 --db "$TMP/e.db"
expect_rc "oracle" 2
# Seeds: a point is run at every seed, meets the floor only at every seed
# and is ranked by its mean; the whole grid with the seeds, ranked here,
# gives the same point, and best on the tune's sweep agrees.
RS="--range fallback_wait=0,120,300 --range consolidate_after=0,1800 --range asg.DefaultCooldown=300"
run "$SB" tune "$TMP/suite/all-outbid-3h/scenario.json" --policy karpenter --min-coverage 99 \
    $RS --seeds 3 -j 2 --db "$TMP/s.db"
expect_rc "tune --seeds 3" 0
expect_out "tune --seeds 3" "(1 case x 3 seeds)"
cp "$TMP/out" "$TMP/tune3.out"
"$SB" sweep "$TMP/suite/all-outbid-3h/scenario.json" --policy karpenter \
    --grid fallback_wait=0,120,300 --grid consolidate_after=0,1800 --grid asg.DefaultCooldown=300 \
    --grid seed=1,2,3 -j 2 --quiet --json --db "$TMP/sg.db" >/dev/null || bad "seeded grid"
sqlite3 "$TMP/sg.db" "SELECT w.point, s.total_cost, s.coverage_pct FROM sweep_runs w
    JOIN summaries s ON s.run_id = w.run_id ORDER BY w.point" >"$TMP/grid3"
python3 - "$TMP/grid3" "$TMP/tune3.out" <<'PY' && ok || bad "tune --seeds: not the grid's point"
import sys
rows = [l.split("|") for l in open(sys.argv[1]).read().split()]
by = {}
for p, c, v in rows:
    by.setdefault(int(p) // 3, []).append((float(c), float(v)))
ok = {p: sum(c for c, _ in r) / 3 for p, r in by.items() if min(v for _, v in r) >= 99}
best = min(ok, key=lambda p: (ok[p], p))
want = "result:  point %d: total $%.2f (mean over the seeds)" % (best * 3, ok[best])
out = open(sys.argv[2]).read()
assert want in out, (want, out)
PY
point=$(sed -n 's/^result:  point \([0-9]*\):.*/\1/p' "$TMP/tune3.out")
run "$SB" best --sweep 1 --min-coverage 99 --db "$TMP/s.db"
expect_rc "best on a seeded sweep" 0
expect_out "best on a seeded sweep" "by mean cost over 3 seeds"
expect_out "best on a seeded sweep" "point       $point (at its first seed)"
run "$SB" tune "$TMP/suite" --policy hedge --min-coverage 99 --seeds 2 --set seed=4 --db "$TMP/e.db"
expect_rc "--seeds with --set seed" 2
expect_err "--seeds with --set seed" "--set seed=4: --seeds gives each run its seed"

# A fraction given for a percentage: refused, with what was meant.
run "$SB" best --sweep 1 --min-coverage 0.999 --db "$TMP/s.db"
expect_rc "best --min-coverage 0.999" 2
expect_err "best --min-coverage 0.999" \
    "spotbench: --min-coverage 0.999: a percentage: 0.999 means 0.999 % of the required capacity, almost none; for 99.9 % write 99.9"
run "$SB" tune "$TMP/suite" --policy hedge --min-coverage 1 --db "$TMP/e.db"
expect_rc "tune --min-coverage 1" 2
expect_err "tune --min-coverage 1" "for 100 % write 100"

finish
