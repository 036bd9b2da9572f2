# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task-definition logic for ``ecs_deploy``: validate, normalise, compare, pin images.

ECS never updates a task definition; every change is a new revision. To stay idempotent the
module must decide whether the latest revision already means what the user asked for. The
describe output is noisy (read-only fields, defaults filled in, strings for numbers, lists in
whatever order), so both sides are brought to one canonical form before comparing.

Nothing here calls AWS. botocore is used only for its bundled service model, so the accepted
keys and types always match the botocore that will send the request.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re

try:
    import botocore.session

    HAS_BOTOCORE = True
except ImportError:
    HAS_BOTOCORE = False  # AnsibleAWSModule reports the missing dependency


# --- units ----------------------------------------------------------------------------------

_NUMBER_WITH_UNIT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*")
_CPU_UNITS_PER_VCPU = 1024
_MIB_PER_GIB = 1024


def _split_number_and_unit(value, what: str) -> tuple[float, str]:
    """Accept an int or a ``"<number>[ ]<unit>"`` string, as the ECS console and API do."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{what} must be an integer or a string such as '1024', got {value!r}")
    if isinstance(value, int):
        return float(value), ""
    match = _NUMBER_WITH_UNIT.fullmatch(value)
    if not match:
        raise ValueError(f"{what} {value!r} is not a number with an optional unit")
    return float(match.group(1)), match.group(2).lower()


def _whole(amount: float, value, what: str) -> int:
    """ECS stores whole CPU units and MiB; a fraction that does not convert exactly is a typo."""
    if amount != int(amount) or amount <= 0:
        raise ValueError(f"{what} {value!r} does not convert to a positive whole number")
    return int(amount)


def parse_cpu(value) -> int:
    """CPU units from ``256``, ``"256"``, ``"0.25 vCPU"`` or ``"2vcpu"`` (1 vCPU = 1024 units)."""
    amount, unit = _split_number_and_unit(value, "cpu")
    if unit == "vcpu":
        return _whole(amount * _CPU_UNITS_PER_VCPU, value, "cpu")
    if unit:
        raise ValueError(f"cpu {value!r}: unknown unit {unit!r}; use CPU units (256) or vCPU (0.25 vCPU)")
    return _whole(amount, value, "cpu")


def parse_memory(value) -> int:
    """MiB from ``512``, ``"512"``, ``"2048 MiB"``, ``"2048 MB"``, ``"1 GB"`` or ``"0.5 GB"``.

    ECS itself treats MB as MiB and GB as GiB, so the same is done here.
    """
    amount, unit = _split_number_and_unit(value, "memory")
    if unit in ("gb", "gib"):
        return _whole(amount * _MIB_PER_GIB, value, "memory")
    if unit not in ("", "mb", "mib"):
        raise ValueError(f"memory {value!r}: unknown unit {unit!r}; use MiB (512) or GB (1 GB)")
    return _whole(amount, value, "memory")


# --- Fargate sizes --------------------------------------------------------------------------

# Task cpu units -> allowed task memory (MiB), from the Fargate task size table.
FARGATE_CPU_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}


def _spoken_list(values) -> str:
    """``a, b or c``: the way error messages list choices."""
    items = [str(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _describe_memory_choices(choices: tuple[int, ...]) -> str:
    """Short wording for a long, evenly stepped range of sizes."""
    if len(choices) <= 3:
        return _spoken_list(choices) + " MiB"
    return f"{choices[0]} to {choices[-1]} MiB in steps of {choices[1] - choices[0]}"


# --- image references -----------------------------------------------------------------------

# The docker/distribution reference grammar, with only sha256 digests (what ECR and ECS use).
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST = re.compile(r"sha256:[a-f0-9]{64}")
_IMAGE_MAX_LENGTH = 255
_IMAGE_FORM = "repository[:tag][@sha256:digest]"


def _split_image(image) -> tuple[str, str | None, str | None]:
    """``(repository, tag, digest)``; a ``:`` before the last ``/`` is a registry port, not a tag."""
    if not isinstance(image, str) or not image or len(image) > _IMAGE_MAX_LENGTH:
        raise ValueError(f"{image!r} is not a valid image reference ({_IMAGE_FORM})")
    name, _at, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    valid = (
        _REPOSITORY.fullmatch(name)
        and (tag is None or _TAG.fullmatch(tag))
        and ("@" not in image or _DIGEST.fullmatch(digest))
    )
    if not valid:
        raise ValueError(f"{image!r} is not a valid image reference ({_IMAGE_FORM})")
    return name, tag, digest or None


def image_repository(image: str) -> str:
    """The repository part (registry host and port included) without tag or digest."""
    return _split_image(image)[0]


def pin_image(image: str, digest: str) -> str:
    """``repo[:tag][@old]`` + ``sha256:...`` -> ``repo@sha256:...``.

    A tag can move; a digest cannot, so a pinned reference makes the task definition (and
    therefore the revision) change exactly when the image content changes.
    """
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise ValueError(f"digest {digest!r} is not of the form sha256:<64 lowercase hex digits>")
    return f"{image_repository(image)}@{digest}"


# --- botocore's request shape ---------------------------------------------------------------

# The shape does not mark these as required, but RegisterTaskDefinition rejects a container
# without them.
_ALSO_REQUIRED = {"ContainerDefinition": ("name", "image")}
_SHAPE_TYPES = {"string": str, "integer": int, "long": int, "boolean": bool, "list": list, "map": dict, "structure": dict}
_TYPE_WORDS = {
    "string": "a string", "integer": "an integer", "long": "an integer", "boolean": "a boolean",
    "list": "a list", "map": "a dict", "structure": "a dict",
}
# The API types task cpu/memory as strings, but people (and the console) write 256 or "1 GB".
_TASK_SIZE_PARSERS = {"cpu": parse_cpu, "memory": parse_memory}


@functools.lru_cache(maxsize=None)
def _ecs_model():
    """The installed botocore's ECS service model, loaded once per process (each load parses the whole model)."""
    return botocore.session.get_session().get_service_model("ecs")


