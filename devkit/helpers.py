"""Helpers for tests that run ansible-playbook against a real moto server and read its state."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

# What counts as a write: any ECS/ECR/IAM/Logs/EC2 action not starting with a read verb.
_READ_VERBS = ("Describe", "List", "Get", "BatchGet", "BatchCheck")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    """A moto server of the test's own, so its state and API-call recording are the test's alone. ``stop()`` then
    ``start()`` brings it back on the same port with its state lost, as when the user's moto is restarted."""

    def __init__(self, env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)
        recording = tempfile.NamedTemporaryFile(prefix="moto-recording-", delete=False).name
        self.environment = dict(os.environ, MOTO_ECS_SERVICE_RUNNING="1", MOTO_IAM_LOAD_MANAGED_POLICIES="true", MOTO_RECORDER_FILEPATH=recording, **(env or {}))
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=self.environment,
        )
        wait_for(f"{self.url}/moto-api/", "moto server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _post(self, path: str) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.url}{path}", method="POST"), timeout=10).read()

    def start_recording(self) -> None:
        self._post("/moto-api/recorder/reset-recording")
        self._post("/moto-api/recorder/start-recording")

    def recorded_actions(self) -> list[str]:
        """The API actions made since start_recording, in order (e.g. ``ecs:DescribeServices``)."""
        self._post("/moto-api/recorder/stop-recording")
        text = urllib.request.urlopen(f"{self.url}/moto-api/recorder/download-recording", timeout=10).read().decode()
        actions = []
        for line in text.splitlines():
            if line.strip():
                actions.append(request_action(json.loads(line)))
        return [action for action in actions if action]

    def client(self, service: str):
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def wait_for(url: str, what: str, seconds: float = 30) -> None:
    """Until ``url`` answers (any HTTP status: a registry says 401 without credentials)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer on {url}")


# The login moto's ECR token decodes to (GetAuthorizationToken: "AWS:<account>-auth-token").
REGISTRY_LOGIN = ("AWS", "123456789012-auth-token")
# The manifest types a registry read accepts (Docker's v2 and OCI's).
MANIFEST_TYPES = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"


def write_htpasswd(path: Path) -> None:
    """The registry's htpasswd for moto's login, at bcrypt's lowest cost: the registry checks it on every request,
    and at the user's stack's cost (12) that is a second of CPU each, dozens a push."""
    import bcrypt  # pylint: disable=import-outside-toplevel

    user, password = REGISTRY_LOGIN
    path.write_text(f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}\n")

REGISTRY_CONFIG = """version: 0.1
log: {{level: warn}}
storage:
  filesystem: {{rootdirectory: {root}}}
  delete: {{enabled: true}}
http: {{addr: "127.0.0.1:{port}"}}
auth:
  htpasswd: {{realm: local-ecr, path: {htpasswd}}}
"""


class Registry:
    """A docker-registry (the ECR stand-in) of the tests' own, on a port of their own, whose one login is the one
    moto's ECR token decodes to, with storage that survives a kill."""

    def __init__(self) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.address}"
        self.dir = Path(tempfile.mkdtemp(prefix="test-registry-"))
        write_htpasswd(self.dir / "htpasswd")
        self.config = self.dir / "config.yml"
        self.config.write_text(REGISTRY_CONFIG.format(root=self.dir / "data", port=self.port, htpasswd=self.dir / "htpasswd"))
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        with open(self.dir / "registry.log", "ab") as log:
            self.process = subprocess.Popen(["/usr/bin/docker-registry", "serve", str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        wait_for(f"{self.url}/v2/", "registry")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def kill_command(self) -> str:
        return f"kill -KILL {self.process.pid}"

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def digest(self, repository: str, tag: str) -> str | None:
        """The manifest digest the registry serves for ``repository:tag``; None when it has no such tag (HTTP 404).
        A registry that does not answer raises."""
        auth = "Basic " + base64.b64encode(":".join(REGISTRY_LOGIN).encode()).decode()
        request = urllib.request.Request(
            f"{self.url}/v2/{repository}/manifests/{tag}", method="HEAD", headers={"Authorization": auth, "Accept": MANIFEST_TYPES}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.headers["Docker-Content-Digest"]
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise


def request_action(request: dict) -> str | None:
    headers = request.get("headers", {})
    credential = headers.get("Authorization", "").split("Credential=")[-1].split("/")
    service = credential[3] if len(credential) > 3 else "?"
    target = headers.get("X-Amz-Target")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    body = request.get("body") or ""
    if request.get("body_encoded"):
        body = base64.b64decode(body).decode(errors="replace")
    action = urllib.parse.parse_qs(body).get("Action")
    return f"{service}:{action[0]}" if action else None


def writes(actions: list[str]) -> list[str]:
    return [action for action in actions if not action.split(":", 1)[1].startswith(_READ_VERBS)]


def ansible_env(**extra: str) -> dict:
    """The environment ansible-playbook runs in for the tests: this venv, JSON reports, no colour; ``extra`` wins."""
    environment = dict(
        os.environ,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_CALLBACKS_ENABLED="ansible.posix.json",
        ANSIBLE_NOCOLOR="1",
        PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}",
    )
    environment.update(extra)
    return environment


def aws_defaults(endpoint: str) -> dict:
    defaults = {"endpoint_url": endpoint, "region": "us-east-1", "access_key": "testing", "secret_key": "testing"}
    # The collection's group extends amazon.aws's and community.aws's (meta/runtime.yml).
    return {"group/devops.fargate.aws": defaults}


def run_playbook(plays: list[dict], *args: str, env: dict | None = None, expect_failure: bool = False, timeout: int = 600) -> dict:
    """Run ansible-playbook on ``plays`` with the JSON callback; returns the parsed report."""
    # In tests/integration (galaxy.yml's build_ignore leaves these out, so a collection build beside never sees one go).
    with tempfile.NamedTemporaryFile("w", prefix="run-playbook-", suffix=".yml", dir=REPO / "tests" / "integration", delete=False) as handle:
        yaml.safe_dump(plays, handle, sort_keys=False)
        path = handle.name
    try:
        environment = ansible_env(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), **(env or {}))
        process = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}", path, *args],
            cwd=REPO,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        os.unlink(path)
    try:
        report = json.loads(process.stdout[process.stdout.index("{") :])
    except ValueError as e:
        raise AssertionError(f"no JSON report (rc={process.returncode}):\n{process.stdout}\n{process.stderr}") from e
    if expect_failure != (process.returncode != 0):
        raise AssertionError(
            f"ansible-playbook rc={process.returncode}, expected {'failure' if expect_failure else 'success'}:\n"
            f"{process.stdout[-4000:]}\n{process.stderr[-2000:]}"
        )
    report["rc"] = process.returncode
    return report


