"""plugins/filter/sop_module_utils.py: the project's module_utils functions as Jinja
filters: ``sop_ping_failure`` (module_utils/sop_mariadb's judgement of mariadb-admin
ping; server maintenance's own cases are in test_server_role_ping.py), ``sop_angka``
(module_utils/sop_bahasa's number forms), ``sop_sipp_central_said``
(module_utils/sop_sipp_central's table), ``sop_seconds_error``, ``sop_duration_error``,
``sop_range_error`` and ``sop_targets_error`` (module_utils/sop_options), ``sop_keep_error``
(module_utils/sop_retention), ``sop_name_error`` (module_utils/sop_options; the roles'
checks are in test_website_checks.py and test_sipp_backup_names.py), ``sop_zone_error``
and ``sop_day_error`` (module_utils/sop_clock), ``sop_proxies_error``
(module_utils/sop_weblog), ``sop_spam_accepted_error`` (module_utils/
sop_integrity_content), ``sop_office_hours_error`` (module_utils/sop_options),
``sop_sipp_zone_error`` and ``sop_sipp_columns_error`` (module_utils/sop_sipp_schema; the
role's checks are in test_sipp_maintenance_role.py), the ``sop_mask_*`` filters
(sop_secrets), ``sop_type_error`` (ansible-core's own conversions of a role's switch or
list)."""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ansible.errors import AnsibleFilterError
from loader import filters, load, run_module

# A client that cannot be run: a sipp_* module that accepts its settings fails on it,
# with no setting named, and never reaches a database.
NO_CLIENT = "/nonexistent/mariadb"

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
TOO_MANY = ["mysqladmin: connect to server at 'localhost' failed",
            "error: 'Too many connections'"]


def _filters() -> dict[str, Callable[..., Any]]:
    return filters("sop_module_utils")


def test_the_ping_filter_judges_as_the_module_utils_do():
    failure = _filters()["sop_ping_failure"]
    assert failure(["mysqld is alive"], 0) is None
    assert failure(["error: 'Access denied for user 'root'@'localhost''"], 0) is None
    assert failure(TOO_MANY, 0) == "Too many connections"  # exit 0 before 10.11.19
    assert failure([], "1") == "kode keluar 1"  # Ansible may hand the status as text


@pytest.mark.parametrize(("lines", "rc", "message"), [
    ("error: 'Too many connections'", 0,
     "sop_ping_failure: the input must be the ping's output lines (a list), not str"),
    (["mysqld is alive"], None, "sop_ping_failure: rc must be the ping's exit status, not None"),
    (["mysqld is alive"], "", "sop_ping_failure: rc must be the ping's exit status, not ''"),
])
def test_the_ping_filter_refuses_what_is_no_ping_s_output(lines, rc, message):
    """A ping's stdout (text) for its stdout_lines was read as its characters: judged
    an answer with exit status 0, else by its first character ('e')."""
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_ping_failure"](lines, rc)
    assert str(refused.value) == message


def test_the_mask_filters_are_sop_secrets_own():
    filters = _filters()
    assert filters["sop_mask_url"]("https://u:s3cret@pn.example/") == "https://***@pn.example/"
    assert "s3cret" not in filters["sop_mask_command"]("mariadb --password=s3cret")


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (1250, None, "1.250"), (93.46, 1, "93,5"), (0.671, None, "0,671"), (26.0, None, "26"),
    (2**63 - 1, None, "9.223.372.036.854.775.807"), (1234567.5, 1, "1.234.567,5"),
    (0, 1, "0,0"), (-1.25, None, "-1,25"),
    (None, None, "?"), ("12", None, "?"), (True, None, "?"), ([], 1, "?"),
    # a module's 0/0 or overflow (Ansible's JSON passes NaN and the infinities on) was
    # written nan or inf in a Bahasa report
    (float("nan"), None, "?"), (float("inf"), 1, "?"), (-float("inf"), None, "?"),
])
def test_sop_angka_writes_as_module_utils_sop_bahasa(value, decimals, text):
    angka = _filters()["sop_angka"]
    assert (angka(value) if decimals is None else angka(value, decimals)) == text


@pytest.mark.parametrize("decimals", [-1, "x", [], "-2"])
def test_sop_angka_refuses_decimals_that_are_no_count(decimals):
    """A negative count failed in format's words (Format specifier missing precision), a
    text one in int()'s (invalid literal for int() with base 10)."""
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_angka"](1.25, decimals)
    assert str(refused.value) == (
        f"sop_angka: decimals must be a whole number of 0 or more, not {decimals!r}")


def test_a_value_a_module_did_not_return_renders_as_a_question_mark(tmp_path):
    """An assert's success_msg is rendered even when the assert fails: a message naming a
    result field absent in check mode must not replace the task's own failure."""
    play = tmp_path / "play.yml"
    play.write_text("""
- hosts: localhost
  gather_facts: false
  vars:
    r: {verification: {reason: x}, size: 13107200, share: 0.9346}
  tasks:
    - ansible.builtin.debug:
        msg: >-
          {{ r.verification.duration | default(none) | sop_angka }} detik,
          {{ (r.size / 1048576) | sop_angka(1) }} MiB, {{ (r.share * 100) | sop_angka(1) }} %
""", encoding="utf-8")
    proc = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", str(play)],
                          capture_output=True, text=True, check=False, cwd=ROOT, timeout=300,
                          env=dict(ENV, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json"))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    assert result["msg"] == "? detik, 12,5 MiB, 93,5 %"


@pytest.mark.parametrize(("cause", "status", "said"), [
    # uri's causes (sop_uri_failure's) beside sipp_sync_status's: one table
    ("Connection refused", -1,
     "SIPP MA menolak koneksi: layanannya tidak berjalan atau port salah"),
    ("timed out", -1, "SIPP MA tidak menjawab dalam batas waktu"),
    ("The read operation timed out", None, "SIPP MA tidak menjawab dalam batas waktu"),
    ("Name or service not known", "-1", "nama server SIPP MA tidak ditemukan di DNS"),
    ("HTTP Error 503: Service Unavailable", 503,
     "SIPP MA sedang tidak melayani (pemeliharaan atau beban penuh)"),
    ("HTTP Error 599: Odd", "599", "server SIPP MA bermasalah"),
    ("OK (unknown bytes)", 200, ""),
    ("something else", -1, ""),
])
def test_sop_sipp_central_said_is_sipp_sync_status_own_table(cause, status, said):
    assert _filters()["sop_sipp_central_said"](cause, status) == said


@pytest.mark.parametrize("status", ["x", [], "5.0"])
def test_sop_sipp_central_said_refuses_a_status_that_is_no_number(status):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_sipp_central_said"]("Connection refused", status)
    assert str(refused.value) == ("sop_sipp_central_said: status must be uri's HTTP status "
                                  f"(-1 for no answer), not {status!r}")


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (-1, "-1"), ("0", "0"), ("-2.5", "-2.5"), (float("nan"), "nan"),
    (float("inf"), "inf"), (20, None), ("20", None), (0.5, None),
])
def test_sop_seconds_error_is_the_modules_own_check(value, shown):
    """The check sipp_sync_status makes of its timeout, on the controller: uri took 0
    and -1 (from -e, a text) and was blamed for no answer."""
    refused = _filters()["sop_seconds_error"](value, "sipp_sync_http_timeout")
    assert refused == (None if shown is None else {
        "msg": f"sipp_sync_http_timeout: must be a positive number of seconds, not {shown}",
        "setting": "sipp_sync_http_timeout"})


