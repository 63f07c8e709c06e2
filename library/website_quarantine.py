#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Move planted files found by website_integrity out of the web root into a root-only folder."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: website_quarantine
short_description: Move planted files (webshells, PHP in uploads, new files) out of the web root, never deleting them
description:
  - Takes the C(findings) of the website_integrity module and moves each file whose
    C(kind) is in O(kinds) (by default webshells, PHP in uploads and new files) and that
    lies under one of O(roots) into O(dest)C(/<time>/<original path>), mode 0600, owner root;
    C(<time>) is the run's UTC time to the second (C(20261205T124400Z)), with C(-2), C(-3) ...
    after it when a run in the same second has that folder already. Those folders are
    made and the copy written one folder at a time, so a file the site's account nested
    deeper than a path may name at once (4096 bytes, the quarantine's part included) is
    moved too; its recorded C(quarantined) path is then too long to give a tool whole.
  - Appends one JSON line per moved file to O(dest)C(/quarantine.jsonl) (original path,
    quarantined path, size, sha256, time, finding, and the original's C(mode), C(uid),
    C(gid) and C(mtime), which the copy, 0600 root, does not keep; what a file moved by
    mistake is restored with) before the original name is removed,
    so a moved file is always recorded. Nothing is ever deleted. The original name is
    removed only after its copy is complete and on disk (fsynced) and its record line
    written; a copy that fails (the quarantine's disk full) or a file written to while
    it was copied (its size, modification time or inode change time differ from when
    it was opened; the site's account can set the modification time back, never the
    change time) leaves no partial copy and no half line behind, and the file stays in
    the site, named in the task's one-line failure. A record whose last line was torn
    (a crash while it was written) gets the next line on a line of its own. A file with webshell
    markers is moved only when it is in an uploads folder, in a cache folder (one left
    out of the baseline, holding no code of the site) or new since the accepted
    baseline; the site's own theme, plugin and core files with injected code are left in
    place for the administrator to restore from the backup.
  - >-
    The copy takes the disk space the file does: only the parts of it that hold data are
    read and written, and a hole stays a hole (a C(uploads/x.php) the site's account made
    100 GiB with C(truncate -s 100G), at no disk cost, was written out as 100 GiB of
    zeros, filling the disk). A file holding more than O(max_copy_bytes) of data is not
    copied: it stays in the site, named in the task's one-line failure
    (C(karantina PATH gagal: berisi 2 GiB data, melebihi batas salinan karantina 1 GiB ...));
    the move finds it, not check mode. The record's C(sha256) is the file's digest as
    website_integrity computes it (for a file with holes, C(sparse-) and the digest of its
    data and where each part lies).
  - A file outside O(roots) is never moved, whatever its finding. Among them the single
    files website_integrity checks beside the folders (its C(files), a C(wp-config.php)
    one folder above the web root, with the database login); moved, the site would lose
    its database and go down, and a changed configuration is restored from the backup
    (website_files_backup keeps it), not quarantined. Each such finding of O(kinds) is
    reported in RV(left) with why (not a failure); the task changes nothing for it.
  - The site is the web server's to write, and a compromised site can race this module
    (run as root); every folder below a root is opened without following a symbolic link
    and the file through its folder's descriptor, so a folder swapped for a link (to
    C(/etc), say) or a file swapped for a link or a FIFO fails the task naming the file,
    and nothing outside the site is read, moved or removed. The name is removed only
    while it still is the file that was copied. The other files are still moved.
  - Files are chosen as they are opened (no link below a root followed), so a file behind
    a folder that already is a symbolic link fails the task, in check mode too, naming
    the folder and where it leads (C(folder ... adalah tautan simbolik ke ...)); a
    finding that is itself a link, or no regular file, is not moved.
  - >-
    A file with more names than one (hard links) that belongs to root or to another account
    than the folder holding it is not read nor moved, in check mode too: where hard links are
    not protected (C(fs.protected_hardlinks=0)) the site's account links any file it reaches
    (C(/etc/shadow)) into its uploads. The task fails naming it
    (C(karantina PATH gagal: punya 2 nama ...)); the other files are still
    moved. A file of the folder's owner under two names is moved (each name a finding).
  - A file already gone is skipped (not a change), so a second run changes nothing. Check mode reports
    what would be moved, and fails on the files the move would refuse at the start.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  findings:
    description: The C(integrity.findings) list of website_integrity.
    type: list
    elements: dict
    required: true
  dest:
    description:
      - The quarantine folder (created 0700 when missing).
      - >-
        It, and every folder whose entries decide where its path leads, must be root's
        alone (owned by root, not writable by group or others; a sticky folder such as
        C(/tmp) passes when the entry in it is root's): else the task fails before anything
        is moved, in check mode too, naming the folder and who can change it
        (C(folder karantina ... tidak aman ...)). The site's account could swap it, or the
        folder a run makes in it, for a symbolic link meanwhile, and root would write a
        planted file where the link leads (a C(/var/www/karantina) beside a site whose
        account owns C(/var/www)). A file of that name fails the task too.
    type: path
    required: true
  roots:
    description: Folders of the site, as website_integrity was given them (its findings
      name files by these paths); files outside them are never moved. A symbolic link in
      these paths themselves is followed only where root alone can change the folder
      holding it (a root in a folder the site's account can write, swapped for a link
      to a folder outside the site, fails the task naming it); links below them are not.
    type: list
    elements: path
    required: true
  kinds:
    description: Finding kinds whose files are moved.
    type: list
    elements: str
    default: [webshell, php_in_uploads, new_file]
  max_copy_bytes:
    description: The most data (bytes on disk, holes not counted) a file may hold to be
      copied into quarantine; a larger one is not copied, stays in the site and fails the
      task naming it (a webshell is a few KiB). 0 or less fails in one line, before
      anything is read.
    type: int
    default: 1073741824
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Quarantine the planted files
  website_quarantine:
    findings: "{{ website__integrity.integrity.findings }}"
    dest: /var/lib/sop/website-quarantine
    roots: [/usr/share/wordpress, /var/lib/wordpress/wp-content]
"""

RETURN = r"""
moved:
  description: One entry per file moved (or to move, in check mode) with path, quarantined, size, sha256,
    and the original's mode, uid, gid and mtime (the record's line; in check mode path and finding only).
  returned: always
  type: list
  elements: dict
left:
  description: "The files of findings of O(kinds) outside O(roots), left in place, each with
    why (C(PATH: di luar folder situs ...)): a C(wp-config.php) above the web root, say."
  returned: always
  type: list
  elements: str
msg:
  description: "The files refused, each with why (C(karantina PATH gagal: ...)); the task fails.
    A line break or other control character in a name, here and in RV(left), is shown
    escaped (C(\\x0a)): one line per file."
  returned: failure
  type: str
sop_output:
  description: The compact record the C(sop) runner keeps as the activity's output.
  returned: always
  type: dict
"""

import contextlib  # noqa: E402
import datetime  # noqa: E402
import errno  # noqa: E402
import os  # noqa: E402
import stat  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_integrity import data_extents, file_digest, size_text  # noqa: E402
from ansible.module_utils.sop_options import range_error  # noqa: E402
from ansible.module_utils.sop_pathwalk import walk  # noqa: E402
from ansible.module_utils.sop_state import append_json, fsync_dir  # noqa: E402
from ansible.module_utils.sop_tree import (  # noqa: E402
    open_folder,
    open_regular,
    shown,
    unlink_same,
    writers,
)


def root_of(path: str, roots: list[str]) -> tuple[str, str] | None:
    """(root, path below it) when ``path`` lies under one of ``roots`` as written (the
    findings name files by the paths website_integrity walked from), else None. Of roots
    one inside another the nearest is taken: website_integrity names a file by the root
    it walked it from, an inner one through a link the outer one's walk does not follow."""
    for root in sorted((os.path.abspath(given).rstrip("/") for given in roots),
                       key=len, reverse=True):
        below = path[len(root) + 1:]
        if path.startswith(root + "/") and below and ".." not in below.split("/"):
            return root or "/", below
    return None


# The most data (bytes on disk, holes not counted) a file may hold to be copied into
# quarantine (max_copy_bytes): a webshell is a few KiB; a larger one would fill the disk.
MAX_COPY_BYTES = 1 << 30
# The largest file size (off_t's), the most max_copy_bytes takes.
MOST_COPY_BYTES = (1 << 63) - 1

# Why a finding's file outside the roots stays where it is (Bahasa Indonesia, reported)
OUTSIDE = ("di luar folder situs (mis. wp-config.php di atas web root), tidak dipindahkan: "
           "periksa, lalu pulihkan dari cadangan bila diubah")


def outside(findings: list[dict[str, Any]], roots: list[str], kinds: list[str]) -> list[str]:
    """The files of findings of ``kinds`` outside ``roots``, each with why it stays."""
    paths = {f.get("path") for f in findings if f.get("kind") in kinds}
    return [f"{shown(path)}: {OUTSIDE}" for path in sorted(p for p in paths if isinstance(p, str))
            if root_of(path, roots) is None]


def candidates(findings: list[dict[str, Any]], roots: list[str],
               kinds: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Files to move, and the refusals of files that cannot be: of a chosen kind, inside
    the site, and planted rather than one of the site's own files with injected code. A
    file carrying markers is moved when it is in uploads, in a cache folder or new since
    the accepted baseline; a theme, plugin or core file is left for the administrator to
    restore from the backup (moving it would break the site). The file is looked at as
    quarantine opens it (no link below a root followed), so check mode lists what the
    move takes: a file behind a folder that is a link is refused here, naming the link;
    a file gone, a link or no regular file is nothing to move."""
    new = {f.get("path") for f in findings if f.get("kind") == "new_file"}
    chosen: dict[str, dict[str, Any]] = {}
    refused: list[str] = []
    for finding in findings:
        path = finding.get("path")
        if not isinstance(path, str) or path in chosen or finding.get("kind") not in kinds:
            continue
        planted = finding.get("kind") != "webshell" \
            or finding.get("area") in ("uploads", "cache") or path in new
        found = root_of(path, roots)
        if not planted or found is None:
            continue
        try:
            info = _status(*found)
        except (FileNotFoundError, NotADirectoryError):  # no such file (any longer)
            continue
        except OSError as exc:
            refused.append(f"karantina {shown(path)} gagal: {_refusal_at_choice(exc)}")
            continue
        if stat.S_ISREG(info.st_mode):
            chosen[path] = finding
    return ([{"path": path, "finding": finding} for path, finding in sorted(chosen.items())],
            sorted(set(refused)))


def _status(root: str, below: str) -> os.stat_result:
    """The status of ``below`` (not followed) in ``root``, reached as quarantine reaches
    it: OSError ELOOP naming the folder on the way that is a link, EMLINK for a regular
    file quarantine refuses as a hard link (_refuse_foreign_link)."""
    folder = open_folder(root, os.path.dirname(below))
    try:
        info = os.stat(os.path.basename(below), dir_fd=folder, follow_symlinks=False)
        if stat.S_ISREG(info.st_mode):
            _refuse_foreign_link(info, folder)
        return info
    finally:
        os.close(folder)


def _refuse_foreign_link(info: os.stat_result, folder: int) -> None:
    """OSError EMLINK (why in Bahasa) when the file ``info`` describes has more names than
    one and belongs to root or to another account than the folder ``folder`` holding it:
    where hard links are not protected (fs.protected_hardlinks=0) the site's account links
    any file it reaches into its folders (/etc/shadow), and root would read it into
    quarantine. A file of the folder's owner gives root nothing that account could not
    read (website_files_backup leaves out the same files)."""
    if info.st_nlink > 1 and (info.st_uid == 0 or info.st_uid != os.fstat(folder).st_uid):
        raise OSError(errno.EMLINK, f"punya {info.st_nlink} nama (tautan keras) dan bukan milik "
                      "pemilik foldernya: bisa jadi berkas di luar situs (mis. /etc/shadow); "
                      "tidak dibaca, berkas tetap di situs: periksa dan tangani manual")


def _refusal_at_choice(exc: OSError) -> str:
    """Why a file is not chosen, in one line: a folder on its way that is a link (and
    where it leads, as far as it can be read), or the system's reason."""
    if exc.errno == errno.ELOOP:
        try:
            target = f" ke {shown(os.readlink(exc.filename))}"
        except OSError:
            target = ""
        return (f"folder {shown(exc.filename)} adalah tautan simbolik{target} (tidak diikuti; "
                "tidak ada yang dipindahkan)")
    return f"{exc.strerror}: {shown(str(exc.filename or ''))}".rstrip(": ")


# A folder of the quarantine, opened to make or write entries in it
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _make_folders(batch: str, relative: str) -> tuple[int, list[str]]:
    """A descriptor of the folder ``relative`` in ``batch`` and the names of the folders
    made for it (0700, top first, the last the folder returned). They are made and
    opened one at a time from ``batch``'s descriptor: the site's account nests folders
    as deep as it likes, and a path of the batch's and a planted file's together, past
    PATH_MAX (4096 bytes), was refused ("File name too long") as a whole."""
    fd = os.open(batch, _FOLDER)
    made: list[str] = []
    try:
        for part in (p for p in relative.split("/") if p):
            try:
                os.mkdir(part, 0o700, dir_fd=fd)
            except FileExistsError:
                new = False
            else:
                new = True
            try:
                below = os.open(part, _FOLDER, dir_fd=fd)
            except BaseException:
                if new:
                    with contextlib.suppress(OSError):
                        os.rmdir(part, dir_fd=fd)
                raise
            os.close(fd)
            fd = below
            if new:
                made.append(part)
    except BaseException:
        _remove_folders(fd, made)
        os.close(fd)
        raise
    return fd, made


def _up_through(fd: int, made: list[str], act: Callable[[int, str], None]) -> None:
    """``act(parent, name)`` for each folder of ``made`` (top first, the last the folder
    open at ``fd``, which stays open), deepest first: each parent reached by its
    child's '..' (the quarantine is root's alone: nobody swaps a folder there)."""
    here = os.dup(fd)
    try:
        for name in reversed(made):
            parent = os.open("..", _FOLDER, dir_fd=here)
            os.close(here)
            here = parent
            act(parent, name)
    finally:
        os.close(here)


def _remove_folders(fd: int, made: list[str]) -> None:
    """Remove the folders _make_folders made (``fd`` the deepest), where still empty."""
    def remove(parent: int, name: str) -> None:
        with contextlib.suppress(OSError):
            os.rmdir(name, dir_fd=parent)

    with contextlib.suppress(OSError):
        _up_through(fd, made, remove)


def _copy(fd: int, info: os.stat_result, folder: int, name: str,
          max_data: int) -> tuple[str, int]:
    """Copy the open file into ``name`` in the quarantine's ``folder`` (a new file, 0600)
    and make it durable there: its digest (sop_integrity's file_digest, as
    website_integrity hashes it) and size. Only the parts that hold data are read and
    written: a hole stays a hole (``truncate -s 100G``, no disk, would have been written
    out as 100 GiB of zeros), and a file holding more than ``max_data`` bytes of data is
    refused (OSError EFBIG, why in Bahasa) before anything is written. The copy is
    complete or not there at all: a write that fails (the quarantine's disk full) or a
    file that changed while it was read (the site's account writing to it) removes what
    was written, and OSError says why."""
    size = info.st_size
    try:
        holes = os.lseek(fd, 0, os.SEEK_HOLE) < size
    except OSError:  # a file system that cannot tell holes: read whole
        holes = False
    parts = list(data_extents(fd, size)) if holes else [(0, size)]
    data = sum(end - start for start, end in parts)
    if data > max_data:
        raise OSError(errno.EFBIG, f"berisi {size_text(data)} data, melebihi batas salinan "
                      f"karantina {size_text(max_data)} (max_copy_bytes); tidak disalin, "
                      "berkas tetap di situs: periksa dan tangani manual")
    out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                  0o600, dir_fd=folder)
    try:
        try:
            for start, end in parts:
                at = start
                while at < end:
                    block = os.pread(fd, min(1 << 20, end - at), at)
                    if not block:  # cut meanwhile
                        raise OSError(errno.EAGAIN, "changed while it was copied", name)
                    view = memoryview(block)
                    while view:
                        written = os.pwrite(out, view, at)
                        view, at = view[written:], at + written
            os.ftruncate(out, size)  # a hole at the end too
            os.fsync(out)
        finally:
            os.close(out)
        digest = file_digest(fd, size)
        # The change time too: the site's account can set the modification time back
        # (touch -d), never the change time, which only the kernel sets.
        now = os.fstat(fd)
        if (now.st_size, now.st_mtime_ns, now.st_ctime_ns) != (
                info.st_size, info.st_mtime_ns, info.st_ctime_ns):
            raise OSError(errno.EAGAIN, "changed while it was copied", name)
        os.fsync(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=folder)
        raise
    return digest, size


def quarantine(entry: dict[str, Any], roots: list[str], batch: str, log: str,
               max_data: int = MAX_COPY_BYTES) -> dict[str, Any]:
    """Copy the file into ``batch`` (its name made durable: new_batch), record it in
    ``log``, then remove it from the site.

    The site is the web server's to write, and a compromised one races this module: its
    folders are opened from the root without following a link and the file through its
    folder's descriptor (sop_tree), so a folder swapped for a link to /etc, or the file
    for a link or a FIFO, is refused (OSError) and nothing outside the site is read or
    removed; the name is removed only while it still is the file that was copied."""
    source = entry["path"]
    found = root_of(source, roots)
    if found is None:
        raise OSError(errno.EPERM, "not under the site's folders", source)
    root, below = found
    folder = open_folder(root, os.path.dirname(below))
    try:
        name = os.path.basename(below)
        fd, info = open_regular(name, folder)
        relative = source.lstrip("/")
        copied = os.path.basename(relative)
        try:
            _refuse_foreign_link(info, folder)
            into, made = _make_folders(batch, os.path.dirname(relative))
        except BaseException:
            os.close(fd)
            raise
        try:
            try:
                digest, size = _copy(fd, info, into, copied, max_data)
            finally:
                os.close(fd)
            record = {"path": source, "quarantined": os.path.join(batch, relative),
                      "size": size, "sha256": digest,
                      "moved_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                      "finding": entry["finding"].get("name"),
                      # the original's, for a restore: the copy is 0600 root's
                      "mode": f"{stat.S_IMODE(info.st_mode):04o}", "uid": info.st_uid,
                      "gid": info.st_gid,
                      "mtime": datetime.datetime.fromtimestamp(
                          info.st_mtime, datetime.timezone.utc).isoformat()}
            new_record = not os.path.lexists(log)
            try:
                # the names of the folders made, each in its parent
                _up_through(into, made, lambda parent, _name: os.fsync(parent))
                append_json(log, record)  # before it is removed: a whole line or none
            except BaseException:
                with contextlib.suppress(OSError):  # no copy without its record
                    os.unlink(copied, dir_fd=into)
                raise
            if new_record:  # its name too, before the removal (a failure leaves the copy
                fsync_dir(os.path.dirname(log))  # with its record, the file in the site)
        except BaseException:
            _remove_folders(into, made)
            raise
        finally:
            os.close(into)
        with contextlib.suppress(FileNotFoundError):  # gone meanwhile: the copy stands
            unlink_same(name, folder, info)
    finally:
        os.close(folder)
    return record


def refusal(exc: OSError) -> str:
    """Why a file was not moved, in one line."""
    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
        return ("sebuah folder atau berkasnya diganti dengan tautan simbolik (tidak diikuti; "
                "tidak ada yang dipindahkan)")
    if exc.errno == errno.EINVAL:
        return "bukan berkas biasa lagi (FIFO atau perangkat; tidak dibaca)"
    if exc.errno == errno.EAGAIN:
        return "berubah selama disalin (salinan tidak lengkap dihapus, berkas tetap di situs)"
    if exc.errno == errno.ESTALE:
        return "diganti dengan berkas lain selama karantina (salinannya ada, nama tidak dihapus)"
    return f"{exc.strerror}: {shown(str(exc.filename or ''))}".rstrip(": ")


# Who besides root can change a folder (sop_tree.writers), in Bahasa
_WRITER = {"owner": "pemiliknya", "group": "grup", "others": "semua akun"}


def unsafe_dest(dest: str) -> str | None:
    """Why another account than root could redirect what is written into the quarantine
    folder ``dest``, in one line (Bahasa), or None. Each folder whose entries decide
    where ``dest`` leads (sop_pathwalk.walk: those on the way, those holding a symbolic
    link and its target's) and ``dest`` itself must be root's alone (sop_tree.writers):
    else that account swaps ``dest``, or the batch folder made in it, for a link between
    this check and a write (the site's own folder holding /var/www/karantina), and root
    writes a planted file, 0600 root's, where the link leads (/etc/cron.d). A sticky
    folder (/tmp) writable by others passes when the entry in it is root's, which no
    other account can rename. The missing part of ``dest`` is made here, root's."""
    looked_up: list[tuple[str, int]] = []  # each folder, and the owner of its entry
    end = "/"  # where dest leads
    try:
        for entry in walk(dest):
            looked_up.append((entry.folder, entry.info.st_uid))
            end = entry.path
        if not os.path.isdir(end):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        looked_up.append((end, -1))  # dest itself: no sticky bit helps
    except FileNotFoundError as exc:  # made by root from here on
        looked_up.append((os.path.dirname(exc.filename), 0))
    except OSError as exc:  # a file on the way, more than MAX_LINKS links
        return (f"folder karantina {shown(dest)} bukan folder: {exc.strerror}; tidak ada "
                "yang dipindahkan")
    for folder, owner in looked_up:
        info = os.stat(folder)
        writer = writers(info)
        if writer is None or (writer[0] != "owner" and owner == 0
                              and info.st_mode & stat.S_ISVTX):
            continue
        who = " ".join(part for part in (_WRITER[writer[0]], writer[1]) if part)
        return (f"folder karantina {shown(dest)} tidak aman: {shown(folder)} dapat diubah oleh "
                f"{who}, bukan hanya root (folder itu atau jalannya dapat dialihkan dengan "
                "tautan simbolik); tidak ada yang dipindahkan")
    return None


def new_batch(dest: str, now: datetime.datetime) -> str:
    """A new folder of ``dest`` (0700) for one run's files, named by ``now`` to the
    second (20261205T124400Z), with -2, -3 ... after it when a run in the same second
    made that one already: a second move of the same path into it was refused ("File
    exists") and the file stayed in the site. Its name is made durable (fsynced) before
    any file is moved into it: with the quarantine on another disk than the site, whose
    removal of a file is durable at once, a crash could keep the removal and lose the
    way to the copy."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    count = 1
    while True:
        batch = os.path.join(dest, stamp if count == 1 else f"{stamp}-{count}")
        try:
            os.mkdir(batch, 0o700)
        except FileExistsError:
            count += 1
            continue
        fsync_dir(dest)
        return batch


def move_all(todo: list[dict[str, Any]], roots: list[str], dest: str,
             refused: list[str], max_data: int = MAX_COPY_BYTES) -> dict[str, Any]:
    """Quarantine every file of ``todo`` into a new batch folder of ``dest``: the module's
    result, with ``refused`` (candidates') and the files refused meanwhile. Changed only
    when a file was moved: files gone since they were chosen are nothing to move (and
    leave no batch folder)."""
    refused = list(refused)
    try:
        os.makedirs(dest, mode=0o700, exist_ok=True)
        batch = new_batch(dest, datetime.datetime.now(datetime.timezone.utc))
    except OSError as exc:  # its disk full (no inode left), read-only: nothing is moved
        refused.append(f"folder karantina {shown(dest)} tidak dapat dipakai: {exc.strerror}; "
                       "tidak ada yang dipindahkan")
        return outcome([], refused, changed=False)
    moved: list[dict[str, Any]] = []
    log = os.path.join(dest, "quarantine.jsonl")
    for entry in todo:  # one refused file does not keep the others in the site
        try:
            moved.append(quarantine(entry, roots, batch, log, max_data))
        except FileNotFoundError:
            continue  # gone since it was found: nothing to move
        except OSError as exc:
            refused.append(f"karantina {shown(entry['path'])} gagal: {refusal(exc)}")
    if not moved:
        with contextlib.suppress(OSError):  # (only while empty)
            os.rmdir(batch)
    return outcome(moved, refused, changed=bool(moved))


def outcome(moved: list[dict[str, Any]], refused: list[str], *, changed: bool) -> dict[str, Any]:
    """The module's result: ``msg`` (the task fails) when a file was refused."""
    result: dict[str, Any] = {"changed": changed, "moved": moved, "left": [],
                              "sop_output": {"karantina": moved}}
    if refused:
        result["msg"] = "; ".join(refused)
        result["sop_output"]["gagal"] = refused
    return result


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "findings": {"type": "list", "elements": "dict", "required": True},
            "dest": {"type": "path", "required": True},
            "roots": {"type": "list", "elements": "path", "required": True},
            "kinds": {"type": "list", "elements": "str",
                      "default": ["webshell", "php_in_uploads", "new_file"]},
            "max_copy_bytes": {"type": "int", "default": MAX_COPY_BYTES},
        },
        supports_check_mode=True,
    )
    p = module.params
    bad_cap = range_error(p, "max_copy_bytes", unit="bytes", most=MOST_COPY_BYTES)
    if bad_cap is not None:
        module.fail_json(**bad_cap)
    todo, refused = candidates(p["findings"], p["roots"], p["kinds"])
    unsafe = unsafe_dest(p["dest"])
    if unsafe is not None:  # nothing is written where another account can redirect it
        result = outcome([], [unsafe, *refused], changed=False)
    elif module.check_mode or not todo:
        planned = [{"path": e["path"], "finding": e["finding"].get("name")} for e in todo]
        result = outcome(planned, refused, changed=bool(todo))
    else:
        result = move_all(todo, p["roots"], p["dest"], refused, p["max_copy_bytes"])
    left = outside(p["findings"], p["roots"], p["kinds"])
    if left:
        result["left"] = left
        result["sop_output"]["dibiarkan"] = left
    if "msg" in result:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
