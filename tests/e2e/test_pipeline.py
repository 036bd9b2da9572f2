"""deploy.yml end to end on the local stack, asserting on the stack's state.

The tests run in order on one copy of the project (a git repository of its own, so that a
one-line change gets a new version), under names of their own (e2e-demo), against a moto and a
registry of the tests' own (conftest.e2e_stack): what the README's `make deploy` runs (moto on
5051, the registry on 5050, its container on 8080) is left as it was. The project builds and runs on a dockerd of its
own (stack.PrivateDockerd): the one-layer assertion is about the build cache, and the classic builder, finding the
same step cached twice (the other suites build the same Dockerfile at the same time on the shared engine), may take
either chain.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from base64 import b64encode

import boto3
import pytest

from devkit.helpers import commit
from devkit.helpers import copy_project
from devkit.helpers import git
from devkit.helpers import project_names
from support import awscalls
from devkit.helpers import run_project
from support.stack import PrivateDockerd

# The tests' own moto and registry (conftest.e2e_stack), set when the project is made.
MOTO = ""
REGISTRY = ""
REGISTRY_ADDRESS = ""
AUTH = "Basic " + b64encode(b"AWS:123456789012-auth-token").decode()
NAME = "e2e-demo"
WORKER = f"{NAME}-worker"
PORT = 18081
EXTRA_VARS = project_names(NAME, PORT)
MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"


@pytest.fixture(scope="module")
def project(tmp_path_factory, e2e_stack):
    """A copy of the checkout with a git history of its own, deploying to the tests' own moto and registry."""
    global MOTO, REGISTRY, REGISTRY_ADDRESS  # pylint: disable=global-statement
    MOTO, REGISTRY, REGISTRY_ADDRESS = e2e_stack.moto_url, e2e_stack.registry_url, e2e_stack.registry_address
    dockerd = PrivateDockerd.with_base_image("e2e-pipe0", "10.213.48.1/24")
    # The local inventory as it is: the web service and its worker, the migration first on the local engine.
    root = copy_project(tmp_path_factory.mktemp("project") / "fargate", {**EXTRA_VARS, **e2e_stack.extra_vars(), **dockerd.extra_vars()}, services=True)
    # Every run of the module (and each docker command) on the module's engine; put back for the worker's next module.
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DOCKER_HOST", dockerd.host)
            yield root
    finally:
        # moto and the registry are the tests' own and go with the session; the engine, with its containers, goes here.
        dockerd.remove()


run = run_project


