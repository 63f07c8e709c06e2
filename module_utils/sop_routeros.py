"""One layer for talking to MikroTik RouterOS over its API (librouteros), used by the
network SOP's RouterBoard module on the controller.

Errors become one line naming the real cause (wrong credentials, API port closed,
TLS certificate that does not verify, no answer), in Bahasa Indonesia as the network
SOP's report lines quote them; the router's own text and the system's error text (an
OS error, OpenSSL's reason) are kept as given. Nothing here is specific to the
lab's RouterOS test service: the same commands go to a real RouterBoard.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any

from ansible.module_utils.sop_clock import parse_moment
from ansible.module_utils.sop_tree import shown

try:
    from librouteros.api import Api
    from librouteros.connections import SocketTransport
    from librouteros.exceptions import (
        ConnectionClosed,
        FatalError,
        LibRouterosError,
        MultiTrapError,
        ProtocolError,
        TrapError,
    )
    from librouteros.protocol import (
        ApiProtocol,
        decode_length,
        determine_length,
        encode_sentence,
    )

    HAS_LIBROUTEROS = True
except ImportError:  # reported by the module through missing_required_lib
    HAS_LIBROUTEROS = False
    Api = ApiProtocol = object

LOG_WARNING_TOPICS = frozenset({"warning", "error", "critical"})
# RouterOS's API services: api (plain) and api-ssl (TLS).
API_PORT, API_SSL_PORT = 8728, 8729
# What one router's session may send in all (its export, log, interfaces: a few MB on a
# real RouterBoard) and how long the whole session may take, in multiples of the
# per-answer timeout: a router that never stops sending, or sends a byte now and then,
# is given up instead of filling the controller's memory or holding the run forever.
MAX_SESSION_BYTES = 32 * 1024 * 1024
SESSION_TIMEOUTS = 30
# What each read counts at least against that budget: librouteros reads a word's length
# and then the word, and every word becomes Python objects (a string, a dict entry)
# however short it is. Counted by its bytes alone, 32 MiB of rows of one short word each
# held some 700 MB of the controller's memory (80 MB so counted); a real router's
# largest session (a log of 65535 lines, RouterOS's most, and a 3 MB export) stays within.
READ_COST = 32
# What a router may send that the API protocol does not allow (a word without '=', a
# !trap without message, no sentence at all) surfaces from librouteros as these.
_MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError)
# librouteros decodes every word it reads with errors="ignore": in UTF-8, bytes that are
# not UTF-8 (a comment or log line typed in Winbox in the Windows code page) would vanish
# from the record. The session uses Latin-1 on the wire (connect's own ``encoding``
# argument), which maps every byte to one character; this layer reads a word as UTF-8
# where it is UTF-8, else byte for byte (nothing lost; control characters are escaped
# where text is shown), and sends what it writes (the login, command words) as UTF-8.
WIRE_ENCODING = "latin-1"


# The surrogate escapes of bytes 0x80-0xFF, as their Latin-1 characters.
_ESCAPED_BYTES = {0xDC00 + byte: byte for byte in range(0x80, 0x100)}


def from_wire(text: str) -> str:
    """A word as librouteros read it in Latin-1: its text in UTF-8 where the bytes are
    UTF-8, each other byte as its Latin-1 character. Decided byte by byte, not for the
    whole word: an export is one word, and one comment typed in the Windows code page
    turned every UTF-8 comment of it into mojibake (and back, a change of every such
    line, once that comment was gone)."""
    return text.encode(WIRE_ENCODING).decode("utf-8", "surrogateescape").translate(
        _ESCAPED_BYTES)


def to_wire(value: Any) -> Any:
    """Text to send, as the Latin-1 characters of its UTF-8 bytes; other values as they are."""
    return value.encode("utf-8").decode(WIRE_ENCODING) if isinstance(value, str) else value


def one_line(text: str) -> str:
    """A message the router sent, for an error line: its lines (RouterOS breaks them with
    CR LF) joined with ", ", as librouteros's own TrapError shows them."""
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def word_text(word: str) -> tuple[str, str]:
    """An attribute word ``=key=value`` as its key and its value, text as the router
    sent it (a word without ``=`` is the ValueError of librouteros's own parse_word)."""
    _, key, value = word.split("=", 2)
    return key, value


