"""deploy.yml under faults: a throttling and slow AWS, and moto, the registry and dockerd gone at a stage boundary.

The run talks to AWS (a moto of the tests' own) through a fault-injecting proxy and pushes to a registry of the
tests' own, so that both can be broken and restored without touching the shared local stack; dockerd is the shared
one (deploy.yml's local_stack play starts it again). Every assertion is on the stack's state, read directly from
moto and the registry: revisions, the service, the registry's manifests, the container serving locally.

The tests run in order on one copy of the project (names rel-faults, port 18085); figures go to the bench report.
The fault matrix is exercised one boundary at a time: one change, then each fault at that boundary strikes a run in
turn (the stages before it, done by the first, are no-ops for the next), and one rerun converges.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest
import yaml

from faultproxy import FaultProxy
from figures import record
from helpers import change_app
from helpers import copy_project
from helpers import git
from helpers import project_names
from helpers import REPO
from helpers import run_project
from helpers import writes
from stack import DOCKERD_KILL
from stack import dockerd_answers
from stack import Registry

NAME = "rel-faults"
PORT = 18085
AUTH = "Basic " + b64encode(b"AWS:123456789012-auth-token").decode()
MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"
PROBE = {"ANSIBLE_CALLBACK_PLUGINS": str(REPO / "tests" / "integration" / "callback_plugins"), "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.json,stage_probe"}


def _play(playbook: str) -> str:
    return yaml.safe_load((REPO / "playbooks" / playbook).read_text())[0]["name"]


# Stage boundaries: the play about to start when the fault strikes (named as the playbooks name it).
PREFLIGHT_AWS = _play("preflight_network.yml")
IMAGE = _play("image.yml")
ECR = _play("ecr.yml")
FARGATE = _play("fargate.yml")
RUN_LOCAL = _play("run_local.yml")

FAULT_TABLE: list[dict] = []
# Run by stage_probe in the ansible-playbook process: take the proxy down.
DOWN = 'import urllib.request as r; r.urlopen(r.Request("http://127.0.0.1:{port}/down", method="POST"))'


@pytest.fixture(scope="module")
def proxy(moto):
    # Every run here sees ECS answers shaped as real AWS shapes them (alarms, strategy, registeredAt, ...).
    server = FaultProxy(moto.url, reshape=True)
    yield server
    server.close()


@pytest.fixture(scope="module")
def registry():
    server = Registry()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def project(tmp_path_factory, proxy, registry):
    extra = dict(project_names(NAME, PORT), aws_endpoint_url=proxy.url, ecr_registry_override=registry.address)
    root = copy_project(tmp_path_factory.mktemp("reliability") / "fargate", extra)
    yield root
    proxy.configure()
    if not dockerd_answers():
        run_project(root, "playbooks/local_stack.yml", check=False)
    # moto and the registry are the tests' own and go with their fixtures: only the local container is left.
    subprocess.run(["docker", "rm", "-f", f"{NAME}-local"], capture_output=True, check=False)


# --- the stack's state, read directly ------------------------------------------------------------


def revisions(moto) -> list[str]:
    return moto.client("ecs").list_task_definitions(familyPrefix=NAME, status="ACTIVE")["taskDefinitionArns"]


def service(moto) -> dict:
    client = moto.client("ecs")
    try:
        services = client.describe_services(cluster=NAME, services=[NAME])["services"]
    except client.exceptions.ClusterNotFoundException:
        return {}
    return services[0] if services else {}


def task_image(moto, arn: str) -> str:
    return moto.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"][0]["image"]


def registry_digest(registry, tag: str) -> str | None:
    request = urllib.request.Request(
        f"http://{registry.address}/v2/{NAME}/manifests/{tag}", method="HEAD", headers={"Authorization": AUTH, "Accept": MANIFEST_TYPES}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers["Docker-Content-Digest"]
    except OSError:
        return None


def serving_version() -> str | None:
    for _ in range(20):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=3) as response:
                return json.loads(response.read())["version"]
        except OSError:
            time.sleep(1)
    return None


def assert_converged(moto, registry, version: str, revision_count: int) -> None:
    """One revision per version, the service on the newest, pinned to the registry's digest, and serving it."""
    arns = revisions(moto)
    assert len(arns) == revision_count, f"revisions: {arns}"
    current = service(moto)
    assert current["taskDefinition"] == arns[-1], "the service runs the newest revision"
    digest = registry_digest(registry, version)
    assert digest and task_image(moto, arns[-1]) == f"{registry.address}/{NAME}@{digest}", "pinned to the pushed digest"
    assert serving_version() == version


