"""Targets: a formula string (parsed safely), a Python callable, or a table -> sampled data.

A formula is untrusted text. It is parsed with Python's `ast` into a tree, every node is checked
against a whitelist (numbers, variable names, arithmetic, calls of known functions), and the sympy
expression is built from that tree directly: nothing in the string is ever evaluated. sympy's own
work is bounded too: after every node, each number it holds must fit a float64 (sympy keeps exact
integers: 9**9**7 would have 4.5 million digits), a power or gamma is refused before sympy computes
it, and reading the whole formula has a time limit.
"""
from __future__ import annotations

import ast
import csv
import dataclasses
import functools
import math
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from nnfit.errors import DataError, FormulaError, NNFitError

MAX_FORMULA_LENGTH = 2000
MAX_FORMULA_DEPTH = 60
MAX_BUILD_SECONDS = 2.0      # reading a 2000-character formula takes milliseconds; past this, refuse
MAX_EXPONENT = 1000          # no smooth target a network can fit needs a larger power
# float64 is finite up to 1.8e308 (2**1024): a larger intermediate number, exact in sympy, becomes
# inf or an OverflowError in numpy. These three bounds are float64's range, not tuned values.
MAX_DECADES = 308
FLOAT64_MAX_INTEGER = int(sys.float_info.max)
MAX_GAMMA_ARGUMENT = 171     # gamma(171.6) is float64's largest; sympy computes gamma(n) as (n-1)! exactly

FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
    "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "Abs": sp.Abs,
    "sign": sp.sign, "floor": sp.floor, "ceil": sp.ceiling, "erf": sp.erf, "gamma": sp.gamma,
    "digamma": sp.digamma,
    # harmonic(n) = 1 + 1/2 + ... + 1/n at integers; between them its smooth continuation digamma(x+1) + γ
    # (sympy's own harmonic has no array form, and the continuation is what a fit can reproduce).
    "harmonic": lambda z: sp.digamma(z + 1) + sp.EulerGamma,
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
    "log10": lambda z: sp.log(z, 10), "log2": lambda z: sp.log(z, 2),
    "atan2": sp.atan2, "min": sp.Min, "max": sp.Max, "pow": sp.Pow,
}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E, "E": sp.E}
_BINARY = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b,
    ast.Mod: lambda a, b: sp.Mod(a, b),
}


def parse_formula(text: str) -> sp.Expr:
    """Parse an arithmetic formula into a sympy expression without evaluating any of it.

    >>> parse_formula("10*sin(3*x)")
    10*sin(3*x)
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be a string, got {type(text).__name__}")
    source = text.strip()
    if not source:
        raise FormulaError("the formula is empty")
    if len(source) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"the formula is {len(source)} characters long; at most {MAX_FORMULA_LENGTH} are accepted")
    if "\x00" in source:
        raise FormulaError("the formula holds a NUL character")
    if "=" in source and "==" not in source:  # "y = x**2": take the right-hand side
        left, _, right = source.partition("=")
        if left.strip().isidentifier():
            source = right.strip()
    source = source.replace("^", "**")  # x^2 means x**2 here (ast's ^ would bind looser than +)
    try:
        with warnings.catch_warnings():  # Python's warnings about odd literals ("1if x"): the error says it
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"cannot parse formula {_shown(text)}: {exc.msg} at column {exc.offset}") from None
    except (ValueError, RecursionError, MemoryError):  # e.g. a NUL byte, or nesting past the parser's limits
        raise FormulaError(f"cannot parse formula {_shown(text)}") from None
    try:
        expr = _build(tree.body, depth=0, deadline=time.perf_counter() + MAX_BUILD_SECONDS)
    except RecursionError:
        raise FormulaError("the formula is nested too deeply") from None
    if not isinstance(expr, sp.Expr):
        raise FormulaError(f"formula {_shown(text)} is not an arithmetic expression")
    return _finite(expr)


def _shown(text: str) -> str:
    """The user's formula for an error message: quoted, and cut short when long."""
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _build(node: ast.AST, depth: int, deadline: float) -> sp.Expr:
    """The sympy expression of one vetted node; every result is bounded by `_bounded` before use."""
    if depth > MAX_FORMULA_DEPTH:
        raise FormulaError("the formula is nested too deeply")
    if time.perf_counter() > deadline:
        raise FormulaError(f"the formula took more than {MAX_BUILD_SECONDS:g} s to read; simplify it")
    try:
        return _bounded(_node_expr(node, depth, deadline))
    except (ZeroDivisionError, ArithmeticError, TypeError, ValueError) as exc:
        if isinstance(exc, NNFitError):
            raise
        raise FormulaError(f"cannot evaluate {ast.unparse(node)[:60]!r} in the formula ({type(exc).__name__})") from None