# The reply words a sentence of the API begins with (RouterOS 7.18 and later answer a
# command without rows with !empty).
REPLY_WORDS = frozenset({"!done", "!re", "!trap", "!fatal", "!empty"})
# How much of a word that is no reply word an error line shows.
SHOWN_WORD = 40


class UnknownReply(Exception):
    """A sentence that begins with no reply word of the API; ``word`` is what it began
    with as an error line shows it: quoted, on one line (sop_tree.shown), at most
    SHOWN_WORD characters of it."""

    def __init__(self, word: str) -> None:
        text = from_wire(word)
        cut = text[:SHOWN_WORD] + ("..." if len(text) > SHOWN_WORD else "")
        self.word = f"'{shown(cut)}'"
        super().__init__(self.word)


class TextApi(Api):  # type: ignore[misc]  # librouteros has no type hints
    """librouteros's Api (connect's ``subclass`` argument) reading every value as the
    text the router sent: its own parse_word makes a value of digits a number and
    yes/no/true/false a bool, so a serial number or an identity ``007`` came back ``7``,
    an identity ``yes`` as ``True``. Flags are read with ``flag``. A sentence that
    begins with no reply word is UnknownReply: librouteros skips it and waits for the
    ``!done`` that may never come, reported as a router that did not answer."""

    def readSentence(self) -> tuple[str, dict[str, str]]:  # librouteros names it so
        reply_word, words = self.protocol.readSentence()
        if reply_word not in REPLY_WORDS:
            raise UnknownReply(reply_word)
        return reply_word, dict(word_text(word) for word in words)


# The first byte of the API's longest lengths, four bytes of length after it: a word of
# 0x10000000 bytes (256 MiB) or more.
LONGEST_LENGTH = 0xF0


class WireProtocol(ApiProtocol):  # type: ignore[misc]  # librouteros has no type hints
    """librouteros's ApiProtocol reading every length the API has: librouteros reads
    none of 0xF0 and four bytes (its "Unknown controll byte"), and a router announcing a
    word of 256 MiB or more was said to speak no RouterOS API, where one a byte shorter
    was named for what it is. Such a length is read as any other, and the session's byte
    budget (BoundedSocket) gives the word up before reading a byte of it."""

    def readWord(self) -> str:  # librouteros names it so
        length = bytes(self.transport.read(1))
        if length == b"\x00":
            return ""
        if length[0] == LONGEST_LENGTH:
            size = int.from_bytes(self.transport.read(4), "big")
        else:
            size = decode_length(length + self.transport.read(determine_length(length)))
        word: bytes = self.transport.read(size)
        return word.decode(self.encoding)


def flag(value: str | None) -> bool:
    """A RouterOS yes/no value (``true``/``false``; ``yes``/``no`` in some menus)."""
    return value in ("true", "yes")


class RouterError(Exception):
    """One line saying why a router could not be read."""


class RouterTrap(RouterError):
    """The router refused one command (``!trap``); the session goes on."""

    def __init__(self, command: str, message: str) -> None:
        super().__init__(f"{command}: {message}")
        self.message = message


# What RouterOS answers a login with a wrong user name or password: 6.43 and later, and
# the challenge login of older ones.
_WRONG_LOGIN = ("invalid user name or password", "cannot log in")


def login(api: Any, username: str, password: str) -> None:
    """Log in as RouterOS 6.43 and later expect, with the password. An older RouterOS
    ignores it and answers with a challenge (``=ret=``, hexadecimal), whose MD5 response
    logs in as its own login does (MikroTik's advice for clients of both)."""
    replies = tuple(api("/login", name=username, password=password))
    challenge = next((row["ret"] for row in replies if "ret" in row), None)
    if challenge is None:
        return
    digest = hashlib.md5(b"\x00" + password.encode(WIRE_ENCODING) + bytes.fromhex(challenge),
                         usedforsecurity=False)
    tuple(api("/login", name=username, response="00" + digest.hexdigest()))


