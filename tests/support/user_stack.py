"""The user's local stack (`make deploy`'s moto, its registry and the service it runs, on the ports the local inventory
gives them, and the containers on its Docker engine):
a snapshot of its state, so that tests/run.sh shows the test stages leave it as they found it.

    python tests/support/user_stack.py snapshot FILE    # before the test stages
    python tests/support/user_stack.py compare FILE     # after them: exit 1, listing what changed

Only reads: moto's List/Describe calls, the registry's catalog, tags and manifests, `docker ps`. A stack that is not
up is recorded as such (and must still be down, or up, as it was, afterwards).
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import yaml

# Where `make deploy` puts them: the local inventory is the one place that says.
_INVENTORY = Path(__file__).resolve().parents[2] / "inventories" / "local" / "group_vars" / "all"


def _settings(name: str) -> dict:
    return yaml.safe_load((_INVENTORY / f"{name}.yml").read_text(encoding="utf-8"))


_LOCAL_STACK = _settings("local_stack")
MOTO_PORT = _LOCAL_STACK["local_stack_moto_port"]
REGISTRY_PORT = _LOCAL_STACK["local_stack_registry_port"]
SERVICE_PORT = _settings("run_local")["run_local_port"]
MOTO = f"http://127.0.0.1:{MOTO_PORT}"
REGISTRY = f"http://127.0.0.1:{REGISTRY_PORT}"
SERVICE = f"http://127.0.0.1:{SERVICE_PORT}/"  # `make deploy`'s service, run locally
MOLECULE_LABEL = "owner=molecule"  # molecule-plugins' docker driver labels every container it creates
MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"


def _client(service: str):
    import boto3  # pylint: disable=import-outside-toplevel

    return boto3.client(service, endpoint_url=MOTO, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=3).read()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _pages(client, operation: str, key: str, **kwargs) -> list:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def moto_state() -> dict | None:
    if not _answers(f"{MOTO}/moto-api/"):
        return None
    ecs, ecr, iam, logs = _client("ecs"), _client("ecr"), _client("iam"), _client("logs")
    clusters = {}
    for arn in _pages(ecs, "list_clusters", "clusterArns"):
        services = _pages(ecs, "list_services", "serviceArns", cluster=arn)
        described = ecs.describe_services(cluster=arn, services=services)["services"] if services else []
        clusters[arn] = {
            service["serviceArn"]: {
                "status": service["status"],
                "taskDefinition": service.get("taskDefinition"),
                "desiredCount": service.get("desiredCount"),
                "deployments": sorted((d["id"], d["taskDefinition"], d["status"]) for d in service.get("deployments", [])),
            }
            for service in described
        }
    repositories = {}
    for repository in _pages(ecr, "describe_repositories", "repositories"):
        images = _pages(ecr, "list_images", "imageIds", repositoryName=repository["repositoryName"])
        repositories[repository["repositoryName"]] = sorted((image.get("imageDigest", ""), image.get("imageTag", "")) for image in images)
    return {
        "clusters": clusters,
        "task_definitions": {
            status: _pages(ecs, "list_task_definitions", "taskDefinitionArns", status=status) for status in ("ACTIVE", "INACTIVE")
        },
        "ecr_repositories": repositories,
        "iam_roles": sorted(role["Arn"] for role in _pages(iam, "list_roles", "Roles")),
        "log_groups": sorted(group["logGroupName"] for group in _pages(logs, "describe_log_groups", "logGroups")),
    }


def registry_state(moto_up: bool) -> dict | None:
    if not _answers(f"{REGISTRY}/v2/"):
        return None
    if not moto_up:
        return {"catalog": "(moto is down: no login to read it)"}
    token = _client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    headers = {"Authorization": "Basic " + token, "Accept": MANIFEST_TYPES}

    def get(path: str, method: str = "GET"):
        request = urllib.request.Request(f"{REGISTRY}/v2/{path}", headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers, (json.loads(response.read() or b"null") if method == "GET" else None)

    state = {}
    for repository in get("_catalog?n=1000")[1].get("repositories") or []:
        tags = get(f"{repository}/tags/list")[1].get("tags") or []
        state[repository] = {tag: get(f"{repository}/manifests/{tag}", "HEAD")[0]["Docker-Content-Digest"] for tag in sorted(tags)}
    return {"catalog": state}


def containers() -> dict | None:
    listed = subprocess.run(["docker", "ps", "-a", "--no-trunc", "--format", "{{json .}}"], capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        return None
    return user_containers(json.loads(line) for line in listed.stdout.splitlines() if line.strip())


def user_containers(rows) -> dict:
    """`docker ps` rows, less the containers molecule made (label owner=molecule): those are the tests' own, whether
    this run made them or an earlier `molecule converge` left them, and `molecule test` destroys them by design."""
    return {
        row["Names"]: {"id": row["ID"], "image": row["Image"], "running": row["State"] == "running"}
        for row in rows
        if MOLECULE_LABEL not in (row.get("Labels") or "").split(",")
    }


def service_answer() -> dict | None:
    try:
        with urllib.request.urlopen(SERVICE, timeout=3) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def snapshot() -> dict:
    moto = moto_state()
    return {"moto": moto, "registry": registry_state(moto is not None), "containers": containers(), "service": service_answer()}


def differences(before: dict, after: dict) -> list[str]:
    """What changed in the user's stack; containers that were not there before (the tests' own) do not count."""
    found = []
    for key in ("moto", "registry", "service"):
        found += _diff(key, before.get(key), after.get(key))
    for name, container in (before.get("containers") or {}).items():
        now = (after.get("containers") or {}).get(name)
        if now != container:
            found.append(f"containers.{name}: {container} -> {now}")
    return found


def _diff(path: str, old, new) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        return [line for key in sorted(set(old) | set(new), key=str) for line in _diff(f"{path}.{key}", old.get(key), new.get(key))]
    return [] if old == new else [f"{path}: {json.dumps(old)} -> {json.dumps(new)}"]


def main(argv: list[str]) -> int:
    action, path = argv
    if action == "snapshot":
        Path(path).write_text(json.dumps(snapshot(), indent=1, sort_keys=True))
        return 0
    found = differences(json.loads(Path(path).read_text()), json.loads(json.dumps(snapshot())))  # tuples as the file has them
    if found:
        print(f"the test stages changed the user's local stack (moto {MOTO_PORT}, registry {REGISTRY_PORT}, its containers, its service on {SERVICE_PORT}):")
        print("\n".join(f"  {line}" for line in found))
        return 1
    print("the user's local stack is as the test stages found it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
