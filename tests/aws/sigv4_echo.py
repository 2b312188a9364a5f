#!/usr/bin/python3
# sigv4_echo.py: a small stand-in for AWS that the `spotbench live` CLI tests
# talk to until the full fake (tests/aws/fake_aws.py) lands. It serves, on one
# loopback port:
#
#   POST /            the Query API calls spotbench makes (GetMetricStatistics,
#                     DescribeAutoScalingGroups, SetDesiredCapacity,
#                     DescribeSpotFleetRequests). Every request's SigV4
#                     signature is recomputed with botocore and compared; a
#                     mismatch is answered 403 SignatureDoesNotMatch, so a
#                     signing bug fails the test that made the call.
#   PUT  /latest/api/token, GET /latest/meta-data/iam/security-credentials/[ROLE]
#                     EC2 instance metadata, IMDSv2 only.
#   GET  /ecs-creds   ECS container credentials.
#   POST /_echo/state {"metrics": {NAME: [[t, v], ...]}, "asg": {...} | null,
#                      "fleet": {...}, "token": "...", "ecs_auth": "..."}
#   POST /_echo/fault {"action": NAME, "status": 400, "code": C, "message": M,
#                      "count": N, "kind": "error" | "malformed" | "slow"}
#   GET  /_echo/log   the calls received so far, as JSON.
#
# The credentials are the SigV4 test suite's: AKIDEXAMPLE /
# wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1. It binds to
# 127.0.0.1 only and exits by itself after --lifetime seconds.
#
#   /usr/bin/python3 tests/aws/sigv4_echo.py --port 0   prints PORT=<n>
import argparse
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
IMDS_TOKEN = "imds-session-token-for-tests"
ROLE = "spotbench-test-role"

SERVICE_OF = {
    "GetMetricStatistics": ("monitoring", "2010-08-01"),
    "DescribeAutoScalingGroups": ("autoscaling", "2011-01-01"),
    "SetDesiredCapacity": ("autoscaling", "2011-01-01"),
    "DescribeSpotFleetRequests": ("ec2", "2016-11-15"),
}
NS = {
    "monitoring": "http://monitoring.amazonaws.com/doc/2010-08-01/",
    "autoscaling": "http://autoscaling.amazonaws.com/doc/2011-01-01/",
    "ec2": "http://ec2.amazonaws.com/doc/2016-11-15/",
}