class BoundedSocket:
    """The socket of one router's session, as librouteros's transport uses it (recv,
    sendall, close), with a byte budget and a deadline for the whole session; each recv
    still waits at most ``timeout`` for the next bytes. It keeps the first two bytes the
    router sent (``head``) and counts the sentences sent (``sends``: librouteros writes
    each in one call), for what a failed login says of the port."""

    def __init__(self, sock: Any, where: str, timeout: float,
                 limit: int = MAX_SESSION_BYTES) -> None:
        self.sock, self.where, self.timeout, self.limit = sock, where, timeout, limit
        sock.settimeout(timeout)  # for sendall: what connecting left of it may be nothing
        self.total = timeout * SESSION_TIMEOUTS
        self.deadline = time.monotonic() + self.total
        self.received = 0
        self.head = b""
        self.sends = 0

    def _late(self) -> RouterError:
        return RouterError(
            f"RouterOS API di {self.where} tidak selesai menjawab dalam {self.total:g} detik"
        )

    def recv(self, size: int) -> bytes:
        if self.received + size > self.limit:
            raise RouterError(
                f"RouterOS API di {self.where} mengirim lebih dari {self.limit // 2**20} MiB "
                "dalam satu sesi"
            )
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._late()
        self.sock.settimeout(min(self.timeout, left))
        try:
            data: bytes = self.sock.recv(min(size, 65536))
        except socket.timeout:  # TimeoutError from Python 3.10; an OSError of its own on 3.9
            if time.monotonic() >= self.deadline:
                raise self._late() from None
            # named so in run's error line (the socket's own says "timed out")
            raise socket.timeout(f"tidak ada jawaban dalam {self.timeout:g} detik") from None
        self.received += max(len(data), READ_COST)
        self.head += data[:2 - len(self.head)]
        return data

    def sendall(self, data: bytes) -> None:
        self.sends += 1
        try:
            self.sock.sendall(data)
        except socket.timeout:
            raise socket.timeout(
                f"router tidak menerima perintah dalam {self.timeout:g} detik") from None

    def close(self) -> None:
        self.sock.close()


def tls_context(ca_path: str | None, validate: bool, where: str) -> ssl.SSLContext:
    """The session's TLS context; a CA file that cannot be read or holds no certificate
    is that router's RouterError."""
    if not validate:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=ca_path)
    except ssl.SSLError:
        raise RouterError(
            f"berkas CA {ca_path} untuk RouterOS API di {where} tidak memuat sertifikat "
            "yang dapat dipakai"
        ) from None
    except OSError as exc:
        raise RouterError(
            f"berkas CA {ca_path} untuk RouterOS API di {where} tidak dapat dibaca: "
            f"{exc.strerror or exc}"
        ) from None


# The first bytes of a TLS record a TLS service answers the plain API's words with: an
# alert (21) or a handshake (22), then the major version 3 (SSL 3.0 to TLS 1.3).
_TLS_RECORDS = (b"\x15\x03", b"\x16\x03")
# What OpenSSL reports of a handshake answered with bytes that are no TLS record, as the
# plain API's words (a !fatal sentence) are.
_NOT_TLS = frozenset({"WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG",
                      "RECORD_LAYER_FAILURE"})
# How a handshake ends when the port closes the connection: its close (OpenSSL 3.0 reads
# it as a TLS close), an EOF, or a reset (the port left bytes it was sent unread).
_CLOSED = (ssl.SSLZeroReturnError, ssl.SSLEOFError, ConnectionError)
# The reply words the plain API begins its answers with (one length byte each).
_REPLY_WORDS = frozenset(word.encode() for word in REPLY_WORDS)
_REPLY_LENGTHS = frozenset(len(word) for word in _REPLY_WORDS)


