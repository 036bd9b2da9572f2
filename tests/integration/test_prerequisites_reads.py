"""devops.fargate.fargate_prerequisites_info asks the account first, alone, then makes its other reads at once (each
service's in a thread of its own), so that on AWS a preflight waits for its longest chain of requests rather than for
all of them; the network still comes first in what it reports. Through the real module, against moto behind a proxy
that adds a latency to every request and counts how many it answers at once."""

from __future__ import annotations

import pytest

from support.faultproxy import FaultProxy
from devkit.helpers import aws_defaults
from devkit.helpers import run_playbook
from devkit.helpers import task_result

ROLE = {"name": "reads-execution", "assume_role_policy_document": '{"Version": "2012-10-17", "Statement": []}'}


@pytest.fixture(scope="module")
def slow(moto):
    """A proxy in front of the module's moto that answers each request 0.3 s late."""
    server = FaultProxy(moto.url)
    server.configure(latency=0.3)
    yield server
    server.close()


def prerequisites(proxy: FaultProxy, network: dict, deny: dict | None = None) -> dict:
    proxy.configure(latency=0.3, deny=deny)
    proxy.reset_counts()
    args = {"network": network, "cluster": {"name": "reads"}, "log_group": {"name": "/ecs/reads", "tags": {"a": "b"}},
            "roles": [ROLE], "inline_policies": [{"role": ROLE["name"], "name": "secrets", "policy": None}]}
    plays = [{"hosts": "localhost", "gather_facts": False, "module_defaults": aws_defaults(proxy.url),
              "tasks": [{"name": "read", "devops.fargate.fargate_prerequisites_info": args, "ignore_errors": True}]}]
    return task_result(run_playbook(plays), "read")


def test_the_reads_after_the_account_are_made_at_once(slow, network):
    result = prerequisites(slow, {"subnets": network["subnets"], "security_groups": network["security_groups"], "check_pull_path": False})
    assert not result.get("failed"), result.get("msg")
    assert result["network_preflight"]["problems"] == []
    assert (result["cluster"]["up_to_date"], result["log_group"]["up_to_date"], result["roles"][ROLE["name"]]["up_to_date"]) == (False, False, False)
    # The network, the cluster, the log group and the IAM reads: four chains in flight together.
    assert slow.max_in_flight >= 3, f"at most {slow.max_in_flight} request(s) at once: the reads were made one after another"


def test_a_network_problem_is_reported_before_a_failed_read(slow, network):
    result = prerequisites(slow, {"subnets": ["subnet-0000000000000dead"], "security_groups": network["security_groups"], "check_pull_path": False},
                           deny={"GetRole": "arn:aws:iam::123456789012:role/reads-execution"})
    assert not result.get("failed"), result.get("msg")
    assert result["up_to_date"] is False
    assert any("subnet-0000000000000dead" in problem for problem in result["network_preflight"]["problems"])
    assert (result["cluster"], result["log_group"], result["roles"], result["inline_policies"]) == ({}, {}, {}, {})


def test_a_denied_read_fails_naming_it(slow, network):
    result = prerequisites(slow, {"subnets": network["subnets"], "security_groups": network["security_groups"], "check_pull_path": False},
                           deny={"DescribeLogGroups": "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/reads"})
    assert result.get("failed")
    assert "logs:DescribeLogGroups" in result["msg"]


def test_the_wrong_account_reads_nothing_else(slow, network):
    result = prerequisites(slow, {"subnets": network["subnets"], "security_groups": network["security_groups"], "account_id": "999999999999"})
    assert result["up_to_date"] is False
    assert any("999999999999" in problem for problem in result["network_preflight"]["problems"])
    assert slow.requests == 1, f"{slow.requests} requests: only the account should have been asked"
