#!/usr/bin/python3
"""test_lambda.py: the Lambda function's zip (`make lambda`, here
$BUILD/spotbench-lambda.zip) end to end: its bootstrap, started in an empty
root, polls tests/aws/fake_lambda_runtime.py (a stand-in for Lambda's
Runtime API) and drives moto's server (the AWS emulator) as a function
would drive AWS.

  - the zip: bootstrap at the root and executable, the loader as lib/ld.so,
    glibc, every library that bin/spotbench and those libraries name as
    NEEDED (read with objdump, independently of the ldd the build used),
    the CA bundle, and under Lambda's 50 MB zipped / 250 MB unzipped;
  - run as root: the zip is unpacked to ROOT/var/task of an otherwise empty
    directory and started with chroot, with an empty environment but what
    Lambda sets: nothing of the host's libraries can be used. Without root
    (or chroot) it runs on the host and says "SKIPPED: empty-root run";
  - an event whose exec: policy cannot start is Spotbench.InvalidEvent;
  - a bad SPOTBENCH_APPLY or SPOTBENCH_LIVE_CONFIG is posted to
    /runtime/init/error, exit 2;
  - a Runtime API that accepts a POST and never answers it ends the
    process with exit 1 after the POST timeout (10 s), not the function's;
  - with moto (as in test_live_moto.py; "SKIPPED: moto ..." without): a
    Spot Fleet with an 8-unit shortfall and an on-demand group at 0; the
    event (a live config) is invoked with SPOTBENCH_APPLY=true: the group
    goes 0 -> 2 with HonorCooldown=false (checked with boto3); an event with
    an unknown key lands on /error as Spotbench.InvalidEvent naming the key;
    the next invocation still works (sees 2, changes nothing); an SNS
    notification runs SPOTBENCH_LIVE_CONFIG; a config whose endpoints do not
    answer is a Spotbench.TickFailed error, and the process goes on.

    BUILD=build /usr/bin/python3 tests/aws/test_lambda.py [-v]
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", "build")
BUILD_DIR = BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD)
ZIP = os.path.join(BUILD_DIR, "spotbench-lambda.zip")
VERBOSE = "-v" in sys.argv
REEXEC = "SPOTBENCH_LAMBDA_TEST_PYTHON"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
NOW = 1488369600
ASG = "spotbench-od"
WATCHDOG = 100

sys.path.insert(0, HERE)
from awstest import Checks, reexec_for_moto  # noqa: E402
from fake_lambda_runtime import FakeRuntime  # noqa: E402


def needed(path):
    """The NEEDED entries of an ELF file, by objdump."""
    out = subprocess.run(["objdump", "-p", path], capture_output=True, text=True).stdout
    return [l.split()[1] for l in out.splitlines() if l.strip().startswith("NEEDED")]


def check_zip(c, task):
    with zipfile.ZipFile(ZIP) as z:
        infos = {i.filename: i for i in z.infolist()}
        unzipped = sum(i.file_size for i in z.infolist())
    zipped = os.path.getsize(ZIP)
    print(f"info lambda: {ZIP}: {zipped} bytes zipped, {unzipped} unzipped, "
          f"{sum(1 for n in infos if n.startswith('lib/'))} libraries")
    c.check("zip: under 50 MB zipped and 250 MB unzipped",
            zipped < 50_000_000 and unzipped < 250_000_000, (zipped, unzipped))
    # scripts/lambda-stubs.sh: no ICU data, no RTMP, LDAP, SSH or Kerberos
    # stacks (25 MB zipped with them).
    # (A sanitizer build carries its runtime, some 5 MB more: not counted.)
    sanitized = any(n.startswith(("lib/libasan", "lib/libubsan")) for n in infos)
    c.check("zip: at most 10 MB zipped (the unused libraries are stubs)",
            sanitized or zipped <= 10_000_000, zipped)
    c.check("zip: no ICU data, no GnuTLS (what the stubs replace needs)",
            not any(n.startswith(("lib/libicudata", "lib/libgnutls")) for n in infos),
            sorted(n for n in infos if n.startswith("lib/")))
    boot = infos.get("bootstrap")
    c.check("zip: bootstrap at the root, executable",
            boot is not None and (boot.external_attr >> 16) & 0o111 == 0o111,
            sorted(infos)[:10])
    c.check("zip: the loader (lib/ld.so), glibc (lib/libc.so.6), the CA bundle",
            all(n in infos for n in ("lib/ld.so", "lib/libc.so.6", "ca-certificates.crt",
                                     "bin/spotbench")))
    # libcurl and libxml2 are not NEEDED: the binary opens them (dlopen) for
    # its AWS calls, so the zip must carry them all the same.
    dlopened = ("libcurl.so.4", "libxml2.so.2")
    c.check("zip: the libraries opened at run time, " + " and ".join(dlopened),
            all("lib/" + n in infos for n in dlopened))
    c.check("zip: ... which the binary does not link",
            not set(dlopened) & set(needed(os.path.join(task, "bin", "spotbench"))))
    # Every library named as NEEDED by the binary, the run-time ones or a
    # bundled library is bundled (the loader is NEEDED under its own name
    # and is lib/ld.so).
    missing, seen = [], set(dlopened)
    todo = [os.path.join(task, "bin", "spotbench")] + \
        [os.path.join(task, "lib", n) for n in dlopened if "lib/" + n in infos]
    while todo:
        f = todo.pop()
        for lib in needed(f):
            if lib in seen:
                continue
            seen.add(lib)
            p = os.path.join(task, "lib", lib)
            if lib.startswith("ld-linux"):
                continue
            if os.path.exists(p):
                todo.append(p)
            else:
                missing.append((os.path.basename(f), lib))
    c.check(f"zip: all {len(seen)} NEEDED libraries, recursively, are in lib/",
            not missing and len(seen) > 5, missing)
    boot_needed = needed(os.path.join(task, "bootstrap"))
    c.check("zip: bootstrap is static (needs no library)", boot_needed == [], boot_needed)


def lambda_env(rt, extra):
    env = {"AWS_LAMBDA_RUNTIME_API": rt.address, "LAMBDA_TASK_ROOT": "/var/task",
           "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
           "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_SESSION_TOKEN": "",
           "AWS_EC2_METADATA_DISABLED": "true", "SPOTBENCH_RETRY_SCALE": "0",
           "SPOTBENCH_NOW": str(NOW), "AWS_LAMBDA_FUNCTION_NAME": "spotbench"}
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


class Bootstrap:
    """The zip's bootstrap, in the empty root when possible."""

    def __init__(self, root, chrooted, san):
        self.root, self.chrooted, self.san = root, chrooted, san

    def task(self):
        return os.path.join(self.root, "var", "task")

    def start(self, env, args, out):
        task = self.task()
        if self.chrooted:
            if self.san:
                # AddressSanitizer reads /proc/self/maps: a private mount
                # namespace gets a /proc in the root; nothing else is added.
                os.makedirs(os.path.join(self.root, "proc"), exist_ok=True)
                cmd = [shutil.which("unshare"), "--mount", "--fork", "/bin/sh", "-c",
                       'mount -t proc proc "$0/proc" && exec /usr/sbin/chroot "$0" /var/task/bootstrap "$@"',
                       self.root] + args
            else:
                cmd = [shutil.which("chroot"), self.root, "/var/task/bootstrap"] + args
        else:
            env = dict(env, LAMBDA_TASK_ROOT=task)
            cmd = [os.path.join(task, "bootstrap")] + args
        return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)


