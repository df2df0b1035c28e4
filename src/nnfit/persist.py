"""Saved models: one safetensors file (weights) whose header carries JSON metadata.

Loading never unpickles: safetensors holds only tensors, the metadata is JSON, and the network is
rebuilt from the recorded architecture. The format is versioned.

This module knows nothing of the estimator: it writes and reads a plain `ModelRecord` (fit.py
builds one from a fitted NNFitRegressor and builds the estimator back from one). The header is
untrusted input: it is checked against a schema, and every architecture against the stored weights,
before anything is built.
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import torch

from nnfit import models, prep
from nnfit.errors import NNFitError
from nnfit.io import atomic_write, to_jsonable

FORMAT = "nnfit-model"
FORMAT_VERSION = 1
MAX_HEADER_BYTES = 10_000_000   # a real header is a few kB; safetensors itself refuses past 100 MB


@dataclasses.dataclass
class ModelRecord:
    """Everything a saved model holds, as plain data plus the rebuilt networks (one per output)."""
    activation: str
    inputs: list[str]
    targets: list[str]
    y_was_1d: bool
    x_transform: prep.Transform
    y_transform: prep.Transform
    networks: list[models.StagedNetwork]
    params: dict[str, Any]
    metrics: dict[str, Any]
    summary: dict[str, Any]
    target: str | None = None
    expression: str | None = None
    domain: dict[str, Any] | None = None


def save_model(record: ModelRecord, path: str | Path) -> Path:
    """Write `record` to `path` atomically (an interrupted save leaves the old file or none)."""
    from safetensors.torch import save

    tensors: dict[str, torch.Tensor] = {}
    outputs = []
    for k, staged in enumerate(record.networks):
        stages = []
        for s, stage in enumerate(staged.stages):
            for name, value in stage.net.state_dict().items():
                tensors[f"out{k}.stage{s}.{name}"] = value.detach().cpu().contiguous()
            stages.append({"hidden": list(stage.hidden), "scale": stage.scale})
        outputs.append({"stages": stages})
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "nnfit_version": _version(),
        "activation": record.activation,
        "inputs": list(record.inputs),
        "targets": list(record.targets),
        "y_was_1d": bool(record.y_was_1d),
        "x_transform": record.x_transform.to_dict(),
        "y_transform": record.y_transform.to_dict(),
        "outputs": outputs,
        "params": record.params,
        "metrics": record.metrics,
        "summary": record.summary,
        "target": record.target,
        "expression": record.expression,
        "domain": record.domain,
    }
    header = json.dumps(to_jsonable(meta, allow_nan=True))  # only nnfit reads it back: NaN metrics kept
    return atomic_write(Path(path), save(tensors, metadata={"nnfit": header}))


def load_model(path: str | Path) -> ModelRecord:
    """Read and validate a saved model; any damage or forgery is an NNFitError naming the file."""
    from safetensors import safe_open

    from nnfit.io import regular_file

    path = regular_file(path, "model file")  # missing, a folder, a FIFO, a device: one line, never opened
    try:
        with safe_open(str(path), framework="pt") as handle:
            header = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except Exception as exc:  # safetensors raises its own error types for foreign or damaged files
        raise NNFitError(f"{path} is not an nnfit model file ({type(exc).__name__})") from None
    text = header.get("nnfit")
    if not isinstance(text, str):
        raise NNFitError(f"{path} is a safetensors file but not an nnfit model")
    if len(text) > MAX_HEADER_BYTES:
        raise NNFitError(f"{path} is damaged: its header is {len(text)} bytes long")
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError):
        raise NNFitError(f"{path} is a safetensors file but not an nnfit model") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise NNFitError(f"{path} is not an nnfit model file")
    version = meta.get("version")
    if not _is_int(version) or version < 1:
        raise NNFitError(f"{path} is damaged: 'version' must be a positive integer")
    if version > FORMAT_VERSION:
        raise NNFitError(f"{path} was saved by a newer nnfit (format {version}); upgrade nnfit to load it")
    problem = header_problem(meta) or tensors_problem(tensors)
    if problem:
        raise NNFitError(f"{path} is damaged: {problem}")
    n_inputs = len(meta["inputs"])
    try:
        x_transform = _transform(meta["x_transform"], n_inputs)
        y_transform = _transform(meta["y_transform"], len(meta["targets"]))
    except ValueError as exc:
        raise NNFitError(f"{path} is damaged: {exc}") from None
    networks = [_network(path, k, output, tensors, n_inputs, meta["activation"])
                for k, output in enumerate(meta["outputs"])]
    return ModelRecord(
        activation=meta["activation"], inputs=meta["inputs"], targets=meta["targets"], y_was_1d=meta["y_was_1d"],
        x_transform=x_transform, y_transform=y_transform, networks=networks, params=meta["params"],
        metrics=meta["metrics"], summary=meta["summary"], target=meta.get("target"),
        expression=meta.get("expression"), domain=meta.get("domain"))


# The header's schema: key -> (what it must be, a check). Optional keys may also be null.
def _str_list(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 0 and all(isinstance(v, str) for v in value)


def _stages(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 0 and all(
        isinstance(stage, dict) and isinstance(stage.get("hidden"), list) and len(stage["hidden"]) > 0
        and all(_is_int(w) and w > 0 for w in stage["hidden"])
        and isinstance(stage.get("scale"), (int, float)) and not isinstance(stage["scale"], bool)
        and math.isfinite(stage["scale"])
        for stage in value)


REQUIRED_KEYS: dict[str, tuple[str, Any]] = {
    "activation": (f"one of {', '.join(models.ACTIVATIONS)}", lambda v: isinstance(v, str) and v in models.ACTIVATIONS),
    "inputs": ("a non-empty list of names", _str_list),
    "targets": ("a non-empty list of names", _str_list),
    "y_was_1d": ("true or false", lambda v: isinstance(v, bool)),
    "x_transform": ("an object", lambda v: isinstance(v, dict)),
    "y_transform": ("an object", lambda v: isinstance(v, dict)),
    "outputs": ("a non-empty list of {stages: [...]}", lambda v: isinstance(v, list) and len(v) > 0 and all(
        isinstance(o, dict) and _stages(o.get("stages")) for o in v)),
    "params": ("an object", lambda v: isinstance(v, dict)),
    "metrics": ("an object", lambda v: isinstance(v, dict)),
    "summary": ("an object", lambda v: isinstance(v, dict)),
}
OPTIONAL_KEYS: dict[str, tuple[str, Any]] = {
    "target": ("a string", lambda v: isinstance(v, str)),
    "expression": ("a string", lambda v: isinstance(v, str)),
    "domain": ("an object", lambda v: isinstance(v, dict)),
}


def header_problem(meta: dict[str, Any]) -> str | None:
    """What is wrong with a model header, in a few words; None when it fits the schema."""
    for key, (expected, valid) in REQUIRED_KEYS.items():
        if key not in meta:
            return f"its header lacks {key!r}"
        if not valid(meta[key]):
            return f"{key!r} in its header must be {expected}"
    for key, (expected, valid) in OPTIONAL_KEYS.items():
        if meta.get(key) is not None and not valid(meta[key]):
            return f"{key!r} in its header must be {expected} or null"
    for key in ("inputs", "targets"):
        if len(set(meta[key])) != len(meta[key]):
            return f"{key!r} in its header names a column twice"
    if len(meta["outputs"]) != len(meta["targets"]):
        return f"it names {len(meta['targets'])} target(s) but holds {len(meta['outputs'])} network(s)"
    if meta.get("domain") is not None:
        problem = domain_problem(meta["domain"], meta["inputs"])
        if problem:
            return problem
    return carried_formula_problem(meta["summary"].get("formulas"), len(meta["inputs"]), len(meta["targets"]))


def domain_problem(domain: dict[str, Any], inputs: list[str]) -> str | None:
    """The recorded domain (read by explain and the report) must be {input: [low, high, integer]}, finite
    numbers with low < high, for the model's own inputs only (fit.py writes it so)."""
    for name, bounds in domain.items():
        if name not in inputs:
            return f"'domain' in its header names {name[:40]!r}, not an input of the model"
        if not (isinstance(bounds, list) and len(bounds) in (2, 3)
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in bounds[:2])
                and bounds[0] < bounds[1] and (len(bounds) == 2 or isinstance(bounds[2], bool))):
            return f"'domain' of {name[:40]!r} in its header must be [low, high, integer] with finite low < high"
    return None


