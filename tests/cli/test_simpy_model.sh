#!/bin/sh
# test_simpy_model.sh: bench/simpy_model.py, the SimPy yardstick of `make
# bench`, is an independent implementation of the model and of the classic
# and guarded controllers: on a week whose pools are outbid again and again
# (every delay a constant, nothing drawn), it and spotbench must give the
# same costs, coverage and counters to the last bit, and the week must
# exercise what they are compared on (interruptions, warnings covered on
# demand, rejected scale-ins). Skipped, visibly, without SimPy.
. "$(dirname "$0")/lib.sh"
if ! /usr/bin/python3 -c 'import simpy' 2>/dev/null; then
    echo "SKIPPED: SimPy is not installed (Debian: python3-simpy3)"
    finish
    exit
fi

# Two pools over a week from 2016-01-01, a price every 5 minutes: 0.05 a
# pool-hour, and above the max price (0.199) for 35 minutes every 13 hours
# in pool a and every 17 hours in pool b, at other phases.
start=1451606400
end=$((start + 7 * 86400))
awk -v s=$start -v e=$end 'BEGIN {
    print "Timestamp,InstanceType,AvailabilityZone,SpotPrice"
    for (t = s; t < e; t += 300) {
        a = ((t - s) % 46800 < 2100) ? 0.31 : 0.05 + ((t / 300) % 7) / 1000
        b = ((t - s + 20000) % 61200 < 2100) ? 0.42 : 0.06 + ((t / 300) % 5) / 1000
        printf "%d,c4.xlarge,us-east-1a,%.6f\n", t, a
        printf "%d,m4.xlarge,us-east-1b,%.6f\n", t, b
    }
}' >"$TMP/prices.csv"
cat >"$TMP/week.json" <<EOF
{"name": "simpy-week", "mode": "model", "seed": 1, "start": $start, "end": $end,
 "billing": "per-second",
 "fleet": {"TargetCapacity": 40, "AllocationStrategy": "diversified", "LaunchDelay": 180,
  "LaunchSpecifications": [
   {"InstanceType": "c4.xlarge", "AvailabilityZone": "us-east-1a", "WeightedCapacity": 4,
    "SpotPrice": 0.04975, "OnDemandPrice": 0.199},
   {"InstanceType": "m4.xlarge", "AvailabilityZone": "us-east-1b", "WeightedCapacity": 4,
    "SpotPrice": 0.04975, "OnDemandPrice": 0.239}]},
 "traces": {"prices": "prices.csv"},
 "cloudwatch": {"IngestionDelay": 0},
 "eventbridge": {"DeliveryDelay": 15},
 "controller": {"policy": "classic", "Offset": 0, "Jitter": 0},
 "asg": {"InstanceType": "c3.xlarge", "WeightedCapacity": 4, "OnDemandPrice": 0.21,
  "MaxSize": 200, "DefaultCooldown": 2700, "LaunchDelay": 90, "TerminationDelay": 60}}
EOF

for p in classic guarded; do
    run "$SB" run "$TMP/week.json" --policy $p --json --db "$TMP/$p.db"
    expect_rc "spotbench $p" 0
    cp "$TMP/out" "$TMP/sb-$p.json"
    run /usr/bin/python3 bench/simpy_model.py "$TMP/week.json" $p
    expect_rc "simpy_model.py $p" 0
    cp "$TMP/out" "$TMP/py-$p.json"
    run /usr/bin/python3 - "$TMP/sb-$p.json" "$TMP/py-$p.json" $p <<'PY'
import json, sys
sb = json.load(open(sys.argv[1]))["summary"]
py = json.load(open(sys.argv[2]))
for k in ("spot_cost", "od_cost", "total_cost", "coverage_pct", "set_calls", "set_rejected",
          "od_launches", "spot_launches", "interruptions"):
    if sb[k] != py[k]:
        print("DIFFER %s: spotbench %r, SimPy %r" % (k, sb[k], py[k]))
# What the week must exercise for the comparison to mean something: 13 h
# and 17 h outbid cycles give 12 + 9 outbids, each of the 5 to 10
# instances its pool holds then (the fleet refills the other pool), so at
# least 21 x 5 > 60 interruptions, covered on demand, scaled in later
# against the cooldown.
if not (sb["interruptions"] >= 60 and sb["od_launches"] > 0 and sb["set_rejected"] > 0
        and sb["od_cost"] > 0 and sb["coverage_pct"] < 100):
    print("TRIVIAL %s: %r" % (sys.argv[3], sb))
PY
    expect_rc "compare $p" 0
    [ ! -s "$TMP/out" ] && ok || bad "$p: $(cat "$TMP/out")"
done
# guarded covers the warned units at once, classic only after the fleet's
# target has held for 10 minutes: guarded is the better covered.
cov() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["coverage_pct"])' "$1"; }
awk -v c="$(cov "$TMP/sb-classic.json")" -v g="$(cov "$TMP/sb-guarded.json")" \
    'BEGIN { exit !(g > c) }' && ok || bad "guarded's coverage is not above classic's"
finish
