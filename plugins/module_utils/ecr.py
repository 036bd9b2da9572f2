# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECR helpers: API calls wrapped by the error handler (the client retries them, module_utils/clients.py); pure decoding, validation and comparison."""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import urlsplit

try:
    import botocore  # pylint: disable=unused-import
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


class AnsibleECRError(AnsibleAWSError):
    pass


class ECRErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECRError


@ECRErrorHandler.common_error_handler("get ECR authorization token")
def get_authorization_data(client, registry_ids: list[str] | None = None) -> list[dict]:
    params = {"registryIds": registry_ids} if registry_ids else {}
    return client.get_authorization_token(**params)["authorizationData"]


def registry_host(proxy_endpoint: str) -> str:
    """The host[:port] that docker logs in and pushes to, from ``https://host[:port]``."""
    parts = urlsplit(proxy_endpoint if "//" in proxy_endpoint else "//" + proxy_endpoint)
    if not parts.hostname:
        raise ValueError(f"proxy endpoint {proxy_endpoint!r} has no host")
    return parts.netloc


# ---------------------------------------------------------------------------------------------
# Repository settings: validation, normalisation and comparison (pure), then the API calls.
# A wanted value of None means "not managed": it is never compared and never written.
# ---------------------------------------------------------------------------------------------