def finish(p, timeout=20):
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def run_init_error(c, boot, log):
    rt = FakeRuntime().start()
    try:
        p = boot.start(lambda_env(rt, {"SPOTBENCH_APPLY": "yes"}), [], log)
        got = rt.wait_init_error(timeout=15)
        rc = finish(p)
        body = json.loads(got[1]) if got else {}
        c.check("SPOTBENCH_APPLY=yes: /runtime/init/error, Runtime.ConfigInvalid, exit 2",
                got is not None and got[0] == "Runtime.ConfigInvalid" and rc == 2 and
                body.get("errorType") == "Runtime.ConfigInvalid" and
                "SPOTBENCH_APPLY" in body.get("errorMessage", ""), (got, rc))
        c.check("... and no invocation was asked for",
                ("GET", "/2018-06-01/runtime/invocation/next") not in rt.requests, rt.requests)
    finally:
        rt.stop()
    rt = FakeRuntime().start()
    try:
        p = boot.start(lambda_env(rt, {"SPOTBENCH_LIVE_CONFIG": "{"}), [], log)
        got = rt.wait_init_error(timeout=15)
        rc = finish(p)
        c.check("a bad SPOTBENCH_LIVE_CONFIG: /runtime/init/error, Runtime.ConfigInvalid, "
                "exit 2 (bad input, as the help says)",
                got is not None and got[0] == "Runtime.ConfigInvalid" and rc == 2, (got, rc))
    finally:
        rt.stop()


