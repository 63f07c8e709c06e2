# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja filters that are the project's module_utils functions on the controller, so a
role judges, masks and writes numbers by the modules' own rules, never by a copy:

- ``sop_mask_url``, ``sop_mask_text``, ``sop_mask_command``: module_utils/sop_secrets.
- ``sop_ping_failure``: module_utils/sop_mariadb's ``ping_failure`` (mariadb-admin ping
  judged as server_diagnose judges it).
- ``sop_angka``: module_utils/sop_bahasa's number forms (``1.250``, ``93,5``).
- ``sop_sipp_central_said``: module_utils/sop_sipp_central's ``meaning`` (what a failed
  request to SIPP MA means, as sipp_sync_status says it).
- ``sop_seconds_error``: module_utils/sop_options's ``seconds_error`` (a time limit the
  modules refuse, refused before a builtin module such as uri is given it).
- ``sop_duration_error``: module_utils/sop_options's ``duration_error`` (an age or an
  interval in minutes, hours or days, refused as the modules refuse theirs).
- ``sop_range_error``: module_utils/sop_options's ``range_error`` with the bounds of its
  ``RANGES`` (a count or a level a module refuses only when it runs, refused before
  anything changes).
- ``sop_device_name_error``: module_utils/sop_options's ``device_name_error`` (a
  RouterBoard's name net_config_store cannot name its directory by, refused before any
  router is read).
- ``sop_keep_error``: module_utils/sop_retention's ``keep_error`` of a role's keep counts
  read as the modules read their ``type: int`` options (a retention's keep_daily,
  keep_weekly, keep_monthly), refused before the backup the retention runs after.
- ``sop_url_error``: module_utils/sop_http's ``url_error``, sop_options's
  ``url_text_error`` first (a URL setting the modules could not ask, refused before uri
  is given it), its credentials masked.
- ``sop_database_name_error``: module_utils/sop_mariadb's ``database_name_problem`` (a
  database name no client can be pointed at, refused before the module is given it).
- ``sop_targets_error``: module_utils/sop_options's ``targets_error`` (a list of hosts,
  addresses, DNS names or UPSes net_reachability or ups_status refuses, refused before
  any host is probed).
- ``sop_name_error``: module_utils/sop_options's ``name_error`` of a role's names by their
  kind (a host, an account, a file name prefix, a path, a port) that the backups' commands
  (a shell's ssh command line, SQL, authorized_keys) would take as something else, all
  refused in one line before anything changes.
- ``sop_month_error``: module_utils/sop_security's ``month_bounds`` (a month the security
  summaries cannot read, refused before any activity runs, the one that only seeds by it
  too).
- ``sop_log_category_error``: module_utils/sop_weblog_patterns's ``CATEGORIES`` (an alert
  category no finding of the access-log audit has, a typo that alerted on nothing).
- ``sop_wordpress_error``: module_utils/sop_security's ``wordpress_settings`` (the
  settings security_wordpress refuses, refused before the activities ahead of it ran).
- ``sop_zone_error``, ``sop_day_error``: module_utils/sop_clock's ``zone_error`` and
  ``day_error`` (a time zone or a YYYY-MM-DD date website_renewals refuses, refused
  before the backup ran).
- ``sop_proxies_error``: module_utils/sop_weblog's ``Proxies`` (a trusted proxy that is
  no IP address or network, which website_log_audit refuses).
- ``sop_spam_accepted_error``: module_utils/sop_integrity_content's ``accepted_spam``
  (an accepted spam fingerprint website_integrity refuses).
- ``sop_office_hours_error``: module_utils/sop_options's ``office_hours_error`` (office
  hours and days sipp_audit_summary refuses, refused before the activities ahead of it
  ran).
- ``sop_sipp_zone_error``, ``sop_sipp_columns_error``: module_utils/sop_sipp_schema's
  ``zone_error`` (a time zone, offset or WIB, WITA or WIT, the sipp_* modules refuse) and
  ``columns_error`` with a module's ``COLUMN_CANDIDATES`` (a column override naming no
  column role of sipp_audit_summary or sipp_online_users), refused before SIPP is read.
