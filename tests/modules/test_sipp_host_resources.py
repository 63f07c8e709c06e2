"""library/sipp_host_resources.py: grading of disk and memory."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from loader import ROOT, load, run_module, warning_lines

mod = load("sipp_host_resources")

MEMINFO = "MemTotal:       8000000 kB\nMemFree:  100000 kB\nMemAvailable:   2000000 kB\n"
PARAMS = {"paths": ["/"], "disk_warn_percent": 80, "disk_fail_percent": 95,
          "memory_warn_percent": 70, "memory_fail_percent": 90}


def decimal_comma(value: float) -> str:
    """A percent rounded to one digit as the reports' Bahasa Indonesia writes it."""
    return f"{value:.1f}".replace(".", ",")


def thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def test_grade_boundaries():
    assert mod.grade(79.9, 80, 95) == "ok"
    assert mod.grade(80, 80, 95) == "warn"
    assert mod.grade(95, 80, 95) == "fail"


def test_memory_from_meminfo():
    memory = mod.memory_usage(mod.parse_meminfo(MEMINFO), 70, 90)
    assert memory == {"total_mb": 7812, "available_mb": 1953, "used_percent": 75.0,
                      "status": "warn"}


def test_a_meminfo_with_more_available_than_total_is_clamped_to_zero_and_says_so():
    # seen in containers (lxcfs): it was "used_percent": -25.0, graded ok on a negative use
    memory = mod.memory_usage(mod.parse_meminfo(
        "MemTotal:  8000000 kB\nMemAvailable:  10000000 kB\n"), 70, 90)
    assert memory == {"total_mb": 7812, "available_mb": 9765, "used_percent": 0.0,
                      "status": "ok",
                      "note": "MemAvailable (9.765 MB) melebihi MemTotal (7.812 MB), biasa di "
                              "container: terpakai dicatat 0%"}


def test_memory_of_a_kernel_without_memavailable_counts_its_cache_as_available():
    # a kernel before 3.14 (an OpenVZ 6 container) writes no MemAvailable: MemFree alone
    # counted the page cache as used, 87.5% where free(1) and server_condition say 35%,
    # graded "fail" on a server with most of its memory available
    meminfo = ("MemTotal:        4000000 kB\nMemFree:          500000 kB\n"
               "Buffers:          100000 kB\nCached:          2000000 kB\n")
    memory = mod.memory_usage(mod.parse_meminfo(meminfo), 70, 80)
    assert memory == {"total_mb": 3906, "available_mb": 2539, "used_percent": 35.0,
                      "status": "ok"}
    assert memory["used_percent"] == load("server_condition").memory_used_percent(meminfo)


@pytest.mark.parametrize(("meminfo", "missing"), [
    ("MemFree:  100000 kB\nMemAvailable:   2000000 kB\n", "MemTotal di atas 0"),
    ("MemTotal:  0 kB\nMemAvailable:   0 kB\n", "MemTotal di atas 0"),
    ("MemTotal:       8000000 kB\n", "MemAvailable atau MemFree"),
    ("", "MemTotal di atas 0 dan tidak ada MemAvailable atau MemFree"),
])
def test_a_meminfo_without_its_figures_is_unreadable_not_ok(meminfo, missing):
    # no MemTotal graded memory 0% used, "ok"; no MemAvailable nor MemFree 100% used
    result = mod.resources(dict(PARAMS, paths=[], memory_warn_percent=101,
                                memory_fail_percent=101), meminfo)
    assert result["memory"] == {"total_mb": None, "available_mb": None, "used_percent": None,
                                "status": "warn",
                                "error": f"/proc/meminfo tidak terbaca: tidak ada {missing}"}
    assert (result["status"], result["problems"]) == (
        "warn", [f"memori: /proc/meminfo tidak terbaca: tidak ada {missing} (peringatan)"])


def test_resources_worst_grade_and_problems(tmp_path):
    # disk thresholds above 100%: this machine's own disk is "ok" however full it is, so
    # the worst grade is the missing path's and the memory's "warn", and nothing else
    result = mod.resources(dict(PARAMS, paths=[str(tmp_path), str(tmp_path / "missing")],
                                disk_warn_percent=101, disk_fail_percent=101), MEMINFO)
    disk = result["disks"][0]
    assert disk["path"] == str(tmp_path) and disk["status"] == "ok"
    assert disk["size_mb"] > 0 and 0 <= disk["used_percent"] <= 100
    assert result["disks"][1]["error"] == "path tidak ada"
    assert result["status"] == "warn"
    # the lines the head of the IT unit reads in the verdict: Bahasa Indonesia
    assert result["problems"] == [f"disk {tmp_path / 'missing'}: path tidak ada (peringatan)",
                                  "memori: terpakai 75,0% (batas peringatan 70%)"]


