"""Locking across controllers sharing one store (SQLite and a real PostgreSQL server)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sop.errors import ExitCode, SopError
from sop.locking import start_execution
from sop.store import Row, Store, now

from .conftest import CliResult
from .pgserver import PgServer

CliRun = Callable[..., CliResult]

CHILD = """
import json, socket, sys, time
from pathlib import Path
from sop.errors import SopError
from sop.locking import start_execution
from sop.store import Store

url, data_dir, start = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
store = Store(url)
values = {
    "sop_id": "demo", "sop_title": "Demo", "sop_number": "1", "catalogue_version": "0",
    "catalogue_hash": "x", "operator": socket.gethostname(), "trigger": "timer",
    "inventory": "/court/inventory", "limit_pattern": None, "hosts": [], "pid": 1,
    "pid_start": None,
}
time.sleep(max(0.0, start - time.time()))
try:
    result = {"ok": start_execution(store, data_dir, values, [])}
except SopError as exc:
    result = {"code": int(exc.code), "error": str(exc)}
print(json.dumps({**result, "hostname": socket.gethostname()}))
"""


def _values(limit: str | None = None, inventory: str = "/court/inventory") -> dict[str, object]:
    return {
        "sop_id": "demo",
        "sop_title": "Demo",
        "sop_number": "1",
        "catalogue_version": "0",
        "catalogue_hash": "x",
        "operator": "budi",
        "trigger": "manual",
        "inventory": inventory,
        "limit_pattern": limit,
        "hosts": [],
        "pid": os.getpid(),
        "pid_start": None,
    }


def test_a_run_on_another_controller_holds_its_target(store_url: str, tmp_path: Path) -> None:
    """A running execution recorded by another controller (another hostname, a pid that
    means nothing here) holds its target (inventory + --limit); this controller never
    reaps it. Without a limit it holds every limit of its inventory; two different
    limits, or another inventory, run side by side."""
    store = Store(store_url)
    with store.db.transaction(write=True) as tx:
        tx.insert(
            "executions",
            {
                **_values("sipp"),
                "operator": "ani",
                "hostname": "controller-b",
                "status": "running",
                "started_at": now(),
                "check_mode": False,
                "extra_var_names": [],
            },
        )
    for wanted in (_values("sipp"), _values()):
        with pytest.raises(SopError) as refused:
            start_execution(store, tmp_path / "a", wanted, [])
        assert refused.value.code == ExitCode.LOCKED
        assert str(refused.value).startswith(
            "SOP demo is already running on inventory /court/inventory --limit sipp: "
            "execution 1 by ani (pid "
        )
        assert "on controller-b, started" in str(refused.value)
    assert store.reap_stale() == []
    assert store.execution(1)["status"] == "running"
    assert start_execution(store, tmp_path / "a", _values("web"), []) == 2
    assert start_execution(store, tmp_path / "a", _values(inventory="/other"), []) == 3
    with pytest.raises(SopError, match="already running on inventory /other: execution 3"):
        start_execution(store, tmp_path / "a", _values("sipp", inventory="/other"), [])
    store.close()


def test_a_crashed_run_recorded_under_a_former_hostname_stops_holding_its_target(
    store_url: str, tmp_path: Path, cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that crashed before the controller was renamed (or its data dir restored
    onto a VM of another name) was never marked interrupted: only runs recorded under
    the current hostname were judged, and every later run of the SOP on that inventory
    was refused (exit 4) for good. A SQLite store is this machine's alone: its runs are
    judged whatever name they recorded. On PostgreSQL, another name's run may be alive
    on another controller: it keeps its target until the admin names that hostname as
    this controller's former one (`sop reap --hostname`); a run of that name whose
    process lives here stays running."""
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    crashed, alive = subprocess.Popen(["sleep", "30"]), subprocess.Popen(["sleep", "30"])
    crashed.kill()
    crashed.wait()
    store = Store(store_url)
    with store.db.transaction(write=True) as tx:
        for inventory, pid in (("/court/inventory", crashed.pid), ("/other", alive.pid)):
            tx.insert(
                "executions",
                {
                    **_values(inventory=inventory),
                    "pid": pid,
                    "pid_start": None,
                    "hostname": "pn-lama",
                    "status": "running",
                    "started_at": now(),
                    "check_mode": False,
                    "extra_var_names": [],
                },
            )
    monkeypatch.setattr(socket, "gethostname", lambda: "pn-baru")
    try:
        if store_url.startswith("postgresql"):
            with pytest.raises(SopError, match=r"execution 1 by budi .* on pn-lama, started .* "
                               r"ago; if pn-lama is this controller's former name and the run "
                               r"died: sop reap --hostname pn-lama\)$"):
                start_execution(store, tmp_path / "a", _values(), [])
            assert store.execution(1)["status"] == "running"
            code, out, err = cli("reap", "--hostname", "pn-lain")
            assert (code, err) == (0, "")
            assert out == "0 executions marked interrupted; 0 recorded on pn-lain still running.\n"
            assert store.execution(1)["status"] == "running"
            code, out, err = cli("reap", "--hostname", "pn-lama")
        else:
            code, out, err = cli("reap", "--hostname", "pn-lama")  # already judged at its open
        assert (code, err) == (0, "")
        assert out.splitlines() == [
            f"execution 1 (demo, pid {crashed.pid} on pn-lama) marked interrupted: the sop "
            "process ended without recording the result before ansible-playbook reported "
            "its start",
            f"execution 2 (demo, pid {alive.pid} on pn-lama) is still running on this "
            "controller",
            "1 executions marked interrupted; 1 recorded on pn-lama still running.",
        ]
        assert start_execution(store, tmp_path / "a", _values(), []) == 3
        assert store.execution(1)["status"] == "interrupted"
        with pytest.raises(SopError, match="already running on inventory /other: execution 2"):
            start_execution(store, tmp_path / "a", _values(inventory="/other"), [])
    finally:
        alive.kill()
        alive.wait()
        store.close()


