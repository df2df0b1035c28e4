"""Static monitor: read a training script WITHOUT running it and fill a TrainingRun.

Nothing in the script is imported, executed or evaluated. The text goes through four steps:

1. repair, line-preserving, what pasting breaks: code flattened onto one line (seed 2) is re-flowed
   into statements; Python 2 `print x` / `except E, e` / `<>` become Python 3. Each repair is
   recorded in `run.syntax_problems` with its original line and columns.
2. parso (error-tolerant) lists whatever syntax errors remain (lost `if`, bad indentation);
3. the standard `ast` parser reads the repaired text; statements it cannot parse are neutralised
   one at a time (replaced by `pass` / re-indented) so one broken line never hides the rest;
4. a small abstract interpreter walks the module in order, calling the script's own functions with
   the literal arguments of their call sites, and tracks *intervals*: `randint(0, 500)` is integers in
   [0, 499], `random.random()` is [0, 1), `x * y` multiplies intervals, a loop of `range(10000)` that
   appends makes 10 000 samples. Keras / PyTorch calls give the layers, optimisers built and used,
   loss, metrics, epochs and batch size; NumPy assignments of the form `W = W - lr * G` give the
   update rules.

Everything found this way is a guess from literals (`run.data.exact` is False); fields it cannot
recover stay None and rules treat them as unknown.
"""
from __future__ import annotations

import ast
import bisect
import dataclasses
import math
import re
import warnings
from collections import ChainMap
from typing import Any

from nnfit.doctor.run import (
    ColumnStats,
    DataStats,
    LayerInfo,
    LegacyUse,
    OptimizerInfo,
    TrainingConfig,
    TrainingRun,
    UpdateRule,
)

# --------------------------------------------------------------------------------------------------
# Step 1a: code flattened onto one line


FLATTENED_MIN_CHARS = 200
# Columns tracked one by one; a wider array (np.zeros((1, 2**30)) in a pasted test file) keeps a single
# range, so the reader never allocates in proportion to a size written in the script.
MAX_COLUMNS = 256
# parso lists every syntax error in one pass, but takes ~0.5 s per 1,000 lines; above this size the
# errors come from the ast repair loop alone (same messages, found one after another).
PARSO_MAX_LINES = 1200
PARSO_MAX_CHARS = 60_000
_KW_SPLIT = re.compile(
    r"(?<![\w.])(?:def\s+\w+\s*\(|class\s+\w+\s*[:(]|return\b|for\s+[\w, ]+\s+in\s|if\s|elif\s|else\s*:|"
    r"while\s|try\s*:|except\b|finally\s*:|with\s|import\s|from\s+[\w.]+\s+import\s|pass\b|raise\s|break\b|continue\b)"
)
_ASSIGN_START = re.compile(r"(?<![\w.'\"])(?:self\.)?[A-Za-z_][\w.]*(?:\[[^\]]*\])*\s*(?:[-+*/@]?=)(?!=)")
_SELF_CALL_START = re.compile(r"(?<![\w.'\"])self\.\w+(?:\.\w+)*\(")
_DOTTED_CALL_START = re.compile(r"(?<![\w.'\"])[A-Za-z_]\w*(?:\.\w+)+\(")
_COMMENT_CODE_KW = re.compile(
    r"(?<![\w.])(?:def\s+\w+\s*\(|class\s+\w+\s*[:(]|return\b(?!\s+(?:the|a|an)\b)|for\s+\w+(?:\s*,\s*\w+)*\s+in\s+[\w.(\[]|"
    r"if\s+[^:]{1,80}:|else\s*:)"
)
_HEADER = re.compile(r"^(def|class|for|if|elif|else|while|try|except|finally|with)\b")


@dataclasses.dataclass
class _Piece:
    text: str
    col: int  # 0-based column in the original line where `text` starts


def looks_flattened(line: str) -> bool:
    """A line holding a whole program: long, with several statements joined by spaces."""
    if len(line) < FLATTENED_MIN_CHARS:
        return False
    return len(re.findall(r"(?<![\w.])(?:def|class|return|for|import)\s", _mask_strings(line))) >= 2


