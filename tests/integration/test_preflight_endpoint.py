"""The preflight's first request is the endpoint's check: devops.fargate.network_preflight_info sends
sts:GetCallerIdentity once, without retries, so that an endpoint that does not answer fails the run at once, naming its
URL (botocore's standard retries would try it 10 times, backing off for about a minute); a throttled first request is
still asked again with the usual retries. Through the real module, against endpoints of the test's own that count the
connections and requests they get."""

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


def preflight(endpoint_url: str, account_id: str) -> dict:
    connection = {"endpoint_url": endpoint_url, "access_key": "testing", "secret_key": "testing", "region": "us-east-1"}
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "preflight", "devops.fargate.network_preflight_info": dict(connection, account_id=account_id), "ignore_errors": True},
    ]}]
    return task_result(run_playbook(plays), "preflight")


@pytest.fixture
def resetting():
    endpoint = ResettingEndpoint()
    yield endpoint
    endpoint.close()


def test_an_endpoint_that_does_not_answer_fails_at_once_naming_it(resetting):
    result = preflight(resetting.url, "111122223333")
    assert result["failed"]
    assert resetting.url.split("//")[1] in result["msg"]
    assert "caller's identity" in result["msg"]
    assert resetting.connections == 1  # not 10: no retries for an endpoint that does not answer


def test_a_throttled_first_request_is_asked_again_with_retries():
    sts = ThrottlingEndpoint(2, (400, THROTTLED.encode()), (200, IDENTITY.encode()), "text/xml")
    try:
        result = preflight(sts.url, "444455556666")
    finally:
        sts.close()
    # The fast request, throttled; then the retrying client's two: throttled, answered. The answer is another account's.
    assert len(sts.requests) == 3
    assert not result.get("failed")
    assert result["account_id"] == "111122223333"
    assert any("444455556666" in problem and "111122223333" in problem for problem in result["problems"])
