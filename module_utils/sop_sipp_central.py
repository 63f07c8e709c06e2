# GPL-3.0-or-later
"""What a failed request to SIPP MA (the Supreme Court's central SIPP) means, in Bahasa
Indonesia, for the line that shows its raw cause beside it: sipp_sync_status's error and
the sipp_sync role's reachability check (the filter ``sop_sipp_central_said`` of
plugins/filter/sop_module_utils.py) say it by this one table."""

from __future__ import annotations

# What SIPP MA's HTTP errors mean; another 4xx or 5xx is said by its class (HTTP_CLASSES).
HTTP_SAID = {
    400: "SIPP MA menolak permintaan ini (alamat status salah?)",
    401: "SIPP MA meminta login: kredensial di alamat status tidak ada atau salah",
    403: "SIPP MA menolak akses: kredensial atau token di alamat status salah, atau "
         "alamat server ini tidak diizinkan",
    404: "SIPP MA tidak mengenal alamat ini: kode satker atau alamat status salah, atau "
         "satker belum pernah sinkron",
    429: "SIPP MA membatasi permintaan: terlalu sering diminta",
    500: "galat di server SIPP MA",
    502: "gateway di depan SIPP MA tidak mendapat jawaban dari servernya",
    503: "SIPP MA sedang tidak melayani (pemeliharaan atau beban penuh)",
    504: "gateway di depan SIPP MA tidak mendapat jawaban dari servernya dalam batas waktunya",
}
HTTP_CLASSES = {4: "SIPP MA menolak permintaan", 5: "server SIPP MA bermasalah"}
# What a failed connection's error means, by the words it holds, the first that it holds:
# sop_http.failure's (the system's words, or its timeout's line) and those of
# ansible.builtin.uri's message (sop_uri_failure's: urllib's bare 'timed out', http.client's
# 'The read operation timed out').
CONNECTION_SAID = (
    ("Connection refused", "SIPP MA menolak koneksi: layanannya tidak berjalan atau port "
                           "salah"),
    ("did not answer within", "SIPP MA tidak menjawab dalam batas waktu"),
    ("timed out", "SIPP MA tidak menjawab dalam batas waktu"),
    ("Name or service not known", "nama server SIPP MA tidak ditemukan di DNS"),
    ("Temporary failure in name resolution", "nama server SIPP MA tidak dapat dicari: DNS "
                                             "tidak menjawab"),
    ("No address associated with hostname", "nama server SIPP MA tidak ditemukan di DNS"),
    ("No route to host", "jaringan ke SIPP MA tidak tersedia (rute atau internet putus)"),
    ("Network is unreachable", "jaringan ke SIPP MA tidak tersedia (rute atau internet "
                               "putus)"),
    ("Connection reset by peer", "koneksi diputus SIPP MA atau jaringan di tengah jalan"),
    ("CERTIFICATE_VERIFY_FAILED", "sertifikat TLS SIPP MA tidak dapat diverifikasi"),
)
# A cause of sop_http's proxy connection ('proxy ...'): the proxy failed, not SIPP MA.
PROXY_SAID = "proxy ke SIPP MA tidak dapat dipakai"


def meaning(cause: str, status: int | None) -> str | None:
    """What SIPP MA's failed request means: by its HTTP ``status`` when an answer came (a
    known status, else its class, 4xx or 5xx; None for another), else by the words of
    its connection's error ``cause`` (the proxy's when it begins with 'proxy '); None
    for a cause the table does not know."""
    if status is not None:
        return HTTP_SAID.get(status) or HTTP_CLASSES.get(status // 100)
    if cause.startswith("proxy "):  # the proxy's connection, not SIPP MA's
        return PROXY_SAID
    return next((line for words, line in CONNECTION_SAID if words in cause), None)
