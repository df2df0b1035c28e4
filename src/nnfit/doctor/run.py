"""TrainingRun: everything a diagnosis rule may read, whichever framework produced it.

Monitors (monitors/keras.py, torch.py, numpy.py, static.py) fill a TrainingRun; rules read it and
never import a framework. A static run (from `doctor lint`) has structure and configuration but no
history: rules must treat missing fields (None / empty) as "unknown", never as evidence.
"""
from __future__ import annotations

import dataclasses
from typing import Any

# The task a training program solves (inferred by nnfit.doctor.task from targets, loss and output layer).
TASKS = ("regression", "binary", "multiclass", "multilabel")


@dataclasses.dataclass
class LayerInfo:
    name: str
    kind: str = "dense"                 # dense, activation, dropout, batchnorm, other
    units: int | None = None            # output width
    input_units: int | None = None
    activation: str | None = None       # "linear" when none; a custom callable is "custom:<repr>"
    use_bias: bool | None = None
    initializer: str | None = None
    n_params: int | None = None
    line: int | None = None             # script line that builds it, when known
    span: tuple[int, int] | None = None # (column start, column end), 1-based, for a caret


@dataclasses.dataclass
class ColumnStats:
    min: float
    max: float
    mean: float
    std: float
    is_integer: bool = False


@dataclasses.dataclass
class DataStats:
    n_samples: int | None = None
    inputs: list[ColumnStats] = dataclasses.field(default_factory=list)
    targets: list[ColumnStats] = dataclasses.field(default_factory=list)
    is_regression: bool | None = None   # None: unknown
    exact: bool = True                  # False when guessed from literals in a script
    line: int | None = None
    # as the script passed them (before any reshaping by the monitor)
    input_shape: tuple[int, ...] | None = None
    target_shape: tuple[int, ...] | None = None
    input_dtype: str | None = None      # numpy dtype name: "float32", "int64", ...
    target_dtype: str | None = None
    class_counts: dict[str, int] | None = None    # label -> rows, for class-label targets
    # |Spearman correlation| of row position with the target (or the first input): ~1 for sorted data
    order_correlation: float | None = None
    order_line: int | None = None

    @classmethod
    def from_arrays(cls, X: Any, y: Any, is_regression: bool | None = None) -> "DataStats":
        import numpy as np

        X = np.asarray(X, dtype=float).reshape(len(X), -1)
        y = np.asarray(y, dtype=float).reshape(len(y), -1)

        def cols(a: Any) -> list[ColumnStats]:
            return [
                ColumnStats(float(c.min()), float(c.max()), float(c.mean()), float(c.std()),
                            bool(np.all(np.isfinite(c)) and np.all(c == np.round(c))))
                for c in a.T
            ]

        if is_regression is None:
            distinct = len(np.unique(y[:, 0])) if y.size else 0
            is_regression = not (y.shape[1] == 1 and distinct <= 10 and bool(np.all(y == np.round(y))))
        return cls(n_samples=len(X), inputs=cols(X), targets=cols(y), is_regression=is_regression)


@dataclasses.dataclass
class OptimizerInfo:
    name: str                           # "sgd", "adam", ...
    learning_rate: float | None = None
    line: int | None = None
    variable: str | None = None         # the Python name it was bound to
    passed_to_compile: bool | None = None
    arguments: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class TrainingConfig:
    optimizer: OptimizerInfo | None = None             # the one actually used
    optimizers_built: list[OptimizerInfo] = dataclasses.field(default_factory=list)
    loss: str | None = None
    metrics: list[str] = dataclasses.field(default_factory=list)
    epochs: int | None = None
    batch_size: int | None = None
    compile_line: int | None = None
    fit_line: int | None = None
    validation_split: float | None = None   # Keras fit(validation_split=): the last rows, unshuffled
    shuffle: bool | None = None             # Keras fit(shuffle=) / DataLoader(shuffle=); None: unknown
    shuffle_line: int | None = None
    from_logits: bool | None = None         # Keras loss(from_logits=True)
    # the activation the training code applies to the predictions on their way into the loss
    # (`criterion(torch.sigmoid(out), y)`), beyond the model's own output layer; None: none seen
    loss_input_activation: str | None = None

    @property
    def learning_rate(self) -> float | None:
        return self.optimizer.learning_rate if self.optimizer else None


