"""The preflight's first request is the endpoint's check: devops.fargate.network_preflight_info sends
sts:GetCallerIdentity once, without retries, so that an endpoint that does not answer fails the run at once, naming its
URL (botocore's standard retries would try it 10 times, backing off for about a minute); a throttled first request is
still asked again with the usual retries. Through the real module, against endpoints of the test's own that count the
connections and requests they get. The deploy's preflight makes these checks in devops.fargate.fargate_prerequisites_info
(its ``network`` option, with the reads of the cluster, log group and roles after them): both modules are tried."""

from __future__ import annotations

import socket
import struct
import threading

import pytest

from support.endpoints import ThrottlingEndpoint
from devkit.helpers import run_playbook
from devkit.helpers import task_result

IDENTITY = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/ci</Arn><UserId>AIDAEXAMPLE</UserId>
  <Account>111122223333</Account></GetCallerIdentityResult>
  <ResponseMetadata><RequestId>4b2a8b4c-0000-4000-8000-000000000001</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""
THROTTLED = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
  <RequestId>4b2a8b4c-0000-4000-8000-000000000002</RequestId>
</ErrorResponse>"""


class ResettingEndpoint:
    """Accepts each connection and resets it at once, without an answer (an endpoint that is down behind a proxy, or
    not an AWS endpoint); ``connections`` counts them."""

    def __init__(self) -> None:
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    def close(self) -> None:
        self.sock.close()


MODULES = ["network_preflight_info", "fargate_prerequisites_info"]


def preflight(module: str, endpoint_url: str, account_id: str) -> dict:
    """The network check's answer, from ``module``: network_preflight_info's own, or fargate_prerequisites_info's with
    the network given (its ``network_preflight``, beside its own keys), asking also about a cluster and a log group."""
    connection = {"endpoint_url": endpoint_url, "access_key": "testing", "secret_key": "testing", "region": "us-east-1"}
    if module == "network_preflight_info":
        args = dict(connection, account_id=account_id)
    else:
        args = dict(connection, network={"account_id": account_id}, cluster={"name": "web"}, log_group={"name": "/ecs/web"})
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "preflight", f"devops.fargate.{module}": args, "ignore_errors": True},
    ]}]
    result = task_result(run_playbook(plays), "preflight")
    return dict(result, **result.get("network_preflight", {}))


@pytest.fixture
def resetting():
    endpoint = ResettingEndpoint()
    yield endpoint
    endpoint.close()


@pytest.mark.parametrize("module", MODULES)
def test_an_endpoint_that_does_not_answer_fails_at_once_naming_it(resetting, module):
    result = preflight(module, resetting.url, "111122223333")
    assert result["failed"]
    assert resetting.url.split("//")[1] in result["msg"]
    assert "caller's identity" in result["msg"]
    assert resetting.connections == 1  # not 10: no retries for an endpoint that does not answer


@pytest.mark.parametrize("module", MODULES)
def test_a_throttled_first_request_is_asked_again_with_retries(module):
    sts = ThrottlingEndpoint(2, (400, THROTTLED.encode()), (200, IDENTITY.encode()), "text/xml")
    try:
        result = preflight(module, sts.url, "444455556666")
    finally:
        sts.close()
    # The fast request, throttled; then the retrying client's two: throttled, answered. The answer is another account's,
    # and nothing else is asked (the cluster and log group are not read).
    assert len(sts.requests) == 3
    assert not result.get("failed")
    assert result["account_id"] == "111122223333"
    assert any("444455556666" in problem and "111122223333" in problem for problem in result["problems"])
    assert result.get("up_to_date") is not True
