"""`nnfit doctor lint`: a thin wrapper over nnfit.doctor.lint (`doctor check` lives in nnfit.doctor.cli).

nnfit.doctor.cli calls register(doctor_app) to add the command to the `doctor` group.
"""
from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from nnfit.errors import NNFitError
from nnfit.io import regular_file


def _codes(value: Optional[str]) -> list[str] | None:
    if not value:
        return None
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def register(doctor_app: typer.Typer) -> None:
    @doctor_app.command("lint")
    def lint(
        files: list[str] = typer.Argument(..., help="training scripts to read (never run)"),
        format: str = typer.Option("text", "--format", "-f", help="text (rustc-like) or json"),
        select: Optional[str] = typer.Option(None, help="only these codes, e.g. NF101,NF117"),
        ignore: Optional[str] = typer.Option(None, help="skip these codes"),
        setup: bool = typer.Option(False, "--setup", help="also print what was recovered (layers, optimiser, data ranges)"),
        color: Optional[bool] = typer.Option(None, "--color/--no-color", help="colour the severity (default: when a terminal)"),
    ) -> None:
        """Read training scripts WITHOUT running them and report what will make them fail.

        Exit code: 0 no error-severity finding, 1 at least one, 2 a file could not be read.
        """
        from nnfit.doctor import lint as L

        if format not in ("text", "json"):
            raise NNFitError(f"--format must be text or json, not {format!r}")
        use_color = sys.stdout.isatty() if color is None else color
        results = []
        worst = 0
        for path in files:
            if os.path.exists(path) and not os.path.isdir(path):
                regular_file(path, "script")  # a FIFO or a device (/dev/zero): refused before it is opened
            text = L.read_script(path)  # NNFitError -> `error: ...`, exit 2
            if not text.strip():
                if format == "text":
                    typer.echo(f"{path}: empty file: nothing to lint")
                results.append((path, None, []))
                continue
            try:
                run = L.analyse_source(text, path)
                findings = L.lint_run(run, select=_codes(select), ignore=_codes(ignore))
            except RecursionError:  # the parsers and the static reader recurse over the syntax tree
                raise NNFitError(f"{path}: nested too deeply to read (an expression or block thousands of "
                                 "levels deep)") from None
            except MemoryError:
                raise NNFitError(f"{path}: too large to read in this machine's memory") from None
            worst = max(worst, L.exit_code(findings))
            results.append((path, run, findings))
            if format == "text":
                if setup:
                    typer.echo(L.render_setup(run) + "\n")
                typer.echo(L.render_text(findings, run, path, color=use_color))
                if len(files) > 1:
                    typer.echo("")
        if format == "json":
            typer.echo(L.render_json(results))
        if worst:
            raise typer.Exit(worst)
