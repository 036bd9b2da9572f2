#!/usr/bin/env bash
# Download the hash-locked wheels of app/requirements.txt into app/wheelhouse/
# so that deployments/Dockerfile installs them with no network access.
#
# Usage: scripts/wheelhouse.sh            (from anywhere in the repo)
#   PYTHON        interpreter whose pip downloads (default: .venv/bin/python)
#   PLATFORM      target image platform, linux/amd64 or linux/arm64 (the image role's image_platform)
#   WHEEL_ARCH    target CPU, x86_64 or aarch64 (also amd64, arm64); default: PLATFORM's, else the
#                 Docker engine's (`docker info`, which builds the image), else this machine's
#
# Idempotent: app/wheelhouse/.requirements.sha256 holds the sha256 of the
# requirements file the wheelhouse was built from (.platform the wheel
# platform); when both match, the run does nothing.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

python=${PYTHON:-.venv/bin/python}
engine_arch() { docker info --format '{{.Architecture}}' 2>/dev/null || uname -m; }
arch=${WHEEL_ARCH:-${PLATFORM:+${PLATFORM#*/}}}
arch=${arch:-$(engine_arch)}
arch=${arch%%/*}
requirements=app/requirements.txt
wheelhouse=app/wheelhouse
stamp=$wheelhouse/.requirements.sha256
platform_stamp=$wheelhouse/.platform

case $arch in
  x86_64 | aarch64) ;;
  amd64) arch=x86_64 ;;
  arm64) arch=aarch64 ;;
  *) echo "wheelhouse.sh: unsupported WHEEL_ARCH '$arch' (x86_64 or aarch64)" >&2; exit 2 ;;
esac

# The images run CPython 3.11 on Debian bookworm (glibc 2.36); manylinux2014
# is glibc 2.17, which every wheel pinned here is published for.
platform=manylinux2014_$arch
digest=$(sha256sum "$requirements" | cut -d' ' -f1)

if [[ -f $stamp && -f $platform_stamp && $(<"$stamp") == "$digest" && $(<"$platform_stamp") == "$platform" ]]; then
  echo "wheelhouse.sh: $wheelhouse is up to date"
  exit 0
fi

# Start clean so wheels of previous pins or another CPU do not linger.
rm -rf "$wheelhouse"
mkdir -p "$wheelhouse"

"$python" -m pip download \
  --disable-pip-version-check \
  --require-hashes \
  --only-binary=:all: \
  --no-deps \
  --implementation cp \
  --python-version 3.11 \
  --abi cp311 \
  --platform "$platform" \
  --dest "$wheelhouse" \
  --requirement "$requirements"

printf '%s\n' "$platform" >"$platform_stamp"
# Written last: an interrupted download leaves no stamp and is redone.
printf '%s\n' "$digest" >"$stamp"
echo "wheelhouse.sh: downloaded $(find "$wheelhouse" -name '*.whl' | wc -l) wheels for $platform into $wheelhouse"
