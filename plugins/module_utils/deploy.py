# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecs_deploy module's work: the deployment itself, its options checked before (module_utils.deploy_options).

``Deployer`` holds the steps; each returns what it found or did, and every write call is behind ``check_mode``.
"""

from __future__ import annotations

from typing import NoReturn

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.devops.fargate.plugins.module_utils import cloudwatch_logs
from ansible_collections.devops.fargate.plugins.module_utils import ecs
from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import desired_task_definition
from ansible_collections.devops.fargate.plugins.module_utils.errors import access_denied_message
from ansible_collections.devops.fargate.plugins.module_utils.errors import job_for
from ansible_collections.devops.fargate.plugins.module_utils.evidence import MAX_LOG_LINES
from ansible_collections.devops.fargate.plugins.module_utils.evidence import MAX_TASKS
from ansible_collections.devops.fargate.plugins.module_utils.evidence import evidence_message
from ansible_collections.devops.fargate.plugins.module_utils.evidence import log_lines
from ansible_collections.devops.fargate.plugins.module_utils.evidence import task_evidence
from ansible_collections.devops.fargate.plugins.module_utils.one_off import STARTED_BY
from ansible_collections.devops.fargate.plugins.module_utils.one_off import classify_one_off_task
from ansible_collections.devops.fargate.plugins.module_utils.one_off import container_name
from ansible_collections.devops.fargate.plugins.module_utils.one_off import run_task_params
from ansible_collections.devops.fargate.plugins.module_utils.rollout import DeploymentState
from ansible_collections.devops.fargate.plugins.module_utils.rollout import RolloutResult
from ansible_collections.devops.fargate.plugins.module_utils.rollout import TAG_PREFIX
from ansible_collections.devops.fargate.plugins.module_utils.rollout import good_revisions_from_tags
from ansible_collections.devops.fargate.plugins.module_utils.rollout import on_demand_rollback_target
from ansible_collections.devops.fargate.plugins.module_utils.rollout import poll_until_settled
from ansible_collections.devops.fargate.plugins.module_utils.rollout import primary_deployment
from ansible_collections.devops.fargate.plugins.module_utils.rollout import recent_events
from ansible_collections.devops.fargate.plugins.module_utils.rollout import rollback_target
from ansible_collections.devops.fargate.plugins.module_utils.rollout import same_task_definition
from ansible_collections.devops.fargate.plugins.module_utils.rollout import stopped_task_reasons
from ansible_collections.devops.fargate.plugins.module_utils.rollout import tags_after_rollback
from ansible_collections.devops.fargate.plugins.module_utils.rollout import tags_after_success
from ansible_collections.devops.fargate.plugins.module_utils.rollout import task_definition_family
from ansible_collections.devops.fargate.plugins.module_utils.rollout import task_definition_key
from ansible_collections.devops.fargate.plugins.module_utils.rollout import wait_for_rollout
from ansible_collections.devops.fargate.plugins.module_utils.rollout import wait_until_gone
from ansible_collections.devops.fargate.plugins.module_utils.service import DIGESTS_TAG
from ansible_collections.devops.fargate.plugins.module_utils.service import compare_service
from ansible_collections.devops.fargate.plugins.module_utils.service import create_only_conflicts
from ansible_collections.devops.fargate.plugins.module_utils.service import deployment_alarms
from ansible_collections.devops.fargate.plugins.module_utils.service import digests_fingerprint
from ansible_collections.devops.fargate.plugins.module_utils.service import dropped_on_create
from ansible_collections.devops.fargate.plugins.module_utils.service import network_configuration
from ansible_collections.devops.fargate.plugins.module_utils.service import service_diff
from ansible_collections.devops.fargate.plugins.module_utils.service import tags_dict
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import can_be_rolled_back
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import classify_rollback
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import classify_service_deployment
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import ecs_rolls_back
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import newest_first
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import paused_hook
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import rollback_revision_arn
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import successful_task_definitions
from ansible_collections.devops.fargate.plugins.module_utils.service_deployment import triggered_alarms
from ansible_collections.devops.fargate.plugins.module_utils.strategy import bake_seconds
from ansible_collections.devops.fargate.plugins.module_utils.strategy import deployment_members
from ansible_collections.devops.fargate.plugins.module_utils.strategy import strategy_in_effect
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import compare_task_definitions
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import diff_for_ansible
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import normalize_tags
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import normalize_task_definition
from ansible_collections.devops.fargate.plugins.module_utils.taskdef import request_digest

# Service states a deployment is not watched in.
_NOT_STARTED = "NOT_STARTED"
_PENDING = "PENDING"


# ---------------------------------------------------------------------------------------
# The deployment

# On every revision the module registers: the digest of the normalised request (taskdef.request_digest).
REQUEST_DIGEST_TAG = TAG_PREFIX + "request-digest"


class DeployError(Exception):
    """A deployment that cannot go on; ``result`` holds what the run found or did so far."""

    def __init__(self, msg: str, **result) -> None:
        super().__init__(msg)
        self.msg = msg
        self.result = result


def run(module, client, logs=None) -> None:
    """The module's one exit: the state's result, or one failure path that still says what changed. ``logs`` makes
    the CloudWatch Logs client that reads a failed rollout's log lines, only then."""
    deployer = Deployer(module, client, logs)
    state = module.params["state"]
    steps = {"present": deployer.deploy, "rolled_back": deployer.roll_back_on_demand, "absent": deployer.delete}
    try:
        result = steps[state]()
    except DeployError as e:
        module.fail_json(msg=e.msg, **deployer.outcome(e.result, failed=True))
    except ecs.AnsibleECSError as e:
        denied = access_denied_message(e, job=job_for(module.check_mode, state), service="ecs")
        if e.exception is not None and denied is None:
            module.fail_json_aws(e.exception, msg=e.message, **deployer.outcome({}, failed=True))
        module.fail_json(msg=denied or e.message, **deployer.outcome({}, failed=True))
    deployer.exit(result)


