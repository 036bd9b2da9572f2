"""deploy.yml runs struck by a fault at a stage boundary: moto (through the project's fault proxy), the project's
registry or the project's dockerd (stack.PrivateDockerd) gone when the run reaches the play about to start.

A chain is a list of (what goes, the play about to start, whether the run still needs it after that boundary). Each
run of a chain is also the rerun of the one before: it does again, up to its own boundary, what the earlier fault
stopped, and the chain ends on a run that succeeds (a fault it does not need), after which the project must have
converged. So every boundary is struck once per fault, and no fault pays for a fresh deploy.
"""

from __future__ import annotations

import sys

import yaml

from support.figures import record
from devkit.helpers import change_app
from devkit.helpers import REPO

PROBE = {"ANSIBLE_CALLBACK_PLUGINS": str(REPO / "tests" / "integration" / "callback_plugins"), "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.json,stage_probe"}
# Run by stage_probe in the ansible-playbook process: take the proxy down.
DOWN = 'import urllib.request as r; r.urlopen(r.Request("http://127.0.0.1:{port}/down", method="POST"))'


def _play(playbook: str) -> str:
    return yaml.safe_load((REPO / "playbooks" / playbook).read_text())[0]["name"]


# Stage boundaries: the play about to start when the fault strikes (named as the playbooks name it).
PREFLIGHT_AWS = _play("preflight_network.yml")
IMAGE = _play("image.yml")
ECR = _play("ecr.yml")
FARGATE = _play("fargate.yml")
RUN_LOCAL = _play("run_local.yml")


def run_chain(project, chain: list[tuple[str, str, bool]]) -> None:
    """A change, then the chain's runs; asserts the project converged and records the fault table's rows."""
    # The chain's last fault is one its run does not need: strike() has asserted that run succeeded, and it is the
    # chain's rerun.
    assert not chain[-1][2], "a chain must end on a fault its run does not need"
    version = change_app(project.root, f"reliability: faults {project.name}")
    before = project.revisions()
    before_service = project.service().get("taskDefinition")
    struck = [strike(project, target, boundary, needed, before, before_service) for target, boundary, needed in chain]
    rows, final = [row for row, _report in struck], struck[-1][1]
    project.assert_converged(version, len(before) + 1)
    for row in rows:
        row.update(rerun="converged", rerun_changed=final["stats"]["localhost"]["changed"])
    record("faults", rows, extend=True)


def strike(project, target: str, boundary: str, needed: bool, before: list[str], before_service: str | None) -> tuple[dict, dict]:
    """A deploy.yml run with ``target`` gone when it reaches the boundary: it fails naming what went, if it still
    needs it (else it succeeds), and leaves nothing half-done. ``target`` is back afterwards, started again as the user
    would start it (the proxy, the registry, dockerd with its data).
    Returns the fault table's row and the run's report."""
    proxy, registry, dockerd = project.proxy, project.registry, project.dockerd
    command, unreachable, restart = {
        "aws": (f"{sys.executable} -c '{DOWN.format(port=proxy.control_port)}'", proxy.url.split("//")[1], proxy.start),
        "registry": (registry.kill_command(), registry.address, registry.start),
        "dockerd": (dockerd and dockerd.kill_command(), "the Docker engine", dockerd and dockerd.start),
    }[target]
    assert command, f"a {target} fault needs the project's own {target}"
    env = dict(PROBE, STAGE_PROBE_FAULT_AT=boundary, STAGE_PROBE_FAULT_CMD=command)
    # With AWS gone, botocore's standard retries back off for about a minute a call before the run fails: two
    # attempts say the same here (the throttling tests hold the retries at their default).
    attempts = ["-e", "aws_max_attempts=2"] if target == "aws" else []
    try:
        failed = project.run("deploy.yml", *attempts, env=env, check=False)
    finally:
        if target != "aws" or proxy.server is None:
            restart()

    # What the failed run left: nothing half-done.
    after = project.revisions()
    new = [arn for arn in after if arn not in before]
    assert len(new) <= 1, f"more than one revision registered: {new}"
    if new:
        assert project.service()["taskDefinition"] == new[0], "a registered revision is the one the service runs: no orphan"
    else:
        assert project.service().get("taskDefinition") == before_service, "no revision, no service update"
    outcome = "failed" if failed["rc"] else "succeeded"
    assert bool(failed["rc"]) == needed, f"the run {outcome}, though the stages after the boundary {'need' if needed else 'do not need'} {target}"
    if failed["rc"]:
        message = " | ".join(failed["failures"])
        assert unreachable.lower() in message.lower(), f"the failure does not name {unreachable}: {message}"
    else:
        message = "(nothing after this boundary needs it)"
    row = {"target": target, "boundary": boundary, "first_run": outcome, "message": message[:300], "revisions_left_by_the_failure": len(new)}
    return row, failed
