"""The inventory source and its vault checks, and, only for what needs it, the inventory
read in-process with Ansible's Python API (`load`): hosts, court identity (`court_name`,
`court_kode_satker`, `court_city`), `sop_catalogue_overrides`, `sop_schedule`, or one
line saying why it cannot be read. Used by `sop list -i`, `sop show -i`, `sop schedule
install`, `sop report -i`, a SOP of manual steps only, and by `sop run` only after a
playbook that ran on no host (to name the bad inventory, or the court of a playbook that
failed before its first play). A successful `sop run` never reads it in-process:
ansible-playbook does, and fails on an inventory no plugin can parse
(INVENTORY_ANY_UNPARSED_IS_FAILED, set by `use_project_config`) or on a --limit that
matches no host.
"""

# Ansible and ansible-runner are imported where used: `sop` starts fast for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sop import output
from sop.errors import SopError

VAULT_HEADER = b"$ANSIBLE_VAULT;"
COURT_VARS = (
    "court_name",
    "court_kode_satker",
    "court_city",
    "sop_catalogue_overrides",
    "sop_schedule",
)
# Ansible's own reason for an inventory source no plugin could parse (its first warning).
_PARSE_FAILURE = re.compile(r"Failed to parse inventory with '[^']*' plugin: (.+)")


@dataclass(frozen=True)
class VaultOptions:
    """How the vault password reaches ansible-playbook (and the in-process inventory)."""

    password_file: str | None = None
    password: str | None = None  # from --ask-vault-pass; never written to disk (shared_file)

    def configured(self) -> bool:
        if self.password_file or self.password is not None:
            return True
        import ansible.constants as C

        return bool(C.DEFAULT_VAULT_PASSWORD_FILE or C.DEFAULT_VAULT_IDENTITY_LIST)

    def file(self) -> str | None:
        if self.password_file:
            return self.password_file
        import ansible.constants as C

        return str(C.DEFAULT_VAULT_PASSWORD_FILE) if C.DEFAULT_VAULT_PASSWORD_FILE else None

    @contextlib.contextmanager
    def shared_file(self) -> Iterator[str | None]:
        """The password file that ansible-playbook and the commands it runs (`sop -i` on the
        controller) read through ANSIBLE_VAULT_PASSWORD_FILE: --vault-password-file's; for
        a typed password an in-memory file (memfd) of this process, named
        /proc/<pid>/fd/<n> while the block runs: the password never on disk, only its
        file's name in their environment; None without either."""
        if self.password is None:
            yield self.password_file
            return
        try:
            fd = os.memfd_create("sop-vault-password", os.MFD_CLOEXEC)
        except OSError as exc:
            raise SopError(
                f"--ask-vault-pass: no in-memory file for the password ({exc.strerror}): "
                "give --vault-password-file FILE"
            ) from None
        try:
            # Read only: Ansible runs an executable password file (a memfd's is) as a script.
            os.fchmod(fd, 0o400)
            os.write(fd, self.password.encode())
            yield f"/proc/{os.getpid()}/fd/{fd}"
        finally:
            os.close(fd)


@dataclass(frozen=True)
class InventoryInfo:
    source: str
    hosts: tuple[str, ...]
    court_name: str | None
    court_kode_satker: str | None
    overrides: Any
    schedule: Any = None
    court_city: str | None = None  # where its reports are signed: `Bangil, 5 Desember 2026`


def use_project_config(project_dir: Path) -> None:
    """Make the in-process Ansible (and ansible-playbook) read the project's ansible.cfg,
    and fail on an inventory source no plugin can parse instead of running on fewer hosts
    (Ansible's INVENTORY_ANY_UNPARSED_IS_FAILED, unless set otherwise). Call before
    anything imports Ansible."""
    config = project_dir / "ansible.cfg"
    if "ANSIBLE_CONFIG" not in os.environ and config.is_file():
        os.environ["ANSIBLE_CONFIG"] = str(config)
    os.environ.setdefault("ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED", "True")


def resolve_source(given: str | None) -> str:
    """The inventory to use: -i, else ansible.cfg's `inventory`; must exist."""
    if given:
        if "," in given and not Path(given).exists():
            return given  # an inline host list such as "localhost,"
        path = Path(given).expanduser()
        if not path.exists():
            raise SopError(f"inventory not found: {given}")
        return str(path.resolve())
    import ansible.constants as C

    for candidate in C.DEFAULT_HOST_LIST or ():
        if Path(candidate).exists():
            return str(Path(candidate).resolve())
    raise SopError("no inventory: give -i INVENTORY (ansible.cfg's inventory does not exist)")


def _inventory_files(source: str) -> Iterable[Path]:
    path = Path(source)
    if not path.exists():
        return
    roots = [path]
    if path.is_file():
        roots += [path.parent / "group_vars", path.parent / "host_vars"]
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file())


def vaulted_files(source: str, extra_files: Sequence[str] = ()) -> list[Path]:
    """Inventory (and -e @file) files holding vaulted values."""
    found = []
    for file in [*_inventory_files(source), *map(Path, extra_files)]:
        try:
            if VAULT_HEADER in file.read_bytes():
                found.append(file)
        except OSError:
            continue
    return found


# A vault block as a file or an inline !vault value holds it: the header line, then lines
# of hex (indented alike in YAML).
_VAULT_BLOCK = re.compile(
    rb"(\$ANSIBLE_VAULT;[^\r\n]*)\r?\n((?:[ \t]*[0-9a-fA-F]+[ \t]*(?:\r?\n|$))+)"
)


