"""Notifications through apprise (e-mail, Telegram, JSON webhooks, ...), in Bahasa Indonesia.
Their text writes numbers and times as the reports' text does (sop.bahasa: `3,5 MiB`,
`6 Januari 2026 pukul 15.30 WIB`, the court's clock named); execution numbers are ids,
written as `sop execution` takes them.

What is told, per court and SOP: an execution that failed, was unreachable, canceled or
interrupted (`gagal`); a finding in an execution's outputs (`temuan`: a backup not
verified, an output carrying `finding`); a SOP overdue (`terlambat`, from `sop overdue`);
the SOP's own report to the head of the unit (`laporan`, its "Melaporkan" activity); and
the end of a problem told before (`pulih`). A run's message (`gagal`, `temuan`, `laporan`)
says how many warnings its hosts returned and the first two, as recorded (masked).

The same problem is told once: the table `notifications` keeps per court, SOP and kind
the fingerprint last told; nothing is sent again until the fingerprint changes or the
problem resolves. Controllers sharing a store tell it once too: a controller claims the
row before it delivers (a new row inserted unless one exists, else `claimed_until` and
`claimed_fingerprint` set unless another holds it or changed the row since it was read),
and one that finds the same news claimed, or told, skips it silently; a claim lasts the
claimer's time limit plus CLAIM_MARGIN, so a controller killed while delivering leaves it
to be sent again. A delivery that fails is recorded there (state `failed`, or
`failed-told` when earlier news of the problem went out, whose end is then told; the reason,
the URLs' secrets masked in it, as it is logged too) and retried the next time; it never
fails the SOP, but it fails the overdue check (`sop overdue --notify`, exit 8), whose job
the alert is.

The URLs (they hold tokens and passwords) come from a root-only file, not from the
inventory: `SOP_NOTIFY_CONFIG`, else /etc/sop/notify.yml, which the controller role
writes from the court's vaulted `sop_notify_urls`:

    urls: [mailto://..., tgram://...]      # every court of this controller
    courts:                                # optional, per court_name, added to urls
      Pengadilan Negeri Contoh: [json://...]
    timeout: 60                            # optional, seconds (DEFAULT_TIMEOUT)

No file: nothing is sent. Check-mode executions are never notified (they perform nothing).

Every delivery of one step (the end of a run, one overdue check) is done within `timeout`
seconds of the step's start, so a run always ends: apprise's timeouts are per socket read,
and a service answering a byte every few seconds never trips them. A delivery runs in a
process of its own (`python -m sop.notify`, the URLs on its stdin, never its command line),
killed when the time left runs out: it, and every delivery not yet tried, is failed saying so.
The default keeps within the 90 s systemd gives a timer's run past its time limit to be
recorded and told (TimeoutAbortSec).
"""

# apprise is imported where used: without a configuration nothing imports it.
# ruff: noqa: PLC0415

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import yaml

from sop.bahasa import angka, angka_ringkas, pukul, tanggal
from sop.db import insert_sql
from sop.errors import SopError
from sop.events import WARNINGS_LEFT_OUT
from sop.masking import mask_notify_reason
from sop.output import write
from sop.paths import not_a_file
from sop.report import WARNINGS_HEADING, mappings, recorded_cause, reported_number
from sop.store import Row, Store, now, performs_sop
from sop.untrusted import quoted, shortened, visible

CONFIG_ENV = "SOP_NOTIFY_CONFIG"
DEFAULT_CONFIG = Path("/etc/sop/notify.yml")
DEFAULT_TIMEOUT = 60.0  # seconds for every delivery of one step (the config's timeout)
FAILED_STATUSES = ("failed", "unreachable", "canceled", "interrupted")
STATUS_TEXT = {
    "failed": "GAGAL",
    "unreachable": "GAGAL (host tidak terjangkau)",
    "canceled": "DIBATALKAN",
    "interrupted": "TERPUTUS",
}
KIND_TITLE = {
    "gagal": "SOP gagal",
    "temuan": "Temuan SOP",
    "terlambat": "SOP terlambat",
    "laporan": "Laporan SOP",
}
_DIGITS = re.compile(r"\d+")
# Seconds a controller's claim on a notification holds past its time limit (a margin for
# controllers' clocks that differ): one killed while delivering leaves it to the next.
CLAIM_MARGIN = 300


