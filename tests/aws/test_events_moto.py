#!/usr/bin/python3
"""test_events_moto.py: `spotbench live` reading interruption warnings as AWS
users receive them, against moto's server: an EventBridge rule on the default
bus (source aws.ec2, detail-type "EC2 Spot Instance Interruption Warning")
targeting an SQS queue, which `live --once` drains (EventQueueUrl).

The server, the re-exec under the python3 that has moto and the skip come
from test_live_moto.py. moto 5 delivers PutEvents to a rule's SQS target, so
the events here go the whole way: PutEvents -> rule -> queue -> ReceiveMessage.
(AWS itself rejects PutEvents with a source starting "aws."; only EC2 emits
those. moto accepts it, which is what lets this test put the warning on the
bus.) moto checks no queue policy: that events.amazonaws.com may send to the
queue is checked by cfn-lint and the template tests, not here.

The fleet: 32 units of c3.xlarge, WeightedCapacity 4 (moto starts 8
instances); metrics with no shortfall (PendingCapacity 0 for 15 minutes);
the group at 0 of 0..20; guarded with units_per_instance 4. By hand:

  - no warning: nothing to cover, "none";
  - one warning for one instance: 4 units under notice, ceil(4 / 4) = 1
    instance: "set DesiredCapacity=1 HonorCooldown=false";
  - two warnings for two instances: 8 units, 2 instances;
  - the same warning delivered twice (one event id): still 1 (2 would be
    the double count);
  - a warning received by a tick that fails is not deleted: the queue still
    holds it, and the next tick that works sees it (1).

    BUILD=build /usr/bin/python3 tests/aws/test_events_moto.py [-v]
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_live_moto as base  # noqa: E402

REGION = base.REGION
ASG = base.ASG
NOW = base.NOW
WARNING = "EC2 Spot Instance Interruption Warning"
VISIBILITY = 2  # the queue's VisibilityTimeout in this test, seconds


def run(c, home, url):
    ec2, autoscaling, cloudwatch, sqs, events = base.clients(
        url, "ec2", "autoscaling", "cloudwatch", "sqs", "events")
    sfr = base.request_fleet(ec2)
    inst = [i["InstanceId"] for i in
            ec2.describe_spot_fleet_instances(SpotFleetRequestId=sfr)["ActiveInstances"]]
    c.check("moto's fleet has instances to warn about", len(inst) >= 2, inst)
    base.od_group(autoscaling)
    data = base.fleet_metrics(sfr, range(NOW - 15 * 60, NOW, 60), lambda t: 0)
    for i in range(0, len(data), 20):
        cloudwatch.put_metric_data(Namespace="AWS/EC2Spot", MetricData=data[i:i + 20])

    queue = sqs.create_queue(QueueName="spotbench-events",
                             Attributes={"VisibilityTimeout": str(VISIBILITY)})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]

    def in_queue():
        a = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])[
            "Attributes"]
        return int(a["ApproximateNumberOfMessages"]) + \
            int(a["ApproximateNumberOfMessagesNotVisible"])

    def warn(instance):
        r = events.put_events(Entries=[{
            "Source": "aws.ec2", "DetailType": WARNING,
            "Detail": json.dumps({"instance-id": instance, "instance-action": "terminate"})}])
        return r["FailedEntryCount"] == 0

    def config(name, **extra):
        cfg = {"region": REGION, "FleetRequestId": sfr, "AutoScalingGroupName": ASG,
               "policy": "guarded", "params": {"units_per_instance": 4}, "max_on_demand": 10,
               "timeout": 5, "EventQueueUrl": queue}
        cfg.update(extra)
        cfg = {k: v for k, v in cfg.items() if v is not None}
        path = os.path.join(home, name)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(cfg, fh)
        return path

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy",
                                                             "all_proxy")}
    env.update({"HOME": home, "AWS_ACCESS_KEY_ID": base.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": base.SECRET_KEY, "AWS_REGION": REGION,
                "AWS_ENDPOINT_URL": url, "AWS_EC2_METADATA_DISABLED": "true",
                "SPOTBENCH_RETRY_SCALE": "0"})

    def live(cfg, *args):
        p = subprocess.run([base.SB, "live", "--config", cfg, "--once"] + list(args),
                           env=dict(env, SPOTBENCH_NOW=str(NOW)), capture_output=True,
                           text=True, timeout=20)
        if base.VERBOSE:
            print(f"     $ live {' '.join(args)} -> {p.returncode}\n"
                  f"       {p.stdout.strip()}\n       {p.stderr.strip()}")
        return p

    cfg = config("live.json")

    # Without the rule: the warning goes nowhere, the tick sees none.
    c.check("no rule: PutEvents accepted", warn(inst[0]))
    p = live(cfg)
    c.check("no rule: the queue is read, no warning, no change",
            p.returncode == 0 and p.stderr == "" and
            "| events: 0 warnings, 0 rebalance (0 repeated, 0 other) |" in p.stdout and
            "none: " in p.stdout and "| no change" in p.stdout, (p.stdout, p.stderr))

    # The rule the generated stack writes (deploy/deploy.c), targeting the queue.
    events.put_rule(Name="spotbench-interruption-warning", EventPattern=json.dumps(
        {"source": ["aws.ec2"], "detail-type": [WARNING]}))
    events.put_targets(Rule="spotbench-interruption-warning",
                       Targets=[{"Id": "queue", "Arn": queue_arn}])
    c.check("rule: PutEvents accepted", warn(inst[0]))
    c.check("rule: moto delivered the event to the queue", in_queue() == 1, in_queue())
    record = os.path.join(home, "record.jsonl")
    p = live(cfg, "--record", record)
    c.check("rule: the tick sees 1 warning, 4 units, and covers them: DesiredCapacity=1",
            p.returncode == 0 and p.stderr == "" and
            "| events: 1 warning, 0 rebalance (0 repeated, 0 other) |" in p.stdout and
            "set DesiredCapacity=1 HonorCooldown=false" in p.stdout and
            "warned 4)" in p.stdout, (p.stdout, p.stderr))
    c.check("rule: the message is deleted after the recorded tick", in_queue() == 0, in_queue())
    try:
        with open(record, encoding="utf-8") as fh:
            obs = json.loads(fh.readline())
    except (OSError, ValueError) as e:
        obs = {"error": str(e)}
    c.check("--record: the observation carries the warning as [received, units]",
            obs.get("events", {}).get("InterruptionWarnings") == [[NOW, 4]], obs)
    # The recorded tick replays with it: policy eval decides the same.
    p = subprocess.run([base.SB, "policy", "eval", "--policy", "guarded", "--set",
                        "units_per_instance=4", record], capture_output=True, text=True,
                       timeout=20)
    try:
        d = json.loads(p.stdout.splitlines()[0])
    except (IndexError, ValueError):
        d = {}
    c.check("--record: `policy eval` of the recorded line decides DesiredCapacity=1 again",
            p.returncode == 0 and d.get("DesiredCapacity") == 1, (p.stdout, p.stderr))

    # Two warnings, two instances: 8 units, 2 instances (what a double count
    # of one would look like).
    warn(inst[0])
    warn(inst[1])
    p = live(cfg)
    c.check("two instances warned: 8 units, DesiredCapacity=2",
            p.returncode == 0 and "| events: 2 warnings," in p.stdout and
            "set DesiredCapacity=2 HonorCooldown=false" in p.stdout, (p.stdout, p.stderr))

    # One event delivered twice (SQS delivers at least once): counted once.
    body = json.dumps({"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
                       "detail-type": WARNING, "source": "aws.ec2",
                       "account": "123456789012", "time": "2017-03-01T11:59:30Z",
                       "region": REGION, "resources": [],
                       "detail": {"instance-id": inst[0], "instance-action": "terminate"}})
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    p = live(cfg)
    c.check("a duplicate message: 1 warning, 1 repeated, DesiredCapacity=1 (not 2)",
            p.returncode == 0 and
            "| events: 1 warning, 0 rebalance (1 repeated, 0 other) |" in p.stdout and
            "set DesiredCapacity=1 HonorCooldown=false" in p.stdout, (p.stdout, p.stderr))
    c.check("a duplicate message: both deleted", in_queue() == 0, in_queue())

    # A failed tick (its group cannot be described) deletes nothing.
    warn(inst[0])
    p = live(config("nogroup.json", AutoScalingGroupName="no-such-group"))
    c.check("a failed tick: exit 1, it received the warning",
            p.returncode == 1 and "| events: 1 warning," in p.stdout, (p.stdout, p.stderr))
    c.check("a failed tick: the message is still in the queue", in_queue() == 1, in_queue())
    time.sleep(VISIBILITY + 0.5)
    p = live(cfg)
    c.check("after the visibility timeout the next tick sees it: DesiredCapacity=1",
            p.returncode == 0 and "| events: 1 warning," in p.stdout and
            "set DesiredCapacity=1 HonorCooldown=false" in p.stdout, (p.stdout, p.stderr))
    c.check("... and then it is deleted", in_queue() == 0, in_queue())

    # A message that is no event of the two kinds: counted as other, deleted.
    sqs.send_message(QueueUrl=queue, MessageBody="not an event")
    p = live(cfg)
    c.check("a message that is no event: 'other', no change",
            p.returncode == 0 and "(0 repeated, 1 other)" in p.stdout and
            "| no change" in p.stdout, (p.stdout, p.stderr))

    # A spot Auto Scaling group (SpotAutoScalingGroupName): the warned
    # instance's units from DescribeAutoScalingGroups (moto lists no
    # WeightedCapacity per instance: the type's override gives 4). The group
    # at 8 units is 2 instances of 4; its metrics show no shortfall. Both
    # warned: 8 units, 2 instances (at 1 unit each it would be 2 units, 1
    # instance). A warning for a Spot Fleet instance is no instance of the
    # group: "other", nothing to cover.
    ec2.create_launch_template(LaunchTemplateName="spotbench-lt", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "c4.xlarge"})
    spot = "spotbench-spot-group"
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=spot, MinSize=0, MaxSize=40, DesiredCapacity=8,
        AvailabilityZones=["us-east-1a"], CapacityRebalance=True,
        MixedInstancesPolicy={
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateName": "spotbench-lt",
                                                "Version": "$Latest"},
                "Overrides": [{"InstanceType": "c4.xlarge", "WeightedCapacity": "4"}]},
            "InstancesDistribution": {"OnDemandBaseCapacity": 0,
                                      "OnDemandPercentageAboveBaseCapacity": 0}})
    ginst = [i["InstanceId"] for i in autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=[spot])["AutoScalingGroups"][0]["Instances"]]
    gdata = []
    for t in range(NOW - 15 * 60, NOW, 60):
        for name, v in (("GroupDesiredCapacity", 8), ("GroupInServiceCapacity", 8),
                        ("GroupPendingCapacity", 0), ("GroupTerminatingCapacity", 0)):
            gdata.append({"MetricName": name, "Timestamp": base.ts(t), "Value": v,
                          "Unit": "None",
                          "Dimensions": [{"Name": "AutoScalingGroupName", "Value": spot}]})
    for i in range(0, len(gdata), 20):
        cloudwatch.put_metric_data(Namespace="AWS/AutoScaling", MetricData=gdata[i:i + 20])
    gcfg = config("group.json", FleetRequestId=None, SpotAutoScalingGroupName=spot)
    for i in ginst + [inst[0]]:
        warn(i)
    p = live(gcfg)
    c.check("spot group: its two instances warned, 4 units each: warned 8, "
            "DesiredCapacity=2; the fleet's instance is 'other'",
            p.returncode == 0 and len(ginst) == 2 and
            "| events: 2 warnings, 0 rebalance (0 repeated, 1 other) |" in p.stdout and
            "warned 8)" in p.stdout and
            "set DesiredCapacity=2 HonorCooldown=false" in p.stdout, (p.stdout, p.stderr))
    c.check("spot group: the three messages deleted", in_queue() == 0, in_queue())

    # Without EventQueueUrl: the note; the warning in the queue changes nothing.
    warn(inst[0])
    p = live(config("noqueue.json", EventQueueUrl=None))
    c.check("no EventQueueUrl: the note, no events on the line, no change",
            p.returncode == 0 and "names no EventQueueUrl" in p.stderr and
            "| events:" not in p.stdout and "| no change" in p.stdout, (p.stdout, p.stderr))
    c.check("no secret in any output", base.SECRET_KEY not in p.stdout + p.stderr)


def reexec_under_moto_python():
    """test_live_moto's re-exec, for this file."""
    if os.environ.get(base.REEXEC):
        return
    try:
        import moto  # noqa: F401
        import boto3  # noqa: F401
        return
    except ImportError:
        pass
    py = base.moto_python()
    if not py:
        print("SKIPPED: moto not importable (python3 -c 'import moto' failed)")
        sys.exit(0)
    os.environ[base.REEXEC] = py
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


def main():
    reexec_under_moto_python()
    t0 = time.monotonic()
    c = base.Checks()
    if not os.access(base.SB, os.X_OK):
        c.check(f"{base.SB} is built (make, or set BUILD)", False)
        print(f"{c.passed} passed, {c.failed} failed")
        return 1

    def on_signal(sig, frame):
        raise base.Interrupted("watchdog" if sig == signal.SIGALRM else f"signal {sig}")

    signal.signal(signal.SIGALRM, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.alarm(base.WATCHDOG + 5)
    proc = None
    with tempfile.TemporaryDirectory(prefix="events-moto.") as home:
        log_path = os.path.join(home, "moto.log")
        try:
            with open(log_path, "wb") as log:
                server_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
                proc, url = base.start_moto(log, server_env)
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
            base.stop(proc)
    c.check("the server is stopped", proc is None or proc.poll() is not None)
    print(f"# {time.monotonic() - t0:.1f} s, {base.SB}")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
