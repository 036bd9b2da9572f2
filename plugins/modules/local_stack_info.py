#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_stack_info
short_description: Everything the local stack's role reads before it changes anything, in one module run
version_added: 0.4.0
description:
  - The local_stack role's one read-only look at the machine, so that a run with nothing to do costs one module run
    instead of three (fact gathering, a shell probe, an image lookup).
  - Says what the role's checks need of the host (RV(host)), namely its C(os-release) C(ID) and whether it is of the Debian
    family, the user the module runs as, and whether systemd manages it. No fact is set, since loading Ansible's fact
    collectors (every one of them comes with the package) would cost more than the rest of the look.
  - Says which of O(commands) are missing, which of O(daemons) run (by their pid files in O(state_dir), as
    C(start-stop-daemon --status) judges), and the mode and SHA-256 digest of each of O(files) in O(state_dir).
  - Asks the Docker engine for O(images); an engine that does not answer is reported (RV(engine.answers)), not a
    failure, so the role can start it.
  - With O(registry_login), and moto running, asks moto for the ECR login and says whether the registry's htpasswd
    file lets it in (RV(registry_login_current)), so that a run with nothing to do needs no module run for the login.
    The login itself is not returned.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  state_dir:
    description: The directory holding the daemons' pid files and the role's files.
    type: path
    required: true
  commands:
    description: Paths that must exist (the commands the stack runs).
    type: list
    elements: path
    default: []
  daemons:
    description: Names of the daemons started with a pid file C(<state_dir>/<name>.pid).
    type: list
    elements: str
    default: []
  files:
    description: Names of files in O(state_dir) (V(.) for the directory itself) whose mode and digest to report.
    type: list
    elements: str
    default: []
  images:
    description: Images (name or name:tag) to look up on the Docker engine.
    type: list
    elements: str
    default: []
  registry_login:
    description:
      - Where moto answers, and the htpasswd file (O(registry_login.users_file)) and bcrypt cost to check its ECR
        login against.
        Asked only when the daemon C(moto) of O(daemons) runs; any failure to ask is RV(registry_login_current=null).
    type: dict
    suboptions:
      endpoint_url:
        description: moto's URL.
        type: str
        required: true
      region:
        description: The region to ask.
        type: str
        required: true
      users_file:
        description: The registry's htpasswd file, its name in O(state_dir).
        type: str
        required: true
      cost:
        description: The bcrypt cost the file's hash must have.
        type: int
        required: true
extends_documentation_fragment:
  - devops.fargate.read_only
  - community.docker.docker.api_documentation
notes:
  - Uses community.docker's Docker API client; no Docker SDK for Python is needed.
"""

EXAMPLES = r"""
- name: Look at the machine before changing anything
  devops.fargate.local_stack_info:
    state_dir: /var/lib/devops-fargate/local-stack
    commands: [/usr/sbin/dockerd, /usr/bin/docker-registry]
    daemons: [moto, registry]
    files: [., moto.env, registry.yml, registry.htpasswd]
    images: [devops-fargate/python-base:bookworm]
  register: probe
