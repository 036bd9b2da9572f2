# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: module_warmup
type: aggregate
short_description: Builds, as a run starts, the module payloads the playbook's last runs used
version_added: 0.6.0
description:
  - Ansible builds a module's payload (AnsiballZ, the module with every module_utils file it imports, found by parsing
    them) the first time a run uses the module, in the worker about to run it. That takes about 0.2 s a module, each on the run's
    critical path. A run with nothing to change is mostly such module runs.
  - This callback remembers which payloads each playbook's runs built (the entries of the run's payload cache, in the
    order they were built, whichever task or action plugin asked for them), and when the same playbook starts again
    builds them, in that order, in a process of its own beside the run, into the new run's cache. A worker finds the
    payload there, or waits for the one being built (Ansible locks each entry).
  - Nothing that runs changes. The payloads are built by the function the workers use, with the same compression; one
    that cannot be built here (another ansible-core, a module gone) is built by the worker, as without this callback.
  - The record, the modules' Python names by playbook path and nothing else, is one JSON file beside Ansible's local
    temporary directories (C(DEFAULT_LOCAL_TMP)'s parent), kept for the last 32 playbooks.
requirements:
  - Enabled in C(callbacks_enabled).
"""

import importlib.util
import json
import os
import signal
import sys

from ansible import constants as C
from ansible.plugins.callback import CallbackBase

RECORD_NAME = "devops-fargate-module-warmup.json"
KEEP_PLAYBOOKS = 32
# The background build gives up after this long, whatever it was doing.
WARMUP_SECONDS = 120


def merged(previous: list[str], used: list[str]) -> list[str]:
    """The modules to build next time: those built this run, in their order, then the earlier runs' others (a no-op
    run after a run that built an image keeps the image's modules, behind its own)."""
    return list(dict.fromkeys([*used, *previous]))


def recorded(record: dict, key: str, used: list[str], keep: int = KEEP_PLAYBOOKS) -> dict:
    """The record with this playbook's modules merged in, most recent last, at most ``keep`` playbooks."""
    entries = {k: v for k, v in record.items() if k != key and isinstance(v, list)}
    entries[key] = merged(record.get(key) or [], used)
    return dict(list(entries.items())[-keep:])


def built_modules(cache: str) -> list[str]:
    """The Python names of the modules whose payloads are in an AnsiballZ cache directory, in the order they were built
    (Ansible names each entry ``<module>-<compression>-<extensions>`` and writes it whole, by a rename)."""
    try:
        entries = [e for e in os.scandir(cache) if e.is_file() and not e.name.endswith((".lock", "-part")) and e.name.count("-") >= 2]
    except OSError:
        return []
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    return list(dict.fromkeys(e.name.rsplit("-", 2)[0] for e in entries))


def build_payloads(modules: list[str]) -> None:
    """Build each module's payload (by its Python name) into this run's AnsiballZ cache, as a worker would
    (ansible.executor.module_common, with the configured compression and no task variables); one that fails is left to
    the worker."""
    # Imported here: only the background process needs them.
    from ansible.executor import module_common  # pylint: disable=import-outside-toplevel
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel

    compression = C.config.get_config_value("DEFAULT_MODULE_COMPRESSION")
    templar = Templar(loader=DataLoader())
    for module in modules:
        try:
            path = importlib.util.find_spec(module).origin
            if not path or not path.endswith(".py"):
                continue
            # The interpreter is named only so that no discovery is asked for: the cache entry does not depend on it.
            module_common.modify_module(module_name=module.rsplit(".", 1)[-1], module_path=path, module_args={}, templar=templar,
                                        task_vars={"ansible_python_interpreter": sys.executable}, module_compression=compression)
        except Exception:  # pylint: disable=broad-exception-caught
            continue


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "devops.fargate.module_warmup"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._record_path = os.path.join(os.path.dirname(C.DEFAULT_LOCAL_TMP), RECORD_NAME)
        self._key: str | None = None
        self._builder: int | None = None

    def _read_record(self) -> dict:
        try:
            with open(self._record_path, encoding="utf-8") as f:
                record = json.load(f)
            return record if isinstance(record, dict) else {}
        except (OSError, ValueError):
            return {}

    def v2_playbook_on_start(self, playbook) -> None:
        self._key = os.path.realpath(playbook._file_name)  # pylint: disable=protected-access
        names = self._read_record().get(self._key) or []
        if not names:
            return
        try:
            pid = os.fork()
        except OSError:
            return
        if pid:
            self._builder = pid
            self._display.vvvv(f"module_warmup: building {len(names)} module payloads beside the run: {', '.join(names)}")
            return
        # The background process: no output (nor the run's output streams held open), no exit handlers (the run's own,
        # such as removing its temporary directory, stay the run's), and an end whatever happens.
        try:
            signal.alarm(WARMUP_SECONDS)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            build_payloads(names)
        finally:
            os._exit(0)  # pylint: disable=protected-access

    def v2_playbook_on_stats(self, stats) -> None:
        if self._builder:
            try:
                if os.waitpid(self._builder, os.WNOHANG) == (0, 0):
                    os.kill(self._builder, signal.SIGKILL)
                    os.waitpid(self._builder, 0)
            except OSError:
                pass
        built = built_modules(os.path.join(C.DEFAULT_LOCAL_TMP, "ansiballz_cache"))
        if not self._key or not built:
            return
        record = recorded(self._read_record(), self._key, built)
        temporary = f"{self._record_path}.{os.getpid()}"
        try:
            with open(temporary, "w", encoding="utf-8") as f:
                json.dump(record, f, indent=1)
            os.replace(temporary, self._record_path)
        except OSError as e:
            self._display.vvvv(f"module_warmup: could not write {self._record_path}: {e}")
