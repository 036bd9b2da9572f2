"""devops.fargate.ecs_deploy against a moto server: results, and the server's state and API calls."""

from __future__ import annotations

import itertools
import json
import subprocess

import pytest
import yaml

from devkit.helpers import REPO
from devkit.helpers import VENV_BIN
from devkit.helpers import ansible_env
from devkit.helpers import aws_defaults
from devkit.helpers import run_playbook
from devkit.helpers import task_result
from devkit.helpers import writes

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
_names = itertools.count(1)


@pytest.fixture
def svc(moto, network):
    """A fresh cluster and service name, and a function that runs the module on them."""
    number = next(_names)
    cluster, service = f"it-{number}", f"web-{number}"
    moto.client("ecs").create_cluster(clusterName=cluster)

    def run(*args, expect_failure=False, **overrides):
        params = {
            "cluster": cluster,
            "service": service,
            "family": service,
            "cpu": 256,
            "memory": 512,
            "container_definitions": with_container(),
            "image_digests": {"web": DIGEST_A},
            "subnets": network["subnets"],
            "security_groups": network["security_groups"],
            "desired_count": 1,
            "wait_delay": 1,
            "wait_timeout": 30,
        }
        params.update(overrides)
        plays = [
            {
                "hosts": "localhost",
                "gather_facts": False,
                "module_defaults": aws_defaults(moto.url),
                "tasks": [{"name": "deploy", "devops.fargate.ecs_deploy": params}],
            }
        ]
        return task_result(run_playbook(plays, *args, expect_failure=expect_failure), "deploy")

    run.cluster, run.service, run.family = cluster, service, service
    return run


def revisions(moto, family):
    return moto.client("ecs").list_task_definitions(familyPrefix=family)["taskDefinitionArns"]


def service_state(moto, svc):
    found = moto.client("ecs").describe_services(cluster=svc.cluster, services=[svc.service], include=["TAGS"])["services"]
    return found[0] if found and found[0]["status"] != "INACTIVE" else None


def with_container(**changes):
    container = {
        "name": "web",
        "image": "127.0.0.1:5050/fargate-demo:1.0",
        "portMappings": [{"containerPort": 8000}],
        "environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "FLASK_SERVICE_NAME", "value": "web"}],
        "command": ["gunicorn", "-c", "python:webapp.gunicorn_conf", "webapp:create_app()"],
        "healthCheck": {"command": ["CMD", "python3", "-m", "webapp.healthcheck"]},
    }
    container.update(changes)
    return [container]


