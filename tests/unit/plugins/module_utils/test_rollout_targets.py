"""Remembering good revisions in tags, and choosing what to roll back to."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.rollout import TAG_LAST_GOOD
from ansible_collections.devops.fargate.plugins.module_utils.rollout import TAG_PREVIOUS_GOOD
from ansible_collections.devops.fargate.plugins.module_utils.rollout import good_revisions_from_tags
from ansible_collections.devops.fargate.plugins.module_utils.rollout import on_demand_rollback_target
from ansible_collections.devops.fargate.plugins.module_utils.rollout import rollback_target
from ansible_collections.devops.fargate.plugins.module_utils.rollout import tags_after_success
from support.ecs_answers import T0
from support.ecs_answers import TD
from support.ecs_answers import deployment


def _tags(last=None, previous=None, **others):
    tags = [{"key": key, "value": value} for key, value in others.items()]
    if last is not None:
        tags.append({"key": TAG_LAST_GOOD, "value": TD.format(last)})
    if previous is not None:
        tags.append({"key": TAG_PREVIOUS_GOOD, "value": TD.format(previous)})
    return tags


def _deployment(revision, status, rollout, minute=0):
    return deployment(f"ecs-svc/{revision}", revision, status, rollout, createdAt=T0 + timedelta(minutes=minute))


def _service(*deployments):
    return {"deployments": list(deployments)}


@pytest.mark.parametrize(
    "tags, expected",
    [
        pytest.param(_tags(7, 4, team="web"), (TD.format(7), TD.format(4)), id="both"),
        pytest.param(_tags(7), (TD.format(7), None), id="last-only"),
        pytest.param(_tags(team="web"), (None, None), id="absent"),
        pytest.param([{"key": TAG_LAST_GOOD, "value": ""}], (None, None), id="empty-value"),
        pytest.param(None, (None, None), id="no-tag-list"),
    ],
)
def test_good_revisions_from_tags(tags, expected):
    assert good_revisions_from_tags(tags) == expected


@pytest.mark.parametrize(
    "tags, deployed, expected",
    [
        pytest.param(_tags(), TD.format(1), {TAG_LAST_GOOD: TD.format(1)}, id="first-success"),
        pytest.param(
            _tags(4),
            TD.format(7),
            {TAG_LAST_GOOD: TD.format(7), TAG_PREVIOUS_GOOD: TD.format(4)},
            id="second-success-shifts",
        ),
        pytest.param(
            _tags(7, 4),
            TD.format(9),
            {TAG_LAST_GOOD: TD.format(9), TAG_PREVIOUS_GOOD: TD.format(7)},
            id="shift-drops-oldest",
        ),
        pytest.param(_tags(7, 4), TD.format(7), None, id="redeploy-same-arn-keeps-previous"),
        pytest.param(_tags(7, 4), "web:7", None, id="redeploy-same-revision-short-form"),
        pytest.param(
            _tags(7, 4),
            TD.format(4),
            {TAG_LAST_GOOD: TD.format(4), TAG_PREVIOUS_GOOD: TD.format(7)},
            id="rolled-back-to-previous-swaps",
        ),
    ],
)
def test_tags_after_success(tags, deployed, expected):
    assert tags_after_success(tags, deployed) == expected


@pytest.mark.parametrize(
    "service, tags, failed, expected",
    [
        pytest.param(
            # Revision 6 was registered but never completed: 4 is the one to go back to.
            _service(_deployment(7, "PRIMARY", "IN_PROGRESS"), _deployment(6, "ACTIVE", "FAILED")),
            _tags(4, 2),
            TD.format(7),
            TD.format(4),
            id="last-good-not-revision-minus-one",
        ),
        pytest.param(
            _service(_deployment(4, "PRIMARY", "FAILED")),
            _tags(4, 2),
            TD.format(4),
            TD.format(2),
            id="last-good-failed-use-previous-good",
        ),
        pytest.param(_service(), _tags(4), TD.format(4), None, id="only-known-good-is-the-failed-one"),
        pytest.param(
            _service(
                _deployment(9, "PRIMARY", "IN_PROGRESS", minute=9),
                _deployment(5, "ACTIVE", "COMPLETED", minute=5),
                _deployment(8, "ACTIVE", "FAILED", minute=8),
            ),
            _tags(),
            TD.format(9),
            TD.format(5),
            id="tags-absent-completed-deployment",
        ),
        pytest.param(
            _service(
                _deployment(9, "PRIMARY", "IN_PROGRESS", minute=9),
                _deployment(3, "ACTIVE", "COMPLETED", minute=3),
                _deployment(5, "ACTIVE", "COMPLETED", minute=5),
            ),
            None,
            TD.format(9),
            TD.format(5),
            id="tags-absent-newest-completed-deployment",
        ),
        pytest.param(
            _service(_deployment(9, "PRIMARY", "COMPLETED")),
            _tags(),
            TD.format(8),
            None,
            id="tags-absent-primary-never-chosen",
        ),
        pytest.param(
            _service(_deployment(9, "PRIMARY", "IN_PROGRESS"), _deployment(8, "ACTIVE", "FAILED")),
            _tags(),
            TD.format(9),
            None,
            id="nothing-known",
        ),
        pytest.param(_service(), _tags(4, 2), None, TD.format(4), id="no-failed-revision-given"),
    ],
)
def test_rollback_target(service, tags, failed, expected):
    assert rollback_target(service, tags, failed) == expected


@pytest.mark.parametrize(
    "tags, current, to_revision, expected",
    [
        pytest.param(_tags(7, 4), TD.format(7), None, TD.format(4), id="running-last-good-go-to-previous"),
        pytest.param(_tags(7, 4), TD.format(8), None, TD.format(7), id="running-unknown-go-to-last-good"),
        pytest.param(_tags(7), TD.format(7), None, None, id="no-previous-good"),
        pytest.param(_tags(), TD.format(7), None, None, id="no-tags"),
        pytest.param(_tags(7, 4), TD.format(7), 2, TD.format(2), id="explicit-revision-number"),
        pytest.param(_tags(7, 4), TD.format(7), "3", TD.format(3), id="explicit-revision-text"),
        pytest.param(_tags(7, 4), TD.format(7), "api:3", "api:3", id="explicit-family-revision"),
    ],
)
def test_on_demand_rollback_target(tags, current, to_revision, expected):
    assert on_demand_rollback_target(tags, current, to_revision) == expected


@pytest.mark.parametrize(
    "current, to_revision, message",
    [
        (TD.format(7), 0, "1 or more"),
        (TD.format(7), "latest", "revision number"),
        (None, 3, "current task definition"),
    ],
)
def test_on_demand_rollback_target_rejects(current, to_revision, message):
    with pytest.raises(ValueError, match=message):
        on_demand_rollback_target(_tags(7, 4), current, to_revision)


def _succeeded(*revisions):
    """What ECS's record says was deployed successfully, newest first (ListServiceDeployments, DescribeServiceRevisions)."""
    return [TD.format(revision) for revision in revisions]


