# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS API calls, one small function each, wrapped by the error handler.

The client retries each call (botocore's standard mode, module_utils/clients.py): an error reaches
the handler, and becomes an ``AnsibleECSError``, only once the retries are spent.
Add new wrappers under the section for their resource.
"""

from __future__ import annotations

from datetime import datetime

try:
    import botocore  # pylint: disable=unused-import
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_message
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.devops.fargate.plugins.module_utils.rollout import task_definition_family

# list_tasks returns at most 100 ARNs a page, and describe_tasks takes at most 100.
_MAX_TASKS = 100


class AnsibleECSError(AnsibleAWSError):
    pass


class ECSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECSError

    @classmethod
    def _is_missing(cls):
        """A missing cluster or service means there is nothing to describe, not a failure."""
        return is_boto3_error_code(["ClusterNotFoundException", "ServiceNotFoundException"])


# ---------------------------------------------------------------------------------------
# Services


@ECSErrorHandler.list_error_handler("describe ECS service")
def describe_service(client, cluster: str, service: str) -> dict | None:
    """The service with its tags, or None when it does not exist or was deleted (INACTIVE).

    describe_services reports an unknown service under ``failures``, not as an error,
    and keeps returning a deleted service for a while with status INACTIVE.
    """
    response = client.describe_services(cluster=cluster, services=[service], include=["TAGS"])
    for found in response.get("services", []):
        if found.get("status") != "INACTIVE":
            return found
    return None


@ECSErrorHandler.common_error_handler("update ECS service")
def update_service(client, **params) -> dict:
    """Call update_service with boto3's own parameter names; returns the updated service."""
    return client.update_service(**params)["service"]


@ECSErrorHandler.common_error_handler("create ECS service")
def create_service(client, **params) -> dict:
    return client.create_service(**params)["service"]


@ECSErrorHandler.deletion_error_handler("delete ECS service")
def delete_service(client, cluster: str, service: str) -> bool:
    client.delete_service(cluster=cluster, service=service, force=True)
    return True


# ---------------------------------------------------------------------------------------
# Service deployments: ECS's record of each rollout. Called only with an ARN ECS gave
# (currentServiceDeployment), so an endpoint without the API never gets these calls.


@ECSErrorHandler.list_error_handler("describe ECS service deployment")
def describe_service_deployment(client, arn: str) -> dict | None:
    """The deployment, or None when ECS does not know it (reported under ``failures``)."""
    found = client.describe_service_deployments(serviceDeploymentArns=[arn]).get("serviceDeployments") or []
    return found[0] if found else None


@ECSErrorHandler.common_error_handler("stop ECS service deployment")
def stop_service_deployment(client, serviceDeploymentArn: str, stopType: str) -> str:  # pylint: disable=invalid-name
    """``stopType`` ROLLBACK: ECS returns the service to the revision the deployment started from."""
    return client.stop_service_deployment(serviceDeploymentArn=serviceDeploymentArn, stopType=stopType)["serviceDeploymentArn"]


@ECSErrorHandler.common_error_handler("continue ECS service deployment")
def continue_service_deployment(client, serviceDeploymentArn: str, hookId: str, action: str) -> str:  # pylint: disable=invalid-name
    """``action`` CONTINUE moves a deployment paused at a PAUSE hook to its next stage; ROLLBACK rolls it back."""
    return client.continue_service_deployment(serviceDeploymentArn=serviceDeploymentArn, hookId=hookId, action=action)["serviceDeploymentArn"]


# DescribeServiceRevisions takes at most 20 ARNs; one page of ListServiceDeployments holds at most 100.
_MAX_REVISIONS = 20
_MAX_DEPLOYMENTS = 100


@ECSErrorHandler.list_error_handler("list ECS service deployments")
def list_successful_service_deployments(client, cluster: str, service: str, pages: int = 3) -> list[dict]:
    """ECS's SUCCESSFUL deployments of the service (``ServiceDeploymentBrief``), from at most ``pages`` pages: ECS
    keeps them for 90 days, and a service with a long history costs a bounded number of calls. ECS does not say in
    which order it lists them (service_deployment.successful_task_definitions sorts them)."""
    found, token = [], None
    for _page in range(pages):
        extra = {"nextToken": token} if token else {}
        answer = client.list_service_deployments(cluster=cluster, service=service, status=["SUCCESSFUL"], maxResults=_MAX_DEPLOYMENTS, **extra)
        found.extend(answer.get("serviceDeployments") or [])
        token = answer.get("nextToken")
        if not token:
            break
    return found


@ECSErrorHandler.list_error_handler("describe ECS service revisions")
def describe_service_revisions(client, arns: list[str]) -> list[dict]:
    """The service revisions, in one call: the first 20 ARNs given (the caller passes the newest first)."""
    unique = list(dict.fromkeys(arn for arn in arns if arn))[:_MAX_REVISIONS]
    if not unique:
        return []
    return client.describe_service_revisions(serviceRevisionArns=unique).get("serviceRevisions") or []


def describe_service_revision(client, arn: str) -> dict | None:
    """One service revision, or None when ECS does not know it."""
    found = describe_service_revisions(client, [arn]) or []
    return found[0] if found else None


# ---------------------------------------------------------------------------------------
# Task definitions


class _TaskDefinitionErrorHandler(ECSErrorHandler):
    @classmethod
    def _is_missing(cls):
        """ECS answers an unknown family or revision with a ClientException, not a NotFound code."""
        return is_boto3_error_message("Unable to describe task definition")


@_TaskDefinitionErrorHandler.list_error_handler("describe ECS task definition")
def describe_task_definition(client, task_definition: str) -> dict | None:
    """``{"taskDefinition": ..., "tags": [...]}``; a bare family gives its latest ACTIVE revision."""
    return client.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])


