"""The framework vocabulary, once: layers, activations, optimisers with their default learning rates per
framework, losses (with what each expects of the output and the task), metrics and Keras 2 names.

Imported by the static reader (nnfit.doctor.static), the runtime monitors (monitors/keras.py, torch.py,
_common.py), the Keras 2 mapping (compat.py), the rules and repair: a name is spelled here and nowhere else.
"""
from __future__ import annotations

KERAS_LAYERS = {
    "Dense": "dense", "Activation": "activation", "Dropout": "dropout", "BatchNormalization": "batchnorm",
    "LayerNormalization": "batchnorm", "Flatten": "other", "Input": "input", "InputLayer": "input",
    "Conv1D": "other", "Conv2D": "other", "Convolution2D": "other", "LSTM": "other", "GRU": "other",
    "SimpleRNN": "other", "Embedding": "other", "LeakyReLU": "activation", "ReLU": "activation",
    "PReLU": "activation", "ELU": "activation", "Normalization": "other",
}
TORCH_LAYERS = {"Linear": "dense", "Dropout": "dropout", "BatchNorm1d": "batchnorm", "LayerNorm": "batchnorm",
                "Flatten": "other", "Conv1d": "other", "Conv2d": "other", "LSTM": "other", "GRU": "other"}
TORCH_ACTIVATIONS = {"ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "LeakyReLU": "leaky_relu", "ELU": "elu",
                     "GELU": "gelu", "SiLU": "silu", "Softplus": "softplus", "Softmax": "softmax", "SELU": "selu",
                     "Hardtanh": "hard_tanh", "Softsign": "softsign", "Identity": "linear", "Mish": "mish",
                     "LogSigmoid": "log_sigmoid", "ReLU6": "relu6", "Hardsigmoid": "hard_sigmoid",
                     "LogSoftmax": "log_softmax"}   # log-probabilities: what NLLLoss expects
FUNC_ACTIVATIONS = {"relu", "sigmoid", "tanh", "elu", "selu", "gelu", "silu", "softplus", "softmax", "leaky_relu",
                    "softsign", "hard_sigmoid", "swish", "relu6", "mish", "exponential", "linear", "hardtanh",
                    "log_softmax"}
OPTIMIZERS = {"sgd": "sgd", "adam": "adam", "rmsprop": "rmsprop", "adagrad": "adagrad", "adadelta": "adadelta",
              "adamax": "adamax", "nadam": "nadam", "adamw": "adamw", "lbfgs": "lbfgs", "ftrl": "ftrl",
              "lion": "lion", "radam": "radam"}
KERAS_DEFAULT_LR = {"sgd": 0.01, "adam": 0.001, "rmsprop": 0.001, "adagrad": 0.001, "adadelta": 0.001,
                    "adamax": 0.001, "nadam": 0.001, "adamw": 0.001, "ftrl": 0.001, "lion": 0.001}
TORCH_DEFAULT_LR = {"sgd": 0.001, "adam": 0.001, "rmsprop": 0.01, "adagrad": 0.01, "adadelta": 1.0,
                    "adamax": 0.002, "nadam": 0.002, "adamw": 0.001, "lbfgs": 1.0, "radam": 0.001}
TORCH_LOSSES = {"MSELoss": "mse", "L1Loss": "mae", "SmoothL1Loss": "smoothl1loss", "HuberLoss": "huber",
                "CrossEntropyLoss": "crossentropyloss", "BCELoss": "bceloss", "BCEWithLogitsLoss": "bcewithlogitsloss",
                "NLLLoss": "nllloss"}
F_LOSSES = {"mse_loss": "mse", "l1_loss": "mae", "cross_entropy": "crossentropyloss", "smooth_l1_loss": "smoothl1loss",
            "binary_cross_entropy": "bceloss", "huber_loss": "huber"}

