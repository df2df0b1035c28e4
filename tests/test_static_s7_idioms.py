"""`doctor lint` on more idioms people post: pandas, scikit-learn data helpers, Keras loss classes.

The probes (tests/fixtures/static_s7/) were written for this test, each with one known fault, in idioms
of tutorials and Q&A posts: `keras.losses.BinaryCrossentropy()` objects, `df['price'].values` (a Series:
shape (n,)), `df.pop('price')`, `df[df.columns[:-1]]`, `df.loc[:, 'a':'c']`,
`pd.DataFrame(bunch.data, columns=bunch.feature_names)` then `df['target'] = bunch.target`, columns
added one by one to an empty frame, `np.random.rand(n, 3) * [100, 10, 1]`, `X @ np.array([...])`,
NumPy gradient descent on a mean gradient, scikit-learn loaders with their documented per-feature
ranges (california, iris, breast cancer), plus idioms that already worked and must keep working
(argparse defaults, `build_model()` with default arguments, `tf.data` batches, config classes,
`nn.Sequential(OrderedDict(...))`, `.ravel()` targets). Each asserts the fault lint names; the second
half checks what the reader recovered and that the corrected code does not get the finding.
"""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("NNFIT_LINT_STRICT", "1")   # a statement the static reader cannot follow fails the test

import pytest

from nnfit.doctor import lint as L
from nnfit.doctor.static import analyse

HERE = Path(__file__).parent / "fixtures" / "static_s7"

PROBES = {
    "p01_keras_loss_class_bce_softmax.py": "loss-output-mismatch",
    "p02_series_target_torch.py": "target-shape-broadcast",
    "p03_df_pop_target.py": "unscaled-targets",
    "p04_df_columns_slice.py": "unscaled-targets",
    "p05_df_loc_labels.py": "unscaled-targets",
    "p06_bunch_dataframe_target.py": "target-shape-broadcast",
    "p07_frame_column_assign.py": "unscaled-targets",
    "p08_row_vector_scale.py": "unscaled-inputs",
    "p09_matmul_vector_target.py": "target-shape-broadcast",
    "p10_numpy_gd_mean_grad_tiny_lr.py": "learning-rate-too-low",
    "p11_onehot_iris_sparse.py": "loss-output-mismatch",
    "p12_california_columns.py": "unscaled-inputs",
    "p13_make_regression_targets.py": "unscaled-targets",
    "p14_tensordataset_1d_target.py": "target-shape-broadcast",
    "p15_argparse_lr.py": "learning-rate-too-high",
    "p16_circles_linear_bce.py": "loss-output-mismatch",
    "p17_genfromtxt_house.py": "unscaled-targets",
    "p18_functional_sigmoid_out.py": "output-activation-range",
    "p19_build_model_defaults.py": "learning-rate-too-high",
    "p20_tf_data_big_batch.py": "too-few-updates",
    "p21_train_fn_defaults.py": "too-few-updates",
    "p22_ordereddict_relu_out.py": "output-activation-range",
    "p23_config_class_epochs.py": "too-few-updates",
    "p24_ravel_target.py": "target-shape-broadcast",
    "p25_values_slice_target.py": "target-shape-broadcast",
    "p26_iloc_list_sigmoid.py": "output-activation-range",
    "p28_second_optimizer_steps.py": "unused-optimizer",
    "p29_breast_cancer_columns.py": "unscaled-inputs",
    "p30_keras_subclass_tanh_out.py": "output-activation-range",
}


def path_of(rel: str) -> str:
    return str(HERE / rel)


def names(text: str, path: str | None = None) -> set[str]:
    return {f.name for f in L.lint_source(text, path)}


def errors(text: str, path: str | None = None) -> set[str]:
    return {f.name for f in L.lint_source(text, path) if f.severity.value == "error"}


def probe(rel: str) -> str:
    return (HERE / rel).read_text()


@pytest.mark.parametrize("rel,fault", sorted(PROBES.items()))
def test_probe_fault_is_named(rel, fault):
    assert fault in {f.name for f in L.lint_file(HERE / rel)}


# ---- Keras loss classes


