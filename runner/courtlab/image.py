"""The lab's cached test-host image.

Two layers, each rebuilt only when its recipe changes:

1. a Debian 12 minbase root filesystem made by debootstrap, cached as a tarball
   (about 66 MB) under the cache directory and imported as ``sop-lab-rootfs:<hash>``;
2. ``sop-lab:<hash>`` built from ``lab/image/Containerfile`` on top of it (systemd,
   SSH, MariaDB, Apache/PHP, nginx, ...), also tagged ``sop-lab:latest`` for molecule.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from courtlab import podman

IMAGE_REPO = "localhost/sop-lab"
ROOTFS_REPO = "localhost/sop-lab-rootfs"
RECIPE_LABEL = "sop.lab.recipe"
SUITE = "bookworm"
DEBOOTSTRAP_INCLUDE = "python3,python3-apt"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security"


@dataclass(frozen=True)
class Recipe:
    rootfs_hash: str
    image_hash: str

    @property
    def rootfs_image(self) -> str:
        return f"{ROOTFS_REPO}:{self.rootfs_hash}"

    @property
    def image(self) -> str:
        return f"{IMAGE_REPO}:{self.image_hash}"


def cache_dir() -> Path:
    base = os.environ.get("SOP_LAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sop-lab")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def host_mirrors(apt_dir: Path = Path("/etc/apt")) -> tuple[str, str]:
    """The Debian mirrors this machine's apt uses (so the image uses the same)."""
    text = ""
    # The files apt reads: a mirror disabled as `old.list.disabled` or `.list.save` is not.
    for f in [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*"))]:
        if f.is_file() and f.suffix in (".list", ".sources"):
            text += f.read_text(errors="replace") + "\n"
    found = re.findall(r"(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s*)?)(\S+)", text, re.M)
    # Network mirrors only: not an installation disc (cdrom:) nor a mirror+file: list.
    uris = [u for u in found if u.startswith(("http://", "https://", "ftp://"))]
    main = next((u for u in uris if not u.rstrip("/").endswith("-security")), DEFAULT_MIRROR)
    security = next((u for u in uris if u.rstrip("/").endswith("-security")),
                    DEFAULT_SECURITY_MIRROR)
    return main.rstrip("/"), security.rstrip("/")


def recipe(root: Path) -> Recipe:
    mirror, security = host_mirrors()
    rootfs_key = f"{SUITE}|minbase|{DEBOOTSTRAP_INCLUDE}|{mirror}|{security}|v1"
    rootfs_hash = hashlib.sha256(rootfs_key.encode()).hexdigest()[:12]
    h = hashlib.sha256(rootfs_hash.encode())
    for f in sorted((root / "lab" / "image").rglob("*")):
        if f.is_file():
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return Recipe(rootfs_hash=rootfs_hash, image_hash=h.hexdigest()[:12])


def _log(msg: str) -> None:
    print(f"==> {msg}", flush=True)


def _debootstrap(tarball: Path) -> None:
    if shutil.which("debootstrap") is None:
        raise podman.PodmanError("debootstrap is not installed (run scripts/setup.sh)")
    mirror, security = host_mirrors()
    with tempfile.TemporaryDirectory(prefix="sop-lab-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        _log(f"debootstrap {SUITE} from {mirror} (about a minute, cached afterwards)")
        proc = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={DEBOOTSTRAP_INCLUDE}",
             SUITE, str(rootfs), mirror],
            capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
            raise podman.PodmanError(f"debootstrap failed: {tail[0]}")
        sources = (
            f"deb {mirror} {SUITE} main\n"
            f"deb {mirror} {SUITE}-updates main\n"
            f"deb {security} {SUITE}-security main\n"
        )
        (rootfs / "etc/apt/sources.list").write_text(sources)
        lists = rootfs / "var/lib/apt/lists"
        for entry in lists.iterdir():
            if entry.is_file():
                entry.unlink()
        # An old mtime makes apt's cache_valid_time refresh the lists on first use.
        stamp = time.mktime((2000, 1, 1, 0, 0, 0, 0, 1, -1))
        os.utime(lists, (stamp, stamp))
        partial = tarball.with_suffix(".partial")
        proc = subprocess.run(["tar", "-C", str(rootfs), "-czf", str(partial), "."],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:  # a full disk: no half tarball left to be imported later
            partial.unlink(missing_ok=True)
            # its first line is the cause ("gzip: stdout: No space left on device"), the
            # last only "Error is not recoverable"
            cause = proc.stderr.strip().splitlines()[:1] or [f"exit status {proc.returncode}"]
            raise podman.PodmanError(f"cannot write {tarball}: {cause[0]}")
        partial.replace(tarball)


def ensure(root: Path, *, force: bool = False) -> str:
    """Build what is missing or stale; return the image reference to run."""
    r = recipe(root)
    if not force and podman.exists("image", r.image):
        podman.run("tag", r.image, f"{IMAGE_REPO}:latest")
        return r.image
    started = time.monotonic()
    if force or not podman.exists("image", r.rootfs_image):
        tarball = cache_dir() / f"rootfs-{SUITE}-{r.rootfs_hash}.tar.gz"
        if force or not tarball.is_file():
            _debootstrap(tarball)
        _log(f"importing {tarball.name}")
        podman.run("import", "--change", 'CMD ["sleep","infinity"]', str(tarball),
                   r.rootfs_image, what=f"podman import {tarball}")
    _log(f"building {r.image} (packages baked in; a few minutes the first time)")
    proc = podman.run(
        "build", "--pull=never", "--build-arg", f"BASE={r.rootfs_image}",
        "--label", f"{RECIPE_LABEL}={r.image_hash}", "-t", r.image,
        "-f", str(root / "lab/image/Containerfile"), str(root / "lab/image"),
        check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout or "").strip().splitlines()
        # apt's own error ("E: Unable to locate package ...") names the cause; podman's
        # last line only says which step failed.
        cause = [line for line in lines if line.startswith("E: ")] or lines or ["?"]
        raise podman.PodmanError(f"image build failed: {cause[-1]}")
    podman.run("tag", r.image, f"{IMAGE_REPO}:latest")
    _prune_outdated(r)
    _log(f"image ready in {time.monotonic() - started:.0f} s")
    return r.image


def _prune_outdated(r: Recipe) -> None:
    """Remove images of older recipes (those still used by a container stay)."""
    keep = {r.image, f"{IMAGE_REPO}:latest", r.rootfs_image}
    proc = podman.run("images", "--format", "{{.Repository}}:{{.Tag}}", check=False)
    for ref in proc.stdout.split():
        if ref.startswith((f"{IMAGE_REPO}:", f"{ROOTFS_REPO}:")) and ref not in keep:
            podman.run("rmi", ref, check=False)
