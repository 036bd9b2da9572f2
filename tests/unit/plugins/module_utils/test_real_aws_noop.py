"""ecs_deploy's Deployer against answers shaped like real AWS's (fixtures/real_aws), not moto's.

Real DescribeServices and DescribeTaskDefinition answers carry members moto leaves out
(deploymentConfiguration.alarms, strategy, bakeTimeInMinutes, availabilityZoneRebalancing,
versionConsistency, enableFaultInjection, ...). A run with nothing to change must stay a no-op
with them: no write call, changed=False. A botocore client with Stubber answers; a call with no
queued answer fails the test, so "no write" is checked by the Stubber itself.
"""

from __future__ import annotations

import copy

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.deploy import Deployer
from test_deploy_rollout import Exited
from test_deploy_rollout import Failed
from test_deploy_rollout import ModuleStandIn
from test_real_aws_corpus import load_answer

ACCOUNT_ARN = "arn:aws:ecs:eu-west-1:123456789012"
CLUSTER = "fargate-production"
SERVICE = "fargate-demo"
FAMILY = "fargate-demo"
TD = f"{ACCOUNT_ARN}:task-definition/{FAMILY}:"
SERVICE_ARN = f"{ACCOUNT_ARN}:service/{CLUSTER}/{SERVICE}"
REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fargate-demo"
DIGEST = "sha256:48da807a526d693dcb94584fc0ee44cb145bd1ef016938629d838c9ef62f9b9e"
WRITES = {"CreateService", "UpdateService", "DeleteService", "RegisterTaskDefinition", "DeregisterTaskDefinition", "TagResource", "UntagResource"}

# The module's options as roles/fargate passes them for inventories/production (desired_count set: autoscaling off).
PARAMS = dict(
    cluster=CLUSTER,
    service=SERVICE,
    family=FAMILY,
    cpu=512,
    memory=1024,
    container_definitions=[
        {
            "name": "web",
            "image": f"{REPOSITORY}:1.4.2",
            "essential": True,
            "portMappings": [{"containerPort": 8000, "protocol": "tcp"}],
            "environment": [{"name": "FLASK_SERVICE_NAME", "value": "fargate-demo"}, {"name": "GUNICORN_WORKERS", "value": "3"}],
            "secrets": [],
            "healthCheck": {"command": ["CMD", "python3", "-m", "webapp.healthcheck"], "interval": 15, "timeout": 5, "retries": 3, "startPeriod": 10},
            "stopTimeout": 30,
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": "/ecs/fargate-demo", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "fargate-demo"},
            },
        }
    ],
    execution_role_arn="arn:aws:iam::123456789012:role/fargate-demo-execution",
    image_digests={"web": DIGEST},
    image_update_mode="pin",
    desired_count=2,
    subnets=["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"],
    security_groups=["sg-0c3d4e5f607182930"],
    assign_public_ip=False,
    platform_version="LATEST",
    circuit_breaker=True,
    load_balancers=[],
    health_check_grace_period_seconds=0,
    service_tags={"service": "fargate-demo", "environment": "production"},
    task_definition_tags={"service": "fargate-demo", "environment": "production"},
    wait=True,
    wait_timeout=5,
    wait_delay=1,
    rollback_on_failure=True,
    keep_revisions=20,
)
DESCRIBE_SERVICE = {"cluster": CLUSTER, "services": [SERVICE], "include": ["TAGS"]}


def without_alarms(answer: dict) -> dict:
    """The same service created through the API without alarms: AWS then leaves the alarms block out."""
    answer = copy.deepcopy(answer)
    for service in answer.get("services") or [answer.get("service")]:
        service["deploymentConfiguration"].pop("alarms")
    return answer


def completed(service_answer: dict) -> dict:
    """A DescribeServices answer: the service of ``service_answer`` with its PRIMARY deployment COMPLETED."""
    service = copy.deepcopy(service_answer["service"])
    for deployment in service["deployments"]:
        if deployment["status"] == "PRIMARY":
            deployment.update(rolloutState="COMPLETED", runningCount=deployment["desiredCount"] or service["desiredCount"])
            deployment["desiredCount"] = deployment["runningCount"]
    service["deployments"] = [d for d in service["deployments"] if d["status"] == "PRIMARY"]
    service["runningCount"] = service["desiredCount"]
    return {"services": [service], "failures": []}


def with_revision(answer: dict, revision: int, **changes) -> dict:
    answer = copy.deepcopy(answer)
    answer["taskDefinition"].update(taskDefinitionArn=f"{TD}{revision}", revision=revision, **changes)
    return answer


