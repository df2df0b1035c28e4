"""PyTorch monitor: watch a module and its optimiser(s) through a user's own training loop.

Uses torch's global hooks only (module forward hooks, optimizer step hooks), so the user's loop is
unchanged: the outermost module call gives the input batch, a loss module (nn.MSELoss, ...) or
F.mse_loss gives the loss and the targets, and each optimizer step gives the update ratio and the
per-layer gradient norms (sampled). `watch(module, optimizer)` is the public entry point;
`doctor run` uses the same watcher without naming the module (it finds the one being optimised).
"""
from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from nnfit.doctor.monitors._common import (Budget, ScriptContext, activation_name, fill_data,
                                           fit_quality, initial_spread, layer_stats, probe_rows, thin)
from nnfit.doctor.run import History, LayerInfo, OptimizerInfo, TrainingConfig, TrainingRun, broadcasts
from nnfit.doctor.vocab import TORCH_ACTIVATIONS, TORCH_FUNCTIONAL_LOSSES

MAX_DATA_ROWS = 50_000
MAX_BATCH_PRINTS = 20_000
MAX_MANUAL_STEPS = 200_000
# Hand-written losses (`(y - model(x)) ** 2`) are checked for broadcast shapes on this many
# subtractions between a prediction (a tensor that needs grad) and a target; then the check is off.
MAX_SHAPE_CHECKS = 200
# The weights of a loop that steps no optimiser are copied once (to see whether anything changes them);
# a network larger than this (1e7 weights, 40 MB in float32) is not copied.
MAX_SNAPSHOT_WEIGHTS = 10_000_000
# autograd's record of the last operation on the loss's input, for the activations a loss cares about
GRAD_FN_ACTIVATIONS = {"SigmoidBackward0": "sigmoid", "SigmoidBackward1": "sigmoid", "SoftmaxBackward0": "softmax",
                       "LogSoftmaxBackward0": "log_softmax", "TanhBackward0": "tanh", "ReluBackward0": "relu"}
# Functional activations (F.relu, torch.sigmoid, Tensor.tanh ...) seen by the final probe: the
# name the dead / saturated statistics and the layer description use for each.
FUNCTIONAL_ACTIVATIONS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "leaky_relu": "leaky_relu",
                          "elu": "elu", "gelu": "gelu", "softplus": "softplus", "relu6": "relu"}


@contextlib.contextmanager
def _functional_activations(outputs: list, last_linear: list[str]) -> Iterator[None]:
    """While the final probe runs: F.relu / torch.sigmoid / Tensor.tanh ... record their outputs under
    the name of the Linear layer that ran last (activation modules have hooks; functions do not)."""
    saved = []

    def make(original: Any, act: str) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            out = original(*args, **kwargs)
            if last_linear[0] and torch.is_tensor(out):
                outputs.append((last_linear[0], act, out))
            return out
        return wrapped

    for owner in (F, torch, torch.Tensor):
        for name, act in FUNCTIONAL_ACTIVATIONS.items():
            original = getattr(owner, name, None)
            if original is None:
                continue
            saved.append((owner, name, original, name in owner.__dict__))
            setattr(owner, name, make(original, act))
    try:
        yield
    finally:
        for owner, name, original, own in reversed(saved):
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)      # inherited (Tensor methods live on the C base): unshadow it



# operations that only select, reshape or copy values (doctor run's held-out mask indexes the loss's
# input; `out.squeeze(1)` and `.float()` are common): the activation before them is still the input's
_PASS_THROUGH = ("Index", "Select", "Slice", "View", "Reshape", "Squeeze", "Unsqueeze", "Expand", "ToCopy",
                 "Clone", "Permute", "Transpose", "T", "Unsafe", "Alias", "AsStrided", "Cat", "Stack")


def producing_activation(t: Any) -> str:
    """The activation (sigmoid, softmax, ...) whose output `t` is, read from autograd's record of the
    operations that made it ('' when the last real operation is no activation, or nothing is recorded)."""
    fn = getattr(t, "grad_fn", None)
    for _ in range(8):
        if fn is None:
            return ""
        name = type(fn).__name__
        if name in GRAD_FN_ACTIVATIONS:
            return GRAD_FN_ACTIVATIONS[name]
        if not name.startswith(_PASS_THROUGH):
            return ""
        parents = [f for f, _ in getattr(fn, "next_functions", ()) if f is not None]
        fn = parents[0] if parents else None
    return ""


