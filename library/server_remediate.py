#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One guarded remediation of a failing server, recorded with before and after."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: server_remediate
short_description: Run one guarded remediation of a failing server, with before and after
description:
  - Runs exactly the O(action) asked for, from a fixed list, and returns what it measured
    before and after, so the incident record shows its effect.
  - C(restart_service) restarts those of O(services) that are enabled and stopped or
    failed (a stopped or failed database or web server); a running one is never touched,
    nor one starting, reloading or being stopped (C(activating), C(reloading),
    C(deactivating), an administrator may be stopping it), which is named in C(skipped).
    A failed unit that is not enabled (C(disabled) or C(masked), turned off by an
    administrator, or not this server's service) is not restarted either and is named in
    C(skipped) with its state; a stopped one that is not enabled is left alone unnamed.
    A unit named twice (C(mysql) is an alias of C(mariadb) on Debian) is restarted once,
    under the first name given. A unit whose state C(systemctl) does not say (no systemd
    as PID 1, a hung manager) is not restarted and is named in C(skipped) with
    systemctl's first error line, or C(systemctl tidak ada) on a host without it.
    A restart that does not finish within the time limit (TIME_LIMITS in
    C(module_utils/sop_server.py)) fails naming the unit; systemd's job may still run.
    A unit the restart did not bring back fails naming it with systemctl's reason (the
    start's exit code, a timeout, its start limit).
  - >-
    C(clean_package_cache) removes downloaded package files (C(apt-get clean)). Without
    C(/var/cache/apt/archives) (removed by hand to free space) there is nothing to clean;
    the free space is that of the folder above it. An C(apt-get clean) that does not end
    within 300 seconds (C(apt_clean) in TIME_LIMITS, C(module_utils/sop_server.py); a
    hung disk or NFS mount under its cache) is stopped and fails the module in one line
    (C(apt-get clean gagal: apt-get tidak selesai dalam 300 detik), then the likely
    cause), with C(before).
  - C(remove_rotated_logs) deletes rotated logs under C(/var/log) older than
    O(log_min_age_days), named as logrotate names them, C(NAME.N) (N from 1 to 9999) or
    C(NAME-YYYYMMDD) (C(dateext); C(NAME-YYYYMMDDHH) hourly), each also with C(.gz),
    C(.bz2), C(.xz) or C(.zst); current logs are never touched (C(NAME.N) needs a NAME not
    ending in a digit, so C(10.0.0.1), a host's log by its address, is no rotation; nor are
    MariaDB's binary logs C(mysql-bin.000123)). Folders are
    entered and files removed without following symbolic links (a service's account that
    owns its log folder cannot redirect the removal outside C(/var/log)); each file
    removed is named on one line, a control character in its name written as C(\x0a).
  - >-
    C(remove_rotated_logs) stays on the file system of C(/var/log), as C(find -xdev)
    does. A mount point below it (in C(/proc/self/mountinfo); an NFS share of old logs,
    a disk of its own for C(/var/log/audit)) is not entered, nor even looked at, since
    the stat of a hung NFS mount never returns; neither is a folder on another device,
    nor what a symbolic link points to. Each is named in C(skipped) and warned
    (C(/var/log/arsip adalah sistem berkas lain), its type, then C(tidak dimasuki)).
    Without a readable C(/proc/self/mountinfo) nothing is removed and that is named in
    C(skipped).
  - C(clean_package_cache) and C(remove_rotated_logs) measure the free space of the
    package cache and C(/var/log) within 10 seconds (C(statvfs) in TIME_LIMITS,
    C(module_utils/sop_server.py)). One that does not answer by then (a hung NFS server,
    a dying disk) or cannot be measured is named in C(skipped) and the action is not run
    (C(/var/log tidak menjawab dalam 10 detik), then the likely cause, and C(log rotasi
    tidak dihapus)); one not measured after the action is named in C(after) under
    C(error).
  - >-
    In check mode nothing is changed; C(after) is then what is known before. What the
    action would do is returned in C(planned) and recorded under C(akan_dilakukan), never
    as done: C(done) is empty and the record has no C(dilakukan). C(changed) says, as
    Ansible's check mode does, whether a real run would change something.
version_added: "0.2.0"
author: Court IT SOP maintainers
options:
  action:
    description: The remediation to run.
    type: str
    required: true
    choices: [restart_service, clean_package_cache, remove_rotated_logs]
  services:
    description:
      - Units C(restart_service) may restart, each C(NAME) or C(NAME@INSTANCE) without
        C(.service).
      - A name that is no such unit name (a glob pattern, which C(systemctl restart) would
        expand to every loaded unit matching it, running ones too; one beginning with
        C(-), read as an option; one given with C(.service)) fails the module with one
        line naming it, before C(systemctl) is asked anything.
    type: list
    elements: str
    default: [mariadb, mysql, nginx, apache2]
  log_min_age_days:
    description:
      - Rotated logs younger than this (days) are kept by C(remove_rotated_logs), the only
        action it means something to; the other actions neither use nor judge it.
      - >-
        0 (every rotated log) up to 3650 (ten years), else C(remove_rotated_logs) fails
        with one line naming it and C(setting) C(log_min_age_days), before anything is
        removed.
    type: int
    default: 7
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Restart the stopped database or web server
  server_remediate:
    action: restart_service
    services: [mariadb, nginx]
"""

RETURN = r"""
before:
  description: What the action measures, before it (each service's unit, active and enabled states, or free space and bytes; error, why the space was not measured).
  returned: success
  type: dict
after:
  description: The same, after it.
  returned: success
  type: dict
done:
  description: What the action did (units restarted, files removed); empty in check
    mode, which does nothing (see C(planned)).
  returned: success
  type: list
  elements: str
  sample: ["restart mariadb"]
planned:
  description: What the action would do (units it would restart, files it would
    remove), named as C(done) names them; nothing of it was done.
  returned: in check mode
  type: list
  elements: str
  sample: ["restart mariadb"]
skipped:
  description: Units C(restart_service) left alone because they were in the middle of a
    start, reload or stop, failed but not enabled, or their state could not be read; or
    the cleaning C(clean_package_cache) or C(remove_rotated_logs) did not run because
    the space of its folder did not answer in time or could not be measured; or a
    mount below C(/var/log) that C(remove_rotated_logs) did not enter.
  returned: success
  type: list
  elements: str
sop_output:
  description: The compact record the C(sop) runner keeps (tindakan, the action; sebelum
    and sesudah, before and after; dilakukan, the first 20 of C(done), or in check mode
    akan_dilakukan, the first 20 of C(planned), what would be done and was not;
    dilewati, C(skipped); uji_coba, whether it ran in check mode).
  returned: success
  type: dict
"""

import errno  # noqa: E402
import functools  # noqa: E402
import glob  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import stat  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_options import duration_error  # noqa: E402
from ansible.module_utils.sop_server import (  # noqa: E402
    TIME_LIMITS,
    NotAnswered,
    apt_failure,
    bounded,
    file_system,
    first_line,
    mounts_below,
    not_answering,
    run_bounded,
    services_problem,
    timed_out,
)
from ansible.module_utils.sop_tree import shown, unlink_same  # noqa: E402

LOGS = "/var/log"
MOUNTINFO = "/proc/self/mountinfo"
PACKAGE_CACHE = "/var/cache/apt/archives"
# logrotate's rotated names: NAME.N (N up to 4 digits: MariaDB's binary log
# mysql-bin.000123 or .100000 and rotatelogs' live access.log.1733400000 are longer or
# begin with 0) and NAME-YYYYMMDD[HH] (dateext; HH when hourly), each compressed or not.
# NAME.N needs a NAME not ending in a digit or a dot: rsyslog's live log of a host by its
# address (10.0.0.1) is no rotation of '10.0.0'.
ROTATED = re.compile(r"(?:(?<=[^\d.])\.[1-9]\d{0,3}|-\d{8}(?:\d{2})?)(?:\.(?:gz|bz2|xz|zst))?$")


def unit_state(module: AnsibleModule, systemctl: str | None, name: str) -> dict[str, str] | None:
    """The unit's own name (Id: mariadb.service for its alias mysql), ActiveState and
    UnitFileState of a loaded or masked unit (a masked one's LoadState is masked, and it
    may still be failed), asked of ``systemctl`` (its path); active '?' with the
    reason when systemctl did not answer in time (a hung systemd) or failed (no systemd as
    PID 1), or is not there (None; run_command's bare 'Error executing command.'
    otherwise): not a unit missing."""
    if not systemctl:
        return {"unit": f"{name}.service", "active": "?", "enabled": "?",
                "error": "systemctl tidak ada"}
    argv = [systemctl, "show", f"{name}.service", "-p", "Id,LoadState,ActiveState,UnitFileState"]
    rc, out, err = run_bounded(module, argv, "systemctl")
    if rc != 0:
        return {"unit": f"{name}.service", "active": "?", "enabled": "?",
                "error": timed_out(argv, "systemctl") if rc is None
                else f"systemctl: {first_line(err, rc)}"}
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    if props.get("LoadState") not in ("loaded", "masked"):
        return None
    return {"unit": props.get("Id", f"{name}.service"), "active": props.get("ActiveState", "?"),
            "enabled": props.get("UnitFileState", "?")}


def loaded_units(module: AnsibleModule, systemctl: str | None,
                 names: list[str]) -> dict[str, dict[str, str]]:
    """unit_state of each loaded unit of ``names``, one name per unit: mysql.service is
    an alias of mariadb.service on Debian, restarted once, under the first name given."""
    states: dict[str, dict[str, str]] = {}
    for name in names:
        state = unit_state(module, systemctl, name)
        if state and state["unit"] not in [s["unit"] for s in states.values()]:
            states[name] = state
    return states


# Units restarted: stopped or failed. One activating, reloading or deactivating is in the
# middle of something (an administrator stopping it, a slow start): it is named, not touched.
RESTARTABLE = ("failed", "inactive")


def restart_service(module: AnsibleModule) -> tuple[dict[str, Any], dict[str, Any], list[str],
                                                    list[str]]:
    # one path for the states and the restart: a systemctl in /usr/sbin alone, not on the
    # module's PATH, was found for the states and the restart then failed to start
    systemctl = module.get_bin_path("systemctl")
    before = loaded_units(module, systemctl, module.params["services"])
    names = list(before)
    enabled = {n: s for n, s in before.items() if s["enabled"] in ("enabled", "static")}
    todo = [n for n, s in enabled.items() if s["active"] in RESTARTABLE]
    skipped = [f"{n} sedang {s['active']}, tidak di-restart" for n, s in enabled.items()
               if s["active"] not in RESTARTABLE and s["active"] != "active"]
    # failed, yet turned off (disabled, masked): an administrator's decision, not undone
    skipped += [f"{n} gagal, tetapi status unitnya {s['enabled'] or 'kosong'} (bukan enabled), "
                "tidak di-restart" for n, s in before.items()
                if n not in enabled and s["active"] == "failed"]
    skipped += [f"{n}: status tidak terbaca ({s['error']}), tidak di-restart"
                for n, s in before.items() if "error" in s]
    for line in skipped:
        module.warn(line)
    unfinished, refused = [], {}
    if not module.check_mode:
        for name in todo:
            rc, _out, err = run_bounded(module, [str(systemctl), "restart", f"{name}.service"],
                                        "restart")
            if rc is None:
                unfinished.append(f"restart {name} tidak selesai dalam "
                                  f"{angka(TIME_LIMITS['restart'])} detik")
            elif rc != 0:  # systemctl's first line says why: exit code, timeout, start limit
                refused[name] = next((line.strip() for line in err.splitlines() if line.strip()),
                                     f"systemctl restart exit {rc}")
    if unfinished:  # systemd's job may still run: its state now would say little
        module.fail_json(msg="; ".join(unfinished) + " (systemd mungkin masih menjalankannya)",
                         before=before, after={})
    after = {n: unit_state(module, systemctl, n) for n in names} if not module.check_mode else before
    failed = [n for n in todo if not module.check_mode and (after[n] or {}).get("active") != "active"]
    if failed:
        module.fail_json(msg="tidak aktif kembali setelah restart: " + ", ".join(
            f"{n} ({refused[n]})" if n in refused else n for n in failed),
                         before=before, after=after)
    return before, after, [f"restart {n}" for n in todo], skipped


def space(path: str, files: list[str]) -> dict[str, Any]:
    return {"free_mb": file_system(path)["free_mb"],
            "bytes": sum(os.path.getsize(f) for f in files if os.path.isfile(f))}


def unmeasured(path: str, exc: Exception) -> str:
    """Why the space of ``path`` is not known: it did not answer within
    TIME_LIMITS["statvfs"] (NotAnswered) or its statvfs failed (an OSError)."""
    if isinstance(exc, OSError):
        return f"ruang {path} tidak dapat diukur ({exc.strerror})"
    return not_answering(path)


def measured(path: str, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """measure()'s space of ``path`` within TIME_LIMITS["statvfs"] (bounded(): a hung NFS
    mount or a dying disk blocks statvfs, and a stat or a listing of it, for good), else
    why it is not known (error)."""
    try:
        return bounded(measure, TIME_LIMITS["statvfs"])
    except (NotAnswered, OSError) as exc:
        return {"error": unmeasured(path, exc)}


def not_run(module: AnsibleModule, path: str, exc: Exception, step: str
            ) -> tuple[dict[str, Any], dict[str, Any], list[str], list[str]]:
    """An action not run because the space of ``path`` is not known (unmeasured): named
    in skipped and warned, as a unit left alone is; nothing done, after as before."""
    reason = unmeasured(path, exc)
    line = f"{reason}, {step}"
    module.warn(line)
    return {"error": reason}, {"error": reason}, [], [line]


def package_cache() -> tuple[str, list[str], dict[str, Any]]:
    """The package cache's folder (the nearest one there), its downloaded packages and
    its space before the cleaning."""
    files = glob.glob(f"{PACKAGE_CACHE}/*.deb")
    cache = PACKAGE_CACHE  # removed in a full disk's rush: nothing to clean, its parent measured
    while not os.path.isdir(cache):
        cache = os.path.dirname(cache)
    return cache, files, space(cache, files)


def clean_package_cache(module: AnsibleModule) -> tuple[dict[str, Any], dict[str, Any], list[str],
                                                        list[str]]:
    try:
        cache, files, before = bounded(package_cache, TIME_LIMITS["statvfs"])
    except (NotAnswered, OSError) as exc:
        return not_run(module, PACKAGE_CACHE, exc, "cache paket tidak dibersihkan")
    if files and not module.check_mode:
        # resolved as the restart's systemctl is (/usr/sbin too, not the module's PATH alone)
        apt_get = module.get_bin_path("apt-get")
        if not apt_get:
            module.fail_json(msg="apt-get clean gagal: apt-get tidak ada")
        argv = [apt_get, "clean"]
        rc, _out, err = run_bounded(module, argv, "apt_clean", environ_update={"LC_ALL": "C"})
        if rc is None:  # a hung file system: part of the files may be gone
            module.fail_json(msg=f"apt-get clean gagal: {timed_out(argv, 'apt_clean')} (disk "
                             "atau NFS macet?), dihentikan", before=before, after={})
        if rc != 0:
            module.fail_json(msg="apt-get clean gagal: " + apt_failure("", err), before=before,
                             after={})
    after = before if module.check_mode else measured(cache, lambda: space(
        cache, glob.glob(f"{PACKAGE_CACHE}/*.deb")))
    return before, after, [f"hapus {len(files)} paket unduhan"] if files else [], []


# Folders below /var/log are opened without following a link (O_NOFOLLOW), not waiting
# on anything that is no folder (O_NONBLOCK).
_BELOW = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def other_file_system(path: str, kind: str | None) -> str:
    """The skipped line of a folder below /var/log on another file system, not entered."""
    what = f"sistem berkas lain ({kind})" if kind else "sistem berkas lain"
    return f"{shown(path)} adalah {what}: tidak dimasuki, log rotasi di dalamnya tidak dihapus"


def old_rotated_logs(top: str, cutoff: float, mounted: dict[str, str],
                     not_entered: list[str]) -> Iterator[tuple[str, int, os.stat_result]]:
    """Rotated logs (regular files) under ``top`` last written before ``cutoff``: (path,
    its folder's descriptor, valid until the next one is asked for, its status).

    Some folders under /var/log belong to a service's account (/var/log/mysql); one that
    account swaps for a link to /etc is not entered, and files are named through their
    folder's descriptor, so root never removes anything outside /var/log.

    The walk stays on ``top``'s file system, as ``find -xdev``: a mount point of
    ``mounted`` (mounts_below) is never looked at (the stat of a hung NFS mount's folder
    never returns), and a folder on another device (mounted since the table was read) is
    not entered; each is named in ``not_entered``. A link is never followed, not even to
    ask whether it points to a folder (os.fwalk did, and hung on a link to a dead NFS
    mount)."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    device = os.fstat(fd).st_dev

    def walk(folder: str, dir_fd: int) -> Iterator[tuple[str, int, os.stat_result]]:
        try:
            with os.scandir(dir_fd) as listing:
                entries = list(listing)
        except OSError:  # unreadable: skipped, as os.fwalk skipped it
            return
        for entry in entries:
            path = os.path.join(folder, entry.name)
            if path in mounted:
                not_entered.append(other_file_system(path, mounted[path]))
                continue
            if entry.is_dir(follow_symlinks=False):  # the listing's type: no stat
                below = _folder_below(entry.name, dir_fd, device, path, not_entered)
                if below is not None:
                    try:
                        yield from walk(path, below)
                    finally:
                        os.close(below)
                continue
            if not ROTATED.search(entry.name):
                continue
            try:
                info = os.stat(entry.name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                yield path, dir_fd, info

    try:
        yield from walk(top, fd)
    finally:
        os.close(fd)


def _folder_below(name: str, dir_fd: int, device: int, path: str,
                  not_entered: list[str]) -> int | None:
    """A descriptor of folder ``name`` in ``dir_fd`` when it is one on ``device``, opened
    without following a link and still the folder that was looked at; None otherwise."""
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):  # swapped for a link or a file since the listing
        return None
    if info.st_dev != device:
        not_entered.append(other_file_system(path, None))
        return None
    try:
        below = os.open(name, _BELOW, dir_fd=dir_fd)
    except OSError:
        return None
    if not os.path.samestat(info, os.fstat(below)):  # replaced in between
        os.close(below)
        return None
    return below


def remove_rotated_logs(module: AnsibleModule) -> tuple[dict[str, Any], dict[str, Any], list[str],
                                                        list[str]]:
    cutoff = time.time() - module.params["log_min_age_days"] * 86400
    try:
        free_before = bounded(functools.partial(file_system, LOGS), TIME_LIMITS["statvfs"])["free_mb"]
    except (NotAnswered, OSError) as exc:
        return not_run(module, LOGS, exc, "log rotasi tidak dihapus")
    try:
        with open(MOUNTINFO, encoding="utf-8", errors="replace") as handle:
            mounted = mounts_below(LOGS, handle.read())
    except OSError as exc:  # which mounts to keep out of is not known: none entered
        line = f"{MOUNTINFO} tidak terbaca ({exc.strerror}), log rotasi tidak dihapus"
        module.warn(line)
        return {"error": line}, {"error": line}, [], [line]
    done, size = [], 0
    not_entered: list[str] = []
    for path, dir_fd, info in old_rotated_logs(LOGS, cutoff, mounted, not_entered):
        if not module.check_mode:
            try:
                unlink_same(os.path.basename(path), dir_fd, info)
            except FileNotFoundError:
                continue
            except OSError as exc:  # an immutable file, a file system gone read-only
                reason = "diganti dengan berkas lain sementara itu" \
                    if exc.errno == errno.ESTALE else exc.strerror
                module.warn(f"{shown(path)} tidak dihapus: {reason}")
                continue
        done.append(path)
        size += info.st_size
    for line in not_entered:
        module.warn(line)
    before = {"free_mb": free_before, "bytes": size}
    after = measured(LOGS, lambda: {"free_mb": file_system(LOGS)["free_mb"],
                                    "bytes": size if module.check_mode else 0})
    # a name the folder's account chose (/var/log/mysql is mysql's) writes no line of its own
    return before, after, [f"hapus {shown(path)}" for path in done], not_entered


ACTIONS = {"restart_service": restart_service, "clean_package_cache": clean_package_cache,
           "remove_rotated_logs": remove_rotated_logs}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "action": {"type": "str", "required": True, "choices": sorted(ACTIONS)},
            "services": {"type": "list", "elements": "str",
                         "default": ["mariadb", "mysql", "nginx", "apache2"]},
            "log_min_age_days": {"type": "int", "default": 7},
        },
        supports_check_mode=True,
    )
    problem = services_problem(module.params["services"])
    if problem:  # before systemctl is asked anything
        module.fail_json(msg=problem, setting="services")
    # a negative one set a cutoff in the future: every rotated log. Judged where it is
    # used: a restart was refused for a log age it never reads
    bad_age = duration_error(module.params, "log_min_age_days", unit="days",
                             zero="every rotated log")
    if bad_age and module.params["action"] == "remove_rotated_logs":
        module.fail_json(**bad_age)
    before, after, actions, skipped = ACTIONS[module.params["action"]](module)
    # In check mode the actions found are what a run would do, none done: returned and
    # recorded as such (planned, akan_dilakukan), never as done (the incident's evidence
    # said a restart was done that was not). changed is Ansible's: would a run change?
    check = module.check_mode
    module.exit_json(changed=bool(actions), before=before, after=after,
                     done=[] if check else actions, skipped=skipped,
                     **({"planned": actions} if check else {}),
                     sop_output={"tindakan": module.params["action"], "sebelum": before,
                                 "sesudah": after,
                                 ("akan_dilakukan" if check else "dilakukan"): actions[:20],
                                 "dilewati": skipped, "uji_coba": check})


if __name__ == "__main__":
    main()
