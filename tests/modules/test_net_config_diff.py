"""library/net_config_store.py's masked_diff: the same diff as difflib's SequenceMatcher
made (the same matching blocks, so the same hunks), found without rescanning, masking
only the lines it shows; checked against difflib on random edits and applied with
patch."""

from __future__ import annotations

import difflib
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from loader import load

store_mod = load("net_config_store")

# Lines of a RouterOS export, secrets among them (masked in the diff), a URL, menus.
LINES = (
    "/ip firewall filter\n", "/snmp community\n", "/ppp secret\n", "/system ntp key\n",
    "add action=accept chain=input\n", "add action=drop chain=forward\n",
    "add name=vpn password=Rahasia1 service=l2tp\n", "set [ find default=yes ] name=publik\n",
    "add key=KunciNtp key-id=1\n", "add name=kantor addresses=10.0.0.0/8\n",
    "add comment=x dst-port=22 protocol=tcp\n", "set name=rb-kantor\n",
    "add on-event=\"/tool fetch url=https://u:Sandi@ddns.example/?token=abc\"\n",
    "add action=accept chain=input\r\n", "add name=kantor\r\n",
)


def reference_diff(name: str, old: str, new: str) -> str:
    """masked_diff as it was made before: difflib's SequenceMatcher, every line masked."""
    before, after = store_mod._lines(old), store_mod._lines(new)
    shown_before, shown_after = store_mod.shown_lines(before), store_mod.shown_lines(after)
    out = [f"--- {name} (sebelumnya)\n", f"+++ {name} (sekarang)\n"]
    for group in difflib.SequenceMatcher(None, before, after).get_grouped_opcodes(3):
        out.append(f"@@ -{store_mod._span(group[0][1], group[-1][2])} "
                   f"+{store_mod._span(group[0][3], group[-1][4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in shown_after[j1:j2]]
            else:
                out += ["-" + line for line in shown_before[i1:i2]]
                out += ["+" + line for line in shown_after[j1:j2]]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in out)


def edited(rng: random.Random, lines: list[str], pool: list[str]) -> list[str]:
    """Lines added, removed, changed and blocks moved at random places."""
    new = list(lines)
    for _ in range(rng.randrange(12)):
        where = rng.randrange(len(new) + 1)
        what = rng.random()
        if what < 0.3 or not new:
            new[where:where] = rng.choices(pool, k=rng.randrange(1, 4))
        elif what < 0.55:
            del new[where:where + rng.randrange(1, 4)]
        elif what < 0.85:
            new[min(where, len(new) - 1)] = rng.choice(pool)
        else:
            block = new[where:where + rng.randrange(1, 15)]
            del new[where:where + len(block)]
            at = rng.randrange(len(new) + 1)
            new[at:at] = block
    return new


