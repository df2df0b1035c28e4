"""Formula discovery from data: several searches under one time budget, one honest answer.

Stages, cheapest first, each stopping the run once a formula fits the held-out points to rounding
error:
  1. rational forms (rational.py): P/Q of the inputs, also of y², y³, y⁵, log y, exp y and of log x
  1b. (two or more inputs) sums of products of one-input functions (product.py), numeric and fast
  2. the sparse term library (sparse.py): sums of trig / exp / log terms with fitted inner constants
  3. expression-tree enumeration (search.py): sums of up to three small trees, constants linear
  4. the network as oracle (oracle.py): when a network is at hand (or fitted here), it is probed for
     additive / multiplicative separability and symmetric combinations of inputs; the problem is split
     and each part solved by stages 1-3 on the network's dense slices, then the parts are joined and
     refitted to the data.
Every candidate's remaining floating-point constants are offered simple values (short decimals, small
fractions, multiples of pi) one at a time, each kept only when the held-out error does not worsen.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from nnfit.explain import inner as inner_mod
from nnfit.explain import product as product_mod
from nnfit.explain import rational as rational_mod
from nnfit.explain import search as search_mod
from nnfit.explain import sparse as sparse_mod
from nnfit.explain.sparse import Candidate, node_count, pareto
from nnfit.explain.budget import clock
from nnfit.explain.values import evaluate, simple_values as _simple_values
from nnfit.metrics import rmse as _rmse

# A held-out RMSE at or below this fraction of the target's RMS is rounding error. Read from the DSO
# development table: formulas equal to the truth score 0 to 1e-14 of the RMS (float64 evaluation of
# the same function in a different order); close approximants (high-degree ratios of smooth functions)
# reach 1e-11, structurally wrong short formulas 1e-8 and above.
EXACT_FLOOR = rational_mod.EXACT_FLOOR
# Without an exact formula, the answer is the simplest formula within this factor of the network's own
# held-out error; a formula further off than that is shown only as the closest candidate, never as the
# answer. The measure for misses is a median ratio <= 10; 3 keeps the answer near the network.
APPROXIMATION_FACTOR = 3.0
# CPU seconds at most for the products stage (product.py) in one solve: it took 0.3-1.1 s on the
# 2-3-input DSO rows it recovers (800 read-back rows, 2026-12-04), and a miss must stay cheap.
PRODUCT_SECONDS = 2.0


@dataclasses.dataclass
class Discovery:
    best: Candidate
    candidates: list[Candidate]
    pareto: list[Candidate]
    n_train: int
    n_val: int
    seconds: float
    stages: list[str]
    target_scale: float
    structure: str = ""
    network_rmse: float | None = None    # the oracle network's held-out RMSE on the same points
    network_note: str = ""

    def table(self) -> list[dict[str, Any]]:
        return [c.row() | {"chosen": c is self.best} for c in self.pareto]


def snap_constants(expr: sp.Expr, symbols: Sequence[sp.Symbol], Xva: np.ndarray, yva: np.ndarray,
                   floor: float, deadline: float) -> tuple[sp.Expr, float]:
    """Offer each float a simple value; keep it only if the held-out RMSE stays within the floor or 0.1 %.
    A fraction whose floats do not all become simple is first rescaled (numerator and denominator by one
    common factor, read from the denominator's coefficients), since 0.134/(0.134x² - 0.671x + 1) is
    1/(x² - 5x + 7.45)."""
    snapped, value = _snap_each(expr, symbols, Xva, yva, floor, deadline)
    if not snapped.has(sp.Float) or clock() > deadline:
        return snapped, value
    try:
        num, den = sp.fraction(sp.together(snapped))
        if den == 1 or not den.has(sp.Float):
            return snapped, value
        coeffs = np.array([float(c) for c in sp.Poly(den, *[s for s in symbols if den.has(s)]).coeffs()
                           if c.is_number], dtype=float)
    except (sp.PolynomialError, TypeError, ValueError):
        return snapped, value
    for factor in rational_mod._nice_scale(coeffs)[:4]:
        if clock() > deadline:
            break
        trial = sp.expand(num * factor) / sp.expand(den * factor)
        trial, v = _snap_each(trial, symbols, Xva, yva, floor, deadline)
        if len(trial.atoms(sp.Float)) < len(snapped.atoms(sp.Float)) and v <= max(floor, value * 1.001):
            snapped, value = trial, v
            if not trial.has(sp.Float):
                break
    return snapped, value


def _snap_each(expr: sp.Expr, symbols: Sequence[sp.Symbol], Xva: np.ndarray, yva: np.ndarray,
               floor: float, deadline: float) -> tuple[sp.Expr, float]:
    current = _rmse(evaluate(expr, symbols, Xva), yva)
    base = current
    scale = float(np.sqrt(np.mean(yva**2))) or 1.0
    floats = sorted(expr.atoms(sp.Float), key=lambda f: -abs(float(f)))
    for f in floats:
        if clock() > deadline:
            break
        # a constant far below the target's size may be rounding residue: offer 0 first
        zero = [sp.Integer(0)] if abs(float(f)) <= 1e-6 * scale else []
        for value in zero + _simple_values(float(f)):
            trial = expr.xreplace({f: value})
            v = _rmse(evaluate(trial, symbols, Xva), yva)
            if v <= max(floor, min(base, current) * 1.001):
                expr, current = trial, v
                break
    return expr, current


def _candidate(expr: sp.Expr, symbols, Xtr, ytr, Xva, yva, floor: float, source: str,
               level: int = 0) -> Candidate | None:
    v = _rmse(evaluate(expr, symbols, Xva), yva)
    if not math.isfinite(v):
        return None
    tr = _rmse(evaluate(expr, symbols, Xtr), ytr)
    n_terms = len([a for a in sp.Add.make_args(expr) if a.free_symbols])
    return Candidate(expression=expr, train_rmse=tr, val_rmse=v, complexity=node_count(expr), n_terms=n_terms,
                     level=level, source=source, exact=v <= floor)


def choose(candidates: list[Candidate], floor: float, reference: float | None = None,
           factor: float = 1.0) -> Candidate:
    """Exact: the simplest exact candidate. Otherwise the simplest within `factor` of the reference
    error (the network's) when there is one, else the simplest within 5 % of the best."""
    exact = [c for c in candidates if c.val_rmse <= floor]
    if exact:
        # among exact ones: without raw floats first (sqrt(123)*sqrt(x)/10 over 1.10905365064094*sqrt(x))
        return min(exact, key=lambda c: (c.expression.has(sp.Float), c.complexity, c.val_rmse))
    best = min(c.val_rmse for c in candidates)
    limit = best * 1.05
    if reference is not None and math.isfinite(reference) and reference <= best * 1.05:
        # the network is better than every formula: the simplest formula within factor of it, if any
        limit = max(limit, reference * factor)
    ok = [c for c in candidates if c.val_rmse <= limit]
    return min(ok, key=lambda c: (c.complexity, c.val_rmse))


Progress = Callable[[str], None]


def split(X: np.ndarray, y: np.ndarray, val_fraction: float, seed: int):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    n_val = max(3, int(round(val_fraction * len(X))))
    return X[order[n_val:]], y[order[n_val:]], X[order[:n_val]], y[order[:n_val]]


def make_symbols(names: Sequence[str], X: np.ndarray) -> list[sp.Symbol]:
    """Symbols declared positive where every value is, so that sympy simplifies sqrt(x**2) to x."""
    return [sp.Symbol(n, positive=True) if np.all(X[:, j] > 0) else sp.Symbol(n, real=True)
            for j, n in enumerate(names)]


class _Deadline(BaseException):
    """Raised by the timer when the budget is spent (a BaseException: no stage's `except Exception` eats it)."""


# Under load a CPU-second budget takes longer on the wall clock; past this multiple of the budget the
# search is stopped all the same, so that a user's call always ends. Read from the shared 2-core
# development machine at load averages of 8-14 with nice 10: wall / CPU seconds per search of 4-10
# (DSO bench rows, 2026-12-01); 10x keeps the answer the same up to that load.
WALL_FACTOR = 10.0


@contextlib.contextmanager
def hard_deadline(seconds: float):
    """Stop whatever runs inside when `seconds` CPU seconds of this process have passed (SIGPROF), or
    WALL_FACTOR times that on the wall clock (SIGALRM) -- each timer only where nobody else set it, and
    only in the main thread (elsewhere the searches' own deadline checks are the bound).
    Yields True when the CPU timer is armed."""
    main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    timers = []
    if main:
        for which, signum, limit in ((signal.ITIMER_PROF, signal.SIGPROF, seconds),
                                     (signal.ITIMER_REAL, signal.SIGALRM, WALL_FACTOR * seconds)):
            if signal.getitimer(which)[0] == 0 and signal.getsignal(signum) in (signal.SIG_DFL, signal.SIG_IGN,
                                                                                 None, signal.default_int_handler):
                timers.append((which, signum, limit))
    if not timers:
        yield False
        return

    def handler(signum, frame):
        for which, _, _ in timers:
            signal.setitimer(which, 0)     # one stop is enough
        raise _Deadline

    old = {}
    for which, signum, limit in timers:
        old[signum] = signal.signal(signum, handler)
        signal.setitimer(which, max(0.01, limit))
    try:
        yield any(which == signal.ITIMER_PROF for which, _, _ in timers)
    except _Deadline:
        pass
    finally:
        for which, signum, _ in timers:
            signal.setitimer(which, 0)
            signal.signal(signum, old[signum])


def solve(Xtr: np.ndarray, ytr: np.ndarray, Xva: np.ndarray, yva: np.ndarray, symbols: Sequence[sp.Symbol],
          time_limit: float, progress: Progress | None = None, max_terms: int = 6, max_level: int = 2,
          seed: int = 0, tolerance_floor: float = 0.0, stages: list[str] | None = None,
          trees: bool = True, sink: list[Candidate] | None = None) -> list[Candidate]:
    """Stages 1-3 on one (sub-)problem; stops at the first exact formula (trees=False: 1-2 only).
    sink: the list the candidates are appended to as they are found (kept when the search is stopped)."""
    start = clock()
    deadline = start + time_limit
    scale = float(np.sqrt(np.mean(yva**2))) or 1.0
    floor = max(EXACT_FLOOR * scale, tolerance_floor)
    out: list[Candidate] = sink if sink is not None else []
    stages = stages if stages is not None else []

    def say(text: str) -> None:
        stages.append(text)
        if progress is not None:
            progress(text)

    def add(expr: sp.Expr, source: str, level: int = 0, merge: bool = True) -> None:
        v = _rmse(evaluate(expr, symbols, Xva), yva)
        # constants are made simple only for formulas close to exact: on an approximation the snap
        # changes little and costs a compile per constant
        if expr.has(sp.Float) and v <= 1e4 * floor and len(expr.atoms(sp.Float)) <= 16:
            expr, _ = snap_constants(expr, symbols, Xva, yva, floor, min(deadline, clock() + 5.0))
        c = _candidate(expr, symbols, Xtr, ytr, Xva, yva, floor, source, level)
        if c is not None:
            out.append(c)
            if merge and c.val_rmse <= 1e4 * floor and expr.has(sp.sin) and expr.has(sp.cos):
                # a*sin(u) + b*cos(u) as one shifted sine: the phase may be a simple value
                for merged in inner_mod.merge_phases(expr)[:5]:
                    if clock() < deadline:
                        add(merged, source + ", phases merged", level, merge=False)

    def settled() -> bool:
        # an exact fit whose constants all became simple values ends the search; an exact fit with
        # raw floats may be a close approximant (a Pade-like ratio of a smooth function), so the other
        # searches still run and the simplest exact candidate wins
        return any(c.exact and not c.expression.has(sp.Float) for c in out)

    say("rational forms")
    for fit in rational_mod.rational_search(Xtr, ytr, Xva, yva, symbols,
                                            time_limit=max(0.1 * time_limit, min(3.0, 0.5 * time_limit)),
                                            tolerance_floor=tolerance_floor):
        add(fit.expression, f"rational ({fit.transform}, degrees {fit.degrees[0]}/{fit.degrees[1]})")
    if settled():
        return out
    if Xtr.shape[1] >= 2:
        # sums of products of one-input functions (6 sin(x1) cos(x2), x1**x2, 1.5 exp(x1) + 5 cos(x2)):
        # numeric and fast, so that the term library's longer build is left for what this misses
        say("products of one-input functions")
        try:
            for expr in product_mod.product_search(Xtr, ytr, Xva, yva, symbols,
                                                   max(0.5, min(PRODUCT_SECONDS, 0.3 * time_limit)), floor)[:4]:
                add(expr, "products of one-input functions")
        except Exception as exc:  # noqa: BLE001 - one failing stage must not lose the others' candidates
            say(f"products failed: {type(exc).__name__}")
        if settled():
            return out
    say("term library")
    left = deadline - clock()
    try:
        result = sparse_mod.sparse_fit(Xtr, ytr, [str(s) for s in symbols], X_val=Xva, y_val=yva, seed=seed,
                                       max_terms=max_terms, max_level=max_level,
                                       time_limit=max(1.0, 0.5 * left),
                                       noise_floor=tolerance_floor)
        rebind = {sp.Symbol(str(s), real=True): s for s in symbols}
        for c in result.pareto[:8]:
            add(c.expression.xreplace(rebind), f"term library ({c.source})", c.level)
    except Exception as exc:  # noqa: BLE001 - one failing stage must not lose the others' candidates
        say(f"term library failed: {type(exc).__name__}")
    if settled():
        return out
    left = deadline - clock()
    if left > 1.0 and Xtr.shape[1] <= 3:
        say("inner forms")
        try:
            for expr in inner_mod.inner_search(Xtr, ytr, Xva, yva, symbols, 0.6 * left, floor)[:3]:
                add(expr, "inner form")
        except Exception as exc:  # noqa: BLE001 - one failing stage must not lose the others' candidates
            say(f"inner forms failed: {type(exc).__name__}")
        if settled():
            return out
    left = deadline - clock()
    if trees and left > 1.0 and Xtr.shape[1] <= 3:
        say("expression trees")
        for fit in search_mod.tree_search(Xtr, ytr, Xva, yva, symbols, time_limit=0.8 * left):
            add(fit.expression, f"trees (size {fit.size})")
    return out


@dataclasses.dataclass
class _Run:
    """What the stages have found so far (kept when the search is stopped at its deadline)."""
    candidates: list[Candidate]
    stages: list[str]
    structure: str = ""
    network_rmse: float | None = None
    network_note: str = ""


def _stages(run: _Run, Xtr, ytr, Xva, yva, symbols, time_limit: float, start: float, progress, max_terms: int,
            max_level: int, seed: int, oracle, fit_oracle, floor: float) -> None:
    candidates, stages = run.candidates, run.stages
    n_inputs = Xtr.shape[1]
    # several inputs: leave the oracle (which splits them) a larger share
    with_oracle = oracle is not None or fit_oracle is not None
    share = (0.85 if n_inputs == 1 else 0.55) if with_oracle else 0.95
    # with several inputs and an oracle to come, trees are left to the oracle's one-input parts
    # (on two inputs their sizes stop short of most formulas; the time goes to the split instead)
    solve(Xtr, ytr, Xva, yva, symbols, time_limit * share, progress, max_terms, max_level,
          seed, stages=stages, trees=n_inputs == 1 or not with_oracle, sink=candidates)
    if oracle is None and fit_oracle is not None and not any(c.exact for c in candidates):
        left = time_limit - (clock() - start)
        stages.append("fitting a network as oracle")
        if progress is not None:
            progress("fitting a network as oracle")
        try:
            oracle = fit_oracle(Xtr, ytr, max(3.0, min(8.0, 0.5 * left)))
        except Exception as exc:  # noqa: BLE001 - no oracle: the formulas found so far stand alone
            run.network_note = f"no oracle network ({type(exc).__name__}: {exc})"
            oracle = None
    if oracle is not None:
        run.network_rmse = _rmse(np.asarray(oracle(Xva), float).reshape(-1), yva)
    if (oracle is not None or candidates) and not any(c.exact for c in candidates) and n_inputs >= 2:
        from nnfit.explain import oracle as oracle_mod

        left = time_limit - (clock() - start)
        # the oracle: the network, or the best formula so far when that is the more accurate surrogate
        surrogate = oracle
        closest = min(candidates, key=lambda c: c.val_rmse) if candidates else None
        if closest is not None and (run.network_rmse is None or closest.val_rmse < run.network_rmse):
            expr_fn = closest.expression

            def surrogate(A, _e=expr_fn):
                return evaluate(_e, symbols, A)
        if left > 2.0:
            try:
                found, run.structure = oracle_mod.decompose(surrogate, Xtr, ytr, Xva, yva, symbols, left,
                                                            progress, stages, seed, solve=solve, split=split)
            except Exception as exc:  # noqa: BLE001 - the oracle stage is an extra; keep what was found
                found, run.structure = [], f"oracle stage failed: {type(exc).__name__}"
            for expr, source in found:
                if expr.has(sp.Float):
                    expr, _ = snap_constants(expr, symbols, Xva, yva, floor, clock() + 5.0)
                c = _candidate(expr, symbols, Xtr, ytr, Xva, yva, floor, source)
                if c is not None:
                    candidates.append(c)


def discover(X: np.ndarray, y: np.ndarray, names: Sequence[str], *, X_val: np.ndarray | None = None,
             y_val: np.ndarray | None = None, seed: int = 0, val_fraction: float = 0.3,
             time_limit: float = 60.0, progress: Progress | None = None, max_terms: int = 6,
             max_level: int = 2, oracle: Any = None,
             fit_oracle: Callable[[np.ndarray, np.ndarray, float], Any] | None = None) -> Discovery:
    """Find a formula for y(X).

    oracle: a callable X -> y (e.g. a fitted network's predict) for stage 4 and as the reference error.
    fit_oracle: called as fit_oracle(X_train, y_train, seconds) -> such a callable when no exact formula
        was found by stages 1-3 and no oracle was given (explain() passes a quick NNFitRegressor fit).
    """
    start = clock()
    X = np.asarray(X, float).reshape(len(X), -1)
    y = np.asarray(y, float).reshape(-1)
    if X_val is None:
        Xtr, ytr, Xva, yva = split(X, y, val_fraction, seed)
    else:
        Xtr, ytr = X, y
        Xva, yva = np.asarray(X_val, float).reshape(-1, X.shape[1]), np.asarray(y_val, float).reshape(-1)
    if len(Xtr) > sparse_mod.MAX_TRAIN_ROWS:
        pick = np.random.default_rng(seed).choice(len(Xtr), sparse_mod.MAX_TRAIN_ROWS, replace=False)
        Xtr, ytr = Xtr[pick], ytr[pick]
    symbols = make_symbols(names, np.vstack([Xtr, Xva]))
    scale = float(np.sqrt(np.mean(yva**2))) or 1.0
    floor = EXACT_FLOOR * scale
    stages: list[str] = []
    run = _Run(candidates=[], stages=stages)
    # the budget is a bound: at the limit the search is stopped and answers with what it has found
    with hard_deadline(time_limit) as armed, sparse_mod._one_blas_thread():
        _stages(run, Xtr, ytr, Xva, yva, symbols, time_limit, start, progress, max_terms, max_level, seed,
                oracle, fit_oracle, floor)
    if clock() - start >= time_limit and armed:
        stages.append(f"stopped at the time limit ({time_limit:.3g} s)")
    candidates, structure = run.candidates, run.structure
    network_rmse, network_note = run.network_rmse, run.network_note
    if not candidates:
        mean = float(np.mean(ytr))
        candidates.append(Candidate(sp.Float(mean), _rmse(np.full_like(ytr, mean), ytr),
                                    _rmse(np.full_like(yva, mean), yva), 1, 0, 0, "constant"))
    best = choose(candidates, floor, network_rmse, APPROXIMATION_FACTOR)
    return Discovery(best=best, candidates=candidates, pareto=pareto(candidates), n_train=len(Xtr), n_val=len(Xva),
                     seconds=clock() - start, stages=stages, target_scale=scale, structure=structure,
                     network_rmse=network_rmse, network_note=network_note)
