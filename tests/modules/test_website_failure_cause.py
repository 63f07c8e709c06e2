"""roles/website's rescues of activities 1 to 4, run by Ansible with the role's own
task of the module: a setting website_check, website_log_audit or website_renewals refuses
is recorded naming the role's variable a court sets (website_log_proxy_share_percent,
website_http_timeout), not the module's option (proxy_share_percent, timeout), which no
court's inventory has. Activity 2 refuses its time limits (website_backup_stall_timeout,
website_backup_verify_timeout, website_backup_verify_stall_timeout) first, with the cause
its rescue gives when their modules refuse them."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
from typing import Any

import pytest
import yaml
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
ROLE = ROOT / "roles/website"


def activity_tasks(activity: int) -> list[dict[str, Any]]:
    """The tasks of the file ``activity``'s block imports."""
    main = yaml.safe_load((ROLE / "tasks/main.yml").read_text(encoding="utf-8"))
    block = next(t for t in main if t["name"].startswith(f"Kegiatan {activity}:"))
    return list(yaml.safe_load((ROLE / "tasks" / block["block"][0]["ansible.builtin.import_tasks"])
                               .read_text(encoding="utf-8")))


def outcome(tmp_path: pathlib.Path, settings: dict[str, object], activity: int = 3,
            module: str = "website_log_audit") -> str:
    """The role's final message when ``activity`` runs only its task of ``module`` with
    ``settings``."""
    task = next(t for t in activity_tasks(activity) if module in t)
    return final_message(tmp_path, settings, activity, [task])


def final_message(tmp_path: pathlib.Path, settings: dict[str, object], activity: int,
                  tasks: list[dict[str, Any]]) -> str:
    """The role's final message when ``activity``'s block runs ``tasks`` with
    ``settings``."""
    main = yaml.safe_load((ROLE / "tasks/main.yml").read_text(encoding="utf-8"))
    block = next(t for t in main if t["name"].startswith(f"Kegiatan {activity}:"))
    final = next(t for t in main if t["name"] == "Failed activities")
    log = tmp_path / "access.log"
    log.write_text("", encoding="utf-8")
    court = tmp_path / "court.yml"  # after the defaults, as a court's inventory sets them
    court.write_text(yaml.safe_dump({"website_log_paths": [str(log)],
                                     "website_log_state_dir": str(tmp_path / "state"),
                                     "court_kode_satker": "000000",
                                     **settings}), encoding="utf-8")
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars_files": [str(ROLE / "defaults/main.yml"), str(court),
                            str(ROLE / "vars/main.yml")],
             "tasks": [dict(block, block=tasks), final]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    results = json.loads(proc.stdout)["plays"][0]["tasks"]
    return str(results[-1]["hosts"]["localhost"]["msg"])


@pytest.mark.parametrize(("settings", "expected"), [
    ({"website_log_proxy_share_percent": 150},
     "pengaturan salah: website_log_proxy_share_percent: must be at most 100 percent"),
    ({"website_log_proxy_min_requests": 0},
     "pengaturan salah: website_log_proxy_min_requests: must be a positive number of requests"),
    ({"website_log_trusted_proxies": ["proxy.lan"]},
     "pengaturan salah: website_log_trusted_proxies: 'proxy.lan' is no IP address"),
    ({"website_log_bruteforce_threshold": 0},
     "pengaturan salah: website_log_bruteforce_threshold: must be a positive number of "
     "failed logins"),
])
def test_a_refused_log_audit_setting_names_the_roles_variable(tmp_path, settings, expected):
    assert outcome(tmp_path, settings).startswith("Kegiatan 3: " + expected)


@pytest.mark.parametrize(("module", "settings", "expected"), [
    # the lab's `sop run website -e website_http_timeout=0`: website_integrity took it and
    # recorded "page_unreachable: https://web/", the site blamed for a setting
    ("website_integrity", {"website_http_timeout": 0, "website_integrity_urls": ["https://web/"]},
     "pengaturan salah: website_http_timeout: must be a positive number of seconds, not 0"),
    # the activity's other timeout, website_log_audit's own
    ("website_log_audit", {"website_log_timeout": 0},
     "pengaturan salah: website_log_timeout: must be a positive number of seconds, not 0"),
])
def test_each_timeout_of_activity_3_names_the_variable_that_sets_it(
        tmp_path, module, settings, expected):
    settings = {"website_integrity_paths": [str(tmp_path)],
                "website_integrity_state_dir": str(tmp_path / "integrity"), **settings}
    assert outcome(tmp_path, settings, 3, module) == f"Kegiatan 3: {expected}"


