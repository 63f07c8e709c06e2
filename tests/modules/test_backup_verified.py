"""library/backup_verified.py: the backups a store's own record holds whole and verified,
the ones the restore drill (it_security D.7) chooses among; a backup whose verification
failed keeps its name in the store but is none of them."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from ansible.module_utils import sop_backup_ledger as ledger
from backup_store import stored
from loader import load, run_module

ingest = load("backup_ingest")

SIPP = r"^.+-[0-9]{8}T[0-9]{6}\.(sql|tar)\.(zst|gz)$"


def listed(tmp_path: Path, store: Path, pattern: str = SIPP,
           check_mode: bool = False) -> dict[str, Any]:
    args: dict[str, Any] = {"store": str(store), "pattern": pattern}
    if check_mode:
        args["_ansible_check_mode"] = True
    code, result = run_module("backup_verified", tmp_path, args)
    assert code == 0, result
    assert result["changed"] is False
    return result


def test_a_backup_whose_verification_failed_is_not_listed(tmp_path) -> None:
    store = tmp_path / "sipp"
    stored(store, "sipp-20261101T020000.sql.zst")
    stored(store, "sipp-20261102T020000.tar.zst", status="failed",
           reason="myloader failed: ERROR 1064")
    stored(store, "sipp-20261103T020000.sql.zst")
    stored(store, "sipp-20261104T020000.sql.zst", status=None)  # not verified yet
    result = listed(tmp_path, store)
    assert result["present"] is True
    assert [b["name"] for b in result["backups"]] == ["sipp-20261101T020000.sql.zst",
                                                      "sipp-20261103T020000.sql.zst"]
    assert result["backups"][0]["path"] == str(store / "sipp-20261101T020000.sql.zst")
    assert result["backups"][0]["sha256"] == hashlib.sha256(
        b"sipp-20261101T020000.sql.zst").hexdigest()
    assert result["unverified"] == [
        {"name": "sipp-20261102T020000.tar.zst", "status": "failed",
         "reason": "myloader failed: ERROR 1064"},
        {"name": "sipp-20261104T020000.sql.zst", "status": "pending", "reason": ""}]
    assert result["not_whole"] == []
    # check mode reads the same
    assert listed(tmp_path, store, check_mode=True)["backups"] == result["backups"]


def test_the_list_is_in_the_records_order_not_the_names(tmp_path) -> None:
    """The newest is the one taken in last, as retention orders them (a clock set back
    named the later backup with an earlier time)."""
    store = tmp_path / "sipp"
    stored(store, "sipp-20261105T020000.sql.zst")
    stored(store, "sipp-20261101T020000.sql.zst")
    assert [b["name"] for b in listed(tmp_path, store)["backups"]] == [
        "sipp-20261105T020000.sql.zst", "sipp-20261101T020000.sql.zst"]


def test_only_the_pattern_and_only_what_the_record_holds(tmp_path) -> None:
    store = tmp_path / "website"
    stored(store, "website-20261101T020000.tar.zst")
    stored(store, "website-db-20261101T020000.sql.zst")
    (store / "website-20261102T020000.tar.zst").write_bytes(b"x")  # not in the record
    files = listed(tmp_path, store, r"^website-[0-9]{8}T[0-9]{6}\.tar\.zst$")
    assert [b["name"] for b in files["backups"]] == ["website-20261101T020000.tar.zst"]
    database = listed(tmp_path, store, r"^website-db-[0-9]{8}T[0-9]{6}\.(sql|tar)\.(zst|gz)$")
    assert [b["name"] for b in database["backups"]] == ["website-db-20261101T020000.sql.zst"]


def test_a_name_with_a_final_newline_is_no_backup_of_a_pattern_ending_in_dollar(
        tmp_path) -> None:
    """``$`` matches before a final newline: re.match took 'sipp-...sql.zst\\n', a file
    that is no backup name, for one of the pattern's backups (listed for the drill)."""
    store = tmp_path / "sipp"
    stored(store, "sipp-20261101T020000.sql.zst\n")
    stored(store, "sipp-20261102T020000.sql.zst\n", status="failed")
    stored(store, "sipp-20261103T020000.sql.zst")
    result = listed(tmp_path, store)
    assert [b["name"] for b in result["backups"]] == ["sipp-20261103T020000.sql.zst"]
    assert (result["unverified"], result["not_whole"]) == ([], [])


