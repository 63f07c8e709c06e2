"""What the approved maintenance run left on the hosts: real upgrades from the local
repository, the held package untouched, a real restart, services back."""

import pytest


@pytest.fixture(params=["mol-srvm-sipp", "mol-srvm-backup"])
def server(request, host):
    return host.get_host(f"podman://{request.param}")


def version(server, name):
    return server.check_output(f"dpkg-query -W -f '${{Version}}' {name}")


def test_security_updates_installed(server):
    assert version(server, "rsync").endswith("+lab1")
    assert version(server, "sop-lab-kernel") == "2"


def test_other_and_held_updates_untouched(server):
    assert not version(server, "zstd").endswith("+lab1")
    assert not version(server, "mariadb-common").endswith("+lab1")
    candidates = server.check_output("apt-cache policy mariadb-common zstd")
    assert candidates.count("+lab1") >= 2  # the newer versions are there, not installed


def test_rebooted_and_reboot_no_longer_required(server):
    assert not server.file("/run/reboot-required").exists
    # PID 1 started after the upgrade installed the new kernel stand-in.
    now, elapsed = map(int, server.check_output("date +%s; ps -o etimes= -p 1").split())
    booted = now - elapsed
    installed = float(server.check_output("stat -c %Y /var/lib/dpkg/info/sop-lab-kernel.list"))
    assert booted > installed


def test_services_back_after_reboot(server):
    assert server.service("mariadb").is_running or server.backend.hostname == "mol-srvm-backup"
    assert server.service("ssh").is_running


def test_sipp_answers_after_reboot(host):
    sipp = host.get_host("podman://mol-srvm-sipp")
    assert "SIPP" in sipp.check_output("curl -fsS http://localhost/sipp/")


def test_repository_is_signed_and_served(host):
    backup = host.get_host("podman://mol-srvm-backup")
    release = backup.check_output("curl -fsS http://localhost:8081/dists/bookworm-lab-security/InRelease")
    assert "BEGIN PGP SIGNED MESSAGE" in release
    assert "Origin: SOP Lab" in release
