"""Source locations: map lines of the repaired, analysed text back to the original file."""
from __future__ import annotations

import ast



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


