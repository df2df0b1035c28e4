"""Saved models: one safetensors file (weights) whose header carries JSON metadata.

Loading never unpickles: safetensors holds only tensors, the metadata is JSON, and the network is
rebuilt from the recorded architecture. The format is versioned.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nnfit import models, prep
from nnfit.errors import NNFitError

FORMAT = "nnfit-model"
FORMAT_VERSION = 1


def save_model(model: Any, path: str | Path) -> Path:
    from safetensors.torch import save_file

    model._check_fitted()
    path = Path(path)
    tensors: dict[str, torch.Tensor] = {}
    outputs = []
    for k, staged in enumerate(model.networks_):
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
        "activation": model.activation,
        "inputs": list(model.feature_names_in_),
        "targets": list(model.target_names_),
        "y_was_1d": bool(model._y_was_1d),
        "x_transform": model.x_transform_.to_dict(),
        "y_transform": model.y_transform_.to_dict(),
        "outputs": outputs,
        "params": {k: v for k, v in model.get_params().items() if k != "progress"},
        "metrics": model.metrics_,
        "summary": model.summary_,
        "target": getattr(model, "target_description_", None),
        "expression": getattr(model, "target_expression_", None),
        "domain": getattr(model, "domain_", None),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        save_file(tensors, temp, metadata={"nnfit": json.dumps(meta, default=_json_default)})
        os.replace(temp, path)  # atomic: an interrupted save leaves the old file or none
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return path


def load_model(path: str | Path) -> Any:
    from safetensors import safe_open

    from nnfit.fit import NNFitRegressor, Stage, StagedNetwork

    path = Path(path)
    if not path.is_file():
        raise NNFitError(f"no such model file: {path}")
    try:
        with safe_open(str(path), framework="pt") as handle:
            header = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except Exception as exc:  # safetensors raises its own error types for foreign or damaged files
        raise NNFitError(f"{path} is not an nnfit model file ({type(exc).__name__})") from None
    try:
        meta = json.loads(header["nnfit"])
    except (KeyError, json.JSONDecodeError):
        raise NNFitError(f"{path} is a safetensors file but not an nnfit model") from None
    if meta.get("format") != FORMAT:
        raise NNFitError(f"{path} is not an nnfit model file")
    if meta.get("version", 0) > FORMAT_VERSION:
        raise NNFitError(f"{path} was saved by a newer nnfit (format {meta['version']}); upgrade nnfit to load it")
    try:
        params = dict(meta["params"])
        model = NNFitRegressor(**params)
        model._check_params()
    except (TypeError, ValueError, KeyError):
        raise NNFitError(f"{path} is damaged: its settings are not valid nnfit parameters") from None
    model.feature_names_in_ = meta["inputs"]
    model.target_names_ = meta["targets"]
    model.n_features_in_ = len(meta["inputs"])
    model._y_was_1d = meta["y_was_1d"]
    model.x_transform_ = prep.Transform.from_dict(meta["x_transform"])
    model.y_transform_ = prep.Transform.from_dict(meta["y_transform"])
    model.metrics_ = meta["metrics"]
    model.summary_ = meta["summary"]
    model.history_ = {}
    model.target_description_ = meta.get("target")
    model.target_expression_ = meta.get("expression")
    model.domain_ = meta.get("domain")
    device = model._device()
    networks = []
    for k, output in enumerate(meta["outputs"]):
        stages = []
        for s, stage_meta in enumerate(output["stages"]):
            hidden = tuple(stage_meta["hidden"])
            prefix = f"out{k}.stage{s}."
            state = {key[len(prefix):]: value for key, value in tensors.items() if key.startswith(prefix)}
            # The header is untrusted: check the architecture against the stored weights before
            # allocating anything, so a forged width cannot make nnfit build a huge network.
            stored = sum(value.numel() for value in state.values())
            if (not all(isinstance(w, int) and 0 < w for w in hidden)
                    or models.parameter_count(model.n_features_in_, hidden) != stored):
                raise NNFitError(f"{path} is damaged: stage {s} architecture does not match its weights")
            net = models.build_mlp(model.n_features_in_, 1, hidden, meta["activation"])
            try:
                net.load_state_dict(state)
            except RuntimeError:
                raise NNFitError(f"{path} is damaged: stage {s} weights do not match its architecture") from None
            stages.append(Stage(net.to(device), float(stage_meta["scale"]), hidden))
        networks.append(StagedNetwork(stages))
    model.networks_ = networks
    return model


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nnfit")
    except PackageNotFoundError:
        return "unknown"


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, set)):
        return list(value)
    return str(value)
