"""A stand-in fit for the batch tests: fast, deterministic, counts its fits. Tests only.

It parses formulas and ranges with the real parsers (so bad rows fail as they would), sleeps for
``settings["sleep"]`` seconds instead of training, and appends the job id to ``settings["log"]``
when a fit completes, so a test can count how often each job was fitted.
"""
from __future__ import annotations

import json
import os
import time

from nnfit.batch.jobs import parse_ranges, table_xy


class StubModel:
    def __init__(self, metrics, seconds, seed):
        self.metrics_ = metrics
        self.summary_ = {"seconds": seconds, "seed": seed, "architecture": "stub"}

    def save(self, path):
        with open(path, "w") as fh:
            json.dump({"metrics": self.metrics_}, fh)


def stub_fit(job, options):
    from nnfit.targets import parse_formula

    started = time.perf_counter()
    settings = job.settings
    if job.kind == "formula":
        variables = parse_ranges(job.ranges)
        expr = parse_formula(job.formula or "")
        missing = sorted(str(s) for s in expr.free_symbols if str(s) not in variables)
        if missing:
            raise ValueError(f"no range for variable(s) {', '.join(missing)}")
    else:
        table_xy(job)
    time.sleep(float(settings.get("sleep", 0.0)))
    gate, held = settings.get("gate"), time.monotonic()
    # held at the gate (at most gate_seconds): the batch stays midway while the test signals it, and a
    # batch that stops by finishing its running jobs still stops
    while gate and os.path.exists(gate) and _completed(settings.get("log")) >= int(settings.get("gate_after", 3)) \
            and time.monotonic() - held < float(settings.get("gate_seconds", 10)):
        time.sleep(0.05)
    if settings.get("hang") or job.target.startswith("hang"):
        time.sleep(3600)
    if settings.get("die") or job.target.startswith("die"):
        os._exit(3)  # a worker process killed mid-job (out of memory, kill -9)
    seed = int(settings.get("seed", 0))
    score = (sum(map(ord, job.target)) % 97 + 1) * 1e-6 * (seed + 1)
    metrics = {"rmse": score, "nrmse": score / 2, "mae": score / 3, "max_abs_error": score * 3, "r2": 1 - score, "median_rel_error": score}
    log = settings.get("log")
    if log:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.write(fd, (job.job_id + "\n").encode())
        os.close(fd)
    import torch

    model = StubModel(metrics, time.perf_counter() - started, seed)
    model.summary_["torch_threads"] = torch.get_num_threads()
    model.summary_["pid"] = os.getpid()
    return model


def _completed(log):
    """Jobs this stub has finished so far (lines of the log), 0 without a log."""
    try:
        with open(log) as fh:
            return sum(1 for _ in fh)
    except (OSError, TypeError):
        return 0
