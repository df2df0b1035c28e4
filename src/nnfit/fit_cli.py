"""`nnfit fit`, `nnfit predict` and `nnfit demo`: thin wrappers over nnfit.fit."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand

from nnfit.errors import NNFitError, check_seconds, check_seed
from nnfit.io import atomic_write, check_writable, json_text, refuse_special_destination

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".npy", ".npz")
MAX_PATH_LENGTH = 4096  # Linux's PATH_MAX: a longer argument cannot be a file name
BYTES_PER_SAMPLE_COLUMN = 80  # see _check_sample_memory

# The four seed questions, as fit jobs: (label, formula, domains, integer inputs)
SEED_TARGETS = [
    ("seed 1: 10*sin(3x)", "10*sin(3*x)", {"x": (0, 1)}, False),
    ("seed 2: x**2", "x**2", {"x": (0, 1)}, False),
    ("seed 3: x**2+2x+2", "x**2 + 2*x + 2", {"x": (0, 1)}, False),
    ("seed 4: a*b, integers", "a*b", {"a": (0, 500), "b": (0, 500)}, True),
]


class _RangesCommand(TyperCommand):
    """`fit`'s command: a formula or a variable's range that starts with a minus sign and a letter
    (-sin(x), --x -inf:inf) would be read by click as a cluster of short options (-s -i -n "(x)", with
    -n taking --samples). A range is joined to its option first (--x=-inf:inf, as --x=... is read);
    a formula given first is held aside while click parses the rest."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        known = {opt for param in self.params for opt in (*param.opts, *param.secondary_opts)} | {"--help"}
        formula = None
        if args and args[0].startswith("-") and not args[0].startswith("--") and args[0] not in known \
                and not any(args[0].startswith(opt) and args[0][len(opt):].isdigit() for opt in known):
            formula, args = args[0], ["nnfit-formula", *args[1:]]
        rest = self._join_ranges(ctx, args, known)
        if formula is not None:
            ctx.params["target"] = formula
        return rest

    def _join_ranges(self, ctx: Any, args: list[str], known: set[str]) -> list[str]:
        joined, i = [], 0
        while i < len(args):
            arg = args[i]
            if (arg.startswith("--") and len(arg) > 2 and "=" not in arg and arg not in known and i + 1 < len(args)
                    and args[i + 1].startswith("-") and not args[i + 1].startswith("--")):
                joined.append(f"{arg}={args[i + 1]}")
                i += 2
                continue
            joined.append(arg)
            i += 1
        return super().parse_args(ctx, joined)


def register(app: typer.Typer) -> None:
    app.command(
        "fit",
        cls=_RangesCommand,
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        help="Fit a formula over ranges (nnfit fit \"10*sin(3*x)\" --x 0:1) or a table "
             "(nnfit fit data.csv --target y). Prints held-out regression metrics.",
    )(fit_command)
    # ignore_unknown_options: a negative input value (-0.5) is a value, not an unknown option
    app.command("predict", context_settings={"ignore_unknown_options": True},
                help="Predict with a saved model: nnfit predict model.nnfit 0.25 0.5, or a CSV of inputs.")(
        predict_command)
    app.command("demo", help="Fit the four seed targets, print the metrics table, write plots under --out.")(
        demo_command)


def parse_variable_ranges(args: list[str]) -> dict[str, str]:
    """['--x', '0:1', '--a=0:500'] -> {'x': '0:1', 'a': '0:500'}; anything else is a usage error."""
    ranges: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) < 3:
            raise NNFitError(f"unexpected argument {arg!r}: give variable ranges as --NAME LOW:HIGH, e.g. --x 0:1")
        name, _, value = arg[2:].partition("=")
        if not value:
            if i + 1 >= len(args):
                raise NNFitError(f"--{name} needs a range, e.g. --{name} 0:1")
            value = args[i + 1]
            i += 1
        if not name.isidentifier():
            raise NNFitError(f"unknown option --{name}")
        if name in ranges:
            raise NNFitError(f"--{name} is given twice ({ranges[name]} and {value}): give each variable one range")
        ranges[name] = value
        i += 1
    return ranges


