#!/usr/bin/python
# GPL-3.0-or-later
"""The TLS protocol versions and weak cipher suites a website accepts."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: security_tls
short_description: Report the old TLS versions and weak cipher suites a website accepts
description:
  - For each site, attempts real TLS handshakes with Python's C(ssl) (the host's OpenSSL,
    at security level 0 so that it may offer what is weak), one restricted to each
    protocol version (TLS 1.0 to 1.3), then, with TLS 1.2 at most, one restricted to each
    class of weak cipher suites of O(weak_ciphers). An old protocol or a weak class the
    server accepts is a finding naming the site and the suite it chose.
  - A protocol or class the host's own OpenSSL cannot offer (for example RC4 or export
    suites, which OpenSSL 3 leaves out, or TLS 1.0 where its build has none) is reported
    as C(untested), never as refused; C(nmap --script
    ssl-enum-ciphers) covers those where it matters.
  - A handshake the server leaves unanswered for O(timeout) seconds after taking the TCP
    connection (a hung TLS service, a middlebox dropping the offer) is no refusal; it is
    listed in C(timed_out) and is a C(tls_timeout) finding naming the protocols and
    classes concerned; the other handshakes are still tried, so a site that answers none
    takes up to four plus one per weak class times O(timeout).
  - A site no TCP connection reaches is a C(tls_unreachable) finding; when it stops
    taking connections part of the way through, what the handshakes before showed (an
    old protocol, a weak class accepted) is still reported.
  - "A site that refuses the handshake of every protocol version tried (closes or resets
    the connection: no TLS service on the port, or none for the name sent) is a
    C(tls_no_handshake) finding: nothing of it could be judged. A site written as an IP
    address is sent no server name (RFC 6066 allows no address as SNI, and Python's
    C(ssl) sends none): a server that serves named sites only refuses it, and the finding
    says so, naming the remedy (the site's name, with O(connect) its address)."
  - The certificate is not verified here, neither its chain nor its names (the website
    SOP checks it), so no name or address is ever reported as a mismatch; only what the
    server negotiates is judged.
  - Reports only; never changes anything.
version_added: "1.0.0"
author: Court IT SOP maintainers
options:
  sites:
    description:
      - Sites as C(NAME) or C(NAME:PORT) (port 443 by default); NAME is sent as the server name (SNI), an IP address as none.
      - An IPv6 address is written C([2001:db8::1]:8443), or without a port C([2001:db8::1]) or C(2001:db8::1).
    type: list
    elements: str
    required: true
  connect:
    description:
      - Address to connect to instead of resolving each NAME (C(127.0.0.1) on the web server itself; an IPv6 address with or without brackets).
      - An address or host name without a port (each site's is in O(sites)), else the module fails with C(setting) C(connect).
    type: str
    default: ""
  old_protocols:
    description: Protocol versions that are a finding when accepted.
    type: list
    elements: str
    choices: [TLSv1, TLSv1.1, TLSv1.2]
    default: [TLSv1, TLSv1.1]
  weak_ciphers:
    description:
      - Weak cipher classes, a label and the OpenSSL cipher string that selects them.
      - A word that is no OpenSSL cipher keyword (of any version, C(EXP) too) nor a suite the
        host's OpenSSL knows fails the module naming it (a typo, which OpenSSL would ignore); a
        suite name it does not know (with C(-) or C(_); one its version lacks, or a typo) is a
        warning naming it.
    type: dict
    default: {"NULL": eNULL, anonim: aNULL, EXPORT: EXP, RC4: RC4, DES/3DES: "DES:3DES", "RSA statis": kRSA}
  timeout:
    description: Seconds for each connection and handshake (more than 0 and at most 86400,
      one day, else the module fails with C(setting) C(timeout)).
    type: float
    default: 5
attributes:
  check_mode:
    support: full
"""

EXAMPLES = r"""
- name: TLS versions and weak ciphers the court website accepts
  security_tls:
    sites: [pn-contoh.go.id]
    connect: 127.0.0.1
  register: tls
"""