def run_post_timeout(c, boot, log):
    """A Runtime API that accepts a POST and never answers: the process ends
    (exit 1, Lambda starts a new one) within the POST timeout of 10 s instead
    of hanging until the function's Timeout."""
    rt = FakeRuntime(hang_posts=True).start()
    try:
        start = log.seek(0, os.SEEK_END)
        p = boot.start(lambda_env(rt, {}), ["--max-invocations", "2"], log)
        t0 = time.monotonic()
        rt.enqueue("this is not JSON")  # answered at once, to /error: a POST
        rc = finish(p, timeout=40)
        secs = time.monotonic() - t0
        log.seek(start)
        text = log.read().decode(errors="replace")
        c.check("a POST the Runtime API never answers: exit 1 after about 10 s, naming it",
                rc == 1 and 8 <= secs <= 30 and "Runtime API POST" in text and
                "/error" in text, (rc, round(secs, 1), text[-500:]))
    finally:
        rt.stop()


def config(sfr, **extra):
    cfg = {"region": REGION, "FleetRequestId": sfr, "AutoScalingGroupName": ASG,
           "policy": "guarded", "params": {"scale_in_delay": 120}, "max_on_demand": 10,
           "timeout": 5}
    cfg.update(extra)
    return cfg


def run_without_moto(c, boot, log):
    """Bad events and an unreachable AWS: no emulator needed."""
    rt = FakeRuntime().start()
    try:
        sfr = "sfr-5e2d6c1a-3b7f-4c9e-8a41-0d2f6b9e7c13"
        # The loader says which files it initialises: libcurl and libxml2
        # must come from the zip's lib/ (the bootstrap's --library-path), not
        # from the host when the run is not in an empty root.
        start = log.seek(0, os.SEEK_END)
        p = boot.start(lambda_env(rt, {"LD_DEBUG": "libs"}), ["--max-invocations", "4"], log)
        bad = rt.invoke(dict(config(sfr), intervall=60), timeout=20)
        body = json.loads(bad[1]) if bad else {}
        c.check("an event with an unknown key: /error, Spotbench.InvalidEvent, key named",
                bad is not None and bad[0] == "error" and bad[2] == "Spotbench.InvalidEvent" and
                body.get("errorType") == "Spotbench.InvalidEvent" and
                "unknown key 'intervall'" in body.get("errorMessage", ""), bad)
        # An external policy whose command is not there: the event is
        # refused, naming it (a simple command runs without a shell: the
        # empty root has no /bin/sh, docs/deploy.md).
        nosuch = rt.invoke(config(sfr, policy="exec:/var/task/nosuch-policy", params={}),
                           timeout=20)
        body = json.loads(nosuch[1]) if nosuch else {}
        c.check("an event whose exec: policy cannot start: Spotbench.InvalidEvent, the policy "
                "named with the child's exit status 127",
                nosuch is not None and nosuch[2] == "Spotbench.InvalidEvent" and
                "event: policy: exec:/var/task/nosuch-policy: the policy exited with status "
                "127 before answering" in body.get("errorMessage", "") and
                "its last stderr lines: /var/task/nosuch-policy: not found" in
                body.get("errorMessage", ""), nosuch)
        # A closed loopback port (the runtime's own port + nothing): every
        # call fails at once, the tick saw nothing.
        dead = "http://127.0.0.1:9"
        got = rt.invoke(config(sfr, endpoints={"cloudwatch": dead, "autoscaling": dead,
                                               "ec2": dead}, max_attempts=1), timeout=30)
        body = json.loads(got[1]) if got else {}
        c.check("AWS unreachable: /error, Spotbench.TickFailed, the failed calls listed",
                got is not None and got[0] == "error" and got[2] == "Spotbench.TickFailed" and
                "no call of the tick succeeded" in body.get("errorMessage", "") and
                "GetMetricStatistics" in body.get("errorMessage", ""), got)
        notjson = rt.invoke("this is not JSON", timeout=20)
        c.check("an event that is not JSON: Spotbench.InvalidEvent, and the process ends "
                "after --max-invocations 4 with exit 0",
                notjson is not None and notjson[2] == "Spotbench.InvalidEvent" and
                finish(p) == 0, notjson)
        log.seek(start)
        inits = [l.split("calling init:", 1)[1].strip()
                 for l in log.read().decode(errors="replace").splitlines()
                 if "calling init:" in l]
        lib = os.path.join("/var/task" if boot.chrooted else boot.task(), "lib")
        got = {n: [f for f in inits if os.path.basename(f) == n]
               for n in ("libcurl.so.4", "libxml2.so.2")}
        c.check("the tick loaded libcurl and libxml2 from the zip's lib/ (dlopen through "
                "the bundled loader's --library-path)",
                all(v == [os.path.join(lib, n)] for n, v in got.items()), got)
    finally:
        rt.stop()


