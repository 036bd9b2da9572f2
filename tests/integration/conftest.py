from __future__ import annotations

import pytest

from fixtures import moto

__all__ = ["moto", "network"]


@pytest.fixture(scope="module")
def network(moto):
    ec2 = moto.client("ec2")
    subnets = [subnet["SubnetId"] for subnet in ec2.describe_subnets()["Subnets"]][:2]
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    return {"subnets": subnets, "security_groups": [groups[0]["GroupId"]]}