def test_create_then_noop(moto, svc):
    # Check mode predicts the creation and writes nothing.
    moto.start_recording()
    predicted = svc("--check")
    assert writes(moto.recorded_actions()) == []
    assert predicted["changed"] and predicted["registered"] and predicted["deployment_started"]
    assert predicted["task_definition_arn"].endswith(f"{svc.family}:1")
    assert revisions(moto, svc.family) == [] and service_state(moto, svc) is None

    created = svc()
    assert created["changed"] and created["registered"] and created["revision"] == 1
    assert created["rollout_state"] == "COMPLETED" and created["deployment_id"]
    assert set(predicted) - {"diff"} == set(created) - {"diff"}, "check mode returns the same keys"
    assert created["changes"] == predicted["changes"]
    state = service_state(moto, svc)
    assert state["taskDefinition"] == created["task_definition_arn"]
    assert state["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert {t["key"]: t["value"] for t in state["tags"]}["devops-fargate:last-good"] == created["task_definition_arn"]
    image = moto.client("ecs").describe_task_definition(taskDefinition=created["task_definition_arn"])["taskDefinition"]["containerDefinitions"][0]["image"]
    assert image == "127.0.0.1:5050/fargate-demo@" + DIGEST_A

    # Nothing changed: no write, no new revision, at most 3 calls.
    moto.start_recording()
    again = svc()
    actions = moto.recorded_actions()
    assert not again["changed"] and not again["registered"] and not again["deployment_started"]
    assert again["task_definition_arn"] == created["task_definition_arn"]
    assert writes(actions) == []
    assert len([a for a in actions if a.startswith("ecs:")]) <= 3
    assert len(revisions(moto, svc.family)) == 1

    assert not svc("--check")["changed"]


@pytest.mark.parametrize(
    "change, path",
    [
        ({"memory": 1024}, "task_definition.memory"),
        ({"memory": "1 GB"}, "task_definition.memory"),
        ({"cpu": "0.5 vCPU", "memory": 1024}, "task_definition.cpu"),
        (
            {"container_definitions": with_container(environment=[{"name": "LOG_LEVEL", "value": "debug"}, {"name": "FLASK_SERVICE_NAME", "value": "web"}])},
            "LOG_LEVEL",
        ),
        ({"container_definitions": with_container(command=["gunicorn", "-c", "python:webapp.gunicorn_conf", "webapp:create_app(debug=True)"])}, "command"),
        ({"container_definitions": with_container(portMappings=[{"containerPort": 8080}])}, "portMappings"),
        ({"container_definitions": with_container(healthCheck={"command": ["CMD", "python3", "-m", "webapp.healthcheck"], "interval": 10})}, "healthCheck"),
        ({"image_digests": {"web": DIGEST_B}}, "image"),
    ],
)
def test_each_real_change_registers_exactly_one_revision(moto, svc, change, path):
    first = svc()
    changed = svc(**change)
    assert changed["changed"] and changed["registered"]
    assert changed["revision"] == first["revision"] + 1
    assert any(path in item for item in changed["changes"]), changed["changes"]
    assert service_state(moto, svc)["taskDefinition"] == changed["task_definition_arn"]
    assert len(revisions(moto, svc.family)) == 2
    rerun = svc(**change)
    assert not rerun["changed"] and rerun["revision"] == changed["revision"]
    assert len(revisions(moto, svc.family)) == 2



def test_deployment_alarms_are_set_kept_and_left_alone_when_not_asked_for(moto, svc):
    alarms = {"names": ["web-5xx", "web-latency"]}
    created = svc(alarms=alarms)
    assert created["changed"]
    wanted = {"alarmNames": ["web-5xx", "web-latency"], "enable": True, "rollback": True}
    assert service_state(moto, svc)["deploymentConfiguration"]["alarms"] == wanted, "set on create (moto drops it: set again at once)"

    moto.start_recording()
    again = svc(alarms={"names": ["web-latency", "web-5xx"], "rollback": True})
    assert not again["changed"] and writes(moto.recorded_actions()) == []
    assert not svc()["changed"], "not asked for: the service's alarms are left as they are"
    assert not svc("--check", alarms=alarms)["changed"]

    # update_service replaces the whole block: a change to another member sends the alarms back as they are.
    wider = svc(maximum_percent=150)
    assert wider["changes"] == ["service.deploymentConfiguration"]
    assert service_state(moto, svc)["deploymentConfiguration"]["alarms"] == wanted

    off = svc("--diff", maximum_percent=150, alarms={"names": []})
    assert off["changes"] == ["service.deploymentConfiguration"]
    assert off["diff"]["after"]["service"]["deploymentConfiguration"]["alarms"] == {"alarmNames": [], "enable": False, "rollback": False}
    assert service_state(moto, svc)["deploymentConfiguration"]["alarms"]["enable"] is False
    assert not svc(maximum_percent=150, alarms={"names": []})["changed"]



def test_a_deployment_strategy_is_set_kept_and_left_alone_when_not_asked_for(moto, svc):
    hook = {"targetType": "PAUSE", "lifecycleStages": ["POST_SCALE_UP"]}
    strategy = {"type": "rolling", "bake_time": 3, "lifecycle_hooks": [hook]}
    created = svc(deployment_strategy=strategy)
    assert created["changed"] and created["deployment_strategy"] == "ROLLING"
    configuration = service_state(moto, svc)["deploymentConfiguration"]
    assert (configuration["strategy"], configuration["bakeTimeInMinutes"], configuration["lifecycleHooks"]) == ("ROLLING", 3, [hook])

    moto.start_recording()
    assert not svc(deployment_strategy=strategy)["changed"] and writes(moto.recorded_actions()) == []
    left = svc()
    assert not left["changed"] and left["deployment_strategy"] == "ROLLING", "not asked for: the service's is kept and reported"

    svc(maximum_percent=150)
    configuration = service_state(moto, svc)["deploymentConfiguration"]
    assert (configuration["maximumPercent"], configuration["bakeTimeInMinutes"], configuration["lifecycleHooks"]) == (150, 3, [hook])



TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/it-{}/0123456789abcdef"
SHIFTING = [
    {
        "targetGroupArn": TG.format("blue"),
        "containerName": "web",
        "containerPort": 8000,
        "advancedConfiguration": {
            "alternateTargetGroupArn": TG.format("green"),
            "productionListenerRule": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/it/0123456789abcdef/0123456789abcdef/1",
            "roleArn": "arn:aws:iam::123456789012:role/it-load-balancers",
        },
    }
]


@pytest.mark.parametrize(
    "strategy, members",
    [
        ({"type": "blue_green", "bake_time": 10}, {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 10}),
        (
            {"type": "canary", "canary_percent": 10, "canary_bake_time": 5},
            {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 5}},
        ),
        (
            {"type": "linear", "linear_step_percent": 25, "linear_step_bake_time": 2},
            {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 25.0, "stepBakeTimeInMinutes": 2}},
        ),
    ],
    ids=["blue_green", "canary", "linear"],
)
def test_each_traffic_shifting_strategy_is_set_and_a_rerun_writes_nothing(moto, svc, strategy, members):
    created = svc(deployment_strategy=strategy, load_balancers=SHIFTING)
    assert created["changed"] and created["deployment_strategy"] == members["strategy"]
    configuration = service_state(moto, svc)["deploymentConfiguration"]
    assert {key: configuration.get(key) for key in members} == members
    assert service_state(moto, svc)["loadBalancers"] == SHIFTING

    moto.start_recording()
    again = svc(deployment_strategy=strategy, load_balancers=SHIFTING)
    assert not again["changed"] and again["changes"] == [] and writes(moto.recorded_actions()) == []
    assert not svc("--check", deployment_strategy=strategy, load_balancers=SHIFTING)["changed"]


