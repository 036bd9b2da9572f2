"""deploy.yml under faults: moto, the registry and dockerd gone at a stage boundary.

The run talks to AWS (a moto of the tests' own) through a fault-injecting proxy and pushes to a registry of the
tests' own, so that both can be broken and restored without touching the shared local stack; dockerd is the shared
one (deploy.yml's local_stack play starts it again), held exclusively (deployed.DockerdHold) from a dockerd fault
until the next run has it back, since the other reliability modules' runs need it. Every assertion is on the
stack's state, read directly from moto and the registry: revisions, the service, the registry's manifests, the
container serving locally.

The tests run in order on one copy of the project (names rel-faults, port 18085); figures go to the bench report.
The fault matrix is exercised by two changes (CHAINS): each fault strikes a run of its own at its boundary, in
deploy.yml's order, so that each run is also the rerun of the one before, and each chain ends converged.
"""

from __future__ import annotations

import sys

import pytest
import yaml

from support.deployed import Deployed
from support.deployed import DockerdHold
from support.figures import record
from support.helpers import change_app
from support.helpers import REPO
from support.helpers import run_project
from support.stack import DOCKERD_KILL

NAME = "rel-faults"
PORT = 18085
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
def project(tmp_path_factory, moto, proxy, registry):
    # The local_stack play on: the run after a dockerd fault starts the engine again.
    deployed = Deployed.copy(tmp_path_factory, NAME, PORT, moto, proxy, registry, local_stack=True)
    yield deployed
    deployed.close()


# --- a fault at every stage boundary ----------------------------------------------------------------

# Two changes carry the whole matrix, each struck by a chain of runs: (what goes, the play about to start, whether the
# run still needs it after that boundary). Each run of a chain is also the rerun of the one before: it does again, up
# to its own boundary, what the earlier fault stopped, and the chain ends on a run that succeeds, after which the
# project must have converged. So every boundary is struck once per fault, and no fault pays for a fresh deploy.
#
# In a chain the faults strike in deploy.yml's order, and at one boundary a fault that lets the boundary's stage do its
# work comes after those that test that work. AWS gone at the ECR boundary is one: the image stage planned the
# repository and logged in, so the ECR stage pushes without AWS and the run fails only at the rollout; after it, the
# version is in the registry, and a registry fault at the ECR boundary would strike a stage with nothing left to push.
# The dockerd fault at the rollout lets the rollout happen (only the local run needs the engine), so the faults after
# the rollout strike a second change, whose rollout their own first run makes.
CHAINS = {
    "up-to-the-rollout": [
        ("aws", PREFLIGHT_AWS, True),
        ("dockerd", IMAGE, True),
        ("registry", ECR, True),
        ("dockerd", ECR, True),
        ("aws", ECR, True),
        ("aws", FARGATE, True),
        ("dockerd", FARGATE, True),  # run_local needs it
        ("registry", FARGATE, False),  # the image is pushed; the local run finds it on the engine
    ],
    "after-the-rollout": [
        ("aws", RUN_LOCAL, True),  # run_local reads the service's task definition
        ("dockerd", RUN_LOCAL, True),
        ("registry", RUN_LOCAL, False),
    ],
}


@pytest.mark.parametrize("chain", list(CHAINS))
def test_faults_at_each_stage_boundary_fail_clearly_and_the_chain_converges(project, chain):
    version = change_app(project.root, f"reliability: faults {chain}")
    before = project.revisions()
    before_service = project.service().get("taskDefinition")
    # The chain's last fault is one its run does not need: strike() has asserted that run succeeded, and it is the
    # chain's rerun.
    assert not CHAINS[chain][-1][2], "a chain must end on a fault its run does not need"
    with DockerdHold() as dockerd_held:
        struck = [strike(project, target, boundary, needed, before, before_service, dockerd_held) for target, boundary, needed in CHAINS[chain]]
    rows, final = [row for row, _report in struck], struck[-1][1]
    project.assert_converged(version, len(before) + 1)
    for row in rows:
        row.update(rerun="converged", rerun_changed=final["stats"]["localhost"]["changed"])
    FAULT_TABLE.extend(rows)
    record("faults", FAULT_TABLE)


def strike(project, target: str, boundary: str, needed: bool, before: list[str], before_service: str | None, dockerd_held: DockerdHold) -> tuple[dict, dict]:
    """A deploy.yml run with ``target`` gone when it reaches the boundary: it fails naming what went, if it still
    needs it (else it succeeds), and leaves nothing half-done. ``target`` is back afterwards (dockerd: at the next run's
    local_stack play; from the fault until then, dockerd is held exclusively in ``dockerd_held``).
    Returns the fault table's row and the run's report."""
    proxy, registry = project.proxy, project.registry
    command, unreachable = {
        "aws": (f"{sys.executable} -c '{DOWN.format(port=proxy.control_port)}'", proxy.url.split("//")[1]),
        "registry": (registry.kill_command(), registry.address),
        "dockerd": (None, "the Docker engine"),
    }[target]
    if target == "dockerd":
        command = f"{dockerd_held.take()}; {DOCKERD_KILL}"
    env = dict(PROBE, STAGE_PROBE_FAULT_AT=boundary, STAGE_PROBE_FAULT_CMD=command)
    # With AWS gone, botocore's standard retries back off for about a minute a call before the run fails: two
    # attempts say the same here (the throttling tests hold the retries at their default).
    attempts = ["-e", "aws_max_attempts=2"] if target == "aws" else []
    try:
        failed = run_project(project.root, "deploy.yml", *attempts, env=env, check=False)
    finally:
        restart = {"aws": proxy.start, "registry": registry.start, "dockerd": dockerd_held.release_when_up}[target]
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
