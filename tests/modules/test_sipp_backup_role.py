"""roles/sipp_backup: what the report (laporan) says of the removable-media copy
(ansible-playbook on localhost, the real backup_copy on a local directory), and the push
keys of retired SIPP servers removed (a local file as the push user's authorized_keys), and
of retired web servers as the website role's backup activity runs the same tasks; the
settings a module would refuse only when it runs, refused by the role's checks before any
activity (run as test_role_relative_paths runs them: no activity's tag selected)."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
from typing import Any

import pytest
import yaml
from loader import LOCAL_PLAYBOOK, load
from test_role_relative_paths import run as run_checks
from test_role_relative_paths import run_hosts, texts_refused

from sop.events import failure_cause

ROOT = pathlib.Path(__file__).parents[2]
NAME = "sipp-20261121T020000.sql.zst"
PLAY = """
- hosts: localhost
  gather_facts: false
  vars:
    sipp_backup_host: backup
    sipp_backup_remote_dir: /srv/backup/sipp/400999
    sipp_backup_removable_path: {media}
    sipp_backup__dump: {{path: {src}, sha256: {sha256}}}
  tasks:
    - name: Copy to the media as the role's backup activity does
      backup_copy:
        src: "{{{{ sipp_backup__dump.path }}}}"
        dest: "{{{{ sipp_backup_removable_path }}}}"
        require_mountpoint: false
      register: sipp_backup__removable
    - ansible.builtin.include_role:
        name: sipp_backup
        tasks_from: laporan
    - ansible.builtin.debug:
        msg: "COPIES={{{{ sipp_backup__report.copies | to_json }}}}"
"""


def write_backup(directory: pathlib.Path, content: bytes) -> pathlib.Path:
    directory.mkdir()
    path = directory / NAME
    path.write_bytes(content)
    (directory / f"{NAME}.manifest.json").write_text(json.dumps({
        "size": len(content), "sha256": hashlib.sha256(content).hexdigest(), "verified": True,
        "period": "2026-11-21"}))
    return path


def laporan(tmp_path: pathlib.Path, src: pathlib.Path, media: pathlib.Path,
            content: bytes) -> tuple[str, list[dict]]:
    """Run the copy and the role's laporan: the message to the Kasubbag PTIP and the
    copies reported."""
    play = tmp_path / "play.yml"
    play.write_text(PLAY.format(media=media, src=src,
                                sha256=hashlib.sha256(content).hexdigest()), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(play)], capture_output=True, text=True,
                          check=False, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    messages = [json.loads(line.split(" => ", 1)[1])["msg"] for line in proc.stdout.splitlines()
                if line.startswith("ok: [localhost] => ") and '"msg"' in line]
    report = next(m for m in messages if m.startswith("Kepada Kasubbag PTIP"))
    copies = json.loads(next(m for m in messages if m.startswith("COPIES="))[len("COPIES="):])
    return report, copies


def test_the_report_says_where_the_copy_is_not(tmp_path) -> None:
    """The media was absent: the message still said "salinan di" the media's path."""
    content = os.urandom(4096)
    src = write_backup(tmp_path / "server", content)
    absent = tmp_path / "media"
    report, copies = laporan(tmp_path, src, absent, content)
    assert copies[1]["sha256_match"] is False
    # nor on the backup computer: this play pushes nothing
    assert (f", salinan di -. TIDAK ada salinan di backup:/srv/backup/sipp/400999/{NAME}, "
            f"{absent}.") in report
    assert "\n" not in report


def test_the_report_names_a_damaged_copy_set_aside_on_the_media(tmp_path) -> None:
    """The copy on the media no longer had its manifest's SHA-256 (with the right size):
    the report said nothing of it."""
    content = os.urandom(4096)
    src = write_backup(tmp_path / "server", content)
    copy = tmp_path / "media" / NAME
    shutil.copytree(src.parent, copy.parent)
    copy.write_bytes(bytes([content[0] ^ 1]) + content[1:])
    report, copies = laporan(tmp_path, src, copy.parent, content)
    assert f"salinan di {copy}." in report
    assert (f"Salinan di media lepasan rusak (isinya atau manifest-nya tidak cocok): "
            f"disisihkan sebagai {copy}.damaged, tidak dihapus; periksa media itu.") in report
    assert copies[1]["location"] == str(copy) and copies[1]["sha256_match"] is True
    assert copies[1]["damaged"] == f"{copy}.damaged"


def test_the_report_names_an_older_copy_the_scrub_set_aside(tmp_path) -> None:
    """An older copy on the media whose manifest was gone, set aside by the medium's scrub:
    the message to the Kasubbag PTIP named only the backup's own copy set aside."""
    content = os.urandom(4096)
    src = write_backup(tmp_path / "server", content)
    media = tmp_path / "media"
    media.mkdir()
    older = media / NAME.replace("20261121", "20261120")
    older.write_bytes(os.urandom(2048))  # its manifest lost
    report, copies = laporan(tmp_path, src, media, content)
    assert (f"Salinan di media lepasan rusak (isinya atau manifest-nya tidak cocok): "
            f"disisihkan sebagai {older}.damaged, tidak dihapus; periksa media itu.") in report
    assert copies[1]["sha256_match"] is True


RETIRE_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: sipp_backup
        tasks_from: retired_servers
