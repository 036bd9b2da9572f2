# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test and benchmark probe: times each play (stage) of a run, marks where its AWS calls start in
moto's recording, and can inject a fault at a stage boundary.

Not part of the collection. Enable it with
  ANSIBLE_CALLBACK_PLUGINS=<repo>/tests/integration/callback_plugins
  ANSIBLE_CALLBACKS_ENABLED=...,stage_probe
and these environment variables:
  STAGE_PROBE_OUT        write {"stages": [{"play", "seconds", "first_call"}], "seconds", "calls"} here (JSON)
  STAGE_PROBE_MOTO       moto's URL: each stage's first_call is the length of its recording when the stage
                         starts (the caller starts the recorder and splits the recording with these offsets)
  STAGE_PROBE_FAULT_AT   the name of a play: just before it starts, ...
  STAGE_PROBE_FAULT_CMD  ... this shell command runs (kill a server, stop a proxy), once
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: stage_probe
type: aggregate
short_description: Per-stage timings, API-call offsets and fault injection for tests and benchmarks
description: See the module docstring.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "stage_probe"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._out = os.environ.get("STAGE_PROBE_OUT")
        self._moto = os.environ.get("STAGE_PROBE_MOTO")
        self._fault_at = os.environ.get("STAGE_PROBE_FAULT_AT")
        self._fault_cmd = os.environ.get("STAGE_PROBE_FAULT_CMD")
        self._start = time.monotonic()
        self._stages = []

    def _calls(self):
        if not self._moto:
            return None
        try:
            with urllib.request.urlopen(self._moto + "/moto-api/recorder/download-recording", timeout=10) as response:
                return sum(1 for line in response.read().splitlines() if line.strip())
        except OSError:
            return None

    def _close_stage(self):
        if self._stages and "seconds" not in self._stages[-1]:
            stage = self._stages[-1]
            stage["seconds"] = round(time.monotonic() - stage.pop("_start"), 3)

    def v2_playbook_on_play_start(self, play):
        self._close_stage()
        name = play.get_name().strip()
        if self._fault_at and self._fault_cmd and name == self._fault_at:
            subprocess.run(self._fault_cmd, shell=True, check=False)
            self._fault_cmd = None
        self._stages.append({"play": name, "first_call": self._calls(), "_start": time.monotonic()})

    def v2_playbook_on_stats(self, stats):
        self._close_stage()
        if self._out:
            report = {"stages": self._stages, "seconds": round(time.monotonic() - self._start, 3), "calls": self._calls()}
            with open(self._out, "w", encoding="utf-8") as handle:
                json.dump(report, handle, indent=1)
