"""devops.fargate.module_warmup in ansible-playbook: a run records the module payloads it built, the next run of the
same playbook builds them beside it, and the run's own output and result are those of a run without it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devkit.helpers import REPO, VENV_BIN, ansible_env

PLAYBOOK = """
- name: Ask two modules
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
    - name: Stat
      ansible.builtin.stat:
        path: /
"""


def run(playbook: Path, local_tmp: Path) -> subprocess.CompletedProcess:
    environment = ansible_env(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_LOCAL_TEMP=str(local_tmp), ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
                              ANSIBLE_CALLBACKS_ENABLED="devops.fargate.module_warmup")
    process = subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-e", f"ansible_python_interpreter={sys.executable}", "-vvvv", str(playbook)],
                             cwd=REPO, env=environment, capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stdout[-4000:] + process.stderr[-2000:]
    return process


def test_the_next_run_builds_what_the_last_one_used_beside_it(tmp_path):
    playbook = tmp_path / "two.yml"
    playbook.write_text(PLAYBOOK)
    record = tmp_path / "local-tmp" / "devops-fargate-module-warmup.json"

    first = run(playbook, tmp_path / "local-tmp")
    assert "module_warmup: building" not in first.stdout
    assert json.loads(record.read_text()) == {str(playbook.resolve()): ["ansible.modules.ping", "ansible.modules.stat"]}

    second = run(playbook, tmp_path / "local-tmp")
    assert "module_warmup: building 2 module payloads beside the run: ansible.modules.ping, ansible.modules.stat" in second.stdout
    assert "ok=2" in second.stdout and "failed=0" in second.stdout
    # The run's temporary directory, with the payloads built in it, went with the run.
    assert [path.name for path in (tmp_path / "local-tmp").iterdir()] == ["devops-fargate-module-warmup.json"]