@dataclasses.dataclass
class UpdateRule:
    """How one parameter array is updated: from a script (static) or measured (numpy check)."""
    parameter: str
    expression: str | None = None       # e.g. "W_hidden - learning_rate * W_hidden"
    uses_gradient: bool | None = None
    cosine_with_negative_gradient: float | None = None
    line: int | None = None
    span: tuple[int, int] | None = None # (column start, column end), 1-based, for a caret
    note: str | None = None             # what is wrong with it, in words (static analysis)


@dataclasses.dataclass
class History:
    """Per-epoch series (lists of equal length); per-layer series keyed by layer name."""
    loss: list[float] = dataclasses.field(default_factory=list)
    val_loss: list[float] = dataclasses.field(default_factory=list)
    batch_loss: list[float] = dataclasses.field(default_factory=list)
    grad_norm: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    weight_norm: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    update_ratio: dict[str, list[float]] = dataclasses.field(default_factory=dict)   # ||dW|| / ||W||
    dead_fraction: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    saturated_fraction: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    n_updates: int | None = None
    seconds: float | None = None
    # loss of the current weights on a fixed probe batch, sampled through training (shows oscillation)
    probe_loss: list[float] = dataclasses.field(default_factory=list)
    metrics: dict[str, list[float]] = dataclasses.field(default_factory=dict)   # per-epoch compiled metrics
    # a loop that back-propagates but steps no optimiser: did any weight change between the first and the
    # last loss.backward()? (None: not such a loop, or not measured)
    weights_changed: bool | None = None
    # optimiser steps made, and whether any of them found a gradient on a parameter (None: no step seen)
    steps_with_gradient: bool | None = None
    # scalar loss.backward() calls seen (a PyTorch run): tells "no backward" from "backward into other weights"
    backward_calls: int = 0


@dataclasses.dataclass
class LegacyUse:
    old: str                            # e.g. "nb_epoch="
    new: str                            # e.g. "epochs="
    line: int | None = None
    span: tuple[int, int] | None = None


