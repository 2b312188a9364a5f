#!/usr/bin/python3
"""test_fake_awscli.py: checks tests/aws/fake_aws.py against a real AWS client,
Debian's aws CLI (awscli 2.9, /usr/bin/aws, with its own bundled botocore).

For every call the fake serves, the CLI must sign a request the fake accepts
and parse the fake's XML into the expected values; a wrong key must be
refused; every fault kind must produce the CLI error or retry real AWS would.
Groups of checks run in parallel, each against its own fake (the CLI takes
about a second to start). Prints one line per check and, last,
"N passed, N failed"; exits 1 if any check failed.

    /usr/bin/python3 tests/aws/test_fake_awscli.py [-v] [GROUP...]
"""

import calendar
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fake_ctl import ACCESS_KEY, SECRET_KEY, FakeAws  # noqa: E402

AWS = "/usr/bin/aws"
SCENARIO = os.path.join(HERE, "scenarios", "outage.json")
LATE = os.path.join(HERE, "scenarios", "late_data.json")
with open(SCENARIO, encoding="utf-8") as _fh:
    _SC = json.load(_fh)
SFR = _SC["fleet"]["SpotFleetRequestId"]
ASG = _SC["asg"]["AutoScalingGroupName"]
START = 1488369600  # 2017-03-01T12:00:00Z, the scenario's start
VERBOSE = "-v" in sys.argv
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def cli_ts(t):
    """A timestamp as awscli 2 prints it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


class Group:
    """Checks against one fake; lines are kept and printed in order at the end."""

    def __init__(self, name, fake_kwargs=None):
        self.name = name
        self.fake_kwargs = fake_kwargs or {}
        self.lines = []
        self.passed = 0
        self.failed = 0
        self.home = None
        self.fake = None
        self.use_endpoint_arg = True
        self._sdk = {}

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            self.lines.append(f"ok   {self.name}: {what}")
        else:
            self.failed += 1
            self.lines.append(f"FAIL {self.name}: {what}" + (f"\n     {detail}" if detail else ""))
        return cond

    def aws(self, *args, env_extra=None, timeout=40, read_timeout=10):
        """Runs the CLI against the fake: (exit status, parsed JSON or None, stderr)."""
        env = self.fake.client_env(home=self.home)
        env["SPOTBENCH_NOW"] = "0"  # not used by the CLI
        if env_extra:
            env.update(env_extra)
        cmd = [AWS]
        if self.use_endpoint_arg:
            cmd += ["--endpoint-url", self.fake.endpoint]
        cmd += ["--output", "json", "--cli-connect-timeout", "5",
                "--cli-read-timeout", str(read_timeout)] + list(args)
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        out = None
        if p.stdout.strip():
            try:
                out = json.loads(p.stdout)
            except json.JSONDecodeError:
                out = None
        if VERBOSE:
            self.lines.append(f"     $ aws {' '.join(args)} -> {p.returncode} "
                              f"{p.stderr.strip()[:200]}")
        return p.returncode, out, p.stderr

    def sdk(self, service):
        """A client of Debian's python3-botocore 1.29 (not the CLI's bundled
        copy), in this process: for the checks of the fake's model, where
        starting the CLI (about 0.7 s of CPU) for each would make the test
        slow. No retries, so every answer is seen as sent."""
        from botocore.config import Config
        from botocore.session import Session
        if service not in self._sdk:
            self._sdk[service] = Session().create_client(
                service, region_name=self.fake.region, endpoint_url=self.fake.endpoint,
                aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                config=Config(retries={"max_attempts": 1, "mode": "standard"}))
        return self._sdk[service]

    def calls(self, action=None, since=0):
        return self.fake.calls(action, since=since)

    def wait_calls(self, action, n, since, timeout=8.0):
        """The fake records a slow call only when it answers: wait for n."""
        deadline = time.monotonic() + timeout
        while True:
            cs = self.calls(action, since)
            if len(cs) >= n or time.monotonic() > deadline:
                return cs
            time.sleep(0.1)

    def run(self, body):
        t0 = time.monotonic()
        try:
            self._run(body)
        finally:
            self.lines.append(f"info {self.name}: {time.monotonic() - t0:.1f} s")
        return self

    def _run(self, body):
        with tempfile.TemporaryDirectory(prefix="awscli-home.") as home:
            self.home = home
            try:
                with FakeAws(**self.fake_kwargs) as fake:
                    self.fake = fake
                    try:
                        body(self)
                    except Exception as e:  # a crash is a failed check, not a lost group
                        self.check("group ran to the end", False, f"{type(e).__name__}: {e}")
                        self.lines.append("     fake log:\n" + fake.log_text()[-2000:])
            except Exception as e:
                self.check("fake started", False, f"{type(e).__name__}: {e}")


def gms(g, metric, start, end, period=60, stats=("Maximum",), fleet=SFR, extra=()):
    return g.aws("cloudwatch", "get-metric-statistics", "--namespace", "AWS/EC2Spot",
                 "--metric-name", metric,
                 "--dimensions", f"Name=FleetRequestId,Value={fleet}",
                 "--start-time", start, "--end-time", end, "--period", str(period),
                 "--statistics", *stats, *extra)


def sdk_gms(g, metric, start, end, period=60, stats=("Maximum",), fleet=SFR, **kw):
    """GetMetricStatistics through the in-process botocore client: {epoch: value}
    of the first statistic, and the raw answer."""
    out = g.sdk("cloudwatch").get_metric_statistics(
        Namespace="AWS/EC2Spot", MetricName=metric,
        Dimensions=[{"Name": "FleetRequestId", "Value": fleet}],
        StartTime=start, EndTime=end, Period=period, Statistics=list(stats), **kw)
    return {int(d["Timestamp"].timestamp()): d[stats[0]] for d in out["Datapoints"]}, out


def sdk_asg(g, name=ASG):
    out = g.sdk("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    return (out["AutoScalingGroups"] or [{}])[0]


def points(out, stat="Maximum"):
    """{epoch: value} from the CLI's parsed GetMetricStatistics output."""
    res = {}
    for d in (out or {}).get("Datapoints", []):
        t = calendar.timegm(time.strptime(d["Timestamp"], "%Y-%m-%dT%H:%M:%S+00:00"))
        res[int(t)] = d.get(stat)
    return res


