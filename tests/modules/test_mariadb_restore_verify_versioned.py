"""mariadb_restore_verify and versioned executable comments: a statement in
``/*!NNNNNN ...*/`` or ``/*M!NNNNNN ...*/`` above the verifying server's version is
skipped by it, and run by a newer MariaDB where the backup is restored by hand as root.
The verification must not call such a dump verified (found in the lab on 10.11.19 with
``/*!110800 GRANT ALL ON *.* ...*/``)."""

from __future__ import annotations

import re
import subprocess

import pytest
from loader import load

verify = load("mariadb_restore_verify")

SERVER = 101119  # MariaDB 10.11.19, the lab's backup computer


@pytest.mark.parametrize(("answer", "version"), [
    ("10.11.19-MariaDB-1:10.11.19+maria~ubu2204-log", ("10.11.19", 101119)),
    ("11.8.0-MariaDB", ("11.8.0", 110800)),
    ("10.6.5-MariaDB", ("10.6.5", 100605)),
    ("", None),
    ("MariaDB", None),
])
def test_the_servers_version_is_the_number_comments_are_compared_with(
        answer: str, version: tuple[str, int] | None) -> None:
    assert verify.version_id(answer) == version


@pytest.mark.parametrize("server", [SERVER, 0, 99999, 100000, 109999, 110800, 999997])
def test_the_pattern_matches_exactly_the_versions_above_the_server_but_999999(
        server: int) -> None:
    pattern = re.compile(verify.newer_pattern(server) or "")
    matched = [n for n in range(1000000) if pattern.fullmatch(f"/*!{n:06d}")]
    assert matched == list(range(server + 1, 999999))
    assert pattern.fullmatch(f"/*M!{server + 1:06d}")
    assert not pattern.fullmatch(f"/*m!{server + 1:06d}")


def test_a_server_at_the_last_version_has_no_newer_comment() -> None:
    assert verify.newer_pattern(999998) is None
    assert verify.newer_program(999998) == ""


def sed(program: str, text: str) -> tuple[int, str, str]:
    """GNU sed -E ``program`` over ``text``: exit code, stdout, stderr (C locale)."""
    proc = subprocess.run(["sed", "-E", program], input=text.encode(), capture_output=True,
                          check=False, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


HEAD = "/*M!999999\\- enable the sandbox mode */\nCREATE TABLE t (id INT);\n"
TAIL = "INSERT INTO t VALUES (1);\n"


@pytest.mark.parametrize("line", [
    "/*!40101 SET NAMES utf8mb4 */;",
    "/*!50717 SELECT 1 */;",
    "/*!99999 SELECT 1 */;",
    "/*M!50700 SELECT 1 */;",
    "/*!100500 SELECT 1 */;",
    "/*M!101119 SELECT 1 */;",
    "/*!999999 GRANT ALL ON *.* TO sop_verify@localhost */;",
    "/*! GRANT ALL ON *.* TO sop_verify@localhost */;",
    "INSERT INTO t VALUES ('/*!11080');",
])
def test_what_this_server_runs_or_no_server_runs_is_passed_on(line: str) -> None:
    dump = f"{HEAD}{line}\n{TAIL}"
    assert sed(verify.newer_program(SERVER), dump) == (0, dump, "")


@pytest.mark.parametrize(("line", "comment"), [
    ("/*!110800 GRANT ALL ON *.* TO sop_verify@localhost */;", "/*!110800"),
    ("/*M!110800 CREATE DATABASE smuggled */;", "/*M!110800"),
    ("/*!101120 DROP DATABASE mysql */;", "/*!101120"),
    ("/*!999998 SELECT 1 */;", "/*!999998"),
    ("INSERT INTO t VALUES (2); /*!1108001 SELECT 1 */;", "/*!110800"),
    ("INSERT INTO t VALUES (2);/*M!120000GRANT ALL ON *.* TO x*/;", "/*M!120000"),
])
def test_a_statement_only_a_newer_server_runs_stops_the_stream_before_it(
        line: str, comment: str) -> None:
    """sed stops at the line (anywhere in it), sends nothing of it or after it, exits
    NEWER_EXIT and names the comment on stderr: the module's reason."""
    code, out, err = sed(verify.newer_program(SERVER), f"{HEAD}{line}\n{TAIL}")
    assert (code, out, err) == (verify.NEWER_EXIT, HEAD, comment + "\n")
    number = int(comment[-6:])
    needed = f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    assert verify.newer_reason(err.encode(), "10.11.19") == (
        f"the dump holds a statement only MariaDB {needed} or newer runs ({comment} ...), "
        "which this computer's MariaDB 10.11.19 skips: what it does is not verified (to "
        f"verify such a backup, upgrade this computer's MariaDB to {needed} or newer)")


def test_a_stop_without_a_comment_named_is_no_such_verdict() -> None:
    assert verify.newer_reason(b"sed: couldn't write 5 items to stdout: Broken pipe", "10.11.19") \
        is None
