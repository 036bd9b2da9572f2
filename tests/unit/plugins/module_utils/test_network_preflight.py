"""network_preflight against real boto3 EC2 and STS clients answered by botocore's Stubber, with AWS's own shapes
(awscli's examples of describe-route-tables, describe-vpc-endpoints)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_route_tables
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_security_groups
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_subnets
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_vpc_endpoints
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_vpcs
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import account_problem
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import caller_account
from ansible_collections.devops.fargate.plugins.module_utils.network_preflight import preflight
from support.stubs import sent

VPC = "vpc-0065acced4EXAMPLE"
PUBLIC = "subnet-0a1b2c3d4e5f60718"
PRIVATE = "subnet-0d3d002af8EXAMPLE"
SG = "sg-0123456789abcdef0"
MAIN_RTB = "rtb-09ba434c1bEXAMPLE"
PRIVATE_RTB = "rtb-07a98f76e5EXAMPLE"
DESCRIBE = dict(
    describe_vpcs=describe_vpcs, describe_subnets=describe_subnets, describe_route_tables=describe_route_tables,
    describe_vpc_endpoints=describe_vpc_endpoints, describe_security_groups=describe_security_groups,
)


def _subnet(subnet_id):
    return {"SubnetId": subnet_id, "VpcId": VPC, "AvailabilityZone": "eu-west-1a", "CidrBlock": "10.0.1.0/24", "State": "available",
            "MapPublicIpOnLaunch": False, "AvailableIpAddressCount": 250, "DefaultForAz": False}


def _table(table_id, routes, main=False, subnet=None):
    association = {"Main": main, "RouteTableAssociationId": "rtbassoc-0df3f54e06EXAMPLE", "RouteTableId": table_id}
    if subnet:
        association["SubnetId"] = subnet
    return {"Associations": [association], "PropagatingVgws": [], "RouteTableId": table_id, "VpcId": VPC, "OwnerId": "111122223333",
            "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}] + routes}


IGW_ROUTE = {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-fEXAMPLE", "Origin": "CreateRoute", "State": "active"}
NAT_ROUTE = {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-06c018cbd8EXAMPLE", "Origin": "CreateRoute", "State": "active"}
BLACKHOLE = dict(NAT_ROUTE, State="blackhole")
GROUP = {"GroupId": SG, "GroupName": "web", "Description": "web", "VpcId": VPC, "OwnerId": "111122223333", "IpPermissions": [],
         "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]}


def _endpoint(service, kind="Interface", tables=()):
    return {"VpcEndpointId": f"vpce-{service.replace('.', '')}", "VpcEndpointType": kind, "VpcId": VPC, "State": "available",
            "ServiceName": f"com.amazonaws.eu-west-1.{service}", "RouteTableIds": list(tables), "PrivateDnsEnabled": kind == "Interface"}


@pytest.fixture
def ec2():
    client = boto3.client("ec2", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def _expect(stub, subnets, tables, endpoints=None, groups=(GROUP,)):
    stub.add_response("describe_subnets", {"Subnets": [_subnet(s) for s in subnets]}, {"SubnetIds": list(subnets)})
    stub.add_response("describe_route_tables", {"RouteTables": tables}, {"Filters": [{"Name": "vpc-id", "Values": [VPC]}]})
    if endpoints is not None:
        names = [f"com.amazonaws.eu-west-1.{s}" for s in ("ecr.api", "ecr.dkr", "s3", "logs")]
        stub.add_response("describe_vpc_endpoints", {"VpcEndpoints": endpoints},
                          {"Filters": [{"Name": "vpc-id", "Values": [VPC]}, {"Name": "service-name", "Values": names}]})
    stub.add_response("describe_security_groups", {"SecurityGroups": list(groups)}, {"GroupIds": [SG]})


def test_public_subnet_with_a_public_ip_is_fine_and_reads_no_endpoints(ec2):
    client, stub = ec2
    _expect(stub, [PUBLIC], [_table(MAIN_RTB, [IGW_ROUTE], main=True)])
    calls = sent(client)
    result = preflight(client, "eu-west-1", [PUBLIC], [SG], True, True, **DESCRIBE)
    assert result["problems"] == []
    assert result["subnets"][0]["path"] == "public" and result["subnets"][0]["route_table_id"] == MAIN_RTB
    assert calls == ["DescribeSubnets", "DescribeRouteTables", "DescribeSecurityGroups"]


def test_public_subnet_without_a_public_ip_and_no_endpoints_names_the_subnet_and_why(ec2):
    client, stub = ec2
    _expect(stub, [PUBLIC], [_table(MAIN_RTB, [IGW_ROUTE], main=True)], endpoints=[])
    problems = preflight(client, "eu-west-1", [PUBLIC], [SG], False, True, **DESCRIBE)["problems"]
    assert len(problems) == 1
    assert f"subnet {PUBLIC} routes 0.0.0.0/0 to the internet gateway igw-fEXAMPLE, but fargate_assign_public_ip is false" in problems[0]
    assert "com.amazonaws.eu-west-1.ecr.dkr" in problems[0]


def test_explicit_table_wins_over_the_main_one_and_a_nat_route_is_fine(ec2):
    client, stub = ec2
    _expect(stub, [PRIVATE], [_table(MAIN_RTB, [IGW_ROUTE], main=True), _table(PRIVATE_RTB, [NAT_ROUTE], subnet=PRIVATE)])
    result = preflight(client, "eu-west-1", [PRIVATE], [SG], False, True, **DESCRIBE)
    assert result["problems"] == []
    assert result["subnets"][0]["route_table_id"] == PRIVATE_RTB and result["subnets"][0]["path"] == "egress"


def test_blackhole_route_and_endpoints_all_present_is_fine(ec2):
    client, stub = ec2
    endpoints = [_endpoint("ecr.api"), _endpoint("ecr.dkr"), _endpoint("logs"), _endpoint("s3", "Gateway", [PRIVATE_RTB])]
    _expect(stub, [PRIVATE], [_table(PRIVATE_RTB, [BLACKHOLE], subnet=PRIVATE)], endpoints=endpoints)
    result = preflight(client, "eu-west-1", [PRIVATE], [SG], False, True, **DESCRIBE)
    assert result["problems"] == [] and result["subnets"][0]["path"] == "endpoints"


def test_s3_gateway_endpoint_on_another_table_does_not_count(ec2):
    client, stub = ec2
    endpoints = [_endpoint("ecr.api"), _endpoint("ecr.dkr"), _endpoint("logs"), _endpoint("s3", "Gateway", [MAIN_RTB])]
    _expect(stub, [PRIVATE], [_table(PRIVATE_RTB, [], subnet=PRIVATE)], endpoints=endpoints)
    problems = preflight(client, "eu-west-1", [PRIVATE], [SG], False, True, **DESCRIBE)["problems"]
    assert len(problems) == 1 and f"subnet {PRIVATE} has no 0.0.0.0/0 route (route table {PRIVATE_RTB})" in problems[0]
    assert "com.amazonaws.eu-west-1.s3" in problems[0] and "ecr.api" not in problems[0]


def test_missing_subnet_and_a_group_with_no_way_out(ec2):
    client, stub = ec2
    closed = dict(GROUP, IpPermissionsEgress=[])
    stub.add_client_error("describe_subnets", "InvalidSubnetID.NotFound", "The subnet ID 'subnet-gone' does not exist")
    stub.add_response("describe_security_groups", {"SecurityGroups": [closed]}, {"GroupIds": [SG]})
    problems = preflight(client, "eu-west-1", ["subnet-gone"], [SG], False, True, **DESCRIBE)["problems"]
    assert problems == [
        "fargate_subnets: subnet-gone not found in eu-west-1",
        f"fargate_security_groups: none of {SG} allows outbound TCP 443, so tasks cannot reach ECR",
    ]


# --- no subnets or groups given: the default VPC's, found in the same call -------------------------------------------

DEFAULT_VPC = {"CidrBlock": "172.31.0.0/16", "DhcpOptionsId": "dopt-19edf471", "State": "available", "VpcId": VPC, "OwnerId": "111122223333",
               "InstanceTenancy": "default", "IsDefault": True}
IS_DEFAULT = {"Filters": [{"Name": "is-default", "Values": ["true"]}]}
IN_VPC = [{"Name": "vpc-id", "Values": [VPC]}]


def test_no_subnets_or_groups_given_uses_the_default_vpcs_and_reads_nothing_twice(ec2):
    client, stub = ec2
    default_group = dict(GROUP, GroupName="default")
    stub.add_response("describe_vpcs", {"Vpcs": [DEFAULT_VPC]}, IS_DEFAULT)
    stub.add_response("describe_subnets", {"Subnets": [_subnet(PRIVATE), _subnet(PUBLIC)]}, {"Filters": IN_VPC})
    stub.add_response("describe_security_groups", {"SecurityGroups": [default_group]},
                      {"Filters": IN_VPC + [{"Name": "group-name", "Values": ["default"]}]})
    calls = sent(client)
    result = preflight(client, "eu-west-1", [], [], False, False, **DESCRIBE)
    assert result["problems"] == []
    assert result["network"] == {"subnets": sorted([PRIVATE, PUBLIC]), "security_groups": [SG]}
    assert calls == ["DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups"]


def test_given_subnets_and_no_group_take_the_default_vpcs_group_and_check_the_subnets(ec2):
    client, stub = ec2
    stub.add_response("describe_vpcs", {"Vpcs": [DEFAULT_VPC]}, IS_DEFAULT)
    stub.add_response("describe_security_groups", {"SecurityGroups": [GROUP]}, {"Filters": IN_VPC + [{"Name": "group-name", "Values": ["default"]}]})
    stub.add_response("describe_subnets", {"Subnets": [_subnet(PUBLIC)]}, {"SubnetIds": [PUBLIC]})
    stub.add_response("describe_route_tables", {"RouteTables": [_table(MAIN_RTB, [IGW_ROUTE], main=True)]}, {"Filters": IN_VPC})
    result = preflight(client, "eu-west-1", [PUBLIC], [], True, True, **DESCRIBE)
    assert result["problems"] == [] and result["network"] == {"subnets": [PUBLIC], "security_groups": [SG]}
    assert result["subnets"][0]["path"] == "public"


def test_no_default_vpc_to_fall_back_on_names_what_to_set(ec2):
    client, stub = ec2
    stub.add_response("describe_vpcs", {"Vpcs": []}, IS_DEFAULT)
    calls = sent(client)
    result = preflight(client, "eu-west-1", [], [SG], False, True, **DESCRIBE)
    assert result["problems"] == ["fargate_subnets is empty and eu-west-1 has no default VPC; set fargate_subnets and fargate_security_groups"]
    assert calls == ["DescribeVpcs"]


def test_caller_account_and_the_account_problem():
    client = boto3.client("sts", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("get_caller_identity", {"UserId": "AIDASAMPLEUSERID", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/DevAdmin"})
        assert caller_account(client) == "123456789012"
    assert account_problem("123456789012", "123456789012") is None
    assert account_problem("123456789012", "") is None
    message = account_problem("123456789012", "210987654321")
    assert "aws_account_id is 210987654321" in message and "account 123456789012" in message
