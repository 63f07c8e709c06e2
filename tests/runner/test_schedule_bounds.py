"""The roles' own time bounds along one run of each SOP fire before the time limit its
timer's run gets by default (schedule.default_time_limit, the court giving no
`sop_schedule.time_limit`): a step that hangs or runs too long fails with its own cause
(`Verifikasi tidak dapat dijalankan ...`), not as a run stopped for passing its time
limit. sipp_backup_verify_timeout's default of 4 hours let the verify-restore alone run
past the SIPP backup's 2h 22min.

Each SOP lists, in the order a run meets them, the bounds of its longest sequential path
with the default settings: every step that has one taking (nearly) all of it, one after
the other. A stall timeout bounds a step that hangs, not its work: it is counted once, the
step hung at its end. The work the bounds do not cover (the tasks over SSH, a dump, tar
or push while it makes progress) needs time too: ROOM of the limit is left to it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from sop.catalogue import PACKAGE_CATALOGUE, load_catalogue
from sop.schedule import default_time_limit

ROOT = Path(__file__).parents[2]
# A bound: a role's default (roles/<role>, variable), an option's default of a module the
# role gives none (library/<module>.py, option), or a program's constant.
Bound = tuple[str, str]
RECEIVER = "roles/sipp_backup/files/sop-backup-receive"  # the push's receiver: STALL
# The backup computer's waits for its store's lock (the roles give the modules no
# lock_timeout): each sweep and ingest, each verification's record, each retention of
# the store.
STORE_LOCK = ("library/backup_ingest.py", "lock_timeout")
RECORD_LOCK = {"db": ("library/mariadb_restore_verify.py", "lock_timeout"),
               "files": ("library/website_archive_verify.py", "lock_timeout")}
RETENTION_LOCK = ("library/backup_retention.py", "lock_timeout")
MAINTENANCE = "roles/server_maintenance"
ROOM = 15 * 60

# the groups server_maintenance_hosts defaults to
MAINTAINED = ("sipp_servers", "web_servers", "backup_hosts")


def maintained_hosts() -> int:
    """The example court's servers in the groups server maintenance runs on."""
    groups = yaml.safe_load((ROOT / "inventory/example/hosts.yml").read_text(encoding="utf-8"))
    children = groups["all"]["children"]["court"]["children"]
    return sum(len(children[group].get("hosts") or {}) for group in MAINTAINED)


# Per SOP: how many times its path runs one after another, and the path.
PATHS: dict[str, tuple[int, list[Bound]]] = {
    # No time bound among the role's defaults: its modules' time limits are constants
    # (module_utils/sop_server.py TIME_LIMITS, task timeouts of 120 s).
    "it-security": (1, []),
    "server-incident": (1, []),
    # Per address and per router (at most 32 read at once): a court's many addresses
    # multiply them, seconds each.
    "network": (1, [("roles/network", "network_probe_timeout"),
                    ("roles/network", "network_routeros_timeout")]),
    # sipp_http_check gives up an answer not complete after three times its timeout; the
    # database queries' own limit is left to ROOM.
    "sipp-maintenance": (1, [("roles/sipp_maintenance", "sipp_maintenance_http_timeout")] * 3),
    # Persiapan's two pages (each task 10 s above), the public page before, the sync
    # command (or URL), the page after, Laporan's status.
    "sipp-sync": (1, [("roles/sipp_sync", "sipp_sync_http_timeout")] * 3
                  + [("roles/sipp_sync", "sipp_sync_command_timeout")]
                  + [("roles/sipp_sync", "sipp_sync_http_timeout")] * 2),
    # Persiapan's sweep of the in-tray (its wait for the store's lock), then Kegiatan 2,
    # whose first failure ends the run: the sweep before the dump, the dump hung at its
    # end, the push hung at its end (the receiver's), the ingest, the verify-restore (its
    # stall timeout and its wait for the backup computer's verification lock within it),
    # its record's wait for the store's lock, the store's retention's.
    "sipp-backup": (1, [STORE_LOCK, STORE_LOCK,
                        ("roles/sipp_backup", "sipp_backup_stall_timeout"),
                        (RECEIVER, "STALL"),
                        STORE_LOCK,
                        ("roles/sipp_backup", "sipp_backup_verify_timeout"),
                        RECORD_LOCK["db"], RETENTION_LOCK]),
    # Every activity runs after a failed one. 1: a page that answers no further. 2: the
    # sweep of the in-tray for each of its two prefixes (each waiting for the store's
    # lock), tar hung at its end, the CMS dump hung at its end (both
    # website_backup_stall_timeout), a push hung at its end, the ingest of each prefix, the
    # archive's listing, then the database's verify-restore (its stall timeout and its
    # wait for the verification lock within it), each record's wait for the store's lock,
    # the store's retention of each prefix. 3: the log audit, a page read as a browser,
    # the CMS database's query. 4: the registry's RDAP answer.
    "website": (1, [("roles/website", "website_http_timeout"),
                    STORE_LOCK, STORE_LOCK,
                    ("roles/website", "website_backup_stall_timeout"),
                    ("roles/website", "website_backup_stall_timeout"),
                    (RECEIVER, "STALL"),
                    STORE_LOCK, STORE_LOCK,
                    ("roles/website", "website_backup_verify_timeout"),
                    RECORD_LOCK["files"],
                    ("roles/website", "website_backup_verify_timeout"),
                    RECORD_LOCK["db"],
                    RETENTION_LOCK, RETENTION_LOCK,
                    ("roles/website", "website_log_timeout"),
                    ("roles/website", "website_http_timeout"),
                    ("library/website_integrity.py", "query_timeout"),
                    ("roles/website", "website_http_timeout")]),
    # Kegiatan 6, one host after another (the playbook's serial 1): apt-get update's wait
    # for apt's lock, the download counted after it, the install's wait for the lock (the
    # install itself has no limit), ansible.builtin.reboot's reboot_timeout for the host
    # to go down and again to answer, the boot's end, MariaDB's ping; on each server of the
    # example court.
    "server-maintenance": (maintained_hosts(), [
        (MAINTENANCE, "server_maintenance_apt_lock_timeout"),
        (MAINTENANCE, "server_maintenance_download_timeout"),
        (MAINTENANCE, "server_maintenance_apt_lock_timeout"),
        *[(MAINTENANCE, "server_maintenance_reboot_timeout")] * 3,
        (MAINTENANCE, "server_maintenance_mariadb_ping_timeout")]),
}


