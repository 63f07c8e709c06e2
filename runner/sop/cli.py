"""The `sop` command line."""

# Ansible, ansible-runner, SQLAlchemy and rich are imported where used: `sop` starts fast
# for every command.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sop import __version__, inventory
from sop.catalogue import Sop, apply_overrides, get_sop, load_catalogue
from sop.errors import ExitCode, SopError
from sop.extravars import parse_extra_vars
from sop.paths import database_url, default_data_dir, find_project_dir
from sop.statuses import STATUSES
from sop.sweep import sweep

if TYPE_CHECKING:
    from rich.console import Console

    from sop.store import Store

EXIT_CODES = """exit codes:
  0  success (the SOP's playbook ran without failure)
  1  the SOP failed (a task failed; see `sop execution ID`)
  2  bad input: unknown SOP, missing inventory, malformed catalogue, missing vault password
  3  hosts unreachable
  4  locked: the same SOP already runs on one of these hosts
  5  canceled (SIGINT/SIGTERM) or interrupted
  6  internal error (store unavailable, unexpected exception)

environment: SOP_DATA_DIR, SOP_DATABASE_URL, SOP_PROJECT_DIR, SOP_CATALOGUE_DIR,
SOP_TRIGGER (manual|timer), SOP_KEEP_ARTIFACTS, ANSIBLE_VAULT_PASSWORD_FILE"""


LOG_WIDTH = 160


