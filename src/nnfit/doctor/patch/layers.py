"""Fixes of the network's layers: a bottleneck removed or widened (NF101), the output activation
(NF107), hidden activations (NF111 / NF113 / NF114), initialisers (NF113 / NF120), biases (NF119),
widths (NF115) and Keras 2 names (NF117).
"""
from __future__ import annotations

from typing import Any

import libcst as cst

from nnfit.doctor import vocab
from nnfit.doctor.findings import Finding
from nnfit.doctor.patch.core import Context, Edits, _assigned_value, _expr, _kw, _output_attribute, dotted, drop_kwarg, norm_init, set_kwarg


def _fix_bottleneck(ctx: Context, f: Finding, e: Edits) -> str | None:
    sites = ctx.dense_sites()
    names = [l.name for l in ctx.dense]
    if f.location.layer not in names:
        return "the layer was not found in the script"
    i = names.index(f.location.layer)
    if i >= len(sites) - 1 or sites[i] is None or sites[i + 1] is None:
        return "the layer's constructor call was not found in the script"
    site, nxt = sites[i], sites[i + 1]
    layer, after = ctx.dense[i], ctx.dense[i + 1]
    if ctx.framework == "keras" and f.fix.startswith("remove"):
        carried = [a for a in site.node.args if a.keyword is not None and a.keyword.value in ("input_dim", "input_shape")]
        if site.in_list is not None:
            e.remove.add(id(site.node))
        elif site.statement is not None and ctx.module.code_for_node(site.statement).strip().count("\n") == 0 \
                and len(ctx.calls_at(site.line, "Dense")) == 1 and ".add" in ctx.module.code_for_node(site.statement):
            e.remove.add(id(site.statement))
        else:
            return "the layer is not a statement or list element of its own"
        for a in carried:
            e.on_call(nxt.node, lambda c, a=a: set_kwarg(c, a.keyword.value, ctx.module.code_for_node(a.value)))
        e.changes.append(f"remove layer '{layer.name}'")
        return None
    # widen: keeps the module indices a torch script may refer to (model[2].weight ...)
    width = max(16, int(after.units or 0), int(layer.input_units or 0))
    if ctx.framework == "keras":
        e.on_call(site.node, lambda c: set_kwarg(c, "units", str(width), positional=0))
    else:
        e.on_call(site.node, lambda c: set_kwarg(c, "out_features", str(width), positional=1))
        e.on_call(nxt.node, lambda c: set_kwarg(c, "in_features", str(width), positional=0))
    e.changes.append(f"widen '{layer.name}' to {width} units")
    return None


def _output_activation(ctx: Context, e: Edits, keras_activation: str = "linear") -> str | None:
    """The output layer's activation set to `keras_activation` (torch: only 'linear', by removing the
    activation modules after the last Linear)."""
    sites = ctx.dense_sites()
    if not sites or sites[-1] is None:
        return "the output layer was not found in the script"
    last = sites[-1]
    if ctx.framework == "keras":
        if _kw(last.node, "activation") is None:
            order = [c.node for c in ctx.index.calls]
            after = order.index(last.node)
            acts = [c for c in ctx.index.calls[after + 1:] if c.name.endswith("Activation")]
            if not acts:     # no activation anywhere after it: the layer is linear, give it one
                e.on_call(last.node, lambda c: set_kwarg(c, "activation", f"'{keras_activation}'"))
                return None
            e.on_call(acts[0].node, lambda c: set_kwarg(c, "activation", f"'{keras_activation}'", positional=0))
        else:
            e.on_call(last.node, lambda c: set_kwarg(c, "activation", f"'{keras_activation}'"))
        return None
    if keras_activation != "linear":
        return f"a torch output activation other than none is not patched ({keras_activation})"
    # torch: the activation module after the last Linear, as an element of the same Sequential(...)
    outer = next((c for c in ctx.index.calls if any(isinstance(a.value, cst.Call) and a.value is last.node
                                                    for a in c.node.args)), None)
    if outer is None:
        # an nn.Module subclass: the activation applied to the output layer in forward()
        return None if _unwrap_forward_activation(ctx, e) else "the output activation module was not found in the script"
    args = [a.value for a in outer.node.args]
    k = args.index(last.node)
    trailing = [a for a in args[k + 1:] if isinstance(a, cst.Call)]
    if not trailing:
        return None
    for a in trailing:
        e.remove.add(id(a))
    return None


