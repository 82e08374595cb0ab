"""Warm ask latency over the dev eval questions, for A/B runs of two checkouts under `farm-bench`.

    python benchmarks/ask_latency.py [CHECKOUT]

CHECKOUT (default: this one) is the source tree whose `assistant` package answers; the index is the
one BRIEFING_STORE names (build it once with `briefing index`). One warm-up question, then every
question of evals/cases.yaml with its history; prints p50 and the total of the asks alone.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else Path(__file__).resolve().parents[1]).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    from assistant.evaluate.cases import load_cases
    from assistant.service import Briefing

    cases = load_cases(Path("evals/cases.yaml"))
    with Briefing() as b:
        b.ensure_index()
        b.ask("健康保険の紐付け誤りの責任は誰にあるのか", audit=False)
        took = []
        for c in cases:
            t = time.perf_counter()
            b.ask(c.question, history=c.history, audit=False)
            took.append(time.perf_counter() - t)
    took.sort()
    print(f"{root}: {len(took)} asks, p50 {took[len(took) // 2] * 1000:.1f} ms, total {sum(took):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
