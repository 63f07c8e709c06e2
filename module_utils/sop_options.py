# GPL-3.0-or-later
"""Checks of options many modules share. A refused option fails the module with a
``msg`` starting with the option's name and returns it as ``setting``, so that a role's
rescue names the role's variable a court sets (plugins/filter/sop_failure_cause.py)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# The longest time limit an option takes, one day: six times the longest default
# (mariadb_restore_verify's timeout, 4 hours). A larger one passed
# the check and failed where it was used, a traceback that lost the run's other results
# (1e10 s: OverflowError from socket.settimeout and threading's waits, whose limit
# threading.TIMEOUT_MAX is about 292 years; an epoll wait, selectors' on Linux, takes
# at most about 24.8 days, 2**31 - 1 ms).
MAX_SECONDS = 86400


def seconds_error(params: Mapping[str, Any], *names: str,
                  zero: str | None = None) -> dict[str, str] | None:
    """The failure (``msg`` and ``setting``, for fail_json) of the first of the options
    ``names`` whose value is no positive, finite number of seconds, or more than
    MAX_SECONDS, or None. A time limit of 0 or less gave up at once, and the page, query
    or tool it bounded was blamed (``page_unreachable``); NaN compares false with every
    limit and infinity never ends. ``zero``: what 0 means for these options (``never
    stops it``), which keeps 0 valid and refuses only a negative value."""
    for name in names:
        value = params[name]
        if (zero is not None and value == 0) or 0 < value <= MAX_SECONDS:
            continue
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        if MAX_SECONDS < value < math.inf:
            return {"msg": f"{name}: must be at most {MAX_SECONDS} seconds (one day), "
                           f"not {shown}",
                    "setting": name}
        expected = f"0 ({zero}) or a positive" if zero is not None else "a positive"
        return {"msg": f"{name}: must be {expected} number of seconds, not {shown}",
                "setting": name}
    return None
