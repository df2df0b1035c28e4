"""The capacity search's time: the first width polishes one warm start, the rest goes to other architectures."""
import numpy as np
import pytest

from nnfit import NNFitRegressor, fit, models, train


def _lm_runs_before_the_first_challenger(monkeypatch: pytest.MonkeyPatch, over_seeds: bool) -> int:
    """Levenberg-Marquardt runs of the first width (3 warm starts) before a challenger is tried."""
    events: list[str] = []
    original = train.levenberg_marquardt

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("scaling") != "marquardt":     # one polish = a run, plus its Marquardt-scaled refinement
            events.append("lm")
        return original(*args, **kwargs)

    monkeypatch.setattr(train, "levenberg_marquardt", counted)
    monkeypatch.setattr(fit, "CAPACITY_OVER_SEEDS", over_seeds)
    rng = np.random.default_rng(3)
    X = rng.uniform(-1.5, 1.5, (400, 2))
    y = np.sin(5 * X[:, 0] * X[:, 1]) + X[:, 0]   # out of reach of 40 tanh units in 40 LM steps
    NNFitRegressor(exact_formula=False, restarts=3, adam_steps=60, lm_steps=40, stages=1, max_seconds=120,
                   progress=events.append).fit(X, y)
    first_challenger = next(i for i, e in enumerate(events) if e.startswith("capacity: trying"))
    return events[:first_challenger].count("lm")


def test_first_width_polishes_only_its_best_warm_start_when_challengers_follow(monkeypatch):
    assert _lm_runs_before_the_first_challenger(monkeypatch, over_seeds=True) == 1
    # the earlier rule polished every warm start while the best stayed above POLISH_GOOD_ENOUGH
    assert _lm_runs_before_the_first_challenger(monkeypatch, over_seeds=False) == 3


def test_each_challenger_gets_an_equal_share_of_the_first_round(monkeypatch):
    """A candidate that uses all the time it is given must not starve the ones after it."""
    from nnfit import capacity

    clock = [0.0]
    monkeypatch.setattr(capacity.time, "perf_counter", lambda: clock[0])
    given: dict[tuple[int, ...], float] = {}

    def greedy_start(hidden, steps, deadline):
        given[hidden] = deadline - clock[0]
        clock[0] = deadline                      # runs right up to the deadline it was handed
        return float(sum(hidden)), object()

    def resume(net, steps):
        return 0.0

    architectures = [(96,), (48,), (18, 18)]
    _, trials = capacity.successive_halving(architectures, greedy_start, resume, first_steps=10, deadline=90.0)
    assert [t.hidden for t in trials] == architectures            # every challenger was started
    assert all(abs(given[h] - 30.0) < 1e-9 for h in architectures)  # with a third of the 90 s each


def test_challengers_that_do_not_beat_the_incumbent_after_equal_steps_go_no_further():
    from nnfit import capacity

    resumed: list[tuple[int, ...]] = []

    class Net:
        def __init__(self, hidden):
            self.hidden = hidden

    def start(hidden, steps, deadline):
        return {(96,): 4.0, (48,): 2.0, (18, 18): 3.0}[hidden], Net(hidden)

    def resume(net, steps):
        resumed.append(net.hidden)
        return 1.0

    architectures = [(96,), (48,), (18, 18)]
    best, _ = capacity.successive_halving(architectures, start, resume, first_steps=10, deadline=float("inf"), bar=1.5)
    assert best.val_mse >= 1.5 and resumed == []          # none beat the bar: no more rounds
    best, _ = capacity.successive_halving(architectures, start, resume, first_steps=10, deadline=float("inf"), bar=2.5)
    assert best.hidden == (48,) and resumed == []          # only (48,) beat it: it is the one left
    best, _ = capacity.successive_halving(architectures, start, resume, first_steps=10, deadline=float("inf"))
    assert resumed == [(48,), (18, 18)]                    # no bar: the better half goes on


def test_first_lm_best_reads_the_incumbents_first_steps():
    history = train.History()
    for value in (5.0, 4.0):
        history.add("adam", value, value)
    for value in (3.0, 2.0, 1.0, 0.5):
        history.add("lm", value, value)
    assert fit._first_lm_best(history, 0, 2) == 2.0
    assert fit._first_lm_best(history, 0, 10) == 0.5
    assert fit._first_lm_best(history, 6, 2) == float("inf")


def test_the_first_widths_refinement_waits_for_the_capacity_search(monkeypatch):
    """Far from good enough, the first width is certainly challenged: its Marquardt-scaled refinement
    runs only if it is still the choice after the challengers (fit.DEFER_REFINE_ABOVE)."""
    events: list[object] = []
    original = train.levenberg_marquardt

    def counted(net, data, **kwargs):  # type: ignore[no-untyped-def]
        events.append((kwargs.get("scaling", "running-max"), sum(p.numel() for p in net.parameters())))
        return original(net, data, **kwargs)

    monkeypatch.setattr(train, "levenberg_marquardt", counted)
    rng = np.random.default_rng(3)
    X = rng.uniform(-1.5, 1.5, (400, 2))
    y = np.sin(5 * X[:, 0] * X[:, 1]) + X[:, 0]   # out of reach of the first width in 40 LM steps
    model = NNFitRegressor(exact_formula=False, restarts=1, adam_steps=60, lm_steps=40, stages=1, max_seconds=120,
                           progress=events.append).fit(X, y)
    first_challenger = next(i for i, e in enumerate(events) if isinstance(e, str) and e.startswith("capacity: trying"))
    assert any(isinstance(e, tuple) and e[0] == "running-max" for e in events[:first_challenger])  # polished
    assert not any(isinstance(e, tuple) and e[0] == "marquardt" for e in events[:first_challenger])
    trials = model.summary_["capacity_trials"]
    first = models.parameter_count(2, tuple(trials[0]["hidden"]))
    refined_first = [e for e in events[first_challenger:] if e == ("marquardt", first)]
    # refined after the search exactly when the first width stayed the choice
    assert bool(refined_first) == (model.summary_["hidden"] == trials[0]["hidden"])