def test_fail_threshold_fails(tmp_path):
    result = mod.resources(dict(PARAMS, paths=[str(tmp_path)], disk_warn_percent=0,
                                disk_fail_percent=0, memory_fail_percent=75), MEMINFO)
    disk = result["disks"][0]
    assert disk["status"] == "fail"
    assert result["status"] == "fail"
    assert result["problems"] == [
        f"disk {tmp_path}: terpakai {decimal_comma(disk['used_percent'])}% (batas gagal 0%)",
        "memori: terpakai 75,0% (batas gagal 75%)"]


def test_a_disk_warn_line_names_its_warn_threshold(tmp_path):
    result = mod.resources(dict(PARAMS, paths=[str(tmp_path)], disk_warn_percent=0,
                                disk_fail_percent=101, memory_warn_percent=101,
                                memory_fail_percent=101), MEMINFO)
    percent = result["disks"][0]["used_percent"]
    assert result["problems"] == [
        f"disk {tmp_path}: terpakai {decimal_comma(percent)}% (batas peringatan 0%)"]


def test_a_path_statvfs_refuses_is_a_failure_with_the_reason(tmp_path, monkeypatch):
    def statvfs(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "statvfs", statvfs)
    result = mod.resources(dict(PARAMS, paths=[str(tmp_path)], memory_warn_percent=101,
                                memory_fail_percent=101), MEMINFO)
    assert result["disks"] == [{"path": str(tmp_path), "status": "fail",
                                "error": "tidak dapat diukur: Permission denied"}]
    assert result["problems"] == [
        f"disk {tmp_path}: tidak dapat diukur: Permission denied (gagal)"]


@pytest.mark.parametrize("code", [errno.ESTALE, errno.ENOTCONN])
def test_a_dead_mount_is_a_failure_with_the_reason_not_a_missing_path(tmp_path, monkeypatch,
                                                                      code):
    # an NFS mount whose server lost the export (ESTALE) or a dead FUSE client (ENOTCONN)
    # fails every stat: os.path.exists read that as no such path, "path tidak ada", a
    # warning, for the file system the SIPP database or its archive is on
    dead = str(tmp_path / "arsip")

    def refused(real):
        def call(path, *args, **kwargs):
            if os.fspath(path) == dead:
                raise OSError(code, os.strerror(code), path)
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "stat", refused(os.stat))
    monkeypatch.setattr(os, "statvfs", refused(os.statvfs))
    result = mod.resources(dict(PARAMS, paths=[dead, str(tmp_path / "missing")],
                                memory_warn_percent=101, memory_fail_percent=101), MEMINFO)
    assert result["disks"] == [
        {"path": dead, "status": "fail", "error": f"tidak dapat diukur: {os.strerror(code)}"},
        {"path": str(tmp_path / "missing"), "status": "warn", "error": "path tidak ada"}]


def test_the_module_warns_of_warn_grades_only_and_records_its_lines(tmp_path):
    # a warn grade is a warning, a fail grade is not (the role fails on it); both are
    # problem lines, and the record's disk lines are Bahasa Indonesia too
    # (thresholds of 100%: the disk measured and the memory grade ok; a name too long
    # for statvfs grades fail on any machine)
    missing, unmeasurable = tmp_path / "missing", tmp_path / ("x" * 300)
    rc, result = run_module("sipp_host_resources", tmp_path, {
        "paths": [str(tmp_path), str(unmeasurable), str(missing)], "disk_warn_percent": 100,
        "disk_fail_percent": 100, "memory_warn_percent": 100, "memory_fail_percent": 100})
    disk = result["resources"]["disks"][0]
    fail_line = f"disk {unmeasurable}: tidak dapat diukur: File name too long (gagal)"
    warn_line = f"disk {missing}: path tidak ada (peringatan)"
    assert rc == 0 and result["resources"]["problems"] == [fail_line, warn_line]
    assert warning_lines(result) == [warn_line]
    assert result["sop_output"]["disks"] == [
        f"{tmp_path} terpakai {decimal_comma(disk['used_percent'])}% "
        f"(sisa {thousands(disk['free_mb'])} MB)",
        f"{unmeasurable}: tidak dapat diukur: File name too long",
        f"{missing}: path tidak ada"]
    assert result["sop_output"]["problems"] == [fail_line, warn_line]