# --- throttling and latency --------------------------------------------------------------------------


def deploy_throttled(project, proxy, share: float) -> dict:
    proxy.reset_counts()
    proxy.configure(throttle_share=share)
    try:
        report = run_project(project, "deploy.yml")
    finally:
        proxy.configure()
    return {
        "throttle_share": share,
        "requests": proxy.requests,
        "throttled_and_retried": sum(proxy.throttled.values()),
        "by_action": dict(proxy.throttled),
        "seconds": round(report["seconds"], 1),
        "changed": report["stats"]["localhost"]["changed"],
    }


def test_deploy_from_nothing_succeeds_with_20_percent_of_ecs_and_ecr_calls_throttled(project, moto, proxy, registry):
    figures = deploy_throttled(project, proxy, 0.2)
    assert figures["throttled_and_retried"] > 0, "the proxy throttled nothing: the test tests nothing"
    assert_converged(moto, registry, git(project, "describe", "--tags", "--always"), 1)
    record("throttling_20", figures)


def test_a_change_succeeds_with_50_percent_throttled_and_registers_exactly_one_revision(project, moto, proxy, registry):
    version = change_app(project, "reliability: change under throttling")
    figures = deploy_throttled(project, proxy, 0.5)
    assert figures["throttled_and_retried"] > 0
    assert_converged(moto, registry, version, 2)
    record("throttling_50", figures)


def test_a_noop_under_50_percent_throttling_changes_nothing(project, moto, proxy, registry):
    before = (revisions(moto), service(moto)["deployments"])
    figures = deploy_throttled(project, proxy, 0.5)
    assert figures["changed"] == 0
    assert (revisions(moto), service(moto)["deployments"]) == before
    record("throttling_50_noop", figures)


def test_a_noop_with_200_ms_added_to_every_call(project, moto, proxy):
    baseline = run_project(project, "deploy.yml")
    proxy.reset_counts()
    proxy.configure(latency=0.2)
    moto.start_recording()
    try:
        slow = run_project(project, "deploy.yml")
    finally:
        proxy.configure()
    assert slow["stats"]["localhost"]["changed"] == 0 == baseline["stats"]["localhost"]["changed"]
    # On real-shaped answers, a whole deploy.yml no-op writes nothing to AWS.
    assert proxy.reshaped["DescribeServices"] and proxy.reshaped["DescribeTaskDefinition"], dict(proxy.reshaped)
    assert writes(moto.recorded_actions()) == []
    record("latency_200ms_noop", {"seconds": round(slow["seconds"], 1), "baseline_seconds": round(baseline["seconds"], 1), "requests": proxy.requests})


# --- secrets ---------------------------------------------------------------------------------------


def test_no_secret_in_the_most_verbose_output_of_a_full_run(project, moto, proxy, registry):
    """A run that logs in, pushes and rolls out, at -vvv: neither the ECR password (nor its base64 login form) nor
    the AWS secret key is in its output; the Docker config that keeps the registry login is 0600."""
    secret_key = "rel-Secret-Key-0123456789abcdefXYZ"  # moto accepts any key; this one is easy to find
    password = "123456789012-auth-token"
    forms = {"ECR password": password, "ECR login (base64)": b64encode(f"AWS:{password}".encode()).decode(), "AWS secret key": secret_key}
    version = change_app(project, "reliability: a change for the -vvv run")
    environment = {"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default", "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.timer"}
    report = run_project(project, "deploy.yml", "-e", f"aws_secret_key={secret_key}", "-vvv", env=environment, check=False, timeout=1200)
    output = report["full_output"]
    assert report["rc"] == 0, output[-3000:]
    assert "docker_login" in output and "Push the image" in output, "the run logged in and pushed, so the password was handled"
    found = [name for name, form in forms.items() if form in output]
    config = Path.home() / ".docker" / "config.json"
    mode = oct(config.stat().st_mode & 0o777)
    assert_converged(moto, registry, version, len(revisions(moto)))
    record("secrets", {"output_bytes": len(output), "found_in_output": found, "docker_config": str(config), "docker_config_mode": mode})
    assert found == []
    assert mode == "0o600"


# --- a fault at every stage boundary ----------------------------------------------------------------

