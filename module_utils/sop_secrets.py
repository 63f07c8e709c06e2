# GPL-3.0-or-later
"""Secrets kept out of what is recorded: module results, the SOP's records and logs.

The records never hold a password, a token or a key, whatever a host, a router or the
inventory hands over: a URL's credentials, a command line's password options and the
secret values of a configuration export are shown masked.
"""

from __future__ import annotations

import base64
import functools
import re
import urllib.parse
from collections.abc import Sequence
from typing import Any

# The records never hold secrets: a URL's userinfo (user:password@, or a token@) and the
# values of query (or fragment) parameters whose name looks secret are shown as ***.
MASK = "***"
SECRET_NAME = re.compile(
    r"pass|pwd|secret|token|key|auth|sig|credential|session|sid|otp", re.IGNORECASE)
# A URL as the records read it: scheme:// (or // alone), its userinfo and the rest. One
# written without its scheme is read as what follows scheme:// (a setting missing it, which
# the error refusing it quotes: sop:S3cret@host/?token=X, its sop:S3cret a userinfo):
# its credentials are masked whatever its form. Without scheme:// (or //), a userinfo is
# one holding a user:password only: a word@ alone is an SSH or git address's user
# (git@host:repo.git) or an e-mail address's (admin@pn-contoh.go.id), kept as written.
_URL = re.compile(r"^(?P<head>(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):)?//)?"
                  r"(?:(?P<userinfo>[^/?#]*)@)?(?P<rest>.*)$", re.DOTALL)
# A password holding an unencoded / ? or # (https://user:pa/ss@host/): urllib and a browser
# end the host at that character and read user and pa as a host and a port, no address
# they can open, but whoever reads the record reads a password. When what follows
# scheme:// (or a userinfo's @) is user:X with X no port number, and an @ comes later, the
# userinfo runs to the URL's last @: masked whole, the safe side (host:8080/@user and a
# path's /@user are kept).
_DOUBTFUL_USERINFO = re.compile(r"[^/?#@\[:]*:(?!\d+[/?#])[^@]*(?=@)")
# A URL in text is what \b[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+ finds, found from each "://"
# back to its scheme (_urls_in_text): that expression, tried at every word start of a long
# scheme-like run with no "://" after it (" X-X-X-..."), took 23 s for 200 KB.
_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")
_SCHEME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SEPARATOR = re.compile(r"(?=://[^\s\"'<>])")
_URL_REST = re.compile(r"://[^\s\"'<>]+")
_WORD_CHAR = re.compile(r"\w")
_PARAM = re.compile(r"([^&;=]*)(=?)([^&;]*)")


def _params(text: str) -> list[tuple[str, str, str, bool]]:
    """(name, '=' or '', value, secret) of each parameter of a query or fragment."""
    found = []
    for match in _PARAM.finditer(text):
        name, equals, value = match.groups()
        if not (name or equals or value):
            continue
        secret = bool(equals and value and SECRET_NAME.search(urllib.parse.unquote_plus(name)))
        found.append((name, equals, value, secret))
    return found


def _mask_params(text: str) -> str:
    return _PARAM.sub(lambda m: m.group(0) if not (
        m.group(2) and m.group(3) and SECRET_NAME.search(urllib.parse.unquote_plus(m.group(1)))
    ) else m.group(1) + m.group(2) + MASK, text)


def _split(url: str) -> tuple[str, str | None, str]:
    """(scheme:// or '' without one, the userinfo or None, the rest) of a URL as the
    records read it (_URL): without scheme:// only a user:password is a userinfo; a
    userinfo holding an unencoded / ? or # is read whole (_DOUBTFUL_USERINFO)."""
    match = _URL.match(url)
    assert match is not None  # (every part of _URL may be empty)
    head, userinfo, rest = match.group("head", "userinfo", "rest")
    doubtful = _DOUBTFUL_USERINFO.match(rest)
    if doubtful:
        userinfo = ("" if userinfo is None else userinfo + "@") + doubtful.group(0)
        rest = rest[doubtful.end() + 1:]
    elif not head and userinfo is not None and ":" not in userinfo:
        userinfo, rest = None, url
    return head or "", userinfo, rest


# A Telegram bot's token (BOT_ID:SECRET) in a URL's host or path: the Bot API's
# https://api.telegram.org/bot<token>/sendMessage (a RouterBoard's or a server's alert
# script) and apprise's tgram://<token>/CHAT. Its secret half is 35 characters today.
_TELEGRAM_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])(bot)?\d{5,15}:[A-Za-z0-9_-]{30,}")


def mask_url(url: str | None) -> str | None:
    """The URL as the records show it, with its scheme or without (_URL): userinfo, a
    Telegram bot's token and secret-looking parameter values replaced by ***; the rest
    unchanged (not re-encoded)."""
    if not url:
        return url
    head, userinfo, rest = _split(url)
    rest, hash_mark, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    path = _TELEGRAM_TOKEN.sub(lambda token: (token.group(1) or "") + MASK, path)
    shown = head + (MASK + "@" if userinfo is not None else "") + path
    if question:
        shown += question + _mask_params(query)
    if hash_mark:
        shown += hash_mark + _mask_params(fragment)
    return shown


def url_secrets(url: str | None) -> list[str]:
    """The secrets a URL carries (userinfo, its password, a Telegram bot's token,
    secret-looking parameter values), as written and decoded: what must not appear
    anywhere in a record. A URL without its scheme is read as mask_url reads it."""
    found: list[str] = []
    _, userinfo, rest_text = _split(url or "")
    if userinfo:
        found += [userinfo, userinfo.partition(":")[2]]
    rest = rest_text.partition("#")
    found += [token.group(0).removeprefix(token.group(1) or "")
              for token in _TELEGRAM_TOKEN.finditer(rest[0].partition("?")[0])]
    for part in (rest[0].partition("?")[2], rest[2]):
        found += [value for _, _, value, secret in _params(part) if secret]
    found += [urllib.parse.unquote_plus(value) for value in found]
    return sorted({value for value in found if value}, key=len, reverse=True)


# An apprise notification URL may carry its secret in any part after scheme://: a bot
# token as the host (tgram://BOT_TOKEN/CHAT), an ntfy topic as a path segment. A server's
# own name is kept: a name with a dot, an IP address, localhost.
_NOTIFY_SERVER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[^:]*\.[^:]*|localhost)(:\d+)?$")
_NOTIFY_SECRET_MIN = 4  # shorter parts are left: masking them would garble apprise's words


def notify_url_secrets(url: str) -> list[str]:
    """What of an apprise URL may be its secret, as written and percent-decoded, longest
    first: its user and password, a host part that is no server's name, each path
    segment, query value and the fragment (a token, a password, an ntfy topic, a
    webhook's id)."""
    rest = url.split("://", 1)[-1]
    rest, _, fragment = rest.partition("#")
    rest, _, query = rest.partition("?")
    netloc, *segments = rest.split("/")
    userinfo, _, host = netloc.rpartition("@")
    parts = [*userinfo.split(":"), *segments, fragment]
    parts += [value for pair in query.split("&") for value in pair.split("=", 1)[1:]]
    if not _NOTIFY_SERVER.fullmatch(host):
        parts += [host, *host.split(":")]
    found = {part for part in parts if len(part) >= _NOTIFY_SECRET_MIN}
    found |= {urllib.parse.unquote(part) for part in found
              if len(urllib.parse.unquote(part)) >= _NOTIFY_SECRET_MIN}
    return sorted(found, key=len, reverse=True)


