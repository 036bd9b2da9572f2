# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether the service's cluster, log group, IAM roles and inline policies are already as the fargate role's ensure
tasks (community.aws.ecs_cluster, amazon.aws.cloudwatchlogs_log_group, amazon.aws.iam_role, amazon.aws.iam_policy)
would leave them, decided as those modules decide, with their own helpers.

Pure functions, conservative: anything they cannot be sure of (a managed policy given by name, a cluster not ACTIVE)
is "not up to date", so that the module that knows runs; only what is certainly as wanted is left alone.
"""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def _tags_up_to_date(current: dict, wanted: dict | None, purge: bool) -> bool:
    if wanted is None:
        return True
    to_set, to_unset = compare_aws_tags(current, wanted, purge_tags=purge)
    return not to_set and not to_unset


def cluster_up_to_date(cluster: dict | None, capacity_providers: list[str] | None, strategy: list[dict] | None, purge: bool) -> bool:
    """community.aws.ecs_cluster's decision (state present): an ACTIVE cluster with these providers, in this order,
    and this default strategy (each entry with its defaults: weight none, base 0)."""
    if not cluster or cluster.get("status") != "ACTIVE":
        return False
    if not purge:
        return True
    existing_providers = cluster.get("capacityProviders") or []
    existing_strategy = cluster.get("defaultCapacityProviderStrategy") or []
    if strategy is None:
        strategy_ok = existing_strategy == []
    else:
        wanted = [{"capacity_provider": s.get("capacity_provider"), "weight": s.get("weight"), "base": 0 if s.get("base") is None else s["base"]}
                  for s in strategy]
        strategy_ok = all(snake_dict_to_camel_dict(s) in existing_strategy for s in wanted) and all(
            camel_dict_to_snake_dict(s) in wanted for s in existing_strategy)
    return (capacity_providers or []) == existing_providers and strategy_ok


def log_group_up_to_date(group: dict | None, current_tags: dict, retention: int | None, tags: dict | None, purge_tags: bool) -> bool:
    """amazon.aws.cloudwatchlogs_log_group's decision: the group exists, with this retention and these tags."""
    if not group:
        return False
    if retention is not None and retention != group.get("retentionInDays"):
        return False
    return _tags_up_to_date(current_tags or {}, tags, purge_tags)


def role_up_to_date(role: dict | None, attached: list[str], wanted: dict) -> bool:
    """amazon.aws.iam_role's decision for the options the fargate role passes: the trust policy (compared as iam_role
    compares it), the managed policies (by ARN; a name would need looking up, so it counts as a change) and tags."""
    if not role:
        return False
    if compare_policies(role.get("AssumeRolePolicyDocument"), wanted["assume_role_policy_document"]):
        return False
    if not _tags_up_to_date(boto3_tag_list_to_ansible_dict(role.get("Tags") or []), wanted.get("tags"), wanted.get("purge_tags", True)):
        return False
    policies = wanted.get("managed_policies")
    if policies is None:
        return True
    if any(not policy.startswith("arn:") for policy in policies):
        return False
    missing, extra = set(policies) - set(attached), set(attached) - set(policies)
    return not missing and not (extra and wanted.get("purge_policies", True))


def inline_policy_up_to_date(current: dict | None, wanted: dict | None) -> bool:
    """amazon.aws.iam_policy's decision: present with an equal document (as it compares them), or absent."""
    if wanted is None:
        return current is None
    return current is not None and not compare_policies(current, wanted)