class Context:
    """What the commands share; the store and catalogue open on first use."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir: Path = args.data_dir or default_data_dir()

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        console = Console()
        if not console.is_terminal and "COLUMNS" not in os.environ:
            # Logs, pipes and timers: wide enough for the activity tables to stay readable.
            console.width = LOG_WIDTH
        return console

    @cached_property
    def store(self) -> Store:
        from sop.store import Store

        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        store = Store(database_url(self.data_dir))
        store.reap_stale()
        return store

    def close(self) -> None:
        """Close the store if it was opened (SQLite checkpoints its WAL)."""
        if "store" in self.__dict__:
            self.store.close()

    @cached_property
    def sops(self) -> dict[str, Sop]:
        return load_catalogue()

    @cached_property
    def project_dir(self) -> Path:
        project = find_project_dir()
        inventory.use_project_config(project)
        return project


def _operator(given: str | None) -> str:
    return given or os.environ.get("SUDO_USER") or os.environ.get("USER") or getpass.getuser()


def _trigger() -> str:
    trigger = os.environ.get("SOP_TRIGGER", "manual")
    if trigger not in ("manual", "timer"):
        raise SopError(f"SOP_TRIGGER={trigger!r}: expected manual or timer")
    return trigger


def _vault(args: argparse.Namespace) -> inventory.VaultOptions:
    if args.vault_password_file:
        path = Path(args.vault_password_file).expanduser()
        if not path.is_file():
            raise SopError(f"--vault-password-file {args.vault_password_file}: file not found")
        return inventory.VaultOptions(password_file=str(path.resolve()))
    if args.ask_vault_pass:
        return inventory.VaultOptions(password=getpass.getpass("Vault password: "))
    return inventory.VaultOptions()


def cmd_list(ctx: Context) -> ExitCode:
    from sop import views

    latest = ctx.store.latest_per_sop()
    latest_ok = ctx.store.latest_per_sop(status="successful")
    ctx.console.print(views.sop_list(ctx.sops, ctx.project_dir, latest, latest_ok))
    return ExitCode.OK


def cmd_show(ctx: Context) -> ExitCode:
    from sop import views

    sop = get_sop(ctx.sops, ctx.args.sop)
    project = ctx.project_dir
    try:
        info = inventory.load(
            inventory.resolve_source(ctx.args.inventory), None, inventory.VaultOptions()
        )
        sop = apply_overrides(sop, info.overrides, info.court_name)
    except SopError as exc:
        ctx.console.print(f"court overrides not applied: {exc}", style="dim", markup=False)
    ctx.console.print(views.sop_document(sop, project))
    return ExitCode.OK


def cmd_run(ctx: Context) -> ExitCode:
    from rich.markup import escape

    from sop import runner, views
    from sop.progress import ConsoleProgress

    args = ctx.args
    sop = get_sop(ctx.sops, args.sop)
    project = ctx.project_dir
    vault = _vault(args)
    extra = parse_extra_vars(args.extra_vars)
    source = inventory.resolve_source(args.inventory)
    vaulted = inventory.vaulted_files(source, extra.files)
    if vaulted and not vault.configured():
        raise SopError(
            f"{vaulted[0]} holds vaulted values: give --vault-password-file FILE or "
            "--ask-vault-pass (or set ANSIBLE_VAULT_PASSWORD_FILE)"
        )
    request = runner.RunRequest(
        sop=sop,
        project_dir=project,
        data_dir=ctx.data_dir,
        inventory=source,
        limit=args.limit,
        check=args.check,
        extra_vars=extra,
        operator=_operator(args.operator),
        trigger=_trigger(),
        vault=vault,
    )
    result = runner.run(request, ctx.store, ConsoleProgress(ctx.console, sop))
    ctx.console.print(views.execution(ctx.store.execution(result.execution_id)))
    if sop.playbook is None:
        ctx.console.print(
            f"[yellow]{escape(sop.id)} has no playbook yet:[/] execution {result.execution_id} "
            f"records its manual steps; confirm each with "
            f"`sop ack {result.execution_id} NO --by NAME`."
        )
    if result.status != "successful":
        raise SopError(
            f"execution {result.execution_id} {result.status}"
            + (f": {result.error}" if result.error else f" (rc {result.rc})"),
            result.exit_code,
        )
    return ExitCode.OK


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").astimezone()
    except ValueError:
        raise SopError(f"--since {text!r}: expected YYYY-MM-DD") from None


def cmd_history(ctx: Context) -> ExitCode:
    from sop import views

    args = ctx.args
    if args.sop:
        get_sop(ctx.sops, args.sop)
    rows = ctx.store.executions(
        sop_id=args.sop, status=args.status, since=_since(args.since), limit=args.last
    )
    ctx.console.print(views.history(rows))
    return ExitCode.OK


def cmd_execution(ctx: Context) -> ExitCode:
    from sop import views

    ctx.console.print(views.execution(ctx.store.execution(ctx.args.id)))
    return ExitCode.OK


def cmd_ack(ctx: Context) -> ExitCode:
    from rich.markup import escape

    args = ctx.args
    row = ctx.store.execution(args.id)
    key = str(args.activity)
    match = [a for a in row["activities"] if key in (str(a["number"]), a["ref"])]
    if not match:
        raise SopError(f"execution {args.id} ({row['sop_id']}) has no activity {key!r}")
    updated = ctx.store.acknowledge(args.id, match[0]["number"], args.by, args.note)
    ctx.console.print(
        f"[green]Acknowledged[/] activity {escape(key)} of execution {args.id} "
        f"({escape(row['sop_id'])}) by {escape(args.by)}."
    )
    pending = [a for a in updated["activities"] if a["status"] == "pending-manual"]
    if pending:
        ctx.console.print(
            "Still waiting: " + ", ".join(a["ref"] or str(a["number"]) for a in pending),
            markup=False,
        )
    return ExitCode.OK


def cmd_report(ctx: Context) -> ExitCode:
    from sop import report

    args = ctx.args
    month = report.Month.parse(args.month or datetime.now().strftime("%Y-%m"))
    blocks = report.build(ctx.store, ctx.sops, month)
    text = report.to_html(blocks) if args.format == "html" else report.to_markdown(blocks)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SopError(f"cannot write the report to {args.output}: {exc.strerror}") from None
        ctx.console.print(f"Laporan written to {args.output}", markup=False, highlight=False)
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sop",
        description="Run a court's IT SOPs as Ansible playbooks and record the evidence.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sop {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
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

    command("list", cmd_list, "the SOPs, their automation coverage, last run and next due")
    show = command("show", cmd_show, "a SOP laid out like its document")
    show.add_argument("sop")
    show.add_argument("-i", "--inventory", help="apply this court's sop_catalogue_overrides")

    run = command("run", cmd_run, "run a SOP's playbook and record the execution")
    run.add_argument("sop")
    run.add_argument("-i", "--inventory", help="default: ansible.cfg's inventory")
    run.add_argument("--limit", help="host pattern, as ansible-playbook --limit")
    run.add_argument("--check", action="store_true", help="dry run (ansible check mode)")
    run.add_argument(
        "-e",
        "--extra-vars",
        action="append",
        default=[],
        metavar="VARS",
        help="key=value, JSON or @file; only the names are recorded",
    )
    run.add_argument("--operator", help="who runs it (default: SUDO_USER, USER)")
    vault = run.add_mutually_exclusive_group()
    vault.add_argument("--vault-password-file", metavar="FILE")
    vault.add_argument("--ask-vault-pass", action="store_true")

    hist = command("history", cmd_history, "recorded executions, newest first")
    hist.add_argument("--sop")
    hist.add_argument("--status", choices=STATUSES)
    hist.add_argument("--since", metavar="YYYY-MM-DD")
    hist.add_argument("-n", "--last", type=int, default=30, metavar="N", help="at most N (30)")

    execution = command("execution", cmd_execution, "one execution: activities, hosts, outputs")
    execution.add_argument("id", type=int)

    ack = command("ack", cmd_ack, "acknowledge a manual activity of an execution")
    ack.add_argument("id", type=int)
    ack.add_argument("activity", help="activity number (or document reference such as C.2)")
    ack.add_argument("--by", required=True, help="who carried it out")
    ack.add_argument("--note")

    rep = command("report", cmd_report, "Laporan Pelaksanaan SOP for a month (Bahasa Indonesia)")
    rep.add_argument("--month", metavar="YYYY-MM", help="default: this month")
    rep.add_argument("--format", choices=("md", "html"), default="md")
    rep.add_argument("-o", "--output", metavar="FILE")
    return parser


def _error(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, soft_wrap=True).print(message, markup=False, highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    """`sop ARGS`: the exit code (see EXIT_CODES)."""
    args = build_parser().parse_args(argv)
    ctx = Context(args)
    try:
        sweep(ctx.data_dir)  # what a killed `sop` left on disk
        return int(args.func(ctx))
    except SopError as exc:
        _error(f"sop: error: {exc}")
        return int(exc.code)
    except KeyboardInterrupt:
        _error("sop: interrupted")
        return int(ExitCode.CANCELED)
    except Exception as exc:
        if os.environ.get("SOP_DEBUG"):
            raise
        _error(f"sop: internal error: {exc!r} (set SOP_DEBUG=1 for a traceback)")
        return int(ExitCode.INTERNAL)
    finally:
        ctx.close()
