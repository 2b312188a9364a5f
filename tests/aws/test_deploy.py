#!/usr/bin/python3
"""test_deploy.py: `spotbench deploy cloudformation` and `deploy
live-config`, checked three ways:

  - the templates themselves: the fields taken from the scenario as
    simulated (TargetCapacity, each LaunchSpecification's InstanceType,
    WeightedCapacity and SpotPrice, the group's sizes and Cooldown, the
    EventBridge Input = the live configuration with the tuned parameters),
    the warnings naming fields AWS cannot express, and `cfn-lint` on each
    ("SKIPPED: cfn-lint ..." when it is not installed);
  - each template created as a stack in moto's server mode (the AWS
    emulator; "SKIPPED: moto ..." without it), and then every resource it
    says it created looked up through its own service's API with the
    values it must have: moto skips some resource types silently (a stack
    can be CREATE_COMPLETE with resources missing), so the status alone
    proves nothing. Types moto does not create are listed as NOT COVERED
    (tests/run.sh: a limit of the emulator, not of the machine);
  - moto's IAM enforcement switched on (/moto-api/reset-auth, through
    tests/aws/moto_server_arn.py, which gives Auto Scaling calls their
    group's ARN as moto lacks it): with the controller role's credentials
    (sts:AssumeRole), `spotbench live --apply` on the stack's own live
    configuration makes every call it makes (4 GetMetricStatistics,
    DescribeAutoScalingGroups, DescribeSpotFleetRequests,
    SetDesiredCapacity) without a denial, and SetDesiredCapacity on another
    group is denied, reported as AccessDenied (the error moto answers); a
    dry-run stack's role (no --apply) is denied SetDesiredCapacity even on
    its own group, its reads allowed.

    BUILD=build /usr/bin/python3 tests/aws/test_deploy.py [-v]
"""

import ast
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", "build")
SB = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD), "spotbench")
VERBOSE = "-v" in sys.argv
REEXEC = "SPOTBENCH_DEPLOY_TEST_PYTHON"
SEED = os.path.join(ROOT, "traces", "scenarios", "seed-week", "scenario.json")
REGION = "us-east-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
NOW = 1488369600
WATCHDOG = 150

# Resource types moto 5 accepts in a template but does not create: their
# absence is reported, not failed.
MOTO_SKIPS = {"AWS::Lambda::EventInvokeConfig", "AWS::Lambda::Permission",
              "AWS::CloudWatch::Alarm"}

sys.path.insert(0, HERE)
from awstest import Checks, reexec_for_moto  # noqa: E402


def sb(*args, env=None):
    p = subprocess.run([SB] + list(args), capture_output=True, text=True, timeout=60, env=env)
    if VERBOSE:
        print(f"     $ spotbench {' '.join(args)} -> {p.returncode}\n       "
              + (p.stdout + p.stderr).strip().replace("\n", "\n       "))
    return p