"""
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO5FOV4b+yvJaaw/0g8o+hvMaCIUQ/YPYR4Z4NNUmdX2"
RECEIVE = 'command="/usr/local/sbin/sop-backup-receive --prefix=sipp /srv/in/400999",restrict'


def retire(tmp_path: pathlib.Path, names: list[str],
           *options: str) -> subprocess.CompletedProcess[str]:
    """The role's retired-server tasks with ``names`` against tmp_path/authorized_keys
    (the backup computer is this host)."""
    return run_retire(tmp_path, RETIRE_PLAY, {
        "sipp_backup_host": "localhost", "sipp_backup_retired_servers": names}, *options)


def run_retire(tmp_path: pathlib.Path, play_text: str, variables: dict[str, Any],
               *options: str) -> subprocess.CompletedProcess[str]:
    """``play_text`` with ``variables`` and tmp_path/authorized_keys as the push user's."""
    play, extra = tmp_path / "retire.yml", tmp_path / "vars.json"
    play.write_text(play_text, encoding="utf-8")
    extra.write_text(json.dumps({
        **variables, "sipp_backup__authorized_keys": str(tmp_path / "authorized_keys")}),
        encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    return subprocess.run([*LOCAL_PLAYBOOK, "-e", f"@{extra}", *options, str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=300)


def changed(proc: subprocess.CompletedProcess[str]) -> int:
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    recap = proc.stdout.rsplit("PLAY RECAP", 1)[1]
    return int(recap.split("changed=", 1)[1].split()[0])


def test_a_retired_servers_push_keys_are_removed_and_only_theirs(tmp_path) -> None:
    """A SIPP server taken out of service kept its key line on the backup computer
    forever: the machine, sold or broken into, could still push."""
    lines = [f"{RECEIVE} {KEY} sipp-backup@pn-other-sipp",  # another court's: not named
             f"{RECEIVE} {KEY} sipp-backup@pn-old-sipp",
             f"{RECEIVE} {KEY} sipp-backup@pn-old-sipp ",
             f"{RECEIVE} {KEY} sipp-backup@pn-old",  # a longer name is another server's
             f"{RECEIVE} {KEY} sipp-backup@web.old",
             f"{RECEIVE} {KEY} sipp-backup@webxold"]  # a dot is a dot
    keys = tmp_path / "authorized_keys"
    keys.write_text("\n".join(lines) + "\n", encoding="utf-8")
    names = ["pn-old-sipp", "web.old", "pn-gone"]
    assert changed(retire(tmp_path, names, "--check")) == 1
    assert keys.read_text(encoding="utf-8").splitlines() == lines
    assert changed(retire(tmp_path, names)) == 1
    assert keys.read_text(encoding="utf-8").splitlines() == [lines[0], lines[3], lines[5]]
    assert changed(retire(tmp_path, names)) == 0


def test_retired_servers_given_as_key_value_are_the_list(tmp_path) -> None:
    """-e sipp_backup_retired_servers=pn-old-sipp,web.old is a string argument_specs
    accepted as a list: the tasks took its characters, each a server of one letter."""
    lines = [f"{RECEIVE} {KEY} sipp-backup@pn-old-sipp", f"{RECEIVE} {KEY} sipp-backup@web.old",
             f"{RECEIVE} {KEY} sipp-backup@pn-kept"]
    keys = tmp_path / "authorized_keys"
    keys.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert changed(retire(tmp_path, "pn-old-sipp,web.old")) == 1  # type: ignore[arg-type]
    assert keys.read_text(encoding="utf-8").splitlines() == [lines[2]]


def test_a_server_still_in_service_is_not_retired(tmp_path) -> None:
    keys = tmp_path / "authorized_keys"
    keys.write_text(f"{RECEIVE} {KEY} sipp-backup@localhost\n", encoding="utf-8")
    proc = retire(tmp_path, ["pn-gone", "localhost"])
    assert proc.returncode == 2
    assert ("sipp_backup_retired_servers names localhost, still a SIPP server of this play "
            "or inventory (group sipp_servers): remove it from the list or from the "
            "inventory") in proc.stdout
    assert keys.read_text(encoding="utf-8") == f"{RECEIVE} {KEY} sipp-backup@localhost\n"
    inventory = tmp_path / "hosts.ini"  # a SIPP server this run leaves out (--limit)
    inventory.write_text("[sipp_servers]\npn-second\n", encoding="utf-8")
    proc = retire(tmp_path, ["pn-second"], "-i", str(inventory))
    assert proc.returncode == 2 and "names pn-second, still a SIPP server" in proc.stdout


def website_retire_play() -> str:
    """The website's backup activity's retirement: its include of the role's
    retired_servers tasks, in its block mapping the website's variables onto the role's."""
    tasks = yaml.safe_load((ROOT / "roles/website/tasks/backup.yml").read_text(encoding="utf-8"))
    block, include = next(
        (task, step) for task in tasks for step in task.get("block", [])
        if step.get("ansible.builtin.include_role", {}).get("tasks_from") == "retired_servers.yml")
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                            "tasks": [{"vars": block["vars"], "block": [include]}]}])


def retire_web(tmp_path: pathlib.Path, names: list[str],
               *options: str) -> subprocess.CompletedProcess[str]:
    """The website's retirement of ``names``; the SIPP backup's own list names another."""
    return run_retire(tmp_path, website_retire_play(), {
        "website_backup_host": "localhost", "website_backup_retired_servers": names,
        "sipp_backup_retired_servers": ["pn-web-other"]}, *options)


def test_a_retired_web_servers_push_keys_are_removed_and_only_theirs(tmp_path) -> None:
    """The website role had no list of retired web servers: a decommissioned or broken
    into web server's key kept pushing into the website's in-tray forever."""
    receive = RECEIVE.replace("--prefix=sipp", "--prefix=website --prefix=website-db")
    lines = [f"{receive} {KEY} sipp-backup@pn-web-other",  # named by the SIPP list only
             f"{receive} {KEY} sipp-backup@pn-web-old"]
    keys = tmp_path / "authorized_keys"
    keys.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert changed(retire_web(tmp_path, ["pn-web-old"], "--check")) == 1
    assert keys.read_text(encoding="utf-8").splitlines() == lines
    assert changed(retire_web(tmp_path, ["pn-web-old"])) == 1
    assert keys.read_text(encoding="utf-8").splitlines() == [lines[0]]
    assert changed(retire_web(tmp_path, ["pn-web-old"])) == 0


def test_a_web_server_still_in_service_is_not_retired(tmp_path) -> None:
    keys = tmp_path / "authorized_keys"
    keys.write_text(f"{RECEIVE} {KEY} sipp-backup@pn-web2\n", encoding="utf-8")
    inventory = tmp_path / "hosts.ini"  # a web server this run leaves out (--limit)
    inventory.write_text("[web_servers]\npn-web2\n[sipp_servers]\npn-sipp\n", encoding="utf-8")
    proc = retire_web(tmp_path, ["pn-web2"], "-i", str(inventory))
    assert proc.returncode == 2
    assert ("website_backup_retired_servers names pn-web2, still a web server of this play "
            "or inventory (group web_servers): remove it from the list or from the "
            "inventory") in proc.stdout
    assert keys.read_text(encoding="utf-8") == f"{RECEIVE} {KEY} sipp-backup@pn-web2\n"
    # a SIPP server is not a web server in service: its name may be retired here
    assert changed(retire_web(tmp_path, ["pn-sipp"], "-i", str(inventory))) == 0


def test_only_the_backup_computers_retention_records_acknowledged_losses() -> None:
    """sipp_backup_acknowledged_lost reaches the retention of the backup computer's record
    (delegated there), never the SIPP server's own retention, which has no record."""
    tasks = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/backup.yml").read_text())
    retention = {t["name"]: t for t in tasks if "backup_retention" in t}
    remote = retention["Apply retention to the backup computer's store (its own record only)"]
    assert remote["backup_retention"]["acknowledged_lost"] == \
        "{{ sipp_backup_acknowledged_lost }}"
    assert remote["delegate_to"] == "{{ sipp_backup_host }}"
    local = retention["Apply retention to the SIPP server's backups"]
    assert "acknowledged_lost" not in local["backup_retention"]


def website_retention_play() -> str:
    """The website's backup activity's retention on the backup computer and its report
    of the losses it recorded, as the role writes them, with the role's defaults."""
    tasks = yaml.safe_load((ROOT / "roles/website/tasks/backup.yml").read_text(encoding="utf-8"))
    names = ("Apply retention to the backup computer's store (its own record only)",
             "Show the backups acknowledged as lost in this run (recorded, no longer warned about)")
    defaults = yaml.safe_load((ROOT / "roles/website/defaults/main.yml").read_text())
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "vars": {
        key: value for key, value in defaults.items()
        if key.startswith(("website_backup_keep_", "website_backup_prefix",
                           "website_backup_db_prefix"))},
        "tasks": [task for task in tasks if task.get("name") in names]}])