def _mask_strings(text: str) -> str:
    """Same length, string literals replaced by 'x' (quotes kept) so regexes skip their contents."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            q = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = text.find(q, i + len(q))
            while j > 0 and len(q) == 1 and text[j - 1] == "\\":
                j = text.find(q, j + 1)
            j = n if j < 0 else j
            for k in range(i + len(q), j):
                out[k] = "x"
            i = j + len(q)
        elif c == "#":
            # keep comments (the reflow needs them); a '#' ends nothing here
            i += 1
        else:
            i += 1
    return "".join(out)


def _split_flattened(line: str) -> list[_Piece]:
    """Cut one flattened line into statements (and comments) at depth 0."""
    masked = _mask_strings(line)
    n = len(line)
    cuts: set[int] = set()
    ordered: list[int] = [0]

    def add_cut(k: int) -> None:
        if k not in cuts:
            cuts.add(k)
            bisect.insort(ordered, k)

    def last_cut(k: int) -> int:
        return ordered[bisect.bisect_right(ordered, k) - 1]

    comments: list[tuple[int, int]] = []
    depth = 0
    i = 0
    while i < n:
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif c == "#" and depth == 0:
            # a comment: it ends where code starts again (the newline was lost)
            ends = [m.start() for m in (_ASSIGN_START.search(masked, i + 1), _SELF_CALL_START.search(masked, i + 1),
                                        _COMMENT_CODE_KW.search(masked, i + 1)) if m]
            nxt_hash = masked.find("#", i + 1)
            if nxt_hash >= 0:
                ends.append(nxt_hash)
            end = min(ends) if ends else n
            comments.append((i, end))
            add_cut(i)
            add_cut(end)
            i = end
            continue
        elif c == ":" and depth == 0:
            # end of a compound header: `def f(x):`, `for ...:`, `else:`
            start = last_cut(i)
            head = masked[start:i].strip()
            if _HEADER.match(head) and not head.startswith("lambda"):
                add_cut(i + 1)
        elif depth == 0 and (i == 0 or masked[i - 1] in " \t;"):
            m = _KW_SPLIT.match(masked, i)
            if m:
                word = m.group(0).split()[0].rstrip(":(")
                start = last_cut(i)
                before = masked[max(start, i - 400):i].strip()
                if word in ("if", "else") and before and not before.endswith(":"):
                    # `a = b if c else d`: only a statement when a header colon follows
                    if word == "if" and not re.match(r"if\s[^=]*?:", masked[i:]):
                        i += 1
                        continue
                    if word == "else" and before.rstrip().endswith(")") and "if " in before:
                        i += 1
                        continue
                add_cut(i)
            else:
                m = _ASSIGN_START.match(masked, i) or _DOTTED_CALL_START.match(masked, i)
                if m and i > 0:
                    start = last_cut(i)
                    before = masked[max(start, i - 400):i].strip()
                    # a new statement when the text before it is complete (ends a call/name/literal)
                    if before and not re.search(r"(?:[=+\-*/@,(<>%&|^~:.]|\b(?:and|or|not|in|is|if|else|return|lambda))\s*$", before):
                        add_cut(i)
        elif c == ";" and depth == 0:
            add_cut(i)
            add_cut(i + 1)
        i += 1
    pieces: list[_Piece] = []
    bounds = sorted(cuts | {0, n})
    for a, b in zip(bounds, bounds[1:]):
        text = line[a:b]
        stripped = text.strip().strip(";").strip()
        if not stripped:
            continue
        lead = len(text) - len(text.lstrip())
        pieces.append(_Piece(stripped, a + lead))
    return pieces


def reflow(line: str) -> list[tuple[int, _Piece]]:
    """Statements of a flattened line with a guessed indentation level each: [(level, piece)]."""
    pieces = _split_flattened(line)
    # `passNeural_Net(...)`: a `pass` glued onto the next statement
    classes = set(re.findall(r"class\s+(\w+)", line)) | set(re.findall(r"def\s+(\w+)", line))
    fixed: list[_Piece] = []
    for p in pieces:
        m = re.match(r"pass(\w+)", p.text)
        if m and any(m.group(1).startswith(c) for c in classes):
            fixed.append(_Piece("pass", p.col))
            fixed.append(_Piece(p.text[4:], p.col + 4))
        else:
            fixed.append(p)
    out: list[tuple[int, _Piece]] = []
    stack: list[tuple[str, int]] = []  # open headers (keyword, level)
    level = 0
    in_class = False
    class_names = set(re.findall(r"class\s+(\w+)", line))
    for p in fixed:
        text = p.text
        if text.startswith("#"):
            out.append((level, p))
            continue
        kw = (_HEADER.match(text).group(1) if _HEADER.match(text) else None)
        if kw == "class":
            level = 0
            stack = []
            in_class = True
        elif kw == "def":
            level = 1 if in_class else 0
            stack = [s for s in stack if s[1] < level]
        elif kw in ("else", "elif", "except", "finally"):
            opener = {"else": ("if", "elif", "for", "while", "try", "except"), "elif": ("if", "elif"),
                      "except": ("try", "except"), "finally": ("try", "except", "else")}[kw]
            for j in range(len(stack) - 1, -1, -1):
                if stack[j][0] in opener:
                    level = stack[j][1]
                    stack = stack[:j]
                    break
        elif any(text.startswith(c + "(") for c in class_names) and out and out[-1][1].text == "pass":
            level = 0
            in_class = False
            stack = []
        out.append((level, p))
        if kw and text.rstrip().endswith(":"):
            stack.append((kw, level))
            level += 1
    return out


# --------------------------------------------------------------------------------------------------
# Step 1b: Python 2 constructs, repaired on their own lines

_PRINT_STMT = re.compile(r"^(\s*)print(?:\s+(?![\s(=.,)\]])|\s*>>)")
_EXCEPT_COMMA = re.compile(r"^(\s*except\s+[\w.]+|\s*except\s*\([^)]*\))\s*,\s*(\w+)\s*:")
_RAISE_COMMA = re.compile(r"^(\s*raise\s+[\w.]+)\s*,\s*(.+)$")
_LONG_LIT = re.compile(r"\b(\d+)[lL]\b")


def _logical_end(lines: list[str], i: int) -> int:
    """Index of the last physical line of the statement starting at line i (backslash / brackets)."""
    depth = 0
    j = i
    while j < len(lines):
        masked = _mask_strings(lines[j]).split("#")[0]
        depth += sum(masked.count(c) for c in "([{") - sum(masked.count(c) for c in ")]}")
        if masked.rstrip().endswith("\\") or depth > 0:
            j += 1
            continue
        return j
    return len(lines) - 1


def repair_python2(lines: list[str], problems: list[dict[str, Any]], line_map: list[tuple[int, int]]) -> list[str]:
    out = list(lines)
    i = 0
    while i < len(out):
        text = out[i]
        masked = _mask_strings(text)
        m = _PRINT_STMT.match(masked)
        if m:
            end = _logical_end(out, i)
            indent = m.group(1)
            body = text[len(indent):]
            body = re.sub(r"^print\s*>>\s*([\w.]+)\s*,", r"print(file=\1, *[", body)
            starred = body.startswith("print(file=")
            body = body if starred else "print(" + body[len("print"):].lstrip()
            out[i] = indent + body
            last = out[end]
            code, comment = _split_comment(last)
            code = code.rstrip()
            trailing_comma = code.endswith(",") and end == i
            if trailing_comma:
                code = code[:-1] + ", end=' '"
            out[end] = code + ("])" if starred else ")") + (("  " + comment) if comment else "")
            orig_line, orig_col = line_map[i]
            problems.append({
                "line": orig_line, "column": orig_col + len(indent) + 1,
                "end_column": orig_col + len(indent) + len(lines[i].strip()) + 1,
                "kind": "print-statement",
                "message": "Python 2 print statement: Python 3 cannot parse it",
                "fix": "print(" + lines[i].strip()[len("print"):].strip().rstrip("\\").strip() + (" ...)" if end > i else ")"),
            })
            i = end + 1
            continue
        m = _EXCEPT_COMMA.match(masked)
        if m:
            out[i] = text[:m.end(1)] + " as " + m.group(2) + ":" + text[m.end():]
            problems.append({"line": line_map[i][0], "kind": "except-comma",
                             "column": line_map[i][1] + len(text) - len(text.lstrip()) + 1,
                             "end_column": line_map[i][1] + m.end() + 1,
                             "message": "Python 2 `except E, e:`", "fix": f"except ... as {m.group(2)}:"})
        elif "<>" in masked:
            k = masked.index("<>")
            out[i] = text.replace("<>", "!=")
            problems.append({"line": line_map[i][0], "kind": "diamond", "column": line_map[i][1] + k + 1,
                             "end_column": line_map[i][1] + k + 3, "message": "Python 2 `<>` operator", "fix": "use `!=`"})
        elif _RAISE_COMMA.match(masked) and "(" not in masked.split(",")[0]:
            m = _RAISE_COMMA.match(text)
            if m:
                out[i] = f"{m.group(1)}({m.group(2)})"
                problems.append({"line": line_map[i][0], "kind": "raise-comma", "column": line_map[i][1] + 1,
                                 "end_column": line_map[i][1] + len(text) + 1,
                                 "message": "Python 2 `raise E, message`", "fix": f"{m.group(1).strip()}({m.group(2).strip()})"})
        elif _LONG_LIT.search(masked.split("#")[0]):
            out[i] = _LONG_LIT.sub(r"\1", text)
            problems.append({"line": line_map[i][0], "kind": "long-literal", "message": "Python 2 long literal `10L`",
                             "fix": "drop the L suffix"})
        i += 1
    return out


def _split_comment(text: str) -> tuple[str, str]:
    masked = _mask_strings(text)
    k = masked.find("#")
    return (text, "") if k < 0 else (text[:k], text[k:])


# --------------------------------------------------------------------------------------------------
# Step 2-3: parse, tolerating errors


def _parso_problems(text: str, line_map: list[tuple[int, int]]) -> list[dict[str, Any]]:
    import parso

    grammar = parso.load_grammar()
    module = grammar.parse(text, error_recovery=True)
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    for err in grammar.iter_errors(module):
        line = err.start_pos[0]
        if line in seen or line > len(line_map):
            continue
        seen.add(line)
        orig, col = line_map[line - 1]
        msg = err.message
        kind = "indentation" if "indent" in msg.lower() else "syntax"
        found.append({"line": orig, "column": col + err.start_pos[1] + 1, "kind": kind, "message": msg,
                      "fix": "fix the indentation of this block" if kind == "indentation"
                      else "make this line valid Python 3"})
    return found


def _quiet_parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning for odd literals in pasted code
        return ast.parse(text)


_CONTINUES_BLOCK = re.compile(r"^(else\b|elif\b|except\b|finally\b|[)\]}])")


def _top_level_chunks(lines: list[str]) -> list[tuple[int, int]]:
    """[start, end) line ranges, each starting at a top-level statement (column 0, outside brackets/strings)."""
    masked = _mask_strings("\n".join(lines)).split("\n")
    starts = [0]
    depth = 0
    for i, m in enumerate(masked):
        code = m.split("#")[0]
        if i > 0 and depth == 0 and code[:1] not in ("", " ", "\t") and not _CONTINUES_BLOCK.match(code) \
                and not masked[i - 1].rstrip().endswith("\\"):
            prev = next((masked[k] for k in range(i - 1, -1, -1) if masked[k].strip()), "")
            if not prev.lstrip().startswith("@"):
                starts.append(i)
        depth = max(0, depth + sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}"))
    return [(a, b) for a, b in zip(starts, starts[1:] + [len(lines)]) if a < b]


def _parse_tolerant(lines: list[str], max_repairs: int = 200) -> tuple[ast.Module, list[tuple[int, str]]]:
    """Parse the whole text; when Python rejects it, parse each top-level statement on its own (so a file
    with a hundred broken lines costs a hundred small parses, not a hundred parses of the whole file)."""
    try:
        return _quiet_parse("\n".join(lines) + "\n"), []
    except SyntaxError:
        pass
    body: list[ast.stmt] = []
    dropped: list[tuple[int, str]] = []
    for start, end in _top_level_chunks(lines):
        chunk = lines[start:end]
        tree, errs = _parse_chunk(chunk, max_repairs=50)
        ast.increment_lineno(tree, start)
        body.extend(tree.body)
        dropped.extend((ln + start, msg) for ln, msg in errs)
    return ast.Module(body=body, type_ignores=[]), dropped


def _with_pass(header: str) -> str:
    code, comment = _split_comment(header)
    return code.rstrip() + " pass" + ("  " + comment if comment else "")


def _parse_chunk(lines: list[str], max_repairs: int = 200) -> tuple[ast.Module, list[tuple[int, str]]]:
    """ast-parse, neutralising each statement Python rejects; returns the tree and what was neutralised.

    Every repair changes the text at or after the reported line, and a line reported twice is blanked,
    so the loop always ends; after max_repairs the rest of the file from the last error is dropped.
    """
    work = list(lines)
    dropped: list[tuple[int, str]] = []
    seen: dict[int, int] = {}
    for _ in range(max_repairs):
        try:
            return _quiet_parse("\n".join(work) + "\n"), dropped
        except SyntaxError as exc:
            msg = exc.msg or "invalid syntax"
            ln = (exc.lineno or 1) - 1
            if ln >= len(work):  # at the end of the file: a header without a body
                last = next((k for k in range(len(work) - 1, -1, -1) if work[k].strip()), 0)
                work[last] = _with_pass(work[last])
                dropped.append((last + 1, msg))
                continue
            seen[ln] = seen.get(ln, 0) + 1
            prev = next((work[k] for k in range(ln - 1, -1, -1) if work[k].strip() and not work[k].strip().startswith("#")), "")
            prev_indent = len(prev) - len(prev.lstrip())
            cur = work[ln]
            cur_indent = len(cur) - len(cur.lstrip())
            if seen[ln] > 2:
                work[ln] = ""  # no progress on this line: drop it
            elif "expected an indented block" in msg:
                m = re.search(r"on line (\d+)", msg)
                h = int(m.group(1)) - 1 if m else ln - 1          # the header line (0-based)
                h = min(max(h, 0), len(work) - 1)
                h_indent = len(work[h]) - len(work[h].lstrip())
                nxt = h + 1
                if nxt < len(work) and work[nxt].strip() and seen.get(nxt, 0) <= 1 and \
                        len(work[nxt]) - len(work[nxt].lstrip()) <= h_indent:
                    work[nxt] = " " * (h_indent + 4) + work[nxt].lstrip()
                    seen[nxt] = seen.get(nxt, 0) + 1
                else:
                    work[h] = _with_pass(work[h])   # `def f():` -> `def f(): pass` (line numbers unchanged)
            elif "unexpected indent" in msg or "unindent does not match" in msg:
                target = prev_indent + 4 if prev.rstrip().endswith(":") else prev_indent
                if target == cur_indent:
                    target = 0
                work[ln] = " " * target + cur.lstrip()
            else:
                end = _logical_end(work, ln)
                if exc.end_lineno and exc.end_lineno - 1 > end:
                    end = min(len(work) - 1, exc.end_lineno - 1)
                for k in range(ln, end + 1):
                    work[k] = (" " * cur_indent + "pass") if k == ln else ""
                if not cur.strip():  # the error is on an empty line: drop the statement before
                    k = ln - 1
                    while k > 0 and not work[k].strip():
                        k -= 1
                    work[k] = " " * (len(work[k]) - len(work[k].lstrip())) + "pass"
            dropped.append((ln + 1, msg))
    last_error = dropped[-1][0] - 1 if dropped else len(work)
    try:
        return _quiet_parse("\n".join(work[:last_error]) + "\n"), dropped
    except SyntaxError:
        return ast.parse(""), dropped


# --------------------------------------------------------------------------------------------------
# Step 4: abstract values


@dataclasses.dataclass
class V:
    """What the interpreter knows about a value. Element ranges are intervals; n is a sample count."""
    kind: str = "unknown"    # num, seq, tuple, func, class, obj, str, model, opt, layer, none, unknown, loss
    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    n: int | None = None                 # rows (samples) of an array / list
    cols: list["V"] | None = None        # per-column values of a 2-D array
    items: list["V"] | None = None       # tuple / small list contents
    const: Any = None                    # a literal (number, string, list of strings)
    node: Any = None                     # defining ast node (functions, lambdas)
    ref: Any = None                      # model / optimiser / layer record
    line: int | None = None
    dist: str | None = None              # "normal" for randn-like values
    mutable_list: bool = False           # a Python list built by append
    shape: tuple | None = None           # literal array shape, when created with one

    @property
    def known(self) -> bool:
        return self.lo is not None and self.hi is not None

    def elem(self) -> "V":
        """One element (row) of a sequence."""
        if self.cols and len(self.cols) == 1:
            return dataclasses.replace(self.cols[0], n=None)
        if self.cols:
            return V("seq", *_union_range(self.cols), integer=all(c.integer for c in self.cols),
                     n=None, cols=None, items=[dataclasses.replace(c, n=None) for c in self.cols])
        return dataclasses.replace(self, n=None, kind="num" if self.kind in ("seq", "num") else self.kind, mutable_list=False)


UNKNOWN = V()


def num(lo: float | None, hi: float | None = None, integer: bool = False, n: int | None = None, **kw: Any) -> V:
    return V("num" if n is None else "seq", lo, lo if hi is None else hi, integer, n, **kw)


def const(value: Any) -> V:
    if isinstance(value, bool):
        return V("num", float(value), float(value), True, const=value)
    if isinstance(value, (int, float)):
        f = float(value)
        return V("num", f, f, isinstance(value, int) or f.is_integer(), const=value)
    if isinstance(value, str):
        return V("str", const=value)
    if value is None:
        return V("none", const=None)
    return V(const=value)


def _union_range(vals: list[V]) -> tuple[float | None, float | None]:
    if not vals or any(not v.known for v in vals):
        return None, None
    return min(v.lo for v in vals), max(v.hi for v in vals)


def _n_of(*vals: V) -> int | None:
    for v in vals:
        if v.n is not None:
            return v.n
    return None


def _safe(f: Any, *args: float) -> float | None:
    try:
        out = f(*args)
    except (OverflowError, ValueError, ZeroDivisionError):
        return None
    return out if isinstance(out, float) and math.isfinite(out) else (float(out) if isinstance(out, int) else None)


def binop(op: ast.operator, a: V, b: V) -> V:
    if a.cols or b.cols:  # column-wise when shapes agree
        ca = a.cols or [a] * len(b.cols or [])
        cb = b.cols or [b] * len(ca)
        if len(ca) == len(cb):
            cols = [binop(op, x, y) for x, y in zip(ca, cb)]
            lo, hi = _union_range(cols)
            return V("seq", lo, hi, all(c.integer for c in cols), _n_of(a, b), cols=cols)
    n = _n_of(a, b)
    kind = "seq" if n is not None or "seq" in (a.kind, b.kind) else "num"
    if a.kind == "str" or b.kind == "str":
        return V("str")
    if not (a.known and b.known):
        return V(kind, n=n)
    integer = a.integer and b.integer
    if isinstance(op, ast.Add):
        lo, hi = a.lo + b.lo, a.hi + b.hi
    elif isinstance(op, ast.Sub):
        lo, hi = a.lo - b.hi, a.hi - b.lo
    elif isinstance(op, (ast.Mult, ast.MatMult)):
        ps = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        lo, hi = min(ps), max(ps)
        if isinstance(op, ast.MatMult):
            return V(kind, n=n)
    elif isinstance(op, ast.Div):
        if b.lo <= 0 <= b.hi:
            return V(kind, n=n)
        ps = [x / y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        lo, hi, integer = min(ps), max(ps), False
    elif isinstance(op, ast.FloorDiv):
        if b.lo <= 0 <= b.hi:
            return V(kind, n=n)
        ps = [x // y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        lo, hi = min(ps), max(ps)
    elif isinstance(op, ast.Mod):
        if b.known and b.lo > 0:
            lo, hi = 0.0, b.hi
        else:
            return V(kind, n=n)
    elif isinstance(op, ast.Pow):
        if b.lo != b.hi:
            return V(kind, n=n)
        e = b.lo
        cands = [_safe(math.pow, x, e) for x in (a.lo, a.hi)]
        if a.lo < 0 < a.hi and e > 0:
            cands.append(0.0)
        if any(c is None for c in cands):
            return V(kind, n=n)
        lo, hi = min(cands), max(cands)
        integer = integer and e >= 0
    else:
        return V(kind, n=n)
    keep = None
    if isinstance(op, (ast.Mult, ast.Div)):
        if b.lo == b.hi and b.n is None:
            keep = a
        elif a.lo == a.hi and a.n is None and isinstance(op, ast.Mult):
            keep = b
    return V(kind, lo, hi, integer, n, dist=keep.dist if keep else None, shape=keep.shape if keep else None)


_MONOTONE = {
    "exp": math.exp, "log": math.log, "log10": math.log10, "log2": math.log2, "sqrt": math.sqrt,
    "tanh": math.tanh, "arctan": math.atan, "atan": math.atan, "log1p": math.log1p, "expm1": math.expm1,
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)), "cbrt": lambda x: math.copysign(abs(x) ** (1 / 3), x),
    "arcsinh": math.asinh, "sinh": math.sinh,
}


def apply_func(name: str, arg: V) -> V:
    kind = "seq" if arg.n is not None else "num"
    if arg.cols:
        cols = [apply_func(name, c) for c in arg.cols]
        lo, hi = _union_range(cols)
        return V("seq", lo, hi, False, arg.n, cols=cols)
    if not arg.known:
        if name in ("sin", "cos"):
            return V(kind, -1.0, 1.0, n=arg.n)
        if name in ("tanh",):
            return V(kind, -1.0, 1.0, n=arg.n)
        if name in ("sigmoid",):
            return V(kind, 0.0, 1.0, n=arg.n)
        return V(kind, n=arg.n)
    if name in ("sin", "cos"):
        f = math.sin if name == "sin" else math.cos
        if arg.hi - arg.lo >= 2 * math.pi:
            return V(kind, -1.0, 1.0, n=arg.n)
        pts = [arg.lo + (arg.hi - arg.lo) * k / 512 for k in range(513)]
        vals = [f(p) for p in pts]
        return V(kind, min(vals), max(vals), n=arg.n)
    if name in ("abs", "fabs", "absolute"):
        lo = 0.0 if arg.lo <= 0 <= arg.hi else min(abs(arg.lo), abs(arg.hi))
        return V(kind, lo, max(abs(arg.lo), abs(arg.hi)), arg.integer, arg.n)
    if name in ("square",):
        return binop(ast.Pow(), arg, const(2))
    if name in ("round", "floor", "ceil", "rint", "int"):
        return V(kind, math.floor(arg.lo), math.ceil(arg.hi), True, arg.n)
    if name in ("float", "float32", "float64", "asarray", "array"):
        return arg
    f = _MONOTONE.get(name)
    if f is None:
        return V(kind, n=arg.n)
    a, b = _safe(f, arg.lo), _safe(f, arg.hi)
    if a is None or b is None:
        return V(kind, n=arg.n)
    return V(kind, min(a, b), max(a, b), False, arg.n)


# --------------------------------------------------------------------------------------------------
# Framework vocabulary

KERAS_LAYERS = {
    "Dense": "dense", "Activation": "activation", "Dropout": "dropout", "BatchNormalization": "batchnorm",
    "LayerNormalization": "batchnorm", "Flatten": "other", "Input": "input", "InputLayer": "input",
    "Conv1D": "other", "Conv2D": "other", "Convolution2D": "other", "LSTM": "other", "GRU": "other",
    "SimpleRNN": "other", "Embedding": "other", "LeakyReLU": "activation", "ReLU": "activation",
    "PReLU": "activation", "ELU": "activation", "Normalization": "other",
}
TORCH_LAYERS = {"Linear": "dense", "Dropout": "dropout", "BatchNorm1d": "batchnorm", "LayerNorm": "batchnorm",
                "Flatten": "other", "Conv1d": "other", "Conv2d": "other", "LSTM": "other", "GRU": "other"}
TORCH_ACTIVATIONS = {"ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "LeakyReLU": "leaky_relu", "ELU": "elu",
                     "GELU": "gelu", "SiLU": "silu", "Softplus": "softplus", "Softmax": "softmax", "SELU": "selu",
                     "Hardtanh": "hard_tanh", "Softsign": "softsign", "Identity": "linear", "Mish": "mish",
                     "LogSigmoid": "log_sigmoid", "ReLU6": "relu6"}
FUNC_ACTIVATIONS = {"relu", "sigmoid", "tanh", "elu", "selu", "gelu", "silu", "softplus", "softmax", "leaky_relu",
                    "softsign", "hard_sigmoid", "swish", "relu6", "mish", "exponential", "linear", "hardtanh"}
OPTIMIZERS = {"sgd": "sgd", "adam": "adam", "rmsprop": "rmsprop", "adagrad": "adagrad", "adadelta": "adadelta",
              "adamax": "adamax", "nadam": "nadam", "adamw": "adamw", "lbfgs": "lbfgs", "ftrl": "ftrl",
              "lion": "lion", "radam": "radam"}
KERAS_DEFAULT_LR = {"sgd": 0.01, "adam": 0.001, "rmsprop": 0.001, "adagrad": 0.001, "adadelta": 0.001,
                    "adamax": 0.001, "nadam": 0.001, "adamw": 0.001, "ftrl": 0.001, "lion": 0.001}
TORCH_DEFAULT_LR = {"sgd": 0.001, "adam": 0.001, "rmsprop": 0.01, "adagrad": 0.01, "adadelta": 1.0,
                    "adamax": 0.002, "nadam": 0.002, "adamw": 0.001, "lbfgs": 1.0, "radam": 0.001}
TORCH_LOSSES = {"MSELoss": "mse", "L1Loss": "mae", "SmoothL1Loss": "smoothl1loss", "HuberLoss": "huber",
                "CrossEntropyLoss": "crossentropyloss", "BCELoss": "bceloss", "BCEWithLogitsLoss": "bcewithlogitsloss",
                "NLLLoss": "nllloss"}
F_LOSSES = {"mse_loss": "mse", "l1_loss": "mae", "cross_entropy": "crossentropyloss", "smooth_l1_loss": "smoothl1loss",
            "binary_cross_entropy": "bceloss", "huber_loss": "huber"}

# Keras 1/2 names and their Keras 3 replacements: (context, old) -> (new, note)
LEGACY_KWARGS = {
    "layer": {
        "init": ("kernel_initializer", "Keras 3 rejects `init=`"),
        "output_dim": ("units", "Keras 3 rejects `output_dim=`"),
        "W_regularizer": ("kernel_regularizer", ""), "b_regularizer": ("bias_regularizer", ""),
        "W_constraint": ("kernel_constraint", ""), "b_constraint": ("bias_constraint", ""),
        "bias": ("use_bias", ""), "border_mode": ("padding", ""), "subsample": ("strides", ""),
        "nb_filter": ("filters", ""), "dropout_W": ("dropout", ""), "dropout_U": ("recurrent_dropout", ""),
        "p": ("rate", "Dropout(p=) is Keras 1"),
    },
    "optimizer": {
        "lr": ("learning_rate", "Keras 3 rejects `lr=`"),
        "decay": ("learning_rate=keras.optimizers.schedules.InverseTimeDecay(...)",
                  "Keras 3 ignores `decay=` with a warning"),
    },
    "fit": {
        "nb_epoch": ("epochs", "Keras 3 rejects `nb_epoch=`"),
        "samples_per_epoch": ("steps_per_epoch", ""), "nb_val_samples": ("validation_steps", ""),
        "nb_worker": ("workers", ""), "pickle_safe": ("use_multiprocessing", ""),
    },
}
LEGACY_METHODS = {
    "fit_generator": "fit", "predict_generator": "predict", "evaluate_generator": "evaluate",
    "train_on_batch_generator": "train_on_batch",
    "predict_classes": "np.argmax(model.predict(x), axis=-1)", "predict_proba": "model.predict(x)",
}
LEGACY_IMPORTS = {
    "keras.layers.core": "keras.layers", "keras.layers.convolutional": "keras.layers",
    "keras.layers.recurrent": "keras.layers", "keras.layers.advanced_activations": "keras.layers",
    "keras.layers.normalization": "keras.layers", "keras.layers.embeddings": "keras.layers",
    "keras.layers.pooling": "keras.layers", "keras.utils.np_utils": "keras.utils",
    "keras.wrappers.scikit_learn": "scikeras.wrappers", "keras.engine.topology": "keras.layers",
    "keras.backend.tensorflow_backend": "keras.backend",
}
LEGACY_NAMES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Merge": "Concatenate", "merge": "concatenate",
                "MaxoutDense": "Dense"}
_PARAM_NAME = re.compile(r"^(?:w|W|b|B|weights?|Weights?|bias(?:es)?|Bias(?:es)?|theta|kernel|params?)(?:_?\w*)?$")
_GRAD_NAME = re.compile(r"(?i)(grad|partial|delta|^d[A-Z_a-z]|^d_)")
_LR_NAME = re.compile(r"(?i)(lr|learning_rate|learningrate|alpha|eta|step_?size|rate)")


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _last(name: str | None) -> str:
    return (name or "").rsplit(".", 1)[-1]


@dataclasses.dataclass
class _Loop:
    """A loop whose body takes optimiser steps (torch): the outermost counts epochs, inner ones batches."""
    count: int | None
    line: int
    depth: int
    batch: int | None
    batch_loop: bool


@dataclasses.dataclass
class _Model:
    name: str
    framework: str
    layers: list[LayerInfo] = dataclasses.field(default_factory=list)
    line: int | None = None


class _Interp:
    MAX_STEPS = 100_000
    MAX_DEPTH = 6
    MAX_VISITS = 4

    def __init__(self, mapper: "_Mapper") -> None:
        self.map = mapper
        self.steps = 0
        self.depth = 0
        self.funcs: dict[str, list[ast.AST]] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.visited_funcs: set[int] = set()
        self.seen_layers: dict[tuple[int, int], LayerInfo] = {}
        self.models: list[_Model] = []
        self.model_by_layerkey: dict[tuple[int, int], _Model] = {}
        self.optimizers: dict[tuple[int, int], OptimizerInfo] = {}
        self.opt_node: dict[tuple[int, int], ast.AST] = {}
        self.compiled: OptimizerInfo | None = None
        self.config = TrainingConfig()
        self.legacy: dict[tuple[int, int, str], LegacyUse] = {}
        self.data: DataStats | None = None
        self.fit_calls: list[tuple[int, V, V]] = []
        self.updates: dict[tuple[int, str], UpdateRule] = {}
        self.framework_hint: set[str] = set()
        self.stepped_vars: set[str] = set()
        self.loss_fns: dict[str, str] = {}
        self.torch_modules: dict[str, _Model] = {}
        self.epoch_loops: list[tuple[int, int]] = []   # (count, line) of loops containing a training step
        self.loop_counts: list[int] = []
        self.batch_sizes: list[tuple[int, int]] = []
        self.torch_data: tuple[V, V, int] | None = None
        self.gradient_names: dict[str, int] = {}   # attribute/var names assigned gradient-like values
        self.update_reads: set[str] = set()
        self.layer_counter: dict[str, int] = {}
        self._globals: dict[int, set[str]] = {}
        self.visits: dict[int, int] = {}
        self.global_names: set[str] = set()

    # ---- locations
    def key(self, node: ast.AST) -> tuple[int, int]:
        return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))

    def line(self, node: ast.AST) -> int | None:
        return self.map.line(getattr(node, "lineno", None))

    def span(self, node: ast.AST) -> tuple[int, int] | None:
        return self.map.span(node)

    # ---- module walk
    def run_module(self, tree: ast.Module) -> None:
        self.global_names = {n for s in _nodes(tree) if isinstance(s, ast.Global) for n in s.names}
        for node in _nodes(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.funcs.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
        env: dict[str, V] = {}
        self.exec_block(tree.body, env, 1)
        # functions never called from the module body: read them once with unknown arguments
        for name, defs in list(self.funcs.items()):
            for fn in defs:
                if id(fn) not in self.visited_funcs and self.steps < self.MAX_STEPS:
                    self.call_user(fn, [], {}, env, 1, self_obj=None)
        for cls in self.classes.values():
            self.scan_class(cls, env)

    def scan_class(self, cls: ast.ClassDef, env: dict[str, V]) -> None:
        """NumPy update rules and torch modules defined as classes."""
        for fn in cls.body:
            if isinstance(fn, ast.FunctionDef) and id(fn) not in self.visited_funcs:
                self.call_user(fn, [], {}, env, 1, self_obj=V("obj", const=cls.name))

    def exec_block(self, body: list[ast.stmt], env: dict[str, V], mult: int) -> V | None:
        ret: V | None = None
        for stmt in body:
            self.steps += 1
            if self.steps > self.MAX_STEPS:
                return ret
            r = self.exec_stmt(stmt, env, mult)
            if r is not None:
                ret = r
        return ret

    def exec_stmt(self, stmt: ast.stmt, env: dict[str, V], mult: int) -> V | None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.imports(stmt)
        elif isinstance(stmt, ast.Assign):
            val = self.eval(stmt.value, env, mult)
            for target in stmt.targets:
                self.assign(target, val, env, stmt)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, env, mult), env, stmt)
        elif isinstance(stmt, ast.AugAssign):
            cur = self.eval(stmt.target, env, mult)
            val = self.eval(stmt.value, env, mult)
            self.note_update_aug(stmt, env)
            self.assign(stmt.target, binop(stmt.op, cur, val), env, stmt, aug=True)
        elif isinstance(stmt, ast.Expr):
            self.eval(stmt.value, env, mult)
        elif isinstance(stmt, ast.Return):
            return self.eval(stmt.value, env, mult) if stmt.value is not None else V("none")
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            it = self.eval(stmt.iter, env, mult)
            count = it.n if it.n is not None else (len(it.items) if it.items is not None else None)
            if it.kind == "seq" or it.items is not None or count is not None:
                self.assign(stmt.target, it.elem() if it.items is None or it.cols else
                            V("num", *_union_range(it.items), n=None) if it.items else UNKNOWN, env, stmt)
            else:
                self.assign(stmt.target, UNKNOWN, env, stmt)
            inner = mult * (count if count else 1)
            step_seen_before = self._step_calls
            depth = len(self.loop_counts)
            self.loop_counts.append(count or 0)
            r = self.exec_block(stmt.body, env, inner)
            self.loop_counts.pop()
            if self._step_calls > step_seen_before:
                batch_step = None
                if isinstance(stmt.iter, ast.Call) and _dotted(stmt.iter.func) == "range" and len(stmt.iter.args) == 3:
                    st = self.eval(stmt.iter.args[2], env, mult)
                    if isinstance(st.const, int) and st.const > 1:
                        batch_step = st.const
                loader_batch = it.const if it.kind == "loader" and isinstance(it.const, int) else None
                self.epoch_loops.append(_Loop(count, self.line(stmt) or 0, depth, batch_step or loader_batch,
                                              it.kind == "loader" or batch_step is not None))
            self.exec_block(stmt.orelse, env, mult)
            if r is not None:
                return r
        elif isinstance(stmt, ast.While):
            self.eval(stmt.test, env, mult)
            r = self.exec_block(stmt.body, env, mult)
            if r is not None:
                return r
        elif isinstance(stmt, ast.If):
            self.eval(stmt.test, env, mult)
            r1 = self.exec_block(stmt.body, env, mult)
            r2 = self.exec_block(stmt.orelse, env, mult)
            return r1 or r2
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self.eval(item.context_expr, env, mult)
            return self.exec_block(stmt.body, env, mult)
        elif isinstance(stmt, ast.Try):
            r = self.exec_block(stmt.body, env, mult)
            for h in stmt.handlers:
                self.exec_block(h.body, env, mult)
            self.exec_block(stmt.orelse, env, mult)
            self.exec_block(stmt.finalbody, env, mult)
            return r
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env[stmt.name] = V("func", node=stmt)
        elif isinstance(stmt, ast.ClassDef):
            env[stmt.name] = V("class", node=stmt, const=stmt.name)
        return None

    _step_calls = 0

    # ---- imports: legacy module paths
    def imports(self, stmt: ast.stmt) -> None:
        mod = stmt.module if isinstance(stmt, ast.ImportFrom) else None
        names = [a.name for a in stmt.names]
        for full in ([mod] if mod else names):
            if not full:
                continue
            if full.split(".")[0] in ("keras", "tensorflow"):
                self.framework_hint.add("keras")
            if full.split(".")[0] == "torch":
                self.framework_hint.add("torch")
            if full in LEGACY_IMPORTS:
                self.add_legacy(full, LEGACY_IMPORTS[full], stmt, None)
        if isinstance(stmt, ast.ImportFrom):
            for a in stmt.names:
                if a.name in LEGACY_NAMES:
                    self.add_legacy(a.name, LEGACY_NAMES[a.name], stmt, None)

    def add_legacy(self, old: str, new: str, node: ast.AST, span_node: ast.AST | None) -> None:
        line = self.line(node)
        span = self.span(span_node or node)
        k = (line or 0, span[0] if span else 0, old)
        if k not in self.legacy:
            self.legacy[k] = LegacyUse(old=old, new=new, line=line, span=span)

    # ---- assignment
    def assign(self, target: ast.AST, val: V, env: dict[str, V], stmt: ast.stmt, aug: bool = False) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = val
            self.bind_name(target.id, val)
            if isinstance(stmt, ast.Assign) and not aug and len(stmt.targets) == 1:
                self._note_update(target, stmt.value, stmt, env, aug_op=None)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = val.items if val.items is not None else None
            for i, t in enumerate(target.elts):
                if isinstance(t, ast.Starred):
                    continue
                if items is not None and i < len(items):
                    self.assign(t, items[i], env, stmt)
                elif val.cols and i < len(val.cols) and val.kind != "tuple":
                    self.assign(t, val.cols[i], env, stmt)
                else:
                    self.assign(t, UNKNOWN, env, stmt)
        elif isinstance(target, ast.Attribute):
            name = _dotted(target)
            if name:
                env[name] = val
                self.bind_name(target.attr, val)
                if isinstance(stmt, ast.Assign) and not aug:
                    self.note_update_assign(target, stmt, env)
        elif isinstance(target, ast.Subscript):
            base = _dotted(target.value)
            if base and base in env and env[base].kind == "seq" and not isinstance(target.slice, ast.Constant):
                pass
        if isinstance(stmt, ast.Assign) and isinstance(target, (ast.Name, ast.Attribute)):
            nm = target.id if isinstance(target, ast.Name) else target.attr
            if _GRAD_NAME.search(nm):
                self.gradient_names[nm] = self.line(stmt) or 0  # the last assignment: the computed one

    def bind_name(self, name: str, val: V) -> None:
        if val.kind == "opt" and isinstance(val.ref, OptimizerInfo) and val.ref.variable is None:
            val.ref.variable = name
        if val.kind == "model" and isinstance(val.ref, _Model) and val.ref.name.startswith("<"):
            val.ref.name = name
        if val.kind == "loss":
            self.loss_fns[name] = val.const

    # ---- expressions
    def eval(self, node: ast.AST | None, env: dict[str, V], mult: int = 1) -> V:
        self.steps += 1
        if node is None or self.steps > self.MAX_STEPS:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return const(node.value)
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in self.funcs:
                return V("func", node=self.funcs[node.id][-1])
            if node.id in self.classes:
                return V("class", node=self.classes[node.id], const=node.id)
            return V("unknown", const=None)
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted in env:
                return env[dotted]
            base = self.eval(node.value, env, mult)
            if node.attr == "T":
                return base
            if node.attr in ("pi",):
                return const(math.pi)
            if node.attr == "e" and _dotted(node.value) in ("math", "np", "numpy"):
                return const(math.e)
            return UNKNOWN
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand, env, mult)
            if isinstance(node.op, ast.USub):
                if v.known:
                    return dataclasses.replace(v, lo=-v.hi, hi=-v.lo,
                                               const=-v.const if isinstance(v.const, (int, float)) else None,
                                               cols=[dataclasses.replace(c, lo=-c.hi, hi=-c.lo) if c.known else c
                                                     for c in v.cols] if v.cols else None)
                return dataclasses.replace(v, lo=None, hi=None, const=None)
            return v
        if isinstance(node, ast.BinOp):
            a, b = self.eval(node.left, env, mult), self.eval(node.right, env, mult)
            out = binop(node.op, a, b)
            if isinstance(a.const, (int, float)) and isinstance(b.const, (int, float)) and not isinstance(a.const, bool):
                try:
                    value = _const_binop(node.op, a.const, b.const)
                    if value is not None:
                        return const(value)
                except (ArithmeticError, ValueError, TypeError):
                    pass
            return out
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.eval(e, env, mult) for e in node.elts]
            if isinstance(node, ast.Tuple):
                return V("tuple", items=items, const=tuple(i.const for i in items) if all(i.const is not None for i in items) else None)
            lo, hi = _union_range(items) if items and all(i.kind in ("num",) for i in items) else (None, None)
            return V("seq", lo, hi, all(i.integer for i in items) if items else False, n=len(items), items=items,
                     const=[i.const for i in items] if items and all(i.const is not None for i in items) else ([] if not items else None),
                     mutable_list=True)
        if isinstance(node, ast.Lambda):
            return V("func", node=node)
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value, env, mult)
            return self.subscript(base, node.slice, env, mult)
        if isinstance(node, ast.ListComp) or isinstance(node, ast.GeneratorExp):
            local = ChainMap({}, env)
            n_total: int | None = 1
            for gen in node.generators:
                it = self.eval(gen.iter, local, mult)
                self.assign(gen.target, it.elem(), local, ast.Pass())
                n_total = (n_total * it.n) if (n_total is not None and it.n is not None) else None
            elt = self.eval(node.elt, local, mult)
            if elt.kind == "seq" and elt.items is not None:
                cols = [dataclasses.replace(i, n=n_total, kind="seq") for i in elt.items]
                lo, hi = _union_range(cols)
                return V("seq", lo, hi, all(c.integer for c in cols), n_total, cols=cols)
            return V("seq", elt.lo, elt.hi, elt.integer, n_total)
        if isinstance(node, ast.IfExp):
            a, b = self.eval(node.body, env, mult), self.eval(node.orelse, env, mult)
            lo, hi = _union_range([a, b])
            return V(a.kind, lo, hi, a.integer and b.integer, _n_of(a, b))
        if isinstance(node, ast.Call):
            return self.call(node, env, mult)
        if isinstance(node, ast.Compare):
            for c in node.comparators:
                self.eval(c, env, mult)
            return V("num", 0.0, 1.0, True)
        if isinstance(node, ast.BoolOp):
            vals = [self.eval(v, env, mult) for v in node.values]
            return vals[-1] if vals else UNKNOWN
        if isinstance(node, ast.Dict):
            entries = {}
            for k, v in zip(node.keys, node.values):
                val = self.eval(v, env, mult)
                if isinstance(k, ast.Constant) and isinstance(k.value, (str, int)):
                    entries[k.value] = val
            return V("dict", const=entries)
        if isinstance(node, ast.JoinedStr):
            return V("str")
        return UNKNOWN

    def subscript(self, base: V, sl: ast.AST, env: dict[str, V], mult: int) -> V:
        if base.kind == "dict" and isinstance(base.const, dict):
            key = self.eval(sl, env, mult)
            return base.const.get(key.const, UNKNOWN) if isinstance(key.const, (str, int)) else UNKNOWN
        if isinstance(sl, ast.Tuple) and len(sl.elts) == 2 and base.cols:
            idx = self.eval(sl.elts[1], env, mult)
            if isinstance(idx.const, int) and not isinstance(idx.const, bool) and -len(base.cols) <= idx.const < len(base.cols):
                return dataclasses.replace(base.cols[idx.const], n=base.n, kind="seq")
            return base
        if isinstance(sl, ast.Slice):
            return base
        if base.kind == "tuple" and base.items is not None:
            idx = self.eval(sl, env, mult)
            if isinstance(idx.const, int) and -len(base.items) <= idx.const < len(base.items):
                return base.items[idx.const]
            return UNKNOWN
        if base.kind == "seq":
            idx = self.eval(sl, env, mult)
            if base.items is not None and isinstance(idx.const, int) and -len(base.items) <= idx.const < len(base.items):
                return base.items[idx.const]
            if idx.kind == "seq":        # fancy indexing with an index array: a subset of rows
                return dataclasses.replace(base, n=idx.n, items=None, mutable_list=False)
            if idx.kind == "unknown":    # X[idx] with an unknown index (a batch, usually): same data
                return dataclasses.replace(base, items=None, mutable_list=False)
            return base.elem()
        return UNKNOWN

    # ---- calls
    def call(self, node: ast.Call, env: dict[str, V], mult: int) -> V:
        func = node.func
        dotted = _dotted(func) or ""
        last = _last(dotted) if dotted else (func.attr if isinstance(func, ast.Attribute) else "")
        args = [self.eval(a, env, mult) for a in node.args if not isinstance(a, ast.Starred)]
        kw = {k.arg: self.eval(k.value, env, mult) for k in node.keywords if k.arg}
        kwnodes = {k.arg: k.value for k in node.keywords if k.arg}
        prefix = dotted.rsplit(".", 1)[0] if "." in dotted else ""

        # method calls on known objects
        if isinstance(func, ast.Attribute):
            obj = self.eval(func.value, env, mult)
            r = self.method_call(node, func.attr, obj, args, kw, kwnodes, env, mult)
            if r is not None:
                return r
            if func.attr in LEGACY_METHODS and (obj.kind == "model" or "keras" in self.framework_hint):
                self.add_legacy(f".{func.attr}()", f".{LEGACY_METHODS[func.attr]}", node, node)

        # the script's own functions and classes
        if isinstance(func, ast.Name):
            target = env.get(func.id)
            if target is None or target.kind == "unknown":
                if func.id in self.funcs:
                    target = V("func", node=self.funcs[func.id][-1])
                elif func.id in self.classes:
                    target = V("class", node=self.classes[func.id], const=func.id)
            if target is not None and target.kind == "func" and target.node is not None:
                defs = self._defs_for(func.id, node) if isinstance(target.node, ast.FunctionDef) else [target.node]
                results = [self.call_user(d, args, kw, env, mult) for d in defs]
                return _widest(results)
            if target is not None and target.kind == "class" and target.node is not None:
                return self.instantiate(target.node, args, kw, env, mult, node)

        # frameworks
        r = self.framework_call(node, dotted, last, prefix, args, kw, kwnodes, env, mult)
        if r is not None:
            return r
        return self.library_call(dotted, last, prefix, args, kw, node)

    def _defs_for(self, name: str, call: ast.AST) -> list[ast.AST]:
        """The definition Python would call (the last one above the call) and, for a pasted script with an
        edited copy of the function below (seed 4), the first one after it; the widest result is kept."""
        defs = self.funcs.get(name, [])
        line = getattr(call, "lineno", 0)
        before = [d for d in defs if d.lineno < line]
        after = [d for d in defs if d.lineno > line]
        chosen = before[-1:] + after[:1]
        return chosen or defs[-1:]

    def instantiate(self, cls: ast.ClassDef, args: list[V], kw: dict[str, V], env: dict[str, V], mult: int,
                    node: ast.Call) -> V:
        obj = V("obj", const=cls.name)
        bases = {_last(_dotted(b)) for b in cls.bases}
        if "Module" in bases:
            model = self.torch_modules.get(cls.name)
            if model is None:
                model = _Model(cls.name, "torch", line=self.line(cls))
                self.torch_modules[cls.name] = model
                self.models.append(model)
            obj = V("model", ref=model, const=cls.name)
        init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
        if init is not None:
            self.call_user(init, args, kw, env, mult, self_obj=obj)
        if "Module" in bases:
            fwd = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "forward"), None)
            if fwd is not None:
                self.torch_forward_activations(fwd, obj.ref)
        return obj

    def call_user(self, fn: ast.AST, args: list[V], kw: dict[str, V], env: dict[str, V], mult: int,
                  self_obj: V | None = None) -> V:
        if self.depth >= self.MAX_DEPTH or self.steps > self.MAX_STEPS:
            return UNKNOWN
        visits = self.visits.get(id(fn), 0)
        if visits >= self.MAX_VISITS:  # each function is read a few times at most: linear time in the file
            return UNKNOWN
        self.visits[id(fn)] = visits + 1
        self.visited_funcs.add(id(fn))
        a = fn.args
        params = [p.arg for p in a.posonlyargs + a.args]
        local = ChainMap({}, env)  # globals visible (read); assignments stay local
        defaults = a.defaults
        for i, p in enumerate(params):
            local[p] = UNKNOWN
        for p, d in zip(params[len(params) - len(defaults):], defaults):
            local[p] = self.eval(d, env, mult)
        offset = 0
        if self_obj is not None and params and params[0] == "self":
            local["self"] = self_obj
            offset = 1
        elif params and params[0] == "self" and isinstance(fn, ast.FunctionDef):
            offset = 1
        for i, v in enumerate(args):
            if i + offset < len(params):
                local[params[i + offset]] = v
        for k, v in kw.items():
            local[k] = v
        self.depth += 1
        try:
            if isinstance(fn, ast.Lambda):
                return self.eval(fn.body, local, mult)
            ret = self.exec_block(fn.body, local, mult)
        finally:
            self.depth -= 1
        # module-level names the function assigned through `global`, and attributes of self
        for k in self.global_names:
            if k in local:
                env[k] = local[k]
        return ret if ret is not None else V("none")

    def method_call(self, node: ast.Call, attr: str, obj: V, args: list[V], kw: dict[str, V],
                    kwnodes: dict[str, ast.AST], env: dict[str, V], mult: int) -> V | None:
        if attr == "append" and obj.kind in ("seq", "unknown") and isinstance(node.func, ast.Attribute):
            target = _dotted(node.func.value)
            if target and args:
                item = args[0]
                cur = env.get(target)
                n_new = (cur.n or 0 if cur is not None and cur.mutable_list else 0) + mult
                if item.kind == "seq" and item.items is not None and 0 < len(item.items) <= 64:
                    cols_new = [dataclasses.replace(c, n=None) for c in item.items]
                    if cur is not None and cur.cols and len(cur.cols) == len(cols_new) and cur.n:
                        cols_new = [_join(a, b) for a, b in zip(cur.cols, cols_new)]
                    cols = [dataclasses.replace(c, kind="seq", n=n_new) for c in cols_new]
                    lo, hi = _union_range(cols)
                    env[target] = V("seq", lo, hi, all(c.integer for c in cols), n_new, cols=cols, mutable_list=True)
                else:
                    base = item
                    if cur is not None and cur.n and cur.known and item.known:
                        base = _join(cur, item)
                    elif cur is not None and cur.n and not item.known:
                        base = V("num")
                    env[target] = V("seq", base.lo, base.hi, base.integer, n_new, mutable_list=True, dist=base.dist)
                return V("none")
        if attr in ("reshape", "astype", "copy", "flatten", "ravel", "squeeze", "float", "double", "to", "view",
                    "unsqueeze", "detach", "numpy", "cpu", "clone", "type", "values", "to_numpy", "transpose"):
            if attr in ("flatten", "ravel") and obj.cols:
                lo, hi = _union_range(obj.cols)
                return V("seq", lo, hi, obj.integer, (obj.n or 0) * len(obj.cols) or None)
            return obj
        if attr in ("sum", "mean", "max", "min", "prod") and obj.cols and kw.get("axis") and kw["axis"].const in (1, -1):
            acc = obj.cols[0]
            for c in obj.cols[1:]:
                acc = binop(ast.Mult() if attr == "prod" else ast.Add(), acc, c)
            if attr == "mean":
                acc = binop(ast.Div(), acc, const(len(obj.cols)))
            return dataclasses.replace(acc, n=obj.n, kind="seq")
        if obj.kind == "model" and isinstance(obj.ref, _Model):
            return self.model_method(node, attr, obj.ref, args, kw, kwnodes, env)
        if obj.kind == "opt" or attr in ("step", "zero_grad"):
            if attr == "step":
                self._step_calls += 1
                var = _dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None
                if obj.kind == "opt" and isinstance(obj.ref, OptimizerInfo):
                    obj.ref.passed_to_compile = True
                    self.compiled = obj.ref
                elif var:
                    self.stepped_vars.add(var)
            return V("none")
        if attr == "backward":
            return V("none")
        keras_kwargs = {"epochs", "batch_size", "nb_epoch", "loss", "optimizer", "metrics", "validation_split"}
        if attr in ("fit", "compile", "add") and obj.kind in ("unknown", "obj") and (
                "keras" in self.framework_hint or keras_kwargs & set(kwnodes)):
            # a model we did not see built (e.g. returned by an unknown function): still read the call
            name = _dotted(node.func.value) if isinstance(node.func, ast.Attribute) else None
            model = _Model(name or "model", "keras", line=self.line(node))
            self.models.append(model)
            env_name = name
            if env_name:
                env[env_name] = V("model", ref=model)
            return self.model_method(node, attr, model, args, kw, kwnodes, env)
        if isinstance(node.func, ast.Attribute) and obj.kind == "obj" and obj.const in self.classes:
            cls = self.classes[obj.const]
            fn = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == attr), None)
            if fn is not None:
                return self.call_user(fn, args, kw, env, mult, self_obj=obj)
        return None

    def model_method(self, node: ast.Call, attr: str, model: _Model, args: list[V], kw: dict[str, V],
                     kwnodes: dict[str, ast.AST], env: dict[str, V]) -> V | None:
        if attr == "add" and args:
            layer = args[0]
            if layer.kind == "layer" and isinstance(layer.ref, LayerInfo):
                self.attach(model, layer.ref, node)
            return V("none")
        if attr == "compile":
            self.config.compile_line = self.line(node)
            opt = kw.get("optimizer") or (args[0] if args else None)
            opt_node = kwnodes.get("optimizer") or (node.args[0] if node.args else None)
            if opt is not None:
                if opt.kind == "str" and isinstance(opt.const, str):
                    name = OPTIMIZERS.get(opt.const.lower(), opt.const.lower())
                    self.compiled = OptimizerInfo(name=name, learning_rate=KERAS_DEFAULT_LR.get(name),
                                                  line=self.line(opt_node or node), passed_to_compile=True,
                                                  arguments={"default_learning_rate": True, "string": opt.const})
                elif opt.kind == "opt" and isinstance(opt.ref, OptimizerInfo):
                    opt.ref.passed_to_compile = True
                    self.compiled = opt.ref
            loss = kw.get("loss") or (args[1] if len(args) > 1 else None)
            if loss is not None:
                if loss.kind == "str":
                    self.config.loss = loss.const
                elif loss.kind == "loss":
                    self.config.loss = loss.const
                elif loss.kind == "func":
                    self.config.loss = "custom"
            metrics = kw.get("metrics")
            if metrics is not None and metrics.items is not None:
                self.config.metrics = [m.const if m.kind == "str" else (m.const or "custom") for m in metrics.items
                                       if m.kind in ("str", "loss", "func")] or [str(m.const) for m in metrics.items if m.const]
            return V("none")
        if attr in ("fit", "fit_generator", "train_on_batch"):
            line = self.line(node)
            self.config.fit_line = line
            for k, knode in kwnodes.items():
                if k in LEGACY_KWARGS["fit"]:
                    self.add_legacy(f"{k}=", LEGACY_KWARGS["fit"][k][0] + "=", node, _kw_node(node, k))
            epochs = kw.get("epochs") or kw.get("nb_epoch") or (args[3] if len(args) > 3 else None)
            batch = kw.get("batch_size") or (args[2] if len(args) > 2 else None)
            if epochs is not None and isinstance(epochs.const, int):
                self.config.epochs = epochs.const
            elif epochs is None and attr == "fit":
                self.config.epochs = 1  # Keras' default
            if batch is not None and isinstance(batch.const, int):
                self.config.batch_size = batch.const
            elif batch is not None and batch.kind == "none":
                self.config.batch_size = None
            X = kw.get("x") or (args[0] if args else UNKNOWN)
            y = kw.get("y") or (args[1] if len(args) > 1 else UNKNOWN)
            self.fit_calls.append((line or 0, X, y))
            return V("obj")
        if attr in ("predict", "evaluate", "summary", "save", "load_weights", "parameters", "eval", "train",
                    "to", "double", "float", "named_parameters", "state_dict", "zero_grad"):
            if attr == "parameters" or attr == "named_parameters":
                return V("params", ref=model)
            return V("obj") if attr != "to" else V("model", ref=model)
        if attr == "__call__":
            return V("seq")
        return None

    def attach(self, model: _Model, layer: LayerInfo, node: ast.AST) -> None:
        if layer.kind == "activation":
            prev = next((la for la in reversed(model.layers) if la.kind == "dense"), None)
            if prev is not None and (prev.activation in (None, "linear")):
                prev.activation = layer.activation
                return
        model.layers.append(layer)

    # ---- framework calls: layers, optimisers, losses, models
    def framework_call(self, node: ast.Call, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V],
                       kwnodes: dict[str, ast.AST], env: dict[str, V], mult: int) -> V | None:
        key = self.key(node)
        torchish = prefix.endswith("nn") or prefix.startswith("torch") or (
            "torch" in self.framework_hint and "keras" not in self.framework_hint and last in TORCH_LAYERS)
        # layers
        if last in LEGACY_NAMES and ("keras" in self.framework_hint or "keras" in prefix):
            self.add_legacy(last, LEGACY_NAMES[last], node, node.func)
        if (last in KERAS_LAYERS or last in LEGACY_NAMES) and not torchish and last not in ("Input", "InputLayer"):
            return V("layer", ref=self.keras_layer(node, last, args, kw, kwnodes))
        if torchish and (last in TORCH_LAYERS or last in TORCH_ACTIVATIONS):
            return V("layer", ref=self.torch_layer(node, last, args, kw))
        if last in ("Input", "InputLayer", "InputSpec"):
            shape = kw.get("shape") or (args[0] if args else None)
            if shape is not None and shape.kind == "tuple" and shape.items and isinstance(shape.items[-1].const, int):
                self._pending_input = shape.items[-1].const
            return V("obj")
        # models
        if last == "Sequential":
            model = self.models_at(key, "torch" if torchish else "keras", node)
            if args and args[0].kind == "seq" and args[0].items is not None:
                for item in args[0].items:
                    if item.kind == "layer" and isinstance(item.ref, LayerInfo):
                        self.attach(model, item.ref, node)
            elif torchish:
                for item in args:
                    if item.kind == "layer" and isinstance(item.ref, LayerInfo):
                        self.attach(model, item.ref, node)
            return V("model", ref=model)
        if last == "Model" and ("keras" in prefix or "keras" in self.framework_hint):
            model = self.models_at(key, "keras", node)
            # functional API: the Dense calls seen so far belong to it
            for lk, layer in self.seen_layers.items():
                if lk not in self.model_by_layerkey:
                    self.model_by_layerkey[lk] = model
                    model.layers.append(layer)
            return V("model", ref=model)
        # optimisers
        low = last.lower()
        if low in OPTIMIZERS and (prefix.split(".")[-1] in ("optimizers", "optim", "optimizer", "legacy", "") or
                                  "optim" in prefix):
            if last[0].isupper() or prefix:
                return V("opt", ref=self.optimizer(node, OPTIMIZERS[low], args, kw, kwnodes, torch="optim" in prefix and "optimizers" not in prefix))
        # losses
        if last in TORCH_LOSSES:
            return V("loss", const=TORCH_LOSSES[last])
        if last in F_LOSSES and prefix.split(".")[-1] in ("F", "functional"):
            self.config.loss = self.config.loss or F_LOSSES[last]
            self.torch_loss_call(args)
            return V("seq")
        if last in ("MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy", "CategoricalCrossentropy",
                    "SparseCategoricalCrossentropy") and "loss" in prefix.lower():
            return V("loss", const={"MeanSquaredError": "mse", "MeanAbsoluteError": "mae"}.get(last, last.lower()))
        # data loaders (torch)
        if last == "DataLoader":
            b = kw.get("batch_size") or (args[1] if len(args) > 1 else None)
            batch = b.const if b is not None and isinstance(b.const, int) else (1 if b is None else None)
            if batch is not None:
                self.batch_sizes.append((batch, self.line(node) or 0))
            ds = args[0] if args else UNKNOWN
            n_batches = math.ceil(ds.n / batch) if ds.n and batch else None
            return V("loader", n=n_batches, const=batch)
        if last == "TensorDataset":
            if len(args) >= 2:
                self.torch_data = (args[0], args[1], self.line(node) or 0)
            return V("dataset", items=args, n=_n_of(*args))
        # calling a model / loss function object
        if isinstance(node.func, ast.Name) and node.func.id in env:
            target = env[node.func.id]
            if target.kind == "model":
                if args and not getattr(self, "_model_input", None):
                    self._model_input = args[0]
                return V("seq", n=args[0].n if args else None, const=None, dist="prediction")
            if target.kind == "loss":
                self.config.loss = self.config.loss or target.const
                self.torch_loss_call(args)
                return V("num")
        if isinstance(node.func, ast.Attribute) and _dotted(node.func) in env:
            target = env[_dotted(node.func)]
            if target.kind == "model":
                return V("seq", n=args[0].n if args else None, dist="prediction")
            if target.kind == "loss":
                self.config.loss = self.config.loss or target.const
                self.torch_loss_call(args)
                return V("num")
        return None

    _pending_input: int | None = None
    _model_input: V | None = None

    def torch_loss_call(self, args: list[V]) -> None:
        if len(args) >= 2 and args[0].dist == "prediction" and self._model_input is not None:
            self.torch_data = (self._model_input, args[1], self.torch_data[2] if self.torch_data else 0) \
                if self.torch_data is None else self.torch_data

    def models_at(self, key: tuple[int, int], framework: str, node: ast.AST) -> _Model:
        for m in self.models:
            if getattr(m, "_key", None) == key:
                m.layers.clear()
                return m
        m = _Model("<model>", framework, line=self.line(node))
        m._key = key  # type: ignore[attr-defined]
        self.models.append(m)
        return m

    def _layer_name(self, base: str) -> str:
        k = self.layer_counter.get(base, 0)
        self.layer_counter[base] = k + 1
        return base if k == 0 else f"{base}_{k}"

    def keras_layer(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V],
                    kwnodes: dict[str, ast.AST]) -> LayerInfo:
        key = self.key(node)
        if key in self.seen_layers:
            return self.seen_layers[key]
        kind = KERAS_LAYERS.get(last, "other")
        for k in kwnodes:
            if k in LEGACY_KWARGS["layer"] and not (k == "p" and last != "Dropout") and not (k == "bias" and kw[k].kind != "num"):
                self.add_legacy(f"{k}=", LEGACY_KWARGS["layer"][k][0] + "=", node, _kw_node(node, k))
        units_v = kw.get("units") or kw.get("output_dim") or (args[0] if args and kind == "dense" else None)
        units = units_v.const if units_v is not None and isinstance(units_v.const, int) else None
        act = None
        if kind == "dense":
            act = self.activation_name(kw.get("activation"), kwnodes.get("activation"))
        elif kind == "activation":
            if last == "Activation":
                act = self.activation_name(args[0] if args else kw.get("activation"),
                                           node.args[0] if node.args else kwnodes.get("activation"))
            else:
                act = {"LeakyReLU": "leaky_relu", "ReLU": "relu", "PReLU": "prelu", "ELU": "elu"}.get(last, last.lower())
        input_units = None
        if "input_dim" in kw and isinstance(kw["input_dim"].const, int):
            input_units = kw["input_dim"].const
        elif "input_shape" in kw:
            shp = kw["input_shape"]
            items = shp.items or []
            if items and isinstance(items[-1].const, int):
                input_units = items[-1].const
        elif self._pending_input is not None:
            input_units, self._pending_input = self._pending_input, None
        use_bias = True
        if "use_bias" in kw and isinstance(kw["use_bias"].const, bool):
            use_bias = kw["use_bias"].const
        elif "bias" in kw and isinstance(kw["bias"].const, bool):
            use_bias = kw["bias"].const
        init = kw.get("kernel_initializer") or kw.get("init")
        layer = LayerInfo(
            name=self._layer_name({"dense": "dense", "activation": "activation", "dropout": "dropout",
                                   "batchnorm": "batch_normalization"}.get(kind, last.lower())),
            kind=kind, units=units, input_units=input_units, activation=act if kind in ("dense", "activation") else None,
            use_bias=use_bias if kind == "dense" else None,
            initializer=(init.const if init is not None and init.kind == "str" else ("custom" if init is not None else None)),
            line=self.line(node), span=self.span(node),
        )
        self.seen_layers[key] = layer
        return layer

    def activation_name(self, v: V | None, node: ast.AST | None) -> str:
        if v is None:
            return "linear"
        if v.kind == "none":
            return "linear"
        if v.kind == "str" and isinstance(v.const, str):
            return v.const.lower()
        if node is not None:
            dotted = _dotted(node)
            if dotted and _last(dotted).lower() in FUNC_ACTIVATIONS:
                return _last(dotted).lower()
            if isinstance(node, ast.Lambda):
                return "custom:" + ast.unparse(node)
            if isinstance(node, ast.Name) and node.id in self.funcs:
                return "custom:" + node.id
            try:
                return "custom:" + ast.unparse(node)
            except Exception:  # pragma: no cover - unparse handles every expression node
                return "custom"
        return "custom"

    def torch_layer(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V]) -> LayerInfo:
        key = self.key(node)
        if key in self.seen_layers:
            return self.seen_layers[key]
        if last in TORCH_ACTIVATIONS:
            layer = LayerInfo(name=self._layer_name(last.lower()), kind="activation", activation=TORCH_ACTIVATIONS[last],
                              line=self.line(node), span=self.span(node))
        else:
            kind = TORCH_LAYERS[last]
            in_f = args[0].const if args and isinstance(args[0].const, int) else (
                kw["in_features"].const if "in_features" in kw and isinstance(kw["in_features"].const, int) else None)
            out_f = args[1].const if len(args) > 1 and isinstance(args[1].const, int) else (
                kw["out_features"].const if "out_features" in kw and isinstance(kw["out_features"].const, int) else None)
            bias = True
            if "bias" in kw and isinstance(kw["bias"].const, bool):
                bias = kw["bias"].const
            layer = LayerInfo(name=self._layer_name("linear" if kind == "dense" else last.lower()), kind=kind,
                              units=out_f if kind == "dense" else None, input_units=in_f if kind == "dense" else None,
                              activation="linear" if kind == "dense" else None, use_bias=bias if kind == "dense" else None,
                              line=self.line(node), span=self.span(node))
            if kind == "dense" and in_f and out_f:
                layer.n_params = in_f * out_f + (out_f if bias else 0)
        self.seen_layers[key] = layer
        return layer

    def torch_forward_activations(self, fwd: ast.FunctionDef, model: _Model) -> None:
        """Layers assigned in __init__ (self.fc = nn.Linear) get the activation forward() applies to them."""
        for call in ast.walk(fwd):
            if not isinstance(call, ast.Call):
                continue
            name = _last(_dotted(call.func)).lower()
            act = name if name in FUNC_ACTIVATIONS else None
            if act is None or not call.args:
                continue
            inner = call.args[0]
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                attr = inner.func.attr
                layer = getattr(model, "_attrs", {}).get(attr)
                if layer is not None and layer.activation in (None, "linear"):
                    layer.activation = act

    def optimizer(self, node: ast.Call, name: str, args: list[V], kw: dict[str, V], kwnodes: dict[str, ast.AST],
                  torch: bool) -> OptimizerInfo:
        key = self.key(node)
        if key in self.optimizers:
            return self.optimizers[key]
        torch = torch or (args and args[0].kind == "params")
        lr_v = kw.get("learning_rate") or kw.get("lr")
        if lr_v is None:
            pos = 1 if torch else 0
            lr_v = args[pos] if len(args) > pos else None
        lr = float(lr_v.const) if lr_v is not None and isinstance(lr_v.const, (int, float)) else None
        default = lr is None and lr_v is None
        if default:
            lr = (TORCH_DEFAULT_LR if torch else KERAS_DEFAULT_LR).get(name)
        if not torch:
            for k in kwnodes:
                if k in LEGACY_KWARGS["optimizer"]:
                    new = LEGACY_KWARGS["optimizer"][k][0]
                    self.add_legacy(f"{k}=", new + ("=" if "=" not in new else ""), node, _kw_node(node, k))
        arguments = {k: v.const for k, v in kw.items() if v.const is not None and not isinstance(v.const, (list, tuple))}
        if default:
            arguments["default_learning_rate"] = True
        info = OptimizerInfo(name=name, learning_rate=lr, line=self.line(node), passed_to_compile=False,
                             arguments=arguments)
        self.optimizers[key] = info
        if torch:
            self.framework_hint.add("torch")
        return info

    # ---- numpy / math / random
    def library_call(self, dotted: str, last: str, prefix: str, args: list[V], kw: dict[str, V], node: ast.Call) -> V:
        p = prefix.split(".")[-1] if prefix else ""

        def size_of(v: V | None) -> tuple[int | None, int | None]:
            if v is None:
                return None, None
            if isinstance(v.const, int) and not isinstance(v.const, bool):
                return v.const, None
            if v.kind == "tuple" and v.items:
                n = v.items[0].const if isinstance(v.items[0].const, int) else None
                c = v.items[1].const if len(v.items) > 1 and isinstance(v.items[1].const, int) else None
                return n, c
            return None, None

        def shaped(lo: float | None, hi: float | None, integer: bool, n: int | None, c: int | None,
                   dist: str | None = None) -> V:
            if n is None and c is None:
                return V("num", lo, hi, integer, dist=dist)
            base = V("seq", lo, hi, integer, n, dist=dist, shape=(n, c) if c else (n,))
            if c and 1 < c <= MAX_COLUMNS:   # wider arrays (images, ...) keep one shared range
                col = V("seq", lo, hi, integer, n, dist=dist)
                base.cols = [col] * c
            return base

        def dims(vals: list[V]) -> tuple[int | None, int | None]:
            ints = [v.const for v in vals if isinstance(v.const, int)]
            if len(vals) == 1 and vals[0].kind == "tuple":
                return size_of(vals[0])
            return (ints[0] if ints else None), (ints[1] if len(ints) > 1 else None)

        random_mod = p in ("random",) or dotted.startswith("random.")
        numpyish = prefix.startswith(("np", "numpy", "torch", "tf", "jnp")) or p in ("random", "np", "numpy", "torch", "math", "rng")
        if last in ("rand", "random", "random_sample", "sample") and (random_mod or numpyish or p in ("rng", "gen", "generator")):
            if last == "sample" and p == "random" and not prefix.startswith(("np", "numpy")):
                return UNKNOWN
            n, c = dims(args) if last == "rand" or prefix.startswith("torch") else size_of(kw.get("size") or (args[0] if args else None))
            return shaped(0.0, 1.0, False, n, c)
        if last in ("randn", "standard_normal") and numpyish:
            n, c = dims(args) if last == "randn" else size_of(kw.get("size") or (args[0] if args else None))
            return shaped(-3.0, 3.0, False, n, c, dist="normal")
        if last in ("normal", "gauss") and (numpyish or random_mod):
            loc = kw.get("loc") or kw.get("mean") or (args[0] if args else const(0.0))
            scale = kw.get("scale") or kw.get("std") or (args[1] if len(args) > 1 else const(1.0))
            n, c = size_of(kw.get("size") or (args[2] if len(args) > 2 else None))
            if loc.known and scale.known:
                return shaped(loc.lo - 3 * scale.hi, loc.hi + 3 * scale.hi, False, n, c, dist="normal")
            return shaped(None, None, False, n, c)
        if last == "uniform" and (numpyish or random_mod):
            lo = kw.get("low") or kw.get("a") or (args[0] if args else const(0.0))
            hi = kw.get("high") or kw.get("b") or (args[1] if len(args) > 1 else const(1.0))
            n, c = size_of(kw.get("size") or (args[2] if len(args) > 2 else None))
            return shaped(lo.lo, hi.hi, False, n, c)
        if last in ("randint", "integers", "random_integers") and (numpyish or random_mod):
            lo = kw.get("low") if "low" in kw else (args[0] if args else None)
            hi = kw.get("high") if "high" in kw else (args[1] if len(args) > 1 else None)
            size = kw.get("size") or (args[2] if len(args) > 2 and not prefix.startswith("torch") else None)
            if prefix.startswith("torch"):
                size = kw.get("size") or (args[-1] if args and args[-1].kind == "tuple" else None)
                if len(args) == 2 and args[1].kind == "tuple":
                    lo, hi = const(0), args[0]
            if hi is None or hi.kind == "none":
                lo, hi = const(0), lo
            if lo is None or hi is None or not (lo.known and hi.known):
                return shaped(None, None, True, *size_of(size))
            inclusive = random_mod and not numpyish or (dotted.startswith("random.") and last == "randint") or last == "random_integers"
            top = hi.hi if inclusive else hi.hi - 1
            n, c = size_of(size)
            return shaped(lo.lo, top, True, n, c)
        if last in ("linspace", "logspace", "geomspace"):
            a = kw.get("start") or (args[0] if args else UNKNOWN)
            b = kw.get("stop") or kw.get("end") or (args[1] if len(args) > 1 else UNKNOWN)
            n = kw.get("num") or kw.get("steps") or (args[2] if len(args) > 2 else const(50 if not prefix.startswith("torch") else 100))
            count = n.const if isinstance(n.const, int) else None
            if last == "logspace" and a.known and b.known:
                return V("seq", 10 ** a.lo, 10 ** b.hi, False, count)
            lo, hi = _union_range([a, b])
            integer = a.integer and b.integer and count is not None and a.known and b.known and count > 1 and \
                float((b.hi - a.lo) / (count - 1)).is_integer()
            return V("seq", lo, hi, integer, count)
        if last == "arange" or (last == "range" and not prefix):
            vals = [a for a in args]
            if len(vals) == 1:
                start, stop, step = const(0), vals[0], const(1)
            elif len(vals) >= 2:
                start, stop = vals[0], vals[1]
                step = vals[2] if len(vals) > 2 else const(1)
            else:
                return V("seq")
            if start.known and stop.known and step.known and step.lo == step.hi and step.lo != 0 and start.lo == start.hi and stop.lo == stop.hi:
                count = max(0, math.ceil((stop.lo - start.lo) / step.lo))
                if count == 0:
                    return V("seq", 0.0, 0.0, True, 0)
                lo = start.lo
                hi = start.lo + step.lo * (count - 1)
                return V("seq", min(lo, hi), max(lo, hi), start.integer and step.integer, count)
            return V("seq", start.lo, (stop.hi - 1) if stop.known else None, True, None)
        if last in ("len",) and args:
            v = args[0]
            if v.n is not None:
                return const(v.n)
            if v.items is not None:
                return const(len(v.items))
            return V("num", 0.0, None, True)
        if last in ("array", "asarray", "tensor", "Tensor", "FloatTensor", "from_numpy", "as_tensor", "DataFrame",
                    "float32", "float64", "expand_dims", "atleast_2d", "vstack", "squeeze", "copy") and args:
            v = args[0]
            if last == "vstack" and v.items:
                return _concat_rows(v.items)
            if v.kind == "seq" and v.items is not None and v.items and all(i.kind == "seq" and i.items is not None for i in v.items):
                # nested literal lists: rows x columns
                width = len(v.items[0].items or [])
                if width and all(len(i.items or []) == width for i in v.items):
                    cols = [V("seq", *_union_range([r.items[k] for r in v.items]), all(r.items[k].integer for r in v.items),
                              len(v.items)) for k in range(width)]
                    return V("seq", *_union_range(cols), all(c.integer for c in cols), len(v.items),
                             cols=cols if width > 1 else None)
            if v.kind == "seq":
                return dataclasses.replace(v, items=None, mutable_list=False)
            return v
        if last in ("column_stack", "stack", "hstack", "c_", "concatenate", "cat", "dstack") and args:
            seq = args[0]
            parts = seq.items or []
            axis = kw.get("axis") or kw.get("dim")
            if parts and (last in ("column_stack", "hstack", "dstack") or (axis is not None and axis.const in (1, -1))):
                cols: list[V] = []
                for prt in parts:
                    cols.extend(prt.cols if prt.cols else [dataclasses.replace(prt, kind="seq")])
                lo, hi = _union_range(cols)
                return V("seq", lo, hi, all(c.integer for c in cols), _n_of(*parts), cols=cols)
            if parts and last in ("concatenate", "cat", "stack"):
                return _concat_rows(parts)
            return V("seq")
        if last in ("zeros", "ones", "empty", "full", "zeros_like", "ones_like"):
            n, c = dims(args[:1]) if args else (None, None)
            if last in ("zeros", "ones", "empty"):
                val = 0.0 if last == "zeros" else 1.0
                return shaped(val if last != "empty" else None, val if last != "empty" else None, True, n, c)
            if last == "full" and len(args) > 1:
                return shaped(args[1].lo, args[1].hi, args[1].integer, n, c)
            return V("seq")
        fname = last.lower()
        if fname in _MONOTONE or fname in ("sin", "cos", "abs", "fabs", "absolute", "square", "round", "floor", "ceil",
                                           "rint", "int", "float"):
            if args and (p in ("np", "numpy", "math", "torch", "tf", "jnp", "") or dotted in ("abs", "round", "int", "float")):
                return apply_func(fname, args[0])
        if last in ("sum", "max", "min", "mean") and not prefix and args and args[0].kind == "seq":
            return V("num")
        if last in ("matmul", "dot") and args:
            return V("seq", n=args[0].n)
        return UNKNOWN

    # ---- numpy update rules
    def note_update_assign(self, target: ast.Attribute, stmt: ast.Assign, env: dict[str, V]) -> None:
        self._note_update(target, stmt.value, stmt, env, aug_op=None)

    def note_update_aug(self, stmt: ast.AugAssign, env: dict[str, V]) -> None:
        if isinstance(stmt.op, (ast.Sub, ast.Add)):
            self._note_update(stmt.target, stmt.value, stmt, env, aug_op=stmt.op)

    def _note_update(self, target: ast.AST, value: ast.AST, stmt: ast.stmt, env: dict[str, V], aug_op: ast.operator | None) -> None:
        tname = _dotted(target) if isinstance(target, (ast.Name, ast.Attribute)) else (
            _dotted(target.value) if isinstance(target, ast.Subscript) else None)
        if not tname:
            return
        short = _last(tname)
        if not _PARAM_NAME.match(short) or _GRAD_NAME.search(short) or short.lower().endswith(("_old", "old", "_new", "new")):
            return
        step: ast.AST | None = None
        if aug_op is not None:
            step = value
        elif isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Sub, ast.Add)):
            base = _dotted(value.left)
            if base is None or not self._same_param(base, tname, env):
                return
            step = value.right
        if step is None:
            return
        # the step must look like lr * G (or G * lr, or G / n)
        grad_node = step
        lr_seen = False
        if isinstance(step, ast.BinOp) and isinstance(step.op, (ast.Mult, ast.Div)):
            l, r = step.left, step.right
            if _is_lr(l):
                grad_node, lr_seen = r, True
            elif _is_lr(r):
                grad_node, lr_seen = l, True
        if isinstance(grad_node, ast.UnaryOp):
            grad_node = grad_node.operand
        if not lr_seen:
            return
        names = {(_dotted(n) or "") for n in ast.walk(grad_node) if isinstance(n, (ast.Name, ast.Attribute))}
        names.discard("")
        for nm in names:
            self.update_reads.add(_last(nm))
        gname = _dotted(grad_node)
        uses: bool | None = None
        note = None
        if gname and self._same_param(gname, tname, env):
            uses = False
            note = f"the step is `{ast.unparse(step)}`: the weights themselves, not their gradient"
        elif any(_GRAD_NAME.search(_last(n)) for n in names):
            uses = True
        key = (self.line(stmt) or 0, short)
        self.updates[key] = UpdateRule(parameter=short, expression=_safe_unparse(stmt), uses_gradient=uses,
                                       line=self.line(stmt))
        self.updates[key].span = self.span(stmt)  # type: ignore[attr-defined]
        self.updates[key].note = note  # type: ignore[attr-defined]
        self.updates[key].gradient = gname  # type: ignore[attr-defined]

    def _same_param(self, name: str, param: str, env: dict[str, V]) -> bool:
        if name == param:
            return True
        alias = self._aliases.get(_last(name))
        return alias is not None and (alias == param or _last(alias) == _last(param))

    _aliases: dict[str, str] = {}

    def finish_updates(self) -> list[UpdateRule]:
        """Updates that use a generic gradient while the parameter's own gradient is computed and unused."""
        out = []
        for (_, short), upd in sorted(self.updates.items()):
            if upd.uses_gradient is True:
                g = _last(getattr(upd, "gradient", None) or "")
                own = [n for n in self.gradient_names if n != g and n.lower().endswith(short.lower())
                       and len(n) > len(short) and n[-len(short) - 1] in "_dD"]
                if own and g and short.lower() not in g.lower() and not any(o in self.update_reads for o in own):
                    upd.uses_gradient = False
                    upd.note = (f"the step uses `{g}`, but the gradient of {short} is `{own[0]}` "  # type: ignore[attr-defined]
                                f"(computed at line {self.gradient_names[own[0]]}, never used)")
            out.append(upd)
        return out


