#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Back up the website's files (tar | zstd -T0, streamed, hashed, with manifest)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: website_files_backup
short_description: Back up the court website's files as a streamed, checksummed tar.zst with manifest
description:
  - Archives O(paths) and O(files) with C(tar | zstd -T0) straight into C(<dest>/<prefix>-<time>.tar.zst.partial),
    hashing the archive while it is written (no second read), then writes the manifest
    (size, sha256, number of entries, hash of the sorted entry list, period) and gives the
    file its final name, which never replaces anything. A failure leaves no file with a
    final name and older backups untouched.
  - tar's listing of the entries goes straight into a C(python3) that counts and hashes
    the names, with C(oom_score_adj) 1000, as on the backup computer (website_archive_verify),
    so a web root of millions of long names (the web account can make them) never fills this
    module's memory. tar runs in the C locale, as it does there.
  - The manifest says C(verified) only once the backup computer has checked its own copy
    (website_archive_verify checks the sha256 and the full listing against the entries recorded
    here), recorded with backup_manifest.
  - One verified backup per O(period); a second run in the same period finds it and
    changes nothing, unless O(paths), O(files) or O(exclude) changed since (then a new one
    is taken).
  - Manifests and names are those of the SIPP backup (module_utils sop_backup_files), so
    backup_ingest, backup_retention and backup_manifest work on these files too.
  - >-
    A regular file with more hard links than the archived folders and files name it, owned
    by an account other than the owner of the folder of O(paths) it is in (for a file of
    O(files), the web root's, the first of O(paths)), root never counting as that owner,
    is not archived and is named in RV(hard_links_excluded), the manifest and the message.
    Where hard links are not protected (C(fs.protected_hardlinks=0)) an account that can
    write the web root can link any file it reaches there (C(/etc/shadow)), and the
    module reads as root. The links are counted in one walk of the folders before tar
    (a stat of each regular file, counted in RV(duration)); a link made between that
    walk and tar's read of the name is not seen.
  - >-
    That walk is made only where C(/proc/sys/fs/protected_hardlinks) does not read C(1)
    (it reads C(0), or cannot be read). Where it reads C(1) (Debian's default, set by
    systemd) the kernel refuses an account a hard link to a file it does not own, unless
    it may read and write that file, whose content it has anyway; no walk is made and
    RV(hard_links_excluded) is empty (a link made while the setting was off is not looked
    for). Where it is off the module warns that it is, naming C(sysctl
    fs.protected_hardlinks=1) and a file in C(/etc/sysctl.d) to keep it, and returns
    RV(hard_links_protected) false. The manifest records it too (C(hard_links_protected)),
    so that an empty C(hard_links_excluded) says whether the links were looked for.
  - >-
    A name archived that no tar can restore (4096 bytes or more, past PATH_MAX, or a part
    of it past NAME_MAX, 255 bytes: a site's account can nest folders that deep, and tar
    archives them) is counted as tar lists it, by the same count as website_archive_verify's
    on the backup computer: the backup is made (every entry is as tar wrote it), but it
    cannot be restored whole. RV(unrestorable) counts them, RV(first_unrestorable) names
    the first, shortened to its start and its end, and the module warns of them (the SOP
    record's warning, worded as the verification's), at backup time. The manifest records
    both, so that the backup found made in a later run of the same period returns them too
    (the record's line of that run counts them), without the warning again.
version_added: "0.1.0"
author: Court IT SOP maintainers
extends_documentation_fragment:
  - backup_period
options:
  paths:
    description: Folders to archive (the web root first). A folder given as a symbolic link
      is archived with its files, under its real path. A folder without a single file in it
      (only folders, or nothing) fails the module naming it before anything is written, in
      check mode too, as a wrong path or a volume not mounted.
    type: list
    elements: path
    required: true
  files:
    description:
      - Single files outside O(paths) to archive with them (WordPress's C(wp-config.php)
        one folder above the web root, website_cms's C(files)), with their owner and mode
        as tar keeps them and in the manifest's entries and listing like every other
        entry; the folder holding one is not archived. One inside a folder of O(paths) is
        archived once, with it (a link there stays a link, never followed).
      - A file given as a symbolic link to a file outside O(paths) (C(wp-config.php) ->
        C(/etc/wordpress/config-court.php)) is archived as what PHP reads (its target's
        content, owner and mode, under the link's name), and the link and its target are
        named in RV(file_links). A link whose target cannot be read (gone, a folder, a
        device, refused) fails the module naming it, in check mode too (archived as the
        link, the backup held a dangling link, not the court's configuration), and so does
        a link owned by neither root nor its target's owner, the link itself or any link
        it passes (a link to a link, a folder on the way that is a link) (as Apache's
        SymLinksIfOwnerMatch; the module reads as root, and an account that can write the
        folder must not copy another account's file into the backup by a link). What is
        archived is the file the check opened, copied for tar into a private folder of
        O(dest) with its owner, mode and time, never its path opened again (a folder on
        the way that the account swapped for a link meanwhile made root archive another
        file); one the link no longer leads to as checked fails the module. A link to a
        file inside O(paths) stays a link (its target is in the archive).
    type: list
    elements: path
    default: []
  dest:
    description: Local backup folder (created 0700).
    type: path
    required: true
  prefix:
    description: File name prefix.
    type: str
    default: website
  exclude:
    description: tar C(--exclude) patterns (cache folders).
    type: list
    elements: str
    default: []
  level:
    description:
      - zstd level.
      - >-
        From 1 to 19 (zstd's highest without C(--ultra)); another fails the module with
        C(setting) C(level).
    type: int
    default: 3
  period:
    description: One backup per period.
    type: str
    choices: [daily, weekly, monthly, always]
    default: daily
  force:
    description: Take a new backup even when the period has one.
    type: bool
    default: false
  stall_timeout:
    description:
      - Seconds tar may go without writing anything before it is stopped and the backup
        fails with one line (no file with a final name is left, older backups are
        untouched). A folder on a network mount (NFS, CIFS) under the web root that stops
        answering would otherwise hold the SOP and its lock forever. V(0) never stops it.
      - Below 0 fails the module with C(setting) C(stall_timeout).
    type: int
    default: 600
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Back up the web root
  website_files_backup:
    paths: [/usr/share/wordpress, /var/lib/wordpress/wp-content, /etc/wordpress]
    dest: /var/backups/website
    exclude: ["*/cache"]

- name: Back up a web root whose wp-config.php lies one folder up
  website_files_backup:
    paths: [/home/web/public_html]
    files: [/home/web/wp-config.php]
    dest: /var/backups/website
"""

RETURN = r"""
path:
  description: The archive.
  returned: when a backup exists or was made
  type: str
manifest:
  description: Its manifest.
  returned: when a backup exists or was made
  type: str
size:
  description: Archive size in bytes.
  returned: when a backup exists or was made
  type: int
sha256:
  description: Archive checksum.
  returned: when a backup exists or was made
  type: str
manifest_size:
  description: Manifest size in bytes (for the append-only push).
  returned: when a backup exists or was made
  type: int
manifest_sha256:
  description: Manifest checksum.
  returned: when a backup exists or was made
  type: str
entries:
  description: Files, folders and links archived.
  returned: when a backup exists or was made
  type: int
files:
  description: The O(files) the backup archived, as its manifest records them.
  returned: when a backup exists or was made
  type: list
  elements: str
hard_links_excluded:
  description:
    - >-
      The regular files left out of the archive as hard links from outside the archived
      folders and files to a file of another account than their folder's owner (see the
      description), each on one line (a control character an escape such as C(\x0a), a
      byte that is no UTF-8 its surrogate's such as C(\udcc3), a backslash doubled, so
      that each escape reads one way only), as the manifest records them.
  returned: when a backup exists or was made
  type: list
  elements: str
hard_links_protected:
  description:
    - >-
      Whether C(/proc/sys/fs/protected_hardlinks) read C(1) when the backup was made (then
      no hard link was looked for, see the description); false where it read C(0) or
      could not be read, with a warning (for a backup made now), as the manifest records
      it; null for a backup whose manifest was written before it was recorded.
  returned: when a backup exists or was made
  type: bool
file_links:
  description: "The O(files) that were symbolic links to a file outside O(paths), archived
    as their target's content under their own name: {name: target}, as the manifest
    records them."
  returned: when a backup exists or was made
  type: dict
verified:
  description: The backup computer verified its copy (false for a new archive).
  returned: when a backup exists or was made
  type: bool
duration:
  description: Seconds taken.
  returned: when a backup was made
  type: float
unrestorable:
  description: The names archived that no tar can restore (4096 bytes or more, or a part
    past 255 bytes; see the description), counted as website_archive_verify counts them.
  returned: when a backup was made, or found made, that archived such names (its manifest
    records them)
  type: int
first_unrestorable:
  description: The first name archived that no tar can restore (RV(unrestorable)), as
    tar lists it without its leading C(/); one longer than 240 characters shortened to its
    first and last 120 and its length, as in C(<start>...<end> (4200 karakter)).
  returned: when a backup was made, or found made, that archived such names
  type: str
warnings_tar:
  description:
    - The last (at most 5) warnings tar gave while archiving (a file that shrank as it
      was read, padded with zeros, or was removed before tar read it, a socket it does not
      archive); such files are in the archive as tar read them, or not at all. A file
      that changed as tar read it (a cache file rewritten) is archived as read, without a
      warning.
  returned: when a backup was made
  type: list
  elements: str
"""

import contextlib  # noqa: E402
import datetime  # noqa: E402
import errno  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402
import shutil  # noqa: E402
import stat  # noqa: E402
import time  # noqa: E402
from collections.abc import Generator  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_backup_files import (  # noqa: E402
    PERIOD_ARGUMENT_SPEC,
    HashingWriter,
    find_verified,
    manifest_path,
    now_iso,
    period_key,
    read_manifest,
    sha256_file,
    write_json_atomic,
)
from ansible.module_utils.sop_options import RANGES, range_error, seconds_error  # noqa: E402
from ansible.module_utils.sop_pathwalk import TooManyLinks, walk  # noqa: E402
from ansible.module_utils.sop_tree import shown  # noqa: E402
from ansible.module_utils.sop_website_files import (  # noqa: E402
    ArchiveError,
    unrestorable_warning,
    write_archive,
)


def same_content(manifest: dict[str, Any], p: dict[str, Any]) -> bool:
    """The period's backup archived these folders and files with these exclusions (a
    manifest written before files were archived has none)."""
    return bool(manifest.get("paths") == p["paths"] and manifest.get("files", []) == p["files"]
                and manifest.get("exclude") == p["exclude"])


def single_files(paths: list[str], files: list[str]) -> list[str]:
    """The ``files`` outside the folders ``paths`` (a file inside one is archived once,
    with it), each in its folder's real path (the name tar stores it under)."""
    folders = [os.path.realpath(x) for x in paths]
    singles = [os.path.join(os.path.realpath(os.path.dirname(f)), os.path.basename(f))
               for f in files]
    return [f for f in dict.fromkeys(singles) if not inside(f, folders)]


# A folder is looked up from one held open at most this many bytes of names above it
# (PATH_MAX is 4096): a tree nested deeper is walked as tar walks it.
HELD_NAMES = 2048
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class _Held:
    """A folder held open, ``users`` pending folders looked up from it (closed after the
    last)."""

    def __init__(self, fd: int, path: str) -> None:
        self.fd, self.path, self.users = fd, path, 0


def _tree(folder: str) -> Generator[tuple[str, os.DirEntry[str]], None, None]:
    """Each entry under ``folder`` (nothing followed, nothing opened but folders): its
    name as tar names it (``folder`` joined with its path below it) and its DirEntry,
    whose ``stat()`` is looked up in its folder, held open while it is yielded. A folder
    under it gone (or no longer a folder) since its parent was listed (a cache plugin's
    folder, removed as the site runs) is passed over, as tar passes over it; OSError for
    ``folder`` itself, or a folder that cannot be read. Each folder is opened from a
    folder held open at most HELD_NAMES bytes above it, never by its whole path: a site
    nested past PATH_MAX (folders the site's account made), which tar archives, failed
    here with 'File name too long'. Closed early (contextlib.closing), it closes what it
    holds."""
    top = _Held(os.open(folder, _DIR_FLAGS), folder)
    held, pending = [top], [(top, ".")]
    top.users = 1
    try:
        while pending:
            above, relative = pending.pop()
            try:
                fd = os.open(relative, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=above.fd)
            except (FileNotFoundError, NotADirectoryError):  # gone, a link: passed over
                fd = -1
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror,
                              os.path.normpath(os.path.join(above.path, relative))) from None
            here, base = above, relative
            if fd >= 0 and len(relative) > HELD_NAMES:  # held itself: the names restart
                here, base = _Held(fd, os.path.join(above.path, relative)), ""
                held.append(here)
            try:
                if fd >= 0:
                    below = "" if base in (".", "") else base + "/"
                    prefix = here.path.rstrip("/") + "/" + below
                    with os.scandir(fd) as entries:
                        for entry in entries:
                            yield prefix + entry.name, entry
                            if entry.is_dir(follow_symlinks=False):
                                pending.append((here, below + entry.name))
                                here.users += 1
            finally:
                if fd >= 0 and here is above:
                    os.close(fd)
            above.users -= 1
            for done in {h for h in (above, here) if h.users == 0}:
                os.close(done.fd)
                held.remove(done)
    finally:
        for still in held:
            os.close(still.fd)


def holds_a_file(folder: str) -> bool:
    """Anything but a folder somewhere under ``folder`` (a link, a FIFO count: tar keeps
    them). A web root without one is a wrong path or a volume not mounted, and its backup
    an archive of nothing, taken every day as if all were well. Walked as _tree walks it
    (OSError as it says), up to the first such entry."""
    with contextlib.closing(_tree(folder)) as entries:
        return any(not entry.is_dir(follow_symlinks=False) for _name, entry in entries)


# Bytes of names left out of the archive as foreign hard links at most (tar's --exclude
# arguments, on its command line: Linux takes 2 MiB of arguments and environment).
FOREIGN_NAMES_MAX = 1 << 20


# The kernel's fs.protected_hardlinks (a constant: tests point it at a file of their own).
PROTECTED_HARDLINKS = "/proc/sys/fs/protected_hardlinks"


def hard_links_protected() -> bool:
    """PROTECTED_HARDLINKS reads 1. Then the kernel refuses an account a hard link to a
    file it does not own unless it may read and write that file: a link it can still make
    gives the backup nothing that account could not read, and foreign_hard_links' walk is
    not needed. Anything else (0, or not readable) counts as off."""
    try:
        with open(PROTECTED_HARDLINKS, "rb") as setting:
            return setting.read().strip() == b"1"
    except OSError:
        return False


def foreign_hard_links(paths: list[str], files: list[str]) -> list[str]:
    """The names of the regular files to leave out of the archive: linked more times
    (st_nlink) than they are named under the folders and single files archived, and owned
    by an account other than the owner of the folder of ``paths`` they are in (of the web
    root, the first of ``paths``, for a single file), root never counting as that owner.
    Where hard links are not protected (fs.protected_hardlinks=0) an account that can
    write the web root links any file it can reach there (/etc/shadow), and this module,
    reading as root, archived its content; a file the folder's owner owns, or one all of
    whose names the archive holds, gives the backup nothing that account could not read.
    Counted in the one walk of the folders (_tree: a stat of each regular file, none of
    anything else). LinkError when the names pass FOREIGN_NAMES_MAX."""
    names: dict[tuple[int, int], set[str]] = {}
    checked: list[tuple[str, os.stat_result, int]] = []  # name, status, trusted owner

    def count(name: str, info: os.stat_result, owner: int) -> None:
        names.setdefault((info.st_dev, info.st_ino), set()).add(name)
        checked.append((name, info, owner))

    folders = list(dict.fromkeys(os.path.realpath(x) for x in paths))
    owners = {folder: os.stat(folder).st_uid for folder in folders}
    for folder in folders:
        with contextlib.closing(_tree(folder)) as entries:
            for name, entry in entries:
                if entry.is_file(follow_symlinks=False):
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:  # removed as the site runs: tar passes it too
                        continue
                    if info.st_nlink > 1:
                        count(name, info, owners[folder])
    for name in single_files(paths, files):
        with contextlib.suppress(FileNotFoundError):
            info = os.lstat(name)
            if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                count(name, info, owners[folders[0]])
    foreign = sorted({name for name, info, owner in checked
                     if info.st_nlink > len(names[(info.st_dev, info.st_ino)])
                     and (info.st_uid == 0 or info.st_uid != owner)})
    if sum(len(os.fsencode(name)) + 16 for name in foreign) > FOREIGN_NAMES_MAX:
        raise LinkError(f"{len(foreign)} berkas bertautan keras ke luar folder situs, terlalu "
                        f"banyak untuk dikecualikan dari arsip (a.l. {shown(foreign[0])})")
    return foreign


def inside(path: str, folders: list[str]) -> bool:
    return any(path.startswith(d.rstrip("/") + "/") for d in folders)


class LinkError(ValueError):
    """A single file is a link to nothing that can be archived; one line."""


def user_name(uid: int) -> str:
    """An account's name, else its number."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def link_targets(paths: list[str], files: list[str]) -> dict[str, str]:
    """{name: its target's real path} of the single files outside the folders that are
    symbolic links to a file outside them (a wp-config.php one folder above the web root
    linked to /etc/wordpress/...): what PHP reads, archived under the link's name (a link
    to a file of the folders stays a link: its target is in the archive). LinkError as
    opened_target says."""

    folders = [os.path.realpath(x) for x in paths]
    targets: dict[str, str] = {}
    for name in single_files(paths, files):
        if not os.path.islink(name):
            continue
        target = os.path.realpath(name)
        if inside(target, folders):
            continue
        target, fd, _info = opened_target(name)
        os.close(fd)
        targets[name] = target
    return targets


def opened_target(name: str) -> tuple[str, int, os.stat_result]:
    """The real path of the file the link ``name`` leads to, a descriptor of it (the
    caller closes it) and its status. LinkError for a target that is not a regular file
    that can be read (gone, a folder, refused): archived as the link, the backup held a
    dangling link, not the court's configuration. LinkError too for a link owned by
    neither root nor its target's owner (Apache's SymLinksIfOwnerMatch): this module reads
    as root, and a web account that can write the folder above the web root must not copy
    /etc/shadow into the backup by a link; and when the file opened is not the one the
    links checked lead to (a folder on the way swapped meanwhile)."""
    target = os.path.realpath(name)
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise LinkError(f"{name} adalah tautan ke {target} yang tidak dapat dibaca: "
                        f"{exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LinkError(f"{name} adalah tautan ke {target}, bukan berkas biasa")
        links, reached = links_passed(name)
        if (reached.st_dev, reached.st_ino) != (info.st_dev, info.st_ino):
            raise LinkError(f"{name}: tautan atau folder di jalannya ke {target} berubah "
                            "saat diperiksa")
        for link, owner in links:
            if owner in (0, info.st_uid):
                continue
            way = "" if link == name else f" lewat tautan {link}"
            raise LinkError(f"{name} adalah tautan{way} milik {user_name(owner)} ke {target} "
                            f"milik {user_name(info.st_uid)}; tidak diikuti (hanya tautan "
                            "milik root atau pemilik berkasnya)")
    except BaseException:
        os.close(fd)
        raise
    return target, fd, info


def links_passed(path: str) -> tuple[list[tuple[str, int]], os.stat_result]:
    """Each symbolic link the kernel follows to open ``path`` (the link itself, a link it
    points to, a folder on the way that is a link; sop_pathwalk.walk), with its owner:
    the owner rule holds for every one (as Apache's SymLinksIfOwnerMatch), not only the
    first, else a root link to a file of the web account's that the account then made a
    link to /etc/shadow was followed; and the status of the file the walk reached."""
    try:
        entries = list(walk(path))
    except TooManyLinks:  # the kernel's limit (ELOOP): open() refused it already
        raise LinkError(f"{path}: terlalu banyak tautan") from None
    except OSError as exc:  # changed since it was opened
        raise LinkError(f"{path}: {exc.filename} tidak dapat dibaca: {exc.strerror}") from None
    return [(entry.path, entry.info.st_uid) for entry in entries if entry.is_link], \
        entries[-1].info


def copy_target(name: str, target: str, copy: str) -> None:
    """The file the link ``name`` leads to, checked and opened once (opened_target), copied
    into ``copy`` with its owner, mode and time, for tar to archive: tar given ``target``
    opened it by its path again, and a folder on that path that the site's account can
    change, swapped for a link after the check, made root archive another file (one of
    root's) under the link's name. LinkError when the link now leads elsewhere."""
    now, fd, info = opened_target(name)
    with os.fdopen(fd, "rb") as source:
        if now != target:
            raise LinkError(f"{name}: kini tautan ke {now}, bukan {target}")
        with open(os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600),
                  "wb") as out:
            shutil.copyfileobj(source, out)
            out.flush()
            os.fchown(out.fileno(), info.st_uid, info.st_gid)
            os.fchmod(out.fileno(), stat.S_IMODE(info.st_mode))
            os.utime(out.fileno(), ns=(info.st_atime_ns, info.st_mtime_ns))


def operands(paths: list[str], files: list[str], links: dict[str, str]) -> list[str]:
    """What tar is given: each folder under its real path (/var/www/html ->
    /home/web/public_html is archived with its files; tar alone keeps only the link), then
    each file outside them in its folder's real path, itself not followed (a link to a
    file of the folders stays a link), or for a link of ``links`` the file given for it
    (its target's copy, copy_target), which tar_argv stores under the link's name."""
    return [os.path.realpath(x) for x in paths] + [
        links.get(f, f) for f in single_files(paths, files)]


def existing(path: str) -> dict[str, Any]:
    """The backup ``path`` as its manifest records it: a backup found made in an earlier
    run says what the one just made says, its names no tar restores too (the record's
    line of a later run in the same period counts them again)."""
    manifest = read_manifest(manifest_path(path)) or {}
    mpath = manifest_path(path)
    found = {"path": path, "manifest": mpath, "size": manifest.get("size"),
             "sha256": manifest.get("sha256"), "entries": manifest.get("entries"),
             "files": manifest.get("files", []), "file_links": manifest.get("file_links", {}),
             "hard_links_excluded": manifest.get("hard_links_excluded", []),
             "hard_links_protected": manifest.get("hard_links_protected"),
             "verified": manifest.get("verified") is True,
             "manifest_size": os.path.getsize(mpath), "manifest_sha256": sha256_file(mpath)}
    if manifest.get("unrestorable"):
        found.update(unrestorable=manifest["unrestorable"],
                     first_unrestorable=manifest.get("first_unrestorable"))
    return found


def backup(p: dict[str, Any], moment: datetime.datetime, links: dict[str, str]) -> dict[str, Any]:
    name = "{}-{}.tar.zst".format(p["prefix"], moment.strftime("%Y%m%dT%H%M%S"))
    path = os.path.join(p["dest"], name)
    # The manifest is written before the archive gets its name: a backup of the same
    # second (force, a clock set back) must be refused first, or its manifest is replaced.
    for taken in (path, manifest_path(path)):
        if os.path.lexists(taken):
            raise FileExistsError(errno.EEXIST, "a backup of this second exists already", taken)
    start = time.monotonic()
    # In the backup's time: the one walk of the whole tree, besides tar's; none where the
    # kernel protects hard links (hard_links_protected).
    protected = hard_links_protected()
    foreign = [] if protected else foreign_hard_links(p["paths"], p["files"])
    # The linked files' copies (copy_target), in a folder of the prefix's own: one a run
    # killed meanwhile left (a wp-config.php, its secrets) is removed by the next.
    scratch = os.path.join(p["dest"], f".{p['prefix']}-links")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        copies = {name: os.path.join(scratch, str(n)) for n, name in enumerate(links)}
        if copies:
            os.mkdir(scratch, 0o700)
        for name, copy in copies.items():
            copy_target(name, links[name], copy)
        writer = HashingWriter(path)
        try:
            archived = write_archive(operands(p["paths"], p["files"], copies), p["exclude"],
                                     writer, p["level"], p["stall_timeout"],
                                     rename={copy: name for name, copy in copies.items()},
                                     skip=foreign)
            writer.sync()
        except (ArchiveError, OSError):
            writer.discard()
            raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    # Verified only by the backup computer on its own copy (website_archive_verify), as the
    # SIPP backup is by its restore there; until then the period has no backup.
    manifest = {"name": name, "kind": "files", "paths": p["paths"], "files": p["files"],
                "file_links": links, "exclude": p["exclude"],
                # each name on one line, a byte that is no UTF-8 its surrogate's escape
                # (\udcc3), a backslash doubled: the one way shown's escapes read
                "hard_links_excluded": [shown(name) for name in foreign],
                "hard_links_protected": protected,
                **({"unrestorable": archived["unrestorable"],
                    "first_unrestorable": archived["first_unrestorable"]}
                   if archived["unrestorable"] else {}),
                "size": writer.size, "sha256": writer.sha256.hexdigest(),
                "entries": archived["entries"], "listing_sha256": archived["listing_sha256"],
                "period": period_key(moment, p["period"]), "started_at": moment.isoformat(),
                "finished_at": now_iso(), "duration": round(time.monotonic() - start, 3),
                "verified": False, "verification": {"status": "pending"}}
    try:
        write_json_atomic(manifest_path(path), manifest)
        writer.publish()
    except OSError:
        writer.discard()
        with contextlib.suppress(FileNotFoundError):
            if not os.path.exists(path):  # no archive: no manifest naming it
                os.unlink(manifest_path(path))
        raise
    result = existing(path)
    result.update(changed=True, duration=manifest["duration"], warnings_tar=archived["warnings"])
    return result


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "path", "required": True},
            "files": {"type": "list", "elements": "path", "default": []},
            "dest": {"type": "path", "required": True},
            "prefix": {"type": "str", "default": "website"},
            "exclude": {"type": "list", "elements": "str", "default": []},
            "level": {"type": "int", "default": 3},
            "period": {"type": "str", "default": "daily", "choices": ["daily", "weekly", "monthly", "always"]},
            "force": {"type": "bool", "default": False},
            **PERIOD_ARGUMENT_SPEC,
            "stall_timeout": {"type": "int", "default": 600},
        },
        supports_check_mode=True,
    )
    p = module.params
    refused = (seconds_error(p, "stall_timeout", zero="never stops it")
               or range_error(p, "level", **RANGES["zstd level"]))
    if refused:
        module.fail_json(**refused)
    missing = [path for path in p["paths"] if not os.path.isdir(path)]
    if missing:
        module.fail_json(msg=f"folder situs tidak ada: {', '.join(missing)}")
    try:
        empty = [path for path in p["paths"] if not holds_a_file(path)]
    except OSError as exc:
        module.fail_json(msg=f"folder situs tidak dapat dibaca: {exc.filename}: {exc.strerror}")
    if empty:
        module.fail_json(msg=f"folder situs tanpa satu berkas pun (path salah atau volume belum "
                             f"di-mount?): {', '.join(empty)}")
    not_files = [path for path in p["files"] if not os.path.lexists(path) or
                 (os.path.isdir(path) and not os.path.islink(path))]
    if not_files:
        module.fail_json(msg=f"berkas situs tidak ada (atau sebuah folder): {', '.join(not_files)}")
    try:
        links = link_targets(p["paths"], p["files"])
    except LinkError as exc:
        module.fail_json(msg=f"berkas situs tidak dapat di-backup: {exc}")
    moment = datetime.datetime.now().astimezone().replace(microsecond=0)
    found = None if p["force"] or not os.path.isdir(p["dest"]) else \
        find_verified(p["dest"], p["prefix"], period_key(moment, p["period"]), p["held"],
                      p["reconciled"] if module.check_mode else ())
    if found is not None and not same_content(found["manifest"], p):
        found = None  # the folders or exclusions changed since: this period needs a new one
    if found is not None:
        # verified, or would be (reconciled in check mode)
        module.exit_json(changed=False, msg=f"backup file periode ini sudah ada: {found['path']}",
                         **dict(existing(found["path"]), verified=True))
    if module.check_mode:
        module.exit_json(changed=True,
                         msg=f"akan membuat arsip {', '.join(p['paths'] + p['files'])} di {p['dest']}")
    os.makedirs(p["dest"], mode=0o700, exist_ok=True)
    try:
        result = backup(p, moment, links)
    except ArchiveError as exc:
        module.fail_json(msg=f"backup file situs gagal: {exc}")
    except LinkError as exc:
        module.fail_json(msg=f"berkas situs tidak dapat di-backup: {exc}")
    except OSError as exc:
        module.fail_json(msg=f"backup file situs gagal: {exc.strerror}: {exc.filename or p['dest']}")
    if not result["hard_links_protected"]:
        module.warn(f"fs.protected_hardlinks is off on this server ({PROTECTED_HARDLINKS} "
                    "reads 0 or cannot be read): any account may hard-link a file it does not "
                    "own (/etc/shadow) into the web root, so the backup walked the web root to "
                    "leave such links out. Turn it on: sysctl fs.protected_hardlinks=1, kept in "
                    "/etc/sysctl.d (a line fs.protected_hardlinks = 1 in "
                    "/etc/sysctl.d/60-protected-hardlinks.conf)")
    if result.get("unrestorable"):
        module.warn(unrestorable_warning(os.path.basename(result["path"]), "dibuat",
                                         result["unrestorable"], result["first_unrestorable"]))
    left_out = result["hard_links_excluded"]
    said = (f"; {len(left_out)} berkas bertautan keras ke luar folder situs tidak diarsipkan: "
            f"{', '.join(left_out)}") if left_out else ""
    module.exit_json(msg=f"arsip situs dibuat: {result['path']}{said}", **result)


if __name__ == "__main__":
    main()
