#!/usr/bin/python
# GPL-3.0-or-later
"""Ansible module: pre-flight checks before a MariaDB backup (reachability, space)."""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.sop_mariadb import (
    CLIENT_BINARIES,
    LOGIN_ARGUMENT_SPEC,
    MariaDBError,
    backtick_names,
    binary_read_columns,
    client_argv,
    database_name_problem,
    estimate_dump_bytes,
    find_binary,
    invisible_columns,
    mydumper_refusal,
    no_tables_refusal,
    option_file,
    own_sql_mode_objects,
    password_shown_masked,
    run_sql,
    table_listing_sql,
    why_not_mydumper,
)
from ansible.module_utils.sop_options import range_error

DOCUMENTATION = r"""
---
module: mariadb_backup_preflight
short_description: Check that a MariaDB database can be backed up into a directory
description:
  - Connects to the database (credentials through an in-memory option file), reads
    the server version and the database size from C(information_schema)
    (C(data_length + index_length) of its tables), estimates the backup size for the
    engine and compression, and checks that the target directory's file system has at
    least that estimate times O(margin) free.
  - Fails with one clear line when the database is unreachable, the login is refused,
    the database has no tables (a wrong database name, refused as M(mariadb_backup)
    refuses it), the space is short, O(margin) is 0 or less, O(engine=mydumper) cannot
    dump its tables or O(login_password) is part of O(database) or O(dest) (Ansible hides it wherever it
    appears in a result, so the backup's returned paths would not exist). Changes nothing.
version_added: "1.0.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - mariadb_login
options:
  database:
    description: Database to back up.
    type: str
    required: true
  dest:
    description: Target directory (its nearest existing parent is measured).
    type: path
    required: true
  engine:
    description:
      - Planned engine (V(mydumper) also needs room for its uncompressed directory).
      - V(mydumper) is refused when the database has tables not in InnoDB, names with a
        backtick, INVISIBLE columns, INET6/UUID columns or objects made under an SQL mode
        of their own (as M(mariadb_backup) refuses it), so the run stops
        before anything is dumped.
    type: str
    choices: [auto, mariadb-dump, mysqldump, mydumper]
    default: auto
  compression:
    description: Planned compression.
    type: str
    choices: [zstd, gzip]
    default: zstd
  margin:
    description:
      - Safety factor applied to the estimate.
      - >-
        Above 0 and at most 100, else the module fails with C(setting) C(margin) before
        the database is asked: 0 or less required no free space at all, so every
        free-space check passed, the backup computer's too (they compare with
        C(required_bytes)).
    type: float
    default: 1.5
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same checks.
"""

EXAMPLES = r"""
- name: Database reachable and enough space for the dump
  mariadb_backup_preflight:
    database: sipp
    dest: /var/backups/sipp
    login_user: sop_backup
    login_password: "{{ sipp_db_password }}"
  no_log: true
"""

RETURN = r"""
server_version:
  description: Database server version.
  returned: success
  type: str
tables:
  description: Number of base tables.
  returned: success
  type: int
data_bytes:
  description: data_length + index_length of the database.
  returned: success
  type: int
required_bytes:
  description: Estimated backup size times the margin.
  returned: success
  type: int
free_bytes:
  description: Free bytes at the target.
  returned: success
  type: int
"""


# The largest margin: a hundred times the estimate is room no backup needs (a slip of the
# decimal point); an infinite one raised OverflowError, a traceback.
MAX_MARGIN = 100


def existing_parent(path: str) -> str:
    while not os.path.isdir(path):
        path = os.path.dirname(path.rstrip("/")) or "/"
    return path


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "database": {"type": "str", "required": True},
            "dest": {"type": "path", "required": True},
            **LOGIN_ARGUMENT_SPEC,
            "engine": {"type": "str", "default": "auto",
                       "choices": ["auto", "mariadb-dump", "mysqldump", "mydumper"]},
            "compression": {"type": "str", "default": "zstd", "choices": ["zstd", "gzip"]},
            "margin": {"type": "float", "default": 1.5},
        },
        supports_check_mode=True,
    )
    p = module.params
    refused = range_error(p, "margin", unit="times the estimated backup size", most=MAX_MARGIN)
    if refused:
        module.fail_json(**refused)
    problem = database_name_problem(p["database"]) or password_shown_masked(
        p["login_password"], {"database name": p["database"], "backup directory": p["dest"]})
    if problem:
        module.fail_json(msg=problem)
    client = find_binary(CLIENT_BINARIES) or ""
    if not client:
        module.fail_json(msg="no mariadb/mysql client installed")
    try:
        with option_file(p["login_user"], p["login_password"],
                         host=p["login_host"], port=p["login_port"],
                         socket=p["login_unix_socket"]) as opt:
            argv = client_argv(client, opt)
            version = run_sql(argv, "SELECT VERSION();", timeout=30)[0][0]
            listing = run_sql(argv, table_listing_sql(p["database"]), timeout=300)
            backticked = backtick_names(argv, p["database"])
            invisible = invisible_columns(argv, p["database"])
            binary_read = binary_read_columns(argv, p["database"])
            own_mode = own_sql_mode_objects(argv, p["database"])
    except MariaDBError as exc:
        module.fail_json(msg="database {} not reachable: {}".format(p["database"], exc))
    if not listing:
        module.fail_json(msg=no_tables_refusal(p["database"]))
    data_bytes = sum(int(row[2] or 0) for row in listing)
    why_not = why_not_mydumper([{"name": row[0], "engine": row[1]} for row in listing],
                               backticked, p["database"], invisible=invisible,
                               binary_read=binary_read, own_mode=own_mode)
    if p["engine"] == "mydumper" and why_not:
        module.fail_json(msg=mydumper_refusal(why_not))
    # auto falls back to mariadb-dump when mydumper's directory does not fit: plan for that.
    engine = "mariadb-dump" if p["engine"] == "auto" else p["engine"]
    required = int(estimate_dump_bytes(data_bytes, p["compression"], engine) * p["margin"])
    measured = existing_parent(p["dest"])
    stat = os.statvfs(measured)
    free = stat.f_bavail * stat.f_frsize
    result = {"server_version": version, "tables": len(listing), "data_bytes": data_bytes,
              "required_bytes": required, "free_bytes": free, "measured_path": measured}
    if free < required:
        module.fail_json(msg=f"not enough free space at {measured}: {free // 2**20} MiB free, "
                             f"{required // 2**20} MiB needed (estimate x {p['margin']:.1f})",
                         **result)
    module.exit_json(changed=False, msg=f"MariaDB {version}, {len(listing)} tables, "
                     f"{data_bytes // 2**20} MiB; {free // 2**20} MiB free at {measured}", **result)


if __name__ == "__main__":
    main()
