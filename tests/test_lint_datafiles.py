"""`doctor lint` reads the data files a script loads from beside it (read-only, never unpickled)."""
from __future__ import annotations

import numpy as np
import pytest

from nnfit.doctor import lint
from nnfit.doctor.static import analyse, datafiles

SCRIPT = """
import numpy as np
import pandas as pd
from keras.models import Sequential
from keras.layers import Dense
{load}
model = Sequential()
model.add(Dense(16, input_dim={n_in}, activation="relu"))
model.add(Dense(1))
model.compile(loss="mse", optimizer="adam")
model.fit(X, y, epochs=50, batch_size=32{extra})
"""


def write_csv(path, x, y, header=True):
    with open(path, "w") as fh:
        if header:
            fh.write("area,rooms,price\n")
        for row, t in zip(x, y):
            fh.write(",".join(f"{v:.3f}" for v in row) + f",{t:.3f}\n")


def make(tmp_path, load, n_in=2, extra=""):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT.format(load=load, n_in=n_in, extra=extra))
    return script


def test_pandas_csv_beside_the_script_gives_ranges_and_the_unscaled_finding(tmp_path):
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.uniform(50, 400, 300), rng.integers(1, 6, 300)])
    write_csv(tmp_path / "houses.csv", x, 1000 * x[:, 0] + rng.normal(0, 50, 300))
    script = make(tmp_path, 'df = pd.read_csv("houses.csv")\nX = df.drop("price", axis=1).values\ny = df["price"].values')
    run = analyse(script.read_text(), str(script))
    assert run.static.data_files == [str(tmp_path / "houses.csv")]
    assert len(run.data.inputs) == 2 and run.data.inputs[0].max == pytest.approx(x[:, 0].max(), abs=1e-3)
    assert run.data.targets[0].max > 1e4
    codes = {f.code for f in lint.lint_file(script)}
    assert {"NF105", "NF106"} <= codes


def test_numpy_loadtxt_columns_and_sorted_rows_with_validation_split(tmp_path):
    x = np.linspace(0, 1, 400)
    np.savetxt(tmp_path / "curve.txt", np.column_stack([x, np.sin(3 * x)]))
    script = make(tmp_path, 'data = np.loadtxt("curve.txt")\nX = data[:, :-1]\ny = data[:, -1]', n_in=1,
                  extra=", validation_split=0.2")
    run = analyse(script.read_text(), str(script))
    assert len(run.data.inputs) == 1 and run.data.n_samples == 400
    assert run.data.order_correlation == pytest.approx(1.0)
    assert "NF127" in {f.code for f in lint.lint_file(script)}


def test_npz_and_npy_are_read_without_pickles(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.random.default_rng(0).uniform(0, 900, (100, 2)), y=np.zeros(100))
    script = make(tmp_path, 'd = np.load("d.npz")\nX = d["X"]\ny = d["y"]')
    assert analyse(script.read_text(), str(script)).data.inputs[0].max > 800
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert datafiles.read("obj.npy", str(tmp_path)) is None      # an object array would need a pickle


def test_files_outside_the_script_folder_and_oversized_files_are_not_read(tmp_path, monkeypatch):
    inner = tmp_path / "project"
    inner.mkdir()
    np.save(tmp_path / "secret.npy", np.ones((10, 2)))
    assert datafiles.read("../secret.npy", str(inner)) is None
    assert datafiles.read(str(tmp_path / "secret.npy"), str(inner)) is None
    np.save(inner / "big.npy", np.ones((100, 2)))
    monkeypatch.setattr(datafiles, "MAX_BYTES", 100)
    assert datafiles.read("big.npy", str(inner)) is None


def test_a_missing_file_leaves_the_data_unknown(tmp_path):
    script = make(tmp_path, 'df = pd.read_csv("nowhere.csv")\nX = df.values[:, :2]\ny = df.values[:, 2]')
    run = analyse(script.read_text(), str(script))
    assert run.data.inputs == [] and run.static.data_files == []