def fit_command(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="A formula such as '10*sin(3*x)', or a CSV/.npy/.npz file."),
    column: str = typer.Option(None, "--target", "-t", help="Table: the output column(s), comma-separated (default: last)."),
    integer: bool = typer.Option(False, "--integer", help="Formula: sample integer inputs (upper bound excluded)."),
    samples: int = typer.Option(None, "--samples", "-n", help="Formula: training points (default by input count)."),
    drop_nonfinite: bool = typer.Option(False, "--drop-nonfinite",
                                        help="Formula: draw points only where it is finite (e.g. sqrt of a "
                                             "signed input) instead of refusing the range."),
    seed: int = typer.Option(0, "--seed", help="Random seed (sampling, initialisation, splits)."),
    hidden: str = typer.Option(None, "--hidden", help="Hidden widths, e.g. 24 or 16,16 (default: chosen)."),
    optimizer: str = typer.Option("auto", "--optimizer", help="auto, lm, lbfgs or adam."),
    transform: str = typer.Option("auto", "--transform", help="auto, none or log."),
    max_seconds: float = typer.Option(60.0, "--max-seconds", help="Time budget for the fit."),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda or auto."),
    save: Path = typer.Option(None, "--save", "-o", help="Write the model to this file (.nnfit)."),
    report: Path = typer.Option(None, "--report", help="Write an HTML report and PNG plots into this folder."),
    output_format: str = typer.Option("text", "--format", help="text or json."),
    variables: list[str] = typer.Option(None, "--var", help="Formula: a range as NAME=LOW:HIGH (repeatable), for a "
                                        "variable named like an option of fit, e.g. --var seed=0:1."),
) -> None:
    from nnfit import fit as fitting
    from nnfit import targets

    if output_format not in ("text", "json"):
        raise NNFitError("--format must be text or json")
    check_seconds(max_seconds, "--max-seconds")
    check_seed(seed, "--seed")
    if samples is not None and samples < 8:
        raise NNFitError(f"--samples must be at least 8 (the points are split for training and validation), not {samples}")
    params: dict[str, Any] = {"optimizer": optimizer, "scaling": transform, "max_seconds": max_seconds,
                              "device": device}
    if hidden:
        try:
            params["hidden"] = tuple(int(w) for w in hidden.split(","))
        except ValueError:
            raise NNFitError(f"--hidden must be widths separated by commas, e.g. 16,16 (got {hidden!r})") from None
    ranges = parse_variable_ranges(list(ctx.args))
    for item in variables or []:
        name, eq, value = item.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier() or not value.strip():
            raise NNFitError(f"--var {item}: write NAME=LOW:HIGH, e.g. --var seed=0:1")
        if name in ranges:
            raise NNFitError(f"variable {name!r} is given two ranges")
        ranges[name] = value
    _check_outputs(save, report)  # before the fit: an unwritable --save/--report fails now, not after a minute
    if looks_like_table(target):
        if ranges:
            raise NNFitError("variable ranges (--x 0:1) apply to formulas, not to a table")
        spec = targets.read_table(target, column)
    else:
        if column:
            raise NNFitError("--target names a table column; a formula's output needs no name")
        try:
            spec = targets.formula_target(target, ranges, integer)
        except NNFitError as exc:  # a variable named like an option of fit takes its range through --var
            message = str(exc)
            for param in ctx.command.params:
                for option in param.opts:
                    name = option.lstrip("-")
                    if option.startswith("--") and f"{option} 0:1" in message:
                        message = message.replace(f"{option} 0:1", f"--var {name}=0:1")
            if message == str(exc):
                raise
            raise NNFitError(message) from None
    if "hidden" in params:
        _check_size(len(spec.input_names), params["hidden"], optimizer)
    if samples is not None and spec.is_function:
        _check_sample_memory(samples, len(spec.input_names) + len(spec.output_names))
    with _progress(output_format == "text") as say:
        model = fitting.fit_target(spec, n_samples=samples, seed=seed, progress=say,
                                   nonfinite="drop" if drop_nonfinite else "error", **params)
    result = model_result(model)
    if save:
        result["saved"] = str(model.save(save))
    if report:
        result["report"] = str(_write_report(model, spec, report, seed))
    if output_format == "json":
        typer.echo(json_text(result))
    else:
        print_result(result)