def test_the_websites_acknowledged_losses_reach_each_prefixs_retention(tmp_path) -> None:
    """The website role had no acknowledged-lost list: a lost website backup was warned
    about on every run, for good. Its one list serves both prefixes' retention runs, each
    recording only the entries of exactly its prefix (website-db-... is no website
    backup); a name of neither prefix fails the activity in one line."""
    ledger = tmp_path / "ledger.jsonl"
    lost = ["website-db-20261121T020000.sql.zst", "website-20261121T020000.tar.zst"]
    ledger.write_text("".join(json.dumps({
        "at": "2026-11-21T02:00:07+07:00", "event": event, "name": name, "sha256": "ab" * 32,
        "size": 10, **({"status": "ok"} if event == "verified" else {})}) + "\n"
        for name in lost for event in ("ingested", "verified")), encoding="utf-8")
    play, extra = tmp_path / "retention.yml", tmp_path / "vars.json"
    play.write_text(website_retention_play(), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
               ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false")

    def run(entries: list[str]) -> subprocess.CompletedProcess[str]:
        extra.write_text(json.dumps({
            "website_backup_host": "localhost", "website_backup_remote_dir": str(tmp_path),
            "website__ledger": str(ledger), "website_backup_acknowledged_lost": [
                {"name": name, "reason": "disk clean-up", "by": "Budi"} for name in entries]}),
            encoding="utf-8")
        return subprocess.run([*LOCAL_PLAYBOOK, "-e", f"@{extra}", str(play)],
                              capture_output=True, text=True, check=False, env=env, timeout=300)

    before = ledger.read_bytes()
    proc = run([*lost, "web-20261121T020000.tar.zst"])
    assert proc.returncode == 2
    assert ("acknowledged_lost: web-20261121T020000.tar.zst is the name of no backup of "
            "website or website-db") in proc.stdout
    assert ("acknowledged_lost: web-20261121T020000.tar.zst is the name of no backup of "
            "website-db or website") in proc.stdout
    assert ledger.read_bytes() == before
    proc = run(lost)
    assert changed(proc) == 1  # the retention task, both its runs
    for name in lost:
        assert f"Backup {name} dicatat hilang di komputer backup ({name} is gone from " \
               f"{tmp_path}), dikonfirmasi oleh Budi: disk clean-up" in proc.stdout
    recorded = [json.loads(line) for line in ledger.read_text().splitlines()[4:]]
    assert [(e["event"], e["name"]) for e in recorded] == [
        ("acknowledged_lost", lost[1]), ("acknowledged_lost", lost[0])]
    assert changed(run(lost)) == 0


def test_a_kept_free_share_outside_0_to_90_percent_is_refused_first(tmp_path) -> None:
    """sipp_backup_remote_keep_free=100000 reached the room check as "only has
    -257.941.280,2 MiB free" (and the receiver refuses it): now the role's checks name the
    variable and its range, whichever activity runs, by the receiver's bound
    (module_utils/sop_options' RANGES, the filter sop_range_error). `| int` read true,
    which argument_specs let through, as 1: refused too. Each share a host, in one
    run."""
    said = "pengaturan salah: sipp_backup_remote_keep_free: must be"
    refused = {
        "percent_100000": (100000, "at most 90 percent (the push receiver's highest), not 100000"),
        "percent_minus_1": (-1, "0 (keeps no share free) or a positive number of percent, not -1"),
        "percent_true": (True, "0 (keeps no share free) or a positive number of percent, not True")}
    taken = {"percent_90": 90, "percent_0": 0,
             "percent_text_5": "5"}  # -e gives the text
    code, results = run_hosts(tmp_path, "sipp_backup", {
        host: {"sipp_backup_remote_keep_free": percent} for host, percent in
        ({host: percent for host, (percent, _) in refused.items()} | taken).items()})
    assert code == 2
    for host, (_, cause) in refused.items():
        assert results[host]["msg"] == f"{said} {cause}"
        assert failure_cause(results[host]) == f"{said} {cause}"
    assert {host for host, result in results.items()
            if not (result.get("failed") or result.get("unreachable"))} == taken.keys()


@pytest.mark.parametrize(("settings", "cause"), [
    ({"sipp_backup_threads": True},
     "sipp_backup_threads: must be 0 (the number of CPUs) or a positive number of threads, "
     "not True"),
    ({"sipp_backup_shrink_percent": False},
     "sipp_backup_shrink_percent: must be 0 (compares nothing) or a positive number of "
     "percent, not False"),
])
def test_a_dump_or_verification_setting_that_is_no_number_is_one_line(
        tmp_path, settings: dict[str, Any], cause: str) -> None:
    """A value the role's argument_specs (type int) let through reached sop_seconds_error
    or sop_range_error, which failed the template in its own words
    ("sop_range_error: sipp_backup_threads must be a number of threads, not True") instead
    of the one line a refused setting gives, naming the variable."""
    code, result = run_checks(tmp_path, "sipp_backup", settings)
    assert code == 2
    assert result["msg"] == f"pengaturan salah: {cause}"


@pytest.mark.parametrize(("retired", "shown"), [(True, "true"), (False, "false")])
def test_retired_servers_given_as_true_or_false_are_refused_first(
        tmp_path, retired: bool, shown: str) -> None:
    """argument_specs let a list given as true through (converted to ['True'], the variable
    left as it was): the push key lines of a server named True were looked for and
    removed. Refused by the role's checks, naming the variable; null argument_specs
    refuses itself (the option has a default)."""
    code, result = run_checks(tmp_path, "sipp_backup", {"sipp_backup_retired_servers": retired})
    assert code == 2
    assert result["msg"] == ("pengaturan salah: sipp_backup_retired_servers: must be a list, "
                             f"not {shown}")


# An empty (or null) verify socket is the MariaDB client's default (verify.yml:
# default(omit, true)), a null database user or password the client's own
# (`sipp_db_password:` left empty in group_vars, a socket's account).
NULL_IS_DEFAULT = ("sipp_backup_verify_socket", "sipp_backup_db_user",
                   "sipp_backup_db_password")


@pytest.mark.parametrize(("value", "shown"), [
    (None, "null"), (["DbPa55"], "a list"), ({"DbPa55": "/var/backups/sipp"}, "a mapping")])
def test_a_text_given_as_null_a_list_or_a_mapping_is_refused_first(
        tmp_path, value: object, shown: str) -> None:
    """argument_specs let a text given as null, a list or a mapping through (written as
    'None' or "['DbPa55']", the variable left as it was): the dump given the database's
    settings so, a null path skipped by the path check (the removable media's failing its
    task after the dump), a list of paths taken as paths. Each text (a host each, in one
    run) refused by the role's checks, naming the variable; its value never shown (the
    password's neither). Null is taken for the socket and the account, all at once on one
    host."""
    results = texts_refused(tmp_path, "sipp_backup", value, shown, NULL_IS_DEFAULT)
    assert "DbPa55" not in json.dumps(results)


def test_a_number_of_backups_to_keep_below_0_is_refused_first(tmp_path) -> None:
    """`sop run sipp-backup --activity 2 -e sipp_backup_keep_daily=-1` skipped Kegiatan 1's
    refusal, made and pushed a backup and failed at the retention, naming its option
    keep_daily: now refused before anything changes, whichever activity runs, by the
    retentions' rule (sop_keep_error), named as the setting it is. Each case a host, in
    one run."""
    def keep(**counts: object) -> dict[str, object]:
        return {**{f"sipp_backup_keep_{rule}": 1 for rule in ("daily", "weekly", "monthly")},
                **{f"sipp_backup_keep_{rule}": count for rule, count in counts.items()}}

    code, results = run_hosts(tmp_path, "sipp_backup", {
        "daily_below_0": keep(daily=-1),
        # the first refused, in the order daily, weekly, monthly; -e gives the text
        "weekly_and_monthly_below_0": keep(monthly="-3", weekly="-2"),
        # every count 0: the retentions keep the newest verified backup whatever the rules say
        "every_count_0": keep(daily=0, weekly="0", monthly=" 12 ")})
    assert code == 2
    assert {host for host, result in results.items()
            if not (result.get("failed") or result.get("unreachable"))} == {"every_count_0"}
    assert failure_cause(results["daily_below_0"]) == (
        "pengaturan salah: sipp_backup_keep_daily: must be a whole number of backups to keep, "
        "0 or more, not -1")
    assert results["weekly_and_monthly_below_0"]["msg"] == (
        "pengaturan salah: sipp_backup_keep_weekly: must be a whole number of backups to keep, "
        "0 or more, not -2")


@pytest.mark.parametrize(("backup_host", "settings", "cause"), [
    ("localhost", {}, "the backup computer (localhost) is this SIPP server itself: a backup "
                      "kept on the machine it is to survive is lost with it"),
    ("web", {}, "the backup computer web is also in web_servers: "
                "sipp_backup_verify_tune_server would turn off the binary log"),
    ("web", {"sipp_backup_verify_tune_server": False}, None),
    ("backup", {}, None),
])
def test_a_backup_computer_that_serves_sipp_or_a_website_is_refused_before_it_is_set_up(
        tmp_path, backup_host: str, settings: dict[str, Any], cause: str | None) -> None:
    """Listed as the backup computer (tried in the lab), the SIPP server had its production
    MariaDB tuned for scratch loads (no binary log, no doublewrite) and kept its backups on
    itself: the set-up on the backup computer now starts by refusing it."""
    steps = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/verify_account.yml").read_text())
    # by its name: the file's other tasks change this host
    refusal = next(step for step in steps if step["name"].startswith("Refuse a backup computer"))
    assert refusal is steps[0]  # before anything is set up there
    inventory = tmp_path / "hosts"
    inventory.write_text("[sipp_servers]\nlocalhost\n[web_servers]\nweb\n"
                         "[backup_hosts]\nbackup\n", encoding="utf-8")
    play = tmp_path / "play.yml"
    play.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "tasks": [refusal],
        "vars": {**role_vars(**settings), "sipp_backup_host": backup_host}}]), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    proc = subprocess.run(["ansible-playbook", "-i", str(inventory), "-c", "local", str(play)],
                          capture_output=True, text=True, check=False, env=env, timeout=300)
    if cause is None:
        assert proc.returncode == 0, proc.stdout[-2000:]
    else:
        assert proc.returncode == 2 and cause in " ".join(proc.stdout.split()), proc.stdout


