"""Every bad input in bad_inputs.yml is rejected before any AWS write, with a message naming the option and the rule.

The module and role entries run in BATCHES ansible-playbook runs at once, in the background (a block per entry,
whose rescue records the failure); meanwhile each deploy.yml entry runs on its own. Each playbook run, and the
deploy.yml entries together, talk to a moto server of their own, recording from the start; each recording is split
per entry, so that a write is blamed on the entry that made it. Entries with a `bug` are strict expected failures.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from support import figures
from devkit.helpers import REPO
from devkit.helpers import VENV_BIN
from devkit.helpers import MotoServer
from devkit.helpers import request_action
from devkit.helpers import ansible_env
from devkit.helpers import aws_defaults
from devkit.helpers import run_playbook
from devkit.helpers import writes

CORPUS = yaml.safe_load((Path(__file__).resolve().parent / "bad_inputs.yml").read_text())
TARGETS = CORPUS["targets"]
ENTRIES = CORPUS["entries"]
# Names of our own for deploy.yml, and nothing that reaches the shared stack: no local stack stage, the test's
# moto, no local run, and a registry that answers nothing should a bad input get as far as a push.
DEPLOY_NAME = "bad-input-deploy"
DEPLOY_VARS = {
    "local_stack_enabled": False,
    "run_local_enabled": False,
    "image_name": DEPLOY_NAME,
    "fargate_service_name": DEPLOY_NAME,
    "fargate_cluster_name": DEPLOY_NAME,
    "run_local_container_name": f"{DEPLOY_NAME}-local",
    "ecr_registry_override": "127.0.0.1:9",
    "fargate_tags": {"service": DEPLOY_NAME, "environment": "local"},
    "ecr_repository_tags": {"service": DEPLOY_NAME, "environment": "local"},
}
# The plays of deploy.yml that change nothing; "" is a failure before the first play.
READ_ONLY_PLAYS = ("Preflight", "Preflight against AWS", "")
_OUTCOME = "bad_input_outcome"
# Module and role entries run in this many playbooks at once, each against a moto of its own.
BATCHES = 3


def _is_deploy(entry: dict) -> bool:
    return TARGETS[entry["target"]]["kind"] == "playbook"


# ---------------------------------------------------------------------------------------------------------------------
# moto and its recording


def recording(moto: MotoServer) -> list[str]:
    """The raw recording so far; reading it does not stop the recorder."""
    with urllib.request.urlopen(f"{moto.url}/moto-api/recorder/download-recording", timeout=10) as response:
        return response.read().decode().splitlines()


def actions_of(lines: list[str]) -> list[str]:
    return [action for action in (request_action(json.loads(line)) for line in lines if line.strip()) if action]


def _recording_moto() -> MotoServer:
    server = MotoServer()
    server.start_recording()
    return server


@pytest.fixture(scope="module")
def deploy_moto():
    """The moto of the deploy.yml entries."""
    server = _recording_moto()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def outcomes():
    """What each entry did; the bench figures are written from it when the module ends."""
    seen: dict[str, dict] = {}
    yield seen
    by_target: dict[str, dict] = {}
    for outcome in seen.values():
        counts = by_target.setdefault(outcome["target"], {"entries": 0, "rejected": 0})
        counts["entries"] += 1
        counts["rejected"] += outcome["rejected"]
    figures.record(
        "bad_input",
        {
            "entries": len(seen),
            "rejected": sum(outcome["rejected"] for outcome in seen.values()),
            "write_calls": sum(len(outcome["writes"]) for outcome in seen.values()),
            "by_target": by_target,
            "known_bugs": sorted(name for name, outcome in seen.items() if outcome["known_bug"]),
        },
    )


# ---------------------------------------------------------------------------------------------------------------------
# Module and role entries: one playbook, in the background


def _task(entry: dict) -> dict:
    """The task that feeds the entry's input to its target."""
    target = TARGETS[entry["target"]]
    if target["kind"] == "module":
        args = {**target["base"], **(entry.get("input") or {})}
        if "container" in entry:
            args["container_definitions"] = [{**args["container_definitions"][0], **entry["container"]}]
        return {"name": f"{entry['id']} (run)", target["name"]: args}
    return {
        "name": f"{entry['id']} (run)",
        "ansible.builtin.include_role": {"name": target["name"]},
        "vars": {**target["base"], **(entry.get("input") or {})},
    }


