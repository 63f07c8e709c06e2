#!/usr/bin/env bash
# The whole test suite (what `make test` and CI run), or one stage of it:
#   scripts/test.sh [all|lint|pytest|molecule [SCENARIO...]]
# pytest's lab tests run against a freshly provisioned lab court that is removed
# afterwards; molecule scenarios start their own disposable hosts.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/lib.sh
export PATH="$ROOT/.venv/bin:$PATH"
export CONTAINERS_CONF="$ROOT/.lab/containers.conf"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
export PY_COLORS=1
stage=${1:-all}
[[ $# -gt 0 ]] && shift

declare -a TIMES=()
timed() {  # timed NAME CMD...: run, remember the duration
    local name=$1 t0=$SECONDS
    shift
    log "$name"
    "$@"
    TIMES+=("$(printf '%-28s %4d s' "$name" $((SECONDS - t0)))")
}

pytest_must_run() {  # a stage that collects no test fails (pytest's exit 5)
    local rc=0
    python -m pytest "$@" || rc=$?
    [[ $rc -eq 5 ]] && die "pytest collected no tests for: $*"
    return $rc
}

lint() {
    timed "ruff" ruff check .
    timed "mypy" mypy
    timed "yamllint" yamllint -s .
    timed "ansible-lint (production)" ansible-lint --offline -q
    local m mods=()
    for m in library/*.py; do mods+=("$(basename "$m" .py)"); done
    if ((${#mods[@]})); then
        timed "ansible-doc (${#mods[@]} modules)" doc_modules "${mods[@]}"
    fi
}

doc_modules() {  # one ansible-doc for all: it names each module it cannot render, exit 1
    ansible-doc -M library -t module "$@" >/dev/null || die "ansible-doc cannot render every module (above)"
}

run_pytest() {
    # Unit tests on two workers, each test file on one (its module fixtures, e.g. the
    # podman hosts of tests/integration/test_sipp_backup.py, are made once).
    timed "pytest (unit)" pytest_must_run -m "not lab" -q --durations=12 -n 2 --dist loadfile
    timed "lab up" sop-lab up
    local rc=0
    timed "pytest (lab)" pytest_must_run -m lab -q --durations=12 || rc=$?
    timed "lab down" sop-lab down
    lab_is_gone
    return $rc
}

lab_is_gone() {  # `sop-lab down` leaves no container and no network behind
    local left
    left=$(podman ps -a -q --filter label=sop.lab=court-lab; podman network ls -q --filter label=sop.lab=court-lab)
    [[ -z "$left" ]] || die "sop-lab down left these behind: $left"
}

# Scenarios run MOLECULE_JOBS at a time (default 2): each has its own container and
# network names, and much of a scenario's time is spent waiting for hosts to boot and
# for SSH-less podman round trips, so two share the 2 cores of CI well. Each scenario's
# output goes to .molecule-logs/<scenario>.log, printed whole when it fails.
MOLECULE_JOBS=${MOLECULE_JOBS:-2}
# Scenarios that take 4-10 minutes (measured 2026-11-30), started first; every other
# scenario (1-3 minutes) follows in name order.
SLOW_SCENARIOS=(server_maintenance it_security website network sop_controller)

molecule_one() {  # molecule_one SCENARIO: one scenario, its log, its time
    local s=$1 t0=$SECONDS rc=0
    molecule test -s "$s" >".molecule-logs/$s.log" 2>&1 || rc=$?
    printf '%s %d %d\n' "$s" "$rc" $((SECONDS - t0)) >>".molecule-logs/results"
    return $rc
}

run_molecule() {
    local s scenarios=("$@") failed=() name rc secs
    if ((${#scenarios[@]} == 0)); then  # the slowest first: two queues end together
        scenarios=("${SLOW_SCENARIOS[@]}")
        for s in molecule/*/molecule.yml; do
            s=$(basename "$(dirname "$s")")
            [[ " ${SLOW_SCENARIOS[*]} " == *" $s "* ]] || scenarios+=("$s")
        done
    fi
    rm -rf .molecule-logs
    mkdir -p .molecule-logs
    log "molecule: ${scenarios[*]} ($MOLECULE_JOBS at a time; logs in .molecule-logs/)"
    local t0=$SECONDS
    for s in "${scenarios[@]}"; do
        while (($(jobs -rp | wc -l) >= MOLECULE_JOBS)); do wait -n || true; done
        molecule_one "$s" &
    done
    wait || true
    while read -r name rc secs; do
        TIMES+=("$(printf '%-28s %4d s%s' "molecule $name" "$secs" "$( ((rc)) && echo '  FAILED')")")
        if ((rc)); then failed+=("$name"); fi
    done <.molecule-logs/results
    TIMES+=("$(printf '%-28s %4d s' "molecule (all, wall)" $((SECONDS - t0)))")
    for name in "${failed[@]}"; do
        log "molecule $name failed; its log:"
        cat ".molecule-logs/$name.log" >&2
    done
    ((${#failed[@]} == 0)) || die "molecule scenarios failed: ${failed[*]}"
}

summary() {
    log "stage times"
    printf '  %s\n' "${TIMES[@]}" >&2
}
trap summary EXIT

case "$stage" in
    lint) lint ;;
    pytest) run_pytest ;;
    molecule) run_molecule "$@" ;;
    all) lint; run_pytest; run_molecule ;;
    *) die "unknown stage '$stage' (all, lint, pytest, molecule)" ;;
esac