def _check_size(n_inputs: int, hidden: tuple[int, ...], optimizer: str) -> None:
    from nnfit.fit import too_many_parameters

    if not hidden or any(w < 1 for w in hidden):
        raise NNFitError("--hidden must be positive widths separated by commas, e.g. 16,16")
    over = too_many_parameters(n_inputs, hidden, optimizer)
    if over:
        count, limit = over
        raise NNFitError(f"--hidden {','.join(map(str, hidden))} gives {count:,} parameters; with --optimizer "
                         f"{optimizer} at most {limit:,} are accepted (choose smaller widths)")


def _check_sample_memory(samples: int, columns: int) -> None:
    """Refuse --samples that cannot fit in memory before any is drawn (a MemoryError after minutes, or
    the machine swapping). A fit holds about BYTES_PER_SAMPLE_COLUMN per point and input/output
    column: measured, 1.6 million points of a 2-input formula took 300 MB over the baseline (~80 B)."""
    from nnfit.targets import _physical_memory

    memory = _physical_memory()
    needed = samples * columns * BYTES_PER_SAMPLE_COLUMN
    if memory is not None and needed > memory:
        raise NNFitError(f"--samples {samples:,} needs about {needed / 2**30:,.0f} GiB for {columns} input/output "
                         f"column(s), more than this machine's {memory / 2**30:.0f} GiB; draw fewer points")


def looks_like_table(target: str) -> bool:
    """A data file is named by a short, one-line path with a table suffix; anything else is a formula.

    The file system is never asked about a formula string (a 100,000-character formula is not a
    file name); a table path that does not exist is reported by read_table.
    """
    if len(target) > MAX_PATH_LENGTH or any(c in target for c in "\n\r\x00"):
        return False
    return Path(target).suffix.lower() in TABLE_SUFFIXES


def _check_outputs(save: Path | None, report: Path | None) -> None:
    if save is not None:
        if save.is_dir():
            raise NNFitError(f"--save {save} is a folder; give a file name such as model.nnfit")
        refuse_special_destination(save)
        check_writable(save.parent if str(save.parent) else Path("."))
    if report is not None:
        check_writable(report)


def model_result(model: Any) -> dict[str, Any]:
    return {
        "target": getattr(model, "target_description_", None),
        "inputs": list(model.input_names_),
        "outputs": list(model.target_names_),
        "metrics": model.metrics_,
        "summary": model.summary_,
        "seed": model.random_state,
    }


