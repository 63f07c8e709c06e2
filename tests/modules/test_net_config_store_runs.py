"""library/net_config_store.py as it runs on the backup computer: a configuration never
goes into the host's journal, two runs storing into one store take turns, a full disk
leaves the stored configuration as it was, and an export stored by hand with RouterOS's
line continuations keeps its secrets out of the diff."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from loader import LOCAL_PLAYBOOK, ROOT, load, lock_held, module_argv, run_main, run_module

store_mod = load("net_config_store")

SECRET = "Rahasia-PPP-7c1e"
EXPORT = f"/ppp secret\nadd name=vpn password={SECRET} service=l2tp\n/system identity\nset name=a\n"


def test_no_module_logs_its_options_to_a_hosts_journal() -> None:
    """Ansible logs a module's options to the host's journal ("Invoked with ..."), a list
    of items as Python prints it: a configuration of several lines was written there
    with its newlines as \\n, no longer the text its no_log masks, so every export went
    into the backup computer's journal in full, its secrets with it. The project's
    configuration, as ansible-playbook, ansible-runner and AWX read it, turns that log
    off for every module (its action then passes _ansible_no_log)."""
    proc = subprocess.run([str(Path(sys.executable).with_name("ansible-config")), "dump",
                           "--only-changed", "--format", "json"],
                          capture_output=True, text=True, check=True, cwd=ROOT,
                          env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")})
    settings = {item["name"]: item for item in json.loads(proc.stdout) if "name" in item}
    assert settings["DEFAULT_NO_TARGET_SYSLOG"]["value"] is True
    assert settings["DEFAULT_NO_TARGET_SYSLOG"]["origin"] == str(ROOT / "ansible.cfg")


def test_a_run_waits_for_another_storing_into_the_store(tmp_path):
    """Two runs storing at once (two SOP runs with other limits, a second controller)
    both read the stored configuration, then both archived it: a version was lost from
    the history, or kept twice, and the second pruning of an old version failed the run
    (FileNotFoundError)."""
    root = tmp_path / "jaringan"
    first = {"path": str(root), "items": [{"name": "rb-a", "content": "set name=a\n"}]}
    assert run_module("net_config_store", tmp_path, first)[0] == 0
    second = {"path": str(root), "items": [{"name": "rb-a", "content": "set name=b\n"}]}
    with lock_held(root / store_mod.LOCK_NAME, "storing configurations"):
        proc = subprocess.Popen(module_argv("net_config_store", tmp_path, second),
                                stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        assert proc.poll() is None, proc.communicate()
        assert (root / "rb-a" / "config.txt").read_text() == "set name=a\n"
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert (root / "rb-a" / "config.txt").read_text() == "set name=b\n"
    assert [p.read_text() for p in (root / "rb-a" / "history").iterdir()] == ["set name=a\n"]


def test_a_run_that_cannot_have_the_store_in_time_stores_nothing(tmp_path, monkeypatch,
                                                                 capsys):
    root = tmp_path / "jaringan"
    args = {"path": str(root), "items": [{"name": "rb-a", "content": "set name=a\n"}]}
    root.mkdir(mode=0o700)
    monkeypatch.setattr(store_mod, "LOCK_WAIT", 1)
    with lock_held(root / store_mod.LOCK_NAME, "storing configurations") as (pid, argv):
        result = run_main("net_config_store", args, monkeypatch, capsys)
    assert result["failed"] is True
    assert result["msg"] == (
        f"waited 1 s for the configuration store's lock {root / store_mod.LOCK_NAME}, held "
        f"by pid {pid} ({argv}): storing configurations; nothing stored")
    assert not (root / "rb-a").exists()


def _store_versions(root: str, worker: int) -> None:
    """One of several runs at once: each stores 25 configurations of its own, as main does."""
    for n in range(25):
        item = {"name": "rb-a", "content": f"set name={worker}-{n}\n", "state": None}
        with store_mod.store_lock(Path(root), "storing configurations"):
            store_mod.store(Path(root), item, {}, 1000, False)


def test_runs_at_once_keep_every_version_once(tmp_path):
    root = tmp_path / "jaringan"
    root.mkdir(mode=0o700)
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.starmap(_store_versions, [(str(root), worker) for worker in range(4)])
    device = root / "rb-a"
    versions = Counter([p.read_text() for p in (device / "history").iterdir()]
                       + [(device / "config.txt").read_text()])
    assert len(versions) == 100 and set(versions.values()) == {1}


def test_a_full_disk_leaves_the_stored_configuration_as_it_was(tmp_path):
    root = tmp_path / "jaringan"
    old = "/system identity\nset name=a\n"
    args = {"path": str(root), "items": [{"name": "rb-a", "content": old}]}
    assert run_module("net_config_store", tmp_path, args)[0] == 0
    new = old.replace("name=a", "name=b") + "add comment=" + "x" * 8192 + "\n"
    args["items"][0]["content"] = new
    rc, out = run_module("net_config_store", tmp_path, args, file_limit=4096)
    assert rc == 1
    assert out["msg"] == f"cannot write the configuration store {root}: File too large"
    device = root / "rb-a"
    assert (device / "config.txt").read_text() == old
    assert not [p for p in device.rglob(".*")]  # no temporary file left
    rc, out = run_module("net_config_store", tmp_path, args)
    assert rc == 0 and out["changed_names"] == ["rb-a"]
    assert [p.read_text() for p in (device / "history").iterdir()] == [old]


@pytest.mark.parametrize("cut", [
    "wpa2-pre-shared-key=\\\n    {}",  # where RouterOS breaks a long line: before the value
    "wpa2-pre-shared-key={}\\\n    ",  # after it
    "wpa2-pre-sha\\\n    red-key={}",  # within the key
    "wpa2-pre-shared-key=Ra\\\n    {}",  # within the value
])
def test_a_secret_continued_on_the_next_line_is_masked_in_the_diff(tmp_path, cut):
    """routeros_check joins RouterOS's line continuations, but a configuration stored by
    hand (restored from an export file) keeps them: the diff masked each line alone, and
    showed a value (or a key's end and its value) continued on the next line."""
    menu = "/interface wireless security-profiles\n"
    line = "add authentication-types=wpa2-psk mode=dynamic-keys name=kantor " + cut + " x=1\n"
    old, new = menu + line.format("Old-Wpa-Key-1"), menu + line.format("New-Wpa-Key-2")
    root = tmp_path / "jaringan"
    store_mod.store(root, {"name": "rb-a", "content": old, "state": None}, {}, 5, False)
    diff = store_mod.store(root, {"name": "rb-a", "content": new, "state": None}, {}, 5,
                           False)["diff"]
    assert "Wpa-Key" not in diff, diff
    assert ("+add authentication-types=wpa2-psk mode=dynamic-keys name=kantor "
            "wpa2-pre-shared-key=******** x=1\n") in diff
    assert (root / "rb-a" / "config.txt").read_text() == new


def store_run(tmp_path: Path, root: Path, **contents: str) -> tuple[int, dict]:
    """A run of the module storing ``contents`` (by device name, its - written _), each
    after a header line (Ansible masks an option's no_log value, a whole configuration,
    wherever it is in the result: a diff line equal to a configuration of one line)."""
    return run_module("net_config_store", tmp_path, {"path": str(root), "items": [
        {"name": name.replace("_", "-"), "content": f"# {name}\n{content}"}
        for name, content in contents.items()]})


def test_a_change_stored_by_a_run_that_failed_is_reported_by_the_next_one(tmp_path):
    """A run stored one router's new configuration, then failed on another (or stopped
    before its record): its diff reached no record, and the next run, comparing with the
    configuration already stored, reported no change. The change stays unreported until
    the record showing it is marked (reported), the diff against what was last reported."""
    root = tmp_path / "jaringan"
    assert store_run(tmp_path, root, rb_a="set name=a\n", rb_b="set name=b\n")[1]["changed"]
    (root / "rb-b").chmod(0o770)
    rc, out = store_run(tmp_path, root, rb_a="set name=a2\n", rb_b="set name=b2\n")
    assert rc == 1 and "rb-b is writable by its group" in out["msg"]
    assert (root / "rb-a" / "config.txt").read_text() == "# rb_a\nset name=a2\n"  # unreported
    (root / "rb-b").chmod(0o700)
    rc, out = store_run(tmp_path, root, rb_a="set name=a2\n", rb_b="set name=b\n")
    assert rc == 0 and out["changed_names"] == ["rb-a"] and not out["changed"]
    first = out["devices"][0]
    assert first["diff"] == ("--- rb-a (terakhir dilaporkan)\n+++ rb-a (sekarang)\n"
                             "@@ -1,2 +1,2 @@\n # rb_a\n-set name=a\n+set name=a2\n")
    assert out["devices"][1]["report_id"] is None
    # stored again before that record was marked: reported from what was last reported
    rc, out = store_run(tmp_path, root, rb_a="set name=a3\n")
    assert rc == 0 and out["changed"] and "-set name=a\n+set name=a3\n" in out["devices"][0]["diff"]
    latest = out["devices"][0]["report_id"]
    mark = {"path": str(root), "reported": {"rb-a": first["report_id"]}}
    rc, out = run_module("net_config_store", tmp_path, mark)  # a newer change: kept
    assert rc == 0 and out["marked"] == [] and not out["changed"]
    mark["reported"] = {"rb-a": latest}
    rc, out = run_module("net_config_store", tmp_path, {**mark, "_ansible_check_mode": True})
    assert rc == 0 and out["marked"] == ["rb-a"] and (root / "rb-a" / "unreported").exists()
    rc, out = run_module("net_config_store", tmp_path, mark)
    assert rc == 0 and out["marked"] == ["rb-a"] and out["changed"]
    assert sorted(p.name for p in (root / "rb-a").iterdir()) == ["config.txt", "history"]
    rc, out = store_run(tmp_path, root, rb_a="set name=a3\n")
    assert rc == 0 and out["changed_names"] == [] and out["devices"][0]["report_id"] is None
    assert [p.read_text() for p in sorted((root / "rb-a" / "history").iterdir())] == [
        "# rb_a\nset name=a\n", "# rb_a\nset name=a2\n"]


def test_a_change_undone_before_it_was_reported_is_reported(tmp_path):
    root = tmp_path / "jaringan"
    store_run(tmp_path, root, rb_a="set name=a\n")
    store_run(tmp_path, root, rb_a="add rule=open\n")  # stored, never recorded
    rc, out = store_run(tmp_path, root, rb_a="set name=a\n")
    assert rc == 0 and out["changed_names"] == ["rb-a"] and out["devices"][0]["diff"] == (
        "rb-a: konfigurasi sempat berubah setelah laporan terakhir (perubahan disimpan oleh "
        "run yang tidak sempat mencatatnya) lalu kembali sama seperti yang terakhir "
        "dilaporkan\n")


@pytest.mark.parametrize(("args", "msg"), [
    ({"reported": {"../rb-a": "x"}}, "device names unusable as file names: ../rb-a"),
    ({"reported": {"rb-a": ["x"]}}, "reported must map each device name to the report_id "
                                    "its result gave, not to another value: rb-a"),
    ({"reported": {}, "items": []}, "parameters are mutually exclusive: items|reported"),
])
def test_marking_reported_refuses_bad_input_in_one_line(tmp_path, args, msg):
    rc, out = run_module("net_config_store", tmp_path, {"path": str(tmp_path / "j"), **args})
    assert rc == 1 and out["msg"] == msg


def test_history_names_keep_the_order_versions_were_stored_in(tmp_path):
    """History versions were named by their file's mtime: with the clock set back a newer
    version sorted before older ones (and the pruning removed it instead of the oldest),
    and two versions stored within the file system's timestamp granularity had one name,
    the older one replaced."""
    root = tmp_path / "jaringan"
    current = root / "rb-a" / "config.txt"
    stored = []
    for n, mtime in enumerate([2_000_000_000, 1_000_000_000, 1_000_000_000, 1_500_000_000]):
        store_mod.store(root, {"name": "rb-a", "content": f"v{n}\n", "state": None}, {}, 3,
                        False)
        os.utime(current, ns=(mtime * 10**9, mtime * 10**9))
        stored.append(f"v{n}\n")
    store_mod.store(root, {"name": "rb-a", "content": "v4\n", "state": None}, {}, 3, False)
    names = sorted(p.name for p in (root / "rb-a" / "history").iterdir())
    assert [(root / "rb-a" / "history" / n).read_text() for n in names] == stored[1:]
    assert names == ["20330518T033320.000001Z.txt", "20330518T033320.000002Z.txt",
                     "20330518T033320.000003Z.txt"]


def test_the_activity_marks_the_changes_it_recorded_reported(tmp_path):
    """The role's record task and the one after it, on localhost: what the store reported
    is recorded, then marked reported, so the next run does not report it again."""
    root = tmp_path / "jaringan"
    store_run(tmp_path, root, gw_a="table inet a {}\n")
    rc, stored = store_run(tmp_path, root, gw_a="table inet b {}\n")
    assert rc == 0 and stored["devices"][0]["report_id"]
    tasks = yaml.safe_load((ROOT / "roles/network/tasks/perawatan_jaringan.yml").read_text())
    block = next(t for t in tasks if t["name"].startswith("Record what was found"))
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [block], "vars": {
        "network_config_store_path": str(root), "network_config_store_host": "localhost",
        "network_reach": {"summary": "baik", "fault": None, "warnings_found": []},
        "network_gateway_config": stored, "network__reader": "localhost"}}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record, marked = (t["hosts"]["localhost"] for t in json.loads(proc.stdout)["plays"][0]["tasks"])
    assert record["sop_output"]["konfigurasi_berubah"] == ["gw-a"]
    assert "+table inet b {}" in record["sop_output"]["diff_konfigurasi"]["gw-a"]
    assert marked["marked"] == ["gw-a"] and not (root / "gw-a" / "unreported").exists()
    rc, out = store_run(tmp_path, root, gw_a="table inet b {}\n")
    assert rc == 0 and out["changed_names"] == []
