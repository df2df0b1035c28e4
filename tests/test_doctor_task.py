"""Task type from targets, loss and output layer; classification and regression rules each on their task."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnfit.doctor.monitors._common import class_counts, fill_data, fit_quality
from nnfit.doctor.rules import run_rules
from nnfit.doctor.run import ColumnStats, DataStats, Fit, LayerInfo, TrainingConfig, TrainingRun
from nnfit.doctor.task import infer_task


def run_for(y, loss, act="linear", units=1, metrics=(), framework="keras"):
    X = np.random.default_rng(0).normal(size=(len(y), 3))
    run = TrainingRun(framework=framework,
                      layers=[LayerInfo("h", units=8, input_units=3, activation="relu"),
                              LayerInfo("out", units=units, input_units=8, activation=act)],
                      config=TrainingConfig(loss=loss, metrics=list(metrics)))
    fill_data(run, X, y)
    return run


rng = np.random.default_rng(1)


@pytest.mark.parametrize("y,loss,act,units,metrics,task", [
    (rng.normal(size=200), "mse", "linear", 1, (), "regression"),
    (rng.integers(0, 2, 200).astype(float), "binary_crossentropy", "sigmoid", 1, ("accuracy",), "binary"),
    (rng.integers(0, 2, 200).astype(float), "mean_absolute_error", "sigmoid", 1, (), "binary"),   # MAE on a sigmoid
    (rng.integers(0, 5, 200), "sparse_categorical_crossentropy", "softmax", 5, (), "multiclass"),
    (np.eye(4)[rng.integers(0, 4, 200)], "categorical_crossentropy", "softmax", 4, (), "multiclass"),
    ((rng.random((200, 3)) < 0.4).astype(float), "binary_crossentropy", "sigmoid", 3, (), "multilabel"),
    (rng.normal(size=200) * 10, "binary_crossentropy", "sigmoid", 1, (), "regression"),   # real targets: NF110's case
    # two logits under CrossEntropyLoss on 0/1 targets: two classes, a yes/no task
    (rng.integers(0, 2, 200).astype(float), "CrossEntropyLoss", "linear", 2, (), "binary"),
    (np.eye(2)[rng.integers(0, 2, 200)], "categorical_crossentropy", "softmax", 2, (), "binary"),
    # two logits reduced by the script to one probability per row, BCE on one 0/1 column: a yes/no task
    (rng.integers(0, 2, 200).astype(float), "BCEWithLogitsLoss", "linear", 2, (), "binary"),
])
def test_task_is_inferred_from_targets_loss_and_output(y, loss, act, units, metrics, task):
    assert infer_task(run_for(y, loss, act, units, metrics)) == task


def test_class_counts_for_labels_one_hot_and_none_for_real_targets():
    assert class_counts(np.array([[0.0], [1.0], [1.0]])) == {"0": 1, "1": 2}
    assert class_counts(np.eye(3)[[0, 2, 2]]) == {"0": 1, "1": 0, "2": 2}
    assert class_counts(np.array([[0.5], [1.0]])) is None


def test_accuracy_and_majority_share_are_measured_for_a_classifier():
    run = TrainingRun(framework="torch")
    y = np.array([0, 0, 0, 1], dtype=float)
    fit_quality(run, y, np.array([[0.1], [0.2], [0.3], [0.4]]))
    assert run.fit.train_accuracy == pytest.approx(0.75)
    assert run.fit.majority_fraction == pytest.approx(1.0)


def test_accuracy_metric_on_a_classifier_is_not_flagged_but_on_a_regression_it_is():
    clf = run_for(rng.integers(0, 2, 300).astype(float), "binary_crossentropy", "sigmoid", metrics=("accuracy",))
    clf.fit = Fit(train_accuracy=0.6, train_r2=0.1)
    assert "NF108" not in [f.code for f in run_rules(clf)]
    reg = run_for(rng.normal(size=300), "mse", metrics=("accuracy",))
    reg.fit = Fit(train_r2=0.2)
    assert "NF108" in [f.code for f in run_rules(reg)]


def test_regression_rules_stay_off_a_classifier():
    # labels 0..9 are "far outside [-1, 1]" for a regression rule; on a classifier they are class indices
    clf = run_for(rng.integers(0, 10, 400), "sparse_categorical_crossentropy", "softmax", units=10)
    clf.fit = Fit(train_accuracy=0.3)
    codes = [f.code for f in run_rules(clf)]
    assert clf.task == "multiclass"
    assert "NF106" not in codes and "NF107" not in codes and "NF115" not in codes


def test_classification_output_rules_fire_on_their_task_only():
    binary = run_for(rng.integers(0, 2, 400).astype(float), "binary_crossentropy", "softmax", units=1)
    binary.fit = Fit(train_accuracy=0.5, majority_fraction=1.0)
    assert "NF130" in [f.code for f in run_rules(binary)]
    reg = run_for(rng.normal(size=400), "mse", "softmax", units=1)
    reg.fit = Fit(train_r2=0.0)
    assert "NF130" not in [f.code for f in run_rules(reg)]
    assert reg.task == "regression" and not math.isnan(reg.data.targets[0].std)


def test_static_targets_read_from_literals_give_the_task():
    run = TrainingRun(framework="static", layers=[LayerInfo("out", units=1, activation="sigmoid")],
                      data=DataStats(n_samples=100, inputs=[ColumnStats(0, 1, 0.5, 0.3)],
                                     targets=[ColumnStats(0, 1, 0.5, 0.3, True)], exact=False),
                      config=TrainingConfig(loss="binary_crossentropy"))
    assert infer_task(run) == "binary"


def test_integer_targets_indexing_every_output_unit_are_classes_beyond_the_label_count():
    """CrossEntropyLoss over 101 output units on targets 0..100 (UCF101's actions): class indices, a
    multi-class task, though 101 distinct values exceed MAX_LABELS."""
    from nnfit.doctor.run import ColumnStats, LayerInfo, TrainingRun
    from nnfit.doctor.task import infer_task

    run = TrainingRun(framework="torch")
    run.layers = [LayerInfo(name="out", kind="dense", units=101, input_units=512, activation="linear")]
    run.config.loss = "crossentropyloss"
    run.data.targets = [ColumnStats(min=0.0, max=100.0, mean=50.0, std=29.0, is_integer=True)]
    run.data.exact = True
    assert infer_task(run) == "multiclass"
    run.layers[0].units = 1        # one output unit: not a class index into the output
    assert infer_task(run) == "regression"
