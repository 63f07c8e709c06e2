"""Text that came from a host, shown to a person: its invisible characters made visible.

A record holds what the hosts reported, exactly (a planted file's name, a log's sample
line, a post's title): evidence is not rewritten. Whoever broke into a court's website
chooses those names, so wherever they are shown (the terminal, the reports, the
notifications) a control character would act instead of showing: ESC sequences clear or
rewrite the admin's terminal lines, a carriage return overwrites a line, and Unicode's
bidirectional controls reorder what is read (`shell\\u202egnp.php` reads as
`shellphp.png`), and what Unicode draws as nothing (a zero-width space, a soft hyphen, a
tag character) hides in a name (`index.php\\u200b` reads as the site's own index.php).
`visible` writes each of them as its escape, the way nginx writes a request's control
bytes in its log, and a backslash that would start such an escape as `\\x5c` (so a name
spelled `shell\\u202egnp.php` cannot pass for one holding the control; other backslashes,
a Windows path's `C:\\Users`, stay as they are). A name a host wrote in bytes that are no
UTF-8 (a file an intruder named `shell\\xff.php`) reaches Python as a lone surrogate, which
no UTF-8 terminal, file or message can hold: it is written as its escape too
(`shell\\udcff.php`).
`json_text` (`--json`) uses JSON's own escapes, so the data stays exact. `is_text` tells a
command line's value that is no text at all; `quoted` quotes one in an error, which
`visible` then shows, and `shortened` cuts a name an error quotes.
"""

from __future__ import annotations

import json
import re

# C0 controls but tab and newline, DEL, C1 controls, Unicode's line and paragraph
# separators (str.splitlines and browsers break lines there), the bidirectional marks,
# embeddings, overrides and isolates (Unicode's Bidi_Control characters), the characters
# drawn as nothing (Unicode's Default_Ignorable_Code_Point: soft hyphen, zero-width space
# and joiners, word joiner, Hangul fillers, variation selectors, byte order mark, tag
# characters), and the lone surrogates (a byte that is no UTF-8, as Python keeps it:
# surrogateescape).
_CONTROLS = (
    r"\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    r"\ud800-\udfff\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_HIDDEN = re.compile(f"[{_CONTROLS}]")
# ...and, for `visible`, a backslash that reads as one of its escapes: before `x` or `u`,
# or before `U` and eight hex digits (a Windows path's `C:\Users` is none).
_ESCAPE_LIKE = r"\\(?=[xu]|U[0-9a-fA-F]{8})"
_SHOWN = re.compile(f"[{_CONTROLS}]|{_ESCAPE_LIKE}")
_SHOWN_OR_NEWLINE = re.compile(f"[{_CONTROLS}\\n]|{_ESCAPE_LIKE}")
# ...and, for `is_one_line`, tab and newline too.
_NOT_ONE_LINE = re.compile(f"[{_CONTROLS}\\t\\n]")
# The characters of a name an error quotes (`shortened`), the rest cut ("…").
_SHOWN_NAME_CHARS = 60


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def json_text(data: object) -> str:
    """``data`` as indented JSON, exact, with those characters as JSON's own ``\\uXXXX``
    escapes (JSON is ASCII outside its strings, so only string contents change, and a
    reader decodes them back to the same text). ValueError for a number JSON has not
    (infinity, NaN), which no JSON reader takes."""
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    # json.dumps' own escape: a character past U+FFFF as its surrogate pair
    return _HIDDEN.sub(lambda match: json.dumps(match.group())[1:-1], text)


def visible(text: str, *, newlines: bool = True) -> str:
    """`text` with every control character and every character drawn as nothing written as
    its escape (`\\x1b`, `\\u202e`, `\\u200b`, `\\U000e0041`), a lone surrogate too
    (`\\udcff`: a byte that is no UTF-8), and a backslash that reads as such an escape as
    `\\x5c`; newlines kept unless `newlines` is false (one value that must not fake
    a next line). What it returns is always valid UTF-8."""
    return (_SHOWN if newlines else _SHOWN_OR_NEWLINE).sub(_escape, text)


def quoted(value: str) -> str:
    """`value` between quotes, as repr quotes it, each character as it is: for a message
    shown by `visible` (sop's errors), which writes a control character as its escape,
    once. repr's escapes were escaped again there: a typed `a\\b` shown as `'a\\\\b'`,
    an ESC as `'\\x5cx1b'`."""
    quote = '"' if "'" in value and '"' not in value else "'"
    return f"{quote}{value}{quote}"


def shortened(name: str) -> str:
    """`name` to its _SHOWN_NAME_CHARS-th character, "…" for the rest: for an error quoting
    a name that names nothing (an unknown SOP, an execution's unknown activity), which a
    name pasted whole (a file's content, a log line) filled the screen with."""
    return name if len(name) <= _SHOWN_NAME_CHARS else name[:_SHOWN_NAME_CHARS] + "…"


def shown(value: object) -> str:
    """`value` of a file (a catalogue's, an inventory's) as an error quotes it, cut
    (`shortened`: a value pasted whole filled the screen): a text quoted once (`quoted`),
    what else YAML gives (its 7, None, a list) as repr writes it."""
    return quoted(shortened(value)) if isinstance(value, str) else shortened(repr(value))


def is_text(value: str) -> bool:
    """`value` can be written as UTF-8: it holds no byte the system passed that was not
    UTF-8 (Python keeps those of sys.argv as lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_one_line(value: str) -> bool:
    """`value` holds none of those control characters, nor a tab or a line break: a name
    the records, the reports' tables and the notifications show as one line."""
    return _NOT_ONE_LINE.search(value) is None
