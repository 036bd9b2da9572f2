from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))


# --- IAM: each deploy/check/rollback/destroy run's AWS calls, for docs/iam/calls.json ----------------------------
# (tests/integration/awscalls.py; checked by test_zz_iam_record.py at the end of the stage)
@pytest.fixture(autouse=True)
def iam_calls_record(request, monkeypatch):
    import awscalls  # pylint: disable=import-outside-toplevel

    module = request.module
    if callable(getattr(module, "run", None)) and hasattr(module, "NAME"):
        names = awscalls.Names(mapping={module.NAME: awscalls.SERVICE})
        stack = request.getfixturevalue("e2e_stack") if "e2e_stack" in request.fixturenames else None
        moto_url = stack.moto_url if stack else getattr(module, "MOTO", "http://127.0.0.1:5051")
        monkeypatch.setattr(module, "run", awscalls.record_run(module.run, moto_url, names, awscalls.SESSION))
    yield
