"""`sop-lab`: the built-in lab court of podman test hosts."""

from __future__ import annotations

import argparse
import os
import sys
import time

from courtlab import image, lab, podman, reach


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sop-lab",
        description="Run one court as podman containers (systemd, SSH) to try the SOPs on.")
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="build the image if needed, start and provision the lab")
    up.add_argument("--cases", type=int, default=None,
                    help="SIPP cases to generate (default: the lab's small size; "
                         "200000 is about 1.4 GB)")
    up.add_argument("--rebuild", action="store_true", help="rebuild the image from scratch")
    up.add_argument("--no-provision", action="store_true",
                    help="start the hosts but skip the Ansible provisioning")
    sub.add_parser("down", help="remove every lab container and network")
    sub.add_parser("status", help="show the lab hosts")
    img = sub.add_parser("image", help="build the cached test-host image only")
    img.add_argument("--rebuild", action="store_true")
    names = sub.add_parser(
        "reach", help="check that running containers resolve and reach each other by name "
                      "(molecule scenarios run it before their prepare)")
    names.add_argument("containers", nargs="+", metavar="CONTAINER")
    names.add_argument("--port", type=int, default=0,
                       help="TCP port that must accept connections (default: ping)")
    return p


def _status() -> int:
    states = lab.status()
    print(f"{'HOST':8} {'CONTAINER':18} {'STATE':9} {'SSH':15} IMAGE")
    for s in states:
        ssh = f"127.0.0.1:{s.host.ssh_port}" if s.ssh else "-"
        print(f"{s.host.name:8} {s.host.container:18} {s.status:9} {ssh:15} {s.image}")
    return 0 if all(s.ssh for s in states) else 1


def _os_error(exc: OSError) -> str:
    """The line for an OSError: "PATH: Permission denied" (its own text adds the errno)."""
    files = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
    reason = exc.strerror or str(exc)
    return f"{files}: {reason}" if files else reason


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        root = podman.project_root()
        podman.configure_environment(root)
        if not podman.available():
            raise podman.PodmanError("podman is not installed (run scripts/setup.sh)")
        if os.geteuid() != 0:
            raise podman.PodmanError("the lab uses rootful podman: run as root")
        started = time.monotonic()
        if args.command == "up":
            lab.up(root, cases=args.cases, rebuild=args.rebuild,
                   provision=not args.no_provision)
            print(f"==> lab up in {time.monotonic() - started:.0f} s")
            return _status()
        if args.command == "down":
            n = lab.down(root)
            print(f"==> removed {n} lab containers and the lab networks")
            return 0
        if args.command == "status":
            return _status()
        if args.command == "image":
            podman.check_working()
            print(image.ensure(root, force=args.rebuild))
            return 0
        if args.command == "reach":
            reach.check([reach.Probe(c, c, tuple(p for p in args.containers if p != c))
                         for c in args.containers], port=args.port)
            print(f"==> {len(args.containers)} hosts resolve and reach each other by name")
            return 0
    except podman.PodmanError as exc:
        print(f"sop-lab: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file or command the lab needs: its path and the OS's reason
        print(f"sop-lab: error: {_os_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sop-lab: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
