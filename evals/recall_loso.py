"""Leave-one-set-out report for the recalled statements (assistant/compose/recall.py).

    .venv/bin/python evals/recall_loso.py                  # every dev set, each without its own examples
    .venv/bin/python evals/recall_loso.py dev_fresh21      # … some of them

answer_examples.yaml is built from the dev sets evals/dev_*.yaml, so `briefing eval --cases
evals/dev_fresh21.yaml` scores dev_fresh21 on questions the ranker recalls from. This script asks each
dev set with its own examples left out (BRIEFING_RECALL_EXCLUDE), which is how a question nobody
wrote down is answered, and prints its metrics beside the same run without recall (weight 0).
evals/cases.yaml is never among the examples, so its line is out-of-sample either way.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.compose import ranking, recall  # noqa: E402
from assistant.compose.turn import answer_recall, trained_classifier  # noqa: E402
from assistant.evaluate.cases import load_cases  # noqa: E402
from assistant.evaluate.harness import evaluate  # noqa: E402
from assistant.evaluate.metrics import aggregate  # noqa: E402

METRICS = ("primary_actor_accuracy", "cause_accuracy", "key_point_recall", "verdict_accuracy")


def run(briefing, path: Path, weight: float | None) -> dict:
    """One set's metrics with its own examples left out; weight 0 switches recall off."""
    name = path.stem
    composer = briefing.composer
    ranker = ranking.shipped()
    if weight is not None:
        ranker["weights"]["recalled"] = weight
    composer.params = dataclasses.replace(composer.params, ranker=ranker)
    with recall.left_out(name):   # neither the ranker nor the scope model has seen the set
        composer.recall = answer_recall(briefing.store)
        composer.classifier = trained_classifier(briefing.store, composer.params)
    results = evaluate(briefing, load_cases(path))
    hit = sum(r.key_points_hit for r in results)
    total = sum(r.key_points_total for r in results)
    return {**{k: aggregate(results)[k] for k in METRICS}, "hit": hit, "total": total}


def main(argv: list[str]) -> int:
    from assistant.service import Briefing
    names = argv or sorted(p.stem for p in (ROOT / "evals").glob("dev_*.yaml")) + ["cases"]
    sums = {"off": [0, 0], "on": [0, 0]}
    print(f"{'set':<14} {'key points off → on (left out)':>32}   actor   cause   verdict")
    with Briefing() as b:
        b.ensure_index()
        for name in names:
            path = ROOT / "evals" / f"{name}.yaml"
            off, on = run(b, path, 0.0), run(b, path, None)
            for tag, m in (("off", off), ("on", on)):
                sums[tag][0] += m["hit"]
                sums[tag][1] += m["total"]
            print(f"{name:<14} {off['key_point_recall']:>14.3f} → {on['key_point_recall']:.3f}"
                  f"{'':>10}{on['primary_actor_accuracy']:.3f}   {on['cause_accuracy']:.3f}   {on['verdict_accuracy']:.3f}")
    for tag, (hit, total) in sums.items():
        print(f"total {tag}: key points {hit}/{total} = {hit / max(total, 1):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
