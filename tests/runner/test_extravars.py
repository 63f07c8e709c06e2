"""`-e @FILE` that ansible-playbook would refuse (no YAML, no mapping) is refused before
anything runs, in one line that shows none of its content; a name with a role's prefix
that the role does not know, given with -e or set in the court's inventory, too."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from sop.cli import main
from sop.errors import SopError
from sop.extravars import parse_extra_vars, refuse_unknown_settings
from sop.inventory import VaultOptions, set_variables
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
def test_every_roles_default_is_accepted(entry: str, tmp_path: Path) -> None:
    """Given in a file, as a secret must be (a password is refused as key=value)."""
    name = entry.split(":")[1]
    given = tmp_path / "vars.yml"
    given.write_text(f"{name}: 1\n")
    assert parse_extra_vars([f"@{given}"], REPO).names == [name]


@pytest.mark.parametrize(
    "argument",
    [
        "sipp_backup_db_password=Rahasia1",
        "sipp_db_password=Rahasia1",  # no role's prefix: refused all the same
        "vault_sipp_db_password=Rahasia1",
        "SOP_API_TOKEN=abc",
        '{"website_db_password": "Rahasia1"}',
        '{"network_routeros_routers": [{"name": "rb", "password": "Rahasia1"}]}',
    ],
)
def test_a_secret_on_the_command_line_is_refused(argument: str) -> None:
    """`ps` shows every account a process's arguments, and the shell keeps them: a
    secret goes through the vault or an @file, and the error names where it was."""
    with pytest.raises(SopError) as refused:
        parse_extra_vars([argument], REPO)
    assert str(refused.value).startswith("-e ")
    assert "Rahasia1" not in str(refused.value) and "abc" not in str(refused.value)
    assert "a secret is not taken on the command line" in str(refused.value)
    if "routers" in argument:
        assert str(refused.value).startswith("-e network_routeros_routers[0].password: ")


@pytest.mark.parametrize(
    "name", ["sop_controller_vault_password_file", "website_backup_ssh_key", "sipp_backup_force"]
)
def test_names_of_no_secret_are_taken_on_the_command_line(name: str) -> None:
    assert parse_extra_vars([f"{name}=/x"], REPO).names == [name]


@pytest.mark.parametrize(
    "name",
    [
        "court_name",  # no role's prefix: not checked
        "ansible_python_interpreter",
        "sipp_db_host",  # sipp_ is no role
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


# The court's inventory: a setting no role knows is refused as an -e one is.

COURT_HOSTS = (
    "all:\n"
    "  children:\n"
    "    court:\n"
    "      hosts:\n"
    "        localhost:\n"
    "          ansible_connection: local\n"
    "          ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n"
)
TYPO = "role sipp_backup has no variable of that name (did you mean sipp_backup_keep_daily?)"


def court_inventory(tmp_path: Path, hosts: str = COURT_HOSTS) -> Path:
    """The fixture court (its group_vars/all.yml) with its host in a group `court`."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    shutil.copy(INVENTORY / "group_vars" / "all.yml", inventory / "group_vars" / "all.yml")
    (inventory / "hosts.yml").write_text(hosts)
    return inventory


def setting_typo(inventory: Path, place: str) -> str:
    """`sipp_backup_keep_dialy: 3` set in `place`; where the refusal names it."""
    typo = "sipp_backup_keep_daily: 7\nsipp_backup_keep_dialy: 3\n"
    if place in ("group_vars file", "group_vars directory", "host_vars"):
        relative = {
            "group_vars file": "group_vars/court.yml",
            "group_vars directory": "group_vars/court/backup.yml",
            "host_vars": "host_vars/localhost.yml",
        }[place]
        (inventory / relative).parent.mkdir(parents=True, exist_ok=True)
        (inventory / relative).write_text("---\n" + typo)
        kind = "host_vars of localhost" if place == "host_vars" else "group_vars of court"
        return f"{kind} ({inventory / relative} line 3)"
    hosts = inventory / "hosts.yml"
    if place == "inventory group vars":
        hosts.write_text(COURT_HOSTS + "      vars:\n" + textwrap.indent(typo, " " * 8))
        return f"vars of group court ({hosts} line 10)"
    if place == "inventory host vars":
        hosts.write_text(COURT_HOSTS + textwrap.indent(typo, " " * 10))
        return f"vars of host localhost ({hosts} line 9)"
    hosts.unlink()  # an INI inventory
    ini = inventory / "hosts.ini"
    ini.write_text(
        "[court]\nlocalhost ansible_connection=local\n\n[court:vars]\n"
        "sipp_backup_keep_daily=7\nsipp_backup_keep_dialy=3\n"
    )
    return f"vars of group court ({ini} line 6)"


PLACES = ["group_vars file", "group_vars directory", "host_vars", "inventory group vars",
          "inventory host vars", "ini group vars"]


