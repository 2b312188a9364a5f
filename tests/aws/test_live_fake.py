#!/usr/bin/python3
"""test_live_fake.py: `spotbench live` end to end against tests/aws/fake_aws.py.

The fake checks every request's SigV4 signature with botocore and answers from
a scenario replayed in simulated time. Each group of checks gets its own fake
and scratch HOME; at each simulated minute it runs

    $BUILD/spotbench live --config CFG --once [--apply] [--db F] [--record F]

with SPOTBENCH_NOW = the fake's simulated now, then advances the fake by 60 s,
and reads what the fake saw (its call log and state) afterwards. Checked:

  timeline  (guarded and classic, --apply): the fleet loses 8 units at minute
            5 and gets them back at minute 12; the group is scaled out with
            HonorCooldown=false once the shortfall shows; the scale-in is
            refused with ScalingActivityInProgress while the cooldown runs
            (exit status 0, reported on stdout as normal, nothing on stderr)
            and accepted once it is over; --db holds one row per tick that
            matches the line; --record replays through `spotbench policy eval`
            to the same decisions;
  dry run   no --apply: never a SetDesiredCapacity call;
  faults    each fault kind of the fake (throttle, 500, slow, malformed,
            expired-token, drop) on GetMetricStatistics and on
            DescribeAutoScalingGroups at the minute the guarded policy would
            scale out: once, retried and the tick goes through; persistent,
            a clear error naming the call, exit 1 (the tick could not
            observe) and no SetDesiredCapacity on the
            partial data (classic, by design, falls back and would scale);
            every call failing makes --once exit 1; a malformed answer to
            SetDesiredCapacity is a failure that says it may have applied;
  db lock   a tick whose row cannot be stored (the database locked by
            another writer) stops the loop with exit status 1.

Prints one line per check and, last, "N passed, N failed"; exits 1 if any
check failed. Run from the repository root (make test does):

    BUILD=build /usr/bin/python3 tests/aws/test_live_fake.py [-v] [GROUP...]
"""

import concurrent.futures
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from fake_ctl import ACCESS_KEY, SECRET_KEY, FakeAws  # noqa: E402

BUILD = os.environ.get("BUILD", "build")
SB = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD), "spotbench")
VERBOSE = "-v" in sys.argv

START = 1488369600  # 2017-03-01T12:00:00Z
SFR = "sfr-5e2d6c1a-3b7f-4c9e-8a41-0d2f6b9e7c13"
ASG = "spotbench-od"
# The outage, shortened so that capacity comes back while the scale-out's
# cooldown still runs: 8 of 32 units lost at minute 5, back at minute 12. The
# two instances launched at 12:08 are InService at 12:10, so the cooldown
# (600 s) lasts until 12:20.
SCENARIO = {
    "comment": "test_live_fake.py: a short outage inside a long cooldown",
    "start": "2017-03-01T12:00:00Z",
    "fleet": {"SpotFleetRequestId": SFR, "TargetCapacity": 32,
              "FulfilledCapacity": [[-60, 32], [5, 24], [12, 32]]},
    "asg": {"AutoScalingGroupName": ASG, "MinSize": 0, "MaxSize": 20,
            "DesiredCapacity": 0, "DefaultCooldown": 600, "LaunchDelay": 120},
}
# classic reads the datapoints in [now - 60, now). A minute's datapoint is
# published only after the minute ends plus CloudWatch's ingestion delay, so
# with any delay classic never sees one and falls back to 32 pending units on
# every tick (its documented quirk, kept on purpose). Its timeline therefore
# runs with no ingestion delay, ticking on the minute.
CLASSIC_SCENARIO = json.loads(json.dumps(SCENARIO))
CLASSIC_SCENARIO["cloudwatch"] = {"IngestionDelay": 0}
MINUTES = 25  # ticks at 12:00 .. 12:24
# guarded scales in after `scale_in_delay` without a shortfall; 120 s (not
# the default 900) so the scale-in is asked for inside the cooldown.
GUARDED_PARAMS = {"scale_in_delay": 120}
TIMEOUT = 0.3  # per attempt (config "timeout"); the slow fault sleeps longer
SLOW_DELAY = 0.6
AUTH_CODES = {"SignatureDoesNotMatch", "IncompleteSignature", "InvalidClientTokenId",
              "AuthFailure", "MissingAuthenticationToken"}


