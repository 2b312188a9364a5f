#!/usr/bin/python3
"""fake_aws.py: a fake AWS endpoint for testing spotbench's `live` mode.

One HTTP port on 127.0.0.1 serves the Query-protocol calls spotbench makes to
three services, told apart by the SigV4 credential scope's service name:

  monitoring  (CloudWatch, 2010-08-01)   GetMetricStatistics
  autoscaling (Auto Scaling, 2011-01-01) DescribeAutoScalingGroups,
                                         SetDesiredCapacity
  ec2         (EC2, 2016-11-15)          DescribeSpotFleetRequests

Every request's SigV4 signature is checked by recomputing it with botocore's
own signer (botocore.auth.SigV4Auth) from the request as received. The state
behind the answers is a scripted scenario (JSON) replayed in SIMULATED time,
which moves only when a test says so through the unsigned control API under
/_fake/. See tests/aws/README.md for the scenario format, the control API and
the fault kinds.

Readiness: the first line on stdout is "PORT=<n>" (flushed) once the socket
is listening. Run with Debian's python (/usr/bin/python3): it has botocore.
"""

import argparse
import calendar
import hashlib
import hmac
import json
import math
import os
import random
import re
import signal
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit
from xml.sax.saxutils import escape

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

# ---- fixed test credentials ------------------------------------------------

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

# ---- services ---------------------------------------------------------------

SERVICES = {
    "monitoring": {
        "version": "2010-08-01",
        "ns": "http://monitoring.amazonaws.com/doc/2010-08-01/",
        "actions": ("GetMetricStatistics",),
        "ec2_style": False,
    },
    "autoscaling": {
        "version": "2011-01-01",
        "ns": "http://autoscaling.amazonaws.com/doc/2011-01-01/",
        "actions": ("DescribeAutoScalingGroups", "SetDesiredCapacity"),
        "ec2_style": False,
    },
    "ec2": {
        "version": "2016-11-15",
        "ns": "http://ec2.amazonaws.com/doc/2016-11-15/",
        "actions": ("DescribeSpotFleetRequests",),
        "ec2_style": True,
    },
}
ACTION_SERVICE = {a: s for s, d in SERVICES.items() for a in d["actions"]}

FLEET_METRICS = ("TargetCapacity", "FulfilledCapacity", "PendingCapacity",
                 "TerminatingCapacity")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
FAULT_KINDS = ("throttle", "500", "slow", "malformed", "expired-token", "drop")
# "sfr- followed by 36 characters, including hyphens" (EC2's error-code list).
SFR_ID_RE = re.compile(r"^sfr-[0-9A-Za-z-]{36}$")
AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")


class AwsError(Exception):
    """An error answered in the service's own Query error shape."""

    def __init__(self, status, code, message, sender=True):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.sender = sender


# ---- time ---------------------------------------------------------------------

