"""lab_sipp's data generator and sipp-sync, lab_web's access log generator and receiver,
lab_sippma's service: deterministic, realistic, and honest about failures."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import httpd
import pytest
from lab_scripts import load

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-21T19:30:00"


gen = load("sipp_datagen", ROOT / "lab/roles/lab_sipp/files/sipp_datagen.py")
loggen = load("nginx_loggen", ROOT / "lab/roles/lab_web/files/nginx_loggen.py")
sippma = load("sippma", ROOT / "lab/roles/lab_sippma/files/sippma.py")
receiver = load("receiver", ROOT / "lab/roles/lab_web/files/sipp-publik-receiver.py")


def generate(*args: str) -> str:
    out = io.StringIO()
    assert gen.main(["--now", NOW, *args], out) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def small() -> str:
    return generate("--cases", "120", "--audit-rows", "400", "--seed", "7",
                    "--court-code", "PN Lbk")


def test_same_seed_same_data_other_seed_other_data(small):
    again = generate("--cases", "120", "--audit-rows", "400", "--seed", "7",
                     "--court-code", "PN Lbk")
    assert again == small
    assert generate("--cases", "120", "--audit-rows", "400", "--seed", "8",
                    "--court-code", "PN Lbk") != small


def test_schema_has_the_real_sipp_tables(small):
    tables = set(re.findall(r"CREATE TABLE (\w+)", small))
    assert tables == {"perkara", "perkara_jadwal_sidang", "perkara_putusan", "perkara_pihak1",
                      "perkara_pihak2", "pihak", "perkara_penetapan", "sys_users", "sys_groups",
                      "sys_user_group", "sys_user_online", "sys_audittrail", "sys_config"}
    assert small.count("ENGINE=InnoDB") == 12  # perkara_pihak2 is LIKE perkara_pihak1
    assert "KEY idx_datetime (datetime)" in small


def test_schema_has_a_view_trigger_function_and_event(small):
    objects = re.findall(r"CREATE OR REPLACE (?:SQL SECURITY INVOKER )?"
                         r"(VIEW|TRIGGER|FUNCTION|EVENT) (\w+)", small)
    names = sorted(f"{kind} {name}" for kind, name in objects)
    assert names == sorted(gen.OBJECT_NAMES)
    assert len(names) == 4
    assert "DISABLE" in small.split("CREATE OR REPLACE EVENT")[1].split(";")[0]
    # created before the marker: a stream cut short leaves no marker, so the role retries
    assert small.index("VIEW v_perkara AS") < small.index("'lab','datagen'")
    assert generate("--objects") in small
    assert generate("--print-objects").splitlines() == list(gen.OBJECT_NAMES)


def test_case_numbers_and_text_look_indonesian(small):
    numbers = re.findall(r"'(\d+/(?:Pid\.B|Pid\.Sus|Pdt\.G|Pdt\.P|Pid\.C|Pid\.Sus-Anak|Pdt\.G\.S)"
                         r"/\d{4}/PN Lbk)'", small)
    assert len(numbers) == 120
    assert len(set(numbers)) == 120
    assert re.search(r"Jl\. [A-Z][a-z]+.* No\. \d+, RT \d{3}/RW \d{3}, Kel\. ", small)
    assert re.search(r" bin(ti)? [A-Z]", small)
    assert "Bahwa terdakwa" in small


def test_apostrophes_are_escaped():
    assert gen.esc("Ma'ruf") == "'Ma\\'ruf'"
    text = generate("--cases", "300", "--seed", "3")
    assert "Ma\\'ruf" in text
    assert "Ma'ruf" not in text.replace("Ma\\'ruf", "")


def test_audit_trail_has_what_the_maintenance_sop_looks_for(small):
    audit = small[small.index("INSERT INTO sys_audittrail"):]
    assert audit.count("'login_failed'") >= 15
    assert "'10.10.20.77','admin'" in audit
    assert re.search(r"'2026-11-21 05:40:00','10\.10\.3\.201','[a-z.]+',"
                     r"'sys_users','frmLogin','login'", audit)
    assert "'delete','Menghapus data perkara_putusan'" in audit
    stamps = re.findall(r"^\('(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)'", audit, re.M)
    assert stamps == sorted(stamps)
    assert max(stamps) <= "2026-11-21 19:30:00"
    assert min(stamps) >= "2026-11-07 19:30:00"


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-11-21T22:30:00", "2026-11-21 22:14:00"),
    ("2026-11-21T22:20:00", "2026-11-21 05:40:00"),
    ("2026-11-21T05:56:00", "2026-11-21 05:40:00"),
    ("2026-11-21T05:50:00", "2026-11-20 22:14:00"),
    ("2026-11-21T00:01:00", "2026-11-20 22:14:00"),
])
def test_planted_night_login_is_recent_and_outside_office_hours(now, expected):
    out = io.StringIO()
    gen.main(["--now", now, "--cases", "5", "--audit-rows", "10"], out)
    assert f"('{expected}','10.10.3.201'" in out.getvalue()


def test_online_sessions_active_and_idle(small):
    block = small[small.index("INSERT INTO sys_user_online"):].split(";\n")[0]
    last_visits = re.findall(r"'[0-9a-f]{40}',\d+,'[\d.]+','[^']+','([^']+)'", block)
    ages = [(dt.datetime.fromisoformat(NOW) - dt.datetime.fromisoformat(v)).total_seconds()
            for v in last_visits]
    assert sum(a <= 300 for a in ages) == 5
    assert sum(a >= 3600 for a in ages) == 3


def test_marker_records_the_size(small):
    assert "'lab','datagen','v=2;cases=120;audit_rows=400;users=25;seed=7'" in small
    out = io.StringIO()
    gen.main(["--cases", "120", "--audit-rows", "400", "--seed", "7", "--print-marker"], out)
    assert out.getvalue() == "v=2;cases=120;audit_rows=400;users=25;seed=7\n"


def test_size_per_case_is_about_five_kilobytes():
    text = generate("--cases", "1000", "--audit-rows", "1")
    per_case = len(text.encode()) / 1000
    assert 4000 < per_case < 7000


def test_text_compresses_like_real_sipp_data():
    """A realistic SIPP dump compresses 3.6x with gzip -6; text from a few templates and
    short word lists (the first generator: 7.9x on this sample) compresses far more."""
    data = generate("--cases", "400", "--audit-rows", "2000", "--seed", "5").encode()
    ratio = len(data) / len(zlib.compress(data, 6))
    assert 3.0 < ratio < 5.0


def test_text_has_a_large_vocabulary(small):
    pihak = small[small.index("INSERT INTO pihak "):].split(";\nCOMMIT;")[0]
    given = {name.split()[0] for name in re.findall(r"^\(\d+,1,'([^']+)'", pihak, re.M)}
    assert len(given) > 100
    perkara = small[small.index("INSERT INTO perkara "):].split(";\nCOMMIT;")[0]
    words = re.findall(r"[a-z]{3,}", perkara)
    assert len(set(words)) > 2000
    # phone numbers, NIKs (16 digits, birth date inside) and addresses of many shapes
    assert re.search(r"'(\+62|08)\d{2}", pihak)
    assert re.search(r"'\d{16}'", pihak)
    assert re.search(r"Gg\. |Perum |Dusun ", pihak)


def test_bad_arguments_exit_cleanly(capsys):
    with pytest.raises(SystemExit) as exc:
        gen.main(["--cases", "0"])
    assert exc.value.code == 2
    assert "--cases must be >= 1" in capsys.readouterr().err


def test_access_logs_logrotate_layout_and_attacks(tmp_path):
    assert loggen.main(["--dir", str(tmp_path), "--days", "3", "--visits", "50",
                        "--now", NOW]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["access.log", "access.log.1", "access.log.2.gz", "access.log.3.gz"]
    with gzip.open(tmp_path / "access.log.2.gz", "rt") as handle:
        old = handle.read()
    combined = re.compile(r'^\S+ - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "(GET|POST) \S+ '
                          r'HTTP/1\.1" \d{3} \d+ "[^"]*" "[^"]*"$')
    assert old and all(combined.match(line) for line in old.splitlines())
    assert "POST /wp-login.php" in old
    assert "/.env" in old and ("UNION" in old or "etc/passwd" in old or "%27" in old)
    today = (tmp_path / "access.log").read_text().splitlines()
    assert today and all("21/Nov/2026" in line for line in today)
    assert all(line.split("[")[1][12:20] <= "19:30:00" for line in today)


@pytest.fixture
def server():
    servers = []

    def start(handler):
        servers.append(httpd.start(handler))
        return httpd.url(servers[-1])

    yield start
    for srv in servers:
        srv.shutdown()


def request(url, data=None, headers=None):
    body = json.dumps(data).encode() if data is not None else None
    method = "POST" if data is not None else "GET"
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_sippma_records_and_reports_syncs(server, tmp_path, monkeypatch):
    monkeypatch.setattr(sippma, "STATE", str(tmp_path / "status.json"))
    base = server(sippma.Handler)
    assert request(base + "/health") == (200, {"status": "ok"})
    assert request(base + "/api/status/400999")[0] == 404
    for _ in range(2):
        assert request(base + "/api/sync", {"kode_satker": "400999", "cases": 12})[0] == 200
    code, status = request(base + "/api/status/400999")
    assert code == 200
    assert (status["cases"], status["syncs"]) == (12, 2)
    assert dt.datetime.fromisoformat(status["last_sync"]).tzinfo is not None
    assert request(base + "/api/sync", {"cases": 1})[0] == 400


def test_public_receiver_needs_the_token_and_rewrites_the_page(server, tmp_path):
    receiver.CONFIG.update(token="t0ken", root=str(tmp_path), court_name="PN Uji")
    base = server(receiver.Handler) + "/sipp-publik/api/update"
    payload = {"pembaharuan_data": "2026-11-21 19:30:00 WIB", "cases": 7}
    assert request(base, payload, {"X-Sync-Token": "wrong"})[0] == 403
    assert request(base, payload, {"X-Sync-Token": "t0ken"})[0] == 200
    page = (tmp_path / "index.html").read_text()
    assert 'Pembaharuan Data: <span id="pembaharuan-data">2026-11-21 19:30:00 WIB</span>' in page
    assert "<td>7</td>" in page


def test_sipp_sync_dry_run_and_failure_exit(tmp_path):
    sync = load("sipp_sync_cmd", ROOT / "lab/roles/lab_sipp/files/sipp-sync")
    with pytest.raises(RuntimeError, match=r"refused|Errno|unreachable|timed"):
        sync.push("http://127.0.0.1:9/api/sync", {"a": 1}, 2)