@dataclass(frozen=True)
class Config:
    path: Path
    urls: tuple[str, ...]
    courts: Mapping[str, tuple[str, ...]]
    timeout: float = DEFAULT_TIMEOUT

    def urls_for(self, court: str | None) -> tuple[str, ...]:
        return self.urls + (self.courts.get(court, ()) if court else ())

    def no_url(self, court: str | None) -> str:
        """Why the configuration tells `court` nothing, naming its settings."""
        if court:
            return (
                f"{self.path}: no URL for court {quoted(shortened(court))} (neither urls nor "
                f"courts/{shortened(court)})"
            )
        return f"{self.path}: no URL: urls is empty (courts/NAME are for a named court)"


@dataclass(frozen=True)
class Event:
    court: str | None
    sop_id: str
    kind: str  # gagal, temuan, terlambat, laporan (pulih: the end of one of them)
    fingerprint: str
    body: str
    execution_id: int | None = None
    title: str = ""


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def _url_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(u, str) and u for u in value):
        raise SopError(f"{where}: expected a list of apprise URLs")
    return tuple(value)


def _scheme(url: str) -> str:
    return url.split("://", 1)[0] if "://" in url else "?"


def validate_urls(urls: Iterable[str], where: str) -> None:
    """apprise's own parser decides; the message names the URL's place, its service and
    apprise's reason (what it warned, else its error), never the URL (it holds the token
    or password): apprise may quote either, so the URL's secrets are masked in it."""
    import logging

    import apprise

    for index, url in enumerate(urls):
        with apprise.LogCapture(level=logging.WARNING, fmt="%(levelname)s %(message)s") as log:  # type: ignore[no-untyped-call]
            loaded = apprise.Apprise.instantiate(url)
        if loaded is None:
            lines = [line.strip() for line in log.getvalue().splitlines() if line.strip()]
            warned = [line.removeprefix("WARNING ") for line in lines
                      if line.startswith("WARNING ")]
            said = warned or [line.split(" ", 1)[-1] for line in lines]
            reason = mask_notify_reason("; ".join(said), [url]) or "no reason given"
            raise SopError(
                f"{where}[{index}]: not a valid apprise URL for service "
                f"{quoted(shortened(_scheme(url)))} (apprise: {reason})"
            )


