#!/usr/bin/python3
"""simpy_model.py: the bench scenario written as a SimPy user would write it,
the yardstick `make bench` times spotbench against.

  simpy_model.py SCENARIO.json [classic|guarded]

Models what the bench scenario uses, the way spotbench does: spot pools with
recorded prices, a Spot Fleet of type maintain (diversified), interruptions
when a pool's price passes its max price (a 2-minute notice, then the end),
each notice's interruption warning received by the controller a constant
eventbridge.DeliveryDelay later, ECS registration, CloudWatch 1-minute
Maximum datapoints, the classic or the guarded controller (its default
parameters) every minute, the on-demand Auto Scaling group (cooldown,
rejected HonorCooldown calls, the default termination policy) and
per-second billing (spot at the exact integral of its price, rounded once;
a spot instance interrupted in its first hour is free). Every delay must be
a constant: where nothing is random the two models must give the same
figures, and `make bench` checks that they do.

Prints one JSON object: spot_cost, od_cost, total_cost, coverage_pct, the
counters set_calls, set_rejected, od_launches, spot_launches, interruptions,
and events. Events at one second run in spotbench's order: a CloudWatch period
closes first, state changes next, the controller last, CloudWatch's look at
the settled state after all (SimPy time counts quarter seconds: second s,
class c is 4s + c, exact in floating point), and among state changes in the
order they were scheduled. CloudWatch's look needs no event of its own: a
second's settled state is the state the first event of a later second finds,
so that event folds it in before it acts. A received warning needs no event
either: the controller reads those whose second of receipt lies in its window,
as spotbench does.
"""
import bisect
import csv
import json
import math
import os
import sys

import simpy

PERIOD, STATE, CONTROLLER = 0, 1, 2
LAUNCHING, RUNNING, NOTICE, GONE = range(4)
FRAC = 80  # the fixed point of exact price integrals: 2^-80 USD-seconds


def constant(d, default, name):
    """A scenario delay that must be a constant (p = 1, min = max)."""
    if d is None:
        d = default
    if isinstance(d, (int, float)):
        return int(d)
    if d.get("p", 1) == 1 and d["min"] == d["max"]:
        return int(d["min"])
    sys.exit("simpy_model.py: %s must be a constant" % name)


