# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A rollout as ECS's service-deployments API records it (DescribeServiceDeployments), where the endpoint has it.

Real ECS answers CreateService and UpdateService with the service's ``currentServiceDeployment``: the ARN of the
deployment the call started. That record says how the deployment ended (SUCCESSFUL, ROLLBACK_SUCCESSFUL, STOPPED,
...), why, which alarm fired, and which revision a rollback went to. An endpoint without the API (moto) leaves the
ARN out, and the module reads the rollout from DescribeServices instead (rollout.py).

Pure functions over botocore's ``ServiceDeployment`` shape; the calls live in ecs.py.
"""

from __future__ import annotations

from ansible_collections.devops.fargate.plugins.module_utils.rollout import DeploymentState

# botocore's ServiceDeploymentStatus, by what it means for a run.
SUCCESSFUL = "SUCCESSFUL"
RUNNING = ("PENDING", "IN_PROGRESS")
ROLLING_BACK = ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
ROLLBACK_SUCCESSFUL = "ROLLBACK_SUCCESSFUL"
ROLLBACK_FAILED = "ROLLBACK_FAILED"
STOPPING = ("STOP_REQUESTED",)
STOPPED = "STOPPED"


def deployment_name(service_deployment: dict) -> str:
    """The deployment's ID, the last part of its ARN, for messages."""
    return (service_deployment.get("serviceDeploymentArn") or "?").rsplit("/", 1)[-1]


def classify_service_deployment(service_deployment: dict, failed_tasks_threshold: int = 0) -> tuple[DeploymentState, str]:
    """Where the deployment stands, and a reason for humans, from ECS's own record.

    SUCCESSFUL is COMPLETED; PENDING and IN_PROGRESS are IN_PROGRESS, unless ``failed_tasks_threshold`` N > 0 and the
    circuit breaker counted more than N failed tasks; every other status (stopping, stopped, rolling back or rolled
    back) is FAILED: the revision this run asked for is not what the service will run.
    """
    if failed_tasks_threshold < 0:
        raise ValueError(f"failed_tasks_threshold must be 0 (off) or more, got {failed_tasks_threshold}")
    status = service_deployment.get("status")
    name = deployment_name(service_deployment)
    if status == SUCCESSFUL:
        return DeploymentState.COMPLETED, f"service deployment {name} succeeded: {_counts(service_deployment)}"
    if status in RUNNING:
        hook = paused_hook(service_deployment)
        if hook:
            return DeploymentState.PAUSED, (
                f"service deployment {name} paused at {service_deployment.get('lifecycleStage', 'a lifecycle stage')}, hook {hook.get('hookId')}"
                f" waiting for ContinueServiceDeployment until {hook.get('expiresAt', '?')}, then {hook.get('timeoutAction', 'ROLLBACK')}"
            )
        failed = (service_deployment.get("deploymentCircuitBreaker") or {}).get("failureCount") or 0
        if failed_tasks_threshold and failed > failed_tasks_threshold:
            return DeploymentState.FAILED, (
                f"service deployment {name} failed: {failed} tasks failed to start, more than the threshold of {failed_tasks_threshold}"
            )
        stage = f" at {service_deployment['lifecycleStage']}" if service_deployment.get("lifecycleStage") else ""
        return DeploymentState.IN_PROGRESS, f"service deployment {name} {status.lower().replace('_', ' ')}{stage}: {_counts(service_deployment)}"
    return DeploymentState.FAILED, failure_reason(service_deployment)


def classify_rollback(service_deployment: dict) -> tuple[DeploymentState, str]:
    """Where ECS's rollback of the deployment stands: ROLLBACK_SUCCESSFUL is COMPLETED; ROLLBACK_FAILED or STOPPED
    FAILED; a rollback requested or under way IN_PROGRESS, and so is a deployment still running or stopping, as
    it shows for a moment after StopServiceDeployment ROLLBACK."""
    status = service_deployment.get("status")
    name = deployment_name(service_deployment)
    if status == ROLLBACK_SUCCESSFUL:
        return DeploymentState.COMPLETED, f"service deployment {name} rolled back"
    if status in ROLLING_BACK + RUNNING + STOPPING:
        return DeploymentState.IN_PROGRESS, f"service deployment {name} {status.lower().replace('_', ' ')}"
    return DeploymentState.FAILED, failure_reason(service_deployment)


