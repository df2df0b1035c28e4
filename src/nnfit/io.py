"""Writing files and JSON: the one atomic writer and the one JSON sanitiser every output goes through.

An output is written to a temporary file in the destination's folder, flushed and fsynced, then
renamed over the destination: a reader (or a re-run after a crash) sees the old file or the whole
new one, never half of it. The file gets the usual mode (0o666 minus the umask), not mkstemp's 0o600.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from nnfit.errors import NNFitError

# The process umask, read once at import (reading it means setting it; restored at once).
_UMASK = os.umask(0o022)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


def atomic_write(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write `data` (bytes, or text as UTF-8) to `path` atomically; return the path.

    A folder that cannot be created or written is the user's to fix: NNFitError, one line.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise NNFitError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.chmod(temp, FILE_MODE)
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException as exc:  # failed or interrupted: leave nothing half-written behind
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise NNFitError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return path


def check_writable(folder: str | os.PathLike) -> Path:
    """Create `folder` if needed and prove a file can be written there, before any long work starts."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NNFitError(f"cannot write into {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise NNFitError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    return folder


def to_jsonable(value: Any, allow_nan: bool = False) -> Any:
    """Plain JSON types from what nnfit records hold: mappings, sequences, numpy scalars and arrays, paths.

    Non-finite floats become the strings "nan", "inf", "-inf" (strict JSON has no such numbers),
    unless `allow_nan` (files only nnfit reads back, whose json module accepts NaN).
    Anything else unknown becomes its str().
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v, allow_nan) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(v, allow_nan) for v in items]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if allow_nan or math.isfinite(value) else str(value)
    if isinstance(value, PurePath):
        return str(value)
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays, torch tensors
    if callable(tolist):
        try:
            return to_jsonable(tolist(), allow_nan)
        except (TypeError, ValueError):
            pass
    return str(value)


def json_text(value: Any, indent: int | None = 2, allow_nan: bool = False, sort_keys: bool = False) -> str:
    """`value` as JSON text, through the sanitiser."""
    return json.dumps(to_jsonable(value, allow_nan), indent=indent, allow_nan=allow_nan, sort_keys=sort_keys)
