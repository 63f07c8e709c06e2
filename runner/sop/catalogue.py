"""The SOP catalogue: one YAML file per SOP, validated against catalogue/schema.json.

Validation is a pure function of the catalogue files and the schema: `load_catalogue`
with a cache dir (the CLI passes `<data dir>/cache`) leaves a marker named by the sha256
of both after a successful validation and skips jsonschema (and its import) while that
content is unchanged; any change to a file or to the schema validates again.

A court adapts it through the inventory variable `sop_catalogue_overrides` (its own SOP
numbers, the names of its pelaksana, the Mutu Baku times of its own SOP documents): see
`apply_overrides` and the package README.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from sop.durations import format_seconds, parse_duration
from sop.errors import SopError
from sop.inventory import named
from sop.oncalendar import Calendar, UnsupportedCalendar, never_elapses, systemd_refusal
from sop.untrusted import quoted, shortened, shown

if TYPE_CHECKING:
    import jsonschema

PACKAGE_CATALOGUE = Path(__file__).with_name("catalogue")
# Tags Ansible gives a meaning (`--tags always` runs only the tasks every run runs, `all`
# every task): no activity's own tag, by which it is run and its tasks are counted.
_ANSIBLE_SPECIAL_TAGS = ("all", "always", "never", "tagged", "untagged")
FREQUENCY_DAYS = {"daily": 1, "weekly": 7, "monthly": 30, "on_demand": None}
# Grace after a SOP falls due before it counts as overdue (Healthchecks' period + grace),
# unless the SOP's catalogue file (`grace`) or the court (`sop_catalogue_overrides`) says.
FREQUENCY_GRACE = {"daily": "6h", "weekly": "1d", "monthly": "3d", "on_demand": None}
FREQUENCY_LABEL = {
    "daily": "harian",
    "weekly": "mingguan",
    "monthly": "bulanan",
    "on_demand": "sesuai kebutuhan",
}

_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    """A mapping as YAML's safe loader builds it, refusing a key it gives twice (the
    loader keeps the last: a second `waktu` below the document's would win silently)."""
    seen: set[tuple[str, Any]] = set()
    for key_node, _value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
            if (key_node.tag, key_node.value) in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {shown(key_node.value)} given twice", key_node.start_mark
                )
            seen.add((key_node.tag, key_node.value))
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep)


# The catalogue's loader: the fast one where libyaml is installed, keys given once.
_CatalogueLoader: type[yaml.SafeLoader] = type(
    "_CatalogueLoader", (_YamlLoader,), {"construct_mapping": _construct_mapping}
)

@dataclass(frozen=True)
class Document:
    """A source SOP document and the number the issuing court gave it."""

    court: str
    number: str
    title: str
    section: str = ""
    revision: str = ""
    date: str = ""
    note: str = ""


@dataclass(frozen=True)
class Activity:
    """One row of the SOP's activity table."""

    number: int
    kegiatan: str
    pelaksana: tuple[str, ...]
    kelengkapan: str
    limit_seconds: int | None
    waktu_text: str
    output: str
    automated: str | None = None
    automated_by: str | None = None
    manual: str | None = None
    # A human part of an automated activity (paying an invoice), acknowledged after the run.
    manual_step: str | None = None
    # The tag of a manual activity's optional automated part (the website's quarantine):
    # its tasks' results are recorded with the activity, which still waits for `sop ack`.
    automated_part: str | None = None
    ref: str = ""

    @property
    def mode(self) -> str:
        """automated (a playbook tag), delegated (another SOP) or manual."""
        if self.automated:
            return "automated"
        return "delegated" if self.automated_by else "manual"

    @property
    def label(self) -> str:
        return self.ref or str(self.number)


