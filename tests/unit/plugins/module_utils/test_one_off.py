"""The one-off task before a rollout (pre_deploy_task): its checks, which container it runs in, and its verdict."""

from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import validate_options
from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import with_defaults
from ansible_collections.devops.fargate.plugins.module_utils.one_off import classify_one_off_task
from ansible_collections.devops.fargate.plugins.module_utils.one_off import container_name
from ansible_collections.devops.fargate.plugins.module_utils.rollout import DeploymentState

CONTAINERS = [{"name": "log-router", "essential": False}, {"name": "web"}, {"name": "worker"}]
TASK = "arn:aws:ecs:us-east-1:123456789012:task/c/abc"


def test_the_container_is_the_one_named_else_the_first_essential_one():
    assert container_name({"command": ["x"]}, CONTAINERS) == "web"
    assert container_name({"command": ["x"], "container": "worker"}, CONTAINERS) == "worker"


@pytest.mark.parametrize(
    "spec, named",
    [
        pytest.param({"command": []}, "pre_deploy_task.command", id="empty-command"),
        pytest.param({"command": ["flask", ""]}, "pre_deploy_task.command", id="empty-part"),
        pytest.param({"command": ["flask"], "container": "db"}, "pre_deploy_task.container: 'db' is not one of", id="unknown-container"),
        pytest.param({"command": ["flask"], "wait_timeout": 0}, "pre_deploy_task.wait_timeout", id="no-wait"),
    ],
)
def test_bad_pre_deploy_task_is_named_before_any_call(spec, named):
    params = with_defaults(
        dict(
            cluster="c",
            service="web",
            family="web",
            cpu="256",
            memory="512",
            container_definitions=[{"name": "web", "image": "registry.example/web:1"}],
            subnets=["subnet-0a"],
            pre_deploy_task=dict({"container": None, "wait_timeout": 600}, **spec),
        )
    )
    errors = validate_options(params)
    assert any(error.startswith(named) for error in errors), errors


@pytest.mark.parametrize(
    "task, state, said",
    [
        pytest.param({"taskArn": TASK, "lastStatus": "RUNNING"}, DeploymentState.IN_PROGRESS, "task abc RUNNING", id="running"),
        pytest.param({"taskArn": TASK}, DeploymentState.IN_PROGRESS, "task abc PROVISIONING", id="no-status-yet"),
        pytest.param(
            {"taskArn": TASK, "lastStatus": "STOPPED", "containers": [{"name": "web", "exitCode": 0}]},
            DeploymentState.COMPLETED,
            "exited 0",
            id="exit-0",
        ),
        pytest.param(
            {"taskArn": TASK, "lastStatus": "STOPPED", "stopCode": "EssentialContainerExited", "containers": [{"name": "web", "exitCode": 2}]},
            DeploymentState.FAILED,
            "container web exit code 2; EssentialContainerExited",
            id="exit-2",
        ),
        pytest.param(
            {
                "taskArn": TASK,
                "lastStatus": "STOPPED",
                "stopCode": "TaskFailedToStart",
                "stoppedReason": "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
                "containers": [{"name": "web", "reason": "CannotPullContainerError"}],
            },
            DeploymentState.FAILED,
            "no exit code (it never ran) (CannotPullContainerError); TaskFailedToStart: CannotPullContainerError",
            id="never-ran",
        ),
    ],
)
def test_classify_one_off_task(task, state, said):
    verdict, reason = classify_one_off_task(task, "web")
    assert verdict == state and said in reason
