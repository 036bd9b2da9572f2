"""plugins/plugin_utils/in_process.py: when a module may run in the task's worker, and the process state a run there
sees and leaves. tests/integration/test_in_process.py compares such runs with usual ones through ansible-playbook."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from ansible.executor.module_common import _get_module_metadata
from ansible.module_utils import _internal
from ansible.module_utils.common import warnings as module_warnings

from ansible_collections.devops.fargate.plugins.plugin_utils import in_process

ROOT = Path(__file__).resolve().parents[4]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


class Templar:
    def template(self, value):
        return sys.executable if value == "{{ ansible_playbook_python }}" else value


def action(transport="local", async_val=0, become=False, delegate_to=None):
    return SimpleNamespace(_connection=SimpleNamespace(transport=transport), _templar=Templar(),
                           _task=SimpleNamespace(async_val=async_val, delegate_to=delegate_to), _play_context=SimpleNamespace(become=become))


HERE = {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}


def test_our_module_on_the_local_connection_with_this_python_runs_here():
    assert in_process.why_not_here(action(), "devops.fargate.ecs_deploy", HERE) == ""
    # The same path written another way is still this interpreter.
    written = os.path.join(os.path.dirname(sys.executable), os.pardir, os.path.basename(os.path.dirname(sys.executable)), os.path.basename(sys.executable))
    assert in_process.why_not_here(action(), "devops.fargate.ecs_deploy", {"ansible_python_interpreter": written}) == ""


@pytest.mark.parametrize("module_name, task_vars, given, reason", [
    ("community.docker.docker_login", HERE, {}, "not one of this collection's modules"),
    ("devops.fargate.ecs_deploy", HERE, {"transport": "ssh"}, "the connection is not local"),
    ("devops.fargate.ecs_deploy", HERE, {"async_val": 60}, "the task is async"),
    ("devops.fargate.ecs_deploy", HERE, {"become": True}, "the task becomes another user"),
    ("devops.fargate.ecs_deploy", {}, {}, "ansible_python_interpreter is not set"),
    ("devops.fargate.ecs_deploy", {"ansible_python_interpreter": "/usr/bin/python3"}, {}, "ansible_python_interpreter is not the controller's Python"),
    # Delegated: the delegated host's interpreter decides.
    ("devops.fargate.ecs_deploy", dict(HERE, ansible_delegated_vars={"other": {"ansible_python_interpreter": "/usr/bin/python3"}}),
     {"delegate_to": "other"}, "ansible_python_interpreter is not the controller's Python"),
])
def test_anything_else_is_a_usual_run(module_name, task_vars, given, reason):
    assert in_process.why_not_here(action(**given), module_name, task_vars).startswith(reason)


def test_the_module_sees_the_tasks_environment_and_a_targets_module_utils_and_both_are_restored(monkeypatch):
    monkeypatch.setenv("IN_PROCESS_KEPT", "before")
    monkeypatch.delenv("IN_PROCESS_ADDED", raising=False)
    module_warnings._global_warnings["left by an earlier item"] = None
    controller = _internal.is_controller
    with in_process._as_on_a_target({"IN_PROCESS_ADDED": 1, "IN_PROCESS_KEPT": "during"}) as (out, err):
        assert (os.environ["IN_PROCESS_ADDED"], os.environ["IN_PROCESS_KEPT"]) == ("1", "during")
        assert _internal.is_controller is False
        assert module_warnings._global_warnings == {}
        os.environ["IN_PROCESS_BY_THE_MODULE"] = "x"
        print("the result")
        print("a complaint", file=sys.stderr)
    assert (out.getvalue(), err.getvalue()) == ("the result\n", "a complaint\n")
    assert os.environ["IN_PROCESS_KEPT"] == "before"
    assert "IN_PROCESS_ADDED" not in os.environ and "IN_PROCESS_BY_THE_MODULE" not in os.environ
    assert _internal.is_controller is controller


def test_every_module_takes_its_arguments_in_the_profile_a_run_here_sends():
    for name in MODULES:
        metadata = _get_module_metadata(ast.parse((ROOT / "plugins" / "modules" / f"{name}.py").read_text()))
        assert metadata.serialization_profile == in_process.PROFILE, name


def test_every_module_without_an_action_of_its_own_is_routed_to_the_in_process_action():
    own = {path.stem for path in (ROOT / "plugins" / "action").glob("*.py")}
    routing = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["plugin_routing"]["modules"]
    assert {name for name in MODULES if name not in own} == {name for name, route in routing.items() if route == {"action_plugin": "devops.fargate.in_process"}}


def test_the_library_path_is_the_one_holding_this_collection():
    assert (Path(in_process.MODLIB_PATH) / "ansible_collections" / "devops" / "fargate" / "plugins" / "modules" / "ecs_deploy.py").is_file()
