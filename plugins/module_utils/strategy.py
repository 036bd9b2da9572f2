# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS's deployment strategies (rolling, blue/green, canary, linear): the module's ``deployment_strategy`` option as
the service's ``deploymentConfiguration`` members, its rules, checked before any call, and the time its bakes add.

Pure functions; the hooks and the load balancers' advanced configuration are checked against botocore's own shapes.
"""

from __future__ import annotations

import math

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import check_against_shape

STRATEGIES = {"rolling": "ROLLING", "blue_green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}
# What each strategy needs set, and the settings that belong to one strategy only.
_NEEDS = {"blue_green": ("bake_time",), "canary": ("canary_percent", "canary_bake_time"), "linear": ("linear_step_percent", "linear_step_bake_time")}
_ONLY_FOR = {"canary_percent": "canary", "canary_bake_time": "canary", "linear_step_percent": "linear", "linear_step_bake_time": "linear"}
# What ECS needs of each load balancer to shift traffic between two target groups (AdvancedConfiguration).
_TRAFFIC_SHIFT = ("alternateTargetGroupArn", "productionListenerRule", "roleArn")


def deployment_members(strategy: dict | None) -> dict:
    """The deploymentConfiguration members the option sets; none when it is not set (the service's are left alone)."""
    if not strategy:
        return {}
    members: dict = {"strategy": STRATEGIES[strategy["type"]]}
    if strategy.get("bake_time") is not None:
        members["bakeTimeInMinutes"] = strategy["bake_time"]
    if strategy["type"] == "canary":
        members["canaryConfiguration"] = {"canaryPercent": float(strategy["canary_percent"]), "canaryBakeTimeInMinutes": strategy["canary_bake_time"]}
    if strategy["type"] == "linear":
        members["linearConfiguration"] = {"stepPercent": float(strategy["linear_step_percent"]), "stepBakeTimeInMinutes": strategy["linear_step_bake_time"]}
    if strategy.get("lifecycle_hooks") is not None:
        members["lifecycleHooks"] = strategy["lifecycle_hooks"]
    return members


def strategy_errors(strategy: dict | None, load_balancers: list | None) -> list[str]:
    """What ECS would refuse, or what cannot work, named by option: checked before any call."""
    if not strategy:
        return []
    kind = strategy.get("type")
    errors = [
        f"deployment_strategy.{name}: only with type {only}, not {kind}" for name, only in _ONLY_FOR.items() if strategy.get(name) is not None and kind != only
    ]
    errors += [f"deployment_strategy.{name}: required with type {kind}" for name in _NEEDS.get(kind, ()) if strategy.get(name) is None]
    for name in ("canary_percent", "linear_step_percent"):
        value = strategy.get(name)
        if value is not None and not 0 < value <= 100:
            errors.append(f"deployment_strategy.{name}: must be more than 0 and at most 100, got {value}")
    for name in ("bake_time", "canary_bake_time", "linear_step_bake_time"):
        value = strategy.get(name)
        if value is not None and value < 0:
            errors.append(f"deployment_strategy.{name}: minutes, 0 or more, got {value}")
    for index, hook in enumerate(strategy.get("lifecycle_hooks") or []):
        errors += check_against_shape(hook, "DeploymentLifecycleHook", f"deployment_strategy.lifecycle_hooks[{index}]")
    if kind != "rolling":
        errors += _traffic_shift_errors(kind, load_balancers)
    return errors


def _traffic_shift_errors(kind: str, load_balancers: list | None) -> list[str]:
    if not load_balancers:
        needed = ", ".join(_TRAFFIC_SHIFT)
        return [f"deployment_strategy.type {kind}: needs load_balancers, each with advancedConfiguration ({needed}): ECS shifts traffic between target groups"]
    errors = []
    for index, balancer in enumerate(load_balancers):
        advanced = (balancer or {}).get("advancedConfiguration") or {}
        missing = [key for key in _TRAFFIC_SHIFT if not advanced.get(key)]
        if missing:
            errors.append(f"load_balancers[{index}].advancedConfiguration: {', '.join(missing)} required with deployment_strategy.type {kind}")
    return errors


def bake_seconds(strategy: dict | None) -> int:
    """How long the strategy's bakes keep a successful deployment IN_PROGRESS: added to wait_timeout."""
    if not strategy:
        return 0
    minutes = strategy.get("bake_time") or 0
    if strategy["type"] == "canary":
        minutes += strategy.get("canary_bake_time") or 0
    if strategy["type"] == "linear" and strategy.get("linear_step_percent"):
        minutes += math.ceil(100 / strategy["linear_step_percent"]) * (strategy.get("linear_step_bake_time") or 0)
    return 60 * minutes


def strategy_in_effect(strategy: dict | None, service: dict | None) -> str:
    """The strategy a deployment of the service runs with: the option's, else the service's, else ECS's default."""
    if strategy:
        return STRATEGIES[strategy["type"]]
    return ((service or {}).get("deploymentConfiguration") or {}).get("strategy") or "ROLLING"
