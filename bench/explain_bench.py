"""Formula read-back benchmark: seed targets and the Nguyen symbolic-regression set.

    .venv/bin/python bench/explain_bench.py                 # sparse read-back from samples (about a minute)
    .venv/bin/python bench/explain_bench.py --networks      # also: fit nnfit networks to the seed targets,
                                                            # read the formula back from the network, time the report
    .venv/bin/python bench/explain_bench.py --json out.json
    .venv/bin/python bench/explain_bench.py --set dso --jobs 2 --out-jsonl dso.jsonl
                                                            # every DSO row with <= 3 inputs except Nguyen's

--set dso: the DSO table (../shared/benchmarks/dso_benchmarks.csv), every row with at most 3 inputs
whose name does not start with "Nguyen-". 1,000 points drawn uniformly on each variable's train range
(an "E" grid spec gives its range), explain(X, y) with its default budget; judged as SRBench judges:
the difference or the ratio of the formula and the truth simplifies (sympy, with a timeout) to a
constant, AND the formula's RMSE on 1,000 separately drawn points on the same range is <= 1e-6 of the
target's standard deviation there. For the simplification an input is declared positive when its range
is, or when it is positive at every point of the row (with the non-finite points dropped, sqrt(x2)
makes x2 > 0 on all of them: the truth is only real there). Every row is in the table and in the count (exact / all rows).
Some rows' formulas are not finite everywhere on their range (sqrt or log of negative values): by
default (--nonfinite drop) the points are drawn on the range and those where the truth is not finite
are dropped, for the training and the held-out points alike, as a user's table holds only real
values; --nonfinite skip reports such rows as skipped instead (still counted as not recovered).
--time-limit is explain()'s budget, counted in CPU seconds of the process (so that the answer does not
depend on what else runs on the machine) and a hard bound: the search is stopped at it and answers
with the best formula found so far (or at 10x the budget on the wall clock, whichever comes first).
The table gives wall seconds; the summary gives CPU and wall seconds.

For each target it prints the recovered formula, whether sympy proves it equal to the truth, and the
largest coefficient error (|polished constant - exact constant| over the constants of the formula,
measured before snapping; "-" when the formula is not the truth).

Nguyen-1..12 are generated here (no download) with their standard domains: Nguyen-1..6 U(-1, 1),
Nguyen-7 U(0, 2), Nguyen-8 U(0, 4), Nguyen-9..12 U(0, 1) per input (the domains used by Petersen et al.
2021). The standard sample size is 20 points; this bench uses --points (default 300) of which 30 % are
held out for validation, because the candidate library has more terms than 20 points can separate.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import sympy as sp

CASES = [
    # name, formula, domain, integer inputs, counted in the 12
    ("seed 3: x^2+2x+2", "x**2 + 2*x + 2", {"x": (0, 1)}, False, True),
    ("seed 1: 10 sin(3x)", "10*sin(3*x)", {"x": (0, 1)}, False, True),
    ("seed 2: x^2", "x**2", {"x": (0, 1)}, False, True),
    ("seed 4: a*b", "a*b", {"a": (0, 500), "b": (0, 500)}, True, True),
    ("Nguyen-1", "x**3 + x**2 + x", {"x": (-1, 1)}, False, True),
    ("Nguyen-2", "x**4 + x**3 + x**2 + x", {"x": (-1, 1)}, False, True),
    ("Nguyen-3", "x**5 + x**4 + x**3 + x**2 + x", {"x": (-1, 1)}, False, True),
    ("Nguyen-4", "x**6 + x**5 + x**4 + x**3 + x**2 + x", {"x": (-1, 1)}, False, True),
    ("Nguyen-5", "sin(x**2)*cos(x) - 1", {"x": (-1, 1)}, False, True),
    ("Nguyen-6", "sin(x) + sin(x + x**2)", {"x": (-1, 1)}, False, True),
    ("Nguyen-7", "log(x + 1) + log(x**2 + 1)", {"x": (0, 2)}, False, True),
    ("Nguyen-8", "sqrt(x)", {"x": (0, 4)}, False, True),
    ("Nguyen-9", "sin(x) + sin(y**2)", {"x": (0, 1), "y": (0, 1)}, False, False),
    ("Nguyen-10", "2*sin(x)*cos(y)", {"x": (0, 1), "y": (0, 1)}, False, False),
    ("Nguyen-11", "x**y", {"x": (0, 1), "y": (0, 1)}, False, False),
    ("Nguyen-12", "x**4 - x**3 + y**2/2 - y", {"x": (0, 1), "y": (0, 1)}, False, False),
]

SEED_NETWORK_CASES = [0, 1, 2, 3]   # indices into CASES: the four seed targets


def sympy_equal(found: sp.Expr, truth: sp.Expr, domain: dict) -> bool:
    """True when sympy proves found == truth (symbols declared positive where the domain is)."""
    subs = {}
    for name, (low, _high) in domain.items():
        subs[name] = sp.Symbol(name, positive=True) if low >= 0 else sp.Symbol(name, real=True)

    def rebind(e: sp.Expr) -> sp.Expr:
        return e.xreplace({s: subs.get(str(s), s) for s in e.free_symbols})

    diff = rebind(found) - rebind(truth)
    if diff.has(sp.Float):
        return False
    for attempt in (sp.simplify, lambda d: sp.simplify(sp.expand_log(d, force=True)),
                    lambda d: sp.simplify(sp.expand_trig(d)), lambda d: sp.powsimp(sp.expand(d), force=True)):
        try:
            if attempt(diff) == 0:
                return True
        except Exception:  # noqa: BLE001 - a simplification that fails proves nothing
            continue
    return False


def run_sparse(points: int, seed: int, only: list[str] | None) -> list[dict]:
    from nnfit.explain import sparse_fit
    from nnfit.targets import formula_target

    rows = []
    for name, formula, domain, integer, counted in CASES:
        if only and not any(o.lower() in name.lower() for o in only):
            continue
        target = formula_target(formula, domain, integer)
        X, Y = target.sample(points, np.random.default_rng(seed))
        start = time.perf_counter()
        result = sparse_fit(X, Y[:, 0], target.input_names, seed=seed)
        seconds = time.perf_counter() - start
        best = result.best
        equal = sympy_equal(best.expression, target.expression, domain)
        rows.append({
            "case": name, "truth": formula, "recovered": str(best.expression), "sympy_equal": equal,
            "max_coef_error": best.snap_shift if equal else None, "val_rmse": best.val_rmse,
            "seconds": round(seconds, 2), "counted": counted,
        })
        print(f"{name:20s} {'yes' if equal else 'NO ':3s}  coef err {_fmt(rows[-1]['max_coef_error']):>8s}  "
              f"val RMSE {best.val_rmse:8.1e}  {seconds:5.1f}s  {best.expression}", flush=True)
    return rows


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.1e}"


def seed3_weights() -> dict:
    """The answer's printed weights, read back with nnfit's exact path, beside the answer's arithmetic."""
    from nnfit.explain import exact_formula, polynomial_coefficients

    w1, b1, w2, b2 = -1.3284513, -1.328055, 0.5667597, 1.0003909
    expr = exact_formula([np.array([[w1]]), np.array([b1]), np.array([[w2]]), np.array([b2])],
                         activations=[lambda z: z**2, None])
    coef = polynomial_coefficients(expr)
    answer = {(2,): 1.0002078022990382, (1,): 1.9998188460235597, (0,): 2.000002032736224}
    errors = {str(k): abs(coef[k] - v) for k, v in answer.items()}
    print(f"\nseed 3 answer weights -> {expr}")
    print("  |nnfit - answer| per coefficient (x^2, x, 1): " + ", ".join(f"{e:.1e}" for e in errors.values()))
    return {"formula": str(expr), "abs_error_vs_answer": errors}


