"""Well-known data sets a posted script loads by name, as abstract values (nothing is downloaded).

`mnist.load_data()`, `load_boston()`, `make_regression(...)`: the shapes, value ranges and dtypes below are
the documented ones of each loader (Keras / scikit-learn documentation), so lint knows, for instance,
that MNIST pixels are uint8 in [0, 255] and Boston house prices span [5, 50].
"""
from __future__ import annotations

import dataclasses
import math

from nnfit.doctor.static.values import MAX_COLUMNS, V


@dataclasses.dataclass(frozen=True)
class _Set:
    n_train: int
    n_test: int | None           # None: one array (scikit-learn loaders)
    features: int | None         # columns after flattening (None: images kept whole, one shared range)
    x_range: tuple[float, float]
    x_dtype: str
    y_range: tuple[float, float]
    y_integer: bool
    y_dtype: str
    ndim: int = 2                # dimensions of x as loaded


# keras.datasets.<name>.load_data(): ((x_train, y_train), (x_test, y_test))
KERAS_SETS = {
    "mnist": _Set(60000, 10000, None, (0, 255), "uint8", (0, 9), True, "uint8", ndim=3),
    "fashion_mnist": _Set(60000, 10000, None, (0, 255), "uint8", (0, 9), True, "uint8", ndim=3),
    "cifar10": _Set(50000, 10000, None, (0, 255), "uint8", (0, 9), True, "uint8", ndim=4),
    "cifar100": _Set(50000, 10000, None, (0, 255), "uint8", (0, 99), True, "int64", ndim=4),
    "boston_housing": _Set(404, 102, 13, (0, 711), "float64", (5, 50), False, "float64"),
}
# torchvision.datasets.<Name>(root, train=True, transform=...): a Dataset of (image, label) pairs; the
# images are PIL images until transforms.ToTensor() makes them float32 in [0, 1]
TORCHVISION_SETS = {
    "MNIST": _Set(60000, 10000, None, (0, 255), "uint8", (0, 9), True, "int64", ndim=4),
    "FashionMNIST": _Set(60000, 10000, None, (0, 255), "uint8", (0, 9), True, "int64", ndim=4),
    "KMNIST": _Set(60000, 10000, None, (0, 255), "uint8", (0, 9), True, "int64", ndim=4),
    "CIFAR10": _Set(50000, 10000, None, (0, 255), "uint8", (0, 9), True, "int64", ndim=4),
    "CIFAR100": _Set(50000, 10000, None, (0, 255), "uint8", (0, 99), True, "int64", ndim=4),
}
# sklearn.datasets.load_<name>() / fetch_<name>(): a Bunch with .data and .target (or return_X_y=True)
SKLEARN_SETS = {
    "load_iris": _Set(150, None, 4, (0.1, 7.9), "float64", (0, 2), True, "int64"),
    "load_boston": _Set(506, None, 13, (0, 711), "float64", (5, 50), False, "float64"),
    "load_diabetes": _Set(442, None, 10, (-0.2, 0.2), "float64", (25, 346), False, "float64"),
    "load_digits": _Set(1797, None, 64, (0, 16), "float64", (0, 9), True, "int64"),
    "load_breast_cancer": _Set(569, None, 30, (0, 4254), "float64", (0, 1), True, "int64"),
    "load_wine": _Set(178, None, 13, (0.13, 1680), "float64", (0, 2), True, "int64"),
    "fetch_california_housing": _Set(20640, None, 8, (-124.35, 35682), "float64", (0.15, 5.0), False, "float64"),
}


def _arrays(s: _Set, n: int) -> tuple[V, V]:
    integer_x = s.x_dtype.startswith(("uint", "int"))
    x = V("seq", float(s.x_range[0]), float(s.x_range[1]), integer_x, n, ndim=s.ndim, dtype=s.x_dtype)
    if s.features and 1 < s.features <= MAX_COLUMNS:
        x.cols = [V("seq", float(s.x_range[0]), float(s.x_range[1]), integer_x, n) for _ in range(s.features)]
    y = V("seq", float(s.y_range[0]), float(s.y_range[1]), s.y_integer, n, ndim=1, dtype=s.y_dtype)
    return x, y