lock = threading.Lock()
state = {
    "metrics": {},
    "asg": {"name": "ecsDemandBackupGroup", "desired": 0, "min": 0,
            "max": 200, "in_service": 0},
    "fleet": {"id": "sfr-test", "state": "active", "target": 32},
    "token": None,      # session token required on API calls, if any
    "ecs_auth": None,   # Authorization header the ECS endpoint requires
}
faults = []
calls = []


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_iso(s):
    return int(time.mktime(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
               - time.timezone)


def verify(handler, body):
    """Returns None when the SigV4 signature is right, else what is wrong."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no AWS4-HMAC-SHA256 Authorization header"
    fields = {}
    for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    try:
        ak, date, region, service, term = fields["Credential"].split("/")
    except (KeyError, ValueError):
        return "malformed Credential"
    if ak != ACCESS_KEY or region != REGION or term != "aws4_request":
        return "wrong access key, region or terminator in Credential"
    signed = fields.get("SignedHeaders", "").split(";")
    amz_date = handler.headers.get("X-Amz-Date", "")
    if amz_date[:8] != date:
        return "X-Amz-Date does not match the credential scope"
    headers = {}
    for h in signed:
        v = handler.headers.get(h)
        if v is None:
            return "signed header %s missing" % h
        headers[h] = v
    host = handler.headers.get("Host")
    req = AWSRequest(method=handler.command,
                     url="http://%s%s" % (host, handler.path),
                     data=body, headers=headers)
    req.context["timestamp"] = amz_date
    token = handler.headers.get("X-Amz-Security-Token")
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, token), service,
                       region)
    canonical = signer.canonical_request(req)
    sts = signer.string_to_sign(req, canonical)
    if signer.signature(sts, req) != fields.get("Signature"):
        return "signature mismatch; canonical request:\n" + canonical
    return None


def error_xml(code, message, ec2=False):
    if ec2:
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors>"
                "<Error><Code>%s</Code><Message>%s</Message></Error></Errors>"
                "<RequestID>req-echo-1</RequestID></Response>" % (code, message))
    return ("<ErrorResponse xmlns=\"http://webservice.amazon.com/\"><Error>"
            "<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
            "<RequestId>req-echo-1</RequestId></ErrorResponse>" % (code, message))


def answer(action, p):
    service, _ = SERVICE_OF[action]
    ns = NS[service]
    meta = "<ResponseMetadata><RequestId>req-ok</RequestId></ResponseMetadata>"
    if action == "GetMetricStatistics":
        start, end = parse_iso(p["StartTime"]), parse_iso(p["EndTime"])
        pts = [pt for pt in state["metrics"].get(p["MetricName"], [])
               if start <= pt[0] < end]
        members = "".join(
            "<member><Timestamp>%s</Timestamp><Maximum>%s</Maximum>"
            "<Unit>Count</Unit></member>" % (iso(t), float(v))
            for t, v in reversed(pts))
        return ("<GetMetricStatisticsResponse xmlns=\"%s\">"
                "<GetMetricStatisticsResult><Datapoints>%s</Datapoints>"
                "<Label>%s</Label></GetMetricStatisticsResult>%s"
                "</GetMetricStatisticsResponse>"
                % (ns, members, p["MetricName"], meta))
    if action == "DescribeAutoScalingGroups":
        a = state["asg"]
        groups = ""
        if a is not None and p.get("AutoScalingGroupNames.member.1") == a["name"]:
            inst = "".join(
                "<member><InstanceId>i-%04d</InstanceId><LifecycleState>"
                "InService</LifecycleState><HealthStatus>Healthy</HealthStatus>"
                "</member>" % i for i in range(a["in_service"]))
            inst += ("<member><InstanceId>i-pending</InstanceId><LifecycleState>"
                     "Pending</LifecycleState></member>")
            groups = ("<member><AutoScalingGroupName>%s</AutoScalingGroupName>"
                      "<MinSize>%d</MinSize><MaxSize>%d</MaxSize>"
                      "<DesiredCapacity>%d</DesiredCapacity>"
                      "<Instances>%s</Instances><Tags><member><Key>k</Key>"
                      "</member></Tags></member>"
                      % (a["name"], a["min"], a["max"], a["desired"], inst))
        return ("<DescribeAutoScalingGroupsResponse xmlns=\"%s\">"
                "<DescribeAutoScalingGroupsResult><AutoScalingGroups>%s"
                "</AutoScalingGroups></DescribeAutoScalingGroupsResult>%s"
                "</DescribeAutoScalingGroupsResponse>" % (ns, groups, meta))
    if action == "SetDesiredCapacity":
        if state["asg"] is not None:
            state["asg"]["desired"] = int(p["DesiredCapacity"])
        return ("<SetDesiredCapacityResponse xmlns=\"%s\">%s"
                "</SetDesiredCapacityResponse>" % (ns, meta))
    f = state["fleet"]
    items = ""
    if p.get("SpotFleetRequestId.1") == f["id"]:
        items = ("<item><spotFleetRequestId>%s</spotFleetRequestId>"
                 "<spotFleetRequestState>%s</spotFleetRequestState>"
                 "<spotFleetRequestConfig><targetCapacity>%d</targetCapacity>"
                 "<fulfilledCapacity>%d.0</fulfilledCapacity>"
                 "</spotFleetRequestConfig><activityStatus>fulfilled"
                 "</activityStatus></item>" % (f["id"], f["state"], f["target"],
                                               f["target"]))
    return ("<DescribeSpotFleetRequestsResponse xmlns=\"%s\"><requestId>r1"
            "</requestId><spotFleetRequestConfigSet>%s</spotFleetRequestConfigSet>"
            "</DescribeSpotFleetRequestsResponse>" % (ns, items))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for
    # the client's delayed ACK of the headers, 40 ms a call on Linux.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="text/xml"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_PUT(self):
        self.body()
        if self.path == "/latest/api/token":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.send(400, "missing ttl", "text/plain")
            return self.send(200, IMDS_TOKEN, "text/plain")
        self.send(404, "not found", "text/plain")

    def do_GET(self):
        if self.path == "/_echo/log":
            with lock:
                return self.send(200, json.dumps(calls), "application/json")
        creds = {"AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET_KEY,
                 "Token": state["token"] or "", "Expiration": iso(time.time() + 3600)}
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.send(401, "", "text/plain")
            role = self.path[len("/latest/meta-data/iam/security-credentials/"):]
            if role == "":
                return self.send(200, ROLE, "text/plain")
            if role != ROLE:
                return self.send(404, "", "text/plain")
            creds.update({"Code": "Success", "Type": "AWS-HMAC"})
            return self.send(200, json.dumps(creds), "application/json")
        if self.path == "/ecs-creds":
            if state["ecs_auth"] and self.headers.get("Authorization") != state["ecs_auth"]:
                return self.send(403, "{}", "application/json")
            creds["RoleArn"] = "arn:aws:iam::123456789012:role/" + ROLE
            return self.send(200, json.dumps(creds), "application/json")
        self.send(404, "not found", "text/plain")

    def do_POST(self):
        raw = self.body()
        if self.path == "/_echo/state":
            with lock:
                state.update(json.loads(raw))
            return self.send(200, "{}", "application/json")
        if self.path == "/_echo/fault":
            with lock:
                faults.append(json.loads(raw))
            return self.send(200, "{}", "application/json")
        p = dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
        action = p.get("Action", "")
        if action not in SERVICE_OF:
            return self.send(400, error_xml("InvalidAction", action))
        service, version = SERVICE_OF[action]
        ec2 = service == "ec2"
        with lock:
            entry = {"action": action, "params": p,
                     "content_type": self.headers.get("Content-Type"),
                     "authorization": self.headers.get("Authorization", ""),
                     "token": self.headers.get("X-Amz-Security-Token")}
            calls.append(entry)
            wrong = verify(self, raw)
            scope = "/%s/%s/aws4_request" % (REGION, service)
            if wrong is None and scope not in entry["authorization"]:
                wrong = "signed for the wrong service (wanted %s)" % scope
            if wrong is None and p.get("Version") != version:
                entry["error"] = "wrong Version"
                return self.send(400, error_xml("InvalidParameterValue",
                                                "wrong Version", ec2))
            if wrong is None and state["token"] and entry["token"] != state["token"]:
                wrong = "missing or wrong X-Amz-Security-Token"
            if wrong is not None:
                entry["error"] = wrong
                sys.stderr.write("sigv4_echo: %s: %s\n" % (action, wrong))
                return self.send(403, error_xml("SignatureDoesNotMatch",
                                                "signature check failed", ec2))
            fault = None
            for f in faults:
                if f.get("action") in (action, "*") and f.get("count", 1) > 0:
                    f["count"] = f.get("count", 1) - 1
                    fault = f
                    break
            if fault is None:
                return self.send(200, answer(action, p))
            entry["fault"] = fault.get("kind", "error")
        kind = fault.get("kind", "error")
        if kind == "slow":
            time.sleep(fault.get("seconds", 3))
            return self.send(200, answer(action, p))
        if kind == "malformed":
            return self.send(200, "<ErrorResponse><Error><Code>Oops")
        self.send(fault.get("status", 400),
                  error_xml(fault.get("code", "Throttling"),
                            fault.get("message", "Rate exceeded"), ec2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=300)
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    print("PORT=%d" % srv.server_address[1], flush=True)
    timer = threading.Timer(args.lifetime, srv.shutdown)
    timer.daemon = True
    timer.start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