@functools.lru_cache(maxsize=None)
def _register_request_shape():
    """RegisterTaskDefinition's input shape from the installed botocore, or None without it."""
    if not HAS_BOTOCORE:
        return None
    return _ecs_model().operation_model("RegisterTaskDefinition").input_shape


@functools.lru_cache(maxsize=None)
def _ecs_shape(name: str):
    """One of the ECS model's shapes from the installed botocore, or None without it."""
    if not HAS_BOTOCORE:
        return None
    return _ecs_model().shape_for(name)


def check_against_shape(value, shape_name: str, path: str) -> list[str]:
    """``value`` (spelt at option path ``path``) against the ECS model's shape ``shape_name``: keys, types, enums."""
    shape = _ecs_shape(shape_name)
    return [] if shape is None else _check_value(value, shape, path)


def _top_path(key: str) -> str:
    """Containers are their own module option; everything else lives under task_definition."""
    return "container_definitions" if key == "containerDefinitions" else f"task_definition.{key}"


def _is_of_type(value, type_name: str) -> bool:
    expected = _SHAPE_TYPES.get(type_name)
    if expected is None:
        return True  # timestamps, blobs, ...: not part of this request
    if expected is int and isinstance(value, bool):
        return False  # bool is an int subclass; the API would reject true for a port
    return isinstance(value, expected)


def _check_scalar_limits(value, shape, path: str) -> list[str]:
    """Enums and min/max from the model, so a typo fails here and not halfway through a deploy."""
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        return [f"{path}: must be one of {_spoken_list(enum)}, got {value!r}"]
    size = len(value) if isinstance(value, str) else value
    noun = "length" if isinstance(value, str) else "value"
    if "min" in shape.metadata and size < shape.metadata["min"]:
        return [f"{path}: {noun} must be at least {shape.metadata['min']}, got {value!r}"]
    if "max" in shape.metadata and size > shape.metadata["max"]:
        return [f"{path}: {noun} must be at most {shape.metadata['max']}, got {value!r}"]
    return []