def keras_load_data(name: str) -> V | None:
    s = KERAS_SETS.get(name)
    if s is None:
        return None
    train, test = _arrays(s, s.n_train), _arrays(s, s.n_test or 0)
    return V("tuple", items=[V("tuple", items=list(train)), V("tuple", items=list(test))])


def torchvision_dataset(name: str, train: bool, transform: str) -> V | None:
    """A torchvision data set as read by a DataLoader: `transform` names the transforms applied
    ("to_tensor", "normalize", joined by "+"). Without ToTensor the images are not tensors (their range is
    left unknown); Normalize((m,), (s,)) standardises them (range unknown here, but no longer [0, 1])."""
    s = TORCHVISION_SETS.get(name)
    if s is None:
        return None
    n = s.n_train if train else (s.n_test or 0)
    x, y = _arrays(s, n)
    x.dtype = "float32"
    if "to_tensor" in transform and "normalize" not in transform:
        x.lo, x.hi, x.integer = 0.0, 1.0, False
    else:
        x.lo = x.hi = None
        x.integer = False
    return V("dataset", items=[x, y], n=n)


def sklearn_load(name: str, return_x_y: bool) -> V | None:
    s = SKLEARN_SETS.get(name)
    if s is None:
        return None
    x, y = _arrays(s, s.n_train)
    if return_x_y:
        return V("tuple", items=[x, y])
    return V("dict", const={"data": x, "target": y})


def sklearn_make(name: str, kw: dict[str, V], args: list[V]) -> V | None:
    """make_regression / make_classification / make_moons / make_circles / make_blobs with their defaults."""
    def get(key: str, pos: int, default: float) -> float:
        v = kw.get(key) or (args[pos] if len(args) > pos else None)
        return float(v.const) if v is not None and isinstance(v.const, (int, float)) else default

    n = int(get("n_samples", 0, 100))
    if name == "make_regression":
        f = int(get("n_features", 1, 100))
        informative = min(f, int(get("n_informative", 2, 10)))
        # y = X @ coef with coef ~ U(0, 100) on the informative columns: std about 57.7 * sqrt(k)
        spread = 3 * 57.7 * math.sqrt(max(1, informative)) + 3 * get("noise", 99, 0.0)
        x = V("seq", -3.0, 3.0, False, n, dist="normal", ndim=2, dtype="float64")
        if 1 < f <= MAX_COLUMNS:
            x.cols = [V("seq", -3.0, 3.0, False, n, dist="normal") for _ in range(f)]
        return V("tuple", items=[x, V("seq", -spread, spread, False, n, ndim=1, dtype="float64")])
    if name in ("make_classification", "make_moons", "make_circles", "make_blobs"):
        f = 2 if name in ("make_moons", "make_circles") else int(get("n_features", 1, 20 if name == "make_classification" else 2))
        k = int(get("n_classes", 99, 2)) if name == "make_classification" else (
            int(get("centers", 99, 3)) if name == "make_blobs" else 2)
        lo, hi = {"make_classification": (-5.0, 5.0), "make_moons": (-1.2, 2.2), "make_circles": (-1.1, 1.1),
                  "make_blobs": (-13.0, 13.0)}[name]
        x = V("seq", lo, hi, False, n, ndim=2, dtype="float64")
        if 1 < f <= MAX_COLUMNS:
            x.cols = [V("seq", lo, hi, False, n) for _ in range(f)]
        return V("tuple", items=[x, V("seq", 0.0, float(k - 1), True, n, ndim=1, dtype="int64")])
    return None


def tf_mnist_arrays(n: int | None) -> tuple[V, V]:
    """TF1's tutorial reader (input_data.read_data_sets(..., one_hot=True)): pixels as float32 in [0, 1],
    labels one-hot over 10 classes; next_batch(k) gives k rows of each."""
    x = V("seq", 0.0, 1.0, False, n, ndim=2, dtype="float32")
    y = V("seq", 0.0, 1.0, True, n, cols=[V("seq", 0.0, 1.0, True, n) for _ in range(10)], ndim=2, dtype="float64")
    return x, y