@pytest.mark.parametrize(("settings", "variable"), [
    ({"website_integrity_urls": ["pn-contoh.go.id/berita/"]}, "website_integrity_urls"),
    # website_integrity_urls empty: the pages are website_urls'
    ({"website_urls": ["pn-contoh.go.id/berita/"]}, "website_urls"),
])
def test_a_refused_integrity_page_names_the_variable_that_sets_it(
        tmp_path, settings, variable):
    """website_integrity's refusal named its option, `urls`, which no court's inventory
    has, and without the setting the cause was no bad setting at all."""
    settings = {"website_integrity_paths": [str(tmp_path)],
                "website_integrity_state_dir": str(tmp_path / "integrity"), **settings}
    assert outcome(tmp_path, settings, 3, "website_integrity") == (
        f"Kegiatan 3: pengaturan salah: {variable}: 'pn-contoh.go.id/berita/' is not an "
        "http(s) URL with a host")


def test_a_refused_accepted_spam_fingerprint_names_website_integrity_spam_accepted(
        tmp_path):
    """website_integrity refused it with no setting: the cause was 'spam_accepted: ...',
    no court's variable, and no bad setting at all."""
    settings = {"website_integrity_paths": [str(tmp_path)],
                "website_integrity_state_dir": str(tmp_path / "integrity"),
                "website_integrity_spam_accepted": [{"fingerprint": "togel"}]}
    assert outcome(tmp_path, settings, 3, "website_integrity") == (
        "Kegiatan 3: pengaturan salah: website_integrity_spam_accepted: 'togel' is no "
        "fingerprint (32 hex digits, as a finding names it)")


@pytest.mark.parametrize(("activity", "module", "settings", "expected"), [
    (1, "website_check", {"website_http_timeout": 0},
     "pengaturan salah: website_http_timeout: must be a positive number of seconds"),
    (1, "website_check", {"website_max_response_seconds": -1},
     "pengaturan salah: website_max_response_seconds: must be a positive number"),
    (1, "website_check", {"website_urls": []},
     "pengaturan salah: website_urls is empty"),
    (1, "website_check", {"website_feed_url": "pn-contoh.go.id/feed"},
     "pengaturan salah: website_feed_url: 'pn-contoh.go.id/feed' is not an http(s) URL"),
    (1, "website_check", {"website_freshness_days": -7},
     "pengaturan salah: website_freshness_days: must be 0 (new within a day) or a positive "
     "number of days, not -7"),
    (4, "website_renewals", {"website_renewal_warn_days": [30, -7]},
     "pengaturan salah: website_renewal_warn_days: must be 0 (the expiry day only) or a "
     "positive number of days, not -7"),
    (4, "website_renewals", {"website_hosting_end_date": "31-01-2027"},
     "pengaturan salah: website_hosting_end_date '31-01-2027' is not a date (YYYY-MM-DD)"),
    (4, "website_renewals", {"website_timezone": "Asia/Jakrta"},
     "pengaturan salah: website_timezone: unknown time zone 'Asia/Jakrta'"),
    (4, "website_renewals", {"website_http_timeout": 0},
     "pengaturan salah: website_http_timeout: must be a positive number of seconds"),
    (4, "website_renewals", {"website_rdap_url": "rdap.pandi.id"},
     "pengaturan salah: website_rdap_url: 'rdap.pandi.id' is not an http(s) URL"),
])
def test_a_refused_check_or_renewals_setting_names_the_roles_variable(
        tmp_path, activity, module, settings, expected):
    """Activities 1 and 4 showed the module's option (timeout, warn_days), which no
    court's inventory has."""
    assert outcome(tmp_path, settings, activity, module).startswith(
        f"Kegiatan {activity}: {expected}")


@pytest.mark.parametrize(("activity", "module"), [
    (1, "website_check"), (3, "website_integrity"), (4, "website_renewals")])
def test_a_ca_bundle_that_cannot_be_loaded_names_website_ca_file(
        tmp_path: pathlib.Path, activity: int, module: str) -> None:
    """A website_ca_file gone from the web server was loaded only when the first page was
    read: a traceback, the activity's cause Ansible's "MODULE FAILURE". Each module refuses
    it first, named by the role's variable (website_integrity's option is ca_path)."""
    gone = tmp_path / "court-ca.pem"
    settings = {"website_ca_file": str(gone), "website_integrity_paths": [str(tmp_path)],
                "website_integrity_state_dir": str(tmp_path / "integrity")}
    assert outcome(tmp_path, settings, activity, module) == (
        f"Kegiatan {activity}: pengaturan salah: website_ca_file: cannot read the CA bundle "
        f"{gone}: No such file or directory")


