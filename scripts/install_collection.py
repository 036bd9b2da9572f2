#!/usr/bin/env python3
"""Build the collection's artifact and install it as a user would, into ROOT/ansible_collections.

    scripts/install_collection.py ROOT [--link-deps]

``ansible-galaxy collection build`` makes the artifact (galaxy.yml's build_ignore decides what is in it), and
``ansible-galaxy collection install --offline`` installs it, checking its dependencies against the collections this
Ansible already has (the ``ansible`` package's bundle): a range in galaxy.yml that they do not satisfy fails here.
Both run outside the checkout, so that the project's ansible.cfg (whose collections_path holds the checkout itself)
plays no part.

``--link-deps`` links the dependencies, transitively, next to the installed collection: ansible-test sets
ANSIBLE_COLLECTIONS_PATH to ROOT alone. Prints the installed collection's directory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"install_collection: {message}", file=sys.stderr)


def galaxy(*args: str, cwd: Path, collections_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS")}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections_path)
    process = subprocess.run([str(BIN / "ansible-galaxy"), "collection", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if process.returncode:
        sys.exit(f"install_collection: ansible-galaxy collection {args[0]} failed:\n{process.stdout}{process.stderr}")


def install(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="collection-build-") as out:
        galaxy("build", "--force", "--output-path", out, str(REPO), cwd=Path(out), collections_path=root)
        (artifact,) = Path(out).glob("*.tar.gz")
        galaxy("install", "--offline", "--force", "-p", str(root), str(artifact), cwd=Path(out), collections_path=root)
    manifest = json.loads(next(root.glob("ansible_collections/*/*/MANIFEST.json")).read_text())["collection_info"]
    return root / "ansible_collections" / manifest["namespace"] / manifest["name"]


def link_dependencies(collection: Path) -> None:
    """Link each dependency (transitively) from where this Ansible finds it, next to ``collection``."""
    from ansible import constants as C  # pylint: disable=import-outside-toplevel

    root = collection.parents[2]
    search = [Path(p).expanduser() for p in C.COLLECTIONS_PATHS] + [Path(p) for p in sys.path if p]

    def find(fqcn: str) -> Path | None:
        for base in search:
            path = base / "ansible_collections" / Path(*fqcn.split("."))
            if path.is_dir() and path.resolve() != REPO.resolve() and not path.resolve().is_relative_to(root.resolve()):
                return path.resolve()
        return None

    queue = list(json.loads((collection / "MANIFEST.json").read_text())["collection_info"]["dependencies"])
    seen: set[str] = set()
    while queue:
        fqcn = queue.pop(0)
        if fqcn in seen:
            continue
        seen.add(fqcn)
        path = find(fqcn)
        if path is None:
            sys.exit(f"install_collection: dependency {fqcn} not found in {os.pathsep.join(map(str, search))}")
        link = root / "ansible_collections" / Path(*fqcn.split("."))
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(path)
        manifest = path / "MANIFEST.json"
        info = json.loads(manifest.read_text())["collection_info"] if manifest.exists() else yaml.safe_load((path / "galaxy.yml").read_text())
        queue += list(info.get("dependencies") or {})
        log(f"dependency {fqcn} {info.get('version')} -> {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("root", type=Path, help="installs into ROOT/ansible_collections")
    parser.add_argument("--link-deps", action="store_true", help="link the dependencies next to it, for ansible-test")
    args = parser.parse_args()
    collection = install(args.root.resolve())
    if args.link_deps:
        link_dependencies(collection)
    print(collection)


if __name__ == "__main__":
    main()