def role_vars(**settings: Any) -> dict[str, Any]:
    """The role's defaults and vars with ``settings`` set (as play vars: a vars_files
    entry would outrank them); the backup computer is this host."""
    role = ROOT / "roles/sipp_backup"
    return {**yaml.safe_load((role / "defaults/main.yml").read_text("utf-8")),
            **yaml.safe_load((role / "vars/main.yml").read_text("utf-8")),
            "sipp_backup_host": "localhost", "sipp_backup_remote_dir": "/nonexistent/store",
            **settings}


def last_result(tmp_path: pathlib.Path, tasks: list[dict[str, Any]],
                variables: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The exit status of a local play of ``tasks`` with ``variables`` and the result of
    its last task."""
    play = tmp_path / "play.yml"
    play.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                                     "vars": variables, "tasks": tasks}]), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(play)], capture_output=True, text=True,
                          check=False, env=env, timeout=300)
    ran = json.loads(proc.stdout)["plays"][0]["tasks"]
    return proc.returncode, ran[-1]["hosts"]["localhost"]


# Each verification setting the verify-restore refuses (a host named for it: its settings,
# the cause).
VERIFY_REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    # -e gives the text
    "verify_timeout_text_0": (
        {"sipp_backup_verify_timeout": "0"},
        "sipp_backup_verify_timeout: must be a positive number of seconds, not 0"),
    "verify_timeout_minus_1": (
        {"sipp_backup_verify_timeout": -1},
        "sipp_backup_verify_timeout: must be a positive number of seconds, not -1"),
    "verify_stall_timeout_text_minus_1": (
        {"sipp_backup_verify_stall_timeout": "-1"},
        "sipp_backup_verify_stall_timeout: must be 0 (turns the check off) or a positive "
        "number of seconds, not -1"),
    # both refused: the first the module checks, as it names it
    "both_timeouts": (
        {"sipp_backup_verify_timeout": 0, "sipp_backup_verify_stall_timeout": -5},
        "sipp_backup_verify_timeout: must be a positive number of seconds, not 0"),
    # only the tables gone were named, without a word
    "shrink_percent_text_150": (
        {"sipp_backup_shrink_percent": "150"},
        "sipp_backup_shrink_percent: must be at most 99 percent, not 150"),
    "shrink_min_rows_text_minus_1": (
        {"sipp_backup_shrink_min_rows": "-1"},
        "sipp_backup_shrink_min_rows: must be 0 (compares every table) or a positive number "
        "of rows, not -1"),
}


def test_a_verification_setting_the_verify_restore_refuses_is_refused_first(tmp_path) -> None:
    """`-e sipp_backup_verify_timeout=0` (or a shrink_percent of 150) was found only by the
    verify-restore, after the dump and its push: one more backup left unverified. The
    role's checks refuse it before anything changes, whichever activity runs (each
    setting a host, in one run), with the cause the verification's rescue gives for the
    same value (test_the_verify_restores_rescue_gives_the_checks_cause; the module keeps
    its check)."""
    status, results = run_hosts(tmp_path, "sipp_backup", {
        host: settings for host, (settings, _) in VERIFY_REFUSED.items()})
    assert status == 2, results
    assert {host: result["msg"] for host, result in results.items() if result.get("failed")} == {
        host: f"pengaturan salah: {cause}" for host, (_, cause) in VERIFY_REFUSED.items()}


@pytest.mark.parametrize(("settings", "cause"), VERIFY_REFUSED.values(), ids=VERIFY_REFUSED)
def test_the_verify_restores_rescue_gives_the_checks_cause(tmp_path, settings, cause) -> None:
    """The verification's rescue, given what the role's checks refuse, names the same
    cause (the module keeps its check). Its task is delegated to the backup computer: a
    play of its own each."""
    verify = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/verify.yml").read_text("utf-8"))
    status, result = last_result(tmp_path, verify[:1], role_vars(
        sipp_backup__ingest={"path": str(tmp_path / NAME)},
        sipp_backup__dump={"path": f"/var/backups/sipp/{NAME}"}, **settings))
    assert status == 2, result
    assert result["msg"].startswith(
        f"Verifikasi tidak dapat dijalankan di komputer backup localhost: pengaturan salah: "
        f"{cause}. Backup {NAME} belum terverifikasi"), result["msg"]


@pytest.mark.parametrize("size", ["lots", "1.5G", "1T", "0", "-1G", ""])
def test_a_buffer_pool_size_mariadb_would_not_start_with_is_refused_first(tmp_path, size) -> None:
    """-e sipp_backup_verify_buffer_pool_size=lots passed the argument specs and check
    mode; written into the backup computer's MariaDB configuration, MariaDB there would not
    start ('Unknown suffix'), after the SIPP server and the backup computer were set up."""
    status, result = run_checks(tmp_path, "sipp_backup",
                                {"sipp_backup_verify_buffer_pool_size": size})
    assert status == 2, result
    assert result["msg"] == (
        "pengaturan salah: sipp_backup_verify_buffer_pool_size: must be a "
        f"size in bytes with an optional K, M or G suffix (1G, 512M), not {size}")


def test_the_verification_settings_the_verify_restore_takes_pass(tmp_path) -> None:
    """Each a host, in one run: none refused."""
    status, results = run_hosts(tmp_path, "sipp_backup", {
        "buffer_pool_512m": {"sipp_backup_verify_buffer_pool_size": "512m"},
        "buffer_pool_bytes": {"sipp_backup_verify_buffer_pool_size": 1073741824},
        "buffer_pool_untuned": {"sipp_backup_verify_buffer_pool_size": "lots",
                                "sipp_backup_verify_tune_server": False},
        "defaults": {}, "stall_timeout_0": {"sipp_backup_verify_stall_timeout": 0},
        "stall_timeout_text_0": {"sipp_backup_verify_stall_timeout": "0"},
        "timeouts_1": {"sipp_backup_verify_timeout": "1", "sipp_backup_verify_stall_timeout": 1},
        "shrink_0": {"sipp_backup_shrink_percent": 0, "sipp_backup_shrink_min_rows": 0},
        "shrink_percent_text_99": {"sipp_backup_shrink_percent": "99"}})
    assert status == 0, results


# Each dump setting mariadb_backup refuses (a host named for it: its settings, the cause).
DUMP_REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    # -e gives the text; mydumper was given --threads 1 without a word
    "threads_text_minus_4": (
        {"sipp_backup_threads": "-4"},
        "sipp_backup_threads: must be 0 (the number of CPUs) or a positive number of threads, "
        "not -4"),
    "threads_33": ({"sipp_backup_threads": 33},
                   "sipp_backup_threads: must be at most 32 threads, not 33"),
    # zstd -q -99 compressed at 19 without a word
    "zstd_level_text_99": (
        {"sipp_backup_compression_level": "99"},
        "sipp_backup_compression_level: must be at most 19 levels (zstd's highest), not 99"),
    # gzip -12 compressed at 2
    "gzip_level_12": (
        {"sipp_backup_compression": "gzip", "sipp_backup_compression_level": 12},
        "sipp_backup_compression_level: must be at most 9 levels (gzip's highest), not 12"),
    "level_0": ({"sipp_backup_compression_level": 0},
                "sipp_backup_compression_level: must be a positive number of levels, not 0"),
    "stall_timeout_text_minus_1": (
        {"sipp_backup_stall_timeout": "-1"},
        "sipp_backup_stall_timeout: must be 0 (never stops it) or a positive number of "
        "seconds, not -1"),
    # both refused: the first the module checks, as it names it
    "threads_and_level": (
        {"sipp_backup_threads": -1, "sipp_backup_compression_level": 20},
        "sipp_backup_compression_level: must be at most 19 levels (zstd's highest), not 20"),
}


def test_a_dump_setting_mariadb_backup_refuses_is_refused_first(tmp_path) -> None:
    """mariadb_backup refused these only when the dump ran, in Kegiatan 2, after Persiapan
    had installed the tools and set up the backup computer (and after the in-tray's sweep
    and the reconcile): the role's checks refuse them before anything changes, whichever
    activity runs (each setting a host, in one run), by the module's own check, with the
    cause the dump's rescue gives (test_the_dumps_rescue_gives_the_checks_cause)."""
    status, results = run_hosts(tmp_path, "sipp_backup", {
        host: settings for host, (settings, _) in DUMP_REFUSED.items()})
    assert status == 2, results
    assert {host: failure_cause(result) for host, result in results.items()
            if result.get("failed")} == {
        host: f"pengaturan salah: {cause}" for host, (_, cause) in DUMP_REFUSED.items()}


