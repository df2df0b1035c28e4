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
import io
import keyword
import math
import os
import re
import sys
import time
import tokenize
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
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
# A table's values are squared (standard deviations, least squares, RMSE): beyond the square root of
# float64's range (1.3e154 largest, 1.5e-154 smallest normal) the squares overflow or underflow.
MAX_SQUARABLE = 1e150
MIN_SQUARABLE = 1e-150
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


# Operators as they are typed in papers and word processors: a minus sign (U+2212), a multiplication
# sign or dot, a division sign, and superscript exponents (x², x⁻¹) read as Python operators.
_TYPOGRAPHIC = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2219": "*",
                "\u00f7": "/"}
_SUPERSCRIPTS = {"\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3", "\u2074": "4", "\u2075": "5",
                 "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9", "\u207b": "-", "\u207a": ""}
_SUPERSCRIPT_RUN = re.compile("[" + "".join(_SUPERSCRIPTS) + "]+")


@dataclasses.dataclass
class _Reader:
    """What one formula's names mean while its tree is read.

    variables: the names with a domain (the user's spelling, keyed by the spelling Python's parser
    gives them: it NFKC-normalises identifiers, so a micro sign becomes a Greek mu); aliases: the
    stand-in identifier of each Python keyword used as a variable (lambda, in, is ...) -> its name.
    """
    variables: dict[str, str]
    aliases: dict[str, str]
    deadline: float

    def symbol_name(self, identifier: str) -> str | None:
        """The user's variable name behind a parsed identifier, or None when it is not a variable."""
        if identifier in self.aliases:
            return self.aliases[identifier]
        return self.variables.get(identifier)


def parse_formula(text: str, variables: Iterable[str] | None = None) -> sp.Expr:
    """Parse an arithmetic formula into a sympy expression without evaluating any of it.

    `variables` are the names the user gave a domain for: wherever such a name is used bare it is
    a variable, even when it is also a constant or a function (e, E, pi, gamma, beta ...), and a
    Python keyword among them (lambda, in, is ...) is read as a variable too; a called name stays a
    function. Each variable becomes a real sympy Symbol of exactly the user's name.

    >>> parse_formula("10*sin(3*x)")
    10*sin(3*x)
    >>> parse_formula("h*c/lambda", variables=["h", "c", "lambda"])
    c*h/lambda
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
    names = _variable_names(variables)
    if "=" in source and "==" not in source:  # "y = x**2": take the right-hand side
        left, _, right = source.partition("=")
        if left.strip().isidentifier() and not keyword.iskeyword(left.strip()):
            source = right.strip()
            if not source:
                raise FormulaError(f"formula {_shown(text)} has nothing after '='")
    source = _plain_operators(source)
    source = source.replace("^", "**")  # x^2 means x**2 here (ast's ^ would bind looser than +)
    keywords = sorted({name for name in names.values() if keyword.iskeyword(name)})
    source, aliases = _rename_keywords(source, keywords)
    try:
        tree = _parse(source)
    except SyntaxError as exc:
        stray = _stray_keywords(source)
        if stray:
            raise FormulaError(f"no range given for variable {stray[0]!r} (a Python keyword, read as a variable "
                               f"only when it has a range): add e.g. --{stray[0]} 0:1") from None
        raise FormulaError(f"cannot parse formula {_shown(text)}: {exc.msg} at column {exc.offset}") from None
    except (ValueError, RecursionError, MemoryError):  # e.g. a NUL byte, or nesting past the parser's limits
        raise FormulaError(f"cannot parse formula {_shown(text)}") from None
    reader = _Reader(names, aliases, time.perf_counter() + MAX_BUILD_SECONDS)
    try:
        expr = _build(tree.body, 0, reader)
    except RecursionError:
        raise FormulaError("the formula is nested too deeply") from None
    if not isinstance(expr, sp.Expr):
        raise FormulaError(f"formula {_shown(text)} is not an arithmetic expression")
    return _finite(expr)


def _variable_names(variables: Iterable[str] | None) -> dict[str, str]:
    """{the parser's spelling of each variable name: the user's spelling}."""
    if variables is None:
        return {}
    if isinstance(variables, str):
        variables = [variables]
    out: dict[str, str] = {}
    for name in variables:
        if not isinstance(name, str) or not name.isidentifier():
            raise NNFitError(f"variable names must be identifiers such as x, m_1 or theta, got {name!r}")
        out[unicodedata.normalize("NFKC", name)] = name
    return out


def _plain_operators(source: str) -> str:
    for typed, plain in _TYPOGRAPHIC.items():
        source = source.replace(typed, plain)
    if _SUPERSCRIPT_RUN.search(source):
        source = _SUPERSCRIPT_RUN.sub(
            lambda m: "**(" + "".join(_SUPERSCRIPTS[c] for c in m.group()) + ")", source)
    return source


def _parse(source: str) -> ast.Expression:
    with warnings.catch_warnings():  # Python's warnings about odd literals ("1if x"): the error says it
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(source, mode="eval")


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    """The formula's tokens; [] when Python's tokenizer refuses it (ast.parse then says why)."""
    try:
        return list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return []


def _rename_keywords(source: str, keywords: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Each Python keyword in `keywords` (a variable of the user's: lambda, in ...) replaced, as a token,
    by a stand-in identifier that appears nowhere in the formula; returns the text and {stand-in: name}."""
    present = [k for k in keywords if k in source]
    if not present:
        return source, {}
    aliases = {}
    for name in present:
        alias = f"nnfit_keyword_{name}"
        while alias in source:
            alias += "_"
        aliases[name] = alias
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    pieces, last = [], 0
    for token in _tokens(source):
        if token.type == tokenize.NAME and token.string in aliases:
            start = offsets[token.start[0] - 1] + token.start[1]
            pieces.append(source[last:start] + aliases[token.string])
            last = start + len(token.string)
    pieces.append(source[last:])
    return "".join(pieces), {alias: name for name, alias in aliases.items()}


