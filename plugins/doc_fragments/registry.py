# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    # How the registry modules reach a registry's v2 API (module_utils/registry_http.py's REGISTRY_ARGUMENT_SPEC).
    DOCUMENTATION = r"""
options:
  registry:
    description: The registry, host[:port], as docker logs in to it.
    type: str
    required: true
  scheme:
    description: The v2 API's scheme; C(http) only for a loopback test registry.
    type: str
    choices: [http, https]
    default: https
  repository:
    description: The repository name.
    type: str
    required: true
  username:
    description: The registry user (C(AWS) for an ECR token).
    type: str
    default: ""
  password:
    description: The registry password (an ECR token's).
    type: str
    default: ""
  timeout:
    description: Seconds to wait for each answer.
    type: int
    default: 30
"""
