"""`doctor lint` on code in the idioms people post, each probe script with one known fault.

The probes (tests/fixtures/static_s6/) were written for this test, in idioms common in Q&A posts and
tutorials: layers added in a loop over a list of widths, `from keras.layers import *`, tf.keras and
`from tensorflow import keras`, torch.nn.functional in forward(), nn.Sequential(*layers), nn.ModuleList,
data from np.linspace(...).reshape(-1, 1), np.random.rand(N, 1) * 10, list comprehensions, append
loops, np.meshgrid / np.c_, np.vstack(...).T, data files beside the script (CSV, .txt, .npz) and
well-known data files by name, learning rates in variables / dicts / argparse defaults, positional
fit() arguments, Python 2 prints, notebook cells, markdown fences, pasted training logs and tracebacks,
progress bars around the epoch loop, `while epoch < N` loops, scikit-learn wrappers with cross-validation.
Each asserts that lint names the probe's fault; the second half checks what the reader recovered and
that the corrected code does not get the finding (so the tests can fail).
"""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("NNFIT_LINT_STRICT", "1")   # a statement the static reader cannot follow fails the test

import pytest

from nnfit.doctor import lint as L
from nnfit.doctor.static import analyse

HERE = Path(__file__).parent / "fixtures" / "static_s6"

