# GPL-3.0-or-later
"""Injected content in pages and CMS posts: gambling-spam keywords, hidden text and links,
and cloaking (a page that differs for search engines).

Stdlib only (runs on the managed host, Python 3.9+).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import html
import html.entities
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from html.parser import HTMLParser
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from ansible.module_utils.sop_bahasa import angka
from ansible.module_utils.sop_http import as_browser, browser_location, scheme_followed

# Online-gambling spam injected into Indonesian government sites (BSSN, 2024-2025).
SPAM_KEYWORDS = ["slot gacor", "judi online", "judi slot", "judi bola", "situs slot",
                 "slot online", "slot88", "slot777", "togel", "toto macau", "maxwin",
                 "scatter hitam", "rtp slot", "rtp live", "sbobet", "pragmatic play",
                 "bandar togel", "bandar judi", "gacor", "deposit pulsa", "akun pro",
                 "situs toto", "mahjong ways"]
# Spam also glues its words, in its domain names and titles, to the words it is sold with
# (situs, daftar, link, agen) and to lottery markets and payment channels (hk, sgp, dana):
# situsgacor, daftarslotgacor, togelhk. A keyword, or one of the stems below, counts with
# prefixes glued before it and suffixes after it. A stem alone, or glued to an ordinary
# word, is an ordinary word (a time slot, Toto, Kasino, bola voli, sepakbola); so is a
# spam word with "-an" (gacoran: a bird that sings well; togelan).
SPAM_STEMS = ["slot", "judi", "toto", "bola", "poker", "casino", "kasino"]
SPAM_PREFIXES = ["situs", "daftar", "link", "agen", "bandar", "login", "rtp", "bo", "bocoran",
                 "pola", "akun", "demo", "prediksi", "idn"]
SPAM_SUFFIXES = ["hk", "sgp", "sdy", "hongkong", "singapore", "sidney", "sydney", "macau",
                 "online", "terpercaya", "resmi", "terbaru", "terbaik", "terbesar", "hariini",
                 "dana", "pulsa", "qris", "thailand", "kamboja", "vip", "demo", "login"]
# Prefixes, and suffixes, that one compound holds at most (linkdaftaragenslot: three).
AFFIXES = 3
# A keyword's fingerprint (spam_fingerprint) holds this many characters of the text as read
# on each side of it: an edit further away leaves it as it was, spam glued to the keyword
# or written beside it does not.
SPAM_CONTEXT = 40
# Matches not yet accepted that a finding shows at most (it counts them all).
SPAM_MATCHES_SHOWN = 20
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")
BROWSER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                 "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
CRAWLER_AGENT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
# Chrome on an Android phone (its reduced User-Agent): injected redirects often wait for
# a phone coming from a search result.
MOBILE_AGENT = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36")
SEARCH_REFERER = "https://www.google.com/search?q={host}"
# A Refresh header or <meta http-equiv="refresh"> sends the visitor on after its wait,
# however long: a visitor who stays on the page (a court's schedule left open) is sent all
# the same, and a hijack need only wait a little longer than a limit. One waiting longer
# than this many seconds is named with its wait (a visitor may read the page first).
REFRESH_SECONDS = 10
# A wait of more digits than this (over 31 years) sends no visitor anywhere.
REFRESH_DIGITS = 9
# A <base href> as relative addresses are read against it: its scheme, host and port, and
# at most this much of its path. Its credentials, query and the rest of its path change
# no address's host; joined to each of a page's many addresses, a base of megabytes would
# cost their product. A host longer than a DNS name may be leads nowhere.
BASE_PATH_CHARS = 2048
DNS_NAME_CHARS = 253
# The event handlers a browser runs without the visitor doing anything (a page's or an
# image's onload, a broken image's onerror): read as inline scripts. A click's or a
# pointer's handler is a link the visitor follows, not the page sending every visitor.
_UNASKED_HANDLERS = ("onload", "onpageshow", "onerror")
# How a meta refresh in a <noscript> (or one read against a <base> there) is named: it
# sends on the browsers without JavaScript and the crawlers reading the markup.
NOSCRIPT_REFRESH = "meta refresh (noscript)"
# What ends a <noscript> for a browser with JavaScript, to which its content is text: the
# first "</noscript" before whitespace, "/" or ">", wherever a markup reader reads it (in a
# comment, a script, a style, an attribute).
_NOSCRIPT_END = re.compile(r"</noscript[\t\n\f\r />]", re.IGNORECASE)
# A refresh's time: digits, then digits and dots (ignored: "0.5" is 0 seconds).
_REFRESH_TIME = re.compile(r"[\t\n\f\r ]*(\d*)([\d.]*)")
# A script's assignment to location (location, window.location, document.location, each
# with or without .href) or call of location.replace/assign, before its string literal.
# A script is the attacker's: each match reads at most LITERAL_CHARS of its literal, so
# that the page is read in linear time.
_SCRIPT_REDIRECT = re.compile(
    r"(?<![\w$.])(?:(?:window|document)\.)?location"
    r"(?:(?:\.href)?\s*=(?!=)|\.(?:replace|assign)\s*\()\s*([\"'`])")
LITERAL_CHARS = 2048
# A literal's text after its opening quote (at most LITERAL_CHARS; a template's up to its
# first ${), and its closing quote when nothing is joined to it (no "+" follows).
_LITERALS = {quote: re.compile(
    rf"((?:[^{quote}{'$' if quote == '`' else ''}\\\r\n]|\\[^\r\n]){{0,{LITERAL_CHARS}}})"
    rf"({quote}(?!\s*\+))?") for quote in "\"'`"}
_JS_ESCAPE = re.compile(
    r"\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_JS_CHARACTERS = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# An address of another site as a script writes it: http(s) or protocol-relative.
_ABSOLUTE = re.compile(r"(?:https?:)?//", re.IGNORECASE)
# ... with what follows its host (a path, query or fragment): the host is whole.
_WHOLE_HOST = re.compile(r"(?:https?:)?//[^/?#]*[/?#]", re.IGNORECASE)
_ASCII_SPACE = "\t\n\f\r "
# A link a browser reads as one of its page's <base href> host whatever that is: a path
# from the root ("/x", not "//x" nor "/\\x", nor "/<tab>/x": a tab or newline is
# dropped), a query or fragment, or a relative path with no ":" before its first "/"
# (not "http:x", which may name a host). Others are read and joined (page_links).
_BASE_HOST = re.compile(r"/(?![/\\\t\n\r])|[?#]|[^\x00-\x20/\\:?#][^:/\\?#]*(?:[/?#]|\Z)")
# What is read of each page: Googlebot indexes the first 15 MB of an HTML file (Google
# Search Central, "Googlebot", file size limit), so spam padded past a smaller limit
# would still be indexed; what lies beyond is not indexed and is not read either.
PAGE_BYTES = 15 << 20
# Styles that hide an element from people but not from search engines (see hides). A
# page is the attacker's: every pattern here and below runs in time linear in the page.
# display:none and visibility:hidden: the hiding another rule can undo (see hiding_selectors).
_TOGGLED = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_HIDING = re.compile(
    _TOGGLED.pattern + r"|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem)?"
    r"\s*(?:;|!|$)|(?:left|top|right|text-indent|margin-left)\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em)"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|!|$)|clip\s*:\s*rect\(\s*0")
_TINY = re.compile(r"(?:height|width)\s*:\s*[01]px")
_OVERFLOW_HIDDEN = re.compile(r"overflow\s*:\s*hidden")
# SQL REGEXP (MariaDB PCRE) selecting the rows worth parsing: a hiding style or a keyword.
SQL_HIDDEN = (r"display[[:space:]]*:[[:space:]]*none|visibility[[:space:]]*:[[:space:]]*hidden"
              r"|font-size[[:space:]]*:[[:space:]]*0|-[0-9]{3,}(px|em)|opacity[[:space:]]*:"
              r"[[:space:]]*0")
# What splits a keyword for a filter but not for a reader or Google: character references
# (sl&#111;t, slot&nbsp;gacor), styled letters (readable), invisible characters (soft
# hyphen, zero-width space, joiners, word joiner, BOM) and tags inside a word (s<b></b>lot).
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# Inline elements do not separate words on the page; block elements (div, p, li) do.
_INLINE = ("a|abbr|b|bdi|bdo|cite|code|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span"
           "|strike|strong|sub|sup|tt|u|var")
_INLINE_TAG_START = re.compile(rf"</?(?:{_INLINE})\b")
# An inline tag as MariaDB's REGEXP reads it: a name ending as _INLINE_TAG_START's "\b".
_SQL_INLINE_TAG = f"</?({_INLINE})([^[:alnum:]_>][^>]*)?>"
# A keyword's letters, digits and separators ("-", "_", "+", whitespace), lower-case.
_KEYWORD_TEXT = re.compile(r"[a-z0-9\-_+\s]")
# What the database's REGEXP reads as written: printable ASCII and POSIX [:space:].
_SQL_AS_WRITTEN = re.compile(r"[ -~\t\n\r\f\v]")
# Hiding by class or id: rules of the page's own <style> elements (injected spam brings
# its CSS with it; the theme's stylesheets are other files and are not fetched).
_STYLE_START = re.compile(r"<style\b")
# A compound selector of classes and ids, optionally after a tag: "div.a.b", "#x".
_CSS_COMPOUND = re.compile(r"([a-z][a-z0-9]*)?((?:[.#][a-z0-9_-]+)+)")
# A declaration that shows an element (a menu opened on hover, a media query).
_CSS_SHOWS = re.compile(r"display\s*:\s*(?!none)[a-z]|visibility\s*:\s*visible")
# Checks of an element against the page's rules naming more than one class or id, at most
# (a page of many such rules and many elements would otherwise cost their product).
RULE_CHECKS = 1_000_000
# Time to parse a page (or post) at most: this much, and PARSE_SECONDS_PER_MIB more per
# MiB of it (Python's HTMLParser reads about 300 KB a second of plain markup). Python's
# own HTMLParser takes time squared on some crafted markup (CVE-2025-6069: thousands of
# unclosed "<a " took minutes, a 15 MiB page years) where the host's Python is not
# patched; a page not parsed in time is a finding of its own, not a stalled check.
PARSE_SECONDS = 30.0
PARSE_SECONDS_PER_MIB = 10.0
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr", "param"})


def hides(style: str) -> bool:
    """Whether a style (lower-case) hides: not displayed, invisible, zero-size font,
    off-screen, transparent, clipped away, or 0-1 px high or wide with overflow hidden."""
    return bool(_HIDING.search(style)
                or (_TINY.search(style) and _OVERFLOW_HIDDEN.search(style)))


def _between(text: str, start: re.Pattern[str], opener_end: str, closer: str) -> list[str]:
    """What lies between each match of ``start`` (up to ``opener_end``) and the next
    ``closer``, in one pass: once a closer is missing, nothing later can close."""
    found, pos = [], 0
    while (match := start.search(text, pos)) is not None:
        begin = text.find(opener_end, match.end())
        end = text.find(closer, begin + len(opener_end)) if begin >= 0 else -1
        if end < 0:
            break
        found.append(text[begin + len(opener_end):end])
        pos = end + len(closer)
    return found


def style_sheets(markup: str) -> str:
    """The CSS of the page's <style> elements, lower-case, comments removed."""
    css = " ".join(_between(markup.lower(), _STYLE_START, ">", "</style"))
    kept, pos = [], 0
    while (begin := css.find("/*", pos)) >= 0:
        kept.append(css[pos:begin])
        end = css.find("*/", begin + 2)
        pos = len(css) if end < 0 else end + 2
    return "".join([*kept, css[pos:]])


