"""A fault-injecting HTTP proxy to put in front of moto.

It forwards every request to the upstream moto server, and on demand:
  * answers a share of the ECS and ECR requests with ``ThrottlingException`` (HTTP 400, JSON protocol) without
    forwarding them, as AWS does when it throttles;
  * adds a fixed latency to every request;
  * goes down (its port refuses connections) and comes back up on the same port, while moto behind it keeps its
    state: the client sees the endpoint unreachable, as when the network to AWS is lost;
  * denies the actions it is told to (``deny``: operation name -> resource ARN), answering each as AWS answers a call
    no policy allows: ``AccessDeniedException`` for JSON-protocol services, ``AccessDenied`` (HTTP 403) for IAM's query
    protocol, with AWS's "is not authorized to perform" message, and does not forward it;
  * in reshape mode, gives moto's ECS service and task-definition answers the members real AWS adds and moto
    leaves out (reshape.py, values from the real-AWS corpus), so a run meets AWS's answers, not moto's; and keeps
    the service-deployments API moto lacks (records.py): CreateService and UpdateService answers name ECS's record of
    the deployment they started, and the proxy answers DescribeServiceDeployments, DescribeServiceRevisions,
    StopServiceDeployment and ListServiceDeployments itself; and runs the one-off task before a rollout
    (RunTask started by ecs_deploy's pre_deploy_task, its DescribeTasks and StopTask) to the exit code it is told.

It counts what it did: requests seen, requests throttled (each one a request the client had to retry to succeed).
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

from devkit.helpers import free_port
from support.records import NAMED_BY
from support.records import ONE_OFF_OPERATIONS
from support.records import SERVED
from support.records import Records
from support.reshape import ECS_TARGET_PREFIX
from support.reshape import reshape_body

THROTTLED_SERVICES = ("AmazonEC2ContainerServiceV20141113.", "AmazonEC2ContainerRegistry_V20150921.")
# X-Amz-Target's prefix -> the IAM service prefix of its actions (IAM's query protocol has no target).
_IAM_PREFIX = {
    "AmazonEC2ContainerServiceV20141113": "ecs",
    "AmazonEC2ContainerRegistry": "ecr",
    "Logs": "logs",
    "AnyScaleFrontendService": "application-autoscaling",
}
_QUERY_VERSIONS = {"2010-05-08": "iam", "2011-06-15": "sts", "2016-11-15": "ec2"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


class FaultProxy:
    def __init__(self, upstream: str, seed: int = 20261127, reshape: bool = False) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.throttle_share = 0.0
        self.latency = 0.0
        self.reshape = reshape
        self.reshaped: Counter = Counter()
        self.records = Records()
        self.served: Counter = Counter()
        self.deny: dict[str, str] = {}
        self.denied: Counter = Counter()
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.requests = 0
        # Requests being answered now, and the most at once since the last reset_counts (with a latency, whether a
        # client asks in parallel).
        self.in_flight = 0
        self.max_in_flight = 0
        self.throttled: Counter = Counter()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.start()
        # A control port of its own, so that another process (a stage_probe fault command) can take it down.
        self.control_port = free_port()
        self.control = ThreadingHTTPServer(("127.0.0.1", self.control_port), type("Control", (_Control,), {"owner": self}))
        self.control.daemon_threads = True
        threading.Thread(target=self.control.serve_forever, daemon=True).start()

    # --- control -----------------------------------------------------------------------------
    def start(self) -> None:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Go down: the port refuses connections until start()."""
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def close(self) -> None:
        self.stop()
        self.control.shutdown()
        self.control.server_close()

    def configure(self, throttle_share: float = 0.0, latency: float = 0.0, reshape: bool | None = None, deny: dict | None = None) -> None:
        """Set the faults; ``reshape`` None leaves the reshape mode as it is."""
        with self.lock:
            self.throttle_share = throttle_share
            self.latency = latency
            self.deny = dict(deny or {})
            if reshape is not None:
                self.reshape = reshape

    def reset_counts(self) -> None:
        with self.lock:
            self.requests = 0
            self.max_in_flight = self.in_flight
            self.throttled = Counter()
            self.reshaped = Counter()
            self.served = Counter()
            self.denied = Counter()

    # --- decisions ---------------------------------------------------------------------------
    def reshape_answer(self, target: str, status: int, payload: bytes) -> bytes:
        """moto's answer as AWS would shape it, in reshape mode; errors and other operations pass as they are."""
        if not self.reshape or status != 200:
            return payload
        reshaped = reshape_body(target, payload)
        if reshaped is not payload:
            with self.lock:
                self.reshaped[target.rsplit(".", 1)[-1]] += 1
        operation = target[len(ECS_TARGET_PREFIX):] if target.startswith(ECS_TARGET_PREFIX) else ""
        if operation in NAMED_BY:
            reshaped = json.dumps(self.records.on_answer(operation, json.loads(reshaped))).encode()
        return reshaped

    def serve(self, target: str, body: bytes) -> tuple[int, dict, bytes] | None:
        """In reshape mode, the answer to a service-deployments call moto lacks; None for every other call."""
        operation = target[len(ECS_TARGET_PREFIX):] if target.startswith(ECS_TARGET_PREFIX) else ""
        if not self.reshape or operation not in SERVED + ONE_OFF_OPERATIONS:
            return None
        request = json.loads(body or b"{}")
        with self.records.lock:
            if not self.records.serves(operation, request):
                return None
        with self.lock:
            self.served[operation] += 1
        try:
            answer = self.records.answer(operation, request)
        except KeyError as e:
            error = {"__type": "ServiceDeploymentNotFoundException", "message": f"The service deployment {e} does not exist."}
            return 400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": "ServiceDeploymentNotFoundException:"}, json.dumps(error).encode()
        return 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(answer).encode()

    def denial(self, target: str, body: bytes) -> tuple[int, dict, bytes] | None:
        """AWS's answer to a call no policy allows, when the call's operation is denied; None otherwise."""
        if target:
            prefix, operation, query = _IAM_PREFIX.get(target.split("_", 1)[0].split(".", 1)[0], ""), target.rsplit(".", 1)[-1], False
        else:
            form = urllib.parse.parse_qs(body.decode(errors="replace"))
            operation, query = (form.get("Action") or [""])[0], True
            prefix = _QUERY_VERSIONS.get((form.get("Version") or [""])[0], "iam")
        with self.lock:
            resource = self.deny.get(operation)
            if resource is None:
                return None
            self.denied[operation] += 1
        action = f"{prefix or 'ecs'}:{operation}"
        message = (
            f"User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: {action} on resource: {resource}"
            f" because no identity-based policy allows the {action} action"
        )
        if query:
            xml = (
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                f"<Message>{message}</Message></Error><RequestId>denied</RequestId></ErrorResponse>"
            )
            return 403, {"Content-Type": "text/xml"}, xml.encode()
        payload = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
        return 400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": "AccessDeniedException:"}, payload

    def should_throttle(self, target: str) -> bool:
        with self.lock:
            self.requests += 1
            if target.startswith(THROTTLED_SERVICES) and self.random.random() < self.throttle_share:
                self.throttled[target.split(".", 1)[1]] += 1
                return True
        return False


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _handle(self) -> None:
        proxy = self.owner
        with proxy.lock:
            proxy.in_flight += 1
            proxy.max_in_flight = max(proxy.max_in_flight, proxy.in_flight)
        try:
            self._answer()
        finally:
            with proxy.lock:
                proxy.in_flight -= 1

    def _answer(self) -> None:
        proxy = self.owner
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if proxy.latency:
            time.sleep(proxy.latency)
        denied = proxy.denial(self.headers.get("X-Amz-Target", ""), body) if proxy.deny else None
        if denied:
            self._reply(*denied)
            return
        if proxy.should_throttle(self.headers.get("X-Amz-Target", "")):
            payload = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            self._reply(400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": "ThrottlingException:"}, payload)
            return
        served = proxy.serve(self.headers.get("X-Amz-Target", ""), body)
        if served:
            self._reply(*served)
            return
        connection = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
        try:
            headers = {key: value for key, value in self.headers.items() if key.lower() not in HOP_BY_HOP}
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = proxy.reshape_answer(self.headers.get("X-Amz-Target", ""), response.status, response.read())
            self._reply(response.status, {key: value for key, value in response.getheaders() if key.lower() not in HOP_BY_HOP}, payload)
        finally:
            connection.close()

    def _reply(self, status: int, headers: dict, payload: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


class _Control(BaseHTTPRequestHandler):
    """POST /down takes the proxy down; POST /up brings it back."""

    owner: FaultProxy

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_POST(self):  # noqa: N802 - the http.server API
        if self.path == "/down":
            self.owner.stop()
        elif self.path == "/up" and self.owner.server is None:
            self.owner.start()
        self.send_response(204)
        self.end_headers()
