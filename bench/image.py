#!/usr/bin/env python3
"""Image figures: uncompressed size and layers on the local base, cold and warm build times,
and what a one-line app change rebuilds.

Usage: .venv/bin/python bench/image.py   (after `make stack` and `make wheelhouse`)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import docker

REPO = Path(__file__).resolve().parents[1]
BASE = "devops-fargate/python-base:bookworm"
TARGET_MB = 100


def build(client, context: Path, tag: str, nocache: bool) -> tuple[float, object]:
    start = time.monotonic()
    image, _logs = client.images.build(
        path=str(context),
        dockerfile="deployments/Dockerfile",
        tag=tag,
        nocache=nocache,
        rm=True,
        pull=False,
        buildargs={"BASE_IMAGE": BASE, "VERSION": "bench", "REVISION": "bench", "CREATED": "2026-01-01T00:00:00Z"},
    )
    return time.monotonic() - start, image


def main() -> None:
    client = docker.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        context = Path(tmp) / "ctx"
        files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")
        for name in filter(None, files):
            if (REPO / name).is_file():
                (context / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO / name, context / name)
        shutil.copytree(REPO / "app" / "wheelhouse", context / "app" / "wheelhouse")

        cold, image = build(client, context, "bench/fargate-demo:cold", nocache=True)
        warm, warm_image = build(client, context, "bench/fargate-demo:warm", nocache=False)
        views = context / "app" / "webapp" / "views.py"
        views.write_text(views.read_text() + "\n# bench: one-line change\n")
        changed, changed_image = build(client, context, "bench/fargate-demo:changed", nocache=False)

    layers = image.attrs["RootFS"]["Layers"]
    new_layers = [layer for layer in changed_image.attrs["RootFS"]["Layers"] if layer not in layers]
    newest_layer = next(entry["Size"] for entry in changed_image.history() if entry["Size"] > 0)
    size_mb = image.attrs["Size"] / 1e6
    base_mb = client.images.get(BASE).attrs["Size"] / 1e6
    rows = [
        ("base image (debootstrap, trimmed)", f"{base_mb:.1f} MB"),
        ("image, uncompressed", f"{size_mb:.1f} MB (target <= {TARGET_MB} MB: {'met' if size_mb <= TARGET_MB else 'MISSED'})"),
        ("filesystem layers", str(len(layers))),
        ("cold build (no cache)", f"{cold:.1f} s"),
        ("warm build (nothing changed)", f"{warm:.2f} s, same image: {warm_image.id == image.id}"),
        ("one-line app change: rebuild", f"{changed:.2f} s"),
        ("one-line app change: new layers", f"{len(new_layers)} of {len(layers)}"),
        ("one-line app change: new layer size", f"{newest_layer / 1e3:.1f} kB"),
    ]
    for tag in ("cold", "warm", "changed"):
        client.images.remove(f"bench/fargate-demo:{tag}", force=True)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
