# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only checks before a deploy to a real account: the caller's account, and whether Fargate tasks in the given
subnets can reach ECR to pull their image. Pure analysis of EC2's answers, and check_network, which makes the STS and
EC2 calls for network_preflight_info and fargate_prerequisites_info."""

from __future__ import annotations

try:
    from botocore.exceptions import ConnectionClosedError
    from botocore.exceptions import ConnectionError as EndpointDown
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_route_tables
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_security_groups
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_subnets
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_vpc_endpoints
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_vpcs
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.devops.fargate.plugins.module_utils.clients import aws_client

# A task in a subnet with no route out pulls through these: ECR's API and registry (Interface endpoints), S3 where
# ECR keeps the layers (a Gateway endpoint on the subnet's route table), and CloudWatch Logs for the awslogs driver.
PULL_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "s3", "logs")
# Where a 0.0.0.0/0 route may lead: an internet gateway needs a public IP on the task; the rest is egress
# through something the VPC owns (NAT gateway, NAT instance, transit gateway, firewall endpoint).
_EGRESS_TARGETS = ("NatGatewayId", "TransitGatewayId", "InstanceId", "NetworkInterfaceId", "VpcPeeringConnectionId", "LocalGatewayId")


class AnsiblePreflightError(AnsibleAWSError):
    pass


class STSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsiblePreflightError


@STSErrorHandler.common_error_handler("get the caller's identity")
def caller_account(client) -> str:
    return client.get_caller_identity()["Account"]


def account_problem(caller: str, expected: str | None) -> str | None:
    if not expected or str(expected) == caller:
        return None
    return (
        f"aws_account_id is {expected}, but the credentials in use belong to account {caller}: "
        "nothing was changed; use the credentials (AWS_PROFILE, aws_profile) of that account, or fix aws_account_id"
    )


def route_table_for(subnet: dict, route_tables: list[dict]) -> dict | None:
    """The subnet's explicitly associated route table, else its VPC's main table."""
    for table in route_tables:
        if any(a.get("SubnetId") == subnet["SubnetId"] for a in table.get("Associations") or []):
            return table
    for table in route_tables:
        if table.get("VpcId") == subnet["VpcId"] and any(a.get("Main") for a in table.get("Associations") or []):
            return table
    return None


def default_route(table: dict | None) -> tuple[str, str] | None:
    """(kind, target id) of the table's active 0.0.0.0/0 route: kind ``igw`` or ``egress``; None without one."""
    for route in (table or {}).get("Routes") or []:
        if route.get("DestinationCidrBlock") != "0.0.0.0/0" or route.get("State", "active") != "active":
            continue
        gateway = route.get("GatewayId") or ""
        if gateway.startswith("igw-"):
            return "igw", gateway
        for key in _EGRESS_TARGETS:
            if route.get(key):
                return "egress", route[key]
    return None


def endpoint_service_names(region: str, services=PULL_ENDPOINT_SERVICES) -> dict:
    return {service: f"com.amazonaws.{region}.{service}" for service in services}


def missing_endpoints(vpc_id: str, route_table_id: str | None, endpoints: list[dict], names: dict) -> list[str]:
    """The services of ``names`` with no available endpoint in the VPC (a Gateway one must be on the subnet's table)."""
    missing = []
    for service, name in names.items():
        usable = [
            e for e in endpoints
            if e.get("VpcId") == vpc_id and e.get("ServiceName") == name and str(e.get("State", "available")).lower() == "available"
            and (e.get("VpcEndpointType") != "Gateway" or route_table_id in (e.get("RouteTableIds") or []))
            # Tasks reach an Interface endpoint by the service's usual name only through its private DNS.
            and (e.get("VpcEndpointType") != "Interface" or e.get("PrivateDnsEnabled", True))
        ]
        if not usable:
            missing.append(service)
    return missing


def egress_443(group: dict) -> bool:
    for rule in group.get("IpPermissionsEgress") or []:
        protocol = str(rule.get("IpProtocol"))
        if protocol == "-1" or (protocol in ("tcp", "6") and rule.get("FromPort", 0) <= 443 <= rule.get("ToPort", 65535)):
            if rule.get("IpRanges") or rule.get("Ipv6Ranges") or rule.get("PrefixListIds") or rule.get("UserIdGroupPairs"):
                return True
    return False


def pull_path(subnet: dict, route_tables: list[dict], assign_public_ip: bool) -> dict:
    """How a task in ``subnet`` reaches the registry: ``public`` (IGW and a public IP), ``egress`` (NAT and the like),
    or ``endpoints`` (needs the VPC endpoints); ``problem`` says what is wrong with an IGW route and no public IP."""
    table = route_table_for(subnet, route_tables)
    route = default_route(table)
    verdict = {
        "subnet_id": subnet["SubnetId"],
        "vpc_id": subnet["VpcId"],
        "route_table_id": (table or {}).get("RouteTableId"),
        "default_route": route[1] if route else None,
        "path": None,
        "problem": None,
    }
    if route and route[0] == "egress":
        verdict["path"] = "egress"
    elif route and assign_public_ip:
        verdict["path"] = "public"
    elif route:
        verdict["path"] = "endpoints"
        verdict["problem"] = (
            f"routes 0.0.0.0/0 to the internet gateway {route[1]}, but fargate_assign_public_ip is false: a task there gets no public IP"
        )
    else:
        verdict["path"] = "endpoints"
        verdict["problem"] = f"has no 0.0.0.0/0 route (route table {verdict['route_table_id']}), so no NAT and no internet gateway"
    return verdict


