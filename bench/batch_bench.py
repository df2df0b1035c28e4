"""Batch benchmark: 20 formulas (1-3 variables) fitted three ways in one run.

    .venv/bin/python bench/batch_bench.py            # sequential loop, local pool, Ray local
    .venv/bin/python bench/batch_bench.py --splits   # also: pool worker x thread splits
    .venv/bin/python bench/batch_bench.py --quick    # 6 formulas, for a smoke run
    .venv/bin/python bench/batch_bench.py --repeat 3 # ways interleaved 3 times, fastest of each shown

1. a plain sequential loop: ``for f in formulas: nnfit.fit_function(...)`` in this process, torch's
   default threads (what a user writes without nnfit batch);
2. ``nnfit.batch(engine="pool")``: the local process pool, default split (one 1-thread worker/core);
3. ``nnfit.batch(engine="ray")`` on a local Ray instance (loopback, num_cpus = cores).

The one-time start-up of the pool (its process server importing torch and nnfit) and of the Ray
instance is measured apart and printed, not counted in jobs/minute: it is paid once per batch,
like the sequential loop's own `import nnfit`, which is also done before its clock starts.

Every way fits the same jobs with the same settings and seed, step-bounded (the time budget is
never reached), so wall time measures throughput, not a deadline. Prints jobs/minute, the speed-up
over the sequential loop, and the median held-out NRMSE (the same work was done).
The machine's load average is printed: other processes on the cores lower every number.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

FORMULAS = [
    # 1 variable
    ("quadratic", "x**2 + 2*x + 2", "x:0:1"),
    ("sine", "10*sin(3*x)", "x:0:1"),
    ("damped", "exp(-x)*cos(5*x)", "x:0:2"),
    ("log1p", "log(1 + x)", "x:0:3"),
    ("sqrt", "sqrt(x + 1)", "x:0:4"),
    ("step", "tanh(4*x - 2)", "x:0:1"),
    ("cubic", "x**3 - x", "x:-1:1"),
    ("lorentz", "1/(1 + x**2)", "x:-2:2"),
    ("sinc-ish", "sin(x)/(x + 1)", "x:0:3"),
    ("sigmoid", "sigmoid(5*x)", "x:-1:1"),
    # 2 variables
    ("product", "x*y", "x:0:1;y:-1:1"),
    ("wave", "sin(x)*cos(y)", "x:0:3;y:0:3"),
    ("bowl", "x**2 + y**2", "x:-1:1;y:-1:1"),
    ("gauss", "exp(-(x**2 + y**2))", "x:-1:1;y:-1:1"),
    ("ratio", "x/(1 + y**2)", "x:0:1;y:-1:1"),
    # 3 variables
    ("triple", "x*y*z", "x:0:1;y:0:1;z:0:1"),
    ("mixed", "x + y*z", "x:0:1;y:0:1;z:0:1"),
    ("phase", "sin(x + y + z)", "x:0:1;y:0:1;z:0:1"),
    ("decay", "exp(-x)*y + z**2", "x:0:1;y:0:1;z:0:1"),
    ("pairs", "x*y + y*z + x*z", "x:0:1;y:0:1;z:0:1"),
]
# Step-bounded settings: a few seconds per fit; max_seconds is far away, so time = work.
SETTINGS = {"restarts": 2, "adam_steps": 600, "lm_steps": 300, "stages": 1, "max_seconds": 600.0, "seed": 0}
N_SAMPLES = 1000


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def formulas_frame(rows):
    import pandas as pd

    return pd.DataFrame([{"name": n, "formula": f, "ranges": r, "n_samples": N_SAMPLES} for n, f, r in rows])


def sequential_loop(rows) -> dict:
    """What a user writes by hand: one fit after another, torch's default threads."""
    import torch

    import nnfit
    from nnfit.batch.jobs import parse_ranges

    nnfit.fit_function("x", domain={"x": (0, 1)}, restarts=1, adam_steps=1, lm_steps=1, stages=1)  # warm, as the others
    started = time.perf_counter()
    nrmse = []
    for _, formula, ranges in rows:
        model = nnfit.fit_function(formula, domain=parse_ranges(ranges), n_samples=N_SAMPLES, **SETTINGS)
        nrmse.append(model.metrics_["nrmse"])
    seconds = time.perf_counter() - started
    return {"way": "sequential loop", "split": f"1 x {torch.get_num_threads()} threads", "seconds": seconds,
            "job_seconds": seconds,
            "ok": len(nrmse), "median_nrmse": statistics.median(nrmse)}


def warm_up(engine, n: int) -> float:
    """Seconds for an engine's one-time start (worker processes importing torch and nnfit): ``n``
    trivial jobs, one per worker. The timed run that follows is then steady state."""
    from nnfit.batch.api import batch

    rows = [(f"warm-up {i}", f"{i + 1}*x", "x:0:1") for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="nnfit-bench-") as out:
        started = time.perf_counter()
        batch(formulas_frame(rows), out=out, engine=engine, restarts=1, adam_steps=1, lm_steps=1, stages=1)
        return time.perf_counter() - started