def test_a_hung_mount_is_reported_not_waited_for(tmp_path, monkeypatch):
    # statvfs on a hung NFS mount never returns: the module must report the path, not hang.
    release = threading.Event()
    real_statvfs = os.statvfs

    def statvfs(path):
        if str(path) == str(tmp_path):
            release.wait(60)
        return real_statvfs(path)

    monkeypatch.setattr(os, "statvfs", statvfs)
    done: list[dict] = []
    worker = threading.Thread(target=lambda: done.append(mod.resources(
        dict(PARAMS, paths=[str(tmp_path), "/"], timeout=1), MEMINFO)), daemon=True)
    started = time.monotonic()
    try:
        worker.start()
        worker.join(10)
        assert not worker.is_alive(), "sipp_host_resources hung on a blocking statvfs"
    finally:
        release.set()
    assert time.monotonic() - started < 5
    hung, root = done[0]["disks"]
    assert hung == {"path": str(tmp_path), "status": "fail",
                    "error": "sistem berkas tidak menjawab dalam 1 s (mount macet?)"}
    assert root["status"] in ("ok", "warn", "fail") and "used_percent" in root
    assert done[0]["problems"][0] == (
        f"disk {tmp_path}: sistem berkas tidak menjawab dalam 1 s (mount macet?) (gagal)")


def test_the_module_exits_with_a_hung_mount(tmp_path):
    # the thread left in statvfs does not keep the module's process alive
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"paths": [str(tmp_path)],
                                                        "timeout": 1}}))
    driver = (
        "import os, threading, runpy, ansible.module_utils\n"
        f"ansible.module_utils.__path__.append({str(ROOT / 'module_utils')!r})\n"
        "os.statvfs = lambda path: threading.Event().wait()\n"
        f"runpy.run_path({str(ROOT / 'library' / 'sipp_host_resources.py')!r}, "
        "run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", driver, str(args)], capture_output=True,
                          text=True, check=False, timeout=30)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["resources"]["disks"][0]["status"] == "fail"
    assert result["sop_output"]["disks"] == [
        f"{tmp_path}: sistem berkas tidak menjawab dalam 1 s (mount macet?)"]


@pytest.mark.parametrize(("args", "msg", "setting"), [
    ({"disk_warn_percent": 96}, "disk_warn_percent: 96 is above the fail threshold "
     "disk_fail_percent (95)", "disk_warn_percent"),
    ({"memory_warn_percent": 90, "memory_fail_percent": 80}, "memory_warn_percent: 90 is "
     "above the fail threshold memory_fail_percent (80)", "memory_warn_percent"),
])
def test_a_warn_threshold_above_its_fail_threshold_is_named(tmp_path, args, msg, setting):
    # 'a warn threshold must not exceed its fail threshold': which of the two, and no
    # setting for the role to name its variable by
    rc, result = run_module("sipp_host_resources", tmp_path, {"paths": ["/"], **args})
    assert (rc, result["msg"], result["setting"]) == (1, msg, setting)


@pytest.mark.parametrize(("args", "msg", "setting"), [
    ({"disk_fail_percent": 150}, "disk_fail_percent: must be at most 100 percent, not 150",
     "disk_fail_percent"),
    ({"memory_warn_percent": 0}, "memory_warn_percent: must be a positive number of "
     "percent, not 0", "memory_warn_percent"),
    ({"disk_warn_percent": -5, "disk_fail_percent": -1}, "disk_warn_percent: must be a "
     "positive number of percent, not -5", "disk_warn_percent"),
])
def test_a_threshold_outside_1_to_100_percent_is_named(tmp_path, args, msg, setting):
    # a fail threshold of 150 could never be reached: a full disk passed the activity;
    # one of 0 or less failed it on an idle server, "terpakai 20,0% (batas gagal -1%)"
    rc, result = run_module("sipp_host_resources", tmp_path, {"paths": ["/"], **args})
    assert (rc, result["msg"], result["setting"]) == (1, msg, setting)