def without_inline_tags(text: str) -> str:
    """``text`` without the inline elements' tags (see _INLINE), in one pass."""
    return _inline_tags_removed(text)[0]


def _inline_tags_removed(text: str) -> tuple[str, list[int], list[int]]:
    """``text`` without the inline elements' tags, and where each piece kept begins in
    it and in ``text`` (ascending both)."""
    kept, starts, origins, pos, length = [], [], [], 0, 0
    for match in _INLINE_TAG_START.finditer(text):
        if match.start() < pos:
            continue  # inside a tag already removed
        end = text.find(">", match.end())
        if end < 0:
            break
        kept.append(text[pos:match.start()])
        starts.append(length)
        origins.append(pos)
        length += match.start() - pos
        pos = end + 1
    kept.append(text[pos:])
    starts.append(length)
    origins.append(pos)
    return "".join(kept), starts, origins


def css_rules(css: str) -> list[tuple[str, str, bool]]:
    """(selectors, declarations, unconditional) of each rule; rules inside at-rules
    (@media, @supports) are conditional, and at-rules themselves are not rules."""
    rules: list[tuple[str, str, bool]] = []
    preludes: list[str] = []  # of the blocks open around this point
    start = 0
    for brace in re.finditer(r"[{}]", css):
        text, start = css[start:brace.start()], brace.end()
        if brace.group() == "{":
            preludes.append(text.rsplit(";", 1)[-1].strip())  # after "@import ...;"
        elif preludes:  # (a stray closing brace closes nothing)
            prelude = preludes.pop()
            if not prelude.startswith("@"):
                rules.append((prelude, text, not preludes))
    return rules


