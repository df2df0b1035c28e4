"""What a script's comments say about its data, for the data the script itself does not show.

A post whose data cannot be shared describes it in comments instead: `X = np.load('x.npy')  # (n, 64,
64, 3), class 0 first, then 1`, `# y: prices between 50000 and 900000`, `x_train = ...  # pixels
0..255`. The reader takes three kinds of statement from a comment, each only where the code leaves the
value unknown (a value read from literals or from a data file always wins):

- a value range: `0..255`, `0-255`, `0 to 255`, `from 1990 to 2020`, `between 0 and 1000`, `in [0, 100]`,
  `0/1 labels`;
- an order of the rows: `sorted`, `ordered by`, `in time order`, `grouped by label`, `class 0 first`,
  `one class after another`, `folder by folder` (not when the same comment says shuffled / random);
- a shape: `(n, 64, 64, 3)`, `shape (L,)`, `(430000, 1)`: the number of dimensions (and the row count
  and width when they are numbers).

A comment belongs to the assignment on its own line (a trailing comment) or to the assignment right
below a block of comment lines. A comment segment that starts with a name (`# X: ...`, `# y is ...`)
belongs to that name wherever it is next assigned or, when the script never assigns it (a fragment that
fits undefined X and y), to the name itself.
"""
from __future__ import annotations

import dataclasses
import re

from nnfit.doctor.static.py2 import _split_comment
from nnfit.doctor.static.values import MAX_COLUMNS, V

_NUM = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
# "0..255", "0 - 255", "0 to 255", "from 1990 to 2020": two numbers joined by a range word; the
# hyphen form needs its numbers to stand alone (not "2-layer", "5-fold", "x-1")
_RANGES = [
    re.compile(rf"\bbetween\s+({_NUM})\s+and\s+({_NUM})(?![\w.])", re.I),
    re.compile(rf"(?:\bin|\brange|\bwithin|\bvalues?|\bspan\w*)\s*[:=]?\s*\[\s*({_NUM})\s*,\s*({_NUM})\s*\]", re.I),
    re.compile(rf"(?<![\w.-])({_NUM})\s*(?:\.\.\.?|\u2013|\u2014|\bto\b)\s*({_NUM})(?![\w.])", re.I),
    re.compile(rf"(?<![\w.,(-])({_NUM})\s?-\s?({_NUM})(?![\w.%/-])"),
]
_BINARY = re.compile(r"(?<![\w./])0\s*/\s*1(?![\w./])")
_ORDERED = re.compile(r"\bsorted\b|\bordered\b|\bin\s+(?:time|date|row)\s+order\b|\bchronolog|\bascending\b|"
                      r"\bdescending\b|\bgrouped\s+by\s+(?:label|class|category|target)|\bclass\s+\d+\s+first\b|"
                      r"\bone\s+class\s+after\s+(?:the\s+)?another\b|\bfolder\s+by\s+folder\b|\bclass\s+by\s+class\b|"
                      r"\blabel\s+by\s+label\b|\bblocks?\s+of\s+(?:each\s+)?(?:class|label)", re.I)
_NOT_ORDERED = re.compile(r"shuffl|random|\bunsorted\b|\bnot\s+(?:sorted|ordered)\b|\bunordered\b", re.I)
_SHAPE = re.compile(r"\(\s*((?:[A-Za-z_]\w*|\d+)\s*,(?:\s*(?:[A-Za-z_]\w*|\d+)\s*,)*(?:\s*(?:[A-Za-z_]\w*|\d+))?)\s*\)")
# a segment about one name: "X: ...", "y_train = ...", "labels are ..."
_NAMED = re.compile(r"(?:^|[;,]\s*|\s{2,})([A-Za-z_]\w{0,30})\s*(?::|=|\bis\b|\bare\b|\bholds\b|\bhas\b)\s*")
_WORDS_NOT_NAMES = {"note", "todo", "fixme", "data", "here", "this", "it", "which", "that", "and", "or", "the", "e",
                    "eg", "i", "ie", "see", "edit", "update", "output", "result", "results", "loss", "accuracy"}


@dataclasses.dataclass
class Described:
    lo: float | None = None
    hi: float | None = None
    ordered: bool = False
    ndim: int | None = None
    n: int | None = None
    width: int | None = None

    def empty(self) -> bool:
        return self.lo is None and not self.ordered and self.ndim is None


# In a comment that names no variable, a bare "2-3" or "10 to 20" is as likely a count of minutes, epochs
# or layers as a range of values: it counts as one only next to a word about values.
_VALUE_WORDS = re.compile(r"\b(?:values?|ranges?|ranging|between|pixels?|prices?|scaled|normali[sz]ed|spans?|"
                          r"from|min|max|years?|targets?|labels?|features?|inputs?|outputs?|in\s*\[)", re.I)


