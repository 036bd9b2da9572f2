# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Watch an ECS rolling deployment and choose what to roll back to.

Everything here is pure or takes its I/O as arguments (``describe``, ``clock``, ``sleep``),
so the rules can be unit-tested without AWS. The API calls live in ``ecs.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Callable

# describe_services only lists current deployments, so the revisions that are known to
# work are remembered in the service's own tags (task definition ARNs).
# Tags this collection keeps on a service for itself.
TAG_PREFIX = "devops-fargate:"
TAG_LAST_GOOD = "devops-fargate:last-good"
TAG_PREVIOUS_GOOD = "devops-fargate:previous-good"
# Set by an on-demand rollback to the revision it left, cleared ("") by the next successful rollout:
# while the service still runs what the rollback went to, asking again changes nothing.
TAG_ROLLED_BACK_FROM = "devops-fargate:rolled-back-from"


class DeploymentState(str, Enum):
    """A str Enum, so it compares equal to the ECS rolloutState strings; use ``.value`` in results."""

    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    # Waiting at a PAUSE lifecycle hook for ContinueServiceDeployment (service_deployment.py): neither good nor failed.
    PAUSED = "PAUSED"


@dataclass
class RolloutResult:
    """What a wait saw: the verdict, why, and the last answer (the service, or the service deployment)."""

    state: DeploymentState
    reason: str
    service: dict | None
    elapsed: float
    polls: int


# ---------------------------------------------------------------------------------------
# Classifying a deployment


def classify_deployment(
    service: dict,
    deployment_id: str,
    failed_tasks_threshold: int = 0,
) -> tuple[DeploymentState, str]:
    """Where deployment ``deployment_id`` of ``service`` stands, and a reason for humans.

    In order:
    * gone from ``deployments`` -> FAILED: the circuit breaker rolled it back (or it was
      replaced and drained, which we cannot tell apart);
    * ``rolloutState`` COMPLETED -> COMPLETED, even if some tasks failed on the way;
    * ``rolloutState`` FAILED -> FAILED with ``rolloutStateReason``;
    * no ``rolloutState`` (no circuit breaker data, e.g. behind a Classic Load Balancer):
      COMPLETED once it is the only deployment, PRIMARY, and runningCount == desiredCount;
    * no longer PRIMARY -> FAILED: a newer deployment superseded it, so it never completes;
    * ``failed_tasks_threshold`` N > 0 and ``failedTasks`` > N -> FAILED. N = 0 turns this rule
      off and leaves the verdict to ECS's circuit breaker. ECS counts ``failedTasks`` per
      deployment, from its start: the only deployment watched that this run did not start is
      the circuit breaker's rollback, whose count is its own as well;
    * otherwise IN_PROGRESS.
    """
    if failed_tasks_threshold < 0:
        raise ValueError(f"failed_tasks_threshold must be 0 (off) or more, got {failed_tasks_threshold}")
    deployments = service.get("deployments") or []
    deployment = _find_deployment(deployments, deployment_id)
    if deployment is None:
        return DeploymentState.FAILED, _vanished_reason(deployments, deployment_id)

    rollout_state = deployment.get("rolloutState")
    if rollout_state == DeploymentState.COMPLETED:
        return DeploymentState.COMPLETED, f"deployment {deployment_id} completed: {_counts(deployment)}"
    if rollout_state == DeploymentState.FAILED:
        reason = deployment.get("rolloutStateReason") or "ECS marked the rollout FAILED"
        return DeploymentState.FAILED, f"deployment {deployment_id} failed: {reason}"
    if rollout_state is None and _is_steady_primary(deployment, deployments):
        return DeploymentState.COMPLETED, f"deployment {deployment_id} reached steady state: {_counts(deployment)}"
    if deployment.get("status") != "PRIMARY":
        return DeploymentState.FAILED, f"deployment {deployment_id} was superseded{_primary_suffix(deployments)}"

    failed = deployment.get("failedTasks", 0)
    if failed_tasks_threshold and failed > failed_tasks_threshold:
        return DeploymentState.FAILED, (
            f"deployment {deployment_id} failed: {failed} tasks failed to start,"
            f" more than the threshold of {failed_tasks_threshold}"
        )
    return DeploymentState.IN_PROGRESS, f"deployment {deployment_id} in progress: {_counts(deployment)}"