def _node_expr(node: ast.AST, depth: int, deadline: float) -> sp.Expr:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"only numbers are allowed as constants, not {repr(node.value)[:60]}")
        if isinstance(node.value, int) and abs(node.value) > 10**30:
            raise FormulaError("a number in the formula is too large")
        if isinstance(node.value, float) and not math.isfinite(node.value):
            raise FormulaError("a number in the formula is too large for float64")
        return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise FormulaError(f"{node.id!r} is a function; call it, e.g. {node.id}(x)")
        if node.id.startswith("_"):
            raise FormulaError(f"variable names may not start with '_': {node.id!r}")
        return sp.Symbol(node.id, real=True)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _finite(_build(node.left, depth + 1, deadline)), _finite(_build(node.right, depth + 1, deadline))
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand, depth + 1, deadline)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)[:60]
            raise FormulaError(f"unknown function {name!r}; allowed: {', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise FormulaError(f"{node.func.id}() takes no keyword arguments here")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise FormulaError(f"{node.func.id}() takes plain arguments here, not *args")
        args = [_finite(_build(arg, depth + 1, deadline)) for arg in node.args]
        if node.func.id in ("min", "max") and not args:
            raise FormulaError(f"{node.func.id}() needs at least one argument")
        if node.func.id == "pow" and len(args) == 2:
            _check_power(*args)  # pow(a, b) is a**b: the same bounds
        if node.func.id == "gamma" and len(args) == 1 and args[0].is_number and _magnitude(args[0]) > MAX_GAMMA_ARGUMENT:
            raise FormulaError(f"gamma of a number above {MAX_GAMMA_ARGUMENT} overflows float64")
        try:
            return FUNCTIONS[node.func.id](*args)
        except TypeError:
            raise FormulaError(f"wrong number of arguments to {node.func.id}()") from None
    described = {
        ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "lambda",
        ast.Compare: "comparison", ast.BoolOp: "boolean operator", ast.IfExp: "if-expression",
        ast.ListComp: "comprehension", ast.GeneratorExp: "generator", ast.List: "list", ast.Tuple: "tuple",
        ast.Dict: "dict", ast.Set: "set", ast.JoinedStr: "f-string", ast.NamedExpr: "assignment",
        ast.Starred: "starred expression", ast.Await: "await",
    }.get(type(node), type(node).__name__)
    raise FormulaError(f"{described} is not allowed in a formula ({ast.unparse(node)[:60]!r})")


def _finite(value: sp.Expr) -> sp.Expr:
    """A constant sub-expression must be a finite real float64 before sympy works on it: sympy's
    functions evaluate constant arguments in arbitrary precision (floor(exp(exp(100))) runs for hours)."""
    if isinstance(value, sp.Expr) and value.is_number and not value.is_Number and _magnitude(value) == math.inf:
        raise FormulaError(f"the constant {_shown(str(value))} in the formula is not a finite real float64 number")
    return value


@functools.lru_cache(maxsize=1024)
def _magnitude(value: sp.Expr) -> float:
    """|value| of a numeric sympy expression, computed in float64 (never by sympy's arbitrary-precision
    evalf, which can run for hours on exp(exp(exp(100)))); inf when it is beyond float64 or not real."""
    try:
        if value.is_Number:
            magnitude = abs(float(value))
        else:
            magnitude = abs(float(sp.lambdify([], value, modules="math")()))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError, NameError):
        return math.inf
    return magnitude if math.isfinite(magnitude) else math.inf


