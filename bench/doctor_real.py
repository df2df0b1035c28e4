"""The doctor on real programs: corpus/real, each half of the recorded split, as a new user runs it.

For every program folder in corpus/real/split.json (both halves):
- `nnfit doctor run repro.py --format json --show-output`: top-1 (a labelled root cause ranked
  first), recall of the labelled faults (every catalogue fault in label.json "faults"), seconds;
- `nnfit doctor run fixed.py ...`: the fixed program's own HELDOUT line says whether it trains well
  (held-out R² or accuracy >= 0.99; the label's measured metric_after when the run was cut short
  before printing it); counted when such a program still gets an error finding;
- `nnfit doctor lint posted.py --format json`: lint recall of the labelled faults on the program as
  it was posted.
Faults labelled "other:..." are outside the catalogue: counted as missed and listed separately.

    .venv/bin/python bench/doctor_real.py [--half tune|test|both] [--only ID,ID] [--json out.json]
    .venv/bin/python bench/doctor_real.py --from-json tune.json test.json   # the table from saved runs
    .venv/bin/python bench/doctor_real.py --lint-only [--half ...]   # lint recall alone (static: seconds)

Thresholds and the ranking are set on the tuning half only; both halves are printed side by side.
Timings are wall-clock seconds on whatever machine runs it (note the load when reporting them).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "real"
NNFIT = [sys.executable, "-m", "nnfit"]
GOOD = 0.99          # the "trains well": held-out R² / accuracy >= 0.99
# the line every corpus program prints last (corpus/README.md); read here for both doctor benches
HELDOUT = re.compile(r"HELDOUT\s+(r2|accuracy)\s*=\s*(-?[\d.eE+-]+|nan|inf|-inf)")


def catalogue_names() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "src"))
    from nnfit.doctor.findings import CATALOGUE

    return {info.name: code for code, info in CATALOGUE.items()}


def _run(cmd: list[str], timeout: float) -> tuple[int, str, float]:
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONWARNINGS="ignore", MPLBACKEND="Agg")
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
        return p.returncode, p.stdout + "\n" + p.stderr, time.perf_counter() - t0
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return 124, out, time.perf_counter() - t0


def _json_tail(text: str) -> dict | None:
    """The JSON report: the last line that opens a top-level object, decoded from there."""
    lines = text.splitlines()
    decoder = json.JSONDecoder()
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("{"):
            try:
                return decoder.raw_decode("\n".join(lines[i:]))[0]
            except json.JSONDecodeError:
                continue
    return None


def heldout_metric(text: str) -> float | None:
    """The last HELDOUT line's metric in a program's output (None when there is none)."""
    hits = HELDOUT.findall(text)
    if not hits:
        return None
    try:
        return float(hits[-1][1])
    except ValueError:
        return None


def doctor_run(script: Path, timeout: float) -> dict:
    rc, out, seconds = _run(NNFIT + ["doctor", "run", str(script), "--format", "json", "--show-output"], timeout)
    report = _json_tail(out)
    findings = (report or {}).get("findings", [])
    return {"rc": rc, "seconds": round(seconds, 1), "heldout": heldout_metric(out),
            "findings": [(f["code"], f["name"], f["severity"]) for f in findings],
            "error": None if report else (out.strip().splitlines() or ["no output"])[-1][:200]}


def doctor_lint(script: Path, timeout: float) -> dict:
    rc, out, seconds = _run(NNFIT + ["doctor", "lint", str(script), "--format", "json"], timeout)
    data = _json_tail(out)
    files = (data or {}).get("files", [])
    findings = files[0]["findings"] if files else []
    return {"rc": rc, "seconds": round(seconds, 1), "findings": [(f["code"], f["name"], f["severity"]) for f in findings]}


def evaluate_lint(pid: str, timeout: float) -> dict:
    """Only `doctor lint posted.py`: nothing runs, so lint recall can be read in seconds."""
    folder = CORPUS / pid
    label = json.loads((folder / "label.json").read_text())
    return {"id": pid, "task": label.get("task"), "framework": label.get("framework"),
            "faults": label.get("faults", []), "root_cause": label.get("root_cause", []),
            "posted": doctor_lint(folder / "posted.py", timeout) if (folder / "posted.py").exists() else None}


def lint_table(results: dict[str, list[dict]]) -> str:
    lines = []
    for half, rs in results.items():
        labelled = sum(len(r["faults"]) for r in rs)
        found = sum(1 for r in rs if r["posted"] for f in r["faults"] if f in {x[1] for x in r["posted"]["findings"]})
        name = "tuning half" if half == "tune" else "test half"
        lines.append(f"{name}: lint recall on posted.py {_pct(found, labelled)} over {len(rs)} programs")
    return "\n".join(lines)


def evaluate(pid: str, timeout: float) -> dict:
    folder = CORPUS / pid
    label = json.loads((folder / "label.json").read_text())
    out: dict = {"id": pid, "task": label.get("task"), "framework": label.get("framework"),
                 "faults": label.get("faults", []), "root_cause": label.get("root_cause", [])}
    out["repro"] = doctor_run(folder / "repro.py", timeout)
    out["repro"]["load_1min"] = round(os.getloadavg()[0], 2)   # beside the seconds: they scale with the load
    out["fixed"] = doctor_run(folder / "fixed.py", timeout) if (folder / "fixed.py").exists() else None
    out["posted"] = doctor_lint(folder / "posted.py", timeout) if (folder / "posted.py").exists() else None
    return out


def _fixed_metric(r: dict) -> float | None:
    """The fixed program's held-out metric as it printed it under `doctor run`; when that run was cut
    short before the print (the script budget on a loaded machine), the label's measured metric_after."""
    if r["fixed"]["heldout"] is not None:
        return r["fixed"]["heldout"]
    label = CORPUS / r["id"] / "label.json"
    value = json.loads(label.read_text()).get("metric_after") if label.exists() else None
    return float(value) if isinstance(value, (int, float)) else None