def _check_structure(value: dict, shape, item_path) -> list[str]:
    """Unknown keys, missing required keys, then each member against its own shape.

    ``item_path(key)`` spells the option path of a member, so errors name what the user wrote.
    """
    errors = []
    members = shape.members
    required = list(shape.required_members) + list(_ALSO_REQUIRED.get(shape.name, ()))
    for key in required:
        if value.get(key) is None:
            errors.append(f"{item_path(key)}: required; {shape.name} must set it")
    for key, member_value in value.items():
        if key not in members:
            accepted = ", ".join(sorted(members))
            errors.append(f"{item_path(key)}: unknown key; {shape.name} accepts: {accepted}")
        elif member_value is not None:
            errors.extend(_check_value(member_value, members[key], item_path(key)))
    return errors


def builtin_type_name(value) -> str:
    """The builtin type ``value`` is an instance of: ``str`` for ansible-core's tagged strings, not their class name."""
    return next(cls.__name__ for cls in type(value).__mro__ if cls.__module__ == "builtins")


def _check_value(value, shape, path: str) -> list[str]:
    """Walk ``value`` alongside its botocore shape, recursing into lists and structures."""
    if not _is_of_type(value, shape.type_name):
        return [f"{path}: must be {_TYPE_WORDS[shape.type_name]}, got {builtin_type_name(value)} {value!r}"]
    if shape.type_name == "structure":
        return _check_structure(value, shape, lambda key: f"{path}.{key}")
    if shape.type_name == "list":
        errors = []
        for index, item in enumerate(value):
            errors.extend(_check_value(item, shape.member, f"{path}[{index}]"))
        return errors
    if shape.type_name == "map":
        bad = [k for k, v in value.items() if not isinstance(k, str) or not isinstance(v, str)]
        return [f"{path}.{k}: keys and values must be strings, got {value[k]!r}" for k in bad]
    return _check_scalar_limits(value, shape, path)


def _check_task_size_member(key: str, value) -> list[str]:
    try:
        _TASK_SIZE_PARSERS[key](value)
    except ValueError as e:
        return [f"task_definition.{key}: {e}"]
    return []


def _check_against_model(td: dict) -> list[str]:
    """Keys and types of the whole request, as botocore's model describes them."""
    shape = _register_request_shape()
    if shape is None:
        return []
    plain = {k: v for k, v in td.items() if k not in _TASK_SIZE_PARSERS}
    errors = _check_structure(plain, shape, _top_path)
    for key in _TASK_SIZE_PARSERS:
        if td.get(key) is not None:
            errors.extend(_check_task_size_member(key, td[key]))
    return errors


# --- validation rules -----------------------------------------------------------------------

_NAME = re.compile(r"[a-zA-Z0-9_-]{1,255}")
_PORT_MIN, _PORT_MAX = 1, 65535
_FARGATE_EPHEMERAL_STORAGE_GIB = (21, 200)
# healthCheck member -> (min, max) seconds or attempts, from the HealthCheck API reference.
_HEALTH_CHECK_LIMITS = {"interval": (5, 300), "timeout": (2, 120), "retries": (1, 10), "startPeriod": (0, 300)}
# Container timeout -> (min, max) seconds on Fargate, from the ContainerDefinition reference (the model gives no range).
_FARGATE_CONTAINER_TIMEOUTS = {"startTimeout": (2, 120), "stopTimeout": (0, 120)}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_fargate(td: dict, launch_type: str) -> bool:
    """Fargate rules apply when running on Fargate or when registering for it."""
    compatibilities = td.get("requiresCompatibilities") or []
    return str(launch_type).upper() == "FARGATE" or (isinstance(compatibilities, list) and "FARGATE" in compatibilities)


def _network_mode(td: dict, fargate: bool) -> str:
    """The mode ECS will use: awsvpc is the only choice on Fargate, bridge the EC2 default."""
    return td.get("networkMode") or ("awsvpc" if fargate else "bridge")


def _containers(td: dict) -> list[tuple[int, dict]]:
    """(index, container) for each well-formed container; the model check reports the rest."""
    containers = td.get("containerDefinitions")
    if not isinstance(containers, list):
        return []
    return [(i, c) for i, c in enumerate(containers) if isinstance(c, dict)]


def _items(container: dict, key: str) -> list[tuple[int, dict]]:
    values = container.get(key)
    if not isinstance(values, list):
        return []
    return [(i, v) for i, v in enumerate(values) if isinstance(v, dict)]


def _task_memory(td: dict) -> int | None:
    try:
        return parse_memory(td["memory"]) if td.get("memory") is not None else None
    except ValueError:
        return None  # reported by the model check