# torch's activations as they are called (`F.leaky_relu`, `torch.sigmoid`, `.tanh()`, `nn.LeakyReLU` lower-cased):
# the vocabulary's module and function names, less those that change nothing
TORCH_ACTIVATIONS = ({name.lower() for name in vocab.TORCH_ACTIVATIONS} | vocab.FUNC_ACTIVATIONS) - {"identity", "linear"}


def _unwrap_forward_activation(ctx: Context, e: Edits) -> bool:
    """`torch.sigmoid(self.out(h))`, `F.relu(self.out(h))`, `self.act(self.out(h))` (self.act an
    activation module) or `self.out(h).sigmoid()` in forward(), also through a name that holds
    `self.out(h)`: the activation dropped, the output layer's value returned."""
    attr = _output_attribute(ctx)
    if attr is None:
        return False
    modules = set()     # self.<name> = nn.Sigmoid() ...
    for name_, stmt, _, _ in ctx.index.assigns:
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
        if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call) and len(small.targets) == 1 \
                and isinstance(small.targets[0].target, cst.Attribute) \
                and dotted(small.value.func).split(".")[-1].lower() in TORCH_ACTIVATIONS:
            modules.add(f"self.{small.targets[0].target.attr.value}")
    holders = {f"self.{attr}"}
    # `z = self.out(h)` then `torch.sigmoid(z)` in the same function
    output_names: set[str] = set()
    for c in ctx.index.calls:
        if c.name == f"self.{attr}" and isinstance(c.statement, cst.SimpleStatementLine):
            small = c.statement.body[0]
            if isinstance(small, cst.Assign) and small.value is c.node and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name):
                output_names.add(small.targets[0].target.value)

    def is_output(node: cst.BaseExpression) -> bool:
        return (isinstance(node, cst.Call) and dotted(node.func) in holders) or \
            (isinstance(node, cst.Name) and node.value in output_names)

    done = False
    for c in ctx.index.calls:
        if c.function is None or c.function.name.value != "forward":
            continue
        name = c.name
        tail = name.split(".")[-1].lower()
        functional = tail in TORCH_ACTIVATIONS and "." in name and name.split(".")[0] in ("torch", "F", "nn", "functional")
        if (functional or name in modules) and c.node.args and is_output(c.node.args[0].value):
            e.exprs.setdefault(id(c.node), []).append(
                lambda node: node.args[0].value if isinstance(node, cst.Call) and node.args else node)
            done = True
        elif tail in TORCH_ACTIVATIONS and isinstance(c.node.func, cst.Attribute) and not c.node.args \
                and is_output(c.node.func.value):
            e.exprs.setdefault(id(c.node), []).append(
                lambda node: node.func.value if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) else node)
            done = True
    return done


def _fix_output(ctx: Context, f: Finding, e: Edits) -> str | None:
    # the output's range made to cover the targets: targets inside [0, 1] (probabilities, fractions)
    # keep a bounded output that cannot overshoot them; anything else gets a linear output
    targets = ctx.run.data.targets or []
    unit = ctx.framework == "keras" and targets and all(t.min >= 0.0 and t.max <= 1.0 for t in targets)
    activation = "sigmoid" if unit and f.evidence.get("activation") != "sigmoid" else "linear"
    why = _output_activation(ctx, e, activation)
    if why is None:
        e.changes.append(f"{activation} output" + (" (the targets lie in [0, 1])" if activation == "sigmoid" else ""))
    return why


