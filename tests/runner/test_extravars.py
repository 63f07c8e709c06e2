"""`-e @FILE` that ansible-playbook would refuse (no YAML, no mapping) is refused before
anything runs, in one line that shows none of its content."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sop.cli import main
from sop.errors import SopError
from sop.extravars import parse_extra_vars
from sop.store import Store

from .conftest import INVENTORY, REPO

VAULTED = "$ANSIBLE_VAULT;1.1;AES256\n6231623362343636\n"


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        ("- db_password\n- other\n", "extra vars must be a mapping (name: value lines)"),
        ("", "extra vars must be a mapping"),
        ("# nothing set yet\n", "extra vars must be a mapping"),
        ("just a word\n", "extra vars must be a mapping"),
        ("db_host: db1\ndb_password: [s3cret\n", "not valid YAML at line 3 (content not shown)"),
    ],
    ids=["list", "empty", "comment only", "scalar", "bad yaml"],
)
def test_a_file_ansible_playbook_would_refuse_is_refused(
    tmp_path: Path, content: str, cause: str
) -> None:
    file = tmp_path / "vars.yml"
    file.write_text(content)
    with pytest.raises(SopError) as exc:
        parse_extra_vars([f"@{file}"])
    assert str(exc.value).startswith(f"-e @{file}: {cause}")
    assert "s3cret" not in str(exc.value)


def test_a_file_not_utf8_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "vars.yml"
    file.write_bytes(b"court_city: Bangil \xe9\n")  # Latin-1: Ansible refuses it too
    with pytest.raises(SopError, match=r": not UTF-8 text \(content not shown\)$"):
        parse_extra_vars([f"@{file}"])


@pytest.mark.parametrize(
    ("content", "names"),
    [
        ("db_host: db1\ndb_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6231\n",
         ["db_host", "db_password"]),
        ('pattern: !unsafe "{{ not templated }}"\n', ["pattern"]),
        ('{\n\t"db_host": "db1"\n}\n', ["db_host"]),  # JSON with tabs: no YAML, but JSON
        (VAULTED, ["@vars.yml"]),  # a vaulted file: its name only, its content unread
    ],
    ids=["vaulted value", "unsafe value", "tab-indented json", "vaulted file"],
)
def test_files_ansible_playbook_reads_are_accepted(
    tmp_path: Path, content: str, names: list[str]
) -> None:
    file = tmp_path / "vars.yml"
    file.write_text(content)
    parsed = parse_extra_vars([f"@{file}"])
    assert (parsed.names, parsed.files) == (names, [str(file)])


def test_a_list_of_extra_vars_runs_nothing(
    sop_env: dict[str, str], store_at: Store, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It ran the playbook, which ansible-playbook refused ("could not be made into a
    dictionary"): a failed execution recorded for a mistyped file."""
    file = tmp_path / "vars.yml"
    file.write_text("- demo_dir\n")
    code = main(["run", "local-demo", "-i", str(INVENTORY), "--check", "-e", f"@{file}"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err == f"sop: error: -e @{file}: extra vars must be a mapping (name: value lines)\n"
    assert store_at.executions() == []


# A project role's variables, read here as the roles declare them: the defaults' keys.
ROLES = sorted(path.name for path in (REPO / "roles").iterdir() if path.is_dir())
DEFAULTS = [
    f"{role}:{name}"
    for role in ROLES
    for name in yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text())
]


@pytest.mark.parametrize("entry", DEFAULTS)
def test_every_roles_default_is_accepted(entry: str) -> None:
    name = entry.split(":")[1]
    assert parse_extra_vars([f"{name}=1"], REPO).names == [name]


@pytest.mark.parametrize(
    "name",
    [
        "court_name",  # no role's prefix: not checked
        "ansible_python_interpreter",
        "sipp_db_password",  # sipp_ is no role
        "server_maintenance_hosts",  # read by playbooks/server_maintenance.yml only
        "server_maintenance_serial",
        "server_incident_hosts",
        "sop_controller_hosts",
    ],
)
def test_names_a_role_does_not_declare_but_the_project_reads_are_accepted(name: str) -> None:
    assert parse_extra_vars([f"{name}=x"], REPO).names == [name]


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["sipp_backup_keep_dialy=3"],
         "-e sipp_backup_keep_dialy: role sipp_backup has no variable of that name "
         "(did you mean sipp_backup_keep_daily?)"),
        (['{"website_quarantne": true}'],
         "-e website_quarantne: role website has no variable of that name "
         "(did you mean website_quarantine?)"),
        (["network_ping_count=x"],
         "-e network_ping_count: role network has no variable of that name "
         "(roles/network/defaults/main.yml lists them)"),
        (["network_reach=x"],  # a result the role registers: -e would override it
         "-e network_reach: role network has no variable of that name "
         "(did you mean network_reach_lan?)"),
        (["court_name=PN sipp_backup__run=1"],
         "-e sipp_backup__run: an internal variable of role sipp_backup (two underscores), "
         "not a setting; roles/sipp_backup/defaults/main.yml lists its settings"),
    ],
    ids=["typo", "json typo", "no close name", "registered", "internal"],
)
def test_a_name_its_role_does_not_know_is_refused(arguments: list[str], error: str) -> None:
    with pytest.raises(SopError) as exc:
        parse_extra_vars(arguments, REPO)
    assert str(exc.value) == error
    parse_extra_vars(arguments)  # without a project: names unchecked, as before


