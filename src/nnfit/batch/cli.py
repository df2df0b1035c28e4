"""`nnfit batch` and `nnfit sweep`: thin wrappers over nnfit.batch.api.

Both write OUT/results.csv and OUT/summary.html, print a table, and show a progress bar over jobs.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from nnfit.errors import NNFitError, check_seconds, check_seed

ENGINE_HELP = "pool (local processes, default), sequential, or ray"


def register(app: typer.Typer) -> None:
    app.command(
        "batch",
        help="Fit many targets: a formulas CSV (columns formula,ranges[,name,integer,n_samples]) "
        "or a data CSV with --targets (one model per target column).",
    )(batch_command)
    app.command(
        "sweep",
        help="Fit one target over a grid of settings, e.g. "
        "nnfit sweep '10*sin(3*x)' --x 0:1 --width 8,16,32 --depth 1,2 --optimizer lm,lbfgs",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(sweep_command)


# Options shared by both commands (typer reads the defaults).
_OUT = typer.Option(None, "--out", "-o", help="Output folder: jobs/*.json, models/, results.csv, summary.html.")
_ENGINE = typer.Option("pool", "--engine", help=ENGINE_HELP)
_ADDRESS = typer.Option(None, "--address", help="Ray cluster to join (e.g. ray://head:10001 or auto); default: start a local one.")
_WORKERS = typer.Option(None, "--workers", help="Parallel jobs (default: the number of cores).")
_THREADS = typer.Option(None, "--threads", help="torch threads per job (default: cores / workers).")
_RESUME = typer.Option(False, "--resume", help="Keep the results already in --out and run only the rest.")
_OVERWRITE = typer.Option(False, "--overwrite", help="Fit every job again, replacing results in --out.")
_RETRY = typer.Option(False, "--retry-failed", help="With --resume: run failed and timed-out jobs again.")
_TIMEOUT = typer.Option(None, "--timeout", help="Seconds per job; a job past it is recorded as timed out.")
_DEVICE = typer.Option("cpu", "--device", help="cpu, cuda, or auto (cuda when a GPU is visible).")
_WIDTH = typer.Option(None, "--width", help="Hidden-layer widths to try, e.g. 8,16,32.")
_DEPTH = typer.Option(None, "--depth", help="Numbers of hidden layers to try, e.g. 1,2 (with --width).")
_OPTIMIZER = typer.Option(None, "--optimizer", help="Optimisers to try, e.g. lm,lbfgs,adam.")
_SEEDS = typer.Option(None, "--seeds", help="Seeds to try, e.g. 0,1,2 (default 0).")
_SET = typer.Option(None, "--set", help="Any other model setting, KEY=V1,V2 (repeatable); values are tried in turn.")
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar and no table.")


def batch_command(
    source: Path = typer.Argument(..., help="CSV file: formulas (formula,ranges) or data (with --targets)."),
    targets: str = typer.Option(None, "--targets", help="Data CSV: target columns, e.g. y1,y2,y3 (one model each)."),
    features: str = typer.Option(None, "--features", help="Data CSV: input columns (default: all non-target columns)."),
    out: Path = _OUT,
    engine: str = _ENGINE,
    address: str = _ADDRESS,
    workers: int = _WORKERS,
    threads: int = _THREADS,
    resume: bool = _RESUME,
    overwrite: bool = _OVERWRITE,
    retry_failed: bool = _RETRY,
    timeout: float = _TIMEOUT,
    device: str = _DEVICE,
    width: str = _WIDTH,
    depth: str = _DEPTH,
    optimizer: str = _OPTIMIZER,
    seeds: str = _SEEDS,
    set_: list[str] = _SET,
    quiet: bool = _QUIET,
) -> None:
    from nnfit.batch import api

    if timeout is not None:
        check_seconds(timeout, "--timeout")
    grid = settings_from_options(width, depth, optimizer, seeds, set_)
    out = out or Path("batch-out")
    _run(
        lambda progress: api.batch(
            source,
            targets=targets,
            features=features,
            grid=grid,
            out=out,
            engine=engine,
            workers=workers,
            threads=threads,
            address=address,
            resume=resume,
            overwrite=overwrite,
            retry_failed=retry_failed,
            timeout=timeout,
            device=device,
            progress=progress,
        ),
        out,
        quiet,
        title=f"nnfit batch {source.name}",
    )


def sweep_command(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="A formula such as '10*sin(3*x)', or with --data a column name."),
    ranges: str = typer.Option(None, "--ranges", help="Variable ranges 'x:0:1;y:-1:1' (or one option per variable: --x 0:1)."),
    data: Path = typer.Option(None, "--data", help="Data CSV: fit its column TARGET instead of a formula."),
    features: str = typer.Option(None, "--features", help="With --data: input columns (default: all others)."),
    integer: bool = typer.Option(False, "--integer", help="Sample integer points of the ranges."),
    n_samples: int = typer.Option(None, "--n-samples", help="Points sampled from the formula."),
    out: Path = _OUT,
    engine: str = _ENGINE,
    address: str = _ADDRESS,
    workers: int = _WORKERS,
    threads: int = _THREADS,
    resume: bool = _RESUME,
    overwrite: bool = _OVERWRITE,
    retry_failed: bool = _RETRY,
    timeout: float = _TIMEOUT,
    device: str = _DEVICE,
    width: str = _WIDTH,
    depth: str = _DEPTH,
    optimizer: str = _OPTIMIZER,
    seeds: str = _SEEDS,
    set_: list[str] = _SET,
    quiet: bool = _QUIET,
) -> None:
    from nnfit.batch import api

    ranges = merge_ranges(ranges, ctx.args)
    if data is None and not ranges:
        raise NNFitError("give the formula's variable ranges, e.g. --x 0:1 or --ranges 'x:0:1;y:-1:1'")
    if data is not None and ranges:
        raise NNFitError("--data fits a column; variable ranges apply to formulas only")
    if timeout is not None:
        check_seconds(timeout, "--timeout")
    grid = settings_from_options(width, depth, optimizer, seeds, set_)
    out = out or Path("sweep-out")
    _run(
        lambda progress: api.sweep(
            target,
            ranges or None,
            grid=grid,
            data=data,
            features=features,
            integer=integer,
            n_samples=n_samples,
            out=out,
            engine=engine,
            workers=workers,
            threads=threads,
            address=address,
            resume=resume,
            overwrite=overwrite,
            retry_failed=retry_failed,
            timeout=timeout,
            device=device,
            progress=progress,
        ),
        out,
        quiet,
        title=f"nnfit sweep {target}",
    )


# ---------------------------------------------------------------- option parsing

def merge_ranges(ranges: str | None, extra: list[str]) -> str:
    """Combine --ranges with per-variable options (--x 0:1, --y=-1:1) into 'x:0:1;y:-1:1'."""
    from nnfit.fit_cli import parse_variable_ranges

    parts = [ranges] if ranges else []
    for name, value in parse_variable_ranges(extra).items():
        if value.count(":") != 1:
            raise NNFitError(f"--{name} {value}: a range is low:high, e.g. --{name} 0:1")
        parts.append(f"{name}:{value}")
    return ";".join(parts)


def settings_from_options(
    width: str | None, depth: str | None, optimizer: str | None, seeds: str | None, sets: list[str] | None
) -> dict[str, list[Any]]:
    """The settings grid from the command-line lists ('8,16' etc.)."""
    grid: dict[str, list[Any]] = {}
    if width or depth:
        if not width:
            raise NNFitError("--depth needs --width (the width of each hidden layer)")
        widths = _ints("--width", width)
        depths = _ints("--depth", depth) if depth else [1]
        grid["hidden"] = [tuple([w] * d) for d in depths for w in widths]
    if optimizer:
        grid["optimizer"] = _list(optimizer)
    if seeds:
        grid["seed"] = _ints("--seeds", seeds)
    for item in sets or []:
        key, eq, values = item.partition("=")
        key = key.strip()
        if not eq or not key.isidentifier():
            raise NNFitError(f"--set {item}: write KEY=V1,V2 (e.g. --set max_steps=200,500)")
        known = _setting_names()
        if key not in known:
            raise NNFitError(f"--set {key}: no such setting; known: {', '.join(sorted(known))}")
        if key in grid:
            raise NNFitError(f"setting '{key}' is given twice")
        grid[key] = [_value(key, v) for v in _list(values)]
    return grid


def _setting_names() -> set[str]:
    """What --set may name: NNFitRegressor's parameters, with the CLI's names for the seed and transform."""
    import inspect

    from nnfit.fit import NNFitRegressor

    names = set(inspect.signature(NNFitRegressor.__init__).parameters) - {"self", "progress", "random_state", "scaling"}
    return names | {"seed", "transform"}


def _list(text: str) -> list[str]:
    items = [v.strip() for v in text.split(",") if v.strip()]
    if not items:
        raise NNFitError(f"'{text}' has no values")
    return items


def _ints(option: str, text: str) -> list[int]:
    try:
        values = [int(v) for v in _list(text)]
    except ValueError:
        raise NNFitError(f"{option} {text}: whole numbers separated by commas, e.g. 8,16") from None
    if option == "--seeds":
        for v in values:  # a bad seed fails before any job starts, not in every job
            check_seed(v, "--seeds")
    elif any(v < 1 for v in values):
        raise NNFitError(f"{option} {text}: values must be at least 1")
    return values


def _value(key: str, text: str) -> Any:
    if key == "hidden":  # 16x16 -> (16, 16)
        try:
            return tuple(int(v) for v in text.lower().split("x"))
        except ValueError:
            raise NNFitError(f"--set hidden={text}: widths joined by x, e.g. 16x16") from None
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


# ---------------------------------------------------------------- running and printing

def _run(call, out: Path, quiet: bool, title: str) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from nnfit.batch.summary import status_counts, write_html
    from nnfit.io import atomic_write, check_writable

    check_writable(out)  # before any job runs: an unwritable --out is found in a second, not after the batch

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    )
    state: dict[str, Any] = {"task": None, "failed": 0}

    def progress(record: dict[str, Any] | None, n_done: int, n_total: int) -> None:
        if state["task"] is None:
            state["task"] = bar.add_task("fitting", total=n_total, failed=0)
        if record is None:
            return
        if record.get("status") != "ok":
            state["failed"] += 1
        bar.update(state["task"], completed=n_done, failed=state["failed"])

    try:
        with bar:
            frame = call(progress)
    except KeyboardInterrupt:
        from nnfit.batch.jobs import read_records

        kept = len(read_records(out))
        typer.echo(f"interrupted: {kept} finished results kept in {out}; run the same command with --resume to finish", err=True)
        raise typer.Exit(130) from None

    csv_path = Path(frame.attrs["out"]) / "results.csv"
    atomic_write(csv_path, frame.to_csv(index=False))
    html_path = write_html(frame, Path(frame.attrs["out"]) / "summary.html", title=title)
    if not quiet:
        print_table(frame)
    status = status_counts(frame)
    typer.echo(
        f"{len(frame)} jobs ({status}); fitted now {frame.attrs['ran']}, kept {frame.attrs['skipped']}; "
        f"engine {frame.attrs['engine']}\nresults: {csv_path}\nsummary: {html_path}"
    )


def print_table(frame) -> None:
    """The results as a rich table (setting and seed columns only when they vary)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from nnfit.batch.summary import setting_labels

    labels = setting_labels(frame)
    seeds = frame["seed"] if "seed" in frame.columns else None
    columns = [("target", "left")]
    if len(set(labels)) > 1:
        columns.append(("setting", "left"))
    if seeds is not None and seeds.nunique(dropna=True) > 1:
        columns.append(("seed", "right"))
    columns += [("status", "left"), ("nrmse", "right"), ("max err", "right"), ("seconds", "right")]
    table = Table(header_style="bold")
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=name not in ("target", "setting"), min_width=len(name))
    errors = frame["error"].notna().any()
    if errors:
        table.add_column("error", overflow="fold", min_width=20)  # the whole message is also in results.csv
    styles = {"ok": "green", "failed": "red", "timeout": "yellow", "pending": "dim"}
    for label, row in zip(labels, frame.to_dict("records")):
        status = str(row["status"])
        cells = {  # targets, settings and errors are user text: escaped, so "[x]" is not rich markup
            "target": escape(str(row["target"])),
            "setting": escape(label),
            "seed": _fmt_int(row.get("seed")),
            "status": f"[{styles.get(status, '')}]{status}[/]",
            "nrmse": _fmt(row.get("nrmse"), ".1e"),
            "max err": _fmt(row.get("max_abs_error"), ".1e"),
            "seconds": _fmt(row.get("seconds"), ".1f"),
        }
        table.add_row(*[cells[name] for name, _ in columns], *([escape(_text(row.get("error")))] if errors else []))
    Console().print(table)


def _fmt(value: Any, spec: str = ".3g") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format(float(value), spec)


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _fmt_int(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(int(value))
