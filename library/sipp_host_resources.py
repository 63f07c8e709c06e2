#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Disk and memory use of the SIPP server against thresholds (read-only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sipp_host_resources
short_description: Check disk and memory use of the SIPP server against thresholds
description:
  - Measures the file systems holding O(paths) (statvfs) and the memory in use
    (C(/proc/meminfo), MemTotal minus MemAvailable; from a kernel without MemAvailable,
    before 3.14 as in an OpenVZ 6 container, minus MemFree, Buffers and Cached, as
    server_condition does) and grades each as C(ok), C(warn) or C(fail) against the
    thresholds.
  - >-
    A path whose file system does not answer within O(timeout) (a hung NFS or CIFS
    mount) grades C(fail) with the error, instead of hanging the module; so does one
    that cannot be measured, with the system's reason (C(tidak dapat diukur: Stale file
    handle), a dead NFS mount; a dead FUSE client's C(Transport endpoint is not
    connected)). A missing path grades C(warn) (C(path tidak ada)).
  - "A C(/proc/meminfo) the module cannot read, or without a MemTotal above 0, or without
    MemAvailable and MemFree, leaves the memory unmeasured; it grades C(warn) with the
    error naming why (C(/proc/meminfo tidak terbaca: Permission denied)) and its figures
    null, never as 0% used, and the disks are still measured."
  - "Each C(warn) or C(fail) grade is a problem line in Bahasa Indonesia, the language
    of the court's reports: the use and, in brackets, the threshold it reached
    (C(disk /: terpakai 96,0%) then C(batas gagal 95%); C(memori: terpakai 91,2%) then
    C(batas peringatan 90%)), or the error and, in brackets, the grade
    (C(peringatan) or C(gagal)). Paths on one file system (C(/) and C(/var/lib/mysql) on
    a server of one disk) are one line naming them all (C(disk /, /var/lib/mysql)).
    Errors of bad options stay in English, naming the option."
  - Reports only; the playbook decides what a C(fail) means. Warnings are emitted for
    C(warn) grades. Never reports a change. Supports check mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  paths:
    description: Paths whose file systems are measured (missing paths are reported); an
      empty list fails the module with C(setting) C(paths) (no disk measured, read as
      disks in order).
    type: list
    elements: str
    default: ["/", "/var/lib/mysql"]
  disk_warn_percent:
    description: Disk use (percent) that grades C(warn); above O(disk_fail_percent) it
      fails the module (C(setting) C(disk_warn_percent)), as O(memory_warn_percent) above
      O(memory_fail_percent) does. Each of the four thresholds is 1 to 100, else the
      module fails with C(setting) naming it.
    type: int
    default: 80
  disk_fail_percent:
    description: Disk use (percent) that grades C(fail).
    type: int
    default: 95
  memory_warn_percent:
    description: Memory use (percent) that grades C(warn).
    type: int
    default: 90
  memory_fail_percent:
    description: Memory use (percent) that grades C(fail).
    type: int
    default: 98
  timeout:
    description: Seconds each path's file system may take to answer (above 0 and at most
      86400, one day, else the module fails with C(setting) C(timeout)).
    type: int
    default: 10
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: Check disk and memory of the SIPP server
  sipp_host_resources:
    paths: [/, /var/lib/mysql]
    disk_warn_percent: 80
    disk_fail_percent: 95
  register: sipp_resources