def _fix_activation(ctx: Context, old: tuple[str, ...], keras_new: str, torch_new: str, e: Edits) -> bool:
    done = False
    sites = ctx.dense_sites()[:-1]
    for site, layer in zip(sites, ctx.dense[:-1]):
        if site is None or (layer.activation not in old and _activation_after(ctx, layer) not in old):
            continue
        if ctx.framework == "keras":
            done = _keras_hidden_activation(ctx, site, old, keras_new, e) or done
    if ctx.framework == "torch":
        names = {"sigmoid": "Sigmoid", "relu": "ReLU", "hard_sigmoid": "Hardsigmoid"}
        wanted = {names[o] for o in old if o in names}
        last = sites and ctx.dense_sites()[-1]
        for c in ctx.index.calls:
            if c.name.split(".")[-1] in wanted and (not last or c.line <= last.line):
                prefix = c.name.rsplit(".", 1)[0] + "." if "." in c.name else ""
                e.on_call(c.node, lambda call, p=prefix: _expr(f"{p}{torch_new}()"))
                done = True
        # an activation class passed uncalled, to be built inside the model (`Net(act_fn=nn.Sigmoid)`)
        for c in ctx.index.calls:
            for a in c.node.args:
                v = a.value
                if isinstance(v, (cst.Attribute, cst.Name)) and dotted(v).split(".")[-1] in wanted \
                        and (isinstance(v, cst.Attribute) or v.value in wanted):
                    prefix = dotted(v).rsplit(".", 1)[0] + "." if "." in dotted(v) else ""
                    e.exprs.setdefault(id(v), []).append(lambda node, p=prefix: _expr(f"{p}{torch_new}"))
                    done = True
        # functional activations in forward(): F.relu(self.hidden(x)), torch.sigmoid(...), never
        # around the output layer
        functional = {"relu": "leaky_relu", "sigmoid": "tanh", "hard_sigmoid": "tanh"}
        output_attr = _output_attribute(ctx)
        for c in ctx.index.calls:
            parts = c.name.split(".")
            if len(parts) < 2 or parts[-1] not in old or parts[0] not in ("F", "torch", "nn", "functional"):
                continue
            inner = c.node.args[0].value if c.node.args else None
            if isinstance(inner, cst.Call) and output_attr and dotted(inner.func).endswith("." + output_attr):
                continue
            new = functional[parts[-1]]
            base = ".".join(parts[:-1])
            target = f"{base}.{new}" if new == "leaky_relu" and base != "torch" else \
                "torch.nn.functional.leaky_relu" if new == "leaky_relu" else "torch.tanh"
            e.on_call(c.node, lambda call, t=target: call.with_changes(func=_expr(t)))
            done = True
    return done


# Keras activation layers named by their function (`layers.ReLU()`) and the class that replaces each
KERAS_ACTIVATION_LAYERS = {"ReLU": "LeakyReLU"}


def _activation_after(ctx: Context, layer: Any) -> str | None:
    """The activation of an activation layer recorded right after `layer` (`Dense(32)` then
    `Activation('relu')`), or None."""
    layers = ctx.run.layers
    at = next((i for i, l in enumerate(layers) if l is layer), None)
    nxt = layers[at + 1] if at is not None and at + 1 < len(layers) else None
    return nxt.activation if nxt is not None and nxt.kind == "activation" else None


def _keras_hidden_activation(ctx: Context, site: Any, old: tuple[str, ...], new: str, e: Edits) -> bool:
    """A Keras hidden layer's activation made `new`: `Dense(.., activation='relu')`, `Dense(32, 'relu')`
    (the second positional argument), or an `Activation('relu')` / `ReLU()` layer right after it (before
    the next Dense), as a Sequential element, an `add(...)` or a functional call."""
    if _kw(site.node, "activation") is not None:
        e.on_call(site.node, lambda c: set_kwarg(c, "activation", f"'{new}'"))
        return True
    plain = [a for a in site.node.args if a.keyword is None and not a.star]
    if len(plain) >= 2:
        e.on_call(site.node, lambda c: set_kwarg(c, "activation", f"'{new}'", positional=1))
        return True
    order = ctx.index.calls
    at = next((i for i, c in enumerate(order) if c.node is site.node), None)
    if at is None:
        return False
    for c in order[at + 1:]:
        tail = c.name.split(".")[-1]
        if tail == "Dense":
            break
        if tail == "Activation" and c.node.args:
            value = c.node.args[0].value
            if isinstance(value, cst.SimpleString) and value.evaluated_value in old:
                e.on_call(c.node, lambda call: set_kwarg(call, "activation", f"'{new}'", positional=0))
                return True
        if tail in KERAS_ACTIVATION_LAYERS and "relu" in old and new == "leaky_relu" and not c.node.args:
            prefix = c.name[: -len(tail)]
            e.on_call(c.node, lambda call, p=prefix: _expr(f"{p}{KERAS_ACTIVATION_LAYERS['ReLU']}()"))
            return True
    return False


def _fix_saturation(ctx: Context, f: Finding, e: Edits) -> str | None:
    if not _fix_activation(ctx, ("sigmoid", "hard_sigmoid"), "tanh", "Tanh", e):
        if f.code == "NF111" and _fix_activation(ctx, ("relu",), "leaky_relu", "LeakyReLU", e):
            # vanishing gradients through ReLU: units that are off pass no gradient at all
            e.changes.append("LeakyReLU instead of ReLU in hidden layers")
            return None
        return "no sigmoid hidden layer found in the script"
    e.changes.append("tanh instead of sigmoid in hidden layers")
    return None


