# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An AWS AccessDenied, explained: the action, the resource and the policy file of this project to look at.

Pure: takes the error (a botocore ``ClientError``, an ``AnsibleAWSError`` wrapping one, or a failed task's
result dict) and returns a message, or ``None`` when the error is not an access denial.
"""

from __future__ import annotations

import re
from typing import Any

# The codes AWS services answer a missing permission with (ECS/ECR/Logs/STS: AccessDenied(Exception),
# EC2: UnauthorizedOperation, IAM: AccessDenied, some services: AuthorizationError / UnauthorizedException).
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "AuthorizationError", "Client.UnauthorizedOperation"}
)

# One policy per job (docs/iam/README.md): what deploy.yml, destroy.yml and `deploy.yml --check` need.
JOBS = ("deploy", "destroy", "check")

# "User: arn:... is not authorized to perform: ecs:ListTasks on resource: arn:... because ..."
_PERFORM = re.compile(r"not authorized to perform:? (?P<action>[a-z0-9-]+:[A-Za-z0-9]+)")
_ON_RESOURCE = re.compile(r"on resource:? (?P<resource>\S+?)[.,;]?(?:\s|$)")


def policy_file(job: str) -> str:
    """The policy a job's principal needs, as a path from the project root."""
    if job not in JOBS:
        raise ValueError(f"job must be one of {', '.join(JOBS)}, not {job!r}")
    return f"docs/iam/{job}-policy.json"


def job_for(check_mode: bool = False, state: str = "present") -> str:
    """Which job a module run belongs to: --check runs need the read-only policy, deletions the destroy one."""
    if check_mode:
        return "check"
    return "destroy" if state == "absent" else "deploy"


def _error_of(error: Any) -> tuple[str | None, str]:
    """(code, message) of a ClientError, an AnsibleAWSError wrapping one, or a failed result dict."""
    if isinstance(error, dict):
        inner = error.get("error") if isinstance(error.get("error"), dict) else {}
        return inner.get("code") or error.get("code"), str(inner.get("message") or error.get("msg") or "")
    wrapped = getattr(error, "exception", None)
    if wrapped is not None and hasattr(wrapped, "response"):
        error = wrapped
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        details = response.get("Error", {})
        return details.get("Code"), str(details.get("Message") or "")
    return None, str(error or "")


def is_access_denied(error: Any) -> bool:
    code, message = _error_of(error)
    return code in ACCESS_DENIED_CODES or (code is None and bool(_PERFORM.search(message)))


# "An error occurred (AccessDeniedException) when calling the CreateCluster operation: ..." (botocore's ClientError text,
# which a failed result's msg carries)
_OPERATION = re.compile(r"when calling the (?P<operation>[A-Za-z0-9]+) operation")


def _operation_of(error: Any) -> str | None:
    if isinstance(error, dict):
        found = _OPERATION.search(str(error.get("msg") or ""))
        return found.group("operation") if found else None
    wrapped = getattr(error, "exception", None)
    return getattr(wrapped if wrapped is not None else error, "operation_name", None)


def access_denied_message(
    error: Any, action: str | None = None, resource: str | None = None, job: str = "deploy", service: str | None = None
) -> str | None:
    """A message naming the denied action, its resource and ``docs/iam/<job>-policy.json``; ``None`` when ``error``
    is not an access denial. What AWS's own message names (the action it checked, e.g. ``iam:PassRole`` inside
    ``ecs:CreateService``) wins over the caller's ``action`` and ``resource``; without an ``action``, ``service``
    (the IAM prefix, e.g. ``ecr``) and the failed operation's name make it."""
    if not is_access_denied(error):
        return None
    code, message = _error_of(error)
    performed = _PERFORM.search(message)
    on_resource = _ON_RESOURCE.search(message)
    operation = _operation_of(error)
    if not action and service and operation:
        action = f"{service}:{operation}"
    action = performed.group("action") if performed else action or "an AWS action"
    resource = on_resource.group("resource") if on_resource else resource or "*"
    said = f" AWS said ({code}): {message}" if message else f" AWS said: {code}"
    return (
        f"Access denied: {action} on {resource}. The {job} job's principal needs the policy in {policy_file(job)}"
        f" (replace ACCOUNT_ID; its names must match the inventory's): compare it with the one attached.{said}"
    )


def fail_json_aws_error(module, error: Any, service: str | None = None, state: str = "present", **result) -> None:
    """``module.fail_json_aws_error(error)``, with an AccessDenied explained (action, resource, the job's policy).

    ``service`` is the IAM prefix of the module's calls (``ecs``, ``ecr``, ``ec2``), used when AWS's message names no action.
    """
    denied = access_denied_message(error, job=job_for(module.check_mode, state), service=service)
    if denied is not None:
        module.fail_json(msg=denied, **result)
    module.fail_json_aws_error(error)