@dataclass(frozen=True)
class Sop:
    """One SOP as the catalogue describes it (possibly adapted by a court's overrides)."""

    id: str
    title: str
    documents: tuple[Document, ...]
    dasar_hukum: tuple[str, ...]
    peringatan: str
    playbook: str | None
    frequency: str
    activities: tuple[Activity, ...]
    digest: str
    source: Path
    grace_seconds: int | None = None
    # How many executions each period asks for (the SIPP sync: at least 3 a day).
    times_per_period: int = 1
    # The timer's times unless the court gives its own; empty: by frequency (schedule.py).
    calendar: tuple[str, ...] = ()
    # A run the timer missed while the controller was off happens at its start (Persistent=).
    catch_up: bool = True

    @property
    def period_seconds(self) -> int | None:
        """How often the SOP falls due; None for on-demand SOPs (never overdue)."""
        days = FREQUENCY_DAYS[self.frequency]
        return None if days is None else days * 86400

    @property
    def number(self) -> str:
        """The SOP number shown first: the court's own if overridden, else the first source."""
        return self.documents[0].number

    def playbook_path(self, project_dir: Path) -> Path | None:
        """The playbook in the project; None when the catalogue declares none (the SOP is
        not automated: manual steps only). SopError when the declared file is missing."""
        if not self.playbook:
            return None
        path = project_dir / self.playbook
        if not path.is_file():
            raise SopError(
                f"SOP {self.id}: its playbook {self.playbook} (declared in {self.source}) "
                f"does not exist in {project_dir}"
            )
        return path

    def activity(self, key: str) -> Activity:
        """An activity by number ("2") or document reference ("C.2"; an activity without
        one is not named by the empty string)."""
        for activity in self.activities:
            if key in (str(activity.number), activity.ref or None):
                return activity
        raise SopError(f"SOP {self.id} has no activity {quoted(shortened(key))}")

    def chosen(self, keys: Iterable[str]) -> tuple[int, ...]:
        """The activities `sop run --activity` names (numbers or references), as their
        numbers in order; SopError naming one that is not run by this SOP's playbook."""
        numbers = set()
        for key in keys:
            activity = self.activity(key)
            if activity.automated and self.playbook:
                numbers.add(activity.number)
            elif activity.automated_by:
                raise SopError(
                    f"activity {key} of SOP {self.id} is carried out by SOP "
                    f"{activity.automated_by}: run that SOP"
                )
            else:
                part = (
                    f" (its automated part, tag {activity.automated_part}, runs with the "
                    "whole SOP)"
                    if activity.automated_part
                    else ""
                )
                raise SopError(
                    f"activity {key} of SOP {self.id} is a manual step: "
                    f"it is recorded with `sop ack`, not run{part}"
                )
        return tuple(sorted(numbers))

    def tag_map(self) -> dict[str, int]:
        """playbook tag -> activity number, for the automated activities and the manual
        ones' automated parts (`automated_part`)."""
        return {
            tag: a.number for a in self.activities if (tag := a.automated or a.automated_part)
        }


def catalogue_dir() -> Path:
    """SOP_CATALOGUE_DIR (tests, a court's own catalogue), else the packaged one."""
    return Path(os.environ.get("SOP_CATALOGUE_DIR") or PACKAGE_CATALOGUE)


@cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # noqa: PLC0415 (0.1 s to import: only commands that read the catalogue)

    schema = json.loads((PACKAGE_CATALOGUE / "schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _where(path: Iterable[Any]) -> str:
    return "/".join(str(part) for part in path) or "(top)"


def _schema_error(file: Path, data: Any) -> str | None:
    import jsonschema  # noqa: PLC0415

    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = jsonschema.exceptions.best_match(errors)
    if error.validator == "oneOf":
        problem = "needs exactly one of automated, automated_by, manual"
    else:
        problem = error.message
    return f"{file}: {_where(error.absolute_path)}: {problem}"


def _activity(file: Path, index: int, raw: Mapping[str, Any]) -> Activity:
    waktu = raw["waktu"]
    try:
        limit = None if waktu is None else parse_duration(str(waktu))
    except ValueError as exc:
        raise SopError(f"{file}: activities/{index}/waktu: {exc}") from None
    if limit == 0:  # every run of the activity would be judged over it
        raise SopError(
            f"{file}: activities/{index}/waktu: {shown(waktu)} is no time (null: no limit)"
        )
    return Activity(
        number=raw["number"],
        ref=raw.get("ref", ""),
        kegiatan=raw["kegiatan"],
        pelaksana=tuple(raw["pelaksana"]),
        kelengkapan=raw["kelengkapan"],
        limit_seconds=limit,
        waktu_text=raw.get("waktu_text", str(waktu or "Relatif")),
        output=raw["output"],
        automated=raw.get("automated"),
        automated_by=raw.get("automated_by"),
        manual=raw.get("manual"),
        manual_step=raw.get("manual_step"),
        automated_part=raw.get("automated_part"),
    )


def parse_sop(file: Path, raw_bytes: bytes | None = None, *, validate: bool = True) -> Sop:
    """Read and validate one catalogue file; SopError with file + path + problem.
    validate=False: its content was validated before (see `load_catalogue`)."""
    if raw_bytes is None:
        raw_bytes = file.read_bytes()
    try:
        data = yaml.load(raw_bytes, Loader=_CatalogueLoader)  # noqa: S506 (safe loader)
    except yaml.reader.ReaderError as exc:  # not UTF-8, or a control character
        line = raw_bytes[: exc.position].count(b"\n") + 1  # libyaml counts bytes
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        raise SopError(
            f"{file}: line {line}: invalid YAML: unacceptable character #x{code:04x} "
            f"({exc.reason})"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise SopError(f"{file}: {where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    problem = _schema_error(file, data) if validate else None
    if problem:
        raise SopError(problem)
    if data["id"] != file.stem:
        raise SopError(
            f"{file}: id: {shown(data['id'])} must match the file name {quoted(file.stem)}"
        )
    activities = tuple(_activity(file, i, a) for i, a in enumerate(data["activities"]))
    numbers = [a.number for a in activities]
    if numbers != list(range(1, len(numbers) + 1)):
        raise SopError(f"{file}: activities: numbers must be 1..{len(numbers)} in order")
    named: dict[str, set[int]] = {}  # what `activity()` takes: a number or a ref
    for a in activities:
        for key in {str(a.number), a.ref} - {""}:
            named.setdefault(key, set()).add(a.number)
    twice = next((key for a in activities if (key := a.ref) and len(named[key]) > 1), None)
    if twice is not None:
        both = " and ".join(str(n) for n in sorted(named[twice]))
        raise SopError(f"{file}: activities: ref {shown(twice)} names activities {both}")
    grace = _grace(file, "grace", data.get("grace"), data["frequency"])
    times = data.get("times_per_period", 1)
    if times > 1 and data["frequency"] != "daily":
        raise SopError(f"{file}: times_per_period: only a daily SOP runs several times a period")
    if "calendar" in data and data["frequency"] == "on_demand":
        raise SopError(f"{file}: calendar: an on-demand SOP has no timer")
    for index, expression in enumerate(data.get("calendar", ())):
        calendar = _calendar(expression)
        if calendar is None:
            raise SopError(
                f"{file}: calendar/{index}: {shown(expression)} is not a systemd OnCalendar "
                "expression (such as *-*-01 20:00, Mon..Fri 09:00, hourly or *:0/15)"
            )
        # one that never elapses (`*-02-30`, a date gone by) is refused as `sop schedule
        # install` refuses a court's such times, then by systemd's own check where there
        # is one; with its content validated before (load_catalogue's cache), not again
        if not validate:
            continue
        if calendar.next_after(datetime.now(UTC)) is None:
            raise SopError(f"{file}: calendar/{index}: {never_elapses(expression)}")
        refusal = systemd_refusal(expression, expression)
        if refusal is not None:
            raise SopError(f"{file}: calendar/{index}: {refusal}")
    for index, activity in enumerate(activities):
        for key in ("automated", "automated_part"):
            tag = getattr(activity, key)
            if tag in _ANSIBLE_SPECIAL_TAGS:
                raise SopError(
                    f"{file}: activities/{index}/{key}: {quoted(tag)} is one of Ansible's special "
                    f"tags ({', '.join(_ANSIBLE_SPECIAL_TAGS)}), not an activity's own"
                )
    tags = [tag for a in activities for tag in (a.automated, a.automated_part) if tag]
    duplicates = sorted({t for t in tags if tags.count(t) > 1})
    if duplicates:
        raise SopError(
            f"{file}: activities: tag {shown(duplicates[0])} used by several activities"
        )
    return Sop(
        id=data["id"],
        title=data["title"],
        documents=tuple(Document(**d) for d in data["documents"]),
        dasar_hukum=tuple(data["dasar_hukum"]),
        peringatan=data["peringatan"],
        playbook=data["playbook"],
        frequency=data["frequency"],
        activities=activities,
        digest=hashlib.sha256(raw_bytes).hexdigest(),
        source=file,
        grace_seconds=grace,
        times_per_period=times,
        calendar=tuple(data.get("calendar", ())),
        catch_up=data.get("catch_up", True),
    )


def _calendar(expression: str) -> Calendar | None:
    """The catalogue's OnCalendar `expression` as systemd reads it (oncalendar: a zone
    last when it names one, else UTC's clock); None when systemd refuses it, or it is a
    single moment (`@EPOCH`), no recurring timer's."""
    text, zone = expression, "UTC"
    words = expression.split()
    if len(words) > 1 and _is_zone(words[-1]):
        text, zone = expression.rsplit(maxsplit=1)[0], words[-1]
    try:
        return Calendar.parse(text, ZoneInfo("UTC" if zone.upper() == "UTC" else zone))
    except UnsupportedCalendar:
        return None


def _is_zone(word: str) -> bool:
    """UTC (any case), GMT or a tz database name (`Asia/Makassar`), as systemd takes
    them last and schedule.py keeps them."""
    if word.upper() == "UTC" or word == "GMT":
        return True
    if not word[0].isalpha() or "/" not in word:
        return False
    try:
        ZoneInfo(word)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return True


def _grace(where: Path | str, key: str, given: str | None, frequency: str) -> int | None:
    """The grace in seconds: `given`, else the frequency's default; None when on demand
    (SopError when one is given: it would be silently ignored)."""
    default = FREQUENCY_GRACE[frequency]
    if default is None:
        if given is not None:
            raise SopError(f"{where}: {key}: an on-demand SOP is never overdue (no grace to give)")
        return None
    try:
        return parse_duration(given or default)
    except ValueError as exc:
        raise SopError(f"{where}: {key}: {exc}") from None


VALID_MARKER = "catalogue-valid-{}"


def _content_digest(contents: Iterable[tuple[Path, bytes]]) -> str:
    """sha256 over the schema and every catalogue file (name and bytes)."""
    digest = hashlib.sha256((PACKAGE_CATALOGUE / "schema.json").read_bytes())
    for file, raw in contents:
        digest.update(f"\0{file.name}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()


def _mark_valid(cache_dir: Path, marker: Path) -> None:
    """Remember a validated content; the markers of older contents go."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for old in cache_dir.glob(VALID_MARKER.format("*")):
            old.unlink(missing_ok=True)
        marker.touch()
    except OSError:
        pass  # a read-only data dir: validate every time


def load_catalogue(directory: Path | None = None, cache_dir: Path | None = None) -> dict[str, Sop]:
    """All SOPs of the catalogue by id, in file-name order; SopError on the first problem.
    With `cache_dir`, the schema validation of an unchanged content is skipped."""
    directory = directory or catalogue_dir()
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise SopError(f"{directory}: no SOP catalogue files (*.yml)")
    contents = [(file, file.read_bytes()) for file in files]
    marker = cache_dir / VALID_MARKER.format(_content_digest(contents)) if cache_dir else None
    validated = marker is not None and marker.is_file()
    sops = {
        sop.id: sop
        for sop in (parse_sop(file, raw, validate=not validated) for file, raw in contents)
    }
    for sop in sops.values():
        for activity in sop.activities:
            if activity.automated_by and activity.automated_by not in sops:
                raise SopError(
                    f"{sop.source}: activities/{activity.number - 1}/automated_by: "
                    f"unknown SOP {shown(activity.automated_by)}"
                )
    if marker is not None and not validated:
        _mark_valid(marker.parent, marker)
    return sops


def get_sop(sops: Mapping[str, Sop], sop_id: str) -> Sop:
    """The SOP `sop_id` names; SopError naming the known ones for an unknown one, which it
    quotes cut (untrusted.shortened: a name pasted whole from a file filled the screen)."""
    if sop_id not in sops:
        raise SopError(f"unknown SOP {quoted(shortened(sop_id))} (known: {', '.join(sops)})")
    return sops[sop_id]


_OVERRIDE_KEYS = ("number", "court", "pelaksana", "grace", "waktu")


def _override_problem(overrides: Any) -> str | None:
    """What is wrong with `sop_catalogue_overrides` (SOP id -> {number, court, pelaksana,
    grace, waktu}), as `path: problem`; checked by hand: this runs on every `sop run` and
    jsonschema's import alone costs more than the rest of the run's start."""
    if not isinstance(overrides, dict):
        return "(top): must be a mapping of SOP id to its overrides"
    for sop_id, override in overrides.items():
        if not isinstance(override, dict):
            return f"{sop_id}: must be a mapping ({', '.join(_OVERRIDE_KEYS)})"
        for key, value in override.items():
            where = f"{sop_id}/{key}"
            if key not in _OVERRIDE_KEYS:
                return f"{sop_id}: unknown key {shown(key)} (known: {', '.join(_OVERRIDE_KEYS)})"
            if key == "pelaksana":
                if not isinstance(value, dict):
                    return f"{where}: must map each pelaksana of the SOP to a name"
                for role, name in value.items():
                    if not isinstance(role, str):
                        return f"{where}: {shown(role)} is not a role of the SOP document"
                    if not isinstance(name, str) or not name.strip():
                        return f"{where}/{role}: {shown(name)} is not a person's name"
            elif key == "waktu":
                if not isinstance(value, dict):
                    return f"{where}: must map each activity (number or ref) to its time"
                for activity, given in value.items():
                    if not isinstance(given, str):
                        return f"{where}/{activity}: {shown(given)} is not a duration such as 30m"
            elif not isinstance(value, str) or not value:
                return f"{where}: {shown(value)} is not a non-empty string"
        if "court" in override and "number" not in override:  # else silently ignored
            return f"{sop_id}/court: is the court of this SOP's own number: give number too"
    return None


def _waktu(sop: Sop, given: Mapping[Any, str], inventory: str | None) -> dict[int, int]:
    """`sop_catalogue_overrides.<sop>.waktu` as activity number -> seconds: the Mutu Baku
    time the court's own SOP document sets; SopError naming the `inventory` and the first
    bad entry."""
    where = f"{named(inventory)}: sop_catalogue_overrides/{sop.id}/waktu"
    limits: dict[int, int] = {}
    for key, text in given.items():
        try:
            number = sop.activity(str(key)).number
        except SopError:
            labels = ", ".join(a.label for a in sop.activities)
            raise SopError(
                f"{where}: no activity {shown(str(key))} in this SOP (activities: {labels})"
            ) from None
        if number in limits:
            raise SopError(f"{where}: activity {shown(str(key))} is given twice")
        try:
            seconds = parse_duration(text)
        except ValueError as exc:
            raise SopError(f"{where}/{key}: {exc}") from None
        if seconds <= 0:
            raise SopError(f"{where}/{key}: {shown(text)} is no time")
        limits[number] = seconds
    return limits


def _court_waktu(activity: Activity, limits: Mapping[int, int]) -> Activity:
    """The activity with the court's own time, if it sets one."""
    if activity.number not in limits:
        return activity
    seconds = limits[activity.number]
    return dataclasses.replace(
        activity,
        limit_seconds=seconds,
        waktu_text=f"{format_seconds(seconds)} (SOP pengadilan ini)",
    )


def apply_overrides(
    sop: Sop, overrides: Any, court_name: str | None, inventory: str | None = None
) -> Sop:
    """The SOP as this court runs it: `sop_catalogue_overrides[sop.id]` from the inventory
    (`inventory`, which a bad override's SopError names: `named`).

    `number` becomes the first document (the court's own SOP number, the source documents
    follow); `pelaksana` maps a role of the document to the person who holds it; `grace`
    is how long after falling due the SOP counts as overdue at this court; `waktu` maps
    an activity (number or ref) to the Mutu Baku time the court's own SOP document sets,
    which its runs are recorded and judged against.
    """
    if overrides in (None, {}):
        return sop
    problem = _override_problem(overrides)
    where = f"{named(inventory)}: sop_catalogue_overrides"
    if problem:
        raise SopError(f"{where}/{problem}")
    known = sorted(file.stem for file in sop.source.parent.glob("*.yml"))  # as load_catalogue
    unknown_sops = sorted(str(key) for key in overrides if str(key) not in known)
    if unknown_sops:
        raise SopError(
            f"{where}/{unknown_sops[0]}: no such SOP in the catalogue (known: "
            f"{', '.join(known)})"
        )
    override = overrides.get(sop.id)
    if not override:
        return sop
    documents = sop.documents
    if "number" in override:
        own = Document(
            court=override.get("court") or court_name or "pengadilan ini",
            number=override["number"],
            title=sop.title,
            note="nomor SOP pengadilan ini",
        )
        documents = (own, *documents)
    names: dict[str, str] = override.get("pelaksana", {})
    roles = {role for activity in sop.activities for role in activity.pelaksana}
    unknown = sorted(set(names) - roles)
    if unknown:
        raise SopError(
            f"{where}/{sop.id}/pelaksana: {shown(unknown[0])} is not a pelaksana of this SOP "
            f"(known: {', '.join(sorted(roles))})"
        )
    limits = _waktu(sop, override.get("waktu", {}), inventory)
    activities = tuple(
        _court_waktu(
            dataclasses.replace(
                a, pelaksana=tuple(f"{r} ({names[r]})" if r in names else r for r in a.pelaksana)
            ),
            limits,
        )
        for a in sop.activities
    )
    grace = sop.grace_seconds
    if "grace" in override:
        grace = _grace(
            named(inventory),
            f"sop_catalogue_overrides/{sop.id}/grace",
            override["grace"],
            sop.frequency,
        )
    # Keys as the playbook reports them (strings), whether YAML gave 4 or "4".
    keyed = {**override, "waktu": {str(k): v for k, v in override.get("waktu", {}).items()}}
    if "waktu" not in override:
        del keyed["waktu"]
    digest = hashlib.sha256((sop.digest + json.dumps(keyed, sort_keys=True)).encode()).hexdigest()
    return dataclasses.replace(
        sop, documents=documents, activities=activities, digest=digest, grace_seconds=grace
    )