class Group:
    """Checks against one fake; lines are kept and printed in order at the end."""

    def __init__(self, name, scenario=SCENARIO):
        self.name = name
        self.scenario = scenario
        self.lines = []
        self.passed = 0
        self.failed = 0
        self.fake = None
        self.home = None
        self.notes = 0  # live's "no EventQueueUrl" notes, taken out of stderr

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            self.lines.append(f"ok   {self.name}: {what}")
        else:
            self.failed += 1
            self.lines.append(f"FAIL {self.name}: {what}" +
                              (f"\n     {str(detail)[:1500]}" if detail else ""))
        return cond

    def config(self, name, policy="guarded", **extra):
        cfg = {"region": "us-east-1", "FleetRequestId": SFR, "AutoScalingGroupName": ASG,
               "policy": policy, "max_on_demand": 10, "timeout": TIMEOUT}
        if policy == "guarded":
            cfg["params"] = dict(GUARDED_PARAMS)
        cfg.update(extra)
        path = os.path.join(self.home, name)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(cfg, fh)
        return path

    def live(self, cfg, *args, timeout=30):
        """Runs spotbench live against the fake at its simulated now."""
        env = self.fake.client_env(home=self.home)
        env["SPOTBENCH_RETRY_SCALE"] = "0"
        p = subprocess.run([SB, "live", "--config", cfg] + list(args), env=env,
                           capture_output=True, text=True, timeout=timeout)
        if VERBOSE:
            self.lines.append(f"     $ live {' '.join(args)} -> {p.returncode}\n"
                              f"       {p.stdout.strip()}\n       {p.stderr.strip()}")
        # The fake serves no event queue: guarded's configs name none, and
        # live says so once on stderr (test_events_moto.py reads a queue).
        # Counted, then taken out, so the checks below see only errors.
        lines = p.stderr.splitlines(keepends=True)
        kept = [l for l in lines if "the config names no EventQueueUrl" not in l]
        self.notes += len(lines) - len(kept)
        p.stderr = "".join(kept)
        return p

    def tick(self, cfg, *args):
        """One --once tick: (now, completed process, the calls it made)."""
        since = self.fake.ncalls()
        now = self.fake.now()
        p = self.live(cfg, "--once", *args)
        return now, p, self.fake.calls(since=since)

    def run(self, body):
        t0 = time.monotonic()
        try:
            with tempfile.TemporaryDirectory(prefix="live-fake.") as home:
                self.home = home
                with FakeAws(scenario=self.scenario) as fake:
                    self.fake = fake
                    try:
                        body(self)
                        bad = [c for c in fake.calls() if c["code"] in AUTH_CODES]
                        self.check("the fake accepted every signature", not bad,
                                   bad[:3])
                    except Exception as e:  # a crash is a failed check, not a lost group
                        self.check("group ran to the end", False, f"{type(e).__name__}: {e}")
                        self.lines.append("     fake log:\n" + fake.log_text()[-2000:])
        except Exception as e:
            self.check("fake started", False, f"{type(e).__name__}: {e}")
        self.lines.append(f"info {self.name}: {time.monotonic() - t0:.1f} s")
        return self


def param(call, key):
    return call["params"].get(key)


def sets(calls):
    return [c for c in calls if c["action"] == "SetDesiredCapacity"]


def hhmm(t):
    return time.strftime("%H:%M:%S", time.gmtime(t))


def outcome_of(line):
    """The outcome part of a tick line, as live_ticks.outcome names it."""
    tail = line.rsplit(" | ", 1)[-1]
    for prefix, name in (("no change", "none"), ("dry run:", "dry-run"),
                         ("applied:", "applied"), ("rejected:", "rejected"),
                         ("failed:", "failed")):
        if tail.startswith(prefix):
            return name
    return None


def db_rows(path):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM live_ticks ORDER BY id")]
    finally:
        con.close()


def replay(policy, record, sets_=()):
    args = [SB, "policy", "eval", "--policy", policy]
    for s in sets_:
        args += ["--set", s]
    p = subprocess.run(args + [record], capture_output=True, text=True, timeout=30)
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines() if l.strip()], p.stderr


# ---- groups ---------------------------------------------------------------------