# Keras 1/2 names and their Keras 3 replacements: (context, old) -> (new, note)
LEGACY_KWARGS = {
    "layer": {
        "init": ("kernel_initializer", "Keras 3 rejects `init=`"),
        "output_dim": ("units", "Keras 3 rejects `output_dim=`"),
        "W_regularizer": ("kernel_regularizer", ""), "b_regularizer": ("bias_regularizer", ""),
        "W_constraint": ("kernel_constraint", ""), "b_constraint": ("bias_constraint", ""),
        "bias": ("use_bias", ""), "border_mode": ("padding", ""), "subsample": ("strides", ""),
        "nb_filter": ("filters", ""), "dropout_W": ("dropout", ""), "dropout_U": ("recurrent_dropout", ""),
        "p": ("rate", "Dropout(p=) is Keras 1"),
    },
    "optimizer": {
        "lr": ("learning_rate", "Keras 3 rejects `lr=`"),
        "decay": ("learning_rate=keras.optimizers.schedules.InverseTimeDecay(...)",
                  "Keras 3 ignores `decay=` with a warning"),
    },
    "fit": {
        "nb_epoch": ("epochs", "Keras 3 rejects `nb_epoch=`"),
        "samples_per_epoch": ("steps_per_epoch", ""), "nb_val_samples": ("validation_steps", ""),
        "nb_worker": ("workers", ""), "pickle_safe": ("use_multiprocessing", ""),
    },
}
LEGACY_METHODS = {
    "fit_generator": "fit", "predict_generator": "predict", "evaluate_generator": "evaluate",
    "train_on_batch_generator": "train_on_batch",
    "predict_classes": "np.argmax(model.predict(x), axis=-1)", "predict_proba": "model.predict(x)",
}
LEGACY_IMPORTS = {
    "keras.layers.core": "keras.layers", "keras.layers.convolutional": "keras.layers",
    "keras.layers.recurrent": "keras.layers", "keras.layers.advanced_activations": "keras.layers",
    "keras.layers.normalization": "keras.layers", "keras.layers.embeddings": "keras.layers",
    "keras.layers.pooling": "keras.layers", "keras.utils.np_utils": "keras.utils",
    "keras.wrappers.scikit_learn": "scikeras.wrappers", "keras.engine.topology": "keras.layers",
    "keras.backend.tensorflow_backend": "keras.backend", "keras.engine.sequential": "keras.models",
    "keras.engine.training": "keras.models", "keras.layers.merge": "keras.layers", "keras.layers.noise": "keras.layers",
    "keras.layers.wrappers": "keras.layers",
}
LEGACY_NAMES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Merge": "Concatenate", "merge": "concatenate",
                "MaxoutDense": "Dense"}

# Activation names a monitor reports as themselves (anything else is "custom:<name>").
KNOWN_ACTIVATIONS = {
    "linear", "relu", "sigmoid", "tanh", "softmax", "softplus", "softsign", "elu", "selu", "gelu", "silu",
    "swish", "exponential", "hard_sigmoid", "leaky_relu", "relu6", "mish", "log_sigmoid", "hard_tanh",
}
SATURATING = {"sigmoid", "tanh", "hard_sigmoid", "softsign", "softmax", "hard_tanh", "log_sigmoid"}
# Activations that output exactly 0 for every input on one side of a kink (a unit there passes nothing).
CLIPPING = {"relu", "relu6"}
# Output activations that are monotone functions of their one input: applied to a single linear map they
# rank the inputs as that map does (a parabola, rising then falling, is out of reach of any of them)
MONOTONE_ACTIVATIONS = {"linear", "relu", "relu6", "sigmoid", "tanh", "hard_sigmoid", "softsign", "elu", "selu",
                        "softplus", "leaky_relu", "exponential", "log_sigmoid", "hard_tanh"}
# (low, high) of what an output activation can produce; None = unbounded on that side.
ACTIVATION_RANGE: dict[str, tuple[float | None, float | None]] = {
    "sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0),
    "tanh": (-1.0, 1.0), "hard_tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0),
    "relu": (0.0, None), "relu6": (0.0, 6.0), "softplus": (0.0, None), "exponential": (0.0, None),
    "elu": (-1.0, None), "selu": (-1.7581, None), "log_sigmoid": (None, 0.0),
}

# Optimisers whose step is scaled per weight (their step is ~lr whatever the gradient's size).
ADAPTIVE = {"adam", "adamw", "adamax", "nadam", "rmsprop", "adagrad", "adadelta", "lion", "adafactor", "radam"}


def default_learning_rate(framework: str, optimizer: str) -> float | None:
    """The learning rate an optimiser uses when none is given (torch.optim.SGD has none: None)."""
    table = TORCH_DEFAULT_LR if framework == "torch" else KERAS_DEFAULT_LR
    return table.get(norm(optimizer))


def good_learning_rate(optimizer: str) -> float:
    """A learning rate that works on standardised data: Adam-like 1e-3, plain SGD 1e-2."""
    return 1e-3 if norm(optimizer) in ADAPTIVE else 1e-2