def task_result(report: dict, name: str) -> dict:
    """The result of the task called ``name`` on localhost, from the last play that ran it."""
    for play in reversed(report["plays"]):
        for task in reversed(play["tasks"]):
            if task["task"]["name"] == name:
                return task["hosts"]["localhost"]
    raise KeyError(name)


# --- deploy.yml on a copy of the project -------------------------------------------------------


def project_names(name: str, port: int) -> dict:
    """Extra vars that give a deploy.yml run names of its own (and a local port), apart from `make deploy`'s."""
    return {
        "image_name": name,
        "fargate_service_name": name,
        "fargate_cluster_name": name,
        "run_local_container_name": f"{name}-local",
        "run_local_port": port,
        "fargate_tags": {"service": name, "environment": "local"},
        "ecr_repository_tags": {"service": name, "environment": "local"},
    }


def copy_project(root: Path, extra_vars: dict, vars_file: str = "test-vars.yml", services: bool = False) -> Path:
    """A copy of the checkout (tracked and untracked, not ignored, files and the wheelhouse) with a git history of
    its own, so that a one-line change gets a new version; ``extra_vars`` go to its ``vars_file``, for ``-e @``.
    Its registry logins go to a Docker config of its own, beside the copy: not the user's ~/.docker, and not one that
    copies deploying at the same time (in other xdist workers) rewrite under each other."""
    # The AWS CLI play would install into the machine's /opt and write the local stack's profile: a test that wants it
    # turns it on with directories of its own (tests/e2e/test_awscli_local.py).
    # The local inventory's worker service and its migration on the local engine: a test that wants them asks
    # (``services``, tests/e2e/test_pipeline.py; or sets them, tests/reliability/test_services.py); the others deploy
    # the one service their assertions name.
    one_service = {} if services else {"fargate_services": [], "fargate_pre_deploy_task": {}, "fargate_pre_deploy_engine": "ecs"}
    extra_vars = {"ecr_docker_config_dir": str(root.parent / "docker-config"), "awscli_enabled": False, **one_service, **extra_vars}
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = REPO / name
        if source.is_symlink() or source.is_file():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    if (REPO / "app" / "wheelhouse").is_dir():
        shutil.copytree(REPO / "app" / "wheelhouse", root / "app" / "wheelhouse")
    (root / vars_file).write_text(yaml.safe_dump(extra_vars))
    git(root, "init", "-q")
    commit(root, "test: initial")
    return root


def git(root: Path, *args: str) -> str:
    env = dict(
        os.environ, GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.invalid", GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.invalid"
    )
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True).stdout.strip()


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def change_app(root: Path, line: str) -> str:
    """Commit a one-line change to the app; returns the new version (git describe)."""
    views = root / "app" / "webapp" / "views.py"
    views.write_text(views.read_text() + f"# {line}\n")
    commit(root, line)
    return git(root, "describe", "--tags", "--always", "--dirty")


def run_project(root: Path, playbook: str, *args: str, env: dict | None = None, check: bool = True, timeout: int = 900) -> dict:
    """ansible-playbook on the copy with the JSON callback; returns the report plus rc, output, the changed task
    names and the failure messages."""
    environment = ansible_env(**(env or {}))
    environment.pop("ANSIBLE_CONFIG", None)  # the copy's own ansible.cfg
    start = time.monotonic()
    process = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), playbook, "-i", "inventories/local", "-e", "@test-vars.yml", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    try:
        report = json.loads(process.stdout[process.stdout.index("{") :])
    except ValueError:
        report = {"plays": [], "stats": {}}
    report["seconds"] = time.monotonic() - start
    report["rc"] = process.returncode
    report["output"] = process.stdout[-6000:] + process.stderr[-3000:]
    report["full_output"] = process.stdout + process.stderr
    report["changed_tasks"] = [task["task"]["name"] for play in report["plays"] for task in play["tasks"] if task["hosts"].get("localhost", {}).get("changed")]
    report["failures"] = [
        task["hosts"]["localhost"].get("msg", "")
        for play in report["plays"]
        for task in play["tasks"]
        if task["hosts"].get("localhost", {}).get("failed") and not task["hosts"]["localhost"].get("ignore_errors")
    ]
    if check:
        assert process.returncode == 0, report["output"]
    return report
