#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecr_repository
short_description: Manage an ECR repository, changing only the settings that are given
version_added: 0.1.0
description:
  - Creates, updates or deletes an Amazon ECR repository with its scan-on-push setting, tag
    mutability, encryption, lifecycle policy, repository policy and tags.
  - An option left unset is not managed, also on an existing repository. In particular, leaving
    out O(image_tag_mutability) never turns an V(IMMUTABLE) repository V(MUTABLE).
  - Every input is validated before any call that writes. Errors name the option and, for
    lifecycle policies, the rule.
  - ECR cannot change a repository's encryption after it is created. When O(encryption_type) or
    O(kms_key) differ from the repository's, the module fails and changes nothing.
  - Returns which settings changed (RV(changes)), so the same result drives C(changed)
    and C(--diff).
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  name:
    description:
      - The repository name, for example V(team/service). Lowercase letters, digits, and V(.),
        V(_), V(__), V(-) between them; components separated by V(/); 2 to 256 characters.
    type: str
    required: true
    aliases: [repository_name]
  registry_id:
    description:
      - The AWS account ID of the registry. Defaults to the caller's account.
    type: str
  state:
    description:
      - V(present) creates or updates the repository, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), delete the repository even when it still holds images.
      - Without it, deleting a repository with images fails before any change.
    type: bool
    default: false
  scan_on_push:
    description:
      - Whether images are scanned for vulnerabilities when pushed. Not managed when unset.
    type: bool
  image_tag_mutability:
    description:
      - Whether tags can be moved to another image. Not managed when unset (a new repository
        is then V(MUTABLE), as ECR makes it).
      - The C(_WITH_EXCLUSION) variants take O(image_tag_mutability_exclusion_filters). With
        V(IMMUTABLE_WITH_EXCLUSION), tags matching a filter stay movable (for example V(latest)).
    type: str
    choices: [MUTABLE, IMMUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]
  image_tag_mutability_exclusion_filters:
    description:
      - Tag filters (1 to 5; letters, digits, V(.), V(_), V(-) and the wildcard V(*)) that are
        exempt from O(image_tag_mutability). Only with a C(_WITH_EXCLUSION) mutability. Order
        does not matter.
    type: list
    elements: str
  encryption_type:
    description:
      - How images are encrypted at rest. Only set when the repository is created; a different
        value on an existing repository is an error. Not managed when unset (ECR then uses V(AES256)).
    type: str
    choices: [AES256, KMS, KMS_DSSE]
  kms_key:
    description:
      - The KMS key (ARN or key id) for O(encryption_type=KMS) or V(KMS_DSSE). Without it ECR
        uses the C(aws/ecr) managed key. A key given as an alias is not compared.
    type: str
  lifecycle_policy:
    description:
      - The lifecycle policy, as a mapping or JSON text with a C(rules) list. Rules are compared
        by content, in any order. An empty mapping removes the policy. Not managed when unset.
      - Each rule needs a unique integer C(rulePriority), C(selection.tagStatus) V(tagged)
        (with C(tagPrefixList) or C(tagPatternList)), V(untagged) or V(any) (highest priority
        only), C(selection.countType) V(imageCountMoreThan) or V(sinceImagePushed) (with
        C(countUnit=days)), a C(countNumber) of at least 1 and C(action.type=expire).
    type: json
  policy:
    description:
      - The repository policy (an IAM policy document), as a mapping or JSON text. Compared
        after normalisation, so order and formatting do not matter. An empty mapping removes
        the policy. Not managed when unset.
    type: json
attributes:
  check_mode:
    support: full
    description: Reads the repository and returns the state it would have, without writing.
  diff_mode:
    support: full
    description: Shows the changed settings before and after.
  idempotent:
    support: full
    description: A second run with the same options changes nothing.
notes:
  - Needs C(ecr:DescribeRepositories), C(ecr:GetLifecyclePolicy), C(ecr:GetRepositoryPolicy),
    C(ecr:ListTagsForResource), and for changes the matching C(Create), C(Put), C(Set),
    C(Delete), C(TagResource) and C(UntagResource) permissions. Check mode on a repository that
    does not exist yet also calls C(ecr:DescribeRegistry).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - devops.fargate.retries
"""

EXAMPLES = r"""
- name: An immutable, scanned repository that keeps the last 30 tagged images
  devops.fargate.ecr_repository:
    name: team/fargate-demo
    scan_on_push: true
    image_tag_mutability: IMMUTABLE
    encryption_type: AES256
    lifecycle_policy:
      rules:
        - rulePriority: 1
          description: Expire untagged images after 14 days
          selection: {tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: 14}
          action: {type: expire}
        - rulePriority: 2
          description: Keep the last 30 tagged images
          selection: {tagStatus: tagged, tagPatternList: ["*"], countType: imageCountMoreThan, countNumber: 30}
          action: {type: expire}
    tags:
      service: fargate-demo

