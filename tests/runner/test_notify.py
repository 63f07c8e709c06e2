"""Notifications: delivered for real to a local SMTP server (apprise mailto://) and to a
local HTTP receiver (apprise json://), once per problem, recorded when delivery fails."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpd
import pytest

from sop import notify, runner
from sop.catalogue import load_catalogue
from sop.errors import SopError
from sop.masking import mask_notify_reason
from sop.overdue import Due
from sop.store import Row, Store, now
from sop.untrusted import visible

from .conftest import INVENTORY, CliResult, craft_execution
from .receivers import Inbox, Mailbox, free_port, http_receiver, smtp_server

TELEGRAM = "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234567890"
Receivers = tuple[Mailbox, Inbox]


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    with smtp_server() as box, http_receiver() as inbox:
        yield box, inbox


def telegram_posts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Telegram's API faked (apprise posts with requests): what each message posted,
    nothing sent."""
    posted: list[dict[str, Any]] = []

    class Answer:
        status_code = 200
        content = b'{"ok": true}'

    def post(url: str, **kwargs: Any) -> Answer:
        posted.append(json.loads(kwargs["data"]))
        return Answer()

    monkeypatch.setattr("requests.post", post)
    return posted


def write_config(path: Path, urls: list[str], mode: int = 0o600) -> Path:
    lines = "".join(f"  - {url!r}\n" for url in urls)
    path.write_text(f"urls:\n{lines}", encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receivers: Receivers) -> Receivers:
    box, inbox = receivers
    config = write_config(tmp_path / "notify.yml", [box.url, inbox.url])
    monkeypatch.setenv(notify.CONFIG_ENV, str(config))
    return receivers


def demo(cli: Callable[..., CliResult], *args: str) -> CliResult:
    """`sop run local-demo` on localhost (the fixture inventory, court PN Uji), writing
    beside this test's data dir (sop_env's), not in a folder other runs share."""
    work = Path(os.environ["SOP_DATA_DIR"]).parent / "demo"
    return cli("run", "local-demo", "-i", str(INVENTORY), "-e", f"demo_dir={work}", *args)