- ``sop_type_error``: ansible-core's own ``check_type_bool`` and ``check_type_list``, and
  ``check_type_str``'s conversion of a scalar (a role's switch, list or text given as a
  value of no such type, null among them, refused in the project's line, not in Ansible's
  words, as a failed template or as the text of a list).

Ansible makes a project's ``module_utils`` importable only inside modules (it ships them
to the host), so the files are loaded here by their paths, once. The documentation of
``sop_ping_failure``, ``sop_angka``, ``sop_sipp_central_said``, ``sop_seconds_error``,
``sop_duration_error``, ``sop_range_error``, ``sop_device_name_error``, ``sop_keep_error``,
``sop_url_error``, ``sop_database_name_error``, ``sop_targets_error``, ``sop_name_error``,
``sop_month_error``, ``sop_log_category_error``, ``sop_wordpress_error``,
``sop_zone_error``, ``sop_day_error``, ``sop_proxies_error``,
``sop_spam_accepted_error``, ``sop_office_hours_error``, ``sop_sipp_zone_error``,
``sop_sipp_columns_error`` and ``sop_type_error`` (``ansible-doc -t filter NAME``) is in
the YAML files of their names beside this one.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import importlib.util
import math
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.validation import (
    check_type_bool,
    check_type_dict,
    check_type_int,
    check_type_list,
)

_MODULE_UTILS = Path(__file__).resolve().parents[2] / "module_utils"


def _load(name: str) -> ModuleType:
    """module_utils/NAME.py, registered before it runs as importlib's recipe for a source
    file does (dataclasses look their module up in sys.modules)."""
    spec = importlib.util.spec_from_file_location(f"sop_project_{name}",
                                                  _MODULE_UTILS / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {_MODULE_UTILS / name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_SECRETS = _load("sop_secrets")
_MARIADB = _load("sop_mariadb")
_BAHASA = _load("sop_bahasa")
_SIPP_CENTRAL = _load("sop_sipp_central")
_OPTIONS = _load("sop_options")
_RETENTION = _load("sop_retention")


def _load_using(name: str, **used: ModuleType) -> ModuleType:
    """module_utils/NAME.py whose ``from ansible.module_utils.X import ...`` lines are
    given ``used`` (X: a module loaded here), for its loading only: ``ansible.module_utils``
    is left as it was (an X importable there already, in the tests, is kept)."""
    given = [f"ansible.module_utils.{key}" for key in used
             if f"ansible.module_utils.{key}" not in sys.modules]
    sys.modules.update({key: used[key.rpartition(".")[2]] for key in given})
    try:
        return _load(name)
    finally:
        for key in given:
            del sys.modules[key]


_CLOCK = _load("sop_clock")
_HTTP = _load_using("sop_http", sop_clock=_CLOCK, sop_secrets=_SECRETS, sop_options=_OPTIONS)
_SECURITY = _load_using(
    "sop_security", sop_clock=_CLOCK, sop_http=_HTTP, sop_options=_OPTIONS, sop_secrets=_SECRETS,
    sop_server=_load_using("sop_server", sop_bahasa=_BAHASA, sop_command=_load("sop_command"),
                           sop_secrets=_SECRETS))
_WEBLOG_PATTERNS = _load("sop_weblog_patterns")
_PATHWALK = _load("sop_pathwalk")
_WEBLOG = _load_using("sop_weblog", sop_pathwalk=_PATHWALK, sop_secrets=_SECRETS,
                      sop_state=_load("sop_state"),
                      sop_tree=_load_using("sop_tree", sop_pathwalk=_PATHWALK),
                      sop_weblog_patterns=_WEBLOG_PATTERNS)
_INTEGRITY_CONTENT = _load_using("sop_integrity_content", sop_bahasa=_BAHASA, sop_http=_HTTP)
_SIPP_SCHEMA = _load_using("sop_sipp_schema", sop_bahasa=_BAHASA, sop_clock=_CLOCK,
                           sop_mariadb=_MARIADB)


def _kind(value: Any) -> str:
    """The value's type as the playbook's author knows it (`str`, not Ansible's tagged
    `_AnsibleTaggedStr`)."""
    return next(cls.__name__ for cls in type(value).__mro__ if not cls.__name__.startswith("_"))


def ping_failure(lines: list[str], rc: int) -> str | None:
    """``module_utils/sop_mariadb.ping_failure`` with the lines as the filter's input. A
    text (``stdout`` for ``stdout_lines``) is refused: read as its characters, it was
    judged by its first one, or as an answer with exit status 0."""
    if not isinstance(lines, list):
        raise AnsibleFilterError("sop_ping_failure: the input must be the ping's output "
                                 f"lines (a list), not {_kind(lines)}")
    try:
        status = int(rc)
    except (TypeError, ValueError):
        raise AnsibleFilterError(f"sop_ping_failure: rc must be the ping's exit status, "
                                 f"not {rc!r}") from None
    failure: str | None = _MARIADB.ping_failure(status, [str(line) for line in lines])
    return failure


def angka(value: Any, decimals: int | None = None) -> str:
    """``value`` as module_utils/sop_bahasa writes it; ``?`` for anything but a number,
    NaN and the infinities too (Ansible's JSON passes them on; ``format`` writes them
    ``nan``, ``inf``)."""
    try:
        count = None if decimals is None else int(decimals)
    except (TypeError, ValueError):
        count = -1
    if count is not None and count < 0:
        raise AnsibleFilterError("sop_angka: decimals must be a whole number of 0 or more, "
                                 f"not {decimals!r}")
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value)):
        return "?"
    text: str = (_BAHASA.angka_ringkas(value) if count is None
                 else _BAHASA.angka(value, count))
    return text