# ---- groups ---------------------------------------------------------------------

def g_endpoint(g):
    """Does awscli 2.9 honour AWS_ENDPOINT_URL? Asked of the CLI's own botocore
    (no request is sent anywhere), so the other groups know whether
    --endpoint-url is needed."""
    env = g.fake.client_env(home=g.home)
    code = ("import sys\n"
            "from awscli.botocore.session import Session\n"
            "c = Session().create_client('cloudwatch', region_name='us-east-1')\n"
            "print(c.meta.endpoint_url)\n")
    p = subprocess.run(["/usr/bin/python3", "-c", code], env=env, capture_output=True,
                       text=True, timeout=30)
    honoured = p.stdout.strip() == g.fake.endpoint
    g.lines.append(f"info {g.name}: awscli {'honours' if honoured else 'ignores'} "
                   f"AWS_ENDPOINT_URL (resolves to {p.stdout.strip() or p.stderr.strip()[:80]}); "
                   f"the checks pass --endpoint-url")
    g.check("the CLI's botocore resolved an endpoint", p.returncode == 0, p.stderr[-300:])


def g_cloudwatch(g):
    f = g.fake
    f.advance(600)  # 12:10:00; minute 9 (12:09) is visible from 12:10:30
    rc, out, err = gms(g, "PendingCapacity", "2017-03-01T11:55:30Z", "2017-03-01T12:10:00Z")
    g.check("get-metric-statistics succeeds", rc == 0, err)
    pts = points(out)
    want = {START + 60 * m: (8.0 if m >= 5 else 0.0) for m in range(-5, 9)}
    g.check("PendingCapacity: StartTime 11:55:30 rounds down to 11:55; datapoints "
            "11:55..12:08 visible at 12:10 (minute 12:09 not yet ingested)",
            pts == want, f"got {sorted((iso(k), v) for k, v in pts.items())}")
    g.check("Label is the metric name", (out or {}).get("Label") == "PendingCapacity", out)
    g.check("every datapoint has Unit Count",
            all(d.get("Unit") == "Count" for d in (out or {}).get("Datapoints", [])), out)
    ts = [d["Timestamp"] for d in (out or {}).get("Datapoints", [])]
    g.check("datapoints are not in chronological order (as CloudWatch says; "
            "DatapointOrder shuffled)", ts != sorted(ts) and len(ts) > 2, ts)
    rc, out, err = gms(g, "PendingCapacity", "2017-03-01T12:10:00Z", "2017-03-01T12:00:00Z")
    g.check("StartTime after EndTime: InvalidParameterValue",
            rc != 0 and "InvalidParameterValue" in err, err)
    rc, out, err = gms(g, "PendingCapacity", "2017-03-01T00:00:00Z", "2017-03-03T00:00:00Z")
    g.check("more than 1,440 datapoints: InvalidParameterCombination",
            rc != 0 and "InvalidParameterCombination" in err, err)
    cs = g.calls("GetMetricStatistics")
    p = cs[0]["params"] if cs else {}
    g.check("the call log has the form parameters the CLI sent",
            p.get("Namespace") == "AWS/EC2Spot" and p.get("Statistics.member.1") == "Maximum"
            and p.get("Dimensions.member.1.Name") == "FleetRequestId"
            and p.get("Dimensions.member.1.Value") == SFR and p.get("Period") == "60"
            and p.get("Version") == "2010-08-01" and cs[0]["service"] == "monitoring"
            and cs[0]["status"] == 200, p)

    # The model's details, through the in-process botocore client.
    t0, t1 = START, START + 900
    f.advance(29)  # 12:10:29
    pts, _ = sdk_gms(g, "PendingCapacity", t0, t1)
    g.check("ingestion delay: 12:09 still not visible at 12:10:29",
            START + 540 not in pts and len(pts) == 9, pts)
    f.advance(1)  # 12:10:30
    pts, _ = sdk_gms(g, "PendingCapacity", t0, t1)
    g.check("ingestion delay: 12:09 visible at 12:10:30 (Timestamp + 60 + 30 s)",
            pts.get(START + 540) == 8.0 and len(pts) == 10, pts)
    mx, out = sdk_gms(g, "FulfilledCapacity", START - 600, START + 600, period=300,
                      stats=("Maximum", "Minimum", "SampleCount", "Average"))
    mn = {int(d["Timestamp"].timestamp()): d["Minimum"] for d in out["Datapoints"]}
    cnt = {int(d["Timestamp"].timestamp()): d["SampleCount"] for d in out["Datapoints"]}
    g.check("Period 300 aggregates 5 one-minute datapoints: Maximum/Minimum/SampleCount",
            mx == {START - 600: 32.0, START - 300: 32.0, START: 32.0, START + 300: 24.0}
            and mn[START + 300] == 24.0 and cnt == {k: 5.0 for k in mx}, out)
    pts, _ = sdk_gms(g, "TargetCapacity", START, START + 600)
    g.check("TargetCapacity is 32 every minute", set(pts.values()) == {32.0} and len(pts) == 10,
            pts)
    pts, _ = sdk_gms(g, "TerminatingCapacity", START, START + 600)
    g.check("TerminatingCapacity is served (0 here)", set(pts.values()) == {0.0}, pts)
    pts, _ = sdk_gms(g, "PendingCapacity", START, START + 600,
                     fleet="sfr-00000000-0000-4000-8000-000000000000")
    g.check("another fleet's metric: empty Datapoints, no error", pts == {}, pts)
    pts, _ = sdk_gms(g, "PendingCapacity", START, START + 600, Unit="Percent")
    g.check("a Unit the data was not published with: empty Datapoints", pts == {}, pts)
    pts, _ = sdk_gms(g, "PendingCapacity", START + 299, START + 420)
    g.check("StartTime 12:04:59 rounds down to 12:04; EndTime 12:07 is exclusive",
            sorted(pts) == [START + 240, START + 300, START + 360], pts)