def data_store(sop_env: dict[str, str]) -> Store:
    """The store `sop` uses in this test's data dir."""
    data = Path(sop_env["SOP_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    return Store(f"sqlite:///{data / 'sop.db'}")


def rows(store: Store) -> list[dict[str, object]]:
    with store.db.transaction() as tx:
        return list(tx.rows("SELECT * FROM notifications ORDER BY id"))


def test_failed_run_notified_once_then_recovery(
    cli: Callable[..., CliResult], configured: Receivers, sop_env: dict[str, str]
) -> None:
    box, inbox = configured
    code, _, err = demo(cli, "-e", "demo_fail=true")
    assert code == 1
    assert len(box.messages) == len(inbox.posts) == 1, err
    post = inbox.posts[0]
    assert post["title"] == "SOP gagal"
    assert "eksekusi 1 GAGAL" in post["message"]
    assert "backup gagal (uji)" in post["message"]
    assert "Pengadilan Negeri Uji" in post["message"]
    subject, body = box.texts()[0].split("\n", 1)
    assert subject == "SOP gagal"
    assert "eksekusi 1 GAGAL" in body

    # The same failure again: not repeated.
    assert demo(cli, "-e", "demo_fail=true")[0] == 1
    assert len(box.messages) == len(inbox.posts) == 1

    # It works again: told once that it recovered; a check run tells nothing, nor does a
    # run of chosen activities (the SOP is not done by it).
    assert demo(cli, "--check")[0] == 0
    assert demo(cli, "--activity", "2")[0] == 0
    assert len(inbox.posts) == 1
    assert demo(cli)[0] == 0
    assert len(box.messages) == len(inbox.posts) == 2
    assert inbox.posts[1]["title"] == "SOP pulih"
    assert "kembali berhasil (eksekusi 5)" in inbox.posts[1]["message"]
    assert demo(cli)[0] == 0
    assert len(inbox.posts) == 2

    # Failing again after recovery is a new problem: told again.
    assert demo(cli, "-e", "demo_fail=true")[0] == 1
    assert len(inbox.posts) == 3


def test_failed_delivery_never_fails_the_sop_and_is_recorded(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sop_env: dict[str, str],
) -> None:
    dead = f"json://127.0.0.1:{free_port()}/notify"  # nothing listens there
    monkeypatch.setenv(notify.CONFIG_ENV, str(write_config(tmp_path / "n.yml", [dead])))
    code, _, err = demo(cli, "-e", "demo_fail=true")
    assert code == 1  # the SOP's own failure, nothing else
    assert "notification gagal for execution 1 not delivered" in err
    assert "Traceback" not in err
    store = Store(f"sqlite:///{tmp_path / 'data' / 'sop.db'}")
    [row] = rows(store)
    assert row["state"] == "failed"
    assert row["kind"] == "gagal"
    assert row["error"]
    # Retried on the next occurrence, delivered once the receiver listens.
    with http_receiver() as inbox:
        monkeypatch.setenv(notify.CONFIG_ENV, str(write_config(tmp_path / "n.yml", [inbox.url])))
        assert demo(cli, "-e", "demo_fail=true")[0] == 1
        assert len(inbox.posts) == 1
    [row] = rows(store)
    assert row["state"] == "sent"
    assert row["attempts"] == 2
    store.close()


def test_a_recovery_not_delivered_is_a_warning_with_its_reason(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sop_env: dict[str, str],
) -> None:
    """The end of a problem told before (`pulih`) that cannot be delivered was silent: no
    warning, nothing recorded. Every delivery that fails is a warning naming why."""
    with http_receiver() as inbox:
        monkeypatch.setenv(notify.CONFIG_ENV, str(write_config(tmp_path / "n.yml", [inbox.url])))
        assert demo(cli, "-e", "demo_fail=true")[0] == 1
        assert [p["title"] for p in inbox.posts] == ["SOP gagal"]
    port = free_port()  # nothing listens there
    monkeypatch.setenv(
        notify.CONFIG_ENV,
        str(write_config(tmp_path / "n.yml", [f"json://127.0.0.1:{port}/notify"])),
    )
    code, _, err = demo(cli)
    assert code == 0, err
    warning = "sop: warning: notification pulih for execution 2 not delivered: "
    assert warning + "A Connection error occurred sending JSON notification to 127.0.0.1" in err
    store = data_store(sop_env)
    [row] = rows(store)
    store.close()
    assert row["state"] == "resolved" and "Connection error" in str(row["error"])


def test_successful_run_with_a_config_still_succeeds_without_receivers(
    cli: Callable[..., CliResult], configured: Receivers
) -> None:
    box, inbox = configured
    assert demo(cli)[0] == 0
    assert box.messages == [] and inbox.posts == []  # nothing to tell


def test_overdue_notified_once_per_deadline(
    cli: Callable[..., CliResult], configured: Receivers, sop_env: dict[str, str]
) -> None:
    box, inbox = configured
    store = data_store(sop_env)
    craft_execution(store, "local-demo", now() - timedelta(days=5))
    code, _, _ = cli("overdue", "--notify")
    assert code == 7
    assert len(box.messages) == len(inbox.posts) == 1
    assert inbox.posts[0]["title"] == "SOP terlambat"
    assert "TERLAMBAT" in inbox.posts[0]["message"]
    assert "(eksekusi 1)" in inbox.posts[0]["message"]
    assert cli("overdue", "--notify")[0] == 7
    assert len(inbox.posts) == 1  # once
    assert cli("overdue")[0] == 7  # without --notify: nothing sent
    assert len(inbox.posts) == 1
    # Up again: resolved, told once.
    craft_execution(store, "local-demo", now() - timedelta(hours=1))
    assert cli("overdue", "--notify")[0] == 0
    assert len(inbox.posts) == 2
    assert inbox.posts[1]["title"] == "SOP pulih"
    store.close()


@pytest.mark.usefixtures("controller_at_utc")
@pytest.mark.parametrize(
    ("clock", "overdue", "last"),
    [((), "15.30 WIB", "09.30 WIB"), (("--timezone", "WITA"), "16.30 WITA", "10.30 WITA")],
)
def test_overdue_times_are_the_courts_clock(
    cli: Callable[..., CliResult],
    configured: Receivers,
    sop_env: dict[str, str],
    clock: tuple[str, ...],
    overdue: str,
    last: str,
) -> None:
    """On a controller kept at UTC, "TERLAMBAT sejak" is the court's time (WIB by default,
    its inventory's sop_schedule.timezone or --timezone), not 7 hours earlier, its zone
    named as a court reads it (WIB, WITA, WIT: the same hour is another in each); written
    as the reports' text writes a time (sop.bahasa), not `06-01-2026 15:30`."""
    _, inbox = configured
    store = data_store(sop_env)
    craft_execution(store, "local-demo", datetime(2026, 1, 5, 2, 30, tzinfo=UTC))
    store.close()
    assert cli("overdue", "--notify", "-i", str(INVENTORY), *clock)[0] == 7
    # daily: due a day after, overdue 6 hours later: 2026-01-06 15:30 WIB
    message = inbox.posts[0]["message"]
    assert (
        f"TERLAMBAT sejak 6 Januari 2026 pukul {overdue}: berhasil terakhir 5 Januari 2026 "
        f"pukul {last} (eksekusi 1)."
    ) in message


def test_a_sop_up_again_without_a_success_is_not_told_as_succeeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SOP overdue from its timer's install that then runs and fails is no longer
    overdue (it falls due from its first run), though it never succeeded: its recovery
    read "tidak terlambat lagi (eksekusi None berhasil)", a success that never was."""
    sop = load_catalogue()["sipp-backup"]
    due = datetime(2026, 11, 3, 2, tzinfo=UTC)
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    with http_receiver() as inbox:
        monkeypatch.setenv(notify.CONFIG_ENV, str(write_config(tmp_path / "n.yml", [inbox.url])))
        for state in ("overdue", "grace"):
            dues = [Due(sop, "PN Uji", state, due_at=due, overdue_at=due + timedelta(hours=6))]
            assert notify.overdue_check(store, dues, [], ZoneInfo("Asia/Jakarta")) is None
    store.close()
    assert [post["title"] for post in inbox.posts] == ["SOP terlambat", "SOP pulih"]
    assert inbox.posts[1]["message"] == (
        f"SOP {sop.title} di PN Uji tidak terlambat lagi (sudah dijalankan, belum pernah "
        "berhasil)."
    )


def test_interrupted_execution_notified_by_the_overdue_check(
    cli: Callable[..., CliResult], configured: Receivers, sop_env: dict[str, str]
) -> None:
    _, inbox = configured
    store = data_store(sop_env)
    execution = craft_execution(store, "local-demo", now() - timedelta(hours=2))
    with store.db.transaction(write=True) as tx:
        tx.update(
            "executions",
            {"status": "interrupted", "error": "sop (pid 4242) died"},
            "id = :key_id",
            key_id=execution,
        )
    cli("overdue", "--notify")
    cli("overdue", "--notify")
    [post] = inbox.posts
    assert f"eksekusi {execution} TERPUTUS" in post["message"]
    store.close()


@pytest.mark.parametrize("newer", [{"partial": "1"}, {"check_mode": True}])
def test_an_interrupted_run_is_notified_after_a_newer_partial_or_dry_run(
    cli: Callable[..., CliResult],
    configured: Receivers,
    sop_env: dict[str, str],
    newer: dict[str, Any],
) -> None:
    """The interrupted-run check took each SOP's newest execution of any kind: a partial
    run (`--activity`) or a dry run started after the interrupted run hid it, although
    neither is the SOP done, and the run that broke off was never told."""
    _, inbox = configured
    store = data_store(sop_env)
    broken = craft_execution(store, "local-demo", now() - timedelta(hours=3), status="interrupted")
    craft_execution(store, "local-demo", now() - timedelta(hours=1), **newer)
    store.close()
    cli("overdue", "--notify")
    [post] = inbox.posts
    assert f"eksekusi {broken} TERPUTUS" in post["message"]


def _with_outputs(store: Store, execution: int, kegiatan: str, outputs: list[object]) -> None:
    with store.db.transaction(write=True) as tx:
        tx.update(
            "activity_results",
            {"kegiatan": kegiatan, "outputs": outputs},
            "execution_id = :key_id AND number = 2",
            key_id=execution,
        )


def test_findings_and_report_to_the_head_of_unit(
    store_url: str, receivers: Receivers, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: an unverified backup is a finding, told once until it
    changes; the Melaporkan activity's outputs reach the head of the unit every run, a
    size as the reports write numbers (sop.bahasa), not `1234.5 MiB`."""
    box, inbox = receivers
    store = Store(store_url)
    config = notify.Config(tmp_path, (box.url, inbox.url), {})
    backup = {
        "path": "/srv/backup/sipp-2026-11-30.sql.zst",
        "size": int(1234.5 * 1048576),
        "sha256": "ab" * 32,
        "verified": False,
    }
    first = craft_execution(store, "sipp-backup", now(), activities=3)
    _with_outputs(store, first, "Melaporkan kegiatan Backup Database SIPP", [backup])
    notify.events_for_execution(notify.Notifier(store, config), store.execution(first))
    titles = [p["title"] for p in inbox.posts]
    assert titles == ["Temuan SOP", "Laporan SOP"]
    assert "sipp-2026-11-30.sql.zst belum terverifikasi" in inbox.posts[0]["message"]
    assert "Kepada Kasubbag PTIP" in inbox.posts[1]["message"]
    assert "sipp-2026-11-30.sql.zst, 1.234,5 MiB, sha256" in inbox.posts[1]["message"]
    assert "BELUM terverifikasi" in inbox.posts[1]["message"]
    assert len(box.messages) == 2

    second = craft_execution(store, "sipp-backup", now(), activities=3)
    _with_outputs(store, second, "Melaporkan kegiatan Backup Database SIPP", [backup])
    notify.events_for_execution(notify.Notifier(store, config), store.execution(second))
    assert [p["title"] for p in inbox.posts[2:]] == ["Laporan SOP"]  # finding unchanged

    third = craft_execution(store, "sipp-backup", now(), activities=3)
    _with_outputs(
        store, third, "Melaporkan kegiatan Backup Database SIPP", [{**backup, "verified": True}]
    )
    notify.events_for_execution(notify.Notifier(store, config), store.execution(third))
    assert [p["title"] for p in inbox.posts[3:]] == ["SOP pulih", "Laporan SOP"]
    assert "tidak ada temuan lagi" in inbox.posts[3]["message"]

    fourth = craft_execution(store, "website", now(), activities=2)
    _with_outputs(store, fourth, "Memeriksa situs", [{"finding": "injeksi: <script> asing"}])
    notify.events_for_execution(notify.Notifier(store, config), store.execution(fourth))
    assert inbox.posts[-1]["title"] == "Temuan SOP"
    assert "injeksi: <script> asing" in inbox.posts[-1]["message"]
    store.close()


def test_a_name_an_intruder_chose_is_text_in_every_message(
    receivers: Receivers, tmp_path: Path
) -> None:
    """A finding quotes what the website holds (a planted file's name). Sent as HTML it
    became a link in the head of unit's e-mail (and Telegram) and vanished from the plain
    text; a lone `<` made Telegram refuse the whole message. Sent as plain text, apprise
    escapes it for the HTML services, and control characters are shown as escapes."""
    box, inbox = receivers
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    config = notify.Config(tmp_path, (box.url, inbox.url), {})
    name = '<a href="https://evil.example/">klik</a>\u202egnp.php'
    execution = craft_execution(store, "website", now(), activities=2)
    _with_outputs(store, execution, "Memeriksa situs", [{"finding": f"webshell: {name}"}])
    notify.events_for_execution(notify.Notifier(store, config), store.execution(execution))
    store.close()
    shown = name.replace("\u202e", "\\u202e")
    assert f"webshell: {shown}" in inbox.posts[0]["message"]
    assert f"webshell: {shown}" in box.texts()[0]
    html = next(
        part.get_payload(decode=True).decode()
        for part in box.messages[0].walk()
        if part.get_content_type() == "text/html"
    )
    assert "<a href" not in html and "&lt;a" in html and "\u202e" not in html


def test_a_name_in_bytes_that_are_no_utf8_is_told(receivers: Receivers, tmp_path: Path) -> None:
    """A file an intruder named in bytes that are no UTF-8 reaches the record's outputs as
    Python keeps them, lone surrogates: the finding's fingerprint failed on it
    (UnicodeEncodeError) and the webshell was never told; past it, apprise failed to send
    it. Its byte is told as its escape, as a control character is."""
    box, inbox = receivers
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    config = notify.Config(tmp_path, (box.url, inbox.url), {})
    name = b"shell\xff.php".decode("utf-8", "surrogateescape")
    execution = craft_execution(store, "website", now(), activities=2)
    _with_outputs(store, execution, "Memeriksa situs", [{"finding": f"webshell: {name}"}])
    notifier = notify.Notifier(store, config)
    notify.events_for_execution(notifier, store.execution(execution))
    store.close()
    assert [outcome for _, outcome, _ in notifier.outcomes] == ["sent"]
    assert "webshell: shell\\udcff.php" in inbox.posts[0]["message"]
    assert "webshell: shell\\udcff.php" in box.texts()[0]


def test_a_size_no_float_holds_still_reports_to_the_head_of_unit(
    receivers: Receivers, tmp_path: Path
) -> None:
    """A host chooses the numbers in its outputs: a size of 10**400 bytes made the report
    to the head of the unit fail (OverflowError) and never be sent."""
    _, inbox = receivers
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    config = notify.Config(tmp_path, (inbox.url,), {})
    execution = craft_execution(store, "sipp-backup", now(), activities=3)
    output = {"path": "/srv/backup/x.sql.zst", "size": 10**400, "sha256": "ab" * 32}
    _with_outputs(store, execution, "Melaporkan kegiatan Backup Database SIPP", [output])
    notify.events_for_execution(notify.Notifier(store, config), store.execution(execution))
    store.close()
    assert [p["title"] for p in inbox.posts] == ["Laporan SOP"]
    assert "berkas x.sql.zst, sha256 abababababababab..." in inbox.posts[0]["message"]


def test_config_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(notify.CONFIG_ENV, str(tmp_path / "missing.yml"))
    with pytest.raises(SopError, match=r"missing\.yml: file not found"):
        notify.load_config()
    monkeypatch.delenv(notify.CONFIG_ENV)
    assert notify.load_config(tmp_path / "none.yml") is None

    good = write_config(tmp_path / "good.yml", [TELEGRAM, "json://127.0.0.1:1/x"])
    config = notify.load_config(good)
    assert config is not None and config.urls_for(None)[0] == TELEGRAM

    bad_token = write_config(tmp_path / "bad.yml", ["tgram://not-a-bot-token/"])
    with pytest.raises(SopError) as caught:
        notify.load_config(bad_token)
    assert str(caught.value) == (
        f"{bad_token}: urls[0]: not a valid apprise URL for service 'tgram' "
        "(apprise: Unparseable Telegram URL tgram://n...n/)"
    )
    assert "not-a-bot-token" not in str(caught.value)  # never the secret itself

    shared = write_config(tmp_path / "shared.yml", [TELEGRAM], mode=0o644)
    with pytest.raises(SopError, match=r"readable by others .*0644.*make it 0600"):
        notify.load_config(shared)

    (tmp_path / "keys.yml").write_text("url: x\n")
    (tmp_path / "keys.yml").chmod(0o600)
    with pytest.raises(SopError, match="expected the keys urls, courts and timeout"):
        notify.load_config(tmp_path / "keys.yml")

    per_court = tmp_path / "courts.yml"
    per_court.write_text(f"courts:\n  PN Uji: ['{TELEGRAM}']\n")
    per_court.chmod(0o600)
    config = notify.load_config(per_court)
    assert config is not None
    assert config.urls_for("PN Uji") == (TELEGRAM,)
    assert config.urls_for("PN Lain") == ()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # what apprise warned, not its error after (which quotes the URL whole)
        ("mailto://budi:Sup3rSecretPw@?from=bad", "Invalid ~From~ email specified: bad <>"),
        # its error, the URL's password and user in it masked
        ("matrix://budi:Sup3rSecretPw@", "Unparseable Matrix URL matrix://***:***@"),
    ],
    ids=("warned", "error"),
)
def test_a_refused_url_says_why_without_its_secrets(tmp_path: Path, url: str, reason: str) -> None:
    """A URL apprise refuses: the message named its place and service only, not why
    ("Invalid ~From~ email"): apprise's words can quote the URL's password or token.
    They are shown now, with the URL's own secrets masked by value."""
    config = write_config(tmp_path / "n.yml", [TELEGRAM, url])
    with pytest.raises(SopError) as caught:
        notify.load_config(config)
    service = url.split("://", 1)[0]
    assert str(caught.value) == (
        f"{config}: urls[1]: not a valid apprise URL for service {service!r} "
        f"(apprise: {reason})"
    )
    assert "Sup3rSecretPw" not in str(caught.value)


