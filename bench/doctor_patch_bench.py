"""Patch benchmark: does nnfit's all-fixes patch of each real failing program fit as well as the
accepted answer's fix?

For every program in corpus/real/<id>/ (repro.py, fixed.py, label.json; halves in split.json):
`doctor run` diagnoses repro.py (the runner, seed 0), patch.py writes the all-fixes patch (when it
has alternatives, another rate or update count or one fix left out, each is run under the doctor and
the best on the doctor's held-out rows of the training data is kept, as `--repair --write` does; when
the best does not fit those rows, its own run is diagnosed and the patch with those fixes added is run too;
`--no-choose` keeps the planned one), and the patched script is then run as it is (`python SCRIPT`, a subprocess, no nnfit), printing its own
held-out metric as its last line (`HELDOUT r2=...` or `HELDOUT accuracy=...`), the same line fixed.py
prints (label.json's metric_after; --rerun-fixed runs fixed.py again). A program counts as reached
when the patch's metric is the fixed version's or better (within TOLERANCE).

    .venv/bin/python bench/doctor_patch_bench.py               # both halves
    .venv/bin/python bench/doctor_patch_bench.py --half test --limit 5
    .venv/bin/python bench/doctor_patch_bench.py --half tune --only cnpython-3299,so-63909566

Prints one row per program and, per half, how many reached the fixed version's metric, how many got
no patchable finding, and per finding code how often it was found and patched (the fix-kind coverage).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from doctor_real import heldout_metric   # bench/ is on sys.path when a bench script runs

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "real"
# Reached = within this of the fixed version's metric (R² or accuracy): the programs' own held-out sets
# are small (tens to hundreds of rows), where 0.005 is below what a second seed moves either metric.
TOLERANCE = 0.005


def halves() -> dict[str, str]:
    split = json.loads((CORPUS / "split.json").read_text())
    out = {pid: "tune" for pid in split.get("tune", [])}
    out.update({pid: "test" for pid in split.get("test", [])})
    return out


def run_standalone(path: Path, timeout: float) -> float | None:
    env = {**os.environ, "KERAS_BACKEND": "torch", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, str(path)], cwd=path.parent, capture_output=True, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None
    return heldout_metric(done.stdout)


def patch_program(folder: Path, out: Path, choose: bool = True) -> tuple[list[str], list[str], str, list[tuple[str, float | None]]]:
    """Diagnose repro.py and write its all-fixes patch to `out`; (codes found, codes patched, the
    alternative chosen or "", each candidate run with its score on the doctor's held-out rows). With `choose`, the all-fixes patch and
    its alternatives are run under the doctor (its held-out rows of the training data, never the
    program's own test rows) and the best is written, as `doctor run --repair --write` does."""
    from nnfit.doctor.patch import plan_patches
    from nnfit.doctor.repair import choose_combined, score
    from nnfit.doctor.report import Report
    from nnfit.doctor.runner import run_script

    repro = folder / "repro.py"
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        cap = run_script(str(repro), seed=0)
        report = Report.from_run(cap.run, cap, cap.notes)
    plan = plan_patches(repro.read_text(), str(repro), cap, report.findings)
    if plan.combined is None:
        return report.codes, [], "", []
    chosen, tried = plan.combined, []
    if choose:
        # (one reading alone is run too: when it does not fit the held-out rows, choose_combined adds the
        # patch of its own run's re-diagnosis, as `--repair --write` does)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            chosen, rows = choose_combined(str(repro), cap, plan, seed=0)
        tried = [(r.label, score(r.heldout)) for r in rows]
    out.write_text(chosen.source)
    return report.codes, chosen.codes, chosen.variant, tried


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("tune", "test", "both"), default="both")
    ap.add_argument("--limit", type=int, default=0, help="at most this many programs per half (0: all)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per standalone run")
    ap.add_argument("--only", default="", help="comma-separated program ids: run only these (of the chosen half)")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows to this file")
    ap.add_argument("--no-choose", action="store_true",
                    help="write the all-fixes patch as planned, without running its alternatives to choose one")
    ap.add_argument("--rerun-fixed", action="store_true",
                    help="run fixed.py for its metric (default: label.json's metric_after, measured by running it)")
    args = ap.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "torch")
    which = halves()
    rows = []
    counts: dict[str, list[int]] = {"tune": [0, 0], "test": [0, 0]}
    for half in ("tune", "test"):
        if args.half not in (half, "both"):
            continue
        ids = sorted(pid for pid, h in which.items() if h == half and (CORPUS / pid / "repro.py").exists())
        if args.only:
            wanted = {w.strip() for w in args.only.split(",") if w.strip()}
            ids = [pid for pid in ids if pid in wanted]
        if args.limit:
            ids = ids[: args.limit]
        for pid in ids:
            folder = CORPUS / pid
            t0 = time.perf_counter()
            with tempfile.TemporaryDirectory(prefix="nnfit-patch-bench-") as tmp:
                # the patched copy sits beside the program's own data files (copied), never in the corpus
                for f in folder.iterdir():
                    if f.is_file() and f.suffix in (".csv", ".npy", ".npz", ".txt"):
                        (Path(tmp) / f.name).write_bytes(f.read_bytes())
                patched = Path(tmp) / "patched.py"
                try:
                    found, fixed_codes, variant, tried = patch_program(folder, patched, choose=not args.no_choose)
                    error = None
                except Exception as exc:  # noqa: BLE001 - one program's failure is a row, not the end
                    found, fixed_codes, variant, tried, error = [], [], "", [], f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                after = run_standalone(patched, args.timeout) if fixed_codes else None
            label = json.loads((folder / "label.json").read_text()) if (folder / "label.json").exists() else {}
            target = run_standalone(folder / "fixed.py", args.timeout) if args.rerun_fixed or \
                label.get("metric_after") is None else float(label["metric_after"])
            reached = after is not None and target is not None and after >= target - TOLERANCE
            counts[half][0] += int(reached)
            counts[half][1] += 1
            row = {"id": pid, "half": half, "found": found, "patched": fixed_codes, "patched_metric": after,
                   "fixed_metric": target, "reached": reached, "error": error,
                   "candidates": tried, "chosen": variant,
                   "seconds": round(time.perf_counter() - t0, 1)}
            rows.append(row)
            print(f"{half:4} {pid:40} patched {','.join(fixed_codes) or '-':30} "
                  f"patch {after if after is not None else '-'!s:>10} fixed {target if target is not None else '-'!s:>10} "
                  f"{'reached' if reached else 'NOT reached'}  {row['seconds']:.0f} s" + (f"  ({error})" if error else "")
                  + (f"  [{len(tried) - 1} alternatives run, chosen: {variant or 'the planned patch'}; doctor held-out "
                     + ", ".join("-" if v is None else f"{v:.4f}" for _, v in tried) + "]" if tried else ""),
                  flush=True)
    print()
    for half, (ok, total) in counts.items():
        if total:
            unpatched = sum(1 for r in rows if r["half"] == half and not r["patched"])
            print(f"{half} half: the all-fixes patch reached the fixed version's metric on {ok}/{total} "
                  f"({ok / total:.0%}) programs; {unpatched} got no patchable finding")
            found: dict[str, int] = {}
            patched: dict[str, int] = {}
            for r in rows:
                if r["half"] != half:
                    continue
                for code in set(r["found"]):
                    found[code] = found.get(code, 0) + 1
                for code in set(r["patched"]):
                    patched[code] = patched.get(code, 0) + 1
            print(f"  {half} fix kinds (programs patched / found): "
                  + ", ".join(f"{c} {patched.get(c, 0)}/{n}" for c, n in sorted(found.items())))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