def network_problems(
    subnet_ids: list[str],
    subnets: list[dict],
    route_tables: list[dict],
    endpoints: list[dict] | None,
    security_group_ids: list[str],
    security_groups: list[dict],
    assign_public_ip: bool,
    region: str,
    check_pull_path: bool = True,
) -> tuple[list[str], list[dict]]:
    """Everything that would keep the tasks from pulling their image, each naming the subnet or group and why."""
    problems = []
    by_id = {s["SubnetId"]: s for s in subnets}
    missing_subnets = [s for s in subnet_ids if s not in by_id]
    if missing_subnets:
        problems.append(f"fargate_subnets: {', '.join(missing_subnets)} not found in {region}")
    names = endpoint_service_names(region)
    verdicts = []
    for subnet_id in subnet_ids if check_pull_path else []:
        if subnet_id not in by_id:
            continue
        verdict = pull_path(by_id[subnet_id], route_tables, assign_public_ip)
        if verdict["problem"]:
            absent = missing_endpoints(verdict["vpc_id"], verdict["route_table_id"], endpoints or [], names)
            verdict["missing_endpoints"] = absent
            if absent:
                problems.append(
                    f"subnet {subnet_id} {verdict['problem']}, and its VPC {verdict['vpc_id']} lacks the VPC endpoints "
                    f"{', '.join(names[a] for a in absent)}: tasks there cannot pull their image from ECR. Use a subnet with a NAT "
                    "gateway, set fargate_assign_public_ip: true on a public subnet, or add those endpoints"
                )
            else:
                verdict["path"] = "endpoints"
                verdict["problem"] = None
        verdicts.append(verdict)
    groups = {g["GroupId"]: g for g in security_groups}
    missing_groups = [g for g in security_group_ids if g not in groups]
    if missing_groups:
        problems.append(f"fargate_security_groups: {', '.join(missing_groups)} not found in {region}")
    vpcs = {s["VpcId"] for s in subnets}
    strays = [g for g in security_group_ids if g in groups and vpcs and groups[g].get("VpcId") not in vpcs]
    if strays:
        problems.append(f"fargate_security_groups: {', '.join(strays)} not in the subnets' VPC {', '.join(sorted(vpcs))}")
    found = [groups[g] for g in security_group_ids if g in groups]
    if found and not any(egress_443(g) for g in found):
        problems.append(
            f"fargate_security_groups: none of {', '.join(security_group_ids)} allows outbound TCP 443, so tasks cannot reach ECR"
        )
    return problems, verdicts


def needs_endpoints(subnet_ids: list[str], subnets: list[dict], route_tables: list[dict], assign_public_ip: bool) -> list[str]:
    """The VPCs whose endpoints must be read: those of subnets with no usable default route."""
    by_id = {s["SubnetId"]: s for s in subnets}
    return sorted({
        by_id[s]["VpcId"] for s in subnet_ids if s in by_id and pull_path(by_id[s], route_tables, assign_public_ip)["problem"]
    })


def default_vpc_network(client, region: str, subnet_ids: list[str], group_ids: list[str], *, describe_vpcs, describe_subnets,
                        describe_security_groups) -> dict:
    """What an empty ``subnet_ids`` or ``group_ids`` falls back to: the default VPC's subnets (sorted by id) and its
    default security group, with what was read, so that they are not read again; ``problem`` when there is none."""
    found = {"subnets": [], "groups": [], "problem": None}
    vpcs = describe_vpcs(client, Filters=[{"Name": "is-default", "Values": ["true"]}]) or []
    empty = " and ".join(name for name, ids in (("fargate_subnets", subnet_ids), ("fargate_security_groups", group_ids)) if not ids)
    if not vpcs:
        verb = "are" if " and " in empty else "is"
        found["problem"] = f"{empty} {verb} empty and {region} has no default VPC; set fargate_subnets and fargate_security_groups"
        return found
    vpc_id = vpcs[0]["VpcId"]
    if not subnet_ids:
        found["subnets"] = sorted(describe_subnets(client, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]) or [], key=lambda s: s["SubnetId"])
        if not found["subnets"]:
            found["problem"] = f"fargate_subnets is empty and the default VPC {vpc_id} in {region} has no subnets; set fargate_subnets"
    if not group_ids:
        found["groups"] = describe_security_groups(client, Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]},
        ]) or []
    return found