def _constant(path: Path, name: str) -> object:
    """The value of the top-level assignment ``name`` in the Python file ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets))


def seconds(bound: Bound) -> int:
    where, name = bound
    path = ROOT / where
    if path.is_dir():
        value = yaml.safe_load((path / "defaults/main.yml").read_text(encoding="utf-8"))[name]
    elif where.startswith("library/"):
        value = yaml.safe_load(str(_constant(path, "DOCUMENTATION")))["options"][name]["default"]
    else:
        value = _constant(path, name)
    assert isinstance(value, int), f"{where}: {name} is {value!r}, no number of seconds"
    return value


SOPS = load_catalogue(PACKAGE_CATALOGUE)


def test_every_sop_has_its_path_listed() -> None:
    assert sorted(PATHS) == sorted(SOPS)


@pytest.mark.parametrize("sop_id", sorted(PATHS))
def test_the_roles_bounds_of_one_run_fire_before_its_default_time_limit(sop_id: str) -> None:
    times, path = PATHS[sop_id]
    total = times * sum(seconds(bound) for bound in path)
    limit = default_time_limit(SOPS[sop_id])
    terms = " + ".join(f"{Path(where).name}:{name} {seconds((where, name))}"
                       for where, name in path)
    assert total + ROOM <= limit, (
        f"{sop_id}: {times} x ({terms})"
        f" = {total} s leaves less than {ROOM} s of the timer's {limit} s: lower a default, so"
        " that a slow step fails with its own cause before systemd stops the run")


def _tasks(node: object) -> list[dict[str, object]]:
    """Every task of a tasks file's YAML, those in blocks, rescues and always too."""
    found: list[dict[str, object]] = []
    for task in node if isinstance(node, list) else []:
        if isinstance(task, dict):
            found.append(task)
            for part in ("block", "rescue", "always"):
                found += _tasks(task.get(part))
    return found


def test_every_service_facts_task_has_a_time_limit() -> None:
    """service_facts lists the units by systemctl (`service --status-all` where systemd is
    not PID 1), which a wedged systemd hangs: on the very server being repaired, the step
    held the run until its timer's time limit. Every one in the roles carries the task
    timeout server_incident's has."""
    unbounded = [
        f"{path.relative_to(ROOT)}: {task.get('name')}"
        for path in sorted(ROOT.glob("roles/*/tasks/*.yml"))
        for task in _tasks(yaml.safe_load(path.read_text(encoding="utf-8")))
        if {"service_facts", "ansible.builtin.service_facts"} & set(task) and "timeout" not in task
    ]
    assert unbounded == []
