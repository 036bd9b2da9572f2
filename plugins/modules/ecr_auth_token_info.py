#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_auth_token_info
short_description: Get and decode an ECR authorization token for docker login
version_added: 0.1.0
description:
  - Calls ECR C(GetAuthorizationToken) and decodes the token into the user name and password
    that C(docker login) takes, with the registry host taken from the token's proxy endpoint.
  - The result holds a secret. Always set C(no_log=true) on the task that calls this module
    and on every task that uses the registered password.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  registry_id:
    description:
      - The AWS account ID of the registry. Defaults to the caller's account.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - devops.fargate.retries
  - devops.fargate.read_only
"""

EXAMPLES = r"""
- name: Get the ECR login
  devops.fargate.ecr_auth_token_info:
  register: ecr_login
  no_log: true

- name: Log in to ECR
  community.docker.docker_login:
    registry_url: "{{ ecr_login.registry }}"
    username: "{{ ecr_login.username }}"
    password: "{{ ecr_login.password }}"
  no_log: true
"""

RETURN = r"""
registry:
  description: The registry host (and port) from the token's proxy endpoint.
  returned: success
  type: str
  sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
proxy_endpoint:
  description: The registry URL returned by ECR.
  returned: success
  type: str
  sample: https://123456789012.dkr.ecr.eu-west-1.amazonaws.com
username:
  description: The docker login user name (always C(AWS) on real ECR).
  returned: success
  type: str
  sample: AWS
password:
  description: The docker login password. A secret, valid for 12 hours.
  returned: success
  type: str
expires_at:
  description: When the token expires, in ISO 8601.
  returned: success
  type: str
  sample: "2026-11-27T11:00:00+00:00"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.devops.fargate.plugins.module_utils.clients import aws_client
from ansible_collections.devops.fargate.plugins.module_utils.errors import fail_json_aws_error
from ansible_collections.devops.fargate.plugins.module_utils.ecr import AnsibleECRError
from ansible_collections.devops.fargate.plugins.module_utils.registry import decode_authorization_token
from ansible_collections.devops.fargate.plugins.module_utils.ecr import get_authorization_data
from ansible_collections.devops.fargate.plugins.module_utils.ecr import registry_host


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(registry_id=dict(type="str")),
        supports_check_mode=True,
    )
    client = aws_client(module, "ecr")
    registry_id = module.params["registry_id"]
    try:
        data = get_authorization_data(client, [registry_id] if registry_id else None)
    except AnsibleECRError as e:
        fail_json_aws_error(module, e, service="ecr")
    if not data:
        module.fail_json(msg="ECR returned no authorization data")
    entry = data[0]
    try:
        username, password = decode_authorization_token(entry["authorizationToken"])
        registry = registry_host(entry["proxyEndpoint"])
    except ValueError as e:
        module.fail_json(msg=f"Failed to decode the ECR authorization token: {e}")
    module.exit_json(
        changed=False,
        registry=registry,
        proxy_endpoint=entry["proxyEndpoint"],
        username=username,
        password=password,
        expires_at=entry["expiresAt"].isoformat(),
    )


if __name__ == "__main__":
    main()