PROBES = {
    "probes/p01_keras_add_in_loop.py": "narrow-bottleneck",
    "probes/p02_star_import_sigmoid_out.py": "output-activation-range",
    "probes/p03_tfkeras_sgd_high.py": "learning-rate-too-high",
    "probes/p04_torch_functional_sigmoid.py": "output-activation-range",
    "probes/p05_sequential_star_layers.py": "too-few-updates",
    "probes/p06_rand_times_1000.py": "unscaled-inputs",
    "probes/p09_lr_variable.py": "learning-rate-too-high",
    "probes/p10_config_dict_lr.py": "learning-rate-too-low",
    "probes/p11_adam_lr_kwarg.py": "legacy-keras-api",
    "probes/p12_fit_positional.py": "too-few-updates",
    "probes/p13_py2_accuracy_regression.py": "classification-metric-on-regression",
    "probes/p14_notebook_cells_unused_opt.py": "unused-optimizer",
    "probes/p15_epochs_constant.py": "too-few-updates",
    "probes/p16_torch_target_1d.py": "target-shape-broadcast",
    "probes/p18_val_split_sorted.py": "validation-split-unshuffled",
    "probes/p19_binary_mse.py": "loss-output-mismatch",
    "probes/p20_int_labels_categorical.py": "loss-output-mismatch",
    "probes/p21_torch_softmax_ce.py": "loss-output-mismatch",
    "probes/p23_uniform_kw_wide.py": "unscaled-inputs",
    "probes/p25_functional_accuracy.py": "classification-metric-on-regression",
    "probes/p26_torch_positional_lr.py": "learning-rate-too-high",
    "probes/p27_from_tf_import_keras_rmsprop.py": "learning-rate-too-high",
    "probes/p28_listcomp_data.py": "unscaled-targets",
    "probes/p29_append_loop_data.py": "unscaled-targets",
    "probes/p30_modulelist_relu_last.py": "output-activation-range",
    "probes/p31_onehot_bce_softmax.py": "loss-output-mismatch",
    "probes/p33_minmax_x_only.py": "unscaled-targets",
    "probes/p34_xrange_py2_torch.py": "too-few-updates",
    "probes/p40_data_function.py": "unscaled-inputs",
    "probes/p41_zeros_init_relu.py": "dead-units",
    "probes/p42_main_function.py": "learning-rate-too-high",
    "probes/p45_gradient_tape.py": "learning-rate-too-high",
    "probes/p47_loss_function_reference.py": "loss-output-mismatch",
    "probes/p48_bce_no_sigmoid.py": "loss-output-mismatch",
    "probes/p50_choice_imbalanced.py": "class-imbalance",
    "probes/p52_scaled_x_big_y.py": "unscaled-targets",
    "probes/p53_keras_dotted_paths.py": "narrow-bottleneck",
    "probes/p54_loss_backward_loss.py": "wrong-update-rule",
    "probes/p56_tqdm_epochs.py": "too-few-updates",
    "probes/p57_meshgrid_c_.py": "unscaled-inputs",
    "probes/p58_vstack_T.py": "unscaled-targets",
    "probes/p59_activation_reference.py": "output-activation-range",
    "probes/p60_adam_params_kw_low.py": "learning-rate-too-low",
    "probes/p61_enumerate_loader_unpack.py": "unscaled-inputs",
    "probes/p62_while_epochs.py": "too-few-updates",
    "probes/p63_keras_loss_class_adam_tiny.py": "learning-rate-too-low",
    "probes/p64_randn_times.py": "unscaled-inputs",
    "probes/p65_leakyrelu_object_out.py": "output-activation-range",
    "probes/p66_range_plus_one.py": "too-few-updates",
    "probes/p67_markdown_fence.py": "unscaled-inputs",
    "probes/p68_training_log_pasted.py": "too-few-updates",
    "probes/p69_indented_block.py": "learning-rate-too-high",
    "probes/p70_traceback_pasted.py": "loss-output-mismatch",
    "probes/p71_html_entities.py": "loss-output-mismatch",
    "probes/p72_ellipsis_elided.py": "learning-rate-too-high",
    "probes/p73_truncated_end.py": "classification-metric-on-regression",
    "probes/p74_shell_prompt_and_output.py": "unscaled-inputs",
    "probes/p75_train_function_kwargs.py": "learning-rate-too-high",
    "probes/p76_keras_in_class.py": "too-few-updates",
    "probes/p77_dataset_class_1d_target.py": "target-shape-broadcast",
    "probes/p79_params_dict_fit.py": "too-few-updates",
    "probes/p80_normalize_fn_big_y.py": "unscaled-targets",
    "probes/p83_keras_subclass.py": "output-activation-range",
    "probes/p84_linear_out_bce.py": "loss-output-mismatch",
    "probes/p85_pima_file_by_name.py": "unscaled-inputs",
    "probes/p86_wrapper_cross_val.py": "too-few-updates",
    "probes/p87_tf1_placeholder_lr.py": "learning-rate-too-low",
    "probes/p88_numpy_net_bias_missing.py": "missing-bias",
    "probes/p89_fit_generator_steps.py": "too-few-updates",
    "probes/p90_torch_old_style.py": "unscaled-targets",
    "probes/p91_keras_batch1_sgd.py": "batch-size-too-small",
    "probes/p92_torch_no_zero_grad.py": "wrong-update-rule",      # NF116's torch form: gradients never reset
    "probes/p93_keras_validation_split_labels_sorted.py": "validation-split-unshuffled",
    "probes/p94_np_where_labels.py": "loss-output-mismatch",
    "probes/p95_np_power_targets.py": "unscaled-targets",
    "probes/p96_np_maximum_sum.py": "output-activation-range",
    "probes/p97_hstack_tuple.py": "unscaled-inputs",
    "probes/p98_expit_output_range.py": "output-activation-range",
    "probes/p99_torch_normal_randint.py": "loss-output-mismatch",
    "probes/p100_append_scalars_broadcast.py": "target-shape-broadcast",
    "probes/p101_loader_no_shuffle_sorted.py": "data-not-shuffled",
    "probes/p102_long_targets_mse.py": "integer-typed-data",
    "probes/p103_keras_shuffle_false_sorted.py": "data-not-shuffled",
    "probes/p105_tf_random_uniform.py": "unscaled-inputs",
    "probes/p106_tensor_uniform_inplace.py": "unscaled-inputs",
    "probes/p107_torch_arange_dtype.py": "unscaled-inputs",
    "probes/p108_user_fn_listcomp.py": "unscaled-targets",
    "probes/p109_layers_from_size_list.py": "vanishing-gradients",
    "probes/p110_lightning_module.py": "learning-rate-too-high",
    "probes/p111_tf1_layers_dense.py": "output-activation-range",
    "probes/p112_tf1_few_steps.py": "too-few-updates",
    "csv_house/train.py": "unscaled-targets",
    "loadtxt_sensor/fit.py": "unscaled-inputs",
    "npz_sorted/train.py": "validation-split-unshuffled",
    "csv_imbalanced/train.py": "class-imbalance",
    "genfromtxt_skip/model.py": "unscaled-inputs",
}