def run_networks(seed: int, out_dir: str) -> list[dict]:
    """Fit nnfit networks to the four seed targets, read the formula back from each network, time the report."""
    import torch

    from nnfit.explain import explain
    from nnfit.fit import fit_function
    from nnfit.report import write_model_report
    from nnfit.targets import formula_target

    torch.set_num_threads(1)
    rows = []
    print("\nfrom fitted networks (formula fitted to the network's predictions, checked against the truth):")
    for index in SEED_NETWORK_CASES:
        name, formula, domain, integer, _ = CASES[index]
        start = time.perf_counter()
        model = fit_function(formula, domain=domain, integer=integer, seed=seed, max_seconds=30)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        result = explain(model, seed=seed)
        explain_seconds = time.perf_counter() - start
        equal = sympy_equal(result.expression, sp.sympify(formula, locals={k: sp.Symbol(k) for k in domain}), domain)
        target = formula_target(formula, domain, integer)
        X, Y = target.sample(1000, np.random.default_rng(seed + 7))
        start = time.perf_counter()
        path = write_model_report(model, os.path.join(out_dir, name.split(":")[0].replace(" ", "")), X=X, y=Y[:, 0])
        report_seconds = time.perf_counter() - start
        rows.append({"case": name, "recovered": str(result.expression), "sympy_equal": equal,
                     "formula_rmse": result.formula_rmse, "network_rmse": result.network_rmse,
                     "label": result.label, "fit_seconds": round(fit_seconds, 1),
                     "explain_seconds": round(explain_seconds, 2), "report_seconds": round(report_seconds, 2),
                     "report": str(path)})
        print(f"{name:20s} {'yes' if equal else 'NO ':3s}  formula {_fmt(result.formula_rmse)} network "
              f"{_fmt(result.network_rmse)}  explain {explain_seconds:4.1f}s  report {report_seconds:4.1f}s  "
              f"{result.expression}", flush=True)
    return rows


