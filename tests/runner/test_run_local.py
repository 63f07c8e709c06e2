"""End to end through ansible-runner on localhost (connection local): no lab needed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

from .conftest import INVENTORY, spawn_sop

Cli = Callable[..., tuple[int, str, str]]


def _execution(data: Path, execution_id: int) -> dict[str, object]:
    with sqlite3.connect(data / "sop.db") as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM executions WHERE id = ?", (execution_id,)).fetchone()
        activities = conn.execute(
            "SELECT * FROM activity_results WHERE execution_id = ? ORDER BY number", (execution_id,)
        ).fetchall()
    return {**dict(row), "activities": [dict(a) for a in activities]}


def test_successful_run_records_evidence(cli: Cli, sop_env: dict[str, str], tmp_path: Path) -> None:
    work = tmp_path / "work"
    code, _, err = cli(
        "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}", "--operator", "budi"
    )
    assert code == 0, err
    data = Path(sop_env["SOP_DATA_DIR"])
    row = _execution(data, 1)
    assert row["status"] == "successful" and row["rc"] == 0
    assert row["operator"] == "budi" and row["court_name"] == "Pengadilan Negeri Uji"
    assert row["sop_number"] == "W99.U1/7/SOP/2025"
    assert json.loads(str(row["extra_var_names"])) == ["demo_dir"]
    first, second, manual, delegated = row["activities"]
    assert first["status"] == "changed" and json.loads(first["hosts"]) == ["localhost"]
    assert second["status"] == "changed"
    outputs = json.loads(second["outputs"])
    assert outputs[0]["path"] == str(work / "dump.sql") and len(outputs[0]["sha256"]) == 64
    assert json.loads(first["pelaksana"]) == ["Staf IT (Budi Santoso)"]
    assert manual["status"] == "pending-manual"
    assert delegated["status"] == "pending-manual"  # local-secret never ran
    artifacts = Path(str(row["artifact_dir"]))
    assert (artifacts / "job_events").is_dir()
    assert "env" not in json.loads((artifacts / "command").read_text())
    assert list((data / "run").iterdir()) == []  # private data dir removed


def test_failed_and_check_runs(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli(
        "run",
        "local-demo",
        "-i",
        str(INVENTORY),
        "-e",
        f"demo_dir={tmp_path}",
        "-e",
        "demo_fail=true",
    )
    assert code == 1
    assert err.startswith("sop: error: execution 1 failed")
    code, out, _ = cli("execution", "1")
    assert "backup gagal (uji)" in out
    code, out, _ = cli(
        "run", "local-demo", "-i", str(INVENTORY), "--check", "-e", f"demo_dir={tmp_path / 'check'}"
    )
    assert code == 0
    code, out, _ = cli("history")
    assert "(check)" in out and "failed" in out


def _wait_for_running(env: dict[str, str], timeout: float = 20) -> None:
    db = Path(env["SOP_DATA_DIR"]) / "sop.db"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_dir = Path(env["SOP_DATA_DIR"]) / "run"
        if db.exists() and run_dir.exists() and any(run_dir.iterdir()):
            try:
                with sqlite3.connect(db) as conn:
                    if conn.execute("SELECT count(*) FROM executions").fetchone()[0]:
                        return
            except sqlite3.OperationalError:
                pass  # schema being created
        time.sleep(0.1)
    pytest.fail("sop run did not start")


def _spawn_slow_run(sop_env: dict[str, str], work: Path) -> subprocess.Popen[str]:
    """A `sop run` whose playbook sleeps 30 s: time to lock, kill or signal it."""
    return spawn_sop(
        sop_env, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}",
        "-e", "demo_sleep=30",
    )


def test_lock_then_kill_9_is_interrupted(sop_env: dict[str, str], tmp_path: Path) -> None:
    slow = _spawn_slow_run(sop_env, tmp_path)
    try:
        _wait_for_running(sop_env)
        second = spawn_sop(
            sop_env, "run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={tmp_path}"
        )
        _, err = second.communicate(timeout=30)
        assert second.returncode == 4
        assert "already running on localhost: execution 1" in err
        assert err.strip().count("\n") == 0
    finally:
        slow.kill()
        slow.wait()
    history = spawn_sop(sop_env, "history")
    out, _ = history.communicate(timeout=30)
    assert "interrupted" in out


def test_sigterm_cancels(sop_env: dict[str, str], tmp_path: Path) -> None:
    slow = _spawn_slow_run(sop_env, tmp_path)
    _wait_for_running(sop_env)
    time.sleep(1)
    os.kill(slow.pid, signal.SIGTERM)
    _, err = slow.communicate(timeout=30)
    assert slow.returncode == 5, err
    assert "canceled" in err
    with sqlite3.connect(Path(sop_env["SOP_DATA_DIR"]) / "sop.db") as conn:
        assert conn.execute("SELECT status FROM executions").fetchone()[0] == "canceled"


def test_no_secret_leaks(cli: Cli, sop_env: dict[str, str], tmp_path: Path) -> None:
    secrets = {
        "inventory": "Inv3ntory-Pa55-7781",
        "cli": "C1i-Pa55-9902",
        "vault": "Vau1t-Pa55-3313",
        "vault_password": "vault-pw-5521",
    }
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
        f"  vars:\n    inventory_secret: {secrets['inventory']}\n    court_name: PN Rahasia\n"
    )
    vault = VaultLib([("default", VaultSecret(secrets["vault_password"].encode()))])
    (inventory / "group_vars" / "all.yml").write_bytes(
        vault.encrypt(f"vault_secret: {secrets['vault']}\n")
    )
    password_file = tmp_path / "vault-pass"
    password_file.write_text(secrets["vault_password"] + "\n")

    code, _, err = cli(
        "run",
        "local-secret",
        "-i",
        str(inventory),
        "-e",
        f"cli_secret={secrets['cli']}",
        "-e",
        f"demo_dir={tmp_path}",
    )
    assert code == 2 and "holds vaulted values" in err and "\n" not in err.strip()

    wrong_password = tmp_path / "wrong-pass"
    wrong_password.write_text("not-the-password\n")
    code, _, err = cli(
        "run", "local-secret", "-i", str(inventory), "--vault-password-file", str(wrong_password)
    )
    assert code == 2 and "\n" not in err.strip()
    assert "decryption failed" in err.lower() and "not-the-password" not in err

    code, _, err = cli(
        "run",
        "local-secret",
        "-i",
        str(inventory),
        "--vault-password-file",
        str(password_file),
        "-e",
        f"cli_secret={secrets['cli']}",
        "-e",
        f"demo_dir={tmp_path}",
    )
    assert code == 0, err
    assert (tmp_path / "secret.txt").read_text().split() == [
        secrets["inventory"],
        secrets["cli"],
        secrets["vault"],
    ]
    code, report, _ = cli("report")
    assert code == 0 and "PN Rahasia" in report
    code, shown, _ = cli("execution", "2")
    evidence = [report.encode(), shown.encode()]
    for file in Path(sop_env["SOP_DATA_DIR"]).rglob("*"):
        if file.is_file():
            evidence.append(file.read_bytes())
    for name, secret in secrets.items():
        hits = [blob for blob in evidence if secret.encode() in blob]
        assert not hits, f"{name} secret leaked"


def test_errors_before_the_play_are_one_line(cli: Cli, sop_env: dict[str, str]) -> None:
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "--limit", "nohost")
    assert code == 2, err
    assert err.startswith("sop: error: ansible-playbook:") and "\n" not in err.strip()
    code, out, _ = cli("history")
    assert "local-demo" not in out  # nothing ran, nothing recorded
    assert list((Path(sop_env["SOP_DATA_DIR"]) / "run").iterdir()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("frequency: daily", "frequency: hourly"), "frequency: 'hourly' is not one of"),
        (("    output: Komputer siap\n", ""), "'output' is a required property"),
    ],
)
def test_malformed_catalogue_stops_the_run(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: tuple[str, str],
    expected: str,
) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(Path(os.environ["SOP_CATALOGUE_DIR"]), catalogue)
    demo = catalogue / "local-demo.yml"
    text = demo.read_text(encoding="utf-8")
    assert change[0] in text
    demo.write_text(text.replace(*change), encoding="utf-8")
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(catalogue))
    work = tmp_path / "work"
    code, _, err = cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}")
    assert code == 2 and expected in err and "\n" not in err.strip()
    assert not work.exists()  # the playbook never ran
