"""The inventory source and its vault checks, and, only for what needs it, the inventory
read in-process with Ansible's Python API (`load`): hosts, court identity (`court_name`,
`court_kode_satker`, `court_city`), `sop_catalogue_overrides`, `sop_schedule`, or one
line saying why it cannot be read. Used by `sop list -i`, `sop show -i`, `sop schedule
install`, `sop report -i`, a SOP of manual steps only, and by `sop run` only after a
playbook that ran on no host (to name the bad inventory, or the court of a playbook that
failed before its first play). Before a `sop run` or a `sop schedule install`, the words
of its files are searched for a setting no role knows (`words`), and only when one may
be there are the names of the variables it sets read (`set_variables`: no value
templated or decrypted); a successful `sop run` reads no value in-process:
ansible-playbook does, and fails on an inventory no plugin can parse
(INVENTORY_ANY_UNPARSED_IS_FAILED, set by `use_project_config`) or on a --limit that
matches no host.
"""

# Ansible and ansible-runner are imported where used: `sop` starts fast for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

import codecs
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
from sop.untrusted import shortened

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

    def decrypts(self) -> bool:
        """A password, or a password file: one secret for every vault block (vault
        identities are Ansible's own to try)."""
        return self.password is not None or bool(self.file())

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
        try:
            if "," in given and not Path(given).exists():
                return given  # an inline host list such as "localhost,"
            path = Path(given).expanduser()
            if not path.exists():
                raise SopError(f"inventory not found: {given}")
        except OSError as exc:  # a name longer than the file system takes: no file
            if "," in given:
                return given  # an inline list of many hosts
            raise SopError(f"inventory {given}: {exc.strerror}") from None
        unreadable = _unreadable(path)
        if unreadable is not None:
            raise SopError(f"inventory {given}: {unreadable}: Permission denied")
        return _utf8_source(path)
    import ansible.constants as C

    for candidate in C.DEFAULT_HOST_LIST or ():
        if Path(candidate).exists():
            return _utf8_source(Path(candidate))
    raise SopError("no inventory: give -i INVENTORY (ansible.cfg's inventory does not exist)")


# Byte order marks of the encodings other than UTF-8 that an editor writes a text file in
# (Windows Notepad's "Unicode" is UTF-16 LE); UTF-32's first, as UTF-32 LE's begins
# with UTF-16 LE's.
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _utf8_source(path: Path) -> str:
    """The inventory `path`, resolved; SopError naming its first file written in UTF-16
    or UTF-32 (by its byte order mark): Ansible reads UTF-8 only, and such a file failed
    as an internal error ("embedded null byte": a host named with its NUL bytes) or as
    "YAML parsing failed: ... surrogates not allowed", the file unnamed."""
    for file in inventory_files(str(path)):
        try:
            with file.open("rb") as handle:
                start = handle.read(4)
        except OSError:
            continue  # Ansible names it
        encoding = next((name for bom, name in _OTHER_BOMS if start.startswith(bom)), None)
        if encoding is not None:
            raise SopError(
                f"inventory {file}: written in {encoding}: an inventory file must be UTF-8 "
                "(save it as UTF-8)"
            )
    return str(path.resolve())


def _inventory_paths(source: str) -> Iterable[Path]:
    """The inventory's files and directories: a directory source's, or a file source and
    its group_vars and host_vars (a directory that is a symbolic link not entered)."""
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
            yield from root.rglob("*")


def _unreadable(source: Path) -> Path | None:
    """The first of the inventory `source` and what lies under it (its files and
    directories, group_vars and host_vars) this account cannot read: Ansible, reading it
    in-process, failed on an unreadable directory as an internal error (after the run was
    recorded) and read around an unreadable file ("has no hosts", "no inventory plugin
    could parse it")."""
    for path in (source, *_inventory_paths(str(source))):
        if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            return path
    return None


def inventory_files(source: str) -> Iterable[Path]:
    """The regular files of an inventory source (a file, or a directory's files)."""
    return (path for path in _inventory_paths(source) if path.is_file())


