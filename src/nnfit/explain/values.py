"""Numbers and expressions shared by the read-back's stages: evaluating a sympy formula on rows, and
the simple closed-form values (small fractions, multiples of pi and e) a fitted constant may stand for.
Kept apart from discover.py so that the stages it calls (inner.py) can use them without a cycle."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import sympy as sp


def evaluate(expr: sp.Expr, symbols: Sequence[sp.Symbol], X: np.ndarray) -> np.ndarray:
    try:
        fn = sp.lambdify(list(symbols), expr, modules="numpy")
        with np.errstate(all="ignore"):
            out = np.asarray(fn(*X.T), dtype=float) * np.ones(len(X))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, NameError, KeyError, AttributeError):
        return np.full(len(X), np.nan)
    return out


def simple_values(v: float) -> list[sp.Expr]:
    out: list[sp.Expr] = []
    if abs(v) < 1e-9:
        out.append(sp.Integer(0))
    for digits in (1, 10, 100, 1000):
        r = round(v * digits)
        if r and abs(r - v * digits) <= 1e-6 * max(1.0, abs(v * digits)):
            out.append(sp.Rational(int(r), digits))
            break
    frac = sp.Rational(v).limit_denominator(12)
    if frac != 0 and abs(float(frac) - v) <= 1e-8 * max(1.0, abs(v)):
        out.append(frac)
    # multiples of pi, and of e and 1/e (a prefactor exp(c) left by a fit in log space, c an integer)
    for base, value in ((sp.pi, math.pi), (sp.E, math.e), (1 / sp.E, 1 / math.e)):
        ratio = sp.Rational(v / value).limit_denominator(12)
        if ratio != 0 and abs(float(ratio) * value - v) <= 1e-8 * max(1.0, abs(v)):
            out.append(ratio * base)
    return list(dict.fromkeys(out))
