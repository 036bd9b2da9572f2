"""devops.fargate.local_stack_info on this machine: the local_stack role's one look before it changes anything (the host,
missing commands, running daemons, its files, the Docker engine and its images), compared with what the tools it
replaces say (start-stop-daemon, stat, sha256sum, docker)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from devkit.helpers import run_playbook
from devkit.helpers import task_result

IMAGE = "devops-fargate/python-base:bookworm"  # local_stack's base image: here whenever deploy.yml can build


def look(args: dict, *options: str) -> tuple[dict, dict]:
    """The module's result, and Ansible's facts of the same host."""
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "look", "devops.fargate.local_stack_info": args},
        {"name": "facts", "ansible.builtin.setup": {"gather_subset": ["!all", "!min", "distribution", "service_mgr", "user"]}},
    ]}]
    report = run_playbook(plays, *options)
    return task_result(report, "look"), task_result(report, "facts")["ansible_facts"]


def status(pid_file) -> int:
    return subprocess.run(["start-stop-daemon", "--status", "--pidfile", str(pid_file)], check=False).returncode


@pytest.fixture
def state_dir(tmp_path):
    state = tmp_path / "state"
    state.mkdir(mode=0o750)
    (state / "moto.env").write_text("MOTO_ECS_SERVICE_RUNNING=1\n")
    (state / "moto.env").chmod(0o640)
    (state / "moto.pid").write_text(f"{os.getpid()}\n")  # this process: alive
    ended = subprocess.Popen(["true"])
    ended.wait()
    (state / "registry.pid").write_text(f"{ended.pid}\n")  # a process that has ended
    os.chmod(state, 0o750)
    return state


@pytest.mark.parametrize("mode", ["run", "check"])
def test_the_look_says_what_the_tools_it_replaces_say(state_dir, mode):
    args = {"state_dir": str(state_dir), "commands": [sys.executable, "/usr/bin/no-such-command"],
            "daemons": ["moto", "registry", "dockerd"], "files": [".", "moto.env", "registry.yml"],
            "images": [IMAGE, "devops-fargate/no-such-image:none"]}
    result, facts = look(args, *(["--check"] if mode == "check" else []))

    assert result["changed"] is False
    assert result["missing_commands"] == ["/usr/bin/no-such-command"]
    assert [status(state_dir / f"{name}.pid") for name in ("moto", "registry", "dockerd")] == [0, 1, 3]
    assert result["running"] == {"moto": True, "registry": False, "dockerd": False}

    def stat_mode(path) -> str:
        return subprocess.run(["stat", "-c", "%A", str(path)], check=True, capture_output=True, text=True).stdout.strip()

    assert result["files"] == {
        ".": {"mode": stat_mode(state_dir), "sha256": None},
        "moto.env": {"mode": stat_mode(state_dir / "moto.env"), "sha256": hashlib.sha256(b"MOTO_ECS_SERVICE_RUNNING=1\n").hexdigest()},
        "registry.yml": {"mode": None, "sha256": None},
    }
    assert result["files"]["."]["mode"] == "drwxr-x---" and result["files"]["moto.env"]["mode"] == "-rw-r-----"

    engine = result["engine"]
    image_id = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", IMAGE], check=True, capture_output=True, text=True).stdout.strip()
    assert (engine["answers"], engine["error"]) == (True, None)
    assert [image["Id"] for image in engine["images"]] == [image_id]
    assert IMAGE in engine["images"][0]["RepoTags"]

    # What the role's checks read agrees with Ansible's facts, which the look no longer gathers.
    assert result["host"] == {"os_id": facts["ansible_distribution"].lower(), "debian_family": facts["ansible_os_family"] == "Debian",
                              "uid": int(facts["ansible_user_uid"]), "systemd": facts["ansible_service_mgr"] == "systemd"}
    assert "ansible_facts" not in result


def test_an_engine_that_does_not_answer_is_a_finding_not_a_failure(tmp_path):
    result, _ = look({"state_dir": str(tmp_path), "docker_host": f"unix://{tmp_path}/no-engine.sock", "images": [IMAGE]})
    assert result["engine"]["answers"] is False
    assert result["engine"]["images"] == []
    assert result["engine"]["error"].startswith(f"the Docker engine at unix://{tmp_path}/no-engine.sock does not answer: Error connecting")


def test_the_look_says_whether_the_registry_lets_moto_s_login_in_without_returning_it(state_dir, e2e_stack):
    """registry_login: moto asked for its ECR login (moto.pid says it runs), the htpasswd checked against it; the
    password never in the result. Not asked when moto does not run; null when moto cannot be asked."""
    import base64
    import bcrypt

    data = e2e_stack.client("ecr").get_authorization_token()["authorizationData"][0]
    username, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
    login = {"endpoint_url": e2e_stack.moto_url, "region": "us-east-1", "users_file": "registry.htpasswd", "cost": 5}
    htpasswd = state_dir / "registry.htpasswd"

    def current(**changes) -> object:
        result, _facts = look({"state_dir": str(state_dir), "daemons": ["moto"], "registry_login": dict(login, **changes)})
        assert password not in repr(result)
        return result["registry_login_current"]

    htpasswd.write_text(f"{username}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(5)).decode()}\n")
    assert current() is True
    assert current(cost=6) is False, "the wanted cost is part of the check"
    htpasswd.write_text(f"{username}:{bcrypt.hashpw(b'another-password', bcrypt.gensalt(5)).decode()}\n")
    assert current() is False
    assert current(endpoint_url="http://127.0.0.1:9") is None, "moto does not answer: unknown, the role asks it"
    (state_dir / "moto.pid").unlink()
    assert current() is None, "moto does not run: not asked"
