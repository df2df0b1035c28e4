"""Jobs: one fit each, independent and idempotent.

A job is a plain record (what to fit, with which settings). Its id is a hash of that record, so the
same row with the same settings always has the same id, and a re-run knows what is already done.

Running a job never raises for a bad job: it returns a result record with ``status`` "ok",
"failed" (with the error) or "timeout". The record is the commit point: the model file is written
first, then the record, each to a temporary name and renamed into place (atomic on one filesystem),
so an interrupted batch leaves either a whole result or none.

Layout of an output folder::

    out/jobs/<job_id>.json     one result record per finished job
    out/models/<job_id>.nnfit  the fitted model (status "ok" only)
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import re
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from nnfit.errors import DataError, NNFitError
from nnfit.io import atomic_write, to_jsonable

JOBS_DIR = "jobs"
MODELS_DIR = "models"
MODEL_SUFFIX = ".nnfit"
RECORD_VERSION = 1
METRIC_NAMES = ("rmse", "nrmse", "mae", "max_abs_error", "r2", "median_rel_error")
STATUSES = ("ok", "failed", "timeout")


class JobTimeout(BaseException):
    """Raised inside a job when its time is up.

    A BaseException, like KeyboardInterrupt, so that a broad ``except Exception`` inside the fit
    engine (an optimiser falling back to another) cannot swallow it.
    """


@dataclasses.dataclass
class Job:
    """What one fit needs. Everything but ``data`` is JSON and goes into the job id.

    kind "formula": ``formula`` and ``ranges`` ("x:0:1;y:-1:1") are kept as the raw strings the user
    wrote; they are parsed when the job runs, so a bad row fails that job only.
    kind "table": ``target`` is a column of a data table, ``features`` the input columns (None: all
    other columns); ``data`` (a pandas DataFrame) travels with the job but is identified by
    ``data_hash``, never serialised into the record.
    """

    kind: str
    target: str
    formula: str | None = None
    ranges: str | None = None
    integer: bool = False
    n_samples: int | str | None = None
    features: list[str] | None = None
    data_source: str | None = None
    data_hash: str | None = None
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    row: int | None = None
    data: Any = dataclasses.field(default=None, repr=False, compare=False)

    def spec(self) -> dict[str, Any]:
        """The JSON-able identity of the job (no data, no runtime options)."""
        spec = dataclasses.asdict(dataclasses.replace(self, data=None))
        spec.pop("data")
        spec.pop("row")  # moving a row within the file does not make it a new job
        spec.pop("data_source")
        spec["settings"] = to_jsonable(self.settings)
        return spec

    @property
    def job_id(self) -> str:
        text = json.dumps(self.spec(), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        return f"{_slug(self.target)}-{digest}"


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """How to run jobs; not part of a job's identity."""

    device: str = "cpu"
    timeout: float | None = None
    run_id: str = ""


Fitter = Callable[[Job, RunOptions], Any]
"""A callable that fits one job and returns an object with ``metrics_``, ``summary_``, ``save(path)``."""


# ---------------------------------------------------------------- parsing the raw strings of a row

def parse_ranges(text: Any) -> dict[str, tuple[float, float]]:
    """Parse "x:0:1;y:-1:1" into {"x": (0.0, 1.0), "y": (-1.0, 1.0)}; one-line NNFitError if bad.

    Each bound is read by nnfit.targets.parse_domain, so "x:0:2*pi"-style bounds it accepts work here too.
    """
    from nnfit.targets import parse_domain

    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        raise NNFitError("empty 'ranges': write the variable ranges as 'x:0:1;y:-1:1'")
    domain: dict[str, tuple[float, float]] = {}
    for part in re.split(r"[;\s]+", str(text).strip()):
        if not part:
            continue
        name, sep, bounds = part.partition(":")
        name = name.strip()
        if not sep or not name.isidentifier() or bounds.count(":") != 1:  # unicode names too (λ, µ)
            raise NNFitError(f"range '{part}' is not 'name:low:high' (e.g. 'x:0:1')")
        if name in domain:
            raise NNFitError(f"variable '{name}' has two ranges")
        try:
            parsed = parse_domain(bounds)
        except NNFitError as exc:
            raise NNFitError(f"range of '{name}': {exc}") from None
        domain[name] = (parsed.low, parsed.high)
    return domain


def format_ranges(domain: Mapping[str, tuple[float, float]]) -> str:
    """The inverse of parse_ranges: {"x": (0, 1)} -> "x:0:1"."""
    return ";".join(f"{name}:{_num(lo)}:{_num(hi)}" for name, (lo, hi) in domain.items())


