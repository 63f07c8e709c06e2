# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the actions the C(sop) runner records (sop_output, sop_warning) share: they run on
the controller, in check mode too, and change nothing."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""
