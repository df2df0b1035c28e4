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
    col_ranges: tuple[tuple[float, float], ...] | None = None   # per feature, as documented (else x_range each)
    names: tuple[str, ...] | None = None                        # the Bunch's feature_names
    y_counts: tuple[int, ...] | None = None                     # rows per class 0, 1, ...


# Per-feature ranges as the scikit-learn dataset descriptions (DESCR) publish them.
_BOSTON = ((0.00632, 88.98), (0, 100), (0.46, 27.74), (0, 1), (0.385, 0.871), (3.561, 8.78), (2.9, 100),
           (1.13, 12.13), (1, 24), (187, 711), (12.6, 22), (0.32, 396.9), (1.73, 37.97))
_BOSTON_NAMES = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT")
_IRIS = ((4.3, 7.9), (2.0, 4.4), (1.0, 6.9), (0.1, 2.5))
_IRIS_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
_CALIFORNIA = ((0.4999, 15.0001), (1, 52), (0.846, 141.9), (0.333, 34.07), (3, 35682), (0.692, 1243.3),
               (32.54, 41.95), (-124.35, -114.31))
_BREAST_CANCER = ((6.981, 28.11), (9.71, 39.28), (43.79, 188.5), (143.5, 2501), (0.053, 0.163), (0.019, 0.345),
                  (0, 0.427), (0, 0.201), (0.106, 0.304), (0.05, 0.097), (0.112, 2.873), (0.36, 4.885),
                  (0.757, 21.98), (6.802, 542.2), (0.002, 0.031), (0.002, 0.135), (0, 0.396), (0, 0.053),
                  (0.008, 0.079), (0.001, 0.03), (7.93, 36.04), (12.02, 49.54), (50.41, 251.2), (185.2, 4254),
                  (0.071, 0.223), (0.027, 1.058), (0, 1.252), (0, 0.291), (0.156, 0.664), (0.055, 0.208))
_WINE = ((11.0, 14.8), (0.74, 5.8), (1.36, 3.23), (10.6, 30.0), (70, 162), (0.98, 3.88), (0.34, 5.08), (0.13, 0.66),
         (0.41, 3.58), (1.28, 13.0), (0.48, 1.71), (1.27, 4.0), (278, 1680))
_CALIFORNIA_NAMES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude")


# keras.datasets.<name>.load_data(): ((x_train, y_train), (x_test, y_test))
KERAS_SETS = {
    "mnist": _Set(60000, 10000, None, (0, 255), "uint8", (0, 9), True, "uint8", ndim=3),
    "fashion_mnist": _Set(60000, 10000, None, (0, 255), "uint8", (0, 9), True, "uint8", ndim=3),
    "cifar10": _Set(50000, 10000, None, (0, 255), "uint8", (0, 9), True, "uint8", ndim=4),
    "cifar100": _Set(50000, 10000, None, (0, 255), "uint8", (0, 99), True, "int64", ndim=4),
    "boston_housing": _Set(404, 102, 13, (0, 711), "float64", (5, 50), False, "float64", col_ranges=_BOSTON),
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
    "load_iris": _Set(150, None, 4, (0.1, 7.9), "float64", (0, 2), True, "int64", col_ranges=_IRIS,
                      names=_IRIS_NAMES, y_counts=(50, 50, 50)),
    "load_boston": _Set(506, None, 13, (0, 711), "float64", (5, 50), False, "float64", col_ranges=_BOSTON,
                        names=_BOSTON_NAMES),
    "load_diabetes": _Set(442, None, 10, (-0.2, 0.2), "float64", (25, 346), False, "float64"),
    "load_digits": _Set(1797, None, 64, (0, 16), "float64", (0, 9), True, "int64"),
    "load_breast_cancer": _Set(569, None, 30, (0, 4254), "float64", (0, 1), True, "int64", y_counts=(212, 357),
                               col_ranges=_BREAST_CANCER),
    "load_wine": _Set(178, None, 13, (0.13, 1680), "float64", (0, 2), True, "int64", y_counts=(59, 71, 48),
                      col_ranges=_WINE),
    "fetch_california_housing": _Set(20640, None, 8, (-124.35, 35682), "float64", (0.15, 5.0), False, "float64",
                                     col_ranges=_CALIFORNIA, names=_CALIFORNIA_NAMES),
}


