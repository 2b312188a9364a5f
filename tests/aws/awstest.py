"""awstest.py: what the Python tests of tests/aws share: a check counter
that prints "ok"/"FAIL" lines and the closing "N passed, N failed", and the
switch to the python3 that has moto.
"""
import os
import shutil
import subprocess
import sys


class Checks:
    def __init__(self, name):
        self.name = name
        self.passed = self.failed = 0

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok   {self.name}: {what}")
        else:
            self.failed += 1
            print(f"FAIL {self.name}: {what}" + (f"\n     {str(detail)[:2000]}" if detail else ""))
        return cond

    def summary(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def reexec_for_moto(script, marker):
    """Returns True when moto and boto3 import here. Otherwise runs `script`
    again under the python3 on PATH when that one has them (moto is not a
    Debian package: `make test` starts these files with /usr/bin/python3),
    and returns False when no python3 has them."""
    try:
        import moto  # noqa: F401
        import boto3  # noqa: F401
        return True
    except ImportError:
        pass
    if os.environ.get(marker):
        return False
    py = shutil.which("python3")
    if py and subprocess.run([py, "-c", "import moto, boto3"], capture_output=True).returncode == 0:
        os.environ[marker] = py
        os.execv(py, [py, os.path.abspath(script)] + sys.argv[1:])
    return False
