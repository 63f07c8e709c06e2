"""systemd's EnvironmentFile= syntax, read by the rules of systemd.exec(5) ("EnvironmentFile="):
what a sop-*.service sees of /etc/sop/environment."""

from __future__ import annotations

WHITESPACE = " \t\r"
DOUBLE_QUOTE_ESCAPES = '"\\`$'


def parse(text: str) -> dict[str, str]:
    """Each assignment's value as systemd reads it: empty lines, lines without "=" and lines
    starting with "#" or ";" ignored; an unquoted value has leading and trailing whitespace
    dropped, a backslash keeps the next character (and before a newline continues the
    line); a '-quoted value is verbatim; a "-quoted value keeps the character after a
    backslash when it is one of "\\`$, drops a backslash-newline, and keeps both the
    backslash and the character otherwise. A quoted value must end its line (all sop's
    files write)."""
    values: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        end = text.find("\n", i)
        end = n if end < 0 else end
        line = text[i:end]
        stripped = line.lstrip(WHITESPACE)
        if not stripped or stripped[0] in "#;" or "=" not in line:
            i = end + 1
            continue
        key, _, rest = stripped.partition("=")
        key = key.rstrip(WHITESPACE)
        j = i + (len(line) - len(rest))  # the value's first character in text
        while j < n and text[j] in WHITESPACE:
            j += 1
        value: list[str] = []
        if j < n and text[j] in "'\"":
            quote = text[j]
            j += 1
            while True:
                if j >= n:
                    raise ValueError(f"{key}: unterminated {quote}-quoted value")
                c = text[j]
                if c == quote:
                    j += 1
                    break
                if quote == '"' and c == "\\" and j + 1 < n:
                    following = text[j + 1]
                    if following in DOUBLE_QUOTE_ESCAPES:
                        value.append(following)
                    elif following != "\n":
                        value.append(c + following)
                    j += 2
                    continue
                value.append(c)
                j += 1
            end = text.find("\n", j)
            end = n if end < 0 else end
            if text[j:end].strip(WHITESPACE):
                raise ValueError(f"{key}: text after the closing quote")
        else:
            while j < n and text[j] != "\n":
                if text[j] == "\\" and j + 1 < n:
                    if text[j + 1] != "\n":
                        value.append(text[j + 1])
                    j += 2
                    continue
                value.append(text[j])
                j += 1
            end = j
            value = list("".join(value).rstrip(WHITESPACE))
        values[key] = "".join(value)
        i = end + 1
    return values