# in-place tensor methods a torch script sets initial weights with (`w.data.fill_(0)`, `w.normal_(0, 1)`)
TORCH_INIT_METHODS = ("fill_", "zero_", "normal_", "uniform_", "constant_", "copy_")


def _torch_weight_inits(ctx: Context, layers: set[str] | None) -> list[tuple[cst.Call, str]]:
    """The calls of a torch script that set a layer's weights by hand: `nn.init.constant_(m.weight, 0)`
    (torch.nn.init / init / nn.init, any initialiser) and `layer.weight.data.normal_(0, 1)`-like in-place
    methods; (the call, the text of the weight tensor). Biases are left alone. With `layers`, those of
    the named layers when any is found (`self.hidden.weight` for layer 'hidden'), else all of them."""
    found: list[tuple[cst.Call, str]] = []
    for c in ctx.index.calls:
        node = c.node
        parts = c.name.split(".")
        if len(parts) >= 2 and parts[-2] == "init" and parts[-1].endswith("_") and node.args:
            target = ctx.module.code_for_node(node.args[0].value)
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in TORCH_INIT_METHODS:
            target = ctx.module.code_for_node(node.func.value)
        else:
            continue
        if "weight" in target.split(".")[-1] or target.endswith(".weight.data"):
            found.append((node, target))
    if layers:
        named = [(n, t) for n, t in found
                 if any(f".{name.split('.')[-1]}.weight" in f".{t}" for name in layers)]
        return named or found
    return found


def _fix_torch_bad_init(ctx: Context, layers: set[str] | None, e: Edits) -> str | None:
    """NF120 (torch): each hand-set weight initialisation replaced by Glorot-uniform on the same tensor
    (`torch.nn.init.xavier_uniform_(w)`: the scale NF120 measures against), the statement kept so a
    loop or function around it stays as it is."""
    inits = _torch_weight_inits(ctx, layers)
    if not inits:
        return "the weights' initialisation was not found in the script"
    if not any("import torch" in ctx.module.code_for_node(n) and "from" not in ctx.module.code_for_node(n)
               for n, _ in ctx.index.imports):
        e.imports.append("import torch")
    for node, target in inits:
        e.on_call(node, lambda c, t=target: _expr(f"torch.nn.init.xavier_uniform_({t})"))
    e.changes.append(f"Glorot-uniform initial weights ({', '.join(dict.fromkeys(t for _, t in inits))})")
    return None


def _fix_bad_init(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF120: the flagged layers' own initialisers dropped (Keras' Glorot-uniform default); torch: the
    weights' hand-set initialisation made Glorot-uniform."""
    layers = {x.location.layer for x in ctx.findings if x.code == "NF120" and x.location.layer}
    if ctx.framework == "torch":
        return _fix_torch_bad_init(ctx, layers or None, e)
    if ctx.framework != "keras":
        return "NumPy initial weights are set by statements of their own; no automatic patch"
    if not _drop_constant_init(ctx, e, layers or None):
        return "the layers' initialiser arguments were not found in the script"
    e.changes.append("the layers' initialisers dropped (Keras' random defaults)")
    return None


def _fix_dead(ctx: Context, f: Finding, e: Edits) -> str | None:
    constant = any(norm_init(l.initializer) in CONSTANT_INITIALIZERS for l in ctx.dense)
    if (f.evidence.get("initial_weight_std") == 0.0 or constant) and ctx.framework == "keras":
        if _drop_constant_init(ctx, e):
            e.changes.append("constant initialisers dropped (Keras' random defaults)")
            return None
    if (f.evidence.get("initial_weight_std") == 0.0) and ctx.framework == "torch" \
            and _fix_torch_bad_init(ctx, None, e) is None:
        return None
    if not _fix_activation(ctx, ("relu",), "leaky_relu", "LeakyReLU", e):
        return "no ReLU hidden layer found in the script"
    e.changes.append("LeakyReLU instead of ReLU in hidden layers")
    return None