@pytest.mark.parametrize(("settings", "cause"), DUMP_REFUSED.values(), ids=DUMP_REFUSED)
def test_the_dumps_rescue_gives_the_checks_cause(tmp_path, settings, cause) -> None:
    """The dump's rescue, given what the role's checks refuse, names the same cause (the
    module keeps its check): a play of its own each, the role's variables its vars."""
    tasks = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/backup.yml").read_text("utf-8"))
    dump = next(t for t in tasks if t["name"].startswith("Dump the SIPP database"))
    status, result = last_result(tmp_path, [dump], role_vars(
        sipp_backup_local_dir=str(tmp_path / "backups"), **settings))
    assert status == 2, result
    assert result["msg"] == f"Backup gagal: pengaturan salah: {cause}"


@pytest.mark.parametrize("settings", [
    {"sipp_backup_threads": 0, "sipp_backup_compression_level": 19},
    {"sipp_backup_threads": "32", "sipp_backup_compression_level": "1",
     "sipp_backup_stall_timeout": 0},
    {"sipp_backup_compression": "gzip", "sipp_backup_compression_level": 9},
])
def test_the_dump_settings_mariadb_backup_takes_pass(tmp_path, settings) -> None:
    status, result = run_checks(tmp_path, "sipp_backup", settings)
    assert status == 0, result


def lab_state(store: pathlib.Path, local: pathlib.Path, prefix: str, ext: str,
              day: datetime.date = datetime.date(2026, 12, 6),
              times: tuple[str, str] = ("182432", "183043"),
              older_verified: bool = True, pruned: bool = True,
              media: pathlib.Path | None = None) -> list[str]:
    """The lab's state for ``prefix`` on ``day``: run A's backup (182432) verified on both
    sides (here only with ``older_verified``; copied to ``media`` too), run B's (183043)
    verified on the backup computer but its run killed before this server's manifest was
    marked (pending), run A's pruned there since (with ``pruned``). Their names."""
    ledger = load("sop_backup_ledger")
    names = [f"{prefix}-{day:%Y%m%d}T{at}.{ext}" for at in times]
    record = str(store / ledger.LEDGER_NAME)
    for name in names:
        content = name.encode()
        sha256 = hashlib.sha256(content).hexdigest()
        marked = older_verified and name == names[0]
        manifest = json.dumps({"size": len(content), "sha256": sha256, "period": f"{day}",
                               "verified": marked,
                               "verification": {"status": "ok" if marked else "pending"}})
        for folder in (store, local, *([media] if media and marked else [])):
            (folder / name).write_bytes(content)
            (folder / f"{name}.manifest.json").write_text(manifest)
        ledger.append(record, "ingested", name=name, sha256=sha256, size=len(content),
                      manifest=f"{name}.manifest.json",
                      manifest_sha256=hashlib.sha256(manifest.encode()).hexdigest())
        ledger.append(record, "verified", name=name, sha256=sha256, status="ok",
                      reason="restored, content matches", method="restore")
    if pruned:
        ledger.append(record, "pruned", name=names[0], reason="outside keep rules")
        for name in (names[0], f"{names[0]}.manifest.json"):
            (store / name).unlink()
    return names


