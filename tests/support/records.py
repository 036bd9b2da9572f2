"""ECS's service-deployments API, which moto lacks, kept by the reshaping proxy in front of it.

Real ECS answers CreateService and UpdateService with ``currentServiceDeployment``, the ARN of ECS's record of the
deployment the call started, and serves that record (DescribeServiceDeployments), the revisions it names
(DescribeServiceRevisions), a service's history (ListServiceDeployments), and a stop with rollback
(StopServiceDeployment); DescribeServices names each service's latest record too. moto has none of them, so code that reads
a rollout from ECS's record would run only against Stubber queues. ``Records`` keeps them for the proxy: a record per
CreateService/UpdateService answer, in the shape of the AWS CLI's describe-service-deployments example, SUCCESSFUL at
once as moto's deployments are, from the revision the service ran before to the one it runs now.

Pure bookkeeping over JSON dicts, no server: the proxy calls ``on_answer`` with moto's answers and ``answer`` for the
operations it serves itself.
"""

from __future__ import annotations

import itertools
import threading
import time

STARTED_BY = ("CreateService", "UpdateService")
# The one-off task before a rollout (ecs_deploy's pre_deploy_task): moto runs no task to its end, and crashes on a
# Fargate task definition whose containers set no memory of their own; the proxy runs it, to the exit code it is told.
ONE_OFF_STARTED_BY = "devops-fargate/pre-deploy"
ONE_OFF_OPERATIONS = ("RunTask", "DescribeTasks", "StopTask")
NAMED_BY = STARTED_BY + ("DescribeServices",)
SERVED = ("DescribeServiceDeployments", "DescribeServiceRevisions", "StopServiceDeployment", "ListServiceDeployments")