def load_config(path: Path | None = None) -> Config | None:
    """The configuration, None if there is none; SopError (one line) if it is unusable."""
    path = path or config_path()
    try:
        info = path.stat()
    except FileNotFoundError:
        if os.environ.get(CONFIG_ENV):
            raise SopError(f"{CONFIG_ENV}={path}: file not found") from None
        return None
    except OSError as exc:
        raise SopError(f"notification config {path}: {exc.strerror}") from None
    problem = not_a_file(path)  # a directory was "readable by others ... make it 0600"
    if problem:
        raise SopError(f"notification config {path}: {problem}")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SopError(
            f"notification config {path} is readable by others (mode "
            f"{stat.S_IMODE(info.st_mode):04o}): it holds secrets, make it 0600"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise SopError(f"notification config {path}: cannot read it ({reason})") from None
    if not isinstance(data, dict) or set(data) - {"urls", "courts", "timeout"}:
        raise SopError(
            f"notification config {path}: expected the keys urls, courts and timeout"
        )
    urls = _url_list(data.get("urls"), f"{path}: urls")
    courts_given = data.get("courts") or {}
    if not isinstance(courts_given, dict):
        raise SopError(f"{path}: courts: expected a mapping of court_name to URL lists")
    courts = {
        str(name): _url_list(value, f"{path}: courts/{name}")
        for name, value in courts_given.items()
    }
    validate_urls(urls, f"{path}: urls")
    for name, court_urls in courts.items():
        validate_urls(court_urls, f"{path}: courts/{name}")
    return Config(path, urls, courts, _timeout(data.get("timeout", DEFAULT_TIMEOUT), path))


def _timeout(value: Any, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 86400:
        raise SopError(
            f"{path}: timeout: expected seconds above 0, at most 86400 (the time a run's or "
            f"an overdue check's notifications may take; default {DEFAULT_TIMEOUT:g})"
        )
    return float(value)


class Deadline:
    """The notifications' time limit: every delivery of one step done within `seconds` of
    its start (this object's making); `setting` names where the limit is set."""

    def __init__(self, seconds: float, setting: str) -> None:
        self.seconds = seconds
        self.setting = setting
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        return self._end - time.monotonic()

    def reason(self, what: str) -> str:
        """Why a delivery failed for lack of time, in one line."""
        return (
            f"{what}: the notifications' time limit of {self.seconds:g} s "
            f"({self.setting}) ran out"
        )


def deliver(
    urls: Sequence[str], title: str, body: str, deadline: Deadline | None = None
) -> str | None:
    """Send to every URL within `deadline` (DEFAULT_TIMEOUT from now when None); None
    when all took it, else why not (apprise's own words, the URLs' secrets masked)."""
    deadline = deadline or Deadline(DEFAULT_TIMEOUT, "the default")
    reason = _deliver_in_child(urls, title, body, deadline)
    # it may quote a URL's token or an ntfy topic, and is recorded and logged
    return None if reason is None else mask_notify_reason(reason, urls)[:300]


def _deliver_in_child(
    urls: Sequence[str], title: str, body: str, deadline: Deadline
) -> str | None:
    """`_send` in a process of its own, killed when the deadline passes."""
    left = deadline.left()
    if left <= 0:
        return deadline.reason("not sent")
    package_dir = str(Path(__file__).resolve().parent.parent)  # the sop package's parent
    python_path = [package_dir, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-m", "sop.notify"],  # -P: nothing from the cwd
            input=json.dumps({"urls": list(urls), "title": title, "body": body}),
            capture_output=True,
            text=True,
            timeout=left,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(python_path)},
            check=False,
        )
    except subprocess.TimeoutExpired:  # killed by subprocess.run
        return deadline.reason("cut off")
    except OSError as exc:
        return f"cannot start the notification process: {exc.strerror or exc}"
    try:
        answer = json.loads(done.stdout.splitlines()[-1])
        return None if answer["error"] is None else str(answer["error"])
    except (IndexError, ValueError, TypeError, KeyError):
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        failed = f"the notification process failed (exit code {done.returncode})"
        return lines[-1] if lines else failed


def _send(urls: Sequence[str], title: str, body: str) -> str | None:
    """Send to every URL; None when all took it, else why not (apprise's own words)."""
    import logging

    import apprise

    text, markdown = apprise.Apprise(), apprise.Apprise()
    for url in urls:
        service = apprise.Apprise.instantiate(url)
        markup = service is not None and service.notify_format == apprise.NotifyFormat.MARKDOWN
        (markdown if markup else text).add(service or url)
    shown = visible(body, newlines=False)  # one line: a host's newline cannot add one
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:  # type: ignore[no-untyped-call]
        # Plain text: apprise escapes it for the services that take HTML (e-mail, Telegram),
        # so a name chosen by an intruder (`<a href=...>`) is shown, not rendered; its
        # bytes that are no UTF-8 as their escapes (visible), which a message can hold.
        # A service set to Markdown (a URL's `format=markdown`) takes plain text as its
        # Markdown, unescaped: `[klik](https://evil.example/)` became a link, and a lone
        # `_` (db_backup.sql) made Telegram refuse the message. It is given the text as
        # HTML, which apprise writes as Markdown, escaped.
        done = [
            bundle.notify(title=visible(title), body=content, body_format=form)
            for bundle, content, form in (
                (text, shown, apprise.NotifyFormat.TEXT),
                (
                    markdown,
                    apprise.URLBase.escape_html(shown, convert_new_lines=True),  # type: ignore[no-untyped-call]
                    apprise.NotifyFormat.HTML,
                ),
            )
            if len(bundle)
        ]
    if done and all(done):
        return None
    lines = [line.strip() for line in log.getvalue().splitlines() if line.strip()]
    return lines[-1] if lines else "apprise reported a failed delivery"


def _digest(*parts: str) -> str:
    # surrogatepass: a host's name in bytes that are no UTF-8 (a lone surrogate) is told too
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


# A problem's states in which its court was told of it: `sent` (its news as it is now),
# `failed-told` (its newer news not delivered, an earlier one was): its end is told.
TOLD = ("sent", "failed-told")


def _state(outcome: str, previous: Row | None) -> str:
    """The state recorded for a delivery's `outcome` (sent, failed) after `previous`: a
    failed one keeps that the problem was told before (recorded `failed`, a court told of
    a failure, then not of its newer cause, the network down failing the SOP and its mail
    alike, heard no `pulih` when it recovered)."""
    if outcome == "failed" and previous is not None and previous["state"] in TOLD:
        return "failed-told"
    return outcome


class Notifier:
    """Sends events to a court's URLs once per problem (see the module's docstring)."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.deadline = Deadline(config.timeout, f"timeout in {config.path}")
        # (event, sent|duplicate|claimed|failed|resolved, why a delivery failed)
        self.outcomes: list[tuple[Event, str, str | None]] = []

    def _row(self, court: str, sop_id: str, kind: str) -> Row | None:
        with self.store.db.transaction() as tx:
            return tx.first(
                "SELECT * FROM notifications "
                "WHERE court_name = :court AND sop_id = :sop_id AND kind = :kind",
                {"court": court, "sop_id": sop_id, "kind": kind},
            )

    def _claim(self, event: Event, previous: Row | None) -> Row | None:
        """The notification's row claimed for this controller's delivery of `event`: a new
        one inserted (state `pending`) when `previous` is None, else `previous` given a
        `claimed_until`. None when another controller was first: it inserted the row,
        holds a claim on it or changed it since `previous` was read."""
        at = now()
        until = at + timedelta(seconds=max(self.deadline.left(), 0) + CLAIM_MARGIN)
        with self.store.db.transaction(write=True) as tx:
            if previous is None:
                values = {
                    "court_name": event.court or "", "sop_id": event.sop_id,
                    "kind": event.kind, "fingerprint": event.fingerprint, "state": "pending",
                    "execution_id": event.execution_id, "attempts": 0, "first_at": at,
                    "last_at": at, "claimed_until": until,
                    "claimed_fingerprint": event.fingerprint,
                }  # fmt: skip
                inserted = tx.scalars(
                    insert_sql("notifications", list(values))
                    + " ON CONFLICT (court_name, sop_id, kind) DO NOTHING RETURNING id",
                    values,
                )
                return {**values, "id": inserted[0], "error": None} if inserted else None
            claim = {"claimed_until": until, "claimed_fingerprint": event.fingerprint}
            claimed = tx.update(
                "notifications",
                claim,
                "id = :key_id AND state = :key_state AND fingerprint = :key_fingerprint "
                "AND attempts = :key_attempts "
                "AND (claimed_until IS NULL OR claimed_until < :key_now)",
                key_id=previous["id"], key_state=previous["state"],
                key_fingerprint=previous["fingerprint"], key_attempts=previous["attempts"],
                key_now=at,
            )  # fmt: skip
        return {**previous, **claim} if claimed else None

    def _told_elsewhere(self, event: Event) -> bool:
        """Whether the news of `event` is what another controller claimed the row for, or,
        the row claimed by none, what it records: told, or failed and retried later."""
        current = self._row(event.court or "", event.sop_id, event.kind) or {}
        held = current.get("claimed_until") is not None and current["claimed_until"] >= now()
        return event.fingerprint == current.get("claimed_fingerprint" if held else "fingerprint")

    def _save(self, event: Event, state: str, error: str | None, claimed: Row) -> None:
        """The delivery of `event` recorded in the row this controller `claimed`, its
        claim released."""
        last_at = now()
        same = claimed["fingerprint"] == event.fingerprint
        with self.store.db.transaction(write=True) as tx:
            tx.update(
                "notifications",
                {
                    "fingerprint": event.fingerprint,
                    "state": state,
                    "execution_id": event.execution_id,
                    "last_at": last_at,
                    "error": error,
                    "claimed_until": None,
                    "claimed_fingerprint": None,
                    "attempts": claimed["attempts"] + 1 if same else 1,
                    **({} if same else {"first_at": last_at}),
                },
                "id = :key_id",
                key_id=claimed["id"],
            )

    def _deliver(self, court: str | None, title: str, body: str) -> str | None:
        """deliver to the court's URLs; None when all took it, else why not."""
        urls = self.config.urls_for(court)
        return deliver(urls, title, body, self.deadline) if urls else self.config.no_url(court)

    def send(self, event: Event) -> str:
        """sent, duplicate (told before, unchanged), claimed (another controller sharing
        the store is telling it, or told it: nothing sent) or failed (recorded, retried
        later; not recorded when another controller was telling other news of it)."""
        previous = self._row(event.court or "", event.sop_id, event.kind)
        error = None
        if (
            previous is not None
            and previous["state"] == "sent"
            and previous["fingerprint"] == event.fingerprint
        ):
            outcome = "duplicate"
        elif (claimed := self._claim(event, previous)) is None:
            if self._told_elsewhere(event):
                outcome = "claimed"
            else:  # two controllers with different news of one problem at once
                outcome = "failed"
                error = "another controller sharing the store was telling other news of it"
        else:
            title = event.title or KIND_TITLE[event.kind]
            error = self._deliver(event.court, title, event.body)
            outcome = "failed" if error else "sent"
            self._save(event, _state(outcome, claimed), error, claimed)
        self.outcomes.append((event, outcome, error if outcome == "failed" else None))
        return outcome

    def resolve(self, court: str | None, sop_id: str, kind: str, body: str) -> str | None:
        """The problem of this kind is over: told (`pulih`) if it had been told. Recorded
        `resolved` only over the news it read: news another controller recorded since (a
        failure it told while this one read the problem untold, or once this one's claim
        lapsed) stays, and its end is told when it ends."""
        previous = self._row(court or "", sop_id, kind)
        if previous is None or previous["state"] == "resolved":
            return None
        outcome, error = "resolved", None
        if previous["state"] in TOLD:
            event = Event(court, sop_id, "pulih", previous["fingerprint"], body)
            if self._claim(event, previous) is None:
                return None  # another controller sharing the store tells its end
            error = self._deliver(court, "SOP pulih", body)
            outcome = "failed" if error else "resolved"
            # Told like any other delivery (warned when it fails); not retried: the
            # problem is over, its record keeps why the news of it did not go out.
            self.outcomes.append((event, outcome, error))
        with self.store.db.transaction(write=True) as tx:
            cleared = tx.update(
                "notifications",
                {
                    "state": "resolved",
                    "last_at": now(),
                    "error": error,
                    "claimed_until": None,
                    "claimed_fingerprint": None,
                },
                "id = :key_id AND state = :key_state AND fingerprint = :key_fingerprint "
                "AND attempts = :key_attempts",
                key_id=previous["id"], key_state=previous["state"],
                key_fingerprint=previous["fingerprint"], key_attempts=previous["attempts"],
            )  # fmt: skip
        # untold, and news recorded since: nothing of it resolved here
        return outcome if cleared or previous["state"] in TOLD else None


def _where(row: Mapping[str, Any]) -> str:
    return f" di {row['court_name']}" if row.get("court_name") else ""


MAX_BODY_CHARS = 1000  # a message of a failure or a finding
REPORT_CHARS = 1500  # the report to the head of unit


def _shown(text: str) -> int:
    """The characters `text` takes in a message: as sent (`visible`, one line), a control
    character, a newline or a byte that is no UTF-8 takes its escape's 4 to 10 (`\\x1b`,
    `\\x0a`, `\\udcff`, a tag character's `\\U000e0041`)."""
    return len(visible(text, newlines=False))


def _cut(text: str, chars: int) -> str:
    """`text` in at most `chars` characters as sent (`_shown`), cut, marked "…": counted
    before its escapes, a host's output of control characters was sent up to six times
    as long (past Telegram's 4096 characters: the whole message refused, never told)."""
    if _shown(text) <= chars:
        return text
    low, high = 0, min(len(text), chars - 1)
    while low < high:  # the longest start whose escapes leave room for the "…"
        middle = (low + high + 1) // 2
        if _shown(text[:middle]) <= chars - 1:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"


def _fitted(head: str, text: str, tail: str, chars: int = MAX_BODY_CHARS) -> str:
    """`head`, `text` and `tail` in at most `chars` characters as sent: `text` (a cause,
    what outputs say) cut, marked "…", so that the message keeps its close (the run's
    warnings, where the record is, `sop execution N`)."""
    return _cut(head + _cut(text, max(chars - _shown(head) - _shown(tail), 40)) + tail, chars)


SHOWN_WARNINGS = 2  # a message names the first ones; `sop execution N` shows them all
WARNING_CHARS = 150  # each cut here: a message is short
# The record's closing entry of the warnings past its bound (events.ActivityProgress's
# recorded_warnings): counted, as they were.
_LEFT_OUT = re.compile(re.escape(WARNINGS_LEFT_OUT).replace(r"\{\}", "([0-9]+)"))


def warnings_text(row: Row) -> str:
    """` Peringatan dari host (3): sipp: mydumper failed ...; web: ...; dan 1 lainnya.`:
    how many warnings the run's hosts returned (its activities' `warnings`, masked as
    recorded) and the first SHOWN_WARNINGS, host first; empty when there were none."""
    shown: list[str] = []
    total = 0
    for activity in row.get("activities", []):
        for warning in mappings(activity.get("warnings")):
            host, text = str(warning.get("host") or ""), str(warning.get("warning") or "")
            left_out = None if host else _LEFT_OUT.fullmatch(text)
            if left_out:
                total += int(left_out.group(1))
                continue
            total += 1
            if len(shown) < SHOWN_WARNINGS:
                shown.append(_cut(f"{host}: {text}" if host else text, WARNING_CHARS))
    if not total:
        return ""
    rest = f"; dan {angka(total - len(shown))} lainnya" if total > len(shown) else ""
    return f" {WARNINGS_HEADING} ({angka(total)}): {'; '.join(shown)}{rest}."


def failure_event(row: Row) -> Event:
    status = row["status"]
    cause = recorded_cause(row).strip()
    body = _fitted(
        f"SOP {row['sop_title']}{_where(row)}: eksekusi {row['id']} "
        f"{STATUS_TEXT.get(status, status)}. Penyebab: ",
        cause,
        f".{warnings_text(row)} Rincian: sop execution {row['id']}",
    )
    return Event(
        row.get("court_name"),
        row["sop_id"],
        "gagal",
        _digest(status, _DIGITS.sub("#", cause)),
        body,
        row["id"],
    )


def findings(row: Row) -> list[str]:
    """What an execution's outputs say is wrong although it succeeded: an output with a
    `finding` text (the convention for every SOP: stale sync, website injection, ...) and a
    backup output whose `verified` is false."""
    found: list[str] = []
    for activity in row.get("activities", []):
        for output in activity.get("outputs") or []:
            if not isinstance(output, dict):
                continue
            if isinstance(output.get("finding"), str) and output["finding"]:
                found.append(output["finding"])
            if output.get("verified") is False and output.get("sha256"):
                name = Path(str(output.get("path") or "-")).name
                found.append(f"backup {name} belum terverifikasi (restore uji tidak berhasil)")
    return list(dict.fromkeys(found))


def _size(size: float) -> str:
    """A file's size in MiB to one decimal, in bytes where that would read `0,0 MiB`: an
    empty backup never reads as a small one."""
    mib = size / 1048576
    return f"{angka(mib, 1)} MiB" if round(mib, 1) else f"{angka_ringkas(size)} byte"


def _output_line(output: Mapping[str, Any]) -> str | None:
    if isinstance(output.get("msg"), str) and output["msg"]:
        return str(output["msg"])
    if output.get("sha256"):
        size = reported_number(output.get("size"))  # what the host wrote: maybe no size
        mib = "" if size is None else f", {_size(size)}"
        verified = output.get("verified")
        state = ", terverifikasi" if verified is True else ""
        state = ", BELUM terverifikasi" if verified is False else state
        name = Path(str(output.get("path") or output.get("dest") or "-")).name
        return f"berkas {name}{mib}, sha256 {str(output['sha256'])[:16]}...{state}"
    return None


def report_event(row: Row) -> Event | None:
    """The SOP's "Melaporkan" activity, when it ran: its outputs as a short message."""
    reports = [
        a
        for a in row.get("activities", [])
        if a["kegiatan"].lower().startswith("melaporkan") and a["status"] in ("ok", "changed")
    ]
    if not reports:
        return None
    lines = [
        line
        for activity in reports
        for output in activity.get("outputs") or []
        if isinstance(output, dict)
        for line in [_output_line(output)]
        if line
    ]
    outputs = "; ".join(dict.fromkeys(lines))
    body = _fitted(
        f"Kepada Kasubbag PTIP: SOP {row['sop_title']}{_where(row)} dilaksanakan "
        f"(eksekusi {row['id']}, {row['operator']}), berhasil.",
        f" {outputs}" if outputs else "",
        warnings_text(row),
        REPORT_CHARS,
    )
    return Event(
        row.get("court_name"),
        row["sop_id"],
        "laporan",
        _digest(str(row["id"])),
        body,
        row["id"],
    )


def events_for_execution(notifier: Notifier, row: Row) -> None:
    """Notify what one finished execution says (the runner calls this at its end)."""
    court, sop_id = row.get("court_name"), row["sop_id"]
    if row["status"] in FAILED_STATUSES:
        notifier.send(failure_event(row))
        return
    if row["status"] != "successful":
        return
    notifier.resolve(
        court,
        sop_id,
        "gagal",
        f"SOP {row['sop_title']}{_where(row)} kembali berhasil (eksekusi {row['id']}).",
    )
    found = findings(row)
    if found:
        notifier.send(
            Event(
                court,
                sop_id,
                "temuan",
                _digest(*found),
                _fitted(
                    f"SOP {row['sop_title']}{_where(row)}, eksekusi {row['id']}: ",
                    "; ".join(found),
                    warnings_text(row),
                ),
                row["id"],
            )
        )
    else:
        notifier.resolve(
            court,
            sop_id,
            "temuan",
            f"SOP {row['sop_title']}{_where(row)}: tidak ada temuan lagi (eksekusi {row['id']}).",
        )
    report = report_event(row)
    if report is not None:
        notifier.send(report)


def _warn(message: str) -> None:
    # after the run is recorded: a closed terminal must not turn it into a failed one
    write(sys.stderr, f"sop: warning: {message}\n")


def _notifier(store: Store) -> Notifier | None:
    config = load_config()
    return Notifier(store, config) if config is not None else None


def execution_ended(store: Store, execution_id: int) -> None:
    """The runner's hook after an execution is recorded: never raises, never fails the
    SOP; what could not be delivered is in the notifications table and on stderr."""
    try:
        row = store.execution(execution_id)
        if not performs_sop(row):  # a dry run, a partial run: not the SOP done
            return
        notifier = _notifier(store)
        if notifier is None:
            return
        events_for_execution(notifier, row)
        for event, outcome, error in notifier.outcomes:
            if outcome == "failed":
                _warn(
                    f"notification {event.kind} for execution {execution_id} "
                    f"not delivered: {error}"
                )
    except SopError as exc:
        _warn(f"notifications not sent: {exc}")
    except Exception as exc:  # a notification never fails the SOP
        _warn(f"notifications not sent: {exc!r}")


def overdue_check(
    store: Store, dues: Iterable[Any], courts: Iterable[str | None], zone: tzinfo
) -> str | None:
    """`sop overdue`'s notifications: each overdue SOP once per missed deadline (resolved
    when it is up again), and a SOP whose newest real run of the whole SOP at a court (or
    without a court name) was interrupted (a killed or crashed run, found after it ended:
    a newer dry or partial run does not hide it); times on the court's clock (`zone`).
    Never raises: None when every notification due went out (or the court has none: no
    configuration file), else one line saying what did not (a configuration it cannot
    use, deliveries that failed, each also warned with apprise's reason, the store failing
    while a delivery is recorded), for `sop overdue` to exit 8 with, after its list."""
    try:
        notifier = _notifier(store)
    except SopError as exc:
        return f"notifications not sent: {exc}"
    if notifier is None:
        return None
    try:
        _overdue_events(notifier, dues, courts, zone)
    except Exception as exc:  # a notification never decides what `sop overdue` lists
        return f"notifications not all sent: {exc if isinstance(exc, SopError) else repr(exc)}"
    failed = [(event, error) for event, outcome, error in notifier.outcomes if outcome == "failed"]
    for event, error in failed:
        where = f" at {event.court}" if event.court else ""
        _warn(f"notification {event.kind} for SOP {event.sop_id}{where} not delivered: {error}")
    if not failed:
        return None
    return (
        f"{len(failed)} of {len(notifier.outcomes)} notifications not delivered "
        "(the warnings above say why)"
    )


def _waktu(value: datetime, zone: tzinfo) -> str:
    """A time in a message's text as a letter writes it (sop.bahasa), on the court's clock,
    named as the reports name it (`Month.clock`: WIB, WITA, WIT; a message is read far from
    the court): `6 Januari 2026 pukul 15.30 WIB`."""
    local = value.astimezone(zone)
    return f"{tanggal(local)} {pukul(local)} {local.tzname()}"


def _overdue_events(
    notifier: Notifier, dues: Iterable[Any], courts: Iterable[str | None], zone: tzinfo
) -> None:
    for due in dues:
        where = f" di {due.court_name}" if due.court_name else ""
        if due.state == "overdue":
            last = (
                f"berhasil terakhir {_waktu(due.last_success_at, zone)}"
                f" (eksekusi {due.last_success_id})"
                if due.last_success_at
                else "belum pernah berhasil"
            )
            notifier.send(
                Event(
                    due.court_name,
                    due.sop.id,
                    "terlambat",
                    _digest(str(due.last_success_id), str(due.overdue_at)),
                    f"SOP {due.sop.title}{where} TERLAMBAT sejak "
                    f"{_waktu(due.overdue_at, zone)}: {last}.",
                    due.last_success_id,
                )
            )
        elif due.state in ("up", "grace"):
            # no success: it ran (and failed) since, and falls due from its first run
            done = (
                f"eksekusi {due.last_success_id} berhasil"
                if due.last_success_id is not None
                else "sudah dijalankan, belum pernah berhasil"
            )
            notifier.resolve(
                due.court_name,
                due.sop.id,
                "terlambat",
                f"SOP {due.sop.title}{where} tidak terlambat lagi ({done}).",
            )
    for court in courts:
        # None: the executions recorded without a court name (not every court's newest);
        # a newer dry or partial run is not the SOP done: it hides no interrupted run
        latest = notifier.store.latest_per_sop(court=court, unnamed=court is None, performed=True)
        for row in latest.values():
            if row["status"] == "interrupted":
                notifier.send(failure_event(row))


def _main() -> None:
    """`python -m sop.notify`: one delivery, its URLs, title and body as JSON on stdin;
    why it failed (or null) as JSON on stdout."""
    given = json.load(sys.stdin)
    error = _send(given["urls"], given["title"], given["body"])
    print(json.dumps({"error": error}))


if __name__ == "__main__":
    _main()
