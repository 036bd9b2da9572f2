from __future__ import annotations

import hashlib
import json

import pytest

from ansible_collections.devops.fargate.plugins.module_utils.registry import RegistryError
from ansible_collections.devops.fargate.plugins.module_utils.registry import describe_references
from ansible_collections.devops.fargate.plugins.module_utils.registry import ecs_cpu_architecture
from ansible_collections.devops.fargate.plugins.module_utils.registry import pick_ecs_architecture
from ansible_collections.devops.fargate.plugins.module_utils.registry import retag
from ansible_collections.devops.fargate.plugins.module_utils.registry import wheel_platform

API = "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2"
V2 = "application/vnd.docker.distribution.manifest.v2+json"
INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG = b'{"architecture":"arm64","os":"linux","config":{"Labels":{"org.opencontainers.image.version":"v1.4.0"}}}'
CONFIG_DIGEST = "sha256:" + hashlib.sha256(CONFIG).hexdigest()
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": V2, "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                       "digest": CONFIG_DIGEST, "size": len(CONFIG)}, "layers": []}, indent=3).encode()
DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()


class Registry:
    """A v2 registry's answers by URL, as ECR gives them (blobs redirected to S3)."""

    def __init__(self, tags: dict):
        self.manifests = {DIGEST: MANIFEST, **{tag: MANIFEST for tag in tags}}
        self.calls: list[tuple[str, str, dict]] = []

    def __call__(self, method, url, headers, body):
        self.calls.append((method, url, headers))
        ref = url.rsplit("/", 1)[1]
        if "/blobs/" in url:
            return 307, {"Location": "https://s3.example/blob?X-Amz-Signature=x"}, b""
        if url.startswith("https://s3.example/"):
            return (400, {}, b"") if "Authorization" in headers else (200, {}, CONFIG)
        if method == "PUT":
            self.manifests[ref] = body
            return 201, {"Docker-Content-Digest": "sha256:" + hashlib.sha256(body).hexdigest()}, b""
        if ref in self.manifests:
            data = self.manifests[ref]
            return 200, {"Content-Type": V2, "docker-content-digest": "sha256:" + hashlib.sha256(data).hexdigest()}, data
        return 404, {}, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'


AUTH = {"Authorization": "Basic QVdTOnRva2Vu"}


def test_describe_references_finds_the_tag_its_digest_and_architecture():
    registry = Registry({"v1.4.0": None})
    result = describe_references(registry, API, "fargate-demo", ["v1.4.0", "latest"], AUTH, "v1.4.0")
    assert list(result["found"]) == ["v1.4.0"]
    assert result["found"]["v1.4.0"]["digest"] == DIGEST
    assert result["image"]["architectures"] == ["arm64"]
    assert result["image"]["labels"]["org.opencontainers.image.version"] == "v1.4.0"
    # Three requests: two manifests and the config, which followed S3's redirect without the registry's credential.
    assert [c[0] for c in registry.calls] == ["GET"] * 4
    assert registry.calls[-1][2] == {}


def test_describe_references_by_digest_and_nothing_found():
    assert describe_references(Registry({}), API, "r", [DIGEST], AUTH, None)["found"][DIGEST]["digest"] == DIGEST
    assert describe_references(Registry({}), API, "r", ["v9"], AUTH, "v9") == {"found": {}, "image": None}


def test_describe_references_reports_a_registry_error():
    with pytest.raises(RegistryError, match="answered 401"):
        describe_references(lambda *a: (401, {}, b""), API, "r", ["v1"], AUTH, None)


def test_an_index_lists_its_platforms():
    index = json.dumps({"mediaType": INDEX, "manifests": [
        {"digest": "sha256:" + "a" * 64, "platform": {"architecture": "amd64", "os": "linux"}},
        {"digest": "sha256:" + "b" * 64, "platform": {"architecture": "arm64", "os": "linux"}},
        {"digest": "sha256:" + "c" * 64, "platform": {"architecture": "unknown", "os": "unknown"}},
    ]}).encode()

    def fetch(_method, _url, _headers, _body):
        return 200, {"Content-Type": INDEX, "Docker-Content-Digest": "sha256:" + "d" * 64}, index

    image = describe_references(fetch, API, "r", ["v2"], AUTH, "v2")["image"]
    assert image["architectures"] == ["amd64", "arm64"] and image["digest"] == "sha256:" + "d" * 64


def test_retag_puts_the_same_bytes_under_the_tags_that_differ():
    registry = Registry({"v1.4.0": None, "latest": None})
    registry.manifests["production"] = b'{"other": 1}'
    result = retag(registry, API, "fargate-demo", "v1.4.0", ["latest", "production", "staging"], AUTH)
    before = {"production": "sha256:" + hashlib.sha256(b'{"other": 1}').hexdigest(), "staging": None}
    assert result == {"digest": DIGEST, "tagged": ["production", "staging"], "before": before}
    assert registry.manifests["production"] == MANIFEST and registry.manifests["staging"] == MANIFEST
    put = [c for c in registry.calls if c[0] == "PUT"]
    assert [c[2]["Content-Type"] for c in put] == [V2, V2]


def test_retag_in_check_mode_writes_nothing_and_a_second_run_moves_nothing():
    registry = Registry({"v1.4.0": None})
    assert retag(registry, API, "r", DIGEST, ["latest"], AUTH, check_mode=True)["tagged"] == ["latest"]
    assert "latest" not in registry.manifests
    retag(registry, API, "r", DIGEST, ["latest"], AUTH)
    assert retag(registry, API, "r", DIGEST, ["latest"], AUTH)["tagged"] == []


def test_retag_of_an_image_the_registry_lacks_fails():
    with pytest.raises(RegistryError, match="has no image v9"):
        retag(Registry({}), API, "r", "v9", ["latest"], AUTH)


@pytest.mark.parametrize("name, ecs, wheel", [
    ("amd64", "X86_64", "manylinux2014_x86_64"),
    ("x86_64", "X86_64", "manylinux2014_x86_64"),
    ("X86_64", "X86_64", "manylinux2014_x86_64"),
    ("arm64", "ARM64", "manylinux2014_aarch64"),
    ("aarch64", "ARM64", "manylinux2014_aarch64"),
    ("ARM64", "ARM64", "manylinux2014_aarch64"),
    ("linux/arm64/v8", "ARM64", "manylinux2014_aarch64"),
    ("linux/amd64", "X86_64", "manylinux2014_x86_64"),
])
def test_architecture_names(name, ecs, wheel):
    assert ecs_cpu_architecture(name) == ecs
    assert wheel_platform(name) == wheel


@pytest.mark.parametrize("name", ["", "s390x", "linux/386"])
def test_unknown_architecture(name):
    with pytest.raises(ValueError, match="unsupported architecture"):
        ecs_cpu_architecture(name)


@pytest.mark.parametrize("architectures, wanted, expected", [
    (["arm64"], None, "ARM64"),
    (["amd64", "arm64"], None, "X86_64"),
    (["amd64", "arm64"], "ARM64", "ARM64"),
    (["arm64"], "X86_64", "ARM64"),
    (["s390x"], None, None),
])
def test_pick_ecs_architecture(architectures, wanted, expected):
    assert pick_ecs_architecture(architectures, wanted) == expected
