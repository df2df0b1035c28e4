"""Fit benchmark: nnfit against fairly tuned peers, on the seed targets or on the DSO development table.

One run, one table: held-out RMSE/std(y) (and max |error| on the seed set) and fit seconds for each
target and method. Every method gets the same training rows, the same thread count (one), and is
scored on the same separately drawn test rows.

    .venv/bin/python bench/fit_bench.py                       # seed targets, all peers
    .venv/bin/python bench/fit_bench.py --quick               # seed targets, no Keras
    .venv/bin/python bench/fit_bench.py --set dso --rows out/dso_rows.jsonl   # the DSO table, rows kept as they finish
    .venv/bin/python bench/fit_bench.py --set dso --only Nguyen-1,Jin-5       # chosen DSO rows
    .venv/bin/python bench/fit_bench.py --set synthetic --nnfit-only   # generated physics-like rows, 1-6 inputs
    .venv/bin/python bench/fit_bench.py --set optimizers      # nnfit's LM against scipy least_squares

Peers, as their best users would run them:
- scikit-learn MLPRegressor: tanh, solver lbfgs, alpha=0, tol=1e-12, max_iter=SKLEARN_MAX_ITER,
  max_fun=SKLEARN_MAX_FUN, inputs and targets standardised; at (64, 64) and at nnfit's chosen widths.
- nnfit itself twice: as it runs by default (an exact read-back formula is carried when one
  reproduces validation to round-off) and with exact_formula=False (the network alone).
- scipy RBFInterpolator: quintic kernel, degree-3 polynomial tail, inputs standardised (not a network:
  the anchor for what scattered-data interpolation reaches on the same rows).
- Keras (seed set only, each seed's own target): the setup the seed's accepted answer recommends,
  with the epochs it states, except seed 3 (reduction stated in the column header).
"""
from __future__ import annotations

import argparse
import ast
import csv
import json
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np

from nnfit import fit as fitting
from nnfit.errors import NNFitError
from nnfit.targets import formula_target

DSO_TABLE = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "dso_benchmarks.csv"
DSO_TRAIN_ROWS = 2000
N_TEST = 4000
SKLEARN_MAX_ITER = 5000
SKLEARN_MAX_FUN = 50000
SEED3_EPOCHS = 20           # the answer's 999 epochs at batch 1 on 999 points is ~1M updates (hours here)


@dataclass
class Case:
    name: str
    formula: str
    domain: dict[str, tuple[float, float]]
    integer: bool = False
    noise: float = 0.0                     # std of Gaussian noise added to training targets
    keras: str = ""                        # the seed whose answer's Keras setup this target belongs to


CASES = [
    Case("10*sin(3x), [0,1]", "10*sin(3*x)", {"x": (0, 1)}, keras="seed1"),
    Case("x^2, [0,1]", "x**2", {"x": (0, 1)}),
    Case("x^2+2x+2, [0,1]", "x**2 + 2*x + 2", {"x": (0, 1)}, keras="seed3"),
    Case("a*b, integers [0,500)^2", "a*b", {"a": (0, 500), "b": (0, 500)}, integer=True, keras="seed4"),
    Case("Runge 1/(1+25x^2), [-1,1]", "1/(1+25*x**2)", {"x": (-1, 1)}),
    Case("exp(-x)cos(5x), [0,2]", "exp(-x)*cos(5*x)", {"x": (0, 2)}),
    Case("sin(x)cos(y), [-2,2]^2", "sin(x)*cos(y)", {"x": (-2, 2), "y": (-2, 2)}),
    Case("exp(-(x^2+y^2)), [-1.5,1.5]^2", "exp(-(x**2+y**2))", {"x": (-1.5, 1.5), "y": (-1.5, 1.5)}),
    Case("x*y+sin(z), [-1,1]^3", "x*y + sin(z)", {"x": (-1, 1), "y": (-1, 1), "z": (-1, 1)}),
    Case("sin(2*pi*x) + noise 0.05, [0,1]", "sin(2*pi*x)", {"x": (0, 1)}, noise=0.05),
]


@dataclass
class Result:
    nrmse: float
    max_error: float
    seconds: float
    note: str = ""


