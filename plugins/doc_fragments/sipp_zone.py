# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the time zone options of the sipp_* modules take (sop_sipp_schema.offset_minutes
and zone_error)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
notes:
  - >-
    A time zone option takes an IANA name the managed host knows (C(Asia/Jakarta),
    C(Asia/Makassar), C(Asia/Jayapura)), at its offset when the module runs; C(WIB),
    C(WITA) or C(WIT) in any case (C(Wita)), Indonesia's fixed offsets C(+07:00),
    C(+08:00) and C(+09:00), which the tz database does not name; or an offset such as
    C(+07:00) or C(+0700), C(-12:00) to C(+14:00). The module applies the offset
    itself (in Python, or as SQL interval arithmetic), never through MariaDB's time zone
    conversion, which takes no offset past C(+13:00) and answers NULL.
  - >-
    Any other value fails the module before it connects or reads a page, with C(msg)
    naming the option and its value (C(timezone: unknown time zone 'Asia/Jakrta')) and
    C(setting) the option, which a role names by its variable.
"""