RETURN = r"""
sites:
  description: Per site, the server name sent (SNI; null for an IP address), the protocols
    accepted, the weak classes accepted (with the suite chosen), those untested and those
    whose handshake timed out.
  returned: success
  type: list
  elements: dict
  sample: [{site: "pn-contoh.go.id:443", server_name: pn-contoh.go.id, protocols: [TLSv1.2, TLSv1.3], weak_ciphers: {},
            untested: [RC4, EXPORT], timed_out: []}]
findings:
  description: Findings of kind old_tls, weak_cipher, tls_timeout, tls_no_handshake and tls_unreachable.
  returned: success
  type: list
  elements: dict
sop_output:
  description: The compact record the C(sop) runner keeps.
  returned: success
  type: dict
"""

import ipaddress  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import warnings  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_bahasa import angka_ringkas  # noqa: E402
from ansible.module_utils.sop_net import split_host_port  # noqa: E402
from ansible.module_utils.sop_options import seconds_error  # noqa: E402
from ansible.module_utils.sop_security import SecurityInputError, finding, summary  # noqa: E402

VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
            "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


# OpenSSL's errors for a handshake it cannot even offer: no suite of the class, or no
# protocol version (one its build or settings leave out), which is no refusal.
UNOFFERED = ("NO_CIPHERS_AVAILABLE", "no ciphers available", "NO_PROTOCOLS_AVAILABLE",
             "no protocols available")


# The words of OpenSSL's cipher strings (ciphers(1); ssl.h's SSL_TXT_ names from 1.0.2 to
# 3.x, those a version dropped too, as EXP: the host's OpenSSL ignores a word it does not
# know, and a class it names none of is untested). A word neither here nor a suite the
# host's OpenSSL knows is a typo; a suite name (with '-' or '_') it does not know may be
# one it lacks (EXP-RC4-MD5 on OpenSSL 1.1 and later) or a typo: a warning.
CIPHER_KEYWORDS = frozenset((
    "ALL", "COMPLEMENTOFALL", "DEFAULT", "COMPLEMENTOFDEFAULT", "HIGH", "MEDIUM", "LOW", "FIPS",
    "EXP", "EXPORT", "EXPORT40", "EXPORT56", "eNULL", "NULL", "aNULL", "kRSA", "aRSA", "RSA",
    "kDHr", "kDHd", "kDH", "kEDH", "kDHE", "DH", "DHE", "EDH", "ADH", "kECDHr", "kECDHe", "kECDH",
    "kEECDH", "kECDHE", "ECDH", "ECDHE", "EECDH", "AECDH", "aDSS", "DSS", "aDH", "aECDH", "aECDSA",
    "ECDSA", "kPSK", "kRSAPSK", "kECDHEPSK", "kDHEPSK", "aPSK", "PSK", "kSRP", "aSRP", "SRP",
    "kGOST", "kGOST18", "aGOST", "aGOST94", "aGOST01", "aGOST12", "GOST94", "GOST89", "GOST89MAC",
    "GOST12", "GOST89MAC12", "GOST2012-GOST8912-GOST8912", "kKRB5", "aKRB5", "KRB5", "kFZA", "aFZA",
    "eFZA", "FZA", "DES", "3DES", "RC4", "RC2", "IDEA", "SEED", "AES128", "AES256", "AES", "AESGCM",
    "AESCCM", "AESCCM8", "CAMELLIA128", "CAMELLIA256", "CAMELLIA", "CHACHA20", "ARIA", "ARIAGCM",
    "ARIA128", "ARIA256", "CBC", "MD5", "SHA1", "SHA", "SHA256", "SHA384", "SSLv2", "SSLv3",
    "TLSv1", "TLSv1.0", "TLSv1.1", "TLSv1.2", "SUITEB128", "SUITEB128ONLY", "SUITEB128C2",
    "SUITEB192", "ECCdraft",
))


class Untestable(Exception):
    """The host's OpenSSL cannot offer this protocol or cipher class."""


class Unreachable(Exception):
    """No TCP connection to the site."""


class Stalled(Exception):
    """The site took the TCP connection but did not complete the handshake in time."""


