"""Fixtures shared by the integration and reliability tests; their conftest modules re-export them."""

from __future__ import annotations

import pytest

from support.faultproxy import FaultProxy
from devkit.helpers import MotoServer
from support.stack import Registry


@pytest.fixture(scope="module")
def moto():
    """A moto server of the test module's own: its state and API-call recording are the module's alone."""
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def network(moto):  # pylint: disable=redefined-outer-name
    """Two of moto's default subnets and the default security group, for awsvpc services."""
    ec2 = moto.client("ec2")
    subnets = [subnet["SubnetId"] for subnet in ec2.describe_subnets()["Subnets"]][:2]
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    return {"subnets": subnets, "security_groups": [groups[0]["GroupId"]]}


@pytest.fixture(scope="module")
def proxy(moto):  # pylint: disable=redefined-outer-name
    """A fault proxy in front of the module's moto; its ECS answers are shaped as real AWS shapes them (alarms,
    strategy, registeredAt, ...), so every run through it compares real answers."""
    server = FaultProxy(moto.url, reshape=True)
    yield server
    server.close()


@pytest.fixture(scope="module")
def registry():
    """A registry of the module's own, which a test may kill and start again."""
    server = Registry()
    yield server
    server.kill()
