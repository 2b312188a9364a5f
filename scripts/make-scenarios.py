#!/usr/bin/env python3
"""make-scenarios.py: writes the synthetic outage cases of traces/scenarios/.

Each case is the seed's own fleet (c4.xlarge/1d, c4.2xlarge/1a, m4.xlarge/1a,
m4.2xlarge/1d, weights 4/8/4/8, TargetCapacity 32, per-unit max prices 0.04725
and 0.054) with its c3.xlarge on-demand backup group (DefaultCooldown 2700),
over 24 hours from 2017-03-01T00:00:00Z, prices at 30 % of on-demand except
where the case says. The real episode (real-2016-08-10) is cut from seed-week.
The capacity cases (capacity-*, rebalance-then-interruption) script their
capacity events in events.csv; the data cases (period-300-direct,
v100-availability-2023, market-2021) are derived from the recorded slices kept
beside them (each case's README.md names the source). Run it from the
repository root after `make`; it rewrites the cases' files, and the same
script gives the same bytes.
"""
import json
import os
import subprocess

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
case("every-pool-outbid", "every pool outbid for 3 h: the seed's 'what happens when all of your "
     "instance types get outbid?', with CloudWatch's default ingestion delay (0-30 s) and the "
     "controller's default second and jitter (all-outbid-3h is the same outage without them)",
     base("every-pool-outbid", "all four pools outbid for 3 h, default delays",
          cloudwatch={"IngestionDelay": {"min": 0, "max": 30}}),
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
case("billing-per-hour", "the 3-hour outage of all-outbid-3h billed per hour (AWS before Oct "
     "2017); billed per second it is all-outbid-3h itself",
     base("billing-per-hour", "a 3-hour outage billed per hour", billing="per-hour"),
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


EVENTS_HEADER = ("Timestamp,Scope,InstanceType,AvailabilityZone,Share,InsufficientCapacity,"
                 "RebalanceLead\n")


def events(rows):
    """rows: (minute, scope, type, az, share, ice seconds, lead seconds or '')."""
    return EVENTS_HEADER + "".join("%s,%s,%s,%s,%s,%s,%s\n" % ((ts(m),) + tuple(r)) for m, *r in rows)


CAP = dict(traces={"prices": "prices.csv", "events": "events.csv"})
case("capacity-az-loss", "post-2017 style: prices never move, but EC2 takes half the instances "
     "in us-east-1d at 06:00, announced by rebalance recommendations at 05:50, and launches "
     "there fail for 2 h (a correlated AZ event; az-capacity-loss is the whole AZ, unannounced, "
     "through a capacity trace)",
     base("capacity-az-loss", "a capacity event taking half of one AZ, announced", **CAP),
     prices([]),
     {"events.csv": events([(6 * H, "AvailabilityZone", "", "us-east-1d", 0.5, 7200, 600)])})
case("capacity-ice", "half of the c4 family taken at 06:00 with 3 h of insufficient capacity, "
     "then all of m4.xlarge/1a at 07:00 for 1 h; priceCapacityOptimized over Advisor bands",
     base("capacity-ice", "family-wide insufficient capacity, then one pool",
          fleet__AllocationStrategy="priceCapacityOptimized", **CAP),
     prices([]),
     {"events.csv": events([(6 * H, "InstanceFamily", "c4", "", 0.5, 10800, ""),
                            (7 * H, "Pool", "m4.xlarge", "us-east-1a", 1, 3600, "")])})
for spec, band in zip(CASES[-1][2]["fleet"]["LaunchSpecifications"],
                      ["<5%", "5-10%", "10-15%", ">20%"]):
    spec["InterruptionFrequency"] = band
case("rebalance-then-interruption", "a rebalance recommendation at 05:50 for every instance in "
     "us-east-1d, interrupted at 06:00 (1 h of insufficient capacity); the fleet's Capacity "
     "Rebalancing (launch-before-terminate, 300 s) replaces them first",
     base("rebalance-then-interruption", "rebalance recommendation, then the interruption",
          fleet__SpotMaintenanceStrategies={"CapacityRebalance": {
              "ReplacementStrategy": "launch-before-terminate", "TerminationDelay": 300}},
          **CAP),
     prices([]),
     {"events.csv": events([(6 * H, "AvailabilityZone", "", "us-east-1d", 1, 3600, 600)])})
case("billing-first-hour", "every pool outbid 06:00-06:30 and again 07:00-08:00: the instances "
     "launched at 06:30 are interrupted in their first hour, which AWS does not charge",
     base("billing-first-hour", "interruptions in the first hour, per-second billing"),
     prices([(6 * H, 6 * H + 30, ALL, 2.0), (7 * H, 8 * H, ALL, 2.0)]))
case("min-size-oracle", "the 2-hour outage of every pool with an on-demand group kept at "
     "MinSize 2: the oracle runs those 2 all day too",
     base("min-size-oracle", "an on-demand floor of 2 instances",
          asg__MinSize=2, asg__DesiredCapacity=2),
     prices([(6 * H, 8 * H, ALL, 2.0)]))


def period_300():
    """A real group's running g4dn.xlarge count (target 12) as the 5-minute
    CloudWatch export of its fleet's metrics: PendingCapacity is the period's
    Maximum of 12 - running, FulfilledCapacity 12 - it."""
    src = "traces/scenarios/period-300-direct/source-g4dn-xlarge-us-east-1c.csv"
    t0 = 1605900600  # 2020-11-20T19:30:00Z, the file name's start
    steps = []
    for line in open(src):
        x, y = line.strip().split(",")
        steps.append((t0 + int(float(x)), int(y)))
    first, last = 1605922200, 1605988800  # 01:30 .. 20:00 on 2020-11-21
    rows = ["# The 5-minute export of a real fleet's metrics: target 12 g4dn.xlarge, the",
            "# running count from source-g4dn-xlarge-us-east-1c.csv (see README.md).",
            "Timestamp,TargetCapacity,FulfilledCapacity,PendingCapacity,TerminatingCapacity"]
    for p in range(first, last, 300):
        running = [v for t, v in steps if t <= p][-1:]  # in force at the start
        running += [v for t, v in steps if p < t < p + 300]
        pend = 12 - min(running)
        stamp = "2020-11-21T%02d:%02d:00Z" % ((p - 1605916800) // 3600, (p % 3600) // 60)
        rows.append("%s,12,%d,%d,0" % (stamp, 12 - pend, pend))
    sc = {
        "name": "period-300-direct",
        "description": "a real g4dn.xlarge group's shortfalls replayed from a 5-minute export",
        "mode": "direct", "seed": 1,
        "start": "2020-11-21T02:00:00Z", "end": "2020-11-21T20:00:00Z",
        "billing": "per-second",
        "direct": {"metrics": "metrics.csv", "Period": 300, "SpotPrice": 0.1578},
        "cloudwatch": {"IngestionDelay": 0},
        "controller": {"policy": "classic", "Cron": True, "Interval": 60,
                       "params": {"classic": {"units_per_instance": 1, "fallback_capacity": 12},
                                  "guarded": {"units_per_instance": 1},
                                  "hedge": {"units_per_instance": 1},
                                  "karpenter": {"units_per_instance": 1},
                                  "ondemand": {"units_per_instance": 1}}},
        "asg": {"AutoScalingGroupName": "g4dnBackup", "InstanceType": "g4dn.xlarge",
                "WeightedCapacity": 1, "OnDemandPrice": 0.526, "MinSize": 0, "MaxSize": 20,
                "DesiredCapacity": 0, "DefaultCooldown": 300,
                "LaunchDelay": {"min": 60, "max": 120}},
    }
    return sc, "\n".join(rows) + "\n"


sc, csv = period_300()
case("period-300-direct", "a real g4dn.xlarge group (target 12, Nov 2020) replayed in direct mode "
     "from its 5-minute export: every policy's windows scale with the Period",
     sc, None, {"metrics.csv": csv})

v100 = {
    "name": "v100-availability-2023",
    "description": "a measured 4-node p3.2xlarge availability trace as one pool's capacity",
    "mode": "model", "seed": 1,
    "start": "2023-08-03T00:00:00Z", "end": "2023-08-15T00:00:00Z",
    "billing": "per-second",
    "fleet": {"TargetCapacity": 4, "AllocationStrategy": "lowestPrice",
              "LaunchDelay": {"min": 60, "max": 180},
              "LaunchSpecifications": [{"InstanceType": "p3.2xlarge",
                                        "AvailabilityZone": "us-east-1f",
                                        "WeightedCapacity": 1, "OnDemandPrice": 3.06}]},
    # One price row, held over the whole span on purpose: the case is about
    # capacity, and the price is a stand-in (docs/scenario.md, traces.Extend).
    "traces": {"prices": "prices.csv", "availability": "availability.csv", "Extend": True},
    "ecs": {"RegistrationDelay": 30},
    "cloudwatch": {"IngestionDelay": 0},
    "controller": {"policy": "classic", "Cron": True, "Interval": 60,
                   "params": {"classic": {"units_per_instance": 1, "fallback_capacity": 4},
                              "guarded": {"units_per_instance": 1},
                              "hedge": {"units_per_instance": 1},
                              "karpenter": {"units_per_instance": 1},
                              "ondemand": {"units_per_instance": 1}}},
    "asg": {"AutoScalingGroupName": "v100Backup", "InstanceType": "p3.2xlarge",
            "WeightedCapacity": 1, "OnDemandPrice": 3.06, "MinSize": 0, "MaxSize": 8,
            "DesiredCapacity": 0, "DefaultCooldown": 300,
            "LaunchDelay": {"min": 60, "max": 120}},
}
case("v100-availability-2023", "a measured 4-node p3.2xlarge group in us-east-1f (Aug 2023, 300 s "
     "steps) as the pool's capacity: spot is there a third of the time",
     v100, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
     "2023-08-03T00:00:00Z,p3.2xlarge,us-east-1f,0.918000\n", {})

SHARED = "../shared/data/spot-traces-2023"
SPOT_TRACES = "github.com/skypilot-org/spot-traces commit 221da1a"


def avail_case(name, line, desc, files, start, end, target, itype, od, pools_from,
               alloc="diversified", max_size=8):
    """A fleet whose pools' capacities are measured availability traces
    (spot-traces, read as instances available), each pool one file of
    `files` [(file, az)], imported with spotbench's own `trace import
    --format spot-traces` from the file name's date `pools_from`, cut to
    the span (the row in force at `start` kept, restamped to it). A stand-in
    price (30 % of on-demand) held over the span: traces.Extend."""
    sc = {
        "name": name, "description": desc, "mode": "model", "seed": 1,
        "start": start, "end": end, "billing": "per-second",
        "fleet": {"TargetCapacity": target, "AllocationStrategy": alloc,
                  "LaunchDelay": {"min": 60, "max": 180},
                  "LaunchSpecifications": [
                      {"InstanceType": itype, "AvailabilityZone": az, "WeightedCapacity": 1,
                       "OnDemandPrice": od} for _, az in files]},
        "traces": {"prices": "prices.csv", "availability": "availability.csv", "Extend": True},
        "ecs": {"RegistrationDelay": 30},
        "cloudwatch": {"IngestionDelay": {"min": 0, "max": 30}},
        "controller": {"policy": "classic", "Cron": True, "Interval": 60,
                       "params": {"classic": {"units_per_instance": 1,
                                              "fallback_capacity": target},
                                  "guarded": {"units_per_instance": 1},
                                  "hedge": {"units_per_instance": 1},
                                  "karpenter": {"units_per_instance": 1},
                                  "ondemand": {"units_per_instance": 1}}},
        "asg": {"AutoScalingGroupName": name + "-backup", "InstanceType": itype,
                "WeightedCapacity": 1, "OnDemandPrice": od, "MinSize": 0,
                "MaxSize": max_size, "DesiredCapacity": 0, "DefaultCooldown": 300,
                "LaunchDelay": {"min": 60, "max": 120}},
    }
    price = "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n" + "".join(
        "%s,%s,%s,%.6f\n" % (start, itype, az, 0.3 * od) for _, az in files)
    extra = {}
    if os.path.isdir(SHARED):  # the slices are kept; regenerate them from the source
        rows = []
        for fn, az in files:
            out = "/tmp/make-scenarios-%s-%s.csv" % (name, az)
            subprocess.run(["build/spotbench", "trace", "import", "--format", "spot-traces",
                            os.path.join(SHARED, fn), "--start", pools_from, "--pool",
                            "%s/%s" % (itype, az), "-o", out], check=True)
            pool = [ln.strip().split(",") for ln in open(out) if not ln.startswith(("#", "T"))]
            os.remove(out)
            before = [r for r in pool if r[0] <= start]
            if before:
                rows.append([start] + before[-1][1:])
            rows += [r for r in pool if start < r[0] < end]
        rows.sort(key=lambda r: r[0])
        extra["availability.csv"] = (
            "# Cut from %s (%s): %s, imported with `spotbench trace import --format "
            "spot-traces --start %s`, each value the instances available; the rows of %s .. "
            "%s (the one in force at the start restamped to it).\n" % (
                SPOT_TRACES, "the repository's data of the NSDI'24 paper \"Can't Be Late\"",
                ", ".join(fn for fn, _ in files), pools_from, start, end)
            + "Timestamp,InstanceType,AvailabilityZone,Capacity\n"
            + "".join(",".join(r) + "\n" for r in rows))
    case(name, line, sc, price, extra)
    SOURCES[name] = ("Source of availability.csv: %s, %s; the files' names give their start "
                     "date, not the time of day (read as 00:00Z). A value is read as the "
                     "number of instances the pool can give. prices.csv is one row per pool, "
                     "a stand-in price (30 %% of on-demand) held over the span: the scenario "
                     "says so with traces.Extend. Every interruption here is capacity, none "
                     "is a price." % (SPOT_TRACES, ", ".join(fn for fn, _ in files)))


market = base("market-2021", "real 2021 prices that never come near on-demand, with the "
              "capacity-event model", start="2021-03-03T00:00:00Z", end="2021-05-30T00:00:00Z",
              market={"InterruptionFrequency": ">20%",
                      "RebalanceRecommendation": {"Probability": 0.5}})
market["fleet"]["LaunchSpecifications"] = [
    {"InstanceType": t, "AvailabilityZone": az, "WeightedCapacity": 4, "OnDemandPrice": od}
    for t, az, od in (("c4.xlarge", "us-east-1a", 0.199), ("c4.xlarge", "us-east-1b", 0.199),
                      ("c5.xlarge", "us-east-1a", 0.17), ("c5.xlarge", "us-east-1c", 0.17))]
case("market-2021", "88 days of real spring 2021 prices (c4/c5.xlarge, four pools, default max "
     "prices: never outbid) with capacity events drawn for the >20 % Advisor band",
     market, None, {})

sc, csv = real_episode()
case("real-2016-08-10", "a real day cut from seed-week: every pool outbid 14:10-16:35, 17:35-19:15, 19:20-20:55 (UTC)",
     sc, csv)

# Where the recorded slices kept in the data cases come from (the project's
# data sources, cut to what each case needs).
SOURCES = {
    "market-2021": "Source of prices.csv: `aws ec2 describe-spot-price-history` output "
    "recorded by others, github.com/LucianaMarques/amazon-spot-dataset commit 176c60153c9a, "
    "data/dados-30-maio-2021/c4.xlarge.json and c5.xlarge.json (Linux/UNIX, us-east-1), "
    "imported with `spotbench trace import` and cut to 2021-03-03..2021-05-30 and four pools. "
    "No price comes near the default max price (the on-demand price): every interruption "
    "comes from the market section's capacity events.",
    "period-300-direct": "Source of source-g4dn-xlarge-us-east-1c.csv: the measured number of "
    "running spot instances of a group kept at 12 g4dn.xlarge in us-east-1c from "
    "2020-11-20T19:30Z, github.com/uclasystem/bamboo commit 80809293289, "
    "doc/data/aws-spot-instances-g4dn-xlarge-us-east-1c-2020-11-20-1930-to-2020-11-21-2200.csv "
    "(MIT licence, kept here as LICENSE-source), \"seconds,running\" with each change written twice. metrics.csv is its "
    "5-minute export: PendingCapacity is each period's Maximum of 12 - running. "
    "TerminatingCapacity is 0 in every period: the source counts running instances and "
    "records no interruption notice (docs/traces.md, direct mode).",
    "v100-availability-2023": "Source of source-4-node-us-east-1f.json: the spot availability "
    "trace of a 4-node p3.2xlarge group in us-east-1f from 2023-08-03, one value every 300 s "
    "(gap_seconds), github.com/skypilot-org/spot-traces commit 221da1a "
    "(preemption_4-node_aws-08-03-2023_us-east-1f_v100_1.json). This case reads each value as "
    "the number of instances available (0..4) from 2023-08-03T00:00Z (the time of day is not "
    "recorded); availability.csv is `spotbench trace import --format spot-traces` of it. "
    "prices.csv is one row, a stand-in price (30 % of on-demand) held over the whole span: "
    "the scenario says so with traces.Extend.",
}

V100 = "availability_1-node_aws-02-15-2023_%s_v100_1.json"
avail_case("v100-us-east-1-4az-2023", "two p3.2xlarge wanted from four us-east-1 AZs, each AZ's "
           "measured 1-node availability (Feb 2023, 195 s steps) as its pool's capacity",
           "measured availability of four AZs, two instances wanted",
           [(V100 % az, az) for az in ("us-east-1a", "us-east-1c", "us-east-1d", "us-east-1f")],
           "2023-02-16T00:00:00Z", "2023-02-23T00:00:00Z", 2, "p3.2xlarge", 3.06,
           "2023-02-15T00:00:00Z")
avail_case("v100-us-east-2-2023", "one p3.2xlarge from us-east-2a or 2b, their measured "
           "availability (Feb 2023, 195 s steps) as the pools' capacities",
           "measured availability of two us-east-2 AZs, one instance wanted",
           [(V100 % az, az) for az in ("us-east-2a", "us-east-2b")],
           "2023-02-16T00:00:00Z", "2023-02-23T00:00:00Z", 1, "p3.2xlarge", 3.06,
           "2023-02-15T00:00:00Z")
avail_case("v100-us-west-2-2023", "one p3.2xlarge from us-west-2a or 2b, their measured "
           "availability (late Feb 2023, 195 s steps) as the pools' capacities",
           "measured availability of two us-west-2 AZs, one instance wanted",
           [(V100 % az, az) for az in ("us-west-2a", "us-west-2b")],
           "2023-02-23T00:00:00Z", "2023-03-02T00:00:00Z", 1, "p3.2xlarge", 3.06,
           "2023-02-15T00:00:00Z")
avail_case("v100-preemption-2023-04", "two p3.2xlarge from us-east-1c, us-east-1f or us-west-2b "
           "(one Spot Fleet per region in life; here one fleet), their measured preemption "
           "traces (Apr 2023, 32 s steps) as the pools' capacities",
           "measured preemptions of three AZs, two instances wanted",
           [("preemption_1-node_aws-04-22-2023_%s_v100_1.json" % az, az)
            for az in ("us-east-1c", "us-east-1f", "us-west-2b")],
           "2023-04-22T00:00:00Z", "2023-04-29T00:00:00Z", 2, "p3.2xlarge", 3.06,
           "2023-04-22T00:00:00Z")
avail_case("r5-preemption-2023-04", "one r5.16xlarge from us-east-1b or 1c, their measured "
           "preemption traces (Apr 2023, 34 s steps) as the pools' capacities",
           "measured preemptions of a CPU type in two AZs, one instance wanted",
           [("preemption_1-node_aws-04-19-2023_%s_intel_64.json" % az, az)
            for az in ("us-east-1b", "us-east-1c")],
           "2023-04-19T00:00:00Z", "2023-04-25T00:00:00Z", 1, "r5.16xlarge", 4.032,
           "2023-04-19T00:00:00Z", max_size=4)
avail_case("v100-4node-us-east-2a-2023", "a measured 4-node p3.2xlarge group in us-east-2a "
           "(Aug 2023, 300 s steps) as the pool's capacity: full for a week, then gone",
           "a measured 4-node availability trace in us-east-2a",
           [("preemption_4-node_aws-08-03-2023_us-east-2a_v100_1.json", "us-east-2a")],
           "2023-08-03T00:00:00Z", "2023-08-15T00:00:00Z", 4, "p3.2xlarge", 3.06,
           "2023-08-03T00:00:00Z", alloc="lowestPrice")

for name, line, sc, csv, extra in CASES:
    d = os.path.join("traces/scenarios", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "scenario.json"), "w") as f:
        json.dump(sc, f, indent=2)
        f.write("\n")
    if csv is not None:
        with open(os.path.join(d, "prices.csv"), "w") as f:
            f.write(csv)
    for fn, text in extra.items():
        with open(os.path.join(d, fn), "w") as f:
            f.write(text)
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write("%s: %s. Written by scripts/make-scenarios.py.\n" % (name, line))
        if name in SOURCES:
            f.write("\n%s\n" % SOURCES[name])
# The measured availability trace, through spotbench's own import (run `make`
# first): one value every 300 s from the file name's date, as the capacity of
# the fleet's one pool. The trace's values are read as instances available.
subprocess.run(["build/spotbench", "trace", "import", "--format", "spot-traces",
                "traces/scenarios/v100-availability-2023/source-4-node-us-east-1f.json",
                "--start", "2023-08-03T00:00:00Z", "--pool", "p3.2xlarge/us-east-1f",
                "-o", "traces/scenarios/v100-availability-2023/availability.csv"], check=True)
print("wrote %d cases" % len(CASES))