@pytest.mark.parametrize(("value", "shown"), [
    (-1, "-1"), ("-0.5", "-0.5"), (float("nan"), "nan"), (0, None), ("0", None), (600, None),
])
def test_sop_seconds_error_keeps_0_where_the_module_does(value, shown):
    """mariadb_restore_verify's stall_timeout, whose 0 turns the check off: the filter
    without zero refused 0, which the module takes."""
    refused = _filters()["sop_seconds_error"](value, "sipp_backup_verify_stall_timeout",
                                              "turns the check off")
    assert refused == (None if shown is None else {
        "msg": "sipp_backup_verify_stall_timeout: must be 0 (turns the check off) or a "
               f"positive number of seconds, not {shown}",
        "setting": "sipp_backup_verify_stall_timeout"})


@pytest.mark.parametrize(("value", "name", "zero", "message"), [
    (5, "t", "", "sop_seconds_error: zero must say what 0 means, not ''"),
    (5, "t", 0, "sop_seconds_error: zero must say what 0 means, not 0"),
])
def test_sop_seconds_error_refuses_a_zero_that_says_nothing(value, name, zero, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_seconds_error"](value, name, zero)
    assert str(refused.value) == message


@pytest.mark.parametrize(("name", "message"), [
    ("", "sop_seconds_error: name must be the variable's name, not ''"),
    (None, "sop_seconds_error: name must be the variable's name, not None"),
])
def test_sop_seconds_error_refuses_a_name_that_is_no_variable_s(name, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_seconds_error"](5, name)
    assert str(refused.value) == message


# Values no module takes as a number, as the filters are given them (a raw or untyped
# role variable, null, a YAML yes), and how sop_options shows each.
NO_NUMBERS = [("abc", "'abc'"), ("", "''"), ("1,5", "'1,5'"), (True, "True"),
              (False, "False"), ([1], "[1]"), ({"a": 1}, "{'a': 1}"), (None, "None"),
              ("nan", "nan"), ("-inf", "-inf"), (float("inf"), "inf")]


@pytest.mark.parametrize(("value", "shown"), NO_NUMBERS)
@pytest.mark.parametrize(("name", "arguments", "expected"), [
    ("sop_seconds_error", (), "a positive number of seconds"),
    ("sop_seconds_error", ("never stops it",), "0 (never stops it) or a positive number of "
                                               "seconds"),
    ("sop_duration_error", ("minutes",), "a positive number of minutes"),
    ("sop_range_error", ("threads",), "0 (the number of CPUs) or a positive number of threads"),
    ("sop_range_error", ("zstd level",), "a positive number of levels"),
    ("sop_range_error", ("keep_free",), "0 (keeps no share free) or a positive number of "
                                        "percent"),
])
def test_a_value_that_is_no_number_is_the_modules_failure_not_a_template_error(
        name, arguments, expected, value, shown):
    """A text that is no number, true or false, a list, a dict or null failed the template
    in the filter's own words (AnsibleFilterError), not the role's one line
    (`pengaturan salah: <variable>: ...`): now module_utils/sop_options refuses each, for
    the modules and the filters alike."""
    assert _filters()[name](value, "x_setting", *arguments) == {
        "msg": f"x_setting: must be {expected}, not {shown}", "setting": "x_setting"}


@pytest.mark.parametrize("value", [60, "60", " 60 ", 0, -1, 10**12, "abc", "", True, False,
                                   None, [60], {"m": 60}, "nan"])
def test_the_filters_refuse_what_the_module_refuses(tmp_path, value):
    """backup_ingest's stale_minutes (an int option, module_utils/sop_options'
    duration_error) and sop_duration_error refuse the same values: the module by its
    argument spec (a text that is no whole number, a list, null) or its own check (true,
    false, 0, a negative one, more than ten years), in the same words for the latter."""
    code, result = run_module("backup_ingest", tmp_path, {
        "incoming": str(tmp_path / "absent"), "store": str(tmp_path / "store"),
        "prefix": "sipp", "stale_minutes": value})
    refused = _filters()["sop_duration_error"](value, "stale_minutes", "minutes")
    assert (code != 0) == (refused is not None), result
    if "setting" in result:
        assert result["msg"] == refused["msg"]


@pytest.mark.parametrize(("value", "zero", "said"), [
    (-5, None, "must be a positive number of minutes, not -5"),
    ("0", None, "must be a positive number of minutes, not 0"),
    (float("nan"), None, "must be a positive number of minutes, not nan"),
    ("1e12", None, "must be at most 5256000 minutes (ten years), not 1e+12"),
    (-1, "syncs on every run", "must be 0 (syncs on every run) or a positive number of "
                               "minutes, not -1"),
    (60, None, None), ("60", None, None), (5256000, None, None), (0, "syncs on every run", None),
])
def test_sop_duration_error_is_the_modules_own_check(value, zero, said):
    """sipp_sync_min_interval, compared by the role's Jinja and no module: refused as
    backup_ingest's stale_minutes is (module_utils/sop_options.duration_error)."""
    refused = _filters()["sop_duration_error"](value, "sipp_sync_min_interval", "minutes",
                                               zero)
    assert refused == (None if said is None else {
        "msg": f"sipp_sync_min_interval: {said}", "setting": "sipp_sync_min_interval"})


@pytest.mark.parametrize(("value", "name", "unit", "zero", "message"), [
    (5, "t", "seconds", None,
     "sop_duration_error: unit must be one of minutes, hours, days, not 'seconds'"),
    (5, "t", ["hours"], None,
     "sop_duration_error: unit must be one of minutes, hours, days, not ['hours']"),
    (5, None, "days", None, "sop_duration_error: name must be the variable's name, not None"),
    (5, "t", "days", "", "sop_duration_error: zero must say what 0 means, not ''"),
])
def test_sop_duration_error_refuses_its_own_bad_arguments(value, name, unit, zero, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_duration_error"](value, name, unit, zero)
    assert str(refused.value) == message


@pytest.mark.parametrize(("value", "bounds", "said"), [
    # -e gives the text; mariadb_backup's threads (mydumper got --threads 1 without a word)
    ("-4", "threads", "must be 0 (the number of CPUs) or a positive number of threads, not -4"),
    (33, "threads", "must be at most 32 threads, not 33"),
    (0, "threads", None),
    ("32", "threads", None),
    # the compressors' levels, mariadb_backup's compression_level by its compression
    ("99", "zstd level", "must be at most 19 levels (zstd's highest), not 99"),
    (12, "gzip level", "must be at most 9 levels (gzip's highest), not 12"),
    (0, "zstd level", "must be a positive number of levels, not 0"),
    (19, "zstd level", None),
    (9, "gzip level", None),
    # mariadb_restore_verify's shrink settings
    ("150", "shrink_percent", "must be at most 99 percent, not 150"),
    (-1, "shrink_percent", "must be 0 (compares nothing) or a positive number of percent, "
                           "not -1"),
    (0, "shrink_percent", None),
    ("-1", "shrink_min_rows", "must be 0 (compares every table) or a positive number of rows, "
                              "not -1"),
    (0, "shrink_min_rows", None),
])
def test_sop_range_error_is_the_modules_own_check(value, bounds, said):
    """The failure mariadb_backup and mariadb_restore_verify return for the same value
    (module_utils/sop_options.range_error by its RANGES), named by the role's variable."""
    refused = _filters()["sop_range_error"](value, "sipp_backup_x", bounds)
    assert refused == (None if said is None
                       else {"msg": f"sipp_backup_x: {said}", "setting": "sipp_backup_x"})


BOUNDS = ("threads, shrink_percent, shrink_min_rows, count_tolerance, zstd level, gzip level, "
          "percent, free_mb, load_per_cpu, log_lines, probes, loss_warn_percent, latency_warn_ms, "
          "temperature_warn, warn_percent, workers, keep, max_export_bytes, keep_free, "
          "log_top, bruteforce_threshold, proxy_min_requests, failed_login_warn")


@pytest.mark.parametrize(("value", "name", "bounds", "message"), [
    # sipp_backup_compression ~ ' level' of a compressor with no levels
    (3, "t", "xz level", f"sop_range_error: bounds must be one of {BOUNDS}, not 'xz level'"),
    (3, "t", None, f"sop_range_error: bounds must be one of {BOUNDS}, not None"),
    (5, "", "threads", "sop_range_error: name must be the variable's name, not ''"),
])
def test_sop_range_error_refuses_its_own_bad_arguments(value, name, bounds, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_range_error"](value, name, bounds)
    assert str(refused.value) == message


@pytest.mark.parametrize(("name", "option", "keys"), [("sop_range_error", "bounds", "RANGES"),
                                                    ("sop_targets_error", "kind", "TARGETS")])
def test_the_documented_choices_are_sop_options_own_keys(name, option, keys):
    """The documented choices of sop_range_error's bounds and sop_targets_error's kind are
    sop_options' RANGES and TARGETS keys, no more, no fewer."""
    proc = subprocess.run(["ansible-doc", "-t", "filter", "--json", name],
                          capture_output=True, text=True, check=False, env=ENV, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = next(iter(json.loads(proc.stdout).values()))["doc"]
    spec = importlib.util.spec_from_file_location("sop_test_options",
                                                  ROOT / "module_utils" / "sop_options.py")
    assert spec is not None and spec.loader is not None
    options = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(options)
    assert doc["options"][option]["choices"] == list(getattr(options, keys))


@pytest.mark.parametrize(("name", "options"), [("sop_ping_failure", {"_input", "rc"}),
                                               ("sop_angka", {"_input", "decimals"}),
                                               ("sop_sipp_central_said", {"_input", "status"}),
                                               ("sop_seconds_error", {"_input", "name", "zero"}),
                                               ("sop_duration_error",
                                                {"_input", "name", "unit", "zero"}),
                                               ("sop_range_error",
                                                {"_input", "name", "bounds"}),
                                               ("sop_keep_error", {"_input"}),
                                               ("sop_targets_error",
                                                {"_input", "name", "kind"}),
                                               ("sop_name_error", {"_input"}),
                                               ("sop_month_error", {"_input", "name"}),
                                               ("sop_log_category_error", {"_input", "name"}),
                                               ("sop_wordpress_error", {"_input"}),
                                               ("sop_zone_error", {"_input", "name"}),
                                               ("sop_day_error", {"_input", "name"}),
                                               ("sop_proxies_error", {"_input", "name"}),
                                               ("sop_spam_accepted_error",
                                                {"_input", "name"}),
                                               ("sop_office_hours_error", {"_input", "prefix"}),
                                               ("sop_sipp_zone_error", {"_input", "name"}),
                                               ("sop_sipp_columns_error",
                                                {"_input", "name", "module"}),
                                               ("sop_type_error",
                                                {"_input", "name", "kind", "null_ok"})])
def test_ansible_doc_renders_the_filter(name, options):
    proc = subprocess.run(["ansible-doc", "-t", "filter", "--json", name],
                          capture_output=True, text=True, check=False, env=ENV, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = next(iter(json.loads(proc.stdout).values()))["doc"]
    assert set(doc["options"]) == options


@pytest.mark.parametrize(("name", "refused"), [
    ("rb-kantor.1", False), ("RB_2", False), ("a" * 64, False),
    ("RB Kantor", True), (".hidden", True), ("../etc", True), ("", True), ("a" * 65, True),
    (None, True),
])
def test_sop_device_name_error_is_net_config_stores_own_check(name, refused):
    """The network role refuses a RouterBoard name before any router is read by the check
    net_config_store makes of it (module_utils/sop_options.device_name_error)."""
    said = _filters()["sop_device_name_error"](name)
    assert said == ("name must be 1 to 64 letters, digits, '.', '_' and '-', starting with "
                    "a letter or a digit" if refused else None)


KEEP_REFUSED = "must be a whole number of backups to keep, 0 or more, not"


@pytest.mark.parametrize(("value", "shown"), [
    (7, None), (0, None), ("7", None), (" 12 ", None), ("0", None), (7.0, None),
    ("1.0", None),
    (-1, "-1"), ("-1", "-1"), ("abc", "'abc'"), ("1.5", "'1.5'"), (1.5, "1.5"), ("", "''"),
    (None, "None"), (float("inf"), "inf"), (float("nan"), "nan"), ([1], "[1]"),
    # a module reads true as 1: a YAML yes for a count is no count
    (True, "True"), (False, "False"),
])
def test_sop_keep_error_is_the_retentions_own_rule(value, shown):
    """A keep count read as a module reads its int option (-e gives the text), below 0
    refused by sop_retention.keep_error, named by the role's variable."""
    said = _filters()["sop_keep_error"]({"website_backup_keep_weekly": value})
    assert said == (None if shown is None else
                    f"pengaturan salah: website_backup_keep_weekly: {KEEP_REFUSED} {shown}")


@pytest.mark.parametrize("value", [7, 0, "7", " 12 ", "1.0", 7.0, -1, "-1", "abc", "1.5", 1.5,
                                   "", None, [1]])
def test_sop_keep_error_refuses_what_the_retention_module_refuses(tmp_path, value):
    """The role's rule is backup_retention's own: the module fails on exactly the counts
    the filter refuses (its int option and keep_error), before it reads anything."""
    code, result = run_module("backup_retention", tmp_path, {
        "path": str(tmp_path / "absent"), "prefix": "sipp", "keep_daily": value})
    refused = _filters()["sop_keep_error"]({"sipp_backup_keep_daily": value})
    assert (code != 0) == (refused is not None), result


def test_sop_keep_error_names_the_first_refused_count_in_order():
    keep = _filters()["sop_keep_error"]
    assert keep({"sipp_backup_keep_daily": 7, "sipp_backup_keep_weekly": "-2",
                 "sipp_backup_keep_monthly": "x"}) == (
        f"pengaturan salah: sipp_backup_keep_weekly: {KEEP_REFUSED} -2")
    # every count 0 is good: the retentions keep the newest verified backup whatever
    assert keep({f"sipp_backup_keep_{rule}": 0 for rule in ("daily", "weekly", "monthly")}) \
        is None


@pytest.mark.parametrize(("settings", "message"), [
    ({"sipp_backup_remote_keep_free": 5},
     "sop_keep_error: 'sipp_backup_remote_keep_free' names no keep count (a variable ending "
     "in keep_daily, keep_weekly, keep_monthly)"),
    ({3: 4}, "sop_keep_error: 3 names no keep count (a variable ending in keep_daily, "
             "keep_weekly, keep_monthly)"),
    ({}, "sop_keep_error: the input must be the keep counts by variable name (a non-empty "
         "dict), not {}"),
    ([7], "sop_keep_error: the input must be the keep counts by variable name (a non-empty "
          "dict), not list"),
    (7, "sop_keep_error: the input must be the keep counts by variable name (a non-empty "
        "dict), not int"),
])
def test_sop_keep_error_refuses_its_own_bad_arguments(settings, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_keep_error"](settings)
    assert str(refused.value) == message


@pytest.mark.parametrize(("value", "msg"), [
    ("", None), ("https://sipp.pn-contoh.go.id/SIPP311", None),
    # null is none, as '' (a role refuses first, by sop_type_error, a null that is no none)
    (None, None),
    # uri recorded these as the site not answering
    ("sipp.pn-contoh.go.id/SIPP311",
     "u: 'sipp.pn-contoh.go.id/SIPP311' is not an http(s) URL with a host"),
    ("https://sipp.pn-contoh.go.id/SIPP 311",
     "u: holds a space at character 34, which no URL holds: remove it or percent-encode it "
     "(%20 for a space)"),
    # a credential of a URL without its scheme, which mask_url leaves as written
    ("sop:S3cret@sipp.pn-contoh.go.id/?token=T0ken",
     "u: '***@sipp.pn-contoh.go.id/?token=***' is not an http(s) URL with a host"),
    # an e-mail address given for a URL is quoted as written, no credential in it
    ("admin@pn-contoh.go.id",
     "u: 'admin@pn-contoh.go.id' is not an http(s) URL with a host"),
    (8080, "u: must be a URL (text), not int"),
    (True, "u: must be a URL (text), not bool"),
    (["https://sipp.pn-contoh.go.id/"], "u: must be a URL (text), not list"),
    ({"url": "https://sipp.pn-contoh.go.id/"}, "u: must be a URL (text), not dict"),
])
def test_sop_url_error_is_the_modules_check_masked(value, msg):
    assert _filters()["sop_url_error"](value, "u") == (
        None if msg is None else {"msg": msg, "setting": "u"})


@pytest.mark.parametrize(("name", "problem"), [
    ("sipp", ""), ("", "the database name is empty"),
    ("-sipp", "the database name -sipp starts with '-', which the dump and the client "
              "would read as an option")])
def test_sop_database_name_error_is_sop_mariadbs_check(name, problem):
    assert _filters()["sop_database_name_error"](name) == problem


@pytest.mark.parametrize(("value", "kind", "refused"), [
    (["10.0.0.1", "sipp.pn-contoh.local", "fe80::1%eth0"], "host", None),
    # a number is read as its text, as a module's elements: str option reads it
    ([10], "name", None),
    (["ups1@nut:3493", "ups2@[2001:db8::1]"], "ups", None),
    (["10.0.0.1", "-f"], "host", "v: must be a host name (letters, digits, '-' and '_', "
                                 "labels separated by '.', none starting with '-') or an IP "
                                 "address, not '-f'"),
    (["dns.pn"], "address", "v: must be an IPv4 or IPv6 address, not 'dns.pn'"),
    ([" "], "name", "v: an empty entry in the list (an empty list, [], skips it)"),
    ([True], "host", "v: must be a host name (letters, digits, '-' and '_', labels "
                     "separated by '.', none starting with '-') or an IP address, not True"),
])
def test_sop_targets_error_is_the_modules_own_check(value, kind, refused):
    said = _filters()["sop_targets_error"](value, "v", kind)
    assert said == (None if refused is None else {"msg": refused, "setting": "v"})


@pytest.mark.parametrize(("value", "name", "kind", "message"), [
    ("10.0.0.1", "v", "host", "sop_targets_error: v must be a list, not str"),
    (["10.0.0.1"], "v", "url", "sop_targets_error: kind must be one of host, address, name, "
                               "ups, not 'url'"),
    (["10.0.0.1"], "", "host", "sop_targets_error: name must be the variable's name, not ''"),
])
def test_sop_targets_error_refuses_its_own_bad_arguments(value, name, kind, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_targets_error"](value, name, kind)
    assert str(refused.value) == message


@pytest.mark.parametrize(("kind", "good", "bad"), [
    ("host", ["backup.pn-bangil.go.id", "10.0.0.5", "[fe80::1]", "fe80::2", "backup_1"],
     ["-oProxyCommand=x", ".backup", "backup host", "backup;id", "backup\n", ""]),
    ("account", ["sipbackup", "_web-2", "a" * 32],
     ["-oProxyCommand=x", "Web", "x'@'%", "2web", "a" * 33, "web\n", ""]),
    ("prefix", ["sipp", "pn.bangil_web-db", "3sipp"],
     ["-db", ".sipp", 'web" ,no-pty', "a/b", "web\n", ""]),
    ("path", ["/root/.ssh/sipp_backup_ed25519", "/srv/backup/incoming/400999", "/a+b"],
     ["/root/a b", "/root/k;reboot", "/root/$(id)", "/root/`id`", "relative/dir",
      "/root/k\n", ""]),
    ("port", [22, "2222", " 22 ", 65535, 1], [0, "0", 65536, "-22", "ssh", 22.5, True, ""]),
    ("kode_satker", ["400999", "097123", 400999],
     ["400/999", "../400999", "40099", "4009990", "400999\n", " 400999", "PN-X", 5349, ""]),
])
def test_sop_name_error_is_sop_options_rule_of_each_kind(kind, good, bad):
    """Each kind's names by module_utils/sop_options.name_error, judged whole as text."""
    name_error = _filters()["sop_name_error"]
    assert name_error({kind: {f"good_{number}": value for number, value in enumerate(good)}}) \
        is None
    for value in bad:
        said = name_error({kind: {"x_setting": value}})
        assert said is not None and said.startswith("pengaturan salah: x_setting: must be "), \
            (kind, value)


def test_sop_name_error_names_every_refused_name_in_order_in_one_line():
    """Every refused name in the order given, a port's value unquoted, a control
    character escaped; a null value (a setting that cannot be rendered) not judged."""
    said = _filters()["sop_name_error"]({
        "port": {"a_port": "0"},
        "account": {"a_user": "ok", "b_user": "-oProxyCommand=x"},
        "host": {"a_host": None},
        "path": {"a_ssh_key": "/root/a\nb"}})
    assert said == (
        "pengaturan salah: a_port: must be a port from 1 to 65535, not 0; b_user: must be "
        "an account name: lowercase letters, digits, '_' and '-', starting with a letter or "
        "'_', at most 32, not '-oProxyCommand=x'; a_ssh_key: must be an absolute path of "
        "letters, digits, '/', '.', '_', '+' and '-' (a shell's command line takes it: a "
        "space splits it, a ';' runs what follows), not '/root/a\\nb'")


def test_sop_name_error_tells_to_quote_a_kode_satker_yaml_read_as_a_number():
    """court_kode_satker: 012345 unquoted is YAML's octal 5349: the line says why."""
    assert _filters()["sop_name_error"]({"kode_satker": {"court_kode_satker": 5349}}) == (
        "pengaturan salah: court_kode_satker: must be the court's kode satker, six digits "
        "(400999), not '5349' (write it in quotes: unquoted, YAML reads it as a number, an "
        "octal one when it starts with 0)")


@pytest.mark.parametrize(("names", "message"), [
    ({"user": {"a": "b"}},
     "sop_name_error: 'user' is no kind of name (one of host, account, prefix, path, port, "
     "kode_satker)"),
    ({"account": ["a"]},
     "sop_name_error: the account names must be their values by variable name (a dict), "
     "not list"),
    ({}, "sop_name_error: the input must be the names by kind (a non-empty dict), not {}"),
    ("a", "sop_name_error: the input must be the names by kind (a non-empty dict), not str"),
])
def test_sop_name_error_refuses_its_own_bad_arguments(names, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_name_error"](names)
    assert str(refused.value) == message


@pytest.mark.parametrize(("value", "said"), [
    ("2026-12", None), ("", None), ("2026-1", None),
    # null is the current month, as ''
    (None, None),
    ("2026-13", "m: '2026-13' is not a month (YYYY-MM)"),
    ("Desember 2026", "m: 'Desember 2026' is not a month (YYYY-MM)"),
    (202612, "m: must be a month YYYY-MM (text), not int"),
    (False, "m: must be a month YYYY-MM (text), not bool"),
    (["2026-12"], "m: must be a month YYYY-MM (text), not list"),
    ({"2026": 12}, "m: must be a month YYYY-MM (text), not dict"),
])
def test_sop_month_error_is_the_summaries_own_reading(value, said):
    """As month_bounds reads security_schedule's and security_sop_summary's month (2026-1
    too), the option's name replaced by the variable's."""
    assert _filters()["sop_month_error"](value, "m") == (
        None if said is None else {"msg": said, "setting": "m"})
    month_bounds, today = load("sop_security").month_bounds, datetime.date(2026, 12, 7)
    if value is None:  # the modules' option given null: the current month, as ''
        assert month_bounds(value, today) == month_bounds("", today)
    if isinstance(value, str) and value:
        if said is None:
            month_bounds(value, today)
        else:
            with pytest.raises(load("sop_security").SecurityInputError):
                month_bounds(value, today)


def test_sop_log_category_error_knows_every_category_a_finding_has():
    """Every category the audit titles (a finding's category) is known, and only those:
    the list is sop_weblog_patterns' own."""
    patterns = load("sop_weblog_patterns")
    known = list(patterns.CATEGORIES)
    assert all(patterns.category_title(category) for category in known)
    assert _filters()["sop_log_category_error"](known, "c") is None
    assert _filters()["sop_log_category_error"]([], "c") is None
    assert _filters()["sop_log_category_error"](["webshel", "webshell", "SQLI"], "c") == {
        "msg": "c: no category of the access-log audit: webshel, SQLI (the categories are "
               f"{', '.join(known)})", "setting": "c"}


@pytest.mark.parametrize(("value", "name", "message"), [
    ("webshell", "c", "sop_log_category_error: c must be a list, not str"),
    (["webshell"], None, "sop_log_category_error: name must be the variable's name, not None"),
])
def test_sop_log_category_error_refuses_its_own_bad_arguments(value, name, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_log_category_error"](value, name)
    assert str(refused.value) == message


@pytest.mark.parametrize("settings", [
    {"site_url": "https://pn-contoh.go.id/", "available": {"core": "6.4.3"},
     "root_urls": {"/usr/share/wordpress/": "https://blog.pn-contoh.go.id"}},
    {"site_url": "pn-contoh.go.id"},
    {"site_url": "https://sop:S3cret@pn-contoh.go.id/?token=T0ken"},
    {"available": {"core": 6.1}},
    {"available": {"plugins": ["akismet"]}},
    {"available": {"plugins": {"akismet": None}}},
    {"root_urls": {"/usr/share/wordpress": "https://blog.pn-contoh.go.id/"}},
    {"site_url": "https://pn-contoh.go.id/", "root_urls": {"/srv/blog": "https://b.go.id/"}},
    {"site_url": "https://pn-contoh.go.id/", "root_urls": {"/var/www/html": "b.go.id"}},
])
def test_sop_wordpress_error_is_the_modules_own_check(tmp_path, settings):
    """The failure security_wordpress returns for the same options (its default roots),
    before it reads anything; none where it runs on."""
    rc, result = run_module("security_wordpress", tmp_path, {
        **settings, "plugin_dirs": [], "apt_package": "", "_ansible_check_mode": True})
    said = _filters()["sop_wordpress_error"](settings)
    if rc == 0:
        assert said is None
    else:
        assert said == {"msg": result["msg"], "setting": result["setting"]}
        assert "S3cret" not in said["msg"] and "T0ken" not in said["msg"]


@pytest.mark.parametrize(("settings", "message"), [
    ("https://pn-contoh.go.id/", "sop_wordpress_error: the input must be security_wordpress's "
                                 "available, site_url and root_urls by option name (a dict), "
                                 "not str 'https://pn-contoh.go.id/'"),
    ({"url": "https://pn-contoh.go.id/"},
     "sop_wordpress_error: the input must be security_wordpress's available, site_url and "
     "root_urls by option name (a dict), not dict {'url': 'https://pn-contoh.go.id/'}"),
])
def test_sop_wordpress_error_refuses_its_own_bad_arguments(settings, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_wordpress_error"](settings)
    assert str(refused.value) == message



@pytest.mark.parametrize(("option", "name", "value", "module_value"), [
    ("timezone", "sop_zone_error", "Asia/Jakrta", "Asia/Jakrta"),
    ("timezone", "sop_zone_error", " WIB", " WIB"),
    ("timezone", "sop_zone_error", "", ""),
    ("timezone", "sop_zone_error", "wita", "wita"),
    ("timezone", "sop_zone_error", "Asia/Jayapura", "Asia/Jayapura"),
    ("hosting_end_date", "sop_day_error", "31-01-2027", "31-01-2027"),
    ("hosting_end_date", "sop_day_error", "2027-02-30", "2027-02-30"),
    ("hosting_end_date", "sop_day_error", "2027-01-31", "2027-01-31"),
    # a date YAML read unquoted: the module's str option reads its text
    ("hosting_end_date", "sop_day_error", datetime.date(2027, 1, 31), "2027-01-31"),
    ("hosting_end_date", "sop_day_error", "", ""),
    # null is none, as the module reads its option given null
    ("hosting_end_date", "sop_day_error", None, None),
])
def test_sop_zone_and_day_error_are_website_renewals_own_check(
        tmp_path, option, name, value, module_value):
    """The failure website_renewals returns for the same setting, before it asks
    anything (no URL, no RDAP service); none where it refuses nothing."""
    rc, result = run_module("website_renewals", tmp_path, {
        "domain": "pn-contoh.go.id", "rdap_url": "", option: module_value,
        "_ansible_check_mode": True})
    said = _filters()[name](value, option)
    if rc == 0:
        assert said is None
    else:
        assert said == {"msg": result["msg"], "setting": result["setting"]}


@pytest.mark.parametrize(("name", "value", "said"), [
    ("sop_zone_error", 7, "z: must be a time zone name (text), not int"),
    ("sop_zone_error", None, "z: must be a time zone name (text), not NoneType"),
    ("sop_day_error", 20270131, "z: must be a date YYYY-MM-DD (text), not int"),
    ("sop_day_error", ["2027-01-31"], "z: must be a date YYYY-MM-DD (text), not list"),
    ("sop_day_error", {"end": "2027-01-31"}, "z: must be a date YYYY-MM-DD (text), not dict"),
    ("sop_day_error", True, "z: must be a date YYYY-MM-DD (text), not bool"),
])
def test_sop_zone_and_day_error_refuse_a_value_that_is_no_text(name, value, said):
    assert _filters()[name](value, "z") == {"msg": said, "setting": "z"}


@pytest.mark.parametrize(("value", "said"), [
    (["10.0.0.5", "10.0.0.0/24", "2001:db8::/112", "::ffff:10.0.0.0/120"], None),
    ([], None),
    (["10.0.0.5", "proxy.lan"], "p: 'proxy.lan' is no IP address or network"),
    # the module's elements: str reads 10 as '10', no address
    ([10], "p: '10' is no IP address or network"),
])
def test_sop_proxies_error_is_website_log_audits_own_reading(tmp_path, value, said):
    assert _filters()["sop_proxies_error"](value, "p") == (
        None if said is None else {"msg": said, "setting": "p"})
    if said is not None:
        log = tmp_path / "access.log"
        log.write_text("", encoding="utf-8")
        rc, result = run_module("website_log_audit", tmp_path, {
            "paths": [str(log)], "state_dir": str(tmp_path / "state"),
            "trusted_proxies": value, "_ansible_check_mode": True})
        assert rc == 1
        assert (result["msg"], result["setting"]) == (
            said.replace("p:", "trusted_proxies:", 1), "trusted_proxies")


@pytest.mark.parametrize(("value", "said"), [
    ([{"fingerprint": "0123456789abcdef" * 2, "note": "berita perkara"},
      {"fingerprint": " 0123456789ABCDEF0123456789ABCDEF "}], None),
    ([], None),
    ([{"fingerprint": "togel"}],
     "s: 'togel' is no fingerprint (32 hex digits, as a finding names it)"),
    (["0123456789abcdef" * 2], "s: each entry must be {fingerprint, note}, not str "
                               "'0123456789abcdef0123456789abcdef'"),
    ([{"note": "berita"}], "s: each entry must be {fingerprint, note}, not dict "
                           "{'note': 'berita'}"),
])
def test_sop_spam_accepted_error_is_website_integritys_own_reading(value, said):
    assert _filters()["sop_spam_accepted_error"](value, "s") == (
        None if said is None else {"msg": said, "setting": "s"})


@pytest.mark.parametrize("name", ["sop_proxies_error", "sop_spam_accepted_error"])
def test_the_list_filters_refuse_their_own_bad_arguments(name):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()[name]("10.0.0.5", "x")
    assert str(refused.value) == f"{name}: x must be a list, not str"
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()[name]([], None)
    assert str(refused.value) == f"{name}: name must be the variable's name, not None"


OFFICE = {"office_hours_start": "08:00", "office_hours_end": "16:30", "office_days": [1, 2, 3]}


@pytest.mark.parametrize("settings", [
    {}, {"office_hours_start": "7:30"}, {"office_days": [1, 2, 3, 4, 5, 6, 7]},
    {"office_hours_start": "8"}, {"office_hours_start": "25:00"},
    {"office_hours_end": "08:60"}, {"office_hours_start": " 07:30 "},
    # YAML's number for an unquoted 16:00, named as typed; null is the empty text
    {"office_hours_end": 960}, {"office_hours_start": None},
    {"office_hours_start": "16:30", "office_hours_end": "08:00"},
    {"office_hours_start": "08:00", "office_hours_end": "08:00"},
    {"office_days": []}, {"office_days": [0]}, {"office_days": [1, 8]},
    # -e gives the text, which the module's list of int options reads as the list
    {"office_days": "1,2,3"}, {"office_days": "1, 2, 9"}, {"office_days": ["6", "7"]},
])
def test_sop_office_hours_error_is_sipp_audit_summarys_own_check(tmp_path, settings):
    """The failure sipp_audit_summary returns for the same options, before it connects,
    named by the prefix; none where it goes on to its client."""
    given = {**OFFICE, **settings}
    rc, result = run_module("sipp_audit_summary", tmp_path, {
        **given, "database": "sipp", "client_binary": NO_CLIENT})
    assert rc == 1
    said = _filters()["sop_office_hours_error"](given, "p_")
    if "setting" not in result:
        assert said is None, result["msg"]
    else:
        assert said == {"msg": f"p_{result['msg']}", "setting": f"p_{result['setting']}"}


@pytest.mark.parametrize(("days", "cause"), [
    (None, "must be a list of ISO weekday numbers, 1 (Monday) to 7 (Sunday), not null"),
    ({"1": "Senin"}, "must be a list of ISO weekday numbers, 1 (Monday) to 7 (Sunday), "
                     "not a mapping"),
    # the day that is no whole number named, not the list ("not list ['Senin']")
    (["Senin"], "'Senin' is no ISO weekday number, 1 (Monday) to 7 (Sunday)"),
    ([1, 1.5], "1.5 is no ISO weekday number, 1 (Monday) to 7 (Sunday)"),
    ("1,Sabtu", "'Sabtu' is no ISO weekday number, 1 (Monday) to 7 (Sunday)"),
])
def test_sop_office_hours_error_refuses_days_the_modules_arguments_refuse(
        tmp_path, days, cause):
    # refused by the module's argument spec (no list of whole numbers), when it ran
    rc, result = run_module("sipp_audit_summary", tmp_path, {
        **OFFICE, "office_days": days, "database": "sipp", "client_binary": NO_CLIENT})
    assert rc == 1 and "office_days" in result["msg"] and "setting" not in result
    assert _filters()["sop_office_hours_error"]({**OFFICE, "office_days": days}, "p_") == {
        "msg": f"p_office_days: {cause}", "setting": "p_office_days"}


@pytest.mark.parametrize(("settings", "prefix", "message"), [
    ({"office_hours_start": "08:00"}, "p_",
     "sop_office_hours_error: the input must be office_hours_start, office_hours_end, "
     "office_days by option name (a dict), not dict {'office_hours_start': '08:00'}"),
    ("08:00-16:30", "p_",
     "sop_office_hours_error: the input must be office_hours_start, office_hours_end, "
     "office_days by option name (a dict), not str '08:00-16:30'"),
    (OFFICE, None, "sop_office_hours_error: prefix must be the role variables' prefix "
                   "(text), not NoneType"),
])
def test_sop_office_hours_error_refuses_its_own_bad_arguments(settings, prefix, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_office_hours_error"](settings, prefix)
    assert str(refused.value) == message


@pytest.mark.parametrize(("module", "option"), [("sipp_audit_summary", "timezone"),
                                                ("sipp_online_users", "data_timezone")])
@pytest.mark.parametrize("value", ["Asia/Jakrta", "Asia/Jakarta", "+07:00", "+0800", "-12:00",
                                   "+15:00", "+07:60", "WITA", "wit", " WIB", "UTC", "", 7])
def test_sop_sipp_zone_error_is_the_sipp_modules_own_check(tmp_path, module, option, value):
    """The failure each sipp_* module returns for the same zone, before it connects (an
    offset too, which sop_zone_error, the website modules' check, refuses); none where it
    goes on to its client."""
    rc, result = run_module(module, tmp_path, {
        option: value, "database": "sipp", "client_binary": NO_CLIENT})
    assert rc == 1
    said = _filters()["sop_sipp_zone_error"](value, "z")
    if "setting" not in result:
        assert said is None, result["msg"]
    else:
        assert said == {"msg": result["msg"].replace(option, "z", 1), "setting": "z"}


def test_sop_sipp_zone_error_reads_null_as_the_modules_option_does(tmp_path):
    rc, result = run_module("sipp_audit_summary", tmp_path, {
        "timezone": None, "database": "sipp", "client_binary": NO_CLIENT})
    assert (rc, result["msg"]) == (1, "timezone: unknown time zone ''")
    assert _filters()["sop_sipp_zone_error"](None, "z") == {
        "msg": "z: unknown time zone ''", "setting": "z"}
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_sipp_zone_error"]("WIB", None)
    assert str(refused.value) == "sop_sipp_zone_error: name must be the variable's name, not None"


@pytest.mark.parametrize("module", ["sipp_audit_summary", "sipp_online_users"])
@pytest.mark.parametrize("value", [
    {}, {"time": "waktu"}, {"last_activity": "lastvisit", "user": ""}, {"when": "x"},
    {"last_visit": "x", "ip": "i"}, {"user": "u", "table": "t"},
    # -e gives key=value or JSON text, which the module's dict option reads as the mapping
    "time=waktu", "last_visit=x", '{"when": "x"}', {"time": {"a": 1}},
])
def test_sop_sipp_columns_error_is_the_sipp_modules_own_check(tmp_path, module, value):
    """The failure each sipp_* module returns for the same column overrides, before it
    connects, naming the keys of its own table; none where it goes on to its client."""
    rc, result = run_module(module, tmp_path, {
        "columns": value, "database": "sipp", "client_binary": NO_CLIENT})
    assert rc == 1
    said = _filters()["sop_sipp_columns_error"](value, "c", module)
    if "setting" not in result:
        assert said is None, result["msg"]
    else:
        assert result["setting"] == "columns"
        assert said == {"msg": result["msg"].replace("columns", "c", 1), "setting": "c"}


@pytest.mark.parametrize(("value", "shown"), [
    (None, "null"), (["time"], "a list"), ("", "''"), ("waktu", "'waktu'"),
])
def test_sop_sipp_columns_error_refuses_what_the_modules_arguments_refuse(
        tmp_path, value, shown):
    # refused by the module's argument spec (no mapping), when it ran
    rc, result = run_module("sipp_online_users", tmp_path, {
        "columns": value, "database": "sipp", "client_binary": NO_CLIENT})
    assert rc == 1 and "columns" in result["msg"] and "setting" not in result
    assert _filters()["sop_sipp_columns_error"](value, "c", "sipp_online_users") == {
        "msg": "c: must be a mapping of keys to column names (keys: last_activity, user, "
               f"host, login_time), not {shown}", "setting": "c"}


def test_sop_sipp_columns_error_documents_and_takes_the_modules_of_sop_sipp_schema():
    proc = subprocess.run(["ansible-doc", "-t", "filter", "--json", "sop_sipp_columns_error"],
                          capture_output=True, text=True, check=False, env=ENV, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = next(iter(json.loads(proc.stdout).values()))["doc"]
    modules = list(load("sop_sipp_schema").COLUMN_CANDIDATES)
    assert doc["options"]["module"]["choices"] == modules
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_sipp_columns_error"]({}, "c", "sipp_sync_status")
    assert str(refused.value) == ("sop_sipp_columns_error: module must be one of "
                                  f"{', '.join(modules)}, not 'sipp_sync_status'")


@pytest.mark.parametrize("value", [True, False, "yes", "No", " on ", "1", 1, 0, 1.0, "f"])
def test_sop_type_error_takes_a_switch_as_ansible_reads_one(value):
    assert _filters()["sop_type_error"](value, "s", "bool") is None


@pytest.mark.parametrize("value", [[], ["a"], "a", "a,b", "", 5, 1.5])
def test_sop_type_error_takes_a_list_as_argument_specs_and_sop_list_read_one(value):
    assert _filters()["sop_type_error"](value, "s", "list") is None


@pytest.mark.parametrize(("value", "kind", "said"), [
    # argument_specs' "is of type str and we were unable to convert to bool"
    ("maybe", "bool", "must be true or false, not 'maybe'"),
    ("", "bool", "must be true or false, not ''"),
    (2, "bool", "must be true or false, not 2"),
    (0.5, "bool", "must be true or false, not 0.5"),
    (["yes"], "bool", "must be true or false, not a list"),
    ({"a": 1}, "bool", "must be true or false, not a mapping"),
    # argument_specs let null through: read as false by a module
    (None, "bool", "must be true or false, not null"),
    ({"a": 1}, "list", "must be a list, not a mapping"),
    # sop_list failed on it naming no variable
    (None, "list", "must be a list, not null"),
    # argument_specs read it as ['True']
    (True, "list", "must be a list, not true"),
    (False, "list", "must be a list, not false"),
])
def test_sop_type_error_refuses_what_is_of_no_such_type(value, kind, said):
    assert _filters()["sop_type_error"](value, "s", kind) == {"msg": f"s: {said}",
                                                              "setting": "s"}


# a text, or a scalar argument_specs' check_type_str writes as one (-e name=400999 gives
# a number)
@pytest.mark.parametrize("value", ["/var/www/html", "", "None", "yes", 400999, 1.5])
def test_sop_type_error_takes_a_text_as_argument_specs_writes_one(value):
    assert _filters()["sop_type_error"](value, "s", "str") is None


@pytest.mark.parametrize(("value", "said"), [
    # argument_specs read null as '' and a list or a mapping as its text "['/x']"
    (None, "must be a text, not null"),
    (["/var/www/html"], "must be a text, not a list"),
    ([], "must be a text, not a list"),
    ({"a": "/b"}, "must be a text, not a mapping"),
    # YAML's unquoted yes: argument_specs wrote it as 'True' (a password yes was True)
    (True, "must be a text, not the switch true (YAML reads yes, no, on, off, true and "
           "false unquoted as one: write the text in quotes)"),
    (False, "must be a text, not the switch false (YAML reads yes, no, on, off, true and "
            "false unquoted as one: write the text in quotes)"),
])
def test_sop_type_error_refuses_a_text_of_another_type(value, said):
    assert _filters()["sop_type_error"](value, "s", "str") == {"msg": f"s: {said}",
                                                               "setting": "s"}


def test_sop_type_error_takes_null_as_a_text_whose_null_is_none_only():
    assert _filters()["sop_type_error"](None, "s", "str", null_ok=True) is None
    assert _filters()["sop_type_error"](["/x"], "s", "str", null_ok=True) == {
        "msg": "s: must be a text, not a list", "setting": "s"}


@pytest.mark.parametrize(("name", "kind", "null_ok", "message"), [
    ("", "bool", False, "sop_type_error: name must be the variable's name, not ''"),
    ("s", "path", False, "sop_type_error: kind must be bool, list or str, not 'path'"),
    ("s", None, False, "sop_type_error: kind must be bool, list or str, not None"),
    ("s", "str", "yes", "sop_type_error: null_ok must be true or false, not 'yes'"),
])
def test_sop_type_error_refuses_its_own_bad_arguments(name, kind, null_ok, message):
    with pytest.raises(AnsibleFilterError) as refused:
        _filters()["sop_type_error"](True, name, kind, null_ok)
    assert str(refused.value) == message
