"""Rollout sequences through a real boto3 ECS client, its answers queued with botocore's Stubber."""

from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecs import AnsibleECSError
from ansible_collections.devops.fargate.plugins.module_utils.ecs import describe_service
from ansible_collections.devops.fargate.plugins.module_utils.rollout import DeploymentState
from ansible_collections.devops.fargate.plugins.module_utils.rollout import wait_for_rollout
from support.ecs_answers import T0
from support.ecs_answers import TD
from support.ecs_answers import deployment as _deployment

CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/c"
SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/c/s"
NEW = "ecs-svc/2222222222222222222"
OLD = "ecs-svc/1111111111111111111"
ROLLBACK = "ecs-svc/3333333333333333333"
DESCRIBE_PARAMS = {"cluster": "c", "services": ["s"], "include": ["TAGS"]}


class FakeClock:
    """Time that only moves when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def describe(client):
    return lambda: describe_service(client, "c", "s")


def _response(*deployments, status="ACTIVE"):
    service = {
        "serviceArn": SERVICE_ARN,
        "serviceName": "s",
        "clusterArn": CLUSTER_ARN,
        "status": status,
        "taskDefinition": deployments[0]["taskDefinition"] if deployments else TD.format(1),
        "desiredCount": 2,
        "runningCount": 0,
        "pendingCount": 0,
        "deployments": list(deployments),
        "events": [{"id": "e1", "createdAt": T0, "message": "(service s) has started 2 tasks."}],
        "tags": [{"key": "devops-fargate:last-good", "value": TD.format(6)}],
    }
    return {"services": [service], "failures": []}


def _queue(stubber, *responses):
    for response in responses:
        stubber.add_response("describe_services", response, DESCRIBE_PARAMS)


def _wait(describe, clock, **kwargs):
    kwargs.setdefault("timeout", 600)
    kwargs.setdefault("delay", 15)
    return wait_for_rollout(describe, NEW, clock=clock, sleep=clock.sleep, **kwargs)


def test_in_progress_twice_then_completed(stubber, describe):
    clock = FakeClock()
    old = _deployment(OLD, 6, "ACTIVE", "COMPLETED", running=2)
    _queue(
        stubber,
        _response(_deployment(NEW, 7), old),
        _response(_deployment(NEW, 7, running=1), old),
        _response(_deployment(NEW, 7, rollout="COMPLETED", running=2)),
    )

    result = _wait(describe, clock)

    assert result.state == DeploymentState.COMPLETED
    assert result.polls == 3
    assert clock.sleeps == [15, 15]
    assert result.elapsed == 30
    assert result.service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert result.service["tags"] == [{"key": "devops-fargate:last-good", "value": TD.format(6)}]


def test_in_progress_then_circuit_breaker_failed(stubber, describe):
    clock = FakeClock()
    reason = "ECS deployment circuit breaker: tasks failed to start."
    _queue(
        stubber,
        _response(_deployment(NEW, 7), _deployment(OLD, 6, "ACTIVE", "COMPLETED", running=2)),
        _response(
            _deployment(ROLLBACK, 6),
            _deployment(NEW, 7, "ACTIVE", "FAILED", failed=3, rolloutStateReason=reason),
        ),
    )

    result = _wait(describe, clock)

    assert result.state == DeploymentState.FAILED
    assert reason in result.reason
    assert result.polls == 2


def test_deployment_vanished_after_circuit_breaker_rollback(stubber, describe):
    clock = FakeClock()
    _queue(
        stubber,
        _response(_deployment(NEW, 7), _deployment(OLD, 6, "ACTIVE", "COMPLETED", running=2)),
        _response(_deployment(ROLLBACK, 6, rollout="COMPLETED", running=2)),
    )

    result = _wait(describe, clock)

    assert result.state == DeploymentState.FAILED
    assert "rolled it back" in result.reason
    assert TD.format(6) in result.reason


def test_failed_tasks_growing_past_threshold(stubber, describe):
    clock = FakeClock()
    _queue(
        stubber,
        _response(_deployment(NEW, 7, failed=0)),
        _response(_deployment(NEW, 7, failed=2)),
        _response(_deployment(NEW, 7, failed=5)),
    )

    result = _wait(describe, clock, failed_tasks_threshold=3)

    assert result.state == DeploymentState.FAILED
    assert "5 tasks failed to start, more than the threshold of 3" in result.reason
    assert result.polls == 3


def test_timeout_while_always_in_progress(stubber, describe):
    clock = FakeClock()
    _queue(stubber, *[_response(_deployment(NEW, 7, running=1))] * 4)

    result = _wait(describe, clock, timeout=40, delay=15)

    # Polls at 0, 15, 30 and at the 40 s deadline itself, never past it.
    assert clock.sleeps == [15, 15, 10]
    assert result.state == DeploymentState.FAILED
    assert result.reason.startswith("timed out after 40 s")
    assert "1/2 running" in result.reason
    assert result.polls == 4
    assert result.elapsed == 40


def test_service_deleted_while_waiting(stubber, describe):
    clock = FakeClock()
    _queue(stubber, _response(_deployment(NEW, 7)), _response(_deployment(NEW, 7), status="INACTIVE"))

    result = _wait(describe, clock)

    assert result.state == DeploymentState.FAILED
    assert result.reason == "the service no longer exists"
    assert result.service is None


def test_throttling_that_outlasts_the_clients_retries_is_an_ecs_error(stubber, describe):
    """The client's retries (botocore's standard mode) are spent before the error reaches the wait: no second layer."""
    stubber.add_client_error("describe_services", service_error_code="ThrottlingException", http_status_code=400)

    with pytest.raises(AnsibleECSError, match="Failed to describe ECS service") as raised:
        _wait(describe, FakeClock())
    assert raised.value.exception.response["Error"]["Code"] == "ThrottlingException"


def test_other_errors_fail_the_wait(stubber, describe):
    stubber.add_client_error("describe_services", service_error_code="AccessDeniedException", http_status_code=400)

    with pytest.raises(AnsibleECSError, match="Failed to describe ECS service") as raised:
        _wait(describe, FakeClock())
    assert raised.value.exception.response["Error"]["Code"] == "AccessDeniedException"


def test_describe_service_missing(stubber, describe):
    stubber.add_response(
        "describe_services",
        {"services": [], "failures": [{"arn": SERVICE_ARN, "reason": "MISSING"}]},
        DESCRIBE_PARAMS,
    )
    assert describe() is None


def test_describe_service_cluster_missing(stubber, describe):
    stubber.add_client_error("describe_services", service_error_code="ClusterNotFoundException", http_status_code=400)
    assert describe() is None
