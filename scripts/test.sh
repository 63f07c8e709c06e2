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
timed() {  # timed NAME CMD...: run, remember the duration; the command's exit status
    local name=$1 t0=$SECONDS rc=0
    shift
    log "$name"
    "$@" || rc=$?
    TIMES+=("$(printf '%-28s %4d s%s' "$name" $((SECONDS - t0)) "$( ((rc)) && echo '  FAILED')")")
    return $rc
}

pytest_must_run() {  # a stage that collects no test fails (pytest's exit 5)
    local rc=0
    python -m pytest "$@" || rc=$?
    ((rc != 5)) || echo "pytest collected no tests for: $*" >&2
    return $rc
}

lint() {
    timed "ruff" ruff check .
    timed "mypy" mypy
    timed "vermin (host Python 3.9)" host_python
    timed "yamllint" yamllint -s .
    timed "ansible-lint (production)" ansible-lint --offline -q
    local m mods=()
    for m in library/*.py; do mods+=("$(basename "$m" .py)"); done
    if ((${#mods[@]})); then
        timed "ansible-doc (${#mods[@]} modules)" doc_modules "${mods[@]}"
    fi
    timed "ansible-doc (filters)" doc_filters
}

host_python() {  # what runs on the managed hosts needs no Python newer than Debian 11's 3.9
    # The modules, their shared code and the scripts roles install (python shebang);
    # annotations are never evaluated (`from __future__ import annotations` everywhere).
    vermin --no-config-file --target=3.9- --violations --no-tips --no-eval-annotations \
        --no-make-paths-absolute -q -vvv library module_utils roles \
        || die "code that runs on the managed hosts needs a Python newer than 3.9 (above)"
}

doc_modules() {  # one ansible-doc for all: it names each module it cannot render, exit 1
    ansible-doc -M library -t module "$@" >/dev/null || die "ansible-doc cannot render every module (above)"
}

doc_filters() {  # the documented filters: sop_*.yml beside a file, or a file's DOCUMENTATION
    local f names=()
    for f in plugins/filter/sop_*.yml; do names+=("$(basename "$f" .yml)"); done
    for f in $(grep -l '^DOCUMENTATION' plugins/filter/sop_*.py); do names+=("$(basename "$f" .py)"); done
    ansible-doc -t filter "${names[@]}" >/dev/null || die "ansible-doc cannot render every filter (above)"
}

run_unit() {
    # Unit tests on three workers, each test file on one (its module fixtures, e.g. the
    # podman hosts of tests/integration/test_sipp_backup.py, are made once). Three on two
    # cores: much of the slowest files' time is spent waiting on ansible-playbook, podman
    # and MariaDB. Measured 2026-12-07 one after the other on a quiet machine, 7,153
    # tests: two workers 17.5 min (CPU 27% idle), three 14.8 min (7% idle).
    pytest_must_run -m "not lab" -q --durations=12 -n 3 --dist loadfile
}

run_lab() {  # a freshly provisioned lab court, its tests, the court removed
    local rc=0
    if timed "lab up" sop-lab up; then
        lab_tests || rc=$?
    else
        rc=1
    fi
    lab_down || rc=1
    return $rc
}

lab_tests() {
    timed "pytest (lab)" pytest_must_run -m lab -q --durations=12
}

lab_down() {  # the court removed, nothing of it left behind
    LAB_UP_PID=
    timed "lab down" sop-lab down || return 1
    lab_is_gone
}

# `sop-lab up` in the background while lint and the unit tests run (ansible-lint uses one
# core; the unit stage's last minutes one worker): the court is ready when they end.
# Its output goes to .molecule-logs/lab-up.log, shown whole when it fails.
LAB_UP_PID=
lab_up_start() {
    rm -rf .molecule-logs  # this run's logs only
    mkdir -p .molecule-logs
    (
        t0=$SECONDS rc=0
        sop-lab up >.molecule-logs/lab-up.log 2>&1 || rc=$?
        echo "$rc $((SECONDS - t0))" >.molecule-logs/lab-up.result
    ) &
    LAB_UP_PID=$!
}

lab_up_wait() {  # its exit status; its time in the stage times
    local rc=1 secs=0
    wait "$LAB_UP_PID" || true
    [[ -f .molecule-logs/lab-up.result ]] && read -r rc secs <.molecule-logs/lab-up.result
    TIMES+=("$(printf '%-28s %4d s%s' "lab up (beside lint, unit)" "$secs" "$( ((rc)) && echo '  FAILED')")")
    if ((rc)); then
        log "sop-lab up failed; its output:"
        cat .molecule-logs/lab-up.log >&2
    fi
    return "$rc"
}

run_pytest() {
    timed "pytest (unit)" run_unit
    run_lab
}

lab_is_gone() {  # `sop-lab down` leaves no container and no network behind
    local left
    left=$(podman ps -a -q --filter label=sop.lab=court-lab; podman network ls -q --filter label=sop.lab=court-lab)
    [[ -z "$left" ]] || { echo "sop-lab down left these behind: $left" >&2; return 1; }
}

# Scenarios run MOLECULE_JOBS at a time (default 2): each has its own container and
# network names, and much of a scenario's time is spent waiting for hosts to boot and
# for SSH-less podman round trips, so two share the 2 cores of CI well. Each scenario's
# output goes to .molecule-logs/<scenario>.log, printed whole when it fails.
MOLECULE_JOBS=${MOLECULE_JOBS:-2}
# Scenarios that take 4-10 minutes (measured 2026-11-30), started first; every other
# scenario (1-3 minutes) follows in name order.
SLOW_SCENARIOS=(server_maintenance it_security website network sop_controller)
declare -a MOLECULE_QUEUE=()
MOLECULE_T0=0

molecule_one() {  # molecule_one SCENARIO: one scenario, its log, its time
    local s=$1 t0=$SECONDS rc=0
    molecule test -s "$s" >".molecule-logs/$s.log" 2>&1 || rc=$?
    printf '%s %d %d\n' "$s" "$rc" $((SECONDS - t0)) >>".molecule-logs/results"
    return $rc
}

molecule_worker() {  # run the queue's scenarios that no other worker has claimed yet
    local s
    for s in "${MOLECULE_QUEUE[@]}"; do
        mkdir ".molecule-logs/$s.claimed" 2>/dev/null || continue  # atomic: one worker each
        molecule_one "$s" || true
    done
}

molecule_start() {  # molecule_start WORKERS [SCENARIO...]: queue the scenarios, start workers
    local workers=$1 s
    shift
    MOLECULE_QUEUE=("$@")
    if ((${#MOLECULE_QUEUE[@]} == 0)); then  # the slowest first: the queues end together
        MOLECULE_QUEUE=("${SLOW_SCENARIOS[@]}")
        for s in molecule/*/molecule.yml; do
            s=$(basename "$(dirname "$s")")
            [[ " ${SLOW_SCENARIOS[*]} " == *" $s "* ]] || MOLECULE_QUEUE+=("$s")
        done
    fi
    mkdir -p .molecule-logs  # the last run's scenario logs go; lab-up.log stays
    find .molecule-logs -mindepth 1 -maxdepth 1 ! -name 'lab-up.*' -exec rm -rf {} +
    log "molecule: ${MOLECULE_QUEUE[*]} (logs in .molecule-logs/)"
    MOLECULE_T0=$SECONDS
    molecule_more "$workers"
}

