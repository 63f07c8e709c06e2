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
      - Password of O(login_user). It is written only to a temporary 0600 option file that
        the client reads with C(--defaults-extra-file), never to a command line or a log.
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
  - Credentials reach the C(mariadb)/C(mysql) client through a temporary 0600 option file,
    removed afterwards.
"""
