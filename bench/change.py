#!/usr/bin/env python3
"""A one-line code change, from commit to the updated service: deploy.yml on a copy of the project
(names bench-change, a moto of its own), once fresh, then again after a one-line change to the app
is committed. Per run: wall time, the build, push and rollout stages (stage_probe), what reached
the registry and which image layers were rebuilt; then whether the service pins the new digest and
the local container answers with the new version. Beside the last change, in the same run, the bare
commands doing the same work: one more one-line change built with a plain docker build, one docker push
of one tag, one UpdateService (forceNewDeployment) through boto3: the peer figure that makes the
one-line-change target a ratio that holds on any machine.

Usage: .venv/bin/python bench/change.py [--json PATH] [--changes N]   (after `make stack` and `make wheelhouse`)

Bytes uploaded are measured two ways:
- manifest diff: the compressed sizes (from the new manifest) of the layers the previous manifest
  did not have, plus the config blob and the manifest itself: what a push must send when the
  repository holds the previous image (for the fresh run: the whole image);
- repository growth: the blobs newly linked into the repository in the registry's storage (layers,
  config, manifest), with their sizes on disk. The registry keeps a deleted image's blobs linked, so
  after an earlier bench run the fresh run only adds its config and manifest: Docker does not send
  a blob the repository has. Each one-line change adds a line of its own, so its layer is new.
The registry's requests to the repository during the run are counted from its log, with their
summed durations (the registry checks the bcrypt login on every request).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import docker
import requests
import yaml

from common import REPO
from common import MotoServer
from common import copy_project
from common import emit
from common import project_callbacks
from common import project_names
from common import retry_docker
from common import run_ansible
from common import slowest_tasks

NAME = "bench-change"
PORT = 18099
STACK_VARS = yaml.safe_load((REPO / "inventories" / "local" / "group_vars" / "all" / "local_stack.yml").read_text())
REGISTRY = f"127.0.0.1:{STACK_VARS['local_stack_registry_port']}"
# What moto's GetAuthorizationToken decodes to, for any moto: the local registry's htpasswd user.
AUTH = "Basic " + b64encode(b"AWS:123456789012-auth-token").decode()
MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"


def _play(playbook: str) -> str:
    """The name of the stage's play, as its playbook names it (the stage probe reports plays by name)."""
    return yaml.safe_load((REPO / "playbooks" / playbook).read_text())[0]["name"]


STAGES = {"build": _play("image.yml"), "push": _play("ecr.yml"), "rollout": _play("fargate.yml"), "run local": _play("run_local.yml")}
SMALL_LAYER_BYTES = 100_000
CHANGE_TARGET_S = 15
# A run that failed because dockerd went away (another developer may restart it) is run again, after dockerd is back.
DOCKER_DOWN = ("Error connecting", "Cannot connect to the Docker daemon", "docker.sock: connect")
DEPLOY_ATTEMPTS = 3
_GO_UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def extra_vars(endpoint: str) -> dict:
    return dict(project_names(NAME, PORT), aws_endpoint_url=endpoint)


