#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: fargate_prerequisites_info
short_description: Whether a Fargate service's cluster, log group, IAM roles and inline policies are already as wanted
version_added: 0.3.0
description:
  - One read of what the fargate role's ensure tasks manage, in one module run, so that each of those tasks runs only
    when it has something to do. A run with nothing changed then makes one module run instead of four or five.
  - Each answer is the decision of the module that manages the resource, made with its own helpers
    (community.aws.ecs_cluster, amazon.aws.cloudwatchlogs_log_group, amazon.aws.iam_role, amazon.aws.iam_policy), on
    providers and default strategy, retention and tags, trust policy (amazon.aws's compare_policies), managed policies
    and tags, inline policy documents.
  - Conservative. What it cannot be sure of counts as not up to date (a managed policy given by name rather than ARN,
    a cluster that is not ACTIVE), so that the managing module runs and decides.
  - "Read calls only: ecs:DescribeClusters, logs:DescribeLogGroups, logs:ListTagsLogGroup, iam:GetRole,
    iam:ListAttachedRolePolicies, iam:GetRolePolicy, all of which the managing modules make too."
  - With O(network), it first makes devops.fargate.network_preflight_info's checks (the account, the network, the
    subnets' way to ECR), in the same module run, so that a deploy's read-only preflight is one module run. The account
    is asked first, alone; when it is not the one expected, nothing else is read. The network and the other reads are
    then made at once, and when the network has a problem only the network's answer is reported.
  - The reads of different services are made at the same time (the IAM ones in turn), so that the module waits for
    the longest chain of requests rather than for all of them.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  cluster:
    description: The cluster, as community.aws.ecs_cluster takes it.
    type: dict
    suboptions:
      name:
        description: Its name.
        type: str
        required: true
      capacity_providers:
        description: Its capacity providers, in order.
        type: list
        elements: str
      capacity_provider_strategy:
        description: Its default strategy (C(capacity_provider), C(weight), C(base)).
        type: list
        elements: dict
      purge_capacity_providers:
        description: As the cluster module's option.
        type: bool
        default: true
  log_group:
    description: The log group, as amazon.aws.cloudwatchlogs_log_group takes it.
    type: dict
    suboptions:
      name:
        description: Its name.
        type: str
        required: true
      retention:
        description: Its retention in days; unset is not compared.
        type: int
      tags:
        description: Its tags; unset is not compared.
        type: dict
      purge_tags:
        description: Tags not named count as a change.
        type: bool
        default: true
  roles:
    description: IAM roles, as amazon.aws.iam_role takes them.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The role.
        type: str
        required: true
      assume_role_policy_document:
        description: Its trust policy.
        type: json
        required: true
      managed_policies:
        description: The ARNs of its managed policies; unset is not compared.
        type: list
        elements: str
      purge_policies:
        description: Attached policies not named count as a change.
        type: bool
        default: true
      tags:
        description: Its tags; unset is not compared.
        type: dict
      purge_tags:
        description: Tags not named count as a change.
        type: bool
        default: true
  inline_policies:
    description: Roles' inline policies, as amazon.aws.iam_policy takes them.
    type: list
    elements: dict
    default: []
    suboptions:
      role:
        description: The role.
        type: str
        required: true
      name:
        description: The policy's name.
        type: str
        required: true
      policy:
        description: The document it must have; unset means it must not exist.
        type: json
  network:
    description:
      - The network to find and check first, with the options of M(devops.fargate.network_preflight_info) and their
        defaults.
      - Its answer is RV(network_preflight).
    type: dict
    suboptions:
      subnets:
        description: As O(devops.fargate.network_preflight_info#module:subnets).
        type: list
        elements: str
        default: []
      security_groups:
        description: As O(devops.fargate.network_preflight_info#module:security_groups).
        type: list
        elements: str
        default: []
      assign_public_ip:
        description: As O(devops.fargate.network_preflight_info#module:assign_public_ip).
        type: bool
        default: false
      account_id:
        description: As O(devops.fargate.network_preflight_info#module:account_id).
        type: str
        default: ""
      check_pull_path:
        description: As O(devops.fargate.network_preflight_info#module:check_pull_path).
        type: bool
        default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - devops.fargate.retries
  - devops.fargate.read_only
"""

EXAMPLES = r"""
- name: Ask what the ensure tasks would have to do
  devops.fargate.fargate_prerequisites_info:
    cluster: {name: web, capacity_providers: [FARGATE], capacity_provider_strategy: [{capacity_provider: FARGATE, weight: 1}]}
    log_group: {name: /ecs/web, retention: 30}
    roles:
      - name: web-execution
        assume_role_policy_document: "{{ trust | to_json }}"
        managed_policies: [arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy]
  register: prerequisites

- name: Ensure the log group
  amazon.aws.cloudwatchlogs_log_group:
    log_group_name: /ecs/web
    retention: 30
  when: not prerequisites.log_group.up_to_date
"""

RETURN = r"""
up_to_date:
  description: Everything asked about is as wanted.
  returned: always
  type: bool
cluster:
  description: The cluster's answer, when asked.
  returned: always
  type: dict
  contains:
    up_to_date: {description: As wanted., type: bool}
    status: {description: Its status; empty when it does not exist., type: str}
log_group:
  description: The log group's answer, when asked.
  returned: always
  type: dict
  contains:
    up_to_date: {description: As wanted., type: bool}
roles:
  description: Each role's answer, by name.
  returned: always
  type: dict
  sample: {"web-execution": {"up_to_date": true, "arn": "arn:aws:iam::123456789012:role/web-execution"}}
inline_policies:
  description: Each inline policy's answer, by C(<role>/<name>).
  returned: always
  type: dict
  sample: {"web-execution/devops-fargate-secrets": {"up_to_date": true}}
network_preflight:
  description:
    - With O(network), devops.fargate.network_preflight_info's answer (C(account_id), C(problems), C(subnets),
      C(network)). When C(problems) is not empty, nothing else is reported and RV(up_to_date) is false.
  returned: when O(network) is given
  type: dict
  sample: {"account_id": "123456789012", "problems": [], "subnets": [],
           "network": {"subnets": [subnet-0a1b2c3d4e5f60718], "security_groups": [sg-0123456789abcdef0]}}
"""

import json
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Callable
from typing import NamedTuple

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule says so

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.devops.fargate.plugins.module_utils.clients import aws_client
from ansible_collections.devops.fargate.plugins.module_utils.errors import access_denied_message
from ansible_collections.devops.fargate.plugins.module_utils.errors import fail_json_aws_error
from ansible_collections.devops.fargate.plugins.module_utils.errors import job_for
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import NETWORK_OPTIONS
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import AnsiblePreflightError
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import check_account
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import check_subnets
from ansible_collections.devops.fargate.plugins.module_utils.prerequisites import cluster_up_to_date
from ansible_collections.devops.fargate.plugins.module_utils.prerequisites import inline_policy_up_to_date
from ansible_collections.devops.fargate.plugins.module_utils.prerequisites import log_group_up_to_date
from ansible_collections.devops.fargate.plugins.module_utils.prerequisites import role_up_to_date


def _document(value):
    return json.loads(value) if isinstance(value, str) else value


def read_cluster(client, wanted: dict) -> dict:
    found = client.describe_clusters(clusters=[wanted["name"]]).get("clusters") or []
    cluster = found[0] if found else None
    up_to_date = cluster_up_to_date(cluster, wanted.get("capacity_providers"), wanted.get("capacity_provider_strategy"), wanted["purge_capacity_providers"])
    return {"up_to_date": up_to_date, "status": (cluster or {}).get("status", "")}


def read_log_group(client, wanted: dict) -> dict:
    groups = client.describe_log_groups(logGroupNamePrefix=wanted["name"]).get("logGroups") or []
    group = next((g for g in groups if g["logGroupName"] == wanted["name"]), None)
    tags = {}
    if group and wanted.get("tags") is not None:
        tags = client.list_tags_log_group(logGroupName=wanted["name"]).get("tags") or {}
    return {"up_to_date": log_group_up_to_date(group, tags, wanted.get("retention"), wanted.get("tags"), wanted["purge_tags"])}


def read_role(client, wanted: dict) -> dict:
    try:
        role = client.get_role(RoleName=wanted["name"])["Role"]
    except is_boto3_error_code("NoSuchEntity"):
        return {"up_to_date": False, "arn": ""}
    attached = []
    if wanted.get("managed_policies") is not None:
        pages = client.get_paginator("list_attached_role_policies").paginate(RoleName=wanted["name"])
        attached = [policy["PolicyArn"] for page in pages for policy in page.get("AttachedPolicies") or []]
    wanted = dict(wanted, assume_role_policy_document=_document(wanted["assume_role_policy_document"]))
    return {"up_to_date": role_up_to_date(role, attached, wanted), "arn": role["Arn"]}


def read_inline_policy(client, wanted: dict) -> dict:
    try:
        current = client.get_role_policy(RoleName=wanted["role"], PolicyName=wanted["name"])["PolicyDocument"]
    except is_boto3_error_code("NoSuchEntity"):
        current = None
    return {"up_to_date": inline_policy_up_to_date(_document(current), _document(wanted.get("policy")))}


class Read(NamedTuple):
    """One read of the module: where its answer goes in the result (``key``, and ``item`` within it), how a failure
    names it (``step``, ``service``), and the call."""

    key: str
    item: str | None
    step: str
    service: str
    call: Callable[[], dict]


def in_turn(chain: list[Read]) -> list[tuple[Read, dict | None, Exception | None]]:
    """Each read of ``chain``, one after the other: its answer, or the AWS error it met."""
    answers = []
    for read in chain:
        try:
            answers.append((read, read.call(), None))
        except (AnsibleEC2Error, botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            answers.append((read, None, e))
    return answers


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="dict", options=dict(
                name=dict(type="str", required=True), capacity_providers=dict(type="list", elements="str"),
                capacity_provider_strategy=dict(type="list", elements="dict"), purge_capacity_providers=dict(type="bool", default=True))),
            log_group=dict(type="dict", options=dict(
                name=dict(type="str", required=True), retention=dict(type="int"), tags=dict(type="dict"), purge_tags=dict(type="bool", default=True))),
            roles=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True), assume_role_policy_document=dict(type="json", required=True),
                managed_policies=dict(type="list", elements="str"), purge_policies=dict(type="bool", default=True),
                tags=dict(type="dict"), purge_tags=dict(type="bool", default=True))),
            inline_policies=dict(type="list", elements="dict", default=[], options=dict(
                role=dict(type="str", required=True), name=dict(type="str", required=True), policy=dict(type="json"))),
            network=dict(type="dict", options=NETWORK_OPTIONS),
        ),
        supports_check_mode=True,
    )
    p = module.params
    result: dict = {"cluster": {}, "log_group": {}, "roles": {}, "inline_policies": {}}
    account = None
    if p["network"] is not None:
        # The account first, alone: its request is the endpoint's check too (it fails at once, naming the URL).
        try:
            account, wrong = check_account(module, p["network"])
        except AnsiblePreflightError as e:
            fail_json_aws_error(module, e, service="ec2")
        if wrong:
            module.exit_json(changed=False, up_to_date=False, network_preflight=wrong, **result)
    # Then every read at once, each service's in a thread of its own (the clients made here: botocore clients may be
    # shared by threads, not made in them); the answers and the first failure are taken in the order of the reads.
    # On AWS each read is a round trip: the run waits for the longest chain, not for their sum.
    chains: list[list[Read]] = []
    if account is not None:
        chains.append([Read("network_preflight", None, "network", "ec2",
                            partial(check_subnets, aws_client(module, "ec2"), module.region, p["network"], account))])
    if p["cluster"]:
        chains.append([Read("cluster", None, f"ECS cluster {p['cluster']['name']}", "ecs", partial(read_cluster, aws_client(module, "ecs"), p["cluster"]))])
    if p["log_group"]:
        chains.append([Read("log_group", None, f"log group {p['log_group']['name']}", "logs",
                            partial(read_log_group, aws_client(module, "logs"), p["log_group"]))])
    if p["roles"] or p["inline_policies"]:
        iam = aws_client(module, "iam")
        chains.append([Read("roles", role["name"], f"IAM role {role['name']}", "iam", partial(read_role, iam, role)) for role in p["roles"]]
                      + [Read("inline_policies", f"{policy['role']}/{policy['name']}", f"inline policy {policy['name']} of IAM role {policy['role']}",
                              "iam", partial(read_inline_policy, iam, policy)) for policy in p["inline_policies"]])
    with ThreadPoolExecutor(max_workers=max(1, len(chains))) as pool:
        answers = [answer for chain in pool.map(in_turn, chains) for answer in chain]
    for read, answer, error in answers:
        if error is not None:
            if read.key == "network_preflight":
                fail_json_aws_error(module, error, service="ec2")
            denied = access_denied_message(error, job=job_for(module.check_mode), service=read.service)
            if denied:
                module.fail_json(msg=denied)
            module.fail_json_aws(error, msg=f"Failed to read the {read.step}")
        if read.key == "network_preflight" and answer["problems"]:
            # The network comes first: what else was read (or failed to be) is not reported.
            module.exit_json(changed=False, up_to_date=False, cluster={}, log_group={}, roles={}, inline_policies={}, network_preflight=answer)
        if read.item is None:
            result[read.key] = answer
        else:
            result[read.key][read.item] = answer
    checked = [result[key] for key in ("cluster", "log_group") if result[key]] + list(result["roles"].values()) + list(result["inline_policies"].values())
    module.exit_json(changed=False, up_to_date=all(answer["up_to_date"] for answer in checked), **result)


if __name__ == "__main__":
    main()