def evaluate(predict: Callable[[np.ndarray], np.ndarray], X_test: np.ndarray, y_test: np.ndarray) -> tuple[float, float]:
    pred = np.asarray(predict(X_test), dtype=float).reshape(-1)
    error = pred - y_test
    if not np.all(np.isfinite(error)):
        return float("inf"), float("inf")
    # in units of the largest |target|: a truth near 1e200 (exp of a product) would overflow when squared
    unit = float(np.max(np.abs(y_test))) or 1.0
    return float(np.sqrt(np.mean((error / unit) ** 2)) / (y_test / unit).std()), float(np.max(np.abs(error)))


# -- methods: each returns (predict, note, extra) ------------------------------------------------
def run_nnfit_table(X: np.ndarray, y: np.ndarray, seed: int, names: list[str], exact_formula: bool = True
                    ) -> tuple[Callable, str, dict]:
    import pandas as pd

    model = fitting.NNFitRegressor(random_state=seed, test_fraction=0.0, exact_formula=exact_formula)
    model.fit(pd.DataFrame(X, columns=names), y)
    return model.predict, _nnfit_note(model), {"hidden": model.summary_.get("hidden")}


def run_nnfit_function(formula: str, domain: dict, integer: bool, seed: int, nonfinite: str = "error"
                       ) -> tuple[Callable, str, dict]:
    model = fitting.fit_function(formula, domain=domain, integer=integer, seed=seed, nonfinite=nonfinite)
    return model.predict, _nnfit_note(model), {"hidden": model.summary_.get("hidden")}


def _nnfit_note(model: Any) -> str:
    s = model.summary_
    note = f"{s['architecture']}; {s.get('n_train', '?')} train rows"
    if s.get("formula"):
        note += f"; formula {s['formula']}"
    return note