def _arrays(s: _Set, n: int) -> tuple[V, V]:
    integer_x = s.x_dtype.startswith(("uint", "int"))
    x = V("seq", float(s.x_range[0]), float(s.x_range[1]), integer_x, n, ndim=s.ndim, dtype=s.x_dtype)
    if s.features and 1 < s.features <= MAX_COLUMNS:
        ranges = s.col_ranges or [s.x_range] * s.features
        x.cols = [V("seq", float(lo), float(hi), integer_x, n) for lo, hi in ranges]
    y = V("seq", float(s.y_range[0]), float(s.y_range[1]), s.y_integer, n, ndim=1, dtype=s.y_dtype)
    if s.y_counts and n == s.n_train and s.n_test is None:
        y.counts = {str(k): c for k, c in enumerate(s.y_counts)}
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
    bunch = {"data": x, "target": y}
    if s.names:
        bunch["feature_names"] = V("seq", n=len(s.names), items=[V("str", const=c) for c in s.names],
                                   const=list(s.names), mutable_list=True)
    return V("dict", const=bunch)


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


# --------------------------------------------------------------------------------------------------
# Well-known data files that tutorials (and the posts that follow them) load by name; when the file is
# not beside the script, its documented table stands in: rows, per-column (min, max, integer) and the
# class counts of a label column (a string column has counts and no range). Ranges as published with
# each data set (UCI repository / Kaggle descriptions); `exact` stays False: documented, not read.
@dataclasses.dataclass(frozen=True)
class _File:
    rows: int
    columns: tuple                    # (lo, hi, integer) per column; None for a text column
    names: tuple | None = None        # header row, when the usual copy of the file has one
    counts: tuple = ()                # (column index, ((label, rows), ...)) of a class column
    whitespace: bool = False          # columns separated by spaces (read with delim_whitespace / sep=r"\s+")


_PIMA = ((0, 17, True), (0, 199, True), (0, 122, True), (0, 99, True), (0, 846, True), (0, 67.1, False),
         (0.078, 2.42, False), (21, 81, True), (0, 1, True))
_PIMA_NAMES = ("Pregnancies", "Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI",
               "DiabetesPedigreeFunction", "Age", "Outcome")
_IRIS = ((4.3, 7.9, False), (2.0, 4.4, False), (1.0, 6.9, False), (0.1, 2.5, False), None)
_IRIS_COUNTS = (4, (("Iris-setosa", 50), ("Iris-versicolor", 50), ("Iris-virginica", 50)))
_BOSTON = ((0.006, 89.0, False), (0, 100, False), (0.46, 27.74, False), (0, 1, True), (0.385, 0.871, False),
           (3.56, 8.78, False), (2.9, 100, False), (1.13, 12.13, False), (1, 24, True), (187, 711, True),
           (12.6, 22.0, False), (0.32, 396.9, False), (1.73, 37.97, False), (5, 50, False))
_WINE_RED = ((4.6, 15.9, False), (0.12, 1.58, False), (0, 1, False), (0.9, 15.5, False), (0.012, 0.611, False),
             (1, 72, False), (6, 289, False), (0.990, 1.004, False), (2.74, 4.01, False), (0.33, 2.0, False),
             (8.4, 14.9, False), (3, 8, True))
_WINE_NAMES = ("fixed acidity", "volatile acidity", "citric acid", "residual sugar", "chlorides",
               "free sulfur dioxide", "total sulfur dioxide", "density", "pH", "sulphates", "alcohol", "quality")