def _stray_keywords(source: str) -> list[str]:
    """Python keywords the formula uses as variables without a range: the formula parses once they are
    renamed, and each renamed one stands where a name can stand."""
    candidates = sorted({t.string for t in _tokens(source) if t.type == tokenize.NAME and keyword.iskeyword(t.string)})
    if not candidates:
        return []
    renamed, aliases = _rename_keywords(source, candidates)
    try:
        tree = _parse(renamed)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return [aliases[alias] for alias in aliases if alias in used]


def _shown(text: str) -> str:
    """The user's formula for an error message: quoted, and cut short when long."""
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _build(node: ast.AST, depth: int, reader: _Reader) -> sp.Expr:
    """The sympy expression of one vetted node; every result is bounded by `_bounded` before use."""
    if depth > MAX_FORMULA_DEPTH:
        raise FormulaError("the formula is nested too deeply")
    if time.perf_counter() > reader.deadline:
        raise FormulaError(f"the formula took more than {MAX_BUILD_SECONDS:g} s to read; simplify it")
    try:
        return _bounded(_node_expr(node, depth, reader))
    except (ZeroDivisionError, ArithmeticError, TypeError, ValueError) as exc:
        if isinstance(exc, NNFitError):
            raise
        raise FormulaError(f"cannot evaluate {_unparsed(node, reader)!r} in the formula ({type(exc).__name__})") from None


def _unparsed(node: ast.AST, reader: _Reader) -> str:
    """A node's text for a message, keywords renamed back (cut at 60 characters)."""
    text = ast.unparse(node)
    for alias, name in reader.aliases.items():
        text = text.replace(alias, name)
    return text[:60]


