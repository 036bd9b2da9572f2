"""Last in the e2e stage: the AWS calls this stage's runs made (with the failed rollouts and the code paths the
local runs cannot reach) are the ones docs/iam/calls.json lists, so a new call shows up in review.

Regenerate the record with scripts/iam_calls.sh (IAM_CALLS_WRITE=1 and the e2e stage).
"""

from __future__ import annotations

import pytest

import awscalls

# One xdist worker runs this group in order (tests/run.sh: -n 2 --dist loadgroup), after test_pipeline.py, whose runs it checks.
pytestmark = pytest.mark.xdist_group("pipeline")


def test_recorded_calls_match_docs_iam_calls_json():
    missing = set(awscalls.JOBS) - awscalls.SESSION.jobs()
    if missing:
        pytest.skip(f"no {', '.join(sorted(missing))} run recorded in this session: run the whole e2e stage")
    difference = awscalls.check_or_write(awscalls.SESSION)
    assert difference is None, (
        "The runs made AWS calls docs/iam/calls.json does not list (or no longer make some it lists). Check each new call"
        " against docs/iam/*-policy.json (tests/unit/iam/test_policies.py), then regenerate with scripts/iam_calls.sh:\n" + difference
    )