KNOWN_FILES = {
    # Pima Indians diabetes (UCI): 768 rows, 8 measurements and the 0/1 outcome (500 / 268)
    "pima-indians-diabetes.csv": _File(768, _PIMA, counts=(8, (("0", 500), ("1", 268)))),
    "pima-indians-diabetes.data.csv": _File(768, _PIMA, counts=(8, (("0", 500), ("1", 268)))),
    "pima-indians-diabetes.data": _File(768, _PIMA, counts=(8, (("0", 500), ("1", 268)))),
    "diabetes.csv": _File(768, _PIMA, names=_PIMA_NAMES, counts=(8, (("0", 500), ("1", 268)))),
    # Fisher's iris (UCI copy, no header): 4 measurements in cm and the species name
    "iris.csv": _File(150, _IRIS, counts=_IRIS_COUNTS),
    "iris.data": _File(150, _IRIS, counts=_IRIS_COUNTS),
    # Sonar, mines vs rocks (UCI): 60 band energies in [0, 1] and R / M (97 / 111)
    "sonar.csv": _File(208, tuple([(0.0, 1.0, False)] * 60) + (None,), counts=(60, (("R", 97), ("M", 111)))),
    "sonar.all-data": _File(208, tuple([(0.0, 1.0, False)] * 60) + (None,), counts=(60, (("R", 97), ("M", 111)))),
    # Boston house prices (UCI housing.data, whitespace separated, no header): 13 features and MEDV in $1000s
    "housing.data": _File(506, _BOSTON, whitespace=True),
    # red wine quality (UCI, ';' separated, header): 11 measurements and the quality score 3-8
    "winequality-red.csv": _File(1599, _WINE_RED, names=_WINE_NAMES,
                                 counts=(11, (("3", 10), ("4", 53), ("5", 681), ("6", 638), ("7", 199), ("8", 18)))),
}
# Tutorial tables that posts load by name (Kaggle / course copies, header row). Ranges are each column's
# minimum and maximum in the published file, rounded outward; None is a text column and (None, None, False)
# a numeric column whose range is not listed (the anonymised PCA features V1..V28 of creditcard.csv).
_KC_HOUSE = ((1000102, 9900000190, True), None, (75000, 7700000, True), (0, 33, True), (0, 8, False),
             (290, 13540, True), (520, 1651359, True), (1, 3.5, False), (0, 1, True), (0, 4, True), (1, 5, True),
             (1, 13, True), (290, 9410, True), (0, 4820, True), (1900, 2015, True), (0, 2015, True),
             (98001, 98199, True), (47.15, 47.78, False), (-122.52, -121.31, False), (399, 6210, True),
             (651, 871200, True))
_KC_NAMES = ("id", "date", "price", "bedrooms", "bathrooms", "sqft_living", "sqft_lot", "floors", "waterfront",
             "view", "condition", "grade", "sqft_above", "sqft_basement", "yr_built", "yr_renovated", "zipcode",
             "lat", "long", "sqft_living15", "sqft_lot15")
_CHURN = ((1, 10000, True), (15565701, 15815690, True), None, (350, 850, True), None, None, (18, 92, True),
          (0, 10, True), (0, 250898.09, False), (1, 4, True), (0, 1, True), (0, 1, True), (11.58, 199992.48, False),
          (0, 1, True))
_CHURN_NAMES = ("RowNumber", "CustomerId", "Surname", "CreditScore", "Geography", "Gender", "Age", "Tenure",
                "Balance", "NumOfProducts", "HasCrCard", "IsActiveMember", "EstimatedSalary", "Exited")
_INSURANCE = ((18, 64, True), None, (15.96, 53.13, False), (0, 5, True), None, None, (1121.87, 63770.43, False))
_HEART = ((29, 77, True), (0, 1, True), (0, 3, True), (94, 200, True), (126, 564, True), (0, 1, True), (0, 2, True),
          (71, 202, True), (0, 1, True), (0, 6.2, False), (0, 2, True), (0, 4, True), (0, 3, True), (0, 1, True))
_HEART_NAMES = ("age", "sex", "cp", "trestbps", "chol", "fbs", "restecg", "thalach", "exang", "oldpeak", "slope",
                "ca", "thal", "target")
_STARTUPS = ((0, 165349.2, False), (51283.14, 182645.56, False), (0, 471784.1, False), None,
             (14681.4, 192261.83, False))
_CREDITCARD = ((0, 172792, True),) + ((None, None, False),) * 28 + ((0, 25691.16, False), (0, 1, True))

