"""The module's rollout path end to end (Deployer), against a real boto3 client driven by Stubber.

moto cannot fail a rollout, so the failure sequences are queued here: ECS's answers, in order,
as the module asks for them. Only Ansible's module object is stood in for.
"""

from __future__ import annotations

import copy
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.devops.fargate.plugins.module_utils import deploy
from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import with_defaults
from support import ecs_answers
from support.stubs import sent

TD_A = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
TD_B = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/c/web"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


class Failed(Exception):
    def __init__(self, result):
        super().__init__(result["msg"])
        self.result = result


class Exited(Exception):
    def __init__(self, result):
        super().__init__("exit")
        self.result = result


class ModuleStandIn:
    """What Deployer uses of AnsibleAWSModule: params, check mode, diff, and the two exits."""

    def __init__(self, **params):
        self.params = with_defaults(params)
        self.check_mode = False
        self._diff = False

    def fail_json(self, **result):
        raise Failed(result)

    def fail_json_aws(self, exception, msg=None, **result):
        raise Failed(dict(result, msg=f"{msg}: {exception}"))

    def exit_json(self, **result):
        raise Exited(result)


PARAMS = dict(
    cluster="c",
    service="web",
    family="web",
    cpu="256",
    memory="1024",
    container_definitions=[{"name": "web", "image": "registry.example/web:1", "portMappings": [{"containerPort": 8000}]}],
    subnets=["subnet-0a"],
    security_groups=["sg-0a"],
    wait_delay=1,
    wait_timeout=1,
)

TASK_DEFINITION_A = {
    "taskDefinitionArn": TD_A,
    "family": "web",
    "revision": 1,
    "status": "ACTIVE",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
        {"name": "web", "image": "registry.example/web:1", "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}], "essential": True}
    ],
}


def deployment(dep_id, task_definition, state, status="PRIMARY", failed=0):
    """One desired task, running once the rollout completed (support.ecs_answers' shape, at this module's T0)."""
    revision = int(task_definition.rsplit(":", 1)[1])
    return ecs_answers.deployment(dep_id, revision, status=status, rollout=state, running=1 if state == "COMPLETED" else 0, desired=1, failed=failed,
                                  createdAt=T0, updatedAt=T0, rolloutStateReason=f"deployment {state.lower()}")


def service(task_definition, *deployments, tags=None):
    return {
        "serviceArn": SERVICE_ARN,
        "serviceName": "web",
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/c",
        "status": "ACTIVE",
        "taskDefinition": task_definition,
        "desiredCount": 1,
        "launchType": "FARGATE",
        "propagateTags": "SERVICE",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a"], "securityGroups": ["sg-0a"], "assignPublicIp": "DISABLED"}},
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100},
        "deployments": list(deployments),
        "events": [
            {"id": "e1", "createdAt": T0, "message": "(service web) deployment failed: tasks failed to start."},
            {"id": "e0", "createdAt": T0 - timedelta(days=1), "message": "(service web) an earlier deployment's tasks failed their health checks."},
        ],
        "tags": tags if tags is not None else [{"key": "devops-fargate:last-good", "value": TD_A}],
    }


@pytest.fixture
def ecs(client, stubber):
    return client, stubber


def queue_until_register(stub, running, containers=None):
    """The reads before a registration, and the registration of TD_B (with ``containers`` when given)."""
    stub.add_response("describe_services", {"services": [running]}, {"cluster": "c", "services": ["web"], "include": ["TAGS"]})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []}, {"taskDefinition": TD_A, "include": ["TAGS"]})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []}, {"taskDefinition": "web", "include": ["TAGS"]})
    registered = dict(copy.deepcopy(TASK_DEFINITION_A), taskDefinitionArn=TD_B, revision=2, memory="1024")
    if containers is not None:
        registered["containerDefinitions"] = containers
    stub.add_response("register_task_definition", {"taskDefinition": registered})


def run(client, **params):
    module = ModuleStandIn(**dict(PARAMS, **params))
    with pytest.raises((Failed, Exited)) as outcome:
        deploy.run(module, client)
    return outcome.value


def test_circuit_breaker_rollback_is_noticed_waited_for_and_reported_as_failure(ecs):
    client, stub = ecs
    running = service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))
    queue_until_register(stub, running)
    stub.add_response(
        "update_service",
        {"service": service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"), deployment("dep-a", TD_A, "COMPLETED", "ACTIVE"))},
        {"cluster": "c", "service": "web", "taskDefinition": TD_B},
    )
    # The new deployment vanishes: the circuit breaker rolled it back to A.
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-a2", TD_A, "IN_PROGRESS"))]})
    # The module waits for ECS's own rollback rather than starting another.
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-a2", TD_A, "COMPLETED"))]})

    stub.add_response("list_tasks", {"taskArns": ["arn:aws:ecs:us-east-1:123456789012:task/c/1"]})
    stub.add_response(
        "describe_tasks",
        {
            "tasks": [
                {
                    "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/c/1",
                    "stopCode": "EssentialContainerExited",
                    "stoppedReason": "Essential container in task exited",
                    "createdAt": T0,
                    "stoppedAt": T0,
                    "containers": [{"name": "web", "exitCode": 3, "reason": "boom"}],
                }
            ]
        },
    )
    outcome = run(client)

    assert isinstance(outcome, Failed)
    result = outcome.result
    assert result["rolled_back"] is True and result["rollback_task_definition_arn"] == TD_A
    assert result["rollout_state"] == "FAILED"
    assert "rolled back to " + TD_A in result["msg"]
    assert any("exit code 3" in line for line in result["stopped_tasks"])
    assert any("tasks failed to start" in line for line in result["events"])
    assert not any("an earlier deployment" in line for line in result["events"]), "an earlier deployment's events are not this one's"


def test_timeout_rolls_back_to_the_last_good_revision(ecs):
    client, stub = ecs
    running = service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))
    queue_until_register(stub, running)
    in_progress = service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"), deployment("dep-a", TD_A, "COMPLETED", "ACTIVE"))
    stub.add_response("update_service", {"service": in_progress})
    stub.add_response("describe_services", {"services": [in_progress]})
    stub.add_response("describe_services", {"services": [in_progress]})
    # Timed out: the module itself returns the service to A, the last good revision (not B-1 by arithmetic).
    stub.add_response(
        "update_service", {"service": service(TD_A, deployment("dep-r", TD_A, "IN_PROGRESS"))}, {"cluster": "c", "service": "web", "taskDefinition": TD_A}
    )
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-r", TD_A, "COMPLETED"))]})
    stub.add_response("list_tasks", {"taskArns": []})

    outcome = run(client)

    assert isinstance(outcome, Failed)
    assert outcome.result["rolled_back"] is True
    assert "timed out" in outcome.result["msg"]