def preflight(client, region: str, subnet_ids: list[str], security_group_ids: list[str], assign_public_ip: bool, check_pull_path: bool,
              *, describe_vpcs, describe_subnets, describe_route_tables, describe_vpc_endpoints, describe_security_groups) -> dict:
    """The network the tasks get (the given subnets and groups, else the default VPC's), the EC2 reads (endpoints only
    when a subnet has no usable default route) and their verdict. The describe functions are amazon.aws's (error
    handler, then amazon.aws's own AWSRetry: the one place a second retry layer remains, for five EC2 reads), passed in by the module."""
    subnets, route_tables, endpoints, groups = [], [], [], []
    if not subnet_ids or not security_group_ids:
        fallback = default_vpc_network(client, region, subnet_ids, security_group_ids, describe_vpcs=describe_vpcs,
                                       describe_subnets=describe_subnets, describe_security_groups=describe_security_groups)
        if fallback["problem"]:
            return {"problems": [fallback["problem"]], "subnets": [],
                    "network": {"subnets": list(subnet_ids), "security_groups": list(security_group_ids)}}
        subnets, groups = fallback["subnets"], fallback["groups"]
        subnet_ids = subnet_ids or [s["SubnetId"] for s in subnets]
        security_group_ids = security_group_ids or [g["GroupId"] for g in groups]
    if subnet_ids and not subnets:
        subnets = describe_subnets(client, SubnetIds=subnet_ids) or []
    vpc_ids = sorted({s["VpcId"] for s in subnets})
    if check_pull_path and vpc_ids:
        route_tables = describe_route_tables(client, Filters=[{"Name": "vpc-id", "Values": vpc_ids}]) or []
        private_vpcs = needs_endpoints(subnet_ids, subnets, route_tables, assign_public_ip)
        if private_vpcs:
            endpoints = describe_vpc_endpoints(client, Filters=[
                {"Name": "vpc-id", "Values": private_vpcs},
                {"Name": "service-name", "Values": list(endpoint_service_names(region).values())},
            ]) or []
    if security_group_ids and not groups:
        groups = describe_security_groups(client, GroupIds=security_group_ids) or []
    problems, verdicts = network_problems(
        subnet_ids, subnets, route_tables, endpoints, security_group_ids, groups, assign_public_ip, region, check_pull_path
    )
    return {"problems": problems, "subnets": verdicts,
            "network": {"subnets": list(subnet_ids), "security_groups": list(security_group_ids)}}


# The options of the network check, as network_preflight_info takes them and fargate_prerequisites_info's network.
NETWORK_OPTIONS = dict(
    subnets=dict(type="list", elements="str", default=[]),
    security_groups=dict(type="list", elements="str", default=[]),
    assign_public_ip=dict(type="bool", default=False),
    account_id=dict(type="str", default=""),
    check_pull_path=dict(type="bool", default=True),
)


def identity(module) -> str:
    """The caller's account. The first request goes out once, without retries: it is the endpoint's check too, and an
    endpoint that does not answer fails the run at once, naming its URL (botocore's standard retries would try it 10
    times, backing off for about a minute). Any other error (throttling, a 5xx) is asked again with the usual retries."""
    try:
        return caller_account(aws_client(module, "sts", attempts=1))
    except AnsiblePreflightError as e:
        if isinstance(e.exception, (EndpointDown, ConnectionClosedError)):
            raise
    return caller_account(aws_client(module, "sts"))


def check_account(module, options: dict) -> tuple[str, dict | None]:
    """The account (NETWORK_OPTIONS' ``account_id`` checked), and check_network's answer when it is the wrong one (None
    when the network is to be checked). Raises AnsiblePreflightError."""
    account = identity(module)
    problem = account_problem(account, options["account_id"])
    if problem:
        # Another account's subnets would only add confusing "not found" problems.
        return account, {"account_id": account, "problems": [problem], "subnets": [],
                         "network": {"subnets": options["subnets"], "security_groups": options["security_groups"]}}
    return account, None


def check_subnets(ec2, region: str, options: dict, account: str) -> dict:
    """check_network's answer once the account is known to be right. Raises amazon.aws's AnsibleEC2Error."""
    result = preflight(
        ec2, region, options["subnets"], options["security_groups"], options["assign_public_ip"],
        options["check_pull_path"], describe_vpcs=describe_vpcs, describe_subnets=describe_subnets,
        describe_route_tables=describe_route_tables, describe_vpc_endpoints=describe_vpc_endpoints,
        describe_security_groups=describe_security_groups,
    )
    return dict(result, account_id=account)


def check_network(module, options: dict) -> dict:
    """The account, then the network (NETWORK_OPTIONS): ``account_id``, ``problems``, ``subnets`` (each one's way to
    the registry) and ``network`` (the one the tasks get). Raises AnsiblePreflightError or amazon.aws's AnsibleEC2Error."""
    account, wrong = check_account(module, options)
    return wrong or check_subnets(aws_client(module, "ec2"), module.region, options, account)