# (what goes, the play about to start, whether the run still needs it after that boundary)
# At one boundary the faults strike in this order, each on a run of its own: a fault that lets the boundary's stage do
# its work must come after those that test that work. AWS gone at the ECR boundary is one: the image stage planned the
# repository and logged in, so the ECR stage pushes without AWS and the run fails only at the rollout; after it, the
# version is in the registry, is promoted, and a registry fault would strike a stage with nothing left to push.
FAULTS = [
    ("aws", PREFLIGHT_AWS, True),
    ("registry", ECR, True),
    ("dockerd", ECR, True),
    ("aws", ECR, True),
    ("aws", FARGATE, True),
    ("aws", RUN_LOCAL, True),  # run_local reads the service's task definition
    ("registry", FARGATE, False),  # the image is pushed; the local run finds it on the engine
    ("registry", RUN_LOCAL, False),
    ("dockerd", IMAGE, True),
    ("dockerd", FARGATE, True),  # run_local needs it
    ("dockerd", RUN_LOCAL, True),
]
# By boundary, in deploy.yml's order; at each, the faults the run needs come first (a run that succeeds converges),
# then in FAULTS' order.
BOUNDARIES = {
    boundary: sorted([(target, needed) for target, at, needed in FAULTS if at == boundary], key=lambda fault: not fault[1])
    for boundary in (PREFLIGHT_AWS, IMAGE, ECR, FARGATE, RUN_LOCAL)
}


@pytest.mark.parametrize(
    "boundary",
    list(BOUNDARIES),
    ids=[f"before-{boundary.split()[0].lower()}" for boundary in BOUNDARIES],
)
def test_faults_at_a_stage_boundary_fail_clearly_and_a_rerun_converges(project, moto, proxy, registry, boundary):
    version = change_app(project, f"reliability: faults before {boundary}")
    before = revisions(moto)
    before_service = service(moto).get("taskDefinition")
    rows = [strike(project, moto, proxy, registry, target, boundary, needed, before, before_service) for target, needed in BOUNDARIES[boundary]]

    # The rerun (deploy.yml's local_stack play starts dockerd again) converges.
    rerun = run_project(project, "deploy.yml")
    assert_converged(moto, registry, version, len(before) + 1)
    for row in rows:
        row.update(rerun="converged", rerun_changed=rerun["stats"]["localhost"]["changed"])
    FAULT_TABLE.extend(rows)
    record("faults", FAULT_TABLE)


def strike(project, moto, proxy, registry, target: str, boundary: str, needed: bool, before: list[str], before_service: str | None) -> dict:
    """A deploy.yml run with ``target`` gone when it reaches the boundary: it fails naming what went, if it still
    needs it, and leaves nothing half-done. ``target`` is back afterwards (dockerd: at the next run's local_stack play)."""
    command, unreachable = {
        "aws": (f"{sys.executable} -c '{DOWN.format(port=proxy.control_port)}'", proxy.url.split("//")[1]),
        "registry": (registry.kill_command(), registry.address),
        "dockerd": (DOCKERD_KILL, "Docker"),
    }[target]
    env = dict(PROBE, STAGE_PROBE_FAULT_AT=boundary, STAGE_PROBE_FAULT_CMD=command)
    # With AWS gone, botocore's standard retries back off for about a minute a call before the run fails: two
    # attempts say the same here (the throttling tests hold the retries at their default).
    attempts = ["-e", "aws_max_attempts=2"] if target == "aws" else []
    try:
        failed = run_project(project, "deploy.yml", *attempts, env=env, check=False)
    finally:
        restart = {"aws": proxy.start, "registry": registry.start, "dockerd": lambda: None}[target]
        if target != "aws" or proxy.server is None:
            restart()

    # What the failed run left: nothing half-done.
    after = revisions(moto)
    new = [arn for arn in after if arn not in before]
    assert len(new) <= 1, f"more than one revision registered: {new}"
    if new:
        assert service(moto)["taskDefinition"] == new[0], "a registered revision is the one the service runs: no orphan"
    else:
        assert service(moto).get("taskDefinition") == before_service, "no revision, no service update"
    outcome = "failed" if failed["rc"] else "succeeded"
    assert bool(failed["rc"]) == needed, f"the run {outcome}, though the stages after the boundary {'need' if needed else 'do not need'} {target}"
    if failed["rc"]:
        message = " | ".join(failed["failures"])
        assert unreachable.lower() in message.lower(), f"the failure does not name {unreachable}: {message}"
    else:
        message = "(nothing after this boundary needs it)"
    return {"target": target, "boundary": boundary, "first_run": outcome, "message": message[:300], "revisions_left_by_the_failure": len(new)}