class Records:
    def __init__(self) -> None:
        self.deployments: dict[str, dict] = {}
        self.revisions: dict[str, dict] = {}
        self.current: dict[str, str] = {}  # service ARN -> its latest record's ARN
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()
        self.tasks: dict[str, dict] = {}
        self.one_off_exit_code = 0

    def on_answer(self, operation: str, answer: dict) -> dict:
        """moto's CreateService/UpdateService answer with the record ECS would have started, its DescribeServices
        answer naming each service's latest record as real ECS does; others as they are."""
        if operation == "DescribeServices":
            with self.lock:
                services = [self._named(service) for service in answer.get("services") or []]
            return dict(answer, services=services)
        service = answer.get("service") if operation in STARTED_BY else None
        if not isinstance(service, dict) or not service.get("serviceArn"):
            return answer
        with self.lock:
            arn = self._start(service)
        return dict(answer, service=dict(service, currentServiceDeployment=arn))

    def _named(self, service: dict) -> dict:
        current = self.current.get(service.get("serviceArn", "")) if isinstance(service, dict) else None
        return dict(service, currentServiceDeployment=current) if current else service

    def serves(self, operation: str, request: dict) -> bool:
        """Whether the proxy answers this call itself: the service-deployments API, and the one-off tasks' calls."""
        if operation in SERVED:
            return True
        if operation == "RunTask":
            return request.get("startedBy") == ONE_OFF_STARTED_BY
        if operation == "DescribeTasks":
            return bool(request.get("tasks")) and all(task in self.tasks for task in request["tasks"])
        return operation == "StopTask" and request.get("task") in self.tasks

    def answer(self, operation: str, request: dict) -> dict:
        """The answer to one of the operations moto lacks (``SERVED``), or to a one-off task's call."""
        with self.lock:
            if operation in ONE_OFF_OPERATIONS:
                return self._one_off(operation, request)
            if operation == "DescribeServiceDeployments":
                return self._found(request.get("serviceDeploymentArns") or [], self.deployments, "serviceDeployments")
            if operation == "DescribeServiceRevisions":
                return self._found(request.get("serviceRevisionArns") or [], self.revisions, "serviceRevisions")
            if operation == "StopServiceDeployment":
                record = self.deployments[request["serviceDeploymentArn"]]
                record["status"] = "ROLLBACK_SUCCESSFUL" if request.get("stopType") == "ROLLBACK" else "STOPPED"
                return {"serviceDeploymentArn": record["serviceDeploymentArn"]}
            return {"serviceDeployments": self._briefs(request)}

    def _briefs(self, request: dict) -> list[dict]:
        """ListServiceDeployments: the service's records (by name or ARN, in the cluster asked for), with the
        statuses asked for, in the AWS CLI's list-service-deployments example's shape."""
        service = str(request.get("service", "")).rsplit("/", 1)[-1]
        cluster = str(request.get("cluster") or "default").rsplit("/", 1)[-1]
        statuses = request.get("status") or []
        return [
            dict(
                {key: record[key] for key in ("serviceDeploymentArn", "serviceArn", "clusterArn", "startedAt", "createdAt", "finishedAt", "status")},
                targetServiceRevisionArn=record["targetServiceRevision"]["arn"],
            )
            for record in self.deployments.values()
            if record["serviceArn"].endswith(f"/{cluster}/{service}") and (not statuses or record["status"] in statuses)
        ]

    def _one_off(self, operation: str, request: dict) -> dict:
        """RunTask starts the task PROVISIONING; the first DescribeTasks finds it STOPPED, its containers exited
        ``one_off_exit_code`` (the overridden one; the others 0), as the AWS CLI's describe-tasks example shapes a task."""
        if operation == "RunTask":
            cluster = str(request.get("cluster") or "default").rsplit("/", 1)[-1]
            arn = f"arn:aws:ecs:us-east-1:123456789012:task/{cluster}/{next(self.numbers):032x}"
            overridden = [c["name"] for c in (request.get("overrides") or {}).get("containerOverrides") or []]
            self.tasks[arn] = {
                "taskArn": arn,
                "clusterArn": f"arn:aws:ecs:us-east-1:123456789012:cluster/{cluster}",
                "taskDefinitionArn": request["taskDefinition"],
                "startedBy": request.get("startedBy"),
                "launchType": "FARGATE",
                "lastStatus": "PROVISIONING",
                "desiredStatus": "RUNNING",
                "overrides": request.get("overrides") or {},
                "createdAt": time.time(),
                "containers": [{"name": name, "lastStatus": "PENDING", "taskArn": arn} for name in overridden],
                "exit_code": self.one_off_exit_code,
            }
            return {"tasks": [self._shown(self.tasks[arn])], "failures": []}
        if operation == "StopTask":
            task = self.tasks[request["task"]]
            task.update(lastStatus="STOPPED", desiredStatus="STOPPED", stopCode="UserInitiated", stoppedReason=request.get("reason", ""))
            return {"task": self._shown(task)}
        for arn in request["tasks"]:
            task = self.tasks[arn]
            if task["lastStatus"] != "STOPPED":
                code = task["exit_code"]
                task.update(lastStatus="STOPPED", desiredStatus="STOPPED", stopCode="EssentialContainerExited",
                            stoppedReason="Essential container in task exited", stoppedAt=time.time())
                for container in task["containers"]:
                    container.update(lastStatus="STOPPED", exitCode=code)
        return {"tasks": [self._shown(self.tasks[arn]) for arn in request["tasks"]], "failures": []}

    @staticmethod
    def _shown(task: dict) -> dict:
        return {key: value for key, value in task.items() if key != "exit_code"}

    def _start(self, service: dict) -> str:
        number = next(self.numbers)
        base = service["serviceArn"].replace(":service/", ":{kind}/", 1)
        now = time.time()
        revision = base.format(kind="service-revision") + f"/{number}"
        self.revisions[revision] = {
            "serviceRevisionArn": revision,
            "serviceArn": service["serviceArn"],
            "clusterArn": service.get("clusterArn"),
            "taskDefinition": service.get("taskDefinition"),
            "launchType": service.get("launchType", "FARGATE"),
            "createdAt": now,
        }
        previous = self.deployments.get(self.current.get(service["serviceArn"], ""))
        arn = base.format(kind="service-deployment") + f"/{number}"
        wanted = service.get("desiredCount", 1)
        self.deployments[arn] = {
            "serviceDeploymentArn": arn,
            "serviceArn": service["serviceArn"],
            "clusterArn": service.get("clusterArn"),
            "createdAt": now,
            "startedAt": now,
            "finishedAt": now,
            "updatedAt": now,
            "sourceServiceRevisions": [dict(previous["targetServiceRevision"])] if previous else [],
            "targetServiceRevision": {"arn": revision, "requestedTaskCount": wanted, "runningTaskCount": wanted, "pendingTaskCount": 0},
            "status": "SUCCESSFUL",
            "deploymentConfiguration": service.get("deploymentConfiguration") or {},
            "deploymentCircuitBreaker": {"status": "MONITORING_COMPLETE", "failureCount": 0, "threshold": 3},
            "alarms": {"status": "DISABLED"},
        }
        self.current[service["serviceArn"]] = arn
        return arn

    @staticmethod
    def _found(arns: list, known: dict, key: str) -> dict:
        return {
            key: [known[arn] for arn in arns if arn in known],
            "failures": [{"arn": arn, "reason": "MISSING"} for arn in arns if arn not in known],
        }
