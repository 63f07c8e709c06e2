"""roles/website's rescues of activities 1, 3 and 4, run by Ansible with the role's own
task of the module: a setting website_check, website_log_audit or website_renewals refuses
is recorded naming the role's variable a court sets (website_log_proxy_share_percent,
website_http_timeout), not the module's option (proxy_share_percent, timeout), which no
court's inventory has."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest
import yaml
from loader import LOCAL_PLAYBOOK

ROOT = pathlib.Path(__file__).parents[2]
ROLE = ROOT / "roles/website"


def outcome(tmp_path: pathlib.Path, settings: dict[str, object], activity: int = 3,
            module: str = "website_log_audit") -> str:
    """The role's final message when ``activity`` runs only its task of ``module`` with
    ``settings``."""
    main = yaml.safe_load((ROLE / "tasks/main.yml").read_text(encoding="utf-8"))
    block = next(t for t in main if t["name"].startswith(f"Kegiatan {activity}:"))
    final = next(t for t in main if t["name"] == "Failed activities")
    tasks = yaml.safe_load((ROLE / "tasks" / block["block"][0]["ansible.builtin.import_tasks"])
                           .read_text(encoding="utf-8"))
    task = next(t for t in tasks if module in t)
    log = tmp_path / "access.log"
    log.write_text("", encoding="utf-8")
    court = tmp_path / "court.yml"  # after the defaults, as a court's inventory sets them
    court.write_text(yaml.safe_dump({"website_log_paths": [str(log)],
                                     "website_log_state_dir": str(tmp_path / "state"),
                                     "court_kode_satker": "000000",
                                     **settings}), encoding="utf-8")
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars_files": [str(ROLE / "defaults/main.yml"), str(court),
                            str(ROLE / "vars/main.yml")],
             "tasks": [dict(block, block=[task]), final]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    results = json.loads(proc.stdout)["plays"][0]["tasks"]
    return str(results[-1]["hosts"]["localhost"]["msg"])


@pytest.mark.parametrize(("settings", "expected"), [
    ({"website_log_proxy_share_percent": 150},
     "pengaturan salah: website_log_proxy_share_percent must be from 1 to 100"),
    ({"website_log_proxy_min_requests": 0},
     "pengaturan salah: website_log_proxy_min_requests must be at least 1"),
    ({"website_log_trusted_proxies": ["proxy.lan"]},
     "pengaturan salah: website_log_trusted_proxies: 'proxy.lan' is no IP address"),
    ({"website_log_bruteforce_threshold": 0},
     "pengaturan salah: website_log_bruteforce_threshold must be at least 1"),
])
def test_a_refused_log_audit_setting_names_the_roles_variable(tmp_path, settings, expected):
    assert outcome(tmp_path, settings).startswith("Kegiatan 3: " + expected)


@pytest.mark.parametrize(("module", "settings", "expected"), [
    # the lab's `sop run website -e website_http_timeout=0`: website_integrity took it and
    # recorded "page_unreachable: https://web/", the site blamed for a setting
    ("website_integrity", {"website_http_timeout": 0, "website_integrity_urls": ["https://web/"]},
     "pengaturan salah: website_http_timeout: must be a positive number of seconds, not 0"),
    # the activity's other timeout, website_log_audit's own
    ("website_log_audit", {"website_log_timeout": 0},
     "pengaturan salah: website_log_timeout: must be a positive number of seconds, not 0"),
])
def test_each_timeout_of_activity_3_names_the_variable_that_sets_it(
        tmp_path, module, settings, expected):
    settings = {"website_integrity_paths": [str(tmp_path)],
                "website_integrity_state_dir": str(tmp_path / "integrity"), **settings}
    assert outcome(tmp_path, settings, 3, module) == f"Kegiatan 3: {expected}"


@pytest.mark.parametrize(("activity", "module", "settings", "expected"), [
    (1, "website_check", {"website_http_timeout": 0},
     "pengaturan salah: website_http_timeout: must be a positive number of seconds"),
    (1, "website_check", {"website_max_response_seconds": -1},
     "pengaturan salah: website_max_response_seconds: must be a positive number"),
    (1, "website_check", {"website_urls": []},
     "pengaturan salah: website_urls is empty"),
    (1, "website_check", {"website_feed_url": "pn-contoh.go.id/feed"},
     "pengaturan salah: website_feed_url: 'pn-contoh.go.id/feed' is not an http(s) URL"),
    (1, "website_check", {"website_freshness_days": -7},
     "pengaturan salah: website_freshness_days: must be 0 or more days"),
    (4, "website_renewals", {"website_renewal_warn_days": [30, -7]},
     "pengaturan salah: website_renewal_warn_days: days before an expiry are 0 or more"),
    (4, "website_renewals", {"website_hosting_end_date": "31-01-2027"},
     "pengaturan salah: website_hosting_end_date '31-01-2027' is not a date (YYYY-MM-DD)"),
    (4, "website_renewals", {"website_timezone": "Asia/Jakrta"},
     "pengaturan salah: website_timezone: unknown time zone 'Asia/Jakrta'"),
    (4, "website_renewals", {"website_http_timeout": 0},
     "pengaturan salah: website_http_timeout: must be a positive number of seconds"),
    (4, "website_renewals", {"website_rdap_url": "rdap.pandi.id"},
     "pengaturan salah: website_rdap_url: 'rdap.pandi.id' is not an http(s) URL"),
])
def test_a_refused_check_or_renewals_setting_names_the_roles_variable(
        tmp_path, activity, module, settings, expected):
    """Activities 1 and 4 showed the module's option (timeout, warn_days), which no
    court's inventory has."""
    assert outcome(tmp_path, settings, activity, module).startswith(
        f"Kegiatan {activity}: {expected}")
