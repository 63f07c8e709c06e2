"""Where things are: the project checkout, the data directory, the database URL."""

from __future__ import annotations

import os
from pathlib import Path

from sop.errors import SopError


def _is_project(path: Path) -> bool:
    return (path / "ansible.cfg").is_file() and (path / "playbooks").is_dir()


def find_project_dir() -> Path:
    """SOP_PROJECT_DIR, else the nearest parent of cwd with ansible.cfg + playbooks/,
    else the checkout this package was installed from (editable install)."""
    explicit = os.environ.get("SOP_PROJECT_DIR")
    if explicit:
        path = Path(explicit).resolve()
        if not _is_project(path):
            raise SopError(f"SOP_PROJECT_DIR={explicit}: no ansible.cfg and playbooks/ there")
        return path
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if _is_project(candidate):
            return candidate
    for candidate in Path(__file__).resolve().parents:
        if _is_project(candidate):
            return candidate
    raise SopError(
        "cannot find the project checkout (ansible.cfg + playbooks/): "
        "run from inside it or set SOP_PROJECT_DIR"
    )


def default_data_dir() -> Path:
    """SOP_DATA_DIR, else /var/lib/sop for root, else $XDG_DATA_HOME/sop."""
    explicit = os.environ.get("SOP_DATA_DIR")
    if explicit:
        return Path(explicit)
    if os.geteuid() == 0:
        return Path("/var/lib/sop")
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "sop"


def prepare_data_dir(path: Path) -> None:
    """The data dir (records, artifacts, the runs' private dirs) exists and no other
    account can read it: made 0700 by whichever command comes first (the catalogue cache
    of `sop list` made it with the umask's 0755 before), and one left readable by others
    is closed to them (its group's access is the admin's own choice)."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        mode = path.stat().st_mode
        if mode & 0o007 and path.stat().st_uid == os.geteuid():
            path.chmod(mode & 0o770)
    except OSError as exc:
        raise SopError(f"cannot make the data directory {path}: {exc.strerror}") from None


def database_url(data_dir: Path) -> str:
    """SOP_DATABASE_URL (e.g. postgresql+psycopg://...), else SQLite in the data dir."""
    return os.environ.get("SOP_DATABASE_URL") or f"sqlite:///{data_dir / 'sop.db'}"
