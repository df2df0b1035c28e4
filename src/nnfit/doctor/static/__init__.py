"""The static reader: read a training script WITHOUT running it and fill a TrainingRun.

Nothing in the script is imported, executed or evaluated. The text goes through these steps, one
module each:

1. reflow.py     code flattened onto one line (pasted from a web page) is re-flowed into statements; a
                 gutter of pasted line numbers, console prompts and HTML character references are removed;
   py2.py        Python 2 `print x` / `except E, e` / `<>` become Python 3, line-preserving.
   Each repair is recorded in `run.syntax_problems` with its original line and columns.
2. parsing.py    parso (error-tolerant) lists the syntax errors that remain; the standard `ast` parser
   reads the repaired text, statements it cannot parse are neutralised one at a time.
3. values.py     abstract values: intervals (`randint(0, 500)` is integers in [0, 499]), sizes, kinds.
4. interp.py     an abstract interpreter walks the module in order, calling the script's own functions
   with the literal arguments of their call sites; framework calls are read by interp_keras.py
   (layers, compile, fit, Keras 2 names), interp_torch.py (nn modules, forward, losses) and
   interp_numpy.py (NumPy / random data, hand-written `W = W - lr * G` updates), interp_sklearn.py
   (MLPRegressor / MLPClassifier), interp_tflearn.py (TFLearn layers), interp_fasttext.py (fastText's
   supervised classifier and its training file), interp_theanets.py (theanets Regressor / Classifier) and
   pure_python.py (a back-propagation network of plain Python lists, read when nothing else is); descent.py reads which way a
   hand-written gradient points (gradient ascent by hand), comments.py what the comments say about data
   the script does not show (`# X: (n, 8), values 0-255`, `# sorted by date`).
5. locations.py  lines of the analysed text mapped back to the original file (for carets).
6. analysis.py   the entry point `analyse(text, path) -> TrainingRun`.
The names (layers, activations, optimisers, losses, Keras 2 names) come from nnfit.doctor.vocab.

Everything found this way is a guess from literals (`run.data.exact` is False); fields it cannot
recover stay None and rules treat them as unknown.
"""
from __future__ import annotations

from nnfit.doctor.static.analysis import analyse
from nnfit.doctor.static.reflow import looks_flattened, reflow

__all__ = ["analyse", "looks_flattened", "reflow"]
