"""When fitting stops before its budget: the Levenberg-Marquardt plateau stop."""
import numpy as np
import torch

from nnfit import models, train


def _small_problem() -> tuple[torch.nn.Sequential, train.Data]:
    """Four tanh units on sin(4x): LM drops fast, then creeps."""
    rng = np.random.default_rng(0)
    x = torch.as_tensor(rng.uniform(-1, 1, (200, 1)))
    x_val = torch.as_tensor(rng.uniform(-1, 1, (50, 1)))
    return models.build_mlp(1, 1, (4,), seed=1), train.Data(x, torch.sin(4 * x), x_val, torch.sin(4 * x_val))


def test_levenberg_marquardt_stops_on_a_validation_plateau():
    window, gain, descent = 10, 1.5, 100.0
    net, data = _small_problem()
    stopped = train.levenberg_marquardt(net, data, steps=100, patience=10**9, plateau=(window, gain, descent))
    net, data = _small_problem()
    full = train.levenberg_marquardt(net, data, steps=100, patience=10**9)
    assert window < len(stopped.val_loss) < len(full.val_loss) == 100
    best = np.minimum.accumulate(stopped.val_loss)
    # it stopped because the last `window` steps did not cut the best validation loss `gain` times ...
    assert best[-1 - window] < gain * best[-1]
    # ... and not before: every earlier window had cut it that much, or the first descent was not done
    assert all(best[k - window] >= gain * best[k] or best[k] * descent >= best[0]
               for k in range(window, len(best) - 1))
    # the steps it saved were the creeping ones: the stopped run is within 3x of the full run's RMSE
    assert min(stopped.val_loss) ** 0.5 < 3 * min(full.val_loss) ** 0.5
    assert min(stopped.val_loss) < 1e-3 * full.val_loss[0]   # and far below where it started
    # a plateau waits for the first big descent: with descent 1e9 this run never qualifies
    net, data = _small_problem()
    never = train.levenberg_marquardt(net, data, steps=100, patience=10**9, plateau=(window, gain, 1e9))
    assert never.val_loss == full.val_loss
    # a looser plateau changes nothing while the run still gains that much
    net, data = _small_problem()
    loose = train.levenberg_marquardt(net, data, steps=100, patience=10**9, plateau=(25, 1.1, 100.0))
    assert loose.val_loss == full.val_loss
