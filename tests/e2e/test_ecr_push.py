"""The ecr role's one task, devops.fargate.ecr_push, on the e2e stack's moto and registry: check mode predicts what the
real run does (it fails where the real run would, and a build still to come is a push, not a promotion), the push
reuses the image stage's lookup (no second token, plan or registry read), and --diff shows the repository and the tags. Each run has a Docker config of its own."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid

import pytest

from devkit.helpers import aws_defaults
from devkit.helpers import run_playbook
from devkit.helpers import task_result

PUSH_TASK = "devops.fargate.ecr : Plan the repository, log in, ask the registry, and unless looking up, push what it lacks"
ZEROS = "sha256:" + "0" * 64


@pytest.fixture
def repository():
    return f"ecr-push-test/{uuid.uuid4().hex[:8]}"


def run_role(e2e_stack, tmp_path, *args: str, tasks_from: list[str] = ("main",), fails: bool = False, **variables) -> dict:
    """The ecr role (its task files in turn) in one play against the e2e stack; the ansible.posix.json report."""
    role_vars = {"ecr_registry_override": e2e_stack.registry_address, "ecr_registry_scheme": "http", "ecr_docker_config_dir": str(tmp_path / "docker"),
                 "ecr_repository_image_tag_mutability": "MUTABLE", "ecr_repository_scan_on_push": False, "ecr_lifecycle_keep_tagged": 0,
                 "ecr_lifecycle_untagged_days": 0, **variables}
    tasks = [{"name": f"ecr {name}", "ansible.builtin.include_role": {"name": "devops.fargate.ecr", "tasks_from": f"{name}.yml"}} for name in tasks_from]
    plays = [{"hosts": "localhost", "gather_facts": False, "module_defaults": aws_defaults(e2e_stack.moto_url), "vars": role_vars, "tasks": tasks}]
    return run_playbook(plays, *args, expect_failure=fails)


def served(e2e_stack, repository: str, tag: str) -> str | None:
    return e2e_stack.registry.digest(repository, tag)


def test_check_mode_fails_where_the_real_run_fails_with_nothing_to_push_or_promote(e2e_stack, tmp_path, repository):
    variables = {"ecr_repository_name": repository, "ecr_image_tag": "v1", "ecr_source_image": ""}
    real = task_result(run_role(e2e_stack, tmp_path, fails=True, **variables), PUSH_TASK)
    predicted = task_result(run_role(e2e_stack, tmp_path, "--check", fails=True, **variables), PUSH_TASK)
    for result in (real, predicted):
        assert result["failed"] and "has no image tagged v1 to promote" in result["msg"], result["msg"]
        assert result["msg"].startswith("ecr_source_image is empty"), "the message names the role's variable"
    assert repository not in {r["repositoryName"] for r in e2e_stack.client("ecr").describe_repositories()["repositories"]}, "nothing was created"


def test_a_build_still_to_come_is_predicted_as_a_push_even_where_the_registry_holds_the_tag(e2e_stack, tmp_path, repository, image):
    first = run_role(e2e_stack, tmp_path, ecr_repository_name=repository, ecr_image_tag="dev", ecr_source_image=image)
    digest = task_result(first, PUSH_TASK)["digest"]
    assert served(e2e_stack, repository, "dev") == digest

    # The image stage predicts a build (a mutable tag is never promoted): no image yet, the tag in the registry.
    report = run_role(e2e_stack, tmp_path, "--check", ecr_repository_name=repository, ecr_image_tag="dev", ecr_source_image="", ecr_source_pending=True)
    predicted = task_result(report, PUSH_TASK)
    assert (predicted["changed"], predicted["pushed_tags"], predicted["digest"], predicted["promoted"]) == (True, ["dev"], ZEROS, False)
    assert served(e2e_stack, repository, "dev") == digest, "check mode pushed nothing"

    # Outside check mode a pending image is a mistake, named.
    refused = task_result(run_role(e2e_stack, tmp_path, fails=True, ecr_repository_name=repository, ecr_image_tag="dev", ecr_source_image="",
                                   ecr_source_pending=True), PUSH_TASK)
    assert refused["msg"].startswith("ecr_source_pending is true outside check mode"), refused["msg"]


def test_the_push_reuses_the_image_stages_lookup_and_forgets_it_after(e2e_stack, tmp_path, repository, image):
    report = run_role(e2e_stack, tmp_path, "--diff", tasks_from=["find", "main", "main"], ecr_repository_name=repository, ecr_image_tag="v1",
                      ecr_extra_tags=["latest"], ecr_source_image=image)
    lookup, push, again = [task["hosts"]["localhost"] for task in report["plays"][0]["tasks"] if task["task"]["name"] == PUSH_TASK]
    assert lookup["login"]["fetched"] and lookup["found_image"] == {} and "digest" not in lookup
    assert not push["login"]["fetched"], "the push used the lookup's login: no second token"
    assert push["plan"] == lookup["plan"] and push["remote"] == lookup["remote"], "and its plan and registry answer"
    assert (push["changed"], push["pushed_tags"]) == (True, ["v1", "latest"])
    assert served(e2e_stack, repository, "v1") == served(e2e_stack, repository, "latest") == push["digest"]
    # --diff: the repository's settings as created, then each tag from what it pointed at to the image.
    created, moved = push["diff"]
    assert created["before_header"] == f"repository {repository}" and created["after"]["image_tag_mutability"] == "MUTABLE"
    assert (moved["before"], moved["after"]) == ({"v1": "(none)", "latest": "(none)"}, {"v1": push["digest"], "latest": push["digest"]})
    # Used once: the next run asks the registry again and finds both tags current. moto's tokens expire in 2015, before
    # they are fetched: of unknown expiry, the recorded login is reused (no token fetched) until the registry refuses it.
    assert not again["login"]["fetched"] and again["remote"] != lookup["remote"]
    assert (again["changed"], again["pushed_tags"], again["current_tags"], again["digest"]) == (False, [], ["v1", "latest"], push["digest"])
    assert not again.get("diff"), "nothing changes, nothing to show"


def test_a_reused_login_of_unknown_expiry_that_the_registry_refuses_is_replaced_by_a_new_token(e2e_stack, tmp_path, repository, image):
    """The recorded login (of unknown expiry, as moto's are) stands while the registry takes it; refused, a new token is
    fetched, docker login runs, and the read is made again: the run goes on as if the login had been fetched."""
    variables = {"ecr_repository_name": repository, "ecr_image_tag": "v1", "ecr_source_image": image}
    first = task_result(run_role(e2e_stack, tmp_path, **variables), PUSH_TASK)
    assert first["login"]["fetched"] and first["pushed_tags"] == ["v1"]
    config_path = tmp_path / "docker" / "config.json"
    record_path = next((tmp_path / "docker").glob("devops-fargate-ecr-login-*.json"))
    record = json.loads(record_path.read_text())
    assert record["expiry_unknown"] is True and record["expires_epoch"] < time.time()

    # A login the registry refuses, recorded as this one: the Docker config's entry and the record's digest agree.
    stale = base64.b64encode(b"AWS:a-token-the-registry-refuses").decode()
    config = json.loads(config_path.read_text())
    config["auths"][e2e_stack.registry_address]["auth"] = stale
    config_path.write_text(json.dumps(config))
    record_path.write_text(json.dumps(dict(record, auth_sha256=hashlib.sha256(stale.encode()).hexdigest())))

    again = task_result(run_role(e2e_stack, tmp_path, **variables), PUSH_TASK)
    assert again["login"]["fetched"] and again["login"]["logged_in"], again["login"]
    assert (again["changed"], again["pushed_tags"], again["current_tags"]) == (True, [], ["v1"]), "changed: the new login was recorded"
    assert json.loads(config_path.read_text())["auths"][e2e_stack.registry_address]["auth"] != stale
