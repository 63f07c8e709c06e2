"""Store: migrations, executions, acknowledgements, stale detection."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sop import migrations
from sop.catalogue import get_sop, load_catalogue
from sop.db import Database, Transaction
from sop.errors import SopError
from sop.liveness import process_token, with_boot
from sop.migrations import SCHEMA_VERSION, migrate
from sop.store import DueRecord, Store, human_part

from .conftest import FIXTURES, craft_execution

ACTIVITIES = [
    {"number": 1, "kegiatan": "Otomatis", "mode": "automated", "tag": "a", "status": "not-run"},
    {"number": 2, "kegiatan": "Manual", "mode": "manual", "status": "pending-manual"},
]


def _values(**extra: object) -> dict[str, object]:
    return {
        "sop_id": "demo",
        "sop_title": "Demo",
        "sop_number": "1/X",
        "catalogue_version": "0",
        "catalogue_hash": "abc",
        "operator": "budi",
        "trigger": "manual",
        "hosts": ["h1"],
        "pid": 1,
        "pid_start": None,
        **extra,
    }


def test_migrations_are_versioned_and_idempotent(store_url: str) -> None:
    first = Store(store_url)
    assert first.schema_version == SCHEMA_VERSION >= 3  # later migrations append
    second = Store(store_url)
    with second.db.transaction() as tx:
        versions = tx.scalars("SELECT version FROM schema_migrations")
        if second.db.dialect == "sqlite":
            assert tx.scalars("PRAGMA journal_mode") == ["wal"]
            assert tx.scalars("PRAGMA foreign_keys") == [1]
            indexes = tx.scalars("SELECT name FROM pragma_index_list('executions')")
        else:
            indexes = tx.scalars("SELECT indexname FROM pg_indexes WHERE tablename = 'executions'")
    assert sorted(versions) == list(range(1, SCHEMA_VERSION + 1))
    assert {"ix_executions_court_started", "ix_executions_due_success"} <= set(indexes)
    first.close()
    second.close()



def test_a_sqlite_commit_is_on_disk_before_sop_goes_on(tmp_path: Path) -> None:
    """A power cut (frequent where courts' controllers run) must not take back what `sop`
    reported recorded: under WAL's synchronous=NORMAL the commits since the last
    checkpoint were in the page cache only (a run's end, then swept `interrupted`; an
    acknowledged step gone). FULL syncs the WAL at each commit."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    with store.db.transaction() as tx:
        assert tx.scalars("PRAGMA synchronous") == [2]  # FULL
    store.close()

V1_EXECUTION_COLUMNS = [
    "id", "sop_id", "sop_title", "sop_number", "catalogue_version", "catalogue_hash",
    "operator", "trigger", "court_name", "court_kode_satker", "inventory", "limit_pattern",
    "check_mode", "extra_var_names", "hosts", "started_at", "ended_at", "status", "rc",
    "error", "pid", "pid_start", "hostname", "artifact_dir",
]


def test_v1_is_frozen_and_upgrades(store_url: str) -> None:
    """v1 creates exactly sop 0.1.0's tables whatever later migrations add; a v1 store
    is upgraded in place, its rows kept."""
    url = store_url
    columns = _old_store_with_a_run(url, version=1)
    assert columns == V1_EXECUTION_COLUMNS
    store = Store(url)
    assert store.schema_version == SCHEMA_VERSION
    assert store.execution(1)["hosts"] == ["h1"] and store.execution(1)["playbook_pid"] is None
    store.close()


def _old_store_with_a_run(url: str, version: int) -> list[str]:
    """A store migrated to `version` only, holding one successful run at PN X (as that
    version's sop wrote it); its executions columns."""
    db = Database(url)
    assert migrate(db, target=version) == version
    with db.transaction(write=True) as tx:
        tx.execute(
            "INSERT INTO executions (sop_id, sop_title, sop_number, catalogue_version, "
            "catalogue_hash, operator, trigger, court_name, check_mode, extra_var_names, "
            "hosts, started_at, status, pid, hostname) VALUES ('demo', 'Demo', '1', '0', "
            "'a', 'budi', 'manual', 'PN X', FALSE, '[]', '[\"h1\"]', "
            "'2025-01-01 00:00:00', 'successful', 1, 'x')"
        )
        columns = list(tx.rows("SELECT * FROM executions")[0])
    db.close()
    return columns


def _old_store_with_an_activity(url: str, version: int, number: int) -> None:
    """_old_store_with_a_run, its run holding activity ``number`` (ok on h1) as that
    version's sop recorded it."""
    _old_store_with_a_run(url, version=version)
    db = Database(url)
    with db.transaction(write=True) as tx:
        tx.execute(
            "INSERT INTO activity_results (execution_id, number, ref, kegiatan, pelaksana, "
            f"mode, tag, status, hosts, outputs) VALUES (1, {number}, '', 'Backup', '[]', "
            "'automated', 'backup', 'ok', '[\"h1\"]', '[]')"
        )
    db.close()


def test_a_v5_store_migrates_to_record_partial_runs(store_url: str) -> None:
    """v6 records the activities a run chose (`partial`, NULL: the whole SOP): a v5
    store's executions keep their data and stay whole runs, the SOP's last success."""
    _old_store_with_a_run(store_url, version=5)
    store = Store(store_url)
    assert store.schema_version == SCHEMA_VERSION
    row = store.execution(1)
    assert (row["partial"], row["status"], row["hosts"]) == (None, "successful", ["h1"])
    assert store.due_records()[("demo", "PN X")].last_success == (1, row["started_at"])
    store.close()


def test_a_v6_store_migrates_to_record_human_parts(store_url: str) -> None:
    """v7 records each activity's human part (`manual_step`) with it: a v6 store's rows
    are kept, NULL (recorded before: the catalogue tells, as it did), while an execution
    created since records its text, '' for an activity without one."""
    _old_store_with_an_activity(store_url, version=6, number=2)
    store = Store(store_url)
    assert store.schema_version == SCHEMA_VERSION >= 7
    [old] = store.execution(1)["activities"]
    assert (old["manual_step"], old["status"], old["hosts"]) == (None, "ok", ["h1"])
    demo = get_sop(load_catalogue(FIXTURES / "catalogue"), "local-demo")
    assert human_part(demo, old) == "Salinan berkas disimpan di lemari arsip"
    assert human_part(None, old) is None  # a SOP no longer in the catalogue
    new = store.create_execution(
        _values(),
        [{**ACTIVITIES[0], "number": 1}, {**ACTIVITIES[0], "number": 2, "manual_step": "Bayar"}],
    )
    recorded = [a["manual_step"] for a in store.execution(new)["activities"]]
    assert recorded == ["", "Bayar"]
    assert [human_part(demo, a) for a in store.execution(new)["activities"]] == [None, "Bayar"]
    store.close()


def test_a_v11_store_migrates_to_record_activity_warnings(store_url: str) -> None:
    """v12 records the warnings the hosts returned per activity (`warnings`, JSON): a v11
    store's activities are kept and read as having none (NULL, recorded before), while
    an execution created since holds what its run recorded, on both dialects."""
    _old_store_with_an_activity(store_url, version=11, number=1)
    store = Store(store_url)
    assert store.schema_version == SCHEMA_VERSION >= 12
    [old] = store.execution(1)["activities"]
    assert (old["warnings"], old["status"], old["hosts"]) == ([], "ok", ["h1"])
    new = store.create_execution(_values(), ACTIVITIES)
    assert [a["warnings"] for a in store.execution(new)["activities"]] == [[], []]
    warned = [{"host": "sipp", "warning": "mydumper failed (exit 1); dumped again \u202e"}]
    store.finish_execution(
        new, status="successful", rc=0,
        activities=[{"number": 1, "status": "ok", "warnings": warned}],
    )  # fmt: skip
    assert store.execution(new)["activities"][0]["warnings"] == warned
    [listed] = store.executions(sop_id="demo", limit=1, with_activities=True)
    assert [a["warnings"] for a in listed["activities"]] == [warned, []]
    [before] = [r for r in store.executions(with_activities=True) if r["id"] == 1]
    assert before["activities"][0]["warnings"] == []
    store.close()


def test_newer_schema_is_refused(store_url: str) -> None:
    store = Store(store_url)
    with store.db.transaction(write=True) as tx:
        tx.execute("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')")
    store.close()
    with pytest.raises(SopError, match="schema is version 99, newer"):
        Store(store_url)


def test_a_newer_sop_migrating_meanwhile_is_refused(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two controllers open an old store at once, one running a newer sop: the older one,
    waiting for the migration lock while the newer migrates past what it knows, refuses
    the store as it would have on opening it a moment later, instead of writing into a
    schema it does not know."""
    old = Database(store_url)
    migrate(old, target=4)
    old.close()
    first_read = migrations.current_version

    def newer_sop_migrates_after(tx: Transaction) -> int:
        version = first_read(tx)
        monkeypatch.setattr(migrations, "current_version", first_read)
        newer = Database(store_url)
        with newer.transaction(write=True) as other:
            for number in range(5, SCHEMA_VERSION + 2):
                other.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) "
                    "VALUES (:version, 'newer', :at)",
                    {"version": number, "at": datetime.now(UTC)},
                )
        newer.close()
        return version

    monkeypatch.setattr(migrations, "current_version", newer_sop_migrates_after)
    with pytest.raises(SopError, match=f"schema is version {SCHEMA_VERSION + 1}, newer"):
        Store(store_url)


def test_execution_lifecycle_and_ack(store_url: str) -> None:
    store = Store(store_url)
    execution_id = store.create_execution(_values(), ACTIVITIES)
    assert store.execution(execution_id)["status"] == "running"
    store.finish_execution(
        execution_id,
        status="successful",
        rc=0,
        activities=[
            {
                "number": 1,
                "status": "ok",
                "hosts": ["h1"],
                "duration_s": 2.0,
                "over_time": False,
                "outputs": [{"path": "/b", "sha256": "x"}],
            }
        ],
        host_stats=[{"host": "h1", "ok": 3}],
    )
    row = store.execution(execution_id)
    assert row["status"] == "successful"
    assert row["activities"][0]["outputs"] == [{"path": "/b", "sha256": "x"}]
    assert row["host_stats"][0]["ok"] == 3
    with pytest.raises(SopError, match="is ok, not a manual step"):
        store.acknowledge(execution_id, 1, "budi", None)
    acked = store.acknowledge(execution_id, 2, "budi", "selesai")
    assert acked["activities"][1]["status"] == "acknowledged"
    with pytest.raises(SopError, match="already acknowledged by budi"):
        store.acknowledge(execution_id, 2, "ani", None)
    # The human part of an automated activity: recorded, its automated status kept, once.
    paid = store.acknowledge(execution_id, 1, "siti", "INV-7", manual_step=True)
    first = paid["activities"][0]
    assert (first["status"], first["acknowledged_by"], first["note"]) == ("ok", "siti", "INV-7")
    assert first["acknowledged_at"] is not None
    with pytest.raises(SopError, match="already acknowledged by siti"):
        store.acknowledge(execution_id, 1, "ani", None, manual_step=True)
    assert store.latest_per_sop(status="successful")["demo"]["id"] == execution_id


@pytest.mark.parametrize("manual_step", [False, True])
def test_an_ack_that_lost_the_race_says_so(
    store_url: str, manual_step: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `sop ack` (or `sop approve`) at once both read the activity unacknowledged on
    PostgreSQL, and the second overwrote the first's name and note. The one that lost
    is refused, naming who acknowledged it, and the first's record stays."""
    store = Store(store_url)
    execution_id = store.create_execution(_values(), ACTIVITIES)
    store.finish_execution(
        execution_id, status="successful", rc=0, activities=[{"number": 1, "status": "ok"}]
    )
    number = 1 if manual_step else 2
    read_before = store.execution(execution_id)["activities"][number - 1]
    store.acknowledge(execution_id, number, "ani", "INV-7", manual_step=manual_step)
    reads = iter([read_before])  # the second ack read it before the first one's update
    first = Transaction.first
    monkeypatch.setattr(
        Transaction, "first", lambda tx, *args: next(reads, None) or first(tx, *args)
    )
    with pytest.raises(
        SopError,
        match=f"^activity {number} of execution {execution_id} was already acknowledged "
        "by ani$",
    ):
        store.acknowledge(execution_id, number, "budi", "lain", manual_step=manual_step)
    monkeypatch.undo()
    row = store.execution(execution_id)["activities"][number - 1]
    assert (row["acknowledged_by"], row["note"]) == ("ani", "INV-7")
    store.close()


def test_dead_process_is_marked_interrupted(store_url: str) -> None:
    store = Store(store_url)
    child = subprocess.Popen(["sleep", "30"])
    execution_id = store.create_execution(
        _values(pid=child.pid, pid_start=process_token(child.pid)), ACTIVITIES
    )
    assert store.reap_stale() == []
    child.kill()
    child.wait()
    assert store.reap_stale() == [execution_id]
    row = store.execution(execution_id)
    assert row["status"] == "interrupted"
    assert row["error"].endswith("before ansible-playbook reported its start")


def test_a_run_recorded_at_another_boot_is_interrupted(store_url: str) -> None:
    """Its pid and start time may be a process of this boot: the boot recorded with them
    tells. A record of an older sop (a bare start time) is judged by its start time."""
    store = Store(store_url)
    sop = subprocess.Popen(["sleep", "30"])
    start = process_token(sop.pid)
    assert start is not None
    before_reboot = store.create_execution(
        _values(pid=sop.pid, pid_start=f"{start}@0123456789abcdef"), ACTIVITIES
    )
    older_sop = store.create_execution(_values(pid=sop.pid, pid_start=start), ACTIVITIES)
    assert store.reap_stale() == [before_reboot]
    assert store.execution(older_sop)["status"] == "running"
    recorded = store.create_execution(_values(pid=sop.pid, pid_start=start), ACTIVITIES)
    assert store.execution(recorded)["pid_start"] == with_boot(start) != start
    sop.kill()
    sop.wait()
    assert sorted(store.reap_stale()) == [older_sop, recorded]
    store.close()


def test_the_column_limits_are_the_schemas(store_url: str) -> None:
    """migrations.COLUMN_LIMITS, read from the migrations' SQL, names every VARCHAR column
    of the store as it was created, with its length."""
    store = Store(store_url)
    statements = [s for _, group in migrations.MIGRATIONS for s in group]
    assert len(migrations.COLUMN_LIMITS) == sum(s.count("VARCHAR(") for s in statements)
    with store.db.transaction() as tx:
        for (table, column), limit in migrations.COLUMN_LIMITS.items():
            if store.db.dialect == "sqlite":
                declared = [
                    row["type"] for row in tx.rows(f"PRAGMA table_info({table})")
                    if row["name"] == column
                ]
                assert declared == [f"VARCHAR({limit})"], (table, column)
            else:
                assert tx.scalars(
                    "SELECT character_maximum_length FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = :table "
                    "AND column_name = :column",
                    {"table": table, "column": column},
                ) == [limit], (table, column)
    assert migrations.COLUMN_LIMITS["executions", "court_kode_satker"] == 40
    store.close()


def test_an_interrupted_execution_ends_at_its_last_recorded_activity(store_url: str) -> None:
    """An execution found dead days later was given the time it was found as its end: a
    5-minute run lasted 3 days in the report. It ends at the last time its record knows
    (its activities' newest start or end), else at its own start."""
    store = Store(store_url)
    started = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)
    cut = started + timedelta(minutes=5)
    ids = []
    for activities in (
        [{"number": 1, "status": "ok", "started_at": started + timedelta(seconds=5),
          "ended_at": started + timedelta(minutes=2)},
         {"number": 2, "status": "running", "started_at": cut}],
        [],  # died before any activity began
    ):  # fmt: skip
        sop = subprocess.Popen(["sleep", "30"])
        execution_id = store.create_execution(
            _values(pid=sop.pid, pid_start=process_token(sop.pid)), ACTIVITIES
        )
        with store.db.transaction(write=True) as tx:  # as if it had started days ago
            tx.update("executions", {"started_at": started}, "id = :key_id", key_id=execution_id)
        store.update_activities(execution_id, activities)
        sop.kill()
        sop.wait()
        ids.append(execution_id)
    assert sorted(store.reap_stale()) == ids
    with_activities, without = (store.execution(i) for i in ids)
    assert (with_activities["status"], with_activities["ended_at"]) == ("interrupted", cut)
    assert (without["status"], without["ended_at"]) == ("interrupted", started)


def test_orphaned_playbook_holds_the_execution(store_url: str) -> None:
    """sop dead, its ansible-playbook alive: still running (locked) and said so; once the
    playbook is gone too: interrupted, saying it ran on orphaned."""
    store = Store(store_url)
    sop = subprocess.Popen(["sleep", "30"])
    playbook = subprocess.Popen(["sleep", "30"])
    execution_id = store.create_execution(
        _values(pid=sop.pid, pid_start=process_token(sop.pid)), ACTIVITIES
    )
    store.set_playbook_process(execution_id, playbook.pid, process_token(playbook.pid))
    store.update_activities(execution_id, [{"number": 1, "status": "running", "hosts": ["h1"]}])
    sop.kill()
    sop.wait()
    assert store.reap_stale() == []
    row = store.execution(execution_id)
    assert row["status"] == "running"
    assert row["activities"][0]["status"] == "running"
    assert f"ansible-playbook (pid {playbook.pid}) is still running, orphaned" in row["error"]
    playbook.kill()
    playbook.wait()
    assert store.reap_stale() == [execution_id]
    row = store.execution(execution_id)
    assert row["status"] == "interrupted"
    assert f"ansible-playbook (pid {playbook.pid}) ran on orphaned" in row["error"]
    assert [a["status"] for a in row["activities"]] == ["interrupted", "pending-manual"]


def test_a_name_in_bytes_that_are_no_utf8_is_recorded(store_url: str) -> None:
    """A name a host wrote in bytes that are no UTF-8 is a lone surrogate in Python, which
    no text column holds (UnicodeEncodeError, both drivers): it is stored as its escape
    text. JSON keeps it exact, as JSON's own escape."""
    name = b"/var/www/shell\xff.php".decode("utf-8", "surrogateescape")
    store = Store(store_url)
    execution_id = store.create_execution(_values(), ACTIVITIES)
    store.finish_execution(
        execution_id,
        status="failed",
        rc=2,
        error=f"web: Memeriksa situs: {name}",
        activities=[{"number": 1, "status": "failed", "outputs": [{"finding": name}],
                     "warnings": [{"host": "web", "warning": name}]}],
    )
    row = store.execution(execution_id)
    assert row["error"] == "web: Memeriksa situs: /var/www/shell\\udcff.php"
    assert row["activities"][0]["outputs"] == [{"finding": name}]
    assert row["activities"][0]["warnings"] == [{"host": "web", "warning": name}]
    store.close()


def test_a_failure_message_holding_a_nul_is_recorded(store_url: str) -> None:
    """A host's message holding a NUL (a command's binary output quoted by the failed
    task) is recorded: PostgreSQL's text holds none (psycopg refuses it, and the run's
    end went unrecorded, the execution left running), so there it is its escape text;
    SQLite keeps it as it is. JSON keeps it exact, as JSON's own escape, on both."""
    store = Store(store_url)
    execution_id = store.create_execution(_values(), ACTIVITIES)
    store.finish_execution(
        execution_id,
        status="failed",
        rc=2,
        error="db: Mencadangkan: mysqldump: \x00\x01 unexpected",
        activities=[{"number": 1, "status": "failed", "outputs": [{"stderr": "a\x00b"}]}],
    )
    row = store.execution(execution_id)
    assert row["status"] == "failed"
    nul = "\x00" if store.db.dialect == "sqlite" else "\\x00"
    assert row["error"] == f"db: Mencadangkan: mysqldump: {nul}\x01 unexpected"
    assert row["activities"][0]["outputs"] == [{"stderr": "a\x00b"}]
    store.close()


def test_an_activity_left_running_ends_as_its_execution(store_url: str) -> None:
    """An end that reports no activities (an internal error) does not leave one running."""
    store = Store(store_url)
    for status, expected in (("failed", "failed"), ("canceled", "canceled")):
        execution_id = store.create_execution(_values(), ACTIVITIES)
        store.update_activities(execution_id, [{"number": 1, "status": "running"}])
        store.finish_execution(execution_id, status=status, rc=None, error="internal error")
        activities = store.execution(execution_id)["activities"]
        assert [a["status"] for a in activities] == [expected, "pending-manual"]


def test_due_records_per_sop_and_court(store_url: str) -> None:
    """Newest real success and first real run per (SOP, court), a court-less one too."""
    store = Store(store_url)
    t = datetime(2025, 5, 1, tzinfo=UTC)
    craft_execution(store, "a", t, court="PN X", status="failed")
    ok = craft_execution(store, "a", t + timedelta(days=1), court="PN X")
    craft_execution(store, "a", t + timedelta(days=2), court="PN X", status="failed")
    craft_execution(store, "a", t + timedelta(days=3), court="PN X", check_mode=True)
    craft_execution(store, "a", t, court="PN Y", status="failed")
    unnamed = craft_execution(store, "b", t + timedelta(hours=5), court=None)
    craft_execution(store, "b", t - timedelta(days=9), court="PN Y", check_mode=True)
    assert store.due_records() == {
        ("a", "PN X"): DueRecord(t, (ok, t + timedelta(days=1))),
        ("a", "PN Y"): DueRecord(t, None),
        ("b", None): DueRecord(t + timedelta(hours=5), (unnamed, t + timedelta(hours=5))),
    }
    assert store.due_records("PN Y") == {("a", "PN Y"): DueRecord(t, None)}
    assert sorted(store.latest_per_sop(court="PN X")) == ["a"]
    assert store.latest_per_sop()["b"]["id"] == unnamed + 1  # every court
    assert {k: v["id"] for k, v in store.latest_per_sop(unnamed=True).items()} == {"b": unnamed}
    assert store.courts() == [None, "PN X", "PN Y"]
    store.close()


def test_a_partial_run_is_not_the_sop_done(store_url: str) -> None:
    """A run of chosen activities (`sop run --activity`) did those, not the SOP: as a
    dry run, it is neither a SOP's last success nor the first run it falls due from, nor
    a run of the month; it is recorded and listed with its selection."""
    store = Store(store_url)
    t = datetime(2025, 5, 1, tzinfo=UTC)
    ok = craft_execution(store, "a", t, court="PN X")
    partial = craft_execution(store, "a", t + timedelta(days=1), court="PN X", partial="2")
    craft_execution(store, "a", t - timedelta(days=1), court="PN X", partial="1,2")
    craft_execution(store, "b", t, court="PN Y", partial="1")
    craft_execution(store, "c", t, court=None, partial="1")
    assert store.due_records() == {("a", "PN X"): DueRecord(t, (ok, t))}
    assert store.due_records("PN Y") == {}
    month = store.month_counts(t - timedelta(days=5), t + timedelta(days=5))
    assert month == {("PN X", None, "a"): {"successful": 1}}
    assert store.execution(partial)["partial"] == "2"
    assert [r["id"] for r in store.executions(sop_id="a", limit=1)] == [partial]
    store.close()


def test_court_recorded_later_and_a_run_that_never_ran_removed(store_url: str) -> None:
    """`sop run` records the court once the playbook reports it (set_court), and removes
    the record of a run refused before it touched any host (delete_execution)."""
    store = Store(store_url)
    activity = {
        "number": 1, "ref": "", "kegiatan": "Backup", "pelaksana": ["Staf IT"],
        "mode": "automated", "tag": "backup", "status": "not-run", "hosts": [], "outputs": [],
    }  # fmt: skip
    execution_id = store.create_execution(_values(court_name=None), [activity])
    store.set_court(
        execution_id,
        {"court_name": "PN Uji", "court_kode_satker": "1", "sop_number": "W1/SOP"},
        {1: {"pelaksana": ["Staf IT (Budi)"], "limit_s": 1800}},
    )
    row = store.execution(execution_id)
    assert (row["court_name"], row["sop_number"]) == ("PN Uji", "W1/SOP")
    assert row["activities"][0]["pelaksana"] == ["Staf IT (Budi)"]
    assert row["activities"][0]["limit_s"] == 1800
    store.delete_execution(execution_id)
    assert store.executions() == []
    with pytest.raises(SopError, match=f"no execution {execution_id}"):
        store.execution(execution_id)
    store.close()


def test_installed_timers_per_controller_and_court(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """v10's schedules on both stores: a reinstall keeps the first install, a court's
    controller changing court ends its old court's timers, another controller's stay."""
    import sop.store  # noqa: PLC0415 (its clock and hostname, patched)

    t = datetime(2026, 3, 6, 5, 0, tzinfo=UTC)
    clock = iter(t + timedelta(hours=n) for n in range(10))
    monkeypatch.setattr(sop.store, "now", lambda: next(clock))
    store = Store(store_url)

    def on(host: str, court: str | None, sop_ids: list[str]) -> None:
        monkeypatch.setattr(sop.store.socket, "gethostname", lambda: host)
        store.set_schedules(court, sop_ids)

    on("ctl-x", "PN X", ["a", "b"])
    on("ctl-y", "PN Y", ["a"])
    on("ctl-x", "PN X", ["a", "b", "b"])  # reinstalled: its first install kept
    assert store.scheduled_since() == {
        ("a", "PN X"): t, ("b", "PN X"): t, ("a", "PN Y"): t + timedelta(hours=1),
    }  # fmt: skip
    on("ctl-x", "PN X", ["a"])  # b no longer scheduled
    on("ctl-x", None, ["a"])  # an inventory without court_name
    assert store.scheduled_since() == {
        ("a", "PN Y"): t + timedelta(hours=1), ("a", None): t + timedelta(hours=4),
    }  # fmt: skip
    assert store.scheduled_since("PN Y") == {("a", "PN Y"): t + timedelta(hours=1)}
    on("ctl-y", None, [])  # removed
    assert store.scheduled_since() == {("a", None): t + timedelta(hours=4)}
    store.close()