def names_of(path: Path) -> set[str]:
    return {f.name for f in L.lint_file(path)}


def names(text: str, path: str | None = None) -> set[str]:
    return {f.name for f in L.lint_source(text, path)}


@pytest.mark.parametrize("rel,fault", sorted(PROBES.items()))
def test_probe_fault_is_named(rel, fault):
    assert fault in names_of(HERE / rel)


def probe(rel: str) -> str:
    return (HERE / rel).read_text()


# ---- what the reader recovers, and the corrected code


def test_elementwise_functions_keep_a_vectors_shape():
    text = probe("probes/p16_torch_target_1d.py")
    run = analyse(text)
    assert run.fit.loss_broadcast == ((600, 1), (600,))
    fixed = text.replace("Y = torch.from_numpy(ys).float()", "Y = torch.from_numpy(ys).float().view(-1, 1)")
    assert analyse(fixed).fit.loss_broadcast is None
    assert "target-shape-broadcast" not in names(fixed)


def test_loss_and_metric_passed_by_reference():
    text = probe("probes/p47_loss_function_reference.py")
    assert analyse(text).config.loss == "mean_squared_error"
    fixed = text.replace("tf.keras.losses.mean_squared_error", "tf.keras.losses.binary_crossentropy")
    assert analyse(fixed).config.loss == "binary_crossentropy"
    assert "loss-output-mismatch" not in names(fixed)
    metric = text.replace('metrics=["accuracy"]', "metrics=[tf.keras.metrics.BinaryAccuracy()]")
    assert "binary_accuracy" in analyse(metric).config.metrics


def test_backward_with_the_loss_as_its_gradient():
    text = probe("probes/p54_loss_backward_loss.py")
    upd = analyse(text).updates
    assert len(upd) == 1 and upd[0].uses_gradient is False and upd[0].line == 12
    finding = next(f for f in L.lint_source(text) if f.name == "wrong-update-rule")
    assert "loss.backward()" in finding.fix
    assert "wrong-update-rule" not in names(text.replace("loss.backward(loss)", "loss.backward()"))
    # a vector output's own gradient argument is legitimate
    assert "wrong-update-rule" not in names(text.replace("loss.backward(loss)", "loss.backward(torch.ones_like(loss))"))


def test_random_choice_with_probabilities_gives_class_counts():
    run = analyse(probe("probes/p50_choice_imbalanced.py"))
    assert run.data.class_counts == {"0": 4800, "1": 200}
    balanced = probe("probes/p50_choice_imbalanced.py").replace(", p=[0.96, 0.04]", "")
    assert analyse(balanced).data.class_counts == {"0": 2500, "1": 2500}
    assert "class-imbalance" not in names(balanced)