def split_site(site: str) -> tuple[str, int]:
    """(name or address, port) of NAME, NAME:PORT, an IPv6 address, or [IPv6]:PORT (the
    brackets removed); 443 when no port is given."""
    try:
        name, port = split_host_port(site, 443)
    except ValueError:
        raise SecurityInputError(f"site {site!r}: expected NAME, NAME:PORT or [IPv6]:PORT") from None
    try:  # as ssl encodes the server name (SNI) it sends
        name.encode("idna")
    except UnicodeError:
        raise SecurityInputError(f"site {site!r}: {name!r} is no host name (a part between "
                                 "dots is empty or longer than 63 characters)") from None
    return name, port


def connect_error(connect: str) -> str | None:
    """Why ``connect`` is no address or host name to connect to, or None. One with a port
    (127.0.0.1:8443) was resolved as a name with the port in it: every site unreachable,
    a finding blaming the sites."""
    try:
        name, _port = split_host_port(connect, 443)
    except ValueError:
        name = ""
    if name and connect in (name, f"[{name}]"):
        return None
    return (f"connect: {connect!r}: expected an address or a host name without a port (the "
            "port is each site's, NAME:PORT)")


def local_cipher_names() -> frozenset[str]:
    """The suites the host's OpenSSL knows (at security level 0, as the probes offer)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    return frozenset(c["name"] for c in ctx.get_ciphers())


def unknown_cipher_words(weak: dict[str, str], known: frozenset[str]) -> list[str]:
    """Warnings naming each suite of ``weak`` the host's OpenSSL does not know (see
    CIPHER_KEYWORDS); SecurityInputError naming the first word that is no keyword nor
    suite at all (a typo: OpenSSL would ignore it, and a class of nothing else was only
    'untested')."""
    warned = []
    for kind, ciphers in weak.items():
        for word in re.split(r"[:, ]+", ciphers):
            for part in word.lstrip("!-+").split("+"):
                if not part or part.startswith("@") or part in CIPHER_KEYWORDS or part in known:
                    continue
                if "-" not in part and "_" not in part:
                    raise SecurityInputError(
                        f"weak_ciphers {kind!r}: {part!r} is no OpenSSL cipher keyword nor a "
                        "suite this host's OpenSSL knows (a typo?)")
                warned.append(f"weak_ciphers {kind!r}: OpenSSL host ini tidak mengenal suite "
                              f"{part!r} (tidak tersedia di versinya, atau salah ketik): tidak diuji")
    return warned


def server_name(name: str) -> str | None:
    """The server name (SNI) a handshake with the site ``name`` sends: None for an IP
    address, which RFC 6066 (3) does not allow there and Python's ssl never sends."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name
    return None


