"""Exact read-back: a network whose activations are polynomials is itself a polynomial; expand it.

Seed 3's net, Dense(1, activation=lambda x: x**2) then Dense(1), computes
    w2 * (w1*x + b1)**2 + b2 = (w2*w1**2) x**2 + (2*w2*w1*b1) x + (w2*b1**2 + b2)
and this module returns exactly that polynomial from the trained weights.

The weights are turned into exact rationals (every float is one) and the expansion is done in exact
rational arithmetic, so the coefficients printed are the float64 roundings of the true values the
weights imply, not of an accumulated float computation. Activations are recognised by probing:
an activation (a string name, a Python callable such as `lambda x: x**2`, a torch module) is
evaluated at 25 points and accepted when a polynomial of degree <= 8 reproduces it to rounding
error at 40 other points. Anything else (tanh, relu, ...) raises NotPolynomialError: the network
is not algebraically a formula, and the sparse path (sparse.py) is the one to use.

Weights as arrays follow Keras' convention: a dense layer computes `x @ W + b`, W of shape (n_in, n_out),
which is what `keras_model.get_weights()` returns ([W1, b1, W2, b2, ...]).
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from nnfit.errors import NNFitError

MAX_ACTIVATION_DEGREE = 8
MAX_MONOMIALS = 20000      # refuse to expand a polynomial with more terms than this
_LINEAR_NAMES = {"linear", "identity", "none", ""}


class NotPolynomialError(NNFitError):
    """The network has a non-polynomial activation (or is too large to expand)."""


@dataclasses.dataclass
class Affine:
    """y = x @ weight + bias; weight has shape (n_in, n_out)."""
    weight: np.ndarray
    bias: np.ndarray
    name: str = "dense"


@dataclasses.dataclass
class PolyActivation:
    """Element-wise polynomial: coefficients[k] multiplies z**k (exact rationals)."""
    coefficients: list[sp.Rational]
    name: str = "activation"


Op = Affine | PolyActivation


# ----------------------------------------------------------------------------------------------
# activations


def _evaluate_activation(fn: Any, t: np.ndarray) -> np.ndarray | None:
    """Call an activation on float64 points: numpy first, then a torch tensor."""
    attempts: list[Callable[[], Any]] = [lambda: fn(t.copy())]
    try:
        import torch

        attempts.append(lambda: fn(torch.tensor(t, dtype=torch.float64)))
        attempts.append(lambda: fn(torch.tensor(t, dtype=torch.float32)))
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    for attempt in attempts:
        try:
            with np.errstate(all="ignore"):
                out = attempt()
            if hasattr(out, "detach"):
                out = out.detach().cpu().numpy()
            elif not isinstance(out, np.ndarray):
                try:
                    import keras

                    out = keras.ops.convert_to_numpy(out)
                except Exception:
                    out = np.asarray(out)
            out = np.asarray(out, dtype=np.float64).reshape(t.shape)
            return out
        except Exception:  # noqa: BLE001 - any failure means "try the next calling convention"
            continue
    return None


def _snap(value: float, tol: float = 1e-9) -> sp.Rational:
    """A float coefficient of a probed activation as an exact rational (small denominators preferred)."""
    simple = Fraction(value).limit_denominator(10000)
    if abs(float(simple) - value) <= tol * max(1.0, abs(value)):
        return sp.Rational(simple.numerator, simple.denominator)
    return sp.Rational(value)


def activation_polynomial(activation: Any, max_degree: int = MAX_ACTIVATION_DEGREE) -> list[sp.Rational] | None:
    """Coefficients [c0, c1, ...] when `activation` is a polynomial of degree <= max_degree, else None.

    `activation` may be None / a name ("linear") / a Python callable / a torch module / a Keras activation.
    """
    if activation is None:
        return [sp.Integer(0), sp.Integer(1)]
    if isinstance(activation, str):
        if activation.strip().lower() in _LINEAR_NAMES:
            return [sp.Integer(0), sp.Integer(1)]
        if activation.strip().lower() in {"square"}:
            return [sp.Integer(0), sp.Integer(0), sp.Integer(1)]
        return None  # a named non-linear activation: tanh, relu, sigmoid, ...
    fit_points = np.cos(np.pi * (np.arange(25) + 0.5) / 25) * 3.0           # Chebyshev points on [-3, 3]
    check_points = np.random.default_rng(12345).uniform(-4.0, 4.0, 40)
    f_fit = _evaluate_activation(activation, fit_points)
    f_check = _evaluate_activation(activation, check_points)
    if f_fit is None or f_check is None or not (np.all(np.isfinite(f_fit)) and np.all(np.isfinite(f_check))):
        return None
    # a float32 activation (Keras default) is exact for small integer-coefficient polynomials on these points
    # only to ~1e-7; accept that when the coefficients then snap to simple rationals.
    scale = max(1.0, float(np.max(np.abs(f_check))))
    for degree in range(0, max_degree + 1):
        coef = np.polynomial.polynomial.polyfit(fit_points, f_fit, degree)
        residual = np.max(np.abs(np.polynomial.polynomial.polyval(check_points, coef) - f_check)) / scale
        if residual <= 1e-11:
            return [_snap(float(c)) for c in coef]
        if residual <= 1e-6:  # float32 arithmetic: require simple rational coefficients that fit as well
            snapped = [Fraction(float(c)).limit_denominator(64) for c in coef]
            values = np.polynomial.polynomial.polyval(check_points, [float(s) for s in snapped])
            if np.max(np.abs(values - f_check)) / scale <= 1e-6:
                return [sp.Rational(s.numerator, s.denominator) for s in snapped]
    return None


def _activation_label(activation: Any) -> str:
    if activation is None or isinstance(activation, str):
        return str(activation or "linear")
    name = getattr(activation, "__name__", None) or type(activation).__name__
    return "custom lambda" if name == "<lambda>" else str(name)


def _poly_op(activation: Any, where: str) -> PolyActivation:
    coefficients = activation_polynomial(activation)
    if coefficients is None:
        raise NotPolynomialError(
            f"{where} has activation {_activation_label(activation)!r}, which is not a polynomial: "
            "no exact formula; use the sparse read-back (explain(..., method='sparse'))"
        )
    return PolyActivation(coefficients, name=_activation_label(activation))


# ----------------------------------------------------------------------------------------------
# network -> list of ops


def ops_from_arrays(weights: Sequence[Any], activations: Sequence[Any] | Any = None) -> list[Op]:
    """Keras `get_weights()` layout [W1, b1, W2, b2, ...] (W: (n_in, n_out)) and one activation per layer.

    `activations` may be one activation for every hidden layer (the last layer is then linear),
    or a list with one entry per layer. None means linear.
    """
    arrays = [np.asarray(w, dtype=np.float64) for w in weights]
    if len(arrays) % 2:
        raise NNFitError("weights must alternate kernel and bias arrays: [W1, b1, W2, b2, ...]")
    n_layers = len(arrays) // 2
    if activations is None or isinstance(activations, str) or callable(activations):
        activations = [activations] * (n_layers - 1) + [None]
    activations = list(activations)
    if len(activations) != n_layers:
        raise NNFitError(f"{n_layers} layers but {len(activations)} activations")
    ops: list[Op] = []
    for i in range(n_layers):
        W, b = arrays[2 * i], arrays[2 * i + 1]
        W = W.reshape(W.shape[0], -1) if W.ndim != 1 else W.reshape(1, -1)
        ops.append(Affine(W, b.reshape(-1), name=f"layer {i + 1}"))
        ops.append(_poly_op(activations[i], f"layer {i + 1}"))
    return ops


def ops_from_torch(module: Any) -> list[Op]:
    """A torch nn.Sequential (nested Sequentials flattened) of Linear layers and activation modules."""
    from torch import nn

    def flatten(m: Any) -> list[Any]:
        if isinstance(m, nn.Sequential):
            return [leaf for child in m for leaf in flatten(child)]
        return [m]

    ops: list[Op] = []
    for index, layer in enumerate(flatten(module)):
        if isinstance(layer, nn.Linear):
            W = layer.weight.detach().cpu().double().numpy().T
            b = (layer.bias.detach().cpu().double().numpy() if layer.bias is not None else np.zeros(W.shape[1]))
            ops.append(Affine(W, b, name=f"{index}: Linear"))
        elif isinstance(layer, (nn.Identity, nn.Dropout, nn.Flatten)):
            continue
        else:
            ops.append(_poly_op(layer, f"module {index} ({type(layer).__name__})"))
    if not any(isinstance(op, Affine) for op in ops):
        raise NNFitError("the torch module has no Linear layer to read")
    return ops


def ops_from_keras(model: Any) -> list[Op]:
    """A Keras Sequential/functional model made of Dense (+ Activation, Dropout, InputLayer) layers."""
    ops: list[Op] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("InputLayer", "Dropout", "Flatten"):
            continue
        if kind == "Dense":
            weights = layer.get_weights()
            W = np.asarray(weights[0], dtype=np.float64)
            b = np.asarray(weights[1], dtype=np.float64) if len(weights) > 1 else np.zeros(W.shape[1])
            ops.append(Affine(W, b, name=layer.name))
            ops.append(_poly_op(getattr(layer, "activation", None), f"layer {layer.name!r}"))
        elif kind == "Activation":
            ops.append(_poly_op(layer.activation, f"layer {layer.name!r}"))
        else:
            raise NotPolynomialError(f"layer {layer.name!r} is a {kind}: only Dense/Activation layers can be expanded")
    return ops


def _is_keras(obj: Any) -> bool:
    return any(c.__module__.startswith("keras") for c in type(obj).__mro__) and hasattr(obj, "get_weights")


def network_ops(network: Any, activations: Any = None) -> list[Op]:
    """Dispatch: list of arrays (Keras layout), torch module, or Keras model."""
    if isinstance(network, (list, tuple)) and network and not isinstance(network[0], (Affine, PolyActivation)):
        return ops_from_arrays(network, activations)
    if isinstance(network, (list, tuple)):
        return list(network)
    if _is_keras(network):  # before torch: a Keras 3 model on the torch backend is also an nn.Module
        return ops_from_keras(network)
    try:
        from torch import nn

        if isinstance(network, nn.Module):
            return ops_from_torch(network)
    except ImportError:  # pragma: no cover
        pass
    raise NNFitError(
        f"cannot read weights from a {type(network).__name__}: give a torch nn.Sequential, a Keras model, "
        "or [W1, b1, W2, b2, ...] arrays with activations"
    )


# ----------------------------------------------------------------------------------------------
# expansion


def _n_inputs(ops: list[Op]) -> int:
    for op in ops:
        if isinstance(op, Affine):
            return op.weight.shape[0]
    raise NNFitError("no dense layer")


def expand(ops: list[Op], symbols: Sequence[sp.Symbol]) -> list[sp.Poly]:
    """Push polynomials in `symbols` through the ops, in exact rational arithmetic."""
    gens = list(symbols)
    degree = 1
    for op in ops:
        if isinstance(op, PolyActivation):
            degree *= max(1, len(op.coefficients) - 1)
    if math.comb(len(gens) + degree, degree) > MAX_MONOMIALS:
        raise NotPolynomialError(
            f"the network is a polynomial of degree {degree} in {len(gens)} inputs: too many terms to expand"
        )
    units = [sp.Poly(s, *gens, domain=sp.QQ) for s in gens]
    for op in ops:
        if isinstance(op, Affine):
            if op.weight.shape[0] != len(units):
                raise NNFitError(f"{op.name} expects {op.weight.shape[0]} inputs but receives {len(units)}")
            W = [[sp.Rational(float(w)) for w in row] for row in op.weight]
            new = []
            for j in range(op.weight.shape[1]):
                acc = sp.Poly(sp.Rational(float(op.bias[j])), *gens, domain=sp.QQ)
                for i, unit in enumerate(units):
                    if W[i][j] != 0:
                        acc = acc + unit * W[i][j]
                new.append(acc)
            units = new
        else:
            coefficients = op.coefficients
            if list(coefficients) == [0, 1]:
                continue
            new = []
            for unit in units:
                acc = sp.Poly(0, *gens, domain=sp.QQ)
                power = sp.Poly(1, *gens, domain=sp.QQ)
                for k, c in enumerate(coefficients):
                    if k:
                        power = power * unit
                    if c != 0:
                        acc = acc + power * c
                new.append(acc)
            units = new
    return units


def poly_to_expr(poly: sp.Poly, rational: bool = False) -> sp.Expr:
    """A Poly as a sympy expression with float64 coefficients (or exact rationals)."""
    terms = []
    for monom, coeff in poly.terms():
        c = sp.Rational(coeff) if rational else sp.Float(float(coeff))
        term = c
        for g, e in zip(poly.gens, monom):
            if e:
                term = term * g**e
        terms.append(term)
    return sp.Add(*terms) if terms else sp.Integer(0)


def exact_formula(network: Any, input_names: Sequence[str] | None = None, activations: Any = None,
                  rational: bool = False) -> sp.Expr | list[sp.Expr]:
    """The network as a sympy polynomial (a list for several outputs).

    network: torch nn.Sequential, Keras model, or Keras-layout arrays [W1, b1, ...] with `activations`.
    rational=True keeps the exact rational coefficients instead of their float64 roundings.
    Raises NotPolynomialError when an activation is not a polynomial.
    """
    ops = network_ops(network, activations)
    n = _n_inputs(ops)
    names = list(input_names) if input_names is not None else (["x"] if n == 1 else [f"x{i}" for i in range(n)])
    if len(names) != n:
        raise NNFitError(f"the network has {n} inputs but {len(names)} names were given")
    symbols = [sp.Symbol(name, real=True) for name in names]
    exprs = [poly_to_expr(p, rational) for p in expand(ops, symbols)]
    return exprs[0] if len(exprs) == 1 else exprs


def compose_affine_io(ops: list[Op], x_mean: Sequence[float] | None = None, x_scale: Sequence[float] | None = None,
                      y_mean: Sequence[float] | None = None, y_scale: Sequence[float] | None = None) -> list[Op]:
    """Wrap a network standardised on both sides: x -> (x - mean)/scale -> net -> z*scale + mean."""
    ops = list(ops)
    if x_mean is not None and x_scale is not None:
        x_mean, x_scale = np.asarray(x_mean, float).reshape(-1), np.asarray(x_scale, float).reshape(-1)
        ops.insert(0, Affine(np.diag(1.0 / x_scale), -x_mean / x_scale, name="input scaling"))
    if y_mean is not None and y_scale is not None:
        y_mean, y_scale = np.asarray(y_mean, float).reshape(-1), np.asarray(y_scale, float).reshape(-1)
        ops.append(Affine(np.diag(y_scale), y_mean, name="output scaling"))
    return ops


def polynomial_coefficients(expr: sp.Expr, symbols: Sequence[sp.Symbol] | None = None) -> dict[tuple[int, ...], float]:
    """{exponent tuple: coefficient} of a polynomial expression (e.g. {(2,): 1.0002, (1,): 1.9998, (0,): 2.0})."""
    symbols = list(symbols) if symbols is not None else sorted(expr.free_symbols, key=str)
    poly = sp.Poly(expr, *symbols)
    return {monom: float(coeff) for monom, coeff in poly.terms()}