def sipp_central_said(cause: Any, status: Any = None) -> str:
    """``module_utils/sop_sipp_central.meaning`` of a request to SIPP MA that
    ansible.builtin.uri made: ``cause`` its message (sop_uri_failure's), ``status`` its
    status (-1, or none, when no answer came). '' when the table knows neither."""
    try:
        code = None if status is None or str(status).strip() == "" else int(status)
    except (TypeError, ValueError):
        raise AnsibleFilterError("sop_sipp_central_said: status must be uri's HTTP status "
                                 f"(-1 for no answer), not {status!r}") from None
    told: str | None = _SIPP_CENTRAL.meaning(str(cause or ""),
                                             code if code is not None and code > 0 else None)
    return told or ""


def _variable_name(filter_name: str, name: Any) -> None:
    """Refuse, in one line, a filter's ``name`` argument that is no role variable's name."""
    if not isinstance(name, str) or not name:
        raise AnsibleFilterError(f"{filter_name}: name must be the variable's name, "
                                 f"not {name!r}")


def _list_input(filter_name: str, value: Any, name: str) -> None:
    """Refuse, in one line, a filter's input that is no list (a role's variable given
    through ``sop_list``)."""
    if not isinstance(value, list):
        raise AnsibleFilterError(f"{filter_name}: {name} must be a list, not {_kind(value)}")


def _option_error(filter_name: str, value: Any, name: Any, zero: Any, *,
                  check: Callable[..., dict[str, str] | None]) -> dict[str, str] | None:
    """``check`` (a function of module_utils/sop_options) of ``value`` named ``name``,
    a text read as its number; a value that is no number (``abc``, true, a list, null)
    is refused by ``check`` itself, as the module's option is. The filter's own arguments
    are refused in one line."""
    _variable_name(filter_name, name)
    if zero is not None and (not isinstance(zero, str) or not zero):
        raise AnsibleFilterError(f"{filter_name}: zero must say what 0 means, "
                                 f"not {zero!r}")
    number = value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value)
    return check({name: number}, name, zero=zero)


def seconds_error(value: Any, name: Any, zero: Any = None) -> dict[str, str] | None:
    """``module_utils/sop_options.seconds_error`` of the time limit ``value``, named
    ``name`` (the role's variable): its failure (``msg``, ``setting``) or None. A text is
    read as its number, as a module reads its option (``-e name=0`` gives the text
    ``0``); one that is none (``abc``), true or false, a list, a dict or null is refused
    in the failure too, never an error that fails the template. ``zero``: what 0 means, as
    the module's check says it (``turns the check off``), which keeps 0 valid."""
    return _option_error("sop_seconds_error", value, name, zero,
                         check=_OPTIONS.seconds_error)


