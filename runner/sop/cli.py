"""The `sop` command line."""

# Ansible, ansible-runner, psycopg and rich are imported where used: `sop` starts fast
# for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

from sop import __version__, inventory, output
from sop.catalogue import Sop, apply_overrides, get_sop, load_catalogue
from sop.errors import ExitCode, SopError, interrupted
from sop.extravars import parse_extra_vars, refuse_unknown_settings
from sop.paths import (
    database_url,
    default_data_dir,
    find_project_dir,
    not_a_file,
    prepare_data_dir,
)
from sop.statuses import STATUSES
from sop.sweep import ARTIFACTS_DIR, sweep
from sop.untrusted import is_one_line, is_text, shown, visible

if TYPE_CHECKING:
    from _typeshed import SupportsWrite
    from rich.console import Console

    from sop.oncalendar import Calendars
    from sop.overdue import Due
    from sop.schedule import Plan
    from sop.store import Store

EXIT_CODES = """exit codes:
  0  success (the SOP's playbook ran without failure)
  1  the SOP failed (a task failed; see `sop execution ID`)
  2  bad input: unknown SOP, missing inventory, malformed catalogue, missing vault
     password, a data directory or store this account cannot write
  3  hosts unreachable
  4  locked: the same SOP already runs on this inventory (and --limit), or the
     controller's install held the project longer than `sop run` waits (an hour)
  5  canceled (SIGINT/SIGTERM, or SIGHUP: the terminal that started it closed) or
     interrupted
  6  internal error (store unavailable, output that could not be written: to a full
     disk, or to a stream closed as sop started, as `>&-`; `2>&-` with nothing written
     to stderr loses nothing; unexpected exception)
  7  `sop overdue`: at least one SOP is overdue
  8  `sop overdue --notify`: a notification could not be sent (the notification
     config unusable, a delivery failed); the list is shown as without --notify

environment: SOP_DATA_DIR, SOP_DATABASE_URL, SOP_PROJECT_DIR, SOP_CATALOGUE_DIR,
SOP_TRIGGER (manual|timer), SOP_KEEP_ARTIFACTS, ANSIBLE_VAULT_PASSWORD_FILE"""


LOG_WIDTH = 160
MAX_ID = 2**63 - 1  # the largest integer a store holds (SQLite's INTEGER, PostgreSQL's bigint)


