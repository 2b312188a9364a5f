#!/usr/bin/env python3
"""make-scenarios.py: writes the synthetic outage cases of traces/scenarios/.

Each case is the seed's own fleet (c4.xlarge/1d, c4.2xlarge/1a, m4.xlarge/1a,
m4.2xlarge/1d, weights 4/8/4/8, TargetCapacity 32, per-unit max prices 0.04725
and 0.054) with its c3.xlarge on-demand backup group (DefaultCooldown 2700),
over 24 hours from 2017-03-01T00:00:00Z, prices at 30 % of on-demand except
where the case says. The real episode (real-2016-08-10) is cut from seed-week.
Run it from the repository root; it rewrites the cases' files, and the same
script gives the same bytes.
"""
import json
import os

POOLS = [  # type, AZ, weight, per-unit max price, on-demand price
    ("c4.xlarge", "us-east-1d", 4, 0.04725, 0.199),
    ("c4.2xlarge", "us-east-1a", 8, 0.04725, 0.398),
    ("m4.xlarge", "us-east-1a", 4, 0.054, 0.239),
    ("m4.2xlarge", "us-east-1d", 8, 0.054, 0.479),
]
DAY = "2017-03-01"


def ts(minutes):
    h, m = divmod(minutes, 60)
    d = 1 + h // 24
    return "2017-03-%02dT%02d:%02d:00Z" % (d, h % 24, m)


def base(name, description, **over):
    sc = {
        "name": name,
        "description": description,
        "mode": "model",
        "seed": 1,
        "start": ts(0),
        "end": ts(24 * 60),
        "billing": "per-second",
        "fleet": {
            "TargetCapacity": 32,
            "AllocationStrategy": "diversified",
            "LaunchDelay": {"min": 60, "max": 180},
            "LaunchSpecifications": [
                {"InstanceType": t, "AvailabilityZone": az, "WeightedCapacity": w,
                 "SpotPrice": mp, "OnDemandPrice": od}
                for t, az, w, mp, od in POOLS
            ],
        },
        "traces": {"prices": "prices.csv"},
        "ecs": {"RegistrationDelay": 30},
        "cloudwatch": {"IngestionDelay": 0},
        "controller": {"policy": "classic", "Cron": True, "Interval": 60},
        "asg": {"AutoScalingGroupName": "ecsDemandBackupGroup", "InstanceType": "c3.xlarge",
                "WeightedCapacity": 4, "OnDemandPrice": 0.21, "MinSize": 0, "MaxSize": 200,
                "DesiredCapacity": 0, "DefaultCooldown": 2700,
                "LaunchDelay": {"min": 60, "max": 120}},
    }
    for path, value in over.items():
        node = sc
        keys = path.split("__")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return sc


def prices(outbid):
    """Rows: every pool at 30 % of on-demand; outbid = [(from_min, to_min,
    pool indexes, factor of on-demand)] raise pools for a while."""
    events = {}
    for i in range(len(POOLS)):
        events.setdefault(0, {})[i] = 0.3
    for a, b, pools, factor in outbid:
        for i in pools:
            events.setdefault(a, {})[i] = factor
            events.setdefault(b, {}).setdefault(i, 0.3)
    rows = ["Timestamp,InstanceType,AvailabilityZone,SpotPrice"]
    for minute in sorted(events):
        for i in sorted(events[minute]):
            t, az, _, _, od = POOLS[i]
            rows.append("%s,%s,%s,%.6f" % (ts(minute), t, az, od * events[minute][i]))
    return "\n".join(rows) + "\n"


ALL = [0, 1, 2, 3]
CASES = []


def case(name, line, sc, csv=None, extra=None):
    CASES.append((name, line, sc, csv, extra or {}))


H = 60
case("single-pool-outbid", "one pool (m4.xlarge/1a) outbid for 2 h; the fleet replenishes in the other three",
     base("single-pool-outbid", "one pool outbid for 2 h"),
     prices([(6 * H, 8 * H, [2], 2.0)]))
case("every-pool-outbid", "every pool outbid for 3 h: the seed's 'what happens when all of your instance types get outbid?'",
     base("every-pool-outbid", "all four pools outbid for 3 h"),
     prices([(6 * H, 9 * H, ALL, 2.0)]))
case("az-capacity-loss", "us-east-1d loses all spot capacity for 2 h (no price change)",
     base("az-capacity-loss", "one AZ without capacity for 2 h",
          traces={"prices": "prices.csv", "availability": "availability.csv"}),
     prices([]),
     {"availability.csv": "Timestamp,InstanceType,AvailabilityZone,Capacity\n"
      + "".join("%s,%s,%s,%d\n" % (ts(m), t, az, c)
                for m, c in ((0, 100), (6 * H, 0), (8 * H, 100))
                for t, az, _, _, _ in POOLS if az == "us-east-1d")})
