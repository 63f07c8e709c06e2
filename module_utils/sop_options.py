# GPL-3.0-or-later
"""Checks of options many modules share. A refused option fails the module with a
``msg`` starting with the option's name and returns it as ``setting``, so that a role's
rescue names the role's variable a court sets (plugins/filter/sop_failure_cause.py)."""

from __future__ import annotations

import ipaddress
import math
import re
import ssl
from collections.abc import Mapping
from typing import Any

# The longest time limit an option takes, one day: six times the longest default
# (mariadb_restore_verify's timeout, 4 hours). A larger one passed
# the check and failed where it was used, a traceback that lost the run's other results
# (1e10 s: OverflowError from socket.settimeout and threading's waits, whose limit
# threading.TIMEOUT_MAX is about 292 years; an epoll wait, selectors' on Linux, takes
# at most about 24.8 days, 2**31 - 1 ms).
MAX_SECONDS = 86400


# The longest age, look-back or warning period an option takes in minutes, hours or days
# (duration_error), ten years: twenty times the longest default (eos_warn_days' and
# uptime_warn_days' 180 days). A larger one passed the modules' own checks, or found
# none: backup_retention's stale_after_hours of 1e12 raised OverflowError in
# datetime.timedelta, a traceback, and with a max_age_hours of 1e12 every backup
# (server_backup_age) or public page (sipp_sync_status) was fresh.
MAX_DAYS = 3650
UNIT_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400}

# A device's name as a store names its directory by it (net_config_store: a RouterBoard's
# history under network_config_store_path): no path separator, no leading dot, no space.
DEVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def device_name_error(name: Any) -> str | None:
    """Why ``name`` cannot name a device's directory (DEVICE_NAME), or None."""
    if isinstance(name, str) and DEVICE_NAME.fullmatch(name):
        return None
    return ("name must be 1 to 64 letters, digits, '.', '_' and '-', starting with a "
            "letter or a digit")