def run_with_moto(c, boot, log, home):
    import test_live_moto as tm
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc, url = tm.start_moto(log, server_env)
    rt = FakeRuntime().start()
    p = None
    try:
        ec2, asg, cw = tm.clients(url, "ec2", "autoscaling", "cloudwatch")
        sfr = tm.request_fleet(ec2)
        tm.od_group(asg, ASG)
        data = tm.fleet_metrics(sfr, range(NOW - 15 * 60, NOW, 60),
                                lambda t: 8 if t >= NOW - 3 * 60 else 0)
        for i in range(0, len(data), 20):
            cw.put_metric_data(Namespace="AWS/EC2Spot", MetricData=data[i:i + 20])

        def desired():
            return asg.describe_auto_scaling_groups(
                AutoScalingGroupNames=[ASG])["AutoScalingGroups"][0]["DesiredCapacity"]

        cfg = config(sfr)
        env = lambda_env(rt, {"SPOTBENCH_APPLY": "true", "AWS_ENDPOINT_URL": url,
                              "SPOTBENCH_LIVE_CONFIG": json.dumps(cfg)})
        p = boot.start(env, ["--max-invocations", "7"], log)
        got = rt.invoke(cfg, timeout=30)
        res = json.loads(got[1]) if got and got[0] == "response" else {}
        d = res.get("decision", {})
        c.check("a live config event: response, applied DesiredCapacity 2 HonorCooldown=false",
                res.get("outcome") == "applied" and d.get("DesiredCapacity") == 2 and
                d.get("HonorCooldown") is False and res.get("apply") is True, got)
        c.check("... the group went 0 -> 2 in moto", desired() == 2, desired())
        c.check("... the result holds the observation (policy eval's format)",
                res.get("observation", {}).get("now") == NOW and
                "PendingCapacity" in json.dumps(res.get("observation")), res)

        bad = rt.invoke(dict(cfg, intervall=60), timeout=20)
        c.check("a bad event: /error with Lambda-Runtime-Function-Error-Type "
                "Spotbench.InvalidEvent", bad is not None and bad[0] == "error" and
                bad[2] == "Spotbench.InvalidEvent" and "intervall" in bad[1], bad)
        got = rt.invoke(cfg, timeout=30)
        res = json.loads(got[1]) if got and got[0] == "response" else {}
        c.check("the next invocation still works: sees 2, changes nothing",
                res.get("outcome") == "none" and "ASG desired=2 " in res.get("line", ""), got)
        sns = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                            "Sns": {"Type": "Notification", "Subject": "ALARM",
                                    "Message": "{\"AlarmName\":\"PendingCapacity\"}"}}]}
        got = rt.invoke(sns, timeout=30)
        res = json.loads(got[1]) if got and got[0] == "response" else {}
        c.check("an SNS notification runs SPOTBENCH_LIVE_CONFIG",
                res.get("FleetRequestId") == sfr and res.get("outcome") == "none", got)

        # The event queue (tests/aws/test_events_moto.py has the whole path):
        # a warning for one 4-unit instance on top of the 8 pending units:
        # 12 units, ceil(12 / 4) = 3 instances.
        sqs, = tm.clients(url, "sqs")
        queue = sqs.create_queue(QueueName="spotbench-events")["QueueUrl"]
        inst = ec2.describe_spot_fleet_instances(
            SpotFleetRequestId=sfr)["ActiveInstances"][0]["InstanceId"]
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({
            "version": "0", "id": "0d7e3b5c-1f2a-4b6c-8d9e-0a1b2c3d4e5f",
            "detail-type": "EC2 Spot Instance Interruption Warning", "source": "aws.ec2",
            "time": "2017-03-01T11:59:40Z", "region": REGION, "resources": [],
            "detail": {"instance-id": inst, "instance-action": "terminate"}}))
        qcfg = dict(cfg, EventQueueUrl=queue)
        got = rt.invoke(qcfg, timeout=30)
        res = json.loads(got[1]) if got and got[0] == "response" else {}
        d = res.get("decision", {})
        c.check("EventQueueUrl: the warning read from the queue, 8 + 4 units: applied "
                "DesiredCapacity 3", "| events: 1 warning," in res.get("line", "") and
                res.get("outcome") == "applied" and d.get("DesiredCapacity") == 3 and
                res.get("observation", {}).get("events", {}).get("InterruptionWarnings") ==
                [[NOW, 4]], got)
        got = rt.invoke(qcfg, timeout=30)
        res = json.loads(got[1]) if got and got[0] == "response" else {}
        # The runtime asked for this invocation only after deleting the
        # last one's message (which it does once the answer is posted).
        left = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        c.check("... the message deleted once the answer was posted",
                left["ApproximateNumberOfMessages"] == "0" and
                left["ApproximateNumberOfMessagesNotVisible"] == "0", left)
        c.check("... the warm function keeps the event within its two minutes: given again, "
                "nothing new read, the group already at 3",
                "| events: 0 warnings," in res.get("line", "") and
                res.get("observation", {}).get("events", {}).get("InterruptionWarnings") ==
                [[NOW, 4]] and res.get("outcome") == "none", got)

        # A spot Auto Scaling group (SpotAutoScalingGroupName) with its own
        # fallback group, and a policy reading failed launches: its
        # AWS/AutoScaling metrics show 8 units pending (ceil(8 / 4) = 2
        # instances); the scaling activities are read each invocation (moto
        # records none that failed: an empty list, the decision unchanged).
        spot, od = "spotbench-spot-lambda", "spotbench-od-lambda"
        tm.spot_group(ec2, asg, cw, spot, od, "spotbench-lambda")
        gcfg = {"region": REGION, "SpotAutoScalingGroupName": spot, "AutoScalingGroupName": od,
                "policy": "guarded", "params": {"scale_in_delay": 120, "use_launch_failures": 1},
                "max_on_demand": 10, "timeout": 5}
        got = rt.invoke(gcfg, timeout=30)
        res = json.loads(got[1]) if got and got[0] == "response" else {}
        d = res.get("decision", {})
        od_desired = asg.describe_auto_scaling_groups(
            AutoScalingGroupNames=[od])["AutoScalingGroups"][0]["DesiredCapacity"]
        c.check("a spot group: activities read (none failed in moto), 8 units pending: "
                "applied DesiredCapacity 2 to its fallback group",
                res.get("outcome") == "applied" and d.get("DesiredCapacity") == 2 and
                od_desired == 2 and "| failed spot launches: 0 |" in res.get("line", "") and
                res.get("observation", {}).get("launch_failures") == [], (got, od_desired))

        rc = finish(p)
        c.check("exit 0 after --max-invocations 7", rc == 0, rc)
        with open(log.name, "rb") as fh:
            text = fh.read().decode(errors="replace")
        c.check("no secret in the function's output", SECRET_KEY not in text)
    finally:
        if p and p.poll() is None:
            p.kill()
        rt.stop()
        tm.stop(proc)


