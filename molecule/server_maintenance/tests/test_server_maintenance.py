"""What the approved maintenance run left on each host (the verifier runs every test on
both): real upgrades from the local repository, the held and out-of-scope packages
untouched, a real restart, the services back."""


def version(host, name):
    return host.check_output(f"dpkg-query -W -f '${{Version}}' {name}")


def test_security_updates_installed(host):
    assert version(host, "rsync").endswith("+lab1")
    assert version(host, "sop-lab-kernel") == "2"


def test_other_and_held_updates_untouched(host):
    assert not version(host, "zstd").endswith("+lab1")
    assert not version(host, "mariadb-common").endswith("+lab1")
    candidates = host.check_output("apt-cache policy mariadb-common zstd")
    assert candidates.count("+lab1") >= 2  # the newer versions are there, not installed


def test_rebooted_and_reboot_no_longer_required(host):
    assert not host.file("/run/reboot-required").exists
    # PID 1 started after the upgrade installed the new kernel stand-in.
    now, elapsed = map(int, host.check_output("date +%s; ps -o etimes= -p 1").split())
    installed = float(host.check_output("stat -c %Y /var/lib/dpkg/info/sop-lab-kernel.list"))
    assert now - elapsed > installed


def test_services_back_after_reboot(host):
    name = host.check_output("hostname")
    services = ["mariadb", "apache2"] if name == "mol-srvm-sipp" else ["nginx"]
    for service in services:
        assert host.service(service).is_running, service


def test_sipp_or_repository_answers(host):
    if host.check_output("hostname") == "mol-srvm-sipp":
        assert "SIPP" in host.check_output("curl -fsS http://localhost/sipp/")
    else:
        release = host.check_output(
            "curl -fsS http://localhost:8081/dists/bookworm-lab-security/InRelease")
        assert "BEGIN PGP SIGNED MESSAGE" in release
        assert "Origin: SOP Lab" in release
