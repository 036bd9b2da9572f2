#!/usr/bin/env bash
# Trim a bootstrapped Debian bookworm rootfs into a small Python runtime
# base image. Expects the output of
#   mmdebstrap --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
#     --include=python3,python3-venv,ca-certificates bookworm ROOTFS
# (or the same from debootstrap --variant=minbase)
# and is meant to run on a copy, followed by the import:
#   trim-rootfs.sh ROOTFS
#   tar -C ROOTFS -c . | docker import \
#     --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
#     --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' \
#     - devops-fargate/python-base:bookworm
#
# The result still serves both stages of deployments/Dockerfile:
#   builder: python3 -m venv (ensurepip installs from /usr/share/python-wheels)
#   runtime: python3 with its full set of C extension dependencies, TLS
#            (libssl3, ca-certificates), groupadd/useradd (passwd), /bin/sh.
# Removed: apt and everything only it needs, perl and its users (debconf,
# adduser, init-system-helpers), util-linux/e2fsprogs/bsdutils, lib2to3,
# docs (copyright files kept), man/info pages, translations, gconv modules,
# Python's test suite/idlelib/pydoc_data, caches, lists and logs.
# The dpkg database stays accurate (packages are purged, not deleted), so
# image scanners see what is really installed.
#
# Idempotent: a second run has nothing left to purge or delete.
set -euo pipefail

usage() { echo "usage: ${0##*/} ROOTFS" >&2; exit 2; }
die() { echo "${0##*/}: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || usage
[[ $EUID -eq 0 ]] || die "must run as root (chroot, file ownership)"
[[ -d $1 ]] || die "ROOTFS '$1' is not a directory"
rootfs=$(cd "$1" && pwd -P)
[[ $rootfs != / ]] || die "refusing to trim the running system"
[[ -x $rootfs/usr/bin/python3 && -f $rootfs/var/lib/dpkg/status ]] \
  || die "'$rootfs' does not look like a bootstrapped rootfs with python3"

in_root() { chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

installed() {  # prints those of the given packages that are installed
  local pkg
  for pkg in "$@"; do
    # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
    if in_root dpkg-query -W -f '${db:Status-Status}\n' "$pkg" 2>/dev/null | grep -qx installed; then
      echo "$pkg"
    fi
  done
}

purge() {
  local -a present
  mapfile -t present < <(installed "$@")
  if [[ ${#present[@]} -gt 0 ]]; then
    echo "purging: ${present[*]}"
    # The forced removals warn about every broken dependency; only show that
    # output when dpkg fails.
    local output
    if ! output=$(in_root dpkg --purge --force-depends --force-remove-essential "${present[@]}" 2>&1); then
      printf '%s\n' "$output" >&2
      die "dpkg --purge failed"
    fi
  fi
}

# --- packages --------------------------------------------------------------
# Two rounds: maintainer scripts of the first round may still call perl,
# debconf or deb-systemd-helper, which go in the second.
purge \
  apt libapt-pkg6.0 libstdc++6 libseccomp2 gpgv debian-archive-keyring \
  libgnutls30 libhogweed6 libnettle8 libidn2-0 libunistring2 libp11-kit0 \
  libtasn1-6 libgcrypt20 libgpg-error0 liblz4-1 libxxhash0 \
  e2fsprogs libext2fs2 libss2 logsave \
  util-linux util-linux-extra mount libmount1 libblkid1 libsmartcols1 \
  bsdutils libsystemd0 libudev1 libcap2 \
  sysvinit-utils ncurses-bin python3-lib2to3
purge adduser init-system-helpers debconf perl-base

# --- files -----------------------------------------------------------------
shopt -s nullglob dotglob

# Documentation: keep each package's copyright file (license obligations).
find "$rootfs/usr/share/doc" -mindepth 1 \( -type f -o -type l \) ! -name copyright -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete

rm -rf \
  "$rootfs"/usr/share/{man,info,groff,lintian,linda,bug,bash-completion}/* \
  "$rootfs"/usr/share/locale/* \
  "$rootfs"/usr/lib/*-linux-gnu/gconv \
  "$rootfs"/usr/lib/python3.11/{test,idlelib,pydoc_data,lib2to3,turtledemo,tkinter} \
  "$rootfs"/etc/apt "$rootfs"/var/cache/apt "$rootfs"/var/lib/apt \
  "$rootfs"/var/cache/debconf "$rootfs"/var/cache/ldconfig/aux-cache \
  "$rootfs"/var/lib/dpkg/*-old \
  "$rootfs"/var/log/* \
  "$rootfs"/tmp/* "$rootfs"/var/tmp/* "$rootfs"/root/*

# The bootstrap copies the build host's resolver and name; Docker and ECS
# provide their own at run time.
: >"$rootfs/etc/resolv.conf"
echo localhost >"$rootfs/etc/hostname"

# Keep packages installed later (dpkg -i in a derived image) equally slim.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/01-trim-rootfs" <<'EOF'
# Written by trim-rootfs.sh: do not install what the image has stripped.
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/groff/*
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/linda/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/bash-completion/*
EOF

in_root ldconfig

# --- verification ------------------------------------------------------------
# Every remaining ELF file must resolve its shared libraries, and both image
# stages must work: venv with pip, TLS with the CA bundle, user creation.
in_root python3 - <<'EOF'
import os, subprocess, sys

missing = []
for top in ("/usr/bin", "/usr/sbin", "/usr/lib", "/usr/libexec"):
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                if handle.read(4) != b"\x7fELF":
                    continue
            out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
            missing += [f"{path}: {line.strip()}" for line in out.splitlines() if "not found" in line]
if missing:
    sys.exit("unresolved libraries:\n" + "\n".join(missing))

import bz2, ctypes, hashlib, lzma, sqlite3, ssl, uuid, zlib, zoneinfo  # noqa: E401,F401
ssl.create_default_context().load_verify_locations("/etc/ssl/certs/ca-certificates.crt")
EOF
for tool in groupadd useradd; do
  in_root sh -c "command -v $tool" >/dev/null || die "$tool is missing"
done
in_root sh -c 'set -e; python3 -m venv /tmp/trim-check; /tmp/trim-check/bin/pip --version >/dev/null; rm -rf /tmp/trim-check'

echo "trimmed $rootfs to $(du -sh --apparent-size "$rootfs" | cut -f1)"