def _rule_family(td: dict) -> list[str]:
    family = td.get("family")
    if isinstance(family, str) and not _NAME.fullmatch(family):
        return [f"task_definition.family: must be 1-255 letters, digits, hyphens or underscores, got {family!r}"]
    return []


def _rule_fargate_network_mode(td: dict, fargate: bool) -> list[str]:
    mode = td.get("networkMode")
    if fargate and mode is not None and mode != "awsvpc":
        return [f"task_definition.networkMode: Fargate requires awsvpc, got {mode}"]
    return []


def _rule_fargate_size(td: dict, fargate: bool) -> list[str]:
    """Fargate bills by task size, so task cpu and memory must be one of its combinations."""
    if not fargate:
        return []
    missing = [f"task_definition.{k}: required on Fargate" for k in ("cpu", "memory") if td.get(k) is None]
    if missing:
        return missing
    try:
        cpu, memory = parse_cpu(td["cpu"]), parse_memory(td["memory"])
    except ValueError:
        return []  # reported by the model check
    if cpu not in FARGATE_CPU_MEMORY:
        return [f"task_definition.cpu: Fargate supports {_spoken_list(FARGATE_CPU_MEMORY)} CPU units, got {cpu}"]
    if memory not in FARGATE_CPU_MEMORY[cpu]:
        allowed = _describe_memory_choices(FARGATE_CPU_MEMORY[cpu])
        return [f"task_definition.cpu/memory: {cpu} CPU units allow memory {allowed}, not {memory}"]
    return []


def _rule_fargate_ephemeral_storage(td: dict, fargate: bool) -> list[str]:
    """Fargate gives 20 GiB without the field; an explicit size must be from 21 to 200 GiB."""
    storage = td.get("ephemeralStorage")
    size = storage.get("sizeInGiB") if isinstance(storage, dict) else None
    low, high = _FARGATE_EPHEMERAL_STORAGE_GIB
    if fargate and _is_int(size) and not low <= size <= high:
        return [f"task_definition.ephemeralStorage.sizeInGiB: Fargate accepts {low} to {high} GiB, got {size}"]
    return []


def _rule_container_names(td: dict) -> list[str]:
    errors, seen = [], set()
    for index, container in _containers(td):
        name = container.get("name")
        if not isinstance(name, str):
            continue
        if not _NAME.fullmatch(name):
            errors.append(f"container_definitions[{index}].name: must be 1-255 letters, digits, hyphens or underscores, got {name!r}")
        elif name in seen:
            errors.append(f"container_definitions[{index}].name: {name!r} is used by more than one container; names must be unique")
        seen.add(name)
    return errors


def _rule_images(td: dict) -> list[str]:
    errors = []
    for index, container in _containers(td):
        image = container.get("image")
        if isinstance(image, str):
            try:
                _split_image(image)
            except ValueError as e:
                errors.append(f"container_definitions[{index}].image: {e}")
    return errors


def _port_errors(mapping: dict, path: str, network_mode: str) -> list[str]:
    errors = []
    container_port, host_port = mapping.get("containerPort"), mapping.get("hostPort")
    # hostPort 0 asks for a dynamic port, which only bridge mode has
    host_min = 0 if network_mode == "bridge" else _PORT_MIN
    for key, value, low in (("containerPort", container_port, _PORT_MIN), ("hostPort", host_port, host_min)):
        if _is_int(value) and not low <= value <= _PORT_MAX:
            errors.append(f"{path}.{key}: must be an integer from {low} to {_PORT_MAX}, got {value}")
    if network_mode == "awsvpc" and _is_int(host_port) and _is_int(container_port) and host_port != container_port:
        errors.append(f"{path}.hostPort: on awsvpc it must equal containerPort {container_port}, got {host_port}")
    return errors


def _rule_ports(td: dict, network_mode: str) -> list[str]:
    errors = []
    for c_index, container in _containers(td):
        for p_index, mapping in _items(container, "portMappings"):
            path = f"container_definitions[{c_index}].portMappings[{p_index}]"
            errors.extend(_port_errors(mapping, path, network_mode))
    return errors


