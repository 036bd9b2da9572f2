"""The fargate role's one read of its prerequisites: each resource is "up to date" exactly when the module that manages
it (community.aws.ecs_cluster, amazon.aws.cloudwatchlogs_log_group, iam_role, iam_policy) would change nothing, and
when unsure it is not. Shapes as AWS answers (awscli's examples: describe-clusters, get-role; botocore decodes IAM's
URL-encoded policy documents into dicts)."""

from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.prerequisites import cluster_up_to_date
from ansible_collections.devops.fargate.plugins.module_utils.prerequisites import inline_policy_up_to_date
from ansible_collections.devops.fargate.plugins.module_utils.prerequisites import log_group_up_to_date
from ansible_collections.devops.fargate.plugins.module_utils.prerequisites import role_up_to_date

STRATEGY = [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}]
CLUSTER = {
    "clusterArn": "arn:aws:ecs:us-west-2:123456789012:cluster/web",
    "clusterName": "web",
    "status": "ACTIVE",
    "registeredContainerInstancesCount": 0,
    "runningTasksCount": 2,
    "statistics": [],
    "tags": [],
    "settings": [{"name": "containerInsights", "value": "enabled"}],
    "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
    "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
    "attachments": [],
}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
ROLE = {
    "Path": "/",
    "RoleName": "web-execution",
    "RoleId": "AROA1234567890EXAMPLE",
    "Arn": "arn:aws:iam::123456789012:role/web-execution",
    "CreateDate": "2019-11-13T16:45:56Z",
    "AssumeRolePolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}],
    },
    "MaxSessionDuration": 3600,
    "Tags": [{"Key": "team", "Value": "web"}],
    "RoleLastUsed": {"Region": "us-east-1", "LastUsedDate": "2019-11-13T17:14:00Z"},
}
WANTED_ROLE = {"assume_role_policy_document": TRUST, "managed_policies": [EXECUTION_POLICY], "purge_policies": True, "tags": {"team": "web"},
               "purge_tags": True}


def test_a_cluster_as_wanted_is_up_to_date_whatever_else_ecs_adds():
    assert cluster_up_to_date(CLUSTER, ["FARGATE", "FARGATE_SPOT"], STRATEGY, True)
    assert cluster_up_to_date(CLUSTER, ["FARGATE", "FARGATE_SPOT"], [{"capacity_provider": "FARGATE", "weight": 1, "base": 1}], True)


@pytest.mark.parametrize(
    "cluster, providers, strategy",
    [
        (None, ["FARGATE"], STRATEGY),  # none yet
        (dict(CLUSTER, status="INACTIVE"), ["FARGATE", "FARGATE_SPOT"], STRATEGY),  # deleted: ecs_cluster creates it again
        (CLUSTER, ["FARGATE"], STRATEGY),  # a provider too many
        (CLUSTER, ["FARGATE_SPOT", "FARGATE"], STRATEGY),  # ecs_cluster compares the providers in order
        (CLUSTER, ["FARGATE", "FARGATE_SPOT"], [{"capacity_provider": "FARGATE", "weight": 2, "base": 1}]),
        (CLUSTER, ["FARGATE", "FARGATE_SPOT"], [{"capacity_provider": "FARGATE", "weight": 1}]),  # base defaults to 0
        (CLUSTER, ["FARGATE", "FARGATE_SPOT"], None),  # no strategy wanted, one there
    ],
)
def test_a_cluster_that_ecs_cluster_would_change_is_not(cluster, providers, strategy):
    assert not cluster_up_to_date(cluster, providers, strategy, True)


def test_without_purge_ecs_cluster_leaves_the_providers_alone():
    assert cluster_up_to_date(CLUSTER, ["FARGATE"], None, False)


def test_a_log_group_by_retention_and_tags():
    group = {"logGroupName": "/ecs/web", "creationTime": 1, "retentionInDays": 30, "metricFilterCount": 0, "storedBytes": 0}
    assert log_group_up_to_date(group, {"team": "web"}, 30, {"team": "web"}, True)
    assert log_group_up_to_date(group, {"team": "web", "extra": "x"}, 30, {"team": "web"}, False)
    assert log_group_up_to_date(group, {}, None, None, True), "unset retention and tags are not compared"
    assert not log_group_up_to_date(None, {}, 30, {}, True)
    assert not log_group_up_to_date(dict(group, retentionInDays=1), {}, 30, {}, True)
    assert not log_group_up_to_date({"logGroupName": "/ecs/web"}, {}, 30, {}, True), "no retention set yet"
    assert not log_group_up_to_date(group, {"team": "web", "extra": "x"}, 30, {"team": "web"}, True)


def test_a_role_compares_its_trust_policy_as_iam_role_does():
    # The same trust in another form (a one-element list for a string) is equal for amazon.aws's compare_policies.
    assert role_up_to_date(ROLE, [EXECUTION_POLICY], WANTED_ROLE)


@pytest.mark.parametrize(
    "role, attached, wanted",
    [
        (None, [], WANTED_ROLE),
        (dict(ROLE, AssumeRolePolicyDocument={"Version": "2012-10-17", "Statement": []}), [EXECUTION_POLICY], WANTED_ROLE),
        (ROLE, [], WANTED_ROLE),  # the managed policy was detached
        (ROLE, [EXECUTION_POLICY, "arn:aws:iam::aws:policy/ReadOnlyAccess"], WANTED_ROLE),  # one attached too many, purged
        (ROLE, [EXECUTION_POLICY], dict(WANTED_ROLE, managed_policies=["AmazonECSTaskExecutionRolePolicy"])),  # a name: iam_role looks it up
        (ROLE, [EXECUTION_POLICY], dict(WANTED_ROLE, tags={"team": "api"})),
    ],
)
def test_a_role_that_iam_role_would_change_is_not(role, attached, wanted):
    assert not role_up_to_date(role, attached, wanted)


def test_extra_policies_stay_without_purge():
    assert role_up_to_date(ROLE, [EXECUTION_POLICY, "arn:aws:iam::aws:policy/ReadOnlyAccess"], dict(WANTED_ROLE, purge_policies=False))


def test_an_inline_policy_is_up_to_date_equal_or_absent_as_wanted():
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:*"}]}
    same = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": ["arn:aws:secretsmanager:*"]}]}
    assert inline_policy_up_to_date(same, document)
    assert inline_policy_up_to_date(None, None)
    assert not inline_policy_up_to_date(None, document)
    assert not inline_policy_up_to_date(document, None), "a removed secret's policy goes"
    assert not inline_policy_up_to_date(dict(document, Statement=[]), document)