def unbatched(x: Any, target: Any, prediction: Any) -> bool:
    """A single sample fed without a batch dimension: a 1-D input, and a 1-D (or scalar) target of the
    prediction's shape that is not one value per input element."""
    return (x.dim() == 1 and target.dim() <= 1 and torch.is_tensor(prediction) and prediction.dim() <= 1
            and prediction.numel() == target.numel() and (target.numel() != x.numel() or x.numel() == 1))


def is_loss_value(output: Any, target: Any) -> bool:
    """A loss module's output: a scalar, or one loss per row of the batch (reduction='none')."""
    if not torch.is_tensor(output):
        return False
    if output.numel() == 1:
        return True
    return output.dim() >= 1 and torch.is_tensor(target) and target.dim() >= 1 and output.shape[0] == target.shape[0]

def first_tensor(output: Any) -> Any:
    """A network's prediction from its output: the output itself, or the first tensor of a tuple /
    list (`return self.head(h), h`, an LSTM's `(output, (h, c))`); None when there is none."""
    if torch.is_tensor(output):
        return output
    if isinstance(output, (tuple, list)) and output:
        return first_tensor(output[0])
    return None


class StopTraining(BaseException):
    """Raised from an optimizer step when the time budget is spent (not an Exception: user code's
    `except Exception` must not swallow it)."""


def _sampled(step: int) -> bool:
    if step <= 50:
        return True
    every = 10 ** max(1, int(math.log10(step)) - 1)
    return step % every == 0


def describe_module(module: nn.Module, script: ScriptContext | None = None) -> list[LayerInfo]:
    layers: list[LayerInfo] = []
    for name, mod in module.named_modules():
        if any(True for _ in mod.children()):
            continue
        cls = type(mod).__name__
        line = getattr(mod, "_nnfit_line", None)
        span = script.span(line, cls) if script and line else None
        if isinstance(mod, nn.Linear):
            layers.append(LayerInfo(name=name or cls, kind="dense", units=mod.out_features, input_units=mod.in_features,
                                    activation="linear", use_bias=mod.bias is not None,
                                    n_params=sum(p.numel() for p in mod.parameters()), line=line, span=span))
        elif cls in TORCH_ACTIVATIONS or not list(mod.parameters(recurse=False)) and cls not in (
                "Dropout", "Flatten", "Identity") and not isinstance(mod, nn.modules.loss._Loss):
            act = activation_name(mod)
            if layers and layers[-1].kind == "dense" and layers[-1].activation == "linear":
                layers[-1].activation = act
            layers.append(LayerInfo(name=name or cls, kind="activation", activation=act, line=line, span=span))
        elif cls == "Dropout":
            layers.append(LayerInfo(name=name, kind="dropout", line=line, span=span))
        elif isinstance(mod, (nn.Embedding, nn.EmbeddingBag)):
            layers.append(LayerInfo(name=name or cls, kind="embedding", units=mod.embedding_dim,
                                    input_units=mod.num_embeddings, n_params=mod.weight.numel(), line=line, span=span))
        elif "Norm" in cls:
            layers.append(LayerInfo(name=name, kind="batchnorm", line=line, span=span,
                                    n_params=sum(p.numel() for p in mod.parameters())))
    return layers


def optimizer_info(opt: torch.optim.Optimizer) -> OptimizerInfo:
    group = opt.param_groups[0] if opt.param_groups else {}
    args = {k: group[k] for k in ("momentum", "nesterov", "weight_decay", "betas", "max_iter") if group.get(k) not in (None, 0, 0.0, False)}
    lr = group.get("initial_lr", group.get("lr"))     # an lr_scheduler keeps the rate the script set as initial_lr
    return OptimizerInfo(name=type(opt).__name__.lower(), learning_rate=float(lr) if lr is not None else None,
                         line=getattr(opt, "_nnfit_line", None), variable=getattr(opt, "_nnfit_variable", None),
                         arguments={k: (list(v) if isinstance(v, tuple) else v) for k, v in args.items()})