def test_a_files_unknown_name_is_refused_naming_the_file(tmp_path: Path) -> None:
    file = tmp_path / "vars.yml"
    file.write_text("sipp_backup_keep_daily: 3\nsipp_backup_keep_weekyl: 2\n")
    with pytest.raises(SopError) as exc:
        parse_extra_vars([f"@{file}"], REPO)
    assert str(exc.value) == (
        f"-e @{file}: sipp_backup_keep_weekyl: role sipp_backup has no variable of that name "
        "(did you mean sipp_backup_keep_weekly?)"
    )


def test_a_vaulted_files_names_are_not_checked(tmp_path: Path) -> None:
    file = tmp_path / "sipp_backup_vault.yml"
    file.write_text(VAULTED)
    assert parse_extra_vars([f"@{file}"], REPO).names == ["@sipp_backup_vault.yml"]


def test_a_roles_argument_specs_and_vars_declare_its_variables_too(tmp_path: Path) -> None:
    """A required option has no default; this project's roles declare every option in
    their defaults as well, so a role of its own shows these files read."""
    role = tmp_path / "roles" / "backup"
    (role / "meta").mkdir(parents=True)
    (role / "vars").mkdir()
    (role / "meta" / "argument_specs.yml").write_text(
        "argument_specs:\n  main:\n    options:\n      backup_dest: {required: true}\n"
        "  prune:\n    options:\n      backup_keep: {type: int}\n"
    )
    (role / "vars" / "main.yml").write_text("backup_tool: mariadb-dump\n")
    names = ["backup_dest", "backup_keep", "backup_tool"]
    assert parse_extra_vars([f"{name}=x" for name in names], tmp_path).names == names
    with pytest.raises(SopError, match=r"did you mean backup_dest\?"):
        parse_extra_vars(["backup_dst=x"], tmp_path)


def test_a_role_whose_files_cannot_be_read_refuses_none_of_its_names(tmp_path: Path) -> None:
    """ansible-playbook names the broken file; `sop run` does not guess its variables."""
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "roles" / "backup" / "defaults").mkdir(parents=True)
    (tmp_path / "roles" / "backup" / "defaults" / "main.yml").write_text("backup_keep: [1\n")
    assert parse_extra_vars(["backup_kep=1"], tmp_path).names == ["backup_kep"]
    (tmp_path / "roles" / "backup" / "defaults" / "main.yml").write_text("backup_keep: 1\n")
    with pytest.raises(SopError, match=r"did you mean backup_keep\?"):
        parse_extra_vars(["backup_kep=1"], tmp_path)


def test_a_role_without_defaults_points_to_its_readme(tmp_path: Path) -> None:
    (tmp_path / "roles" / "backup").mkdir(parents=True)
    with pytest.raises(SopError) as exc:
        parse_extra_vars(["backup_keep=1"], tmp_path)
    assert str(exc.value) == (
        "-e backup_keep: role backup has no variable of that name "
        "(roles/backup/README.md lists them)"
    )


def test_a_typo_runs_nothing(
    sop_env: dict[str, str], store_at: Store, capsys: pytest.CaptureFixture[str],
) -> None:
    """Ansible ignores an unknown variable: the run went on as if the setting were given,
    and was recorded so."""
    code = main(["run", "local-demo", "-i", str(INVENTORY), "--check",
                 "-e", "court_name=PN", "-e", "sipp_backup_keep_dialy=3"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err == (
        "sop: error: -e sipp_backup_keep_dialy: role sipp_backup has no variable of that "
        "name (did you mean sipp_backup_keep_daily?)\n"
    )
    assert store_at.executions() == []