def hiding_selectors(markup: str) -> list[tuple[str, frozenset[str], str]]:
    """(tag or "", its classes and ids as ".class" and "#id", the rule) of each selector
    that hides what it selects, from the page's <style> elements: unconditional rules
    whose declarations hide (as hides). Hiding by display:none or visibility:hidden
    alone does not count where another rule shows the same class or id (a menu opened on
    hover, a media query); off-screen, zero-size or transparent text always counts. Only
    a selector's last compound is read: ".footer .x" hides every ".x"."""
    css = style_sheets(markup)
    hiding: list[tuple[str, frozenset[str], str, bool]] = []
    shown: set[str] = set()
    for selectors, declarations, unconditional in css_rules(css):
        hidden = hides(declarations)
        toggled = hidden and not hides(_TOGGLED.sub("", declarations))
        for selector in selectors.split(","):
            parts = selector.split()
            last = re.split(r"[>+~]", parts[-1])[-1] if parts else ""
            match = _CSS_COMPOUND.match(last)
            if not match:
                continue
            names = frozenset(re.findall(r"[.#][a-z0-9_-]+", match.group(2)))
            if not hidden and _CSS_SHOWS.search(declarations):
                shown.update(names)
            if hidden and unconditional and match.end() == len(last):  # no pseudo-class
                rule = f"{' '.join(parts)} {{{' '.join(declarations.split())}}}"
                hiding.append((match.group(1) or "", names, rule, toggled))
    return [(tag, names, rule) for tag, names, rule, toggled in hiding
            if not (toggled and names & shown)]


class KeywordPattern(NamedTuple):
    """Keywords as keyword_pattern reads them."""

    # a keyword, or a stem with a letter beside it, then its suffixes (group "suffixes"),
    # ending where no letter follows or another keyword or stem does
    regex: re.Pattern[str]
    glued: tuple[str, ...]  # the keywords and stems without spaces: one right before a word
    prefixes: tuple[str, ...]  # the longest first


def _words(words: Iterable[str], glue: bool) -> list[str]:
    """``words`` lower-case, without repeats, the longest first (spaces in a word glued
    when ``glue``, otherwise single)."""
    joiner = "" if glue else " "
    written = {joiner.join(w.lower().split()) for w in words} - {""}
    return sorted(written, key=lambda w: (-len(w.replace(" ", "")), w))


def _either(words: dict[str, str]) -> str:
    """An alternation of the keys of ``words``, each followed by its value (what must hold
    where it ends), where a space also matches '-', '_', '+' and nothing, written as a
    trie: a beginning words share is tried once at each position of a page, not once per
    word (half the time of a plain alternation), a longer word first."""
    trie: dict[str, Any] = {}
    for word, end in words.items():
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = end
    return _trie_regex(trie) if words else "(?!)"


def _trie_regex(node: dict[str, Any]) -> str:
    branches = [(r"[\s\-_+]*" if char == " " else re.escape(char)) + _trie_regex(child)
                for char, child in node.items() if char]
    branches += [node[""]] if "" in node else []
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def keyword_pattern(keywords: list[str], stems: Iterable[str] = (),
                    prefixes: Iterable[str] = (), suffixes: Iterable[str] = ()) -> KeywordPattern:
    """Keywords as one pattern, the longest first: spaces also match '-', '_', '+' and
    nothing. A keyword counts with no letter beside it, digits and another keyword it is
    glued to included (slotgacor777, gacor4d, slot88gacor), not inside an ordinary word
    (togelan, akun profil); so does a keyword or a stem with ``prefixes`` glued before it
    or ``suffixes`` after it (at most AFFIXES each: daftarslotgacor, togelhk), a stem only
    so or glued to another keyword or stem (agenslot, slotmaxwin): see found_keywords."""
    keyword_words = _words(keywords, glue=False)
    stem_words = [s for s in _words(stems, glue=True) if s not in keyword_words]
    # a stem with a letter after it or before it: alone, it is no match, so that a page of
    # them is searched by the regex alone
    either = _either({**dict.fromkeys(keyword_words, ""),
                      **{s: rf"(?:(?=[a-z])|(?<=[a-z].{{{len(s)}}}))" for s in stem_words}})
    after = _either(dict.fromkeys(_words(suffixes, glue=True), ""))
    regex = re.compile(rf"(?:{either})(?=(?P<suffixes>(?:{after}){{0,{AFFIXES}}})"
                       rf"(?:(?![a-z])|{either}))")
    return KeywordPattern(regex, tuple(k.replace(" ", "") for k in keyword_words + stem_words),
                          tuple(_words(prefixes, glue=True)))


def sql_keyword_regexp(keywords: list[str], stems: Iterable[str] = (),
                       prefixes: Iterable[str] = (), suffixes: Iterable[str] = ()) -> str | None:
    """The keywords as a MariaDB REGEXP, its words also apart by inline tags, and each
    stem glued after a prefix or before a suffix or stem: with the keywords, what every
    compound keyword_pattern reads holds. None without keywords and stems: an empty
    REGEXP would select every row."""
    between = f"([-_+[:space:]]|{_SQL_INLINE_TAG})*"
    found = [between.join(re.escape(w) for w in k.lower().split()) for k in keywords if k.split()]
    stem_words = _words(stems, glue=True)
    if stem_words:
        before = "|".join(map(re.escape, _words(prefixes, glue=True)))
        after = "|".join(map(re.escape, _words([*suffixes, *stem_words], glue=True)))
        glued = "|".join(map(re.escape, stem_words))
        found += [f"({before})({glued})"] if before else []
        found.append(f"({glued})({after})")
    return "|".join(found) or None


