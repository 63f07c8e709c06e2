# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Login options shared by every module that talks to MariaDB/MySQL."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  login_user:
    description:
      - Database account. When omitted, the client's default (on the server itself, C(root)
        through the unix socket).
    type: str
  login_password:
    description:
      - Password of O(login_user). It reaches the client only through an in-memory option
        file (C(--defaults-extra-file=/proc/<pid>/fd/<n>)), never a command line, a log or
        the disk.
      - Declared C(no_log), so Ansible masks its value in the module's result (its
        invocation and any returned text holding it; not a warning, which ansible-core
        2.19 returns as given, so a module masks its own). Passing it alone needs no
        task-level C(no_log), which would also hide the module's warnings and failure
        from the SOP record.
    type: str
  login_host:
    description: Database host; the local unix socket when omitted.
    type: str
  login_port:
    description: Database TCP port.
    type: int
  login_unix_socket:
    description: Path of the server's unix socket.
    type: str
notes:
  - Credentials reach the C(mariadb)/C(mysql) client through an anonymous memory file
    (C(memfd_create)) that disappears with the module, even when it is killed. Where
    memory files are not available, a 0600 file in a private C(sop-mariadb-<pid>-*)
    directory of the temporary directory is used instead and removed afterwards; one left
    by a killed module is removed by the next module run on that host.
"""
