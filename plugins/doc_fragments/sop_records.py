# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options of the security_* modules that read the court's SOP records on the controller
through the `sop` command (security_schedule, security_sop_summary)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  sop_command:
    description: The controller's C(sop) command, an executable file, else the module fails
      with C(setting) C(sop_command).
    type: path
    required: true
  inventory:
    description: The court's inventory, as C(sop run -i) received it.
    type: str
    required: true
  month:
    description: The month (YYYY-MM); the current month when empty.
    type: str
    default: ""
"""