def sexagesimal_hint(value: Any) -> str:
    """What a time option's refusal adds when ``value`` is the number YAML 1.1 read an
    unquoted H:MM as, `` (YAML reads an unquoted 16:00 as the number 960: quote it,
    "16:00")``, else '': an unquoted 16:00 in an inventory or a playbook is the base-60
    number 960, a whole number of minutes from 60 (07:30, its leading zero, stays
    text)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 60 <= int(text) < 24 * 60:
        return ""
    typed = f"{int(text) // 60}:{int(text) % 60:02d}"
    return f' (YAML reads an unquoted {typed} as the number {text}: quote it, "{typed}")'


# A time of day as office hours are given: H:MM or HH:MM, 00:00 to 23:59.
HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> str:
    """'8:00' -> '08:00:00'; raises ValueError. A whole number of minutes of the day
    from 60 is named as the time YAML read it from: an unquoted 16:30 in the inventory
    is the number 990 (YAML 1.1's base 60; 08:00, its leading zero, stays text)."""
    match = HHMM.match(value.strip())
    if not match:
        raise ValueError(f"must be HH:MM, got {value!r}{sexagesimal_hint(value)}")
    return f"{int(match.group(1)):02d}:{match.group(2)}:00"


def office_hours_error(params: Mapping[str, Any]) -> dict[str, str] | None:
    """The failure (``msg`` and ``setting``) of the first of the options
    ``office_hours_start`` and ``office_hours_end`` (text) and ``office_days`` (a list of
    whole numbers) that is refused: a time that is not HH:MM (parse_hhmm), an end not
    after the start (office hours do not run overnight), no office day (every login read
    as one outside office hours) or a day that is no ISO weekday, 1 (Monday) to 7; None
    when all three hold. sipp_audit_summary checks its options by it, security_ssh_audit
    its own (sop_security.OfficeHours), and the sipp_maintenance and it_security roles
    their settings (the filter sop_office_hours_error)."""
    times = []
    for option in ("office_hours_start", "office_hours_end"):
        try:
            times.append(parse_hhmm(params[option]))
        except ValueError as exc:
            return {"msg": f"{option}: {exc}", "setting": option}
    start, end = times
    if end <= start:
        return {"msg": f"office_hours_end: {end[:5]} is not after the start {start[:5]} "
                       "(office hours do not run overnight)", "setting": "office_hours_end"}
    days = params["office_days"]
    if not days:
        return {"msg": "office_days: empty: name at least one office day, ISO weekday "
                       "numbers 1 (Monday) to 7 (Sunday)", "setting": "office_days"}
    bad = [str(day) for day in days if day < 1 or day > 7]
    if bad:
        return {"msg": f"office_days: {', '.join(bad)}: ISO weekday numbers are 1 (Monday) "
                       "to 7 (Sunday)", "setting": "office_days"}
    return None


# The highest level each stream compressor takes (the lowest is 1). zstd goes above 19
# only with --ultra: without it zstd -99 compressed at 19, with -q silently, many times
# slower than the default 3; gzip read -12 as -1 -2 (level 2) and failed on -10 (an
# invalid option -0).
HIGHEST_LEVEL = {"zstd": 19, "gzip": 9}

# The bounds (range_error's unit, most, most_said, zero) of the count and level options
# the modules check, which a role setting one also checks before anything changes, by the
# filter sop_range_error with the key: the module's rule and the role's are this one.
RANGES: dict[str, dict[str, Any]] = {
    # mariadb_backup's: each thread is a session of the SIPP server, mydumper's and the
    # measuring ones (about 65 with 32), under half of MariaDB's default max_connections
    # (151) that SIPP's own users need too. A negative number was taken as 1 without a word.
    "threads": {"unit": "threads", "most": 32, "zero": "the number of CPUs"},
    # mariadb_restore_verify's: a table that lost rows lost at most 100 percent of them (one
    # emptied); 150 named only the tables gone, without a word, a negative one nothing.
    "shrink_percent": {"unit": "percent", "most": 99, "zero": "compares nothing"},
    # mariadb_restore_verify's: the most rows a table's count in a manifest can have
    # (MariaDB's signed BIGINT).
    "shrink_min_rows": {"unit": "rows", "most": 2**63 - 1, "zero": "compares every table"},
    # sipp_sync_status's: how many more perkara (and putusan) the local database may hold
    # than SIPP MA right after a sync, the cases registered between the sync's count and
    # the module's, minutes apart: far fewer than any court registers in a day. A larger
    # one passed a sync that sent nothing as long as the public page's date moved, a
    # negative one failed every comparison; compare_counts false turns it off.
    "count_tolerance": {"unit": "rows", "most": 1000, "zero": "no difference tolerated"},
    # a stream compressor's level ("zstd level"), from 1 to its HIGHEST_LEVEL
    **{f"{tool} level": {"unit": "levels", "most": most, "most_said": f"{tool}'s highest"}
       for tool, most in HIGHEST_LEVEL.items()},
    # a use (percent) that counts as full or is flagged: server_diagnose's full_percent,
    # server_condition's disk_warn_percent and memory_warn_percent. 0 or less named every
    # file system full (or the memory), above 100 none.
    "percent": {"unit": "percent", "most": 100},
    # the free space (MiB) below which a file system is full (server_diagnose's and
    # server_precheck's min_free_mb) or a /boot of its own has no room for one more
    # kernel (server_condition's and server_precheck's boot_min_free_mb). A negative one
    # turned the test off without a word; 1 TiB is far above any court's need
    # (server_diagnose bounds it by a tenth of the file system's size anyway).
    "free_mb": {"unit": "MiB", "most": 2**20, "most_said": "1 TiB",
                "zero": "turns the free-space test off"},
    # the load per CPU that counts as overloaded (server_diagnose's load_per_cpu,
    # server_condition's load_warn_per_cpu): 0 or less named every host overloaded, NaN or
    # infinity none; 100 is fifty times server_diagnose's default.
    "load_per_cpu": {"unit": "processes per CPU", "most": 100},
    # server_diagnose's lines kept of each log and journal read (log_lines; no role sets
    # it), fifty times its default. The error logs' tails are read from their last 64 KiB
    # and the package history from 400 lines anyway; the journal's reads (errors, OOM
    # kills, logins, a stopped unit's) took any number: 1e9 kept the whole journal of the
    # hours, up to ten years of it, in the bundle, the module's result and the record.
    # 0 or less kept every line (lines[-0:]).
    "log_lines": {"unit": "lines", "most": 1000},
    # net_reachability's echo requests per address, twenty times the default. Each
    # address's ping runs probes times (interval + timeout) at most: 1e9 held the run for
    # ever (its subprocess limit, that product, never came), and 100 answered at the
    # defaults take 20 s.
    "probes": {"unit": "echo requests", "most": 100},
    # net_reachability's warning levels. A loss level above 100 hid every lossy link
    # without a word, one of 0 or less warned of every target that answered; 100 is kept:
    # it warns of no loss (a target that answers lost less), the way to warn of latency
    # alone. A latency level of one minute is a round trip no working link takes: 1e12 hid
    # every slow link.
    "loss_warn_percent": {"unit": "percent", "most": 100},
    "latency_warn_ms": {"unit": "milliseconds", "most": 60000, "most_said": "one minute"},
    # routeros_check's warning levels: the most electronic parts are rated for (125 C, the
    # industrial grade), a level above it warned of no router; a load of 0 or less warned
    # of every router, one over 100 percent of none.
    "temperature_warn": {"unit": "degrees Celsius", "most": 125},
    "warn_percent": {"unit": "percent", "most": 100},
    # routeros_check's routers read at the same time, twice the default: each session may
    # hold up to 32 MiB of a router's answers in the controller's memory (2 GiB at 64). 0
    # or less was read as 1 without a word.
    "workers": {"unit": "routers read at the same time", "most": 64},
    # net_config_store's older versions kept per device: 10000 versions of the largest
    # configuration it stores by default (4 MiB) are 40 GB, past a backup computer's disk.
    "keep": {"unit": "older versions", "most": 10000, "zero": "keeps none"},
    # net_config_store's largest configuration kept, in bytes: twice the 32 MiB
    # routeros_check reads of one router's session at most. 0 or less refused every
    # configuration.
    "max_export_bytes": {"unit": "bytes", "most": 64 * 1024 * 1024, "most_said": "64 MiB"},
    # sop-backup-receive's --keep-free (roles/sipp_backup/files), the push receiver on the
    # backup computer: the percent of its file system pushes never use, a whole number from
    # 0 to 90 (that script runs alone there, without module_utils: a test holds it to this
    # bound). sipp_backup_remote_keep_free is refused by it before the key is set up.
    "keep_free": {"unit": "percent", "most": 90, "most_said": "the push receiver's highest",
                  "zero": "keeps no share free"},
    # website_log_audit's counts (the website role's website_log_*), refused by the role
    # before its backup runs. The top paths and clients listed, a hundred times the
    # default (10): the list is written into the run's output and record.
    "log_top": {"unit": "paths and clients listed", "most": 1000},
    # The failed logins from one client that make a brute-force finding, 500 times the
    # default (20): a higher one hid every brute force but a flood, without a word.
    "bruteforce_threshold": {"unit": "failed logins", "most": 10000},
    # The fewest requests read before one private address making most of them is warned
    # about as a reverse proxy: more than a court's site is asked between two runs warned
    # of none, without a word.
    "proxy_min_requests": {"unit": "requests", "most": 10_000_000, "most_said": "ten million"},
    # sipp_audit_summary's failed logins in the period that warn (the sipp_maintenance
    # role's sipp_maintenance_failed_login_warn), refused by the role before Kegiatan 1
    # runs. A negative one never warned, without a word; true (Ansible's int option takes
    # it as 1) warned of every failed login; a thousand times the default (10) is more
    # failed logins than a court's SIPP sees in any period.
    "failed_login_warn": {"unit": "failed logins", "most": 10000, "zero": "never warns"},
}

# What each kind of network target (target_error) must be, as the module that takes it
# says it. A host is pinged and a UPS given to upsc as their last argument: neither may
# start with '-', which they would read as their option (ping -f floods, upsc -l lists).
TARGETS = {
    "host": ("a host name (letters, digits, '-' and '_', labels separated by '.', none "
             "starting with '-') or an IP address"),
    "address": "an IPv4 or IPv6 address",
    "name": ("a DNS name (letters, digits, '-' and '_', labels separated by '.', none "
             "starting with '-')"),
    "ups": ("a UPS as NUT names it, upsname[@hostname[:port]] (letters, digits, '.', '_' "
            "and '-', not starting with '-'; a port 1-65535)"),
}
# A label of a host or DNS name (RFC 1123, '_' too, as /etc/hosts and DNS carry it), as
# IDNA writes it (xn-- for others); the whole name at most 253 characters.
NAME_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
# A UPS as upsc takes it (upsc(8), upsclient's upscli_splitname and upscli_splitaddr):
# upsname[@hostname[:port]], the hostname an IPv6 address in brackets too.
UPS = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
                 r"(?:@(?:[A-Za-z0-9_][A-Za-z0-9_.-]*|\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?\])"
                 r"(?::(?P<port>[0-9]{1,5}))?)?")


