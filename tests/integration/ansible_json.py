"""Reading the `ansible.posix.json` callback's report of a playbook run (lab tests)."""

from __future__ import annotations

from typing import Any


def failures(report: dict[str, Any]) -> list[str]:
    """Each failed task as `host: task: msg` (what an assertion shows)."""
    return [f"{host}: {item['task']['name']}: {str(res.get('msg'))[:400]}"
            for play in report["plays"] for item in play["tasks"]
            for host, res in item["hosts"].items() if res.get("failed")]


def result(report: dict[str, Any], task: str, host: str) -> dict[str, Any]:
    """The result of the task named `task` (without its role prefix) on `host`."""
    for play in report["plays"]:
        for item in play["tasks"]:
            if item["task"]["name"].split(" : ", 1)[-1] == task and host in item["hosts"]:
                return dict(item["hosts"][host])
    raise KeyError(f"{task} on {host}")
