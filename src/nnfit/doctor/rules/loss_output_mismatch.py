"""loss-output-mismatch (NF126)

What it finds: a loss that does not fit the network's output activation or the task:
- a probability loss (Keras binary / categorical cross-entropy, from_logits=False; torch BCELoss) on
  an output that is not a probability (linear, ReLU, tanh);
- categorical cross-entropy over one output unit (normalised over one column, every prediction is a
  probability of 1: the loss is constant and trains nothing);
- categorical cross-entropy on several sigmoid outputs (independent flags: rows with no class add
  nothing to the loss, so "all zero" is never learned; one-hot classes need a softmax);
- binary cross-entropy on a softmax output over several classes (one-hot targets): each column is
  scored as its own yes/no question, so the reported accuracy is inflated and the classes compete
  for nothing; over one unit (a softmax that is always 1.0) it scores a constant;
- Keras cross-entropy built with from_logits=True (the loss applies the sigmoid / softmax itself) on a
  sigmoid / softmax output: the probabilities are squashed a second time (predictions scored in
  (0.5, 0.73) for a sigmoid), as with torch's logits losses below;
- torch CrossEntropyLoss / BCEWithLogitsLoss (which apply softmax / sigmoid themselves) after a
  Softmax / Sigmoid output: the probabilities are squashed a second time and the gradient shrinks;
  (also when the training step squashes the predictions on their way into the loss,
  `criterion(torch.sigmoid(out), y)`: TrainingConfig.loss_input_activation);
- torch NLLLoss on an output that is not LogSoftmax;
- Keras categorical cross-entropy on one column of integer labels (it wants one-hot rows: Keras 3
  raises on the shapes before the first update), or sparse categorical cross-entropy on one-hot rows;
- a regression loss (MSE, MAE) on a classification output: mean absolute error on a sigmoid gives a
  gradient of constant size that vanishes where the sigmoid saturates, and the outputs collapse
  towards the majority label.
Why it matters: the network is trained towards the wrong thing: the loss can be minimised without
the classes being separated, or its gradient is near zero where the errors are.
Example: Dense(1, activation="sigmoid") with loss="mean_absolute_error" for 0/1 labels.
Fix: binary: sigmoid output + binary_crossentropy (torch: no sigmoid + BCEWithLogitsLoss);
multi-class: softmax output + categorical_crossentropy (sparse_ for integer labels; torch: no softmax +
CrossEntropyLoss); multi-label: sigmoid outputs + binary_crossentropy.
Severity: an error when the run fails its task (training accuracy below 0.99 on a classification,
R² below 0.999 on a regression); a warning on a static reading or a run that fits anyway.
Threshold: none of its own; the combinations above are wrong by construction, and the fit gate is
the one shared by every rule (rules/_common.py HEALTHY_R2 / HEALTHY_ACCURACY).
Evidence: the combination is a setting; the run shows it hurting when the classifier's accuracy falls
short of what a flexible reference model reaches on the same rows (doctor/reference.py, by more than
the shared REFERENCE_SLACK), or, with no reference, when it has not got a quarter of the way from the
majority share to 1 (rules/_common.py ABOVE_CHANCE), or when its predictions collapsed onto one class
(COLLAPSED). Such a finding rests on this run's measurement (basis "measured", its margin the shortfall
in slack units); without one it stays a setting.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.rules._common import activation, classification, healthy, location, output_layer
from nnfit.doctor.run import TrainingRun
from nnfit.doctor.task import target_kind
from nnfit.doctor.vocab import LOSS_WANTS_LOGITS, LOSS_WANTS_LOG_PROBABILITIES, canonical_loss

PROBABILITY_OUTPUTS = {"sigmoid", "softmax", "hard_sigmoid"}
# Keras's cross-entropies: they take probabilities by default and raw scores with from_logits=True
KERAS_PROBABILITY_LOSSES = {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"}
# Predictions collapsed onto one class: the share of rows predicted as the most common prediction is at
# least this while the majority class is less common than that. The class-imbalance rule's own bar
# (class_imbalance.py: >= 95 % of predictions), not a new number.
COLLAPSED = 0.95
REGRESSION_FAMILY = {"mse", "mae", "huber", "log_cosh", "msle", "mape"}


def _problem(run: TrainingRun) -> tuple[str, str] | None:
    out = output_layer(run)
    loss = canonical_loss(run.config.loss)
    squash = run.config.loss_input_activation     # criterion(torch.sigmoid(out), y): what the loss is given
    if (out is None and squash is None) or loss is None or run.task == "regression":
        return None     # a classification loss on real-valued targets is wrong-loss (NF110)
    act = squash or activation(out)
    units = (out.units or 1) if out is not None else 0      # 0: no layer seen (the loss input's squash only)
    torch = run.framework == "torch" or "torch" in (run.static.frameworks if run.static else [])
    if loss in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy") \
            and not run.config.from_logits and act not in PROBABILITY_OUTPUTS and not act.startswith("custom"):
        if loss == "binary_crossentropy" and torch:
            fix = "drop nothing: use nn.BCEWithLogitsLoss() on the raw output (it applies the sigmoid itself)"
        elif loss == "binary_crossentropy":
            fix = "put activation='sigmoid' on the output layer (or use loss=keras.losses.BinaryCrossentropy(from_logits=True))"
        else:
            fix = "put activation='softmax' on the output layer (or pass from_logits=True to the loss)"
        return (f"loss '{run.config.loss}' expects probabilities but the output layer is {act}", fix)
    if loss in KERAS_PROBABILITY_LOSSES and run.config.from_logits and act in PROBABILITY_OUTPUTS:
        # from_logits=True: the loss applies the sigmoid / softmax itself, as torch's logits losses do
        squash_name = "sigmoid" if loss == "binary_crossentropy" else "softmax"
        return (f"loss '{run.config.loss}' is built with from_logits=True (it applies the {squash_name} itself), "
                f"but the output layer already goes through {act}: the probabilities are squashed a second time "
                "and the gradient shrinks",
                f"remove activation='{act}' from the output layer (the loss applies it), or build the loss "
                "with from_logits=False")
    targets = target_kind(run)
    if loss == "categorical_crossentropy" and not torch and targets in ("labels", "binary") and units != 1:
        return ("categorical cross-entropy expects one-hot target rows, but the targets are one column of "
                "integer class labels (Keras 3 refuses the shapes before the first update)",
                "use loss='sparse_categorical_crossentropy' for integer labels "
                "(or one-hot the targets: keras.utils.to_categorical(y))")
    if loss == "sparse_categorical_crossentropy" and targets == "onehot":
        return ("sparse categorical cross-entropy expects one integer label per row, but the targets are one-hot rows",
                "use loss='categorical_crossentropy' for one-hot targets (or pass y.argmax(axis=1))")
    if loss in ("categorical_crossentropy", "sparse_categorical_crossentropy") and units == 1 and squash is None:
        return ("categorical cross-entropy over a single output unit: the one score is normalised to a "
                "probability of 1 for every row, so the loss is constant and has no gradient",
                "a yes/no target needs loss='binary_crossentropy' with the one sigmoid output "
                "(or two softmax outputs with categorical cross-entropy)")
    if loss in ("categorical_crossentropy", "sparse_categorical_crossentropy") and act in ("sigmoid", "hard_sigmoid") \
            and units > 1:
        if run.task != "multilabel":    # one class per row (also two classes over two units: binary)
            fix = "use activation='softmax' on the output layer: categorical cross-entropy expects probabilities that sum to 1"
        else:
            fix = "independent 0/1 labels need loss='binary_crossentropy' with the sigmoid outputs"
        return (f"categorical cross-entropy on {units} independent sigmoid outputs (it scores only the class the "
                "target marks; rows with no class contribute nothing)", fix)
    if loss == "binary_crossentropy" and act == "softmax" and units == 1:
        return ("binary cross-entropy scores one probability, but a softmax over one unit outputs 1.0 for "
                "every row (the loss sits at the clipped log of 0 on the negatives and has no gradient)",
                "nn.BCEWithLogitsLoss() on the one unit's raw output, without the softmax" if torch else
                "use activation='sigmoid' on the one output unit with loss='binary_crossentropy'")
    if loss == "binary_crossentropy" and act == "softmax" and units > 1 and run.task != "multilabel":
        return (f"binary cross-entropy on a {units}-unit softmax output",
                "use loss='categorical_crossentropy' with the softmax output (sparse_categorical_crossentropy for integer labels)")
    if loss in LOSS_WANTS_LOGITS and act in PROBABILITY_OUTPUTS:
        name = "CrossEntropyLoss" if loss == "cross_entropy_logits" else "BCEWithLogitsLoss"
        what = "the loss's input" if squash else "the output"
        return (f"{name} applies {'softmax' if name == 'CrossEntropyLoss' else 'the sigmoid'} itself, but {what} "
                f"already goes through {act}", f"remove the final {act}: {name} takes the raw scores")
    if loss in LOSS_WANTS_LOG_PROBABILITIES and act != "log_softmax" and not act.startswith("custom"):
        return (f"NLLLoss expects log-probabilities but the output is {act}",
                "end the network with nn.LogSoftmax(dim=1), or use nn.CrossEntropyLoss() on the raw scores")
    if loss in REGRESSION_FAMILY and classification(run) and act in PROBABILITY_OUTPUTS:
        if run.task == "multiclass" or (act == "softmax" and units > 1):     # a score per class
            fix = "use loss='categorical_crossentropy' (sparse_categorical_crossentropy for integer labels; torch: CrossEntropyLoss)"
        else:
            fix = "use loss='binary_crossentropy' (torch: BCEWithLogitsLoss on the raw output)"
        return (f"regression loss '{run.config.loss}' on a {act} output of a {run.task} classification", fix)
    return None


@rule("NF126")
def loss_output_mismatch(run: TrainingRun) -> Iterator[Finding]:
    problem = _problem(run)
    if problem is None:
        return
    state = healthy(run)
    if state is True:
        return
    what, fix = problem
    out = output_layer(run)
    hurt = measured_harm(run) if state is False else None
    if hurt:
        what += f" ({hurt['reason']})"
    yield Finding(
        code="NF126",
        message=f"loss-output-mismatch: {what}",
        fix=fix,
        evidence={"loss": run.config.loss, "output_activation": activation(out) if out else None,
                  "loss_input_activation": run.config.loss_input_activation, "from_logits": run.config.from_logits,
                  "output_units": out.units if out else None, "task": run.task},
        location=location(run, line=run.config.compile_line or (out.line if out else None)),
        explanation="the loss and the output disagree about what the network predicts; it learns the wrong thing",
        basis="measured" if hurt else "setting", margin=hurt["margin"] if hurt else 10.0,
        severity=Severity.ERROR if state is False else Severity.WARNING,
    )


def measured_harm(run: TrainingRun) -> dict | None:
    """What this run measured of a classifier trained by a loss that does not fit its output (see
    Evidence in the module docstring): {'reason', 'margin'} or None."""
    from nnfit.doctor.rules._common import ABOVE_CHANCE, REFERENCE_SLACK, accuracy_gain_share

    if not classification(run):
        return None
    fit = run.fit
    acc = fit.train_accuracy
    counts = run.data.class_counts or {}
    n = sum(counts.values())
    majority = max(counts.values()) / n if n else None
    if fit.majority_fraction is not None and majority is not None and fit.majority_fraction >= COLLAPSED \
            and majority < COLLAPSED:
        return {"reason": f"{fit.majority_fraction:.0%} of the rows are predicted as one class, "
                          f"which holds {majority:.0%} of them", "margin": 10.0}
    if acc is not None and fit.reference_accuracy is not None:
        short = fit.reference_accuracy - acc
        if short > REFERENCE_SLACK:
            return {"reason": f"training accuracy {acc:.3f} against {fit.reference_accuracy:.3f} for a reference "
                              "model on the same rows", "margin": short / REFERENCE_SLACK}
        return None
    gain = accuracy_gain_share(run)
    if gain is not None and gain < ABOVE_CHANCE:
        return {"reason": f"training accuracy {acc:.3f}, no better than predicting the majority class "
                          f"({majority:.0%})" if majority is not None else f"training accuracy {acc:.3f}",
                "margin": ABOVE_CHANCE / max(gain, ABOVE_CHANCE / 10)}
    return None