"""

RETURN = r"""
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output
    (C(memory_note) the memory's note when it has one, a use recorded as 0%).
  returned: success
  type: dict
  sample: {resources_status: ok, disks: ["/ terpakai 20,0% (sisa 40.960 MB)"], memory_used_percent: 35.8,
           problems: []}
resources:
  description: The measurements and grades.
  returned: success
  type: dict
  contains:
    status:
      description: Worst grade (ok, warn or fail).
      type: str
    disks:
      description: One entry per path (path, mount device id, size_mb, used_mb, free_mb, used_percent, status;
        error instead of the sizes when the path is missing or its file system does not answer, in Bahasa Indonesia).
      type: list
      elements: dict
    memory:
      description: total_mb, available_mb, used_percent, status; and error, why the memory
        could not be measured (the figures then null), in Bahasa Indonesia; and note, when
        MemAvailable is above MemTotal (seen in containers), saying the use is recorded as
        0% (available_mb stays as read), in Bahasa Indonesia.
      type: dict
    problems:
      description: One line per warn or fail grade, in Bahasa Indonesia (the percent used
        and the threshold it reached, or the error, and the grade).
      type: list
      elements: str
  sample:
    status: ok
    disks:
      - {path: /, size_mb: 51200, used_mb: 10240, free_mb: 40960, used_percent: 20.0, status: ok}
    memory: {total_mb: 7976, available_mb: 5120, used_percent: 35.8, status: ok}
    problems: []
"""

import functools  # noqa: E402
import os  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka, angka_ringkas  # noqa: E402
from ansible.module_utils.sop_options import range_error, seconds_error  # noqa: E402
from ansible.module_utils.sop_server import (  # noqa: E402
    NotAnswered,
    bounded,
    memory_available,
    parse_meminfo,
)

GRADES = ("ok", "warn", "fail")
GRADE_WORDS = {"warn": "peringatan", "fail": "gagal"}
THRESHOLDS = ("disk_warn_percent", "disk_fail_percent", "memory_warn_percent",
              "memory_fail_percent")


def grade(percent: float, warn: int, fail: int) -> str:
    if percent >= fail:
        return "fail"
    if percent >= warn:
        return "warn"
    return "ok"


def disk_usage(path: str, warn: int, fail: int, timeout: float = 10) -> dict[str, Any]:
    """statvfs of the file system holding path (as df computes Use%), given up after
    timeout seconds (bounded(): a hung NFS mount blocks stat and statvfs for good)."""
    try:
        return bounded(functools.partial(_disk_usage, path, warn, fail), timeout)
    except OSError as exc:
        return {"path": path, "status": "fail",
                "error": f"tidak dapat diukur: {exc.strerror or exc}"}
    except NotAnswered:
        return {"path": path, "status": "fail", "error": "sistem berkas tidak menjawab dalam "
                f"{angka_ringkas(timeout)} s (mount macet?)"}


def _disk_usage(path: str, warn: int, fail: int) -> dict[str, Any]:
    # missing only when statvfs says so: os.path.exists read a dead mount (an NFS
    # server's ESTALE, a dead FUSE client's ENOTCONN) as no path, a warning
    try:
        st = os.statvfs(path)
    except (FileNotFoundError, NotADirectoryError):
        return {"path": path, "status": "warn", "error": "path tidak ada"}
    size = st.f_blocks * st.f_frsize
    free = st.f_bavail * st.f_frsize
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    usable = used + free
    percent = round(100.0 * used / usable, 1) if usable else 0.0
    mib = 1024 * 1024
    return {"path": path, "device": os.stat(path).st_dev, "size_mb": size // mib,
            "used_mb": used // mib, "free_mb": free // mib, "used_percent": percent,
            "status": grade(percent, warn, fail)}


def read_meminfo(path: str = "/proc/meminfo") -> str | OSError:
    """The text of /proc/meminfo, or the error reading it."""
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read()
    except OSError as exc:
        return exc


def unmeasured_memory(why: str) -> dict[str, Any]:
    """The memory graded ``warn``, its figures null and ``error`` saying why."""
    return {"total_mb": None, "available_mb": None, "used_percent": None, "status": "warn",
            "error": f"/proc/meminfo tidak terbaca: {why}"}


def memory_usage(meminfo: dict[str, int], warn: int, fail: int) -> dict[str, Any]:
    """The memory in use graded, or ``warn`` with the ``error`` naming what /proc/meminfo
    lacks (no MemTotal read as 0% used); available is memory_available(). A MemAvailable
    above MemTotal is 0% used, and ``note`` says so."""
    total = meminfo.get("MemTotal", 0)
    available = memory_available(meminfo)
    missing = ([] if total > 0 else ["MemTotal di atas 0"]) + \
        ([] if available is not None else ["MemAvailable atau MemFree"])
    if missing or available is None:
        return unmeasured_memory(f"tidak ada {' dan tidak ada '.join(missing)}")
    percent = round(100.0 * max(total - available, 0) / total, 1)
    memory = {"total_mb": total // 1024, "available_mb": available // 1024,
              "used_percent": percent, "status": grade(percent, warn, fail)}
    if available > total:  # seen in containers: the use was negative
        memory["note"] = (f"MemAvailable ({angka(available // 1024)} MB) melebihi MemTotal "
                          f"({angka(total // 1024)} MB), biasa di container: terpakai dicatat 0%")
    return memory


def resources(params: dict[str, Any], meminfo: str | OSError) -> dict[str, Any]:
    """Disks and memory graded; ``meminfo`` is read_meminfo's answer."""
    disks = [disk_usage(p, params["disk_warn_percent"], params["disk_fail_percent"],
                        params.get("timeout", 10))
             for p in params["paths"]]
    memory = (unmeasured_memory(meminfo.strerror or str(meminfo)) if isinstance(meminfo, OSError)
              else memory_usage(parse_meminfo(meminfo), params["memory_warn_percent"],
                                params["memory_fail_percent"]))
    worst = max([d["status"] for d in disks] + [memory["status"]], key=GRADES.index)
    return {"status": worst, "disks": disks, "memory": memory,
            "problems": [line for _, line in graded_problems(disks, memory, params)]}


def graded_problems(disks: list[dict[str, Any]], memory: dict[str, Any],
                    params: dict[str, Any]) -> list[tuple[str, str]]:
    """(grade, line) of each warn or fail grade, the line in Bahasa Indonesia as the
    role's verdict shows it to the head of the IT unit. Paths on one file system (/ and
    /var/lib/mysql on a server of one disk) are one line naming them all, its figures
    the first's."""
    paths: dict[Any, list[str]] = {}
    for d in disks:
        paths.setdefault(d.get("device", d["path"]), []).append(d["path"])
    found = []
    for d in disks:
        key = d.get("device", d["path"])
        if d["status"] != "ok" and key in paths:
            found.append((d["status"], problem_line(f"disk {', '.join(paths.pop(key))}", d,
                                                    params["disk_warn_percent"],
                                                    params["disk_fail_percent"])))
    if memory["status"] != "ok":
        found.append((memory["status"],
                      problem_line("memori", memory, params["memory_warn_percent"],
                                   params["memory_fail_percent"])))
    return found


def problem_line(subject: str, measured: dict[str, Any], warn: int, fail: int) -> str:
    """``disk /: terpakai 96,0% (batas gagal 95%)``, or the error and its grade."""
    grade_word = GRADE_WORDS[measured["status"]]
    if measured.get("error"):
        return f"{subject}: {measured['error']} ({grade_word})"
    limit = fail if measured["status"] == "fail" else warn
    return (f"{subject}: terpakai {angka(measured['used_percent'], 1)}% "
            f"(batas {grade_word} {limit}%)")


def threshold_error(params: dict[str, Any]) -> dict[str, str] | None:
    """``{msg, setting}`` of the first threshold outside 1 to 100 percent, or of the
    first warn threshold above its fail threshold (its message starts with the option's
    name), or None. A fail threshold above 100 can never be reached (a full disk passed
    the activity); one of 0 or less grades every disk and the memory, however idle."""
    bad = range_error(params, *THRESHOLDS, unit="percent", most=100)
    if bad:
        return bad
    for kind in ("disk", "memory"):
        warn, fail = params[f"{kind}_warn_percent"], params[f"{kind}_fail_percent"]
        if warn > fail:
            return {"msg": f"{kind}_warn_percent: {warn} is above the fail threshold "
                           f"{kind}_fail_percent ({fail})", "setting": f"{kind}_warn_percent"}
    return None


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "str", "default": ["/", "/var/lib/mysql"]},
            "disk_warn_percent": {"type": "int", "default": 80},
            "disk_fail_percent": {"type": "int", "default": 95},
            "memory_warn_percent": {"type": "int", "default": 90},
            "memory_fail_percent": {"type": "int", "default": 98},
            "timeout": {"type": "int", "default": 10},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not params["paths"]:  # no disk measured: the grade read "disk/memori baik"
        module.fail_json(msg="paths: empty: name at least one path whose file system is "
                         "measured, / for the system disk", setting="paths")
    bad_threshold = threshold_error(params)
    if bad_threshold:  # which one, named by the role's variable (sop_failure_cause)
        module.fail_json(**bad_threshold)
    bad_timeout = seconds_error(params, "timeout")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    result = resources(params, read_meminfo())
    for status, line in graded_problems(result["disks"], result["memory"], params):
        if status == "warn":
            module.warn(line)
    module.exit_json(changed=False, resources=result, sop_output={
        "resources_status": result["status"],
        "disks": [f"{d['path']} terpakai {angka(d['used_percent'], 1)}% (sisa {angka(d['free_mb'])} MB)"
                  if "used_percent"
                  in d else f"{d['path']}: {d.get('error')}" for d in result["disks"]],
        "memory_used_percent": result["memory"]["used_percent"],
        **({"memory_note": result["memory"]["note"]} if "note" in result["memory"] else {}),
        "problems": result["problems"]})


if __name__ == "__main__":
    main()