def _find_deployment(deployments: list[dict], deployment_id: str) -> dict | None:
    for deployment in deployments:
        if deployment.get("id") == deployment_id:
            return deployment
    return None


def _primary(deployments: list[dict]) -> dict | None:
    for deployment in deployments:
        if deployment.get("status") == "PRIMARY":
            return deployment
    return None


def _is_steady_primary(deployment: dict, deployments: list[dict]) -> bool:
    """The pre-circuit-breaker definition of done: nothing else left to drain, all tasks up."""
    return (
        deployment.get("status") == "PRIMARY"
        and len(deployments) == 1
        and deployment.get("runningCount") == deployment.get("desiredCount")
    )


def _primary_suffix(deployments: list[dict]) -> str:
    """Names what ECS runs now, which after a rollback is the revision it went back to."""
    primary = _primary(deployments)
    if primary is None:
        return ""
    return f"; the PRIMARY deployment {primary.get('id')} runs {primary.get('taskDefinition')}"


def _vanished_reason(deployments: list[dict], deployment_id: str) -> str:
    return (
        f"deployment {deployment_id} is no longer listed: ECS rolled it back"
        f" (deployment circuit breaker){_primary_suffix(deployments)}"
    )


def _counts(deployment: dict) -> str:
    return (
        f"{deployment.get('runningCount', 0)}/{deployment.get('desiredCount', 0)} running,"
        f" {deployment.get('pendingCount', 0)} pending, {deployment.get('failedTasks', 0)} failed"
    )


# ---------------------------------------------------------------------------------------
# Waiting for a rollout