def timeline(g, policy, want_out):
    """MINUTES ticks with --apply through the outage; `want_out` is when the
    scale-out is due. Returns the ticks."""
    f = g.fake
    cfg = g.config("live.json", policy)
    db = os.path.join(g.home, "live.db")
    rec = os.path.join(g.home, "live.jsonl")
    ticks = []
    cooldown_until = None
    for _ in range(MINUTES):
        now, p, calls = g.tick(cfg, "--apply", "--db", db, "--record", rec)
        ticks.append((now, p, calls))
        if sets(calls) and cooldown_until is None:
            st = f.state(calls=False)["asg"]
            cooldown_until = st["cooldown_until_epoch"]
        f.advance(60)

    g.check("every tick exits 0", all(p.returncode == 0 for _, p, _ in ticks),
            [(hhmm(n), p.returncode, p.stderr) for n, p, _ in ticks if p.returncode])
    g.check("no tick reports an error on stderr", all(p.stderr == "" for _, p, _ in ticks),
            [(hhmm(n), p.stderr) for n, p, _ in ticks if p.stderr])
    g.check("one line per tick", all(len(p.stdout.splitlines()) == 1 for _, p, _ in ticks))
    # guarded reads interruption warnings and the config names no queue: each
    # --once run says so once; classic reads none and says nothing.
    g.check("the no-EventQueueUrl note: once a run for guarded, never for classic",
            g.notes == (len(ticks) if policy == "guarded" else 0), g.notes)

    set_calls = [(n, c) for n, _, calls in ticks for c in sets(calls)]
    if not g.check("SetDesiredCapacity was called", set_calls):
        return ticks
    t_out, out = set_calls[0]
    g.check(f"scale-out at {hhmm(want_out)}, not before", t_out == want_out,
            f"first SetDesiredCapacity at {hhmm(t_out)}")
    g.check("scale-out: DesiredCapacity=2 HonorCooldown=false, accepted",
            (param(out, "DesiredCapacity"), param(out, "HonorCooldown"), out["status"])
            == ("2", "false", 200), out)
    line = next(p.stdout for n, p, _ in ticks if n == t_out)
    g.check("scale-out line says applied", "| applied: DesiredCapacity=2 (HonorCooldown=false)"
            in line, line)
    g.check(f"cooldown until {hhmm(t_out + 720)} (InService after 120 s, then 600 s)",
            cooldown_until == t_out + 120 + 600, cooldown_until)

    ins = set_calls[1:]
    g.check("every later call is a scale-in to 0 with HonorCooldown=true",
            ins and all((param(c, "DesiredCapacity"), param(c, "HonorCooldown")) == ("0", "true")
                        for _, c in ins), [(hhmm(n), c["params"]) for n, c in ins])
    rejected = [(n, c) for n, c in ins if c["status"] != 200]
    accepted = [(n, c) for n, c in ins if c["status"] == 200]
    g.check("scale-in refused while the cooldown runs (several minutes)",
            len(rejected) >= 3 and all(n < cooldown_until for n, _ in rejected),
            [hhmm(n) for n, _ in rejected])
    g.check("every refusal is 400 ScalingActivityInProgress",
            all((c["status"], c["code"]) == (400, "ScalingActivityInProgress")
                for _, c in rejected), rejected[:2])
    refused = [p for n, p, _ in ticks if rejected and n == rejected[0][0]]
    g.check("a refused scale-in is a normal tick: exit 0, stdout only",
            refused and refused[0].returncode == 0 and refused[0].stderr == "" and
            "| rejected: ScalingActivityInProgress (cooldown) \u2014 will retry next tick"
            in refused[0].stdout, refused and (refused[0].returncode, refused[0].stdout,
                                               refused[0].stderr))
    g.check("scale-in accepted once, at the end of the cooldown",
            len(accepted) == 1 and accepted[0][0] == cooldown_until,
            [hhmm(n) for n, _ in accepted])
    g.check("the group is back at 0 at the end",
            g.fake.state(calls=False)["asg"]["DesiredCapacity"] == 0)
    g.check("no SetDesiredCapacity after the scale-in (no flapping)",
            accepted and set_calls[-1][1] is accepted[0][1])

    # --db: a row per tick, the line's outcome, the refusals' errors.
    rows = db_rows(db)
    g.check("--db: one row per tick, t = the simulated now",
            [r["t"] for r in rows] == [n for n, _, _ in ticks], [r["t"] for r in rows])
    g.check("--db: each row's outcome is the line's",
            [r["outcome"] for r in rows] == [outcome_of(p.stdout.strip()) for _, p, _ in ticks],
            [(r["outcome"], outcome_of(p.stdout.strip())) for r, (_, p, _) in zip(rows, ticks)])
    g.check("--db: applied = 1, policy, fleet and group on every row",
            all((r["applied"], r["policy"], r["fleet_request_id"], r["asg_name"]) ==
                (1, policy, SFR, ASG) for r in rows))
    g.check("--db: refusals keep AWS's code and message, other rows no error",
            all((r["error"] or "").startswith("autoscaling SetDesiredCapacity: "
                                              "ScalingActivityInProgress: ")
                if r["outcome"] == "rejected" else r["error"] is None for r in rows),
            [(r["outcome"], r["error"]) for r in rows if r["error"]][:3])
    with open(rec, encoding="utf-8") as fh:
        rec_lines = fh.read().splitlines()
    g.check("--db: the observation is the --record line",
            [r["observation"] for r in rows] == rec_lines)

    # --record replays to the same decisions (no cap applies: max_on_demand 10).
    sets_ = [f"{k}={v}" for k, v in (GUARDED_PARAMS if policy == "guarded" else {}).items()]
    rc, decs, err = replay(policy, rec, sets_)
    g.check("--record replays through policy eval", rc == 0 and len(decs) == len(rows), err)
    got = [(d["now"], d["action"], d.get("DesiredCapacity"), d.get("HonorCooldown"),
            d["reason"]) for d in decs]
    want = [(r["t"], r["action"], r["desired"],
             None if r["honor_cooldown"] is None else bool(r["honor_cooldown"]),
             r["reason"]) for r in rows]
    g.check("--record: the replayed decisions are the live ones", got == want,
            [(a, b) for a, b in zip(got, want) if a != b][:2])

    secrets = (ACCESS_KEY, SECRET_KEY, "wJalrXUtnFEMI")
    blobs = [p.stdout + p.stderr for _, p, _ in ticks] + rec_lines
    with open(db, "rb") as fh:
        blobs.append(fh.read().decode("latin-1"))
    g.check("no key or secret in lines, record or database",
            not any(s in b for s in secrets for b in blobs))
    return ticks