_NODE_CACHE: dict[int, tuple[ast.AST, list[ast.AST]]] = {}


def _nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree, listed once per analysis (five passes read it; walking is the slow part)."""
    hit = _NODE_CACHE.get(id(tree))
    if hit is not None and hit[0] is tree:
        return hit[1]
    _NODE_CACHE.clear()
    nodes = list(ast.walk(tree))
    _NODE_CACHE[id(tree)] = (tree, nodes)
    return nodes


def _safe_unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover
        return ""


def _is_lr(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and 0 < node.value < 1:
        return True
    name = _dotted(node)
    return bool(name and _LR_NAME.search(_last(name)))


def _kw_node(call: ast.Call, name: str) -> ast.AST | None:
    for k in call.keywords:
        if k.arg == name:
            return k
    return None


def _const_binop(op: ast.operator, a: Any, b: Any) -> Any:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    if isinstance(op, ast.FloorDiv):
        return a // b
    if isinstance(op, ast.Pow) and abs(b) < 64:
        return a ** b
    return None


def _join(a: V, b: V) -> V:
    lo, hi = _union_range([a, b])
    return V(a.kind, lo, hi, a.integer and b.integer, a.n, dist=a.dist if a.dist == b.dist else None)


def _widest(vals: list[V]) -> V:
    """Several definitions of one function (a pasted script with an edited copy): keep the widest range."""
    vals = [v for v in vals if v is not None]
    if not vals:
        return UNKNOWN
    if len(vals) == 1:
        return vals[0]

    def width(v: V) -> float:
        parts = v.items or ([v] if not v.cols else v.cols)
        tot = 0.0
        for p in parts:
            for c in (p.cols or [p]):
                if c.known:
                    tot += abs(c.hi) + abs(c.lo)
        return tot

    return max(vals, key=width)


def _concat_rows(parts: list[V]) -> V:
    lo, hi = _union_range(parts)
    ns = [p.n for p in parts]
    return V("seq", lo, hi, all(p.integer for p in parts), sum(ns) if all(n is not None for n in ns) else None)


# --------------------------------------------------------------------------------------------------
# line mapping (analysed text -> original file)


class _Mapper:
    def __init__(self, line_map: list[tuple[int, int]], analysed: list[str], original: list[str]) -> None:
        self.line_map = line_map
        self.analysed = analysed
        self.original = original

    def line(self, lineno: int | None) -> int | None:
        if not lineno or lineno > len(self.line_map):
            return None
        return self.line_map[lineno - 1][0]

    def span(self, node: ast.AST) -> tuple[int, int] | None:
        ln = getattr(node, "lineno", None)
        if not ln or ln > len(self.line_map):
            return None
        orig_line, offset = self.line_map[ln - 1]
        text = self.analysed[ln - 1]
        indent = len(text) - len(text.lstrip())
        col = node.col_offset
        end = node.end_col_offset if getattr(node, "end_lineno", ln) == ln else len(text.rstrip())
        start = offset + max(0, col - indent) if offset else col
        stop = offset + max(0, end - indent) if offset else end
        src = self.original[orig_line - 1] if 0 < orig_line <= len(self.original) else ""
        stop = min(stop, len(src.rstrip())) if src else stop
        return (start + 1, max(start + 2, stop + 1))


# --------------------------------------------------------------------------------------------------
# entry point


def analyse(text: str, path: str | None = None) -> TrainingRun:
    """Read a script's text (never run it) and return a static TrainingRun."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    original = text.split("\n")
    problems: list[dict[str, Any]] = []
    lines: list[str] = []
    line_map: list[tuple[int, int]] = []
    for i, line in enumerate(original, start=1):
        if looks_flattened(line):
            flowed = reflow(line)
            n_stmt = sum(1 for _, p in flowed if not p.text.startswith("#"))
            problems.append({
                "line": i, "column": 1, "end_column": min(len(line), 60) + 1, "kind": "flattened",
                "message": f"the code was flattened onto one line ({len(line)} characters, {n_stmt} statements): "
                           "its line breaks were lost when it was pasted, and each `#` comment now hides all the code after it",
                "fix": "restore the line breaks and indentation (nnfit re-flowed the line to read it)",
            })
            for level, piece in flowed:
                lines.append("    " * level + piece.text)
                line_map.append((i, piece.col))
        else:
            lines.append(line)
            line_map.append((i, 0))
    lines = repair_python2(lines, problems, line_map)
    tree, dropped = _parse_tolerant(lines)
    parso_found: list[dict[str, Any]] = []
    if dropped and len(lines) <= PARSO_MAX_LINES and sum(map(len, lines)) <= PARSO_MAX_CHARS:  # parso (the slow part) only when Python rejects the text
        parso_found = _parso_problems("\n".join(lines), line_map)
    reported = {p["line"] for p in problems}
    for prob in parso_found:
        if prob["line"] not in reported:
            problems.append(prob)
            reported.add(prob["line"])
    for ln, msg in dropped:
        orig = line_map[min(ln, len(line_map)) - 1][0]
        if orig not in reported:
            problems.append({"line": orig, "kind": "indentation" if "indent" in msg else "syntax",
                             "message": msg, "fix": "make this line valid Python 3"})
            reported.add(orig)

    mapper = _Mapper(line_map, lines, original)
    interp = _Interp(mapper)
    interp._aliases = _copy_aliases(tree)
    _torch_attr_layers(tree, interp)
    interp.run_module(tree)

    run = TrainingRun(framework="static", source=path, source_lines=original)
    # the model: the one with the most dense layers (a script may build a throw-away one)
    models = [m for m in interp.models if m.layers]
    for m in interp.torch_modules.values():
        attrs = getattr(m, "_attrs", {})
        if attrs and not m.layers:
            m.layers = list(attrs.values())
    models = [m for m in interp.models if m.layers]
    if models:
        model = max(models, key=lambda m: (sum(la.kind == "dense" for la in m.layers), -(m.line or 0)))
        run.layers = _finish_layers(model.layers)
        run.extra["model_variable"] = model.name
        run.extra["framework_guess"] = model.framework
    elif interp.seen_layers:
        run.layers = _finish_layers(list(interp.seen_layers.values()))
    cfg = interp.config
    built = list(interp.optimizers.values())
    cfg.optimizers_built = built
    cfg.optimizer = interp.compiled
    if cfg.optimizer is None and len(built) == 1 and not interp.stepped_vars and cfg.compile_line is None:
        cfg.optimizer = built[0]
    if interp.stepped_vars and cfg.optimizer is None:
        for o in built:
            if o.variable in interp.stepped_vars:
                o.passed_to_compile = True
                cfg.optimizer = o
    torchy = "torch" in interp.framework_hint and cfg.fit_line is None
    if torchy:
        for o in built:
            if o.passed_to_compile is False and o.variable and o.variable in interp.stepped_vars:
                o.passed_to_compile = True
        if interp.epoch_loops:
            top = min(lp.depth for lp in interp.epoch_loops)
            outer = [lp for lp in interp.epoch_loops if lp.depth == top]
            inner = [lp for lp in interp.epoch_loops if lp.depth > top]
            epoch_loop = max(outer, key=lambda lp: lp.count or 0)
            if len(outer) == 1 and epoch_loop.batch_loop and not inner:
                inner, epoch_loop = [epoch_loop], None   # only a batch loop: one epoch
            if epoch_loop is not None:
                cfg.epochs = epoch_loop.count
                cfg.fit_line = epoch_loop.line
            else:
                cfg.epochs = 1
                cfg.fit_line = inner[0].line
            batches = [lp for lp in inner if lp.batch_loop]
            if batches and batches[0].batch:
                cfg.batch_size = batches[0].batch
            if inner:
                counts = [lp.count for lp in inner]
                per_epoch = counts[0] if counts and all(c is not None for c in counts) else None
                if per_epoch is not None and cfg.epochs:
                    run_extra_updates = cfg.epochs * per_epoch
                    interp.planned_updates = run_extra_updates
                else:
                    interp.planned_updates = None
        if interp.batch_sizes and cfg.batch_size is None:
            cfg.batch_size = interp.batch_sizes[0][0]
    run.config = cfg
    run.data = _data_stats(interp, cfg)
    inner_loops = torchy and any(lp.depth > min(x.depth for x in interp.epoch_loops) for lp in interp.epoch_loops) \
        if interp.epoch_loops else False
    if torchy and cfg.batch_size is None and run.data.n_samples and not inner_loops:
        cfg.batch_size = run.data.n_samples  # full batch
    if getattr(interp, "planned_updates", None):
        run.extra["n_updates_planned"] = interp.planned_updates
    run.updates = interp.finish_updates()
    _numpy_layers(tree, interp, run)
    for prob in _for_else(tree, mapper):
        if prob["line"] not in reported or not any(p["kind"] == "for-else" for p in problems):
            problems.append(prob)
    run.legacy = sorted(interp.legacy.values(), key=lambda u: (u.line or 0, u.span[0] if u.span else 0))
    run.syntax_problems = sorted(problems, key=lambda p: (p.get("line") or 0, p.get("column") or 0))
    _NODE_CACHE.clear()
    run.extra["static"] = {
        "frameworks": sorted(interp.framework_hint),
        "reflowed": any(p["kind"] == "flattened" for p in problems),
        "analysed_lines": len(lines),
        "functions": sorted(interp.funcs),
        "classes": sorted(interp.classes),
        "gradient_names": dict(interp.gradient_names),
    }
    if interp.classes and not run.layers and run.updates:
        run.extra["framework_guess"] = "numpy"
    return run