def reconcile_play(tasks_file: str) -> str:
    """The backup activity's sweep before the push and its record of the backup
    computer's verdicts, as the role writes them (with the role's internal variables)."""
    tasks = yaml.safe_load((ROOT / tasks_file).read_text(encoding="utf-8"))
    steps = [t for t in tasks if "backup" not in t.get("backup_ingest", {"backup": None})
             or t.get("backup_manifest", {}).get("state") == "reconcile"]
    assert [next(iter(set(t) & {"backup_ingest", "backup_manifest"})) for t in steps] == [
        "backup_ingest", "backup_manifest"]
    internal = yaml.safe_load((ROOT / tasks_file).parents[1].joinpath("vars/main.yml")
                              .read_text(encoding="utf-8"))
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                            "vars": {key: value for key, value in internal.items()
                                     if key.endswith("__verdicts")}, "tasks": steps}])


@pytest.mark.parametrize(("tasks_file", "prefixes"), [
    ("roles/sipp_backup/tasks/backup.yml", {"sipp": "sql.zst"}),
    ("roles/website/tasks/backup.yml", {"website": "tar.zst", "website-db": "sql.zst"})])
def test_a_verdict_the_killed_run_did_not_record_here_is_recorded_before_the_dump(
        tmp_path: pathlib.Path, tasks_file: str, prefixes: dict[str, str]) -> None:
    """Lab: a run killed after the backup computer verified its backup (183043) but before
    the manifest here was marked; the backup computer then pruned the older one (182432)
    the backup modules here still counted as the period's, and every run of the period
    failed ("182432 did not arrive"). The sweep's verdicts now make 183043 the period's
    verified backup here before the dump (then no dump, no push, no restore); the next
    run changes nothing."""
    files = load("sop_backup_files")
    store, local, incoming = (tmp_path / name for name in ("store", "local", "in"))
    for folder in (store, local, incoming):
        folder.mkdir()
    names = {prefix: lab_state(store, local, prefix, ext) for prefix, ext in prefixes.items()}
    for prefix, (older, _newer) in names.items():
        assert files.find_verified(str(local), prefix, "2026-12-06")["name"] == older
    play_text = reconcile_play(tasks_file)
    role = "sipp_backup" if "sipp" in prefixes else "website_backup"
    variables = {f"{role}_host": "localhost", f"{role}_remote_dir": str(store),
                 f"{role}_remote_incoming": str(incoming), f"{role}_local_dir": str(local)}
    if role == "sipp_backup":
        variables["sipp_backup_prefix"] = "sipp"
    else:
        variables.update(website_backup_prefix="website", website_backup_db_prefix="website-db")
    before = (store / "ledger.jsonl").read_bytes()
    assert changed(run_retire(tmp_path, play_text, variables)) == 1
    for prefix, (_older, newer) in names.items():
        assert files.find_verified(str(local), prefix, "2026-12-06")["name"] == newer
    assert (store / "ledger.jsonl").read_bytes() == before  # nothing goes the other way
    assert changed(run_retire(tmp_path, play_text, variables)) == 0


def dump_vars(store: pathlib.Path, incoming: pathlib.Path,
              local: pathlib.Path) -> dict[str, Any]:
    """The role's settings check_play's tasks read: the backup computer this host, its
    store and in-tray, the local folder, the dump's settings."""
    return {
        "sipp_backup_host": "localhost", "sipp_backup_remote_dir": str(store),
        "sipp_backup_remote_incoming": str(incoming), "sipp_backup_local_dir": str(local),
        "sipp_backup_prefix": "sipp", "sipp_backup_db_name": "sipp",
        "sipp_backup_db_user": "sop_backup", "sipp_backup_db_password": "",
        "sipp_backup_db_host": "localhost", "sipp_backup_db_port": 3306,
        "sipp_backup_engine": "auto", "sipp_backup_compression": "zstd",
        "sipp_backup_compression_level": 3, "sipp_backup_threads": 0,
        "sipp_backup_stall_timeout": 900, "sipp_backup_period": "daily",
        "sipp_backup_force": False,
    }


def check_play(variables: dict[str, Any], *more: str) -> str:
    """The SIPP backup activity's sweep, its record of the backup computer's verdicts,
    the dump, the tasks whose names begin with ``more`` and the read of the period's
    backup, as the role writes them (with the role's variable for what check mode's
    reconcile would have recorded; the removable medium a folder, no mount point)."""
    tasks = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/backup.yml").read_text("utf-8"))
    wanted = ("Remove the in-tray's", "Record the backup computer's verdicts",
              "Dump the SIPP database (", "Record the backup of this period", *more)
    steps = [t for t in tasks if t["name"].startswith(wanted)]
    assert len(steps) == len(wanted)
    for step in steps:
        if "backup_copy" in step:
            step["backup_copy"]["require_mountpoint"] = False
    role_vars = yaml.safe_load((ROOT / "roles/sipp_backup/vars/main.yml").read_text("utf-8"))
    name = "sipp_backup__reconciled_verification"
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                            "vars": {**variables, name: role_vars[name]}, "tasks": steps}])


def results(tmp_path: pathlib.Path, play_text: str, *options: str) -> dict[str, Any]:
    """Each task's result of ``play_text`` by its name."""
    play = tmp_path / "check.yml"
    play.write_text(play_text, encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, *options, str(play)], capture_output=True,
                          text=True, check=False, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return {t["task"]["name"]: t["hosts"]["localhost"]
            for t in json.loads(proc.stdout)["plays"][0]["tasks"]}


@pytest.mark.parametrize("older_verified", [True, False])
def test_check_mode_takes_the_verdict_the_reconcile_would_record_as_recorded(
        tmp_path: pathlib.Path, older_verified: bool) -> None:
    """The lab's state of this period (run B's backup verified on the backup computer, its
    manifest here pending): check mode's reconcile wrote nothing, so its dump named run A's
    older backup as the period's (or, run A's unverified, would dump a new one) and the
    read showed it, where a real run finds run B's verified."""
    store, local, incoming = (tmp_path / name for name in ("store", "local", "in"))
    for folder in (store, local, incoming):
        folder.mkdir()
    today = datetime.date.today()
    names = lab_state(store, local, "sipp", "sql.zst", today, ("000001", "000002"),
                      older_verified)
    play_text = check_play(dump_vars(store, incoming, local))
    before = {path.name: path.read_bytes() for path in local.iterdir()}
    dry = results(tmp_path, play_text, "--check")
    assert {path.name: path.read_bytes() for path in local.iterdir()} == before
    real = results(tmp_path, play_text)
    keys = ("changed", "marked", "path", "verified", "verification", "sop_output")
    for task in ("Record the backup computer's verdicts in this server's manifests still "
                 "pending", "Dump the SIPP database into the local backup directory",
                 "Record the backup of this period (the activity's output file)"):
        assert {k: dry[task].get(k) for k in keys} == {k: real[task].get(k) for k in keys}, task
    assert dry["Dump the SIPP database into the local backup directory"]["msg"] == \
        real["Dump the SIPP database into the local backup directory"]["msg"]
    dump = real["Dump the SIPP database into the local backup directory"]
    assert dump["path"] == str(local / names[1]) and dump["verified"] is True
    read = real["Record the backup of this period (the activity's output file)"]
    assert read["verified"] is True and read["verification"] == "restored, content matches"