def test_tags_follow_amazon_aws_tags_and_purge_tags(moto, svc):
    """``tags`` (the service's) and ``task_definition_tags``: a tag someone else set stays with ``purge_tags=false`` and
    goes without it; the module's own ``devops-fargate:`` tags stay either way; no tag change registers a revision."""
    ecs = moto.client("ecs")

    def tags_of(arn):
        return {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=arn)["tags"]}

    first = svc(tags={"team": "web"}, task_definition_tags={"team": "web"})
    service_arn = service_state(moto, svc)["serviceArn"]
    for arn in (service_arn, first["task_definition_arn"]):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "cost-centre", "value": "42"}])

    kept = svc(tags={"team": "web", "tier": "front"}, task_definition_tags={"team": "web", "tier": "front"}, purge_tags=False)
    assert kept["changed"] and not kept["registered"] and not kept["deployment_started"]
    assert sorted(kept["changes"]) == ["service.tags.tier", "task_definition.tags.tier"]
    for arn in (service_arn, first["task_definition_arn"]):
        assert {k: v for k, v in tags_of(arn).items() if not k.startswith("devops-fargate:")} == {"team": "web", "tier": "front", "cost-centre": "42"}
    assert not svc(tags={"team": "web"}, task_definition_tags={"team": "web"}, purge_tags=False)["changed"]

    purged = svc("--check", tags={"team": "web"}, task_definition_tags={"team": "web"})
    assert sorted(purged["changes"]) == sorted(f"{kind}.tags.{key}" for kind in ("service", "task_definition") for key in ("cost-centre", "tier"))
    purged = svc(tags={"team": "web"}, task_definition_tags={"team": "web"})
    assert purged["changed"] and not purged["registered"]
    assert {k: v for k, v in tags_of(service_arn).items() if not k.startswith("devops-fargate:")} == {"team": "web"}
    assert {k: v for k, v in tags_of(first["task_definition_arn"]).items() if not k.startswith("devops-fargate:")} == {"team": "web"}
    assert "devops-fargate:last-good" in tags_of(service_arn) and "devops-fargate:request-digest" in tags_of(first["task_definition_arn"])
    assert len(revisions(moto, svc.family)) == 1
    # The old name of the service's tags still works.
    assert not svc(service_tags={"team": "web"}, task_definition_tags={"team": "web"})["changed"]