def score(results: list[dict]) -> dict:
    n = len(results)
    top1 = sum(1 for r in results if r["repro"]["findings"] and r["repro"]["findings"][0][1] in r["root_cause"])
    labelled = sum(len(r["faults"]) for r in results)
    other = sum(1 for r in results for f in r["faults"] if f.startswith("other:"))
    found = sum(1 for r in results for f in r["faults"] if f in {x[1] for x in r["repro"]["findings"]})
    lint_found = sum(1 for r in results if r["posted"] for f in r["faults"]
                     if f in {x[1] for x in r["posted"]["findings"]})
    fixed = [r for r in results if r["fixed"]]
    well = [r for r in fixed if _fixed_metric(r) is not None and _fixed_metric(r) >= GOOD]
    alarmed_well = [r["id"] for r in well if any(s == "error" for _, _, s in r["fixed"]["findings"])]
    alarmed_any = [r["id"] for r in fixed if any(s == "error" for _, _, s in r["fixed"]["findings"])]
    seconds = [r["repro"]["seconds"] for r in results]
    failed = [r["id"] for r in results if r["repro"]["error"]]
    return {"programs": n, "top1": top1, "labelled": labelled, "other": other, "found": found,
            "lint_found": lint_found, "fixed": len(fixed), "fixed_well": len(well),
            "alarmed_well": alarmed_well, "alarmed_any": alarmed_any, "failed": failed,
            "median_s": statistics.median(seconds) if seconds else None, "max_s": max(seconds) if seconds else None,
            "loads": [r["repro"]["load_1min"] for r in results if r["repro"].get("load_1min") is not None]}


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f} %)" if b else "0/0"


