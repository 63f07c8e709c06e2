"""library/sipp_host_resources.py: grading of disk and memory."""

from __future__ import annotations

from loader import load

mod = load("sipp_host_resources")

MEMINFO = "MemTotal:       8000000 kB\nMemFree:  100000 kB\nMemAvailable:   2000000 kB\n"
PARAMS = {"paths": ["/"], "disk_warn_percent": 80, "disk_fail_percent": 95,
          "memory_warn_percent": 70, "memory_fail_percent": 90}


def test_grade_boundaries():
    assert mod.grade(79.9, 80, 95) == "ok"
    assert mod.grade(80, 80, 95) == "warn"
    assert mod.grade(95, 80, 95) == "fail"


def test_memory_from_meminfo():
    memory = mod.memory_usage(mod.parse_meminfo(MEMINFO), 70, 90)
    assert memory == {"total_mb": 7812, "available_mb": 1953, "used_percent": 75.0,
                      "status": "warn"}


def test_resources_worst_grade_and_problems(tmp_path):
    result = mod.resources(dict(PARAMS, paths=[str(tmp_path), str(tmp_path / "missing")]),
                           MEMINFO)
    disk = result["disks"][0]
    assert disk["path"] == str(tmp_path)
    assert disk["size_mb"] > 0 and 0 <= disk["used_percent"] <= 100
    assert result["disks"][1]["error"] == "path does not exist"
    assert result["status"] in ("warn", "fail")
    assert any(p.startswith("memory: 75.0% used") for p in result["problems"])


def test_fail_threshold_fails(tmp_path):
    result = mod.resources(dict(PARAMS, paths=[str(tmp_path)], disk_warn_percent=0,
                                disk_fail_percent=0), MEMINFO)
    assert result["disks"][0]["status"] == "fail"
    assert result["status"] == "fail"
