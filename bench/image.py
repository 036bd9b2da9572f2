#!/usr/bin/env python3
"""Image figures: uncompressed size and layers on the local base, cold and warm build times,
and what a one-line app change rebuilds.

Usage: .venv/bin/python bench/image.py [--json PATH]   (after `make stack` and `make wheelhouse`)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import docker

from common import emit
from common import parse_args
from common import retry_docker

REPO = Path(__file__).resolve().parents[1]
BASE = "devops-fargate/python-base:bookworm"
BUILD_ARGS = {"BASE_IMAGE": BASE, "VERSION": "bench", "REVISION": "bench", "CREATED": "2026-01-01T00:00:00Z"}
TARGET_MB = 100


def copy_context(context: Path) -> Path:
    """The build context: the checkout's tracked files and the wheelhouse, copied so a script may edit them."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (context / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, context / name)
    shutil.copytree(REPO / "app" / "wheelhouse", context / "app" / "wheelhouse")
    return context


def build(client, context: Path, tag: str, nocache: bool) -> tuple[float, object]:
    start = time.monotonic()
    image, _logs = retry_docker(
        client.images.build, path=str(context), dockerfile="deployments/Dockerfile", tag=tag, nocache=nocache, rm=True, pull=False, buildargs=BUILD_ARGS
    )
    return time.monotonic() - start, image


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    client = docker.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        context = copy_context(Path(tmp) / "ctx")
        cold, image = build(client, context, "bench/fargate-demo:cold", nocache=True)
        warm, warm_image = build(client, context, "bench/fargate-demo:warm", nocache=False)
        views = context / "app" / "webapp" / "views.py"
        views.write_text(views.read_text() + "\n# bench: one-line change\n")
        changed, changed_image = build(client, context, "bench/fargate-demo:changed", nocache=False)

    layers = image.attrs["RootFS"]["Layers"]
    new_layers = [layer for layer in changed_image.attrs["RootFS"]["Layers"] if layer not in layers]
    newest_layer = next(entry["Size"] for entry in changed_image.history() if entry["Size"] > 0)
    size_mb = image.attrs["Size"] / 1e6
    base_mb = retry_docker(client.images.get, BASE).attrs["Size"] / 1e6
    for tag in ("cold", "warm", "changed"):
        retry_docker(client.images.remove, f"bench/fargate-demo:{tag}", force=True)

    rows = [
        {"name": "base image (mmdebstrap, trimmed)", "value": round(base_mb, 1), "unit": "MB"},
        {"name": "image, uncompressed", "value": round(size_mb, 1), "unit": "MB"},
        {"name": "filesystem layers", "value": len(layers), "unit": "layers"},
        {"name": "cold build (no cache)", "value": round(cold, 1), "unit": "s"},
        {"name": "warm build (nothing changed)", "value": round(warm, 2), "unit": "s", "same image": "yes" if warm_image.id == image.id else "no"},
        {"name": "one-line app change: rebuild", "value": round(changed, 2), "unit": "s"},
        {"name": "one-line app change: new layers", "value": len(new_layers), "unit": f"of {len(layers)}"},
        {"name": "one-line app change: new layer size", "value": round(newest_layer / 1e3, 1), "unit": "kB"},
    ]
    targets = [{"target": f"image size <= {TARGET_MB} MB", "figure": f"{size_mb:.1f} MB", "met": size_mb <= TARGET_MB}]
    emit("Image: size, layers and build times", rows, targets, args.json)


if __name__ == "__main__":
    main()