def _fix_legacy(ctx: Context, f: Finding, e: Edits) -> str | None:
    from nnfit.doctor.vocab import LEGACY_KWARGS

    layer_kw = LEGACY_KWARGS.get("layer", {})
    opt_kw = LEGACY_KWARGS.get("optimizer", {})
    fit_kw = LEGACY_KWARGS.get("fit", {})
    renamed = []
    values = {"uniform": "random_uniform", "normal": "random_normal"}
    for c in ctx.index.calls:
        last = c.name.split(".")[-1]
        table = fit_kw if last == "fit" else opt_kw if last in ("SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                                                                        "Nadam") else layer_kw if last[:1].isupper() else {}
        for a in c.node.args:
            if a.keyword is None or a.keyword.value not in table:
                continue
            old = a.keyword.value
            new = table[old][0]
            if not new.isidentifier():
                if old == "decay" and ctx.framework == "keras":
                    e.on_call(c.node, lambda call: drop_kwarg(call, "decay"))
                    renamed.append("decay= dropped (Keras 3 ignores it)")
                continue

            def rename(call: cst.Call, old: str = old, new: str = new) -> cst.Call:
                args = []
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == old:
                        value = arg.value
                        if old == "init" and isinstance(value, cst.SimpleString) and value.evaluated_value in values:
                            value = _expr(repr(values[value.evaluated_value]))
                        arg = arg.with_changes(keyword=cst.Name(new), value=value)
                    args.append(arg)
                return call.with_changes(args=args)

            e.on_call(c.node, rename)
            renamed.append(f"{old}= -> {new}=")
    if not renamed:
        return "no Keras 2 argument found in the script"
    e.changes.append("Keras 3 names: " + ", ".join(dict.fromkeys(renamed)))
    return None


def _fix_bias(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF119: the layers' biases back (the bias=False / use_bias=False argument dropped)."""
    name = "use_bias" if ctx.framework == "keras" else "bias"
    done = False
    for site in ctx.dense_sites():
        arg = _kw(site.node, name) if site is not None else None
        if arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "False":
            e.on_call(site.node, lambda c: drop_kwarg(c, name))
            done = True
    if not done:
        return f"no {name}=False argument found in the script"
    e.changes.append(f"{name}=False dropped: layers with biases")
    return None


# NF115's widening: the top of the 16-64 units the rule advises
WIDE_HIDDEN = 64


def _fix_capacity(ctx: Context, f: Finding, e: Edits) -> str | None:
    """NF115: hidden layers widened (measured plateau), or given tanh (a stack of linear layers)."""
    sites = ctx.dense_sites()
    if len(sites) < 2 or any(s is None for s in sites):
        return "no hidden layer to widen, or a layer's constructor was not found in the script"
    if "train_r2" not in f.evidence:
        if ctx.framework != "keras":
            return "a torch network's activations are in its forward(); no automatic patch"
        for site in sites[:-1]:
            e.on_call(site.node, lambda c: set_kwarg(c, "activation", "'tanh'"))
        e.changes.append("tanh in the hidden layers (linear layers stack to one linear map)")
        return None
    widened = []
    for i, (site, layer) in enumerate(zip(sites[:-1], ctx.dense[:-1])):
        if (layer.units or 0) >= WIDE_HIDDEN:
            continue
        if ctx.framework == "keras":
            e.on_call(site.node, lambda c: set_kwarg(c, "units", str(WIDE_HIDDEN), positional=0))
        else:
            e.on_call(site.node, lambda c: set_kwarg(c, "out_features", str(WIDE_HIDDEN), positional=1))
            e.on_call(sites[i + 1].node, lambda c: set_kwarg(c, "in_features", str(WIDE_HIDDEN), positional=0))
        widened.append(layer.name)
    if not widened:
        return f"the hidden layers already have {WIDE_HIDDEN} units or more"
    e.changes.append(f"hidden layers {', '.join(map(repr, widened))} widened to {WIDE_HIDDEN} units")
    return None


CONSTANT_INITIALIZERS = ("constant", "zeros", "ones")


def _drop_constant_init(ctx: Context, e: Edits, layers: set[str] | None = None) -> bool:
    """Keras layers built with constant initialisers (directly or through a `**dict`), or, with `layers`,
    those layers' initialisers whatever they are: the arguments dropped, so the layers start from
    Keras' random defaults."""
    done = False
    for site, layer in zip(ctx.dense_sites(), ctx.dense):
        if site is None or (layers is not None and layer.name not in layers):
            continue
        for a in site.node.args:
            code = ctx.module.code_for_node(a.value).lower()
            if a.keyword is not None and a.keyword.value in ("kernel_initializer", "bias_initializer", "init") \
                    and (layers is not None or any(k in code for k in CONSTANT_INITIALIZERS)):
                e.remove.add(id(a.value))
                done = True
            elif a.star == "**" and isinstance(a.value, cst.Name):
                value = _assigned_value(ctx, a.value.value)
                if value is not None and "initializer" in ctx.module.code_for_node(value):
                    e.remove.add(id(a.value))
                    done = True
    return done
