"""Ansible imports every filter file of the collection, in the worker of each task that uses any of its filters: a file
that imports boto3 or botocore at its top makes every such task pay for them (measured: 0.20-0.27 s a task, against
0.05-0.07 s).
Each filter file loads them on first use instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FILES = sorted(path.stem for path in (Path(__file__).parents[4] / "plugins" / "filter").glob("*.py"))
HEAVY = ("boto3", "botocore")


@pytest.mark.parametrize("name", FILES)
def test_loading_a_filter_file_imports_neither_boto3_nor_botocore(name):
    code = (f"import sys, ansible_collections.devops.fargate.plugins.filter.{name} as m; m.FilterModule().filters(); "
            f"print(sorted(n for n in {HEAVY!r} if n in sys.modules))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    found = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env).stdout.strip()
    assert found == "[]", f"plugins/filter/{name}.py imports {found} when Ansible loads it"


def test_ansible_builtin_filters_load_without_passlib():
    """Ansible loads all its builtin filter files in the worker of each task that uses any of them, and its core filters
    import passlib (and the deprecated crypt module) whenever it is installed. The controller's requirements leave it out:
    the registry's htpasswd entry is hashed with bcrypt itself (devops.fargate.htpasswd_entry)."""
    code = "import sys, ansible.plugins.filter.core; print(sorted(n for n in ('passlib', 'crypt') if n in sys.modules))"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    found = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env).stdout.strip()
    assert found == "[]", f"Ansible's builtin filters import {found}: requirements/controller.txt must not bring passlib"
    requirements = (Path(__file__).parents[4] / "requirements" / "controller.txt").read_text()
    assert "passlib" not in [line.split("=")[0].strip() for line in requirements.splitlines()]


def test_checking_the_fargate_inputs_loads_no_boto3():
    """The fargate role checks its inputs twice a run (the preflight and the role), each in a worker of its own: the
    ecs_deploy_errors filter checks the module's options without loading the deployment's code, which imports boto3
    and amazon.aws's module_utils (about 0.2 s a check)."""
    code = ("import sys; from ansible_collections.devops.fargate.plugins.filter.ecs_deploy import ecs_deploy_errors; "
            "print(ecs_deploy_errors({'cluster': 'c', 'service': 's', 'state': 'absent'})); "
            "print(sorted(n for n in sys.modules if n == 'boto3' or n.startswith('ansible_collections.amazon.aws')))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    errors, found = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env).stdout.split("\n")[:2]
    assert errors == "[]"
    assert found == "[]", f"ecs_deploy_errors loads {found}"