def batch_way(rows, way: str, engine, split: str) -> dict:
    from nnfit.batch.api import batch

    with tempfile.TemporaryDirectory(prefix="nnfit-bench-") as out:
        started = time.perf_counter()
        frame = batch(formulas_frame(rows), out=out, engine=engine, **SETTINGS)
        seconds = time.perf_counter() - started
    ok = frame[frame["status"] == "ok"]
    failed = frame[frame["status"] != "ok"]
    for row in failed.itertuples():
        print(f"  {way}: {row.target} {row.status}: {row.error}", file=sys.stderr)
    return {"way": way, "split": split, "seconds": seconds, "ok": len(ok),
            "median_nrmse": float(ok["nrmse"].median()) if len(ok) else float("nan"),
            "job_seconds": float(frame["seconds"].sum())}


def ray_way(rows, cores: int) -> dict | None:
    try:
        import ray
    except ImportError:
        print("ray is not installed (pip install 'nnfit[ray]'): skipping the Ray way", file=sys.stderr)
        return None
    import logging

    from nnfit.batch.engines import RayEngine, loopback_only

    engine = RayEngine(num_cpus=cores)
    with loopback_only(ray):
        started = time.perf_counter()
        ray.init(**{**engine._init_args(), "num_gpus": 0, "logging_level": logging.ERROR})
        startup = time.perf_counter() - started + warm_up(engine, cores)
        try:
            result = batch_way(rows, "ray local", engine, f"{cores} tasks x 1 thread")
        finally:
            ray.shutdown()
    result["startup_seconds"] = startup
    return result


def print_table(results: list[dict], n_jobs: int) -> None:
    base = results[0]["seconds"]
    header = (f"{'way':<18} {'split':<22} {'seconds':>8} {'jobs/min':>9} {'speed-up':>9} "
              f"{'start-up s':>10} {'speed-up incl. start-up':>24} {'ok':>4} {'median nrmse':>13}")
    print(header)
    print("-" * len(header))
    for r in results:
        startup = r.get("startup_seconds", 0.0)
        print(f"{r['way']:<18} {r['split']:<22} {r['seconds']:8.1f} {60 * n_jobs / r['seconds']:9.1f} "
              f"{base / r['seconds']:8.2f}x {startup:10.1f} {base / (r['seconds'] + startup):23.2f}x "
              f"{r['ok']:>4} {r['median_nrmse']:13.2e}")


def best_of(runs: list[dict]) -> dict:
    """The fastest of repeated runs (the one least disturbed by other work on the machine)."""
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["all_seconds"] = [round(r["seconds"], 2) for r in runs]
    if "startup_seconds" in runs[0]:
        best["startup_seconds"] = runs[0]["startup_seconds"]  # the first (cold) start, the one a user pays
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="6 formulas instead of 20")
    parser.add_argument("--splits", action="store_true", help="also measure pool worker x thread splits")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray way")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (ways interleaved); the fastest of each is shown")
    parser.add_argument("--json", help="write the results here as JSON")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    import nnfit.fit  # noqa: F401  (import time is not fit time)

    import_seconds = time.perf_counter() - started
    from nnfit.batch.engines import PoolEngine, SequentialEngine, available_cores

    rows = FORMULAS[::4] + FORMULAS[17:18] if args.quick else FORMULAS
    cores = available_cores()
    print(f"{len(rows)} formulas (1-3 variables), {cores} cores, settings {SETTINGS}, n_samples {N_SAMPLES}")
    print(f"import nnfit: {import_seconds:.1f} s (before the sequential loop's clock)")
    print(f"load average before: {load_average()}", flush=True)

    def pool_way(workers=None, threads=None, way="local pool"):
        engine = PoolEngine(workers=workers, threads=threads)
        startup = warm_up(engine, engine.workers)
        result = batch_way(rows, way, engine, f"{engine.workers} workers x {engine.threads} thr")
        result["startup_seconds"] = startup
        return result

    ways = {"sequential loop": lambda: sequential_loop(rows), "local pool": pool_way}
    try:
        import ray  # noqa: F401

        if not args.no_ray:
            ways["ray local"] = lambda: ray_way(rows, cores)
    except ImportError:
        print("ray is not installed (pip install 'nnfit[ray]'): skipping the Ray way", file=sys.stderr)
    if args.splits:
        ways["batch seq 1 thr"] = lambda: batch_way(rows, "batch sequential", SequentialEngine(threads=1), "1 x 1 thr")
        ways[f"batch seq {cores} thr"] = lambda: batch_way(
            rows, "batch sequential", SequentialEngine(threads=cores), f"1 x {cores} thr")
        ways["pool 1 worker"] = lambda: pool_way(1, cores)
        ways["pool oversubscribed"] = lambda: pool_way(cores, 2)
    runs: dict[str, list[dict]] = {name: [] for name in ways}
    for round_ in range(args.repeat):
        for name, way in ways.items():
            runs[name].append(way())
            last = runs[name][-1]
            print(f"  round {round_ + 1}: {name}: {last['seconds']:.1f} s, jobs' own seconds summed "
                  f"{last['job_seconds']:.1f} (load {load_average()})", flush=True)
    results = [best_of(r) for r in runs.values()]
    print(f"load average after: {load_average()}\n")
    print_table(results, len(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"jobs": len(rows), "cores": cores, "settings": SETTINGS, "results": results}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
