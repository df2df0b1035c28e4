"""PNG plots and the self-contained HTML report: content, escaping, atomic writes, speed."""
from __future__ import annotations

import os
import re

import numpy as np
import pytest

from nnfit.errors import NNFitError
from nnfit.report import (before_after_section, findings_section, metrics_section, plot_fit, plot_gradient_norms,
                          plot_losses, plot_residuals, write_html_report, write_report)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_pixels(path):
    import matplotlib.image as mpimg

    return mpimg.imread(str(path))


def _is_drawn(path) -> bool:
    """Not blank: the image has many distinct colours and real contrast."""
    pixels = _png_pixels(path)[..., :3]
    return float(pixels.std()) > 0.05 and len(np.unique(pixels.reshape(-1, 3).round(2), axis=0)) > 20


def _seed1_data(n=1000):
    x = np.random.default_rng(0).uniform(0, 1, n)
    y = 10 * np.sin(3 * x)
    return x.reshape(-1, 1), y, y + 1e-4 * np.sin(40 * x)


def _history(n=400):
    return {"train_loss": list(np.logspace(0, -12, n)), "val_loss": list(np.logspace(0, -11.5, n)),
            "phase": ["adam"] * (n // 4) + ["lm"] * (n - n // 4)}


def test_1d_fit_plot_draws_target_and_prediction(tmp_path):
    X, y, pred = _seed1_data()
    path = plot_fit(X, y, pred, ["x"], tmp_path / "fit.png")
    assert path.read_bytes().startswith(PNG_MAGIC)
    assert _is_drawn(path)


def test_2d_fit_plot_has_heat_map_and_error_map(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 500, size=(1500, 2)).astype(float)
    y = X[:, 0] * X[:, 1]
    path = plot_fit(X, y, y * (1 + 1e-7 * rng.normal(size=len(y))), ["a", "b"], tmp_path / "fit2d.png")
    pixels = _png_pixels(path)
    assert pixels.shape[1] > pixels.shape[0] * 2   # two panels side by side
    assert _is_drawn(path)


def test_residual_loss_and_gradient_plots_are_drawn(tmp_path):
    X, y, pred = _seed1_data()
    assert _is_drawn(plot_residuals(X, y, pred, ["x"], tmp_path / "res.png"))
    assert _is_drawn(plot_losses(_history(), tmp_path / "loss.png"))
    grads = {"dense": list(np.logspace(-1, -6, 50)), "dense_1": list(np.logspace(0, -2, 50))}
    assert _is_drawn(plot_gradient_norms(grads, tmp_path / "grad.png"))


def test_plots_survive_nan_and_empty_histories(tmp_path):
    X, y, pred = _seed1_data(50)
    pred[3] = np.nan
    plot_fit(X, y, pred, None, tmp_path / "a.png")
    plot_residuals(X, y, pred, None, tmp_path / "b.png")
    plot_losses({"train_loss": [np.nan, np.inf, 0.0]}, tmp_path / "c.png")
    plot_losses({}, tmp_path / "d.png")
    assert all((tmp_path / f"{c}.png").stat().st_size > 1000 for c in "abcd")


def test_plot_without_path_returns_png_bytes():
    X, y, pred = _seed1_data(50)
    assert plot_fit(X, y, pred).startswith(PNG_MAGIC)


def test_report_is_self_contained_with_every_section(tmp_path):
    from nnfit.doctor.findings import Finding

    X, y, pred = _seed1_data()
    finding = Finding("NF101", "layer 'dense' has 1 unit (sigmoid) before a 50-unit layer", "remove this layer",
                      {"units": 1, "saturated_fraction": 0.93})
    path = write_report(tmp_path / "out", "nnfit fit: 10*sin(3*x)", X=X, y_true=y, y_pred=pred, names=["x"],
                        history=_history(), metrics={"rmse": 1e-4, "r2": 1.0},
                        grad_norms={"dense": [1.0, 0.1, 0.01]}, findings=[finding],
                        before={"rmse": 3.2}, after={"rmse": 1e-4}, seed=7)
    text = path.read_text()
    for heading in ("Metrics", "Target vs prediction", "Residuals", "Training", "Gradient norms", "Findings",
                    "Before and after", "Environment"):
        assert f">{heading}" in text
    assert text.count("data:image/png;base64,") == 4   # fit, residuals, losses, gradients
    assert "NF101" in text and "saturated_fraction" in text and "remove this layer" in text
    assert "×32000 better" in text
    assert re.search(r"<td>seed</td><td><code>7</code>", text)
    assert "torch" in text and "numpy" in text
    # nothing is fetched: no http(s) sources, stylesheets or scripts from elsewhere
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    for name in ("fit.png", "residuals.png", "losses.png", "gradients.png"):
        assert (tmp_path / "out" / name).read_bytes().startswith(PNG_MAGIC)


def test_report_escapes_text_from_users(tmp_path):
    path = write_html_report(tmp_path / "r.html", "<script>alert(1)</script>",
                             [metrics_section({"<b>x</b>": "<img src=x onerror=alert(1)>"}),
                              findings_section([{"code": "NF101", "name": "n", "severity": "error",
                                                 "message": "<script>bad()</script>", "fix": "f", "evidence": {}}])])
    text = path.read_text()
    assert "<script>alert(1)</script>" not in text and "<script>bad()</script>" not in text
    assert "&lt;script&gt;" in text and "<img src=x" not in text


def test_report_includes_recovered_formula(tmp_path):
    from nnfit.explain import explain

    X, y, _ = _seed1_data(200)
    explanation = explain(X, y)
    path = write_report(tmp_path, "t", X=X, y_true=y, y_pred=y, explanation=explanation, seed=0)
    text = path.read_text()
    assert "Recovered formula" in text and "y = 10*sin(3*x)" in text and "validation RMSE" in text


def test_unwritable_folder_raises_one_line_error_and_leaves_nothing(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions; the rename test below covers the atomic write")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(NNFitError, match="cannot write"):
            write_report(folder, "t", metrics={"rmse": 1.0})
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_report_path_under_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(NNFitError, match="cannot"):
        write_report(blocker / "out", "t", metrics={"rmse": 1.0})


def test_interrupted_write_leaves_the_old_report_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old report")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_html_report(target, "new", [metrics_section({"rmse": 1.0})])
    assert target.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_failed_rename_leaves_no_half_written_report(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(NNFitError, match="Permission denied"):
        write_html_report(tmp_path / "report.html", "t", [metrics_section({"rmse": 1.0})])
    assert list(tmp_path.iterdir()) == []


def test_before_after_table_marks_improvement_and_regression():
    html = before_after_section({"rmse": 1.0, "r2": 0.9}, {"rmse": 2.0, "r2": 0.99}).html
    assert "÷2 worse" in html and "×1.1 better" in html


@pytest.mark.parametrize("case", ["10*sin(3*x)", "x**2", "x**2+2*x+2", "a*b"])
def test_report_for_each_seed_case_has_its_plots(tmp_path, case):
    rng = np.random.default_rng(0)
    if case == "a*b":
        X = rng.integers(0, 500, size=(1500, 2)).astype(float)
        y = X[:, 0] * X[:, 1]
        names = ["a", "b"]
    else:
        x = rng.uniform(0, 1, 1000)
        y = {"10*sin(3*x)": 10 * np.sin(3 * x), "x**2": x**2, "x**2+2*x+2": x**2 + 2 * x + 2}[case]
        X, names = x.reshape(-1, 1), ["x"]
    pred = y * (1 + 1e-9 * rng.normal(size=len(y)))
    page = write_report(tmp_path, f"nnfit fit {case}", X=X, y_true=y, y_pred=pred, names=names,
                        history=_history(1500), metrics={"rmse": 1e-9}, seed=0)
    # its time is measured by bench/explain_bench.py (report seconds), not asserted here
    html = page.read_text()
    for png in ("fit.png", "residuals.png"):
        assert (tmp_path / png).stat().st_size > 1000
    assert html.count("data:image/png;base64,") >= 3      # fit, residuals, loss curve, embedded


def test_doctor_history_object_gives_loss_and_gradient_plots(tmp_path):
    from nnfit.doctor.run import History

    history = History(loss=[1.0, 0.5, 0.2, 0.1], val_loss=[1.1, 0.6, 0.3, 0.2],
                      grad_norm={"dense": [1e-1, 1e-3, 1e-5, 1e-7], "dense_1": [1.0, 0.5, 0.4, 0.3]})
    text = write_report(tmp_path, "doctor", history=history, seed=1).read_text()
    assert ">Training<" in text and ">Gradient norms<" in text
    assert text.count("data:image/png;base64,") == 2


def test_folder_that_refuses_new_files_is_a_one_line_error(tmp_path, monkeypatch):
    """What an unwritable folder does (simulated: root ignores permission bits)."""
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(NNFitError, match="cannot write .*report.html: Permission denied"):
        write_report(tmp_path, "t", metrics={"rmse": 1.0})
    assert list(tmp_path.iterdir()) == []
