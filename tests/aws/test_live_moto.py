#!/usr/bin/python3
"""test_live_moto.py: `spotbench live` against moto's server (`python3 -m
moto.server`), a second, independent imitation of AWS next to
tests/aws/fake_aws.py.

moto is not a Debian package: it lives in the `python3` first on PATH (a
pyenv one here), not in /usr/bin/python3. `make test` starts this file with
/usr/bin/python3; it then checks `python3 -c "import moto"` and re-runs itself
under that python3, which also has boto3 for the setup. Without moto it prints
"SKIPPED: moto not importable" and exits 0.

What it does, in well under 30 s (a watchdog stops it at 25 s), always
killing the server it started:

  - starts `python3 -m moto.server -H 127.0.0.1 -p PORT` on a free port;
  - with boto3: RequestSpotFleet (32 units of c3.xlarge, weight 4), a launch
    configuration and an Auto Scaling group (0..20, DesiredCapacity 0), and
    AWS/EC2Spot datapoints by PutMetricData (dimension FleetRequestId) for
    the 15 minutes before NOW: PendingCapacity 8 (FulfilledCapacity 24) in
    the last three, 0 before;
  - runs `$BUILD/spotbench live --config CFG --once` with SPOTBENCH_NOW=NOW
    and AWS_ENDPOINT_URL at moto: a dry run changes nothing; --apply sets
    DesiredCapacity 2 with HonorCooldown=false (checked with boto3); the next
    tick sees 2 and does nothing; five minutes later, with the fleet whole
    again, guarded scales in to 0 honouring the cooldown;
  - a group that does not exist: the tick reports it and sets nothing;
  - a fleet without detailed monitoring: the tick's line says so.
  - the spot capacity as an Auto Scaling group with a MixedInstancesPolicy
    (SpotAutoScalingGroupName): AWS/AutoScaling datapoints by PutMetricData
    (dimension AutoScalingGroupName), GroupInServiceCapacity 8 units below
    GroupDesiredCapacity in the last three minutes: the tick derives
    PendingCapacity 8 and --apply sets the fallback group to 2.

What moto (5.x) does not do, so what this test cannot check (fake_aws.py
does): it verifies no signature (any key is accepted); it enforces no
cooldown (HonorCooldown=true is accepted at once, so the scale-in is applied
where AWS would answer ScalingActivityInProgress until the cooldown ends);
SetDesiredCapacity outside MinSize..MaxSize is accepted; datapoints are
visible the moment they are put (no ingestion delay) and PutMetricData
accepts the AWS/ namespace, which real CloudWatch reserves; instances are
InService at once; an unknown Spot Fleet id gives an empty list rather than
InvalidSpotFleetRequestId.NotFound. Some errors come back as an HTML "500
Internal Server Error" page instead of an AWS error document: an action moto
does not implement, SetDesiredCapacity on a group that does not exist, and
RequestSpotFleet without AllocationStrategy (hence it is given here).

    BUILD=build /usr/bin/python3 tests/aws/test_live_moto.py [-v]
"""

import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", "build")
SB = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD), "spotbench")
VERBOSE = "-v" in sys.argv
REEXEC = "SPOTBENCH_MOTO_TEST_PYTHON"

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
ASG = "spotbench-od"
NOW = 1488369600  # 2017-03-01T12:00:00Z: moto keeps datapoints of any age
WATCHDOG = 25     # seconds for the whole test


