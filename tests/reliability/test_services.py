"""deploy.yml with several services (fargate_services): the web service and its worker from one image, the migration
first on the local engine, all or nothing, through the reshaping proxy.

One copy of the project (names rel-services and rel-services-worker, port 18090), as the local inventory has it: the
worker runs `python3 -m webapp.worker` with no port, and the migration (`python3 -m webapp.migrate`) runs on the
local engine before any service changes. Every assertion on the stack reads moto directly.
"""

from __future__ import annotations

import json

from devkit.helpers import task_result
from devkit.helpers import writes
from support.deployed import Deployed

NAME = "rel-services"
WORKER = f"{NAME}-worker"
PORT = 18090
MIGRATE = {"command": ["python3", "-m", "webapp.migrate"]}
SERVICES = [
    {"name": NAME},
    {"name": WORKER, "container_name": "worker", "command": ["python3", "-m", "webapp.worker"], "container_port": None, "health_check": None},
]
ENVIRONMENT = {"fargate_services": SERVICES, "fargate_pre_deploy_task": MIGRATE, "fargate_pre_deploy_engine": "local"}
ONE_OFF_TASK = "devops.fargate.fargate : Run the one-off task on the local engine and wait for it to stop"
SUMMARY_TASK = "Summarise the run"
ROLLOUT_TASK = "devops.fargate.fargate : Register the revision if needed and roll the service"
# On the local engine with new code, the rollout stops for the one-off task and this one rolls the service.
AFTER_ONE_OFF_TASK = "devops.fargate.fargate : Roll the service, now that the one-off task ran"

project = Deployed.fixture(NAME, PORT)


def deploy(project, check: bool = True, **settings) -> dict:
    return project.run("deploy.yml", "-e", json.dumps({**ENVIRONMENT, **settings}), check=check)


def services(project) -> dict:
    answer = project.moto.client("ecs").describe_services(cluster=NAME, services=[NAME, WORKER])["services"]
    return {service["serviceName"]: service for service in answer}


def containers(project, arn: str) -> list[dict]:
    return project.moto.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"]


def task_names(report: dict) -> list[str]:
    return [task["task"]["name"] for play in report["plays"] for task in play["tasks"]]


def changed_rollouts(report: dict) -> list[tuple[int, dict]]:
    """Each rollout task that changed a service, with its place among the run's tasks, in order."""
    tasks = [task for play in report["plays"] for task in play["tasks"]]
    return [(i, task["hosts"]["localhost"]) for i, task in enumerate(tasks)
            if task["task"]["name"] in (ROLLOUT_TASK, AFTER_ONE_OFF_TASK) and task["hosts"]["localhost"].get("changed")]


def test_two_services_from_one_image_the_migration_first_and_a_rerun_changes_nothing(project):
    report = deploy(project)
    deployed = services(project)
    assert set(deployed) == {NAME, WORKER}
    web, worker = (containers(project, deployed[name]["taskDefinition"]) for name in (NAME, WORKER))
    assert web[0]["image"] == worker[0]["image"] and "@sha256:" in web[0]["image"], "one image, pinned by digest"
    assert worker[0]["name"] == "worker" and worker[0]["command"] == ["python3", "-m", "webapp.worker"]
    assert not worker[0].get("portMappings") and "healthCheck" not in worker[0]
    assert worker[0]["logConfiguration"]["options"]["awslogs-stream-prefix"] == WORKER

    migration = task_result(report, ONE_OFF_TASK)
    assert migration["status"] == 0 and "migration" in migration["container"]["Output"].lower(), migration["container"].get("Output")
    names = task_names(report)
    assert names.index(ONE_OFF_TASK) < changed_rollouts(report)[0][0], "before any service changes"
    summary = task_result(report, SUMMARY_TASK)["msg"]
    assert set(summary["services"]) == {NAME, WORKER} and all("(registered), COMPLETED (started)" in line for line in summary["services"].values())
    assert summary["pre_deploy_task"] == "exit code 0 (local engine)"

    project.moto.start_recording()
    again = deploy(project)
    assert again["changed_tasks"] == [] and writes(project.moto.recorded_actions()) == [], "a no-op of the whole environment"
    assert ONE_OFF_TASK not in task_names(again) or task_result(again, ONE_OFF_TASK).get("skipped"), "no new code: no migration"
    assert task_result(again, SUMMARY_TASK)["msg"]["pre_deploy_task"].startswith("not run")