def _node_expr(node: ast.AST, depth: int, reader: _Reader) -> sp.Expr:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"only numbers are allowed as constants, not {repr(node.value)[:60]}")
        if isinstance(node.value, int) and abs(node.value) > 10**30:
            raise FormulaError("a number in the formula is too large")
        if isinstance(node.value, float) and not math.isfinite(node.value):
            raise FormulaError("a number in the formula is too large for float64")
        return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
    if isinstance(node, ast.Name):
        variable = reader.symbol_name(node.id)
        if variable is not None:  # a name with a domain is a variable, even if a constant or function has it
            return sp.Symbol(variable, real=True)
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise FormulaError(f"{node.id!r} is a function; call it, e.g. {node.id}(x)")
        if node.id.startswith("_"):
            raise FormulaError(f"variable names may not start with '_': {node.id!r}")
        return sp.Symbol(node.id, real=True)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _finite(_build(node.left, depth + 1, reader)), _finite(_build(node.right, depth + 1, reader))
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand, depth + 1, reader)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else _unparsed(node.func, reader)
            if isinstance(node.func, ast.Name) and reader.symbol_name(node.func.id) is not None:
                raise FormulaError(f"{reader.symbol_name(node.func.id)!r} is a variable here, not a function: "
                                   f"write {reader.symbol_name(node.func.id)}*(...) for a product")
            raise FormulaError(f"unknown function {name!r}; allowed: {', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise FormulaError(f"{node.func.id}() takes no keyword arguments here")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise FormulaError(f"{node.func.id}() takes plain arguments here, not *args")
        args = [_finite(_build(arg, depth + 1, reader)) for arg in node.args]
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
    operator = getattr(node, "op", None)
    if isinstance(node, (ast.BinOp, ast.UnaryOp)) and type(operator) in _OPERATOR_NAMES:
        raise FormulaError(f"{_OPERATOR_NAMES[type(operator)]} is not allowed in a formula "
                           f"({_unparsed(node, reader)!r})")
    described = {
        ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "lambda",
        ast.Compare: "comparison", ast.BoolOp: "boolean operator", ast.IfExp: "if-expression",
        ast.ListComp: "comprehension", ast.GeneratorExp: "generator", ast.List: "list", ast.Tuple: "tuple",
        ast.Dict: "dict", ast.Set: "set", ast.JoinedStr: "f-string", ast.NamedExpr: "assignment",
        ast.Starred: "starred expression", ast.Await: "await",
    }.get(type(node), type(node).__name__)
    raise FormulaError(f"{described} is not allowed in a formula ({_unparsed(node, reader)!r})")


_OPERATOR_NAMES = {
    ast.FloorDiv: "floor division (//; write floor(a/b))", ast.MatMult: "matrix product (@)",
    ast.LShift: "bit shift (<<)", ast.RShift: "bit shift (>>)", ast.BitOr: "bitwise or (|)",
    ast.BitAnd: "bitwise and (&)", ast.BitXor: "bitwise xor", ast.Invert: "bitwise not (~)",
    ast.Not: "boolean not",
}


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
            raise NNFitError(f"empty domain {self.low:g}:{self.high:g}: the upper bound must exceed the lower")
        if not math.isfinite(self.high - self.low):  # uniform draws over it would be inf
            raise NNFitError(f"domain {self.low:g}:{self.high:g} is wider than float64 can hold")
        if self.integer and max(abs(self.low), abs(self.high)) > 2**53:
            raise NNFitError(f"integer domain {self.low:g}:{self.high:g} is too large: bounds must be within ±2**53")
        if self.integer and math.ceil(self.low) >= math.ceil(self.high):
            raise NNFitError(f"integer domain {self.low}:{self.high} holds no integer (upper bound excluded)")
        if self.integer and math.ceil(self.low) + 1 == math.ceil(self.high):
            raise NNFitError(f"integer domain {self.low:g}:{self.high:g} holds the one integer {math.ceil(self.low)} "
                             "(upper bound excluded): nothing varies; widen it, e.g. 0:10")

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.integer:  # numpy's convention: high excluded, as in randint(0, 500)
            return rng.integers(math.ceil(self.low), math.ceil(self.high), size=n).astype(float)
        return rng.uniform(self.low, self.high, size=n)


def parse_domain(text: str, integer: bool = False) -> Domain:
    """'0:1' or '0,1' or '[0,1]' or '0..1' -> Domain; a bound may be a constant formula (2*pi, pi/2, 1e-3)."""
    if not isinstance(text, str):
        raise NNFitError(f"a domain must be text such as '0:1', got {type(text).__name__}")
    cleaned = _plain_operators(text.strip()).strip("[]()")
    for sep in (":", ",", ".."):
        if sep in cleaned:
            low_text, high_text = cleaned.split(sep, 1)
            break
    else:
        raise NNFitError(f"cannot read domain {_shown(text)}: write LOW:HIGH, e.g. 0:1")
    return Domain(_bound(low_text, text), _bound(high_text, text), integer)


def _bound(text: str, domain_text: str) -> float:
    """One bound of a domain: a number, or a constant formula read by the safe parser (2*pi, -pi/2)."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    hint = f"cannot read domain {_shown(domain_text)}: bounds must be numbers such as 0, 1.5e-3 or 2*pi"
    if not text or len(text) > 100:
        raise NNFitError(hint)
    try:
        expr = parse_formula(text)
    except NNFitError:
        raise NNFitError(hint) from None
    if expr.free_symbols or not expr.is_number:
        raise NNFitError(hint)
    if _magnitude(expr) == math.inf:  # also: not real (sqrt(-1)), or not computable in float64
        raise NNFitError(f"domain bound {text!r} is not a finite real number")
    return float(sp.lambdify([], expr, modules="math")())


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
        Y = self.evaluate(X)
        check_squarable(X, self.input_names, "input")
        check_squarable(Y, self.output_names, "the target")
        return X, Y

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        assert self.function is not None
        with np.errstate(all="ignore"):
            Y = np.asarray(self.function(X), dtype=float)
        if Y.ndim == 0:
            Y = np.full(len(X), float(Y))
        return Y.reshape(len(X), -1)


def formula_target(text: str, domains: Mapping[str, Any], integer: bool | Sequence[str] = False) -> Target:
    """A formula over named domains. A name with a domain is a variable wherever it is used bare (even
    e, E, pi or a function's name such as gamma); a Python keyword with a domain (lambda) is one too."""
    domain_objs = _domains(domains, integer)
    expr = parse_formula(text, variables=list(domain_objs))
    names = sorted(str(s) for s in expr.free_symbols)
    unknown = [n for n in names if n not in domain_objs]
    if unknown:
        raise NNFitError(
            f"no range given for variable(s) {', '.join(unknown)}: add e.g. --{unknown[0]} 0:1{_non_ascii_note(unknown)}"
        )
    if not names and not domain_objs:
        raise NNFitError(f"formula {_shown(text)} has no variables: there is nothing to fit; write it in "
                         "variables with ranges, e.g. 2*x --x 0:1")
    extra = [n for n in domain_objs if n not in names]
    names = names + extra  # a range for a variable the formula ignores still makes it an input
    symbols = [sp.Symbol(n, real=True) for n in names]
    # numpy cannot apply its functions to Python integers beyond int64: large exact integers go to floats
    as_floats = {n: sp.Float(n) for n in expr.atoms(sp.Integer) if abs(n) > 2**53}
    # code generated from the vetted tree; scipy first: numpy has no gamma or erf for arrays
    # The generated code never spells the user's names: lambdify puts each argument's name into the
    # code's namespace, where a variable named gamma or exp would hide the function gamma() or exp().
    stand_ins = [sp.Symbol(f"nnfit_argument{j}", real=True) for j in range(len(symbols))]
    code_expr = expr.xreplace({**as_floats, **dict(zip(symbols, stand_ins))})
    vectorised = sp.lambdify(stand_ins, code_expr, modules=["scipy", "numpy"])

    def function(X: np.ndarray) -> np.ndarray:
        try:
            return np.broadcast_to(vectorised(*X.T), (len(X),))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise DataError(f"cannot evaluate {_shown(text)} on its domain ({type(exc).__name__}: {exc})") from None

    return Target(names, ["y"], function=function, domains={n: domain_objs[n] for n in names},
                  expression=expr, description=text)


def _non_ascii_note(names: Sequence[str]) -> str:
    """Which characters of an unknown name are not ASCII, by their Unicode names: a Cyrillic х or a
    Greek ο pasted from a page looks like the Latin x or o it is not."""
    for name in names:
        odd = [c for c in dict.fromkeys(name) if ord(c) > 127]
        if odd:
            shown = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in odd[:3])
            return f" ({name!r} holds {shown}, not ASCII: retype it if you meant a Latin letter)"
    return ""


def callable_target(fn: Callable[..., Any], domains: Mapping[str, Any], integer: bool | Sequence[str] = False) -> Target:
    """A Python callable. It is called as fn(x1, x2, ...) on arrays; or per-row when it is not vectorised."""
    domain_objs = _domains(domains, integer)
    names = list(domain_objs)
    if not names:
        raise NNFitError("a callable target needs a domain, e.g. domain={'x': (0, 1)}")
    label = getattr(fn, "__name__", "callable")

    def function(X: np.ndarray) -> np.ndarray:
        try:
            out = np.asarray(fn(*X.T), dtype=float)
            if out.shape[:1] == (len(X),) or out.ndim == 0:
                return out
        except (TypeError, ValueError):
            pass
        except Exception as exc:  # noqa: BLE001 - the user's function failed: one line, its traceback chained
            raise DataError(f"the target function {label!r} failed on its domain "
                            f"({type(exc).__name__}: {str(exc)[:120]})") from exc
        try:
            return np.asarray([fn(*row) for row in X], dtype=float)  # scalar-only callables, e.g. math.sin
        except Exception as exc:  # the user's function failed: say so in one line, its traceback chained
            raise DataError(f"the target function {label!r} failed on its domain "
                            f"({type(exc).__name__}: {str(exc)[:120]})") from exc

    return Target(names, ["y"], function=function, domains=domain_objs, description=label)


def table_target(X: Any, y: Any, input_names: Sequence[str] | None = None,
                 output_names: Sequence[str] | None = None) -> Target:
    X_arr, Y_arr = validate_xy(X, y)
    in_names = list(input_names) if input_names is not None else _names(X, "x", X_arr.shape[1])
    out_names = list(output_names) if output_names is not None else _names(y, "y", Y_arr.shape[1])
    check_squarable(X_arr, in_names)
    check_squarable(Y_arr, out_names)
    return Target(in_names, out_names, X=X_arr, Y=Y_arr, description="table")


def read_table(path: str | Path, target: str | Sequence[str] | None = None) -> Target:
    """A CSV (or .npy/.npz) file; `target` names the output column(s), every other column is an input."""
    import pandas as pd

    from nnfit.io import regular_file

    path = regular_file(path)  # missing, a folder, a FIFO or a device: one line, nothing opened
    try:
        empty = path.stat().st_size == 0
    except OSError as exc:
        raise NNFitError(f"cannot open {_shown(str(path))}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if empty:
        raise DataError(f"{path} is empty")
    try:
        if suffix in (".npy", ".npz"):
            return _numpy_table(path, suffix)
        frame = read_csv_frame(path)
    except NNFitError:
        raise
    except UnicodeDecodeError:
        raise NNFitError(f"cannot read {path}: not a text CSV file") from None
    except (ValueError, OSError, csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NNFitError(f"cannot read {path}: {message}") from None
    return frame_target(frame, target, source=str(path))


def _numpy_table(path: Path, suffix: str) -> Target:
    """A .npy (2-D, the last column the target) or .npz (arrays X and y) file, never unpickled."""
    import zipfile

    with open(path, "rb") as handle:
        magic = handle.read(6)
    if magic != (b"PK\x03\x04"[:4] + magic[4:] if suffix == ".npz" else b"\x93NUMPY"):
        raise DataError(f"{path} is not a NumPy {suffix} file (it does not start as one)")
    _check_numpy_claims(path, suffix)
    try:
        loaded = np.load(path, allow_pickle=False)  # never unpickle a user's file
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
            raise DataError(f"{path} holds Python objects (pickled data), not numbers: nnfit never unpickles "
                            "a file; save a numeric array") from None
        raise DataError(f"{path} is not a NumPy {suffix} file of numbers ({str(exc).splitlines()[0][:80]})") from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DataError(f"{path} is not a NumPy {suffix} file ({type(exc).__name__})") from None
    if isinstance(loaded, np.lib.npyio.NpzFile) != (suffix == ".npz"):
        raise DataError(f"{path} is not a NumPy {suffix} file (its content is the other NumPy format)")
    if suffix == ".npz":
        with loaded:
            keys = list(loaded.keys())
            if not {"X", "y"} <= set(keys):
                shown = ", ".join(repr(k) for k in keys[:10]) or "nothing"
                raise DataError(f"{path} must hold arrays named X and y (it has {shown})")
            try:
                X, y = loaded["X"], loaded["y"]
            except ValueError:
                raise DataError(f"{path} holds Python objects (pickled data) under X or y, not numbers") from None
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise DataError(f"{path} is damaged ({type(exc).__name__})") from None
        _check_numeric_dtype(X, f"{path} (X)")
        _check_numeric_dtype(y, f"{path} (y)")
        return table_target(X, y)
    _check_numeric_dtype(loaded, str(path))
    array = np.asarray(loaded, dtype=float)
    if array.ndim != 2 or array.shape[1] < 2:
        raise DataError(f"{path} must be a 2-D array whose last column is the target (it has shape {array.shape})")
    return table_target(array[:, :-1], array[:, -1])


def _check_numpy_claims(path: Path, suffix: str) -> None:
    """Read each array's .npy header (a Python literal, read by NumPy's literal parser) before any data:
    an object array is refused unread, and so is a header whose shape claims more bytes than the file
    (or the .npz member) holds, or more than the machine's memory can load and convert to float64."""
    import zipfile

    claims: list[tuple[str, tuple[int, ...], np.dtype, int]] = []  # (what, shape, dtype, bytes present)
    try:
        if suffix == ".npy":
            with open(path, "rb") as handle:
                shape, dtype = _npy_header(handle)
                claims.append((str(path), shape, dtype, path.stat().st_size - handle.tell()))
        else:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.filename not in ("X.npy", "y.npy"):
                        continue
                    with archive.open(info) as member:
                        shape, dtype = _npy_header(member)
                        claims.append((f"{path} ({info.filename[0]})", shape, dtype, info.file_size - member.tell()))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise DataError(f"{path} is not a NumPy {suffix} file ({type(exc).__name__})") from None
    except (ValueError, SyntaxError, TypeError) as exc:
        raise DataError(f"{path} is not a NumPy {suffix} file of numbers (its header: "
                        f"{str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__})") from None
    needed = 0
    for what, shape, dtype, present in claims:
        if dtype.hasobject:
            raise DataError(f"{what} holds Python objects (pickled data), not numbers: nnfit never unpickles "
                            "a file; save a numeric array")
        count = math.prod(int(n) for n in shape)
        claimed = count * dtype.itemsize
        if claimed > present:
            raise DataError(f"{what} is damaged: its header claims shape {tuple(shape)} ({claimed:,} bytes) but "
                            f"the file holds {max(present, 0):,} bytes of data")
        needed += claimed + 8 * count  # loaded as stored, then converted to float64
    memory = _physical_memory()
    if memory is not None and needed > memory:
        raise DataError(f"{path} needs {needed / 2**30:.1f} GiB to load and convert to float64, more than this "
                        f"machine's {memory / 2**30:.0f} GiB of memory; fit a sample of its rows")


def _npy_header(handle: Any) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) from a .npy header, the stream left at the start of the data."""
    from numpy.lib import format as npy_format

    version = npy_format.read_magic(handle)
    if version == (1, 0):
        shape, _, dtype = npy_format.read_array_header_1_0(handle)
    elif version == (2, 0):
        shape, _, dtype = npy_format.read_array_header_2_0(handle)
    else:  # format 3.0 (a UTF-8 header) has no public reader
        shape, _, dtype = npy_format._read_array_header(handle, version)
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError(f"shape {shape!r} is not a shape")
    return tuple(shape), dtype


def _physical_memory() -> int | None:
    """Bytes of physical memory, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _check_numeric_dtype(array: np.ndarray, source: str) -> None:
    if not (np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)) \
            or np.issubdtype(array.dtype, np.complexfloating):
        raise DataError(f"{source} holds {array.dtype} values, not real numbers")


CSV_DELIMITERS = ",;\t |"
# fit.MAX_PARAMETERS (a million) caps every network, so no table nnfit can fit has more than a million
# input columns; a header naming that many with 16 characters each is 16 MiB. A longer first line is
# not a header (a binary or minified file), and is refused before pandas holds all of it.
MAX_HEADER_CHARS = 16 * 2**20
# A cell such as 0,5 or -1,25e-3: a decimal comma, as written where ; separates the fields
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])[-+]?\d+,\d+(?:[eE][-+]?\d+)?(?![\d.,])")
_DECIMAL_POINT = re.compile(r"\d\.\d")