def test_hand_written_class_weights():
    text = """\
import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
crit = nn.BCELoss(reduction='none')
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
def step(x, target):
    per_row = crit(model(x), target)
    per_row[target == 1] *= 40
    loss = per_row.mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""
    run = analyse(text)
    assert run.static.hand_class_weights == {"1": 40.0, "0": 1.0} and run.static.hand_class_weights_line == 8
    assert "class-imbalance" in names(text)
    assert "class-imbalance" not in names(text.replace("*= 40", "*= 2"))     # weights this close: no evidence
    lookup = text.replace("    per_row[target == 1] *= 40\n", "    w = torch.tensor([0.9, 0.1])\n"
                          "    per_row = per_row * w[target.long()]\n")
    assert analyse(lookup).static.hand_class_weights == {"0": 0.9, "1": 0.1}
    assert "class-imbalance" in names(lookup)
    # data rows scaled for one class are not a loss weighting
    rows = text.replace("    per_row[target == 1] *= 40\n", "    x[target == 1] *= 40\n")
    assert not analyse(rows.replace("def step(x, target):", "x = torch.rand(100, 8)\ndef step(x, target):")
                       ).static.hand_class_weights
    # a weight list indexed by something that is not the labels is not a class weighting
    other = lookup.replace("w[target.long()]", "w[0]")
    assert not analyse(other).static.hand_class_weights


def test_one_hot_of_unseen_labels_has_unknown_width():
    text = """\
import pickle
from sklearn.preprocessing import LabelBinarizer
from keras.models import Sequential
from keras.layers import Dense
with open('data.p', 'rb') as f:
    data = pickle.load(f)
X, y = data['x'], data['y']
Y = LabelBinarizer().fit_transform(y)
model = Sequential()
model.add(Dense(5, activation='softmax', input_dim=20))
model.compile('adam', 'categorical_crossentropy')
model.fit(X, Y, epochs=10, batch_size=32)
"""
    run = analyse(text)
    assert run.data.targets == []       # not "one column of integer labels"
    assert "loss-output-mismatch" not in names(text)


def test_progress_bar_loops_and_while_loops_count_epochs():
    tqdm = probe("probes/p56_tqdm_epochs.py")
    assert analyse(tqdm).config.epochs == 2
    assert analyse(tqdm.replace("tqdm(range(2))", "trange(7)").replace("import tqdm", "import trange")).config.epochs == 7
    wl = probe("probes/p62_while_epochs.py")
    assert analyse(wl).config.epochs == 3
    assert analyse(wl.replace("while epoch < 3:", "while epoch <= 9:")).config.epochs == 10
    # a loop that may stop early is not counted
    broken = wl.replace("    epoch += 1", "    epoch += 1\n    if loss.item() < 1e-3:\n        break")
    assert analyse(broken).config.epochs is None
    assert "too-few-updates" not in names(wl.replace("while epoch < 3:", "while epoch < 3000:"))


def test_meshgrid_and_index_tricks():
    run = analyse(probe("probes/p57_meshgrid_c_.py"))
    assert run.data.n_samples == 3600 and len(run.data.inputs) == 2
    assert run.data.inputs[0].min == -50 and run.data.inputs[1].max == 50
    scaled = probe("probes/p57_meshgrid_c_.py").replace("np.linspace(-50, 50, 60), np.linspace(-50, 50, 60)",
                                                         "np.linspace(-1, 1, 60), np.linspace(-1, 1, 60)")
    assert "unscaled-inputs" not in names(scaled)


def test_well_known_data_file_by_name():
    run = analyse(probe("probes/p85_pima_file_by_name.py"), str(HERE / "probes" / "p85_pima_file_by_name.py"))
    assert run.data.n_samples == 768 and len(run.data.inputs) == 8
    assert run.data.inputs[4].max == 846 and run.data.class_counts == {"0": 500, "1": 268}
    assert run.data.exact is False     # documented, not read
    # an unknown file name stays unknown
    other = probe("probes/p85_pima_file_by_name.py").replace("pima-indians-diabetes.csv", "my_table.csv")
    assert analyse(other, str(HERE / "probes" / "x.py")).data.inputs == []


def test_a_file_beside_the_script_wins_over_the_documented_table(tmp_path):
    (tmp_path / "iris.csv").write_text("".join(f"{0.1 * i:.1f},{0.2:.1f},{0.3:.1f},{0.4:.1f},1\n" for i in range(10)))
    script = tmp_path / "train.py"
    script.write_text("import numpy as np\nd = np.loadtxt('iris.csv', delimiter=',')\nX, y = d[:, :4], d[:, 4]\n"
                      "from keras.models import Sequential\nfrom keras.layers import Dense\nm = Sequential()\n"
                      "m.add(Dense(3, input_dim=4, activation='softmax'))\nm.compile(loss='mse', optimizer='adam')\n"
                      "m.fit(X, y, epochs=5)\n")
    run = analyse(script.read_text(), str(script))
    assert run.data.n_samples == 10 and run.data.exact is True


def test_keras_wrapper_trains_on_the_folds_with_its_fit_settings():
    text = probe("probes/p86_wrapper_cross_val.py")
    run = analyse(text, str(HERE / "probes" / "p86_wrapper_cross_val.py"))
    # nb_epoch= is not a fit() argument of Keras 2 / 3: the default single epoch; 4 of 5 folds of 150 rows
    assert run.config.epochs == 1 and run.config.batch_size == 30 and run.data.n_samples == 120
    assert [la.units for la in run.layers] == [10, 3]
    assert run.data.class_counts == {"0": 50, "1": 50, "2": 50}
    fixed = text.replace("nb_epoch=300", "epochs=300")
    assert analyse(fixed, str(HERE / "probes" / "x.py")).config.epochs == 300
    assert "too-few-updates" not in names(fixed, str(HERE / "probes" / "x.py"))


def test_label_encoder_numbers_the_classes():
    text = """\