def backup_settings_checks() -> list[dict[str, Any]]:
    """Activity 2's tasks before its first one that looks at the site or a host: its
    checks of the settings alone."""
    tasks = activity_tasks(2)
    checks = tasks[:next(i for i, task in enumerate(tasks)
                         if task["name"] == "The site's folders and database login")]
    assert checks, "activity 2 checks no setting before it looks at the site"
    return checks


@pytest.mark.parametrize(("settings", "cause", "module"), [
    # -e gives the text
    ({"website_backup_verify_timeout": "0"},
     "website_backup_verify_timeout: must be a positive number of seconds, not 0",
     "website_archive_verify"),
    ({"website_backup_verify_timeout": -1},
     "website_backup_verify_timeout: must be a positive number of seconds, not -1",
     "mariadb_restore_verify"),
    ({"website_backup_stall_timeout": "-1"},
     "website_backup_stall_timeout: must be 0 (never stops it) or a positive number of "
     "seconds, not -1", "website_files_backup"),
    # the database verification's stall_timeout, not the files backup's
    ({"website_backup_verify_stall_timeout": "-1"},
     "website_backup_verify_stall_timeout: must be 0 (turns the check off) or a positive "
     "number of seconds, not -1", "mariadb_restore_verify"),
    ({"website_backup_verify_timeout": 0, "website_backup_verify_stall_timeout": -5},
     "website_backup_verify_timeout: must be a positive number of seconds, not 0",
     "mariadb_restore_verify"),
    # zstd -q -99 compressed at 19 without a word; website_files_backup refused it only
    # after the backup computer was set up
    ({"website_backup_compression_level": "99"},
     "website_backup_compression_level: must be at most 19 levels (zstd's highest), not 99",
     "website_files_backup"),
    ({"website_backup_compression_level": 0, "website_backup_verify_timeout": 0},
     "website_backup_compression_level: must be a positive number of levels, not 0",
     "website_files_backup"),
    # both refused: the first the modules refuse, in the order they run
    ({"website_backup_verify_timeout": 0, "website_backup_stall_timeout": -5},
     "website_backup_stall_timeout: must be 0 (never stops it) or a positive number of "
     "seconds, not -5", "website_files_backup"),
])
def test_a_backup_time_limit_its_module_refuses_fails_activity_2_first(
        tmp_path: pathlib.Path, settings: dict[str, object], cause: str, module: str) -> None:
    """`-e website_backup_verify_timeout=0` was found only by the verifications, after
    both backups were made and pushed: one more period's backups left unverified.
    Activity 2 refuses it before the site or the backup computer is looked at, with the
    cause its rescue gives when the module refuses the same value."""
    expected = f"Kegiatan 2: pengaturan salah: {cause}"
    assert final_message(tmp_path, settings, 2, backup_settings_checks()) == expected
    site = tmp_path / "site"
    site.mkdir()
    made = {"path": str(tmp_path / "website-20261206T151727.tar.zst"), "verified": False}
    assert outcome(tmp_path, {
        "website_backup_host": "localhost", "website_backup_local_dir": str(tmp_path),
        "website__site": {"paths": [str(site)]},
        "website__backup_files": made, "website__backup_db": made, **settings},
        2, module) == expected


