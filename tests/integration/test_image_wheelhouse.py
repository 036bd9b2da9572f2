"""The image role and scripts/wheelhouse.sh stamp a wheelhouse alike: one made by either is current for the other, so
a deploy after `make wheelhouse` (as every test project copy takes it along) downloads nothing and reports no change."""

from __future__ import annotations

import hashlib
import subprocess

from devkit.helpers import REPO
from devkit.helpers import run_playbook
from devkit.helpers import task_result


def test_the_roles_requirements_stamp_is_the_one_wheelhouse_sh_writes():
    requirements = REPO / "app" / "requirements.txt"
    plays = [{"hosts": "localhost", "gather_facts": False,
              "vars_files": [str(REPO / "roles" / "image" / "defaults" / "main.yml"), str(REPO / "roles" / "image" / "vars" / "main.yml")],
              "tasks": [{"name": "stamp", "ansible.builtin.debug": {"var": "__image_requirements_sha256"}}]}]
    role_stamp = task_result(run_playbook(plays, "-e", f"image_source_dir={REPO}"), "stamp")["__image_requirements_sha256"]
    # What scripts/wheelhouse.sh writes to .requirements.sha256: sha256sum of the file, its last newline included.
    script_stamp = subprocess.run(["sha256sum", str(requirements)], check=True, capture_output=True, text=True).stdout.split()[0]
    assert role_stamp == script_stamp == hashlib.sha256(requirements.read_bytes()).hexdigest()
