#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: prove a backup restores, by restoring it into a scratch database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_backup_files import (
    manifest_path,
    now_iso,
    read_manifest,
    sha256_file,
    write_json_atomic,
)
from ansible.module_utils.sop_mariadb import (
    CLIENT_BINARIES,
    LOGIN_ARGUMENT_SPEC,
    MariaDBError,
    client_argv,
    count_sql,
    decompress_argv,
    find_binary,
    first_error_line,
    myloader_argv,
    option_file,
    quote_identifier,
    restore_argv,
    rows_match,
    run_sql,
    table_listing_sql,
)

DOCUMENTATION = r"""
---
module: mariadb_restore_verify
short_description: Verify a MariaDB backup by restoring it into a scratch database
description:
  - Checks the backup file's SHA-256 against its manifest, restores it into a new scratch
    database (C(mariadb) client for SQL dumps, C(myloader) for mydumper archives), counts
    the rows of every table and compares them with the manifest's per-table counts, then
    drops the scratch database (also on failure).
  - With O(update_manifest) the result is written into the manifest (C(verified) and
    C(verification)); a failed verification leaves C(verified=false) with the reason.
version_added: "1.0.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
options:
  path:
    description: Backup file (C(.sql.zst), C(.sql.gz), C(.tar.zst), C(.tar.gz)).
    type: path
    required: true
  manifest:
    description: Manifest; defaults to O(path) plus C(.manifest.json).
    type: path
  scratch_database:
    description: Scratch database name; defaults to C(<database>_verify_<timestamp>).
    type: str
  login_user:
    description: Database user (needs CREATE and DROP on the scratch database).
    type: str
    default: root
  checksum:
    description: Check the file's SHA-256 against the manifest first.
    type: bool
    default: true
  update_manifest:
    description: Record the result in the manifest.
    type: bool
    default: true
  fail_on_mismatch:
    description: Fail the task when the verification fails (after recording it).
    type: bool
    default: true
  threads:
    description: myloader threads.
    type: int
    default: 2
attributes:
  check_mode:
    support: full
    description: Reads the manifest and reports what it would restore; restores nothing.
"""

EXAMPLES = r"""
- name: Restore the copy into a scratch database and compare row counts
  mariadb_restore_verify:
    path: /srv/backup/sipp/400999/sipp-20261121T020000.sql.zst
  register: verify
"""

RETURN = r"""
verified:
  description: Whether the backup restored with the manifest's row counts.
  returned: always
  type: bool
verification:
  description: Status, reason, time, host, scratch database, duration, mismatches.
  returned: always
  type: dict
tables:
  description: Row counts found in the restored scratch database.
  returned: when restored
  type: dict
"""


class VerifyFailed(Exception):
    """The backup did not verify; message is one clear line."""


def compare(expected: dict[str, dict[str, Any]], actual: dict[str, int]) -> list[str]:
    """Differences between the manifest's tables and the restored ones."""
    problems = [f"table {t} missing after restore" for t in sorted(set(expected) - set(actual))]
    problems += [f"table {t} not in the manifest" for t in sorted(set(actual) - set(expected))]
    for table in sorted(set(expected) & set(actual)):
        if not rows_match(expected[table], actual[table]):
            want = expected[table].get("rows")
            if want is None:
                want = "{}..{}".format(expected[table].get("rows_min"), expected[table].get("rows_max"))
            problems.append(f"table {table} has {actual[table]} rows, manifest {want}")
    return problems