def scenario_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def check_templates(c, tmp):
    """Builds the templates; checks their content against the scenario
    file read here. Returns {name: (path, params)}."""
    sc = scenario_json(SEED)
    out = {}
    a = os.path.join(tmp, "a.json")
    p = sb("deploy", "cloudformation", SEED, "--spot-fleet", "-o", a)
    c.check("seed-week: template written, exit 0", p.returncode == 0 and os.path.exists(a),
            p.stderr)
    c.check("seed-week --spot-fleet: AWS's notice on Spot Fleet is a warning",
            ": fleet.kind: AWS: \"We strongly discourage using Spot Fleet because it uses a "
            "legacy API with no planned investment\"" in p.stderr, p.stderr)
    c.check("seed-week: per-hour billing is a warning naming the field",
            "warning: " in p.stderr and ": billing: " in p.stderr, p.stderr)
    t = json.load(open(a))
    r = t["Resources"]
    fleet = r["SpotFleet"]["Properties"]["SpotFleetRequestConfigData"]
    specs = fleet["LaunchSpecifications"]
    want = [(s["InstanceType"], s["AvailabilityZone"], float(s["WeightedCapacity"]),
             float(s["SpotPrice"])) for s in sc["fleet"]["LaunchSpecifications"]]
    azp = {az: "Subnet" + "".join(w[:1].upper() + w[1:] for w in az.split("-"))
           for _, az, _, _ in want}
    got = [(s["InstanceType"], next(az for az, name in azp.items()
                                    if s["SubnetId"] == {"Ref": name}),
            float(s["WeightedCapacity"]), float(s["SpotPrice"])) for s in specs]
    c.check("seed-week: LaunchSpecifications = the scenario's pools (type, AZ subnet, "
            "WeightedCapacity, SpotPrice per unit-hour)", got == want, (got, want))
    c.check("seed-week: every launch specification enables detailed monitoring",
            len(specs) == 4 and all(s.get("Monitoring") == {"Enabled": True} for s in specs),
            [s.get("Monitoring") for s in specs])
    c.check("seed-week: TargetCapacity, AllocationStrategy as simulated",
            fleet["TargetCapacity"] == sc["fleet"]["TargetCapacity"] and
            fleet["AllocationStrategy"] == sc["fleet"]["AllocationStrategy"], fleet)
    g = r["OnDemandGroup"]["Properties"]
    c.check("seed-week: the group's MinSize/MaxSize/DesiredCapacity and Cooldown = "
            "asg.DefaultCooldown",
            (g["MinSize"], g["MaxSize"], g["DesiredCapacity"], g["Cooldown"]) ==
            tuple(str(sc["asg"][k]) for k in ("MinSize", "MaxSize", "DesiredCapacity",
                                              "DefaultCooldown")), g)
    fn = r["Controller"]["Properties"]
    # classic reads `window` (default 60 s here) -> 7 calls x 3 x 20 s + backoff.
    c.check("seed-week: the function: provided.al2023, ReservedConcurrentExecutions 1, "
            "a Timeout above the worst tick (7 x 3 x 20 s)",
            fn["Runtime"] == "provided.al2023" and fn["ReservedConcurrentExecutions"] == 1 and
            420 < fn["Timeout"] <= 900, fn)
    inv = r["ControllerInvokeConfig"]["Properties"]
    c.check("seed-week: EventInvokeConfig MaximumRetryAttempts 0, MaximumEventAgeInSeconds 60",
            inv["MaximumRetryAttempts"] == 0 and inv["MaximumEventAgeInSeconds"] == 60, inv)
    al = r["ControllerErrorsAlarm"]["Properties"]
    c.check("seed-week: an alarm on the function's Errors (any in 5 minutes) to a topic "
            "the stack outputs",
            al["Namespace"] == "AWS/Lambda" and al["MetricName"] == "Errors" and
            al["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "Controller"}}] and
            al["Statistic"] == "Sum" and al["Threshold"] == 0 and
            al["ComparisonOperator"] == "GreaterThanThreshold" and
            al["AlarmActions"] == [{"Ref": "ControllerErrorsTopic"}] and
            r["ControllerErrorsTopic"]["Type"] == "AWS::SNS::Topic" and
            t["Outputs"]["ControllerErrorsTopic"]["Value"] == {"Ref": "ControllerErrorsTopic"},
            al)
    rule = r["Schedule"]["Properties"]
    live = json.loads(rule["Targets"][0]["Input"]["Fn::Sub"])
    c.check("seed-week: rate(1 minute); the Input is the live configuration "
            "(classic, its defaults, ids substituted from the stack)",
            rule["ScheduleExpression"] == "rate(1 minute)" and live["policy"] == "classic" and
            live["FleetRequestId"] == "${SpotFleet}" and
            live["AutoScalingGroupName"] == "${OnDemandGroup}" and
            live["max_on_demand"] == sc["asg"]["MaxSize"], live)
    stmts = r["ControllerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = sorted(a for s in stmts for a in s["Action"])
    c.check("seed-week (a dry run): the role allows exactly the calls a dry run makes, "
            "plus its logs: no SetDesiredCapacity",
            actions == sorted(["cloudwatch:GetMetricStatistics",
                               "autoscaling:DescribeAutoScalingGroups",
                               "ec2:DescribeSpotFleetRequests",
                               "logs:CreateLogStream", "logs:PutLogEvents"]), actions)
    ecs = t["Parameters"]["EcsCluster"]
    ud = r["OnDemandLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]
    c.check("seed-week: EcsCluster held to ECS's names and single-quoted in the root "
            "UserData script",
            ecs.get("AllowedPattern") == "^[A-Za-z0-9_-]{1,255}$" and
            "echo 'ECS_CLUSTER=${EcsCluster}' >> " in ud["Fn::Base64"]["Fn::Sub"], (ecs, ud))
    c.check("seed-week: no alarm path unless asked",
            "PendingAlarm" not in r and "PendingTopic" not in r)
    out["seed-week"] = (a, None)

    # The same with --apply: SetDesiredCapacity, on the group only.
    ap = os.path.join(tmp, "apply.json")
    p = sb("deploy", "cloudformation", SEED, "--spot-fleet", "--apply", "-o", ap)
    r = json.load(open(ap))["Resources"]
    stmts = r["ControllerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = sorted(a for s in stmts for a in s["Action"])
    c.check("apply: the role allows exactly the calls live --apply makes, plus its logs",
            p.returncode == 0 and
            actions == sorted(["cloudwatch:GetMetricStatistics",
                               "autoscaling:DescribeAutoScalingGroups",
                               "ec2:DescribeSpotFleetRequests",
                               "autoscaling:SetDesiredCapacity",
                               "logs:CreateLogStream", "logs:PutLogEvents"]), actions)
    setst = [s for s in stmts if s["Action"] == ["autoscaling:SetDesiredCapacity"]]
    c.check("apply: SetDesiredCapacity on the group only",
            setst and "autoScalingGroupName/${OnDemandGroup}" in setst[0]["Resource"]["Fn::Sub"],
            setst)
    out["apply"] = (ap, None)

    # A tuned point: policy parameters into the live configuration, scenario
    # fields into the stack, and the alarm path.
    b = os.path.join(tmp, "b.json")
    p = sb("deploy", "cloudformation", SEED, "--policy", "guarded", "--set", "confirm=3",
           "--set", "scale_in_delay=900", "--set", "asg.DefaultCooldown=900",
           "--set", "fleet.LaunchSpecifications[1].SpotPrice=0.06",
           "--set", "controller.Offset=20", "--alarm", "--apply", "--spot-fleet", "-o", b)
    t = json.load(open(b))
    r = t["Resources"]
    live = json.loads(r["Schedule"]["Properties"]["Targets"][0]["Input"]["Fn::Sub"])
    c.check("tuned: policy parameters go into the live configuration",
            p.returncode == 0 and live["policy"] == "guarded" and
            live["params"]["confirm"] == 3 and live["params"]["scale_in_delay"] == 900, live)
    c.check("tuned: scenario fields go into the stack (Cooldown 900, SpotPrice 0.06)",
            r["OnDemandGroup"]["Properties"]["Cooldown"] == "900" and
            r["SpotFleet"]["Properties"]["SpotFleetRequestConfigData"]
            ["LaunchSpecifications"][1]["SpotPrice"] == "0.06", r["OnDemandGroup"])
    c.check("tuned: controller.Offset is a warning naming it (EventBridge has none)",
            ": controller.Offset: " in p.stderr, p.stderr)
    al = r.get("PendingAlarm", {}).get("Properties", {})
    c.check("tuned: --alarm: PendingCapacity > 0 alarm -> SNS topic -> the function",
            al.get("MetricName") == "PendingCapacity" and al.get("Threshold") == 0 and
            al.get("ComparisonOperator") == "GreaterThanThreshold" and
            al.get("AlarmActions") == [{"Ref": "PendingTopic"}] and
            r["PendingTopic"]["Properties"]["Subscription"][0]["Protocol"] == "lambda", al)
    env = r["Controller"]["Properties"]["Environment"]["Variables"]
    c.check("tuned: --apply sets SPOTBENCH_APPLY=true; SNS events get the same config",
            env["SPOTBENCH_APPLY"] == "true" and
            json.loads(env["SPOTBENCH_LIVE_CONFIG"]["Fn::Sub"]) == live, env)
    # guarded reads interruption warnings: the two rules -> the queue, its
    # policy (the two rules only), the role's SQS calls on it, its URL in
    # the live configuration. classic (seed-week above) reads none: no queue.
    pat = {k: r.get(k, {}).get("Properties", {}).get("EventPattern") for k in
           ("InterruptionWarningRule", "RebalanceRecommendationRule")}
    c.check("tuned: the EventBridge rules for the two detail-types of aws.ec2",
            pat == {"InterruptionWarningRule": {
                "source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
                "RebalanceRecommendationRule": {
                "source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]}}
            and all(r[k]["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["EventQueue",
                                                                              "Arn"]}
                    for k in pat), pat)
    eq = r.get("EventQueue", {}).get("Properties", {})
    c.check("tuned: the queue long-polls 1 s, keeps a message 600 s, hides a received one "
            "for the function's Timeout",
            eq.get("ReceiveMessageWaitTimeSeconds") == 1 and
            eq.get("MessageRetentionPeriod") == 600 and
            eq.get("VisibilityTimeout") == r["Controller"]["Properties"]["Timeout"], eq)
    qp = r.get("EventQueuePolicy", {}).get("Properties", {})
    st = qp.get("PolicyDocument", {}).get("Statement", [{}])
    c.check("tuned: the queue policy lets events.amazonaws.com send, from the two rules only",
            len(st) == 1 and st[0].get("Principal") == {"Service": "events.amazonaws.com"} and
            st[0].get("Action") == "sqs:SendMessage" and
            st[0].get("Condition") == {"ArnEquals": {"aws:SourceArn": [
                {"Fn::GetAtt": ["InterruptionWarningRule", "Arn"]},
                {"Fn::GetAtt": ["RebalanceRecommendationRule", "Arn"]}]}}, qp)
    stmts = r["ControllerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    sq = [s for s in stmts if any(a.startswith("sqs:") for a in s["Action"])]
    c.check("tuned: the role: ReceiveMessage and DeleteMessage on the queue only, and "
            "DescribeSpotFleetInstances (an event's instance to its units)",
            len(sq) == 1 and sorted(sq[0]["Action"]) == ["sqs:DeleteMessage",
                                                        "sqs:ReceiveMessage"] and
            sq[0]["Resource"] == {"Fn::GetAtt": ["EventQueue", "Arn"]} and
            any("ec2:DescribeSpotFleetInstances" in s["Action"] for s in stmts), stmts)
    c.check("tuned: EventQueueUrl in the live configuration and the outputs",
            live.get("EventQueueUrl") == "${EventQueue}" and
            t["Outputs"].get("EventQueueUrl", {}).get("Value") == {"Ref": "EventQueue"}, live)
    c.check("tuned: a Timeout above the worst tick with the queue (10 x 3 x 20 s)",
            600 < r["Controller"]["Properties"]["Timeout"] <= 900,
            r["Controller"]["Properties"]["Timeout"])
    a_res = json.load(open(a))["Resources"]
    c.check("seed-week (classic reads no events): no queue, no rules for them",
            not any(k in a_res for k in ("EventQueue", "EventQueuePolicy",
                                         "InterruptionWarningRule")), list(a_res))
    out["tuned"] = (b, None)

    # live-config: the same live configuration alone, read back by live.
    lc = os.path.join(tmp, "live.json")
    p = sb("deploy", "live-config", SEED, "--policy", "guarded", "--set", "confirm=3",
           "--set", "scale_in_delay=900", "--FleetRequestId",
           "sfr-5e2d6c1a-3b7f-4c9e-8a41-0d2f6b9e7c13", "--AutoScalingGroupName", "od", "-o", lc)
    got = json.load(open(lc)) if os.path.exists(lc) else {}
    c.check("live-config: the same parameters as the stack's Input",
            p.returncode == 0 and got.get("params") == live["params"] and
            got.get("FleetRequestId") == "sfr-5e2d6c1a-3b7f-4c9e-8a41-0d2f6b9e7c13", (got, p.stderr))
    c.check("live-config, guarded with its ids: a note to add EventQueueUrl (not in the "
            "file: the queue is the stack's)", "add EventQueueUrl" in p.stderr and
            "EventQueueUrl" not in got, p.stderr)
    p = sb("deploy", "live-config", SEED, "-o", lc)
    c.check("live-config, classic (reads no events): no word of EventQueueUrl",
            "EventQueueUrl" not in p.stderr, p.stderr)
    got = json.load(open(lc)) if os.path.exists(lc) else {}
    q = sb("live", "--config", lc, "--once")
    c.check("live-config without ids: the default stack's spot group, a placeholder that "
            "live refuses, naming the key",
            p.returncode == 0 and "fill in SpotAutoScalingGroupName" in p.stderr and
            got.get("SpotAutoScalingGroupName") == "<SpotAutoScalingGroupName>" and
            "FleetRequestId" not in got and q.returncode == 2 and
            "SpotAutoScalingGroupName" in q.stderr and "placeholder" in q.stderr,
            (got, p.stderr, q.stderr))
    p = sb("deploy", "live-config", SEED, "--SpotAutoScalingGroupName", "spot", "-o", lc)
    q = sb("live", "--config", lc, "--once")
    c.check("live-config with the spot group's name only: live refuses the on-demand "
            "group's placeholder", p.returncode == 0 and q.returncode == 2 and
            "AutoScalingGroupName: \"<AutoScalingGroupName>\" is a placeholder" in q.stderr,
            q.stderr)
    p = sb("deploy", "live-config", SEED, "--spot-fleet", "-o", lc)
    got = json.load(open(lc)) if os.path.exists(lc) else {}
    c.check("live-config --spot-fleet: the legacy fleet's placeholder",
            p.returncode == 0 and got.get("FleetRequestId") == "<FleetRequestId>" and
            "SpotAutoScalingGroupName" not in got and "fill in FleetRequestId" in p.stderr,
            (got, p.stderr))
    p = sb("deploy", "live-config", SEED, "--spot-fleet", "--SpotAutoScalingGroupName", "s",
           "-o", os.path.join(tmp, "y.json"))
    c.check("live-config: a spot group and a Spot Fleet at once is refused (exit 2)",
            p.returncode == 2 and "give one" in p.stderr and
            not os.path.exists(os.path.join(tmp, "y.json")), p.stderr)
    p = sb("deploy", "cloudformation", SEED, "--set", "nosuch=1", "-o", os.path.join(tmp, "x.json"))
    c.check("a bad setting: exit 2 naming it, nothing written",
            p.returncode == 2 and "nosuch" in p.stderr and
            not os.path.exists(os.path.join(tmp, "x.json")), p.stderr)

    # A sweep hands over: best names the point and writes the live config;
    # deploy --sweep --point puts the point's scenario fields in the stack.
    db = os.path.join(tmp, "sweep.db")
    p = sb("sweep", SEED, "--policy", "classic", "--grid", "window=120,300",
           "--grid", "asg.DefaultCooldown=300,900", "--db", db, "--quiet", "-j", "2")
    best_lc = os.path.join(tmp, "best.json")
    q = sb("best", "--sweep", "1", "--min-coverage", "0", "--db", db, "--live-config", best_lc,
           "--FleetRequestId", "sfr-5e2d6c1a-3b7f-4c9e-8a41-0d2f6b9e7c13",
           "--AutoScalingGroupName", "od")
    point = next((l.split()[1] for l in q.stdout.splitlines() if l.startswith("point ")), None)
    swept = json.loads(next(l.split(None, 1)[1] for l in q.stdout.splitlines()
                            if l.startswith("parameters "))) if point else {}
    got = json.load(open(best_lc)) if os.path.exists(best_lc) else {}
    c.check("best --live-config: the point's policy parameter in live.json, its scenario "
            "field (asg.DefaultCooldown) not", p.returncode == 0 and q.returncode == 0 and
            got.get("params", {}).get("window") == swept.get("window") and
            "asg.DefaultCooldown" not in json.dumps(got), (q.stdout, q.stderr, got))
    r = sb("live", "--config", best_lc, "--once", env=dict(os.environ, AWS_REGION=REGION,
           AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_ACCESS_KEY_ID=ACCESS_KEY,
           AWS_SECRET_ACCESS_KEY=SECRET_KEY, SPOTBENCH_RETRY_SCALE="0",
           AWS_EC2_METADATA_DISABLED="true"))
    c.check("best --live-config: live accepts the file (exit 1 only because nothing "
            "answers, not 2 for a bad config)", r.returncode == 1 and
            "unknown" not in r.stderr, r.stderr)
    d = os.path.join(tmp, "d.json")
    r = sb("deploy", "cloudformation", SEED, "--sweep", "1", "--point", str(point), "--db", db,
           "--spot-fleet", "-o", d)
    t = json.load(open(d)) if os.path.exists(d) else {"Resources": {}}
    grp = t["Resources"].get("OnDemandGroup", {}).get("Properties", {})
    live = json.loads(t["Resources"]["Schedule"]["Properties"]["Targets"][0]["Input"]["Fn::Sub"]) \
        if grp else {}
    c.check("deploy --sweep --point: Cooldown = the point's asg.DefaultCooldown, window in "
            "the Input", r.returncode == 0 and
            grp.get("Cooldown") == str(swept.get("asg.DefaultCooldown")) and
            live.get("params", {}).get("window") == swept.get("window"), (r.stderr, grp, live))
    out["point"] = (d, None)

    # The default: the spot capacity as an Auto Scaling group with a
    # MixedInstancesPolicy; no AWS::EC2::SpotFleet at all.
    g = os.path.join(tmp, "group.json")
    p = sb("deploy", "cloudformation", SEED, "--alarm", "-o", g)
    t = json.load(open(g)) if os.path.exists(g) else {"Resources": {}}
    r = t["Resources"]
    c.check("group (default): no AWS::EC2::SpotFleet, no fleet role",
            p.returncode == 0 and
            not any(x["Type"] == "AWS::EC2::SpotFleet" for x in r.values()) and
            "SpotFleetRole" not in r, sorted(r))
    sg = r.get("SpotGroup", {}).get("Properties", {})
    mip = sg.get("MixedInstancesPolicy", {})
    types = {}
    for s in sc["fleet"]["LaunchSpecifications"]:
        types.setdefault(s["InstanceType"], str(s["WeightedCapacity"]))
    got = {o["InstanceType"]: o["WeightedCapacity"]
           for o in mip.get("LaunchTemplate", {}).get("Overrides", [])}
    c.check("group: one override per instance type with its WeightedCapacity",
            got == types, (got, types))
    dist = mip.get("InstancesDistribution", {})
    c.check("group: 100 % spot above no base, price-capacity-optimized, Capacity "
            "Rebalancing, DesiredCapacity = TargetCapacity in units",
            dist.get("OnDemandBaseCapacity") == 0 and
            dist.get("OnDemandPercentageAboveBaseCapacity") == 0 and
            dist.get("SpotAllocationStrategy") == "price-capacity-optimized" and
            sg.get("CapacityRebalance") is True and sg.get("DesiredCapacityType") == "units"
            and sg.get("DesiredCapacity") == str(sc["fleet"]["TargetCapacity"]), sg)
    mc = sg.get("MetricsCollection", [{}])[0]
    c.check("group: 1-minute group metrics, the view's among them",
            mc.get("Granularity") == "1Minute" and
            {"GroupDesiredCapacity", "GroupInServiceCapacity",
             "GroupTerminatingCapacity"} <= set(mc.get("Metrics", [])), mc)
    live = json.loads(r["Schedule"]["Properties"]["Targets"][0]["Input"]["Fn::Sub"]) \
        if "Schedule" in r else {}
    c.check("group: the live configuration reads the group (SpotAutoScalingGroupName)",
            live.get("SpotAutoScalingGroupName") == "${SpotGroup}" and
            "FleetRequestId" not in live, live)
    stmts = r["ControllerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = sorted(a for s in stmts for a in s["Action"])
    c.check("group: the role reads metrics and groups only (no Spot Fleet call)",
            actions == sorted(["cloudwatch:GetMetricStatistics",
                               "autoscaling:DescribeAutoScalingGroups",
                               "logs:CreateLogStream", "logs:PutLogEvents"]), actions)
    # guarded reads events: the queue, and with a group no EC2 call at all
    # (the group's instances carry their WeightedCapacity).
    gq = os.path.join(tmp, "group-guarded.json")
    p = sb("deploy", "cloudformation", SEED, "--policy", "guarded", "-o", gq)
    rq = json.load(open(gq))["Resources"] if os.path.exists(gq) else {}
    lq = json.loads(rq["Schedule"]["Properties"]["Targets"][0]["Input"]["Fn::Sub"]) \
        if "Schedule" in rq else {}
    acts = sorted(a for s in rq.get("ControllerRole", {}).get("Properties", {}).get(
        "Policies", [{}])[0].get("PolicyDocument", {}).get("Statement", []) for a in s["Action"])
    c.check("group + guarded: the event queue and its rules; the role adds only the queue's "
            "two calls (no ec2 call); the live configuration names group and queue",
            p.returncode == 0 and "EventQueue" in rq and "InterruptionWarningRule" in rq and
            acts == sorted(["cloudwatch:GetMetricStatistics",
                            "autoscaling:DescribeAutoScalingGroups",
                            "sqs:ReceiveMessage", "sqs:DeleteMessage",
                            "logs:CreateLogStream", "logs:PutLogEvents"]) and
            lq.get("SpotAutoScalingGroupName") == "${SpotGroup}" and
            lq.get("EventQueueUrl") == "${EventQueue}", (acts, lq))
    out["group-guarded"] = (gq, None)
    # guarded reading failed launches on the group: the role adds
    # DescribeScalingActivities (no resource-level permission: "*").
    gl = os.path.join(tmp, "group-lf.json")
    p = sb("deploy", "cloudformation", SEED, "--policy", "guarded", "--set",
           "use_launch_failures=1", "-o", gl)
    rl = json.load(open(gl))["Resources"] if os.path.exists(gl) else {}
    stl = rl.get("ControllerRole", {}).get("Properties", {}).get(
        "Policies", [{}])[0].get("PolicyDocument", {}).get("Statement", [])
    lacts = sorted(a for s in stl for a in s["Action"])
    c.check("group + guarded with use_launch_failures: the role adds "
            "autoscaling:DescribeScalingActivities on \"*\"",
            p.returncode == 0 and
            lacts == sorted(acts + ["autoscaling:DescribeScalingActivities"]) and
            any("autoscaling:DescribeScalingActivities" in s["Action"] and s["Resource"] == "*"
                for s in stl), lacts)
    out["group-lf"] = (gl, None)
    al = r.get("PendingAlarm", {}).get("Properties", {})
    c.check("group: --alarm on desired - in service > 0 (metric math)",
            [m.get("Expression") for m in al.get("Metrics", [])][-1:] ==
            ["desired - inservice"] and al.get("Threshold") == 0, al)
    c.check("group: a Spot Fleet scenario deployed as a group is a warning naming "
            "fleet.kind", ": fleet.kind: simulated as a Spot Fleet" in p.stderr, p.stderr)
    out["group"] = (g, None)

    lint = shutil.which("cfn-lint")
    if not lint:
        print("SKIPPED: cfn-lint not installed: the templates are not linted")
    else:
        for name, (path, _) in out.items():
            q = subprocess.run([lint, path], capture_output=True, text=True, timeout=120)
            c.check(f"cfn-lint passes the {name} template", q.returncode == 0,
                    q.stdout + q.stderr)
    return out


# ---- moto ------------------------------------------------------------------


def start_moto(log):
    import test_live_moto as tm
    import urllib.request
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(3):
        port = tm.free_port()
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "moto_server_arn.py"),
                                 "-H", "127.0.0.1", "-p", str(port)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                preexec_fn=tm._die_with_parent)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                opener.open(url + "/moto-api/", timeout=1).read()
                return proc, url, opener
            except OSError:
                time.sleep(0.1)
        tm.stop(proc)
    raise RuntimeError("moto server did not start")


def tiny_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\n")
    return buf.getvalue()


def create_stack(c, name, path, clients, base_params):
    cfn = clients["cloudformation"]
    body = open(path).read()
    t = json.loads(body)
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in base_params.items()
              if k in t["Parameters"]]
    cfn.create_stack(StackName=name, TemplateBody=body, Parameters=params,
                     Capabilities=["CAPABILITY_IAM"])
    st = cfn.describe_stacks(StackName=name)["Stacks"][0]
    c.check(f"{name}: stack {st['StackStatus']}", st["StackStatus"] == "CREATE_COMPLETE",
            st.get("StackStatusReason"))
    # moto lists some resources it did not make without a LogicalResourceId.
    res = {r["LogicalResourceId"]: r for r in
           cfn.describe_stack_resources(StackName=name)["StackResources"]
           if r.get("LogicalResourceId") and r.get("PhysicalResourceId")}
    return t, res, {o["OutputKey"]: o["OutputValue"] for o in st.get("Outputs", [])}


def queue_url(sqs, pid):
    """A queue's URL from its physical id (moto gives the URL; a name is
    looked up)."""
    return pid if pid.startswith("http") else sqs.get_queue_url(QueueName=pid)["QueueUrl"]


def queue_arn(sqs, pid):
    return sqs.get_queue_attributes(QueueUrl=queue_url(sqs, pid),
                                    AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def verify_resources(c, name, t, res, clients, subnets):
    """Each resource of the template, looked up where it lives."""
    ec2, asg, lam, iam = (clients[k] for k in ("ec2", "autoscaling", "lambda", "iam"))
    checked = {}

    def phys(logical):
        r = res.get(logical)
        return r["PhysicalResourceId"] if r else None

    for logical, spec in t["Resources"].items():
        typ, props = spec["Type"], spec.get("Properties", {})
        pid = phys(logical)
        if typ in MOTO_SKIPS and not pid:
            print(f"NOT COVERED: {name}: moto does not create {typ} ({logical})")
            continue
        ok, detail = False, pid
        try:
            if typ == "AWS::EC2::SpotFleet":
                cfg = ec2.describe_spot_fleet_requests(SpotFleetRequestIds=[pid])[
                    "SpotFleetRequestConfigs"][0]["SpotFleetRequestConfig"]
                want = props["SpotFleetRequestConfigData"]
                specs = [(s["InstanceType"], s["SubnetId"], float(s["WeightedCapacity"]),
                          float(s["SpotPrice"])) for s in cfg["LaunchSpecifications"]]
                wspecs = [(s["InstanceType"], subnets[s["SubnetId"]["Ref"]],
                           float(s["WeightedCapacity"]), float(s["SpotPrice"]))
                          for s in want["LaunchSpecifications"]]
                ok = cfg["TargetCapacity"] == want["TargetCapacity"] and \
                    cfg["AllocationStrategy"] == want["AllocationStrategy"] and specs == wspecs
                detail = (cfg, wspecs)
            elif typ == "AWS::AutoScaling::AutoScalingGroup":
                g = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[pid])[
                    "AutoScalingGroups"][0]
                ok = (str(g["MinSize"]), str(g["MaxSize"]), str(g["DesiredCapacity"])) == \
                    (props["MinSize"], props["MaxSize"], props["DesiredCapacity"])
                if "Cooldown" in props:
                    ok = ok and str(g["DefaultCooldown"]) == props["Cooldown"]
                if "MixedInstancesPolicy" in props:
                    want = props["MixedInstancesPolicy"]["InstancesDistribution"]
                    have = g.get("MixedInstancesPolicy", {}).get("InstancesDistribution", {})
                    ok = ok and have.get("SpotAllocationStrategy") == \
                        want["SpotAllocationStrategy"] and \
                        have.get("OnDemandPercentageAboveBaseCapacity") == \
                        want["OnDemandPercentageAboveBaseCapacity"]
                detail = g
            elif typ == "AWS::EC2::LaunchTemplate":
                lt = ec2.describe_launch_template_versions(LaunchTemplateId=pid)[
                    "LaunchTemplateVersions"][0]["LaunchTemplateData"]
                ok = lt.get("InstanceType") == props["LaunchTemplateData"].get("InstanceType")
                detail = lt
            elif typ == "AWS::Lambda::Function":
                f = lam.get_function(FunctionName=pid)
                conf = f["Configuration"]
                ok = conf["Runtime"] == "provided.al2023" and conf["Timeout"] == props["Timeout"] \
                    and f.get("Concurrency", {}).get("ReservedConcurrentExecutions") == 1 and \
                    conf["Environment"]["Variables"]["SPOTBENCH_APPLY"] in ("true", "false")
                detail = f
            elif typ == "AWS::Lambda::EventInvokeConfig":
                e = lam.get_function_event_invoke_config(FunctionName=phys("Controller"))
                ok = e["MaximumRetryAttempts"] == 0 and e["MaximumEventAgeInSeconds"] == 60
                detail = e
            elif typ == "AWS::Events::Rule" and "EventPattern" in props:
                # A rule sending EC2's events to the event queue.
                ev = clients["events"]
                rule = ev.describe_rule(Name=pid)
                tg = ev.list_targets_by_rule(Rule=pid)["Targets"]
                qarn = queue_arn(clients["sqs"], phys("EventQueue"))
                ok = json.loads(rule["EventPattern"]) == props["EventPattern"] and \
                    len(tg) == 1 and tg[0]["Arn"] == qarn
                detail = (rule, tg, qarn)
            elif typ == "AWS::SQS::Queue":
                a = clients["sqs"].get_queue_attributes(
                    QueueUrl=queue_url(clients["sqs"], pid), AttributeNames=["All"])["Attributes"]
                ok = int(a["VisibilityTimeout"]) == props["VisibilityTimeout"] and \
                    int(a["MessageRetentionPeriod"]) == props["MessageRetentionPeriod"] and \
                    int(a["ReceiveMessageWaitTimeSeconds"]) == 1
                detail = a
            elif typ == "AWS::SQS::QueuePolicy":
                a = clients["sqs"].get_queue_attributes(
                    QueueUrl=queue_url(clients["sqs"], phys("EventQueue")),
                    AttributeNames=["Policy"]).get("Attributes", {})
                if "Policy" not in a:  # moto 5 makes the resource, sets no policy
                    print(f"NOT COVERED: {name}: moto does not apply {typ} ({logical}) to "
                          "the queue")
                    continue
                st = json.loads(a.get("Policy", "{}")).get("Statement", [])
                ok = len(st) == 1 and st[0]["Principal"] == {"Service": "events.amazonaws.com"} \
                    and st[0]["Action"] == "sqs:SendMessage"
                detail = a
            elif typ == "AWS::Events::Rule":
                ev = clients["events"]
                rule = ev.describe_rule(Name=pid)
                tg = ev.list_targets_by_rule(Rule=pid)["Targets"]
                live = json.loads(tg[0]["Input"])
                spot_ok = live.get("SpotAutoScalingGroupName") == phys("SpotGroup") \
                    if "SpotGroup" in t["Resources"] else \
                    live.get("FleetRequestId") == phys("SpotFleet")
                ok = rule["ScheduleExpression"] == props["ScheduleExpression"] and spot_ok and \
                    live["AutoScalingGroupName"] == phys("OnDemandGroup") and \
                    tg[0]["Arn"].endswith(":function:" + phys("Controller"))
                detail = (rule, tg)
                checked["live"] = tg[0]["Input"]
            elif typ == "AWS::IAM::Role":
                role = iam.get_role(RoleName=pid)["Role"]
                ok, detail = True, role
                for pol in props.get("Policies", []):
                    doc = iam.get_role_policy(RoleName=pid, PolicyName=pol["PolicyName"])[
                        "PolicyDocument"]
                    if isinstance(doc, str):  # moto 5 keeps a CloudFormation
                        # inline policy as Python's repr of the dict
                        doc = ast.literal_eval(urllib.parse.unquote(doc))
                    acts = sorted(a for s in doc["Statement"] for a in s["Action"])
                    want = sorted(a for s in pol["PolicyDocument"]["Statement"]
                                  for a in s["Action"])
                    ok = ok and acts == want
                    detail = (doc, want)
            elif typ == "AWS::IAM::InstanceProfile":
                ip = iam.get_instance_profile(InstanceProfileName=pid)["InstanceProfile"]
                ok = len(ip["Roles"]) == 1
                detail = ip
            elif typ == "AWS::Logs::LogGroup":
                gs = clients["logs"].describe_log_groups(logGroupNamePrefix=pid)["logGroups"]
                ok = any(gr["logGroupName"] == pid and gr.get("retentionInDays") == 30 for gr in gs)
                detail = gs
            elif typ == "AWS::SNS::Topic" and logical == "ControllerErrorsTopic":
                # The operators' topic: no subscription of the stack's own.
                attrs = clients["sns"].get_topic_attributes(TopicArn=pid)["Attributes"]
                ok = attrs.get("TopicArn") == pid
                detail = attrs
            elif typ == "AWS::SNS::Topic":
                subs = clients["sns"].list_subscriptions_by_topic(TopicArn=pid)["Subscriptions"]
                ok = any(s["Protocol"] == "lambda" and
                         s["Endpoint"].endswith(":function:" + phys("Controller")) for s in subs)
                detail = subs
            elif typ == "AWS::CloudWatch::Alarm":
                al = clients["cloudwatch"].describe_alarms(AlarmNames=[pid])["MetricAlarms"][0]
                if "Metrics" in props:  # a spot group: desired - in service
                    ok = al["Threshold"] == 0 and \
                        al.get("Metrics", [{}])[-1].get("Expression") == "desired - inservice"
                    detail = al
                    c.check(f"{name}: {logical} ({typ}) exists with the template's values",
                            ok, detail)
                    continue
                ok = al["MetricName"] == "PendingCapacity" and al["Threshold"] == 0 and \
                    al["Dimensions"] == [{"Name": "FleetRequestId", "Value": phys("SpotFleet")}] \
                    and al["AlarmActions"] == [phys("PendingTopic")]
                detail = al
            elif typ == "AWS::Lambda::Permission":
                pol = json.loads(lam.get_policy(FunctionName=phys("Controller"))["Policy"])
                ok = any(s["Principal"] == {"Service": props["Principal"]} for s in pol["Statement"])
                detail = pol
            else:
                detail = f"no check for {typ}"
        except Exception as e:  # noqa: BLE001 - the resource is missing
            ok, detail = False, f"{type(e).__name__}: {e}"
        c.check(f"{name}: {logical} ({typ}) exists with the template's values", ok, detail)
    return checked


def role_creds(iam, sts, role_name):
    """Temporary credentials of a stack's role, its policies readable by moto."""
    role = iam.get_role(RoleName=role_name)["Role"]
    # moto 5's CloudFormation keeps a role's inline policy as a dict, which
    # its own IAM enforcement cannot read (KeyError 'policy_document', an
    # HTML 500): the very document it stored (the stack's, Fn::Sub resolved)
    # is put back as JSON text, as AWS keeps it.
    for pname in iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]:
        doc = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=pname)["PolicyDocument"]
        if isinstance(doc, str):
            doc = ast.literal_eval(urllib.parse.unquote(doc))
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName=pname,
                            PolicyDocument=json.dumps(doc))
    return sts.assume_role(RoleArn=role["Arn"], RoleSessionName="spotbench")["Credentials"]


def role_env(creds, url, tmp):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"HOME": tmp, "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                "AWS_SESSION_TOKEN": creds["SessionToken"], "AWS_REGION": REGION,
                "AWS_ENDPOINT_URL": url, "AWS_EC2_METADATA_DISABLED": "true",
                "SPOTBENCH_RETRY_SCALE": "0", "SPOTBENCH_NOW": str(NOW)})
    return env


