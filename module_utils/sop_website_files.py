# GPL-3.0-or-later
"""Web root archives: ``tar | zstd -T0`` streamed into a hashed ``.partial`` file.

The archive is hashed while it is written (no re-read); tar's verbose listing gives the
entries archived, whose count and hash go into the manifest so that the copy on the
backup computer can be checked by listing it (``zstd -dc | tar -t``).
"""

from __future__ import annotations

import hashlib
import pwd
import subprocess
import threading
from typing import Any

from ansible.module_utils.sop_backup_files import (
    HashingWriter,
    expendable,
    unprivileged,
    widen_pipe,
)

CHUNK = 1 << 20


class ArchiveError(Exception):
    """tar or zstd failed; the message is one clear line."""


class ListingTimeout(ArchiveError):
    """Listing an archive took longer than allowed (a hung tool or a compressed bomb)."""


def tar_argv(paths: list[str], exclude: list[str]) -> list[str]:
    argv = ["tar", "--create", "--file=-", "--verbose", "--sparse", "--warning=no-file-changed"]
    argv += [f"--exclude={pattern}" for pattern in exclude]
    return [*argv, "--absolute-names", "--", *paths]


def listing_digest(names: list[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def write_archive(paths: list[str], exclude: list[str], writer: HashingWriter,
                  level: int) -> dict[str, Any]:
    """Stream the archive of ``paths`` into ``writer``; entries, listing hash."""
    with open("/dev/null", "rb") as devnull:
        tar = subprocess.Popen(tar_argv(paths, exclude), stdin=devnull, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        zstd = subprocess.Popen(["zstd", "-q", "-T0", f"-{level}", "-c"], stdin=tar.stdout,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        tar_out, tar_err, zstd_out = tar.stdout, tar.stderr, zstd.stdout
        if tar_out is None or tar_err is None or zstd_out is None:
            raise ArchiveError("tar/zstd pipes not available")
        tar_out.close()
        widen_pipe(zstd_out.fileno())
        # tar writes its verbose listing to stderr when the archive goes to stdout; a
        # thread drains it while this one hashes and writes zstd's output.
        listing: list[bytes] = []
        reader = threading.Thread(target=lambda: listing.append(tar_err.read()))
        reader.start()
        try:
            for chunk in iter(lambda: zstd_out.read(CHUNK), b""):
                writer.write(chunk)
        except BaseException:
            # A write that failed (disk full) leaves tar and zstd blocked on full pipes,
            # and the listing's reader with them: stop both, or this process waits forever.
            tar.kill()
            zstd.kill()
            raise
        finally:
            zstd_err = zstd.stderr.read() if zstd.stderr else b""
            zstd_rc, tar_rc = zstd.wait(), tar.wait()
            reader.join()
            zstd_out.close()
    lines = b"".join(listing).decode("utf-8", "surrogateescape").splitlines()
    names = [line for line in lines if not line.startswith("tar: ")]
    errors = [line for line in lines if line.startswith("tar: ")]
    if tar_rc not in (0, 1) or zstd_rc != 0:
        cause = (errors[0] if errors else zstd_err.decode(errors="replace").strip()) or "unknown"
        raise ArchiveError(f"tar/zstd failed (tar {tar_rc}, zstd {zstd_rc}): {cause}")
    return {"entries": len(names), "listing_sha256": listing_digest(names), "warnings": errors[-5:]}


def archive_listing(path: str, timeout: float | None = None,
                    user: pwd.struct_passwd | None = None) -> list[str]:
    """Entry names of an archive (``zstd -dc | tar -t``), read to its very end, within
    ``timeout`` seconds (else both are stopped: ListingTimeout).

    The archive comes from a server that may be compromised. ``--ignore-zeros`` reads past
    an end-of-archive marker, so entries hidden after one are listed (and differ from the
    manifest); our end of the pipe is closed once tar is done, so zstd cannot block
    forever on output tar did not read. With ``user`` (the backup computer's unprivileged
    verify account), zstd and tar run as that user and read the archive from a descriptor
    this process opened: a flaw in either that a crafted archive exploits gets that
    user's rights only, not root's.
    """
    drop = unprivileged(user) if user is not None else {}
    run_as = expendable if user is not None else list  # the OOM killer's first choice
    with open(path, "rb") as archive:
        zstd = subprocess.Popen(run_as(["zstd", "-q", "-dc"]), stdin=archive,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **drop)
    if zstd.stdout is None:
        raise ArchiveError("zstd pipe not available")
    with zstd.stdout:
        try:
            tar = subprocess.run(run_as(["tar", "--list", "--ignore-zeros", "--file=-",
                                         "--absolute-names"]), stdin=zstd.stdout,
                                 capture_output=True, check=False, timeout=timeout, **drop)
        except subprocess.TimeoutExpired:  # tar is stopped by run()
            zstd.kill()
            zstd.wait()
            raise ListingTimeout(f"listing {path} not finished within {timeout:g} s: "
                                 "stopped") from None
    zstd_rc = zstd.wait()
    zstd_err = zstd.stderr.read().decode(errors="replace").strip() if zstd.stderr else ""
    if zstd.stderr:
        zstd.stderr.close()
    if tar.returncode != 0 or zstd_rc != 0:
        cause = (tar.stderr.decode(errors="replace").strip().splitlines()[-1:]
                 or zstd_err.splitlines()[-1:] or ["zstd failed"])
        raise ArchiveError(f"listing {path} failed: {cause[0]}")
    listing: bytes = tar.stdout
    return listing.decode("utf-8", "surrogateescape").splitlines()