def table(scores: dict[str, dict]) -> str:
    halves = list(scores)
    rows = [
        ("programs", lambda s: str(s["programs"])),
        ("top-1 (labelled root cause first)", lambda s: _pct(s["top1"], s["programs"])),
        ("recall of labelled faults (run)", lambda s: _pct(s["found"], s["labelled"])),
        ("  of which outside the catalogue", lambda s: str(s["other"])),
        ("lint recall on posted.py", lambda s: _pct(s["lint_found"], s["labelled"])),
        ("fixed programs that train well (>= 0.99)", lambda s: f"{s['fixed_well']}/{s['fixed']}"),
        ("  ... yet get an error finding", lambda s: str(len(s["alarmed_well"]))),
        ("fixed programs with any error finding", lambda s: f"{len(s['alarmed_any'])}/{s['fixed']}"),
        ("repro.py not diagnosed", lambda s: str(len(s["failed"]))),
        ("seconds per program (doctor run, median / max)",
         lambda s: f"{s['median_s']:.1f} / {s['max_s']:.1f}" if s["median_s"] is not None else "-"),
        ("  load average (1 min) after each, min-max",
         lambda s: f"{min(s['loads']):.1f}-{max(s['loads']):.1f}" if s.get("loads") else "-"),
    ]
    width = max(len(r[0]) for r in rows) + 2
    out = [f"{'':<{width}}" + "".join(f"{h:>22}" for h in halves)]
    for name, fn in rows:
        out.append(f"{name:<{width}}" + "".join(f"{fn(scores[h]):>22}" for h in halves))
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", default="both", choices=["tune", "test", "both"])
    ap.add_argument("--only", default="", help="comma-separated program ids")
    ap.add_argument("--timeout", type=float, default=400.0)
    ap.add_argument("--json", default="", help="write every program's results here")
    ap.add_argument("--verbose", action="store_true", help="one line per program")
    ap.add_argument("--lint-only", action="store_true", help="only lint recall on posted.py (nothing runs)")
    ap.add_argument("--from-json", nargs="*", default=[], help="print the table from saved --json results")
    args = ap.parse_args()
    if args.from_json:
        saved: dict[str, list[dict]] = {}
        for path in args.from_json:
            for half, rs in json.loads(Path(path).read_text()).items():
                saved.setdefault(half, []).extend(rs)
        scores = {("tuning half" if h == "tune" else "test half"): score(rs) for h, rs in saved.items()}
        print(table(scores))
        for h, s in scores.items():
            for key, what in (("alarmed_well", "train well yet get an error finding"), ("failed", "not diagnosed")):
                if s[key]:
                    print(f"{h}: {what}: {', '.join(s[key])}")
        return
    split = json.loads((CORPUS / "split.json").read_text())
    halves = ["tune", "test"] if args.half == "both" else [args.half]
    only = {x for x in args.only.split(",") if x}
    results: dict[str, list[dict]] = {}
    for half in halves:
        ids = [i for i in split[half] if (not only or i in only) and (CORPUS / i / "label.json").exists()]
        results[half] = []
        for pid in ids:
            if args.lint_only:
                r = evaluate_lint(pid, args.timeout)
                results[half].append(r)
                if args.verbose:
                    found = {x[1] for x in (r["posted"] or {}).get("findings", [])}
                    print(f"[{half}] {pid:40s} lint found={[f for f in r['faults'] if f in found]} "
                          f"missed={[f for f in r['faults'] if f not in found]}", flush=True)
                continue
            r = evaluate(pid, args.timeout)
            results[half].append(r)
            if args.json:    # after every program: a run cut short still leaves what it measured
                Path(args.json).write_text(json.dumps(results, indent=1))
            if args.verbose:
                first = r["repro"]["findings"][0][1] if r["repro"]["findings"] else "-"
                fixed_err = [c for c, _, s in (r["fixed"] or {}).get("findings", []) if s == "error"]
                print(f"[{half}] {pid:32s} first={first:28s} root={','.join(r['root_cause'])} "
                      f"found={[f for f in r['faults'] if f in {x[1] for x in r['repro']['findings']}]} "
                      f"lint={[f for f in r['faults'] if r['posted'] and f in {x[1] for x in r['posted']['findings']}]} "
                      f"fixed={r['fixed']['heldout'] if r['fixed'] else None} fixed_errors={fixed_err} "
                      f"{r['repro']['seconds']}s" + (f" ERROR {r['repro']['error']}" if r['repro']['error'] else ""),
                      flush=True)
    if args.lint_only:
        print(f"corpus/real split seed {split.get('seed')}; " + time.strftime("%Y-%m-%d %H:%M"))
        print(lint_table(results))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
        return
    scores = {("tuning half" if h == "tune" else "test half"): score(rs) for h, rs in results.items()}
    print(f"corpus/real split seed {split.get('seed')}; " + time.strftime("%Y-%m-%d %H:%M"))
    print(table(scores))
    for h, s in scores.items():
        if s["alarmed_well"]:
            print(f"{h}: fixed programs that train well yet get an error finding: {', '.join(s['alarmed_well'])}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
