# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Several services in one environment (the fargate role's ``fargate_services``): each entry's ecs_deploy arguments,
derived from the single-service ones, and what an all-or-nothing rollback returns where. Pure functions, no AWS."""

from __future__ import annotations

import copy

# What an entry may set, beyond its name. The first entry inherits every single-service value (fargate_*); a later one
# inherits all but those that belong to one service (ONE_SERVICE_ONLY), which it has only when it sets them.
SETTINGS = (
    "family",
    "cpu",
    "memory",
    "desired_count",
    "container_name",
    "container_port",
    "command",
    "health_check",
    "environment",
    "image_repository",
    "image_tag",
    "image_digest",
    "load_balancers",
    "health_check_grace_period",
    "deployment_strategy",
    "alarms",
    "pre_deploy_task",
    "min_capacity",
    "max_capacity",
    "cpu_target",
    "verify_url",
)
ONE_SERVICE_ONLY = {
    "load_balancers": [],
    "health_check_grace_period": 0,
    "alarms": None,
    "pre_deploy_task": None,
    "max_capacity": 0,
    "verify_url": "",
}
NAME_RULE = "must be an ECS service name: 1 to 255 letters, digits, - and _"
NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def services_errors(services) -> list[str]:
    """The problems with ``fargate_services`` itself (each entry's ecs_deploy arguments are checked as the module's)."""
    if services in (None, []):
        return []
    if not isinstance(services, list):
        return [f"fargate_services: must be a list of services, got {type(services).__name__}"]
    errors, seen = [], set()
    for index, entry in enumerate(services):
        where = f"fargate_services[{index}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a dict with at least a name, got {type(entry).__name__}")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not 0 < len(name) <= 255 or not set(name) <= NAME_CHARACTERS:
            errors.append(f"{where}.name: {NAME_RULE}, got {name!r}")
        elif name in seen:
            errors.append(f"{where}.name: {name} is listed twice; each service appears once")
        seen.add(name)
        unknown = sorted(set(entry) - set(SETTINGS) - {"name"})
        if unknown:
            errors.append(f"{where}: unknown key(s) {', '.join(unknown)}; known: name, {', '.join(SETTINGS)}")
        if "command" in entry and not (isinstance(entry["command"], list) and all(isinstance(part, str) for part in entry["command"])):
            errors.append(f"{where}.command: must be a list of strings (the container's command)")
        if "environment" in entry and not isinstance(entry["environment"], dict):
            errors.append(f"{where}.environment: must be a dict of variable names to values")
    return errors


def _container(base: dict, entry: dict, name: str) -> dict:
    container = copy.deepcopy(base)
    container["name"] = entry.get("container_name", base["name"])
    if "command" in entry:
        container["command"] = list(entry["command"])
    if "container_port" in entry:
        port = entry["container_port"]
        if port in (None, 0, ""):
            container.pop("portMappings", None)
        else:
            container["portMappings"] = [{"containerPort": port, "protocol": "tcp"}]
    if "health_check" in entry:
        if entry["health_check"]:
            container["healthCheck"] = entry["health_check"]
        else:
            container.pop("healthCheck", None)
    if "environment" in entry:
        merged = {item["name"]: item["value"] for item in container.get("environment") or []}
        merged.update({str(key): str(value) for key, value in (entry["environment"] or {}).items()})
        container["environment"] = [{"name": key, "value": value} for key, value in merged.items()]
    if "image_repository" in entry or "image_tag" in entry:
        repository, tag = base["image"].rpartition(":")[::2]
        container["image"] = f"{entry.get('image_repository', repository)}:{entry.get('image_tag', tag)}"
    options = (container.get("logConfiguration") or {}).get("options")
    if options and "awslogs-stream-prefix" in options:
        options["awslogs-stream-prefix"] = name
    return container


def service_plans(services, base_args: dict, base_settings: dict) -> list[dict]:
    """Each service's plan, in the order given: ``name``, ``args`` (ecs_deploy's service arguments) and the role's
    per-service ``scaling`` and ``verify_url``. No services: the single-service variables, as a one-service list.

    ``base_args`` are the single-service ecs_deploy arguments (one container); ``base_settings`` the single-service
    values an entry may override that are not ecs_deploy arguments (min_capacity, max_capacity, cpu_target, verify_url).
    """
    if not services:
        return [_plan(base_args["service"], copy.deepcopy(base_args), base_settings)]
    # The image the run pushed, by digest, for the entries that do not name an image of their own.
    base_digest = next(iter((base_args.get("image_digests") or {}).values()), "")
    plans = []
    for index, entry in enumerate(services):
        entry = dict(entry)
        if index:
            entry = {**ONE_SERVICE_ONLY, **entry}
        name = entry["name"]
        args = copy.deepcopy(base_args)
        args["service"] = name
        args["family"] = entry.get("family", name)
        container = _container(base_args["container_definitions"][0], entry, name)
        args["container_definitions"] = [container]
        own_image = "image_digest" in entry or "image_repository" in entry or "image_tag" in entry
        digest = (entry.get("image_digest") or "") if own_image else base_digest
        args["image_digests"] = {container["name"]: digest} if digest else {}
        for key in ("cpu", "memory", "load_balancers"):
            if key in entry:
                args[key] = entry[key]
        for key in ("deployment_strategy", "alarms", "pre_deploy_task"):  # empty: left alone, as the role's own
            if key in entry:
                args[key] = entry[key] or None
        if "health_check_grace_period" in entry:
            args["health_check_grace_period_seconds"] = entry["health_check_grace_period"]
        settings = {key: entry.get(key, base_settings.get(key)) for key in ("min_capacity", "max_capacity", "cpu_target", "verify_url")}
        desired = entry.get("desired_count", base_settings.get("desired_count", args.get("desired_count")))
        args["desired_count"] = None if int(settings["max_capacity"] or 0) > 0 else desired
        plans.append(_plan(name, args, settings))
    return plans


def _plan(name: str, args: dict, settings: dict) -> dict:
    return {
        "name": name,
        "args": args,
        "scaling": {key: settings.get(key) for key in ("min_capacity", "max_capacity", "cpu_target")},
        "verify_url": settings.get("verify_url") or "",
    }


# What async_status and the loop add to a module's result.
_JOB_KEYS = frozenset(
    ("item", "ansible_loop_var", "ansible_job_id", "results_file", "started", "finished", "attempts", "stdout", "stderr", "stdout_lines", "stderr_lines")
)


def loop_results(results: list[dict]) -> list[dict]:
    """Each service's result from a loop over the started rollouts (async_status's ``results``, each with its
    ``item``, the started job's record with its ``service``): the module's result, named, failed ones too."""
    taken = []
    for result in results or []:
        item = result.get("item") or {}
        kept = {key: value for key, value in result.items() if key not in _JOB_KEYS}
        kept["service"] = item.get("service")
        taken.append(kept)
    return taken


def to_restore(rolled: list[dict], failed=None) -> list[dict]:
    """The services this run changed, but ``failed`` (a name or names) and any whose result failed (each has rolled
    itself back), to return to the revisions they ran before it: newest first, each ``{service, rollback_to}``. A service this
    run created has nothing to return to (``rollback_to`` None); a service whose revision did not change (settings, a
    forced redeploy) is not moved."""
    failed = {failed} if isinstance(failed, str) else set(failed or ())
    restore = []
    for result in reversed(rolled or []):
        if result.get("service") in failed or result.get("failed") or not result.get("changed") or "task_definition_arn" not in result:
            continue  # a failed one has rolled itself back; one started and not waited for has no result
        previous, current = result.get("previous_task_definition_arn"), result.get("task_definition_arn")
        if previous == current and previous is not None:
            continue
        restore.append({"service": result.get("service"), "rollback_to": previous})
    return restore


def environment_failure(failed: str | None, reason: str, restore: list[dict], results: list[dict]) -> str:
    """The run's failure message: which service failed and why, then where each service this run had rolled before
    it is now. ``restore`` is what ``to_restore`` planned; ``results`` the rollbacks' results (each with its ``item``)."""
    outcomes = {(result.get("item") or {}).get("service"): result for result in results or []}
    lines = [f"service {failed or '(unknown)'} failed: {reason}"]
    if restore:
        lines.append("all or nothing: the services this run rolled before it go back")
    for entry in restore or []:
        service, target = entry.get("service"), entry.get("rollback_to")
        outcome = outcomes.get(service) or {}
        if target is None:
            lines.append(f"{service}: created by this run, left in place (it ran no revision before)")
        elif outcome.get("failed") or not outcome:
            lines.append(f"{service}: NOT returned to {target}: {outcome.get('msg') or 'the rollback did not run'}")
        else:
            lines.append(f"{service}: returned to {target}, its revision before this run ({outcome.get('rollout_state') or 'done'})")
    return "; ".join(lines)


def rollout_line(result: dict) -> str:
    """One service's rollout for the run's summary: its revision, registered or reused, and its rollout's state."""
    arn = result.get("task_definition_arn") or "(not deployed)"
    revision = arn.rsplit("/", 1)[-1]
    registered = "" if result.get("registered") is None else (" (registered)" if result.get("registered") else " (reused)")
    state = result.get("rollout_state") or "-"
    started = " (started)" if result.get("deployment_started") else ""
    return f"{revision}{registered}, {state}{started}"
