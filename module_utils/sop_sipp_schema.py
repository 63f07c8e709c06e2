# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the sipp_* modules know about SIPP beyond MariaDB (that layer is sop_mariadb):
their database options, which column plays which role in a SIPP table (versions name
them differently), how to report what a differing schema hides, LIKE patterns, the
time-zone offsets of SIPP's wall-clock times, and URLs with their credentials masked
for the records.

Stdlib only; Python 3.9+ (Debian 12 targets run 3.11).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from ansible.module_utils.sop_mariadb import LOGIN_ARGUMENT_SPEC

# Options of the sipp_* modules that read the database (doc fragments mariadb_login
# and sipp_db).
SIPP_DB_ARGUMENT_SPEC: dict[str, Any] = {
    "database": {"type": "str", "default": "sipp"},
    **LOGIN_ARGUMENT_SPEC,
    "client_binary": {"type": "str"},
    "query_timeout": {"type": "int", "default": 300},
}


def resolve_columns(
    columns: Mapping[str, tuple[str, str]],
    candidates: Mapping[str, Sequence[str]],
    overrides: Mapping[str, str],
) -> dict[str, str | None]:
    """Which real column plays each role (None: no candidate exists, or the override
    names no column). ``columns`` is sop_mariadb.table_columns' answer."""
    chosen: dict[str, str | None] = {}
    for role, names in candidates.items():
        override = overrides.get(role)
        wanted = [override] if override else list(names)
        chosen[role] = next((columns[n.lower()][0] for n in wanted if n.lower() in columns), None)
    return chosen


def unavailable(table: str, problem: str, *, setting: str | None, column: str | None = None,
                found: Sequence[str] = (), affects: Sequence[str] = (),
                candidates: Sequence[str] = ()) -> dict[str, Any]:
    """An entry of a module's ``unavailable`` list: what cannot be seen, why, and the
    module option that fixes it (Bahasa Indonesia, shown in the SOP report)."""
    parts = [f"{table}: {problem}"]
    if candidates:
        parts.append(f"dicari: {', '.join(candidates)}")
    if found:
        parts.append(f"kolom yang ada: {', '.join(found)}")
    if affects:
        parts.append(f"tidak dapat dihitung: {', '.join(affects)}")
    if setting:
        parts.append(f"atur opsi {setting}")
    return {"table": table, "column": column, "setting": setting, "affects": list(affects),
            "message": "; ".join(parts)}


def missing_column(table: str, role: str, columns: Mapping[str, tuple[str, str]], *,
                   candidates: Sequence[str], overrides: Mapping[str, str],
                   affects: Sequence[str]) -> dict[str, Any]:
    """``unavailable`` entry of a role whose column was not found (or whose override
    names no column)."""
    override = overrides.get(role)
    problem = (f"kolom {override!r} dari columns.{role} tidak ada" if override
               else f"kolom untuk {role} tidak ditemukan")
    return unavailable(table, problem, setting=f"columns.{role}", column=role,
                       found=sorted(real for real, _ in columns.values()), affects=affects,
                       candidates=() if override else candidates)


def like_to_regex(pattern: str) -> re.Pattern[str]:
    """A case-insensitive regex equivalent of a SQL LIKE pattern (% and _)."""
    parts = []
    for char in pattern:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE | re.DOTALL)


def matches_any(value: str, patterns: Sequence[str]) -> bool:
    """Whether value matches one of the SQL LIKE patterns (case-insensitive)."""
    return any(like_to_regex(p).match(value) for p in patterns)


_OFFSET_RE = re.compile(r"^([+-])(\d{1,2}):?(\d{2})$")


