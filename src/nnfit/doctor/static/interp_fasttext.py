"""Step 4 of the static reader, fastText's supervised classifier (the `fasttext` Python package).

    classifier = fasttext.train_supervised(input="train.txt", lr=0.1, epoch=5)     # fastText >= 0.9
    classifier = fasttext.supervised("train.txt", "model", lr=0.1, epoch=5)        # the old 0.8 wrapper

is a network like any other: an averaged word embedding of `dim` numbers, one linear output layer with a
softmax over the labels, plain SGD one line at a time over the file IN ITS ORDER (fastText never shuffles
the training file), for `epoch` passes. The defaults are fastText's documented ones (lr 0.1, epoch 5,
dim 100, loss 'softmax'). The training file is a literal path resolved beside the script (datafiles.resolve)
and read as text only: its lines are the rows, `__label__x` marks their labels, and the labels' order in
the file is the rows' order. When the file is not there, a comment above the call that says how the lines
are ordered (`lines grouped by label`, comments.py) stands in for it.
"""
from __future__ import annotations

import ast
import os
import re

from nnfit.doctor.run import LayerInfo, OptimizerInfo
from nnfit.doctor.static import datafiles
from nnfit.doctor.static.values import UNKNOWN, V

FASTTEXT_CALLS = {"supervised", "train_supervised"}
_DEFAULTS = {"lr": 0.1, "epoch": 5, "dim": 100, "loss": "softmax"}
# fastText's loss names -> the canonical spelling used by the rules (nnfit.doctor.vocab); the others
# (hs, ns, ova) are approximations of a softmax the rules have no name for
_LOSSES = {"softmax": "sparse_categorical_crossentropy", "ova": "binary_crossentropy"}
_LABEL = re.compile(r"__label__(\S+)")
# a training file larger than this is left unread (as datafiles.MAX_BYTES)
MAX_BYTES = datafiles.MAX_BYTES


def read_labelled_lines(path: str, script_dir: str | None) -> list[str] | None:
    """The first label of each line of a fastText training file beside the script (None: not there, too
    large, or no line carries a `__label__`). Text only; nothing is executed."""
    full = datafiles.resolve(path, script_dir)
    if full is None or os.path.getsize(full) > MAX_BYTES:
        return None
    labels: list[str] = []
    try:
        with open(full, encoding="utf-8", errors="replace") as fh:
            for k, line in enumerate(fh):
                if k >= datafiles.MAX_ROWS:
                    break
                m = _LABEL.search(line)
                if m:
                    labels.append(m.group(1))
    except OSError:
        return None
    return labels or None


def label_order(labels: list[str]) -> float:
    """|Spearman correlation| of the label (ranked by first appearance) with the line's position: 1.0 for
    a file written label after label, about 0 for shuffled lines. The same reading as a data file's
    column order (datafiles.column_facts), on the labels' codes."""
    import numpy as np

    codes: dict[str, int] = {}
    y = np.array([codes.setdefault(lab, len(codes)) for lab in labels], dtype=float)
    if len(y) < 3 or y.std() == 0:
        return 0.0
    pos = np.arange(len(y), dtype=float)
    # ranks with ties averaged
    order = y.argsort(kind="stable")
    ranks = np.empty(len(y))
    ranks[order] = np.arange(len(y), dtype=float)
    for value in np.unique(y):
        mask = y == value
        ranks[mask] = ranks[mask].mean()
    rho = np.corrcoef(ranks, pos)[0, 1]
    return float(abs(rho)) if np.isfinite(rho) else 0.0


class FastTextReader:
    """Mixin of the interpreter (static/interp.py)."""

    def fasttext_call(self, node: ast.Call, last: str, args: list[V], kw: dict[str, V]) -> V | None:
        def get(name: str, pos: int | None = None):
            v = kw.get(name) or (args[pos] if pos is not None and len(args) > pos else None)
            if v is None:
                return _DEFAULTS.get(name)
            return v.const if v.const is not None else UNKNOWN

        line, span = self.line(node), self.span(node)
        source = kw.get("input") or (args[0] if args else None)
        path = source.const if source is not None and isinstance(source.const, str) else None
        lr, epoch, dim, loss = get("lr"), get("epoch"), get("dim"), get("loss")
        model = self.models_at(self.key(node), "fasttext", node)
        labels = read_labelled_lines(path, self.script_dir) if path else None
        classes = len(set(labels)) if labels else None
        model.layers.append(LayerInfo(name=self._layer_name("embedding"), kind="embedding",
                                      units=dim if isinstance(dim, int) else None, line=line, span=span))
        if classes:     # the output layer's width is the labels' count: unknown without the file (the rules
            # would read a layer of unknown width as one unit)
            model.layers.append(LayerInfo(name=self._layer_name("dense"), kind="dense", units=classes,
                                          input_units=dim if isinstance(dim, int) else None,
                                          activation="softmax" if loss == "softmax" else "sigmoid" if loss == "ova" else None,
                                          line=line, span=span))
        # named apart from plain SGD: fastText's rate decays linearly to 0 over training and its usual values
        # (0.1 to 1.0) are not those of SGD on a dense network (the learning-rate bars are read from those)
        info = OptimizerInfo(name="fasttext", learning_rate=float(lr) if isinstance(lr, (int, float)) else None,
                             line=line, passed_to_compile=True,
                             arguments={"default_learning_rate": "lr" not in kw, "fasttext": True})
        self.optimizers[self.key(node)] = info
        self.compiled = info
        self.framework_hint.add("fasttext")
        cfg = self.config
        cfg.loss = _LOSSES.get(loss, "custom") if isinstance(loss, str) else None
        cfg.compile_line = cfg.fit_line = line
        cfg.epochs = epoch if isinstance(epoch, int) and not isinstance(epoch, bool) else None
        # the file is read line by line in its order on every pass (no shuffling), one update per line; the
        # batch size stays unknown (a batch of 1 at fastText's rates is its design, not a small-batch fault)
        cfg.shuffle, cfg.shuffle_line = False, line
        order: float | None = None
        if labels:
            codes: dict[str, int] = {}
            for lab in labels:
                codes.setdefault(lab, len(codes))
            counts: dict[str, int] = {}
            for lab in labels:
                counts[str(codes[lab])] = counts.get(str(codes[lab]), 0) + 1
            order = label_order(labels)
            if cfg.epochs:
                self.planned_updates = cfg.epochs * len(labels)
            y = V("seq", 0.0, float(len(codes) - 1), True, len(labels), counts=counts, ndim=1, dtype="int64",
                  order=order)
        else:
            facts = getattr(self, "comment_facts", None)
            said = facts.by_line.get(line or -1) if facts is not None else None
            order = 1.0 if said is not None and said.ordered else None
            y = V("seq", None, None, True, None, ndim=1, dtype="int64", order=order) if order else UNKNOWN
        X = V("seq", n=len(labels) if labels else None, dtype="object", order=None)
        if labels or order:
            self.fit_calls.append((line or 0, X, y))
        return V("model", ref=model)