def test_no_path_is_a_bad_setting_not_disks_in_order(tmp_path):
    # paths: [] measured no disk, and the role's verdict said "disk/memori baik"
    rc, result = run_module("sipp_host_resources", tmp_path, {"paths": []})
    assert (rc, result["msg"], result["setting"]) == (
        1, "paths: empty: name at least one path whose file system is measured, / for the "
        "system disk", "paths")


def run_reading_meminfo(tmp_path, meminfo: str | None) -> dict:
    """The module's result on a host whose /proc/meminfo reads ``meminfo`` (None: refused,
    Permission denied), its only path ``tmp_path``."""
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"paths": [str(tmp_path)]}}))
    driver = (
        "import builtins, io, runpy, ansible.module_utils\n"
        f"ansible.module_utils.__path__.append({str(ROOT / 'module_utils')!r})\n"
        "real_open = builtins.open\n"
        "def fake_open(path, *args, **kwargs):\n"
        "    if path == '/proc/meminfo':\n"
        + ("        raise PermissionError(13, 'Permission denied', path)\n" if meminfo is None
           else f"        return io.StringIO({meminfo!r})\n")
        + "    return real_open(path, *args, **kwargs)\n"
        "builtins.open = fake_open\n"
        f"runpy.run_path({str(ROOT / 'library' / 'sipp_host_resources.py')!r}, "
        "run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", driver, str(args)], capture_output=True,
                          text=True, check=False, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_an_unreadable_meminfo_is_a_bahasa_warning_and_the_disks_still_measured(tmp_path):
    # The module failed with 'cannot read /proc/meminfo: ...', an English cause in the
    # Bahasa Indonesia report, and no disk measured; it is memory left unmeasured, as a
    # /proc/meminfo without its figures is.
    result = run_reading_meminfo(tmp_path, None)
    line = "memori: /proc/meminfo tidak terbaca: Permission denied (peringatan)"
    assert result["resources"]["memory"] == {
        "total_mb": None, "available_mb": None, "used_percent": None, "status": "warn",
        "error": "/proc/meminfo tidak terbaca: Permission denied"}
    assert line in result["resources"]["problems"] and line in warning_lines(result)
    assert "used_percent" in result["resources"]["disks"][0]
    assert "memory_note" not in result["sop_output"]


def test_the_memory_note_is_recorded_with_its_figure(tmp_path):
    # A container's MemAvailable above MemTotal is recorded as 0% used with a note saying
    # so; the record kept the 0% alone, read as an idle server.
    result = run_reading_meminfo(tmp_path, "MemTotal:  8000000 kB\nMemAvailable:  10000000 kB\n")
    note = ("MemAvailable (9.765 MB) melebihi MemTotal (7.812 MB), biasa di container: "
            "terpakai dicatat 0%")
    assert result["resources"]["memory"]["note"] == note
    assert result["sop_output"]["memory_used_percent"] == 0.0
    assert result["sop_output"]["memory_note"] == note


@pytest.mark.parametrize("timeout", [0, -3])
def test_a_timeout_not_above_zero_is_a_bad_setting_named(tmp_path, timeout):
    # 'timeout must be a positive number of seconds', without the option's name first nor
    # the setting the roles name their variable by (every other refused option has both)
    rc, result = run_module("sipp_host_resources", tmp_path, {"paths": ["/"], "timeout": timeout})
    assert (rc, result["msg"], result.get("setting")) == (
        1, f"timeout: must be a positive number of seconds, not {timeout}", "timeout")


def test_paths_on_one_file_system_are_one_problem(tmp_path):
    # the default paths / and /var/lib/mysql are one disk on most court servers: a full
    # one read as two full disks in the verdict, each line warned of twice
    (tmp_path / "mysql").mkdir()
    result = mod.resources(dict(PARAMS, paths=[str(tmp_path), str(tmp_path / "mysql")],
                                disk_warn_percent=0, disk_fail_percent=101,
                                memory_warn_percent=101, memory_fail_percent=101), MEMINFO)
    first, second = result["disks"]
    assert first["device"] == second["device"] and second["status"] == "warn"
    assert result["problems"] == [
        f"disk {tmp_path}, {tmp_path / 'mysql'}: terpakai "
        f"{decimal_comma(first['used_percent'])}% (batas peringatan 0%)"]