def duration_error(value: Any, name: Any, unit: Any, zero: Any = None) -> dict[str, str] | None:
    """``module_utils/sop_options.duration_error`` of the age or interval ``value`` in
    ``unit`` (``minutes``, ``hours`` or ``days``), named ``name``: as ``seconds_error``."""
    if not isinstance(unit, str) or unit not in _OPTIONS.UNIT_SECONDS:
        raise AnsibleFilterError("sop_duration_error: unit must be one of "
                                 f"{', '.join(_OPTIONS.UNIT_SECONDS)}, not {unit!r}")
    return _option_error("sop_duration_error", value, name, zero,
                         check=functools.partial(_OPTIONS.duration_error, unit=unit))


def range_error(value: Any, name: Any, bounds: Any) -> dict[str, str] | None:
    """``module_utils/sop_options.range_error`` of the count or level ``value``, named
    ``name``, by the bounds ``RANGES[bounds]`` (``threads``, ``zstd level``) the module
    checks its option by: as ``seconds_error``. The bounds are taken by their key, never
    given here: in a role's Jinja they would be a second copy of the module's rule."""
    if not isinstance(bounds, str) or bounds not in _OPTIONS.RANGES:
        raise AnsibleFilterError("sop_range_error: bounds must be one of "
                                 f"{', '.join(_OPTIONS.RANGES)}, not {bounds!r}")
    rule = _OPTIONS.RANGES[bounds]
    return _option_error("sop_range_error", value, name, rule.get("zero"),
                         check=functools.partial(_OPTIONS.range_error, **rule))


def keep_error(settings: Any) -> str | None:
    """The line refusing the first keep count of ``settings`` (each role variable, named
    ``..._keep_daily``, ``..._keep_weekly`` or ``..._keep_monthly`` after the rule of
    ``module_utils/sop_retention.RULES`` it sets, with its value) that a retention would
    refuse, ``pengaturan salah: NAME: ...``, or None. A value is read as a module reads its
    ``type: int`` option (Ansible's ``check_type_int``: ``-e name=7`` gives the text ``7``,
    a whole number), then judged by ``sop_retention.keep_error`` (below 0); a text that is
    no whole number (``abc``, ``1.5``) and true or false (a module reads true as 1) are
    refused too."""
    if not isinstance(settings, Mapping) or not settings:
        raise AnsibleFilterError("sop_keep_error: the input must be the keep counts by "
                                 "variable name (a non-empty dict), not "
                                 f"{_kind(settings) if settings else repr(settings)}")
    rules = [rule for rule, _ in _RETENTION.RULES]
    for name, value in settings.items():
        rule = next((rule for rule in rules
                     if isinstance(name, str) and name.endswith(f"keep_{rule}")), None)
        if rule is None:
            raise AnsibleFilterError(f"sop_keep_error: {name!r} names no keep count (a "
                                     "variable ending in "
                                     f"{', '.join(f'keep_{rule}' for rule in rules)})")
        try:
            count = None if isinstance(value, bool) else check_type_int(value)
        except (TypeError, OverflowError):  # OverflowError: infinity
            count = None
        if count is None or _RETENTION.keep_error({rule: count}):
            shown = count if count is not None else (
                f"'{value}'" if isinstance(value, str) else value)
            return (f"pengaturan salah: {name}: must be a whole number of backups to keep, "
                    f"0 or more, not {shown}")
    return None


def url_error(value: Any, name: Any) -> dict[str, str] | None:
    """The failure (``msg``, ``setting``) of the URL setting ``value`` named ``name``: what
    no monitor can ask (sop_http's ``url_error``: whitespace or a control character, not
    http or https, no host, a port out of range; the URL it quotes masked, with its
    scheme or without); None for a good one, '' or null (none: a module's check reads
    its option given null so; a role refuses first a null that is no none, by
    ``sop_type_error``). Any other value that is no text is refused."""
    _variable_name("sop_url_error", name)
    if value is None:
        return None
    if not isinstance(value, str):
        return {"msg": f"{name}: must be a URL (text), not {_kind(value)}", "setting": name}
    error = value and _HTTP.url_error(value)
    return {"msg": f"{name}: {error}", "setting": name} if error else None


