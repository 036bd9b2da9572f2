"""deploy.yml with ECS's deployment strategies, through the reshaping proxy: real-shaped answers, and the
service-deployments API moto lacks (the proxy keeps ECS's record of each deployment, support/records.py).

One copy of the project (names rel-strategy, port 18088), behind a load balancer that exists only in the service's
definition (moto runs no tasks and checks no target group): a canary from the first deploy, a rerun that changes
nothing, then a switch to blue/green and to linear, each read back from moto.
"""

from __future__ import annotations

import json

from devkit.helpers import task_result
from devkit.helpers import writes
from support.deployed import Deployed

NAME = "rel-strategy"
PORT = 18088
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/rel-strategy-{}/0123456789abcdef"
ADVANCED = {
    "alternateTargetGroupArn": TG.format("green"),
    "productionListenerRule": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/rel-strategy/0123456789abcdef/0123456789abcdef/1",
    "roleArn": "arn:aws:iam::123456789012:role/rel-strategy-load-balancers",
}
BALANCERS = [{"targetGroupArn": TG.format("blue"), "containerName": "web", "containerPort": 8000, "advancedConfiguration": ADVANCED}]
CANARY = {"type": "canary", "canary_percent": 10, "canary_bake_time": 5}

project = Deployed.fixture(NAME, PORT)


def deploy(project, strategy: dict) -> dict:
    settings = {"fargate_load_balancers": BALANCERS, "fargate_deployment_strategy": strategy}
    return project.run("deploy.yml", "-e", json.dumps(settings))


ROLLOUT_TASK = "devops.fargate.fargate : Register the revision if needed and roll the service"


def rollout_result(report: dict) -> dict:
    return task_result(report, ROLLOUT_TASK)


def test_a_canary_is_deployed_read_from_ecs_record_and_a_rerun_changes_nothing(project):
    project.proxy.reset_counts()
    first = rollout_result(deploy(project, CANARY))
    assert first["rollout_state"] == "COMPLETED" and first["deployment_strategy"] == "CANARY"
    assert first["service_deployment_arn"], "the rollout is read from ECS's record (the proxy keeps it for moto)"
    assert project.proxy.served["DescribeServiceDeployments"] >= 1
    service = project.service()
    configuration = service["deploymentConfiguration"]
    assert (configuration["strategy"], configuration["canaryConfiguration"]) == ("CANARY", {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5})
    assert service["loadBalancers"][0]["advancedConfiguration"] == ADVANCED

    project.moto.start_recording()
    again = deploy(project, CANARY)
    assert again["changed_tasks"] == [] and writes(project.moto.recorded_actions()) == []
    assert rollout_result(again)["deployment_strategy"] == "CANARY"


def test_switching_strategy_updates_the_service_in_place_and_drops_the_canary_settings(project):
    result = rollout_result(deploy(project, {"type": "blue_green", "bake_time": 10}))
    assert result["changed"] and result["changes"] == ["service.deploymentConfiguration"] and not result["registered"]
    configuration = project.service()["deploymentConfiguration"]
    assert (configuration["strategy"], configuration["bakeTimeInMinutes"]) == ("BLUE_GREEN", 10)
    assert "canaryConfiguration" not in configuration

    result = rollout_result(deploy(project, {"type": "linear", "linear_step_percent": 50, "linear_step_bake_time": 1}))
    assert result["deployment_strategy"] == "LINEAR" and result["rollout_state"] == "COMPLETED"
    assert project.service()["deploymentConfiguration"]["linearConfiguration"] == {"stepPercent": 50.0, "stepBakeTimeInMinutes": 1}


ROLLBACK_TASK = "Return the service to the previous good revision"
OUR_TAGS = ["devops-fargate:last-good", "devops-fargate:previous-good", "devops-fargate:rolled-back-from"]


def test_an_on_demand_rollback_takes_the_revision_before_from_ecs_record_not_the_tags(project):
    """rollback.yml on a service whose good-revision tags are gone (as when it was adopted from another tool): the
    revision before comes from ECS's record of its successful deployments (ListServiceDeployments, kept by the proxy);
    a retried rollback changes nothing."""
    before = project.service().get("taskDefinition") or rollout_result(project.run("deploy.yml"))["task_definition_arn"]  # run alone
    newer = rollout_result(project.run("deploy.yml", "-e", json.dumps({"fargate_environment": {"ROLLBACK_PROBE": "1"}})))
    assert newer["registered"] and newer["task_definition_arn"] != before
    ecs = project.moto.client("ecs")
    ecs.untag_resource(resourceArn=project.service()["serviceArn"], tagKeys=OUR_TAGS)
    project.proxy.reset_counts()

    back = task_result(project.run("playbooks/rollback.yml", "-e", "run_local_enabled=false"), ROLLBACK_TASK)
    assert back["changed"] and back["rolled_back"] and back["task_definition_arn"] == before
    assert project.service()["taskDefinition"] == before
    assert project.proxy.served["ListServiceDeployments"] == 1 and project.proxy.served["DescribeServiceRevisions"] >= 1

    again = task_result(project.run("playbooks/rollback.yml", "-e", "run_local_enabled=false"), ROLLBACK_TASK)
    assert not again["changed"] and again["task_definition_arn"] == before


MIGRATE = {"command": ["python3", "-m", "webapp.migrate"], "wait_timeout": 60}
RUN_TASK_ON_THE_PROXY = "RunTask"


def test_a_failing_pre_deploy_task_stops_the_run_before_the_service_changes_and_a_passing_one_lets_it_roll(project):
    """fargate_pre_deploy_task (a migration) on a run that brings new code: the proxy runs the one-off task (moto runs
    none to its end). Exit 1 fails the run with the exit code, the service untouched; exit 0 lets the rollout go on;
    a rerun with nothing new runs no task."""
    before = project.service().get("taskDefinition") or rollout_result(project.run("deploy.yml"))["task_definition_arn"]  # run alone
    settings = {"fargate_pre_deploy_task": MIGRATE, "fargate_environment": {"MIGRATION_PROBE": "1"}}
    project.proxy.reset_counts()
    project.proxy.records.one_off_exit_code = 1
    try:
        failed = project.run("deploy.yml", "-e", json.dumps(settings), check=False)
    finally:
        project.proxy.records.one_off_exit_code = 0
    assert failed["rc"] != 0
    assert any("pre_deploy_task failed" in message and "exit code 1" in message for message in failed["failures"]), failed["failures"]
    assert project.service()["taskDefinition"] == before, "the service was not changed"
    assert project.proxy.served[RUN_TASK_ON_THE_PROXY] == 1

    passed = rollout_result(project.run("deploy.yml", "-e", json.dumps(settings)))
    assert passed["pre_deploy_task"]["exit_code"] == 0 and passed["pre_deploy_task"]["state"] == "COMPLETED"
    assert project.service()["taskDefinition"] == passed["task_definition_arn"] != before
    assert project.proxy.served[RUN_TASK_ON_THE_PROXY] == 2

    again = project.run("deploy.yml", "-e", json.dumps(settings))
    assert again["changed_tasks"] == [] and project.proxy.served[RUN_TASK_ON_THE_PROXY] == 2, "nothing new: no task"