def run_sklearn(X: np.ndarray, y: np.ndarray, seed: int, hidden: tuple[int, ...]) -> tuple[Callable, str, dict]:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    mlp = MLPRegressor(hidden_layer_sizes=hidden, activation="tanh", solver="lbfgs", alpha=0.0, tol=1e-12,
                       max_iter=SKLEARN_MAX_ITER, max_fun=SKLEARN_MAX_FUN, random_state=seed)
    regressor = TransformedTargetRegressor(make_pipeline(StandardScaler(), mlp), transformer=StandardScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        regressor.fit(X, y)
    fitted = regressor.regressor_[-1]
    return regressor.predict, f"{hidden} tanh lbfgs, {fitted.n_iter_} iterations", {}


def run_rbf(X: np.ndarray, y: np.ndarray) -> tuple[Callable, str, dict]:
    from scipy.interpolate import RBFInterpolator

    # Repeated rows (an integer grid drawn at random repeats points) make the RBF system singular:
    # each distinct point once, with its mean target, as an RBF user would prepare them.
    X, inverse = np.unique(X, axis=0, return_inverse=True)
    y = np.bincount(inverse.reshape(-1), weights=y) / np.bincount(inverse.reshape(-1))
    mean, scale = X.mean(0), X.std(0)
    scale = np.where(scale > 0, scale, 1.0)
    interpolant = RBFInterpolator((X - mean) / scale, y, kernel="quintic", degree=3)
    return (lambda A: interpolant((A - mean) / scale)), "quintic, degree 3", {}


def run_keras(X: np.ndarray, y: np.ndarray, seed: int, setup: str) -> tuple[Callable, str, dict]:
    """The configuration the accepted answer of each seed recommends (Keras 3, torch backend)."""
    import keras

    keras.utils.set_random_seed(seed)
    d = X.shape[1]
    x_scale = lambda A: A  # noqa: E731
    y_fwd, y_inv = (lambda v: v), (lambda v: v)
    if setup == "seed1":  # answer: drop the width-1 layer, 100 epochs, batch 10 ('sgd', MSE, raw data)
        model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(50, activation="sigmoid"),
                                  keras.layers.Dense(1, activation="linear")])
        model.compile(loss="mean_squared_error", optimizer="sgd")
        epochs, batch, note = 100, 10, "Dense(50,sigmoid)+linear, sgd, 100 epochs, batch 10"
    elif setup == "seed3":  # answer: Adam(0.001), batch 1, 999 epochs (reduced: see SEED3_EPOCHS)
        model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(1, activation=lambda t: t**2),
                                  keras.layers.Dense(1)])
        model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(0.001))
        epochs, batch = SEED3_EPOCHS, 1
        note = f"x**2 neuron + linear, Adam(0.001), batch 1, {SEED3_EPOCHS} epochs (answer: 999)"
    elif setup == "seed4":  # answer: log-normalise inputs and targets; the question's 2-3-5-3-5-1 ReLU net
        model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(3), keras.layers.Dense(5, activation="relu"),
                                  keras.layers.Dense(3, activation="relu"), keras.layers.Dense(5, activation="relu"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mean_squared_error")
        x_scale = lambda A: np.log1p(A)  # noqa: E731
        y_fwd, y_inv = (lambda v: np.log1p(v)), (lambda v: np.expm1(v))
        epochs, batch, note = 10, 10, "2-3-5-3-5-1 ReLU, log1p inputs/targets, adam, 10 epochs, batch 10"
    else:
        raise ValueError(setup)
    model.fit(x_scale(X), y_fwd(y), epochs=epochs, batch_size=batch, verbose=0)
    return (lambda A: y_inv(model.predict(x_scale(A), verbose=0, batch_size=4096)[:, 0])), note, {}


def timed(method: Callable[[], tuple[Callable, str, dict]], X_test: np.ndarray, y_test: np.ndarray
          ) -> tuple[Result, dict]:
    started = time.perf_counter()
    try:
        predict, note, extra = method()
        seconds = time.perf_counter() - started
        nrmse, max_error = evaluate(predict, X_test, y_test)
    except Exception as exc:  # a method that crashes is reported, not fatal
        nrmse, max_error, seconds, note, extra = math.nan, math.nan, time.perf_counter() - started, repr(exc)[:100], {}
    return Result(nrmse, max_error, seconds, note), extra


# -- the DSO development table -------------------------------------------------------------------
@dataclass
class DsoRow:
    name: str
    expression: str            # nnfit formula syntax (div(a, b) rewritten as a / b)
    domain: dict[str, tuple[float, float]]
    skip: str = ""             # why the row is not run


class _DivToSlash(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "div" and len(node.args) == 2:
            return ast.BinOp(left=node.args[0], op=ast.Div(), right=node.args[1])
        return node


def _spec_ranges(spec: dict, names: list[str]) -> dict[str, tuple[float, float]]:
    ranges = {}
    for name in names:
        entry = spec.get(name, spec.get("all"))
        (kind, values), = entry.items()
        ranges[name] = (float(values[0]), float(values[1]))
    return ranges


def dso_rows(path: Path = DSO_TABLE, max_inputs: int = 3) -> list[DsoRow]:
    rows = []
    with open(path, newline="") as handle:
        for record in csv.DictReader(handle):
            n = int(record["variables"])
            if n > max_inputs:
                continue
            names = [f"x{i + 1}" for i in range(n)]
            domain = _spec_ranges(json.loads(record["train_spec"]), names)
            expression = ast.unparse(_DivToSlash().visit(ast.parse(record["expression"], mode="eval")))
            rows.append(DsoRow(record["name"], expression, domain))
    return rows


def dso_data(row: DsoRow, seed: int) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | str:
    """(target, X_train, y_train, X_test, y_test), or the reason the row is skipped."""
    try:
        spec = formula_target(row.expression, row.domain)
    except NNFitError as exc:
        return f"formula not accepted: {exc}"
    # Where the truth is not finite (sqrt or log of a negative), the points are drawn among those where
    # it is, for every method alike: a table of real measurements holds no NaN (as the explain bench does).
    try:
        X, Y = fitting.sample_finite(spec, DSO_TRAIN_ROWS, np.random.default_rng([seed, 1]))
        X_test, Y_test = fitting.sample_finite(spec, N_TEST, np.random.default_rng([seed, 2]))
    except NNFitError as exc:
        return str(exc)
    if np.ptp(Y[:, 0]) == 0:
        return "constant on the range"
    return spec, X, Y[:, 0], X_test, Y_test[:, 0]


# -- a synthetic physics-like development set ----------------------------------------------------
# Shapes of the kind physics formula suites hold, on positive ranges: products and ratios of powers,
# norms, exp/sqrt/trig of ratios, sums of two such terms; 1-6 inputs. Generated, never copied from
# any suite: the exponents, constants and ranges are drawn from SYNTHETIC_SEED (recorded, so that
# every run sees the same rows). A development set like the DSO table: tune on it freely.
SYNTHETIC_SEED = 20261202
SYNTHETIC_ROWS = 24
_EXPONENTS = (-2, -1, -0.5, 0.5, 1, 1.5, 2, 3)


def _synthetic_term(rng: "random.Random", names: list[str]) -> str:
    kind = rng.choice(("power", "power", "norm", "exp_ratio", "cos", "sqrt_ratio"))
    c = round(rng.uniform(0.5, 3.0), 2)
    if kind == "power" or len(names) < 2:
        used = rng.sample(names, rng.randint(1, len(names)))
        return f"{c}*" + "*".join(f"{v}**{rng.choice(_EXPONENTS)}" for v in used)
    a, b = rng.sample(names, 2)
    if kind == "norm":
        return f"{c}*sqrt({a}**2 + {b}**2)"
    if kind == "exp_ratio":
        return f"{c}*exp(-{a}/{b})"
    if kind == "cos":
        return f"{c}*{a}*cos({b})"
    return f"{c}*sqrt({a}/{b})"


def synthetic_rows(seed: int = SYNTHETIC_SEED, count: int = SYNTHETIC_ROWS) -> list[DsoRow]:
    """count generated rows, 1-6 inputs (each count equally often), one or two terms each."""
    import random

    rng = random.Random(seed)
    rows = []
    for index in range(count):
        d = 1 + index % 6
        names = [f"x{i + 1}" for i in range(d)]
        terms = [_synthetic_term(rng, names) for _ in range(rng.choice((1, 1, 2)))]
        unused = [v for v in names if not any(v in t.replace(f"{v}0", "") for t in terms)]  # every input counts
        if unused:
            terms[0] = f"({terms[0]})*" + "*".join(f"{v}**{rng.choice(_EXPONENTS)}" for v in unused)
        domain = {}
        for name in names:
            low = rng.choice((0.5, 1.0, 1.0, 2.0))
            domain[name] = (low, low + rng.choice((1.0, 2.0, 4.0)))
        rows.append(DsoRow(f"synthetic-{index + 1}", " + ".join(terms), domain))
    return rows


DSO_METHODS = ["nnfit table", "nnfit function", "sklearn (64,64)", "sklearn nnfit width", "RBF quintic"]


def run_dso(args: argparse.Namespace) -> int:
    rows = synthetic_rows() if args.set == "synthetic" else dso_rows()
    if args.only:
        wanted = set(args.only.split(","))
        rows = [r for r in rows if r.name in wanted]
    if args.shard:
        # Shard k of n: every n-th row from the k-th (1-based), so shards mix easy and hard rows alike.
        k, n = (int(v) for v in args.shard.split("/"))
        rows = rows[k - 1::n]
    done: dict[str, dict] = {}
    if args.rows and args.resume and Path(args.rows).exists():
        for line in Path(args.rows).read_text().splitlines():
            record = json.loads(line)
            done[record["name"]] = record
    records = []
    for row in rows:
        if row.name in done:
            records.append(done[row.name])
            continue
        data = dso_data(row, args.seed)
        record: dict[str, Any] = {"name": row.name, "inputs": len(row.domain), "expression": row.expression,
                                  "domain": row.domain}
        if isinstance(data, str):
            record["skipped"] = data
            print(f"  {row.name:22s} skipped: {data}", file=sys.stderr, flush=True)
        else:
            spec, X, y, X_test, y_test = data
            names = spec.input_names
            table, extra = timed(lambda: run_nnfit_table(X, y, args.seed, names), X_test, y_test)
            function, _ = timed(lambda: run_nnfit_function(row.expression, row.domain, False, args.seed, "drop"),
                                X_test, y_test)
            results = {"nnfit table": table, "nnfit function": function}
            if not args.nnfit_only:
                width = tuple(extra.get("hidden") or (64, 64))
                results["sklearn (64,64)"] = timed(lambda: run_sklearn(X, y, args.seed, (64, 64)), X_test, y_test)[0]
                results["sklearn nnfit width"] = timed(lambda: run_sklearn(X, y, args.seed, width), X_test, y_test)[0]
                results["RBF quintic"] = timed(lambda: run_rbf(X, y), X_test, y_test)[0]
            record["results"] = {k: v.__dict__ for k, v in results.items()}
            print(f"  {row.name:22s} " + "  ".join(f"{k}: {v.nrmse:.1e} {v.seconds:.1f}s"
                                                   + (f" ({v.note})" if not math.isfinite(v.nrmse) else "")
                                                   for k, v in results.items()), file=sys.stderr, flush=True)
        records.append(record)
        if args.rows:
            Path(args.rows).parent.mkdir(parents=True, exist_ok=True)
            with open(args.rows, "a") as handle:
                handle.write(json.dumps(record) + "\n")
    print_dso_table(records, f"synthetic physics-like rows (seed {SYNTHETIC_SEED})" if args.set == "synthetic"
                    else "DSO rows with <= 3 inputs")
    return 0


def print_dso_table(records: list[dict], label: str = "DSO rows with <= 3 inputs") -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{label}: held-out RMSE/std(y) | fit seconds "
                        f"(table mode: {DSO_TRAIN_ROWS} uniform rows for every method; {N_TEST} test rows; 1 thread; "
                        "where the truth is not finite on the range, every method's points are drawn among the "
                        "finite ones; harmonic(x) = digamma(x+1) + Euler's gamma, the sum 1/k at integers)")
    table.add_column("row")
    table.add_column("d", justify="right")
    for method in DSO_METHODS:
        table.add_column(method, justify="right")
    ran = [r for r in records if "results" in r]
    for r in records:
        if "skipped" in r:
            table.add_row(r["name"], str(r["inputs"]), f"skipped: {r['skipped']}", *[""] * (len(DSO_METHODS) - 1))
            continue
        cells = []
        for method in DSO_METHODS:
            res = r["results"].get(method)
            cells.append(f"{res['nrmse']:.1e} | {res['seconds']:.1f}s" if res else "-")
        table.add_row(r["name"], str(r["inputs"]), *cells)
    for label, subset in (("median, all", ran), ("median, 1 input", [r for r in ran if r["inputs"] == 1]),
                          ("median, 2-3 inputs", [r for r in ran if 1 < r["inputs"] <= 3]),
                          ("median, 4-6 inputs", [r for r in ran if r["inputs"] > 3])):
        if not subset:
            continue
        cells = []
        for method in DSO_METHODS:
            values = [r["results"][method] for r in subset if method in r["results"]]
            if values:
                nrmse = np.median([v["nrmse"] if math.isfinite(v["nrmse"]) else math.inf for v in values])
                seconds = np.median([v["seconds"] for v in values])
                cells.append(f"{nrmse:.1e} | {seconds:.1f}s")
            else:
                cells.append("-")
        table.add_row(label, str(len(subset)), *cells)
    Console(width=220).print(table)
    peers = ("sklearn (64,64)", "sklearn nnfit width")
    # a row where every scikit-learn score is NaN (its RMSE/std overflowed) has nothing to compare with
    compared = [r for r in ran if "sklearn (64,64)" in r["results"]
                and any(math.isfinite(r["results"][m]["nrmse"]) or r["results"][m]["nrmse"] == math.inf for m in peers)]
    uncompared = [r["name"] for r in ran if "sklearn (64,64)" in r["results"] and r not in compared]
    if compared:
        worse = [r["name"] for r in compared
                 if not r["results"]["nnfit table"]["nrmse"] <= np.nanmin([r["results"][m]["nrmse"] for m in peers])]
        print(f"rows run: {len(ran)}, skipped: {len(records) - len(ran)}; nnfit table mode worse than the better "
              f"fair scikit-learn MLP on {len(worse)} of {len(compared)} rows" + (f": {', '.join(worse)}" if worse else "")
              + (f"; not comparable (scikit-learn's score is NaN): {', '.join(uncompared)}" if uncompared else ""))
    slow = [r["name"] for r in ran if max(r["results"][m]["seconds"] for m in ("nnfit table", "nnfit function")) > 60]
    print(f"nnfit fits over 60 s: {len(slow)}" + (f" ({', '.join(slow)})" if slow else ""))
    if not compared:
        print(f"rows run: {len(ran)}, skipped: {len(records) - len(ran)}")
    for method in ("nnfit table", "nnfit function"):
        for label, subset in (("all", ran), ("1 input", [r for r in ran if r["inputs"] == 1]),
                              ("2-3 inputs", [r for r in ran if 1 < r["inputs"] <= 3]),
                              ("4-6 inputs", [r for r in ran if r["inputs"] > 3])):
            values = [r["results"][method] for r in subset]
            if values:
                nrmse = np.median([v["nrmse"] if math.isfinite(v["nrmse"]) else math.inf for v in values])
                seconds = [v["seconds"] for v in values]
                print(f"{method}, {label} ({len(values)} rows): median RMSE/std {nrmse:.1e}, median {np.median(seconds):.1f} s, "
                      f"max {max(seconds):.1f} s")


# -- nnfit's Levenberg-Marquardt against scipy's least_squares on the same network ----------------
OPTIMIZER_CASES = [("exp(-x)*cos(5*x)", {"x": (0, 2)}, (24,)), ("sin(x)*cos(y)", {"x": (-2, 2), "y": (-2, 2)}, (40,)),
                   ("x*y + sin(z)", {"x": (-1, 1), "y": (-1, 1), "z": (-1, 1)}, (48,))]


def run_optimizers(args: argparse.Namespace) -> int:
    """Same data, same Adam warm start, then nnfit LM, scipy 'lm' (MINPACK) and scipy 'trf', each
    with the same cap on steps (scipy: max_nfev function evaluations); validation RMSE/std and seconds."""
    import copy

    import torch
    from scipy.optimize import least_squares

    from nnfit import models, train

    for formula, domain, hidden in OPTIMIZER_CASES:
        spec = formula_target(formula, domain)
        X, Y = spec.sample(2000, np.random.default_rng([args.seed, 1]))
        Z = (X - X.mean(0)) / X.std(0)
        T = (Y - Y.mean()) / Y.std()
        t = lambda a: torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float64)  # noqa: E731
        data = train.Data(t(Z[:1600]), t(T[:1600]), t(Z[1600:]), t(T[1600:]))
        net = models.build_mlp(Z.shape[1], 1, hidden, seed=args.seed)
        train.adam(net, data, steps=600)
        steps = 300
        for name in ("nnfit LM", "scipy lm", "scipy trf"):
            candidate = copy.deepcopy(net)
            started = time.perf_counter()
            if name == "nnfit LM":
                train.levenberg_marquardt(candidate, data, steps=steps, patience=10**9)
            else:
                theta0 = train._flat(candidate).numpy()

                def residuals(theta: np.ndarray) -> np.ndarray:
                    train._set_flat(candidate, torch.as_tensor(theta))
                    with torch.no_grad():
                        return (candidate(data.X) - data.Y).numpy()[:, 0]

                def jacobian(theta: np.ndarray) -> np.ndarray:
                    train._set_flat(candidate, torch.as_tensor(theta))
                    return train._mlp_jacobian(candidate, data.X).numpy()

                solution = least_squares(residuals, theta0, jac=jacobian, method=name.split()[1],
                                         max_nfev=steps, xtol=1e-15, ftol=1e-15,
                                         gtol=1e-15, x_scale="jac")
                train._set_flat(candidate, torch.as_tensor(solution.x))
            seconds = time.perf_counter() - started
            val = math.sqrt(train.mse(candidate, data.X_val, data.Y_val))
            print(f"{formula:18s} {str(hidden):8s} {name:10s} {steps} steps: validation RMSE/std {val:.2e}  {seconds:6.1f}s",
                  flush=True)
    return 0