def targets_error(value: Any, name: Any, kind: Any) -> dict[str, str] | None:
    """``module_utils/sop_options.targets_error`` of the list ``value`` (give a role's
    variable through ``sop_list``), named ``name``, its entries of the kind ``kind`` (a
    key of ``TARGETS``: ``host``, ``address``, ``name``, ``ups``): its failure (``msg``,
    ``setting``) or None. A number is read as its text, as a module's ``elements: str``
    option reads it."""
    _variable_name("sop_targets_error", name)
    if not isinstance(kind, str) or kind not in _OPTIONS.TARGETS:
        raise AnsibleFilterError("sop_targets_error: kind must be one of "
                                 f"{', '.join(_OPTIONS.TARGETS)}, not {kind!r}")
    _list_input("sop_targets_error", value, name)
    entries = [str(entry) if isinstance(entry, (int, float)) and not isinstance(entry, bool)
               else entry for entry in value]
    failure: dict[str, str] | None = _OPTIONS.targets_error({name: entries}, name, kind=kind)
    return failure


def name_error(names: Any) -> str | None:
    """The line refusing every name of ``names`` that ``module_utils/sop_options.
    name_error`` refuses, ``pengaturan salah: NAME: must be ...; NAME: ...`` in the order
    given, or None. ``names``: each kind of NAME_KINDS (``host``, ``account``, ``prefix``,
    ``path``, ``port``) with the role's variables of that kind, each name with its value;
    a null value (a setting that cannot be rendered, left to the task that uses it) is not
    judged."""
    kinds = _OPTIONS.NAME_KINDS
    if not isinstance(names, Mapping) or not names:
        raise AnsibleFilterError("sop_name_error: the input must be the names by kind (a "
                                 "non-empty dict), not "
                                 f"{_kind(names) if names else repr(names)}")
    refused = []
    for kind, settings in names.items():
        if kind not in kinds:
            raise AnsibleFilterError(f"sop_name_error: {kind!r} is no kind of name (one of "
                                     f"{', '.join(kinds)})")
        if not isinstance(settings, Mapping):
            raise AnsibleFilterError(f"sop_name_error: the {kind} names must be their "
                                     "values by variable name (a dict), not "
                                     f"{_kind(settings)}")
        for name, value in settings.items():
            said = None if value is None else _OPTIONS.name_error(value, kind)
            if said:
                refused.append(f"{name}: {said}")
    return f"pengaturan salah: {'; '.join(refused)}" if refused else None


def month_error(value: Any, name: Any) -> dict[str, str] | None:
    """The failure (``msg``, ``setting``) of the month setting ``value`` named ``name`` that
    ``module_utils/sop_security.month_bounds`` refuses (no month YYYY-MM), the month the
    security summaries read; None for a month, '' or null (the current one, as
    ``month_bounds`` reads the modules' option given null). Any other value that is no
    text is refused."""
    _variable_name("sop_month_error", name)
    if value is None:
        return None
    if not isinstance(value, str):
        return {"msg": f"{name}: must be a month YYYY-MM (text), not {_kind(value)}",
                "setting": name}
    try:
        if value:
            _SECURITY.month_bounds(value, datetime.date.today())
    except _SECURITY.SecurityInputError as exc:  # 'month: ...', the module's option
        return {"msg": f"{name}{str(exc).removeprefix(exc.setting)}", "setting": name}
    return None


def log_category_error(value: Any, name: Any) -> dict[str, str] | None:
    """The failure (``msg``, ``setting``) of the list ``value`` (give a role's variable
    through ``sop_list``), named ``name``, of access-log audit categories, naming each one
    no finding has (``module_utils/sop_weblog_patterns.CATEGORIES``) and the known ones;
    None when all are known."""
    _variable_name("sop_log_category_error", name)
    _list_input("sop_log_category_error", value, name)
    known = _WEBLOG_PATTERNS.CATEGORIES
    unknown = [str(category) for category in value if str(category) not in known]
    if not unknown:
        return None
    return {"msg": f"{name}: no category of the access-log audit: {', '.join(unknown)} "
                   f"(the categories are {', '.join(known)})", "setting": name}


