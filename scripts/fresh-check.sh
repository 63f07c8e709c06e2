#!/usr/bin/env bash
# `make fresh-check`: the README's two commands (`make demo`, `make test`) on a clean
# Debian 12 that has nothing of this machine's packages: a privileged podman container
# made from the debootstrap base the lab image already caches, with git and make only, a
# fresh `git clone` of this repository (its HEAD) and nested rootful podman inside.
# Prints each command's time; exits non-zero naming the command that failed and why.
#
#   FRESH_KEEP=1 scripts/fresh-check.sh     keep the container afterwards (to look inside)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/lib.sh
export CONTAINERS_CONF="$ROOT/.lab/containers.conf"

NAME=sop-fresh
STORAGE=sop-fresh-storage      # the nested podman's /var/lib/containers (overlay needs
                               # a real filesystem under it, not the container's overlay)
# Its own network: on podman's default one (10.88.0.0/16) the nested podman's default
# network would have the same subnet, and nested containers could not reach anything.
NETWORK=sop-fresh-net
SUBNET=10.231.99.0/24
LOGS=$ROOT/.lab/fresh-check
[[ $(id -u) -eq 0 ]] || die "fresh-check runs a privileged container: run as root"
base=$("$ROOT"/.venv/bin/python -c \
    'from pathlib import Path; from courtlab import image; print(image.recipe(Path(".")).rootfs_image)')
podman image exists "$base" || die "the debootstrap base $base is missing (make image)"

cleanup() {
    [[ ${FRESH_KEEP:-0} == 1 ]] && { log "kept: podman exec -it $NAME bash"; return; }
    podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
    podman volume rm -f "$STORAGE" >/dev/null 2>&1 || true
    podman network rm -f "$NETWORK" >/dev/null 2>&1 || true
}
cleanup
trap cleanup EXIT
mkdir -p "$LOGS"

log "starting $NAME from $base (privileged, nested podman storage on volume $STORAGE)"
podman network create --subnet "$SUBNET" "$NETWORK" >/dev/null
# --pids-limit=-1: podman's default of 2048 processes per container is a whole machine's
# budget here (the lab's five hosts, then two molecule scenarios at a time, each host with
# systemd, MariaDB's threads, PHP-FPM): past it every fork fails ("Resource temporarily
# unavailable"). A real machine has no such limit.
podman run -d --name "$NAME" --hostname "$NAME" --privileged --network "$NETWORK" --pids-limit=-1 \
    -v "$STORAGE:/var/lib/containers" -v "$ROOT:/src:ro" \
    "$base" sleep infinity >/dev/null
# The only thing taken from this machine: the local certificate authorities it trusts
# (Debian's /usr/local/share/ca-certificates), for a network whose HTTPS goes through an
# inspecting proxy. ca-certificates, installed by the set-up, adds them.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    podman exec "$NAME" mkdir -p /usr/local/share/ca-certificates
    for crt in /usr/local/share/ca-certificates/*.crt; do
        podman cp "$crt" "$NAME:/usr/local/share/ca-certificates/"
    done
fi

declare -a TIMES=()
step() {  # step NAME SCRIPT: run SCRIPT in the clean machine, log it, remember its time
    local name=$1 t0=$SECONDS rc=0 log=$LOGS/${1// /-}.log
    log "$name"
    podman exec -i -e DEBIAN_FRONTEND=noninteractive -w /root "$NAME" bash -euo pipefail -s \
        <<<"$2" 2>&1 | tee "$log" || rc=$?
    TIMES+=("$(printf '%-40s %5d s  exit %d' "$name" $((SECONDS - t0)) "$rc")")
    if ((rc != 0)); then
        summary
        printf 'fresh-check: `%s` failed (exit %d) in the clean Debian 12; its last lines (%s):\n' \
            "$name" "$rc" "$log" >&2
        grep -v '^\s*$' "$log" | tail -n 15 | sed 's/^/  | /' >&2
        exit 1
    fi
}
summary() { log "fresh-check times"; printf '  %s\n' "${TIMES[@]}" >&2; }

step "apt-get install git make" 'apt-get update -qq && apt-get install -y -qq git make >/dev/null'
step "git clone" 'git clone -q /src court-it-sop && git -C court-it-sop log --oneline -1'
step "make demo" 'cd court-it-sop && make demo'
step "make test" 'cd court-it-sop && make test'
summary
log "fresh-check passed: make demo and make test on a clean Debian 12"
