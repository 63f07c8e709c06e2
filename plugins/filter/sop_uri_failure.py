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
    An answer with a status not asked for keeps its number when the cause does not name it
    (C(Status code was 205 and not [200]: OK (unknown bytes)) becomes
    C(status 205: OK (unknown bytes))).
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

_STATUS_LIST = re.compile(r"^Status code was (-?\d+) and not \[[^\]]*\]:\s*")
_WRAPPED = re.compile(r"^(?:Request failed|Connection failure): (?:<urlopen error (.*)>|(.*))$",
                      re.DOTALL)
_ERRNO = re.compile(r"\[Errno -?\d+\] ")


def uri_failure(message: Any) -> str:
    """``message`` (a uri result's msg) without uri's status list, urllib's wrapping and
    the errno, on one line."""
    text = str(message or "").strip()
    status = _STATUS_LIST.match(text)
    text = text[status.end():] if status else text
    wrapped = _WRAPPED.match(text)
    if wrapped:
        text = wrapped.group(1) if wrapped.group(1) is not None else wrapped.group(2)
    text = " ".join(_ERRNO.sub("", text).split())
    # an answer with a status not asked for: its number, unless the cause already names it
    # (urllib's HTTP Error 503); -1 is no answer
    code = status.group(1) if status else "-1"
    return text if code == "-1" or code in text else f"status {code}: {text}".rstrip(": ")


class FilterModule:
    """The uri failure filter."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"sop_uri_failure": uri_failure}
