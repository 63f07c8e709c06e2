"""The `sop` console script's entry point (pyproject.toml's [project.scripts]).

`sop.cli.main` handles a Ctrl-C once it runs; one in the first moments, while the CLI's
modules are imported or the arguments parsed (bare, or wrapped by Python in another
exception while a module defines a class), ends here the same way: one line, exit 5,
never a traceback (with stderr closed, `2>&-`, the line goes nowhere: sys.stderr is
None until `sop.cli.main` opens it on /dev/null). Nothing is imported before the `try`.
"""

import sys


def main() -> int:
    try:
        from sop.cli import main as run  # noqa: PLC0415 (inside the try: it may be interrupted)

        return run()
    except (KeyboardInterrupt, Exception) as exc:
        from sop.errors import ExitCode, interrupted  # noqa: PLC0415

        if not interrupted(exc):  # a Ctrl-C, bare or wrapped by Python while importing
            raise
        if sys.stderr is not None:
            sys.stderr.write("sop: interrupted\n")
        return int(ExitCode.CANCELED)
