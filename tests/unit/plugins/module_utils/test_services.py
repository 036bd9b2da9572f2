"""fargate_services: each service's ecs_deploy arguments from the single-service ones, and what an all-or-nothing
rollback returns where (plugins/module_utils/services.py, through the role's filters)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.devops.fargate.plugins.filter.fargate_environment_failure import fargate_environment_failure
from ansible_collections.devops.fargate.plugins.filter.fargate_rollout_line import fargate_rollout_line
from ansible_collections.devops.fargate.plugins.filter.fargate_services import fargate_services
from ansible_collections.devops.fargate.plugins.filter.fargate_services_restore import fargate_services_restore

WEB = {
    "name": "web",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo:1.0.0",
    "essential": True,
    "portMappings": [{"containerPort": 8000, "protocol": "tcp"}],
    "environment": [{"name": "FLASK_SERVICE_NAME", "value": "demo"}],
    "secrets": [],
    "healthCheck": {"command": ["CMD", "python3", "-m", "webapp.healthcheck"], "interval": 15},
    "stopTimeout": 30,
    "logConfiguration": {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/demo", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "demo"},
    },
}
BASE = {
    "cluster": "demo",
    "service": "demo",
    "family": "demo",
    "cpu": 256,
    "memory": 512,
    "container_definitions": [WEB],
    "image_digests": {"web": "sha256:" + "a" * 64},
    "image_update_mode": "pin",
    "desired_count": 2,
    "subnets": ["subnet-0"],
    "security_groups": [],
    "assign_public_ip": False,
    "platform_version": "LATEST",
    "circuit_breaker": True,
    "alarms": {"names": ["demo-5xx"], "rollback": True},
    "deployment_strategy": None,
    "pre_deploy_task": {"command": ["python3", "-m", "webapp.migrate"]},
    "load_balancers": [
        {
            "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo/0123456789abcdef",
            "containerName": "web",
            "containerPort": 8000,
        }
    ],
    "health_check_grace_period_seconds": 30,
    "tags": {},
    "task_definition_tags": {},
    "purge_tags": True,
    "wait": True,
    "wait_timeout": 900,
    "wait_delay": 10,
    "rollback_on_failure": True,
    "keep_revisions": 20,
}
SETTINGS = {"desired_count": 2, "min_capacity": 1, "max_capacity": 0, "cpu_target": 60, "verify_url": "https://demo.example.com"}
WORKER = {"name": "demo-worker", "container_name": "worker", "command": ["python3", "-m", "webapp.worker"], "container_port": None,
          "health_check": None, "environment": {"FLASK_WORKER_INTERVAL": 30}, "desired_count": 1}


def test_no_services_is_the_single_service_as_a_one_service_list():
    [plan] = fargate_services([], BASE, SETTINGS)
    assert plan["name"] == "demo" and plan["args"] == BASE and plan["verify_url"] == "https://demo.example.com"
    assert plan["scaling"] == {"min_capacity": 1, "max_capacity": 0, "cpu_target": 60}


def test_the_first_service_inherits_everything_and_a_later_one_all_but_what_belongs_to_one_service():
    web, worker = fargate_services([{"name": "demo"}, WORKER], BASE, SETTINGS)
    assert web["args"] == BASE and web["verify_url"] == "https://demo.example.com"
    args = worker["args"]
    assert (args["service"], args["family"], args["cluster"], args["desired_count"]) == ("demo-worker", "demo-worker", "demo", 1)
    [container] = args["container_definitions"]
    assert container["name"] == "worker" and container["command"] == ["python3", "-m", "webapp.worker"]
    assert "portMappings" not in container and "healthCheck" not in container
    assert container["environment"] == [{"name": "FLASK_SERVICE_NAME", "value": "demo"}, {"name": "FLASK_WORKER_INTERVAL", "value": "30"}]
    assert container["image"] == WEB["image"] and args["image_digests"] == {"worker": BASE["image_digests"]["web"]}
    assert container["logConfiguration"]["options"]["awslogs-stream-prefix"] == "demo-worker"
    # One service's own: the worker is not behind the web's load balancer, has no alarms, no migration, no check.
    assert args["load_balancers"] == [] and args["alarms"] is None and args["pre_deploy_task"] is None
    assert args["health_check_grace_period_seconds"] == 0 and worker["verify_url"] == "" and worker["scaling"]["max_capacity"] == 0
    assert WEB["name"] == "web" and "portMappings" in WEB, "the base container is not changed"


def test_a_service_with_its_own_image_and_autoscaling():
    api = {"name": "api", "image_repository": "registry.example.com/api", "image_tag": "2.0", "max_capacity": 4, "min_capacity": 2}
    other = fargate_services([{"name": "demo"}, api], BASE, SETTINGS)[1]
    assert other["args"]["container_definitions"][0]["image"] == "registry.example.com/api:2.0"
    assert other["args"]["image_digests"] == {} and other["args"]["desired_count"] is None
    assert other["scaling"] == {"min_capacity": 2, "max_capacity": 4, "cpu_target": 60}


@pytest.mark.parametrize(
    "services, message",
    [
        ({"name": "x"}, "fargate_services: must be a list of services, got dict"),
        (["web"], "fargate_services[0]: must be a dict with at least a name, got str"),
        ([{"name": "web"}, {"name": "web"}], "fargate_services[1].name: web is listed twice"),
        ([{"name": "bad name"}], "fargate_services[0].name: must be an ECS service name"),
        ([{"name": "web", "prot": 80}], "fargate_services[0]: unknown key(s) prot; known: name, family"),
        ([{"name": "web", "command": "python3 -m x"}], "fargate_services[0].command: must be a list of strings"),
    ],
)
def test_a_malformed_list_names_the_entry_and_the_rule(services, message):
    [plan] = fargate_services(services, BASE, SETTINGS, check=True)
    assert any(message in error for error in plan["errors"]), plan["errors"]
    with pytest.raises(AnsibleFilterError, match="fargate_services"):
        fargate_services(services, BASE, SETTINGS)


def test_each_service_is_checked_as_the_module_checks_it_and_named():
    plans = fargate_services([{"name": "demo"}, {"name": "demo-worker", "cpu": 256, "memory": 4096}], BASE, SETTINGS, check=True)
    assert plans[0]["errors"] == []
    assert plans[1]["errors"] and all(error.startswith("fargate_services[1] (demo-worker): ") for error in plans[1]["errors"])
    assert "memory" in plans[1]["errors"][0]
    assert fargate_services([], BASE, SETTINGS, check=True)[0]["errors"] == [], "one service: the messages as before, no prefix"


def rolled(service, previous, current, changed=True):
    return {"service": service, "previous_task_definition_arn": previous, "task_definition_arn": current, "changed": changed}


def test_the_services_rolled_before_the_failure_go_back_newest_first():
    results = [rolled("web", "td/web:3", "td/web:4"), rolled("api", "td/api:1", "td/api:1"), rolled("cron", None, "td/cron:1"),
               rolled("idle", "td/idle:2", "td/idle:2", changed=False), rolled("worker", "td/worker:6", "td/worker:7")]
    assert fargate_services_restore(results, "worker") == [{"service": "cron", "rollback_to": None}, {"service": "web", "rollback_to": "td/web:3"}]
    # A later step of the last one failed (its check): it goes back too.
    assert fargate_services_restore(results, "")[0] == {"service": "worker", "rollback_to": "td/worker:6"}


def test_the_failure_names_the_service_why_and_where_each_other_one_is():
    restore = [{"service": "cron", "rollback_to": None}, {"service": "web", "rollback_to": "td/web:3"}, {"service": "api", "rollback_to": "td/api:1"}]
    results = [{"item": restore[1], "changed": True, "rollout_state": "COMPLETED"}, {"item": restore[2], "failed": True, "msg": "AccessDenied"}]
    message = fargate_environment_failure("worker", "rollout failed: tasks stopped", restore, results)
    assert message.startswith("service worker failed: rollout failed: tasks stopped; all or nothing")
    assert "cron: created by this run, left in place" in message
    assert "web: returned to td/web:3, its revision before this run (COMPLETED)" in message
    assert "api: NOT returned to td/api:1: AccessDenied" in message
    assert fargate_environment_failure("web", "bad", [], []) == "service web failed: bad"


def test_the_summary_line():
    result = {"task_definition_arn": "arn:aws:ecs:us-east-1:123456789012:task-definition/demo:4", "registered": True, "rollout_state": "COMPLETED",
              "deployment_started": True}
    assert fargate_rollout_line(result) == "demo:4 (registered), COMPLETED (started)"
    assert fargate_rollout_line({}) == "(not deployed), -"


def test_in_parallel_the_failed_ones_and_those_not_waited_for_are_left_to_themselves():
    from ansible_collections.devops.fargate.plugins.filter.fargate_services_results import fargate_services_results

    waited = [
        {"item": {"service": "web", "ansible_job_id": "j1"}, "ansible_job_id": "j1", "finished": 1, "started": 1, "results_file": "/x",
         "changed": True, "previous_task_definition_arn": "td/web:3", "task_definition_arn": "td/web:4", "rollout_state": "COMPLETED"},
        {"item": {"service": "worker", "ansible_job_id": "j2"}, "ansible_job_id": "j2", "finished": 1, "failed": True, "msg": "rollout failed"},
    ]
    results = fargate_services_results(waited)
    assert results[0] == {"changed": True, "previous_task_definition_arn": "td/web:3", "task_definition_arn": "td/web:4",
                          "rollout_state": "COMPLETED", "service": "web"}
    assert results[1] == {"failed": True, "msg": "rollout failed", "service": "worker"}
    assert fargate_services_restore(results, ["worker"]) == [{"service": "web", "rollback_to": "td/web:3"}]
    assert fargate_services_restore(results) == [{"service": "web", "rollback_to": "td/web:3"}], "a failed result is never moved"
    started = [{"service": "api", "ansible_job_id": "j3", "started": 1, "finished": 0, "changed": True}]
    assert fargate_services_restore(started) == [], "started, not waited for: no result to go back from"