def test_a_compression_level_zstd_does_not_take_names_the_roles_variable(
        tmp_path: pathlib.Path) -> None:
    """website_backup_compression_level=99 was given to zstd, which compressed at 19
    without a word (-q), many times slower than 3: website_files_backup refuses it before
    it archives, named by the role's variable, not the module's level."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.php").write_text("<?php\n", encoding="utf-8")
    assert outcome(tmp_path, {
        "website_backup_local_dir": str(tmp_path / "backups"),
        "website__site": {"paths": [str(site)]}, "website__verdicts": {},
        "website_backup_compression_level": "99"}, 2, "website_files_backup") == (
        "Kegiatan 2: pengaturan salah: website_backup_compression_level: must be at most 19 "
        "levels (zstd's highest), not 99")
    assert not (tmp_path / "backups").exists()


def test_a_number_of_backups_to_keep_below_0_fails_activity_2_first(
        tmp_path: pathlib.Path) -> None:
    """website_backup_keep_monthly=-1 was refused only by the retentions, after both
    backups were made and pushed."""
    assert final_message(tmp_path, {"website_backup_keep_monthly": -1}, 2,
                         backup_settings_checks()) == (
        "Kegiatan 2: pengaturan salah: website_backup_keep_monthly: must be a whole number "
        "of backups to keep, 0 or more, not -1")


@pytest.mark.parametrize("settings", [
    {}, {"website_backup_stall_timeout": 0}, {"website_backup_stall_timeout": "0"},
    {"website_backup_verify_timeout": "1", "website_backup_stall_timeout": 1},
    {"website_backup_verify_stall_timeout": 0}, {"website_backup_verify_stall_timeout": "0"},
    # -e gives the keep counts as text; every count 0 keeps the newest verified backup
    {"website_backup_keep_daily": "0", "website_backup_keep_weekly": 0,
     "website_backup_keep_monthly": " 0 "},
    {"website_backup_compression_level": "19"}, {"website_backup_compression_level": 1},
])
def test_the_backup_time_limits_its_modules_take_pass_activity_2s_checks(
        tmp_path: pathlib.Path, settings: dict[str, object]) -> None:
    assert final_message(tmp_path, settings, 2, backup_settings_checks()) == \
        "All assertions passed"


def cms_dump_tasks() -> list[dict[str, Any]]:
    """Activity 2's CMS database dump (its block and rescue) and the task that stops the
    activity when it failed."""
    tasks = activity_tasks(2)
    dump = next(t for t in tasks if any("mariadb_backup" in inner for inner in t.get("block", [])))
    stop = next(t for t in tasks if t["name"].startswith("Stop - the database dump failed"))
    return [dump, stop]


def test_the_cms_dump_takes_the_backups_stall_timeout_and_names_it_when_refused(
        tmp_path: pathlib.Path) -> None:
    """The CMS dump got no stall_timeout from the role: its module's 900 s, while the role's
    website_backup_stall_timeout bounded the files backup alone. It gets that setting too;
    one it refuses is named by the role's variable (its rescue's cause), not by the
    module's option, which no court's inventory has."""
    cause = ("website_backup_stall_timeout: must be 0 (never stops it) or a positive number "
             "of seconds, not -1")
    assert final_message(tmp_path, {"website_backup_stall_timeout": -1}, 2,
                         backup_settings_checks()) == f"Kegiatan 2: pengaturan salah: {cause}"
    assert final_message(tmp_path, {
        "website_backup_stall_timeout": -1, "website_backup_local_dir": str(tmp_path),
        "website__site": {"login": {"database": "cms", "login_user": "cms",
                                    "login_password": "rahasia"}},
        "website__verdicts": {},
    }, 2, cms_dump_tasks()) == f"Kegiatan 2: Backup database CMS gagal: pengaturan salah: {cause}"
    assert not list(tmp_path.glob("website-db-*"))  # nothing dumped


def test_files_tar_did_not_archive_whole_are_warned_and_the_record_says_so(
        tmp_path: pathlib.Path) -> None:
    """A socket tar ignores (a file removed before tar read it, one shrunk and padded with
    zeros: warnings_tar): the archive verifies as tar wrote it, and the record said
    'terverifikasi' with no word of them. Each is a warning, and the record's line says
    that files were not archived whole."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.php").write_text("<?php", encoding="utf-8")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(site / "php.sock"))
    tasks = activity_tasks(2)
    names = ("Back up the site's files", "Warn about the files tar did not",
             "Record the site's backup")
    court = tmp_path / "court.yml"  # after the defaults, as a court's inventory sets them
    court.write_text(yaml.safe_dump({
        "website__site": {"paths": [str(site)]}, "website__verdicts": {},
        "website_backup_local_dir": str(tmp_path / "backups"), "website_backup_host": "backup",
        "website_backup_remote_dir": "/srv/backup/website", "court_kode_satker": "000000"}),
        encoding="utf-8")
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars_files": [str(ROLE / "defaults/main.yml"), str(court),
                            str(ROLE / "vars/main.yml")],
             "tasks": [t for t in tasks if t["name"].startswith(names)]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    listener.close()
    results = [task["hosts"]["localhost"] for task in json.loads(proc.stdout)["plays"][0]["tasks"]]
    assert len(results) == 3, proc.stdout[-2000:]
    name = pathlib.Path(results[0]["path"]).name
    assert results[1]["warnings"] == [f"Backup file situs {name}: berkas tidak diarsipkan utuh "
                                      f"(tar: {site}/php.sock: socket ignored)"], results[1]
    assert results[2]["msg"] == (f"Backup website: {name} (2 entri, dengan peringatan tar: ada "
                                 "berkas tidak diarsipkan utuh), terverifikasi di backup.")
    assert results[2]["sop_output"]["files"]["hard_links_protected"] is \
        results[0]["hard_links_protected"] in (True, False)


