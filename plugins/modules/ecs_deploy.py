#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the devops.fargate project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_deploy
short_description: Register a task-definition revision only when needed and roll a Fargate service
version_added: 0.1.0
description:
  - Manages one ECS Fargate service and its task definition in one task.
  - Builds the desired task definition from the options, validates it before any call (Fargate
    cpu/memory pairs, awsvpc, unique container names, image references, unknown keys rejected with
    botocore's own C(RegisterTaskDefinition) input shape), and normalises both it and what ECS
    describes with the API's documented defaults.
  - Reuses the revision the service runs, or else the family's latest ACTIVE revision, when either
    matches; registers a new revision only when neither does.
  - Creates the service if missing, otherwise updates only the fields that differ. O(desired_count)
    is managed only when set, so autoscaling is not fought.
  - Images that change behind the same tag reach the service. With O(image_update_mode=pin) the
    task definition names each image by digest. With O(image_update_mode=tag) a new deployment is
    forced only when a digest differs from the one last deployed (kept in a service tag).
  - Waits for the deployment it started, by its id, and on a failed or timed-out rollout returns
    the service to the last known-good revision and fails, reporting C(rolled_back=true).
  - With nothing to change it makes two or three read calls and no write call.
author:
  - devops.fargate maintainers (@devops-fargate)
options:
  state:
    description:
      - C(present) registers (or reuses) the revision and rolls the service to it.
      - C(rolled_back) returns the service to its previous good revision, or to O(rollback_to), and waits.
      - C(absent) scales the service to zero and deletes it, and with O(family) set deregisters
        the family's ACTIVE revisions.
    type: str
    choices: [present, rolled_back, absent]
    default: present
  family:
    description:
      - Task definition family. Required with O(state=present).
      - With O(state=absent), the family whose revisions are deregistered.
    type: str
  container_definitions:
    description:
      - Container definitions in the ECS API's camelCase shape (C(name), C(image), C(portMappings), C(environment), ...).
      - Required with O(state=present).
    type: list
    elements: dict
  cpu:
    description: Task CPU units, as a number or a string such as C(256) or C(0.25 vCPU).
    type: raw
  memory:
    description: Task memory in MiB, as a number or a string such as C(512) or C(1 GB).
    type: raw
  execution_role_arn:
    description: The task execution role (pulls images, writes logs, reads secrets).
    type: str
  task_role_arn:
    description: The role the containers run as.
    type: str
  runtime_platform:
    description: C(cpuArchitecture) and C(operatingSystemFamily), camelCase as in the API.
    type: dict
  ephemeral_storage_gib:
    description: Ephemeral storage in GiB (21-200; 20 is the Fargate default).
    type: int
  volumes:
    description: Task volumes, camelCase as in the API.
    type: list
    elements: dict
  tags:
    description:
      - Tags of the service. Left alone when not set; with O(purge_tags), tags not named are removed.
    type: dict
    aliases: [service_tags, resource_tags]
  task_definition_tags:
    description:
      - Tags of the task definition. Set on the revision in use without registering a new one.
      - Left alone when not set; with O(purge_tags), tags not named are removed.
    type: dict
  image_digests:
    description:
      - The digest (C(sha256:...)) of each container's image as pushed, by container name.
      - Containers not named keep their image as given.
    type: dict
  image_update_mode:
    description:
      - C(pin) writes each image as C(repository@sha256:...) into the task definition, so every new
        image makes a new revision and a rollback is exact.
      - C(tag) keeps the image's tag and forces a new deployment only when a digest differs from the
        digests last deployed.
    type: str
    choices: [pin, tag]
    default: pin
  force_new_deployment:
    description: Force a new deployment even when nothing changed. Nothing else forces one, except O(image_update_mode=tag).
    type: bool
    default: false
  desired_count:
    description: Number of tasks. Left alone when not set (except on creation, where it defaults to 1).
    type: int
  subnets:
    description: Subnet ids for the awsvpc network configuration. Required with O(state=present).
    type: list
    elements: str
  security_groups:
    description: Security group ids for the awsvpc network configuration.
    type: list
    elements: str
    default: []
  assign_public_ip:
    description: Whether tasks get a public IP.
    type: bool
    default: false
  platform_version:
    description: Fargate platform version, for example C(LATEST) or C(1.4.0). Left alone when not set.
    type: str
  circuit_breaker:
    description: Enable the deployment circuit breaker with rollback.
    type: bool
    default: true
  maximum_percent:
    description: Upper limit of running tasks during a deployment, in percent of the desired count.
    type: int
    default: 200
  minimum_healthy_percent:
    description: Lower limit of healthy tasks during a deployment, in percent of the desired count.
    type: int
    default: 100
  load_balancers:
    description:
      - Target groups, as in the API (C(targetGroupArn), C(containerName), C(containerPort)).
      - For a blue/green, canary or linear O(deployment_strategy), each also needs C(advancedConfiguration) with
        C(alternateTargetGroupArn), C(productionListenerRule) and C(roleArn) (C(testListenerRule) optional), as ECS's
        AdvancedConfiguration has them. Not set, a load balancer's advanced configuration is left as the service has it.
    type: list
    elements: dict
  health_check_grace_period_seconds:
    description: Seconds to ignore load balancer health checks after a task starts.
    type: int
  propagate_tags:
    description: Where tasks take their tags from.
    type: str
    choices: [SERVICE, TASK_DEFINITION, NONE]
    default: SERVICE
  enable_execute_command:
    description: Allow ECS Exec into the tasks. Left alone when not set.
    type: bool
  wait:
    description:
      - Wait for the deployment this run started to complete.
      - With O(state=absent), wait for the deleted service to drain (INACTIVE), as ECS refuses to delete its cluster before.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for a rollout before it counts as failed.
    type: int
    default: 900
  wait_delay:
    description: Seconds between two looks at the rollout.
    type: int
    default: 10
  failed_tasks_threshold:
    description: Fail the rollout when its failed tasks grow by more than this. C(0) leaves it to the circuit breaker and the timeout.
    type: int
    default: 0
  deployment_strategy:
    description:
      - How ECS replaces the tasks (the service's C(deploymentConfiguration.strategy) and its settings). Not set, the
        service's strategy and its settings are left as they are (ECS's default is rolling).
      - Blue/green, canary and linear shift traffic between two target groups; see O(load_balancers).
      - Waiting (O(wait_timeout)) is extended by the strategy's bake times, during which a good deployment stays
        IN_PROGRESS.
      - Switching strategy on an existing service is an update ECS makes in place; a service whose deployment
        controller is not ECS (CODE_DEPLOY, EXTERNAL) fails before any change.
    type: dict
    suboptions:
      type:
        description: The strategy.
        type: str
        choices: [rolling, blue_green, canary, linear]
        required: true
      bake_time:
        description: Minutes both revisions run after production traffic has shifted (C(bakeTimeInMinutes)). Required for blue_green.
        type: int
      canary_percent:
        description: With canary, the share of traffic shifted first (C(canaryConfiguration.canaryPercent)). Required for canary.
        type: float
      canary_bake_time:
        description: With canary, minutes before the rest of the traffic shifts. Required for canary.
        type: int
      linear_step_percent:
        description: With linear, the share of traffic each step shifts (C(linearConfiguration.stepPercent)). Required for linear.
        type: float
      linear_step_bake_time:
        description: With linear, minutes between two steps. Required for linear.
        type: int
      lifecycle_hooks:
        description:
          - Lifecycle hooks, as ECS's DeploymentLifecycleHook has them (C(hookTargetArn), C(roleArn),
            C(lifecycleStages), C(targetType)), checked against botocore's shape.
        type: list
        elements: dict
  alarms:
    description:
      - CloudWatch alarms that fail a rolling deployment while it runs (the service's C(deploymentConfiguration.alarms)).
        ECS watches them itself; this module makes no CloudWatch call.
      - Not set leaves the service's alarm settings as they are; O(alarms.names) empty turns alarm monitoring off.
      - When an alarm fires, the failure names it (RV(alarms_triggered), from ECS's service-deployments record).
    type: dict
    suboptions:
      names:
        description: The alarm names, each 1 to 255 characters.
        type: list
        elements: str
        required: true
      rollback:
        description: Whether ECS rolls the service back when an alarm fires.
        type: bool
        default: true
  rollback_on_failure:
    description: On a failed or timed-out rollout, return the service to the last known-good revision (and still fail).
    type: bool
    default: true
  continue_deployment:
    description:
      - What to do with a deployment waiting at a C(PAUSE) lifecycle hook (O(deployment_strategy.lifecycle_hooks)), an
        approval step in CI. Not set, the run ends when the deployment pauses, RV(rollout_state=PAUSED), and
        RV(paused_at) says where.
      - C(true) continues it (ContinueServiceDeployment CONTINUE) and C(false) rolls it back (ROLLBACK, and the run
        fails), both once - whether this run started the deployment or a run before left it paused - and the
        deployment is then watched as usual. A later hook pauses it again.
    type: bool
  pre_deploy_task:
    description:
      - A one-off task run before the rollout, e.g. database migrations. It runs only when this run brings the service
        code it has not run (a new service, another task definition, a new image under the same tag), on the revision
        about to be deployed, with RunTask, in the service's network, the container's command replaced by
        O(pre_deploy_task.command), and the module waits for it to stop.
      - A non-zero exit code, a task that never ran, or one still running after O(pre_deploy_task.wait_timeout)
        (it is then stopped) fails the run before the service is changed, with the task's stop reason, its
        container's exit code and the last lines of its log (RV(pre_deploy_task)).
      - In check mode it is predicted (C(pre_deploy_task) in RV(changes)), not run.
      - With O(pre_deploy_task.run_by=caller) the module does not run it - when the run brings new code, it stops
        before any write (in check mode too), not changed, with RV(pre_deploy_task) in state C(PENDING) and
        RV(changes) saying what the next run will change. The caller runs the task (for example on a local engine)
        and then runs the module again without O(pre_deploy_task). With no new code the run goes on as usual, nothing
        read twice.
    type: dict
    suboptions:
      command:
        description: The command the container runs instead of its own, e.g. C([flask, db, upgrade]).
        type: list
        elements: str
        required: true
      container:
        description: The container whose command is replaced. Default is the first essential container.
        type: str
      wait_timeout:
        description: How long to wait, in seconds, for the task to stop.
        type: int
        default: 600
      run_by:
        description:
          - Who runs the task - V(ecs) (RunTask) or V(caller), after this run stops with RV(pre_deploy_task) in state
            C(PENDING).
        type: str
        choices: [ecs, caller]
        default: ecs
  rollback_to:
    description:
      - With O(state=rolled_back), the revision to return to (a revision number, C(family:revision) or an ARN).
      - When not set, the previous good revision. The good revisions are the task definitions of the service's SUCCESSFUL
        deployments in ECS's record (ListServiceDeployments, DescribeServiceRevisions), newest first, where the endpoint keeps
        one; else, and when ECS's record names none, the C(devops-fargate:last-good) and C(devops-fargate:previous-good) tags.
    type: str
  keep_revisions:
    description:
      - After registering a revision, deregister the family's ACTIVE revisions beyond the newest N.
      - The revision in use and the rollback targets are never deregistered.
    type: int
notes:
  - O(tags) are the service's (ECS propagates them to its tasks with O(propagate_tags=SERVICE)), O(task_definition_tags)
    the task definition's. O(purge_tags) applies to both; the tags this module keeps for itself (C(devops-fargate:)) are
    never touched.
extends_documentation_fragment:
  - devops.fargate.ecs_service
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - devops.fargate.retries
attributes:
  check_mode:
    support: full
    description: Makes no write call and returns the keys a real run would, with the predicted values.
  diff_mode:
    support: full
    description: Shows before and after of the task definition and the service fields that change.
  idempotent:
    support: full
    description:
      - A second run with the same options changes nothing and registers no revision.
      - Each revision it registers carries a C(devops-fargate:request-digest) tag, a digest of the normalised request, and reuse is
        decided by it first, so members or defaults ECS adds to its answers later cannot make a run register a revision.
      - O(state=rolled_back) remembers the rollback in the service's C(devops-fargate:rolled-back-from) tag; run again, it changes
        nothing. Going further back needs O(rollback_to).
"""

EXAMPLES = r"""
- name: Roll the service to the image just pushed
  devops.fargate.ecs_deploy:
    cluster: web
    service: web
    family: web
    cpu: 256
    memory: 512
    execution_role_arn: arn:aws:iam::123456789012:role/web-execution
    container_definitions:
      - name: web
        image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.0
        portMappings:
          - containerPort: 8000
        environment:
          - name: FLASK_SERVICE_NAME
            value: web
        healthCheck:
          command: [CMD, python3, -m, webapp.healthcheck]
    image_digests:
      web: "{{ ecr_pushed_digest }}"
    subnets: [subnet-0abc, subnet-0def]
    security_groups: [sg-0123]
    desired_count: 2
  register: deploy

- name: Return the service to its previous good revision
  devops.fargate.ecs_deploy:
    cluster: web
    service: web
    state: rolled_back

- name: Delete the service
  devops.fargate.ecs_deploy:
    cluster: web
    service: web
    state: absent
"""

RETURN = r"""
task_definition_arn:
  description: The revision the service runs (or would run, in check mode).
  returned: when state is present or rolled_back
  type: str
  sample: arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7
revision:
  description: Its revision number.
  returned: when state is present or rolled_back
  type: int
  sample: 7
registered:
  description: Whether a new revision was registered (C(false) means an existing one was reused).
  returned: when state is present
  type: bool
deployment_id:
  description: The deployment this run started, or the service's primary deployment when none was started. None in check mode.
  returned: when state is present or rolled_back
  type: str
  sample: ecs-svc/1234567890123456789
deployment_started:
  description: Whether this run created the service or started a deployment.
  returned: always
  type: bool
forced:
  description: Whether the deployment was forced (O(force_new_deployment), or a new digest in tag mode).
  returned: when state is present
  type: bool
rollout_state:
  description:
    - C(COMPLETED), C(FAILED), C(IN_PROGRESS) (not waited for), C(PENDING) (check mode, would start),
      C(PAUSED) (waiting at a PAUSE lifecycle hook, see O(continue_deployment))
      or, when no deployment was started, the primary deployment's state.
  returned: when state is present or rolled_back
  type: str
rolled_back:
  description: Whether the service was returned to an earlier revision after a failed rollout, or on demand.
  returned: always
  type: bool
deployment_strategy:
  description:
    - The strategy a deployment of the service runs with, C(ROLLING), C(BLUE_GREEN), C(CANARY) or C(LINEAR), in
      check mode too - O(deployment_strategy) when set, else the service's.
  returned: when state is present
  type: str
  sample: CANARY
service_deployment_arn:
  description:
    - ECS's record of the deployment this run started (the service's C(currentServiceDeployment)). The rollout is
      read from it (DescribeServiceDeployments), and a failed one is rolled back with StopServiceDeployment ROLLBACK.
    - Not returned by an endpoint without the service-deployments API (moto), where the rollout is read from
      DescribeServices and rolled back by UpdateService.
  returned: when a deployment was started and the endpoint records it
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:service-deployment/example-cluster/example-service/ejGvqq2ilnbKT9qj0vLJe
pre_deploy_task:
  description:
    - The one-off task this run ran before the rollout (O(pre_deploy_task)) - its container, command, task ARN, exit
      code, state (C(COMPLETED), C(FAILED), or C(NOT_RUN) in check mode) and, when it failed, C(details) as in
      RV(stopped_task_details).
    - With O(pre_deploy_task.run_by=caller), state C(PENDING) - the task the caller must run; nothing was written, and
      RV(task_definition_arn) is null when the next run registers a revision.
  returned: when O(pre_deploy_task) is set and the run brings new code
  type: dict
  sample:
    container: web
    command: [flask, db, upgrade]
    task_arn: arn:aws:ecs:us-east-1:123456789012:task/fargate-demo/1111111111111111aaaaaaaaaaaaaaaa
    exit_code: 0
    state: COMPLETED
    stopped_reason: Essential container in task exited
paused_at:
  description: Where the deployment waits, when RV(rollout_state) is C(PAUSED).
  returned: when the deployment paused at a lifecycle hook
  type: dict
  contains:
    stage:
      description: The lifecycle stage, for example C(POST_TEST_TRAFFIC_SHIFT).
      type: str
    hookId:
      description: The paused hook's ID.
      type: str
    expiresAt:
      description: When the hook stops waiting.
      type: str
    timeoutAction:
      description: What ECS does then, C(ROLLBACK) or C(CONTINUE).
      type: str
alarms_triggered:
  description: The CloudWatch alarms that fired during the rollout, from ECS's service-deployments record.
  returned: when the rollout was waited for and the endpoint records it
  type: list
  elements: str
previous_task_definition_arn:
  description:
    - The revision the service ran before this run, C(null) for a service this run created. The fargate role returns a
      service to it when a later service of the same run fails (all or nothing).
  returned: when state is present
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/fargate-demo:7
rollback_task_definition_arn:
  description: The revision rolled back to.
  returned: when rolled_back
  type: str
container_definitions:
  description:
    - The containers of the revision the service runs, as ECS describes them (as they would be registered, in check
      mode), so that a later step (the run_local role) need not ask ECS again.
  returned: when state is present
  type: list
  elements: dict
images:
  description: Each container's image as deployed, with its digest when known.
  returned: when state is present
  type: list
  elements: dict
  contains:
    container:
      description: Container name.
      type: str
    image:
      description: Image reference as written in the task definition.
      type: str
    digest:
      description: The image digest, when given.
      type: str
changes:
  description: Field paths that differ (or differed) between the wanted and the existing state.
  returned: always
  type: list
  elements: str
  sample: ["task_definition.containerDefinitions[web].image", "service.taskDefinition"]
events:
  description: The service's latest events, newest first, when a rollout failed.
  returned: on rollout failure
  type: list
  elements: str
stopped_tasks:
  description: Why the latest stopped tasks stopped, when a rollout failed.
  returned: on rollout failure
  type: list
  elements: str
stopped_task_details:
  description:
    - The newest stopped tasks of the failed rollout (at most 3), with the evidence of why each stopped - its stop
      code and reason, and for each container its exit code, its reason and the last lines (at most 20) of its
      CloudWatch log stream (the awslogs driver's C(<prefix>/<container>/<task ID>)).
    - A stream that could not be read says why in C(log_error) (a denied C(logs:GetLogEvents), a container that never
      started). The failure message quotes the newest task's last 5 lines.
  returned: on rollout failure
  type: list
  elements: dict
  sample:
    - task_arn: arn:aws:ecs:us-east-1:123456789012:task/fargate-demo/0123456789abcdef0123456789abcdef
      task_definition_arn: arn:aws:ecs:us-east-1:123456789012:task-definition/fargate-demo:8
      stop_code: EssentialContainerExited
      stopped_reason: Essential container in task exited
      containers:
        - name: web
          exit_code: 3
          reason: null
          log_group: /ecs/fargate-demo
          log_stream: fargate-demo/web/0123456789abcdef0123456789abcdef
          last_log_lines:
            - "[2026-12-04 06:01:02 +0000] [7] [ERROR] Exception in worker process"
            - "ModuleNotFoundError: No module named 'webapp.views'"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.devops.fargate.plugins.module_utils.clients import aws_client
from ansible_collections.devops.fargate.plugins.module_utils.deploy import run
from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import ARGUMENT_SPEC
from ansible_collections.devops.fargate.plugins.module_utils.deploy_options import validate_options


def main() -> None:
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
        required_if=[("state", "present", ("family", "container_definitions", "subnets"))],
    )
    errors = validate_options(module.params)
    if errors:
        module.fail_json(msg="Invalid options: " + "; ".join(errors), errors=errors)

    client = aws_client(module, "ecs")
    run(module, client, logs=lambda: aws_client(module, "logs"))


if __name__ == "__main__":
    main()