def moto_python():
    """The python3 on PATH when it can import moto, else None."""
    py = shutil.which("python3")
    if not py:
        return None
    try:
        ok = subprocess.run([py, "-c", "import moto"], capture_output=True,
                            timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return py if ok else None


def reexec_under_moto_python():
    """Runs this file again under the python3 that has moto, or skips."""
    if os.environ.get(REEXEC):
        return  # already there
    try:
        import moto  # noqa: F401
        import boto3  # noqa: F401
        return  # this python will do
    except ImportError:
        pass
    py = moto_python()
    if not py:
        print("SKIPPED: moto not importable (python3 -c 'import moto' failed)")
        sys.exit(0)
    os.environ[REEXEC] = py
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


class Interrupted(Exception):
    """The watchdog or a signal. Not an OSError (as TimeoutError is), so no
    `except OSError` on the way swallows it."""


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok   moto: {what}")
        else:
            self.failed += 1
            print(f"FAIL moto: {what}" + (f"\n     {str(detail)[:1500]}" if detail else ""))
        return cond


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """In the server's child process: SIGTERM when this test dies, even by
    SIGKILL, so no moto server outlives it (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def start_moto(log, env):
    """Starts moto's server; returns (process, endpoint). Retries another
    port when the one picked was taken meanwhile."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(3):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                 "-p", str(port)], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, env=env,
                                preexec_fn=_die_with_parent)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                opener.open(url + "/moto-api/", timeout=1).read()
                return proc, url
            except OSError:
                time.sleep(0.1)
        stop(proc)
    raise RuntimeError("moto.server did not start")


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def ts(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def fleet_metrics(sfr, minutes, pending):
    """PutMetricData entries for the fleet: one datapoint per metric for each
    minute start in `minutes`; pending(m) gives PendingCapacity."""
    out = []
    for t in minutes:
        p = pending(t)
        for name, v in (("TargetCapacity", 32), ("PendingCapacity", p),
                        ("FulfilledCapacity", 32 - p), ("TerminatingCapacity", 0)):
            out.append({"MetricName": name, "Timestamp": ts(t), "Value": v, "Unit": "Count",
                        "Dimensions": [{"Name": "FleetRequestId", "Value": sfr}]})
    return out


def only_note(stderr):
    """The config names no EventQueueUrl: guarded runs without events, and
    live says so once (tests/aws/test_events_moto.py reads a queue)."""
    lines = stderr.splitlines()
    return len(lines) == 1 and "names no EventQueueUrl" in lines[0]


def clients(url, *services):
    """boto3 clients of the services against moto at url, with the test's
    keys."""
    import boto3
    kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
              aws_secret_access_key=SECRET_KEY)
    return [boto3.client(s, **kw) for s in services]


def request_fleet(ec2, monitoring=True):
    """A Spot Fleet of c3.xlarge at 4 units each, TargetCapacity 32: its id.
    moto answers RequestSpotFleet without AllocationStrategy (or without
    SpotPrice) with an HTML 500 page."""
    spec = {"ImageId": "ami-12c6146b", "InstanceType": "c3.xlarge",
            "WeightedCapacity": 4.0, "SpotPrice": "0.05"}
    if monitoring:
        spec["Monitoring"] = {"Enabled": True}
    return ec2.request_spot_fleet(SpotFleetRequestConfig={
        "IamFleetRole": "arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role",
        "TargetCapacity": 32, "AllocationStrategy": "lowestPrice",
        "LaunchSpecifications": [spec],
    })["SpotFleetRequestId"]


def od_group(autoscaling, name=ASG, lc="spotbench-od-lc"):
    """The empty on-demand group `name` (MaxSize 20, DefaultCooldown 300) on
    a c3.xlarge launch configuration `lc`."""
    autoscaling.create_launch_configuration(LaunchConfigurationName=lc,
                                            ImageId="ami-12c6146b", InstanceType="c3.xlarge")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name, LaunchConfigurationName=lc, MinSize=0,
        MaxSize=20, DesiredCapacity=0, DefaultCooldown=300, AvailabilityZones=["us-east-1a"])