@pytest.mark.parametrize(("changed", "protected", "warned"), [
    (True, False, True), (True, True, False), (False, False, False), (False, None, False)],
    ids=["made-off", "made-on", "found-off", "found-unrecorded"])
def test_the_record_says_whether_hard_links_were_looked_for(
        tmp_path: pathlib.Path, changed: bool, protected: bool | None, warned: bool) -> None:
    """An empty hard_links_excluded in the record read alike where the links were not
    looked for (fs.protected_hardlinks=1) and where none was found: the record keeps
    hard_links_protected, as the manifest does (null for one written before). Only a
    backup made now warns that the setting is off; a found one's manifest tells of
    another moment."""
    names = ("Warn that fs.protected_hardlinks is off", "Record the site's backup")
    made = {"changed": changed, "path": "/var/backups/website/website-20261206T200000.tar.zst",
            "entries": 2, "hard_links_excluded": [], "hard_links_protected": protected,
            "manifest_sha256": "0" * 64}
    warning, record = after_the_backup(tmp_path, made, names)
    assert record["sop_output"]["files"] == {
        "path": made["path"], "entries": 2, "hard_links_excluded": [],
        "hard_links_protected": protected}
    assert bool(warning.get("warnings")) is warned and warning.get("skipped", False) is not warned


def after_the_backup(tmp_path: pathlib.Path, made: dict[str, Any],
                     names: tuple[str, ...]) -> list[dict[str, Any]]:
    """The results of activity 2's tasks whose names begin with one of ``names``, run by
    Ansible with website_files_backup's result ``made``."""
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {"website__backup_files": made, "website_backup_host": "backup",
                      "website_backup_remote_dir": "/srv/backup/website"},
             "tasks": [t for t in activity_tasks(2) if t["name"].startswith(names)]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return [task["hosts"]["localhost"] for task in json.loads(proc.stdout)["plays"][0]["tasks"]]


def test_the_record_says_how_many_names_of_the_backup_no_tar_restores(
        tmp_path: pathlib.Path) -> None:
    """website_files_backup warns itself of the names it archived that no tar can restore
    (its module warning, which the record keeps); the record's line says how many, and
    its output keeps their count and the first, as the module returned them."""
    first = "srv/" + "d" * 116 + "..." + "d" * 114 + "/x.php (4300 karakter)"
    made = {"changed": True, "path": "/var/backups/website/website-20261206T200000.tar.zst",
            "entries": 24, "hard_links_excluded": [], "hard_links_protected": True,
            "warnings_tar": [], "unrestorable": 2, "first_unrestorable": first,
            "manifest_sha256": "0" * 64}
    [record] = after_the_backup(tmp_path, made, ("Record the site's backup",))
    assert record["msg"] == ("Backup website: website-20261206T200000.tar.zst (24 entri, 2 "
                             "nama tidak dapat dipulihkan dengan tar), terverifikasi di backup.")
    assert record["sop_output"]["files"] == {
        "path": made["path"], "entries": 24, "warnings_tar": [], "hard_links_excluded": [],
        "hard_links_protected": True, "unrestorable": 2, "first_unrestorable": first}


@pytest.mark.parametrize("given", ["string", "list"])
def test_extra_paths_given_as_key_value_are_backed_up_as_the_list(
        tmp_path: pathlib.Path, given: str) -> None:
    """`-e website_backup_extra_paths=/srv/extra,/srv/gone` gives a string, which
    argument_specs accept as the list of both: the site's folders plus it failed activity
    2 with 'can only concatenate list (not "str") to list', nothing backed up. Each path
    is the module's, as the list's: the one missing named alone."""
    site, extra, gone = tmp_path / "site", tmp_path / "extra", tmp_path / "gone"
    site.mkdir()
    extra.mkdir()
    paths = [str(extra), str(gone)]
    assert outcome(tmp_path, {
        "website_backup_local_dir": str(tmp_path / "backups"),
        "website__site": {"paths": [str(site)]}, "website__verdicts": {},
        "website_backup_extra_paths": ",".join(paths) if given == "string" else paths},
        2, "website_files_backup") == f"Kegiatan 2: folder situs tidak ada: {gone}"
