"""Engines: where the jobs run. All three run the same job function and commit the same records.

- ``sequential``: one job after another in this process (torch keeps its default threads).
- ``pool`` (default): a local process pool (concurrent.futures) sized to the cores, each worker
  with ``cores // workers`` torch threads so the machine is not oversubscribed. Small networks gain
  nothing from intra-op threads, so the default is one single-threaded worker per core (measured:
  docs/batch.md).
- ``ray``: the same jobs as Ray tasks (optional extra ``nnfit[ray]``). ``address`` joins a running
  cluster (``ray://head:10001`` or ``auto``); without it a local Ray instance starts on the loopback
  interface and stops at the end. Results travel back to this process, which writes them, so a
  cluster needs no shared filesystem.

Interrupting (Ctrl-C) stops the workers; every result already written stays, and a re-run with
``resume`` carries on. A job that fails or times out is a record with its error, never an exception.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any

from nnfit.batch.jobs import Fitter, Job, RunOptions, base_record, commit, execute, run_job
from nnfit.errors import NNFitError

ENGINES = ("sequential", "pool", "ray")
OnResult = Callable[[dict[str, Any]], None]


def available_cores() -> int:
    """Cores this process may use (CPU affinity where the OS has it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def thread_split(cores: int, workers: int | None = None, threads: int | None = None) -> tuple[int, int]:
    """(workers, torch threads per worker) with workers * threads <= cores (at least 1 each).

    Default: one single-threaded worker per core, the best split measured for nnfit's small
    networks (bench/batch_bench.py --splits).
    """
    if workers is not None and workers < 1:
        raise NNFitError(f"workers must be at least 1, not {workers}")
    if threads is not None and threads < 1:
        raise NNFitError(f"threads per worker must be at least 1, not {threads}")
    if workers is None and threads is None:
        return cores, 1
    if workers is None:
        return max(1, cores // threads), threads
    if threads is None:
        return workers, max(1, cores // workers)
    return workers, threads


def set_torch_threads(threads: int) -> None:
    """Limit this process's torch (and OpenMP/MKL) threads."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    import torch

    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # only settable before the first inter-op use
        torch.set_num_interop_threads(1)


class Engine:
    name = "engine"

    def run(
        self,
        jobs: Sequence[Job],
        options: RunOptions,
        out_dir: str | os.PathLike,
        on_result: OnResult,
        fit: Fitter | None = None,
    ) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


class SequentialEngine(Engine):
    """A plain loop in this process. torch threads are left as they are unless ``threads`` is given."""

    name = "sequential"

    def __init__(self, threads: int | None = None):
        self.threads = threads

    def run(self, jobs, options, out_dir, on_result, fit=None):
        if self.threads:
            set_torch_threads(self.threads)
        for job in jobs:
            on_result(run_job(job, options, out_dir, fit))

    def describe(self) -> str:
        return "sequential" + (f" ({self.threads} torch threads)" if self.threads else "")


def _init_pool_worker(threads: int, started=None) -> None:
    # Ctrl-C reaches the whole process group: the parent handles it and stops the workers, so a
    # worker must not turn it into a job error.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if started is not None:  # tells the parent that workers can start at all
        with started.get_lock():
            started.value += 1
    set_torch_threads(threads)
    preload_imports()  # already done by the forkserver; with spawn, done here, not in the first job


class PoolEngine(Engine):
    """A local process pool (forkserver/spawn processes: safe with torch's threads).

    At most ``workers`` jobs are in flight at once, so when a worker process dies (killed, out of
    memory) the jobs it may have been running are known: each is run again alone in a fresh pool,
    and the one that kills its worker again is recorded as failed; the rest of the batch goes on.
    """

    name = "pool"

    def __init__(self, workers: int | None = None, threads: int | None = None):
        self.workers, self.threads = thread_split(available_cores(), workers, threads)

    def describe(self) -> str:
        return f"pool ({self.workers} workers x {self.threads} torch threads)"

    def run(self, jobs, options, out_dir, on_result, fit=None):
        queue = list(jobs)[::-1]  # pop() from the end keeps the given order
        suspects: list[Job] = []
        while queue or suspects:
            if suspects:
                # in flight when a worker died: run each alone, so a second death is its own
                job = suspects.pop(0)
                if self._run_pool([job], 1, options, out_dir, on_result, fit):
                    on_result(_worker_died(job, options, out_dir))
            else:
                suspects = self._run_pool(queue, self.workers, options, out_dir, on_result, fit)

    def _run_pool(self, queue, limit, options, out_dir, on_result, fit) -> list[Job]:
        """Run jobs from ``queue`` (popped from the end), at most ``limit`` in flight. Returns the
        jobs that were in flight if a worker process died (the pool is then unusable), else []."""
        ctx = _mp_context()
        started = ctx.Value("i", 0)
        executor = cf.ProcessPoolExecutor(
            max_workers=min(self.workers, limit), mp_context=ctx, initializer=_init_pool_worker,
            initargs=(self.threads, started),
        )
        in_flight: dict[cf.Future, Job] = {}
        clean = False
        try:
            while queue or in_flight:
                while queue and len(in_flight) < limit:
                    job = queue.pop()
                    in_flight[executor.submit(run_job, job, options, out_dir, fit)] = job
                done, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    job = in_flight.pop(future)
                    try:
                        record = future.result()
                    except cf.process.BrokenProcessPool:
                        if started.value == 0:
                            raise NNFitError(
                                "the process pool's workers died before they could start; when nnfit.batch runs "
                                "from a script, call it under `if __name__ == \"__main__\":` (Python's rule for "
                                "process pools), or use engine='sequential'"
                            ) from None
                        lost = [job, *in_flight.values()]
                        in_flight.clear()
                        return lost
                    on_result(record)
            clean = True
            return []
        finally:
            if clean:
                executor.shutdown(wait=True)
            else:
                _stop_pool(executor)


# What a first fit imports lazily (torch.optim pulls in torch._dynamo: ~3 s on its own). Imported
# once, before the workers start, so that no job's time includes it (measured: bench/batch_bench.py).
PRELOAD = ["torch", "torch._dynamo", "torch.optim", "sympy", "pandas", "safetensors.torch",
           "nnfit.targets", "nnfit.fit", "nnfit.persist", "nnfit.batch.jobs"]


def preload_imports() -> None:
    """Import PRELOAD (Ray's worker_process_setup_hook; the pool's forkserver does it by name)."""
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _mp_context():
    """forkserver where the OS has it: a clean single-threaded server process imports torch and the
    rest of PRELOAD once, and each worker is forked from it (fast, and safe with torch's threads, as
    the server never runs a fit); spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _worker_died(job: Job, options: RunOptions, out_dir) -> dict[str, Any]:
    record = base_record(job, options)
    record["status"] = "failed"
    record["error"] = "worker process died while this job was running (killed, or out of memory?)"
    return commit(record, None, out_dir)


def _stop_pool(executor: cf.ProcessPoolExecutor) -> None:
    """Stop at once: drop queued jobs and terminate the workers (their unfinished jobs are lost,
    nothing finished is touched: results are committed by atomic rename)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)


def _ray_job(job: Job, options: RunOptions, fit: Fitter | None, threads: int):
    """What a Ray task runs: fit, return (record, model bytes); the driver writes them."""
    set_torch_threads(threads)
    return execute(job, options, fit)


class RayEngine(Engine):
    """Jobs as Ray tasks. ``address``: an existing cluster; None: start a local instance.

    ``num_cpus`` limits a local instance (default: the cores here). Each task asks Ray for
    ``cpus_per_job`` CPUs (torch threads = that many) and, with device "cuda", ``gpus_per_job`` GPUs.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        cpus_per_job: int = 1,
        gpus_per_job: float = 1.0,
        init_kwargs: dict[str, Any] | None = None,
    ):
        self.address = address
        self.num_cpus = num_cpus
        self.cpus_per_job = cpus_per_job
        self.gpus_per_job = gpus_per_job
        self.init_kwargs = dict(init_kwargs or {})

    def describe(self) -> str:
        where = self.address or f"local instance, {self.num_cpus or available_cores()} CPUs"
        return f"ray ({where})"

    def run(self, jobs, options, out_dir, on_result, fit=None):
        ray = import_ray()
        started_here = False
        loopback = contextlib.nullcontext()
        if not ray.is_initialized():
            if self.address is None:
                loopback = loopback_only(ray)
                loopback.__enter__()
            ray.init(**self._init_args())
            started_here = self.address is None
        try:
            num_gpus = self.gpus_per_job if options.device == "cuda" else 0
            task = ray.remote(num_cpus=self.cpus_per_job, num_gpus=num_gpus, max_retries=0)(_ray_job)
            refs = {task.remote(job, options, fit, self.cpus_per_job): job for job in jobs}
            waiting = list(refs)
            while waiting:
                ready, waiting = ray.wait(waiting, num_returns=1)
                for ref in ready:
                    job = refs[ref]
                    try:
                        record, model_bytes = ray.get(ref)
                    except Exception as exc:  # the task itself died (worker killed, lost node)
                        record, model_bytes = base_record(job, options), None
                        record["status"] = "failed"
                        record["error"] = f"ray task failed: {' '.join(str(exc).split())[:300]}"
                    on_result(commit(record, model_bytes, out_dir))
        except BaseException:
            with contextlib.suppress(Exception):
                for ref in refs:
                    ray.cancel(ref, force=True)
            raise
        finally:
            if started_here:
                ray.shutdown()
            loopback.__exit__(None, None, None)

    def _init_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {
            "ignore_reinit_error": True,
            "log_to_driver": False,
            "logging_level": logging.WARNING,
            # each Ray worker imports torch & co. when it starts, not inside its first job
            "runtime_env": {"worker_process_setup_hook": "nnfit.batch.engines.preload_imports"},
        }
        if self.address:
            args["address"] = self.address
        else:
            args.update(address="local", num_cpus=self.num_cpus or available_cores(), include_dashboard=False)
        args.update(self.init_kwargs)
        return args


@contextlib.contextmanager
def loopback_only(ray):
    """Make a local Ray instance bind to 127.0.0.1 only, not to the machine's network address.

    Ray's own switch for single-machine use (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0, read at import,
    hence also set on the imported constant); restored afterwards so that joining a real cluster
    later in this process is unaffected.
    """
    var = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
    old_env = os.environ.get(var)
    constants = getattr(getattr(ray, "_private", None), "ray_constants", None)
    old_flag = getattr(constants, "ENABLE_RAY_CLUSTER", None)
    os.environ[var] = "0"
    if old_flag is not None:
        constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        if old_env is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = old_env
        if old_flag is not None:
            constants.ENABLE_RAY_CLUSTER = old_flag


def import_ray():
    try:
        import ray
    except ImportError:
        raise NNFitError("--engine ray needs Ray: pip install 'nnfit[ray]'") from None
    return ray


def make_engine(
    name: str = "pool",
    *,
    workers: int | None = None,
    threads: int | None = None,
    address: str | None = None,
    num_cpus: int | None = None,
) -> Engine:
    name = (name or "pool").lower()
    if address and name != "ray":
        raise NNFitError("--address joins a Ray cluster: use it with --engine ray")
    if name == "sequential":
        return SequentialEngine(threads=threads)
    if name in ("pool", "local"):
        return PoolEngine(workers=workers, threads=threads)
    if name == "ray":
        return RayEngine(address=address, num_cpus=num_cpus or workers, cpus_per_job=threads or 1)
    raise NNFitError(f"engine '{name}' is not one of {', '.join(ENGINES)}")


__all__ = [
    "ENGINES",
    "Engine",
    "PoolEngine",
    "RayEngine",
    "SequentialEngine",
    "available_cores",
    "make_engine",
    "thread_split",
]
