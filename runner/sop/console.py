"""The `sop` console script's entry point (pyproject.toml's [project.scripts]).

`sop.cli.main` handles a Ctrl-C once it runs; one in the first moments, while the CLI's
modules are imported or the arguments parsed, ends here the same way: one line, exit 5,
never a traceback. Nothing is imported before the `try`.
"""

import sys


def main() -> int:
    try:
        from sop.cli import main as run  # noqa: PLC0415 (inside the try: it may be interrupted)

        return run()
    except KeyboardInterrupt:
        from sop.errors import ExitCode  # noqa: PLC0415

        sys.stderr.write("sop: interrupted\n")
        return int(ExitCode.CANCELED)