def g_timeline_guarded(g):
    # Minute 5's datapoint shows the loss from 12:06:30 (60 s + 30 s of
    # ingestion); guarded waits for a second one (confirm=2): 12:08.
    timeline(g, "guarded", START + 8 * 60)


def g_timeline_classic(g):
    # No ingestion delay (CLASSIC_SCENARIO): minute 5's datapoint is there at
    # 12:06, and classic acts on the first one.
    timeline(g, "classic", START + 6 * 60)


def g_dry_run(g):
    f = g.fake
    cfg = g.config("live.json")
    db = os.path.join(g.home, "dry.db")
    ticks = []
    for _ in range(MINUTES):
        ticks.append(g.tick(cfg, "--db", db))
        f.advance(60)
    g.check("every tick exits 0 with nothing on stderr",
            all(p.returncode == 0 and p.stderr == "" for _, p, _ in ticks))
    g.check("no SetDesiredCapacity call at all",
            not sets(f.calls()), [c["params"] for c in sets(f.calls())][:2])
    would = [n for n, p, _ in ticks
             if "| dry run: would set DesiredCapacity=2 (HonorCooldown=false)" in p.stdout]
    g.check("the lines say what would be set, from 12:08 while the loss lasts",
            would and would[0] == START + 8 * 60 and len(would) >= 5, [hhmm(n) for n in would])
    g.check("the group was never changed",
            f.state(calls=False)["asg"]["DesiredCapacity"] == 0)
    rows = db_rows(db)
    g.check("--db: dry-run rows with applied = 0",
            len(rows) == MINUTES and all(r["applied"] == 0 for r in rows) and
            [r["t"] for r in rows if r["outcome"] == "dry-run"] == would,
            [(r["t"], r["outcome"]) for r in rows])


# What a persistent fault leaves in the message, after the call's label.
FAULT_TEXT = {
    "throttle": "Throttling: Rate exceeded",
    "500": "InternalFailure: ",
    "slow": "timed out",
    "malformed": "malformed XML in the response",
    "expired-token": "ExpiredToken: The security token included in the request is expired",
    "drop": "Empty reply from server",
}
LABEL = {
    "GetMetricStatistics": "cloudwatch GetMetricStatistics TargetCapacity",
    "DescribeAutoScalingGroups": "autoscaling DescribeAutoScalingGroups",
}