# A source whose variables need not be written in its files: an inventory plugin's
# configuration (`plugin: amazon.aws.aws_ec2`); an executable one is a script.
_PLUGIN_CONFIG = re.compile(rb"^plugin:", re.MULTILINE)
_WORD = re.compile(r"[A-Za-z_]\w*")


def words(source: str, vault: VaultOptions) -> set[str] | None:
    """Every word of the inventory's files, each name it sets among them (a vaulted file's
    decrypted with the one password given, skipped without one, as `set_variables` does);
    None when a file may set names it does not hold (a script, a plugin's configuration)
    or is not read here (under a directory that is a symbolic link)."""
    found: set[str] = set()
    secret = None
    for file in _inventory_paths(source):
        if file.is_dir():
            if file.is_symlink():
                return None
            continue
        try:
            data = file.read_bytes()
        except OSError:
            continue  # Ansible names it
        if data.startswith(VAULT_HEADER):  # as Ansible tells a vaulted file
            if not vault.decrypts():
                continue
            if secret is None:
                secret = _vault_secret(vault)
            from ansible.errors import AnsibleError
            from ansible.parsing.vault import VaultLib

            try:
                data = VaultLib([("default", secret)]).decrypt(data)
            except AnsibleError:
                return None  # Ansible's read names the file
        elif os.access(file, os.X_OK) or _PLUGIN_CONFIG.search(data):
            return None
        found.update(_WORD.findall(data.decode("utf-8", "replace")))
    return found


def vaulted_files(source: str, extra_files: Sequence[str] = ()) -> list[Path]:
    """Inventory (and -e @file) files holding vaulted values."""
    found = []
    for file in [*inventory_files(source), *map(Path, extra_files)]:
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


def named(source: str | None) -> str:
    """The inventory an error about one of its values names: `inventory <source>` (the
    path given with -i, or the default inventory used: resolve_source), or `inventory`
    where none is known (the court variables a playbook reported)."""
    return f"inventory {source}" if source else "inventory"


def identity_problems(court: Mapping[str, Any], source: str | None = None) -> dict[str, str]:
    """The court's identity variables that are no text (unset is fine), each with one
    line saying so, naming the inventory `source` (`named`): a list recorded as a court
    name, or an unquoted kode satker, which YAML reads as a number (012345 as the octal
    5349), would be wrong evidence; and those longer than the store records (a kode
    satker over 40 characters: PostgreSQL refused it only as the run recorded it,
    mid-playbook)."""
    from sop.store import too_long

    problems = {}
    for key in IDENTITY_VARS:
        value = court.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            problem = too_long(f"{named(source)}: {key}", value, "executions", key)
            if problem:
                problems[key] = problem
            continue
        hint = ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            hint = (
                " (write it in quotes: unquoted, YAML reads it as a number, an octal one "
                "when it starts with 0)"
            )
        problems[key] = f"{named(source)}: {key}: {shortened(repr(value))} is not text{hint}"
    return problems


def _malformed(source: str, warnings: str) -> str:
    reason = _PARSE_FAILURE.search(warnings)
    detail = reason.group(1).strip() if reason else "no inventory plugin could parse it"
    return f"inventory {source} is malformed: {detail}"


@contextlib.contextmanager
def _reading(source: str, warnings: io.StringIO) -> Iterator[None]:
    """Ansible reading `source`, its warnings kept in `warnings`: its failure, or a
    source no plugin parsed, as one line (SopError)."""
    from ansible.errors import AnsibleError

    try:
        with contextlib.redirect_stderr(warnings):
            yield
    except AnsibleError as exc:
        message = str(getattr(exc, "message", exc)).strip().splitlines()[0]
        if message.startswith(("Completely failed to parse", "No inventory was parsed")):
            raise SopError(_malformed(source, warnings.getvalue())) from None
        raise SopError(f"inventory {source}: {message}") from None
    if _PARSE_FAILURE.search(warnings.getvalue()):  # unparsed, though allowed by config
        raise SopError(_malformed(source, warnings.getvalue()))