OWN_HOSTNAMES = os.geteuid() == 0 and shutil.which("unshare") is not None


def _controller(index: int, script: Path, url: str, data_dir: Path, start: float) -> list[str]:
    command = [sys.executable, str(script), url, str(data_dir), str(start)]
    if OWN_HOSTNAMES:  # a UTS namespace: a hostname of its own
        hostname = f'hostname controller-{index} && exec "$@"'
        return ["unshare", "--uts", "sh", "-c", hostname, "-", *command]
    return command


def test_concurrent_controllers_start_one_run(store_url: str, tmp_path: Path) -> None:
    """Four controllers (own processes, own data dirs on PostgreSQL, own hostnames when
    root) start the same SOP on the same hosts at the same instant: exactly one runs,
    the others are refused naming it."""
    script = tmp_path / "controller.py"
    script.write_text(CHILD)
    Store(store_url).close()  # migrated before the race
    shared = store_url.startswith("sqlite")  # SQLite: one machine, one data dir
    start = time.time() + 3
    children = [
        subprocess.Popen(
            _controller(
                index, script, store_url, tmp_path / ("data" if shared else f"data{index}"), start
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(4)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        results.append(json.loads(out))
    winners = [r for r in results if "ok" in r]
    assert len(winners) == 1, results
    winner = winners[0]
    for loser in (r for r in results if "ok" not in r):
        assert loser["code"] == ExitCode.LOCKED
        assert f"execution {winner['ok']} by {winner['hostname']}" in loser["error"]
        assert f"on {winner['hostname']}, started" in loser["error"]
    if OWN_HOSTNAMES:
        assert len({r["hostname"] for r in results}) == 4
    store = Store(store_url)
    assert [r["id"] for r in store.executions()] == [winner["ok"]]
    assert store.execution(winner["ok"])["hostname"] == winner["hostname"]
    store.close()


def test_check_and_insert_are_one_step_on_postgresql(pg_server: PgServer) -> None:
    """Controller A has checked (nothing runs) but not yet inserted when controller B
    checks: B waits for A's transaction (the advisory lock), then sees A's run and is
    refused. Without the lock both would record a running execution."""
    name = pg_server.create_database()
    url = pg_server.url(name)
    a, b = Store(url), Store(url)
    checked = threading.Event()
    outcome: dict[str, object] = {}

    def slow_check(running: list[Row]) -> None:
        assert running == []
        checked.set()
        time.sleep(1.5)  # between check and insert

    def controller_a() -> None:
        outcome["a"] = a.create_execution(_values(), [], refuse=slow_check)

    thread = threading.Thread(target=controller_a)
    thread.start()
    assert checked.wait(10)
    began = time.monotonic()
    held = "already running on inventory /court/inventory: execution 1"
    with pytest.raises(SopError, match=held):
        start_execution(b, Path(pg_server.root) / "controller-b", _values(), [])
    waited = time.monotonic() - began
    thread.join()
    assert outcome["a"] == 1
    assert waited > 0.5  # B blocked on A's lock rather than checking alongside it
    assert [r["id"] for r in b.executions()] == [1]
    a.close()
    b.close()
    pg_server.drop_database(name)


# Root without the capabilities that let it write any file: its permissions then apply.
NO_DAC = "-dac_override,-dac_read_search"


def test_a_data_dir_the_run_cannot_lock_is_named(tmp_path: Path) -> None:
    """With the store elsewhere (SOP_DATABASE_URL), a data dir this account cannot write
    failed `sop run` with "internal error: PermissionError(13, 'Permission denied')",
    exit 6, naming nothing. One line names the lock file and the cause, exit 2, nothing
    recorded."""
    script = tmp_path / "controller.py"
    script.write_text(CHILD)
    url = f"sqlite:///{tmp_path / 'sop.db'}"
    Store(url).close()
    data = tmp_path / "data"
    data.mkdir(mode=0o500)
    prefix = ["setpriv", f"--inh-caps={NO_DAC}", f"--bounding-set={NO_DAC}"] \
        if os.geteuid() == 0 else []  # fmt: skip
    done = subprocess.run(
        [*prefix, *_controller(0, script, url, data, time.time())],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert {k: v for k, v in json.loads(done.stdout).items() if k != "hostname"} == {
        "code": int(ExitCode.USAGE),
        "error": f"cannot lock the data directory {data} for the run: {data / 'run.lock'}: "
        "Permission denied",
    }
    assert Store(url).executions() == []
