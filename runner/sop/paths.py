"""Where things are: the project checkout, the data directory, the database URL."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from sop.errors import ExitCode, SopError

# Less room than this on a store's file system reads as full (SQLite writes a page or a
# WAL frame at a time and says only "disk I/O error" on some failures to).
FULL_BYTES = 1 << 20


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


def not_a_file(path: Path) -> str | None:
    """Why `path`, given as a file to read (-e @FILE, --vault-password-file, the
    notification config), is none: "a directory, not a file" (a directory was "file not
    found"), "not a regular file" (a pipe, a device), "file not found", or the system's
    cause (a name longer than the file system takes, an internal error before); None
    when it is a file."""
    try:
        if path.is_file():
            return None
        if path.is_dir():
            return "a directory, not a file"
        return "not a regular file" if path.exists() else "file not found"
    except OSError as exc:
        return exc.strerror or str(exc)


def default_data_dir() -> Path:
    """SOP_DATA_DIR, else /var/lib/sop for root, else $XDG_DATA_HOME/sop."""
    explicit = os.environ.get("SOP_DATA_DIR")
    if explicit:
        return Path(explicit)
    if os.geteuid() == 0:
        return Path("/var/lib/sop")
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "sop"


def prepare_data_dir(path: Path) -> Path:
    """The data dir (records, artifacts, the runs' private dirs) exists and no other
    account can read it: made 0700 by whichever command comes first (the catalogue cache
    of `sop list` made it with the umask's 0755 before), and one left readable by others
    is closed to them (its group's access is the admin's own choice). Returned absolute:
    a relative one (`--data-dir data`) is the current directory's, not the project's
    where the playbook runs, which read the run's -e values file from there and failed
    the run ("Completely failed to parse inventory source")."""
    try:
        path = path.absolute()
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        mode = path.stat().st_mode
        if mode & 0o007 and path.stat().st_uid == os.geteuid():
            path.chmod(mode & 0o770)
    except OSError as exc:  # FileExistsError: a file of that name ("File exists" before)
        cause = "not a directory" if isinstance(exc, FileExistsError) else exc.strerror
        raise SopError(f"cannot make the data directory {path}: {cause}") from None
    return path


def database_url(data_dir: Path) -> str:
    """SOP_DATABASE_URL (e.g. postgresql+psycopg://...), else SQLite in the data dir."""
    return os.environ.get("SOP_DATABASE_URL") or f"sqlite:///{data_dir / 'sop.db'}"


def _account() -> str:
    try:
        return f"user {pwd.getpwuid(os.geteuid()).pw_name}"
    except KeyError:
        return f"uid {os.geteuid()}"


def unwritable(path: Path) -> tuple[str, ExitCode] | None:
    """Why this account cannot write the file `path` (a store's database, beside which
    SQLite keeps its -wal and -shm files), and its exit code: a directory or file the
    admin must fix is bad input (2), a full file system an internal error (6); None
    when nothing stands in the way."""
    directory = path.parent
    if not directory.is_dir():
        return f"the directory {directory} does not exist", ExitCode.USAGE
    fs = os.statvfs(directory)
    if fs.f_flag & os.ST_RDONLY:
        return f"{directory} is on a read-only file system", ExitCode.USAGE
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"the directory {directory} is not writable by {_account()}", ExitCode.USAGE
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and not os.access(file, os.R_OK | os.W_OK):
            return f"{file} is read-only for {_account()}", ExitCode.USAGE
    if fs.f_bavail * fs.f_frsize < FULL_BYTES or fs.f_favail == 0:
        free = fs.f_bavail * fs.f_frsize >> 10
        return f"no space left on device ({free} KiB free in {directory})", ExitCode.INTERNAL
    return None