# What no URL holds as written (RFC 3986): whitespace, a control character. http.client
# refuses a request whose path holds one only when it is sent ("URL can't contain control
# characters"), recorded as the site not answering; a space in a host was asked of DNS.
URL_UNSENDABLE = re.compile(r"[\x00-\x20\x7f\s]")


def url_text_error(url: str) -> str | None:
    """Why ``url`` cannot be sent as written: the first whitespace or control character
    it holds, by its place (never the URL itself, which may carry a credential); None
    when it holds none."""
    found = URL_UNSENDABLE.search(url)
    if found is None:
        return None
    what = "a space" if found.group() == " " else f"the character {found.group()!r}"
    return (f"holds {what} at character {found.start() + 1}, which no URL holds: "
            "remove it or percent-encode it (%20 for a space)")


def seconds_error(params: Mapping[str, Any], *names: str,
                  zero: str | None = None) -> dict[str, str] | None:
    """The failure (``msg`` and ``setting``, for fail_json) of the first of the options
    ``names`` whose value is no positive, finite number of seconds, or more than
    MAX_SECONDS, or None. A time limit of 0 or less gave up at once, and the page, query
    or tool it bounded was blamed (``page_unreachable``); NaN compares false with every
    limit and infinity never ends. ``zero``: what 0 means for these options (``never
    stops it``), which keeps 0 valid and refuses only a negative value."""
    return range_error(params, *names, unit="seconds", most=MAX_SECONDS,
                       most_said="one day", zero=zero)