def test_a_failing_migration_stops_the_run_before_any_service_changes(project):
    before = {name: service["taskDefinition"] for name, service in services(project).items()}
    revisions = project.revisions()
    project.moto.start_recording()
    failed = deploy(project, check=False, fargate_pre_deploy_task={"command": ["python3", "-c", "import sys; print('schema broken'); sys.exit(3)"]},
                    fargate_environment={"RELEASE_PROBE": "1"})
    assert failed["rc"] != 0
    message = failed["failures"][-1]
    assert f"service {NAME} failed" in message and "exited 3 on the local engine" in message and "schema broken" in message, message
    assert writes(project.moto.recorded_actions()) == [], "no write at all"
    assert {name: service["taskDefinition"] for name, service in services(project).items()} == before
    assert project.revisions() == revisions


def test_the_second_service_failing_returns_the_first_to_its_revision_before_the_run(project):
    """The worker's own one-off task fails (the proxy runs it, exit 1) after the web service has rolled: the web
    service goes back to the revision it ran before the run, and the run fails naming the worker and why."""
    before = {name: service["taskDefinition"] for name, service in services(project).items()}
    worker = dict(SERVICES[1], pre_deploy_task={"command": ["python3", "-m", "webapp.migrate"], "wait_timeout": 60})
    project.proxy.records.one_off_exit_code = 1
    try:
        failed = deploy(project, check=False, fargate_services=[SERVICES[0], worker], fargate_environment={"RELEASE_PROBE": "2"})
    finally:
        project.proxy.records.one_off_exit_code = 0
    assert failed["rc"] != 0
    rolled = changed_rollouts(failed)
    assert rolled and rolled[0][1]["invocation"]["module_args"]["service"] == NAME, "the web service rolled first"
    web_new = rolled[0][1]["task_definition_arn"]
    assert web_new != before[NAME]
    message = failed["failures"][-1]
    assert message.startswith(f"service {WORKER} failed: ") and "pre_deploy_task failed" in message, message
    assert f"{NAME}: returned to {before[NAME]}, its revision before this run" in message, message
    after = {name: service["taskDefinition"] for name, service in services(project).items()}
    assert after == before, "all or nothing: both services run what they ran before the run"

    # Once the worker's task passes, the same run rolls both.
    passed = deploy(project, fargate_services=[SERVICES[0], worker], fargate_environment={"RELEASE_PROBE": "2"})
    summary = task_result(passed, SUMMARY_TASK)["msg"]["services"]
    assert all("COMPLETED" in line for line in summary.values()), summary
    assert services(project)[NAME]["taskDefinition"] == web_new


WAIT_TASK = "devops.fargate.fargate : Wait for every service's rollout"


def test_in_parallel_every_rollout_starts_at_once_and_a_failure_returns_the_others(project):
    """fargate_services_parallel: both rollouts are started (async jobs) before either is waited for; the worker's
    one-off task fails, so the web service, rolled meanwhile, goes back. Then both roll, and a rerun changes nothing."""
    before = {name: service["taskDefinition"] for name, service in services(project).items()}
    worker = dict(SERVICES[1], pre_deploy_task={"command": ["python3", "-m", "webapp.migrate"], "wait_timeout": 60})
    settings = {"fargate_services": [SERVICES[0], worker], "fargate_services_parallel": True, "fargate_environment": {"RELEASE_PROBE": "3"}}
    project.proxy.records.one_off_exit_code = 1
    try:
        failed = deploy(project, check=False, **settings)
    finally:
        project.proxy.records.one_off_exit_code = 0
    assert failed["rc"] != 0
    names = task_names(failed)
    started = [task["hosts"]["localhost"] for play in failed["plays"] for task in play["tasks"] if task["task"]["name"] == ROLLOUT_TASK]
    assert len(started) == 2 and all(result.get("ansible_job_id") and not result.get("finished") for result in started), started
    assert max(i for i, name in enumerate(names) if name == ROLLOUT_TASK) < names.index(WAIT_TASK), "both started before any wait"
    message = failed["failures"][-1]
    assert message.startswith(f"service {WORKER} failed: ") and "pre_deploy_task failed" in message, message
    assert f"{NAME}: returned to {before[NAME]}" in message, message
    assert {name: service["taskDefinition"] for name, service in services(project).items()} == before

    passed = deploy(project, **settings)
    assert all("COMPLETED" in line for line in task_result(passed, SUMMARY_TASK)["msg"]["services"].values())
    assert all(service["taskDefinition"] != before[name] for name, service in services(project).items())
    project.moto.start_recording()
    again = deploy(project, **settings)
    assert again["changed_tasks"] == [] and writes(project.moto.recorded_actions()) == [], "a parallel no-op writes nothing"
