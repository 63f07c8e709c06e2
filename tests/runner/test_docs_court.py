"""What the documentation tells a court to set up is what the project reads and tests: the
inventory files it names are the example inventory's, and the MariaDB account it grants
is the lab's."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "runner/sop/README.md", ROOT / "docs/CONVENTIONS.md",
        *sorted(ROOT.glob("roles/*/README.md"))]
COURT_PATH = re.compile(r"inventory/<(?:your )?court>/([\w./-]+)")
GRANT = re.compile(r"GRANT ([A-Z ,]+?) ON (\S+) TO 'sop_backup'@'localhost'")


def test_court_inventory_paths_are_the_examples() -> None:
    """A court copies inventory/example: a file the docs name there must be one of its
    files (Ansible ignores a group_vars/all.yml beside the example's group_vars/all/)."""
    named = {(doc.relative_to(ROOT).as_posix(), path.rstrip("/."))
             for doc in DOCS for path in COURT_PATH.findall(doc.read_text(encoding="utf-8"))}
    assert named
    missing = [f"{doc}: inventory/<court>/{path}" for doc, path in sorted(named)
               if path and not (ROOT / "inventory/example" / path).exists()]
    assert not missing, f"not in inventory/example: {missing}"


def _privileges(pairs: list[tuple[str, str]]) -> dict[str, set[str]]:
    granted: dict[str, set[str]] = {}
    for privileges, target in pairs:
        granted.setdefault(target, set()).update(p.strip() for p in privileges.split(","))
    return granted


def test_readme_grants_the_labs_backup_account() -> None:
    """The account README step 5 creates has the privileges the lab's, which every test of
    the SOPs uses, has: no more (SELECT ON *.* would read mysql's password hashes)."""
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8").replace("\n   ", " ")
    documented = _privileges(GRANT.findall(readme))
    defaults = yaml.safe_load(
        ROOT.joinpath("lab/roles/lab_sipp/defaults/main.yml").read_text(encoding="utf-8"))
    lab = defaults["lab_sipp_db_user_privs"].replace("{{ lab_sipp_db_name }}", "sipp")
    # community.mysql's priv: "db.table:PRIV,PRIV/db.table:PRIV"
    items = (item.split(":", 1) for item in lab.split("/"))
    assert documented == _privileges([(privileges, target) for target, privileges in items])