def _urls_in_text(text: str) -> list[tuple[int, int]]:
    r"""(start, end) of each URL in ``text``, leftmost first and apart, as
    \b[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+ finds them, in linear time: from each "://"
    back over its scheme's characters (no further than the last URL's end) to the first
    letter that starts a word."""
    found: list[tuple[int, int]] = []
    end = 0
    for separator in _SEPARATOR.finditer(text):
        colon = separator.start()
        if colon < end:
            continue
        first = colon
        while first > end and text[first - 1] in _SCHEME_CHARS:
            first -= 1
        start = next((p for p in range(first, colon) if text[p] in _SCHEME_FIRST and (
            p == 0 or not _WORD_CHAR.match(text[p - 1]))), None)
        if start is not None:
            rest = _URL_REST.match(text, colon)
            assert rest is not None  # (the separator's lookahead saw it)
            end = rest.end()
            found.append((start, end))
    return found


def _mask_urls(text: str) -> str:
    """``text`` with every URL in it masked (mask_url)."""
    shown, done = "", 0
    for start, end in _urls_in_text(text):
        shown += text[done:start] + str(mask_url(text[start:end]))
        done = end
    return shown + text[done:]


def mask_text(text: str | None, secrets: Sequence[str] = ()) -> str | None:
    """Text (an error, a message, a page's or a log's text a finding quotes) as the
    records show it: every given secret replaced by ***, then all of mask_command's rules
    (every URL masked, a command line's password options, an HTTP Authorization or
    API-key header, a path's secret-looking query values, an SQL statement's password,
    a MariaDB client's ``unknown variable 'pasword=X'``, an Ansible Vault block's
    payload), and the value of a secret-looking ``key: value`` or ``key = value`` setting
    (mask_ansible_error's: a sync command printing its configuration, ``"password": "x"``):
    a module's text may quote any of them. The given secrets are replaced first: a rule
    masks a value up to a space (``--password=a b`` as ``--password=*** b``), after which a
    secret holding one would no longer be found whole."""
    if not text:
        return text
    shown = text
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            shown = shown.replace(secret, MASK)
    return mask_ansible_error(shown)