def _outcome_task(entry: dict, failed: bool) -> dict:
    # A loop's own msg only says that an item failed: the failed items' messages follow it.
    message = (
        "{{ ([ansible_failed_result.msg | default('')] + (ansible_failed_result.results | default([])"
        " | selectattr('failed', 'defined') | selectattr('failed') | map(attribute='msg') | list)) | join('; ') }}"
    )
    outcome = {
        "failed": failed,
        "msg": message if failed else "",
        "task": "{{ ansible_failed_task.name }}" if failed else "",
        # where the recording stood when the entry ended, to split it per entry
        "recorded": "{{ query('ansible.builtin.url', bad_input_recording) | length }}",
    }
    return {"name": entry["id"], "ansible.builtin.set_fact": {_OUTCOME: outcome}}


def _run_batch(entries: list[dict], scratch: Path) -> dict:
    """Run the entries in one playbook, against a moto of their own; their outcomes by id."""
    moto = _recording_moto()
    try:
        return _run_batch_on(moto, entries, scratch)
    finally:
        moto.stop()


def _run_batch_on(moto: MotoServer, entries: list[dict], scratch: Path) -> dict:
    play = {
        "name": "Bad inputs",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": aws_defaults(moto.url),
        "vars": {
            "bad_input_moto_url": moto.url,
            "bad_input_empty_dir": str(scratch),
            "bad_input_recording": f"{moto.url}/moto-api/recorder/download-recording",
        },
        "tasks": [
            {"name": f"entry {entry['id']}", "block": [_task(entry), _outcome_task(entry, failed=False)], "rescue": [_outcome_task(entry, failed=True)]}
            for entry in entries
        ],
    }
    start = len(recording(moto))
    report = run_playbook([play])
    lines = recording(moto)
    results = {}
    for task in (task for play_report in report["plays"] for task in play_report["tasks"]):
        facts = task["hosts"].get("localhost", {}).get("ansible_facts", {})
        if _OUTCOME in facts:
            results[task["task"]["name"]] = dict(facts[_OUTCOME])
    for entry in entries:  # in the order they ran
        if entry["id"] in results:
            end = int(results[entry["id"]]["recorded"])
            results[entry["id"]]["actions"] = actions_of(lines[start:end])
            start = end
    return results


@pytest.fixture(scope="module")
def batch(request, tmp_path_factory):
    """The selected module and role entries, run in the background in BATCHES playbooks at once; a future by id."""
    selected = {item.callspec.id for item in request.session.items if hasattr(item, "callspec") and item.module is request.module}
    entries = [entry for entry in ENTRIES if not _is_deploy(entry) and entry["id"] in selected]
    scratch = tmp_path_factory.mktemp("bad-input-empty")
    with ThreadPoolExecutor(max_workers=BATCHES) as pool:
        futures = {}
        for number in range(BATCHES):
            share = entries[number::BATCHES]
            future = pool.submit(_run_batch, share, scratch)
            futures.update({entry["id"]: future for entry in share})
        yield futures


# ---------------------------------------------------------------------------------------------------------------------
# deploy.yml entries: one run each


@pytest.fixture(scope="module")
def deploy_vars_file(deploy_moto, tmp_path_factory):
    path = tmp_path_factory.mktemp("bad-input-deploy") / "deploy-vars.json"
    path.write_text(json.dumps({**DEPLOY_VARS, "aws_endpoint_url": deploy_moto.url}))
    return path


def docker_images() -> set[str]:
    """Images with our names on the Docker engine, as "name:tag id". The engine may be down a while: test_faults,
    in another xdist worker, stops it at stage boundaries and its next run starts it again."""
    deadline = time.monotonic() + 300
    while True:
        listed = subprocess.run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"], capture_output=True, text=True, check=False)
        if listed.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    listed.check_returncode()
    return {line for line in listed.stdout.splitlines() if "bad-input" in line}


def _remove_images(images: set[str]) -> None:
    """Remove the images a bad input got built (ours only: they carry our names)."""
    if images:
        subprocess.run(["docker", "image", "rm", *sorted(image.split()[0] for image in images)], capture_output=True, check=False)