def zone_error(value: Any, name: Any) -> dict[str, str] | None:
    """``module_utils/sop_clock.zone_error`` of the time zone ``value``, named ``name``:
    its failure (``msg``, ``setting``) or None for a zone the modules know (WIB, WITA and
    WIT too). A value that is no text is refused too, never an error that fails the
    template."""
    _variable_name("sop_zone_error", name)
    if not isinstance(value, str):
        return {"msg": f"{name}: must be a time zone name (text), not {_kind(value)}",
                "setting": name}
    failure: dict[str, str] | None = _CLOCK.zone_error({name: value}, name)
    return failure


def day_error(value: Any, name: Any) -> dict[str, str] | None:
    """``module_utils/sop_clock.day_error`` of the date ``value``, named ``name``: its
    failure (``msg``, ``setting``) or None for a YYYY-MM-DD date, '' or null (none, as
    ``day_error`` reads the module's option given null). A date YAML read unquoted
    (2027-01-31) is its text, as a module's ``type: str`` option reads it; any other
    value that is no text is refused."""
    _variable_name("sop_day_error", name)
    if value is None:
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        return {"msg": f"{name}: must be a date YYYY-MM-DD (text), not {_kind(value)}",
                "setting": name}
    failure: dict[str, str] | None = _CLOCK.day_error({name: value}, name)
    return failure


def proxies_error(value: Any, name: Any) -> dict[str, str] | None:
    """The failure (``msg``, ``setting``) of the list ``value`` (give a role's variable
    through ``sop_list``), named ``name``, of trusted proxies that website_log_audit
    refuses (``module_utils/sop_weblog.Proxies``: an entry that is no IP address or
    network); None for good ones. An entry is read as its text, as the module's
    ``elements: str`` option reads it (10 is '10', no address)."""
    _variable_name("sop_proxies_error", name)
    _list_input("sop_proxies_error", value, name)
    try:
        _WEBLOG.Proxies([str(entry) for entry in value])
    except ValueError as exc:
        return {"msg": f"{name}: {exc}", "setting": name}
    return None


def spam_accepted_error(value: Any, name: Any) -> dict[str, str] | None:
    """The failure (``msg``, ``setting``) of the list ``value`` (give a role's variable
    through ``sop_list``), named ``name``, of accepted spam matches ({fingerprint, note})
    that website_integrity refuses (``module_utils/sop_integrity_content.accepted_spam``:
    a fingerprint that is not 32 hex digits), or an entry that is no {fingerprint, note};
    None for good ones."""
    _variable_name("sop_spam_accepted_error", name)
    _list_input("sop_spam_accepted_error", value, name)
    shapeless = next((entry for entry in value
                      if not isinstance(entry, Mapping) or "fingerprint" not in entry), None)
    if shapeless is not None:
        return {"msg": f"{name}: each entry must be {{fingerprint, note}}, not "
                       f"{_kind(shapeless)} {shapeless!r}", "setting": name}
    try:
        _INTEGRITY_CONTENT.accepted_spam(value)
    except ValueError as exc:  # 'spam_accepted: ...', the module's option
        return {"msg": f"{name}{str(exc).removeprefix('spam_accepted')}", "setting": name}
    return None


def wordpress_error(settings: Any) -> dict[str, str] | None:
    """The failure (``msg`` starting with the option's name, ``setting`` the option) of
    security_wordpress's options ``available``, ``site_url`` and ``root_urls`` (the input,
    each by its option's name; one not given is the module's default) that
    ``module_utils/sop_security.wordpress_settings`` refuses, with the module's default
    roots; None for good ones. A site address that is a number is read as its text, as
    the module's ``type: str`` option reads it; a mapping that is none is refused."""
    defaults = {"available": {}, "site_url": "", "root_urls": {}}
    if not isinstance(settings, Mapping) or not set(settings) <= set(defaults):
        raise AnsibleFilterError("sop_wordpress_error: the input must be security_wordpress's "
                                 "available, site_url and root_urls by option name (a dict), "
                                 f"not {_kind(settings)} {settings!r}")
    given = {**defaults, **settings}
    for option in ("available", "root_urls"):
        if not isinstance(given[option], Mapping):
            return {"msg": f"{option}: expected a mapping, not {_kind(given[option])}",
                    "setting": option}
    try:
        _SECURITY.wordpress_settings(dict(given["available"]), str(given["site_url"] or ""),
                                     dict(given["root_urls"]), list(_SECURITY.WORDPRESS_ROOTS))
    except _SECURITY.SecurityInputError as exc:
        return {"msg": str(exc), "setting": exc.setting}
    return None