KNOWN_FILES.update({
    # King County house sales (Kaggle): 21,613 sales, prices in dollars, areas in square feet
    "kc_house_data.csv": _File(21613, _KC_HOUSE, names=_KC_NAMES),
    # bank customer churn (Kaggle / the deep learning A-Z course): 10,000 customers, 2,037 of them exited
    "churn_modelling.csv": _File(10000, _CHURN, names=_CHURN_NAMES, counts=(13, (("0", 7963), ("1", 2037)))),
    # medical insurance charges (Kaggle, from "Machine Learning with R"): 1,338 people, charges in dollars
    "insurance.csv": _File(1338, _INSURANCE, names=("age", "sex", "bmi", "children", "smoker", "region", "charges")),
    # UCI heart disease, Cleveland (Kaggle's 303-row copy): 165 with disease, 138 without
    "heart.csv": _File(303, _HEART, names=_HEART_NAMES, counts=(13, (("0", 138), ("1", 165)))),
    # the regression course's 50 start-ups: spends and profit in dollars, the state as text
    "50_startups.csv": _File(50, _STARTUPS, names=("R&D Spend", "Administration", "Marketing Spend", "State", "Profit")),
    # the course's 30 salaries by years of experience and 10 salaries by position level
    "salary_data.csv": _File(30, ((1.1, 10.5, False), (37731, 122391, True)), names=("YearsExperience", "Salary")),
    "position_salaries.csv": _File(10, (None, (1, 10, True), (45000, 1000000, True)),
                                   names=("Position", "Level", "Salary")),
    # credit-card fraud (Kaggle, ULB): 284,807 transactions, 492 frauds (0.17 %)
    "creditcard.csv": _File(284807, _CREDITCARD, names=("Time",) + tuple(f"V{i}" for i in range(1, 29)) + ("Amount", "Class"),
                            counts=(30, (("0", 284315), ("1", 492)))),
})
# The Boston table under the other names posts load it by, each with its copy's header: R's MASS::Boston as
# written by write.csv ("Boston.csv", lower-case names; read with index_col=0, the row numbers are not a
# column here), mlbench's BostonHousing ("b" for "black"), Kaggle's HousingData.csv and scikit-learn's own
# boston_house_prices.csv (a first line "506,13,..." that posts skip with skiprows=[0] / header=1, then the
# upper-case names). Rows and ranges are those of housing.data above.
_BOSTON_LOWER = ("crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "rad", "tax", "ptratio")
_BOSTON_UPPER = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT", "MEDV")
# UCI concrete compressive strength (Yeh 1998): 1,030 mixes, 7 ingredients in kg per m3 and the age in days,
# strength in MPa; ranges from the data set's published summary statistics. The IBM deep-learning course
# loads its copy from https://cocl.us/concrete_data (basename concrete_data), header as below.
_CONCRETE = ((102, 540, False), (0, 359.4, False), (0, 200.1, False), (121.8, 247, False), (0, 32.2, False),
             (801, 1145, False), (594, 992.6, False), (1, 365, True), (2.33, 82.6, False))
_CONCRETE_NAMES = ("Cement", "Blast Furnace Slag", "Fly Ash", "Water", "Superplasticizer", "Coarse Aggregate",
                   "Fine Aggregate", "Age", "Strength")
KNOWN_FILES.update({
    "boston.csv": _File(506, _BOSTON, names=_BOSTON_LOWER + ("black", "lstat", "medv")),
    "bostonhousing.csv": _File(506, _BOSTON, names=_BOSTON_LOWER + ("b", "lstat", "medv")),
    "housingdata.csv": _File(506, _BOSTON, names=_BOSTON_UPPER),
    "boston_house_prices.csv": _File(506, _BOSTON, names=_BOSTON_UPPER),
    "concrete_data.csv": _File(1030, _CONCRETE, names=_CONCRETE_NAMES),
    "concrete_data": _File(1030, _CONCRETE, names=_CONCRETE_NAMES),
})
# UCI bike sharing, hourly (bike-sharing-dataset/hour.csv, header): date fields, weather scaled to [0, 1],
# and the rental counts casual / registered / cnt; read by this name only under a folder naming bikes
_BIKE_HOUR = _File(17379, ((1, 17379, True), None, (1, 4, True), (0, 1, True), (1, 12, True), (0, 23, True),
                           (0, 1, True), (0, 6, True), (0, 1, True), (1, 4, True), (0.02, 1.0, False), (0.0, 1.0, False),
                           (0.0, 1.0, False), (0.0, 0.8507, False), (0, 367, True), (0, 886, True), (1, 977, True)),
                   names=("instant", "dteday", "season", "yr", "mnth", "hr", "holiday", "weekday", "workingday",
                          "weathersit", "temp", "atemp", "hum", "windspeed", "casual", "registered", "cnt"))
# housing.csv is the Boston table when read as whitespace-separated without a header (the tutorials' copy);
# otherwise it is Geron's California table (header, 20,640 districts)
_CALIFORNIA = _File(20640, ((-124.35, -114.31, False), (32.54, 41.95, False), (1, 52, True), (2, 39320, True),
                            (1, 6445, True), (3, 35682, True), (1, 6082, True), (0.4999, 15.0001, False),
                            (14999, 500001, True), None),
                    names=("longitude", "latitude", "housing_median_age", "total_rooms", "total_bedrooms",
                           "population", "households", "median_income", "median_house_value", "ocean_proximity"))


def known_file(path: str, whitespace: bool, header: bool | None, pandas: bool) -> V | None:
    """The documented table of a well-known data file named by `path` (its basename), or None."""
    import os

    name = os.path.basename(path.replace("\\", "/")).lower()
    if name in DIGIT_FILES:
        return _digits_frame(DIGIT_FILES[name], pandas)
    f = KNOWN_FILES.get(name)
    if name == "hour.csv" and "bike" in path.lower():
        f = _BIKE_HOUR
    if name == "housing.csv":
        f = dataclasses.replace(KNOWN_FILES["housing.data"]) if whitespace or header is False else _CALIFORNIA
    if f is None:
        return None
    n = f.rows
    cols = []
    for j, c in enumerate(f.columns):
        counts = dict(f.counts[1]) if f.counts and f.counts[0] == j else None
        if c is None:
            cols.append(V("seq", n=n, counts=counts, ndim=1))
        elif c[0] is None:
            cols.append(V("seq", n=n, ndim=1))          # numeric, range not listed
        else:
            lo, hi, integer = c
            cols.append(V("seq", float(lo), float(hi), integer, n, counts=counts if integer else None, ndim=1))
    names = list(f.names) if f.names and header is not False else None
    if pandas and names is None:
        names = list(range(len(cols)))      # pandas with header=None numbers the columns
    numeric = [c for c in cols if c.known]
    lo = min(c.lo for c in numeric) if len(numeric) == len(cols) else None
    hi = max(c.hi for c in numeric) if len(numeric) == len(cols) else None
    return V("frame" if pandas else "seq", lo, hi, all(c.integer for c in cols), n, cols=cols,
             const=names if pandas else None, ndim=2)


# sklearn.datasets.fetch_openml(name): the image tables most often fetched (70,000 rows of 784 pixels in
# [0, 255]; the targets are the digit / article labels as strings '0'..'9', 7,000 of each)
OPENML_SETS = {"mnist_784": 70000, "fashion-mnist": 70000}


def openml(name: str, return_x_y: bool) -> V | None:
    n = OPENML_SETS.get(name.lower())
    if n is None:
        return None
    x = V("seq", 0.0, 255.0, True, n, ndim=2, dtype="float64", shape=(n, 784))
    y = V("seq", None, None, False, n, ndim=1, counts={str(k): n // 10 for k in range(10)})
    return V("tuple", items=[x, y]) if return_x_y else V("dict", const={"data": x, "target": y})


# Kaggle's digit recognizer (train.csv: 42,000 rows, `label` then pixel0..pixel783) and the MNIST /
# Fashion-MNIST CSV copies (60,000 rows, the label first): pixels are integers in [0, 255]. train.csv is
# also the name of every other Kaggle competition's table, so the analysis keeps these values only when
# the script names the `label` column and its network reads 784 inputs (analysis.py, DIGITS).
DIGIT_FILES = {"train.csv": 42000, "mnist_train.csv": 60000, "fashion-mnist_train.csv": 60000}
DIGITS = "csv_digits"


def _digits_frame(n: int, pandas: bool) -> V:
    label = V("seq", 0.0, 9.0, True, n, ndim=1, dist=DIGITS, counts={str(k): n // 10 for k in range(10)})
    pixel = V("seq", 0.0, 255.0, True, n, ndim=1, dist=DIGITS)
    names = ["label"] + [f"pixel{i}" for i in range(784)]
    return V("frame" if pandas else "seq", 0.0, 255.0, True, n, cols=[label] + [pixel] * 784,
             const=names if pandas else None, ndim=2, dist=DIGITS)

