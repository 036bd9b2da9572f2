"""Build once, promote: the same commit deployed from another machine deploys the image already in the registry.

Copy A deploys a commit; copy B is the same commit on "another machine" (the images A built are removed from the
engine, so B would build anew, with a new build time, under the same immutable version tag). B must build nothing,
push nothing and deploy the same digest with no new revision. Then, from a newer commit, -e image_version=<old tag>
deploys the older image. The preflight refuses an architecture mismatch, another account and subnets that could not
pull. Names of their own (promo-demo, port 18093) on the tests' own moto and registry (dockerd is shared).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from base64 import b64encode

import boto3
import pytest

from devkit.helpers import change_app
from devkit.helpers import copy_project
from devkit.helpers import git
from devkit.helpers import project_names
from devkit.helpers import run_project

# The tests' own moto and registry (conftest.e2e_stack), set by aws_like_vpc: never the user's 5051/5050.
MOTO = ""
REGISTRY = ""
AUTH = "Basic " + b64encode(b"AWS:123456789012-auth-token").decode()
NAME = "promo-demo"
EXTRA_VARS = project_names(NAME, 18093)
MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"
BUILD_TASK = "Build the image unless one with this build key exists"
# The pull-path check on: moto's default VPC gets the internet gateway route AWS's default VPC has (aws_like_vpc).
SKIP = ("--skip-tags", "run_local", "-e", "preflight_pull_path_check=true")


@pytest.fixture(scope="module")
def aws_like_vpc(e2e_stack):
    """moto's default VPC as AWS's: an internet gateway and a 0.0.0.0/0 route to it in the main route table."""
    global MOTO, REGISTRY  # pylint: disable=global-statement
    MOTO, REGISTRY = e2e_stack.moto_url, e2e_stack.registry_url
    ec2 = boto3.client("ec2", endpoint_url=MOTO, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]
    if gateways:
        gateway = gateways[0]["InternetGatewayId"]
    else:
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    if not any(r.get("DestinationCidrBlock") == "0.0.0.0/0" for r in table["Routes"]):
        ec2.create_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    return gateway


@pytest.fixture(scope="module")
def project(tmp_path_factory, aws_like_vpc, e2e_stack):
    root = copy_project(tmp_path_factory.mktemp("promo-a") / "fargate", {**EXTRA_VARS, **e2e_stack.extra_vars()})
    yield root
    run_project(root, "playbooks/destroy.yml", "-e", "destroy_images=true", check=False)
    _remove_local_images()


def _ecs():
    return boto3.client("ecs", endpoint_url=MOTO, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def _service() -> dict:
    return _ecs().describe_services(cluster=NAME, services=[NAME])["services"][0]


def _task_definition() -> dict:
    return _ecs().describe_task_definition(taskDefinition=_service()["taskDefinition"])["taskDefinition"]


def _revisions() -> list[str]:
    return _ecs().list_task_definitions(familyPrefix=NAME, status="ACTIVE")["taskDefinitionArns"]


def _registry_state() -> dict:
    """Every tag's manifest digest in the registry."""
    def get(path):
        request = urllib.request.Request(f"{REGISTRY}/v2/{NAME}/{path}", headers={"Authorization": AUTH, "Accept": MANIFEST_TYPES})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers, json.loads(response.read())

    tags = get("tags/list")[1].get("tags") or []
    return {tag: get(f"manifests/{tag}")[0]["Docker-Content-Digest"] for tag in sorted(tags)}


def _local_images() -> list[str]:
    out = subprocess.run(
        ["docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", f"reference={NAME}", "--filter", f"reference=*/{NAME}"],
        capture_output=True, text=True, check=True,
    ).stdout
    return sorted(filter(None, out.splitlines()))


def _remove_local_images() -> None:
    """What "another machine" lacks: every image this project built or tagged on the engine."""
    names = _local_images()
    if names:
        subprocess.run(["docker", "image", "rm", "--force", *names], capture_output=True, check=False)


