"""The website role's activity 3 judgment of the site's integrity (roles/website/tasks/
pengunjung.yml) and its situation report for the Sekretaris (laporan.yml), run by Ansible
on localhost with website_integrity's findings given. The lab's site with nginx stopped
was reported as "temuan keamanan 1: page_unreachable: https://web/", an English code
read as an attack, and failed activity 3 too, though the site down is activity 1's
failure: a page that gave no answer is a check not done, and each security finding is
named in Bahasa with where it is."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml
from loader import LOCAL_PLAYBOOK, ROOT, load

TASKS = ROOT / "roles/website/tasks"
DOWN = {"kind": "page_unreachable", "url": "https://web/", "reason": "no_answer",
        "error": "Connection refused", "name": "page_unreachable: https://web/",
        "detail": "halaman tidak dapat diambil: Connection refused"}
LOOP = {"kind": "page_unreachable", "url": "https://web/berita", "reason": "redirects",
        "error": "lebih dari 10 pengalihan di dalam situs, atau pengalihan berputar: "
                 "halaman tidak terbaca",
        "name": "page_unreachable: https://web/berita",
        "detail": "halaman tidak dapat diambil: lebih dari 10 pengalihan di dalam situs, "
                  "atau pengalihan berputar: halaman tidak terbaca"}


def integrity(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """website_integrity's registered result with ``findings`` (two pages checked)."""
    return {"integrity": {"baseline": "compared", "files": 1204, "findings": findings,
                          "pages": {"https://web/": {}, "https://web/berita": {}},
                          "spam_accepted": [], "spam_stale": None}}


def play(tmp_path: Path, variables: dict[str, Any],
         tasks: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """``tasks`` run on localhost with the role's defaults, its vars and ``variables``: the
    playbook's exit code and each task's result."""
    court = {"website_domain": "pn-x.go.id", **variables}
    (tmp_path / "court.yml").write_text(yaml.safe_dump(court), encoding="utf-8")
    (tmp_path / "play.yml").write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False,
        "vars_files": [str(ROOT / "roles/website/defaults/main.yml"),
                       str(ROOT / "roles/website/vars/main.yml"),
                       str(tmp_path / "court.yml")],
        "tasks": tasks}]), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    proc = subprocess.run([*LOCAL_PLAYBOOK, str(tmp_path / "play.yml")], capture_output=True,
                          text=True, check=False, env=env, timeout=120, cwd=ROOT)
    tasks_run = json.loads(proc.stdout)["plays"][0]["tasks"]
    return proc.returncode, [task["hosts"]["localhost"] for task in tasks_run]


def role_tasks(tasks_file: str) -> list[dict[str, Any]]:
    return yaml.safe_load((TASKS / tasks_file).read_text(encoding="utf-8"))


def report(tmp_path: Path, findings: list[dict[str, Any]], **variables: Any) -> dict[str, Any]:
    """The situation report's output (activity 5) after activity 3 found ``findings``
    (and, in ``variables``, what else it registered)."""
    [record] = [t for t in role_tasks("laporan.yml")
                if t["name"].startswith("Record the situation report")]
    rc, [result] = play(tmp_path, {"website__integrity": integrity(findings), **variables},
                        [record])
    assert rc == 0, result
    return dict(result["sop_output"])


def probe(category: str, crs: str, title: str, count: int, successful: int,
          client: str) -> dict[str, Any]:
    """A finding of website_log_audit, of one client."""
    return {"category": category, "crs": crs, "title": title,
            "name": f"{title} ({category})", "count": count,
            "successful": successful, "first_seen": "2026-11-30T09:00:00+07:00",
            "last_seen": "2026-11-30T09:05:00+07:00",
            "clients": [{"client": client, "count": count}], "samples": []}


PROBES = [probe("sqli", "CRS 942 SQLi", "injeksi SQL", 3, 1, "203.0.113.9"),
          probe("webshell", "CRS 955 web shell", "probe webshell", 1, 1, "198.51.100.7")]