def _hosts(loader: Any, source: str, limit: str | None, vault: VaultOptions) -> Any:
    """Ansible's inventory of `source` (its vault's password given to `loader`), limited to
    --limit's hosts."""
    from ansible.inventory.manager import InventoryManager

    _vault_secrets(loader, vault)
    inventory = InventoryManager(loader=loader, sources=[source])
    if limit:
        inventory.subset(limit)
    return inventory


def load(source: str, limit: str | None, vault: VaultOptions) -> InventoryInfo:
    """The hosts (all, or --limit) and the court's variables; SopError on any problem.
    Ansible's warnings are kept from the terminal: a failure becomes one line, anything
    else is shown as Ansible wrote it."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible.vars.manager import VariableManager

    loader = DataLoader()
    warnings = io.StringIO()
    with _reading(source, warnings):
        inventory = _hosts(loader, source, limit, vault)
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
    if not names:
        raise SopError(
            f"no hosts of inventory {source} match --limit {limit}"
            if limit
            else f"inventory {source} has no hosts"
        )
    output.write(sys.stderr, warnings.getvalue())
    problems = identity_problems(court, source)
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


def set_variables(source: str, limit: str | None, vault: VaultOptions) -> list[tuple[str, str]]:
    """The variables the inventory sets for its hosts in scope (all, or --limit's) and
    their groups, each name with where it is set: `vars of group court`, `vars of host
    sipp` (in the inventory's own files), `group_vars of court`, `host_vars of sipp`, and
    the file and line Ansible read it from when it tells them. Names only: nothing
    templated; an inline `!vault` value stays encrypted (Ansible decrypts one only when
    it is read); a vaulted file is decrypted with the one password given (as
    `undecryptable` did), skipped without one (vault identities are Ansible's own to
    try). SopError (one line) for an inventory Ansible cannot read; no host in scope:
    none (ansible-playbook names the --limit that matches no host)."""
    from ansible.parsing.dataloader import DataLoader

    loader = DataLoader()
    decrypts = vault.decrypts()
    found: list[tuple[str, str]] = []
    with _reading(source, io.StringIO()):  # ansible-playbook shows its warnings
        inventory = _hosts(loader, source, limit, vault)
        hosts = inventory.get_hosts(pattern="all")
        groups = {group.name: group for host in hosts for group in host.get_groups()}
        for kind, entities in (("group", list(groups.values())), ("host", hosts)):
            for entity in entities:
                found += [(_where(f"vars of {kind} {entity.name}", n), n) for n in entity.vars]
            for entity in entities:
                found += [
                    (_where(f"{kind}_vars of {entity.name}", n), n)
                    for n in _vars_files(loader, source, f"{kind}_vars", entity.name, decrypts)
                ]
    return [(where, str(name)) for where, name in found]


def _vars_files(
    loader: Any, source: str, subdir: str, name: str, decrypts: bool
) -> Iterator[Any]:
    """The names `name`'s files under the inventory's group_vars/host_vars set (the files
    Ansible's host_group_vars reads, found as it finds them), as Ansible read them; a
    vaulted file only when `decrypts`."""
    if "," in source and not os.path.exists(source):
        return  # a host list: no directory
    base = source if os.path.isdir(source) else os.path.dirname(source)
    directory = os.path.join(os.path.realpath(base), subdir)
    if not os.path.isdir(directory):
        return
    for file in loader.find_vars_files(directory, name):
        if not decrypts and _vaulted(file):
            continue
        data = loader.load_from_file(file, cache="all", unsafe=True)
        if isinstance(data, dict):  # else ansible-playbook names the file
            yield from data


def _vaulted(file: str) -> bool:
    try:
        with open(file, "rb") as handle:
            return handle.read(len(VAULT_HEADER)) == VAULT_HEADER
    except OSError:
        return False  # Ansible's loader names the file


def _where(where: str, name: Any) -> str:
    """`where` with the file and line Ansible read `name` from, when it tells them."""
    try:
        from ansible._internal._datatag._tags import Origin
    except ImportError:  # a later Ansible's: the file unnamed
        return where
    origin = Origin.get_tag(name)
    if origin is None or origin.path is None:
        return where
    line = f" line {origin.line_num}" if origin.line_num else ""
    return f"{where} ({origin.path}{line})"
