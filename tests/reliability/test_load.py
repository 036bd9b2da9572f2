"""deploy.yml under load: a throttling and a slow AWS, and a full run at -vvv that must print no secret.

The run talks to AWS (a moto of the tests' own) through a fault-injecting proxy and pushes to a registry of the
tests' own; dockerd is the shared one (test_faults.py stops one of its own). Every assertion is on the stack's state, read directly from moto and the registry.

The tests run in order on one copy of the project (names rel-load, port 18086); figures go to the bench report.
"""

from __future__ import annotations

import shutil
from base64 import b64encode

from support.deployed import Deployed
from support.figures import record
from devkit.helpers import change_app
from devkit.helpers import git
from devkit.helpers import run_project
from devkit.helpers import writes

NAME = "rel-load"
PORT = 18086


project = Deployed.fixture(NAME, PORT)


# --- throttling and latency --------------------------------------------------------------------------


def deploy_throttled(project, share: float) -> dict:
    proxy = project.proxy
    proxy.reset_counts()
    proxy.configure(throttle_share=share)
    try:
        report = run_project(project.root, "deploy.yml")
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


def test_deploy_from_nothing_succeeds_with_20_percent_of_ecs_and_ecr_calls_throttled(project):
    figures = deploy_throttled(project, 0.2)
    assert figures["throttled_and_retried"] > 0, "the proxy throttled nothing: the test tests nothing"
    project.assert_converged(git(project.root, "describe", "--tags", "--always"), 1)
    record("throttling_20", figures)


def test_a_change_succeeds_with_50_percent_throttled_and_registers_exactly_one_revision(project):
    version = change_app(project.root, "reliability: change under throttling")
    figures = deploy_throttled(project, 0.5)
    assert figures["throttled_and_retried"] > 0
    project.assert_converged(version, 2)
    record("throttling_50", figures)


def test_a_noop_under_50_percent_throttling_changes_nothing(project):
    before = (project.revisions(), project.service()["deployments"])
    figures = deploy_throttled(project, 0.5)
    assert figures["changed"] == 0
    assert (project.revisions(), project.service()["deployments"]) == before
    record("throttling_50_noop", figures)


def test_a_noop_with_200_ms_added_to_every_call(project, moto, proxy):
    baseline = run_project(project.root, "deploy.yml")
    proxy.reset_counts()
    proxy.configure(latency=0.2)
    moto.start_recording()
    try:
        slow = run_project(project.root, "deploy.yml")
    finally:
        proxy.configure()
    assert slow["stats"]["localhost"]["changed"] == 0 == baseline["stats"]["localhost"]["changed"]
    # On real-shaped answers, a whole deploy.yml no-op writes nothing to AWS.
    assert proxy.reshaped["DescribeServices"] and proxy.reshaped["DescribeTaskDefinition"], dict(proxy.reshaped)
    assert writes(moto.recorded_actions()) == []
    record("latency_200ms_noop", {"seconds": round(slow["seconds"], 1), "baseline_seconds": round(baseline["seconds"], 1), "requests": proxy.requests})


# --- secrets ---------------------------------------------------------------------------------------


def test_no_secret_in_the_most_verbose_output_of_a_full_run(project):
    """A run that logs in, pushes and rolls out, at -vvv: neither the ECR password (nor its base64 login form) nor
    the AWS secret key is in its output; the Docker config that keeps the registry login is 0600."""
    secret_key = "rel-Secret-Key-0123456789abcdefXYZ"  # moto accepts any key; this one is easy to find
    password = "123456789012-auth-token"
    forms = {"ECR password": password, "ECR login (base64)": b64encode(f"AWS:{password}".encode()).decode(), "AWS secret key": secret_key}
    version = change_app(project.root, "reliability: a change for the -vvv run")
    # The earlier runs' login is in the project's Docker config, and a run does not log in again with it: this one must.
    shutil.rmtree(project.root.parent / "docker-config", ignore_errors=True)
    environment = {"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default", "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.timer"}
    # With the local_stack play, which handles the same password (moto's login, the registry's htpasswd).
    extra = ["-e", f"aws_secret_key={secret_key}", "-e", "local_stack_enabled=true"]
    report = run_project(project.root, "deploy.yml", *extra, "-vvv", env=environment, check=False, timeout=1200)
    output = report["full_output"]
    assert report["rc"] == 0, output[-3000:]
    assert "docker_login" in output and "Push the image" in output, "the run logged in and pushed, so the password was handled"
    found = [name for name, form in forms.items() if form in output]
    config = project.root.parent / "docker-config" / "config.json"  # helpers.copy_project's ecr_docker_config_dir
    mode = oct(config.stat().st_mode & 0o777)
    project.assert_converged(version, len(project.revisions()))
    record("secrets", {"output_bytes": len(output), "found_in_output": found, "docker_config": str(config), "docker_config_mode": mode})
    assert found == []
    assert mode == "0o600"