def run(c, home, url):
    ec2, autoscaling, cloudwatch = clients(url, "ec2", "autoscaling", "cloudwatch")
    sfr = request_fleet(ec2)
    od_group(autoscaling)
    # The shortfall: 8 units pending in the three minutes before NOW (guarded
    # wants two datapoints in a row), none before.
    data = fleet_metrics(sfr, range(NOW - 15 * 60, NOW, 60),
                         lambda t: 8 if t >= NOW - 3 * 60 else 0)
    for i in range(0, len(data), 20):  # PutMetricData takes 20 at a time (1000 today)
        cloudwatch.put_metric_data(Namespace="AWS/EC2Spot", MetricData=data[i:i + 20])

    def desired():
        g = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[ASG])
        return g["AutoScalingGroups"][0]["DesiredCapacity"]

    def config(name, **extra):
        cfg = {"region": REGION, "FleetRequestId": sfr, "AutoScalingGroupName": ASG,
               "policy": "guarded", "params": {"scale_in_delay": 120}, "max_on_demand": 10,
               "timeout": 5}
        cfg.update(extra)
        path = os.path.join(home, name)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(cfg, fh)
        return path

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy",
                                                             "all_proxy")}
    env.update({"HOME": home, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
                "AWS_ENDPOINT_URL": url, "AWS_EC2_METADATA_DISABLED": "true",
                "SPOTBENCH_RETRY_SCALE": "0"})

    def live(cfg, now, *args):
        p = subprocess.run([SB, "live", "--config", cfg, "--once"] + list(args),
                           env=dict(env, SPOTBENCH_NOW=str(now)), capture_output=True,
                           text=True, timeout=20)
        if VERBOSE:
            print(f"     $ live {' '.join(args)} at {now} -> {p.returncode}\n"
                  f"       {p.stdout.strip()}\n       {p.stderr.strip()}")
        return p

    cfg = config("live.json")
    p = live(cfg, NOW)
    c.check("dry run: the shortfall read from moto's CloudWatch, fleet and group described",
            p.returncode == 0 and only_note(p.stderr) and
            "TargetCapacity=32 PendingCapacity=8 FulfilledCapacity=24 TerminatingCapacity=0 "
            "| fleet active target 32 | ASG desired=0 in-service=0 | "
            "set DesiredCapacity=2 HonorCooldown=false" in p.stdout, (p.stdout, p.stderr))
    c.check("dry run: would set, and the group is unchanged",
            "| dry run: would set DesiredCapacity=2 (HonorCooldown=false)" in p.stdout and
            desired() == 0)

    p = live(cfg, NOW, "--apply")
    c.check("--apply: SetDesiredCapacity 2 (HonorCooldown=false) applied",
            p.returncode == 0 and only_note(p.stderr) and
            "| applied: DesiredCapacity=2 (HonorCooldown=false)" in p.stdout,
            (p.stdout, p.stderr))
    c.check("--apply: moto's group has DesiredCapacity 2", desired() == 2, desired())

    p = live(cfg, NOW, "--apply")
    c.check("the next tick sees the group at 2 and does nothing",
            p.returncode == 0 and "| ASG desired=2 " in p.stdout and "| no change" in p.stdout,
            p.stdout)

    # The fleet whole again from NOW on; five minutes later guarded scales in
    # (no shortfall for scale_in_delay = 120 s), honouring the cooldown.
    later = NOW + 5 * 60
    data = fleet_metrics(sfr, range(NOW, later, 60), lambda t: 0)
    for i in range(0, len(data), 20):
        cloudwatch.put_metric_data(Namespace="AWS/EC2Spot", MetricData=data[i:i + 20])
    p = live(cfg, later, "--apply")
    # moto enforces no cooldown: the refusal AWS would give (and fake_aws.py
    # gives) cannot happen here, so either outcome is accepted.
    applied = "| applied: DesiredCapacity=0 (HonorCooldown=true)" in p.stdout
    refused = "| rejected: ScalingActivityInProgress" in p.stdout
    c.check("five minutes later: scale-in to 0 with HonorCooldown=true, exit 0",
            p.returncode == 0 and "set DesiredCapacity=0 HonorCooldown=true" in p.stdout and
            (applied or refused), (p.stdout, p.stderr))
    print(f"info moto: the scale-in was {'applied (moto has no cooldown)' if applied else 'refused'}")
    c.check("... and moto's group follows", desired() == (0 if applied else 2), desired())

    # A group that does not exist: DescribeAutoScalingGroups answers an empty
    # list; the tick says so and sets nothing.
    p = live(config("nogroup.json", AutoScalingGroupName="no-such-group"), NOW, "--apply")
    c.check("an unknown group: reported, no action, exit 1 (the tick could not observe it)",
            p.returncode == 1 and "| ASG failed |" in p.stdout and "| no change" in p.stdout and
            "no-such-group" in p.stderr, (p.stdout, p.stderr))

    # A fleet whose launch specification lacks detailed monitoring (EC2's
    # default): every tick says so beside the fleet, as AWS recommends it
    # for the fleet's metrics. The fleet above enables it: nothing said.
    basic = request_fleet(ec2, monitoring=False)
    p = live(config("basic.json", FleetRequestId=basic), NOW)
    c.check("detailed monitoring off: reported on the tick's line",
            "| fleet active target 32, detailed monitoring off in 1 of 1 launch "
            "specifications |" in p.stdout, (p.stdout, p.stderr))
    p = live(cfg, NOW)
    c.check("detailed monitoring on: nothing said",
            "| fleet active target 32 |" in p.stdout and "monitoring" not in p.stdout,
            (p.stdout, p.stderr))

    # Nothing the tick printed holds the secret key.
    c.check("no secret in any output", SECRET_KEY not in p.stdout + p.stderr)

    run_group(c, home, url, env)


