"""One retry layer: a throttled call is retried by botocore's standard mode alone, as many times as the module's
aws_config says (10 attempts by default), never inside a second layer that multiplies them (10 x 10 = 100 attempts of
a throttled call, and minutes of backoff, before the run fails). Through the real module, against an endpoint of the
test's own that throttles, counting the requests it gets."""

from __future__ import annotations

import json

import pytest

from support.endpoints import ThrottlingEndpoint
from devkit.helpers import run_playbook
from devkit.helpers import task_result

MISSING = {"services": [], "failures": [{"arn": "arn:aws:ecs:us-east-1:123456789012:service/c/web", "reason": "MISSING"}]}


def ecs_endpoint(throttle: int) -> ThrottlingEndpoint:
    """An ECS endpoint that answers the first ``throttle`` requests with ThrottlingException (as AWS does), then
    DescribeServices with a missing service."""
    throttled = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
    return ThrottlingEndpoint(throttle, (400, throttled), (200, json.dumps(MISSING).encode()), "application/x-amz-json-1.1")


def describe(endpoint: ThrottlingEndpoint, aws_config: dict | None = None, expect_failure: bool = False) -> dict:
    connection = {"endpoint_url": endpoint.url, "region": "us-east-1", "access_key": "testing", "secret_key": "testing"}
    if aws_config:
        connection["aws_config"] = aws_config
    plays = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/devops.fargate.aws": connection},
            "tasks": [{"name": "describe", "devops.fargate.ecs_deploy_info": {"cluster": "c", "service": "web"}}],
        }
    ]
    # The old double layer makes minutes of backoff of this: the timeout fails it.
    return task_result(run_playbook(plays, expect_failure=expect_failure, timeout=120), "describe")


@pytest.fixture
def endpoint(request):
    server = ecs_endpoint(request.param)
    yield server
    server.close()


@pytest.mark.parametrize("endpoint", [1000], indirect=True)
def test_a_call_throttled_past_its_attempts_fails_after_exactly_that_many_requests(endpoint):
    result = describe(endpoint, aws_config={"retries": {"mode": "standard", "total_max_attempts": 3}}, expect_failure=True)
    assert endpoint.requests == ["AmazonEC2ContainerServiceV20141113.DescribeServices"] * 3
    assert "ThrottlingException" in json.dumps(result)


@pytest.mark.parametrize("endpoint", [2], indirect=True)
def test_a_briefly_throttled_call_succeeds_on_the_clients_retries(endpoint):
    result = describe(endpoint)
    assert not result["exists"]
    assert len(endpoint.requests) == 3