def office_hours_error(settings: Any, prefix: Any) -> dict[str, str] | None:
    """The failure (``msg`` starting with the role's variable, ``setting`` the variable)
    of sipp_audit_summary's options ``office_hours_start``, ``office_hours_end`` and
    ``office_days`` (the input, each by its option's name) that
    ``module_utils/sop_options.office_hours_error`` refuses, each named by ``prefix``
    before the option's name (the role's variable); None for good ones. Each value is
    read as the module's option reads it: a time as its text (YAML's number 960 for an
    unquoted 16:00 is '960', null is ''), the days as a ``type: list, elements: int``
    option (``1,2,3`` is [1, 2, 3]); days that are no such list are refused too, as
    the module's argument spec refuses them, a day that is no whole number by name."""
    options = ("office_hours_start", "office_hours_end", "office_days")
    if not isinstance(settings, Mapping) or set(settings) != set(options):
        raise AnsibleFilterError("sop_office_hours_error: the input must be "
                                 f"{', '.join(options)} by option name (a dict), not "
                                 f"{_kind(settings)} {settings!r}")
    if not isinstance(prefix, str):
        raise AnsibleFilterError("sop_office_hours_error: prefix must be the role variables' "
                                 f"prefix (text), not {_kind(prefix)}")
    params: dict[str, Any] = {option: "" if settings[option] is None else str(settings[option])
                              for option in options[:2]}
    days = settings["office_days"]
    try:
        listed = check_type_list(days)
    except TypeError:
        return {"msg": f"{prefix}office_days: must be a list of ISO weekday numbers, 1 "
                       f"(Monday) to 7 (Sunday), not {_shown(days)}",
                "setting": f"{prefix}office_days"}
    params["office_days"] = []
    for day in listed:
        try:
            params["office_days"].append(check_type_int(day))
        except TypeError:
            return {"msg": f"{prefix}office_days: {_shown(day)} is no ISO weekday number, 1 "
                           "(Monday) to 7 (Sunday)", "setting": f"{prefix}office_days"}
    failure = _OPTIONS.office_hours_error(params)
    if failure is None:
        return None
    return {"msg": f"{prefix}{failure['msg']}", "setting": f"{prefix}{failure['setting']}"}


def sipp_zone_error(value: Any, name: Any) -> dict[str, str] | None:
    """``module_utils/sop_sipp_schema.zone_error`` of the time zone ``value`` (an IANA
    name, WIB, WITA or WIT in any case, or an offset -12:00 to +14:00), named ``name``:
    its failure (``msg``, ``setting``) or None. The value is read as the sipp_* modules'
    ``type: str`` option reads it: a number as its text, null as ''. A role whose empty
    setting means none given (the database's clock) leaves it out, as it leaves out the
    module's option."""
    _variable_name("sop_sipp_zone_error", name)
    failure: dict[str, str] | None = _SIPP_SCHEMA.zone_error(
        {name: "" if value is None else str(value)}, [name])
    return failure


def sipp_columns_error(value: Any, name: Any, module: Any) -> dict[str, str] | None:
    """``module_utils/sop_sipp_schema.columns_error`` of the column overrides ``value``
    (role to column name), named ``name``, by the roles of ``module``'s table
    (``COLUMN_CANDIDATES[module]``): its failure (``msg``, ``setting``) naming each key
    no role has, or None. The value is read as the module's ``type: dict`` option reads
    it (``time=waktu`` is {time: waktu}); one that is no such mapping (null, a list) is
    refused too, as the module's argument spec refuses it."""
    _variable_name("sop_sipp_columns_error", name)
    if not isinstance(module, str) or module not in _SIPP_SCHEMA.COLUMN_CANDIDATES:
        raise AnsibleFilterError("sop_sipp_columns_error: module must be one of "
                                 f"{', '.join(_SIPP_SCHEMA.COLUMN_CANDIDATES)}, not {module!r}")
    roles = list(_SIPP_SCHEMA.COLUMN_CANDIDATES[module])
    try:
        overrides = check_type_dict(value)
    except TypeError:
        return {"msg": f"{name}: must be a mapping of keys to column names (keys: "
                       f"{', '.join(roles)}), not {_shown(value)}", "setting": name}
    failure = _SIPP_SCHEMA.columns_error(overrides or {}, roles)
    if failure is None:
        return None
    return {"msg": f"{name}{failure['msg'].removeprefix(failure['setting'])}", "setting": name}