def sql_prefilters(keywords: list[str], stems: Iterable[str] = (), prefixes: Iterable[str] = (),
                   suffixes: Iterable[str] = ()) -> list[str]:
    """The REGEXPs selecting the rows that may hold a keyword as found_keywords reads it
    (sql_keyword_regexp and sql_disguised); none without keywords and stems."""
    regexp = sql_keyword_regexp(keywords, stems, prefixes, suffixes)
    return [] if regexp is None else [regexp, sql_disguised()]


def _ascii_by_case(char: str) -> bool:
    """Whether case-insensitive matching reads ``char`` as an ASCII letter (U+0130 dotted
    I, U+0131 dotless i, U+017F long s, U+212A Kelvin sign): in a class of a REGEXP under
    WordPress's _ci collations it would select every "s" or "k". None is needed there:
    LOWER() writes U+0130 as "i" and U+212A as "k", the REGEXP reads U+017F as "s" itself,
    and U+0131 is no keyword letter to readable() either."""
    return re.fullmatch("[a-z]", char, re.IGNORECASE) is not None


def _sql_class(chars: set[str]) -> str:
    """A REGEXP bracket expression of ``chars``, consecutive ones as ranges."""
    codes = sorted(map(ord, chars))
    ranges, start = [], 0
    for i, code in enumerate(codes):
        if i + 1 == len(codes) or codes[i + 1] != code + 1:
            ranges.append(chr(codes[start]) + (f"-{chr(code)}" if code > codes[start] else ""))
            start = i + 1
    return f"[{''.join(ranges)}]"


@functools.cache
def sql_disguised() -> str:
    """A REGEXP (POSIX classes only: MariaDB's PCRE, MySQL 8's ICU and MySQL 5.7's regex all
    read it) selecting the rows that may hide a keyword from sql_keyword_regexp but not
    from readable(), so that every row the check would flag is read (a draft's page is
    never fetched): a numeric character reference; a named one, or a character, that
    readable() reads as a keyword's letters, digits or separators or drops (found from
    this Python's own references and NFKC); an inline tag inside a word."""
    def reads_as_keyword(value: str) -> bool:
        read = readable(value)
        return bool(_KEYWORD_TEXT.search(read.lower())) or len(read) < len(value)

    # "&nbsp" is read without its ";" (a name HTML kept from before HTML5), "&sopf;" not
    names = sorted({re.escape(name.lower()) for name, value in html.entities.html5.items()
                    if reads_as_keyword(value)})
    chars = {c for c in map(chr, range(0x110000))
             if not _SQL_AS_WRITTEN.match(c) and reads_as_keyword(c)}
    chars |= {c.lower() for c in chars}  # as LOWER() writes them
    chars = {c for c in chars
             if len(c) == 1 and not _SQL_AS_WRITTEN.match(c) and not _ascii_by_case(c)}
    return (f"&#[0-9x]|&({'|'.join(names)})|{_sql_class(chars)}"
            f"|[[:alnum:]]({_SQL_INLINE_TAG})+[[:alnum:]]")


def readable(text: str) -> str:
    """``text`` with its character references decoded, its letters styled by Unicode
    (mathematical bold or italic, full-width, circled: compatibility forms, NFKC) as
    plain letters and its invisible characters dropped: the words as a reader, or
    Google, reads them."""
    return unicodedata.normalize("NFKC", html.unescape(text)).translate(_INVISIBLE)


def found_keywords(text: str, pattern: KeywordPattern) -> list[str]:
    """The distinct keywords in ``text`` (markup or plain) as a reader reads them,
    lower-case, also where inline tags split a word."""
    return sorted({keyword for keyword, _start, _end in _spans(readable(text).lower(), pattern)})


def _spans(plain: str, pattern: KeywordPattern) -> Iterator[tuple[str, int, int]]:
    """(keyword, start, end) of each keyword of ``plain`` (readable, lower-case), also
    where inline tags split a word: its span in ``plain`` then holds them."""
    for start, end in _keywords(plain, pattern):
        yield re.sub(r"[\s\-_+]+", " ", plain[start:end]), start, end
    stripped, starts, origins = _inline_tags_removed(plain)

    def origin(at: int) -> int:
        piece = bisect.bisect_right(starts, at) - 1
        return origins[piece] + at - starts[piece]

    for start, end in _keywords(stripped, pattern):
        yield re.sub(r"[\s\-_+]+", " ", stripped[start:end]), origin(start), origin(end - 1) + 1


def _compound_start(text: str, start: int, pattern: KeywordPattern) -> int:
    """Where the word at ``start`` of ``text`` begins with the prefixes glued before it
    (the longest first, at most AFFIXES): no letter, or a keyword or stem, before them.
    -1 when an ordinary word is glued there."""
    for _ in range(AFFIXES + 1):
        if not start or not "a" <= text[start - 1] <= "z" or text.endswith(pattern.glued, 0, start):
            return start
        if not text.endswith(pattern.prefixes, 0, start):
            return -1
        start -= len(next(p for p in pattern.prefixes if text.endswith(p, 0, start)))
    return -1


def _keywords(text: str, pattern: KeywordPattern) -> Iterator[tuple[int, int]]:
    """Where the keywords of ``text`` (lower-case) begin and end, with their prefixes and
    suffixes, with no letter before them, or another keyword glued there (the pattern
    checks what follows). One rejected is searched past by a character, so that a keyword
    inside it still counts (xslot gacor: gacor)."""
    pos = 0
    while (match := pattern.regex.search(text, pos)) is not None:
        start = _compound_start(text, match.start(), pattern)
        if start < 0:
            pos = match.start() + 1
            continue
        pos = match.end() + len(match.group("suffixes"))
        yield start, pos


