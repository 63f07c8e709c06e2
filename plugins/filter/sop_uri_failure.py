# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja filter ``sop_uri_failure``: why ``ansible.builtin.uri`` got no answer, in
words a report can show."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

DOCUMENTATION = r"""
name: sop_uri_failure
short_description: Why ansible.builtin.uri got no answer, in one line without Python's wrapping
description:
  - The cause in the C(msg) of an C(ansible.builtin.uri) result, as a report shows it.
  - >-
    Left out are uri's own C(Status code was -1 and not [100, 101, ...]: ) (a list of
    every accepted status), urllib's C(Request failed: <urlopen error ...>) and
    C(Connection failure: ) around the cause, and the C([Errno 111] ) before it.
    C(Request failed: <urlopen error [Errno 111] Connection refused>) becomes
    C(Connection refused).
  - >-
    A message of another shape (C(HTTP Error 404: Not Found)) is kept, on one line.
options:
  _input:
    description: The uri result's C(msg).
    type: str
    required: true
author: Court IT SOP maintainers
"""

EXAMPLES = r"""
- name: Say why the central server did not answer
  ansible.builtin.debug:
    msg: "SIPP MA tidak menjawab ({{ central_check.msg | sop_uri_failure }})"
"""

RETURN = r"""
_value:
  description: The cause, one line (empty for an empty message).
  type: str
"""

_STATUS_LIST = re.compile(r"^Status code was -?\d+ and not \[[^\]]*\]: ")
_WRAPPED = re.compile(r"^(?:Request failed|Connection failure): (?:<urlopen error (.*)>|(.*))$",
                      re.DOTALL)
_ERRNO = re.compile(r"\[Errno -?\d+\] ")


def uri_failure(message: Any) -> str:
    """``message`` (a uri result's msg) without uri's status list, urllib's wrapping and
    the errno, on one line."""
    text = _STATUS_LIST.sub("", str(message or "").strip())
    wrapped = _WRAPPED.match(text)
    if wrapped:
        text = wrapped.group(1) if wrapped.group(1) is not None else wrapped.group(2)
    return " ".join(_ERRNO.sub("", text).split())


class FilterModule:
    """The uri failure filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_uri_failure": uri_failure}