def g_late(g):
    """The untidy scenario: missing and late datapoints, TerminatingCapacity
    (in-process botocore client only)."""
    f = g.fake
    fleet = "sfr-0b7c3d2e-9a41-4f6b-8c5d-1e2f3a4b5c6d"
    f.advance(11 * 60)  # 12:11:00: minute 9 is due at 12:12:30 (150 s late)
    pts, out = sdk_gms(g, "PendingCapacity", START, START + 660, fleet=fleet)
    g.check("a Missing datapoint (minute 7) never appears; minute 9 (late) not yet; "
            "minute 8 (45 s delay) is there",
            START + 420 not in pts and START + 540 not in pts
            and pts.get(START + 480) == 8.0 and pts.get(START + 300) == 8.0, pts)
    ts = [d["Timestamp"] for d in out["Datapoints"]]
    g.check("DatapointOrder ascending", ts == sorted(ts) and len(ts) > 2, ts)
    pts, _ = sdk_gms(g, "TerminatingCapacity", START + 180, START + 360, fleet=fleet)
    g.check("TerminatingCapacity 8 at minute 4 only",
            pts == {START + 180: 0.0, START + 240: 8.0, START + 300: 0.0}, pts)
    f.advance(90)  # 12:12:30
    pts, _ = sdk_gms(g, "PendingCapacity", START + 540, START + 600, fleet=fleet)
    g.check("the late minute-9 datapoint appears at 12:12:30", pts == {START + 540: 8.0}, pts)
    grp = sdk_asg(g, "spotbench-od-late")
    g.check("the ASG starts with its DesiredCapacity (2) InService",
            grp.get("DesiredCapacity") == 2 and
            [i["LifecycleState"] for i in grp.get("Instances", [])] == ["InService"] * 2, grp)
    out = g.sdk("ec2").describe_spot_fleet_requests(SpotFleetRequestIds=[fleet])
    c = out["SpotFleetRequestConfigs"][0]
    g.check("at minute 12: FulfilledCapacity 24.0 of 32, pending_fulfillment",
            c["SpotFleetRequestConfig"]["FulfilledCapacity"] == 24.0
            and c["SpotFleetRequestConfig"]["TargetCapacity"] == 32
            and c["ActivityStatus"] == "pending_fulfillment", c)


