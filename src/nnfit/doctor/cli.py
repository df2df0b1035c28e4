"""`nnfit doctor ...`: thin wrappers over nnfit.doctor (run a script, explain a rule, list rules)."""
from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import math
import os
from pathlib import Path
from typing import Any, Optional

import typer

from nnfit.errors import NNFitError, check_seconds, check_seed

doctor_app = typer.Typer(
    name="doctor",
    help="Name why a Keras or PyTorch network fails to fit, with evidence, and prove the fix by re-training.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@doctor_app.command("run")
def run_cmd(
    script: Path = typer.Argument(..., help="the training script to run: your own code, executed top level and all, "
                                            "as `python SCRIPT` would run it (only run scripts you trust)"),
    repair: bool = typer.Option(False, "--repair", help="patch the script for each fix alone and all together, RUN each "
                                                        "patched script the same way, print the diffs and a before/after table"),
    fmt: str = typer.Option("text", "--format", help="text or json"),
    max_updates: int = typer.Option(5000, "--max-updates", help="parameter updates recorded (and run per patched script); "
                                                                "counted in updates so a busy machine gives the same findings"),
    train_budget: float = typer.Option(120.0, "--train-budget", help="seconds of training at most: when the update budget "
                                                                     "would not fit, it is reduced once, up front, and the report says so"),
    budget: float = typer.Option(300.0, "--budget", help="seconds the whole script may run before it is stopped"),
    seed: int = typer.Option(0, "--seed", help="seed choosing the held-out rows (the patched runs use the same)"),
    write: Path = typer.Option(None, "--write", help="with --repair: write the all-fixes script to this path (never over "
                                                     "the original)"),
    force: bool = typer.Option(False, "--force", help="with --write: replace an existing file"),
    show_output: bool = typer.Option(False, "--show-output", help="show the script's own output (hidden by default)"),
    script_args: list[str] = typer.Option([], "--arg", help="an argument passed to the script (repeatable)"),
) -> None:
    """RUN SCRIPT with Model.fit/compile and torch optimisers instrumented, then diagnose the training.

    SCRIPT is executed in this process, every top-level statement included, as `python SCRIPT` would
    run it: only run scripts you trust. With --repair each patched copy of it is executed the same way
    (your code with the patch's edits; the copies live in a temporary folder that is removed after).
    A fifth of the training rows (chosen by --seed) is held out of training and the network is scored
    on it. Keras 2 arguments (nb_epoch=, init=, output_dim=, lr=, decay=) are mapped to Keras 3 at run
    time and each mapping is reported (NF117). Files are only read; --write creates the one file you name.
    Exit status: 0 no error finding, 1 error findings, 2 the script could not be diagnosed.
    """
    import io
    import warnings

    warnings.filterwarnings("ignore", category=UserWarning)  # Keras' input_dim advice etc.: the script's business

    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    if fmt not in ("text", "json"):
        raise NNFitError(f"--format must be text or json, not {fmt!r}")
    if max_updates < 1:
        raise NNFitError(f"--max-updates must be at least 1, not {max_updates}")
    check_seconds(train_budget, "--train-budget")
    check_seconds(budget, "--budget")
    check_seed(seed, "--seed")
    if write is not None:
        if not repair:
            raise NNFitError("--write needs --repair (it writes the all-fixes patched script)")
        if script.exists() and write.exists() and os.path.samefile(write, script):
            raise NNFitError(f"--write {write} is the script itself; nnfit never writes over the original")
        if write.exists() and not force:
            raise NNFitError(f"{write} exists; choose another path or add --force to replace it")
        if write.exists() and write.is_dir():
            raise NNFitError(f"--write {write} is a folder; name a .py file")
    sink = io.StringIO()
    redirect = contextlib.nullcontext() if show_output else contextlib.redirect_stdout(sink)
    with redirect:
        capture = run_script(str(script), budget_s=budget, train_budget_s=train_budget, argv=script_args,
                             max_updates=max_updates, seed=seed)
    capture.run.seed = seed
    report = Report.from_run(capture.run, capture, capture.notes)
    if fmt == "text":
        typer.echo(report.text())
    payload: dict = {}
    if repair:
        from nnfit.doctor.repair import repair_script

        with contextlib.redirect_stdout(io.StringIO()):
            result = repair_script(str(script), capture, report.findings, seed=seed, max_updates=max_updates,
                                   train_budget_s=train_budget, budget_s=budget, argv=script_args)
        if fmt == "text":
            typer.echo("")
            diffs = result.diffs()
            if diffs:
                typer.echo(diffs)
            typer.echo(result.text())
        else:
            payload["repair"] = result.to_dict()
        if write is not None:
            from nnfit.io import atomic_write

            if result.combined is None:
                raise NNFitError(f"nothing written: no finding has an automatic patch ({write} not created)")
            atomic_write(write, result.combined.source)
            if fmt == "text":
                row = result.combined_row
                verdict = f"; its run: {row.verdict}" if row is not None and row.verdict else ""
                typer.echo(f"wrote {write} (the all-fixes script: {', '.join(result.combined.codes)}{verdict})")
            else:
                payload["repair"]["written"] = str(write)
    if fmt == "json":
        from nnfit.io import to_jsonable

        # built after the repair: each finding then carries its fix's measured effect (repair_gain)
        payload = {**report.to_dict(), "heldout": to_jsonable(capture.heldout), **payload}
        typer.echo(json.dumps(payload, indent=2))
    raise typer.Exit(1 if report.errors else 0)


@doctor_app.command("check")
def check_cmd(
    script: str = typer.Argument(..., help="Python file defining the network class (code pasted onto one line is "
                                           "re-flowed); of its top level only numeric imports, definitions and pure "
                                           "NumPy assignments run"),
    cls: Optional[str] = typer.Option(None, "--class", help="the network class (default: inferred: the class with "
                                                            "forward-, backward- and update-like methods)"),
    init: Optional[str] = typer.Option(None, "--init", help="constructor arguments as Python literals, e.g. "
                                                            "\"'linear', 0.0001, 10\" (default: the file's own call)"),
    forward: Optional[str] = typer.Option(None, help="forward call: method(args) with args from x, y, lr, out; "
                                                     "e.g. forward_pass(x) (default: inferred)"),
    backward: Optional[str] = typer.Option(None, help="backpropagation call, e.g. backpropagation(y, x) (default: inferred)"),
    update: Optional[str] = typer.Option(None, help="update call, e.g. weight_update(x, lr) (default: inferred)"),
    params: Optional[str] = typer.Option(None, help="parameter attributes, comma-separated (default: what the update "
                                                    "method assigns)"),
    grads: Optional[str] = typer.Option(None, help="gradient attributes in the same order (default: named after each parameter)"),
    output_attr: Optional[str] = typer.Option(None, help="attribute the backward call reads the prediction from "
                                                         "(default: inferred; seed 2: y_pred)"),
    data: Optional[str] = typer.Option(None, help="instance attributes holding inputs and targets, or a .npz/.csv file "
                                                  "(default: what the training method feeds the network)"),
    lr: Optional[float] = typer.Option(None, help="learning rate passed as `lr` (default: the instance's learning_rate attribute)"),
    loss: str = typer.Option("half_se", help="the loss the backward differentiates: half_se (1/2 (y-out)^2), se, mse"),
    steps: int = typer.Option(200, help="training steps to run for the loss trend"),
    seed: int = typer.Option(0, help="random seed (numpy) for the instance and the sampled points"),
    batch: bool = typer.Option(False, "--batch", help="x and y are the whole data set (default: one sample per call)"),
    fmt: str = typer.Option("text", "--format", "-f", help="text or json"),
) -> None:
    """Check a hand-written NumPy network: its gradients, update direction, loss, biases, init scale.

    What runs: of the file's top level, ONLY imports of numeric libraries (numpy, math, random,
    scipy, matplotlib), class and function definitions, and assignments built from literals and
    pure NumPy functions; every other top-level statement (a training call, os.system(...), a file
    write) is skipped and listed. Then nnfit constructs the class and calls its forward, backward and
    update methods a few hundred times: that is your code, and it runs. A file with no network class
    whose network is one full-batch training loop (W1 -= lr * dW1) is checked through that loop: its
    assignments are run as forward, backward and update when every one of them is pure numeric (any
    other statement in the loop, a print or a plot, is left out). Names not given as options are read
    from the code and printed. Exit code 1 when an error-severity finding exists.
    """
    from nnfit.doctor import lint as L
    from nnfit.doctor.monitors.numpy import check_class_file, infer_spec, load_definitions
    from nnfit.doctor.rules import run_rules

    if fmt not in ("text", "json"):
        raise NNFitError(f"--format must be text or json, not {fmt!r}")
    if steps < 1:
        raise NNFitError(f"--steps must be at least 1, not {steps}")
    if lr is not None and not math.isfinite(lr):
        raise NNFitError(f"--lr must be a finite learning rate, not {lr:g}")
    check_seed(seed, "--seed")

    def names(value: Optional[str]) -> list[str] | None:
        return [v.strip() for v in value.split(",") if v.strip()] if value else None

    loaded = _load_definitions(script, load_definitions)
    given = {"cls": cls, "init": init, "forward": forward, "backward": backward, "update": update,
             "params": names(params), "grads": names(grads), "output_attr": output_attr, "data": data}
    try:
        inferred = infer_spec(loaded, given)
    except NNFitError:
        from nnfit.doctor.monitors.numpy_loop import check_loop_file

        # no network class: a script whose network is one plain training loop (W1 -= lr * dW1)
        found = None if any(v for v in given.values()) else _bounded_check(
            script, steps, lambda: check_loop_file(script, loaded, seed=seed, steps=steps))
        if found is None:
            raise
        run, report, reasons = found
        options, spec_dict = "the training loop (no network class)", None
    else:
        spec = inferred.spec
        if len(spec.params) != len(spec.grads):
            raise NNFitError(f"{len(spec.params)} parameter names but {len(spec.grads)} gradient names; give one gradient per parameter")
        spec.lr, spec.loss, spec.steps, spec.seed, spec.batch = lr, loss, steps, seed, batch
        run, report = _bounded_check(script, steps, lambda: check_class_file(script, spec, loaded))
        options, reasons, spec_dict = inferred.options(), inferred.reasons, dataclasses.asdict(spec)
    findings = run_rules(run)
    if fmt == "json":
        from nnfit.io import to_jsonable

        typer.echo(json.dumps(to_jsonable({
            "file": script, "inferred": {"options": options, "reasons": reasons, "spec": spec_dict},
            "top_level": {"ran_lines": loaded.ran, "skipped": [{"line": ln, "code": c} for ln, c in loaded.skipped],
                          "assumed_imports": loaded.assumed},
            "report": report, "findings": [f.to_dict() for f in findings]}), indent=2))
    else:
        typer.echo(f"checking with: {options}")
        for reason in reasons:
            typer.echo(f"  inferred {reason}")
        if loaded.assumed:
            typer.echo(f"  assumed {'; '.join(loaded.assumed)} (the code uses these names without importing them)")
        if loaded.text != _read(script):
            typer.echo("  the code was pasted onto one line: it was re-flowed, and line numbers below refer to the re-flowed code")
        for line, code in loaded.skipped:
            typer.echo(f"  not run: line {line}: {code}")
        typer.echo("")
        typer.echo(report["text"] + "\n")
        typer.echo(L.render_text(findings, run, os.fspath(script)))
    code = L.exit_code(findings)
    if code:
        raise typer.Exit(code)


# `check` runs a file's definitions and pure NumPy assignments before anything else; on the 13 NumPy
# scripts of examples/ and tests/ that takes at most 1.2 s (importing matplotlib, on a loaded 2-core
# machine). Past 16 times that the file is computing something no definition needs (9**9**9**9).
DEFINITIONS_SECONDS = 20.0
# The check itself calls the network's own methods (--steps updates, the gradient check): seed 2's
# 1-3-3-1 network takes 1.4 s in all for the default 200 steps, the largest NumPy example under 3 s.
# Forty times the largest is a method that never returns (a `while True:` in forward), not a slow network.
CHECK_SECONDS = 120.0


class _TimeBound(BaseException):
    """A BaseException, as KeyboardInterrupt: the `except Exception` that turns the network's own errors
    into one line (and the user's own handlers) must not swallow it."""


@contextlib.contextmanager
def _time_bound(seconds: float):
    """Raise _TimeBound in the block after `seconds` of wall time (SIGALRM: the main thread only;
    elsewhere the block runs unbounded, as a library caller's own thread would)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise _TimeBound()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _load_definitions(script: str, load: Any) -> Any:
    """load_definitions(script), its failures as one line each: a file that is not a regular script,
    too large, too deeply nested, too slow, or whose definitions raise (the file's own code)."""
    from nnfit.doctor import lint as L
    from nnfit.io import regular_file

    if os.path.exists(script) and not os.path.isdir(script):
        regular_file(script, "script")  # a FIFO or a device: refused before it is opened
    L.read_script(script)  # missing, a folder, binary, over the size limit: the messages of `doctor lint`
    try:
        with _time_bound(DEFINITIONS_SECONDS):
            return load(script)
    except NNFitError:
        raise
    except _TimeBound:
        raise NNFitError(f"{script}: its top-level definitions and assignments ran for over {DEFINITIONS_SECONDS:g} s "
                         "(a huge array or number?); check defines the network, it does not compute data") from None
    except RecursionError:
        raise NNFitError(f"{script}: nested too deeply for Python to read") from None
    except MemoryError:
        raise NNFitError(f"{script}: its top-level assignments need more memory than this machine has") from None
    except Exception as exc:  # noqa: BLE001 - the file's own definitions failed: its error, on one line
        message = " ".join(str(exc).split())[:160]
        raise NNFitError(f"{script}: running its definitions failed ({type(exc).__name__}: {message})") from None


def _bounded_check(script: str, steps: int, check: Any) -> Any:
    """check() (the network's own methods, called for --steps updates) bounded by CHECK_SECONDS."""
    try:
        with _time_bound(CHECK_SECONDS):
            return check()
    except _TimeBound:
        raise NNFitError(f"{script}: the network's methods ran for over {CHECK_SECONDS:g} s in {steps} steps "
                         "(a method that never returns?); try fewer --steps") from None


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


@doctor_app.command("rule")
def rule_cmd(code: str = typer.Argument(..., help="a rule code (NF101) or name (narrow-bottleneck)")) -> None:
    """Print the long explanation of one rule (as `ruff rule`)."""
    from nnfit.doctor.findings import lookup
    from nnfit.doctor.rules import REGISTRY, load_all

    info = lookup(code)
    load_all()
    registered = REGISTRY.get(info.code)
    # a code checked by several rules (NF116: hand-written NumPy updates, torch gradients never reset) prints each
    doc = "\n\n".join(r.doc for r in registered if r.doc) if registered else ""
    typer.echo(f"{info.code} {info.name} ({info.severity.value})")
    typer.echo("")
    typer.echo(doc or info.summary)


@doctor_app.command("rules")
def rules_cmd(fmt: str = typer.Option("text", "--format", help="text or json")) -> None:
    """List every rule: code, name, default severity, one-line summary."""
    from nnfit.doctor.findings import CATALOGUE
    from nnfit.doctor.rules import REGISTRY, load_all

    load_all()
    rows = [{"code": i.code, "name": i.name, "severity": i.severity.value, "summary": i.summary,
             "implemented": i.code in REGISTRY} for i in CATALOGUE.values()]
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="nnfit doctor rules")
    for col in ("code", "name", "severity", "summary"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["code"], r["name"], r["severity"], r["summary"] + ("" if r["implemented"] else " (not implemented)"))
    Console(width=int(os.environ.get("COLUMNS", 120))).print(table)


def register(app: typer.Typer) -> None:
    try:
        lint_cli = importlib.import_module("nnfit.doctor.lint_cli")
    except ModuleNotFoundError as exc:
        if not (exc.name and "nnfit.doctor.lint_cli".startswith(exc.name)):
            raise
    else:
        lint_cli.register(doctor_app)
    app.add_typer(doctor_app, name="doctor")
