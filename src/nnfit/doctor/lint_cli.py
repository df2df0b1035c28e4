"""`nnfit doctor lint` and `nnfit doctor check`: thin wrappers over nnfit.doctor.lint / check.

nnfit.doctor.cli calls register(doctor_app) to add both commands to the `doctor` group.
"""
from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from nnfit.errors import NNFitError


def _codes(value: Optional[str]) -> list[str] | None:
    if not value:
        return None
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def register(doctor_app: typer.Typer) -> None:
    @doctor_app.command("lint")
    def lint(
        files: list[str] = typer.Argument(..., help="training scripts to read (never run)"),
        format: str = typer.Option("text", "--format", "-f", help="text (rustc-like) or json"),
        select: Optional[str] = typer.Option(None, help="only these codes, e.g. NF101,NF117"),
        ignore: Optional[str] = typer.Option(None, help="skip these codes"),
        setup: bool = typer.Option(False, "--setup", help="also print what was recovered (layers, optimiser, data ranges)"),
        color: Optional[bool] = typer.Option(None, "--color/--no-color", help="colour the severity (default: when a terminal)"),
    ) -> None:
        """Read training scripts WITHOUT running them and report what will make them fail.

        Exit code: 0 no error-severity finding, 1 at least one, 2 a file could not be read.
        """
        from nnfit.doctor import lint as L

        if format not in ("text", "json"):
            raise NNFitError(f"--format must be text or json, not {format!r}")
        use_color = sys.stdout.isatty() if color is None else color
        results = []
        worst = 0
        for path in files:
            text = L.read_script(path)  # NNFitError -> `error: ...`, exit 2
            if not text.strip():
                if format == "text":
                    typer.echo(f"{path}: empty file: nothing to lint")
                results.append((path, None, []))
                continue
            run = L.analyse_source(text, path)
            findings = L.lint_run(run, select=_codes(select), ignore=_codes(ignore))
            worst = max(worst, L.exit_code(findings))
            results.append((path, run, findings))
            if format == "text":
                if setup:
                    typer.echo(L.render_setup(run) + "\n")
                typer.echo(L.render_text(findings, run, path, color=use_color))
                if len(files) > 1:
                    typer.echo("")
        if format == "json":
            typer.echo(L.render_json(results))
        if worst:
            raise typer.Exit(worst)

    @doctor_app.command("check")
    def check(
        script: str = typer.Argument(..., help="Python file defining the network class (its functions and classes are loaded; "
                                               "top-level statements are NOT run)"),
        cls: str = typer.Option(..., "--class", help="the network class, e.g. Neural_Net"),
        init: str = typer.Option("", "--init", help="constructor arguments as Python literals, e.g. \"'linear', 0.0001, 10\""),
        forward: str = typer.Option("forward", help="forward call: method(args) with args from x, y, lr, out; e.g. forward_pass(x)"),
        backward: str = typer.Option("backward", help="backpropagation call, e.g. backpropagation(y, x)"),
        update: str = typer.Option("update", help="update call, e.g. weight_update(x, lr)"),
        params: str = typer.Option(..., help="parameter attributes, comma-separated, e.g. W_input,W_hidden,W_output"),
        grads: str = typer.Option(..., help="gradient attributes in the same order, e.g. Partials_W_input,..."),
        output_attr: Optional[str] = typer.Option(None, help="attribute the backward call reads the prediction from (seed 2: y_pred)"),
        data: str = typer.Option("X_train,y_train", help="instance attributes holding inputs and targets, or a .npz/.csv file"),
        lr: Optional[float] = typer.Option(None, help="learning rate passed as `lr` (default: the instance's learning_rate attribute)"),
        loss: str = typer.Option("half_se", help="the loss the backward differentiates: half_se (1/2 (y-out)^2), se, mse"),
        steps: int = typer.Option(200, help="training steps to run for the loss trend"),
        seed: int = typer.Option(0, help="random seed (numpy) for the instance and the sampled points"),
        batch: bool = typer.Option(False, "--batch", help="x and y are the whole data set (default: one sample per call)"),
        format: str = typer.Option("text", "--format", "-f", help="text or json"),
    ) -> None:
        """RUN a hand-written NumPy network a few steps: check its gradients, update direction, loss, biases, init scale.

        Exit code 1 when an error-severity finding exists.
        """
        from nnfit.doctor import lint as L
        from nnfit.doctor.monitors.numpy import CheckSpec, check_class_file
        from nnfit.doctor.rules import run_rules

        if format not in ("text", "json"):
            raise NNFitError(f"--format must be text or json, not {format!r}")
        spec = CheckSpec(
            cls=cls, init=init, forward=forward, backward=backward, update=update,
            params=[p.strip() for p in params.split(",") if p.strip()],
            grads=[g.strip() for g in grads.split(",") if g.strip()],
            output_attr=output_attr, data=data, lr=lr, loss=loss, steps=steps, seed=seed, batch=batch,
        )
        run, report = check_class_file(script, spec)
        findings = run_rules(run)
        if format == "json":
            import json

            typer.echo(json.dumps({"file": script, "report": report, "findings": [f.to_dict() for f in findings]},
                                  indent=2, default=str))
        else:
            typer.echo(report["text"] + "\n")
            typer.echo(L.render_text(findings, run, os.fspath(script)))
        code = L.exit_code(findings)
        if code:
            raise typer.Exit(code)