def _rule_essential(td: dict) -> list[str]:
    """ECS refuses a task with no essential container: nothing would decide when it stops."""
    containers = _containers(td)
    if containers and not any(c.get("essential", True) is not False for _index, c in containers):
        return ["container_definitions: at least one container must be essential (essential absent counts as true)"]
    return []


def _rule_health_checks(td: dict) -> list[str]:
    errors = []
    for index, container in _containers(td):
        health_check = container.get("healthCheck")
        if not isinstance(health_check, dict):
            continue
        for key, (low, high) in _HEALTH_CHECK_LIMITS.items():
            value = health_check.get(key)
            if _is_int(value) and not low <= value <= high:
                errors.append(f"container_definitions[{index}].healthCheck.{key}: must be from {low} to {high}, got {value}")
    return errors


def _rule_fargate_container_timeouts(td: dict, fargate: bool) -> list[str]:
    """ECS takes any integer, but Fargate refuses a task whose timeouts are out of its range."""
    if not fargate:
        return []
    errors = []
    for index, container in _containers(td):
        for key, (low, high) in _FARGATE_CONTAINER_TIMEOUTS.items():
            value = container.get(key)
            if _is_int(value) and not low <= value <= high:
                errors.append(f"container_definitions[{index}].{key}: must be from {low} to {high} on Fargate, got {value}")
    return errors


def _rule_unique_variable_names(td: dict) -> list[str]:
    """A repeated name silently keeps one of the values; say so instead."""
    errors = []
    for c_index, container in _containers(td):
        for key in ("environment", "secrets"):
            seen = set()
            for v_index, variable in _items(container, key):
                name = variable.get("name")
                if name in seen:
                    errors.append(f"container_definitions[{c_index}].{key}[{v_index}].name: {name!r} is set more than once; names must be unique")
                seen.add(name)
    return errors


def _container_memory_errors(container: dict, path: str, task_memory: int | None) -> list[str]:
    errors = []
    hard, soft = container.get("memory"), container.get("memoryReservation")
    for key, value in (("memory", hard), ("memoryReservation", soft)):
        if task_memory is not None and _is_int(value) and value > task_memory:
            errors.append(f"{path}.{key}: {value} MiB exceeds the task memory of {task_memory} MiB")
    if _is_int(hard) and _is_int(soft) and soft > hard:
        errors.append(f"{path}.memoryReservation: {soft} MiB exceeds the container's memory limit of {hard} MiB")
    return errors


def _rule_container_memory(td: dict) -> list[str]:
    """Container limits and reservations must fit inside the task, alone and together."""
    task_memory = _task_memory(td)
    errors, reserved = [], 0
    for index, container in _containers(td):
        errors.extend(_container_memory_errors(container, f"container_definitions[{index}]", task_memory))
        share = container.get("memoryReservation", container.get("memory"))
        reserved += share if _is_int(share) else 0
    if task_memory is not None and reserved > task_memory and not errors:
        errors.append(f"container_definitions: the containers reserve {reserved} MiB in total, more than the task memory of {task_memory} MiB")
    return errors


def _rule_depends_on(td: dict) -> list[str]:
    names = {c.get("name") for _index, c in _containers(td)}
    errors = []
    for c_index, container in _containers(td):
        for d_index, dependency in _items(container, "dependsOn"):
            target = dependency.get("containerName")
            if isinstance(target, str) and target not in names:
                errors.append(f"container_definitions[{c_index}].dependsOn[{d_index}].containerName: no container is named {target!r}")
    return errors


def validate_task_definition(td: dict, launch_type: str = "FARGATE") -> list[str]:
    """Every problem with a desired task definition, each naming the option path and the rule.

    Failing fast with all problems at once beats one RegisterTaskDefinition error per run.
    """
    if not isinstance(td, dict):
        return [f"task_definition: must be a dict, got {builtin_type_name(td)}"]
    fargate = _is_fargate(td, launch_type)
    errors = _check_against_model(td)
    if td.get("containerDefinitions") == []:
        errors.append("container_definitions: at least one container is required")
    errors += _rule_family(td)
    errors += _rule_fargate_network_mode(td, fargate)
    errors += _rule_fargate_size(td, fargate)
    errors += _rule_fargate_ephemeral_storage(td, fargate)
    errors += _rule_container_names(td)
    errors += _rule_images(td)
    errors += _rule_ports(td, _network_mode(td, fargate))
    errors += _rule_essential(td)
    errors += _rule_health_checks(td)
    errors += _rule_fargate_container_timeouts(td, fargate)
    errors += _rule_unique_variable_names(td)
    errors += _rule_container_memory(td)
    errors += _rule_depends_on(td)
    return errors


