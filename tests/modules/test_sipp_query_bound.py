"""The sipp_* database modules' queries are bounded on the server, not only by the
client's timeout (no database: the client's answers are faked)."""

from __future__ import annotations

import pytest
import yaml
from loader import load

m = load("sop_mariadb")
schema = load("sop_sipp_schema")
online = load("sipp_online_users")
audit = load("sipp_audit_summary")
sync = load("sipp_sync_status")

BOUND = ("SET /*M!100108 max_statement_time = IF(@@max_statement_time > 0, "
         "LEAST(@@max_statement_time, 42), 42), */ @sop_sipp_bound = 1;\n")
MARK = "SELECT 'sop-sipp-answer';\n"
CONN = m.Connection(binary="mariadb", database="sipp", timeout=42)


def sent_to_client(monkeypatch, columns: list[list[str | None]],
                   answers: dict[str, list[list[str | None]]]) -> list[str]:
    """The SQL each client call was fed; ``columns`` answers information_schema, and
    the first key of ``answers`` a statement holds, the rest (after the answer's mark
    when the SQL asks for it)."""
    sent: list[str] = []

    def fake_run_sql(argv, sql, timeout=None):
        sent.append(sql)
        if "information_schema" in sql:
            return columns if "COLUMNS" in sql else [["datetime"]]
        mark = [[schema.ANSWER_MARK]] if MARK in sql else []
        return mark + next((rows for key, rows in answers.items() if key in sql), [])

    monkeypatch.setattr(m, "run_sql", fake_run_sql)
    return sent


def test_the_bound_is_mariadb_s_max_statement_time_read_by_no_other_server():
    # a lower limit the DBA (or the account) set is kept: max_statement_time = 42 raised
    # a global 10 s to 42 s for SIPP's queries; 0 is no limit, so 42 then
    assert schema.bounded("SELECT 1;", 42) == BOUND + "SELECT 1;"


@pytest.mark.parametrize("module", [online, audit, sync], ids=lambda mod: mod.__name__)
def test_each_module_s_documentation_names_the_server_s_lower_limit(module):
    """The bound keeps a lower max_statement_time the server already sets (bounded):
    sipp_online_users and sipp_audit_summary said their queries end after query_timeout
    alone, as sipp_sync_status said before it was told."""
    described = " ".join(" ".join(yaml.safe_load(module.DOCUMENTATION)["description"]).split())
    assert "after O(query_timeout) seconds too (MariaDB's C(max_statement_time), 10.1.8 " \
           "and later, or the lower one the server already sets;" in described


def test_every_query_of_sipp_online_users_is_bounded_on_the_server(monkeypatch):
    # query_timeout killed the client only: the server read on (a table without an index
    # scanned on the production database long after 'did not answer within 300 s')
    sent = sent_to_client(monkeypatch, [["last_visit", "datetime"], ["userid", "varchar"]], {
        "ORDER BY": [], "COUNT(*)": [["1", "1", "2", None, "0", None, "2026-11-21 19:01:00"]]})
    result = online.online_users(CONN, "sys_user_online", 15, {}, 5)
    assert result["sessions_total"] == 2
    reads = [sql for sql in sent if "information_schema" not in sql]
    assert len(reads) == 2
    assert all(sql.startswith(BOUND) for sql in reads), reads


def test_every_query_of_sipp_audit_summary_is_bounded_on_the_server(monkeypatch):
    sent = sent_to_client(monkeypatch, [["datetime", "datetime"], ["username", "varchar"],
                                        ["action", "varchar"]], {
        "NOW(), NOW()": [["2026-11-21 19:00:00", "2026-11-20 19:00:00", "0"]],
        "GROUP BY 1, 2": [["=budi", "=login_failed", "3", "0", None, None]],
        "ORDER BY COUNT(*)": [["=login_failed", "=budi", "=", "=", "3", "0", None, None]],
        "COUNT(*), TIMESTAMPDIFF": [["0", None]]})
    params = {"table": "sys_audittrail", "columns": {}, "hours": 24,
              "office_hours_start": "08:00", "office_hours_end": "16:30",
              "office_days": [1, 2, 3, 4, 5], "timezone": "+00:00", "data_timezone": None,
              "login_actions": ["login%"], "failed_login_actions": ["%fail%"],
              "delete_actions": ["%hapus%"], "max_details": 1}
    summary = audit.audit_summary(CONN, params)
    assert summary["failed_logins"] == 3
    reads = [sql for sql in sent if "information_schema" not in sql]
    # the clock, the period, the failed logins' groups and (max_details reached) their
    # count, the rows ahead of the clock
    assert len(reads) == 5
    assert all(sql.startswith(BOUND) for sql in reads), reads


def test_the_query_of_sipp_sync_status_is_bounded_on_the_server(monkeypatch):
    sent = sent_to_client(monkeypatch, [], {"perkara_putusan": [["1250", "980"]]})
    assert sync.local_counts(CONN) == {"cases": 1250, "putusan": 980}
    assert sent == [BOUND + MARK + sync.LOCAL_COUNTS_SQL]


@pytest.mark.parametrize(("output", "printed"), [
    ([], "printed nothing, not even the server's answer"),
    ([["1250", "980"]], "printed something other than the server's answer"),
])
def test_a_client_not_printing_the_server_s_answer_is_named_in_one_line(monkeypatch, output,
                                                                        printed):
    # client_binary /bin/true exits 0 printing nothing: the modules reading the first row
    # ended in an IndexError; a query finding no rows still prints the mark
    monkeypatch.setattr(m, "run_sql", lambda argv, sql, timeout=None: output)
    with pytest.raises(m.MariaDBError) as caught:
        schema.query(CONN, "SELECT NOW();")
    assert str(caught.value) == (f"the MariaDB client mariadb {printed} "
                                 "(is client_binary a mariadb or mysql client?)")


def test_a_query_finding_no_rows_answers_no_rows(monkeypatch):
    monkeypatch.setattr(m, "run_sql", lambda argv, sql, timeout=None: [[schema.ANSWER_MARK]])
    assert schema.query(CONN, "SELECT 1 FROM DUAL WHERE 0;") == []