def _for_else(tree: ast.Module, mapper: _Mapper) -> list[dict[str, Any]]:
    """`for ...: ... else: ...` without a break: the else always runs (often a lost `if` line)."""
    out = []
    for node in _nodes(tree):
        if isinstance(node, ast.For) and node.orelse:
            body_breaks = any(isinstance(n, ast.Break) for b in node.body for n in ast.walk(b))
            if body_breaks:
                continue
            first = node.orelse[0]
            span = mapper.span(first)
            out.append({"line": mapper.line(first.lineno), "column": span[0] if span else None,
                        "end_column": span[1] if span else None, "kind": "for-else",
                        "message": f"`for {ast.unparse(node.target)} in ...: ... else:` has no `break`: the else block always runs "
                                   "once after the loop; was an `if` line lost?",
                        "fix": f"if the two blocks are alternatives, restore the `if` (e.g. `if {ast.unparse(node.target)} == 0:`) "
                               "inside the loop"})
    return out


def _numpy_layers(tree: ast.Module, interp: _Interp, run: TrainingRun) -> None:
    """A NumPy network (no framework layers): weight matrices created in a class or at module level."""
    if run.layers:
        return
    weights: list[tuple[str, tuple[int, int], V, ast.AST]] = []
    biases: list[str] = []
    for node in _nodes(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        t = node.targets[0]
        name = t.attr if isinstance(t, ast.Attribute) else (t.id if isinstance(t, ast.Name) else None)
        if not name or not _PARAM_NAME.match(name) or _GRAD_NAME.search(name):
            continue
        val = interp.eval(node.value, {}, 1)
        if val.shape is None or not val.known:
            continue
        if re.match(r"(?i)^(b|bias)", name):
            biases.append(name)
        elif len(val.shape) == 2 and all(isinstance(d, int) for d in val.shape):
            weights.append((name, val.shape, val, node))
    if not weights:
        return
    shapes = [w[1] for w in weights]
    forward = all(a[1] == b[0] for a, b in zip(shapes, shapes[1:]))
    backward = all(a[0] == b[1] for a, b in zip(shapes, shapes[1:]))
    has_bias = len(biases) >= len(weights)
    stds: dict[str, float] = {}
    for name, shape, val, node in weights:
        fan_in, fan_out = (shape if forward or not backward else (shape[1], shape[0]))
        if val.dist == "normal":
            std = (val.hi - val.lo) / 6
        else:
            std = (val.hi - val.lo) / math.sqrt(12)
        layer = LayerInfo(name=name, kind="dense", units=fan_out, input_units=fan_in, activation="unknown",
                          use_bias=has_bias, initializer="numpy", line=interp.line(node), span=interp.span(node),
                          n_params=fan_in * fan_out)
        run.layers.append(layer)
        stds[name] = std
    run.extra["initial_weight_std"] = stds
    run.extra["framework_guess"] = "numpy"


def _copy_aliases(tree: ast.Module) -> dict[str, str]:
    """`w_old = self.W.copy()` -> {'w_old': 'self.W'}: the step `w_old - lr * ...` updates self.W."""
    out: dict[str, str] = {}
    for node in _nodes(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            v = node.value
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr in ("copy", "clone"):
                v = v.func.value
            elif isinstance(v, ast.Call) and _last(_dotted(v.func)) in ("copy", "deepcopy") and v.args:
                v = v.args[0]
            src = _dotted(v) if isinstance(v, (ast.Name, ast.Attribute)) else None
            if src:
                out[node.targets[0].id] = src
    return out


def _torch_attr_layers(tree: ast.Module, interp: _Interp) -> None:
    """`self.fc1 = nn.Linear(1, 64)` inside an nn.Module: remember the attribute name of each layer."""
    for cls in (n for n in _nodes(tree) if isinstance(n, ast.ClassDef)):
        if "Module" not in {_last(_dotted(b)) for b in cls.bases}:
            continue
        model = _Model(cls.name, "torch", line=interp.line(cls))
        model._attrs = {}  # type: ignore[attr-defined]
        interp.torch_modules[cls.name] = model
        interp.models.append(model)
        interp.framework_hint.add("torch")
        for node in ast.walk(cls):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute) \
                    and isinstance(node.value, ast.Call):
                last = _last(_dotted(node.value.func))
                if last in TORCH_LAYERS or last in TORCH_ACTIVATIONS:
                    args = [interp.eval(a, {}, 1) for a in node.value.args]
                    kw = {k.arg: interp.eval(k.value, {}, 1) for k in node.value.keywords if k.arg}
                    layer = interp.torch_layer(node.value, last, args, kw)
                    layer.name = node.targets[0].attr
                    if layer.kind != "activation":
                        model._attrs[node.targets[0].attr] = layer  # type: ignore[attr-defined]


def _finish_layers(layers: list[LayerInfo]) -> list[LayerInfo]:
    """Input widths from the previous layer, parameter counts, default activations."""
    prev: int | None = None
    for layer in layers:
        if layer.kind != "dense":
            continue
        if layer.input_units is None and prev is not None:
            layer.input_units = prev
        if layer.activation is None:
            layer.activation = "linear"
        if layer.units is not None and layer.input_units is not None:
            layer.n_params = layer.input_units * layer.units + (layer.units if layer.use_bias is not False else 0)
        prev = layer.units if layer.units is not None else prev
    return layers


def _columns(v: V) -> list[ColumnStats]:
    parts = v.cols if v.cols else [v]
    out = []
    for c in parts:
        if not c.known:
            return []
        lo, hi = float(c.lo), float(c.hi)
        if c.dist == "normal":
            mean, std = (lo + hi) / 2, (hi - lo) / 6
        else:
            mean, std = (lo + hi) / 2, (hi - lo) / math.sqrt(12)
        out.append(ColumnStats(min=lo, max=hi, mean=mean, std=std, is_integer=bool(c.integer)))
    return out


def _data_stats(interp: _Interp, cfg: TrainingConfig) -> DataStats:
    stats = DataStats(exact=False)
    X: V | None = None
    y: V | None = None
    if interp.fit_calls:
        line, X, y = interp.fit_calls[-1]
        stats.line = line or None
    elif interp.torch_data is not None:
        X, y, line = interp.torch_data
        stats.line = line or cfg.fit_line
    if X is None:
        return stats
    stats.n_samples = X.n if X.n is not None else (y.n if y is not None else None)
    stats.inputs = _columns(X)
    stats.targets = _columns(y) if y is not None else []
    loss = (cfg.loss or "").lower().replace("_", "")
    classification_loss = "crossentropy" in loss or loss in ("bceloss", "nllloss", "hinge", "bcewithlogitsloss")
    if stats.targets:
        # the targets decide when they are known: real-valued targets are a regression whatever the loss says
        t = stats.targets[0]
        few_labels = t.is_integer and t.max - t.min + 1 <= 10
        stats.is_regression = not few_labels if not classification_loss else not (t.is_integer or few_labels)
    elif classification_loss:
        stats.is_regression = False
    elif loss in ("mse", "meansquarederror", "mae", "meanabsoluteerror", "huber", "mseloss"):
        stats.is_regression = True
    return stats