molecule_more() {  # molecule_more N: N more workers on the queue
    local i
    for ((i = 0; i < $1; i++)); do molecule_worker & done
}

molecule_finish() {  # wait for every worker; times; the failed scenarios' logs
    local failed=() name rc secs
    wait
    while read -r name rc secs; do
        TIMES+=("$(printf '%-28s %4d s%s' "molecule $name" "$secs" "$( ((rc)) && echo '  FAILED')")")
        if ((rc)); then failed+=("$name"); fi
    done <.molecule-logs/results
    TIMES+=("$(printf '%-28s %4d s' "molecule (all, wall)" $((SECONDS - MOLECULE_T0)))")
    for name in "${failed[@]}"; do
        log "molecule $name failed; its log:"
        cat ".molecule-logs/$name.log" >&2
    done
    ((${#failed[@]} == 0)) || die "molecule scenarios failed: ${failed[*]}"
}

run_molecule() {
    molecule_start "$MOLECULE_JOBS" "$@"
    molecule_finish
}

run_all() {
    # The lab court is provisioned beside lint and the unit tests. One molecule worker
    # runs beside the lab tests; the others join when the lab is down.
    local rc=0
    lab_up_start
    lint
    timed "pytest (unit)" run_unit
    molecule_start 1
    if lab_up_wait; then
        lab_tests || rc=$?
    else
        rc=1
    fi
    lab_down || rc=1
    molecule_more $((MOLECULE_JOBS - 1))
    molecule_finish
    return $rc
}

on_exit() {  # a stage that failed early leaves no lab court behind
    if [[ -n "$LAB_UP_PID" ]]; then
        wait "$LAB_UP_PID" 2>/dev/null || true
        sop-lab down >/dev/null 2>&1 || true
    fi
    log "stage times"
    printf '  %s\n' "${TIMES[@]}" >&2
}
trap on_exit EXIT

case "$stage" in
    lint) lint ;;
    pytest) run_pytest ;;
    molecule) run_molecule "$@" ;;
    all) run_all ;;
    *) die "unknown stage '$stage' (all, lint, pytest, molecule)" ;;
esac