def spam_fingerprint(kind: str, where: str, keyword: str, before: str, after: str) -> str:
    """What was found where: the first 32 hex digits of the sha256 of the JSON list
    ["spam-v1", kind (page, post, option), where (the page's path, the post's id, the
    option's name), the keyword, the SPAM_CONTEXT characters before it and after it]."""
    text = json.dumps(["spam-v1", kind, where, keyword, before, after])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def spam_matches(kind: str, where: str, texts: Iterable[str],
                 pattern: KeywordPattern) -> list[dict[str, str]]:
    """Each keyword of ``texts`` (markup or plain, of one page, post or option) as
    found_keywords reads it: {fingerprint (spam_fingerprint), keyword, context (the text
    as read around it, the keyword in brackets)}, one per fingerprint. The text as read
    is readable(), lower-case, each run of whitespace one space, so that a page indented
    anew keeps its fingerprints."""
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    for text in texts:
        plain = readable(text).lower()
        collapsed, at = _whitespace_collapsed(plain)
        for keyword, start, end in _spans(plain, pattern):
            before = collapsed[max(0, at(start) - SPAM_CONTEXT):at(start)]
            after = collapsed[at(end):at(end) + SPAM_CONTEXT]
            if (keyword, before, after) not in found:  # a page of one word repeated: hashed once
                fingerprint = spam_fingerprint(kind, where, keyword, before, after)
                found[keyword, before, after] = {
                    "fingerprint": fingerprint, "keyword": keyword,
                    "context": f"{before}[{plain[start:end]}]{after}"}
    return list(found.values())


def _whitespace_collapsed(text: str) -> tuple[str, Callable[[int], int]]:
    """``text`` with each run of whitespace one space, and where a place of ``text`` that
    is not inside such a run is in it."""
    ends, removed, total = [0], [0], 0
    for run in re.finditer(r"\s{2,}", text):
        total += len(run.group()) - 1
        ends.append(run.end())
        removed.append(total)
    return re.sub(r"\s+", " ", text), lambda at: at - removed[bisect.bisect_right(ends, at) - 1]


def accepted_spam(entries: list[dict[str, Any]]) -> dict[str, str]:
    """The fingerprints of spam_accepted ({fingerprint, note}), each with its note ("" for
    none); ValueError naming an entry that is no fingerprint."""
    accepted = {}
    for entry in entries:
        fingerprint = str(entry["fingerprint"]).strip().lower()
        if not _FINGERPRINT.fullmatch(fingerprint):
            raise ValueError(f"spam_accepted: {entry['fingerprint']!r} is no fingerprint "
                             "(32 hex digits, as a finding names it)")
        accepted[fingerprint] = entry.get("note") or ""
    return accepted


def settle_spam(findings: list[dict[str, Any]], accepted: dict[str, str]) -> tuple[
        list[dict[str, Any]], list[dict[str, Any]], list[dict[str, str]]]:
    """``findings`` split by the spam accepted (fingerprint: note): those that still fail,
    the spam findings accepted (``acceptable`` ones, with ``matches``, every match's
    fingerprint accepted; each match with its note), and the accepted entries no match
    has (stale). A failing spam finding shows the matches not accepted (at most
    SPAM_MATCHES_SHOWN), counts them (``unaccepted``) and says how to accept them."""
    failing, settled = [], []
    seen: set[str] = set()
    for finding in findings:
        matches = finding.get("matches")
        if matches is None:
            failing.append(finding)
            continue
        seen.update(m["fingerprint"] for m in matches)
        new = [m for m in matches if m["fingerprint"] not in accepted]
        if finding["acceptable"] and matches and not new:
            settled.append({**finding, "matches": [{**m, "note": accepted[m["fingerprint"]]}
                                                   for m in matches]})
        else:
            failing.append(_not_accepted(finding, new, len(matches) - len(new)))
    stale = [{"fingerprint": fp, "note": note} for fp, note in accepted.items() if fp not in seen]
    return failing, settled, stale


def _not_accepted(finding: dict[str, Any], new: list[dict[str, str]],
                  accepted: int) -> dict[str, Any]:
    """A spam finding that still fails, its ``new`` matches shown, and how to accept them."""
    detail = finding["detail"]
    if not finding["acceptable"] and finding["matches"]:
        detail += ("; tidak dapat diterima sebagai teks pengadilan: halaman, pos atau opsi ini "
                   "juga memuat teks/tautan tersembunyi, cloaking atau markup yang tidak "
                   "selesai diurai")
    elif new:
        shown = [m["fingerprint"] for m in new[:SPAM_MATCHES_SHOWN]]
        more = len(new) - len(shown)
        detail += ((f" ({accepted} kecocokan lain sudah diterima)" if accepted else "")
                   + "; bila ini teks pengadilan sendiri (mis. berita perkara perjudian), "
                   "periksa konteksnya (matches) lalu tambahkan sidiknya ke "
                   "website_integrity_spam_accepted: " + ", ".join(shown)
                   + (f" (dan {more} lagi)" if more else ""))
    return {**finding, "matches": new[:SPAM_MATCHES_SHOWN], "unaccepted": len(new),
            "detail": detail}


class _OutOfTime(Exception):
    """The page's parsing time ran out (PageScan.complete is false)."""