def g_asg(g):
    f = g.fake
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups",
                         "--auto-scaling-group-names", ASG)
    grp = (out or {}).get("AutoScalingGroups", [{}])[0]
    g.check("describe-auto-scaling-groups parses the group",
            rc == 0 and grp.get("AutoScalingGroupName") == ASG and grp.get("MinSize") == 0
            and grp.get("MaxSize") == 20 and grp.get("DesiredCapacity") == 0
            and grp.get("DefaultCooldown") == 300 and grp.get("Instances") == []
            and grp.get("CreatedTime") == "2017-02-01T00:00:00+00:00", (rc, out, err))
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups",
                         "--auto-scaling-group-names", "no-such-group")
    g.check("an unknown group: an empty list, no error",
            rc == 0 and out == {"AutoScalingGroups": []}, (rc, out, err))

    f.advance(60)  # 12:01:00 = t0
    t0 = START + 60
    rc, out, err = g.aws("autoscaling", "set-desired-capacity", "--auto-scaling-group-name", ASG,
                         "--desired-capacity", "2", "--no-honor-cooldown")
    g.check("set-desired-capacity 2 --no-honor-cooldown succeeds", rc == 0, err)
    grp = sdk_asg(g)
    g.check("DesiredCapacity 2, two instances Pending",
            grp.get("DesiredCapacity") == 2 and
            [i["LifecycleState"] for i in grp.get("Instances", [])] == ["Pending"] * 2
            and all(i["InstanceId"].startswith("i-") and i["HealthStatus"] == "Healthy"
                    and i["InstanceType"] == "c3.xlarge" for i in grp["Instances"]), grp)
    rc, out, err = g.aws("autoscaling", "set-desired-capacity", "--auto-scaling-group-name", ASG,
                         "--desired-capacity", "1", "--honor-cooldown")
    g.check("--honor-cooldown during the launch: ScalingActivityInProgress",
            rc != 0 and "ScalingActivityInProgress" in err, err)

    f.advance(120)  # launch delay: InService at t0 + 120
    grp = sdk_asg(g)
    g.check("after the launch delay (120 s) both InService",
            [i["LifecycleState"] for i in grp.get("Instances", [])] == ["InService"] * 2, grp)
    st = f.state(calls=False)["asg"]
    g.check("cooldown runs DefaultCooldown (300 s) from the last InService",
            st["cooldown_until_epoch"] == t0 + 120 + 300, st)
    f.advance(299)
    rc, out, err = g.aws("autoscaling", "set-desired-capacity", "--auto-scaling-group-name", ASG,
                         "--desired-capacity", "1", "--honor-cooldown")
    g.check("--honor-cooldown 1 s before the cooldown ends: ScalingActivityInProgress",
            rc != 0 and "ScalingActivityInProgress" in err, err)
    f.advance(1)
    rc, out, err = g.aws("autoscaling", "set-desired-capacity", "--auto-scaling-group-name", ASG,
                         "--desired-capacity", "1", "--honor-cooldown")
    g.check("--honor-cooldown once the cooldown is over: accepted", rc == 0, err)
    st = f.state(calls=False)["asg"]
    g.check("scale-in: DesiredCapacity 1, one InService, a new cooldown from now",
            st["DesiredCapacity"] == 1 and st["InService"] == 1
            and st["cooldown_until_epoch"] == t0 + 420 + 300, st)
    rc, out, err = g.aws("autoscaling", "set-desired-capacity", "--auto-scaling-group-name", ASG,
                         "--desired-capacity", "3", "--no-honor-cooldown")
    g.check("--no-honor-cooldown overrides the cooldown", rc == 0, err)
    rc, out, err = g.aws("autoscaling", "set-desired-capacity", "--auto-scaling-group-name", ASG,
                         "--desired-capacity", "21")
    g.check("above MaxSize: ValidationError",
            rc != 0 and "ValidationError" in err and "above max value 20" in err, err)
    rc, out, err = g.aws("autoscaling", "set-desired-capacity", "--auto-scaling-group-name",
                         "no-such-group", "--desired-capacity", "1")
    g.check("an unknown group: ValidationError", rc != 0 and "ValidationError" in err, err)
    cs = g.calls("SetDesiredCapacity")
    g.check("the call log has HonorCooldown as sent (false, true, ...) and the outcomes",
            [c["params"].get("HonorCooldown") for c in cs[:4]] == ["false", "true", "true", "true"]
            and [c["code"] for c in cs[:4]] == [None, "ScalingActivityInProgress",
                                                 "ScalingActivityInProgress", None]
            and cs[0]["params"].get("DesiredCapacity") == "2"
            and cs[0]["now_epoch"] == t0, [(c["params"], c["code"]) for c in cs])