def site_label(name: str, port: int) -> str:
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def context(low: str, high: str, ciphers: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        ctx.set_ciphers(f"{ciphers}:@SECLEVEL=0")
        with warnings.catch_warnings():  # offering the old versions is the point here
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version, ctx.maximum_version = VERSIONS[low], VERSIONS[high]
    except (ssl.SSLError, ValueError):
        raise Untestable(ciphers) from None
    return ctx


def handshake(ctx: ssl.SSLContext, name: str, address: str, port: int,
              timeout: float) -> tuple[str, str] | None:
    """(protocol, cipher) the server chose, or None when it refused the handshake;
    Stalled when it left the handshake unanswered for ``timeout`` seconds."""
    try:
        raw = socket.create_connection((address, port), timeout=timeout)
    except OSError as exc:
        raise Unreachable(f"{site_label(address, port)}: {exc.strerror or exc}") from None
    with raw:
        try:
            with ctx.wrap_socket(raw, server_hostname=name) as tls:
                chosen = tls.cipher()
                return (tls.version() or "?", chosen[0] if chosen else "?")
        except ssl.SSLError as exc:
            if any(reason in str(exc) for reason in UNOFFERED):
                raise Untestable(str(exc)) from None
            return None
        except socket.timeout:  # no answer is no refusal (TimeoutError from Python 3.10)
            raise Stalled(str(timeout)) from None
        except OSError:  # the server closed or reset the connection: refused
            return None


def probe(site: str, connect: str, old: list[str], weak: dict[str, str],
          timeout: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    name, port = split_site(site)
    address = connect.strip("[]") if connect else name
    label = site_label(name, port)
    sni = server_name(name)
    result: dict[str, Any] = {"site": label, "server_name": sni, "protocols": [],
                              "weak_ciphers": {}, "untested": [], "timed_out": []}
    try:
        for version in VERSIONS:
            try:
                if handshake(context(version, version, "ALL:COMPLEMENTOFALL"), name, address, port, timeout):
                    result["protocols"].append(version)
            except Untestable:
                result["untested"].append(version)
            except Stalled:
                result["timed_out"].append(version)
        for kind, ciphers in weak.items():
            try:
                chosen = handshake(context("TLSv1", "TLSv1.2", ciphers), name, address, port, timeout)
            except Untestable:
                result["untested"].append(kind)
                continue
            except Stalled:
                result["timed_out"].append(kind)
                continue
            if chosen:
                result["weak_ciphers"][kind] = f"{chosen[1]} ({chosen[0]})"
    except Unreachable as exc:
        # what the handshakes before showed still holds (a site that stops taking
        # connections part of the way through keeps its old protocols found)
        unreachable = [finding("tls_unreachable", f"Situs {label} tidak dapat dihubungi untuk uji TLS: {exc}")]
    else:
        unreachable = []
    findings = unreachable
    refused = [v for v in VERSIONS if v not in result["protocols"] + result["untested"]
               + result["timed_out"]]
    if refused and not result["protocols"] and not unreachable:
        why = ("tidak ada layanan TLS di port ini atau untuk nama ini" if sni else
               "tanpa nama server (SNI tidak dikirim untuk alamat IP, RFC 6066): tidak ada "
               "layanan TLS di port ini, atau server hanya melayani situs bernama (tulis nama "
               "situsnya, dengan connect alamat ini)")
        findings.append(finding(
            "tls_no_handshake", f"Situs {label} menolak jabat tangan TLS dengan setiap versi "
            f"yang diuji ({', '.join(refused)}): {why}; protokol dan cipher-nya tidak dapat "
            "dinilai", len(refused), refused))
    if result["timed_out"]:
        findings.append(finding(
            "tls_timeout", f"Situs {label} menerima koneksi TCP tetapi tidak menyelesaikan jabat "
            f"tangan TLS dalam {angka_ringkas(timeout)} dtk: {', '.join(result['timed_out'])}",
            len(result["timed_out"]), result["timed_out"]))
    accepted_old = [v for v in result["protocols"] if v in old]
    if accepted_old:
        findings.append(finding("old_tls", f"Situs {label} menerima protokol lama: {', '.join(accepted_old)}",
                                len(accepted_old), accepted_old))
    if result["weak_ciphers"]:
        shown = [f"{kind}: {suite}" for kind, suite in result["weak_ciphers"].items()]
        findings.append(finding("weak_cipher", f"Situs {label} menerima cipher lemah: {'; '.join(shown)}",
                                len(shown), shown))
    return result, findings


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "sites": {"type": "list", "elements": "str", "required": True},
            "connect": {"type": "str", "default": ""},
            "old_protocols": {"type": "list", "elements": "str",
                              "choices": ["TLSv1", "TLSv1.1", "TLSv1.2"], "default": ["TLSv1", "TLSv1.1"]},
            "weak_ciphers": {"type": "dict", "default": {
                "NULL": "eNULL", "anonim": "aNULL", "EXPORT": "EXP", "RC4": "RC4",
                "DES/3DES": "DES:3DES", "RSA statis": "kRSA"}},
            "timeout": {"type": "float", "default": 5},
        },
        supports_check_mode=True,
    )
    p = module.params
    bad_timeout = seconds_error(p, "timeout")
    if bad_timeout:
        module.fail_json(**bad_timeout)
    refused = connect_error(p["connect"]) if p["connect"] else None
    if refused:
        module.fail_json(msg=refused, setting="connect")
    weak = {str(k): str(v) for k, v in p["weak_ciphers"].items()}
    sites, findings = [], []
    try:
        for warning in unknown_cipher_words(weak, local_cipher_names()):
            module.warn(warning)
        for site in p["sites"]:
            result, found = probe(site, p["connect"], p["old_protocols"], weak, p["timeout"])
            sites.append(result)
            findings += found
    except SecurityInputError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, sites=sites, findings=findings, sop_output={
        "tls": [f"{s['site']}: {', '.join(s['protocols']) or '-'}" for s in sites],
        "findings": summary(findings)})


if __name__ == "__main__":
    main()
