"""Keras 2 -> Keras 3 argument mapping for `nnfit doctor run` (applied at run time, never to files).

Each mapping is recorded as a LegacyUse (reported as NF117 legacy-keras-api) with the script line.
"""
from __future__ import annotations

from typing import Any

from nnfit.doctor.run import LegacyUse
from nnfit.doctor.vocab import KERAS2_INITIALIZERS


def _argument(text: str, start: int) -> str:
    """The keyword argument starting at `start` (`init='uniform'`), up to its top-level , or )."""
    depth, quote = 0, None
    for j in range(start, len(text)):
        ch = text[j]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return text[start:j].rstrip()
            depth -= 1
        elif ch == "," and depth == 0:
            return text[start:j].rstrip()
    return text[start:].rstrip()


class Compat:
    def __init__(self, script: Any):
        self.script = script
        self.uses: list[LegacyUse] = []

    def note(self, old: str, new: str, needle: str | None = None) -> None:
        line = self.script.caller_line() if self.script else None
        span = None
        if line and needle and self.script:
            text = self.script.lines[line - 1] if line <= len(self.script.lines) else ""
            col = text.find(needle)
            if col >= 0:
                span = (col + 1, col + 1 + len(_argument(text, col)))
        if not any(u.old == old and u.line == line for u in self.uses):
            self.uses.append(LegacyUse(old=old, new=new, line=line, span=span))

    def dense_kwargs(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        if "output_dim" in kwargs and not args and "units" not in kwargs:
            kwargs["units"] = kwargs.pop("output_dim")
            self.note("output_dim=", "units=", "output_dim=")
        for old, new in (("init", "kernel_initializer"), ("W_regularizer", "kernel_regularizer"),
                         ("b_regularizer", "bias_regularizer"), ("bias", "use_bias")):
            if old in kwargs:
                value = kwargs.pop(old)
                if old == "init" and isinstance(value, str):
                    value = KERAS2_INITIALIZERS.get(value, value)
                kwargs[new] = value
                self.note(f"{old}=", f"{new}=", old + "=")  # span: the whole `init='uniform'`
        return args, kwargs

    def optimizer_kwargs(self, kwargs: dict) -> dict:
        if "lr" in kwargs:
            kwargs["learning_rate"] = kwargs.pop("lr")
            self.note("lr=", "learning_rate=", "lr=")
        if "decay" in kwargs:
            decay = kwargs.pop("decay")
            if decay:
                from keras.optimizers.schedules import InverseTimeDecay

                lr = kwargs.get("learning_rate", 0.01)
                kwargs["learning_rate"] = InverseTimeDecay(float(lr), decay_steps=1, decay_rate=float(decay))
            self.note("decay=", "learning_rate=InverseTimeDecay(lr, 1, decay)", "decay=")
        return kwargs

    def fit_kwargs(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        if "nb_epoch" in kwargs:
            kwargs["epochs"] = kwargs.pop("nb_epoch")
            self.note("nb_epoch=", "epochs=", "nb_epoch=")
        import numpy as np

        args = list(args)
        for i, key in ((0, "x"), (1, "y")):
            value = args[i] if len(args) > i else kwargs.get(key)
            if isinstance(value, list) and value and not hasattr(value[0], "shape"):
                arr = np.asarray(value, dtype="float32")
                if len(args) > i:
                    args[i] = arr
                else:
                    kwargs[key] = arr
                self.note(f"fit({key}=list)", f"fit({key}=np.asarray(list))")
        return tuple(args), kwargs
