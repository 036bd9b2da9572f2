from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.rollout import DeploymentState
from ansible_collections.devops.fargate.plugins.module_utils.rollout import classify_deployment
from support.ecs_answers import TD
from support.ecs_answers import deployment as _deployment

NEW = "ecs-svc/2222222222222222222"
OLD = "ecs-svc/1111111111111111111"
ROLLBACK = "ecs-svc/3333333333333333333"


def _service(*deployments):
    return {"serviceName": "s", "status": "ACTIVE", "deployments": list(deployments)}


@pytest.mark.parametrize(
    "service, kwargs, state, reason",
    [
        pytest.param(
            _service(_deployment(NEW, 7, rollout="COMPLETED", running=2), _deployment(OLD, 6, "ACTIVE", "COMPLETED", 1)),
            {},
            DeploymentState.COMPLETED,
            "completed: 2/2 running",
            id="completed",
        ),
        pytest.param(
            _service(
                dict(
                    _deployment(NEW, 7, rollout="FAILED", failed=3),
                    rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.",
                ),
                _deployment(OLD, 6, "ACTIVE", "COMPLETED", 2),
            ),
            {},
            DeploymentState.FAILED,
            "ECS deployment circuit breaker: tasks failed to start.",
            id="failed-with-reason",
        ),
        pytest.param(
            _service(_deployment(ROLLBACK, 6, running=1)),
            {},
            DeploymentState.FAILED,
            f"rolled it back (deployment circuit breaker); the PRIMARY deployment {ROLLBACK} runs {TD.format(6)}",
            id="vanished-after-circuit-breaker-rollback",
        ),
        pytest.param(_service(), {}, DeploymentState.FAILED, "is no longer listed", id="vanished-no-deployments"),
        pytest.param(
            _service(_deployment(NEW, 7, failed=4), _deployment(OLD, 6, "ACTIVE", "COMPLETED", 2)),
            {"failed_tasks_threshold": 3},
            DeploymentState.FAILED,
            "4 tasks failed to start, more than the threshold of 3",
            id="failed-tasks-past-threshold",
        ),
        pytest.param(
            _service(_deployment(NEW, 7, failed=3)),
            {"failed_tasks_threshold": 3},
            DeploymentState.IN_PROGRESS,
            "3 failed",
            id="failed-tasks-at-threshold",
        ),
        pytest.param(
            _service(_deployment(NEW, 7, failed=50)),
            {"failed_tasks_threshold": 0},
            DeploymentState.IN_PROGRESS,
            "50 failed",
            id="threshold-zero-is-off",
        ),
        pytest.param(
            _service(_deployment(NEW, 7, running=1), _deployment(OLD, 6, "ACTIVE", "COMPLETED", 1)),
            {},
            DeploymentState.IN_PROGRESS,
            "1/2 running, 1 pending, 0 failed",
            id="in-progress",
        ),
        pytest.param(
            _service(_deployment(NEW, 7, rollout="COMPLETED", running=2, failed=9)),
            {"failed_tasks_threshold": 1},
            DeploymentState.COMPLETED,
            "completed",
            id="completed-wins-over-threshold",
        ),
        pytest.param(
            _service(_deployment(NEW, 7, rollout=None, running=2)),
            {},
            DeploymentState.COMPLETED,
            "steady state",
            id="no-rollout-state-primary-alone-counts-equal",
        ),
        pytest.param(
            _service(_deployment(NEW, 7, rollout=None, running=1)),
            {},
            DeploymentState.IN_PROGRESS,
            "1/2 running",
            id="no-rollout-state-primary-alone-counts-unequal",
        ),
        pytest.param(
            _service(_deployment(NEW, 7, rollout=None, running=2), _deployment(OLD, 6, "ACTIVE", None, 1)),
            {},
            DeploymentState.IN_PROGRESS,
            "in progress",
            id="no-rollout-state-old-deployment-still-draining",
        ),
        pytest.param(
            _service(_deployment(ROLLBACK, 8), _deployment(NEW, 7, "ACTIVE", running=1)),
            {},
            DeploymentState.FAILED,
            f"superseded; the PRIMARY deployment {ROLLBACK} runs {TD.format(8)}",
            id="superseded-by-newer-deployment",
        ),
    ],
)
def test_classify_deployment(service, kwargs, state, reason):
    actual_state, actual_reason = classify_deployment(service, NEW, **kwargs)
    assert actual_state == state
    assert reason in actual_reason


def test_classify_deployment_state_is_a_plain_string():
    state, _reason = classify_deployment(_service(_deployment(NEW, 7, rollout="COMPLETED", running=2)), NEW)
    assert state == "COMPLETED"
    assert state.value == "COMPLETED"


def test_classify_deployment_rejects_negative_threshold():
    with pytest.raises(ValueError, match="failed_tasks_threshold"):
        classify_deployment(_service(_deployment(NEW, 7)), NEW, failed_tasks_threshold=-1)