# --- normalisation --------------------------------------------------------------------------

# Fields only describe_task_definition returns; tags are compared on their own (normalize_tags).
_READ_ONLY_FIELDS = (
    "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
    "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt", "tags",
)

# Lists whose order means nothing, keyed by what identifies an item. The key also names the
# item in compare paths, e.g. containerDefinitions[web].environment[LOG_LEVEL].
# Paths are the dict keys from the task definition down, list positions left out.
_KEYED_LISTS = {
    ("containerDefinitions",): lambda c: c.get("name"),
    ("volumes",): lambda v: v.get("name"),
    ("placementConstraints",): lambda p: f"{p.get('type')}:{p.get('expression', '')}",
    ("inferenceAccelerators",): lambda a: a.get("deviceName"),
    ("proxyConfiguration", "properties"): lambda p: p.get("name"),
    ("containerDefinitions", "environment"): lambda e: e.get("name"),
    ("containerDefinitions", "secrets"): lambda s: s.get("name"),
    ("containerDefinitions", "logConfiguration", "secretOptions"): lambda s: s.get("name"),
    ("containerDefinitions", "mountPoints"): lambda m: f"{m.get('sourceVolume')}:{m.get('containerPath')}",
    ("containerDefinitions", "volumesFrom"): lambda v: v.get("sourceContainer"),
    ("containerDefinitions", "portMappings"): lambda p: f"{p.get('containerPort', p.get('containerPortRange'))}/{p.get('protocol')}",
    ("containerDefinitions", "ulimits"): lambda u: u.get("name"),
    ("containerDefinitions", "extraHosts"): lambda h: h.get("hostname"),
    ("containerDefinitions", "dependsOn"): lambda d: d.get("containerName"),
    ("containerDefinitions", "systemControls"): lambda s: s.get("namespace"),
    ("containerDefinitions", "resourceRequirements"): lambda r: r.get("type"),
    ("containerDefinitions", "linuxParameters", "devices"): lambda d: d.get("hostPath"),
    ("containerDefinitions", "linuxParameters", "tmpfs"): lambda t: t.get("containerPath"),
}
# Keyed lists whose items are big enough that compare reports the field inside the item.
_DESCEND_INTO_ITEMS = {("containerDefinitions",), ("volumes",)}
# Lists of plain values whose order means nothing. Everything else (command, entryPoint,
# healthCheck.command, dnsServers, environmentFiles, ...) keeps its order: order matters there.
_SET_LISTS = {
    ("requiresCompatibilities",),
    ("containerDefinitions", "linuxParameters", "capabilities", "add"),
    ("containerDefinitions", "linuxParameters", "capabilities", "drop"),
    ("containerDefinitions", "restartPolicy", "ignoredExitCodes"),
}

# Documented defaults: a member equal to its default means the same as no member at all.
_TASK_DEFAULTS = {
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "ephemeralStorage": {"sizeInGiB": 20},
}
_CONTAINER_FALSE_DEFAULTS = ("disableNetworking", "privileged", "readonlyRootFilesystem", "interactive", "pseudoTerminal")
_HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}
_HOST_PORT_EQUALS_CONTAINER_PORT = ("awsvpc", "host")