def texts(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    # few distinct lines: repeated, some in more than 1% of a text of 200 lines or more
    # (difflib's popular lines); many: mostly distinct, as an export's
    pool = list(LINES) + [f"add address=10.{n // 250}.{n % 250}.1 list=l{n % 7}\n"
                          for n in range(rng.choice((0, 5, 2000)))]
    old = rng.choices(pool, k=rng.choice((0, 1, 7, 60, 250, 900)))
    new = edited(rng, old, pool) if rng.random() < 0.85 else rng.choices(pool, k=rng.randrange(300))
    cut = rng.random()  # a last line without its newline, on either side or both
    return ("".join(old).rstrip("\n") if cut < 0.2 else "".join(old),
            "".join(new).rstrip("\n") if 0.1 < cut < 0.3 else "".join(new))


@pytest.mark.parametrize("seed", range(300))
def test_the_diff_is_difflibs_on_random_edits(seed):
    old, new = texts(seed)
    assert store_mod.masked_diff("rb-a", old, new) == reference_diff("rb-a", old, new)


@pytest.mark.parametrize("seed", range(40))
def test_the_matching_blocks_are_difflibs_when_lines_repeat(seed):
    # two to five distinct lines: long runs of equal lines on many diagonals, most of
    # them popular past 200 lines, where difflib extends its blocks by equal lines
    rng = random.Random(seed)
    pool = [f"l{n}\n" for n in range(rng.choice((2, 3, 5)))]
    old = rng.choices(pool, k=rng.choice((30, 250, 700)))
    new = edited(rng, old, pool)
    assert (store_mod.DiffMatcher(old, new).get_matching_blocks()
            == difflib.SequenceMatcher(None, old, new).get_matching_blocks())


@pytest.mark.parametrize(("old", "new"), [
    ("", ""), ("", "set a=1\n"), ("set a=1\n", ""), ("set a=1", "set a=1\n"),
    ("set a=1\n", "set a=1"), ("a\r\nb\r\n", "a\r\nc\r\n"), ("a\rb\n", "a\rc\n"),
    ("a\n" * 300, "a\n" * 299 + "b\n"),
])
def test_the_diff_of_edge_cases_is_difflibs(old, new):
    assert store_mod.masked_diff("rb-a", old, new) == reference_diff("rb-a", old, new)


def test_too_many_pairs_of_equal_lines_leave_the_matching_to_difflib(monkeypatch):
    old, new = texts(7)
    monkeypatch.setattr(store_mod, "MAX_LINE_PAIRS", 10)
    assert store_mod.masked_diff("rb-a", old, new) == reference_diff("rb-a", old, new)


def test_an_export_with_every_10th_line_changed_is_matched_without_difflibs_scans(monkeypatch):
    # difflib rescans for each block: minutes for 60,000 lines, seconds for these 20,000
    old = [f"add address=10.{n // 250}.{n % 250}.1 list=ruang{n % 9}\n" for n in range(20000)]
    new = [line.replace("\n", " disabled=yes\n") if n % 10 == 5 else line
           for n, line in enumerate(old)]
    blocks = [(n - 4 if n else 0, n - 4 if n else 0, 9 if n else 5) for n in range(0, 20000, 10)]

    def scan(*args):
        raise AssertionError("difflib's find_longest_match called")

    monkeypatch.setattr(difflib.SequenceMatcher, "find_longest_match", scan)
    found = store_mod.DiffMatcher(old, new).get_matching_blocks()
    assert [tuple(b) for b in found] == [*blocks, (19996, 19996, 4), (20000, 20000, 0)]


@pytest.mark.parametrize("seed", range(40))
def test_the_shown_lines_are_masked_as_in_the_whole_configuration(seed):
    rng = random.Random(seed)
    lines = rng.choices(LINES, k=200)
    wanted = sorted(rng.sample(range(200), rng.randrange(200)))
    whole = store_mod.shown_lines(lines)
    assert store_mod.shown_at(lines, wanted) == {i: whole[i] for i in wanted}


def apply(old: str, diff: str) -> str:
    """The new text from the old and its unified diff, hunk by hunk; each context and
    removed line checked against the old text."""
    old_lines = store_mod._lines(old)
    out: list[str] = []
    at = 0
    lines = store_mod._lines(diff)[2:]
    for n, whole in enumerate(lines):
        if whole.startswith("\\"):
            continue
        # a line before "\ No newline at end of file" ends without its newline
        line = (whole.removesuffix("\n") if n + 1 < len(lines) and lines[n + 1].startswith("\\")
                else whole)
        if line.startswith("@@"):
            start = int(line.split()[1][1:].split(",")[0])
            length = line.split()[1].split(",")
            start = start - 1 if len(length) == 1 or int(length[1]) else start
            out += old_lines[at:start]
            at = start
        elif line[0] in " -":
            assert old_lines[at] == line[1:], (at, line)
            at += 1
            if line[0] == " ":
                out.append(line[1:])
        else:
            out.append(line[1:])
    return "".join(out + old_lines[at:])


@pytest.mark.parametrize("seed", range(60))
def test_the_diff_applied_to_the_old_configuration_makes_the_new(seed, tmp_path):
    rng = random.Random(seed)
    pool = [f"add address=10.0.{n}.1 list=l{n % 3}\n" for n in range(40)] + ["a\r\n", "b\rc\n"]
    old_lines = rng.choices(pool, k=rng.choice((0, 5, 80, 400)))
    old = "".join(old_lines)
    new = "".join(edited(rng, old_lines, pool))
    if seed % 3 == 0:
        old, new = old.rstrip("\n"), new.rstrip("\n")
    diff = store_mod.masked_diff("rb-a", old, new)
    assert apply(old, diff) == new
    patch = shutil.which("patch")
    if patch is None or old == new:
        return
    target = tmp_path / "config.txt"
    target.write_bytes(old.encode())
    (tmp_path / "config.diff").write_bytes(diff.encode())
    subprocess.run([patch, "--quiet", "--binary", "--no-backup-if-mismatch", str(target),
                    str(tmp_path / "config.diff")], check=True, cwd=tmp_path,
                   stdin=subprocess.DEVNULL)
    assert target.read_bytes() == new.encode()
    assert not [p.name for p in Path(tmp_path).iterdir() if p.suffix in (".orig", ".rej")]


def crafted(lines: int, changes: int) -> tuple[str, str]:
    """An export crafted to be costly: 101 distinct lines repeated in turn (each
    just under difflib's 1% of popular lines, so every pair of them is read), a few of
    them changed."""
    old = [f"add chain=c{n % 101}\n" for n in range(lines)]
    new = list(old)
    for n in random.Random(3).sample(range(lines), changes):
        new[n] = f"add chain=x{n}\n"
    return "".join(old), "".join(new)


def test_an_export_of_lines_repeated_on_both_sides_gets_a_summary_in_bounded_time():
    # difflib took 6 s for these 60,000 lines (73 s for 200,000 in 4 MiB), reading
    # 36 million pairs a scan: refused before its first scan
    old, new = crafted(60000, 5)
    scans: list[tuple[int, ...]] = []
    matcher = store_mod.DiffMatcher(store_mod._lines(old), store_mod._lines(new))
    real = difflib.SequenceMatcher.find_longest_match
    difflib.SequenceMatcher.find_longest_match = lambda self, *a: scans.append(a) or real(self, *a)
    try:
        with pytest.raises(store_mod.TooCostly):
            matcher.get_matching_blocks()
    finally:
        difflib.SequenceMatcher.find_longest_match = real
    assert scans == []
    assert store_mod.masked_diff("rb-a", old, new) == (
        "rb-a: diff tidak dibuat (baris yang sama berulang ribuan kali di kedua versi, "
        "terlalu mahal dihitung); 5 baris ditambah dan 5 baris dihapus, dihitung tanpa "
        "memperhatikan urutan; kedua versi lengkap ada di penyimpanan konfigurasi dan "
        "riwayatnya\n")


def test_difflibs_scans_stop_past_their_budget(monkeypatch):
    # each scan within the budget, their sum past it
    old, new = crafted(3000, 40)
    monkeypatch.setattr(store_mod, "MAX_LINE_PAIRS", 10)
    assert store_mod.masked_diff("rb-a", old, new) == reference_diff("rb-a", old, new)
    monkeypatch.setattr(store_mod, "MAX_PAIR_SCANS", 200_000)
    assert store_mod.masked_diff("rb-a", old, new).startswith("rb-a: diff tidak dibuat")


def test_the_summary_counts_lines_regardless_of_their_order():
    before = ["a\n", "b\n", "b\n", "c\n"]
    after = ["c\n", "b\n", "d\n", "d\n", "a"]
    assert store_mod.diff_summary("rb-a", before, after).startswith(
        "rb-a: diff tidak dibuat (baris yang sama berulang ribuan kali di kedua versi, "
        "terlalu mahal dihitung); 3 baris ditambah dan 2 baris dihapus,")