def test_rollout_failed_without_rollback_reports_failure(ecs):
    client, stub = ecs
    running = service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))
    queue_until_register(stub, running)
    stub.add_response("update_service", {"service": service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"))})
    stub.add_response("describe_services", {"services": [service(TD_B, deployment("dep-b", TD_B, "FAILED"))]})
    stub.add_response("list_tasks", {"taskArns": []})

    outcome = run(client, rollback_on_failure=False)

    assert isinstance(outcome, Failed)
    assert outcome.result["rolled_back"] is False and outcome.result["rollout_state"] == "FAILED"


def test_completed_rollout_records_the_good_revisions(ecs):
    client, stub = ecs
    calls = sent(client)
    running = service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))
    queue_until_register(stub, running)
    stub.add_response("update_service", {"service": service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"))})
    stub.add_response("describe_services", {"services": [service(TD_B, deployment("dep-b", TD_B, "COMPLETED"))]})
    stub.add_response(
        "tag_resource",
        {},
        {"resourceArn": SERVICE_ARN, "tags": [{"key": "devops-fargate:last-good", "value": TD_B}, {"key": "devops-fargate:previous-good", "value": TD_A}]},
    )

    outcome = run(client)

    assert isinstance(outcome, Exited)
    assert outcome.result["rollout_state"] == "COMPLETED" and outcome.result["registered"]
    assert outcome.result["previous_task_definition_arn"] == TD_A, "what an all-or-nothing rollback returns it to"
    assert len(calls) == 7


def test_throttling_that_outlasts_the_clients_retries_fails_the_run_before_any_write(ecs):
    """The client retries a throttled call (botocore's standard mode, tests/integration/test_retries.py); the error that
    reaches the module is its last attempt's, and the run fails unchanged, with no second retry layer around it."""
    client, stub = ecs
    stub.add_client_error("describe_services", service_error_code="ThrottlingException", service_message="Rate exceeded", http_status_code=400)

    outcome = run(client)

    assert isinstance(outcome, Failed)
    assert outcome.result["changed"] is False
    assert "ThrottlingException" in outcome.result["msg"] or "Rate exceeded" in outcome.result["msg"]


def test_a_failure_after_a_write_reports_changed_and_the_changes(ecs):
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_client_error("update_service", service_error_code="InvalidParameterException", service_message="bad", http_status_code=400)

    outcome = run(client)

    assert isinstance(outcome, Failed)
    assert outcome.result["changed"] is True
    assert "task_definition.memory" in outcome.result["changes"]


def test_a_failure_before_any_write_is_not_changed(ecs):
    client, stub = ecs
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))]})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []})
    stub.add_client_error("register_task_definition", service_error_code="ClientException", service_message="no", http_status_code=400)

    outcome = run(client)

    assert isinstance(outcome, Failed)
    assert outcome.result["changed"] is False


def test_access_denied_names_the_action_resource_and_policy(ecs):
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_client_error(
        "update_service",
        service_error_code="AccessDeniedException",
        service_message=f"User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: ecs:UpdateService on resource: {SERVICE_ARN}",
        http_status_code=400,
    )

    outcome = run(client)

    assert isinstance(outcome, Failed)
    assert "ecs:UpdateService" in outcome.result["msg"] and SERVICE_ARN in outcome.result["msg"]
    assert "docs/iam/deploy-policy.json" in outcome.result["msg"]
    assert outcome.result["changed"] is True  # the revision was registered before the denial


def test_a_revision_registered_for_the_same_request_is_reused_whatever_ecs_adds_later(ecs):
    """Tomorrow's describe answer carries a member today's normalisation does not know: the digest still decides."""
    from ansible_collections.devops.fargate.plugins.module_utils.deploy import REQUEST_DIGEST_TAG
    from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import desired_task_definition
    from ansible_collections.devops.fargate.plugins.module_utils.taskdef import request_digest

    client, stub = ecs
    digest = request_digest(desired_task_definition(with_defaults(PARAMS)))
    described = copy.deepcopy(dict(TASK_DEFINITION_A, memory="1024"))
    described["containerDefinitions"][0]["restartPolicy"] = {"enabled": False}  # a default ECS might start filling in
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))]})
    stub.add_response("describe_task_definition", {"taskDefinition": described, "tags": [{"key": REQUEST_DIGEST_TAG, "value": digest}]})

    outcome = run(client)

    assert isinstance(outcome, Exited)
    assert outcome.result["changed"] is False and outcome.result["registered"] is False