def offset_minutes(tz: str) -> int:
    """Minutes east of UTC of '+07:00' / '+0700' offsets or IANA names (no DST in
    Indonesia). Raises ValueError for an unknown zone."""
    match = _OFFSET_RE.match(tz.strip())
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return -minutes if match.group(1) == "-" else minutes
    try:
        delta = dt.datetime.now(ZoneInfo(tz)).utcoffset()
    except Exception as exc:  # ZoneInfo raises several types for a bad key
        raise ValueError(f"unknown time zone {tz!r}") from exc
    if delta is None:
        raise ValueError(f"unknown time zone {tz!r}")
    return int(delta.total_seconds() // 60)


def format_offset(minutes: int) -> str:
    """'+07:00' for 420."""
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# --- credentials in URLs ------------------------------------------------------------
# The records never hold secrets: a URL's userinfo (user:password@, or a token@) and the
# values of query (or fragment) parameters whose name looks secret are shown as ***.
MASK = "***"
SECRET_NAME = re.compile(
    r"pass|pwd|secret|token|key|auth|sig|credential|session|sid|otp", re.IGNORECASE)
_URL = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://)(?:(?P<userinfo>[^/?#]*)@)?"
                  r"(?P<rest>.*)$", re.DOTALL)
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
_PARAM = re.compile(r"([^&;=]*)(=?)([^&;]*)")


def _params(text: str) -> list[tuple[str, str, str, bool]]:
    """(name, '=' or '', value, secret) of each parameter of a query or fragment."""
    found = []
    for match in _PARAM.finditer(text):
        name, equals, value = match.groups()
        if not (name or equals or value):
            continue
        secret = bool(equals and value and SECRET_NAME.search(urllib.parse.unquote_plus(name)))
        found.append((name, equals, value, secret))
    return found


def _mask_params(text: str) -> str:
    return _PARAM.sub(lambda m: m.group(0) if not (
        m.group(2) and m.group(3) and SECRET_NAME.search(urllib.parse.unquote_plus(m.group(1)))
    ) else m.group(1) + m.group(2) + MASK, text)


def mask_url(url: str | None) -> str | None:
    """The URL as the records show it: userinfo and secret-looking parameter values
    replaced by ***; the rest unchanged (not re-encoded)."""
    if not url:
        return url
    match = _URL.match(url)
    if not match:
        return url
    head, userinfo, rest = match.group("head", "userinfo", "rest")
    rest, hash_mark, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    shown = head + (MASK + "@" if userinfo is not None else "") + path
    if question:
        shown += question + _mask_params(query)
    if hash_mark:
        shown += hash_mark + _mask_params(fragment)
    return shown


def url_secrets(url: str | None) -> list[str]:
    """The secrets a URL carries (userinfo, its password, secret-looking parameter
    values), as written and decoded: what must not appear anywhere in a record."""
    match = _URL.match(url or "")
    if not match:
        return []
    found: list[str] = []
    userinfo = match.group("userinfo")
    if userinfo:
        found += [userinfo, userinfo.partition(":")[2]]
    rest = match.group("rest").partition("#")
    for part in (rest[0].partition("?")[2], rest[2]):
        found += [value for _, _, value, secret in _params(part) if secret]
    found += [urllib.parse.unquote_plus(value) for value in found]
    return sorted({value for value in found if value}, key=len, reverse=True)


def mask_text(text: str | None, secrets: Sequence[str] = ()) -> str | None:
    """Text (an error, a message) with every URL in it masked and every given secret
    replaced by ***."""
    if not text:
        return text
    shown = _URL_IN_TEXT.sub(lambda m: str(mask_url(m.group(0))), text)
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            shown = shown.replace(secret, MASK)
    return shown


def mask_data(value: Any, secrets: Sequence[str] = ()) -> Any:
    """A result (dicts, lists, strings) with mask_text applied to every string."""
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, dict):
        return {key: mask_data(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_data(item, secrets) for item in value]
    return value


def basic_auth(url: str) -> tuple[str, str | None]:
    """The URL without its userinfo, and the HTTP basic Authorization header value that
    userinfo stands for (None without one): urllib would take user:password@ for a host."""
    match = _URL.match(url)
    if not match or match.group("userinfo") is None:
        return url, None
    user, _, password = match.group("userinfo").partition(":")
    token = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
    return (match.group("head") + match.group("rest"),
            "Basic " + base64.b64encode(token.encode()).decode("ascii"))
