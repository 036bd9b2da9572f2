#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: network_preflight_info
short_description: Read-only checks before a deploy - the caller's account, and a pull path from the subnets to ECR
version_added: 0.2.0
description:
  - Compares the caller's account (C(sts:GetCallerIdentity)) with O(account_id).
  - That first request is sent once, without retries, and is the endpoint's check too. An endpoint that does not
    answer (refused, reset) fails the module at once, naming its URL; any other error (throttling, a 5xx) is asked
    again with botocore's standard retries.
  - For each subnet, finds its route table (its explicit association, else the VPC's main table) and the
    C(0.0.0.0/0) route; a route to a NAT gateway (or a NAT instance, transit gateway, firewall) is a way out; a route
    to an internet gateway is one only with O(assign_public_ip); otherwise the VPC needs the endpoints
    C(com.amazonaws.<region>.ecr.api), C(ecr.dkr) and C(logs) and a C(s3) gateway endpoint on the subnet's table.
  - Checks the security groups exist, are in the subnets' VPC, and that one allows outbound TCP 443.
  - With no O(subnets), the default VPC's subnets are used; with no O(security_groups), its default security group.
    RV(network) says which, so that one call finds the network the tasks get and checks it.
  - The registry is taken to be ECR in the same region, as the devops.fargate.ecr role pushes to; it makes no change
    and does not fail on a problem, it returns the problems (the caller decides to stop).
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  subnets:
    description: The tasks' subnet ids. Empty, the default VPC's subnets (a problem when the region has no default VPC).
    type: list
    elements: str
    default: []
  security_groups:
    description: The tasks' security group ids. Empty, the default VPC's default security group.
    type: list
    elements: str
    default: []
  assign_public_ip:
    description: Whether the tasks get a public IP.
    type: bool
    default: false
  account_id:
    description: The account the deploy must run in. Empty skips the check.
    type: str
    default: ""
  check_pull_path:
    description: Check the subnets' way to ECR. Off, only the account and the security groups are checked.
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
- name: Check the account and the subnets' way to ECR
  devops.fargate.network_preflight_info:
    subnets: [subnet-0a1b2c3d4e5f60718]
    security_groups: [sg-0123456789abcdef0]
    assign_public_ip: false
    account_id: "123456789012"
  register: preflight

- name: Stop on any problem
  ansible.builtin.assert:
    that: preflight.problems | length == 0
    fail_msg: "{{ preflight.problems | join('; ') }}"
"""

RETURN = r"""
account_id:
  description: The caller's account.
  returned: success
  type: str
  sample: "123456789012"
problems:
  description: What would stop the deploy, each naming the value and why. Empty when all is well.
  returned: success
  type: list
  elements: str
subnets:
  description: Each subnet's way to the registry.
  returned: success
  type: list
  elements: dict
  contains:
    subnet_id: {description: "The subnet.", type: str}
    vpc_id: {description: "Its VPC.", type: str}
    route_table_id: {description: "Its route table (explicit, else the VPC's main one).", type: str}
    default_route: {description: "The 0.0.0.0/0 route's target, or null.", type: str}
    path: {description: "C(public) (IGW and public IP), C(egress) (NAT and the like) or C(endpoints).", type: str}
network:
  description: The network the tasks get, the given one or the default VPC's.
  returned: success
  type: dict
  contains:
    subnets: {description: "The subnet ids (the default VPC's sorted by id).", type: list, elements: str}
    security_groups: {description: "The security group ids.", type: list, elements: str}
  sample: {subnets: [subnet-0a1b2c3d4e5f60718], security_groups: [sg-0123456789abcdef0]}
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.devops.fargate.plugins.module_utils.errors import fail_json_aws_error
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import NETWORK_OPTIONS
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import AnsiblePreflightError
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import check_network


def main() -> None:
    module = AnsibleAWSModule(argument_spec=dict(NETWORK_OPTIONS), supports_check_mode=True)
    try:
        result = check_network(module, module.params)
    except (AnsiblePreflightError, AnsibleEC2Error) as e:
        fail_json_aws_error(module, e, service="ec2")
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
