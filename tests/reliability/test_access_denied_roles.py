"""An AccessDenied from the amazon.aws and community.aws tasks of the fargate role and destroy.yml is explained as this
collection's own modules explain theirs: the denied action, its resource and the policy file of the job to look at.

moto enforces no IAM: the fault proxy in front of it answers the denied operations as AWS does (AccessDeniedException
for ECS's JSON protocol, AccessDenied with HTTP 403 for IAM's query protocol) and forwards the rest.
"""

from __future__ import annotations

import pytest

from support.faultproxy import FaultProxy
from devkit.helpers import aws_defaults
from devkit.helpers import copy_project
from devkit.helpers import project_names
from devkit.helpers import run_playbook
from devkit.helpers import run_project

NAME = "denied-demo"
ACCOUNT = "123456789012"
CLUSTER_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{NAME}"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{NAME}-execution"
DEPLOY_POLICY = "The deploy job's principal needs the policy in docs/iam/deploy-policy.json"
CHECK_POLICY = "The check job's principal needs the policy in docs/iam/check-policy.json"
ROLE_VARS = {
    "fargate_service_name": NAME,
    "fargate_region": "us-east-1",
    "fargate_image_repository": f"127.0.0.1:5999/{NAME}",
    "fargate_image_tag": "1.0",
    "fargate_image_digest": "sha256:" + "1" * 64,
    "fargate_wait_delay": 1,
    "fargate_tags": {"service": NAME},
}


@pytest.fixture(scope="module")
def proxy(moto):
    server = FaultProxy(moto.url)
    yield server
    server.close()


def run_role(proxy, *args: str) -> dict:
    plays = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": aws_defaults(proxy.url),
            "vars": ROLE_VARS,
            "tasks": [{"name": "Roll out", "ansible.builtin.include_role": {"name": "devops.fargate.fargate"}}],
        }
    ]
    report = run_playbook(plays, *args, expect_failure=True)
    report["messages"] = [
        host.get("msg", "") for play in report["plays"] for task in play["tasks"] for host in task["hosts"].values() if host.get("failed")
    ]
    return report


@pytest.mark.parametrize(
    "deny, check, expected",
    [
        ({"CreateCluster": CLUSTER_ARN}, False, f"Access denied: ecs:CreateCluster on {CLUSTER_ARN}. {DEPLOY_POLICY}"),
        ({"CreateRole": ROLE_ARN}, False, f"Access denied: iam:CreateRole on {ROLE_ARN}. {DEPLOY_POLICY}"),
        ({"DescribeClusters": CLUSTER_ARN}, True, f"Access denied: ecs:DescribeClusters on {CLUSTER_ARN}. {CHECK_POLICY}"),
    ],
    ids=["ecs-cluster", "iam-role", "check-mode"],
)
def test_a_denied_call_in_the_fargate_role_names_action_resource_and_policy(proxy, deny, check, expected):
    proxy.configure(deny=deny)
    try:
        report = run_role(proxy, *(["--check"] if check else []))
    finally:
        proxy.configure()
    assert sum(proxy.denied.values()) > 0, "the proxy denied nothing: the test tests nothing"
    assert any(message.startswith(expected) for message in report["messages"]), report["messages"]


def test_other_failures_in_the_role_keep_their_own_message(proxy):
    proxy.configure()
    report = run_role(proxy, "-e", "fargate_subnets=['subnet-0123456789abcdef0']")
    assert report["messages"], "the role did not fail"
    assert not any("Access denied" in message for message in report["messages"]), report["messages"]
    assert any("subnet-0123456789abcdef0" in message for message in report["messages"][-1:]), report["messages"]


def test_a_denied_call_in_destroy_names_the_destroy_policy(proxy, tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("denied") / "fargate", dict(project_names(NAME, 18097), aws_endpoint_url=proxy.url))
    proxy.configure(deny={"DescribeClusters": CLUSTER_ARN})
    try:
        report = run_project(root, "playbooks/destroy.yml", "--skip-tags", "local_stack", "-e", "run_local_enabled=false", check=False)
    finally:
        proxy.configure()
    assert report["rc"] != 0
    expected = f"Access denied: ecs:DescribeClusters on {CLUSTER_ARN}. The destroy job's principal needs the policy in docs/iam/destroy-policy.json"
    assert any(message.startswith(expected) for message in report["failures"]), report["failures"]