def left(deadline: float) -> float:
    """What is left until ``deadline`` (``time.monotonic``); socket.timeout when nothing is."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise socket.timeout("timed out")
    return remaining


def open_socket(host: str, port: int, deadline: float) -> socket.socket:
    """A connection to ``host:port`` as ``socket.create_connection`` makes one (each address
    of the name in turn, the last one's error when none connects), resolved and connected
    by ``deadline``: each address is given an equal share of what is left, so one that
    never answers leaves time for the next. A name resolved only after ``deadline`` is the
    gaierror EAI_AGAIN (the resolver has no time limit of ours to give it)."""
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if time.monotonic() >= deadline:
        raise socket.gaierror(socket.EAI_AGAIN, "resolver baru menjawab setelah batas waktu")
    error = OSError(f"{host} tidak memiliki alamat")
    for index, (family, kind, proto, _, address) in enumerate(addresses):
        share = left(deadline) / (len(addresses) - index)
        sock = socket.socket(family, kind, proto)
        sock.settimeout(share)
        try:
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error


def tls_socket(sock: socket.socket, context: ssl.SSLContext, host: str,
               deadline: float) -> ssl.SSLSocket:
    """``sock`` in TLS, its handshake done by ``deadline`` (CPython bounds a blocking
    handshake as a whole by the socket's timeout, however the peer trickles it); ``sock``
    is closed when it fails."""
    try:
        sock.settimeout(left(deadline))
        return context.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


def read_exactly(sock: socket.socket, size: int, deadline: float) -> bytes:
    """``size`` bytes, fewer when the peer closes first, all read by ``deadline``."""
    data = b""
    while len(data) < size:
        sock.settimeout(left(deadline))
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def speaks_plain(host: str, port: int, timeout: float) -> bool:
    """Whether ``host:port`` answers ``/quit`` (the plain API's end of a session, which
    changes nothing) with a reply word (``!fatal``, as RouterOS does, or another one),
    connection and answer within ``timeout``: asked only of a port that closed a TLS
    handshake, as the plain API may do with words it cannot read."""
    deadline = time.monotonic() + timeout
    try:
        with open_socket(host, port, deadline) as sock:
            sock.sendall(encode_sentence("/quit", encoding=WIRE_ENCODING))
            head = read_exactly(sock, 1, deadline)
            return (head != b"" and head[0] in _REPLY_LENGTHS
                    and read_exactly(sock, head[0], deadline) in _REPLY_WORDS)
    except OSError:  # socket.timeout is one
        return False


def speaks_tls(host: str, port: int, timeout: float) -> bool:
    """Whether ``host:port`` completes a TLS handshake (nothing verified, nothing sent
    after it), connection and handshake within ``timeout``: asked only of a port that
    closed a plain session on its first sentence, as a TLS service does, and as a service
    refusing the address may do too."""
    deadline = time.monotonic() + timeout
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with tls_socket(open_socket(host, port, deadline), context, host, deadline):
            return True
    except (OSError, ValueError):  # ssl.SSLError and socket.timeout are OSErrors
        return False


def plain_to_tls(host: str, port: int, session: BoundedSocket | None, closed: bool,
                 timeout: float) -> str:
    """What a failed plain login adds when its port speaks TLS (api-ssl): the first bytes
    it answered are a TLS record, or it closed the session right after the first
    sentence without a byte and completes a TLS handshake; else, on api-ssl's own port
    (a TLS service may also wait for a handshake), that the port is api-ssl's."""
    if session is not None and (
        session.head in _TLS_RECORDS
        or (closed and not session.head and session.sends == 1
            and speaks_tls(host, port, timeout))
    ):
        return f" (port {port} tampaknya memakai TLS (api-ssl): setel tls: true)"
    if port == API_SSL_PORT:
        return f" (port {API_SSL_PORT} adalah api-ssl: setel tls: true)"
    return ""


def tls_to_plain(host: str, port: int, reason: str | None, closed: bool,
                 timeout: float) -> str:
    """What a failed TLS handshake adds when its port speaks the plain API: it answered
    with bytes that are no TLS record (OpenSSL's ``reason``), or it ``closed`` the
    connection and answers a plain ``/quit`` as the API does (``speaks_plain``)."""
    if reason not in _NOT_TLS and not (closed and speaks_plain(host, port, timeout)):
        return ""
    return (f" (port {port} menjawab tanpa TLS, seperti API biasa: setel tls: false, "
            f"atau pakai port api-ssl {API_SSL_PORT})")


def open_api(host: str, port: int, context: ssl.SSLContext | None,
             timeout: float) -> socket.socket:
    """The connection of one login, in TLS with ``context``: resolving, connecting and
    the handshake together within ``timeout``; RouterError naming the step that failed."""
    where = f"{host}:{port}"
    deadline = time.monotonic() + timeout
    try:
        sock = open_socket(host, port, deadline)
    except socket.timeout:
        raise RouterError(
            f"RouterOS API di {where} tidak menerima koneksi dalam {timeout:g} detik"
        ) from None
    except ConnectionRefusedError:
        raise RouterError(f"port RouterOS API {where} tertutup (koneksi ditolak)") from None
    except socket.gaierror as exc:
        raise RouterError(f"alamat host RouterOS {host} tidak ditemukan: {exc.strerror}") from None
    except UnicodeError as exc:  # the IDNA codec refused the name before any lookup
        raise RouterError(
            f"alamat host RouterOS {host} tidak ditemukan: bukan nama host ({exc.__cause__ or exc})"
        ) from None
    except OSError as exc:
        raise RouterError(
            f"RouterOS API di {where} tidak dapat dihubungi: {exc.strerror or exc}"
        ) from None
    if context is None:
        return sock
    try:
        return tls_socket(sock, context, host, deadline)
    except socket.timeout:  # the plain API waits for words, silent to a handshake
        hint = (f"TLS ke port API biasa? api-ssl adalah {API_SSL_PORT}" if port != API_SSL_PORT
                else "router macet atau kelebihan beban?")
        raise RouterError(
            f"RouterOS API di {where} tidak menjawab jabat tangan TLS dalam {timeout:g} detik "
            f"({hint})"
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise RouterError(
            f"sertifikat TLS RouterOS API di {where} tidak terverifikasi: {exc.verify_message}"
        ) from None
    except OSError as exc:  # ssl.SSLError, or the connection closed
        reason = getattr(exc, "reason", None)
        closed = isinstance(exc, _CLOSED)
        cause = "port menutup koneksi" if closed else reason or exc.strerror or exc
        raise RouterError(
            f"jabat tangan TLS dengan RouterOS API di {where} gagal: {cause}"
            f"{tls_to_plain(host, port, reason, closed, timeout)}"
        ) from None


def connect(
    host: str,
    port: int,
    username: str,
    password: str,
    *,
    tls: bool,
    ca_path: str | None = None,
    validate_certs: bool = True,
    timeout: float = 10,
) -> Any:
    """Log in (``login``: RouterOS 6.43 and later, or the challenge of an older one;
    inside TLS when ``tls``; resolving, connecting and the handshake together within
    ``timeout``, each answer of the login within it again); raise RouterError."""
    where = f"{host}:{port}"
    context = tls_context(ca_path, validate_certs, where) if tls else None
    session = BoundedSocket(open_api(host, port, context, timeout), where, timeout)
    api = TextApi(protocol=WireProtocol(transport=SocketTransport(sock=session),
                                        encoding=WIRE_ENCODING))

    def hint(closed: bool = False) -> str:
        """Of a plain login that failed: whether its port seems to speak TLS."""
        return "" if tls else plain_to_tls(host, port, session, closed, timeout)

    try:
        log_in(api, session, username, password, hint)
    except BaseException:
        session.close()
        raise
    return api


def log_in(api: Any, session: BoundedSocket, username: str, password: str,
           hint: Callable[..., str]) -> None:
    """``login`` on a new session; RouterError naming why it failed, with ``hint``'s word
    on the port (given whether the router closed the session)."""
    where, timeout = session.where, session.timeout

    try:
        login(api, to_wire(username), to_wire(password))
    except socket.timeout:
        raise RouterError(
            f"RouterOS API di {where} tidak menjawab dalam {timeout:g} detik{hint()}"
        ) from None
    except UnknownReply as exc:
        raise RouterError(
            f"RouterOS API di {where} menjawab login dengan {exc.word}, bukan kata balasan "
            f"RouterOS API{hint()}"
        ) from None
    except OSError as exc:
        closed = isinstance(exc, (ConnectionResetError, BrokenPipeError))
        raise RouterError(
            f"RouterOS API di {where} tidak dapat dihubungi: {exc.strerror or exc}{hint(closed)}"
        ) from None
    except TrapError as exc:
        if any(wrong in str(exc.message) for wrong in _WRONG_LOGIN):
            raise RouterError(
                f"RouterOS di {where} menolak login pengguna {username!r}: "
                "nama pengguna atau kata sandi salah"
            ) from None
        raise RouterError(
            f"RouterOS di {where} menolak login: {one_line(from_wire(str(exc.message)))}"
        ) from None
    except LibRouterosError as exc:
        if isinstance(exc, ProtocolError) and not isinstance(exc, (FatalError, MultiTrapError)):
            # a length's first byte RouterOS never sends (librouteros's "Unknown
            # controll byte bytearray(...)")
            raise RouterError(
                f"RouterOS API di {where} menjawab login dengan balasan rusak "
                f"(bukan protokol RouterOS API){hint()}"
            ) from None
        raise RouterError(
            f"RouterOS API di {where} memutus login: "
            f"{one_line(from_wire(str(exc))).rstrip('.')}"
            f"{hint(isinstance(exc, ConnectionClosed))}"
        ) from None
    except _MALFORMED:
        raise RouterError(
            f"RouterOS API di {where} menjawab login dengan balasan rusak "
            f"(bukan protokol RouterOS API){hint()}"
        ) from None


def run(api: Any, command: str, **words: Any) -> list[dict[str, str]]:
    """One command's replies, their values as text (``connect``'s TextApi); a !trap (or
    several, their messages joined) is RouterTrap, a !fatal RouterError, each naming the
    command, the router's message on one line."""
    try:
        sent = {to_wire(key): to_wire(value) for key, value in words.items()}
        rows = api(to_wire(command), **sent)
        return [{from_wire(key): from_wire(value) for key, value in row.items()}
                for row in rows]
    except TrapError as exc:
        raise RouterTrap(command, one_line(from_wire(str(exc.message)))) from None
    except MultiTrapError as exc:
        raise RouterTrap(command, "; ".join(one_line(from_wire(str(trap.message)))
                                            for trap in exc.traps)) from None
    except FatalError as exc:
        raise RouterError(
            f"{command}: router menutup sesi ({one_line(from_wire(str(exc)))})"
        ) from None
    except ConnectionClosed:
        raise RouterError(
            f"{command}: router menutup koneksi sebelum balasannya selesai"
        ) from None
    except (LibRouterosError, OSError) as exc:
        if isinstance(exc, ProtocolError):  # a length's first byte RouterOS never sends
            raise RouterError(
                f"{command}: balasan rusak dari router (bukan protokol RouterOS API)"
            ) from None
        raise RouterError(f"{command}: {exc.strerror or exc}" if isinstance(exc, OSError)
                          else f"{command}: {exc}") from None
    except RouterError as exc:  # the session's byte budget or deadline
        raise RouterError(f"{command}: {exc}") from None
    except UnknownReply as exc:
        raise RouterError(
            f"{command}: router menjawab dengan {exc.word}, bukan kata balasan RouterOS API"
        ) from None
    except _MALFORMED:
        raise RouterError(
            f"{command}: balasan rusak dari router (bukan protokol RouterOS API)"
        ) from None


def version_tuple(version: str) -> tuple[int, ...]:
    """'7.15.3 (stable)' -> (7, 15, 3); '6.49beta54' -> (6, 49)."""
    head = str(version).split()[0] if version else ""
    return tuple(int(p) for p in re.findall(r"\d+", head.split("beta")[0].split("rc")[0]))


def as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def health_values(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Temperature and voltage from /system/health: RouterOS 6 answers one row of
    columns, RouterOS 7 one row per sensor (name, value, type)."""
    values: dict[str, float] = {}
    for row in rows:
        if "name" in row and "value" in row:
            number = as_float(row["value"])
            if number is not None:
                values[str(row["name"])] = number
        else:
            for key, value in row.items():
                number = as_float(value)
                if number is not None and not key.startswith("."):
                    values[key] = number
    return values


def health_states(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Sensors whose value is a state word (psu1-state, fan-state: ok or fail), in
    either shape of /system/health."""
    states: dict[str, str] = {}
    for row in rows:
        pairs = [(row["name"], row["value"])] if "name" in row and "value" in row \
            else list(row.items())
        for name, value in pairs:
            if str(name).endswith("-state"):
                states[str(name)] = str(value)
    return states


def hottest(values: dict[str, float]) -> tuple[str, float] | None:
    """The hottest temperature sensor and its Celsius: a board may name its sensors
    only for what they measure (cpu-temperature, board-temperature1, switch-,
    sfp-temperature) instead of one ``temperature``."""
    sensors = [(value, name) for name, value in values.items() if "temperature" in name]
    if not sensors:
        return None
    value, name = max(sensors)
    return name, value


def log_id(value: str) -> int:
    """RouterOS item ids are '*' and hexadecimal."""
    try:
        return int(str(value).lstrip("*"), 16)
    except ValueError:
        return -1


# RouterOS writes uptime as 1w2d3h4m5s (the API) or 1w2d03:04:05 (RouterOS 6's console).
UPTIME = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+):(\d+):(\d+)"
                    r"|(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:\d+ms)?)")
# A boot time (the controller's now - the router's uptime) that moved later than the
# stored one by more than the tolerance is a restart; within it, the difference is the
# clocks' drift. The floor, 5 minutes, covers rounding and a step of the controller's
# clock (corrected by NTP); the tolerance then grows with the time elapsed since the
# stored boot, 0.1% of it: a RouterBoard without NTP counts its uptime with a crystal
# off by 20-100 ppm, which a fixed 5 minutes let through for 35-170 days only, then
# reported a false restart and every warning of its log again. 0.1% (1000 ppm, ten times
# the worst crystal) is 5 minutes after 3.5 days, 2.4 hours after 100 days. A restart
# moves the boot time later by as long as the router had run since the stored boot, so
# one is missed only when the router restarted within the tolerance after the stored
# boot: within 5 minutes, or first checked after more than 1000 times as long (a restart
# 2 hours after the boot, next checked 84 days later).
RESTART_TOLERANCE = datetime.timedelta(minutes=5)
RESTART_TOLERANCE_SHARE = 0.001


def restart_tolerance(elapsed: datetime.timedelta) -> datetime.timedelta:
    """How much later than the stored one a boot time may be and still be the same boot,
    ``elapsed`` after the stored boot (RESTART_TOLERANCE, RESTART_TOLERANCE_SHARE)."""
    return max(RESTART_TOLERANCE, abs(elapsed) * RESTART_TOLERANCE_SHARE)


def uptime_seconds(text: Any) -> int | None:
    """Seconds of a RouterOS uptime, None when it is not one."""
    match = UPTIME.fullmatch(str(text or ""))
    if not match or not text:
        return None
    w, d, hh, mm, ss, h, m, s = (int(part or 0) for part in match.groups())
    return (((w * 7 + d) * 24 + hh + h) * 60 + mm + m) * 60 + ss + s


def boot_time(uptime: Any, now: datetime.datetime,
              before: str | None) -> tuple[str | None, bool]:
    """The router's boot time for the stored state, and whether it restarted since the
    stored one (``before``): its uptime went backwards, smaller than the time elapsed
    since the stored boot by more than restart_tolerance (the boot time moved later).
    Within the tolerance the stored value is kept, so that a router that did not restart
    leaves its state unchanged. A boot time earlier than that is no restart (a restart
    only makes the uptime smaller: the controller's clock was set back) and replaces the
    stored one, which would otherwise hide every later restart before it."""
    seconds = uptime_seconds(uptime)
    if seconds is None:
        return before, False
    booted = (now - datetime.timedelta(seconds=seconds)).replace(microsecond=0)
    try:
        previous = parse_moment(before) if before else None
    except (TypeError, ValueError):
        previous = None
    if previous is None or previous.tzinfo is None:
        return booted.isoformat(), False
    if abs(booted - previous) <= restart_tolerance(now - previous):
        return before, False
    return booted.isoformat(), booted > previous


def log_warnings(
    rows: list[dict[str, Any]], after: str | None, restarted: bool = False
) -> tuple[list[dict[str, str]], str | None]:
    """Warning/error/critical lines after the id ``after`` (all of them when the router
    has ``restarted`` since, or its ids fell below the cursor: RouterOS starts them
    again) and the cursor for the next run: the newest warning's id, so that the cursor
    moves only when there is something new."""
    newest = max((log_id(str(r.get(".id"))) for r in rows), default=-1)
    cursor = log_id(after) if after and not restarted else -1
    if cursor > newest:
        cursor = -1
    warnings = [
        {
            "id": str(r.get(".id")),
            "time": str(r.get("time", "")),
            "topics": str(r.get("topics", "")),
            "message": str(r.get("message", "")),
        }
        for r in rows
        if log_id(str(r.get(".id"))) > cursor
        and LOG_WARNING_TOPICS & set(str(r.get("topics", "")).split(","))
    ]
    if warnings:
        return warnings, max((w["id"] for w in warnings), key=log_id)
    return warnings, after if cursor >= 0 else None


def export_command(version: tuple[int, ...], show_sensitive: bool) -> str:
    """The /export script: RouterOS 7 hides secrets unless asked, RouterOS 6 shows them
    unless told hide-sensitive."""
    if version and version[0] >= 7:
        return "/export show-sensitive" if show_sensitive else "/export"
    return "/export" if show_sensitive else "/export hide-sensitive"


_EXPORT_DATE = re.compile(r"^# \S+( \S+)? by RouterOS .*$")  # the header's first line
# A RouterOS line continuation: a line ending in a backslash, the next one indented four
# spaces.
_CONTINUATION = re.compile(r"\\\r?\n    ")


def join_continuations(text: str) -> str:
    """``text`` with RouterOS's line continuations joined: what a long line continues on
    the next one read on the line it continues."""
    return _CONTINUATION.sub("", text)


def normalise_export(text: str) -> str:
    """The export without what belongs to the moment, with the RouterOS line
    continuations joined, so two exports of one configuration are byte-identical: the
    header's date line, and the comment lines RouterOS writes inside a menu about the
    state it is in (``# inactive time`` before a rule outside its hours, ``# ether1 not
    ready``, ``# poe-out status: short_circuit``, a firmware awaiting a reboot: a
    configuration holds no comment line of its own). The header's other lines (software
    id, model, serial number) stay."""
    joined = join_continuations(text.replace("\r\n", "\n"))
    kept: list[str] = []
    in_menu = False
    for line in (line.rstrip() for line in joined.split("\n")):
        in_menu = in_menu or line.startswith("/")
        if not (line.startswith("#") and (in_menu or _EXPORT_DATE.match(line))):
            kept.append(line)
    return "\n".join(kept).strip("\n") + "\n"