def settle(g, kind, count):
    """The calls the fake logged, once every fault taken is among them: a slow
    call is logged only when the fake answers it, after the client gave up."""
    deadline = time.monotonic() + 5
    while True:
        st = g.fake.state()
        taken = count - sum(x["count"] for x in st["faults"] if x["kind"] == kind)
        logged = sum(1 for c in st["calls"] if c["fault"] == kind)
        if logged >= taken or time.monotonic() > deadline:
            return st["calls"]
        time.sleep(0.05)


def fault_case(g, action, kind, count, policy="guarded", apply=True, pass_first=0):
    """At 12:08, when guarded scales out from a clean state, with `count`
    faults of `kind` queued on `action` after `pass_first` requests that go
    through (a "slow" of 0 s): (process, calls, faulted calls)."""
    f = g.fake
    f.reset()
    f.advance(8 * 60)
    if pass_first:
        f.fault(action, "slow", count=pass_first, delay=0)
    f.fault(action, kind, count=count, delay=SLOW_DELAY)
    cfg = g.config(f"{policy}.json", policy)
    p = g.live(cfg, "--once", *(["--apply"] if apply else []))
    calls = settle(g, kind, count)
    return p, calls, [c for c in calls if c["action"] == action and c["fault"] == kind]


def faults(g, action):
    for kind in ("throttle", "500", "slow", "malformed", "expired-token", "drop"):
        what = f"{kind} on {action}"
        # Once: retried (except malformed), and the tick goes through.
        p, calls, hit = fault_case(g, action, kind, 1)
        # The faulted request: DescribeAutoScalingGroups, or the first
        # GetMetricStatistics (TargetCapacity).
        mine = [c for c in calls if c["action"] == action and
                c["params"].get("MetricName") in (None, "TargetCapacity")]
        if kind == "malformed":
            # Not retried, by design (docs/live.md, as the SDKs): a 200 whose
            # XML does not parse is final. The data is missing, so no action.
            g.check(f"{what} once: not retried, a failed fetch, no SetDesiredCapacity, exit 1",
                    p.returncode == 1 and len(hit) == 1 and not sets(calls) and
                    f"{LABEL[action]}: {FAULT_TEXT[kind]}" in p.stderr,
                    (p.returncode, len(hit), p.stdout, p.stderr))
        else:
            g.check(f"{what} once: sent again, the tick goes through (scale-out applied)",
                    p.returncode == 0 and len(hit) == 1 and len(mine) == 2 and
                    [c["status"] for c in mine if c["fault"] is None] == [200] and
                    p.stderr == "" and
                    [c["status"] for c in sets(calls)] == [200] and
                    "| applied: DesiredCapacity=2 (HonorCooldown=false)" in p.stdout,
                    (p.returncode, [(c["fault"], c["status"]) for c in mine], p.stdout,
                     p.stderr))
        # Persistent: twice max_attempts, because libcurl itself sends a request
        # again once when a kept-alive connection turns out dead (the drop
        # fault), so one attempt can take two faults.
        p, calls, hit = fault_case(g, action, kind, 6)
        n_att = 1 if kind == "malformed" else 3
        suffix = " (after 3 attempts)" if n_att > 1 else ""
        failed_part = "TargetCapacity=failed" if action == "GetMetricStatistics" \
            else "| ASG failed |"
        err_lines = [l for l in p.stderr.splitlines() if LABEL[action] in l]
        g.check(f"{what} persistent: {'no retry' if n_att == 1 else 'several calls'}, "
                f"a clear error, exit 1 (the tick could not observe)",
                p.returncode == 1 and len(hit) >= n_att and err_lines and
                FAULT_TEXT[kind] in err_lines[0] and err_lines[0].endswith(suffix) and
                failed_part in p.stdout,
                (p.returncode, len(hit), p.stdout, p.stderr))
        g.check(f"{what} persistent: no SetDesiredCapacity on partial data (guarded holds)",
                not sets(calls) and "| none: " in p.stdout and "holding" in p.stdout,
                (p.stdout, [c["params"] for c in sets(calls)]))


