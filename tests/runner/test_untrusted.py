"""sop.untrusted.visible: a host's text shown with its control characters as escapes."""

from __future__ import annotations

import json

from sop.untrusted import json_text, shown, visible


def test_controls_are_escaped_and_text_kept() -> None:
    assert visible("a\x1b[2Kb\rc\x00\x7f\x85") == "a\\x1b[2Kb\\x0dc\\x00\\x7f\\x85"
    assert visible("shell\u202egnp.php \u2066x\u2069 \u200f") == (
        "shell\\u202egnp.php \\u2066x\\u2069 \\u200f"
    )
    # Indonesian, other scripts, emoji, tabs and newlines are text.
    text = "Pengadilan Negeri Bangil\tjudi online 日本 ✓ \U0001f3b0\nbaris dua"
    assert visible(text) == text


def test_one_value_cannot_fake_a_next_line() -> None:
    assert visible("a.php\nsemua bersih", newlines=False) == "a.php\\x0asemua bersih"
    # Unicode's line and paragraph separators: lines to str.splitlines and to browsers
    assert visible("a.php\u2028semua\u2029bersih") == "a.php\\u2028semua\\u2029bersih"
    assert visible("a\tb", newlines=False) == "a\tb"


def test_json_is_exact_and_shows_no_control() -> None:
    data = {"finding": "x\x1b[2K\x85shell\u202egnp.php", "kata": "Pengadilan — 日本"}
    text = json_text(data)
    assert json.loads(text) == data
    assert "\\u001b" in text and "\\u0085" in text and "\\u202e" in text
    assert not {"\x1b", "\x85", "\u202e"} & set(text)
    assert "Pengadilan — 日本" in text


def test_a_name_cannot_pass_for_an_escape() -> None:
    # A planted name spelled with a backslash ("shell\u202egnp.php" as text) was shown
    # exactly like a name holding the real control: the reader could not tell which one
    # the host had. A backslash that starts what reads as an escape is itself escaped;
    # other backslashes (Windows paths, regexes) stay as they are.
    planted = "shell\\u202egnp.php"
    assert visible(planted) == "shell\\x5cu202egnp.php"
    assert visible(planted) != visible("shell\u202egnp.php")
    assert visible("a\\x1b \\x5c") == "a\\x5cx1b \\x5cx5c"
    assert visible("C:\\Users\\admin \\d+\\.php") == "C:\\Users\\admin \\d+\\.php"


def test_a_byte_that_is_no_utf8_is_shown_as_its_escape() -> None:
    # A file an intruder named in bytes that are no UTF-8 reaches Python as a lone
    # surrogate, which no UTF-8 terminal, file or message can hold: shown as its escape
    # (a name spelled with that escape still cannot pass for it), exact in JSON.
    name = b"shell\xff.php".decode("utf-8", "surrogateescape")
    assert visible(name) == "shell\\udcff.php"
    assert visible(name, newlines=False) == "shell\\udcff.php"
    assert visible("shell\\udcff.php") == "shell\\x5cudcff.php"
    assert visible("\ud83d\ude04").encode("utf-8") == b"\\ud83d\\ude04"  # a split pair too
    text = json_text({"path": name})
    assert text.encode("utf-8") == b'{\n  "path": "shell\\udcff.php"\n}'
    assert json.loads(text) == {"path": name}


def test_what_is_drawn_as_nothing_is_shown() -> None:
    # Unicode's default-ignorable characters are drawn as nothing by terminals, browsers,
    # WeasyPrint and mail readers: a webshell named `index.php` + U+200B read as the site's
    # own index.php in every report and message (a look at the real one found it clean),
    # and tag characters carried a whole text no reader sees. Each is shown as its
    # escape, a character past U+FFFF as \UXXXXXXXX; JSON keeps them exact.
    hidden = (
        "index.php\u200b wp\u200c\u200d-login\u2060.php \ufeffshell.ph\u00adp x\ufe0f "
        "kosong\u3164 a\U000e0041\U000e0042"
    )
    assert visible(hidden) == (
        "index.php\\u200b wp\\u200c\\u200d-login\\u2060.php \\ufeffshell.ph\\xadp x\\ufe0f "
        "kosong\\u3164 a\\U000e0041\\U000e0042"
    )
    assert visible("a\\U000e0041") == "a\\x5cU000e0041"  # a name spelled so is not one
    assert visible("C:\\Users\\admin") == "C:\\Users\\admin"  # a path's \U stays as it is
    text = json_text({"path": hidden})
    assert json.loads(text) == {"path": hidden}
    assert "\\u200b" in text and "\\udb40\\udc41" in text  # JSON's own escapes
    assert not {"\u200b", "\u00ad", "\U000e0041"} & set(text)


def test_a_files_value_is_shown_quoted_once_and_cut() -> None:
    # a text quoted as repr quotes it, its characters as they are (visible escapes them
    # once); what else YAML gives as repr writes it; either cut after 60 characters
    assert shown("a\\b") == "'a\\b'"
    assert shown("it's") == "\"it's\""
    assert shown(7) == "7" and shown(None) == "None" and shown(["a"]) == "['a']"
    assert shown("x" * 100) == "'" + "x" * 60 + "…'"
    assert shown(["x" * 100]) == "['" + "x" * 58 + "…"
