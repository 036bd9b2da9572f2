#!/usr/bin/env bash
# Regenerate docs/iam/calls.json: the AWS calls of the e2e runs (deploy, one-line change, no-op, --check, rollback,
# destroy; moto's recorder), the failed rollouts (Stubber) and the code paths the local runs cannot reach.
# Needs the local stack (tests/run.sh stack). Then review the diff and run tests/unit/iam.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
IAM_CALLS_WRITE=1 pytest -q -p no:cacheprovider tests/e2e/test_pipeline.py "$@"
git --no-pager diff --stat -- docs/iam/calls.json
