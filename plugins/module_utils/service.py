# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an ECS service should look like, and what differs from what it is.

Pure functions: the module builds the desired service from its options, compares it with
describe_services' answer, and gets back the changed field paths (for `changed`, `changes`
and --diff alike) and the update_service parameters that would apply them.
"""

from __future__ import annotations

import hashlib
import json

# deploymentConfiguration members compared only when the desired block sets them (alarm rollback, the strategy and
# its settings): left out, the service's own are kept.
OPTIONAL_DEPLOYMENT_MEMBERS = ("alarms", "strategy", "bakeTimeInMinutes", "canaryConfiguration", "linearConfiguration", "lifecycleHooks")

# ECS's documented values when a field is left out.
DEPLOYMENT_DEFAULTS = {
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
}
ASSIGN_PUBLIC_IP_DEFAULT = "DISABLED"

# Fields update_service can change, in the order they are compared.
UPDATABLE_FIELDS = (
    "taskDefinition",
    "desiredCount",
    "networkConfiguration",
    "deploymentConfiguration",
    "loadBalancers",
    "healthCheckGracePeriodSeconds",
    "platformVersion",
    "propagateTags",
    "enableExecuteCommand",
)
# Fields an existing service cannot change: a difference is an error, not an update.
CREATE_ONLY_FIELDS = ("launchType", "schedulingStrategy")

DIGESTS_TAG = "devops-fargate:image-digests"


def network_configuration(subnets: list[str], security_groups: list[str], assign_public_ip: bool | None) -> dict:
    config: dict = {"subnets": sorted(subnets), "securityGroups": sorted(security_groups or [])}
    config["assignPublicIp"] = "ENABLED" if assign_public_ip else ASSIGN_PUBLIC_IP_DEFAULT
    return {"awsvpcConfiguration": config}


def _normalize_network(value: dict | None) -> dict | None:
    """The awsvpc settings we manage; anything else AWS adds to the block is not ours to compare."""
    if not value:
        return None
    awsvpc = (value or {}).get("awsvpcConfiguration") or {}
    return {
        "awsvpcConfiguration": {
            "subnets": sorted(awsvpc.get("subnets") or []),
            "securityGroups": sorted(awsvpc.get("securityGroups") or []),
            "assignPublicIp": awsvpc.get("assignPublicIp") or ASSIGN_PUBLIC_IP_DEFAULT,
        }
    }


def _normalize_deployment(value: dict | None) -> dict:
    """The deployment settings we manage, ECS's defaults filled in.

    Real ECS answers carry more (an ``alarms`` block even when none is set, ``strategy``,
    ``bakeTimeInMinutes``, ...), and every API release may add a member: those are not ours,
    so they are left out of the comparison rather than read as a difference.
    """
    value = value or {}
    normalized = {key: default if value.get(key) is None else value[key] for key, default in DEPLOYMENT_DEFAULTS.items()}
    breaker = value.get("deploymentCircuitBreaker") or {}
    normalized["deploymentCircuitBreaker"] = {
        key: default if breaker.get(key) is None else breaker[key] for key, default in DEPLOYMENT_DEFAULTS["deploymentCircuitBreaker"].items()
    }
    normalized["alarms"] = _normalize_alarms(value.get("alarms"))
    normalized["strategy"] = value.get("strategy") or "ROLLING"
    for key in ("bakeTimeInMinutes", "canaryConfiguration", "linearConfiguration"):
        normalized[key] = value.get(key)
    normalized["lifecycleHooks"] = sorted(
        (dict(hook, lifecycleStages=sorted(hook.get("lifecycleStages") or [])) for hook in value.get("lifecycleHooks") or []),
        key=lambda hook: (hook.get("hookTargetArn") or "", hook["lifecycleStages"]),
    )
    return normalized


def _normalize_alarms(value: dict | None) -> dict:
    """CloudWatch alarm rollback: real ECS answers a disabled block when none is set, moto none; a disabled block's
    names and rollback flag do nothing, so every disabled form is one."""
    value = value or {}
    if not value.get("enable"):
        return {"alarmNames": [], "enable": False, "rollback": False}
    return {"alarmNames": sorted(value.get("alarmNames") or []), "enable": True, "rollback": bool(value.get("rollback"))}


def deployment_alarms(names: list[str] | None, rollback: bool = True) -> dict:
    """The deploymentConfiguration.alarms block for the alarm names: no names turns alarm monitoring off."""
    return {"alarmNames": list(names or []), "enable": bool(names), "rollback": bool(names) and rollback}


_LOAD_BALANCER_KEYS = ("targetGroupArn", "loadBalancerName", "containerName", "containerPort", "advancedConfiguration")


def _normalize_load_balancers(value: list | None) -> list:
    def key(lb: dict) -> tuple:
        return (lb.get("targetGroupArn") or "", lb.get("loadBalancerName") or "", lb.get("containerName") or "", lb.get("containerPort") or 0)

    managed = ({k: lb[k] for k in _LOAD_BALANCER_KEYS if lb.get(k) is not None} for lb in value or [])
    return sorted(managed, key=key)


_NORMALIZERS = {
    "networkConfiguration": _normalize_network,
    "deploymentConfiguration": _normalize_deployment,
    "loadBalancers": _normalize_load_balancers,
    "healthCheckGracePeriodSeconds": lambda v: v or 0,
    "enableExecuteCommand": bool,
    "propagateTags": lambda v: v or "NONE",
}


def normalize_field(field: str, value):
    """A service field in the form ECS means by it, API defaults filled in."""
    normalizer = _NORMALIZERS.get(field)
    return normalizer(value) if normalizer else value


def _compared(field: str, desired, current) -> tuple:
    """The desired and current values of a field as compared: normalized, and within deploymentConfiguration only
    the optional members the desired value sets (alarms, strategy, ...: managed only when asked for), within load
    balancers the advanced configuration only when one is asked for."""
    want, have = normalize_field(field, desired), normalize_field(field, current)
    if field == "deploymentConfiguration":
        unset = [key for key in OPTIONAL_DEPLOYMENT_MEMBERS if key not in (desired or {})]
        want, have = ({k: v for k, v in value.items() if k not in unset} for value in (want, have))
    if field == "loadBalancers" and not any("advancedConfiguration" in balancer for balancer in desired or []):
        want, have = ([{k: v for k, v in balancer.items() if k != "advancedConfiguration"} for balancer in value] for value in (want, have))
    return want, have


def compare_service(desired: dict, current: dict) -> tuple[list[str], dict]:
    """Changed field paths and the update_service parameters that apply them.

    Only fields present in ``desired`` are managed: a field the user left out (None) is not
    compared, so for example an autoscaled desiredCount is not fought.
    """
    changes: list[str] = []
    update: dict = {}
    for field in UPDATABLE_FIELDS:
        if desired.get(field) is None:
            continue
        want, have = _compared(field, desired[field], current.get(field))
        if want != have:
            changes.append(f"service.{field}")
            update[field] = _with_unmanaged(field, desired[field], current.get(field))
    return changes, update


def _with_unmanaged(field: str, desired, current):
    """What update_service is sent for a field. It replaces a whole deploymentConfiguration or load balancer, so what
    this module does not manage there (alarms unless asked for, strategy, bake time, lifecycle hooks, what the next
    API release adds; a load balancer's advancedConfiguration) is sent back as the service has it, not dropped; what
    it manages is as desired, ECS's defaults where left out. A strategy asked for takes its own settings with it:
    another strategy's canary or linear settings are not sent back."""
    if field == "loadBalancers" and current:
        advanced = {balancer.get("targetGroupArn"): balancer["advancedConfiguration"] for balancer in current if balancer.get("advancedConfiguration")}
        return [
            dict(balancer, advancedConfiguration=advanced[balancer.get("targetGroupArn")])
            if "advancedConfiguration" not in balancer and balancer.get("targetGroupArn") in advanced
            else balancer
            for balancer in desired
        ]
    if field != "deploymentConfiguration" or not current:
        return desired
    managed = set(DEPLOYMENT_DEFAULTS) | set(desired)
    if "strategy" in desired:
        managed |= {"canaryConfiguration", "linearConfiguration"}
    return dict({key: value for key, value in current.items() if key not in managed}, **desired)


def create_only_conflicts(desired: dict, current: dict) -> list[str]:
    """Create-only fields that differ; ECS cannot update them in place."""
    return [
        f"service.{field}: the service has {current.get(field)!r}, the task asks for {desired[field]!r}; "
        "it cannot change in place (delete and recreate the service)"
        for field in CREATE_ONLY_FIELDS
        if desired.get(field) is not None and current.get(field) is not None and desired[field] != current[field]
    ]


def dropped_on_create(desired: dict, created: dict) -> dict:
    """Settings sent to create_service that its answer does not show (some endpoints drop them)."""
    changes, update = compare_service({k: desired.get(k) for k in UPDATABLE_FIELDS if k != "taskDefinition"}, created)
    return update if changes else {}


def digests_fingerprint(digests: dict[str, str]) -> str:
    """A short, order-free fingerprint of the container -> image digest map, fit for a tag value."""
    canonical = json.dumps(dict(sorted(digests.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def tags_dict(tags: list[dict] | None) -> dict[str, str]:
    """ECS tag lists use lowercase key/value."""
    return {tag["key"]: tag.get("value", "") for tag in tags or []}


def service_diff(desired: dict, current: dict, changes: list[str]) -> dict:
    """--diff before/after of the service fields that change."""
    fields = [path.split(".", 1)[1] for path in changes if path.startswith("service.")]
    compared = {field: _compared(field, desired.get(field), current.get(field)) for field in fields}
    return {"before": {field: have for field, (_want, have) in compared.items()}, "after": {field: want for field, (want, _have) in compared.items()}}