def run(client, check_mode: bool = False, **params):
    module = ModuleStandIn(**dict(PARAMS, **params))
    module.check_mode = check_mode
    deployer = Deployer(module, client)
    with pytest.raises((Failed, Exited)) as outcome:
        deployer.exit(deployer.deploy())
    return outcome.value


def queue_unchanged_service(stubber, services_answer: dict) -> None:
    stubber.add_response("describe_services", services_answer, DESCRIBE_SERVICE)
    stubber.add_response("describe_task_definition", load_answer("ecs.DescribeTaskDefinition.json"), {"taskDefinition": f"{TD}7", "include": ["TAGS"]})


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check_mode"])
@pytest.mark.parametrize("shape", ["as_described", "without_alarms"])
def test_unchanged_service_with_real_answers_is_a_no_op(client, stubber, calls, check_mode, shape):
    answer = load_answer("ecs.DescribeServices.json")
    queue_unchanged_service(stubber, answer if shape == "as_described" else without_alarms(answer))

    outcome = run(client, check_mode=check_mode)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["changes"] == [] and outcome.result["changed"] is False
    assert outcome.result["registered"] is False and outcome.result["task_definition_arn"] == f"{TD}7"
    assert outcome.result["deployment_started"] is False and outcome.result["rollout_state"] == "COMPLETED"
    assert calls == ["DescribeServices", "DescribeTaskDefinition"]
    stubber.assert_no_pending_responses()


def test_create_writes_the_service_once(client, stubber, calls):
    """A new service: one RegisterTaskDefinition, one CreateService, and no UpdateService to 'fix' what AWS added."""
    missing = {"services": [], "failures": [{"arn": SERVICE_ARN, "reason": "MISSING"}]}
    stubber.add_response("describe_services", missing, DESCRIBE_SERVICE)
    stubber.add_client_error(
        "describe_task_definition", service_error_code="ClientException", service_message="Unable to describe task definition.", http_status_code=400
    )
    registered = with_revision(load_answer("ecs.RegisterTaskDefinition.json"), 1, memory="1024")
    stubber.add_response("register_task_definition", registered)
    created = load_answer("ecs.CreateService.json")
    stubber.add_response("create_service", created)
    stubber.add_response("describe_services", completed(created), DESCRIBE_SERVICE)
    stubber.add_response("tag_resource", {}, {"resourceArn": SERVICE_ARN, "tags": [{"key": "devops-fargate:last-good", "value": f"{TD}1"}]})
    stubber.add_response("list_task_definitions", {"taskDefinitionArns": [f"{TD}1"]})

    outcome = run(client)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["registered"] is True and outcome.result["rollout_state"] == "COMPLETED"
    assert [call for call in calls if call in WRITES] == ["RegisterTaskDefinition", "CreateService", "TagResource"]
    stubber.assert_no_pending_responses()


def test_a_real_change_registers_one_revision_and_updates_only_the_task_definition(client, stubber, calls):
    """memory 1024 -> 2048: the comparison still sees a change through all the fields AWS adds."""
    queue_unchanged_service(stubber, load_answer("ecs.DescribeServices.json"))
    stubber.add_response("describe_task_definition", load_answer("ecs.DescribeTaskDefinition.json"), {"taskDefinition": FAMILY, "include": ["TAGS"]})
    previous_good = with_revision(load_answer("ecs.DescribeTaskDefinition.json"), 6, memory="1024")
    stubber.add_response("describe_task_definition", previous_good, {"taskDefinition": f"{TD}6", "include": ["TAGS"]})
    stubber.add_response("register_task_definition", load_answer("ecs.RegisterTaskDefinition.json"))
    updated = load_answer("ecs.UpdateService.json")
    stubber.add_response("update_service", updated, {"cluster": CLUSTER, "service": SERVICE, "taskDefinition": f"{TD}8"})
    stubber.add_response("describe_services", completed(updated), DESCRIBE_SERVICE)
    stubber.add_response(
        "tag_resource",
        {},
        {
            "resourceArn": SERVICE_ARN,
            "tags": [{"key": "devops-fargate:last-good", "value": f"{TD}8"}, {"key": "devops-fargate:previous-good", "value": f"{TD}7"}],
        },
    )
    stubber.add_response("list_task_definitions", load_answer("ecs.ListTaskDefinitions.json"))

    outcome = run(client, memory=2048)

    assert isinstance(outcome, Exited), outcome.result.get("msg")
    assert outcome.result["registered"] is True and outcome.result["task_definition_arn"] == f"{TD}8"
    assert outcome.result["changes"] == ["task_definition.memory", "service.taskDefinition"]
    assert [call for call in calls if call in WRITES] == ["RegisterTaskDefinition", "UpdateService", "TagResource"]
    stubber.assert_no_pending_responses()