def tensors_problem(tensors: dict[str, torch.Tensor]) -> str | None:
    """Stored weights must be floating-point and finite: a forged integer or NaN weight would predict
    nonsense without a word."""
    for key, value in tensors.items():
        if not value.dtype.is_floating_point:
            return f"weight {key[:60]!r} is stored as {value.dtype}, not floating point"
        if not bool(torch.isfinite(value).all()):
            return f"weight {key[:60]!r} holds NaN or infinite values"
    return None


def carried_formula_problem(formulas: Any, n_inputs: int, n_targets: int) -> str | None:
    """Formulas carried in the summary are evaluated by `predict`: each must be one nnfit's safe parser
    accepts, in the model's own inputs only (nnfit.carried_formula writes them)."""
    from nnfit.carried_formula import placeholder
    from nnfit.targets import parse_formula

    if formulas is None:
        return None
    if not isinstance(formulas, list) or len(formulas) > n_targets:
        return f"'summary.formulas' in its header must be a list of at most {n_targets} formula(s)"
    allowed = {placeholder(j) for j in range(n_inputs)}
    for carried in formulas:
        if not carried:
            continue
        if not isinstance(carried, dict) or not isinstance(carried.get("evaluable"), str):
            return "a carried formula in its header has no 'evaluable' text"
        try:
            symbols = {str(symbol) for symbol in parse_formula(carried["evaluable"]).free_symbols}
        except NNFitError as exc:
            return f"a carried formula in its header is not valid ({exc})"
        if not symbols <= allowed:
            return "a carried formula in its header uses variables the model does not have"
    return None