def spot_group(ec2, autoscaling, cloudwatch, spot, od, prefix):
    """A spot group with a MixedInstancesPolicy (8 units desired, two 4-unit
    overrides), an empty fallback group `od`, and the spot group's
    AWS/AutoScaling metrics of the last 15 minutes: 32 units desired, 8 of
    them not in service in the last three."""
    ec2.create_launch_template(LaunchTemplateName=prefix + "-lt", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "c4.xlarge"})
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=spot, MinSize=0, MaxSize=40, DesiredCapacity=8,
        AvailabilityZones=["us-east-1a"], CapacityRebalance=True,
        MixedInstancesPolicy={
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateName": prefix + "-lt",
                                                "Version": "$Latest"},
                "Overrides": [{"InstanceType": "c4.xlarge", "WeightedCapacity": "4"},
                              {"InstanceType": "m4.xlarge", "WeightedCapacity": "4"}]},
            "InstancesDistribution": {"OnDemandBaseCapacity": 0,
                                      "OnDemandPercentageAboveBaseCapacity": 0,
                                      "SpotAllocationStrategy": "price-capacity-optimized"}})
    od_group(autoscaling, od, prefix + "-od-lc")
    data = []
    for t in range(NOW - 15 * 60, NOW, 60):
        short = 8 if t >= NOW - 3 * 60 else 0
        for name, v in (("GroupDesiredCapacity", 32), ("GroupInServiceCapacity", 32 - short),
                        ("GroupPendingCapacity", 0), ("GroupTerminatingCapacity", 0)):
            data.append({"MetricName": name, "Timestamp": ts(t), "Value": v, "Unit": "None",
                         "Dimensions": [{"Name": "AutoScalingGroupName", "Value": spot}]})
    for i in range(0, len(data), 20):
        cloudwatch.put_metric_data(Namespace="AWS/AutoScaling", MetricData=data[i:i + 20])


