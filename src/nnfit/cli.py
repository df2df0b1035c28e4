"""The `nnfit` command line: thin. Parse arguments, call the library, print.

User mistakes (NNFitError) print one line `error: ...` and exit with code 2, never a traceback.
Sub-command groups live beside the code they drive and register themselves here.
"""
from __future__ import annotations

import importlib
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")  # before any `import keras`: no TensorFlow needed

import typer

from nnfit.errors import NNFitError

app = typer.Typer(
    name="nnfit",
    help="Fit small neural networks to functions and data, and diagnose the ones that fail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that add commands: each defines register(app). Order is the order in --help.
COMMAND_MODULES = [
    "nnfit.fit_cli",
    "nnfit.doctor.cli",
    "nnfit.explain.cli",
    "nnfit.batch.cli",
]


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command group not built yet; anything else is a bug
            if not (exc.name and name.startswith(exc.name)):
                raise
            continue
        module.register(app)


_register_all()


# What user input can cause beyond nnfit's own checks: a file that cannot be read or written, a value
# a library refuses, a number too large, nesting too deep. At the edge each is one line and exit 2;
# NNFIT_DEBUG=1 keeps the traceback for a bug report.
USER_ERRORS = (NNFitError, OSError, ValueError, OverflowError, ArithmeticError, RecursionError, MemoryError)
MAX_MESSAGE = 300  # characters of an error line: a message may quote a 100,000-character argument


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; usage errors exit 2 (typer's standalone mode), user mistakes too."""
    for position, arg in enumerate(sys.argv[1:] if argv is None else argv, start=1):
        if isinstance(arg, str) and "\x00" in arg:  # no shell can pass one; a path holding one fails in the OS
            typer.echo(f"error: argument {position} holds a NUL character", err=True)
            return 2
    try:
        with warnings.catch_warnings():
            # numpy's overflow/invalid-value notes on a user's extreme target (x**1000, 1e300 cells) are
            # not errors: the metrics say how the fit went; NNFIT_DEBUG=1 shows them
            if not os.environ.get("NNFIT_DEBUG"):
                warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"(numpy|nnfit)(\.|$)")
            app(args=argv)
    except SystemExit as exc:  # typer's standalone mode ends with sys.exit (2 for usage errors)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except USER_ERRORS as exc:
        if os.environ.get("NNFIT_DEBUG"):
            raise
        typer.echo(f"error: {error_line(exc)}", err=True)
        return 2
    return 0


def error_line(exc: BaseException) -> str:
    """One line for an error: nnfit's own message, or the library's with its kind named; long ones cut."""
    text = " ".join(str(exc).split())
    if not isinstance(exc, NNFitError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def entry() -> None:
    sys.exit(main())
