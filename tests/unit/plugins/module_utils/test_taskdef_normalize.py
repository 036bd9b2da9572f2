"""One case per normalisation rule: the two spellings normalise equal, and a real change in
the same area is still reported by compare_task_definitions."""

from __future__ import annotations

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.taskdef import compare_task_definitions
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import normalize_task_definition

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-web:1.4.2"


def _web(**fields) -> dict:
    container = {"name": "web", "image": IMAGE}
    container.update(fields)
    return {k: v for k, v in container.items() if v is not None}


def _task(*containers, **fields) -> dict:
    td = {
        "family": "flask-web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": list(containers) or [_web()],
    }
    td.update(fields)
    return {k: v for k, v in td.items() if v is not None}


_HC = ["CMD", "curl", "-f", "http://localhost:8000/healthz"]
_EFS = {"fileSystemId": "fs-1", "transitEncryption": "ENABLED"}

# rule id -> (desired, the same meaning as ECS returns it, a real change, the paths it changes)
RULES = {
    "read-only fields and tags dropped": (
        _task(tags=[{"key": "app", "value": "web"}]),
        _task(taskDefinitionArn="arn:aws:ecs:eu-west-1:123456789012:task-definition/flask-web:3", revision=3, status="ACTIVE",
              requiresAttributes=[{"name": "ecs.capability.task-eni"}], compatibilities=["EC2", "FARGATE"],
              registeredAt="2025-01-01T00:00:00Z", registeredBy="arn:aws:iam::123456789012:role/ci",
              deregisteredAt="2025-02-01T00:00:00Z", tags=[{"key": "app", "value": "other"}]),
        _task(family="flask-api", revision=4),
        ["family"],
    ),
    "None, [] and {} equal absent": (
        _task(_web(environment=None, dockerLabels={}), volumes=[]),
        _task(_web(environment=[], mountPoints=[], volumesFrom=[], systemControls=[], portMappings=[], dockerLabels={},
                   logConfiguration=None, linuxParameters={"capabilities": {"add": [], "drop": []}}),
              placementConstraints=[], volumes=[], pidMode=None),
        _task(_web(environment=[{"name": "EMPTY", "value": ""}])),
        ["containerDefinitions[web].environment[EMPTY]"],
    ),
    "essential absent is true": (
        _task(_web()),
        _task(_web(essential=True)),
        _task(_web(essential=False)),
        ["containerDefinitions[web].essential"],
    ),
    "port protocol absent is tcp": (
        _task(_web(portMappings=[{"containerPort": 8000, "hostPort": 8000}])),
        _task(_web(portMappings=[{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}])),
        _task(_web(portMappings=[{"containerPort": 8000, "hostPort": 8000, "protocol": "udp"}])),
        ["containerDefinitions[web].portMappings[8000/tcp]", "containerDefinitions[web].portMappings[8000/udp]"],
    ),
    "awsvpc hostPort absent is containerPort": (
        _task(_web(portMappings=[{"containerPort": 8000}])),
        _task(_web(portMappings=[{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}])),
        _task(_web(portMappings=[{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp", "appProtocol": "http"}])),
        ["containerDefinitions[web].portMappings[8000/tcp]"],
    ),
    "container cpu 0 is absent": (
        _task(_web()),
        _task(_web(cpu=0)),
        _task(_web(cpu=128)),
        ["containerDefinitions[web].cpu"],
    ),
    "container cpu and memory are ints": (
        _task(_web(cpu="128", memory="256", memoryReservation="128")),
        _task(_web(cpu=128, memory=256, memoryReservation=128)),
        _task(_web(cpu=128, memory=384, memoryReservation=128)),
        ["containerDefinitions[web].memory"],
    ),
    "health check defaults filled, startPeriod 0 dropped": (
        _task(_web(healthCheck={"command": _HC})),
        _task(_web(healthCheck={"command": _HC, "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0})),
        _task(_web(healthCheck={"command": _HC, "interval": 10, "timeout": 5, "retries": 3})),
        ["containerDefinitions[web].healthCheck.interval"],
    ),
    "task cpu and memory in any unit": (
        _task(cpu="0.25 vCPU", memory="1 GB"),
        _task(cpu="256", memory="1024"),
        _task(cpu="256", memory="2048"),
        ["memory"],
    ),
    "task cpu and memory as numbers": (
        _task(cpu=1024, memory=2048),
        _task(cpu="1024", memory="2048"),
        _task(cpu="2048", memory="4096"),
        ["cpu", "memory"],
    ),
    "environment order": (
        _task(_web(environment=[{"name": "A", "value": "1"}, {"name": "LOG_LEVEL", "value": "info"}])),
        _task(_web(environment=[{"name": "LOG_LEVEL", "value": "info"}, {"name": "A", "value": "1"}])),
        _task(_web(environment=[{"name": "LOG_LEVEL", "value": "debug"}, {"name": "A", "value": "1"}])),
        ["containerDefinitions[web].environment[LOG_LEVEL]"],
    ),
    "secrets order": (
        _task(_web(secrets=[{"name": "A", "valueFrom": "arn:a"}, {"name": "B", "valueFrom": "arn:b"}])),
        _task(_web(secrets=[{"name": "B", "valueFrom": "arn:b"}, {"name": "A", "valueFrom": "arn:a"}])),
        _task(_web(secrets=[{"name": "B", "valueFrom": "arn:b2"}, {"name": "A", "valueFrom": "arn:a"}])),
        ["containerDefinitions[web].secrets[B]"],
    ),
    "log secretOptions order": (
        _task(_web(logConfiguration={"logDriver": "splunk", "secretOptions": [{"name": "a", "valueFrom": "x"}, {"name": "b", "valueFrom": "y"}]})),
        _task(_web(logConfiguration={"logDriver": "splunk", "secretOptions": [{"name": "b", "valueFrom": "y"}, {"name": "a", "valueFrom": "x"}]})),
        _task(_web(logConfiguration={"logDriver": "splunk", "secretOptions": [{"name": "b", "valueFrom": "z"}, {"name": "a", "valueFrom": "x"}]})),
        ["containerDefinitions[web].logConfiguration.secretOptions[b]"],
    ),
    "container order": (
        _task(_web(), _web(name="proxy", image="nginx:1.27")),
        _task(_web(name="proxy", image="nginx:1.27"), _web()),
        _task(_web(name="proxy", image="nginx:1.28"), _web()),
        ["containerDefinitions[proxy].image"],
    ),
    "volume order": (
        _task(volumes=[{"name": "a"}, {"name": "b", "efsVolumeConfiguration": _EFS}]),
        _task(volumes=[{"name": "b", "efsVolumeConfiguration": _EFS}, {"name": "a", "host": {}}]),
        _task(volumes=[{"name": "b", "efsVolumeConfiguration": dict(_EFS, fileSystemId="fs-2")}, {"name": "a"}]),
        ["volumes[b].efsVolumeConfiguration.fileSystemId"],
    ),
    "mount point order": (
        _task(_web(mountPoints=[{"sourceVolume": "a", "containerPath": "/a"}, {"sourceVolume": "b", "containerPath": "/b"}])),
        _task(_web(mountPoints=[{"sourceVolume": "b", "containerPath": "/b"}, {"sourceVolume": "a", "containerPath": "/a"}])),
        _task(_web(mountPoints=[{"sourceVolume": "b", "containerPath": "/b", "readOnly": True}, {"sourceVolume": "a", "containerPath": "/a"}])),
        ["containerDefinitions[web].mountPoints[b:/b]"],
    ),
    "readOnly false is absent": (
        _task(_web(mountPoints=[{"sourceVolume": "a", "containerPath": "/a"}], volumesFrom=[{"sourceContainer": "init"}])),
        _task(_web(mountPoints=[{"sourceVolume": "a", "containerPath": "/a", "readOnly": False}],
                   volumesFrom=[{"sourceContainer": "init", "readOnly": False}])),
        _task(_web(mountPoints=[{"sourceVolume": "a", "containerPath": "/a"}], volumesFrom=[{"sourceContainer": "init", "readOnly": True}])),
        ["containerDefinitions[web].volumesFrom[init]"],
    ),
    "port mapping order": (
        _task(_web(portMappings=[{"containerPort": 8000}, {"containerPort": 9000, "protocol": "udp"}])),
        _task(_web(portMappings=[{"containerPort": 9000, "hostPort": 9000, "protocol": "udp"}, {"containerPort": 8000, "hostPort": 8000}])),
        _task(_web(portMappings=[{"containerPort": 9001, "protocol": "udp"}, {"containerPort": 8000}])),
        ["containerDefinitions[web].portMappings[9000/udp]", "containerDefinitions[web].portMappings[9001/udp]"],
    ),
    "ulimit order": (
        _task(_web(ulimits=[{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}, {"name": "core", "softLimit": 0, "hardLimit": 0}])),
        _task(_web(ulimits=[{"name": "core", "softLimit": 0, "hardLimit": 0}, {"name": "nofile", "softLimit": 1024, "hardLimit": 4096}])),
        _task(_web(ulimits=[{"name": "core", "softLimit": 0, "hardLimit": 0}, {"name": "nofile", "softLimit": 4096, "hardLimit": 4096}])),
        ["containerDefinitions[web].ulimits[nofile]"],
    ),
    "extra host order": (
        _task(_web(extraHosts=[{"hostname": "db", "ipAddress": "10.0.0.5"}, {"hostname": "cache", "ipAddress": "10.0.0.6"}])),
        _task(_web(extraHosts=[{"hostname": "cache", "ipAddress": "10.0.0.6"}, {"hostname": "db", "ipAddress": "10.0.0.5"}])),
        _task(_web(extraHosts=[{"hostname": "cache", "ipAddress": "10.0.0.7"}, {"hostname": "db", "ipAddress": "10.0.0.5"}])),
        ["containerDefinitions[web].extraHosts[cache]"],
    ),
    "dependsOn order": (
        _task(_web(dependsOn=[{"containerName": "init", "condition": "SUCCESS"}, {"containerName": "proxy", "condition": "START"}])),
        _task(_web(dependsOn=[{"containerName": "proxy", "condition": "START"}, {"containerName": "init", "condition": "SUCCESS"}])),
        _task(_web(dependsOn=[{"containerName": "proxy", "condition": "HEALTHY"}, {"containerName": "init", "condition": "SUCCESS"}])),
        ["containerDefinitions[web].dependsOn[proxy]"],
    ),
    "systemControls order": (
        _task(_web(systemControls=[{"namespace": "net.core.somaxconn", "value": "1024"}, {"namespace": "net.ipv4.tcp_fin_timeout", "value": "15"}])),
        _task(_web(systemControls=[{"namespace": "net.ipv4.tcp_fin_timeout", "value": "15"}, {"namespace": "net.core.somaxconn", "value": "1024"}])),
        _task(_web(systemControls=[{"namespace": "net.ipv4.tcp_fin_timeout", "value": "15"}, {"namespace": "net.core.somaxconn", "value": "4096"}])),
        ["containerDefinitions[web].systemControls[net.core.somaxconn]"],
    ),
    "capabilities are sets": (
        _task(_web(linuxParameters={"capabilities": {"drop": ["NET_RAW", "ALL"]}})),
        _task(_web(linuxParameters={"capabilities": {"drop": ["ALL", "NET_RAW"]}, "initProcessEnabled": False})),
        _task(_web(linuxParameters={"capabilities": {"drop": ["NET_RAW"]}})),
        ["containerDefinitions[web].linuxParameters.capabilities.drop"],
    ),
    "requiresCompatibilities is a set": (
        _task(requiresCompatibilities=["FARGATE", "EC2"]),
        _task(requiresCompatibilities=["EC2", "FARGATE"]),
        _task(requiresCompatibilities=["FARGATE"]),
        ["requiresCompatibilities"],
    ),
    "networkMode absent on Fargate is awsvpc": (
        _task(networkMode=None),
        _task(networkMode="awsvpc"),
        _task(networkMode="bridge"),
        ["networkMode"],
    ),
    "runtimePlatform defaults are absent": (
        _task(),
        _task(runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}),
        _task(runtimePlatform={"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}),
        ["runtimePlatform"],
    ),
    "runtimePlatform keeps what differs from the defaults": (
        _task(runtimePlatform={"cpuArchitecture": "ARM64"}),
        _task(runtimePlatform={"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}),
        _task(runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}),
        ["runtimePlatform"],
    ),
    "ephemeralStorage 20 GiB is absent": (
        _task(),
        _task(ephemeralStorage={"sizeInGiB": 20}),
        _task(ephemeralStorage={"sizeInGiB": 21}),
        ["ephemeralStorage"],
    ),
    "enableFaultInjection false is absent": (
        _task(),
        _task(enableFaultInjection=False),
        _task(enableFaultInjection=True),
        ["enableFaultInjection"],
    ),
    "container flags false are absent": (
        _task(_web()),
        _task(_web(privileged=False, readonlyRootFilesystem=False, disableNetworking=False, interactive=False, pseudoTerminal=False)),
        _task(_web(readonlyRootFilesystem=True)),
        ["containerDefinitions[web].readonlyRootFilesystem"],
    ),
    "versionConsistency enabled is absent": (
        _task(_web()),
        _task(_web(versionConsistency="enabled")),
        _task(_web(versionConsistency="disabled")),
        ["containerDefinitions[web].versionConsistency"],
    ),
    "EFS rootDirectory / is absent": (
        _task(volumes=[{"name": "data", "efsVolumeConfiguration": _EFS}]),
        _task(volumes=[{"name": "data", "efsVolumeConfiguration": dict(_EFS, rootDirectory="/")}]),
        _task(volumes=[{"name": "data", "efsVolumeConfiguration": dict(_EFS, rootDirectory="/app")}]),
        ["volumes[data].efsVolumeConfiguration.rootDirectory"],
    ),
    "other fields pass through": (
        _task(_web(user="1000", stopTimeout=60), pidMode="task"),
        _task(_web(user="1000", stopTimeout=60), pidMode="task"),
        _task(_web(user="1001", stopTimeout=60, someFutureField=True), pidMode="task"),
        ["containerDefinitions[web].someFutureField", "containerDefinitions[web].user"],
    ),
}


@pytest.mark.parametrize("desired, same, _changed, _paths", RULES.values(), ids=list(RULES))
def test_normalize_task_definition_equal_meaning(desired, same, _changed, _paths):
    assert normalize_task_definition(desired) == normalize_task_definition(same)
    assert compare_task_definitions(desired, same) == []


@pytest.mark.parametrize("desired, _same, changed, paths", RULES.values(), ids=list(RULES))
def test_normalize_task_definition_keeps_real_changes(desired, _same, changed, paths):
    assert compare_task_definitions(desired, changed) == paths


ORDERED = {
    "command": (_web(command=["gunicorn", "-w", "2"]), _web(command=["-w", "2", "gunicorn"]), "containerDefinitions[web].command"),
    "entryPoint": (_web(entryPoint=["python", "-m"]), _web(entryPoint=["-m", "python"]), "containerDefinitions[web].entryPoint"),
    "healthCheck.command": (
        _web(healthCheck={"command": ["CMD", "true"]}),
        _web(healthCheck={"command": ["true", "CMD"]}),
        "containerDefinitions[web].healthCheck.command",
    ),
    "dnsServers": (_web(dnsServers=["10.0.0.2", "1.1.1.1"]), _web(dnsServers=["1.1.1.1", "10.0.0.2"]), "containerDefinitions[web].dnsServers"),
    "environmentFiles": (
        _web(environmentFiles=[{"type": "s3", "value": "arn:aws:s3:::b/base.env"}, {"type": "s3", "value": "arn:aws:s3:::b/prod.env"}]),
        _web(environmentFiles=[{"type": "s3", "value": "arn:aws:s3:::b/prod.env"}, {"type": "s3", "value": "arn:aws:s3:::b/base.env"}]),
        "containerDefinitions[web].environmentFiles",
    ),
}


@pytest.mark.parametrize("desired, reordered, path", ORDERED.values(), ids=list(ORDERED))
def test_normalize_task_definition_keeps_ordered_lists_ordered(desired, reordered, path):
    assert compare_task_definitions(_task(desired), _task(reordered)) == [path]


def test_normalize_task_definition_canonical_form():
    described = {
        "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/flask-web:1",
        "family": "flask-web",
        "revision": 1,
        "status": "ACTIVE",
        "compatibilities": ["EC2", "FARGATE"],
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "volumes": [],
        "placementConstraints": [],
        "containerDefinitions": [
            {
                "name": "web",
                "image": IMAGE,
                "cpu": 0,
                "essential": True,
                "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
                "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
                "mountPoints": [],
                "volumesFrom": [],
                "systemControls": [],
                "healthCheck": {"command": _HC, "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0},
            }
        ],
    }
    assert normalize_task_definition(described) == {
        "family": "flask-web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": 256,
        "memory": 512,
        "containerDefinitions": [
            {
                "name": "web",
                "image": IMAGE,
                "essential": True,
                "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
                "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "healthCheck": {"command": _HC, "interval": 30, "timeout": 5, "retries": 3},
            }
        ],
    }


def test_normalize_task_definition_does_not_touch_its_input():
    td = _task(_web(cpu=0, environment=[]))
    before = repr(td)
    normalize_task_definition(td)
    assert repr(td) == before


def test_normalize_task_definition_is_idempotent():
    td = _task(_web(portMappings=[{"containerPort": 8000}], healthCheck={"command": _HC}), cpu="0.25 vCPU", memory="0.5 GB")
    once = normalize_task_definition(td)
    assert normalize_task_definition(once) == once