def run_group(c, home, url, env):
    """The spot capacity as an Auto Scaling group with a MixedInstancesPolicy
    (SpotAutoScalingGroupName): its AWS/AutoScaling metrics read as the
    kind-neutral view, PendingCapacity derived as GroupDesiredCapacity -
    GroupInServiceCapacity (8 units in the last three minutes), the
    fallback group set to 2 instances of 4 units."""
    import boto3
    kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
              aws_secret_access_key=SECRET_KEY)
    ec2 = boto3.client("ec2", **kw)
    autoscaling = boto3.client("autoscaling", **kw)
    cloudwatch = boto3.client("cloudwatch", **kw)
    spot, od = "spotbench-spot-group", "spotbench-od-2"
    spot_group(ec2, autoscaling, cloudwatch, spot, od, "spotbench")
    cfg = {"region": REGION, "SpotAutoScalingGroupName": spot, "AutoScalingGroupName": od,
           "policy": "guarded", "params": {"scale_in_delay": 120}, "max_on_demand": 10,
           "timeout": 5}
    path = os.path.join(home, "group.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(cfg, fh)

    def live(*args):
        p = subprocess.run([SB, "live", "--config", path, "--once"] + list(args),
                           env=dict(env, SPOTBENCH_NOW=str(NOW)), capture_output=True,
                           text=True, timeout=20)
        if VERBOSE:
            print(f"     $ live (group) {' '.join(args)} -> {p.returncode}\n"
                  f"       {p.stdout.strip()}\n       {p.stderr.strip()}")
        return p

    p = live()
    c.check("spot group: the shortfall read from AWS/AutoScaling, pending derived, dry run",
            p.returncode == 0 and only_note(p.stderr) and
            "TargetCapacity=32 PendingCapacity=8 FulfilledCapacity=24 TerminatingCapacity=0 "
            "| spot group desired 8 | ASG desired=0 in-service=0 | "
            "set DesiredCapacity=2 HonorCooldown=false" in p.stdout, (p.stdout, p.stderr))
    p = live("--apply")

    def desired(name):
        g = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
        return g["AutoScalingGroups"][0]["DesiredCapacity"]
    c.check("spot group: --apply sets the fallback group to 2, the spot group untouched",
            p.returncode == 0 and "| applied: DesiredCapacity=2 (HonorCooldown=false)" in
            p.stdout and desired(od) == 2 and desired(spot) == 8,
            (p.stdout, p.stderr, desired(od), desired(spot)))
    c.check("spot group: no secret in any output", SECRET_KEY not in p.stdout + p.stderr)

    # A policy reading failed launches: each tick lists the spot group's
    # scaling activities (DescribeScalingActivities). moto records none
    # that failed: the observation carries an empty list (a source, no
    # failure), and guarded decides as without the parameter.
    cfg_lf = dict(cfg, params={"scale_in_delay": 120, "use_launch_failures": 1})
    path_lf = os.path.join(home, "group-lf.json")
    with open(path_lf, "w", encoding="utf-8") as fh:
        json.dump(cfg_lf, fh)
    p = subprocess.run([SB, "live", "--config", path_lf, "--once", "--json"],
                       env=dict(env, SPOTBENCH_NOW=str(NOW)), capture_output=True, text=True,
                       timeout=20)
    try:
        tick = json.loads(p.stdout.strip().splitlines()[-1])
        obs = tick["observation"]
    except (ValueError, IndexError, KeyError, TypeError):
        tick, obs = None, {}
    c.check("spot group: DescribeScalingActivities read each tick, none failed in moto",
            p.returncode == 0 and obs.get("launch_failures") == [] and
            "a spot launch failed" not in p.stdout, (p.stdout, p.stderr))
    p = live()
    c.check("spot group: without the parameter no activity is read",
            p.returncode == 0 and "failed spot launches" not in p.stdout, (p.stdout, p.stderr))
    p = subprocess.run([SB, "live", "--config", path_lf, "--once"],
                       env=dict(env, SPOTBENCH_NOW=str(NOW)), capture_output=True, text=True,
                       timeout=20)
    c.check("spot group: the tick line counts the failed launches read",
            p.returncode == 0 and "| failed spot launches: 0 |" in p.stdout,
            (p.stdout, p.stderr))


def main():
    reexec_under_moto_python()
    t0 = time.monotonic()
    c = Checks()
    if not os.access(SB, os.X_OK):
        c.check(f"{SB} is built (make, or set BUILD)", False)
        print(f"{c.passed} passed, {c.failed} failed")
        return 1

    def on_signal(sig, frame):
        raise Interrupted("watchdog: over %d s" % WATCHDOG if sig == signal.SIGALRM
                          else f"stopped by signal {sig}")

    # The watchdog and any termination raise here, so the finally below
    # always stops the server.
    signal.signal(signal.SIGALRM, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.alarm(WATCHDOG)
    proc = None
    with tempfile.TemporaryDirectory(prefix="live-moto.") as home:
        log_path = os.path.join(home, "moto.log")
        try:
            with open(log_path, "wb") as log:
                server_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
                proc, url = start_moto(log, server_env)
                print(f"info moto: {sys.executable}, server up in {time.monotonic() - t0:.1f} s")
                run(c, home, url)
        except Exception as e:  # a crash is a failed check
            c.check("ran to the end", False, f"{type(e).__name__}: {e}")
            try:
                with open(log_path, "rb") as fh:
                    print("     moto log:\n" + fh.read().decode(errors="replace")[-2000:])
            except OSError:
                pass
        finally:
            signal.alarm(0)
            stop(proc)
    c.check("the server is stopped", proc is None or proc.poll() is not None)
    print(f"# {time.monotonic() - t0:.1f} s, {SB}")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
