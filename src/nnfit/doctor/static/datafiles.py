"""Data files a script loads from beside it, read for `doctor lint` (never executed, never unpickled).

`np.load("x.npy")`, `np.loadtxt("data.csv", delimiter=",")`, `np.genfromtxt(...)`, `pd.read_csv(...)`
with a literal path are resolved against the script's folder and read here: .npy / .npz with
`allow_pickle=False`, text tables (.csv, .tsv, .txt, .dat) with the csv module. A file outside the
script's folder tree, larger than MAX_BYTES, or not a plain numeric table is skipped (the value stays
unknown). The result is a Table: numeric columns with their names, for the interpreter's values.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import os

import numpy as np

# A training script's data file in a Q&A post is kB to a few MB; larger files are left unread so
# lint stays fast and bounded whatever sits beside the script.
MAX_BYTES = 20_000_000
MAX_ROWS = 200_000
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".dat", ".data")


@dataclasses.dataclass
class Table:
    values: np.ndarray                 # (rows, columns) float64
    names: list[str] | None = None     # column names from a header row
    path: str = ""
    arrays: dict[str, np.ndarray] | None = None   # an .npz: name -> array


def resolve(path: str, script_dir: str | None) -> str | None:
    """The file a literal path names, when it lies in the script's folder tree; else None."""
    if not script_dir or not path or "\x00" in path:
        return None
    root = os.path.realpath(script_dir)
    full = os.path.realpath(os.path.join(root, os.path.expanduser(path)))
    if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
        # the poster's own location (r"C:\Users\me\data.csv", "/content/drive/MyDrive/data.csv",
        # "../input/data.csv"): the file handed over with the script lies beside it under the same name
        base = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        if not base or base in (".", ".."):
            return None
        full = os.path.realpath(os.path.join(root, base))
        if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
            return None
    if os.path.getsize(full) > MAX_BYTES:
        return None
    return full


def read(path: str, script_dir: str | None, *, delimiter: str | None = None, skiprows: int = 0,
         header: bool | None = None) -> Table | None:
    full = resolve(path, script_dir)
    if full is None:
        return None
    low = full.lower()
    try:
        if low.endswith(".npy"):
            arr = np.load(full, allow_pickle=False)
            return _table(np.asarray(arr, dtype=float), None, full)
        if low.endswith(".npz"):
            with np.load(full, allow_pickle=False) as z:
                arrays = {k: np.asarray(z[k], dtype=float) for k in z.files}
            return Table(values=np.zeros((0, 0)), path=full, arrays=arrays)
        if low.endswith(TEXT_SUFFIXES):
            return _read_text(full, delimiter, skiprows, header)
    except (OSError, ValueError, TypeError):
        return None
    return None


def _table(arr: np.ndarray, names: list[str] | None, path: str) -> Table | None:
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim > 2:
        arr = arr.reshape(len(arr), -1)
    if arr.size == 0:
        return None
    return Table(values=arr[:MAX_ROWS], names=names, path=path)


def _read_text(path: str, delimiter: str | None, skiprows: int, header: bool | None) -> Table | None:
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read(MAX_BYTES)
    lines = [ln for ln in text.splitlines()[skiprows:] if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return None
    if delimiter is None:
        sample = "\n".join(lines[:20])
        delimiter = next((d for d in (",", "\t", ";") if d in sample), None)
    rows = list(csv.reader(io.StringIO("\n".join(lines[:MAX_ROWS + 1])), delimiter=delimiter)) if delimiter \
        else [ln.split() for ln in lines[:MAX_ROWS + 1]]
    names = None
    if rows and (header or (header is None and not _numeric(rows[0]))):
        names = [c.strip() for c in rows[0]]
        rows = rows[1:]
    width = max((len(r) for r in rows), default=0)
    data = np.full((len(rows), width), np.nan)
    for i, r in enumerate(rows):
        for j, cell in enumerate(r):
            try:
                data[i, j] = float(cell)
            except ValueError:
                pass
    return _table(data, names, path)


def _numeric(row: list[str]) -> bool:
    try:
        [float(c) for c in row if c.strip()]
        return True
    except ValueError:
        return False


def column_facts(col: np.ndarray) -> dict:
    """Range, integer-ness, class counts (few integer values) and row order of one column."""
    finite = col[np.isfinite(col)]
    if finite.size == 0:
        return {}
    integer = bool(np.all(finite == np.round(finite)))
    counts = None
    if integer:
        values, n = np.unique(finite, return_counts=True)
        if len(values) <= 50:
            counts = {str(int(v)): int(c) for v, c in zip(values, n)}
    order = None
    if len(finite) >= 10 and np.ptp(finite) > 0:
        ranks = np.argsort(np.argsort(finite, kind="stable"), kind="stable").astype(float)
        order = abs(float(np.corrcoef(np.arange(len(finite), dtype=float), ranks)[0, 1]))
    return {"lo": float(finite.min()), "hi": float(finite.max()), "integer": integer, "n": int(len(col)),
            "counts": counts, "order": order}