"""

RETURN = r"""
host:
  description: What the role's checks need of the host.
  returned: always
  type: dict
  contains:
    os_id:
      description: C(ID) from C(/etc/os-release) (or C(/usr/lib/os-release)); empty when neither can be read.
      type: str
      sample: debian
    debian_family:
      description: Whether C(ID) or C(ID_LIKE) names Debian or Ubuntu (Ansible's C(os_family) V(Debian)).
      type: bool
      sample: true
    uid:
      description: The effective user id the module runs as.
      type: int
      sample: 0
    systemd:
      description: Whether systemd manages the host (C(/run/systemd/system) is a directory, as C(sd_booted) checks).
      type: bool
      sample: false
missing_commands:
  description: The O(commands) that do not exist.
  returned: always
  type: list
  elements: str
  sample: [/usr/bin/mmdebstrap]
running:
  description: For each of O(daemons), whether the process its pid file names runs.
  returned: always
  type: dict
  sample: {moto: true, registry: false}
files:
  description:
    - For each of O(files), its C(mode) as C(ls -l) shows it and the C(sha256) of a regular file's content; both
      V(null) for a file that does not exist.
  returned: always
  type: dict
  sample: {moto.env: {mode: "-rw-r-----", sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
engine:
  description: The Docker engine's answer.
  returned: always
  type: dict
  contains:
    answers:
      description: Whether the engine answered.
      type: bool
      sample: true
    error:
      description: Why it did not, else V(null).
      type: str
      sample: "the Docker engine at unix:///var/run/docker.sock does not answer: Error connecting: ..."
    images:
      description: The O(images) it has, as M(community.docker.docker_image_info) returns them.
      type: list
      elements: dict
registry_login_current:
  description:
    - Whether the htpasswd file of O(registry_login) holds moto's current ECR login at the wanted cost; null when not
      asked, when moto does not run, or when it could not be asked.
  returned: always
  type: bool
  sample: true
"""

import hashlib
import os
import platform
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.community.docker.plugins.module_utils._api.errors import DockerException
from ansible_collections.community.docker.plugins.module_utils._api.errors import NotFound
from ansible_collections.community.docker.plugins.module_utils.common_api import AnsibleDockerClientBase
from ansible_collections.community.docker.plugins.module_utils.common_api import RequestException
from ansible_collections.community.docker.plugins.module_utils.common_api import DOCKER_COMMON_ARGS
from ansible_collections.community.docker.plugins.module_utils.common_api import DOCKER_MUTUALLY_EXCLUSIVE
from ansible_collections.community.docker.plugins.module_utils.common_api import DOCKER_REQUIRED_TOGETHER
from ansible_collections.community.docker.plugins.module_utils.util import DEFAULT_DOCKER_HOST
from ansible_collections.devops.fargate.plugins.module_utils.htpasswd import htpasswd_ok
from ansible_collections.devops.fargate.plugins.module_utils.registry import decode_authorization_token

DEBIAN_FAMILY = {"debian", "ubuntu"}


class EngineUnreachable(Exception):
    pass


class EngineClient(AnsibleDockerClientBase):
    """community.docker's API client on this module's arguments, whose failures are raised, not reported: an engine
    that does not answer is a finding here."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        super().__init__()

    def fail(self, msg, **kwargs):
        raise EngineUnreachable(msg)

    def _get_params(self):
        return self.module.params


def pid_alive(pid_file: str) -> bool:
    """Whether the process a pid file names exists (start-stop-daemon --status's 0); a missing or unreadable file, or a
    dead process, is False."""
    try:
        with open(pid_file, encoding="ascii") as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def file_state(path: str) -> dict:
    """A file's ls-style mode and, for a regular file, the SHA-256 of its content; both None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {"mode": None, "sha256": None}
    digest = None
    if stat.S_ISREG(st.st_mode):
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    return {"mode": stat.filemode(st.st_mode), "sha256": digest}


def host(os_release: dict | None = None) -> dict:
    """What the role's checks need of the host; ``os_release`` as platform.freedesktop_os_release() returns it (read
    here when not given)."""
    if os_release is None:
        try:
            os_release = platform.freedesktop_os_release()
        except OSError:
            os_release = {}
    names = {os_release.get("ID", "")} | set(os_release.get("ID_LIKE", "").split())
    return {
        "os_id": os_release.get("ID", ""),
        "debian_family": bool(names & DEBIAN_FAMILY),
        "uid": os.geteuid(),
        "systemd": os.path.isdir("/run/systemd/system"),
    }


def engine(module: AnsibleModule, images: list[str]) -> dict:
    try:
        client = EngineClient(module)
        found = []
        for name in images:
            try:
                found.append(client.get_json("/images/{0}/json", name))
            except NotFound:
                continue
        return {"answers": True, "error": None, "images": found}
    except (EngineUnreachable, DockerException, RequestException) as e:
        address = AnsibleDockerClientBase._get_value("docker_host", module.params["docker_host"], "DOCKER_HOST", DEFAULT_DOCKER_HOST)
        return {"answers": False, "error": f"the Docker engine at {address} does not answer: {e}", "images": []}


def registry_login_current(spec: dict | None, state_dir: str, moto_running: bool) -> bool | None:
    """Whether the htpasswd file holds moto's ECR login, or None when that cannot be told here (the role then asks
    moto with devops.fargate.ecr_auth_token_info, whose failure names the problem)."""
    if not spec or not moto_running:
        return None
    try:
        import botocore.config  # pylint: disable=import-outside-toplevel
        import botocore.session  # pylint: disable=import-outside-toplevel

        client = botocore.session.get_session().create_client(
            "ecr", region_name=spec["region"], endpoint_url=spec["endpoint_url"], aws_access_key_id="testing", aws_secret_access_key="testing",
            config=botocore.config.Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 1}))
        token = client.get_authorization_token()["authorizationData"][0]["authorizationToken"]
        username, password = decode_authorization_token(token)
        with open(os.path.join(state_dir, spec["users_file"]), encoding="utf-8") as handle:
            return htpasswd_ok(handle.read(), username, password, spec["cost"])
    except Exception:  # pylint: disable=broad-exception-caught  # unknown here: the role's own task asks and says why
        return None


def main() -> None:
    argument_spec = dict(DOCKER_COMMON_ARGS)
    argument_spec.update(
        state_dir=dict(type="path", required=True),
        commands=dict(type="list", elements="path", default=[]),
        daemons=dict(type="list", elements="str", default=[]),
        files=dict(type="list", elements="str", default=[]),
        images=dict(type="list", elements="str", default=[]),
        registry_login=dict(type="dict", options=dict(
            endpoint_url=dict(type="str", required=True),
            region=dict(type="str", required=True),
            users_file=dict(type="str", required=True),
            cost=dict(type="int", required=True),
        )),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           mutually_exclusive=DOCKER_MUTUALLY_EXCLUSIVE, required_together=DOCKER_REQUIRED_TOGETHER)
    params = module.params
    state_dir = params["state_dir"]
    running = {name: pid_alive(os.path.join(state_dir, f"{name}.pid")) for name in params["daemons"]}
    module.exit_json(
        changed=False,
        host=host(),
        missing_commands=[path for path in params["commands"] if not os.path.exists(path)],
        running=running,
        registry_login_current=registry_login_current(params["registry_login"], state_dir, running.get("moto", False)),
        files={name: file_state(os.path.normpath(os.path.join(state_dir, name))) for name in params["files"]},
        engine=engine(module, params["images"]),
    )


if __name__ == "__main__":
    main()
