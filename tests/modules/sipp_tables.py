"""SIPP tables (the lab's schema) in the test MariaDB, each test with its own names."""

from __future__ import annotations

import uuid

from conftest import MariaDB
from loader import load

m = load("sop_mariadb")

USER_ONLINE = ("CREATE TABLE {t} (session_id VARCHAR(64) PRIMARY KEY, userid VARCHAR(64), "
               "host_address VARCHAR(45), login_time DATETIME, last_visit DATETIME, "
               "KEY (last_visit)) CHARACTER SET utf8mb4;")
AUDITTRAIL = ("CREATE TABLE {t} (id BIGINT AUTO_INCREMENT PRIMARY KEY, datetime DATETIME, "
              "ipaddress VARCHAR(45), username VARCHAR(64), tablename VARCHAR(64), "
              "formname VARCHAR(64), action VARCHAR(64), title VARCHAR(255), "
              "description TEXT, KEY (datetime)) CHARACTER SET utf8mb4;")


def connection(db: MariaDB) -> object:
    return m.Connection(binary="mariadb", database=db.database, user=db.user,
                        password=db.password, host=db.host, port=db.port, timeout=30)


def new_table(db: MariaDB, kind: str, ddl: str) -> str:
    name = f"{kind}_{uuid.uuid4().hex[:8]}"
    db.root_sql(ddl.format(t=m.quote_identifier(name)))
    return name


def insert(db: MariaDB, table: str, columns: list[str], rows: list[list[str | None]]) -> None:
    """Rows of SQL expressions (None: NULL); strings must be passed through lit()."""
    values = ", ".join("(" + ", ".join("NULL" if v is None else v for v in row) + ")"
                       for row in rows)
    cols = ", ".join(m.quote_identifier(c) for c in columns)
    db.root_sql(f"INSERT INTO {m.quote_identifier(table)} ({cols}) VALUES {values};")


def lit(value: str) -> str:
    return str(m.quote_string(value))
