#!/usr/bin/env python3
"""karpenter.py: the built-in `karpenter` policy as an external policy.

Run it with `spotbench run SCENARIO --policy exec:examples/policies/karpenter.py`
(docs/own-policy.md). It speaks the policy protocol, version 1
(docs/policies.md, "External policies"): it answers spotbench's hello with
its description, each lookback question with the seconds of datapoints it
reads, and each observation line with one decision line. Standard library
only. Its decisions are the built-in's, byte for byte (tests/cli/test_exec.sh
checks it over the bundled suite): start from it to write your own.
"""
import json
import math
import sys

PARAMS = [
    {"name": "units_per_instance", "default": 4, "min": 0.001, "max": 1e6,
     "integer": False, "unit": "units",
     "description": "capacity units one on-demand instance gives"},
    {"name": "staleness", "default": 180, "min": 60, "max": 3600, "integer": True,
     "unit": "s",
     "description": "ignore datapoints whose Timestamp is older than this (1-minute data)"},
    {"name": "fallback_wait", "default": 0, "min": 0, "max": 86400, "integer": True,
     "unit": "s",
     "description": "a shortfall must last this long before falling back (Karpenter: none)"},
    {"name": "consolidate_after", "default": 0, "min": 0, "max": 86400,
     "integer": True, "unit": "s",
     "description": "no shortfall for this long before returning to spot "
                    "(consolidateAfter, default 0s)"},
    {"name": "offering_ttl", "default": 180, "min": 0, "max": 86400, "integer": True,
     "unit": "s", "description": "a spot offering that failed stays unavailable this long "
                                 "(UnavailableOfferingsTTL, 3 minutes)"},
    {"name": "budget_pct", "default": 10, "min": 0.001, "max": 100, "integer": False,
     "unit": "%", "description": "instances returned to spot per decision, in % of "
                                 "DesiredCapacity rounded up (disruption budget)"},
    {"name": "budget_nodes", "default": 0, "min": 0, "max": 100000, "integer": True,
     "unit": "instances",
     "description": "instances returned per decision when above 0 (a budget in nodes)"},
    {"name": "honor_cooldown", "default": 0, "min": 0, "max": 1, "integer": True,
     "unit": "bool", "description": "each return honours the group's cooldown"},
    {"name": "max_on_demand", "default": 100, "min": 0, "max": 100000, "integer": True,
     "unit": "instances",
     "description": "never ask for more on-demand instances than this"},
]

DESCRIPTION = {
    "type": "describe", "protocol": 1, "name": "karpenter-py",
    "summary": "Karpenter's fallback with its documented defaults "
               "(the built-in karpenter, in Python)",
    "reads": ["PendingCapacity"], "params": PARAMS,
}


def stale_span(staleness, period):
    return int(staleness) * period // 60


def settle_span(p):
    """How long no shortfall must have been seen before returning to spot."""
    return max(int(p["consolidate_after"]), int(p["offering_ttl"]))


def lookback(p, period):
    stale = stale_span(p["staleness"], period)
    return max(int(p["fallback_wait"]) + stale, max(settle_span(p), stale))


def budget(p, desired):
    """The instances one return may release from `desired`."""
    if p["budget_nodes"] > 0:
        return int(p["budget_nodes"])
    n = instances_for(p["budget_pct"] * desired / 100.0, 1)
    return 1 if n < 1 else n


def window_start(now, w, period):
    q = 60 if period == 60 else period
    return (now - w) // q * q


def window(obs, pts, w):
    """The datapoints CloudWatch returns for StartTime = now - w, EndTime = now."""
    start = window_start(obs["now"], w, obs["period"])
    return [pt for pt in pts if start <= pt[0] < obs["now"]]


def instances_for(units, per):
    if not units > 0:
        return 0
    return min(int(math.ceil(units / per - 1e-9)), 1000000000)


class Hold(Exception):
    pass


def none(reason, held=False):
    return {"action": "none", "reason": reason, "held": held}


def setdc(n, honor, reason):
    return {"action": "set", "DesiredCapacity": n, "HonorCooldown": honor, "reason": reason}


def decide(obs, p):
    period = obs["period"]
    stale = stale_span(p["staleness"], period)
    wait, settle = int(p["fallback_wait"]), settle_span(p)
    asg = obs["asg"]
    if asg is None:
        return none("ASG state unknown; holding", True)
    if "PendingCapacity" in obs["failed"]:
        return none("PendingCapacity fetch failed; holding", True)
    pend = obs["metrics"].get("PendingCapacity", [])
    fresh = window(obs, pend, stale)
    if not fresh:
        return none("no PendingCapacity datapoint within %ds; holding" % stale, True)
    newest = fresh[-1]

    since = newest[0]
    for t, v in reversed(window(obs, pend, wait + stale)):
        if not v > 0:
            break
        since = t
    lasted = newest[0] - since if newest[1] > 0 else -1

    cap = asg["MaxSize"]
    if int(p["max_on_demand"]) < cap:
        cap = int(p["max_on_demand"])
    if cap < asg["MinSize"]:
        cap = asg["MinSize"]
    desired = asg["DesiredCapacity"]

    if lasted >= wait:
        want = instances_for(newest[1], p["units_per_instance"])
        to = cap if want > cap else want
        if to < asg["MinSize"]:
            to = asg["MinSize"]
        if to > desired:
            return setdc(to, False, "fall back: PendingCapacity %g units for %ds (wait %ds) "
                         "needs %d instances%s" % (newest[1], lasted, wait, want,
                                                   ", capped" if to < want else ""))
    if desired < asg["MinSize"]:
        return setdc(asg["MinSize"], False, "DesiredCapacity below MinSize")
    if newest[1] > 0:
        if lasted < wait:
            return none("PendingCapacity %g units for %ds: waiting %ds before falling back"
                        % (newest[1], lasted, wait))
        return none("PendingCapacity %g units: %d instances desired" % (newest[1], desired))
    for t, v in window(obs, pend, settle):
        if v > 0:
            return none("holding %d instances: a shortfall within %ds" % (desired, settle))
    if desired > asg["MinSize"]:
        # Every Period of the window up to the newest datapoint must be there.
        pts = window(obs, pend, settle)
        expect = window_start(obs["now"], settle, period)
        for t, v in pts:
            if t - expect >= period:
                return none("PendingCapacity has no datapoint %ds ago, within %ds; not "
                            "scaling in from %d" % (obs["now"] - expect, settle, desired), True)
            expect = t + period
        to = desired - budget(p, desired)
        if to < asg["MinSize"]:
            to = asg["MinSize"]
        return setdc(to, p["honor_cooldown"] != 0, "return to spot: no shortfall for %ds, "
                     "%d of %d instances (budget)" % (settle, desired - to, desired))
    return none("no shortfall")


def main():
    params = {q["name"]: q["default"] for q in PARAMS}
    out = sys.stdout
    for line in sys.stdin:
        msg = json.loads(line)
        kind = msg.get("type")
        if kind == "hello":
            reply = DESCRIPTION
        elif kind == "lookback":
            reply = {"type": "lookback", "seconds": lookback(msg["params"], msg["period"])}
        elif kind == "run":  # a run begins: its seed and parameters, no answer
            params = msg["params"]
            continue
        elif kind is None:  # an observation
            msg.setdefault("period", 60)
            reply = decide(msg, params)
            reply = dict({"now": msg["now"]}, **reply)
        else:
            continue  # a later version's message: not ours to answer
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
