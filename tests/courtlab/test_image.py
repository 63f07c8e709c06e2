from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from courtlab import image, lab, podman, topology


@pytest.fixture()
def recipe_root(tmp_path: Path, project_root: Path) -> Path:
    shutil.copytree(project_root / "lab" / "image", tmp_path / "lab" / "image")
    return tmp_path


def test_recipe_is_stable(recipe_root: Path) -> None:
    assert image.recipe(recipe_root) == image.recipe(recipe_root)


def test_recipe_changes_with_the_containerfile(recipe_root: Path) -> None:
    before = image.recipe(recipe_root)
    containerfile = recipe_root / "lab/image/Containerfile"
    containerfile.write_text(containerfile.read_text() + "\n# change\n")
    after = image.recipe(recipe_root)
    assert after.image_hash != before.image_hash
    assert after.rootfs_hash == before.rootfs_hash  # the debootstrap layer stays cached


def _apt_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "sources.list.d").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_mirrors_come_from_deb822_sources(tmp_path: Path) -> None:
    apt = _apt_dir(tmp_path, {"sources.list.d/debian.sources": (
        "Types: deb\nURIs: http://mirror.example.id/debian/\nSuites: bookworm\n\n"
        "Types: deb\nURIs: http://mirror.example.id/debian-security\n"
        "Suites: bookworm-security\n")})
    assert image.host_mirrors(apt) == ("http://mirror.example.id/debian",
                                       "http://mirror.example.id/debian-security")


def test_mirrors_come_from_one_line_sources(tmp_path: Path) -> None:
    apt = _apt_dir(tmp_path, {"sources.list": (
        "# deb http://commented.example/debian bookworm main\n"
        "deb [signed-by=/usr/share/keyrings/k.gpg] http://kartolo.sby.datautama.net.id/debian"
        " bookworm main\n"
        "deb http://security.debian.org/debian-security bookworm-security main\n")})
    assert image.host_mirrors(apt) == ("http://kartolo.sby.datautama.net.id/debian",
                                       "http://security.debian.org/debian-security")


def test_an_installation_disc_is_not_a_mirror(tmp_path: Path) -> None:
    """A Debian installed from its DVD keeps the disc in sources.list (`deb cdrom:[Debian
    GNU/Linux 12.5.0 ...]/ bookworm main`) before the network mirror: the lab's image was
    debootstrapped from "cdrom:[Debian", which fails. Only network mirrors count (an
    image is built from the network), and a "mirror+" list is not a mirror either."""
    apt = _apt_dir(tmp_path, {"sources.list": (
        "deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 DVD Binary-1"
        " with firmware 20240210-11:28]/ bookworm contrib main\n"
        "deb mirror+file:/etc/apt/mirrors.txt bookworm main\n"
        "deb http://mirror.example.id/debian/ bookworm main\n"
        "deb http://mirror.example.id/debian-security bookworm-security main\n")})
    assert image.host_mirrors(apt) == ("http://mirror.example.id/debian",
                                       "http://mirror.example.id/debian-security")


def test_mirrors_default_to_debian_without_sources(tmp_path: Path) -> None:
    assert image.host_mirrors(_apt_dir(tmp_path, {})) == (
        "http://deb.debian.org/debian", "http://deb.debian.org/debian-security")


def test_bootstrap_script_sets_routes_and_admin() -> None:
    script = lab._bootstrap_script(topology.by_name("sipp"), "ssh-ed25519 AAAA test")
    assert f"ip route replace {topology.WAN_SUBNET} via {topology.GW_LAN_IP}" in script
    assert "NOPASSWD" in script
    assert "ssh-ed25519 AAAA test" in script


def test_stale_detection() -> None:
    hosts = topology.HOSTS
    ok = [lab.HostState(h, "running", "img:1", True) for h in hosts]
    assert not lab._is_stale(ok, "img:1")
    assert lab._is_stale(ok, "img:2")  # outdated image
    partial = [*ok[:-1], lab.HostState(hosts[-1], "missing", "", False)]
    assert lab._is_stale(partial, "img:1")  # a killed `up`
    exited = [*ok[:-1], lab.HostState(hosts[-1], "exited", "img:1", False)]
    assert lab._is_stale(exited, "img:1")
    none = [lab.HostState(h, "missing", "", False) for h in hosts]
    assert not lab._is_stale(none, "img:1")


def _keys(host: str) -> str:
    return (f"ssh-ed25519 AAAAed25519{host} root@{host}\n"
            f"ecdsa-sha2-nistp256 AAAAecdsa{host} root@{host}\n")


def test_known_hosts_lists_every_key_by_published_port(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    lab.write_known_hosts(path, {h: _keys(h.name) for h in topology.HOSTS})
    lines = path.read_text().splitlines()
    assert len(lines) == 2 * len(topology.HOSTS)
    assert "[127.0.0.1]:2223 ssh-ed25519 AAAAed25519backup" in lines
    assert "[127.0.0.1]:2225 ecdsa-sha2-nistp256 AAAAecdsasippma" in lines


def test_known_hosts_refuses_hosts_sharing_a_key(tmp_path: Path) -> None:
    sipp, web = topology.by_name("sipp"), topology.by_name("web")
    with pytest.raises(podman.PodmanError, match="lab hosts sipp and web share an SSH host key"):
        lab.write_known_hosts(tmp_path / "known_hosts", {sipp: _keys("x"), web: _keys("x")})
    with pytest.raises(podman.PodmanError, match="lab host web has no SSH host key"):
        lab.write_known_hosts(tmp_path / "known_hosts", {sipp: _keys("x"), web: "cat: none\n"})
    assert not (tmp_path / "known_hosts").exists()


def test_bootstrap_script_prints_the_host_keys() -> None:
    assert "cat /etc/ssh/ssh_host_*_key.pub" in lab._bootstrap_script(
        topology.by_name("gw"), "ssh-ed25519 AAAA test")


def test_mirrors_only_come_from_files_apt_reads(tmp_path: Path) -> None:
    """apt reads sources.list.d's *.list and *.sources only: a mirror switched off by
    renaming its file (`old.list.disabled`, `.list.save`) was still the image's."""
    apt = _apt_dir(tmp_path, {
        "sources.list.d/a-old-mirror.list.disabled":
            "deb http://old.example.id/debian bookworm main\n",
        "sources.list.d/debian.list.save": "deb http://saved.example.id/debian bookworm main\n",
        "sources.list.d/debian.sources": (
            "Types: deb\nURIs: http://mirror.example.id/debian\nSuites: bookworm\n\n"
            "Types: deb\nURIs: http://mirror.example.id/debian-security\n"
            "Suites: bookworm-security\n")})
    assert image.host_mirrors(apt) == ("http://mirror.example.id/debian",
                                       "http://mirror.example.id/debian-security")