def test_same_meaning_in_other_forms_is_not_a_change(moto, svc):
    first = svc()
    same = svc(
        cpu="256",
        memory="0.5 GB",
        container_definitions=with_container(
            environment=[{"name": "FLASK_SERVICE_NAME", "value": "web"}, {"name": "LOG_LEVEL", "value": "info"}],
            essential=True,
            cpu=0,
            portMappings=[{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
            healthCheck={"command": ["CMD", "python3", "-m", "webapp.healthcheck"], "interval": 30, "timeout": 5, "retries": 3},
            mountPoints=[],
        ),
    )
    assert not same["changed"], same["changes"]
    assert same["task_definition_arn"] == first["task_definition_arn"]


def test_reverting_a_change_reuses_the_old_revision(moto, svc):
    first = svc()
    svc(memory=1024)
    reverted = svc()
    assert reverted["changed"] and not reverted["registered"]
    assert reverted["task_definition_arn"] == first["task_definition_arn"]
    assert reverted["changes"] == ["service.taskDefinition"]
    assert len(revisions(moto, svc.family)) == 2


def test_tag_mode_forces_one_deployment_per_new_digest(moto, svc):
    tag_mode = {"image_update_mode": "tag"}
    first = svc(**tag_mode)
    assert first["images"][0]["image"].endswith(":1.0")
    rerun = svc(**tag_mode)
    assert not rerun["changed"] and not rerun["forced"]

    moto.start_recording()
    pushed = svc(image_digests={"web": DIGEST_B}, **tag_mode)
    actions = moto.recorded_actions()
    assert pushed["changed"] and pushed["forced"] and not pushed["registered"]
    assert pushed["deployment_id"] != first["deployment_id"]
    assert actions.count("ecs:UpdateService") == 1
    assert pushed["changes"] == ["service.forceNewDeployment"]

    again = svc(image_digests={"web": DIGEST_B}, **tag_mode)
    assert not again["changed"] and not again["forced"]
    assert again["deployment_id"] == pushed["deployment_id"]


def test_explicit_force_always_forces(moto, svc):
    first = svc()
    forced = svc(force_new_deployment=True)
    assert forced["changed"] and forced["forced"] and not forced["registered"]
    assert forced["deployment_id"] != first["deployment_id"]


def test_the_result_carries_the_running_revisions_containers_as_ecs_has_them(moto, svc):
    """So that the run_local role need not describe the service and its revision again."""

    def described(arn):
        return moto.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"]

    created = svc()  # registered
    assert created["container_definitions"] == described(created["task_definition_arn"])
    assert created["container_definitions"][0]["image"] == "127.0.0.1:5050/fargate-demo@" + DIGEST_A
    assert svc()["container_definitions"] == described(created["task_definition_arn"])  # the service's revision, reused
    changed = svc(image_digests={"web": DIGEST_B})
    reverted = svc()  # an earlier revision, reused
    assert reverted["container_definitions"] == described(created["task_definition_arn"]) != described(changed["task_definition_arn"])
    predicted = svc("--check", image_digests={"web": DIGEST_B})  # as it would be registered
    assert predicted["container_definitions"][0]["image"] == "127.0.0.1:5050/fargate-demo@" + DIGEST_B


def test_check_mode_predicts_the_real_run(moto, svc):
    svc()
    before = revisions(moto, svc.family)
    moto.start_recording()
    predicted = svc("--check", "--diff", memory=2048, desired_count=2)
    assert writes(moto.recorded_actions()) == []
    assert revisions(moto, svc.family) == before
    real = svc("--diff", memory=2048, desired_count=2)
    for key in ("changed", "registered", "task_definition_arn", "revision", "changes", "deployment_started", "forced"):
        assert predicted[key] == real[key], key
    assert predicted["diff"] == real["diff"]
    assert real["diff"]["after"]["task_definition"]["memory"] == 2048
    assert real["diff"]["before"]["service"]["desiredCount"] == 1


def test_desired_count_left_alone_when_not_set(moto, svc):
    svc()
    moto.client("ecs").update_service(cluster=svc.cluster, service=svc.service, desiredCount=3)
    result = svc(desired_count=None)
    assert not result["changed"]
    assert service_state(moto, svc)["desiredCount"] == 3


def test_on_demand_rollback_returns_to_the_previous_good_revision(moto, svc):
    good = svc()
    newer = svc(memory=1024)
    assert newer["revision"] == good["revision"] + 1
    plays = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": aws_defaults(moto.url),
            "tasks": [
                {"name": "rollback", "devops.fargate.ecs_deploy": {"cluster": svc.cluster, "service": svc.service, "state": "rolled_back", "wait_delay": 1}}
            ],
        }
    ]
    back = task_result(run_playbook(plays), "rollback")
    assert back["changed"] and back["rolled_back"] and back["rollout_state"] == "COMPLETED"
    assert back["task_definition_arn"] == good["task_definition_arn"]
    assert service_state(moto, svc)["taskDefinition"] == good["task_definition_arn"]
    # A retried rollback (a CI job run again) changes nothing: it does not swap back to the newer revision.
    again = task_result(run_playbook(plays), "rollback")
    assert not again["changed"] and again["task_definition_arn"] == good["task_definition_arn"]
    assert service_state(moto, svc)["taskDefinition"] == good["task_definition_arn"]


