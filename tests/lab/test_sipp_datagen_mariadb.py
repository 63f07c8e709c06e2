"""lab_sipp's generated database in a real MariaDB (a lab-image container): the SQL
loads; the view, trigger, function and event work, survive mariadb-dump --routines
--events --triggers as the backup account, and the role's presence check matches them."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lab_scripts import load
from systemd_host import wait_for_systemd

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/sop-lab:latest"
NAME = "dg-it-sipp-datagen"
NOW = "2026-11-21T19:30:00"

pytestmark = [pytest.mark.mariadb]


gen = load("sipp_datagen_db", ROOT / "lab/roles/lab_sipp/files/sipp_datagen.py")


def generate(*args: str) -> str:
    out = io.StringIO()
    assert gen.main(["--now", NOW, *args], out) == 0
    return out.getvalue()


def podman(*args: str, stdin: str | None = None, check: bool = True) -> str:
    proc = subprocess.run(["podman", *args], input=stdin, capture_output=True, text=True,
                          check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])}: {proc.stderr.strip()[-2000:]}")
    return proc.stdout


def sql(query: str, database: str = "sipp", user: tuple[str, str] | None = None) -> list[str]:
    login = ["-u", user[0], f"-p{user[1]}"] if user else []
    return podman("exec", NAME, "mariadb", *login, "-N", "-B", database, "-e",
                  query).splitlines()


@pytest.fixture(scope="module")
def maria() -> Iterator[None]:
    if shutil.which("podman") is None or subprocess.run(
            ["podman", "image", "exists", IMAGE], check=False).returncode:
        pytest.skip(f"podman or the lab image {IMAGE} is missing")
    podman("rm", "-f", NAME, check=False)
    podman("run", "-d", "--systemd=always", "--name", NAME, IMAGE, "/sbin/init")
    try:
        wait_for_systemd(NAME)
        podman("exec", NAME, "systemctl", "start", "mariadb")
        podman("exec", "-i", NAME, "mariadb", stdin=(
            "CREATE DATABASE sipp CHARACTER SET utf8mb4; CREATE DATABASE sipp_copy;"
            "CREATE USER bk@localhost IDENTIFIED BY 'bk-pw';"
            "GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON sipp.* TO bk@localhost;"
            "GRANT PROCESS, RELOAD ON *.* TO bk@localhost;"
            "GRANT SELECT ON mysql.proc TO bk@localhost;"))
        podman("exec", "-i", NAME, "mariadb", "sipp",
               stdin=generate("--cases", "300", "--audit-rows", "2000", "--seed", "11"))
        yield
    finally:
        podman("rm", "-f", NAME, check=False)


def presence_query() -> str:
    """The query lab_sipp runs to decide whether the objects must be created."""
    tasks = yaml.safe_load((ROOT / "lab/roles/lab_sipp/tasks/data.yml").read_text())
    task = next(t for t in tasks if t["name"].startswith("Read the views, triggers"))
    return str(task["ansible.builtin.command"]["argv"][-1])


def test_generated_sql_loads_with_every_row(maria):
    assert sql("SELECT COUNT(*) FROM perkara") == ["300"]
    assert sql("SELECT COUNT(*) FROM v_perkara") == ["300"]
    assert sql("SELECT COUNT(*) FROM sys_audittrail") >= ["2000"]
    assert sql("SELECT value FROM sys_config WHERE category = 'lab'") == [
        "v=2;cases=300;audit_rows=2000;users=25;seed=11"]
    # the text came through unharmed: apostrophes, quotes and backslash-free names
    assert int(sql("SELECT COUNT(*) FROM pihak WHERE nama LIKE '%''%'")[0]) > 0


def test_view_function_trigger_and_event_work(maria):
    decided = sql("SELECT COUNT(*) FROM perkara_putusan")[0]
    assert sql("SELECT COUNT(*) FROM v_perkara WHERE tanggal_putusan IS NOT NULL") == [decided]
    kode, year, last = sql("SELECT jenis_perkara_kode, YEAR(tanggal_pendaftaran), "
                           "nomor_urut_perkara FROM perkara ORDER BY perkara_id DESC LIMIT 1")[
        0].split("\t")
    assert sql(f"SELECT f_nomor_urut_berikut('{kode}', {year})") == [str(int(last) + 1)]
    sql("UPDATE perkara SET status = 'Minutasi' WHERE perkara_id = 1")
    assert sql("SELECT diperbaharui_tanggal >= NOW() - INTERVAL 1 MINUTE FROM perkara "
               "WHERE perkara_id = 1") == ["1"]
    assert sql("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'sipp'") == [
        "DISABLED"]


def test_objects_survive_the_backup_accounts_dump(maria):
    podman("exec", NAME, "sh", "-c",
           "mariadb-dump -u bk -pbk-pw --single-transaction --routines --events --triggers sipp"
           " > /tmp/sipp.sql && mariadb sipp_copy < /tmp/sipp.sql")
    query = presence_query()
    original = sorted(sql(query))
    assert original == sorted(gen.OBJECT_NAMES)
    assert sorted(sql(query, "sipp_copy")) == original
    definition = ("SELECT ROUTINE_DEFINITION FROM information_schema.ROUTINES "
                  "WHERE ROUTINE_SCHEMA = DATABASE()")
    assert sql(definition, "sipp_copy") == sql(definition)
    assert sql("SELECT COUNT(*) FROM v_perkara", "sipp_copy") == ["300"]


def test_role_check_sees_nothing_missing_and_objects_apply_twice(maria):
    wanted = generate("--print-objects").splitlines()
    for _ in range(2):
        podman("exec", "-i", NAME, "mariadb", "sipp", stdin=generate("--objects"))
    assert sorted(sql(presence_query())) == sorted(wanted)
    sql("DROP VIEW v_perkara")
    assert set(wanted) - set(sql(presence_query())) == {"VIEW v_perkara"}
    podman("exec", "-i", NAME, "mariadb", "sipp", stdin=generate("--objects"))
    assert sorted(sql(presence_query())) == sorted(wanted)