def duration_error(params: Mapping[str, Any], *names: str, unit: str,
                   zero: str | None = None) -> dict[str, str] | None:
    """seconds_error for an age, a look-back or a warning period in ``unit`` (one of
    UNIT_SECONDS: ``hours``), at most MAX_DAYS: its failure or None. A negative one read
    every backup as stale, or every file as old enough to remove; ``zero`` as
    seconds_error's."""
    most = MAX_DAYS * UNIT_SECONDS["days"] // UNIT_SECONDS[unit]
    return range_error(params, *names, unit=unit, most=most, most_said="ten years", zero=zero)


def range_error(params: Mapping[str, Any], *names: str, unit: str, most: int,
                most_said: str | None = None,
                zero: str | None = None) -> dict[str, str] | None:
    """The failure (``msg`` and ``setting``) of the first of the options ``names`` that is
    no positive, finite number of ``unit`` (``echo requests``, ``milliseconds``) or more
    than ``most`` (``most_said`` in words, ``one minute``), or None; ``zero`` as
    seconds_error's. seconds_error and duration_error are it for their units. A value that
    is no number is refused, shown as Python writes it: None (an option without a default
    given null), true or false (Ansible's int and float options take them, as 1 and 0),
    a text, a list (the filters' input, which no argument spec converted), where comparing
    it raised TypeError, a traceback, or true passed as 1."""
    expected = f"0 ({zero}) or a positive" if zero is not None else "a positive"
    for name in names:
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return {"msg": f"{name}: must be {expected} number of {unit}, not {value!r}",
                    "setting": name}
        if (zero is not None and value == 0) or 0 < value <= most:
            continue
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        if most < value < math.inf:
            said = f" ({most_said})" if most_said else ""
            return {"msg": f"{name}: must be at most {most} {unit}{said}, not {shown}",
                    "setting": name}
        return {"msg": f"{name}: must be {expected} number of {unit}, not {shown}",
                "setting": name}
    return None


def ca_file_error(params: Mapping[str, Any], name: str) -> dict[str, str] | None:
    """The failure (``msg`` and ``setting``) of the CA bundle option ``name`` when it is
    set (empty: the system's trust store) and is no bundle Python's TLS can load (gone,
    unreadable, or no PEM certificate in it), else None. It was loaded only when the first
    page was read: a traceback (FileNotFoundError, ssl.SSLError) that lost every other
    result of the module."""
    path = params[name]
    if not path:
        return None
    try:
        ssl.create_default_context(cafile=path)
    except ssl.SSLError as exc:  # an OSError too: first
        return {"msg": f"{name}: {path} is no CA bundle (PEM certificates): {exc.reason}",
                "setting": name}
    except OSError as exc:
        return {"msg": f"{name}: cannot read the CA bundle {path}: {exc.strerror}",
                "setting": name}
    return None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_name(text: str) -> bool:
    try:
        encoded = text.removesuffix(".").encode("idna").decode("ascii")
    except UnicodeError:  # an empty label, one over 63 characters
        return False
    return (0 < len(encoded) <= 253
            and all(NAME_LABEL.fullmatch(label) for label in encoded.split(".")))