def fixed(v):
    """v * 2^FRAC as an integer (exact for the prices of a trace)."""
    num, den = v.as_integer_ratio()
    return round(num * (1 << FRAC) / den) if den > (1 << FRAC) else num * ((1 << FRAC) // den)


def instances_for(units, per_instance=4.0):
    """pol_instances_for(): the instances that cover `units`."""
    if not units > 0:
        return 0
    return min(int(math.ceil(units / per_instance - 1e-9)), 1000000000)


class Pool:
    def __init__(self, spec, steps):
        self.weight = float(spec.get("WeightedCapacity", 1))
        self.od_price = float(spec["OnDemandPrice"])
        self.max_price = float(spec.get("SpotPrice", self.od_price / self.weight)) * self.weight
        self.steps = steps  # [(t, price)], sorted
        self.price = 0.0
        self.instances = []  # not gone, in launch order
        self.units = 0.0     # launching or running
        self.count = 0       # not gone
        self.fx_sum = 0      # the price's exact integral from the start ...
        self.fx_t = 0        # ... up to the step that began then

    def integral_now(self, now):
        return self.fx_sum + fixed(self.price) * (now - self.fx_t)

    def price_at(self, t):
        i = bisect.bisect_right(self.steps, (t, math.inf))
        return self.steps[max(i - 1, 0)][1]


class Instance:
    serials = [0, 0]

    def __init__(self, pool):
        self.pool = pool  # None: on demand
        self.state = LAUNCHING
        self.registered = False
        self.initial = False
        self.run_t = -1
        self.run_fx = 0
        kind = 1 if pool is None else 0
        self.serial = Instance.serials[kind]
        Instance.serials[kind] += 1


class Model:
    def __init__(self, path, policy=None):
        with open(path) as f:
            sc = json.load(f)
        base = os.path.dirname(os.path.abspath(path))
        self.start, self.end = int(sc["start"]), int(sc["end"])
        fleet, asg = sc["fleet"], sc["asg"]
        self.target = float(fleet["TargetCapacity"])
        steps = {}
        with open(os.path.join(base, sc["traces"]["prices"])) as f:
            for row in csv.DictReader(f):
                key = (row["InstanceType"], row["AvailabilityZone"])
                steps.setdefault(key, []).append((int(row["Timestamp"]), float(row["SpotPrice"])))
        self.pools = []
        for spec in fleet["LaunchSpecifications"]:
            s = steps[(spec["InstanceType"], spec["AvailabilityZone"])]
            s.sort(key=lambda x: x[0])
            self.pools.append(Pool(spec, s))
        self.launch_delay = constant(fleet.get("LaunchDelay"), None, "fleet.LaunchDelay")
        self.reg_delay = constant(sc.get("ecs", {}).get("RegistrationDelay"), 30,
                                  "ecs.RegistrationDelay")
        self.od_weight = float(asg.get("WeightedCapacity", 4))
        self.od_price = float(asg["OnDemandPrice"])
        self.asg_max = int(asg.get("MaxSize", 200))
        self.cooldown = int(asg.get("DefaultCooldown", 300))
        self.od_delay = constant(asg.get("LaunchDelay"), None, "asg.LaunchDelay")
        self.od_term_delay = constant(asg.get("TerminationDelay"), None, "asg.TerminationDelay")
        ctl = sc.get("controller", {})
        self.offset = constant(ctl.get("Offset"), None, "controller.Offset")
        constant(ctl.get("Jitter"), None, "controller.Jitter")
        self.policy = policy or ctl.get("policy", "classic")
        if self.policy not in ("classic", "guarded") or ctl.get("params"):
            sys.exit("simpy_model.py: the policy must be classic or guarded, its defaults")
        evb = sc.get("eventbridge", {})
        if evb.get("LossProbability", 0) != 0 or evb.get("Enabled", True) is not True:
            sys.exit("simpy_model.py: eventbridge must deliver every event")
        self.ev_delay = constant(evb.get("DeliveryDelay"), None, "eventbridge.DeliveryDelay")
        self.warnings = []  # (second received, units): the interruption warnings
        if constant(sc.get("cloudwatch", {}).get("IngestionDelay"), 0,
                    "cloudwatch.IngestionDelay") != 0:
            sys.exit("simpy_model.py: cloudwatch.IngestionDelay must be 0")
        self.env = simpy.Environment(initial_time=4 * self.start)
        self.od = []  # on-demand instances not gone, in launch order
        self.desired = self.od_live = 0
        self.cooldown_until = -(1 << 62)
        self.spot_units = self.od_units = 0.0
        self.fulfilled = self.terminating = 0.0
        self.acc_t = self.start
        self.covered = self.required_s = 0.0
        self.spot_cost = self.od_cost = 0.0
        self.events = 0
        self.set_calls = self.set_rejected = 0
        self.od_launches = self.spot_launches = self.interruptions = 0
        self.pmax = None
        self.datapoints = []  # (t, target, pending), one per closed minute
        self.dirty = None  # the second whose settled state CloudWatch is yet to see

    # ---- time and events ----------------------------------------------------

    def at(self, sec, cls, fn, *args):
        """Runs fn(*args) at second `sec` in class `cls`."""
        ev = self.env.timeout(4 * sec + cls - self.env.now)
        ev.callbacks.append(lambda _e: self.run(sec, fn, *args))
        return ev

    def run(self, sec, fn, *args):
        if self.dirty is not None and sec > self.dirty:
            self.settle()
        self.account(sec)
        self.events += 1
        fn(*args)

    def account(self, t):
        dt = t - self.acc_t
        if dt > 0:
            cov = self.spot_units + self.od_units
            self.required_s += self.target * dt
            self.covered += min(cov, self.target) * dt
            self.acc_t = t

    def sec(self):
        return int(self.env.now) // 4

    def changed(self):
        """Fleet figures may have changed: CloudWatch looks once the second
        has settled (run() folds it in at the next second's first event)."""
        self.dirty = self.sec()

    def settle(self):
        self.dirty = None
        v = (self.target, max(0.0, self.target - self.fulfilled))
        self.pmax = v if self.pmax is None else (max(self.pmax[0], v[0]), max(self.pmax[1], v[1]))

    # ---- the Spot Fleet -----------------------------------------------------

    def contrib(self, inst, sign):
        p, w = inst.pool, sign * inst.pool.weight
        p.count += sign if inst.state != GONE else 0
        if inst.state in (LAUNCHING, RUNNING):
            p.units += w
        if inst.state in (RUNNING, NOTICE):
            self.fulfilled += w
        if inst.state == NOTICE:
            self.terminating += w
        if inst.registered:
            self.spot_units += w

    def set_state(self, inst, state, registered):
        self.contrib(inst, -1)
        inst.state, inst.registered = state, registered
        self.contrib(inst, 1)
        self.changed()

    def eligible(self, p):
        return p.price <= p.max_price and p.price <= p.od_price

    def fill(self):
        have = sum(p.units for p in self.pools)
        while have < self.target - 1e-9:
            best = None
            for p in self.pools:  # diversified: fewest units, then cheapest
                if not self.eligible(p):
                    continue
                if best is None or p.units < best.units or (
                        p.units == best.units and p.price / p.weight < best.price / best.weight):
                    best = p
            if best is None:
                break
            inst = Instance(best)
            self.spot_launches += 1
            best.instances.append(inst)
            self.contrib(inst, 1)
            self.at(self.sec() + self.launch_delay, STATE, self.spot_running, inst)
            have += best.weight

    def spot_running(self, inst):
        if inst.state != LAUNCHING:
            return  # ended meanwhile
        inst.run_t = self.sec()
        inst.run_fx = inst.pool.integral_now(inst.run_t)
        self.set_state(inst, RUNNING, False)
        self.at(self.sec() + self.reg_delay, STATE, self.spot_registered, inst)

    def spot_registered(self, inst):
        if inst.state == GONE:
            return
        self.set_state(inst, inst.state, True)

    def end_spot(self, inst, interrupted):
        self.contrib(inst, -1)
        self.changed()
        now = self.sec()
        if inst.run_t >= 0:
            self.spot_cost += self.spot_charge(inst, now, interrupted)
        inst.state = GONE
        inst.pool.instances.remove(inst)

    def spot_charge(self, inst, end, interrupted):
        dur = end - inst.run_t
        if interrupted and not inst.initial and dur < 3600:
            return 0.0  # EC2 interrupted it in its first hour
        x = inst.pool.integral_now(end) - inst.run_fx
        if dur < 60:
            x += fixed(inst.pool.price_at(end)) * (60 - dur)
        return math.ldexp(float(x), -FRAC) / 3600

    def price_step(self, p, i):
        v = p.steps[i][1]
        if i + 1 < len(p.steps) and p.steps[i + 1][0] < self.end:  # scheduled before it acts
            self.at(p.steps[i + 1][0], STATE, self.price_step, p, i + 1)
        now = self.sec()
        p.fx_sum, p.fx_t = p.integral_now(now), now
        p.price = v
        if p.price > p.max_price:  # outbid: every instance gets its notice
            for inst in list(reversed(p.instances)):
                if inst.state == LAUNCHING:
                    self.end_spot(inst, True)
                elif inst.state == RUNNING:
                    self.set_state(inst, NOTICE, inst.registered)
                    self.interruptions += 1
                    if self.policy == "guarded":  # only a policy reading events keeps them
                        self.warnings.append((now + self.ev_delay, p.weight))
                    self.at(now + 120, STATE, self.spot_terminate, inst)
        self.fill()

    def spot_terminate(self, inst):
        self.end_spot(inst, True)
        self.fill()

    # ---- CloudWatch and the classic controller --------------------------------

    def minute(self):
        now = self.sec()
        self.datapoints.append((now - 60,) + self.pmax)
        self.pmax = None
        self.changed()
        if now + 60 < self.end:
            self.at(now + 60, PERIOD, self.minute)

    def invoke(self):
        now = self.sec()
        if now + 60 < self.end:
            self.at(now + 60, CONTROLLER, self.invoke)
        if self.policy == "guarded":
            self.guarded(now)
            return
        recent = [d for d in self.datapoints[-11:] if now - 600 <= d[0] < now]
        if any(d[1] != recent[0][1] for d in recent):
            return  # the fleet scaled recently
        last = [d for d in recent if d[0] >= now - 60]
        pend = last[0][2] if last else 32.0  # fallback_capacity
        x = pend / 4 + 0.999999
        required = 0 if not x > 0 else (2147483647 if x >= 2147483647 else int(x))
        if required == self.desired:
            return
        honor = required < self.desired
        to = min(max(required, 0), self.asg_max)
        if to == self.desired:
            return  # clamped to what is desired already
        self.call(to, honor, now)

    def call(self, to, honor, now):
        """SetDesiredCapacity(to, HonorCooldown=honor)."""
        self.set_calls += 1
        if honor and now < self.cooldown_until:
            self.set_rejected += 1
            return  # ScalingActivityInProgress
        self.set_desired(to)

    def guarded(self, now):
        """policy/guarded.c at its defaults: staleness 180 s, window 600 s,
        confirm 2, scale_in_delay 900 s, scale_in_step 4, headroom 0,
        max_on_demand 100. Every datapoint arrives (no missing Period), so
        the scale-in window is always whole. A window of w seconds is what
        GetMetricStatistics returns for StartTime now - w, rounded down to
        the minute: the datapoints since then, one a minute, the newest last
        (all older than now: a period closes before the controller runs)."""
        dps = [d for d in self.datapoints[-17:] if d[0] >= (now - 900) // 60 * 60]
        if not dps or dps[-1][0] < (now - 180) // 60 * 60:
            return  # no datapoint within staleness: hold
        t_new, p_new = dps[-1][1], dps[-1][2]
        w600 = (now - 600) // 60 * 60
        t_min = min([t_new] + [d[1] for d in dps if d[0] >= w600])
        launching = t_new - t_min
        terminating = 0.0
        if self.warnings:
            if self.warnings[0][0] <= now - 120:  # no longer within the 2 minutes
                self.warnings = [x for x in self.warnings if x[0] > now - 120]
            for t, units in self.warnings:  # received within the notice's 2 minutes
                if t <= now:
                    terminating += units
        shortfall = 0.0
        last = dps[-2:]  # confirm datapoints within staleness + a minute
        if (len(last) == 2 and last[0][0] >= (now - 240) // 60 * 60
                and last[0][2] - launching > 0 and last[1][2] - launching > 0):
            shortfall = p_new - launching
        need = shortfall + terminating
        want_out = instances_for(need)
        p_max = max([d[2] for d in dps])
        keep = max(p_max - launching, 0.0) + terminating
        want_in = instances_for(keep)
        cap = min(self.asg_max, 100)
        desired = self.desired
        if want_out > desired and desired < cap:
            self.call(min(want_out, cap), False, now)
            return
        to = min(max(want_in, desired - 4), cap)
        if to < desired:
            self.call(to, True, now)

    # ---- the on-demand group --------------------------------------------------

    def set_desired(self, n):
        now = self.sec()
        self.desired = n
        if n > self.od_live:
            last = now
            while self.od_live < n:
                inst = Instance(None)
                self.od_launches += 1
                self.od.append(inst)
                at = now + self.od_delay
                last = max(last, at)
                self.at(at, STATE, self.od_running, inst)
                self.od_live += 1
            self.cooldown_until = max(self.cooldown_until, last + self.cooldown)
        elif n < self.od_live:
            while self.od_live > n:
                self.end_od(self.victim(now), now)
            self.cooldown_until = max(self.cooldown_until,
                                      now + self.od_term_delay + self.cooldown)

    def victim(self, now):
        """Launching first (the newest); else closest to the end of its
        instance-hour, the oldest on a tie."""
        launching = [i for i in self.od if i.state == LAUNCHING]
        if launching:
            return launching[-1]
        return min(self.od, key=lambda i: (3600 - (now - i.run_t) % 3600, i.serial))

    def end_od(self, inst, now):
        if inst.registered:
            self.od_units -= self.od_weight
        if inst.run_t >= 0:
            dur = now - inst.run_t
            self.od_cost += (max(dur, 60) * self.od_price) / 3600
        inst.state = GONE
        self.od.remove(inst)
        self.od_live -= 1

    def od_running(self, inst):
        if inst.state == GONE:
            return
        inst.state, inst.run_t = RUNNING, self.sec()
        self.at(self.sec() + self.reg_delay, STATE, self.od_registered, inst)

    def od_registered(self, inst):
        if inst.state == GONE:
            return
        inst.registered = True
        self.od_units += self.od_weight

    # ---- the run --------------------------------------------------------------

    def simulate(self):
        start = self.start
        for p in self.pools:
            before = [s for s in p.steps if s[0] <= start]
            p.price = before[-1][1] if before else p.steps[0][1]
            p.fx_t = start
            i = len(before)
            if i < len(p.steps) and p.steps[i][0] < self.end:
                self.at(p.steps[i][0], STATE, self.price_step, p, i)
        self.fill()
        self.spot_launches = 0  # the fleet at the start was not launched in the run
        for p in self.pools:  # the fleet at the start runs already
            for inst in p.instances:
                self.contrib(inst, -1)
                inst.state, inst.registered, inst.initial = RUNNING, True, True
                inst.run_t = start
                self.contrib(inst, 1)
        v = (self.target, max(0.0, self.target - self.fulfilled))
        self.datapoints = [(start - 60 * k,) + v for k in range(17, 0, -1)]
        self.pmax = v
        if start + 60 < self.end:
            self.at(start + 60, PERIOD, self.minute)
        first = start + (self.offset - start) % 60
        if first < self.end:
            self.at(first, CONTROLLER, self.invoke)
        self.env.run(until=4 * self.end + 2)  # state changes at the end count
        self.account(self.end)
        for inst in sorted((i for p in self.pools for i in p.instances if i.run_t >= 0),
                           key=lambda i: i.serial):
            self.spot_cost += self.spot_charge(inst, self.end, False)
        for inst in sorted((i for i in self.od if i.run_t >= 0), key=lambda i: i.serial):
            self.od_cost += (max(self.end - inst.run_t, 60) * self.od_price) / 3600
        return {"spot_cost": self.spot_cost, "od_cost": self.od_cost,
                "total_cost": self.spot_cost + self.od_cost,
                "coverage_pct": 100 * self.covered / self.required_s if self.required_s else 100,
                "set_calls": self.set_calls, "set_rejected": self.set_rejected,
                "od_launches": self.od_launches, "spot_launches": self.spot_launches,
                "interruptions": self.interruptions, "events": self.events}


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    print(json.dumps(Model(*sys.argv[1:]).simulate()))
