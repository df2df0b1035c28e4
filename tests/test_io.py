"""The one atomic writer, the one JSON sanitiser (nnfit.io) and the one metrics function (nnfit.metrics)."""
import json
import math
import os
import stat

import numpy as np
import pytest

from nnfit.errors import NNFitError
from nnfit.io import FILE_MODE, atomic_write, check_writable, json_text, to_jsonable
from nnfit.metrics import regression_metrics, rmse


def test_atomic_write_writes_text_and_bytes_with_the_usual_mode(tmp_path):
    path = atomic_write(tmp_path / "sub" / "out.txt", "héllo")
    assert path.read_bytes() == "héllo".encode()
    assert stat.S_IMODE(os.stat(path).st_mode) == FILE_MODE  # not mkstemp's 0o600
    atomic_write(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert [p.name for p in path.parent.iterdir()] == ["out.txt"]  # no temporary left behind


def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "results.csv"
    path.write_text("old")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_an_unwritable_place_is_one_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(NNFitError, match="cannot write"):
        atomic_write(blocker / "out.txt", "data")
    with pytest.raises(NNFitError, match="cannot write into"):
        check_writable(blocker)
    assert check_writable(tmp_path / "new" / "folder").is_dir()


def test_json_sanitiser_gives_strict_json_from_numpy_and_non_finite_values(tmp_path):
    value = {1: np.float64(2.5), "a": np.arange(3), "b": (np.int64(4), math.nan), "c": {math.inf, -math.inf},
             "path": tmp_path, "none": None, "flag": np.bool_(True)}
    clean = to_jsonable(value)
    assert clean == {"1": 2.5, "a": [0, 1, 2], "b": [4, "nan"], "c": ["-inf", "inf"], "path": str(tmp_path),
                     "none": None, "flag": True}
    json.loads(json_text(value))  # strict JSON: no NaN/Infinity tokens
    assert math.isnan(to_jsonable(math.nan, allow_nan=True))


def test_regression_metrics_on_a_perfect_and_a_wrong_prediction():
    y = np.linspace(1, 2, 50)
    perfect = regression_metrics(y, y)
    assert perfect["rmse"] == 0 and perfect["r2"] == 1 and perfect["n_test"] == 50
    off = regression_metrics(y, y + 0.1)
    assert off["rmse"] == pytest.approx(0.1) and off["max_abs_error"] == pytest.approx(0.1) and off["r2"] < 1


def test_a_non_finite_prediction_scores_worst_so_that_it_ranks_last():
    y = np.linspace(0, 1, 10)
    metrics = regression_metrics(y, np.full(10, np.nan))
    assert metrics["rmse"] == math.inf and metrics["r2"] == -math.inf


def test_r2_of_a_constant_target_is_1_when_exact_and_minus_inf_otherwise():
    y = np.ones(10)
    assert regression_metrics(y, y)["r2"] == 1.0
    assert regression_metrics(y, y + 1e-3)["r2"] == -math.inf


def test_rmse_never_broadcasts_a_column_against_a_row():
    a = np.arange(4.0).reshape(-1, 1)
    assert rmse(a, np.arange(4.0)) == 0.0
    assert rmse([1.0], [np.inf]) == math.inf