def aws(service_name: str):
    return boto3.client(service_name, endpoint_url=MOTO, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def ecs():
    return aws("ecs")


def ecr():
    return aws("ecr")


def revisions(family: str = NAME) -> list[str]:
    """The family's ACTIVE revisions (destroy deregisters them); the prefix also finds the worker's family."""
    arns = ecs().list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    return [arn for arn in arns if arn.rsplit("/", 1)[1].rsplit(":", 1)[0] == family]


def service() -> dict:
    return ecs().describe_services(cluster=NAME, services=[NAME])["services"][0]


def task_image() -> str:
    return ecs().describe_task_definition(taskDefinition=service()["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]["image"]


def registry(path: str, method: str = "GET"):
    request = urllib.request.Request(f"{REGISTRY}/v2/{NAME}/{path}", method=method, headers={"Authorization": AUTH, "Accept": MANIFEST_TYPES})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.headers, json.loads(body) if body else None


def registry_tags() -> list[str]:
    try:
        return sorted(registry("tags/list")[1].get("tags") or [])
    except urllib.error.HTTPError:
        return []


def manifest(tag: str) -> tuple[str, list[str]]:
    headers, body = registry(f"manifests/{tag}")
    return headers["Docker-Content-Digest"], [layer["digest"] for layer in body["layers"]]


def local(path: str) -> dict:
    for _ in range(30):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=3) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(1)
    raise AssertionError(f"nothing answers on 127.0.0.1:{PORT}{path}")


def moto_service_calls() -> list[str]:
    text = urllib.request.urlopen(f"{MOTO}/moto-api/recorder/download-recording", timeout=10).read().decode()
    targets = [json.loads(line).get("headers", {}).get("X-Amz-Target", "") for line in text.splitlines() if line.strip()]
    return [target.rsplit(".", 1)[-1] for target in targets if target]


def recorder(action: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{MOTO}/moto-api/recorder/{action}", method="POST"), timeout=10).read()


def test_fresh_deploy(project):
    assert revisions() == [] and registry_tags() == [], "the tests' own moto and registry start empty"

    report = run(project, "deploy.yml")

    version = git(project, "describe", "--tags", "--always", "--dirty")
    assert ecr().describe_repositories(repositoryNames=[NAME])["repositories"][0]["imageTagMutability"].startswith("IMMUTABLE")
    assert version in registry_tags()
    digest, _layers = manifest(version)
    assert len(revisions()) == 1, "one task-definition revision"
    assert task_image() == f"{REGISTRY_ADDRESS}/{NAME}@{digest}", "pinned to the pushed digest"
    assert service()["taskDefinition"] == revisions()[0]
    assert local("/health") == {"status": "ok"}
    assert local("/")["version"] == version
    assert report["stats"]["localhost"]["failures"] == 0
    # The worker, from the same image; the migration ran first, on the local engine.
    worker = ecs().describe_services(cluster=NAME, services=[WORKER])["services"][0]
    assert worker["taskDefinition"] == revisions(WORKER)[0] and len(revisions(WORKER)) == 1
    worker_container = ecs().describe_task_definition(taskDefinition=worker["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]
    assert worker_container["image"] == task_image() and worker_container["command"] == ["python3", "-m", "webapp.worker"]
    summary = next(task["hosts"]["localhost"]["msg"] for task in report["plays"][-1]["tasks"] if task["task"]["name"] == "Summarise the run")
    assert list(summary["services"]) == [NAME, WORKER] and summary["pre_deploy_task"] == "exit code 0 (local engine)", summary


ENSURE_TASKS = ("Ensure the cluster", "Ensure the log group, with its retention", "Ensure the task execution role",
                "Let the execution role read exactly its secrets")
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def skipped_tasks(report: dict) -> set[str]:
    """The names (without their role's prefix) of the tasks the run skipped."""
    return {task["task"]["name"].split(" : ", 1)[-1] for play in report["plays"] for task in play["tasks"] if task["hosts"].get("localhost", {}).get("skipped")}


def test_second_run_changes_nothing(project):
    before = (revisions(), registry_tags(), service()["deployments"][0]["id"])
    recorder("reset-recording")
    recorder("start-recording")
    report = run(project, "deploy.yml")
    recorder("stop-recording")
    # Each service read once: the local one-off task's question rides on the rollout's own run (run_by caller).
    assert moto_service_calls().count("DescribeServices") == 2, moto_service_calls()
    assert report["changed_tasks"] == [], report["changed_tasks"]
    assert report["stats"]["localhost"]["changed"] == 0
    assert (revisions(), registry_tags(), service()["deployments"][0]["id"]) == before
    # One read (fargate_prerequisites_info) found the cluster, log group, role and policy as wanted: their modules did not run.
    # It was the preflight's, with the network's checks: the fargate stage did not ask again.
    assert set(ENSURE_TASKS) | {"Ask whether the cluster, log group, roles and secrets policy are as wanted"} <= skipped_tasks(report)


def test_drift_made_outside_is_put_back_by_the_task_that_owns_it(project):
    retention = aws("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{NAME}")["logGroups"][0]["retentionInDays"]
    aws("logs").put_retention_policy(logGroupName=f"/ecs/{NAME}", retentionInDays=1)
    aws("iam").detach_role_policy(RoleName=f"{NAME}-execution", PolicyArn=EXECUTION_POLICY)

    report = run(project, "deploy.yml")
    changed = {name.split(" : ", 1)[-1] for name in report["changed_tasks"]}
    assert changed == {"Ensure the log group, with its retention", "Ensure the task execution role"}, changed
    assert aws("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{NAME}")["logGroups"][0]["retentionInDays"] == retention != 1
    attached = aws("iam").list_attached_role_policies(RoleName=f"{NAME}-execution")["AttachedPolicies"]
    assert [policy["PolicyArn"] for policy in attached] == [EXECUTION_POLICY]
    assert {"Ensure the cluster", "Let the execution role read exactly its secrets"} <= skipped_tasks(report)


def test_one_line_change_ships_one_layer_one_revision_one_deployment(project):
    old_version = git(project, "describe", "--tags", "--always", "--dirty")
    _old_digest, old_layers = manifest(old_version)
    views = project / "app" / "webapp" / "views.py"
    views.write_text(views.read_text() + "\n# e2e: a one-line change\n")
    commit(project, "e2e: one-line change")
    new_version = git(project, "describe", "--tags", "--always", "--dirty")

    recorder("reset-recording")
    recorder("start-recording")
    report = run(project, "deploy.yml")
    recorder("stop-recording")

    new_digest, new_layers = manifest(new_version)
    # The image is new (built in this run): the migration ran first, without ecs_deploy asking and stopping for it, so
    # one ecs_deploy run rolled the web service (no second run after the migration).
    assert "Roll the service, now that the one-off task ran" in skipped_tasks(report)
    first = [task["hosts"]["localhost"] for play in report["plays"] for task in play["tasks"]
             if task["task"]["name"].endswith("Register the revision if needed and roll the service")][0]
    assert first["changed"] and "pre_deploy_task" not in first, first.get("pre_deploy_task")
    summary = next(task["hosts"]["localhost"]["msg"] for task in report["plays"][-1]["tasks"] if task["task"]["name"] == "Summarise the run")
    assert summary["pre_deploy_task"] == "exit code 0 (local engine)", summary
    assert len(new_layers) == len(old_layers)
    assert len(set(new_layers) - set(old_layers)) == 1, "exactly one new layer"
    assert len(revisions()) == 2, "one new revision"
    assert moto_service_calls().count("UpdateService") == 2, "one deployment of each service, the web service and its worker"
    assert len(revisions(WORKER)) == 2
    assert task_image().endswith(new_digest)
    assert local("/")["version"] == new_version


def test_check_mode_predicts_and_touches_nothing(project):
    views = project / "app" / "webapp" / "views.py"
    views.write_text(views.read_text() + "# e2e: another change\n")
    commit(project, "e2e: change for check mode")
    before = (revisions(), registry_tags(), service()["taskDefinition"])

    predicted = run(project, "deploy.yml", "--check")
    assert (revisions(), registry_tags(), service()["taskDefinition"]) == before, "check mode changed the stack"

    real = run(project, "deploy.yml")
    assert set(predicted["changed_tasks"]) == set(real["changed_tasks"]), (predicted["changed_tasks"], real["changed_tasks"])
    assert len(revisions()) == 3


def test_rollback_returns_to_the_previous_revision(project):
    current = service()["taskDefinition"]
    previous = sorted(revisions(), key=lambda arn: int(arn.rsplit(":", 1)[1]))[-2]
    previous_image = ecs().describe_task_definition(taskDefinition=previous)["taskDefinition"]["containerDefinitions"][0]["image"]
    run(project, "playbooks/rollback.yml")
    assert service()["taskDefinition"] == previous != current
    version = [tag for tag in registry_tags() if manifest(tag)[0] == previous_image.split("@")[1] and tag not in ("latest", "local")]
    assert local("/")["version"] in version


def test_killed_moto_between_push_and_rollout_fails_then_converges(project, e2e_stack):
    views = project / "app" / "webapp" / "views.py"
    views.write_text(views.read_text() + "# e2e: change while moto is down\n")
    commit(project, "e2e: change for the moto fault")
    run(project, "deploy.yml", "--tags", "image,ecr")
    e2e_stack.moto.stop()  # the tests' own moto: the user's keeps its state
    try:
        # Two attempts say what ten would (botocore's standard retries back off for about a minute a call).
        failed = run(project, "deploy.yml", "--skip-tags", "local_stack", "-e", "aws_max_attempts=2", check=False)
    finally:
        e2e_stack.moto.start()  # on the same port, empty
    assert failed["rc"] != 0
    port = str(e2e_stack.moto.port)
    assert any(port in message or "connect" in message.lower() for message in failed["failures"]), failed["failures"]
    # moto keeps its state in memory: the restarted one is empty, and the rerun rebuilds everything.
    run(project, "deploy.yml")
    assert len(revisions()) == 1 and service()["status"] == "ACTIVE"
    assert local("/")["version"] == git(project, "describe", "--tags", "--always", "--dirty")
    assert run(project, "deploy.yml")["stats"]["localhost"]["changed"] == 0


def test_unhealthy_revision_locally_puts_the_previous_container_back(project):
    serving = local("/")
    broken = {"fargate_health_check": {"command": ["CMD", "python3", "-c", "raise SystemExit(1)"], "interval": 5, "timeout": 3, "retries": 1}}
    failed = run(project, "deploy.yml", "-e", json.dumps(broken), "-e", "run_local_wait_timeout=20", check=False)
    assert failed["rc"] != 0
    assert any("did not become healthy" in message and "previous container was put back" in message for message in failed["failures"]), failed["failures"]
    assert local("/") == serving, "the previous container serves again"
    # The next normal run converges: the good revision is reused and the container stays.
    run(project, "deploy.yml")
    assert local("/") == serving
    assert run(project, "deploy.yml")["stats"]["localhost"]["changed"] == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"fargate_memory": 4096}, "256 CPU units allow memory"),
        ({"fargate_subnets": ["subnet-0123456789abcdef0"]}, "subnet-0123456789abcdef0 not found"),
        ({"deploy_environment": "qa"}, "not one of local, staging, production"),
    ],
)
def test_bad_inventory_values_fail_before_any_change(project, extra, message):
    before = (revisions(), registry_tags(), service()["taskDefinition"])
    failed = run(project, "deploy.yml", "-e", json.dumps(extra), check=False)
    assert failed["rc"] != 0 and any(message in failure for failure in failed["failures"]), failed["failures"]
    assert failed["changed_tasks"] == []
    assert (revisions(), registry_tags(), service()["taskDefinition"]) == before


def test_destroy_removes_everything_and_a_second_destroy_changes_nothing(project):
    run(project, "playbooks/destroy.yml", "-e", "destroy_images=true")
    assert revisions() == [] and revisions(WORKER) == []
    assert all(found["status"] == "INACTIVE" for found in ecs().describe_services(cluster=NAME, services=[NAME, WORKER])["services"])
    assert ecr().describe_repositories()["repositories"] == [] or NAME not in [r["repositoryName"] for r in ecr().describe_repositories()["repositories"]]
    assert registry_tags() == []
    again = run(project, "playbooks/destroy.yml", "-e", "destroy_images=true")
    assert again["stats"]["localhost"]["changed"] == 0


# --- last: the IAM record ------------------------------------------------------------------------------------------


def test_recorded_calls_match_docs_iam_calls_json():
    """The AWS calls this module's runs made (with the failed rollouts and the code paths the local runs cannot reach)
    are the ones docs/iam/calls.json lists, so a new call shows up in review. Regenerate the record with
    scripts/iam_calls.sh (IAM_CALLS_WRITE=1 and this module)."""
    missing = set(awscalls.JOBS) - awscalls.SESSION.jobs()
    if missing:
        pytest.skip(f"no {', '.join(sorted(missing))} run recorded in this session: run the whole module")
    difference = awscalls.check_or_write(awscalls.SESSION)
    assert difference is None, (
        "The runs made AWS calls docs/iam/calls.json does not list (or no longer make some it lists). Check each new call"
        " against docs/iam/*-policy.json (tests/unit/iam/test_policies.py), then regenerate with scripts/iam_calls.sh:\n" + difference
    )
