"""What a SIPP schema hides is one warning, the sipp_maintenance role's naming the column
and the variable to set, not the module's too (no database: a stub client answers)."""

from __future__ import annotations

import pathlib
import stat

import pytest
from loader import run_module, warning_lines

# The stub's answers: none from information_schema (the table is missing), then the
# module's clock query, after the marker sop_sipp_schema.query expects.
CLOCK = {
    "sipp_online_users": "2026-11-21 12:00:00",
    "sipp_audit_summary": "2026-11-21 12:00:00\t2026-11-20 12:00:00\t420",
}


def stub_client(tmp_path: pathlib.Path, clock: str) -> str:
    """A client_binary that reads the SQL on stdin and answers as a database without
    the table would."""
    client = tmp_path / "mariadb"
    client.write_text("#!/bin/sh\n"
                      "sql=$(cat)\n"
                      "case \"$sql\" in\n"
                      "  *information_schema*) ;;\n"
                      f"  *) printf 'sop-sipp-answer\\n{clock}\\n' ;;\n"
                      "esac\n", encoding="utf-8")
    client.chmod(client.stat().st_mode | stat.S_IXUSR)
    return str(client)


@pytest.mark.parametrize(("module", "key"), [("sipp_online_users", "online_users"),
                                             ("sipp_audit_summary", "summary")])
def test_a_missing_table_is_returned_not_warned(tmp_path, module, key):
    # the module warned "sys_...: tabel sipp.sys_... tidak ditemukan ...; atur opsi table"
    # and the role "... (variabel sipp_maintenance_..._table)": the record held both
    rc, result = run_module(module, tmp_path, {
        "database": "sipp", "login_user": "sop",
        "client_binary": stub_client(tmp_path, CLOCK[module])})
    assert rc == 0, result
    [entry] = result[key]["unavailable"]
    assert entry["setting"] == "table"
    assert entry["message"].endswith("atur opsi table")
    assert [w for w in warning_lines(result) if "tidak ditemukan" in w] == []
