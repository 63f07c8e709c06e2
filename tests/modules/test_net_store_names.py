"""roles/network: a gateway and a RouterBoard of the same name would share one directory
of the configuration history; the activity refuses them in one line before it reads or
stores anything (its assert, run in check mode on localhost)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from loader import LOCAL_PLAYBOOK, ROOT

TASKS = ROOT / "roles/network/tasks/perawatan_jaringan.yml"


def run(tmp_path: Path, routers: list[str], gateways: list[str]) -> tuple[int, dict]:
    task = next(t for t in yaml.safe_load(TASKS.read_text())
                if t["name"].startswith("No gateway shares its name"))
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {"network_config_store_path": "/var/lib/sop/jaringan",
                      "network_routeros_routers": [{"name": n, "host": "192.0.2.1"}
                                                   for n in routers]},
             "tasks": [task]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"all": {
        "hosts": {"localhost": {"ansible_connection": "local"}},
        "children": {"routers": {"hosts": {n: {} for n in gateways}}}}}))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, "--check", "-i", str(tmp_path / "hosts.yml"),
                           str(tmp_path / "play.yml")], capture_output=True, text=True,
                          check=False, env=env, timeout=120, cwd=ROOT)
    return proc.returncode, json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


def test_a_routerboard_named_as_a_gateway_is_refused_in_one_line(tmp_path):
    rc, result = run(tmp_path, ["rb-kantor", "gw-kantor"], ["gw-kantor", "gw-cadangan"])
    assert rc != 0 and result["failed"]
    assert result["msg"] == (
        "Nama gw-kantor dipakai gateway (inventaris, grup routers) dan RouterBoard "
        "(network_routeros_routers) sekaligus; riwayat konfigurasi keduanya akan tercampur "
        "di /var/lib/sop/jaringan: ganti nama RouterBoard di network_routeros_routers")


@pytest.mark.parametrize(("routers", "gateways"), [
    (["rb-kantor"], ["gw-kantor"]), ([], ["gw-kantor"]), (["rb-kantor"], []),
])
def test_distinct_names_pass(tmp_path, routers, gateways):
    rc, result = run(tmp_path, routers, gateways)
    assert rc == 0 and not result.get("failed")
