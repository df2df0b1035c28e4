"""Rules read a hand-built TrainingRun: static runs (no history) and watched runs alike."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from nnfit.doctor.findings import CATALOGUE, Severity
from nnfit.doctor.rules import REGISTRY, load_all, run_rules
from nnfit.doctor.run import (ColumnStats, DataStats, History, LayerInfo, OptimizerInfo, TrainingConfig,
                              TrainingRun)


def col(lo, hi, integer=False):
    mean = (lo + hi) / 2
    return ColumnStats(lo, hi, mean, (hi - lo) / math.sqrt(12), integer)


def dense(name, units, act="linear", n_in=None, line=None):
    return LayerInfo(name=name, units=units, input_units=n_in, activation=act, line=line,
                     n_params=None if n_in is None else (n_in + 1) * units)


def static_run(layers, inputs, targets, n, *, opt=None, built=(), loss="mean_squared_error", metrics=(),
               epochs=100, batch=32):
    return TrainingRun(
        framework="static", source="train.py", layers=layers,
        data=DataStats(n_samples=n, inputs=inputs, targets=targets, is_regression=True, exact=False),
        config=TrainingConfig(optimizer=opt, optimizers_built=list(built), loss=loss, metrics=list(metrics),
                              epochs=epochs, batch_size=batch, compile_line=30, fit_line=40))


def seed1_static():
    sgd_string = OptimizerInfo("sgd", 0.01, line=30, passed_to_compile=True)
    built = OptimizerInfo("SGD", 0.05, line=29, variable="sgd", passed_to_compile=False,
                          arguments={"lr": 0.05, "decay": 1e-6, "momentum": 0.9, "nesterov": False})
    layers = [dense("dense", 1, "sigmoid", 1, line=25), dense("dense_1", 50, "sigmoid", 1, line=26),
              dense("dense_2", 1, "linear", 50, line=27)]
    return static_run(layers, [col(0, 1)], [col(0, 10)], 10000, opt=sgd_string, built=[sgd_string, built],
                      metrics=["accuracy"], epochs=1, batch=100)


def seed3_static():
    layers = [dense("dense", 1, "custom:<lambda>", 1), dense("dense_1", 1, "linear", 1)]
    return static_run(layers, [col(0, 1)], [col(2, 5)], 999, opt=OptimizerInfo("adam", 0.1, line=12),
                      epochs=999, batch=1)


def seed4_static():
    widths = [3, 5, 3, 5, 1]
    acts = ["linear", "relu", "relu", "relu", "relu"]
    layers, n_in = [], 2
    for i, (w, a) in enumerate(zip(widths, acts)):
        layers.append(dense(f"dense_{i}", w, a, n_in))
        n_in = w
    return static_run(layers, [col(0, 499, True), col(0, 499, True)], [col(0, 249001, True)], 10000,
                      opt=OptimizerInfo("adam", 0.001), metrics=["accuracy"], epochs=10, batch=10)


def healthy_static():
    layers = [dense("dense", 32, "tanh", 1), dense("dense_1", 1, "linear", 32)]
    return static_run(layers, [col(-1, 1)], [col(-1, 1)], 1000, opt=OptimizerInfo("adam", 0.001),
                      epochs=200, batch=32, metrics=["mae"])


def codes(findings):
    return [f.code for f in findings]


DOCS = Path(__file__).resolve().parents[1] / "docs"


def documented_codes() -> set[str]:
    """The codes with a row in a rule table of docs/*.md (`| NF101 | narrow-bottleneck | ...`)."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in DOCS.glob("*.md"))
    return set(re.findall(r"^\|\s*(NF\d{3})\s*\|", text, flags=re.MULTILINE))


def test_the_catalogue_is_not_empty():
    assert len(CATALOGUE) >= 24 and all(re.fullmatch(r"NF\d{3}", code) for code in CATALOGUE)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_catalogue_code_has_a_registered_documented_rule(code):
    load_all()
    assert code in REGISTRY, f"{code} is in the catalogue but no rule is registered for it"
    doc = REGISTRY[code][0].doc
    assert doc.startswith(f"{CATALOGUE[code].name} ({code})")
    for part in ("What it finds:", "Why it matters:", "Example:", "Fix:"):
        assert part in doc, (code, part)
    assert code in documented_codes(), f"{code} has no row in the rule tables of docs/*.md"


def test_every_registered_rule_is_in_the_catalogue():
    load_all()
    assert set(REGISTRY) <= set(CATALOGUE)


def test_seed1_static_ranks_bottleneck_then_too_few_updates():
    found = run_rules(seed1_static())
    assert codes(found)[:2] == ["NF101", "NF102"]
    assert {"NF109", "NF108"} <= set(codes(found))
    assert found[0].location.line == 25 and found[0].location.layer == "dense"
    assert found[1].evidence["updates"] == 100


def test_seed3_static_warns_learning_rate_first():
    found = run_rules(seed3_static())
    assert codes(found)[0] == "NF103"
    assert found[0].severity is Severity.WARNING
    assert "NF101" not in codes(found)  # a width-1 x**2 layer is the intended design, not a bottleneck


def test_seed4_static_ranks_unscaled_targets_first_and_suggests_log():
    found = run_rules(seed4_static())
    assert codes(found)[0] == "NF106"
    assert "NF105" in codes(found) and "NF108" in codes(found)
    assert found[0].evidence["transform"] == "log"
    assert "log1p" in found[0].fix


def test_healthy_static_setup_has_no_findings():
    assert run_rules(healthy_static()) == []


def test_output_relu_with_negative_targets_is_flagged():
    run = healthy_static()
    run.layers[-1].activation = "relu"
    run.data.targets = [col(-10, 10)]
    found = run_rules(run)
    assert "NF107" in codes(found)


def test_classification_loss_on_regression_is_flagged():
    run = healthy_static()
    run.config.loss = "binary_crossentropy"
    assert "NF110" in codes(run_rules(run))


def test_linear_model_flagged_statically_as_too_small():
    run = healthy_static()
    run.layers = [dense("dense", 1, "linear", 1)]
    assert codes(run_rules(run)) == ["NF115"]


def watched(run, loss, r2, **hist):
    run.framework = "keras"
    run.data.exact = True
    run.history = History(loss=loss, **hist)
    run.fit.train_r2 = r2
    return run


def test_rules_stay_silent_on_a_run_that_fits():
    # Even with a width-1 sigmoid layer and few updates: if it fits, there is nothing to explain.
    run = watched(seed1_static(), [1.0, 0.01], 0.999)
    assert [f for f in run_rules(run) if f.severity is Severity.ERROR] == []


def test_diverging_loss_is_learning_rate_too_high():
    run = watched(seed3_static(), [3.0, 0.5, 0.4, 2.0, 5.0, 1.5, 6.0, 3.0, 9.0], -2.0)
    found = run_rules(run)
    assert codes(found)[0] == "NF103" and found[0].severity is Severity.ERROR


def test_nan_loss_is_learning_rate_too_high():
    run = watched(seed3_static(), [3.0, 1e6, float("nan")], -math.inf)
    assert codes(run_rules(run))[0] == "NF103"


def test_vanishing_and_exploding_gradients_from_grad_norms():
    run = watched(healthy_static(), [1.0, 0.9, 0.9, 0.9], 0.1,
                  grad_norm={"dense": [1e-8] * 6, "dense_1": [1e-2] * 6})
    assert "NF111" in codes(run_rules(run))
    run = watched(healthy_static(), [1.0, 5.0, 50.0], 0.1,
                  grad_norm={"dense": [1.0, 1e2, 1e5], "dense_1": [1.0, 10.0, float("inf")]})
    assert "NF112" in codes(run_rules(run))


def test_dead_and_saturated_units_from_fractions():
    run = watched(healthy_static(), [1.0, 0.9, 0.9], 0.2, dead_fraction={"dense": [0.0, 0.8]},
                  saturated_fraction={"dense": [0.2, 0.9]})
    assert {"NF113", "NF114"} <= set(codes(run_rules(run)))


def test_tiny_model_on_a_plateau_is_capacity_too_small():
    run = healthy_static()
    run.layers = [dense("dense", 2, "tanh", 1), dense("dense_1", 1, "linear", 2)]
    run = watched(run, [1.0] + [0.3] * 20, 0.7)
    assert "NF115" in codes(run_rules(run))


def test_json_of_every_finding_is_serialisable():
    import json

    for run in (seed1_static(), seed3_static(), seed4_static()):
        json.dumps([f.to_dict() for f in run_rules(run)])


# -- evidence read from the real corpus's tuning half ------------------------------------------------

def _torch_regression(layers, lr=0.5, opt="sgd"):
    run = static_run(layers, [col(-1, 1)], [col(0, 1.2)], 80, opt=OptimizerInfo(opt, lr, line=5),
                     loss="mseloss", epochs=200, batch=80)
    run.framework, run.data.exact = "torch", True
    return run


def test_an_early_blow_up_then_a_flat_loss_is_learning_rate_too_high_not_too_few_updates():
    # the loss jumps 14x in the first steps, the ReLU units die, then nothing moves (weights stopped)
    run = _torch_regression([dense("hidden", 10, "relu", 1), dense("predict", 1, "linear", 10)])
    run.history = History(batch_loss=[0.65, 6.6, 9.1, 0.33] + [0.094] * 196, loss=[0.65, 6.6, 9.1, 0.33] + [0.094] * 196,
                          update_ratio={"hidden": [0.1] + [0.0] * 30, "predict": [2.0] + [0.0] * 30},
                          dead_fraction={"hidden": [1.0]})
    run.fit.train_r2 = 0.0
    found = codes(run_rules(run))
    assert found[0] == "NF103"
    assert "NF102" not in found          # 200 updates, but the weights stopped moving: not the count


def test_few_updates_with_a_falling_loss_is_measured_too_few_updates():
    run = _torch_regression([dense("hidden", 10, "tanh", 1), dense("predict", 1, "linear", 10)], lr=0.01)
    falling = [1.0 * 0.99 ** i for i in range(100)]
    run.config.epochs = 100
    run.history = History(batch_loss=falling, loss=falling, update_ratio={"hidden": [1e-3] * 20})
    run.fit.train_r2 = 0.5
    found = run_rules(run)
    nf102 = next(f for f in found if f.code == "NF102")
    assert nf102.basis == "measured"


def test_tiny_steps_of_adam_are_a_zero_gradient_not_a_too_low_rate():
    run = _torch_regression([dense("hidden", 10, "tanh", 1), dense("predict", 1, "linear", 10)], lr=1e-3, opt="adam")
    flat = [0.5] * 50
    run.history = History(batch_loss=flat, loss=flat, update_ratio={"hidden": [0.0] * 20, "predict": [0.0] * 20})
    run.fit.train_r2 = 0.0
    assert "NF104" not in codes(run_rules(run))
    run.config.optimizer = OptimizerInfo("sgd", 1e-3, line=5)       # plain SGD: the rate is the suspect
    assert "NF104" in codes(run_rules(run))


def test_categorical_cross_entropy_over_one_unit_is_a_loss_output_mismatch():
    run = static_run([dense("h", 8, "relu", 4), dense("out", 1, "sigmoid", 8)], [col(0, 1)] * 4,
                     [col(0, 1, True)], 400, opt=OptimizerInfo("adam", 1e-3), loss="categorical_crossentropy")
    run.data.class_counts = {"0": 100, "1": 300}
    found = run_rules(run)
    assert "NF126" in codes(found)
    assert run.task == "binary"


def test_zero_initialised_layers_are_bad_initial_scale_but_a_zero_readout_is_not():
    layers = [dense("h", 16, "relu", 1), dense("out", 2, "linear", 16)]
    run = _torch_regression(layers, lr=1e-3, opt="adam")
    run.initial_weight_std = {"h": 0.0, "out": 0.0}
    run.history = History(loss=[0.5] * 20)
    run.fit.train_r2 = 0.0
    found = [f for f in run_rules(run) if f.code == "NF120"]
    assert [f.location.layer for f in found] == ["h", "out"] and found[0].severity is Severity.ERROR
    run.initial_weight_std = {"h": 0.3, "out": 0.0}     # random hidden layer, zero readout: units still differ
    assert "NF120" not in codes(run_rules(run))


# -- evidence over patterns: each case below is a general signature read from the run -------------

def _torch_classifier(counts, accuracy, loss, layers=None):
    layers = layers or [LayerInfo("embed", kind="embedding", units=100), dense("out", 2, "linear", 100)]
    n = sum(counts.values())
    run = TrainingRun(framework="torch", source="train.py", layers=layers,
                      data=DataStats(n_samples=n, inputs=[col(0, 2000, True)] * 60, targets=[col(0, 1, True)],
                                     class_counts=counts),
                      config=TrainingConfig(optimizer=OptimizerInfo("sgd", 0.05, line=5), loss="cross_entropy",
                                            epochs=5, batch_size=1, fit_line=9))
    run.history = History(loss=loss, batch_loss=loss, update_ratio={"out": [0.2, 0.1, 0.05, 0.02, 0.01, 0.01]})
    run.fit.train_accuracy = accuracy
    return run


def test_a_classifier_at_the_constant_loss_but_above_chance_is_still_on_its_way():
    # cross-entropy still log 2 (scores tiny), yet 80 % right against a 54 % majority: too few updates
    run = _torch_classifier({"0": 151, "1": 177}, 0.80, [0.6931] * 5)
    found = run_rules(run)
    assert found[0].code == "NF102" and found[0].basis == "measured" and found[0].severity is Severity.ERROR
    assert "NF122" not in codes(found)          # something is learned: not loss-not-decreasing
    nf119 = [f for f in found if f.code == "NF119"]
    assert not nf119 or nf119[0].severity is Severity.INFO


def test_a_classifier_at_the_constant_loss_and_at_chance_is_not_called_too_few_updates():
    run = _torch_classifier({"0": 151, "1": 177}, 0.56, [0.6931] * 5)
    found = codes(run_rules(run))
    assert "NF102" not in found and "NF122" in found
    run = _torch_classifier({"0": 151, "1": 177}, 0.80, [0.40, 0.30, 0.29, 0.29, 0.29])   # the loss fell and levelled: not this signature
    assert "NF102" not in codes(run_rules(run))


def _deep_sigmoid_run(dead=0.0):
    layers = [dense(f"h{i}", 500, "sigmoid", 32 if i == 0 else 500) for i in range(4)] + [dense("out", 1, "linear", 500)]
    run = static_run(layers, [col(0, 1, True)] * 32, [col(-3, 3)], 2267, opt=OptimizerInfo("sgd", 0.01, line=5),
                     epochs=10, batch=100)
    run.framework, run.data.exact = "keras", True
    steps = [6.8, 40.0, 210.0, 30.0, 2.0] + [1.06] * 225
    norms = {"h0": [0.0027] * 10, "h1": [0.0105] * 10, "h2": [0.041] * 10, "h3": [0.16] * 10, "out": [0.55] * 10}
    run.history = History(batch_loss=steps, loss=[21.1] + [1.06] * 9, grad_norm=norms,
                          update_ratio={k: [1e-5] * 20 for k in norms},
                          saturated_fraction={f"h{i}": [0.0] for i in range(4)},
                          dead_fraction={"h0": [dead]} if dead else {})
    run.fit.train_r2 = 0.0
    return run


def test_a_gradient_vanishing_through_sigmoid_layers_is_the_cause_not_the_early_jump():
    found = run_rules(_deep_sigmoid_run())
    assert found[0].code == "NF111" and found[0].severity is Severity.ERROR and found[0].kind == "cause"
    nf103 = next(f for f in found if f.code == "NF103")
    assert nf103.severity is Severity.WARNING      # the jump left nothing broken: the network came back
    assert [f.code for f in found].index("NF102") > 0     # 230 updates: a setting, ranked below the measured cause


def test_an_early_jump_that_left_dead_units_stays_the_error():
    run = _deep_sigmoid_run()
    run.history.dead_fraction = {"h0": [1.0]}
    run.history.saturated_fraction = {"h3": [0.9]}
    nf103 = next(f for f in run_rules(run) if f.code == "NF103")
    assert nf103.severity is Severity.ERROR and "left" in nf103.message


def test_missing_bias_is_a_warning_only_where_an_offset_is_needed():
    layers = [dense("h", 8, "tanh", 1), dense("out", 1, "linear", 8)]
    for layer in layers:
        layer.use_bias = False
    run = _torch_regression(layers)
    run.data.targets = [ColumnStats(-1.0, 1.0, 0.0, 0.5)]          # centred targets: no offset to make
    assert next(f for f in run_rules(run) if f.code == "NF119").severity is Severity.INFO
    run = _torch_regression(layers)
    run.data.targets = [ColumnStats(10.0, 12.0, 11.0, 0.5)]        # the output must sit near 11
    run.history, run.fit.train_r2 = History(loss=[5.0, 4.0, 3.9]), 0.3
    assert next(f for f in run_rules(run) if f.code == "NF119").severity is Severity.WARNING
    run = _torch_regression(layers)                                 # nothing measured: no fit, no loss
    run.data.targets = [ColumnStats(10.0, 12.0, 11.0, 0.5)]
    assert next(f for f in run_rules(run) if f.code == "NF119").severity is Severity.INFO


def test_a_network_without_nonlinearity_is_too_small_for_curved_data_whatever_its_training():
    run = _torch_regression([dense("a", 1, "linear", 1), dense("b", 1, "linear", 1)], lr=0.01)
    run.history = History(loss=[2e7] + [math.nan] * 20, batch_loss=[2e7] + [math.nan] * 20)
    run.fit.train_r2, run.fit.reference_r2, run.fit.linear_r2 = -math.inf, 0.9999, 0.92
    nf115 = next(f for f in run_rules(run) if f.code == "NF115")
    assert nf115.basis == "data" and "linear map" in nf115.message
    run.fit.linear_r2 = 0.99                                       # linear data: a linear model is enough
    assert "NF115" not in codes(run_rules(run))


def test_a_watched_run_that_saw_no_data_reads_them_from_its_script(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("import torch\nW = torch.zeros(1, 1, requires_grad=True)\nb = torch.zeros(1, requires_grad=True)\n"
                      "opt = torch.optim.SGD([W, b], lr=1e-7)\nfor i in range(100):\n"
                      "    xs = torch.tensor([[float(i)]])\n    ys = torch.tensor([[2.0 * i]])\n"
                      "    cost = torch.mean((ys - (xs @ W + b)) ** 2)\n    opt.zero_grad()\n    cost.backward()\n    opt.step()\n")
    run = TrainingRun(framework="torch", source=str(script),
                      config=TrainingConfig(optimizer=OptimizerInfo("sgd", 1e-7, line=4)))
    found = {f.code: f for f in run_rules(run)}
    assert run.data.exact is False and run.data.inputs                # filled from the text
    assert found["NF105"].severity is Severity.INFO                   # nothing measured the fit: noted, no alarm


def test_static_a_bounded_output_on_a_regression_without_known_targets_is_a_warning():
    run = static_run([dense("h", 500, "tanh", 4), dense("out", 1, "tanh", 500)], [], [], None,
                     opt=OptimizerInfo("rmsprop", None), loss="mean_absolute_error")
    nf107 = next(f for f in run_rules(run) if f.code == "NF107")
    assert nf107.severity is Severity.WARNING and "not known" in nf107.message
    run = static_run([dense("h", 500, "tanh", 4), dense("out", 1, "linear", 500)], [], [], None,
                     opt=OptimizerInfo("rmsprop", None), loss="mean_absolute_error")
    assert "NF107" not in codes(run_rules(run))


def test_static_plain_sgd_on_unscaled_squared_error_data_is_a_rate_warning():
    layers = [dense("a", 1, "linear", 1), dense("b", 1, "linear", 1)]
    run = static_run(layers, [col(-1.7, 1.7)], [col(3, 9804)], 100, opt=OptimizerInfo("sgd", 0.01), loss="mse", epochs=300)
    nf103 = next(f for f in run_rules(run) if f.code == "NF103")
    assert nf103.basis == "data" and nf103.severity is Severity.WARNING
    run = static_run(layers, [col(-1.7, 1.7)], [col(-2, 2)], 100, opt=OptimizerInfo("sgd", 0.01), loss="mse", epochs=300)
    assert "NF103" not in codes(run_rules(run))
    run = static_run(layers, [col(-1.7, 1.7)], [col(3, 9804)], 100, opt=OptimizerInfo("adam", 0.01), loss="mse", epochs=300)
    assert "NF103" not in codes(run_rules(run))     # Adam's step does not grow with the gradient


def test_an_adaptive_rate_that_cannot_reach_the_weight_a_linear_model_needs_is_too_low():
    run = static_run([dense("d", 1, "linear", 1)], [col(1, 10, True)], [col(10, 100, True)], 10,
                     opt=OptimizerInfo("rmsprop", 0.005), loss="mse", epochs=100, batch=32)
    nf104 = next(f for f in run_rules(run) if f.code == "NF104")
    assert nf104.evidence["needed_weight"] > nf104.evidence["reach"]
    run.config.epochs = 2000                     # 2000 updates reach 32: enough
    assert "NF104" not in codes(run_rules(run))


def test_batch_one_with_plain_sgd_on_unscaled_regression_data_is_a_small_batch_at_a_large_rate():
    layers = [dense("h", 10, "sigmoid", 1), dense("out", 1, "sigmoid", 10)]
    run = static_run(layers, [col(0, 99, True)], [col(-1, 1)], 100, opt=OptimizerInfo("sgd", 0.01), epochs=10, batch=1)
    assert "NF124" in codes(run_rules(run))       # 0.01 x 99: a large step for these inputs
    run = static_run(layers, [col(0, 1)], [col(-1, 1)], 100, opt=OptimizerInfo("sgd", 0.01), epochs=10, batch=1)
    assert "NF124" not in codes(run_rules(run))