- name: Versions are immutable, latest and the environment name move
  devops.fargate.ecr_repository:
    name: team/fargate-demo
    image_tag_mutability: IMMUTABLE_WITH_EXCLUSION
    image_tag_mutability_exclusion_filters: [latest, staging]

- name: Delete the repository and its images
  devops.fargate.ecr_repository:
    name: team/fargate-demo
    state: absent
    force: true
"""

RETURN = r"""
created:
  description: Whether the repository was created (or would be, in check mode).
  returned: always
  type: bool
deleted:
  description: Whether the repository was deleted (or would be, in check mode).
  returned: always
  type: bool
changes:
  description:
    - The settings that were set or changed, out of V(scan_on_push), V(image_tag_mutability),
      V(encryption), V(lifecycle_policy), V(policy) and V(tags). On creation, every managed setting.
  returned: always
  type: list
  elements: str
  sample: [image_tag_mutability, tags]
repository:
  description: The repository after the change (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    repository_name:
      description: The repository name.
      type: str
      sample: team/fargate-demo
    repository_arn:
      description: The repository ARN.
      type: str
      sample: arn:aws:ecr:eu-west-1:123456789012:repository/team/fargate-demo
    repository_uri:
      description: Where images are pushed, C(<registry>/<name>).
      type: str
      sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/fargate-demo
    registry_id:
      description: The registry's AWS account ID.
      type: str
      sample: "123456789012"
    created_at:
      description: When the repository was created, in ISO 8601; null in check mode before creation.
      type: str
    image_tag_mutability:
      description: The tag mutability.
      type: str
      sample: IMMUTABLE
    image_tag_mutability_exclusion_filters:
      description: The wildcard filters exempt from the tag mutability, sorted.
      type: list
      elements: str
      sample: [latest]
    scan_on_push:
      description: Whether images are scanned on push.
      type: bool
    encryption_type:
      description: The encryption type.
      type: str
      sample: AES256
    kms_key:
      description: The KMS key ARN, for KMS encryption.
      type: str
    lifecycle_policy:
      description: The lifecycle policy, or null.
      type: dict
    policy:
      description: The repository policy, or null.
      type: dict
    tags:
      description: The repository's tags.
      type: dict
      sample: {service: fargate-demo}
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.devops.fargate.plugins.module_utils.clients import aws_client
from ansible_collections.devops.fargate.plugins.module_utils.ecr import AnsibleECRError
from ansible_collections.devops.fargate.plugins.module_utils.ecr import create_repository
from ansible_collections.devops.fargate.plugins.module_utils.ecr import create_repository_params
from ansible_collections.devops.fargate.plugins.module_utils.ecr import created_fields
from ansible_collections.devops.fargate.plugins.module_utils.ecr import current_settings
from ansible_collections.devops.fargate.plugins.module_utils.ecr import delete_lifecycle_policy
from ansible_collections.devops.fargate.plugins.module_utils.ecr import delete_repository
from ansible_collections.devops.fargate.plugins.module_utils.ecr import delete_repository_policy
from ansible_collections.devops.fargate.plugins.module_utils.ecr import describe_registry_id
from ansible_collections.devops.fargate.plugins.module_utils.ecr import describe_repository
from ansible_collections.devops.fargate.plugins.module_utils.ecr import describe_result
from ansible_collections.devops.fargate.plugins.module_utils.ecr import encryption_mismatch
from ansible_collections.devops.fargate.plugins.module_utils.ecr import get_lifecycle_policy_text
from ansible_collections.devops.fargate.plugins.module_utils.ecr import get_repository_policy_text
from ansible_collections.devops.fargate.plugins.module_utils.ecr import lifecycle_policy_errors
from ansible_collections.devops.fargate.plugins.module_utils.ecr import list_repository_tags
from ansible_collections.devops.fargate.plugins.module_utils.ecr import new_repository_settings
from ansible_collections.devops.fargate.plugins.module_utils.ecr import predicted_settings
from ansible_collections.devops.fargate.plugins.module_utils.ecr import put_lifecycle_policy
from ansible_collections.devops.fargate.plugins.module_utils.ecr import put_scan_on_push
from ansible_collections.devops.fargate.plugins.module_utils.ecr import put_tag_mutability
from ansible_collections.devops.fargate.plugins.module_utils.ecr import repository_has_images
from ansible_collections.devops.fargate.plugins.module_utils.ecr import repository_name_error
from ansible_collections.devops.fargate.plugins.module_utils.ecr import set_repository_policy
from ansible_collections.devops.fargate.plugins.module_utils.ecr import settings_changes
from ansible_collections.devops.fargate.plugins.module_utils.ecr import tag_mutability_errors
from ansible_collections.devops.fargate.plugins.module_utils.ecr import tag_repository
from ansible_collections.devops.fargate.plugins.module_utils.ecr import untag_repository
from ansible_collections.devops.fargate.plugins.module_utils.errors import access_denied_message
from ansible_collections.devops.fargate.plugins.module_utils.errors import job_for


def _json_option(params: dict, option: str, errors: list[str]) -> dict | None:
    """A json option parsed; None when unset, {} when empty."""
    value = params[option]
    if value is None:
        return None
    try:
        parsed = json.loads(value) if value.strip() else {}
    except ValueError as e:
        errors.append(f"{option} is not valid JSON: {e}")
        return None
    if not isinstance(parsed, dict):
        errors.append(f"{option} must be a mapping (got {type(parsed).__name__})")
        return None
    return parsed


def _wanted_settings(params: dict) -> tuple[dict, list[str]]:
    """The wanted settings from the module options, and every input error."""
    errors = []
    name_error = repository_name_error(params["name"])
    if name_error:
        errors.append(name_error)
    errors += tag_mutability_errors(params["image_tag_mutability"], params["image_tag_mutability_exclusion_filters"])
    if params["kms_key"] and params["encryption_type"] not in ("KMS", "KMS_DSSE"):
        errors.append(f"kms_key needs encryption_type KMS or KMS_DSSE (got {params['encryption_type']})")
    lifecycle_policy = _json_option(params, "lifecycle_policy", errors)
    if lifecycle_policy:
        errors += lifecycle_policy_errors(lifecycle_policy)
    policy = _json_option(params, "policy", errors)
    if policy and not isinstance(policy.get("Statement"), list):
        errors.append("policy must have a Statement list")
    wanted = {
        "scan_on_push": params["scan_on_push"],
        "image_tag_mutability": params["image_tag_mutability"],
        "image_tag_mutability_exclusion_filters": params["image_tag_mutability_exclusion_filters"],
        "encryption_type": params["encryption_type"],
        "kms_key": params["kms_key"],
        "lifecycle_policy": lifecycle_policy,
        "policy": policy,
        "tags": params["tags"],
    }
    return wanted, errors


def read_repository(client, name: str, registry_id: str | None) -> tuple[dict, dict] | None:
    """The repository's description and its current settings, or None when it does not exist."""
    repository = describe_repository(client, name, registry_id)
    if repository is None:
        return None
    settings = current_settings(
        repository,
        get_lifecycle_policy_text(client, name, registry_id),
        get_repository_policy_text(client, name, registry_id),
        list_repository_tags(client, repository["repositoryArn"]),
    )
    return repository, settings


def apply_settings(client, name: str, registry_id: str | None, arn: str, current: dict, wanted: dict, fields: list[str], purge_tags: bool) -> None:
    if "scan_on_push" in fields:
        put_scan_on_push(client, name, wanted["scan_on_push"], registry_id)
    if "image_tag_mutability" in fields:
        put_tag_mutability(client, name, wanted["image_tag_mutability"], wanted["image_tag_mutability_exclusion_filters"] or [], registry_id)
    if "lifecycle_policy" in fields:
        if wanted["lifecycle_policy"]:
            put_lifecycle_policy(client, name, wanted["lifecycle_policy"], registry_id)
        else:
            delete_lifecycle_policy(client, name, registry_id)
    if "policy" in fields:
        if wanted["policy"]:
            set_repository_policy(client, name, wanted["policy"], registry_id)
        else:
            delete_repository_policy(client, name, registry_id)
    if "tags" in fields:
        to_set, to_unset = compare_aws_tags(current["tags"], wanted["tags"], purge_tags)
        if to_unset:
            untag_repository(client, arn, to_unset)
        if to_set:
            tag_repository(client, arn, to_set)


def _predicted_identity(name: str, registry_id: str, region: str) -> dict:
    partition, domain = ("aws-cn", "amazonaws.com.cn") if region.startswith("cn-") else ("aws", "amazonaws.com")
    if region.startswith("us-gov-"):
        partition = "aws-us-gov"
    return {
        "repositoryName": name,
        "registryId": registry_id,
        "repositoryArn": f"arn:{partition}:ecr:{region}:{registry_id}:repository/{name}",
        "repositoryUri": f"{registry_id}.dkr.ecr.{region}.{domain}/{name}",
        "createdAt": None,
    }


def ensure_present(module, client, name: str, registry_id: str | None, existing, wanted: dict, purge_tags: bool) -> tuple[list[str], dict]:
    """Create or update the repository. Returns (changed fields, repository after)."""
    if existing is None:
        after = new_repository_settings(wanted)
        fields = created_fields(wanted)
        if module.check_mode:
            repository = _predicted_identity(name, registry_id or describe_registry_id(client), module.region)
            return fields, describe_result(repository, after)
        repository = create_repository(client, create_repository_params(name, registry_id, wanted))
        # CreateRepository takes no policies: they are set on the new repository.
        empty = dict(after, lifecycle_policy=None, policy=None)
        apply_settings(client, name, registry_id, repository["repositoryArn"], empty, wanted,
                       [f for f in ("lifecycle_policy", "policy") if wanted[f]], purge_tags)
        repository, settings = read_repository(client, name, registry_id)
        return fields, describe_result(repository, settings)

    repository, current = existing
    fields = settings_changes(current, wanted, purge_tags)
    if fields and not module.check_mode:
        apply_settings(client, name, registry_id, repository["repositoryArn"], current, wanted, fields, purge_tags)
        repository, settings = read_repository(client, name, registry_id)
    else:
        settings = predicted_settings(current, wanted, purge_tags)
    return fields, describe_result(repository, settings)


def ensure_absent(module, client, name: str, registry_id: str | None, existing, force: bool) -> bool:
    """Delete the repository. Returns whether it was (or would be) deleted."""
    if existing is None:
        return False
    if not force and repository_has_images(client, name, registry_id):
        module.fail_json(msg=f"ECR repository {name} still holds images: set force=true to delete them with it")
    if not module.check_mode:
        delete_repository(client, name, registry_id, force)
    return True


def _diff(before: dict, after: dict, fields: list[str]) -> dict:
    keys = {
        "scan_on_push": ["scan_on_push"],
        "image_tag_mutability": ["image_tag_mutability", "image_tag_mutability_exclusion_filters"],
        "encryption": ["encryption_type", "kms_key"],
        "lifecycle_policy": ["lifecycle_policy"],
        "policy": ["policy"],
        "tags": ["tags"],
    }
    shown = [key for field in fields for key in keys[field]]
    return {
        "before": {key: before[key] for key in shown if key in before},
        "after": {key: after[key] for key in shown if key in after},
    }


def main() -> None:
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["repository_name"]),
        registry_id=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        force=dict(type="bool", default=False),
        scan_on_push=dict(type="bool"),
        image_tag_mutability=dict(type="str", choices=["MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"]),
        image_tag_mutability_exclusion_filters=dict(type="list", elements="str"),
        encryption_type=dict(type="str", choices=["AES256", "KMS", "KMS_DSSE"]),
        kms_key=dict(type="str", no_log=False),
        lifecycle_policy=dict(type="json"),
        policy=dict(type="json"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    name, registry_id = params["name"], params["registry_id"]

    wanted, errors = _wanted_settings(params)
    if errors:
        module.fail_json(msg="Invalid ECR repository options: " + "; ".join(errors), errors=errors)

    client = aws_client(module, "ecr")
    created = deleted = False
    fields: list[str] = []
    repository: dict = {}
    try:
        existing = read_repository(client, name, registry_id)
        if params["state"] == "absent":
            deleted = ensure_absent(module, client, name, registry_id, existing, params["force"])
            before = describe_result(*existing) if existing else {}
        else:
            if existing is not None:
                mismatch = encryption_mismatch(existing[1]["encryption"], params["encryption_type"], params["kms_key"])
                if mismatch:
                    module.fail_json(
                        msg=f"ECR repository {name}: {mismatch}. ECR cannot change a repository's encryption after it is"
                        " created: delete and recreate the repository (and push its images again), or leave encryption_type unset."
                    )
            created = existing is None
            fields, repository = ensure_present(module, client, name, registry_id, existing, wanted, params["purge_tags"])
            before = describe_result(*existing) if existing else {}
    except AnsibleECRError as e:
        repository_arn = f"arn:aws:ecr:{module.region}:{registry_id or '<account>'}:repository/{name}"
        denied = access_denied_message(e, resource=repository_arn, job=job_for(module.check_mode, params["state"]), service="ecr")
        if denied:
            module.fail_json(msg=denied, **e.kwargs)
        module.fail_json_aws_error(e)

    result = dict(changed=created or deleted or bool(fields), created=created, deleted=deleted, changes=fields, repository=repository)
    if module._diff:
        if created or deleted:
            result["diff"] = {"before": before, "after": repository}
        else:
            result["diff"] = _diff(before, repository, fields)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
