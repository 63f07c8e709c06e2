"""`sop run SOP -e NAME=...`: a NAME of a role the SOP's playbook does not play, and that
nothing it plays reads, is refused before anything is recorded: Ansible ignores it, and
the run went as if the setting had been given (`sop run network -e
website_backup_force=true`). Read from the repository's own playbooks and roles; the
court's inventory, which holds every SOP's settings, is not refused so."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from sop.catalogue import Sop, load_catalogue
from sop.cli import main
from sop.errors import SopError
from sop.extravars import parse_extra_vars
from sop.store import Store

from .conftest import INVENTORY, REPO

SOPS = load_catalogue(REPO / "runner" / "sop" / "catalogue")


def parse(sop: str, *arguments: str, source: str | None = None) -> list[str]:
    return parse_extra_vars(list(arguments), REPO, SOPS[sop], source).names


@pytest.mark.parametrize(
    ("sop", "argument", "error"),
    [
        ("network", "website_backup_force=true",
         "-e website_backup_force: a setting of role website, which SOP network does not "
         "play (its roles: network)"),
        ("sipp-backup", "server_maintenance_hosts=sipp",  # read by its playbook only
         "-e server_maintenance_hosts: a setting of role server_maintenance, which SOP "
         "sipp-backup does not play (its roles: sipp_backup)"),
        ("sipp-sync", '{"sipp_backup_keep_daily": 3}',
         "-e sipp_backup_keep_daily: a setting of role sipp_backup, which SOP sipp-sync "
         "does not play (its roles: sipp_sync)"),
        # it_security audits the website's logs with the module, its own settings
        # (it_security_web_log_paths): the website role's are not read
        ("it-security", "website_log_paths=/var/log/x.log",
         "-e website_log_paths: a setting of role website, which SOP it-security does not "
         "play (its roles: it_security)"),
    ],
    ids=["network", "another playbook's", "json", "it-security"],
)
def test_a_setting_of_a_role_the_sop_does_not_play_is_refused(
    sop: str, argument: str, error: str
) -> None:
    with pytest.raises(SopError) as exc:
        parse(sop, argument)
    assert str(exc.value) == error
    name = error.split(":", maxsplit=1)[0].removeprefix("-e ")
    assert parse_extra_vars([argument], REPO).names == [name]  # without the SOP: as before


def test_a_files_setting_of_a_role_not_played_is_refused_naming_the_file(
    tmp_path: Path,
) -> None:
    file = tmp_path / "vars.yml"
    file.write_text("network_probe_timeout: 5\nwebsite_quarantine: true\n")
    with pytest.raises(SopError) as exc:
        parse("network", f"@{file}")
    assert str(exc.value) == (
        f"-e @{file}: website_quarantine: a setting of role website, which SOP network "
        "does not play (its roles: network)"
    )


@pytest.mark.parametrize(
    ("sop", "name"),
    [
        # it_security's defaults read it (the backup computer's push users)
        ("it-security", "website_backup_remote_user"),
        ("it-security", "sipp_backup_remote_user"),
        ("it-security", "website_domain"),
        # the website's backup plays sipp_backup's tasks (include_role tasks_from)
        ("website", "sipp_backup_keep_daily"),
        # its playbook imports the role's task files (import_role tasks_from), and reads it
        ("server-maintenance", "server_maintenance_hosts"),
        ("server-maintenance", "server_maintenance_serial"),
        ("server-incident", "server_incident_hosts"),
        ("network", "court_name"),  # no role's prefix
    ],
)
def test_a_setting_the_sop_plays_or_reads_is_accepted(sop: str, name: str) -> None:
    assert parse(sop, f"{name}=x") == [name]


@pytest.mark.parametrize("sop", sorted(SOPS))
def test_every_sop_takes_its_own_roles_settings(sop: str, tmp_path: Path) -> None:
    """Given in a file, as a secret must be (a password is refused as key=value)."""
    role = sop.replace("-", "_")
    defaults = yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text())
    names = sorted(name for name in defaults if not name.startswith(f"{role}__"))
    given = tmp_path / "vars.yml"
    given.write_text(yaml.safe_dump(dict.fromkeys(names, 1)))
    assert parse(sop, f"@{given}") == names


def test_a_name_the_courts_inventory_templates_is_read(tmp_path: Path) -> None:
    """`it_security_web_log_paths: "{{ website_log_paths }}"` in the court's inventory:
    it-security reads website_log_paths, given with -e too."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text("all:\n  hosts:\n    web: {}\n")
    setting = inventory / "group_vars" / "all.yml"
    setting.write_text('it_security_web_log_paths: "{{ website_log_paths }}"\n')
    given = "website_log_paths=/var/log/x.log"
    assert parse("it-security", given, source=str(inventory)) == ["website_log_paths"]
    setting.write_text("website_log_paths: [/var/log/x.log]\n")  # set, not read: no reason
    with pytest.raises(SopError, match=r"which SOP it-security does not play"):
        parse("it-security", given, source=str(inventory))