def test_keras_loss_classes_are_the_loss_functions():
    text = probe("p01_keras_loss_class_bce_softmax.py")
    assert analyse(text).config.loss == "binary_crossentropy"
    fixed = text.replace('layers.Dense(2, activation="softmax")', 'layers.Dense(1, activation="sigmoid")')
    assert "loss-output-mismatch" not in names(fixed)
    # imported by name from keras.losses; and a class for every loss family
    for cls, loss in (("CategoricalCrossentropy", "categorical_crossentropy"), ("MeanSquaredError", "mse"),
                      ("Huber", "huber"), ("MeanAbsolutePercentageError", "mape")):
        variant = text.replace("keras.losses.BinaryCrossentropy()", f"keras.losses.{cls}()")
        assert analyse(variant).config.loss == loss, cls
    imported = ("from tensorflow.keras.losses import BinaryCrossentropy\n" + text).replace(
        "keras.losses.BinaryCrossentropy()", "BinaryCrossentropy()")
    assert analyse(imported).config.loss == "binary_crossentropy"


def test_from_logits_loss_class_takes_raw_scores():
    text = probe("p27_from_logits_softmax.py")
    run = analyse(text)
    assert run.config.loss == "sparse_categorical_crossentropy" and run.config.from_logits is True
    # a linear output with from_logits=True is the correct form: no probability-loss finding
    linear = text.replace('tf.keras.layers.Dense(4, activation="softmax")', "tf.keras.layers.Dense(4)")
    assert "loss-output-mismatch" not in names(linear) and not errors(linear)
    binary = """\
import numpy as np
from tensorflow import keras
X = np.random.rand(2000, 4)
y = (X[:, 0] > 0.5).astype(int)
model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(X, y, epochs=50, batch_size=32)
"""
    assert "loss-output-mismatch" not in names(binary)
    assert "loss-output-mismatch" in names(binary.replace("(from_logits=True)", "()"))


# ---- pandas


def test_a_series_is_one_dimensional():
    text = probe("p02_series_target_torch.py")
    path = path_of("p02_series_target_torch.py")
    assert analyse(text, path).fit.loss_broadcast == ((300, 1), (300,))
    fixed = text.replace("y = torch.tensor(df['price'].values).float()",
                         "y = torch.tensor(df['price'].values).float().view(-1, 1)")
    assert analyse(fixed, path).fit.loss_broadcast is None
    frame = text.replace("df['price'].values", "df[['price']].values")      # a one-column frame: (n, 1)
    assert "target-shape-broadcast" not in names(frame, path)


def test_df_pop_takes_the_column_out_of_the_frame():
    text = probe("p03_df_pop_target.py")
    path = path_of("p03_df_pop_target.py")
    run = analyse(text, path)
    assert len(run.data.inputs) == 3 and run.data.inputs[0].max == pytest.approx(299.4, abs=1)
    assert run.data.targets[0].min > 70000 and run.data.exact is True
    scaled = text.replace("target = df.pop('price')", "target = df.pop('price') / 1e5")
    assert "unscaled-targets" not in names(scaled, path)


def test_columns_by_name_slice_and_loc():
    for rel in ("p04_df_columns_slice.py", "p05_df_loc_labels.py"):
        run = analyse(probe(rel), path_of(rel))
        assert len(run.data.inputs) == 3, rel             # area, rooms, age; not the price
        assert len(run.data.targets) == 1 and run.data.targets[0].min > 70000, rel
    loc = probe("p05_df_loc_labels.py").replace("df.loc[:, 'area':'age']", "df.loc[:, ['area', 'age']]")
    assert len(analyse(loc, path_of("p05_df_loc_labels.py")).data.inputs) == 2
    # labels the file does not have: unknown, not a guess
    other = probe("p05_df_loc_labels.py").replace("'area':'age'", "'size':'age'")
    assert analyse(other, path_of("p05_df_loc_labels.py")).data.inputs == []


def test_frame_from_a_bunch_and_added_columns():
    text = probe("p06_bunch_dataframe_target.py")
    run = analyse(text)
    assert [round(c.max) for c in run.data.inputs][:2] == [15, 52] and len(run.data.inputs) == 8
    assert (run.data.targets[0].min, run.data.targets[0].max) == (0.15, 5.0)   # housing.target, not a feature
    assert run.fit.loss_broadcast == ((20640, 1), (20640,))
    fixed = text.replace("dtype=torch.float32)\nmodel", "dtype=torch.float32).view(-1, 1)\nmodel")
    assert analyse(fixed).fit.loss_broadcast is None
    built = analyse(probe("p07_frame_column_assign.py"))
    assert len(built.data.inputs) == 2 and built.data.inputs[0].max == 1.0
    assert built.data.targets[0].max == 1500
    scaled = probe("p07_frame_column_assign.py").replace("df['y'] = 1000 * df['x1'] + 500 * df['x2']",
                                                          "df['y'] = df['x1'] + 0.5 * df['x2']")
    assert "unscaled-targets" not in names(scaled)