def test_info_and_delete(moto, svc):
    created = svc()
    plays = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": aws_defaults(moto.url),
            "tasks": [
                {"name": "info", "devops.fargate.ecs_deploy_info": {"cluster": svc.cluster, "service": svc.service}},
                {"name": "delete", "devops.fargate.ecs_deploy": {"cluster": svc.cluster, "service": svc.service, "family": svc.family, "state": "absent"}},
                {
                    "name": "delete again",
                    "devops.fargate.ecs_deploy": {"cluster": svc.cluster, "service": svc.service, "family": svc.family, "state": "absent"},
                },
                {"name": "info after", "devops.fargate.ecs_deploy_info": {"cluster": svc.cluster, "service": svc.service}},
            ],
        }
    ]
    report = run_playbook(plays)
    info = task_result(report, "info")
    assert info["exists"] and info["task_definition_arn"] == created["task_definition_arn"]
    assert info["images"] == [{"container": "web", "image": "127.0.0.1:5050/fargate-demo@" + DIGEST_A, "digest": DIGEST_A}]
    assert info["rollout_state"] == "COMPLETED" and info["last_good_task_definition_arn"] == created["task_definition_arn"]
    assert task_result(report, "delete")["changed"]
    assert not task_result(report, "delete again")["changed"]
    assert not task_result(report, "info after")["exists"]
    assert service_state(moto, svc) is None
    assert moto.client("ecs").list_task_definitions(familyPrefix=svc.family, status="ACTIVE")["taskDefinitionArns"] == []


BAD_INPUTS = [
    ({"cpu": 256, "memory": 4096}, "memory"),
    ({"cpu": 300}, "cpu"),
    ({"memory": "lots"}, "memory"),
    ({"container_definitions": with_container(name="web") + with_container(name="web")}, "unique"),
    ({"container_definitions": with_container(image="Not An Image!")}, "image"),
    ({"container_definitions": with_container(portMappings=[{"containerPort": 70000}])}, "containerPort"),
    ({"container_definitions": with_container(portMappings=[{"containerPort": 8000, "hostPort": 9000}])}, "hostPort"),
    ({"container_definitions": with_container(colour="blue")}, "colour"),
    ({"container_definitions": with_container(portMappings=[{"containerPort": 8000, "colour": "blue"}])}, "colour"),
    ({"container_definitions": with_container(healthCheck={"command": ["CMD", "true"], "interval": 1})}, "interval"),
    ({"container_definitions": with_container(essential=False)}, "essential"),
    ({"container_definitions": with_container(environment=[{"name": "A", "value": "1"}, {"name": "A", "value": "2"}])}, "environment"),
    ({"image_digests": {"web": "sha256:short"}}, "image_digests.web"),
    ({"image_digests": {"nope": DIGEST_A}}, "image_digests.nope"),
    ({"subnets": ["not-a-subnet"]}, "subnets"),
    ({"subnets": []}, "subnets"),
    ({"security_groups": ["default"]}, "security_groups"),
    ({"desired_count": -1}, "desired_count"),
    ({"minimum_healthy_percent": 150}, "minimum_healthy_percent"),
    ({"service_tags": {"devops-fargate:last-good": "x"}}, "reserved"),
    ({"image_update_mode": "tag", "image_digests": {}}, "image_update_mode"),
    (
        {
            "load_balancers": [
                {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1", "containerName": "web", "containerPort": 9999}
            ]
        },
        "load_balancers[0].containerPort",
    ),
    ({"wait_timeout": 0}, "wait_timeout"),
    ({"family": None}, "family"),
]


@pytest.mark.parametrize("bad, named", BAD_INPUTS, ids=[named for _bad, named in BAD_INPUTS])
def test_bad_input_fails_clearly_before_any_call(moto, svc, bad, named):
    moto.start_recording()
    failed = svc(expect_failure=True, **bad)
    actions = moto.recorded_actions()
    assert failed["failed"] and named in failed["msg"], failed["msg"]
    assert writes(actions) == [], actions
    assert service_state(moto, svc) is None and revisions(moto, svc.family) == []


def test_retention_keeps_the_newest_revisions_and_the_rollback_targets(moto, svc):
    for memory in (512, 1024, 2048):
        svc(memory=memory)
    # Revisions 1-3; the service runs 3, last-good 3, previous-good 2.
    kept = svc(memory=4096, cpu=512, keep_revisions=1)
    assert kept["registered"] and kept["revision"] == 4
    active = moto.client("ecs").list_task_definitions(familyPrefix=svc.family, status="ACTIVE")["taskDefinitionArns"]
    assert [arn.rsplit(":", 1)[1] for arn in active] == ["2", "3", "4"]
    assert any(change.startswith("task_definition.retired.") for change in kept["changes"])
    assert not svc(memory=4096, cpu=512, keep_revisions=1)["changed"]


def role_shaped_container(name: str, image: str, environment: dict, health_check: dict, log_group: str, prefix: str) -> dict:
    """The one container roles/fargate/vars/main.yml renders from its variables (__fargate_container)."""
    return {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": 8000, "protocol": "tcp"}],
        "environment": [{"name": key, "value": str(value)} for key, value in environment.items()],
        "secrets": [],
        "healthCheck": health_check,
        "stopTimeout": 30,
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": log_group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": prefix}},
    }


