"""Write corpus/real/split.json: each program's half, from a hash of a recorded seed and its id.

A hash (not a shuffled list) keeps every program's half fixed as programs are added.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

SEED = 20261201
ROOT = Path(__file__).resolve().parent / "real"


def half_of(program_id: str, seed: int = SEED) -> str:
    digest = hashlib.sha256(f"{seed}:{program_id}".encode()).hexdigest()
    return "tune" if int(digest, 16) % 2 == 0 else "test"


def main() -> None:
    ids = sorted(p.name for p in ROOT.iterdir() if (p / "label.json").is_file())
    split = {"seed": SEED, "rule": "sha256(f'{seed}:{id}') % 2 == 0 -> tune",
             "tune": [i for i in ids if half_of(i) == "tune"],
             "test": [i for i in ids if half_of(i) == "test"]}
    (ROOT / "split.json").write_text(json.dumps(split, indent=1) + "\n")
    print(f"{len(split['tune'])} tune, {len(split['test'])} test")


if __name__ == "__main__":
    main()
