# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecr_push action: plan the repository, log in, ask the registry, then create or update the repository and push
only the tags the registry lacks, in one task. Documented in plugins/modules/ecr_push.py."""

from __future__ import annotations

import json
import os
import time

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.six.moves.urllib.error import HTTPError
from ansible.module_utils.urls import open_url
from ansible.plugins.action import ActionBase

from ansible_collections.devops.fargate.plugins.module_utils.registry import RegistryError
from ansible_collections.devops.fargate.plugins.module_utils.registry import basic_auth
from ansible_collections.devops.fargate.plugins.module_utils.registry import describe_references
from ansible_collections.devops.fargate.plugins.module_utils.registry import pick_ecs_architecture
from ansible_collections.devops.fargate.plugins.module_utils.registry_http import make_fetch
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import config_auth
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import login_record_name
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import login_state
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import protected_tags
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import sha256
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import split_auth
from ansible_collections.devops.fargate.plugins.plugin_utils.ecr_plan import tag_plan
from ansible_collections.devops.fargate.plugins.plugin_utils.in_process import execute_module
from ansible_collections.devops.fargate.plugins.test.docker_engine_unreachable import docker_engine_unreachable

ARGUMENT_SPEC = dict(
    repository=dict(type="dict", required=True),
    image_tag=dict(type="str", required=True),
    extra_tags=dict(type="list", elements="str", default=[]),
    source_image=dict(type="str", default=""),
    source_pending=dict(type="bool", default=False),
    docker_host=dict(type="str", default="unix:///var/run/docker.sock"),
    registry_override=dict(type="str", default=""),
    registry_scheme=dict(type="str", default="https", choices=["http", "https"]),
    registry_timeout=dict(type="int", default=30),
    docker_config_dir=dict(type="path", default="~/.docker"),
    login_min_validity=dict(type="int", default=3600),
    promote_any_tag=dict(type="bool", default=False),
    lookup_only=dict(type="bool", default=False),
    known=dict(type="dict", default={}),
    variable_prefix=dict(type="str", default=""),
)
PLACEHOLDER_DIGEST = "sha256:" + "0" * 64


class Failed(Exception):
    """The action stops: ``msg`` says why; ``changed`` whether it wrote anything first."""

    def __init__(self, msg: str, changed: bool = False):
        super().__init__(msg)
        self.msg, self.changed = msg, changed


class _Refused(Failed):
    """The registry refused a reused login whose expiry is unknown: fetch a token and ask again."""


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        own = {key: value for key, value in self._task.args.items() if key in ARGUMENT_SPEC}
        validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(own)
        if validated.error_messages:
            return dict(result, failed=True, msg="; ".join(validated.error_messages))
        self._p, self._vars, self._changed = validated.validated_parameters, task_vars or {}, False
        # Every other option is the AWS connection's (module_defaults' group), passed on to the AWS modules.
        self._aws = {key: value for key, value in self._task.args.items() if key not in ARGUMENT_SPEC and value is not None}
        try:
            result.update(self._run())
        except Failed as e:
            result.update(failed=True, msg=e.msg, changed=self._changed or e.changed)
        return result

    # -- naming and sub-modules ----------------------------------------------------------------------------------

    def _name(self, option: str) -> str:
        """An option as its user knows it: the ecr role's variable (variable_prefix ecr_), or this action's option."""
        prefix = self._p["variable_prefix"]
        if option.startswith("repository."):
            return f"{prefix}repository_{option.split('.', 1)[1]}" if prefix else option
        return prefix + option

    def _module(self, name: str, args: dict, check: bool | None = None) -> dict:
        saved = self._task.check_mode
        if check is not None:
            self._task.check_mode = check
        try:
            answer = execute_module(self, module_name=name, module_args=args, task_vars=self._vars)
        finally:
            self._task.check_mode = saved
        answer.pop("invocation", None)
        return answer

    # -- the steps -----------------------------------------------------------------------------------------------

    def _run(self) -> dict:
        p = self._p
        repository = {key: value for key, value in p["repository"].items() if value is not None}
        name = repository.get("name") or ""
        tags = list(dict.fromkeys([p["image_tag"]] + p["extra_tags"]))
        key = [p["registry_override"], name] + tags
        known = p["known"] if p["known"].get("key") == key else {}

        plan = known.get("plan") or self._plan(repository)
        mutability = plan["repository"].get("image_tag_mutability")
        exclusion = plan["repository"].get("image_tag_mutability_exclusion_filters") or []
        self._check_moving_tags(tags, name, mutability, exclusion)
        login = self._login(plan["repository"]["repository_uri"], repository.get("registry_id"), known.get("login"))
        uri = f"{login['registry']}/{name}"
        remote = known.get("remote")
        if not remote:
            try:
                remote = self._registry_state(login, name, tags)
            except _Refused:  # a reused login of unknown expiry, refused: a new token, and the read once more
                login = self._login(plan["repository"]["repository_uri"], repository.get("registry_id"), None, refresh=True)
                remote = self._registry_state(login, name, tags)
        common = {"key": key, "plan": plan, "remote": remote, "registry": login["registry"], "repository_uri": uri,
                  "login": {k: login[k] for k in ("registry", "username", "auth_sha256", "fetched", "logged_in", "recorded")}}
        rules = {"tags": tags, "image_tag": p["image_tag"], "remote": remote["found"], "remote_image": remote["image"], "repository_uri": uri,
                 "mutability": mutability, "exclusion_filters": exclusion, "promote_any_tag": p["promote_any_tag"]}
        if p["lookup_only"]:
            found = tag_plan(dict(rules, source_image=""))["found_image"]
            return dict(common, changed=self._changed, found_image=found)

        pending = p["source_pending"] and not p["source_image"]
        image = self._source_image() if p["source_image"] else {}
        push = tag_plan(dict(rules, source_image=p["source_image"] or ("(not built yet)" if pending else ""), image=image))
        self._check_source(image, push, uri, pending, mutability)
        repository_arn, repository_diff = self._apply(repository, plan)
        digest, pushed, retagged = self._push(login, name, uri, image, push)
        result = dict(
            common, changed=self._changed, repository_arn=repository_arn, tags=tags, digest=digest,
            image_uri=f"{uri}@{digest}" if digest else "", pushed_tags=pushed, retagged=retagged,
            current_tags=push["current"], promoted=push["promoted"], found_image=push["found_image"],
        )
        if self._task.diff:
            moved = pushed + retagged
            tags_diff = {"before_header": f"{uri} tags", "after_header": f"{uri} tags",
                         "before": {tag: push["remote_digest"].get(tag, "(none)") for tag in moved},
                         "after": {tag: digest or "(the pushed image)" for tag in moved}}
            result["diff"] = [d for d in (repository_diff, tags_diff if moved else None) if d]
        return result

    def _plan(self, repository: dict) -> dict:
        """ecr_repository in check mode: every setting validated and compared with the repository, nothing written."""
        plan = self._module("devops.fargate.ecr_repository", dict(repository, **self._aws), check=True)
        if "repository" not in plan:
            names = f"{self._name('repository.*')}, {self._p['variable_prefix']}lifecycle_*" if self._p["variable_prefix"] else "repository"
            raise Failed(f"repository {repository.get('name')} ({names}): {plan.get('msg', 'no answer')}")
        return {"repository": plan["repository"], "created": bool(plan.get("created")), "changes": plan.get("changes") or []}

    def _check_moving_tags(self, tags: list[str], name: str, mutability: str, exclusion: list[str]) -> None:
        """ECR's immutability covers every tag: a moving tag could be pushed once, never again."""
        protected = protected_tags(tags, mutability, exclusion)
        stuck = [tag for tag in tags[1:] if tag in protected]  # tags[0] is the version's, which must not move
        if stuck:
            raise Failed(
                f"{self._name('extra_tags')} {', '.join(stuck)} cannot move in repository {name}: its tag mutability is {mutability}, "
                "which ECR applies to every tag not excluded, so such a tag could be pushed once and never again. "
                f"Set {self._name('repository.image_tag_mutability')} to IMMUTABLE_WITH_EXCLUSION (its exclusion filters default to "
                f"{self._name('extra_tags')}), or MUTABLE, or drop the moving tags.")

    def _login(self, repository_uri: str, registry_id: str | None, known: dict | None, refresh: bool = False) -> dict:
        """The login in use: an earlier lookup's (its auth entry still in the Docker config), a recorded one with time
        left, or a fresh token's; docker login runs only when the Docker config does not hold it already."""
        p = self._p
        config_path = os.path.join(p["docker_config_dir"], "config.json")
        record_path = os.path.join(p["docker_config_dir"], login_record_name(repository_uri))
        config, record = _read_json(config_path), _read_json(record_path)
        if known:
            auth = config_auth(config, known["registry"])
            if auth and sha256(auth) == known["auth_sha256"]:
                username, password = split_auth(auth)
                return dict(known, username=username, password=password, fetched=False, logged_in=False, recorded=False)
        state = login_state(record, config, p["registry_override"], p["login_min_validity"], int(time.time()))
        if refresh or not state["recorded_valid"]:
            token = self._module("devops.fargate.ecr_auth_token_info", dict({"registry_id": registry_id} if registry_id else {}, **self._aws))
            if "password" not in token:
                raise Failed(f"could not get an ECR login token: {token.get('msg', 'no answer')}")
            state = login_state(record, config, p["registry_override"], p["login_min_validity"], int(time.time()), token)
        login = {"registry": state["registry"], "username": state["username"], "password": state["password"],
                 "fetched": state["fetched"], "logged_in": False, "recorded": False, "expiry_unknown": state["expiry_unknown"]}
        login["auth_sha256"] = state["new_record"].get("auth_sha256") or record.get("auth_sha256", "")
        if state["login_needed"]:
            self._probe(login["registry"])
            self._docker_login(login, config_path)
        if state["fetched"] and state["new_record"] != record:
            login["recorded"] = self._changed = True
            if not self._task.check_mode:
                _write_private(record_path, json.dumps(state["new_record"], indent=4) + "\n")
        return login

    def _probe(self, registry: str) -> None:
        """Before docker login, whose own failure would not say so: does the registry's v2 API answer at all?"""
        api = f"{self._p['registry_scheme']}://{registry}/v2/"
        try:
            open_url(api, timeout=self._p["registry_timeout"])
        except HTTPError as e:
            if e.code == 401:
                return
            why = f"HTTP {e.code}"
        except Exception as e:  # pylint: disable=broad-exception-caught  # any way of not answering: refused, TLS, DNS
            why = str(e)
        else:
            return
        raise Failed(f"the registry {registry} does not answer at {api} ({why}). Check {self._name('registry_override')} and "
                     f"{self._name('registry_scheme')}. Nothing was created or pushed.")

    def _docker_login(self, login: dict, config_path: str) -> None:
        """community.docker.docker_login writes the login to the Docker config (the local run pulls with it)."""
        done = self._module("community.docker.docker_login", {
            "docker_host": self._p["docker_host"], "registry_url": login["registry"], "username": login["username"],
            "password": login["password"], "config_path": config_path})
        if "login_result" not in done:
            why = _masked(done.get("msg") or "", login["password"])
            what = (f"the Docker engine at {self._p['docker_host']} does not answer, so docker login to {login['registry']} could not run"
                    if docker_engine_unreachable(why) else f"docker login to {login['registry']} as {login['username']} failed")
            raise Failed(f"{what}: {why}")
        login["logged_in"] = True
        self._changed = self._changed or bool(done.get("changed"))
        if not self._task.check_mode and os.path.exists(config_path):
            os.chmod(config_path, 0o600)

    def _registry_state(self, login: dict, name: str, tags: list[str]) -> dict:
        """One read of the registry's v2 API: what each tag points at, and for the version's tag its image. Read here,
        as devops.fargate.registry_image_info reads it, from where the login and the registry probe are (the
        controller): a read-only step of the no-op path, spared a module run."""
        api = f"{self._p['registry_scheme']}://{login['registry']}/v2"
        try:
            found = describe_references(make_fetch(self._p["registry_timeout"]), api, name, tags,
                                        basic_auth(login["username"], login["password"]), self._p["image_tag"])
        except RegistryError as e:
            if e.status == 401 and login.get("expiry_unknown"):
                raise _Refused(str(e)) from None
            raise Failed(_masked(f"Failed to read {name} from the registry {login['registry']}: {e}", login["password"])) from None
        image = found["image"]
        if image is not None:
            image["ecs_cpu_architecture"] = pick_ecs_architecture(image["architectures"])
        return {"found": found["found"], "image": image}

    def _source_image(self) -> dict:
        answer = self._module("community.docker.docker_image_info", {"docker_host": self._p["docker_host"], "name": [self._p["source_image"]]})
        if "images" not in answer:
            raise Failed(f"the Docker engine at {self._p['docker_host']} does not answer ({answer.get('msg', '')}); nothing was created or pushed.")
        return answer["images"][0] if answer["images"] else {}

    def _check_source(self, image: dict, push: dict, uri: str, pending: bool, mutability: str) -> None:
        p = self._p
        if pending and not self._task.check_mode:
            raise Failed(f"{self._name('source_pending')} is true outside check mode: there is no image to push. "
                         f"Build it first and set {self._name('source_image')}.")
        # Pending (check mode, a real run builds a new image): every tag is pushed, and the protected ones it holds conflict.
        if not image and not push["promoted"] and not pending:
            if p["source_image"]:
                raise Failed(f"{self._name('source_image')} '{p['source_image']}' is not on the Docker engine at {p['docker_host']}. "
                             "Build it first (the devops.fargate.image role sets image_built_id) or name an image that exists.")
            raise Failed(f"{self._name('source_image')} is empty (it defaults to the image role's image_built_id) and {uri} has no image "
                         f"tagged {p['image_tag']} to promote; build it first or name a version the repository holds "
                         "(-e image_version=<tag>). Nothing was created or pushed.")
        if push["conflicting"]:
            pushed_as = f", pushed as {', '.join(push['image_repo_digests'])}" if push["image_repo_digests"] else ""
            tags = "; ".join(f"tag {tag} in {uri} already points at {push['remote_digest'][tag]} (image {push['remote_config'].get(tag) or 'unknown'})"
                             for tag in push["conflicting"])
            source = p["source_image"] or "the image a real run builds"
            raise Failed(f"{tags}, not at the image to push, {source} (image {image.get('Id', 'none')}{pushed_as}); the repository's "
                         f"tag mutability is {mutability}, so the tag cannot be overwritten. "
                         f"Push the new image under a new {self._name('image_tag')}. Nothing was pushed.")

    def _apply(self, repository: dict, plan: dict) -> tuple[str, dict | None]:
        """Create or update the repository as planned; its ARN, and ecr_repository's diff (--diff)."""
        if not (plan["created"] or plan["changes"]):
            return plan["repository"].get("repository_arn", ""), None
        done = self._module("devops.fargate.ecr_repository", dict(repository, **self._aws))
        if done.get("failed"):
            raise Failed(f"repository {repository.get('name')}: {done.get('msg')}", changed=bool(done.get("changed")))
        self._changed = self._changed or bool(done.get("changed"))
        diff = done.get("diff")
        if diff:
            diff = dict(diff, before_header=f"repository {repository.get('name')}", after_header=f"repository {repository.get('name')}")
        return done["repository"].get("repository_arn", ""), diff

    def _push(self, login: dict, name: str, uri: str, image: dict, push: dict) -> tuple[str, list[str], list[str]]:
        """The tags the registry lacks: pushed once from the engine, or, for a promoted image, its manifest put under
        them. The digest: the push's, else the registry's for the version's tag, else one Docker recorded."""
        p, to_push = self._p, push["to_push"]
        common = {"registry": login["registry"], "scheme": p["registry_scheme"], "repository": name, "tags": to_push,
                  "username": login["username"], "password": login["password"], "timeout": p["registry_timeout"]}
        digest = push["remote_digest"][p["image_tag"]] if p["image_tag"] in push["current"] else next(iter(push["image_repo_digests"]), "")
        if not to_push:
            return digest, [], []
        if push["promoted"]:
            done = self._module("devops.fargate.registry_image_tag", dict(common, source=push["promoted_digest"]))
            what = f"pointing {', '.join(to_push)} at {push['promoted_digest']} in the registry {login['registry']} ({uri}) failed"
        elif not image:  # source_pending, in check mode: a real run builds the image and pushes it
            self._changed = True
            return PLACEHOLDER_DIGEST, to_push, []
        else:
            done = self._module("devops.fargate.registry_image_push", dict(common, docker_host=p["docker_host"], image=image["Id"]))
            what = f"pushing to the registry {login['registry']} ({uri}) failed"
        if done.get("failed"):
            why = _masked(done.get("msg") or "", login["password"])
            if docker_engine_unreachable(why):
                what = f"the Docker engine at {p['docker_host']} does not answer"
            raise Failed(f"{what}: {why}", changed=bool(done.get("changed")))
        self._changed = self._changed or bool(done.get("changed"))
        if push["promoted"]:
            return push["promoted_digest"], [], to_push
        return done.get("digest") or digest, to_push, []


def _masked(message: str, password: str) -> str:
    """A sub-module's message with the registry password, should it quote it, masked."""
    return message.replace(password, "********") if password else message


def _read_json(path: str) -> dict:
    """A JSON file on the controller; an absent or unreadable one reads as {}."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f) or {}
    except (OSError, ValueError):
        return {}


def _write_private(path: str, content: str) -> None:
    """Write a file only its owner can read (mode 0600 from the start), atomically."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(content)
    os.replace(temporary, path)
