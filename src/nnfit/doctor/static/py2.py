"""Step 1b of the static reader: Python 2 constructs repaired on their own lines (line-preserving)."""
from __future__ import annotations

import re
from typing import Any

from nnfit.doctor.static.reflow import _mask_strings, repair_web_characters, strip_line_numbers, strip_prompts


# --------------------------------------------------------------------------------------------------
# Step 1b: Python 2 constructs, repaired on their own lines

# a print statement alone on its line, or after a one-line compound header (`if k % 100 == 0: print k`,
# `for e in X: print e`, `else: print x`); the header's own colon is the first one on the masked line
_PRINT_STMT = re.compile(r"^(\s*(?:(?:if|elif|while|for|with|except)\b[^:#]*:\s*|(?:else|try|finally)\s*:\s*)?)"
                         r"print(?:\s+(?![\s(=.,)\]])|\s*>>)")
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
                "end_column": orig_col + len(indent) + len(lines[i][len(indent):].strip()) + 1,
                "kind": "print-statement",
                "message": "Python 2 print statement: Python 3 cannot parse it",
                "fix": (lines[i][:len(indent)].strip() + " " if indent.strip() else "")
                + "print(" + lines[i][len(indent):].strip()[len("print"):].strip().rstrip("\\").strip() + (" ...)" if end > i else ")"),
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


def repair_pasted(lines: list[str], problems: list[dict[str, Any]], line_map: list[tuple[int, int]]) -> list[str]:
    """The line-preserving repairs of code pasted from a page, a console or a notebook, in order: web
    characters, prompts / console output / `%` and `!` lines / code fences, Python 2 constructs. Used
    by the static reader and by `doctor run` (which then runs the repaired text)."""
    lines = repair_web_characters(lines, problems, line_map)
    lines = strip_line_numbers(lines, problems, line_map)
    lines = strip_prompts(lines, problems, line_map)
    return repair_python2(lines, problems, line_map)