@pytest.mark.parametrize("place", PLACES)
def test_a_setting_typo_in_the_inventory_runs_nothing(
    sop_env: dict[str, str], store_at: Store, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], place: str,
) -> None:
    """Ansible ignores a variable no role reads: a court's `sipp_backup_keep_dialy: 3`
    ran as if its backups were kept so, and was recorded so."""
    inventory = court_inventory(tmp_path)
    where = setting_typo(inventory, place)
    code = main(["run", "local-demo", "-i", str(inventory), "--check"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err == f"sop: error: inventory: {where}: sipp_backup_keep_dialy: {TYPO}\n"
    assert store_at.executions() == []


def test_an_internal_variable_in_the_inventory_is_refused(tmp_path: Path) -> None:
    inventory = court_inventory(tmp_path)
    (inventory / "host_vars").mkdir()
    (inventory / "host_vars" / "localhost.yml").write_text("website__pages: []\n")
    with pytest.raises(SopError) as exc:
        refuse_unknown_settings(REPO, str(inventory), None, VaultOptions())
    assert str(exc.value) == (
        f"inventory: host_vars of localhost ({inventory}/host_vars/localhost.yml line 1): "
        "website__pages: an internal variable of role website (two underscores), not a "
        "setting; roles/website/defaults/main.yml lists its settings"
    )


def _vault_block(text: str, indent: int) -> str:
    block = VaultLib([("default", VaultSecret(b"vault-pw-7301"))]).encrypt(text).decode()
    return "!vault |\n" + textwrap.indent(block, " " * indent)


def test_a_setting_typo_in_a_vaulted_inventory_runs_nothing(
    sop_env: dict[str, str], store_at: Store, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An inline !vault value's name, and the names of a vaulted file, decrypted with the
    password the run is given (as its check of that password decrypts it)."""
    inventory = court_inventory(tmp_path)
    password = tmp_path / "vault-pass"
    password.write_text("vault-pw-7301\n")
    court = inventory / "group_vars" / "court.yml"
    court.write_text(f"sipp_backup_keep_dialy: {_vault_block('3', 2)}")
    run = ["run", "local-demo", "-i", str(inventory), "--check",
           "--vault-password-file", str(password)]
    assert main(run) == 2
    where = f"group_vars of court ({court} line 1)"
    assert capsys.readouterr().err == (
        f"sop: error: inventory: {where}: sipp_backup_keep_dialy: {TYPO}\n"
    )
    court.write_bytes(
        VaultLib([("default", VaultSecret(b"vault-pw-7301"))]).encrypt(
            "sipp_backup_keep_daily: 7\nsipp_backup_keep_dialy: 3\n"
        )
    )
    assert main(run) == 2
    where = f"group_vars of court ({court} line 2)"
    assert capsys.readouterr().err == (
        f"sop: error: inventory: {where}: sipp_backup_keep_dialy: {TYPO}\n"
    )
    assert store_at.executions() == []


def test_a_vaulted_values_name_is_read_without_its_value(tmp_path: Path) -> None:
    """Names only: an inline !vault value is not decrypted (a wrong password reads its
    name); a vaulted file, unreadable without the one password (vault identities are
    Ansible's to try), is left to ansible-playbook."""
    inventory = court_inventory(tmp_path)
    (inventory / "group_vars" / "court.yml").write_text(
        f"sipp_backup_keep_dialy: {_vault_block('3', 2)}"
    )
    wrong = VaultOptions(password="not-it")
    names = [name for _, name in set_variables(str(inventory), None, wrong)]
    assert "sipp_backup_keep_dialy" in names
    (inventory / "host_vars").mkdir()
    (inventory / "host_vars" / "localhost.yml").write_bytes(
        VaultLib([("default", VaultSecret(b"vault-pw-7301"))]).encrypt("website_quarantne: 1\n")
    )
    names = [name for _, name in set_variables(str(inventory), None, VaultOptions())]
    assert "sipp_backup_keep_dialy" in names and "website_quarantne" not in names
    found = set_variables(str(inventory), None, VaultOptions(password="vault-pw-7301"))
    assert "website_quarantne" in [name for _, name in found]


def test_only_the_hosts_in_scope_and_their_groups_are_read(tmp_path: Path) -> None:
    """--limit's hosts: another host's host_vars, a group without a host of the run, are
    none of this run's settings."""
    inventory = court_inventory(
        tmp_path,
        "all:\n  children:\n    court:\n      hosts: {a: {}, b: {}}\n"
        "    routers:\n      hosts: {}\n",
    )
    (inventory / "host_vars").mkdir()
    (inventory / "host_vars" / "b.yml").write_text("network_ping_count: 3\n")
    (inventory / "group_vars" / "routers.yml").write_text("network_reach_lna: []\n")
    refuse_unknown_settings(REPO, str(inventory), "a", VaultOptions())
    with pytest.raises(SopError, match=r"^inventory: host_vars of b \(.*\): network_ping_count"):
        refuse_unknown_settings(REPO, str(inventory), None, VaultOptions())


@pytest.mark.parametrize(
    "source",
    ["inventory/lab", "inventory/example", "molecule/sop_controller/court/hosts.yml",
     "tests/runner/fixtures/inventory"],
)
def test_the_projects_inventories_are_accepted(source: str) -> None:
    refuse_unknown_settings(REPO, str(REPO / source), None, VaultOptions())


def test_the_lab_sets_role_settings_read_by_the_check() -> None:
    """The acceptance above reads what the lab sets, each where it sets it."""
    found = set_variables(str(REPO / "inventory/lab"), None, VaultOptions())
    lab = REPO / "inventory" / "lab" / "group_vars"
    assert (f"group_vars of routers ({lab}/routers.yml line 4)", "network_reach_lan") in found
    assert (f"group_vars of court ({lab}/court/network.yml line 4)", "network_reach_lan") in found


def test_an_inventory_holding_no_such_name_is_not_read_by_ansible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The words of its files tell it: Ansible's import and read (0.1 s) spared."""

    def read(*_args: object) -> None:
        raise AssertionError("read by Ansible")

    monkeypatch.setattr("sop.inventory.set_variables", read)
    refuse_unknown_settings(REPO, str(REPO / "inventory/lab"), None, VaultOptions())


def test_a_script_inventorys_typo_is_refused(tmp_path: Path) -> None:
    """A script's variables are in no file: Ansible reads it."""
    script = tmp_path / "court.sh"
    script.write_text(
        "#!/bin/sh\n"
        'echo \'{"_meta": {"hostvars": {}}, "court": {"hosts": ["localhost"],'
        ' "vars": {"sipp_backup_keep_dialy": 3}}}\'\n'
    )
    script.chmod(0o755)
    with pytest.raises(SopError) as exc:
        refuse_unknown_settings(REPO, str(script), None, VaultOptions())
    assert str(exc.value) == f"inventory: vars of group court: sipp_backup_keep_dialy: {TYPO}"


MOLECULE = sorted((REPO / "molecule").glob("*/molecule.yml"))


@pytest.mark.parametrize("scenario", MOLECULE, ids=lambda path: path.parent.name)
def test_the_molecule_inventories_are_accepted(scenario: Path, tmp_path: Path) -> None:
    """Each scenario's inventory: its group_vars and host_vars, one host in every group."""
    given = yaml.safe_load(scenario.read_text()).get("provisioner", {}).get("inventory", {})
    inventory = tmp_path / "inventory"
    for kind in ("group_vars", "host_vars"):
        (inventory / kind).mkdir(parents=True)
        for entity, variables in (given.get(kind) or {}).items():
            (inventory / kind / f"{entity}.yml").write_text(yaml.safe_dump(variables or {}))
    groups = {group: {"hosts": {"h": None}} for group in given["group_vars"] if group != "all"}
    hosts = dict.fromkeys([*given.get("host_vars", {}), "h"])
    (inventory / "hosts.yml").write_text(
        yaml.safe_dump({"all": {"hosts": hosts, "children": groups}})
    )
    refuse_unknown_settings(REPO, str(inventory), None, VaultOptions())
    given_names = {str(name) for kind in ("group_vars", "host_vars")
                   for variables in given.get(kind, {}).values() for name in variables}
    read = {name for _, name in set_variables(str(inventory), None, VaultOptions())}
    assert given_names <= read  # every name given was read


@pytest.mark.parametrize(
    "command",
    [("report", "--format", "md"), ("overdue", "--json"), ("show", "local-demo"), ("list",)],
    ids=" ".join,
)
def test_commands_that_only_read_the_inventory_take_it_with_a_typo(
    sop_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
) -> None:
    """They run nothing on the court's hosts: its evidence stays readable (`incident
    open -i` reads it as `list -i` does: _court_scope)."""
    inventory = court_inventory(tmp_path)
    setting_typo(inventory, "group_vars file")
    code = main([*command, "-i", str(inventory)])
    assert code in (0, 7) and capsys.readouterr().err == ""


def test_a_typo_under_a_linked_directory_is_refused(tmp_path: Path) -> None:
    """Ansible reads a group_vars directory that is a symbolic link (a court's shared
    settings); the words of the files under it are not read here: Ansible's read is."""
    inventory = court_inventory(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "backup.yml").write_text("sipp_backup_keep_dialy: 3\n")
    (inventory / "group_vars" / "court").symlink_to(shared)
    with pytest.raises(SopError) as exc:
        refuse_unknown_settings(REPO, str(inventory), None, VaultOptions())
    assert str(exc.value) == (
        f"inventory: group_vars of court ({inventory}/group_vars/court/backup.yml line 1): "
        f"sipp_backup_keep_dialy: {TYPO}"
    )