def mask_data(value: Any, secrets: Sequence[str] = ()) -> Any:
    """A result (dicts, lists, strings) with mask_text applied to every string."""
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, dict):
        return {key: mask_data(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_data(item, secrets) for item in value]
    return value


def basic_auth(url: str) -> tuple[str, str | None]:
    """The URL without its userinfo, and the HTTP basic Authorization header value that
    userinfo stands for (None without one): urllib would take user:password@ for a host.
    A URL without its scheme is no request's: returned as it is."""
    match = _URL.match(url)
    assert match is not None  # (every part of _URL may be empty)
    if match.group("scheme") is None or match.group("userinfo") is None:
        return url, None
    user, _, password = match.group("userinfo").partition(":")
    token = f"{urllib.parse.unquote(user)}:{urllib.parse.unquote(password)}"
    return (match.group("head") + match.group("rest"),
            "Basic " + base64.b64encode(token.encode()).decode("ascii"))


# Options carrying a secret: --password=X, --pass=X, --passwd=X, --pwd=X, --secret=X,
# --token=X (any prefix, e.g. --ssl-password=X); the word after --password (mydumper reads
# its password from the next argument). -pX and the word after a bare -p only in a
# MariaDB/MySQL client's command (_CLIENT): elsewhere -p is an ordinary short option
# (find -perm, tar -pcf, mkdir -p DIR, ssh -p 22).
_SECRET_VALUE = re.compile(r"^(--?[\w-]*(?:pass(?:word|wd)?|pwd|secret|token)[\w-]*=).+",
                           re.IGNORECASE)
_SECRET_NEXT = ("--password", "--pass", "--passwd")
# A MariaDB/MySQL client's name as a word (mysql, mysqldump, mysqladmin, mysqlcheck, mariadb,
# mariadb-dump, mariadb-admin, mariadb-check, mariabackup, mydumper, myloader...), a path's
# last part included: the text after it is that client's command line. Nothing after it is
# taken for another command (a quoted SQL statement may hold ; or |): a -p option that
# follows a client's name anywhere is masked, the safe side of a line mixing commands.
_CLIENT = re.compile(r"(?<![\w.-])(?:mysql[\w-]*|mariadb[\w-]*|mariabackup|mydumper|myloader)"
                     r"(?![\w./-])")


def _tool(name: str) -> str:
    """A tool's name as a word, a path's last part included."""
    return rf"(?<![\w.-])(?:{name})(?![\w./-])"


# Other tools whose password is an option's value, once their name was given: sshpass's
# -pX or -p X among its own options (before the command it runs, so sshpass -p X ssh -p 22
# keeps the port), 7-Zip's -pX (7z, 7za, 7zr, 7zz), zip's and unzip's -P X, curl's
# user:X of -u, -U, --user or --proxy-user, openssl's -k X (enc's password; curl -k,
# ssh -k and ls -k are other options, and -kfile names a file). Samba's user%X of -U or
# --user is masked after any name (smbclient, rpcclient, net, smbget: nothing else writes
# user%password), and so is the user:X of --user or --proxy-user (curl's, in a wrapper's
# command or a line cut before curl's name; a container's --user name:group is shown as
# name:***, the safe side).
_SSHPASS = _tool("sshpass")
_SEVEN_ZIP = _tool("7z[arz]?")
_ZIP = _tool("(?:un)?zip")
_CURL = _tool("curl")
_OPENSSL = _tool("openssl")
_ARGV_TOOLS = (("mariadb", _CLIENT), ("sshpass", re.compile(_SSHPASS)),
               ("7z", re.compile(_SEVEN_ZIP)), ("zip", re.compile(_ZIP)),
               ("curl", re.compile(_CURL)), ("openssl", re.compile(_OPENSSL)))
_SSHPASS_ARGUMENT = ("-d", "-f", "-P")  # its options whose value is the next word
_CURL_USER = ("-u", "-U")
_USER_OPTIONS = ("--user", "--proxy-user")
_SAMBA_USER = ("-U", "--user", "--username")


def _after(word: str, separator: str) -> str:
    """``word`` with what follows its first ``separator`` replaced by *** (kept without one)."""
    head, found, secret = word.partition(separator)
    return head + found + MASK if found and secret else word


def _glued(word: str, option: str) -> str | None:
    """``word`` masked when it is ``option`` with its value glued (-pX: -p***)."""
    return option + MASK if word.startswith(option) and len(word) > len(option) else None


def _tool_word(word: str, previous: str, tools: set[str]) -> str | None:
    """The word masked by the rules of the tools named before it (None: not a secret)."""
    if ("mariadb" in tools or "sshpass" in tools) and previous == "-p":
        return MASK
    if ("zip" in tools and previous == "-P") or ("openssl" in tools and previous == "-k"):
        return MASK
    if ("curl" in tools and previous in _CURL_USER) or (previous in _USER_OPTIONS and ":" in word):
        return _after(word, ":")
    if previous in _SAMBA_USER and "%" in word:
        return _after(word, "%")
    for tool, option in (("mariadb", "-p"), ("sshpass", "-p"), ("7z", "-p"), ("zip", "-P")):
        shown = _glued(word, option) if tool in tools else None
        if shown:
            return shown
    head, equals, _ = word.partition("=")
    if ("curl" in tools and word[:2] in _CURL_USER) or (
            equals and head in _USER_OPTIONS and ":" in word):
        return _after(word, ":")
    if (word.startswith("-U") or (equals and head in _SAMBA_USER)) and "%" in word:
        return _after(word, "%")
    return None


def _tools_after(word: str, previous: str, tools: set[str]) -> set[str]:
    """The tools whose options may follow ``word``: sshpass's end with the first word of
    the command it runs."""
    named = {name for name, pattern in _ARGV_TOOLS if pattern.search(word)}
    if "sshpass" in tools and not word.startswith("-") and previous not in (
            *_SSHPASS_ARGUMENT, "-p"):
        tools = tools - {"sshpass"}
    return tools | named


def mask_argv(argv: list[str]) -> list[str]:
    """A command line's words with the values of password options replaced by ***
    (-pX and a bare -p's next word once a MariaDB/MySQL client's name was among them;
    the password options of sshpass, 7-Zip, zip, unzip, curl, openssl and Samba's tools)."""
    masked: list[str] = []
    tools: set[str] = set()
    previous = ""
    for word in argv:
        match = _SECRET_VALUE.match(word)
        if previous in _SECRET_NEXT:
            shown = MASK
        elif match:
            shown = match.group(1) + MASK
        else:
            shown = _tool_word(word, previous, tools) or word
        masked.append(shown)
        tools = _tools_after(word, previous, tools)
        previous = word
    return masked


# A quoted value, read whole as SQL reads a string literal (a shell's quoted word is read
# alike, on the safe side: its spaces too): a quote in it doubled ('it''s') or escaped
# ('it\'s'), also as a JSON or Python string shows it (\'X\', \"X\") or a YAML
# single-quoted one (''X'', its quote as ''''). A quote followed by a letter or digit does
# not end it (no statement goes on so; a JSON string's 'it\\'s' does, and a shell word
# 'a b'c goes on); nor does an escaped backslash's quote that a later quote on the line
# may close (a JSON string's 'it\\' s' is SQL's 'it\' s'); unterminated (a cut line), it
# runs to the line's end. '' is the empty string unless what follows it is no space, ; , )
# quote or backslash, or the line's next quote is doubled too (a YAML-quoted ''X''). Each
# form ends at its first unmatched quote, so a line is read once, without backtracking.
def _sql_string(q: str) -> str:
    """The pattern of an SQL string literal quoted by ``q`` (' or ") in its three forms."""
    escaped = (rf"\\{q}(?:[^\\\n]|\\\\(?:\\.|[^\\\n])?|\\{q}\\{q}|\\[^\\{q}\n])*"
               rf"(?:\\{q}|\\?(?=\n|\Z))")
    doubled = (rf"{q}{q}(?!{q})(?=[^\s;,)'\"\\]|[^{q}\n]*{q}{q})"
               rf"(?:[^{q}\\\n]|{q}{{4}}|\\(?:{q}{q}|[^{q}\n])?)*(?:{q}{q}?|(?=\n|\Z))")
    plain = (rf"{q}(?:[^{q}\\\n]|{q}{q}|{q}(?=\w)|\\\\{q}(?=[^{q}\n]*{q})|\\.?)*"
             rf"(?:{q}|(?=\n|\Z))")
    return f"{escaped}|{doubled}|{plain}"


_QUOTED = f"{_sql_string(chr(39))}|{_sql_string(chr(34))}"


# A command line written as one string (a sync command, its error): the value of an
# option or of a NAME=value word whose name holds a secret-looking word (--password=X,
# --api-key X, SYNC_TOKEN=X), and -pX or -p X of the MariaDB/MySQL clients (after
# _CLIENT; mydumper and myloader read their password from the word after a bare -p).
# A word begins after white space, or after a quote, bracket or comma: a message may quote
# an argv as Python or JSON shows it (['mysqldump', '-pX'], b'SYNC_TOKEN=x',
# "--password=a b"): a value in a word a quote began runs to that quote, its spaces too.
# A quoted value (--password="a b", -p'a b', PASSWORD='a b', \"a b\" in a JSON string) is
# read whole (_QUOTED). An argv JSON-escaped inside a JSON string (a registered result
# printed as JSON: "[\"sync\", \"--password=a b\"]") is read alike, its quotes escaped
# (\"): the group ``open_escaped``; a quote after a backslash opens no other word.
_WORD_START = r"(?:^|[\s(\[{,]|(?:(?P<open_escaped>\\)|(?<!\\))(?P<open>['\"]))"


def _up_to_quote(quote: str, escaped: str) -> str:
    """A quoted word's text up to its closing quote, the group ``quote``, its escapes (\\X)
    read whole; when the group ``escaped`` matched (its quote was \\" in a JSON string), up
    to \\" and the quote, the JSON string's own escapes read in pairs (\\\\X: the word's \\X).
    Each character begins one alternative only: read once, without backtracking."""
    plain = rf"(?:\\.|(?!(?P={quote}))[^\\\n])+"
    json = rf"(?:\\\\(?:\\.|[^\\\n])|\\(?!(?P={quote}))[^\\\n]|(?!(?P={quote}))[^\\\n])+"
    return rf"(?({escaped}){json}|{plain})"


def _secret_value(first: str) -> str:
    """A secret value whose first character ``first`` matches, after _WORD_START."""
    return rf"(?={first})(?:{_QUOTED}|(?(open){_up_to_quote('open', 'open_escaped')}|\S+))"


_OPTION_VALUE = _secret_value(r"[^\s-]")
_VALUE = _secret_value(r"\S")
# An option's value may be the next item of an argv quoted as Python or JSON shows it
# (['sync', '--password', 'X'], ["mydumper", "-p", "X"]): after the item's opening quote
# (``item``), its value runs to its closing quote; an item beginning with - is the next
# option (['mysqldump', '-p', '-u', 'sipp'] is kept). The quotes may be escaped, an argv
# JSON-escaped inside a JSON string ("[\"sync\", \"--password\", \"X\"]"): the group
# ``item_escaped``.
_NEXT_ITEM = r"\\?['\"],[ \t]*"
_ITEM = rf"{_NEXT_ITEM}(?P<item_escaped>\\)?(?P<item>['\"])"
# Not the quote ending a word a quote began (['mysql', '-p']: no value glued to -p).
_NO_ITEM_END = rf"(?!{_NEXT_ITEM}|(?(open)(?(open_escaped)\\)(?P=open)|(?!)))"


def _item_or(value: str, first: str = r"[^\s-]") -> str:
    """The next item's value up to its quote after _ITEM, else ``value``."""
    return rf"(?(item)(?={first}){_up_to_quote('item', 'item_escaped')}|{value})"


# The option's or variable's name is taken whole, once (a lookahead's group matched again
# by reference: what Python 3.9 has of an atomic group), and its secret word looked for in
# it: a long name holding the word many times, then no value ("--" + "token" * 8000 + " -")
# was tried at every split of the name, 15 s for 40 KB. A variable's name is taken with
# its '=': the secret word is looked for only in a word followed by one.
_COMMAND_OPTION = re.compile(
    rf"({_WORD_START}--?(?=(?P<option>[\w.-]*))(?=[\w.-]*?(?:{SECRET_NAME.pattern}))"
    rf"(?P=option)(?:=|{_ITEM}|\s+)){_item_or(_OPTION_VALUE)}",
    re.IGNORECASE)
_COMMAND_SHORT_PASSWORD = re.compile(
    rf"({_WORD_START}-p(?:{_ITEM}|{_NO_ITEM_END}\s*)){_item_or(_OPTION_VALUE)}")
_COMMAND_ASSIGNMENT = re.compile(
    rf"({_WORD_START}(?=(?P<name>[\w.-]*)=)(?=[\w.-]*?(?:{SECRET_NAME.pattern}))(?P=name)=)"
    rf"{_VALUE}",
    re.IGNORECASE)
# The other tools' password options (as mask_argv's), in the text after the tool's name up
# to the end of its command (; & | outside quotes, or a line's end); sshpass's among its
# own options only. A user:password (curl) or user%password (Samba) quoted whole
# ('sipp:a b') runs to its quote. An option's value is also the next item of an argv
# quoted as Python or JSON shows it (['curl', '-u', 'sipp:X']).
_COMMAND_END = r"((?:[^;&|\n'\"]|'[^'\n]*'?|\"(?:[^\"\\\n]|\\.)*\"?)*)"
# a user:password or user%password quoted whole, its quote escaped too (\"sipp:a b\")
_USER_QUOTE = r"(?:(?P<user_escaped>\\)?(?P<user>['\"]))?"
_USER_VALUE = rf"(?(user){_up_to_quote('user', 'user_escaped')}|{_VALUE})"
_USER_PASSWORD = rf"{_USER_QUOTE}[^\s:'\"]*:){_USER_VALUE}"
_GAP = rf"(?:\s+|{_NEXT_ITEM}\\?['\"])"  # between two words, or two items of a quoted argv
_QUOTED_OR_WORD = rf"(?:{_QUOTED}|\S+)"
_ANY = r"\S"  # (zip's and openssl's value may begin with -)
# a word (its \ before a quote is an escaped item's end), or one quoted
_ARGUMENT = r"(?:(?:[^\s'\"\\]|\\(?!['\"]))+|'[^'\n]*'|\"[^\"\n]*\")"
# Each with what the tool's name always holds: a text without it is not searched.
_TOOL_OPTIONS = tuple(
    (literal, re.compile(f"({name}){_COMMAND_END}"), re.compile(option))
    for literal, name, option in (
        ("sshpass", _SSHPASS,
         rf"\A((?:{_GAP}(?:-[dfP](?:{_NEXT_ITEM}\\?['\"]|\s*){_ARGUMENT}|-[ehvV]\w*))*"
         rf"{_GAP}-p(?:{_ITEM}|(?!{_NEXT_ITEM})\s*))"
         rf"(?=[^\s-]){_item_or(_QUOTED_OR_WORD)}"),
        ("7z", _SEVEN_ZIP, rf"({_WORD_START}-p{_NO_ITEM_END}){_VALUE}"),
        ("zip", _ZIP, rf"({_WORD_START}-P(?:{_ITEM}|{_NO_ITEM_END}\s*)){_item_or(_VALUE, _ANY)}"),
        ("curl", _CURL, rf"({_WORD_START}-[uU](?:{_NEXT_ITEM}|\s*){_USER_PASSWORD}"),
        ("openssl", _OPENSSL, rf"({_WORD_START}-k(?:{_ITEM}|\s+)){_item_or(_VALUE, _ANY)}"),
    ))
_USER_OPTION = re.compile(
    rf"({_WORD_START}--(?:proxy-)?user(?:{_NEXT_ITEM}|=|\s+){_USER_PASSWORD}")
_SAMBA_CREDENTIALS = re.compile(
    rf"({_WORD_START}(?:-U(?:{_NEXT_ITEM}|\s*)|--user(?:name)?(?:{_NEXT_ITEM}|=|\s+))"
    rf"{_USER_QUOTE}[^\s%'\"]+%)"
    + _USER_VALUE)
# A proxy given without its scheme (curl's -x, --proxy and --preproxy, pip's --proxy, an
# http_proxy variable, apt's Acquire::http::Proxy): a user:password before its host's @
# (the word's last @) is shown as ***@. One written with its scheme is mask_url's; a
# user@host without a password (ssh -x backup@nas) is kept.
_PROXY = re.compile(
    rf"({_WORD_START}(?:-x|[\w.:-]*proxy)(?:{_NEXT_ITEM}|[ \t]*=[ \t]*|[ \t]+)(?:\\?['\"])?)"
    r"(?P<value>[^\s'\"]+)", re.IGNORECASE)


def _proxy(match: re.Match[str]) -> str:
    """A proxy option's or variable's match with a user:password before its host masked."""
    value = match.group("value")
    userinfo, at, host = value.rpartition("@")
    if at and ":" in userinfo and "://" not in value:
        value = MASK + at + host
    return match.group(1) + value


# An HTTP header carrying credentials (Authorization, Proxy-Authorization, an API key's or
# a token's: X-Api-Key, X-Auth-Token, Private-Token), as a failed curl -H, a verbose
# client or a logged request shows it: its value after the scheme (Basic, Bearer...) is
# ***. A value quoted ('Authorization: Bearer X', "X-Api-Key": "X") runs to its quote;
# unquoted, to the line's end or an escaped \r or \n (a JSON string's). Prose
# (Authorization failed) and other headers (Public-Key: (2048 bit)) are kept.
_HEADER_NAME = (r"(?:Proxy-)?Authorization|X-[\w-]*?(?:Key|Token|Secret|Password|Auth|Signature)"
                r"|(?:Api|Private|Access|Auth)-(?:Key|Token)")
_AUTH_SCHEME = (r"Basic|Bearer|Digest|Negotiate|NTLM|Token|OAuth|HOBA|Mutual|ApiKey|Key"
                r"|AWS4-HMAC-SHA256|SCRAM-SHA-(?:1|256)")
_HEADER = re.compile(
    rf"(?P<head>(?P<open>['\"])?(?<![\w-])(?:{_HEADER_NAME})(?![\w-])"
    r"(?:(?(open)(?P=open))[ \t]*:[ \t]*(?P<quote>['\"])|[ \t]*:[ \t]*)"
    rf"(?:(?:{_AUTH_SCHEME})[ \t]+)?)"
    r"(?(quote)(?:\\.|(?!(?P=quote))[^\\\n])+"
    r"|(?(open)(?:\\.|(?!(?P=open))[^\\\n])+|(?:[^\\\r\n]|\\(?![rn]))+))",
    re.IGNORECASE)


# A query's (or fragment's) parameter after a path without its scheme (a request in an
# access log, an HTTP error naming the path: /api?api_key=X&page=2): a secret-looking
# name's value is *** (mask_url's rule for a whole URL). Prose's ? and & are kept.
_QUERY_PARAM = re.compile(r"([?&;#][^\s=&#;?'\"<>]+=)([^\s&#;'\"<>]+)")


def _query_param(match: re.Match[str]) -> str:
    """A path's query parameter with a secret-looking name's value masked."""
    secret = SECRET_NAME.search(urllib.parse.unquote_plus(match.group(1)[1:-1]))
    return match.group(1) + MASK if secret else match.group(0)


# An Ansible Vault block ($ANSIBLE_VAULT;1.1;AES256, or 1.2 with its vault id, then lines
# of hex), as a task printing a vaulted file shows it, its lines indented (a YAML !vault
# value) or joined by a JSON string's \n, or in a diff (--diff: each line after its + or -,
# a context line's space), each line in a terminal's colour (Ansible's coloured output
# ends each line's colour before its newline, \x1b[0m\n, and begins it again after): the
# header is kept, its payload (each following line that is hex alone) shown as one ***. A
# ciphertext, not a plaintext secret, but no part of a record.
_ESCAPED_BREAK = r"(?:\\r)?\\n"  # a JSON string's \n or \r\n
_DIFF_MARK = r"(?:[+-][ \t]*)?"  # a diff line's + or -, before an indent
_BLANK = r"[ \t]*(?:\x1b\[[\d;]*m[ \t]*)?"  # (one run of blanks each side of a colour code)
_LINE_BREAK = rf"{_BLANK}(?:\r?\n|{_ESCAPED_BREAK}){_BLANK}{_DIFF_MARK}"
_HEX_LINE = rf"[0-9a-fA-F]+(?={_BLANK}(?:[\r\n'\"]|\\[rn]|\Z))"
VAULT_HEADER = re.compile(r"\$ANSIBLE_VAULT;[\d.]+;\w+")
_VAULT = re.compile(rf"({VAULT_HEADER.pattern}(?:;[^\s;'\"\\]+)?{_LINE_BREAK})"
                    rf"{_HEX_LINE}(?:{_LINE_BREAK}{_HEX_LINE})*")
# A payload line seen alone (the runner masks its stdout artifact one line at a time, and a
# cause is one line): ansible-vault writes the payload in lines of 80 hex digits, the
# last one shorter. A line that is exactly 80 hex digits, indented or in a terminal's
# colour, after a diff's + or -, or a quoted string that is (a stdout_lines item), is
# masked on its own: no common digest is 80 (sha256 is 64, sha512 128, a git commit 40).
# The last, shorter line is masked only after its header (_VAULT on one line,
# VAULT_PAYLOAD_LINE in lines read one at a time), and is no more than a ciphertext's tail.
_VAULT_LINE = re.compile(
    rf"((?:(?<![^\n])|(?<=\\n)){_BLANK}{_DIFF_MARK}|(?<=['\"]){_DIFF_MARK})"
    rf"[0-9a-fA-F]{{80}}(?={_BLANK}(?:\r?\n|\\[rn]|\Z)|['\"])")
# A payload line read after the line holding its header (VAULT_HEADER): the runner reads
# its stdout artifact one line at a time and masks, after a line holding a header, each
# line that is hex alone, the last, shorter one too, up to the first line that is not
# (runner/sop/masking.py). Hex alone: any number of digits, indented or in a terminal's
# colour, after a diff's + or -, quoted as a stdout_lines item ("6238...",), or runs of
# hex joined by a JSON string's \n; group 1 is what comes before the payload, kept. A
# line that is *** alone in the same way goes on with the block: a task's text reaches the
# artifact masked in its event, its lines of 80 hex digits as *** (_VAULT_LINE) when the
# block was not seen whole, its last, shorter line not.
VAULT_PAYLOAD_LINE = re.compile(
    rf"({_BLANK}{_DIFF_MARK}['\"]?(?:{_ESCAPED_BREAK})?)"
    rf"(?:[0-9a-fA-F]+(?:{_ESCAPED_BREAK}[0-9a-fA-F]+)*|{re.escape(MASK)})"
    rf"(?=(?:{_ESCAPED_BREAK})?['\"]?,?{_BLANK}(?:\r?\n|\r)?\Z)")


# An SQL statement setting a password (a failed GRANT, CREATE USER or ALTER USER quoted in
# an error or a log): IDENTIFIED BY 'X', IDENTIFIED WITH plugin BY 'X', MariaDB's
# IDENTIFIED VIA plugin USING PASSWORD('X'), SET PASSWORD ... = 'X'. The value is quoted
# (SQL's string, so prose such as 'identified by its name' is kept) and read whole
# (_QUOTED); SET PASSWORD's account before '=' is bounded (MariaDB's user and host names
# are).
_SQL_PASSWORD = re.compile(
    r"((?:\bIDENTIFIED(?:\s+(?:WITH|VIA)\s+[\w'\"`]+)?\s+(?:BY|AS|USING)"
    r"|\bSET\s+PASSWORD\b[^=\n]{0,512}=)\s*(?:(?:OLD_)?PASSWORD\b\s*\(?\s*)?)"
    rf"(?:{_QUOTED})",
    re.IGNORECASE)


# A MariaDB/MySQL client's refusal of an option it does not know, from its command line or
# an option file (my.cnf, ~/.my.cnf), quotes the option's value: a password under a
# misspelt name ("mariadb-admin: unknown variable 'pasword=X'") is masked up to the line's
# last quote (its end without one).
_UNKNOWN_OPTION = re.compile(r"(\bunknown variable '[^'=\n]*=)(?:[^\n]*(?=')|[^\n]*)")


def _mask_option(option: re.Pattern[str], command: re.Match[str]) -> str:
    """A tool's command (its name, then the rest) with ``option``'s values masked."""
    return command.group(1) + option.sub(lambda m: m.group(1) + MASK, command.group(2))


def _mask_tool_options(text: str) -> str:
    """``text`` with the password options of the tools named in it masked."""
    for literal, tool, option in _TOOL_OPTIONS:
        if literal in text:
            text = tool.sub(functools.partial(_mask_option, option), text)
    if "-user" in text:  # --user, --proxy-user
        text = _USER_OPTION.sub(lambda m: m.group(1) + MASK, text)
    if "%" in text:  # user%password
        text = _SAMBA_CREDENTIALS.sub(lambda m: m.group(1) + MASK, text)
    return text


def mask_command(text: str | None) -> str | None:
    """A command line written as one string, or a message quoting one, as the records
    show it: every URL masked (mask_url), and the values of secret-looking options
    (``--password=X``, ``--api-key X``) and ``NAME=value`` words replaced by ***, and a
    MariaDB/MySQL client's ``-pX`` or ``-p X`` after its name (``mysql -pX``, ``mydumper
    -p X``; ``find -perm`` is kept), the password options of sshpass, 7-Zip, zip, unzip,
    curl, openssl and Samba's tools, each value read whole when quoted (``--password="a
    b"``), the password of an SQL statement setting one (``IDENTIFIED BY 'X'``), the
    value of an option a MariaDB client refused (``unknown variable 'pasword=X'``), a
    proxy's ``user:X@`` without its scheme (``-x``, ``http_proxy=``), the credentials of an
    HTTP Authorization or API-key header, a path's secret-looking query values
    (``/api?api_key=X``) and an Ansible Vault block's payload (in a diff or a terminal's
    colour too, and a payload line of 80 hex digits alone). An option's value is also the
    next item of an argv quoted as Python or JSON shows it (``['sync', '--password',
    'X']``), or JSON-escaped inside a JSON string (``"[\\"sync\\", \\"--password\\", \\"X\\"]"``).
    Also a Jinja filter on the controller (plugins/filter/sop_module_utils.py), and how the
    runner records a failed task's cause (runner/sop/masking.py); mask_text applies these
    rules after replacing the secrets a module knows, mask_log_line before masking a PHP
    stack frame's login arguments."""
    if not text:
        return text
    return _mask_command_rules(text)


# A rule's pass over a text tries its pattern at each character (about 50 ns each: a 5 MB
# line took 9 s through all of them), so each is skipped when the text lacks what every
# match of it holds: "://" for a URL, a secret-looking word for a variable's or a
# setting's name (_holds_word), an option's - with the secret word of its name after it
# (the last - before it: --ssl-password), a header's name (Authorization, or a - before
# its last word: X-Auth-Token), a tool's name, the '@' a proxy's password is masked before,
# 80 hex digits in a row for a Vault payload's line. Each is looked for in linear time.
_OPTION_HINT = re.compile(rf"-[\w.]*(?:{SECRET_NAME.pattern})", re.IGNORECASE)
_HEADER_HINT = re.compile(r"-\w*(?:key|token|secret|password|auth|signature)", re.IGNORECASE)
_AUTHORIZATION = re.compile(r"authorization", re.IGNORECASE)
_HEX_LINE_DIGITS = re.compile(r"[0-9a-fA-F]{80}")
_SQL_WORDS = re.compile(r"identified|password", re.IGNORECASE)  # IDENTIFIED BY, SET PASSWORD
_CLIENT_NAMES = ("mysql", "maria", "mydumper", "myloader")  # what each _CLIENT name holds


def _holds_word(text: str, words: re.Pattern[str]) -> bool:
    """Whether ``text`` holds one of the words of ``words`` (lowercase words joined by |,
    compiled IGNORECASE) in any case. An ASCII text is lowered and each word looked for
    with ``in`` (several times faster than the pattern's IGNORECASE search); another is
    searched with the pattern, whose IGNORECASE also reads the long s as s and the Kelvin
    sign as k."""
    if text.isascii():
        lowered = text.lower()
        return any(word in lowered for word in words.pattern.split("|"))
    return words.search(text) is not None


def _mask_command_rules(text: str) -> str:
    """``text`` with all of mask_command's rules applied."""
    shown = _mask_urls(text) if "://" in text else text
    if ":" in shown and (_holds_word(shown, _AUTHORIZATION) or _HEADER_HINT.search(shown)):
        shown = _HEADER.sub(lambda m: m.group("head") + MASK, shown)
    shown = _QUERY_PARAM.sub(_query_param, shown)
    if "$ANSIBLE_VAULT;" in shown:
        shown = _VAULT.sub(lambda m: m.group(1) + MASK, shown)
    if _HEX_LINE_DIGITS.search(shown):
        shown = _VAULT_LINE.sub(lambda m: m.group(1) + MASK, shown)
    if _holds_word(shown, _SQL_WORDS):
        shown = _SQL_PASSWORD.sub(lambda m: m.group(1) + MASK, shown)
    if "unknown variable '" in shown:
        shown = _UNKNOWN_OPTION.sub(lambda m: m.group(1) + MASK, shown)
    return _mask_command_line(shown)


# The OpenSSH settings (ssh_config(5), sshd_config(5), any case as ssh reads them) whose
# names hold a secret-looking word but whose values never are secrets (yes/no, a list of
# algorithms, a number, a path): kept, `ssh -o StrictHostKeyChecking=yes` and
# `PasswordAuthentication: yes` read as they are, not as ***.
_OPENSSH_SETTINGS = frozenset(name.lower() for name in (
    "AddKeysToAgent", "AuthenticationMethods", "AuthorizedKeysCommand",
    "AuthorizedKeysCommandUser", "AuthorizedKeysFile", "CASignatureAlgorithms",
    "ChallengeResponseAuthentication", "EnableSSHKeysign", "ExposeAuthInfo",
    "GSSAPIAuthentication", "GSSAPICleanupCredentials", "GSSAPIDelegateCredentials",
    "HostKey", "HostKeyAgent", "HostKeyAlgorithms", "HostKeyAlias", "HostbasedAuthentication",
    "KbdInteractiveAuthentication", "KerberosAuthentication", "KerberosOrLocalPasswd",
    "MaxAuthTries", "MaxSessions", "NumberOfPasswordPrompts", "PasswordAuthentication",
    "PermitEmptyPasswords", "PreferredAuthentications", "PubkeyAcceptedAlgorithms",
    "PubkeyAcceptedKeyTypes", "PubkeyAuthentication", "RekeyLimit", "RevokedHostKeys",
    "SecurityKeyProvider", "StrictHostKeyChecking", "TrustedUserCAKeys", "UpdateHostKeys",
    "VerifyHostKeyDNS", "VisualHostKey",
))
# The project's own role settings whose names hold a secret-looking word by accident
# (it_security_outside_group's "outside" holds "sid", website_integrity_spam_keywords'
# "keywords" holds "key"): a group's name and a list of words, no secrets. Kept, so a
# role's refusal reads whole ("pengaturan salah: website_integrity_spam_keywords: must
# be a list, not true", not "...: ***"). Passwords and the paths of key and password
# files stay masked; tests/modules/test_server_modules.py checks every role option
# with such a name against this list (a new one fails it until someone decides).
_PROJECT_SETTINGS = frozenset(("it_security_outside_group", "website_integrity_spam_keywords"))
# A kept setting's whole name: an OpenSSH setting's in any case, the project's as its
# role names it. NAME=value (_assignment), a ``key: value`` setting (_SECRET_SETTING) and
# an event's key (SECRET_SETTING_KEY, runner/sop/masking.py) keep their values.
_KEPT_SETTING = re.compile(
    rf"(?:(?i:{'|'.join(sorted(_OPENSSH_SETTINGS))})"
    rf"|{'|'.join(sorted(_PROJECT_SETTINGS))})(?!\w)")


def _assignment(match: re.Match[str]) -> str:
    """A secret-looking NAME=value word with its value masked; a kept setting's kept
    (_KEPT_SETTING: OpenSSH's, the project's own)."""
    if _KEPT_SETTING.fullmatch(match.group("name")):
        return match.group(0)
    return match.group(1) + MASK


def _mask_command_line(text: str) -> str:
    """``text`` with the password options of a command line in it masked: the values of
    secret-looking options and ``NAME=value`` words, the password options of the tools
    named in it, a proxy's ``user:X@`` and a MariaDB/MySQL client's ``-pX``."""
    if _OPTION_HINT.search(text):
        text = _COMMAND_OPTION.sub(lambda m: m.group(1) + MASK, text)
    if "=" in text and _holds_word(text, SECRET_NAME):
        text = _COMMAND_ASSIGNMENT.sub(_assignment, text)
    text = _mask_tool_options(text)
    if "@" in text:  # (_proxy keeps a value without one)
        text = _PROXY.sub(_proxy, text)
    return _mask_client_password(text)


def _mask_client_password(text: str) -> str:
    """``text`` with a MariaDB/MySQL client's ``-pX`` or ``-p X`` after its name masked."""
    if not any(name in text for name in _CLIENT_NAMES):
        return text
    client = _CLIENT.search(text)
    if not client or text.find("-p", client.end()) == -1:
        return text
    head, tail = text[:client.end()], text[client.end():]
    return head + _COMMAND_SHORT_PASSWORD.sub(lambda m: m.group(1) + MASK, tail)


# A setting an Ansible error quotes from an inventory, a vars file or extra vars, in YAML,
# JSON or INI form (password: x, sipp_sync_api_token: x, ansible_become_password: "x",
# {'sipp_db_password': 'x'}, DB_Password: x, "dbPassword": "x", password = x): its key is a
# name holding a secret-looking word (SECRET_NAME, as for NAME=value), written snake_case or
# UPPER_CASE, or mixed-case with the secret word last and capitalised (DB_Password,
# dbPassword, ApiKey: not KeyError or SessionTimeout), and followed at once by ':' (and a
# space when unquoted, as YAML requires) or by ' = ' (INI). Prose ("error: password file
# not found"), an exception's name (KeyError: 'x') or a capitalised word alone before ': '
# (Token: ...) is not taken for one; quoted ("Password": "x", a JSON key) or before ' = '
# it is; a kept setting's name (_KEPT_SETTING: PasswordAuthentication,
# website_integrity_spam_keywords) is none, its value and what follows it read as the rest
# of the text (a secret setting after it on its line still masked). Its value is masked
# whatever it is (null too): a quoted string; unquoted, the rest of the line (a YAML plain
# value may hold spaces), or in a flow collection ([key: x, ...], {key: x}) up to its next
# , ] or }. Kept: the YES or NO of MariaDB's and MySQL's "Access denied for user 'u'@'h'
# (using password: YES)", which says whether a password was sent, not which. Nothing else
# after a secret word's colon is taken for prose ("password: too short" is masked too): a
# passphrase of plain words ("the cat is on the mat") reads as prose as well.
_CAPITALISED = "|".join(word.capitalize() for word in SECRET_NAME.pattern.split("|"))
_SETTING_KEY = (rf"(?:[a-z0-9_]*(?:{SECRET_NAME.pattern.lower()})[a-z0-9_]*"
                rf"|[A-Z0-9_]*(?:{SECRET_NAME.pattern.upper()})[A-Z0-9_]*"
                rf"|[A-Za-z0-9_]*[A-Za-z0-9]_?(?:{_CAPITALISED})[a-z0-9]*)")
_KEY_ANY_CASE = rf"(?!{_KEPT_SETTING.pattern})(?:{_SETTING_KEY}|(?:{_CAPITALISED})[a-z0-9]*)"
# A secret setting's name (sipp_db_password, DB_Password, dbPassword; no kept setting's),
# as a quoted ``"key": value`` mask_ansible_error masks has it: the runner masks the
# values of such keys in the events it keeps as artifacts (runner/sop/masking.py).
SECRET_SETTING_KEY = re.compile(_KEY_ANY_CASE)


def _whole_key(group: str) -> str:
    """_KEY_ANY_CASE read as the whole run of its characters, the lowercase and the
    UPPER_CASE name each taken once (a lookahead's group matched again by reference: what
    Python 3.9 has of an atomic group). What follows a key (a quote, : or =) is none of
    them, so only the whole run was ever a key; a long name holding the secret word many
    times, then no colon ("key" * 13000: 40 KB), was tried at every split, 17 s."""
    lower, upper = SECRET_NAME.pattern.lower(), SECRET_NAME.pattern.upper()
    return (rf"(?:(?=(?P<{group}_lower>[a-z0-9_]*?(?:{lower})[a-z0-9_]*))(?P={group}_lower)"
            rf"|(?=(?P<{group}_upper>[A-Z0-9_]*?(?:{upper})[A-Z0-9_]*))(?P={group}_upper)"
            rf"|[A-Za-z0-9_]*[A-Za-z0-9]_?(?:{_CAPITALISED})[a-z0-9]*)")


# Every setting's key (a run of [A-Za-z0-9_]) is followed by its colon, after its closing
# quote, or by '=': a word without one is passed before the key's forms are tried.
_SECRET_SETTING = re.compile(
    r"(?P<head>(?P<flow>[{\[,][ \t]*)?(?<![\w.-])(?=(?:'\w+'|\"\w+\"|\w+):|\w+[ \t]*=)"
    rf"(?!['\"]?{_KEPT_SETTING.pattern})"
    rf"(?:(?P<quote>['\"])(?:{_whole_key('quoted')}|(?:{_CAPITALISED})[a-z0-9]*)(?P=quote):[ \t]*"
    rf"|(?P<bare>{_whole_key('bare')}):[ \t]+"
    rf"|(?:{_whole_key('assigned')}|(?:{_CAPITALISED})[a-z0-9]*)"
    rf"(?:[ \t]+=[ \t]*|[ \t]*=[ \t]+)(?!=)))"
    r"(?:'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.)*\"|(?(flow)[^\s,\]}][^,\]}]*|\S.*))")


def mask_ansible_error(text: str | None) -> str | None:
    """Ansible's own error line (a playbook, inventory or extra-vars problem) as the
    records show it: mask_command's rules, and the value of a secret-looking ``key: value``
    or ``key = value`` setting it quotes (``'[sipp_db_password: x]' could not be made into
    a dictionary``, ``DB_Password: x``, ``"dbPassword": "x"``); the client's ``(using
    password: YES)`` is kept.
    How the runner records an execution's error when no task failed (runner/sop/masking.py)."""
    shown = mask_command(text)
    if not shown or not (":" in shown or "=" in shown) or not _holds_word(shown, SECRET_NAME):
        return shown
    return _SECRET_SETTING.sub(_setting, shown)


# MariaDB's "(using password: YES)": the YES or NO, and its closing parenthesis, kept.
_USING_PASSWORD = re.compile(r"(YES|NO)\)")


def _setting(match: re.Match[str]) -> str:
    """A secret setting's match with its value masked; the client's ``(using password:
    YES)`` kept, and what follows it on the line masked by the same rule."""
    head, value = match.group("head"), match.group(0)[len(match.group("head")):]
    said = _USING_PASSWORD.match(value)
    if (said and match.group("bare") == "password" and not match.group("flow")
            and match.string.endswith("(using ", 0, match.start())):  # (no copy of the text)
        return head + said.group(0) + _SECRET_SETTING.sub(_setting, value[said.end():])
    return head + MASK


# A value in a configuration export: a quoted string with \"; one in a script's source
# (source="... password=\"a b\" ..."), quoted with \" and its own escapes doubled; or a
# word (\$pass, a variable in a source) ending at a space or at a quote before a space or
# the line's end, which closes the string around it (source="... password=\$pass"): that
# quote is no part of the value and stays; anything else after the key (an unclosed \")
# up to a space.
_EXPORT_VALUE = (r'"(?:[^"\\]|\\.)*"|\\"(?:[^"\\]|\\\\(?:\\.|[^\\])|\\[^"\\])*\\"'
                 r'|(?:[^\s"\\]|\\[^\s"]|"(?=\S))+|\S+')
# key=value of a configuration export (RouterOS with show-sensitive) whose value is a
# secret (_EXPORT_VALUE; keys as RouterOS 6 and 7 name them: a
# WireGuard peer's preshared-key, OSPF's auth-key, BGP's tcp-md5-key, a wireless
# profile's management-protection-key; a MACsec interface's cak, its connectivity
# association key, which RouterOS 7 generates when none is given; a disk's
# encryption-key; a RouterOS 6 User Manager user's wireless-enc-key and wireless-psk,
# its WEP key and WPA pre-shared key; a Bluetooth tag's mtik-key, which decrypts its
# advertisements; User Manager's paypal-signature, a PayPal API credential; a SIM
# card's PIN, an LTE or PPP modem's pin and /tool sms' sim-pin, whole keys: pin in
# another key is none, ping-timeout). The key is the whole
# run of [\w-] before its '=', taken once (a lookahead's group matched again by reference,
# as _COMMAND_ASSIGNMENT's), then searched for a secret word: [\w-]* before the word was
# tried at each of its occurrences, a line of one word repeated (comment=passwordpassword...,
# which a router's administrator may write) read in quadratic time, 6 s for 256 KB and
# about 25 minutes for an export of routeros_check's 4 MiB.
_SECRET_ASSIGNMENT = re.compile(
    r"(?<![\w-])((?=(?P<key>[\w-]*)=)(?=[\w-]*?(?:password|passphrase|secret|pre-?shared-key"
    r"|private-key|auth(?:entication)?-key|enc(?:ryption)?-key|md5-key|protection-key|static-key"
    r"|psk|mtik-key|paypal-signature))(?P=key)=|cak=|(?:sim-)?pin=)"
    rf"({_EXPORT_VALUE})")


def mask_assignments(text: str) -> str:
    """``text`` with the values of secret-holding keys replaced by ********: the diff goes
    into the task result and the SOP's record, which must never hold a secret."""
    return _SECRET_ASSIGNMENT.sub(r"\1********", text)


def _export_value(key: str) -> re.Pattern[str]:
    """``key``=value in an export line, its value as _EXPORT_VALUE reads it."""
    return re.compile(rf"(?<![\w-])({key}=)({_EXPORT_VALUE})")


# A value that is a secret only in its menu, so lines are masked knowing theirs: an SNMP
# v1/v2c community is known by its name, which is its password (a RouterOS export shows it,
# hide-sensitive too, as the name of a /snmp community entry, and as /snmp's
# trap-community); an NTP authentication key is /system ntp key's key-val (so RouterOS
# 7.9 to 7.24 name it; key too, its key-id kept); a container's environment variable is
# /container envs' value (key=DB_PASSWORD value=X), every one masked: a variable's name
# does not tell whether its value holds a password (DATABASE_URL=mysql://sipp:X@db/sipp).
# A ZeroTier instance's identity (/zerotier) is address:0:public key:private key, the
# node's private key (a network's id, an interface's network=, is no secret; neither is
# an 802.1X client's identity=, its user name); RIP's authentication key is /routing rip
# keys' key, an IPsec post-quantum pre-shared key /ip ipsec key psk's key (its id kept),
# and a LoRa gateway's key for its network server (Basics Station's authorization
# token) /iot lora servers' key, /lora servers' with the lora package; elsewhere key=
# names a key (/ip ipsec identity's) or a variable (/container envs').
_MENU_SECRETS = (("/snmp community", _export_value("name")),
                 ("/system ntp key", _export_value("key(?:-val)?")),
                 ("/container envs", _export_value("value")),
                 ("/zerotier", _export_value("identity")),
                 ("/routing rip keys", _export_value("key")),
                 ("/ip ipsec key psk", _export_value("key")),
                 ("/iot lora servers", _export_value("key")),
                 ("/lora servers", _export_value("key")))
_TRAP_COMMUNITY = _export_value("trap-community")
# A PEM private key written into a script's source or a file's contents (its lines joined
# with RouterOS's \r\n escapes on one export line): its body, to its END line or the
# export line's end, which no key name before it announces.
_PEM_PRIVATE_KEY = re.compile(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----).*?"
                              r"(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)")


