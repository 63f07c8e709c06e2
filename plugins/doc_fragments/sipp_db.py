# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of the sipp_* modules that read the SIPP database
(sop_sipp_schema.SIPP_DB_ARGUMENT_SPEC)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  database:
    description: SIPP database name.
    type: str
    default: sipp
  client_binary:
    description: Client program; C(mariadb), else C(mysql), from PATH when omitted.
    type: str
  query_timeout:
    description: Seconds allowed for each query; 0 or less, or more than 86400 (one day),
      fails the module before it connects, with C(setting) C(query_timeout).
    type: int
    default: 300
"""
