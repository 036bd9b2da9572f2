#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: registry_image_tag
short_description: Point tags at an image an ECR (or v2) registry already holds, without pulling or pushing layers
version_added: 0.2.0
description:
  - Reads the manifest O(source) points at and puts the same bytes under each of O(tags) that does not point at it
    yet (C(PUT /v2/<repository>/manifests/<tag>)), so the digest stays the same; this is how ECR documents retagging
    (the C(ecr:PutImage) permission).
  - Used to move tags such as C(latest) or C(production) onto an image built elsewhere and promoted by its version.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  source:
    description: The image to tag, by tag or C(sha256:) digest.
    type: str
    required: true
  tags:
    description: The tags to point at it. An immutable tag that points elsewhere makes the registry refuse.
    type: list
    elements: str
    required: true
attributes:
  check_mode:
    support: full
    description: Reports the tags a real run would move, and moves none.
  diff_mode:
    support: none
    description: The result's C(before) has each moved tag's previous digest.
  idempotent:
    support: full
    description: A tag that already points at the image is left alone.
extends_documentation_fragment:
  - devops.fargate.registry
"""

EXAMPLES = r"""
- name: Point latest and production at the promoted version
  devops.fargate.registry_image_tag:
    registry: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
    repository: fargate-demo
    source: v1.4.0
    tags: [latest, production]
    username: "{{ ecr_login.username }}"
    password: "{{ ecr_login.password }}"
  no_log: true
"""

RETURN = r"""
digest:
  description: The manifest digest the tags now point at.
  returned: success
  type: str
tagged:
  description: The tags that were (or in check mode would be) moved.
  returned: success
  type: list
  elements: str
before:
  description: Each moved tag's previous digest (null for a new tag).
  returned: success
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.devops.fargate.plugins.module_utils.registry import RegistryError
from ansible_collections.devops.fargate.plugins.module_utils.registry import basic_auth
from ansible_collections.devops.fargate.plugins.module_utils.registry import retag
from ansible_collections.devops.fargate.plugins.module_utils.registry_http import REGISTRY_ARGUMENT_SPEC
from ansible_collections.devops.fargate.plugins.module_utils.registry_http import make_fetch


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            **REGISTRY_ARGUMENT_SPEC,
            source=dict(type="str", required=True),
            tags=dict(type="list", elements="str", required=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    api = f"{p['scheme']}://{p['registry']}/v2"
    try:
        result = retag(
            make_fetch(p["timeout"]), api, p["repository"], p["source"], p["tags"], basic_auth(p["username"], p["password"]), module.check_mode
        )
    except RegistryError as e:
        module.fail_json(msg=f"Failed to tag {p['repository']}:{p['source']} as {', '.join(p['tags'])}: {e}")
    module.exit_json(changed=bool(result["tagged"]), **result)


if __name__ == "__main__":
    main()
