#!/usr/bin/env bash
# Set up everything this project needs on a Debian 12 control node, from nothing.
# Idempotent: a second run only checks. Runs as root (apt); set SKIP_APT=1 to skip the
# system packages when they are already installed by other means.
#
#   scripts/setup.sh            system packages, venv (.venv), collections, podman config
#   PYTHON=python3.11 VENV=/tmp/venv311 scripts/setup.sh    another interpreter / venv
#
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

# Debian packages: podman + runc for the lab, debootstrap for its image, MariaDB and
# compression clients for the SIPP SOPs, rsync/ssh for copies, sqlite3 for the store.
# python3-venv: Debian's Python 3.11 has no venv/ensurepip without it.
# postgresql: the store tests run on a throwaway PostgreSQL cluster as well as SQLite;
# systemd: systemd-analyze checks the timers `sop schedule` writes; tzdata: the court's
# time zone they name (Priority required in Debian 12, named so that no slim image lacks it).
# procps: pgrep/ps for the runner's process tests (not in a minimal Debian).
# iputils-ping: the network SOP's reachability module is tested with the real ping.
# iproute2: its modules are tested with the real ip in a network namespace (not in minbase).
# nftables: the gateway's ruleset snapshot is tested with the real nft in a namespace
# (Debian installs its service disabled: nothing on this machine's firewall changes).
# goaccess: the plain tool the website log-audit benchmark is measured against.
# yara: the IT-security SOP's malware rules (roles/it_security/files/malware.yar) are
# tested with the real scanner the web hosts run.
# locales: localedef and the id_ID source, for the test of a server whose locale is Indonesian.
# poppler-utils (pdftoppm), libpango + fonts: WeasyPrint renders the monthly PDF report,
# and the tests turn its pages into PNG.
# netavark + aardvark-dns: podman only *recommends* them; without them it falls back to
# CNI with no DNS, and lab hosts cannot resolve each other by name.
APT_PACKAGES=(podman runc netavark aardvark-dns iptables debootstrap uidmap slirp4netns fuse-overlayfs
              mariadb-client zstd rsync openssh-client sqlite3 make git curl ca-certificates
              python3 python3-venv
              postgresql systemd tzdata procps
              iputils-ping iproute2 nftables goaccess yara locales poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

# Collections come out of this pinned `ansible` release on PyPI (no Galaxy needed).
ANSIBLE_COLLECTIONS_RELEASE=14.5.0
COLLECTIONS=(containers.podman ansible.mysql community.general ansible.posix
             community.routeros ansible.netcommon ansible.utils)

pip_quiet() {  # pip, minus warnings about configured local indexes that do not exist
    "$VENV"/bin/python -m pip "$@" 2> >(grep -v "^WARNING: Location 'file:" >&2)
}

install_apt() {
    [[ "${SKIP_APT:-0}" == 1 ]] && return 0
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        if [[ $(id -u) -ne 0 ]]; then
            die "missing Debian packages (${missing[*]}); run this script as root"
        fi
        log "installing Debian packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

usable_python() {  # usable_python CMD: prints its version as 311, 313, ... if >= 3.11 with venv
    local v
    v=$("$1" -c 'import sys; print(sys.version_info[0]*100+sys.version_info[1])' 2>/dev/null) || return 1
    "$1" -c 'import venv, ensurepip' >/dev/null 2>&1 || return 1
    ((v >= 311)) && echo "$v"
}

pick_python() {
    # $PYTHON if set; else the system's own python3 (Debian 12: 3.11, what a court's
    # controller has, so that this machine tests what a fresh one runs, not a Python
    # installed here by other means); else the newest Python >= 3.11 on PATH (pyenv
    # installs included).
    if [[ -n "${PYTHON:-}" ]]; then command -v "$PYTHON" && return 0; die "PYTHON=$PYTHON not found"; fi
    if usable_python /usr/bin/python3 >/dev/null; then echo /usr/bin/python3; return 0; fi
    local c v best="" bestv=0
    local candidates=(python3.14 python3.13 python3.12 python3.11 python3)
    # pyenv installs (their shims fail when the version is not selected).
    candidates+=("${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3)
    for c in "${candidates[@]}"; do
        command -v "$c" >/dev/null 2>&1 || continue
        v=$(usable_python "$c") || continue
        if ((v > bestv)); then best=$c; bestv=$v; fi
    done
    [[ -n "$best" ]] || die "no Python >= 3.11 with venv found (apt-get install python3-venv)"
    command -v "$best"
}

VENV=${VENV:-.venv}

install_venv() {
    local stamp=$VENV/.setup-stamp want
    want=$(sha256sum < pyproject.toml | cut -c1-16)
    if [[ -x $VENV/bin/python && -f $stamp && $(cat $stamp) == "$want" ]]; then
        return 0
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        local py
        py=$(pick_python)
        log "creating $VENV with $($py --version)"
        "$py" -m venv "$VENV"
    fi
    log "installing the project and its tools into $VENV"
    pip_quiet install -q --upgrade pip
    pip_quiet install -q -e '.[dev]'
    echo "$want" > $stamp
}

install_collections() {
    local dest=collections/ansible_collections stamp=collections/ansible_collections/.release want
    want="$ANSIBLE_COLLECTIONS_RELEASE ${COLLECTIONS[*]}"
    if [[ -f $stamp && $(cat $stamp) == "$want" ]]; then
        return 0
    fi
    log "extracting collections from ansible==$ANSIBLE_COLLECTIONS_RELEASE (PyPI)"
    local tmp
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    pip_quiet download -q --no-deps --ignore-requires-python -d "$tmp" "ansible==$ANSIBLE_COLLECTIONS_RELEASE"
    rm -rf "$dest"
    mkdir -p "$dest"  # the stamp lives inside: a fresh clone never has it
    local patterns=()
    for c in "${COLLECTIONS[@]}"; do patterns+=("ansible_collections/${c/./\/}/*"); done
    "$VENV"/bin/python - "$tmp"/ansible-*.whl "$dest" "${patterns[@]}" <<'PY'
import fnmatch, sys, zipfile, pathlib
wheel, dest, *patterns = sys.argv[1:]
root = pathlib.Path(dest).parent
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if any(fnmatch.fnmatch(name, p) for p in patterns):
            z.extract(name, root)
PY
    echo "$want" > $stamp
}

write_containers_conf() {
    # Rootful podman needs runc and explicit ulimits here (see README "Lab").
    mkdir -p .lab
    local n u
    n=$(ulimit -Hn)
    u=$(ulimit -Hu)
    [[ "$u" == unlimited ]] && u=32768
    ((u > 32768)) && u=32768
    [[ "$n" == unlimited ]] && n=1048576
    cat > .lab/containers.conf.new <<CONF
# Written by scripts/setup.sh; used through CONTAINERS_CONF by the lab, molecule and tests.
[containers]
default_ulimits = ["nofile=$n:$n", "nproc=$u:$u"]

[engine]
runtime = "runc"
stop_timeout = 1

[network]
network_backend = "netavark"
CONF
    mv .lab/containers.conf.new .lab/containers.conf
}

# Commands the lab, the tests and the SOPs run on this machine, with the Debian package
# that provides each (checked even with SKIP_APT=1: nothing is assumed to be there).
REQUIRED_COMMANDS=(podman:podman runc:runc debootstrap:debootstrap iptables:iptables
                   ssh:openssh-client ssh-keygen:openssh-client mariadb:mariadb-client
                   zstd:zstd rsync:rsync sqlite3:sqlite3 git:git make:make curl:curl
                   systemd-analyze:systemd pgrep:procps)
PODMAN_HELPER_DIRS=(/usr/local/libexec/podman /usr/local/lib/podman /usr/libexec/podman /usr/lib/podman)
LAB_IMAGE=localhost/sop-lab:latest

helper_present() {  # podman's network helpers live in its helper_binaries_dir
    local d
    for d in "${PODMAN_HELPER_DIRS[@]}"; do [[ -x $d/$1 ]] && return 0; done
    return 1
}

verify_runtime() {
    # Every runtime prerequisite the lab relies on, each failing with one line naming it.
    local c missing=()
    for c in "${REQUIRED_COMMANDS[@]}"; do
        command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c%%:*} (Debian package ${c#*:})")
    done
    helper_present netavark || missing+=("netavark (Debian package netavark: podman's network backend)")
    helper_present aardvark-dns || missing+=("aardvark-dns (Debian package aardvark-dns: name resolution between lab hosts)")
    ((${#missing[@]} == 0)) || die "missing: ${missing[*]}"
    export CONTAINERS_CONF=$ROOT/.lab/containers.conf
    local info backend runtime
    info=$(podman info --format '{{.Host.NetworkBackend}} {{.Host.OCIRuntime.Name}}' 2>&1 | tail -n 1) \
        || die "podman info failed: $info"
    read -r backend runtime <<<"$info"
    [[ $backend == netavark ]] \
        || die "podman's network backend is '$backend', not netavark (as .lab/containers.conf sets): lab hosts cannot resolve each other by name"
    [[ $runtime == runc ]] || die "podman's OCI runtime is '$runtime', not runc (.lab/containers.conf)"
    runc --version >/dev/null 2>&1 || die "runc is installed but does not run: $(runc --version 2>&1 | tail -n 1)"
    verify_container_run
}

verify_container_run() {
    # Once the lab image exists: one tiny container with the project's settings (runtime,
    # ulimits). Remembered by a stamp of what it depends on, so a second set-up skips it.
    local id stamp=.lab/runtime-ok want out
    id=$(podman image inspect --format '{{.Id}}' "$LAB_IMAGE" 2>/dev/null) || return 0
    want=$( { cat .lab/containers.conf; podman --version; runc --version; echo "$id"; } | sha256sum | cut -c1-16)
    [[ -f $stamp && $(cat $stamp) == "$want" ]] && return 0
    out=$(podman run --rm --network none "$LAB_IMAGE" sh -c 'ulimit -n' 2>&1) \
        || die "podman cannot run a container with .lab/containers.conf (runc, ulimits nofile/nproc): $(tail -n 1 <<<"$out")"
    echo "$want" > $stamp
}

install_apt
install_venv
install_collections
write_containers_conf
verify_runtime
log "set-up complete (ansible-core $("$VENV"/bin/python -c 'import ansible.release as r; print(r.__version__)'))"
