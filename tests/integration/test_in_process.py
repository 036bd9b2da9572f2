"""This collection's modules run in the task's worker when the target is the controller's own Python
(plugins/plugin_utils/in_process.py), and give the result a usual module run gives. The usual run is the same
playbook with ansible_python_interpreter set to a wrapper of the same Python: another path, the same interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devkit.helpers import REPO, VENV_BIN, ansible_env, aws_defaults, run_playbook, task_result

ROLE = {"name": "in-process-execution", "assume_role_policy_document": '{"Version": "2012-10-17", "Statement": []}'}


@pytest.fixture(scope="module")
def wrapper(tmp_path_factory) -> str:
    """An interpreter path that is not sys.executable but runs it: the target is then not "this Python"."""
    path = tmp_path_factory.mktemp("interpreter") / "python"
    path.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    path.chmod(0o755)
    return str(path)


def plays(moto_url: str, network: dict) -> list[dict]:
    read = {"network": {"subnets": network["subnets"], "security_groups": network["security_groups"], "check_pull_path": False},
            "cluster": {"name": "in-process"}, "log_group": {"name": "/ecs/in-process"}, "roles": [ROLE]}
    return [{"hosts": "localhost", "gather_facts": False, "module_defaults": aws_defaults(moto_url), "tasks": [
        {"name": "read", "devops.fargate.fargate_prerequisites_info": read},
        {"name": "read in a loop", "devops.fargate.fargate_prerequisites_info": dict(read, cluster={"name": "{{ item }}"}), "loop": ["one", "two"]},
        {"name": "bad option", "devops.fargate.fargate_prerequisites_info": dict(read, no_such_option=1), "ignore_errors": True},
        {"name": "bad value", "devops.fargate.fargate_prerequisites_info": dict(read, cluster="not a dict"), "ignore_errors": True},
        # The connection from the task's environment alone: the module sees it as a target's process would.
        {"name": "environment", "devops.fargate.fargate_prerequisites_info": dict(read, access_key=None, secret_key=None),
         "environment": {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}, "module_defaults": {
             "group/devops.fargate.aws": {"endpoint_url": moto_url, "region": "us-east-1"}}},
        {"name": "check mode", "devops.fargate.fargate_prerequisites_info": read, "check_mode": True, "diff": True},
    ]}]


def both_ways(moto, network, wrapper) -> tuple[dict, dict]:
    here = run_playbook(plays(moto.url, network))
    usual = run_playbook(plays(moto.url, network), "-e", f"ansible_python_interpreter={wrapper}")
    return here, usual


def comparable(result: dict) -> dict:
    """A task's result without what differs between any two runs of it."""
    result = {key: value for key, value in result.items() if key not in ("_ansible_no_log",)}
    if "results" in result:
        result["results"] = [comparable(item) for item in result["results"]]
    return result


def test_the_result_is_the_one_a_usual_run_gives(moto, network, wrapper):
    here, usual = both_ways(moto, network, wrapper)
    for name in ("read", "read in a loop", "bad option", "bad value", "environment", "check mode"):
        assert comparable(task_result(here, name)) == comparable(task_result(usual, name)), name
    assert task_result(here, "read")["cluster"] == {"up_to_date": False, "status": ""}
    loop = task_result(here, "read in a loop")["results"]
    assert [item["invocation"]["module_args"]["cluster"]["name"] for item in loop] == ["one", "two"]
    assert "no_such_option" in task_result(here, "bad option")["msg"]
    assert not task_result(here, "environment").get("failed"), task_result(here, "environment").get("msg")


def verbose(playbook: Path, interpreter: str) -> str:
    process = subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={interpreter}",
                              "-vvvv", str(playbook)], cwd=REPO, env=ansible_env(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
                                                                                 ANSIBLE_CALLBACKS_ENABLED="ansible.posix.timer"),
                             capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stdout[-4000:] + process.stderr[-2000:]
    return process.stdout


def test_no_second_python_runs_when_the_target_is_this_one(moto, network, wrapper, tmp_path):
    playbook = tmp_path / "read.yml"
    play = plays(moto.url, network)[0]
    playbook.write_text(yaml.safe_dump([dict(play, tasks=play["tasks"][:1])]))
    here = verbose(playbook, sys.executable)
    assert "Running devops.fargate.fargate_prerequisites_info in the task's worker" in here
    assert "EXEC" not in here and "AnsiballZ" not in here
    usual = verbose(playbook, wrapper)
    assert "Running devops.fargate.fargate_prerequisites_info as a usual module: ansible_python_interpreter is not the controller's Python" in usual
    assert f"EXEC /bin/sh -c '{wrapper}" in usual
    # Both name the module file at -vvv, as the ecr role's molecule secrets check expects.
    named = [line for line in usual.splitlines() if line.startswith("Using module file ")]
    assert named and named[0].endswith("/devops/fargate/plugins/modules/fargate_prerequisites_info.py") and named[0] in here.splitlines()