# -- the seed targets ----------------------------------------------------------------------------
def run_seeds(args: argparse.Namespace) -> int:
    chosen = [CASES[int(i) - 1] for i in args.only.split(",") if i] or CASES
    keras_header = f"keras (seed answer; seed 3 at {SEED3_EPOCHS} of 999 epochs)"
    methods = (["nnfit", "nnfit network only", "sklearn (64,64)", "sklearn nnfit width", "RBF quintic"]
               + ([] if args.quick else [keras_header]))
    rows = []
    for case in chosen:
        spec = formula_target(case.formula, case.domain, case.integer)
        X, Y = spec.sample(fitting.default_samples(len(spec.input_names)), np.random.default_rng([args.seed, 1]))
        X_test, Y_test = spec.sample(N_TEST, np.random.default_rng([args.seed, 2]))
        y_train = Y[:, 0] + case.noise * np.random.default_rng([args.seed, 5]).standard_normal(len(Y))
        y_test = Y_test[:, 0]
        row: dict[str, Any] = {"target": case.name}
        row["nnfit"], extra = timed(lambda: run_nnfit_table(X, y_train, args.seed, spec.input_names), X_test, y_test)
        row["nnfit network only"] = timed(lambda: run_nnfit_table(X, y_train, args.seed, spec.input_names, False),
                                          X_test, y_test)[0]
        width = tuple(extra.get("hidden") or (64, 64))
        row["sklearn (64,64)"] = timed(lambda: run_sklearn(X, y_train, args.seed, (64, 64)), X_test, y_test)[0]
        row["sklearn nnfit width"] = timed(lambda: run_sklearn(X, y_train, args.seed, width), X_test, y_test)[0]
        row["RBF quintic"] = timed(lambda: run_rbf(X, y_train), X_test, y_test)[0]
        if not args.quick:
            row[keras_header] = (timed(lambda: run_keras(X, y_train, args.seed, case.keras), X_test, y_test)[0]
                                 if case.keras else None)
        for name in methods:
            r = row[name]
            if r is not None:
                print(f"  {case.name:34s} {name:24s} RMSE/std {r.nrmse:9.2e}  max {r.max_error:9.2e}  {r.seconds:6.1f}s  "
                      f"{r.note}", file=sys.stderr, flush=True)
        if case.noise:
            row["noise floor"] = case.noise / y_test.std()
        rows.append(row)
    print_seed_table(rows, methods)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump([{k: (v.__dict__ if isinstance(v, Result) else v) for k, v in r.items()} for r in rows],
                      handle, indent=2)
    return 0