def read_csv_frame(path: Path, headerless: bool = False) -> Any:
    """A CSV/TSV as a DataFrame, its delimiter sniffed among the usual ones (a one-column file has none:
    pandas' own sniffing would then pick a letter of the header as the delimiter)."""
    import pandas as pd

    with open(path, newline="", encoding="utf-8") as handle:
        first = handle.readline(MAX_HEADER_CHARS + 1)  # the whole header line: its names are checked below
        if len(first) > MAX_HEADER_CHARS:
            raise DataError(f"cannot read {path}: its first line is over {MAX_HEADER_CHARS // 2**20} MiB long, "
                            "longer than any table's header")
        sample = first + handle.read(65536)
    if "\x00" in sample:  # a text table never holds a NUL byte: a binary file with a table's name
        raise DataError(f"cannot read {path}: not a text CSV file")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    import warnings

    header = _check_header(path, sample, delimiter)
    if header and all(_is_number(cell) for cell in header):  # the first line is a row of numbers
        if not headerless:
            raise DataError(f"{path} has no header line (its first line holds numbers): add a line of column "
                            "names, e.g. x,y")
        return pd.read_csv(path, sep=delimiter, skipinitialspace=True, index_col=False, header=None)
    # ; or tab between fields and 0,5 in them, with no 0.5 anywhere: the comma is the decimal separator
    decimal = "," if delimiter != "," and _DECIMAL_COMMA.search(sample) and not _DECIMAL_POINT.search(sample) else "."
    with warnings.catch_warnings():
        # index_col=False: a row longer than the header is an error, not a silent index column that shifts
        # every value one column left
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(path, sep=delimiter, skipinitialspace=True, index_col=False, decimal=decimal)
        except pd.errors.ParserWarning:
            pass
        else:
            return _without_empty_trailing_columns(frame)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter=delimiter)
        width = len(next(rows))
        for number, row in enumerate(rows, start=2):
            if len(row) > width:
                raise DataError(f"{path}, line {number}: {len(row)} fields, but the header has {width}")
    raise DataError(f"{path}: a row has more fields than the header ({width})")


