"""The HTML report opened in a real browser: headless Chromium (Debian's `chromium` package).

Chromium is installed by tests/setup_chromium.sh (the Makefile calls it; this test calls it too when
chromium is missing and apt-get is usable). The test is skipped, with the reason, only when chromium
cannot be installed.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

SETUP = Path(__file__).with_name("setup_chromium.sh")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--disable-dev-shm-usage"]


def _find() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _find()
    if path is None:
        try:
            log = subprocess.run(["sh", str(SETUP)], capture_output=True, text=True, timeout=900)
            reason = (log.stderr or log.stdout).strip().splitlines()[-1:] or ["no output"]
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = [str(exc)]
        path = _find()
        if path is None:
            pytest.skip(f"chromium is not installed and could not be installed: {reason[0]}")
    return path


def _run(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"   # a fresh profile every run
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    from nnfit.report import write_report

    out = tmp_path_factory.mktemp("report")
    x = np.random.default_rng(0).uniform(0, 1, 500)
    y = 10 * np.sin(3 * x)
    history = {"train_loss": list(np.logspace(0, -12, 300)), "val_loss": list(np.logspace(0, -11.7, 300))}
    return write_report(out, "nnfit fit: 10*sin(3*x)", X=x, y_true=y, y_pred=y + 1e-3 * np.sin(30 * x),
                        names=["x"], history=history, metrics={"rmse": 7e-4}, seed=0)


def test_report_renders_in_chromium_with_every_image_decoded(chromium, report, tmp_path):
    result = _run(chromium, tmp_path, "--virtual-time-budget=5000", "--dump-dom", report.as_uri())
    body = re.search(r"<body[^>]*>", result.stdout)
    assert body, f"no DOM dumped: {result.stderr[-500:]}"
    ok = re.search(r'data-images-ok="(\d+)"', body.group(0))
    total = re.search(r'data-images-total="(\d+)"', body.group(0))
    assert ok and total, f"the page's load handler did not run: {body.group(0)}"
    assert int(total.group(1)) == 3          # fit, residuals, losses
    assert ok.group(1) == total.group(1)     # every embedded PNG decoded (naturalWidth > 0)


def test_report_screenshot_is_not_blank(chromium, report, tmp_path):
    shot = tmp_path / "shot.png"
    _run(chromium, tmp_path, "--window-size=1280,1600", f"--screenshot={shot}", report.as_uri())
    assert shot.exists(), "chromium wrote no screenshot"
    import matplotlib.image as mpimg

    pixels = mpimg.imread(str(shot))[..., :3]
    assert pixels.shape[:2] == (1600, 1280)
    # the page has a dark header, white panels and coloured plot lines: far from one flat colour
    assert float(pixels.std()) > 0.1
    red = (pixels[..., 0] > 0.7) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)   # the target curve
    blue = (pixels[..., 2] > 0.6) & (pixels[..., 0] < 0.3)                             # the prediction
    assert red.sum() > 200 and blue.sum() > 200


def test_an_empty_report_on_a_poor_fit_does_not_say_nothing_needs_fixing():
    from nnfit.doctor.report import Report
    from nnfit.doctor.run import Fit, TrainingRun

    poor = TrainingRun(framework="torch", task="regression", fit=Fit(heldout_r2=-0.05, reference_r2=0.999))
    text = Report(poor, [], None, []).text()
    assert "nothing in this run needs fixing" not in text
    assert "fits poorly: held-out R² -0.05" in text and "0.999" in text
    good = TrainingRun(framework="torch", task="regression", fit=Fit(heldout_r2=0.995))
    assert "nothing in this run needs fixing" in Report(good, [], None, []).text()


def test_an_empty_report_below_the_good_fit_line_but_at_the_reference_does_not_say_fits_poorly():
    from nnfit.doctor.report import Report
    from nnfit.doctor.run import Fit, TrainingRun

    hard = TrainingRun(framework="keras", task="multiclass", fit=Fit(heldout_accuracy=0.9877, reference_accuracy=0.870))
    text = Report(hard, [], None, []).text()
    assert "fits poorly" not in text and "nothing in this run needs fixing" in text and "0.870" in text
    below = TrainingRun(framework="keras", task="multiclass", fit=Fit(heldout_accuracy=0.80, reference_accuracy=0.870))
    assert "fits poorly: held-out accuracy 0.8" in Report(below, [], None, []).text()