def parse_time(value, what="time"):
    """ISO-8601 (Z or offset, optional fraction) or epoch seconds -> epoch float."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what}: not a time: {value!r}")
    s = value.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return float(s)
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"{what}: not an ISO-8601 time: {value!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def iso_ms(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t))) + ".000Z"


def fnum(v):
    """A Double as AWS prints it: 32.0, 7.5."""
    return repr(float(v))


def xml_bool(b):
    return "true" if b else "false"


# ---- scenario -----------------------------------------------------------------

DEFAULT_SCENARIO = {
    "region": "us-east-1",
    "start": "2017-03-01T12:00:00Z",
    "account": "123456789012",
    "fleet": {
        "SpotFleetRequestId": "sfr-5e2d6c1a-3b7f-4c9e-8a41-0d2f6b9e7c13",
        "TargetCapacity": 32,
        "FulfilledCapacity": [[-60, 32], [5, 24], [25, 32]],
        "TerminatingCapacity": 0,
        "AllocationStrategy": "lowestPrice",
        "IamFleetRole": "arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role",
        "CreateTime": "2017-03-01T10:00:00Z",
        "LaunchSpecifications": [
            {"InstanceType": "c3.xlarge", "AvailabilityZone": "us-east-1a",
             "WeightedCapacity": 4, "SpotPrice": "0.05", "Monitoring": {"Enabled": True}}
        ],
    },
    "asg": {
        "AutoScalingGroupName": "spotbench-od",
        "MinSize": 0,
        "MaxSize": 20,
        "DesiredCapacity": 0,
        "DefaultCooldown": 300,
        "LaunchDelay": 120,
        "InstanceType": "c3.xlarge",
        "AvailabilityZones": ["us-east-1a", "us-east-1b"],
        "CreatedTime": "2017-02-01T00:00:00Z",
    },
    "cloudwatch": {
        "IngestionDelay": 30,
        "HistoryMinutes": 60,
        "Missing": {},
        "LateMinutes": {},
        "DatapointOrder": "shuffled",
    },
}

_KEYS = {
    "": {"region", "start", "account", "fleet", "asg", "cloudwatch", "comment"},
    "fleet": {"SpotFleetRequestId", "TargetCapacity", "FulfilledCapacity",
              "TerminatingCapacity", "AllocationStrategy", "IamFleetRole",
              "CreateTime", "LaunchSpecifications", "SpotFleetRequestState",
              "Type", "comment"},
    "asg": {"AutoScalingGroupName", "MinSize", "MaxSize", "DesiredCapacity",
            "DefaultCooldown", "LaunchDelay", "InstanceType",
            "AvailabilityZones", "CreatedTime", "HealthCheckGracePeriod",
            "comment"},
    "cloudwatch": {"IngestionDelay", "HistoryMinutes", "Missing",
                   "LateMinutes", "DatapointOrder", "comment"},
}


class Steps:
    """A per-minute step function of the minute offset from `start`.

    Given as a number (constant), a list of numbers (the value of minute 0,
    1, 2, ...; the last holds afterwards and the first before minute 0), or
    a list of [minute, value] pairs (each value holds from its minute until
    the next pair's; the first holds before its minute too)."""

    def __init__(self, spec, where):
        self.pts = []
        if _is_num(spec):
            self.pts = [(0, float(spec))]
        elif isinstance(spec, list) and spec and all(_is_num(v) for v in spec):
            self.pts = [(i, float(v)) for i, v in enumerate(spec)]
        elif isinstance(spec, list) and spec and all(
                isinstance(p, list) and len(p) == 2 and isinstance(p[0], int)
                and not isinstance(p[0], bool) and _is_num(p[1]) for p in spec):
            self.pts = [(p[0], float(p[1])) for p in spec]
            for a, b in zip(self.pts, self.pts[1:]):
                if b[0] <= a[0]:
                    raise ValueError(f"{where}: minutes must increase ({a[0]} then {b[0]})")
        else:
            raise ValueError(f"{where}: a number, a list of numbers, or a list "
                             f"of [minute, value] pairs")
        for m, v in self.pts:
            if v < 0:
                raise ValueError(f"{where}: value at minute {m} is negative")

    def at(self, minute):
        val = self.pts[0][1]
        for m, v in self.pts:
            if m <= minute:
                val = v
            else:
                break
        return val


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _int(d, key, where, lo=None):
    v = d[key]
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValueError(f"{where}.{key}: an integer")
    if lo is not None and v < lo:
        raise ValueError(f"{where}.{key}: must be >= {lo}")
    return v


def _merge(defaults, given, where):
    if not isinstance(given, dict):
        raise ValueError(f"{where or 'scenario'}: an object")
    unknown = set(given) - _KEYS[where]
    if unknown:
        raise ValueError(f"{where or 'scenario'}: unknown key(s) {sorted(unknown)}")
    out = dict(defaults)
    out.update(given)
    return out


class Scenario:
    def __init__(self, raw):
        raw = _merge(DEFAULT_SCENARIO, raw, "")
        self.raw = raw
        self.region = raw["region"]
        if not isinstance(self.region, str) or not self.region:
            raise ValueError("region: a string")
        self.start = parse_time(raw["start"], "start")
        if self.start % 60:
            raise ValueError("start: must be on a whole minute")
        self.account = str(raw["account"])

        f = _merge(DEFAULT_SCENARIO["fleet"], raw["fleet"], "fleet")
        self.fleet = f
        if not SFR_ID_RE.match(str(f["SpotFleetRequestId"])):
            raise ValueError("fleet.SpotFleetRequestId: sfr- followed by 36 "
                             "characters, including hyphens (a UUID)")
        self.target = Steps(f["TargetCapacity"], "fleet.TargetCapacity")
        self.fulfilled = Steps(f["FulfilledCapacity"], "fleet.FulfilledCapacity")
        self.terminating = Steps(f["TerminatingCapacity"], "fleet.TerminatingCapacity")
        self.fleet_create = parse_time(f["CreateTime"], "fleet.CreateTime")

        a = _merge(DEFAULT_SCENARIO["asg"], raw["asg"], "asg")
        self.asg = a
        for k in ("MinSize", "MaxSize", "DesiredCapacity", "DefaultCooldown",
                  "LaunchDelay"):
            _int(a, k, "asg", 0)
        if not a["MinSize"] <= a["DesiredCapacity"] <= a["MaxSize"]:
            raise ValueError("asg: need MinSize <= DesiredCapacity <= MaxSize")
        if not a["AvailabilityZones"]:
            raise ValueError("asg.AvailabilityZones: at least one")
        self.asg_created = parse_time(a["CreatedTime"], "asg.CreatedTime")

        c = _merge(DEFAULT_SCENARIO["cloudwatch"], raw["cloudwatch"], "cloudwatch")
        self.ingestion_delay = _int(c, "IngestionDelay", "cloudwatch", 0)
        self.history = _int(c, "HistoryMinutes", "cloudwatch", 0)
        if c["DatapointOrder"] not in ("ascending", "descending", "shuffled"):
            raise ValueError("cloudwatch.DatapointOrder: ascending, descending or shuffled")
        self.order = c["DatapointOrder"]
        self.missing = {}   # metric -> set of minutes ("*" = every metric)
        if not isinstance(c["Missing"], dict):
            raise ValueError("cloudwatch.Missing: an object {metric: [minutes]}")
        for k, v in c["Missing"].items():
            if k != "*" and k not in FLEET_METRICS:
                raise ValueError(f"cloudwatch.Missing: unknown metric {k!r}")
            if not isinstance(v, list) or not all(isinstance(m, int) for m in v):
                raise ValueError(f"cloudwatch.Missing.{k}: a list of minutes")
            self.missing[k] = set(v)
        self.late = {}
        if not isinstance(c["LateMinutes"], dict):
            raise ValueError("cloudwatch.LateMinutes: an object {minute: delay}")
        for k, v in c["LateMinutes"].items():
            try:
                m = int(k)
            except ValueError:
                raise ValueError(f"cloudwatch.LateMinutes: key {k!r} is not a minute") from None
            if not isinstance(v, int) or v < 0:
                raise ValueError(f"cloudwatch.LateMinutes.{k}: delay in seconds >= 0")
            self.late[m] = v

    # -- the fleet's metrics, per minute offset from start --
    def metric(self, name, minute):
        t = self.target.at(minute)
        if name == "TargetCapacity":
            return t
        ful = self.fulfilled.at(minute)
        if name == "FulfilledCapacity":
            return ful
        if name == "PendingCapacity":
            return max(0.0, t - ful)
        return self.terminating.at(minute)

    def datapoint_exists(self, name, minute):
        if minute < -self.history:
            return False
        return not (minute in self.missing.get(name, ()) or
                    minute in self.missing.get("*", ()))

    def visible_from(self, minute):
        ts = self.start + 60 * minute
        return ts + 60 + self.late.get(minute, self.ingestion_delay)


def load_scenario(path):
    if path is None:
        return Scenario({})
    with open(path, encoding="utf-8") as fh:
        try:
            raw = json.load(fh)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not JSON: {e}") from None
    try:
        return Scenario(raw)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


# ---- simulated world ----------------------------------------------------------

class World:
    """Everything the fake knows, guarded by one lock."""

    def __init__(self, scenario, args):
        self.lock = threading.Lock()
        self.args = args
        self.reset(scenario)

    def reset(self, scenario):
        self.sc = scenario
        self.region = self.args.region or scenario.region
        self.now = scenario.start
        self.calls = []
        self.faults = []
        a = scenario.asg
        self.desired = a["DesiredCapacity"]
        self.instances = []   # dicts: id, az, launched (epoch), ready (epoch)
        self.next_inst = 1
        for _ in range(self.desired):
            self._new_instance(scenario.start - a["LaunchDelay"] - 3600)
        self.cooldown_until = scenario.start
        self.activity_until = scenario.start
        self.activity_id = None

    # -- ASG --
    def _new_instance(self, launched):
        a = self.sc.asg
        n = self.next_inst
        self.next_inst += 1
        azs = a["AvailabilityZones"]
        self.instances.append({
            "id": "i-%017x" % (0xf00d0000 + n),
            "az": azs[(n - 1) % len(azs)],
            "launched": launched,
            "ready": launched + a["LaunchDelay"],
        })

    def in_service(self, inst):
        return self.now >= inst["ready"]

    def set_desired(self, name, n, honor):
        a = self.sc.asg
        if name != a["AutoScalingGroupName"]:
            raise AwsError(400, "ValidationError",
                           f"AutoScalingGroup name not found - AutoScalingGroup '{name}' not found")
        if n > a["MaxSize"]:
            raise AwsError(400, "ValidationError",
                           f"New SetDesiredCapacity value {n} is above max value "
                           f"{a['MaxSize']} for the AutoScalingGroup.")
        if n < a["MinSize"]:
            raise AwsError(400, "ValidationError",
                           f"New SetDesiredCapacity value {n} is below min value "
                           f"{a['MinSize']} for the AutoScalingGroup.")
        if honor and self.now < self.cooldown_until:
            if self.now < self.activity_until and self.activity_id:
                raise AwsError(400, "ScalingActivityInProgress",
                               f"Scaling activity {self.activity_id} is in progress "
                               f"and blocks this action")
            raise AwsError(400, "ScalingActivityInProgress",
                           "You cannot set desired capacity while a scaling "
                           "activity is in progress")
        self.desired = n
        live = len(self.instances)
        if n > live:
            for _ in range(n - live):
                self._new_instance(self.now)
            last = self.now + a["LaunchDelay"]
            self.activity_until = max(self.activity_until, last)
            self.cooldown_until = max(self.cooldown_until, last + a["DefaultCooldown"])
            self.activity_id = str(uuid.uuid4())
        elif n < live:
            while len(self.instances) > n:
                self.instances.pop(self._victim())
            self.cooldown_until = max(self.cooldown_until, self.now + a["DefaultCooldown"])
            self.activity_id = str(uuid.uuid4())

    def _victim(self):
        """The index of the instance a scale-in removes: a Pending one first
        (the newest), else the InService one closest to the end of its
        instance-hour, the oldest on a tie (the simulator's rule)."""
        pending = [i for i, inst in enumerate(self.instances) if not self.in_service(inst)]
        if pending:
            return max(pending, key=lambda i: (self.instances[i]["launched"], i))
        return min(range(len(self.instances)),
                   key=lambda i: (3600 - (self.now - self.instances[i]["ready"]) % 3600, i))

    def asg_state(self):
        ins = sum(1 for i in self.instances if self.in_service(i))
        return {
            "AutoScalingGroupName": self.sc.asg["AutoScalingGroupName"],
            "MinSize": self.sc.asg["MinSize"],
            "MaxSize": self.sc.asg["MaxSize"],
            "DesiredCapacity": self.desired,
            "DefaultCooldown": self.sc.asg["DefaultCooldown"],
            "InService": ins,
            "Pending": len(self.instances) - ins,
            "cooldown_until": iso(self.cooldown_until),
            "cooldown_until_epoch": int(self.cooldown_until),
            "in_cooldown": self.now < self.cooldown_until,
            "Instances": [
                {"InstanceId": i["id"], "AvailabilityZone": i["az"],
                 "LifecycleState": "InService" if self.in_service(i) else "Pending",
                 "LaunchTime": iso(i["launched"]), "InServiceAt": iso(i["ready"])}
                for i in self.instances],
        }

    # -- fleet --
    def minute_now(self):
        return int((self.now - self.sc.start) // 60)

    def fleet_state(self):
        m = self.minute_now()
        return {name: self.sc.metric(name, m) for name in FLEET_METRICS}

    # -- faults --
    def take_fault(self, action):
        for f in self.faults:
            if f["action"] in ("*", action):
                f["count"] -= 1
                if f["count"] <= 0:
                    self.faults.remove(f)
                return dict(f)
        return None


# ---- SigV4 verification with botocore's signer ------------------------------------

class _ReplaySigner(SigV4Auth):
    """botocore's SigV4Auth, replaying a received request: it signs the
    headers the client listed in SignedHeaders (botocore alone would drop
    User-Agent and add every other header) at the client's own X-Amz-Date
    (botocore alone would use the wall clock). Everything else (canonical
    URI, query, headers, payload hash, string to sign, key derivation) is
    botocore's code."""

    def __init__(self, credentials, service, region, amz_date, signed_names):
        super().__init__(credentials, service, region)
        self._amz_date = amz_date
        self._signed_names = signed_names

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name in self._signed_names:
            for value in request.headers.get_all(name) or []:
                header_map[name] = value
        return header_map

    def add_auth(self, request):
        request.context["timestamp"] = self._amz_date
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        sts = self.string_to_sign(request, canonical)
        self._inject_signature_to_request(request, self.signature(sts, request))
        request.context["canonical_request"] = canonical
        request.context["string_to_sign"] = sts


def _parse_authorization(value):
    m = re.match(r"^\s*(\S+)\s+(.*)$", value or "")
    if not m:
        raise AwsError(400, "IncompleteSignature",
                       "Authorization header requires 'Credential', 'SignedHeaders' "
                       "and 'Signature' parameters.")
    algo, rest = m.group(1), m.group(2)
    if algo != "AWS4-HMAC-SHA256":
        raise AwsError(400, "IncompleteSignature",
                       f"Unsupported AWS 'algorithm': '{algo}' (this fake takes AWS4-HMAC-SHA256)")
    parts = {}
    for item in rest.split(","):
        k, sep, v = item.strip().partition("=")
        if sep:
            parts[k.strip()] = v.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not parts.get(k)]
    if missing:
        raise AwsError(400, "IncompleteSignature",
                       "Authorization header requires " +
                       ", ".join(f"'{k}'" for k in missing) + " parameter(s). "
                       f"Authorization={value}")
    cred = parts["Credential"].split("/")
    if len(cred) != 5 or cred[4] != "aws4_request":
        raise AwsError(400, "IncompleteSignature",
                       f"Credential must have exactly 5 slash-delimited elements, "
                       f"e.g. keyid/date/region/service/term, got '{parts['Credential']}'")
    return {"key": cred[0], "date": cred[1], "region": cred[2], "service": cred[3],
            "signed": parts["SignedHeaders"], "signature": parts["Signature"]}


def verify_signature(world, method, raw_path, headers, body, auth):
    """Raises AwsError unless `auth` (parsed Authorization) is the signature
    botocore computes for this request with the test credentials."""
    svc = auth["service"]
    ec2 = SERVICES[svc]["ec2_style"]
    if auth["key"] != world.args.access_key:
        if ec2:
            raise AwsError(401, "AuthFailure",
                           "AWS was not able to validate the provided access credentials")
        raise AwsError(403, "InvalidClientTokenId",
                       "The security token included in the request is invalid.")
    if auth["region"] != world.region:
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"Credential should be scoped to a valid region, not "
                       f"'{auth['region']}'. (this fake serves '{world.region}')")
    amz_date = headers.get("X-Amz-Date")
    if not amz_date:
        raise AwsError(400, "IncompleteSignature",
                       "Authorization header requires existence of a 'X-Amz-Date' "
                       "header (this fake does not take 'Date').")
    if not AMZ_DATE_RE.match(amz_date):
        raise AwsError(400, "IncompleteSignature",
                       f"X-Amz-Date must be in the ISO8601 basic format "
                       f"YYYYMMDD'T'HHMMSS'Z', got '{amz_date}'")
    if auth["date"] != amz_date[:8]:
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"Date in Credential scope does not match YYYYMMDD from "
                       f"ISO-8601 version of date from HTTP: '{auth['date']}' != "
                       f"'{amz_date[:8]}', from '{amz_date}'.")
    names = auth["signed"].split(";")
    if names != sorted(set(n.lower() for n in names)):
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"SignedHeaders must be lower-case, sorted and unique: '{auth['signed']}'")
    for need in ("host", "x-amz-date"):
        if need not in names:
            raise AwsError(400, "IncompleteSignature",
                           f"'{need}' must be a 'SignedHeader' in the AWS Authorization.")
    for n in names:
        if headers.get(n) is None:
            raise AwsError(403, "SignatureDoesNotMatch",
                           f"SignedHeaders lists '{n}' but the request has no such header.")

    # Session token: must match exactly when the fake was given one; must be
    # absent otherwise (the test key is a long-term key then).
    token = headers.get("X-Amz-Security-Token")
    if world.args.session_token is not None and token != world.args.session_token:
        if ec2:
            raise AwsError(401, "AuthFailure",
                           "AWS was not able to validate the provided access credentials")
        raise AwsError(403, "InvalidClientTokenId",
                       "The security token included in the request is invalid.")
    if world.args.session_token is None and token is not None:
        if ec2:
            raise AwsError(401, "AuthFailure",
                           "AWS was not able to validate the provided access credentials")
        raise AwsError(403, "InvalidClientTokenId",
                       "The security token included in the request is invalid.")

    sha = headers.get("X-Amz-Content-SHA256")
    if sha is not None and sha != hashlib.sha256(body).hexdigest():
        raise AwsError(400, "SignatureDoesNotMatch" if not ec2 else "AuthFailure",
                       "X-Amz-Content-SHA256 is not the SHA-256 of the body.")

    # Rebuild the request as received: the signed headers, the body, and the
    # URL with its query string in canonical (RFC 3986) encoding, which is
    # how AWS reads it whatever encoding the client sent.
    split = urlsplit(raw_path)
    pairs = parse_qsl(split.query, keep_blank_values=True)
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)
    url = "http://" + headers.get("Host", "localhost") + (split.path or "/") + \
        ("?" + query if query else "")
    req = AWSRequest(method=method, url=url, data=body)
    for name in names:
        for value in headers.get_all(name) or []:
            req.headers[name] = value
    # The token is signed only if the client listed it; otherwise botocore
    # must not add it to what it signs.
    signed_token = token if "x-amz-security-token" in names else None
    creds = Credentials(world.args.access_key, world.args.secret_key, signed_token)
    signer = _ReplaySigner(creds, svc, world.region, amz_date, names)
    signer.add_auth(req)
    expected = _parse_authorization(req.headers["Authorization"])
    if not hmac.compare_digest(expected["signature"], auth["signature"]):
        raise AwsError(403, "SignatureDoesNotMatch",
                       "The request signature we calculated does not match the "
                       "signature you provided. Check your AWS Secret Access Key and "
                       "signing method. Consult the service documentation for details."
                       "\n\nThe Canonical String for this request should have been\n'"
                       + req.context["canonical_request"] +
                       "'\n\nThe String-to-Sign should have been\n'"
                       + req.context["string_to_sign"] + "'\n")


