"""Run the console entry point in-process: the same code path as ``python -m evalkit``, without start-up cost."""

from __future__ import annotations

import contextlib
import io
import sys


def run_main(*args: str) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``evalkit ARGS`` through :func:`evalkit.cli.main`."""
    from evalkit.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["evalkit", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()
