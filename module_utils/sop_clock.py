# GPL-3.0-or-later
"""Times read from elsewhere (a SIPP page, the backup ledger, a site's newest content)
against this host's clock: one rule for when such a time lies too far ahead to count.

A time a little ahead of the clock is two clocks a little apart; further ahead, it is a
clock or time-zone error, or a forged date, and a monitor never calls it fresh. Stdlib
only (runs on the managed host, Python 3.9+).
"""

from __future__ import annotations

# Seconds a time may lie ahead of this host's clock and still count.
FUTURE_TOLERANCE = 300


def ahead_of_clock(age_seconds: float) -> bool:
    """Whether a time ``age_seconds`` old (negative: ahead of the clock) lies further
    ahead than FUTURE_TOLERANCE."""
    return age_seconds < -FUTURE_TOLERANCE
