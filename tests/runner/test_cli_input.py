"""Bad input to every `sop` command: one line naming the cause, a documented exit code,
no traceback, nothing recorded for a refused command, no half-written report."""

from __future__ import annotations

import errno
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from sop import inventory
from sop.catalogue import load_catalogue
from sop.cli import main
from sop.incidents import open_incident
from sop.migrations import COLUMN_LIMITS
from sop.store import RECORDED_OPTIONS, Row, Store, now

from .conftest import INVENTORY, REPO, SOP_BIN, craft_execution

Cli = Callable[..., tuple[int, str, str]]
TOO_BIG = "99999999999999999999"  # more than any store's integer holds
NOT_UTF8 = "b\udcffd"  # the bytes b"b\xffd" as Python passes them in sys.argv


@pytest.fixture
def sop(sop_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Cli:
    """`sop ARGS` in-process, argparse's refusals included: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _refused(result: tuple[int, str, str], cause: str, code: int = 2) -> None:
    """Refused with exit `code` and one line holding `cause`, nothing on stdout."""
    exit_code, out, err = result
    assert (exit_code, out) == (code, ""), (exit_code, out, err)
    assert err.strip().count("\n") == 0 and cause in err, err
    assert "Traceback" not in err and "internal error" not in err, err


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("show", "C:\\sop\\backup"), "unknown SOP 'C:\\sop\\backup'"),
        (("show", "backup\x1b[2K"), "unknown SOP 'backup\\x1b[2K'"),
        (("show", "backup\nsop: ok"), "unknown SOP 'backup\\x0asop: ok'"),
        (("run", "local-demo", "--activity", "C\\9"), "has no activity 'C\\9'"),
        (("history", "--since", "2026\\01\\02"), "--since '2026\\01\\02': expected"),
        (("report", "--month", "2026\\01"), "--month '2026\\01': expected"),
        (("history", "--query", "[?a=='\\']"), "--query \"[?a=='\\']\": "),
        (("execution", "4\u200b"), "argument id: '4\\u200b' is no execution id"),
        (("history", "-n", "a\x1b"), "argument -n/--last: 'a\\x1b' is not a whole number"),
        (("approve", "1", "--by", "B", "--role", "PPK", "--valid-days", "7\\b"),
         "argument --valid-days: '7\\b' is not a whole number"),
        (("history", "--status", "a\x1b"), "argument --status: invalid choice: 'a\\x1b' (choose"),
        (("report", "--format", "C:\\md"), "argument --format: invalid choice: 'C:\\md' (choose"),
        (("report", "--format", "x" * 100),
         "invalid choice: '" + "x" * 60 + "…' (choose from md, "),
        # a pasted value was quoted whole, as long as it was typed
        (("execution", "x" * 100), "argument id: '" + "x" * 60 + "…' is no execution id"),
        (("history", "--since", "9" * 100), "--since '" + "9" * 60 + "…': expected"),
    ],
    ids=["backslash", "control", "newline", "activity", "since", "month", "query", "id", "count",
         "days", "choice", "choice-backslash", "choice-long", "id-long", "since-long"],
)
def test_a_value_an_error_quotes_is_escaped_once(
    sop: Cli, args: tuple[str, ...], shown: str
) -> None:
    """An error quoted a value as repr() wrote it, then showed the line (untrusted.visible),
    which escaped repr's escapes again: a typed `C:\\sop` read 'C:\\\\sop', an ESC
    '\\x5cx1b'. Quoted as it is, each control character is written as its escape once,
    a line break too: the error stays one line."""
    _refused(sop(*args), shown)

@pytest.mark.parametrize(
    ("args", "cause"),
    [
        (("execution", "abc"), "argument id: 'abc' is no execution id"),
        (("history", "--status", "nope"), "invalid choice: 'nope'"),
        (("report", "--format", "docx"), "invalid choice: 'docx'"),
        (("history", "-n", "many"), "argument -n/--last: 'many' is not a whole number"),
        (("incident", "close", "x1", "--by", "a", "--resolution", "r"), "is no incident id"),
        (("ack", "1"), "the following arguments are required: activity, --by"),
        (("run", "local-demo", "--time-limit", "4"),  # systemd: 4 seconds
         "argument --time-limit: not a time span with its unit (such as 2h 22min)"),
        (("run", "local-demo", "--time-limit", "0s"), "argument --time-limit: not a time span"),
    ],
)
def test_argument_errors_are_one_line(sop: Cli, args: tuple[str, ...], cause: str) -> None:
    """argparse printed its usage line (200 characters) before the error: two lines, the
    cause on the second. One line, as every other error of `sop`, and the --help to see."""
    _refused(sop(*args), cause)
    assert sop(*args)[2].rstrip().endswith("--help)")


def test_an_id_no_store_can_hold_is_no_record(sop: Cli, store_at: Store) -> None:
    """An id over 2**63 - 1 (SQLite's INTEGER) was an internal error, exit 6: sqlite3's
    OverflowError binding it. It names no record: exit 2, saying so."""
    craft_execution(store_at, "local-manual", now(), activities=1)
    _refused(sop("execution", TOO_BIG), f"argument id: no execution {TOO_BIG}")
    _refused(sop("ack", TOO_BIG, "1", "--by", "Budi"), f"no execution {TOO_BIG}")
    _refused(sop("approve", TOO_BIG, "--by", "Budi", "--role", "PPK"), f"no execution {TOO_BIG}")
    _refused(
        sop("incident", "close", TOO_BIG, "--by", "Budi", "--resolution", "r"),
        f"no incident {TOO_BIG}",
    )
    _refused(sop("execution", "0"), "argument id: no execution 0")


def test_a_count_beyond_the_store_is_all(sop: Cli, store_at: Store) -> None:
    """`history -n N`, at most N: a count over 2**63 - 1 (an internal error, exit 6, on
    either store) asks for every execution."""
    ran = craft_execution(store_at, "local-manual", now())
    code, out, err = sop("history", "-n", TOO_BIG, "--json")
    assert code == 0, err
    assert [row["id"] for row in json.loads(out)] == [ran]


EMPTY_OPTIONS = [
    ("ack", "1", "1", "--by", ""),
    ("ack", "1", "1", "--by", "Budi", "--note", " "),
    ("approve", "1", "--by", "Budi", "--role", "PPK", "--note", ""),
    ("incident", "open", "--host", "h", "--summary", "s", "--by", "b", "--court", ""),
    ("incident", "close", "1", "--by", "", "--resolution", "r"),
    ("history", "--sop", ""),
    ("history", "--court", ""),
    ("history", "--since", ""),
    ("report", "--month", ""),
    ("report", "--month", "2026-11", "-o", ""),
    ("list", "--court", ""),
    ("list", "-i", ""),
    ("show", "local-demo", "-i", ""),
    ("schedule", "status", "--unit-dir", ""),
    ("notify", "test", "--court", ""),
    ("run", "local-manual", "-i", str(INVENTORY), "--operator", ""),
    ("run", "local-manual", "-i", str(INVENTORY), "--vault-password-file", ""),
    ("list", "-i", str(INVENTORY), "--vault-password-file", ""),
    ("report", "-i", str(INVENTORY), "--vault-password-file", ""),
]


def _records(store: Store) -> tuple[list[Row], list[Row]]:
    """The executions (with their activities) and the incidents a store records."""
    with store.db.transaction() as tx:
        incidents = tx.rows("SELECT * FROM incidents ORDER BY id")
    return store.executions(with_activities=True), incidents


def _waiting(store: Store) -> None:
    """Execution 1, its activity 1 a manual step waiting for `sop ack`, and incident 1."""
    ran = craft_execution(store, "local-manual", now(), activities=1)
    with store.db.transaction(write=True) as tx:
        tx.update(
            "activity_results",
            {"mode": "manual", "status": "pending-manual"},
            "execution_id = :key_id",
            key_id=ran,
        )
    server_incident = load_catalogue(REPO / "runner/sop/catalogue")["server-incident"]
    open_incident(store, server_incident, host="h", summary="s", by="b", court=None)


@pytest.mark.parametrize("args", EMPTY_OPTIONS, ids=" ".join)
def test_an_empty_option_is_refused(sop: Cli, store_at: Store, args: tuple[str, ...]) -> None:
    """An empty value read as the option not given: `--month ''` made this month's
    report, `-o ''` wrote it to the terminal, `--data-dir ''` made a store in the
    current directory (and closed it to other accounts), `ack --by ''` recorded an
    acknowledgement by nobody, `incident open --court ''` an incident of no court that
    any court's list leaves out. Refused, naming the option; nothing recorded."""
    _waiting(store_at)
    before = _records(store_at)
    _refused(sop(*args), "expected a value, not an empty string")
    assert _records(store_at) == before


BROKEN_LINES = [
    ("ack", "1", "1", "--by", "Budi\nSantoso"),
    ("approve", "1", "--by", "Budi", "--role", "Sekretaris\r"),
    ("incident", "open", "--host", "h\tx", "--summary", "s", "--by", "b"),
    ("incident", "close", "1", "--by", "Budi\x1b[31m", "--resolution", "r"),
    ("run", "local-manual", "-i", str(INVENTORY), "--operator", "root\nadmin"),
    ("history", "--court", "PN\nLab"),
    ("ack", "1", "1", "--by", "Budi\u202egnp"),  # a bidirectional override
    ("ack", "1", "1", "--by", "Budi\u2028Santoso"),  # Unicode's line separator
    ("approve", "1", "--by", "Budi\x85", "--role", "PPK"),  # a C1 control (next line)
    ("incident", "open", "--host", "h", "--summary", "s", "--by", "b\u2066"),  # an isolate
]


@pytest.mark.parametrize("args", BROKEN_LINES, ids=lambda args: args[0])
def test_a_name_with_a_line_break_or_control_character_is_refused(
        sop: Cli, store_at: Store, args: tuple[str, ...]) -> None:
    """`ack --by "$(printf 'A\nB')"` was recorded as done by two lines, which the
    reports' tables and the notifications show as a broken line (an escape sequence
    recolours the terminal of whoever reads `sop history`). A name, a role, a court, a
    host or a pattern is one line; a note or a summary may hold line breaks."""
    _waiting(store_at)
    before = _records(store_at)
    _refused(sop(*args), "expected one line, not a text with a line break or another "
                         "control character")
    assert _records(store_at) == before


def test_a_note_may_hold_line_breaks(sop: Cli, store_at: Store) -> None:
    _waiting(store_at)
    code, _out, err = sop("ack", "1", "1", "--by", "Budi", "--note", "baris satu\nbaris dua")
    assert code == 0, err
    assert store_at.execution(1)["activities"][0]["note"] == "baris satu\nbaris dua"


# A command line of each command RECORDED_OPTIONS names, which `_waiting`'s store takes.
RECORDING = {
    "run": ("run", "local-manual", "-i", str(INVENTORY)),
    "ack": ("ack", "1", "1", "--by", "Budi"),
    "approve": ("approve", "1", "--by", "Budi", "--role", "PPK"),
    "incident open": ("incident", "open", "--host", "h", "--summary", "s", "--by", "b"),
    "incident close": ("incident", "close", "1", "--by", "b", "--resolution", "r"),
}
RECORDED = [
    (command, option, table, column)
    for command, options in RECORDED_OPTIONS.items()
    for option, table, column in options
]


def _given(command: str, option: str, value: str) -> list[str]:
    """RECORDING's command line with `--option value`."""
    args = list(RECORDING[command])
    if f"--{option}" in args:
        args[args.index(f"--{option}") + 1] = value
    else:
        args += [f"--{option}", value]
    return args


@pytest.mark.parametrize(("command", "option", "table", "column"), RECORDED, ids=str)
def test_an_option_longer_than_the_store_records_is_refused(
    sop: Cli, store_at: Store, command: str, option: str, table: str, column: str
) -> None:
    """PostgreSQL refused it when the command recorded it (a run: at its end, a store
    error), SQLite kept it: refused on both before anything, naming the option, its
    length and the limit; one at the limit is not."""
    assert set(RECORDING) == set(RECORDED_OPTIONS)
    _waiting(store_at)
    before = _records(store_at)
    limit = COLUMN_LIMITS[table, column]
    _refused(
        sop(*_given(command, option, "é" * (limit + 1))),
        f"--{option} is {limit + 1} characters long: the store records at most {limit}",
    )
    assert _records(store_at) == before
    _code, _out, err = sop(*_given(command, option, "é" * limit))
    assert "characters long" not in err


@pytest.mark.parametrize("variable", ["SUDO_USER", "USER"])
def test_an_operator_from_the_environment_longer_than_the_store_records_is_refused(
    sop: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """The operator taken from SUDO_USER or USER (no --operator) is recorded as --operator
    is: a longer one than the store holds was kept by SQLite and refused by PostgreSQL at
    the run's end. Refused before anything, naming the variable it came from; one at the
    limit is not, nor a long one --operator replaces."""
    monkeypatch.delenv("SUDO_USER", raising=False)
    limit = COLUMN_LIMITS["executions", "operator"]
    monkeypatch.setenv(variable, "é" * (limit + 1))
    _waiting(store_at)
    before = _records(store_at)
    _refused(
        sop(*RECORDING["run"]),
        f"{variable} (the default of --operator) is {limit + 1} characters long: the store "
        f"records at most {limit}; give --operator NAME",
    )
    assert _records(store_at) == before
    _code, _out, err = sop(*RECORDING["run"], "--operator", "Budi")
    assert "characters long" not in err
    monkeypatch.setenv(variable, "é" * limit)
    _code, _out, err = sop(*RECORDING["run"])
    assert "characters long" not in err
    assert [e["operator"] for e in store_at.executions(limit=2)] == ["é" * limit, "Budi"]


ONE_LINE = "expected one line, not a text with a line break or another control character"


@pytest.mark.parametrize(("value", "cause"), [
    ("root\nadmin", ONE_LINE),
    ("budi\x1b[2K", ONE_LINE),  # an escape sequence: erases the line it is shown on
    ("budi\x9b2K", ONE_LINE),  # a C1 control (the CSI of the same)
    ("idub\u202e", ONE_LINE),  # a bidirectional override: read as budi
    ("budi\u200b", ONE_LINE),  # drawn as nothing: reads as budi
    (NOT_UTF8, "not UTF-8 text"),
    (" ", "expected a value, not an empty string"),
], ids=repr)
@pytest.mark.parametrize("variable", ["SUDO_USER", "USER"])
def test_an_operator_from_the_environment_that_operator_refuses_is_refused(
    sop: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
    cause: str,
) -> None:
    """The operator taken from SUDO_USER or USER (no --operator), the court's evidence of
    who ran the SOP, went into the record, the reports and the notifications as it was:
    a line break, an escape sequence or a bidirectional override included. Judged as
    --operator is, refused before anything, naming the variable; --operator replaces it."""
    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.setenv(variable, value)
    _waiting(store_at)
    before = _records(store_at)
    _refused(sop(*RECORDING["run"]),
             f"{variable} (the default of --operator): {cause}; give --operator NAME")
    assert _records(store_at) == before
    _code, _out, err = sop(*RECORDING["run"], "--operator", "Budi")
    assert "the default of --operator" not in err
    assert store_at.executions(limit=1)[0]["operator"] == "Budi"


def test_a_bad_sudo_user_is_not_passed_over_for_user(
    sop: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under sudo USER is root: a SUDO_USER refused is not replaced by it, which would
    record root as having run what a person did."""
    monkeypatch.setenv("SUDO_USER", "budi\nroot")
    monkeypatch.setenv("USER", "root")
    _refused(sop(*RECORDING["run"]), f"SUDO_USER (the default of --operator): {ONE_LINE}")
    assert store_at.executions() == []


def test_an_account_without_a_login_name_gives_operator(
    sop: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither SUDO_USER nor USER, and a uid the password database lacks (a container's
    arbitrary uid): getpass raised, an internal error (exit 6). Bad input, exit 2."""
    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.delenv("USER", raising=False)

    def no_name() -> str:
        raise KeyError(f"getpwuid(): uid not found: {os.getuid()}")

    monkeypatch.setattr("sop.cli.getpass.getuser", no_name)
    _refused(sop(*RECORDING["run"]), f"SUDO_USER and USER are unset and uid {os.getuid()} "
             "has no login name; give --operator NAME")
    assert store_at.executions() == []


@pytest.mark.parametrize("option", ["-i", "--limit"])
def test_an_empty_inventory_or_limit_runs_nothing(
    sop_env: dict[str, str], store_at: Store, option: str
) -> None:
    """`sop run SOP -i "$INV"` or `--limit "$HOST"` with the variable unset ran the SOP on
    every host of ansible.cfg's inventory or of the inventory given. (Its own process,
    whose ansible.cfg inventory is the fixture's localhost: never the lab's.)"""
    env = {**sop_env, "ANSIBLE_INVENTORY": str(INVENTORY)}
    args = [SOP_BIN, "run", "local-demo", "--check", "-e", "demo_dir=/nonexistent/sop-demo"]
    args += [option, ""] if option == "-i" else ["-i", str(INVENTORY), option, ""]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    _refused((done.returncode, done.stdout, done.stderr), f"argument {option}")
    assert store_at.executions() == []


def test_a_typed_vault_password_without_memory_files_runs_nothing(
    sop: Cli, store_at: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typed password reaches ansible-playbook in an in-memory file, never on disk: a
    kernel without them (memfd_create refused) is one line naming the way that works."""

    def refused(name: str, flags: int) -> int:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    monkeypatch.setattr("sop.cli.getpass.getpass", lambda prompt: "typed")
    monkeypatch.setattr(os, "memfd_create", refused)
    result = sop("run", "local-demo", "-i", str(INVENTORY), "--ask-vault-pass")
    _refused(result, "--ask-vault-pass: no in-memory file for the password (Function not "
             "implemented): give --vault-password-file FILE")
    assert store_at.executions() == []


def test_data_dir_empty_leaves_the_current_directory_alone(
    sop_env: dict[str, str], tmp_path: Path
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir(mode=0o755)
    cwd.chmod(0o755)
    done = subprocess.run(
        [SOP_BIN, "--data-dir", "", "history"],
        env=sop_env, cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "argument --data-dir" in done.stderr
    assert list(cwd.iterdir()) == [] and cwd.stat().st_mode & 0o777 == 0o755


NOT_UTF8_OPTIONS = [
    ("history", "--court", NOT_UTF8),
    ("incident", "open", "--host", NOT_UTF8, "--summary", "s", "--by", "b"),
    ("incident", "open", "--host", "h", "--summary", NOT_UTF8, "--by", "b"),
    ("ack", "1", "1", "--by", NOT_UTF8),
    ("run", "local-manual", "-i", str(INVENTORY), "--operator", NOT_UTF8),
    ("run", "local-demo", "-i", str(INVENTORY), "--limit", NOT_UTF8),
]


@pytest.mark.parametrize("args", NOT_UTF8_OPTIONS, ids=lambda a: " ".join(a[:3]))
def test_an_option_that_is_no_utf8_text_is_refused(
    sop: Cli, store_at: Store, args: tuple[str, ...]
) -> None:
    """Bytes that are no UTF-8 (a name in another encoding, a pasted binary) reached the
    store: an internal error, exit 6 (UnicodeEncodeError), or, for `sop run`, after the
    playbook had started. Refused before anything: exit 2, the option named."""
    _waiting(store_at)
    before = _records(store_at)
    _refused(sop(*args), "not UTF-8 text")
    assert _records(store_at) == before


def test_an_extra_var_that_is_no_utf8_text_runs_nothing(sop: Cli, store_at: Store) -> None:
    """`-e x=<bytes>` ran the playbook, which failed on it, and was recorded failed."""
    result = sop("run", "local-demo", "-i", str(INVENTORY), "-e", f"x={NOT_UTF8}")
    _refused(result, "-e: not UTF-8 text (value not shown)")
    assert store_at.executions() == []


@pytest.mark.parametrize(
    "query", ["to_number('1e999')", "[to_number('-1e999')]", "{n: to_number('nan')}"]
)
def test_a_query_selecting_what_json_cannot_hold_is_refused(
    sop: Cli, store_at: Store, query: str
) -> None:
    """JMESPath's to_number reads 1e999 as infinity: `--query` printed `Infinity`, which
    no JSON reader takes, exit 0."""
    craft_execution(store_at, "local-manual", now())
    _refused(sop("history", "--query", query), f"--query {query!r}: selects a number JSON")


def test_a_password_in_the_url_query_is_not_shown(
    sop: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libpq takes the password as a URL parameter too (`?password=`): the error naming
    the store showed it, on the terminal and in the timer's journal."""
    monkeypatch.setenv(
        "SOP_DATABASE_URL",
        "postgresql://sop@/sop?host=/nonexistent&password=Rahasia1&sslpassword=Rahasia2",
    )
    code, out, err = sop("history")
    assert (code, out) == (6, "")
    assert "password=***" in err and "sslpassword=***" in err
    assert "Rahasia" not in err


UNSHARE = os.geteuid() == 0 and shutil.which("unshare") is not None
FULL_DISK = """
dir=$1 target=$2; shift 2
mount -t tmpfs -o size=64k tmpfs "$dir" || exit 99
printf 'old report\\n' > "$target"
dd if=/dev/zero of="$dir/filler" bs=4k 2>/dev/null
"$@"; rc=$?
ls -A "$dir"; cat "$target"; exit $rc
"""


@pytest.mark.skipif(not UNSHARE, reason="needs root and unshare (a full file system of its own)")
@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_a_report_that_does_not_fit_keeps_the_old_one(
    sop_env: dict[str, str], store_at: Store, tmp_path: Path, fmt: str
) -> None:
    """`sop report -o FILE` on a full disk truncated the last report and left what of the
    new one fitted in its place. A new report replaces the old whole, or not at all."""
    for minutes in range(40):  # a report of more than the page its old one frees
        craft_execution(store_at, "local-demo", now() - timedelta(minutes=minutes))
    target = tmp_path / "out" / f"r.{fmt}"
    target.parent.mkdir()
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", FULL_DISK, "sh",
         str(target.parent), str(target), SOP_BIN, "report", "--format", fmt, "-o", str(target)],
        env=sop_env, capture_output=True, text=True, errors="replace", check=False,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr
    assert done.stderr.strip() == (
        f"sop: error: cannot write the report to {target}: No space left on device"
    )
    assert done.stdout.splitlines() == ["filler", f"r.{fmt}", "old report"]  # no leftovers


# A file name longer than the file system takes (NAME_MAX, 255 bytes on ext4), and how
# the refusal names it.
LONG_NAME = "a" * 300
LONG_PATHS = [
    (("run", "local-demo", "-i", "{long}"), "inventory {long}"),
    (("run", "local-demo", "-i", str(INVENTORY), "-e", "@{long}"), "-e @{long}"),
    (("run", "local-demo", "-i", str(INVENTORY), "--vault-password-file", "{long}"),
     "--vault-password-file {long}"),
    (("report", "-i", "{long}"), "inventory {long}"),
    (("overdue", "-i", "{long}"), "inventory {long}"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "named"), LONG_PATHS,
                         ids=["run -i", "run -e", "run --vault-password-file", "report -i",
                              "overdue -i"])  # fmt: skip
def test_a_file_name_too_long_is_named(
    sop: Cli, store_at: Store, tmp_path: Path, args: tuple[str, ...], named: str
) -> None:
    """A file name longer than the file system takes (a pasted line) was an internal
    error, exit 6, "OSError(36, 'File name too long')" naming no option. Named with its
    option, exit 2, nothing run or recorded."""
    long = str(tmp_path / LONG_NAME)
    _refused(sop(*(arg.format(long=long) for arg in args)),
             f"{named.format(long=long)}: File name too long")  # fmt: skip
    assert store_at.executions() == []


def test_a_long_inline_host_list_is_no_file_name() -> None:
    """-i h1,h2,...: an inline host list longer than a file name can be was an internal
    error (the check whether a file has that name). It is the list."""
    hosts = ",".join(f"host{n}.court.example" for n in range(30)) + ","
    assert len(hosts) > 255
    assert inventory.resolve_source(hosts) == hosts


@pytest.mark.parametrize(("fmt", "start"), [("md", b"# Laporan"), ("pdf", b"%PDF-")])
def test_a_report_to_dev_stdout_reaches_a_pipe(
    sop_env: dict[str, str], store_at: Store, fmt: str, start: bytes
) -> None:
    """`sop report -o /dev/stdout | ...` failed, exit 2, "cannot write the report to
    /dev/stdout: No such file or directory": the link of a pipe resolves to no path
    (/proc/PID/fd/pipe:[N]), where the new file beside it was to be made. A pipe is
    written as it is, the report alone (no "Laporan written to" line after the PDF)."""
    craft_execution(store_at, "local-demo", now())
    done = subprocess.run(
        [SOP_BIN, "report", "--format", fmt, "-o", "/dev/stdout"],
        env=sop_env, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(start), done.stdout[:200]
    assert b"Laporan written" not in done.stdout


@pytest.mark.parametrize("option", ["-e", "--vault-password-file"])
@pytest.mark.parametrize(
    ("path", "said"), [(None, "a directory, not a file"), ("/dev/null", "not a regular file")]
)
def test_a_directory_given_as_a_file_is_named(
    sop: Cli, store_at: Store, tmp_path: Path, option: str, path: str | None, said: str
) -> None:
    """`-e @DIR` and `--vault-password-file DIR` (a completion that stopped at the
    directory), or a device, said "file not found" of what is there. Named as what it
    is, nothing run or recorded."""
    given = ("@" if option == "-e" else "") + (path or str(tmp_path))
    _refused(sop("run", "local-demo", "-i", str(INVENTORY), option, given),
             f"{option} {given}: {said}")  # fmt: skip
    assert store_at.executions() == []


@pytest.mark.parametrize("name", ["run", "artifacts"])
def test_a_file_where_a_run_keeps_its_directory_runs_nothing(
    sop: Cli, store_at: Store, sop_env: dict[str, str], name: str
) -> None:
    """A file named run or artifacts in the data directory (a copy gone wrong) failed
    every run with "internal error: FileExistsError(17, 'File exists')", exit 6, and
    recorded it failed. Named, before anything is recorded; the file left as it was."""
    stray = Path(sop_env["SOP_DATA_DIR"]) / name
    stray.write_text("kept\n")
    _refused(sop("run", "local-demo", "-i", str(INVENTORY)),
             f"cannot make the data directory's {stray}: not a directory")  # fmt: skip
    assert store_at.executions() == [] and stray.read_text() == "kept\n"


# What `sop report -o` was given that named the records (relative to the data dir): the
# store, its write-ahead log, a link to the store, a run's recorded output.
OVER_RECORDS = [("sop.db", "sop.db"), ("sop.db-wal", "sop.db-wal"),
                ("laporan.md", "sop.db"), ("artifacts/1/stdout", "artifacts/1/stdout")]


@pytest.mark.parametrize(("given", "named"), OVER_RECORDS)
@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_a_report_over_the_records_is_refused(
    sop: Cli, store_at: Store, sop_env: dict[str, str], given: str, named: str, fmt: str
) -> None:
    """`sop report -o /var/lib/sop/sop.db` (a completion one word short) replaced the
    store with the report, exit 0: every record lost, each later command "file is not a
    database". The store's files and the runs' recorded output are refused as the
    report's file, before anything is written."""
    data = Path(sop_env["SOP_DATA_DIR"])
    ident = craft_execution(store_at, "local-manual", now())
    (data / "artifacts" / "1").mkdir(parents=True)
    (data / "artifacts" / "1" / "stdout").write_text("evidence\n")
    if given == "laporan.md":
        (data / given).symlink_to(data / named)
    before = sorted(data.rglob("*"))
    _refused(sop("report", "--format", fmt, "-o", str(data / given)),
             f"-o {data / given}: the records ({data / named}), which a report would "
             "replace: write it elsewhere")  # fmt: skip
    assert sorted(data.rglob("*")) == before
    assert (data / "artifacts" / "1" / "stdout").read_text() == "evidence\n"
    assert [row["id"] for row in store_at.executions()] == [ident]


# Each given a host of its own (`--host H` after it): a host's second open incident is
# refused, naming the first.
OPEN_INCIDENT = ("incident", "open", "--summary", "mati", "--by", "Budi")
# The catalogue holding server-incident, whose Mutu Baku an incident is opened with.
CATALOGUE = {"SOP_CATALOGUE_DIR": str(REPO / "runner/sop/catalogue")}


# Root without the capabilities that let it write and read any file: its permissions then
# apply as any account's. (Another account such as nobody cannot reach a clone in /root.)
NO_DAC = "-dac_override,-dac_read_search"


def _as_other_user(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`sop ARGS` with file permissions applying: as root, without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH (setpriv, util-linux), else as this account."""
    prefix = ["setpriv", f"--inh-caps={NO_DAC}", f"--bounding-set={NO_DAC}"] \
        if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, SOP_BIN, *args], env=env, capture_output=True, text=True, check=False,
        timeout=120,
    )


def test_a_read_only_store_names_the_real_cause(sop_env: dict[str, str]) -> None:
    """A data directory or database file the account cannot write failed with exit 6 and
    SQLite's "attempt to write a readonly database": one line naming the directory or
    file and the account, exit 2 (the admin's setting, as a data directory that cannot
    be made), the record never half written."""
    root = Path(tempfile.mkdtemp(prefix="sop-ro-"))
    try:
        root.chmod(0o755)
        data = root / "data"
        data.mkdir()
        env = {**sop_env, **CATALOGUE, "SOP_DATA_DIR": str(data)}
        account = pwd.getpwuid(os.geteuid()).pw_name
        assert _as_other_user(env, *OPEN_INCIDENT, "--host", "sipp").returncode == 0
        store = f"sqlite:///{data / 'sop.db'}"
        data.chmod(0o500)
        done = _as_other_user(env, *OPEN_INCIDENT, "--host", "web")
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert done.stderr.startswith(
            f"sop: error: cannot open the store {store}: the directory {data} is not "
            f"writable by user {account} (SQLite: "
        ), done.stderr
        assert done.stderr.count("\n") == 1
        data.chmod(0o700)
        (data / "sop.db").chmod(0o400)
        done = _as_other_user(env, *OPEN_INCIDENT, "--host", "backup")
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert f"{store}: {data / 'sop.db'} is read-only for user {account} (" in done.stderr
        assert done.stderr.count("\n") == 1
        (data / "sop.db").chmod(0o600)
        with sqlite3.connect(data / "sop.db") as kept:
            assert kept.execute("SELECT count(*) FROM incidents").fetchone() == (1,)
    finally:
        shutil.rmtree(root)


@pytest.mark.parametrize("unreadable", ["", "hosts.yml"])
def test_an_inventory_this_account_cannot_read_is_named(
    sop_env: dict[str, str], store_at: Store, tmp_path: Path, unreadable: str
) -> None:
    """An inventory directory the account cannot read ran the playbook, then failed
    reading it in-process: internal error PermissionError, exit 6, the run recorded
    failed; a file in it it cannot read read as "has no hosts" or "no inventory plugin
    could parse it". Named, exit 2, nothing run or recorded."""
    court = tmp_path / "court"
    shutil.copytree(INVENTORY, court)
    (court / unreadable).chmod(0)
    try:
        for args in (("run", "local-demo"), ("report",)):
            done = _as_other_user(sop_env, *args, "-i", str(court))
            assert (done.returncode, done.stdout) == (2, ""), done.stderr
            assert done.stderr == (
                f"sop: error: inventory {court}: {court / unreadable}: Permission denied\n"
            )
    finally:
        (court / unreadable).chmod(0o700)
    assert store_at.executions() == []


@pytest.mark.parametrize(
    ("file", "encoding", "named"),
    [
        ("hosts.yml", "utf-16-le", "UTF-16"),  # Windows Notepad's "Unicode"
        ("group_vars/all.yml", "utf-16-be", "UTF-16"),
        ("group_vars/all.yml", "utf-32-le", "UTF-32"),
    ],
)
def test_an_inventory_file_not_in_utf8_is_named(
    sop: Cli, store_at: Store, tmp_path: Path, file: str, encoding: str, named: str
) -> None:
    """An inventory file saved in UTF-16 or UTF-32 (its byte order mark first) failed as
    an internal error ("embedded null byte": its hosts named with NUL bytes, exit 6) or as
    "YAML parsing failed: ... surrogates not allowed", the file unnamed, after `sop run`
    began an execution. One line names the file and UTF-8, exit 2, nothing run."""
    court = tmp_path / "court"
    shutil.copytree(INVENTORY, court)
    path = court / file
    text = path.read_text(encoding="utf-8")
    path.write_bytes(("\ufeff" + text).encode(encoding))  # the BOM, as an editor writes it
    for args in (("run", "local-demo"), ("list",), ("show", "local-demo"), ("report",),
                 ("schedule", "install", "--check", "--unit-dir", str(tmp_path / "units"))):
        _refused(
            sop(*args, "-i", str(court)),
            f"sop: error: inventory {path}: written in {named}: an inventory file must be "
            "UTF-8 (save it as UTF-8)",
        )
    assert store_at.executions() == []


FULL_STORE = """
dir=$1; shift
mount -t tmpfs -o size=4m tmpfs "$dir" || exit 99
"$@" --host sipp >/dev/null || exit 98
dd if=/dev/zero of="$dir/filler" bs=4k 2>/dev/null
"$@" --host web; rc=$?
rm "$dir/filler"
"$@" --host backup >/dev/null || exit 97
exit $rc
"""


@pytest.mark.skipif(not UNSHARE, reason="needs root and unshare (a full file system of its own)")
def test_a_full_disk_under_the_store_is_named(sop_env: dict[str, str], tmp_path: Path) -> None:
    """A store on a full disk failed with SQLite's "database or disk is full" or "disk I/O
    error": one line naming the store and the full disk, exit 6; nothing half written,
    and the store takes records again once there is room."""
    data = tmp_path / "data"
    data.mkdir()
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", FULL_STORE, "sh",
         str(data), SOP_BIN, *OPEN_INCIDENT],
        env={**sop_env, **CATALOGUE}, capture_output=True, text=True, check=False,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 6, done.stdout[-2000:] + done.stderr
    store = f"sqlite:///{data / 'sop.db'}"
    assert f"the store {store}: no space left on device (" in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1
