# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one of this collection's modules in the task's worker process, as the AnsiballZ wrapper runs it on a target.

Our plays run on the controller itself: ``connection: local``, with ``ansible_python_interpreter`` set to
``ansible_playbook_python``. A usual module run there costs a payload, a second Python and a second import of
botocore: about 0.3 to 0.5 s a run, for what the worker already running in that same interpreter can do. When the
target is this very interpreter, ``execute_module`` runs the module through ansible-core's own entry point, the one the
wrapper calls once it has unpacked (``ansible.module_utils._internal._ansiballz._loader.run_module``). The module gets
the same arguments (``ActionBase._update_module_args``, encoded in the module's profile) and the task's environment,
and its output is parsed as ``ActionBase._execute_module`` parses it.

Anything else takes ``ActionBase._execute_module`` unchanged: another interpreter or connection, become, async, a
module that is not ours, or an ansible-core without that entry point (before 2.19).

The worker is a fork made for this one task, so what a module leaves in the interpreter (imports, the locale) goes away
with it. Only a loop's items share a worker. Module-side warnings and deprecations are global in
``ansible.module_utils.common.warnings``, so they are cleared before each run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import sys

from ansible.module_utils.common.json import Direction
from ansible.module_utils.common.json import get_module_encoder
from ansible.utils.display import Display
from ansible.vars.clean import remove_internal_keys

try:  # ansible-core 2.19 and later
    from ansible.module_utils import _internal
    from ansible.module_utils._internal._ansiballz import _loader
    from ansible.module_utils.common import warnings as module_warnings
except ImportError:  # pragma: no cover - older ansible-core: every run is a usual one
    _loader = None

display = Display()

COLLECTION = "devops.fargate"
# Our modules declare no METADATA, so AnsiballZ sends them their arguments in the legacy profile
# (tests/unit/plugins/plugin_utils/test_in_process.py keeps that true).
PROFILE = "legacy"
# The directory holding ansible_collections/devops/fargate: what the wrapper passes as the module's library path.
MODLIB_PATH = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 5))


def why_not_here(action, module_name: str, task_vars: dict) -> str:
    """Why ``module_name`` cannot run in this worker, or "" when it can: it is ours, and the target is this Python."""
    if _loader is None:
        return "this ansible-core has no in-process entry point"
    if not module_name.startswith(COLLECTION + "."):
        return "not one of this collection's modules"
    if getattr(action._connection, "transport", None) != "local":
        return "the connection is not local"
    if action._task.async_val:
        return "the task is async"
    if action._play_context.become:
        return "the task becomes another user"
    host_vars = task_vars
    if action._task.delegate_to:
        host_vars = (task_vars.get("ansible_delegated_vars") or {}).get(action._task.delegate_to) or {}
    interpreter = host_vars.get("ansible_python_interpreter")
    if interpreter is None:
        return "ansible_python_interpreter is not set"
    # The same path (written the same once normalised) is the same interpreter in the same environment; another path
    # to the same file need not be (a venv's python symlinked from elsewhere is not that venv's).
    if os.path.abspath(action._templar.template(interpreter)) != os.path.abspath(sys.executable):
        return "ansible_python_interpreter is not the controller's Python (%s)" % sys.executable
    return ""


def runs_here(action, module_name: str, task_vars: dict) -> bool:
    """Whether ``module_name`` runs in this worker; at -vvvv, why not when it does not."""
    reason = why_not_here(action, module_name, task_vars)
    if reason:
        display.vvvv("Running %s as a usual module: %s" % (module_name, reason))
    return not reason


@contextlib.contextmanager
def _as_on_a_target(environment: dict):
    """What a module sees on a target: the task's environment, module_utils in their target role (warnings go into
    the result), stdout and stderr of its own. Restored afterwards."""
    saved_environ = dict(os.environ)
    saved_controller = _internal.is_controller
    out, err = io.StringIO(), io.StringIO()
    os.environ.update({key: str(value) for key, value in environment.items()})
    _internal.is_controller = False
    module_warnings._global_warnings.clear()
    module_warnings._global_deprecations.clear()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield out, err
    finally:
        _internal.is_controller = saved_controller
        os.environ.clear()
        os.environ.update(saved_environ)


def run_here(action, module_name: str, module_args: dict, task_vars: dict) -> dict:
    """What ``ActionBase._execute_module`` returns, from a run of the module in this process."""
    module_args = dict(module_args)
    action._update_module_args(module_name, module_args, task_vars)
    encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
    json_params = json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder).encode()
    environment: dict = {}
    action._compute_environment_string(environment)
    namespace, collection, name = module_name.split(".", 2)
    module_fqn = "ansible_collections.%s.%s.plugins.modules.%s" % (namespace, collection, name)
    if display.verbosity >= 3:  # as a usual run says at -vvv (finding the file is runpy's work otherwise), then what differs
        display.vvv("Using module file %s" % importlib.util.find_spec(module_fqn).origin)
    display.vvv("Running %s in the task's worker: the target is this controller's Python" % module_name)
    rc = 0
    with _as_on_a_target(environment) as (out, err):
        try:
            _loader.run_module(json_params=json_params, profile=PROFILE, module_fqn=module_fqn, modlib_path=MODLIB_PATH, extensions={})
        except SystemExit as done:
            rc = done.code if isinstance(done.code, int) else 1
    action._used_interpreter = "#!" + sys.executable
    data = action._parse_returned_data(dict(rc=rc, stdout=out.getvalue(), stderr=err.getvalue()), PROFILE)
    # The rest of what ActionBase._execute_module does with a parsed result.
    data.pop("_ansible_suppress_tmpdir_delete", None)
    remove_internal_keys(data)
    for key in ("stdout", "stderr"):
        if key in data and key + "_lines" not in data:
            data[key + "_lines"] = (data.get(key) or "").splitlines()
    return data


def execute_module(action, module_name: str, module_args: dict, task_vars: dict) -> dict:
    """``action._execute_module(...)`` for an action's own module runs, made in this process when the target is this
    interpreter."""
    if not runs_here(action, module_name, task_vars):
        return action._execute_module(module_name=module_name, module_args=module_args, task_vars=task_vars)
    return run_here(action, module_name, module_args, task_vars)
