"""ECS answers for the unit tests' Stubber queues and pure rollout rules, in the shapes DescribeServices returns."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
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


SERVICE_DEPLOYMENT = "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/{}"
SERVICE_REVISION = "arn:aws:ecs:us-east-1:123456789012:service-revision/c/web/{}"


def service_deployment(deployment_id: str, status: str, running: int = 0, **extra) -> dict:
    """ECS's record of one deployment of service ``web`` in cluster ``c`` (DescribeServiceDeployments), in the shape
    of the AWS CLI's describe-service-deployments example: from revision ``1`` to revision ``2``, one task wanted,
    ``running`` of it up, no alarms."""
    found = {
        "serviceDeploymentArn": SERVICE_DEPLOYMENT.format(deployment_id),
        "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/c/web",
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/c",
        "createdAt": T0,
        "startedAt": T0,
        "updatedAt": T0,
        "sourceServiceRevisions": [{"arn": SERVICE_REVISION.format("1"), "requestedTaskCount": 1, "runningTaskCount": 1, "pendingTaskCount": 0}],
        "targetServiceRevision": {"arn": SERVICE_REVISION.format("2"), "requestedTaskCount": 1, "runningTaskCount": running, "pendingTaskCount": 1 - running},
        "status": status,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "alarms": {"alarmNames": [], "rollback": False, "enable": False},
        },
        "deploymentCircuitBreaker": {"status": "MONITORING", "failureCount": 0, "threshold": 3},
        "alarms": {"status": "DISABLED"},
    }
    found.update(extra)
    return found


def service_revision(revision: str, task_definition: str) -> dict:
    """One service revision (DescribeServiceRevisions): what ``revision`` runs."""
    return {
        "serviceRevisionArn": SERVICE_REVISION.format(revision),
        "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/c/web",
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/c",
        "taskDefinition": task_definition,
        "launchType": "FARGATE",
        "createdAt": T0,
    }


def service_deployment_brief(revision: str, minutes: int, status: str = "SUCCESSFUL") -> dict:
    """One ListServiceDeployments entry of service ``web``, in the shape of the AWS CLI's list-service-deployments
    example: a deployment to service revision ``revision``, created ``minutes`` after T0 and finished 2 minutes later."""
    return {
        "serviceDeploymentArn": SERVICE_DEPLOYMENT.format(f"to-{revision}-at-{minutes}"),
        "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/c/web",
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/c",
        "startedAt": T0 + timedelta(minutes=minutes),
        "createdAt": T0 + timedelta(minutes=minutes),
        "finishedAt": T0 + timedelta(minutes=minutes + 2),
        "targetServiceRevisionArn": SERVICE_REVISION.format(revision),
        "status": status,
    }
