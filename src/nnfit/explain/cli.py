"""`nnfit explain`: print the formula inside a saved model, or the formula behind a data file.

    nnfit explain model.nnfit
    nnfit explain data.csv --target y
"""
from __future__ import annotations

import math
from pathlib import Path

import typer

from nnfit.errors import NNFitError, check_seconds, check_seed
from nnfit.explain.budget import clock
from nnfit.io import json_text


def register(app: typer.Typer) -> None:
    app.command(
        "explain",
        help="Read a formula back: from a saved model (exact expansion when its activations are polynomials, "
        "else a sparse search checked on held-out points) or from a data file (--target names the column).",
    )(explain_command)


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.3g}"


def explain_command(
    source: Path = typer.Argument(..., help="A saved model (.nnfit) or a data file (.csv, .npy, .npz)."),
    target: str = typer.Option(None, "--target", "-t", help="Data file: the target column (default: the last)."),
    method: str = typer.Option("auto", "--method", help="auto, exact (expand the weights) or sparse (library search)."),
    fit_to: str = typer.Option("auto", "--fit-to", help="Model + sparse: fit the formula to the 'network' or the 'data'."),
    max_terms: int = typer.Option(6, "--max-terms", help="Most terms in a candidate formula."),
    seed: int = typer.Option(0, "--seed", help="Seed for the train/validation split and sampling."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="CPU seconds for the whole formula search (a bound: "
                                     "the search stops there with the best formula so far, or at 10x on the wall clock)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    latex: bool = typer.Option(False, "--latex", help="Also print the formula as LaTeX."),
) -> None:
    from nnfit.explain.api import explain

    if max_terms < 1:
        raise NNFitError("--max-terms must be at least 1")
    check_seconds(time_limit, "--time-limit")
    check_seed(seed, "--seed")
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=as_json)
    started = clock()
    with console.status("reading the formula back", spinner="dots") as status:
        def progress(stage: str) -> None:
            status.update(f"{stage}  [dim]({clock() - started:.0f} of {time_limit:g} CPU s)[/dim]")

        result = explain(str(source), target=target, method=method, fit_to=fit_to, max_terms=max_terms, seed=seed,
                         time_limit=time_limit, progress=progress)
    if as_json:
        typer.echo(json_text(result.to_dict()))
        return
    from rich.markup import escape  # the target's name is user text (a column name): never markup

    for name, formula in result.carried_formulas.items():
        console.print(f"[bold]{escape(name)} = {escape(formula)}[/bold]", soft_wrap=True, highlight=False)
        console.print("[green]exact: the formula this model predicts with (read back when it was fitted, "
                      "round-off on its validation rows); the read-back of its network follows[/green]")

    console.print(f"[bold]{escape(str(result.target_name))} = {escape(str(result.expression))}[/bold]",
                  soft_wrap=True, highlight=False)
    if latex:
        import sympy as sp

        console.print(sp.latex(result.expression), soft_wrap=True, highlight=False, markup=False)
    style = "yellow" if result.is_approximation else "green"
    console.print(f"[{style}]{result.method}: {result.label}[/{style}]")
    if result.formula_rmse is not None:
        line = f"held-out RMSE on {result.n_heldout} points vs {result.reference}: formula {_fmt(result.formula_rmse)}"
        if result.network_rmse is not None:
            line += f", network {_fmt(result.network_rmse)}"
        console.print(line, highlight=False)
    if result.note:
        console.print(f"note: {result.note}", highlight=False, markup=False)
    if result.candidates:
        table = Table(title=f"candidates fitted to the {result.fitted_to or 'data'} (Pareto front: validation "
                      "error vs complexity; * chosen)", title_justify="left")
        for col in ("", "complexity", "val RMSE", "train RMSE", "found by", "formula"):
            table.add_column(col, overflow="fold")
        for row in result.candidates:
            table.add_row("*" if row.get("chosen") else "", str(row["complexity"]), _fmt(row["val_rmse"]),
                          _fmt(row["train_rmse"]), str(row.get("source", "")), escape(str(row["formula"])))
        console.print(table)
    if result.stages:
        console.print(f"searched: {', '.join(result.stages)}; {result.seconds:.1f} s", highlight=False, markup=False)