def _prune(value):
    """None, [] and {} all mean "not set" to ECS; drop them at every depth."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        pruned = [_prune(v) for v in value]
        return [v for v in pruned if v is not None and v != [] and v != {}]
    return value


def _as_int(value):
    """Numeric strings to int; anything else unchanged (validation reports it)."""
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value):
        return int(value)
    return value


def _drop_defaults(mapping: dict, defaults: dict) -> dict:
    return {k: v for k, v in mapping.items() if defaults.get(k, object()) != v}


def _with_task_size(td: dict) -> dict:
    """The API returns "256"; the user may write 256 or "0.25 vCPU"."""
    for key, parse in _TASK_SIZE_PARSERS.items():
        if key in td:
            try:
                td[key] = parse(td[key])
            except ValueError:
                pass  # left as is: compares unequal and validation explains why
    return td


def _with_task_defaults(td: dict) -> dict:
    compatibilities = td.get("requiresCompatibilities")
    if isinstance(compatibilities, list) and "FARGATE" in compatibilities and "networkMode" not in td:
        td["networkMode"] = "awsvpc"
    for key, defaults in _TASK_DEFAULTS.items():
        if isinstance(td.get(key), dict):
            td[key] = _drop_defaults(td[key], defaults)
    if td.get("enableFaultInjection") is False:
        del td["enableFaultInjection"]
    return td


def _port_mapping(mapping: dict, network_mode: str | None) -> dict:
    mapping = {k: _as_int(v) if k in ("containerPort", "hostPort") else v for k, v in mapping.items()}
    mapping.setdefault("protocol", "tcp")
    if network_mode in _HOST_PORT_EQUALS_CONTAINER_PORT and "containerPort" in mapping:
        mapping.setdefault("hostPort", mapping["containerPort"])
    return mapping


def _health_check(health_check: dict) -> dict:
    health_check = {**_HEALTH_CHECK_DEFAULTS, **health_check}
    if health_check.get("startPeriod") == 0:
        del health_check["startPeriod"]
    return health_check


def _without_false(mapping: dict, keys) -> dict:
    return {k: v for k, v in mapping.items() if not (k in keys and v is False)}


def _container(container: dict, network_mode: str | None) -> dict:
    """Fill what ECS fills (essential, protocol, hostPort) and drop what it drops (cpu 0, false flags)."""
    container = _without_false(container, _CONTAINER_FALSE_DEFAULTS)
    for key in ("cpu", "memory", "memoryReservation"):
        if key in container:
            container[key] = _as_int(container[key])
    if container.get("cpu") == 0:
        del container["cpu"]
    container.setdefault("essential", True)
    if isinstance(container.get("portMappings"), list):
        container["portMappings"] = [_port_mapping(p, network_mode) if isinstance(p, dict) else p for p in container["portMappings"]]
    if isinstance(container.get("healthCheck"), dict):
        container["healthCheck"] = _health_check(container["healthCheck"])
    for key in ("mountPoints", "volumesFrom"):
        if isinstance(container.get(key), list):
            container[key] = [_without_false(m, ("readOnly",)) if isinstance(m, dict) else m for m in container[key]]
    if isinstance(container.get("linuxParameters"), dict):
        container["linuxParameters"] = _without_false(container["linuxParameters"], ("initProcessEnabled",))
    if container.get("versionConsistency") == "enabled":
        del container["versionConsistency"]
    return container


def _volume(volume: dict) -> dict:
    efs = volume.get("efsVolumeConfiguration")
    if isinstance(efs, dict) and efs.get("rootDirectory") == "/":
        volume["efsVolumeConfiguration"] = {k: v for k, v in efs.items() if k != "rootDirectory"}
    return volume


def _sort_key(item) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def _identity(item, pattern: tuple) -> str:
    return str(_KEYED_LISTS[pattern](item)) if isinstance(item, dict) else _sort_key(item)


def _canonical_order(value, pattern: tuple = ()):
    """Sort the lists whose order ECS ignores; leave ordered lists alone."""
    if isinstance(value, dict):
        return {k: _canonical_order(v, pattern + (k,)) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    items = [_canonical_order(v, pattern) for v in value]
    if pattern in _KEYED_LISTS:
        return sorted(items, key=lambda item: (_identity(item, pattern), _sort_key(item)))
    if pattern in _SET_LISTS:
        return sorted(items, key=_sort_key)
    return items


def normalize_task_definition(td: dict) -> dict:
    """A canonical form of a desired or described task definition: equal meaning, equal dicts.

    Anything not covered by a rule passes through, so a real change anywhere still shows up.
    """
    td = _prune(copy.deepcopy(td))
    for key in _READ_ONLY_FIELDS:
        td.pop(key, None)
    td = _with_task_defaults(_with_task_size(td))
    network_mode = td.get("networkMode")
    if isinstance(td.get("containerDefinitions"), list):
        td["containerDefinitions"] = [_container(c, network_mode) if isinstance(c, dict) else c for c in td["containerDefinitions"]]
    if isinstance(td.get("volumes"), list):
        td["volumes"] = [_volume(v) if isinstance(v, dict) else v for v in td["volumes"]]
    return _canonical_order(_prune(td))


def request_digest(td: dict) -> str:
    """A digest of what was asked for, in canonical form: equal meaning, equal digest.

    Kept in a tag on each revision the module registers, so that reuse does not depend on
    what ECS adds to its describe answer later (a new member, a new default).
    """
    canonical = json.dumps(normalize_task_definition(td), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalize_tags(tags) -> dict[str, str]:
    """``[{key, value}]`` (ECS spelling) or a plain dict -> ``{key: value}``."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): "" if v is None else str(v) for k, v in tags.items()}
    if not isinstance(tags, list) or not all(isinstance(t, dict) and "key" in t for t in tags):
        raise ValueError(f"tags must be a dict or a list of {{key, value}} items, got {tags!r}")
    return {str(t["key"]): "" if t.get("value") is None else str(t["value"]) for t in tags}


