"""deploy.yml under faults, the services' share: AWS (a moto of the module's own, behind a fault-injecting proxy)
and the registry (the module's own) gone at each stage boundary up to the rollout. test_faults.py strikes dockerd, in
another xdist worker, on a dockerd of its own; this module's runs use the shared one.

One copy of the project (names rel-faults-svc, port 18087). Every assertion is on the stack's state, read directly
from moto and the registry; figures go to the bench report.
"""

from __future__ import annotations

from support.deployed import Deployed
from support.faults import ECR
from support.faults import FARGATE
from support.faults import PREFLIGHT_AWS
from support.faults import run_chain

NAME = "rel-faults-svc"
PORT = 18087

# In deploy.yml's order, from nothing. At the ECR boundary, a fault that lets the stage do its work comes after the
# one that tests that work: with AWS gone there, the image stage has planned the repository and logged in, so the ECR
# stage pushes without AWS and the run fails only at the rollout; after it the version is in the registry, and a
# registry fault at the ECR boundary would strike a stage with nothing left to push.
CHAIN = [
    ("aws", PREFLIGHT_AWS, True),
    ("registry", ECR, True),
    ("aws", ECR, True),
    ("aws", FARGATE, True),
    ("registry", FARGATE, False),  # the image is pushed; the local run finds it on the engine
]


project = Deployed.fixture(NAME, PORT)


def test_aws_and_the_registry_gone_at_each_boundary_fail_clearly_and_the_chain_converges(project):
    run_chain(project, CHAIN)
