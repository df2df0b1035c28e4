"""Step 1a of the static reader: code pasted onto one line is re-flowed into statements."""
from __future__ import annotations

import bisect
import dataclasses
import re



# --------------------------------------------------------------------------------------------------
# Step 1a: code flattened onto one line


FLATTENED_MIN_CHARS = 200
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
# Step 1b: an interactive session pasted as a script (>>> / ... prompts, IPython In [n]: / ...:, % magics)

_REPL = re.compile(r"^(>>>|\.\.\.)( |$)")
_IPYTHON = re.compile(r"^(In \[\d*\]:|\s+\.\.\.:)( |$)")
_MAGIC = re.compile(r"^\s*[%!]")
_FENCE = re.compile(r"^\s*(```|~~~)[\w+-]*\s*$")


_LINE_NUMBER = re.compile(r"^(\s*)(\d{1,5})([ \t]+|[.:|)][ \t]*|$)")
# Pasted with the page's line numbers: at least this share of the non-blank lines carry a leading number
# that counts up by one from line to line (an editor's or a blog's gutter). Python itself never starts a
# statement with a bare integer followed by code, so a lower share would already be unusual; the bar is
# set high so that a few numeric literals in data rows (`1, 2, 3,` inside a list) never count.
LINE_NUMBERED = 0.8


def strip_line_numbers(lines: list[str], problems: list[dict], line_map: list[tuple[int, int]]) -> list[str]:
    """Remove a gutter of line numbers pasted in front of the code (`1  import numpy as np`,
    `12. model.fit(...)`). The gutter is as wide as the narrowest numbered line's number and separator
    (the widest number is padded to it); what follows keeps its own indentation. Lines stay where they are."""
    body = [i for i, ln in enumerate(lines) if ln.strip()]
    if len(body) < 3:
        return lines
    hits = {i: m for i in body if (m := _LINE_NUMBER.match(lines[i]))}
    if len(hits) < LINE_NUMBERED * len(body):
        return lines
    values = [int(hits[i].group(2)) for i in sorted(hits)]
    steps = sum(1 for a, b in zip(values, values[1:]) if b == a + 1)
    if steps < LINE_NUMBERED * (len(values) - 1):
        return lines
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse("\n".join(lines))
        return lines            # valid Python as it stands (a column of numbers is a script of expressions)
    except (SyntaxError, ValueError):
        pass
    starts = [m.end() for i, m in hits.items() if lines[i][m.end():].strip()]
    gutter = min(starts) if starts else 0
    out = list(lines)
    for i, m in hits.items():
        ln = lines[i]
        cut = gutter if not ln[m.end(2):gutter].strip(" \t.:|)") else m.end()
        out[i] = ln[cut:]
        line_map[i] = (line_map[i][0], line_map[i][1] + cut)
    first = min(hits)
    problems.append({
        "line": line_map[first][0], "column": 1, "end_column": hits[first].end(2) + 1, "kind": "line-numbers",
        "message": "the code was pasted with its line numbers: every line starts with a number, which is not Python",
        "fix": "remove the line numbers (copy the code without the gutter)",
    })
    return out


def strip_prompts(lines: list[str], problems: list[dict], line_map: list[tuple[int, int]]) -> list[str]:
    """Remove the prompts of a pasted console session so the code under them is read; in a session with
    `>>>` prompts, lines without one are the console's output and are blanked; `%magic` and `!shell`
    lines (notebooks) and Markdown code fences are blanked too. Line numbers stay; each kind of repair is
    reported once."""
    repl = sum(1 for ln in lines if _REPL.match(ln) and ln.startswith(">>>"))
    out = list(lines)
    seen: set[str] = set()
    for i, ln in enumerate(lines):
        kind = None
        m = _REPL.match(ln) if repl else None
        mi = _IPYTHON.match(ln)
        if m or mi:
            cut = len((m or mi).group(0))
            out[i] = ln[cut:]
            line_map[i] = (line_map[i][0], line_map[i][1] + cut)
            kind = "console-prompt"
        elif repl and ln.strip():
            out[i] = ""                       # the console's output between prompts
            kind = "console-output"
        elif _MAGIC.match(ln):
            out[i] = ""
            kind = "notebook-magic"
        elif _FENCE.match(ln):
            out[i] = ""
            kind = "markdown-fence"
        if kind and kind not in seen:
            seen.add(kind)
            problems.append({
                "line": line_map[i][0], "column": 1, "end_column": len(ln) + 1, "kind": kind,
                "message": {"console-prompt": "a pasted console session: `>>>` / `In [n]:` prompts are not Python",
                            "console-output": "console output pasted among the code",
                            "notebook-magic": "a notebook `%` / `!` line is not Python",
                            "markdown-fence": "a Markdown code fence (```) pasted with the code"}[kind],
                "fix": {"notebook-magic": "remove it (or run the script in a notebook)",
                        "markdown-fence": "remove the fence lines"}.get(kind, "remove the prompts and the output; keep the code"),
            })
    return out


# --------------------------------------------------------------------------------------------------
# Step 1c: characters a web page put into the code (curly quotes, non-breaking spaces, zero-width marks)

_WEB = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " ", "\u2002": " ",
        "\u2003": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "",
        "\ufeff": "", "\u2212": "-", "\u2013": "-"}
_WEB_RE = re.compile("[" + "".join(_WEB) + "]")
# HTML character references a scraped page left in the code (`if x &gt; 0:`, `print(&quot;done&quot;)`):
# the five that HTML escapes in code blocks, plus the non-breaking space
_ENTITIES = {"&gt;": ">", "&lt;": "<", "&amp;": "&", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&apos;": "'",
             "&nbsp;": " "}
_ENTITY_RE = re.compile("|".join(re.escape(e) for e in _ENTITIES))


def repair_web_characters(lines: list[str], problems: list[dict], line_map: list[tuple[int, int]]) -> list[str]:
    """Typographic quotes, non-breaking / thin spaces, zero-width marks and a minus sign copied from a web
    page are the ASCII Python expects; a script Python already accepts is left as it is. Each changed line
    is reported (its length may shrink: zero-width marks are removed)."""
    import ast
    import warnings

    if not any(_WEB_RE.search(ln) or _ENTITY_RE.search(ln) for ln in lines):
        return lines
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse("\n".join(lines))
        return lines
    except (SyntaxError, ValueError):
        pass
    out = list(lines)
    for i, ln in enumerate(lines):
        if _ENTITY_RE.search(ln):
            first = _ENTITY_RE.search(ln).start()
            out[i] = ln = _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], ln)
            problems.append({
                "line": line_map[i][0], "column": line_map[i][1] + first + 1, "end_column": line_map[i][1] + first + 2,
                "kind": "web-characters",
                "message": "HTML character references from a web page (`&gt;`, `&lt;`, `&amp;`, `&quot;`) instead of "
                           "the characters they stand for",
                "fix": "retype them as > < & \"",
            })
        if _WEB_RE.search(ln):
            out[i] = _WEB_RE.sub(lambda m: _WEB[m.group(0)], ln)
            first = _WEB_RE.search(ln).start()
            problems.append({
                "line": line_map[i][0], "column": line_map[i][1] + first + 1, "end_column": line_map[i][1] + first + 2,
                "kind": "web-characters",
                "message": "characters from a web page (typographic quotes, non-breaking spaces, zero-width marks) "
                           "that Python does not accept",
                "fix": "retype the quotes and spaces as plain ASCII",
            })
    return out