def log_audit(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """website_log_audit's registered result with ``findings``."""
    return {"audit": {"requests": 120, "unique_visitors": 40, "crawler_requests": 9,
                      "findings": findings, "resumed": {}, "behind_proxy": None}}


def judged(tmp_path: Path, findings: list[dict[str, Any]] | None = None,
           **variables: Any) -> tuple[int, list[dict[str, Any]]]:
    """Activity 3's judgment of ``findings`` (its log audit found nothing): the exit code
    and the results of its warning about pages not checked and of its assert. Without
    ``findings``, the role's website_integrity task runs first, with ``variables``."""
    tasks = role_tasks("pengunjung.yml")
    check = [t for t in tasks if "website_integrity" in t] if findings is None else []
    judge = [t for t in tasks if t.get("name") == "Judge the site's integrity"]
    given = {} if findings is None else {"website__integrity": integrity(findings)}
    rc, results = play(tmp_path, {**given, "website__log": log_audit([]), **variables,
                                  "website__site": {"cms": "static"}}, check + judge)
    return rc, results[len(check):]


def test_a_page_with_no_answer_is_a_check_not_done_not_a_security_finding(tmp_path):
    recorded = report(tmp_path, [DOWN])
    assert ("temuan keamanan tidak ada; pemeriksaan tidak lengkap: halaman https://web/ "
            "tidak dapat diperiksa: Connection refused; masa berlaku") in recorded["laporan"]
    assert "page_unreachable" not in recorded["laporan"]
    # the machine-readable field is the module's findings, as before
    assert recorded["temuan"] == ["page_unreachable: https://web/"]


def test_each_security_finding_is_named_in_bahasa_with_where_it_is(tmp_path):
    """The report joined the findings' codes (webshell: ..., cloaking: ...); a page not
    checked is said after them, under its own heading, and not counted."""
    findings = [
        DOWN, LOOP,
        {"kind": "webshell", "path": "/var/www/html/wp-content/uploads/x\n.php",
         "area": "uploads", "name": "webshell: /var/www/html/wp-content/uploads/x\\x0a.php",
         "detail": "penanda webshell/kode sisipan: eval_base64", "markers": ["eval_base64"]},
        {"kind": "new_file", "path": "/var/www/html/a.php", "area": "core",
         "name": "new_file: /var/www/html/a.php", "detail": "file baru sejak baseline"},
        {"kind": "baseline_roots", "path": None, "area": "baseline",
         "name": "baseline_roots: folder atau file yang diperiksa berbeda dari baseline",
         "detail": "baseline: /var/www/html; sekarang: /srv/www"},
        {"kind": "cloaking", "url": "https://web/", "variant": "search_referer",
         "name": "cloaking: https://web/ (search_referer)", "detail": "status 200 -> 302"},
        {"kind": "page_offsite", "url": "https://web/berita", "hosts": ["judi.example"],
         "by": ["http"], "name": "page_offsite: https://web/berita -> judi.example",
         "detail": "semua varian halaman dialihkan ke situs lain: judi.example"},
        {"kind": "post_spam", "post_id": 812, "title": "Promo",
         "name": "post_spam: post 812 (Promo)", "detail": "kata kunci judi: slot gacor"},
        {"kind": "option_spam", "option": "blogdescription",
         "name": "option_spam: blogdescription", "detail": "kata kunci judi: togel"},
    ]
    recorded = report(tmp_path, findings)
    assert (
        "temuan keamanan 8: "
        "halaman tidak terbaca, pengalihan di dalam situs berputar atau terlalu panjang: "
        "https://web/berita; "
        "kode webshell atau sisipan di file: /var/www/html/wp-content/uploads/x\\x0a.php; "
        "file baru sejak baseline: /var/www/html/a.php; "
        "folder yang diperiksa berbeda dari baseline; "
        "halaman disajikan berbeda (cloaking): https://web/ bagi pengunjung dari mesin pencari; "
        "halaman dialihkan ke situs lain: https://web/berita (ke judi.example); "
        "kata judi atau teks tersembunyi di pos: 812 (Promo); "
        "kata judi atau tautan tersembunyi di pengaturan situs: blogdescription; "
        "pemeriksaan tidak lengkap: halaman https://web/ tidak dapat diperiksa: "
        "Connection refused; masa berlaku") in recorded["laporan"]
    assert recorded["temuan"] == [f["name"] for f in findings]


def test_every_finding_kind_website_integrity_documents_has_a_bahasa_label():
    """A kind without a label would be shown by its module detail, meant for the
    administrator: each kind RETURN names has the report's label."""
    doc = yaml.safe_load(load("website_integrity").RETURN)
    kinds = doc["integrity"]["contains"]["findings"]["contains"]["kind"]["description"]
    while re.search(r"\([^()]*\)", kinds):  # the explanations in (nested) brackets
        kinds = re.sub(r"\s*\([^()]*\)", "", kinds)
    [record] = [t for t in role_tasks("laporan.yml")
                if t["name"].startswith("Record the situation report")]
    assert set(record["vars"]["website__finding_kinds"]) == set(kinds.rstrip(".").split(", "))


def test_activity_3_warns_about_a_page_it_could_not_check_and_passes(tmp_path):
    """The site down (nothing listening: the role's website_integrity run) failed activity
    3 too ("page_unreachable: https://web/"), as if the injection watch had found
    something: activity 1 fails for it; here the page not checked is a warning, recorded,
    and the activity passes saying so."""
    (tmp_path / "www").mkdir()
    rc, [warned, passed] = judged(tmp_path, website_integrity_paths=[str(tmp_path / "www")],
                                  website_integrity_state_dir=str(tmp_path / "state"),
                                  website_integrity_urls=["http://127.0.0.1:9/"])
    assert rc == 0, passed
    assert warned["warnings"] == [
        "halaman http://127.0.0.1:9/ tidak dapat diperiksa: Connection refused"]
    assert "1 halaman (1 tidak dapat diperiksa), tidak ada temuan." in passed["msg"]


def test_activity_3_still_fails_on_redirects_within_the_site_that_never_end(tmp_path):
    """Redirects that loop or run past the limit are the site's own doing, which may hide
    a hijack's last hop: a finding, failing the activity, beside a page not checked."""
    rc, [warned, failed] = judged(tmp_path, [DOWN, LOOP])
    assert rc != 0
    assert warned["warnings"] == ["halaman https://web/ tidak dapat diperiksa: Connection refused"]
    assert failed["msg"] == "page_unreachable: https://web/berita"


def test_the_log_s_probes_are_named_by_title_with_their_code(tmp_path):
    """The report named the probes by their codes alone (sqli, webshell), which the head
    of the IT unit does not read; the code stays, as website_log_alert_categories is
    written with it."""
    recorded = report(tmp_path, [], website__log=log_audit(PROBES))
    assert ("temuan keamanan tidak ada; probe serangan di log: injeksi SQL (sqli), "
            "probe webshell (webshell); masa berlaku") in recorded["laporan"]
    (tmp_path / "none").mkdir()
    recorded = report(tmp_path / "none", [], website__log=log_audit([]))
    assert ("temuan keamanan tidak ada; probe serangan di log: tidak ada; masa berlaku"
            in recorded["laporan"])


def test_activity_3_names_each_probe_and_an_alert_probe_answered_by_title_and_code(tmp_path):
    """Each probe is warned about by its title, code and CRS reference; one of
    website_log_alert_categories answered 2xx fails the activity by its title and code."""
    warn = next(t for t in role_tasks("pengunjung.yml")
                if t["name"].startswith("Warn about the attack probes"))
    rc, [warned] = play(tmp_path, {"website__log": log_audit(PROBES)}, [warn])
    assert rc == 0, warned
    assert warned["warnings"] == [
        "injeksi SQL (sqli, CRS 942 SQLi): 3 permintaan 2026-11-30T09:00:00+07:00 s.d. "
        "2026-11-30T09:05:00+07:00, terbanyak dari 203.0.113.9",
        "probe webshell (webshell, CRS 955 web shell): 1 permintaan "
        "2026-11-30T09:00:00+07:00 s.d. 2026-11-30T09:05:00+07:00, terbanyak dari "
        "198.51.100.7"]
    (tmp_path / "judged").mkdir()
    rc, [_, failed] = judged(tmp_path / "judged", [], website__log=log_audit(PROBES),
                             website_log_alert_categories=["webshell", "sqli"])
    assert rc != 0
    assert failed["msg"] == ("log: probe serangan dijawab 2xx (file tertanam berjalan?): "
                             "injeksi SQL (sqli), probe webshell (webshell)")
    (tmp_path / "passed").mkdir()
    rc, [_, passed] = judged(tmp_path / "passed", [], website__log=log_audit(PROBES),
                             website_log_alert_categories=["rfi"])
    assert rc == 0, passed
    assert "2 jenis probe serangan." in passed["msg"]