def paused_hook(service_deployment: dict | None) -> dict | None:
    """The PAUSE lifecycle hook the running deployment waits at (AWAITING_ACTION), or None."""
    if (service_deployment or {}).get("status") not in RUNNING:
        return None
    for hook in service_deployment.get("lifecycleHookDetails") or []:
        if hook.get("targetType") == "PAUSE" and hook.get("status") == "AWAITING_ACTION":
            return hook
    return None


def ecs_rolls_back(service_deployment: dict) -> bool:
    """ECS has taken the rollback on itself (circuit breaker or alarm rollback, or a stop with ROLLBACK)."""
    return service_deployment.get("status") in ROLLING_BACK + (ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED)


def can_be_rolled_back(service_deployment: dict) -> bool:
    """StopServiceDeployment with ROLLBACK applies to a deployment still running."""
    return service_deployment.get("status") in RUNNING


def failure_reason(service_deployment: dict) -> str:
    """The status, ECS's reason, the alarms that fired and the circuit breaker's count, in one line."""
    status = service_deployment.get("status") or "UNKNOWN"
    parts = [f"service deployment {deployment_name(service_deployment)} {status}"]
    if service_deployment.get("statusReason"):
        parts.append(service_deployment["statusReason"])
    fired = (service_deployment.get("alarms") or {}).get("triggeredAlarmNames") or []
    if fired:
        parts.append("alarm fired: " + ", ".join(fired))
    breaker = service_deployment.get("deploymentCircuitBreaker") or {}
    if breaker.get("status") == "TRIGGERED":
        parts.append(f"circuit breaker tripped: {breaker.get('failureCount', 0)} tasks failed, threshold {breaker.get('threshold', '?')}")
    return ": ".join(parts[:2]) + "".join(f"; {part}" for part in parts[2:])


def triggered_alarms(service_deployment: dict | None) -> list[str]:
    return list(((service_deployment or {}).get("alarms") or {}).get("triggeredAlarmNames") or [])


def rollback_revision_arn(service_deployment: dict) -> str | None:
    """The service revision a rollback went to: ECS's ``rollback`` record, else the revision the deployment started
    from (a rollback returns there)."""
    rollback = (service_deployment.get("rollback") or {}).get("serviceRevisionArn")
    if rollback:
        return rollback
    sources = service_deployment.get("sourceServiceRevisions") or []
    return sources[0].get("arn") if sources else None


def newest_first(briefs: list[dict]) -> list[dict]:
    """ListServiceDeployments' briefs, the newest deployment first (ECS does not say in which order it lists them)."""
    return sorted(briefs, key=lambda brief: _seconds(brief.get("finishedAt") or brief.get("createdAt")), reverse=True)


def successful_task_definitions(briefs: list[dict], revisions: list[dict]) -> list[str]:
    """The task definitions ECS deployed successfully, newest first, each once: ``briefs`` are its SUCCESSFUL
    deployments (ListServiceDeployments), ``revisions`` the service revisions they went to (DescribeServiceRevisions).
    A deployment whose revision was not read is left out."""
    task_definitions = {revision.get("serviceRevisionArn"): revision.get("taskDefinition") for revision in revisions}
    found = (task_definitions.get(brief.get("targetServiceRevisionArn")) for brief in newest_first(briefs) if brief.get("status") == SUCCESSFUL)
    return list(dict.fromkeys(arn for arn in found if arn))


def _seconds(value) -> float:
    """A botocore timestamp (datetime) or the epoch seconds a raw JSON answer carries; missing sorts oldest."""
    if hasattr(value, "timestamp"):
        return value.timestamp()
    return float(value) if isinstance(value, (int, float)) else float("-inf")


def _counts(service_deployment: dict) -> str:
    target = service_deployment.get("targetServiceRevision") or {}
    return (
        f"{target.get('runningTaskCount', 0)}/{target.get('requestedTaskCount', 0)} running,"
        f" {target.get('pendingTaskCount', 0)} pending"
    )