class Deployer:
    """One run of the module against one service."""

    def __init__(self, module, client, logs=None) -> None:
        self.module = module
        self.client = client
        self._logs_factory = logs
        self._logs_client = None
        self._container_definitions: dict[str, list[dict]] = {}
        self.params = module.params
        self.check_mode = module.check_mode
        self.writes = 0
        self.changes: list[str] = []
        self.diff: dict = {"before": {}, "after": {}}

    # -- the three states ---------------------------------------------------------------

    def deploy(self) -> dict:
        service = self._describe_service()
        if service:
            conflicts = create_only_conflicts({"launchType": "FARGATE"}, service)
            controller = (service.get("deploymentController") or {}).get("type") or "ECS"
            if self.params.get("deployment_strategy") and controller != "ECS":
                conflicts.append(
                    f"deployment_strategy: the service's deployment controller is {controller}; ECS's strategies need the ECS"
                    " controller, which cannot change in place (delete and recreate the service)"
                )
            if conflicts:
                self.fail("; ".join(conflicts))
        desired = desired_task_definition(self.params)
        planned = None
        if (self.params.get("pre_deploy_task") or {}).get("run_by") == "caller":
            planned = self._plan_for_caller(desired, service)
            if self._deploys_new_code(service, planned[0]):
                return self._pending_pre_deploy(desired, service, planned)
            if self.changes:  # something to bring in line after all (the revision's tags): made again, for real
                planned, self.changes, self.diff = None, [], {"before": {}, "after": {}}
        task_definition, registered, containers = planned or self._ensure_task_definition(desired, service)
        self._container_definitions[task_definition] = containers  # the evidence of a failure reads its log streams from them
        pre_deploy = self._run_pre_deploy_task(desired, task_definition, registered) if self._deploys_new_code(service, task_definition) else None
        if service is None:
            deployment, forced = self._create_service(task_definition), False
        else:
            deployment, forced = self._update_service(service, task_definition)
        result = {
            "task_definition_arn": task_definition,
            "revision": _revision(task_definition),
            "registered": registered,
            "forced": forced,
            "images": self._images(desired),
            "container_definitions": containers,
            "deployment_strategy": strategy_in_effect(self.params.get("deployment_strategy"), service),
            # What to return to when a later step of the same run fails (the fargate role's all-or-nothing rollback).
            "previous_task_definition_arn": service.get("taskDefinition") if service else None,
        }
        if pre_deploy is not None:
            result["pre_deploy_task"] = pre_deploy
        try:
            result.update(self._finish_rollout(deployment, service, task_definition))
        except DeployError as e:
            raise DeployError(e.msg, **dict(result, **e.result)) from None  # the failure says what was deployed, and how
        if registered and self.params["keep_revisions"]:
            self._retire_old_revisions(desired["family"], task_definition, service)
        return result

    def roll_back_on_demand(self) -> dict:
        service = self._describe_service()
        if service is None:
            self.fail(f"service {self.params['service']} does not exist in cluster {self.params['cluster']}; nothing to roll back")
        try:
            succeeded = self._succeeded(service) if self.params["rollback_to"] is None else None
            target = on_demand_rollback_target(service.get("tags"), service.get("taskDefinition"), self.params["rollback_to"], succeeded)
        except ValueError as e:
            self.fail(f"rollback_to: {e}")
        if not target:
            self.fail("no previous good revision of this service is known (none has completed a rollout under this module); set rollback_to")
        if same_task_definition(target, service.get("taskDefinition")):
            primary = primary_deployment(service)
            return {
                "task_definition_arn": service["taskDefinition"],
                "revision": _revision(service["taskDefinition"]),
                "deployment_id": primary.get("id") if primary else None,
                "deployment_started": False,
                "rollout_state": (primary or {}).get("rolloutState"),
                "rolled_back": False,
            }
        self.changes.append("service.taskDefinition")
        self._record_diff("service", {"taskDefinition": service["taskDefinition"]}, {"taskDefinition": target})
        deployment = self._write(ecs.update_service, cluster=self.params["cluster"], service=self.params["service"], taskDefinition=target)
        result = {"task_definition_arn": target, "revision": _revision(target), "rollback_task_definition_arn": target}
        remembered = tags_after_rollback(service.get("tags"), target, service.get("taskDefinition"))
        result.update(self._finish_rollout(deployment, service, target, success_tags=remembered, roll_back_on_failure=False))
        result["rolled_back"] = True  # a failed rollback rollout has already failed the task
        return result

    def delete(self) -> dict:
        """Scale to zero and delete the service; with ``family`` set, deregister its revisions too."""
        service = self._describe_service()
        if service is not None:
            self.changes.append("service")
            self._record_diff("service", {"serviceName": service["serviceName"], "status": service["status"]}, {})
            if service.get("desiredCount"):
                self._write(ecs.update_service, cluster=self.params["cluster"], service=self.params["service"], desiredCount=0)
            self._write(ecs.delete_service, cluster=self.params["cluster"], service=self.params["service"])
            if self.params["wait"] and not self.check_mode:
                draining = wait_until_gone(self._describe_service, timeout=self.params["wait_timeout"], delay=self.params["wait_delay"])
                if draining is not None:
                    status, timeout = draining.get("status"), self.params["wait_timeout"]
                    self.fail(f"service {self.params['service']} is still {status} after {timeout} s", deployment_started=False)
        if self.params.get("family"):
            for arn in ecs.list_task_definitions(self.client, self.params["family"]):
                self.changes.append(f"task_definition.retired.{arn.rsplit('/', 1)[-1]}")
                self._write(ecs.deregister_task_definition, taskDefinition=arn)
        return {"deployment_started": False, "rolled_back": False}

    # -- task definition ----------------------------------------------------------------

    def _ensure_task_definition(self, desired: dict, service: dict | None) -> tuple[str, bool, list[dict]]:
        """The revision to run, whether it was registered, and its containers as ECS has them (as they would be
        registered, in check mode): the service's revision, else the latest, else a new one."""
        family = desired["family"]
        running = service.get("taskDefinition") if service else None
        compared = None
        if running and task_definition_family(running) == family:
            compared = ecs.describe_task_definition(self.client, running)
            if self._reusable(desired, compared):
                return compared["taskDefinition"]["taskDefinitionArn"], False, _containers(compared)
        latest = ecs.describe_task_definition(self.client, family)
        already_compared = (
            compared and latest and same_task_definition(latest["taskDefinition"]["taskDefinitionArn"], compared["taskDefinition"]["taskDefinitionArn"])
        )
        if not already_compared and self._reusable(desired, latest):
            return latest["taskDefinition"]["taskDefinitionArn"], False, _containers(latest)
        # A revert to the revision deployed before: the good revisions on record, one call each.
        seen = [found["taskDefinition"]["taskDefinitionArn"] for found in (compared, latest) if found]
        for good in _good_revisions(service):
            if task_definition_family(good) == family and not any(same_task_definition(good, arn) for arn in seen):
                found = ecs.describe_task_definition(self.client, good)
                if self._reusable(desired, found):
                    return good, False, _containers(found)
                seen.append(good)
        arn, containers = self._register(desired, compared or latest, latest)
        return arn, True, containers

    def _reusable(self, desired: dict, found: dict | None) -> bool:
        """An ACTIVE revision asked for with the same request, or equal in meaning; its tags are brought in line.

        The request digest decides first: a revision this module registered keeps meaning what was
        asked even when ECS describes it with members or defaults it did not have then. The
        normalised comparison serves revisions registered elsewhere, or under older rules.
        """
        if not found or found["taskDefinition"].get("status") != "ACTIVE":
            return False
        asked = normalize_tags(found.get("tags")).get(REQUEST_DIGEST_TAG)
        if asked != request_digest(desired) and compare_task_definitions(desired, found["taskDefinition"]):
            return False
        self._ensure_tags("task_definition", found["taskDefinition"]["taskDefinitionArn"], found.get("tags"), self.params.get("task_definition_tags"))
        return True

    def _register(self, desired: dict, compared: dict | None, latest: dict | None) -> tuple[str, list[dict]]:
        before = compared["taskDefinition"] if compared else {}
        differing = compare_task_definitions(desired, before) if compared else ["family"]
        self.changes += [f"task_definition.{path}" for path in differing]
        diff = (
            diff_for_ansible(normalize_task_definition(desired), normalize_task_definition(before))
            if compared
            else {"before": {}, "after": normalize_task_definition(desired)}
        )
        self._record_diff("task_definition", diff["before"], diff["after"])
        tags = dict(normalize_tags(self.params.get("task_definition_tags") or {}), **{REQUEST_DIGEST_TAG: request_digest(desired)})
        params = dict(desired, tags=[{"key": key, "value": value} for key, value in tags.items()])
        if self.check_mode:
            return _predicted_arn(desired["family"], latest, compared), desired["containerDefinitions"]
        registered = self._write(ecs.register_task_definition, **params)
        return registered["taskDefinitionArn"], registered.get("containerDefinitions") or []

    def _ensure_tags(self, resource: str, arn: str, current: list | None, wanted: dict | None) -> None:
        """``resource``'s tags (``task_definition`` or ``service``) brought to ``wanted``: left alone when it is None; tags not
        named are removed only with ``purge_tags``, and the module's own (``devops-fargate:``) never."""
        if wanted is None:
            return
        current = {k: v for k, v in normalize_tags(current).items() if not k.startswith(TAG_PREFIX)}
        wanted = normalize_tags(wanted)
        to_set, to_unset = compare_aws_tags(current, wanted, purge_tags=self.params["purge_tags"])
        if not to_set and not to_unset:
            return
        self.changes += [f"{resource}.tags.{key}" for key in sorted(set(to_set) | set(to_unset))]
        self._record_diff(f"{resource}_tags", current, {k: v for k, v in dict(current, **wanted).items() if k not in to_unset})
        if to_set:
            self._write(ecs.tag_resource, resourceArn=arn, tags=[{"key": k, "value": v} for k, v in to_set.items()])
        if to_unset:
            self._write(ecs.untag_resource, resourceArn=arn, tagKeys=list(to_unset))

    def _retire_old_revisions(self, family: str, in_use: str, service: dict | None) -> None:
        keep = set()
        for arn in (in_use, (service or {}).get("taskDefinition")) + _good_revisions(service):
            if arn:
                keep.add(task_definition_key(arn))
        active = ecs.list_task_definitions(self.client, family)
        for arn in active[self.params["keep_revisions"] :]:
            if task_definition_key(arn) not in keep:
                self.changes.append(f"task_definition.retired.{arn.rsplit('/', 1)[-1]}")
                self._write(ecs.deregister_task_definition, taskDefinition=arn)

    # -- service ------------------------------------------------------------------------

    def _desired_service(self, task_definition: str) -> dict:
        p = self.params
        breaker = p["circuit_breaker"]
        return {
            "taskDefinition": task_definition,
            "desiredCount": p["desired_count"],
            "networkConfiguration": network_configuration(p["subnets"], p["security_groups"], p["assign_public_ip"]),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": breaker, "rollback": breaker},
                "maximumPercent": p["maximum_percent"],
                "minimumHealthyPercent": p["minimum_healthy_percent"],
                **({"alarms": deployment_alarms(p["alarms"]["names"], p["alarms"].get("rollback", True))} if p.get("alarms") is not None else {}),
                **deployment_members(p.get("deployment_strategy")),
            },
            "loadBalancers": p["load_balancers"],
            "healthCheckGracePeriodSeconds": p["health_check_grace_period_seconds"],
            "platformVersion": p["platform_version"],
            "propagateTags": p["propagate_tags"],
            "enableExecuteCommand": p["enable_execute_command"],
        }

    def _create_service(self, task_definition: str) -> dict | None:
        desired = self._desired_service(task_definition)
        self.changes.append("service")
        self._record_diff("service", {}, {k: v for k, v in desired.items() if v is not None})
        params = {key: value for key, value in desired.items() if value is not None}
        params.update(cluster=self.params["cluster"], serviceName=self.params["service"], launchType="FARGATE")
        params.setdefault("desiredCount", 1)
        tags = normalize_tags(self.params.get("tags"))
        if self.params["image_update_mode"] == "tag":
            tags[DIGESTS_TAG] = digests_fingerprint(self.params["image_digests"])
        if tags:
            params["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        if self.check_mode:
            return None
        created = self._write(ecs.create_service, **params)
        # Some endpoints drop settings on create; setting them again keeps the next run a no-op.
        missing = dropped_on_create(desired, created)
        if missing:
            created = self._write(ecs.update_service, cluster=self.params["cluster"], service=self.params["service"], **missing)
        return created

    def _update_service(self, service: dict, task_definition: str) -> tuple[dict | None, bool]:
        desired = self._desired_service(task_definition)
        changes, update = compare_service(desired, service)
        forced = self._must_force(service)
        self._ensure_tags("service", service["serviceArn"], service.get("tags"), self.params.get("tags"))
        if not update and not forced:
            return None, False
        self.changes += changes + (["service.forceNewDeployment"] if forced else [])
        diff = service_diff(desired, service, changes)
        self._record_diff("service", diff["before"], diff["after"])
        params = dict(update, cluster=self.params["cluster"], service=self.params["service"])
        if forced:
            params["forceNewDeployment"] = True
        return self._write(ecs.update_service, **params), forced

    # -- the one-off task before the rollout ----------------------------------------------

    def _deploys_new_code(self, service: dict | None, task_definition: str) -> bool:
        """pre_deploy_task set, and this run brings the service code it has not run: a new service, another task
        definition, or a new image under the same tag. Settings alone (count, strategy, tags) run nothing."""
        if not self.params.get("pre_deploy_task"):
            return False
        if service is None or not same_task_definition(service.get("taskDefinition"), task_definition):
            return True
        return self._must_force(service)

    def _plan_for_caller(self, desired: dict, service: dict | None) -> tuple[str, bool, list[dict]]:
        """pre_deploy_task run by the caller (run_by caller): the revision planned as check mode plans it, nothing
        written, to know whether the run brings new code before any write."""
        check_mode, self.check_mode = self.check_mode, True
        try:
            return self._ensure_task_definition(desired, service)
        finally:
            self.check_mode = check_mode

    def _pending_pre_deploy(self, desired: dict, service: dict | None, planned: tuple[str, bool, list[dict]]) -> dict:
        """The run brings new code and the caller runs the one-off task: stop here, before any write (check mode
        too), saying which task to run before the module runs again without pre_deploy_task."""
        task_definition, registered, containers = planned
        spec = self.params["pre_deploy_task"]
        return {
            "task_definition_arn": None if registered else task_definition,
            "revision": None if registered else _revision(task_definition),
            "registered": False,
            "forced": False,
            "images": self._images(desired),
            "container_definitions": containers,
            "previous_task_definition_arn": service.get("taskDefinition") if service else None,
            "pre_deploy_task": {"container": container_name(spec, desired["containerDefinitions"]), "command": spec["command"],
                                "task_arn": None, "exit_code": None, "state": "PENDING"},
        }

    def _run_pre_deploy_task(self, desired: dict, task_definition: str, registered: bool) -> dict:
        """Run the one-off task on the revision about to be deployed and wait for it to stop; a non-zero exit (or a
        task that never ran, or outlasts its wait) fails the run before the service is touched, with the evidence."""
        spec = self.params["pre_deploy_task"]
        container = container_name(spec, desired["containerDefinitions"])
        self.changes.append("pre_deploy_task")
        found = {"container": container, "command": spec["command"]}
        if self.check_mode:
            return dict(found, task_arn=None, exit_code=None, state="NOT_RUN")
        network = network_configuration(self.params["subnets"], self.params["security_groups"], self.params["assign_public_ip"])
        params = run_task_params(self.params["cluster"], task_definition, container, spec["command"], network, self.params["platform_version"])
        started = self._write(ecs.run_task, **params)
        found["task_arn"] = started.get("taskArn")
        outcome = poll_until_settled(
            lambda: ecs.describe_task(self.client, self.params["cluster"], found["task_arn"]),
            lambda task: classify_one_off_task(task, container),
            f"ECS no longer knows the task {found['task_arn']}",
            timeout=spec["wait_timeout"],
            delay=self.params["wait_delay"],
        )
        task = outcome.service or started
        exit_code = next((c.get("exitCode") for c in task.get("containers") or [] if c.get("name") == container), None)
        found.update(exit_code=exit_code, state=outcome.state.value, stopped_reason=task.get("stoppedReason"))
        if outcome.state == DeploymentState.COMPLETED:
            return found
        if task.get("lastStatus") != "STOPPED":
            self._write(ecs.stop_task, cluster=self.params["cluster"], task=found["task_arn"], reason=f"{STARTED_BY}: {outcome.reason}")
        evidence = task_evidence(task, self._containers_of(task_definition), self._read_log)
        found["details"] = evidence
        said = evidence_message([evidence])
        self.fail(
            f"pre_deploy_task failed on {task_definition}: {outcome.reason}; the service was not changed" + (f"; {said}" if said else ""),
            pre_deploy_task=found,
            task_definition_arn=task_definition,
            registered=registered,
        )

    def _must_force(self, service: dict) -> bool:
        if self.params["force_new_deployment"]:
            return True
        if self.params["image_update_mode"] != "tag":
            return False
        deployed = tags_dict(service.get("tags")).get(DIGESTS_TAG)
        return deployed != digests_fingerprint(self.params["image_digests"])

    # -- rollout ------------------------------------------------------------------------

    def _finish_rollout(
        self, deployment_service: dict | None, before: dict | None, task_definition: str, success_tags: dict | None = None, roll_back_on_failure: bool = True
    ) -> dict:
        """Watch the deployment this run started (or, with continue_deployment, the one paused at a hook), record success
        (``success_tags``, else last-good), or roll back and fail."""
        started = deployment_service is not None or (self.check_mode and bool(self.changes_to_service()))
        if deployment_service is None and not started and self._paused(before):
            deployment_service = before  # continue_deployment acts on the deployment a run before left paused
        if deployment_service is None:
            primary = primary_deployment(before) if before and not started else None
            return {
                "deployment_id": primary.get("id") if primary else None,
                "deployment_started": started,
                "rollout_state": _PENDING if started else (primary or {}).get("rolloutState", _NOT_STARTED),
                "rolled_back": False,
            }
        primary = primary_deployment(deployment_service) or {}
        result = {"deployment_id": primary.get("id"), "deployment_started": deployment_service is not before, "rolled_back": False}
        # ECS's own record of the deployment where the endpoint keeps one (real ECS); else the service's deployments.
        record = deployment_service.get("currentServiceDeployment")
        if record:
            result["service_deployment_arn"] = record
        tags = (before or {}).get("tags") or deployment_service.get("tags")
        if not self.params["wait"]:
            self._tag_service(deployment_service, self._digest_tags())
            result["rollout_state"] = DeploymentState.IN_PROGRESS.value
            return result
        rollout = self._act_on_pause(record, self._wait_recorded(record)) if record else self._wait(primary.get("id"))
        result["rollout_state"] = rollout.state.value
        if record:
            result["alarms_triggered"] = triggered_alarms(rollout.service)
        if rollout.state == DeploymentState.PAUSED:
            hook = paused_hook(rollout.service) or {}
            result["paused_at"] = {"stage": rollout.service.get("lifecycleStage"), **{k: hook.get(k) for k in ("hookId", "expiresAt", "timeoutAction")}}
            return result
        if rollout.state == DeploymentState.COMPLETED:
            wanted = success_tags if success_tags is not None else tags_after_success(tags, task_definition)
            self._tag_service(deployment_service, dict(wanted or {}, **self._digest_tags()), known=tags)
            return result
        self._fail_rollout(rollout, result, deployment_service, tags, task_definition, roll_back_on_failure and self.params["rollback_on_failure"])

    def _fail_rollout(self, rollout, result: dict, deployment_service: dict, tags, task_definition: str, roll_back: bool) -> NoReturn:
        """A failed rollout: rolled back (by ECS where it keeps the record, else by the module), and reported."""
        record = deployment_service.get("currentServiceDeployment")
        seen = None if record else rollout.service
        primary = primary_deployment(deployment_service) or {}
        message = f"Rollout of {task_definition} failed: {rollout.reason}"
        if roll_back:
            back, target, note = self._roll_back_with_ecs(rollout.service) if record and rollout.service else (None, None, "")
            message += note
            if back is None:
                succeeded = self._succeeded(deployment_service)
                target = rollback_target(seen or deployment_service, tags, task_definition, succeeded) or _rolled_back_by_ecs(seen, task_definition)
                back = self._roll_back_to(target, seen) if target else None
            if back is not None:
                result.update(rolled_back=back.state == DeploymentState.COMPLETED, rollback_task_definition_arn=target)
                message += f"; rolled back to {target or 'the revision before'} ({back.state.value.lower()})"
            else:
                message += "; no known-good revision to roll back to"
        # Read only once the rollback is under way: a denied or failed read must never keep it from starting.
        # This deployment's events only (ECS logs its start at its createdAt): an earlier one's are not its failure.
        result["events"] = recent_events(seen or self._service_for_events(deployment_service), since=primary.get("createdAt"))
        result["stopped_tasks"], result["stopped_task_details"] = self._stopped_tasks(primary.get("createdAt"))
        evidence = evidence_message(result["stopped_task_details"])
        self.fail(message + (f"; {evidence}" if evidence else ""), **result)

    def _paused(self, service: dict | None) -> bool:
        """continue_deployment set, and the service's current deployment waits at a PAUSE hook (one read, only then)."""
        record = (service or {}).get("currentServiceDeployment")
        if self.params.get("continue_deployment") is None or not record:
            return False
        return paused_hook(ecs.describe_service_deployment(self.client, record)) is not None

    def _act_on_pause(self, arn: str, rollout):
        """A deployment paused at a PAUSE hook: left paused (continue_deployment not set; the run reports where), or
        continued or rolled back once, as continue_deployment says, and then watched. A later hook pauses it again."""
        choice = self.params.get("continue_deployment")
        if rollout.state != DeploymentState.PAUSED or choice is None:
            return rollout
        action = "CONTINUE" if choice else "ROLLBACK"
        self.changes.append(f"service.deployment.{action.lower()}")
        self._write(ecs.continue_service_deployment, serviceDeploymentArn=arn, hookId=paused_hook(rollout.service)["hookId"], action=action)
        if self.check_mode:
            return rollout
        after = self._wait_recorded(arn)
        if choice:
            return after
        reason = f"rolled back at the hook, as continue_deployment=false asked; {after.reason}"
        return RolloutResult(DeploymentState.FAILED, reason, after.service, after.elapsed, after.polls)

    def _roll_back_with_ecs(self, record: dict):
        """ECS's own rollback of the deployment: the one it started (circuit breaker, alarm), or one asked for with
        StopServiceDeployment ROLLBACK while the deployment runs. ``(None, None, note)`` where ECS cannot or may not:
        the caller then updates the service to the last good revision itself, and the note says why. The target is
        the revision ECS went back to."""
        arn = record["serviceDeploymentArn"]
        settled = ecs_rolls_back(record) and classify_rollback(record)[0] != DeploymentState.IN_PROGRESS
        if not ecs_rolls_back(record):
            if not can_be_rolled_back(record):
                return None, None, ""
            try:
                self._write(ecs.stop_service_deployment, serviceDeploymentArn=arn, stopType="ROLLBACK")
            except ecs.AnsibleECSError as e:
                why = access_denied_message(e, job=job_for(self.check_mode), service="ecs") or f"{e.message}: {e.exception}"
                return None, None, f"; ECS's rollback could not be asked for ({why})"
        back = RolloutResult(*classify_rollback(record), record, 0.0, 0) if settled else self._wait_recorded(arn, classify_rollback)
        return back, self._revision_task_definition(rollback_revision_arn(back.service or record)), ""

    def _succeeded(self, service: dict | None) -> list[str] | None:
        """The task definitions ECS's record says this service ran after a SUCCESSFUL deployment, newest first (the
        20 newest deployments'); None where the endpoint keeps no record (no ``currentServiceDeployment``: moto) or
        it cannot be read, and the service's tags say instead."""
        if not (service or {}).get("currentServiceDeployment"):
            return None
        try:
            briefs = newest_first(ecs.list_successful_service_deployments(self.client, self.params["cluster"], self.params["service"]) or [])
            revisions = ecs.describe_service_revisions(self.client, [brief.get("targetServiceRevisionArn") for brief in briefs]) or []
        except ecs.AnsibleECSError:
            return None
        return successful_task_definitions(briefs, revisions)

    def _revision_task_definition(self, revision: str | None) -> str | None:
        """The task definition of a service revision; None when it cannot be read (the rollback is done either way)."""
        try:
            return (ecs.describe_service_revision(self.client, revision) or {}).get("taskDefinition") if revision else None
        except ecs.AnsibleECSError:
            return None

    def _wait_recorded(self, arn: str, classify=None):
        """Poll ECS's record of deployment ``arn`` until it settles (``classify``: the rollout's, else the rollback's)."""
        threshold = self.params["failed_tasks_threshold"]
        return poll_until_settled(
            lambda: ecs.describe_service_deployment(self.client, arn),
            classify or (lambda record: classify_service_deployment(record, threshold)),
            f"ECS no longer knows the service deployment {arn}",
            timeout=self._wait_timeout(),
            delay=self.params["wait_delay"],
        )

    def _wait_timeout(self) -> int:
        """wait_timeout, plus the time the strategy's bakes keep a good deployment IN_PROGRESS."""
        return self.params["wait_timeout"] + bake_seconds(self.params.get("deployment_strategy"))

    def _service_for_events(self, fallback: dict) -> dict:
        """The service as it is now, for its events; what the update answered when it cannot be read."""
        try:
            return self._describe_service() or fallback
        except ecs.AnsibleECSError:
            return fallback

    def _stopped_tasks(self, since) -> tuple[list[str], list[dict]]:
        """Why this deployment's tasks stopped: one line per distinct reason, and the newest tasks with their
        containers' exit codes and last log lines. An error reading the tasks is reported in their place."""
        try:
            tasks = ecs.describe_stopped_tasks(self.client, self.params["cluster"], self.params["service"], started_after=since)
        except ecs.AnsibleECSError as e:
            return [access_denied_message(e, job=job_for(self.check_mode), service="ecs") or f"{e.message}: {e.exception}"], []
        evidence = [task_evidence(task, self._containers_of(task.get("taskDefinitionArn")), self._read_log) for task in tasks[:MAX_TASKS]]
        return stopped_task_reasons(tasks), evidence

    def _containers_of(self, task_definition: str | None) -> list[dict]:
        """A stopped task's container definitions (for their log streams): the run's own revision's as it has them,
        another's read once; none when unreadable."""
        if not task_definition:
            return []
        if task_definition not in self._container_definitions:
            try:
                found = ecs.describe_task_definition(self.client, task_definition) or {}
            except ecs.AnsibleECSError:
                found = {}
            self._container_definitions[task_definition] = (found.get("taskDefinition") or {}).get("containerDefinitions") or []
        return self._container_definitions[task_definition]

    def _read_log(self, group: str, stream: str) -> tuple[list[str], str | None]:
        """The stream's last lines, or why there are none (a denied read, a stream the container never wrote)."""
        if self._logs_factory is None:
            return [], "no CloudWatch Logs client"
        try:
            self._logs_client = self._logs_client or self._logs_factory()
            events = cloudwatch_logs.last_log_events(self._logs_client, group, stream, MAX_LOG_LINES)
        except cloudwatch_logs.AnsibleLogsError as e:
            return [], access_denied_message(e, job=job_for(self.check_mode), service="logs") or f"{e.message}: {e.exception}"
        if events is None:
            return [], f"no log stream {stream} in {group} (the container never started, or wrote nothing)"
        return log_lines(events), None

    def changes_to_service(self) -> list[str]:
        """Changes that start a deployment: the service itself, not only its tags."""
        return [path for path in self.changes if path.startswith("service") and not path.startswith("service.tags.")]

    def _roll_back_to(self, target: str, service: dict | None):
        primary = primary_deployment(service) if service else None
        if primary and same_task_definition(primary.get("taskDefinition"), target):
            return self._wait(primary["id"])  # the circuit breaker already started this rollback
        rolled = self._write(ecs.update_service, cluster=self.params["cluster"], service=self.params["service"], taskDefinition=target)
        return self._wait((primary_deployment(rolled) or {}).get("id"))

    def _wait(self, deployment_id: str):
        return wait_for_rollout(
            lambda: ecs.describe_service(self.client, self.params["cluster"], self.params["service"]),
            deployment_id,
            timeout=self._wait_timeout(),
            delay=self.params["wait_delay"],
            failed_tasks_threshold=self.params["failed_tasks_threshold"],
        )

    def _digest_tags(self) -> dict:
        if self.params.get("image_update_mode") != "tag" or not self.params.get("image_digests"):
            return {}
        return {DIGESTS_TAG: digests_fingerprint(self.params["image_digests"])}

    def _tag_service(self, service: dict, tags: dict, known: list | None = None) -> None:
        current = tags_dict(known if known is not None else service.get("tags"))
        wanted = {k: v for k, v in tags.items() if current.get(k) != v}
        if wanted:
            self._write(ecs.tag_resource, resourceArn=service["serviceArn"], tags=[{"key": k, "value": v} for k, v in wanted.items()])

    # -- plumbing -----------------------------------------------------------------------

    def _describe_service(self) -> dict | None:
        return ecs.describe_service(self.client, self.params["cluster"], self.params["service"])

    def _write(self, call, **params):
        """Every write goes through here, so check mode makes none and a failure knows one was made."""
        if self.check_mode:
            return None
        answer = call(self.client, **params)
        self.writes += 1
        return answer

    def _record_diff(self, section: str, before, after) -> None:
        self.diff["before"][section] = before
        self.diff["after"][section] = after

    def _images(self, desired: dict) -> list[dict]:
        digests = self.params.get("image_digests") or {}
        return [{"container": c["name"], "image": c["image"], "digest": digests.get(c["name"])} for c in desired["containerDefinitions"]]

    def fail(self, msg: str, **extra) -> NoReturn:
        raise DeployError(msg, **extra)

    def outcome(self, result: dict, failed: bool = False) -> dict:
        """The module's return values. A failure is ``changed`` when a write went through before it."""
        outcome = dict(result)
        outcome.setdefault("deployment_started", False)
        outcome.setdefault("rolled_back", False)
        outcome.update(changed=self.writes > 0 if failed else bool(self.changes), changes=self.changes)
        if self.module._diff:
            outcome["diff"] = self.diff
        return outcome

    def exit(self, result: dict) -> None:
        outcome = self.outcome(result)
        if (result.get("pre_deploy_task") or {}).get("state") == "PENDING":
            outcome["changed"] = False  # nothing written: ``changes`` says what the run after the task will change
        self.module.exit_json(**outcome)


def _rolled_back_by_ecs(service: dict | None, failed: str) -> str | None:
    """What the circuit breaker already returned the service to, when no good revision is on record."""
    primary = primary_deployment(service)
    if primary and primary.get("taskDefinition") and not same_task_definition(primary["taskDefinition"], failed):
        return primary["taskDefinition"]
    return None


def _containers(found: dict) -> list[dict]:
    """A described revision's container definitions."""
    return found["taskDefinition"].get("containerDefinitions") or []


def _revision(task_definition: str | None) -> int | None:
    if not task_definition:
        return None
    tail = task_definition.rsplit(":", 1)[-1]
    return int(tail) if tail.isdecimal() else None


def _good_revisions(service: dict | None) -> tuple:
    """The last-good and previous-good revisions kept in the service's tags, when known."""
    return tuple(arn for arn in good_revisions_from_tags((service or {}).get("tags")) if arn)


def _predicted_arn(family: str, latest: dict | None, compared: dict | None) -> str:
    """The ARN register_task_definition would return: the family's next revision."""
    known = (latest or compared or {}).get("taskDefinition")
    if known:
        prefix = known["taskDefinitionArn"].rsplit(":", 1)[0]
        return f"{prefix}:{known['revision'] + 1}"
    return f"{family}:1"
