"""`sop-lab` when podman, tar or ssh-keygen fail: one line naming what failed, and a
failed `up` leaves nothing that stops the next `down` (podman faked: no container runs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from courtlab import cli, image, lab, podman, reach, topology


class FakeCommands:
    """subprocess.run for podman and the tools the lab runs: each call recorded; a call
    whose words start with a key of ``fail`` exits 125 with that stderr, one whose words
    start with an item of ``absent`` exits 1 (`podman exists` for what is not there)."""

    def __init__(self, fail: dict[tuple[str, ...], str] | None = None,
                 stdout: dict[tuple[str, ...], str] | None = None) -> None:
        self.fail = fail or {}
        self.stdout = stdout or {}
        self.absent: list[tuple[str, ...]] = []
        self.calls: list[list[str]] = []

    def __call__(self, cmd: Sequence[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(cmd))
        if any(tuple(cmd[:len(prefix)]) == prefix for prefix in self.absent):
            return subprocess.CompletedProcess(cmd, 1, "", "")
        for prefix, err in self.fail.items():
            if tuple(cmd[:len(prefix)]) == prefix:
                return subprocess.CompletedProcess(cmd, 125, "", err)
        out = next((o for p, o in self.stdout.items() if tuple(cmd[:len(p)]) == p), "")
        return subprocess.CompletedProcess(cmd, 0, out, "")


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeCommands:
    commands = FakeCommands()
    monkeypatch.setattr(subprocess, "run", commands)
    return commands


def test_a_network_podman_cannot_create_is_named(fake: FakeCommands) -> None:
    """`podman network: Error: ...` did not say which network, nor what podman did."""
    fake.absent = [("podman", "network", "exists")]
    fake.fail = {("podman", "network", "create"): (
                     'time="..." level=warning msg="cgroupv2 manager"\n'
                     "Error: subnet 10.231.10.0/24 is already used on the host or by "
                     "another config\n")}
    with pytest.raises(podman.PodmanError) as exc:
        lab._create_networks()
    assert str(exc.value) == (
        "podman network create court-lab-lan: Error: subnet 10.231.10.0/24 is already "
        "used on the host or by another config")


def test_a_host_podman_cannot_start_is_named(fake: FakeCommands) -> None:
    fake.fail = {("podman", "run"): "Error: runc: container_linux.go:380: starting "
                                    "container process caused: EPERM"}
    with pytest.raises(podman.PodmanError, match=r"^podman run court-lab-web: Error: runc"):
        lab._run_host(topology.by_name("web"), "localhost/sop-lab:x")


def test_a_podman_command_is_named_by_its_words_before_any_option(fake: FakeCommands) -> None:
    fake.fail = {("podman", "tag"): "Error: localhost/sop-lab:abc: image not known"}
    with pytest.raises(podman.PodmanError) as exc:
        podman.run("tag", "localhost/sop-lab:abc", "localhost/sop-lab:latest")
    assert str(exc.value) == ("podman tag localhost/sop-lab:abc localhost/sop-lab:latest: "
                              "Error: localhost/sop-lab:abc: image not known")


def test_a_podman_failure_is_named_by_its_first_error_line(fake: FakeCommands) -> None:
    """podman.run gave stderr's last line: podman's closing "Error: exit status 125"
    hid the cause it printed first."""
    fake.fail = {("podman", "load"): (
        'time="..." level=warning msg="cgroupv2 manager"\n'
        "Error: payload does not match any of the supported image formats\n"
        "Error: exit status 125\n")}
    with pytest.raises(podman.PodmanError) as exc:
        podman.run("load", "-i", "image.tar")
    assert str(exc.value) == ("podman load: Error: payload does not match any of the "
                              "supported image formats")


@pytest.mark.parametrize(("stderr", "line"), [
    ("warning one\nwarning two\n\n", "warning two"),
    ("", "exit status 125"),
], ids=["no-error-line", "silent"])
def test_a_podman_failure_without_an_error_line(fake: FakeCommands, stderr: str,
                                                line: str) -> None:
    fake.fail = {("podman", "load"): stderr}
    with pytest.raises(podman.PodmanError) as exc:
        podman.run("load")
    assert str(exc.value) == f"podman load: {line}"


def test_down_removes_a_lab_whose_start_failed(fake: FakeCommands, tmp_path: Path) -> None:
    """A host whose `podman run` failed stays in state "configured", which `podman stop`
    refuses: `down` failed on it, and so did every later `up` (it calls `down` on a
    stale lab) until the admin removed the container by hand."""
    names = ["court-lab-sipp", "court-lab-web"]
    fake.stdout = {("podman", "ps"): json.dumps([{"Names": [n]} for n in names])}
    fake.fail = {
        ("podman", "stop"): "Error: can only stop created or running containers. 3f2a is "
                            "in state configured: container state improper",
    }
    # the WAN network is already gone
    fake.absent = [("podman", "network", "exists", topology.WAN)]
    (tmp_path / ".lab").mkdir()
    lab.known_hosts(tmp_path).write_text("[127.0.0.1]:2221 ssh-ed25519 AAAA\n")
    assert lab.down(tmp_path) == 2
    assert ["podman", "rm", "-f", "--ignore", "-t", "1", *names] in fake.calls
    assert ["podman", "network", "rm", "-f", topology.LAN] in fake.calls
    assert ["podman", "network", "rm", "-f", topology.WAN] not in fake.calls
    assert not lab.known_hosts(tmp_path).exists()


def test_down_names_a_container_podman_cannot_remove(fake: FakeCommands,
                                                     tmp_path: Path) -> None:
    fake.stdout = {("podman", "ps"): json.dumps([{"Names": ["court-lab-gw"]}])}
    fake.fail = {("podman", "rm"): "Error: cannot remove container 9c1e as it is running"}
    with pytest.raises(podman.PodmanError) as exc:
        lab.down(tmp_path)
    assert str(exc.value) == ("podman rm court-lab-gw: Error: cannot remove container 9c1e "
                              "as it is running")


def _debootstrapped(cmd: Sequence[str]) -> None:
    rootfs = Path(cmd[-2])
    (rootfs / "etc/apt").mkdir(parents=True)
    (rootfs / "var/lib/apt/lists").mkdir(parents=True)
    (rootfs / "var/lib/apt/lists/lock").write_text("")


def test_a_full_disk_leaves_no_half_tarball(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    """tar's failure was a CalledProcessError traceback, its 60 MB .partial left on the
    full disk."""
    tarball = tmp_path / "rootfs-bookworm-0123.tar.gz"

    def run(cmd: Sequence[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        if cmd[0] == "debootstrap":
            _debootstrapped(cmd)
            return subprocess.CompletedProcess(cmd, 0, "", "")
        Path(cmd[cmd.index("-czf") + 1]).write_bytes(b"half")
        return subprocess.CompletedProcess(
            cmd, 2, "", "gzip: stdout: No space left on device\ntar: Child returned "
                        "status 1\ntar: Error is not recoverable: exiting now\n")

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/sbin/{name}")
    monkeypatch.setattr(subprocess, "run", run)
    with pytest.raises(podman.PodmanError) as exc:
        image._debootstrap(tarball)
    assert str(exc.value) == f"cannot write {tarball}: gzip: stdout: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_a_key_ssh_keygen_cannot_write_is_named(fake: FakeCommands, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    fake.fail = {("ssh-keygen",): "Saving key failed: Read-only file system\n"}
    with pytest.raises(podman.PodmanError) as exc:
        lab.ssh_key(tmp_path)
    assert str(exc.value) == (f"ssh-keygen {tmp_path}/.lab/ssh/id_ed25519: Saving key "
                              "failed: Read-only file system")


def test_a_key_without_its_public_half_is_made_again(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    """An interrupted ssh-keygen leaves id_ed25519 without id_ed25519.pub: `up` took the
    key as made and ended in a FileNotFoundError traceback reading the .pub."""
    key = tmp_path / ".lab/ssh/id_ed25519"
    key.parent.mkdir(parents=True)
    key.write_text("half a key")
    calls: list[list[str]] = []

    def keygen(cmd: Sequence[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(list(cmd))
        # ssh-keygen asks on the terminal before it overwrites an existing key
        assert not key.exists()
        key.write_text("private")
        key.with_suffix(".pub").write_text("ssh-ed25519 AAAA sop-lab\n")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", keygen)
    assert lab.ssh_key(tmp_path) == key
    assert [c[0] for c in calls] == ["ssh-keygen"]
    assert key.read_text() == "private"


@pytest.fixture()
def cli_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """`sop-lab` run as root on a checkout at tmp_path whose setup ran, podman faked."""
    conf = tmp_path / ".lab/containers.conf"
    conf.parent.mkdir()
    conf.write_text("[engine]\nruntime = \"runc\"\n")
    monkeypatch.setenv("CONTAINERS_CONF", str(conf))
    monkeypatch.setattr(podman, "project_root", lambda: tmp_path)
    monkeypatch.setattr(podman, "available", lambda: True)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    return tmp_path


def test_a_cache_directory_that_cannot_be_made_is_named(
        fake: FakeCommands, cli_root: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """An unwritable cache directory was a NotADirectoryError/PermissionError traceback."""
    (cli_root / "file").write_text("")
    monkeypatch.setenv("SOP_LAB_CACHE", str(cli_root / "file/sop-lab"))
    fake.absent = [("podman", "image", "exists")]
    assert cli.main(["image"]) == 1
    assert capsys.readouterr().err == (
        f"sop-lab: error: {cli_root}/file/sop-lab: Not a directory\n")


def test_a_missing_ansible_playbook_is_named(cli_root: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """No .venv (scripts/setup.sh not run): run_provision was a FileNotFoundError
    traceback (nothing runs: the command does not exist)."""
    def up(root: Path, **_kwargs: object) -> None:
        lab.run_provision(root, None)

    monkeypatch.setattr(lab, "up", up)
    assert cli.main(["up"]) == 1
    assert capsys.readouterr().err.endswith(
        f"sop-lab: error: {cli_root}/.venv/bin/ansible-playbook: No such file or directory\n")


def test_a_programming_error_keeps_its_traceback(cli_root: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def down(_root: Path) -> int:
        raise KeyError("Names")

    monkeypatch.setattr(lab, "down", down)
    with pytest.raises(KeyError):
        cli.main(["down"])


@pytest.mark.parametrize("exported", [False, True], ids=["unset", "make-exported"])
def test_a_checkout_without_its_containers_conf_says_to_run_setup(
        fake: FakeCommands, cli_root: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], exported: bool) -> None:
    """podman installed by hand, scripts/setup.sh never run: podman ran with its defaults
    (crun) and the lab failed later with crun's message. The Makefile exports
    CONTAINERS_CONF whether or not the file is there."""
    conf = cli_root / ".lab/containers.conf"
    conf.unlink()
    if not exported:
        monkeypatch.delenv("CONTAINERS_CONF")
    assert cli.main(["status"]) == 1
    assert capsys.readouterr().err == (
        f"sop-lab: error: podman's configuration {conf} does not exist "
        "(scripts/setup.sh writes it)\n")
    assert fake.calls == []


BROKEN_PODMAN = (
    'WARN[0000] Failed to decode the keys ["storage.options.override_kernel_check"] from '
    '"/etc/containers/storage.conf"\n'
    "Error: creating runtime static files directory: mkdir "
    "/var/lib/containers/storage/libpod: read-only file system\n"
    "Error: exit status 125\n")
BROKEN_PODMAN_ERROR = ("Error: creating runtime static files directory: mkdir "
                       "/var/lib/containers/storage/libpod: read-only file system")
BROKEN_PODMAN_LINE = f"podman info: {BROKEN_PODMAN_ERROR}"


def test_up_stops_at_a_podman_that_does_not_work(fake: FakeCommands, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """podman.exists took the broken podman's failure for "no such image": `up` spent a
    minute on debootstrap before `podman import` failed."""
    monkeypatch.setenv("SOP_LAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/sbin/{name}")
    fake.fail = {("podman",): BROKEN_PODMAN}
    with pytest.raises(podman.PodmanError) as exc:
        lab.up(tmp_path, cases=None)
    assert str(exc.value) == BROKEN_PODMAN_LINE
    assert fake.calls == [["podman", "info"]]


def test_image_stops_at_a_podman_that_does_not_work(
        fake: FakeCommands, cli_root: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOP_LAB_CACHE", str(cli_root / "cache"))
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/sbin/{name}")
    fake.fail = {("podman",): BROKEN_PODMAN}
    assert cli.main(["image"]) == 1
    assert capsys.readouterr().err == f"sop-lab: error: {BROKEN_PODMAN_LINE}\n"
    assert fake.calls == [["podman", "info"]]


def test_status_stops_at_a_podman_that_does_not_work(
        fake: FakeCommands, cli_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """inspect took the broken podman's failure for "no such container": status showed
    every host missing."""
    fake.fail = {("podman",): BROKEN_PODMAN}
    assert cli.main(["status"]) == 1
    host = topology.HOSTS[0].container
    assert capsys.readouterr() == ("", f"sop-lab: error: podman container inspect {host}: "
                                       f"{BROKEN_PODMAN_ERROR}\n")


def test_status_shows_hosts_that_do_not_exist_as_missing(fake: FakeCommands) -> None:
    fake.fail = {("podman", "container", "inspect"): "Error: no such container court-lab-x"}
    fake.absent = [("podman", "container", "exists")]
    assert [s.status for s in lab.status()] == ["missing"] * len(topology.HOSTS)


def test_down_stops_at_a_network_podman_cannot_tell_exists(fake: FakeCommands,
                                                          tmp_path: Path) -> None:
    """exists took podman's failure for "no such network": down went on as if the lab
    networks were gone."""
    fake.fail = {("podman", "network", "exists"): BROKEN_PODMAN}
    with pytest.raises(podman.PodmanError) as exc:
        lab.down(tmp_path)
    assert str(exc.value) == (f"podman network exists {topology.LAN}: "
                              f"{BROKEN_PODMAN_ERROR}")
    assert not [c for c in fake.calls if c[:3] == ["podman", "network", "rm"]]


def test_a_dns_failure_on_a_podman_that_does_not_work_names_podman(
        fake: FakeCommands) -> None:
    """`podman info` failing read as network backend "unknown": "podman DNS
    (aardvark-dns) is not working; network backend is unknown"."""
    fake.fail = {("podman", "info"): BROKEN_PODMAN}
    assert reach.dns_cause("court-lab-web") == BROKEN_PODMAN_LINE
    assert fake.calls == [["podman", "info", "--format", "{{.Host.NetworkBackend}}"]]


class FakeExec:
    """subprocess.Popen for `podman exec` on a podman that does not work."""

    returncode = 125

    def __init__(self, _cmd: Sequence[str], **_kwargs: object) -> None:
        pass

    def communicate(self, _input: str) -> tuple[str, str]:
        return "", BROKEN_PODMAN


def test_a_host_podman_cannot_exec_in_is_named_by_podmans_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """reach named stderr's last line: "Error: exit status 125", not the cause."""
    monkeypatch.setattr(subprocess, "Popen", FakeExec)
    with pytest.raises(podman.PodmanError) as exc:
        reach.check([reach.Probe("court-lab-web", "web", ("db",))], port=0)
    assert str(exc.value) == f"cannot check lab host web: {BROKEN_PODMAN_ERROR}"
