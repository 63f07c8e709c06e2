#!/usr/bin/python
# Copyright: Court IT SOP maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep the configuration history of network devices in a root-only store."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: net_config_store
short_description: Keep network devices' configuration history in a root-only store, with diffs
description:
  - Runs on the backup computer as root. For each device in O(items) it compares the
    normalised configuration with the stored one; when it differs it keeps the old one
    under C(history/), stores the new one and returns a unified diff, as Oxidized keeps a
    configuration history. An unchanged configuration changes nothing.
  - >-
    A changed configuration stays unreported (C(NAME/unreported), holding its report id
    RV(devices[].report_id), and C(NAME/reported.txt), the configuration last reported)
    until a call with O(reported) marks the record that shows its diff: a run that stored
    it and then failed or stopped before recording it (another device refused, the
    activity failing after the store) lost its diff, the next run comparing with the
    configuration already stored. Until then each run reports it again, its diff against
    the configuration last reported (C(--- NAME (terakhir dilaporkan))), or, when the
    configuration has come back to that one, one line saying it changed and came back
    (C(NAME: konfigurasi sempat berubah setelah laporan terakhir ...)). A first
    configuration (no diff) is not held so.
  - >-
    The history keeps each older version as C(history/TIME.txt), TIME the UTC time it was
    stored (C(20261207T031000.123456Z)), or one microsecond after the newest version when
    that time is not later (the clock set back, two versions stored within the file
    system's timestamp granularity): the names, sorted, are the order the versions were
    stored in, and none replaces another (a version named by the time alone was replaced,
    and the pruning took a newer version for the oldest). A version already the newest
    (a run stopped before it replaced the configuration) is not kept twice.
  - Each device may also keep a small state (the RouterOS log cursor), returned by a
    call without O(items) so that the next run reads only what is new.
  - >-
    A C(NAME/state.json) that cannot be read or is no JSON (damaged, cut short) is read as
    no state (C({})), with a warning naming the file
    (C(NAME: status tersimpan PATH di penyimpanan konfigurasi bukan JSON ...)); a call that
    writes the device's new state (not in check mode) replaces it without warning again.
    One that is JSON but no object is returned as it is and named by M(routeros_check).
  - A stored C(NAME/config.txt) with a byte that is not UTF-8 (edited or restored by
    hand) is read with that byte as C(\xNN), so the device's new configuration replaces
    it and the history keeps it so.
  - The store directory is mode 0700 and files 0600, owned by root. Files are written
    to a temporary file and renamed, so a crash never leaves half a configuration.
  - An existing store directory, or a device's directory in it (checked before its files
    are read, in check mode and by a call without O(items) too), owned by another account
    or writable by its group or others is refused (that account could change or read
    the configurations, and the states the next run trusts); one only readable by them
    is closed to them (0700).
  - So is a folder above the store, from C(/) down, symbolic links on the way followed
    (the folder holding each link checked too), as OpenSSH's C(safe_path) and sudo check
    theirs - owned by another account than root or the one running the module, or
    writable by its group or others without the sticky bit (as C(/tmp) has it), since
    that account could put a link to a store of its own in place of the store. Missing
    folders are created as C(mkdir -p) creates them, but each one mode 0700 whatever the
    umask (a umask 002 would make them group-writable, refused by the next run).
  - In the returned diff the values of keys that hold secrets in RouterOS exports made
    with show-sensitive (C(password), C(passphrase), C(secret), C(pre-shared-key),
    C(preshared-key), C(private-key), C(authentication-key), C(auth-key), C(tcp-md5-key),
    C(management-protection-key), C(static-key), C(enc-key), C(encryption-key), C(psk),
    C(mtik-key), C(paypal-signature) and keys containing them, a C(pin) or C(sim-pin), and a
    MACsec interface's C(cak)) are replaced by C(********), as Oxidized's C(remove_secret)
    does, and so are SNMP community names (C(name) in the C(/snmp community) menu,
    C(trap-community)), which RouterOS shows even in exports that hide secrets, the keys of
    the NTP, RIP, IPsec PSK and LoRa server menus, a ZeroTier instance's C(identity) (its
    private key), container variables' values and the body of a PEM private key; so are,
    in a line with a URL (a
    DDNS or notification script's C(/tool fetch), which RouterOS shows with secrets hidden
    too), the URL's C(user:password@) and secret-looking query values (C(***)), as the
    records mask them. A changed secret shows as a changed line without its value. The
    stored files keep the values.
  - >-
    RouterOS's line continuations (a line ending in C(\) whose next line is indented
    four spaces), which M(routeros_check) joins, are joined in the diff too, so that a
    secret continued on the next line (a configuration stored by hand from an export
    file keeps them) is masked there as any other; the stored files keep their lines.
  - >-
    The configurations never go into the backup computer's journal: Ansible logs a
    module's options there (C(Invoked with ...)) as Python prints them, where an export of
    several lines (its newlines written C(\n)) is no longer the text its no_log masks,
    and every export was logged in full on every run. The project's C(ansible.cfg) sets
    C(no_target_syslog = True), so no module logs its options to a host's journal.
  - The diff is the one Python's C(difflib) makes (the same hunks), found without its
    rescans (a 60,000-line export with every 10th line changed in under a second, not
    minutes) and computed in memory, with only the lines it shows masked; no
    configuration goes to a file or a command line for it.
  - >-
    An export crafted with lines repeated hundreds of times on both sides (no router's)
    whose matching would read more than ten million pairs of equal lines (difflib took
    73 s for 200,000 such lines) gets, in place of the diff, one line counting the lines
    added and removed regardless of their order
    (C(NAME: diff tidak dibuat ...; N baris ditambah dan M baris dihapus ...)), found in
    about two seconds at most; both versions are stored in full as any other.
  - >-
    A configuration larger than O(max_export_bytes) (in UTF-8) is refused, in check mode
    too: nothing of it is stored, the device's stored configuration and history stay as
    they are, and a warning names the device in one line
    (C(NAME: konfigurasi berukuran N byte melebihi batas M byte ...)); its state is kept
    and the other devices are stored. The 32 MiB M(routeros_check) reads per router
    session, kept O(keep) times, would let a compromised router fill the backup
    computer's disk (1.6 GB a router with the default 50 versions).
  - >-
    An item's O(items[].kind) (C(routeros) for a RouterBoard, C(linux) for a Linux
    gateway) is recorded in its device's directory (C(NAME/kind)); an item of another kind
    than the one recorded fails the module before anything is stored, in check mode too
    (C(device NAME is a routeros device in the configuration store PATH, not linux ...)):
    a gateway and a RouterBoard of one name would mix their configurations and history in
    one directory. A directory without a record (stored before kinds were recorded) is
    adopted by the first kind stored in it; an item without O(items[].kind) is neither
    checked nor recorded.
  - >-
    Runs storing into one store at once (two SOP runs for other hosts, a second
    controller) take turns: each holds the store's lock (C(PATH/.lock)) while it compares
    and replaces the configurations, waiting at most 300 s for it, else it fails naming
    the process holding it, nothing stored
    (C(waited 300 s for the configuration store's lock PATH/.lock, held by pid N ...)).
    Two runs at once had both archived the configuration they read (a version lost from
    the history or kept twice), and the second removal of an old version failed its run.
    A run in check mode takes no lock.
  - Supports check mode (the diff is computed, nothing is written) and diff mode.
version_added: "0.1.0"
author: Court IT SOP maintainers
options:
  path:
    description: >-
      The store directory, an absolute path (another is refused, with C(setting)
      C(path)).
    type: path
    required: true
  items:
    description: Devices to store; omitted to only read the stored states.
    type: list
    elements: dict
    suboptions:
      name:
        description: Device name (letters, digits, C(.), C(_), C(-)).
        type: str
        required: true
      content:
        description: Its normalised configuration; null keeps the stored one (export unavailable).
        type: str
      state:
        description: State to keep for the next run.
        type: dict
      kind:
        description:
          - The device's kind, recorded in its directory; an item of another kind than
            the recorded one is refused. Omitted, not checked nor recorded.
        type: str
        choices: [routeros, linux]
  reported:
    description:
      - >-
        Marks the changes a record shows as reported: per device name, the
        RV(devices[].report_id) of the result whose diff the record holds. A device
        stored again since (its report id another) stays unreported. Not with O(items).
    type: dict
  keep:
    description: >-
      Older versions kept per device, at most 10000 (0 keeps none; a negative number or
      one above 10000 is refused, with C(setting) C(keep)).
    type: int
    default: 50
  max_export_bytes:
    description:
      - Largest configuration stored for a device, in bytes (UTF-8); a larger one is
        refused with a warning (1 to 67108864, 64 MiB, twice what M(routeros_check) reads
        of a router's session; another fails the module, with C(setting)
        C(max_export_bytes)).
      - The default, 4 MiB, is twenty times a RouterOS export of a large court network
        (under 200 KB) and still bounds the store to 4 MiB times O(keep) plus one per device.
    type: int
    default: 4194304
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Store the exports on the backup computer
  net_config_store:
    path: /var/lib/sop/jaringan
    items:
      - name: rb-kantor
        content: "{{ export_text }}"
        state: {log_cursor: "*1F"}
        kind: routeros
  become: true
"""

RETURN = r"""
devices:
  description: Per device, whether its configuration changed and the unified diff (or the
    line counting the lines added and removed of one too costly to find), and
    the warning refusing a configuration larger than O(max_export_bytes) (C(refused), else null).
  returned: when O(items) is given
  type: list
  elements: dict
  sample: [{name: rb-kantor, changed: true, first: false, diff: "--- rb-kantor (sebelumnya)\n+++ ...",
            state_changed: false, refused: null, stored: true, report_id: 3f9c0a7d51e2b846}]
  contains:
    changed:
      description: The configuration differs from the one last reported (or was stored for the first time).
      type: bool
    stored:
      description: This call stored the configuration.
      type: bool
    report_id:
      description: >-
        The id of the unreported change the diff shows, for O(reported) once it is
        recorded; null when there is none (in check mode too).
      type: str
marked:
  description: The devices a call with O(reported) marked (in check mode, would mark).
  returned: when O(reported) is given
  type: list
  elements: str
states:
  description: Stored state per device name (before this call's update).
  returned: always
  type: dict
changed_names:
  description: Devices whose configuration changed since it was last reported (or was stored for the first time).
  returned: always
  type: list
  elements: str
"""

import bisect  # noqa: E402
import calendar  # noqa: E402
import contextlib  # noqa: E402
import difflib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import stat  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from operator import itemgetter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible.module_utils.sop_backup_files import LockBusy, take_flock  # noqa: E402
from ansible.module_utils.sop_bahasa import angka  # noqa: E402
from ansible.module_utils.sop_options import RANGES, device_name_error, range_error  # noqa: E402
from ansible.module_utils.sop_pathwalk import MAX_LINKS, TooManyLinks, walk  # noqa: E402
from ansible.module_utils.sop_routeros import join_continuations  # noqa: E402
from ansible.module_utils.sop_secrets import mask_export_lines, mask_text  # noqa: E402
from ansible.module_utils.sop_state import write_private  # noqa: E402

# max_export_bytes's default: twenty times a RouterOS export of a large court network.
MAX_EXPORT_BYTES = 4 * 1024 * 1024


def _lines(text: str) -> list[str]:
    """The lines of a configuration, each with its newline (a CR within one stays)."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _span(start: int, stop: int) -> str:
    """A hunk's line range as unified diffs write it."""
    length = stop - start
    return f"{start + 1}" if length == 1 else f"{start + (length > 0)},{length}"


def shown_lines(lines: list[str]) -> list[str]:
    """The lines of a configuration as a record may show them: mask_export_lines's
    masks, and a line with a URL (a DDNS or notification script's ``/tool fetch``, a
    scheduler's on-event) as mask_text shows it, its ``user:password@`` and
    secret-looking query values masked."""
    return [str(mask_text(line.rstrip("\n"))) + line[len(line.rstrip("\n")):]
            if "://" in line else line for line in mask_export_lines(lines)]


# The most pairs of equal lines (a line of the old configuration and an equal one of the
# new, not repeated in more than 1% of it) DiffMatcher reads; past them (lines repeated
# thousands of times on both sides, no router's export) it leaves the matching to difflib:
# the same blocks, in memory bounded by the lines instead of by the pairs, more slowly.
MAX_LINE_PAIRS = 2_000_000
# The most pairs difflib's scans may read then (each scan reads the pairs of its range's
# old lines, a few million a second): an export crafted with lines repeated hundreds of
# times on both sides took minutes (200,000 lines, 20 changed: 73 s), and is given a
# summary instead of a diff (TooCostly).
MAX_PAIR_SCANS = 10_000_000


class TooCostly(Exception):
    """The matching of two configurations would read more than MAX_PAIR_SCANS pairs."""


class DiffMatcher(difflib.SequenceMatcher[str]):
    """difflib's SequenceMatcher of two lists of lines (autojunk on, no junk function),
    finding the same matching blocks without rescanning a range for each one.

    difflib finds the longest block of equal lines in the whole range (lines repeated in
    more than 1% of the new text, "popular", start none), extends it by equal lines,
    then does the same left and right of it: each step rescans its range, so a
    60,000-line export with every 10th line changed takes thousands of scans of most of
    it (minutes). Here the maximal runs of equal non-popular lines ("segments", each pair
    of positions met once) are listed once; a range keeps those inside it, cut at its
    edges as difflib's scan cuts them, and the segments of the range's longest length
    are taken in one pass, each the first lying whole after the one before (what
    difflib's next steps would take: no other range can hold one of that length), with
    the ranges between them given their own segments. Ties go to the block that starts
    first in the old text, then in the new, and each block is extended as difflib
    extends it, so the blocks, and the diff, are difflib's. Single equal lines (most
    pairs of a line repeated on both sides) are not listed: a range whose longest
    segment is one line is read line by line, each taking the first equal line of the
    new text after the block before, as difflib's scans would."""

    def __init__(self, a: list[str], b: list[str]) -> None:
        super().__init__(None, a, b)
        self.lines = (a, b)
        # bpopular, as difflib's manual names it (typeshed does not)
        self.popular: set[str] = vars(self)["bpopular"]
        # past MAX_LINE_PAIRS: the pairs difflib's scans read, and those of the old lines
        # before each one
        self.scans = 0
        self.pairs_before: list[int] = []

    def get_matching_blocks(self) -> list[difflib.Match]:
        a, b = self.lines
        ids: dict[str, int] = {}
        aid = [ids.setdefault(line, len(ids)) for line in a]
        bid = [ids.setdefault(line, len(ids)) for line in b]
        popular = {ids[line] for line in self.popular}
        b2j: dict[int, list[int]] = {}
        for j, x in enumerate(bid):
            if x not in popular:
                b2j.setdefault(x, []).append(j)
        if sum(len(b2j.get(x, ())) for x in aid) > MAX_LINE_PAIRS:
            # the pairs each of difflib's scans reads: those of its range's old lines
            self.pairs_before = [0]
            for x in aid:
                self.pairs_before.append(self.pairs_before[-1] + len(b2j.get(x, ())))
            return super().get_matching_blocks()
        la, lb = len(a), len(b)
        segments: list[tuple[int, int, int]] = []  # those of 2 lines or more
        for i, x in enumerate(aid):
            for j in b2j.get(x, ()):
                if i and j and aid[i - 1] == bid[j - 1] and bid[j - 1] in b2j:
                    continue  # inside a segment started before
                k = 1
                while i + k < la and j + k < lb and aid[i + k] == bid[j + k] and bid[j + k] in b2j:
                    k += 1
                if k > 1:
                    segments.append((i, j, k))
        found: list[tuple[int, int, int]] = []
        todo = [(0, la, 0, lb, segments)]
        while todo:
            alo, ahi, blo, bhi, inside = todo.pop()
            longest = max(inside, key=itemgetter(2))[2] if inside else 0
            if longest <= 1:
                # the longest blocks are single lines (or none), taken as difflib takes
                # them: the first in the old text, then the new, after the one before;
                # between them and after the last, none (equal popular lines at most)
                ilo, jlo = alo, blo
                i = alo
                while i < ahi and jlo < bhi:
                    js = b2j.get(aid[i], ())
                    n = bisect.bisect_left(js, jlo)
                    if n == len(js) or js[n] >= bhi:
                        i += 1
                        continue
                    j, k = js[n], 1
                    while i > ilo and j > jlo and aid[i - 1] == bid[j - 1]:
                        i, j, k = i - 1, j - 1, k + 1
                    while i + k < ahi and j + k < bhi and aid[i + k] == bid[j + k]:
                        k += 1
                    if ilo < i and jlo < j:
                        found += _popular_run(aid, bid, (ilo, i, jlo, j))
                    found.append((i, j, k))
                    i, ilo, jlo = i + k, i + k, j + k
                if ilo < ahi and jlo < bhi:
                    found += _popular_run(aid, bid, (ilo, ahi, jlo, bhi))
                continue
            boxes: list[tuple[int, int, int, int]] = []
            ilo, jlo = alo, blo
            for top in sorted(s for s in inside if s[2] == longest):
                i, j, k = top
                if i < ilo or j < jlo:
                    continue  # cut by a block taken before: shorter in what is left
                while i > ilo and j > jlo and aid[i - 1] == bid[j - 1]:
                    i, j, k = i - 1, j - 1, k + 1
                while i + k < ahi and j + k < bhi and aid[i + k] == bid[j + k]:
                    k += 1
                found.append((i, j, k))
                boxes.append((ilo, i, jlo, j))
                ilo, jlo = i + k, j + k
            boxes.append((ilo, ahi, jlo, bhi))
            boxes = [box for box in boxes if box[0] < box[1] and box[2] < box[3]]
            starts = [box[0] for box in boxes]
            parts: list[list[tuple[int, int, int]]] = [[] for _ in boxes]
            for segment in inside:
                # in one range at most: across a taken block it would be longer than it
                i, j, k = segment
                first = bisect.bisect_right(starts, i) - 1
                for n in range(max(first, 0), min(first + 2, len(boxes))):
                    ilo, ihi, jlo, jhi = boxes[n]
                    start = max(i, ilo, jlo - j + i)
                    stop = min(i + k, ihi, jhi - j + i)
                    if stop > start:
                        parts[n].append(segment if stop - start == k
                                        else (start, start + j - i, stop - start))
                        break
            todo += [(*box, part) for box, part in zip(boxes, parts)]
        found.sort()
        blocks: list[tuple[int, int, int]] = []
        for i, j, k in found:  # adjacent blocks joined, as difflib joins them
            if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
                blocks[-1] = (blocks[-1][0], blocks[-1][1], blocks[-1][2] + k)
            else:
                blocks.append((i, j, k))
        return [difflib.Match(*block) for block in [*blocks, (la, lb, 0)]]

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0,
                           bhi: int | None = None) -> difflib.Match:
        """difflib's scan (called by difflib's get_matching_blocks alone), TooCostly
        once the scans would read more than MAX_PAIR_SCANS pairs in all."""
        stop = len(self.lines[0]) if ahi is None else ahi
        self.scans += self.pairs_before[stop] - self.pairs_before[alo]
        if self.scans > MAX_PAIR_SCANS:
            raise TooCostly
        return super().find_longest_match(alo, stop, blo, len(self.lines[1]) if bhi is None else bhi)


def _popular_run(aid: list[int], bid: list[int],
                 box: tuple[int, int, int, int]) -> list[tuple[int, int, int]]:
    """difflib's block in a range (old start, end, new start, end) where no line but
    popular ones is in both texts: the equal lines at its start, if any."""
    alo, ahi, blo, bhi = box
    k = 0
    while alo + k < ahi and blo + k < bhi and aid[alo + k] == bid[blo + k]:
        k += 1
    return [(alo, blo, k)] if k else []


def shown_at(lines: list[str], wanted: list[int]) -> dict[int, str]:
    """shown_lines(lines)[i] for each i of ``wanted`` (ascending), masking those lines
    alone: each after the menu line above it (the last one starting with "/", by which
    mask_export_lines knows a menu's secrets), not the whole configuration."""
    menus = [i for i, line in enumerate(lines) if line.startswith("/")]
    picked: list[str] = []
    where: list[int] = []
    menu = -1
    for i in wanted:
        above = menus[bisect.bisect_right(menus, i) - 1] if menus and menus[0] <= i else -1
        if above not in (menu, i):
            picked.append(lines[above])  # read for its menu, not shown
        menu = above
        where.append(len(picked))
        picked.append(lines[i])
    shown = shown_lines(picked)
    return {i: shown[n] for i, n in zip(wanted, where)}


def masked_diff(name: str, old: str, new: str, *, since_report: bool = False) -> str:
    """The unified diff of two configurations, compared as stored and shown as
    shown_lines masks them (a changed secret is a changed line without its value); a
    last line without newline is marked so, not run into the next diff line. Only the
    lines the diff shows are masked. RouterOS's line continuations are joined first
    (join_continuations, as routeros_check joins them): a configuration stored by hand
    from an export file keeps them, and each line masked alone showed a secret (or a
    key's end and its value) continued on the next one."""
    before, after = _lines(join_continuations(old)), _lines(join_continuations(new))
    try:
        groups = list(DiffMatcher(before, after).get_grouped_opcodes(3))
    except TooCostly:
        return diff_summary(name, before, after)
    shown_before = shown_at(before, [i for group in groups for tag, i1, i2, _, _ in group
                                     if tag != "equal" for i in range(i1, i2)])
    shown_after = shown_at(after, [j for group in groups for _, _, _, j1, j2 in group
                                   for j in range(j1, j2)])
    before_label = "terakhir dilaporkan" if since_report else "sebelumnya"
    out = [f"--- {name} ({before_label})\n", f"+++ {name} (sekarang)\n"]
    for group in groups:
        out.append(f"@@ -{_span(group[0][1], group[-1][2])} "
                   f"+{_span(group[0][3], group[-1][4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + shown_after[j] for j in range(j1, j2)]
            else:
                out += ["-" + shown_before[i] for i in range(i1, i2)]
                out += ["+" + shown_after[j] for j in range(j1, j2)]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in out)


def diff_summary(name: str, before: list[str], after: list[str]) -> str:
    """In place of a diff too costly to find (TooCostly), in Bahasa Indonesia: the lines
    added and removed counted regardless of their order (as many as a diff has at
    least), no line shown."""
    added = sum((Counter(after) - Counter(before)).values())
    removed = sum((Counter(before) - Counter(after)).values())
    return (f"{name}: diff tidak dibuat (baris yang sama berulang ribuan kali di kedua "
            f"versi, terlalu mahal dihitung); {angka(added)} baris ditambah dan "
            f"{angka(removed)} baris dihapus, dihitung tanpa memperhatikan urutan; kedua "
            "versi lengkap ada di penyimpanan konfigurasi dan riwayatnya\n")


class UnsafeStore(Exception):
    """A store directory another account owns or can write."""


class OtherKind(Exception):
    """A device's directory recorded as another kind's than the item's."""


def recorded_kind(device: Path) -> str | None:
    """The kind recorded in a device's directory (``kind``), None without a record;
    UnsafeStore for a directory another account owns or can write (checked first)."""
    record = device / "kind"
    if not record.is_file():
        return None
    check_dir(device)
    return record.read_text(encoding="utf-8", errors="backslashreplace").strip()


def check_kinds(root: Path, items: list[dict[str, Any]]) -> None:
    """OtherKind for the first item whose kind differs from its directory's record:
    a gateway and a RouterBoard of one name would mix their histories there."""
    for item in items:
        kind = item.get("kind")
        found = None if kind is None else recorded_kind(root / item["name"])
        if found is not None and found != kind:
            raise OtherKind(
                f"device {item['name']} is a {found} device in the configuration store "
                f"{root}, not {kind}: a gateway and a RouterBoard of one name would mix "
                "their configuration history there; rename one of them")


def account(uid: int) -> str:
    try:
        return f"user {pwd.getpwuid(uid).pw_name}"
    except KeyError:
        return f"uid {uid}"


def check_dir(path: Path) -> None:
    """Raise UnsafeStore when another account owns the existing directory ``path`` or
    can write in it: it could replace a configuration, its history or the state the next
    run trusts, and read the secrets of an export."""
    info = path.stat()
    if info.st_uid != os.geteuid():
        raise UnsafeStore(f"configuration store directory {path} is owned by "
                          f"{account(info.st_uid)}, not {account(os.geteuid())}")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeStore(f"configuration store directory {path} is writable by its group "
                          f"or others (mode {stat.S_IMODE(info.st_mode):04o})")


def folders_above(path: Path) -> Iterator[Path]:
    """The existing folders whose entries decide where ``path`` leads, from / down, in
    the order the kernel looks their entries up (sop_pathwalk.walk: the folder holding
    each symbolic link, then the link's target's); a missing entry ends the walk after
    the folder that lacks it, a file on the way at the folder holding it."""
    try:
        for entry in walk(path):
            yield Path(entry.folder)
            if not entry.is_link and not stat.S_ISDIR(entry.info.st_mode):
                return
    except FileNotFoundError as exc:  # made by the store's mkdir -p from here on
        yield Path(os.path.dirname(exc.filename))
    except TooManyLinks:
        raise UnsafeStore(f"configuration store path {path} passes more than "
                          f"{MAX_LINKS} symbolic links") from None


def check_above(path: Path) -> None:
    """Raise UnsafeStore for a folder above the store (``folders_above``) that another
    account than root or the running one owns, or that its group or others can write
    without the sticky bit, as OpenSSH's safe_path and sudo refuse: that account could
    replace the store with a link to a directory of its own."""
    owners = {0, os.geteuid()}
    for folder in folders_above(path):
        info = folder.stat()
        mode = stat.S_IMODE(info.st_mode)
        if info.st_uid not in owners:
            allowed = " or ".join(account(uid) for uid in sorted(owners))
            raise UnsafeStore(f"folder {folder} above the configuration store is owned by "
                              f"{account(info.st_uid)}, not {allowed}")
        if mode & (stat.S_IWGRP | stat.S_IWOTH) and not mode & stat.S_ISVTX:
            raise UnsafeStore(f"folder {folder} above the configuration store is writable by "
                              f"its group or others without the sticky bit (mode {mode:04o}): "
                              "another account could replace the store with a link")


def make_folders(path: Path) -> None:
    """``path`` and its missing parents made as ``mkdir -p`` makes them, but each one
    0700 whatever the umask: a umask 002 made them group-writable, and the next run
    refused them as folders above the store. The umask only narrows mkdir's mode, so a
    new folder is never wider than 0700 before its chmod."""
    if path.is_dir():
        return
    make_folders(path.parent)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        if path.is_dir():  # made meanwhile, not by this run: left as it is
            return
        raise
    path.chmod(0o700)


def store_dir(path: Path) -> None:
    """The store's own directories: 0700, tightened if they existed readable by others;
    UnsafeStore for one another account owns or can write."""
    if path.is_dir():
        check_dir(path)
    make_folders(path)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


# The store's lock file (store_lock), in the store directory.
LOCK_NAME = ".lock"
# How long a run waits for another one storing into the same store: storing takes
# seconds (a diff of a 4 MiB export two at most), a lock held for minutes is a hung run's.
LOCK_WAIT = 300


class StoreBusy(Exception):
    """The store's lock not had within LOCK_WAIT seconds."""


@contextlib.contextmanager
def store_lock(root: Path, what: str) -> Iterator[None]:
    """The lock of the store ``root`` (its file LOCK_NAME), held while a run compares and
    replaces the stored configurations: two runs at once both archived the configuration
    they had read, a version lost from the history or kept twice, and the second removal
    of an old version failed its run. Waited for at most LOCK_WAIT seconds; the lock file
    then names this process and ``what`` it does (note_holder), for a run that waits.
    StoreBusy naming its holder (flock_holder) when it is not had in time; OSError when
    it cannot be taken at all."""
    path = root / LOCK_NAME
    try:
        lock = take_flock(str(path), time.monotonic() + LOCK_WAIT, what)
    except LockBusy as exc:
        raise StoreBusy(f"waited {exc.waited:.0f} s for the configuration store's lock "
                        f"{path}, held by {exc.holder}; nothing stored") from None
    try:
        yield
    finally:
        os.close(lock)


def read_states(root: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The state kept per device, and per device whose state.json cannot be read or is
    no JSON (damaged, cut short) the warning naming it, in Bahasa Indonesia: its state is
    then {} (read as without a state). UnsafeStore for a device directory another
    account owns or can write (the state the next run trusts would be theirs)."""
    states: dict[str, Any] = {}
    damaged: dict[str, str] = {}
    if root.is_dir():
        for state in sorted(root.glob("*/state.json")):
            check_dir(state.parent)
            name = state.parent.name
            try:
                states[name] = json.loads(state.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                why = (f"tidak dapat dibaca ({exc.strerror or exc})" if isinstance(exc, OSError)
                       else "bukan JSON (rusak atau terpotong)")
                damaged[name] = (f"{name}: status tersimpan {state} di penyimpanan konfigurasi "
                                 f"{why}; diabaikan, semua peringatan log perangkat ini "
                                 "dibaca ulang")
                states[name] = {}
    return states, damaged


def too_large(name: str, content: str | None, max_bytes: int) -> str | None:
    """The warning refusing a configuration larger than ``max_bytes`` in UTF-8 (as it
    would be written), in Bahasa Indonesia; None for one that may be stored."""
    size = 0 if content is None else len(content.encode("utf-8", "surrogatepass"))
    if size <= max_bytes:
        return None
    return (f"{name}: konfigurasi berukuran {angka(size)} byte melebihi batas "
            f"{angka(max_bytes)} byte (max_export_bytes); tidak disimpan, konfigurasi "
            "tersimpan sebelumnya dan riwayatnya tetap")


# A device's configuration stored but not yet reported (its diff in no record): the
# report id of the newest such version (UNREPORTED), and the configuration last reported
# before it (REPORTED).
UNREPORTED = "unreported"
REPORTED = "reported.txt"
# History versions: named by the time each was stored, in microseconds (UTC).
_VERSION = re.compile(r"^(\d{8}T\d{6})\.(\d{6})Z\.txt$")


def read_config(path: Path) -> str:
    # newline="": as written (write_private translates nothing on POSIX), so a CR in a
    # configuration does not read back as LF and count as a change on every run; a byte
    # that is not UTF-8 (a file edited or restored by hand) as \xNN, kept so in the
    # history, instead of a traceback that stored no device of the run
    with open(path, encoding="utf-8", errors="backslashreplace", newline="") as handle:
        return handle.read()


def version_micros(name: str) -> int | None:
    """The time a history version's name gives, in microseconds; None for another file."""
    found = _VERSION.fullmatch(name)
    if found is None:
        return None
    seconds = calendar.timegm(time.strptime(found[1], "%Y%m%dT%H%M%S"))
    return seconds * 1_000_000 + int(found[2])


def version_name(micros: int) -> str:
    seconds, part = divmod(micros, 1_000_000)
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(seconds)) + f".{part:06d}Z.txt"


def archive(history: Path, old: str, stored_ns: int, keep: int) -> None:
    """Keep ``old``, stored at ``stored_ns`` (its file's mtime), as the newest version of
    ``history``, and the ``keep`` newest versions alone. Named by that time, or one
    microsecond after the newest version when that is not later (the clock set back,
    two versions stored within the file system's timestamp granularity, a mtime set by
    hand): the names, sorted, are the order the versions were stored in, and none
    replaces another. Already the newest version (a run stopped before it replaced the
    configuration), it is not kept twice."""
    versions = sorted((micros, entry) for entry in history.iterdir()
                      if (micros := version_micros(entry.name)) is not None)
    kept = [entry for _, entry in versions]
    if keep and not (kept and read_config(kept[-1]) == old):
        micros = stored_ns // 1000
        if versions:
            micros = max(micros, versions[-1][0] + 1)
        kept.append(history / version_name(micros))
        write_private(kept[-1], old)
    for stale in kept[: -keep or None]:
        stale.unlink()


def store(
    root: Path, item: dict[str, Any], states: dict[str, Any], keep: int, check: bool,
    *, max_bytes: int = MAX_EXPORT_BYTES,
) -> dict[str, Any]:
    """Store one item's configuration and state; its result for the record. The change
    reported is against the configuration last reported: a version an earlier run
    stored without its diff reaching a record (it failed or stopped before, see
    mark_reported) is reported again, with this one, until the record is marked."""
    name, content = item["name"], item["content"]
    refused = too_large(name, content, max_bytes)
    if refused:
        content = None  # as an unavailable export: the stored one stays
    device = root / name
    current = device / "config.txt"
    old: str | None = None
    if device.is_dir():
        check_dir(device)  # before its configuration is read and compared, in check mode too
    if current.is_file():
        old = read_config(current)
    unreported = unreported_id(device)
    base = old
    if unreported is not None:
        base = read_config(device / REPORTED) if (device / REPORTED).is_file() else None
    stores = content is not None and content != old
    latest = content if content is not None else old
    result: dict[str, Any] = {
        "name": name, "first": base is None, "diff": None, "refused": refused,
        "stored": stores, "report_id": None,
        "changed": latest is not None and (latest != base or unreported is not None)}
    if result["changed"] and base is not None and latest is not None:
        result["diff"] = (masked_diff(name, base, latest, since_report=unreported is not None)
                          if latest != base else
                          f"{name}: konfigurasi sempat berubah setelah laporan terakhir "
                          "(perubahan disimpan oleh run yang tidak sempat mencatatnya) lalu "
                          "kembali sama seperti yang terakhir dilaporkan\n")
    state_changed = item["state"] is not None and item["state"] != states.get(name)
    result["state_changed"] = state_changed
    # checked by check_kinds: only a missing record is written (a directory stored
    # before kinds were recorded adopted), not a new directory for it alone
    kind = item.get("kind")
    record = (kind is not None and not (device / "kind").is_file()
              and (device.is_dir() or stores or state_changed))
    if check:
        return result
    # a first configuration is no change to report: a record that never came loses no diff
    held = stores and (old is not None or unreported is not None)
    result["report_id"] = secrets.token_hex(8) if held else unreported
    if not (stores or state_changed or record):
        return result
    store_dir(device)
    if record:
        write_private(device / "kind", f"{kind}\n")
    if stores:
        # what was last reported is kept before anything else changes, so that a run
        # stopped on the way reports the change next time
        if unreported is None and old is not None:
            write_private(device / REPORTED, old)
        if held:
            write_private(device / UNREPORTED, f"{result['report_id']}\n")
        if old is not None:
            history = device / "history"
            store_dir(history)
            archive(history, old, current.stat().st_mtime_ns, keep)
        write_private(current, content)
    if state_changed:
        write_private(device / "state.json", json.dumps(item["state"], sort_keys=True))
    return result


def unreported_id(device: Path) -> str | None:
    """The report id of the device's newest configuration stored but not reported, None
    when every one was."""
    marker = device / UNREPORTED
    if not marker.is_file():
        return None
    return marker.read_text(encoding="utf-8", errors="replace").strip()


def mark_reported(root: Path, name: str, report_id: str, check: bool) -> bool:
    """Mark the change store reported with ``report_id`` as in a record: True when it is
    the device's newest unreported one (its marks removed, unless ``check``), False when
    there is none or a newer one (stored by a run since, in no record yet: kept)."""
    device = root / name
    if not device.is_dir():
        return False
    check_dir(device)
    if unreported_id(device) != report_id:
        return False
    if not check:
        (device / UNREPORTED).unlink()  # first: without it REPORTED is never read
        (device / REPORTED).unlink(missing_ok=True)
    return True


def report(root: Path, reported: dict[str, str], check: bool) -> list[str]:
    """The devices whose unreported changes ``reported`` (name: report_id) marks as in a
    record (mark_reported), under the store's lock; in check mode those it would mark."""
    if not root.is_dir():
        return []
    # check mode writes nothing, and takes no lock
    with (contextlib.nullcontext() if check
          else store_lock(root, f"marking the configurations reported in {root}")):
        return [name for name, report_id in reported.items()
                if mark_reported(root, name, report_id, check)]


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "items": {
                "type": "list",
                "elements": "dict",
                "options": {
                    "name": {"type": "str", "required": True},
                    # the export may hold secrets (show_sensitive): into the root-only
                    # store, never back into the task result (ansible-core < 2.21
                    # returns every argument as invocation)
                    "content": {"type": "str", "no_log": True},
                    "state": {"type": "dict"},
                    "kind": {"type": "str", "choices": ["routeros", "linux"]},
                },
            },
            "reported": {"type": "dict"},
            "keep": {"type": "int", "default": 50},
            "max_export_bytes": {"type": "int", "default": MAX_EXPORT_BYTES},
        },
        mutually_exclusive=[("items", "reported")],
        supports_check_mode=True,
    )
    p = module.params
    # refused with setting, the message starting with the option's name: the network
    # role's rescue names the role's variable (sop_failure_cause)
    bad_setting = (range_error(p, "keep", **RANGES["keep"])
                   or range_error(p, "max_export_bytes", **RANGES["max_export_bytes"]))
    if bad_setting:
        module.fail_json(**bad_setting)
    if not os.path.isabs(p["path"]):  # relative to the module's working directory
        module.fail_json(msg=f"path: must be an absolute path, not {p['path']!r}",
                         setting="path")
    root = Path(p["path"])
    reported = p["reported"] or {}
    bad = [name for name in [i["name"] for i in p["items"] or []] + list(reported)
           if device_name_error(name)]
    if bad:
        module.fail_json(msg=f"device names unusable as file names: {', '.join(bad)}")
    odd = [name for name, report_id in reported.items() if not isinstance(report_id, str)]
    if odd:
        module.fail_json(msg="reported must map each device name to the report_id its "
                             f"result gave, not to another value: {', '.join(odd)}")
    if root.exists() and not root.is_dir():
        module.fail_json(msg=f"configuration store {root} is not a directory")
    try:
        check_above(root)
        if root.is_dir():
            check_dir(root)
        states, damaged = read_states(root)
    except UnsafeStore as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg=f"cannot read the configuration store {root}: {exc.strerror or exc}")
    # Named once a run: not again by the call that writes the device's new state, nor
    # by the one marking the run's record.
    renewed = set() if module.check_mode else {
        i["name"] for i in p["items"] or [] if i["state"] is not None}
    for name, warning in damaged.items():
        if name not in renewed and p["reported"] is None:
            module.warn(warning)
    if p["reported"] is not None:
        try:
            marked = report(root, reported, module.check_mode)
        except (UnsafeStore, StoreBusy) as exc:
            module.fail_json(msg=str(exc))
        except OSError as exc:
            module.fail_json(
                msg=f"cannot write the configuration store {root}: {exc.strerror or exc}")
        module.exit_json(changed=bool(marked), states=states, changed_names=[], marked=marked)
    if p["items"] is None:
        module.exit_json(changed=False, states=states, changed_names=[])
    try:
        if not module.check_mode:
            store_dir(root)
        # check mode writes nothing, and takes no lock
        with (contextlib.nullcontext() if module.check_mode
              else store_lock(root, f"storing configurations in {root}")):
            try:
                check_kinds(root, p["items"])
            except OSError as exc:
                module.fail_json(
                    msg=f"cannot read the configuration store {root}: {exc.strerror or exc}")
            results = [store(root, i, states, p["keep"], module.check_mode,
                             max_bytes=p["max_export_bytes"])
                       for i in p["items"]]
    except (UnsafeStore, OtherKind, StoreBusy) as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg=f"cannot write the configuration store {root}: {exc.strerror or exc}")
    for r in results:
        if r["refused"]:
            module.warn(r["refused"])
    changed = [r["name"] for r in results if r["changed"]]
    diff = [
        {
            "before_header": f"{r['name']} (sebelumnya)",
            "after_header": f"{r['name']} (sekarang)",
            "prepared": r["diff"],
        }
        for r in results
        if r["diff"]
    ]
    module.exit_json(
        changed=any(r["stored"] or r["state_changed"] for r in results),
        devices=results,
        states=states,
        changed_names=changed,
        diff=diff,
    )


if __name__ == "__main__":
    main()