case("outage-shorter-than-cooldown", "every pool outbid for 20 min, well inside the 45-min cooldown",
     base("outage-shorter-than-cooldown", "a 20-minute outage"),
     prices([(6 * H, 6 * H + 20, ALL, 2.0)]))
case("outage-longer-than-cooldown", "every pool outbid for 5 h, much longer than the cooldown",
     base("outage-longer-than-cooldown", "a 5-hour outage"),
     prices([(6 * H, 11 * H, ALL, 2.0)]))
case("scale-out-during-outage", "demand rises 32 -> 48 units at the moment every pool is outbid (2 h)",
     base("scale-out-during-outage", "fleet scale-out during an outage",
          fleet__TargetTracking={"Demand": "demand.csv", "TargetValue": 100,
                                 "ScaleOutCooldown": 300, "ScaleInCooldown": 300}),
     prices([(6 * H, 8 * H, ALL, 2.0)]),
     {"demand.csv": "Timestamp,Demand\n%s,32\n%s,48\n%s,32\n" % (ts(0), ts(6 * H), ts(12 * H))})
flaps = [(6 * H + k * 20, 6 * H + k * 20 + 10, ALL, 1.3) for k in range(9)]
case("flapping-prices", "every pool flaps above its max price 10 min out of every 20, for 3 h",
     base("flapping-prices", "prices flapping around the max price"),
     prices(flaps))
case("late-missing-datapoints", "no spot shortfall at all, but 5 % of datapoints late by 30-150 s and 1 % missing",
     base("late-missing-datapoints", "late and missing CloudWatch datapoints",
          cloudwatch={"IngestionDelay": {"p": 0.05, "min": 30, "max": 150}, "MissingProbability": 0.01}),
     prices([]))
case("failed-invocations", "every pool outbid for 2 h while half of the controller's invocations fail",
     base("failed-invocations", "controller invocations failing",
          controller={"policy": "classic", "Cron": True, "Interval": 60, "FailureProbability": 0.5}),
     prices([(6 * H, 8 * H, ALL, 2.0)]))
case("billing-per-hour", "the 3-hour outage of every-pool-outbid billed per hour (AWS before Oct 2017)",
     base("billing-per-hour", "a 3-hour outage billed per hour", billing="per-hour"),
     prices([(6 * H, 9 * H, ALL, 2.0)]))
case("billing-per-second", "the same 3-hour outage billed per second",
     base("billing-per-second", "a 3-hour outage billed per second"),
     prices([(6 * H, 9 * H, ALL, 2.0)]))


def real_episode():
    """2016-08-10 from seed-week: all four pools outbid 14:10-16:35 and more."""
    src = "traces/scenarios/seed-week/prices.csv"
    rows, last = [], {}
    for line in open(src):
        if line.startswith("#") or line.startswith("Timestamp"):
            continue
        t, typ, az, p = line.strip().split(",")
        if t < "2016-08-10T00:00:00Z":
            last[(typ, az)] = p  # the price in force at the start
        elif t < "2016-08-11T00:00:00Z":
            rows.append((t, typ, az, p))
    out = ["# Cut from traces/scenarios/seed-week/prices.csv (see its README for the",
           "# source: xiaochenwang94/spot-instance-price, us-east-1 m4.xlarge 2016),",
           "# 2016-08-10 only; the first rows are the prices in force at 00:00.",
           "Timestamp,InstanceType,AvailabilityZone,SpotPrice"]
    for (typ, az), p in sorted(last.items()):
        out.append("2016-08-10T00:00:00Z,%s,%s,%s" % (typ, az, p))
    out += [",".join(r) for r in rows]
    sc = base("real-2016-08-10", "one real day: every pool outbid from 14:10 to 16:35 and again later",
              start="2016-08-10T00:00:00Z", end="2016-08-11T00:00:00Z", billing="per-hour")
    return sc, "\n".join(out) + "\n"


sc, csv = real_episode()
case("real-2016-08-10", "a real day cut from seed-week: every pool outbid 14:10-16:35, 17:35-19:15, 19:20-20:55 (UTC)",
     sc, csv)

for name, line, sc, csv, extra in CASES:
    d = os.path.join("traces/scenarios", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "scenario.json"), "w") as f:
        json.dump(sc, f, indent=2)
        f.write("\n")
    with open(os.path.join(d, "prices.csv"), "w") as f:
        f.write(csv)
    for fn, text in extra.items():
        with open(os.path.join(d, fn), "w") as f:
            f.write(text)
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write("%s: %s. Written by scripts/make-scenarios.py.\n" % (name, line))
print("wrote %d cases" % len(CASES))