def _ran(report: dict, name: str) -> bool:
    return any(
        task["task"]["name"].split(" : ")[-1] == name and not task["hosts"].get("localhost", {}).get("skipped")
        for play in report["plays"] for task in play["tasks"]
    )


def test_same_commit_elsewhere_deploys_the_pushed_digest_without_building_or_pushing(project, tmp_path_factory):
    first = run_project(project, "deploy.yml", *SKIP)
    assert _ran(first, BUILD_TASK)
    version = git(project, "describe", "--tags", "--always", "--dirty")
    registry_before, revisions_before, service_before = _registry_state(), _revisions(), _service()["taskDefinition"]
    digest = registry_before[version]
    assert _task_definition()["containerDefinitions"][0]["image"].endswith("@" + digest)
    # The task runs on the image's architecture (this engine builds amd64 images).
    assert _task_definition()["runtimePlatform"]["cpuArchitecture"] == "X86_64"

    # Another machine: the same commit, none of A's images on its engine; a build there would stamp a new build time.
    _remove_local_images()
    other = shutil.copytree(project, tmp_path_factory.mktemp("promo-b") / "fargate", symlinks=True)
    assert git(other, "describe", "--tags", "--always", "--dirty") == version

    second = run_project(other, "deploy.yml", *SKIP)
    assert not _ran(second, BUILD_TASK), "the same commit was rebuilt"
    assert _local_images() == [], "an image was built or pulled for the push"
    assert second["changed_tasks"] == [], second["changed_tasks"]
    assert _registry_state() == registry_before, "the registry changed: something was pushed"
    assert (_revisions(), _service()["taskDefinition"]) == (revisions_before, service_before)
    assert "promoted" in second["full_output"]


def test_image_version_deploys_an_older_image_from_a_newer_checkout(project):
    old_version = git(project, "describe", "--tags", "--always", "--dirty")
    old_digest = _registry_state()[old_version]
    new_version = change_app(project, "promo: a newer commit")
    run_project(project, "deploy.yml", *SKIP)
    state = _registry_state()
    assert state["latest"] == state[new_version] != old_digest
    assert _task_definition()["containerDefinitions"][0]["image"].endswith("@" + state[new_version])

    back = run_project(project, "deploy.yml", *SKIP, "-e", f"image_version={old_version}")
    assert not _ran(back, BUILD_TASK)
    assert _task_definition()["containerDefinitions"][0]["image"].endswith("@" + old_digest)
    after = _registry_state()
    # Nothing pushed: the version tags are as they were; only the moving tags follow the deployed image.
    assert {t: d for t, d in after.items() if t not in ("latest", "local")} == {t: d for t, d in state.items() if t not in ("latest", "local")}
    assert after["latest"] == after["local"] == old_digest


def test_architecture_mismatch_is_refused_in_preflight_naming_both(project):
    report = run_project(project, "deploy.yml", "-e", "image_platform=linux/arm64", "-e", "fargate_cpu_architecture=X86_64", check=False)
    assert report["rc"] != 0
    message = " ".join(report["failures"])
    assert "image_platform is 'linux/arm64' (ARM64)" in message and "fargate_cpu_architecture is 'X86_64'" in message
    assert report["stats"]["localhost"]["changed"] == 0


@pytest.mark.parametrize(
    "extra, expected",
    [
        (("-e", "aws_account_id=210987654321"), ["aws_account_id is 210987654321", "account 123456789012"]),
        (("-e", "fargate_assign_public_ip=false"), ["routes 0.0.0.0/0 to the internet gateway igw-", "fargate_assign_public_ip is false", "ecr.dkr"]),
    ],
    ids=["another-account", "no-public-ip-no-endpoints"],
)
def test_real_account_preflight_stops_before_any_change(project, extra, expected):
    report = run_project(project, "deploy.yml", "--skip-tags", "local_stack", "-e", "preflight_pull_path_check=true", *extra, check=False)
    assert report["rc"] != 0
    message = " ".join(report["failures"])
    assert all(text in message for text in expected), message
    assert "Nothing was changed" in message
    assert report["stats"]["localhost"]["changed"] == 0