def test_check_mode_copies_and_prunes_what_a_real_run_does_after_the_reconcile(
        tmp_path: pathlib.Path) -> None:
    """Run A's backup of today verified here and copied to the removable medium, run B's
    verified on the backup computer but pending here: a real run's reconcile marks run B's,
    whose copy then makes run A's copy on the medium, and run A's backup here, the day's
    older one, pruned. Check mode, its reconcile writing no mark, predicted neither prune;
    it now predicts the real run's copy and retention exactly."""
    store, local, incoming, media = (tmp_path / name
                                     for name in ("store", "local", "in", "media"))
    for folder in (store, local, incoming, media):
        folder.mkdir()
    today = datetime.date.today()
    names = lab_state(store, local, "sipp", "sql.zst", today, ("000001", "000002"),
                      pruned=False, media=media)
    keep = {"sipp_backup_keep_daily": 7, "sipp_backup_keep_weekly": 4,
            "sipp_backup_keep_monthly": 12}
    copy_task = "Copy the backup to the removable media when it is mounted"
    retain_task = "Apply retention to the SIPP server's backups"
    play_text = check_play({**dump_vars(store, incoming, local),
                            "sipp_backup_removable_path": str(media), **keep},
                           copy_task, retain_task)
    before = {folder: {path.name: path.read_bytes() for path in folder.iterdir()}
              for folder in (local, media)}
    dry = results(tmp_path, play_text, "--check")
    assert {folder: {path.name: path.read_bytes() for path in folder.iterdir()}
            for folder in (local, media)} == before
    real = results(tmp_path, play_text)
    assert real[copy_task]["copied"] is True and real[copy_task]["pruned"] == [names[0]]
    assert [item["name"] for item in real[retain_task]["pruned"]] == [names[0]]
    assert sorted(path.name for path in local.iterdir()) == \
        [names[1], f"{names[1]}.manifest.json"]
    for task, keys in ((copy_task, ("changed", "path", "sha256", "pruned", "damaged",
                                    "damaged_others", "scrubbed", "leftovers_removed")),
                       (retain_task, ("changed", "kept", "pruned", "missing"))):
        assert {k: dry[task].get(k) for k in keys} == {k: real[task].get(k) for k in keys}, task


def test_the_websites_check_mode_prunes_what_a_real_run_does_after_the_reconcile(
        tmp_path: pathlib.Path) -> None:
    """The website's backup activity: of each prefix, run A's backup of today verified
    here, run B's verified on the backup computer but pending here. A real run's reconcile
    marks run B's, then the web server's retention prunes run A's, the day's older one;
    check mode, its reconcile writing no mark, predicted no prune. It now predicts the
    real run's retention of both prefixes exactly."""
    tasks = yaml.safe_load((ROOT / "roles/website/tasks/backup.yml").read_text("utf-8"))
    wanted = ("Record the backup computer's verdicts in the local manifests still pending",
              "Apply retention to the web server's backups")
    defaults = yaml.safe_load((ROOT / "roles/website/defaults/main.yml").read_text("utf-8"))
    internal = yaml.safe_load((ROOT / "roles/website/vars/main.yml").read_text("utf-8"))
    local = tmp_path / "local"
    local.mkdir()
    today = datetime.date.today()
    verdicts: dict[str, Any] = {}
    newest: dict[str, str] = {}
    for prefix, ext in (("website", "tar.zst"), ("website-db", "sql.zst")):
        for at, ok in (("000001", True), ("000002", False)):
            name = f"{prefix}-{today:%Y%m%d}T{at}.{ext}"
            content = name.encode()
            sha256 = hashlib.sha256(content).hexdigest()
            (local / name).write_bytes(content)
            (local / f"{name}.manifest.json").write_text(json.dumps({
                "size": len(content), "sha256": sha256, "period": f"{today}",
                "verified": ok, "verification": {"status": "ok" if ok else "pending"}}))
            verdicts[name] = {"sha256": sha256, "verification": {
                "status": "ok", "reason": "listed whole", "method": "list"}}
            newest[prefix] = str(local / name)
    play_text = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "vars": {
        **{key: value for key, value in defaults.items()
           if key.startswith(("website_backup_keep_", "website_backup_prefix",
                              "website_backup_db_prefix"))},
        "website_backup_local_dir": str(local), "website__verdicts": internal["website__verdicts"],
        "website__stored": {"results": [{"verdicts": verdicts}]},
        "website__backup_files": {"path": newest["website"]},
        "website__backup_db": {"path": newest["website-db"]}},
        "tasks": [task for task in tasks if task.get("name") in wanted]}])
    before = {path.name: path.read_bytes() for path in local.iterdir()}
    dry = results(tmp_path, play_text, "--check")
    assert {path.name: path.read_bytes() for path in local.iterdir()} == before
    real = results(tmp_path, play_text)
    assert sorted(path.name for path in local.iterdir()) == sorted(
        name for path in newest.values()
        for name in (os.path.basename(path), f"{os.path.basename(path)}.manifest.json"))
    keys = ("changed", "kept", "pruned", "missing")
    retention = [{k: item.get(k) for k in keys} for item in real[wanted[1]]["results"]]
    assert [[i["name"] for i in item["pruned"]] for item in retention] == [
        [f"website-{today:%Y%m%d}T000001.tar.zst"], [f"website-db-{today:%Y%m%d}T000001.sql.zst"]]
    assert [{k: item.get(k) for k in keys} for item in dry[wanted[1]]["results"]] == retention


FAKE_CLIENT = """#!{python}
# A stand-in mariadb for the dump (no MariaDB server runs here without a container): one
# InnoDB table t; the global read lock refused (no RELOAD privilege), as on a server where
# the backup account lacks it, so no session waits for an answer.
import sys
lines = []
for line in iter(sys.stdin.readline, ""):
    if "FLUSH TABLES WITH READ LOCK" in line:
        sys.exit("ERROR 1227 (42000) at line 2: Access denied; you need (at least one of) "
                 "the RELOAD privilege(s) for this operation")
    lines.append(line)
sql = "".join(lines)
if "VERSION()" in sql:
    print("10.11.19-MariaDB")
elif "information_schema.VIEWS" in sql:
    pass
elif "information_schema.COLUMNS" in sql:
    print("74\\t6964\\tint\\t\\t")
elif "information_schema.TABLES" in sql:
    print("74\\tInnoDB\\t16384")
"""
FAKE_DUMP = """#!/bin/sh
case "$1" in --version) echo "mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB";; \
*) echo "CREATE TABLE t (id INT);";; esac
"""
# The push: the receiver run as the push key's forced command runs it.
FAKE_SSH = """#!/bin/sh
SSH_ORIGINAL_COMMAND="$*" exec {python} {receive} --keep-free=0 --prefix=sipp {incoming}
"""