def g_ec2(g):
    f = g.fake
    f.advance(17 * 60)
    rc, out, err = g.aws("ec2", "describe-spot-fleet-requests", "--spot-fleet-request-ids", SFR)
    c = ((out or {}).get("SpotFleetRequestConfigs") or [{}])[0]
    cfg = c.get("SpotFleetRequestConfig", {})
    g.check("describe-spot-fleet-requests at minute 17: TargetCapacity 32, "
            "FulfilledCapacity 24.0, active, pending_fulfillment",
            rc == 0 and c.get("SpotFleetRequestId") == SFR
            and c.get("SpotFleetRequestState") == "active"
            and c.get("ActivityStatus") == "pending_fulfillment"
            and cfg.get("TargetCapacity") == 32 and cfg.get("FulfilledCapacity") == 24.0
            and cfg.get("AllocationStrategy") == "lowestPrice"
            and cfg.get("IamFleetRole", "").startswith("arn:aws:iam::")
            and cfg.get("LaunchSpecifications", [{}])[0].get("WeightedCapacity") == 4.0,
            (rc, out, err))
    f.advance(10 * 60)
    rc, out, err = g.aws("ec2", "describe-spot-fleet-requests")
    c = ((out or {}).get("SpotFleetRequestConfigs") or [{}])[0]
    g.check("no ids: every fleet; at minute 27 FulfilledCapacity 32.0, fulfilled",
            rc == 0 and c.get("SpotFleetRequestConfig", {}).get("FulfilledCapacity") == 32.0
            and c.get("ActivityStatus") == "fulfilled", (rc, out, err))
    rc, out, err = g.aws("ec2", "describe-spot-fleet-requests", "--spot-fleet-request-ids",
                         "sfr-00000000-0000-4000-8000-000000000000")
    g.check("an unknown id: InvalidSpotFleetRequestId.NotFound",
            rc != 0 and "InvalidSpotFleetRequestId.NotFound" in err, err)
    rc, out, err = g.aws("ec2", "describe-spot-fleet-requests", "--spot-fleet-request-ids", "sfr-1")
    g.check("a malformed id: InvalidSpotFleetRequestId.Malformed",
            rc != 0 and "InvalidSpotFleetRequestId.Malformed" in err, err)
    cs = g.calls("DescribeSpotFleetRequests")
    g.check("the call log: service ec2, SpotFleetRequestId.1, Version 2016-11-15",
            cs and cs[0]["service"] == "ec2" and cs[0]["params"].get("SpotFleetRequestId.1") == SFR
            and cs[0]["params"].get("Version") == "2016-11-15", cs[:1])


