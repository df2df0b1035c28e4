"""Steps 2-3 of the static reader: parse with parso and ast, neutralising what cannot be parsed."""
from __future__ import annotations

import ast
import re
import warnings
from typing import Any

from nnfit.doctor.static.py2 import _logical_end, _split_comment
from nnfit.doctor.static.reflow import _mask_strings


# --------------------------------------------------------------------------------------------------
# Step 2-3: parse, tolerating errors


# parso lists every syntax error in one pass, but takes ~0.5 s per 1,000 lines; above this size the
# errors come from the ast repair loop alone (same messages, found one after another).
PARSO_MAX_LINES = 1200
PARSO_MAX_CHARS = 60_000


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


_CLOSER = {"(": ")", "[": "]", "{": "}"}


def _close_brackets(work: list[str], ln: int) -> bool:
    """A bracket opened on line `ln` and never closed, when the next code line starts a new statement
    (indented no deeper than `ln`): close it at the end of `ln` (before its comment). A bracket whose
    contents follow on deeper-indented lines is left alone (its closer is missing further down)."""
    code, comment = _split_comment(work[ln])
    stack: list[str] = []
    for ch in _mask_strings(code):
        if ch in _CLOSER:
            stack.append(ch)
        elif ch in ")]}" and stack:
            stack.pop()
    if not stack:
        return False
    indent = len(code) - len(code.lstrip())
    nxt = next((w for w in work[ln + 1:] if w.strip() and not w.strip().startswith("#")), None)
    if nxt is not None and len(nxt) - len(nxt.lstrip()) > indent:
        return False
    work[ln] = code.rstrip() + "".join(_CLOSER[c] for c in reversed(stack)) + ("  " + comment if comment else "")
    return True


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
            elif "was never closed" in msg and seen[ln] == 1 and _close_brackets(work, ln):
                pass    # `model.add(Dense(8)` followed by a new statement: closed where it was opened
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


