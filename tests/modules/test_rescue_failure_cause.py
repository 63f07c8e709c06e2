"""The rescues of the website, network, server_incident and sipp_backup roles, run by
Ansible: a failed loop is recorded with each failed item's cause (sop_failure_cause), not
Ansible's own 'One or more items failed' (the lab's website backup with the backup
computer's disk full during the ingest was recorded as no more)."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
import yaml
from loader import last_message

ROOT = pathlib.Path(__file__).parents[2]


def outcome(tmp_path: pathlib.Path, role: str, tasks_file: str, activity: str, final: str,
            failing: dict[str, Any]) -> str:
    """The message of the role's task ``final`` once the block of its task ``activity``
    (its always left out) is ``failing`` instead."""
    tasks = yaml.safe_load((ROOT / "roles" / role / "tasks" / tasks_file).read_text("utf-8"))
    block = next(t for t in tasks if t["name"].startswith(activity))
    block = {key: value for key, value in block.items() if key != "always"}
    stop = next(t for t in tasks if t["name"] == final)
    vars_file = ROOT / "roles" / role / "vars" / "main.yml"
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars_files": [str(vars_file)] if vars_file.exists() else [],
             "tasks": [dict(block, block=[failing]), stop]}]
    return last_message(tmp_path, play)


def test_the_website_backup_names_the_ingest_that_failed(tmp_path):
    failing = {"name": "Take the pushed files into the backup computer's store",
               "ansible.builtin.fail": {
                   "msg": "ingest failed: {{ item.prefix }}-20261206T151727.tar.zst: "
                          "No space left on device"},
               "loop": [{"prefix": "website"}, {"prefix": "website-db"}],
               "loop_control": {"label": "{{ item.prefix }}"},
               "when": "item.prefix == 'website'"}
    assert outcome(tmp_path, "website", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == ("Kegiatan 2: website: ingest failed: "
                                "website-20261206T151727.tar.zst: No space left on device")


def test_the_network_check_names_each_failed_command_by_its_error(tmp_path):
    failing = {"name": "Read the UPSes", "ansible.builtin.command": {
                   "argv": ["sh", "-c", "echo 'Error: Driver not connected' >&2; exit 1"]},
               "loop": ["ups1@192.0.2.5", "ups2@192.0.2.6"], "changed_when": False}
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == (
        "Kegiatan 2: ups1@192.0.2.5: non-zero return code (Error: Driver not connected); "
        "ups2@192.0.2.6: non-zero return code (Error: Driver not connected)")


@pytest.mark.parametrize(("failing", "cause"), [
    ({"name": "Run the remediations", "ansible.builtin.fail": {"msg": "{{ item }} gagal"},
      "loop": ["restart_services", "clean_logs"]},
     "restart_services: restart_services gagal; clean_logs: clean_logs gagal"),
    # the diagnosis after it, no loop: its own message
    ({"name": "Diagnose again", "ansible.builtin.fail": {"msg": "hours: must be 1 or more"}},
     "hours: must be 1 or more"),
])
def test_the_incident_names_each_failed_remediation(tmp_path, failing, cause):
    assert outcome(tmp_path, "server_incident", "diagnosa_gangguan.yml", "Remediate, then",
                   "Stop the run with the failed remediation's own cause", failing) == cause


@pytest.mark.parametrize(("command", "extra", "cause"), [
    # exited 0, its failed_when held: its last line of stderr, not an empty cause
    ("echo 'upsc: Data stale' >&2", {}, "upsc: Data stale"),
    ("echo 'battery.charge: 12'", {}, "battery.charge: 12"),
    ("true", {}, "kondisi gagal tugas terpenuhi (failed_when)"),
    # no_log: its output never recorded
    ("echo 'password rahasia' >&2", {"no_log": True},
     "kondisi gagal tugas terpenuhi (failed_when)"),
])
def test_a_command_failed_by_its_failed_when_is_named(tmp_path, command, extra, cause):
    """Its msg is empty: the activity was recorded as 'Kegiatan 2: ups1@192.0.2.5: '."""
    failing = {"name": "Read the UPSes", "ansible.builtin.command": {
                   "argv": ["sh", "-c", command]},
               "loop": ["ups1@192.0.2.5"], "changed_when": False, "failed_when": True, **extra}
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == f"Kegiatan 2: ups1@192.0.2.5: {cause}"
    single = {key: value for key, value in failing.items() if key != "loop"}
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   single) == f"Kegiatan 2: {cause}"


@pytest.mark.parametrize(("module", "option", "variable"), [
    ("net_reachability", "timeout", "network_probe_timeout"),
    ("net_reachability", "interval", "network_probe_interval"),
])
def test_the_network_check_names_the_variable_of_each_modules_timeout(
        tmp_path, module, option, variable):
    # the timeout was named network_timeout, a variable no court has (routeros_check's:
    # test_network_role.py, the role's own task stops the activity for it)
    failing = {"name": "Check", module: {option: -1}}
    shown = "0 (no pause between echo requests) or a positive" if option == "interval" \
        else "a positive"
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == (f"Kegiatan 2: pengaturan salah: {variable}: must be {shown} "
                                "number of seconds, not -1")


@pytest.mark.parametrize(("option", "value", "said"), [
    # recorded as 'Kegiatan 2: probes must be at least 1', an option no court sets
    ("probes", 0, "must be a positive number of echo requests, not 0"),
    # a float option: shown as Python writes the float
    ("latency_warn_ms", 10**12, "must be at most 60000 milliseconds (one minute), not 1e+12"),
    # taken without a word: a loss level over 100 warned of no lossy target
    ("loss_warn_percent", 150, "must be at most 100 percent, not 150"),
])
def test_the_network_check_names_the_variable_of_probes_and_the_warning_levels(
        tmp_path, option, value, said):
    failing = {"name": "Check", "net_reachability": {option: value}}
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == f"Kegiatan 2: pengaturan salah: network_{option}: {said}"


@pytest.mark.parametrize(("option", "value", "said"), [
    # recorded as 'Kegiatan 2: gateway: ...', 'Kegiatan 2: dns_servers: ...', options no
    # court sets
    ("gateway", [""], "network_reach_gateway: an empty entry in the list (an empty list, "
                      "[], skips it)"),
    ("internal_names", [" "], "network_dns_internal_names: an empty entry in the list (an "
                              "empty list, [], skips it)"),
    ("central", [""], "network_central_urls: an empty entry in the list (an empty list, "
                      "[], skips it)"),
    ("dns_servers", ["dns.pn.court"],
     "network_dns_servers: must be an IPv4 or IPv6 address, not 'dns.pn.court'"),
    # given to ping as its option
    ("lan", ["-f"], "network_reach_lan: must be a host name (letters, digits, '-' and '_', "
                    "labels separated by '.', none starting with '-') or an IP address, not "
                    "'-f'"),
])
def test_the_network_check_names_the_variable_of_each_list(tmp_path, option, value, said):
    failing = {"name": "Check", "net_reachability": {option: value}}
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == f"Kegiatan 2: pengaturan salah: {said}"


@pytest.mark.parametrize(("option", "value", "said"), [
    # recorded as 'Kegiatan 2: keep must be 0 or more ...', an option no court sets
    ("keep", -1, "must be 0 (keeps none) or a positive number of older versions, not -1"),
    ("max_export_bytes", 0, "must be a positive number of bytes, not 0"),
    # recorded as 'Kegiatan 2: path must be an absolute path', naming no variable (the
    # prefix network_ would have named it network_path, a variable no court has)
    ("path", "jaringan", "must be an absolute path, not 'jaringan'"),
])
def test_the_network_check_names_the_variable_of_the_configuration_store(
        tmp_path, option, value, said):
    failing = {"name": "Keep the configurations", "net_config_store": {
        "path": str(tmp_path / "jaringan"), option: value,
        "items": [{"name": "rb1", "content": "x\n"}]}}
    variable = f"network_config_store_{option}"
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == f"Kegiatan 2: pengaturan salah: {variable}: {said}"
    assert not (tmp_path / "jaringan").exists()


def ups_read(**settings: Any) -> dict[str, Any]:
    """The network role's UPS read and the task judging it (the read, run once, fails no
    host: Ansible gives a failed run_once task's result to the host that ran it alone),
    with ``settings``, on localhost."""
    tasks = yaml.safe_load((ROOT / "roles/network/tasks/perawatan_jaringan.yml")
                           .read_text("utf-8"))
    read = [t for t in tasks if t["name"] in ("Read the UPSes through NUT",
                                              "Stop when a UPS could not be read")]
    assert len(read) == 2
    return {"name": "Read the UPSes", "block": read,
            "vars": {"network_ups_client_host": "localhost", "network__reader": "localhost",
                     "network_ups_battery_max_age_days": 0, **settings}}


def test_the_network_check_names_the_variable_of_the_battery_age(tmp_path):
    # ups_status names its option battery_max_age_days as the setting: the prefix alone
    # made it network_battery_max_age_days, a variable no court has
    failing = ups_read(network_ups=["ups1"], network_ups_battery_max_age_days=10**12)
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == ("Kegiatan 2: ups1: pengaturan salah: "
                                "network_ups_battery_max_age_days: must be at most 3650 days "
                                "(ten years), not 1000000000000")


def test_the_network_check_names_the_variable_of_a_ups_name(tmp_path):
    # recorded as 'Kegiatan 2: -l: ups must be a UPS as NUT names it ...', an option no
    # court sets
    failing = ups_read(network_ups=["-l"])
    assert outcome(tmp_path, "network", "main.yml", "Kegiatan 2:", "Failed activities",
                   failing) == (
        "Kegiatan 2: -l: pengaturan salah: network_ups: must be a UPS as NUT names it, "
        "upsname[@hostname[:port]] (letters, digits, '.', '_' and '-', not starting with "
        "'-'; a port 1-65535), not '-l'")


def test_the_sipp_backup_verification_names_the_role_variable_it_refuses(tmp_path):
    """`-e sipp_backup_verify_timeout=0` was recorded as the module's 'timeout: must be a
    positive number of seconds, not 0'; the rest of the message, after a multi-line
    expression in its folded text, went to a second line the record leaves out."""
    tasks = yaml.safe_load((ROOT / "roles/sipp_backup/tasks/verify.yml").read_text("utf-8"))
    block = dict(tasks[0], when=True)
    block["block"] = [{"name": "Restore", "mariadb_restore_verify": {
        "path": str(tmp_path / "sipp-20261206T153644.tar.zst"), "timeout": 0}}]
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {"sipp_backup_host": "backup",
                      "sipp_backup__dump": {"path": "/var/backups/sipp/sipp-1.tar.zst"}},
             "tasks": [block]}]
    assert last_message(tmp_path, play) == (
        "Verifikasi tidak dapat dijalankan di komputer backup backup: pengaturan salah: "
        "sipp_backup_verify_timeout: must be a positive number of seconds, not 0. Backup "
        "sipp-1.tar.zst belum terverifikasi dan tidak ditandai gagal; jalankan lagi setelah "
        "penyebabnya diperbaiki.")


@pytest.mark.parametrize(("variable", "value", "cause"), [
    # mydumper was given --threads 1 without a word
    ("sipp_backup_threads", "-4",
     "must be 0 (the number of CPUs) or a positive number of threads, not -4"),
    # zstd -q -99 compressed at 19 without a word, many times slower than 3
    ("sipp_backup_compression_level", "99", "must be at most 19 levels (zstd's highest), not 99"),
])
def test_the_sipp_backup_dump_names_the_role_variable_it_refuses(tmp_path, variable, value,
                                                                 cause):
    """The role's own dump task, its variable given as -e gives it (a text): the module
    refuses it before anything is dumped, and the rescue names the role's variable, not
    the module's option (threads, compression_level)."""
    role = ROOT / "roles/sipp_backup"
    tasks = yaml.safe_load((role / "tasks/backup.yml").read_text("utf-8"))
    block = next(t for t in tasks if t["name"].startswith("Dump the SIPP database"))
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {**yaml.safe_load((role / "defaults/main.yml").read_text("utf-8")),
                      **yaml.safe_load((role / "vars/main.yml").read_text("utf-8")),
                      "sipp_backup_local_dir": str(tmp_path / "backups"), variable: value},
             "tasks": [block]}]
    assert last_message(tmp_path, play) == f"Backup gagal: pengaturan salah: {variable}: {cause}"
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize(("option", "value", "cause"), [
    ("lock_timeout", -1, "server_maintenance_apt_lock_timeout: must be 0 (does not wait) or a "
                         "positive number of seconds, not -1"),
    ("download_timeout", 0, "server_maintenance_download_timeout: must be a positive number of "
                            "seconds, not 0"),
])
def test_the_server_upgrade_names_the_role_variable_it_refuses(tmp_path, option, value, cause):
    """The module's lock_timeout was recorded, a name no court sets (the role's variable
    is server_maintenance_apt_lock_timeout). server_updates refuses it before apt runs,
    and in check mode."""
    tasks = yaml.safe_load(
        (ROOT / "roles/server_maintenance/tasks/perawatan_server.yml").read_text("utf-8"))
    block = next(t for t in tasks if "block" in t and t["name"].startswith("Upgrade the"))
    block["block"] = [{"name": "Upgrade", "server_updates": {option: value},
                       "check_mode": True}]
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [block]}]
    assert last_message(tmp_path, play) == f"pengaturan salah: {cause}"