def test_a_registered_revision_carries_the_request_digest(ecs):
    from ansible_collections.devops.fargate.plugins.module_utils.deploy import REQUEST_DIGEST_TAG
    from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import desired_task_definition
    from ansible_collections.devops.fargate.plugins.module_utils.taskdef import request_digest

    client, stub = ecs
    desired = desired_task_definition(with_defaults(PARAMS))
    stub.add_response("describe_services", {"services": []})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []})
    stub.add_response(
        "register_task_definition",
        {"taskDefinition": dict(TASK_DEFINITION_A, taskDefinitionArn=TD_B, revision=2, memory="1024")},
        dict(desired, tags=[{"key": REQUEST_DIGEST_TAG, "value": request_digest(desired)}]),
    )
    stub.add_response("create_service", {"service": service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"), tags=[])})
    stub.add_response("describe_services", {"services": [service(TD_B, deployment("dep-b", TD_B, "COMPLETED"), tags=[])]})
    stub.add_response("tag_resource", {})

    outcome = run(client)

    assert isinstance(outcome, Exited) and outcome.result["registered"] is True


def test_a_denied_read_of_the_stopped_tasks_never_keeps_the_rollback_from_starting(ecs):
    """ecs:ListTasks on Fargate needs "*"; a policy that scopes it to the service is denied, after the rollback."""
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_response("update_service", {"service": service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"))})
    stub.add_response("describe_services", {"services": [service(TD_B, deployment("dep-b", TD_B, "FAILED"))]})
    back_to_a = {"cluster": "c", "service": "web", "taskDefinition": TD_A}
    stub.add_response("update_service", {"service": service(TD_A, deployment("dep-r", TD_A, "IN_PROGRESS"))}, back_to_a)
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-r", TD_A, "COMPLETED"))]})
    stub.add_client_error(
        "list_tasks",
        service_error_code="AccessDeniedException",
        service_message="User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: ecs:ListTasks on resource: *",
        http_status_code=400,
    )

    outcome = run(client)

    assert isinstance(outcome, Failed)
    assert outcome.result["rolled_back"] is True and outcome.result["rollback_task_definition_arn"] == TD_A
    assert any("ecs:ListTasks" in line and "docs/iam/deploy-policy.json" in line for line in outcome.result["stopped_tasks"])


def test_stopped_tasks_of_earlier_deployments_are_not_blamed_on_this_one(ecs):
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    later = datetime(2026, 1, 2, tzinfo=timezone.utc)
    failed = dict(deployment("dep-b", TD_B, "FAILED"), createdAt=later)
    stub.add_response("update_service", {"service": service(TD_B, dict(deployment("dep-b", TD_B, "IN_PROGRESS"), createdAt=later))})
    stub.add_response("describe_services", {"services": [service(TD_B, failed)]})
    stub.add_response("list_tasks", {"taskArns": ["arn:aws:ecs:us-east-1:123456789012:task/c/old", "arn:aws:ecs:us-east-1:123456789012:task/c/new"]})
    task = {"stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited", "stoppedAt": later}
    stub.add_response(
        "describe_tasks",
        {
            "tasks": [
                dict(task, taskArn="arn:aws:ecs:us-east-1:123456789012:task/c/old", createdAt=T0, containers=[{"name": "web", "exitCode": 9}]),
                dict(task, taskArn="arn:aws:ecs:us-east-1:123456789012:task/c/new", createdAt=later, containers=[{"name": "web", "exitCode": 3}]),
            ]
        },
    )

    outcome = run(client, rollback_on_failure=False)

    assert isinstance(outcome, Failed)
    assert any("exit code 3" in line for line in outcome.result["stopped_tasks"])
    assert not any("exit code 9" in line for line in outcome.result["stopped_tasks"])


# --- ECS's record of the deployment (the service-deployments API), as real ECS keeps it -------------------------------

RECORD = ecs_answers.SERVICE_DEPLOYMENT.format("dep-b")
ASKED = {"serviceDeploymentArns": [RECORD]}


def recorded(answer: dict) -> dict:
    """A CreateService/UpdateService answer from real ECS: the service names the deployment it started."""
    return dict(answer, currentServiceDeployment=RECORD)


def queue_record(stub, *records):
    for record in records:
        stub.add_response("describe_service_deployments", {"serviceDeployments": [record], "failures": []}, ASKED)


def queue_failure_reads(stub, now):
    """After a failed rollout: the service's events, then its stopped tasks."""
    stub.add_response("describe_services", {"services": [now]})
    stub.add_response("list_tasks", {"taskArns": []})


def test_a_rollout_ecs_records_is_read_from_its_record(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_response("update_service", {"service": recorded(service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS")))})
    queue_record(stub, ecs_answers.service_deployment("dep-b", "IN_PROGRESS"), ecs_answers.service_deployment("dep-b", "SUCCESSFUL", running=1))
    stub.add_response("tag_resource", {})

    outcome = run(client, wait_timeout=5)

    assert isinstance(outcome, Exited)
    assert outcome.result["rollout_state"] == "COMPLETED" and outcome.result["service_deployment_arn"] == RECORD
    assert outcome.result["alarms_triggered"] == []
    assert calls.count("DescribeServices") == 1, "the rollout is read from ECS's record, not from the service's deployments"


def test_an_alarm_rollback_by_ecs_is_waited_for_and_the_failure_names_the_alarm(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_response("update_service", {"service": recorded(service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS")))})
    fired = {"status": "TRIGGERED", "alarmNames": ["web-5xx", "web-latency"], "triggeredAlarmNames": ["web-5xx"]}
    back = {"reason": "rolled back on alarm", "startedAt": T0, "serviceRevisionArn": ecs_answers.SERVICE_REVISION.format("1")}
    queue_record(
        stub,
        ecs_answers.service_deployment("dep-b", "ROLLBACK_IN_PROGRESS", alarms=fired, rollback=back, statusReason="Service deployment rolled back"),
        ecs_answers.service_deployment("dep-b", "ROLLBACK_SUCCESSFUL", alarms=fired, rollback=back),
    )
    stub.add_response(
        "describe_service_revisions",
        {"serviceRevisions": [ecs_answers.service_revision("1", TD_A)], "failures": []},
        {"serviceRevisionArns": [ecs_answers.SERVICE_REVISION.format("1")]},
    )
    queue_failure_reads(stub, service(TD_A, deployment("dep-a2", TD_A, "COMPLETED")))

    outcome = run(client, wait_timeout=5)

    assert isinstance(outcome, Failed)
    result = outcome.result
    assert "alarm fired: web-5xx" in result["msg"] and "web-latency" not in result["msg"]
    assert result["alarms_triggered"] == ["web-5xx"]
    assert result["rolled_back"] is True and result["rollback_task_definition_arn"] == TD_A
    assert "rolled back to " + TD_A in result["msg"]
    assert calls.count("UpdateService") == 1 and "StopServiceDeployment" not in calls, "ECS rolled back: the module only waits"


def test_a_timed_out_rollout_is_rolled_back_by_ecs_on_request(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_response("update_service", {"service": recorded(service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS")))})
    queue_record(stub, ecs_answers.service_deployment("dep-b", "IN_PROGRESS"), ecs_answers.service_deployment("dep-b", "IN_PROGRESS"))
    stub.add_response("stop_service_deployment", {"serviceDeploymentArn": RECORD}, {"serviceDeploymentArn": RECORD, "stopType": "ROLLBACK"})
    queue_record(stub, ecs_answers.service_deployment("dep-b", "ROLLBACK_IN_PROGRESS"), ecs_answers.service_deployment("dep-b", "ROLLBACK_SUCCESSFUL"))
    stub.add_response("describe_service_revisions", {"serviceRevisions": [ecs_answers.service_revision("1", TD_A)], "failures": []})
    queue_failure_reads(stub, service(TD_A, deployment("dep-a2", TD_A, "COMPLETED")))

    outcome = run(client, wait_timeout=1)

    assert isinstance(outcome, Failed)
    assert "timed out" in outcome.result["msg"]
    assert outcome.result["rolled_back"] is True and outcome.result["rollback_task_definition_arn"] == TD_A
    assert calls.count("UpdateService") == 1, "one call, ECS does the rest"


def test_a_denied_stop_falls_back_to_the_modules_own_rollback_and_says_so(ecs):
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_response("update_service", {"service": recorded(service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS")))})
    queue_record(stub, ecs_answers.service_deployment("dep-b", "IN_PROGRESS"), ecs_answers.service_deployment("dep-b", "IN_PROGRESS"))
    stub.add_client_error(
        "stop_service_deployment",
        service_error_code="AccessDeniedException",
        service_message=f"User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: ecs:StopServiceDeployment on resource: {RECORD}",
        http_status_code=400,
    )
    stub.add_client_error("list_service_deployments", service_error_code="AccessDeniedException", http_status_code=400)
    back_to_a = {"cluster": "c", "service": "web", "taskDefinition": TD_A}
    stub.add_response("update_service", {"service": service(TD_A, deployment("dep-r", TD_A, "IN_PROGRESS"))}, back_to_a)
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-r", TD_A, "COMPLETED"))]})
    queue_failure_reads(stub, service(TD_A, deployment("dep-r", TD_A, "COMPLETED")))

    outcome = run(client, wait_timeout=1)

    assert isinstance(outcome, Failed)
    assert outcome.result["rolled_back"] is True and outcome.result["rollback_task_definition_arn"] == TD_A, "ECS's history unread: the tags say"
    assert "ecs:StopServiceDeployment" in outcome.result["msg"]


TD_C = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"
HISTORY = {"cluster": "c", "service": "web", "status": ["SUCCESSFUL"], "maxResults": 100}


def queue_history(stub, *deployed: tuple[str, str]):
    """ECS's SUCCESSFUL deployments of the service, oldest first as given ((service revision, task definition)); ECS
    lists them in no promised order, and here the oldest comes first."""
    briefs = [ecs_answers.service_deployment_brief(revision, minutes=10 * n) for n, (revision, _td) in enumerate(deployed)]
    stub.add_response("list_service_deployments", {"serviceDeployments": briefs}, HISTORY)
    revisions = dict(deployed)
    asked = list(dict.fromkeys(ecs_answers.SERVICE_REVISION.format(revision) for revision, _td in reversed(deployed)))
    answer = [ecs_answers.service_revision(revision, td) for revision, td in revisions.items()]
    stub.add_response("describe_service_revisions", {"serviceRevisions": answer, "failures": []}, {"serviceRevisionArns": asked})


def test_a_rollout_ecs_cannot_roll_back_goes_back_to_the_newest_successful_deployment_in_ecs_record(ecs):
    """No tags (the service came from another tool): ECS's own history names what ran well before."""
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED"), tags=[]))
    stub.add_response("update_service", {"service": recorded(service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"), tags=[]))})
    queue_record(stub, ecs_answers.service_deployment("dep-b", "IN_PROGRESS"), ecs_answers.service_deployment("dep-b", "IN_PROGRESS"))
    stub.add_client_error("stop_service_deployment", service_error_code="AccessDeniedException", http_status_code=400)
    queue_history(stub, ("1", TD_C), ("2", TD_A))
    back_to_a = {"cluster": "c", "service": "web", "taskDefinition": TD_A}
    stub.add_response("update_service", {"service": service(TD_A, deployment("dep-r", TD_A, "IN_PROGRESS"), tags=[])}, back_to_a)
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-r", TD_A, "COMPLETED"), tags=[])]})
    queue_failure_reads(stub, service(TD_A, deployment("dep-r", TD_A, "COMPLETED"), tags=[]))

    outcome = run(client, wait_timeout=1)

    assert isinstance(outcome, Failed)
    assert outcome.result["rolled_back"] is True and outcome.result["rollback_task_definition_arn"] == TD_A
    assert "rolled back to " + TD_A in outcome.result["msg"]


def test_the_circuit_breakers_count_in_ecs_record_fails_a_rollout_past_the_threshold(ecs):
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_response("update_service", {"service": recorded(service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS")))})
    breaker = {"status": "MONITORING", "failureCount": 3, "threshold": 10}
    queue_record(stub, ecs_answers.service_deployment("dep-b", "IN_PROGRESS", deploymentCircuitBreaker=breaker))
    queue_failure_reads(stub, service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS")))

    outcome = run(client, wait_timeout=30, failed_tasks_threshold=2, rollback_on_failure=False)

    assert isinstance(outcome, Failed)
    assert "3 tasks failed to start, more than the threshold of 2" in outcome.result["msg"]
    assert outcome.result["rolled_back"] is False


# --- strategies: blue/green, canary (ECS's answers as its service-deployments record has them) ------------------------

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-{}/0123456789abcdef"
BALANCED = dict(
    load_balancers=[
        {
            "targetGroupArn": TG.format("blue"),
            "containerName": "web",
            "containerPort": 8000,
            "advancedConfiguration": {
                "alternateTargetGroupArn": TG.format("green"),
                "productionListenerRule": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/0123456789abcdef/0123456789abcdef/1",
                "roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers",
            },
        }
    ],
    container_definitions=[{"name": "web", "image": "registry.example/web:1", "portMappings": [{"containerPort": 8000}]}],
)


def strategy_update(stub, strategy_members: dict):
    """The UpdateService that switches the service to a strategy and its new revision, answered by real ECS."""
    wanted = {
        "cluster": "c",
        "service": "web",
        "taskDefinition": TD_B,
        "loadBalancers": BALANCED["load_balancers"],
        "deploymentConfiguration": dict(
            {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100}, **strategy_members
        ),
    }
    stub.add_response("update_service", {"service": recorded(service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS")))}, wanted)


def test_a_blue_green_deployment_waits_out_its_bake_and_succeeds(ecs):
    """The bake keeps a good blue/green IN_PROGRESS: its minutes extend wait_timeout, so the wait outlasts it."""
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    strategy_update(stub, {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 1})
    baking = ecs_answers.service_deployment("dep-b", "IN_PROGRESS", running=1, lifecycleStage="BAKE_TIME")
    queue_record(stub, baking, baking, ecs_answers.service_deployment("dep-b", "SUCCESSFUL", running=1))
    stub.add_response("tag_resource", {})

    outcome = run(client, wait_timeout=1, deployment_strategy={"type": "blue_green", "bake_time": 1}, **BALANCED)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["rollout_state"] == "COMPLETED" and outcome.result["deployment_strategy"] == "BLUE_GREEN"


def test_a_canary_that_fails_at_ten_percent_is_rolled_back_by_ecs_and_reported(ecs):
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    strategy_update(stub, {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5}})
    breaker = {"status": "TRIGGERED", "failureCount": 3, "threshold": 3}
    reason = "ECS deployment circuit breaker: tasks failed to start."
    queue_record(
        stub,
        ecs_answers.service_deployment("dep-b", "IN_PROGRESS", lifecycleStage="TEST_TRAFFIC_SHIFT"),
        ecs_answers.service_deployment("dep-b", "ROLLBACK_IN_PROGRESS", deploymentCircuitBreaker=breaker, statusReason=reason),
        ecs_answers.service_deployment("dep-b", "ROLLBACK_SUCCESSFUL", deploymentCircuitBreaker=breaker, statusReason=reason),
    )
    stub.add_response("describe_service_revisions", {"serviceRevisions": [ecs_answers.service_revision("1", TD_A)], "failures": []})
    queue_failure_reads(stub, service(TD_A, deployment("dep-a2", TD_A, "COMPLETED")))

    outcome = run(client, wait_timeout=5, deployment_strategy={"type": "canary", "canary_percent": 10, "canary_bake_time": 5}, **BALANCED)

    assert isinstance(outcome, Failed)
    result = outcome.result
    assert result["deployment_strategy"] == "CANARY"
    assert "circuit breaker tripped: 3 tasks failed, threshold 3" in result["msg"] and reason in result["msg"]
    assert result["rolled_back"] is True and result["rollback_task_definition_arn"] == TD_A


def test_a_linear_deployment_steps_through_its_bakes_and_succeeds(ecs):
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    strategy_update(stub, {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 1}})
    queue_record(
        stub,
        ecs_answers.service_deployment("dep-b", "IN_PROGRESS", running=1, lifecycleStage="PRODUCTION_TRAFFIC_SHIFT"),
        ecs_answers.service_deployment("dep-b", "SUCCESSFUL", running=1),
    )
    stub.add_response("tag_resource", {})

    outcome = run(client, wait_timeout=5, deployment_strategy={"type": "linear", "linear_step_percent": 50, "linear_step_bake_time": 1}, **BALANCED)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["rollout_state"] == "COMPLETED" and outcome.result["deployment_strategy"] == "LINEAR"


def test_a_bake_that_outlasts_even_the_extended_wait_is_rolled_back_by_ecs(ecs):
    """wait_timeout plus the bake is the most the run waits: a deployment still baking then is a failure, rolled back."""
    client, stub = ecs
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    strategy_update(stub, {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0})
    baking = ecs_answers.service_deployment("dep-b", "IN_PROGRESS", running=1, lifecycleStage="BAKE_TIME")
    queue_record(stub, baking, baking)
    stub.add_response("stop_service_deployment", {"serviceDeploymentArn": RECORD}, {"serviceDeploymentArn": RECORD, "stopType": "ROLLBACK"})
    queue_record(stub, ecs_answers.service_deployment("dep-b", "ROLLBACK_SUCCESSFUL"))
    stub.add_response("describe_service_revisions", {"serviceRevisions": [ecs_answers.service_revision("1", TD_A)], "failures": []})
    queue_failure_reads(stub, service(TD_A, deployment("dep-a2", TD_A, "COMPLETED")))

    outcome = run(client, wait_timeout=1, deployment_strategy={"type": "blue_green", "bake_time": 0}, **BALANCED)

    assert isinstance(outcome, Failed)
    assert "timed out after 1 s; last seen: service deployment dep-b in progress at BAKE_TIME" in outcome.result["msg"]
    assert outcome.result["rolled_back"] is True and outcome.result["rollback_task_definition_arn"] == TD_A


def test_a_strategy_on_a_service_ecs_does_not_control_fails_before_any_write(ecs):
    client, stub = ecs
    calls = sent(client)
    code_deploy = dict(service(TD_A, deployment("dep-a", TD_A, "COMPLETED")), deploymentController={"type": "CODE_DEPLOY"})
    stub.add_response("describe_services", {"services": [code_deploy]})

    outcome = run(client, deployment_strategy={"type": "blue_green", "bake_time": 5}, **BALANCED)

    assert isinstance(outcome, Failed) and outcome.result["changed"] is False
    assert "deployment controller is CODE_DEPLOY" in outcome.result["msg"]
    assert calls == ["DescribeServices"]


# --- a deployment paused at a PAUSE lifecycle hook (an approval step in CI) ------------------------------------------

PAUSED_AT = {
    "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT",
    "lifecycleHookDetails": [
        {"hookId": "hook-1", "targetType": "PAUSE", "status": "AWAITING_ACTION", "expiresAt": T0 + timedelta(hours=1), "timeoutAction": "ROLLBACK"}
    ],
}
HOOK_1 = {"serviceDeploymentArn": RECORD, "hookId": "hook-1"}
HOOKED = {"type": "rolling", "lifecycle_hooks": [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]}


def queue_unchanged_service_paused_at_a_hook(stub):
    """A run with nothing to change, against a service whose deployment a run before left paused at a hook."""
    from ansible_collections.devops.fargate.plugins.module_utils.deploy import REQUEST_DIGEST_TAG
    from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import desired_task_definition
    from ansible_collections.devops.fargate.plugins.module_utils.taskdef import request_digest

    params = with_defaults(dict(PARAMS, deployment_strategy=HOOKED))
    running = dict(service(TD_A, deployment("dep-b", TD_A, "IN_PROGRESS")), currentServiceDeployment=RECORD)
    running["deploymentConfiguration"] = dict(running["deploymentConfiguration"], strategy="ROLLING", lifecycleHooks=HOOKED["lifecycle_hooks"])
    described = dict(copy.deepcopy(TASK_DEFINITION_A), memory="1024")
    stub.add_response("describe_services", {"services": [running]})
    digest = {"key": REQUEST_DIGEST_TAG, "value": request_digest(desired_task_definition(params))}
    stub.add_response("describe_task_definition", {"taskDefinition": described, "tags": [digest]})
    paused = ecs_answers.service_deployment("dep-b", "IN_PROGRESS", running=1, **PAUSED_AT)
    queue_record(stub, paused, paused)


def test_a_deployment_paused_at_a_hook_ends_the_run_paused_and_says_where(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    stub.add_response("update_service", {"service": recorded(service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS")))})
    queue_record(stub, ecs_answers.service_deployment("dep-b", "IN_PROGRESS", running=1, **PAUSED_AT))

    outcome = run(client, wait_timeout=30, deployment_strategy=HOOKED)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["rollout_state"] == "PAUSED" and outcome.result["changed"]
    assert outcome.result["paused_at"]["stage"] == "POST_TEST_TRAFFIC_SHIFT" and outcome.result["paused_at"]["hookId"] == "hook-1"
    assert "TagResource" not in calls, "a paused deployment is not known to be good"


def test_a_paused_deployment_is_continued_by_the_next_run_and_watched_to_the_end(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_unchanged_service_paused_at_a_hook(stub)
    stub.add_response("continue_service_deployment", {"serviceDeploymentArn": RECORD}, dict(HOOK_1, action="CONTINUE"))
    queue_record(stub, ecs_answers.service_deployment("dep-b", "SUCCESSFUL", running=1))

    outcome = run(client, wait_timeout=30, deployment_strategy=HOOKED, continue_deployment=True)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    result = outcome.result
    assert result["rollout_state"] == "COMPLETED" and result["changes"] == ["service.deployment.continue"]
    assert result["deployment_started"] is False and result["registered"] is False
    assert "UpdateService" not in calls and "RegisterTaskDefinition" not in calls


def test_a_paused_deployment_is_rolled_back_when_the_next_run_says_no(ecs):
    client, stub = ecs
    queue_unchanged_service_paused_at_a_hook(stub)
    stub.add_response("continue_service_deployment", {"serviceDeploymentArn": RECORD}, dict(HOOK_1, action="ROLLBACK"))
    queue_record(stub, ecs_answers.service_deployment("dep-b", "ROLLBACK_IN_PROGRESS"), ecs_answers.service_deployment("dep-b", "ROLLBACK_SUCCESSFUL"))
    stub.add_response("describe_service_revisions", {"serviceRevisions": [ecs_answers.service_revision("1", TD_A)], "failures": []})
    queue_failure_reads(stub, service(TD_A, deployment("dep-a2", TD_A, "COMPLETED")))

    outcome = run(client, wait_timeout=30, deployment_strategy=HOOKED, continue_deployment=False)

    assert isinstance(outcome, Failed)
    assert "as continue_deployment=false asked" in outcome.result["msg"]
    assert outcome.result["rolled_back"] is True and outcome.result["rollback_task_definition_arn"] == TD_A


# The tags an on-demand rollback from TD_B to TD_A writes (tags_after_rollback).
BACK_TO_A_FROM_B = [
    {"key": "devops-fargate:last-good", "value": TD_A},
    {"key": "devops-fargate:previous-good", "value": ""},
    {"key": "devops-fargate:rolled-back-from", "value": TD_B},
]


def run_state(client, state, **params):
    module = ModuleStandIn(**dict(PARAMS, state=state, **params))
    with pytest.raises((Failed, Exited)) as outcome:
        deploy.run(module, client)
    return outcome.value


def test_a_retried_rollback_changes_nothing(ecs):
    """rollback.yml run again (a CI retry) must not swap back to the revision it rolled back from."""
    client, stub = ecs
    good = [{"key": "devops-fargate:last-good", "value": TD_B}, {"key": "devops-fargate:previous-good", "value": TD_A}]
    stub.add_response("describe_services", {"services": [service(TD_B, deployment("dep-b", TD_B, "COMPLETED"), tags=good)]})
    back_to_a = {"cluster": "c", "service": "web", "taskDefinition": TD_A}
    stub.add_response("update_service", {"service": service(TD_A, deployment("dep-r", TD_A, "IN_PROGRESS"), tags=good)}, back_to_a)
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-r", TD_A, "COMPLETED"), tags=good)]})
    remembered = BACK_TO_A_FROM_B
    stub.add_response("tag_resource", {}, {"resourceArn": SERVICE_ARN, "tags": remembered})

    first = run_state(client, "rolled_back")

    assert isinstance(first, Exited) and first.result["changed"] is True and first.result["task_definition_arn"] == TD_A
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-r", TD_A, "COMPLETED"), tags=remembered)]})

    second = run_state(client, "rolled_back")

    assert isinstance(second, Exited)
    assert second.result["changed"] is False and second.result["task_definition_arn"] == TD_A
    assert second.result["deployment_started"] is False


def test_absent_waits_for_the_service_to_drain(ecs):
    """ECS refuses DeleteCluster while a deleted service is DRAINING: the module returns only once it is INACTIVE."""
    client, stub = ecs
    running = service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))
    stub.add_response("describe_services", {"services": [running]})
    stub.add_response("update_service", {"service": dict(running, desiredCount=0)}, {"cluster": "c", "service": "web", "desiredCount": 0})
    stub.add_response("delete_service", {"service": dict(running, status="DRAINING")}, {"cluster": "c", "service": "web", "force": True})
    stub.add_response("describe_services", {"services": [dict(running, status="DRAINING")]})
    stub.add_response("describe_services", {"services": [dict(running, status="INACTIVE")]})

    outcome = run_state(client, "absent", family=None, wait_delay=0.01, wait_timeout=5)

    assert isinstance(outcome, Exited) and outcome.result["changed"] is True


def test_absent_fails_when_the_service_does_not_drain_in_time(ecs):
    client, stub = ecs
    running = dict(service(TD_A, deployment("dep-a", TD_A, "COMPLETED")), desiredCount=0)
    stub.add_response("describe_services", {"services": [running]})
    stub.add_response("delete_service", {"service": dict(running, status="DRAINING")})
    stub.add_response("describe_services", {"services": [dict(running, status="DRAINING")]})

    outcome = run_state(client, "absent", family=None, wait_delay=0.01, wait_timeout=0)  # one look, at the deadline

    assert isinstance(outcome, Failed) and "DRAINING" in outcome.result["msg"] and outcome.result["changed"] is True


def test_access_denied_without_a_message_names_the_ecs_action_and_the_destroy_policy(ecs):
    client, stub = ecs
    stub.add_response("describe_services", {"services": [dict(service(TD_A, deployment("dep-a", TD_A, "COMPLETED")), desiredCount=0)]})
    stub.add_client_error("delete_service", service_error_code="AccessDeniedException", service_message="", http_status_code=400)

    outcome = run_state(client, "absent", family=None)

    assert isinstance(outcome, Failed)
    assert "ecs:DeleteService" in outcome.result["msg"] and "docs/iam/destroy-policy.json" in outcome.result["msg"]


def test_an_on_demand_rollback_goes_to_the_revision_before_in_ecs_record_and_a_retry_changes_nothing(ecs):
    """A service whose tags were never written (deployed by another tool): ECS's record of its successful deployments
    names the revision before the one it runs; the rollback is one more successful deployment in that record, and
    the retry stays where it is."""
    client, stub = ecs
    calls = sent(client)
    stub.add_response("describe_services", {"services": [recorded(service(TD_B, deployment("dep-b", TD_B, "COMPLETED"), tags=[]))]})
    queue_history(stub, ("1", TD_A), ("2", TD_B))
    back_to_a = {"cluster": "c", "service": "web", "taskDefinition": TD_A}
    stub.add_response("update_service", {"service": recorded(service(TD_A, deployment("dep-r", TD_A, "IN_PROGRESS"), tags=[]))}, back_to_a)
    queue_record(stub, ecs_answers.service_deployment("dep-b", "SUCCESSFUL", running=1))
    remembered = BACK_TO_A_FROM_B
    stub.add_response("tag_resource", {}, {"resourceArn": SERVICE_ARN, "tags": remembered})

    first = run_state(client, "rolled_back")

    assert isinstance(first, Exited), first.result.get("msg")
    assert first.result["changed"] is True and first.result["task_definition_arn"] == TD_A and first.result["rolled_back"] is True
    assert calls.count("ListServiceDeployments") == 1
    stub.add_response("describe_services", {"services": [recorded(service(TD_A, deployment("dep-r", TD_A, "COMPLETED"), tags=remembered))]})
    queue_history(stub, ("1", TD_A), ("2", TD_B), ("3", TD_A))

    second = run_state(client, "rolled_back")

    assert isinstance(second, Exited)
    assert second.result["changed"] is False and second.result["task_definition_arn"] == TD_A and second.result["deployment_started"] is False
    assert calls.count("UpdateService") == 1


# --- the evidence of a failed rollout: exit codes and the containers' last log lines --------------------------------

TASK_NEW = "arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef"
TASK_OLDER = "arn:aws:ecs:us-east-1:123456789012:task/c/fedcba9876543210fedcba9876543210"
AWSLOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}}


def queue_failed_rollout_with_stopped_tasks(stub):
    """A rollout of TD_B that fails (no rollback asked for), whose two tasks stopped: the web container exited 3. TD_B's
    containers (their log streams) are the ones its registration answered: not read again."""
    revision_b_containers = [
        dict(TASK_DEFINITION_A["containerDefinitions"][0], logConfiguration=AWSLOGS),
        {"name": "log-router", "image": "registry.example/router:1", "essential": False},
    ]
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")), revision_b_containers)
    stub.add_response("update_service", {"service": service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"))})
    stub.add_response("describe_services", {"services": [service(TD_B, deployment("dep-b", TD_B, "FAILED"))]})
    stub.add_response("list_tasks", {"taskArns": [TASK_OLDER, TASK_NEW]})
    stopped = {"stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited", "taskDefinitionArn": TD_B, "createdAt": T0}
    containers = [{"name": "web", "exitCode": 3}, {"name": "log-router", "exitCode": 0, "reason": "stopped with the task"}]
    stub.add_response(
        "describe_tasks",
        {
            "tasks": [
                dict(stopped, taskArn=TASK_OLDER, stoppedAt=T0 + timedelta(minutes=1), containers=containers),
                dict(stopped, taskArn=TASK_NEW, stoppedAt=T0 + timedelta(minutes=2), containers=containers),
            ]
        },
    )


@pytest.fixture
def logs():
    client = boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def run_with_logs(client, logs_client, **params):
    module = ModuleStandIn(**dict(PARAMS, **params))
    with pytest.raises((Failed, Exited)) as outcome:
        deploy.run(module, client, logs=lambda: logs_client)
    return outcome.value


def test_a_failed_rollout_reports_each_stopped_tasks_exit_codes_and_its_containers_last_log_lines(ecs, logs):
    client, stub = ecs
    logs_client, logs_stub = logs
    queue_failed_rollout_with_stopped_tasks(stub)
    events = [{"timestamp": 1767225600000 + n, "message": f"line {n}\n", "ingestionTime": 1767225600000 + n} for n in range(25)]
    events[-1]["message"] = "ModuleNotFoundError: No module named 'webapp.views'\n"
    new_stream = {"logGroupName": "/ecs/web", "logStreamName": "web/web/0123456789abcdef0123456789abcdef", "limit": 20, "startFromHead": False}
    logs_stub.add_response("get_log_events", {"events": events[-20:]}, new_stream)
    older_stream = dict(new_stream, logStreamName="web/web/fedcba9876543210fedcba9876543210")
    logs_stub.add_client_error("get_log_events", service_error_code="ResourceNotFoundException", http_status_code=400, expected_params=older_stream)

    outcome = run_with_logs(client, logs_client, rollback_on_failure=False)

    assert isinstance(outcome, Failed)
    newest, older = outcome.result["stopped_task_details"]
    assert (newest["task_arn"], newest["stop_code"], newest["stopped_reason"]) == (TASK_NEW, "EssentialContainerExited", "Essential container in task exited")
    web, router = newest["containers"]
    assert (web["name"], web["exit_code"], web["log_stream"]) == ("web", 3, "web/web/0123456789abcdef0123456789abcdef")
    assert web["last_log_lines"] == [f"line {n}" for n in range(5, 24)] + ["ModuleNotFoundError: No module named 'webapp.views'"]
    assert (router["exit_code"], router["reason"]) == (0, "stopped with the task") and "log_stream" not in router, "no awslogs: no stream to read"
    assert older["containers"][0]["last_log_lines"] == [] and "no log stream" in older["containers"][0]["log_error"]
    message = outcome.result["msg"]
    assert "exit code 3" in " ".join(outcome.result["stopped_tasks"])
    assert "line 20 | line 21 | line 22 | line 23 | ModuleNotFoundError: No module named 'webapp.views'" in message
    assert "line 19" not in message, "the message quotes the last 5 lines; the result has 20"


def test_a_denied_log_read_says_which_permission_and_the_failure_is_still_reported(ecs, logs):
    client, stub = ecs
    logs_client, logs_stub = logs
    queue_failed_rollout_with_stopped_tasks(stub)
    denied = (
        "User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: logs:GetLogEvents"
        " on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:web/web/x"
    )
    for _task in range(2):
        logs_stub.add_client_error("get_log_events", service_error_code="AccessDeniedException", service_message=denied, http_status_code=400)

    outcome = run_with_logs(client, logs_client, rollback_on_failure=False)

    assert isinstance(outcome, Failed) and outcome.result["msg"].startswith("Rollout of " + TD_B + " failed")
    web = outcome.result["stopped_task_details"][0]["containers"][0]
    assert web["exit_code"] == 3 and web["last_log_lines"] == []
    assert "logs:GetLogEvents" in web["log_error"] and "docs/iam/deploy-policy.json" in web["log_error"]
    assert "could not be read" in outcome.result["msg"]


# --- the one-off task before the rollout (pre_deploy_task) -----------------------------------------------------------

MIGRATION = {"command": ["flask", "db", "upgrade"], "wait_timeout": 5}
ONE_OFF = "arn:aws:ecs:us-east-1:123456789012:task/c/1111111111111111aaaaaaaaaaaaaaaa"
RUN_MIGRATION = {
    "cluster": "c",
    "taskDefinition": TD_B,
    "launchType": "FARGATE",
    "count": 1,
    "startedBy": "devops-fargate/pre-deploy",
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a"], "securityGroups": ["sg-0a"], "assignPublicIp": "DISABLED"}},
    "overrides": {"containerOverrides": [{"name": "web", "command": ["flask", "db", "upgrade"]}]},
}


def one_off(status, exit_code=None, **extra):
    container = {"name": "web", "lastStatus": status}
    if exit_code is not None:
        container["exitCode"] = exit_code
    task = {"taskArn": ONE_OFF, "taskDefinitionArn": TD_B, "lastStatus": status, "containers": [container], "startedBy": "devops-fargate/pre-deploy"}
    return dict(task, **extra)


def queue_migration(stub, *states):
    stub.add_response("run_task", {"tasks": [one_off("PROVISIONING")], "failures": []}, RUN_MIGRATION)
    for state in states:
        stub.add_response("describe_tasks", {"tasks": [state], "failures": []}, {"cluster": "c", "tasks": [ONE_OFF]})


def test_a_failing_pre_deploy_task_fails_the_run_before_the_service_changes_with_its_exit_code_and_log_lines(ecs, logs):
    client, stub = ecs
    logs_client, logs_stub = logs
    calls = sent(client)
    logged = [dict(TASK_DEFINITION_A["containerDefinitions"][0], logConfiguration=AWSLOGS)]
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")), logged)
    stopped = one_off("STOPPED", 1, stopCode="EssentialContainerExited", stoppedReason="Essential container in task exited")
    queue_migration(stub, one_off("RUNNING"), stopped)
    stream = {"logGroupName": "/ecs/web", "logStreamName": "web/web/1111111111111111aaaaaaaaaaaaaaaa", "limit": 20, "startFromHead": False}
    lines = ["INFO  [alembic] Running upgrade 1a2b -> 3c4d", "sqlalchemy.exc.OperationalError: no such table: users"]
    logs_stub.add_response("get_log_events", {"events": [{"timestamp": 1, "message": line, "ingestionTime": 1} for line in lines]}, stream)

    outcome = run_with_logs(client, logs_client, pre_deploy_task=MIGRATION)

    assert isinstance(outcome, Failed)
    result = outcome.result
    assert "pre_deploy_task failed" in result["msg"] and "exit code 1" in result["msg"] and "the service was not changed" in result["msg"]
    assert "no such table: users" in result["msg"]
    assert result["pre_deploy_task"]["exit_code"] == 1 and result["pre_deploy_task"]["task_arn"] == ONE_OFF
    assert result["pre_deploy_task"]["details"]["containers"][0]["last_log_lines"] == lines
    assert result["changed"] is True, "the revision was registered"
    assert "UpdateService" not in calls and "TagResource" not in calls, "the service is untouched"
    assert calls.count("DescribeTaskDefinition") == 2, "the registered revision's containers are not read again"


def test_a_pre_deploy_task_that_succeeds_runs_before_the_rollout(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    queue_migration(stub, one_off("STOPPED", 0, stopCode="EssentialContainerExited"))
    stub.add_response("update_service", {"service": service(TD_B, deployment("dep-b", TD_B, "IN_PROGRESS"))})
    stub.add_response("describe_services", {"services": [service(TD_B, deployment("dep-b", TD_B, "COMPLETED"))]})
    stub.add_response("tag_resource", {})

    outcome = run(client, pre_deploy_task=MIGRATION)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["pre_deploy_task"]["exit_code"] == 0 and outcome.result["rollout_state"] == "COMPLETED"
    assert calls.index("RunTask") < calls.index("UpdateService")


def test_a_pre_deploy_task_that_outlasts_its_wait_is_stopped_and_fails_the_run(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_until_register(stub, service(TD_A, deployment("dep-a", TD_A, "COMPLETED")))
    queue_migration(stub, one_off("RUNNING"), one_off("RUNNING"))
    reason = "devops-fargate/pre-deploy: timed out after 1 s; last seen: task 1111111111111111aaaaaaaaaaaaaaaa RUNNING"
    stub.add_response("stop_task", {"task": one_off("STOPPING")}, {"cluster": "c", "task": ONE_OFF, "reason": reason})

    outcome = run(client, pre_deploy_task=dict(MIGRATION, wait_timeout=1))

    assert isinstance(outcome, Failed) and "timed out" in outcome.result["msg"]
    assert "UpdateService" not in calls and calls.count("StopTask") == 1


def queue_same_revision(stub) -> None:
    """The reads of a service whose running revision is the one asked for (PARAMS): no new code."""
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))]})
    same = dict(copy.deepcopy(TASK_DEFINITION_A), memory="1024")
    stub.add_response("describe_task_definition", {"taskDefinition": same, "tags": []}, {"taskDefinition": TD_A, "include": ["TAGS"]})


def test_settings_alone_run_no_pre_deploy_task(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_same_revision(stub)
    stub.add_response("update_service", {"service": service(TD_A, deployment("dep-a2", TD_A, "IN_PROGRESS"))})
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-a2", TD_A, "COMPLETED"))]})

    outcome = run(client, pre_deploy_task=MIGRATION, desired_count=3)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert "pre_deploy_task" not in outcome.result and "RunTask" not in calls


def test_a_pre_deploy_task_run_by_the_caller_stops_the_run_before_any_write(ecs):
    """run_by caller (the local engine runs it): with new code, the run plans the revision, writes nothing (not even
    the registration) and says which task to run; the second run (no pre_deploy_task) registers and rolls."""
    client, stub = ecs
    calls = sent(client)
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))]},
                      {"cluster": "c", "services": ["web"], "include": ["TAGS"]})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []}, {"taskDefinition": TD_A, "include": ["TAGS"]})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []}, {"taskDefinition": "web", "include": ["TAGS"]})

    outcome = run(client, pre_deploy_task=dict(MIGRATION, run_by="caller"))

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["pre_deploy_task"] == {"container": "web", "command": ["flask", "db", "upgrade"], "task_arn": None,
                                                 "exit_code": None, "state": "PENDING"}
    assert outcome.result["registered"] is False and outcome.result["task_definition_arn"] is None
    assert outcome.result["previous_task_definition_arn"] == TD_A and "task_definition.memory" in outcome.result["changes"]
    assert outcome.result["changed"] is False and outcome.result["deployment_started"] is False
    assert [call for call in calls if not call.startswith("Describe")] == [], "no write at all"


def test_a_pre_deploy_task_run_by_the_caller_is_one_run_when_there_is_no_new_code(ecs):
    client, stub = ecs
    calls = sent(client)
    queue_same_revision(stub)

    outcome = run(client, pre_deploy_task=dict(MIGRATION, run_by="caller"))

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert "pre_deploy_task" not in outcome.result and outcome.result["changed"] is False
    assert calls == ["DescribeServices", "DescribeTaskDefinition"], "nothing read twice"


def test_a_pre_deploy_task_run_by_the_caller_stops_the_same_way_in_check_mode(ecs):
    """So that check mode predicts the same tasks as the real run: the stop, the task, the second run."""
    client, stub = ecs
    calls = sent(client)
    stub.add_response("describe_services", {"services": [service(TD_A, deployment("dep-a", TD_A, "COMPLETED"))]})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []}, {"taskDefinition": TD_A, "include": ["TAGS"]})
    stub.add_response("describe_task_definition", {"taskDefinition": TASK_DEFINITION_A, "tags": []}, {"taskDefinition": "web", "include": ["TAGS"]})
    module = ModuleStandIn(**dict(PARAMS, pre_deploy_task=dict(MIGRATION, run_by="caller")))
    module.check_mode = True
    with pytest.raises((Failed, Exited)) as raised:
        deploy.run(module, client)
    outcome = raised.value

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["pre_deploy_task"]["state"] == "PENDING" and outcome.result["changed"] is False
    assert not [call for call in calls if not call.startswith("Describe")]
