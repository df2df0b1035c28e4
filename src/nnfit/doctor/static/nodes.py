"""AST helpers shared by the interpreter: dotted names, node lists, names that look like parameters."""
from __future__ import annotations

import ast
import re



_PARAM_NAME = re.compile(r"^(?:w|W|b|B|weights?|Weights?|bias(?:es)?|Bias(?:es)?|theta|kernel|params?)(?:_?\w*)?$|^(?!(?:class|sample)_)[A-Za-z]\w*_(?:weights?|Weights?|bias(?:es)?|Bias(?:es)?)$")
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


