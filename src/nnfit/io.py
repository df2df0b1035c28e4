"""Writing files and JSON: the one atomic writer and the one JSON sanitiser every output goes through.

An output is written to a temporary file in the destination's folder, flushed and fsynced, then
renamed over the destination: a reader (or a re-run after a crash) sees the old file or the whole
new one, never half of it. The file gets the usual mode (0o666 minus the umask), not mkstemp's 0o600.
"""
from __future__ import annotations

import errno
import json
import math
import os
import stat
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
    refuse_special_destination(path)
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


def refuse_special_destination(path: str | os.PathLike) -> None:
    """An output may replace a regular file, never a folder, device, FIFO or socket: the atomic rename
    would put a regular file where /dev/null (or a pipe another program reads) stood."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise NNFitError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise NNFitError(f"cannot write {path}: it is a folder; name a file")
    if not stat.S_ISREG(mode):
        raise NNFitError(f"cannot write {path}: it is {_kind(mode)}, not a regular file; name a file")


def regular_file(path: str | os.PathLike, what: str = "file") -> Path:
    """`path` as a Path when it names a readable regular file (a symlink to one counts); else one line
    saying what it is. A FIFO or a device (/dev/zero, /dev/stdin) is refused before it is opened:
    opening a FIFO blocks and reading /dev/zero never ends."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise NNFitError(f"no such {what}: {_short(path)}") from None
    except ValueError:  # an embedded NUL byte
        raise NNFitError(f"no such {what}: the path holds a NUL character") from None
    except OSError as exc:  # a name too long, a loop of symlinks, a component that is a file
        if exc.errno == errno.ENOTDIR:  # a/b.csv where a is a file
            raise NNFitError(f"no such {what}: {_short(path)}") from None
        raise NNFitError(f"cannot open {_short(path)}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise NNFitError(f"{_short(path)} is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise NNFitError(f"{_short(path)} is {_kind(mode)}, not a regular {what}")
    return path


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 120 else text[:117] + "..."


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