def mask_export_lines(lines: list[str]) -> list[str]:
    """The lines of a configuration export as a record may show them: the values of
    secret-holding keys masked (mask_assignments), and the values that are secrets in
    their menu (_MENU_SECRETS: SNMP community names, NTP, RIP and IPsec PSK keys,
    container variables, ZeroTier identities, LoRa server keys), and
    the body of a PEM private key (_PEM_PRIVATE_KEY)."""
    shown: list[str] = []
    menu = ""
    for line in lines:
        if line.startswith("/"):
            menu = line.rstrip("\r\n")  # "/snmp community", or a terse line's own path
        masked = _PEM_PRIVATE_KEY.sub(r"\1********\2",
                                      _TRAP_COMMUNITY.sub(r"\1********", mask_assignments(line)))
        for secret_menu, value in _MENU_SECRETS:
            if (menu + " ").startswith(secret_menu + " "):
                masked = value.sub(r"\1********", masked)
        shown.append(masked)
    return shown


# A PHP stack trace in a web server's or PHP's error log shows a failed call's arguments:
# PDO->__construct('mysql:host=...', 'sipp', 'the password'), mysqli_connect(...), and
# any function named for a login (connect, login, auth, bind, passw...). The arguments of
# such a frame, up to its closing parenthesis before the next frame (#N, a written \n, a
# quote ending nginx's FastCGI message) or the end of the line, are replaced by ***.
_LOG_CALL = re.compile(
    r"((?:\b(?:PDO|mysqli)->__construct|\b\w*(?:connect|login|auth|bind|passw)\w*)\()"
    r".*?(?=\)\s*(?:#\d|\\n|\"|$)|$)",
    re.IGNORECASE)


def mask_log_line(text: str) -> str:
    """A log line (journal, a service's error log) or a cron line as the records show it:
    all of mask_command's rules (every URL masked, the password of an SQL statement
    setting one, ``IDENTIFIED BY 'X'``: a failed GRANT in MariaDB's or an application's
    log; ``NAME=value`` words and the values of options with a secret-looking name,
    ``--password X``; the password options of the tools mask_command knows by name, a
    command cron runs or logs: ``CMD (curl -u sipp:X ...)``, ``mysqldump -uroot -pX``; the
    value of an option a MariaDB client refused, ``unknown variable 'pasword=X'``...),
    then the arguments of a PHP stack frame that logs in (PDO's constructor,
    mysqli_connect...)."""
    return _LOG_CALL.sub(lambda m: m.group(1) + MASK, _mask_command_rules(text))
