"""ECS's record of a service's successful deployments (ListServiceDeployments) as the revisions known to be good."""

from __future__ import annotations

from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import newest_first
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import successful_task_definitions
from support.ecs_answers import TD
from support.ecs_answers import service_deployment_brief
from support.ecs_answers import service_revision


def brief(number: int, minutes: int, status: str = "SUCCESSFUL") -> dict:
    return service_deployment_brief(str(number), minutes, status)


def test_newest_first_whatever_order_ecs_lists_them_in():
    listed = [brief(1, 0), brief(3, 20), brief(2, 10)]
    assert [entry["targetServiceRevisionArn"][-1] for entry in newest_first(listed)] == ["3", "2", "1"]


def test_newest_first_reads_the_epoch_seconds_of_a_raw_answer():
    listed = [dict(brief(1, 0), finishedAt=100.0), dict(brief(2, 0), finishedAt=200.0), {"status": "SUCCESSFUL"}]
    assert [entry.get("finishedAt") for entry in newest_first(listed)] == [200.0, 100.0, None]


def test_successful_task_definitions_newest_first_each_once():
    # Revision 4 ran twice (a rollback to it is one more successful deployment); a deployment that only changed the
    # service's settings keeps the task definition.
    listed = [brief(1, 0), brief(2, 10), brief(3, 20), brief(4, 30), brief(5, 40, status="ROLLBACK_SUCCESSFUL")]
    revisions = [
        service_revision("1", TD.format(4)),
        service_revision("2", TD.format(6)),
        service_revision("3", TD.format(4)),
        service_revision("4", TD.format(4)),
        service_revision("5", TD.format(9)),
    ]
    assert successful_task_definitions(listed, revisions) == [TD.format(4), TD.format(6)]


def test_a_deployment_whose_revision_was_not_read_is_left_out():
    assert successful_task_definitions([brief(1, 0), brief(2, 10)], [service_revision("1", TD.format(3))]) == [TD.format(3)]
