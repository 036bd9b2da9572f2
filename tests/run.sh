#!/usr/bin/env bash
# The whole test suite, or some of its stages: tests/run.sh [stage ...]
# Stages: stack lint unit integration e2e reliability molecule sanity. Every stage runs even when one fails;
# the exit code is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ALL_STAGES=(stack lint unit integration e2e reliability molecule sanity)
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=("${ALL_STAGES[@]}")

export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 ANSIBLE_NOCOLOR=1

# pytest exit code 5 (nothing collected) is a failure here, not a pass.
run_pytest() {
    pytest "$@"
    local rc=$?
    if [ $rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; return 1; fi
    return $rc
}

stage_stack() {
    ansible-playbook playbooks/local_stack.yml -i inventories/local
}

stage_lint() {
    local rc=0
    ansible-lint --profile production || rc=1
    hadolint deployments/Dockerfile || rc=1
    check_artifact || rc=1
    return $rc
}

# The collection artifact holds the collection only, none of the project around it.
check_artifact() {
    local out stray
    out=$(mktemp -d)
    ansible-galaxy collection build --force --output-path "$out" >/dev/null || { rm -rf "$out"; return 1; }
    stray=$(tar -tzf "$out"/devops-fargate-*.tar.gz | grep -E '^(app|inventories|collections|deployments|bench|docs|\.venv|\.cache|\.pytest_cache|tests/(e2e|integration|reliability))(/|$)|/molecule/|__pycache__' || true)
    rm -rf "$out"
    if [ -n "$stray" ]; then echo "project files in the collection artifact:"; echo "$stray"; return 1; fi
    echo "collection artifact: clean"
}

stage_unit() {
    run_pytest -q -p no:cacheprovider app/tests tests/unit
}

# The modules against moto servers of their own, and the collection's playbooks end to end.
stage_integration() {
    run_pytest -q -p no:cacheprovider tests/integration
}

# deploy.yml, rollback.yml and destroy.yml on the local stack, asserting on its state.
stage_e2e() {
    run_pytest -q -p no:cacheprovider tests/e2e
}

# Faults (throttling, latency, moto/registry/dockerd gone at each stage boundary) and the bad-input corpus.
# Their figures (retries counted, the fault table, ...) go to tests/output/reliability.json for bench/run.py.
stage_reliability() {
    local figures=${RELIABILITY_FIGURES:-$PWD/tests/output/reliability.json} rc
    mkdir -p "$(dirname "$figures")" && rm -f "$figures"
    RELIABILITY_FIGURES=$figures run_pytest -q -p no:cacheprovider tests/reliability
    rc=$?
    python3 -c 'import json, sys; p, rc = sys.argv[1], int(sys.argv[2]); d = json.load(open(p)) if __import__("os").path.exists(p) else {}; d["_pytest"] = {"rc": rc, "summary": "tests/reliability " + ("passed" if rc == 0 else "FAILED") + " in the README test command"}; json.dump(d, open(p, "w"), indent=1)' "$figures" "$rc"
    return $rc
}

stage_molecule() {
    local rc=0 role
    for role in roles/*/; do
        [ -d "$role/molecule/default" ] || continue
        echo "--- molecule: $role"
        (cd "$role" && molecule test) || rc=1
    done
    return $rc
}

stage_sanity() {
    scripts/sanity.sh
}

passed=0 failed=0 failed_names=()
for stage in "${stages[@]}"; do
    echo "=== stage: $stage"
    start=$SECONDS
    if "stage_$stage"; then
        passed=$((passed + 1)); echo "=== stage $stage passed in $((SECONDS - start))s"
    else
        failed=$((failed + 1)); failed_names+=("$stage"); echo "=== stage $stage FAILED in $((SECONDS - start))s"
    fi
done
[ $failed -eq 0 ] || echo "failed stages: ${failed_names[*]}"
echo "stages: $passed passed, $failed failed"
[ $failed -eq 0 ]
