"""Explaining a rollout: stopped tasks (through a stubbed boto3 client) and service events."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.ecs import describe_stopped_tasks
from ansible_collections.devops.fargate.plugins.module_utils.rollout import recent_events
from ansible_collections.devops.fargate.plugins.module_utils.rollout import stopped_task_reasons

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/c/{}"
LIST_PARAMS = {"cluster": "c", "serviceName": "s", "desiredStatus": "STOPPED", "maxResults": 100}


def _task(task_id, created_minutes, stopped_minutes, exit_code=1):
    return {
        "taskArn": TASK_ARN.format(task_id),
        "lastStatus": "STOPPED",
        "createdAt": T0 + timedelta(minutes=created_minutes),
        "stoppedAt": T0 + timedelta(minutes=stopped_minutes),
        "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "containers": [{"name": "app", "exitCode": exit_code, "lastStatus": "STOPPED"}],
    }


def test_describe_stopped_tasks_newest_first_since_deployment(stubber, client):
    arns = [TASK_ARN.format(task_id) for task_id in ("old", "a", "b", "c")]
    stubber.add_response("list_tasks", {"taskArns": arns}, LIST_PARAMS)
    stubber.add_response(
        "describe_tasks",
        {"tasks": [_task("old", -30, -25), _task("a", 1, 2), _task("b", 3, 6), _task("c", 4, 5)], "failures": []},
        {"cluster": "c", "tasks": arns},
    )

    tasks = describe_stopped_tasks(client, "c", "s", started_after=T0, limit=2)

    assert [task["taskArn"] for task in tasks] == [TASK_ARN.format("b"), TASK_ARN.format("c")]


def test_describe_stopped_tasks_none_stopped(stubber, client):
    stubber.add_response("list_tasks", {"taskArns": []}, LIST_PARAMS)

    assert describe_stopped_tasks(client, "c", "s") == []


def test_describe_stopped_tasks_service_missing(stubber, client):
    stubber.add_client_error("list_tasks", service_error_code="ServiceNotFoundException", http_status_code=400)

    assert describe_stopped_tasks(client, "c", "s") == []


@pytest.mark.parametrize(
    "tasks, expected",
    [
        pytest.param(
            [_task("a", 0, 1), _task("b", 0, 2), _task("c", 0, 3, exit_code=137)],
            [
                "EssentialContainerExited: Essential container in task exited",
                "container app: exit code 1",
                "container app: exit code 137",
            ],
            id="crash-loop-deduplicated",
        ),
        pytest.param(
            [
                {
                    "taskArn": TASK_ARN.format("a"),
                    "stopCode": "TaskFailedToStart",
                    "stoppedReason": "CannotPullContainerError: pull image manifest has been retried 1 time(s)",
                    "containers": [
                        {"name": "app", "reason": "CannotPullContainerError: not found"},
                        {"name": "sidecar", "lastStatus": "STOPPED"},
                    ],
                }
            ],
            [
                "TaskFailedToStart: CannotPullContainerError: pull image manifest has been retried 1 time(s)",
                "container app: CannotPullContainerError: not found",
            ],
            id="failed-to-start-container-reason-no-exit-code",
        ),
        pytest.param(
            [{"stoppedReason": "Task failed ELB health checks", "containers": [{"name": "app", "exitCode": 0}]}],
            ["Task failed ELB health checks", "container app: exit code 0"],
            id="no-stop-code-exit-zero-kept",
        ),
        pytest.param(
            [{"containers": [{"name": "app", "exitCode": 1, "reason": "OutOfMemoryError: Container killed"}]}],
            ["container app: exit code 1: OutOfMemoryError: Container killed"],
            id="exit-code-and-reason",
        ),
        pytest.param([], [], id="no-tasks"),
    ],
)
def test_stopped_task_reasons(tasks, expected):
    assert stopped_task_reasons(tasks) == expected


def _events(*minutes_and_messages):
    return {
        "events": [
            {"id": str(minutes), "createdAt": T0 + timedelta(minutes=minutes), "message": message}
            for minutes, message in minutes_and_messages
        ]
    }


@pytest.mark.parametrize(
    "service, kwargs, expected",
    [
        pytest.param(
            _events((2, "has reached a steady state."), (0, "has started 2 tasks."), (1, "registered 2 targets")),
            {},
            [
                "2024-05-01T12:02:00+00:00 has reached a steady state.",
                "2024-05-01T12:01:00+00:00 registered 2 targets",
                "2024-05-01T12:00:00+00:00 has started 2 tasks.",
            ],
            id="newest-first",
        ),
        pytest.param(
            _events((2, "c"), (0, "a"), (-5, "before")),
            {"since": T0},
            ["2024-05-01T12:02:00+00:00 c", "2024-05-01T12:00:00+00:00 a"],
            id="since-inclusive",
        ),
        pytest.param(
            _events((3, "d"), (2, "c"), (1, "b")),
            {"limit": 2},
            ["2024-05-01T12:03:00+00:00 d", "2024-05-01T12:02:00+00:00 c"],
            id="limit",
        ),
        pytest.param({}, {}, [], id="no-events"),
    ],
)
def test_recent_events(service, kwargs, expected):
    assert recent_events(service, **kwargs) == expected
