"""The Docker engine, shared by the test runs of one pytest session: tests/reliability/test_faults.py stops dockerd at
stage boundaries while other modules' runs (the e2e pipeline, the load tests) need it. Those hold ``docker_in_use()``
(a shared lock) for a test; a dockerd fault holds it exclusively until the engine is back.

A fault that waits for the engine goes first: from the moment it asks, no test starts holding it (a gate, taken
exclusively by the fault while it waits for the tests in progress to end, and passed through by each test before it
takes its shared hold). Without it, the other workers' tests, one after another, keep the fault waiting (flock has no
writer preference): measured, a six-run fault chain took 915 s beside them against 312 s alone."""

from __future__ import annotations

import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

# One lock file for every xdist worker of a run (PYTEST_XDIST_TESTRUNUID is the run's), none shared between runs.
_LOCK = Path(tempfile.gettempdir()) / f"devops-fargate-dockerd-{os.environ.get('PYTEST_XDIST_TESTRUNUID', os.getpid())}.lock"
_GATE = _LOCK.with_suffix(".gate")


@contextmanager
def docker_in_use(exclusive: bool = False):
    """Shared: this test's runs need dockerd up. Exclusive: this test stops it (and has it back before leaving)."""
    with open(_GATE, "a", encoding="utf-8") as gate, open(_LOCK, "a", encoding="utf-8") as handle:
        fcntl.flock(gate, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            if exclusive:
                fcntl.flock(handle, fcntl.LOCK_EX)
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)
        if not exclusive:
            fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