@ECSErrorHandler.common_error_handler("register ECS task definition")
def register_task_definition(client, **params) -> dict:
    return client.register_task_definition(**params)["taskDefinition"]


@ECSErrorHandler.common_error_handler("list ECS task definitions")
def list_task_definitions(client, family: str) -> list[str]:
    """The family's ACTIVE revisions, newest first."""
    paginator = client.get_paginator("list_task_definitions")
    pages = paginator.paginate(familyPrefix=family, status="ACTIVE", sort="DESC")
    arns = pages.build_full_result().get("taskDefinitionArns", [])
    # familyPrefix also matches longer family names; keep this family only. Sorted here too,
    # so that "newest first" does not depend on the endpoint honouring sort=DESC.
    mine = [arn for arn in arns if task_definition_family(arn) == family]
    return sorted(mine, key=lambda arn: int(arn.rsplit(":", 1)[-1]), reverse=True)


@ECSErrorHandler.common_error_handler("deregister ECS task definition")
def deregister_task_definition(client, taskDefinition: str) -> dict:  # pylint: disable=invalid-name
    return client.deregister_task_definition(taskDefinition=taskDefinition)["taskDefinition"]


# ---------------------------------------------------------------------------------------
# Tags


@ECSErrorHandler.common_error_handler("tag ECS resource")
def tag_resource(client, resourceArn: str, tags: list[dict]) -> None:  # pylint: disable=invalid-name
    client.tag_resource(resourceArn=resourceArn, tags=tags)


@ECSErrorHandler.common_error_handler("untag ECS resource")
def untag_resource(client, resourceArn: str, tagKeys: list[str]) -> None:  # pylint: disable=invalid-name
    client.untag_resource(resourceArn=resourceArn, tagKeys=tagKeys)


# ---------------------------------------------------------------------------------------
# Tasks


class RunTaskRefused(AnsibleECSError):
    """RunTask answered without a task: its ``failures`` say why (no capacity, a missing resource, ...)."""


@ECSErrorHandler.common_error_handler("run ECS task")
def run_task(client, **params) -> dict:
    """Start one task (RunTask's own parameter names); the started task."""
    answer = client.run_task(**params)
    tasks = answer.get("tasks") or []
    if not tasks:
        failures = "; ".join(f"{f.get('arn', '?')}: {f.get('reason', '?')} {f.get('detail', '')}".strip() for f in answer.get("failures") or [])
        raise RunTaskRefused(message=f"ECS started no task: {failures or 'no reason given'}")
    return tasks[0]


@ECSErrorHandler.list_error_handler("describe ECS task")
def describe_task(client, cluster: str, task: str) -> dict | None:
    """The task, or None when ECS no longer knows it (reported under ``failures``)."""
    found = client.describe_tasks(cluster=cluster, tasks=[task]).get("tasks") or []
    return found[0] if found else None


@ECSErrorHandler.common_error_handler("stop ECS task")
def stop_task(client, cluster: str, task: str, reason: str) -> dict:
    return client.stop_task(cluster=cluster, task=task, reason=reason)["task"]


@ECSErrorHandler.list_error_handler("list stopped ECS tasks", None)
def _list_stopped_task_arns(client, cluster: str, service: str) -> list[str] | None:
    """One page is enough: we want a sample of recent failures, not every stopped task."""
    response = client.list_tasks(cluster=cluster, serviceName=service, desiredStatus="STOPPED", maxResults=_MAX_TASKS)
    return response.get("taskArns", [])


@ECSErrorHandler.common_error_handler("describe ECS tasks")
def _describe_tasks(client, cluster: str, task_arns: list[str]) -> list[dict]:
    return client.describe_tasks(cluster=cluster, tasks=task_arns)["tasks"]


def describe_stopped_tasks(
    client,
    cluster: str,
    service: str,
    started_after: datetime | None = None,
    limit: int = 10,
) -> list[dict]:
    """The service's most recently stopped tasks, newest first, to explain a failed rollout.

    ``started_after`` (timezone-aware, e.g. the deployment's ``createdAt``) keeps only tasks
    created since then, so failures of earlier deployments are not blamed on this one.
    list_tasks does not order its answer, so the tasks are sorted here by ``stoppedAt``.
    """
    task_arns = _list_stopped_task_arns(client, cluster, service)
    if not task_arns:
        return []
    tasks = _describe_tasks(client, cluster, task_arns[:_MAX_TASKS])
    if started_after is not None:
        tasks = [task for task in tasks if task.get("createdAt") and task["createdAt"] >= started_after]
    tasks.sort(key=_stopped_sort_key, reverse=True)
    return tasks[:limit]


def _stopped_sort_key(task: dict) -> float:
    """Tasks that have not finished stopping yet have no stoppedAt; they are the newest."""
    stopped_at = task.get("stoppedAt") or task.get("stoppingAt")
    return stopped_at.timestamp() if stopped_at else float("inf")