def wait_for_rollout(
    describe: Callable[[], dict | None],
    deployment_id: str,
    *,
    timeout: float,
    delay: float,
    failed_tasks_threshold: int = 0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> RolloutResult:
    """Poll ``describe`` until the deployment COMPLETED or FAILED, or ``timeout`` s passed.

    ``describe`` returns the service (or None once it is gone) and raises on API errors,
    which are left to the caller. The last poll happens at the deadline, never after it:
    a timeout is FAILED, because a rollout that has not converged is not known-good.
    """
    return poll_until_settled(
        describe, lambda service: classify_deployment(service, deployment_id, failed_tasks_threshold), "the service no longer exists",
        timeout=timeout, delay=delay, clock=clock, sleep=sleep,
    )


def poll_until_settled(
    describe: Callable[[], dict | None],
    classify: Callable[[dict], tuple[DeploymentState, str]],
    gone: str,
    *,
    timeout: float,
    delay: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> RolloutResult:
    """Poll ``describe`` until ``classify`` says COMPLETED or FAILED, or ``timeout`` s passed (FAILED, the reason
    ``timed out``). ``describe`` returning None is FAILED with the reason ``gone``."""
    if timeout < 0 or delay <= 0:
        raise ValueError(f"timeout must be >= 0 and delay > 0, got timeout={timeout} delay={delay}")
    start = clock()
    polls = 0
    while True:
        answer = describe()
        polls += 1
        elapsed = clock() - start
        if answer is None:
            return RolloutResult(DeploymentState.FAILED, gone, None, elapsed, polls)
        state, reason = classify(answer)
        if state != DeploymentState.IN_PROGRESS:
            return RolloutResult(state, reason, answer, elapsed, polls)
        if elapsed >= timeout:
            reason = f"timed out after {timeout:g} s; last seen: {reason}"
            return RolloutResult(DeploymentState.FAILED, reason, answer, elapsed, polls)
        sleep(min(delay, timeout - elapsed))


def wait_until_gone(
    describe: Callable[[], dict | None],
    *,
    timeout: float,
    delay: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict | None:
    """Poll ``describe`` until a deleted service is gone (None: INACTIVE or missing); the last service seen if not in time.

    ECS keeps a deleted service DRAINING while its tasks stop, and refuses to delete the
    cluster until then.
    """
    start = clock()
    while True:
        service = describe()
        elapsed = clock() - start
        if service is None or elapsed >= timeout:
            return service
        sleep(min(delay, timeout - elapsed))


# ---------------------------------------------------------------------------------------
# Explaining a rollout


def recent_events(service: dict, since: datetime | None = None, limit: int | None = 10) -> list[str]:
    """The service's events as ``"<createdAt> <message>"`` lines, newest first.

    ``since`` must be timezone-aware like boto3's datetimes (e.g. the deployment's
    ``createdAt``); events at that very instant are kept, as ECS logs the start then.
    """
    events = [event for event in service.get("events") or [] if event.get("createdAt") is not None]
    if since is not None:
        events = [event for event in events if event["createdAt"] >= since]
    events.sort(key=lambda event: event["createdAt"], reverse=True)
    return [f"{_format_time(event['createdAt'])} {event.get('message', '')}" for event in events[:limit]]


def _format_time(value: datetime | str) -> str:
    """Services that went through JSON carry strings; pass those through unchanged."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def stopped_task_reasons(tasks: list[dict]) -> list[str]:
    """Why the tasks stopped, one line per distinct reason, in the order first seen.

    Task lines are ``"<stopCode>: <stoppedReason>"``; container lines are
    ``"container <name>: exit code <n>: <reason>"``. A crash loop stops many tasks for the
    same reason, so duplicates are dropped and task IDs are left out to make them equal.
    """
    lines: list[str] = []
    for task in tasks:
        task_line = _task_line(task)
        if task_line:
            lines.append(task_line)
        lines.extend(_container_line(container) for container in task.get("containers") or [])
    return list(dict.fromkeys(line for line in lines if line))


def _task_line(task: dict) -> str:
    parts = [part for part in (task.get("stopCode"), task.get("stoppedReason")) if part]
    return ": ".join(parts)


def _container_line(container: dict) -> str:
    """Empty when the container neither exited nor has a reason (e.g. never started)."""
    details = []
    if container.get("exitCode") is not None:
        details.append(f"exit code {container['exitCode']}")
    if container.get("reason"):
        details.append(container["reason"])
    if not details:
        return ""
    return f"container {container.get('name', '?')}: " + ": ".join(details)


# ---------------------------------------------------------------------------------------
# Remembering good revisions and choosing a rollback target


def task_definition_key(task_definition: str | None) -> str | None:
    """``family:revision`` from an ARN or from ``family:revision``, to compare either form."""
    if not task_definition:
        return None
    return task_definition.rsplit("task-definition/", 1)[-1]


def task_definition_family(task_definition: str) -> str:
    """The family of an ARN or of ``family:revision``."""
    return task_definition_key(task_definition).rsplit(":", 1)[0]


def primary_deployment(service: dict | None) -> dict | None:
    """The service's PRIMARY deployment, the one new tasks come from."""
    return _primary((service or {}).get("deployments") or [])


def same_task_definition(first: str | None, second: str | None) -> bool:
    key = task_definition_key(first)
    return key is not None and key == task_definition_key(second)


def good_revisions_from_tags(tags: list[dict] | None) -> tuple[str | None, str | None]:
    """``(last_good, previous_good)`` from an ECS tag list (lowercase ``key``/``value``)."""
    values = {tag.get("key"): tag.get("value") for tag in tags or []}
    return values.get(TAG_LAST_GOOD) or None, values.get(TAG_PREVIOUS_GOOD) or None


def _tag_value(tags: list[dict] | None, key: str) -> str | None:
    return {tag.get("key"): tag.get("value") for tag in tags or []}.get(key) or None


def tags_after_success(tags: list[dict] | None, task_definition_arn: str) -> dict[str, str] | None:
    """The tags to write once a rollout of ``task_definition_arn`` COMPLETED, or None.

    The new revision becomes last-good and the old last-good becomes previous-good.
    Redeploying last-good changes nothing: shifting would make previous-good equal to
    last-good and lose the only other revision known to work. A rollout forward ends the
    memory of an on-demand rollback.
    """
    last_good, _previous_good = good_revisions_from_tags(tags)
    if same_task_definition(task_definition_arn, last_good):
        return None
    new_tags = {TAG_LAST_GOOD: task_definition_arn}
    if last_good:
        new_tags[TAG_PREVIOUS_GOOD] = last_good
    if _tag_value(tags, TAG_ROLLED_BACK_FROM):
        new_tags[TAG_ROLLED_BACK_FROM] = ""
    return new_tags


def tags_after_rollback(tags: list[dict] | None, target: str, left: str | None) -> dict[str, str]:
    """The tags to write once an on-demand rollback from ``left`` to ``target`` COMPLETED.

    ``target`` runs and is good; ``left`` is not, so it is neither last- nor previous-good
    any more; and the rollback is remembered, so that running it again changes nothing.
    """
    last_good, previous_good = good_revisions_from_tags(tags)
    earlier = [arn for arn in (last_good, previous_good) if arn and not same_task_definition(arn, target) and not same_task_definition(arn, left)]
    return {TAG_LAST_GOOD: target, TAG_PREVIOUS_GOOD: earlier[0] if earlier else "", TAG_ROLLED_BACK_FROM: left or ""}


def rollback_target(service: dict, tags: list[dict] | None, failed_task_definition: str | None, succeeded: list[str] | None = None) -> str | None:
    """What to roll back to after a rollout of ``failed_task_definition`` failed, or None.

    Tried in order, skipping the failed revision: the task definitions ECS's record says were deployed successfully,
    newest first (``succeeded``, where the endpoint keeps that record), last-good, previous-good, then the newest
    COMPLETED non-PRIMARY deployment still listed (what ran before this rollout, for services whose tags were never
    written). Never "revision minus one": that revision may never have been deployed, or may have failed too.
    """
    last_good, previous_good = good_revisions_from_tags(tags)
    candidates = list(succeeded or []) + [last_good, previous_good, _completed_previous_deployment(service)]
    for candidate in candidates:
        if candidate and not same_task_definition(candidate, failed_task_definition):
            return candidate
    return None


def _completed_previous_deployment(service: dict) -> str | None:
    """The task definition of the newest COMPLETED deployment that is no longer PRIMARY."""
    completed = [
        deployment
        for deployment in service.get("deployments") or []
        if deployment.get("status") != "PRIMARY" and deployment.get("rolloutState") == DeploymentState.COMPLETED
    ]
    if not completed:
        return None
    newest = max(completed, key=lambda deployment: _timestamp(deployment.get("createdAt")))
    return newest.get("taskDefinition")


def _timestamp(value: datetime | str | None) -> float:
    """Sortable time; a missing or non-datetime value sorts as the oldest."""
    return value.timestamp() if isinstance(value, datetime) else 0.0


def on_demand_rollback_target(
    tags: list[dict] | None,
    current_task_definition: str | None,
    to_revision: int | str | None = None,
    succeeded: list[str] | None = None,
) -> str | None:
    """What "roll back" means when asked for: the good revision before the current one.

    The good revisions are, newest first, the task definitions ECS's record says were deployed successfully
    (``succeeded``, ListServiceDeployments, where the endpoint keeps it and it names any), else last-good and
    previous-good from the service's tags. If the service runs the newest good one, the target is the one before;
    otherwise it runs something not known to be good, so the newest. After an on-demand rollback
    (``tags_after_rollback``) the service runs last-good and the rollback is on record in the tags (ECS records
    the rollback as one more successful deployment): asking again returns the current revision, i.e. nothing to
    do, so a retried job cannot put the bad revision back. ``to_revision`` overrides: a revision number, taken in
    the current task definition's family, or a ``family:revision`` / ARN, used as given.
    """
    if to_revision is not None:
        return _explicit_revision(current_task_definition, to_revision)
    last_good, previous_good = good_revisions_from_tags(tags)
    rolled_back_from = _tag_value(tags, TAG_ROLLED_BACK_FROM)
    good = [arn for arn in succeeded or [] if not same_task_definition(arn, rolled_back_from)] or [last_good, previous_good]
    if same_task_definition(current_task_definition, good[0]):
        if rolled_back_from and same_task_definition(current_task_definition, last_good):
            return current_task_definition
        return good[1] if len(good) > 1 else None
    return good[0]


def _explicit_revision(current_task_definition: str | None, to_revision: int | str) -> str:
    """Validates up front so a typo fails with a message, not with an ECS error later."""
    text = str(to_revision)
    if not text.isdecimal():
        if ":" not in text:
            raise ValueError(f"to_revision must be a revision number, family:revision or an ARN, got {text!r}")
        return text
    if int(text) < 1:
        raise ValueError(f"to_revision must be 1 or more, got {text}")
    if not current_task_definition:
        raise ValueError("to_revision as a bare number needs the service's current task definition")
    family_part = current_task_definition.rsplit(":", 1)[0]
    return f"{family_part}:{int(text)}"
