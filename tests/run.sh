#!/usr/bin/env bash
# The whole test suite, or some of its stages: tests/run.sh [stage ...]
# Stages: stack lint unit integration e2e reliability molecule sanity. Every stage runs even when one fails;
# the exit code is non-zero if any failed. The stages that deploy (integration, e2e, reliability, molecule) use a moto
# and a registry of their own: the user's stack (`make deploy`'s moto on 5051, registry on 5050, its containers) is
# snapshotted before them and must be as it was after them, or the run fails (tests/integration/user_stack.py).
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

# The modules against moto servers of their own (one per xdist worker), and the collection's playbooks end to end.
stage_integration() {
    run_pytest -q -p no:cacheprovider --durations=10 -n "${TEST_WORKERS:-2}" tests/integration
}

# deploy.yml, rollback.yml and destroy.yml on a moto and a registry of the tests' own, asserting on their state.
stage_e2e() {
    run_pytest -q -p no:cacheprovider --durations=15 -n "${TEST_WORKERS:-2}" --dist loadfile tests/e2e
}

# Faults (throttling, latency, moto/registry/dockerd gone at each stage boundary) and the bad-input corpus, on a moto
# and a registry of their own.
# Their figures (retries counted, the fault table, ...) go to tests/output/reliability.json for bench/run.py.
stage_reliability() {
    local figures=${RELIABILITY_FIGURES:-$PWD/tests/output/reliability.json} rc
    mkdir -p "$(dirname "$figures")" && rm -f "$figures"
    # Each test module in a pytest-xdist worker of its own: the bad-input corpus runs while the fault runs wait.
    RELIABILITY_FIGURES=$figures run_pytest -q -p no:cacheprovider --durations=15 -n "${TEST_WORKERS:-2}" --dist loadfile tests/reliability
    rc=$?
    python3 -c 'import json, sys; p, rc = sys.argv[1], int(sys.argv[2]); d = json.load(open(p)) if __import__("os").path.exists(p) else {}; d["_pytest"] = {"rc": rc, "summary": "tests/reliability " + ("passed" if rc == 0 else "FAILED") + " in the README test command"}; json.dump(d, open(p, "w"), indent=1)' "$figures" "$rc"
    return $rc
}

