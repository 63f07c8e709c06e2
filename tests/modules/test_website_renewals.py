"""website_renewals: which domain RDAP is asked for (the registered domain of a www. or
other name under it, none for an IP address) and what a warning says when there is
none, against a local RDAP stand-in that records what it was asked."""

from __future__ import annotations

import datetime
import json
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import httpd
import pytest
from loader import load, run_module

renewals = load("website_renewals")

EXPIRY = (datetime.datetime.now(datetime.UTC)
          + datetime.timedelta(days=10)).strftime("%Y-%m-%dT00:00:00Z")


class Rdap(BaseHTTPRequestHandler):
    """A registry knowing pn-x.go.id and pn-abc.go.id alone; every path asked is kept."""

    asked: ClassVar[list[str]] = []

    def do_GET(self):
        Rdap.asked.append(self.path)
        known = self.path in ("/rdap/domain/pn-x.go.id", "/rdap/domain/pn-abc.go.id")
        body = json.dumps({"events": [{"eventAction": "expiration", "eventDate": EXPIRY}]}
                          if known else {"errorCode": 404}).encode()
        self.send_response(200 if known else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def rdap():
    Rdap.asked.clear()
    with httpd.serving(Rdap) as base:
        yield base + "/rdap/"


def params(rdap: str, domain: str) -> dict:
    return {"rdap_url": rdap, "domain": domain, "urls": [], "ca_file": "", "timeout": 5,
            "warn_days": [30, 14, 7], "hosting_end_date": "", "hosting_provider": ""}


@pytest.mark.parametrize(("name", "registered"), [
    ("pn-bangil.go.id", "pn-bangil.go.id"),
    ("www.pn-bangil.go.id", "pn-bangil.go.id"),
    ("xyz.pn-abc.go.id", "pn-abc.go.id"),
    ("WWW.PN-Bangil.Go.Id.", "pn-bangil.go.id"),
    ("sipp.pa-batulicin.go.id", "pa-batulicin.go.id"),
    ("www.court.sch.id", "court.sch.id"),
    ("lpse.desa-x.desa.id", "desa-x.desa.id"),
    ("www.pengadilan.id", "pengadilan.id"),
    ("www.court.example", "court.example"),  # an ending not listed: the default rule
])
def test_a_name_is_looked_up_by_its_registered_domain(name, registered):
    assert renewals.registered_domain(name) == (registered, None)


@pytest.mark.parametrize(("name", "why"), [
    ("192.168.10.5", "alamat IP, bukan nama domain"),
    ("fe80::1", "alamat IP, bukan nama domain"),
    ("[2001:db8::5]", "alamat IP, bukan nama domain"),
    ("go.id", "bukan nama domain terdaftar"),
    ("id", "bukan nama domain terdaftar"),
    ("web01", "bukan nama domain terdaftar"),
    ("pn-x..go.id", "bukan nama domain terdaftar"),
])
def test_a_name_without_a_registered_domain_names_why(name, why):
    registered, error = renewals.registered_domain(name)
    assert registered is None
    assert error.startswith(why) and "setel court_domain" in error


def test_a_www_name_asks_rdap_for_its_registered_domain_and_names_it(rdap):
    """website_domain www.pn-x.go.id (or xyz.pn-abc.go.id) was asked as it is: the
    registry answered 404 and the weekly warning said only "status 404"."""
    now = datetime.datetime.now(datetime.UTC)
    (www,) = renewals.collect(params(rdap, "www.pn-x.go.id"), now)
    (sub,) = renewals.collect(params(rdap, "xyz.pn-abc.go.id"), now)
    assert Rdap.asked == ["/rdap/domain/pn-x.go.id", "/rdap/domain/pn-abc.go.id"]
    assert www["label"] == "Domain pn-x.go.id (domain terdaftar dari www.pn-x.go.id)"
    assert (www["expires"], www["level"], www["threshold"]) == (EXPIRY[:10], "warn", 14)
    assert sub["label"] == "Domain pn-abc.go.id (domain terdaftar dari xyz.pn-abc.go.id)"
    (same,) = renewals.collect(params(rdap, "PN-X.go.id"), now)
    assert same["label"] == "Domain pn-x.go.id"


def test_an_ip_address_is_no_domain_and_rdap_is_not_asked(rdap, tmp_path):
    """website_domain defaults to sop_lan_address without court_domain: an IP address
    was asked of the registry, and the warning said only "status 404"."""
    code, result = run_module("website_renewals", tmp_path, params(rdap, "192.168.10.5"))
    assert code == 0 and Rdap.asked == []
    assert result["warnings_id"] == [
        "Domain 192.168.10.5: tanggal berakhir tidak terbaca (alamat IP, bukan nama domain: "
        "setel court_domain (atau website_domain) ke domain pengadilan, mis. pn-contoh.go.id)"]


def test_a_registered_name_the_registry_does_not_know_is_not_registered(rdap):
    now = datetime.datetime.now(datetime.UTC)
    (entry,) = renewals.collect(params(rdap, "www.pn-lain.go.id"), now)
    assert Rdap.asked == ["/rdap/domain/pn-lain.go.id"]
    _problems, warnings = renewals.messages([entry])
    assert warnings == [
        "Domain pn-lain.go.id (domain terdaftar dari www.pn-lain.go.id): tanggal berakhir "
        f"tidak terbaca (domain tidak terdaftar menurut RDAP {rdap})"]


@pytest.mark.parametrize(("domain", "base"), [
    ("pn-bangil.go.id", "https://rdap.pandi.id/rdap/"),
    ("pengadilan.id", "https://rdap.pandi.id/rdap/"),
    ("pn-contoh.com", "https://rdap.verisign.com/com/v1/"),
    ("pn-contoh.NET", "https://rdap.verisign.com/net/v1/"),
    ("pn-contoh.org", "https://rdap.publicinterestregistry.org/rdap/"),
    ("pn-contoh.info", "https://rdap.identitydigital.services/rdap/"),
])
def test_auto_asks_the_registry_of_the_top_level_domain(domain, base):
    """rdap_url defaulted to PANDI's service: a court domain under .com was asked there,
    a 404 read as 'domain tidak terdaftar'."""
    assert renewals.rdap_service("auto", domain) == (base, None)
    assert renewals.rdap_service("https://rdap.example/", domain) == ("https://rdap.example/", None)


def test_auto_uses_the_bundled_table(rdap, monkeypatch):
    monkeypatch.setitem(renewals.RDAP_BOOTSTRAP, "id", rdap)
    now = datetime.datetime.now(datetime.UTC)
    (entry,) = renewals.collect(params("auto", "www.pn-x.go.id"), now)
    assert Rdap.asked == ["/rdap/domain/pn-x.go.id"]
    assert (entry["level"], entry["error"]) == ("warn", None)


def test_an_ending_the_table_lacks_names_the_variable_to_set(tmp_path):
    """Nothing is asked (no network here); one line, the variable named."""
    code, result = run_module("website_renewals", tmp_path, {
        "domain": "www.pn-contoh.co", "urls": [], "timezone": "Asia/Jakarta"})
    assert code == 0 and result["problems"] == []
    assert result["warnings_id"] == [
        "Domain pn-contoh.co (domain terdaftar dari www.pn-contoh.co): tanggal berakhir tidak "
        "terbaca (layanan RDAP untuk domain .co tidak ada di tabel bawaan: setel "
        "website_rdap_url ke alamat RDAP registri domain ini (lihat "
        "https://data.iana.org/rdap/dns.json))"]
    assert result["renewals"][0]["level"] == "unknown"