def _pipe(first: list[str], second: list[str], what: str) -> None:
    producer = subprocess.Popen(first, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    consumer = subprocess.Popen(second, stdin=producer.stdout, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
    assert producer.stdout is not None
    producer.stdout.close()
    _, consumer_err = consumer.communicate()
    producer_err = producer.stderr.read() if producer.stderr else b""
    producer.wait()
    if consumer.returncode != 0:
        raise VerifyFailed(f"{what} failed: {first_error_line(consumer_err) or consumer.returncode}")
    if producer.returncode != 0:
        raise VerifyFailed("decompression failed: %s" % (first_error_line(producer_err)
                                                         or producer.returncode))


def _restore(manifest: dict[str, Any], path: str, opt: str, client: str, *, scratch: str,
             threads: int) -> None:
    if manifest.get("format") == "mydumper-tar":
        loader = find_binary(["myloader"])
        if not loader:
            raise VerifyFailed(f"myloader (package mydumper) is needed to restore {path}")
        workdir = tempfile.mkdtemp(prefix=".verify-", dir=os.path.dirname(path))
        try:
            _pipe(decompress_argv(path), ["tar", "-x", "-C", workdir, "-f", "-"], "tar")
            proc = subprocess.run(myloader_argv(loader, opt, scratch, workdir, threads),
                                  capture_output=True, check=False)
            if proc.returncode != 0:
                raise VerifyFailed(f"myloader failed: {first_error_line(proc.stderr)}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    else:
        _pipe(decompress_argv(path), restore_argv(client, opt, scratch), "restore")


def verify(params: dict[str, Any], manifest: dict[str, Any], path: str) -> dict[str, Any]:
    """Restore and compare; returns the verification record (status ok or failed)."""
    clock = time.monotonic()
    scratch = params["scratch_database"] or "{}_verify_{}".format(
        manifest.get("database", "db"), time.strftime("%Y%m%d%H%M%S"))
    record: dict[str, Any] = {"method": "restore into scratch database", "verified_at": now_iso(),
                              "verified_on": socket.getfqdn(), "scratch_database": scratch}
    restored: dict[str, int] = {}
    try:
        if params["checksum"]:
            actual = sha256_file(path)
            if actual != manifest.get("sha256"):
                raise VerifyFailed(f"sha256 {actual} does not match the manifest "
                                   f"{manifest.get('sha256')}")
        client = find_binary(CLIENT_BINARIES)
        if not client:
            raise VerifyFailed("no mariadb/mysql client installed")
        with option_file(params["login_user"], params["login_password"],
                         host=params["login_host"], port=params["login_port"],
                         socket=params["login_unix_socket"]) as opt:
            admin = client_argv(client, opt)
            run_sql(admin, f"CREATE DATABASE {quote_identifier(scratch)} CHARACTER SET utf8mb4;")
            try:
                _restore(manifest, path, opt, client, scratch=scratch, threads=params["threads"])
                tables = [row[0] for row in run_sql(admin, table_listing_sql(scratch))]
                rows = run_sql(client_argv(client, opt, scratch), count_sql(tables)) if tables else []
                restored = {row[0]: int(row[1]) for row in rows}
            finally:
                run_sql(admin, f"DROP DATABASE IF EXISTS {quote_identifier(scratch)};")
        problems = compare(manifest.get("tables") or {}, restored)
        if problems:
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            raise VerifyFailed("; ".join(problems[:10]) + more)
        record.update(status="ok", reason=f"restored {len(restored)} tables, "
                      f"{sum(restored.values())} rows, counts match the manifest")
    except (VerifyFailed, MariaDBError, OSError) as exc:
        record.update(status="failed", reason=str(exc))
    record["duration"] = round(time.monotonic() - clock, 3)
    record["tables"] = restored
    return record


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "manifest": {"type": "path"},
            "scratch_database": {"type": "str"},
            **LOGIN_ARGUMENT_SPEC,
            "login_user": {"type": "str", "default": "root"},
            "checksum": {"type": "bool", "default": True},
            "update_manifest": {"type": "bool", "default": True},
            "fail_on_mismatch": {"type": "bool", "default": True},
            "threads": {"type": "int", "default": 2},
        },
        supports_check_mode=True,
    )
    path = module.params["path"]
    mpath = module.params["manifest"] or manifest_path(path)
    manifest = read_manifest(mpath)
    if manifest is None:
        module.fail_json(msg=f"cannot verify {path}: manifest {mpath} missing or unreadable")
    if not os.path.isfile(path):
        module.fail_json(msg=f"cannot verify {path}: file missing")
    if module.check_mode:
        module.exit_json(changed=True, verified=manifest.get("verified") is True,
                         verification=manifest.get("verification", {}),
                         msg=f"would restore {path} into a scratch database and compare row counts")
    record = verify(module.params, manifest, path)
    tables = record.pop("tables")
    verified = record["status"] == "ok"
    if module.params["update_manifest"]:
        manifest.update(verified=verified, verification=record)
        write_json_atomic(mpath, manifest)
    result = {"changed": True, "verified": verified, "verification": record, "tables": tables,
              "path": path}
    if not verified and module.params["fail_on_mismatch"]:
        module.fail_json(msg="verification of {} failed: {}".format(path, record["reason"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