class PageScan(HTMLParser):
    """Visible words, link hosts, what hidden elements carry (text and links), and what
    may send the visitor on: its meta refreshes' contents, its inline scripts and the
    event handlers a browser runs unasked, and its <base href>."""

    def __init__(self, hiding: list[tuple[str, frozenset[str], str]] | None = None,
                 deadline: float | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self._deadline = deadline  # time.monotonic() by which parsing ends
        self.complete = True  # false: parsing ran out of time, what it read still counts
        # The page's hiding_selectors: those naming one class or id by that name, looked
        # up per element; the others checked one by one, within RULE_CHECKS.
        self._by_name: dict[str, list[tuple[str, str]]] = {}
        self._compound: list[tuple[str, frozenset[str], str]] = []
        for tag, names, rule in hiding or []:
            if len(names) == 1:
                self._by_name.setdefault(next(iter(names)), []).append((tag, rule))
            else:
                self._compound.append((tag, names, rule))
        self.rule_checks_left = RULE_CHECKS
        self.words: set[str] = set()
        self.text: list[str] = []
        self.links: set[str] = set()
        self.hidden: list[dict[str, Any]] = []
        self.base: str | None = None  # the first <base href>'s, as written
        # ... as a browser without JavaScript reads the page: a <noscript>'s markup is its
        self.base_without_js: str | None = None
        # each <meta http-equiv="refresh">'s content, the <base href> before it with
        # JavaScript and without, and whether it is in a <noscript> (read without only)
        self.refreshes: list[tuple[str, str | None, str | None, bool]] = []
        # the inline scripts' text and the handlers', each begun with a newline: a
        # browser runs none in a <template> or a <noscript> (see _live)
        self.scripts: list[str] = []
        # "</noscript" ended the open <noscript> for a browser with JavaScript, where the
        # parser read no end tag: what follows is markup to that browser
        self._noscript_ended = False
        # Open elements, and counts kept beside them so that no tag or text scans the
        # stack (a page nesting a million elements must not take a million squared).
        self._stack: list[tuple[str, bool]] = []
        self._open: dict[str, int] = {}  # open elements per tag
        self._hiding = 0  # open elements that hide
        self._skip = 0  # inside script/style

    def updatepos(self, i: int, j: int) -> int:
        """HTMLParser's step past each piece of markup: the deadline is checked here, so
        that a parse taking time squared on crafted markup ends in time."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise _OutOfTime
        return super().updatepos(i, j)

    def _hidden_depth(self) -> bool:
        return self._hiding > 0

    def _push(self, tag: str, hidden: bool) -> None:
        self._stack.append((tag, hidden))
        self._open[tag] = self._open.get(tag, 0) + 1
        self._hiding += hidden
        self._skip += tag in ("script", "style", "noscript", "template")

    def _live(self, text: str) -> str:
        """What of ``text``, read by the parser in a <noscript>, a browser with JavaScript
        reads as markup: none up to the first "</noscript" (the <noscript>'s content is
        text to it), the rest from there (see _NOSCRIPT_END); all of it outside one or
        once that browser has ended it."""
        if not self._open.get("noscript") or self._noscript_ended:
            return text
        end = _NOSCRIPT_END.search(text)
        if end is None:
            return ""
        self._noscript_ended = True
        return text[end.start():]

    def _noscript_text(self, text: str) -> None:
        """A piece the parser read in a <noscript> that is no script's text (a comment,
        a declaration, a tag, a style, text): markup to a browser with JavaScript from a
        "</noscript" in it on, its scripts among it, read as scripts (not a <template>'s)."""
        if self._open.get("noscript") and not self._noscript_ended:
            live = self._live(text)
            if live and not self._open.get("template"):
                self.scripts.append("\n" + live)

    def handle_comment(self, data: str) -> None:
        self._noscript_text(data)

    def handle_decl(self, decl: str) -> None:
        self._noscript_text(decl)

    def unknown_decl(self, data: str) -> None:
        self._noscript_text(data)

    def handle_pi(self, data: str) -> None:
        self._noscript_text(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._noscript_text(self.get_starttag_text() or "")
        values = {k: (v or "") for k, v in attrs}
        if not self._skip:  # (inside a <template> or <noscript>: inert)
            self.scripts += ["\n" + values[name] for name in _UNASKED_HANDLERS
                             if values.get(name)]
            if tag == "base" and "href" in values and self.base is None:
                self.base = values["href"]
        # A <template>'s content is inert in every browser; a <noscript>'s is markup to a
        # browser without JavaScript (and to a crawler reading the markup), text to one with.
        template, noscript = self._open.get("template", 0) > 0, self._open.get("noscript", 0) > 0
        if not template and tag == "base" and "href" in values and self.base_without_js is None:
            self.base_without_js = values["href"]
        if tag in ("script", "style", "noscript", "template"):
            self._push(tag, False)
            self.scripts += ["\n"] if tag == "script" else []
            return
        if (tag == "meta" and not template
                and values.get("http-equiv", "").strip().lower() == "refresh"):
            self.refreshes.append((values.get("content", ""), self.base, self.base_without_js,
                                   noscript))
        href = values.get("href", "")
        if tag == "a" and href:
            self.links.add(href)
            if self._hidden_depth():
                self.hidden[-1]["links"].append(href)
        if tag in VOID:
            return
        style = values.get("style", "")
        hidden = "hidden" in values or hides(style.lower())
        if not hidden and (self._by_name or self._compound):
            rule = self._hiding_rule(tag, values)
            hidden, style = rule is not None, rule or style
        if hidden and not self._hidden_depth():
            self.hidden.append({"tag": tag, "style": style, "text": [],
                                "links": [href] if tag == "a" and href else []})
        self._push(tag, hidden)

    def _hiding_rule(self, tag: str, values: dict[str, str]) -> str | None:
        """The page's rule that hides this element, if any (see RULE_CHECKS)."""
        names = {"." + c for c in values.get("class", "").lower().split()}
        if values.get("id"):
            names.add("#" + values["id"].lower())
        for name in names:
            for selector_tag, rule in self._by_name.get(name, ()):
                if selector_tag in ("", tag):
                    return rule
        if len(names) < 2:
            return None
        for selector_tag, wanted, rule in self._compound:
            if self.rule_checks_left <= 0:
                return None
            self.rule_checks_left -= 1
            if selector_tag in ("", tag) and wanted <= names:
                return rule
        return None

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open ``tag`` and what is open inside it; an end tag with
        nothing to close is ignored (each element is closed once: linear overall)."""
        if not self._open.get(tag):
            return
        while True:
            closed, hidden = self._stack.pop()
            self._open[closed] -= 1
            self._hiding -= hidden
            self._skip -= closed in ("script", "style", "noscript", "template")
            self._noscript_ended &= self._open.get("noscript", 0) > 0
            if closed == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1][0] == "script":
            # a <template>'s script is inert, a <noscript>'s never run (text to a browser
            # with JavaScript, and one without runs none)
            if not self._open.get("template"):
                self.scripts.append(self._live(data))
        else:
            self._noscript_text(data)
        if self._skip:
            return
        if self._hidden_depth():
            self.hidden[-1]["text"].append(data)
            return
        self.text.append(data)
        self.words.update(re.findall(r"\w{3,}", data.lower()))


def scan_html(html: str, seconds: float | None = None) -> PageScan:
    """The page parsed within ``seconds`` (PARSE_SECONDS and PARSE_SECONDS_PER_MIB of its
    size when not given); PageScan.complete tells whether it all was."""
    if seconds is None:
        seconds = PARSE_SECONDS + PARSE_SECONDS_PER_MIB * len(html) / (1 << 20)
    scan = PageScan(hiding_selectors(html), time.monotonic() + seconds)
    try:
        scan.feed(html)
        scan.close()
    except (AssertionError, ValueError):  # malformed markup: what was parsed still counts
        pass
    except _OutOfTime:
        scan.complete = False
    return scan


_AUTHORITY = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//([^/?#]*)", re.IGNORECASE)


def link_host(link: str) -> str:
    """The host of a link, lower-case ("" for a relative one). A link urlsplit refuses
    (an unclosed or invalid IPv6 bracket: ValueError) is the page's, written to be
    refused: its host is read as written, between "//" and the path, without the
    user and the port."""
    try:
        return (urlsplit(link).hostname or "").lower()
    except ValueError:
        match = _AUTHORITY.match(link.strip())
        if match is None:
            return ""
        host = match.group(1).rpartition("@")[2]
        name, colon, port = host.rpartition(":")
        return (name if colon and port.isdigit() else host).lower()


def read_refresh(content: str, asked: str) -> tuple[int, str] | None:
    """(seconds, address): after how long and where a Refresh header's or meta refresh's
    ``content`` sends the visitor, read as the HTML standard's declarative refresh steps
    read it (``0;url=X``, ``5, 'X'``, ``0; X``; sop_http.browser_location, against
    ``asked``: the page's address, or its <base href>); None when it names no address (a
    reload of the page itself), is no refresh, or waits more than REFRESH_DIGITS digits."""
    match = _REFRESH_TIME.match(content)  # always: every part may be empty
    if match is None or not match.group(1) + match.group(2):  # no time: no refresh
        return None
    rest = content[match.end():]
    if rest and rest[0] not in ";," + _ASCII_SPACE:
        return None
    rest = rest.lstrip(_ASCII_SPACE)
    rest = rest[1:] if rest[:1] in (";", ",") else rest
    rest = rest.lstrip(_ASCII_SPACE)
    named = re.match(r"url[\t\n\f\r ]*=[\t\n\f\r ]*", rest, re.IGNORECASE)
    if named:
        rest = rest[named.end():]
    if named or rest[:1] not in ("u", "U"):  # the standard's "skip quotes"
        quote = rest[:1] if rest[:1] in ("'", '"') else ""
        rest = rest[1:].partition(quote)[0] if quote else rest
    seconds = match.group(1).lstrip("0")  # (int() refuses thousands of digits)
    if not rest or len(seconds) > REFRESH_DIGITS:
        return None
    return int(seconds or 0), browser_location(rest, asked)


def base_url(href: str | None, asked: str) -> str:
    """The address a page's relative addresses are read against: its <base href>
    (``href``; None without one) as a browser reads it, joined to the page's address
    ``asked``, reduced to what decides where they lead (BASE_PATH_CHARS); that address
    itself without one, or for one that is no http(s) URL with a host a DNS name may be."""
    if href is None:
        return asked
    try:
        parts = urlsplit(urljoin(asked, browser_location(href, asked)))
        host, port = parts.hostname or "", parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        return asked
    if parts.scheme.lower() not in ("http", "https") or not host or len(host) > DNS_NAME_CHARS:
        return asked
    netloc = (f"[{host}]" if ":" in host else host) + ("" if port is None else f":{port}")
    return f"{parts.scheme}://{netloc}{parts.path[:BASE_PATH_CHARS]}"


def js_string(text: str) -> str:
    """A JavaScript string literal's text as the script reads it (its escapes)."""
    def character(match: re.Match[str]) -> str:
        if match.group(4) is not None:
            return _JS_CHARACTERS.get(match.group(4), match.group(4))
        code = int(match.group(1) or match.group(2) or match.group(3), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"

    return _JS_ESCAPE.sub(character, text)


def script_redirects(script: str, asked: str, relative: bool = False) -> list[str]:
    """The addresses a script of the page ``asked`` sends the visitor to by a string
    literal (as sop_http.browser_location reads them), read without running it: an
    absolute http(s) or protocol-relative address assigned to location, window.location,
    document.location (or their .href) or passed to location.replace or location.assign.
    A literal joined to more (``+ x``, or ``${x}`` in a template) counts only when its
    host is whole within it (a path, query or fragment after it): ``"https://www." +
    name`` names no site. ``relative``: a relative address, nothing joined to it, counts
    too (``asked`` is the page's <base href>, which may be another site)."""
    found = []
    for match in _SCRIPT_REDIRECT.finditer(script):
        literal = _LITERALS[match.group(1)].match(script, match.end())
        if literal is None:  # (never: every part of it may be empty)
            continue
        address = browser_location(js_string(literal.group(1)), asked)
        absolute = _ABSOLUTE.match(address)
        if (literal.group(2) and (absolute or relative)) or (
                absolute and _WHOLE_HOST.match(address)):
            found.append(address)
    return found


def _joined(against: str, address: str) -> str | None:
    """``address`` (as sop_http.browser_location reads it) joined to ``against``; None
    for one that is no URL (an unclosed IPv6 bracket: no address a browser goes to)."""
    try:
        return urljoin(against, address)
    except ValueError:
        return None


def _refresh(how: str, content: str, against: str) -> list[tuple[str, str, int | None]]:
    """[(how, address, seconds)] of a refresh's ``content`` read against ``against``
    (read_refresh), or [] when it sends the visitor nowhere."""
    read = read_refresh(content, against)
    address = _joined(against, read[1]) if read else None
    return [(how, address, read[0])] if read and address else []


def page_redirects(scan: PageScan, refresh: str | None,
                   asked: str) -> list[tuple[str, str, int | None]]:
    """(how, address, seconds) of each redirect the page ``asked`` makes itself, its address
    read and joined as a browser does: its Refresh header (``refresh``, against the
    page's address: a browser reads it before any <base>), meta refreshes (read_refresh,
    against the <base href> before each) and inline scripts and the handlers a browser
    runs unasked (script_redirects, against the page's <base href>); ``seconds`` a
    refresh's wait (None for a script: its timers are not read). One no URL (an unclosed
    IPv6 bracket) is none. A meta refresh in a <noscript> sends on the browsers without
    JavaScript and the crawlers reading the markup (an injected one, every such visitor
    of the page): it counts, as "meta refresh (noscript)"; so does one a <base> in a
    <noscript> sends elsewhere than it sends a browser with JavaScript."""
    bases = {href: base_url(href, asked)  # each read once
             for href in dict.fromkeys((None, scan.base, scan.base_without_js))}
    found = _refresh("header Refresh", refresh, asked) if refresh else []
    for content, href, href_without_js, noscript in scan.refreshes:
        with_js = [] if noscript else _refresh("meta refresh", content, bases[href])
        found += with_js
        if noscript or href_without_js != href:
            found += [r for r in _refresh(NOSCRIPT_REFRESH, content, bases[href_without_js])
                      if all(r[1:] != w[1:] for w in with_js)]
    base = bases[scan.base]
    for address in script_redirects("".join(scan.scripts), base, relative=scan.base is not None):
        joined = _joined(base, address)
        found += [("skrip", joined, None)] if joined else []
    return found


def redirect_way(redirect: dict[str, Any]) -> str:
    """How a page redirect of website_integrity's offsite_redirects ({by, host, seconds
    when its wait is longer than REFRESH_SECONDS}) sends the visitor, for a message."""
    wait = f" setelah {angka(redirect['seconds'])} detik" if "seconds" in redirect else ""
    return f"{redirect['by']}{wait}"


def same_site(old: str, new: str) -> bool:
    """Whether a redirect from ``old`` to ``new`` stays on the site: the same host, with or
    without "www." (any port, http to https too), read alike by Python and a browser
    (as_browser: no backslash before the query)."""
    def site(url: str) -> str:
        host = link_host(url)
        return host[4:] if host.startswith("www.") else host

    return new == as_browser(new) and site(old) == site(new) != ""


def page_follows(old: str, new: str) -> bool:
    """A redirect a court page's fetch follows (website_check's page check, website_
    integrity's pages): within the site (same_site), and never from https down to plain
    http nor to another scheme (sop_http.scheme_followed): a page asked over TLS is not
    read without it."""
    return same_site(old, new) and scheme_followed(old, new)


def hosts(links: set[str] | list[str], trusted: tuple[str, ...]) -> set[str]:
    """Hosts of the links to other sites: not relative, not one of ``trusted`` (the site's
    own and those allowed) nor under one of them."""
    found = set()
    for link in links:
        host = link_host(link)
        if host and not any(host == t or host.endswith("." + t) for t in trusted if t):
            found.add(host)
    return found


def page_links(scan: PageScan, links: Iterable[str], asked: str) -> set[str]:
    """``links`` of the page ``asked`` (scanned as ``scan``) as a browser reads them
    (sop_http.browser_location), joined to the scheme and host of its <base href>
    (base_url; its path changes no link's host, and joined to each of thousands of links
    its 2 KiB would cost their product); to both, when a <base> in a <noscript> is one a
    browser without JavaScript reads first. A link plainly of the base's host
    (_BASE_HOST), or naming its own, is not joined (urljoin's 50 us, 100,000 times)."""
    origins = set()
    for href in dict.fromkeys((scan.base, scan.base_without_js)):
        parts = urlsplit(base_url(href, asked))
        origins.add(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/")
    found = set()
    for link in links:
        if _BASE_HOST.match(link):
            found.update(origins)
            continue
        for origin in origins:
            address = browser_location(link, origin)
            # one naming its host is read as it is (link_host reads what urljoin refuses)
            found.add(address if _AUTHORITY.match(address) else _joined(origin, address) or address)
    return found


def hidden_findings(scan: PageScan, pattern: KeywordPattern, trusted: tuple[str, ...],
                    asked: str | None = None) -> list[dict[str, Any]]:
    """Hidden elements carrying spam keywords or links to other sites (see hosts), the
    links read as a browser reads them on the page ``asked`` (page_links: against its
    <base href>), as written when not given."""
    out = []
    for region in scan.hidden:
        text = " ".join(" ".join(region["text"]).split())
        words = found_keywords(text + " " + " ".join(region["links"]), pattern)
        links = region["links"] if asked is None else page_links(scan, region["links"], asked)
        external = sorted(hosts(links, trusted))
        if words or external:
            out.append({"style": region["style"] or "hidden", "keywords": words,
                        "links": external, "text": text[:200]})
    return out


def similarity(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def link_hosts(page: dict[str, Any], trusted: tuple[str, ...]) -> set[str]:
    """The hosts of other sites (hosts) a page of compare_variant links to, its links read
    as a browser reads them where it was read (page_links: against its final_url and its
    <base href>), as written without a final_url."""
    scan, asked = page["scan"], page.get("final_url")
    return hosts(scan.links if asked is None else page_links(scan, scan.links, asked), trusted)


def compare_variant(base: dict[str, Any], other: dict[str, Any], *,
                    trusted: tuple[str, ...], threshold: float) -> list[str]:
    """Why a variant (as Googlebot, from a search engine) differs from the browser's page;
    empty when it does not. Pages are {status, location, final_url (where the redirects
    within the site led: its links are read against it and its <base href>, link_hosts),
    offsite_redirects (those the page makes itself to other sites:
    [{by, host}]), scan (scan_html), keywords (found_keywords)}: each page is parsed and
    searched once, however often compared."""
    reasons = []
    if other["status"] != base["status"]:
        reasons.append(f"status {base['status']} -> {other['status']}")
    if (other.get("location") or "") != (base.get("location") or ""):
        reasons.append(f"redirect ke {other.get('location') or '(tidak ada)'}")
    if other.get("final_url") != base.get("final_url"):
        reasons.append(f"dialihkan ke {other.get('final_url')}")
    a, b = base["scan"], other["scan"]
    if not (a.complete and b.complete):
        # what each parse read by its deadline differs from run to run: compared, it
        # would be a cloaking of chance; the page is a finding of its own (not parsed)
        return reasons
    sent = other.get("offsite_redirects") or []
    if sent != (base.get("offsite_redirects") or []):
        reasons.append("pengalihan oleh halaman ke " + (", ".join(
            f"{r['host']} ({redirect_way(r)})" for r in sent) or "(tidak ada)"))
    new_words = sorted(set(other["keywords"]) - set(base["keywords"]))
    if new_words:
        reasons.append("kata kunci judi: " + ", ".join(new_words))
    new_hosts = sorted(link_hosts(other, trusted) - link_hosts(base, trusted))
    if new_hosts:
        reasons.append("tautan baru ke " + ", ".join(new_hosts[:10]))
    ratio = similarity(a.words, b.words)
    if ratio < threshold:
        reasons.append(f"isi berbeda (kemiripan {angka(ratio, 2)})")
    return reasons