def _check_header(path: Path, sample: str, delimiter: str) -> list[str]:
    """The header's cells; a column name given twice is an error (pandas would rename the second a.1,
    silently). A first line of numbers is returned as it is: it is no header."""
    try:
        header = [cell.strip() for cell in next(csv.reader(sample.lstrip("\ufeff").splitlines()[:1],
                                                           delimiter=delimiter, skipinitialspace=True), [])]
    except csv.Error:
        return []
    if header and all(_is_number(cell) for cell in header):
        return header
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise DataError(f"{path}: column {_shown(name)} appears twice in the header; give each column its own name")
        seen.add(name)
    return header


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _without_empty_trailing_columns(frame: Any) -> Any:
    """A delimiter at the end of every line (a,y,) makes a nameless, empty last column: dropped."""
    while frame.shape[1] > 1 and str(frame.columns[-1]).startswith("Unnamed:") and frame.iloc[:, -1].isna().all():
        frame = frame.iloc[:, :-1]
    return frame


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
        targets = [str(t) for t in target]
    if not targets:
        raise DataError(f"no target column named: give one of {_shown(', '.join(columns))}")
    twice = next((t for k, t in enumerate(targets) if t in targets[:k]), None)
    if twice is not None:
        raise DataError(f"target column {twice!r} is named twice; name each output column once")
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
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    out = np.empty((len(frame), len(columns)))
    # columns pandas already read as numbers are taken at once (a table of 100,000 columns took a
    # minute column by column); the others are converted one by one, to name a bad cell's column and row
    picked = frame[list(columns)]
    numeric = [j for j, dtype in enumerate(picked.dtypes) if is_numeric_dtype(dtype) and not is_bool_dtype(dtype)]
    if numeric:
        out[:, numeric] = picked.iloc[:, numeric].to_numpy(dtype=float)
    done = set(numeric)
    for j, name in enumerate(columns):
        if j in done:
            continue
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