def _transform(data: dict[str, Any], width: int) -> prep.Transform:
    try:
        transform = prep.Transform.from_dict(data)
    except (KeyError, TypeError, ValueError):
        raise ValueError("a transform in its header is not valid") from None
    shapes = {len(transform.log_columns), transform.mean.shape, transform.scale.shape}
    if shapes != {width, (width,)} or not all(isinstance(v, bool) for v in transform.log_columns):
        raise ValueError(f"a transform in its header does not have {width} column(s)")
    if not (all(map(math.isfinite, transform.mean)) and all(math.isfinite(v) and v > 0 for v in transform.scale)):
        raise ValueError("a transform in its header holds non-finite or non-positive scales")
    offsets = transform.offsets()
    if len(offsets) != width or not all(math.isfinite(v) and v > 0 for v in offsets):
        raise ValueError("a transform in its header holds log offsets that are not positive numbers, one per column")
    return transform


def _network(path: Path, k: int, output: dict[str, Any], tensors: dict[str, torch.Tensor], n_inputs: int,
             activation: str) -> models.StagedNetwork:
    stages = []
    for s, stage_meta in enumerate(output["stages"]):
        hidden = tuple(stage_meta["hidden"])
        prefix = f"out{k}.stage{s}."
        state = {key[len(prefix):]: value for key, value in tensors.items() if key.startswith(prefix)}
        # Check the architecture against the stored weights before allocating anything, so a forged
        # width cannot make nnfit build a huge network.
        stored = sum(value.numel() for value in state.values())
        if models.parameter_count(n_inputs, hidden) != stored:
            raise NNFitError(f"{path} is damaged: output {k} stage {s} architecture does not match its weights")
        net = models.build_mlp(n_inputs, 1, hidden, activation)
        try:
            net.load_state_dict(state)
        except RuntimeError:
            raise NNFitError(f"{path} is damaged: stage {s} weights do not match its architecture") from None
        stages.append(models.Stage(net, float(stage_meta["scale"]), hidden))
    return models.StagedNetwork(stages)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nnfit")
    except PackageNotFoundError:
        return "unknown"
