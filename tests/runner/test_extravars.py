"""`-e @FILE` that ansible-playbook would refuse (no YAML, no mapping) is refused before
anything runs, in one line that shows none of its content."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop.cli import main
from sop.errors import SopError
from sop.extravars import parse_extra_vars
from sop.store import Store

from .conftest import INVENTORY

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