def git(root: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    return subprocess.run(["git", *args], cwd=root, env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout.strip()


def registry(path: str) -> tuple[dict, bytes]:
    request = urllib.request.Request(f"http://{REGISTRY}/v2/{NAME}/{path}", headers={"Authorization": AUTH, "Accept": MANIFEST_TYPES})
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(response.headers), response.read()


def manifest(tag: str) -> dict:
    """The tag's manifest: its digest and size, the config blob and the layer blobs (digest -> compressed size)."""
    headers, body = registry(f"manifests/{tag}")
    document = json.loads(body)
    return {
        "digest": headers["Docker-Content-Digest"],
        "bytes": len(body),
        "config": (document["config"]["digest"], document["config"]["size"]),
        "layers": {layer["digest"]: layer["size"] for layer in document["layers"]},
    }


def _registry_storage() -> Path:
    config = yaml.safe_load((Path(STACK_VARS["local_stack_state_dir"]) / "registry.yml").read_text())
    return Path(config["storage"]["filesystem"]["rootdirectory"]) / "docker" / "registry" / "v2"


def repository_blobs() -> dict[str, int]:
    """Every blob linked into the repository in the registry's storage (layers, configs, manifests) -> bytes on disk."""
    storage = _registry_storage()
    repository = storage / "repositories" / NAME
    blobs = {}
    for links in (repository / "_layers" / "sha256", repository / "_manifests" / "revisions" / "sha256"):
        if links.is_dir():
            for entry in links.iterdir():
                data = storage / "blobs" / "sha256" / entry.name[:2] / entry.name / "data"
                if data.exists():
                    blobs[entry.name] = data.stat().st_size
    return blobs


def _registry_log() -> Path:
    return Path(STACK_VARS["local_stack_state_dir"]) / "registry.log"


def registry_requests(offset: int) -> list[tuple[str, float]]:
    """(method, seconds) of each request to the repository the registry logged after ``offset``."""
    path = _registry_log()
    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    requests = []
    for line in text.splitlines():
        if 'msg="response completed' in line and f"http.request.uri=/v2/{NAME}/" in line:
            method = re.search(r"http\.request\.method=(\S+)", line).group(1)
            number, unit = re.search(r"http\.response\.duration=([\d.]+)(\D+?)\s", line).groups()
            requests.append((method, float(number) * _GO_UNITS[unit]))
    return requests


def registry_request_ms(authenticated: bool, samples: int = 3) -> float:
    """Median time of GET /v2/ on the registry, with or without the login (which the registry checks on every request)."""
    times = []
    for _ in range(samples):
        request = urllib.request.Request(f"http://{REGISTRY}/v2/", headers={"Authorization": AUTH} if authenticated else {})
        start = time.monotonic()
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except urllib.error.HTTPError:
            pass
        times.append(time.monotonic() - start)
    return 1000 * statistics.median(times)


def ecs_image(moto: MotoServer) -> str:
    ecs = moto.client("ecs")
    service = ecs.describe_services(cluster=NAME, services=[NAME])["services"][0]
    return ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]["image"]


def local_version() -> str:
    for _ in range(30):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=3) as response:
                return json.loads(response.read())["version"]
        except OSError:
            time.sleep(1)
    return "(no answer)"