# Losses, folded to one canonical name each (`norm()` first: lower case, no spaces).
LOSS_CANONICAL = {
    "mse": "mse", "mean_squared_error": "mse", "mseloss": "mse", "mse_loss": "mse",
    "mae": "mae", "mean_absolute_error": "mae", "l1loss": "mae", "l1_loss": "mae",
    "huber": "huber", "huberloss": "huber", "huber_loss": "huber", "smoothl1loss": "huber", "smooth_l1_loss": "huber",
    "log_cosh": "log_cosh", "logcosh": "log_cosh",
    "msle": "msle", "mean_squared_logarithmic_error": "msle", "mape": "mape", "mean_absolute_percentage_error": "mape",
    "binary_crossentropy": "binary_crossentropy", "bceloss": "binary_crossentropy",
    "binary_cross_entropy": "binary_crossentropy", "binary_focal_crossentropy": "binary_crossentropy",
    "bcewithlogitsloss": "binary_crossentropy_logits", "binary_cross_entropy_with_logits": "binary_crossentropy_logits",
    "categorical_crossentropy": "categorical_crossentropy", "categorical_focal_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "crossentropyloss": "cross_entropy_logits", "cross_entropy": "cross_entropy_logits",
    "nllloss": "nll", "nll_loss": "nll",
    "hinge": "hinge", "squared_hinge": "hinge", "categorical_hinge": "hinge",
    "kl_divergence": "kl_divergence", "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
    "kldivloss": "kl_divergence",
    "poisson": "poisson", "poissonnllloss": "poisson", "cosine_similarity": "cosine_similarity",
}
REGRESSION_LOSSES = {k for k, v in LOSS_CANONICAL.items() if v in ("mse", "mae", "huber", "log_cosh", "msle", "mape")}
CLASSIFICATION_LOSSES = {k for k, v in LOSS_CANONICAL.items()
                         if v not in ("mse", "mae", "huber", "log_cosh", "msle", "mape")}
# What each classification loss expects of the network's output (canonical names).
LOSS_WANTS_PROBABILITIES = {"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
                            "kl_divergence"}     # Keras defaults (from_logits=False)
LOSS_WANTS_LOGITS = {"binary_crossentropy_logits", "cross_entropy_logits"}   # torch: raw scores
LOSS_WANTS_LOG_PROBABILITIES = {"nll"}
BINARY_LOSSES = {"binary_crossentropy", "binary_crossentropy_logits", "hinge"}
MULTICLASS_LOSSES = {"categorical_crossentropy", "sparse_categorical_crossentropy", "cross_entropy_logits", "nll"}
# torch.nn.functional losses the torch monitor watches (the module forms are caught by forward hooks).
TORCH_FUNCTIONAL_LOSSES = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss")

ACCURACY_METRICS = {"accuracy", "acc", "binary_accuracy", "categorical_accuracy",
                    "sparse_categorical_accuracy", "top_k_categorical_accuracy"}

# Keras 2 initializer names -> Keras 3
KERAS2_INITIALIZERS = {"uniform": "random_uniform", "normal": "random_normal", "zero": "zeros", "one": "ones"}


def norm(name: str | None) -> str:
    """Lower-case, no spaces, keras/torch spellings folded together ('MSELoss' -> 'mseloss')."""
    return (name or "").strip().lower().replace(" ", "").replace("-", "_")


def canonical_loss(name: str | None) -> str | None:
    """'MSELoss', 'mean_squared_error', 'mse' -> 'mse'; None when unknown."""
    key = norm(name)
    return LOSS_CANONICAL.get(key) if key else None

# TensorFlow 1 optimiser classes (tf.train.*, tf.compat.v1.train.*) -> the optimiser they implement
TF1_OPTIMIZERS = {"GradientDescentOptimizer": "sgd", "MomentumOptimizer": "sgd", "AdamOptimizer": "adam",
                  "RMSPropOptimizer": "rmsprop", "AdagradOptimizer": "adagrad", "AdadeltaOptimizer": "adadelta",
                  "FtrlOptimizer": "ftrl", "ProximalGradientDescentOptimizer": "sgd"}

# Keras initializers with a fixed scale: the standard deviation of the weights they draw (Keras 1-3
# defaults: RandomNormal stddev 0.05, RandomUniform +-0.05, TruncatedNormal stddev 0.05 cut at 2 sd,
# i.e. 0.88 x 0.05); constants have none. Glorot/He-type initializers scale with the layer and are left out.
KERAS_INITIALIZER_STD = {"zeros": 0.0, "ones": 0.0, "constant": 0.0, "random_normal": 0.05,
                         "random_uniform": 0.05 / 3 ** 0.5, "truncated_normal": 0.05 * 0.88}
KERAS_INITIALIZER_CLASSES = {"zeros": "zeros", "zero": "zeros", "ones": "ones", "one": "ones",
                             "constant": "constant", "randomnormal": "random_normal",
                             "randomuniform": "random_uniform", "truncatednormal": "truncated_normal",
                             "random_normal": "random_normal", "random_uniform": "random_uniform",
                             "truncated_normal": "truncated_normal", "uniform": "random_uniform",
                             "normal": "random_normal"}