# --- comparison -----------------------------------------------------------------------------

def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _by_identity(items: list, pattern: tuple) -> dict | None:
    """Items keyed by identity, or None when identities repeat (then the list compares whole)."""
    keyed = {_identity(item, pattern): item for item in items}
    return keyed if len(keyed) == len(items) else None


def _keyed_list_diff(desired: list, current: list, pattern: tuple, prefix: str) -> list[str]:
    wanted, have = _by_identity(desired, pattern), _by_identity(current, pattern)
    if wanted is None or have is None:
        return [] if desired == current else [prefix]
    paths = []
    for identity in sorted(set(wanted) | set(have)):
        item_path = f"{prefix}[{identity}]"
        if identity not in wanted or identity not in have:
            paths.append(item_path)
        elif pattern in _DESCEND_INTO_ITEMS:
            paths.extend(_diff_paths(wanted[identity], have[identity], pattern, item_path))
        elif wanted[identity] != have[identity]:
            paths.append(item_path)
    return paths


def _diff_paths(desired, current, pattern: tuple, prefix: str) -> list[str]:
    if isinstance(desired, dict) and isinstance(current, dict):
        paths = []
        for key in set(desired) | set(current):
            paths.extend(_diff_paths(desired.get(key), current.get(key), pattern + (key,), _join(prefix, key)))
        return paths
    if pattern in _KEYED_LISTS and isinstance(desired or [], list) and isinstance(current or [], list):
        # an absent list is an empty one, so the first variable added is named too
        return _keyed_list_diff(desired or [], current or [], pattern, prefix)
    return [] if desired == current else [prefix]


def compare_task_definitions(desired: dict, current: dict) -> list[str]:
    """Sorted dotted paths of the fields that differ after normalisation; [] means reuse.

    List items are named by identity (container name, variable name), not position, so a
    path still names the same thing after an unrelated item is added.
    """
    return sorted(_diff_paths(normalize_task_definition(desired), normalize_task_definition(current), (), ""))


def _differing_containers(desired: list, current: list) -> tuple[list, list]:
    pattern = ("containerDefinitions",)
    wanted = {_identity(c, pattern): c for c in desired}
    have = {_identity(c, pattern): c for c in current}
    changed = sorted(n for n in set(wanted) | set(have) if wanted.get(n) != have.get(n))
    return [have[n] for n in changed if n in have], [wanted[n] for n in changed if n in wanted]


def diff_for_ansible(desired_norm: dict, current_norm: dict) -> dict:
    """``{"before": current, "after": desired}`` cut down to what differs, for ``--diff``.

    Only top-level keys that differ are shown, and of the containers only those that changed,
    so a one-line change does not print the whole task definition.
    """
    before, after = {}, {}
    for key in sorted(set(desired_norm) | set(current_norm)):
        wanted, have = desired_norm.get(key), current_norm.get(key)
        if wanted == have:
            continue
        if key == "containerDefinitions" and isinstance(wanted, list) and isinstance(have, list):
            have, wanted = _differing_containers(wanted, have)
        if have is not None:
            before[key] = have
        if wanted is not None:
            after[key] = wanted
    return {"before": before, "after": after}
