#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_deploy_info
short_description: What an ECS service managed by devops.fargate.ecs_deploy runs now
version_added: 0.1.0
description:
  - Returns the service's current task definition revision, each container's image and digest,
    its deployments and their rollout state, and the good revisions on record for rollback.
  - Two read calls; nothing is changed.
  - Returns too the fargate role's inventory variables that describe the service, to adopt a service already running.
author:
  - devops.fargate maintainers (@devops-fargate)
extends_documentation_fragment:
  - devops.fargate.ecs_service
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - devops.fargate.retries
  - devops.fargate.read_only
"""

EXAMPLES = r"""
- name: Look at the service
  devops.fargate.ecs_deploy_info:
    cluster: web
    service: web
  register: web

- name: Show the running revision
  ansible.builtin.debug:
    msg: "{{ web.task_definition_arn }} ({{ web.rollout_state }})"
"""

RETURN = r"""
exists:
  description: Whether the service exists (and is not INACTIVE).
  returned: always
  type: bool
task_definition_arn:
  description: The revision the service runs.
  returned: when exists
  type: str
revision:
  description: Its revision number.
  returned: when exists
  type: int
images:
  description: Each container's image, and its digest when the image is pinned by digest.
  returned: when exists
  type: list
  elements: dict
  contains:
    container:
      description: Container name.
      type: str
    image:
      description: Image reference.
      type: str
    digest:
      description: The digest part of the reference, if any.
      type: str
container_definitions:
  description: The running revision's container definitions, as ECS returns them (camelCase, as the API has them).
  returned: when exists
  type: list
  elements: dict
rollout_state:
  description: The primary deployment's rollout state.
  returned: when exists
  type: str
deployment_id:
  description: The primary deployment's id.
  returned: when exists
  type: str
deployments:
  description: The service's deployments as ECS reports them, in snake_case.
  returned: when exists
  type: list
  elements: dict
desired_count:
  description: Desired number of tasks.
  returned: when exists
  type: int
running_count:
  description: Running tasks.
  returned: when exists
  type: int
last_good_task_definition_arn:
  description: The revision of the last rollout that completed under ecs_deploy.
  returned: when exists
  type: str
previous_good_task_definition_arn:
  description: The good revision before it; what an on-demand rollback returns to.
  returned: when exists
  type: str
inventory_vars:
  description:
    - The fargate role's variables that describe the service as it runs now (C(fargate_service_name), C(fargate_cpu),
      C(fargate_image_repository), C(fargate_environment), C(fargate_subnets), C(fargate_deployment_strategy), ...), so
      that a team can adopt devops.fargate without redeploying; C(playbooks/import.yml) writes them to a file.
    - Tags that AWS, ECS or this project set are left out.
  returned: when exists
  type: dict
  sample:
    fargate_service_name: web
    fargate_cluster_name: prod
    fargate_cpu: 256
    fargate_memory: 512
    fargate_container_name: web
    fargate_image_repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web
    fargate_image_digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
inventory_notes:
  description: What the variables cannot say (a second container, another log driver, volumes, ...), for a person to decide.
  returned: when exists
  type: list
  elements: str
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.devops.fargate.plugins.module_utils.clients import aws_client
from ansible_collections.devops.fargate.plugins.module_utils.errors import fail_json_aws_error
from ansible_collections.devops.fargate.plugins.module_utils import ecs
from ansible_collections.devops.fargate.plugins.module_utils.inventory_import import inventory_vars
from ansible_collections.devops.fargate.plugins.module_utils.rollout import good_revisions_from_tags
from ansible_collections.devops.fargate.plugins.module_utils.rollout import primary_deployment


def _images(task_definition: dict) -> list[dict]:
    images = []
    for container in task_definition.get("containerDefinitions", []):
        image = container.get("image", "")
        digest = image.split("@", 1)[1] if "@" in image else None
        images.append({"container": container.get("name"), "image": image, "digest": digest})
    return images


def describe(client, cluster: str, name: str) -> dict:
    service = ecs.describe_service(client, cluster, name)
    if service is None:
        return {"exists": False}
    found = ecs.describe_task_definition(client, service["taskDefinition"]) or {}
    primary = primary_deployment(service) or {}
    last_good, previous_good = good_revisions_from_tags(service.get("tags"))
    variables, notes = inventory_vars(service, found.get("taskDefinition", {}))
    return {
        "exists": True,
        "task_definition_arn": service["taskDefinition"],
        "revision": int(service["taskDefinition"].rsplit(":", 1)[-1]),
        "images": _images(found.get("taskDefinition", {})),
        "container_definitions": found.get("taskDefinition", {}).get("containerDefinitions", []),
        "rollout_state": primary.get("rolloutState"),
        "deployment_id": primary.get("id"),
        "deployments": [camel_dict_to_snake_dict(d) for d in service.get("deployments", [])],
        "desired_count": service.get("desiredCount"),
        "running_count": service.get("runningCount"),
        "last_good_task_definition_arn": last_good,
        "previous_good_task_definition_arn": previous_good,
        "inventory_vars": variables,
        "inventory_notes": notes,
    }


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(cluster=dict(type="str", required=True), service=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    client = aws_client(module, "ecs")
    try:
        result = describe(client, module.params["cluster"], module.params["service"])
    except ecs.AnsibleECSError as e:
        fail_json_aws_error(module, e, service="ecs")
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
