#!/usr/bin/python3
"""fake_ctl.py: start and drive tests/aws/fake_aws.py from a Python test.

    from fake_ctl import FakeAws
    with FakeAws(scenario="tests/aws/scenarios/outage.json") as fake:
        env = fake.client_env()          # AWS_* variables, SPOTBENCH_NOW
        fake.advance(600)                # simulated seconds
        fake.fault("GetMetricStatistics", "throttle", count=2)
        st = fake.state()                # now, asg, fleet, calls
        calls = fake.calls("SetDesiredCapacity")

The fake runs as a child process on a free 127.0.0.1 port; its first stdout
line "PORT=<n>" says it is ready. It exits when stop() is called, when the
`with` block ends, or when this process dies (its stdin closes).

Run as a script for a quick manual session:
    /usr/bin/python3 tests/aws/fake_ctl.py [--scenario FILE]
prints the endpoint and the client environment, and serves until Ctrl-C.
"""

import json
import os
import select
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake_aws.py")
PYTHON = "/usr/bin/python3"

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

# Control calls go straight to 127.0.0.1, never through a proxy from the
# environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FakeError(RuntimeError):
    pass


class FakeAws:
    """A running fake_aws.py. `scenario` is a path, a dict (written to a
    temporary file) or None (the built-in scenario). `args` are extra
    command-line arguments (e.g. ["--session-token", "T"])."""

    def __init__(self, scenario=None, args=(), region=None, session_token=None,
                 expired_token=False, start_timeout=15.0):
        self._tmp = tempfile.TemporaryDirectory(prefix="fake_aws.")
        self.session_token = session_token
        cmd = [PYTHON, FAKE, "--port", "0", "--exit-on-stdin-eof"]
        if isinstance(scenario, dict):
            path = os.path.join(self._tmp.name, "scenario.json")
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(scenario, fh)
            scenario = path
        if scenario is not None:
            cmd += ["--scenario", scenario]
        if region:
            cmd += ["--region", region]
        if session_token is not None:
            cmd += ["--session-token", session_token]
        if expired_token:
            cmd += ["--expired-token"]
        cmd += list(args)
        self.log_path = os.path.join(self._tmp.name, "fake_aws.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log)
        self.port = self._read_port(start_timeout)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.region = region or self.state(calls=False)["region"]

    def _read_port(self, timeout):
        deadline = time.monotonic() + timeout
        buf = b""
        fd = self.proc.stdout.fileno()
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise FakeError(f"fake_aws.py did not print PORT= within {timeout}s; "
                                f"log: {self.log_text()}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.stop()
                    raise FakeError(f"fake_aws.py exited before PORT=; log: {self.log_text()}")
                buf += chunk
        line = buf.split(b"\n", 1)[0].decode()
        if not line.startswith("PORT="):
            self.stop()
            raise FakeError(f"fake_aws.py's first line is not PORT=: {line!r}")
        return int(line[5:])

    # -- control API --
    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with _OPENER.open(req, timeout=10) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            raise FakeError(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}")

    def state(self, since=0, calls=True):
        q = f"?since={since}" + ("" if calls else "&calls=0")
        return self._call("GET", "/_fake/state" + q)

    def calls(self, action=None, since=0):
        """The AWS requests the fake received (all, or one action's)."""
        cs = self.state(since=since)["calls"]
        return [c for c in cs if action is None or c["action"] == action]

    def ncalls(self):
        return self.state(calls=False)["ncalls"]

    def now(self):
        """Simulated now, epoch seconds."""
        return self.state(calls=False)["now_epoch"]

    def advance(self, seconds):
        return self._call("POST", "/_fake/advance", {"seconds": seconds})

    def advance_to(self, when):
        """`when`: epoch seconds or ISO-8601; simulated time never goes back."""
        return self._call("POST", "/_fake/advance", {"to": when})

    def fault(self, action, kind, count=1, delay=None):
        body = {"action": action, "kind": kind, "count": count}
        if delay is not None:
            body["delay"] = delay
        return self._call("POST", "/_fake/fault", body)

    def reset(self, scenario=None):
        return self._call("POST", "/_fake/reset",
                          {"scenario": scenario} if scenario is not None else {})

    # -- for clients --
    def client_env(self, base=None, secret_key=SECRET_KEY, home=None):
        """An environment for a client (the aws CLI, spotbench) pointed at the
        fake: test credentials, region, no instance metadata, no proxies, no
        pager, SPOTBENCH_NOW = simulated now. AWS_ENDPOINT_URL is set too, for
        clients that honour it (awscli 2.9 does not: pass --endpoint-url)."""
        env = dict(os.environ if base is None else base)
        for k in list(env):
            if k.lower() in ("http_proxy", "https_proxy", "all_proxy") or \
                    k.startswith("AWS_"):
                del env[k]
        env.update({
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "SPOTBENCH_NOW": str(self.now()),
        })
        if self.session_token is not None:
            env["AWS_SESSION_TOKEN"] = self.session_token
        if home is not None:
            env["HOME"] = home
            env["AWS_CONFIG_FILE"] = os.path.join(home, ".aws", "config")
            env["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(home, ".aws", "credentials")
        return env

    def log_text(self):
        try:
            self._log.flush()
            with open(self.log_path, "rb") as fh:
                return fh.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self._log.close()

    def close(self):
        self.stop()
        self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _main():
    import argparse
    ap = argparse.ArgumentParser(description="Run fake_aws.py for a manual session.")
    ap.add_argument("--scenario")
    a = ap.parse_args()
    with FakeAws(scenario=a.scenario) as fake:
        env = fake.client_env(base={})
        print(f"endpoint {fake.endpoint}")
        for k in sorted(env):
            print(f"export {k}='{env[k]}'")
        print("# control: curl -s %s/_fake/state | less" % fake.endpoint)
        try:
            while fake.proc.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(_main())
