"""plugins/filter/sop_uri_failure.py: the cause in an ansible.builtin.uri message, as a
report shows it."""

from __future__ import annotations

import pytest
from loader import filters

uri_failure = filters("sop_uri_failure")["sop_uri_failure"]


@pytest.mark.parametrize(("message", "cause"), [
    ("Status code was -1 and not [100, 101, 102, 200, 499]: Request failed: "
     "<urlopen error [Errno 111] Connection refused>", "Connection refused"),
    ("Request failed: <urlopen error [Errno -2] Name or service not known>",
     "Name or service not known"),
    ("Request failed: <urlopen error timed out>", "timed out"),
    ("Status code was -1 and not [200]: Connection failure: The read operation timed out",
     "The read operation timed out"),
    ("Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
     "failed: self-signed certificate (_ssl.c:992)>",
     "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
     "(_ssl.c:992)"),
    ("Status code was 503 and not [200]: HTTP Error 503: Service Unavailable",
     "HTTP Error 503: Service Unavailable"),
    ("HTTP Error 404:\nNot Found", "HTTP Error 404: Not Found"),
    # an answer with a status not asked for that urllib took as no error: its number kept
    ("Status code was 205 and not [200, 201, 202, 203, 204]: OK (unknown bytes)",
     "status 205: OK (unknown bytes)"),
    ("Status code was 302 and not [200]: ", "status 302"),
    ("", ""),
    (None, ""),
])
def test_the_cause_without_uris_and_urllibs_wrapping(message: str | None, cause: str) -> None:
    assert uri_failure(message) == cause