import numpy as np
from sklearn.preprocessing import LabelEncoder
y_raw = np.array([3, 3, 7, 7, 7, 9])
y = LabelEncoder().fit_transform(y_raw)
"""
    from nnfit.doctor.static.interp import _Interp
    from nnfit.doctor.static.locations import _Mapper
    import ast

    interp = _Interp(_Mapper([(i + 1, 0) for i in range(5)], text.split("\n"), text.split("\n")))
    env: dict = {}
    interp.exec_block(ast.parse(text).body, env, 1)
    y = env["y"]
    assert (y.lo, y.hi, y.integer, y.dtype) == (0.0, 2.0, True, "int64")
    assert y.counts == {"0": 2, "1": 3, "2": 1}


def test_fetch_openml_and_bike_sharing_tables_by_name():
    text = """\
from sklearn.datasets import fetch_openml
from keras.models import Sequential
from keras.layers import Dense
from keras.utils import to_categorical
X, y = fetch_openml('mnist_784', version=1, return_X_y=True)
Y = to_categorical(y.astype(int), 10)
m = Sequential([Dense(128, activation='relu', input_shape=(784,)), Dense(10, activation='softmax')])
m.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
m.fit(X, Y, epochs=5, batch_size=128)
"""
    run = analyse(text)
    assert run.data.n_samples == 70000 and run.data.inputs[0].max == 255
    assert "unscaled-inputs" in names(text)
    assert "unscaled-inputs" not in names(text.replace("return_X_y=True)", "return_X_y=True)\nX = X / 255.0"))
    from nnfit.doctor.static import datasets

    table = datasets.known_file("Bike-Sharing-Dataset/hour.csv", False, None, True)
    assert table.n == 17379 and table.const[-1] == "cnt" and table.cols[-1].hi == 977
    assert datasets.known_file("data/hour.csv", False, None, True) is None    # a generic name alone is not enough


def test_numpy_ufuncs_where_power_maximum():
    text = probe("probes/p94_np_where_labels.py")
    run = analyse(text)
    t = run.data.targets[0]
    assert (t.min, t.max, t.is_integer) == (0, 1, True) and run.data.target_dtype == "int64"
    assert "classification-metric-on-regression" not in names(text)      # 0/1 labels, not a regression
    run = analyse(probe("probes/p95_np_power_targets.py"))
    assert run.data.targets[0].min == 10 and run.data.targets[0].max == 810
    run = analyse(probe("probes/p96_np_maximum_sum.py"))
    assert run.data.targets[0].min == -3 and run.data.targets[0].max == 1


def test_typed_torch_constructors_and_lists_of_numbers():
    text = probe("probes/p102_long_targets_mse.py")
    assert analyse(text).data.target_dtype == "int64"
    assert "integer-typed-data" not in names(text.replace("torch.LongTensor(y)", "torch.FloatTensor(y)"))
    text = probe("probes/p100_append_scalars_broadcast.py")
    assert analyse(text).fit.loss_broadcast == ((500, 1), (500,))
    assert analyse(text.replace("outputs.append(math.sin(6 * v))", "outputs.append([math.sin(6 * v)])")).fit.loss_broadcast is None



KAGGLE_DIGITS = """\
import pandas as pd
from keras.models import Sequential
from keras.layers import Dense
from keras.utils import to_categorical
frame = pd.read_csv('../input/train.csv')
images = frame.drop('label', axis=1).values.astype('float32')
digits = to_categorical(frame['label'].values, 10)
net = Sequential()
net.add(Dense(256, activation='relu', input_shape=(784,)))
net.add(Dense(10, activation='softmax'))
net.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
net.fit(images, digits, batch_size=64, epochs=10)
"""


def test_missing_kaggle_digits_csv_is_read_as_the_pixel_table():
    run = analyse(KAGGLE_DIGITS, str(HERE / "probes" / "x.py"))
    assert run.data.n_samples == 42000 and run.data.inputs[0].max == 255 and len(run.data.inputs) == 1
    assert "unscaled-inputs" in names(KAGGLE_DIGITS, str(HERE / "probes" / "x.py"))
    scaled = KAGGLE_DIGITS.replace(".astype('float32')", ".astype('float32') / 255.0")
    assert "unscaled-inputs" not in names(scaled, str(HERE / "probes" / "x.py"))
    # another competition's train.csv (no `label` column, 7 inputs): its values stay unknown
    titanic = KAGGLE_DIGITS.replace("'label'", "'Survived'").replace("(784,)", "(7,)").replace("Dense(10,", "Dense(1,")
    assert analyse(titanic, str(HERE / "probes" / "x.py")).data.inputs == []


def test_uninitialised_tensor_filled_in_place():
    text = probe("probes/p106_tensor_uniform_inplace.py")
    run = analyse(text)
    assert run.data.n_samples == 1000 and (run.data.inputs[0].min, run.data.inputs[0].max) == (-300, 300)
    assert "unscaled-inputs" not in names(text.replace("uniform_(-300, 300)", "uniform_(-1, 1)"))
    # a Parameter filled in place is a weight initialisation, not data
    weights = """\
