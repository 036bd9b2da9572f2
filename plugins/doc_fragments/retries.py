# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # The one retry layer of the collection's AWS modules (plugins/module_utils/clients.py).
    DOCUMENTATION = r"""
options: {}
notes:
  - Each AWS call is retried by botocore's standard retry mode alone (throttling, transient errors, dropped
    connections; exponential backoff with jitter), up to 10 attempts in all. A C(retries) entry in O(aws_config),
    with its C(mode) and C(total_max_attempts), replaces that default. No other retry layer wraps the calls.
"""