def undecryptable(files: Sequence[Path], vault: VaultOptions) -> str | None:
    """One line naming the first vault block of ``files`` that the password of ``vault``
    (typed, or its file's) does not decrypt, None when all do (or no single password is
    given: vault identities are Ansible's own to try). Checked before a run: with a wrong
    password ansible-playbook fails at the first task that reads such a value (recorded as
    a failed SOP, "Decryption failed", no file named), or never, when no task reads it."""
    from ansible.errors import AnsibleError
    from ansible.parsing.vault import VaultLib

    try:
        secret = _vault_secret(vault)
    except AnsibleError as exc:
        message = str(getattr(exc, "message", exc)).strip().splitlines()[0]
        return f"vault password: {message}"
    if secret is None:
        return None
    lib = VaultLib([("default", secret)])
    for file in files:
        try:
            data = file.read_bytes()
        except OSError:
            continue
        for match in _VAULT_BLOCK.finditer(data):
            block = match.group(1) + b"\n" + b"".join(match.group(2).split())
            try:
                lib.decrypt(block)
            except AnsibleError:
                line = data.count(b"\n", 0, match.start()) + 1
                return f"the vault password does not decrypt {file} (line {line})"
    return None


def _vault_secret(vault: VaultOptions) -> Any:
    """The password of ``vault`` as Ansible's VaultSecret (its file read, or run when it is
    a script), None without a password or a password file."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.parsing.vault import VaultSecret, get_file_vault_secret

    if vault.password is not None:
        return VaultSecret(vault.password.encode())
    file = vault.file()
    if not file:
        return None
    secret = get_file_vault_secret(filename=file, loader=DataLoader())
    secret.load()
    return secret


def _vault_secrets(loader: Any, vault: VaultOptions) -> None:
    secret = _vault_secret(vault)
    if secret is not None:
        loader.set_vault_secrets([("default", secret)])


def _plain(value: Any) -> Any:
    """Ansible's tagged/lazy containers as plain Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


IDENTITY_VARS = ("court_name", "court_kode_satker", "court_city")


def identity_problems(court: Mapping[str, Any]) -> dict[str, str]:
    """The court's identity variables that are no text (unset is fine), each with one
    line saying so: a list recorded as a court name, or an unquoted kode satker, which
    YAML reads as a number (012345 as the octal 5349), would be wrong evidence; and those
    longer than the store records (a kode satker over 40 characters: PostgreSQL refused it
    only as the run recorded it, mid-playbook)."""
    from sop.store import too_long

    problems = {}
    for key in IDENTITY_VARS:
        value = court.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            problem = too_long(f"inventory: {key}", value, "executions", key)
            if problem:
                problems[key] = problem
            continue
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:59] + "…"
        hint = ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            hint = (
                " (write it in quotes: unquoted, YAML reads it as a number, an octal one "
                "when it starts with 0)"
            )
        problems[key] = f"inventory: {key}: {shown} is not text{hint}"
    return problems


def _malformed(source: str, warnings: str) -> str:
    reason = _PARSE_FAILURE.search(warnings)
    detail = reason.group(1).strip() if reason else "no inventory plugin could parse it"
    return f"inventory {source} is malformed: {detail}"


def load(source: str, limit: str | None, vault: VaultOptions) -> InventoryInfo:
    """The hosts (all, or --limit) and the court's variables; SopError on any problem.
    Ansible's warnings are kept from the terminal: a failure becomes one line, anything
    else is shown as Ansible wrote it."""
    from ansible.errors import AnsibleError
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible.vars.manager import VariableManager

    loader = DataLoader()
    warnings = io.StringIO()
    try:
        with contextlib.redirect_stderr(warnings):
            _vault_secrets(loader, vault)
            inventory = InventoryManager(loader=loader, sources=[source])
            if limit:
                inventory.subset(limit)
            names = {h.name: None for h in inventory.get_hosts(pattern="all")}
            court: dict[str, Any] = {}
            any_host = next(iter(names), None) or next(iter(inventory.hosts), None)
            if any_host is not None:
                variables = VariableManager(loader=loader, inventory=inventory).get_vars(
                    host=inventory.get_host(any_host), include_hostvars=False
                )
                # templated as a play templates them: timezone: "{{ court_tz }}"
                resolve = Templar(loader=loader, variables=variables).template
                court = {key: _plain(resolve(variables.get(key))) for key in COURT_VARS}
    except AnsibleError as exc:
        message = str(getattr(exc, "message", exc)).strip().splitlines()[0]
        if message.startswith(("Completely failed to parse", "No inventory was parsed")):
            raise SopError(_malformed(source, warnings.getvalue())) from None
        raise SopError(f"inventory {source}: {message}") from None
    if _PARSE_FAILURE.search(warnings.getvalue()):  # unparsed, though allowed by config
        raise SopError(_malformed(source, warnings.getvalue()))
    if not names:
        raise SopError(
            f"no hosts of inventory {source} match --limit {limit}"
            if limit
            else f"inventory {source} has no hosts"
        )
    output.write(sys.stderr, warnings.getvalue())
    problems = identity_problems(court)
    if problems:
        raise SopError(next(iter(problems.values())))
    return InventoryInfo(
        source=source,
        hosts=tuple(names),
        court_name=court.get("court_name"),
        court_kode_satker=court.get("court_kode_satker"),
        overrides=court.get("sop_catalogue_overrides"),
        schedule=court.get("sop_schedule"),
        court_city=court.get("court_city"),
    )
