"""The sipp_* database modules' failures: one line naming the real cause (no database
needed: they fail before the client runs)."""

from __future__ import annotations

import pytest
from loader import run_module


@pytest.mark.parametrize("module", ["sipp_online_users", "sipp_audit_summary"])
def test_a_password_with_a_line_break_is_named_as_such(tmp_path, module):
    # A vault value ending in a newline (encrypt_string fed by echo) cannot go into the
    # option file. sop_mariadb's error is a MariaDBError and a ValueError: caught as the
    # ValueError of a bad parameter it read "data_timezone: option values cannot contain
    # line breaks" (sipp_online_users), neither naming the database nor the password.
    rc, result = run_module(module, tmp_path, {
        "login_user": "sop", "login_password": "S3cret\n", "client_binary": "/bin/false"})
    assert rc == 1
    assert result["msg"] == "SIPP database sipp: the password cannot contain line breaks"
    assert "S3cret" not in str(result)