def target_error(value: Any, kind: str) -> str | None:
    """Why ``value`` is no network target of ``kind`` (a key of TARGETS: ``host`` for a
    host name or an IP address, ``address``, ``name`` for a DNS name, ``ups``), in words
    following the option's name (``must be ..., not '-f'``), or None."""
    text = value if isinstance(value, str) else None
    if text is not None:
        if kind == "host" and (_is_address(text) or _is_name(text)):
            return None
        if (kind == "address" and _is_address(text)) or (kind == "name" and _is_name(text)):
            return None
        match = UPS.fullmatch(text) if kind == "ups" else None
        if match and (match["port"] is None or 1 <= int(match["port"]) <= 65535):
            return None
    return f"must be {TARGETS[kind]}, not {value!r}"


def targets_error(params: Mapping[str, Any], *names: str,
                  kind: str) -> dict[str, str] | None:
    """The failure (``msg`` and ``setting``) of the first of the list options ``names``
    holding an empty entry (``-e network_reach_gateway=`` gives [""], which was pinged
    and the gateway blamed) or one that is no target of ``kind`` (target_error), or
    None."""
    for name in names:
        for entry in params[name]:
            if isinstance(entry, str) and not entry.strip():
                return {"msg": f"{name}: an empty entry in the list (an empty list, [], "
                               "skips it)", "setting": name}
            why = target_error(entry, kind)
            if why:
                return {"msg": f"{name}: {why}", "setting": name}
    return None


# The names the backups' commands and files take as they are, by kind (name_error): the
# pattern a name matches whole, and what it must be. The push's ssh command line
# (sipp_backup__ssh, website__ssh) is a shell's: a space splits a name there, a ';' or
# '$(' in a path ran a command as root, and an account name starting with '-' was one of
# ssh's options (-oProxyCommand=...@host ran a command as root). The verify account's
# name is written into the backup computer's SQL (verify_account.yml); the prefixes and
# the in-tray's path into the push key's forced command in authorized_keys, which the
# push user's shell runs; a port into ssh's -p and the known_hosts line.
NAME_KINDS: dict[str, tuple[re.Pattern[str], str]] = {
    "host": (re.compile(r"[\w\[:][\w.:\[\]-]*"),
             "letters, digits, '.', '-', '_' (':' and '[]' for an IP address), not starting "
             "with '-' or '.'"),
    "account": (re.compile(r"[a-z_][a-z0-9_-]{0,31}"),
                "an account name: lowercase letters, digits, '_' and '-', starting with a "
                "letter or '_', at most 32"),
    "prefix": (re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*"),
               "a file name prefix: letters, digits, '.', '_' and '-', starting with a "
               "letter or a digit"),
    "path": (re.compile(r"/[A-Za-z0-9/._+-]*"),
             "an absolute path of letters, digits, '/', '.', '_', '+' and '-' (a shell's "
             "command line takes it: a space splits it, a ';' runs what follows)"),
    "port": (re.compile(r"[0-9]+"), "a port from 1 to 65535"),
    # court_kode_satker names the court's directories in the backup stores and its status
    # page at SIPP MA: '400/999' or '../400999' put them elsewhere
    "kode_satker": (re.compile(r"[0-9]{6}"), "the court's kode satker, six digits (400999)"),
}


def name_error(value: Any, kind: str) -> str | None:
    """Why ``value`` is no name of ``kind`` (a key of NAME_KINDS) that the backups'
    commands take as it is, ``must be ..., not 'VALUE'`` (a port's value unquoted), or
    None. The value is judged as its text (``-e`` gives a port as the text ``2222``),
    whole: a trailing newline, which Jinja's ``match`` test let through, is refused, and
    shown escaped (``'web\\n'``), the refusal one line."""
    pattern, what = NAME_KINDS[kind]
    text = str(value)
    if kind == "port" and pattern.fullmatch(text.strip()) and 1 <= int(text) <= 65535:
        return None
    if kind != "port" and pattern.fullmatch(text):
        return None
    shown = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    if kind == "port":
        return f"must be {what}, not {shown}"
    unquoted = kind == "kode_satker" and isinstance(value, int) and not isinstance(value, bool)
    return f"must be {what}, not '{shown}'" + (
        " (write it in quotes: unquoted, YAML reads it as a number, an octal one when it "
        "starts with 0)" if unquoted else "")
