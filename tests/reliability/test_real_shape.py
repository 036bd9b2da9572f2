"""ecs_deploy against answers shaped as real AWS shapes them: moto behind the reshaping proxy.

moto leaves out members real ECS returns (the disabled ``alarms`` block, ``strategy``, ``bakeTimeInMinutes``,
``availabilityZoneRebalancing``, ``registeredAt``, containers' ``versionConsistency``, ...). The proxy adds them,
with values from the real-answer corpus, so that the module's no-op is shown on what AWS really says.
"""

from __future__ import annotations

from devkit.helpers import aws_defaults
from devkit.helpers import run_playbook
from devkit.helpers import task_result
from devkit.helpers import writes


def deploy(endpoint: str, network: dict, check_mode: bool = False, **overrides) -> dict:
    params = {
        "cluster": "real-shape",
        "service": "web",
        "family": "real-shape-web",
        "cpu": 256,
        "memory": 512,
        "container_definitions": [
            {"name": "web", "image": "127.0.0.1:5999/web:1", "portMappings": [{"containerPort": 8000}], "environment": [{"name": "A", "value": "1"}]}
        ],
        "image_digests": {"web": "sha256:" + "a" * 64},
        "subnets": network["subnets"],
        "security_groups": network["security_groups"],
        "desired_count": 1,
        "wait_delay": 1,
        "wait_timeout": 30,
        "service_tags": {"team": "web"},
        "task_definition_tags": {"team": "web"},
    }
    params.update(overrides)
    plays = [{"hosts": "localhost", "gather_facts": False, "module_defaults": aws_defaults(endpoint), "tasks": [{"name": "deploy", "check_mode": check_mode, "devops.fargate.ecs_deploy": params}]}]
    return task_result(run_playbook(plays), "deploy")


def test_reruns_on_real_shaped_answers_change_nothing_and_write_nothing(moto, proxy, network):
    moto.client("ecs").create_cluster(clusterName="real-shape")
    created = deploy(proxy.url, network)
    assert created["changed"] and created["registered"]
    assert proxy.reshaped["DescribeServices"] or proxy.reshaped["CreateService"], "the proxy reshaped nothing"

    for check_mode in (False, True):
        moto.start_recording()
        again = deploy(proxy.url, network, check_mode=check_mode)
        assert not again["changed"] and not again["registered"] and again["changes"] == [], again["changes"]
        assert writes(moto.recorded_actions()) == []


def test_a_change_on_real_shaped_answers_registers_one_revision_and_updates_only_it(moto, proxy, network):
    moto.start_recording()
    changed = deploy(proxy.url, network, memory=1024)
    assert changed["registered"] and sorted(changed["changes"]) == ["service.taskDefinition", "task_definition.memory"], changed["changes"]
    assert [action for action in writes(moto.recorded_actions()) if action != "ecs:TagResource"] == ["ecs:RegisterTaskDefinition", "ecs:UpdateService"]


def test_a_rollout_is_read_from_ecs_record_where_the_endpoint_keeps_one(moto, proxy, network):
    """Real ECS names the deployment an UpdateService started; the proxy keeps that record (moto has none)."""
    proxy.reset_counts()
    moto.start_recording()
    changed = deploy(proxy.url, network, memory=2048)
    assert changed["rollout_state"] == "COMPLETED" and changed["service_deployment_arn"].startswith("arn:aws:ecs:us-east-1:")
    assert changed["alarms_triggered"] == []
    assert proxy.served["DescribeServiceDeployments"] == 1, "one look at ECS's record: the deployment had succeeded"
    actions = moto.recorded_actions()
    assert "ecs:DescribeServices" not in actions[actions.index("ecs:UpdateService"):], "the rollout is not read from the service"