def test_a_verified_backup_no_longer_whole_is_named_not_listed(tmp_path) -> None:
    store = tmp_path / "sipp"
    stored(store, "sipp-20261101T020000.sql.zst")
    stored(store, "sipp-20261102T020000.sql.zst")
    stored(store, "sipp-20261103T020000.sql.zst")
    (store / "sipp-20261102T020000.sql.zst").unlink()
    with open(store / "sipp-20261103T020000.sql.zst", "r+b") as damaged:
        damaged.write(b"X")  # the same size, another content
    result = listed(tmp_path, store)
    assert [b["name"] for b in result["backups"]] == ["sipp-20261101T020000.sql.zst"]
    assert [(b["name"], b["reason"]) for b in result["not_whole"]] == [
        ("sipp-20261102T020000.sql.zst", f"sipp-20261102T020000.sql.zst is gone from {store}"),
        ("sipp-20261103T020000.sql.zst", "sipp-20261103T020000.sql.zst changed after it was "
         "stored (its content differs from the record's SHA-256)")]


def test_a_store_copied_elsewhere_is_read_again_and_still_whole(tmp_path) -> None:
    store = tmp_path / "sipp"
    stored(store, "sipp-20261101T020000.sql.zst")
    copy = tmp_path / "copy"
    shutil.copytree(store, copy)  # new inodes and ctimes, the same content
    result = listed(tmp_path, copy)
    assert [b["name"] for b in result["backups"]] == ["sipp-20261101T020000.sql.zst"]
    assert result["not_whole"] == []


def test_a_store_not_there_lists_nothing(tmp_path) -> None:
    result = listed(tmp_path, tmp_path / "absent")
    assert result == {**result, "present": False, "backups": [], "unverified": [],
                      "not_whole": []}


def test_a_store_with_no_record_yet_lists_nothing(tmp_path) -> None:
    store = tmp_path / "sipp"
    store.mkdir()
    (store / "sipp-20261101T020000.sql.zst").write_bytes(b"x")
    result = listed(tmp_path, store)
    assert (result["present"], result["backups"], result["unverified"]) == (True, [], [])


def test_bad_input_fails_in_one_line(tmp_path) -> None:
    (tmp_path / "file").write_text("x")
    code, result = run_module("backup_verified", tmp_path,
                              {"store": str(tmp_path / "file"), "pattern": SIPP})
    assert code != 0 and result["msg"] == f"{tmp_path / 'file'} is not a directory"
    code, result = run_module("backup_verified", tmp_path,
                              {"store": str(tmp_path), "pattern": "(unclosed"})
    assert code != 0 and result["setting"] == "pattern"
    assert result["msg"].startswith("pattern: not a regular expression (")
    os.mkfifo(tmp_path / ledger.LEDGER_NAME)
    code, result = run_module("backup_verified", tmp_path,
                              {"store": str(tmp_path), "pattern": SIPP})
    assert code != 0 and result["msg"] == (
        f"cannot read the backup ledger {tmp_path / ledger.LEDGER_NAME}: "
        "ledger.jsonl is a FIFO, not a regular file")


def test_the_ingests_verdicts_are_the_same_backups(tmp_path) -> None:
    """backup_ingest's verdicts (the backup modules' held) and this list are one notion."""
    store = tmp_path / "sipp"
    stored(store, "sipp-20261101T020000.sql.zst")
    stored(store, "sipp-20261102T020000.sql.zst", status="failed", reason="bad")
    stored(store, "sipp-20261103T020000.sql.zst")
    (store / "sipp-20261103T020000.sql.zst").unlink()
    stored(store, "other-20261101T020000.sql.zst")
    assert sorted(ingest.stored(str(store), "sipp")) == [
        b["name"] for b in listed(tmp_path, store, r"sipp-.+")["backups"]] == [
        "sipp-20261101T020000.sql.zst"]


@pytest.mark.parametrize("name", ["\ud800-20261101T020000.sql.zst",
                                  "x\u0000-20261101T020000.sql.zst",
                                  "../elsewhere/x-20261101T020000.sql.zst"])
def test_a_recorded_name_no_file_of_the_store_can_have_is_no_backup(
        tmp_path: Path, name: str) -> None:
    """A record line naming a lone surrogate or a NUL (JSON escapes) ended every reader
    that looks at the files in a traceback (this module, whose SIPP pattern takes any
    prefix, and server_backup_age), and one naming a path had a file outside the store
    listed as a verified backup of it."""
    store = tmp_path / "sipp"
    stored(store, "sipp-20261101T020000.sql.zst")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x-20261101T020000.sql.zst").write_bytes(b"data")
    record = str(store / ledger.LEDGER_NAME)
    for event in ("ingested", "verified"):
        ledger.append(record, event, name=name, sha256=hashlib.sha256(b"data").hexdigest(),
                      size=4, status="ok")
    assert [b["name"] for b in listed(tmp_path, store)["backups"]] == [
        "sipp-20261101T020000.sql.zst"]
    assert name not in ledger.backups(ledger.read(record))