_ROLLED_BACK_FROM_8 = {"devops-fargate:rolled-back-from": TD.format(8)}


@pytest.mark.parametrize(
    "tags, current, succeeded, expected",
    [
        pytest.param(_tags(), TD.format(9), _succeeded(9, 6), TD.format(6), id="no-tags-ecs-knows-the-one-before"),
        pytest.param(_tags(7, 4), TD.format(9), _succeeded(9, 6), TD.format(6), id="stale-tags-ecs-wins"),
        pytest.param(_tags(7, 4), TD.format(10), _succeeded(9, 6), TD.format(9), id="running-something-ecs-never-finished"),
        pytest.param(_tags(7, 4), TD.format(7), _succeeded(7), None, id="ecs-knows-no-other"),
        pytest.param(_tags(7, 4), TD.format(7), [], TD.format(4), id="ecs-record-empty-tags-say"),
        pytest.param(_tags(7, 4), TD.format(7), None, TD.format(4), id="no-ecs-record-tags-say"),
        # After an on-demand rollback from 8 to 7, ECS records the rollback as one more successful deployment.
        pytest.param(_tags(7, **_ROLLED_BACK_FROM_8), TD.format(7), _succeeded(7, 8, 7), TD.format(7), id="retried-rollback-stays"),
        # ... and once something newer ran (deployed by another tool: the tags lag), the memory no longer applies.
        pytest.param(_tags(7, **_ROLLED_BACK_FROM_8), TD.format(9), _succeeded(9, 7, 8), TD.format(7), id="newer-since-the-rollback"),
    ],
)
def test_on_demand_rollback_target_from_ecs_record(tags, current, succeeded, expected):
    assert on_demand_rollback_target(tags, current, None, succeeded) == expected


def test_rollback_target_prefers_ecs_record_over_tags():
    service = _service(_deployment(9, "PRIMARY", "IN_PROGRESS", minute=9))
    assert rollback_target(service, _tags(7, 4), TD.format(9), _succeeded(9, 6, 7)) == TD.format(6)
    assert rollback_target(service, _tags(7, 4), TD.format(9), []) == TD.format(7)