# ---- XML --------------------------------------------------------------------------

def x(tag, value):
    return f"<{tag}>{escape(str(value))}</{tag}>"


def response_xml(svc, action, inner, request_id):
    ns = SERVICES[svc]["ns"]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if SERVICES[svc]["ec2_style"]:
        return (head + f'<{action}Response xmlns="{ns}">\n'
                f"    {x('requestId', request_id)}\n{inner}</{action}Response>\n")
    result = f"  <{action}Result>\n{inner}  </{action}Result>\n" if inner is not None else ""
    return (head + f'<{action}Response xmlns="{ns}">\n{result}'
            f"  <ResponseMetadata>\n    {x('RequestId', request_id)}\n"
            f"  </ResponseMetadata>\n</{action}Response>\n")


def error_xml(svc, err, request_id):
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if svc is not None and SERVICES[svc]["ec2_style"]:
        return (head + "<Response><Errors><Error>" + x("Code", err.code) +
                x("Message", err.message) + "</Error></Errors>" +
                x("RequestID", request_id) + "</Response>\n")
    ns = f' xmlns="{SERVICES[svc]["ns"]}"' if svc else ""
    return (head + f"<ErrorResponse{ns}>\n  <Error>\n"
            f"    {x('Type', 'Sender' if err.sender else 'Receiver')}\n"
            f"    {x('Code', err.code)}\n    {x('Message', err.message)}\n"
            f"  </Error>\n  {x('RequestId', request_id)}\n</ErrorResponse>\n")