def wait_for_docker(client, limit: float = 180) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            client.ping()
            return
        except (docker.errors.DockerException, requests.exceptions.ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(3)


def deploy(root: Path, moto: MotoServer, client, previous: dict | None) -> dict:
    """One deploy.yml run with stage_probe, and what it shipped compared with ``previous``."""
    blobs_before = repository_blobs()
    log_offset = _registry_log().stat().st_size if _registry_log().exists() else 0
    for attempt in range(1, DEPLOY_ATTEMPTS + 1):
        moto.start_recording()
        run = run_ansible(["deploy.yml", "-i", "inventories/local", "-e", "@bench-vars.yml"], cwd=root, moto=moto, callbacks=project_callbacks(root))
        if run.rc == 0 or attempt == DEPLOY_ATTEMPTS or not any(sign in json.dumps(run.report) + run.output for sign in DOCKER_DOWN):
            break
        wait_for_docker(client)  # someone restarted dockerd under the run: the figures come from the run that follows
    if run.rc != 0:
        raise RuntimeError(f"deploy.yml failed (rc={run.rc}):\n{run.output}")
    version = git(root, "describe", "--tags", "--always", "--dirty")
    pushed = manifest(version)
    image = retry_docker(client.images.get, f"{NAME}:{version}")
    layers = image.attrs["RootFS"]["Layers"]
    old_layers = previous["rootfs"] if previous else []
    old_blobs = previous["manifest"]["layers"] if previous else {}
    new_blobs = {digest: size for digest, size in pushed["layers"].items() if digest not in old_blobs}
    grown = {digest: size for digest, size in repository_blobs().items() if digest not in blobs_before}
    stages = {stage["play"]: stage["seconds"] for stage in run.stages}
    requests = registry_requests(log_offset)
    return {
        "version": version,
        "manifest": pushed,
        "rootfs": layers,
        "seconds": run.seconds,
        "stages": stages,
        "changed": run.changed,
        "new_rootfs": len([layer for layer in layers if layer not in old_layers]),
        "new_layer_blobs": new_blobs,
        "manifest_diff_bytes": sum(new_blobs.values()) + pushed["config"][1] + pushed["bytes"],
        "repository_growth_bytes": sum(grown.values()),
        "repository_new_blobs": len(grown),
        "registry_requests": requests,
        "task_image": ecs_image(moto),
        "local_version": local_version(),
        "slowest_tasks": slowest_tasks(run.report, count=int(os.environ.get("BENCH_SLOWEST_TASKS", "8"))),
        "attempts": attempt,
    }


def bare_commands(root: Path, moto: MotoServer, client) -> dict:
    """The same work as the one-line change's run by bare commands, timed each: a one-line change built with a plain
    docker build (the local base image, the layer cache warm as for ours), one docker push of one tag, and one
    UpdateService through boto3. No checks, no plan, no local run: the floor the playbook is measured against."""
    views = root / "app" / "webapp" / "views.py"
    views.write_text(views.read_text() + f"# bench: bare one-line change at {time.time():.0f}\n")
    repository, tag = f"{REGISTRY}/{NAME}", "bare"
    base = STACK_VARS["local_stack_base_image"]
    start = time.monotonic()
    retry_docker(client.images.build, path=str(root), dockerfile="deployments/Dockerfile", tag=f"{repository}:{tag}", buildargs={"BASE_IMAGE": base}, rm=True)
    built = time.monotonic()
    auth = {"username": "AWS", "password": "123456789012-auth-token"}
    for line in client.api.push(repository, tag=tag, stream=True, decode=True, auth_config=auth):
        if "error" in line:
            raise RuntimeError(f"docker push {repository}:{tag}: {line['error']}")
    pushed = time.monotonic()
    ecs = moto.client("ecs")
    ready = time.monotonic()
    ecs.update_service(cluster=NAME, service=NAME, forceNewDeployment=True)
    done = time.monotonic()
    return {"build": built - start, "push": pushed - built, "rollout": done - ready, "total": (pushed - start) + (done - ready)}


def figures(name: str, result: dict) -> dict:
    stages = result["stages"]
    named = sum(stages.get(play, 0) for play in STAGES.values())
    layers = result["new_layer_blobs"]
    return {
        "name": name,
        "version": result["version"],
        "total s": round(result["seconds"], 1),
        **{f"{stage} s": round(stages.get(play, 0), 1) for stage, play in STAGES.items()},
        "other stages s": round(sum(stages.values()) - named, 1),
        "changed tasks": result["changed"],
        "rootfs layers new": f"{result['new_rootfs']} of {len(result['rootfs'])}",
        "layer blobs pushed": len(layers),
        "their kB (gzip)": round(sum(layers.values()) / 1e3, 1),
        "upload kB (manifest diff)": round(result["manifest_diff_bytes"] / 1e3, 1),
        "repo growth kB": round(result["repository_growth_bytes"] / 1e3, 1),
        "repo new blobs": result["repository_new_blobs"],
        "registry requests": len(result["registry_requests"]),
        "their s (summed)": round(sum(seconds for _method, seconds in result["registry_requests"]), 1),
        "task def pins": result["task_image"].rsplit("@", 1)[-1][:19],
        "local answers": result["local_version"],
        "deploy runs": result["attempts"],
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--changes", type=int, default=3,
                        help="one-line changes deployed one after the other (default 3); the target takes their median")
    return parser.parse_args()


def check(previous: dict, changed: dict) -> list[dict]:
    new = changed["new_layer_blobs"]
    digest = changed["manifest"]["digest"]
    return [
        {
            "target": f"a one-line change uploads one small layer (< {SMALL_LAYER_BYTES // 1000} kB)",
            "figure": f"{len(new)} layer blob(s), {sum(new.values()) / 1e3:.1f} kB gzip; {changed['manifest_diff_bytes'] / 1e3:.1f} kB with config and manifest",
            "met": len(new) == 1 and sum(new.values()) < SMALL_LAYER_BYTES,
        },
        {
            "target": "the service's task definition pins the new digest",
            "figure": changed["task_image"],
            "met": changed["task_image"] == f"{REGISTRY}/{NAME}@{digest}" and digest != previous["manifest"]["digest"],
        },
        {
            "target": "the running container answers with the new version",
            "figure": f"{changed['local_version']} (expected {changed['version']}, was {previous['version']})",
            "met": changed["local_version"] == changed["version"] != previous["version"],
        },
    ]


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up when stopped
    client = docker.from_env()
    start = time.monotonic()
    moto = MotoServer()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix=f"{NAME}-") as tmp:
            root = copy_project(Path(tmp) / "fargate", extra_vars(moto.url))
            try:
                results.append(deploy(root, moto, client, None))
                views = root / "app" / "webapp" / "views.py"
                for number in range(1, args.changes + 1):
                    # A line of its own each time: the registry keeps a deleted image's blobs linked in the repository, and a
                    # layer a previous bench run pushed would not be uploaded again.
                    views.write_text(views.read_text() + f"# bench: one-line change {number} at {time.time():.0f}\n")
                    git(root, "commit", "-q", "-am", f"bench: one-line change {number}")
                    results.append(deploy(root, moto, client, results[-1]))
                bare = bare_commands(root, moto, client)
            finally:
                destroy = run_ansible(["playbooks/destroy.yml", "-i", "inventories/local", "-e", "@bench-vars.yml", "-e", "destroy_images=true"], cwd=root)
    finally:
        moto.stop()
        for image in retry_docker(client.images.list):
            for tag in image.tags:
                if tag.rsplit(":", 1)[0] in (NAME, f"{REGISTRY}/{NAME}"):
                    retry_docker(client.images.remove, tag, force=True)

    rows = [figures("fresh deploy", results[0])]
    targets = []
    for number, (previous, changed) in enumerate(zip(results, results[1:]), start=1):
        rows.append(figures("one-line change" if args.changes == 1 else f"one-line change {number}", changed))
        for target in check(previous, changed):
            targets.append(target if args.changes == 1 else dict(target, target=f"change {number}: {target['target']}"))
    # One run's time on this machine varies by a second or more: the target takes the changes' median.
    times = [result["seconds"] for result in results[1:]]
    ours = statistics.median(times)
    rows.append(
        {
            "name": "bare commands",
            "total s": round(bare["total"], 1),
            **{f"{stage} s": round(bare[stage], 1) for stage in ("build", "push", "rollout")},
        }
    )
    targets.append(
        {
            "target": f"a one-line change live within {CHANGE_TARGET_S} s (issue 12)",
            "figure": (f"{ours:.1f} s{f' (median of {len(times)} changes, {min(times):.1f} to {max(times):.1f} s)' if len(times) > 1 else ''}; "
                       f"the bare commands doing the same work {bare['total']:.1f} s in this run (ours {ours / bare['total']:.1f}x)"),
            "met": ours <= CHANGE_TARGET_S,
        }
    )
    title = (
        f"One-line change to the service updated: deploy.yml fresh, then after {args.changes} one-line commit(s) (bench ran {time.monotonic() - start:.0f} s; "
        f"one registry request: {registry_request_ms(True):.0f} ms with the login, {registry_request_ms(False):.0f} ms without)"
    )
    if destroy.rc != 0:
        title += f"; destroy.yml failed (rc={destroy.rc})"
    emit(title, rows, targets, args.json)
    print("\nSlowest tasks of the last one-line change run:")
    for seconds, task in results[-1]["slowest_tasks"]:
        print(f"  {seconds:6.1f} s  {task}")


if __name__ == "__main__":
    main()
