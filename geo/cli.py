"""The command lines' one way of reporting bad input: one bilingual line on stderr, exit code 2.

``python -m geo.osm``, ``geo.layers``, ``analysis.reach``, ``analysis.siting``
and ``share`` build their arguments with :class:`CommandLineParser` and run
their body through :func:`run_command`: a bad argument, or a
:class:`~geo.errors.PlanningMapError` raised while running, is printed as
``error: <message>`` on one line of stderr and the command exits with
:data:`EXIT_BAD_INPUT`, without a traceback. Anything else is a bug and
propagates.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from geo.errors import PlanningMapError, UsageError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_PIPE",
    "CommandLineParser",
    "report_error",
    "run_command",
    "usage_error",
]

EXIT_BAD_INPUT = 2
#: What a command returns when its output's reader closed the pipe
#: (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141


def usage_error(message: str, *, prog: str | None = None) -> UsageError:
    """Return the error for bad arguments: ``参数错误 / bad arguments: <message>``.

    Parameters
    ----------
    message
        What is wrong, with the value seen (argparse's text, or a bilingual one).
    prog
        The command (``python -m geo.layers add``); given, the message ends by
        pointing at its ``--help``.

    Examples
    --------
    >>> str(usage_error("the following arguments are required: --out", prog="python -m x"))
    '参数错误 / bad arguments: the following arguments are required: --out (see python -m x --help)'
    """
    hint = f" (see {prog} --help)" if prog else ""
    return UsageError(f"参数错误 / bad arguments: {message}{hint}")


class CommandLineParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose bad arguments raise :class:`UsageError`.

    argparse itself prints the usage and exits; this parser raises instead, so
    that :func:`run_command` reports every bad input the same way. Its
    subcommand parsers are of this class too.

    Examples
    --------
    >>> parser = CommandLineParser(prog="python -m x")
    >>> _ = parser.add_argument("--k", type=int, required=True)
    >>> parser.parse_args(["--k", "two"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.UsageError: 参数错误 / bad arguments: argument --k: invalid int value: 'two' ...
    """

    def error(self, message: str) -> NoReturn:
        """Raise the bad argument as a :class:`UsageError` (instead of exiting)."""
        raise usage_error(message, prog=self.prog)


def report_error(exc: PlanningMapError) -> int:
    """Print ``error: <message>`` on one line of stderr; return :data:`EXIT_BAD_INPUT`."""
    print(f"error: {' '.join(str(exc).split())}", file=sys.stderr, flush=True)
    return EXIT_BAD_INPUT


def run_command(command: Callable[[], int], *, file_errors: bool = False) -> int:
    """Run a command line's body and return its exit code, bad input reported in one line.

    Parameters
    ----------
    command
        Parses the arguments (with a :class:`CommandLineParser`) and does the work;
        returns the exit code.
    file_errors
        Also report an :class:`OSError` (a file that cannot be read or written) as
        bad input, for commands whose files are all named on the command line.

    Returns
    -------
    int
        The command's code, or :data:`EXIT_BAD_INPUT` after reporting a
        :class:`~geo.errors.PlanningMapError` (bad arguments included).

    Examples
    --------
    >>> import contextlib, io
    >>> def bad() -> int:
    ...     raise usage_error("--k 必须为正数。 / --k must be positive, got 0.")
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     code = run_command(bad)
    >>> code
    2
    >>> print(err.getvalue(), end="")
    error: 参数错误 / bad arguments: --k 必须为正数。 / --k must be positive, got 0.
    """
    try:
        return command()
    except BrokenPipeError:
        # The reader of our output went away (``... | head``): not an error of
        # ours, and no traceback. Python's advice: point stdout at devnull so
        # that the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except PlanningMapError as exc:
        return report_error(exc)
    except OSError as exc:
        if not file_errors:
            raise
        print(
            f"error: 无法读写文件。 / Cannot read or write a file: {' '.join(str(exc).split())}",
            file=sys.stderr,
            flush=True,
        )
        return EXIT_BAD_INPUT
