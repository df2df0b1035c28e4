"""``nnfit.batch(...)`` and ``nnfit.sweep(...)``: many fits, one pandas DataFrame back.

Two kinds of source:

- a **formulas table** (CSV path or DataFrame), one row per target, columns ``formula`` and
  ``ranges`` ("x:0:1;y:-1:1"), optional ``name``, ``integer`` (true/false), ``n_samples``; other
  columns are ignored;
- a **data table** with ``targets=[...]``: one model per target column, the inputs being
  ``features`` (default: every column that is not a target).

Each target is fitted once per setting in ``grid`` (the cartesian product, e.g.
``{"hidden": [(8,), (16, 16)], "optimizer": ["lm", "lbfgs"]}``); ``**params`` are fixed settings
for every job. Settings are NNFitRegressor parameters.
"""
from __future__ import annotations

import hashlib
import math
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nnfit.batch import jobs as jobs_mod
from nnfit.batch.engines import Engine, make_engine
from nnfit.batch.jobs import Fitter, Job, RunOptions
from nnfit.errors import NNFitError

Progress = Callable[[dict[str, Any] | None, int, int], None]
"""progress(record, jobs finished in this run, jobs to run in this run); called once with None
before the first job, then once per finished job."""

RESULT_COLUMNS_FIRST = ["target", "kind", "formula", "ranges", "features"]
RESULT_COLUMNS_LAST = [
    "status",
    "error",
    *jobs_mod.METRIC_NAMES,
    "seconds",
    "fit_seconds",
    "device",
    "model_path",
    "job_id",
    "row",
    "worker",
    "run_id",
]
TIMING_COLUMNS = ["seconds", "fit_seconds", "worker", "run_id"]
"""Columns that differ between two runs of the same jobs (everything else is deterministic)."""


def batch(
    source: str | os.PathLike | Any,
    *,
    targets: Sequence[str] | str | None = None,
    features: Sequence[str] | str | None = None,
    grid: Mapping[str, Iterable[Any]] | None = None,
    out: str | os.PathLike | None = None,
    engine: str | Engine = "pool",
    workers: int | None = None,
    threads: int | None = None,
    address: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    retry_failed: bool = False,
    timeout: float | None = None,
    device: str = "cpu",
    progress: Progress | None = None,
    fit: Fitter | None = None,
    **params: Any,
):
    """Fit every target in ``source`` (x every setting in ``grid``); return the results DataFrame.

    Results are written per job under ``out`` (a temporary folder when None): ``out/jobs/*.json``
    and ``out/models/*.nnfit``. With ``resume=True`` jobs already recorded there are not fitted again
    (``retry_failed=True`` re-runs the failed and timed-out ones); ``overwrite=True`` fits all again.
    A job that fails or runs past ``timeout`` seconds is a row with its error; the batch goes on.
    ``engine``: "pool" (default: processes sized to the cores), "sequential", or "ray"
    (``address``: an existing cluster, otherwise a local instance).
    """
    settings = _settings(grid, params)
    job_list = _jobs_from_source(source, targets, features, settings)
    return run_jobs(
        job_list,
        out=out,
        engine=engine,
        workers=workers,
        threads=threads,
        address=address,
        resume=resume,
        overwrite=overwrite,
        retry_failed=retry_failed,
        timeout=timeout,
        device=device,
        progress=progress,
        fit=fit,
    )


def sweep(
    target: str,
    domain: Mapping[str, tuple[float, float]] | str | None = None,
    *,
    grid: Mapping[str, Iterable[Any]] | None = None,
    seeds: Iterable[int] | None = None,
    data: str | os.PathLike | Any = None,
    features: Sequence[str] | str | None = None,
    integer: bool = False,
    n_samples: int | None = None,
    **kwargs: Any,
):
    """Fit one target once per setting in ``grid`` (x each seed in ``seeds``); return the DataFrame.

    ``target`` is a formula with ``domain`` ({"x": (0, 1)} or "x:0:1"), or, with ``data`` (CSV path
    or DataFrame), the name of the column to fit. Other keyword arguments are as for ``batch``.
    """
    grid = dict(grid or {})
    if seeds is not None:
        grid["seed"] = list(seeds)
    if data is not None:
        return batch(data, targets=[target], features=features, grid=grid, **kwargs)
    if domain is None:
        raise NNFitError("sweep of a formula needs its domain, e.g. domain={'x': (0, 1)}")
    ranges = domain if isinstance(domain, str) else jobs_mod.format_ranges(domain)
    import pandas as pd

    table = pd.DataFrame([{"name": target, "formula": target, "ranges": ranges, "integer": integer, "n_samples": n_samples}])
    return batch(table, grid=grid, **kwargs)


