"""devops.fargate.module_warmup: what it records and builds, and that what it builds is the entry the workers read
(the ansible-core payload cache's naming, which this callback relies on)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible import constants as C

from ansible_collections.devops.fargate.plugins.callback import module_warmup
from ansible_collections.devops.fargate.plugins.callback.module_warmup import built_modules
from ansible_collections.devops.fargate.plugins.callback.module_warmup import merged
from ansible_collections.devops.fargate.plugins.callback.module_warmup import recorded

REPO = Path(__file__).resolve().parents[4]
PING = "ansible.modules.ping"
ECS_DEPLOY = "ansible_collections.devops.fargate.plugins.modules.ecs_deploy"


def test_this_runs_modules_come_first_in_their_order_then_the_earlier_runs_others():
    assert merged(["a", "b", "c"], ["c", "d", "a"]) == ["c", "d", "a", "b"]
    assert merged([], ["x"]) == ["x"]


def test_the_record_keeps_the_most_recent_playbooks_and_moves_this_one_last():
    record = {f"/p{i}.yml": [f"m{i}"] for i in range(4)}
    kept = recorded(record, "/p1.yml", ["n"], keep=3)
    assert list(kept) == ["/p2.yml", "/p3.yml", "/p1.yml"]
    assert kept["/p1.yml"] == ["n", "m1"]


def test_a_record_entry_that_is_not_a_list_is_dropped():
    assert recorded({"/bad.yml": "x", "/good.yml": ["m"]}, "/new.yml", ["n"]) == {"/good.yml": ["m"], "/new.yml": ["n"]}


def test_the_built_modules_are_read_from_the_cache_in_the_order_they_were_built(tmp_path):
    for age, name in enumerate(["b.mod-ZIP_DEFLATED-none", "a.mod-ZIP_DEFLATED-none", "c.mod-ZIP_STORED-none"]):
        path = tmp_path / name
        path.write_bytes(b"x")
        os.utime(path, ns=(10**9 * (100 - age), 10**9 * (100 - age)))
    (tmp_path / "d.mod-ZIP_DEFLATED-none.lock").write_bytes(b"")
    (tmp_path / "e.mod-ZIP_DEFLATED-none-part").write_bytes(b"")
    assert built_modules(str(tmp_path)) == ["c.mod", "a.mod", "b.mod"]
    assert built_modules(str(tmp_path / "missing")) == []


# The builds run in a process of their own, set up as ansible-playbook's is (the collection loader, a run's temporary
# directory): the unit tests' own process imports the collection from its path and keeps it so.
BUILD = r"""
import importlib.util, json, sys
from ansible import constants as C
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader([sys.argv[1]])
C.DEFAULT_LOCAL_TMP = sys.argv[2]
from ansible.executor import module_common
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible_collections.devops.fargate.plugins.callback.module_warmup import build_payloads, built_modules
modules, worker = json.loads(sys.argv[3]), sys.argv[4]
build_payloads(modules)
built = built_modules(C.DEFAULT_LOCAL_TMP + "/ansiballz_cache")
def no_second_build(*args, **kwargs):
    raise AssertionError("the worker built the payload again: the warmed entry is not the one it reads")
module_common.recursive_finder = no_second_build
# As ActionBase._configure_module asks for it.
payload = module_common.modify_module(
    module_name=worker.rsplit(".", 1)[-1], module_path=importlib.util.find_spec(worker).origin, module_args={}, templar=Templar(loader=DataLoader()),
    task_vars={"ansible_python_interpreter": "/usr/bin/python3"},
    module_compression=C.config.get_config_value("DEFAULT_MODULE_COMPRESSION")).b_module_data if worker else b""
print(json.dumps({"built": built, "payload": b"_ansiballz_main" in payload}))
"""


def build(tmp_path, modules: list[str], worker: str = "") -> dict:
    process = subprocess.run([sys.executable, "-c", BUILD, str(REPO / "collections"), str(tmp_path), json.dumps(modules), worker],
                             capture_output=True, text=True, check=False, cwd=tmp_path)
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout)


@pytest.mark.parametrize("module", [PING, ECS_DEPLOY])
def test_what_it_builds_is_the_entry_a_worker_reads_without_building_again(tmp_path, module):
    assert build(tmp_path, [module], worker=module) == {"built": [module], "payload": True}


def test_a_module_it_cannot_build_is_left_to_the_worker(tmp_path):
    assert build(tmp_path, ["ansible_collections.devops.fargate.plugins.modules.no_such_module", PING])["built"] == [PING]


def test_the_record_lives_beside_the_runs_temporary_directories(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "DEFAULT_LOCAL_TMP", str(tmp_path / "ansible-local-1234abcd"), raising=False)
    assert module_warmup.CallbackModule()._record_path == str(tmp_path / "devops-fargate-module-warmup.json")
