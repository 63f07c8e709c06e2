"""The SOP catalogue: the 8 IT SOPs, schema errors, tags against playbooks, overrides."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
        ({"local-demo": "W99/1"}, "sop_catalogue_overrides/local-demo: must be a mapping"),
        (["local-demo"], "sop_catalogue_overrides/(top): must be a mapping of SOP id"),
    ],
)
def test_bad_overrides(overrides: object, expected: str) -> None:
    sop = load_catalogue(FIXTURES / "catalogue")["local-demo"]
    with pytest.raises(SopError, match=re.escape(expected)):
        apply_overrides(sop, overrides, None)


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