# ---- NumPy arithmetic


def test_a_literal_row_scales_each_column():
    run = analyse(probe("p08_row_vector_scale.py"))
    assert [c.max for c in run.data.inputs] == [100, 10, 1]
    assert run.data.targets[0].max == pytest.approx(3.0)     # 0.01 * 100 + 0.1 * 10 + 1
    assert "unscaled-targets" not in names(probe("p08_row_vector_scale.py"))
    arr = probe("p08_row_vector_scale.py").replace("* [100, 10, 1]", "* np.array([100, 10, 1])")
    assert [c.max for c in analyse(arr).data.inputs] == [100, 10, 1]


def test_matrix_times_a_literal_vector():
    text = probe("p09_matmul_vector_target.py")
    run = analyse(text)
    assert run.fit.loss_broadcast == ((2400, 1), (2400,))
    t = run.data.targets[0]
    assert (t.min, t.max) == (pytest.approx(-1.0), pytest.approx(3.5))
    column = text.replace("np.array([2.0, -1.0, 0.5, 1.0])", "np.array([[2.0], [-1.0], [0.5], [1.0]])")
    assert analyse(column).fit.loss_broadcast is None      # (n, 4) @ (4, 1): a column
    assert "target-shape-broadcast" not in names(column)


def test_numpy_gradient_descent_on_a_mean_gradient_is_plain_sgd():
    text = probe("p10_numpy_gd_mean_grad_tiny_lr.py")
    opt = analyse(text).config.optimizer
    assert opt.name == "sgd" and opt.learning_rate == 1e-7
    assert "learning-rate-too-low" not in names(text.replace("1e-7", "0.1"))
    # a summed gradient (not divided by the rows) scales the step by n: its rate is not read as SGD's
    summed = text.replace("grad_w = 2 * X.T.dot(error) / len(X)", "grad_w = 2 * X.T.dot(error)") \
                 .replace("grad_b = 2 * np.mean(error)", "grad_b = 2 * error.sum()")
    assert analyse(summed).config.optimizer is None
    assert "learning-rate-too-low" not in names(summed)


# ---- scikit-learn loaders, documented per feature


def test_loaders_have_their_documented_feature_ranges():
    cal = analyse(probe("p12_california_columns.py")).data
    assert [c.max for c in cal.inputs][4] == 35682 and cal.inputs[7].max == -114.31
    cancer = analyse(probe("p29_breast_cancer_columns.py")).data
    assert cancer.inputs[23].max == 4254 and cancer.inputs[4].max == 0.163
    iris = analyse(probe("p11_onehot_iris_sparse.py")).data
    assert iris.targets and len(iris.targets) == 3            # one-hot over the three iris classes
    fixed = probe("p11_onehot_iris_sparse.py").replace("'sparse_categorical_crossentropy'", "'categorical_crossentropy'")
    assert "loss-output-mismatch" not in names(fixed) and not errors(fixed)


# ---- corrected versions lint clean of errors


@pytest.mark.parametrize("rel,old,new", [
    ("p02_series_target_torch.py", "y = torch.tensor(df['price'].values).float()",
     "y = torch.tensor(df['price'].values / 1e5).float().view(-1, 1)"),
    ("p09_matmul_vector_target.py", "torch.tensor(y_train)", "torch.tensor(y_train).unsqueeze(1)"),
    ("p14_tensordataset_1d_target.py", "torch.from_numpy(y))", "torch.from_numpy(y).view(-1, 1))"),
    ("p24_ravel_target.py", "np.sin(X).ravel()", "np.sin(X)"),
    ("p18_functional_sigmoid_out.py", "out = Dense(1, activation='sigmoid')(h)", "out = Dense(1)(h)"),
    ("p22_ordereddict_relu_out.py", "    ('relu2', nn.ReLU()),\n", ""),
])
def test_corrected_probe_has_no_error(rel, old, new):
    text = probe(rel)
    assert old in text
    fixed = text.replace(old, new)
    assert not errors(fixed, path_of(rel)), rel
    assert PROBES[rel] not in names(fixed, path_of(rel))
