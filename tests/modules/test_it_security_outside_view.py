"""roles/it_security's outside view (D.1), its real tasks run with a fake nmap that
answers as nmap 7.9x does: an IPv6 address is scanned only with -6 (without it nmap
warns that it looks like an IPv6 target, scans no host and exits 0), and a name that
does not resolve is no host scanned either."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import yaml
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
TASKS = ROOT / "roles/it_security/tasks/kegiatan_10.yml"
# The outside view's tasks; the SSH hardening and the record are not run here.
USED = ("Scan the public addresses", "Compare what is reachable",
        "SSH hardened, firewall active")
NMAP = r"""#!/bin/sh
target=""; six=0
for arg in "$@"; do target="$arg"; [ "$arg" = -6 ] && six=1; done
echo "$@" >> "$NMAP_LOG"
case "$target" in
  *:*) [ $six = 1 ] || { scanned=0
        echo "$target looks like an IPv6 target specification -- use the -6 option." >&2; } ;;
  *.invalid) echo "Failed to resolve \"$target\"." >&2; scanned=0 ;;
esac
echo '<?xml version="1.0"?><nmaprun>'
if [ "${scanned:-1}" = 1 ]; then
  echo '<host><ports><port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/>'
  echo '</port></ports></host>'
  echo '<runstats><hosts up="1" down="0" total="1"/></runstats></nmaprun>'
else
  echo '<runstats><hosts up="0" down="0" total="0"/></runstats></nmaprun>'
fi
"""


def outside_view(tmp_path: pathlib.Path, public: dict[str, list[int]],
                 notes: list[dict[str, str]] | None = None) -> tuple[str, str]:
    """(the outcome the activity's assert gives, the fake nmap's argument lines);
    ``notes``: security_hardening's notes (fail2ban is null)."""
    tasks = [t for t in yaml.safe_load(TASKS.read_text(encoding="utf-8"))
             if t["name"].startswith(USED)]
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks, "vars": {
        "it_security_outside_group": "all", "it_security_public_addresses": public,
        "it_security_nmap_ports": "1-1024", "it_security_fail_on_findings": True,
        "it_security_hardening": {"findings": [], "sshd": {}, "firewall": None,
                                  "fail2ban": None, "notes": notes or []}}}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nmap").write_text(NMAP, encoding="utf-8")
    (bin_dir / "nmap").chmod(0o755)
    log = tmp_path / "nmap.log"
    log.touch()
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), NMAP_LOG=str(log),
               PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120)
    result = json.loads(proc.stdout)["plays"][0]["tasks"][-1]["hosts"]["localhost"]
    return str(result["msg"]), log.read_text(encoding="utf-8")


def test_an_ipv6_address_is_scanned_with_minus_6(tmp_path):
    """Without -6 nmap scanned nothing: an address that should expose no port passed."""
    outcome, calls = outside_view(tmp_path, {"2001:db8::10": []})
    assert outcome == "Terbuka dari luar tanpa izin di 2001:db8::10: port 22"
    assert calls.split()[0] == "-6"


def test_an_ipv4_address_is_scanned_without_it(tmp_path):
    outcome, calls = outside_view(tmp_path, {"203.0.113.10": [22]})
    assert outcome.startswith("SSH: passwordauthentication ?") and "-6" not in calls.split()


def test_fail2ban_unread_is_not_named_as_not_running(tmp_path):
    """fail2ban is null also when fail2ban-client did not answer: its note names why."""
    unread = "fail2ban-client tidak menjawab dalam 60 detik: larangan fail2ban tidak terbaca"
    outcome, _calls = outside_view(tmp_path, {"203.0.113.10": [22]},
                                   [{"kind": "fail2ban_unread", "message": unread}])
    assert outcome.endswith("; " + unread) and "tidak berjalan" not in outcome
    (tmp_path / "none").mkdir()
    outcome, _calls = outside_view(tmp_path / "none", {"203.0.113.10": [22]})
    assert outcome.endswith("; fail2ban tidak berjalan")


def test_an_address_nmap_scanned_no_host_of_is_named(tmp_path):
    """No host scanned is no view from outside: not 'every port unreachable', nor, for an
    address that should expose nothing, a pass."""
    outcome, _calls = outside_view(tmp_path, {"gw.invalid": [], "web.invalid": [443]})
    assert outcome == ('nmap tidak memindai gw.invalid (Failed to resolve "gw.invalid".): '
                       'tampilan dari luar tidak diketahui; nmap tidak memindai web.invalid '
                       '(Failed to resolve "web.invalid".): tampilan dari luar tidak diketahui')


def test_a_port_quoted_in_yaml_is_the_port_nmap_reports(tmp_path):
    """"22" was no 22: the port open as it should be was reported both unexpected and
    unreachable."""
    outcome, _calls = outside_view(tmp_path, {"203.0.113.10": ["22"]})
    assert outcome.startswith("SSH: passwordauthentication ?"), outcome