def _shown(value: Any) -> str:
    """``value`` as a playbook's author wrote it in YAML: a text quoted, null, true."""
    if isinstance(value, str):
        return f"'{value}'"
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return "a mapping" if isinstance(value, Mapping) else f"a {_kind(value)}"


def type_error(value: Any, name: Any, kind: Any, null_ok: Any = False) -> dict[str, str] | None:
    """The failure (``msg``, ``setting``) of the role's variable ``name`` whose ``value``
    is not of the argument_specs type ``kind`` (``bool``, ``list``, ``str``), or None.
    Judged by ansible-core's own conversion, as argument_specs and a module's option are: a
    switch is true or false or a text or number Ansible reads as one (``-e name=yes``), a
    list is a list, a text (``-e name=a,b``, read by ``sop_list``) or a number, a text is
    a text or a number Ansible writes as one (``-e name=400999`` gives a number). Refused
    too: null (argument_specs let it through; a switch read as false, a list failed
    ``sop_list`` naming no variable, a text read as '' or 'None'), unless ``null_ok`` (a
    text whose null is its none), a list given as true or false (read as ``['True']``:
    pinged, and the network blamed), a text given as a list or a mapping (argument_specs
    wrote it as ``['a']``, a path or a host of that name) and a text given as true or
    false (an unquoted ``sipp_db_password: yes`` was the password 'True')."""
    _variable_name("sop_type_error", name)
    if kind not in ("bool", "list", "str"):
        raise AnsibleFilterError(f"sop_type_error: kind must be bool, list or str, not {kind!r}")
    if not isinstance(null_ok, bool):
        raise AnsibleFilterError(f"sop_type_error: null_ok must be true or false, not {null_ok!r}")
    if kind == "str":
        if isinstance(value, bool):
            return {"msg": f"{name}: must be a text, not the switch {_shown(value)} (YAML "
                           "reads yes, no, on, off, true and false unquoted as one: write "
                           "the text in quotes)", "setting": name}
        if (null_ok if value is None
                else not isinstance(value, (Mapping, list, tuple, set))):
            return None
        return {"msg": f"{name}: must be a text, not {_shown(value)}", "setting": name}
    check = check_type_bool if kind == "bool" else check_type_list
    try:
        check(value)  # null too: a TypeError
    except TypeError:
        pass
    else:
        if not (kind == "list" and isinstance(value, bool)):
            return None
    expected = "true or false" if kind == "bool" else "a list"
    return {"msg": f"{name}: must be {expected}, not {_shown(value)}", "setting": name}


class FilterModule:
    """The project's module_utils as filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "sop_mask_url": _SECRETS.mask_url,
            "sop_mask_text": _SECRETS.mask_text,
            "sop_mask_command": _SECRETS.mask_command,
            "sop_ping_failure": ping_failure,
            "sop_angka": angka,
            "sop_sipp_central_said": sipp_central_said,
            "sop_seconds_error": seconds_error,
            "sop_duration_error": duration_error,
            "sop_range_error": range_error,
            "sop_device_name_error": _OPTIONS.device_name_error,
            "sop_keep_error": keep_error,
            "sop_url_error": url_error,
            "sop_database_name_error": _MARIADB.database_name_problem,
            "sop_targets_error": targets_error,
            "sop_name_error": name_error,
            "sop_month_error": month_error,
            "sop_log_category_error": log_category_error,
            "sop_wordpress_error": wordpress_error,
            "sop_zone_error": zone_error,
            "sop_day_error": day_error,
            "sop_proxies_error": proxies_error,
            "sop_spam_accepted_error": spam_accepted_error,
            "sop_office_hours_error": office_hours_error,
            "sop_sipp_zone_error": sipp_zone_error,
            "sop_sipp_columns_error": sipp_columns_error,
            "sop_type_error": type_error,
        }