def g_faults_metrics(g):
    faults(g, "GetMetricStatistics")
    # PendingCapacity itself failing (TargetCapacity, fetched first, goes
    # through): the shortfall is there, but guarded does not act on a
    # failed fetch ...
    p, calls, hit = fault_case(g, "GetMetricStatistics", "500", 3, pass_first=1)
    g.check("PendingCapacity failing: guarded holds, nothing set, exit 1",
            p.returncode == 1 and len(hit) == 3 and not sets(calls) and
            "PendingCapacity=failed" in p.stdout and
            "| none: PendingCapacity fetch failed; holding | no change" in p.stdout,
            (p.stdout, p.stderr))
    # ... while classic falls back to 32 pending units, its documented quirk
    # (a dry run, so nothing is set).
    p, calls, hit = fault_case(g, "GetMetricStatistics", "500", 3, policy="classic",
                               apply=False, pass_first=1)
    g.check("PendingCapacity failing: classic falls back (dry run: would set 8), exit 1",
            p.returncode == 1 and not sets(calls) and
            "set DesiredCapacity=8 HonorCooldown=false: scale out: fallback 32 units" in p.stdout
            and "| dry run: would set DesiredCapacity=8" in p.stdout, p.stdout)


def g_faults_asg(g):
    faults(g, "DescribeAutoScalingGroups")
    # Every call failing: the tick saw nothing, --once exits 1.
    p, calls, hit = fault_case(g, "*", "500", 30)
    g.check("every call failing: exit 1, nothing set",
            p.returncode == 1 and not sets(calls) and
            "TargetCapacity=failed PendingCapacity=failed FulfilledCapacity=failed "
            "TerminatingCapacity=failed | fleet failed | ASG failed" in p.stdout,
            (p.returncode, p.stdout))
    # A malformed answer to SetDesiredCapacity: the fake applied it; spotbench
    # cannot know, says so, and exits 1; the next tick sees the group.
    p, calls, hit = fault_case(g, "SetDesiredCapacity", "malformed", 1)
    g.check("malformed SetDesiredCapacity answer: failed, 'may have been applied', exit 1",
            p.returncode == 1 and len(hit) == 1 and
            "| failed: autoscaling SetDesiredCapacity: " in p.stdout and
            "may have been applied" in p.stdout, (p.returncode, p.stdout))
    cfg = g.config("guarded.json")
    p = g.live(cfg, "--once", "--apply")
    g.check("... and the next tick sees it applied",
            p.returncode == 0 and "ASG desired=2" in p.stdout and "| no change" in p.stdout,
            p.stdout)


def g_db_locked(g):
    cfg = g.config("live.json")
    db = os.path.join(g.home, "live.db")
    p = g.live(cfg, "--once", "--db", db)
    g.check("a first tick creates the database", p.returncode == 0 and len(db_rows(db)) == 1,
            p.stderr)
    # Another writer holds the lock past spotbench's 5 s busy timeout.
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        t0 = time.monotonic()
        p = g.live(cfg, "--db", db, timeout=40)  # the loop: no --once
        took = time.monotonic() - t0
    finally:
        con.execute("ROLLBACK")
        con.close()
    g.check("a tick that cannot be stored stops the loop, exit 1",
            p.returncode == 1 and len(p.stdout.splitlines()) == 1 and
            "database is locked" in p.stderr and took < 20,
            (p.returncode, p.stdout, p.stderr, took))
    g.check("nothing half-stored", len(db_rows(db)) == 1)


SCENARIOS = {"timeline_classic": CLASSIC_SCENARIO}
GROUPS = {
    "timeline_guarded": g_timeline_guarded,
    "timeline_classic": g_timeline_classic,
    "dry_run": g_dry_run,
    "faults_metrics": g_faults_metrics,
    "faults_asg": g_faults_asg,
    "db_locked": g_db_locked,
}


def main():
    t0 = time.monotonic()
    if not os.access(SB, os.X_OK):
        print(f"FAIL setup: {SB} is not built (make, or set BUILD)")
        print("0 passed, 1 failed")
        return 1
    wanted = [a for a in sys.argv[1:] if not a.startswith("-")] or list(GROUPS)
    unknown = [w for w in wanted if w not in GROUPS]
    if unknown:
        print(f"unknown group(s) {unknown}; have {list(GROUPS)}", file=sys.stderr)
        return 2
    # The groups mostly wait (on the fake, on timeouts, on the locked
    # database), so they run side by side, one fake each.
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(wanted)) as ex:
        groups = list(ex.map(lambda n: Group(n, SCENARIOS.get(n, SCENARIO)).run(GROUPS[n]),
                             wanted))
    passed = failed = 0
    for grp in groups:
        for line in grp.lines:
            print(line)
        passed += grp.passed
        failed += grp.failed
    print(f"# {time.monotonic() - t0:.1f} s, {SB}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