# ----------------------------------------------------------------------------------------------
# the DSO table

DSO_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "benchmarks",
                       "dso_benchmarks.csv")


def _dso_expr(text: str) -> sp.Expr:
    """The table's NumPy-syntax expression as sympy, from its syntax tree (nothing is evaluated);
    decimals become exact rationals, so that the truth's 2.01 is 201/100."""
    import ast

    x = {f"x{i}": sp.Symbol(f"x{i}", real=True) for i in range(1, 10)}
    calls = {"div": lambda a, b: a / b, "pow": lambda a, b: a**b, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
             "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "harmonic": sp.harmonic, "tanh": sp.tanh}
    ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b}

    def build(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return sp.Rational(repr(node.value)) if isinstance(node.value, float) else sp.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id == "pi":
                return sp.pi
            return x[node.id]
        if isinstance(node, ast.BinOp):
            return ops[type(node.op)](build(node.left), build(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -build(node.operand)
        if isinstance(node, ast.Call):
            return calls[node.func.id](*[build(a) for a in node.args])
        raise ValueError(f"unsupported syntax {ast.dump(node)[:40]}")

    return build(ast.parse(text.strip(), mode="eval").body)


def _dso_ranges(spec_text: str, n_vars: int) -> list[tuple[float, float]]:
    spec = json.loads(spec_text)
    ranges = []
    for i in range(1, n_vars + 1):
        entry = spec.get(f"x{i}", spec.get("all"))
        (kind, values), = entry.items()
        ranges.append((float(values[0]), float(values[1])))
    return ranges


def _truth_fn(expr: sp.Expr, symbols: list[sp.Symbol]):
    from scipy.special import digamma

    harmonic = {"harmonic": lambda z: digamma(z + 1) + np.euler_gamma}
    return sp.lambdify(symbols, expr, modules=[harmonic, "numpy"])


def dso_rows(csv_path: str) -> list[dict]:
    import csv

    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r for r in rows if int(r["variables"]) <= 3 and not r["name"].startswith("Nguyen-")]


class _Timeout(Exception):
    pass


def _with_timeout(seconds: float, fn, *args):
    import signal

    def handler(signum, frame):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _rationalise(expr: sp.Expr) -> sp.Expr:
    """Floats left in a formula as exact decimals of 12 significant digits (SRBench rounds them too)."""
    return expr.xreplace({f: sp.Rational(f"{float(f):.12g}") for f in expr.atoms(sp.Float)})


def srbench_equal(found: sp.Expr, truth: sp.Expr, ranges: list[tuple[float, float]], timeout: float = 20.0,
                  positive: list[bool] | None = None) -> str:
    """'yes' when found - truth or found / truth simplifies to a constant, 'no', or 'timeout'.
    An input is declared positive when its range is, or (positive[i]) when it is positive at every point
    of the row (train and held-out): with non-finite points dropped, that is where the truth is real."""
    subs = {}
    for i, (low, _) in enumerate(ranges, start=1):
        pos = low >= 0 or bool(positive and positive[i - 1])
        subs[f"x{i}"] = sp.Symbol(f"x{i}", positive=True) if pos else sp.Symbol(f"x{i}", real=True)

    def rebind(e):
        return e.xreplace({s: subs.get(str(s), s) for s in e.free_symbols})

    f, t = rebind(_rationalise(found)), rebind(truth)

    def constant(e) -> bool:
        for attempt in (sp.simplify, lambda d: sp.simplify(sp.expand_log(sp.expand(d), force=True)),
                        lambda d: sp.simplify(sp.powsimp(sp.expand_trig(d), force=True))):
            r = attempt(e)
            if not r.free_symbols:
                return True
        return False

    try:
        if _with_timeout(timeout / 2, constant, f - t):
            return "yes"
        if _with_timeout(timeout / 2, constant, f / t):
            return "yes"
    except _Timeout:
        return "timeout"
    except Exception:  # noqa: BLE001 - a simplification that fails proves nothing
        return "no"
    return "no"


def _finite_draw(fn, ranges, count: int, rng: np.random.Generator):
    """`count` points drawn uniformly on the ranges among those where fn is finite (None if under 5 % are),
    and how many drawn points were dropped on the way."""
    X = np.column_stack([rng.uniform(lo, hi, 20 * count) for lo, hi in ranges])
    with np.errstate(all="ignore"):
        y = np.asarray(fn(*X.T), dtype=float) * np.ones(len(X))
    keep = np.flatnonzero(np.isfinite(y))
    if len(keep) < count:
        return None, None, 0
    keep = keep[:count]
    return X[keep], y[keep], int(keep[-1] + 1 - count)


def run_dso_row(row: dict, seed: int, points: int, time_limit: float, nonfinite: str = "skip") -> dict:
    from nnfit.explain import explain

    n = int(row["variables"])
    names = [f"x{i}" for i in range(1, n + 1)]
    symbols = [sp.Symbol(s, real=True) for s in names]
    out = {"case": row["name"], "truth": row["expression"], "inputs": n}
    truth = _dso_expr(row["expression"])
    ranges = _dso_ranges(row["train_spec"], n)
    out["range"] = ranges
    fn = _truth_fn(truth, symbols)
    rng = np.random.default_rng(seed)
    if nonfinite == "drop":
        # A user's table holds only real values: draw on the range and keep the points where the formula is finite.
        X, y, dropped = _finite_draw(fn, ranges, points, rng)
        Xt, yt, dropped_t = _finite_draw(fn, ranges, 1000, rng)
        if X is None or Xt is None:
            out.update(status="skipped", reason="finite at under 5 % of the points drawn on the range")
            return out
        if dropped or dropped_t:
            out["nonfinite"] = "dropped"
    else:
        X = np.column_stack([rng.uniform(lo, hi, points) for lo, hi in ranges])
        Xt = np.column_stack([rng.uniform(lo, hi, 1000) for lo, hi in ranges])
        with np.errstate(all="ignore"):
            y = np.asarray(fn(*X.T), dtype=float) * np.ones(len(X))
            yt = np.asarray(fn(*Xt.T), dtype=float) * np.ones(len(Xt))
        bad = int(np.sum(~np.isfinite(y)) + np.sum(~np.isfinite(yt)))
        if bad:
            out.update(status="skipped", reason=f"not finite on the range at {bad} of {points + 1000} points")
            return out
    start, start_cpu = time.perf_counter(), time.process_time()
    result = explain(X, y, input_names=names, seed=seed, time_limit=time_limit)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - start_cpu
    pred = result.predict(Xt)
    test_rmse = float(np.sqrt(np.mean((pred - yt) ** 2))) if np.all(np.isfinite(pred)) else float("inf")
    spread = float(np.std(yt))
    numeric_ok = test_rmse <= 1e-6 * spread
    positive = [bool(np.all(X[:, j] > 0) and np.all(Xt[:, j] > 0)) for j in range(n)]
    symbolic = srbench_equal(result.expression, truth, ranges, positive=positive) if numeric_ok else "not tried"
    out.update(status="exact" if (numeric_ok and symbolic == "yes") else "miss", formula=str(result.expression),
               label=result.label, exact_flag=bool(getattr(result, "exact", False)), seconds=round(seconds, 2),
               cpu_seconds=round(cpu_seconds, 2),
               test_rmse=test_rmse, spread=spread, test_rmse_rel=test_rmse / spread if spread else None,
               formula_rmse=result.formula_rmse, network_rmse=result.network_rmse, symbolic=symbolic,
               ratio=(result.formula_rmse / result.network_rmse
                      if result.network_rmse and result.formula_rmse is not None else None))
    return out


def _dso_worker(args):
    row, seed, points, time_limit, nonfinite = args
    try:
        return run_dso_row(row, seed, points, time_limit, nonfinite)
    except Exception as exc:  # noqa: BLE001 - one failing row is reported, never stops the table
        return {"case": row["name"], "truth": row["expression"], "status": "error",
                "reason": f"{type(exc).__name__}: {exc}"[:200]}


def run_dso(args) -> int:
    import multiprocessing

    rows = dso_rows(args.dso_csv)
    if args.only:
        rows = [r for r in rows if any(o.lower() == r["name"].lower() or
                                       (o.endswith("*") and r["name"].lower().startswith(o[:-1].lower()))
                                       for o in args.only)]
    done = {}
    if args.out_jsonl and args.resume and os.path.exists(args.out_jsonl):
        with open(args.out_jsonl) as handle:
            for line in handle:
                rec = json.loads(line)
                done[rec["case"]] = rec
    todo = [r for r in rows if r["name"] not in done]
    print(f"DSO rows with <= 3 inputs, Nguyen's excluded: {len(rows)}; {points_text(args)}; seed {args.seed}; "
          f"time budget {args.time_limit:g} CPU s per formula; {args.jobs} job(s); points where the truth is not "
          f"finite: {'dropped (train and held-out)' if args.nonfinite == 'drop' else 'row skipped'}", flush=True)
    import nnfit.explain.discover  # noqa: F401 - loaded before forking: every worker runs the same code
    import nnfit.explain.oracle  # noqa: F401
    import nnfit.explain.api  # noqa: F401

    sink = open(args.out_jsonl, "a") if args.out_jsonl else None
    results = list(done.values())
    work = [(r, args.seed, args.points, args.time_limit, args.nonfinite) for r in todo]
    context = multiprocessing.get_context("fork")
    with context.Pool(args.jobs, maxtasksperchild=1) as pool:
        for rec in pool.imap_unordered(_dso_worker, work):
            results.append(rec)
            if sink:
                sink.write(json.dumps(rec, default=str) + "\n")
                sink.flush()
            print(_dso_line(rec), flush=True)
    if sink:
        sink.close()
    order = {r["name"]: i for i, r in enumerate(rows)}
    results = [r for r in results if r["case"] in order]
    results.sort(key=lambda r: order[r["case"]])
    print("\n| row | inputs | result | s | held-out RMSE / spread | formula err / network err | formula |")
    print("|---|---:|---|---:|---:|---:|---|")
    for r in results:
        print(_dso_md(r))
    return _dso_summary(results, args)


def points_text(args) -> str:
    return f"{args.points} points uniform on the train range"


def _dso_line(r: dict) -> str:
    if r["status"] in ("skipped", "error"):
        return f"{r['case']:22s} {r['status']:7s} {r.get('reason', '')}"
    return (f"{r['case']:22s} {r['status']:7s} {r['seconds']:6.1f}s  rel {r['test_rmse_rel'] or 0:8.1e}  "
            f"ratio {_fmt(r.get('ratio'))}  {r['formula'][:100]}")


def _dso_md(r: dict) -> str:
    if r["status"] in ("skipped", "error"):
        return f"| {r['case']} | {r.get('inputs', '')} | {r['status']}: {r.get('reason', '')} | | | | |"
    formula = r["formula"] if len(r["formula"]) <= 120 else r["formula"][:117] + "..."
    return (f"| {r['case']} | {r['inputs']} | {r['status']} | {r['seconds']:.1f} | {_fmt(r['test_rmse_rel'])} | "
            f"{_fmt(r.get('ratio'))} | `{formula}` |")


def _dso_summary(results: list[dict], args) -> int:
    ran = [r for r in results if r["status"] in ("exact", "miss")]
    skipped = [r for r in results if r["status"] == "skipped"]
    errors = [r for r in results if r["status"] == "error"]
    exact = [r for r in ran if r["status"] == "exact"]
    misses = [r for r in ran if r["status"] == "miss"]
    secs = sorted(r["seconds"] for r in ran)
    cpu = sorted(r["cpu_seconds"] for r in ran if "cpu_seconds" in r)
    ratios = [r["ratio"] for r in misses if r.get("ratio") is not None and math.isfinite(r["ratio"])]
    median_s = float(np.median(secs)) if secs else float("nan")
    median_ratio = float(np.median(ratios)) if ratios else float("nan")
    total = len(results)
    dropped = [r for r in ran if r.get("nonfinite") == "dropped"]
    finite = [r for r in ran if r.get("nonfinite") != "dropped"]
    print(f"\nexact: {len(exact)}/{total} ({100 * len(exact) / max(total, 1):.1f} %) of all rows; "
          f"{sum(r['status'] == 'exact' for r in finite)}/{len(finite)} of the rows finite on their range, "
          f"{sum(r['status'] == 'exact' for r in dropped)}/{len(dropped)} of those run on the points where the "
          f"truth is finite; skipped: {len(skipped)}; errors: {len(errors)}")
    if cpu:
        print(f"CPU seconds per formula (the budget's clock): median {float(np.median(cpu)):.1f}, max {max(cpu):.1f}")
    print(f"median wall seconds per formula: {median_s:.1f} (max {max(secs) if secs else float('nan'):.1f}); "
          f"misses: {len(misses)}, median formula/network error ratio {median_ratio:.3g} "
          f"(over {len(ratios)} with a network)")
    # the 30 s target is read on the budget's clock (CPU seconds: what an idle 2-core machine's wall
    # clock would show for one row at a time); wall seconds of a loaded machine are printed beside it
    median_gate = float(np.median(cpu)) if cpu else median_s
    return 0 if (len(exact) >= 0.75 * max(total, 1) and median_gate <= 30) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["default", "dso"], default="default",
                        help="default: seed targets + Nguyen-1..12; dso: the DSO table's rows with <= 3 inputs")
    parser.add_argument("--dso-csv", default=DSO_CSV)
    parser.add_argument("--jobs", type=int, default=1, help="--set dso: rows run at once (one process each)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="--set dso: explain()'s budget per row, CPU seconds")
    parser.add_argument("--out-jsonl", help="--set dso: append each row's result here as it finishes")
    parser.add_argument("--resume", action="store_true", help="--set dso: skip rows already in --out-jsonl")
    parser.add_argument("--nonfinite", choices=["skip", "drop"], default="drop",
                        help="--set dso: a row whose formula is not finite everywhere on its range is run on the "
                             "points where it is finite (drop, the default: as a user's table would hold), or "
                             "skipped (counted as not recovered)")
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="run only cases whose name contains one of these")
    parser.add_argument("--networks", action="store_true", help="also fit networks to the seed targets")
    parser.add_argument("--out", default="bench-out/explain", help="report folder for --networks")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    if args.set == "dso":
        if args.points == 300:
            args.points = 1000
        return run_dso(args)
    print(f"sparse read-back from {args.points} samples per target (seed {args.seed}):")
    print(f"{'case':20s} {'eq':3s}  {'':9s}{'':8s}  {'':18s}")
    rows = run_sparse(args.points, args.seed, args.only)
    counted = [r for r in rows if r["counted"]]
    exact_counted = sum(r["sympy_equal"] for r in counted)
    errors = [r["max_coef_error"] for r in rows if r["sympy_equal"]]
    print(f"\nexact (sympy-equal) on {exact_counted}/{len(counted)} of the issue's 12 (4 seed targets + Nguyen-1..8), "
          f"{sum(r['sympy_equal'] for r in rows)}/{len(rows)} of all; largest coefficient error where recovered: "
          f"{max(errors) if errors else float('nan'):.1e}; total {sum(r['seconds'] for r in rows):.1f}s")
    result = {"points": args.points, "seed": args.seed, "sparse": rows, "seed3_weights": seed3_weights()}
    if args.networks:
        result["networks"] = run_networks(args.seed, args.out)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=2, default=str)
    ok = exact_counted >= 10 and all(e <= 1e-8 for e in errors)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