# ---- actions ------------------------------------------------------------------------

def _required(params, name):
    v = params.get(name)
    if v is None or v == "":
        raise AwsError(400, "MissingParameter", f"The parameter {name} is required.")
    return v


def _members(params, prefix):
    """Query-protocol list `prefix.1`, `prefix.2`, ... in index order."""
    out = []
    for k, v in params.items():
        if k.startswith(prefix + "."):
            idx = k[len(prefix) + 1:]
            if idx.isdigit():
                out.append((int(idx), v))
    return [v for _, v in sorted(out)]


def _time_param(params, name):
    v = _required(params, name)
    try:
        return parse_time(v, name)
    except ValueError:
        raise AwsError(400, "InvalidParameterValue",
                       f"The parameter {name} must be in ISO 8601 format, got '{v}'.") from None


def get_metric_statistics(world, params):
    sc = world.sc
    namespace = _required(params, "Namespace")
    metric = _required(params, "MetricName")
    start = _time_param(params, "StartTime")
    end = _time_param(params, "EndTime")
    period_s = _required(params, "Period")
    try:
        period = int(period_s)
    except ValueError:
        raise AwsError(400, "InvalidParameterValue",
                       f"The parameter Period must be an integer, got '{period_s}'.") from None
    if period <= 0 or (period % 60 and period not in (1, 5, 10, 30)):
        raise AwsError(400, "InvalidParameterValue",
                       "The parameter Period must be a multiple of 60.")
    stats = _members(params, "Statistics.member")
    ext = _members(params, "ExtendedStatistics.member")
    if not stats and not ext:
        raise AwsError(400, "InvalidParameterCombination",
                       "Must specify either Statistics or ExtendedStatistics.")
    if stats and ext:
        raise AwsError(400, "InvalidParameterCombination",
                       "Must specify either Statistics or ExtendedStatistics, not both.")
    if ext:
        raise AwsError(400, "InvalidParameterValue",
                       "ExtendedStatistics are not served by this fake.")
    for s in stats:
        if s not in STATISTICS:
            raise AwsError(400, "InvalidParameterValue",
                           f"The parameter Statistics.member.N must be one of "
                           f"{', '.join(STATISTICS)}, got '{s}'.")
    if start >= end:
        raise AwsError(400, "InvalidParameterValue",
                       "The parameter StartTime must be less than the parameter EndTime.")
    # CloudWatch's StartTime rounding, relative to when it receives the
    # request (here: the simulated now).
    age = world.now - start
    grain = 60 if age < 15 * 86400 else 300 if age < 63 * 86400 else 3600
    if period in (1, 5, 10, 30):
        grain = period
    s0 = int(start // grain * grain)
    nbuckets = math.ceil((end - s0) / period)
    if nbuckets > 1440:
        raise AwsError(400, "InvalidParameterCombination",
                       f"You have requested up to {nbuckets} datapoints, which exceeds "
                       f"the limit of 1,440. You may reduce the datapoints requested by "
                       f"increasing Period, or decreasing the time range.")
    unit = params.get("Unit")
    dims = {}
    for i in range(1, 31):
        n = params.get(f"Dimensions.member.{i}.Name")
        if n is None:
            break
        dims[n] = params.get(f"Dimensions.member.{i}.Value", "")
    match = (namespace == "AWS/EC2Spot" and metric in FLEET_METRICS and
             dims == {"FleetRequestId": sc.fleet["SpotFleetRequestId"]} and
             unit in (None, "Count"))
    buckets = {}
    if match:
        m0 = math.floor((s0 - sc.start) / 60)
        m1 = math.ceil((end - sc.start) / 60)
        for m in range(m0, m1 + 1):
            ts = sc.start + 60 * m
            if not (s0 <= ts < end):
                continue
            if not sc.datapoint_exists(metric, m) or world.now < sc.visible_from(m):
                continue
            b = s0 + (ts - s0) // period * period
            buckets.setdefault(b, []).append(sc.metric(metric, m))
    keys = sorted(buckets)
    if sc.order == "descending":
        keys.reverse()
    elif sc.order == "shuffled":
        random.Random(f"{metric}|{s0}|{end}|{period}").shuffle(keys)
    out = ["    <Datapoints>\n"]
    for b in keys:
        vals = buckets[b]
        computed = {"SampleCount": float(len(vals)), "Average": sum(vals) / len(vals),
                    "Sum": sum(vals), "Minimum": min(vals), "Maximum": max(vals)}
        out.append("      <member>\n        " + x("Timestamp", iso(b)) + "\n")
        for s in STATISTICS:
            if s in stats:
                out.append("        " + x(s, fnum(computed[s])) + "\n")
        out.append("        " + x("Unit", "Count") + "\n      </member>\n")
    out.append("    </Datapoints>\n")
    out.append("    " + x("Label", metric) + "\n")
    return "".join(out)


def describe_auto_scaling_groups(world, params):
    a = world.sc.asg
    names = _members(params, "AutoScalingGroupNames.member")
    out = ["    <AutoScalingGroups>\n"]
    if not names or a["AutoScalingGroupName"] in names:
        name = a["AutoScalingGroupName"]
        arn = (f"arn:aws:autoscaling:{world.region}:{world.sc.account}:autoScalingGroup:"
               f"{uuid.uuid5(uuid.NAMESPACE_URL, name)}:autoScalingGroupName/{name}")
        g = ["      <member>\n"]

        def add(tag, val):
            g.append("        " + x(tag, val) + "\n")

        add("AutoScalingGroupName", name)
        add("AutoScalingGroupARN", arn)
        add("LaunchConfigurationName", name + "-lc")
        add("MinSize", a["MinSize"])
        add("MaxSize", a["MaxSize"])
        add("DesiredCapacity", world.desired)
        add("DefaultCooldown", a["DefaultCooldown"])
        g.append("        <AvailabilityZones>\n" + "".join(
            "          " + x("member", z) + "\n" for z in a["AvailabilityZones"]) +
            "        </AvailabilityZones>\n")
        g.append("        <LoadBalancerNames/>\n        <TargetGroupARNs/>\n")
        add("HealthCheckType", "EC2")
        add("HealthCheckGracePeriod", a.get("HealthCheckGracePeriod", 300))
        g.append("        <Instances>\n")
        for inst in world.instances:
            g.append("          <member>\n")
            for tag, val in (("InstanceId", inst["id"]),
                             ("InstanceType", a["InstanceType"]),
                             ("AvailabilityZone", inst["az"]),
                             ("LifecycleState",
                              "InService" if world.in_service(inst) else "Pending"),
                             ("HealthStatus", "Healthy"),
                             ("LaunchConfigurationName", name + "-lc"),
                             ("ProtectedFromScaleIn", "false")):
                g.append("            " + x(tag, val) + "\n")
            g.append("          </member>\n")
        g.append("        </Instances>\n")
        add("CreatedTime", iso_ms(world.sc.asg_created))
        g.append("        <SuspendedProcesses/>\n")
        add("VPCZoneIdentifier", "")
        g.append("        <EnabledMetrics/>\n        <Tags/>\n")
        g.append("        <TerminationPolicies>\n          <member>Default</member>\n"
                 "        </TerminationPolicies>\n")
        add("NewInstancesProtectedFromScaleIn", "false")
        add("ServiceLinkedRoleARN",
            f"arn:aws:iam::{world.sc.account}:role/aws-service-role/"
            f"autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
        g.append("      </member>\n")
        out.extend(g)
    out.append("    </AutoScalingGroups>\n")
    return "".join(out)


def set_desired_capacity(world, params):
    name = _required(params, "AutoScalingGroupName")
    d = _required(params, "DesiredCapacity")
    try:
        n = int(d)
    except ValueError:
        raise AwsError(400, "ValidationError",
                       f"Value '{d}' at 'desiredCapacity' failed to satisfy constraint: "
                       f"Member must be an integer") from None
    honor_s = params.get("HonorCooldown", "false").lower()
    if honor_s not in ("true", "false"):
        raise AwsError(400, "ValidationError",
                       f"Value '{params['HonorCooldown']}' at 'honorCooldown' failed to "
                       f"satisfy constraint: Member must be a boolean")
    world.set_desired(name, n, honor_s == "true")
    return None


def describe_spot_fleet_requests(world, params):
    sc = world.sc
    f = sc.fleet
    ids = _members(params, "SpotFleetRequestId")
    for i in ids:
        if not SFR_ID_RE.match(i):
            raise AwsError(400, "InvalidSpotFleetRequestId.Malformed",
                           f"Invalid id: \"{i}\" (expecting \"sfr-...\")")
    for i in ids:
        if i != f["SpotFleetRequestId"]:
            raise AwsError(400, "InvalidSpotFleetRequestId.NotFound",
                           f"The spot fleet request ID '{i}' does not exist")
    if params.get("DryRun", "false").lower() == "true":
        raise AwsError(412, "DryRunOperation",
                       "Request would have succeeded, but DryRun flag is set.")
    st = world.fleet_state()
    target, ful = st["TargetCapacity"], st["FulfilledCapacity"]
    activity = "fulfilled" if ful >= target else (
        "pending_termination" if st["TerminatingCapacity"] > 0 else "pending_fulfillment")
    specs = []
    for ls in f["LaunchSpecifications"]:
        s = ["          <item>\n"]
        if "ImageId" in ls:
            s.append("            " + x("imageId", ls["ImageId"]) + "\n")
        s.append("            " + x("instanceType", ls.get("InstanceType", "c3.xlarge")) + "\n")
        if "AvailabilityZone" in ls:
            s.append("            <placement>" + x("availabilityZone", ls["AvailabilityZone"]) +
                     "</placement>\n")
        if "SpotPrice" in ls:
            s.append("            " + x("spotPrice", ls["SpotPrice"]) + "\n")
        if "WeightedCapacity" in ls:
            s.append("            " + x("weightedCapacity", fnum(ls["WeightedCapacity"])) + "\n")
        # As EC2 answers: monitoring.enabled, false unless the spec enabled it.
        on = "true" if ls.get("Monitoring", {}).get("Enabled") else "false"
        s.append("            <monitoring>" + x("enabled", on) + "</monitoring>\n")
        s.append("          </item>\n")
        specs.append("".join(s))
    return (
        "    <spotFleetRequestConfigSet>\n"
        "      <item>\n"
        f"        {x('spotFleetRequestId', f['SpotFleetRequestId'])}\n"
        f"        {x('spotFleetRequestState', f.get('SpotFleetRequestState', 'active'))}\n"
        f"        {x('activityStatus', activity)}\n"
        f"        {x('createTime', iso_ms(sc.fleet_create))}\n"
        "        <spotFleetRequestConfig>\n"
        f"          {x('allocationStrategy', f['AllocationStrategy'])}\n"
        f"          {x('excessCapacityTerminationPolicy', 'default')}\n"
        f"          {x('fulfilledCapacity', fnum(ful))}\n"
        f"          {x('iamFleetRole', f['IamFleetRole'])}\n"
        "          <launchSpecifications>\n" + "".join(specs) +
        "          </launchSpecifications>\n"
        f"          {x('targetCapacity', int(target))}\n"
        f"          {x('onDemandTargetCapacity', 0)}\n"
        f"          {x('onDemandFulfilledCapacity', fnum(0))}\n"
        f"          {x('terminateInstancesWithExpiration', 'true')}\n"
        f"          {x('type', f.get('Type', 'maintain'))}\n"
        f"          {x('replaceUnhealthyInstances', 'false')}\n"
        f"          {x('instanceInterruptionBehavior', 'terminate')}\n"
        "        </spotFleetRequestConfig>\n"
        "        <tagSet/>\n"
        "      </item>\n"
        "    </spotFleetRequestConfigSet>\n")


ACTIONS = {
    "GetMetricStatistics": get_metric_statistics,
    "DescribeAutoScalingGroups": describe_auto_scaling_groups,
    "SetDesiredCapacity": set_desired_capacity,
    "DescribeSpotFleetRequests": describe_spot_fleet_requests,
}


def fault_error(svc, kind):
    ec2 = svc is not None and SERVICES[svc]["ec2_style"]
    if kind == "throttle":
        if ec2:
            return AwsError(503, "RequestLimitExceeded", "Request limit exceeded.")
        return AwsError(400, "Throttling", "Rate exceeded")
    if kind == "500":
        if ec2:
            return AwsError(500, "InternalError",
                            "An internal error has occurred", sender=False)
        return AwsError(500, "InternalFailure",
                        "The request processing has failed because of an unknown "
                        "error, exception or failure.", sender=False)
    if kind == "expired-token":
        return AwsError(400, "ExpiredToken",
                        "The security token included in the request is expired")
    raise ValueError(kind)


# ---- HTTP ---------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for
    # the client's delayed ACK of the headers, 40 ms a call on Linux.
    disable_nagle_algorithm = True
    server_version = "fake-aws/1"
    world = None  # set by main()

    def log_message(self, fmt, *args):
        if self.world.args.verbose:
            sys.stderr.write("fake_aws: %s - %s\n" % (self.address_string(), fmt % args))

    def _send(self, status, body, ctype, request_id=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            if request_id:
                self.send_header("x-amzn-RequestId", request_id)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self, status, obj):
        self._send(status, json.dumps(obj, indent=1) + "\n", "application/json")

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        body = self._body()
        if urlsplit(self.path).path.startswith("/_fake/"):
            try:
                self._control(method, body)
            except Exception as e:  # a bug or a bad request: say so, keep serving
                self._json(500, {"error": f"{type(e).__name__}: {e}"})
            return
        self._aws(method, body)

    # -- control API --
    def _control(self, method, body):
        w = self.world
        split = urlsplit(self.path)
        path = split.path
        q = dict(parse_qsl(split.query))
        try:
            req = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError as e:
            self._json(400, {"error": f"body is not JSON: {e}"})
            return
        if not isinstance(req, dict):
            self._json(400, {"error": "body must be a JSON object"})
            return
        with w.lock:
            if path == "/_fake/state" and method == "GET":
                since = int(q.get("since", 0))
                st = {"now": iso(w.now), "now_epoch": int(w.now),
                      "start": iso(w.sc.start), "start_epoch": int(w.sc.start),
                      "minute": w.minute_now(), "region": w.region,
                      "asg": w.asg_state(), "fleet": w.fleet_state(),
                      "faults": [dict(f) for f in w.faults],
                      "ncalls": len(w.calls)}
                if q.get("calls", "1") != "0":
                    st["calls"] = w.calls[since:]
                self._json(200, st)
            elif path == "/_fake/advance" and method == "POST":
                if "seconds" in req:
                    s = req["seconds"]
                    if not _is_num(s) or s < 0:
                        self._json(400, {"error": "seconds: a number >= 0"})
                        return
                    w.now += s
                elif "to" in req:
                    try:
                        t = parse_time(req["to"], "to")
                    except ValueError as e:
                        self._json(400, {"error": str(e)})
                        return
                    if t < w.now:
                        self._json(400, {"error": "to: simulated time does not go back"})
                        return
                    w.now = t
                else:
                    self._json(400, {"error": "give 'seconds' or 'to'"})
                    return
                self._json(200, {"now": iso(w.now), "now_epoch": int(w.now)})
            elif path == "/_fake/fault" and method == "POST":
                action = req.get("action", "*")
                kind = req.get("kind")
                count = req.get("count", 1)
                delay = req.get("delay", 2)
                if action != "*" and action not in ACTIONS:
                    self._json(400, {"error": f"action: '*' or one of {sorted(ACTIONS)}"})
                    return
                if kind not in FAULT_KINDS:
                    self._json(400, {"error": f"kind: one of {list(FAULT_KINDS)}"})
                    return
                if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                    self._json(400, {"error": "count: an integer >= 1"})
                    return
                if not _is_num(delay) or delay < 0:
                    self._json(400, {"error": "delay: seconds >= 0"})
                    return
                f = {"action": action, "kind": kind, "count": count}
                if kind == "slow":
                    f["delay"] = delay
                w.faults.append(f)
                self._json(200, {"ok": True, "faults": [dict(f) for f in w.faults]})
            elif path == "/_fake/reset" and method == "POST":
                sc = w.sc
                if "scenario" in req:
                    try:
                        sc = Scenario(req["scenario"])
                    except ValueError as e:
                        self._json(400, {"error": f"scenario: {e}"})
                        return
                w.reset(sc)
                self._json(200, {"ok": True, "now": iso(w.now), "now_epoch": int(w.now)})
            else:
                self._json(404, {"error": f"no control endpoint {method} {path}; "
                                          f"have GET /_fake/state, POST /_fake/advance, "
                                          f"/_fake/fault, /_fake/reset"})

    # -- AWS --
    def _aws(self, method, body):
        w = self.world
        request_id = str(uuid.uuid4())
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if method == "POST" and body:
            if ctype == "application/x-www-form-urlencoded":
                try:
                    params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                            strict_parsing=False))
                except UnicodeDecodeError:
                    pass
        action = params.get("Action")
        svc = ACTION_SERVICE.get(action)  # a guess, until the signature says
        call = {"seq": None, "now": None, "now_epoch": None, "method": method,
                "service": None, "action": action, "params": params,
                "status": None, "code": None, "fault": None}
        fault = None
        try:
            if method not in ("GET", "POST"):
                raise AwsError(400, "InvalidAction", f"{method} is not supported; "
                                                     f"use POST (or GET).")
            if method == "POST" and body and ctype != "application/x-www-form-urlencoded":
                raise AwsError(400, "InvalidAction",
                               f"Content-Type '{ctype}' is not served; the Query protocol "
                               f"posts application/x-www-form-urlencoded.")
            authz = self.headers.get("Authorization")
            if authz is None:
                if "X-Amz-Signature" in params:
                    raise AwsError(403, "MissingAuthenticationToken",
                                   "Query-string (presigned) authentication is not served "
                                   "by this fake; sign with the Authorization header.")
                raise AwsError(403, "MissingAuthenticationToken",
                               "Request is missing Authentication Token")
            auth = _parse_authorization(authz)
            if auth["service"] not in SERVICES:
                raise AwsError(400, "InvalidAction",
                               f"Credential scope service '{auth['service']}' is not served "
                               f"here (monitoring, autoscaling, ec2).")
            svc = auth["service"]
            call["service"] = svc
            verify_signature(w, method, self.path, self.headers, body, auth)
            if w.args.expired_token:
                raise AwsError(400, "ExpiredToken",
                               "The security token included in the request is expired")
            if not action:
                raise AwsError(400, "MissingAction", "Could not find operation to perform")
            if action not in SERVICES[svc]["actions"]:
                raise AwsError(400, "InvalidAction",
                               f"The action {action} is not valid for this web service.")
            version = params.get("Version")
            if version != SERVICES[svc]["version"]:
                raise AwsError(400, "NoSuchVersion" if version else "MissingParameter",
                               f"The requested version ({version}) of service {svc} does not "
                               f"exist; this fake serves {SERVICES[svc]['version']}."
                               if version else "The parameter Version is required.")
            with w.lock:
                fault = w.take_fault(action)
            if fault:
                call["fault"] = fault["kind"]
                if fault["kind"] == "slow":
                    time.sleep(fault["delay"])
                elif fault["kind"] == "drop":
                    with w.lock:
                        self._record(call, 0, None)
                    self.close_connection = True
                    try:
                        self.connection.shutdown(2)
                    except OSError:
                        pass
                    return
                elif fault["kind"] != "malformed":
                    raise fault_error(svc, fault["kind"])
            with w.lock:
                inner = ACTIONS[action](w, params)
                xml = response_xml(svc, action, inner, request_id)
                if fault and fault["kind"] == "malformed":
                    xml = xml[: max(1, len(xml) // 2)]
                self._record(call, 200, None)
            self._send(200, xml, "text/xml", request_id)
        except AwsError as e:
            with w.lock:
                self._record(call, e.status, e.code)
            if w.args.verbose or e.code in ("SignatureDoesNotMatch", "IncompleteSignature"):
                sys.stderr.write(f"fake_aws: {action} -> {e.status} {e.code}: "
                                 f"{e.message}\n")
            self._send(e.status, error_xml(svc, e, request_id), "text/xml", request_id)

    def _record(self, call, status, code):
        w = self.world
        call["seq"] = len(w.calls)
        call["now"] = iso(w.now)
        call["now_epoch"] = int(w.now)
        call["status"] = status
        call["code"] = code
        w.calls.append(call)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Fake AWS endpoint (CloudWatch, Auto Scaling, EC2 Spot Fleet) "
                    "for spotbench tests. Prints PORT=<n> first on stdout.")
    ap.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one")
    ap.add_argument("--scenario", help="scenario JSON file (default: built-in outage)")
    ap.add_argument("--region", help="region the credential scope must name "
                                     "(default: the scenario's, us-east-1)")
    ap.add_argument("--access-key", default=ACCESS_KEY)
    ap.add_argument("--secret-key", default=SECRET_KEY)
    ap.add_argument("--session-token", default=None,
                    help="require this X-Amz-Security-Token on every request")
    ap.add_argument("--expired-token", action="store_true",
                    help="answer every correctly signed request with 400 ExpiredToken")
    ap.add_argument("--exit-on-stdin-eof", action="store_true",
                    help="exit when stdin closes (so a dead parent leaves no fake behind)")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    ap.add_argument("--print-default-scenario", action="store_true",
                    help="print the built-in scenario as JSON and exit")
    args = ap.parse_args(argv)
    if args.print_default_scenario:
        print(json.dumps(DEFAULT_SCENARIO, indent=2))
        return 0
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("fake_aws: refusing to listen beyond loopback", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except (OSError, ValueError) as e:
        print(f"fake_aws: {e}", file=sys.stderr)
        return 2
    world = World(scenario, args)
    Handler.world = world
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"PORT={server.server_address[1]}", flush=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:
        def watch():
            try:
                while os.read(0, 4096):
                    pass
            except (OSError, ValueError):
                pass
            stop()
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
