# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action behind this collection's modules (meta/runtime.yml routes them here).

The module runs in the task's worker when the target is the controller's own Python (see
plugins/plugin_utils/in_process.py), and as a usual module run (ansible.builtin.normal) otherwise.
"""

from __future__ import annotations

from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.utils.vars import merge_hash

from ansible_collections.devops.fargate.plugins.plugin_utils.in_process import runs_here
from ansible_collections.devops.fargate.plugins.plugin_utils.in_process import run_here


class ActionModule(NormalAction):

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        module_name = self._task.resolved_action or self._task.action
        if not runs_here(self, module_name, task_vars):
            return super().run(tmp, task_vars)
        result = super(NormalAction, self).run(tmp, task_vars)
        return merge_hash(result, run_here(self, module_name, self._task.args, task_vars))
