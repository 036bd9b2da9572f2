#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: registry_image_info
short_description: What tags or digests point at in an ECR (or v2) registry, and the image's platform
version_added: 0.2.0
description:
  - Asks the registry's v2 API (C(GET /v2/<repository>/manifests/<reference>)) what each tag or digest points at,
    with one request a reference, and for O(config_reference) also reads the image config (one more request) for its
    architecture, OS and labels.
  - ECR serves this API at C(https://<account>.dkr.ecr.<region>.amazonaws.com) with the user and password of an ECR
    authorization token (M(devops.fargate.ecr_auth_token_info)); the local stand-in registry serves it too, which
    ECR's own C(DescribeImages) API (moto's) cannot do for images pushed there.
  - Read-only. Basic authentication only (ECR and htpasswd registries), no bearer-token flow.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  references:
    description: Tags or C(sha256:) digests to look up.
    type: list
    elements: str
    required: true
  config_reference:
    description: The reference whose image config (architecture, OS, labels) to read, when found. Empty reads none.
    type: str
    default: ""
extends_documentation_fragment:
  - devops.fargate.registry
  - devops.fargate.read_only
"""

EXAMPLES = r"""
- name: Is this version in the registry already?
  devops.fargate.registry_image_info:
    registry: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
    repository: fargate-demo
    references: [v1.4.0, latest]
    config_reference: v1.4.0
    username: "{{ ecr_login.username }}"
    password: "{{ ecr_login.password }}"
  register: found
  no_log: true
"""

RETURN = r"""
found:
  description: Each reference the registry has, with its manifest digest, media type and config digest
    (or the platforms of a multi-platform index). References it lacks are left out.
  returned: success
  type: dict
  sample: {"v1.4.0": {"digest": "sha256:5d1c...", "media_type": "application/vnd.docker.distribution.manifest.v2+json",
           "config_digest": "sha256:9f2e...", "platforms": []}}
missing:
  description: The references the registry does not have.
  returned: success
  type: list
  elements: str
image:
  description: The image O(config_reference) points at, or null when not asked for or not found.
  returned: success
  type: dict
  contains:
    digest: {description: "The manifest digest, what a task definition pins.", type: str}
    architectures: {description: "Its architectures (Docker names, e.g. amd64)", type: list, elements: str}
    ecs_cpu_architecture: {description: "The ECS cpuArchitecture to run it on (X86_64 first for a multi-platform image)", type: str}
    os: {description: "Its OS.", type: str}
    labels: {description: "The image config's labels (org.opencontainers.image.version, ...).", type: dict}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.devops.fargate.plugins.module_utils.registry import RegistryError
from ansible_collections.devops.fargate.plugins.module_utils.registry import basic_auth
from ansible_collections.devops.fargate.plugins.module_utils.registry import describe_references
from ansible_collections.devops.fargate.plugins.module_utils.registry import pick_ecs_architecture
from ansible_collections.devops.fargate.plugins.module_utils.registry_http import REGISTRY_ARGUMENT_SPEC
from ansible_collections.devops.fargate.plugins.module_utils.registry_http import make_fetch


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            **REGISTRY_ARGUMENT_SPEC,
            references=dict(type="list", elements="str", required=True),
            config_reference=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    p = module.params
    api = f"{p['scheme']}://{p['registry']}/v2"
    try:
        result = describe_references(
            make_fetch(p["timeout"]), api, p["repository"], p["references"], basic_auth(p["username"], p["password"]), p["config_reference"] or None
        )
    except RegistryError as e:
        module.fail_json(msg=f"Failed to read {p['repository']} from the registry {p['registry']}: {e}")
    image = result["image"]
    if image is not None:
        image["ecs_cpu_architecture"] = pick_ecs_architecture(image["architectures"])
    module.exit_json(
        changed=False, found=result["found"], missing=[r for r in p["references"] if r not in result["found"]], image=image
    )


if __name__ == "__main__":
    main()