def main():
    have_moto = reexec_for_moto(__file__, REEXEC)
    c = Checks("lambda")
    if not os.path.exists(ZIP):
        c.check(f"{ZIP} is built (make test builds it; make lambda too)", False)
        print(f"{c.passed} passed, {c.failed} failed")
        return 1

    def on_alarm(sig, frame):
        raise TimeoutError(f"watchdog: over {WATCHDOG} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(WATCHDOG)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lambda-test.") as tmp:
        root = os.path.join(tmp, "root")
        task = os.path.join(root, "var", "task")
        os.makedirs(task)
        with zipfile.ZipFile(ZIP) as z:
            for i in z.infolist():
                z.extract(i, task)
                os.chmod(os.path.join(task, i.filename), (i.external_attr >> 16) & 0o777)
        check_zip(c, task)
        san = any(n.startswith("libasan") for n in os.listdir(os.path.join(task, "lib")))
        chrooted = os.geteuid() == 0 and shutil.which("chroot") and \
            (not san or shutil.which("unshare"))
        if chrooted:
            c.check("the root holds nothing but var/task (the zip)",
                    os.listdir(root) == ["var"] and os.listdir(os.path.join(root, "var")) == ["task"])
            print("info lambda: bootstrap runs in an empty root (chroot), empty environment"
                  + (" (+ /proc for AddressSanitizer)" if san else ""))
        else:
            print("SKIPPED: empty-root run (needs root and chroot); the bootstrap runs on the host")
        boot = Bootstrap(root, chrooted, san)
        with open(os.path.join(tmp, "out.log"), "w+b") as log:
            try:
                run_init_error(c, boot, log)
                run_without_moto(c, boot, log)
                run_post_timeout(c, boot, log)
                if have_moto:
                    run_with_moto(c, boot, log, tmp)
                else:
                    print("SKIPPED: moto not importable (python3 -c 'import moto' failed): "
                          "the 0 -> N run against the AWS emulator")
            except Exception as e:  # a crash is a failed check
                c.check("ran to the end", False, f"{type(e).__name__}: {e}")
            finally:
                signal.alarm(0)
            log.seek(0)
            text = log.read().decode(errors="replace")
            if VERBOSE or c.failed:
                print("     function output:\n" + "\n".join("       " + l for l in text.splitlines()[-40:]))
    print(f"# {time.monotonic() - t0:.1f} s")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
