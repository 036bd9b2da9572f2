"""The user-stack check counts the user's containers, not the ones molecule made for the tests."""

from __future__ import annotations

from support import user_stack


def _row(name: str, labels: str = "", state: str = "running") -> dict:
    return {"Names": name, "ID": name * 2, "Image": "devops-fargate/debian:bookworm", "State": state, "Labels": labels}


def test_molecule_containers_are_not_the_users():
    rows = [
        _row("fargate-demo-local", "devops-fargate.revision=3"),
        _row("awscli-apt", "owner=molecule", "exited"),
        _row("awscli-pip", "maintainer=x,owner=molecule"),
        _row("owner-molecule-lookalike", "owner=moleculex"),
    ]
    assert sorted(user_stack.user_containers(rows)) == ["fargate-demo-local", "owner-molecule-lookalike"]


def test_a_leftover_molecule_container_destroyed_by_the_tests_is_not_a_difference():
    before = {"moto": None, "registry": None, "service": None, "containers": user_stack.user_containers([_row("awscli-apt", "owner=molecule")])}
    after = {"moto": None, "registry": None, "service": None, "containers": user_stack.user_containers([])}
    assert user_stack.differences(before, after) == []


def test_the_users_container_removed_is_a_difference():
    before = {"containers": user_stack.user_containers([_row("fargate-demo-local")])}
    after = {"containers": {}}
    assert user_stack.differences(before, after) == [
        "containers.fargate-demo-local: {'id': 'fargate-demo-localfargate-demo-local', 'image': 'devops-fargate/debian:bookworm', 'running': True} -> None"
    ]