def g_auth(g):
    f = g.fake
    for svc_args, code in (
            (("autoscaling", "describe-auto-scaling-groups"), "SignatureDoesNotMatch"),
            (("cloudwatch", "get-metric-statistics", "--namespace", "AWS/EC2Spot",
              "--metric-name", "PendingCapacity", "--start-time", "2017-03-01T12:00:00Z",
              "--end-time", "2017-03-01T12:10:00Z", "--period", "60",
              "--statistics", "Maximum"), "SignatureDoesNotMatch"),
            (("ec2", "describe-spot-fleet-requests"), "SignatureDoesNotMatch")):
        n0 = f.ncalls()
        rc, out, err = g.aws(*svc_args, env_extra={"AWS_SECRET_ACCESS_KEY": "wrong" + SECRET_KEY})
        cs = g.calls(since=n0)
        g.check(f"wrong secret key ({svc_args[0]}): {code}, not retried",
                rc != 0 and f"({code})" in err and len(cs) == 1 and cs[0]["status"] == 403,
                (err[:300], cs))
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups",
                         env_extra={"AWS_ACCESS_KEY_ID": "AKIDUNKNOWN"})
    g.check("unknown access key (autoscaling): InvalidClientTokenId",
            rc != 0 and "(InvalidClientTokenId)" in err, err)
    rc, out, err = g.aws("ec2", "describe-spot-fleet-requests",
                         env_extra={"AWS_ACCESS_KEY_ID": "AKIDUNKNOWN"})
    g.check("unknown access key (ec2): AuthFailure", rc != 0 and "(AuthFailure)" in err, err)
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups",
                         env_extra={"AWS_DEFAULT_REGION": "us-west-2", "AWS_REGION": "us-west-2"})
    g.check("credential scope in another region: SignatureDoesNotMatch",
            rc != 0 and "(SignatureDoesNotMatch)" in err and "us-west-2" in err, err)
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups",
                         env_extra={"AWS_SESSION_TOKEN": "unexpected"})
    g.check("a session token the fake was not given: InvalidClientTokenId",
            rc != 0 and "(InvalidClientTokenId)" in err, err)

    # Raw HTTP, no CLI: unsigned, tampered, and GET with a signed query string.
    def raw(method, path, body=None, headers=None):
        req = urllib.request.Request(f.endpoint + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with NO_PROXY.open(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    form = "Action=DescribeAutoScalingGroups&Version=2011-01-01"
    st, body = raw("POST", "/", form.encode(),
                   {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    g.check("no Authorization: 403 MissingAuthenticationToken in the Query error shape",
            st == 403 and "<ErrorResponse" in body and "<Type>Sender</Type>" in body
            and "<Code>MissingAuthenticationToken</Code>" in body and "<RequestId>" in body, body)

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    creds = Credentials(ACCESS_KEY, SECRET_KEY)

    def signed(method, url, data, svc):
        r = AWSRequest(method=method, url=url, data=data,
                       headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
                       if data else {})
        SigV4Auth(creds, svc, "us-east-1").add_auth(r)
        return r

    r = signed("POST", f.endpoint + "/", form.encode(), "autoscaling")
    st, body = raw("POST", "/", form.encode(), dict(r.headers.items()))
    g.check("a request signed with botocore directly is accepted",
            st == 200 and "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling."
            "amazonaws.com/doc/2011-01-01/\">" in body, body[:300])
    st, body = raw("POST", "/", (form + "&MaxRecords=1").encode(), dict(r.headers.items()))
    g.check("the same signature on a changed body: SignatureDoesNotMatch with the "
            "canonical request in the message",
            st == 403 and "SignatureDoesNotMatch" in body and "Canonical String" in body, body[:300])
    q = ("Action=DescribeSpotFleetRequests&Version=2016-11-15&SpotFleetRequestId.1=" + SFR)
    r = signed("GET", f.endpoint + "/?" + q, None, "ec2")
    st, body = raw("GET", "/?" + q, None, dict(r.headers.items()))
    g.check("GET with the parameters in a signed query string is served",
            st == 200 and "<spotFleetRequestId>" + SFR in body
            and 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"' in body, body[:300])
    st, body = raw("GET", "/?" + q + "&X=1", None, dict(r.headers.items()))
    g.check("EC2 errors use <Response><Errors><Error>..<RequestID>",
            st == 403 and body.count("<Response><Errors><Error><Code>SignatureDoesNotMatch"
                                     "</Code>") == 1 and "<RequestID>" in body, body[:300])


def g_faults(g):
    f = g.fake
    f.advance(600)
    gms_args = ("PendingCapacity", "2017-03-01T12:00:00Z", "2017-03-01T12:10:00Z")

    def fault_case(what, action, kind, count, run, want_rc0, want_calls, want_codes,
                   err_has=None, delay=None, wait_for=None):
        n0 = f.ncalls()
        f.fault(action, kind, count=count, delay=delay)
        t = time.monotonic()
        rc, out, err = run()
        took = time.monotonic() - t
        cs = g.wait_calls(None, wait_for or want_calls, n0)
        codes = [c["code"] for c in cs]
        ok = ((rc == 0) == want_rc0 and len(cs) == want_calls and codes == want_codes
              and (err_has is None or err_has in err))
        g.check(what, ok, f"rc={rc} took={took:.1f}s calls={[(c['status'], c['code'], c['fault']) for c in cs]} "
                          f"err={err.strip()[:300]}")
        return took

    fault_case("throttle x1 (CloudWatch): 400 Throttling, the CLI retries and succeeds",
               "GetMetricStatistics", "throttle", 1, lambda: gms(g, *gms_args),
               True, 2, ["Throttling", None])
    fault_case("throttle x3 (Auto Scaling): the CLI gives up after 3 attempts with Throttling",
               "DescribeAutoScalingGroups", "throttle", 3,
               lambda: g.aws("autoscaling", "describe-auto-scaling-groups"),
               False, 3, ["Throttling"] * 3, err_has="(Throttling)")
    fault_case("throttle x1 (EC2): 503 RequestLimitExceeded, retried, succeeds",
               "DescribeSpotFleetRequests", "throttle", 1,
               lambda: g.aws("ec2", "describe-spot-fleet-requests"),
               True, 2, ["RequestLimitExceeded", None])
    fault_case("500 x1 (Auto Scaling): InternalFailure, retried, succeeds",
               "DescribeAutoScalingGroups", "500", 1,
               lambda: g.aws("autoscaling", "describe-auto-scaling-groups"),
               True, 2, ["InternalFailure", None])
    fault_case("500 x3 (EC2): the CLI gives up with InternalError",
               "DescribeSpotFleetRequests", "500", 3,
               lambda: g.aws("ec2", "describe-spot-fleet-requests"),
               False, 3, ["InternalError"] * 3, err_has="(InternalError)")
    fault_case("expired-token x1: ExpiredToken, not retried",
               "GetMetricStatistics", "expired-token", 1, lambda: gms(g, *gms_args),
               False, 1, ["ExpiredToken"], err_has="(ExpiredToken)")
    fault_case("'*' matches any action: throttle x1 hits the next call (EC2)",
               "*", "throttle", 1, lambda: g.aws("ec2", "describe-spot-fleet-requests"),
               True, 2, ["RequestLimitExceeded", None])


def g_faults2(g):
    f = g.fake
    f.advance(600)
    gms_args = ("PendingCapacity", "2017-03-01T12:00:00Z", "2017-03-01T12:10:00Z")

    n0 = f.ncalls()
    f.fault("GetMetricStatistics", "slow", delay=1.5)
    t = time.monotonic()
    rc, out, err = gms(g, *gms_args)
    took = time.monotonic() - t
    cs = g.calls(since=n0)
    g.check("slow (1.5 s) within the CLI's read timeout: answered normally, late",
            rc == 0 and len(points(out)) == 9 and took >= 1.5 and len(cs) == 1
            and cs[0]["fault"] == "slow", (rc, took, cs, err[:200]))

    n0 = f.ncalls()
    f.fault("DescribeAutoScalingGroups", "slow", delay=3)
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups", read_timeout=1)
    cs = g.wait_calls(None, 2, n0)
    g.check("slow (3 s) past a 1 s read timeout: the CLI times out, retries, succeeds",
            rc == 0 and len(cs) == 2 and sorted(str(c["fault"]) for c in cs) == ["None", "slow"],
            (rc, [(c["status"], c["fault"]) for c in cs], err[:300]))

    n0 = f.ncalls()
    f.fault("DescribeSpotFleetRequests", "malformed")
    rc, out, err = g.aws("ec2", "describe-spot-fleet-requests")
    cs = g.calls(since=n0)
    g.check("malformed (200, truncated XML): the CLI fails to parse it",
            rc != 0 and "parse" in err.lower() and len(cs) >= 1
            and cs[0]["fault"] == "malformed" and cs[0]["status"] == 200,
            (rc, [(c["status"], c["fault"]) for c in cs], err[:300]))
    g.lines.append(f"info {g.name}: awscli made {len(cs)} attempt(s) on a malformed answer")

    n0 = f.ncalls()
    f.fault("DescribeAutoScalingGroups", "drop")
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups")
    cs = g.calls(since=n0)
    g.check("drop (connection closed, no answer): the CLI retries and succeeds",
            rc == 0 and [c["fault"] for c in cs] == ["drop", None],
            (rc, [(c["status"], c["fault"]) for c in cs], err[:300]))

    n0 = f.ncalls()
    f.fault("SetDesiredCapacity", "malformed")
    rc, out, err = g.aws("autoscaling", "set-desired-capacity", "--auto-scaling-group-name", ASG,
                         "--desired-capacity", "2")
    st = f.state(calls=False)["asg"]
    g.check("malformed on SetDesiredCapacity: the change took effect, only the answer is "
            "damaged", rc != 0 and st["DesiredCapacity"] == 2, (rc, st, err[:200]))


def g_token(g):
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups")
    g.check("--session-token: a request carrying the token is served",
            rc == 0 and out["AutoScalingGroups"][0]["AutoScalingGroupName"] == ASG, err)
    env = {"AWS_SESSION_TOKEN": ""}
    rc, out, err = g.aws("autoscaling", "describe-auto-scaling-groups", env_extra=env)
    g.check("--session-token: a request without it: InvalidClientTokenId",
            rc != 0 and "(InvalidClientTokenId)" in err, err)
    rc, out, err = g.aws("ec2", "describe-spot-fleet-requests",
                         env_extra={"AWS_SESSION_TOKEN": "other"})
    g.check("--session-token: a wrong token (ec2): AuthFailure",
            rc != 0 and "(AuthFailure)" in err, err)


def g_expired(g):
    n0 = g.fake.ncalls()
    rc, out, err = g.aws("ec2", "describe-spot-fleet-requests")
    cs = g.calls(since=n0)
    g.check("--expired-token: every signed request gets 400 ExpiredToken",
            rc != 0 and "(ExpiredToken)" in err and [c["status"] for c in cs] == [400], (err, cs))


def g_control(g):
    f = g.fake
    st = f.state()
    g.check("state: now is the scenario start, no calls",
            st["now"] == "2017-03-01T12:00:00Z" and st["now_epoch"] == START and st["calls"] == [],
            st)
    g.check("client_env: SPOTBENCH_NOW is the simulated now",
            f.client_env()["SPOTBENCH_NOW"] == str(START))
    f.advance(125.5)
    g.check("advance moves simulated time by the seconds given", f.now() == START + 125, f.now())
    f.advance_to("2017-03-01T12:30:00Z")
    g.check("advance to an ISO time", f.now() == START + 1800, f.now())
    try:
        f.advance_to(START)
        back = True
    except Exception:
        back = False
    g.check("advance never goes back", not back)
    try:
        f.fault("GetMetricStatistics", "teapot")
        bad = True
    except Exception:
        bad = False
    g.check("an unknown fault kind is refused", not bad)
    f.fault("*", "throttle", count=2)
    g.check("pending faults are listed in the state",
            f.state()["faults"] == [{"action": "*", "kind": "throttle", "count": 2}])
    f.reset()  # (clears those faults)
    f.advance(60)
    g.sdk("autoscaling").set_desired_capacity(AutoScalingGroupName=ASG, DesiredCapacity=4)
    g.check("(a change to undo)", f.state()["asg"]["DesiredCapacity"] == 4)
    f.fault("*", "throttle", count=2)
    f.reset()
    st = f.state()
    g.check("reset: time, ASG, faults and calls back to the scenario's start",
            st["now_epoch"] == START and st["asg"]["DesiredCapacity"] == 0
            and st["faults"] == [] and st["calls"] == [], st)
    sc = dict(_SC)
    sc["asg"] = dict(_SC["asg"], DesiredCapacity=3, MaxSize=5)
    f.reset(sc)
    grp = sdk_asg(g)
    g.check("reset with a new scenario", grp.get("DesiredCapacity") == 3
            and grp.get("MaxSize") == 5 and len(grp.get("Instances", [])) == 3, grp)


GROUPS = [
    ("auth", g_auth, {"scenario": SCENARIO}),
    ("faults", g_faults, {"scenario": SCENARIO}),
    ("asg", g_asg, {"scenario": SCENARIO}),
    ("cloudwatch", g_cloudwatch, {"scenario": SCENARIO}),
    ("faults2", g_faults2, {"scenario": SCENARIO}),
    ("ec2", g_ec2, {"scenario": SCENARIO}),
    ("late", g_late, {"scenario": LATE}),
    ("control", g_control, {"scenario": SCENARIO}),
    ("token", g_token, {"scenario": SCENARIO, "session_token": "FQoGZXIvYXdzEXAMPLETOKEN"}),
    ("expired", g_expired, {"scenario": SCENARIO, "expired_token": True}),
    ("endpoint", g_endpoint, {"scenario": SCENARIO}),
]


def main():
    want = [a for a in sys.argv[1:] if not a.startswith("-")]
    for k in list(os.environ):  # nothing here may leave 127.0.0.1
        if k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            del os.environ[k]
    if not os.access(AWS, os.X_OK):
        print(f"{AWS} not found (Debian package awscli)")
        print("0 passed, 1 failed")
        return 1
    groups = [(n, fn, kw) for n, fn, kw in GROUPS if not want or n in want]
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        futs = [pool.submit(Group(n, kw).run, fn) for n, fn, kw in groups]
        done = [fu.result() for fu in futs]
    passed = sum(g.passed for g in done)
    failed = sum(g.failed for g in done)
    for g in done:
        for line in g.lines:
            print(line)
    print(f"# {time.monotonic() - t0:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