class Context:
    """What the commands share; the store and catalogue open on first use."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
        self.reaped: list[int] = []  # executions the store's opening marked interrupted

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        console = Console(file=output.guarded(sys.stdout))
        if not console.is_terminal and "COLUMNS" not in os.environ:
            # Logs, pipes and timers: wide enough for the activity tables to stay readable.
            console.width = LOG_WIDTH
        return console

    @cached_property
    def store(self) -> Store:
        from sop.store import Store

        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        store = Store(database_url(self.data_dir))
        self.reaped = store.reap_stale()
        return store

    def close(self) -> None:
        """Close the store if it was opened (SQLite checkpoints its WAL)."""
        if "store" in self.__dict__:
            self.store.close()

    @cached_property
    def sops(self) -> dict[str, Sop]:
        return load_catalogue(cache_dir=self.data_dir / "cache")

    @cached_property
    def project_dir(self) -> Path:
        project = find_project_dir()
        inventory.use_project_config(project)
        return project


def _operator(given: str | None) -> str:
    """Who runs the SOP: --operator, else the person behind sudo (SUDO_USER), else USER,
    else the account's login name. A name taken so is recorded as --operator is, and
    judged as it is (_line: UTF-8 text on one line, no control or invisible character;
    and by the store's length: store.refuse_too_long judges --operator itself). One that
    fails, or an account without a login name, is refused: SopError (bad input) naming
    where it came from and --operator. Never passed over for the next source: under
    sudo, USER is root, who would be recorded as having run what a person did."""
    from sop.store import too_long

    if given:
        return given
    variable = next((name for name in ("SUDO_USER", "USER") if os.environ.get(name)), None)
    try:
        operator = os.environ[variable] if variable else getpass.getuser()
    except (KeyError, OSError):  # no LOGNAME and a uid the password database lacks
        raise SopError(f"SUDO_USER and USER are unset and uid {os.getuid()} has no login "
                       "name; give --operator NAME") from None
    where = (variable or "the account's login name") + " (the default of --operator)"
    try:
        _line(operator)
    except argparse.ArgumentTypeError as exc:
        raise SopError(f"{where}: {exc}; give --operator NAME") from None
    problem = too_long(where, operator, "executions", "operator")
    if problem:
        raise SopError(f"{problem}; give --operator NAME")
    return operator


def _trigger() -> str:
    trigger = os.environ.get("SOP_TRIGGER", "manual")
    if trigger not in ("manual", "timer"):
        raise SopError(f"SOP_TRIGGER={shown(trigger)}: expected manual or timer")
    return trigger


def _vault(args: argparse.Namespace) -> inventory.VaultOptions:
    """--vault-password-file's file (which must exist) or the password --ask-vault-pass
    asks for; neither: Ansible's own settings (ANSIBLE_VAULT_PASSWORD_FILE)."""
    if args.vault_password_file:
        path = Path(args.vault_password_file).expanduser()
        problem = not_a_file(path)
        if problem:
            raise SopError(f"--vault-password-file {args.vault_password_file}: {problem}")
        return inventory.VaultOptions(password_file=str(path.resolve()))
    if args.ask_vault_pass:
        return inventory.VaultOptions(password=getpass.getpass("Vault password: "))
    return inventory.VaultOptions()


def _vault_for(
    args: argparse.Namespace, source: str, extra_files: Sequence[str] = ()
) -> inventory.VaultOptions:
    """The vault options (_vault) for reading `source` (and -e @files); SopError naming
    the options when it holds vaulted values and no password is given."""
    vault = _vault(args)
    vaulted = inventory.vaulted_files(source, extra_files)
    if vaulted and not vault.configured():
        raise SopError(
            f"{vaulted[0]} holds vaulted values: give --vault-password-file FILE or "
            "--ask-vault-pass (or set ANSIBLE_VAULT_PASSWORD_FILE)"
        )
    problem = inventory.undecryptable(vaulted, vault) if vaulted else None
    if problem:
        raise SopError(problem)
    return vault


def _given_clock(ctx: Context) -> tzinfo | None:
    """--timezone's zone (SopError when it names none), None without it."""
    from zoneinfo import ZoneInfo

    from sop import schedule

    given = getattr(ctx.args, "timezone", None)
    return None if given is None else ZoneInfo(schedule.zone_name(given, "--timezone"))


def _clock(ctx: Context, info: inventory.InventoryInfo | None = None) -> tzinfo:
    """The court's office clock for the times a command shows and the dates it reads:
    --timezone, else the inventory's sop_schedule.timezone (-i, `info`), else WIB
    (Asia/Jakarta), the clock its timers run on; never the controller's own (often UTC).
    A zone -i's inventory names none of is refused naming the inventory, as `sop run`
    refuses it, under --timezone too (its times are read on it)."""
    from sop import schedule

    given = _given_clock(ctx)
    zone = schedule.court_timezone(info.schedule, info.source) if info else None
    return given or schedule.office_clock(zone)


def _run_clock(given: tzinfo | None, court_timezone: str | None) -> tzinfo:
    """The clock `sop run` shows its execution on, chosen as the other commands choose
    theirs: --timezone (`given`), else its inventory's sop_schedule.timezone, as its
    playbook reported it (`sop run` reads no inventory in-process for it), else TZ when
    it names a zone (the court's, which its timer units set), read as glibc reads it: a
    leading colon (`:Asia/Makassar`) only says a zone's file follows, else WIB (a file's
    path, `:/etc/localtime`, is the controller's own clock)."""
    from zoneinfo import ZoneInfo

    from sop import schedule

    if given is not None:
        return given
    if court_timezone is not None:
        return ZoneInfo(court_timezone)
    try:
        return ZoneInfo(schedule.zone_name(os.environ.get("TZ", "").removeprefix(":"), "TZ"))
    except SopError:
        return schedule.court_zone(None)


def _court_scope(
    ctx: Context,
) -> tuple[str | None, tzinfo, dict[str, Sop], inventory.InventoryInfo | None]:
    """The court a command is for (-i's court_name, else --court, else None), its office
    clock (_clock), the SOPs as it runs them (-i's sop_catalogue_overrides: its own
    SOP numbers, pelaksana and Mutu Baku; the catalogue's otherwise) and -i's court
    variables (its sop_schedule, its court_city; None without -i). -i's inventory is read
    with its vault's password (_vault_for); a --court other than its court_name is
    refused."""
    args = ctx.args
    if not args.inventory:
        return args.court, _clock(ctx), ctx.sops, None
    info, sops = _court_inventory(ctx)
    if args.court is not None and args.court != info.court_name:
        own = "unset" if info.court_name is None else shown(info.court_name)
        raise SopError(
            f"--court {shown(args.court)} differs from the inventory's court_name {own}"
        )
    return info.court_name, _clock(ctx, info), sops, info


def _court_inventory(ctx: Context) -> tuple[inventory.InventoryInfo, dict[str, Sop]]:
    """-i's inventory (with its vault's password: _vault_for) and the SOPs as its court
    runs them (its sop_catalogue_overrides)."""
    source = inventory.resolve_source(ctx.args.inventory)
    info = inventory.load(source, None, _vault_for(ctx.args, source))
    sops = {
        sop_id: apply_overrides(sop, info.overrides, info.court_name, info.source)
        for sop_id, sop in ctx.sops.items()
    }
    return info, sops


def _court_calendars(ctx: Context, sops: dict[str, Sop], court: str | None,
                     info: inventory.InventoryInfo) -> Calendars:
    """Per SOP the times -i's court runs it at: those its sop_schedule gives, else, its
    timer installed for the court, the SOP's default ones (schedule.due_calendars)."""
    from sop import schedule

    installed = {sop_id for sop_id, name in ctx.store.scheduled_since(court) if name == court}
    return schedule.due_calendars(sops, info.schedule, installed, info.source)


def _court_view(ctx: Context) -> tuple[dict[str, Sop], list[str | None], tzinfo, Calendars]:
    """The SOPs (with the court's overrides under -i) and the courts a view covers:
    the inventory's court (-i), the one named (--court), else every court recorded; the
    court's clock (_clock) for what it tells people; and per SOP the times its timer
    runs it at (-i), by which it falls due: those its sop_schedule gives, else, its
    timer installed for the court, the SOP's default ones (a SOP the court runs by hand
    falls due by its period)."""
    court, zone, sops, info = _court_scope(ctx)
    if info is not None:
        return sops, [court], zone, _court_calendars(ctx, sops, court, info)
    if court is not None:
        return sops, [_recorded_court(ctx, court)], zone, {}
    return sops, _every_court(ctx) or [None], zone, {}


def _every_court(ctx: Context) -> list[str | None]:
    """The courts of the store: those with recorded executions and those whose timers are
    installed, so that a court whose timers never ran a SOP falls overdue too."""
    found = set(ctx.store.courts()) | {court for _, court in ctx.store.scheduled_since()}
    return sorted(found, key=lambda name: (name is not None, name or ""))


def _recorded_court(ctx: Context, name: str) -> str:
    """`name` of --court, when the store records executions of that court, its installed
    timers (_every_court) or its incidents (a court whose month held incidents only still
    has its report). `list`, `overdue` and `report` state what a court did: for a
    misspelt name they would say "No SOP is overdue" or make a blank report; `incident
    open` would record the incident of a court that then appears in every report.
    (`history --court` is a filter: no match is an empty list, as for a court that has not
    run a SOP yet.)"""
    from sop import incidents

    recorded = {court for court in _every_court(ctx) if court is not None}
    known = sorted(recorded | set(incidents.courts(ctx.store)))
    if name in known:
        return name
    import difflib

    like = difflib.get_close_matches(name, known, n=3)
    if like:
        hint = f" (did you mean {', '.join(map(shown, like))}?)"
    elif known:
        courts = "court" if len(known) == 1 else "courts"
        hint = (f" ({len(known)} {courts} recorded: `sop history` and `sop incident list` "
                "show them)")
    else:
        hint = " (the store records no execution or incident yet)"
    if ctx.args.command in ("list", "overdue"):
        hint += "; for a court that has not run a SOP yet use -i INVENTORY"
    elif ctx.args.command == "incident":
        hint += "; a court's first record needs -i INVENTORY (its court_name)"
    raise SopError(
        f"--court {shown(name)}: no execution or incident of that court is recorded{hint}"
    )


def _dues(
    ctx: Context,
    sops: dict[str, Sop],
    courts: list[str | None],
    zone: tzinfo,
    calendars: Calendars | None = None,
) -> list[Due]:
    from sop.overdue import evaluate_all
    from sop.store import now

    court = courts[0] if len(courts) == 1 else None
    records = ctx.store.due_records(court)
    scheduled = ctx.store.scheduled_since(court)
    return evaluate_all(
        sops.values(), courts, records, now(), zone=zone, calendars=calendars, scheduled=scheduled
    )


def cmd_list(ctx: Context) -> ExitCode:
    from sop import records, views
    from sop.store import now

    query = records.compile_query(ctx.args.query)
    sops, courts, zone, calendars = _court_view(ctx)
    scoped = bool(ctx.args.inventory) or ctx.args.court is not None
    court = courts[0] if scoped else None
    # scoped to an inventory without court_name: its executions without a court name
    latest = ctx.store.latest_per_sop(court=court, unnamed=scoped and court is None)
    dues = _dues(ctx, sops, courts, zone, calendars)
    if ctx.args.json or query is not None:
        at = now()
        entries = [
            records.sop_entry(
                sop, ctx.project_dir, latest.get(sop.id), [d for d in dues if d.sop is sop], at
            )
            for sop in sops.values()
        ]
        records.emit(entries, query, sys.stdout)
        return ExitCode.OK
    ctx.console.print(views.sop_list(sops, ctx.project_dir, latest, dues, zone))
    return ExitCode.OK


def cmd_overdue(ctx: Context) -> ExitCode:
    from sop import records, views
    from sop.store import now

    query = records.compile_query(ctx.args.query)
    sops, courts, zone, calendars = _court_view(ctx)
    dues = _dues(ctx, sops, courts, zone, calendars)
    overdue = [d for d in dues if d.state == "overdue"]
    undelivered = None
    if ctx.args.notify:
        from sop.notify import overdue_check

        undelivered = overdue_check(ctx.store, dues, courts, zone)
    if ctx.args.json or query is not None:
        at = now()
        records.emit([records.due(d, at) for d in overdue], query, sys.stdout)
    elif overdue:
        ctx.console.print(views.overdue(overdue, zone))
    else:
        ctx.console.print("No SOP is overdue.", markup=False, highlight=False)
    if undelivered is not None:  # the list stands; what it holds was not all told
        raise SopError(undelivered, ExitCode.NOT_NOTIFIED)
    return ExitCode.OVERDUE if overdue else ExitCode.OK


def cmd_show(ctx: Context) -> ExitCode:
    from sop import views

    sop = get_sop(ctx.sops, ctx.args.sop)
    if ctx.args.inventory:  # the court's version: read its inventory only when asked
        sop = _court_inventory(ctx)[1][sop.id]
    ctx.console.print(views.sop_document(sop, ctx.project_dir))
    return ExitCode.OK


def cmd_run(ctx: Context) -> ExitCode:
    """The run under the project directory's shared lock, as its timer units take it
    (flock(1)): it waits while the controller's install replaces the project."""
    from sop import schedule
    from sop.locking import flock_wait, project_lock

    given = _given_clock(ctx)  # a bad --timezone: refused before anything
    operator = _operator(ctx.args.operator)  # and one too long for the store
    ignored = _ignored_time_limit(ctx.args.time_limit)
    if ignored:
        _error(f"sop: warning: {ignored}")
    project = ctx.project_dir
    wait = schedule.RUN_LOCK_WAIT

    def waiting() -> None:
        ctx.console.print(
            f"sop run waits for the install of the project {project} to finish "
            f"(at most {wait} s)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    with project_lock(project, wait, waiting) as waited:
        # a timer's run: its unit's flock(1) waited first (TimeoutStartSec counts both)
        return _run(ctx, project, given, operator, flock_wait() + waited)


def _ignored_time_limit(limit: str | None) -> str | None:
    """What to say of a SOP_TIME_LIMIT in the environment (set by hand, in
    /etc/sop/environment) that is not the run's time limit (`limit`, --time-limit): it
    changed the message of a run stopped at the limit, never the limit."""
    given = os.environ.get("SOP_TIME_LIMIT")
    if given is None or given == limit:
        return None
    held = (
        f"its timer's service's TimeoutStartSec ({limit})" if limit
        # a unit `sop schedule install` wrote before --time-limit: its own SOP_TIME_LIMIT
        else "its timer's service's TimeoutStartSec (not on its command line: a unit written "
        "before `sop run --time-limit`)" if os.environ.get("SOP_TRIGGER") == "timer"
        else "none"
    )
    return (
        f"SOP_TIME_LIMIT={shown(given)} is ignored: this run's time limit is "
        f"{held}; set a timer's in the inventory's sop_schedule.time_limit, then run "
        "`sop schedule install`"
    )


def _run(
    ctx: Context, project: Path, given: tzinfo | None, operator: str, lock_wait: float
) -> ExitCode:
    from rich.markup import escape

    from sop import runner, views
    from sop.progress import ConsoleProgress

    args = ctx.args
    sop = get_sop(ctx.sops, args.sop)
    chosen = sop.chosen(args.activity)
    from sop import approvals

    source = inventory.resolve_source(args.inventory)
    # an -e name of a role this SOP does not play is refused, not the inventory's: it
    # holds every SOP's settings
    own_extra = parse_extra_vars(args.extra_vars, project, sop, source)
    extra = approvals.with_approvals(ctx.store, sop, own_extra)
    vault = _vault_for(args, source, extra.files)
    refuse_unknown_settings(project, source, args.limit, vault)
    request = runner.RunRequest(
        sop=sop,
        project_dir=project,
        data_dir=ctx.data_dir,
        inventory=source,
        limit=args.limit,
        check=args.check,
        extra_vars=extra,
        operator=operator,
        trigger=_trigger(),
        vault=vault,
        activities=chosen,
        time_limit=args.time_limit,
        lock_wait_s=lock_wait,
    )
    result = runner.run(request, ctx.store, ConsoleProgress(ctx.console, sop))
    zone = _run_clock(given, result.timezone)
    row = ctx.store.execution(result.execution_id)
    ctx.console.print(views.execution(row, zone, sop))
    # The approval a host went without, and why (the role says only that none is valid);
    # an operator's own -e sop_approvals (given or in an @file, which wins) is theirs to read.
    lapsed = None if approvals.EXTRA_VAR in own_extra.names else approvals.lapsed(ctx.store, row)
    if lapsed:
        _error(f"sop: warning: {lapsed}")  # on stderr, shown as errors are
    if sop.playbook is None and args.check:  # `sop ack` refuses a dry run's steps
        ctx.console.print(
            f"[yellow]{escape(sop.id)} has no playbook yet:[/] dry run {result.execution_id} "
            "asks for none of its manual steps; run it without --check, then confirm each "
            "with `sop ack`."
        )
    elif sop.playbook is None:
        ctx.console.print(
            f"[yellow]{escape(sop.id)} has no playbook yet:[/] execution {result.execution_id} "
            f"records its manual steps; confirm each with "
            f"`sop ack {result.execution_id} NO --by NAME`."
        )
    if result.court_problem:
        raise SopError(
            f"{result.court_problem} (execution {result.execution_id} {result.status}, "
            f"recorded without {result.court_left_out})",
            result.exit_code,
        )
    if result.timezone_problem:
        raise SopError(
            f"{result.timezone_problem} (execution {result.execution_id} {result.status}; "
            f"its times are shown on {datetime.now(zone):%Z})"
        )
    if result.status != "successful":
        raise SopError(
            f"execution {result.execution_id} {result.status}"
            + (f": {result.error}" if result.error else f" (rc {result.rc})"),
            result.exit_code,
        )
    return ExitCode.OK


def _since(text: str | None, zone: tzinfo) -> datetime | None:
    """--since's day from its midnight on the court's clock (`zone`)."""
    from sop.report import calendar_date

    if not text:
        return None
    try:
        day = calendar_date(text, "%Y-%m-%d")
    except ValueError:
        raise SopError(f"--since {shown(text)}: expected YYYY-MM-DD") from None
    if not 1970 <= day.year <= 9998:  # as --month: every zone's midnight a datetime holds
        raise SopError(f"--since {shown(text)}: expected a day from 1970 to 9998")
    return day.replace(tzinfo=zone)


def cmd_history(ctx: Context) -> ExitCode:
    from sop import records, views

    args = ctx.args
    query = records.compile_query(args.query)
    if args.sop:
        get_sop(ctx.sops, args.sop)
    if args.last < 0:
        raise SopError(f"-n {args.last}: expected 0 (all) or more")
    zone = _clock(ctx)
    rows = ctx.store.executions(
        sop_id=args.sop,
        status=args.status,
        court=args.court,
        since=_since(args.since, zone),
        limit=min(args.last, MAX_ID),  # at most more than a store holds: every one
    )
    if args.json or query is not None:
        records.emit([records.execution_summary(r) for r in rows], query, sys.stdout)
        return ExitCode.OK
    ctx.console.print(views.history(rows, zone, show_court=args.court is None))
    return ExitCode.OK


def cmd_execution(ctx: Context) -> ExitCode:
    from sop import records, views

    query = records.compile_query(ctx.args.query)
    zone = _clock(ctx)
    row = ctx.store.execution(ctx.args.id)
    sop = ctx.sops.get(row["sop_id"])
    if ctx.args.json or query is not None:
        records.emit(records.execution_detail(row, sop), query, sys.stdout)
        return ExitCode.OK
    ctx.console.print(views.execution(row, zone, sop))
    return ExitCode.OK


def cmd_ack(ctx: Context) -> ExitCode:
    from rich.markup import escape

    from sop.report import abandoned_state, abandoned_step, waiting_human_part
    from sop.store import human_part

    args = ctx.args
    row = ctx.store.execution(args.id)
    key = str(args.activity)
    match = [a for a in row["activities"] if str(a["number"]) == key] or [
        a for a in row["activities"] if a["ref"] and a["ref"] == key
    ]
    if not match:
        raise SopError(
            f"execution {args.id} ({row['sop_id']}) has no activity {shown(key)}"
        )
    if len(match) > 1:  # a record made before the catalogue refused a ref given twice
        numbers = " and ".join(str(a["number"]) for a in match)
        raise SopError(
            f"execution {args.id} records activities {numbers} under {shown(key)}: "
            "give the activity's number"
        )
    sop = ctx.sops.get(row["sop_id"])
    updated = ctx.store.acknowledge(
        args.id,
        match[0]["number"],
        args.by,
        args.note,
        manual_step=human_part(sop, match[0]) is not None,  # as recorded with the run
        label=key,
    )
    # The store's text (another process, an older sop may have written it) is shown as
    # `sop execution` shows it (untrusted.visible), never acted on by the terminal.
    ctx.console.print(
        f"[green]Acknowledged[/] activity {escape(visible(key))} of execution {args.id} "
        f"({escape(visible(row['sop_id']))}) by {escape(args.by)}."
    )
    if abandoned_step(row, match[0]):  # recorded all the same: a person did it after all
        ctx.console.print(
            f"Execution {args.id} ended {row['status']}: this step was no longer awaited "
            f"({abandoned_state(row)}); now recorded as done.",
            markup=False,
            highlight=False,
        )
    pending, abandoned = [], []
    for activity in updated["activities"]:
        name = activity["ref"] or str(activity["number"])
        waiting = waiting_human_part(sop, updated, activity)
        if waiting is not None:
            pending.append(f"{name} ({waiting})")
        elif abandoned_step(updated, activity):
            abandoned.append(name)
        elif activity["status"] == "pending-manual":
            pending.append(name)
    if pending:
        ctx.console.print(
            visible(f"Still waiting: {', '.join(pending)}"),
            markup=False,
            highlight=False,
        )
    if abandoned:
        ctx.console.print(
            visible(f"Not awaited: {', '.join(abandoned)} ({abandoned_state(updated)})"),
            markup=False,
            highlight=False,
        )
    return ExitCode.OK


def cmd_reap(ctx: Context) -> ExitCode:
    """Mark interrupted the dead runs recorded under a former hostname of this controller
    (renamed, or restored onto a VM of another name), judged here by pid and start time."""
    former = ctx.args.hostname
    store = ctx.store
    reaped = ctx.reaped + store.reap_stale(former)
    for execution_id in reaped:
        row = store.execution(execution_id)
        ctx.console.print(  # the store's text, shown as `sop execution` shows it
            visible(
                f"execution {execution_id} ({row['sop_id']}, pid {row['pid']} on "
                f"{row['hostname']}) marked interrupted: {row['error']}"
            ),
            markup=False,
            highlight=False,
        )
    alive = [row for row in store.executions(status="running") if row["hostname"] == former]
    for row in alive:
        ctx.console.print(
            visible(
                f"execution {row['id']} ({row['sop_id']}, pid {row['pid']} on {former}) is "
                "still running on this controller"
                + (f": {row['error']}" if row["error"] else "")
            ),
            markup=False,
            highlight=False,
        )
    ctx.console.print(
        f"{len(reaped)} executions marked interrupted; {len(alive)} recorded on {former} "
        "still running.",
        markup=False,
        highlight=False,
    )
    return ExitCode.OK


def cmd_report(ctx: Context) -> ExitCode:
    from sop import report

    args = ctx.args
    if args.output:
        _refuse_output_over_records(ctx, Path(args.output))
    court, zone, sops, info = _court_scope(ctx)
    # -i's court's times, its installed timers' default ones too; none without -i
    calendars = _court_calendars(ctx, sops, court, info) if info else {}
    month = report.Month.parse(args.month, zone) if args.month else report.Month.current(zone)
    if args.format == "pdf" and args.all_courts:
        raise SopError("--format pdf is one court's report: give --court NAME, not --all-courts")
    if args.court is not None:
        _recorded_court(ctx, args.court)
    kode_satker = _report_kode_satker(args, info)
    place = info.court_city if info else None  # where it is signed: -i's court_city
    unnamed = info is not None and court is None  # -i without court_name: its unnamed runs
    if args.all_courts:
        courts = _every_court(ctx)  # none in a store without executions or timers
        blocks = report.build_regional(
            ctx.store, ctx.sops, month, _dues(ctx, ctx.sops, courts, zone)
        )
    elif args.format == "pdf":
        from sop.report_pdf import write_pdf

        if not args.output:
            raise SopError("--format pdf needs -o FILE")
        write_pdf(
            ctx.store,
            sops,
            month,
            court,
            Path(args.output),
            calendars=calendars,
            place=place,
            unnamed=unnamed,
            kode_satker=kode_satker,
            catalogue=ctx.sops,  # an incident without its limit: as `incident list` judges it
        )
        _say_written(ctx, Path(args.output))
        return ExitCode.OK
    else:
        blocks = report.build(
            ctx.store,
            sops,
            month,
            court,
            calendars=calendars,
            place=place,
            unnamed=unnamed,
            kode_satker=kode_satker,
            catalogue=ctx.sops,  # an incident without its limit: as `incident list` judges it
        )
    text = report.to_html(blocks) if args.format == "html" else report.to_markdown(blocks)
    if args.output:
        report.write_report(Path(args.output), lambda path: path.write_text(text, "utf-8"))
        _say_written(ctx, Path(args.output))
    else:
        output.write(sys.stdout, text)
    return ExitCode.OK


def _say_written(ctx: Context, output: Path) -> None:
    """Where the report went, unless it went to a pipe or a device (`-o /dev/stdout | ...`):
    the line was written after the report, into the PDF piped on."""
    if output.is_file():
        ctx.console.print(f"Laporan written to {output}", markup=False, highlight=False)


def _refuse_output_over_records(ctx: Context, output: Path) -> None:
    """SopError when the report's file `output` (a link: its target, which the report
    replaces) is one of the records: the SQLite store's files, a run's recorded output
    under the data directory's artifacts. `-o /var/lib/sop/sop.db` replaced the store."""
    target = output.resolve()
    store = ctx.store.db.path.resolve() if ctx.store.db.path else None
    kept = [store.with_name(store.name + end)
            for end in ("", "-wal", "-shm", "-journal")] if store else []  # fmt: skip
    artifacts = (ctx.data_dir / ARTIFACTS_DIR).resolve()
    if target in kept or target.is_relative_to(artifacts):
        raise SopError(
            f"-o {output}: the records ({target}), which a report would replace: "
            "write it elsewhere"
        )


def _report_kode_satker(
    args: argparse.Namespace, info: inventory.InventoryInfo | None
) -> str | None:
    """The kode satker choosing one of the courts of the report's court name: --kode-satker,
    else -i's court_kode_satker (a --kode-satker other than it is refused); None: the
    name's runs, refused by the report when they are of several courts."""
    given = args.kode_satker
    if given is not None and args.all_courts:
        raise SopError("--kode-satker chooses one court's report: not with --all-courts")
    own = info.court_kode_satker if info else None
    if given is not None and own is not None and given != own:
        raise SopError(
            f"--kode-satker {shown(given)} differs from the inventory's court_kode_satker "
            f"{shown(own)}"
        )
    return given if given is not None else own


def _systemctl(*args: str) -> str:
    import shutil
    import subprocess

    if shutil.which("systemctl") is None:
        raise SopError("systemctl not found: use --unit-dir DIR to only write the units")
    done = subprocess.run(["systemctl", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or [f"rc {done.returncode}"]
        raise SopError(f"systemctl {' '.join(args)}: {lines[0]}")
    return done.stdout


def _retire(units: list[str]) -> None:
    """Units about to be deleted, while their files are there (some systemd versions
    refuse to disable a unit whose file is gone): their timers disabled and stopped, and
    what systemd keeps of them forgotten, a timer's Persistent= stamp (`clean
    --what=state`: scheduled again later, the SOP would run at once to catch up) and the
    failed state (`reset-failed`: it stayed in `systemctl --failed`). Forgetting is best
    effort: a unit never started has neither."""
    import subprocess

    timers = [name for name in units if name.endswith(".timer")]
    if timers:
        _systemctl("disable", "--now", *timers)
        subprocess.run(["systemctl", "clean", "--what=state", *timers], capture_output=True,
                       check=False)
    if units:
        subprocess.run(["systemctl", "reset-failed", *units], capture_output=True, check=False)


def _timers_off(timers: list[str]) -> list[str]:
    """The timers systemd has not enabled or is not running (an admin's `systemctl
    disable` or `stop`): `enable --now` turns them on again, a change to be told."""
    import subprocess

    def state(query: str, name: str) -> str:
        done = subprocess.run(
            ["systemctl", query, name], capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    return [
        name
        for name in timers
        if state("is-enabled", name) != "enabled" or state("is-active", name) != "active"
    ]


def _show_plan(
    ctx: Context, unit_dir: Path, plan: Plan, system: bool, timers: list[str]
) -> None:
    """What `sop schedule install` would do (its --check), changing nothing."""
    from sop.schedule import calendar_lines

    def say(text: str) -> None:  # a line per unit, however long
        ctx.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def times(calendars: list[str]) -> str:
        return "; ".join(calendars) or "none"

    for unit in plan.create:
        calendars = calendar_lines(unit.text)
        shown = f": OnCalendar {times(calendars)}" if unit.name.endswith(".timer") else ""
        say(f"would create {unit_dir / unit.name}{shown}")
    for rewrite in plan.rewrite:
        parts = []
        if rewrite.calendars is not None:
            old, new = rewrite.calendars
            parts.append(
                f"OnCalendar {times(old)} -> {times(new)}" if old != new
                else f"OnCalendar unchanged ({times(new)})"
            )
        if rewrite.directives:
            parts.append(f"changed {', '.join(rewrite.directives)}")
        notes = [] if rewrite.generated else ["not written by sop: the admin's own file"]
        if system and rewrite.calendars is not None:
            notes.append("disabled and deleted first, so it counts from the install")
        note = f" ({'; '.join(notes)})" if notes else ""
        say(f"would rewrite {unit_dir / rewrite.name}: {', '.join(parts) or 'changed'}{note}")
    for name in plan.retire:
        how = " (disabled, its state forgotten)" if system else ""
        say(f"would retire {unit_dir / name}{how}: its SOP is no longer scheduled")
    for name in plan.unchanged:
        say(f"unchanged {unit_dir / name}")
    then = (
        f"; install would then reload systemd and enable --now {len(timers)} timers"
        if system else ""
    )
    say(
        f"Check only, nothing changed: {len(plan.create)} units to create, "
        f"{len(plan.rewrite)} to rewrite, {len(plan.retire)} to retire, "
        f"{len(plan.unchanged)} unchanged{then}."
    )


def cmd_schedule(ctx: Context) -> ExitCode:
    from sop import schedule

    args = ctx.args
    unit_dir = Path(args.unit_dir) if args.unit_dir else schedule.SYSTEM_UNIT_DIR
    system = args.unit_dir is None
    if args.action == "install":
        project = ctx.project_dir
        source = inventory.resolve_source(args.inventory)
        if args.ask_vault_pass and inventory.vaulted_files(source):
            raise SopError(
                "sop schedule install --ask-vault-pass: the timers run unattended and cannot "
                "ask for the vault password: give --vault-password-file FILE"
            )
        vault = _vault_for(args, source)
        info = inventory.load(source, None, vault)
        # its timers' runs would refuse a setting no role knows, each time, unattended
        refuse_unknown_settings(project, source, None, vault)
        sop_bin = Path(sys.executable).parent / "sop"
        units = schedule.render(
            # as the court runs them: its Mutu Baku sets each service's time limit
            {
                i: apply_overrides(s, info.overrides, info.court_name, source)
                for i, s in ctx.sops.items()
            },
            sop_bin=sop_bin,
            inventory=source,
            project_dir=project,
            data_dir=ctx.data_dir.resolve(),
            schedule=info.schedule,
            # the file given, ANSIBLE_VAULT_PASSWORD_FILE's or ansible.cfg's: the units
            # run without this shell's environment
            vault_password_file=vault.file(),
        )
        timers = [u.name for u in units if u.name.endswith(".timer")]
        if args.check:
            _show_plan(ctx, unit_dir, schedule.plan(unit_dir, units), system, timers)
            return ExitCode.OK
        if system and unit_dir.is_dir():
            # As `remove`: the units no longer wanted are retired, then deleted.
            _retire(schedule.unwanted(unit_dir, units))
            # A timer given a new time is installed as a new one: reloaded in place,
            # systemd counts its next time from its last run and starts it at once when
            # that has passed (systemd issue 16732: a monthly maintenance moved from 20:00
            # to 21:00 would run, upgrade and reboot, at the install). Unloaded first, with
            # its Persistent= stamp, it counts from now (both tried on systemd 252).
            moved = schedule.moved_timers(unit_dir, units)
            if moved:
                _retire(moved)
                schedule.unlink(unit_dir, moved)
                _systemctl("daemon-reload")
        changed, removed = schedule.write(unit_dir, units)
        turned_on: list[str] = []
        if system:
            _systemctl("daemon-reload")
            turned_on = [name for name in _timers_off(timers) if name not in changed]
            _systemctl("enable", "--now", *timers)
            # from now on each SOP is expected at its first time (overdue.py)
            ctx.store.set_schedules(info.court_name, [s.id for s in schedule.scheduled(ctx.sops)])
        for name in changed:
            ctx.console.print(f"written {unit_dir / name}", markup=False, highlight=False)
        for name in turned_on:
            ctx.console.print(
                f"enabled and started {name} (it was disabled or stopped)",
                markup=False,
                highlight=False,
            )
        for name in removed:
            ctx.console.print(f"removed {unit_dir / name}", markup=False, highlight=False)
        ctx.console.print(
            f"{len(timers)} timers {'enabled' if system else 'written'}; "
            f"{len(changed) + len(turned_on)} units changed, {len(removed)} removed.",
            markup=False,
            highlight=False,
        )
        return ExitCode.OK
    if args.check:
        raise SopError(f"--check: only `sop schedule install` has a dry run, not {args.action}")
    if args.inventory is not None:
        # the timers are this machine's, one set (sop-<SOP>.timer) whatever court they run
        # for: `remove -i court` removed every SOP timer without a word about -i
        raise SopError(
            f"-i: only `sop schedule install` takes an inventory; {args.action} acts on "
            "every SOP timer of this machine (one court's set), whichever court installed it"
        )
    if args.action == "remove":
        if system:
            _retire([p.name for p in schedule.installed(unit_dir)])
        removed = schedule.remove(unit_dir)
        if system:
            if removed:
                _systemctl("daemon-reload")
            ctx.store.set_schedules(None, [])  # no timer expects a run any more
        ctx.console.print(
            f"{len(removed)} units removed from {unit_dir}.", markup=False, highlight=False
        )
        return ExitCode.OK
    from rich.table import Table

    table = Table(title=f"SOP timers in {unit_dir}", title_justify="left")
    for column in ("Timer", "OnCalendar", "State", "Next run"):
        table.add_column(column)
    timer_paths = [p for p in schedule.installed(unit_dir) if p.suffix == ".timer"]
    for path in timer_paths:
        state = next_run = "-"
        if system:
            shown = _systemctl(
                "show", "-p", "ActiveState", "-p", "NextElapseUSecRealtime", path.name
            )
            values = dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)
            state = values.get("ActiveState", "-")
            next_run = values.get("NextElapseUSecRealtime") or "-"
        table.add_row(path.name, "\n".join(schedule.timer_calendars(path)), state, next_run)
    if timer_paths:
        ctx.console.print(table)
    else:
        ctx.console.print(f"No SOP timers in {unit_dir}.", markup=False, highlight=False)
    return ExitCode.OK


def cmd_notify(ctx: Context) -> ExitCode:
    from sop import notify

    config = notify.load_config()
    if config is None:
        raise SopError(f"no notification config at {notify.config_path()}")
    urls = config.urls_for(ctx.args.court)
    if not urls:
        raise SopError(config.no_url(ctx.args.court))
    error = notify.deliver(
        urls,
        "Uji notifikasi SOP",
        "Pesan uji dari perintah sop: notifikasi berfungsi.",
        notify.Deadline(config.timeout, f"timeout in {config.path}"),
    )
    if error:
        raise SopError(f"test notification not delivered: {error}", ExitCode.SOP_FAILED)
    ctx.console.print(
        f"Test notification delivered to {len(urls)} URL(s) from {config.path}.",
        markup=False,
        highlight=False,
    )
    return ExitCode.OK


def cmd_approve(ctx: Context) -> ExitCode:
    from sop.approvals import PLAN_MAX_AGE, Approval, approve

    args = ctx.args
    done = approve(ctx.store, Approval(args.id, args.by, args.role, args.valid_days, args.note))
    until = done["valid_until"]
    shortened = until < done["approved_at"] + timedelta(days=args.valid_days)
    ctx.console.print(
        f"Approved execution {args.id} ({done['sop_id']}) for {', '.join(done['hosts'])} by "
        f"{args.by} ({done['role']}), valid until {until:%Y-%m-%d %H:%M} UTC"
        + (f", when its plan turns {PLAN_MAX_AGE.days} days old." if shortened else "."),
        markup=False,
        highlight=False,
    )
    return ExitCode.OK


def cmd_incident(ctx: Context) -> ExitCode:
    from sop import incidents, records
    from sop.durations import format_seconds

    args = ctx.args
    if args.action == "open":
        # The court's (-i) SOP: the handling limit recorded with the incident.
        court, _zone, sops, info = _court_scope(ctx)
        if info is None and court is not None:  # a typo would record a new court
            _recorded_court(ctx, court)
        if info is not None and args.host not in info.hosts:
            # a typo opened an incident no `sop run server-incident --limit` could diagnose
            raise SopError(
                f"host {shown(args.host)} is not in inventory {args.inventory} (its hosts: "
                f"{', '.join(info.hosts)}): give its inventory name, or leave -i out"
            )
        row = incidents.open_incident(
            ctx.store,
            get_sop(sops, incidents.SOP_ID),
            host=args.host,
            summary=args.summary,
            by=args.by,
            court=court,
        )
        limit = row["limit_s"]
        ctx.console.print(
            f"Incident {row['id']} opened for {args.host}"
            + (" (no Mutu Baku)" if limit is None else f" (Mutu Baku {format_seconds(limit)})")
            + f"; diagnose it with `sop run server-incident --limit {args.host}`.",
            markup=False,
            highlight=False,
        )
    elif args.action == "close":
        # One opened before its limit was recorded is judged, and closed, by the catalogue's.
        row = incidents.close_incident(
            ctx.store,
            get_sop(ctx.sops, incidents.SOP_ID),
            args.id,
            by=args.by,
            resolution=args.resolution,
        )
        over, limit = row["within_limit"] is False, row["limit_s"]
        verdict = "not judged by" if row["within_limit"] is None else "over" if over else "within"
        judged = f"{verdict} its Mutu Baku ({format_seconds(limit)})"
        ctx.console.print(
            f"Incident {args.id} closed after {format_seconds(row['duration_s'], over=over)}, "
            + ("no Mutu Baku applies" if limit is None else judged)
            + ".",
            markup=False,
            highlight=False,
        )
    else:
        query = records.compile_query(args.query)
        court, zone, _sops, _ = _court_scope(ctx)
        # Each incident is judged by the limit recorded with it; the catalogue's (never
        # -i's) for one recorded before: a listing's verdict never depends on -i.
        catalogue = get_sop(ctx.sops, incidents.SOP_ID)
        rows = incidents.listing(ctx.store, catalogue, args.status, court)
        if args.json or query is not None:
            records.emit([records.incident(row) for row in rows], query, sys.stdout)
        else:
            ctx.console.print(incidents.table(rows, zone))
    return ExitCode.OK


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its errors one line as every other error of `sop` (the usage
    line argparse prints before them is a --help away)."""

    def error(self, message: str) -> NoReturn:
        line = f"{self.prog}: error: {message} (see {self.prog} --help)"
        self.exit(ExitCode.USAGE, visible(line, newlines=False) + "\n")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # --help, --version and the error above, written through `output` as every other
        # text of `sop`: into a pipe whose reader left (`sop --help | head -1`) they raised
        # BrokenPipeError, a traceback and exit 1, not --help's 0 or an error's 2. (Not
        # SIGPIPE's default action instead: it would kill `sop run` before it recorded.)
        if message:
            output.write(cast("TextIO", file or sys.stderr), message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        # After --help, --version or a usage error: --help to a full disk is no success.
        if message:
            self._print_message(message, sys.stderr)
        sys.exit(_written(status))


EMPTY = "expected a value, not an empty string"


def _text(value: str) -> str:
    """A text option's value (a name, a note, a court, a host pattern, a day): not blank,
    which read as the option not given (`--limit ''`: every host), and text the store can
    record (bytes that are no UTF-8 reached it: an internal error)."""
    if not value.strip():
        raise argparse.ArgumentTypeError(EMPTY)
    if not is_text(value):
        raise argparse.ArgumentTypeError("not UTF-8 text")
    return value


def _line(value: str) -> str:
    """A one-line text option's value (a name, a role, a court, a host, a pattern, a day):
    _text without a line break or another control character (untrusted.is_one_line),
    which the records, the reports' tables and the notifications would show as a broken
    line."""
    value = _text(value)
    if not is_one_line(value):
        raise argparse.ArgumentTypeError("expected one line, not a text with a line break "
                                         "or another control character")
    return value


def _time_limit(value: str) -> str:
    """--time-limit's value: a time span with its unit, as `sop schedule install` writes
    it from the inventory's sop_schedule.time_limit."""
    from sop.schedule import time_span

    span = time_span(value)
    if span is None or not span.has_unit or span.microseconds == 0:
        raise argparse.ArgumentTypeError("not a time span with its unit (such as 2h 22min)")
    return span.text


def _path(value: str) -> str:
    """A file or directory option's value: not empty, which read as the option not given
    (`-i ''`: ansible.cfg's inventory) or as the current directory (`--data-dir ''`)."""
    if not value:
        raise argparse.ArgumentTypeError(EMPTY)
    return value


def _whole_number(text: str) -> int:
    """A count option's value (-n, --valid-days): a whole number, its range checked where
    it is used. argparse's own `type=int` refusal quoted the value with repr, whose
    escapes sop's error line (untrusted.visible) escaped again: `'a\\x5cx1b'`."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a whole number") from None


def _one_of(values: tuple[str, ...]) -> dict[str, Any]:
    """The `type` and `choices` of an option that takes one of `values`: argparse's own
    refusal of another ("invalid choice: %r") quoted it with repr, whose escapes sop's
    error line escaped again (`'a\\x5cx1b'`) and which it wrote whole; the type refuses
    it first, quoting it once and cut (untrusted.shown). `choices` keeps them in --help."""

    def one_of(text: str) -> str:
        if text not in values:
            raise argparse.ArgumentTypeError(
                f"invalid choice: {shown(text)} (choose from {', '.join(values)})"
            )
        return text

    return {"type": one_of, "choices": values}


def _record_id(kind: str) -> Callable[[str], int]:
    """The type of an execution's or an incident's id: a whole number a store can hold
    (a larger one was an internal error, sqlite3 refusing to bind it)."""

    def record_id(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown(text)} is no {kind} id") from None
        if not 1 <= value <= MAX_ID:
            raise argparse.ArgumentTypeError(f"no {kind} {value}")
        return value

    return record_id


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sop",
        description="Run a court's IT SOPs as Ansible playbooks and record the evidence.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sop {__version__}")
    parser.add_argument(
        "--data-dir",
        type=_path,
        help="where the store and artifacts live "
        "(default: SOP_DATA_DIR, /var/lib/sop as root, ~/.local/share/sop)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, func: Callable[[Context], ExitCode], help_text: str
    ) -> argparse.ArgumentParser:
        sub_parser = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub_parser.set_defaults(func=func)
        return sub_parser

    def json_options(sub_parser: argparse.ArgumentParser) -> None:
        sub_parser.add_argument(
            "--json", action="store_true", help="JSON with stable keys (runner/sop/README.md)"
        )
        sub_parser.add_argument(
            "--query",
            metavar="JMESPATH",
            help="a JMESPath expression over the JSON (implies --json), "
            "e.g. \"[?status=='failed'].id\"",
        )

    def court_options(sub_parser: argparse.ArgumentParser) -> None:
        sub_parser.add_argument(
            "-i",
            "--inventory",
            type=_path,
            help="this court only, with its sop_catalogue_overrides and sop_schedule.timezone",
        )
        sub_parser.add_argument(
            "--court", type=_line, metavar="NAME", help="this court only (court_name)"
        )
        clock_option(sub_parser, "-i's sop_schedule.timezone, else Asia/Jakarta")
        vault_options(sub_parser, "-i's")

    def vault_options(sub_parser: argparse.ArgumentParser, whose: str) -> None:
        """The password of vaulted values the command reads: in a file, or typed
        (ANSIBLE_VAULT_PASSWORD_FILE's file when neither is given)."""
        vault = sub_parser.add_mutually_exclusive_group()
        vault.add_argument(
            "--vault-password-file",
            type=_path,
            metavar="FILE",
            help=f"the file holding the password of {whose} vaulted values",
        )
        vault.add_argument(
            "--ask-vault-pass",
            action="store_true",
            help=f"ask for the password of {whose} vaulted values",
        )

    def clock_option(sub_parser: argparse.ArgumentParser, default: str) -> None:
        sub_parser.add_argument(
            "--timezone",
            metavar="ZONE",
            help=(
                "the court's clock for the times shown and dates read: WIB, WITA, WIT or a "
                f"tz database name (default: {default})"
            ),
        )

    listing = command(
        "list", cmd_list, "the SOPs, their automation coverage, last run, next due, overdue"
    )
    court_options(listing)
    json_options(listing)
    overdue = command(
        "overdue",
        cmd_overdue,
        "the overdue SOPs (due one period, or at the -i court's next scheduled time, after "
        "their last success, plus grace); exit 7 if any",
    )
    court_options(overdue)
    json_options(overdue)
    overdue.add_argument(
        "--notify",
        action="store_true",
        help="also notify overdue and interrupted SOPs, once each (sop-overdue.timer); "
        "exit 8 when a notification cannot be sent",
    )
    show = command("show", cmd_show, "a SOP laid out like its document")
    show.add_argument("sop")
    show.add_argument(
        "-i", "--inventory", type=_path, help="apply this court's sop_catalogue_overrides"
    )
    vault_options(show, "-i's")

    run = command("run", cmd_run, "run a SOP's playbook and record the execution")
    run.add_argument("sop")
    run.add_argument("-i", "--inventory", type=_path, help="default: ansible.cfg's inventory")
    run.add_argument("--limit", type=_line, help="host pattern, as ansible-playbook --limit")
    run.add_argument("--check", action="store_true", help="dry run (ansible check mode)")
    run.add_argument(
        "--activity",
        action="append",
        default=[],
        metavar="N",
        help="run only this automated activity (number or document reference such as C.2; "
        "repeatable): a partial run, recorded as such, never counted as the SOP done",
    )
    run.add_argument(
        "-e",
        "--extra-vars",
        action="append",
        default=[],
        metavar="VARS",
        help="key=value, JSON or @file; only the names are recorded",
    )
    run.add_argument("--operator", type=_line, help="who runs it (default: SUDO_USER, USER)")
    run.add_argument(
        "--time-limit",
        type=_time_limit,
        metavar="SPAN",
        help="the time limit systemd holds the run to (its timer's service's TimeoutStartSec, "
        "which `sop schedule install` passes): named when the run is stopped for passing it",
    )
    clock_option(run, "the inventory's sop_schedule.timezone, else TZ, else Asia/Jakarta")
    vault_options(run, "the inventory's and -e @files'")

    hist = command("history", cmd_history, "recorded executions, newest first")
    hist.add_argument("--sop", type=_line)
    hist.add_argument("--status", **_one_of(tuple(STATUSES)))
    hist.add_argument(
        "--court", type=_line, metavar="NAME", help="one court's executions (court_name)"
    )
    hist.add_argument(
        "--since", type=_line, metavar="YYYY-MM-DD", help="from that day's midnight (--timezone's)"
    )
    clock_option(hist, "Asia/Jakarta")
    hist.add_argument(
        "-n",
        "--last",
        type=_whole_number,
        default=30,
        metavar="N",
        help="at most N (30; 0: all)",
    )
    json_options(hist)

    execution = command("execution", cmd_execution, "one execution: activities, hosts, outputs")
    execution.add_argument("id", type=_record_id("execution"))
    clock_option(execution, "Asia/Jakarta")
    json_options(execution)

    ack = command("ack", cmd_ack, "acknowledge a manual activity of an execution")
    ack.add_argument("id", type=_record_id("execution"))
    ack.add_argument("activity", help="activity number (or document reference such as C.2)")
    ack.add_argument("--by", type=_line, required=True, help="who carried it out")
    ack.add_argument("--note", type=_text)

    reap = command(
        "reap",
        cmd_reap,
        "mark interrupted the dead runs recorded under this controller's former hostname",
    )
    reap.add_argument(
        "--hostname",
        type=_line,
        required=True,
        metavar="NAME",
        help="the name this controller had (renamed, or its data restored onto another VM); "
        "never another controller's: its runs would be judged by this one's processes",
    )

    sched = command(
        "schedule", cmd_schedule, "systemd timers running the SOPs at their frequency"
    )
    sched.add_argument("action", **_one_of(("install", "remove", "status")))
    sched.add_argument(
        "-i", "--inventory", type=_path, help="the court (default: ansible.cfg's inventory)"
    )
    sched.add_argument(
        "--unit-dir",
        type=_path,
        metavar="DIR",
        help="only write the units there (default: /etc/systemd/system, enabled with systemctl)",
    )
    sched.add_argument(
        "--check",
        action="store_true",
        help="install: only print what it would create, rewrite, retire and leave as it "
        "is (no file written, no systemctl)",
    )
    vault_options(sched, "the inventory's")

    notify_cmd = command(
        "notify", cmd_notify, "check the notification config and send a test message"
    )
    notify_cmd.add_argument("action", **_one_of(("test",)))
    notify_cmd.add_argument(
        "--court", type=_line, metavar="NAME", help="also this court's own URLs"
    )

    appr = command(
        "approve", cmd_approve, "approve an execution's plan (e.g. the order to maintain servers)"
    )
    appr.add_argument(
        "id", type=_record_id("execution"), help="the execution whose plan is approved"
    )
    appr.add_argument("--by", type=_line, required=True, help="who approves")
    appr.add_argument(
        "--role",
        type=_line,
        required=True,
        help="their role: Sekretaris, PPK or Kasub Umum dan Keuangan",
    )
    appr.add_argument(
        "--valid-days",
        type=_whole_number,
        default=7,
        metavar="N",
        help="valid N days (7), at most until its plan is 7 days old",
    )
    appr.add_argument("--note", type=_text)

    inc = command("incident", cmd_incident, "server incidents: open, close, list")
    inc_sub = inc.add_subparsers(dest="action", required=True, metavar="ACTION")
    inc_open = inc_sub.add_parser("open", help="record a reported incident")
    inc_open.add_argument("--host", type=_line, required=True)
    inc_open.add_argument("--summary", type=_text, required=True)
    inc_open.add_argument("--by", type=_line, required=True, help="who reported it")
    inc_open.add_argument(
        "--court", type=_line, metavar="NAME",
        help="a court the store records (court_name); its first incident: -i",
    )
    inc_open.add_argument(
        "-i",
        "--inventory",
        type=_path,
        help="the court's inventory: its court_name, and its sop_catalogue_overrides' Mutu "
        "Baku, recorded with the incident (default: the catalogue's)",
    )
    vault_options(inc_open, "-i's")
    inc_close = inc_sub.add_parser("close", help="close an incident with its resolution")
    inc_close.add_argument("id", type=_record_id("incident"))
    inc_close.add_argument("--by", type=_line, required=True)
    inc_close.add_argument("--resolution", type=_text, required=True)
    inc_list = inc_sub.add_parser("list", help="incidents with time to resolution")
    inc_list.add_argument("--status", **_one_of(("open", "closed")))
    court_options(inc_list)
    json_options(inc_list)

    rep = command("report", cmd_report, "Laporan Pelaksanaan SOP for a month (Bahasa Indonesia)")
    rep.add_argument("--month", type=_line, metavar="YYYY-MM", help="default: this month")
    rep.add_argument("--format", **_one_of(("md", "html", "pdf")), default="md")
    scope = rep.add_mutually_exclusive_group()
    scope.add_argument(
        "--court", type=_line, metavar="NAME", help="this court's report (court_name)"
    )
    scope.add_argument(
        "-i",
        "--inventory",
        type=_path,
        help="this court's report (its court_name, sop_catalogue_overrides and "
        "sop_schedule: its clock, and the times planned)",
    )
    scope.add_argument(
        "--all-courts", action="store_true", help="the regional view: every court of the store"
    )
    rep.add_argument(
        "--kode-satker",
        type=_line,
        metavar="CODE",
        help="of the courts recorded under the court's name, this one (court_kode_satker; "
        "default: -i's)",
    )
    clock_option(rep, "-i's sop_schedule.timezone, else Asia/Jakarta")
    vault_options(rep, "-i's")
    rep.add_argument("-o", "--output", type=_path, metavar="FILE")
    return parser


def _error(message: str) -> None:
    from rich.console import Console

    # An error may quote a host (a failed task's cause) or a value as typed (untrusted.
    # quoted): shown, never acted on, on one line (a line break too is its escape).
    Console(file=output.guarded(sys.stderr), soft_wrap=True).print(
        visible(message, newlines=False), markup=False, highlight=False
    )


def _written(code: int) -> int:
    """`code`, the command's exit code, once its output is judged: output it could not
    write for another reason than a gone terminal or reader (stdout to a full disk) stopped
    and failed nothing, the command went on; one line says it now (stderr may be lost
    too), and a command otherwise successful exits 6 (internal error)."""
    lost = output.lost_output()
    if lost is None:
        return code
    _error(f"sop: error: the output could not be written ({lost})")
    return code or int(ExitCode.INTERNAL)


def main(argv: Sequence[str] | None = None) -> int:
    """`sop ARGS`: the exit code (see EXIT_CODES)."""
    output.reopen_closed()  # before anything writes
    return _written(_main(argv))


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    ctx = Context(args)
    try:
        from sop.store import refuse_too_long

        refuse_too_long(vars(args))  # as bad input, before anything is recorded
        ctx.data_dir = prepare_data_dir(ctx.data_dir)
        sweep(ctx.data_dir)  # what a killed `sop` left on disk
        return int(args.func(ctx))
    except SopError as exc:
        _error(f"sop: error: {exc}")
        return int(exc.code)
    except (KeyboardInterrupt, Exception) as exc:
        if interrupted(exc):  # a Ctrl-C, bare or wrapped by Python
            _error("sop: interrupted")
            return int(ExitCode.CANCELED)
        if os.environ.get("SOP_DEBUG"):
            raise
        _error(f"sop: internal error: {exc!r} (set SOP_DEBUG=1 for a traceback)")
        return int(ExitCode.INTERNAL)
    finally:
        ctx.close()
