"""Diagnosis benchmark: run every corpus case (tests/doctor_cases/) under `doctor run`'s runner and
print precision and recall per rule, plus the healthy-case check (no error-severity finding).

    .venv/bin/python bench/doctor_bench.py            # all cases (several minutes on 2 cores)
    .venv/bin/python bench/doctor_bench.py --only t_  # cases whose id starts with t_
    .venv/bin/python bench/doctor_bench.py --json out/doctor_bench.json

Recall of a rule: expected occurrences it reported. Precision: its reports that were expected, out of
all its reports; a report the case merely allows (a side effect of the designed fault, see
tests/doctor_cases/cases.py) is not a true positive: it is counted in the denominator and shown in its
own column. A healthy case must get no error finding and no warning without evidence (a warning
whose basis is only a setting or a code pattern, see nnfit.doctor.ranking).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from doctor_cases.cases import CASES  # noqa: E402
from doctor_cases.harness import run_case  # noqa: E402

from nnfit.doctor.findings import CATALOGUE, Severity  # noqa: E402


def evaluate(cases, train_budget_s: float = 20.0, verbose: bool = True) -> dict:
    import torch

    torch.set_num_threads(1)
    results = []
    for case in cases:
        report, seconds = run_case(case, train_budget_s=train_budget_s)
        codes = set(report.codes)
        errors = sorted({f.code for f in report.findings if f.severity is Severity.ERROR})
        unfounded = sorted({f.code for f in report.findings
                            if f.severity is Severity.WARNING and f.basis in ("setting", "code")})
        res = {"id": case.id, "framework": case.framework, "healthy": case.healthy, "expect": list(case.expect),
               "allow": list(case.allow), "found": report.codes, "errors": errors, "unfounded_warnings": unfounded,
               "missed": sorted(set(case.expect) - codes),
               "false": sorted(codes - set(case.expect) - set(case.allow)),
               "first": report.codes[0] if report.codes else None,
               "train_r2": report.run.fit.train_r2, "updates": report.run.history.n_updates,
               "seconds": round(seconds, 2)}
        results.append(res)
        if verbose:
            flag = "ok " if not res["missed"] and not res["false"] and not (case.healthy and (errors or unfounded)) else "BAD"
            r2 = res["train_r2"]
            print(f"{flag} {case.id:26s} {seconds:5.1f}s R2={r2 if r2 is None else round(r2, 4)!s:>8} "
                  f"expect={','.join(case.expect) or '-':12s} found={','.join(report.codes) or '-'}", flush=True)
    per_rule = {}
    for code in CATALOGUE:
        tp = sum(code in r["expect"] and code in r["found"] for r in results)
        fn = sum(code in r["expect"] and code not in r["found"] for r in results)
        fp = sum(code in r["false"] for r in results)
        side = sum(code in r["allow"] and code in r["found"] and code not in r["expect"] for r in results)
        if tp + fn + fp + side == 0:
            continue
        per_rule[code] = {"name": CATALOGUE[code].name, "expected": tp + fn, "tp": tp, "fn": fn, "fp": fp,
                          "allowed_side": side,
                          "recall": tp / (tp + fn) if tp + fn else None,
                          "precision": tp / (tp + side + fp) if tp + side + fp else None}
    healthy = [r for r in results if r["healthy"]]
    return {"cases": results, "per_rule": per_rule,
            "healthy_with_error": [r["id"] for r in healthy if r["errors"]],
            "healthy_with_unfounded_warning": [r["id"] for r in healthy if r["unfounded_warnings"] and not r["errors"]],
            "n_failing": len(results) - len(healthy), "n_healthy": len(healthy),
            "first_is_expected": sum(r["first"] in r["expect"] for r in results if not r["healthy"])}


def print_table(summary: dict) -> None:
    print()
    print(f"{'code':6s} {'name':38s} {'expected':>8s} {'recall':>7s} {'precision':>9s} {'fp':>3s} {'side':>4s}")
    for code, s in summary["per_rule"].items():
        rec = "-" if s["recall"] is None else f"{s['recall']:.2f}"
        prec = "-" if s["precision"] is None else f"{s['precision']:.2f}"
        print(f"{code:6s} {s['name']:38s} {s['expected']:8d} {rec:>7s} {prec:>9s} {s['fp']:3d} {s['allowed_side']:4d}")
    tp = sum(s["tp"] for s in summary["per_rule"].values())
    reports = sum(s["tp"] + s["fp"] + s["allowed_side"] for s in summary["per_rule"].values())
    print(f"overall precision (expected reports / all reports): {tp}/{reports}" + (f" = {tp / reports:.2f}" if reports else ""))
    print()
    print(f"failing cases: {summary['n_failing']}, first finding is an expected code in "
          f"{summary['first_is_expected']}/{summary['n_failing']}")
    print(f"healthy cases: {summary['n_healthy']}, with an error-severity finding: "
          f"{len(summary['healthy_with_error'])} {summary['healthy_with_error'] or ''}; "
          f"with a warning without evidence: {len(summary['healthy_with_unfounded_warning'])} "
          f"{summary['healthy_with_unfounded_warning'] or ''}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="run cases whose id starts with this")
    ap.add_argument("--json", default=None, help="write the full results here")
    ap.add_argument("--train-budget", type=float, default=20.0)
    args = ap.parse_args()
    cases = [c for c in CASES if c.id.startswith(args.only)]
    t0 = time.perf_counter()
    summary = evaluate(cases, args.train_budget)
    print_table(summary)
    print(f"total {time.perf_counter() - t0:.0f} s")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=2, default=str)
    bad_recall = [c for c, s in summary["per_rule"].items() if s["recall"] is not None and s["recall"] < 0.9]
    return 1 if bad_recall or summary["healthy_with_error"] or summary["healthy_with_unfounded_warning"] else 0


if __name__ == "__main__":
    sys.exit(main())
