# GPL-3.0-or-later
"""Injected content in pages and CMS posts: gambling-spam keywords, hidden text and links,
and cloaking (a page that differs for search engines).

Stdlib only (runs on the managed host, Python 3.9+).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

# Online-gambling spam injected into Indonesian government sites (BSSN, 2024-2025).
SPAM_KEYWORDS = ["slot gacor", "judi online", "judi slot", "judi bola", "situs slot",
                 "slot online", "slot88", "slot777", "togel", "toto macau", "maxwin",
                 "scatter hitam", "rtp slot", "rtp live", "sbobet", "pragmatic play",
                 "bandar togel", "bandar judi", "gacor", "deposit pulsa", "akun pro",
                 "situs toto", "mahjong ways"]
BROWSER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                 "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
CRAWLER_AGENT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SEARCH_REFERER = "https://www.google.com/search?q={host}"
# What is read of each page: Googlebot indexes the first 15 MB of an HTML file (Google
# Search Central, "Googlebot", file size limit), so spam padded past a smaller limit
# would still be indexed; what lies beyond is not indexed and is not read either.
PAGE_BYTES = 15 << 20
# Inline styles that hide an element from people but not from search engines.
HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem)?"
    r"\s*(?:;|!|$)|(?:left|top|right|text-indent|margin-left)\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em)"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|!|$)|(?:height|width)\s*:\s*[01]px[^\"']*overflow\s*:"
    r"\s*hidden|clip\s*:\s*rect\(\s*0")
# SQL REGEXP (MariaDB PCRE) selecting the rows worth parsing: a hiding style or a keyword.
SQL_HIDDEN = (r"display[[:space:]]*:[[:space:]]*none|visibility[[:space:]]*:[[:space:]]*hidden"
              r"|font-size[[:space:]]*:[[:space:]]*0|-[0-9]{3,}(px|em)|opacity[[:space:]]*:"
              r"[[:space:]]*0")
# What splits a keyword for a filter but not for a reader or Google: character references
# (sl&#111;t, slot&nbsp;gacor), invisible characters (soft hyphen, zero-width space,
# joiners, word joiner, BOM) and tags inside a word (s<b></b>lot).
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# Inline elements do not separate words on the page; block elements (div, p, li) do.
_INLINE = ("a|abbr|b|bdi|bdo|cite|code|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span"
           "|strike|strong|sub|sup|tt|u|var")
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE})\b[^>]*>")
# SQL REGEXP selecting the rows that may hide a keyword that way, decoded in Python
# (POSIX classes only: MariaDB's PCRE, MySQL 8's ICU and MySQL 5.7's regex all read it).
SQL_DISGUISED = ("&#[0-9x]|&(nbsp|shy|zwnj|zwj|zerowidthspace|nobreak|thinsp|ensp|emsp);"
                 "|[\u00ad\u200b\u200c\u200d\u2060\ufeff]"
                 f"|[[:alnum:]](</?({_INLINE})([[:space:]][^>]*)?>)+[[:alnum:]]")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr", "param"})


def keyword_pattern(keywords: list[str]) -> re.Pattern[str]:
    """Keywords as one pattern: spaces also match '-', '_', '+' and nothing."""
    parts = [r"[\s\-_+]*".join(re.escape(w) for w in k.lower().split()) for k in keywords if k]
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts or ["(?!)"]) + r")(?![a-z0-9])")


def sql_keyword_regexp(keywords: list[str]) -> str:
    """The keywords as a MariaDB REGEXP."""
    return "|".join("[-_+[:space:]]*".join(re.escape(w) for w in k.lower().split())
                    for k in keywords if k)


def readable(text: str) -> str:
    """``text`` with its character references decoded and its invisible characters
    dropped: the words as a reader, or Google, reads them."""
    return html.unescape(text).translate(_INVISIBLE)


def found_keywords(text: str, pattern: re.Pattern[str]) -> list[str]:
    """The distinct keywords in ``text`` (markup or plain) as a reader reads them,
    lower-case, also where inline tags split a word."""
    plain = readable(text).lower()
    variants = (plain, _INLINE_TAG.sub("", plain))
    return sorted({re.sub(r"[\s\-_+]+", " ", m.group(0))
                   for variant in variants for m in pattern.finditer(variant)})


class PageScan(HTMLParser):
    """Visible words, link hosts, and what hidden elements carry (text and links)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: set[str] = set()
        self.text: list[str] = []
        self.links: set[str] = set()
        self.hidden: list[dict[str, Any]] = []
        self._stack: list[tuple[str, bool]] = []
        self._skip = 0  # inside script/style

    def _hidden_depth(self) -> bool:
        return any(hidden for _tag, hidden in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        if tag in ("script", "style", "noscript", "template"):
            self._skip += 1
            self._stack.append((tag, False))
            return
        href = values.get("href", "")
        if tag == "a" and href:
            self.links.add(href)
            if self._hidden_depth():
                self.hidden[-1]["links"].append(href)
        if tag in VOID:
            return
        hides = "hidden" in values or bool(HIDDEN_STYLE.search(values.get("style", "").lower()))
        if hides and not self._hidden_depth():
            self.hidden.append({"tag": tag, "style": values.get("style", ""), "text": [],
                                "links": [href] if tag == "a" and href else []})
        self._stack.append((tag, hides))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                for closed, _hidden in self._stack[index:]:
                    if closed in ("script", "style", "noscript", "template"):
                        self._skip -= 1
                del self._stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._hidden_depth():
            self.hidden[-1]["text"].append(data)
            return
        self.text.append(data)
        self.words.update(re.findall(r"\w{3,}", data.lower()))


def scan_html(html: str) -> PageScan:
    scan = PageScan()
    try:
        scan.feed(html)
        scan.close()
    except (AssertionError, ValueError):  # malformed markup: what was parsed still counts
        pass
    return scan


def hosts(links: set[str] | list[str], own: str) -> set[str]:
    """External hosts among the links (not ``own`` and not relative)."""
    found = set()
    for link in links:
        host = (urlsplit(link).hostname or "").lower()
        if host and host != own and not host.endswith("." + own):
            found.add(host)
    return found


def hidden_findings(scan: PageScan, pattern: re.Pattern[str], own: str) -> list[dict[str, Any]]:
    """Hidden elements carrying spam keywords or links to other sites."""
    out = []
    for region in scan.hidden:
        text = " ".join(" ".join(region["text"]).split())
        words = found_keywords(text + " " + " ".join(region["links"]), pattern)
        external = sorted(hosts(region["links"], own))
        if words or external:
            out.append({"style": region["style"] or "hidden", "keywords": words,
                        "links": external, "text": text[:200]})
    return out


def similarity(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def compare_variant(base: dict[str, Any], other: dict[str, Any], *, own: str,
                    threshold: float) -> list[str]:
    """Why a variant (as Googlebot, from a search engine) differs from the browser's page;
    empty when it does not. Pages are {status, location, scan (scan_html), keywords
    (found_keywords)}: each page is parsed and searched once, however often compared."""
    reasons = []
    if other["status"] != base["status"]:
        reasons.append(f"status {base['status']} -> {other['status']}")
    if (other.get("location") or "") != (base.get("location") or ""):
        reasons.append(f"redirect ke {other.get('location') or '(tidak ada)'}")
    a, b = base["scan"], other["scan"]
    new_words = sorted(set(other["keywords"]) - set(base["keywords"]))
    if new_words:
        reasons.append("kata kunci judi: " + ", ".join(new_words))
    new_hosts = sorted(hosts(b.links, own) - hosts(a.links, own))
    if new_hosts:
        reasons.append("tautan baru ke " + ", ".join(new_hosts[:10]))
    ratio = similarity(a.words, b.words)
    if ratio < threshold:
        reasons.append(f"isi berbeda (kemiripan {ratio:.2f})")
    return reasons