def test_import_writes_the_role_variables_and_a_deploy_with_them_changes_nothing(moto, svc, tmp_path):
    """playbooks/import.yml on a running service: the fargate role's variables that describe it; rendered back the way
    the role renders them, ecs_deploy finds nothing to change (adopted without redeploying)."""
    health = {"command": ["CMD", "python3", "-m", "webapp.healthcheck"], "interval": 5, "timeout": 3, "retries": 3, "startPeriod": 5}
    running = role_shaped_container("web", "127.0.0.1:5050/fargate-demo:1.0", {"GUNICORN_WORKERS": 2}, health, "/ecs/" + svc.service, svc.service)
    svc(container_definitions=[running], tags={"team": "payments", "environment": "staging"}, alarms={"names": ["web-5xx"], "rollback": True})
    imported = tmp_path / "imported.yml"
    settings = {"aws_endpoint_url": moto.url, "import_service": svc.service, "import_cluster": svc.cluster, "import_to": str(imported)}
    done = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "playbooks/import.yml", "-i", "inventories/local", "-e", json.dumps(settings)],
        cwd=REPO, env=ansible_env(ANSIBLE_CONFIG=str(REPO / "ansible.cfg")), capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    text = imported.read_text()
    assert "Not expressed here" not in text, text
    found = yaml.safe_load(text)
    assert (found["fargate_service_name"], found["fargate_cluster_name"], found["fargate_family"]) == (svc.service, svc.cluster, svc.family)
    assert (found["fargate_cpu"], found["fargate_memory"], found["fargate_desired_count"]) == (256, 512, 1)
    assert found["fargate_image_repository"] == "127.0.0.1:5050/fargate-demo" and found["fargate_image_digest"] == DIGEST_A
    assert found["fargate_environment"] == {"GUNICORN_WORKERS": "2"} and found["fargate_health_check"] == health
    assert found["fargate_tags"] == {"team": "payments", "environment": "staging"}, "no devops-fargate: or aws: tag"
    assert found["fargate_alarms"] == {"names": ["web-5xx"], "rollback": True}

    moto.start_recording()
    container = role_shaped_container(
        found["fargate_container_name"], f"{found['fargate_image_repository']}:1.0", found["fargate_environment"], found["fargate_health_check"],
        found["fargate_log_group"], found["fargate_service_name"],
    )
    again = svc(
        "--check", container_definitions=[container], image_digests={found["fargate_container_name"]: found["fargate_image_digest"]},
        cpu=found["fargate_cpu"], memory=found["fargate_memory"], desired_count=found["fargate_desired_count"], subnets=found["fargate_subnets"],
        security_groups=found["fargate_security_groups"], assign_public_ip=found["fargate_assign_public_ip"], tags=found["fargate_tags"],
        alarms=found["fargate_alarms"], circuit_breaker=found["fargate_circuit_breaker"],
    )
    assert not again["changed"] and again["changes"] == [], again["changes"]
    assert writes(moto.recorded_actions()) == []
