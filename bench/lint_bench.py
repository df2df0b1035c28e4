"""Precision / recall of `nnfit doctor lint` per rule, on the seed fixtures and tests/lint_corpus.

Each corpus script names its expected codes on its first line (`# expect: NF105, NF106` or
`# expect: none`); the seed fixtures are pasted exactly, so their expectations live here (from the issue
and the answers in the seed threads). A file counts once per code: a code found and expected is a true
positive, found and not expected a false positive, expected and not found a false negative.

    .venv/bin/python bench/lint_bench.py            # table + per-file misses + timing
    .venv/bin/python bench/lint_bench.py --json     # machine-readable
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnfit.doctor import lint as L  # noqa: E402
from nnfit.doctor.findings import CATALOGUE  # noqa: E402

SEEDS = {
    "seed1_keras_sine.py": {"NF101", "NF102", "NF108", "NF109", "NF117"},
    "seed2_numpy_x2.py": {"NF116", "NF119", "NF121"},
    "seed3_parabola_adam.py": {"NF103", "NF124"},
    "seed4_multiply.py": {"NF105", "NF106", "NF107", "NF108", "NF121"},
}


def expected_codes(path: Path) -> set[str]:
    if path.name in SEEDS and path.parent.name == "fixtures":
        return SEEDS[path.name]
    head = path.read_text(encoding="utf-8").split("\n", 1)[0]
    m = re.match(r"#\s*expect:\s*(.*)$", head)
    if not m:
        raise SystemExit(f"{path}: no '# expect:' header")
    codes = {c.strip() for c in m.group(1).split(",") if c.strip()}
    return set() if codes == {"none"} else codes


def script_2000_lines() -> str:
    parts = ["import numpy as np", "from keras.models import Sequential", "from keras.layers import Dense", ""]
    i = 0
    while len(parts) < 2000:
        parts += [f"def make_data_{i}(n, low=0, high=500):", "    a = np.random.randint(low, high, size=n)",
                  "    b = np.random.uniform(-1, 1, size=n)", "    rows = []", "    for j in range(n):",
                  "        rows.append([a[j], b[j]])", "    return np.array(rows), a * b", "",
                  f"X{i}, y{i} = make_data_{i}(1000 + {i})", f"m{i} = Sequential()",
                  f"m{i}.add(Dense({i % 7 + 1}, input_dim=2, activation='sigmoid'))",
                  f"m{i}.add(Dense(16, activation='relu'))",
                  f"m{i}.compile(loss='mse', optimizer='sgd', metrics=['accuracy'])",
                  f"m{i}.fit(X{i}, y{i}, nb_epoch=1, batch_size=100)", ""]
        i += 1
    return "\n".join(parts[:2000])


def main() -> None:
    as_json = "--json" in sys.argv
    files = sorted((ROOT / "tests" / "fixtures").glob("seed*.py")) + sorted((ROOT / "tests" / "lint_corpus").glob("*.py"))
    tp, fp, fn = Counter(), Counter(), Counter()
    rows = []
    healthy_errors = 0
    t_all = time.perf_counter()
    for path in files:
        exp = expected_codes(path)
        findings = L.lint_file(path)
        got = {f.code for f in findings}
        for c in got & exp:
            tp[c] += 1
        for c in got - exp:
            fp[c] += 1
        for c in exp - got:
            fn[c] += 1
        if not exp and any(f.severity.value == "error" for f in findings):
            healthy_errors += 1
        rows.append({"file": str(path.relative_to(ROOT)), "expected": sorted(exp), "got": sorted(got),
                     "missed": sorted(exp - got), "extra": sorted(got - exp)})
    seconds_all = time.perf_counter() - t_all
    text = script_2000_lines()
    L.lint_source("x = 1\n")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        L.lint_source(text, "bench_2000_lines.py")
        times.append(time.perf_counter() - t0)
    codes = sorted(set(tp) | set(fp) | set(fn))
    table = []
    for c in codes:
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else None
        r = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else None
        table.append({"code": c, "name": CATALOGUE[c].name, "tp": tp[c], "fp": fp[c], "fn": fn[c], "precision": p, "recall": r})
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    summary = {"files": len(files), "healthy_files": sum(not r["expected"] for r in rows),
               "healthy_with_error_findings": healthy_errors,
               "micro_precision": T / (T + F) if T + F else None, "micro_recall": T / (T + N) if T + N else None,
               "seconds_all_files": seconds_all, "seconds_2000_lines_best_of_3": min(times)}
    if as_json:
        print(json.dumps({"rules": table, "files": rows, "summary": summary}, indent=2))
        return
    fmt = lambda v: "  -  " if v is None else f"{v:.2f}"  # noqa: E731
    print(f"nnfit doctor lint bench: {len(files)} scripts (4 seeds + {len(files) - 4} corpus), "
          f"{summary['healthy_files']} healthy")
    print(f"{'code':6} {'name':38} {'TP':>3} {'FP':>3} {'FN':>3} {'prec':>6} {'recall':>6}")
    for row in table:
        print(f"{row['code']:6} {row['name']:38} {row['tp']:3d} {row['fp']:3d} {row['fn']:3d} "
              f"{fmt(row['precision']):>6} {fmt(row['recall']):>6}")
    print(f"{'all':6} {'(micro)':38} {T:3d} {F:3d} {N:3d} {fmt(summary['micro_precision']):>6} {fmt(summary['micro_recall']):>6}")
    misses = [r for r in rows if r["missed"] or r["extra"]]
    for r in misses:
        print(f"  {r['file']}: missed {r['missed'] or '-'}, extra {r['extra'] or '-'}")
    print(f"healthy scripts with an error-severity finding: {healthy_errors}")
    print(f"time: all {len(files)} files {seconds_all:.2f} s; 2,000-line script {min(times):.3f} s (best of 3)")


if __name__ == "__main__":
    main()
