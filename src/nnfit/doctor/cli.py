"""`nnfit doctor ...`: thin wrappers over nnfit.doctor (run a script, explain a rule, list rules)."""
from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import typer

from nnfit.errors import NNFitError

doctor_app = typer.Typer(
    name="doctor",
    help="Name why a Keras or PyTorch network fails to fit, with evidence, and prove the fix by re-training.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@doctor_app.command("run")
def run_cmd(
    script: Path = typer.Argument(..., help="the training script to run (your own code: it is executed as `python SCRIPT` would)"),
    repair: bool = typer.Option(False, "--repair", help="re-train with each fix alone and all together; print a before/after table"),
    fmt: str = typer.Option("text", "--format", help="text or json"),
    budget: float = typer.Option(60.0, "--budget", help="seconds the whole script may run before it is stopped"),
    train_budget: float = typer.Option(15.0, "--train-budget", help="seconds of training recorded; longer training is stopped and the recorded part diagnosed"),
    repair_budget: float = typer.Option(20.0, "--repair-budget", help="seconds shared by the repair re-trainings"),
    seed: int = typer.Option(0, "--seed", help="seed for the repair split and re-training"),
    write: Path = typer.Option(None, "--write", help="with --repair: write the best repaired configuration (JSON) to this path"),
    show_output: bool = typer.Option(False, "--show-output", help="show the script's own output (hidden by default)"),
    script_args: list[str] = typer.Option([], "--arg", help="an argument passed to the script (repeatable)"),
) -> None:
    """Run SCRIPT with Model.fit/compile and torch optimisers instrumented, then diagnose the training.

    SCRIPT is executed in this process, as `python SCRIPT` would run it: only run scripts you trust.
    Keras 2 arguments (nb_epoch=, init=, output_dim=, lr=, decay=) are mapped to Keras 3 at run time
    and each mapping is reported (NF117). Files are only read; --write creates the one file you name.
    Exit status: 0 no error finding, 1 error findings, 2 the script could not be diagnosed.
    """
    import contextlib
    import io
    import warnings

    warnings.filterwarnings("ignore", category=UserWarning)  # Keras' input_dim advice etc.: the script's business

    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    if fmt not in ("text", "json"):
        raise NNFitError(f"--format must be text or json, not {fmt!r}")
    if write is not None and not repair:
        raise NNFitError("--write needs --repair (it writes the repaired configuration)")
    sink = io.StringIO()
    redirect = contextlib.nullcontext() if show_output else contextlib.redirect_stdout(sink)
    with redirect:
        capture = run_script(str(script), budget_s=budget, train_budget_s=train_budget, argv=script_args)
    capture.run.seed = seed
    report = Report.from_run(capture.run, capture, capture.notes)
    if fmt == "text":
        typer.echo(report.text())
    if repair:
        with contextlib.redirect_stdout(io.StringIO()):
            result = report.repair(budget_s=repair_budget, seed=seed, show=False)
        if fmt == "text":
            typer.echo("")
            typer.echo(result.text())
        if write is not None:
            best = result.best
            payload = {"script": str(script), "seed": seed, "fixes": best.codes, "changes": best.spec.changes,
                       "configuration": best.spec.describe(), "held_out": {k: best.result[k] for k in ("rmse", "r2", "median_rel_error")}}
            write.write_text(json.dumps(payload, indent=2, default=str) + "\n")
            if fmt == "text":
                typer.echo(f"wrote {write}")
    if fmt == "json":
        typer.echo(report.to_json())
    raise typer.Exit(1 if report.errors else 0)


@doctor_app.command("rule")
def rule_cmd(code: str = typer.Argument(..., help="a rule code (NF101) or name (narrow-bottleneck)")) -> None:
    """Print the long explanation of one rule (as `ruff rule`)."""
    from nnfit.doctor.findings import lookup
    from nnfit.doctor.rules import REGISTRY, load_all

    info = lookup(code)
    load_all()
    registered = REGISTRY.get(info.code)
    doc = registered[0].doc if registered else ""
    typer.echo(f"{info.code} {info.name} ({info.severity.value})")
    typer.echo("")
    typer.echo(doc or info.summary)


@doctor_app.command("rules")
def rules_cmd(fmt: str = typer.Option("text", "--format", help="text or json")) -> None:
    """List every rule: code, name, default severity, one-line summary."""
    from nnfit.doctor.findings import CATALOGUE
    from nnfit.doctor.rules import REGISTRY, load_all

    load_all()
    rows = [{"code": i.code, "name": i.name, "severity": i.severity.value, "summary": i.summary,
             "implemented": i.code in REGISTRY} for i in CATALOGUE.values()]
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="nnfit doctor rules")
    for col in ("code", "name", "severity", "summary"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["code"], r["name"], r["severity"], r["summary"] + ("" if r["implemented"] else " (not implemented)"))
    Console(width=int(os.environ.get("COLUMNS", 120))).print(table)


def register(app: typer.Typer) -> None:
    try:
        lint_cli = importlib.import_module("nnfit.doctor.lint_cli")
    except ModuleNotFoundError as exc:
        if not (exc.name and "nnfit.doctor.lint_cli".startswith(exc.name)):
            raise
    else:
        lint_cli.register(doctor_app)
    app.add_typer(doctor_app, name="doctor")