def test_bad_config_never_fails_the_sop(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        notify.CONFIG_ENV, str(write_config(tmp_path / "n.yml", [TELEGRAM], mode=0o640))
    )
    code, _, err = demo(cli)
    assert code == 0
    assert "notifications not sent: notification config" in err
    assert "readable by others" in err


def test_a_warning_to_a_closed_terminal_never_fails_the_sop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's notifications' warning after its record, on the terminal that closed (the
    SSH session that dropped and canceled it: EIO; a reader that left: EPIPE), raised out
    of execution_ended (its catch-all warned again): the run, recorded `canceled`, was
    rewritten `failed`, "internal error: BrokenPipeError". It goes to /dev/null."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    execution = craft_execution(store, "local-demo", now(), status="canceled")
    monkeypatch.setenv(
        notify.CONFIG_ENV, str(write_config(tmp_path / "n.yml", [TELEGRAM], mode=0o640))
    )
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left
    # line buffered, as Python's own stderr: each line written at once
    with os.fdopen(write_end, "w", buffering=1) as stderr, monkeypatch.context() as patch:
        patch.setattr("sys.stderr", stderr)
        notify.execution_ended(store, execution)
        assert os.path.samestat(os.fstat(write_end), os.stat(os.devnull))
    store.close()


def test_notify_test_command(
    cli: Callable[..., CliResult],
    configured: Receivers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, inbox = configured
    code, out, _ = cli("notify", "test")
    assert code == 0
    assert "delivered to 2 URL(s)" in out
    assert inbox.posts[0]["title"] == "Uji notifikasi SOP"
    assert len(box.messages) == 1
    dead = f"json://127.0.0.1:{free_port()}/x"
    monkeypatch.setenv(notify.CONFIG_ENV, str(write_config(tmp_path / "d.yml", [dead])))
    code, _, err = cli("notify", "test")
    assert code == 1
    assert err.startswith("sop: error: test notification not delivered:")
    assert len(err.strip().splitlines()) == 1


def test_a_run_canceled_before_its_playbook_started_is_notified(
    cli: Callable[..., CliResult],
    configured: Receivers,
    sop_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SIGTERM after the execution was recorded and before its playbook started: the
    record said canceled, and nobody was told (the early return skipped the
    notification hook that every other end of a run calls). The signal is real, sent
    by this process to itself right after the execution is recorded."""
    _, inbox = configured
    recorded = runner._start

    def start_then_sigterm(*args: Any, **kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
        started = recorded(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)
        return started

    monkeypatch.setattr(runner, "_start", start_then_sigterm)
    code, _, err = demo(cli)
    assert code == 5, err
    assert data_store(sop_env).execution(1)["status"] == "canceled"
    [post] = inbox.posts
    assert post["title"] == "SOP gagal"
    assert "eksekusi 1 DIBATALKAN" in post["message"]


def test_a_store_failing_while_overdue_notifies_is_no_internal_error(
    cli: Callable[..., CliResult], configured: Receivers, sop_env: dict[str, str]
) -> None:
    """A failure inside the overdue check's notifications other than a bad config (here
    the store locked by another process when the delivery is claimed) ended `sop
    overdue --notify` with exit 6, an internal error, and no list: the list is shown, and
    the check that could not finish its notifications says so in one line, exit 8."""
    _, inbox = configured
    store = data_store(sop_env)
    craft_execution(store, "local-demo", now() - timedelta(days=5))
    store.close()
    holder = sqlite3.connect(Path(sop_env["SOP_DATA_DIR"]) / "sop.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # holds the write lock: readers go on
        code, out, err = cli("overdue", "--notify")
    finally:
        holder.close()
    assert code == 8, err
    assert "local-demo" in out or "Local-Demo" in out, out
    assert err.startswith("sop: error: notifications not all sent: ") and err.count("\n") == 1
    assert "locked" in err
    assert inbox.posts == []  # claimed in the store before it is sent: none unrecorded


def test_an_interrupted_run_without_a_court_is_notified(
    cli: Callable[..., CliResult], configured: Receivers, sop_env: dict[str, str]
) -> None:
    """The interrupted-run check asked, for executions without a court name, the newest
    execution of each SOP at any court: an interrupted run without a court was missed
    once a court had run the SOP after it (and a court's interrupted run was checked a
    second time in its place)."""
    _, inbox = configured
    store = data_store(sop_env)
    unnamed = craft_execution(
        store, "local-demo", now() - timedelta(hours=3), status="interrupted", court=None
    )
    craft_execution(store, "local-demo", now() - timedelta(hours=1))  # PN Uji, later
    store.close()
    cli("overdue", "--notify")
    [post] = inbox.posts
    assert f"eksekusi {unnamed} TERPUTUS" in post["message"]


def _overdue_demo(sop_env: dict[str, str]) -> None:
    store = data_store(sop_env)
    craft_execution(store, "local-demo", now() - timedelta(days=5))
    store.close()


@pytest.mark.parametrize("query", [(), ("--query", "[].sop_id")])
def test_an_overdue_alert_not_delivered_fails_the_check(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sop_env: dict[str, str],
    query: tuple[str, ...],
) -> None:
    """The hourly `sop overdue --notify` (sop-overdue.timer) whose alert did not reach
    anyone (the court's mail server down) exited 7, as if it had been told, or 0 for an
    interrupted run: a warning in a journal nobody reads. Exit 8, after the list."""
    dead = f"mailto://127.0.0.1:{free_port()}?from=sop@pn-uji.example&to=ptip@pn-uji.example"
    monkeypatch.setenv(notify.CONFIG_ENV, str(write_config(tmp_path / "n.yml", [dead])))
    _overdue_demo(sop_env)
    code, out, err = cli("overdue", "--notify", *query)
    assert code == 8, err
    assert "local-demo" in out.lower()  # the list (or its JSON), as without --notify
    *warnings, error = err.splitlines()
    assert [w.split(" not delivered: ")[0] for w in warnings] == [
        "sop: warning: notification terlambat for SOP local-demo at Pengadilan Negeri Uji"
    ]
    assert error == "sop: error: 1 of 1 notifications not delivered (the warnings above say why)"


def test_a_config_with_no_url_for_the_court_names_its_settings(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sop_env: dict[str, str],
) -> None:
    """A configuration that names no URL for the overdue SOP's court: the alert reaches
    nobody, exit 8 as for a failed delivery, its warning giving apprise's "There are no
    service(s) to notify", which named neither the file nor the court. It names both, and
    the settings, as `sop notify test` does."""
    config = tmp_path / "n.yml"
    config.write_text("urls: []\ncourts: {Pengadilan Negeri Lain: ['json://x.example/h']}\n")
    config.chmod(0o600)
    monkeypatch.setenv(notify.CONFIG_ENV, str(config))
    _overdue_demo(sop_env)
    code, out, err = cli("overdue", "--notify")
    assert code == 8, err
    assert "local-demo" in out
    no_url = (
        f"{config}: no URL for court 'Pengadilan Negeri Uji' (neither urls nor "
        "courts/Pengadilan Negeri Uji)"
    )
    assert err.splitlines() == [
        "sop: warning: notification terlambat for SOP local-demo at Pengadilan Negeri Uji "
        f"not delivered: {no_url}",
        "sop: error: 1 of 1 notifications not delivered (the warnings above say why)",
    ]
    code, out, err = cli("notify", "test")
    assert (code, out) == (2, "")
    assert err == f"sop: error: {config}: no URL: urls is empty (courts/NAME are for a named " \
        "court)\n"


@pytest.mark.parametrize(
    ("court", "shown"),
    [("PN a\\b", ("'PN a\\b'", "PN a\\b")), ("P" * 5000, ("'" + "P" * 60 + "…'", "P" * 60 + "…"))],
)
def test_a_court_and_a_service_are_quoted_once_and_cut(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    court: str,
    shown: tuple[str, str],
) -> None:
    """The court (--court, an inventory's court_name) and a URL's service (the config's)
    as an error quotes them: once (untrusted.quoted: repr's escapes were escaped again as
    `sop` showed them) and cut (untrusted.shortened: one pasted whole flooded the line)."""
    config = write_config(tmp_path / "n.yml", [])
    monkeypatch.setenv(notify.CONFIG_ENV, str(config))
    code, out, err = cli("notify", "test", "--court", court)
    assert (code, out) == (2, "")
    assert err == (
        f"sop: error: {config}: no URL for court {shown[0]} (neither urls nor courts/"
        f"{shown[1]})\n"
    )
    broken = tmp_path / "broken.yml"
    broken.write_text(f"urls: [{json.dumps(court + '://x.example')}]\n", encoding="utf-8")
    broken.chmod(0o600)
    with pytest.raises(SopError) as caught:
        notify.load_config(broken)
    assert str(caught.value).startswith(
        f"{broken}: urls[0]: not a valid apprise URL for service {shown[0]} (apprise: "
    )


@pytest.mark.parametrize("overdue", [True, False])
def test_an_unusable_notification_config_fails_the_check(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sop_env: dict[str, str],
    overdue: bool,
) -> None:
    """A notification config `sop overdue --notify` cannot use (readable by others, a URL
    apprise cannot parse, SOP_NOTIFY_CONFIG naming no file or a directory) was a warning,
    exit 7 or 0: the check's alerts cannot go out, now or when a SOP falls overdue. Exit
    8, one line, the list still shown."""
    if overdue:
        _overdue_demo(sop_env)
    shown = "local-demo" if overdue else "No SOP is overdue."
    shared = write_config(tmp_path / "shared.yml", [TELEGRAM], mode=0o640)
    broken = write_config(tmp_path / "broken.yml", ["tgram://not-a-bot-token/"])
    directory = tmp_path / "etc-sop"  # the directory given for its file: not "make it 0600"
    directory.mkdir(mode=0o755)
    for config, reason in (
        (shared, f"notification config {shared} is readable by others (mode 0640)"),
        (directory, f"notification config {directory}: a directory, not a file"),
        (broken, f"{broken}: urls[0]: not a valid apprise URL for service 'tgram' (apprise: "),
        (tmp_path / "none.yml", f"{notify.CONFIG_ENV}={tmp_path / 'none.yml'}: file not found"),
    ):
        monkeypatch.setenv(notify.CONFIG_ENV, str(config))
        code, out, err = cli("overdue", "--notify")
        assert code == 8, err
        assert shown in out
        assert err.startswith(f"sop: error: notifications not sent: {reason}"), err
        assert err.count("\n") == 1


def test_no_notification_config_is_notifications_not_set_up(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No config at the default path: the court has no notifications (the controller role
    removes the file without sop_notify_urls); the check says what is overdue, as ever."""
    monkeypatch.delenv(notify.CONFIG_ENV, raising=False)
    monkeypatch.setattr(notify, "DEFAULT_CONFIG", tmp_path / "notify.yml")
    code, out, err = cli("overdue", "--notify")
    assert (code, err) == (0, ""), err
    assert "No SOP is overdue." in out


class _Refusing(BaseHTTPRequestHandler):
    """A notification service refusing every message, its reason quoting the request's path."""

    def do_POST(self) -> None:
        body = json.dumps({"code": 40401, "error": f"no route {self.path}"}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_why_a_delivery_failed_shows_no_secret_of_its_url() -> None:
    """apprise's reason for a failed delivery is recorded in the store and written to the
    journal; it quoted a URL's secret as it was (`Failed to send ntfy notification to
    topic 'TOPIC'`: an ntfy topic is all it takes to read and send a court's alerts). The
    secret parts of the URLs delivered to (user, password, a host that is a token, path
    segments, query values) are now *** in it; the server's name is kept."""
    server = httpd.start(_Refusing)
    try:
        port = server.server_address[1]
        error = notify.deliver(
            [f"ntfy://sop:pw-Rahasia%2101@127.0.0.1:{port}/alerts-pn-contoh-7f3a"], "t", "b"
        )
    finally:
        server.shutdown()
    assert error is not None and "ntfy notification to topic '***'" in error, error
    assert "alerts-pn-contoh-7f3a" not in error
    assert mask_notify_reason(f"sent to {TELEGRAM}, as pw-Rahasia!01", [TELEGRAM]) == (
        "sent to tgram://***/***, as pw-Rahasia!01"
    )
    assert mask_notify_reason("user pw-Rahasia!01 refused by 127.0.0.1", [
        "json://sop:pw-Rahasia%2101@127.0.0.1/hook?token=t0ken-77"
    ]) == "user *** refused by 127.0.0.1"  # fmt: skip


class _Trickling(BaseHTTPRequestHandler):
    """A notification service that takes the message and answers one byte a second,
    never ending (httpd.send_slowly): each read is within apprise's socket timeouts."""

    connections: ClassVar[list[socket.socket]] = []

    def do_POST(self) -> None:
        self.connections.append(self.connection)
        self.rfile.read(int(self.headers["Content-Length"]))
        httpd.send_slowly(self, b" ", 1.0)

    def log_message(self, *_args: object) -> None:
        pass


@contextlib.contextmanager
def trickling(give_up: float = 40.0) -> Iterator[str]:
    """A json:// URL of a _Trickling service, which hangs up after `give_up` seconds
    (so that a sender it holds ends, and a test of its bound fails rather than hangs)."""

    def hang_up() -> None:
        for connection in _Trickling.connections:
            with contextlib.suppress(OSError):  # hung up already
                connection.shutdown(socket.SHUT_RDWR)

    server = httpd.start(_Trickling)
    watchdog = threading.Timer(give_up, hang_up)
    watchdog.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/notify"
    finally:
        watchdog.cancel()
        hang_up()
        _Trickling.connections.clear()
        server.shutdown()
        server.server_close()


def test_a_run_ends_within_the_notifications_time_limit(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sop_env: dict[str, str],
) -> None:
    """A notification service answering a byte every second held `sop run` (and a
    timer's run) as long as it went on: apprise's timeouts are per socket read. The
    notifications of a run are done within the config's timeout, the one cut off is
    recorded failed, saying why."""
    config = tmp_path / "n.yml"
    with trickling() as url:
        config.write_text(f"urls: [{url!r}]\ntimeout: 3\n")
        config.chmod(0o600)
        monkeypatch.setenv(notify.CONFIG_ENV, str(config))
        code, _, err = demo(cli, "-e", "demo_fail=true")
        returned = datetime.now(UTC)
    assert code == 1, err
    store = data_store(sop_env)
    ended = store.execution(1)["ended_at"]
    [row] = rows(store)
    store.close()
    # the notification step: from the execution's end, recorded, to the command's
    assert (returned - ended).total_seconds() < 3 + 2, err
    reason = f"cut off: the notifications' time limit of 3 s (timeout in {config}) ran out"
    assert f"sop: warning: notification gagal for execution 1 not delivered: {reason}\n" in err
    assert (row["state"], row["error"]) == ("failed", reason)


def test_the_time_limit_bounds_every_delivery_of_a_step_together(tmp_path: Path) -> None:
    """The limit is the step's, not each delivery's: the second of two notifications
    is not tried once the first used up the time, and is recorded failed, saying so."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    with trickling() as url:
        notifier = notify.Notifier(store, notify.Config(tmp_path / "n.yml", (url,), {}, 2))
        started = time.monotonic()
        for sop_id in ("sipp-backup", "website"):
            notifier.send(notify.Event("PN Uji", sop_id, "gagal", sop_id, "gagal"))
        took = time.monotonic() - started
    assert took < 2 + 1.5, took
    limit = f"the notifications' time limit of 2 s (timeout in {tmp_path / 'n.yml'}) ran out"
    assert [(o, e) for _, o, e in notifier.outcomes] == [
        ("failed", f"cut off: {limit}"),
        ("failed", f"not sent: {limit}"),
    ]
    assert [r["state"] for r in rows(store)] == ["failed", "failed"]
    store.close()


def test_the_notifications_time_limit_setting(tmp_path: Path) -> None:
    config = tmp_path / "n.yml"
    config.write_text("urls: ['json://127.0.0.1:1/x']\n")
    config.chmod(0o600)
    loaded = notify.load_config(config)
    assert loaded is not None and loaded.timeout == notify.DEFAULT_TIMEOUT == 60
    config.write_text("urls: ['json://127.0.0.1:1/x']\ntimeout: 2.5\n")
    loaded = notify.load_config(config)
    assert loaded is not None and loaded.timeout == 2.5
    for bad in ("0", "-5", "'60'", "true", ".inf", ".nan", "86401"):
        config.write_text(f"urls: []\ntimeout: {bad}\n")
        with pytest.raises(SopError) as caught:
            notify.load_config(config)
        assert str(caught.value) == (
            f"{config}: timeout: expected seconds above 0, at most 86400 (the time a run's or "
            "an overdue check's notifications may take; default 60)"
        )


def test_the_test_notification_keeps_the_configs_time_limit(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sop notify test` took the default 60 s whatever the config's timeout said."""
    config = tmp_path / "n.yml"
    with trickling() as url:
        config.write_text(f"urls: [{url!r}]\ntimeout: 2\n")
        config.chmod(0o600)
        monkeypatch.setenv(notify.CONFIG_ENV, str(config))
        started = time.monotonic()
        code, _, err = cli("notify", "test")
        took = time.monotonic() - started
    assert code == 1, err
    assert took < 2 + 2, took
    assert err == (
        "sop: error: test notification not delivered: cut off: the notifications' time "
        f"limit of 2 s (timeout in {config}) ran out\n"
    )


def test_a_long_cause_keeps_the_failures_pointer_to_its_record(tmp_path: Path) -> None:
    """A cause as long as a record keeps one (events.MAX_MESSAGE_CHARS: IT security's
    summary of every failed activity) filled the message's 1000 characters: the message
    was cut there, and "Rincian: sop execution N", how the head of unit finds the record,
    was lost. The cause is cut, marked; the message keeps its close."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    execution = craft_execution(store, "it-security", now(), status="failed")
    cause = "h1: Kegiatan 3: " + "temuan é🚀 " * 200
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"error": cause[:1000]}, "id = :key_id", key_id=execution)
    event = notify.failure_event(store.execution(execution))
    store.close()
    assert len(event.body) <= 1000
    assert event.body.startswith(f"SOP It-Security di Pengadilan Negeri Uji: eksekusi {execution} "
                                 "GAGAL. Penyebab: h1: Kegiatan 3: temuan é🚀 temuan")
    assert event.body.endswith(f"…. Rincian: sop execution {execution}")


def _with_warnings(store: Store, execution: int, number: int, warnings: list[object]) -> None:
    with store.db.transaction(write=True) as tx:
        tx.update(
            "activity_results",
            {"warnings": warnings},
            "execution_id = :key_id AND number = :number",
            key_id=execution,
            number=number,
        )


FALLBACK = "mydumper failed (exit 1): x; dumped again with mariadb-dump"


def test_a_runs_warnings_are_in_its_notifications(receivers: Receivers, tmp_path: Path) -> None:
    """A run whose hosts returned warnings (a backup dumped again by another tool) was
    told as if it had none: the failure, the finding and the report to the head of unit
    carried none. Each says how many there were (those the record counts beyond its
    bound too) and the first two, host first, as recorded (masked), each cut short; a
    run without warnings says nothing of them."""
    _, inbox = receivers
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    config = notify.Config(tmp_path, (inbox.url,), {})
    failed = craft_execution(store, "sipp-backup", now(), status="failed", activities=3)
    _with_warnings(store, failed, 1, [{"host": "sipp", "warning": FALLBACK}])
    _with_warnings(store, failed, 2, [
        {"host": "web", "warning": "kata é🚀 " * 100},
        {"host": "sipp", "warning": "ketiga"},
        {"host": "", "warning": "(4 peringatan lain tidak dicatat)"},
    ])
    event = notify.failure_event(store.execution(failed))
    told = (f"Peringatan dari host (7): sipp: {FALLBACK}; web: kata é🚀 kata é🚀")
    assert told in event.body
    assert "…; dan 5 lainnya. Rincian: sop execution" in event.body
    assert "ketiga" not in event.body and len(event.body) <= 1000

    ran = craft_execution(store, "sipp-backup", now(), activities=3)
    backup = {"path": "/srv/backup/x.sql.zst", "size": 2048, "sha256": "ab" * 32,
              "verified": False}
    _with_outputs(store, ran, "Melaporkan kegiatan Backup Database SIPP", [backup])
    _with_warnings(store, ran, 1, [{"host": "sipp", "warning": FALLBACK}])
    notify.events_for_execution(notify.Notifier(store, config), store.execution(ran))
    assert [p["title"] for p in inbox.posts] == ["Temuan SOP", "Laporan SOP"]
    for post in inbox.posts:
        assert post["message"].endswith(f" Peringatan dari host (1): sipp: {FALLBACK}.")

    quiet = craft_execution(store, "sipp-backup", now(), status="failed", activities=3)
    assert "Peringatan" not in notify.failure_event(store.execution(quiet)).body
    store.close()


def test_a_run_that_recorded_no_cause_is_told_so_not_rc_none(tmp_path: Path) -> None:
    """A run canceled before its playbook started records neither an error nor an exit
    code: its message read "Penyebab: rc None." (the PDF says "tidak tercatat")."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    canceled = craft_execution(store, "website", now(), status="canceled")
    failed = craft_execution(store, "website", now(), status="failed")
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"error": None, "rc": None}, "id = :key_id", key_id=canceled)
        tx.update("executions", {"error": None}, "id = :key_id", key_id=failed)
    told = notify.failure_event(store.execution(canceled)).body
    rc = notify.failure_event(store.execution(failed)).body
    store.close()
    assert f"eksekusi {canceled} DIBATALKAN. Penyebab: tidak tercatat. Rincian" in told
    assert f"eksekusi {failed} GAGAL. Penyebab: rc 2. Rincian" in rc


@pytest.mark.parametrize(
    ("size", "told"),
    [(0, "0 byte"), (40960, "40.960 byte"), (52428, "52.428 byte"), (52429, "0,1 MiB"),
     (int(1234.5 * 1048576), "1.234,5 MiB")],
)
def test_an_empty_backup_never_reads_as_a_small_one(size: int, told: str) -> None:
    """The report to the head of unit wrote a backup's size in MiB to one decimal: an
    empty backup (0 bytes) and one of 40 KiB both read "0,0 MiB". A size that would read
    so is written in bytes."""
    row = {"id": 3, "sop_title": "Backup", "operator": "budi", "court_name": None,
           "sop_id": "sipp-backup",
           "activities": [{"kegiatan": "Melaporkan", "status": "ok", "warnings": [],
                           "outputs": [{"path": "/b/x.sql", "size": size, "sha256": "ab" * 32}]}]}
    event = notify.report_event(row)
    assert event is not None
    assert f"berkas x.sql, {told}, sha256 abababababababab..." in event.body


def test_a_hosts_control_characters_never_grow_a_message_past_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message was cut to its 1000 characters before its control characters and bytes
    that are no UTF-8 were written as escapes (up to 6 characters each): a hostile host's
    output of them was sent six times as long, past Telegram's 4096 characters, and
    Telegram refused the whole message, the failure or finding never told. Each message
    keeps its limit as sent, and its close."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    failed = craft_execution(store, "it-security", now(), status="failed")
    with store.db.transaction(write=True) as tx:
        tx.update("executions", {"error": "\u202e" * 1000}, "id = :key_id", key_id=failed)
    ran = craft_execution(store, "website", now(), activities=2)
    planted = b"\xff".decode("utf-8", "surrogateescape") * 1000
    _with_outputs(store, ran, "Melaporkan hasil", [{"finding": planted}, {"msg": planted}])
    bodies: list[str] = []
    monkeypatch.setattr(notify, "deliver", lambda urls, title, body, deadline: bodies.append(body))
    notifier = notify.Notifier(store, notify.Config(tmp_path, (TELEGRAM,), {}))
    notify.events_for_execution(notifier, store.execution(failed))
    notify.events_for_execution(notifier, store.execution(ran))
    store.close()
    assert [event.kind for event, _, _ in notifier.outcomes] == ["gagal", "temuan", "laporan"]
    for body, limit in zip(bodies, (1000, 1000, 1500), strict=True):
        assert len(visible(body)) <= limit, body[:80]
    assert bodies[0].endswith(f"\u202e…. Rincian: sop execution {failed}")
    assert bodies[1].endswith("\udcff…")

    posted = telegram_posts(monkeypatch)
    for body in bodies:
        assert notify._send([TELEGRAM], "Temuan SOP", body) is None
    assert posted and all(len(message["text"]) <= 4096 for message in posted)


def test_the_end_of_a_problem_told_before_is_told_after_a_failed_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure told, then a newer cause of it not delivered (the network down fails the
    SOP and its mail alike): its record read `failed` as if nothing had been told, and
    the run that succeeded next told no `pulih`; the head of unit still read the SOP as
    failing. The record keeps that the problem was told; its end is told."""
    store = Store(f"sqlite:///{tmp_path / 'sop.db'}")
    told: list[str] = []
    answers = iter([None, "mail server unreachable", None])

    def deliver(urls: object, title: str, body: str, deadline: object) -> str | None:
        answer = next(answers)
        if answer is None:
            told.append(title)
        return answer

    monkeypatch.setattr(notify, "deliver", deliver)
    notifier = notify.Notifier(store, notify.Config(tmp_path, (TELEGRAM,), {}))
    for status, cause in (("failed", "rsync: disk full"), ("unreachable", "no route to host")):
        execution = craft_execution(store, "website", now(), status=status)
        with store.db.transaction(write=True) as tx:
            tx.update("executions", {"error": cause}, "id = :key_id", key_id=execution)
        notify.events_for_execution(notifier, store.execution(execution))
    assert [row["state"] for row in rows(store)] == ["failed-told"]
    notify.events_for_execution(notifier, store.execution(craft_execution(store, "website", now())))
    outcomes = [(event.kind, outcome) for event, outcome, _ in notifier.outcomes]
    assert outcomes == [("gagal", "sent"), ("gagal", "failed"), ("pulih", "resolved")]
    assert told == ["SOP gagal", "SOP pulih"]
    assert [row["state"] for row in rows(store)] == ["resolved"]
    store.close()


def test_a_service_set_to_markdown_shows_a_hosts_text_as_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A URL's `format=markdown` (Telegram's legacy Markdown, or MarkdownV2) took the
    plain text as Markdown, unescaped: an intruder's `[klik](https://evil.example/)` was a
    link in the court's chat, and a lone `_` in a file's name made Telegram refuse the
    whole message ("can't parse entities"). Escaped, it reads as written; a service on
    HTML (apprise's default for Telegram) is given it as before."""
    posted = telegram_posts(monkeypatch)
    finding = "webshell: [klik](https://evil.example/) di db_backup.php"
    urls = [f"{TELEGRAM}?format=markdown", f"{TELEGRAM}?format=markdown&mdv=v2", TELEGRAM]
    assert notify._send(urls, "Temuan SOP", finding) is None
    texts = {message["parse_mode"]: message["text"] for message in posted}
    assert r"webshell: \[klik\](https://evil.example/) di db\_backup.php" in texts["MARKDOWN"]
    assert r"webshell: \[klik\]\(https://evil\.example/\) di db\_backup\.php" in texts["MarkdownV2"]
    assert texts["HTML"] == f"<b>Temuan SOP</b>\r\n{finding}"


def test_a_hosts_text_cannot_write_a_line_of_its_own_into_a_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every message is one line; a host's text in it (a finding, a cause, a warning)
    kept its newlines, so a planted name wrote a line of its own under the court's news
    (`SOP Website: tidak ada temuan lagi`). Its newline is sent as its escape, as `sop
    execution` shows one value; the message keeps its limit counting it so."""
    posted = telegram_posts(monkeypatch)
    finding = "webshell: a.php\nSOP Website di PN Uji: tidak ada temuan lagi (eksekusi 7)."
    assert notify._send([TELEGRAM], "Temuan SOP", finding) is None
    assert posted[0]["text"] == (
        "<b>Temuan SOP</b>\r\nwebshell: a.php\\x0aSOP Website di PN Uji: tidak ada temuan "
        "lagi (eksekusi 7)."
    )
    assert notify._cut("a\n" * 600, 1000) == "a\n" * 199 + "a…"  # 4 characters a newline


def _controllers(store_url: str, tmp_path: Path) -> tuple[notify.Notifier, notify.Notifier]:
    """Two controllers' notifiers sharing the store at `store_url`, each its own connection."""
    config = notify.Config(tmp_path, (TELEGRAM,), {})
    return notify.Notifier(Store(store_url), config), notify.Notifier(Store(store_url), config)


def _event(fingerprint: str = "f1") -> notify.Event:
    return notify.Event("PN Uji", "website", "terlambat", fingerprint, "SOP Website TERLAMBAT")


def test_controllers_sharing_a_store_send_a_notification_once(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two controllers telling the same news at once each sent it, and the second to
    record it warned of an IntegrityError (uq_notifications_key) for a message that went
    out: a notification is claimed in the store before it is sent, and the controller
    that finds it claimed, or told, skips it without a word. B here reads the store before
    A claims the new row (the insert of its claim finds A's), then while A delivers (the
    update of its claim finds A's)."""
    first, second = _controllers(store_url, tmp_path)
    sent: list[str] = []
    during_delivery: list[str] = []

    def deliver(urls: object, title: str, body: str, deadline: object) -> str | None:
        sent.append(body)
        during_delivery.append(second.send(_event("f2")))  # B while A delivers f2
        return None

    monkeypatch.setattr(notify, "deliver", deliver)
    read = second._row

    def stale_read(court: str, sop_id: str, kind: str) -> Row | None:
        found = read(court, sop_id, kind)
        if found is None:
            monkeypatch.setattr(second, "_row", read)
            # A claims, sends and records it after B read that nothing was told
            monkeypatch.setattr(notify, "deliver", lambda *_: sent.append("A") or None)
            assert first.send(_event()) == "sent"
            monkeypatch.setattr(notify, "deliver", deliver)
        return found

    monkeypatch.setattr(second, "_row", stale_read)
    assert second.send(_event()) == "claimed"
    assert sent == ["A"]
    [row] = rows(first.store)
    assert (row["state"], row["attempts"], row["claimed_until"]) == ("sent", 1, None)
    # news of it changed: A claims the row, B finds the claim while A delivers
    assert first.send(_event("f2")) == "sent"
    assert during_delivery == ["claimed"] and sent == ["A", "SOP Website TERLAMBAT"]
    [row] = rows(first.store)
    assert (row["state"], row["fingerprint"], row["attempts"]) == ("sent", "f2", 1)
    assert [o for _, o, _ in second.outcomes] == ["claimed", "claimed"]
    for notifier in (first, second):
        notifier.store.close()


def test_a_claimed_notification_not_delivered_is_sent_again(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim never loses a notification: a delivery that fails is recorded failed, its
    claim released, and sent by the next controller to try; a claim left by a controller
    killed while delivering holds off the others only until it lapses."""
    first, second = _controllers(store_url, tmp_path)
    answers = iter(["mail server unreachable", None, None])
    monkeypatch.setattr(notify, "deliver", lambda *_: next(answers))
    assert first.send(_event()) == "failed"
    [row] = rows(first.store)
    assert (row["state"], row["attempts"], row["claimed_until"]) == ("failed", 1, None)
    assert second.send(_event()) == "sent"
    [row] = rows(first.store)
    assert (row["state"], row["attempts"]) == ("sent", 2)
    # a controller killed while it delivered news f2: its claim, then the claim lapsed
    with first.store.db.transaction(write=True) as tx:
        tx.update(
            "notifications",
            {"fingerprint": "f2", "state": "pending", "attempts": 0,
             "claimed_until": now() + timedelta(seconds=30), "claimed_fingerprint": "f2"},
            "id = :key_id", key_id=row["id"],
        )  # fmt: skip
    assert second.send(_event("f2")) == "claimed"  # held
    with first.store.db.transaction(write=True) as tx:
        tx.update("notifications", {"claimed_until": now() - timedelta(seconds=1)},
                  "id = :key_id", key_id=row["id"])  # fmt: skip
    assert second.send(_event("f2")) == "sent"
    [row] = rows(first.store)
    assert (row["state"], row["fingerprint"], row["attempts"], row["claimed_until"]) == (
        "sent", "f2", 1, None,
    )  # fmt: skip
    for notifier in (first, second):
        notifier.store.close()


def test_controllers_sharing_a_store_tell_a_problems_end_once(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _controllers(store_url, tmp_path)
    told: list[str] = []
    monkeypatch.setattr(notify, "deliver", lambda urls, title, *_: told.append(title))
    assert first.send(_event()) == "sent"

    def deliver(urls: object, title: str, body: str, deadline: object) -> None:
        told.append(title)
        assert second.resolve("PN Uji", "website", "terlambat", "pulih") is None  # B skips

    monkeypatch.setattr(notify, "deliver", deliver)
    assert first.resolve("PN Uji", "website", "terlambat", "pulih") == "resolved"
    assert told == ["SOP terlambat", "SOP pulih"] and second.outcomes == []
    [row] = rows(first.store)
    assert (row["state"], row["claimed_until"]) == ("resolved", None)
    for notifier in (first, second):
        notifier.store.close()


def test_a_resolve_leaves_news_recorded_since_it_read_the_problem(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resolve recorded `resolved` over whatever the row held when it wrote: a failure
    another controller told between the resolve's read of the problem (untold: its
    delivery had failed) and its write, or told once the resolve's claim lapsed while it
    delivered `pulih`, read as over; the court, told of that failure, heard no `pulih`
    when it ended. The resolve clears only the news it read."""
    first, second = _controllers(store_url, tmp_path)
    told: list[str] = []
    answers = iter(["mail server unreachable"])

    def deliver(urls: object, title: str, body: str, deadline: object) -> str | None:
        told.append(title)
        return next(answers, None)

    monkeypatch.setattr(notify, "deliver", deliver)
    assert first.send(_event()) == "failed"
    read = first._row

    def read_before_told(court: str, sop_id: str, kind: str) -> Row | None:
        found = read(court, sop_id, kind)
        assert second.send(_event()) == "sent"  # B tells it after A read it untold
        return found

    monkeypatch.setattr(first, "_row", read_before_told)
    assert first.resolve("PN Uji", "website", "terlambat", "pulih") is None
    monkeypatch.setattr(first, "_row", read)
    [row] = rows(first.store)
    assert (row["state"], row["fingerprint"], row["attempts"]) == ("sent", "f1", 2)

    def lapsed(urls: object, title: str, body: str, deadline: object) -> None:
        told.append(title)
        if title == "SOP pulih":  # A's claim lapses while it delivers; B tells news f2
            with second.store.db.transaction(write=True) as tx:
                tx.update("notifications", {"claimed_until": now() - timedelta(seconds=1)},
                          "id = :key_id", key_id=row["id"])  # fmt: skip
            assert second.send(_event("f2")) == "sent"

    monkeypatch.setattr(notify, "deliver", lapsed)
    assert first.resolve("PN Uji", "website", "terlambat", "pulih") == "resolved"
    [row] = rows(first.store)
    assert (row["state"], row["fingerprint"], row["claimed_until"]) == ("sent", "f2", None)
    monkeypatch.setattr(notify, "deliver", deliver)
    assert first.resolve("PN Uji", "website", "terlambat", "pulih") == "resolved"
    assert told == ["SOP terlambat"] * 2 + ["SOP pulih", "SOP terlambat", "SOP pulih"]
    assert [row["state"] for row in rows(first.store)] == ["resolved"]
    for notifier in (first, second):
        notifier.store.close()


def test_other_news_of_a_problem_another_controller_is_telling_is_not_delivered(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two controllers with different news of one problem at once: the second does not
    send its own over the first's, and says so (its record is the first's)."""
    first, second = _controllers(store_url, tmp_path)
    during: list[str] = []

    def deliver(urls: object, title: str, body: str, deadline: object) -> None:
        during.append(second.send(_event("other")))

    monkeypatch.setattr(notify, "deliver", deliver)
    assert first.send(_event()) == "sent"
    assert during == ["failed"]
    assert second.outcomes[0][2] == (
        "another controller sharing the store was telling other news of it"
    )
    [row] = rows(first.store)
    assert (row["state"], row["fingerprint"]) == ("sent", "f1")
    for notifier in (first, second):
        notifier.store.close()