def iam_enforced(c, url, opener, clients, role_name, live_text, tmp, dry_role, lf=None):
    """The controller roles' credentials against moto with IAM on: the --apply
    stack's, and the dry-run stack's, which must not set the group."""
    import boto3
    import urllib.request
    iam, sts, asg = clients["iam"], clients["sts"], clients["autoscaling"]
    creds = role_creds(iam, sts, role_name)
    dry_creds = role_creds(iam, sts, dry_role) if dry_role else None
    # (Each role's credentials before IAM is on: then only a role may call.)
    lf_creds = role_creds(iam, sts, lf[1]) if lf else None
    plain_creds = role_creds(iam, sts, lf[2]) if lf and lf[2] else None
    live = json.loads(live_text)
    # Another group, the role must not touch.
    asg.create_launch_configuration(LaunchConfigurationName="other-lc", ImageId="ami-12c6146b",
                                    InstanceType="c3.xlarge")
    asg.create_auto_scaling_group(AutoScalingGroupName="other-group",
                                  LaunchConfigurationName="other-lc", MinSize=0, MaxSize=5,
                                  DesiredCapacity=0, AvailabilityZones=["us-east-1a"])
    # text/plain: moto reads the raw body, which a form content type hides.
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=b"0", method="POST",
                                 headers={"Content-Type": "text/plain"})
    opener.open(req, timeout=5).read()
    try:
        env = role_env(creds, url, tmp)
        cfg = os.path.join(tmp, "stack-live.json")
        with open(cfg, "w") as fh:
            fh.write(live_text)
        if dry_creds:
            # The dry-run stack's role on the same group, first (classic
            # falls back to 32 units: a scale-out): it reads, but
            # SetDesiredCapacity is denied (least privilege).
            q = sb("live", "--config", cfg, "--once", "--apply", env=role_env(dry_creds, url, tmp))
            c.check("IAM on: the dry-run stack's role may not set the group: "
                    "SetDesiredCapacity AccessDenied, every read allowed",
                    q.returncode == 1 and "SetDesiredCapacity: AccessDenied: " in q.stdout + q.stderr
                    and all("SetDesiredCapacity" in line
                            for line in (q.stdout + q.stderr).splitlines()
                            if "AccessDenied" in line), (q.stdout, q.stderr))
        p = sb("live", "--config", cfg, "--once", "--apply", env=env)
        # classic with no datapoints assumes fallback_capacity (32 units)
        # pending: a scale-out, so SetDesiredCapacity is made too.
        c.check("IAM on, the role's credentials: live --apply on the stack's own config: "
                "every call allowed (4 metrics, group, fleet, SetDesiredCapacity applied)",
                p.returncode == 0 and "failed" not in p.stdout and p.stderr == "" and
                "| applied: DesiredCapacity=" in p.stdout, (p.stdout, p.stderr))
        other = dict(live, AutoScalingGroupName="other-group")
        with open(cfg, "w") as fh:
            json.dump(other, fh)
        p = sb("live", "--config", cfg, "--once", "--apply", env=env)
        c.check("IAM on: SetDesiredCapacity on another group is denied, reported with "
                "AWS's code AccessDenied (not a bare HTTP 403)",
                p.returncode == 1 and "SetDesiredCapacity: AccessDenied: " in p.stdout + p.stderr
                and "not authorized" in p.stdout + p.stderr, (p.stdout, p.stderr))
        other_asg = boto3.client("autoscaling", endpoint_url=url, region_name=REGION,
                                 aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"])
        try:
            other_asg.terminate_instance_in_auto_scaling_group(
                InstanceId="i-00000000000000000", ShouldDecrementDesiredCapacity=True)
            denied = False
        except Exception as e:  # noqa: BLE001
            denied = "AccessDenied" in str(e)
        c.check("IAM on: a call live does not make is denied (TerminateInstanceInAutoScalingGroup)",
                denied)
        c.check("no secret of the role in live's output",
                creds["SecretAccessKey"] not in p.stdout + p.stderr and
                creds["SessionToken"] not in p.stdout + p.stderr)
        if lf:
            # The group stack of guarded with use_launch_failures: its role
            # may list the spot group's scaling activities; the role of the
            # same stack without the parameter may not.
            lf_text = lf[0]
            lcfg = os.path.join(tmp, "stack-live-lf.json")
            with open(lcfg, "w") as fh:
                fh.write(lf_text)
            q = sb("live", "--config", lcfg, "--once",
                   env=role_env(lf_creds, url, tmp))
            c.check("IAM on: the group-lf stack's role reads the spot group's activities "
                    "(DescribeScalingActivities allowed, none failed in moto)",
                    "AccessDenied" not in q.stdout + q.stderr and
                    "| failed spot launches: 0 |" in q.stdout, (q.stdout, q.stderr))
            if plain_creds:
                q = sb("live", "--config", lcfg, "--once", env=role_env(plain_creds, url, tmp))
                c.check("IAM on: a role without it is denied DescribeScalingActivities",
                        q.returncode == 1 and
                        "DescribeScalingActivities: AccessDenied" in q.stdout + q.stderr,
                        (q.stdout, q.stderr))
    finally:
        req = urllib.request.Request(url + "/moto-api/reset-auth", data=b"inf", method="POST",
                                     headers={"Content-Type": "text/plain"})
        opener.open(req, timeout=5).read()


def run_moto(c, templates, tmp):
    import boto3
    import test_live_moto as tm
    log = open(os.path.join(tmp, "moto.log"), "wb")
    proc, url, opener = start_moto(log)
    try:
        kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                  aws_secret_access_key=SECRET_KEY)
        clients = {s: boto3.client(s, **kw) for s in
                   ("cloudformation", "ec2", "autoscaling", "lambda", "iam", "events", "logs",
                    "sns", "cloudwatch", "s3", "sts", "sqs")}
        ec2 = clients["ec2"]
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = {}
        for i, az in enumerate(("us-east-1a", "us-east-1d")):
            sn = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                   AvailabilityZone=az)["Subnet"]["SubnetId"]
            subnets["Subnet" + "".join(w[:1].upper() + w[1:] for w in az.split("-"))] = sn
        ami = ec2.describe_images()["Images"][0]["ImageId"]
        clients["s3"].create_bucket(Bucket="code")
        clients["s3"].put_object(Bucket="code", Key="spotbench-lambda.zip", Body=tiny_zip())
        params = dict(subnets, ImageId=ami, LambdaCodeBucket="code",
                      LambdaCodeKey="spotbench-lambda.zip")
        live_text = dry_role = lf_text = lf_role = plain_role = None
        for name, (path, _) in templates.items():
            t, res, outputs = create_stack(c, name, path, clients, params)
            got = verify_resources(c, name, t, res, clients, subnets)
            spot_out = outputs.get("SpotAutoScalingGroupName") == \
                res["SpotGroup"]["PhysicalResourceId"] if "SpotGroup" in res else \
                outputs.get("FleetRequestId", "").startswith("sfr-")
            c.check(f"{name}: outputs name the spot capacity and the group",
                    spot_out and
                    outputs.get("AutoScalingGroupName") == res["OnDemandGroup"]["PhysicalResourceId"],
                    outputs)
            if name == "apply":
                live_text = got.get("live")
                role_name = res["ControllerRole"]["PhysicalResourceId"]
            if name == "seed-week":
                dry_role = res["ControllerRole"]["PhysicalResourceId"]
            if name == "group-lf":
                lf_text = got.get("live")
                lf_role = res["ControllerRole"]["PhysicalResourceId"]
            if name == "group-guarded":
                plain_role = res["ControllerRole"]["PhysicalResourceId"]
        if live_text:
            iam_enforced(c, url, opener, clients, role_name, live_text, tmp, dry_role,
                         (lf_text, lf_role, plain_role) if lf_text else None)
    finally:
        tm.stop(proc)
        log.close()
        if c.failed:
            with open(os.path.join(tmp, "moto.log"), "rb") as fh:
                print("     moto log:\n" + fh.read().decode(errors="replace")[-3000:])


def main():
    have_moto = reexec_for_moto(__file__, REEXEC)
    c = Checks("deploy")
    if not os.access(SB, os.X_OK):
        c.check(f"{SB} is built", False)
        print(f"{c.passed} passed, {c.failed} failed")
        return 1

    def on_alarm(sig, frame):
        raise TimeoutError(f"watchdog: over {WATCHDOG} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(WATCHDOG)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="deploy-test.") as tmp:
        try:
            templates = check_templates(c, tmp)
            if have_moto:
                run_moto(c, templates, tmp)
            else:
                print("SKIPPED: moto not importable (python3 -c 'import moto' failed): the "
                      "stacks are not created, IAM not checked")
        except Exception as e:  # a crash is a failed check
            import traceback
            c.check("ran to the end", False, f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
        finally:
            signal.alarm(0)
    print(f"# {time.monotonic() - t0:.1f} s")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