def print_result(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    metrics, summary = result["metrics"], result["summary"]
    # the target and paths are user text: escaped, so "[x]" in a formula or file name is not rich markup
    table = Table(title=f"nnfit fit: {escape(str(result['target']))}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    if metrics:
        table.add_row("held-out points", str(metrics.get("n_test")))
        for key, label in METRIC_LABELS.items():
            table.add_row(label, _fmt(metrics.get(key)))
    for key in ("transform", "architecture", "optimizer", "stages", "steps", "seconds", "seed"):
        table.add_row(key, escape(str(summary.get(key))))
    for key in ("saved", "report"):
        if key in result:
            table.add_row(key, escape(result[key]))
    console.print(table)


METRIC_LABELS = {
    "rmse": "RMSE",
    "nrmse": "RMSE/std(y)",
    "mae": "MAE",
    "max_abs_error": "max |error|",
    "r2": "R²",
    "median_rel_error": "median relative error",
}


def predict_command(
    model_path: Path = typer.Argument(..., help="A model saved by nnfit fit --save."),
    inputs: list[str] = typer.Argument(None, help="Input values (one point per input count), or one CSV file."),
    output_format: str = typer.Option("text", "--format", help="text, csv or json."),
) -> None:
    import numpy as np

    from nnfit.fit import NNFitRegressor

    if output_format not in ("text", "csv", "json"):
        raise NNFitError("--format must be text, csv or json")
    inputs = inputs or []
    for value in inputs:
        if value.startswith("--"):
            raise NNFitError(f"no such option: {value.partition('=')[0]} (give input values, or one CSV file of inputs)")
    model = NNFitRegressor.load(model_path)
    d = model.n_features_in_
    if len(inputs) == 1 and looks_like_table(inputs[0]):
        X = _inputs_from_file(Path(inputs[0]), model)
    else:
        if not inputs or len(inputs) % d:
            raise NNFitError(f"give input values in groups of {d} ({', '.join(model.input_names_)})")
        values = []
        for v in inputs:
            try:
                values.append(float(v.replace("\u2212", "-")))
            except ValueError:
                raise NNFitError(f"input values must be numbers, got {_shown(v)}") from None
            if not math.isfinite(values[-1]):
                raise NNFitError(f"input values must be finite numbers, got {_shown(v)}")
        X = np.array(values).reshape(-1, d)
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        row, col = (int(v) for v in bad[0])
        raise NNFitError(f"input {model.input_names_[col]!r} of point {row + 1} is {X[row, col]!r}: "
                         "inputs must be finite numbers (no empty cells, nan or inf)")
    if not len(X):
        raise NNFitError("no input points to predict")
    Y = np.asarray(model.predict(X)).reshape(len(X), -1)
    if output_format == "json":
        typer.echo(json.dumps({"inputs": model.input_names_, "X": X.tolist(),
                               "outputs": model.target_names_, "y": Y.tolist()}))
    elif output_format == "csv":
        typer.echo(",".join(model.input_names_ + model.target_names_))
        for x_row, y_row in zip(X, Y):
            typer.echo(",".join(repr(float(v)) for v in (*x_row, *y_row)))
    else:
        for y_row in Y:
            typer.echo(" ".join(repr(float(v)) for v in y_row))


def _inputs_from_file(path: Path, model: Any) -> Any:
    """Points to predict from a CSV (columns named as the model's inputs, or a header-less table of
    exactly its input count) or a 2-D .npy array with one column per input."""
    import numpy as np

    from nnfit.targets import numeric_columns, read_csv_frame

    names, d = list(model.input_names_), model.n_features_in_
    from nnfit.io import regular_file

    path = regular_file(path)  # missing, a folder, a FIFO or a device: one line, nothing opened
    if path.suffix.lower() in (".npy", ".npz"):
        if path.suffix.lower() == ".npz":
            raise NNFitError(f"give the inputs as a CSV or a .npy array, not {path.suffix}")
        try:
            X = np.load(path, allow_pickle=False)  # never unpickled
        except (ValueError, OSError, EOFError) as exc:
            raise NNFitError(f"cannot read {path}: not a NumPy .npy array of numbers ({type(exc).__name__})") from None
        if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
            raise NNFitError(f"{path} holds {X.dtype} values, not real numbers")
        X = X.reshape(-1, 1) if X.ndim == 1 and d == 1 else X
        if X.ndim != 2 or X.shape[1] != d:
            raise NNFitError(f"{path} has shape {X.shape}; the model takes {d} input column(s) ({', '.join(names)})")
        return np.asarray(X, dtype=float)
    try:
        frame = read_csv_frame(path, headerless=True)
    except NNFitError:
        raise
    except UnicodeDecodeError:
        raise NNFitError(f"cannot read {path}: not a text CSV file") from None
    except Exception as exc:  # pandas raises many kinds for a bad file
        raise NNFitError(f"cannot read {path}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if all(n in columns for n in names):
        return numeric_columns(frame, names, str(path))
    if frame.columns.tolist() == [str(j) for j in range(frame.shape[1])]:  # no header: read header=None
        if frame.shape[1] != d:
            raise NNFitError(f"{path} has {frame.shape[1]} column(s) and no header; the model takes {d} "
                             f"input(s) ({', '.join(names)})")
        frame.columns = names
        return numeric_columns(frame, names, str(path))
    missing = [n for n in names if n not in columns]
    raise NNFitError(f"{path} lacks input column(s) {', '.join(missing)} (its columns: "
                     f"{_shown(', '.join(columns))}); name the columns {', '.join(names)}")


def demo_command(
    out: Path = typer.Option(Path("out"), "--out", help="Folder for plots and the metrics table."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Fit the four seed targets with defaults, print one table, write plots per target."""
    import numpy as np
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from nnfit import fit as fitting
    from nnfit import targets
    from nnfit.report import plots

    console = Console()
    check_seed(seed, "--seed")
    check_writable(out)
    table = Table(title=f"nnfit demo: the four seed targets (seed {seed}, held-out points)")
    for name in ("target", "RMSE/std(y)", "max |error|", "R²", "median rel. err", "seconds"):
        table.add_column(name, justify="left" if name == "target" else "right")
    models_used = []
    rows = []
    for label, formula, domain, integer in SEED_TARGETS:
        spec = targets.formula_target(formula, domain, integer)
        with _progress(True, label) as say:
            model = fitting.fit_target(spec, seed=seed, progress=say)
        m, s = model.metrics_, model.summary_
        slug = "".join(c if c.isalnum() else "_" for c in formula).strip("_")
        X_test, Y_test = spec.sample(400 if len(spec.input_names) == 1 else 2500, np.random.default_rng([seed, 3]))
        plots.plot_fit(X_test, Y_test[:, 0], model.predict(X_test), spec.input_names, out / f"{slug}_fit.png")
        plots.plot_residuals(X_test, Y_test[:, 0], model.predict(X_test), spec.input_names, out / f"{slug}_residuals.png")
        model.save(out / f"{slug}.nnfit")
        table.add_row(label, _fmt(m["nrmse"]), _fmt(m["max_abs_error"]), _fmt(m["r2"]), _fmt(m["median_rel_error"]),
                      f"{s['seconds']:.1f}")
        models_used.append(f"{label}: {s['architecture']}; {s['transform']}")
        rows.append({"target": formula, **m, **{k: s[k] for k in ("architecture", "transform", "seconds", "seed")}})
    console.print(table)
    for line in models_used:
        console.print("  " + line, highlight=False)
    atomic_write(out / "demo_metrics.json", json_text(rows) + "\n")
    console.print(f"plots, models and demo_metrics.json written to {escape(str(out))}/")


def _write_report(model: Any, spec: Any, folder: Path, seed: int) -> Path:
    import numpy as np

    from nnfit.report.build import write_model_report

    if spec.is_function:
        X, Y = spec.sample(400 if len(spec.input_names) == 1 else 2500, np.random.default_rng([seed, 3]))
    else:
        X, Y = spec.X, spec.Y
    return write_model_report(model, folder, X, Y[:, 0])


class _progress:
    """A pulsing rich progress bar with the fit's current phase and elapsed time (stderr, terminals only)."""

    def __init__(self, enabled: bool, label: str = "fitting") -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.label = label

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.__enter__()
        task = self.bar.add_task(self.label, total=None)
        return lambda message: self.bar.update(task, description=f"{self.label}: {message}")

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.bar.__exit__(*exc)


def _shown(text: str) -> str:
    """User text in a message: quoted, cut short when long."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.3g}" if 1e-3 <= abs(value) < 1e4 else f"{value:.2e}"
    return str(value)
