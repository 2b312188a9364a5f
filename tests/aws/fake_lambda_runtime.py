#!/usr/bin/python3
"""fake_lambda_runtime.py: a stand-in for the AWS Lambda Runtime API, the
HTTP interface a custom runtime's `bootstrap` polls (version 2018-06-01),
for testing `spotbench lambda` and the zip `make lambda` builds.

What it serves, as Lambda documents it:

  GET  /2018-06-01/runtime/invocation/next
       blocks until an event is queued (no timeout: Lambda freezes the
       sandbox between invocations); 200, the event as the body, headers
       Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
       Lambda-Runtime-Invoked-Function-Arn, Lambda-Runtime-Trace-Id.
  POST /2018-06-01/runtime/invocation/{id}/response   202 {"status":"OK"}
  POST /2018-06-01/runtime/invocation/{id}/error      202; the
       Lambda-Runtime-Function-Error-Type header and the body are recorded
  POST /2018-06-01/runtime/init/error                 202; recorded
  An unknown or already answered id: 400 {"errorType": "InvalidRequestID"};
  a second answer is refused the same way. A body over 6 MB: 413.
  FakeRuntime(hang_posts=True) accepts every POST and never answers it (a
  Runtime API that hangs), until stop().

Use from a test (Python):

    rt = FakeRuntime(); rt.start()
    env["AWS_LAMBDA_RUNTIME_API"] = rt.address        # "127.0.0.1:PORT"
    ... start the bootstrap ...
    kind, body, error_type = rt.invoke({"FleetRequestId": ...}, timeout=20)
    rt.init_errors   # [(error_type, body)]
    rt.stop()

or `fake_lambda_runtime.py EVENT.json...`, which prints PORT=<n>,
serves the events in order and prints each answer as a JSON line.
"""

import http.server
import itertools
import json
import sys
import threading
import time
import uuid

PREFIX = "/2018-06-01/runtime"
MAX_PAYLOAD = 6 * 1024 * 1024


class FakeRuntime:
    def __init__(self, function_arn="arn:aws:lambda:us-east-1:123456789012:function:spotbench",
                 deadline_s=60, hang_posts=False):
        self.function_arn = function_arn
        self.deadline_s = deadline_s
        self.hang_posts = hang_posts
        self._stopping = False
        self.cond = threading.Condition()
        self.queue = []          # [(id, event bytes)]
        self.pending = {}        # id -> None until answered
        self.answers = {}        # id -> (kind, body, error_type)
        self.init_errors = []    # [(error_type, body)]
        self.requests = []       # [(method, path)] in order
        self.server = None
        self.thread = None
        self._ids = itertools.count(1)

    # ---- server side ----
    def _handler(self):
        rt = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _send(self, status, obj, headers=None):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                with rt.cond:
                    rt.requests.append(("GET", self.path))
                if self.path != PREFIX + "/invocation/next":
                    return self._send(404, {"errorType": "NotFound"})
                with rt.cond:
                    while not rt.queue and not rt._stopping:
                        rt.cond.wait(0.2)
                    if rt._stopping:
                        return self._send(500, {"errorType": "ServiceStopping"})
                    rid, event = rt.queue.pop(0)
                body = event
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Lambda-Runtime-Aws-Request-Id", rid)
                self.send_header("Lambda-Runtime-Deadline-Ms",
                                 str(int((time.time() + rt.deadline_s) * 1000)))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", rt.function_arn)
                self.send_header("Lambda-Runtime-Trace-Id",
                                 "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with rt.cond:
                    rt.requests.append(("POST", self.path))
                    rt.cond.notify_all()
                    while rt.hang_posts and not rt._stopping:
                        rt.cond.wait(0.2)
                    if rt.hang_posts:
                        self.close_connection = True
                        return
                if n > MAX_PAYLOAD:
                    return self._send(413, {"errorType": "RequestEntityTooLarge"})
                etype = self.headers.get("Lambda-Runtime-Function-Error-Type")
                if self.path == PREFIX + "/init/error":
                    with rt.cond:
                        rt.init_errors.append((etype, body.decode(errors="replace")))
                        rt.cond.notify_all()
                    return self._send(202, {"status": "OK"})
                parts = self.path[len(PREFIX):].split("/") if self.path.startswith(PREFIX) else []
                # ["", "invocation", ID, "response"|"error"]
                if len(parts) != 4 or parts[1] != "invocation" or parts[3] not in ("response", "error"):
                    return self._send(404, {"errorType": "NotFound"})
                rid = parts[2]
                with rt.cond:
                    if rid not in rt.pending or rt.pending[rid] is not None:
                        return self._send(400, {"errorType": "InvalidRequestID",
                                                "errorMessage": "unknown or answered id"})
                    rt.pending[rid] = True
                    rt.answers[rid] = (parts[3], body.decode(errors="replace"), etype)
                    rt.cond.notify_all()
                return self._send(202, {"status": "OK"})

        return H

    def start(self):
        self._stopping = False
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        with self.cond:
            self._stopping = True
            self.cond.notify_all()
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def address(self):
        return f"127.0.0.1:{self.server.server_address[1]}"

    # ---- test side ----
    def enqueue(self, event):
        """Queues an event (a dict, or raw text/bytes); returns its id."""
        if isinstance(event, (dict, list)):
            event = json.dumps(event)
        if isinstance(event, str):
            event = event.encode()
        rid = f"{uuid.UUID(int=next(self._ids))}"
        with self.cond:
            self.pending[rid] = None
            self.queue.append((rid, event))
            self.cond.notify_all()
        return rid

    def wait(self, rid, timeout=30):
        """(kind, body, error_type) once the invocation is answered, kind
        "response" or "error"; None on timeout."""
        end = time.monotonic() + timeout
        with self.cond:
            while rid not in self.answers:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.2))
            return self.answers[rid]

    def invoke(self, event, timeout=30):
        return self.wait(self.enqueue(event), timeout)

    def wait_init_error(self, timeout=10):
        end = time.monotonic() + timeout
        with self.cond:
            while not self.init_errors and time.monotonic() < end:
                self.cond.wait(0.2)
            return self.init_errors[0] if self.init_errors else None


def main(argv):
    events = []
    for path in [a for a in argv if not a.startswith("--")]:
        with open(path, encoding="utf-8") as fh:
            events.append(fh.read())
    rt = FakeRuntime().start()
    print(f"PORT={rt.server.server_address[1]}", flush=True)
    try:
        for ev in events:
            kind, body, etype = rt.invoke(ev, timeout=3600)
            print(json.dumps({"kind": kind, "error_type": etype, "body": body}), flush=True)
    finally:
        rt.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
