"""deploy.yml under faults, the Docker engine's share: dockerd gone at each boundary that uses it, and AWS and the
registry at the local run's.

The run talks to AWS (a moto of the module's own) through a fault-injecting proxy, pushes to a registry of the
module's own, and builds and runs on a dockerd of the module's own (stack.PrivateDockerd: a real engine, stopped for
real, on a socket, data root and bridge of its own), so that all three can be broken and restored without touching the
shared local stack or stalling the other modules' runs. Every assertion is on the stack's state, read directly from
moto and the registry: revisions, the service, the registry's manifests, the container serving locally.

One copy of the project (names rel-faults, port 18085); test_faults_services.py strikes AWS and the registry at the
boundaries up to the rollout, on a project of its own in another xdist worker. Figures go to the bench report.
"""

from __future__ import annotations

import pytest

from support.deployed import Deployed
from support.faults import ECR
from support.faults import FARGATE
from support.faults import IMAGE
from support.faults import run_chain
from support.faults import RUN_LOCAL
from support.stack import PrivateDockerd

NAME = "rel-faults"
PORT = 18085

# In deploy.yml's order, from nothing. The dockerd fault at the rollout lets the rollout happen (only the local run
# needs the engine), so the fault after it strikes a run whose rollout is done and whose local run is still to do: AWS
# gone there is not needed (the local run has the fargate stage's answer), and that run completes the deploy.
CHAIN = [
    ("dockerd", IMAGE, True),
    ("dockerd", ECR, True),
    ("dockerd", FARGATE, True),  # run_local needs it
    ("aws", RUN_LOCAL, False),  # run_local runs the revision the fargate stage returned: it does not ask ECS again
    ("dockerd", RUN_LOCAL, True),
    ("registry", RUN_LOCAL, False),  # the local run finds the image on the engine
]


project = Deployed.fixture(NAME, PORT, private_dockerd=True)


@pytest.fixture(scope="module")
def dockerd():
    """The module's engine, with the base image its builds start from."""
    engine = PrivateDockerd.with_base_image("rel-faults0", "10.213.47.1/24")
    yield engine
    engine.remove()


def test_dockerd_gone_at_each_boundary_fails_clearly_and_the_chain_converges(project):
    run_chain(project, CHAIN)