def run_deploy(entry: dict, vars_file: Path) -> dict:
    """deploy.yml on the local inventory with the entry's -e; the failures (play, task, message) from the JSON report."""
    extra = entry["input"] if isinstance(entry["input"], str) else json.dumps(entry["input"])
    process = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "deploy.yml", "-i", "inventories/local", "-e", f"@{vars_file}", "-e", extra],
        cwd=REPO,
        env=ansible_env(ANSIBLE_CONFIG=str(REPO / "ansible.cfg")),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = process.stdout[-4000:] + process.stderr[-2000:]
    try:
        report = json.loads(process.stdout[process.stdout.index("{") :])
    except ValueError:
        # an error before the first play (a bad -e, say): no report, the message is on stderr
        return {"rc": process.returncode, "failures": [("", "", process.stderr.strip())], "output": output}
    failures = []
    for play in report["plays"]:
        for task in play["tasks"]:
            result = task["hosts"].get("localhost", {})
            if result.get("failed") and not result.get("ignore_errors"):
                items = [str(item.get("msg", "")) for item in result.get("results", []) if item.get("failed")]
                failures.append((play["play"]["name"], task["task"]["name"], "; ".join([str(result.get("msg", ""))] + items)))
    return {"rc": process.returncode, "failures": failures, "output": output}


# ---------------------------------------------------------------------------------------------------------------------
# Tests


def test_corpus_is_big_enough_and_well_formed():
    ids = [entry["id"] for entry in ENTRIES]
    assert len(ENTRIES) >= 30
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for entry in ENTRIES:
        assert set(entry) <= {"id", "target", "input", "container", "error", "hidden", "bug"}, entry["id"]
        assert entry["target"] in TARGETS, entry["id"]
        assert "input" in entry or "container" in entry, entry["id"]
        re.compile(entry["error"])
    for name, target in TARGETS.items():
        assert target["kind"] in ("module", "role", "playbook"), name
        assert any(entry["target"] == name for entry in ENTRIES), f"no entry for target {name}"


def test_the_module_base_is_valid():
    """So that each ecs_deploy entry fails for its own bad input, not for the base it is merged over."""
    from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import validate_options
    from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import with_defaults

    assert validate_options(with_defaults(TARGETS["ecs_deploy"]["base"])) == []


def _params() -> list:
    # deploy.yml entries first: they run while the batch of the others runs in the background
    params = []
    for entry in sorted(ENTRIES, key=lambda entry: not _is_deploy(entry)):
        marks = [pytest.mark.xfail(strict=True, reason=entry["bug"])] if entry.get("bug") else []
        params.append(pytest.param(entry, id=entry["id"], marks=marks))
    return params


@pytest.mark.parametrize("entry", _params())
def test_bad_input_is_rejected_before_any_write(entry, request, outcomes, batch):
    record = outcomes.setdefault(entry["id"], {"target": entry["target"], "rejected": False, "writes": [], "known_bug": bool(entry.get("bug"))})
    if _is_deploy(entry):
        deploy_moto = request.getfixturevalue("deploy_moto")
        images_before, start = docker_images(), len(recording(deploy_moto))
        run = run_deploy(entry, request.getfixturevalue("deploy_vars_file"))
        actions = actions_of(recording(deploy_moto)[start:])
        new_images = docker_images() - images_before
        _remove_images(new_images)
        record["writes"] = writes(actions)
        assert run["rc"] != 0 and run["failures"], f"deploy.yml accepted {entry['input']!r}:\n{run['output']}"
        play, task, message = run["failures"][0]
        assert re.search(entry["error"], message), f"{entry['input']!r} failed in {play!r} / {task!r} with: {message}"
        assert play in READ_ONLY_PLAYS, f"{entry['input']!r} was only stopped in the {play!r} play ({task!r}): {message}"
        assert not new_images, f"deploy.yml built images (now removed): {sorted(new_images)}"
    else:
        result = batch[entry["id"]].result().get(entry["id"])
        assert result is not None, f"{entry['id']}: the batch run stopped before this entry"
        actions, message = result["actions"], result["msg"]
        record["writes"] = writes(actions)
        assert result["failed"], f"{TARGETS[entry['target']]['name']} accepted {entry.get('input') or entry.get('container')!r}; calls: {actions}"
        assert re.search(entry["error"], message), f"{entry['id']} failed in {result['task']!r} with: {message}"
    for hidden in entry.get("hidden", []):
        assert hidden not in message, f"the message shows {hidden!r}"
    assert record["writes"] == [], f"write calls: {record['writes']} (all calls: {actions})"
    record["rejected"] = True
