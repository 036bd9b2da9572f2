"""ECS answers for the unit tests' Stubber queues and pure rollout rules, in the shapes DescribeServices returns."""

from __future__ import annotations

from datetime import datetime
from datetime import timezone

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:{}"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def deployment(deployment_id: str, revision: int, status: str = "PRIMARY", rollout: str | None = "IN_PROGRESS", running: int = 0, desired: int = 2,
               failed: int = 0, **extra) -> dict:
    """One of a service's ``deployments``: revision ``revision`` of TD, ``running`` of ``desired`` tasks up, the rest
    pending; no ``rolloutState`` when ``rollout`` is None (a deployment ECS does not watch)."""
    found = {
        "id": deployment_id,
        "status": status,
        "taskDefinition": TD.format(revision),
        "desiredCount": desired,
        "runningCount": running,
        "pendingCount": desired - running,
        "failedTasks": failed,
        "createdAt": T0,
        "updatedAt": T0,
    }
    if rollout is not None:
        found["rolloutState"] = rollout
    found.update(extra)
    return found