class TorchWatcher:
    def __init__(self, module: nn.Module | None = None, optimizer: torch.optim.Optimizer | None = None,
                 x: Any = None, y: Any = None, *, budget_s: float | None = None,
                 script: ScriptContext | None = None):
        self.module, self.optimizer = module, optimizer
        self.x, self.y = x, y
        self.script = script
        self.budget = Budget(budget_s)
        self.run: TrainingRun | None = None
        self.built: list[torch.optim.Optimizer] = []     # filled by doctor run's constructor patch
        self._depth = 0
        self._roots: dict[int, list[Any]] = {}           # id(module) -> [module, calls]
        self._last_x: torch.Tensor | None = None
        self._pending_loss: float | None = None
        self._loss_name: str | None = None
        self._xs: list[np.ndarray] = []
        self._ys: list[np.ndarray] = []
        self._rows = 0
        self._batch_rows: int | None = None
        self._steps: dict[int, int] = {}
        self._opts: dict[int, torch.optim.Optimizer] = {}
        self.history = History()
        self.probe_losses: list[float] = []
        self._loss_every = 5
        self._snap: dict[str, list[torch.Tensor]] | None = None
        self._linear: dict[str, nn.Linear] | None = None
        self._handles: list[Any] = []
        self._saved_functional: dict[str, Any] = {}
        self._saved_backward: Any = None
        self._manual_losses: list[float] = []
        self._loss_shapes: tuple[tuple[int, ...], tuple[int, ...]] | None = None
        self._input_dtype: str | None = None
        self._target_dtype: str | None = None
        self._batch_prints: list[tuple[int, float]] = []   # (size, sum of first targets) per loss call
        self._target_tail_shape: tuple[int, ...] | None = None
        self.initial_weight_std: dict[str, float] = {}
        self.on_manual_step: Any = None     # doctor run's update budget: True when spent
        self.grad_resets: Any = None        # doctor run's GradientResetTracker (hand-written loops)
        # True while another framework's training loop runs (Keras fit on the torch backend): its
        # backward passes are that loop's own, watched there, not steps of a torch loop
        self.suspended: Any = None
        self._last_out: torch.Tensor | None = None
        self._step_chain: list[nn.Module] = []      # the root modules called in turn, each on the last's output
        self._chain: list[nn.Module] = []
        self._chained: nn.Module | None = None
        self._shape_checks = 0
        self._saved_sub: list[tuple[Any, str, Any]] = []
        self._first_params: list[tuple[torch.Tensor, torch.Tensor]] | None = None   # weights at the first backward
        self._loss_input_activation: str | None = None
        # a hand-written loss (`((model(x) - y) ** 2).mean()`): the (prediction, target) of the step's first
        # subtraction between the network's output and a target of its row count, recorded at backward()
        self._manual_pair: tuple[Any, Any, Any] | None = None
        # doctor run: (prediction, target) -> bool tensor of the rows to train on, None when none is held out
        self.hold_out_rows: Any = None
        self._in_pair = False
        self._losses_since_backward = 0
        self.t0 = time.perf_counter()

    # -- hooks ----------------------------------------------------------------------------------
    def _pre(self, module: nn.Module, args: tuple) -> None:
        self._depth += 1

    def _post(self, module: nn.Module, args: tuple, output: Any) -> None:
        self._depth -= 1
        if self._depth != 0:
            return
        if isinstance(module, nn.modules.loss._Loss):
            if len(args) >= 2 and is_loss_value(output, args[1]):
                self._record_loss(type(module).__name__, output, args[1], args[0])
            return
        if self.module is not None and module is not self.module:
            return
        fed_last_output = bool(args) and self._last_out is not None and args[0] is self._last_out
        if not fed_last_output and self._last_out is not None and next(module.parameters(), None) is None:
            # a parameterless module (nn.Sigmoid()) applied to something made from the network's output,
            # e.g. `m(out[:, 1] - out[:, 0])` before the loss: not a new network, and not the data
            return
        entry = self._roots.setdefault(id(module), [module, 0])
        entry[1] += 1
        if fed_last_output:
            # fed the previous module's output (`output(embedding(words))`, no container module): one
            # network in parts; the data are the first part's input
            self._step_chain.append(module)
        else:
            self._step_chain = [module]
            if args and torch.is_tensor(args[0]):
                self._last_x = args[0].detach()
        self._last_out = first_tensor(output)

    def _record_loss(self, name: str | None, value: torch.Tensor, target: Any, prediction: Any = None,
                     x: Any = None) -> None:
        """One training loss: its value, and the batch's rows (the network's input, or `x`, and these
        targets). name None: a loss written by hand (no loss module or function to name). A loss
        computed under torch.no_grad() (a validation or test pass) trains nothing: not recorded, so its
        rows count neither as training data nor in the epoch length."""
        if not torch.is_grad_enabled():
            return
        self._losses_since_backward += 1
        if torch.is_tensor(prediction) and torch.is_tensor(target) and target.requires_grad \
                and not prediction.requires_grad:
            # `criterion(y, model(x))`: the arguments the other way round (MSE does not mind); the
            # network's output is the one that needs grad, the targets the one that does not
            prediction, target = target, prediction
        self._loss_name = self._loss_name or name
        if self._loss_input_activation is None and torch.is_tensor(prediction) and prediction.grad_fn is not None:
            # the last operation that made the loss's input: a sigmoid / softmax there is an activation the
            # training step applied on the way into the loss (also when it is outside the model)
            self._loss_input_activation = producing_activation(prediction)
        if len(self._step_chain) > 1 and not self._chain:
            self._chain = list(self._step_chain)
        self._pending_loss = float(value.detach().double().mean())   # reduction='none': the rows' mean
        if torch.is_tensor(target):
            if torch.is_tensor(prediction) and self._loss_shapes is None and tuple(prediction.shape) != tuple(target.shape):
                self._loss_shapes = (tuple(prediction.shape), tuple(target.shape))
            if self._target_dtype is None:
                self._target_dtype = str(target.dtype).replace("torch.", "")
            if len(self._batch_prints) < MAX_BATCH_PRINTS and target.numel():
                flat = target.detach().reshape(-1)
                self._batch_prints.append((int(flat.numel()), float(flat[: min(8, flat.numel())].double().sum())))
        if self._last_x is not None and self._input_dtype is None:
            self._input_dtype = str(self._last_x.dtype).replace("torch.", "")
        x = self._last_x if x is None else x
        if x is not None and torch.is_tensor(target) and unbatched(x, target, prediction):
            # one pattern at a time, without a batch dimension (`net(torch.tensor([0., 1.]))` against
            # `torch.tensor([1.])`): one row of the data
            x, target = x.reshape(1, -1), target.reshape(1, -1)
        if x is not None and torch.is_tensor(target) and target.dim() >= 1 and target.shape[0] == x.shape[0]:
            if self._batch_rows is None:
                self._batch_rows = int(target.shape[0])
            if self._rows < MAX_DATA_ROWS:
                self._xs.append(x.reshape(len(x), -1).double().cpu().numpy())
                self._ys.append(target.detach().reshape(len(target), -1).double().cpu().numpy())
                self._target_tail_shape = tuple(target.shape[1:])
                self._rows += len(target)

    def _wrap_functional(self, name: str) -> None:
        original = getattr(F, name)
        self._saved_functional[name] = original
        watcher = self

        def wrapped(input: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
            out = original(input, target, *args, **kwargs)
            if watcher._depth == 0 and is_loss_value(out, target):
                watcher._record_loss(name, out, target, input)
            return out

        setattr(F, name, wrapped)

    def _linear_layers(self) -> dict[str, nn.Linear]:
        if self._linear is None:
            root = self.root_module()
            self._linear = ({(n or type(m).__name__): m for n, m in root.named_modules() if isinstance(m, nn.Linear)}
                            if root is not None else {})
        return self._linear

    def _step_pre(self, opt: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        if self.optimizer is not None and opt is not self.optimizer:
            return
        count = self._steps.get(id(opt), 0) + 1
        self._steps[id(opt)] = count
        self._opts[id(opt)] = opt
        if not self.history.steps_with_gradient:
            # does this step find a gradient on any parameter (loss.backward() ran)? checked until one does
            self.history.steps_with_gradient = any(p.grad is not None for g in opt.param_groups for p in g["params"])
        if count == 1 and not self.history.n_updates:
            # the weights as initialised (before the first update): bad-initial-scale reads their spread
            for n, m in self._linear_layers().items():
                spread = initial_spread(m.weight.detach().double().cpu().numpy())
                if spread is not None:
                    self.initial_weight_std.setdefault(n, spread)
        if _sampled(count):
            layers = self._linear_layers()
            self._snap = {n: [p.detach().clone() for p in m.parameters()] for n, m in layers.items()}
            for n, m in layers.items():
                sq = sum(float(torch.sum(p.grad.double() ** 2)) for p in m.parameters() if p.grad is not None)
                self.history.grad_norm.setdefault(n, []).append(math.sqrt(sq) if math.isfinite(sq) else float("inf"))

    def _step_post(self, opt: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        if self.optimizer is not None and opt is not self.optimizer:
            return
        loss = self._pending_loss
        self._pending_loss = None
        if loss is not None:
            self.history.batch_loss.append(loss)
        if self._snap is not None:
            for n, m in self._linear_layers().items():
                before = self._snap.get(n)
                if not before:
                    continue
                dw = math.sqrt(sum(float(torch.sum((p.detach() - b).double() ** 2)) for p, b in zip(m.parameters(), before)))
                w = math.sqrt(sum(float(torch.sum(b.double() ** 2)) for b in before))
                self.history.update_ratio.setdefault(n, []).append(dw / w if w > 0 else float("inf"))
            self._snap = None
        count = self._steps.get(id(opt), 0)
        if count % self._loss_every == 0 and self._xs:
            self._probe_loss()
            if count >= 20 * self._loss_every:
                self._loss_every *= 2      # keep about 20-40 probes whatever the length
        if self.budget.expired:
            raise StopTraining()

    def _probe_loss(self) -> None:
        root = self.root_module()
        if root is None:
            return
        X = torch.as_tensor(np.concatenate(self._xs)[:512])
        Y = np.concatenate(self._ys)[:512]
        dtype = self._feed_dtype(root)
        depth = self._depth
        self._depth += 1           # not a training call: keep it out of the records
        try:
            with torch.no_grad():
                X = X.to(dtype)
                pred = first_tensor(root(X.reshape(len(X), *self._x_shape(X.numpy())))).double().cpu().numpy()
            self.probe_losses.append(float(np.mean((pred.reshape(Y.shape) - Y) ** 2)))
        except Exception:  # noqa: BLE001
            pass
        finally:
            self._depth = depth    # a forward that raised skipped its post hook: restore, never drift

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> "TorchWatcher":
        from torch.nn.modules import module as mod
        from torch.optim import optimizer as optim_mod

        self._handles = [mod.register_module_forward_pre_hook(self._pre),
                         mod.register_module_forward_hook(self._post),
                         optim_mod.register_optimizer_step_pre_hook(self._step_pre),
                         optim_mod.register_optimizer_step_post_hook(self._step_post)]
        for name in TORCH_FUNCTIONAL_LOSSES:
            self._wrap_functional(name)
        self._wrap_backward()
        self._wrap_subtraction()
        self.budget = Budget(self.budget.seconds)
        self.t0 = time.perf_counter()
        return self

    def stop(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []
        for name, fn in self._saved_functional.items():
            setattr(F, name, fn)
        self._saved_functional = {}
        if self._saved_backward is not None:
            torch.Tensor.backward = self._saved_backward
            self._saved_backward = None
        self._unwrap_subtraction()

    def _wrap_backward(self) -> None:
        """A hand-written update (`w.data -= lr * w.grad`) steps no optimiser: each scalar
        `loss.backward()` before any optimiser step is then one training step, its value the loss."""
        original = torch.Tensor.backward
        self._saved_backward = original
        watcher = self

        def backward(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
            if watcher.suspended is not None and watcher.suspended():
                return original(tensor, *args, **kwargs)
            if watcher._manual_pair is not None and not watcher._losses_since_backward and tensor.numel() == 1:
                # no loss module or loss function ran this step: the loss was written by hand
                pred, target, rows = watcher._manual_pair
                try:
                    watcher._record_loss(None, tensor, target, pred, x=rows)
                except Exception:  # noqa: BLE001 - recording must never break the user's training
                    pass
            watcher._manual_pair = None
            watcher._losses_since_backward = 0
            if tensor.numel() == 1:
                watcher.history.backward_calls += 1
            manual = watcher.grad_resets is not None and not watcher._steps and tensor.numel() == 1
            if manual:
                watcher.grad_resets.before_backward(tensor)
            out = original(tensor, *args, **kwargs)
            if manual:
                watcher.grad_resets.after_backward()
            if not watcher._steps and watcher._first_params is None:
                watcher._snapshot_weights()
            if not watcher._steps and tensor.numel() == 1 and len(watcher._manual_losses) < MAX_MANUAL_STEPS:
                try:
                    watcher._manual_losses.append(float(tensor.detach()))
                except (RuntimeError, TypeError, ValueError):
                    watcher._manual_losses.append(float("nan"))
                if watcher.budget.expired or (watcher.on_manual_step is not None and watcher.on_manual_step()):
                    raise StopTraining()
            return out

        torch.Tensor.backward = backward

    def _snapshot_weights(self) -> None:
        """The network's weights at the first loss.backward() of a loop that steps no optimiser (to tell, at
        the end, whether anything ever applied the gradients)."""
        root = self.root_module()
        if root is None:
            return
        params = list(root.parameters())
        if params and sum(p.numel() for p in params) <= MAX_SNAPSHOT_WEIGHTS:
            self._first_params = [(p, p.detach().clone()) for p in params]

    def _check_difference(self, a: Any, b: Any) -> None:
        """`a - b` in a hand-written loss: a prediction (needs grad, one row per input row) against a
        target (no grad) whose shapes broadcast to a bigger one, e.g. (n, 1) - (n,) -> (n, n)."""
        self._shape_checks += 1
        if not (torch.is_tensor(a) and torch.is_tensor(b)) or a.shape == b.shape or not torch.is_grad_enabled():
            return
        pred, target = (a, b) if a.requires_grad and not b.requires_grad else \
            (b, a) if b.requires_grad and not a.requires_grad else (None, None)
        x = self._last_x
        if pred is None or pred.dim() == 0 or target.dim() == 0:
            return
        # rows: the batch the network was last called on; a model written as tensor algebra
        # (`x.mm(w) + b`, no nn.Module called) has none, and then the two operands' own row count
        # (two or more, the same on both sides) stands for it: a prediction built from parameters
        # against data without grad, row for row, is the loss's difference whatever computed it
        rows = x.shape[0] if x is not None and x.dim() >= 1 else (pred.shape[0] if pred.shape[0] >= 2 else None)
        if rows is None or pred.shape[0] != rows or target.shape[0] != rows:
            return
        if broadcasts(tuple(pred.shape), tuple(target.shape)):
            self._loss_shapes = (tuple(pred.shape), tuple(target.shape))

    def _note_manual_pair(self, a: Any, b: Any) -> tuple[Any, Any]:
        """`model(x) - y` (either order): remember the network's output and the target it is compared
        with, for a loss written by hand. The output is the network's own (or a view of it, e.g.
        `.squeeze(1)`), the target a tensor without grad with the batch's row count. Returns the two
        operands, the network's output replaced by its held-out-masked copy under `doctor run`."""
        out = self._last_out
        for first, (pred, target) in enumerate(((a, b), (b, a))):
            if torch.is_tensor(pred) and (pred is out or getattr(pred, "_base", None) is out) \
                    and torch.is_tensor(target) and not target.requires_grad and target.dim() >= 1 \
                    and pred.dim() >= 1 and target.shape[0] == pred.shape[0] and torch.is_grad_enabled():
                rows = self._last_x
                keep = self.hold_out_rows(pred, target) if self.hold_out_rows is not None else None
                if keep is None:
                    self._manual_pair = (pred, target, rows)
                    return a, b
                # the held-out rows keep their values (the script's loss reads the same) but give no
                # gradient; the kept rows' gradient is scaled as a mean over them alone would give it
                weight = keep.to(pred.dtype) * (len(keep) / max(1, int(keep.sum())))
                weight = weight.reshape(-1, *([1] * (pred.dim() - 1))).to(pred.device)
                frozen = pred.detach()
                masked = frozen + (pred - frozen) * weight
                self._manual_pair = (masked[keep], target[keep], rows[keep] if rows is not None and len(rows) == len(keep) else None)
                return (masked, b) if first == 0 else (a, masked)
        return a, b

    def _wrap_subtraction(self) -> None:
        """Watch `y - y_pred` (Tensor.__sub__/__rsub__, torch.sub/subtract) for the first
        MAX_SHAPE_CHECKS differences: a loss computed by hand broadcasts there, not in a loss module."""
        watcher = self

        def make(original: Any, swap: bool) -> Any:
            def wrapped(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
                if watcher._loss_shapes is None and watcher._shape_checks < MAX_SHAPE_CHECKS:
                    try:
                        watcher._check_difference(a, b)
                    except Exception:  # noqa: BLE001 - a check must never break the user's arithmetic
                        pass
                if watcher._manual_pair is None and watcher._last_out is not None and not watcher._losses_since_backward \
                        and not watcher._in_pair:
                    watcher._in_pair = True       # the masking below subtracts too: not a pair of its own
                    try:
                        a, b = watcher._note_manual_pair(a, b)
                    except Exception:  # noqa: BLE001 - the user's arithmetic goes on as written
                        pass
                    finally:
                        watcher._in_pair = False
                return original(a, b, *args, **kwargs)
            return wrapped

        for owner, name in ((torch.Tensor, "__sub__"), (torch.Tensor, "__rsub__"), (torch, "sub"), (torch, "subtract")):
            original = getattr(owner, name)
            self._saved_sub.append((owner, name, original))
            setattr(owner, name, make(original, name == "__rsub__"))

    def _unwrap_subtraction(self) -> None:
        for owner, name, original in reversed(self._saved_sub):
            setattr(owner, name, original)
        self._saved_sub = []

    @property
    def hand_written_loss(self) -> bool:
        """The losses recorded were written by hand (no loss module or function was ever called)."""
        return self._loss_name is None and bool(self._xs)

    @property
    def manual(self) -> bool:
        """Training by hand-written updates: losses were back-propagated but no optimiser stepped."""
        return not self._steps and bool(self._manual_losses)

    @property
    def n_steps(self) -> int:
        return sum(self._steps.values()) or len(self._manual_losses)

    def root_module(self) -> nn.Module | None:
        if self.module is not None:
            return self.module
        if not self._roots:
            return None
        if self._chain:
            if self._chained is None:
                self._chained = nn.Sequential(*self._chain)   # the parts, in the order the step called them
            return self._chained
        stepped = [self._opts[k] for k in self._opts] or ([self.optimizer] if self.optimizer else [])
        params = {id(p) for o in stepped for g in o.param_groups for p in g["params"]}
        ranked = sorted(self._roots.values(), key=lambda e: -e[1])
        for module, _ in ranked:
            if params & {id(p) for p in module.parameters()}:
                return module
        return ranked[0][0]

    def finish(self) -> TrainingRun:
        self.stop()
        h = self.history
        root = self.root_module()
        run = TrainingRun(framework="torch")
        if self.script is not None:
            run.source, run.source_lines = self.script.path, self.script.lines
        run.layers = describe_module(root, self.script) if root is not None else []
        used = max(self._opts.values(), key=lambda o: self._steps[id(o)]) if self._opts else self.optimizer
        used_info = optimizer_info(used) if used is not None else None
        built = []
        for opt in self.built:
            info = used_info if opt is used else optimizer_info(opt)
            info.passed_to_compile = self._steps.get(id(opt), 0) > 0
            built.append(info)
        if used_info is not None:
            used_info.passed_to_compile = True
        run.config = TrainingConfig(optimizer=used_info, optimizers_built=built,
                                    loss=self._loss_name.lower() if self._loss_name else None,
                                    batch_size=self._batch_rows,
                                    loss_input_activation=self._loss_input_activation or None)
        X = np.concatenate(self._xs) if self._xs else (np.asarray(self.x, dtype=float) if self.x is not None else None)
        Y = np.concatenate(self._ys) if self._ys else (np.asarray(self.y, dtype=float) if self.y is not None else None)
        if X is not None and Y is not None and len(X) == len(Y):
            pairs = np.concatenate([X.reshape(len(X), -1), Y.reshape(len(Y), -1)], axis=1)
            _, first = np.unique(pairs, axis=0, return_index=True)
            first.sort()
            X, Y = X.reshape(len(X), -1)[first], Y.reshape(len(Y), -1)[first]
            fill_data(run, X, Y)
        if self.manual and not h.batch_loss:
            h.batch_loss = thin(self._manual_losses, 20_000)
        if self.manual and self._first_params and len(self._manual_losses) >= 2:
            h.weights_changed = any(not torch.equal(p.detach(), first) for p, first in self._first_params)
        h.n_updates = self.n_steps
        h.seconds = time.perf_counter() - self.t0
        n = run.data.n_samples
        if n and self._batch_rows and h.batch_loss:
            per_epoch = max(1, math.ceil(n / self._batch_rows))
            run.config.epochs = max(1, round(len(h.batch_loss) / per_epoch))
            h.loss = [float(np.mean(h.batch_loss[i:i + per_epoch])) for i in range(0, len(h.batch_loss), per_epoch)]
        run.n_updates_planned = self.n_steps
        self._data_facts(run)
        if self.probe_losses:
            h.probe_loss = thin(self.probe_losses, 200)
        if self.budget.hit:
            run.stopped_by_budget_s = self.budget.seconds
        for key in ("grad_norm", "update_ratio"):
            series = getattr(h, key)
            for name in series:
                series[name] = thin(series[name])
        run.history = h
        run.initial_weight_std = dict(self.initial_weight_std)
        if root is not None and X is not None and Y is not None:
            self._final_probe(run, root, X, Y)
        self.run = run
        return run

    def _data_facts(self, run: TrainingRun) -> None:
        """dtypes as trained on, the shapes the loss compared, and whether batches come in a fixed order."""
        d = run.data
        d.input_dtype = self._input_dtype or d.input_dtype
        d.target_dtype = self._target_dtype or d.target_dtype
        if self._ys:
            d.target_shape = (run.data.n_samples or 0,) + tuple(self._target_tail_shape or ())
        run.fit.loss_broadcast = self._loss_shapes
        prints = self._batch_prints
        n, rows = run.data.n_samples, self._batch_rows
        if n and rows and rows < n and len(prints) >= 2:
            per_epoch = math.ceil(n / rows)
            if len(prints) >= 2 * per_epoch:
                run.config.shuffle = prints[:per_epoch] != prints[per_epoch:2 * per_epoch]
            elif per_epoch > 1 and len(prints) >= per_epoch:
                run.config.shuffle = None
        elif n and rows and rows >= n:
            run.config.shuffle = None    # full batch: order does not matter

    def _final_probe(self, run: TrainingRun, root: nn.Module, X: np.ndarray, Y: np.ndarray) -> None:
        idx = probe_rows(X)
        dtype = self._feed_dtype(root)
        outputs: list[tuple[str, str, torch.Tensor]] = []
        handles = []
        last_linear: list[str] = [""]
        for name, mod in root.named_modules():
            if isinstance(mod, nn.Linear):
                handles.append(mod.register_forward_hook(lambda m, a, o, n=name: last_linear.__setitem__(0, n)))
            elif type(mod).__name__ in TORCH_ACTIVATIONS:
                act = activation_name(mod)
                handles.append(mod.register_forward_hook(
                    lambda m, a, o, act=act: outputs.append((last_linear[0], act, o))))
        was_training = root.training
        try:
            root.eval()
            with torch.no_grad():
                pred = first_tensor(root(torch.as_tensor(X, dtype=dtype).reshape(len(X), *self._x_shape(X))))
                outputs.clear()
                with _functional_activations(outputs, last_linear):
                    root(torch.as_tensor(X[idx], dtype=dtype).reshape(len(idx), *self._x_shape(X)))
            fit_quality(run, Y, pred.double().cpu().numpy())
            for name, act, _ in outputs:
                # an activation applied in forward() by a function (F.relu(self.hidden(x))): the layer's own
                layer = next((l for l in run.layers if l.name == name and l.kind == "dense"), None)
                if layer is not None and (layer.activation or "linear") == "linear":
                    layer.activation = act
            dead, sat = layer_stats(outputs)
            for name, value in dead.items():
                run.history.dead_fraction.setdefault(name, []).append(value)
            for name, value in sat.items():
                run.history.saturated_fraction.setdefault(name, []).append(value)
        except Exception as exc:
            run.probe_errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            root.train(was_training)
            for hd in handles:
                hd.remove()

    def _feed_dtype(self, root: nn.Module) -> torch.dtype:
        """The dtype to feed recorded rows back in: the parameters' (float inputs) or the script's own
        integer dtype (indices into an embedding)."""
        if self._last_x is not None and not torch.is_floating_point(self._last_x):
            return self._last_x.dtype
        return next((p.dtype for p in root.parameters()), torch.float32)

    def _x_shape(self, X: np.ndarray) -> tuple[int, ...]:
        """The shape of one input row as the script feeds it; a script that feeds single rows without a
        batch dimension (`net(torch.tensor([0.0, 1.0]))`) has rows of the recorded width."""
        tail = tuple(self._last_x.shape[1:]) if self._last_x is not None else None
        if tail is None or int(np.prod(tail or (1,))) * len(X) != X.size:
            return tuple(X.shape[1:]) or (1,)
        return tail
