"""The all-fixes patch's alternatives (another rate, more updates, one fix left out) and the choice
between them, made on the doctor's held-out rows of the script's training data (repair.choose_combined).
Small scripts written for these tests."""
from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from nnfit.doctor.patch import plan_patches  # noqa: E402
from nnfit.doctor.repair import ScriptRow, better_alternative, choose_combined, fits  # noqa: E402
from tests.test_doctor_patch import FULL_BATCH_TORCH, added, capture_of, finding  # noqa: E402
from tests.test_doctor_patch_kinds import TORCH_STEEP  # noqa: E402


def _loop_count(patch, prefix):
    line = next(l for l in added(patch.diff()) if l.startswith(prefix))
    return int(line.split("(")[1].split(")")[0]) if "(" in line else int(line.split("=")[1])


def test_a_lowered_rate_has_a_second_decade_as_its_alternative(tmp_path):
    path, cap = capture_of(tmp_path, "steep.py", TORCH_STEEP)
    plan = plan_patches(TORCH_STEEP, str(path), cap, [finding("NF103")])
    rate = next(p for p in plan.alternatives if p.variant.startswith("rate"))
    assert "sgd = torch.optim.SGD(net.parameters(), lr=0.008)" in added(rate.diff())
    assert "sgd = torch.optim.SGD(net.parameters(), lr=0.08)" in added(plan.combined.diff())
    # a hundredth of the rate, ten times the planned patch's updates (capped at the patch maximum)
    assert _loop_count(rate, "for step in range(") > _loop_count(plan.combined, "for step in range(")
    assert rate.codes == plan.combined.codes and rate.variant in rate.diff().splitlines()[0]


def test_more_updates_and_one_fix_left_out_are_alternatives(tmp_path):
    path, cap = capture_of(tmp_path, "train.py", FULL_BATCH_TORCH)
    plan = plan_patches(FULL_BATCH_TORCH, str(path), cap, [finding("NF102"), finding("NF106", transform="standardise")])
    by_variant = {p.variant: p for p in plan.alternatives}
    longer = next(p for v, p in by_variant.items() if "updates instead of" in v)
    assert _loop_count(longer, "EPOCHS =") == 3 * _loop_count(plan.combined, "EPOCHS =")
    # the top-ranked fix (NF102) is never the one left out
    assert "without the fix of NF102" not in by_variant
    alone = by_variant["without the fix of NF106"]
    assert alone.codes == ["NF102"] and not any("y_scaler" in l for l in added(alone.diff()))
    assert all(p.source != plan.combined.source for p in plan.alternatives)


def _row(value, error=None, same=True):
    return ScriptRow("x", [], [], None if value is None else {"r2": value}, error=error, same_rows=same)


def test_an_alternative_replaces_the_patch_only_when_clearly_better():
    assert better_alternative(_row(0.90), _row(0.95))            # half the unexplained share removed
    assert not better_alternative(_row(0.90), _row(0.905))       # within the bar a patch must clear to help
    assert not better_alternative(_row(1.0), _row(1.0))          # a tie keeps the planned patch
    assert not better_alternative(_row(0.90), _row(0.99, same=False))   # scored on other rows
    assert not better_alternative(_row(0.90), _row(None, error="failed"))
    assert better_alternative(_row(None, error="the patched script failed"), _row(0.2))


def test_a_run_that_fits_ends_the_search_for_a_better_reading():
    assert fits(_row(0.9995)) and not fits(_row(0.99))
    assert fits(ScriptRow("x", [], [], {"accuracy": 1.0}, same_rows=True))
    assert not fits(ScriptRow("x", [], [], {"accuracy": 0.98}, same_rows=True))
    assert not fits(_row(0.9995, same=False))                          # other rows: not comparable
    stopped = _row(0.9995)
    stopped.stopped = True
    assert not fits(stopped)                                            # cut short: not the script it writes


def test_choose_stops_once_a_candidate_fits(tmp_path, monkeypatch):
    import nnfit.doctor.repair as repair

    import types

    ran = []
    a, b, c = (types.SimpleNamespace(variant=v) for v in ("", "b", "c"))
    value = {"": 0.95, "b": 0.9995, "c": 1.0}

    def fake_run(path, patch, label, capture, folder, **kw):
        ran.append(patch)
        return _row(value[patch.variant])

    class Plan:
        combined, alternatives = a, [b, c]

    monkeypatch.setattr(repair, "_run_patch", fake_run)
    chosen, rows = choose_combined("x.py", None, Plan(), seed=0)
    assert chosen is b and ran == [a, b] and len(rows) == 2
    monkeypatch.setattr(repair, "_run_patch", lambda *a, **k: (ran.append(a[1]), _row(0.5))[1])
    ran.clear()
    chosen, rows = choose_combined("x.py", None, Plan(), seed=0)
    assert chosen is a and ran == [a, b, c]
    # no held-out rows in the original nor in the planned patch: nothing to compare the others on
    monkeypatch.setattr(repair, "_run_patch", lambda *a, **k: (ran.append(a[1]), _row(None))[1])
    ran.clear()
    chosen, rows = choose_combined("x.py", types.SimpleNamespace(heldout=None), Plan(), seed=0)
    assert chosen is a and ran == [a]


def test_choose_runs_every_candidate_on_the_same_heldout_rows(tmp_path):
    path, cap = capture_of(tmp_path, "steep.py", TORCH_STEEP)
    plan = plan_patches(TORCH_STEEP, str(path), cap, [finding("NF103")])
    chosen, rows = choose_combined(str(path), cap, plan, seed=0)
    # every candidate runs, unless the best so far already fits: then the run stops right there
    stop = next((i for i, r in enumerate(rows) if fits(r)), None)
    assert len(rows) == (1 + len(plan.alternatives) if stop is None else stop + 1)
    assert chosen in [plan.combined, *plan.alternatives]
    assert all(r.heldout and r.heldout["n_test"] == cap.heldout["n_test"] and r.same_rows for r in rows)
    # the one chosen is the default, or an alternative that beats it by the bar
    picked = rows[[plan.combined, *plan.alternatives].index(chosen)]
    assert picked is rows[0] or better_alternative(rows[0], picked)
    if picked is rows[0]:
        assert not any(better_alternative(rows[0], r) for r in rows[1:])


def test_heldout_accuracy_of_independent_flags_is_an_exact_match():
    import numpy as np

    from nnfit.doctor.runner import _accuracy

    truth = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float)
    # argmax would call the first row's [0.2, 0.3] class 1 and the last row's [0.9, 0.8] class 0
    pred = np.array([[0.2, 0.3], [0.9, 0.1], [0.1, 0.7], [0.9, 0.8]])
    assert _accuracy(truth, pred) == 1.0
    assert _accuracy(truth, np.array([[0.6, 0.3], [0.9, 0.1], [0.1, 0.7], [0.9, 0.8]])) == 0.75
    # one-hot classes keep the argmax reading
    onehot = np.array([[1, 0], [0, 1]], float)
    assert _accuracy(onehot, np.array([[0.4, 0.3], [0.1, 0.2]])) == 1.0


def test_an_alternative_cut_short_by_the_time_budget_is_not_chosen():
    stopped = _row(0.99)
    stopped.stopped = True
    assert not better_alternative(_row(0.5), stopped)