# A moto and a registry of the tests' own for the molecule scenarios that talk to AWS and ECR, passed as
# MOLECULE_MOTO_URL and MOLECULE_REGISTRY (their molecule.yml fall back to the user's 5051/5050 when run alone).
start_test_stack() {
    local ports moto_port registry_port
    TEST_STACK_DIR=$(mktemp -d /tmp/test-stack.XXXXXX)
    ports=$(python3 -c 'import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
    read -r moto_port registry_port <<<"$ports"
    MOTO_ECS_SERVICE_RUNNING=1 MOTO_IAM_LOAD_MANAGED_POLICIES=true \
        moto_server -H 127.0.0.1 -p "$moto_port" >"$TEST_STACK_DIR/moto.log" 2>&1 &
    echo $! >"$TEST_STACK_DIR/moto.pid"
    # moto's ECR login, at bcrypt's lowest cost (the registry checks it on every request)
    python3 -c 'import bcrypt, sys; print("AWS:" + bcrypt.hashpw(b"123456789012-auth-token", bcrypt.gensalt(4)).decode())' >"$TEST_STACK_DIR/htpasswd"
    printf 'version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: %s}\n  delete: {enabled: true}\nhttp: {addr: "127.0.0.1:%s"}\nauth:\n  htpasswd: {realm: local-ecr, path: %s}\n' \
        "$TEST_STACK_DIR/registry-data" "$registry_port" "$TEST_STACK_DIR/htpasswd" >"$TEST_STACK_DIR/registry.yml"
    /usr/bin/docker-registry serve "$TEST_STACK_DIR/registry.yml" >"$TEST_STACK_DIR/registry.log" 2>&1 &
    echo $! >"$TEST_STACK_DIR/registry.pid"
    export MOLECULE_MOTO_URL="http://127.0.0.1:$moto_port" MOLECULE_REGISTRY="127.0.0.1:$registry_port"
    python3 -c 'import sys, time, urllib.error, urllib.request
def answers(url):
    try:
        urllib.request.urlopen(url, timeout=1)
    except urllib.error.HTTPError:
        pass
    except OSError:
        return False
    return True
deadline = time.monotonic() + 30
while not all(answers(url) for url in sys.argv[1:]):
    if time.monotonic() > deadline:
        sys.exit("the tests moto or registry did not answer: " + " ".join(sys.argv[1:]))
    time.sleep(0.2)' "$MOLECULE_MOTO_URL/moto-api/" "http://$MOLECULE_REGISTRY/v2/"
}

stop_test_stack() {
    local pid
    for pid in "$TEST_STACK_DIR"/*.pid; do
        [ -e "$pid" ] && kill "$(cat "$pid")" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$TEST_STACK_DIR"
    unset MOLECULE_MOTO_URL MOLECULE_REGISTRY
}

# The awscli scenario works in containers of its own and shares nothing with the others (which work on this host, its
# Docker engine and the tests' moto and registry): it runs beside them, its output shown when it ends.
MOLECULE_BESIDE=(awscli)
stage_molecule() {
    local rc=0 role name log pid
    start_test_stack || { stop_test_stack; return 1; }
    log=$(mktemp /tmp/molecule-beside.XXXXXX)
    (for name in "${MOLECULE_BESIDE[@]}"; do
        echo "--- molecule: roles/$name/ (beside the others)"
        (cd "roles/$name" && molecule test) || exit 1
    done) >"$log" 2>&1 &
    pid=$!
    for role in roles/*/; do
        [ -d "$role/molecule/default" ] || continue
        [[ " ${MOLECULE_BESIDE[*]} " == *" $(basename "$role") "* ]] && continue
        echo "--- molecule: $role"
        (cd "$role" && molecule test) || rc=1
    done
    wait "$pid" || rc=1
    cat "$log" && rm -f "$log"
    stop_test_stack
    return $rc
}

stage_sanity() {
    scripts/sanity.sh
}

# The user's stack, before the stages that deploy and after them.
USER_STACK_SNAPSHOT=""
snapshot_user_stack() {
    [ -z "$USER_STACK_SNAPSHOT" ] || return 0
    USER_STACK_SNAPSHOT=$(mktemp /tmp/user-stack.XXXXXX.json)
    python3 tests/integration/user_stack.py snapshot "$USER_STACK_SNAPSHOT" || { echo "could not snapshot the user's stack" >&2; USER_STACK_SNAPSHOT=""; }
}

# The wheelhouse, once for the stages that build the image: every project copy the tests make takes it along.
WHEELHOUSE_READY=""
ensure_wheelhouse() {
    [ -z "$WHEELHOUSE_READY" ] || return 0
    WHEELHOUSE_READY=1
    scripts/wheelhouse.sh || echo "scripts/wheelhouse.sh failed: each project copy builds its own" >&2
}

passed=0 failed=0 failed_names=()
record() {
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1)); echo "=== stage $1 passed in $3s"
    else
        failed=$((failed + 1)); failed_names+=("$1"); echo "=== stage $1 FAILED in $3s"
    fi
}

for stage in "${stages[@]}"; do
    case $stage in integration | e2e | reliability | molecule) snapshot_user_stack ;; esac
    case $stage in e2e | reliability | molecule) ensure_wheelhouse ;; esac
    echo "=== stage: $stage"
    start=$SECONDS
    "stage_$stage"
    record "$stage" $? $((SECONDS - start))
done
if [ -n "$USER_STACK_SNAPSHOT" ]; then
    echo "=== check: the user's stack is as the stages found it"
    start=$SECONDS
    python3 tests/integration/user_stack.py compare "$USER_STACK_SNAPSHOT"
    record user-stack $? $((SECONDS - start))
    rm -f "$USER_STACK_SNAPSHOT"
fi
[ $failed -eq 0 ] || echo "failed stages: ${failed_names[*]}"
echo "stages: $passed passed, $failed failed"
[ $failed -eq 0 ]
