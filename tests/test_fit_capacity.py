"""The capacity search's time: the first width polishes one warm start, the rest goes to other architectures."""
import numpy as np
import pytest

from nnfit import NNFitRegressor, fit, train


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
