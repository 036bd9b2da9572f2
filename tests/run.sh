#!/usr/bin/env bash
# The whole test suite, or some of its stages: tests/run.sh [stage ...]
# Stages: stack lint unit integration e2e reliability molecule sanity (e2e and reliability, both asked for, run as one
# stage, e2e_reliability, whose modules share the xdist workers; lint, unit and sanity, asked for together, run beside
# each other where the first of them stands, and so do e2e_reliability and molecule). Every stage runs even when one fails;
# the exit code is non-zero if any failed. The stages that deploy (integration, e2e, reliability, molecule) use a moto
# and a registry of their own: the user's stack (`make deploy`'s moto on 5051, registry on 5050, its containers) is
# snapshotted before them and must be as it was after them, or the run fails (tests/support/user_stack.py).
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
    stray=$(tar -tzf "$out"/devops-fargate-*.tar.gz | grep -E '^(app|inventories|collections|deployments|bench|docs|\.venv|\.cache|\.pytest_cache|devkit|tests/(e2e|reliability|support)|tests/integration/[^/]+\.py|pytest\.ini)(/|$)|/molecule/|__pycache__' || true)
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
    reliability_session tests/reliability
}

# The e2e and reliability stages in one session when both run: their test modules (each on projects, a moto and a
# registry of its own; the dockerd faults on an engine of their own) share the xdist workers, the longest
# first, so that neither worker waits while the other works through a stage's longest module alone.
DEPLOY_MODULES=(
    tests/e2e/test_pipeline.py tests/reliability/test_faults.py tests/reliability/test_faults_services.py
    tests/reliability/test_load.py tests/e2e/test_promote.py
    tests/reliability/test_strategies.py tests/reliability/test_services.py tests/reliability/test_access_denied_roles.py tests/reliability/test_bad_input.py tests/reliability/test_real_shape.py
    tests/e2e/test_local_container_health.py tests/e2e/test_registry_image_push.py tests/e2e/test_local_stack_info.py
    tests/e2e/test_base_image.py tests/e2e/test_image_smoke_test.py tests/e2e/test_ecr_push.py tests/e2e/test_awscli_local.py
)
stage_e2e_reliability() {
    local module
    for module in tests/e2e/test_*.py tests/reliability/test_*.py; do
        [[ " ${DEPLOY_MODULES[*]} " == *" $module "* ]] || { echo "tests/run.sh: $module is not in DEPLOY_MODULES" >&2; return 1; }
    done
    reliability_session --no-loadscope-reorder "${DEPLOY_MODULES[@]}"
}

