#!/usr/bin/env python3
"""No-op redeploy: wall time, AWS API calls (moto's recorder, on a moto of the bench's own) and
task-definition revisions after 10 identical runs, for

  a. our whole deploy.yml (local inventory, on a copy of the project, names bench-noop), per stage too;
  b. its "Roll out to ECS Fargate" stage alone;
  c. a playbook of the stock community.aws ECS modules doing the same ECS work (bench/stock_ecs.yml);
  d. fabfuel's ecs-deploy CLI (``ecs deploy``), installed for the bench into .cache/bench/ecs-deploy.

The three tools run in rounds (ours, stock, ecs-deploy, then again), so that a change of load on the
machine falls on all of them alike. Revisions are counted from moto's state, not from tool output.
deploy.yml runs with the callbacks the project's ansible.cfg enables, as a user's run does (module_warmup builds the
module payloads the last run used, beside the run); the stock playbook with Ansible's own only.

Usage: .venv/bin/python bench/noop.py [--json PATH]   (after `make stack` and `make wheelhouse`)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

from common import AWS_ENV
from common import CACHE
from common import REPO
from common import MotoServer
from common import actions
from common import argument_parser
from common import copy_project
from common import project_names as helpers_project_names
from common import default_network
from common import emit
from common import median
from common import project_callbacks
from common import recording
from common import retry_docker
from common import run_ansible
from common import stage_requests
from common import writes

NAME = "bench-noop"
STOCK = f"{NAME}-stock"
ECS_DEPLOY = f"{NAME}-ecsdeploy"
PORT = 18090
RUNS = 10
ECS_STAGE = "Roll out to ECS Fargate"
# Issue 12: a no-op deploy.yml, every check kept, takes at most this many times the stock playbook's no-op.
NOOP_RATIO_TARGET = 2.0
# The services the local inventory deploys (the web service and its worker), which bench/common.copy_project keeps.
SERVICES = 2
ECS_DEPLOY_VERSION = "1.17.0"
ECS_DEPLOY_VENV = CACHE / "ecs-deploy"
REGISTRY = "http://127.0.0.1:5050"
REGISTRY_AUTH = "Basic " + b64encode(b"AWS:123456789012-auth-token").decode()
# The container keys deploy.yml sets; the stock playbook and ecs-deploy's service get the same.
CONTAINER_KEYS = ("name", "image", "essential", "portMappings", "environment", "healthCheck", "stopTimeout", "logConfiguration")


# ---------------------------------------------------------------------------------------
# Setup and cleanup


def install_ecs_deploy() -> str:
    """ecs-deploy in a venv of its own; returns the boto3 version it runs with."""
    python = ECS_DEPLOY_VENV / "bin" / "python"
    if not (ECS_DEPLOY_VENV / "bin" / "ecs").exists():
        shutil.rmtree(ECS_DEPLOY_VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(ECS_DEPLOY_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"ecs-deploy=={ECS_DEPLOY_VERSION}"],
            check=True,
            capture_output=True,
        )
    return subprocess.run([str(python), "-c", "import boto3; print(boto3.__version__)"], capture_output=True, text=True, check=True).stdout.strip()


def delete_registry_repository(repository: str, attempts: int = 12) -> None:
    """Delete every manifest of ``repository`` in the local registry (what destroy.yml does).

    The registry is shared and may be briefly down (another developer's fault test): wait for it.
    """
    for attempt in range(attempts):
        try:
            tags = _registry(f"{repository}/tags/list")[1].get("tags") or []
            for digest in {_registry(f"{repository}/manifests/{tag}", "HEAD")[0]["Docker-Content-Digest"] for tag in tags}:
                _registry(f"{repository}/manifests/{digest}", "DELETE")
            return
        except urllib.error.HTTPError:
            return  # no such repository: nothing to delete
        except OSError as e:
            if attempt == attempts - 1:
                print(f"warning: could not delete {repository} from the registry ({e}); delete it by hand", file=sys.stderr)
                return
            time.sleep(5)


def _registry(path: str, method: str = "GET"):
    accept = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"
    request = urllib.request.Request(f"{REGISTRY}/v2/{path}", method=method, headers={"Authorization": REGISTRY_AUTH, "Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.headers, json.loads(body) if body and method == "GET" else {}


def clean_docker() -> None:
    """Remove the bench's container, local images and registry images (never anything else)."""
    import docker

    client = retry_docker(docker.from_env)
    try:
        retry_docker(client.containers.get, f"{NAME}-local").remove(force=True)
    except docker.errors.NotFound:
        pass
    prefixes = (f"{NAME}:", f"{NAME}@", f"127.0.0.1:5050/{NAME}:", f"127.0.0.1:5050/{NAME}@")
    for image in retry_docker(client.images.list):
        for reference in (image.attrs.get("RepoTags") or []) + (image.attrs.get("RepoDigests") or []):
            if reference.startswith(prefixes):
                try:
                    retry_docker(client.images.remove, reference)
                except docker.errors.NotFound:
                    pass
                except docker.errors.APIError as e:
                    print(f"warning: could not remove the image {reference}: {e}", file=sys.stderr)
    delete_registry_repository(NAME)


# ---------------------------------------------------------------------------------------
# The tools


def revisions(moto: MotoServer, family: str) -> dict:
    """The family's revisions as moto has them: ACTIVE and all (deregistered ones are INACTIVE)."""
    ecs = moto.client("ecs")
    active = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    inactive = ecs.list_task_definitions(familyPrefix=family, status="INACTIVE")["taskDefinitionArns"]
    return {"active": len(active), "all": len(active) + len(inactive)}


def deployments(requests: list[dict]) -> dict:
    """How many deployments the recorded requests started (UpdateService calls), and how many were forced."""
    updates = [request for request in requests if request["action"] == "ecs:UpdateService"]
    forced = 0
    for request in updates:
        try:
            forced += bool(json.loads(request["body"] or "{}").get("forceNewDeployment"))
        except ValueError:
            pass
    return {"deployments": len(updates), "forced": forced}


class RunFailed(Exception):
    pass


# Runs that failed and were made again, with why: the local stack is shared, and another developer
# may stop its registry or restart dockerd for a moment.
RETRIED: list[str] = []
ATTEMPTS = 3


def attempt(measure, *args) -> dict:
    """``measure(*args)``, made again (up to ATTEMPTS times) when it fails; a failed run's figures are dropped."""
    for number in range(1, ATTEMPTS + 1):
        try:
            return measure(*args)
        except RunFailed as e:
            if number == ATTEMPTS:
                raise SystemExit(str(e)) from None
            RETRIED.append(f"{measure.__name__}: {str(e).splitlines()[0]}")
            time.sleep(10)
    raise AssertionError("unreachable")


def _failure(run) -> str:
    """The first failed task's message, from the JSON report."""
    for play in run.report.get("plays", []):
        for task in play["tasks"]:
            for result in task["hosts"].values():
                if result.get("failed") and not result.get("ignore_errors"):
                    return f"{task['task']['name']}: {str(result.get('msg', ''))[:300]}"
    return run.output[-300:].replace("\n", " ")


def ours(moto: MotoServer, root: Path) -> dict:
    """One deploy.yml run on the copy, recorded, with its stages."""
    moto.start_recording()
    run = run_ansible(["deploy.yml", "-i", "inventories/local", "-e", "@bench-vars.yml"], root, moto=moto, callbacks=project_callbacks(root))
    requests = recording(moto)
    if run.rc != 0:
        raise RunFailed(f"deploy.yml failed (rc={run.rc}): {_failure(run)}\n{run.output}")
    stages = {}
    by_stage = stage_requests(run, requests)
    for stage in run.stages:
        stage_actions = actions(by_stage.get(stage["play"], []))
        stages[stage["play"]] = {"seconds": stage["seconds"], "actions": stage_actions}
    return {
        "seconds": run.seconds,
        "actions": actions(requests),
        "changed": run.changed,
        "changed_tasks": run.changed_tasks,
        "stages": stages,
        **deployments(requests),
    }


def stock(moto: MotoServer, vars_file: Path) -> dict:
    moto.start_recording()
    run = run_ansible(
        ["bench/stock_ecs.yml", "-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}", "-e", f"@{vars_file}"], REPO
    )
    requests = recording(moto)
    if run.rc != 0:
        raise RunFailed(f"bench/stock_ecs.yml failed (rc={run.rc}): {_failure(run)}\n{run.output}")
    return {"seconds": run.seconds, "actions": actions(requests), "changed": run.changed, **deployments(requests)}


def ecs_deploy(moto: MotoServer) -> dict:
    env = dict(os.environ, AWS_ENDPOINT_URL=moto.url, **AWS_ENV)
    env.pop("AWS_PROFILE", None)
    moto.start_recording()
    start = time.monotonic()
    process = subprocess.run(
        [str(ECS_DEPLOY_VENV / "bin" / "ecs"), "deploy", ECS_DEPLOY, ECS_DEPLOY, "--timeout", "-1"], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - start
    requests = recording(moto)
    if process.returncode != 0:
        raise RunFailed(f"ecs deploy failed (rc={process.returncode}): {process.stderr.strip()[-300:]}\n{process.stdout[-3000:]}")
    return {"seconds": seconds, "actions": actions(requests), **deployments(requests)}


def setup_peers(moto: MotoServer, vars_file: Path) -> None:
    """The stock playbook's variables and ecs-deploy's service, with the container deploy.yml registered."""
    ecs = moto.client("ecs")
    service = ecs.describe_services(cluster=NAME, services=[NAME])["services"][0]
    ours_definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    container = {key: value for key, value in ours_definition["containerDefinitions"][0].items() if key in CONTAINER_KEYS}
    network = default_network(moto)
    vars_file.write_text(
        json.dumps(
            {
                "stock_aws": {"endpoint_url": moto.url, "region": "us-east-1", "access_key": "testing", "secret_key": "testing"},
                "stock_name": STOCK,
                "stock_subnets": network["subnets"],
                "stock_security_groups": network["security_groups"],
                "stock_execution_role_arn": ours_definition["executionRoleArn"],
                "stock_container": container,
            }
        )
    )
    ecs.create_cluster(clusterName=ECS_DEPLOY)
    ecs.register_task_definition(
        family=ECS_DEPLOY,
        cpu="256",
        memory="512",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        executionRoleArn=ours_definition["executionRoleArn"],
        containerDefinitions=[container],
    )
    ecs.create_service(
        cluster=ECS_DEPLOY,
        serviceName=ECS_DEPLOY,
        taskDefinition=ECS_DEPLOY,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": network["subnets"], "securityGroups": network["security_groups"], "assignPublicIp": "DISABLED"}
        },
    )


# ---------------------------------------------------------------------------------------
# Figures

COLUMNS = ["name", "seconds", "min s", "max s", "API calls", "ECS calls", "writes", "changed", "revisions", "deployments", "forced"]


def _same_or_range(values: list[int]) -> int | str:
    """One number when every run gave it, else "min-max"."""
    low, high = min(values), max(values)
    return low if low == high else f"{low}-{high}"


def summary(runs: list[dict]) -> dict:
    """Median (and min, max) time and the call counts of runs of one tool or stage."""
    seconds = [run["seconds"] for run in runs]
    row = {"seconds": round(median(seconds), 2)}
    if len(runs) > 1:
        row.update({"min s": round(min(seconds), 2), "max s": round(max(seconds), 2)})
    row["API calls"] = _same_or_range([len(run["actions"]) for run in runs])
    row["ECS calls"] = _same_or_range([len([a for a in run["actions"] if a.startswith("ecs:")]) for run in runs])
    row["writes"] = _same_or_range([len(writes(run["actions"])) for run in runs])
    if "changed" in runs[0]:
        row["changed"] = _same_or_range([run["changed"] for run in runs])
    for key in ("deployments", "forced"):
        if key in runs[0]:
            row[key] = sum(run[key] for run in runs)
    return row


def _services(actions_: list[str]) -> str:
    counts: dict[str, int] = {}
    for action in actions_:
        service = action.split(":", 1)[0]
        counts[service] = counts.get(service, 0) + 1
    return ", ".join(f"{service} {count}" for service, count in counts.items())


def figures(runs: dict, revs: dict, boto3_version: str, load: tuple) -> tuple[list[dict], list[dict]]:
    noop, stock_noop, peer = runs["ours"], runs["stock"], runs["ecs-deploy"]
    count = len(noop)
    rows = [
        dict(name="a. deploy.yml: create run", **summary([runs["ours create"]])),
        dict(name=f"a. deploy.yml: no-op (median of {count})", **summary(noop), revisions=revs["ours"]),
    ]
    for stage in noop[0]["stages"]:
        stage_runs = [run["stages"][stage] for run in noop if stage in run["stages"]]
        prefix = "b. ECS stage alone:" if stage == ECS_STAGE else "a.   stage:"
        rows.append(dict(name=f"{prefix} {stage}", **summary(stage_runs)))
    # What stage_probe does not see: interpreter start-up, parsing the playbooks and inventory.
    outside = [{"seconds": run["seconds"] - sum(stage["seconds"] for stage in run["stages"].values()), "actions": []} for run in noop]
    rows.append(dict(name="a.   outside the plays (start-up, parsing)", **{k: v for k, v in summary(outside).items() if k in ("seconds", "min s", "max s")}))
    rows += [
        dict(name="c. stock ECS playbook: create run", **summary([runs["stock create"]])),
        dict(name=f"c. stock ECS playbook: no-op (median of {count})", **summary(stock_noop), revisions=revs["stock"]),
        dict(name=f"d. ecs-deploy {ECS_DEPLOY_VERSION} (boto3 {boto3_version}): run (median of {count})", **summary(peer), revisions=revs["ecs-deploy"]),
        {"name": "machine load (1-min average) at start / end", "seconds": f"{load[0]:.1f} / {load[1]:.1f}"},
        {"name": "runs made again after a failure (their figures dropped)", "seconds": len(RETRIED)},
    ]

    stage_runs = [run["stages"][ECS_STAGE] for run in noop]
    stage_calls = max(len(run["actions"]) for run in stage_runs)
    stage_ecs = max(len([a for a in run["actions"] if a.startswith("ecs:")]) for run in stage_runs)
    ours_median = median([run["seconds"] for run in noop])
    stock_median = median([run["seconds"] for run in stock_noop])
    changed = max(run["changed"] for run in noop)
    # One read of the cluster, then one of each service and of its revision: 3 calls for one service.
    most = 1 + 2 * SERVICES
    targets = [
        {"target": f"our ECS stage makes at most 1 + 2 API calls per service ({most} for its {SERVICES}), counting ECS API calls",
         "figure": f"{stage_ecs} ECS calls", "met": stage_ecs <= most},
        {
            "target": f"our ECS stage makes at most 1 + 2 API calls per service ({most} for its {SERVICES}), counting every call of the stage",
            # The cluster's read, with the log group's and the roles', is the preflight stage's (one module run with the
            # network's checks): the whole no-op's calls are given beside, so that moving a call is not taken for saving it.
            "figure": f"{stage_calls} calls ({_services(stage_runs[0]['actions'])}); the whole no-op: "
                      f"{max(len(run['actions']) for run in noop)} calls ({_services(noop[0]['actions'])})",
            "met": stage_calls <= most,
        },
        {
            "target": f"our whole no-op deploy.yml within {NOOP_RATIO_TARGET:g}x the stock ECS-only playbook (issue 12)",
            "figure": f"median {ours_median:.1f} s vs {stock_median:.1f} s: ours takes {ours_median / stock_median:.1f}x as long",
            "met": ours_median <= NOOP_RATIO_TARGET * stock_median,
        },
        {"target": f"our no-op deploy.yml registers 0 revisions in {count} runs", "figure": str(revs["ours"]), "met": revs["ours"] == 0},
        {"target": f"our no-op deploy.yml reports changed=0 in {count} runs", "figure": f"changed={changed}", "met": changed == 0},
    ]
    return rows, targets


def main() -> None:
    parser = argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"identical no-op runs of each tool (default {RUNS})")
    args = parser.parse_args()
    started = time.monotonic()
    load_start = os.getloadavg()[0]
    boto3_version = install_ecs_deploy()
    clean_docker()
    moto = MotoServer()
    workdir = Path(tempfile.mkdtemp(prefix=f"{NAME}-"))
    families = {"ours": NAME, "stock": STOCK, "ecs-deploy": ECS_DEPLOY}
    try:
        # The main job as the local inventory runs it, the AWS CLI play included (into directories of the bench's own).
        (workdir / "bin").mkdir()
        awscli = dict(awscli_enabled=True, awscli_venv_dir=str(workdir / "aws-cli"), awscli_bin_dir=str(workdir / "bin"), awscli_profiles_dir=str(workdir / "aws"))
        root = copy_project(workdir / "fargate", dict(project_names(), aws_endpoint_url=moto.url, **awscli))
        runs = {"ours create": attempt(ours, moto, root)}
        vars_file = workdir / "stock-vars.json"
        setup_peers(moto, vars_file)
        runs["stock create"] = attempt(stock, moto, vars_file)
        before = {tool: revisions(moto, family) for tool, family in families.items()}
        runs.update({"ours": [], "stock": [], "ecs-deploy": []})
        for _ in range(args.runs):
            runs["ours"].append(attempt(ours, moto, root))
            runs["stock"].append(attempt(stock, moto, vars_file))
            runs["ecs-deploy"].append(attempt(ecs_deploy, moto))
        after = {tool: revisions(moto, family) for tool, family in families.items()}
    finally:
        moto.stop()
        clean_docker()
        shutil.rmtree(workdir, ignore_errors=True)
    # New revisions: every one registered counts, also those the tool deregistered again.
    revs = {tool: after[tool]["all"] - before[tool]["all"] for tool in families}
    rows, targets = figures(runs, revs, boto3_version, (load_start, os.getloadavg()[0]))
    title = f"No-op redeploy: wall time, AWS API calls (moto recorder), revisions, deployments and forced ones in {args.runs} runs"
    emit(title, rows, targets, args.json, columns=COLUMNS)
    for reason in RETRIED:
        print(f"made again after: {reason}")
    for number, run in enumerate(runs["ours"], start=1):
        if run["changed"]:
            print(f"no-op run {number} of deploy.yml changed: {', '.join(run['changed_tasks'])}")
    print(
        f"\nbench/noop.py ran {time.monotonic() - started:.0f} s; ecs-deploy leaves {after['ecs-deploy']['active']} ACTIVE revision (it deregisters the one before)"
    )


def project_names() -> dict:
    """deploy.yml's names for the bench, apart from `make deploy`'s and the tests'."""
    return helpers_project_names(NAME, PORT)


if __name__ == "__main__":
    main()