import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.Tensor(1, 8))
        self.w.data.uniform_(-50, 50)
"""
    assert analyse(weights).data.inputs == []


def test_layers_built_from_a_joined_size_list():
    text = probe("probes/p109_layers_from_size_list.py")
    run = analyse(text)
    assert [(la.input_units, la.units, la.activation) for la in run.layers if la.kind == "dense"] == [
        (20, 64, "sigmoid"), (64, 64, "sigmoid"), (64, 32, "sigmoid"), (32, 32, "sigmoid"), (32, 16, "sigmoid"),
        (16, 3, "linear")]
    assert "vanishing-gradients" not in names(text.replace("Tower(nn.Sigmoid())", "Tower(nn.ReLU())"))


def test_lightning_trainer_runs_the_modules_optimiser():
    text = probe("probes/p110_lightning_module.py")
    run = analyse(text)
    assert run.config.epochs == 20 and run.config.batch_size == 32 and run.data.n_samples == 2000
    assert run.config.optimizer.learning_rate == 40.0 and run.config.optimizer.passed_to_compile is True
    assert "unused-optimizer" not in names(text)
    short = text.replace("lr=40.0", "lr=0.05").replace("max_epochs=20", "max_epochs=1")
    assert analyse(short).config.epochs == 1 and "too-few-updates" in names(short)