def print_seed_table(rows: list[dict[str, Any]], methods: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="held-out RMSE/std(y) | max |error| | fit seconds (1 thread each, same data)")
    table.add_column("target")
    for method in methods:
        table.add_column(method, justify="right")
    table.add_column("nnfit gain vs best sklearn", justify="right")
    for row in rows:
        cells = [row["target"] + (f"\n(noise floor {row['noise floor']:.2e})" if "noise floor" in row else "")]
        for method in methods:
            r = row[method]
            cells.append("-" if r is None else f"{r.nrmse:.2e} | {r.max_error:.1e} | {r.seconds:.1f}s")
        best_sklearn = min(row[m].nrmse for m in methods if m.startswith("sklearn"))
        cells.append(f"{best_sklearn / row['nnfit'].nrmse:.2g}x" if row["nnfit"].nrmse > 0 else "exact")
        table.add_row(*cells)
    Console(width=220).print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("seeds", "dso", "synthetic", "optimizers"), default="seeds",
                        help="synthetic: generated physics-like rows, 1-6 inputs (SYNTHETIC_SEED), run as dso")
    parser.add_argument("--quick", action="store_true", help="seed set: skip Keras")
    parser.add_argument("--only", default="", help="seed set: case numbers (1-based); dso: row names, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="", help="seed set: also write the rows here")
    parser.add_argument("--rows", default="", help="dso: append each finished row to this JSON-lines file")
    parser.add_argument("--resume", action="store_true", help="dso: reuse rows already in --rows")
    parser.add_argument("--nnfit-only", action="store_true", help="dso: skip the peers")
    parser.add_argument("--shard", default="", help="dso: K/N runs every N-th row from the K-th (for parallel "
                        "runs, each with its own --rows file; a run with --resume over their union prints the table)")
    args = parser.parse_args()
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)  # the same for every method: one core each, measured sequentially
    with threadpool_limits(1):
        return {"dso": run_dso, "synthetic": run_dso, "optimizers": run_optimizers, "seeds": run_seeds}[args.set](args)


if __name__ == "__main__":
    sys.exit(main())