def check_squarable(array: np.ndarray, names: Sequence[str], what: str = "column") -> None:
    """Refuse values whose squares leave float64 (see MAX_SQUARABLE): one line naming the column."""
    finite = np.where(np.isfinite(array), np.abs(array), 0.0)
    largest = np.max(finite, axis=0) if len(array) else np.zeros(array.shape[1:])
    for j in np.flatnonzero((largest > MAX_SQUARABLE) | ((largest > 0) & (largest < MIN_SQUARABLE))):
        name = names[j] if j < len(names) else str(j)
        kind = "overflow" if largest[j] > 1 else "underflow"
        raise DataError(f"{what} {name!r} reaches {largest[j]:.3g}: squares of such values {kind} float64 "
                        "(standardising, least squares, RMSE); rescale it, e.g. to units near 1")


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
    if isinstance(integer, str):
        integer = [integer]
    out: dict[str, Domain] = {}
    for name, value in domains.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise NNFitError(f"variable names must be identifiers such as x, m_1 or theta, got {name!r}")
        if name.startswith("_"):
            raise NNFitError(f"variable names may not start with '_': {name!r}")
        is_int = bool(integer) if isinstance(integer, (bool, np.bool_)) else name in integer
        if isinstance(value, Domain):
            out[name] = value
        elif isinstance(value, str):
            out[name] = parse_domain(value, is_int)
        else:
            try:
                low, high = value
            except (TypeError, ValueError):
                raise NNFitError(f"domain of {name!r} must be (low, high), got {_shown(repr(value))}") from None
            out[name] = Domain(_number(low, name), _number(high, name), is_int)
    return out


def _number(value: Any, name: str) -> float:
    """One bound given in Python: a real number (a string is read as a domain bound is)."""
    if isinstance(value, str):
        try:
            return _bound(value, value)
        except NNFitError as exc:
            raise NNFitError(f"domain of {name!r}: {exc}") from None
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, complex):
        raise NNFitError(f"domain of {name!r}: bounds must be real numbers, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise NNFitError(f"domain of {name!r}: bounds must be real numbers, got {_shown(repr(value))}") from None


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