def _num(v: float) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def settings_grid(grid: Mapping[str, Iterable[Any]] | None, fixed: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The cartesian product of a grid ({"optimizer": ["lm", "lbfgs"], ...}), each merged with ``fixed``."""
    combos: list[dict[str, Any]] = [dict(fixed or {})]
    for key, values in (grid or {}).items():
        values = list(values)
        if not values:
            raise NNFitError(f"setting '{key}' has no values")
        combos = [{**c, key: v} for c in combos for v in values]
    return combos


def settings_label(settings: Mapping[str, Any], skip: Iterable[str] = ("seed", "device")) -> str:
    """A short human label for a setting, e.g. "hidden=16x16 optimizer=lm" (seed left out)."""
    parts = []
    for key in sorted(settings):
        if key in skip:
            continue
        value = settings[key]
        if isinstance(value, (list, tuple)):
            value = "x".join(str(v) for v in value) or "linear"
        parts.append(f"{key}={value}")
    return " ".join(parts) or "default"


# ---------------------------------------------------------------- running one job

def default_fit(job: Job, options: RunOptions) -> Any:
    """The real path: nnfit's fit engine. Returns a fitted NNFitRegressor."""
    if job.kind == "formula":
        if job.formula is None or not str(job.formula).strip():
            raise NNFitError("the formula is empty")
        domain = parse_ranges(job.ranges)
        kwargs: dict[str, Any] = {"domain": domain, "integer": bool(job.integer)}
        if job.n_samples is not None:
            if not isinstance(job.n_samples, int) or job.n_samples < 1:
                raise NNFitError(f"n_samples '{job.n_samples}' is not a positive whole number")
            kwargs["n_samples"] = job.n_samples
        import nnfit.fit as fit_module  # imported here: a worker pays for torch only when it fits

        return fit_module.fit_function(str(job.formula), **kwargs, **_fit_params(job.settings, options))
    if job.kind == "table":
        X, y = table_xy(job)
        import nnfit.fit as fit_module

        params = _fit_params(job.settings, options)
        if "seed" in params:  # the batch's setting is "seed" (as in fit_function); the estimator's is random_state
            params["random_state"] = params.pop("seed")
        return fit_module.NNFitRegressor(**params).fit(X, y)
    raise NNFitError(f"unknown job kind '{job.kind}'")


def _fit_params(settings: Mapping[str, Any], options: RunOptions) -> dict[str, Any]:
    params = dict(settings)
    if isinstance(params.get("hidden"), list):
        params["hidden"] = tuple(params["hidden"])
    if "transform" in params:  # the batch's setting is the CLI's --transform; the estimator's is scaling
        params["scaling"] = params.pop("transform")
    params.setdefault("device", resolve_device(options.device))
    return params


def table_xy(job: Job) -> tuple[Any, Any]:
    """The (X, y) of a table job, as DataFrame / Series so the model keeps the column names."""
    data = job.data
    if data is None:
        raise DataError(f"no data for target column '{job.target}'")
    columns = [str(c) for c in data.columns]
    if job.target not in columns:
        raise DataError(f"column '{job.target}' is not in {job.data_source or 'the data'} (columns: {', '.join(columns)})")
    features = job.features or [c for c in columns if c != job.target]
    missing = [c for c in features if c not in columns]
    if missing:
        raise DataError(f"feature column(s) {', '.join(missing)} not in {job.data_source or 'the data'}")
    if job.target in features:
        raise DataError(f"column '{job.target}' is both a feature and the target")
    if not features:
        raise DataError(f"no feature columns left for target '{job.target}'")
    return data[features], data[job.target]


def resolve_device(device: str) -> str:
    """"auto" -> "cuda" when torch sees a GPU, else "cpu"; "cpu"/"cuda" unchanged."""
    device = (device or "cpu").lower()
    if device not in ("cpu", "cuda", "auto"):
        raise NNFitError(f"device '{device}' is not one of cpu, cuda, auto")
    if device == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def execute(job: Job, options: RunOptions, fit: Fitter | None = None) -> tuple[dict[str, Any], bytes | None]:
    """Fit one job and return (result record, model bytes or None). Never raises for a bad job.

    KeyboardInterrupt and SystemExit pass through: the batch is being stopped, the job is not failed.
    """
    fit = fit or default_fit
    record = base_record(job, options)
    started = time.perf_counter()
    model_bytes = None
    try:
        with _time_limit(options.timeout):
            model = fit(job, options)
            model_bytes = _model_bytes(model)
        record["status"] = "ok"
        metrics = dict(getattr(model, "metrics_", {}) or {})
        record["metrics"] = {k: _float_or_none(v) for k, v in metrics.items()}
        summary = getattr(model, "summary_", {}) or {}
        record["summary"] = to_jsonable(summary)
        record["fit_seconds"] = _float_or_none(summary.get("seconds"))
        record["device"] = str(summary.get("device") or _fit_params(job.settings, options)["device"])
    except JobTimeout:
        record["status"] = "timeout"
        record["error"] = f"timed out after {options.timeout:g} s"
    except Exception as exc:  # a bad job: recorded, the batch goes on
        record["status"] = "failed"
        record["error"] = _one_line(exc)
    record["seconds"] = time.perf_counter() - started
    record["finished_at"] = time.time()
    return record, model_bytes


def run_job(job: Job, options: RunOptions, out_dir: str | os.PathLike, fit: Fitter | None = None) -> dict[str, Any]:
    """Execute a job and commit its result under ``out_dir``; returns the record."""
    record, model_bytes = execute(job, options, fit)
    return commit(record, model_bytes, out_dir)


def base_record(job: Job, options: RunOptions) -> dict[str, Any]:
    return {
        "version": RECORD_VERSION,
        "job_id": job.job_id,
        "spec": job.spec(),
        "row": job.row,
        "status": None,
        "error": None,
        "metrics": {},
        "summary": {},
        "seconds": None,
        "fit_seconds": None,
        "device": options.device,
        "model_path": None,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "run_id": options.run_id,
        "started_at": time.time(),
        "finished_at": None,
    }


def _model_bytes(model: Any) -> bytes:
    """Save the model through its own ``save(path)`` into a scratch folder and read the bytes back.

    Bytes travel from a Ray worker on another machine to the driver; the driver (or the local
    worker) then writes them atomically into the output folder.
    """
    with tempfile.TemporaryDirectory(prefix="nnfit-job-") as tmp:
        path = Path(tmp) / ("model" + MODEL_SUFFIX)
        model.save(path)
        if path.is_dir():
            raise NNFitError("model.save() wrote a folder; batch expects one file")
        return path.read_bytes()


def commit(record: dict[str, Any], model_bytes: bytes | None, out_dir: str | os.PathLike) -> dict[str, Any]:
    """Write the model, then the record, each atomically. The record's presence marks the job done."""
    out = Path(out_dir)
    job_id = record["job_id"]
    if model_bytes is not None and record["status"] == "ok":
        rel = f"{MODELS_DIR}/{job_id}{MODEL_SUFFIX}"
        atomic_write(out / rel, model_bytes)
        record["model_path"] = rel
    atomic_write(out / JOBS_DIR / f"{job_id}.json", (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
    return record


# ---------------------------------------------------------------- reading results back

def read_records(out_dir: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """All finished records in ``out_dir`` by job id. Unreadable files are ignored (never half-written)."""
    folder = Path(out_dir) / JOBS_DIR
    records: dict[str, dict[str, Any]] = {}
    if not folder.is_dir():
        return records
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("job_id") == path.stem:
            records[path.stem] = record
    return records


def clean_temporaries(out_dir: str | os.PathLike) -> int:
    """Remove temp files left by a killed run (never a finished result). Returns how many."""
    n = 0
    for sub in (JOBS_DIR, MODELS_DIR):
        folder = Path(out_dir) / sub
        if folder.is_dir():
            for path in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    path.unlink()
                    n += 1
    return n


def pending(jobs: Iterable[Job], done: Mapping[str, Mapping[str, Any]], retry_failed: bool = False) -> Iterator[Job]:
    """The jobs that still need running: no record, or (with retry_failed) a failed/timed-out one."""
    for job in jobs:
        record = done.get(job.job_id)
        if record is None or (retry_failed and record.get("status") != "ok"):
            yield job


# ---------------------------------------------------------------- helpers

@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise JobTimeout in this thread after ``seconds`` (SIGALRM; main thread of a process only).

    The check happens between Python bytecodes, so a fit is stopped within one optimiser step.
    Where SIGALRM cannot be used (another thread, Windows) the job runs without a limit here; the
    Ray engine also enforces the limit from the driver.
    """
    if not seconds or seconds <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise JobTimeout()

    try:
        previous = signal.signal(signal.SIGALRM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _one_line(exc: BaseException) -> str:
    text = " ".join(_ANSI.sub("", str(exc)).split()) or exc.__class__.__name__
    if isinstance(exc, NNFitError):
        return text
    return f"{exc.__class__.__name__}: {text}"


def _float_or_none(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", str(text)).strip("_")[:40]
    return slug or "job"
