"""The SOP catalogue: the 8 IT SOPs, schema errors, tags against playbooks, overrides."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sop import catalogue as catalogue_module
from sop.catalogue import PACKAGE_CATALOGUE, apply_overrides, load_catalogue, parse_sop
from sop.errors import SopError

from .conftest import FIXTURES, REPO

IT_SOPS = {
    "sipp-backup",
    "sipp-maintenance",
    "sipp-sync",
    "website",
    "network",
    "server-maintenance",
    "server-incident",
    "it-security",
}


def test_all_it_sops_present() -> None:
    sops = load_catalogue(PACKAGE_CATALOGUE)
    assert set(sops) == IT_SOPS
    assert sops["sipp-backup"].number == "12/KPN.W4-U2/SOP.PTIP/OT1.2/I/2024"
    assert "W14.U21/10/SOP/06/2016" in [d.number for d in sops["sipp-maintenance"].documents]
    backup = sops["sipp-backup"]
    assert [a.automated for a in backup.activities] == ["persiapan", "backup", "laporan", "selesai"]
    assert backup.activities[1].limit_seconds == 3600
    maintenance = sops["sipp-maintenance"]
    assert maintenance.activities[1].automated_by == "sipp-backup"
    assert [a.mode for a in maintenance.activities[3:]] == ["manual"] * 4


def _playbook_tags(playbook: Path) -> set[str]:
    out = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "--list-tags",
            "-i",
            "localhost,",
            str(playbook),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        t.strip()
        for found in re.findall(r"TAGS: \[(.*?)\]", out)
        for t in found.split(",")
        if t.strip()
    }


@pytest.mark.parametrize(
    "directory", [PACKAGE_CATALOGUE, FIXTURES / "catalogue"], ids=["package", "fixtures"]
)
def test_automated_tags_exist_in_playbooks(directory: Path) -> None:
    checked = 0
    for sop in load_catalogue(directory).values():
        playbook = sop.playbook_path(REPO)
        if playbook is None:
            continue  # no playbook yet: shown as not automated
        tags = _playbook_tags(playbook)
        missing = sorted(set(sop.tag_map()) - tags)
        assert not missing, f"{sop.id}: tags {missing} not in {sop.playbook}"
        checked += 1
    if directory == FIXTURES / "catalogue":
        assert checked == 3


def test_each_activity_tag_is_on_its_kegiatan_task_in_the_role() -> None:
    """The tag that runs and counts an automated activity is the one on the role's task
    named for that activity ("Kegiatan N"), not another activity's; a manual activity
    has no such task, unless it has an automated part (`automated_part`: the website's
    optional quarantine of activity 6), tagged so. Tags merely existing in the playbook
    (above) let two be swapped."""
    for sop in load_catalogue(PACKAGE_CATALOGUE).values():
        assert sop.playbook is not None
        main = REPO / "roles" / Path(sop.playbook).stem / "tasks" / "main.yml"
        tasks = yaml.safe_load(main.read_text(encoding="utf-8"))
        by_number: dict[int, set[str]] = {}
        for task in tasks:
            found = re.match(r"Kegiatan (\d+)\b", task.get("name", ""))
            if found:
                by_number.setdefault(int(found[1]), set()).update(task.get("tags", []))
        for activity in sop.activities:
            tags = by_number.get(activity.number)
            if activity.automated:
                assert tags and activity.automated in tags, (sop.id, activity.number, tags)
            else:
                part = activity.automated_part
                assert tags == ({part} if part else None), (sop.id, activity.number)


def test_the_website_quarantine_is_the_automated_part_of_activity_6() -> None:
    """The quarantine's tasks (tag karantina) map to activity 6, which stays manual: the
    files it moves are recorded with the step its `sop ack` confirms."""
    website = load_catalogue(PACKAGE_CATALOGUE)["website"]
    sixth = website.activity("6")
    assert (sixth.mode, sixth.automated, sixth.automated_part) == ("manual", None, "karantina")
    assert website.tag_map()["karantina"] == 6
    with pytest.raises(SopError) as caught:
        website.chosen(["6"])
    assert str(caught.value) == (
        "activity 6 of SOP website is a manual step: it is recorded with `sop ack`, not run "
        "(its automated part, tag karantina, runs with the whole SOP)"
    )


def _write(tmp_path: Path, text: str, name: str = "demo.yml") -> Path:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    return file


VALID = (FIXTURES / "catalogue" / "local-manual.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("waktu: 1d", "waktu: sehari"), r"activities/0/waktu: not a duration"),
        (("frequency: on_demand", "frequency: hourly"), r"frequency: 'hourly' is not one of"),
        (
            ("manual: Dicatat di buku", "automated: tag1\n    manual: x"),
            r"activities/0: needs exactly one of automated, automated_by, manual",
        ),
        (("    output: Catatan\n", ""), r"activities/0: 'output' is a required property"),
        (
            ("manual: Dicatat di buku", "manual: Dicatat di buku\n    manual_step: x"),
            r"activities/0: 'automated' is a dependency of 'manual_step'",
        ),
        (
            ("manual: Dicatat di buku", "automated: tag1\n    automated_part: tag2"),
            r"activities/0: 'manual' is a dependency of 'automated_part'",
        ),
        (
            ("manual: Dicatat di buku", "manual: x\n    automated_part: 'two words'"),
            r"activities/0/automated_part: 'two words' does not match",
        ),
        (("id: local-manual", "id: other"), r"id: 'other' must match the file name"),
        (("title: SOP Uji Manual", "title: [unclosed"), r"line \d+: invalid YAML"),
        (
            ("frequency: on_demand", "frequency: weekly\ntimes_per_period: 2"),
            r"times_per_period: only a daily SOP runs several times a period",
        ),
        (
            ("frequency: on_demand", "frequency: daily\ntimes_per_period: 0"),
            r"times_per_period: 0 is less than the minimum of 1",
        ),
        (
            ("waktu: 1d", "waktu: 99999999999d"),
            r"activities/0/waktu: '99999999999d' is longer than 366 days",
        ),
        (
            ("waktu: 1d", "waktu: " + "9" * 5000 + "d"),
            r"activities/0/waktu: not a duration: '9{20}",
        ),
        # a limit of nothing judged every run of the activity over its Mutu Baku (the
        # court's own `waktu` refuses it); no limit is `null`
        (("waktu: 1d", "waktu: 0m"), r"activities/0/waktu: '0m' is no time \(null: no limit\)$"),
        (("waktu: 1d", "waktu: PT0S"), r"activities/0/waktu: 'PT0S' is no time"),
    ],
)
def test_schema_errors_are_one_line(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    file = _write(tmp_path, VALID.replace(*change), "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(file))
    assert re.search(expected, message), message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("waktu: 1d", "waktu: 1d\n    waktu: 2d"),
            "line 19: invalid YAML: key 'waktu' given twice",
        ),
        (("id: local-manual", "id: local-manual\nid: local-manual"), "line 3: invalid YAML: key"),
    ],
)
def test_a_key_given_twice_is_refused(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    """YAML's loader kept the last of a key given twice: an activity with the document's
    Mutu Baku time and, below it, another was recorded and judged against the other."""
    file = _write(tmp_path, VALID.replace(*change), "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    assert str(caught.value).startswith(f"{file}: {expected}"), str(caught.value)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (b"\xff", r"line 3: invalid YAML: unacceptable character #x00ff \(invalid .*\)$"),
        (b"\x07", r"line 3: invalid YAML: unacceptable character #x0007 \(.* not allowed\)$"),
    ],
)
def test_a_character_yaml_refuses_is_one_line(tmp_path: Path, bad: bytes, expected: str) -> None:
    """A byte that is no UTF-8 (a court's catalogue saved as Latin-1) or a control
    character was told in YAML's two lines ending in `in "<byte string>", position N`."""
    text = VALID.encode().replace(b"Uji Manual\n", b"Uji Manual" + bad + b"\n", 1)
    file = tmp_path / "local-manual.yml"
    file.write_bytes(text)
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{file}: ")
    assert re.search(expected, message), message


SECOND = """  - number: 2
    ref: {ref}
    kegiatan: Langkah kedua
    pelaksana: [Sekretaris]
    kelengkapan: Buku
    waktu: 1d
    output: Catatan
    manual: Dicatat di buku
"""


@pytest.mark.parametrize(
    ("ref", "expected"),
    [("A.1", "ref 'A.1' names activities 1 and 2"), ('"1"', "ref '1' names activities 1 and 2")],
)
def test_a_ref_names_one_activity(tmp_path: Path, ref: str, expected: str) -> None:
    """sop ack, sop_catalogue_overrides' waktu and `activity()` take an activity by
    number or ref: a ref given twice, or one that is another activity's number, made them
    take the first silently (an acknowledgement recorded on the wrong activity)."""
    file = _write(tmp_path, VALID + SECOND.format(ref=ref), "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    assert str(caught.value) == f"{file}: activities: {expected}"


@pytest.mark.parametrize("key", ["automated", "automated_part"])
@pytest.mark.parametrize("tag", ["always", "never", "all", "tagged", "untagged"])
def test_an_ansible_special_tag_is_no_activity_tag(tmp_path: Path, key: str, tag: str) -> None:
    """`sop run --activity` runs an activity by its tag and the events count a task
    under the activity its tags name: `always` counted every task tagged always (the
    checks, the failed-activities summary) as that activity and ran only them; `all`
    ran the whole SOP for one activity; `never` ran the tasks meant never to run. A manual
    activity's automated part is run and counted by its tag in the same way."""
    if key == "automated":
        text = VALID.replace("playbook: null", "playbook: playbooks/lab_ping.yml").replace(
            "manual: Dicatat di buku", f"automated: {tag}"
        )
    else:
        text = VALID.replace(
            "manual: Dicatat di buku", f"manual: Dicatat di buku\n    automated_part: {tag}"
        )
    file = _write(tmp_path, text, "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    assert str(caught.value) == (
        f"{file}: activities/0/{key}: {tag!r} is one of Ansible's special tags (all, "
        "always, never, tagged, untagged), not an activity's own"
    )


@pytest.mark.parametrize("second", ["automated: laporan", "manual: x\n    automated_part: laporan"])
def test_an_automated_part_shares_no_tag_with_another_activity(
    tmp_path: Path, second: str
) -> None:
    """A tag names one activity, whether it is an automated activity's or a manual one's
    automated part: a task carrying it could not be counted as both."""
    text = VALID.replace(
        "manual: Dicatat di buku", "manual: Dicatat di buku\n    automated_part: laporan"
    ) + SECOND.format(ref="A.2").replace("manual: Dicatat di buku", second)
    file = _write(tmp_path, text, "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    assert str(caught.value) == f"{file}: activities: tag 'laporan' used by several activities"


# A value of a catalogue file or an inventory as its errors quote it: once, as `sop` shows
# it (untrusted.quoted: repr's `\\x1b` or `\\\\` was escaped again there), and cut
# (untrusted.shortened: a value pasted whole flooded the line).
LONG = "x" * 5000
CUT = "'" + "x" * 60 + "…'"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("waktu: 1d", 'waktu: 1d\n    "a\\eb": 1\n    "a\\eb": 2'),
            "line 20: invalid YAML: key 'a\x1bb' given twice",
        ),
        (("id: local-manual", f"id: a{LONG}"), f"id: 'a{'x' * 59}…' must match the file name"),
    ],
)
def test_a_files_value_in_an_error_is_quoted_once_and_cut(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    file = _write(tmp_path, VALID.replace(*change), "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    assert str(caught.value).startswith(f"{file}: {expected}"), str(caught.value)


@pytest.mark.parametrize(
    ("ref", "shown"), [("'a\\b'", "'a\\b'"), ('"a\\eb"', "'a\x1bb'"), (LONG, CUT)]
)
def test_a_ref_given_twice_is_quoted_once_and_cut(tmp_path: Path, ref: str, shown: str) -> None:
    text = VALID.replace("ref: A.1", f"ref: {ref}") + SECOND.format(ref=ref)
    file = _write(tmp_path, text, "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    assert str(caught.value) == f"{file}: activities: ref {shown} names activities 1 and 2"


def test_a_files_control_character_is_shown_escaped_once(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line `sop` shows: the ESC as its escape, not repr's escape escaped again
    (`'a\\x5cx1bb'`)."""
    ref = '"a\\eb"'
    file = _write(tmp_path, VALID.replace("ref: A.1", f"ref: {ref}") + SECOND.format(ref=ref),
                  "local-manual.yml")
    monkeypatch.setenv("SOP_CATALOGUE_DIR", str(tmp_path))
    code, out, err = cli("list")
    assert (code, out) == (2, "")
    assert err == f"sop: error: {file}: activities: ref 'a\\x1bb' names activities 1 and 2\n"


def test_a_tag_used_twice_and_an_unknown_automated_by_are_cut(tmp_path: Path) -> None:
    text = VALID.replace(
        "manual: Dicatat di buku", f"manual: Dicatat di buku\n    automated_part: {LONG}"
    ) + SECOND.format(ref="A.2").replace("manual: Dicatat di buku", f"automated: {LONG}")
    file = _write(tmp_path, text, "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    assert str(caught.value) == f"{file}: activities: tag {CUT} used by several activities"
    _write(
        tmp_path,
        VALID.replace("manual: Dicatat di buku", f"automated_by: {LONG}"),
        "local-manual.yml",
    )
    with pytest.raises(SopError) as caught:
        load_catalogue(tmp_path)
    assert str(caught.value).endswith(f"automated_by: unknown SOP {CUT}")


def test_unknown_automated_by(tmp_path: Path) -> None:
    _write(
        tmp_path,
        VALID.replace("manual: Dicatat di buku", "automated_by: nowhere"),
        "local-manual.yml",
    )
    with pytest.raises(SopError, match="automated_by: unknown SOP 'nowhere'"):
        load_catalogue(tmp_path)


def test_overrides_number_and_pelaksana() -> None:
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    court = apply_overrides(
        sop, {"local-demo": {"number": "W99/1", "pelaksana": {"Staf IT": "Budi"}}}, "PN Uji"
    )
    assert court.number == "W99/1"
    assert court.documents[0].court == "PN Uji"
    assert court.documents[1:] == sop.documents
    assert court.activities[0].pelaksana == ("Staf IT (Budi)",)
    assert court.digest != sop.digest
    assert apply_overrides(sop, None, None) is sop


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"local-demo": {"pelaksana": {"Ketua": "X"}}}, "'Ketua' is not a pelaksana"),
        ({"local-demo": {"nomor": "1"}}, "sop_catalogue_overrides/local-demo: unknown key 'nomor'"),
        ({"local-demo": {"number": 5}}, "sop_catalogue_overrides/local-demo/number: 5 is not"),
        ({"local-demo": {"court": ""}}, "sop_catalogue_overrides/local-demo/court: '' is not"),
        ({"local-demo": {"pelaksana": ["Budi"]}}, "local-demo/pelaksana: must map each"),
        # a role YAML read as a number beside a misspelt one: sorting them raised TypeError
        (
            {"local-demo": {"pelaksana": {1: "Budi", "Staf TI": "Siti"}}},
            "sop_catalogue_overrides/local-demo/pelaksana: 1 is not a role of the SOP document",
        ),
        # an empty name showed the pelaksana as "Staf IT ()" in every record
        (
            {"local-demo": {"pelaksana": {"Staf IT": ""}}},
            "sop_catalogue_overrides/local-demo/pelaksana/Staf IT: '' is not a person's name",
        ),
        (
            {"local-demo": {"pelaksana": {"Staf IT": None}}},
            "sop_catalogue_overrides/local-demo/pelaksana/Staf IT: None is not a person's name",
        ),
        ({"local-demo": "W99/1"}, "sop_catalogue_overrides/local-demo: must be a mapping"),
        # `court` is the court of the court's own `number`: alone it was silently ignored
        (
            {"local-demo": {"court": "PN Uji"}},
            "sop_catalogue_overrides/local-demo/court: is the court of this SOP's own number: "
            "give number too",
        ),
        (["local-demo"], "sop_catalogue_overrides/(top): must be a mapping of SOP id"),
    ],
)
def test_bad_overrides(overrides: object, expected: str) -> None:
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    with pytest.raises(SopError, match=re.escape(expected)):
        apply_overrides(sop, overrides, None)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"no\x1bmor": "1"}, "local-demo: unknown key 'no\x1bmor' (known: "),
        ({"pelaksana": {"Staf IT": " \u2028 "}}, "pelaksana/Staf IT: ' \u2028 ' is not a"),
        ({"pelaksana": {"Staf IT": [LONG]}}, f"pelaksana/Staf IT: ['{'x' * 58}…"),
        ({"pelaksana": {"Ke\\tua": "X"}}, "pelaksana: 'Ke\\tua' is not a pelaksana"),
        ({"court": [LONG], "number": "1"}, f"local-demo/court: ['{'x' * 58}… is not a"),
        ({"waktu": {"1": [LONG]}}, f"waktu/1: ['{'x' * 58}… is not a duration such as 30m"),
        ({"waktu": {LONG: "30m"}}, f"waktu: no activity {CUT} in this SOP"),
    ],
)
def test_an_overrides_value_in_an_error_is_quoted_once_and_cut(
    override: dict[str, object], expected: str
) -> None:
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    with pytest.raises(SopError) as caught:
        apply_overrides(sop, {"local-demo": override}, None)
    assert expected in str(caught.value), str(caught.value)
    assert len(str(caught.value)) < 200


def test_overrides_of_an_unknown_sop_are_refused() -> None:
    """A misspelt SOP id is an error, not a court's SOP number, staff names or grace
    silently left out of every record."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    with pytest.raises(SopError) as caught:
        apply_overrides(sop, {"local-dmeo": {"number": "W99/1"}}, None)
    assert str(caught.value) == (
        "inventory: sop_catalogue_overrides/local-dmeo: no such SOP in the catalogue "
        "(known: lab-ping, local-demo, local-manual, local-secret)"
    )


def test_overrides_waktu_set_the_courts_own_mutu_baku() -> None:
    """`waktu` gives an activity (by number or document reference) the time its court's
    own SOP document sets: its limit, shown as the court's; the rest keep the catalogue's."""
    fixtures = load_catalogue(FIXTURES / "catalogue")
    sop = fixtures["local-demo"]
    court = apply_overrides(sop, {"local-demo": {"waktu": {1: "1s", "3": "PT30M"}}}, None)
    first, second, manual, delegated = court.activities
    assert (first.limit_seconds, first.waktu_text) == (1, "1 detik (SOP pengadilan ini)")
    assert (manual.limit_seconds, manual.waktu_text) == (1800, "30 menit (SOP pengadilan ini)")
    assert (second, delegated) == sop.activities[1:2] + sop.activities[3:]
    assert court.digest != sop.digest  # the record's catalogue hash tells them apart
    manual_sop = apply_overrides(
        fixtures["local-manual"], {"local-manual": {"waktu": {"A.1": "2d"}}}, None
    )
    assert manual_sop.activities[0].limit_seconds == 2 * 86400


def test_overrides_waktu_bengkalis_example() -> None:
    """PN Bengkalis's own SOP 3 and 4 (2024): 30 minutes for receiving SIPP complaints and
    4 hours for watching the website, where the catalogue (PN Bangil) has 15 min and 2 h."""
    sops = load_catalogue(PACKAGE_CATALOGUE)
    overrides = {
        "sipp-maintenance": {"waktu": {4: "30m"}},
        "website": {"waktu": {1: "4h"}},
    }
    assert sops["sipp-maintenance"].activities[3].limit_seconds == 15 * 60
    assert sops["website"].activities[0].limit_seconds == 2 * 3600
    maintenance = apply_overrides(sops["sipp-maintenance"], overrides, "PN Bengkalis")
    website = apply_overrides(sops["website"], overrides, "PN Bengkalis")
    assert maintenance.activities[3].limit_seconds == 30 * 60
    assert website.activities[0].limit_seconds == 4 * 3600
    assert website.activities[0].waktu_text == "4 jam (SOP pengadilan ini)"


@pytest.mark.parametrize(
    ("waktu", "expected"),
    [
        (
            {"9": "30m"},
            "inventory: sop_catalogue_overrides/local-demo/waktu: no activity '9' in this SOP "
            "(activities: 1, 2, 3, 4)",
        ),
        (
            {"1": "30 menit"},
            "inventory: sop_catalogue_overrides/local-demo/waktu/1: not a duration: '30 menit' "
            "(use 5m, 1h, 1d or ISO 8601 such as PT1H)",
        ),
        (  # quoted once (untrusted.quoted): repr doubled it, then `sop` showed that
            {"1": "30\\menit"},
            "inventory: sop_catalogue_overrides/local-demo/waktu/1: not a duration: '30\\menit' "
            "(use 5m, 1h, 1d or ISO 8601 such as PT1H)",
        ),
        (  # cut as every name an error quotes (untrusted.shortened), not at its own 39
            {"1": "9" * 5000 + "m"},
            "inventory: sop_catalogue_overrides/local-demo/waktu/1: not a duration: '"
            + "9" * 60 + "…' (use 5m, 1h, 1d or ISO 8601 such as PT1H)",
        ),
        (
            {"1": 30},
            "inventory: sop_catalogue_overrides/local-demo/waktu/1: 30 is not a duration such "
            "as 30m",
        ),
        ({"1": "0m"}, "inventory: sop_catalogue_overrides/local-demo/waktu/1: '0m' is no time"),
        (
            {"1": "400d"},
            "inventory: sop_catalogue_overrides/local-demo/waktu/1: '400d' is longer than 366 "
            "days",
        ),
        (
            {1: "1m", "1": "2m"},
            "inventory: sop_catalogue_overrides/local-demo/waktu: activity '1' is given twice",
        ),
        (
            ["1"],
            "inventory: sop_catalogue_overrides/local-demo/waktu: must map each activity "
            "(number or ref) to its time",
        ),
    ],
)
def test_bad_overrides_waktu(waktu: object, expected: str) -> None:
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    with pytest.raises(SopError) as caught:
        apply_overrides(sop, {"local-demo": {"waktu": waktu}}, None)
    assert str(caught.value) == expected


@pytest.mark.parametrize("grace", ["99999999999d", "P99999999999D", "9" * 5000 + "s"])
def test_a_grace_beyond_any_date_is_refused(grace: str) -> None:
    """A grace no date can hold (sop overdue adds it to the due date) is one line naming
    it, not an internal OverflowError in every `sop list` and `sop overdue` of the court."""
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    with pytest.raises(SopError) as caught:
        apply_overrides(sop, {"local-demo": {"grace": grace}}, None)
    message = str(caught.value)
    assert message.startswith("inventory: sop_catalogue_overrides/local-demo/grace: "), message
    assert "longer than 366 days" in message or "not a duration" in message
    assert len(message) < 200


def test_a_grace_for_an_on_demand_sop_is_refused(tmp_path: Path) -> None:
    """An on-demand SOP is never overdue: a grace for it (the catalogue's, or a court's
    for Penanganan Gangguan Server) was silently ignored, as a calendar for it is not."""
    file = _write(tmp_path, VALID + "grace: 1d\n", "local-manual.yml")
    with pytest.raises(SopError) as caught:
        parse_sop(file)
    assert str(caught.value) == (
        f"{file}: grace: an on-demand SOP is never overdue (no grace to give)"
    )
    sop = load_catalogue(FIXTURES / "catalogue")["local-manual"]
    with pytest.raises(SopError) as caught:
        apply_overrides(sop, {"local-manual": {"grace": "1d"}}, None)
    assert str(caught.value) == (
        "inventory: sop_catalogue_overrides/local-manual/grace: an on-demand SOP is never "
        "overdue (no grace to give)"
    )


def test_validation_is_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A validated content (catalogue files + schema) is not validated again; any change
    to a file is: a marker from before never hides a new schema error."""
    catalogue = tmp_path / "catalogue"
    shutil.copytree(FIXTURES / "catalogue", catalogue)
    cache = tmp_path / "cache"
    first = load_catalogue(catalogue, cache_dir=cache)
    markers = list(cache.iterdir())
    assert len(markers) == 1

    def no_validation(*_args: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(catalogue_module, "_schema_error", no_validation)
    assert load_catalogue(catalogue, cache_dir=cache) == first  # same content: no validation
    monkeypatch.undo()
    demo = catalogue / "local-demo.yml"
    demo.write_text(demo.read_text().replace("frequency: daily", "frequency: hourly"))
    with pytest.raises(SopError, match="frequency: 'hourly' is not one of"):
        load_catalogue(catalogue, cache_dir=cache)
    assert list(cache.iterdir()) == markers  # an invalid content leaves no marker
    demo.write_text(demo.read_text().replace("frequency: hourly", "frequency: weekly"))
    load_catalogue(catalogue, cache_dir=cache)
    assert len(list(cache.iterdir())) == 1 and list(cache.iterdir()) != markers


# OnCalendar expressions systemd takes (systemd.time(7)'s forms a timer uses), and typos
# and forms it refuses; checked against systemd-analyze where it is installed.
CALENDARS_TAKEN = (
    "*-*-01 20:00", "*-*-* 18:00", "Mon *-*-* 09:00", "Mon..Fri 07:00", "mon-fri 9:00",
    "Sat,Sun 10:00", "Mon..Wed,Fri *-*-1..7 02:00", "Monday", "hourly", "Daily", "weekly",
    "monthly", "quarterly", "semi-annually", "*:0/15", "*:*", "00/6:00", "09,13,17:00",
    "09..17:00", "09:00:30.5", "*:*:59.5", "*-02~03", "*~01", "2199-*-01", "01-01", "*-*-01/7",
    "*-*-01 20:00 UTC", "daily utc", "*-*-01 20:00 Asia/Makassar", "*-*-01  20:00",
    # two-digit years, as systemd reads them (2027 to 2069), and its other shorthands
    "27..69-*-01 09:00", "69-12-31 09:00", "anually", "bi-annually",
)  # fmt: skip
CALENDARS_REFUSED = (
    "*-*-01 2000", "*-*-32", "*-13-01", "*-*-00", "*-*-* 24:00", "*-*-* 23:60", "*-*-* 9",
    "Fri..Mon 09:00", "Mon, Tue", "Mond 09:00", "9:00 Mon", "daily 09:00", "*/2:00",
    "*-*-7..1", "*-*-1..7/0", "*-*-01 20:00 WIB", "*-*-01 20:00 Asia/Nowhere", "UTC",
    "2200-01-01", "9:00:00:00", "*-*-* 00/25:00", "*-*~29",
)  # fmt: skip


@pytest.mark.parametrize("expression", CALENDARS_TAKEN)
def test_a_calendar_systemd_takes_loads(tmp_path: Path, expression: str) -> None:
    file = _write(tmp_path, _calendar(expression), "local-manual.yml")
    assert parse_sop(file).calendar == (expression,)


@pytest.mark.parametrize("expression", CALENDARS_REFUSED)
def test_a_calendar_typo_is_refused_when_the_catalogue_loads(
    tmp_path: Path, expression: str
) -> None:
    """The catalogue's calendar was checked for its characters only: `*-*-01 2000`
    loaded, and showed only when the timer was installed (systemd ignoring the line). It
    is refused in one line naming the file and the expression."""
    file = _write(tmp_path, _calendar(expression), "local-manual.yml")
    with pytest.raises(SopError) as caught:
        load_catalogue(tmp_path)
    assert str(caught.value) == (
        f"{file}: calendar/0: {expression!r} is not a systemd OnCalendar expression (such as "
        "*-*-01 20:00, Mon..Fri 09:00, hourly or *:0/15)"
    )


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_the_calendar_check_agrees_with_systemd() -> None:
    def systemd_takes(expression: str) -> bool:
        done = subprocess.run(
            ["systemd-analyze", "calendar", "--", " ".join(expression.split())],
            capture_output=True, check=False,
        )  # fmt: skip
        return done.returncode == 0

    assert [e for e in CALENDARS_TAKEN if not systemd_takes(e)] == []
    assert [e for e in CALENDARS_REFUSED if systemd_takes(e)] == []


def _calendar(expression: str) -> str:
    """The fixture's SOP run monthly at `expression`."""
    return VALID.replace(
        "frequency: on_demand", f"frequency: monthly\ncalendar: [{json.dumps(expression)}]"
    )


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
@pytest.mark.parametrize("expression", ["*-02-30 09:00", "2020-01-01 09:00"])
def test_a_calendar_that_never_elapses_is_refused(tmp_path: Path, expression: str) -> None:
    """systemd takes `*-02-30` (no February has a 30th) and a date gone by, then never
    runs the timer: refused when the catalogue loads, as `sop schedule install` refuses a
    court's own such times (test_schedule)."""
    file = _write(tmp_path, _calendar(expression), "local-manual.yml")
    with pytest.raises(SopError) as raised:
        parse_sop(file)
    assert str(raised.value) == (
        f"{file}: calendar/0: {expression!r} never elapses: its timer would never run the SOP"
    )


@pytest.mark.parametrize("expression", ["*-02-30 09:00", "2020-01-01 09:00", "99-01-01 09:00"])
def test_a_calendar_that_never_elapses_is_refused_without_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expression: str
) -> None:
    """Refused by oncalendar's reading where there is no systemd-analyze to ask (a
    two-digit year 99 is 1999, gone by)."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no systemd-analyze
    file = _write(tmp_path, _calendar(expression), "local-manual.yml")
    with pytest.raises(SopError) as raised:
        parse_sop(file)
    assert str(raised.value) == (
        f"{file}: calendar/0: {expression!r} never elapses: its timer would never run the SOP"
    )