def project_of(tmp_path: Path, playbook: str, roles: dict[str, dict[str, str]]) -> Sop:
    """A project of its own: `roles` (role -> relative path -> content) and a playbook, and
    a SOP `demo` that runs it."""
    for role, files in roles.items():
        (tmp_path / "roles" / role / "defaults").mkdir(parents=True)
        (tmp_path / "roles" / role / "defaults" / "main.yml").write_text(f"{role}_keep: 1\n")
        for relative, content in files.items():
            (tmp_path / "roles" / role / relative).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "roles" / role / relative).write_text(content)
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "demo.yml").write_text(playbook)
    return dataclasses.replace(SOPS["network"], id="demo", playbook="playbooks/demo.yml")


def test_a_roles_dependencies_and_an_imported_playbook_are_played(tmp_path: Path) -> None:
    sop = project_of(
        tmp_path,
        "- import_playbook: more.yml\n- hosts: all\n  roles: [{role: backup}]\n",
        {
            "backup": {"meta/main.yml": "dependencies: [{role: common}]\n"},
            "common": {},
            "report": {},
            "mail": {},
            "unused": {},
        },
    )
    (tmp_path / "playbooks" / "more.yml").write_text(
        "- hosts: all\n  tasks:\n    - block:\n        - ansible.builtin.include_role:\n"
        "            name: report\n            tasks_from: send.yml\n"
    )
    (tmp_path / "roles" / "report" / "tasks").mkdir()
    (tmp_path / "roles" / "report" / "tasks" / "send.yml").write_text(
        "- ansible.builtin.import_role: {name: mail}\n"
    )
    names = ["backup_keep", "common_keep", "mail_keep", "report_keep"]
    assert parse_extra_vars([f"{n}=1" for n in names], tmp_path, sop).names == names
    with pytest.raises(SopError) as exc:
        parse_extra_vars(["unused_keep=1"], tmp_path, sop)
    assert str(exc.value) == (
        "-e unused_keep: a setting of role unused, which SOP demo does not play "
        "(its roles: backup, common, mail, report)"
    )


def test_a_role_named_by_a_template_refuses_no_role_not_played(tmp_path: Path) -> None:
    """Which roles it plays is not told: ansible-playbook, not `sop run`, decides."""
    sop = project_of(
        tmp_path,
        "- hosts: all\n  tasks:\n    - include_role: {name: '{{ which }}'}\n",
        {"backup": {}},
    )
    assert parse_extra_vars(["backup_keep=1"], tmp_path, sop).names == ["backup_keep"]
    (tmp_path / "playbooks" / "demo.yml").write_text(
        "- hosts: all\n  tasks:\n    - include_role: {name: other}\n"
    )
    with pytest.raises(SopError, match=r"^-e backup_keep: a setting of role backup, which "
                       r"SOP demo does not play \(it plays no role of the project\)$"):
        parse_extra_vars(["backup_keep=1"], tmp_path, sop)


@pytest.mark.parametrize(
    ("sop", "plays"),
    [("local-demo", "it plays no role of the project"), ("local-manual", "it has no playbook")],
)
def test_a_setting_the_sop_does_not_play_runs_nothing(
    sop_env: dict[str, str], store_at: Store, capsys: pytest.CaptureFixture[str],
    sop: str, plays: str,
) -> None:
    """It ran, recorded as if the setting had been given."""
    code = main(["run", sop, "-i", str(INVENTORY), "--check",
                 "-e", "court_name=PN", "-e", "website_backup_force=true"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err == (
        f"sop: error: -e website_backup_force: a setting of role website, which SOP {sop} "
        f"does not play ({plays})\n"
    )
    assert store_at.executions() == []