def describe(text: str, named: bool = True) -> Described:
    """The data facts one comment text states (`named`: the text is about one variable, `X: ...`)."""
    d = Described()
    ranges = _RANGES if named or _VALUE_WORDS.search(text) else _RANGES[:2]
    for pattern in ranges:
        m = pattern.search(text)
        if m:
            lo, hi = float(m.group(1)), float(m.group(2))
            if lo < hi:
                d.lo, d.hi = lo, hi
                break
    if d.lo is None and _BINARY.search(text):
        d.lo, d.hi = 0.0, 1.0
    if _ORDERED.search(text) and not _NOT_ORDERED.search(text):
        d.ordered = True
    m = _SHAPE.search(text)
    if m:
        parts = [p.strip() for p in m.group(1).split(",")]
        parts = [p for p in parts if p]
        if 1 <= len(parts) <= 5 and not (len(parts) == 2 and all(re.fullmatch(_NUM, p) for p in parts)
                                         and d.lo is not None and float(parts[0]) == d.lo):
            d.ndim = len(parts)
            d.n = int(parts[0]) if parts[0].isdigit() else None
            if len(parts) == 2 and parts[1].isdigit():
                d.width = int(parts[1])
    return d


def _segments(comment: str) -> tuple[str, dict[str, str]]:
    """The comment's text about no name in particular, and its segments about named variables."""
    body = comment.lstrip("#").strip()
    marks = [(m.start(1), m.end(), m.group(1)) for m in _NAMED.finditer(body)
             if m.group(1).lower() not in _WORDS_NOT_NAMES and not m.group(1).isdigit()]
    if not marks:
        return body, {}
    named: dict[str, str] = {}
    for k, (start, end, name) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else len(body)
        named[name] = body[end:stop]
    return body[:marks[0][0]], named


@dataclasses.dataclass
class CommentFacts:
    by_line: dict[int, Described]         # original line of an assignment -> what its comment says
    by_name: dict[str, Described]         # name -> what a comment segment about that name says


def read_comments(lines: list[str]) -> CommentFacts:
    by_line: dict[int, Described] = {}
    by_name: dict[str, Described] = {}
    block: list[str] = []
    for i, line in enumerate(lines, start=1):
        if "#" not in line:
            if line.strip():
                if block:
                    d = describe(" ".join(block), named=False)
                    if not d.empty() and i not in by_line:
                        by_line[i] = d
                block = []
            else:
                block = []
            continue
        code, comment = _split_comment(line)
        if not comment:
            if line.strip():
                block = []
            continue
        general, named = _segments(comment)
        for name, text in named.items():
            d = describe(text)
            if not d.empty():
                by_name.setdefault(name, d)
        if code.strip():
            if block:
                d = describe(" ".join(block), named=False)
                if not d.empty():
                    by_line.setdefault(i, d)
            d = describe(general if named else comment.lstrip("#"), named=False)
            if not d.empty():
                by_line[i] = _merge(by_line.get(i), d)
            block = []
        elif not named:
            block.append(comment.lstrip("#"))
    return CommentFacts(by_line=by_line, by_name=by_name)


def _merge(a: Described | None, b: Described) -> Described:
    if a is None:
        return b
    return Described(lo=b.lo if b.lo is not None else a.lo, hi=b.hi if b.lo is not None else a.hi,
                     ordered=a.ordered or b.ordered, ndim=b.ndim or a.ndim, n=b.n or a.n, width=b.width or a.width)


def apply_described(val: V, d: Described) -> V:
    """A data value completed with a comment's facts: only what the value does not know already, and
    only for data (not a model, a weight, a prediction, a value read from a file)."""
    if val.kind not in ("unknown", "seq") or val.param or val.dist == "prediction" or val.exact or (
            val.items and any(i.kind in ("layer", "model") for i in val.items)):
        return val
    # an unknown value becomes an array only when the comment gives it values or a shape; an order alone
    # leaves its kind (a table read from a missing file stays a table of unknown columns)
    out = val if val.kind == "seq" or (d.lo is None and d.ndim is None) else V("seq", const=None)
    changes: dict = {}
    if d.lo is not None and not out.known and not (out.cols and all(c.known for c in out.cols)):
        changes.update(lo=d.lo, hi=d.hi)
        if out.cols:
            changes["cols"] = [dataclasses.replace(c, lo=d.lo, hi=d.hi) if not c.known else c for c in out.cols]
        elif d.width and 1 < d.width <= MAX_COLUMNS:
            changes["cols"] = [V("seq", d.lo, d.hi, n=out.n or d.n) for _ in range(d.width)]
    if d.ordered and out.order is None:
        changes["order"] = 1.0
    if d.ndim is not None and out.ndim is None:
        changes["ndim"] = d.ndim
        if d.ndim == 1 and d.n:
            changes["shape"] = (d.n,)
        elif d.ndim == 2 and d.n and d.width:
            changes["shape"] = (d.n, d.width)
    if d.n and out.n is None:
        changes["n"] = d.n
    if not changes:
        return val
    return dataclasses.replace(out, **changes)
