#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Upgrade a server's packages: security only or all, never a held one (apt)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: server_updates
short_description: Upgrade pending packages (security only or all), never the held ones
description:
  - Refreshes apt's package lists, lists the pending upgrades with C(apt-get -s
    --with-new-pkgs upgrade) (one needing a new package, such as Debian's
    C(linux-image-amd64) at a kernel ABI change, is pending, not kept back), split into
    security (origin matching O(security_pattern)) and other, and upgrades the ones
    O(scope) selects to exactly the listed candidate versions (C(apt-get install
    --only-upgrade), keeping changed configuration files).
  - Packages held by dpkg or matching O(hold) are never upgraded; they are returned in
    C(held) so the report shows them (for example MariaDB, whose major version changes
    only by decision).
  - Upgrades apt keeps back itself, held by no one (their dependencies changed, so the
    new version needs a package removed or one apt cannot install), are not installed
    either, as C(apt-get upgrade) does not install them; they are returned in
    C(kept_back) for an administrator to review (C(apt full-upgrade) by hand).
  - Upgrades Ubuntu still phases in (apt defers them until the rollout reaches the host;
    never a security update) are not installed either and not held; they are returned
    in C(phased).
  - The install is simulated first; when apt would remove a package, or upgrade a held
    or kept-back one as a dependency of a chosen upgrade, nothing is installed and the
    module fails naming them. Dependencies apt adds are listed in C(upgraded) too (a new
    package with C(before) null).
  - A package whose candidate comes from another archive is a security update too when
    a security archive publishes a version between the installed one and the candidate
    (a Debian point release, Ubuntu's C(-updates) pocket, after the security fix); with
    O(scope=security) that security version is installed, not the candidate.
  - In check mode nothing is installed; C(upgraded) lists what would be.
  - "The packages are downloaded first (C(apt-get install --download-only)), stopped
    after O(download_timeout) seconds (plus O(lock_timeout), a wait for dpkg's lock)
    with nothing installed then, and installed from apt's cache (C(--no-download))
    without a time limit, as killing dpkg in the middle of an install would leave the
    server half-upgraded, worse than waiting for it.
    When apt's package lists change in between (an C(apt-get update) elsewhere), the
    install finds no archive for a version (apt's C(E: Unable to fetch some archives),
    C(E: Can't find a source to download version)) or, the version gone from the lists,
    no such version (C(E: Version '...' for '...' was not found)) and stops before
    anything is installed; the message then says so after apt's line (run it again, which repeats
    the download)."
  - Returns whether a reboot is required afterwards (C(/run/reboot-required), needrestart's
    kernel status or its CPU microcode status (a newer intel-microcode or amd64-microcode
    installed than the one running, loaded only at boot), a kernel package
    C(linux-image-*) it installed, which on Debian
    without unattended-upgrades or needrestart nothing else reports) and the services
    needing a restart.
  - A failed C(apt-get update) (an unreachable or broken repository) fails with apt's own
    error lines, first the one saying a disk is full when one does (C(No space left on
    device), a full C(/var)); nothing is upgraded then.
  - "Each command but the download and the install has a time limit (TIME_LIMITS in
    C(module_utils/sop_server.py)): C(apt-get update) 1800 seconds (C(apt_update): a
    fresh host's lists over a slow court link), C(apt-get -s upgrade), C(apt-mark
    showhold), C(apt-cache policy), C(apt-get -s install) and C(dpkg-query) 300 seconds
    each (C(apt_query): they only read apt's and dpkg's files, a hung C(/var) held them
    for good). One stopped fails in one line naming it (C(apt-get -s upgrade tidak
    selesai dalam 300 detik)); before the download nothing is installed then. A
    C(dpkg-query) that fails or is stopped after the install fails with its own line,
    not as an upgrade that did not take effect."
  - "Another process holding apt's or dpkg's lock (unattended-upgrades of
    C(apt-daily-upgrade.timer), C(apt-daily.service), an administrator's apt) is waited
    for up to O(lock_timeout) seconds: each C(apt-get install) waits for dpkg's lock
    itself (apt's option C(DPkg::Lock::Timeout)); C(apt-get update), which waits for no
    lock of its package lists, is tried again every few seconds while its failure is
    that lock. A lock still held then fails with one line naming the holder apt
    printed, the wait and that nothing was installed (C(apt/dpkg dipakai proses lain ...
    lebih dari 300 detik; tidak ada paket yang dipasang: jalankan lagi setelah proses
    itu selesai)); so does, at once, a lock of apt's downloaded archives
    (C(/var/cache/apt/archives/lock), C(apt-daily.service) downloading), which apt does
    not wait for."
version_added: "0.2.0"
author: Court IT SOP maintainers
options:
  scope:
    description: C(security) upgrades only security updates; C(all) every pending one.
    type: str
    choices: [security, all]
    default: security
  hold:
    description: Package name patterns (fnmatch) never upgraded (C(libc6) also holds C(libc6:i386)).
    type: list
    elements: str
    default: []
  security_pattern:
    description: Regular expression on an update's origin (archive/suite) marking it as a security update.
    type: str
    default: security
  update_cache:
    description: Run C(apt-get update) first.
    type: bool
    default: true
  download_timeout:
    description:
      - Seconds the download before the install (C(apt-get install --download-only)) may
        take; a download still running then is stopped and the module fails with
        nothing installed. The default hour takes a kernel and a MariaDB update, some
        200 MB, over a 1 Mbit/s link in about half of it. A whole number of seconds, from
        1 to 86400 (one day).
      - The wait for dpkg's lock (O(lock_timeout)) happens inside that C(apt-get), so its
        run is stopped after O(download_timeout) plus O(lock_timeout) seconds. A wait
        for the lock does not shorten the download, and the download's whole run may
        last that sum.
    type: int
    default: 3600
  lock_timeout:
    description:
      - Seconds to wait for another process holding apt's or dpkg's lock (unattended-upgrades)
        before failing with nothing installed; 0 does not wait. Each C(apt-get update) and
        C(apt-get install) waits up to this long, so a run may wait for it more than once
        (before the update, the download and the install). A whole number of seconds, from
        0 to 86400 (one day).
    type: int
    default: 300
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
requirements: [apt-get, dpkg-query (Debian or Ubuntu)]
"""

EXAMPLES = r"""
- name: Security updates, MariaDB held
  server_updates:
    scope: security
    hold: ["mariadb-*", "galera-*"]
  register: patch
"""

RETURN = r"""
upgraded:
  description: Packages upgraded (or, in check mode, that would be), with both versions
    (C(before) null for a new package an upgrade needs).
  returned: success
  type: list
  elements: dict
  sample: [{name: rsync, before: "3.2.7-1+deb12u2", after: "3.2.7-1+deb12u2+lab1", security: true}]
outside_scope:
  description: Pending upgrades outside the scope (other updates when scope is security).
  returned: success
  type: list
  elements: str
held:
  description: Packages with an upgrade that an administrator held (dpkg holds and
    O(hold)), never upgraded.
  returned: success
  type: list
  elements: str
kept_back:
  description: Packages whose upgrade apt kept back itself, held by no one (their
    dependencies changed); not upgraded, they wait for C(apt full-upgrade) or a review.
  returned: success
  type: list
  elements: str
phased:
  description: Packages whose upgrade Ubuntu still phases in, deferred by apt until the
    rollout reaches this host (not held by anyone).
  returned: success
  type: list
  elements: str
reboot_required:
  description: required (bool), reasons, services needing a restart, after the upgrade.
  returned: success
  type: dict
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: success
  type: dict
"""


import functools  # noqa: E402
import re  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_command import run_limited  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_server import (  # noqa: E402
    AptError,
    apt_failure,
    apt_lock,
    apt_lock_held,
    apt_pending,
    first_line,
    matches_any,
    parse_apt_simulation,
    pattern_problem,
    reboot_required,
    run_bounded,
    stopped,
)

INSTALL_OPTIONS = ["--only-upgrade", "--no-install-recommends", "--no-remove",
                   "-o", "Dpkg::Options::=--force-confold",
                   "-o", "Dpkg::Options::=--force-confdef"]
ENV = ["env", "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C"]
# apt's lines (LC_ALL=C) when an install with --no-download finds no archive in its cache
# for a version it is to install, or (the version gone from the lists) no such version.
NO_ARCHIVE = re.compile(r"E: (?:Unable to fetch some archives|Can't find a source to download "
                        r"version |Version '[^']+' for '[^']+' was not found)")


def simulate_install(module: AnsibleModule, chosen: list[dict[str, Any]],
                     pending: dict[str, Any], params: dict[str, Any]) -> list[dict[str, Any]]:
    """What installing exactly the chosen versions would change (apt-get -s install):
    the chosen upgrades and the dependencies apt adds to them. Fails, before anything is
    installed, when apt would remove a package or upgrade a held or kept-back one along
    the way (apt-get install -y does both without asking)."""
    rc, out, err = run_bounded(
        module, [*ENV, "apt-get", "-s", "-o", "Debug::NoLocking=1", "install", *INSTALL_OPTIONS,
                 *[f"{u['name']}={u['candidate']}" for u in chosen]], "apt_query")
    if rc is None:
        module.fail_json(msg=stopped("apt-get -s install", "apt_query")
                         + "; tidak ada paket yang dipasang", upgraded=[])
    if rc != 0:
        module.fail_json(msg="apt-get -s install failed: " + apt_failure(str(out), str(err)))
    removed = re.findall(r"^Remv (\S+)", str(out), re.MULTILINE)
    changes = parse_apt_simulation(str(out), params["security_pattern"])
    names = {u["name"] for u in chosen}
    held = [u["name"] for u in changes if u["name"] not in names
            and (u["name"] in pending["held"] or matches_any(u["name"], params["hold"]))]
    kept = [u["name"] for u in changes if u["name"] in pending["kept_back"]]
    if removed or held or kept:
        module.fail_json(msg="Pembaruan dibatalkan, apt akan "
                         + "; ".join(([f"menghapus {', '.join(removed)}"] if removed else [])
                                     + ([f"ikut memperbarui paket yang ditahan {', '.join(held)}"]
                                        if held else [])
                                     + ([f"ikut memperbarui paket yang tertahan apt "
                                         f"{', '.join(kept)} (perlu apt full-upgrade atau "
                                         "ditinjau)"] if kept else [])), upgraded=[])
    return [u for u in changes if u["name"] not in names]


def install(module: AnsibleModule, packages: list[str], seconds: int, lock_timeout: int) -> None:
    """Download the packages within ``seconds``, then install them from apt's cache with
    no time limit: a mirror that hangs is stopped while nothing is installed yet; dpkg
    killed in the middle of an install would leave the server half-upgraded, worse than
    waiting for it. Each apt-get waits up to ``lock_timeout`` seconds for dpkg's lock held
    by another process (unattended-upgrades), inside the download's run: that run is
    stopped after ``seconds`` plus ``lock_timeout``, so a wait for the lock does not
    shorten the download. Fails, nothing installed, when the download fails or does not
    end, or a lock stays held."""
    environ = {"DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
    options = [*INSTALL_OPTIONS, "-o", f"DPkg::Lock::Timeout={lock_timeout}"]
    argv = ["apt-get", "install", "-y", "-q", *options, "--download-only", *packages]
    rc, out, err = run_limited(module, argv, seconds + lock_timeout, environ_update=environ)
    if rc is None:
        waited = (f" (ditambah batas tunggu kunci dpkg {angka(lock_timeout)} detik)"
                  if lock_timeout else "")
        module.fail_json(msg=f"Unduhan paket: apt-get tidak selesai dalam {angka(seconds)} "
                         f"detik{waited} (mirror lambat atau tidak menjawab); tidak ada paket "
                         "yang dipasang", upgraded=[])
    if rc != 0:
        module.fail_json(msg=lock_held(out + err, lock_timeout)
                         or "apt-get --download-only failed: " + apt_failure(out, err),
                         upgraded=[])
    rc, out, err = module.run_command(
        ["apt-get", "install", "-y", "-q", *options, "--no-download", *packages],
        environ_update=environ)
    if rc != 0:
        module.fail_json(msg=lock_held(str(out) + str(err), lock_timeout)
                         or "apt-get install failed: " + apt_failure(str(out), str(err))
                         + lists_changed(str(out) + str(err)), upgraded=[])


def lock_held(output: str, lock_timeout: int) -> str:
    """apt_lock_held's line when apt-get install stopped at a lock another process holds,
    '' for another failure. apt waited ``lock_timeout`` seconds for dpkg's locks
    (DPkg::Lock::Timeout); for the downloaded archives' (/var/cache/apt/archives/lock,
    apt-daily.service downloading) it does not wait."""
    lock = apt_lock(output)
    if lock is None:
        return ""
    return apt_lock_held(lock, 0 if lock[0].endswith("/archives/lock") else lock_timeout)


def lists_changed(output: str) -> str:
    """What happened, in the report's words, when the install from apt's cache found no
    archive of a version it downloaded, or no such version: apt's package lists changed
    in between (an apt-get update of unattended-upgrades or an administrator), and apt
    fetches nothing with --no-download, so it stopped before dpkg ran. '' for another
    failure."""
    if not NO_ARCHIVE.search(output):
        return ""
    return ("; daftar paket apt berubah setelah unduhan (apt-get update lain berjalan), "
            "arsip paket yang diunduh tidak cocok lagi; tidak ada paket yang dipasang: "
            "jalankan perawatan lagi, unduhan diulang")


def installed_versions(module: AnsibleModule, names: list[str]) -> dict[str, str]:
    """The installed version of each package, as ``package:architecture`` and, for the
    last one listed, the bare package name. dpkg-query's ${Package} never carries the
    architecture while apt names a foreign one (libc6:i386): on a multiarch host the
    bare name alone mixed up libc6 and libc6:i386. Fails in one line when dpkg-query is
    stopped at TIME_LIMITS["apt_query"] or fails (its own line: a package it does not
    know, a damaged status file), never read as packages not upgraded."""
    rc, out, err = run_bounded(
        module, ["dpkg-query", "-W", "-f", "${Package} ${Architecture} ${Version}\\n", *names],
        "apt_query")
    unchecked = "paket sudah dipasang, versi terpasangnya tidak dapat diperiksa"
    if rc is None:
        module.fail_json(msg=f"{stopped('dpkg-query', 'apt_query')}: {unchecked}")
    elif rc != 0:
        module.fail_json(msg=f"dpkg-query gagal ({first_line(str(err), rc)}): {unchecked}")
    versions: dict[str, str] = {}
    for line in str(out).splitlines():
        fields = line.split(" ", 2)
        if len(fields) == 3:
            versions[f"{fields[0]}:{fields[1]}"] = versions[fields[0]] = fields[2]
    return versions


def installed_key(upgrade: dict[str, Any]) -> str:
    """How installed_versions names the package apt lists as upgrade["name"]."""
    name = upgrade["name"].split(":", 1)[0]
    return f"{name}:{upgrade['arch']}" if upgrade.get("arch") else name


def kernel_reboot(reboot: dict[str, Any], upgraded: list[dict[str, Any]]) -> None:
    """A kernel (linux-image-*) this run installs requires a reboot: on Debian only
    unattended-upgrades' kernel hook or needrestart says so, and a server with neither
    went on running the old kernel, its security fixes not in effect."""
    kernels = sorted(u["name"] for u in upgraded if u["name"].startswith("linux-image-"))
    if kernels:
        reboot["required"] = True
        reboot["reasons"].append(f"kernel diperbarui ({', '.join(kernels)})")


def in_scope(pending: dict[str, Any], scope: str) -> list[dict[str, Any]]:
    """The upgrades of the scope, each to the version it installs: a security-only
    upgrade of a package whose candidate came later from another archive installs the
    security archive's version (security_candidate), not the candidate."""
    if scope == "all":
        return [*pending["security"], *pending["other"]]
    return [{**u, "candidate": u.get("security_candidate") or u["candidate"]}
            for u in pending["security"]]


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "scope": {"type": "str", "choices": ["security", "all"], "default": "security"},
            "hold": {"type": "list", "elements": "str", "default": []},
            "security_pattern": {"type": "str", "default": "security"},
            "update_cache": {"type": "bool", "default": True},
            "download_timeout": {"type": "int", "default": 3600},
            "lock_timeout": {"type": "int", "default": 300},
        },
        supports_check_mode=True,
    )
    params = module.params
    problem = pattern_problem("security_pattern", params["security_pattern"])
    if problem:
        module.fail_json(msg=problem, setting="security_pattern")
    bad_timeout = (seconds_error(params, "download_timeout")
                   or seconds_error(params, "lock_timeout", zero="does not wait"))
    if bad_timeout:
        module.fail_json(**bad_timeout)
    if not module.get_bin_path("apt-get"):
        module.fail_json(msg="server_updates supports apt systems only (apt-get not found)")

    try:
        pending = apt_pending(functools.partial(run_bounded, module), params["update_cache"],
                              params["security_pattern"], params["hold"], params["lock_timeout"])
    except AptError as exc:
        module.fail_json(msg=str(exc))
    chosen = in_scope(pending, params["scope"])
    outside = [] if params["scope"] == "all" else [u["name"] for u in pending["other"]]
    extra = simulate_install(module, chosen, pending, params) if chosen else []
    upgraded = [{"name": u["name"], "before": u["installed"], "after": u["candidate"],
                 "security": u["security"]} for u in chosen + extra]
    if chosen and not module.check_mode:
        install(module, [f"{u['name']}={u['candidate']}" for u in chosen],
                params["download_timeout"], params["lock_timeout"])
        now = installed_versions(module, [u["name"] for u in chosen])
        wrong = [f"{u['name']} {now.get(installed_key(u))} (expected {u['candidate']})"
                 for u in chosen if now.get(installed_key(u)) != u["candidate"]]
        if wrong:
            module.fail_json(msg="upgrade did not take effect: " + ", ".join(wrong))
    reboot = reboot_required(lambda argv: run_bounded(module, argv, "needrestart"),
                             module.get_bin_path("needrestart"))
    kernel_reboot(reboot, upgraded)
    for line in reboot.pop("not_visible"):
        module.warn(f"layanan yang perlu restart tidak diketahui: {line}")
    module.exit_json(
        changed=bool(chosen), upgraded=upgraded, outside_scope=outside, held=pending["held"],
        kept_back=pending["kept_back"], phased=pending["phased"], reboot_required=reboot,
        sop_output={"upgraded": [f"{u['name']} {u['before'] or '(baru)'} -> {u['after']}"
                                 for u in upgraded],
                    "outside_scope": outside, "held": pending["held"],
                    "kept_back": pending["kept_back"], "phased": pending["phased"],
                    "reboot_required": reboot["required"], "check_mode": module.check_mode})


if __name__ == "__main__":
    main()