# botocore's RepositoryName shape (2 to 256 characters).
REPOSITORY_NAME_PATTERN = re.compile(r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*")
TAG_MUTABILITY_VALUES = ("MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION")
# botocore's ImageTagMutabilityExclusionFilterValue shape; 1 to 5 filters per repository.
EXCLUSION_FILTER_PATTERN = re.compile(r"[0-9a-zA-Z._*-]{1,128}")
MAX_EXCLUSION_FILTERS = 5
ENCRYPTION_TYPES = ("AES256", "KMS", "KMS_DSSE")
DEFAULT_ENCRYPTION = {"encryption_type": "AES256", "kms_key": None}

_RULE_KEYS = frozenset(("rulePriority", "description", "selection", "action"))
_SELECTION_KEYS = frozenset(("tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber"))
_TAG_STATUSES = ("tagged", "untagged", "any")
_COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed")
_TAG_LIST_KEYS = ("tagPrefixList", "tagPatternList")


def repository_name_error(name: str) -> str | None:
    """Why ``name`` is not a valid ECR repository name, or None when it is."""
    if not 2 <= len(name) <= 256:
        return f"name must be 2 to 256 characters long (got {len(name)}: {name!r})"
    if not REPOSITORY_NAME_PATTERN.fullmatch(name):
        return (
            f"name {name!r} is not a valid ECR repository name: lowercase letters and digits in"
            " components separated by '/', each component's words joined by '.', '_', '__' or '-'"
        )
    return None


def tag_mutability_errors(mutability: str | None, exclusion_filters: list[str] | None) -> list[str]:
    """What is wrong with a wanted tag mutability and its exclusion filters."""
    if mutability is None:
        if exclusion_filters:
            return ["image_tag_mutability_exclusion_filters needs image_tag_mutability set too"]
        return []
    if mutability not in TAG_MUTABILITY_VALUES:
        return [f"image_tag_mutability must be one of {', '.join(TAG_MUTABILITY_VALUES)} (got {mutability!r})"]
    filters = exclusion_filters or []
    if not mutability.endswith("_WITH_EXCLUSION"):
        if filters:
            return [f"image_tag_mutability_exclusion_filters is only allowed with {mutability}_WITH_EXCLUSION, not {mutability}"]
        return []
    errors = []
    if not 1 <= len(filters) <= MAX_EXCLUSION_FILTERS:
        errors.append(f"{mutability} needs 1 to {MAX_EXCLUSION_FILTERS} image_tag_mutability_exclusion_filters (got {len(filters)})")
    for value in filters:
        if not isinstance(value, str) or not EXCLUSION_FILTER_PATTERN.fullmatch(value):
            errors.append(
                f"image_tag_mutability_exclusion_filters: {value!r} must be 1 to 128 of letters, digits, '.', '_', '-' and the wildcard '*'"
            )
    return errors


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _rule_errors(label: str, rule: dict) -> list[str]:
    errors = [f"{label}: unknown key {key!r}" for key in sorted(set(rule) - _RULE_KEYS)]
    selection = rule.get("selection")
    if isinstance(selection, dict):
        errors += _selection_errors(label, selection)
    else:
        errors.append(f"{label}: selection must be a mapping")
    action = rule.get("action")
    action_type = action.get("type") if isinstance(action, dict) else None
    if action_type != "expire" or set(action) != {"type"}:
        errors.append(f"{label}: action must be {{'type': 'expire'}} (got {action!r})")
    return errors


def _selection_errors(label: str, selection: dict) -> list[str]:
    errors = [f"{label}: unknown key selection.{key}" for key in sorted(set(selection) - _SELECTION_KEYS)]

    tag_status = selection.get("tagStatus")
    if tag_status not in _TAG_STATUSES:
        errors.append(f"{label}: selection.tagStatus must be one of {', '.join(_TAG_STATUSES)} (got {tag_status!r})")
    tag_lists = [key for key in _TAG_LIST_KEYS if key in selection]
    for key in tag_lists:
        value = selection[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            errors.append(f"{label}: selection.{key} must be a non-empty list of strings")
    if tag_status == "tagged" and not tag_lists:
        errors.append(f"{label}: selection.tagStatus tagged needs selection.tagPrefixList or selection.tagPatternList")
    if len(tag_lists) > 1:
        errors.append(f"{label}: selection.tagPrefixList and selection.tagPatternList cannot both be set")
    if tag_status in ("untagged", "any") and tag_lists:
        errors.append(f"{label}: selection.{tag_lists[0]} is only allowed with selection.tagStatus tagged")

    count_type = selection.get("countType")
    count_unit = selection.get("countUnit")
    if count_type not in _COUNT_TYPES:
        errors.append(f"{label}: selection.countType must be one of {', '.join(_COUNT_TYPES)} (got {count_type!r})")
    elif count_type == "sinceImagePushed" and count_unit != "days":
        errors.append(f"{label}: selection.countType sinceImagePushed needs selection.countUnit days (got {count_unit!r})")
    elif count_type == "imageCountMoreThan" and count_unit is not None:
        errors.append(f"{label}: selection.countUnit is only allowed with selection.countType sinceImagePushed")
    count_number = selection.get("countNumber")
    if not _is_int(count_number) or count_number < 1:
        errors.append(f"{label}: selection.countNumber must be an integer of at least 1 (got {count_number!r})")
    return errors


def lifecycle_policy_errors(policy) -> list[str]:
    """Every problem ECR would reject in a lifecycle policy, each naming its rule."""
    if not isinstance(policy, dict):
        return [f"lifecycle_policy must be a mapping with a rules list (got {type(policy).__name__})"]
    errors = [f"lifecycle_policy: unknown key {key!r}" for key in sorted(set(policy) - {"rules"})]
    rules = policy.get("rules")
    if not isinstance(rules, list) or not rules:
        return errors + ["lifecycle_policy: rules must be a non-empty list"]
    priorities: dict = {}
    for index, rule in enumerate(rules, start=1):
        label = f"lifecycle_policy rule {index}"
        if not isinstance(rule, dict):
            errors.append(f"{label}: must be a mapping")
            continue
        priority = rule.get("rulePriority")
        label += f" (rulePriority {priority!r})"
        if not _is_int(priority) or priority < 1:
            errors.append(f"{label}: rulePriority must be an integer of at least 1")
        elif priority in priorities:
            errors.append(f"{label}: rulePriority {priority} is already used by rule {priorities[priority]}")
        else:
            priorities[priority] = index
        errors += _rule_errors(label, rule)
    any_priorities = [
        r["rulePriority"] for r in rules if isinstance(r, dict) and isinstance(r.get("selection"), dict)
        and r["selection"].get("tagStatus") == "any" and _is_int(r.get("rulePriority"))
    ]
    if any_priorities and priorities and max(any_priorities) < max(priorities):
        errors.append(
            f"lifecycle_policy: a rule with selection.tagStatus any must have the highest rulePriority"
            f" ({max(any_priorities)} < {max(priorities)})"
        )
    return errors


def normalize_lifecycle_policy(policy: dict | None) -> dict | None:
    """Comparable form: rules by priority, tag lists sorted, empty descriptions dropped."""
    if not policy:
        return None
    rules = []
    for rule in sorted(policy.get("rules") or [], key=lambda r: r.get("rulePriority", 0)):
        rule = dict(rule)
        if not rule.get("description"):
            rule.pop("description", None)
        selection = dict(rule.get("selection") or {})
        for key in _TAG_LIST_KEYS:
            if key in selection:
                selection[key] = sorted(selection[key])
        rule["selection"] = selection
        rules.append(rule)
    return {"rules": rules}


def lifecycle_policy_differs(current: dict | None, wanted: dict | None) -> bool:
    """Whether the lifecycle policies differ, ignoring rule order and empty descriptions."""
    return normalize_lifecycle_policy(current) != normalize_lifecycle_policy(wanted)


def policy_differs(current: dict | None, wanted: dict | None) -> bool:
    """Whether two repository policies differ, normalised by amazon.aws ``compare_policies``."""
    if not current or not wanted:
        return bool(current) != bool(wanted)
    return compare_policies(current, wanted)


def tag_mutability_differs(
    current_mutability: str,
    current_filters: list[str],
    wanted_mutability: str | None,
    wanted_filters: list[str] | None,
) -> bool:
    """Whether the tag mutability (with its exclusion filters, in any order) must be set."""
    if wanted_mutability is None:
        return False
    if current_mutability != wanted_mutability:
        return True
    return wanted_mutability.endswith("_WITH_EXCLUSION") and sorted(set(current_filters)) != sorted(set(wanted_filters or []))


def _kms_key_matches(current: str | None, wanted: str) -> bool:
    if not current:
        return False
    # ECR reports the key ARN; a key id given by the user matches its ARN's last part.
    return current == wanted or current.endswith(":key/" + wanted) or wanted.endswith(":key/" + current)


def encryption_mismatch(current: dict, wanted_type: str | None, wanted_key: str | None) -> str | None:
    """Why the repository's encryption differs from the wanted one, or None when it does not.

    ECR cannot change a repository's encryption after creation, so a difference is an error.
    A key given as an alias cannot be compared without KMS; only the type is compared then.
    """
    if wanted_type is None:
        return None
    current_type = current.get("encryption_type") or "AES256"
    current_key = current.get("kms_key")
    if current_type != wanted_type:
        return f"encryption_type is {current_type} but {wanted_type} was asked for"
    if wanted_type == "AES256" or not wanted_key or "alias/" in wanted_key:
        return None
    if not _kms_key_matches(current_key, wanted_key):
        return f"kms_key is {current_key} but {wanted_key} was asked for"
    return None


def exclusion_filters_to_boto3(filters: list[str]) -> list[dict]:
    return [{"filterType": "WILDCARD", "filter": value} for value in filters]


def current_settings(repository: dict, lifecycle_policy_text: str | None, policy_text: str | None, tags: list[dict]) -> dict:
    """The settings of an existing repository, from DescribeRepositories and the policy and tag calls."""
    encryption = repository.get("encryptionConfiguration") or {}
    return {
        "scan_on_push": bool((repository.get("imageScanningConfiguration") or {}).get("scanOnPush", False)),
        "image_tag_mutability": repository.get("imageTagMutability") or "MUTABLE",
        "image_tag_mutability_exclusion_filters": sorted(
            f["filter"] for f in repository.get("imageTagMutabilityExclusionFilters") or []
        ),
        "encryption": {"encryption_type": encryption.get("encryptionType") or "AES256", "kms_key": encryption.get("kmsKey")},
        "lifecycle_policy": json.loads(lifecycle_policy_text) if lifecycle_policy_text else None,
        "policy": json.loads(policy_text) if policy_text else None,
        "tags": boto3_tag_list_to_ansible_dict(tags or [], "Key", "Value"),
    }


def settings_changes(current: dict, wanted: dict, purge_tags: bool = True) -> list[str]:
    """The settings fields whose wanted value differs from the current one.

    ``wanted`` has the module's setting keys (encryption is not compared here: it cannot change);
    a None value is not managed. For lifecycle_policy and policy, an empty dict means "none".
    """
    changes = []
    if wanted.get("scan_on_push") is not None and wanted["scan_on_push"] != current["scan_on_push"]:
        changes.append("scan_on_push")
    if tag_mutability_differs(
        current["image_tag_mutability"],
        current["image_tag_mutability_exclusion_filters"],
        wanted.get("image_tag_mutability"),
        wanted.get("image_tag_mutability_exclusion_filters"),
    ):
        changes.append("image_tag_mutability")
    if wanted.get("lifecycle_policy") is not None and lifecycle_policy_differs(current["lifecycle_policy"], wanted["lifecycle_policy"]):
        changes.append("lifecycle_policy")
    if wanted.get("policy") is not None and policy_differs(current["policy"], wanted["policy"]):
        changes.append("policy")
    if wanted.get("tags") is not None:
        to_set, to_unset = compare_aws_tags(current["tags"], wanted["tags"], purge_tags)
        if to_set or to_unset:
            changes.append("tags")
    return changes


def predicted_settings(current: dict, wanted: dict, purge_tags: bool = True) -> dict:
    """The settings after applying ``wanted`` to ``current`` (what check mode reports)."""
    after = copy.deepcopy(current)
    if wanted.get("scan_on_push") is not None:
        after["scan_on_push"] = wanted["scan_on_push"]
    if wanted.get("image_tag_mutability") is not None:
        after["image_tag_mutability"] = wanted["image_tag_mutability"]
        after["image_tag_mutability_exclusion_filters"] = sorted(set(wanted.get("image_tag_mutability_exclusion_filters") or []))
    for key in ("lifecycle_policy", "policy"):
        if wanted.get(key) is not None:
            after[key] = wanted[key] or None
    if wanted.get("tags") is not None:
        to_set, to_unset = compare_aws_tags(current["tags"], wanted["tags"], purge_tags)
        after["tags"] = {k: v for k, v in current["tags"].items() if k not in to_unset}
        after["tags"].update({k: str(v) for k, v in to_set.items()})
    return after


def new_repository_settings(wanted: dict) -> dict:
    """The settings a repository created with ``wanted`` has (ECR defaults for what is not set)."""
    empty = {
        "scan_on_push": False,
        "image_tag_mutability": "MUTABLE",
        "image_tag_mutability_exclusion_filters": [],
        "encryption": dict(DEFAULT_ENCRYPTION),
        "lifecycle_policy": None,
        "policy": None,
        "tags": {},
    }
    after = predicted_settings(empty, wanted)
    if wanted.get("encryption_type"):
        after["encryption"] = {"encryption_type": wanted["encryption_type"], "kms_key": wanted.get("kms_key")}
    return after


def created_fields(wanted: dict) -> list[str]:
    """The settings a new repository gets from ``wanted`` (the rest keeps ECR's defaults)."""
    fields = [key for key in ("scan_on_push", "image_tag_mutability") if wanted.get(key) is not None]
    if wanted.get("encryption_type"):
        fields.append("encryption")
    fields += [key for key in ("lifecycle_policy", "policy", "tags") if wanted.get(key)]
    return fields


def create_repository_params(name: str, registry_id: str | None, wanted: dict) -> dict:
    """CreateRepository's parameters; only what is set is sent, the rest is left to ECR's defaults."""
    params: dict = {"repositoryName": name}
    if registry_id:
        params["registryId"] = registry_id
    if wanted.get("scan_on_push") is not None:
        params["imageScanningConfiguration"] = {"scanOnPush": wanted["scan_on_push"]}
    if wanted.get("image_tag_mutability") is not None:
        params["imageTagMutability"] = wanted["image_tag_mutability"]
        if wanted.get("image_tag_mutability_exclusion_filters"):
            params["imageTagMutabilityExclusionFilters"] = exclusion_filters_to_boto3(wanted["image_tag_mutability_exclusion_filters"])
    if wanted.get("encryption_type"):
        params["encryptionConfiguration"] = {"encryptionType": wanted["encryption_type"]}
        if wanted["encryption_type"] != "AES256" and wanted.get("kms_key"):
            params["encryptionConfiguration"]["kmsKey"] = wanted["kms_key"]
    if wanted.get("tags"):
        params["tags"] = ansible_dict_to_boto3_tag_list(wanted["tags"], "Key", "Value")
    return params


def describe_result(repository: dict, settings: dict) -> dict:
    """The module's ``repository`` result: identity from DescribeRepositories plus the settings."""
    return {
        "repository_name": repository.get("repositoryName"),
        "repository_arn": repository.get("repositoryArn"),
        "repository_uri": repository.get("repositoryUri"),
        "registry_id": repository.get("registryId"),
        "created_at": repository["createdAt"].isoformat() if hasattr(repository.get("createdAt"), "isoformat") else repository.get("createdAt"),
        "image_tag_mutability": settings["image_tag_mutability"],
        "image_tag_mutability_exclusion_filters": settings["image_tag_mutability_exclusion_filters"],
        "scan_on_push": settings["scan_on_push"],
        "encryption_type": settings["encryption"]["encryption_type"],
        "kms_key": settings["encryption"]["kms_key"],
        "lifecycle_policy": settings["lifecycle_policy"],
        "policy": settings["policy"],
        "tags": settings["tags"],
    }


class ECRRepositoryErrorHandler(ECRErrorHandler):
    """A repository, its lifecycle policy or its repository policy that is not there is not an error."""

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(
            ["RepositoryNotFoundException", "LifecyclePolicyNotFoundException", "RepositoryPolicyNotFoundException"]
        )


def _registry(registry_id: str | None) -> dict:
    return {"registryId": registry_id} if registry_id else {}


@ECRRepositoryErrorHandler.list_error_handler("describe ECR repository")
def describe_repository(client, name: str, registry_id: str | None = None) -> dict | None:
    repositories = client.describe_repositories(repositoryNames=[name], **_registry(registry_id))["repositories"]
    return repositories[0] if repositories else None


@ECRErrorHandler.common_error_handler("describe ECR registry")
def describe_registry_id(client) -> str:
    return client.describe_registry()["registryId"]


@ECRRepositoryErrorHandler.list_error_handler("get ECR lifecycle policy")
def get_lifecycle_policy_text(client, name: str, registry_id: str | None = None) -> str | None:
    return client.get_lifecycle_policy(repositoryName=name, **_registry(registry_id))["lifecyclePolicyText"]


@ECRRepositoryErrorHandler.list_error_handler("get ECR repository policy")
def get_repository_policy_text(client, name: str, registry_id: str | None = None) -> str | None:
    return client.get_repository_policy(repositoryName=name, **_registry(registry_id))["policyText"]


@ECRErrorHandler.common_error_handler("list ECR repository tags")
def list_repository_tags(client, arn: str) -> list[dict]:
    return client.list_tags_for_resource(resourceArn=arn).get("tags", [])


@ECRErrorHandler.common_error_handler("list ECR images")
def repository_has_images(client, name: str, registry_id: str | None = None) -> bool:
    return bool(client.list_images(repositoryName=name, maxResults=1, **_registry(registry_id)).get("imageIds"))


@ECRErrorHandler.common_error_handler("create ECR repository")
def create_repository(client, params: dict) -> dict:
    return client.create_repository(**params)["repository"]


@ECRRepositoryErrorHandler.deletion_error_handler("delete ECR repository")
def delete_repository(client, name: str, registry_id: str | None = None, force: bool = False) -> bool:
    client.delete_repository(repositoryName=name, force=force, **_registry(registry_id))
    return True


@ECRErrorHandler.common_error_handler("set ECR image scanning configuration")
def put_scan_on_push(client, name: str, scan_on_push: bool, registry_id: str | None = None) -> None:
    client.put_image_scanning_configuration(
        repositoryName=name, imageScanningConfiguration={"scanOnPush": scan_on_push}, **_registry(registry_id)
    )


@ECRErrorHandler.common_error_handler("set ECR image tag mutability")
def put_tag_mutability(client, name: str, mutability: str, filters: list[str], registry_id: str | None = None) -> None:
    params = {"imageTagMutabilityExclusionFilters": exclusion_filters_to_boto3(filters)} if filters else {}
    client.put_image_tag_mutability(repositoryName=name, imageTagMutability=mutability, **params, **_registry(registry_id))


@ECRErrorHandler.common_error_handler("set ECR lifecycle policy")
def put_lifecycle_policy(client, name: str, policy: dict, registry_id: str | None = None) -> None:
    client.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(policy, sort_keys=True), **_registry(registry_id))


@ECRRepositoryErrorHandler.deletion_error_handler("delete ECR lifecycle policy")
def delete_lifecycle_policy(client, name: str, registry_id: str | None = None) -> bool:
    client.delete_lifecycle_policy(repositoryName=name, **_registry(registry_id))
    return True


@ECRErrorHandler.common_error_handler("set ECR repository policy")
def set_repository_policy(client, name: str, policy: dict, registry_id: str | None = None) -> None:
    client.set_repository_policy(repositoryName=name, policyText=json.dumps(policy, sort_keys=True), **_registry(registry_id))


@ECRRepositoryErrorHandler.deletion_error_handler("delete ECR repository policy")
def delete_repository_policy(client, name: str, registry_id: str | None = None) -> bool:
    client.delete_repository_policy(repositoryName=name, **_registry(registry_id))
    return True


@ECRErrorHandler.common_error_handler("tag ECR repository")
def tag_repository(client, arn: str, tags: dict) -> None:
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags, "Key", "Value"))


@ECRErrorHandler.common_error_handler("untag ECR repository")
def untag_repository(client, arn: str, keys: list[str]) -> None:
    client.untag_resource(resourceArn=arn, tagKeys=keys)