def run_jobs(
    job_list: Sequence[Job],
    *,
    out: str | os.PathLike | None = None,
    engine: str | Engine = "pool",
    workers: int | None = None,
    threads: int | None = None,
    address: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    retry_failed: bool = False,
    timeout: float | None = None,
    device: str = "cpu",
    progress: Progress | None = None,
    fit: Fitter | None = None,
):
    """Run prepared jobs (see ``batch``) and return the results DataFrame, in job order."""
    if resume and overwrite:
        raise NNFitError("choose one of resume and overwrite")
    device = (device or "cpu").lower()
    if device not in ("cpu", "cuda", "auto"):
        raise NNFitError(f"device '{device}' is not one of cpu, cuda, auto")
    if timeout is not None and timeout <= 0:
        raise NNFitError(f"timeout must be positive, not {timeout}")
    job_list = _unique(job_list)
    out_dir = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="nnfit-batch-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs_mod.clean_temporaries(out_dir)

    done = jobs_mod.read_records(out_dir)
    mine = {job.job_id for job in job_list}
    already = [job_id for job_id in mine if job_id in done]
    if already and not (resume or overwrite):
        raise NNFitError(
            f"{out_dir} already holds results for {len(already)} of these {len(job_list)} jobs: "
            "pass --resume to keep them and run the rest, or --overwrite to fit them all again"
        )
    if overwrite:
        to_run = list(job_list)
    else:
        to_run = list(jobs_mod.pending(job_list, done, retry_failed=retry_failed))

    runner = engine if isinstance(engine, Engine) else make_engine(engine, workers=workers, threads=threads, address=address)
    if device == "cuda" and runner.name != "ray" and to_run:
        import torch

        if not torch.cuda.is_available():
            raise NNFitError("--device cuda: torch sees no CUDA GPU here; use --device cpu, or auto to use one when present")
    options = RunOptions(device=device, timeout=timeout, run_id=f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    fresh: dict[str, dict[str, Any]] = {}

    def on_result(record: dict[str, Any]) -> None:
        fresh[record["job_id"]] = record
        if progress is not None:
            progress(record, len(fresh), len(to_run))

    if progress is not None:
        progress(None, 0, len(to_run))  # start: the total is known
    if to_run:
        runner.run(to_run, options, out_dir, on_result, fit)
    records = {**done, **fresh}
    frame = results_frame(job_list, records, out_dir)
    frame.attrs.update(
        out=str(out_dir),
        engine=runner.describe(),
        ran=len(fresh),
        skipped=len(job_list) - len(to_run),
        run_id=options.run_id,
    )
    return frame


def results_frame(job_list: Sequence[Job], records: Mapping[str, Mapping[str, Any]], out_dir: str | os.PathLike):
    """One row per job (in job order): target, settings, status, error, metrics, time, model path."""
    import pandas as pd

    setting_keys: list[str] = sorted({key for job in job_list for key in job.settings})
    rows = []
    for job in job_list:
        record = records.get(job.job_id)
        row: dict[str, Any] = {
            "target": job.target,
            "kind": job.kind,
            "formula": job.formula,
            "ranges": job.ranges,
            "features": ",".join(job.features) if job.features else None,
        }
        for key in setting_keys:
            value = job.settings.get(key)
            row[key] = tuple(value) if isinstance(value, list) else value
        if record is None:  # not run (interrupted before it finished)
            row.update(status="pending", job_id=job.job_id, row=job.row)
        else:
            metrics = record.get("metrics") or {}
            row.update({name: metrics.get(name) for name in jobs_mod.METRIC_NAMES})
            model = record.get("model_path")
            row.update(
                status=record.get("status"),
                error=record.get("error"),
                seconds=record.get("seconds"),
                fit_seconds=record.get("fit_seconds"),
                device=record.get("device"),
                model_path=str(Path(out_dir) / model) if model else None,
                job_id=job.job_id,
                row=job.row,
                worker=record.get("worker"),
                run_id=record.get("run_id"),
            )
        rows.append(row)
    columns = [*RESULT_COLUMNS_FIRST, *setting_keys, *RESULT_COLUMNS_LAST]
    frame = pd.DataFrame(rows, columns=columns)
    for name in (*jobs_mod.METRIC_NAMES, "seconds", "fit_seconds"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    return frame


# ---------------------------------------------------------------- building jobs

def _settings(grid: Mapping[str, Iterable[Any]] | None, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    grid = {key: [_tuple_hidden(key, v) for v in values] for key, values in (grid or {}).items()}
    fixed = {key: _tuple_hidden(key, v) for key, v in params.items()}
    combos = jobs_mod.settings_grid(grid, fixed)
    for combo in combos:
        combo.setdefault("seed", 0)  # deterministic by default, and the seed is in every row
    return combos


def _tuple_hidden(key: str, value: Any) -> Any:
    if key == "hidden" and isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    if key == "hidden" and isinstance(value, int):
        return (value,)
    return value


def _jobs_from_source(source, targets, features, settings: list[dict[str, Any]]) -> list[Job]:
    frame, name, digest = _read_table(source)
    targets = _names(targets)
    features = _names(features)
    if targets:
        return _table_jobs(frame, name, digest, targets, features, settings)
    if features:
        raise NNFitError("features only apply to a data table: give the target columns too (--targets)")
    return _formula_jobs(frame, name, settings)


def _read_table(source) -> tuple[Any, str, str]:
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        digest = hashlib.sha256(pd.util.hash_pandas_object(source, index=True).values.tobytes()).hexdigest()
        digest = hashlib.sha256((digest + "|" + ",".join(map(str, source.columns))).encode()).hexdigest()
        return source, "the table", digest
    path = Path(source)
    try:
        raw = path.read_bytes() if path.is_file() else None
    except OSError as exc:  # e.g. a name too long for the file system, or no permission
        raise NNFitError(f"cannot read {str(path)[:80]}: {exc.strerror or exc}") from None
    if raw is None:
        raise NNFitError(f"{str(path)[:80]} is not a file")
    try:
        frame = pd.read_csv(path, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise NNFitError(f"{path} is not a readable CSV file: {' '.join(str(exc).split())}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, path.name, hashlib.sha256(raw).hexdigest()


def _names(value: Sequence[str] | str | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def _formula_jobs(frame, source_name: str, settings: list[dict[str, Any]]) -> list[Job]:
    missing = [c for c in ("formula", "ranges") if c not in frame.columns]
    if missing:
        raise NNFitError(
            f"{source_name} has no {' or '.join(repr(c) for c in missing)} column: a formulas table needs "
            "columns formula,ranges (e.g. '10*sin(3*x)','x:0:1'); for a data table pass --targets"
        )
    if len(frame) == 0:
        raise NNFitError(f"{source_name} has a header but no formulas: add one row per target, e.g. sine,10*sin(3*x),x:0:1")
    job_list = []
    for index, row in enumerate(frame.to_dict("records")):
        formula = _cell(row.get("formula"))
        name = _cell(row.get("name")) or formula or f"row {index + 1}"
        integer = _truthy(row.get("integer"))
        n_samples = _cell(row.get("n_samples"))
        n_samples_value: int | str | None = n_samples
        if n_samples is not None:
            try:
                n_samples_value = int(float(n_samples))
            except ValueError:
                pass  # kept as written: the job fails with that value in its error
        for combo in settings:
            job_list.append(
                Job(
                    kind="formula",
                    target=str(name),
                    formula=formula,
                    ranges=_cell(row.get("ranges")),
                    integer=integer,
                    n_samples=n_samples_value,
                    settings=dict(combo),
                    row=index + 1,
                )
            )
    return job_list


def _table_jobs(frame, source_name, digest, targets, features, settings) -> list[Job]:
    columns = [str(c) for c in frame.columns]
    job_list = []
    for target in targets:
        feats = features or [c for c in columns if c not in targets]
        keep = [c for c in [*feats, target] if c in columns]
        data = frame[keep]
        for combo in settings:
            job_list.append(
                Job(
                    kind="table",
                    target=target,
                    features=list(feats),
                    data_source=source_name,
                    data_hash=digest,
                    settings=dict(combo),
                    data=data,
                )
            )
    return job_list


def _cell(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _truthy(value: Any) -> bool:
    text = (_cell(value) or "").lower()
    return text in ("1", "true", "yes", "y", "t", "1.0")


def _unique(job_list: Sequence[Job]) -> list[Job]:
    seen: set[str] = set()
    unique = []
    for job in job_list:
        if job.job_id not in seen:
            seen.add(job.job_id)
            unique.append(job)
    return unique