reliability_session() {
    local figures=${RELIABILITY_FIGURES:-$PWD/tests/output/reliability.json} rc
    mkdir -p "$(dirname "$figures")" && rm -f "$figures"
    # Each test module in a pytest-xdist worker of its own: the bad-input corpus runs while the fault runs wait. Three
    # workers on two cores: a deploy run waits much of its time (dockerd restarts, retries' back-off, added latency,
    # rollout and health polls), and a third worker fills it (measured: 1075 s against 1437 s with two).
    RELIABILITY_FIGURES=$figures run_pytest -q -p no:cacheprovider --durations=25 -n "${TEST_WORKERS:-3}" --dist loadfile "$@"
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

# Scenarios that share nothing with the others run beside them, each in a job of its own, their output shown when they
# end: awscli works in containers of its own; ecr works on repositories and images of its own names (molecule/ecr-*) in
# the tests' moto and registry, as fargate (molecule-fargate), image (molecule/fargate-demo) and run_local
# (molecule-run-local, port 18190) do, and local_stack on ports and a state directory of its own.
MOLECULE_BESIDE=(awscli ecr)
stage_molecule() {
    local rc=0 role name logs=() pids=() i start
    start_test_stack || { stop_test_stack; return 1; }
    for name in "${MOLECULE_BESIDE[@]}"; do
        logs+=("$(mktemp /tmp/molecule-beside.XXXXXX)")
        (echo "--- molecule: roles/$name/ (beside the others)"; start=$SECONDS
         cd "roles/$name" && molecule test; rc=$?; echo "--- molecule: roles/$name/ rc=$rc in $((SECONDS - start))s"; exit $rc) >"${logs[-1]}" 2>&1 &
        pids+=($!)
    done
    for role in roles/*/; do
        [ -d "$role/molecule/default" ] || continue
        [[ " ${MOLECULE_BESIDE[*]} " == *" $(basename "$role") "* ]] && continue
        echo "--- molecule: $role"
        start=$SECONDS
        (cd "$role" && molecule test) || rc=1
        echo "--- molecule: $role in $((SECONDS - start))s"
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || rc=1
        cat "${logs[$i]}" && rm -f "${logs[$i]}"
    done
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
    python3 tests/support/user_stack.py snapshot "$USER_STACK_SNAPSHOT" || { echo "could not snapshot the user's stack" >&2; USER_STACK_SNAPSHOT=""; }
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

# e2e and reliability, both asked for, run as one stage (e2e_reliability).
if [[ " ${stages[*]} " == *" e2e "* && " ${stages[*]} " == *" reliability "* ]]; then
    merged=()
    for stage in "${stages[@]}"; do
        case $stage in e2e) merged+=(e2e_reliability) ;; reliability) ;; *) merged+=("$stage") ;; esac
    done
    stages=("${merged[@]}")
fi

# Stages asked for together that share nothing run beside each other, at the place of the first of them, each in a job
# of its own and timed on its own; the first one's output is shown as it comes, the others' when all have ended.
# lint, unit and sanity only read the tree (each mostly one process). e2e_reliability and molecule deploy, each to a
# moto and a registry of its own, under names and ports of their own, on the shared dockerd (the dockerd faults stop
# an engine of their own): the deploy runs wait much of their time (rollout and health polls, retries' back-off,
# dockerd restarts), which the other fills.
BESIDE_GROUPS=("lint unit sanity" "e2e_reliability molecule")
beside_groups=()
for group in "${BESIDE_GROUPS[@]}"; do
    asked=()
    for stage in $group; do
        [[ " ${stages[*]} " == *" $stage "* ]] && asked+=("$stage")
    done
    [ ${#asked[@]} -gt 1 ] && beside_groups+=("${asked[*]}")
done

# Before a stage that deploys: the user's stack snapshotted, the wheelhouse built (once each).
before_stage() {
    case $1 in integration | e2e | reliability | e2e_reliability | molecule) snapshot_user_stack ;; esac
    case $1 in e2e | reliability | e2e_reliability | molecule) ensure_wheelhouse ;; esac
}

run_beside() {
    local group=("$@") stage logs=() pids=() i rc seconds
    for stage in "${group[@]}"; do
        before_stage "$stage"
    done
    echo "=== stages beside each other: ${group[*]} (the output of ${group[0]} as it comes, the others' at the end)"
    for i in "${!group[@]}"; do
        logs+=("$(mktemp /tmp/stage-beside.XXXXXX)")
        (if [ "$i" -gt 0 ]; then exec >"${logs[-1]}" 2>&1; fi
         start=$SECONDS; "stage_${group[$i]}"; rc=$?; echo "$rc $((SECONDS - start))" >"${logs[-1]}.rc"; exit "$rc") &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}"
    done
    for i in "${!pids[@]}"; do
        echo "=== stage: ${group[$i]} (beside: ${group[*]})"
        [ "$i" -eq 0 ] || cat "${logs[$i]}"
        read -r rc seconds <"${logs[$i]}.rc" || { rc=1; seconds=0; }
        record "${group[$i]}" "$rc" "$seconds"
        rm -f "${logs[$i]}" "${logs[$i]}.rc"
    done
}

for stage in "${stages[@]}"; do
    group=""
    for candidate in "${beside_groups[@]}"; do
        [[ " $candidate " == *" $stage "* ]] && group=$candidate
    done
    if [ -n "$group" ]; then
        # shellcheck disable=SC2086  # a group is its stages' names, split on purpose
        [ "$stage" != "${group%% *}" ] || run_beside $group
        continue
    fi
    before_stage "$stage"
    echo "=== stage: $stage"
    start=$SECONDS
    "stage_$stage"
    record "$stage" $? $((SECONDS - start))
done
if [ -n "$USER_STACK_SNAPSHOT" ]; then
    echo "=== check: the user's stack is as the stages found it"
    start=$SECONDS
    python3 tests/support/user_stack.py compare "$USER_STACK_SNAPSHOT"
    record user-stack $? $((SECONDS - start))
    rm -f "$USER_STACK_SNAPSHOT"
fi
[ $failed -eq 0 ] || echo "failed stages: ${failed_names[*]}"
echo "stages: $passed passed, $failed failed"
[ $failed -eq 0 ]