def _check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse a power before sympy computes it: an integer power is computed exactly (9**9**7 has
    4.5 million digits), so the exponent and the size of the result are bounded first."""
    if not exponent.is_number:
        return
    if _magnitude(exponent) > MAX_EXPONENT:
        raise FormulaError(f"exponents above {MAX_EXPONENT} are not accepted")
    if base.is_number:
        size = _magnitude(base)
        if size > 0 and _magnitude(exponent) * abs(math.log10(size)) > MAX_DECADES:
            raise FormulaError(f"a power in the formula is beyond float64 (about 1e±{MAX_DECADES} at most)")


def _bounded(expr: sp.Expr) -> sp.Expr:
    """Every number sympy holds must fit a float64: sympy keeps exact integers (and folds constants
    into a node's direct arguments), numpy cannot use them beyond float64's range."""
    if not isinstance(expr, sp.Expr):
        return expr
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise FormulaError("the formula divides by zero or is infinite where nothing varies")
    if expr.has(sp.I):
        raise FormulaError("the formula has an imaginary constant; nnfit fits real functions")
    for number in [expr] if expr.is_Number else [arg for arg in expr.args if arg.is_Number]:
        if isinstance(number, sp.Rational):
            too_large = max(abs(number.p), abs(number.q)) > FLOAT64_MAX_INTEGER
        else:
            too_large = _magnitude(number) > sys.float_info.max
        if too_large:
            raise FormulaError(f"a number in the formula is beyond float64 (about 1e{MAX_DECADES} at most)")
    return expr


@dataclasses.dataclass(frozen=True)
class Domain:
    """The range of one input variable."""
    low: float
    high: float
    integer: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise NNFitError(f"domain bounds must be finite numbers, got {self.low}:{self.high}")
        if not self.high > self.low:
            raise NNFitError(f"empty domain {self.low}:{self.high}: the upper bound must exceed the lower")
        if self.integer and max(abs(self.low), abs(self.high)) > 2**53:
            raise NNFitError(f"integer domain {self.low:g}:{self.high:g} is too large: bounds must be within ±2**53")
        if self.integer and math.ceil(self.low) >= math.ceil(self.high):
            raise NNFitError(f"integer domain {self.low}:{self.high} holds no integer (upper bound excluded)")

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.integer:  # numpy's convention: high excluded, as in randint(0, 500)
            return rng.integers(math.ceil(self.low), math.ceil(self.high), size=n).astype(float)
        return rng.uniform(self.low, self.high, size=n)


def parse_domain(text: str, integer: bool = False) -> Domain:
    """'0:1' or '0,1' or '[0,1]' -> Domain."""
    cleaned = text.strip().strip("[]()")
    for sep in (":", ",", ".."):
        if sep in cleaned:
            low_text, high_text = cleaned.split(sep, 1)
            break
    else:
        raise NNFitError(f"cannot read domain {text!r}: write LOW:HIGH, e.g. 0:1")
    try:
        low, high = float(low_text.replace("pi", str(math.pi))), float(high_text.replace("pi", str(math.pi)))
    except ValueError:
        raise NNFitError(f"cannot read domain {text!r}: bounds must be numbers, e.g. 0:1") from None
    return Domain(low, high, integer)


@dataclasses.dataclass
class Target:
    """Something to fit: a function of named inputs that can be sampled, or a fixed table."""
    input_names: list[str]
    output_names: list[str]
    function: Callable[[np.ndarray], np.ndarray] | None = None   # X (n, d) -> Y (n, k)
    domains: dict[str, Domain] | None = None
    expression: sp.Expr | None = None
    X: np.ndarray | None = None
    Y: np.ndarray | None = None
    description: str = ""

    @property
    def is_function(self) -> bool:
        return self.function is not None

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        assert self.function is not None and self.domains is not None
        X = np.column_stack([self.domains[name].sample(n, rng) for name in self.input_names])
        return X, self.evaluate(X)

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        assert self.function is not None
        with np.errstate(all="ignore"):
            Y = np.asarray(self.function(X), dtype=float)
        if Y.ndim == 0:
            Y = np.full(len(X), float(Y))
        return Y.reshape(len(X), -1)


def formula_target(text: str, domains: Mapping[str, Any], integer: bool | Sequence[str] = False) -> Target:
    expr = parse_formula(text)
    names = sorted(str(s) for s in expr.free_symbols)
    domain_objs = _domains(domains, integer)
    unknown = [n for n in names if n not in domain_objs]
    if unknown:
        raise NNFitError(
            f"no range given for variable(s) {', '.join(unknown)}: add e.g. --{unknown[0]} 0:1"
        )
    extra = [n for n in domain_objs if n not in names]
    names = names + extra  # a range for a variable the formula ignores still makes it an input
    symbols = [sp.Symbol(n, real=True) for n in names]
    # numpy cannot apply its functions to Python integers beyond int64: large exact integers go to floats
    as_floats = {n: sp.Float(n) for n in expr.atoms(sp.Integer) if abs(n) > 2**53}
    # code generated from the vetted tree; scipy first: numpy has no gamma or erf for arrays
    vectorised = sp.lambdify(symbols, expr.xreplace(as_floats) if as_floats else expr, modules=["scipy", "numpy"])

    def function(X: np.ndarray) -> np.ndarray:
        try:
            return np.broadcast_to(vectorised(*X.T), (len(X),))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise DataError(f"cannot evaluate {_shown(text)} on its domain ({type(exc).__name__}: {exc})") from None

    return Target(names, ["y"], function=function, domains={n: domain_objs[n] for n in names},
                  expression=expr, description=text)


def callable_target(fn: Callable[..., Any], domains: Mapping[str, Any], integer: bool | Sequence[str] = False) -> Target:
    """A Python callable. It is called as fn(x1, x2, ...) on arrays; or per-row when it is not vectorised."""
    domain_objs = _domains(domains, integer)
    names = list(domain_objs)
    if not names:
        raise NNFitError("a callable target needs a domain, e.g. domain={'x': (0, 1)}")

    def function(X: np.ndarray) -> np.ndarray:
        try:
            out = np.asarray(fn(*X.T), dtype=float)
            if out.shape[:1] == (len(X),) or out.ndim == 0:
                return out
        except (TypeError, ValueError):
            pass
        return np.asarray([fn(*row) for row in X], dtype=float)  # scalar-only callables, e.g. math.sin

    label = getattr(fn, "__name__", "callable")
    return Target(names, ["y"], function=function, domains=domain_objs, description=label)


def table_target(X: Any, y: Any, input_names: Sequence[str] | None = None,
                 output_names: Sequence[str] | None = None) -> Target:
    X_arr, Y_arr = validate_xy(X, y)
    in_names = list(input_names) if input_names is not None else _names(X, "x", X_arr.shape[1])
    out_names = list(output_names) if output_names is not None else _names(y, "y", Y_arr.shape[1])
    return Target(in_names, out_names, X=X_arr, Y=Y_arr, description="table")


def read_table(path: str | Path, target: str | Sequence[str] | None = None) -> Target:
    """A CSV (or .npy/.npz) file; `target` names the output column(s), every other column is an input."""
    import pandas as pd

    path = Path(path)
    try:
        if not path.exists():
            raise NNFitError(f"no such file: {_shown(str(path))}")
        if path.is_dir():
            raise NNFitError(f"{path} is a folder, not a data file")
        empty = path.stat().st_size == 0
    except OSError as exc:  # e.g. a name too long for the file system
        raise NNFitError(f"cannot open {_shown(str(path))}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if empty:
        raise DataError(f"{path} is empty")
    try:
        if suffix in (".npy", ".npz"):
            loaded = np.load(path, allow_pickle=False)  # never unpickle a user's file
            if suffix == ".npz":
                keys = list(loaded.keys())
                if not {"X", "y"} <= set(keys):
                    raise NNFitError(f"{path} must hold arrays named X and y (it has {', '.join(keys)})")
                return table_target(loaded["X"], loaded["y"])
            array = np.asarray(loaded, dtype=float)
            if array.ndim != 2 or array.shape[1] < 2:
                raise NNFitError(f"{path} must be a 2-D array whose last column is the target")
            return table_target(array[:, :-1], array[:, -1])
        frame = read_csv_frame(path)
    except NNFitError:
        raise
    except UnicodeDecodeError:
        raise NNFitError(f"cannot read {path}: not a text CSV file") from None
    except (ValueError, OSError, csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NNFitError(f"cannot read {path}: {message}") from None
    return frame_target(frame, target, source=str(path))


CSV_DELIMITERS = ",;\t |"


def read_csv_frame(path: Path) -> Any:
    """A CSV/TSV as a DataFrame, its delimiter sniffed among the usual ones (a one-column file has none:
    pandas' own sniffing would then pick a letter of the header as the delimiter)."""
    import pandas as pd

    with open(path, newline="", encoding="utf-8") as handle:
        sample = handle.read(65536)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    import warnings

    with warnings.catch_warnings():
        # index_col=False: a row longer than the header is an error, not a silent index column that shifts
        # every value one column left
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(path, sep=delimiter, skipinitialspace=True, index_col=False)
        except pd.errors.ParserWarning:
            pass
    with open(path, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter=delimiter)
        width = len(next(rows))
        for number, row in enumerate(rows, start=2):
            if len(row) > width:
                raise DataError(f"{path}, line {number}: {len(row)} fields, but the header has {width}")
    raise DataError(f"{path}: a row has more fields than the header ({width})")


def frame_target(frame: Any, target: str | Sequence[str] | None, source: str = "table") -> Target:
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DataError(f"{source} is empty")
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if target is None:
        targets = [columns[-1]]
    elif isinstance(target, str):
        targets = [t.strip() for t in target.split(",") if t.strip()]
    else:
        targets = list(target)
    missing = [t for t in targets if t not in columns]
    if missing:
        raise DataError(f"no column {missing[0]!r} in {source}; columns are: {', '.join(columns)}")
    inputs = [c for c in columns if c not in targets]
    if not inputs:
        raise DataError(f"{source} has no input columns besides the target {', '.join(targets)}")
    return table_target(numeric_columns(frame, inputs, source), numeric_columns(frame, targets, source),
                        inputs, targets)


def numeric_columns(frame: Any, columns: Sequence[str], source: str = "the table") -> np.ndarray:
    """The columns as floats; a cell that is not a number is an error naming its column and row.

    Rows are counted from 1 after the header; an empty cell passes here as NaN (reported later).
    """
    import pandas as pd
    from pandas.api.types import is_bool_dtype

    out = np.empty((len(frame), len(columns)))
    for j, name in enumerate(columns):
        column = frame[name]
        if is_bool_dtype(column):
            raise DataError(f"column {name!r} in {source} holds true/false values, not numbers")
        values = pd.to_numeric(column, errors="coerce")
        bad = (values.isna() & column.notna()).to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(f"column {name!r} in {source}, row {row + 1}: {_shown(str(column.iloc[row]))} is not a number")
        out[:, j] = values.to_numpy(dtype=float)
    return out


def validate_xy(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of floats, 2-D, same length, finite, non-empty; else one clear error."""
    X_arr = _as_float_array(X, "X")
    Y_arr = _as_float_array(y, "y")
    if X_arr.ndim == 1:
        X_arr = X_arr.reshape(-1, 1)
    if Y_arr.ndim == 1:
        Y_arr = Y_arr.reshape(-1, 1)
    if X_arr.ndim != 2 or Y_arr.ndim != 2:
        raise DataError(f"X must be 1-D or 2-D and y 1-D or 2-D; got shapes {X_arr.shape} and {Y_arr.shape}")
    if len(X_arr) == 0:
        raise DataError("no data: X is empty")
    if len(X_arr) != len(Y_arr):
        raise DataError(f"X has {len(X_arr)} rows but y has {len(Y_arr)}")
    for name, array in (("X", X_arr), ("y", Y_arr)):
        bad = ~np.isfinite(array)
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise DataError(f"{name} has {int(bad.sum())} NaN/inf value(s), first in row {row}; drop or fill them")
    if len(X_arr) < 8:
        raise DataError(f"only {len(X_arr)} rows: nnfit needs at least 8 to fit and validate")
    return X_arr, Y_arr


def _as_float_array(value: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numeric (a NumPy array, list or DataFrame of numbers)") from None


def _names(value: Any, prefix: str, count: int) -> list[str]:
    columns = getattr(value, "columns", None)
    if columns is not None and len(columns) == count:
        return [str(c) for c in columns]
    name = getattr(value, "name", None)
    if count == 1 and isinstance(name, str):
        return [name]
    return [prefix] if count == 1 else [f"{prefix}{i}" for i in range(count)]


def _domains(domains: Mapping[str, Any], integer: bool | Sequence[str]) -> dict[str, Domain]:
    if not isinstance(domains, Mapping):
        raise NNFitError("domain must be a mapping such as {'x': (0, 1)}")
    out: dict[str, Domain] = {}
    for name, value in domains.items():
        is_int = integer if isinstance(integer, bool) else name in integer
        if isinstance(value, Domain):
            out[name] = value
        elif isinstance(value, str):
            out[name] = parse_domain(value, is_int)
        else:
            try:
                low, high = value
            except (TypeError, ValueError):
                raise NNFitError(f"domain of {name!r} must be (low, high), got {value!r}") from None
            out[name] = Domain(float(low), float(high), is_int)
    return out


def make_target(target: Any, domain: Mapping[str, Any] | None = None,
                integer: bool | Sequence[str] = False) -> Target:
    """Dispatch on the kind of target: formula string, callable, or Target."""
    if isinstance(target, Target):
        return target
    if isinstance(target, str):
        return formula_target(target, domain or {}, integer)
    if callable(target):
        return callable_target(target, domain or {}, integer)
    raise NNFitError(f"cannot fit a {type(target).__name__}: give a formula string, a callable, or X and y")