def backup_of_today(folder: pathlib.Path, at: str) -> str:
    """A backup of today here, its manifest marked verified (by the old backup computer);
    its name."""
    today = datetime.date.today()
    name = f"sipp-{today:%Y%m%d}T{at}.sql.zst"
    content = name.encode()
    manifest = json.dumps({"size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
                           "period": f"{today}", "verified": True, "verification": {
                               "status": "ok", "reason": "restored, content matches",
                               "method": "restore"}})
    (folder / name).write_bytes(content)
    (folder / f"{name}.manifest.json").write_text(manifest)
    return name


def held_there(store: pathlib.Path, local: pathlib.Path, name: str) -> None:
    """The backup ``name`` of ``local`` taken in and verified by the backup computer."""
    ledger = load("sop_backup_ledger")
    record = str(store / ledger.LEDGER_NAME)
    content, manifest = (local / name).read_bytes(), (local / f"{name}.manifest.json")
    shutil.copy(local / name, store / name)
    shutil.copy(manifest, store / manifest.name)
    sha256 = hashlib.sha256(content).hexdigest()
    ledger.append(record, "ingested", name=name, sha256=sha256, size=len(content),
                  manifest=manifest.name,
                  manifest_sha256=hashlib.sha256(manifest.read_bytes()).hexdigest())
    ledger.append(record, "verified", name=name, sha256=sha256, status="ok",
                  reason="restored, content matches", method="restore")


@pytest.mark.skipif(os.geteuid() != 0, reason="the ingest gives files to root")
@pytest.mark.parametrize("case", ["new backup computer", "the older one held there"])
def test_only_a_backup_the_backup_computers_record_holds_is_the_periods(
        tmp_path: pathlib.Path, case: str) -> None:
    """Lab: the backup computer replaced (or sipp_backup_remote_dir moved). The SIPP
    server's manifests said verified (by the old one), the new record did not know the
    backup: the dump counted it as the period's, pushed nothing, and every run of the
    period failed with "... did not arrive in /srv/backup/incoming/400999". A backup the
    record does not hold now is not the period's: a real run dumps anew, pushes and takes
    the new one in; one it holds stays the period's (no dump, no push), even when a newer
    verified one here is unknown there."""
    store, local, incoming, fake = (tmp_path / name for name in ("store", "local", "in", "bin"))
    for folder in (local, incoming, fake):
        folder.mkdir()
    for name, text in (("mariadb", FAKE_CLIENT), ("mariadb-dump", FAKE_DUMP),
                       ("ssh", FAKE_SSH)):
        (fake / name).write_text(text.format(python=sys.executable, receive=ROOT / "roles"
                                             "/sipp_backup/files/sop-backup-receive",
                                             incoming=incoming))
        (fake / name).chmod(0o755)
    older = backup_of_today(local, "000001")
    newer = backup_of_today(local, "000002")
    if case == "the older one held there":
        store.mkdir(mode=0o700)
        held_there(store, local, older)
    tasks = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/backup.yml").read_text("utf-8"))
    wanted = ("Remove the in-tray's", "Record the backup computer's verdicts",
              "Dump the SIPP database (", "Push the manifest, then the backup",
              "Take the pushed files into")
    steps = [t for t in tasks if t["name"].startswith(wanted)]
    assert len(steps) == len(wanted)
    # no row counts: their sessions need a server (the dump's decision is the same)
    steps[2]["block"][0]["mariadb_backup"]["row_counts"] = False
    variables = role_vars(
        sipp_backup_remote_dir=str(store), sipp_backup_remote_incoming=str(incoming),
        sipp_backup_local_dir=str(local), sipp_backup_db_password="rahasia",
        sipp_backup_engine="mariadb-dump", sipp_backup__ssh=str(fake / "ssh"))
    play = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "vars": variables,
                            "environment": {"PATH": f"{fake}:{os.environ['PATH']}"},
                            "tasks": steps}])
    ran = results(tmp_path, play)
    dump = ran["Dump the SIPP database into the local backup directory"]
    push = ran["Push the manifest, then the backup, to the backup computer (new files only)"]
    ingest = ran["Take the pushed files into the backup computer's store (sha256 checked there)"]
    if case == "new backup computer":
        made = os.path.basename(dump["path"])
        assert dump["changed"] is True and made not in (older, newer), dump
        assert push["changed"] is True and push["rc"] == 0, push
        assert ingest["path"] == str(store / made), ingest
        assert ingest["msg"] == f"took {made} into {store} (sha256 checked here)"
    else:
        assert (dump["changed"], dump["path"]) == (False, str(local / older)), dump
        assert push.get("skipped") is True, push
        assert ingest["msg"] == f"{older} already in the store", ingest
    # the backups here are kept (the local retention still counts them as verified)
    assert {older, newer} <= {path.name for path in local.iterdir()}


@pytest.mark.parametrize("held", [False, True])
def test_the_websites_archive_counts_only_when_the_backup_computers_record_holds_it(
        tmp_path: pathlib.Path, held: bool) -> None:
    """The website's backup activity, as the SIPP backup's: a verified archive of today
    here that the backup computer's record (the sweep's verdicts of both prefixes) does
    not hold is not the period's, and a new one is made; one it holds is, even when a
    newer verified one here is unknown there."""
    tasks = yaml.safe_load((ROOT / "roles/website/tasks/backup.yml").read_text("utf-8"))
    wanted = ("Record the backup computer's verdicts in the local manifests still pending",
              "Back up the site's files (tar | zstd -T0, streamed, checksummed)")
    role = ROOT / "roles/website"
    site, local = tmp_path / "site", tmp_path / "local"
    for folder in (site, local):
        folder.mkdir()
    (site / "index.php").write_text("<?php echo 1;\n")
    names = [f"website-{datetime.date.today():%Y%m%d}T{at}.tar.zst"
             for at in ("000001", "000002")]
    for name in names:
        content = name.encode()
        (local / name).write_bytes(content)
        (local / f"{name}.manifest.json").write_text(json.dumps({
            "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
            "period": f"{datetime.date.today()}", "verified": True,
            "verification": {"status": "ok"}, "paths": [str(site)], "files": [],
            "exclude": []}))
    verdicts = {names[0]: {"sha256": hashlib.sha256(names[0].encode()).hexdigest(),
                           "verification": {"status": "ok"}}} if held else {}
    play_text = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "vars": {
        **yaml.safe_load((role / "defaults/main.yml").read_text("utf-8")),
        **yaml.safe_load((role / "vars/main.yml").read_text("utf-8")),
        "website_backup_local_dir": str(local), "website_backup_exclude": [],
        "website__site": {"paths": [str(site)]},
        "website__stored": {"results": [{"verdicts": verdicts}, {"verdicts": {}}]}},
        "tasks": [task for task in tasks if task.get("name") in wanted]}])
    made = results(tmp_path, play_text)[wanted[1]]
    if held:
        assert (made["changed"], made["path"]) == (False, str(local / names[0])), made
    else:
        assert made["changed"] is True and made["path"] not in {
            str(local / name) for name in names}, made
    assert {*names} <= {path.name for path in local.iterdir()}