def broadcasts(pred: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Do these shapes broadcast to a bigger one than either (an outer comparison)?"""
    a, b = list(pred), list(target)
    if a == b:
        return False
    width = max(len(a), len(b))
    a = [1] * (width - len(a)) + a
    b = [1] * (width - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return False          # not broadcastable: the loss would have raised
        out.append(max(x, y))
    size = 1
    for s in out:
        size *= s
    return size > max(_size(pred), _size(target))


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


@dataclasses.dataclass
class Fit:
    """How well the trained network fits, measured by the monitor at the end of training."""
    train_r2: float | None = None
    train_accuracy: float | None = None
    heldout_r2: float | None = None          # on validation rows (validation_split / validation_data)
    heldout_accuracy: float | None = None
    prediction_shape: tuple[int, ...] | None = None   # the network's output for the training inputs
    loss_broadcast: tuple[tuple[int, ...], tuple[int, ...]] | None = None  # (prediction, target) shapes given to the loss
    majority_fraction: float | None = None   # share of rows whose predicted class is the most common one
    # multi-label: share of all (row, label) flags the network predicts positive (None: not multi-label)
    predicted_positive_share: float | None = None
    # what a flexible closed-form model reaches on the same data, cross-validated (doctor/reference.py)
    reference_r2: float | None = None
    reference_accuracy: float | None = None
    linear_r2: float | None = None           # least squares on the inputs, cross-validated


@dataclasses.dataclass
class GradientFacts:
    """What `doctor check` measured of a hand-written NumPy network (monitors/numpy.py)."""
    checks: list[Any] = dataclasses.field(default_factory=list)       # analytic vs finite differences
    gradient_of: dict[str, Any] = dataclasses.field(default_factory=dict)
    shape_mismatch: dict[str, Any] = dataclasses.field(default_factory=dict)
    step_deviation: dict[str, Any] = dataclasses.field(default_factory=dict)
    nonfinite_loss: bool = False
    check_updates: int | None = None
    # torch optimiser steps whose .grad was this step's own / still held earlier steps' gradients
    # (monitors/grad_accumulation.py; None: not measured)
    reset_steps: int | None = None
    accumulated_steps: int | None = None


@dataclasses.dataclass
class ScriptError:
    """The exception the watched script raised (doctor run): its type, first message line, script line."""
    kind: str
    message: str                # its first line
    line: int | None = None
    detail: str = ""            # the whole message (Keras gives the cause on later lines)


@dataclasses.dataclass
class StaticFacts:
    """What the static reader saw (doctor lint)."""
    frameworks: list[str] = dataclasses.field(default_factory=list)
    reflowed: bool = False
    analysed_lines: int = 0
    functions: list[str] = dataclasses.field(default_factory=list)
    classes: list[str] = dataclasses.field(default_factory=list)
    gradient_names: dict[str, int] = dataclasses.field(default_factory=dict)
    data_files: list[str] = dataclasses.field(default_factory=list)   # files beside the script that were read
    initial_bias: dict[str, float] = dataclasses.field(default_factory=dict)   # layer -> constant initial bias set in the script
    # the line of a loss.backward() in a script where nothing steps an optimiser or updates a parameter
    backward_without_step: int | None = None
    # the line of an optimizer.step() in a torch script where nothing computes a gradient (no backward())
    step_without_backward: int | None = None
    # an optimiser built from a model the script then makes again before it steps (static/stale_optimizer.py):
    # (optimiser name, its line, model name, the line that rebinds the model)
    stale_optimizer: tuple[str, int, str, int] | None = None
    # a backward() receiver made to require a gradient by hand (static/cut_loss.py): (line, loss name, how)
    cut_loss: tuple[int, str, str] | None = None
    # classes weighted by hand in the loss (`loss[y == 1] *= 100`, `w = tensor([0.84, 0.16]); loss * w[labels]`):
    # class label -> weight (others 1.0), and the line; a script weights classes when they are imbalanced
    hand_class_weights: dict[str, float] = dataclasses.field(default_factory=dict)
    hand_class_weights_line: int | None = None
    # what the script will raise when it runs (analysis.py): {"code": NF132/NF133, "line", and that
    # crash's facts}; lint.predicted_crashes turns each into the finding doctor run gives the raise
    predicted_crashes: list[dict[str, Any]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(slots=True)  # slots: a field not declared here is refused, not silently added
class TrainingRun:
    framework: str                      # keras, torch, numpy, static
    source: str | None = None           # script path, when there is one
    source_lines: list[str] = dataclasses.field(default_factory=list)
    layers: list[LayerInfo] = dataclasses.field(default_factory=list)
    data: DataStats = dataclasses.field(default_factory=DataStats)
    config: TrainingConfig = dataclasses.field(default_factory=TrainingConfig)
    history: History = dataclasses.field(default_factory=History)
    updates: list[UpdateRule] = dataclasses.field(default_factory=list)
    legacy: list[LegacyUse] = dataclasses.field(default_factory=list)
    syntax_problems: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # {line, message}
    seed: int | None = None
    task: str | None = None             # one of TASKS; None: unknown (nnfit.doctor.task.infer_task)
    fit: Fit = dataclasses.field(default_factory=Fit)
    n_updates_planned: int | None = None    # epochs x batches per epoch that the script asks for
    stopped_by_budget_s: float | None = None  # the monitor stopped training at this wall-clock budget
    probe_errors: list[str] = dataclasses.field(default_factory=list)
    framework_guess: str | None = None  # static / numpy: which framework the code looks like
    model_variable: str | None = None
    initial_weight_std: dict[str, float] = dataclasses.field(default_factory=dict)
    gradients: GradientFacts = dataclasses.field(default_factory=GradientFacts)
    static: StaticFacts | None = None
    script_error: ScriptError | None = None     # doctor run: the script raised (after or before training)
    # doctor run: networks of one architecture built again and again at one script line, each trained
    # (a model made inside the epoch loop): {"models", "line", "updates_last", "updates_total"}; None: not seen
    models_rebuilt: dict[str, Any] | None = None

    @property
    def is_static(self) -> bool:
        return self.framework == "static"

    @property
    def n_params(self) -> int | None:
        counts = [layer.n_params for layer in self.layers if layer.kind == "dense"]
        return sum(counts) if counts and all(c is not None for c in counts) else None

    @property
    def train_r2(self) -> float | None:
        return self.fit.train_r2
