"""The real-AWS answer corpus (fixtures/real_aws) against botocore's output shapes.

Each fixture is one operation's answer as AWS gives it today for the service ecs_deploy runs
(fixtures/real_aws/SOURCES.md says where every value comes from). Two checks keep it honest:

* every member the output shape defines is in the fixture, or in ABSENT below with the reason
  AWS leaves it out for this configuration: a botocore bump that adds a member fails here
  until the member is added to the corpus (and so to the no-op tests) or explained;
* the fixture is a valid answer: botocore's Stubber validates it against the model, so a
  member the shape does not define (a typo, a field AWS dropped) fails too.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore import xform_name
from botocore.stub import Stubber

CORPUS = Path(__file__).resolve().parent / "fixtures" / "real_aws"
FIXTURES = sorted(path.name for path in CORPUS.glob("*.json"))

_NO_LB = "no load balancer: the service is reached through its own network (fargate_load_balancers: [])"
_ROLLING = "rolling deployment (strategy ROLLING): AWS returns these only for BLUE_GREEN, LINEAR or CANARY"
_LAUNCH_TYPE = "launchType FARGATE is set, and AWS returns capacityProviderStrategy only for a service that has no launchType"
_NO_TASK_SETS = "deploymentController ECS: task sets exist only under the EXTERNAL controller"
_NO_CONNECT = "no Service Connect, EBS volumes, VPC Lattice or customer-managed Fargate storage key on this service"
_TAGS_ONLY_ON_REQUEST = "tags are in a service answer only with include=TAGS (DescribeServices) or as sent (CreateService)"
_EMPTY = "empty list: nothing of the kind is configured"
_NOT_SET_TD = "not set in the register request, and AWS returns it only when it was set"
_ONE_PAGE = "one page: nextToken only when more results follow"
_NO_OVERRIDES = "a service task: no run-task overrides"
_CONTAINER_OVERRIDES = ("command", "environment", "environmentFiles", "cpu", "memory", "memoryReservation", "resourceRequirements")
_TASK_OVERRIDES = ("cpu", "executionRoleArn", "memory", "taskRoleArn", "ephemeralStorage")

# Member paths (list items as [], map values as {}) that AWS leaves out for our configuration, with why.
_SERVICE_ABSENT = {
    "capacityProviderStrategy": _LAUNCH_TYPE,
    "deploymentConfiguration.deploymentCircuitBreaker.resetOnHealthyTask": "not set by ecs_deploy; AWS returns it only when a request set it",
    "deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration": "not set by ecs_deploy; AWS returns it only when a request set it",
    "deploymentConfiguration.alarms.alarmNames[]": "no CloudWatch alarm: the disabled block has an empty alarmNames",
    "deploymentConfiguration.lifecycleHooks": _ROLLING,
    "deploymentConfiguration.linearConfiguration": _ROLLING,
    "deploymentConfiguration.canaryConfiguration": _ROLLING,
    "deploymentConfiguration.earlySuccessCriteria": "not set by ecs_deploy; AWS returns it only when a request set it",
    "loadBalancers[]": _NO_LB,
    "serviceRegistries[]": "no Cloud Map service discovery",
    "taskSets": _NO_TASK_SETS,
    "deployments[].capacityProviderStrategy": _LAUNCH_TYPE,
    "deployments[].serviceConnectConfiguration": _NO_CONNECT,
    "deployments[].serviceConnectResources": _NO_CONNECT,
    "deployments[].volumeConfigurations": _NO_CONNECT,
    "deployments[].fargateEphemeralStorage": _NO_CONNECT,
    "deployments[].vpcLatticeConfigurations": _NO_CONNECT,
    "currentServiceDeployment": "absent from every public describe-services capture of a rolling service (2025-2026)",
    "placementConstraints[]": "Fargate: no placement constraints",
    "placementStrategy[]": "Fargate: no placement strategy",
}


def _service_absent(prefix: str, extra: dict | None = None) -> dict:
    absent = {f"{prefix}.{path}": reason for path, reason in _SERVICE_ABSENT.items()}
    absent.update(extra or {})
    return absent


_TASK_DEFINITION_ABSENT = {
    "containerDefinitions[].repositoryCredentials": "ECR image: no private-registry credentials",
    "containerDefinitions[].memory": "task-level memory only (the Fargate size); no container limit set",
    "containerDefinitions[].memoryReservation": "task-level memory only; no container reservation set",
    "containerDefinitions[].portMappings[].name": "set only for Service Connect (or by the console); ecs_deploy sends none",
    "containerDefinitions[].portMappings[].appProtocol": "set only for Service Connect (or by the console); ecs_deploy sends none",
    "containerDefinitions[].portMappings[].containerPortRange": "a single containerPort, not a range",
    "containerDefinitions[].links": "awsvpc: links are a bridge-mode setting",
    "containerDefinitions[].restartPolicy": _NOT_SET_TD,
    "containerDefinitions[].entryPoint": "the image's own entry point is used",
    "containerDefinitions[].command": "the image's own command is used",
    "containerDefinitions[].environmentFiles": _NOT_SET_TD,
    "containerDefinitions[].mountPoints[]": "no volumes",
    "containerDefinitions[].volumesFrom[]": "no volumes",
    "containerDefinitions[].linuxParameters": _NOT_SET_TD,
    "containerDefinitions[].secrets": "fargate_secrets is empty; AWS leaves out an empty secrets list",
    "containerDefinitions[].dependsOn": "one container",
    "containerDefinitions[].startTimeout": _NOT_SET_TD,
    "containerDefinitions[].hostname": "awsvpc: hostname is not supported",
    "containerDefinitions[].user": _NOT_SET_TD,
    "containerDefinitions[].workingDirectory": _NOT_SET_TD,
    "containerDefinitions[].disableNetworking": _NOT_SET_TD,
    "containerDefinitions[].privileged": "Fargate: privileged is not supported",
    "containerDefinitions[].readonlyRootFilesystem": _NOT_SET_TD,
    "containerDefinitions[].dnsServers": "awsvpc: DNS comes from the VPC",
    "containerDefinitions[].dnsSearchDomains": "awsvpc: DNS comes from the VPC",
    "containerDefinitions[].extraHosts": "awsvpc: extraHosts is not supported",
    "containerDefinitions[].dockerSecurityOptions": "Fargate: not supported",
    "containerDefinitions[].interactive": _NOT_SET_TD,
    "containerDefinitions[].pseudoTerminal": _NOT_SET_TD,
    "containerDefinitions[].dockerLabels": _NOT_SET_TD,
    "containerDefinitions[].ulimits": _NOT_SET_TD,
    "containerDefinitions[].logConfiguration.secretOptions[]": "no log-driver secrets",
    "containerDefinitions[].systemControls[]": "no sysctls",
    "containerDefinitions[].resourceRequirements": "no GPU",
    "containerDefinitions[].firelensConfiguration": "awslogs, not FireLens",
    "containerDefinitions[].credentialSpecs": "Linux: no gMSA credential specs",
    "taskRoleArn": "fargate_task_role_name is empty by default: no task role",
    "volumes[]": "no volumes",
    "requiresAttributes[].value": "capability attributes carry only a name",
    "requiresAttributes[].targetType": "capability attributes carry only a name",
    "requiresAttributes[].targetId": "capability attributes carry only a name",
    "placementConstraints[]": "Fargate: no placement constraints",
    "inferenceAccelerators": "Elastic Inference is retired; never set",
    "pidMode": _NOT_SET_TD,
    "ipcMode": "Fargate: not supported",
    "proxyConfiguration": "no App Mesh proxy",
    "deregisteredAt": "an ACTIVE revision has not been deregistered",
    "deleteRequestedAt": "an ACTIVE revision has no delete request",
    "ephemeralStorage": "ephemeral_storage_gib not set: AWS returns ephemeralStorage only when the request set it",
    "trustedExecutionConfiguration": _NOT_SET_TD,
}


def _task_definition_absent(prefix: str) -> dict:
    return {f"{prefix}.{path}": reason for path, reason in _TASK_DEFINITION_ABSENT.items()}


ABSENT: dict[str, dict[str, str]] = {
    "ecs.DescribeServices.json": _service_absent("services[]", {"failures[]": "the service exists: no failure"}),
    "ecs.CreateService.json": _service_absent("service", {"service.events[]": "a service just created has no event yet"}),
    "ecs.UpdateService.json": _service_absent("service", {"service.tags": _TAGS_ONLY_ON_REQUEST}),
    "ecs.DeleteService.json": _service_absent("service", {"service.tags": _TAGS_ONLY_ON_REQUEST}),
    "ecs.DescribeTaskDefinition.json": _task_definition_absent("taskDefinition"),
    "ecs.RegisterTaskDefinition.json": _task_definition_absent("taskDefinition"),
    "ecs.ListTaskDefinitions.json": {"nextToken": _ONE_PAGE},
    "ecs.ListTasks.json": {"nextToken": _ONE_PAGE},
    "ecs.DescribeTasks.json": {
        "tasks[].capacityProviderName": "launchType FARGATE is set: no capacity provider",
        "tasks[].containerInstanceArn": "Fargate: no container instance",
        "tasks[].containers[].reason": "ECS sets a container reason only for a failure outside the process (pull error, OOM); the exit code says the rest",
        "tasks[].containers[].networkBindings[]": "awsvpc: no host port bindings",
        "tasks[].containers[].managedAgents": "no ECS Exec agent (enableExecuteCommand false)",
        "tasks[].containers[].memory": "no container memory limit set",
        "tasks[].containers[].memoryReservation": "no container memory reservation set",
        "tasks[].containers[].gpuIds": "no GPU",
        "tasks[].inferenceAccelerators": "Elastic Inference is retired",
        "tasks[].attributes[].targetType": "task attributes carry a name and a value only",
        "tasks[].attributes[].targetId": "task attributes carry a name and a value only",
        "tasks[].containers[].networkInterfaces[].ipv6Address": "IPv4-only subnets",
        "tasks[].containers[].neuronDeviceIds": "no AWS Neuron device",
        "tasks[].containers[].gpuSharingStrategy": "no GPU",
        "tasks[].trustedExecutionSummary": "no trusted execution configured",
        **{f"tasks[].overrides.containerOverrides[].{name}": _NO_OVERRIDES for name in _CONTAINER_OVERRIDES},
        **{f"tasks[].overrides.{name}": _NO_OVERRIDES for name in _TASK_OVERRIDES},
        "tasks[].overrides.inferenceAcceleratorOverrides[]": "no Elastic Inference",
        "tasks[].tags[]": "this service has no tags for propagateTags to copy at that launch",
        "tasks[].fargateEphemeralStorage.kmsKeyId": "no customer-managed Fargate storage key",
        "failures[]": "the task exists: no failure",
    },
    "ecs.DescribeClusters.json": {
        "clusters[].statistics[]": "statistics only with include=STATISTICS",
        "clusters[].tags[]": "the cluster role sets no tags",
        "clusters[].attachments[]": "Fargate capacity providers: no Auto Scaling attachments",
        "clusters[].configuration": "no execute-command or managed-storage configuration",
        "clusters[].serviceConnectDefaults": "no Service Connect namespace",
        "failures[]": "the cluster exists: no failure",
    },
    "ecr.DescribeRepositories.json": {"nextToken": _ONE_PAGE, "repositories[].encryptionConfiguration.kmsKey": "AES256: no KMS key"},
    "ecr.DescribeImages.json": {
        "nextToken": _ONE_PAGE,
        "imageDetails[].subjectManifestDigest": "an image, not a referrer artifact (signature, SBOM)",
        "imageDetails[].lastArchivedAt": "never archived (imageStatus ACTIVE)",
        "imageDetails[].lastActivatedAt": "never archived, so never re-activated",
    },
    "ecr.GetAuthorizationToken.json": {},
    "ecr.DescribeRegistry.json": {"replicationConfiguration.rules[]": "no cross-region or cross-account replication"},
    "logs.DescribeLogGroups.json": {
        "nextToken": _ONE_PAGE,
        "logGroups[].retentionPolicyName": "retention set on the group itself (retentionInDays), not by an account retention policy",
        "logGroups[].kmsKeyId": "not encrypted with a customer KMS key",
        "logGroups[].dataProtectionStatus": "no data protection policy",
        "logGroups[].inheritedProperties": "no account-level data protection policy",
        "logGroups[].deletionProtectionEnabled": "set only when deletion protection was configured",
        "logGroups[].bearerTokenAuthenticationEnabled": "set only when bearer-token ingestion was configured",
    },
    "sts.GetCallerIdentity.json": {},
}


# ---------------------------------------------------------------------------------------
# Loading: JSON as AWS sends it, timestamps parsed the way botocore parses them.


def operation_of(fixture: str) -> tuple[str, str]:
    """``ecs.DescribeServices.json`` -> ("ecs", "DescribeServices")."""
    service, operation, _json = fixture.split(".")
    return service, operation


def output_shape(fixture: str):
    service, operation = operation_of(fixture)
    return botocore.session.get_session().get_service_model(service).operation_model(operation).output_shape


def _parse_timestamps(value, shape):
    if value is None:
        return value
    if shape.type_name == "timestamp":
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value / 1000 if value > 1e11 else value).astimezone()
        return datetime.fromisoformat(value)
    if shape.type_name == "structure":
        return {k: _parse_timestamps(v, shape.members[k]) if k in shape.members else v for k, v in value.items()}
    if shape.type_name == "list":
        return [_parse_timestamps(item, shape.member) for item in value]
    if shape.type_name == "map":
        return {k: _parse_timestamps(v, shape.value) for k, v in value.items()}
    return value


def load_answer(fixture: str) -> dict:
    """A corpus answer as a botocore client returns it: timestamps are datetimes."""
    raw = json.loads((CORPUS / fixture).read_text())
    return _parse_timestamps(raw, output_shape(fixture))


# ---------------------------------------------------------------------------------------
# Shape coverage


def _missing_members(value, shape, path: str, found: set[str]) -> list[str]:
    """Shape member paths not in ``value``; ``found`` collects the paths that are there."""
    if shape.type_name == "structure" and isinstance(value, dict):
        missing = []
        for name, member in shape.members.items():
            member_path = f"{path}.{name}" if path else name
            if name not in value:
                missing.append(member_path)
                continue
            found.add(member_path)
            missing += _missing_members(value[name], member, member_path, found)
        return missing
    if shape.type_name == "list" and isinstance(value, list):
        item_path = f"{path}[]"
        if not value and shape.member.type_name in ("structure", "list", "map", "string"):
            return [item_path]
        found.add(item_path)
        missing = []
        for item in value:
            missing += [p for p in _missing_members(item, shape.member, item_path, found) if p not in missing]
        return missing
    if shape.type_name == "map" and isinstance(value, dict):
        missing = []
        for item in value.values():
            missing += [p for p in _missing_members(item, shape.value, f"{path}{{}}", found) if p not in missing]
        return missing
    return []


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_output_member_is_in_the_fixture_or_explained(fixture):
    answer = json.loads((CORPUS / fixture).read_text())
    found: set[str] = set()
    missing = _missing_members(answer, output_shape(fixture), "", found)
    absent = ABSENT.get(fixture)
    assert absent is not None, f"{fixture}: add it to ABSENT (an empty dict when AWS fills every member)"
    unexplained = [path for path in missing if path not in absent]
    assert not unexplained, (
        f"{fixture}: the output shape has members the fixture lacks; add each with the value AWS returns "
        f"(and its source to SOURCES.md), or to ABSENT with why AWS leaves it out: {unexplained}"
    )
    stale = [path for path in absent if path not in missing]
    assert not stale, f"{fixture}: ABSENT lists members the fixture has or the shape no longer defines: {stale}"


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_is_a_valid_answer_for_its_operation(fixture):
    service, operation = operation_of(fixture)
    client = boto3.client(service, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        # add_response validates the answer against the output shape: unknown members and wrong types fail here.
        stubber.add_response(xform_name(operation), load_answer(fixture))


def test_every_fixture_has_its_sources():
    sources = (CORPUS / "SOURCES.md").read_text()
    assert [fixture for fixture in FIXTURES if f"## {fixture}" not in sources] == []
